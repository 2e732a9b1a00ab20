/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "common/mike_keywrap.h"

#include <pthread.h>
#include <openssl/evp.h>

#include <crypto/kdfs/kdf.h>

/** the label of RFC 9838 4.4.1, 20 ASCII characters, no NUL */
#define GSK_W_LABEL "Key Wrap for G-IKEv2"

/*
 * Described in header
 */
bool mike_keywrap_derive_gsk_w(pseudo_random_function_t prf_alg, chunk_t sk_d,
							   chunk_t *gsk_w)
{
	kdf_t *prf_plus;
	bool ok;

	prf_plus = lib->crypto->create_kdf(lib->crypto, KDF_PRF_PLUS, prf_alg);
	if (!prf_plus)
	{
		return FALSE;
	}
	ok = prf_plus->set_param(prf_plus, KDF_PARAM_KEY, sk_d) &&
		 prf_plus->set_param(prf_plus, KDF_PARAM_SALT,
							 chunk_from_str(GSK_W_LABEL)) &&
		 prf_plus->allocate_bytes(prf_plus, MIKE_KWK_SIZE, gsk_w);
	prf_plus->destroy(prf_plus);
	return ok;
}

/** the alternative initial value of RFC 5649 3, before the length */
static const uint8_t aiv[] = { 0xa6, 0x59, 0x59, 0xa6 };

/** AES block and half block (semiblock) sizes */
#define BLOCK 16
#define SEMI 8

/** AES-ECB of 128, 192 and 256 bits, fetched from OpenSSL's providers */
static EVP_CIPHER *fetched[3];

/** fetches them once */
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

/**
 * Fetch the ciphers: the EVP_aes_*_ecb() placeholders make every
 * EVP_CipherInit_ex() look the implementation up again, a fifth of a key
 * wrap's cost.  They are kept for the process, as OpenSSL keeps its
 * providers.
 */
static void fetch_ciphers()
{
	fetched[0] = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
	fetched[1] = EVP_CIPHER_fetch(NULL, "AES-192-ECB", NULL);
	fetched[2] = EVP_CIPHER_fetch(NULL, "AES-256-ECB", NULL);
}

/**
 * The OpenSSL AES-ECB cipher for a key wrap key.  RFC 5649 is built on
 * the block cipher here rather than OpenSSL's wrap mode, which runs the
 * portable AES_encrypt() instead of AES-NI
 */
static const EVP_CIPHER *ecb_cipher(size_t kwk_len)
{
	pthread_once(&fetch_once, fetch_ciphers);
	switch (kwk_len)
	{
		case 16:
			return fetched[0] ?: EVP_aes_128_ecb();
		case 24:
			return fetched[1] ?: EVP_aes_192_ecb();
		case 32:
			return fetched[2] ?: EVP_aes_256_ecb();
		default:
			return NULL;
	}
}

/**
 * A context for single blocks of AES-ECB under kwk, NULL on failure
 */
static EVP_CIPHER_CTX *ecb_create(chunk_t kwk, bool enc)
{
	const EVP_CIPHER *cipher = ecb_cipher(kwk.len);
	EVP_CIPHER_CTX *ctx;

	if (!cipher)
	{
		return NULL;
	}
	ctx = EVP_CIPHER_CTX_new();
	if (ctx && (EVP_CipherInit_ex(ctx, cipher, NULL, kwk.ptr, NULL,
								  enc) != 1 ||
				EVP_CIPHER_CTX_set_padding(ctx, 0) != 1))
	{
		EVP_CIPHER_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

/**
 * Encrypt or decrypt one block in place
 */
static inline bool ecb_block(EVP_CIPHER_CTX *ctx, uint8_t block[BLOCK])
{
	/* the cipher itself, without EVP_CipherUpdate()'s buffering: ECB
	 * without padding over whole blocks needs none */
	return EVP_Cipher(ctx, block, block, BLOCK) > 0;
}

/**
 * XOR the 64-bit step counter t of RFC 3394 2.2.1 into A
 */
static inline void xor_t(uint8_t a[SEMI], uint64_t t)
{
	int i;

	for (i = SEMI - 1; i >= 0 && t; i--, t >>= 8)
	{
		a[i] ^= t & 0xff;
	}
}

/**
 * RFC 5649 4.1: wrap key, padded with zeros, into out (round_up(len, 8)
 * + 8 bytes)
 */
static bool wrap(EVP_CIPHER_CTX *ctx, chunk_t key, chunk_t out)
{
	uint8_t b[BLOCK], *r;
	size_t n = out.len / SEMI - 1, i, j;

	memset(out.ptr, 0, out.len);
	memcpy(out.ptr, aiv, sizeof(aiv));
	htoun32(out.ptr + sizeof(aiv), key.len);
	memcpy(out.ptr + SEMI, key.ptr, key.len);
	if (n == 1)
	{	/* a single block, encrypted as it is */
		return ecb_block(ctx, out.ptr);
	}
	/* RFC 3394 2.2.1 with the AIV: A in b[0..7], R[i] at out + 8i */
	memcpy(b, out.ptr, SEMI);
	for (j = 0; j < 6; j++)
	{
		for (i = 1, r = out.ptr + SEMI; i <= n; i++, r += SEMI)
		{
			memcpy(b + SEMI, r, SEMI);
			if (!ecb_block(ctx, b))
			{
				memwipe(b, sizeof(b));
				return FALSE;
			}
			xor_t(b, n * j + i);
			memcpy(r, b + SEMI, SEMI);
		}
	}
	memcpy(out.ptr, b, SEMI);
	memwipe(b, sizeof(b));
	return TRUE;
}

/**
 * RFC 5649 4.2: unwrap in into out (in.len - 8 bytes, shortened to the
 * key), checking the AIV and the padding
 */
static bool unwrap(EVP_CIPHER_CTX *ctx, chunk_t in, chunk_t *out)
{
	uint8_t a[BLOCK], *r;
	size_t n = in.len / SEMI - 1, i, j, mli, pad;
	u_char bad = 0;

	if (n == 1)
	{
		memcpy(a, in.ptr, BLOCK);
		if (!ecb_block(ctx, a))
		{
			return FALSE;
		}
		memcpy(out->ptr, a + SEMI, SEMI);
	}
	else
	{	/* RFC 3394 2.2.2: A in a[0..7], R[i] at out + 8(i - 1) */
		memcpy(a, in.ptr, SEMI);
		memcpy(out->ptr, in.ptr + SEMI, in.len - SEMI);
		for (j = 6; j-- > 0; )
		{
			for (i = n, r = out->ptr + SEMI * (n - 1); i >= 1; i--, r -= SEMI)
			{
				xor_t(a, n * j + i);
				memcpy(a + SEMI, r, SEMI);
				if (!ecb_block(ctx, a))
				{
					memwipe(a, sizeof(a));
					return FALSE;
				}
				memcpy(r, a + SEMI, SEMI);
			}
		}
	}
	/* RFC 5649 3: the AIV, 8(n - 1) < MLI <= 8n, zeros as padding; all
	 * checked before any is acted on */
	for (i = 0; i < sizeof(aiv); i++)
	{
		bad |= a[i] ^ aiv[i];
	}
	mli = untoh32(a + sizeof(aiv));
	bad |= mli <= SEMI * (n - 1) || mli > SEMI * n;
	pad = SEMI * n - mli;
	for (i = 0; i < SEMI; i++)
	{	/* the last semiblock's padding, without branching on it */
		bad |= out->ptr[SEMI * (n - 1) + i] & (i >= SEMI - (pad & 0x0f) ?
											   0xff : 0x00);
	}
	memwipe(a, sizeof(a));
	if (bad)
	{
		return FALSE;
	}
	out->len = mli;
	return TRUE;
}

/**
 * Wrap (enc) or unwrap in
 */
static bool crypt(chunk_t kwk, chunk_t in, chunk_t *out, bool enc)
{
	EVP_CIPHER_CTX *ctx;
	bool ok;

	/* RFC 5649 wraps 1 to 2^32 bytes; G-IKEv2 keys are far shorter, a
	 * 64 KiB bound keeps a forged length harmless */
	if (!ecb_cipher(kwk.len) || !in.len ||
		(!enc && (in.len % SEMI || in.len < BLOCK)) ||
		in.len > (enc ? 65536 : 65536 + 8))
	{
		return FALSE;
	}
	ctx = ecb_create(kwk, enc);
	if (!ctx)
	{
		return FALSE;
	}
	if (enc)
	{
		*out = chunk_alloc(round_up(in.len, SEMI) + SEMI);
		ok = wrap(ctx, in, *out);
	}
	else
	{
		*out = chunk_alloc(in.len - SEMI);
		ok = unwrap(ctx, in, out);
	}
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
	{
		chunk_clear(out);
	}
	return ok;
}

/*
 * Described in header
 */
bool mike_keywrap_wrap(chunk_t kwk, chunk_t key, chunk_t *wrapped)
{
	return crypt(kwk, key, wrapped, TRUE);
}

/*
 * Described in header
 */
bool mike_keywrap_unwrap(chunk_t kwk, chunk_t wrapped, chunk_t *key)
{
	return crypt(kwk, wrapped, key, FALSE);
}
