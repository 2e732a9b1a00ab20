/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "group/mike_gsa.h"
#include "common/mike_sam.h"

typedef struct private_mike_gsa_t private_mike_gsa_t;

/**
 * Private data of a mike_gsa_t object.
 */
struct private_mike_gsa_t {

	/**
	 * Public interface.
	 */
	mike_gsa_t public;

	/**
	 * TEKs of the group's senders, mike_tek_t
	 */
	linked_list_t *teks;

	/**
	 * The KEK's SPI
	 */
	chunk_t kek_spi;

	/**
	 * The KEK's keying material
	 */
	chunk_t kek_keymat;

	/**
	 * The KEK's algorithms
	 */
	mike_rekey_suite_t kek_suite;

	/**
	 * Key GSA_REKEY messages are verified with, NULL if none
	 */
	public_key_t *auth_key;

	/**
	 * Their signature scheme, NULL if none
	 */
	signature_params_t *auth_scheme;

	/**
	 * The key's SubjectPublicKeyInfo, encoded on first use
	 */
	chunk_t auth_spki;

	/**
	 * Message ID of the next GSA_REKEY, or the lowest accepted next
	 */
	uint64_t msg_id;

	/**
	 * GSA_REKEY messages sent or accepted
	 */
	uint64_t rekeys;

	/**
	 * SAM session ID, 0 if none
	 */
	uint32_t sam_session;

	/**
	 * Whether applications encrypt the SAM payloads
	 */
	bool sam_encrypt;

	/**
	 * SAM data keys of the current KEK [0] and the one it replaced [1]
	 */
	chunk_t data_key[2];

	/**
	 * Their key IDs
	 */
	uint32_t data_key_id[2];
};

METHOD(mike_gsa_t, create_tek_enumerator, enumerator_t*,
	private_mike_gsa_t *this)
{
	return this->teks->create_enumerator(this->teks);
}

METHOD(mike_gsa_t, get_tek_count, int,
	private_mike_gsa_t *this)
{
	return this->teks->get_count(this->teks);
}

METHOD(mike_gsa_t, add_tek, void,
	private_mike_gsa_t *this, mike_tek_t *tek)
{
	this->teks->insert_last(this->teks, tek);
}

METHOD(mike_gsa_t, remove_tek, bool,
	private_mike_gsa_t *this, mike_tek_t *tek)
{
	return this->teks->remove(this->teks, tek, NULL) > 0;
}

METHOD(mike_gsa_t, replace_teks, void,
	private_mike_gsa_t *this, linked_list_t *teks)
{
	this->teks->destroy_offset(this->teks, offsetof(mike_tek_t, destroy));
	this->teks = teks;
}

METHOD(mike_gsa_t, get_kek_spi, chunk_t,
	private_mike_gsa_t *this)
{
	return this->kek_spi;
}

METHOD(mike_gsa_t, get_kek_keymat, chunk_t,
	private_mike_gsa_t *this)
{
	return this->kek_keymat;
}

/**
 * Derive the SAM data key of a new KEK, keeping the one of the KEK it
 * replaces; none without a KEK
 */
static void rotate_data_keys(private_mike_gsa_t *this, chunk_t keymat)
{
	chunk_clear(&this->data_key[1]);
	this->data_key[1] = this->data_key[0];
	this->data_key_id[1] = this->data_key_id[0];
	this->data_key[0] = chunk_empty;
	this->data_key_id[0] = 0;
	if (keymat.len)
	{
		this->data_key[0] = mike_sam_data_key(keymat, &this->data_key_id[0]);
	}
	else
	{
		chunk_clear(&this->data_key[1]);
		this->data_key_id[1] = 0;
	}
}

METHOD(mike_gsa_t, get_kek_suite, const mike_rekey_suite_t*,
	private_mike_gsa_t *this)
{
	return &this->kek_suite;
}

METHOD(mike_gsa_t, set_kek, void,
	private_mike_gsa_t *this, chunk_t spi, chunk_t keymat,
	const mike_rekey_suite_t *suite)
{
	/* a GSA_REKEY that only renews TEKs repeats the KEK */
	if (!chunk_equals_const(keymat, this->kek_keymat) || !keymat.len)
	{
		rotate_data_keys(this, keymat);
	}
	chunk_free(&this->kek_spi);
	chunk_clear(&this->kek_keymat);
	this->kek_spi = spi;
	this->kek_keymat = keymat;
	this->kek_suite = *suite;
}

METHOD(mike_gsa_t, get_rekey_auth_key, public_key_t*,
	private_mike_gsa_t *this)
{
	return this->auth_key;
}

METHOD(mike_gsa_t, get_rekey_auth_spki, chunk_t,
	private_mike_gsa_t *this)
{
	if (this->auth_key && !this->auth_spki.len &&
		!this->auth_key->get_encoding(this->auth_key, PUBKEY_SPKI_ASN1_DER,
									  &this->auth_spki))
	{
		this->auth_spki = chunk_empty;
	}
	return this->auth_spki;
}

METHOD(mike_gsa_t, get_rekey_auth_scheme, signature_params_t*,
	private_mike_gsa_t *this)
{
	return this->auth_scheme;
}

METHOD(mike_gsa_t, set_rekey_auth, void,
	private_mike_gsa_t *this, public_key_t *key, signature_params_t *scheme)
{
	DESTROY_IF(this->auth_key);
	signature_params_destroy(this->auth_scheme);
	chunk_free(&this->auth_spki);
	this->auth_key = key;
	this->auth_scheme = scheme;
}

METHOD(mike_gsa_t, get_rekey_msg_id, uint64_t,
	private_mike_gsa_t *this)
{
	return this->msg_id;
}

METHOD(mike_gsa_t, set_rekey_msg_id, void,
	private_mike_gsa_t *this, uint64_t id)
{
	this->msg_id = id;
}

METHOD(mike_gsa_t, get_sam_session, uint32_t,
	private_mike_gsa_t *this)
{
	return this->sam_session;
}

METHOD(mike_gsa_t, set_sam_session, void,
	private_mike_gsa_t *this, uint32_t session, bool encrypt)
{
	this->sam_session = session;
	this->sam_encrypt = encrypt;
}

METHOD(mike_gsa_t, get_sam_encrypt, bool,
	private_mike_gsa_t *this)
{
	return this->sam_encrypt;
}

METHOD(mike_gsa_t, get_sam_data_key, chunk_t,
	private_mike_gsa_t *this, bool previous, uint32_t *id)
{
	*id = this->data_key_id[previous ? 1 : 0];
	return this->data_key[previous ? 1 : 0];
}

METHOD(mike_gsa_t, count_rekey, void,
	private_mike_gsa_t *this)
{
	this->rekeys++;
}

METHOD(mike_gsa_t, get_rekeys, uint64_t,
	private_mike_gsa_t *this)
{
	return this->rekeys;
}

METHOD(mike_gsa_t, clear, void,
	private_mike_gsa_t *this)
{
	replace_teks(this, linked_list_create());
	set_kek(this, chunk_empty, chunk_empty, &mike_rekey_suite_default);
	set_rekey_auth(this, NULL, NULL);
	this->msg_id = 0;
	this->sam_session = 0;
	this->sam_encrypt = FALSE;
}

METHOD(mike_gsa_t, destroy, void,
	private_mike_gsa_t *this)
{
	clear(this);
	this->teks->destroy(this->teks);
	free(this);
}

/*
 * Described in header
 */
mike_gsa_t *mike_gsa_create()
{
	private_mike_gsa_t *this;

	INIT(this,
		.kek_suite = mike_rekey_suite_default,
		.public = {
			.create_tek_enumerator = _create_tek_enumerator,
			.get_tek_count = _get_tek_count,
			.add_tek = _add_tek,
			.remove_tek = _remove_tek,
			.replace_teks = _replace_teks,
			.get_kek_spi = _get_kek_spi,
			.get_kek_keymat = _get_kek_keymat,
			.get_kek_suite = _get_kek_suite,
			.set_kek = _set_kek,
			.get_rekey_auth_key = _get_rekey_auth_key,
			.get_rekey_auth_scheme = _get_rekey_auth_scheme,
			.get_rekey_auth_spki = _get_rekey_auth_spki,
			.set_rekey_auth = _set_rekey_auth,
			.get_rekey_msg_id = _get_rekey_msg_id,
			.set_rekey_msg_id = _set_rekey_msg_id,
			.get_sam_session = _get_sam_session,
			.set_sam_session = _set_sam_session,
			.get_sam_encrypt = _get_sam_encrypt,
			.get_sam_data_key = _get_sam_data_key,
			.count_rekey = _count_rekey,
			.get_rekeys = _get_rekeys,
			.clear = _clear,
			.destroy = _destroy,
		},
		.teks = linked_list_create(),
	);
	return &this->public;
}
