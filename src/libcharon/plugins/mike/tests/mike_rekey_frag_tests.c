/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * Unit tests of fragmented GSA_REKEY messages: the fragmenting builder
 * (mike_rekey_msg_build_fragments()), the fragment opener and the
 * member's reassembly (mike_rekey_reassembly), RFC 7383 and RFC 9838
 * 2.4.1.2.  testing/gikev2/selftest.py decodes fragments it builds from
 * the RFCs, independently of this code.
 */

#include "tests/mike_tests.h"
#include "tests/test_util.h"

#include <library.h>
#include <crypto/aead.h>

#include "common/mike_rekey_msg.h"
#include "common/mike_rekey_reassembly.h"
#include "payloads/gikev2.h"

/** the suite of the rekey SAs a mike GCKS makes */
#define SUITE (&mike_rekey_suite_default)

/** bytes of a fragment besides its content: IKE header, SKF header, IV,
 *  Pad Length, ICV */
#define FRAG_OVERHEAD (28 + 8 + 8 + 1 + 16)

#define ck_assert_status(got, exp) do { \
	mike_rekey_status_t _g = (got), _e = (exp); \
	ck_assert_msg(_g == _e, "status %d (%s), expected %d (%s)", _g, \
				  mike_rekey_status_str(_g), _e, mike_rekey_status_str(_e)); \
} while (0)

static chunk_t spi, gsk_e;
static private_key_t *gcks;
static public_key_t *gcks_pub;
static signature_params_t ed_scheme = { .scheme = SIGN_ED25519 };
static mike_rekey_payload_t payloads[3];
static mike_rekey_reassembly_t *reassembly;

/** what the drop callback saw */
static struct {
	int count;
	mike_rekey_status_t why;
	uint32_t msg_id;
	u_int received, total;
} dropped;

static void on_drop(void *data, mike_rekey_status_t why, uint32_t msg_id,
					u_int received, u_int total)
{
	dropped.count++;
	dropped.why = why;
	dropped.msg_id = msg_id;
	dropped.received = received;
	dropped.total = total;
}

/**
 * The inner payloads: a GSA, a KD and a Notify with len bytes of data
 * (filled with fill), which sizes the message
 */
static void set_payloads(size_t len, u_char fill)
{
	int i;

	for (i = 0; i < countof(payloads); i++)
	{
		chunk_free(&payloads[i].body);
	}
	payloads[0] = (mike_rekey_payload_t){ GIKEV2_PL_GSA,
										  hex("00000008020c0004") };
	payloads[1] = (mike_rekey_payload_t){ GIKEV2_PL_KD,
										  hex("0000000c0300000400000001") };
	/* status notify 40970, no SPI, then the data */
	payloads[2].type = PLV2_NOTIFY;
	payloads[2].body = chunk_alloc(4 + len);
	memcpy(payloads[2].body.ptr, "\x00\x00\xa0\x0a", 4);
	memset(payloads[2].body.ptr + 4, fill, len);
}

static void setup(void)
{
	spi = hex("000102030405060708090a0b0c0d0e0f");
	gsk_e = hex("404142434445464748494a4b4c4d4e4f"
				"505152535455565758595a5b5c5d5e5f60616263");
	gcks = lib->creds->create(lib->creds, CRED_PRIVATE_KEY, KEY_ED25519,
							  BUILD_END);
	ck_assert(gcks);
	gcks_pub = gcks->get_public_key(gcks);
	set_payloads(2000, 0x5a);
	reassembly = mike_rekey_reassembly_create(MIKE_REKEY_REASSEMBLY_SETS,
											  MIKE_REKEY_REASSEMBLY_TIMEOUT,
											  on_drop, NULL);
	memset(&dropped, 0, sizeof(dropped));
}

static void teardown(void)
{
	int i;

	reassembly->destroy(reassembly);
	for (i = 0; i < countof(payloads); i++)
	{
		chunk_free(&payloads[i].body);
	}
	gcks_pub->destroy(gcks_pub);
	gcks->destroy(gcks);
	chunk_free(&spi);
	chunk_free(&gsk_e);
}

/**
 * Build message msg_id in fragments of at most max_len bytes, expecting
 * more than one; returns their number
 */
static int build(uint32_t msg_id, size_t max_len, chunk_t **frags)
{
	int count, i;

	ck_assert(mike_rekey_msg_build_fragments(spi, msg_id, payloads, 3, SUITE,
								gsk_e, gcks, &ed_scheme, max_len, frags,
								&count));
	ck_assert_int_gt(count, 1);
	for (i = 0; i < count; i++)
	{
		ck_assert_int_le((*frags)[i].len, max_len);
		ck_assert(mike_rekey_msg_is_fragment((*frags)[i]));
	}
	return count;
}

/**
 * Feed a fragment to the reassembly at time now, expecting status; returns
 * the message on MIKE_REKEY_OK
 */
static mike_rekey_msg_t *add(chunk_t frag, uint64_t min, time_t now,
							 mike_rekey_status_t status)
{
	mike_rekey_msg_t *m = (void*)1;

	ck_assert_status(reassembly->add(reassembly, frag, spi, SUITE, gsk_e,
									 gcks_pub, NULL, min, now, &m), status);
	if (status != MIKE_REKEY_OK)
	{
		ck_assert(m == NULL);
	}
	return m;
}

/**
 * The message carries payloads[]
 */
static void check_message(mike_rekey_msg_t *m, uint32_t msg_id)
{
	mike_rekey_payload_t *got;
	int i;

	ck_assert(m);
	ck_assert_int_eq(m->get_message_id(m), msg_id);
	ck_assert_int_eq(m->get_payloads(m, &got), 3);
	for (i = 0; i < 3; i++)
	{
		ck_assert_int_eq(got[i].type, payloads[i].type);
		ck_assert_chunk_eq(got[i].body, payloads[i].body);
	}
	m->destroy(m);
}

/**
 * Feed fragments in the order given (indices), expecting the last to
 * complete the message
 */
static void reassemble(chunk_t *frags, int count, int *order, uint32_t msg_id)
{
	int i;

	for (i = 0; i < count - 1; i++)
	{
		add(frags[order[i]], msg_id, 10, MIKE_REKEY_INCOMPLETE);
	}
	check_message(add(frags[order[count - 1]], msg_id, 10, MIKE_REKEY_OK),
				  msg_id);
	ck_assert_int_eq(reassembly->get_count(reassembly), 0);
}

/**
 * Feed fragments first to count - 1 in order, expecting the last to
 * complete message msg_id (the lowest acceptable Message ID is min)
 */
static void complete(chunk_t *frags, int first, int count, uint64_t min,
					 uint32_t msg_id)
{
	int i;

	for (i = first; i < count - 1; i++)
	{
		add(frags[i], min, 10, MIKE_REKEY_INCOMPLETE);
	}
	check_message(add(frags[count - 1], min, 10, MIKE_REKEY_OK), msg_id);
}

/**
 * Decrypt a fragment, let change() alter its header and plaintext, and
 * encrypt it again under the KEK: authentic for a KEK holder
 */
static chunk_t reseal(chunk_t frag, void (*change)(u_char *hdr, chunk_t *pt))
{
	aead_t *aead = mike_rekey_suite_create_aead(SUITE, gsk_e);
	chunk_t out = chunk_clone(frag), pt;

	ck_assert(aead);
	pt = chunk_create(out.ptr + 44, out.len - 44);
	ck_assert(aead->decrypt(aead, pt, chunk_create(out.ptr, 36),
							chunk_create(out.ptr + 36, 8), NULL));
	pt.len -= 16;
	change(out.ptr, &pt);
	ck_assert(aead->encrypt(aead, pt, chunk_create(out.ptr, 36),
							chunk_create(out.ptr + 36, 8), NULL));
	aead->destroy(aead);
	return out;
}

/** sizes of the Notify data, and fragment sizes */
static struct {
	size_t data;
	size_t max_len;
} sizes[] = {
	{ 600, 548 },
	{ 2000, 548 },
	{ 2000, 1372 },
	{ 6000, 1352 },
	{ 2000, FRAG_OVERHEAD + 1 + 40 },
	{ 30000, 1372 },
	{ 64000, 1372 },
};

START_TEST(test_roundtrip_sizes)
{
	chunk_t *frags;
	int order[MIKE_REKEY_MAX_FRAGMENTS], count, i;
	size_t content = 0;

	set_payloads(sizes[_i].data, 0x11 * (_i + 1));
	count = build(_i, sizes[_i].max_len, &frags);
	for (i = 0; i < count; i++)
	{
		order[i] = i;
		content += frags[i].len - FRAG_OVERHEAD;
		/* all but the last are full */
		if (i < count - 1)
		{
			ck_assert_int_eq(frags[i].len, sizes[_i].max_len);
		}
	}
	/* the inner payloads, AUTH included (Ed25519: 4 + 4 + 1 + 7 + 64) */
	ck_assert_int_eq(content, 4 + 8 + 4 + 12 + 4 + 4 + sizes[_i].data +
					 4 + 4 + 1 + 7 + 64);
	reassemble(frags, count, order, _i);
	mike_rekey_msg_free_fragments(frags, count);
}
END_TEST

START_TEST(test_unfragmented_when_it_fits)
{
	mike_rekey_msg_t *m;
	chunk_t *frags;
	int count;

	set_payloads(100, 0x22);
	ck_assert(mike_rekey_msg_build_fragments(spi, 3, payloads, 3, SUITE,
								gsk_e, gcks, &ed_scheme, 1372, &frags,
								&count));
	ck_assert_int_eq(count, 1);
	ck_assert(!mike_rekey_msg_is_fragment(frags[0]));
	ck_assert_status(mike_rekey_msg_parse(frags[0], spi, SUITE, gsk_e,
								gcks_pub, NULL, 3, &m), MIKE_REKEY_OK);
	check_message(m, 3);
	mike_rekey_msg_free_fragments(frags, count);

	/* 0: never fragmented, however large */
	set_payloads(5000, 0x22);
	ck_assert(mike_rekey_msg_build_fragments(spi, 4, payloads, 3, SUITE,
								gsk_e, gcks, &ed_scheme, 0, &frags, &count));
	ck_assert_int_eq(count, 1);
	ck_assert(!mike_rekey_msg_is_fragment(frags[0]));
	mike_rekey_msg_free_fragments(frags, count);
}
END_TEST

START_TEST(test_out_of_order)
{
	chunk_t *frags;
	int order[MIKE_REKEY_MAX_FRAGMENTS], count, i, j, tmp;

	count = build(7, 548, &frags);
	ck_assert_int_ge(count, 4);
	/* backwards */
	for (i = 0; i < count; i++)
	{
		order[i] = count - 1 - i;
	}
	reassemble(frags, count, order, 7);
	mike_rekey_msg_free_fragments(frags, count);

	/* shuffled, with the first fragment last */
	count = build(8, 548, &frags);
	for (i = 0; i < count; i++)
	{
		order[i] = i;
	}
	for (i = count - 1; i > 0; i--)
	{
		j = random() % (i + 1);
		tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}
	for (i = 0; i < count; i++)
	{
		if (order[i] == 0)
		{
			order[i] = order[count - 1];
			order[count - 1] = 0;
		}
	}
	reassemble(frags, count, order, 8);
	mike_rekey_msg_free_fragments(frags, count);
}
END_TEST

START_TEST(test_duplicates)
{
	chunk_t *frags;
	int count, i;

	count = build(5, 548, &frags);
	add(frags[0], 5, 10, MIKE_REKEY_INCOMPLETE);
	/* the retransmission of a fragment held */
	add(frags[0], 5, 10, MIKE_REKEY_ERR_FRAGMENT_DUPLICATE);
	for (i = 1; i < count - 1; i++)
	{
		add(frags[i], 5, 10, MIKE_REKEY_INCOMPLETE);
		add(frags[i], 5, 10, MIKE_REKEY_ERR_FRAGMENT_DUPLICATE);
	}
	check_message(add(frags[count - 1], 5, 10, MIKE_REKEY_OK), 5);
	/* the GCKS's next copy of every fragment: a replay each, nothing is
	 * kept (the member raised its lowest Message ID) */
	for (i = 0; i < count; i++)
	{
		add(frags[i], 6, 10, MIKE_REKEY_ERR_REPLAY);
	}
	ck_assert_int_eq(reassembly->get_count(reassembly), 0);
	/* had it not accepted the message, a complete copy completes it */
	complete(frags, 0, count, 5, 5);
	mike_rekey_msg_free_fragments(frags, count);
}
END_TEST

START_TEST(test_missing_times_out)
{
	chunk_t *frags, *other;
	int count, other_count, i;

	count = build(1, 548, &frags);
	other_count = build(2, 548, &other);
	/* all but fragment 2 */
	for (i = 0; i < count; i++)
	{
		if (i != 1)
		{
			add(frags[i], 1, 100, MIKE_REKEY_INCOMPLETE);
		}
	}
	ck_assert_int_eq(reassembly->get_count(reassembly), 1);
	/* not yet timed out, one second before */
	add(other[0], 1, 100 + MIKE_REKEY_REASSEMBLY_TIMEOUT - 1,
		MIKE_REKEY_INCOMPLETE);
	ck_assert_int_eq(dropped.count, 0);
	ck_assert_int_eq(reassembly->get_count(reassembly), 2);
	/* expired on the next arrival */
	add(other[1], 1, 100 + MIKE_REKEY_REASSEMBLY_TIMEOUT,
		MIKE_REKEY_INCOMPLETE);
	ck_assert_int_eq(dropped.count, 1);
	ck_assert_status(dropped.why, MIKE_REKEY_ERR_FRAGMENT_TIMEOUT);
	ck_assert_int_eq(dropped.msg_id, 1);
	ck_assert_int_eq(dropped.received, count - 1);
	ck_assert_int_eq(dropped.total, count);
	ck_assert_int_eq(reassembly->get_count(reassembly), 1);
	/* the missing fragment, late: it starts over */
	add(frags[1], 1, 100 + MIKE_REKEY_REASSEMBLY_TIMEOUT,
		MIKE_REKEY_INCOMPLETE);
	ck_assert_int_eq(reassembly->get_count(reassembly), 2);
	mike_rekey_msg_free_fragments(frags, count);
	mike_rekey_msg_free_fragments(other, other_count);
}
END_TEST

START_TEST(test_too_many_incomplete)
{
	chunk_t *frags[MIKE_REKEY_REASSEMBLY_SETS + 1];
	int count[MIKE_REKEY_REASSEMBLY_SETS + 1], i, j;

	for (i = 0; i <= MIKE_REKEY_REASSEMBLY_SETS; i++)
	{
		count[i] = build(10 + i, 548, &frags[i]);
		add(frags[i][0], 10, 10, MIKE_REKEY_INCOMPLETE);
		ck_assert_int_eq(dropped.count, i == MIKE_REKEY_REASSEMBLY_SETS);
	}
	/* the oldest made room */
	ck_assert_status(dropped.why, MIKE_REKEY_ERR_FRAGMENT_EVICTED);
	ck_assert_int_eq(dropped.msg_id, 10);
	ck_assert_int_eq(dropped.received, 1);
	ck_assert_int_eq(reassembly->get_count(reassembly),
					 MIKE_REKEY_REASSEMBLY_SETS);
	/* the newest completes */
	i = MIKE_REKEY_REASSEMBLY_SETS;
	for (j = 1; j < count[i] - 1; j++)
	{
		add(frags[i][j], 10, 10, MIKE_REKEY_INCOMPLETE);
	}
	check_message(add(frags[i][count[i] - 1], 10, 10, MIKE_REKEY_OK), 10 + i);
	for (i = 0; i <= MIKE_REKEY_REASSEMBLY_SETS; i++)
	{
		mike_rekey_msg_free_fragments(frags[i], count[i]);
	}
}
END_TEST

START_TEST(test_tampered)
{
	/* a bit flipped in the SPI, the header, the SKF header (Fragment
	 * Number and Total Fragments are in the associated data), the IV and
	 * the content */
	struct {
		size_t offset;
		mike_rekey_status_t status;
	} flips[] = {
		{ 0, MIKE_REKEY_ERR_SPI },
		{ 15, MIKE_REKEY_ERR_SPI },
		{ 16, MIKE_REKEY_ERR_HEADER },
		{ 17, MIKE_REKEY_ERR_ICV },
		{ 18, MIKE_REKEY_ERR_HEADER },
		{ 19, MIKE_REKEY_ERR_ICV },
		{ 20, MIKE_REKEY_ERR_ICV },
		{ 27, MIKE_REKEY_ERR_TRUNCATED },
		{ 28, MIKE_REKEY_ERR_ICV },
		{ 29, MIKE_REKEY_ERR_ICV },
		{ 31, MIKE_REKEY_ERR_TRUNCATED },
		{ 33, MIKE_REKEY_ERR_ICV },
		{ 35, MIKE_REKEY_ERR_ICV },
		{ 36, MIKE_REKEY_ERR_ICV },
		{ 44, MIKE_REKEY_ERR_ICV },
		{ 300, MIKE_REKEY_ERR_ICV },
	};
	chunk_t *frags, bad;
	int count, i;

	count = build(2, 548, &frags);
	for (i = 0; i < countof(flips); i++)
	{
		bad = chunk_clone(frags[1]);
		bad.ptr[flips[i].offset] ^= 0x01;
		add(bad, 0, 10, flips[i].status);
		chunk_free(&bad);
	}
	/* the last byte of the ICV */
	bad = chunk_clone(frags[1]);
	bad.ptr[bad.len - 1] ^= 0x80;
	add(bad, 0, 10, MIKE_REKEY_ERR_ICV);
	chunk_free(&bad);
	/* shorter than its lengths say */
	add(chunk_create(frags[1].ptr, frags[1].len - 1), 0, 10,
		MIKE_REKEY_ERR_TRUNCATED);
	/* nothing unauthenticated was kept */
	ck_assert_int_eq(reassembly->get_count(reassembly), 0);
	mike_rekey_msg_free_fragments(frags, count);
}
END_TEST

/** for reseal(): the Fragment Number and Total Fragments to write */
static uint16_t new_number, new_total;
static u_char new_reserved;

static void renumber(u_char *hdr, chunk_t *pt)
{
	htoun16(hdr + 32, new_number);
	htoun16(hdr + 34, new_total);
}

static void reserve(u_char *hdr, chunk_t *pt)
{
	hdr[29] = new_reserved;
}

START_TEST(test_numbers_checked)
{
	struct {
		uint16_t number, total;
	} bad[] = {
		{ 0, 3 }, { 4, 3 }, { 1, 0 }, { 65, 65 }, { 1, 65 }, { 65535, 65535 },
	};
	chunk_t *frags, forged;
	int count, i;

	count = build(2, 548, &frags);
	for (i = 0; i < countof(bad); i++)
	{
		new_number = bad[i].number;
		new_total = bad[i].total;
		forged = reseal(frags[0], renumber);
		add(forged, 0, 10, MIKE_REKEY_ERR_FRAGMENT);
		chunk_free(&forged);
	}
	ck_assert_int_eq(reassembly->get_count(reassembly), 0);
	mike_rekey_msg_free_fragments(frags, count);
}
END_TEST

START_TEST(test_other_total)
{
	chunk_t *frags, forged;
	int count;

	count = build(2, 548, &frags);
	add(frags[0], 0, 10, MIKE_REKEY_INCOMPLETE);
	/* a KEK holder's fragment of the same message with another Total
	 * Fragments, greater or smaller */
	new_number = 2;
	new_total = count + 1;
	forged = reseal(frags[1], renumber);
	add(forged, 0, 10, MIKE_REKEY_ERR_FRAGMENT);
	chunk_free(&forged);
	new_total = count - 1;
	forged = reseal(frags[1], renumber);
	add(forged, 0, 10, MIKE_REKEY_ERR_FRAGMENT);
	chunk_free(&forged);
	/* the GCKS's own still complete the message */
	complete(frags, 1, count, 0, 2);
	mike_rekey_msg_free_fragments(frags, count);
}
END_TEST

START_TEST(test_signature_over_whole)
{
	chunk_t *frags, *other;
	int count, other_count, i;

	/* two messages of the same Message ID and size, another content: the
	 * fragments verify under the KEK, the spliced message does not under
	 * the GCKS's key */
	count = build(4, 548, &frags);
	set_payloads(2000, 0xa5);
	other_count = build(4, 548, &other);
	ck_assert_int_eq(count, other_count);
	add(other[0], 0, 10, MIKE_REKEY_INCOMPLETE);
	for (i = 1; i < count - 1; i++)
	{
		add(frags[i], 0, 10, MIKE_REKEY_INCOMPLETE);
	}
	add(frags[count - 1], 0, 10, MIKE_REKEY_ERR_SIGNATURE);
	ck_assert_int_eq(reassembly->get_count(reassembly), 0);
	mike_rekey_msg_free_fragments(frags, count);
	mike_rekey_msg_free_fragments(other, other_count);
}
END_TEST

START_TEST(test_reserved_of_first)
{
	chunk_t *frags, forged;
	int count, i;

	/* RFC 9838 2.4.1.2: the reassembled message takes the first fragment's
	 * RESERVED, which was signed as 0: another breaks the signature ... */
	count = build(6, 548, &frags);
	new_reserved = 0x01;
	forged = reseal(frags[0], reserve);
	add(forged, 0, 10, MIKE_REKEY_INCOMPLETE);
	for (i = 1; i < count - 1; i++)
	{
		add(frags[i], 0, 10, MIKE_REKEY_INCOMPLETE);
	}
	add(frags[count - 1], 0, 10, MIKE_REKEY_ERR_SIGNATURE);
	chunk_free(&forged);

	/* ... the others' RESERVED is not part of it */
	forged = reseal(frags[1], reserve);
	add(frags[0], 0, 10, MIKE_REKEY_INCOMPLETE);
	add(forged, 0, 10, MIKE_REKEY_INCOMPLETE);
	complete(frags, 2, count, 0, 6);
	chunk_free(&forged);
	mike_rekey_msg_free_fragments(frags, count);
}
END_TEST

START_TEST(test_wrong_key_or_spi)
{
	chunk_t *frags, other_spi;
	mike_rekey_msg_t *m;
	int count;

	count = build(2, 548, &frags);
	other_spi = chunk_clone(spi);
	other_spi.ptr[15] ^= 0xff;
	ck_assert_status(reassembly->add(reassembly, frags[0], other_spi, SUITE,
									 gsk_e, gcks_pub, NULL, 0, 10, &m),
					 MIKE_REKEY_ERR_SPI);
	gsk_e.ptr[0] ^= 0x01;
	add(frags[0], 0, 10, MIKE_REKEY_ERR_ICV);
	gsk_e.ptr[0] ^= 0x01;
	/* an unfragmented message is not a fragment */
	ck_assert(!mike_rekey_msg_is_fragment(chunk_create(frags[0].ptr, 27)));
	ck_assert_int_eq(reassembly->get_count(reassembly), 0);
	chunk_free(&other_spi);
	mike_rekey_msg_free_fragments(frags, count);
}
END_TEST

START_TEST(test_build_limits)
{
	chunk_t *frags = (void*)1;
	int count;

	/* 64 fragments at most: more is refused, and says how many */
	set_payloads(64 * 40, 0x33);
	ck_assert(!mike_rekey_msg_build_fragments(spi, 1, payloads, 3, SUITE,
								gsk_e, gcks, &ed_scheme, FRAG_OVERHEAD + 40,
								&frags, &count));
	ck_assert(frags == NULL);
	ck_assert_int_gt(count, MIKE_REKEY_MAX_FRAGMENTS);
	/* exactly 64 */
	set_payloads(64 * 40 - (4 + 8 + 4 + 12 + 4 + 4 + 4 + 4 + 1 + 7 + 64), 0x33);
	ck_assert(mike_rekey_msg_build_fragments(spi, 1, payloads, 3, SUITE,
								gsk_e, gcks, &ed_scheme, FRAG_OVERHEAD + 40,
								&frags, &count));
	ck_assert_int_eq(count, MIKE_REKEY_MAX_FRAGMENTS);
	mike_rekey_msg_free_fragments(frags, count);
	/* no room for content */
	ck_assert(!mike_rekey_msg_build_fragments(spi, 1, payloads, 3, SUITE,
								gsk_e, gcks, &ed_scheme, FRAG_OVERHEAD,
								&frags, &count));
	/* larger than a signed message can be */
	set_payloads(MIKE_REKEY_MAX_P_LEN, 0x33);
	ck_assert(!mike_rekey_msg_build_fragments(spi, 1, payloads, 3, SUITE,
								gsk_e, gcks, &ed_scheme, 1372, &frags,
								&count));
}
END_TEST

START_TEST(test_status_strings)
{
	ck_assert_str_eq(mike_rekey_status_str(MIKE_REKEY_ERR_FRAGMENT_TIMEOUT),
					 "fragments missing when the reassembly timed out");
	ck_assert(!streq(mike_rekey_status_str(MIKE_REKEY_INCOMPLETE),
					 "unknown status"));
}
END_TEST

Suite *rekey_frag_suite(void)
{
	Suite *s = suite_create("rekey fragments");
	TCase *tc;

	tc = tcase_create("build and reassemble");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_roundtrip_sizes, 0, countof(sizes));
	tcase_add_test(tc, test_unfragmented_when_it_fits);
	tcase_add_test(tc, test_out_of_order);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_build_limits);
	tcase_add_test(tc, test_status_strings);
	suite_add_tcase(s, tc);

	tc = tcase_create("reassembly bounds and rejections");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_missing_times_out);
	tcase_add_test(tc, test_too_many_incomplete);
	tcase_add_test(tc, test_tampered);
	tcase_add_test(tc, test_numbers_checked);
	tcase_add_test(tc, test_other_total);
	tcase_add_test(tc, test_signature_over_whole);
	tcase_add_test(tc, test_reserved_of_first);
	tcase_add_test(tc, test_wrong_key_or_spi);
	suite_add_tcase(s, tc);
	return s;
}
