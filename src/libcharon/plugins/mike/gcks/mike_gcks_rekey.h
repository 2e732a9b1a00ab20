/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_gcks_rekey mike_gcks_rekey
 * @{ @ingroup mike_gcks
 */

#ifndef MIKE_GCKS_REKEY_H_
#define MIKE_GCKS_REKEY_H_

#include "group/mike_groups.h"
#include "gcks/mike_gcks_group.h"
#include "common/mike_rekey_socket.h"

typedef struct mike_gcks_rekey_t mike_gcks_rekey_t;
typedef struct mike_gcks_registrar_t mike_gcks_registrar_t;

/**
 * What the GCKS's rekeying needs from its registration (the GCKS listener
 * implements it): exchanges over the members' IKE SAs, which must not be
 * started with a group checked out, so they run from jobs.
 */
struct mike_gcks_registrar_t {

	/**
	 * Push a group's GSA to a member over its IKE SA (unicast rekeying),
	 * without waiting.
	 *
	 * @param ike_sa_id	unique ID of the member's IKE SA
	 * @param name		group name
	 * @return			TRUE if the exchange was started
	 */
	bool (*push_over)(mike_gcks_registrar_t *this, uint32_t ike_sa_id,
					  char *name);

	/**
	 * Drop the members restored from the state store that have not
	 * registered again since (rejoin_timeout), with the usual rekey.
	 *
	 * @param name		group name
	 * @return			memberships removed
	 */
	int (*drop_dormant)(mike_gcks_registrar_t *this, char *name);
};

/**
 * The GCKS's sending side of rekeying: the periodic TEK (and KEK)
 * rollover, and the GSA_REKEY messages (or unicast pushes) that follow a
 * join, a leave or a new sender.  Every method but destroy() is called with
 * the group checked out.
 */
struct mike_gcks_rekey_t {

	/**
	 * Start rolling a group's TEKs over (once it has a KEK and a signing
	 * key) and watch its restored members (rejoin_timeout); nothing is
	 * started twice.
	 *
	 * @param group		the group
	 */
	void (*start)(mike_gcks_rekey_t *this, mike_gcks_group_t *group);

	/**
	 * Roll a group's TEKs over now (and its KEK if it would expire before
	 * the next rollover): every sender gets a fresh TEK, the old ones are
	 * retired, the members get the GSA.  start() runs it every
	 * tek_rekey_time.
	 *
	 * @param group		the group
	 * @return			FALSE if the group cannot be rekeyed (no KEK yet, or
	 *					no key to sign GSA_REKEY messages with)
	 */
	bool (*roll_over)(mike_gcks_rekey_t *this, mike_gcks_group_t *group);

	/**
	 * A member joined (the new member is in the group already, its GSA
	 * not yet built).  The others get the group's GSA with the new
	 * sender's TEK and the key tree keys they need; with rekey_on_join the
	 * KEK and TEKs are replaced first.  The key tree keys of a receiver's
	 * join wait (up to MIKE_JOIN_BATCH_DELAY or MIKE_JOIN_BATCH_MAX joins)
	 * to go in one GSA_REKEY with those of other joins; the Message ID the
	 * newcomer is told stays the next one sent.
	 *
	 * @param group		the group
	 * @param wrap_keys	key tree keys for the others, mike_lkh_wrapped_t
	 */
	void (*joined)(mike_gcks_rekey_t *this, mike_gcks_group_t *group,
				   linked_list_t *wrap_keys);

	/**
	 * The group's TEKs changed without a change of keys for anybody else
	 * (a sender got a fresh TEK, or lost its TEK): the members get the
	 * group's GSA under the current KEK.
	 *
	 * @param group		the group
	 * @param skip		a member that gets the GSA otherwise (unicast), or
	 *					NULL
	 * @param why		for the log
	 */
	void (*announce)(mike_gcks_rekey_t *this, mike_gcks_group_t *group,
					 mike_gcks_member_t *skip, char *why);

	/**
	 * A member left or was expelled (it is out of the group already).
	 * Forward access control: a GSA_REKEY under the current KEK carries a
	 * new KEK wrapped under the key tree's new root, a second one under the
	 * new KEK new TEKs.
	 *
	 * @param group		the group
	 * @param wrap_keys	the key tree's rekey set, mike_lkh_wrapped_t, NULL
	 *					if the tree failed
	 */
	void (*left)(mike_gcks_rekey_t *this, mike_gcks_group_t *group,
				 linked_list_t *wrap_keys);

	/**
	 * Send the join notices a group has waiting now (joined() batches
	 * those of receivers that split a leaf for MIKE_JOIN_BATCH_DELAY; every
	 * other GSA_REKEY of the group sends them first).
	 *
	 * @param group		the group
	 */
	void (*flush)(mike_gcks_rekey_t *this, mike_gcks_group_t *group);

	/**
	 * Destroy the object.
	 */
	void (*destroy)(mike_gcks_rekey_t *this);
};

/**
 * Create the GCKS's rekeying.
 *
 * @param groups	the group store
 * @param socket	where GSA_REKEY messages go out (owned)
 * @param registrar	exchanges over the members' IKE SAs
 * @return			rekeying
 */
mike_gcks_rekey_t *mike_gcks_rekey_create(mike_groups_t *groups,
										  mike_rekey_socket_t *socket,
										  mike_gcks_registrar_t *registrar);

#endif /** MIKE_GCKS_REKEY_H_ @}*/
