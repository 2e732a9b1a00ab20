/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "common/mike_tek.h"

#include <sa/keymat.h>

typedef struct private_mike_tek_t private_mike_tek_t;

/**
 * Private data of a mike_tek_t object.
 */
struct private_mike_tek_t {

	/**
	 * Public interface.
	 */
	mike_tek_t public;

	/**
	 * Size of the encryption key part of keymat.
	 */
	size_t enc_size;
};

/**
 * Bytes of an encryption key, with the salt that counter-based modes take
 * from the keying material (as charon derives CHILD_SA keys)
 */
static size_t enc_key_size(uint16_t alg, uint16_t keylen)
{
	size_t size;

	if (!keylen)
	{
		keylen = keymat_get_keylen_encr(alg);
	}
	size = keylen / 8;
	switch (alg)
	{
		case ENCR_AES_CCM_ICV8:
		case ENCR_AES_CCM_ICV12:
		case ENCR_AES_CCM_ICV16:
			return size + 3;
		case ENCR_AES_GCM_ICV8:
		case ENCR_AES_GCM_ICV12:
		case ENCR_AES_GCM_ICV16:
		case ENCR_AES_CTR:
		case ENCR_NULL_AUTH_AES_GMAC:
		case ENCR_CHACHA20_POLY1305:
			return size + 4;
		default:
			return size;
	}
}

/**
 * Bytes of an integrity key, 0 for none
 */
static size_t int_key_size(uint16_t alg)
{
	if (alg == AUTH_UNDEFINED)
	{
		return 0;
	}
	return keymat_get_keylen_integ(alg) / 8;
}

/*
 * Described in header
 */
bool mike_tek_key_sizes(proposal_t *proposal, uint16_t *enc_alg,
						uint16_t *enc_keylen, size_t *enc_size,
						uint16_t *int_alg, size_t *int_size)
{
	if (!proposal->get_algorithm(proposal, ENCRYPTION_ALGORITHM, enc_alg,
								 enc_keylen))
	{
		return FALSE;
	}
	if (!proposal->get_algorithm(proposal, INTEGRITY_ALGORITHM, int_alg, NULL))
	{
		*int_alg = AUTH_UNDEFINED;
	}
	*enc_size = enc_key_size(*enc_alg, *enc_keylen);
	*int_size = int_key_size(*int_alg);
	if (!*enc_size || (*int_alg != AUTH_UNDEFINED && !*int_size))
	{
		return FALSE;
	}
	/* an AEAD needs no integrity algorithm, anything else does */
	return encryption_algorithm_is_aead(*enc_alg) ==
										(*int_alg == AUTH_UNDEFINED);
}

METHOD(mike_tek_t, get_enc_key, chunk_t,
	private_mike_tek_t *this)
{
	return chunk_create(this->public.keymat.ptr, this->enc_size);
}

METHOD(mike_tek_t, get_int_key, chunk_t,
	private_mike_tek_t *this)
{
	return chunk_skip(this->public.keymat, this->enc_size);
}

METHOD(mike_tek_t, destroy, void,
	private_mike_tek_t *this)
{
	chunk_clear(&this->public.keymat);
	DESTROY_IF(this->public.sender);
	DESTROY_IF(this->public.source);
	chunk_free(&this->public.sam_key);
	chunk_free(&this->public.sam_bootstrap);
	free(this);
}

/**
 * A TEK without keying material
 */
static private_mike_tek_t *create_empty(uint32_t spi, uint16_t enc_alg,
										uint16_t enc_keylen, uint16_t int_alg,
										uint32_t lifetime)
{
	private_mike_tek_t *this;

	INIT(this,
		.public = {
			.spi = spi,
			.enc_alg = enc_alg,
			.enc_keylen = enc_keylen,
			.int_alg = int_alg,
			.lifetime = lifetime,
			.get_enc_key = _get_enc_key,
			.get_int_key = _get_int_key,
			.destroy = _destroy,
		},
		.enc_size = enc_key_size(enc_alg, enc_keylen),
	);
	return this;
}

/*
 * Described in header
 */
mike_tek_t *mike_tek_generate(proposal_t *proposal, uint32_t spi,
							  uint32_t lifetime, identification_t *sender)
{
	private_mike_tek_t *this;
	uint16_t enc_alg, enc_keylen, int_alg;
	size_t enc_size, int_size;
	rng_t *rng;
	bool ok;

	if (!mike_tek_key_sizes(proposal, &enc_alg, &enc_keylen, &enc_size,
							&int_alg, &int_size))
	{
		return NULL;
	}
	rng = lib->crypto->create_rng(lib->crypto, RNG_STRONG);
	if (!rng)
	{
		return NULL;
	}
	this = create_empty(spi, enc_alg, enc_keylen, int_alg, lifetime);
	ok = rng->allocate_bytes(rng, enc_size + int_size, &this->public.keymat);
	rng->destroy(rng);
	if (!ok)
	{
		destroy(this);
		return NULL;
	}
	this->public.sender = sender ? sender->clone(sender) : NULL;
	return &this->public;
}

/*
 * Described in header
 */
mike_tek_t *mike_tek_create(uint32_t spi, uint16_t enc_alg,
							uint16_t enc_keylen, uint16_t int_alg,
							chunk_t keymat, uint32_t lifetime)
{
	private_mike_tek_t *this;

	this = create_empty(spi, enc_alg, enc_keylen, int_alg, lifetime);
	if (!this->enc_size ||
		keymat.len != this->enc_size + int_key_size(int_alg))
	{
		destroy(this);
		return NULL;
	}
	this->public.keymat = chunk_clone(keymat);
	return &this->public;
}

/*
 * Described in header
 */
bool mike_tek_counter_mode(mike_tek_t *tek)
{
	switch (tek->enc_alg)
	{
		case ENCR_AES_CTR:
		case ENCR_AES_CCM_ICV8:
		case ENCR_AES_CCM_ICV12:
		case ENCR_AES_CCM_ICV16:
		case ENCR_AES_GCM_ICV8:
		case ENCR_AES_GCM_ICV12:
		case ENCR_AES_GCM_ICV16:
		case ENCR_NULL_AUTH_AES_GMAC:
		case ENCR_CAMELLIA_CTR:
		case ENCR_CAMELLIA_CCM_ICV8:
		case ENCR_CAMELLIA_CCM_ICV12:
		case ENCR_CAMELLIA_CCM_ICV16:
		case ENCR_CHACHA20_POLY1305:
			return TRUE;
		default:
			return FALSE;
	}
}
