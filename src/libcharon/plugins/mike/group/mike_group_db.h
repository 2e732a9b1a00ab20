/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_group_db mike_group_db
 * @{ @ingroup mike
 *
 * A GCKS group's state in the SQLite store (mike_db_t): what a restarted
 * GCKS needs to go on where it stopped, so that its members keep working
 * without registering again: the KEK, the TEKs, the members with their
 * leaves, the key tree, the key GSA_REKEY messages are signed with and the
 * expelled identities.
 *
 * It remembers what it stored and writes only what changed: the nodes the
 * key tree reports changed (one path per join or leave), the members the
 * group hands it, the KEK, TEKs, signer and expelled identities when they
 * differ from what it stored (docs/gcks-store.md).
 *
 * The group (mike_group_t) uses it; it knows nothing of the group, only of
 * the group's parts (TEKs, key tree, identities), so the dependency runs
 * one way: mike_group -> mike_group_db -> mike_db.
 */

#ifndef MIKE_GROUP_DB_H_
#define MIKE_GROUP_DB_H_

#include "group/mike_db.h"
#include "group/mike_lkh.h"
#include "common/mike_tek.h"

#include <credentials/keys/public_key.h>

typedef struct mike_group_db_t mike_group_db_t;
typedef struct mike_group_db_state_t mike_group_db_state_t;

/**
 * A group's state as restored from the store, owned by the caller.
 */
struct mike_group_db_state_t {

	/** KEK SPI, empty if the group has no keys */
	chunk_t kek_spi;

	/** KEK keying material, empty if none */
	chunk_t kek_keymat;

	/** the key tree, NULL if none */
	mike_lkh_t *lkh;

	/** TEKs, mike_tek_t */
	linked_list_t *teks;

	/** members, mike_db_member_t, in the order first stored */
	linked_list_t *members;

	/** public key GSA_REKEY messages are signed with, NULL if none */
	public_key_t *signer;

	/** expelled identities, identification_t */
	linked_list_t *expelled;

	/** the next GSA_REKEY Message ID */
	uint64_t next_msg_id;
};

/**
 * Free what a state holds (wiping keys); the struct itself is the caller's.
 *
 * @param state		state to clear
 */
void mike_group_db_state_clear(mike_group_db_state_t *state);

/**
 * A GCKS group's part of the store.
 *
 * Saving is begin(), the set_*()/put_*()/remove_*()/sync_*() calls for what
 * may have changed, then commit() (or rollback()): all or nothing, and
 * only after commit() it counts as stored.
 */
struct mike_group_db_t {

	/**
	 * Restore the group's state.  A tree stored by schema version 1 (one
	 * blob) is converted into nodes here.  Unusable state is cleared from
	 * the store (except the Message IDs and SPIs) by the next save.
	 *
	 * @param state		receives the state (zeroed first; next_msg_id is
	 *					set even on failure)
	 * @return			FALSE on failure (logged; the group starts fresh)
	 */
	bool (*load)(mike_group_db_t *this, mike_group_db_state_t *state);

	/**
	 * Start saving.
	 *
	 * @return			FALSE on failure
	 */
	bool (*begin)(mike_group_db_t *this);

	/**
	 * Store the KEK, if it differs from the one stored.
	 */
	bool (*set_kek)(mike_group_db_t *this, chunk_t spi, chunk_t keymat);

	/**
	 * Make the stored TEKs the group's: store the new ones, remove the
	 * ones it no longer has (by SPI; only its SAM key may change under an
	 * SPI, see update_tek()).
	 *
	 * @param teks		the group's TEKs, over mike_tek_t (destroyed)
	 * @param changed	receives whether any was stored or removed
	 */
	bool (*sync_teks)(mike_group_db_t *this, enumerator_t *teks,
					  bool *changed);

	/**
	 * Store a TEK again that changed under its SPI (its sender presented
	 * another SAM key).
	 *
	 * @param tek		the TEK
	 */
	bool (*update_tek)(mike_group_db_t *this, mike_tek_t *tek);

	/**
	 * Store (insert or replace by identity) a member.
	 */
	bool (*put_member)(mike_group_db_t *this, identification_t *id,
					   uint32_t tek_spi, uint32_t leaf);

	/**
	 * Remove a stored member.
	 */
	bool (*remove_member)(mike_group_db_t *this, identification_t *id);

	/**
	 * Store the key tree's changed nodes; a tree other than the one stored
	 * replaces it whole.  The tree's changes are cleared on commit().
	 *
	 * @param lkh		the group's tree
	 */
	bool (*save_lkh)(mike_group_db_t *this, mike_lkh_t *lkh);

	/**
	 * Store the public key GSA_REKEY messages are signed with, if it
	 * differs from the one stored.
	 *
	 * @param spki		its DER SubjectPublicKeyInfo (not adopted)
	 */
	bool (*set_signer)(mike_group_db_t *this, chunk_t spki);

	/**
	 * Store the expelled identities, if they differ from the ones stored.
	 *
	 * @param expelled	identification_t
	 */
	bool (*set_expelled)(mike_group_db_t *this, linked_list_t *expelled);

	/**
	 * Commit what was saved since begin().
	 *
	 * @return			FALSE on failure (rolled back, nothing counts as
	 *					stored)
	 */
	bool (*commit)(mike_group_db_t *this);

	/**
	 * Drop what was saved since begin().
	 */
	void (*rollback)(mike_group_db_t *this);

	/**
	 * Destroy (the store is the caller's).
	 */
	void (*destroy)(mike_group_db_t *this);
};

/**
 * Create a group's part of a store.
 *
 * @param db		the store (not owned)
 * @param group		group name (cloned)
 * @return			object
 */
mike_group_db_t *mike_group_db_create(mike_db_t *db, char *group);

#endif /** MIKE_GROUP_DB_H_ @}*/
