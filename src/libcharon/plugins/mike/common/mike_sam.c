/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "common/mike_sam.h"

#include <credentials/keys/public_key.h>

/** the schemes by name, as libsam names them */
static struct {
	const char *name;
	mike_sam_scheme_t scheme;
} schemes[] = {
	{ "hmac-sha256", MIKE_SAM_HMAC_SHA256 },
	{ "ed25519", MIKE_SAM_ED25519 },
	{ "ecdsa-p256", MIKE_SAM_ECDSA_P256 },
	{ "hybrid", MIKE_SAM_HYBRID },
	{ "ed25519-oo", MIKE_SAM_ED25519_OO },
	{ "tree", MIKE_SAM_TREE },
	{ "tesla", MIKE_SAM_TESLA },
};

/*
 * Described in header
 */
bool mike_sam_scheme_from_name(const char *name, mike_sam_scheme_t *scheme)
{
	int i;

	for (i = 0; i < countof(schemes); i++)
	{
		if (streq(schemes[i].name, name))
		{
			*scheme = schemes[i].scheme;
			return TRUE;
		}
	}
	return FALSE;
}

/*
 * Described in header
 */
bool mike_sam_scheme_signs(mike_sam_scheme_t scheme)
{
	return scheme != MIKE_SAM_HMAC_SHA256;
}

/**
 * The key type (and size) a scheme signs with
 */
static key_type_t scheme_key_type(mike_sam_scheme_t scheme, int *bits)
{
	switch (scheme)
	{
		case MIKE_SAM_ED25519:
		case MIKE_SAM_HYBRID:
		case MIKE_SAM_ED25519_OO:
		case MIKE_SAM_TREE:
		case MIKE_SAM_TESLA:
			/* hybrid batches, precomputed nonces, tree roots and TESLA
			 * bootstraps hang off an Ed25519 key, too */
			*bits = 256;
			return KEY_ED25519;
		case MIKE_SAM_ECDSA_P256:
			*bits = 256;
			return KEY_ECDSA;
		default:
			*bits = 0;
			return KEY_ANY;
	}
}

/*
 * Described in header
 */
uint32_t mike_sam_session_id(const char *group)
{
	hasher_t *hasher;
	uint8_t hash[HASH_SIZE_SHA256];
	chunk_t label = chunk_from_str("mike SAM session ");
	uint32_t id = 0;

	hasher = lib->crypto->create_hasher(lib->crypto, HASH_SHA256);
	if (hasher &&
		hasher->get_hash(hasher, label, NULL) &&
		hasher->get_hash(hasher, chunk_from_str((char*)group), hash))
	{
		id = untoh32(hash);
	}
	DESTROY_IF(hasher);
	/* 0 would read as "no session" */
	return id ?: 1;
}

/*
 * Described in header
 */
chunk_t mike_sam_data_key(chunk_t kek_keymat, uint32_t *id)
{
	prf_t *prf;
	uint8_t tag[HASH_SIZE_SHA256];
	chunk_t key = chunk_empty;

	/* HMAC-SHA-256 keyed with the KEK's material, a label for each output:
	 * the ID reveals nothing of the key, and nothing else derived from the
	 * KEK (RFC 9838 uses it only as GSK_e and GSK_w) can collide with it */
	prf = lib->crypto->create_prf(lib->crypto, PRF_HMAC_SHA2_256);
	if (prf && prf->set_key(prf, kek_keymat) &&
		prf->allocate_bytes(prf, chunk_from_str("mike SAM data key"), &key) &&
		prf->get_bytes(prf, chunk_from_str("mike SAM data key ID"), tag))
	{
		/* 0 is no key ID in libsam */
		*id = untoh32(tag) ?: 1;
		memwipe(tag, sizeof(tag));
	}
	else
	{
		chunk_clear(&key);
	}
	DESTROY_IF(prf);
	return key;
}

/*
 * Described in header
 */
private_key_t *mike_sam_key_generate(mike_sam_scheme_t scheme)
{
	key_type_t type;
	int bits;

	type = scheme_key_type(scheme, &bits);
	if (type == KEY_ANY)
	{
		return NULL;
	}
	return lib->creds->create(lib->creds, CRED_PRIVATE_KEY, type,
							  BUILD_KEY_SIZE, bits, BUILD_END);
}

/*
 * Described in header
 */
bool mike_sam_key_check(mike_sam_scheme_t scheme, chunk_t spki, char **why)
{
	public_key_t *key;
	key_type_t type;
	chunk_t encoding = chunk_empty;
	int bits;
	bool ok;

	type = scheme_key_type(scheme, &bits);
	if (type == KEY_ANY)
	{
		*why = "the group's scheme has no verification keys";
		return FALSE;
	}
	if (!spki.len || spki.len > MIKE_SAM_KEY_MAX)
	{
		*why = "the verification key is empty or too long";
		return FALSE;
	}
	key = lib->creds->create(lib->creds, CRED_PUBLIC_KEY, KEY_ANY,
							 BUILD_BLOB_ASN1_DER, spki, BUILD_END);
	if (!key)
	{
		*why = "the verification key is not a SubjectPublicKeyInfo";
		return FALSE;
	}
	ok = key->get_type(key) == type && key->get_keysize(key) == bits;
	if (!ok)
	{
		*why = "the verification key is not of the group's scheme";
	}
	/* one encoding only, nothing after it: what receivers get is what
	 * the sender presented */
	else if (!key->get_encoding(key, PUBKEY_SPKI_ASN1_DER, &encoding) ||
			 !chunk_equals(encoding, spki))
	{
		*why = "the verification key is not in DER or has trailing data";
		ok = FALSE;
	}
	chunk_free(&encoding);
	key->destroy(key);
	return ok;
}

/*
 * Described in header
 */
chunk_t mike_sam_key_encode(mike_sam_scheme_t scheme, chunk_t spki)
{
	uint8_t head[2] = { scheme, 0 };

	return chunk_cat("cc", chunk_from_thing(head), spki);
}

/*
 * Described in header
 */
bool mike_sam_key_parse(chunk_t body, mike_sam_scheme_t scheme,
						chunk_t *spki, char **why)
{
	if (body.len < 2)
	{
		*why = "the SAM key is truncated";
		return FALSE;
	}
	if (body.ptr[0] != scheme)
	{
		*why = "the SAM key is for another scheme than the group's";
		return FALSE;
	}
	if (body.ptr[1] != 0)
	{
		*why = "the SAM key's reserved byte is not 0";
		return FALSE;
	}
	*spki = chunk_skip(body, 2);
	return mike_sam_key_check(scheme, *spki, why);
}

/*
 * Described in header
 */
char *mike_sam_pem(const char *label, chunk_t der)
{
	chunk_t b64;
	char *pem, *pos;
	size_t i, len;

	b64 = chunk_to_base64(der, NULL);
	/* lines of 64 characters, as RFC 7468 wants */
	len = 2 * (strlen(label) + 17) + b64.len + b64.len / 64 + 2;
	pem = malloc(len);
	pos = pem + sprintf(pem, "-----BEGIN %s-----\n", label);
	for (i = 0; i < b64.len; i += 64)
	{
		pos += sprintf(pos, "%.*s\n", (int)min(64, b64.len - i),
					   b64.ptr + i);
	}
	sprintf(pos, "-----END %s-----\n", label);
	chunk_free(&b64);
	return pem;
}
