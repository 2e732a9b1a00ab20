/*
 * The receive checks of docs/sam-frame-format.md, each error and its
 * precedence: frames are built by hand here (HMAC computed with OpenSSL
 * directly), each with the defect under test plus defects of later checks,
 * which must not change the verdict.
 */

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "test_common.h"

#define SRC_HMAC 1
#define SRC_ED 2

struct spec {
	uint8_t version, scheme;
	uint16_t flags;
	uint32_t session, source;
	uint64_t seq;
	uint16_t plen, alen;
	/* compute a valid HMAC over the result (else zeros) */
	int mac;
	/* bytes to add to (or cut from) the consistent length */
	int extra;
};

static sam_key *group, *ed;
static sam_ctx *rx;

static void setup(void)
{
	group = tc_group_key();
	ed = tc_key(TV_ED25519_PUB);
	rx = tc_ctx();
	ck_assert_int_eq(sam_add_source(rx, SRC_HMAC, group), SAM_OK);
	ck_assert_int_eq(sam_add_source(rx, SRC_ED, ed), SAM_OK);
}

static void teardown(void)
{
	sam_ctx_free(rx);
	sam_key_free(group);
	sam_key_free(ed);
}

/** A spec of a valid hmac frame, to modify */
static struct spec valid(uint64_t seq)
{
	return (struct spec){
		.version = 1, .scheme = SAM_SCHEME_HMAC_SHA256, .flags = 0,
		.session = TV_SESSION, .source = SRC_HMAC, .seq = seq,
		.plen = 5, .alen = 32, .mac = 1, .extra = 0,
	};
}

static size_t build(const struct spec *s, uint8_t *f, size_t size)
{
	uint8_t secret[32];
	size_t len = 24 + s->plen + s->alen, i;
	unsigned int maclen;

	ck_assert_uint_le(len + 16, size);
	memset(f, 0, size);
	f[0] = s->version;
	f[1] = s->scheme;
	f[2] = s->flags >> 8;
	f[3] = s->flags & 0xff;
	for (i = 0; i < 4; i++)
	{
		f[4 + i] = (uint8_t)(s->session >> (24 - 8 * i));
		f[8 + i] = (uint8_t)(s->source >> (24 - 8 * i));
	}
	for (i = 0; i < 8; i++)
	{
		f[12 + i] = (uint8_t)(s->seq >> (56 - 8 * i));
	}
	f[20] = s->plen >> 8;
	f[21] = s->plen & 0xff;
	f[22] = s->alen >> 8;
	f[23] = s->alen & 0xff;
	for (i = 0; i < s->plen; i++)
	{
		f[24 + i] = (uint8_t)('a' + i % 26);
	}
	if (s->mac && s->alen >= 32)
	{
		for (i = 0; i < 32; i++)
		{
			secret[i] = (uint8_t)i;
		}
		ck_assert_ptr_nonnull(HMAC(EVP_sha256(), secret, 32, f, 24 + s->plen,
								   f + 24 + s->plen, &maclen));
	}
	return (size_t)((long)len + s->extra);
}

static int open_spec(const struct spec *s)
{
	uint8_t f[256];
	size_t len = build(s, f, sizeof(f));

	return sam_open(rx, f, len, NULL);
}

START_TEST(test_valid)
{
	struct spec s = valid(1);

	ck_assert_int_eq(open_spec(&s), SAM_OK);
	ck_assert_int_eq(open_spec(&s), SAM_E_REPLAY);
}
END_TEST

/* 1: empty datagram */
START_TEST(test_empty)
{
	uint8_t f[1] = { 1 };

	ck_assert_int_eq(sam_open(rx, f, 0, NULL), SAM_E_MALFORMED);
	ck_assert_int_eq(sam_open(rx, NULL, 0, NULL), SAM_E_MALFORMED);
}
END_TEST

/* 2: version, before any length check */
START_TEST(test_version)
{
	uint8_t f[1] = { 2 };
	struct spec s = valid(1);

	ck_assert_int_eq(sam_open(rx, f, 1, NULL), SAM_E_VERSION);
	f[0] = 0;
	ck_assert_int_eq(sam_open(rx, f, 1, NULL), SAM_E_VERSION);
	s.version = 2;
	ck_assert_int_eq(open_spec(&s), SAM_E_VERSION);
	/* beats every later defect */
	s.flags = 1;
	s.extra = 3;
	s.scheme = 99;
	s.session = 0;
	ck_assert_int_eq(open_spec(&s), SAM_E_VERSION);
	s.version = 255;
	ck_assert_int_eq(open_spec(&s), SAM_E_VERSION);
}
END_TEST

/* 3: shorter than a header */
START_TEST(test_short)
{
	uint8_t f[256];
	struct spec s = valid(1);
	size_t len = build(&s, f, sizeof(f)), i;

	for (i = 1; i < 24; i++)
	{
		ck_assert_int_eq(sam_open(rx, f, i, NULL), SAM_E_MALFORMED);
	}
	/* a truncated frame of any length */
	for (i = 24; i < len; i++)
	{
		ck_assert_int_eq(sam_open(rx, f, i, NULL), SAM_E_MALFORMED);
	}
	ck_assert_int_eq(sam_open(rx, f, len, NULL), SAM_OK);
}
END_TEST

/* 4: flags */
START_TEST(test_flags)
{
	struct spec s = valid(1);

	s.flags = 0x8000;
	ck_assert_int_eq(open_spec(&s), SAM_E_MALFORMED);
	s.flags = 1;
	s.scheme = 99;
	s.session = 7;
	ck_assert_int_eq(open_spec(&s), SAM_E_MALFORMED);
}
END_TEST

/* 5: lengths */
START_TEST(test_lengths)
{
	struct spec s = valid(1);

	s.extra = 1;
	ck_assert_int_eq(open_spec(&s), SAM_E_MALFORMED);
	s.extra = -1;
	ck_assert_int_eq(open_spec(&s), SAM_E_MALFORMED);
	/* lengths claiming far more than the datagram */
	s.extra = 0;
	s.plen = 5;
	s.alen = 32;
	{
		uint8_t f[256];
		size_t len = build(&s, f, sizeof(f));

		f[20] = f[21] = f[22] = f[23] = 0xff;
		ck_assert_int_eq(sam_open(rx, f, len, NULL), SAM_E_MALFORMED);
	}
	/* before the scheme and session */
	s.extra = 2;
	s.scheme = 99;
	s.session = 7;
	ck_assert_int_eq(open_spec(&s), SAM_E_MALFORMED);
}
END_TEST

/* 6: unknown scheme */
START_TEST(test_unknown_scheme)
{
	static const uint8_t bad[] = { 0, 5, 8, 200, 255 };
	size_t i;

	for (i = 0; i < sizeof(bad); i++)
	{
		struct spec s = valid(1);

		s.scheme = bad[i];
		ck_assert_int_eq(open_spec(&s), SAM_E_SCHEME);
		/* before session and source */
		s.session = 7;
		s.source = 77;
		ck_assert_int_eq(open_spec(&s), SAM_E_SCHEME);
	}
}
END_TEST

/* 7: session */
START_TEST(test_session)
{
	struct spec s = valid(1);

	s.session = TV_SESSION + 1;
	ck_assert_int_eq(open_spec(&s), SAM_E_SESSION);
	s.source = 77;
	s.seq = 0;
	ck_assert_int_eq(open_spec(&s), SAM_E_SESSION);
}
END_TEST

/* 8: unknown source */
START_TEST(test_unknown_source)
{
	struct spec s = valid(1);

	s.source = 77;
	ck_assert_int_eq(open_spec(&s), SAM_E_UNKNOWN_SOURCE);
	s.seq = 0;
	s.alen = 31;
	ck_assert_int_eq(open_spec(&s), SAM_E_UNKNOWN_SOURCE);
	/* a removed source is unknown */
	s = valid(1);
	ck_assert_int_eq(sam_remove_source(rx, SRC_HMAC), SAM_OK);
	ck_assert_int_eq(open_spec(&s), SAM_E_UNKNOWN_SOURCE);
}
END_TEST

/* 9: a known scheme, but not the sender's */
START_TEST(test_wrong_scheme)
{
	struct spec s = valid(1);

	s.scheme = SAM_SCHEME_ED25519;
	ck_assert_int_eq(open_spec(&s), SAM_E_SCHEME);
	s.scheme = SAM_SCHEME_ECDSA_P256;
	s.alen = 64;
	s.seq = 0;
	ck_assert_int_eq(open_spec(&s), SAM_E_SCHEME);
	/* an hmac frame claiming the ed25519 sender */
	s = valid(1);
	s.source = SRC_ED;
	ck_assert_int_eq(open_spec(&s), SAM_E_SCHEME);
}
END_TEST

/* 10: authenticator length of the scheme */
START_TEST(test_auth_len)
{
	struct spec s = valid(1);

	s.alen = 31;
	ck_assert_int_eq(open_spec(&s), SAM_E_MALFORMED);
	s.alen = 33;
	ck_assert_int_eq(open_spec(&s), SAM_E_MALFORMED);
	s.alen = 0;
	s.seq = 0;
	ck_assert_int_eq(open_spec(&s), SAM_E_MALFORMED);
	s = valid(1);
	s.source = SRC_ED;
	s.scheme = SAM_SCHEME_ED25519;
	s.alen = 32;
	ck_assert_int_eq(open_spec(&s), SAM_E_MALFORMED);
}
END_TEST

/* 11: sequence number 0, even with a valid MAC */
START_TEST(test_seq_zero)
{
	struct spec s = valid(0);

	ck_assert_int_eq(open_spec(&s), SAM_E_MALFORMED);
	/* nothing was accepted: 1 still is new */
	s = valid(1);
	ck_assert_int_eq(open_spec(&s), SAM_OK);
}
END_TEST

/* 12: too old, checked before the authenticator */
START_TEST(test_too_old)
{
	struct spec s = valid(5000);

	ck_assert_int_eq(open_spec(&s), SAM_OK);
	s = valid(5000 - SAM_DEFAULT_REPLAY_WINDOW);
	ck_assert_int_eq(open_spec(&s), SAM_E_TOO_OLD);
	s.mac = 0;
	ck_assert_int_eq(open_spec(&s), SAM_E_TOO_OLD);
}
END_TEST

/* 13: replay, checked before the authenticator */
START_TEST(test_replay)
{
	struct spec s = valid(7);

	ck_assert_int_eq(open_spec(&s), SAM_OK);
	ck_assert_int_eq(open_spec(&s), SAM_E_REPLAY);
	s.mac = 0;
	ck_assert_int_eq(open_spec(&s), SAM_E_REPLAY);
}
END_TEST

/* 14: the authenticator */
START_TEST(test_bad_auth)
{
	struct spec s = valid(1);
	sam_stats stats;

	s.mac = 0;
	ck_assert_int_eq(open_spec(&s), SAM_E_BAD_AUTH);
	/* an ed25519 frame with a zero signature */
	s = valid(1);
	s.source = SRC_ED;
	s.scheme = SAM_SCHEME_ED25519;
	s.alen = 64;
	s.mac = 0;
	ck_assert_int_eq(open_spec(&s), SAM_E_BAD_AUTH);
	/* counted per reason */
	ck_assert_int_eq(sam_get_stats(rx, &stats), SAM_OK);
	ck_assert_uint_eq(sam_get_rejected(rx, SAM_E_BAD_AUTH), 2);
	ck_assert_uint_eq(stats.accepted, 0);
}
END_TEST

Suite *suite_receive(void)
{
	Suite *s = suite_create("receive");
	TCase *tc = tcase_create("checks");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_short);
	tcase_add_test(tc, test_flags);
	tcase_add_test(tc, test_lengths);
	tcase_add_test(tc, test_unknown_scheme);
	tcase_add_test(tc, test_session);
	tcase_add_test(tc, test_unknown_source);
	tcase_add_test(tc, test_wrong_scheme);
	tcase_add_test(tc, test_auth_len);
	tcase_add_test(tc, test_seq_zero);
	tcase_add_test(tc, test_too_old);
	tcase_add_test(tc, test_replay);
	tcase_add_test(tc, test_bad_auth);
	suite_add_tcase(s, tc);
	return s;
}
