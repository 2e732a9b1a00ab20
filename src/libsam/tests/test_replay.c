/*
 * Replay window edges, through the public API: a group-MAC sender whose
 * next sequence number the test sets freely, and a receiver.
 */

#include "test_common.h"

#define SRC 42

static sam_key *key;
static sam_ctx *tx, *rx;

static void setup_window(unsigned int window)
{
	key = tc_group_key();
	tx = tc_sender(SRC, 1, key);
	rx = tc_ctx();
	if (window)
	{
		ck_assert_int_eq(sam_set_replay_window(rx, window), SAM_OK);
	}
	ck_assert_int_eq(sam_add_source(rx, SRC, key), SAM_OK);
}

static void setup(void)
{
	setup_window(0);
}

static void teardown(void)
{
	sam_ctx_free(tx);
	sam_ctx_free(rx);
	sam_key_free(key);
	tx = rx = NULL;
	key = NULL;
}

/** Seal a frame with seq and open it at the receiver */
static int rx_seq(uint64_t seq)
{
	uint8_t frame[128];
	sam_frame_info info;
	ssize_t len;
	int err;

	ck_assert_int_eq(sam_set_source(tx, SRC, seq), SAM_OK);
	len = tc_seal(tx, frame, sizeof(frame));
	err = sam_open(rx, frame, (size_t)len, &info);
	if (err == SAM_OK)
	{
		ck_assert_uint_eq(info.seq, seq);
	}
	return err;
}

START_TEST(test_first_frame)
{
	/* a receiver may join late: the first number is arbitrary */
	ck_assert_int_eq(rx_seq(100000), SAM_OK);
	ck_assert_int_eq(rx_seq(100000), SAM_E_REPLAY);
	ck_assert_int_eq(rx_seq(100001), SAM_OK);
	/* and what lies before it, inside the window, still arrives */
	ck_assert_int_eq(rx_seq(99999), SAM_OK);
}
END_TEST

START_TEST(test_first_frame_one)
{
	ck_assert_int_eq(rx_seq(1), SAM_OK);
	ck_assert_int_eq(rx_seq(1), SAM_E_REPLAY);
}
END_TEST

START_TEST(test_reorder)
{
	static const uint64_t order[] = { 5, 3, 4, 10, 1, 2, 9, 6, 8, 7 };
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
	{
		ck_assert_int_eq(rx_seq(order[i]), SAM_OK);
	}
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
	{
		ck_assert_int_eq(rx_seq(order[i]), SAM_E_REPLAY);
	}
	ck_assert_int_eq(rx_seq(11), SAM_OK);
}
END_TEST

static const unsigned int windows[] = { 64, 1024, 65536 };

START_TEST(test_window_edge)
{
	uint64_t w = windows[_i], top = 3 * w + 17;

	teardown();
	setup_window(windows[_i]);
	ck_assert_int_eq(rx_seq(top), SAM_OK);
	/* seq + W <= top is too old; top - W + 1 is the oldest accepted */
	ck_assert_int_eq(rx_seq(top - w), SAM_E_TOO_OLD);
	ck_assert_int_eq(rx_seq(top - w + 1), SAM_OK);
	ck_assert_int_eq(rx_seq(top - w + 1), SAM_E_REPLAY);
	ck_assert_int_eq(rx_seq(top - 1), SAM_OK);
	ck_assert_int_eq(rx_seq(1), SAM_E_TOO_OLD);
	/* one step up: the old edge falls out */
	ck_assert_int_eq(rx_seq(top + 1), SAM_OK);
	ck_assert_int_eq(rx_seq(top - w + 1), SAM_E_TOO_OLD);
	ck_assert_int_eq(rx_seq(top - w + 2), SAM_OK);
}
END_TEST

/* fill the whole window, then advance by less than W: the skipped numbers
 * must be cleared, the rest kept */
START_TEST(test_partial_advance)
{
	uint64_t w = windows[_i], s;

	teardown();
	setup_window(windows[_i]);
	for (s = 1; s <= w; s++)
	{
		ck_assert_int_eq(rx_seq(s), SAM_OK);
	}
	ck_assert_int_eq(rx_seq(w + 3), SAM_OK);
	ck_assert_int_eq(rx_seq(w + 1), SAM_OK);
	ck_assert_int_eq(rx_seq(w + 2), SAM_OK);
	ck_assert_int_eq(rx_seq(w + 3), SAM_E_REPLAY);
	ck_assert_int_eq(rx_seq(3), SAM_E_TOO_OLD);
	ck_assert_int_eq(rx_seq(4), SAM_E_REPLAY);
	ck_assert_int_eq(rx_seq(w), SAM_E_REPLAY);
	/* an advance that wraps the bitmap by more than one word */
	ck_assert_int_eq(rx_seq(w + 3 + w / 2 + 70 % w), SAM_OK);
	ck_assert_int_eq(rx_seq(w + 4), SAM_OK);
	ck_assert_int_eq(rx_seq(w + 5), SAM_OK);
}
END_TEST

START_TEST(test_large_jump)
{
	uint64_t w = SAM_DEFAULT_REPLAY_WINDOW, s;

	for (s = 1; s <= 10; s++)
	{
		ck_assert_int_eq(rx_seq(s), SAM_OK);
	}
	ck_assert_int_eq(rx_seq(10 + 100 * w), SAM_OK);
	ck_assert_int_eq(rx_seq(11), SAM_E_TOO_OLD);
	/* bits of the old numbers must not shadow the new ones that alias
	 * them modulo W */
	for (s = 1; s < 10; s++)
	{
		ck_assert_int_eq(rx_seq(s + 100 * w), SAM_OK);
	}
	/* a jump of exactly W */
	ck_assert_int_eq(rx_seq(10 + 101 * w), SAM_OK);
	ck_assert_int_eq(rx_seq(10 + 100 * w), SAM_E_TOO_OLD);
	ck_assert_int_eq(rx_seq(11 + 100 * w), SAM_OK);
	/* a jump to the end of the number space */
	ck_assert_int_eq(rx_seq(UINT64_MAX), SAM_OK);
	ck_assert_int_eq(rx_seq(11 + 100 * w), SAM_E_TOO_OLD);
}
END_TEST

START_TEST(test_near_max)
{
	uint64_t s, w = SAM_DEFAULT_REPLAY_WINDOW;
	uint8_t frame[128];

	/* first frame at the very top: nothing may overflow */
	ck_assert_int_eq(rx_seq(UINT64_MAX), SAM_OK);
	ck_assert_int_eq(rx_seq(UINT64_MAX), SAM_E_REPLAY);
	ck_assert_int_eq(rx_seq(UINT64_MAX - w + 1), SAM_OK);
	ck_assert_int_eq(rx_seq(UINT64_MAX - w), SAM_E_TOO_OLD);
	ck_assert_int_eq(rx_seq(UINT64_MAX - 1), SAM_OK);
	ck_assert_int_eq(rx_seq(1), SAM_E_TOO_OLD);

	/* a sender runs out after UINT64_MAX */
	ck_assert_int_eq(sam_set_source(tx, SRC, UINT64_MAX - 3), SAM_OK);
	for (s = 0; s < 4; s++)
	{
		ck_assert_int_gt(sam_seal(tx, "x", 1, frame, sizeof(frame)), 0);
	}
	ck_assert_uint_eq(sam_next_seq(tx), 0);
	ck_assert_int_eq(sam_seal(tx, "x", 1, frame, sizeof(frame)),
					 SAM_E_SEQ_EXHAUSTED);
	ck_assert_int_eq(sam_seal(tx, "x", 1, frame, sizeof(frame)),
					 SAM_E_SEQ_EXHAUSTED);
	/* the last frame sealed carries UINT64_MAX */
	ck_assert_int_eq(sam_open(rx, frame, 24 + 1 + 32, NULL), SAM_E_REPLAY);
}
END_TEST

START_TEST(test_near_max_receive)
{
	uint64_t s;

	for (s = UINT64_MAX - 70; s != 0; s++)
	{
		ck_assert_int_eq(rx_seq(s), SAM_OK);
	}
	for (s = UINT64_MAX - 63; s != 0; s++)
	{
		ck_assert_int_eq(rx_seq(s), SAM_E_REPLAY);
	}
}
END_TEST

/* a forged frame with a huge number must not move the window */
START_TEST(test_forged_jump)
{
	uint8_t frame[128];
	uint8_t secret[32] = { 1 };
	sam_key *evil;
	sam_ctx *forger;
	ssize_t len;

	ck_assert_int_eq(rx_seq(1), SAM_OK);
	ck_assert_int_eq(sam_key_from_secret(secret, sizeof(secret), &evil),
					 SAM_OK);
	forger = tc_sender(SRC, UINT64_MAX - 1, evil);
	len = tc_seal(forger, frame, sizeof(frame));
	ck_assert_int_eq(sam_open(rx, frame, (size_t)len, NULL), SAM_E_BAD_AUTH);
	/* the real sender goes on as if nothing happened */
	ck_assert_int_eq(rx_seq(2), SAM_OK);
	ck_assert_int_eq(rx_seq(UINT64_MAX - 1), SAM_OK);
	sam_ctx_free(forger);
	sam_key_free(evil);
}
END_TEST

START_TEST(test_window_size)
{
	sam_ctx *ctx = tc_ctx();

	ck_assert_int_eq(sam_set_replay_window(ctx, 0), SAM_E_INVAL);
	ck_assert_int_eq(sam_set_replay_window(ctx, 63), SAM_E_INVAL);
	ck_assert_int_eq(sam_set_replay_window(ctx, SAM_MAX_REPLAY_WINDOW + 1),
					 SAM_E_INVAL);
	ck_assert_int_eq(sam_set_replay_window(NULL, 64), SAM_E_INVAL);
	ck_assert_int_eq(sam_set_replay_window(ctx, 64), SAM_OK);
	ck_assert_int_eq(sam_set_replay_window(ctx, SAM_MAX_REPLAY_WINDOW),
					 SAM_OK);
	sam_ctx_free(ctx);

	/* 100 is rounded up to 128 */
	teardown();
	setup_window(100);
	ck_assert_int_eq(rx_seq(1000), SAM_OK);
	ck_assert_int_eq(rx_seq(1000 - 127), SAM_OK);
	ck_assert_int_eq(rx_seq(1000 - 128), SAM_E_TOO_OLD);
}
END_TEST

/* the window size applies to sources added afterwards */
START_TEST(test_window_per_source)
{
	ck_assert_int_eq(sam_set_replay_window(rx, 64), SAM_OK);
	ck_assert_int_eq(rx_seq(2000), SAM_OK);
	/* SRC was added with the default window */
	ck_assert_int_eq(rx_seq(2000 - 1023), SAM_OK);
	ck_assert_int_eq(sam_remove_source(rx, SRC), SAM_OK);
	ck_assert_int_eq(sam_add_source(rx, SRC, key), SAM_OK);
	/* re-added: a fresh window of 64 */
	ck_assert_int_eq(rx_seq(2000), SAM_OK);
	ck_assert_int_eq(rx_seq(2000 - 63), SAM_OK);
	ck_assert_int_eq(rx_seq(2000 - 64), SAM_E_TOO_OLD);
}
END_TEST

/* each source has its own window */
START_TEST(test_sources_independent)
{
	sam_ctx *tx2 = tc_sender(SRC + 1, 1, key);
	uint8_t frame[128];
	ssize_t len;

	ck_assert_int_eq(sam_add_source(rx, SRC + 1, key), SAM_OK);
	ck_assert_int_eq(rx_seq(1), SAM_OK);
	len = tc_seal(tx2, frame, sizeof(frame));
	ck_assert_int_eq(sam_open(rx, frame, (size_t)len, NULL), SAM_OK);
	ck_assert_int_eq(sam_open(rx, frame, (size_t)len, NULL), SAM_E_REPLAY);
	sam_ctx_free(tx2);
}
END_TEST

Suite *suite_replay(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("replay");
	int n = sizeof(windows) / sizeof(windows[0]);

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_first_frame);
	tcase_add_test(tc, test_first_frame_one);
	tcase_add_test(tc, test_reorder);
	tcase_add_loop_test(tc, test_window_edge, 0, n);
	tcase_add_loop_test(tc, test_partial_advance, 0, n);
	tcase_add_test(tc, test_large_jump);
	tcase_add_test(tc, test_near_max);
	tcase_add_test(tc, test_near_max_receive);
	tcase_add_test(tc, test_forged_jump);
	tcase_add_test(tc, test_window_size);
	tcase_add_test(tc, test_window_per_source);
	tcase_add_test(tc, test_sources_independent);
	suite_add_tcase(s, tc);
	return s;
}
