/*
 * In-band bootstrap frames (docs/sam-bootstrap.md, "In-band"): the
 * vector, applying, repeats, stale and newer envelopes, wrong sources and
 * sessions, malformed frames, every truncation and bit flip, the sender's
 * schedule under a test clock, sam_readfrom() and a chain's frames
 * becoming authentic after an in-band bootstrap.
 */

#include <stdio.h>
#include <stdlib.h>

#include "test_common.h"
#include "bootstrap.h"
#include "context.h"
#include "frame.h"
#include "tesla.h"
#include "tesla_vector.h"
#include "bootstrap_frame_vector.h"

#define T0 UINT64_C(1700000000000)
#define SRC TV_SOURCE
#define BOOT_FRAME (SAM_HEADER_SIZE + 22 + 38 + 64)

static uint64_t now_ms;

static uint64_t test_clock(void *user)
{
	(void)user;
	return now_ms;
}

static const uint8_t seed_a[SAM_TESLA_KEY_LEN] = {
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
};
static const uint8_t seed_b[SAM_TESLA_KEY_LEN] = { 0xb0, 0xb1, 0xb2 };

/** A tesla sender of src under TV_ED25519_KEY, the vector's chain at T0 */
static sam_ctx *sender(uint32_t src)
{
	sam_key *key = tc_key(TV_ED25519_KEY);
	sam_ctx *ctx;

	ck_assert_int_eq(sam_key_set_scheme(key, SAM_SCHEME_TESLA), SAM_OK);
	ctx = tc_sender(src, 1, key);
	sam_key_free(key);
	ck_assert_int_eq(sam_set_clock(ctx, test_clock, NULL), SAM_OK);
	now_ms = T0;
	ck_assert_int_eq(sam_tesla_set_chain(ctx, seed_a, T0, 100, 2,
										 TV_TESLA_N), SAM_OK);
	return ctx;
}

/** A receiver of src as a tesla source (and src + 1, too, if two) */
static sam_ctx *receiver(uint32_t src, int two)
{
	sam_key *pub = tc_key(TV_ED25519_PUB);
	sam_ctx *ctx = tc_ctx();

	ck_assert_int_eq(sam_key_set_scheme(pub, SAM_SCHEME_TESLA), SAM_OK);
	ck_assert_int_eq(sam_set_clock(ctx, test_clock, NULL), SAM_OK);
	ck_assert_int_eq(sam_set_tesla_skew(ctx, 20), SAM_OK);
	ck_assert_int_eq(sam_add_source(ctx, src, pub), SAM_OK);
	if (two)
	{
		ck_assert_int_eq(sam_add_source(ctx, src + 1, pub), SAM_OK);
	}
	sam_key_free(pub);
	return ctx;
}

/** A bootstrap frame of s, due or not */
static size_t boot_frame(sam_ctx *s, uint8_t *f, size_t size)
{
	ssize_t len;

	ck_assert_int_eq(sam_set_bootstrap_period(s, 0), SAM_OK);
	len = sam_seal_bootstrap(s, f, size);
	/* with a checkpoint once a key was disclosed */
	ck_assert(len == BOOT_FRAME ||
			  len == BOOT_FRAME + SAM_TESLA_CHECKPOINT_LEN);
	ck_assert_int_eq(sam_set_bootstrap_period(s, 1000), SAM_OK);
	return (size_t)len;
}

static size_t boot_len(sam_ctx *r, uint32_t src)
{
	return sam_ctx_find_source(r, src)->boot_len;
}

static uint64_t bootstraps(sam_ctx *r)
{
	sam_stats st;

	ck_assert_int_eq(sam_get_stats(r, &st), SAM_OK);
	return st.bootstraps;
}

/** Seal a data frame of s at time at and open it at r: its answer */
static int data_at(sam_ctx *s, sam_ctx *r, uint64_t at)
{
	uint8_t f[256];
	ssize_t len;

	now_ms = at;
	len = sam_seal(s, TV_PAYLOAD, strlen(TV_PAYLOAD), f, sizeof(f));
	ck_assert_int_gt(len, 0);
	return sam_open(r, f, (size_t)len, NULL);
}

/** How many frames became authentic */
static int drain(sam_ctx *r)
{
	sam_frame_info info;
	int n = 0;

	sam_poll(r);
	while (sam_next_authentic(r, &info) == SAM_OK)
	{
		ck_assert_int_eq(info.scheme, SAM_SCHEME_TESLA);
		n++;
	}
	return n;
}

/* the vector: the sender's first bootstrap frame, byte for byte, and the
 * frames of its chain become authentic behind it */
START_TEST(test_vector)
{
	sam_ctx *s = sender(SRC), *r = receiver(SRC, 0);
	uint8_t f[512], want[512];
	sam_frame_info info;
	ssize_t len;

	len = sam_seal_bootstrap(s, f, sizeof(f));
	ck_assert_int_eq(len, BOOT_FRAME);
	ck_assert_uint_eq(tc_unhex(TV_TESLA_BOOTSTRAP_FRAME, want, sizeof(want)),
					  (size_t)len);
	ck_assert_mem_eq(f, want, (size_t)len);
	ck_assert_uint_eq(tc_unhex(TV_TESLA_BOOTSTRAP, want, sizeof(want)),
					  (size_t)len - SAM_HEADER_SIZE);
	ck_assert_mem_eq(f + SAM_HEADER_SIZE, want, (size_t)len - SAM_HEADER_SIZE);
	/* not due again within the period */
	ck_assert_int_eq(sam_seal_bootstrap(s, f + 256, 256), 0);
	/* without it the chain's frames cannot be checked */
	ck_assert_int_eq(data_at(s, r, T0), SAM_E_NOKEY);
	ck_assert_int_eq(sam_open(r, f, (size_t)len, &info), SAM_BOOTSTRAP);
	ck_assert_uint_eq(info.source_id, SRC);
	ck_assert_uint_eq(info.seq, 1);
	ck_assert_uint_eq(info.payload_len, 0);
	ck_assert_int_eq(info.scheme, SAM_SCHEME_TESLA);
	ck_assert_uint_eq(bootstraps(r), 1);
	ck_assert_int_eq(data_at(s, r, T0 + 10), SAM_PENDING);
	ck_assert_int_eq(data_at(s, r, T0 + 250), SAM_PENDING);
	ck_assert_int_eq(data_at(s, r, T0 + 450), SAM_PENDING);
	ck_assert_int_eq(drain(r), 2);
	sam_ctx_free(s);
	sam_ctx_free(r);
}
END_TEST

/* the same envelope again, in the same or in a later frame: taken,
 * without starting the chain over */
START_TEST(test_repeat)
{
	sam_ctx *s = sender(SRC), *r = receiver(SRC, 0);
	uint8_t f1[512], f2[512];
	size_t l1, l2;

	l1 = boot_frame(s, f1, sizeof(f1));
	ck_assert_int_eq(sam_open(r, f1, l1, NULL), SAM_BOOTSTRAP);
	ck_assert_int_eq(data_at(s, r, T0 + 10), SAM_PENDING);
	ck_assert_int_eq(data_at(s, r, T0 + 250), SAM_PENDING);
	ck_assert_int_eq(drain(r), 1);
	ck_assert_uint_gt(sam_tesla_verified(sam_ctx_find_source(r, SRC)), 0);
	ck_assert_int_eq(sam_open(r, f1, l1, NULL), SAM_BOOTSTRAP);
	/* later, the same chain with a checkpoint (the key disclosed last):
	 * a newer envelope, applied without starting over */
	now_ms = T0 + 1300;
	l2 = boot_frame(s, f2, sizeof(f2));
	ck_assert_uint_eq(l2, l1 + SAM_TESLA_CHECKPOINT_LEN);
	ck_assert_int_ne(memcmp(f1, f2, SAM_HEADER_SIZE), 0);
	ck_assert_int_eq(sam_open(r, f2, l2, NULL), SAM_BOOTSTRAP);
	ck_assert_uint_gt(sam_tesla_verified(sam_ctx_find_source(r, SRC)), 0);
	ck_assert_uint_eq(bootstraps(r), 3);
	/* through the mike path, too: the same bytes again, and the older
	 * one no more */
	ck_assert_int_eq(sam_tesla_load_bootstrap(r, SRC, f2 + SAM_HEADER_SIZE,
											  l2 - SAM_HEADER_SIZE), SAM_OK);
	ck_assert_int_eq(sam_tesla_load_bootstrap(r, SRC, f1 + SAM_HEADER_SIZE,
											  l1 - SAM_HEADER_SIZE),
					 SAM_E_STALE);
	ck_assert_uint_gt(sam_tesla_verified(sam_ctx_find_source(r, SRC)), 0);
	sam_ctx_free(s);
	sam_ctx_free(r);
}
END_TEST

/* a newer chain replaces the old one; the old one's envelope, replayed,
 * changes nothing, in-band or through the mike path */
START_TEST(test_stale_newer)
{
	sam_ctx *s = sender(SRC), *r = receiver(SRC, 0);
	uint8_t fa[512], fb[512], blob[SAM_MAX_BOOTSTRAP];
	size_t la, lb;

	la = boot_frame(s, fa, sizeof(fa));
	ck_assert_int_eq(sam_open(r, fa, la, NULL), SAM_BOOTSTRAP);
	now_ms = T0 + 1000;
	ck_assert_int_eq(sam_tesla_set_chain(s, seed_b, now_ms, 100, 2, 50),
					 SAM_OK);
	lb = boot_frame(s, fb, sizeof(fb));
	ck_assert_uint_eq(sam_get64(fb + SAM_HEADER_SIZE + 12), T0 + 1000);
	ck_assert_int_eq(sam_open(r, fb, lb, NULL), SAM_BOOTSTRAP);
	ck_assert_uint_eq(sam_ctx_find_source(r, SRC)->boot_issued, T0 + 1000);
	ck_assert_int_eq(sam_open(r, fa, la, NULL), SAM_E_STALE);
	ck_assert_uint_eq(sam_get_rejected(r, SAM_E_STALE), 1);
	ck_assert_int_eq(sam_tesla_load_bootstrap(r, SRC, fa + SAM_HEADER_SIZE,
											  la - SAM_HEADER_SIZE),
					 SAM_E_STALE);
	ck_assert_mem_eq(sam_ctx_find_source(r, SRC)->boot, fb + SAM_HEADER_SIZE,
					 lb - SAM_HEADER_SIZE);
	/* chain b's frames still verify */
	ck_assert_int_eq(data_at(s, r, T0 + 1010), SAM_PENDING);
	ck_assert_int_eq(data_at(s, r, T0 + 1250), SAM_PENDING);
	ck_assert_int_eq(drain(r), 1);
	/* another envelope with the same Issued: stale, before its signature */
	fb[lb - 1] ^= 1;
	ck_assert_int_eq(sam_open(r, fb, lb, NULL), SAM_E_STALE);
	fb[lb - 1] ^= 1;
	/* a new chain in the millisecond of the last envelope is newer still */
	now_ms = T0 + 1000;
	ck_assert_int_eq(sam_tesla_set_chain(s, seed_a, now_ms, 100, 2, 50),
					 SAM_OK);
	lb = boot_frame(s, fb, sizeof(fb));
	ck_assert_uint_eq(sam_get64(fb + SAM_HEADER_SIZE + 12), T0 + 1001);
	ck_assert_int_eq(sam_open(r, fb, lb, NULL), SAM_BOOTSTRAP);
	/* a source removed and added again starts without */
	ck_assert_int_eq(sam_remove_source(r, SRC), SAM_OK);
	{
		sam_key *pub = tc_key(TV_ED25519_PUB);

		ck_assert_int_eq(sam_key_set_scheme(pub, SAM_SCHEME_TESLA), SAM_OK);
		ck_assert_int_eq(sam_add_source(r, SRC, pub), SAM_OK);
		sam_key_free(pub);
	}
	ck_assert_uint_eq(boot_len(r, SRC), 0);
	ck_assert_int_eq(sam_open(r, fa, la, NULL), SAM_BOOTSTRAP);
	/* a bad signature on a new envelope */
	memcpy(blob, fb + SAM_HEADER_SIZE, lb - SAM_HEADER_SIZE);
	blob[lb - SAM_HEADER_SIZE - 1] ^= 0x80;
	ck_assert_int_eq(sam_tesla_load_bootstrap(r, SRC, blob,
											  lb - SAM_HEADER_SIZE),
					 SAM_E_BAD_AUTH);
	fb[lb - 1] ^= 0x80;
	ck_assert_int_eq(sam_open(r, fb, lb, NULL), SAM_E_BAD_AUTH);
	ck_assert_uint_eq(sam_ctx_find_source(r, SRC)->boot_issued, T0);
	ck_assert_uint_eq(sam_get_rejected(r, SAM_E_BAD_AUTH), 1);
	sam_ctx_free(s);
	sam_ctx_free(r);
}
END_TEST

/** Put envelope blob into a bootstrap frame of source src, seq 5 */
static size_t wrap(uint32_t src, uint8_t scheme, uint16_t flags,
				   const uint8_t *blob, size_t len, uint8_t *f)
{
	struct sam_frame_hdr hdr = {
		.version = SAM_FRAME_VERSION,
		.scheme = scheme,
		.flags = flags,
		.session_id = TV_SESSION,
		.source_id = src,
		.seq = 5,
		.payload_len = (uint16_t)len,
	};

	sam_frame_encode(&hdr, f);
	memcpy(f + SAM_HEADER_SIZE, blob, len);
	return SAM_HEADER_SIZE + len;
}

/* frames whose header and envelope do not go together, or that are no
 * bootstrap frames a receiver may take */
START_TEST(test_wrong)
{
	sam_ctx *s = sender(SRC), *r = receiver(SRC, 1);
	uint8_t f[512], g[512], blob[SAM_MAX_BOOTSTRAP];
	size_t len, blen;

	len = boot_frame(s, f, sizeof(f));
	blen = len - SAM_HEADER_SIZE;
	memcpy(blob, f + SAM_HEADER_SIZE, blen);
	/* an envelope of SRC in a frame of SRC + 1 */
	ck_assert_int_eq(sam_open(r, g, wrap(SRC + 1, 7, 2, blob, blen, g), NULL),
					 SAM_E_UNKNOWN_SOURCE);
	ck_assert_int_eq(sam_tesla_load_bootstrap(r, SRC + 1, blob, blen),
					 SAM_E_UNKNOWN_SOURCE);
	/* an unknown source */
	ck_assert_int_eq(sam_open(r, g, wrap(99, 7, 2, blob, blen, g), NULL),
					 SAM_E_UNKNOWN_SOURCE);
	/* the frame's session or the envelope's */
	memcpy(g, f, len);
	g[7] ^= 1;
	ck_assert_int_eq(sam_open(r, g, len, NULL), SAM_E_SESSION);
	memcpy(g, f, len);
	g[SAM_HEADER_SIZE + 7] ^= 1;
	ck_assert_int_eq(sam_open(r, g, len, NULL), SAM_E_SESSION);
	/* encrypted, an authenticator, a reserved flag */
	ck_assert_int_eq(sam_open(r, g, wrap(SRC, 7, 3, blob, blen, g), NULL),
					 SAM_E_MALFORMED);
	ck_assert_int_eq(sam_open(r, g, wrap(SRC, 7, 6, blob, blen, g), NULL),
					 SAM_E_MALFORMED);
	memcpy(g, f, len);
	g[23] = 1;
	g[len] = 0;
	ck_assert_int_eq(sam_open(r, g, len + 1, NULL), SAM_E_MALFORMED);
	/* another scheme in the header, sequence number 0 */
	ck_assert_int_eq(sam_open(r, g, wrap(SRC, 2, 2, blob, blen, g), NULL),
					 SAM_E_SCHEME);
	memcpy(g, f, len);
	memset(g + 12, 0, 8);
	ck_assert_int_eq(sam_open(r, g, len, NULL), SAM_E_MALFORMED);
	/* no frame made it in */
	ck_assert_uint_eq(boot_len(r, SRC), 0);
	ck_assert_uint_eq(boot_len(r, SRC + 1), 0);
	ck_assert_uint_eq(bootstraps(r), 0);
	sam_ctx_free(r);
	/* a source of another scheme takes none: ed25519, signed by its key */
	{
		sam_key *pub = tc_key(TV_ED25519_PUB), *key = tc_key(TV_ED25519_KEY);
		sam_ctx *e = tc_sender(SRC, 1, key);
		uint8_t body[4] = { 1, 2, 3, 4 };
		ssize_t n;

		r = tc_ctx();
		ck_assert_int_eq(sam_add_source(r, SRC, pub), SAM_OK);
		n = sam_bootstrap_seal(e, body, sizeof(body), blob, sizeof(blob));
		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(sam_open(r, g, wrap(SRC, 2, 2, blob, (size_t)n, g),
								  NULL), SAM_E_SCHEME);
		ck_assert_int_eq(sam_tesla_load_bootstrap(r, SRC, blob, (size_t)n),
						 SAM_E_SCHEME);
		/* and an ed25519 sender has none to seal */
		ck_assert_int_eq(sam_seal_bootstrap(e, f, sizeof(f)), SAM_E_SCHEME);
		sam_ctx_free(e);
		sam_ctx_free(r);
		sam_key_free(pub);
		sam_key_free(key);
	}
	/* a receiver that requires encryption takes it: no payload in clear */
	r = receiver(SRC, 0);
	ck_assert_int_eq(sam_require_encryption(r, 1), SAM_OK);
	ck_assert_int_eq(sam_open(r, f, len, NULL), SAM_BOOTSTRAP);
	sam_ctx_free(r);
	sam_ctx_free(s);
}
END_TEST

/* every truncation and every flipped bit: rejected and nothing changed;
 * only the sequence number is not covered by the envelope's signature,
 * and carries nothing a receiver uses: the same envelope comes through */
START_TEST(test_truncate_flip)
{
	sam_ctx *s = sender(SRC), *r = receiver(SRC, 0);
	uint8_t f[512], g[512];
	size_t len, i;
	int err;

	len = boot_frame(s, f, sizeof(f));
	for (i = 0; i < len; i++)
	{
		ck_assert_int_lt(sam_open(r, f, i, NULL), 0);
	}
	for (i = 0; i < len * 8; i++)
	{
		memcpy(g, f, len);
		g[i / 8] ^= (uint8_t)(1 << (i % 8));
		err = sam_open(r, g, len, NULL);
		if (i / 8 >= 12 && i / 8 < 20 && err == SAM_BOOTSTRAP)
		{	/* the sequence number: the genuine envelope, applied */
			ck_assert_mem_eq(sam_ctx_find_source(r, SRC)->boot,
							 f + SAM_HEADER_SIZE, len - SAM_HEADER_SIZE);
			sam_ctx_free(r);
			r = receiver(SRC, 0);
			continue;
		}
		ck_assert_msg(err < 0, "bit %zu: %d", i, err);
		ck_assert_uint_eq(boot_len(r, SRC), 0);
	}
	ck_assert_uint_eq(bootstraps(r), 0);
	ck_assert_int_eq(data_at(s, r, T0 + 10), SAM_E_NOKEY);
	/* the genuine one still goes in */
	ck_assert_int_eq(sam_open(r, f, len, NULL), SAM_BOOTSTRAP);
	sam_ctx_free(s);
	sam_ctx_free(r);
}
END_TEST

/* the frames sam_write() sent, by flags */
static uint16_t sent_flags[64];
static size_t nsent;

static ssize_t cap_write(void *io, const void *buf, size_t len)
{
	(void)io;
	ck_assert_uint_lt(nsent, SAM_COUNTOF(sent_flags));
	ck_assert_uint_ge(len, SAM_HEADER_SIZE);
	sent_flags[nsent++] = sam_get16((const uint8_t *)buf + 2);
	return (ssize_t)len;
}

/** sam_write() one frame at time at: how many bootstrap frames it sent */
static int write_at(sam_ctx *s, uint64_t at)
{
	size_t before = nsent, i;
	int boots = 0;

	now_ms = at;
	ck_assert_int_eq(sam_write(s, "x", 1), 1);
	for (i = before; i < nsent; i++)
	{
		boots += sent_flags[i] == SAM_FLAG_BOOTSTRAP;
	}
	ck_assert_uint_eq(nsent - before, (size_t)boots + 1);
	ck_assert_uint_eq(sent_flags[nsent - 1], 0);
	return boots;
}

/* the sender: one before the first frame, one a period, one at once for
 * a new chain; none with period 0, unless asked */
START_TEST(test_schedule)
{
	sam_ctx *s = sender(SRC);
	sam_io_ops io = { .write = cap_write };
	uint8_t f[512];

	nsent = 0;
	ck_assert_int_eq(sam_tesla_set_chain(s, seed_a, T0, 100, 2, 1000),
					 SAM_OK);
	ck_assert_int_eq(sam_set_io(s, &io), SAM_OK);
	ck_assert_int_eq(write_at(s, T0), 1);
	ck_assert_int_eq(write_at(s, T0 + 10), 0);
	ck_assert_int_eq(write_at(s, T0 + 999), 0);
	ck_assert_int_eq(write_at(s, T0 + 1000), 1);
	ck_assert_int_eq(write_at(s, T0 + 1500), 0);
	ck_assert_int_eq(sam_seal_bootstrap(s, f, sizeof(f)), 0);
	/* a new chain: its bootstrap at once */
	ck_assert_int_eq(sam_tesla_set_chain(s, seed_b, T0 + 1600, 100, 2, 50),
					 SAM_OK);
	ck_assert_int_eq(write_at(s, T0 + 1600), 1);
	ck_assert_int_eq(write_at(s, T0 + 1700), 0);
	/* sam_set_tesla() too */
	ck_assert_int_eq(sam_set_tesla(s, 100, 4, 100), SAM_OK);
	ck_assert_int_eq(write_at(s, T0 + 1700), 1);
	/* period 0: never by itself, always when asked */
	ck_assert_int_eq(sam_set_bootstrap_period(s, 0), SAM_OK);
	ck_assert_int_eq(write_at(s, T0 + 5000), 0);
	ck_assert_int_eq(write_at(s, T0 + 9000), 0);
	/* keys of the chain are out: with a checkpoint */
	ck_assert_int_eq(sam_seal_bootstrap(s, f, sizeof(f)),
					 BOOT_FRAME + SAM_TESLA_CHECKPOINT_LEN);
	ck_assert_int_eq(sam_seal_bootstrap(s, f, sizeof(f)),
					 BOOT_FRAME + SAM_TESLA_CHECKPOINT_LEN);
	ck_assert_int_eq(sam_seal_bootstrap(s, f, BOOT_FRAME +
										SAM_TESLA_CHECKPOINT_LEN - 1),
					 SAM_E_BUFSIZE);
	/* a period again: due at once, then after it */
	ck_assert_int_eq(sam_set_bootstrap_period(s, 200), SAM_OK);
	ck_assert_int_eq(write_at(s, T0 + 9000), 1);
	ck_assert_int_eq(write_at(s, T0 + 9199), 0);
	ck_assert_int_eq(write_at(s, T0 + 9200), 1);
	/* a clock that went back */
	ck_assert_int_eq(write_at(s, T0 + 8000), 1);
	ck_assert_int_eq(sam_set_bootstrap_period(NULL, 1), SAM_E_INVAL);
	ck_assert_int_eq(sam_seal_bootstrap(NULL, f, sizeof(f)), SAM_E_INVAL);
	ck_assert_int_eq(sam_seal_bootstrap(s, NULL, 0), SAM_E_INVAL);
	sam_ctx_free(s);
	/* a tesla key without a chain: nothing to announce, no frame either */
	{
		sam_key *key = tc_key(TV_ED25519_KEY);

		ck_assert_int_eq(sam_key_set_scheme(key, SAM_SCHEME_TESLA), SAM_OK);
		s = tc_sender(SRC, 1, key);
		ck_assert_int_eq(sam_set_io(s, &io), SAM_OK);
		ck_assert_int_eq(sam_seal_bootstrap(s, f, sizeof(f)), SAM_E_NOKEY);
		ck_assert_int_eq(sam_write(s, "x", 1), SAM_E_NOKEY);
		sam_ctx_free(s);
		sam_key_free(key);
	}
}
END_TEST

Suite *suite_bootstrap_frame(void)
{
	Suite *s = suite_create("bootstrap-frame");
	TCase *tc = tcase_create("bootstrap-frame");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_vector);
	tcase_add_test(tc, test_repeat);
	tcase_add_test(tc, test_stale_newer);
	tcase_add_test(tc, test_wrong);
	tcase_add_test(tc, test_truncate_flip);
	tcase_add_test(tc, test_schedule);
	suite_add_tcase(s, tc);
	return s;
}
