/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * Unit tests of the GSA_REKEY message codec (mike_rekey_msg).
 *
 * The vector (vec_msg, vec_signed, vec_sig) was computed independently of
 * the code under test by tests/vectors/gsa_rekey_vector.py: the message
 * layout written in Python from RFC 9838 2.4.1.1, RFC 7427, RFC 7296 and
 * RFC 5282 (and docs/g-ikev2-rekey.md for the choices the RFCs leave
 * open), AES-GCM and Ed25519 from python3-cryptography (48.0.0), no
 * strongSwan or mike code.  Regenerate, or check the strings below, with
 *
 *   python3 tests/vectors/gsa_rekey_vector.py
 *   python3 tests/vectors/gsa_rekey_vector.py --check tests/mike_rekey_tests.c
 *
 * The GCKS key is the RFC 8032 section 7.1 TEST 1 key (the script checks
 * its public key and its RFC signature first).  Ed25519 signatures are
 * deterministic, so the whole message is: test_vector_build checks the
 * codec's output byte for byte, test_vector_parse parses the vector,
 * test_vector_signature verifies the vector's signature with the RFC's
 * public key and checks that the vector's AUTH carries it over A | P.
 */

#include "tests/mike_tests.h"

#include <check.h>

#include "tests/test_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <library.h>
#include <crypto/aead.h>
#include <credentials/keys/signature_params.h>

#include "common/mike_rekey_msg.h"
#include "payloads/gikev2.h"

/** the suite of the rekey SAs a mike GCKS makes */
#define SUITE (&mike_rekey_suite_default)

/** crypto plugins the tests need (Debian's plugin directory): AES-GCM,
 *  Ed25519, ECDSA, RSA and the RNG all come from openssl */

#define ck_assert_status(got, exp) do { \
	mike_rekey_status_t _g = (got), _e = (exp); \
	ck_assert_msg(_g == _e, "status %d (%s), expected %d (%s)", _g, \
				  mike_rekey_status_str(_g), _e, mike_rekey_status_str(_e)); \
} while (0)

/*******************************************************************************
 * The vector
 */

static const char *vec_spi = "000102030405060708090a0b0c0d0e0f";
static const char *vec_iv = "a0a1a2a3a4a5a6a7";
static const char *vec_gsk_e =
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
	"60616263";
#define VEC_MSG_ID 5

/** RFC 8032 7.1 TEST 1 */
static const char *ed25519_sk =
	"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

/** inner payloads of the vector */
static const char *vec_gsa = "00000008020c0004";
static const char *vec_kd = "0000000c0300000400000001";
static const char *vec_delete = "0304000111223344";
static const char *vec_notify = "0000400a78";

static const char *vec_msg =
	"000102030405060708090a0b0c0d0e0f2e20290800000005000000ba3300009e"
	"a0a1a2a3a4a5a6a7d4cf252c11e02b6f1eed6ec25d8a2ea6c132c8b04fedc450"
	"fee022a967897e4cc85ae860dbe1aa726d0734e45e1ce69be9214b8c6f7bcda1"
	"4f7907a0ec61d5b8166d24f386745b2d7c591eb451e29d56aac7d11ea9663b2a"
	"fcef49bf6013afbde557efbf241902be2241bec08da8422b9007bbaba4bbeecc"
	"1959c640115a6e6993bbf28b5e7f72acbee546a0748a21e2b601";

/** the data signed: A (with AdjustedLen 0xa1, AdjustedPldLen 0x85) | P,
 *  Authentication Data zeroed; from the same script */
static const char *vec_signed =
	"000102030405060708090a0b0c0d0e0f2e20290800000005000000a133000085"
	"3400000c00000008020c00042a0000100000000c03000004000000012900000c"
	"0304000111223344270000090000400a78000000500e00000007300506032b65"
	"7000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"00";

/** the Ed25519 signature of vec_signed, the vector's Authentication Data;
 *  from the same script */
static const char *vec_sig =
	"666ad1df7396b473de945ca07dafc67bddc769c35fab017301d19be9f51956aa"
	"9f24b0d5ab1d7a92d07cbacd3514f3a57fb394d1ce14c3e310ececc2329deb06";

/** RFC 8032 7.1 TEST 1 public key (of ed25519_sk) */
static const char *ed25519_pk =
	"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

static chunk_t spi, gsk_e, iv, msg;
static private_key_t *gcks;
static public_key_t *gcks_pub;
static signature_params_t ed_scheme = { .scheme = SIGN_ED25519 };
static mike_rekey_payload_t payloads[4];

static private_key_t *load_ed25519(const char *sk_hex)
{
	chunk_t sk = hex(sk_hex), der;
	private_key_t *key;

	/* RFC 8410 CurvePrivateKey: OCTET STRING of the 32-byte seed */
	der = chunk_cat("cs", chunk_from_chars(0x04, 0x20), sk);
	key = lib->creds->create(lib->creds, CRED_PRIVATE_KEY, KEY_ED25519,
							 BUILD_EDDSA_PRIV_ASN1_DER, der, BUILD_END);
	chunk_clear(&der);
	return key;
}

static public_key_t *load_ed25519_pub(const char *pk_hex)
{
	chunk_t pk = hex(pk_hex);
	public_key_t *key;

	key = lib->creds->create(lib->creds, CRED_PUBLIC_KEY, KEY_ED25519,
							 BUILD_EDDSA_PUB, pk, BUILD_END);
	chunk_free(&pk);
	return key;
}

static void setup(void)
{
	spi = hex(vec_spi);
	gsk_e = hex(vec_gsk_e);
	iv = hex(vec_iv);
	msg = hex(vec_msg);
	gcks = load_ed25519(ed25519_sk);
	ck_assert(gcks);
	/* the public key from the RFC, not derived from the private key */
	gcks_pub = load_ed25519_pub(ed25519_pk);
	ck_assert(gcks_pub);
	payloads[0] = (mike_rekey_payload_t){ GIKEV2_PL_GSA, hex(vec_gsa) };
	payloads[1] = (mike_rekey_payload_t){ GIKEV2_PL_KD, hex(vec_kd) };
	payloads[2] = (mike_rekey_payload_t){ PLV2_DELETE, hex(vec_delete) };
	payloads[3] = (mike_rekey_payload_t){ PLV2_NOTIFY, hex(vec_notify) };
}

static void teardown(void)
{
	int i;

	for (i = 0; i < countof(payloads); i++)
	{
		chunk_free(&payloads[i].body);
	}
	gcks_pub->destroy(gcks_pub);
	gcks->destroy(gcks);
	chunk_free(&spi);
	chunk_free(&gsk_e);
	chunk_free(&iv);
	chunk_free(&msg);
}

/**
 * Parse with the vector's parameters, expecting status; returns the message
 * on MIKE_REKEY_OK, else NULL
 */
static mike_rekey_msg_t *parse(chunk_t data, uint64_t min, int status)
{
	mike_rekey_msg_t *m = (void*)1;

	ck_assert_status(mike_rekey_msg_parse(data, spi, SUITE, gsk_e, gcks_pub, NULL,
										  min, &m), status);
	if (status != MIKE_REKEY_OK)
	{
		ck_assert(m == NULL);
	}
	return m;
}

/**
 * Parse, expect MIKE_REKEY_OK, destroy
 */
static void accept_ok(chunk_t data, uint64_t min)
{
	mike_rekey_msg_t *m = parse(data, min, MIKE_REKEY_OK);

	m->destroy(m);
}

/**
 * Check the payloads of a parsed message against payloads[]
 */
static void check_payloads(mike_rekey_msg_t *m, int count)
{
	mike_rekey_payload_t *got;
	int i;

	ck_assert_int_eq(m->get_payloads(m, &got), count);
	for (i = 0; i < count; i++)
	{
		ck_assert_int_eq(got[i].type, payloads[i].type);
		ck_assert_chunk_eq(got[i].body, payloads[i].body);
	}
}

START_TEST(test_vector_build)
{
	chunk_t built;

	ck_assert(mike_rekey_msg_build_iv(spi, VEC_MSG_ID, payloads, 4, SUITE, gsk_e,
									  gcks, &ed_scheme, iv, &built));
	ck_assert_chunk_eq(built, msg);
	chunk_free(&built);
}
END_TEST

START_TEST(test_vector_parse)
{
	mike_rekey_msg_t *m;

	m = parse(msg, 0, MIKE_REKEY_OK);
	ck_assert_int_eq(m->get_message_id(m), VEC_MSG_ID);
	check_payloads(m, 4);
	ck_assert_int_eq(m->get_scheme(m)->scheme, SIGN_ED25519);
	m->destroy(m);
	/* the lowest acceptable Message ID itself is accepted */
	m = parse(msg, VEC_MSG_ID, MIKE_REKEY_OK);
	m->destroy(m);
}
END_TEST

static chunk_t vector_p(void);

START_TEST(test_vector_key)
{
	public_key_t *derived;

	/* the private key of the vector is the one of the RFC's public key */
	derived = gcks->get_public_key(gcks);
	ck_assert(derived);
	ck_assert(derived->equals(derived, gcks_pub));
	derived->destroy(derived);
}
END_TEST

START_TEST(test_vector_signature)
{
	chunk_t tbs = hex(vec_signed), sig = hex(vec_sig), own, p, a;
	size_t i;

	ck_assert_int_eq(strlen(vec_signed) % 2, 0);
	ck_assert_int_eq(tbs.len, 32 + 0x85 - 4);
	ck_assert_int_eq(sig.len, 64);

	/* the script's signature verifies with the RFC's public key ... */
	ck_assert(gcks_pub->verify(gcks_pub, SIGN_ED25519, NULL, tbs, sig));
	/* ... over exactly these bytes */
	tbs.ptr[tbs.len - 65] ^= 0x01;
	ck_assert(!gcks_pub->verify(gcks_pub, SIGN_ED25519, NULL, tbs, sig));
	tbs.ptr[tbs.len - 65] ^= 0x01;
	/* Ed25519 is deterministic: strongSwan's signer gives the same bytes */
	ck_assert(gcks->sign(gcks, SIGN_ED25519, NULL, tbs, &own));
	ck_assert_chunk_eq(own, sig);
	chunk_free(&own);

	/* the vector carries them: A of the datagram with AdjustedLen and
	 * AdjustedPldLen is the start of the signed data ... */
	a = chunk_clone(chunk_create(msg.ptr, 32));
	htoun32(a.ptr + 24, tbs.len);
	htoun16(a.ptr + 30, tbs.len - 28);
	ck_assert_chunk_eq(a, chunk_create(tbs.ptr, 32));
	chunk_free(&a);
	/* ... and the decrypted P is the rest, the signature in place of the
	 * zeroed Authentication Data, which ends P */
	p = vector_p();
	ck_assert_int_eq(p.len, tbs.len - 32);
	ck_assert_chunk_eq(chunk_create(p.ptr, p.len - sig.len),
					   chunk_create(tbs.ptr + 32, tbs.len - 32 - sig.len));
	ck_assert_chunk_eq(chunk_create(p.ptr + p.len - sig.len, sig.len), sig);
	for (i = tbs.len - sig.len; i < tbs.len; i++)
	{
		ck_assert_int_eq(tbs.ptr[i], 0);
	}
	chunk_free(&p);
	chunk_free(&tbs);
	chunk_free(&sig);
}
END_TEST

START_TEST(test_random_iv)
{
	mike_rekey_msg_t *m;
	chunk_t a, b;

	ck_assert(mike_rekey_msg_build(spi, 7, payloads, 4, SUITE, gsk_e, gcks,
								   &ed_scheme, &a));
	ck_assert(mike_rekey_msg_build(spi, 7, payloads, 4, SUITE, gsk_e, gcks,
								   &ed_scheme, &b));
	ck_assert_int_eq(a.len, msg.len);
	ck_assert(!chunk_equals(a, b));
	m = parse(a, 7, MIKE_REKEY_OK);
	check_payloads(m, 4);
	m->destroy(m);
	m = parse(b, 7, MIKE_REKEY_OK);
	m->destroy(m);
	chunk_free(&a);
	chunk_free(&b);
}
END_TEST

/**
 * Rekey SAs of other suites (RFC 9838 4.4.2): a message built under each
 * parses under it and under no other
 */
static mike_rekey_suite_t other_suites[] = {
	{ ENCR_AES_CCM_ICV8, 128, GIKEV2_KWA_5649_128 },
	{ ENCR_AES_CCM_ICV16, 256, GIKEV2_KWA_5649_256 },
	{ ENCR_AES_GCM_ICV8, 128, GIKEV2_KWA_5649_128 },
	{ ENCR_AES_GCM_ICV12, 192, GIKEV2_KWA_5649_192 },
};

START_TEST(test_other_suites)
{
	mike_rekey_suite_t *suite = &other_suites[_i];
	mike_rekey_msg_t *m = NULL;
	chunk_t keymat, a;
	size_t icv = mike_rekey_suite_icv_size(suite);

	keymat = chunk_alloca(mike_rekey_suite_keymat_size(suite));
	memset(keymat.ptr, 0x17, keymat.len);
	ck_assert_int_eq(mike_rekey_suite_gsk_e(suite, keymat).len +
					 mike_rekey_suite_gsk_w(suite, keymat).len, keymat.len);
	ck_assert(mike_rekey_msg_build(spi, 3, payloads, 4, suite,
								   mike_rekey_suite_gsk_e(suite, keymat),
								   gcks, &ed_scheme, &a));
	/* the ICV of the suite, the same IV */
	ck_assert_int_eq(a.len, msg.len - MIKE_REKEY_MAX_ICV_SIZE + icv);
	ck_assert_status(mike_rekey_msg_parse(a, spi, suite,
							mike_rekey_suite_gsk_e(suite, keymat), gcks_pub,
							NULL, 0, &m), MIKE_REKEY_OK);
	check_payloads(m, 4);
	m->destroy(m);
	m = NULL;
	/* under another suite: never what was sent */
	ck_assert(mike_rekey_msg_parse(a, spi, SUITE, gsk_e, gcks_pub, NULL, 0,
								   &m) != MIKE_REKEY_OK);
	ck_assert(!m);
	chunk_free(&a);
}
END_TEST

START_TEST(test_single_payload)
{
	mike_rekey_msg_t *m;
	chunk_t a;

	ck_assert(mike_rekey_msg_build(spi, 0, payloads, 1, SUITE, gsk_e, gcks,
								   &ed_scheme, &a));
	m = parse(a, 0, MIKE_REKEY_OK);
	check_payloads(m, 1);
	m->destroy(m);
	chunk_free(&a);
}
END_TEST

/*******************************************************************************
 * Round trips with other key types
 */

static rsa_pss_params_t pss = {
	.hash = HASH_SHA256,
	.mgf1_hash = HASH_SHA256,
	.salt_len = HASH_SIZE_SHA256,
};

static struct {
	key_type_t type;
	int bits;
	signature_params_t scheme;
} keys[] = {
	{ KEY_ED25519, 0, { SIGN_ED25519, NULL } },
	{ KEY_ECDSA, 256, { SIGN_ECDSA_WITH_SHA256_DER, NULL } },
	{ KEY_ECDSA, 384, { SIGN_ECDSA_WITH_SHA384_DER, NULL } },
	{ KEY_ECDSA, 521, { SIGN_ECDSA_WITH_SHA512_DER, NULL } },
	{ KEY_RSA, 2048, { SIGN_RSA_EMSA_PKCS1_SHA2_256, NULL } },
	{ KEY_RSA, 2048, { SIGN_RSA_EMSA_PSS, &pss } },
};

START_TEST(test_roundtrip)
{
	private_key_t *key, *other;
	public_key_t *pub, *other_pub;
	mike_rekey_msg_t *m;
	chunk_t data;
	uint32_t id;

	key = lib->creds->create(lib->creds, CRED_PRIVATE_KEY, keys[_i].type,
							 BUILD_KEY_SIZE, keys[_i].bits, BUILD_END);
	other = lib->creds->create(lib->creds, CRED_PRIVATE_KEY, keys[_i].type,
							   BUILD_KEY_SIZE, keys[_i].bits, BUILD_END);
	ck_assert(key && other);
	pub = key->get_public_key(key);
	other_pub = other->get_public_key(other);

	/* DER ECDSA signatures vary in length: several messages exercise the
	 * re-signing until the zeroed Authentication Data had the right size */
	for (id = 0; id < 16; id++)
	{
		ck_assert(mike_rekey_msg_build(spi, id, payloads, 4, SUITE, gsk_e, key,
									   &keys[_i].scheme, &data));
		m = NULL;
		ck_assert_status(mike_rekey_msg_parse(data, spi, SUITE, gsk_e, pub, NULL,
											  id, &m), MIKE_REKEY_OK);
		ck_assert_int_eq(m->get_message_id(m), id);
		check_payloads(m, 4);
		ck_assert(signature_params_equal(m->get_scheme(m), &keys[_i].scheme));
		m->destroy(m);
		/* the expected scheme */
		ck_assert_status(mike_rekey_msg_parse(data, spi, SUITE, gsk_e, pub,
								&keys[_i].scheme, id, &m), MIKE_REKEY_OK);
		m->destroy(m);
		/* another GCKS key of the same type */
		ck_assert_status(mike_rekey_msg_parse(data, spi, SUITE, gsk_e, other_pub,
								NULL, id, &m), MIKE_REKEY_ERR_SIGNATURE);
		/* a key of another type than the AlgorithmIdentifier says */
		ck_assert_status(mike_rekey_msg_parse(data, spi, SUITE, gsk_e,
								keys[_i].type == KEY_ED25519 ? pub : gcks_pub,
								NULL, id, &m),
					keys[_i].type == KEY_ED25519 ? MIKE_REKEY_OK
												 : MIKE_REKEY_ERR_SIG_ALG);
		if (m)
		{
			m->destroy(m);
			m = NULL;
		}
		chunk_free(&data);
	}
	pub->destroy(pub);
	other_pub->destroy(other_pub);
	key->destroy(key);
	other->destroy(other);
}
END_TEST

/*******************************************************************************
 * Rejections of the received datagram
 */

START_TEST(test_truncated)
{
	chunk_t longer;
	size_t len;

	for (len = 0; len < msg.len; len++)
	{
		parse(chunk_create(msg.ptr, len), 0, MIKE_REKEY_ERR_TRUNCATED);
	}
	/* a trailing byte */
	longer = chunk_cat("cc", msg, chunk_from_chars(0x00));
	parse(longer, 0, MIKE_REKEY_ERR_TRUNCATED);
	chunk_free(&longer);
}
END_TEST

/**
 * What a flipped bit in the datagram is rejected for
 */
static mike_rekey_status_t flip_status(size_t byte, int bit)
{
	if (byte < 16)
	{
		return MIKE_REKEY_ERR_SPI;
	}
	switch (byte)
	{
		case 16:	/* Next Payload */
		case 18:	/* Exchange Type */
			return MIKE_REKEY_ERR_HEADER;
		case 17:	/* the minor version is ignored, but authenticated */
			return bit >= 4 ? MIKE_REKEY_ERR_HEADER : MIKE_REKEY_ERR_ICV;
		case 19:	/* the flags are not checked (RFC 9838 4.1), but
					 * authenticated */
			return MIKE_REKEY_ERR_ICV;
		case 24 ... 27:	/* Length */
		case 30 ... 31: /* SK Payload Length */
			return MIKE_REKEY_ERR_TRUNCATED;
		default:
			return MIKE_REKEY_ERR_ICV;
	}
}

START_TEST(test_flipped_bits)
{
	size_t byte;
	int bit;

	for (byte = 0; byte < msg.len; byte++)
	{
		for (bit = 0; bit < 8; bit++)
		{
			msg.ptr[byte] ^= 1 << bit;
			parse(msg, 0, flip_status(byte, bit));
			msg.ptr[byte] ^= 1 << bit;
		}
	}
	/* untouched, it still parses */
	accept_ok(msg, 0);
}
END_TEST

START_TEST(test_wrong_kek)
{
	mike_rekey_msg_t *m = NULL;
	size_t i;

	/* a bit of the AES key (bytes 0-31), of the salt (32-35) */
	for (i = 0; i < gsk_e.len; i++)
	{
		gsk_e.ptr[i] ^= 0x80;
		parse(msg, 0, MIKE_REKEY_ERR_ICV);
		gsk_e.ptr[i] ^= 0x80;
	}
	/* GSK_e of the wrong size is a local error */
	ck_assert_status(mike_rekey_msg_parse(msg, spi, SUITE, chunk_create(gsk_e.ptr, 32),
							gcks_pub, NULL, 0, &m), MIKE_REKEY_ERR_INTERNAL);
	ck_assert(!m);
}
END_TEST

START_TEST(test_wrong_spi)
{
	mike_rekey_msg_t *m = NULL;

	spi.ptr[15] ^= 0x01;
	parse(msg, 0, MIKE_REKEY_ERR_SPI);
	spi.ptr[15] ^= 0x01;
	ck_assert_status(mike_rekey_msg_parse(msg, chunk_create(spi.ptr, 8), SUITE, gsk_e,
							gcks_pub, NULL, 0, &m), MIKE_REKEY_ERR_INTERNAL);
}
END_TEST

START_TEST(test_other_signer)
{
	private_key_t *other;
	chunk_t data;

	/* RFC 8032 7.1 TEST 2 key */
	other = load_ed25519("4ccd089b28ff96da9db6c346ec114e0f"
						 "5b8a319f35aba624da8cf6ed4fb8a6fb");
	ck_assert(other);
	ck_assert(mike_rekey_msg_build_iv(spi, VEC_MSG_ID, payloads, 4, SUITE, gsk_e,
									  other, &ed_scheme, iv, &data));
	parse(data, 0, MIKE_REKEY_ERR_SIGNATURE);
	chunk_free(&data);
	other->destroy(other);
}
END_TEST

START_TEST(test_replay)
{
	mike_rekey_msg_t *m;
	chunk_t data;

	parse(msg, VEC_MSG_ID + 1, MIKE_REKEY_ERR_REPLAY);
	parse(msg, 0xffffffffULL, MIKE_REKEY_ERR_REPLAY);
	parse(msg, 0x100000000ULL, MIKE_REKEY_ERR_REPLAY);
	/* the highest Message ID, then nothing */
	ck_assert(mike_rekey_msg_build(spi, 0xffffffff, payloads, 4, SUITE, gsk_e, gcks,
								   &ed_scheme, &data));
	m = parse(data, 0xffffffffULL, MIKE_REKEY_OK);
	ck_assert_int_eq(m->get_message_id(m), 0xffffffff);
	m->destroy(m);
	parse(data, 0x100000000ULL, MIKE_REKEY_ERR_REPLAY);
	chunk_free(&data);
}
END_TEST

START_TEST(test_expected_scheme)
{
	signature_params_t rsa = { .scheme = SIGN_RSA_EMSA_PKCS1_SHA2_256 };
	mike_rekey_msg_t *m = NULL;

	ck_assert_status(mike_rekey_msg_parse(msg, spi, SUITE, gsk_e, gcks_pub, &rsa,
										  0, &m), MIKE_REKEY_ERR_SIG_ALG);
	ck_assert_status(mike_rekey_msg_parse(msg, spi, SUITE, gsk_e, gcks_pub,
										  &ed_scheme, 0, &m), MIKE_REKEY_OK);
	m->destroy(m);
}
END_TEST

/*******************************************************************************
 * Rejections of the decrypted content: the datagram is re-sealed with the
 * KEK (as a member, who knows the KEK, could), so the checks after the ICV
 * are reached.
 */

/**
 * Decrypt the vector: P (without Pad Length), allocated
 */
static chunk_t vector_p(void)
{
	chunk_t plain;
	aead_t *aead;

	aead = lib->crypto->create_aead(lib->crypto, ENCR_AES_GCM_ICV16, 32, 4);
	ck_assert(aead && aead->set_key(aead, gsk_e));
	ck_assert(aead->decrypt(aead, chunk_skip(msg, 40), chunk_create(msg.ptr, 32),
							chunk_create(msg.ptr + 32, 8), &plain));
	aead->destroy(aead);
	ck_assert(plain.ptr[plain.len - 1] == 0);
	plain.len--;
	return plain;
}

/**
 * Seal A (32 bytes, its lengths are set) and a plaintext (P | padding |
 * Pad Length) with the KEK, allocated datagram
 */
static chunk_t seal_raw(chunk_t a, chunk_t plain)
{
	chunk_t out;
	aead_t *aead;

	out = chunk_alloc(32 + 8 + plain.len + 16);
	memcpy(out.ptr, a.ptr, 32);
	htoun32(out.ptr + 24, out.len);
	htoun16(out.ptr + 30, out.len - 28);
	memcpy(out.ptr + 32, iv.ptr, 8);
	memcpy(out.ptr + 40, plain.ptr, plain.len);
	aead = lib->crypto->create_aead(lib->crypto, ENCR_AES_GCM_ICV16, 32, 4);
	ck_assert(aead && aead->set_key(aead, gsk_e));
	ck_assert(aead->encrypt(aead, chunk_create(out.ptr + 40, plain.len),
							chunk_create(out.ptr, 32), iv, NULL));
	aead->destroy(aead);
	return out;
}

/**
 * Seal A and P with Pad Length pad (pad bytes of padding 0xaa), allocated
 * datagram
 */
static chunk_t seal(chunk_t a, chunk_t p, int pad)
{
	chunk_t plain, out;

	plain = chunk_alloc(p.len + pad + 1);
	memcpy(plain.ptr, p.ptr, p.len);
	memset(plain.ptr + p.len, 0xaa, pad);
	plain.ptr[p.len + pad] = pad;
	out = seal_raw(a, plain);
	chunk_free(&plain);
	return out;
}

START_TEST(test_reseal)
{
	chunk_t p = vector_p(), data;

	/* our own sealing reproduces the vector */
	data = seal(msg, p, 0);
	ck_assert_chunk_eq(data, msg);
	chunk_free(&data);
	/* padding is not signed: any Pad Length within the plaintext */
	data = seal(msg, p, 1);
	accept_ok(data, 0);
	chunk_free(&data);
	data = seal(msg, p, 255);
	accept_ok(data, 0);
	chunk_free(&data);
	chunk_free(&p);
}
END_TEST

START_TEST(test_pad_length)
{
	chunk_t p = vector_p(), plain, data;

	/* a Pad Length of 1 with nothing else */
	plain = chunk_from_chars(0x01);
	data = seal_raw(msg, plain);
	parse(data, 0, MIKE_REKEY_ERR_MALFORMED);
	chunk_free(&data);
	/* P | Pad Length len(P) + 1, one more than there is */
	plain = chunk_cat("cc", chunk_create(p.ptr, 100), chunk_from_chars(101));
	data = seal_raw(msg, plain);
	parse(data, 0, MIKE_REKEY_ERR_MALFORMED);
	chunk_free(&data);
	/* Pad Length len(P): no inner payloads left */
	plain.ptr[100] = 100;
	data = seal_raw(msg, plain);
	parse(data, 0, MIKE_REKEY_ERR_MALFORMED);
	chunk_free(&data);
	chunk_free(&plain);
	/* no plaintext at all: shorter than any message */
	data = seal_raw(msg, chunk_empty);
	parse(data, 0, MIKE_REKEY_ERR_TRUNCATED);
	chunk_free(&data);
	chunk_free(&p);
}
END_TEST

/** offsets in the vector's P */
#define P_GSA	0
#define P_KD	12
#define P_DEL	28
#define P_N		40
#define P_AUTH	49

/**
 * Re-seal the vector with P modified by a callback, expect status
 */
static void modified(void (*mod)(chunk_t *p), int status)
{
	chunk_t p = vector_p(), data;

	mod(&p);
	data = seal(msg, p, 0);
	parse(data, 0, status);
	chunk_free(&data);
	chunk_free(&p);
}

static void mod_unknown_first(chunk_t *p)
{
	/* the SK header's Next Payload is in A: handled by mod_sk_np() */
	p->ptr[P_GSA] = 53;		/* KD -> unknown type 53 */
}

static void mod_idg_type(chunk_t *p)
{
	p->ptr[P_KD] = GIKEV2_PL_IDG;	/* Delete announced as IDg */
}

static void mod_no_auth(chunk_t *p)
{
	p->ptr[P_N] = PL_NONE;		/* Notify says nothing follows */
	p->len = P_AUTH;
}

static void mod_auth_not_last(chunk_t *p)
{
	chunk_t notify = chunk_create(p->ptr + P_N, P_AUTH - P_N);
	chunk_t auth = chunk_create(p->ptr + P_AUTH, p->len - P_AUTH);
	chunk_t swapped;

	/* ..., Delete -> AUTH -> N */
	swapped = chunk_cat("cc", auth, notify);
	p->ptr[P_DEL] = PLV2_AUTH;
	memcpy(p->ptr + P_N, swapped.ptr, swapped.len);
	p->ptr[P_N] = PLV2_NOTIFY;				/* AUTH's Next Payload */
	p->ptr[P_N + auth.len] = PL_NONE;		/* Notify's */
	chunk_free(&swapped);
}

static void mod_two_auth(chunk_t *p)
{
	chunk_t auth = chunk_clone(chunk_create(p->ptr + P_AUTH, p->len - P_AUTH));

	/* ..., N -> AUTH -> AUTH */
	*p = chunk_cat("mm", *p, auth);
	p->ptr[P_AUTH] = PLV2_AUTH;
}

static void mod_length_short(chunk_t *p)
{
	p->ptr[P_GSA + 3] = 3;	/* below the generic header */
}

static void mod_length_long(chunk_t *p)
{
	htoun16(p->ptr + P_AUTH + 2, p->len - P_AUTH + 1);
}

static void mod_length_over(chunk_t *p)
{
	htoun16(p->ptr + P_GSA + 2, 0xffff);
}

static void mod_trailing(chunk_t *p)
{
	*p = chunk_cat("mc", *p, chunk_from_chars(0x00));
}

static void mod_delete_count(chunk_t *p)
{
	p->ptr[P_DEL + 4 + 3] = 2;	/* 2 SPIs of 4 bytes in 4 bytes */
}

static void mod_notify_spi(chunk_t *p)
{
	p->ptr[P_N + 4 + 1] = 2;	/* SPI of 2 bytes, 1 byte of data */
}

static void mod_two_gsa(chunk_t *p)
{
	p->ptr[P_GSA] = GIKEV2_PL_GSA;	/* the KD announced as GSA */
}

static void mod_auth_method(chunk_t *p)
{
	p->ptr[P_AUTH + 4] = 1;		/* RSA Digital Signature */
}

static void mod_auth_short(chunk_t *p)
{
	/* AUTH with method and reserved, no RFC 7427 data */
	htoun16(p->ptr + P_AUTH + 2, 8);
	p->len = P_AUTH + 8;
}

static void mod_no_signature(chunk_t *p)
{
	/* ASN.1 length covering everything */
	p->ptr[P_AUTH + 8] = p->len - P_AUTH - 9;
}

static void mod_algid_len(chunk_t *p)
{
	p->ptr[P_AUTH + 8] = 6;		/* one byte short of the SEQUENCE */
}

static void mod_algid_oid(chunk_t *p)
{
	p->ptr[P_AUTH + 9 + 6] = 0x71;	/* 1.3.101.113, Ed448 */
}

static void mod_algid_unknown(chunk_t *p)
{
	p->ptr[P_AUTH + 9 + 4] = 0x2a;	/* an unknown OID */
}

static void mod_auth_reserved(chunk_t *p)
{
	p->ptr[P_AUTH + 5] = 1;		/* reserved: ignored but signed */
}

static void mod_body(chunk_t *p)
{
	p->ptr[P_KD + 4] ^= 0x01;	/* content of a payload */
}

static void mod_signature(chunk_t *p)
{
	p->ptr[p->len - 1] ^= 0x01;
}

static void mod_critical(chunk_t *p)
{
	p->ptr[P_GSA + 1] = 0x80;	/* critical bit: signed */
}

static struct {
	void (*mod)(chunk_t *p);
	mike_rekey_status_t status;
} mods[] = {
	{ mod_unknown_first, MIKE_REKEY_ERR_PAYLOAD_TYPE },
	{ mod_idg_type, MIKE_REKEY_ERR_PAYLOAD_TYPE },
	{ mod_no_auth, MIKE_REKEY_ERR_NO_AUTH },
	/* AUTH in the middle is fine: the change to the signed bytes is not */
	{ mod_auth_not_last, MIKE_REKEY_ERR_SIGNATURE },
	{ mod_two_auth, MIKE_REKEY_ERR_AUTH_NOT_LAST },
	{ mod_length_short, MIKE_REKEY_ERR_MALFORMED },
	{ mod_length_long, MIKE_REKEY_ERR_MALFORMED },
	{ mod_length_over, MIKE_REKEY_ERR_MALFORMED },
	{ mod_trailing, MIKE_REKEY_ERR_MALFORMED },
	{ mod_delete_count, MIKE_REKEY_ERR_MALFORMED },
	{ mod_notify_spi, MIKE_REKEY_ERR_MALFORMED },
	{ mod_two_gsa, MIKE_REKEY_ERR_MALFORMED },
	{ mod_auth_method, MIKE_REKEY_ERR_AUTH_METHOD },
	{ mod_auth_short, MIKE_REKEY_ERR_MALFORMED },
	{ mod_no_signature, MIKE_REKEY_ERR_MALFORMED },
	{ mod_algid_len, MIKE_REKEY_ERR_SIG_ALG },
	{ mod_algid_oid, MIKE_REKEY_ERR_SIG_ALG },
	{ mod_algid_unknown, MIKE_REKEY_ERR_SIG_ALG },
	{ mod_auth_reserved, MIKE_REKEY_ERR_SIGNATURE },
	{ mod_body, MIKE_REKEY_ERR_SIGNATURE },
	{ mod_signature, MIKE_REKEY_ERR_SIGNATURE },
	{ mod_critical, MIKE_REKEY_ERR_SIGNATURE },
};

/* RFC 9838 does not make AUTH the last payload: a GCKS that signs with
 * AUTH in the middle (..., Delete, AUTH, N) is accepted */
START_TEST(test_auth_not_last_signed)
{
	chunk_t p = vector_p(), a = chunk_clone(chunk_create(msg.ptr, 32));
	chunk_t tbs, sig, data;
	size_t auth_len = p.len - P_AUTH, at;
	mike_rekey_msg_t *m;

	mod_auth_not_last(&p);
	/* the signature sits at the end of AUTH, now at P_N */
	at = P_N + auth_len - 64;
	memset(p.ptr + at, 0, 64);
	tbs = chunk_cat("cc", a, p);
	htoun32(tbs.ptr + 24, tbs.len);
	htoun16(tbs.ptr + 30, 4 + p.len);
	ck_assert(gcks->sign(gcks, SIGN_ED25519, NULL, tbs, &sig));
	ck_assert_int_eq(sig.len, 64);
	memcpy(p.ptr + at, sig.ptr, 64);
	data = seal(a, p, 0);
	m = parse(data, 0, MIKE_REKEY_OK);
	ck_assert(m);
	m->destroy(m);
	chunk_free(&sig);
	chunk_free(&tbs);
	chunk_free(&data);
	chunk_free(&a);
	chunk_free(&p);
}
END_TEST

START_TEST(test_modified)
{
	modified(mods[_i].mod, mods[_i].status);
}
END_TEST

START_TEST(test_header_under_kek)
{
	chunk_t p = vector_p(), a = chunk_clone(chunk_create(msg.ptr, 32)), data;

	/* a KEK holder changes the Message ID: the signature covers it */
	a.ptr[23] ^= 0x10;
	data = seal(a, p, 0);
	parse(data, 0, MIKE_REKEY_ERR_SIGNATURE);
	chunk_free(&data);
	a.ptr[23] ^= 0x10;
	/* the SK header's Next Payload: an unknown first payload */
	a.ptr[28] = 1;
	data = seal(a, p, 0);
	parse(data, 0, MIKE_REKEY_ERR_PAYLOAD_TYPE);
	chunk_free(&data);
	/* first payload: none, with bytes after it */
	a.ptr[28] = PL_NONE;
	data = seal(a, p, 0);
	parse(data, 0, MIKE_REKEY_ERR_MALFORMED);
	chunk_free(&data);
	/* first payload: KD, which has the body of a GSA: signature */
	a.ptr[28] = GIKEV2_PL_KD;
	data = seal(a, p, 0);
	parse(data, 0, MIKE_REKEY_ERR_MALFORMED);	/* two KD */
	chunk_free(&data);
	/* the SK header's reserved bits: signed */
	a.ptr[28] = GIKEV2_PL_GSA;
	a.ptr[29] = 0x01;
	data = seal(a, p, 0);
	parse(data, 0, MIKE_REKEY_ERR_SIGNATURE);
	chunk_free(&data);
	/* nothing but AUTH */
	a.ptr[28] = PLV2_AUTH;
	data = seal(a, chunk_skip(p, P_AUTH), 0);
	parse(data, 0, MIKE_REKEY_ERR_MALFORMED);
	chunk_free(&data);
	a.ptr[28] = GIKEV2_PL_GSA;
	/* a minor version: ignored, signed */
	a.ptr[29] = 0;
	a.ptr[17] = 0x21;
	data = seal(a, p, 0);
	parse(data, 0, MIKE_REKEY_ERR_SIGNATURE);
	chunk_free(&data);
	chunk_free(&a);
	chunk_free(&p);
}
END_TEST

START_TEST(test_every_p_byte_signed)
{
	chunk_t p = vector_p(), data;
	size_t byte;

	/* whatever a KEK holder changes in P, the message is rejected */
	for (byte = 0; byte < p.len; byte++)
	{
		mike_rekey_msg_t *m = NULL;

		p.ptr[byte] ^= 0x04;
		data = seal(msg, p, 0);
		ck_assert_msg(mike_rekey_msg_parse(data, spi, SUITE, gsk_e, gcks_pub, NULL,
										   0, &m) != MIKE_REKEY_OK,
					  "changed byte %zu of P accepted", byte);
		ck_assert(!m);
		chunk_free(&data);
		p.ptr[byte] ^= 0x04;
	}
	chunk_free(&p);
}
END_TEST

/*******************************************************************************
 * Arguments of build
 */

START_TEST(test_build_rejects)
{
	mike_rekey_payload_t bad[2];
	chunk_t data = chunk_from_chars(0x01), big;

	/* an AUTH, an IDg, an unknown type */
	bad[0] = payloads[0];
	bad[1] = (mike_rekey_payload_t){ PLV2_AUTH, payloads[1].body };
	ck_assert(!mike_rekey_msg_build(spi, 0, bad, 2, SUITE, gsk_e, gcks, &ed_scheme,
									&data));
	ck_assert(!data.ptr && !data.len);
	bad[1].type = GIKEV2_PL_IDG;
	ck_assert(!mike_rekey_msg_build(spi, 0, bad, 2, SUITE, gsk_e, gcks, &ed_scheme,
									&data));
	bad[1].type = 200;
	ck_assert(!mike_rekey_msg_build(spi, 0, bad, 2, SUITE, gsk_e, gcks, &ed_scheme,
									&data));
	/* two GSA */
	bad[1] = payloads[0];
	ck_assert(!mike_rekey_msg_build(spi, 0, bad, 2, SUITE, gsk_e, gcks, &ed_scheme,
									&data));
	/* a malformed Delete */
	bad[1] = (mike_rekey_payload_t){ PLV2_DELETE, payloads[3].body };
	ck_assert(!mike_rekey_msg_build(spi, 0, bad, 2, SUITE, gsk_e, gcks, &ed_scheme,
									&data));
	/* nothing */
	ck_assert(!mike_rekey_msg_build(spi, 0, payloads, 0, SUITE, gsk_e, gcks,
									&ed_scheme, &data));
	/* SPI, GSK_e, IV sizes */
	ck_assert(!mike_rekey_msg_build(chunk_create(spi.ptr, 8), 0, payloads, 4, SUITE,
									gsk_e, gcks, &ed_scheme, &data));
	ck_assert(!mike_rekey_msg_build(spi, 0, payloads, 4, SUITE,
									chunk_create(gsk_e.ptr, 32), gcks,
									&ed_scheme, &data));
	ck_assert(!mike_rekey_msg_build_iv(spi, 0, payloads, 4, SUITE, gsk_e, gcks,
									&ed_scheme, chunk_create(iv.ptr, 4), &data));
	/* a scheme the key cannot sign with */
	bad[0] = payloads[0];
	{
		signature_params_t rsa = { .scheme = SIGN_RSA_EMSA_PKCS1_SHA2_256 };

		ck_assert(!mike_rekey_msg_build(spi, 0, payloads, 4, SUITE, gsk_e, gcks,
										&rsa, &data));
	}
	/* more than the SK payload's 16-bit length */
	big = chunk_alloc(0xffff - 100);
	memset(big.ptr, 0, big.len);
	bad[0] = (mike_rekey_payload_t){ GIKEV2_PL_GSA, big };
	ck_assert(!mike_rekey_msg_build(spi, 0, bad, 1, SUITE, gsk_e, gcks, &ed_scheme,
									&data));
	/* the largest that fits */
	bad[0].body.len = 0xffff - 4 - 8 - 1 - 16 - 4 - 4 - 1 - 7 - 64 - 4;
	ck_assert(mike_rekey_msg_build(spi, 0, bad, 1, SUITE, gsk_e, gcks, &ed_scheme,
								   &data));
	ck_assert_int_eq(data.len, 28 + 0xffff);
	accept_ok(data, 0);
	chunk_free(&data);
	bad[0].body.len++;
	ck_assert(!mike_rekey_msg_build(spi, 0, bad, 1, SUITE, gsk_e, gcks, &ed_scheme,
									&data));
	chunk_free(&big);
}
END_TEST

START_TEST(test_status_strings)
{
	const char *seen[MIKE_REKEY_STATUS_MAX];
	int i, j;

	for (i = 0; i < MIKE_REKEY_STATUS_MAX; i++)
	{
		seen[i] = mike_rekey_status_str(i);
		ck_assert(seen[i] && !streq(seen[i], "unknown status"));
		for (j = 0; j < i; j++)
		{
			ck_assert(!streq(seen[i], seen[j]));
		}
	}
	ck_assert_str_eq(mike_rekey_status_str(MIKE_REKEY_STATUS_MAX),
					 "unknown status");
}
END_TEST

Suite *rekey_suite(void)
{
	Suite *s = suite_create("rekey message");
	TCase *tc;

	tc = tcase_create("vector");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_vector_build);
	tcase_add_test(tc, test_vector_parse);
	tcase_add_test(tc, test_vector_key);
	tcase_add_test(tc, test_vector_signature);
	tcase_add_test(tc, test_random_iv);
	tcase_add_test(tc, test_single_payload);
	tcase_add_loop_test(tc, test_other_suites, 0, countof(other_suites));
	suite_add_tcase(s, tc);

	tc = tcase_create("roundtrip");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_roundtrip, 0, countof(keys));
	suite_add_tcase(s, tc);

	tc = tcase_create("datagram rejections");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_flipped_bits);
	tcase_add_test(tc, test_wrong_kek);
	tcase_add_test(tc, test_wrong_spi);
	tcase_add_test(tc, test_other_signer);
	tcase_add_test(tc, test_replay);
	tcase_add_test(tc, test_expected_scheme);
	suite_add_tcase(s, tc);

	tc = tcase_create("content rejections");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_reseal);
	tcase_add_test(tc, test_pad_length);
	tcase_add_test(tc, test_auth_not_last_signed);
	tcase_add_loop_test(tc, test_modified, 0, countof(mods));
	tcase_add_test(tc, test_header_under_kek);
	tcase_add_test(tc, test_every_p_byte_signed);
	suite_add_tcase(s, tc);

	tc = tcase_create("build");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_build_rejects);
	tcase_add_test(tc, test_status_strings);
	suite_add_tcase(s, tc);
	return s;
}
