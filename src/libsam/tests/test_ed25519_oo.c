/*
 * ed25519-oo through its ops, without a context: its signatures are
 * standard Ed25519 (OpenSSL's stock verification accepts them), equal the
 * RFC 8032 arithmetic of vectors/ed25519_oo_vector.py for a fixed nonce,
 * never reuse a nonce, and the signer wipes what it held.
 *
 * The ops are internal (hidden in libsam.so): sam_tests links libsam.a.
 */

#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "test_common.h"
#include "scheme.h"
#include "key.h"
#include "ed25519_ops.h"

static const struct sam_scheme_ops *oo = &sam_scheme_ed25519_oo;
static sam_key *key;
static uint8_t *signer;
static EVP_PKEY *pub;
static struct sam_scheme_env env = {
	.session_id = TV_SESSION,
	.source_id = TV_SOURCE,
};

/** An EVP_PKEY of key's raw public half only: what a receiver has */
static EVP_PKEY *public_only(const sam_key *k)
{
	uint8_t raw[32];
	size_t len = sizeof(raw);
	EVP_PKEY *p;

	ck_assert_int_eq(EVP_PKEY_get_raw_public_key(k->pkey, raw, &len), 1);
	ck_assert_uint_eq(len, 32);
	p = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, len);
	ck_assert_ptr_nonnull(p);
	return p;
}

static void setup_key(const char *pem)
{
	key = pem ? tc_key(pem) : NULL;
	if (!key)
	{
		ck_assert_int_eq(sam_key_generate(SAM_SCHEME_ED25519_OO, &key),
						 SAM_OK);
	}
	pub = public_only(key);
	env.md = EVP_MD_CTX_new();
	ck_assert_ptr_nonnull(env.md);
	signer = calloc(1, oo->signer_size);
	ck_assert_ptr_nonnull(signer);
	ck_assert_int_eq(oo->signer_init(signer, key), SAM_OK);
}

static void setup(void)
{
	setup_key(NULL);
}

static void setup_fixed(void)
{
	setup_key(TV_ED25519_KEY);
}

static void teardown(void)
{
	oo->signer_clear(signer);
	free(signer);
	EVP_MD_CTX_free(env.md);
	EVP_PKEY_free(pub);
	sam_key_free(key);
}

/** OpenSSL's stock one-shot Ed25519 verification under pub */
static int stock_verify(const uint8_t *sig, const uint8_t *msg, size_t len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok;

	ck_assert_ptr_nonnull(md);
	ok = EVP_DigestVerifyInit(md, NULL, NULL, NULL, pub) == 1 &&
		 EVP_DigestVerify(md, sig, 64, msg, len) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

/** The ed25519 scheme's verify op, as a receiver of the frame calls it */
static int scheme_verify(const uint8_t *sig, const uint8_t *msg, size_t len)
{
	struct sam_frame_hdr hdr = { .auth_len = 64 };
	struct sam_frame_view view = {
		.hdr = &hdr, .data = msg, .data_len = len, .auth = sig, .auth_len = 64,
	};

	return sam_scheme_ed25519.verify(NULL, key, &env, &view);
}

static void sign(const uint8_t *msg, size_t len, uint8_t sig[64])
{
	ck_assert_int_eq(oo->sign(signer, key, &env, msg, len, sig), SAM_OK);
}

START_TEST(test_ops)
{
	ck_assert_ptr_eq(sam_scheme_get(SAM_SCHEME_ED25519_OO), oo);
	ck_assert_int_eq(oo->id, SAM_SCHEME_ED25519_OO);
	ck_assert_uint_eq(oo->wire_id, SAM_SCHEME_ED25519);
	ck_assert_str_eq(oo->name, "ed25519-oo");
	ck_assert_str_eq(sam_scheme_name(SAM_SCHEME_ED25519_OO), "ed25519-oo");
	ck_assert_int_eq(oo->key_kind, SAM_KEY_ED25519);
	ck_assert_int_eq(oo->auth, SAM_AUTH_SOURCE);
	ck_assert_uint_eq(oo->max_auth_len, 64);
	ck_assert_ptr_null(oo->auth_len);
	ck_assert_uint_eq(oo->max_auth_len, 64);
	/* receivers treat its frames as ed25519 frames */
	ck_assert_ptr_eq(oo->verify, sam_scheme_ed25519.verify);
	ck_assert_uint_eq(oo->verifier_size, 0);
	ck_assert_ptr_null(oo->resolve);
	ck_assert_ptr_null(oo->flush);
	ck_assert_int_eq(sam_key_scheme(key), SAM_SCHEME_ED25519_OO);
}
END_TEST

START_TEST(test_stock_verify)
{
	static uint8_t msg[SAM_MAX_FRAME];
	size_t sizes[] = { 0, 1, 24, 40, 1400, SAM_MAX_FRAME - 64 };
	uint8_t sig[64];
	size_t i;

	for (i = 0; i < sizeof(msg); i++)
	{
		msg[i] = (uint8_t)(i * 13 + 5);
	}
	for (i = 0; i < SAM_COUNTOF(sizes); i++)
	{
		sign(msg, sizes[i], sig);
		ck_assert_msg(stock_verify(sig, msg, sizes[i]), "size %zu", sizes[i]);
		ck_assert_int_eq(scheme_verify(sig, msg, sizes[i]), SAM_OK);
	}
}
END_TEST

/** One line "name hex" of the vector file into out */
static size_t read_hex(FILE *f, const char *name, uint8_t *out, size_t size)
{
	char word[16], hex[8192];

	ck_assert_int_eq(fscanf(f, "%15s %8191s", word, hex), 2);
	ck_assert_str_eq(word, name);
	return strcmp(hex, "-") == 0 ? 0 : tc_unhex(hex, out, size);
}

/* byte for byte what RFC 8032's arithmetic gives for a fixed r */
START_TEST(test_vector)
{
	uint8_t seed[32], A[32], r[32], msg[4096], sig[64], expect[64];
	uint8_t raw[32];
	size_t len, raw_len = sizeof(raw);
	char word[16], name[32];
	int cases = 0;
	FILE *f;

	ck_assert_int_eq(EVP_PKEY_get_raw_private_key(key->pkey, raw, &raw_len),
					 1);
	f = fopen(VECTORS_DIR "/ed25519-oo.txt", "r");
	ck_assert_ptr_nonnull(f);
	while (fscanf(f, "%15s %31s", word, name) == 2)
	{
		ck_assert_str_eq(word, "case");
		ck_assert_uint_eq(read_hex(f, "seed", seed, sizeof(seed)), 32);
		ck_assert_mem_eq(seed, raw, 32);
		ck_assert_uint_eq(read_hex(f, "pub", A, sizeof(A)), 32);
		ck_assert_uint_eq(read_hex(f, "r", r, sizeof(r)), 32);
		len = read_hex(f, "msg", msg, sizeof(msg));
		ck_assert_uint_eq(read_hex(f, "sig", expect, sizeof(expect)), 64);

		ck_assert_int_eq(sam_ed25519_oo_set_nonce(signer, r), SAM_OK);
		ck_assert_uint_eq(oo->available(signer), 1);
		sign(msg, len, sig);
		ck_assert_msg(memcmp(sig, expect, 64) == 0, "case %s", name);
		ck_assert(stock_verify(sig, msg, len));
		ck_assert_int_eq(scheme_verify(sig, msg, len), SAM_OK);
		/* the injected nonce is used once only */
		ck_assert_uint_eq(oo->available(signer), 0);
		ck_assert_int_eq(oo->sign(signer, key, &env, msg, len, sig),
						 SAM_E_PRECOMPUTE);
		cases++;
	}
	fclose(f);
	ck_assert_int_eq(cases, 3);
	/* r = 0 would sign with R = identity */
	memset(r, 0, sizeof(r));
	ck_assert_int_eq(sam_ed25519_oo_set_nonce(signer, r), SAM_E_INVAL);
}
END_TEST

static int cmp32(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* 3000 frames over several refills: 3000 distinct commitments R */
START_TEST(test_no_reuse)
{
	enum { FRAMES = 3000 };
	static uint8_t Rs[FRAMES][32];
	uint8_t msg[8] = { 0 }, sig[64];
	size_t avail, refills = 0;
	int i, err;

	avail = oo->available(signer);
	ck_assert_uint_gt(avail, 0);
	for (i = 0; i < FRAMES; i++)
	{
		memcpy(msg, &i, sizeof(i));
		err = oo->sign(signer, key, &env, msg, sizeof(msg), sig);
		if (err == SAM_E_PRECOMPUTE)
		{
			ck_assert_uint_eq(avail, 0);
			ck_assert_int_eq(oo->precompute(signer, key, &env, 700), SAM_OK);
			avail = oo->available(signer);
			ck_assert_uint_eq(avail, 700);
			refills++;
			err = oo->sign(signer, key, &env, msg, sizeof(msg), sig);
		}
		ck_assert_int_eq(err, SAM_OK);
		ck_assert_uint_eq(oo->available(signer), --avail);
		ck_assert(stock_verify(sig, msg, sizeof(msg)));
		memcpy(Rs[i], sig, 32);
	}
	ck_assert_uint_ge(refills, 3);
	qsort(Rs, FRAMES, 32, cmp32);
	for (i = 1; i < FRAMES; i++)
	{
		ck_assert_msg(memcmp(Rs[i - 1], Rs[i], 32) != 0, "R used twice");
	}
}
END_TEST

START_TEST(test_pool)
{
	uint8_t msg[1] = { 0 }, sig[64], untouched[64];
	size_t full, i;

	/* signer_init filled the pool; more than it holds is capped */
	full = oo->available(signer);
	ck_assert_uint_ge(full, 256);
	ck_assert_int_eq(oo->precompute(signer, key, &env, SIZE_MAX), SAM_OK);
	ck_assert_uint_eq(oo->available(signer), full);
	for (i = 0; i < 10; i++)
	{
		sign(msg, sizeof(msg), sig);
	}
	ck_assert_uint_eq(oo->available(signer), full - 10);
	/* frames is a level to fill up to, not a count to add */
	ck_assert_int_eq(oo->precompute(signer, key, &env, 0), SAM_OK);
	ck_assert_int_eq(oo->precompute(signer, key, &env, 5), SAM_OK);
	ck_assert_uint_eq(oo->available(signer), full - 10);
	ck_assert_int_eq(oo->precompute(signer, key, &env, full - 3), SAM_OK);
	ck_assert_uint_eq(oo->available(signer), full - 3);
	ck_assert_int_eq(oo->precompute(signer, key, &env, full * 10), SAM_OK);
	ck_assert_uint_eq(oo->available(signer), full);
	/* use it all up: the next sign fails and writes nothing */
	for (i = 0; i < full; i++)
	{
		sign(msg, sizeof(msg), sig);
	}
	ck_assert(stock_verify(sig, msg, sizeof(msg)));
	ck_assert_uint_eq(oo->available(signer), 0);
	memset(sig, 0xa5, sizeof(sig));
	memcpy(untouched, sig, sizeof(sig));
	ck_assert_int_eq(oo->sign(signer, key, &env, msg, sizeof(msg), sig),
					 SAM_E_PRECOMPUTE);
	ck_assert_mem_eq(sig, untouched, sizeof(sig));
	ck_assert_uint_eq(oo->available(signer), 0);
	ck_assert_int_eq(oo->precompute(signer, key, &env, 1), SAM_OK);
	ck_assert_uint_eq(oo->available(signer), 1);
	sign(msg, sizeof(msg), sig);
	ck_assert(stock_verify(sig, msg, sizeof(msg)));
}
END_TEST

/** Flip every bit of buf (in sig or msg) in turn: no verification passes */
static void flip_each_bit(const char *what, uint8_t *buf, size_t len,
						  const uint8_t *sig, const uint8_t *msg,
						  size_t msg_len)
{
	size_t i;
	int bit;

	for (i = 0; i < len; i++)
	{
		for (bit = 0; bit < 8; bit++)
		{
			buf[i] ^= (uint8_t)(1 << bit);
			ck_assert_msg(!stock_verify(sig, msg, msg_len),
						  "%s byte %zu bit %d", what, i, bit);
			ck_assert_int_eq(scheme_verify(sig, msg, msg_len),
							 SAM_E_BAD_AUTH);
			buf[i] ^= (uint8_t)(1 << bit);
		}
	}
}

/* any single bit flipped, in the signature or the message, fails */
START_TEST(test_bit_flips)
{
	uint8_t msg[40], sig[64];

	memcpy(msg, "online/offline Ed25519, forty bytes long", sizeof(msg));
	sign(msg, sizeof(msg), sig);
	ck_assert(stock_verify(sig, msg, sizeof(msg)));
	flip_each_bit("signature", sig, sizeof(sig), sig, msg, sizeof(msg));
	flip_each_bit("message", msg, sizeof(msg), sig, msg, sizeof(msg));
	ck_assert(stock_verify(sig, msg, sizeof(msg)));
}
END_TEST

START_TEST(test_clear_wipes)
{
	uint8_t msg[4] = "wipe", sig[64];
	size_t i, nonzero = 0;

	sign(msg, sizeof(msg), sig);
	for (i = 0; i < oo->signer_size; i++)
	{
		nonzero += signer[i] != 0;
	}
	/* a, A and the pool's nonces */
	ck_assert_uint_gt(nonzero, oo->signer_size / 2);
	oo->signer_clear(signer);
	for (i = 0; i < oo->signer_size; i++)
	{
		ck_assert_msg(signer[i] == 0, "byte %zu left after clear", i);
	}
	ck_assert_uint_eq(oo->available(signer), 0);
	ck_assert_int_eq(oo->sign(signer, key, &env, msg, sizeof(msg), sig),
					 SAM_E_PRECOMPUTE);
}
END_TEST

/* only an Ed25519 private key makes a signer */
START_TEST(test_wrong_keys)
{
	uint8_t *s = calloc(1, oo->signer_size);
	sam_key *k;
	size_t i;

	ck_assert_ptr_nonnull(s);
	k = tc_key(TV_ED25519_PUB);
	ck_assert_int_eq(oo->signer_init(s, k), SAM_E_KEY);
	sam_key_free(k);
	k = tc_key(TV_ECDSA_KEY);
	ck_assert_int_eq(oo->signer_init(s, k), SAM_E_KEY);
	sam_key_free(k);
	k = tc_group_key();
	ck_assert_int_eq(oo->signer_init(s, k), SAM_E_KEY);
	sam_key_free(k);
	/* nothing is left of a failed init */
	for (i = 0; i < oo->signer_size; i++)
	{
		ck_assert_uint_eq(s[i], 0);
	}
	free(s);
}
END_TEST

Suite *suite_ed25519_oo(void)
{
	Suite *s = suite_create("ed25519-oo");
	TCase *tc;

	tc = tcase_create("generated key");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ops);
	tcase_add_test(tc, test_stock_verify);
	tcase_add_test(tc, test_no_reuse);
	tcase_add_test(tc, test_pool);
	tcase_add_test(tc, test_bit_flips);
	tcase_add_test(tc, test_clear_wipes);
	tcase_add_test(tc, test_wrong_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("fixed key");
	tcase_add_checked_fixture(tc, setup_fixed, teardown);
	tcase_add_test(tc, test_vector);
	suite_add_tcase(s, tc);
	return s;
}
