/*
 * tesla (RFC 4082, docs/sam-tesla.md): the key chain, a stream over many
 * intervals, loss, forgeries, the safety condition, the bootstrap, the
 * pending budget, the chain's end and the vector of docs/sam-tesla.md.
 * A test clock drives sender and receiver (sam_set_clock()).
 */

#include <stdio.h>
#include <stdlib.h>

#include <sys/socket.h>
#include <unistd.h>

#include <openssl/hmac.h>

#include "test_common.h"
#include "context.h"
#include "tesla.h"
#include "tesla_vector.h"

#define T0 UINT64_C(1700000000000)
#define SRC 0x77
#define TEST_SKEW 20

static uint64_t sender_now, recv_now;

static uint64_t sender_clock(void *user)
{
	(void)user;
	return sender_now;
}

static uint64_t recv_clock(void *user)
{
	(void)user;
	return recv_now;
}

static const uint8_t seed[SAM_TESLA_KEY_LEN] = {
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
};

/** A tesla sender with source id src and a chain from seed at T0 */
static sam_ctx *sender(uint32_t src, sam_key *key, uint32_t n)
{
	sam_ctx *ctx;

	ck_assert_int_eq(sam_key_set_scheme(key, SAM_SCHEME_TESLA), SAM_OK);
	ctx = tc_sender(src, 1, key);
	ck_assert_int_eq(sam_set_clock(ctx, sender_clock, NULL), SAM_OK);
	sender_now = T0;
	ck_assert_int_eq(sam_tesla_set_chain(ctx, seed, T0, 100, 2, n), SAM_OK);
	return ctx;
}

/** The public half of key as a tesla key */
static sam_key *public_of(const sam_key *key)
{
	char pem[512];
	sam_key *pub;

	ck_assert_int_gt(sam_key_to_pem(key, 0, pem, sizeof(pem)), 0);
	pub = tc_key(pem);
	ck_assert_int_eq(sam_key_set_scheme(pub, SAM_SCHEME_TESLA), SAM_OK);
	return pub;
}

/** The sender's signed bootstrap */
static ssize_t bootstrap(sam_ctx *s, uint8_t *blob, size_t size)
{
	uint8_t body[SAM_TESLA_BOOTSTRAP_BODY];
	ssize_t len;
	int blen;

	blen = sam_tesla_bootstrap_body(s, body, sizeof(body));
	ck_assert(blen == 38 || blen == SAM_TESLA_BOOTSTRAP_BODY);
	len = sam_bootstrap_seal(s, body, (size_t)blen, blob, size);
	ck_assert_int_gt(len, 0);
	return len;
}

/** A receiver of source src under key's public half, bootstrap loaded
 *  unless load is 0 */
static sam_ctx *receiver(sam_ctx *s, uint32_t src, const sam_key *key,
						 size_t frames, int load)
{
	uint8_t blob[SAM_MAX_BOOTSTRAP];
	sam_key *pub = public_of(key);
	sam_ctx *ctx = tc_ctx();
	ssize_t len;

	ck_assert_int_eq(sam_set_clock(ctx, recv_clock, NULL), SAM_OK);
	ck_assert_int_eq(sam_set_pending(ctx, frames, 2048), SAM_OK);
	/* the frames of the tests arrive up to 50 ms into their interval;
	 * d = 2 intervals of 100 ms leave room for 20 ms of skew */
	ck_assert_int_eq(sam_set_tesla_skew(ctx, TEST_SKEW), SAM_OK);
	ck_assert_int_eq(sam_add_source(ctx, src, pub), SAM_OK);
	sam_key_free(pub);
	if (load)
	{
		len = bootstrap(s, blob, sizeof(blob));
		ck_assert_int_eq(sam_tesla_load_bootstrap(ctx, src, blob,
												  (size_t)len), SAM_OK);
	}
	return ctx;
}

/** A tesla sender, its key and a receiver of it */
struct fixture {
	sam_key *key;
	sam_ctx *s, *r;
};

static struct fixture setup(uint32_t src, uint32_t n, size_t frames, int load)
{
	struct fixture fx;

	fx.key = tc_key(TV_ED25519_KEY);
	fx.s = sender(src, fx.key, n);
	fx.r = receiver(fx.s, src, fx.key, frames, load);
	return fx;
}

static void teardown(struct fixture *fx)
{
	sam_ctx_free(fx->r);
	sam_ctx_free(fx->s);
	sam_key_free(fx->key);
}

static uint32_t verified(sam_ctx *r, uint32_t src)
{
	return sam_tesla_verified(sam_ctx_find_source(r, src));
}

/** Hand out everything authentic, checking the order; @return count */
static int drain(sam_ctx *r, uint64_t *last_seq)
{
	sam_frame_info info;
	int n = 0;

	while (sam_next_authentic(r, &info) == SAM_OK)
	{
		ck_assert_uint_gt(info.seq, *last_seq);
		ck_assert_int_eq(info.scheme, SAM_SCHEME_TESLA);
		ck_assert_int_eq(info.auth, SAM_AUTH_SOURCE);
		*last_seq = info.seq;
		n++;
	}
	return n;
}

/** F and F' as docs/sam-tesla.md defines them, with OpenSSL's HMAC */
static void prf(const uint8_t *key, const char *label, uint8_t *out)
{
	uint8_t mac[32];
	unsigned int len = 0;

	ck_assert_ptr_nonnull(HMAC(EVP_sha256(), key, SAM_TESLA_KEY_LEN,
							   (const uint8_t *)label, strlen(label), mac,
							   &len));
	memcpy(out, mac, SAM_TESLA_KEY_LEN);
}

START_TEST(test_chain)
{
	uint8_t body[64], k[SAM_TESLA_KEY_LEN], frame[256];
	sam_key *key = tc_key(TV_ED25519_KEY);
	sam_ctx *s = tc_sender(SRC, 1, key);
	int i;

	/* an ed25519 signing key is no tesla sender */
	ck_assert_int_eq(sam_set_tesla(s, 0, 0, 0), SAM_E_SCHEME);
	ck_assert_int_eq(sam_tesla_bootstrap_body(s, body, sizeof(body)),
					 SAM_E_SCHEME);
	sam_ctx_free(s);
	s = tc_ctx();
	ck_assert_int_eq(sam_set_tesla(s, 0, 0, 0), SAM_E_NOKEY);
	ck_assert_int_eq(sam_set_tesla(NULL, 0, 0, 0), SAM_E_INVAL);
	sam_ctx_free(s);
	/* a tesla key without a chain yet */
	ck_assert_int_eq(sam_key_set_scheme(key, SAM_SCHEME_TESLA), SAM_OK);
	s = tc_sender(SRC, 1, key);
	ck_assert_int_eq(sam_tesla_bootstrap_body(s, body, sizeof(body)),
					 SAM_E_NOKEY);
	ck_assert_int_eq(sam_seal(s, "x", 1, frame, sizeof(frame)), SAM_E_NOKEY);
	sam_ctx_free(s);
	ck_assert_int_eq(sam_key_set_scheme(key, SAM_SCHEME_ED25519), SAM_OK);
	s = sender(SRC, key, 50);
	ck_assert_int_eq(sam_set_tesla(s, 100, 50, 50), SAM_E_INVAL);
	ck_assert_int_eq(sam_set_tesla(s, 100, 2, SAM_TESLA_MAX_CHAIN + 1),
					 SAM_E_INVAL);
	ck_assert_int_eq(sam_tesla_bootstrap_body(s, body, 37), SAM_E_BUFSIZE);
	ck_assert_int_eq(sam_tesla_bootstrap_body(s, body, sizeof(body)), 38);
	memcpy(k, seed, sizeof(k));
	for (i = 0; i < 50; i++)
	{
		prf(k, "F", k);
	}
	ck_assert_mem_eq(body + 22, k, sizeof(k));
	ck_assert_int_eq(body[0], 2);
	ck_assert_int_eq(body[1], 16);
	ck_assert_int_eq(body[3], 2);
	ck_assert_int_eq(body[7], 100);
	ck_assert_int_eq(body[8], 1);
	ck_assert_int_eq(body[9], 0);
	ck_assert_int_eq(body[21], 50);
	ck_assert_int_eq(tc_seal(s, frame, sizeof(frame)), 24 + 2 + 36);
	ck_assert_int_eq(sam_frame_size(s, 464), 24 + 464 + 36);
	/* a random chain, the default schedule */
	ck_assert_int_eq(sam_set_tesla(s, 0, 0, 0), SAM_OK);
	ck_assert_int_eq(sam_tesla_bootstrap_body(s, body, sizeof(body)), 38);
	ck_assert_int_eq(body[3], SAM_TESLA_DEFAULT_DELAY);
	ck_assert_int_eq(sam_scheme_wire_id(SAM_SCHEME_TESLA), 7);
	ck_assert_str_eq(sam_scheme_name(SAM_SCHEME_TESLA), "tesla");
	ck_assert_int_eq(sam_scheme_auth(SAM_SCHEME_TESLA), SAM_AUTH_SOURCE);
	sam_ctx_free(s);
	sam_key_free(key);
}
END_TEST

/** Stream 'intervals' intervals of 'per' frames, dropping those drop()
 *  says; @return frames authentic */
static int stream(int intervals, int per, int (*drop)(int n), int *received)
{
	struct fixture fx = setup(SRC, 1000, 64, 1);
	sam_ctx *s = fx.s, *r = fx.r;
	uint8_t frame[256];
	uint64_t last = 0;
	int i, k, n = 0, got = 0;
	ssize_t len;

	*received = 0;
	for (i = 0; i < intervals; i++)
	{
		for (k = 0; k < per; k++)
		{
			sender_now = T0 + (uint64_t)i * 100 + (uint64_t)k * 10;
			recv_now = sender_now + 30;
			len = tc_seal(s, frame, sizeof(frame));
			if (drop && drop(n++))
			{
				continue;
			}
			ck_assert_int_eq(sam_open(r, frame, (size_t)len, NULL),
							 SAM_PENDING);
			(*received)++;
			got += drain(r, &last);
		}
	}
	ck_assert_uint_eq(sam_get_rejected(r, SAM_E_BAD_AUTH), 0);
	teardown(&fx);
	return got;
}

START_TEST(test_stream)
{
	int received;

	/* 40 intervals of 3: all but the last two intervals' are out */
	ck_assert_int_eq(stream(40, 3, NULL, &received), 38 * 3);
	ck_assert_int_eq(received, 120);
}
END_TEST

static int drop30(int n)
{
	/* 3 of every 10, in runs */
	return n % 10 >= 2 && n % 10 < 5;
}

static int drop_rand(int n)
{
	(void)n;
	return rand() % 10 < 3;
}

START_TEST(test_loss)
{
	int received, got;

	/* one frame an interval: a frame's key comes with the next one that
	 * arrives at least two intervals later, hashed down several times */
	got = stream(100, 1, drop30, &received);
	ck_assert_int_eq(received, 70);
	/* the last two (98, 99 of 0..99) wait for keys that never come */
	ck_assert_int_eq(got, 68);
	srand(4082);
	got = stream(200, 2, drop_rand, &received);
	ck_assert_int_ge(got, received - 6);
	ck_assert_int_lt(got, received);
}
END_TEST

/** Open a frame of interval 3 with byte pos flipped (bit), then the
 *  frame of interval 5 that discloses K_3; the forgery must not come out */
static void flipped(sam_ctx *s, const sam_key *key, const uint8_t *f3,
					size_t l3, const uint8_t *f5, size_t l5, size_t pos,
					uint8_t bit)
{
	sam_ctx *r = receiver(s, SRC, key, 64, 1);
	uint8_t copy[256];
	sam_frame_info info;
	sam_stats st;
	int err;

	memcpy(copy, f3, l3);
	copy[pos] ^= bit;
	recv_now = T0 + 250;
	err = sam_open(r, copy, l3, NULL);
	ck_assert_int_ne(err, SAM_OK);
	recv_now = T0 + 450;
	ck_assert_int_eq(sam_open(r, f5, l5, NULL), SAM_PENDING);
	ck_assert_int_eq(sam_next_authentic(r, &info), SAM_PENDING);
	ck_assert_int_eq(sam_get_stats(r, &st), SAM_OK);
	ck_assert_uint_eq(st.accepted, 0);
	ck_assert_uint_eq(st.rejected, 1);
	if (err == SAM_PENDING)
	{	/* rejected once its key was there */
		ck_assert_uint_eq(sam_get_rejected(r, SAM_E_BAD_AUTH), 1);
	}
	sam_ctx_free(r);
}

START_TEST(test_bitflips)
{
	sam_key *key = tc_key(TV_ED25519_KEY);
	sam_ctx *s = sender(SRC, key, 100);
	uint8_t f3[256], f5[256];
	ssize_t l3, l5;
	size_t pos;

	sender_now = T0 + 250;
	l3 = tc_seal(s, f3, sizeof(f3));
	sender_now = T0 + 450;
	l5 = tc_seal(s, f5, sizeof(f5));
	for (pos = SAM_HEADER_SIZE; pos < (size_t)l3; pos++)
	{
		flipped(s, key, f3, (size_t)l3, f5, (size_t)l5, pos, 0x01);
		flipped(s, key, f3, (size_t)l3, f5, (size_t)l5, pos, 0x80);
	}
	sam_ctx_free(s);
	sam_key_free(key);
}
END_TEST

START_TEST(test_unsafe)
{
	struct fixture fx = setup(SRC, 100, 64, 1);
	sam_ctx *s = fx.s, *r = fx.r;
	uint8_t f[256];
	ssize_t len;

	sender_now = T0 + 1000;	/* interval 11: K_11 is out in interval 13 */
	len = tc_seal(s, f, sizeof(f));
	/* 13 with the skew (20 ms) */
	recv_now = T0 + 1180;
	ck_assert_int_eq(sam_open(r, f, (size_t)len, NULL), SAM_E_UNSAFE);
	ck_assert_uint_eq(sam_get_rejected(r, SAM_E_UNSAFE), 1);
	ck_assert_str_eq(sam_strerror(SAM_E_UNSAFE), "the frame arrived after "
					 "its key may have been disclosed (TESLA safety "
					 "condition)");
	/* with no skew it is in time */
	ck_assert_int_eq(sam_set_tesla_skew(r, 0), SAM_OK);
	ck_assert_int_eq(sam_open(r, f, (size_t)len, NULL), SAM_PENDING);
	/* a frame from an interval the sender cannot be in yet */
	sender_now = T0 + 2000;
	len = tc_seal(s, f, sizeof(f));
	ck_assert_int_eq(sam_open(r, f, (size_t)len, NULL), SAM_E_BAD_AUTH);
	teardown(&fx);
}
END_TEST

START_TEST(test_wrong_key)
{
	struct fixture fx = setup(SRC, 100, 64, 1);
	sam_key *key = fx.key;
	sam_ctx *s = fx.s, *r = fx.r;
	sam_ctx *s2;
	uint8_t f[256], g[256];
	ssize_t len, glen;
	uint64_t last = 0;

	sender_now = recv_now = T0 + 650;	/* interval 7, discloses K_5 */
	len = tc_seal(s, f, sizeof(f));
	memcpy(g, f, (size_t)len);
	glen = len;
	memset(g + len - 32, 0x5a, SAM_TESLA_KEY_LEN);
	ck_assert_int_eq(sam_open(r, g, (size_t)glen, NULL), SAM_E_BAD_AUTH);
	ck_assert_uint_eq(verified(r, SRC), 0);
	/* the real one still verifies and moves the cache */
	ck_assert_int_eq(sam_open(r, f, (size_t)len, NULL), SAM_PENDING);
	ck_assert_uint_eq(verified(r, SRC), 5);
	/* a wrong older key, and the newest one wrong: the cache stays */
	sender_now = recv_now = T0 + 660;
	len = tc_seal(s, f, sizeof(f));
	f[len - 32] ^= 1;
	ck_assert_int_eq(sam_open(r, f, (size_t)len, NULL), SAM_E_BAD_AUTH);
	ck_assert_uint_eq(verified(r, SRC), 5);
	/* a frame of interval 5 to a receiver whose clock is behind: K_5 is
	 * known, it is authentic at once (the same chain, another sender) */
	ck_assert_int_eq(sam_set_tesla_skew(r, 0), SAM_OK);
	s2 = sender(SRC, key, 100);
	ck_assert_int_eq(sam_set_source(s2, SRC, 1000), SAM_OK);
	sender_now = recv_now = T0 + 450;
	len = tc_seal(s2, f, sizeof(f));
	ck_assert_int_eq(sam_open(r, f, (size_t)len, NULL), SAM_OK);
	/* a flipped MAC, at once */
	len = tc_seal(s2, f, sizeof(f));
	f[len - 1] ^= 1;
	ck_assert_int_eq(sam_open(r, f, (size_t)len, NULL), SAM_E_BAD_AUTH);
	sam_ctx_free(s2);
	ck_assert_int_eq(drain(r, &last), 0);
	teardown(&fx);
}
END_TEST

START_TEST(test_bootstrap_forged)
{
	struct fixture fx = setup(SRC, 100, 64, 0);
	sam_ctx *s = fx.s, *r = fx.r;
	sam_key *other;
	sam_ctx *s2;
	uint8_t blob[SAM_MAX_BOOTSTRAP], f[256];
	ssize_t len, flen;

	/* no bootstrap: no commitment to check against */
	sender_now = recv_now = T0;
	flen = tc_seal(s, f, sizeof(f));
	ck_assert_int_eq(sam_open(r, f, (size_t)flen, NULL), SAM_E_NOKEY);
	len = bootstrap(s, blob, sizeof(blob));
	blob[len - 1] ^= 1;
	ck_assert_int_eq(sam_tesla_load_bootstrap(r, SRC, blob, (size_t)len),
					 SAM_E_BAD_AUTH);
	blob[len - 1] ^= 1;
	ck_assert_int_eq(sam_tesla_load_bootstrap(r, SRC + 1, blob,
											  (size_t)len),
					 SAM_E_UNKNOWN_SOURCE);
	/* a source of another scheme has no chain to load */
	{
		sam_key *ed = tc_key(TV_ED25519_PUB);

		ck_assert_int_eq(sam_add_source(r, SRC + 1, ed), SAM_OK);
		ck_assert_int_eq(sam_tesla_load_bootstrap(r, SRC + 1, blob,
												  (size_t)len),
						 SAM_E_SCHEME);
		sam_key_free(ed);
	}
	/* the same body signed by another key as this source */
	ck_assert_int_eq(sam_key_generate(SAM_SCHEME_TESLA, &other), SAM_OK);
	s2 = sender(SRC, other, 100);
	len = bootstrap(s2, blob, sizeof(blob));
	ck_assert_int_eq(sam_tesla_load_bootstrap(r, SRC, blob, (size_t)len),
					 SAM_E_BAD_AUTH);
	ck_assert_int_eq(sam_open(r, f, (size_t)flen, NULL), SAM_E_NOKEY);
	/* signed, but no body of this version, or of another length */
	{
		uint8_t body[SAM_TESLA_BOOTSTRAP_BODY];
		size_t blen = 38;

		ck_assert_int_eq(sam_tesla_bootstrap_body(s, body, sizeof(body)),
						 blen);
		body[0] = 1;
		len = sam_bootstrap_seal(s, body, blen, blob, sizeof(blob));
		ck_assert_int_eq(sam_tesla_load_bootstrap(r, SRC, blob,
												  (size_t)len),
						 SAM_E_VERSION);
		body[0] = 2;
		len = sam_bootstrap_seal(s, body, blen - 1, blob, sizeof(blob));
		ck_assert_int_eq(sam_tesla_load_bootstrap(r, SRC, blob,
												  (size_t)len),
						 SAM_E_MALFORMED);
		body[8] = 2;	/* two chains announced, one there */
		len = sam_bootstrap_seal(s, body, blen, blob, sizeof(blob));
		ck_assert_int_eq(sam_tesla_load_bootstrap(r, SRC, blob,
												  (size_t)len),
						 SAM_E_MALFORMED);
		body[8] = 3;	/* more chains than a receiver keeps */
		len = sam_bootstrap_seal(s, body, blen, blob, sizeof(blob));
		ck_assert_int_eq(sam_tesla_load_bootstrap(r, SRC, blob,
												  (size_t)len),
						 SAM_E_MALFORMED);
		body[8] = 1;
		body[3] = 0;	/* d = 0 */
		len = sam_bootstrap_seal(s, body, blen, blob, sizeof(blob));
		ck_assert_int_eq(sam_tesla_load_bootstrap(r, SRC, blob,
												  (size_t)len),
						 SAM_E_MALFORMED);
	}
	/* the real one */
	len = bootstrap(s, blob, sizeof(blob));
	ck_assert_int_eq(sam_tesla_load_bootstrap(r, SRC, blob, (size_t)len),
					 SAM_OK);
	ck_assert_int_eq(sam_open(r, f, (size_t)flen, NULL), SAM_PENDING);
	sam_ctx_free(s2);
	sam_key_free(other);
	teardown(&fx);
}
END_TEST

START_TEST(test_budget_expiry)
{
	struct fixture fx = setup(SRC, 100, 4, 1);
	sam_ctx *s = fx.s, *r = fx.r;
	uint8_t f[256];
	ssize_t len;
	int i;

	sender_now = recv_now = T0;
	for (i = 0; i < 4; i++)
	{
		len = tc_seal(s, f, sizeof(f));
		ck_assert_int_eq(sam_open(r, f, (size_t)len, NULL), SAM_PENDING);
	}
	len = tc_seal(s, f, sizeof(f));
	ck_assert_int_eq(sam_open(r, f, (size_t)len, NULL), SAM_E_BUDGET);
	/* K_1 never comes: after interval 1 + d + 1 and the skew, they go */
	recv_now = T0 + 400 + TEST_SKEW;
	ck_assert_int_eq(sam_poll(r), 0);
	ck_assert_uint_eq(sam_get_rejected(r, SAM_E_EXPIRED), 0);
	recv_now++;
	ck_assert_int_eq(sam_poll(r), 0);
	ck_assert_uint_eq(sam_get_rejected(r, SAM_E_EXPIRED), 4);
	teardown(&fx);
}
END_TEST

START_TEST(test_chain_end)
{
	struct fixture fx = setup(SRC, 12, 64, 1);
	sam_ctx *s = fx.s, *r = fx.r;
	uint8_t f[256], blob[SAM_MAX_BOOTSTRAP], body[SAM_TESLA_BOOTSTRAP_BODY];
	uint64_t last = 0;
	ssize_t len;
	uint32_t field;
	uint64_t last3 = 0;
	sam_ctx *r3 = NULL;
	int i, got = 0, got3 = 0;

	/* intervals 1 .. 8 of 12: one chain announced */
	for (i = 0; i < 8; i++)
	{
		sender_now = recv_now = T0 + 100 * i + 10;
		len = tc_seal(s, f, sizeof(f));
		ck_assert_int_eq(sam_open(r, f, (size_t)len, NULL), SAM_PENDING);
		got += drain(r, &last);
	}
	ck_assert_int_eq(sam_tesla_bootstrap_body(s, body, sizeof(body)), 38);
	/* interval 9: a quarter left, the next chain is made and announced */
	sender_now = recv_now = T0 + 810;
	len = tc_seal(s, f, sizeof(f));
	ck_assert_int_eq(sam_open(r, f, (size_t)len, NULL), SAM_PENDING);
	got += drain(r, &last);
	ck_assert_int_eq(sam_tesla_bootstrap_body(s, body, sizeof(body)),
					 SAM_TESLA_BOOTSTRAP_BODY);
	ck_assert_int_eq(body[8], 2);
	ck_assert_int_eq(body[9 + 29], 1);	/* generation 0 + 1 */
	len = bootstrap(s, blob, sizeof(blob));
	ck_assert_int_eq(sam_tesla_load_bootstrap(r, SRC, blob, (size_t)len),
					 SAM_OK);
	/* on through the boundary: nothing in flight is lost */
	for (i = 9; i < 20; i++)
	{
		sender_now = recv_now = T0 + 100 * i + 10;
		len = tc_seal(s, f, sizeof(f));
		ck_assert_int_gt(len, 0);
		field = sam_get32(f + len - 36);
		ck_assert_uint_eq(field >> 24, i < 12 ? 0 : 1);
		ck_assert_uint_eq(field & 0x7fffff, i < 12 ? i + 1 : i - 11);
		/* the first d intervals of the next chain disclose K_11, K_12 of
		 * the one before */
		ck_assert_uint_eq(!!(field & 0x800000), i == 12 || i == 13);
		ck_assert_int_eq(sam_open(r, f, (size_t)len, NULL), SAM_PENDING);
		got += drain(r, &last);
		if (i == 12)
		{	/* a receiver that has only the new chain */
			r3 = receiver(s, SRC, fx.key, 64, 1);
		}
		if (r3)
		{	/* takes the frames that disclose keys it cannot check */
			ck_assert_int_eq(sam_open(r3, f, (size_t)len, NULL),
							 SAM_PENDING);
			got3 += drain(r3, &last3);
		}
	}
	ck_assert_int_eq(got3, 6);
	sam_ctx_free(r3);
	/* all but the last d = 2 intervals' frames */
	ck_assert_int_eq(got, 18);
	ck_assert_uint_eq(sam_get_rejected(r, SAM_E_BAD_AUTH), 0);
	/* a clock going back does not go back to a disclosed key, nor to the
	 * chain left */
	sender_now = T0;
	len = tc_seal(s, f, sizeof(f));
	ck_assert_uint_eq(sam_get32(f + len - 36), (1u << 24) | 8);
	/* a receiver without the new chain's bootstrap: no key for it */
	{
		sam_ctx *r2 = receiver(s, SRC, fx.key, 64, 0);

		ck_assert_int_eq(sam_open(r2, f, (size_t)len, NULL), SAM_E_NOKEY);
		sam_ctx_free(r2);
	}
	teardown(&fx);
}
END_TEST

/* a disclosed key far ahead: hashed down from a budget, so that forged
 * ones cost little; a checkpoint in a bootstrap skips ahead instead */
START_TEST(test_walk_budget)
{
	struct fixture fx = setup(SRC, 80000, 64, 1);
	sam_ctx *s = fx.s, *r = fx.r;
	uint8_t f[256], forged[256], body[128], blob[SAM_MAX_BOOTSTRAP];
	ssize_t len, blen;
	int n;

	/* interval 30001: 29999 steps from K_0 */
	sender_now = recv_now = T0 + 3000000;
	len = tc_seal(s, f, sizeof(f));
	memcpy(forged, f, (size_t)len);
	forged[len - 20] ^= 1;	/* the disclosed key */
	ck_assert_int_eq(sam_open(r, forged, (size_t)len, NULL), SAM_E_BAD_AUTH);
	ck_assert_int_eq(sam_open(r, forged, (size_t)len, NULL), SAM_E_BAD_AUTH);
	/* the budget is spent: not even the real one is checked now */
	ck_assert_int_eq(sam_open(r, f, (size_t)len, NULL), SAM_E_BEHIND);
	ck_assert_str_eq(sam_strerror(SAM_E_BEHIND),
					 "the disclosed TESLA key is too far ahead to check now "
					 "(catching up from the sender's next bootstrap)");
	/* 10 s later it is full again */
	sender_now = recv_now = T0 + 3010000;
	len = tc_seal(s, f, sizeof(f));
	ck_assert_int_eq(sam_open(r, f, (size_t)len, NULL), SAM_PENDING);
	ck_assert_uint_eq(verified(r, SRC), 30099);
	/* a receiver that comes 70000 intervals on: beyond any budget */
	sam_ctx_free(r);
	r = fx.r = receiver(s, SRC, fx.key, 64, 1);
	sender_now = recv_now = T0 + 7000000;
	len = tc_seal(s, f, sizeof(f));
	ck_assert_int_eq(sam_open(r, f, (size_t)len, NULL), SAM_E_BEHIND);
	/* a bootstrap with a checkpoint (the key that frame disclosed) */
	n = sam_tesla_checkpoint_body(s, body, sizeof(body));
	/* both chains: a quarter is left */
	ck_assert_int_eq(n, SAM_TESLA_BOOTSTRAP_BODY + SAM_TESLA_CHECKPOINT_LEN);
	blen = sam_bootstrap_seal(s, body, (size_t)n, blob, sizeof(blob));
	ck_assert_int_gt(blen, 0);
	ck_assert_int_eq(sam_tesla_load_bootstrap(r, SRC, blob, (size_t)blen),
					 SAM_OK);
	ck_assert_uint_eq(verified(r, SRC), 69999);
	ck_assert_int_eq(sam_open(r, f, (size_t)len, NULL), SAM_PENDING);
	sender_now = recv_now = T0 + 7000200;
	len = tc_seal(s, f, sizeof(f));
	ck_assert_int_eq(sam_open(r, f, (size_t)len, NULL), SAM_PENDING);
	ck_assert_int_eq(sam_next_authentic(r, NULL), SAM_OK);
	/* a checkpoint of a chain the body does not list, or past its end */
	body[67] ^= 2;
	blen = sam_bootstrap_seal(s, body, (size_t)n, blob, sizeof(blob));
	ck_assert_int_eq(sam_tesla_load_bootstrap(r, SRC, blob, (size_t)blen),
					 SAM_E_MALFORMED);
	body[67] ^= 2;
	sam_put32(body + 68, 80001);
	blen = sam_bootstrap_seal(s, body, (size_t)n, blob, sizeof(blob));
	ck_assert_int_eq(sam_tesla_load_bootstrap(r, SRC, blob, (size_t)blen),
					 SAM_E_MALFORMED);
	teardown(&fx);
}
END_TEST

/* a sender idle for longer than its chains starts a fresh one at once */
START_TEST(test_chain_idle)
{
	struct fixture fx = setup(SRC, 8, 64, 1);
	uint8_t f[256];
	ssize_t len;

	sender_now = T0 + 10;
	len = tc_seal(fx.s, f, sizeof(f));
	sender_now = T0 + 100 * 1000;
	len = tc_seal(fx.s, f, sizeof(f));
	ck_assert_int_gt(len, 0);
	ck_assert_uint_eq(sam_get32(f + len - 36) & 0xffffff, 1);
	/* started afresh, not following on: its own K_0 */
	ck_assert_uint_eq(sam_get32(f + len - 36) & 0x800000, 0);
	teardown(&fx);
}
END_TEST

/* the sender's clock at each datagram sent: the receiver's when it reads
 * it (a frame read late would be unsafe) */
static uint64_t sent_at[8];
static unsigned int nsent, nread;

static ssize_t fd_write(void *io, const void *buf, size_t len)
{
	ck_assert_uint_lt(nsent, SAM_COUNTOF(sent_at));
	sent_at[nsent++] = sender_now;
	return send(*(int *)io, buf, len, 0);
}

static ssize_t fd_read(void *io, void *buf, size_t len)
{
	ck_assert_uint_lt(nread, nsent);
	recv_now = sent_at[nread++];
	return recv(*(int *)io, buf, len, 0);
}

/* sam_write() / sam_readfrom(), the receiver without a bootstrap but the
 * one in-band: the first frame comes out once the frame that discloses
 * its key was read; the bootstrap frame never comes out */
START_TEST(test_write_readfrom)
{
	struct fixture fx = setup(SRC, 100, 64, 0);
	sam_stats st;
	int sv[2];
	sam_io_ops txio = { .write = fd_write, .io = &sv[0] };
	sam_io_ops rxio = { .read = fd_read, .io = &sv[1] };
	sam_frame_info info;
	uint8_t buf[64];

	nsent = nread = 0;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	ck_assert_int_eq(sam_set_io(fx.s, &txio), SAM_OK);
	ck_assert_int_eq(sam_set_io(fx.r, &rxio), SAM_OK);
	sender_now = T0;
	ck_assert_int_eq(sam_write(fx.s, "one", 3), 3);
	sender_now = T0 + 250;
	ck_assert_int_eq(sam_write(fx.s, "three", 5), 5);
	ck_assert_int_eq(sam_readfrom(fx.r, buf, sizeof(buf), &info, NULL, NULL),
					 3);
	ck_assert_mem_eq(buf, "one", 3);
	/* 1 went to the bootstrap frame sam_write() sent before it */
	ck_assert_uint_eq(nsent, 3);
	ck_assert_uint_eq(info.seq, 2);
	ck_assert_int_eq(info.scheme, SAM_SCHEME_TESLA);
	ck_assert_int_eq(sam_get_stats(fx.r, &st), SAM_OK);
	ck_assert_uint_eq(st.bootstraps, 1);
	close(sv[0]);
	close(sv[1]);
	teardown(&fx);
}
END_TEST

static void hex_eq(const uint8_t *b, size_t len, const char *hex)
{
	char out[1024];
	size_t i;

	ck_assert_uint_lt(len * 2, sizeof(out));
	for (i = 0; i < len; i++)
	{
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	}
	ck_assert_str_eq(out, hex);
}

START_TEST(test_vector)
{
	static const uint64_t at[] = { 0, 250, 450 };
	static const char *const hex[] = {
		TV_TESLA_FRAME1, TV_TESLA_FRAME3, TV_TESLA_FRAME5,
	};
	struct fixture fx = setup(TV_SOURCE, TV_TESLA_N, 64, 0);
	sam_ctx *s = fx.s, *r = fx.r;
	uint8_t f[256], body[64], blob[SAM_MAX_BOOTSTRAP];
	uint64_t last = 0;
	ssize_t len;
	size_t i;

	ck_assert_int_eq(sam_tesla_bootstrap_body(s, body, sizeof(body)), 38);
	hex_eq(body, 38, TV_TESLA_BODY);
	sender_now = T0;
	len = sam_bootstrap_seal(s, body, 38, blob, sizeof(blob));
	hex_eq(blob, (size_t)len, TV_TESLA_BOOTSTRAP);
	ck_assert_int_eq(sam_tesla_load_bootstrap(r, TV_SOURCE, blob,
											  (size_t)len), SAM_OK);
	for (i = 0; i < SAM_COUNTOF(at); i++)
	{
		sender_now = recv_now = T0 + at[i];
		len = sam_seal(s, TV_PAYLOAD, strlen(TV_PAYLOAD), f, sizeof(f));
		hex_eq(f, (size_t)len, hex[i]);
		ck_assert_int_eq(sam_open(r, f, (size_t)len, NULL), SAM_PENDING);
	}
	ck_assert_int_eq(drain(r, &last), 2);
	teardown(&fx);
}
END_TEST

Suite *suite_tesla(void)
{
	Suite *s = suite_create("tesla");
	TCase *tc = tcase_create("tesla");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_chain);
	tcase_add_test(tc, test_stream);
	tcase_add_test(tc, test_loss);
	tcase_add_test(tc, test_bitflips);
	tcase_add_test(tc, test_unsafe);
	tcase_add_test(tc, test_wrong_key);
	tcase_add_test(tc, test_bootstrap_forged);
	tcase_add_test(tc, test_budget_expiry);
	tcase_add_test(tc, test_chain_end);
	tcase_add_test(tc, test_chain_idle);
	tcase_add_test(tc, test_walk_budget);
	tcase_add_test(tc, test_vector);
	tcase_add_test(tc, test_write_readfrom);
	suite_add_tcase(s, tc);
	return s;
}
