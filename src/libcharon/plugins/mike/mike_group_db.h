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
 * expelled identities.  Message IDs and SPIs are reserved in the store
 * before use (mike_group_t), so none is ever handed out twice.
 */

#ifndef MIKE_GROUP_DB_H_
#define MIKE_GROUP_DB_H_

#include "mike_group.h"
#include "mike_db.h"

/**
 * Store a GCKS group's state, all or nothing.
 *
 * @param group		the group
 * @param db		the store
 * @return			FALSE on failure (logged; the store keeps the last
 *					state saved)
 */
bool mike_group_db_save(mike_group_t *group, mike_db_t *db);

/**
 * Restore a GCKS group's state from the store, if it has any.  Members come
 * back without an IKE SA (ike_sa_id 0) until they register again; the
 * signing key is looked up by the stored public key when it is needed.
 *
 * @param group		a freshly created group
 * @param db		the store
 * @return			FALSE on failure (logged; the group starts fresh)
 */
bool mike_group_db_load(mike_group_t *group, mike_db_t *db);

#endif /** MIKE_GROUP_DB_H_ @}*/
