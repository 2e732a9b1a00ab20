/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * Unit tests of the key wrapping, TEKs, group configuration, group state and
 * the GSA/KD build/apply of the mike plugin.
 *
 * Vectors and how they were obtained, independently of the code under test:
 *
 *  - AES Key Wrap with Padding: RFC 5649 section 6 (192-bit KEK), checked
 *    with "openssl enc -id-aes192-wrap-pad -K <kek> -iv A65959A6".
 *  - GSK_w = prf+(SK_d, "Key Wrap for G-IKEv2") (RFC 9838 4.4.1, prf+ of
 *    RFC 7296 2.13): computed with python3's hmac module
 *      T = b""; out = b""; i = 1
 *      while len(out) < 32:
 *          T = hmac.new(sk_d, T + S + bytes([i]), h).digest(); out += T; i += 1
 *    and cross-checked with "openssl dgst -<h> -mac HMAC -macopt hexkey:<sk_d>"
 *    over S | 0x01 (and T1 | S | 0x02 for SHA-1, whose 20-byte output needs
 *    a second block).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* asprintf */
#endif
#include "tests/mike_tests.h"
#include "common/mike_sam.h"

#include <check.h>

#include "tests/test_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <library.h>
#include <daemon.h>
#include <bus/listeners/file_logger.h>
#include <crypto/kdfs/kdf.h>

#include <sqlite3.h>
#include <openssl/evp.h>

#include "common/mike_keywrap.h"
#include "common/mike_tek.h"
#include "common/mike_group_config.h"
#include "gcks/mike_gcks_group.h"
#include "gcks/mike_gsa_builder.h"
#include "member/mike_member_group.h"
#include "member/mike_gsa_applier.h"
#include "payloads/gikev2_parser.h"

/** the suite of the rekey SAs a mike GCKS makes */
#define SUITE (&mike_rekey_suite_default)

/** crypto plugins the tests need (found in Debian's plugin directory) */

/*******************************************************************************
 * Key wrap
 */

/**
 * The last "GSA refused" reason logged over charon's bus, where
 * mike_gsa_apply() says why it refused a GSA
 */
static char last_refusal[512];

static void capture_log(logger_t *this, debug_t group, level_t level,
						int thread, ike_sa_t *ike_sa, const char *message)
{
	const char *why = strstr(message, "GSA refused: ");

	if (why)
	{
		snprintf(last_refusal, sizeof(last_refusal), "%s",
				 why + strlen("GSA refused: "));
	}
}

static level_t capture_get_level(logger_t *this, debug_t group)
{
	return LEVEL_DIAG;
}

static logger_t refusal_logger = {
	.log = capture_log,
	.get_level = capture_get_level,
};

static void refusal_logger_add(void)
{
	charon->bus->add_logger(charon->bus, &refusal_logger);
}

static void refusal_logger_remove(void)
{
	charon->bus->remove_logger(charon->bus, &refusal_logger);
}

/** RFC 5649 section 6 */
static const char *rfc5649_kek =
	"5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8";

static struct {
	const char *key;
	const char *wrapped;
} rfc5649_vectors[] = {
	{ "c37b7e6492584340bed12207808941155068f738",
	  "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a" },
	{ "466f7250617369",
	  "afbeb0f07dfbf5419200f2ccb50bb24f" },
};

START_TEST(test_keywrap_rfc5649_wrap)
{
	chunk_t kek = hex(rfc5649_kek), key = hex(rfc5649_vectors[_i].key);
	chunk_t expected = hex(rfc5649_vectors[_i].wrapped), wrapped;

	ck_assert(mike_keywrap_wrap(kek, key, &wrapped));
	ck_assert_chunk_eq(wrapped, expected);
	chunk_free(&wrapped);
	chunk_free(&kek);
	chunk_free(&key);
	chunk_free(&expected);
}
END_TEST

START_TEST(test_keywrap_rfc5649_unwrap)
{
	chunk_t kek = hex(rfc5649_kek), wrapped = hex(rfc5649_vectors[_i].wrapped);
	chunk_t expected = hex(rfc5649_vectors[_i].key), key;

	ck_assert(mike_keywrap_unwrap(kek, wrapped, &key));
	ck_assert_chunk_eq(key, expected);
	chunk_clear(&key);
	chunk_free(&kek);
	chunk_free(&wrapped);
	chunk_free(&expected);
}
END_TEST

START_TEST(test_keywrap_tamper)
{
	chunk_t kek = hex(rfc5649_kek), wrapped = hex(rfc5649_vectors[_i].wrapped);
	chunk_t key = chunk_empty;
	size_t byte;
	int bit;

	/* a wrong KWK of the same size */
	kek.ptr[0] ^= 0x01;
	ck_assert(!mike_keywrap_unwrap(kek, wrapped, &key));
	kek.ptr[0] ^= 0x01;
	/* every single flipped bit is detected */
	for (byte = 0; byte < wrapped.len; byte++)
	{
		for (bit = 0; bit < 8; bit++)
		{
			wrapped.ptr[byte] ^= 1 << bit;
			ck_assert_msg(!mike_keywrap_unwrap(kek, wrapped, &key),
						  "flipped bit %d of byte %zu unwrapped", bit, byte);
			wrapped.ptr[byte] ^= 1 << bit;
		}
	}
	/* truncated by one block */
	ck_assert(!mike_keywrap_unwrap(kek, chunk_create(wrapped.ptr,
									wrapped.len - 8), &key));
	/* the untouched vector still unwraps */
	ck_assert(mike_keywrap_unwrap(kek, wrapped, &key));
	chunk_clear(&key);
	chunk_free(&kek);
	chunk_free(&wrapped);
}
END_TEST

START_TEST(test_keywrap_round_trip)
{
	/* KWKs of 16, 24 and 32 bytes, keys of many sizes incl. the extremes */
	size_t kwk_sizes[] = { 16, 24, 32 };
	size_t key_sizes[] = { 1, 7, 8, 9, 15, 16, 17, 20, 36, 64, 68, 65536 };
	chunk_t kwk, key, wrapped, unwrapped, other;
	size_t i, j;

	for (i = 0; i < countof(kwk_sizes); i++)
	{
		kwk = chunk_alloc(kwk_sizes[i]);
		memset(kwk.ptr, 0x42 + i, kwk.len);
		for (j = 0; j < countof(key_sizes); j++)
		{
			key = chunk_alloc(key_sizes[j]);
			memset(key.ptr, 0xa5 ^ j, key.len);
			ck_assert(mike_keywrap_wrap(kwk, key, &wrapped));
			/* 8 bytes of integrity check, padded to 8 bytes */
			ck_assert_int_eq(wrapped.len, round_up(key.len, 8) + 8);
			ck_assert(mike_keywrap_unwrap(kwk, wrapped, &unwrapped));
			ck_assert_chunk_eq(unwrapped, key);
			chunk_clear(&unwrapped);
			/* the wrong KWK fails */
			other = chunk_clone(kwk);
			other.ptr[other.len - 1] ^= 0x80;
			ck_assert(!mike_keywrap_unwrap(other, wrapped, &unwrapped));
			chunk_free(&other);
			chunk_free(&wrapped);
			chunk_free(&key);
		}
		chunk_free(&kwk);
	}
}
END_TEST

/**
 * Wrap or unwrap with OpenSSL's AES-KWP, what mike_keywrap used before it
 * ran RFC 5649 on AES-ECB itself
 */
static bool openssl_kwp(chunk_t kwk, chunk_t in, chunk_t *out, bool enc)
{
	const EVP_CIPHER *cipher;
	EVP_CIPHER_CTX *ctx;
	int len, fin;
	bool ok;

	cipher = kwk.len == 16 ? EVP_aes_128_wrap_pad() :
			 kwk.len == 24 ? EVP_aes_192_wrap_pad() : EVP_aes_256_wrap_pad();
	ctx = EVP_CIPHER_CTX_new();
	*out = chunk_alloc(in.len + 16);
	ok = EVP_CipherInit_ex(ctx, cipher, NULL, kwk.ptr, NULL, enc) == 1 &&
		 EVP_CipherUpdate(ctx, out->ptr, &len, in.ptr, in.len) == 1 &&
		 EVP_CipherFinal_ex(ctx, out->ptr + len, &fin) == 1;
	EVP_CIPHER_CTX_free(ctx);
	out->len = ok ? len + fin : 0;
	return ok;
}

START_TEST(test_keywrap_openssl_interop)
{
	size_t kwk_sizes[] = { 16, 24, 32 };
	chunk_t kwk, key, ours, theirs, back;
	rng_t *rng;
	size_t i, len;
	int round;

	rng = lib->crypto->create_rng(lib->crypto, RNG_WEAK);
	ck_assert(rng);
	for (i = 0; i < countof(kwk_sizes); i++)
	{
		for (len = 1; len <= 100; len++)
		{
			for (round = 0; round < 4; round++)
			{
				ck_assert(rng->allocate_bytes(rng, kwk_sizes[i], &kwk));
				ck_assert(rng->allocate_bytes(rng, len, &key));
				ck_assert(mike_keywrap_wrap(kwk, key, &ours));
				ck_assert(openssl_kwp(kwk, key, &theirs, TRUE));
				ck_assert_chunk_eq(ours, theirs);
				ck_assert(mike_keywrap_unwrap(kwk, theirs, &back));
				ck_assert_chunk_eq(back, key);
				chunk_free(&back);
				ck_assert(openssl_kwp(kwk, ours, &back, FALSE));
				ck_assert_chunk_eq(back, key);
				chunk_free(&back);
				/* what OpenSSL refuses, so do we */
				theirs.ptr[theirs.len - 1 - round] ^= 0x10;
				ck_assert(!mike_keywrap_unwrap(kwk, theirs, &back));
				chunk_free(&ours);
				chunk_free(&theirs);
				chunk_free(&key);
				chunk_free(&kwk);
			}
		}
	}
	rng->destroy(rng);
}
END_TEST

START_TEST(test_keywrap_bad_lengths)
{
	chunk_t kwk = chunk_alloca(32), key = chunk_alloca(16), out = chunk_empty;
	chunk_t big;
	size_t bad_kwk[] = { 0, 1, 15, 17, 20, 23, 25, 31, 33, 64 };
	size_t i;

	memset(kwk.ptr, 1, kwk.len);
	memset(key.ptr, 2, key.len);

	for (i = 0; i < countof(bad_kwk); i++)
	{
		ck_assert(!mike_keywrap_wrap(chunk_create(kwk.ptr, bad_kwk[i] % 33),
									 key, &out));
	}
	for (i = 0; i < countof(bad_kwk); i++)
	{
		big = chunk_alloc(bad_kwk[i]);
		memset(big.ptr, 1, big.len);
		ck_assert(!mike_keywrap_wrap(big, key, &out));
		ck_assert(!mike_keywrap_unwrap(big, chunk_create(key.ptr, 16), &out));
		chunk_free(&big);
	}
	/* nothing to wrap */
	ck_assert(!mike_keywrap_wrap(kwk, chunk_empty, &out));
	/* unwrap input: empty, shorter than two blocks, not a multiple of 8 */
	ck_assert(!mike_keywrap_unwrap(kwk, chunk_empty, &out));
	ck_assert(!mike_keywrap_unwrap(kwk, chunk_create(key.ptr, 8), &out));
	ck_assert(!mike_keywrap_unwrap(kwk, chunk_create(key.ptr, 15), &out));
	ck_assert(!mike_keywrap_unwrap(kwk, chunk_create(key.ptr, 12), &out));
	/* longer than the largest wrapped key */
	big = chunk_alloc(65536 + 16);
	memset(big.ptr, 3, big.len);
	ck_assert(!mike_keywrap_unwrap(kwk, big, &out));
	chunk_free(&big);
	ck_assert(out.ptr == NULL);
}
END_TEST

/*
 * GSK_w vectors, see the top of the file
 */
static struct {
	pseudo_random_function_t prf;
	const char *sk_d;
	const char *gsk_w;
} gsk_w_vectors[] = {
	{ PRF_HMAC_SHA2_256,
	  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	  "b169180742eb22165048cce7281f2e65465010931c41a1b39a8492aff33a06d4" },
	{ PRF_HMAC_SHA2_384,
	  "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5"
	  "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5",
	  "149d48f84f820a8cc80af8dd7746fbea82cfc1f70154d5b9073968636f7b9988" },
	/* 20-byte PRF output: T1 | first 12 bytes of T2 */
	{ PRF_HMAC_SHA1,
	  "202122232425262728292a2b2c2d2e2f30313233",
	  "b1051bc94316161287e38596d44dc19c84ccf350"
	  "2aab12aaa8c320b41f0de40e" },
};

START_TEST(test_gsk_w_vector)
{
	chunk_t sk_d = hex(gsk_w_vectors[_i].sk_d);
	chunk_t expected = hex(gsk_w_vectors[_i].gsk_w), gsk_w = chunk_empty;

	ck_assert_msg(mike_keywrap_derive_gsk_w(gsk_w_vectors[_i].prf, sk_d,
											&gsk_w), "no prf+ for %N",
				  pseudo_random_function_names, gsk_w_vectors[_i].prf);
	ck_assert_int_eq(gsk_w.len, MIKE_KWK_SIZE);
	ck_assert_chunk_eq(gsk_w, expected);
	chunk_clear(&gsk_w);
	chunk_free(&sk_d);
	chunk_free(&expected);
}
END_TEST

START_TEST(test_gsk_w_properties)
{
	chunk_t sk_d = hex(gsk_w_vectors[0].sk_d), a, b;

	/* deterministic, depends on SK_d */
	ck_assert(mike_keywrap_derive_gsk_w(PRF_HMAC_SHA2_256, sk_d, &a));
	ck_assert(mike_keywrap_derive_gsk_w(PRF_HMAC_SHA2_256, sk_d, &b));
	ck_assert_chunk_eq(a, b);
	chunk_clear(&b);
	sk_d.ptr[5] ^= 0x10;
	ck_assert(mike_keywrap_derive_gsk_w(PRF_HMAC_SHA2_256, sk_d, &b));
	ck_assert(!chunk_equals(a, b));
	/* usable as a KWK */
	ck_assert_int_eq(b.len, MIKE_KWK_SIZE);
	chunk_clear(&a);
	chunk_clear(&b);
	/* an unavailable PRF fails cleanly */
	ck_assert(!mike_keywrap_derive_gsk_w(PRF_UNDEFINED, sk_d, &a));
	chunk_free(&sk_d);
}
END_TEST

/*******************************************************************************
 * TEK
 */

static struct {
	const char *proposal;
	uint16_t enc_alg;
	uint16_t enc_keylen;
	size_t enc_size;
	uint16_t int_alg;
	size_t int_size;
} tek_sizes[] = {
	{ "aes128gcm16", ENCR_AES_GCM_ICV16, 128, 20, AUTH_UNDEFINED, 0 },
	{ "aes256gcm16", ENCR_AES_GCM_ICV16, 256, 36, AUTH_UNDEFINED, 0 },
	{ "aes128gcm8", ENCR_AES_GCM_ICV8, 128, 20, AUTH_UNDEFINED, 0 },
	{ "aes192ccm16", ENCR_AES_CCM_ICV16, 192, 27, AUTH_UNDEFINED, 0 },
	{ "chacha20poly1305", ENCR_CHACHA20_POLY1305, 0, 36, AUTH_UNDEFINED, 0 },
	{ "aes128-sha256", ENCR_AES_CBC, 128, 16, AUTH_HMAC_SHA2_256_128, 32 },
	{ "aes256-sha256", ENCR_AES_CBC, 256, 32, AUTH_HMAC_SHA2_256_128, 32 },
	{ "aes192-sha384", ENCR_AES_CBC, 192, 24, AUTH_HMAC_SHA2_384_192, 48 },
	{ "aes128ctr-sha1", ENCR_AES_CTR, 128, 20, AUTH_HMAC_SHA1_96, 20 },
};

START_TEST(test_tek_key_sizes)
{
	proposal_t *proposal;
	uint16_t enc_alg, enc_keylen, int_alg;
	size_t enc_size, int_size;

	proposal = proposal_create_from_string(PROTO_ESP, tek_sizes[_i].proposal);
	ck_assert(proposal);
	ck_assert(mike_tek_key_sizes(proposal, &enc_alg, &enc_keylen, &enc_size,
								 &int_alg, &int_size));
	ck_assert_int_eq(enc_alg, tek_sizes[_i].enc_alg);
	ck_assert_int_eq(enc_keylen, tek_sizes[_i].enc_keylen);
	ck_assert_int_eq(enc_size, tek_sizes[_i].enc_size);
	ck_assert_int_eq(int_alg, tek_sizes[_i].int_alg);
	ck_assert_int_eq(int_size, tek_sizes[_i].int_size);
	proposal->destroy(proposal);
}
END_TEST

START_TEST(test_tek_key_sizes_unusable)
{
	proposal_t *proposal;
	uint16_t enc_alg, enc_keylen, int_alg;
	size_t enc_size, int_size;

	/* no encryption algorithm at all */
	proposal = proposal_create(PROTO_ESP, 0);
	ck_assert(!mike_tek_key_sizes(proposal, &enc_alg, &enc_keylen, &enc_size,
								  &int_alg, &int_size));
	proposal->destroy(proposal);
	proposal = proposal_create_from_string(PROTO_AH, "sha256");
	ck_assert(proposal);
	ck_assert(!mike_tek_key_sizes(proposal, &enc_alg, &enc_keylen, &enc_size,
								  &int_alg, &int_size));
	proposal->destroy(proposal);
	/* a non-AEAD cipher without integrity algorithm */
	proposal = proposal_create(PROTO_ESP, 0);
	proposal->add_algorithm(proposal, ENCRYPTION_ALGORITHM, ENCR_AES_CBC, 128);
	ck_assert(!mike_tek_key_sizes(proposal, &enc_alg, &enc_keylen, &enc_size,
								  &int_alg, &int_size));
	proposal->destroy(proposal);
	/* an AEAD with an integrity algorithm */
	proposal = proposal_create(PROTO_ESP, 0);
	proposal->add_algorithm(proposal, ENCRYPTION_ALGORITHM, ENCR_AES_GCM_ICV16,
							128);
	proposal->add_algorithm(proposal, INTEGRITY_ALGORITHM,
							AUTH_HMAC_SHA2_256_128, 0);
	ck_assert(!mike_tek_key_sizes(proposal, &enc_alg, &enc_keylen, &enc_size,
								  &int_alg, &int_size));
	proposal->destroy(proposal);
}
END_TEST

START_TEST(test_tek_generate)
{
	identification_t *sender;
	proposal_t *proposal;
	mike_tek_t *tek, *other;
	size_t enc_size = tek_sizes[_i].enc_size, int_size = tek_sizes[_i].int_size;

	proposal = proposal_create_from_string(PROTO_ESP, tek_sizes[_i].proposal);
	sender = identification_create_from_string("camera1.example.org");
	tek = mike_tek_generate(proposal, 0x12345678, 1800, sender);
	ck_assert(tek);
	ck_assert_int_eq(tek->spi, 0x12345678);
	ck_assert_int_eq(tek->lifetime, 1800);
	ck_assert_int_eq(tek->enc_alg, tek_sizes[_i].enc_alg);
	ck_assert_int_eq(tek->enc_keylen, tek_sizes[_i].enc_keylen);
	ck_assert_int_eq(tek->int_alg, tek_sizes[_i].int_alg);
	ck_assert_int_eq(tek->keymat.len, enc_size + int_size);
	/* encryption key (incl. salt) first, then the integrity key */
	ck_assert(tek->get_enc_key(tek).ptr == tek->keymat.ptr);
	ck_assert_int_eq(tek->get_enc_key(tek).len, enc_size);
	ck_assert_int_eq(tek->get_int_key(tek).len, int_size);
	if (int_size)
	{
		ck_assert(tek->get_int_key(tek).ptr == tek->keymat.ptr + enc_size);
	}
	/* the sender identity is cloned, no source yet */
	ck_assert(tek->sender && tek->sender != sender);
	ck_assert(tek->sender->equals(tek->sender, sender));
	ck_assert(tek->source == NULL);

	/* fresh random keys every time */
	other = mike_tek_generate(proposal, 0x12345678, 1800, NULL);
	ck_assert(other);
	ck_assert(other->sender == NULL);
	ck_assert(!chunk_equals(tek->keymat, other->keymat));
	other->destroy(other);

	/* a TEK created from the received keying material is the same */
	other = mike_tek_create(tek->spi, tek->enc_alg, tek->enc_keylen,
							tek->int_alg, tek->keymat, tek->lifetime);
	ck_assert(other);
	ck_assert(other->keymat.ptr != tek->keymat.ptr);
	ck_assert_chunk_eq(other->keymat, tek->keymat);
	ck_assert_chunk_eq(other->get_enc_key(other), tek->get_enc_key(tek));
	ck_assert_chunk_eq(other->get_int_key(other), tek->get_int_key(tek));
	ck_assert_int_eq(other->spi, tek->spi);
	ck_assert_int_eq(other->lifetime, tek->lifetime);
	ck_assert(other->sender == NULL && other->source == NULL);
	other->destroy(other);

	tek->destroy(tek);
	sender->destroy(sender);
	proposal->destroy(proposal);
}
END_TEST

START_TEST(test_tek_generate_unusable)
{
	proposal_t *proposal;

	proposal = proposal_create(PROTO_ESP, 0);
	proposal->add_algorithm(proposal, ENCRYPTION_ALGORITHM, ENCR_AES_CBC, 128);
	ck_assert(mike_tek_generate(proposal, 0x1000, 60, NULL) == NULL);
	proposal->destroy(proposal);
}
END_TEST

START_TEST(test_tek_create_sizes)
{
	size_t size = tek_sizes[_i].enc_size + tek_sizes[_i].int_size;
	chunk_t keymat = chunk_alloca(size + 1);
	mike_tek_t *tek;

	memset(keymat.ptr, 0x5a, keymat.len);
	/* one byte too short or too long */
	ck_assert(!mike_tek_create(1, tek_sizes[_i].enc_alg,
				tek_sizes[_i].enc_keylen, tek_sizes[_i].int_alg,
				chunk_create(keymat.ptr, size - 1), 60));
	ck_assert(!mike_tek_create(1, tek_sizes[_i].enc_alg,
				tek_sizes[_i].enc_keylen, tek_sizes[_i].int_alg,
				keymat, 60));
	ck_assert(!mike_tek_create(1, tek_sizes[_i].enc_alg,
				tek_sizes[_i].enc_keylen, tek_sizes[_i].int_alg,
				chunk_empty, 60));
	tek = mike_tek_create(1, tek_sizes[_i].enc_alg, tek_sizes[_i].enc_keylen,
						  tek_sizes[_i].int_alg,
						  chunk_create(keymat.ptr, size), 60);
	ck_assert(tek);
	ck_assert_int_eq(tek->get_enc_key(tek).len, tek_sizes[_i].enc_size);
	ck_assert_int_eq(tek->get_int_key(tek).len, tek_sizes[_i].int_size);
	tek->destroy(tek);
}
END_TEST

START_TEST(test_tek_create_invalid)
{
	chunk_t keymat = chunk_alloca(36);

	memset(keymat.ptr, 0x5a, keymat.len);
	/* GCM-128 key without its salt */
	ck_assert(!mike_tek_create(1, ENCR_AES_GCM_ICV16, 128, AUTH_UNDEFINED,
							   chunk_create(keymat.ptr, 16), 60));
	/* the key length decides: 36 bytes are GCM-256, not GCM-128 */
	ck_assert(!mike_tek_create(1, ENCR_AES_GCM_ICV16, 128, AUTH_UNDEFINED,
							   keymat, 60));
	/* an unknown algorithm has no key size */
	ck_assert(!mike_tek_create(1, ENCR_UNDEFINED, 0, AUTH_UNDEFINED,
							   keymat, 60));
	ck_assert(!mike_tek_create(1, 1234, 0, AUTH_UNDEFINED, keymat, 60));
}
END_TEST

/*******************************************************************************
 * Group configuration
 */

/**
 * A group "g" from the body of its section; NULL if invalid
 */
static mike_group_config_t *cfg_create(const char *body, char **error)
{
	mike_group_config_t *cfg;
	settings_t *settings;
	char *str;

	if (asprintf(&str, "groups {\n g {\n%s\n }\n}\n", body) < 0)
	{
		return NULL;
	}
	settings = settings_create_string(str);
	free(str);
	cfg = mike_group_config_create(settings, "groups", "g", error);
	settings->destroy(settings);
	return cfg;
}

/** a valid GCKS group with every key set */
static const char *gcks_full =
	"role = gcks\n"
	"address = 239.1.2.3\n"
	"protocol = tcp\n"
	"port = 5000\n"
	"esp_proposals = aes256gcm16, aes128-sha256\n"
	"mode = tunnel\n"
	"tek_lifetime = 30m\n"
	"kek_lifetime = 2h\n"
	"rekey_address = 239.1.2.4\n"
	"rekey_port = 4848\n"
	"members = /C=CH/O=example/CN=*, carol@example.org\n"
	"senders = camera1.example.org, /C=CH/O=example/CN=cam\n"
	"sam_scheme = hmac-sha256\n"
	"local_users = root, 4711\n"
	"tek_rekey_time = 20m\n"
	"activation_delay = 3\n"
	"deactivation_delay = 7\n"
	"rekey_on_join = yes\n"
	"rejoin_timeout = 2h\n";

START_TEST(test_cfg_gcks_full)
{
	mike_group_config_t *cfg;
	proposal_t *proposal;
	host_t *host;
	char *error = (char*)1;
	uid_t *uid;

	cfg = cfg_create(gcks_full, &error);
	ck_assert_msg(cfg, "rejected: %s", error);
	ck_assert(error == NULL);
	ck_assert_str_eq(cfg->name, "g");
	ck_assert_int_eq(cfg->role, MIKE_ROLE_GCKS);
	host = host_create_from_string("239.1.2.3", 0);
	ck_assert(cfg->address->equals(cfg->address, host));
	host->destroy(host);
	ck_assert_int_eq(cfg->protocol, IPPROTO_TCP);
	ck_assert_int_eq(cfg->port, 5000);
	ck_assert_int_eq(cfg->proposals->get_count(cfg->proposals), 2);
	cfg->proposals->get_first(cfg->proposals, (void**)&proposal);
	ck_assert(proposal->has_transform(proposal, ENCRYPTION_ALGORITHM,
									  ENCR_AES_GCM_ICV16));
	cfg->proposals->get_last(cfg->proposals, (void**)&proposal);
	ck_assert(proposal->has_transform(proposal, ENCRYPTION_ALGORITHM,
									  ENCR_AES_CBC));
	ck_assert(proposal->has_transform(proposal, INTEGRITY_ALGORITHM,
									  AUTH_HMAC_SHA2_256_128));
	ck_assert_int_eq(cfg->mode, MODE_TUNNEL);
	ck_assert_int_eq(cfg->tek_lifetime, 1800);
	ck_assert_int_eq(cfg->kek_lifetime, 7200);
	host = host_create_from_string("239.1.2.4", 0);
	ck_assert(cfg->rekey_address &&
			  cfg->rekey_address->equals(cfg->rekey_address, host));
	host->destroy(host);
	ck_assert_int_eq(cfg->rekey_port, 4848);
	ck_assert_int_eq(cfg->members->get_count(cfg->members), 2);
	ck_assert_int_eq(cfg->senders->get_count(cfg->senders), 2);
	ck_assert_str_eq(cfg->sam_scheme, "hmac-sha256");
	ck_assert(cfg->connection == NULL);
	ck_assert(!cfg->sender);
	ck_assert_int_eq(cfg->users->get_count(cfg->users), 2);
	cfg->users->get_first(cfg->users, (void**)&uid);
	ck_assert_int_eq(*uid, 0);
	cfg->users->get_last(cfg->users, (void**)&uid);
	ck_assert_int_eq(*uid, 4711);
	ck_assert_int_eq(cfg->tek_rekey_time, 1200);
	ck_assert_int_eq(cfg->activation_delay, 3);
	ck_assert_int_eq(cfg->deactivation_delay, 7);
	ck_assert(cfg->rekey_on_join);
	ck_assert_int_eq(cfg->rejoin_timeout, 7200);
	cfg->destroy(cfg);
}
END_TEST

START_TEST(test_cfg_member_full)
{
	mike_group_config_t *cfg;
	host_t *host;
	char *error = NULL;

	cfg = cfg_create("address = ff0e::1:2\n"
					 "connection = to-gcks\n"
					 "sender = yes\n"
					 "protocol = any\n"
					 "esp_proposals = aes256gcm16\n"
					 "rekey_address = ff0e::1:3\n"
					 "local_users = nobody\n"
					 "fail_close = no\n", &error);
	ck_assert_msg(cfg, "rejected: %s", error);
	ck_assert(error == NULL);
	ck_assert_int_eq(cfg->role, MIKE_ROLE_MEMBER);
	host = host_create_from_string("ff0e::1:2", 0);
	ck_assert(cfg->address->equals(cfg->address, host));
	host->destroy(host);
	host = host_create_from_string("ff0e::1:3", 0);
	ck_assert(cfg->rekey_address->equals(cfg->rekey_address, host));
	host->destroy(host);
	ck_assert_int_eq(cfg->protocol, 0);
	ck_assert_str_eq(cfg->connection, "to-gcks");
	ck_assert(cfg->sender);
	ck_assert(!cfg->fail_close);
	ck_assert_int_eq(cfg->proposals->get_count(cfg->proposals), 1);
	ck_assert_int_eq(cfg->users->get_count(cfg->users), 1);
	cfg->destroy(cfg);

	/* protocol by number, IPv4 boundaries of 224.0.0.0/4 */
	cfg = cfg_create("address = 224.0.0.0\nconnection = c\nprotocol = 50\n"
					 "rekey_address = 239.255.255.255\n", &error);
	ck_assert_msg(cfg, "rejected: %s", error);
	ck_assert_int_eq(cfg->protocol, 50);
	cfg->destroy(cfg);
	/* no error pointer */
	cfg = cfg_create("address = ff02::1\nconnection = c\nport = 65535\n"
					 "rekey_port = 65535\n", NULL);
	ck_assert(cfg);
	ck_assert_int_eq(cfg->port, 65535);
	ck_assert_int_eq(cfg->rekey_port, 65535);
	cfg->destroy(cfg);
}
END_TEST

START_TEST(test_cfg_defaults)
{
	mike_group_config_t *cfg;
	proposal_t *proposal;
	identification_t *id;
	uint16_t alg, keylen;
	char *error = NULL;

	cfg = cfg_create("address = 239.0.0.1\nconnection = c\n", &error);
	ck_assert_msg(cfg, "rejected: %s", error);
	ck_assert_int_eq(cfg->role, MIKE_ROLE_MEMBER);
	ck_assert_int_eq(cfg->protocol, IPPROTO_UDP);
	ck_assert_int_eq(cfg->port, 0);
	ck_assert_int_eq(cfg->proposals->get_count(cfg->proposals), 1);
	cfg->proposals->get_first(cfg->proposals, (void**)&proposal);
	ck_assert(proposal->get_algorithm(proposal, ENCRYPTION_ALGORITHM, &alg,
									  &keylen));
	ck_assert_int_eq(alg, ENCR_AES_GCM_ICV16);
	ck_assert_int_eq(keylen, 128);
	ck_assert(!proposal->get_algorithm(proposal, INTEGRITY_ALGORITHM, &alg,
									   NULL));
	ck_assert_int_eq(cfg->mode, MODE_TRANSPORT);
	ck_assert_int_eq(cfg->tek_lifetime, 3600);
	ck_assert_int_eq(cfg->kek_lifetime, 86400);
	ck_assert(cfg->rekey_address == NULL);
	ck_assert_int_eq(cfg->rekey_port, 848);
	ck_assert_str_eq(cfg->sam_scheme, "ed25519");
	ck_assert(!cfg->sender);
	ck_assert(cfg->fail_close);
	ck_assert_int_eq(cfg->users->get_count(cfg->users), 0);
	/* members %any: anyone may join; no senders */
	ck_assert_int_eq(cfg->members->get_count(cfg->members), 1);
	ck_assert_int_eq(cfg->senders->get_count(cfg->senders), 0);
	id = identification_create_from_string("C=CH, O=other, CN=x");
	ck_assert(cfg->may_join(cfg, id));
	ck_assert(!cfg->may_send(cfg, id));
	id->destroy(id);
	id = identification_create_from_string("%any");
	ck_assert(!cfg->may_send(cfg, id));
	id->destroy(id);
	cfg->destroy(cfg);

	/* a GCKS needs no connection */
	cfg = cfg_create("role = gcks\naddress = 239.0.0.1\n", &error);
	ck_assert_msg(cfg, "rejected: %s", error);
	ck_assert_int_eq(cfg->role, MIKE_ROLE_GCKS);
	ck_assert(cfg->connection == NULL);
	ck_assert_int_eq(cfg->rejoin_timeout, 3600);
	ck_assert(!cfg->rekey_on_join);
	cfg->destroy(cfg);

	/* rejoin_timeout follows tek_lifetime */
	cfg = cfg_create("role = gcks\naddress = 239.0.0.1\n"
					 "tek_lifetime = 10m\n", &error);
	ck_assert_msg(cfg, "rejected: %s", error);
	ck_assert_int_eq(cfg->rejoin_timeout, 600);
	cfg->destroy(cfg);

	/* the other SAM schemes, by their frame format IDs */
	cfg = cfg_create("address = 239.0.0.1\nconnection = c\n"
					 "sam_scheme = ecdsa-p256\n", &error);
	ck_assert_msg(cfg, "rejected: %s", error);
	ck_assert_str_eq(cfg->sam_scheme, "ecdsa-p256");
	ck_assert_int_eq(cfg->sam_scheme_id, MIKE_SAM_ECDSA_P256);
	cfg->destroy(cfg);
	cfg = cfg_create("address = 239.0.0.1\nconnection = c\n"
					 "sam_scheme = hybrid\n", &error);
	ck_assert_msg(cfg, "rejected: %s", error);
	ck_assert_int_eq(cfg->sam_scheme_id, MIKE_SAM_HYBRID);
	cfg->destroy(cfg);
	cfg = cfg_create("address = 239.0.0.1\nconnection = c\n"
					 "sam_scheme = ed25519-oo\n", &error);
	ck_assert_msg(cfg, "rejected: %s", error);
	ck_assert_int_eq(cfg->sam_scheme_id, MIKE_SAM_ED25519_OO);
	cfg->destroy(cfg);
	cfg = cfg_create("address = 239.0.0.1\nconnection = c\n"
					 "sam_scheme = tree\n", &error);
	ck_assert_msg(cfg, "rejected: %s", error);
	ck_assert_int_eq(cfg->sam_scheme_id, MIKE_SAM_TREE);
	cfg->destroy(cfg);
	cfg = cfg_create("address = 239.0.0.1\nconnection = c\n"
					 "sam_scheme = tesla\n", &error);
	ck_assert_msg(cfg, "rejected: %s", error);
	ck_assert_int_eq(cfg->sam_scheme_id, MIKE_SAM_TESLA);
	ck_assert(mike_sam_scheme_signs(cfg->sam_scheme_id));
	cfg->destroy(cfg);
}
END_TEST

START_TEST(test_sam_session_id)
{
	/* SHA-256("mike SAM session " || name), first 4 bytes (docs/sam-keys.md,
	 * checked with Python's hashlib) */
	ck_assert_int_eq(mike_sam_session_id("news"), 0x923d3979);
	ck_assert_int_eq(mike_sam_session_id("g"), 0x34dd4195);
	ck_assert(mike_sam_session_id("news") != mike_sam_session_id("sports"));
}
END_TEST

START_TEST(test_sam_data_key_vector)
{
	chunk_t kek, key, again;
	uint32_t id, id2;

	/* HMAC-SHA-256 of the labels under the KEK's keying material 00..43
	 * (docs/sam-keys.md, checked with Python's hmac) */
	kek = chunk_alloca(68);
	for (id = 0; id < kek.len; id++)
	{
		kek.ptr[id] = id;
	}
	key = mike_sam_data_key(kek, &id);
	ck_assert_chunk_eq(key, chunk_from_chars(
		0xdc, 0xd3, 0x36, 0x1d, 0x7c, 0x72, 0xdd, 0x40, 0xce, 0xe0, 0x41,
		0x05, 0x4c, 0x4c, 0x6b, 0xe6, 0xfd, 0x2c, 0x01, 0x38, 0x35, 0x64,
		0xbc, 0x97, 0x01, 0x8f, 0xf8, 0x13, 0xce, 0x45, 0x68, 0x02));
	ck_assert_int_eq(id, 0xba137cf4);
	/* another KEK, another key and ID */
	kek.ptr[0] ^= 1;
	again = mike_sam_data_key(kek, &id2);
	ck_assert_int_eq(again.len, MIKE_SAM_DATA_KEY_SIZE);
	ck_assert(!chunk_equals(again, key));
	ck_assert(id2 != id);
	chunk_clear(&key);
	chunk_clear(&again);
}
END_TEST

START_TEST(test_sam_key_encoding)
{
	private_key_t *key;
	public_key_t *pub;
	chunk_t spki, body, parsed, bad;
	char *why;

	key = mike_sam_key_generate(MIKE_SAM_ED25519);
	ck_assert(key);
	ck_assert(!mike_sam_key_generate(MIKE_SAM_HMAC_SHA256));
	pub = key->get_public_key(key);
	ck_assert(pub->get_encoding(pub, PUBKEY_SPKI_ASN1_DER, &spki));
	body = mike_sam_key_encode(MIKE_SAM_ED25519, spki);
	ck_assert_int_eq(body.len, 2 + spki.len);
	ck_assert_int_eq(body.ptr[0], 2);
	ck_assert_int_eq(body.ptr[1], 0);
	ck_assert(mike_sam_key_parse(body, MIKE_SAM_ED25519, &parsed, &why));
	ck_assert_chunk_eq(parsed, spki);
	/* hybrid, ed25519-oo and tree sign with Ed25519 keys too */
	body.ptr[0] = MIKE_SAM_HYBRID;
	ck_assert(mike_sam_key_parse(body, MIKE_SAM_HYBRID, &parsed, &why));
	body.ptr[0] = MIKE_SAM_TREE;
	ck_assert(mike_sam_key_parse(body, MIKE_SAM_TREE, &parsed, &why));
	/* not for P-256, nor for a group MAC */
	body.ptr[0] = MIKE_SAM_ECDSA_P256;
	ck_assert(!mike_sam_key_parse(body, MIKE_SAM_ECDSA_P256, &parsed, &why));
	ck_assert(!mike_sam_key_check(MIKE_SAM_HMAC_SHA256, spki, &why));
	/* garbage, empty, too long */
	bad = chunk_alloca(MIKE_SAM_KEY_MAX + 1);
	memset(bad.ptr, 0x30, bad.len);
	ck_assert(!mike_sam_key_check(MIKE_SAM_ED25519, bad, &why));
	ck_assert(!mike_sam_key_check(MIKE_SAM_ED25519, chunk_empty, &why));
	ck_assert(!mike_sam_key_check(MIKE_SAM_ED25519,
								  chunk_create(spki.ptr, spki.len - 1), &why));
	chunk_free(&body);
	chunk_free(&spki);
	pub->destroy(pub);
	key->destroy(key);

	key = mike_sam_key_generate(MIKE_SAM_ECDSA_P256);
	ck_assert(key);
	pub = key->get_public_key(key);
	ck_assert(pub->get_encoding(pub, PUBKEY_SPKI_ASN1_DER, &spki));
	ck_assert(mike_sam_key_check(MIKE_SAM_ECDSA_P256, spki, &why));
	ck_assert(!mike_sam_key_check(MIKE_SAM_ED25519, spki, &why));
	chunk_free(&spki);
	pub->destroy(pub);
	key->destroy(key);
}
END_TEST

/** a valid member group the error cases modify */
#define MEMBER_OK "address = 239.1.2.3\nconnection = c\n"

/** a valid GCKS group the error cases modify */
#define GCKS_OK "role = gcks\naddress = 239.1.2.3\n"

static struct {
	const char *body;
	const char *error;
} cfg_errors[] = {
	{ "connection = c\n", "address missing" },
	{ "address = 192.0.2.1\nconnection = c\n", "not a multicast address" },
	{ "address = 223.255.255.255\nconnection = c\n",
	  "not a multicast address" },
	{ "address = 240.0.0.1\nconnection = c\n", "not a multicast address" },
	{ "address = 2001:db8::1\nconnection = c\n", "not a multicast address" },
	{ "address = fe80::1\nconnection = c\n", "not a multicast address" },
	{ "address = group.example.org\nconnection = c\n",
	  "not a multicast address" },
	{ MEMBER_OK "role = server\n", "role 'server'" },
	{ MEMBER_OK "role = GCKS\n", "role 'GCKS'" },
	{ MEMBER_OK "protocol = nosuchproto\n", "unknown protocol 'nosuchproto'" },
	{ MEMBER_OK "protocol = 256\n", "unknown protocol '256'" },
	{ MEMBER_OK "protocol = -1\n", "unknown protocol '-1'" },
	{ MEMBER_OK "port = 65536\n", "port '65536' is not a number from 0 to 65535" },
	{ MEMBER_OK "port = -1\n", "port '-1' is not a number" },
	{ MEMBER_OK "port = http\n", "port 'http' is not a number" },
	{ MEMBER_OK "port = 50x\n", "port '50x' is not a number" },
	{ MEMBER_OK "esp_proposals = bogus\n", "invalid esp_proposals 'bogus'" },
	{ MEMBER_OK "esp_proposals = aes128gcm16, aes999\n",
	  "invalid esp_proposals" },
	{ MEMBER_OK "esp_proposals = ,\n", "invalid esp_proposals" },
	{ MEMBER_OK "mode = beet\n", "mode 'beet'" },
	{ MEMBER_OK "mode = pass\n", "mode 'pass'" },
	{ MEMBER_OK "tek_lifetime = 0\n", "tek_lifetime '0' is not a time" },
	{ MEMBER_OK "tek_lifetime = 1x\n", "tek_lifetime '1x' is not a time" },
	{ MEMBER_OK "kek_lifetime = 0s\n", "kek_lifetime '0s' is not a time" },
	{ MEMBER_OK "rekey_address = 192.0.2.1\n",
	  "rekey_address '192.0.2.1' is not a multicast address" },
	{ MEMBER_OK "rekey_address = nonsense\n",
	  "rekey_address 'nonsense' is not a multicast address" },
	{ MEMBER_OK "rekey_port = 0\n", "rekey_port '0' is not a number from 1" },
	{ MEMBER_OK "rekey_port = 65536\n", "rekey_port '65536' is not a number" },
	{ MEMBER_OK "sender = maybe\n", "sender 'maybe' is neither yes nor no" },
	{ MEMBER_OK "local_users = -1\n", "unknown local user '-1'" },
	{ MEMBER_OK "sam_scheme = rsa\n", "unknown sam_scheme 'rsa'" },
	{ MEMBER_OK "local_senders = root\n", "local_senders needs sender = yes" },
	{ MEMBER_OK "sender = yes\nlocal_senders = nosuchuser-mike\n",
	  "unknown local sender 'nosuchuser-mike'" },
	{ GCKS_OK "local_senders = root\n", "local_senders" },
	{ MEMBER_OK "sam_scheme = ED25519\n", "unknown sam_scheme 'ED25519'" },
	{ "address = 239.1.2.3\n", "needs the connection" },
	{ "address = 239.1.2.3\nrole = member\nsender = yes\n",
	  "needs the connection" },
	{ MEMBER_OK "local_users = nosuchuser-mike\n",
	  "unknown local user 'nosuchuser-mike'" },
	{ MEMBER_OK "local_users = root, nosuchuser-mike, 0\n",
	  "unknown local user 'nosuchuser-mike'" },
	{ MEMBER_OK "fail_close = maybe\n",
	  "fail_close 'maybe' is neither yes nor no" },
	{ GCKS_OK "rejoin_timeout = 0\n", "rejoin_timeout '0' is not a time" },
	{ GCKS_OK "rejoin_timeout = 1w\n", "rejoin_timeout '1w' is not a time" },
	/* the first error is the one reported */
	{ "role = x\nport = 70000\n", "role 'x'" },
	/* unknown keys, with the closest known one if it is close */
	{ GCKS_OK "tek_lifetme = 1h\n",
	  "unknown key 'tek_lifetme' (did you mean 'tek_lifetime'?)" },
	{ GCKS_OK "rejoin_timout = 1h\n",
	  "unknown key 'rejoin_timout' (did you mean 'rejoin_timeout'?)" },
	{ GCKS_OK "rekey-on-join = yes\n",
	  "unknown key 'rekey-on-join' (did you mean 'rekey_on_join'?)" },
	{ GCKS_OK "member = carol@example.org\n",
	  "unknown key 'member' (did you mean 'members'?)" },
	{ MEMBER_OK "Role = gcks\n", "unknown key 'Role' (did you mean 'role'?)" },
	{ MEMBER_OK "esp_proposal = aes128gcm16\n",
	  "unknown key 'esp_proposal' (did you mean 'esp_proposals'?)" },
	{ MEMBER_OK "failclose = no\n",
	  "unknown key 'failclose' (did you mean 'fail_close'?)" },
	{ MEMBER_OK "local_user = root\n",
	  "unknown key 'local_user' (did you mean 'local_users'?)" },
	{ MEMBER_OK "bandwidth = 10M\n", "unknown key 'bandwidth'" },
	/* reported before the missing key it was meant to be */
	{ "adress = 239.1.2.3\nconnection = c\n",
	  "unknown key 'adress' (did you mean 'address'?)" },
	{ "role = nonsense\ntek_lifetme = 1h\n", "unknown key 'tek_lifetme'" },
	/* nothing reads subsections */
	{ MEMBER_OK "sam {\n scheme = ed25519\n}\n",
	  "unknown section 'sam' (did you mean 'sam_scheme'?)" },
	{ GCKS_OK "rekey {\n port = 4848\n}\n",
	  "unknown section 'rekey' (did you mean 'rekey_port'?)" },
	{ MEMBER_OK "extra {\n}\n", "unknown section 'extra' (a group takes keys only)" },
	/* keys of the other role */
	{ MEMBER_OK "members = %any\n", "key 'members' applies to role = gcks only" },
	{ MEMBER_OK "senders = a\n", "key 'senders' applies to role = gcks only" },
	{ MEMBER_OK "rekey_on_join = no\n",
	  "key 'rekey_on_join' applies to role = gcks only" },
	{ MEMBER_OK "rejoin_timeout = 1h\n",
	  "key 'rejoin_timeout' applies to role = gcks only" },
	{ MEMBER_OK "tek_rekey_time = 10m\n",
	  "key 'tek_rekey_time' applies to role = gcks only" },
	{ GCKS_OK "connection = c\n",
	  "key 'connection' applies to role = member only" },
	{ GCKS_OK "sender = yes\n", "key 'sender' applies to role = member only" },
	{ GCKS_OK "fail_close = no\n",
	  "key 'fail_close' applies to role = member only" },
	{ GCKS_OK "sam_encrypt = maybe\n",
	  "sam_encrypt 'maybe' is neither yes nor no" },
	{ GCKS_OK "sam_encrypton = no\n",
	  "unknown key 'sam_encrypton' (did you mean 'sam_encrypt'?)" },
	{ MEMBER_OK "sam_encrypt = no\n",
	  "key 'sam_encrypt' applies to role = gcks only" },
};

START_TEST(test_cfg_errors)
{
	mike_group_config_t *cfg;
	char *error = NULL;

	cfg = cfg_create(cfg_errors[_i].body, &error);
	ck_assert_msg(cfg == NULL, "accepted:\n%s", cfg_errors[_i].body);
	ck_assert_msg(error && strstr(error, cfg_errors[_i].error),
				  "error '%s' lacks '%s' for:\n%s", error,
				  cfg_errors[_i].error, cfg_errors[_i].body);
	free(error);

	/* no error pointer: just NULL */
	ck_assert(cfg_create(cfg_errors[_i].body, NULL) == NULL);
}
END_TEST

START_TEST(test_cfg_no_suggestion)
{
	char *bodies[] = {
		MEMBER_OK "bandwidth = 10M\n",
		MEMBER_OK "x = 1\n",
		MEMBER_OK "ab = 1\n",
		GCKS_OK "rekey_on_leave = yes\n",
		MEMBER_OK "this_is_a_very_long_key_name_no_group_would_use = 1\n",
	};
	char *error;
	int i;

	for (i = 0; i < countof(bodies); i++)
	{
		error = NULL;
		ck_assert(cfg_create(bodies[i], &error) == NULL);
		ck_assert_msg(error && strpfx(error, "unknown key '") &&
					  !strstr(error, "did you mean"),
					  "error '%s' for:\n%s", error, bodies[i]);
		free(error);
	}
}
END_TEST

/**
 * Every key the parser reads (docs/configuration.md), with a valid value,
 * and the role it applies to (NULL: both)
 */
static struct {
	const char *key;
	const char *value;
	const char *role;
} cfg_keys[] = {
	{ "role", "member", "member" },
	{ "role", "gcks", "gcks" },
	{ "address", "239.1.2.3", NULL },
	{ "protocol", "udp", NULL },
	{ "port", "5000", NULL },
	{ "esp_proposals", "aes128gcm16", NULL },
	{ "mode", "tunnel", NULL },
	{ "tek_lifetime", "30m", NULL },
	{ "kek_lifetime", "2h", NULL },
	{ "tek_rekey_time", "10m", "gcks" },
	{ "activation_delay", "1", NULL },
	{ "deactivation_delay", "1", NULL },
	{ "rekey_address", "239.1.2.4", NULL },
	{ "rekey_port", "4848", NULL },
	{ "rekey_on_join", "yes", "gcks" },
	{ "members", "%any", "gcks" },
	{ "senders", "carol@example.org", "gcks" },
	{ "sam_scheme", "ecdsa-p256", NULL },
	{ "connection", "c", "member" },
	{ "sender", "yes", "member" },
	{ "local_users", "root", NULL },
	{ "local_senders", "root", "member" },
	{ "fail_close", "no", "member" },
	{ "rejoin_timeout", "1h", "gcks" },
};

START_TEST(test_cfg_every_key)
{
	const char *roles[] = { "member", "gcks" };
	mike_group_config_t *cfg;
	char *body, *error;
	int i;

	for (i = 0; i < countof(roles); i++)
	{
		if (cfg_keys[_i].role && !streq(cfg_keys[_i].role, roles[i]))
		{
			continue;
		}
		/* a key given twice takes the last value; members send, for
		 * local_senders */
		ck_assert(asprintf(&body, "role = %s\naddress = 239.1.2.3\n%s"
						   "%s = %s\n", roles[i],
						   streq(roles[i], "member") ?
								"connection = c\nsender = yes\n" : "",
						   cfg_keys[_i].key, cfg_keys[_i].value) > 0);
		error = NULL;
		cfg = cfg_create(body, &error);
		ck_assert_msg(cfg, "rejected: %s\n%s", error, body);
		ck_assert(error == NULL);
		cfg->destroy(cfg);
		free(body);
	}
}
END_TEST

START_TEST(test_cfg_missing_group)
{
	char *error = NULL;

	ck_assert(cfg_create("", &error) == NULL);
	ck_assert(error && strstr(error, "address missing"));
	free(error);
}
END_TEST

static struct {
	const char *id;
	bool join;
	bool send;
} cfg_ids[] = {
	/* the wildcard DN pattern */
	{ "C=CH, O=example, CN=alice", TRUE, FALSE },
	{ "C=CH, O=example, CN=cam", TRUE, TRUE },
	{ "C=CH, O=other, CN=alice", FALSE, FALSE },
	{ "C=DE, O=example, CN=alice", FALSE, FALSE },
	{ "C=CH, O=example, OU=x, CN=alice", FALSE, FALSE },
	{ "C=CH, O=example", FALSE, FALSE },
	{ "C=CH, O=example, CN=cam2", TRUE, FALSE },
	/* exact identities */
	{ "carol@example.org", TRUE, FALSE },
	{ "dave@example.org", FALSE, FALSE },
	{ "camera1.example.org", FALSE, TRUE },
	{ "camera2.example.org", FALSE, FALSE },
	{ "192.0.2.1", FALSE, FALSE },
	/* %any is no member */
	{ "%any", FALSE, FALSE },
};

START_TEST(test_cfg_may_join_send)
{
	mike_group_config_t *cfg;
	identification_t *id;

	cfg = cfg_create(gcks_full, NULL);
	ck_assert(cfg);
	id = identification_create_from_string((char*)cfg_ids[_i].id);
	ck_assert_msg(cfg->may_join(cfg, id) == cfg_ids[_i].join,
				  "may_join(%Y) != %d", id, cfg_ids[_i].join);
	ck_assert_msg(cfg->may_send(cfg, id) == cfg_ids[_i].send,
				  "may_send(%Y) != %d", id, cfg_ids[_i].send);
	id->destroy(id);
	cfg->destroy(cfg);
}
END_TEST

START_TEST(test_cfg_any)
{
	mike_group_config_t *cfg;
	identification_t *id;

	cfg = cfg_create("role = gcks\naddress = 239.1.2.3\n"
					 "members = %any\nsenders = %any\n", NULL);
	ck_assert(cfg);
	id = identification_create_from_string((char*)cfg_ids[_i].id);
	ck_assert(cfg->may_join(cfg, id));
	ck_assert(cfg->may_send(cfg, id));
	id->destroy(id);
	cfg->destroy(cfg);

	/* DN wildcards in other positions, FQDN wildcards */
	cfg = cfg_create("role = gcks\naddress = 239.1.2.3\n"
					 "members = /C=CH/O=*/CN=*\n"
					 "senders = *.example.org\n", NULL);
	ck_assert(cfg);
	id = identification_create_from_string((char*)cfg_ids[_i].id);
	ck_assert(cfg->may_join(cfg, id) ==
			  (strpfx(cfg_ids[_i].id, "C=CH, O=") &&
			   strstr(cfg_ids[_i].id, "CN=") && !strstr(cfg_ids[_i].id, "OU")));
	ck_assert(cfg->may_send(cfg, id) ==
			  (strpfx(cfg_ids[_i].id, "camera")));
	id->destroy(id);
	cfg->destroy(cfg);
}
END_TEST

/*******************************************************************************
 * Group state
 */

/**
 * The configuration of a group "g" from the body of its section, which must
 * be valid
 */
static mike_group_config_t *group_cfg(const char *body)
{
	mike_group_config_t *cfg;
	char *error = NULL;

	cfg = cfg_create(body, &error);
	ck_assert_msg(cfg, "rejected: %s\n%s", error, body);
	return cfg;
}

/**
 * A GCKS group from the body of its section, without state store
 */
static mike_gcks_group_t *group_create(const char *body)
{
	return mike_gcks_group_create(group_cfg(body), NULL);
}

/**
 * The GSA of a group
 */
static mike_gsa_t *gsa_of(mike_group_t *group)
{
	return group->get_gsa(group);
}

/**
 * The first TEK of a GSA, NULL if it has none
 */
static mike_tek_t *first_tek(mike_gsa_t *gsa)
{
	enumerator_t *enumerator;
	mike_tek_t *tek;

	enumerator = gsa->create_tek_enumerator(gsa);
	if (!enumerator->enumerate(enumerator, &tek))
	{
		tek = NULL;
	}
	enumerator->destroy(enumerator);
	return tek;
}

/**
 * The last TEK of a GSA, NULL if it has none
 */
static mike_tek_t *last_tek(mike_gsa_t *gsa)
{
	enumerator_t *enumerator;
	mike_tek_t *tek, *last = NULL;

	enumerator = gsa->create_tek_enumerator(gsa);
	while (enumerator->enumerate(enumerator, &tek))
	{
		last = tek;
	}
	enumerator->destroy(enumerator);
	return last;
}

/**
 * The first member of a GCKS group (added or stored first), NULL if none
 */
static mike_gcks_member_t *first_member(mike_gcks_group_t *group)
{
	enumerator_t *enumerator;
	mike_gcks_member_t *member;

	enumerator = group->create_member_enumerator(group);
	if (!enumerator->enumerate(enumerator, &member))
	{
		member = NULL;
	}
	enumerator->destroy(enumerator);
	return member;
}

static int cmp_spi(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t*)a, y = *(const uint32_t*)b;

	return x < y ? -1 : x > y;
}

START_TEST(test_group_allocate_spi)
{
	mike_gcks_group_t *group;
	uint32_t spis[3000];
	int i;

	group = group_create("role = gcks\naddress = 239.1.2.3\n");
	for (i = 0; i < countof(spis); i++)
	{
		spis[i] = group->allocate_spi(group);
		ck_assert_msg(spis[i] >= 0x100, "SPI %u", spis[i]);
	}
	qsort(spis, countof(spis), sizeof(spis[0]), cmp_spi);
	for (i = 1; i < countof(spis); i++)
	{
		ck_assert_msg(spis[i] != spis[i - 1], "SPI %.8x repeated", spis[i]);
	}
	group->group.destroy(&group->group);
}
END_TEST

START_TEST(test_group_spis_bounded)
{
	mike_gcks_group_t *group;
	uint32_t *spis;
	int i, count = MIKE_GROUP_MAX_USED_SPIS + 1000;

	/* more SPIs than the group remembers: allocating goes on, and the
	 * newest MIKE_GROUP_MAX_USED_SPIS never repeat */
	group = group_create("role = gcks\naddress = 239.1.2.3\n");
	spis = calloc(count, sizeof(uint32_t));
	for (i = 0; i < count; i++)
	{
		spis[i] = group->allocate_spi(group);
		ck_assert_msg(spis[i] >= 0x100, "SPI %u", spis[i]);
	}
	qsort(spis + count - MIKE_GROUP_MAX_USED_SPIS, MIKE_GROUP_MAX_USED_SPIS,
		  sizeof(spis[0]), cmp_spi);
	for (i = count - MIKE_GROUP_MAX_USED_SPIS + 1; i < count; i++)
	{
		ck_assert_msg(spis[i] != spis[i - 1], "SPI %.8x repeated", spis[i]);
	}
	free(spis);
	group->group.destroy(&group->group);
}
END_TEST

static int count_retired(mike_gcks_group_t *group)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	enumerator_t *enumerator;
	mike_tek_t *tek;
	uint32_t left;
	int count = 0;

	enumerator = group->create_retired_enumerator(group);
	while (enumerator->enumerate(enumerator, &tek, &left))
	{	/* a newcomer keeps it as long as its sender may use it, and the
		 * deactivation delay, not for the TEK's lifetime */
		ck_assert_int_ge(left, 1 + cfg->deactivation_delay);
		ck_assert_int_le(left, cfg->activation_delay + 1 +
						 cfg->deactivation_delay);
		ck_assert_int_lt(left, tek->lifetime);
		count++;
	}
	enumerator->destroy(enumerator);
	return count;
}

/**
 * Add a registered member (and its sender TEK if sender) to a GCKS group
 */
static mike_gcks_member_t *add_member(mike_gcks_group_t *group, char *id,
									  uint32_t ike_sa_id, bool sender)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	mike_gsa_t *gsa = gsa_of(&group->group);
	mike_gcks_member_t *member;
	identification_t *identity;
	proposal_t *proposal;
	linked_list_t *path, *rekey;
	mike_tek_t *tek = NULL;

	identity = identification_create_from_string(id);
	if (sender)
	{
		cfg->proposals->get_first(cfg->proposals, (void**)&proposal);
		tek = mike_tek_generate(proposal, group->allocate_spi(group),
								cfg->tek_lifetime, identity);
		ck_assert(tek);
		gsa->add_tek(gsa, tek);
	}
	member = group->add_member(group, identity, ike_sa_id, tek, &path, &rekey);
	ck_assert(member);
	ck_assert(member->tek == tek);
	/* a path from its leaf up to the root */
	ck_assert(path->get_count(path) >= 1);
	path->destroy_function(path, (void*)mike_lkh_key_destroy);
	rekey->destroy_function(rekey, (void*)mike_lkh_wrapped_destroy);
	identity->destroy(identity);
	return member;
}

START_TEST(test_group_retired_pruned)
{
	mike_gcks_group_t *group;
	mike_gcks_member_t *member;
	host_t *source;
	int i;

	/* retired TEKs go once their sender switched (activation_delay plus a
	 * second), also when nobody enumerates them (rekey_on_join) */
	group = group_create("role = gcks\naddress = 239.1.2.3\n"
						 "activation_delay = 1\nrekey_on_join = yes\n");
	source = host_create_from_string("10.0.0.1", 0);
	/* a sender whose TEK rolls over: each new TEK retires the one before */
	member = add_member(group, "gm1.mike.test", 1, TRUE);
	for (i = 0; i < 3; i++)
	{
		ck_assert(group->renew_tek(group, member, source));
	}
	/* kept until 2 s after the second they were retired in, however
	 * slowly the loop ran */
	ck_assert_int_eq(count_retired(group), 3);
	sleep(3);
	ck_assert(group->renew_tek(group, member, source));
	ck_assert_int_eq(count_retired(group), 1);
	source->destroy(source);
	group->group.destroy(&group->group);
}
END_TEST

START_TEST(test_group_kek)
{
	mike_gcks_group_t *group;
	mike_gsa_t *gsa;
	chunk_t spi, keymat;

	group = group_create("role = gcks\naddress = 239.1.2.3\n");
	gsa = gsa_of(&group->group);
	ck_assert(!gsa->get_kek_keymat(gsa).len && !gsa->get_kek_spi(gsa).len);
	ck_assert(group->ensure_kek(group));
	ck_assert_int_eq(gsa->get_kek_spi(gsa).len, MIKE_KEK_SPI_SIZE);
	/* GSK_e (AES-256-GCM + salt), GSK_w */
	ck_assert_int_eq(gsa->get_kek_keymat(gsa).len, 32 + 4 + MIKE_KWK_SIZE);
	spi = gsa->get_kek_spi(gsa);
	keymat = gsa->get_kek_keymat(gsa);
	/* kept once there */
	ck_assert(group->ensure_kek(group));
	ck_assert(spi.ptr == gsa->get_kek_spi(gsa).ptr);
	ck_assert(keymat.ptr == gsa->get_kek_keymat(gsa).ptr);
	/* clearing the GSA forgets it, a new one differs */
	spi = chunk_clone(gsa->get_kek_spi(gsa));
	gsa->clear(gsa);
	ck_assert(!gsa->get_kek_keymat(gsa).len && !gsa->get_kek_spi(gsa).len);
	ck_assert_int_eq(gsa->get_tek_count(gsa), 0);
	ck_assert(group->ensure_kek(group));
	ck_assert(!chunk_equals(spi, gsa->get_kek_spi(gsa)));
	chunk_free(&spi);
	group->group.destroy(&group->group);
}
END_TEST

/**
 * Remove a member from a GCKS group, check the key tree's rekey set
 */
static bool remove_member(mike_gcks_group_t *group, uint32_t ike_sa_id)
{
	linked_list_t *rekey = NULL;
	bool removed;

	removed = group->remove_member(group,
							group->find_member(group, ike_sa_id), &rekey);
	if (removed && group->get_member_count(group))
	{	/* the others get new keys */
		ck_assert(rekey && rekey->get_count(rekey));
	}
	if (rekey)
	{
		rekey->destroy_function(rekey, (void*)mike_lkh_wrapped_destroy);
	}
	return removed;
}

START_TEST(test_group_members)
{
	mike_gcks_group_t *group;
	mike_gcks_member_t *a, *b, *c;
	mike_gsa_t *gsa;
	mike_tek_t *tek;

	group = group_create("role = gcks\naddress = 239.1.2.3\n"
						 "senders = %any\n");
	gsa = gsa_of(&group->group);
	a = add_member(group, "a.example.org", 10, TRUE);
	b = add_member(group, "b.example.org", 11, FALSE);
	c = add_member(group, "c.example.org", 12, TRUE);
	ck_assert_int_eq(gsa->get_tek_count(gsa), 2);
	ck_assert(group->find_member(group, 10) == a);
	ck_assert(group->find_member(group, 11) == b);
	ck_assert(group->find_member(group, 12) == c);
	ck_assert(group->find_member(group, 13) == NULL);

	/* a sender: its TEK goes with it */
	ck_assert(remove_member(group, 10));
	ck_assert(group->find_member(group, 10) == NULL);
	ck_assert_int_eq(group->get_member_count(group), 2);
	ck_assert_int_eq(gsa->get_tek_count(gsa), 1);
	tek = first_tek(gsa);
	ck_assert(tek);
	ck_assert(tek == c->tek);
	ck_assert(!remove_member(group, 10));

	/* a receiver: the TEKs stay */
	ck_assert(remove_member(group, 11));
	ck_assert_int_eq(gsa->get_tek_count(gsa), 1);
	ck_assert_int_eq(group->get_member_count(group), 1);
	ck_assert(group->find_member(group, 12) == c);

	/* destroy cleans up the remaining member and TEK */
	group->group.destroy(&group->group);
}
END_TEST

START_TEST(test_group_db)
{
	mike_gcks_group_t *group, *restored;
	mike_gcks_member_t *a, *b, *m;
	mike_group_config_t *cfg;
	mike_gsa_t *gsa, *restored_gsa;
	identification_t *id;
	linked_list_t *rekey;
	mike_lkh_t *lkh;
	mike_db_t *db;
	char path[] = "/tmp/mike-unit-db.XXXXXX", file[64], *error = NULL;
	const char *body = "role = gcks\naddress = 239.1.2.3\nsenders = %any\n";
	uint32_t spi, msg_id;
	uint64_t next;
	int fd;

	fd = mkstemp(path);
	ck_assert(fd >= 0);
	close(fd);
	unlink(path);
	snprintf(file, sizeof(file), "%s", path);
	db = mike_db_create(file);
	ck_assert(db);

	cfg = cfg_create(body, &error);
	ck_assert(cfg);
	group = mike_gcks_group_create(cfg, db);
	gsa = gsa_of(&group->group);
	ck_assert(group->ensure_kek(group));
	a = add_member(group, "a.example.org", 10, TRUE);
	b = add_member(group, "b.example.org", 11, FALSE);
	add_member(group, "c.example.org", 12, FALSE);
	ck_assert(group->remove_member(group, group->find_member(group, 12),
								   &rekey));
	rekey->destroy_function(rekey, (void*)mike_lkh_wrapped_destroy);
	id = identification_create_from_string("x.example.org");
	ck_assert(group->expel(group, id));
	ck_assert(group->next_message_id(group, &msg_id));
	ck_assert_int_eq(msg_id, 0);
	ck_assert(group->next_message_id(group, &msg_id));
	ck_assert_int_eq(msg_id, 1);
	/* stored with the save that comes before the message goes out */
	ck_assert(group->save(group));
	ck_assert(db->get_next_message_id(db, "g", &next));
	ck_assert_int_eq(next, 2);
	spi = a->tek->spi;

	/* a restart: the same keys, members (without IKE SA) and tree */
	cfg = cfg_create(body, &error);
	restored = mike_gcks_group_create(cfg, db);
	restored_gsa = gsa_of(&restored->group);
	ck_assert_chunk_eq(restored_gsa->get_kek_spi(restored_gsa),
					   gsa->get_kek_spi(gsa));
	ck_assert_chunk_eq(restored_gsa->get_kek_keymat(restored_gsa),
					   gsa->get_kek_keymat(gsa));
	ck_assert_int_eq(restored->get_member_count(restored), 2);
	m = first_member(restored);
	ck_assert(m);
	ck_assert(m->id->equals(m->id, a->id));
	ck_assert_int_eq(m->ike_sa_id, 0);
	ck_assert_int_eq(m->leaf, a->leaf);
	ck_assert(m->tek && m->tek->spi == spi);
	ck_assert_chunk_eq(m->tek->keymat, a->tek->keymat);
	m = restored->get_newest_member(restored);
	ck_assert(m);
	ck_assert(m->id->equals(m->id, b->id) && !m->tek && m->leaf == b->leaf);
	ck_assert_int_eq(restored_gsa->get_tek_count(restored_gsa), 1);
	lkh = restored->get_lkh(restored);
	ck_assert(lkh);
	ck_assert_int_eq(lkh->get_member_count(lkh), 2);
	ck_assert(restored->is_expelled(restored, id));
	/* Message IDs and SPIs continue, never repeat; one greater than the
	 * last (RFC 9838 2.4.1.3) */
	ck_assert(restored->next_message_id(restored, &msg_id));
	ck_assert_int_eq(msg_id, 2);
	ck_assert_int_ne(restored->allocate_spi(restored), spi);
	/* a new member gets a new leaf */
	m = add_member(restored, "d.example.org", 13, FALSE);
	ck_assert(m->leaf > a->leaf && m->leaf > b->leaf);
	ck_assert(restored->save(restored));

	id->destroy(id);
	restored->group.destroy(&restored->group);
	group->group.destroy(&group->group);
	db->destroy(db);
	unlink(file);
}
END_TEST

/** the GCKS group of the store tests */
static const char *db_group_body =
	"role = gcks\naddress = 239.1.2.3\nsenders = %any\n";

/**
 * A store in a fresh temporary file, its path written to path (a
 * mkstemp() template)
 */
static mike_db_t *temp_db(char *path)
{
	mike_db_t *db;
	int fd;

	fd = mkstemp(path);
	ck_assert(fd >= 0);
	close(fd);
	unlink(path);
	db = mike_db_create(path);
	ck_assert(db);
	return db;
}

/**
 * The GCKS group of the store tests, restored from db
 */
static mike_gcks_group_t *db_group(mike_db_t *db)
{
	mike_group_config_t *cfg;
	char *error = NULL;

	cfg = cfg_create(db_group_body, &error);
	ck_assert(cfg);
	return mike_gcks_group_create(cfg, db);
}

/**
 * The restored group has exactly the original's state: KEK, TEKs, members
 * by leaf with their TEKs, and every node of the key tree
 */
static void check_restored(mike_gcks_group_t *group,
						   mike_gcks_group_t *restored)
{
	enumerator_t *enumerator, *ea, *eb;
	mike_gcks_member_t *member, *found, *m;
	mike_gsa_t *gsa = gsa_of(&group->group);
	mike_gsa_t *restored_gsa = gsa_of(&restored->group);
	mike_lkh_t *lkh = group->get_lkh(group);
	mike_lkh_t *restored_lkh = restored->get_lkh(restored);
	mike_lkh_node_t *na, *nb;
	uint32_t ida, idb, numa, numb;
	bool more_a, more_b;

	ck_assert_chunk_eq(restored_gsa->get_kek_spi(restored_gsa),
					   gsa->get_kek_spi(gsa));
	ck_assert_chunk_eq(restored_gsa->get_kek_keymat(restored_gsa),
					   gsa->get_kek_keymat(gsa));
	ck_assert_int_eq(restored->get_member_count(restored),
					 group->get_member_count(group));
	ck_assert_int_eq(restored_gsa->get_tek_count(restored_gsa),
					 gsa->get_tek_count(gsa));
	enumerator = group->create_member_enumerator(group);
	while (enumerator->enumerate(enumerator, &member))
	{
		found = NULL;
		ea = restored->create_member_enumerator(restored);
		while (!found && ea->enumerate(ea, &m))
		{
			found = m->leaf == member->leaf ? m : NULL;
		}
		ea->destroy(ea);
		ck_assert(found);
		ck_assert(found->id->equals(found->id, member->id));
		ck_assert(!found->tek == !member->tek);
		if (member->tek)
		{
			ck_assert_int_eq(found->tek->spi, member->tek->spi);
			ck_assert_chunk_eq(found->tek->keymat, member->tek->keymat);
		}
	}
	enumerator->destroy(enumerator);

	lkh->get_counters(lkh, &ida, &numa);
	restored_lkh->get_counters(restored_lkh, &idb, &numb);
	ck_assert_int_eq(ida, idb);
	ck_assert_int_eq(numa, numb);
	ea = lkh->create_node_enumerator(lkh);
	eb = restored_lkh->create_node_enumerator(restored_lkh);
	while (TRUE)
	{
		more_a = ea->enumerate(ea, &na);
		more_b = eb->enumerate(eb, &nb);
		ck_assert(more_a == more_b);
		if (!more_a)
		{
			break;
		}
		ck_assert_int_eq(na->num, nb->num);
		ck_assert_int_eq(na->parent, nb->parent);
		ck_assert_int_eq(na->side, nb->side);
		ck_assert_int_eq(na->id, nb->id);
		ck_assert(na->key.len == nb->key.len);
		ck_assert(!na->key.len || chunk_equals(na->key, nb->key));
		ck_assert(na->is_member == nb->is_member);
		ck_assert_int_eq(na->member, nb->member);
	}
	ea->destroy(ea);
	eb->destroy(eb);
}

/**
 * Evict a member, remembering every key it held; nobody evicted so far can
 * unwrap anything of the rekey set
 */
static void evict(mike_gcks_group_t *group, mike_gcks_member_t *member,
				  linked_list_t *evicted)
{
	linked_list_t *path, *rekey = NULL, *learned;
	mike_lkh_t *lkh = group->get_lkh(group);
	mike_lkh_key_t *key;

	ck_assert(lkh->get_path(lkh, member->leaf, &path));
	while (path->remove_first(path, (void**)&key) == SUCCESS)
	{
		evicted->insert_last(evicted, key);
	}
	path->destroy(path);
	ck_assert(group->remove_member(group, member, &rekey));
	ck_assert(rekey);
	learned = linked_list_create();
	ck_assert_int_eq(mike_lkh_member_unwrap(evicted, rekey, learned), 0);
	learned->destroy(learned);
	rekey->destroy_function(rekey, (void*)mike_lkh_wrapped_destroy);
}

/**
 * A random walk of joins, leaves and TEK changes, saved after every change:
 * a restart at any point restores exactly the group
 */
START_TEST(test_group_db_walk)
{
	mike_gcks_group_t *group, *restored;
	mike_gcks_member_t *member;
	enumerator_t *enumerator;
	linked_list_t *evicted;
	mike_db_t *db;
	char path[] = "/tmp/mike-unit-walk.XXXXXX", id[64];
	uint32_t x = 0x6d696b65, ike_sa_id = 0, pick;
	u_int op, count;

	db = temp_db(path);
	group = db_group(db);
	ck_assert(group->ensure_kek(group));
	evicted = linked_list_create();

	for (op = 0; op < 400; op++)
	{
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		count = group->get_member_count(group);
		if (!count || (x % 100 < (op < 200 ? 75 : 35) && count < 100))
		{
			snprintf(id, sizeof(id), "m%u.example.org", ++ike_sa_id);
			add_member(group, id, ike_sa_id, x % 7 < 2);
		}
		else
		{
			pick = (x >> 8) % count;
			enumerator = group->create_member_enumerator(group);
			while (enumerator->enumerate(enumerator, &member) && pick)
			{
				pick--;
			}
			enumerator->destroy(enumerator);
			if (member->tek && x % 5 == 0)
			{	/* it may no longer send */
				group->drop_tek(group, member);
			}
			else
			{
				evict(group, member, evicted);
			}
		}
		ck_assert(group->save(group));
		if (op % 40 == 0 || op == 399)
		{
			restored = db_group(db);
			check_restored(group, restored);
			restored->group.destroy(&restored->group);
		}
	}

	/* the restored group goes on: evictions from it reach nobody evicted
	 * before the restart either */
	restored = db_group(db);
	check_restored(group, restored);
	while ((member = first_member(restored)))
	{
		evict(restored, member, evicted);
		ck_assert(restored->save(restored));
	}
	group->group.destroy(&group->group);
	group = db_group(db);
	check_restored(restored, group);
	ck_assert_int_eq(group->get_member_count(group), 0);

	evicted->destroy_function(evicted, (void*)mike_lkh_key_destroy);
	restored->group.destroy(&restored->group);
	group->group.destroy(&group->group);
	db->destroy(db);
	unlink(path);
}
END_TEST

/**
 * A store of schema version 3 (no SAM bootstraps) is converted: its SAM
 * keys stay, bootstraps are stored from then on
 */
START_TEST(test_group_db_upgrade_3)
{
	mike_gcks_group_t *group, *restored, *again;
	mike_gcks_member_t *member;
	mike_tek_t *tek;
	mike_db_t *db;
	sqlite3 *raw;
	char path[] = "/tmp/mike-unit-upgrade3.XXXXXX";
	chunk_t spki = chunk_from_chars(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b,
									0x65, 0x70, 0x03, 0x21, 0x00, 0x11);

	db = temp_db(path);
	group = db_group(db);
	ck_assert(group->ensure_kek(group));
	member = add_member(group, "cam.example.org", 1, TRUE);
	ck_assert(group->take_sam_key(group, member, spki));
	ck_assert(group->save(group));
	group->group.destroy(&group->group);
	db->destroy(db);

	ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw,
				"ALTER TABLE teks DROP COLUMN sam_bootstrap; "
				"UPDATE schema_version SET version = 3", NULL, NULL, NULL),
				SQLITE_OK);
	sqlite3_close(raw);

	db = mike_db_create(path);
	ck_assert(db);
	restored = db_group(db);
	tek = first_tek(gsa_of(&restored->group));
	ck_assert(tek);
	ck_assert_chunk_eq(tek->sam_key, spki);
	ck_assert(!tek->sam_bootstrap.len);
	member = restored->find_dormant(restored, tek->sender);
	ck_assert(member && member->tek == tek);
	ck_assert(restored->take_sam_bootstrap(restored, member,
										   chunk_from_chars(0xb0, 0x07)));
	ck_assert(restored->save(restored));
	again = db_group(db);
	tek = first_tek(gsa_of(&again->group));
	ck_assert(tek);
	ck_assert_chunk_eq(tek->sam_bootstrap, chunk_from_chars(0xb0, 0x07));
	again->group.destroy(&again->group);
	restored->group.destroy(&restored->group);
	db->destroy(db);
	unlink(path);
}
END_TEST

/**
 * A store of schema version 1 (the tree as one blob) is converted: the
 * group restores the same tree, writes it as nodes and drops the blob
 */
START_TEST(test_group_db_upgrade)
{
	mike_gcks_group_t *group, *restored, *again;
	mike_lkh_t *lkh;
	mike_db_t *db;
	sqlite3 *raw;
	sqlite3_stmt *stmt;
	char path[] = "/tmp/mike-unit-upgrade.XXXXXX", id[64];
	chunk_t blob, converted;
	int i;

	db = temp_db(path);
	group = db_group(db);
	ck_assert(group->ensure_kek(group));
	for (i = 1; i <= 20; i++)
	{
		snprintf(id, sizeof(id), "m%d.example.org", i);
		add_member(group, id, i, i % 4 == 0);
	}
	for (i = 3; i <= 20; i += 4)
	{
		ck_assert(remove_member(group, i));
	}
	ck_assert(group->save(group));
	lkh = group->get_lkh(group);
	ck_assert(lkh->serialize(lkh, &blob));
	db->destroy(db);

	/* what the first release left: the tree as a blob, version 1 */
	ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw, "DROP TABLE lkh_nodes; "
				"ALTER TABLE groups DROP COLUMN lkh_next_id; "
				"ALTER TABLE groups DROP COLUMN lkh_next_num; "
				"ALTER TABLE teks DROP COLUMN sam_source; "
				"ALTER TABLE teks DROP COLUMN sam_key; "
				"ALTER TABLE teks DROP COLUMN sam_bootstrap; "
				"UPDATE schema_version SET version = 1", NULL, NULL, NULL),
				SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(raw, "UPDATE groups SET lkh = ?", -1,
										&stmt, NULL), SQLITE_OK);
	sqlite3_bind_blob(stmt, 1, blob.ptr, blob.len, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_DONE);
	sqlite3_finalize(stmt);
	sqlite3_close(raw);

	db = mike_db_create(path);
	ck_assert(db);
	restored = db_group(db);
	lkh = restored->get_lkh(restored);
	ck_assert(lkh);
	ck_assert(lkh->serialize(lkh, &converted));
	ck_assert_chunk_eq(converted, blob);
	chunk_clear(&converted);
	ck_assert_int_eq(restored->get_member_count(restored),
					 group->get_member_count(group));
	/* converted on load: the blob is gone, the nodes make the same tree */
	ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(raw, "SELECT lkh IS NULL, "
				"(SELECT count(*) FROM lkh_nodes) FROM groups", -1, &stmt,
				NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(stmt, 0), 1);
	ck_assert_int_gt(sqlite3_column_int(stmt, 1), 20);
	sqlite3_finalize(stmt);
	sqlite3_close(raw);
	again = db_group(db);
	check_restored(restored, again);
	/* and it goes on incrementally */
	add_member(restored, "late.example.org", 99, TRUE);
	ck_assert(restored->save(restored));
	again->group.destroy(&again->group);
	again = db_group(db);
	check_restored(restored, again);

	chunk_clear(&blob);
	again->group.destroy(&again->group);
	restored->group.destroy(&restored->group);
	group->group.destroy(&group->group);
	db->destroy(db);
	unlink(path);
}
END_TEST

/**
 * A stored tree that fails its checks: the group starts fresh with the
 * Message IDs, and its next save replaces the stored state
 */
START_TEST(test_group_db_unusable)
{
	mike_gcks_group_t *group, *restored;
	mike_gsa_t *gsa;
	mike_db_t *db;
	sqlite3 *raw;
	char path[] = "/tmp/mike-unit-unusable.XXXXXX", id[64];
	uint32_t msg_id;
	int i;

	db = temp_db(path);
	group = db_group(db);
	ck_assert(group->ensure_kek(group));
	for (i = 1; i <= 5; i++)
	{
		snprintf(id, sizeof(id), "m%d.example.org", i);
		add_member(group, id, i, i == 2);
	}
	ck_assert(group->next_message_id(group, &msg_id));
	ck_assert(group->save(group));
	group->group.destroy(&group->group);

	/* a Key ID the tree's counter says was never handed out */
	ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw, "UPDATE lkh_nodes SET key_id = "
				"(SELECT lkh_next_id FROM groups) WHERE num = 1", NULL, NULL,
				NULL), SQLITE_OK);
	sqlite3_close(raw);
	restored = db_group(db);
	gsa = gsa_of(&restored->group);
	ck_assert_int_eq(restored->get_member_count(restored), 0);
	ck_assert(!gsa->get_kek_keymat(gsa).len);
	ck_assert(restored->next_message_id(restored, &msg_id));
	ck_assert_int_eq(msg_id, 1);
	ck_assert(restored->ensure_kek(restored));
	add_member(restored, "late.example.org", 9, TRUE);
	ck_assert(restored->save(restored));

	group = db_group(db);
	check_restored(restored, group);
	ck_assert_int_eq(group->get_member_count(group), 1);

	group->group.destroy(&group->group);
	restored->group.destroy(&restored->group);
	db->destroy(db);
	unlink(path);
}
END_TEST

/**
 * A sender's SAM key and source ID survive a restart with its TEK, and go
 * to the TEK that replaces it (docs/sam-keys.md)
 */
START_TEST(test_group_db_sam_key)
{
	mike_gcks_group_t *group, *restored, *again;
	mike_gcks_member_t *member;
	mike_tek_t *tek;
	mike_db_t *db;
	host_t *source;
	char path[] = "/tmp/mike-unit-samkey.XXXXXX";
	chunk_t spki, spki2;

	spki = chunk_clone(chunk_from_chars(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
										0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
										0x11));
	db = temp_db(path);
	group = db_group(db);
	ck_assert(group->ensure_kek(group));
	add_member(group, "gm1.example.org", 1, FALSE);
	member = add_member(group, "cam.example.org", 2, TRUE);
	ck_assert(member->tek);
	ck_assert(group->take_sam_key(group, member, spki));
	ck_assert(!group->take_sam_key(group, member, spki));
	ck_assert_int_eq(member->tek->sam_source, member->leaf);
	ck_assert(group->take_sam_bootstrap(group, member,
										chunk_from_chars(0x01, 0x02, 0x03)));
	ck_assert(!group->take_sam_bootstrap(group, member,
										 chunk_from_chars(0x01, 0x02, 0x03)));
	ck_assert(group->save(group));

	restored = db_group(db);
	tek = first_tek(gsa_of(&restored->group));
	ck_assert(tek);
	ck_assert_int_eq(tek->sam_source, member->leaf);
	ck_assert_chunk_eq(tek->sam_key, spki);
	ck_assert_chunk_eq(tek->sam_bootstrap, chunk_from_chars(0x01, 0x02, 0x03));
	/* a key the sender changes under the same TEK is stored, too */
	spki2 = chunk_clone(spki);
	spki2.ptr[spki2.len - 1] ^= 0xff;
	member = restored->find_dormant(restored, member->id);
	ck_assert(member && member->tek == tek);
	ck_assert(restored->take_sam_key(restored, member, spki2));
	ck_assert(restored->save(restored));
	again = db_group(db);
	tek = first_tek(gsa_of(&again->group));
	ck_assert(tek);
	ck_assert_chunk_eq(tek->sam_key, spki2);
	again->group.destroy(&again->group);
	tek = first_tek(gsa_of(&restored->group));
	ck_assert_chunk_eq(tek->sam_key, spki2);
	chunk_free(&spki);
	spki = spki2;
	/* the next TEK of the restored sender carries them on */
	member = restored->find_dormant(restored, member->id);
	ck_assert(member && member->tek == tek);
	source = host_create_from_string("10.0.0.2", 0);
	tek = restored->renew_tek(restored, member, source);
	ck_assert(tek);
	ck_assert_int_eq(tek->sam_source, member->leaf);
	ck_assert_chunk_eq(tek->sam_key, spki);
	ck_assert_chunk_eq(tek->sam_bootstrap, chunk_from_chars(0x01, 0x02, 0x03));
	source->destroy(source);
	chunk_free(&spki);

	restored->group.destroy(&restored->group);
	group->group.destroy(&group->group);
	db->destroy(db);
	unlink(path);
}
END_TEST

/*******************************************************************************
 * GSA build/apply
 */

static struct {
	const char *address;
	const char *other_address;
	const char *source1;
	const char *source2;
	const char *rekey;
} gsa_families[] = {
	{ "239.1.2.3", "239.1.2.4", "192.0.2.10", "192.0.2.11", "239.1.2.9" },
	{ "ff0e::1:2", "ff0e::1:3", "2001:db8::10", "2001:db8::11", "ff0e::1:9" },
};

/** the GSK_w of the tests */
static chunk_t test_gsk_w()
{
	chunk_t gsk_w = chunk_alloc(MIKE_KWK_SIZE);

	memset(gsk_w.ptr, 0x77, gsk_w.len);
	return gsk_w;
}

/**
 * A GCKS group with a KEK and two sender TEKs, one per configured proposal
 */
static mike_gcks_group_t *gcks_create(int family, const char *extra)
{
	mike_gcks_group_t *group;
	mike_group_config_t *cfg;
	mike_gsa_t *state;
	enumerator_t *enumerator;
	proposal_t *proposal;
	mike_tek_t *tek;
	const char *sources[] = { gsa_families[family].source1,
							  gsa_families[family].source2 };
	char *body;
	int i = 0;

	ck_assert(asprintf(&body, "role = gcks\naddress = %s\nport = 5000\n"
					   "esp_proposals = aes256gcm16, aes128-sha256\n"
					   "tek_lifetime = 20m\n%s",
					   gsa_families[family].address, extra) > 0);
	group = group_create(body);
	free(body);
	cfg = group->group.get_config(&group->group);
	state = gsa_of(&group->group);
	ck_assert(group->ensure_kek(group));
	enumerator = cfg->proposals->create_enumerator(cfg->proposals);
	while (enumerator->enumerate(enumerator, &proposal))
	{
		tek = mike_tek_generate(proposal, group->allocate_spi(group),
								cfg->tek_lifetime, NULL);
		ck_assert(tek);
		tek->source = host_create_from_string((char*)sources[i++], 0);
		state->add_tek(state, tek);
	}
	enumerator->destroy(enumerator);
	return group;
}

/**
 * A member group
 */
static mike_member_group_t *member_create(const char *address,
										  const char *proposals)
{
	mike_member_group_t *group;
	char *body;

	ck_assert(asprintf(&body, "address = %s\nconnection = c\nport = 5000\n"
					   "esp_proposals = %s\n", address, proposals) > 0);
	group = mike_member_group_create(group_cfg(body));
	free(body);
	return group;
}

/**
 * Encode a payload and parse it again, as it travels on the wire
 */
static payload_t *wire(payload_t *payload)
{
	payload_t *parsed;
	chunk_t body;

	ck_assert(payload);
	body = gikev2_payload_get_body(payload);
	ck_assert(body.len);
	parsed = gikev2_payload_parse(payload->get_type(payload), body);
	ck_assert_msg(parsed, "own payload rejected: %B", &body);
	ck_assert_chunk_eq(gikev2_payload_get_body(parsed), body);
	payload->destroy(payload);
	return parsed;
}

/**
 * The GSA and KD payloads of a GCKS group, as received
 */
static void build(mike_gcks_group_t *gcks, chunk_t gsk_w, gsa_payload_t **gsa,
				  kd_payload_t **kd)
{
	ck_assert(mike_gsa_build(gcks, gsk_w, NULL, gsa, kd));
	ck_assert(*gsa && *kd);
	*gsa = (gsa_payload_t*)wire(&(*gsa)->payload_interface);
	*kd = (kd_payload_t*)wire(&(*kd)->payload_interface);
}

static void payloads_destroy(gsa_payload_t *gsa, kd_payload_t *kd)
{
	gsa->payload_interface.destroy(&gsa->payload_interface);
	kd->payload_interface.destroy(&kd->payload_interface);
}

/**
 * Assert that the member group has the same keys as the GCKS group
 */
static void assert_same_keys(mike_gcks_group_t *gcks,
							 mike_member_group_t *member)
{
	mike_gsa_t *gcks_state = gsa_of(&gcks->group);
	mike_gsa_t *member_state = gsa_of(&member->group);
	enumerator_t *a, *b;
	mike_tek_t *x, *y;

	ck_assert_chunk_eq(member_state->get_kek_spi(member_state),
					   gcks_state->get_kek_spi(gcks_state));
	ck_assert_chunk_eq(member_state->get_kek_keymat(member_state),
					   gcks_state->get_kek_keymat(gcks_state));
	ck_assert_int_eq(member_state->get_tek_count(member_state),
					 gcks_state->get_tek_count(gcks_state));
	a = gcks_state->create_tek_enumerator(gcks_state);
	b = member_state->create_tek_enumerator(member_state);
	while (a->enumerate(a, &x))
	{
		ck_assert(b->enumerate(b, &y));
		ck_assert(x != y);
		ck_assert_int_eq(y->spi, x->spi);
		ck_assert_int_eq(y->enc_alg, x->enc_alg);
		ck_assert_int_eq(y->enc_keylen, x->enc_keylen);
		ck_assert_int_eq(y->int_alg, x->int_alg);
		ck_assert_chunk_eq(y->keymat, x->keymat);
		ck_assert_chunk_eq(y->get_enc_key(y), x->get_enc_key(x));
		ck_assert_chunk_eq(y->get_int_key(y), x->get_int_key(x));
		ck_assert_int_eq(y->lifetime, x->lifetime);
		ck_assert(y->source);
		ck_assert_msg(y->source->ip_equals(y->source, x->source),
					  "source %H != %H", y->source, x->source);
	}
	a->destroy(a);
	b->destroy(b);
}

START_TEST(test_gsa_apply)
{
	mike_gcks_group_t *gcks;
	mike_member_group_t *member;
	mike_gsa_t *gcks_state, *member_state;
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	chunk_t gsk_w = test_gsk_w();
	mike_tek_t *tek;

	gcks = gcks_create(_i, "");
	gcks_state = gsa_of(&gcks->group);
	build(gcks, gsk_w, &gsa, &kd);

	member = member_create(gsa_families[_i].address,
						   "aes128gcm16, aes256gcm16, aes128-sha256");
	member_state = gsa_of(&member->group);
	ck_assert_msg(mike_gsa_apply(member, gsa, kd, gsk_w, FALSE) == SUCCESS,
				  "refused: %s", last_refusal);
	assert_same_keys(gcks, member);
	ck_assert_int_eq(member_state->get_kek_keymat(member_state).len, 68);
	tek = first_tek(member_state);
	ck_assert(tek);
	ck_assert_int_eq(tek->enc_alg, ENCR_AES_GCM_ICV16);
	ck_assert_int_eq(tek->enc_keylen, 256);
	ck_assert_int_eq(tek->keymat.len, 36);
	ck_assert_int_eq(tek->lifetime, 1200);
	ck_assert(tek->sender == NULL);
	tek = last_tek(member_state);
	ck_assert(tek);
	ck_assert_int_eq(tek->enc_alg, ENCR_AES_CBC);
	ck_assert_int_eq(tek->int_alg, AUTH_HMAC_SHA2_256_128);
	ck_assert_int_eq(tek->keymat.len, 16 + 32);

	/* applied again (an update): the keys are replaced, not added */
	ck_assert_msg(mike_gsa_apply(member, gsa, kd, gsk_w, FALSE) == SUCCESS,
				  "refused: %s", last_refusal);
	assert_same_keys(gcks, member);
	payloads_destroy(gsa, kd);

	/* the GCKS drops a sender and rekeys the KEK: the member follows */
	tek = first_tek(gcks_state);
	ck_assert(tek);
	ck_assert(gcks_state->remove_tek(gcks_state, tek));
	tek->destroy(tek);
	gcks_state->set_kek(gcks_state, chunk_empty, chunk_empty,
						SUITE);
	ck_assert(gcks->ensure_kek(gcks));
	build(gcks, gsk_w, &gsa, &kd);
	ck_assert_msg(mike_gsa_apply(member, gsa, kd, gsk_w, FALSE) == SUCCESS,
				  "refused: %s", last_refusal);
	assert_same_keys(gcks, member);
	payloads_destroy(gsa, kd);

	member->group.destroy(&member->group);
	gcks->group.destroy(&gcks->group);
	chunk_free(&gsk_w);
}
END_TEST

/*
 * The GCKS says whether payloads are encrypted; the member derives the
 * data key from the KEK and keeps the one of the KEK replaced last
 */
START_TEST(test_gsa_sam_encrypt)
{
	mike_gcks_group_t *gcks;
	mike_member_group_t *member;
	mike_gsa_t *gcks_state, *member_state;
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	chunk_t gsk_w = test_gsk_w(), expected, first;
	uint32_t id, expected_id, first_id;

	gcks = gcks_create(0, "");
	gcks_state = gsa_of(&gcks->group);
	build(gcks, gsk_w, &gsa, &kd);
	member = member_create(gsa_families[0].address,
						   "aes256gcm16, aes128-sha256");
	member_state = gsa_of(&member->group);
	ck_assert_msg(mike_gsa_apply(member, gsa, kd, gsk_w, FALSE) == SUCCESS,
				  "refused: %s", last_refusal);
	ck_assert(member_state->get_sam_encrypt(member_state));
	expected = mike_sam_data_key(gcks_state->get_kek_keymat(gcks_state),
								 &expected_id);
	ck_assert_chunk_eq(member_state->get_sam_data_key(member_state, FALSE,
													  &id), expected);
	ck_assert_int_eq(id, expected_id);
	ck_assert(!member_state->get_sam_data_key(member_state, TRUE, &id).len);
	/* the same KEK again (a TEK rekey): nothing rotates */
	ck_assert(mike_gsa_apply(member, gsa, kd, gsk_w, FALSE) == SUCCESS);
	ck_assert_chunk_eq(member_state->get_sam_data_key(member_state, FALSE,
													  &id), expected);
	ck_assert(!member_state->get_sam_data_key(member_state, TRUE, &id).len);
	payloads_destroy(gsa, kd);
	first = expected;
	first_id = expected_id;

	/* a new KEK: a new data key, the old one still opens */
	gcks_state->set_kek(gcks_state, chunk_empty, chunk_empty,
						SUITE);
	ck_assert(gcks->ensure_kek(gcks));
	build(gcks, gsk_w, &gsa, &kd);
	ck_assert(mike_gsa_apply(member, gsa, kd, gsk_w, FALSE) == SUCCESS);
	expected = mike_sam_data_key(gcks_state->get_kek_keymat(gcks_state),
								 &expected_id);
	ck_assert(!chunk_equals(expected, first));
	ck_assert_chunk_eq(member_state->get_sam_data_key(member_state, FALSE,
													  &id), expected);
	ck_assert_int_eq(id, expected_id);
	ck_assert_chunk_eq(member_state->get_sam_data_key(member_state, TRUE,
													  &id), first);
	ck_assert_int_eq(id, first_id);
	payloads_destroy(gsa, kd);
	chunk_clear(&first);
	chunk_clear(&expected);

	/* leaving clears them */
	member_state->clear(member_state);
	ck_assert(!member_state->get_sam_data_key(member_state, FALSE, &id).len);
	ck_assert(!member_state->get_sam_data_key(member_state, TRUE, &id).len);
	ck_assert(!member_state->get_sam_encrypt(member_state));
	member->group.destroy(&member->group);
	gcks->group.destroy(&gcks->group);

	/* sam_encrypt = no: the flag is clear */
	gcks = gcks_create(0, "sam_encrypt = no\n");
	build(gcks, gsk_w, &gsa, &kd);
	member = member_create(gsa_families[0].address,
						   "aes256gcm16, aes128-sha256");
	member_state = gsa_of(&member->group);
	ck_assert(mike_gsa_apply(member, gsa, kd, gsk_w, FALSE) == SUCCESS);
	ck_assert(member_state->get_sam_session(member_state));
	ck_assert(!member_state->get_sam_encrypt(member_state));
	payloads_destroy(gsa, kd);
	member->group.destroy(&member->group);
	gcks->group.destroy(&gcks->group);
	chunk_free(&gsk_w);
}
END_TEST

/** The first ESP policy of a GSA */
static gsa_policy_t *gsa_first_esp_policy(gsa_payload_t *gsa)
{
	enumerator_t *enumerator;
	gsa_policy_t *policy, *found = NULL;

	enumerator = gsa->create_policy_enumerator(gsa);
	while (!found && enumerator->enumerate(enumerator, &policy))
	{
		if (policy->protocol == GIKEV2_PROTO_ESP)
		{
			found = policy;
		}
	}
	enumerator->destroy(enumerator);
	ck_assert(found);
	return found;
}

/*
 * A sender's SAM bootstrap travels beside its key in MIKE_SAM_BOOTSTRAP,
 * opaque to the plugin and bounded
 */
START_TEST(test_gsa_sam_bootstrap)
{
	mike_gcks_group_t *gcks;
	mike_member_group_t *member;
	mike_tek_t *tek;
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	private_key_t *key;
	public_key_t *pub;
	gikev2_attr_t *attr;
	chunk_t gsk_w = test_gsk_w(), spki, big;

	key = mike_sam_key_generate(MIKE_SAM_ED25519);
	pub = key->get_public_key(key);
	ck_assert(pub->get_encoding(pub, PUBKEY_SPKI_ASN1_DER, &spki));
	gcks = gcks_create(0, "");
	tek = first_tek(gsa_of(&gcks->group));
	tek->sam_source = 3;
	tek->sam_key = chunk_clone(spki);
	tek->sam_bootstrap = chunk_clone(chunk_from_chars(0x01, 0xb0, 0x07));
	build(gcks, gsk_w, &gsa, &kd);
	attr = gikev2_attrs_find(gsa_first_esp_policy(gsa)->attrs,
							 GIKEV2_GSA_MIKE_SAM_BOOTSTRAP);
	ck_assert(attr && !attr->tv);
	ck_assert_chunk_eq(attr->data, chunk_from_chars(0x01, 0xb0, 0x07));
	member = member_create(gsa_families[0].address,
						   "aes256gcm16, aes128-sha256");
	ck_assert_msg(mike_gsa_apply(member, gsa, kd, gsk_w, FALSE) == SUCCESS,
				  "refused: %s", last_refusal);
	tek = first_tek(gsa_of(&member->group));
	ck_assert_int_eq(tek->sam_source, 3);
	ck_assert_chunk_eq(tek->sam_bootstrap, chunk_from_chars(0x01, 0xb0, 0x07));
	payloads_destroy(gsa, kd);

	/* one byte more than libsam's largest: refused, the keys stay */
	tek = first_tek(gsa_of(&gcks->group));
	big = chunk_alloc(MIKE_SAM_BOOTSTRAP_MAX + 1);
	memset(big.ptr, 0x42, big.len);
	chunk_free(&tek->sam_bootstrap);
	tek->sam_bootstrap = big;
	build(gcks, gsk_w, &gsa, &kd);
	ck_assert(mike_gsa_apply(member, gsa, kd, gsk_w, FALSE) != SUCCESS);
	ck_assert_str_eq(last_refusal, "a sender's SAM bootstrap is too long");
	tek = first_tek(gsa_of(&member->group));
	ck_assert_chunk_eq(tek->sam_bootstrap, chunk_from_chars(0x01, 0xb0, 0x07));
	payloads_destroy(gsa, kd);

	member->group.destroy(&member->group);
	gcks->group.destroy(&gcks->group);
	pub->destroy(pub);
	key->destroy(key);
	chunk_free(&spki);
	chunk_free(&gsk_w);
}
END_TEST

/*
 * The GCKS's rekey signing key travels as AUTH_KEY with the scheme in the
 * rekey SA's GCAUTH transform; the member keeps both
 */
START_TEST(test_gsa_rekey_auth)
{
	mike_gcks_group_t *gcks;
	mike_member_group_t *member;
	mike_gsa_t *gcks_state, *member_state;
	signature_params_t *scheme;
	public_key_t *auth_key;
	private_key_t *key;
	gsa_transform_t *transform;
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	chunk_t gsk_w = test_gsk_w();
	char *extra;

	key = lib->creds->create(lib->creds, CRED_PRIVATE_KEY, KEY_ED25519,
							 BUILD_END);
	ck_assert(key);
	ck_assert(asprintf(&extra, "rekey_address = %s\n",
					   gsa_families[_i].rekey) > 0);
	gcks = gcks_create(_i, extra);
	gcks_state = gsa_of(&gcks->group);
	ck_assert(!gcks->ensure_signing_key(gcks, NULL));
	ck_assert(gcks->ensure_signing_key(gcks, key));
	scheme = gcks_state->get_rekey_auth_scheme(gcks_state);
	ck_assert(scheme && scheme->scheme == SIGN_ED25519);
	build(gcks, gsk_w, &gsa, &kd);
	member = member_create(gsa_families[_i].address,
						   "aes128gcm16, aes256gcm16, aes128-sha256");
	member_state = gsa_of(&member->group);
	ck_assert_msg(mike_gsa_apply(member, gsa, kd, gsk_w, FALSE) == SUCCESS,
				  "refused: %s", last_refusal);
	auth_key = member_state->get_rekey_auth_key(member_state);
	ck_assert(auth_key);
	ck_assert(auth_key->equals(auth_key,
						gcks_state->get_rekey_auth_key(gcks_state)));
	ck_assert(signature_params_equal(
						member_state->get_rekey_auth_scheme(member_state),
						gcks_state->get_rekey_auth_scheme(gcks_state)));
	payloads_destroy(gsa, kd);

	/* an inband rekey (a push over the IKE SA) has neither GCAUTH nor
	 * AUTH_KEY (RFC 9838 4.4.2.1.1, 5): the member keeps both */
	ck_assert(mike_gsa_build(gcks, gsk_w, &(mike_gsa_keys_t){ .rekey = TRUE },
							 &gsa, &kd));
	ck_assert(!gsa_policy_get_transform(gsa->get_kek_policy(gsa),
										GIKEV2_TRANSFORM_GCAUTH));
	ck_assert(!kd->get_member_key_bag(kd));
	ck_assert_msg(mike_gsa_apply(member, gsa, kd, gsk_w, FALSE) == SUCCESS,
				  "refused: %s", last_refusal);
	ck_assert(auth_key == member_state->get_rekey_auth_key(member_state));
	ck_assert(member_state->get_rekey_auth_scheme(member_state));
	payloads_destroy(gsa, kd);

	/* unicast rekeying signs nothing: GCAUTH Implicit, no AUTH_KEY (RFC
	 * 9838 5) */
	member->group.destroy(&member->group);
	gcks->group.destroy(&gcks->group);
	gcks = gcks_create(_i, "");
	ck_assert(gcks->ensure_signing_key(gcks, key));
	build(gcks, gsk_w, &gsa, &kd);
	transform = gsa_policy_get_transform(gsa->get_kek_policy(gsa),
										 GIKEV2_TRANSFORM_GCAUTH);
	ck_assert(transform && transform->id == GIKEV2_GCAUTH_IMPLICIT);
	ck_assert(!kd->get_member_key_bag(kd));
	payloads_destroy(gsa, kd);

	/* without a signing key the member has none either */
	gcks->group.destroy(&gcks->group);
	gcks = gcks_create(_i, extra);
	build(gcks, gsk_w, &gsa, &kd);
	member = member_create(gsa_families[_i].address,
						   "aes128gcm16, aes256gcm16, aes128-sha256");
	member_state = gsa_of(&member->group);
	ck_assert_msg(mike_gsa_apply(member, gsa, kd, gsk_w, FALSE) == SUCCESS,
				  "refused: %s", last_refusal);
	ck_assert(!member_state->get_rekey_auth_key(member_state) &&
			  !member_state->get_rekey_auth_scheme(member_state));
	payloads_destroy(gsa, kd);

	member->group.destroy(&member->group);
	gcks->group.destroy(&gcks->group);
	key->destroy(key);
	chunk_free(&gsk_w);
	free(extra);
}
END_TEST

/*
 * How many senders one GSA carries (issue 14): every sender adds its TEK
 * policy with a SAM key and a key bag; past the 64 KiB of a payload the
 * build fails cleanly, it is never cut short
 */
START_TEST(test_gsa_many_senders)
{
	mike_gcks_group_t *gcks;
	mike_gcks_member_t *member;
	gsa_payload_t *gsa = NULL;
	kd_payload_t *kd = NULL;
	host_t *source;
	chunk_t gsk_w = test_gsk_w();
	u_char spki[44] = { 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65,
						0x70, 0x03, 0x21, 0x00 };
	char id[32];
	int senders = 0;
	bool ok = TRUE;

	gcks = group_create("role = gcks\naddress = 239.1.2.3\nport = 5000\n"
						"rekey_address = 239.1.2.4\nsenders = %any\n");
	ck_assert(gcks->ensure_kek(gcks));
	source = host_create_from_string("192.0.2.1", 0);
	while (ok && senders < 1000)
	{
		snprintf(id, sizeof(id), "s%d.example.org", senders);
		member = add_member(gcks, id, senders + 1, TRUE);
		member->tek->source = source->clone(source);
		member->tek->sam_key = chunk_clone(chunk_from_thing(spki));
		senders++;
		if (senders < 500 && senders % 100)
		{	/* building is O(senders): not every time (sanitizers) */
			continue;
		}
		ok = mike_gsa_build(gcks, gsk_w, NULL, &gsa, &kd);
		if (ok)
		{
			payloads_destroy(gsa, kd);
		}
		else
		{
			ck_assert(!gsa && !kd);
		}
	}
	/* AES-GCM-16-256 TEKs with an Ed25519 SAM key: about 122 bytes of GSA
	 * each, 536 fit (docs/gcks-scale.md) */
	ck_assert_int_gt(senders, 500);
	ck_assert_int_lt(senders, 1000);
	source->destroy(source);
	gcks->group.destroy(&gcks->group);
	chunk_free(&gsk_w);
}
END_TEST

START_TEST(test_gsa_apply_kek_only)
{
	mike_gcks_group_t *gcks;
	mike_member_group_t *member;
	mike_gsa_t *state;
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	chunk_t gsk_w = test_gsk_w();

	gcks = group_create("role = gcks\naddress = 239.1.2.3\n"
						"rekey_address = 239.1.2.99\nrekey_port = 8848\n");
	ck_assert(gcks->ensure_kek(gcks));
	build(gcks, gsk_w, &gsa, &kd);
	ck_assert(gsa->get_kek_policy(gsa));
	member = member_create("239.1.2.3", "aes128gcm16");
	ck_assert_msg(mike_gsa_apply(member, gsa, kd, gsk_w, FALSE) == SUCCESS,
				  "refused: %s", last_refusal);
	assert_same_keys(gcks, member);
	state = gsa_of(&member->group);
	ck_assert_int_eq(state->get_tek_count(state), 0);
	payloads_destroy(gsa, kd);
	member->group.destroy(&member->group);
	gcks->group.destroy(&gcks->group);
	chunk_free(&gsk_w);
}
END_TEST

/**
 * Assert that applying fails with a reason containing expected and leaves
 * the member's keys alone
 */
static void assert_refused(mike_member_group_t *member, gsa_payload_t *gsa,
						   kd_payload_t *kd, chunk_t gsk_w,
						   const char *expected)
{
	mike_gsa_t *state = gsa_of(&member->group);
	chunk_t kek_spi, kek_keymat;
	int teks;

	kek_spi = chunk_clone(state->get_kek_spi(state));
	kek_keymat = chunk_clone(state->get_kek_keymat(state));
	teks = state->get_tek_count(state);
	last_refusal[0] = '\0';
	ck_assert(mike_gsa_apply(member, gsa, kd, gsk_w, FALSE) != SUCCESS);
	ck_assert_msg(strstr(last_refusal, expected),
				  "reason '%s' lacks '%s'", last_refusal, expected);
	ck_assert_chunk_eq(state->get_kek_spi(state), kek_spi);
	ck_assert_chunk_eq(state->get_kek_keymat(state), kek_keymat);
	ck_assert_int_eq(state->get_tek_count(state), teks);
	chunk_free(&kek_spi);
	chunk_clear(&kek_keymat);
}

/**
 * A GCKS must not make a member listen on IKE's ports
 */
static const char *ike_ports[] = { "500", "4500" };

START_TEST(test_gsa_rekey_port_ike)
{
	mike_gcks_group_t *gcks;
	mike_member_group_t *member;
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	chunk_t gsk_w = test_gsk_w();
	char body[128];

	snprintf(body, sizeof(body), "role = gcks\naddress = 239.1.2.3\n"
			 "rekey_address = 239.1.2.99\nrekey_port = %s\n", ike_ports[_i]);
	gcks = group_create(body);
	ck_assert(gcks->ensure_kek(gcks));
	build(gcks, gsk_w, &gsa, &kd);
	member = member_create("239.1.2.3", "aes128gcm16");
	assert_refused(member, gsa, kd, gsk_w, "port is IKE's");
	ck_assert(member->get_rekey_dst(member) == NULL);
	payloads_destroy(gsa, kd);
	member->group.destroy(&member->group);
	gcks->group.destroy(&gcks->group);
	chunk_free(&gsk_w);
}
END_TEST

START_TEST(test_gsa_kek_length)
{
	mike_gcks_group_t *gcks;
	mike_member_group_t *member;
	mike_gsa_t *state;
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	chunk_t gsk_w = test_gsk_w(), keymat;

	gcks = gcks_create(_i, "");
	/* keying material shorter than AES-GCM-16-256 and key wrap need: the
	 * member must not take a view of whatever arrived */
	state = gsa_of(&gcks->group);
	keymat = state->get_kek_keymat(state);
	ck_assert(keymat.len > 20);
	state->set_kek(state, chunk_clone(state->get_kek_spi(state)),
				   chunk_clone(chunk_create(keymat.ptr, 20)),
				   SUITE);
	build(gcks, gsk_w, &gsa, &kd);
	member = member_create(gsa_families[_i].address,
						   "aes256gcm16, aes128-sha256");
	assert_refused(member, gsa, kd, gsk_w,
				   "length of the rekey SA's keying material");
	payloads_destroy(gsa, kd);
	member->group.destroy(&member->group);
	gcks->group.destroy(&gcks->group);
	chunk_free(&gsk_w);
}
END_TEST

START_TEST(test_gsa_wrong_gsk_w)
{
	mike_gcks_group_t *gcks;
	mike_member_group_t *member;
	mike_gsa_t *state;
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	chunk_t gsk_w = test_gsk_w(), other;

	gcks = gcks_create(_i, "");
	build(gcks, gsk_w, &gsa, &kd);
	member = member_create(gsa_families[_i].address,
						   "aes256gcm16, aes128-sha256");
	state = gsa_of(&member->group);

	other = chunk_clone(gsk_w);
	other.ptr[31] ^= 0x01;
	assert_refused(member, gsa, kd, other, "does not unwrap");
	chunk_free(&other);
	/* a KWK of the wrong size */
	assert_refused(member, gsa, kd, chunk_create(gsk_w.ptr, 31),
				   "does not unwrap");
	assert_refused(member, gsa, kd, chunk_empty, "does not unwrap");
	ck_assert_int_eq(state->get_tek_count(state), 0);
	ck_assert(state->get_kek_spi(state).ptr == NULL);

	/* the right key still works afterwards */
	ck_assert(mike_gsa_apply(member, gsa, kd, gsk_w, FALSE) == SUCCESS);
	assert_same_keys(gcks, member);
	/* and a later failure keeps what was applied */
	assert_refused(member, gsa, kd, chunk_create(gsk_w.ptr, 16),
				   "does not unwrap");
	assert_same_keys(gcks, member);

	payloads_destroy(gsa, kd);
	member->group.destroy(&member->group);
	gcks->group.destroy(&gcks->group);
	chunk_free(&gsk_w);
}
END_TEST

/**
 * A KD payload with the KEK key bag of good and the ESP key bags of bad
 */
static kd_payload_t *mixed_kd(mike_gcks_group_t *gcks, kd_payload_t *good,
							  kd_payload_t *bad)
{
	mike_gsa_t *state = gsa_of(&gcks->group);
	linked_list_t *bags;
	enumerator_t *enumerator;
	kd_key_bag_t *bag;
	kd_payload_t *kd;

	bags = linked_list_create();
	bag = good->get_group_key_bag(good, GIKEV2_PROTO_GIKE_UPDATE,
								  state->get_kek_spi(state));
	ck_assert(bag);
	bags->insert_last(bags, kd_key_bag_clone(bag));
	if (bad)
	{
		enumerator = bad->create_key_bag_enumerator(bad);
		while (enumerator->enumerate(enumerator, &bag))
		{
			if (bag->protocol == GIKEV2_PROTO_ESP)
			{
				bags->insert_last(bags, kd_key_bag_clone(bag));
			}
		}
		enumerator->destroy(enumerator);
	}
	kd = kd_payload_create(bags);
	bags->destroy_function(bags, (void*)kd_key_bag_destroy);
	return (kd_payload_t*)wire(&kd->payload_interface);
}

START_TEST(test_gsa_tek_keys)
{
	mike_gcks_group_t *gcks;
	mike_member_group_t *member;
	mike_gsa_t *gcks_state, *member_state;
	gsa_payload_t *gsa, *gsa2;
	kd_payload_t *kd, *kd2, *mixed;
	chunk_t gsk_w = test_gsk_w(), other, wrapped, keymat, spi;
	linked_list_t *bags;
	kd_key_bag_t *bag;
	mike_tek_t *tek;
	uint32_t spi_n;

	gcks = gcks_create(_i, "");
	gcks_state = gsa_of(&gcks->group);
	build(gcks, gsk_w, &gsa, &kd);
	other = chunk_clone(gsk_w);
	other.ptr[0] ^= 0xff;
	build(gcks, other, &gsa2, &kd2);
	member = member_create(gsa_families[_i].address,
						   "aes256gcm16, aes128-sha256");
	member_state = gsa_of(&member->group);

	/* the KEK unwraps, the TEKs don't */
	mixed = mixed_kd(gcks, kd, kd2);
	assert_refused(member, gsa, mixed, gsk_w, "data SA's key is missing or "
				   "does not unwrap");
	mixed->payload_interface.destroy(&mixed->payload_interface);

	/* the TEK key bags are missing */
	mixed = mixed_kd(gcks, kd, NULL);
	assert_refused(member, gsa, mixed, gsk_w, "data SA's key is missing");
	mixed->payload_interface.destroy(&mixed->payload_interface);

	/* the KEK key bag is missing */
	mixed = mixed_kd(gcks, kd2, kd);
	assert_refused(member, gsa, mixed, gsk_w, "rekey SA's key is missing or "
				   "does not unwrap");
	mixed->payload_interface.destroy(&mixed->payload_interface);

	/* a wrapped TEK of the wrong size for its algorithms */
	tek = first_tek(gcks_state);
	ck_assert(tek);
	bags = linked_list_create();
	bag = kd->get_group_key_bag(kd, GIKEV2_PROTO_GIKE_UPDATE,
								gcks_state->get_kek_spi(gcks_state));
	bags->insert_last(bags, kd_key_bag_clone(bag));
	keymat = chunk_create(tek->keymat.ptr, tek->keymat.len - 1);
	ck_assert(mike_keywrap_wrap(gsk_w, keymat, &wrapped));
	spi_n = htonl(tek->spi);
	spi = chunk_from_thing(spi_n);
	bag = kd_key_bag_create(GIKEV2_PROTO_ESP, spi);
	kd_key_bag_add_wrapped_key(bag, GIKEV2_GKB_SA_KEY, 0, 0, wrapped);
	chunk_free(&wrapped);
	bags->insert_last(bags, bag);
	mixed = kd_payload_create(bags);
	bags->destroy_function(bags, (void*)kd_key_bag_destroy);
	mixed = (kd_payload_t*)wire(&mixed->payload_interface);
	assert_refused(member, gsa, mixed, gsk_w, "wrong size");
	mixed->payload_interface.destroy(&mixed->payload_interface);

	ck_assert_int_eq(member_state->get_tek_count(member_state), 0);
	payloads_destroy(gsa, kd);
	payloads_destroy(gsa2, kd2);
	member->group.destroy(&member->group);
	gcks->group.destroy(&gcks->group);
	chunk_free(&gsk_w);
	chunk_free(&other);
}
END_TEST

START_TEST(test_gsa_proposals)
{
	mike_gcks_group_t *gcks;
	mike_member_group_t *member;
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	chunk_t gsk_w = test_gsk_w();

	gcks = gcks_create(_i, "");
	build(gcks, gsk_w, &gsa, &kd);

	/* neither AES-GCM nor AES-CBC */
	member = member_create(gsa_families[_i].address, "chacha20poly1305");
	assert_refused(member, gsa, kd, gsk_w, "not in esp_proposals");
	member->group.destroy(&member->group);
	/* the GCM TEK is fine, the CBC one is not */
	member = member_create(gsa_families[_i].address, "aes256gcm16");
	assert_refused(member, gsa, kd, gsk_w, "not in esp_proposals");
	member->group.destroy(&member->group);
	/* AES-CBC, but with another integrity algorithm */
	member = member_create(gsa_families[_i].address,
						   "aes256gcm16, aes128-sha384");
	assert_refused(member, gsa, kd, gsk_w, "not in esp_proposals");
	member->group.destroy(&member->group);

	payloads_destroy(gsa, kd);
	gcks->group.destroy(&gcks->group);
	chunk_free(&gsk_w);
}
END_TEST

/*
 * The key length counts: a member configured for AES-128-GCM takes no
 * AES-256-GCM TEK, and one for AES-256 takes no AES-128 (no downgrade).
 */
START_TEST(test_gsa_keylen)
{
	mike_gcks_group_t *gcks;
	mike_member_group_t *member;
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	chunk_t gsk_w = test_gsk_w();

	gcks = gcks_create(_i, "");
	build(gcks, gsk_w, &gsa, &kd);
	member = member_create(gsa_families[_i].address,
						   "aes128gcm16, aes128-sha256");
	assert_refused(member, gsa, kd, gsk_w, "not in esp_proposals");
	member->group.destroy(&member->group);
	payloads_destroy(gsa, kd);
	gcks->group.destroy(&gcks->group);
	chunk_free(&gsk_w);
}
END_TEST

START_TEST(test_gsa_other_address)
{
	mike_gcks_group_t *gcks;
	mike_member_group_t *member;
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	chunk_t gsk_w = test_gsk_w();

	gcks = gcks_create(_i, "");
	build(gcks, gsk_w, &gsa, &kd);
	member = member_create(gsa_families[_i].other_address,
						   "aes256gcm16, aes128-sha256");
	assert_refused(member, gsa, kd, gsk_w, "not for the group address");
	member->group.destroy(&member->group);
	/* the other address family */
	member = member_create(gsa_families[!_i].address,
						   "aes256gcm16, aes128-sha256");
	assert_refused(member, gsa, kd, gsk_w, "not for the group address");
	member->group.destroy(&member->group);

	payloads_destroy(gsa, kd);
	gcks->group.destroy(&gcks->group);
	chunk_free(&gsk_w);
}
END_TEST

START_TEST(test_gsa_no_kek)
{
	mike_gcks_group_t *gcks;
	mike_member_group_t *member;
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	linked_list_t *policies;
	enumerator_t *enumerator;
	gsa_policy_t *policy;
	chunk_t gsk_w = test_gsk_w();

	gcks = gcks_create(0, "");
	build(gcks, gsk_w, &gsa, &kd);
	/* a GSA with the TEK policies only */
	policies = linked_list_create();
	enumerator = gsa->create_policy_enumerator(gsa);
	while (enumerator->enumerate(enumerator, &policy))
	{
		if (policy->protocol == GIKEV2_PROTO_ESP)
		{
			policies->insert_last(policies, gsa_policy_clone(policy));
		}
	}
	enumerator->destroy(enumerator);
	gsa->payload_interface.destroy(&gsa->payload_interface);
	gsa = gsa_payload_create(policies);
	policies->destroy_function(policies, (void*)gsa_policy_destroy);
	gsa = (gsa_payload_t*)wire(&gsa->payload_interface);

	member = member_create(gsa_families[0].address,
						   "aes256gcm16, aes128-sha256");
	assert_refused(member, gsa, kd, gsk_w, "no rekey SA");
	member->group.destroy(&member->group);
	payloads_destroy(gsa, kd);
	gcks->group.destroy(&gcks->group);
	chunk_free(&gsk_w);
}
END_TEST

START_TEST(test_gsa_build_policies)
{
	mike_gcks_group_t *gcks;
	mike_gsa_t *state;
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	gsa_policy_t *policy;
	gsa_transform_t *transform;
	enumerator_t *enumerator, *tek_enum;
	host_t *host, *rekey;
	mike_tek_t *tek;
	chunk_t gsk_w = test_gsk_w();
	uint32_t value, spi;
	uint16_t atd;
	int teks = 0;

	gcks = gcks_create(_i, "rekey_port = 4500\n");
	state = gsa_of(&gcks->group);
	build(gcks, gsk_w, &gsa, &kd);
	/* the GW policy: the delays of the configuration (RFC 9838 4.4.3.1.1),
	 * no Sender-ID bits for a receiver */
	policy = gsa->get_gw_policy(gsa);
	ck_assert(policy);
	ck_assert(gikev2_attrs_get_tv(policy->attrs, GIKEV2_GWP_ATD, &atd));
	ck_assert_int_eq(atd, 2);
	ck_assert(gikev2_attrs_get_tv(policy->attrs, GIKEV2_GWP_DTD, &atd));
	ck_assert_int_eq(atd, 5);
	ck_assert(!gikev2_attrs_get_tv(policy->attrs, GIKEV2_GWP_SENDER_ID_BITS,
								   &atd));

	/* the KEK: UDP to the group address (unicast rekey) and rekey_port */
	policy = gsa->get_kek_policy(gsa);
	ck_assert(policy);
	ck_assert_chunk_eq(policy->spi, state->get_kek_spi(state));
	rekey = host_create_from_string((char*)gsa_families[_i].address, 4500);
	ck_assert(policy->dst->includes(policy->dst, rekey));
	ck_assert_int_eq(policy->dst->get_protocol(policy->dst), IPPROTO_UDP);
	ck_assert_int_eq(policy->dst->get_from_port(policy->dst), 4500);
	ck_assert_int_eq(policy->dst->get_to_port(policy->dst), 4500);
	rekey->destroy(rekey);
	transform = gsa_policy_get_transform(policy, GIKEV2_TRANSFORM_ENCR);
	ck_assert(transform && transform->id == ENCR_AES_GCM_ICV16);
	ck_assert_int_eq(gsa_transform_get_key_length(transform), 256);
	transform = gsa_policy_get_transform(policy, GIKEV2_TRANSFORM_KWA);
	ck_assert(transform && transform->id == GIKEV2_KWA_5649_256);
	/* no signing key: GCAUTH all the same, Implicit (RFC 9838 4.4.2.1.1) */
	ck_assert(!state->get_rekey_auth_key(state));
	transform = gsa_policy_get_transform(policy, GIKEV2_TRANSFORM_GCAUTH);
	ck_assert(transform && transform->id == GIKEV2_GCAUTH_IMPLICIT);
	ck_assert(gikev2_attrs_get_u32(policy->attrs, GIKEV2_GSA_KEY_LIFETIME,
								   &value));
	ck_assert_int_eq(value, 86400);

	/* the TEKs, in order */
	tek_enum = state->create_tek_enumerator(state);
	enumerator = gsa->create_policy_enumerator(gsa);
	while (enumerator->enumerate(enumerator, &policy))
	{
		if (policy->protocol != GIKEV2_PROTO_ESP)
		{
			continue;
		}
		ck_assert(tek_enum->enumerate(tek_enum, &tek));
		teks++;
		ck_assert_int_eq(policy->spi.len, 4);
		memcpy(&spi, policy->spi.ptr, 4);
		ck_assert_int_eq(ntohl(spi), tek->spi);
		host = host_create_from_string((char*)gsa_families[_i].address, 5000);
		ck_assert(policy->dst->includes(policy->dst, host));
		host->destroy(host);
		ck_assert_int_eq(policy->dst->get_protocol(policy->dst), IPPROTO_UDP);
		ck_assert_int_eq(policy->dst->get_from_port(policy->dst), 5000);
		ck_assert_int_eq(policy->dst->get_to_port(policy->dst), 5000);
		ck_assert(policy->src->includes(policy->src, tek->source));
		ck_assert(gsa_policy_get_transform(policy, GIKEV2_TRANSFORM_SN));
		ck_assert(gikev2_attrs_get_u32(policy->attrs, GIKEV2_GSA_KEY_LIFETIME,
									   &value));
		ck_assert_int_eq(value, 1200);
		ck_assert(kd->get_group_key_bag(kd, GIKEV2_PROTO_ESP, policy->spi));
	}
	enumerator->destroy(enumerator);
	tek_enum->destroy(tek_enum);
	ck_assert_int_eq(teks, 2);
	ck_assert(kd->get_member_key_bag(kd) == NULL);

	payloads_destroy(gsa, kd);
	gcks->group.destroy(&gcks->group);
	chunk_free(&gsk_w);
}
END_TEST

START_TEST(test_gsa_build_no_source)
{
	mike_gcks_group_t *gcks;
	mike_member_group_t *member;
	mike_gsa_t *state;
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	mike_tek_t *tek;
	chunk_t gsk_w = test_gsk_w();

	/* a sender whose address is not known: any source, no source host */
	gcks = gcks_create(_i, "");
	state = gsa_of(&gcks->group);
	tek = first_tek(state);
	ck_assert(tek);
	tek->source->destroy(tek->source);
	tek->source = NULL;
	build(gcks, gsk_w, &gsa, &kd);
	member = member_create(gsa_families[_i].address,
						   "aes256gcm16, aes128-sha256");
	ck_assert(mike_gsa_apply(member, gsa, kd, gsk_w, FALSE) == SUCCESS);
	state = gsa_of(&member->group);
	tek = first_tek(state);
	ck_assert(tek && tek->source == NULL);
	tek = last_tek(state);
	ck_assert(tek && tek->source != NULL);
	payloads_destroy(gsa, kd);
	member->group.destroy(&member->group);
	gcks->group.destroy(&gcks->group);
	chunk_free(&gsk_w);
}
END_TEST

/**
 * Build a GSA with extra keys, apply it to a member, return the verdict
 */
static status_t apply_with(mike_gcks_group_t *gcks,
						   mike_member_group_t *member, chunk_t gsk_w,
						   mike_gsa_keys_t *keys)
{
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	status_t status;

	ck_assert(mike_gsa_build(gcks, gsk_w, keys, &gsa, &kd));
	gsa = (gsa_payload_t*)wire(&gsa->payload_interface);
	kd = (kd_payload_t*)wire(&kd->payload_interface);
	status = mike_gsa_apply(member, gsa, kd, gsk_w, FALSE);
	payloads_destroy(gsa, kd);
	return status;
}

/**
 * A copy of the GSK_w of a GCKS group's KEK (after GSK_e, AES-256-GCM's
 * key and salt)
 */
static chunk_t kek_gsk_w_of(mike_gcks_group_t *gcks)
{
	mike_gsa_t *state = gsa_of(&gcks->group);

	return chunk_clone(chunk_skip(state->get_kek_keymat(state), 36));
}

#define LKH_MEMBERS 5

START_TEST(test_gsa_lkh)
{
	mike_gcks_group_t *gcks;
	mike_member_group_t *members[LKH_MEMBERS];
	mike_gcks_member_t *member;
	mike_gsa_t *gcks_state, *member_state;
	mike_gsa_keys_t keys;
	mike_lkh_t *lkh;
	identification_t *id;
	linked_list_t *path, *rekey;
	chunk_t ike_gsk_w, kek_gsk_w;
	status_t error;
	int i, j, out = 2;

	gcks = gcks_create(0, "");
	gcks_state = gsa_of(&gcks->group);
	for (i = 0; i < LKH_MEMBERS; i++)
	{
		id = identification_create_from_string("gm.example.org");
		member = gcks->add_member(gcks, id, 100 + i, NULL, &path, &rekey);
		id->destroy(id);
		ck_assert(member);
		/* the others get the keys of a split leaf under the KEK */
		kek_gsk_w = kek_gsk_w_of(gcks);
		keys = (mike_gsa_keys_t){ .wrap_keys = rekey };
		for (j = 0; j < i; j++)
		{
			error = apply_with(gcks, members[j], kek_gsk_w, &keys);
			ck_assert_msg(error == SUCCESS, "member %d refused join update: "
						  "%s", j, last_refusal);
		}
		chunk_clear(&kek_gsk_w);
		rekey->destroy_function(rekey, (void*)mike_lkh_wrapped_destroy);

		/* registration: the path wrapped under its IKE SA's GSK_w */
		ike_gsk_w = chunk_alloc(MIKE_KWK_SIZE);
		memset(ike_gsk_w.ptr, 0x10 + i, ike_gsk_w.len);
		keys = (mike_gsa_keys_t){
			.wrap_keys = mike_lkh_wrap_path(path, ike_gsk_w),
			.initial_msg_id = 7 + i,
		};
		ck_assert(keys.wrap_keys);
		members[i] = member_create("239.1.2.3",
								   "aes256gcm16, aes128-sha256");
		error = apply_with(gcks, members[i], ike_gsk_w, &keys);
		ck_assert_msg(error == SUCCESS, "registration refused: %s",
					  last_refusal);
		assert_same_keys(gcks, members[i]);
		member_state = gsa_of(&members[i]->group);
		ck_assert_int_eq(member_state->get_rekey_msg_id(member_state), 7 + i);
		ck_assert_int_eq(members[i]->get_key_path_count(members[i]),
						 path->get_count(path));
		keys.wrap_keys->destroy_function(keys.wrap_keys,
										 (void*)mike_lkh_wrapped_destroy);
		path->destroy_function(path, (void*)mike_lkh_key_destroy);
		chunk_free(&ike_gsk_w);
	}

	/* one leaves: the new KEK goes under the new root, in a message under
	 * the old KEK that all of them can decrypt */
	ck_assert(gcks->remove_member(gcks, gcks->find_member(gcks, 100 + out),
								  &rekey));
	ck_assert(rekey && rekey->get_count(rekey));
	kek_gsk_w = kek_gsk_w_of(gcks);
	ck_assert(gcks->new_kek(gcks));
	keys = (mike_gsa_keys_t){ .wrap_keys = rekey };
	lkh = gcks->get_lkh(gcks);
	lkh->get_root(lkh, &keys.kek_kwk_id, &keys.kek_kwk);
	ck_assert(keys.kek_kwk_id);
	for (i = 0; i < LKH_MEMBERS; i++)
	{
		error = apply_with(gcks, members[i], kek_gsk_w, &keys);
		if (i == out)
		{	/* it holds none of the keys the new KEK is wrapped with */
			ck_assert(error == NOT_FOUND);
			member_state = gsa_of(&members[i]->group);
			ck_assert(!chunk_equals(
							member_state->get_kek_keymat(member_state),
							gcks_state->get_kek_keymat(gcks_state)));
		}
		else
		{
			ck_assert_msg(error == SUCCESS, "member %d refused eviction: %s",
						  i, last_refusal);
			assert_same_keys(gcks, members[i]);
		}
	}
	rekey->destroy_function(rekey, (void*)mike_lkh_wrapped_destroy);
	chunk_clear(&kek_gsk_w);

	/* the next eviction works from the updated paths */
	ck_assert(gcks->remove_member(gcks, gcks->find_member(gcks, 100),
								  &rekey));
	kek_gsk_w = kek_gsk_w_of(gcks);
	ck_assert(gcks->new_kek(gcks));
	keys = (mike_gsa_keys_t){ .wrap_keys = rekey };
	lkh = gcks->get_lkh(gcks);
	lkh->get_root(lkh, &keys.kek_kwk_id, &keys.kek_kwk);
	for (i = 1; i < LKH_MEMBERS; i++)
	{
		if (i == out)
		{
			continue;
		}
		error = apply_with(gcks, members[i], kek_gsk_w, &keys);
		ck_assert_msg(error == SUCCESS, "member %d refused 2nd eviction: "
					  "%s", i, last_refusal);
		assert_same_keys(gcks, members[i]);
	}
	error = apply_with(gcks, members[0], kek_gsk_w, &keys);
	ck_assert(error == NOT_FOUND);
	rekey->destroy_function(rekey, (void*)mike_lkh_wrapped_destroy);
	chunk_clear(&kek_gsk_w);

	for (i = 0; i < LKH_MEMBERS; i++)
	{
		members[i]->group.destroy(&members[i]->group);
	}
	gcks->group.destroy(&gcks->group);
}
END_TEST

START_TEST(test_gsa_build_bad_gsk_w)
{
	mike_gcks_group_t *gcks;
	gsa_payload_t *gsa = (void*)1;
	kd_payload_t *kd = (void*)1;
	chunk_t gsk_w = test_gsk_w();

	gcks = gcks_create(_i, "");
	ck_assert(!mike_gsa_build(gcks, chunk_create(gsk_w.ptr, 20), NULL, &gsa, &kd));
	ck_assert(gsa == NULL && kd == NULL);
	gcks->group.destroy(&gcks->group);
	chunk_free(&gsk_w);
}
END_TEST

/*******************************************************************************
 * Suites
 */

Suite *keywrap_suite(void)
{
	Suite *s = suite_create("keywrap");
	TCase *tc;

	tc = tcase_create("RFC 5649");
	tcase_add_loop_test(tc, test_keywrap_rfc5649_wrap, 0,
						countof(rfc5649_vectors));
	tcase_add_loop_test(tc, test_keywrap_rfc5649_unwrap, 0,
						countof(rfc5649_vectors));
	tcase_add_loop_test(tc, test_keywrap_tamper, 0, countof(rfc5649_vectors));
	tcase_add_test(tc, test_keywrap_round_trip);
	tcase_add_test(tc, test_keywrap_openssl_interop);
	tcase_add_test(tc, test_keywrap_bad_lengths);
	suite_add_tcase(s, tc);

	tc = tcase_create("GSK_w");
	tcase_add_loop_test(tc, test_gsk_w_vector, 0, countof(gsk_w_vectors));
	tcase_add_test(tc, test_gsk_w_properties);
	suite_add_tcase(s, tc);
	return s;
}

Suite *tek_suite(void)
{
	Suite *s = suite_create("tek");
	TCase *tc;

	tc = tcase_create("key sizes");
	tcase_add_loop_test(tc, test_tek_key_sizes, 0, countof(tek_sizes));
	tcase_add_test(tc, test_tek_key_sizes_unusable);
	suite_add_tcase(s, tc);

	tc = tcase_create("generate/create");
	tcase_add_loop_test(tc, test_tek_generate, 0, countof(tek_sizes));
	tcase_add_test(tc, test_tek_generate_unusable);
	tcase_add_loop_test(tc, test_tek_create_sizes, 0, countof(tek_sizes));
	tcase_add_test(tc, test_tek_create_invalid);
	suite_add_tcase(s, tc);
	return s;
}

Suite *group_config_suite(void)
{
	Suite *s = suite_create("group_config");
	TCase *tc;

	tc = tcase_create("valid");
	tcase_add_test(tc, test_cfg_gcks_full);
	tcase_add_test(tc, test_cfg_member_full);
	tcase_add_test(tc, test_cfg_defaults);
	tcase_add_loop_test(tc, test_cfg_every_key, 0, countof(cfg_keys));
	suite_add_tcase(s, tc);

	tc = tcase_create("SAM");
	tcase_add_test(tc, test_sam_session_id);
	tcase_add_test(tc, test_sam_data_key_vector);
	tcase_add_test(tc, test_sam_key_encoding);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_cfg_errors, 0, countof(cfg_errors));
	tcase_add_test(tc, test_cfg_no_suggestion);
	tcase_add_test(tc, test_cfg_missing_group);
	suite_add_tcase(s, tc);

	tc = tcase_create("authorization");
	tcase_add_loop_test(tc, test_cfg_may_join_send, 0, countof(cfg_ids));
	tcase_add_loop_test(tc, test_cfg_any, 0, countof(cfg_ids));
	suite_add_tcase(s, tc);
	return s;
}

Suite *group_suite(void)
{
	Suite *s = suite_create("group");
	TCase *tc;

	tc = tcase_create("GCKS state");
	/* test_group_retired_pruned waits 3 s for TEKs to age */
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_group_allocate_spi);
	tcase_add_test(tc, test_group_spis_bounded);
	tcase_add_test(tc, test_group_retired_pruned);
	tcase_add_test(tc, test_group_kek);
	tcase_add_test(tc, test_group_members);
	tcase_add_test(tc, test_group_db);
	tcase_add_test(tc, test_group_db_walk);
	tcase_add_test(tc, test_group_db_upgrade);
	tcase_add_test(tc, test_group_db_sam_key);
	tcase_add_test(tc, test_group_db_upgrade_3);
	tcase_add_test(tc, test_group_db_unusable);
	suite_add_tcase(s, tc);
	return s;
}

Suite *gsa_suite(void)
{
	Suite *s = suite_create("gsa");
	TCase *tc;
	int families = countof(gsa_families);

	tc = tcase_create("build/apply");
	tcase_add_checked_fixture(tc, refusal_logger_add, refusal_logger_remove);
	tcase_add_loop_test(tc, test_gsa_apply, 0, families);
	tcase_add_loop_test(tc, test_gsa_rekey_auth, 0, families);
	tcase_add_test(tc, test_gsa_apply_kek_only);
	tcase_add_test(tc, test_gsa_many_senders);
	tcase_add_test(tc, test_gsa_sam_encrypt);
	tcase_add_test(tc, test_gsa_sam_bootstrap);
	tcase_add_loop_test(tc, test_gsa_rekey_port_ike, 0, countof(ike_ports));
	tcase_add_loop_test(tc, test_gsa_kek_length, 0, families);
	tcase_add_test(tc, test_gsa_lkh);
	tcase_add_loop_test(tc, test_gsa_build_policies, 0, families);
	tcase_add_loop_test(tc, test_gsa_build_no_source, 0, families);
	tcase_add_loop_test(tc, test_gsa_build_bad_gsk_w, 0, families);
	suite_add_tcase(s, tc);

	tc = tcase_create("refused");
	tcase_add_checked_fixture(tc, refusal_logger_add, refusal_logger_remove);
	tcase_add_loop_test(tc, test_gsa_wrong_gsk_w, 0, families);
	tcase_add_loop_test(tc, test_gsa_tek_keys, 0, families);
	tcase_add_loop_test(tc, test_gsa_proposals, 0, families);
	tcase_add_loop_test(tc, test_gsa_keylen, 0, families);
	tcase_add_loop_test(tc, test_gsa_other_address, 0, families);
	tcase_add_test(tc, test_gsa_no_kek);
	suite_add_tcase(s, tc);
	return s;
}
