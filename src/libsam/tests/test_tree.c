/*
 * The tree scheme (docs/sam-tree.md) through a context: round trips for
 * blocks of 1 .. 256 frames, every frame opening alone, in random order
 * and with frames lost; every bit flip of authenticator and payload;
 * frames moved to another index, block, source or session; the cache of
 * verified roots; blocks closed by the clock and by sam_flush(); with
 * payload encryption.
 */

#include <stdlib.h>

#include "test_common.h"

#include "context.h"
#include "frame.h"
#include "tree.h"

#define TREE_PAYLOAD 100
/** frames one test holds: two full blocks of 256 and a partial one */
#define TREE_FRAMES 600
#define TREE_FRAME_SIZE (SAM_HEADER_SIZE + TREE_PAYLOAD + SAM_SEAL_OVERHEAD + \
						 TREE_MAX_AUTH_LEN)

static uint8_t frames[TREE_FRAMES][TREE_FRAME_SIZE];
static size_t lens[TREE_FRAMES];
static uint64_t now;

static uint64_t test_clock(void *user)
{
	return *(uint64_t *)user;
}

/** An Ed25519 key of the RFC 8032 test vector for the tree scheme */
static sam_key *tree_key(const char *pem)
{
	sam_key *key = tc_key(pem);

	ck_assert_int_eq(sam_key_set_scheme(key, SAM_SCHEME_TREE), SAM_OK);
	return key;
}

static sam_ctx *tree_sender(uint32_t session, uint32_t source,
							unsigned int m)
{
	sam_key *key = tree_key(TV_ED25519_KEY);
	sam_ctx *tx = NULL;

	ck_assert_int_eq(sam_ctx_new(NULL, &tx), SAM_OK);
	ck_assert_int_eq(sam_set_session(tx, session), SAM_OK);
	ck_assert_int_eq(sam_set_clock(tx, test_clock, &now), SAM_OK);
	ck_assert_int_eq(sam_set_source(tx, source, 1), SAM_OK);
	ck_assert_int_eq(sam_set_signing_key(tx, key), SAM_OK);
	ck_assert_int_eq(sam_set_tree(tx, m, 1000), SAM_OK);
	sam_key_free(key);
	return tx;
}

static sam_ctx *tree_receiver(uint32_t session, uint32_t source)
{
	sam_key *pub = tree_key(TV_ED25519_PUB);
	sam_ctx *rx = NULL;

	ck_assert_int_eq(sam_ctx_new(NULL, &rx), SAM_OK);
	ck_assert_int_eq(sam_set_session(rx, session), SAM_OK);
	ck_assert_int_eq(sam_set_replay_window(rx, 1024), SAM_OK);
	ck_assert_int_eq(sam_add_source(rx, source, pub), SAM_OK);
	sam_key_free(pub);
	return rx;
}

/** Take the finished frames out of tx into frames[*n ..] */
static void collect(sam_ctx *tx, size_t *n)
{
	ssize_t len;

	while ((len = sam_next_sealed(tx, frames[*n], TREE_FRAME_SIZE)) > 0)
	{
		lens[(*n)++] = (size_t)len;
	}
	ck_assert_int_eq(len, 0);
}

/** Seal count frames, flush at the end; @return frames made */
static size_t seal_frames(sam_ctx *tx, size_t count)
{
	uint8_t buf[TREE_FRAME_SIZE];
	char payload[TREE_PAYLOAD];
	size_t i, n = 0;

	for (i = 0; i < count; i++)
	{
		memset(payload, 'a' + (int)(i % 26), sizeof(payload));
		snprintf(payload, sizeof(payload), "frame %zu", i);
		ck_assert_int_eq(sam_seal(tx, payload, 20 + i % 80, buf,
								  sizeof(buf)), 0);
		collect(tx, &n);
	}
	ck_assert_int_eq(sam_flush(tx), SAM_OK);
	collect(tx, &n);
	ck_assert_uint_eq(n, count);
	return n;
}

static void assert_opens(sam_ctx *rx, size_t i)
{
	sam_frame_info info;
	char expect[32];

	ck_assert_int_eq(sam_open(rx, frames[i], lens[i], &info), SAM_OK);
	ck_assert_int_eq(info.scheme, SAM_SCHEME_TREE);
	ck_assert_int_eq(info.auth, SAM_AUTH_SOURCE);
	ck_assert_uint_eq(info.payload_len, 20 + i % 80);
	snprintf(expect, sizeof(expect), "frame %zu", i);
	ck_assert_int_eq(memcmp(info.payload, expect, strlen(expect)), 0);
}

static const unsigned int block_sizes[] = {1, 2, 3, 7, 64, 256};

START_TEST(test_round_trip)
{
	unsigned int m = block_sizes[_i];
	size_t count = 2 * (size_t)m + 1 < TREE_FRAMES ? 2 * (size_t)m + 1 : 513;
	size_t order[TREE_FRAMES], i, n, kept = 0;
	sam_ctx *tx, *rx;

	srand(m);
	tx = tree_sender(TV_SESSION, TV_SOURCE, m);
	n = seal_frames(tx, count);
	for (i = 0; i < n; i++)
	{	/* each alone: a fresh receiver, the frame's own signature */
		struct sam_frame_hdr hdr;

		sam_frame_decode(frames[i], &hdr);
		ck_assert_uint_eq(hdr.seq, i + 1);
		ck_assert_uint_eq(hdr.auth_len, TREE_OFF_PATH + TREE_HASH_LEN *
			sam_tree_path_len((unsigned int)(i % m),
				i / m < n / m ? m : (unsigned int)(n % m)));
		rx = tree_receiver(TV_SESSION, TV_SOURCE);
		assert_opens(rx, i);
		sam_ctx_free(rx);
		order[i] = i;
	}
	/* in random order */
	for (i = n - 1; i > 0; i--)
	{
		size_t j = (size_t)rand() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	rx = tree_receiver(TV_SESSION, TV_SOURCE);
	for (i = 0; i < n; i++)
	{
		assert_opens(rx, order[i]);
	}
	sam_ctx_free(rx);
	/* 30 % lost */
	rx = tree_receiver(TV_SESSION, TV_SOURCE);
	for (i = 0; i < n; i++)
	{
		if (rand() % 100 < 30)
		{
			continue;
		}
		assert_opens(rx, i);
		kept++;
	}
	ck_assert_uint_gt(kept, 0);
	sam_ctx_free(rx);
	sam_ctx_free(tx);
}
END_TEST

START_TEST(test_auth_len)
{
	sam_ctx *tx = tree_sender(TV_SESSION, TV_SOURCE, 64);
	sam_scheme s;

	ck_assert_int_eq(sam_scheme_from_name("tree", &s), SAM_OK);
	ck_assert_int_eq(s, SAM_SCHEME_TREE);
	ck_assert_uint_eq(sam_scheme_wire_id(SAM_SCHEME_TREE), 6);
	ck_assert_str_eq(sam_scheme_name(SAM_SCHEME_TREE), "tree");
	ck_assert_int_eq(sam_scheme_auth(SAM_SCHEME_TREE), SAM_AUTH_SOURCE);
	/* m = 64: 1 + 1 + 8 + 64 + 6 * 32 */
	ck_assert_int_eq(sam_frame_size(tx, 1000), SAM_HEADER_SIZE + 1000 + 266);
	ck_assert_int_eq(sam_set_tree(tx, 256, 0), SAM_OK);
	ck_assert_int_eq(sam_frame_size(tx, 0), SAM_HEADER_SIZE + 330);
	ck_assert_int_eq(sam_set_tree(tx, 1, 0), SAM_OK);
	ck_assert_int_eq(sam_frame_size(tx, 0), SAM_HEADER_SIZE + 74);
	ck_assert_int_eq(sam_set_tree(tx, 0, 20), SAM_E_INVAL);
	ck_assert_int_eq(sam_set_tree(tx, 257, 20), SAM_E_INVAL);
	ck_assert_int_eq(sam_set_tree(tx, 64, 60001), SAM_E_INVAL);
	ck_assert_int_eq(sam_set_tree(NULL, 64, 20), SAM_E_INVAL);
	/* RFC 6962 audit paths: 3 leaves give paths of 2, 2 and 1 */
	ck_assert_uint_eq(sam_tree_path_len(0, 3), 2);
	ck_assert_uint_eq(sam_tree_path_len(1, 3), 2);
	ck_assert_uint_eq(sam_tree_path_len(2, 3), 1);
	ck_assert_uint_eq(sam_tree_path_len(6, 7), 2);
	ck_assert_uint_eq(sam_tree_path_len(0, 1), 0);
	sam_ctx_free(tx);
}
END_TEST

START_TEST(test_keys)
{
	sam_key *key = tc_key(TV_ECDSA_KEY), *gen = NULL;

	ck_assert_int_eq(sam_key_set_scheme(key, SAM_SCHEME_TREE), SAM_E_KEY);
	sam_key_free(key);
	ck_assert_int_eq(sam_key_generate(SAM_SCHEME_TREE, &gen), SAM_OK);
	ck_assert_int_eq(sam_key_scheme(gen), SAM_SCHEME_TREE);
	sam_key_free(gen);
}
END_TEST

/** Whether frames[i] with its byte at off flipped by bit is rejected */
static void assert_flip_rejected(size_t i, size_t off, int bit)
{
	sam_ctx *rx = tree_receiver(TV_SESSION, TV_SOURCE);
	sam_frame_info info;

	frames[i][off] ^= (uint8_t)(1 << bit);
	ck_assert_int_lt(sam_open(rx, frames[i], lens[i], &info), 0);
	frames[i][off] ^= (uint8_t)(1 << bit);
	sam_ctx_free(rx);
}

START_TEST(test_bit_flips)
{
	sam_ctx *tx = tree_sender(TV_SESSION, TV_SOURCE, 7), *rx;
	sam_frame_info info;
	size_t off, i = 3;
	int bit;

	seal_frames(tx, 7);
	/* the header is checked elsewhere; payload and authenticator here */
	for (off = SAM_HEADER_SIZE; off < lens[i]; off++)
	{
		for (bit = 0; bit < 8; bit++)
		{
			assert_flip_rejected(i, off, bit);
		}
	}
	/* with the root cached, too: the signature bytes are compared */
	rx = tree_receiver(TV_SESSION, TV_SOURCE);
	assert_opens(rx, 0);
	for (off = SAM_HEADER_SIZE; off < lens[i]; off++)
	{
		frames[i][off] ^= 0x80;
		ck_assert_int_lt(sam_open(rx, frames[i], lens[i], &info), 0);
		frames[i][off] ^= 0x80;
	}
	assert_opens(rx, i);
	sam_ctx_free(rx);
	sam_ctx_free(tx);
}
END_TEST

/** Copy the authenticator of frames[from] onto frames[to] (same length) */
static void swap_auth(size_t to, size_t from, uint8_t *out, size_t *len)
{
	size_t auth_to = lens[to] - (SAM_HEADER_SIZE + sam_get16(frames[to] + 20));
	size_t auth_from = lens[from] -
		(SAM_HEADER_SIZE + sam_get16(frames[from] + 20));

	*len = lens[to] - auth_to + auth_from;
	memcpy(out, frames[to], lens[to] - auth_to);
	memcpy(out + lens[to] - auth_to, frames[from] + lens[from] - auth_from,
		   auth_from);
	sam_put16(out + 22, (uint16_t)auth_from);
}

START_TEST(test_moved)
{
	sam_ctx *tx = tree_sender(TV_SESSION, TV_SOURCE, 4), *rx;
	uint8_t buf[TREE_FRAME_SIZE];
	sam_frame_info info;
	size_t len;

	/* blocks [0..3] and [4..7] */
	seal_frames(tx, 8);
	rx = tree_receiver(TV_SESSION, TV_SOURCE);
	/* another index of its block: the authenticator of frame 2 */
	swap_auth(1, 2, buf, &len);
	ck_assert_int_eq(sam_open(rx, buf, len, &info), SAM_E_BAD_AUTH);
	/* its index byte changed, the path kept */
	memcpy(buf, frames[1], lens[1]);
	buf[lens[1] - (lens[1] - SAM_HEADER_SIZE - sam_get16(buf + 20)) +
		TREE_OFF_INDEX] = 0;
	ck_assert_int_eq(sam_open(rx, buf, lens[1], &info), SAM_E_BAD_AUTH);
	/* another block: frame 1 with the authenticator of frame 5 */
	swap_auth(1, 5, buf, &len);
	ck_assert_int_eq(sam_open(rx, buf, len, &info), SAM_E_BAD_AUTH);
	/* frame 5 with its sequence number rewritten to frame 1's */
	memcpy(buf, frames[5], lens[5]);
	sam_put64(buf + 12, 2);
	ck_assert_int_eq(sam_open(rx, buf, lens[5], &info), SAM_E_BAD_AUTH);
	sam_ctx_free(rx);

	/* another source with the same key: the root binds the source */
	rx = tree_receiver(TV_SESSION, TV_SOURCE + 1);
	memcpy(buf, frames[1], lens[1]);
	sam_put32(buf + 8, TV_SOURCE + 1);
	ck_assert_int_eq(sam_open(rx, buf, lens[1], &info), SAM_E_BAD_AUTH);
	sam_ctx_free(rx);
	/* another session */
	rx = tree_receiver(TV_SESSION + 1, TV_SOURCE);
	memcpy(buf, frames[1], lens[1]);
	sam_put32(buf + 4, TV_SESSION + 1);
	ck_assert_int_eq(sam_open(rx, buf, lens[1], &info), SAM_E_BAD_AUTH);
	sam_ctx_free(rx);

	/* the originals still open */
	rx = tree_receiver(TV_SESSION, TV_SOURCE);
	assert_opens(rx, 1);
	assert_opens(rx, 5);
	sam_ctx_free(rx);
	sam_ctx_free(tx);
}
END_TEST

START_TEST(test_malformed)
{
	sam_ctx *tx = tree_sender(TV_SESSION, TV_SOURCE, 4), *rx;
	uint8_t buf[TREE_FRAME_SIZE];
	sam_frame_info info;
	size_t auth;

	seal_frames(tx, 4);
	rx = tree_receiver(TV_SESSION, TV_SOURCE);
	/* a path one hash short */
	memcpy(buf, frames[0], lens[0]);
	sam_put16(buf + 22, (uint16_t)(sam_get16(buf + 22) - TREE_HASH_LEN));
	ck_assert_int_eq(sam_open(rx, buf, lens[0] - TREE_HASH_LEN, &info),
					 SAM_E_MALFORMED);
	/* shorter than the fixed part */
	sam_put16(buf + 22, TREE_OFF_PATH - 1);
	ck_assert_int_eq(sam_open(rx, buf, lens[0] - sam_get16(frames[0] + 22) +
							  TREE_OFF_PATH - 1, &info), SAM_E_MALFORMED);
	/* an index beyond k */
	memcpy(buf, frames[3], lens[3]);
	auth = lens[3] - sam_get16(buf + 22);
	buf[auth + TREE_OFF_INDEX] = 4;
	ck_assert_int_eq(sam_open(rx, buf, lens[3], &info), SAM_E_MALFORMED);
	sam_ctx_free(rx);
	sam_ctx_free(tx);
}
END_TEST

START_TEST(test_cache)
{
	sam_ctx *tx = tree_sender(TV_SESSION, TV_SOURCE, 64), *rx;
	struct sam_source *src;
	size_t i;

	seal_frames(tx, 64 + 10);
	rx = tree_receiver(TV_SESSION, TV_SOURCE);
	src = sam_ctx_find_source(rx, TV_SOURCE);
	ck_assert_ptr_nonnull(src);
	assert_opens(rx, 0);
	ck_assert_uint_eq(sam_tree_sig_verifies(src->verifier), 1);
	for (i = 1; i < 64; i++)
	{
		assert_opens(rx, i);
	}
	/* one signature for the whole block */
	ck_assert_uint_eq(sam_tree_sig_verifies(src->verifier), 1);
	for (i = 64; i < 74; i++)
	{
		assert_opens(rx, i);
	}
	ck_assert_uint_eq(sam_tree_sig_verifies(src->verifier), 2);
	sam_ctx_free(rx);
	sam_ctx_free(tx);
}
END_TEST

START_TEST(test_delay)
{
	sam_ctx *tx = tree_sender(TV_SESSION, TV_SOURCE, 64), *rx;
	uint8_t buf[TREE_FRAME_SIZE];
	size_t n = 0, i;

	ck_assert_int_eq(sam_set_tree(tx, 64, 20), SAM_OK);
	now = 1000;
	for (i = 0; i < 3; i++)
	{
		ck_assert_int_eq(sam_seal(tx, "x", 1, buf, sizeof(buf)), 0);
	}
	collect(tx, &n);
	ck_assert_uint_eq(n, 0);
	/* waited exactly T: not older than T yet */
	now = 1020;
	ck_assert_int_eq(sam_seal(tx, "x", 1, buf, sizeof(buf)), 0);
	collect(tx, &n);
	ck_assert_uint_eq(n, 0);
	/* older than T: the block of four closes before the fifth joins */
	now = 1021;
	ck_assert_int_eq(sam_seal(tx, "x", 1, buf, sizeof(buf)), 0);
	collect(tx, &n);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(frames[0][lens[0] - sam_get16(frames[0] + 22) +
								TREE_OFF_K], 3);
	/* the fifth is the next block's first, timed from now */
	now = 1040;
	ck_assert_int_eq(sam_seal(tx, "x", 1, buf, sizeof(buf)), 0);
	collect(tx, &n);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(sam_flush(tx), SAM_OK);
	collect(tx, &n);
	ck_assert_uint_eq(n, 6);
	rx = tree_receiver(TV_SESSION, TV_SOURCE);
	for (i = 0; i < n; i++)
	{
		sam_frame_info info;

		ck_assert_int_eq(sam_open(rx, frames[i], lens[i], &info), SAM_OK);
	}
	sam_ctx_free(rx);
	now = 0;
	sam_ctx_free(tx);
}
END_TEST

START_TEST(test_full_block)
{
	sam_ctx *tx = tree_sender(TV_SESSION, TV_SOURCE, 5);
	uint8_t buf[TREE_FRAME_SIZE];
	size_t n = 0, i;

	for (i = 0; i < 5; i++)
	{
		ck_assert_int_eq(sam_seal(tx, "x", 1, buf, sizeof(buf)), 0);
	}
	/* the m-th frame closes the block without a flush */
	collect(tx, &n);
	ck_assert_uint_eq(n, 5);
	sam_ctx_free(tx);
}
END_TEST

START_TEST(test_flush_empty)
{
	sam_ctx *tx = tree_sender(TV_SESSION, TV_SOURCE, 64);
	uint8_t buf[TREE_FRAME_SIZE];
	sam_stats stats;

	ck_assert_int_eq(sam_flush(tx), SAM_OK);
	ck_assert_int_eq(sam_next_sealed(tx, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sam_flush(tx), SAM_OK);
	ck_assert_int_eq(sam_next_sealed(tx, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(sam_next_seq(tx), 1);
	ck_assert_int_eq(sam_get_stats(tx, &stats), SAM_OK);
	ck_assert_uint_eq(stats.sealed, 0);
	/* a buffer too small for the finished frame keeps it */
	ck_assert_int_eq(sam_seal(tx, "x", 1, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sam_flush(tx), SAM_OK);
	ck_assert_int_eq(sam_next_sealed(tx, buf, 10), SAM_E_BUFSIZE);
	ck_assert_int_eq(sam_next_sealed(tx, buf, sizeof(buf)),
					 SAM_HEADER_SIZE + 1 + TREE_OFF_PATH);
	ck_assert_int_eq(sam_next_sealed(tx, buf, sizeof(buf)), 0);
	sam_ctx_free(tx);
}
END_TEST

START_TEST(test_encrypted)
{
	sam_ctx *tx = tree_sender(TV_SESSION, TV_SOURCE, 3), *rx;
	size_t i, n;

	tc_add_data_key(tx);
	n = seal_frames(tx, 7);
	rx = tree_receiver(TV_SESSION, TV_SOURCE);
	tc_add_data_key(rx);
	ck_assert_int_eq(sam_require_encryption(rx, 1), SAM_OK);
	for (i = 0; i < n; i++)
	{
		ck_assert_uint_ne(sam_get16(frames[i] + 2) & SAM_FLAG_ENCRYPTED, 0);
		assert_opens(rx, n - 1 - i);
	}
	sam_ctx_free(rx);
	sam_ctx_free(tx);
}
END_TEST

/** sam_write() sends the frames of a block when it closes */
static ssize_t count_write(void *io, const void *buf, size_t len)
{
	(void)buf;
	(*(int *)io)++;
	return (ssize_t)len;
}

START_TEST(test_write)
{
	sam_ctx *tx = tree_sender(TV_SESSION, TV_SOURCE, 4);
	uint8_t buf[TREE_FRAME_SIZE];
	int written = 0;
	sam_io_ops io = {.write = count_write, .io = &written};
	int i;

	ck_assert_int_eq(sam_set_io(tx, &io), SAM_OK);
	for (i = 0; i < 6; i++)
	{
		ck_assert_int_eq(sam_write(tx, "x", 1), 1);
	}
	ck_assert_int_eq(written, 4);
	ck_assert_int_eq(sam_flush(tx), SAM_OK);
	ck_assert_int_eq(sam_write(tx, NULL, 0), 0);
	/* the flushed two and the new one waits */
	ck_assert_int_eq(written, 6);
	/* the empty frame: taken out by hand */
	ck_assert_int_eq(sam_flush(tx), SAM_OK);
	ck_assert_int_gt(sam_next_sealed(tx, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sam_next_sealed(tx, buf, sizeof(buf)), 0);
	/* a block closed by the clock while the next frame opens one: all of
	 * it is sent */
	ck_assert_int_eq(sam_set_tree(tx, 64, 20), SAM_OK);
	now = 5000;
	for (i = 0; i < 3; i++)
	{
		ck_assert_int_eq(sam_write(tx, "y", 1), 1);
	}
	ck_assert_int_eq(written, 6);
	now = 5021;
	ck_assert_int_eq(sam_write(tx, "y", 1), 1);
	ck_assert_int_eq(written, 9);
	now = 0;
	sam_ctx_free(tx);
}
END_TEST

START_TEST(test_vector)
{
	static const char *const tv[] = {TV_TREE_0, TV_TREE_1, TV_TREE_2};
	uint8_t buf[TREE_FRAME_SIZE], expect[TREE_FRAME_SIZE];
	sam_ctx *tx = tree_sender(TV_SESSION, TV_SOURCE, 64), *rx;
	sam_frame_info info;
	size_t n = 0, i, len;

	for (i = 0; i < 3; i++)
	{
		ck_assert_int_eq(sam_seal(tx, TV_PAYLOAD, strlen(TV_PAYLOAD), buf,
								  sizeof(buf)), 0);
	}
	ck_assert_int_eq(sam_flush(tx), SAM_OK);
	collect(tx, &n);
	ck_assert_uint_eq(n, 3);
	rx = tree_receiver(TV_SESSION, TV_SOURCE);
	for (i = 0; i < 3; i++)
	{
		len = tc_unhex(tv[i], expect, sizeof(expect));
		ck_assert_uint_eq(lens[i], len);
		ck_assert_int_eq(memcmp(frames[i], expect, len), 0);
		ck_assert_int_eq(sam_open(rx, expect, len, &info), SAM_OK);
		ck_assert_uint_eq(info.seq, i + 1);
	}
	sam_ctx_free(rx);
	sam_ctx_free(tx);
}
END_TEST

START_TEST(test_configure_first)
{
	sam_key *key = tree_key(TV_ED25519_KEY);
	sam_ctx *tx = tc_ctx();

	/* set before the key: the signer made later takes it */
	ck_assert_int_eq(sam_set_tree(tx, 8, 0), SAM_OK);
	ck_assert_int_eq(sam_set_source(tx, TV_SOURCE, 1), SAM_OK);
	ck_assert_int_eq(sam_set_signing_key(tx, key), SAM_OK);
	ck_assert_int_eq(sam_frame_size(tx, 0), SAM_HEADER_SIZE + 74 + 3 * 32);
	sam_key_free(key);
	sam_ctx_free(tx);
}
END_TEST

START_TEST(test_discontinuity)
{
	sam_ctx *tx = tree_sender(TV_SESSION, TV_SOURCE, 64), *rx;
	uint8_t buf[TREE_FRAME_SIZE];
	sam_frame_info info;
	size_t n = 0, i;

	for (i = 0; i < 2; i++)
	{
		ck_assert_int_eq(sam_seal(tx, "x", 1, buf, sizeof(buf)), 0);
	}
	/* another sequence number: the block of two closes first */
	ck_assert_int_eq(sam_set_source(tx, TV_SOURCE, 100), SAM_OK);
	ck_assert_int_eq(sam_seal(tx, "x", 1, buf, sizeof(buf)), 0);
	collect(tx, &n);
	ck_assert_uint_eq(n, 2);
	/* another session: the block of one closes under the old one */
	ck_assert_int_eq(sam_set_session(tx, TV_SESSION + 1), SAM_OK);
	ck_assert_int_eq(sam_seal(tx, "x", 1, buf, sizeof(buf)), 0);
	collect(tx, &n);
	ck_assert_uint_eq(n, 3);
	rx = tree_receiver(TV_SESSION, TV_SOURCE);
	for (i = 0; i < n; i++)
	{
		ck_assert_int_eq(sam_open(rx, frames[i], lens[i], &info), SAM_OK);
	}
	sam_ctx_free(rx);
	ck_assert_int_eq(sam_flush(tx), SAM_OK);
	collect(tx, &n);
	ck_assert_uint_eq(n, 4);
	rx = tree_receiver(TV_SESSION + 1, TV_SOURCE);
	ck_assert_int_eq(sam_open(rx, frames[3], lens[3], &info), SAM_OK);
	ck_assert_uint_eq(info.seq, 101);
	sam_ctx_free(rx);
	sam_ctx_free(tx);
}
END_TEST

Suite *suite_tree(void)
{
	Suite *s = suite_create("tree");
	TCase *tc;

	tc = tcase_create("tree");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_round_trip, 0,
						(int)(sizeof(block_sizes) / sizeof(block_sizes[0])));
	tcase_add_test(tc, test_auth_len);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_bit_flips);
	tcase_add_test(tc, test_moved);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_cache);
	tcase_add_test(tc, test_delay);
	tcase_add_test(tc, test_full_block);
	tcase_add_test(tc, test_flush_empty);
	tcase_add_test(tc, test_encrypted);
	tcase_add_test(tc, test_write);
	tcase_add_test(tc, test_vector);
	tcase_add_test(tc, test_configure_first);
	tcase_add_test(tc, test_discontinuity);
	suite_add_tcase(s, tc);
	return s;
}
