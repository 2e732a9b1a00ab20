/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * libFuzzer target for the GSA_REKEY codec of the mike plugin
 * (mike_rekey_msg_parse(), and mike_rekey_msg_build() against it), with a
 * fixed rekey SPI, KEK and GCKS key (the unit tests' vector: SPI 00..0f,
 * GSK_e 40..63, Ed25519 key of RFC 8032 7.1 TEST 1).
 *
 * The first input byte picks the rekey SA suite (its value divided by 3,
 * modulo 2: mike's AES-GCM-16-256, or AES-CCM-8-128 with the first 19 bytes
 * of GSK_e) and the mode (its value modulo 3):
 *
 *  0: the rest is a received datagram, parsed as is (header checks; past
 *     the ICV only with the vector itself and its mutations).
 *  1: the rest is the plaintext of the Encrypted payload (its first byte
 *     is the SK payload's Next Payload, then inner payloads | padding |
 *     Pad Length); it is sealed with the KEK under a valid header, so the
 *     inner payload parser, the AUTH parser and the signature check get
 *     arbitrary input.
 *  2: the rest is a list of inner payloads (type, 1 byte; body length,
 *     1 byte; body), built into a signed message with the GCKS key: if the
 *     builder accepts them, the parser must accept the message and return
 *     the same payloads (builder and parser agree).
 *
 * Build (see fuzz/run-smoke):
 *   SS=/path/to/configured/strongswan-src
 *   M=src/libcharon/plugins/mike
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -include $SS/config.h -I$SS/src/libstrongswan -I$SS/src/libcharon \
 *     fuzz/fuzz_rekey_msg.c fuzz/fuzz_rekey_setup.c $M/common/mike_rekey_msg.c \
 *     $M/common/mike_rekey_suite.c $M/payloads/gsa_policy.c ... \
 *     -L/usr/lib/ipsec -lcharon -lstrongswan -Wl,-rpath,/usr/lib/ipsec \
 *     -o fuzz_rekey_msg
 */

#include <stdio.h>
#include <stdlib.h>

#include <library.h>
#include <utils/debug.h>
#include <crypto/aead.h>

#include "../src/libcharon/plugins/mike/common/mike_rekey_msg.h"
#include "../src/libcharon/plugins/mike/payloads/gikev2.h"

#include "fuzz_assert.h"
#include "fuzz_rekey_setup.h"

static chunk_t spi, gsk_e;
static private_key_t *gcks;
static public_key_t *gcks_pub;
static aead_t *aeads[2];

/** the suites fuzzed: mike's, and one with a shorter key, salt and ICV */
static const mike_rekey_suite_t suites[2] = {
	{ ENCR_AES_GCM_ICV16, 256, GIKEV2_KWA_5649_256 },
	{ ENCR_AES_CCM_ICV8, 128, GIKEV2_KWA_5649_128 },
};

/** the suite of the current input */
static const mike_rekey_suite_t *suite;

/** its GSK_e */
static chunk_t suite_gsk_e(void)
{
	return suite == &suites[0] ? gsk_e : chunk_create(gsk_e.ptr, 19);
}
static signature_params_t scheme = { .scheme = SIGN_ED25519 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_rekey_setup("fuzz_rekey_msg", &spi, &gsk_e, &gcks);
	suite = &suites[0];
	aeads[0] = mike_rekey_suite_create_aead(&suites[0], suite_gsk_e());
	suite = &suites[1];
	aeads[1] = mike_rekey_suite_create_aead(&suites[1], suite_gsk_e());
	if (!aeads[0] || !aeads[1])
	{
		fprintf(stderr, "cannot set up the KEK\n");
		exit(1);
	}
	gcks_pub = gcks->get_public_key(gcks);
	return 0;
}

/**
 * Parse, check the result's consistency
 */
static mike_rekey_status_t parse(chunk_t data, mike_rekey_msg_t **msg)
{
	mike_rekey_status_t status;
	mike_rekey_payload_t *payloads;
	int count, i;

	status = mike_rekey_msg_parse(data, spi, suite, suite_gsk_e(), gcks_pub,
								  NULL, 0, msg);
	FUZZ_ASSERT(status >= MIKE_REKEY_OK && status < MIKE_REKEY_STATUS_MAX);
	FUZZ_ASSERT((status == MIKE_REKEY_OK) == (*msg != NULL));
	if (*msg)
	{
		count = (*msg)->get_payloads(*msg, &payloads);
		FUZZ_ASSERT(count >= 1);
		for (i = 0; i < count; i++)
		{
			/* the bodies lie within the datagram's size */
			FUZZ_ASSERT(payloads[i].body.len < data.len);
		}
	}
	return status;
}

/**
 * Mode 1: seal a plaintext with the KEK under a valid header
 */
static void sealed(chunk_t in)
{
	u_char iv[8] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7 };
	size_t icv = mike_rekey_suite_icv_size(suite);
	aead_t *aead = aeads[suite - suites];
	mike_rekey_msg_t *msg;
	chunk_t data;

	if (in.len < 1 || in.len > 0xffff - 4 - 8 - icv)
	{
		return;
	}
	data = chunk_alloc(28 + 4 + 8 + (in.len - 1) + icv);
	memcpy(data.ptr, spi.ptr, 16);
	data.ptr[16] = 46;
	data.ptr[17] = 0x20;
	data.ptr[18] = 41;
	data.ptr[19] = 0x08;
	htoun32(data.ptr + 20, 5);
	htoun32(data.ptr + 24, data.len);
	data.ptr[28] = in.ptr[0];
	data.ptr[29] = 0;
	htoun16(data.ptr + 30, data.len - 28);
	memcpy(data.ptr + 32, iv, sizeof(iv));
	memcpy(data.ptr + 40, in.ptr + 1, in.len - 1);
	FUZZ_ASSERT(aead->encrypt(aead, chunk_create(data.ptr + 40, in.len - 1),
							  chunk_create(data.ptr, 32),
							  chunk_from_thing(iv), NULL));
	/* the datagram has an exact-size allocation, as does the plaintext
	 * inside the parser, so ASan sees any over-read */
	if (parse(data, &msg) == MIKE_REKEY_OK)
	{	/* would need a forged signature */
		msg->destroy(msg);
		FUZZ_ASSERT(!"forged message accepted");
	}
	chunk_free(&data);
}

/**
 * Mode 2: build from a list of payloads, then parse
 */
static void built(chunk_t in)
{
	mike_rekey_payload_t payloads[16], *got;
	mike_rekey_msg_t *msg;
	chunk_t data;
	int count = 0, i;

	while (in.len >= 2 && count < countof(payloads))
	{
		payloads[count].type = in.ptr[0];
		payloads[count].body = chunk_create(in.ptr + 2,
											min(in.ptr[1], in.len - 2));
		in = chunk_skip(in, 2 + payloads[count].body.len);
		count++;
	}
	if (!mike_rekey_msg_build(spi, 9, payloads, count, suite, suite_gsk_e(),
							  gcks, &scheme, &data))
	{
		return;
	}
	FUZZ_ASSERT(parse(data, &msg) == MIKE_REKEY_OK);
	FUZZ_ASSERT(msg->get_message_id(msg) == 9);
	FUZZ_ASSERT(msg->get_payloads(msg, &got) == count);
	for (i = 0; i < count; i++)
	{
		FUZZ_ASSERT(got[i].type == payloads[i].type);
		FUZZ_ASSERT(chunk_equals(got[i].body, payloads[i].body));
	}
	msg->destroy(msg);
	chunk_free(&data);
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	mike_rekey_msg_t *msg;
	chunk_t in;

	if (len < 1)
	{
		return 0;
	}
	/* an exact-size heap copy, so ASan catches any over-read */
	in = chunk_clone(chunk_create((u_char*)buf + 1, len - 1));
	suite = &suites[buf[0] / 3 % 2];
	switch (buf[0] % 3)
	{
		case 0:
			if (parse(in, &msg) == MIKE_REKEY_OK)
			{
				msg->destroy(msg);
			}
			break;
		case 1:
			sealed(in);
			break;
		default:
			built(in);
			break;
	}
	chunk_free(&in);
	return 0;
}
