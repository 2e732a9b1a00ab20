/*
 * API misuse, keys, error strings and the memory context.
 */

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ec.h>
#include <stdlib.h>

#include "test_common.h"

START_TEST(test_null_args)
{
	uint8_t frame[128];
	sam_key *key = tc_group_key(), *k;
	sam_ctx *ctx = tc_sender(1, 1, key);
	sam_io_ops io = { 0 };
	sam_stats stats;
	uint8_t secret[32] = { 0 };
	char pem[512];

	ck_assert_int_eq(sam_ctx_new(NULL, NULL), SAM_E_INVAL);
	ck_assert_int_eq(sam_set_io(NULL, &io), SAM_E_INVAL);
	ck_assert_int_eq(sam_set_io(ctx, NULL), SAM_E_INVAL);
	ck_assert_int_eq(sam_set_reject_cb(NULL, NULL, NULL), SAM_E_INVAL);
	ck_assert_int_eq(sam_set_source(NULL, 1, 1), SAM_E_INVAL);
	ck_assert_int_eq(sam_set_signing_key(NULL, key), SAM_E_INVAL);
	ck_assert_int_eq(sam_set_signing_key(ctx, NULL), SAM_E_INVAL);
	ck_assert_int_eq(sam_set_session(NULL, 1), SAM_E_INVAL);
	ck_assert_int_eq(sam_add_source(NULL, 1, key), SAM_E_INVAL);
	ck_assert_int_eq(sam_add_source(ctx, 1, NULL), SAM_E_INVAL);
	ck_assert_int_eq(sam_remove_source(NULL, 1), SAM_E_INVAL);
	ck_assert_int_eq(sam_frame_size(NULL, 1), SAM_E_INVAL);
	ck_assert_int_eq(sam_seal(NULL, "x", 1, frame, sizeof(frame)),
					 SAM_E_INVAL);
	ck_assert_int_eq(sam_seal(ctx, NULL, 1, frame, sizeof(frame)),
					 SAM_E_INVAL);
	ck_assert_int_eq(sam_seal(ctx, "x", 1, NULL, sizeof(frame)), SAM_E_INVAL);
	ck_assert_int_eq(sam_open(NULL, frame, 10, NULL), SAM_E_INVAL);
	ck_assert_int_eq(sam_open(ctx, NULL, 10, NULL), SAM_E_INVAL);
	ck_assert_int_eq(sam_write(NULL, "x", 1), SAM_E_INVAL);
	ck_assert_int_eq(sam_write(ctx, NULL, 1), SAM_E_INVAL);
	ck_assert_int_eq(sam_readfrom(NULL, frame, 1, NULL, NULL, NULL),
					 SAM_E_INVAL);
	ck_assert_int_eq(sam_readfrom(ctx, NULL, 1, NULL, NULL, NULL),
					 SAM_E_INVAL);
	ck_assert_int_eq(sam_get_stats(NULL, &stats), SAM_E_INVAL);
	ck_assert_int_eq(sam_get_stats(ctx, NULL), SAM_E_INVAL);
	ck_assert_int_eq(sam_key_generate(SAM_SCHEME_ED25519, NULL), SAM_E_INVAL);
	ck_assert_int_eq(sam_key_from_pem(NULL, 10, &k), SAM_E_INVAL);
	ck_assert_int_eq(sam_key_from_pem("x", 1, NULL), SAM_E_INVAL);
	ck_assert_int_eq(sam_key_load(NULL, &k), SAM_E_INVAL);
	ck_assert_int_eq(sam_key_load("/nonexistent", NULL), SAM_E_INVAL);
	ck_assert_int_eq(sam_key_from_secret(NULL, 32, &k), SAM_E_INVAL);
	ck_assert_int_eq(sam_key_from_secret(secret, 32, NULL), SAM_E_INVAL);
	ck_assert_int_eq(sam_key_to_pem(NULL, 1, pem, sizeof(pem)), SAM_E_INVAL);
	ck_assert_int_eq(sam_key_to_pem(key, 1, NULL, sizeof(pem)), SAM_E_INVAL);
	ck_assert_uint_eq(sam_next_seq(NULL), 0);
	ck_assert_int_eq(sam_key_can_sign(NULL), 0);
	/* freeing NULL is fine */
	sam_key_free(NULL);
	sam_ctx_free(NULL);
	sam_ctx_free(ctx);
	sam_key_free(key);
}
END_TEST

START_TEST(test_bufsize)
{
	uint8_t frame[128];
	sam_key *key = tc_key(TV_ED25519_KEY);
	sam_ctx *ctx = tc_sender(1, 1, key);
	char pem[512];

	/* 24 + 5 + 64 = 93 */
	ck_assert_int_eq(sam_frame_size(ctx, 5), 93);
	ck_assert_int_eq(sam_seal(ctx, "hello", 5, frame, 92), SAM_E_BUFSIZE);
	ck_assert_int_eq(sam_seal(ctx, "hello", 5, frame, 0), SAM_E_BUFSIZE);
	/* no frame produced: no number used */
	ck_assert_uint_eq(sam_next_seq(ctx), 1);
	ck_assert_int_eq(sam_seal(ctx, "hello", 5, frame, 93), 93);
	ck_assert_uint_eq(sam_next_seq(ctx), 2);
	/* PEM output needs room for the NUL too */
	ck_assert_int_eq(sam_key_to_pem(key, 1, pem, sizeof(pem)),
					 (ssize_t)strlen(TV_ED25519_KEY));
	ck_assert_int_eq(sam_key_to_pem(key, 1, pem, strlen(TV_ED25519_KEY)),
					 SAM_E_BUFSIZE);
	ck_assert_int_eq(sam_key_to_pem(key, 1, pem, strlen(TV_ED25519_KEY) + 1),
					 (ssize_t)strlen(TV_ED25519_KEY));
	sam_ctx_free(ctx);
	sam_key_free(key);
}
END_TEST

START_TEST(test_toobig)
{
	static uint8_t frame[SAM_MAX_FRAME + 100], payload[70000];
	sam_key *key = tc_group_key();
	sam_ctx *ctx = tc_sender(1, 1, key);
	size_t max = SAM_MAX_FRAME - 24 - 32;

	ck_assert_int_eq(sam_frame_size(ctx, max), SAM_MAX_FRAME);
	ck_assert_int_eq(sam_frame_size(ctx, max + 1), SAM_E_TOOBIG);
	ck_assert_int_eq(sam_frame_size(ctx, 65536), SAM_E_TOOBIG);
	ck_assert_int_eq(sam_frame_size(ctx, SIZE_MAX), SAM_E_TOOBIG);
	ck_assert_int_eq(sam_frame_size(ctx, SIZE_MAX - 10), SAM_E_TOOBIG);
	ck_assert_int_eq(sam_seal(ctx, payload, max + 1, frame, sizeof(frame)),
					 SAM_E_TOOBIG);
	ck_assert_int_eq(sam_seal(ctx, payload, 65536, frame, sizeof(frame)),
					 SAM_E_TOOBIG);
	ck_assert_int_eq(sam_seal(ctx, payload, SIZE_MAX, frame, sizeof(frame)),
					 SAM_E_TOOBIG);
	ck_assert_uint_eq(sam_next_seq(ctx), 1);
	ck_assert_int_eq(sam_seal(ctx, payload, max, frame, sizeof(frame)),
					 SAM_MAX_FRAME);
	sam_ctx_free(ctx);
	sam_key_free(key);
}
END_TEST

START_TEST(test_nokey)
{
	uint8_t frame[128];
	sam_key *key = tc_group_key(), *pub = tc_key(TV_ED25519_PUB);
	sam_ctx *ctx = tc_ctx();

	ck_assert_int_eq(sam_seal(ctx, "x", 1, frame, sizeof(frame)),
					 SAM_E_NOKEY);
	ck_assert_int_eq(sam_frame_size(ctx, 1), SAM_E_NOKEY);
	/* a key but no source id */
	ck_assert_int_eq(sam_set_signing_key(ctx, key), SAM_OK);
	ck_assert_int_eq(sam_seal(ctx, "x", 1, frame, sizeof(frame)),
					 SAM_E_NOKEY);
	ck_assert_int_eq(sam_set_source(ctx, 9, 1), SAM_OK);
	ck_assert_uint_eq(sam_next_seq(ctx), 1);
	ck_assert_int_eq(sam_seal(ctx, "x", 1, frame, sizeof(frame)), 57);
	/* a public key cannot sign */
	ck_assert_int_eq(sam_key_can_sign(pub), 0);
	ck_assert_int_eq(sam_set_signing_key(ctx, pub), SAM_E_KEY);
	ck_assert_int_eq(sam_key_to_pem(pub, 1, (char *)frame, sizeof(frame)),
					 SAM_E_KEY);
	/* a group secret has no public half */
	ck_assert_int_eq(sam_key_to_pem(key, 0, (char *)frame, sizeof(frame)),
					 SAM_E_KEY);
	sam_ctx_free(ctx);
	sam_key_free(key);
	sam_key_free(pub);
}
END_TEST

START_TEST(test_sources)
{
	sam_key *key = tc_group_key(), *ed = tc_key(TV_ED25519_PUB);
	sam_ctx *ctx = tc_ctx();
	uint32_t i;

	ck_assert_int_eq(sam_add_source(ctx, 5, key), SAM_OK);
	ck_assert_int_eq(sam_add_source(ctx, 5, key), SAM_E_EXISTS);
	ck_assert_int_eq(sam_add_source(ctx, 5, ed), SAM_E_EXISTS);
	ck_assert_int_eq(sam_remove_source(ctx, 6), SAM_E_UNKNOWN_SOURCE);
	ck_assert_int_eq(sam_remove_source(ctx, 5), SAM_OK);
	ck_assert_int_eq(sam_remove_source(ctx, 5), SAM_E_UNKNOWN_SOURCE);
	ck_assert_int_eq(sam_add_source(ctx, 5, ed), SAM_OK);
	/* many, in scrambled order, to grow the table */
	for (i = 0; i < 300; i++)
	{
		uint32_t id = (i * 2654435761u) | 1u << 31;

		ck_assert_int_eq(sam_add_source(ctx, id, i % 2 ? key : ed), SAM_OK);
	}
	for (i = 0; i < 300; i += 3)
	{
		uint32_t id = (i * 2654435761u) | 1u << 31;

		ck_assert_int_eq(sam_add_source(ctx, id, key), SAM_E_EXISTS);
		ck_assert_int_eq(sam_remove_source(ctx, id), SAM_OK);
	}
	for (i = 0; i < 300; i++)
	{
		uint32_t id = (i * 2654435761u) | 1u << 31;

		ck_assert_int_eq(sam_remove_source(ctx, id),
						 i % 3 ? SAM_OK : SAM_E_UNKNOWN_SOURCE);
	}
	sam_ctx_free(ctx);
	sam_key_free(key);
	sam_key_free(ed);
}
END_TEST

static char *pkey_pem(EVP_PKEY *pkey, int private_part)
{
	static char buf[4096];
	BIO *bio = BIO_new(BIO_s_mem());
	int n;

	ck_assert_ptr_nonnull(pkey);
	ck_assert_int_eq(private_part ?
					 PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0,
											  NULL, NULL) :
					 PEM_write_bio_PUBKEY(bio, pkey), 1);
	n = BIO_read(bio, buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	BIO_free(bio);
	return buf;
}

START_TEST(test_bad_keys)
{
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	EVP_PKEY *p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	EVP_PKEY *x25519 = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	uint8_t secret[65] = { 0 };
	const char *pem;
	sam_key *k = NULL;

	pem = pkey_pem(rsa, 1);
	ck_assert_int_eq(sam_key_from_pem(pem, strlen(pem), &k), SAM_E_KEY);
	pem = pkey_pem(rsa, 0);
	ck_assert_int_eq(sam_key_from_pem(pem, strlen(pem), &k), SAM_E_KEY);
	pem = pkey_pem(p384, 1);
	ck_assert_int_eq(sam_key_from_pem(pem, strlen(pem), &k), SAM_E_KEY);
	pem = pkey_pem(p384, 0);
	ck_assert_int_eq(sam_key_from_pem(pem, strlen(pem), &k), SAM_E_KEY);
	pem = pkey_pem(x25519, 1);
	ck_assert_int_eq(sam_key_from_pem(pem, strlen(pem), &k), SAM_E_KEY);
	ck_assert_int_eq(sam_key_from_pem("garbage", 7, &k), SAM_E_KEY);
	ck_assert_int_eq(sam_key_from_pem("", 0, &k), SAM_E_KEY);
	/* a truncated key */
	ck_assert_int_eq(sam_key_from_pem(TV_ED25519_KEY, 60, &k), SAM_E_KEY);
	ck_assert_int_eq(sam_key_from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n"
									  "-----END CERTIFICATE-----\n", 60, &k),
					 SAM_E_KEY);
	ck_assert_int_eq(sam_key_from_secret(secret, 15, &k), SAM_E_KEY);
	ck_assert_int_eq(sam_key_from_secret(secret, 65, &k), SAM_E_KEY);
	ck_assert_int_eq(sam_key_from_secret(secret, 16, &k), SAM_OK);
	sam_key_free(k);
	ck_assert_int_eq(sam_key_from_secret(secret, 64, &k), SAM_OK);
	sam_key_free(k);
	ck_assert_int_eq(sam_key_load("/nonexistent/key", &k), SAM_E_IO);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(p384);
	EVP_PKEY_free(x25519);
}
END_TEST

/* keys made elsewhere: traditional EC, PEM with parameters first */
START_TEST(test_foreign_keys)
{
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	/* what "openssl ecparam -name prime256v1" writes before the key */
	static const char params[] = "-----BEGIN EC PARAMETERS-----\n"
		"BggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
	char buf[4096];
	BIO *bio = BIO_new(BIO_s_mem());
	sam_key *k = NULL;
	int n;

	ck_assert_int_eq(BIO_puts(bio, params), (int)strlen(params));
	ck_assert_int_eq(PEM_write_bio_PrivateKey_traditional(bio, ec, NULL,
				NULL, 0, NULL, NULL), 1);
	n = BIO_read(bio, buf, sizeof(buf) - 1);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "EC PRIVATE KEY"));
	ck_assert_int_eq(sam_key_from_pem(buf, (size_t)n, &k), SAM_OK);
	ck_assert_int_eq(sam_key_scheme(k), SAM_SCHEME_ECDSA_P256);
	ck_assert(sam_key_can_sign(k));
	sam_key_free(k);
	BIO_free(bio);
	EVP_PKEY_free(ec);
}
END_TEST

START_TEST(test_strerror)
{
	int i, j;

	for (i = 0; i >= SAM_E_BEHIND; i--)
	{
		ck_assert_str_ne(sam_strerror(i), "unknown error");
		for (j = 0; j > i; j--)
		{
			ck_assert_str_ne(sam_strerror(i), sam_strerror(j));
		}
	}
	ck_assert_str_eq(sam_strerror(SAM_E_BAD_AUTH), "bad authenticator");
	ck_assert_str_eq(sam_strerror(SAM_E_UNKNOWN_SOURCE), "unknown source");
	ck_assert_str_eq(sam_strerror(SAM_E_REPLAY), "replayed frame");
	ck_assert_str_eq(sam_strerror(SAM_E_TOO_OLD),
					 "frame older than the replay window");
	ck_assert_str_eq(sam_strerror(SAM_E_MALFORMED),
					 "truncated or malformed frame");
	ck_assert_str_eq(sam_strerror(SAM_E_BEHIND - 1), "unknown error");
	ck_assert_str_eq(sam_strerror(SAM_PENDING), "pending");
	ck_assert_str_eq(sam_strerror(SAM_BOOTSTRAP), "bootstrap frame taken");
	ck_assert_str_eq(sam_strerror(3), "unknown error");
	ck_assert_str_eq(sam_strerror(-1000), "unknown error");
}
END_TEST

/* ---- memory context ---- */

struct counter {
	long allocs, reallocs, frees, live;
};

static void *count_alloc(void *user, size_t size)
{
	struct counter *c = user;

	c->allocs++;
	c->live++;
	return malloc(size);
}

static void *count_realloc(void *user, void *ptr, size_t size)
{
	struct counter *c = user;

	c->reallocs++;
	if (!ptr)
	{
		c->live++;
	}
	return realloc(ptr, size);
}

static void count_free(void *user, void *ptr)
{
	struct counter *c = user;

	c->frees++;
	c->live--;
	free(ptr);
}

static void *fail_alloc(void *user, size_t size)
{
	(void)user;
	(void)size;
	return NULL;
}

START_TEST(test_mem_ops)
{
	struct counter c = { 0 };
	sam_mem_ops mem = {
		.alloc = count_alloc, .realloc = count_realloc,
		.free = count_free, .user = &c,
	};
	sam_key *group = tc_group_key(), *ed = tc_key(TV_ED25519_KEY);
	sam_ctx *tx, *rx, *txe;
	uint8_t frame[256];
	long allocs;
	int i;

	ck_assert_int_eq(sam_ctx_new(&mem, &tx), SAM_OK);
	ck_assert_int_eq(sam_ctx_new(&mem, &rx), SAM_OK);
	ck_assert_int_eq(sam_ctx_new(&mem, &txe), SAM_OK);
	/* the context and its frame buffer, at least */
	ck_assert_int_ge(c.allocs, 6);
	ck_assert_int_eq(sam_set_session(tx, TV_SESSION), SAM_OK);
	ck_assert_int_eq(sam_set_session(rx, TV_SESSION), SAM_OK);
	ck_assert_int_eq(sam_set_session(txe, TV_SESSION), SAM_OK);
	ck_assert_int_eq(sam_set_source(tx, 1, 1), SAM_OK);
	ck_assert_int_eq(sam_set_signing_key(tx, group), SAM_OK);
	ck_assert_int_eq(sam_set_source(txe, 2, 1), SAM_OK);
	ck_assert_int_eq(sam_set_signing_key(txe, ed), SAM_OK);
	ck_assert_int_eq(sam_add_source(rx, 1, group), SAM_OK);
	ck_assert_int_eq(sam_add_source(rx, 2, ed), SAM_OK);
	allocs = c.allocs + c.reallocs;
	for (i = 0; i < 1000; i++)
	{
		ssize_t len = tc_seal(i % 2 ? txe : tx, frame, sizeof(frame));

		ck_assert_int_eq(sam_open(rx, frame, (size_t)len, NULL), SAM_OK);
		ck_assert_int_eq(sam_open(rx, frame, (size_t)len, NULL),
						 SAM_E_REPLAY);
	}
	/* nothing allocated per frame */
	ck_assert_int_eq(c.allocs + c.reallocs, allocs);
	sam_ctx_free(tx);
	sam_ctx_free(rx);
	sam_ctx_free(txe);
	/* everything given back */
	ck_assert_int_eq(c.live, 0);
	ck_assert_int_eq(c.allocs, c.frees);
	sam_key_free(group);
	sam_key_free(ed);

	/* a failing allocator */
	mem.alloc = fail_alloc;
	ck_assert_int_eq(sam_ctx_new(&mem, &tx), SAM_E_NOMEM);
	mem.alloc = NULL;
	ck_assert_int_eq(sam_ctx_new(&mem, &tx), SAM_E_INVAL);
}
END_TEST

/* allocation failing at any step leaves no leak and a usable context */
static long fail_after;

static void *flaky_alloc(void *user, size_t size)
{
	if (fail_after-- <= 0)
	{
		return NULL;
	}
	return count_alloc(user, size);
}

START_TEST(test_mem_failures)
{
	struct counter c = { 0 };
	sam_mem_ops mem = {
		.alloc = flaky_alloc, .realloc = count_realloc,
		.free = count_free, .user = &c,
	};
	sam_key *key = tc_group_key();
	int n, err;

	for (n = 0; n < 8; n++)
	{
		sam_ctx *ctx;
		uint32_t id;

		fail_after = n;
		err = sam_ctx_new(&mem, &ctx);
		if (err != SAM_OK)
		{
			ck_assert_int_eq(err, SAM_E_NOMEM);
			ck_assert_int_eq(c.live, 0);
			continue;
		}
		for (id = 0; id < 20; id++)
		{
			err = sam_add_source(ctx, id, key);
			if (err != SAM_OK)
			{
				ck_assert_int_eq(err, SAM_E_NOMEM);
				break;
			}
		}
		sam_ctx_free(ctx);
		ck_assert_int_eq(c.live, 0);
	}
	sam_key_free(key);
}
END_TEST

Suite *suite_api(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("api");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_null_args);
	tcase_add_test(tc, test_bufsize);
	tcase_add_test(tc, test_toobig);
	tcase_add_test(tc, test_nokey);
	tcase_add_test(tc, test_sources);
	tcase_add_test(tc, test_bad_keys);
	tcase_add_test(tc, test_foreign_keys);
	tcase_add_test(tc, test_strerror);
	tcase_add_test(tc, test_mem_ops);
	tcase_add_test(tc, test_mem_failures);
	suite_add_tcase(s, tc);
	return s;
}
