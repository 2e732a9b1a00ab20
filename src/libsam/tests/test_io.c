/*
 * sam_write() / sam_readfrom() over a mock I/O context: an in-memory
 * datagram queue.
 */

#include <netinet/in.h>

#include "test_common.h"

#define QLEN 16

struct queue {
	uint8_t dgram[QLEN][SAM_MAX_FRAME];
	size_t len[QLEN];
	size_t head, tail;
	int fail_write;
};

static ssize_t q_write(void *io, const void *buf, size_t len)
{
	struct queue *q = io;

	if (q->fail_write || q->tail == QLEN)
	{
		return -1;
	}
	memcpy(q->dgram[q->tail], buf, len);
	q->len[q->tail++] = len;
	return (ssize_t)len;
}

static ssize_t q_read(void *io, void *buf, size_t len)
{
	struct queue *q = io;
	size_t n;

	if (q->head == q->tail)
	{
		/* end of the test data: an I/O error ends sam_readfrom() */
		return -1;
	}
	n = q->len[q->head] < len ? q->len[q->head] : len;
	memcpy(buf, q->dgram[q->head++], n);
	return (ssize_t)n;
}

static ssize_t q_readfrom(void *io, void *buf, size_t len,
						  struct sockaddr *from, socklen_t *fromlen)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(4242),
		.sin_addr.s_addr = htonl(0x7f000001),
	};
	ssize_t n = q_read(io, buf, len);

	if (n >= 0 && from && fromlen)
	{
		socklen_t l = *fromlen < sizeof(sin) ? *fromlen : sizeof(sin);

		memcpy(from, &sin, l);
		*fromlen = sizeof(sin);
	}
	return n;
}

static void q_push(struct queue *q, const void *buf, size_t len)
{
	ck_assert_int_eq(q_write(q, buf, len), (ssize_t)len);
}

struct rejects {
	int err[QLEN];
	size_t len[QLEN];
	int had_from[QLEN];
	int n;
};

static void on_reject(void *user, sam_err err, const uint8_t *frame,
					  size_t len, const struct sockaddr *from,
					  socklen_t fromlen)
{
	struct rejects *r = user;

	ck_assert_ptr_nonnull(frame);
	ck_assert_int_lt(r->n, QLEN);
	r->err[r->n] = err;
	r->len[r->n] = len;
	r->had_from[r->n] = from && fromlen == sizeof(struct sockaddr_in) &&
		((const struct sockaddr_in *)from)->sin_port == htons(4242);
	r->n++;
}

static struct queue queue;

START_TEST(test_write_read)
{
	sam_key *key = tc_key(TV_ED25519_KEY), *pub = tc_key(TV_ED25519_PUB);
	sam_ctx *tx = tc_sender(TV_SOURCE, 1, key), *rx = tc_ctx();
	sam_io_ops io = {
		.read = q_read, .readfrom = _i ? q_readfrom : NULL,
		.write = q_write, .io = &queue,
	};
	struct sockaddr_in from;
	socklen_t fromlen;
	struct rejects rej = { .n = 0 };
	uint8_t buf[64], garbage[3] = { 1, 2, 3 };
	sam_frame_info info;
	sam_stats stats;
	size_t replayed;

	memset(&queue, 0, sizeof(queue));
	ck_assert_int_eq(sam_set_io(tx, &io), SAM_OK);
	ck_assert_int_eq(sam_set_io(rx, &io), SAM_OK);
	ck_assert_int_eq(sam_set_reject_cb(rx, on_reject, &rej), SAM_OK);
	ck_assert_int_eq(sam_add_source(rx, TV_SOURCE, pub), SAM_OK);

	ck_assert_int_eq(sam_write(tx, "first", 5), 5);
	replayed = queue.tail - 1;
	q_push(&queue, garbage, sizeof(garbage));
	ck_assert_int_eq(sam_write(tx, "second", 6), 6);
	/* a replay of the first frame */
	q_push(&queue, queue.dgram[replayed], queue.len[replayed]);
	/* too long for the 10-byte buffer below */
	ck_assert_int_eq(sam_write(tx, "third, a long one", 17), 17);
	ck_assert_int_eq(sam_write(tx, "", 0), 0);

	fromlen = sizeof(from);
	ck_assert_int_eq(sam_readfrom(rx, buf, sizeof(buf), &info,
								  (struct sockaddr *)&from, &fromlen), 5);
	ck_assert_mem_eq(buf, "first", 5);
	ck_assert_uint_eq(info.source_id, TV_SOURCE);
	ck_assert_ptr_eq(info.payload, buf);
	ck_assert_uint_eq(info.payload_len, 5);
	if (_i)
	{
		ck_assert_uint_eq(fromlen, sizeof(from));
		ck_assert_uint_eq(ntohs(from.sin_port), 4242);
	}
	else
	{
		ck_assert_uint_eq(fromlen, 0);
	}
	ck_assert_int_eq(rej.n, 0);

	fromlen = sizeof(from);
	ck_assert_int_eq(sam_readfrom(rx, buf, sizeof(buf), NULL,
								  (struct sockaddr *)&from, &fromlen), 6);
	ck_assert_mem_eq(buf, "second", 6);
	ck_assert_int_eq(rej.n, 1);
	ck_assert_int_eq(rej.err[0], SAM_E_MALFORMED);
	ck_assert_uint_eq(rej.len[0], sizeof(garbage));
	ck_assert_int_eq(rej.had_from[0], _i);

	/* the replay, then the long payload are dropped; the empty one fits */
	ck_assert_int_eq(sam_readfrom(rx, buf, 10, NULL, NULL, NULL), 0);
	ck_assert_int_eq(rej.n, 3);
	ck_assert_int_eq(rej.err[1], SAM_E_REPLAY);
	ck_assert_int_eq(rej.err[2], SAM_E_BUFSIZE);
	ck_assert_uint_eq(rej.len[2], 24 + 17 + 64);

	/* the queue is empty: the I/O error comes through */
	ck_assert_int_eq(sam_readfrom(rx, buf, sizeof(buf), NULL, NULL, NULL),
					 SAM_E_IO);

	ck_assert_int_eq(sam_get_stats(tx, &stats), SAM_OK);
	ck_assert_uint_eq(stats.sealed, 4);
	ck_assert_int_eq(sam_get_stats(rx, &stats), SAM_OK);
	ck_assert_uint_eq(stats.accepted, 4);
	ck_assert_uint_eq(sam_get_rejected(rx, SAM_E_MALFORMED), 1);
	ck_assert_uint_eq(sam_get_rejected(rx, SAM_E_REPLAY), 1);
	ck_assert_uint_eq(sam_get_rejected(rx, SAM_E_BUFSIZE), 1);

	sam_ctx_free(tx);
	sam_ctx_free(rx);
	sam_key_free(key);
	sam_key_free(pub);
}
END_TEST

START_TEST(test_io_errors)
{
	sam_key *key = tc_group_key();
	sam_ctx *ctx = tc_sender(1, 1, key);
	sam_io_ops none = { 0 }, io = {
		.read = q_read, .write = q_write, .io = &queue,
	};
	uint8_t buf[16];
	static uint8_t big[SAM_MAX_FRAME];

	memset(&queue, 0, sizeof(queue));
	/* no I/O context yet */
	ck_assert_int_eq(sam_write(ctx, "x", 1), SAM_E_IO);
	ck_assert_int_eq(sam_readfrom(ctx, buf, sizeof(buf), NULL, NULL, NULL),
					 SAM_E_IO);
	ck_assert_int_eq(sam_set_io(ctx, &none), SAM_OK);
	ck_assert_int_eq(sam_write(ctx, "x", 1), SAM_E_IO);
	ck_assert_int_eq(sam_set_io(ctx, &io), SAM_OK);
	queue.fail_write = 1;
	ck_assert_int_eq(sam_write(ctx, "x", 1), SAM_E_IO);
	queue.fail_write = 0;
	/* write errors are passed on from sam_seal() */
	ck_assert_int_eq(sam_write(ctx, big, sizeof(big)), SAM_E_TOOBIG);
	ck_assert_int_eq(sam_write(ctx, "x", 1), 1);
	sam_ctx_free(ctx);
	sam_key_free(key);
}
END_TEST

Suite *suite_io(void)
{
	Suite *s = suite_create("io");
	TCase *tc = tcase_create("io");

	tcase_add_loop_test(tc, test_write_read, 0, 2);
	tcase_add_test(tc, test_io_errors);
	suite_add_tcase(s, tc);
	return s;
}
