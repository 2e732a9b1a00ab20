/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * Byte-exact tests of the G-IKEv2 (RFC 9838) IDg, GSA and KD payloads.
 *
 * The vectors are written by hand from the figures of RFC 9838 section 4
 * and RFC 7296 sections 3.3.2, 3.3.5, 3.5 and 3.13.1; docs/g-ikev2-payloads.md
 * shows the same layouts with offsets.
 *
 * The KD vector carries real wrapped keys: the keying material of the GSA
 * vector's policies and a key tree key, wrapped with AES-256 Key Wrap with
 * Padding (RFC 5649) under a test KWK.  It was computed independently of
 * the code under test by tests/vectors/kd_vector.py (the RFC 9838 4.5
 * layout and RFC 5649 written in Python on python3-cryptography's AES,
 * checked against RFC 5649's examples; no strongSwan or mike code).
 * Regenerate, or check the kd_* strings and KD_* offsets below, with
 *
 *   python3 tests/vectors/kd_vector.py
 *   python3 tests/vectors/kd_vector.py --check tests/gikev2_payloads_tests.c
 */

#include "tests/mike_tests.h"

#include <check.h>

#include "tests/test_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <library.h>
#include <encoding/generator.h>
#include <encoding/payloads/unknown_payload.h>

#include "payloads/gikev2_parser.h"
#include "payloads/idg_payload.h"
#include "payloads/gsa_payload.h"
#include "payloads/kd_payload.h"
#include "common/mike_keywrap.h"

/*
 * IDg: ID_KEY_ID "grp1"
 */
static const char *idg_header =
	"00"			/* Next Payload: none */
	"00"			/* C=0, RESERVED */
	"000c";			/* Payload Length: 4 + 8 */
static const char *idg_body =
	"0b"			/* ID Type: ID_KEY_ID (11) */
	"000000"		/* RESERVED */
	"67727031";		/* Identification Data: "grp1" */

/*
 * IDg: ID_IPV4_ADDR 239.1.2.3 (fixed length: every prefix is invalid)
 */
static const char *idg_ipv4_body =
	"01"			/* ID Type: ID_IPV4_ADDR (1) */
	"000000"		/* RESERVED */
	"ef010203";		/* 239.1.2.3 */

/*
 * GSA: KEK policy (offset 0, 155 bytes), TEK policy (offset 155, 84 bytes),
 * GW policy (offset 239, 16 bytes); body length 255.
 */
static const char *gsa_header =
	"00"			/* Next Payload: none */
	"00"			/* C=0, RESERVED */
	"0103";			/* Payload Length: 4 + 255 */
static const char *gsa_body =
	/* --- GSA policy: Rekey SA (KEK) --- */
	"06"			/*   0 Protocol: GIKE_UPDATE (6) */
	"10"			/*   1 SPI Size: 16 */
	"009b"			/*   2 Length: 155 */
	"0102030405060708090a0b0c0d0e0f10"	/*   4 SPI (IKE SPIi | SPIr) */
	/* Source TS: UDP 2001:db8::1 port 848 */
	"08"			/*  20 TS Type: TS_IPV6_ADDR_RANGE */
	"11"			/*  21 IP Protocol ID: UDP */
	"0028"			/*  22 Selector Length: 40 */
	"0350" "0350"	/*  24 Start Port, End Port: 848 */
	"20010db8000000000000000000000001"	/*  28 Starting Address */
	"20010db8000000000000000000000001"	/*  44 Ending Address */
	/* Destination TS: UDP ff0e::1:2 port 848 */
	"08" "11" "0028" "0350" "0350"		/*  60 */
	"ff0e0000000000000000000000010002"	/*  68 */
	"ff0e0000000000000000000000010002"	/*  84 */
	/* Transform ENCR AES-GCM-16 (20), Key Length 256 */
	"03" "00" "000c"	/* 100 Last Substruc 3, RESERVED, Length 12 */
	"01" "00" "0014"	/* 104 Type ENCR, RESERVED, ID 20 */
	"800e" "0100"		/* 108 TV attribute Key Length (14): 256 */
	/* Transform KWA KW_5649_256 (3) */
	"03" "00" "0008"	/* 112 */
	"0d" "00" "0003"	/* 116 Type KWA (13), ID 3 */
	/* Transform GCAUTH Digital Signature (2), last */
	"00" "00" "0013"	/* 120 Last Substruc 0, Length 19 */
	"0e" "00" "0002"	/* 124 Type GCAUTH (14), ID 2 */
	"0012" "0007"		/* 128 TLV Signature Algorithm Identifier (18) */
	"300506032b6570"	/* 132 AlgorithmIdentifier id-Ed25519 */
	/* GSA attributes */
	"0001" "0004" "00015180"	/* 139 GSA_KEY_LIFETIME: 86400 */
	"0002" "0004" "00000001"	/* 147 GSA_INITIAL_MESSAGE_ID: 1 */
	/* --- GSA policy: Data-Security SA (TEK) --- */
	"03"			/* 155 Protocol: ESP */
	"04"			/* 156 SPI Size: 4 */
	"0054"			/* 157 Length: 84 */
	"11223344"		/* 159 SPI */
	/* Source TS: UDP 192.0.2.1, any port */
	"07" "11" "0010" "0000" "ffff"	/* 163 IPv4, UDP, 16, ports 0-65535 */
	"c0000201" "c0000201"			/* 171 */
	/* Destination TS: UDP 239.1.2.3 port 5000 */
	"07" "11" "0010" "1388" "1388"	/* 179 */
	"ef010203" "ef010203"			/* 187 */
	/* Transform ENCR AES-CBC (12), Key Length 256 */
	"03" "00" "000c" "01" "00" "000c" "800e" "0100"	/* 195 */
	/* Transform INTEG AUTH_HMAC_SHA2_256_128 (12) */
	"03" "00" "0008" "03" "00" "000c"		/* 207 */
	/* Transform SN 32-bit Unspecified Numbers (2), last */
	"00" "00" "0008" "05" "00" "0002"		/* 215 */
	/* GSA attributes */
	"0001" "0004" "00000e10"	/* 223 GSA_KEY_LIFETIME: 3600 */
	"0003" "0004" "55667788"	/* 231 GSA_NEXT_SPI */
	/* --- GW policy --- */
	"00"			/* 239 Protocol: 0 */
	"00"			/* 240 RESERVED */
	"0010"			/* 241 Length: 16 */
	"8001" "000a"	/* 243 GWP_ATD (TV): 10 s */
	"8002" "0014"	/* 247 GWP_DTD (TV): 20 s */
	"8003" "0008";	/* 251 GWP_SENDER_ID_BITS (TV): 8 */

/** offsets of the GSA policy substructures */
#define GSA_KEK_OFF	0
#define GSA_KEK_LEN	155
#define GSA_TEK_OFF	155
#define GSA_TEK_LEN	84
#define GSA_GW_OFF	239
#define GSA_GW_LEN	16

/*
 * The keys of the KD vector (tests/vectors/kd_vector.py).  The test KWK is
 * the default KWK GSK_w (KWK ID 0) of a registration SA, AES-256 KW
 * (KW_5649_256): 00 01 .. 1f.  The plaintexts are the keying material of
 * the GSA vector's policies (RFC 9838 3.4) and a key tree key:
 *  - Rekey SA (AES-GCM-16-256, KW_5649_256): KEYMAT = GSK_e | GSK_a | GSK_w
 *    = key (32) | salt (4) | (none, AEAD) | KWK (32) = 68 bytes, 20 .. 63
 *  - ESP SA (AES-CBC-256, AUTH_HMAC_SHA2_256_128): encryption key (32) |
 *    integrity key (32) = 64 bytes, 70 .. af
 *  - WRAP_KEY Key ID 1: a KW_5649_256 key of 32 bytes, c0 .. df
 * each wrapped with RFC 5649 under the KWK: 8 bytes longer than the
 * plaintext padded to a multiple of 8, so 80, 72 and 40 bytes.
 */
static const char *kd_kwk =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

static const char *kd_kek_keymat =
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
	"60616263";

static const char *kd_tek_keymat =
	"707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f"
	"909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf";

static const char *kd_tree_key =
	"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf";

static const char *kd_kek_wrapped =
	"184d1afc88c88936d2a034906f0f39d1614608ad7e76ae879c808d33586c4e0a"
	"5223b8ba4cfc3f9ea35c2622deb8fdc31d97adb8ae66f80739ab7b618e482ab9"
	"0352cca2c43c1055b67c4901628d6f83";

static const char *kd_tek_wrapped =
	"493c8e2750fa89c1bdc36e54537ff9ceb60d057e39a8d824228c07a111e273fc"
	"5382805f988ae1559697f08aa7cb97d4dacaf1f5c2a4dbda07023372e3e425f6"
	"8c10228858e9e615";

static const char *kd_tree_wrapped =
	"639a48dfd7cd63338420371d79ca1af730b0269630b569175347a597711d25d4"
	"ce9c9b56799392c6";

/*
 * KD: KEK key bag (offset 0, 112 bytes), TEK key bag (offset 112, 92 bytes),
 * member key bag (offset 204, 112 bytes); body length 316.
 */
static const char *kd_header =
	"00"			/* Next Payload: none */
	"00"			/* C=0, RESERVED */
	"0140";			/* Payload Length: 4 + 316 */
static const char *kd_body =
	/* --- Group key bag for the Rekey SA --- */
	"06"			/*   0 Protocol: GIKE_UPDATE */
	"10"			/*   1 SPI Size: 16 */
	"0070"			/*   2 Length: 112 */
	"0102030405060708090a0b0c0d0e0f10"	/*   4 SPI */
	"0001" "0058"	/*  20 SA_KEY (TLV), 88 bytes */
	"00000000"		/*  24 Key ID: 0 */
	"00000000"		/*  28 KWK ID: 0 (default KWK) */
	/*  32 Encrypted Key: kd_kek_keymat wrapped (80 bytes) */
	"184d1afc88c88936d2a034906f0f39d1"	/*  32 */
	"614608ad7e76ae879c808d33586c4e0a"	/*  48 */
	"5223b8ba4cfc3f9ea35c2622deb8fdc3"	/*  64 */
	"1d97adb8ae66f80739ab7b618e482ab9"	/*  80 */
	"0352cca2c43c1055b67c4901628d6f83"	/*  96 */
	/* --- Group key bag for the ESP SA --- */
	"03"			/* 112 Protocol: ESP */
	"04"			/* 113 SPI Size: 4 */
	"005c"			/* 114 Length: 92 */
	"11223344"		/* 116 SPI */
	"0001" "0050"	/* 120 SA_KEY (TLV), 80 bytes */
	"00000000" "00000000"	/* 124 Key ID 0, KWK ID 0 */
	/* 132 Encrypted Key: kd_tek_keymat wrapped (72 bytes) */
	"493c8e2750fa89c1bdc36e54537ff9ce"	/* 132 */
	"b60d057e39a8d824228c07a111e273fc"	/* 148 */
	"5382805f988ae1559697f08aa7cb97d4"	/* 164 */
	"dacaf1f5c2a4dbda07023372e3e425f6"	/* 180 */
	"8c10228858e9e615"					/* 196 */
	/* --- Member key bag --- */
	"00"			/* 204 Protocol: 0 */
	"00"			/* 205 RESERVED */
	"0070"			/* 206 Length: 112 */
	"0001" "0030"	/* 208 WRAP_KEY (TLV), 48 bytes */
	"00000001"		/* 212 Key ID: 1 */
	"00000000"		/* 216 KWK ID: 0 */
	/* 220 Encrypted Key: kd_tree_key wrapped (40 bytes) */
	"639a48dfd7cd63338420371d79ca1af7"	/* 220 */
	"30b0269630b569175347a597711d25d4"	/* 236 */
	"ce9c9b56799392c6"					/* 252 */
	"0002" "002c"	/* 260 AUTH_KEY (TLV), 44 bytes: Ed25519 SPKI */
	"302a300506032b6570032100"			/* 264 */
	"1111111111111111111111111111111111111111111111111111111111111111"
	"0003" "0004"	/* 308 GM_SENDER_ID (TLV), 4 bytes */
	"00000007";		/* 312 */

#define KD_KEK_OFF	0
#define KD_KEK_LEN	112
#define KD_TEK_OFF	112
#define KD_TEK_LEN	92
#define KD_MEMBER_OFF	204
#define KD_MEMBER_LEN	112

/**
 * Concatenate header and body vectors.
 */
static chunk_t full(const char *header, const char *body)
{
	chunk_t h = hex(header), b = hex(body), all;

	all = chunk_cat("mm", h, b);
	return all;
}

/**
 * Generate a payload with charon's generator.
 */
static chunk_t generate(payload_t *payload)
{
	generator_t *generator;
	uint32_t *lenpos;
	chunk_t data;

	generator = generator_create_no_dbg();
	generator->generate_payload(generator, payload);
	data = chunk_clone(generator->get_chunk(generator, &lenpos));
	generator->destroy(generator);
	return data;
}

/**
 * Apply byte patches to a vector and assert the parser rejects it.
 */
static void assert_rejected(payload_type_t type, chunk_t body)
{
	payload_t *payload;

	payload = gikev2_payload_parse(type, body);
	ck_assert_msg(payload == NULL, "accepted malformed %d payload %B",
				  type, &body);
}

/**
 * Assert parse succeeds and re-encodes to the input.
 */
static void assert_round_trip(payload_type_t type, chunk_t body)
{
	payload_t *payload;

	payload = gikev2_payload_parse(type, body);
	ck_assert_msg(payload != NULL, "rejected %B", &body);
	ck_assert_int_eq(payload->get_type(payload), type);
	ck_assert_chunk_eq(gikev2_payload_get_body(payload), body);
	ck_assert_int_eq(payload->get_length(payload), body.len + 4);
	payload->destroy(payload);
}

/*******************************************************************************
 * IDg
 */

START_TEST(test_idg_encode)
{
	identification_t *id;
	idg_payload_t *idg;
	chunk_t expected = full(idg_header, idg_body), generated;

	id = identification_create_from_encoding(ID_KEY_ID,
											 chunk_from_str("grp1"));
	idg = idg_payload_create(id);
	ck_assert(idg);
	ck_assert_int_eq(idg->payload_interface.get_type(&idg->payload_interface),
					 50);
	ck_assert_chunk_eq(idg->get_body(idg), chunk_skip(expected, 4));
	generated = generate(&idg->payload_interface);
	ck_assert_chunk_eq(generated, expected);
	chunk_free(&generated);
	idg->destroy(idg);
	id->destroy(id);
	chunk_free(&expected);
}
END_TEST

START_TEST(test_idg_parse)
{
	identification_t *id, *parsed;
	idg_payload_t *idg;
	chunk_t body = hex(idg_body);

	idg = idg_payload_create_from_data(body);
	ck_assert(idg);
	ck_assert_int_eq(idg->get_id_type(idg), ID_KEY_ID);
	ck_assert_chunk_eq(idg->get_data(idg), chunk_from_str("grp1"));
	id = identification_create_from_encoding(ID_KEY_ID,
											 chunk_from_str("grp1"));
	parsed = idg->get_identification(idg);
	ck_assert(id->equals(id, parsed));
	ck_assert_chunk_eq(idg->get_body(idg), body);
	parsed->destroy(parsed);
	id->destroy(id);
	idg->destroy(idg);
	chunk_free(&body);
}
END_TEST

START_TEST(test_idg_other_types)
{
	identification_t *id;
	idg_payload_t *idg;
	chunk_t body = hex(idg_ipv4_body);

	id = identification_create_from_string("239.1.2.3");
	idg = idg_payload_create(id);
	ck_assert(idg);
	ck_assert_chunk_eq(idg->get_body(idg), body);
	idg->destroy(idg);
	id->destroy(id);
	chunk_free(&body);

	id = identification_create_from_string("group.example.org");
	idg = idg_payload_create(id);
	ck_assert(idg);
	ck_assert_int_eq(idg->get_id_type(idg), ID_FQDN);
	assert_round_trip(GIKEV2_PL_IDG, idg->get_body(idg));
	idg->destroy(idg);
	id->destroy(id);
}
END_TEST

START_TEST(test_idg_malformed)
{
	chunk_t body = hex(idg_ipv4_body);
	size_t i;

	/* every prefix of a fixed-length ID, including zero length */
	for (i = 0; i < body.len; i++)
	{
		assert_rejected(GIKEV2_PL_IDG, chunk_create(body.ptr, i));
	}
	/* IPv4 address with 5 bytes */
	assert_rejected(GIKEV2_PL_IDG, chunk_from_chars(0x01,0,0,0, 1,2,3,4,5));
	/* IPv6 address with 4 bytes */
	assert_rejected(GIKEV2_PL_IDG, chunk_from_chars(0x05,0,0,0, 1,2,3,4));
	/* KEY_ID with no data */
	assert_rejected(GIKEV2_PL_IDG, chunk_from_chars(0x0b,0,0,0));
	/* unknown ID types */
	assert_rejected(GIKEV2_PL_IDG, chunk_from_chars(0x00,0,0,0, 1));
	assert_rejected(GIKEV2_PL_IDG, chunk_from_chars(0x04,0,0,0, 1));
	assert_rejected(GIKEV2_PL_IDG, chunk_from_chars(0xc8,0,0,0, 1));
	chunk_free(&body);
}
END_TEST

START_TEST(test_idg_reserved_ignored)
{
	idg_payload_t *idg;

	/* RESERVED must be ignored on receipt, we send zeros */
	idg = idg_payload_create_from_data(chunk_from_chars(0x0b,0xff,0x01,0x02,
														0x41));
	ck_assert(idg);
	ck_assert_chunk_eq(idg->get_body(idg), chunk_from_chars(0x0b,0,0,0,0x41));
	idg->destroy(idg);
}
END_TEST

/*******************************************************************************
 * GSA
 */

/**
 * Build the policies of the GSA vector from structured fields.
 */
static linked_list_t *build_gsa_policies()
{
	linked_list_t *policies;
	traffic_selector_t *src, *dst;
	gsa_policy_t *policy;
	gsa_transform_t *gcauth;

	policies = linked_list_create();

	src = traffic_selector_create_from_string(IPPROTO_UDP, TS_IPV6_ADDR_RANGE,
							"2001:db8::1", 848, "2001:db8::1", 848);
	dst = traffic_selector_create_from_string(IPPROTO_UDP, TS_IPV6_ADDR_RANGE,
							"ff0e::1:2", 848, "ff0e::1:2", 848);
	policy = gsa_policy_create(GIKEV2_PROTO_GIKE_UPDATE,
			chunk_from_chars(1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16), src, dst);
	src->destroy(src);
	dst->destroy(dst);
	gsa_policy_add_transform(policy, GIKEV2_TRANSFORM_ENCR,
							 ENCR_AES_GCM_ICV16, 256);
	gsa_policy_add_transform(policy, GIKEV2_TRANSFORM_KWA,
							 GIKEV2_KWA_5649_256, 0);
	gcauth = gsa_policy_add_transform(policy, GIKEV2_TRANSFORM_GCAUTH,
							 GIKEV2_GCAUTH_DIGITAL_SIGNATURE, 0);
	gcauth->attrs->insert_last(gcauth->attrs,
			gikev2_attr_create_tlv(GIKEV2_TATTR_SIG_ALG_ID,
			chunk_from_chars(0x30,0x05,0x06,0x03,0x2b,0x65,0x70)));
	gsa_policy_add_attr(policy,
			gikev2_attr_create_tlv_u32(GIKEV2_GSA_KEY_LIFETIME, 86400));
	gsa_policy_add_attr(policy,
			gikev2_attr_create_tlv_u32(GIKEV2_GSA_INITIAL_MESSAGE_ID, 1));
	policies->insert_last(policies, policy);

	src = traffic_selector_create_from_string(IPPROTO_UDP, TS_IPV4_ADDR_RANGE,
							"192.0.2.1", 0, "192.0.2.1", 65535);
	dst = traffic_selector_create_from_string(IPPROTO_UDP, TS_IPV4_ADDR_RANGE,
							"239.1.2.3", 5000, "239.1.2.3", 5000);
	policy = gsa_policy_create(GIKEV2_PROTO_ESP,
							   chunk_from_chars(0x11,0x22,0x33,0x44), src, dst);
	src->destroy(src);
	dst->destroy(dst);
	gsa_policy_add_transform(policy, GIKEV2_TRANSFORM_ENCR, ENCR_AES_CBC, 256);
	gsa_policy_add_transform(policy, GIKEV2_TRANSFORM_INTEG,
							 AUTH_HMAC_SHA2_256_128, 0);
	gsa_policy_add_transform(policy, GIKEV2_TRANSFORM_SN,
							 GIKEV2_SN_32BIT_UNSPECIFIED, 0);
	gsa_policy_add_attr(policy,
			gikev2_attr_create_tlv_u32(GIKEV2_GSA_KEY_LIFETIME, 3600));
	gsa_policy_add_attr(policy, gikev2_attr_create_tlv(GIKEV2_GSA_NEXT_SPI,
							chunk_from_chars(0x55,0x66,0x77,0x88)));
	policies->insert_last(policies, policy);

	policy = gsa_policy_create_gw();
	gsa_policy_add_attr(policy, gikev2_attr_create_tv(GIKEV2_GWP_ATD, 10));
	gsa_policy_add_attr(policy, gikev2_attr_create_tv(GIKEV2_GWP_DTD, 20));
	gsa_policy_add_attr(policy,
			gikev2_attr_create_tv(GIKEV2_GWP_SENDER_ID_BITS, 8));
	policies->insert_last(policies, policy);
	return policies;
}

START_TEST(test_gsa_encode)
{
	linked_list_t *policies;
	gsa_payload_t *gsa;
	chunk_t expected = full(gsa_header, gsa_body), generated;

	policies = build_gsa_policies();
	gsa = gsa_payload_create(policies);
	policies->destroy_function(policies, (void*)gsa_policy_destroy);
	ck_assert(gsa);
	ck_assert_chunk_eq(gsa->get_body(gsa), chunk_skip(expected, 4));
	generated = generate(&gsa->payload_interface);
	ck_assert_chunk_eq(generated, expected);
	chunk_free(&generated);

	/* the next payload type goes into the header */
	gsa->payload_interface.set_next_type(&gsa->payload_interface,
										 GIKEV2_PL_KD);
	generated = generate(&gsa->payload_interface);
	ck_assert_int_eq(generated.ptr[0], 52);
	chunk_free(&generated);

	gsa->destroy(gsa);
	chunk_free(&expected);
}
END_TEST

/**
 * Check an IPv4/IPv6 selector.
 */
static void check_ts(traffic_selector_t *ts, ts_type_t type, uint8_t proto,
					 char *from, uint16_t from_port, char *to, uint16_t to_port)
{
	traffic_selector_t *expected;

	expected = traffic_selector_create_from_string(proto, type, from,
												   from_port, to, to_port);
	ck_assert(expected);
	ck_assert(ts);
	ck_assert_msg(expected->equals(expected, ts), "%R != %R", ts, expected);
	ck_assert_int_eq(ts->get_from_port(ts), from_port);
	ck_assert_int_eq(ts->get_to_port(ts), to_port);
	expected->destroy(expected);
}

START_TEST(test_gsa_parse)
{
	gsa_payload_t *gsa;
	gsa_policy_t *policy;
	gsa_transform_t *transform;
	enumerator_t *enumerator;
	gikev2_attr_t *attr;
	chunk_t body = hex(gsa_body);
	uint32_t u32;
	uint16_t u16;
	int i = 0;

	gsa = gsa_payload_create_from_data(body);
	ck_assert(gsa);

	/* KEK */
	policy = gsa->get_kek_policy(gsa);
	ck_assert(policy);
	ck_assert_int_eq(policy->protocol, GIKEV2_PROTO_GIKE_UPDATE);
	ck_assert_chunk_eq(policy->spi,
			chunk_from_chars(1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16));
	check_ts(policy->src, TS_IPV6_ADDR_RANGE, IPPROTO_UDP,
			 "2001:db8::1", 848, "2001:db8::1", 848);
	check_ts(policy->dst, TS_IPV6_ADDR_RANGE, IPPROTO_UDP,
			 "ff0e::1:2", 848, "ff0e::1:2", 848);
	ck_assert_int_eq(policy->transforms->get_count(policy->transforms), 3);
	transform = gsa_policy_get_transform(policy, GIKEV2_TRANSFORM_ENCR);
	ck_assert(transform);
	ck_assert_int_eq(transform->id, ENCR_AES_GCM_ICV16);
	ck_assert_int_eq(gsa_transform_get_key_length(transform), 256);
	transform = gsa_policy_get_transform(policy, GIKEV2_TRANSFORM_KWA);
	ck_assert(transform);
	ck_assert_int_eq(transform->id, GIKEV2_KWA_5649_256);
	ck_assert_int_eq(gsa_transform_get_key_length(transform), 0);
	transform = gsa_policy_get_transform(policy, GIKEV2_TRANSFORM_GCAUTH);
	ck_assert(transform);
	ck_assert_int_eq(transform->id, GIKEV2_GCAUTH_DIGITAL_SIGNATURE);
	attr = gikev2_attrs_find(transform->attrs, GIKEV2_TATTR_SIG_ALG_ID);
	ck_assert(attr);
	ck_assert_chunk_eq(attr->data,
			chunk_from_chars(0x30,0x05,0x06,0x03,0x2b,0x65,0x70));
	ck_assert(!gsa_policy_get_transform(policy, GIKEV2_TRANSFORM_INTEG));
	ck_assert(gikev2_attrs_get_u32(policy->attrs, GIKEV2_GSA_KEY_LIFETIME,
								   &u32));
	ck_assert_int_eq(u32, 86400);
	ck_assert(gikev2_attrs_get_u32(policy->attrs,
								   GIKEV2_GSA_INITIAL_MESSAGE_ID, &u32));
	ck_assert_int_eq(u32, 1);

	/* order and the TEK */
	enumerator = gsa->create_policy_enumerator(gsa);
	while (enumerator->enumerate(enumerator, &policy))
	{
		switch (i++)
		{
			case 0:
				ck_assert_int_eq(policy->protocol, GIKEV2_PROTO_GIKE_UPDATE);
				break;
			case 1:
				ck_assert_int_eq(policy->protocol, GIKEV2_PROTO_ESP);
				ck_assert_chunk_eq(policy->spi,
								   chunk_from_chars(0x11,0x22,0x33,0x44));
				check_ts(policy->src, TS_IPV4_ADDR_RANGE, IPPROTO_UDP,
						 "192.0.2.1", 0, "192.0.2.1", 65535);
				check_ts(policy->dst, TS_IPV4_ADDR_RANGE, IPPROTO_UDP,
						 "239.1.2.3", 5000, "239.1.2.3", 5000);
				transform = gsa_policy_get_transform(policy,
													 GIKEV2_TRANSFORM_ENCR);
				ck_assert_int_eq(transform->id, ENCR_AES_CBC);
				ck_assert_int_eq(gsa_transform_get_key_length(transform), 256);
				transform = gsa_policy_get_transform(policy,
													 GIKEV2_TRANSFORM_INTEG);
				ck_assert_int_eq(transform->id, AUTH_HMAC_SHA2_256_128);
				transform = gsa_policy_get_transform(policy,
													 GIKEV2_TRANSFORM_SN);
				ck_assert_int_eq(transform->id, GIKEV2_SN_32BIT_UNSPECIFIED);
				ck_assert(gikev2_attrs_get_u32(policy->attrs,
										GIKEV2_GSA_KEY_LIFETIME, &u32));
				ck_assert_int_eq(u32, 3600);
				ck_assert_int_eq(gikev2_attrs_count(policy->attrs,
										GIKEV2_GSA_NEXT_SPI), 1);
				attr = gikev2_attrs_find(policy->attrs, GIKEV2_GSA_NEXT_SPI);
				ck_assert_chunk_eq(attr->data,
								   chunk_from_chars(0x55,0x66,0x77,0x88));
				ck_assert(!gikev2_attrs_find(policy->attrs,
										GIKEV2_GSA_INITIAL_MESSAGE_ID));
				break;
			case 2:
				ck_assert_int_eq(policy->protocol, GIKEV2_PROTO_NONE);
				break;
		}
	}
	enumerator->destroy(enumerator);
	ck_assert_int_eq(i, 3);

	/* GW */
	policy = gsa->get_gw_policy(gsa);
	ck_assert(policy);
	ck_assert(gikev2_attrs_get_tv(policy->attrs, GIKEV2_GWP_ATD, &u16));
	ck_assert_int_eq(u16, 10);
	ck_assert(gikev2_attrs_get_tv(policy->attrs, GIKEV2_GWP_DTD, &u16));
	ck_assert_int_eq(u16, 20);
	ck_assert(gikev2_attrs_get_tv(policy->attrs, GIKEV2_GWP_SENDER_ID_BITS,
								  &u16));
	ck_assert_int_eq(u16, 8);

	ck_assert_chunk_eq(gsa->get_body(gsa), body);
	gsa->destroy(gsa);
	chunk_free(&body);
}
END_TEST

START_TEST(test_gsa_round_trip)
{
	chunk_t body = hex(gsa_body), tek, kek, gw, all;

	assert_round_trip(GIKEV2_PL_GSA, body);
	kek = chunk_create(body.ptr + GSA_KEK_OFF, GSA_KEK_LEN);
	tek = chunk_create(body.ptr + GSA_TEK_OFF, GSA_TEK_LEN);
	gw = chunk_create(body.ptr + GSA_GW_OFF, GSA_GW_LEN);
	/* each GSA policy alone, other orders, several TEKs */
	assert_round_trip(GIKEV2_PL_GSA, kek);
	assert_round_trip(GIKEV2_PL_GSA, tek);
	all = chunk_cat("ccc", gw, tek, kek);
	assert_round_trip(GIKEV2_PL_GSA, all);
	chunk_free(&all);
	all = chunk_cat("ccc", tek, tek, gw);
	assert_round_trip(GIKEV2_PL_GSA, all);
	chunk_free(&all);
	chunk_free(&body);
}
END_TEST

START_TEST(test_gsa_truncated)
{
	chunk_t body = hex(gsa_body), payload;
	size_t i;

	for (i = 0; i < body.len; i++)
	{
		if (i == GSA_TEK_OFF || i == GSA_GW_OFF)
		{	/* a prefix ending at a substructure boundary is a valid GSA */
			assert_round_trip(GIKEV2_PL_GSA, chunk_create(body.ptr, i));
			continue;
		}
		assert_rejected(GIKEV2_PL_GSA, chunk_create(body.ptr, i));
	}
	/* exact-size heap copies of every prefix, so ASan sees any over-read */
	for (i = 1; i < body.len; i++)
	{
		payload_t *parsed;

		payload = chunk_clone(chunk_create(body.ptr, i));
		parsed = gikev2_payload_parse(GIKEV2_PL_GSA, payload);
		ck_assert(!parsed == !(i == GSA_TEK_OFF || i == GSA_GW_OFF));
		DESTROY_IF(parsed);
		chunk_free(&payload);
	}
	chunk_free(&body);
}
END_TEST

/**
 * A patch of the GSA/KD vector: set len bytes at offset
 */
typedef struct {
	size_t offset;
	uint32_t value;
	int len;
	const char *what;
} patch_t;

static void apply(chunk_t data, patch_t *p)
{
	switch (p->len)
	{
		case 1:
			data.ptr[p->offset] = p->value;
			break;
		case 2:
			htoun16(data.ptr + p->offset, p->value);
			break;
		case 4:
			htoun32(data.ptr + p->offset, p->value);
			break;
	}
}

static patch_t gsa_patches[] = {
	{ 155, 0x01, 1, "TEK protocol IKE: unknown substructure type" },
	{ 155, 0x04, 1, "TEK protocol 4: unknown substructure type" },
	{ 239, 0x07, 1, "GW protocol 7: unknown substructure type" },
	{ 0, 0xff, 1, "KEK protocol 255: unknown substructure type" },
	{ 1, 0x04, 1, "KEK SPI size 4" },
	{ 156, 0x10, 1, "TEK SPI size 16" },
	{ 2, 0xffff, 2, "KEK length too large" },
	{ 157, 0x0055, 2, "TEK length one too large" },
	{ 241, 0x0011, 2, "GW length exceeds the payload" },
	{ 241, 0x0003, 2, "GW length below header" },
	{ 157, 0x0000, 2, "TEK length zero" },
	{ 157, 0x0050, 2, "TEK length cuts the last attribute" },
	{ 157, 0x0017, 2, "TEK length cuts the source selector" },
	{ 163, 0x09, 1, "TS type 9 (Fibre Channel)" },
	{ 163, 0x08, 1, "IPv6 TS type with IPv4 length" },
	{ 165, 0x0011, 2, "TS length 17" },
	{ 22, 0x0010, 2, "IPv6 TS with IPv4 length" },
	{ 100, 0x02, 1, "Last Substruc 2" },
	{ 120, 0x03, 1, "last transform says more follow" },
	{ 215, 0x03, 1, "last TEK transform says more follow" },
	{ 207, 0x00, 1, "transform list ends early" },
	{ 122, 0x0007, 2, "transform length below 8" },
	{ 102, 0x0100, 2, "transform length exceeds the policy" },
	{ 219, 0x03, 1, "duplicate INTEG transform" },
	{ 219, 0x0d, 1, "KWA transform in an ESP policy" },
	{ 211, 0x0e, 1, "GCAUTH transform in an ESP policy" },
	{ 104, 0x05, 1, "SN transform in a KEK policy" },
	{ 116, 0x03000000, 4, "no KWA in a KEK policy (INTEG NONE instead)" },
	{ 221, 0x0001, 2, "64-bit SN for a group SA" },
	{ 221, 0x0007, 2, "unknown SN transform ID" },
	{ 203, 0x8001, 2, "ENCR transform with an unknown attribute" },
	{ 108, 0x0000, 2, "ENCR Key Length as TLV" },
	{ 126, 0x0001, 2, "GCAUTH Implicit with a signature algorithm" },
	{ 106, 0x000c, 2, "KEK without AEAD and without INTEG" },
	{ 201, 0x0014, 2, "AEAD ESP cipher with an INTEG transform" },
	{ 231, 0x0001, 2, "duplicate GSA_KEY_LIFETIME" },
	{ 247, 0x8001, 2, "duplicate GWP_ATD" },
};

START_TEST(test_gsa_malformed)
{
	chunk_t body = hex(gsa_body), copy;

	copy = chunk_clone(body);
	apply(copy, &gsa_patches[_i]);
	if (getenv("GIKEV2_TESTS_DEBUG"))
	{	/* to check that each case fails for the reason it is about */
		fprintf(stderr, "case: %s\n", gsa_patches[_i].what);
	}
	if (gikev2_payload_parse(GIKEV2_PL_GSA, copy))
	{
		ck_abort_msg("accepted: %s", gsa_patches[_i].what);
	}
	chunk_free(&copy);
	chunk_free(&body);
}
END_TEST

/**
 * Attribute cases: a substructure prefix from a vector plus attributes,
 * with the substructure length fixed up.
 */
typedef struct {
	payload_type_t type;
	size_t offset;
	size_t len;
	const char *attrs;
	const char *what;
} attr_case_t;

static attr_case_t attr_cases[] = {
	/* TEK policy up to its transforms (68 bytes) plus attributes */
	{ GIKEV2_PL_GSA, GSA_TEK_OFF, 68, "", "TEK without attributes (valid)" },
	{ GIKEV2_PL_GSA, GSA_TEK_OFF, 68, "80035566", "GSA_NEXT_SPI as TV" },
	{ GIKEV2_PL_GSA, GSA_TEK_OFF, 68, "0003" "0003" "556677",
	  "GSA_NEXT_SPI of 3 bytes" },
	{ GIKEV2_PL_GSA, GSA_TEK_OFF, 68,
	  "0003" "0010" "0102030405060708090a0b0c0d0e0f10",
	  "GSA_NEXT_SPI of 16 bytes in an ESP policy" },
	{ GIKEV2_PL_GSA, GSA_TEK_OFF, 68, "0001" "0005" "0000000e10",
	  "GSA_KEY_LIFETIME of 5 bytes" },
	{ GIKEV2_PL_GSA, GSA_TEK_OFF, 68, "0001" "0004" "00000e10"
	  "0001" "0004" "00000e10", "duplicate GSA_KEY_LIFETIME" },
	{ GIKEV2_PL_GSA, GSA_TEK_OFF, 68, "0002" "0004" "00000001",
	  "GSA_INITIAL_MESSAGE_ID in an ESP policy" },
	{ GIKEV2_PL_GSA, GSA_TEK_OFF, 68, "0000" "0000",
	  "reserved attribute 0, ignored (valid)" },
	{ GIKEV2_PL_GSA, GSA_TEK_OFF, 68, "0004" "0002" "abcd",
	  "unassigned GSA attribute 4, ignored (valid)" },
	{ GIKEV2_PL_GSA, GSA_TEK_OFF, 68, "4000" "0000",
	  "private use attribute 16384 in an ESP policy, ignored (valid)" },
	{ GIKEV2_PL_GSA, GSA_TEK_OFF, 68, "7fff" "0003" "010203",
	  "a vendor's attribute 32767, ignored (valid)" },
	{ GIKEV2_PL_GSA, GSA_TEK_OFF, 68, "0001" "0004" "00000e", "cut attribute" },
	/* GIKE_UPDATE policy: GSA_NEXT_SPI has 16 bytes there */
	{ GIKEV2_PL_GSA, GSA_KEK_OFF, 139,
	  "0003" "0010" "1112131415161718191a1b1c1d1e1f20"
	  "0003" "0010" "2122232425262728292a2b2c2d2e2f30",
	  "two GSA_NEXT_SPIs of 16 bytes in the KEK policy (valid)" },
	{ GIKEV2_PL_GSA, GSA_KEK_OFF, 139, "0003" "0004" "55667788",
	  "GSA_NEXT_SPI of 4 bytes in the KEK policy" },
	/* GW policy header plus attributes */
	{ GIKEV2_PL_GSA, GSA_GW_OFF, 4, "0001" "0002" "000a", "GWP_ATD as TLV" },
	{ GIKEV2_PL_GSA, GSA_GW_OFF, 4, "8003" "0008" "8003" "0010",
	  "duplicate GWP_SENDER_ID_BITS" },
	{ GIKEV2_PL_GSA, GSA_GW_OFF, 4, "8000" "0001",
	  "reserved GW attribute 0, ignored (valid)" },
	{ GIKEV2_PL_GSA, GSA_GW_OFF, 4, "8004" "0001",
	  "unassigned GW policy attribute 4, ignored (valid)" },
	/* member key bag header plus attributes */
	{ GIKEV2_PL_KD, KD_MEMBER_OFF, 4, "8002" "0001", "AUTH_KEY as TV" },
	{ GIKEV2_PL_KD, KD_MEMBER_OFF, 4, "0003" "0004" "00000001" "0004" "0000",
	  "unassigned member key bag attribute 4, ignored (valid)" },
	{ GIKEV2_PL_KD, KD_TEK_OFF, 8,
	  "0001" "0009" "00000000" "00000000" "aa" "4001" "0000",
	  "private-use group key bag attribute, ignored (valid)" },
	{ GIKEV2_PL_KD, KD_MEMBER_OFF, 4, "0003" "0004" "00000001" "0002" "0000",
	  "AUTH_KEY empty next to a GM_SENDER_ID" },
	{ GIKEV2_PL_KD, KD_MEMBER_OFF, 4, "0003" "0000", "GM_SENDER_ID empty" },
	{ GIKEV2_PL_KD, KD_MEMBER_OFF, 4, "0001" "0008" "00000001" "00000000",
	  "WRAP_KEY without key bytes" },
	{ GIKEV2_PL_KD, KD_MEMBER_OFF, 4, "0002" "0000", "AUTH_KEY empty" },
	{ GIKEV2_PL_KD, KD_MEMBER_OFF, 4, "0003" "0001" "07"
	  "0003" "0001" "08", "two GM_SENDER_IDs (valid)" },
	/* ESP key bag header and SPI plus attributes */
	{ GIKEV2_PL_KD, KD_TEK_OFF, 8, "0001" "0009" "00000000" "00000000" "aa",
	  "SA_KEY with one key byte (valid)" },
	{ GIKEV2_PL_KD, KD_TEK_OFF, 8, "", "ESP key bag without SA_KEY" },
	/* the same as kd_patches' cases, whose rest of the Encrypted Key
	 * fails as attributes first */
	{ GIKEV2_PL_KD, KD_TEK_OFF, 8, "0001" "0008" "00000000" "00000000",
	  "SA_KEY without key bytes" },
	{ GIKEV2_PL_KD, KD_TEK_OFF, 8, "8001" "0050", "SA_KEY as TV" },
};

START_TEST(test_attr_cases)
{
	attr_case_t *c = &attr_cases[_i];
	chunk_t vector, attrs, sub;
	payload_t *payload;
	bool valid = strstr(c->what, "(valid)") != NULL;

	vector = hex(c->type == GIKEV2_PL_GSA ? gsa_body : kd_body);
	attrs = hex(c->attrs);
	sub = chunk_cat("cm", chunk_create(vector.ptr + c->offset, c->len), attrs);
	htoun16(sub.ptr + 2, sub.len);
	if (c->offset == GSA_GW_OFF && c->type == GIKEV2_PL_GSA)
	{	/* a GW policy needs a TEK or KEK next to it */
		chunk_t tek = chunk_create(vector.ptr + GSA_TEK_OFF, GSA_TEK_LEN);

		sub = chunk_cat("cm", tek, sub);
	}
	if (getenv("GIKEV2_TESTS_DEBUG"))
	{
		fprintf(stderr, "case: %s\n", c->what);
	}
	payload = gikev2_payload_parse(c->type, sub);
	if (valid)
	{
		ck_assert_msg(payload, "rejected: %s", c->what);
		ck_assert_chunk_eq(gikev2_payload_get_body(payload), sub);
	}
	else if (payload)
	{
		ck_abort_msg("accepted: %s", c->what);
	}
	DESTROY_IF(payload);
	chunk_free(&sub);
	chunk_free(&vector);
}
END_TEST

START_TEST(test_gsa_structure)
{
	chunk_t body = hex(gsa_body), kek, tek, gw, all;

	kek = chunk_create(body.ptr + GSA_KEK_OFF, GSA_KEK_LEN);
	tek = chunk_create(body.ptr + GSA_TEK_OFF, GSA_TEK_LEN);
	gw = chunk_create(body.ptr + GSA_GW_OFF, GSA_GW_LEN);

	/* zero length */
	assert_rejected(GIKEV2_PL_GSA, chunk_empty);
	/* GW policy only: a KEK or TEK policy is required */
	assert_rejected(GIKEV2_PL_GSA, gw);
	/* two KEK policies */
	all = chunk_cat("cc", kek, kek);
	assert_rejected(GIKEV2_PL_GSA, all);
	chunk_free(&all);
	/* two GW policies */
	all = chunk_cat("ccc", tek, gw, gw);
	assert_rejected(GIKEV2_PL_GSA, all);
	chunk_free(&all);
	/* trailing garbage shorter than a substructure header */
	all = chunk_cat("cc", tek, chunk_from_chars(0x03, 0x04, 0x00));
	assert_rejected(GIKEV2_PL_GSA, all);
	chunk_free(&all);
	/* empty GW policy is fine next to a TEK */
	all = chunk_cat("cc", tek, chunk_from_chars(0x00, 0x00, 0x00, 0x04));
	assert_round_trip(GIKEV2_PL_GSA, all);
	chunk_free(&all);
	/* too long to be a payload body */
	all = chunk_alloc(0xffff);
	memset(all.ptr, 0, all.len);
	assert_rejected(GIKEV2_PL_GSA, all);
	chunk_free(&all);
	chunk_free(&body);
}
END_TEST

START_TEST(test_gsa_create_invalid)
{
	linked_list_t *policies;
	gsa_policy_t *policy;
	gsa_transform_t *transform;

	/* we never send what we would refuse: ESP policy without SN */
	policies = build_gsa_policies();
	policies->get_first(policies, (void**)&policy);
	policies->remove_first(policies, (void**)&policy);
	gsa_policy_destroy(policy);
	policies->get_first(policies, (void**)&policy);
	policy->transforms->remove_last(policy->transforms, (void**)&transform);
	gikev2_attrs_destroy(transform->attrs);
	free(transform);
	ck_assert(gsa_payload_create(policies) == NULL);
	policies->destroy_function(policies, (void*)gsa_policy_destroy);

	/* empty list */
	policies = linked_list_create();
	ck_assert(gsa_payload_create(policies) == NULL);
	policies->destroy(policies);
}
END_TEST

START_TEST(test_gsa_reserved_ignored)
{
	chunk_t body = hex(gsa_body), copy;
	gsa_payload_t *gsa;

	copy = chunk_clone(body);
	copy.ptr[GSA_GW_OFF + 1] = 0xaa;	/* GW policy RESERVED */
	copy.ptr[101] = 0xbb;				/* transform RESERVED */
	copy.ptr[105] = 0xcc;				/* transform RESERVED */
	gsa = gsa_payload_create_from_data(copy);
	ck_assert(gsa);
	ck_assert_chunk_eq(gsa->get_body(gsa), body);
	gsa->destroy(gsa);
	chunk_free(&copy);
	chunk_free(&body);
}
END_TEST

/*******************************************************************************
 * KD
 */

/**
 * Build the key bags of the KD vector from structured fields.
 */
static linked_list_t *build_key_bags()
{
	linked_list_t *bags;
	kd_key_bag_t *bag;
	chunk_t kek = hex(kd_kek_wrapped), tek = hex(kd_tek_wrapped);
	chunk_t tree = hex(kd_tree_wrapped), spki;

	bags = linked_list_create();
	bag = kd_key_bag_create(GIKEV2_PROTO_GIKE_UPDATE,
			chunk_from_chars(1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16));
	kd_key_bag_add_wrapped_key(bag, GIKEV2_GKB_SA_KEY, 0, 0, kek);
	bags->insert_last(bags, bag);

	bag = kd_key_bag_create(GIKEV2_PROTO_ESP,
							chunk_from_chars(0x11,0x22,0x33,0x44));
	kd_key_bag_add_wrapped_key(bag, GIKEV2_GKB_SA_KEY, 0, 0, tek);
	bags->insert_last(bags, bag);

	bag = kd_key_bag_create_member();
	kd_key_bag_add_wrapped_key(bag, GIKEV2_MKB_WRAP_KEY, 1, 0, tree);
	spki = hex("302a300506032b6570032100"
			"1111111111111111111111111111111111111111111111111111111111111111");
	kd_key_bag_add_attr(bag, gikev2_attr_create_tlv(GIKEV2_MKB_AUTH_KEY, spki));
	chunk_free(&spki);
	kd_key_bag_add_attr(bag, gikev2_attr_create_tlv_u32(GIKEV2_MKB_GM_SENDER_ID,
														7));
	bags->insert_last(bags, bag);
	chunk_free(&kek);
	chunk_free(&tek);
	chunk_free(&tree);
	return bags;
}

START_TEST(test_kd_encode)
{
	linked_list_t *bags;
	kd_payload_t *kd;
	chunk_t expected = full(kd_header, kd_body), generated;

	bags = build_key_bags();
	kd = kd_payload_create(bags);
	bags->destroy_function(bags, (void*)kd_key_bag_destroy);
	ck_assert(kd);
	ck_assert_chunk_eq(kd->get_body(kd), chunk_skip(expected, 4));
	generated = generate(&kd->payload_interface);
	ck_assert_chunk_eq(generated, expected);
	chunk_free(&generated);
	kd->destroy(kd);
	chunk_free(&expected);
}
END_TEST

/**
 * Assert a wrapped key attribute has the given IDs and encrypted key (hex)
 */
static void assert_wrapped_key(gikev2_attr_t *attr, uint32_t key_id,
							   uint32_t kwk_id, const char *wrapped)
{
	chunk_t expected = hex(wrapped), enc;
	uint32_t got_key_id, got_kwk_id;

	ck_assert(attr);
	ck_assert(kd_wrapped_key_split(attr->data, &got_key_id, &got_kwk_id,
								   &enc));
	ck_assert_int_eq(got_key_id, key_id);
	ck_assert_int_eq(got_kwk_id, kwk_id);
	ck_assert_chunk_eq(enc, expected);
	chunk_free(&expected);
}

START_TEST(test_kd_parse)
{
	kd_payload_t *kd;
	kd_key_bag_t *bag;
	gikev2_attr_t *attr;
	chunk_t body = hex(kd_body);
	uint32_t sender_id;

	kd = kd_payload_create_from_data(body);
	ck_assert(kd);

	bag = kd->get_group_key_bag(kd, GIKEV2_PROTO_GIKE_UPDATE,
			chunk_from_chars(1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16));
	ck_assert(bag);
	ck_assert_int_eq(gikev2_attrs_count(bag->attrs, GIKEV2_GKB_SA_KEY), 1);
	assert_wrapped_key(gikev2_attrs_find(bag->attrs, GIKEV2_GKB_SA_KEY), 0, 0,
					   kd_kek_wrapped);

	bag = kd->get_group_key_bag(kd, GIKEV2_PROTO_ESP,
								chunk_from_chars(0x11,0x22,0x33,0x44));
	ck_assert(bag);
	assert_wrapped_key(gikev2_attrs_find(bag->attrs, GIKEV2_GKB_SA_KEY), 0, 0,
					   kd_tek_wrapped);
	ck_assert(!kd->get_group_key_bag(kd, GIKEV2_PROTO_AH,
									 chunk_from_chars(0x11,0x22,0x33,0x44)));

	bag = kd->get_member_key_bag(kd);
	ck_assert(bag);
	ck_assert_int_eq(bag->protocol, 0);
	assert_wrapped_key(gikev2_attrs_find(bag->attrs, GIKEV2_MKB_WRAP_KEY), 1, 0,
					   kd_tree_wrapped);
	attr = gikev2_attrs_find(bag->attrs, GIKEV2_MKB_AUTH_KEY);
	ck_assert_int_eq(attr->data.len, 44);
	ck_assert_int_eq(attr->data.ptr[0], 0x30);
	ck_assert(gikev2_attrs_get_u32(bag->attrs, GIKEV2_MKB_GM_SENDER_ID,
								   &sender_id));
	ck_assert_int_eq(sender_id, 7);

	ck_assert_chunk_eq(kd->get_body(kd), body);
	kd->destroy(kd);
	chunk_free(&body);
}
END_TEST

/**
 * Assert the Encrypted Key of a wrapped key attribute unwraps under kwk to
 * the given plaintext (hex), and that wrapping the plaintext gives it back
 * (RFC 5649 is deterministic): mike's key wrap against the independently
 * computed vector, in both directions.
 */
static void assert_unwraps(chunk_t kwk, gikev2_attr_t *attr, const char *plain)
{
	chunk_t expected = hex(plain), enc, key = chunk_empty, wrapped;
	uint32_t key_id, kwk_id;

	ck_assert(attr);
	ck_assert(kd_wrapped_key_split(attr->data, &key_id, &kwk_id, &enc));
	ck_assert(mike_keywrap_unwrap(kwk, enc, &key));
	ck_assert_chunk_eq(key, expected);
	ck_assert(mike_keywrap_wrap(kwk, key, &wrapped));
	ck_assert_chunk_eq(wrapped, enc);
	chunk_free(&wrapped);
	chunk_clear(&key);
	chunk_free(&expected);
}

START_TEST(test_kd_unwrap)
{
	kd_payload_t *kd;
	kd_key_bag_t *bag;
	chunk_t body = hex(kd_body), kwk = hex(kd_kwk);

	kd = kd_payload_create_from_data(body);
	ck_assert(kd);

	/* Rekey SA: GSK_e | GSK_w, 36 + 32 bytes for AES-GCM-16-256, KW-256 */
	bag = kd->get_group_key_bag(kd, GIKEV2_PROTO_GIKE_UPDATE,
			chunk_from_chars(1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16));
	ck_assert(bag);
	assert_unwraps(kwk, gikev2_attrs_find(bag->attrs, GIKEV2_GKB_SA_KEY),
				   kd_kek_keymat);
	/* ESP SA: 32 + 32 bytes for AES-CBC-256, AUTH_HMAC_SHA2_256_128 */
	bag = kd->get_group_key_bag(kd, GIKEV2_PROTO_ESP,
								chunk_from_chars(0x11,0x22,0x33,0x44));
	ck_assert(bag);
	assert_unwraps(kwk, gikev2_attrs_find(bag->attrs, GIKEV2_GKB_SA_KEY),
				   kd_tek_keymat);
	/* key tree key: the 32-byte key of KW_5649_256 */
	bag = kd->get_member_key_bag(kd);
	ck_assert(bag);
	assert_unwraps(kwk, gikev2_attrs_find(bag->attrs, GIKEV2_MKB_WRAP_KEY),
				   kd_tree_key);

	kd->destroy(kd);
	chunk_free(&kwk);
	chunk_free(&body);
}
END_TEST

START_TEST(test_kd_round_trip)
{
	chunk_t body = hex(kd_body), kek, tek, member, all;

	assert_round_trip(GIKEV2_PL_KD, body);
	kek = chunk_create(body.ptr + KD_KEK_OFF, KD_KEK_LEN);
	tek = chunk_create(body.ptr + KD_TEK_OFF, KD_TEK_LEN);
	member = chunk_create(body.ptr + KD_MEMBER_OFF, KD_MEMBER_LEN);
	assert_round_trip(GIKEV2_PL_KD, kek);
	assert_round_trip(GIKEV2_PL_KD, member);
	all = chunk_cat("ccc", member, tek, kek);
	assert_round_trip(GIKEV2_PL_KD, all);
	chunk_free(&all);
	chunk_free(&body);
}
END_TEST

START_TEST(test_kd_lkh)
{
	chunk_t all;

	/* GSA_REKEY with LKH: two SA_KEYs for the KEK, KWK IDs non-zero */
	all = hex("06" "10" "0038" "0102030405060708090a0b0c0d0e0f10"
			  "0001" "000c" "00000000" "00000005" "aabbccdd"
			  "0001" "0010" "00000000" "00000009" "0011223344556677");
	assert_round_trip(GIKEV2_PL_KD, all);
	chunk_free(&all);
}
END_TEST

START_TEST(test_kd_truncated)
{
	chunk_t body = hex(kd_body), payload;
	size_t i;

	for (i = 0; i < body.len; i++)
	{
		if (i == KD_TEK_OFF || i == KD_MEMBER_OFF)
		{
			assert_round_trip(GIKEV2_PL_KD, chunk_create(body.ptr, i));
			continue;
		}
		payload = chunk_clone(chunk_create(body.ptr, i));
		assert_rejected(GIKEV2_PL_KD, payload);
		chunk_free(&payload);
	}
	chunk_free(&body);
}
END_TEST

/*
 * Offsets relative to the key bags of kd_body (the absolute offset in the
 * comment); KD_TEK_LEN - 12 is the data length of the ESP bag's SA_KEY
 * (the bag less its header, SPI and the attribute header).
 */
static patch_t kd_patches[] = {
	{ KD_KEK_OFF + 27, 0x01, 1, "SA_KEY with Key ID 1" },			/*  27 */
	{ KD_TEK_OFF + 19, 0x01, 1, "ESP SA_KEY with KWK ID 1" },		/* 131 */
	{ KD_MEMBER_OFF + 11, 0x00, 1, "WRAP_KEY with Key ID 0" },		/* 215 */
	{ KD_TEK_OFF, 0x01, 1, "key bag protocol IKE: unknown substructure type" },
	{ KD_TEK_OFF, 0x07, 1, "key bag protocol 7: unknown substructure type" },
	{ KD_TEK_OFF + 1, 0x10, 1, "ESP key bag with SPI size 16" },	/* 113 */
	{ KD_KEK_OFF + 1, 0x04, 1, "GIKE_UPDATE key bag with SPI size 4" },
	{ KD_TEK_OFF + 2, KD_TEK_LEN + 1, 2,
	  "TEK key bag length one too large" },							/* 114 */
	{ KD_MEMBER_OFF + 2, KD_MEMBER_LEN + 1, 2,
	  "member key bag length exceeds the payload" },				/* 206 */
	{ KD_MEMBER_OFF + 2, 0x0002, 2, "member key bag length below header" },
	{ KD_KEK_OFF + 2, 0x0013, 2, "KEK key bag length cuts the SPI" },
	{ KD_TEK_OFF + 10, KD_TEK_LEN - 12 + 1, 2,
	  "SA_KEY length exceeds the key bag" },						/* 122 */
	/* these two leave the rest of the Encrypted Key to be read as
	 * attributes, which fails first; attr_cases has them alone */
	{ KD_KEK_OFF + 22, 0x0008, 2, "SA_KEY without key bytes" },	/*  22 */
	{ KD_TEK_OFF + 8, 0x8001, 2, "SA_KEY as TV" },					/* 120 */
	{ KD_TEK_OFF + 8, 0x0002, 2,
	  "SA_KEY turned into unassigned type 2: no SA_KEY" },			/* 120 */
	{ KD_MEMBER_OFF + KD_MEMBER_LEN - 8, 0x0002, 2,
	  "duplicate AUTH_KEY" },										/* 308 */
};

START_TEST(test_kd_malformed)
{
	chunk_t body = hex(kd_body), copy;

	copy = chunk_clone(body);
	apply(copy, &kd_patches[_i]);
	if (getenv("GIKEV2_TESTS_DEBUG"))
	{	/* to check that each case fails for the reason it is about */
		fprintf(stderr, "case: %s\n", kd_patches[_i].what);
	}
	if (gikev2_payload_parse(GIKEV2_PL_KD, copy))
	{
		ck_abort_msg("accepted: %s", kd_patches[_i].what);
	}
	chunk_free(&copy);
	chunk_free(&body);
}
END_TEST

START_TEST(test_kd_structure)
{
	chunk_t body = hex(kd_body), tek, member, all;

	tek = chunk_create(body.ptr + KD_TEK_OFF, KD_TEK_LEN);
	member = chunk_create(body.ptr + KD_MEMBER_OFF, KD_MEMBER_LEN);

	assert_rejected(GIKEV2_PL_KD, chunk_empty);
	/* two member key bags */
	all = chunk_cat("cc", member, member);
	assert_rejected(GIKEV2_PL_KD, all);
	chunk_free(&all);
	/* two key bags for the same SA */
	all = chunk_cat("cc", tek, tek);
	assert_rejected(GIKEV2_PL_KD, all);
	chunk_free(&all);
	/* two SA_KEYs for an ESP SA */
	all = hex("03" "04" "0034" "11223344"
			  "0001" "0014" "00000000" "00000000" "000102030405060708090a0b"
			  "0001" "0014" "00000000" "00000000" "000102030405060708090a0b");
	assert_rejected(GIKEV2_PL_KD, all);
	chunk_free(&all);
	/* group key bag without SA_KEY */
	assert_rejected(GIKEV2_PL_KD,
					chunk_from_chars(0x03,0x04,0x00,0x08,0x11,0x22,0x33,0x44));
	/* empty member key bag */
	assert_rejected(GIKEV2_PL_KD, chunk_from_chars(0x00,0x00,0x00,0x04));
	/* substructure header cut */
	assert_rejected(GIKEV2_PL_KD, chunk_from_chars(0x00,0x00,0x00));
	chunk_free(&body);
}
END_TEST

/*******************************************************************************
 * Integration with charon's payload handling
 */

START_TEST(test_from_unknown)
{
	unknown_payload_t *unknown;
	payload_t *payload;
	chunk_t body = hex(gsa_body);

	/* what charon's parser leaves for a non-critical payload it doesn't know */
	unknown = unknown_payload_create_data(GIKEV2_PL_GSA, FALSE,
										  chunk_clone(body));
	payload = gikev2_payload_from_unknown(&unknown->payload_interface);
	ck_assert(payload);
	ck_assert_int_eq(payload->get_type(payload), GIKEV2_PL_GSA);
	ck_assert_chunk_eq(gikev2_payload_get_body(payload), body);
	payload->destroy(payload);
	unknown->destroy(unknown);

	/* other unknown types are not ours */
	unknown = unknown_payload_create_data(60, FALSE, chunk_clone(body));
	ck_assert(!gikev2_payload_from_unknown(&unknown->payload_interface));
	unknown->destroy(unknown);
	chunk_free(&body);
}
END_TEST

START_TEST(test_generator_all)
{
	identification_t *id;
	idg_payload_t *idg;
	chunk_t body, generated;
	payload_t *payload;
	const char *bodies[] = { idg_body, gsa_body, kd_body };
	payload_type_t types[] = { GIKEV2_PL_IDG, GIKEV2_PL_GSA, GIKEV2_PL_KD };
	int i;

	/* parsed payloads generate header + body exactly */
	for (i = 0; i < countof(types); i++)
	{
		body = hex(bodies[i]);
		payload = gikev2_payload_parse(types[i], body);
		ck_assert(payload);
		payload->set_next_type(payload, PLV2_AUTH);
		generated = generate(payload);
		ck_assert_int_eq(generated.len, body.len + 4);
		ck_assert_int_eq(generated.ptr[0], PLV2_AUTH);
		ck_assert_int_eq(generated.ptr[1], 0);
		ck_assert_int_eq(untoh16(generated.ptr + 2), body.len + 4);
		ck_assert_chunk_eq(chunk_skip(generated, 4), body);
		chunk_free(&generated);
		payload->destroy(payload);
		chunk_free(&body);
	}

	/* unsupported identity types can't become an IDg */
	id = identification_create_from_encoding(ID_ANY, chunk_empty);
	idg = idg_payload_create(id);
	ck_assert(!idg);
	id->destroy(id);

	ck_assert(!gikev2_payload_parse(PLV2_NOTIFY, chunk_from_chars(0)));
}
END_TEST

Suite *gikev2_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("G-IKEv2 payloads");

	tc = tcase_create("IDg");
	tcase_add_test(tc, test_idg_encode);
	tcase_add_test(tc, test_idg_parse);
	tcase_add_test(tc, test_idg_other_types);
	tcase_add_test(tc, test_idg_malformed);
	tcase_add_test(tc, test_idg_reserved_ignored);
	suite_add_tcase(s, tc);

	tc = tcase_create("GSA");
	tcase_add_test(tc, test_gsa_encode);
	tcase_add_test(tc, test_gsa_parse);
	tcase_add_test(tc, test_gsa_round_trip);
	tcase_add_test(tc, test_gsa_truncated);
	tcase_add_loop_test(tc, test_gsa_malformed, 0, countof(gsa_patches));
	tcase_add_test(tc, test_gsa_structure);
	tcase_add_loop_test(tc, test_attr_cases, 0, countof(attr_cases));
	tcase_add_test(tc, test_gsa_create_invalid);
	tcase_add_test(tc, test_gsa_reserved_ignored);
	suite_add_tcase(s, tc);

	tc = tcase_create("KD");
	tcase_add_test(tc, test_kd_encode);
	tcase_add_test(tc, test_kd_parse);
	tcase_add_test(tc, test_kd_unwrap);
	tcase_add_test(tc, test_kd_round_trip);
	tcase_add_test(tc, test_kd_lkh);
	tcase_add_test(tc, test_kd_truncated);
	tcase_add_loop_test(tc, test_kd_malformed, 0, countof(kd_patches));
	tcase_add_test(tc, test_kd_structure);
	suite_add_tcase(s, tc);

	tc = tcase_create("charon");
	tcase_add_test(tc, test_from_unknown);
	tcase_add_test(tc, test_generator_all);
	suite_add_tcase(s, tc);

	return s;
}
