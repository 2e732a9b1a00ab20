/*
 * Scheme interface version 2 through the context: frames that become
 * authentic later (pending budget, the order they are handed out in, the
 * replay window marked only once authentic), a batching sender with
 * flush, the clock, and the API repairs (session required, what
 * authenticated a frame, a restarted sender's sequence numbers).
 *
 * The delayed and batching schemes are mocks installed on a source or a
 * sender of a real context (the tests link libsam statically): a frame
 * whose payload is "K<n>" is authentic at once and discloses frames up
 * to sequence number n; other frames are pending until disclosed, and a
 * payload starting with 'X' is a forgery the disclosure unmasks.
 */

#include <stdio.h>
#include <stdlib.h>

#include "test_common.h"
#include "context.h"
#include "frame.h"

/* ---- the delayed mock ---------------------------------------------------- */

struct mock_verifier {
	uint64_t disclosed;
	unsigned int resolves;
};

static int payload_is(const struct sam_frame_view *f, char c)
{
	return f->hdr->payload_len && f->data[SAM_HEADER_SIZE] == c;
}

static int mock_verify(void *verifier, const struct sam_key *key,
					   const struct sam_scheme_env *env,
					   const struct sam_frame_view *f)
{
	struct mock_verifier *v = verifier;

	(void)key;
	(void)env;
	if (payload_is(f, 'K'))
	{
		v->disclosed = strtoull((const char *)f->data + SAM_HEADER_SIZE + 1,
								NULL, 10);
		return SAM_OK;
	}
	return SAM_PENDING;
}

static int mock_resolve(void *verifier, const struct sam_key *key,
						const struct sam_scheme_env *env,
						const struct sam_frame_view *f)
{
	struct mock_verifier *v = verifier;

	(void)key;
	(void)env;
	v->resolves++;
	if (f->hdr->seq > v->disclosed)
	{
		return SAM_PENDING;
	}
	return payload_is(f, 'X') ? SAM_E_BAD_AUTH : SAM_OK;
}

static const struct sam_scheme_ops mock_delayed = {
	.id = SAM_SCHEME_HMAC_SHA256,
	.wire_id = SAM_SCHEME_HMAC_SHA256,
	.name = "mock-delayed",
	.key_kind = SAM_KEY_SECRET,
	.auth = SAM_AUTH_SOURCE,
	.max_auth_len = 32,
	.verifier_size = sizeof(struct mock_verifier),
	.verify = mock_verify,
	.resolve = mock_resolve,
};

/** A receiver whose source TV_SOURCE uses the delayed mock */
static sam_ctx *delayed_receiver(size_t frames, size_t frame_len)
{
	sam_key *key = tc_group_key();
	struct sam_source *src;
	sam_ctx *rx = tc_ctx();

	ck_assert_int_eq(sam_set_pending(rx, frames, frame_len), SAM_OK);
	ck_assert_int_eq(sam_add_source(rx, TV_SOURCE, key), SAM_OK);
	sam_key_free(key);
	/* swap the scheme: state and budget as sam_add_source() makes them */
	src = sam_ctx_find_source(rx, TV_SOURCE);
	ck_assert_ptr_nonnull(src);
	src->ops = &mock_delayed;
	src->verifier = sam_ctx_alloc(rx, sizeof(struct mock_verifier));
	memset(src->verifier, 0, sizeof(struct mock_verifier));
	ck_assert_int_eq(sam_pending_init(rx, &src->pending, frames, frame_len),
					 SAM_OK);
	ck_assert_int_eq(sam_pending_grow_ready(rx, frames), SAM_OK);
	return rx;
}

/** A frame of the mock: header, payload, 32 bytes of "authenticator" */
static size_t mock_frame(uint64_t seq, const char *payload, uint8_t *out)
{
	size_t len = strlen(payload);
	struct sam_frame_hdr hdr = {
		.version = SAM_FRAME_VERSION,
		.scheme = SAM_SCHEME_HMAC_SHA256,
		.session_id = TV_SESSION,
		.source_id = TV_SOURCE,
		.seq = seq,
		.payload_len = (uint16_t)len,
		.auth_len = 32,
	};

	sam_frame_encode(&hdr, out);
	memcpy(out + SAM_HEADER_SIZE, payload, len);
	memset(out + SAM_HEADER_SIZE + len, 0xaa, 32);
	return SAM_HEADER_SIZE + len + 32;
}

static int open_mock(sam_ctx *rx, uint64_t seq, const char *payload)
{
	uint8_t frame[256];
	size_t len = mock_frame(seq, payload, frame);

	return sam_open(rx, frame, len, NULL);
}

/** Take the next authentic frame, assert its seq and payload */
static void expect_next(sam_ctx *rx, uint64_t seq, const char *payload)
{
	sam_frame_info info;

	ck_assert_int_eq(sam_next_authentic(rx, &info), SAM_OK);
	ck_assert_uint_eq(info.seq, seq);
	ck_assert_uint_eq(info.payload_len, strlen(payload));
	ck_assert_mem_eq(info.payload, payload, strlen(payload));
	ck_assert_uint_eq(info.source_id, TV_SOURCE);
}

START_TEST(test_pending_in_order)
{
	sam_ctx *rx = delayed_receiver(8, 256);
	sam_frame_info info;
	sam_stats stats;

	ck_assert_int_eq(open_mock(rx, 1, "a"), SAM_PENDING);
	ck_assert_int_eq(open_mock(rx, 2, "b"), SAM_PENDING);
	ck_assert_int_eq(open_mock(rx, 3, "c"), SAM_PENDING);
	ck_assert_int_eq(sam_next_authentic(rx, &info), SAM_PENDING);
	/* the disclosure of 1..2 settles those two, in the order they came */
	ck_assert_int_eq(open_mock(rx, 4, "K2"), SAM_OK);
	expect_next(rx, 1, "a");
	expect_next(rx, 2, "b");
	ck_assert_int_eq(sam_next_authentic(rx, &info), SAM_PENDING);
	ck_assert_int_eq(open_mock(rx, 5, "K3"), SAM_OK);
	expect_next(rx, 3, "c");
	ck_assert_int_eq(sam_poll(rx), 0);
	ck_assert_int_eq(sam_get_stats(rx, &stats), SAM_OK);
	ck_assert_uint_eq(stats.pending, 3);
	/* 2 key frames + 3 settled */
	ck_assert_uint_eq(stats.accepted, 5);
	ck_assert_uint_eq(stats.rejected, 0);
	sam_ctx_free(rx);
}
END_TEST

START_TEST(test_pending_replay_marked_when_authentic)
{
	sam_ctx *rx = delayed_receiver(8, 256);

	ck_assert_int_eq(open_mock(rx, 10, "a"), SAM_PENDING);
	/* a copy of a frame still waiting is not kept twice */
	ck_assert_int_eq(open_mock(rx, 10, "a"), SAM_E_REPLAY);
	/* pending frames do not move the window: a frame far ahead that is
	 * forged cannot lock the sender out */
	ck_assert_int_eq(open_mock(rx, 100000, "X"), SAM_PENDING);
	ck_assert_int_eq(open_mock(rx, 11, "K10"), SAM_OK);
	expect_next(rx, 10, "a");
	/* now it is marked */
	ck_assert_int_eq(open_mock(rx, 10, "a"), SAM_E_REPLAY);
	/* the forgery far ahead is unmasked and dropped, the window stays */
	ck_assert_int_eq(open_mock(rx, 12, "K100000"), SAM_OK);
	ck_assert_uint_eq(sam_get_rejected(rx, SAM_E_BAD_AUTH), 1);
	ck_assert_int_eq(open_mock(rx, 13, "K13"), SAM_OK);
	sam_ctx_free(rx);
}
END_TEST

/* encrypted frames kept pending are decrypted when they become authentic:
 * a wrong key or an unknown key id drops them then, without marking the
 * window */
START_TEST(test_pending_encrypted)
{
	sam_ctx *rx = delayed_receiver(8, 256);
	sam_key *key = tc_group_key();
	sam_ctx *tx = tc_sender(TV_SOURCE, 1, key);
	uint8_t good[SAM_DATA_KEY_SIZE], bad[SAM_DATA_KEY_SIZE];
	uint8_t f[3][256];
	ssize_t len[3];
	int i;

	memset(good, 0x11, sizeof(good));
	memset(bad, 0x22, sizeof(bad));
	ck_assert_int_eq(sam_add_data_key(rx, 5, good, sizeof(good)), SAM_OK);
	ck_assert_int_eq(sam_add_data_key(tx, 5, good, sizeof(good)), SAM_OK);
	len[0] = sam_seal(tx, "secret a", 8, f[0], sizeof(f[0]));
	/* an insider's frame under the right id, but another key */
	ck_assert_int_eq(sam_remove_data_key(tx, 5), SAM_OK);
	ck_assert_int_eq(sam_add_data_key(tx, 5, bad, sizeof(bad)), SAM_OK);
	len[1] = sam_seal(tx, "secret b", 8, f[1], sizeof(f[1]));
	/* a key the receiver does not have yet */
	ck_assert_int_eq(sam_add_data_key(tx, 6, good, sizeof(good)), SAM_OK);
	len[2] = sam_seal(tx, "secret c", 8, f[2], sizeof(f[2]));
	for (i = 0; i < 3; i++)
	{
		ck_assert_int_gt(len[i], 0);
		ck_assert_int_eq(sam_open(rx, f[i], (size_t)len[i], NULL),
						 SAM_PENDING);
	}
	/* the disclosure makes all three authentic; one decrypts */
	ck_assert_int_eq(open_mock(rx, 4, "K3"), SAM_OK);
	expect_next(rx, 1, "secret a");
	ck_assert_int_eq(sam_next_authentic(rx, NULL), SAM_PENDING);
	ck_assert_uint_eq(sam_get_rejected(rx, SAM_E_DECRYPT), 1);
	ck_assert_uint_eq(sam_get_rejected(rx, SAM_E_DATA_KEY), 1);
	/* the window was not marked: with the key it opens */
	ck_assert_int_eq(sam_add_data_key(rx, 6, good, sizeof(good)), SAM_OK);
	ck_assert_int_eq(sam_open(rx, f[2], (size_t)len[2], NULL), SAM_PENDING);
	expect_next(rx, 3, "secret c");
	ck_assert_int_eq(sam_open(rx, f[0], (size_t)len[0], NULL),
					 SAM_E_REPLAY);
	sam_ctx_free(tx);
	sam_ctx_free(rx);
	sam_key_free(key);
}
END_TEST

START_TEST(test_pending_budget)
{
	sam_ctx *rx = delayed_receiver(2, 64);
	char big[64];

	ck_assert_int_eq(open_mock(rx, 1, "a"), SAM_PENDING);
	ck_assert_int_eq(open_mock(rx, 2, "b"), SAM_PENDING);
	ck_assert_int_eq(open_mock(rx, 3, "c"), SAM_E_BUDGET);
	ck_assert_uint_eq(sam_get_rejected(rx, SAM_E_BUDGET), 1);
	/* once settled the slots are free again */
	ck_assert_int_eq(open_mock(rx, 4, "K3"), SAM_OK);
	expect_next(rx, 1, "a");
	expect_next(rx, 2, "b");
	ck_assert_int_eq(open_mock(rx, 5, "d"), SAM_PENDING);
	/* a frame longer than a slot never fits */
	memset(big, 'e', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(open_mock(rx, 6, big), SAM_E_BUDGET);
	sam_ctx_free(rx);
}
END_TEST

START_TEST(test_pending_no_budget)
{
	sam_ctx *rx = delayed_receiver(0, 0);

	ck_assert_int_eq(open_mock(rx, 1, "a"), SAM_E_BUDGET);
	ck_assert_int_eq(open_mock(rx, 2, "K1"), SAM_OK);
	sam_ctx_free(rx);
}
END_TEST

/* ---- sam_readfrom() over a queue ------------------------------------------ */

struct queue {
	uint8_t frame[8][256];
	size_t len[8];
	int n, next;
};

static ssize_t queue_read(void *io, void *buf, size_t len)
{
	struct queue *q = io;

	if (q->next == q->n)
	{
		return -1;
	}
	ck_assert_uint_le(q->len[q->next], len);
	memcpy(buf, q->frame[q->next], q->len[q->next]);
	return (ssize_t)q->len[q->next++];
}

struct rejects {
	int count;
	int last;
};

static void on_reject(void *user, sam_err err, const uint8_t *frame,
					  size_t len, const struct sockaddr *from,
					  socklen_t fromlen)
{
	struct rejects *r = user;

	(void)frame;
	(void)len;
	(void)from;
	(void)fromlen;
	r->count++;
	r->last = err;
}

START_TEST(test_pending_readfrom)
{
	sam_ctx *rx = delayed_receiver(8, 256);
	struct queue q = {};
	struct rejects rej = {};
	sam_io_ops io = {
		.read = queue_read,
		.io = &q,
	};
	sam_frame_info info;
	char buf[64];

	q.len[q.n] = mock_frame(1, "a", q.frame[q.n]); q.n++;
	q.len[q.n] = mock_frame(2, "X-forged", q.frame[q.n]); q.n++;
	q.len[q.n] = mock_frame(3, "K2", q.frame[q.n]); q.n++;
	ck_assert_int_eq(sam_set_io(rx, &io), SAM_OK);
	ck_assert_int_eq(sam_set_reject_cb(rx, on_reject, &rej), SAM_OK);
	/* the key frame comes first: it is authentic at once */
	ck_assert_int_eq(sam_readfrom(rx, buf, sizeof(buf), &info, NULL, NULL),
					 2);
	ck_assert_mem_eq(buf, "K2", 2);
	ck_assert_uint_eq(info.seq, 3);
	/* then what it settled: the real frame; the forgery was dropped */
	ck_assert_int_eq(sam_readfrom(rx, buf, sizeof(buf), &info, NULL, NULL),
					 1);
	ck_assert_mem_eq(buf, "a", 1);
	ck_assert_uint_eq(info.seq, 1);
	ck_assert_ptr_eq(info.payload, buf);
	ck_assert_int_eq(rej.count, 1);
	ck_assert_int_eq(rej.last, SAM_E_BAD_AUTH);
	ck_assert_int_eq(sam_readfrom(rx, buf, sizeof(buf), &info, NULL, NULL),
					 SAM_E_IO);
	sam_ctx_free(rx);
}
END_TEST

/* ---- a batching sender ---------------------------------------------------- */

#define BATCH 4

struct mock_signer {
	uint8_t frame[BATCH][128];
	size_t len[BATCH];
	int held, done, next;
};

static int batch_sign(void *signer, const struct sam_key *key,
					  const struct sam_scheme_env *env, const uint8_t *data,
					  size_t len, uint8_t *out)
{
	struct mock_signer *s = signer;

	(void)key;
	(void)env;
	(void)out;
	if (s->held == BATCH)
	{
		return SAM_E_BUDGET;
	}
	memcpy(s->frame[s->held], data, len);
	s->len[s->held++] = len + 32;
	return SAM_PENDING;
}

static int batch_flush(void *signer, const struct sam_key *key,
					   const struct sam_scheme_env *env)
{
	struct mock_signer *s = signer;
	int i;

	(void)key;
	(void)env;
	for (i = s->done; i < s->held; i++)
	{	/* "the block's signature" */
		memset(s->frame[i] + s->len[i] - 32, 0x5a, 32);
	}
	s->done = s->held;
	return SAM_OK;
}

static ssize_t batch_next(void *signer, uint8_t *out, size_t size)
{
	struct mock_signer *s = signer;
	size_t len;

	if (s->next == s->done)
	{
		return 0;
	}
	len = s->len[s->next];
	ck_assert_uint_le(len, size);
	memcpy(out, s->frame[s->next++], len);
	return (ssize_t)len;
}

static size_t batch_auth_len(const void *signer)
{
	(void)signer;
	return 32;
}

static const struct sam_scheme_ops mock_batching = {
	.id = SAM_SCHEME_HMAC_SHA256,
	.wire_id = SAM_SCHEME_HMAC_SHA256,
	.name = "mock-batching",
	.key_kind = SAM_KEY_SECRET,
	.auth = SAM_AUTH_GROUP,
	.max_auth_len = 32,
	.signer_size = sizeof(struct mock_signer),
	.auth_len = batch_auth_len,
	.sign = batch_sign,
	.flush = batch_flush,
	.next_sealed = batch_next,
};

START_TEST(test_batching_sender)
{
	sam_key *key = tc_group_key();
	sam_ctx *tx = tc_sender(7, 1, key);
	struct sam_frame_hdr hdr;
	uint8_t frame[256];
	int i;

	tx->send_ops = &mock_batching;
	tx->signer = sam_ctx_alloc(tx, sizeof(struct mock_signer));
	memset(tx->signer, 0, sizeof(struct mock_signer));
	for (i = 0; i < 3; i++)
	{	/* held: nothing to send yet, but the number is used */
		ck_assert_int_eq(sam_seal(tx, "abc", 3, frame, sizeof(frame)), 0);
	}
	ck_assert_uint_eq(sam_next_seq(tx), 4);
	ck_assert_int_eq(sam_next_sealed(tx, frame, sizeof(frame)), 0);
	ck_assert_int_eq(sam_flush(tx), SAM_OK);
	for (i = 0; i < 3; i++)
	{
		ck_assert_int_eq(sam_next_sealed(tx, frame, sizeof(frame)),
						 SAM_HEADER_SIZE + 3 + 32);
		sam_frame_decode(frame, &hdr);
		ck_assert_uint_eq(hdr.seq, (uint64_t)i + 1);
		ck_assert_uint_eq(frame[SAM_HEADER_SIZE + 3], 0x5a);
	}
	ck_assert_int_eq(sam_next_sealed(tx, frame, sizeof(frame)), 0);
	sam_ctx_free(tx);
	sam_key_free(key);
}
END_TEST

/* ---- API repairs ---------------------------------------------------------- */

START_TEST(test_session_required)
{
	sam_key *key = tc_group_key();
	uint8_t frame[256];
	sam_ctx *tx, *rx;
	ssize_t len;

	ck_assert_int_eq(sam_ctx_new(NULL, &tx), SAM_OK);
	ck_assert_int_eq(sam_ctx_new(NULL, &rx), SAM_OK);
	ck_assert_int_eq(sam_set_source(tx, 1, 1), SAM_OK);
	ck_assert_int_eq(sam_set_signing_key(tx, key), SAM_OK);
	ck_assert_int_eq(sam_add_source(rx, 1, key), SAM_OK);
	ck_assert_int_eq(sam_seal(tx, "x", 1, frame, sizeof(frame)),
					 SAM_E_NOSESSION);
	/* session 0 is a session like any other once set */
	ck_assert_int_eq(sam_set_session(tx, 0), SAM_OK);
	len = sam_seal(tx, "x", 1, frame, sizeof(frame));
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(sam_open(rx, frame, (size_t)len, NULL),
					 SAM_E_NOSESSION);
	ck_assert_int_eq(sam_set_session(rx, 0), SAM_OK);
	ck_assert_int_eq(sam_open(rx, frame, (size_t)len, NULL), SAM_OK);
	sam_ctx_free(tx);
	sam_ctx_free(rx);
	sam_key_free(key);
}
END_TEST

START_TEST(test_auth_kind)
{
	sam_key *group = tc_group_key(), *ed = tc_key(TV_ED25519_KEY);
	uint8_t frame[256];
	sam_frame_info info;
	sam_ctx *tx, *rx;
	ssize_t len;

	rx = tc_ctx();
	ck_assert_int_eq(sam_add_source(rx, 1, group), SAM_OK);
	ck_assert_int_eq(sam_add_source(rx, 2, ed), SAM_OK);
	tx = tc_sender(1, 1, group);
	len = tc_seal(tx, frame, sizeof(frame));
	ck_assert_int_eq(sam_open(rx, frame, (size_t)len, &info), SAM_OK);
	/* a MAC proves membership only: the source id is a claim */
	ck_assert_int_eq(info.auth, SAM_AUTH_GROUP);
	sam_ctx_free(tx);
	tx = tc_sender(2, 1, ed);
	len = tc_seal(tx, frame, sizeof(frame));
	ck_assert_int_eq(sam_open(rx, frame, (size_t)len, &info), SAM_OK);
	ck_assert_int_eq(info.auth, SAM_AUTH_SOURCE);
	sam_ctx_free(tx);
	sam_ctx_free(rx);
	sam_key_free(group);
	sam_key_free(ed);
}
END_TEST

static uint64_t fixed_clock(void *user)
{
	return *(uint64_t *)user;
}

START_TEST(test_restarted_sender)
{
	sam_key *key = tc_key(TV_ED25519_KEY);
	uint64_t now = UINT64_C(1764547200000);	/* 2025-12-01, in ms */
	uint8_t old[256], frame[256];
	ssize_t oldlen, len;
	sam_ctx *tx, *rx;
	int i;

	rx = tc_ctx();
	ck_assert_int_eq(sam_add_source(rx, 5, key), SAM_OK);
	tx = tc_ctx();
	ck_assert_int_eq(sam_set_clock(tx, fixed_clock, &now), SAM_OK);
	ck_assert_int_eq(sam_set_source(tx, 5, 0), SAM_OK);
	ck_assert_uint_eq(sam_next_seq(tx), now << 20);
	ck_assert_int_eq(sam_set_signing_key(tx, key), SAM_OK);
	oldlen = tc_seal(tx, old, sizeof(old));
	ck_assert_int_eq(sam_open(rx, old, (size_t)oldlen, NULL), SAM_OK);
	for (i = 0; i < 2000; i++)
	{	/* more than a replay window */
		len = tc_seal(tx, frame, sizeof(frame));
		ck_assert_int_eq(sam_open(rx, frame, (size_t)len, NULL), SAM_OK);
	}
	sam_ctx_free(tx);

	/* the sender restarts without its state, a second later */
	now += 1000;
	tx = tc_ctx();
	ck_assert_int_eq(sam_set_clock(tx, fixed_clock, &now), SAM_OK);
	ck_assert_int_eq(sam_set_source(tx, 5, 0), SAM_OK);
	ck_assert_int_eq(sam_set_signing_key(tx, key), SAM_OK);
	len = tc_seal(tx, frame, sizeof(frame));
	/* receivers take it at once ... */
	ck_assert_int_eq(sam_open(rx, frame, (size_t)len, NULL), SAM_OK);
	/* ... and its old frames cannot be replayed */
	ck_assert_int_eq(sam_open(rx, old, (size_t)oldlen, NULL), SAM_E_TOO_OLD);
	sam_ctx_free(tx);
	sam_ctx_free(rx);
	sam_key_free(key);
}
END_TEST

START_TEST(test_rejected_by_reason)
{
	sam_ctx *rx = tc_ctx();
	uint8_t junk[8] = { SAM_FRAME_VERSION };
	sam_stats stats;

	ck_assert_int_eq(sam_open(rx, junk, sizeof(junk), NULL), SAM_E_MALFORMED);
	junk[0] = 9;
	ck_assert_int_eq(sam_open(rx, junk, sizeof(junk), NULL), SAM_E_VERSION);
	ck_assert_uint_eq(sam_get_rejected(rx, SAM_E_MALFORMED), 1);
	ck_assert_uint_eq(sam_get_rejected(rx, SAM_E_VERSION), 1);
	ck_assert_uint_eq(sam_get_rejected(rx, SAM_E_BAD_AUTH), 0);
	/* codes that are none count nothing */
	ck_assert_uint_eq(sam_get_rejected(rx, 0), 0);
	ck_assert_uint_eq(sam_get_rejected(rx, -100000), 0);
	ck_assert_int_eq(sam_get_stats(rx, &stats), SAM_OK);
	ck_assert_uint_eq(stats.rejected, 2);
	sam_ctx_free(rx);
}
END_TEST

START_TEST(test_scheme_accessors)
{
	ck_assert_uint_eq(sam_scheme_wire_id(SAM_SCHEME_ED25519), 2);
	/* online/offline Ed25519 writes plain ed25519 frames */
	ck_assert_uint_eq(sam_scheme_wire_id(SAM_SCHEME_ED25519_OO), 2);
	ck_assert_uint_eq(sam_scheme_wire_id(SAM_SCHEME_HYBRID), 4);
	ck_assert_uint_eq(sam_scheme_wire_id((sam_scheme)99), 0);
	ck_assert_int_eq(sam_scheme_auth(SAM_SCHEME_HMAC_SHA256), SAM_AUTH_GROUP);
	ck_assert_int_eq(sam_scheme_auth(SAM_SCHEME_HYBRID), SAM_AUTH_SOURCE);
	ck_assert_int_eq(sam_scheme_auth(SAM_SCHEME_ED25519_OO), SAM_AUTH_SOURCE);
	ck_assert_int_eq(sam_scheme_auth((sam_scheme)99), 0);
}
END_TEST

/*
 * The pending budget against a model, with random sequence numbers
 * (copies among them), forgeries and disclosures: what each frame is
 * answered, and the order the authentic ones come out in.  The slot
 * stack, the arrival list and the table of sequence numbers must agree
 * with plain arrays whatever the budget's state.
 */

enum { MODEL_BUDGET = 200, MODEL_LOW = 100, MODEL_HIGH = 1000 };

struct model {
	/* pending, in arrival order; ready, in the order they became so */
	uint64_t pending[MODEL_BUDGET], ready[MODEL_BUDGET];
	size_t npending, nready;
	uint64_t disclosed;
	uint8_t forged[MODEL_HIGH + 1], used[MODEL_HIGH + 1];
};

/** What the context does after a frame: settle the disclosed ones */
static void model_resolve(struct model *m)
{
	size_t i, kept = 0;

	for (i = 0; i < m->npending; i++)
	{
		uint64_t seq = m->pending[i];

		if (seq > m->disclosed)
		{
			m->pending[kept++] = seq;
		}
		else if (m->forged[seq])
		{	/* dropped: its number may come again */
			m->used[seq] = 0;
		}
		else
		{
			m->ready[m->nready++] = seq;
		}
	}
	m->npending = kept;
}

START_TEST(test_pending_model)
{
	static struct model m;
	sam_ctx *rx = delayed_receiver(MODEL_BUDGET, 256);
	uint64_t k_seq = MODEL_HIGH, seq;
	sam_frame_info info;
	uint32_t rnd = 20261202;
	size_t i;
	int round, expect;

	memset(&m, 0, sizeof(m));
	for (round = 0; round < 20000; round++)
	{
		rnd ^= rnd << 13;
		rnd ^= rnd >> 17;
		rnd ^= rnd << 5;
		if (rnd % 40 == 0 && k_seq < MODEL_HIGH + 80)
		{	/* a disclosure of everything up to some sequence number */
			char k[32];

			m.disclosed += rnd % 200;
			m.disclosed = m.disclosed > MODEL_HIGH ? MODEL_HIGH : m.disclosed;
			snprintf(k, sizeof(k), "K%llu", (unsigned long long)m.disclosed);
			ck_assert_int_eq(open_mock(rx, ++k_seq, k), SAM_OK);
			model_resolve(&m);
			for (i = 0; i < m.nready; i++)
			{
				ck_assert_int_eq(sam_next_authentic(rx, &info), SAM_OK);
				ck_assert_uint_eq(info.seq, m.ready[i]);
			}
			m.nready = 0;
			ck_assert_int_eq(sam_next_authentic(rx, &info), SAM_PENDING);
			continue;
		}
		seq = MODEL_LOW + rnd % (MODEL_HIGH - MODEL_LOW);
		if (m.used[seq])
		{	/* waiting, ready or accepted already */
			expect = SAM_E_REPLAY;
		}
		else
		{
			expect = m.npending + m.nready < MODEL_BUDGET ? SAM_PENDING
														  : SAM_E_BUDGET;
		}
		ck_assert_int_eq(open_mock(rx, seq, rnd & 0x100 ? "X" : "d"),
						 expect);
		if (expect == SAM_PENDING)
		{
			m.forged[seq] = (rnd & 0x100) != 0;
			m.used[seq] = 1;
			m.pending[m.npending++] = seq;
			model_resolve(&m);
		}
	}
	sam_ctx_free(rx);
}
END_TEST

Suite *suite_pending(void)
{
	Suite *s = suite_create("interface v2");
	TCase *tc;

	tc = tcase_create("pending");
	tcase_add_test(tc, test_pending_in_order);
	tcase_add_test(tc, test_pending_replay_marked_when_authentic);
	tcase_add_test(tc, test_pending_budget);
	tcase_add_test(tc, test_pending_model);
	tcase_add_test(tc, test_pending_encrypted);
	tcase_add_test(tc, test_pending_no_budget);
	tcase_add_test(tc, test_pending_readfrom);
	suite_add_tcase(s, tc);

	tc = tcase_create("sender");
	tcase_add_test(tc, test_batching_sender);
	tcase_add_test(tc, test_restarted_sender);
	suite_add_tcase(s, tc);

	tc = tcase_create("repairs");
	tcase_add_test(tc, test_session_required);
	tcase_add_test(tc, test_auth_kind);
	tcase_add_test(tc, test_rejected_by_reason);
	tcase_add_test(tc, test_scheme_accessors);
	suite_add_tcase(s, tc);
	return s;
}
