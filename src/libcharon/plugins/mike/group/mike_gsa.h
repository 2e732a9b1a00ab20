/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_gsa mike_gsa
 * @{ @ingroup mike
 */

#ifndef MIKE_GSA_H_
#define MIKE_GSA_H_

#include "common/mike_tek.h"
#include "common/mike_keywrap.h"
#include "common/mike_rekey_suite.h"

#include <collections/enumerator.h>
#include <collections/linked_list.h>
#include <credentials/keys/public_key.h>
#include <credentials/keys/signature_params.h>

typedef struct mike_gsa_t mike_gsa_t;

/** size of a KEK (rekey SA) SPI, RFC 9838 4.4.1 */
#define MIKE_KEK_SPI_SIZE 16

/**
 * What both roles hold of a group's security association (RFC 3740): the
 * TEKs of its senders (the data SAs), the KEK (the rekey SA), the key
 * GSA_REKEY messages are verified with and the Message ID counter.
 *
 * The GCKS makes them, a member receives them; either way the role's group
 * object is the only writer.  Not thread-safe: the group store serializes
 * access to a group and so to its GSA.
 */
struct mike_gsa_t {

	/**
	 * Enumerate the TEKs of the group's senders.
	 *
	 * @return			enumerator over mike_tek_t
	 */
	enumerator_t *(*create_tek_enumerator)(mike_gsa_t *this);

	/**
	 * The number of TEKs.
	 *
	 * @return			number of TEKs
	 */
	int (*get_tek_count)(mike_gsa_t *this);

	/**
	 * Add a TEK.
	 *
	 * @param tek		TEK (owned)
	 */
	void (*add_tek)(mike_gsa_t *this, mike_tek_t *tek);

	/**
	 * Take a TEK out; the caller owns it then.
	 *
	 * @param tek		TEK
	 * @return			TRUE if it was one of the GSA's
	 */
	bool (*remove_tek)(mike_gsa_t *this, mike_tek_t *tek);

	/**
	 * Replace all TEKs, destroying the old ones.
	 *
	 * @param teks		new TEKs, mike_tek_t (list and TEKs owned)
	 */
	void (*replace_teks)(mike_gsa_t *this, linked_list_t *teks);

	/**
	 * The KEK's SPI.
	 *
	 * @return			SPI (internal data), empty if there is no KEK
	 */
	chunk_t (*get_kek_spi)(mike_gsa_t *this);

	/**
	 * The KEK's keying material (GSK_e | GSK_a | GSK_w).
	 *
	 * @return			keying material (internal data), empty if none
	 */
	chunk_t (*get_kek_keymat)(mike_gsa_t *this);

	/**
	 * The algorithms of the KEK (the rekey SA's suite).
	 *
	 * @return			suite (internal), the default one until set_kek()
	 */
	const mike_rekey_suite_t *(*get_kek_suite)(mike_gsa_t *this);

	/**
	 * Replace the KEK, wiping the old keying material.
	 *
	 * @param spi		SPI (owned)
	 * @param keymat	keying material (owned, wiped when replaced), of
	 *					mike_rekey_suite_keymat_size(suite) bytes
	 * @param suite		the KEK's algorithms (copied)
	 */
	void (*set_kek)(mike_gsa_t *this, chunk_t spi, chunk_t keymat,
					const mike_rekey_suite_t *suite);

	/**
	 * The public key GSA_REKEY messages are verified with (on a member from
	 * AUTH_KEY at registration).
	 *
	 * @return			key (internal), NULL if none
	 */
	public_key_t *(*get_rekey_auth_key)(mike_gsa_t *this);

	/**
	 * The rekey authentication key as DER SubjectPublicKeyInfo (AUTH_KEY),
	 * encoded once per key: a GCKS sends it in every registration.
	 *
	 * @return			encoding (internal), chunk_empty if no key or it
	 *					cannot be encoded
	 */
	chunk_t (*get_rekey_auth_spki)(mike_gsa_t *this);

	/**
	 * The signature scheme of GSA_REKEY messages (the GCAUTH transform's
	 * Signature Algorithm Identifier).
	 *
	 * @return			scheme (internal), NULL if none
	 */
	signature_params_t *(*get_rekey_auth_scheme)(mike_gsa_t *this);

	/**
	 * Replace the key and scheme GSA_REKEY messages are verified with.
	 *
	 * @param key		public key (owned), NULL for none
	 * @param scheme	signature scheme (owned), NULL for none
	 */
	void (*set_rekey_auth)(mike_gsa_t *this, public_key_t *key,
						   signature_params_t *scheme);

	/**
	 * GCKS: the Message ID of the next GSA_REKEY; member: the lowest it
	 * accepts next.
	 *
	 * @return			Message ID
	 */
	uint64_t (*get_rekey_msg_id)(mike_gsa_t *this);

	/**
	 * Set the Message ID of the next GSA_REKEY (GCKS) or the lowest one
	 * accepted next (member).
	 *
	 * @param id		Message ID
	 */
	void (*set_rekey_msg_id)(mike_gsa_t *this, uint64_t id);

	/**
	 * The group's SAM session ID (docs/sam-keys.md).
	 *
	 * @return			session ID, 0 if none (yet)
	 */
	uint32_t (*get_sam_session)(mike_gsa_t *this);

	/**
	 * Set the group's SAM session ID and whether applications encrypt its
	 * payloads.
	 *
	 * @param session	session ID, 0 for none
	 * @param encrypt	TRUE if they do, under the data key
	 */
	void (*set_sam_session)(mike_gsa_t *this, uint32_t session, bool encrypt);

	/**
	 * Whether the group's applications encrypt the SAM payloads.
	 *
	 * @return			TRUE if they do
	 */
	bool (*get_sam_encrypt)(mike_gsa_t *this);

	/**
	 * A SAM data key, derived from the current KEK or from the one it
	 * replaced (frames sealed just before a rekey still open).
	 *
	 * @param previous	TRUE for the key of the KEK replaced last
	 * @param id		receives its key ID
	 * @return			key (internal data), empty if there is none
	 */
	chunk_t (*get_sam_data_key)(mike_gsa_t *this, bool previous,
								uint32_t *id);

	/**
	 * Count a GSA_REKEY message sent (GCKS) or accepted (member).
	 */
	void (*count_rekey)(mike_gsa_t *this);

	/**
	 * The number of GSA_REKEY messages sent (GCKS) or accepted (member).
	 *
	 * @return			number of messages
	 */
	uint64_t (*get_rekeys)(mike_gsa_t *this);

	/**
	 * Forget TEKs, KEK, rekey authentication and Message ID, wiping keys;
	 * the counter of rekeys stays.
	 */
	void (*clear)(mike_gsa_t *this);

	/**
	 * Destroy the GSA, wiping its keys.
	 */
	void (*destroy)(mike_gsa_t *this);
};

/**
 * Create an empty GSA.
 *
 * @return			GSA
 */
mike_gsa_t *mike_gsa_create();

#endif /** MIKE_GSA_H_ @}*/
