/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "common/mike_keywrap.h"

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

/**
 * The OpenSSL cipher of AES-KW with padding for a key wrap key
 */
static const EVP_CIPHER *wrap_cipher(size_t kwk_len)
{
	switch (kwk_len)
	{
		case 16:
			return EVP_aes_128_wrap_pad();
		case 24:
			return EVP_aes_192_wrap_pad();
		case 32:
			return EVP_aes_256_wrap_pad();
		default:
			return NULL;
	}
}

/**
 * Run the wrap (enc) or unwrap cipher over in
 */
static bool crypt(chunk_t kwk, chunk_t in, chunk_t *out, bool enc)
{
	const EVP_CIPHER *cipher = wrap_cipher(kwk.len);
	EVP_CIPHER_CTX *ctx;
	int len, fin;
	bool ok;

	/* RFC 5649 wraps 1 to 2^32 bytes; G-IKEv2 keys are far shorter, a
	 * 64 KiB bound keeps a forged length harmless */
	if (!cipher || !in.len || (!enc && in.len % 8) ||
		in.len > (enc ? 65536 : 65536 + 8))
	{
		return FALSE;
	}
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
	{
		return FALSE;
	}
	*out = chunk_alloc(in.len + 16);
	ok = EVP_CipherInit_ex(ctx, cipher, NULL, kwk.ptr, NULL, enc) == 1 &&
		 EVP_CipherUpdate(ctx, out->ptr, &len, in.ptr, in.len) == 1 &&
		 EVP_CipherFinal_ex(ctx, out->ptr + len, &fin) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
	{
		chunk_clear(out);
		return FALSE;
	}
	out->len = len + fin;
	return TRUE;
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
