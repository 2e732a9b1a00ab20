/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "common/mike_rekey_suite.h"
#include "payloads/gikev2.h"

/** INTEG transform ID NONE */
#define INTEG_NONE 0

const mike_rekey_suite_t mike_rekey_suite_default = {
	.encr = ENCR_AES_GCM_ICV16,
	.encr_bits = 256,
	.kwa = GIKEV2_KWA_5649_256,
};

/**
 * ICV size of an AEAD transform ID, 0 if not one of ours
 */
static size_t icv_size(uint16_t encr)
{
	switch (encr)
	{
		case ENCR_AES_GCM_ICV8:
		case ENCR_AES_CCM_ICV8:
			return 8;
		case ENCR_AES_GCM_ICV12:
		case ENCR_AES_CCM_ICV12:
			return 12;
		case ENCR_AES_GCM_ICV16:
		case ENCR_AES_CCM_ICV16:
			return 16;
		default:
			return 0;
	}
}

/**
 * Salt size: 4 bytes for GCM (RFC 5282 7.1), 3 for CCM (RFC 4309 7.1)
 */
static size_t salt_size(uint16_t encr)
{
	switch (encr)
	{
		case ENCR_AES_CCM_ICV8:
		case ENCR_AES_CCM_ICV12:
		case ENCR_AES_CCM_ICV16:
			return 3;
		default:
			return 4;
	}
}

/**
 * Key wrap key size of a KWA transform ID, 0 if unsupported
 */
static size_t kwk_size(uint16_t kwa)
{
	switch (kwa)
	{
		case GIKEV2_KWA_5649_128:
			return 16;
		case GIKEV2_KWA_5649_192:
			return 24;
		case GIKEV2_KWA_5649_256:
			return 32;
		default:
			return 0;
	}
}

/*
 * Described in header
 */
char *mike_rekey_suite_from_policy(gsa_policy_t *kek, mike_rekey_suite_t *suite)
{
	gsa_transform_t *encr, *kwa, *integ;
	uint16_t bits;

	encr = gsa_policy_get_transform(kek, GIKEV2_TRANSFORM_ENCR);
	kwa = gsa_policy_get_transform(kek, GIKEV2_TRANSFORM_KWA);
	integ = gsa_policy_get_transform(kek, GIKEV2_TRANSFORM_INTEG);
	if (!encr || !kwa)
	{	/* both mandatory (RFC 9838 4.4.2, Figure 19) */
		return "the rekey SA has no ENCR or no KWA transform";
	}
	if (!icv_size(encr->id))
	{
		return integ && integ->id != INTEG_NONE
			? "the rekey SA is not AEAD (ENCR with INTEG), which mike "
			  "members do not support"
			: "the rekey SA's ENCR transform is neither AES-GCM nor AES-CCM";
	}
	if (integ && integ->id != INTEG_NONE)
	{	/* with AEAD, INTEG is absent or NONE (Figure 19, note *) */
		return "the rekey SA has an INTEG transform next to an AEAD";
	}
	bits = gsa_transform_get_key_length(encr);
	if (bits != 128 && bits != 192 && bits != 256)
	{
		return "the rekey SA's ENCR key length is not 128, 192 or 256 bits";
	}
	if (!kwk_size(kwa->id))
	{
		return "the rekey SA's KWA transform is not KW_5649_128, _192 or _256";
	}
	*suite = (mike_rekey_suite_t){
		.encr = encr->id,
		.encr_bits = bits,
		.kwa = kwa->id,
	};
	return NULL;
}

/**
 * Size of GSK_e: key and salt
 */
static size_t gsk_e_size(const mike_rekey_suite_t *suite)
{
	return suite->encr_bits / 8 + salt_size(suite->encr);
}

/*
 * Described in header
 */
size_t mike_rekey_suite_keymat_size(const mike_rekey_suite_t *suite)
{
	return gsk_e_size(suite) + kwk_size(suite->kwa);
}

/*
 * Described in header
 */
size_t mike_rekey_suite_icv_size(const mike_rekey_suite_t *suite)
{
	return icv_size(suite->encr);
}

/*
 * Described in header
 */
chunk_t mike_rekey_suite_gsk_e(const mike_rekey_suite_t *suite, chunk_t keymat)
{
	if (keymat.len < mike_rekey_suite_keymat_size(suite))
	{
		return chunk_empty;
	}
	return chunk_create(keymat.ptr, gsk_e_size(suite));
}

/*
 * Described in header
 */
chunk_t mike_rekey_suite_gsk_w(const mike_rekey_suite_t *suite, chunk_t keymat)
{
	if (keymat.len < mike_rekey_suite_keymat_size(suite))
	{
		return chunk_empty;
	}
	return chunk_create(keymat.ptr + gsk_e_size(suite), kwk_size(suite->kwa));
}

/*
 * Described in header
 */
aead_t *mike_rekey_suite_create_aead(const mike_rekey_suite_t *suite,
									 chunk_t gsk_e)
{
	aead_t *aead;

	if (!icv_size(suite->encr) || gsk_e.len != gsk_e_size(suite))
	{
		return NULL;
	}
	aead = lib->crypto->create_aead(lib->crypto, suite->encr,
									suite->encr_bits / 8,
									salt_size(suite->encr));
	if (!aead)
	{
		return NULL;
	}
	if (aead->get_key_size(aead) != gsk_e.len ||
		aead->get_iv_size(aead) != MIKE_REKEY_IV_SIZE ||
		aead->get_icv_size(aead) != icv_size(suite->encr) ||
		!aead->set_key(aead, gsk_e))
	{
		aead->destroy(aead);
		return NULL;
	}
	return aead;
}

/*
 * Described in header
 */
char *mike_rekey_suite_name(const mike_rekey_suite_t *suite, char *buf,
							size_t len)
{
	bool ccm = salt_size(suite->encr) == 3;

	snprintf(buf, len, "AES-%s-%zu-%u with KW_5649_%zu", ccm ? "CCM" : "GCM",
			 icv_size(suite->encr), suite->encr_bits,
			 kwk_size(suite->kwa) * 8);
	return buf;
}
