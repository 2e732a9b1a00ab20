/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * libFuzzer target for fragmented GSA_REKEY messages of the mike plugin:
 * the fragment opener (mike_rekey_msg_open_fragment()), the member's
 * reassembly (mike_rekey_reassembly) and the verification of the
 * reassembled message, and the fragmenting builder against them.  The
 * rekey SPI, KEK and GCKS key are those of fuzz_rekey_msg.c (SPI 00..0f,
 * AES-GCM-16-256 with GSK_e 40..63, the Ed25519 key of RFC 8032 7.1
 * TEST 1).  Every input gets a fresh reassembly.
 *
 * The first input byte, modulo 3, picks the mode:
 *
 *  0: the rest is a list of datagrams (length, 2 bytes; datagram), each
 *     given to the reassembly as received, a second later each.
 *  1: the rest is a list of fragments (Message ID, 1 byte; Fragment
 *     Number, 2; Total Fragments, 2; Next Payload, 1; seconds passed, 1;
 *     content length, 1; content), each sealed with the KEK under a valid
 *     header (Pad Length 0 appended), so that the fragment checks, the
 *     sets, their bounds and expiry, and the reassembled message's chain,
 *     AUTH and signature get arbitrary input; as nobody but the GCKS can
 *     sign, any acceptance is a crash.
 *  2: the rest is a fragment size (2 bytes), an order seed (1 byte) and a
 *     list of inner payloads (type, 1 byte; body length, 2; body), built
 *     with the GCKS key into fragments, which are given to the reassembly
 *     in an order from the seed, each one twice: the message must come out
 *     exactly at its last fragment, with the same payloads.
 *
 * Build: as fuzz_rekey_msg.c (see fuzz/run-smoke), with
 * common/mike_rekey_reassembly.c besides common/mike_rekey_msg.c.
 */

#include <stdio.h>
#include <stdlib.h>

#include <library.h>
#include <utils/debug.h>
#include <crypto/aead.h>

#include "../src/libcharon/plugins/mike/common/mike_rekey_msg.h"
#include "../src/libcharon/plugins/mike/common/mike_rekey_reassembly.h"
#include "../src/libcharon/plugins/mike/payloads/gikev2.h"

#include "fuzz_assert.h"
#include "fuzz_rekey_setup.h"

/** the rekey SA suite: mike's */
#define SUITE (&mike_rekey_suite_default)

/** IKE header, SKF header, IV, Pad Length and ICV of a fragment */
#define FRAG_OVERHEAD (28 + 8 + 8 + 1 + 16)

static chunk_t spi, gsk_e;
static private_key_t *gcks;
static public_key_t *gcks_pub;
static aead_t *aead;
static signature_params_t scheme = { .scheme = SIGN_ED25519 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_rekey_setup("fuzz_rekey_frag", &spi, &gsk_e, &gcks);
	aead = mike_rekey_suite_create_aead(SUITE, gsk_e);
	if (!aead)
	{
		fprintf(stderr, "cannot set up the KEK\n");
		exit(1);
	}
	gcks_pub = gcks->get_public_key(gcks);
	return 0;
}

/**
 * Give a datagram to the reassembly, check the result's consistency
 */
static mike_rekey_status_t add(mike_rekey_reassembly_t *reassembly,
							   chunk_t data, time_t now,
							   mike_rekey_msg_t **msg)
{
	mike_rekey_status_t status;
	mike_rekey_payload_t *payloads;
	int count, i;

	status = reassembly->add(reassembly, data, spi, SUITE, gsk_e, gcks_pub,
							 NULL, 0, now, msg);
	FUZZ_ASSERT(status >= MIKE_REKEY_OK && status < MIKE_REKEY_STATUS_MAX);
	FUZZ_ASSERT((status == MIKE_REKEY_OK) == (*msg != NULL));
	FUZZ_ASSERT(reassembly->get_count(reassembly) <=
				MIKE_REKEY_REASSEMBLY_SETS);
	if (*msg)
	{
		count = (*msg)->get_payloads(*msg, &payloads);
		FUZZ_ASSERT(count >= 1);
		for (i = 0; i < count; i++)
		{
			FUZZ_ASSERT(payloads[i].body.len <= MIKE_REKEY_MAX_P_LEN);
		}
	}
	return status;
}

/**
 * Mode 0: received datagrams
 */
static void received(mike_rekey_reassembly_t *reassembly, chunk_t in)
{
	mike_rekey_msg_t *msg;
	chunk_t data;
	time_t now = 100;
	size_t len;

	while (in.len >= 2)
	{
		len = min(untoh16(in.ptr), in.len - 2);
		/* an exact-size copy, so ASan catches any over-read */
		data = chunk_clone(chunk_create(in.ptr + 2, len));
		if (add(reassembly, data, now++, &msg) == MIKE_REKEY_OK)
		{
			msg->destroy(msg);
		}
		chunk_free(&data);
		in = chunk_skip(in, 2 + len);
	}
}

/**
 * Mode 1: fragments sealed under the KEK
 */
static void sealed(mike_rekey_reassembly_t *reassembly, chunk_t in)
{
	u_char iv[8] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7 };
	mike_rekey_msg_t *msg;
	chunk_t data;
	time_t now = 100;
	size_t len;

	while (in.len >= 9)
	{
		len = min(in.ptr[8], in.len - 9);
		now += in.ptr[7];
		data = chunk_alloc(FRAG_OVERHEAD + len);
		memcpy(data.ptr, spi.ptr, 16);
		data.ptr[16] = MIKE_REKEY_PL_SKF;
		data.ptr[17] = 0x20;
		data.ptr[18] = MIKE_REKEY_EXCHANGE;
		data.ptr[19] = 0x08;
		htoun32(data.ptr + 20, in.ptr[0] % 8);
		htoun32(data.ptr + 24, data.len);
		data.ptr[28] = in.ptr[5];
		data.ptr[29] = 0;
		htoun16(data.ptr + 30, data.len - 28);
		memcpy(data.ptr + 32, in.ptr + 1, 4);
		memcpy(data.ptr + 36, iv, sizeof(iv));
		memcpy(data.ptr + 44, in.ptr + 9, len);
		data.ptr[44 + len] = 0;
		FUZZ_ASSERT(aead->encrypt(aead, chunk_create(data.ptr + 44, len + 1),
								  chunk_create(data.ptr, 36),
								  chunk_from_thing(iv), NULL));
		if (add(reassembly, data, now, &msg) == MIKE_REKEY_OK)
		{	/* would need a forged signature */
			msg->destroy(msg);
			FUZZ_ASSERT(!"forged message accepted");
		}
		chunk_free(&data);
		in = chunk_skip(in, 9 + len);
	}
}

/**
 * Mode 2: build in fragments, reassemble in some order
 */
static void built(mike_rekey_reassembly_t *reassembly, chunk_t in)
{
	mike_rekey_payload_t payloads[16], *got;
	mike_rekey_msg_t *msg;
	chunk_t *frags;
	size_t max_len;
	int order[MIKE_REKEY_MAX_FRAGMENTS], count = 0, fragments, i, j, tmp;
	uint8_t seed;

	if (in.len < 3)
	{
		return;
	}
	/* from no room for content to more than one datagram needs */
	max_len = FRAG_OVERHEAD + untoh16(in.ptr) % 1500;
	seed = in.ptr[2];
	in = chunk_skip(in, 3);
	while (in.len >= 3 && count < countof(payloads))
	{
		payloads[count].type = in.ptr[0];
		payloads[count].body = chunk_create(in.ptr + 3,
										min(untoh16(in.ptr + 1), in.len - 3));
		in = chunk_skip(in, 3 + payloads[count].body.len);
		count++;
	}
	if (!mike_rekey_msg_build_fragments(spi, 9, payloads, count, SUITE, gsk_e,
										gcks, &scheme, max_len, &frags,
										&fragments))
	{
		return;
	}
	FUZZ_ASSERT(fragments >= 1 && fragments <= MIKE_REKEY_MAX_FRAGMENTS);
	if (fragments == 1)
	{	/* it fitted */
		FUZZ_ASSERT(!mike_rekey_msg_is_fragment(frags[0]));
		FUZZ_ASSERT(mike_rekey_msg_parse(frags[0], spi, SUITE, gsk_e,
							gcks_pub, NULL, 0, &msg) == MIKE_REKEY_OK);
	}
	else
	{
		for (i = 0; i < fragments; i++)
		{
			FUZZ_ASSERT(frags[i].len <= max_len);
			order[i] = i;
		}
		for (i = fragments - 1; i > 0; i--)
		{	/* a shuffle driven by the seed */
			seed = seed * 37 + 11;
			j = seed % (i + 1);
			tmp = order[i];
			order[i] = order[j];
			order[j] = tmp;
		}
		msg = NULL;
		for (i = 0; i < fragments; i++)
		{
			FUZZ_ASSERT(!msg);
			if (add(reassembly, frags[order[i]], 100, &msg) !=
				MIKE_REKEY_OK)
			{	/* its copy is a duplicate */
				FUZZ_ASSERT(add(reassembly, frags[order[i]], 100, &msg) ==
							MIKE_REKEY_ERR_FRAGMENT_DUPLICATE);
			}
		}
		FUZZ_ASSERT(msg);
	}
	FUZZ_ASSERT(msg->get_message_id(msg) == 9);
	FUZZ_ASSERT(msg->get_payloads(msg, &got) == count);
	for (i = 0; i < count; i++)
	{
		FUZZ_ASSERT(got[i].type == payloads[i].type);
		FUZZ_ASSERT(chunk_equals(got[i].body, payloads[i].body));
	}
	msg->destroy(msg);
	mike_rekey_msg_free_fragments(frags, fragments);
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	mike_rekey_reassembly_t *reassembly;
	chunk_t in;

	if (len < 1)
	{
		return 0;
	}
	in = chunk_clone(chunk_create((u_char*)buf + 1, len - 1));
	reassembly = mike_rekey_reassembly_create(MIKE_REKEY_REASSEMBLY_SETS,
											  MIKE_REKEY_REASSEMBLY_TIMEOUT,
											  NULL, NULL);
	switch (buf[0] % 3)
	{
		case 0:
			received(reassembly, in);
			break;
		case 1:
			sealed(reassembly, in);
			break;
		default:
			built(reassembly, in);
			break;
	}
	reassembly->destroy(reassembly);
	chunk_free(&in);
	return 0;
}
