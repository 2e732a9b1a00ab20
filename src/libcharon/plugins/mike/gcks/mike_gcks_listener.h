/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_gcks mike_gcks
 * @{ @ingroup mike
 *
 * The Group Controller / Key Server: registrations authorized and answered
 * with the GSA, members kept in the key tree, rekeying.
 *
 * @defgroup mike_gcks_listener mike_gcks_listener
 * @{ @ingroup mike_gcks
 */

#ifndef MIKE_GCKS_LISTENER_H_
#define MIKE_GCKS_LISTENER_H_

#include "group/mike_groups.h"
#include "common/mike_rekey_socket.h"

#include <bus/listeners/listener.h>

typedef struct mike_gcks_listener_t mike_gcks_listener_t;

/**
 * The GCKS's registration on charon's bus: the IDg of a registration
 * (IKE_AUTH or INFORMATIONAL), authorized once charon authenticated the
 * member and answered with GSA and KD or an error notify; de-registrations;
 * members forgotten with their IKE SA.  It looks only at the groups
 * configured with role gcks, and only at the registrations it took.
 */
struct mike_gcks_listener_t {

	/**
	 * Implements listener_t.
	 */
	listener_t listener;

	/**
	 * A GCKS group was added to the store (from strongswan.conf, over the
	 * control socket, or restored from the state store): start its TEK
	 * rollover and the watch on restored members.  Called with the group
	 * checked out.
	 *
	 * @param group		the group
	 */
	void (*start)(mike_gcks_listener_t *this, mike_group_t *group);

	/**
	 * Send the join notices a group has waiting now rather than a moment
	 * later (mike_join_batch_t), e.g. to measure what they cost.
	 *
	 * @param name		group name
	 */
	void (*flush)(mike_gcks_listener_t *this, char *name);

	/**
	 * Check every member of a group (all groups for NULL) against the
	 * group's current members and senders rules, after it was loaded
	 * again: who may no longer join, or no longer send with the TEK it
	 * has, is removed, and the others get new keys (forward access
	 * control).  Not to be called with a group checked out.
	 *
	 * @param name		group name, NULL for all GCKS groups
	 * @return			memberships removed
	 */
	int (*reauthorize)(mike_gcks_listener_t *this, char *name);

	/**
	 * Expel the members matching an identity from a group, or from all
	 * groups, and refuse it from now on: the others get keys it cannot
	 * unwrap (forward access control), its IKE SA is closed if it carries
	 * no other membership.  Not to be called with a group checked out.
	 *
	 * @param name		group name, NULL for all GCKS groups
	 * @param id		identity, wildcards allowed
	 * @return			memberships removed, -1 if there is no such group
	 */
	int (*expel)(mike_gcks_listener_t *this, char *name, identification_t *id);

	/**
	 * Let an expelled identity register again.
	 *
	 * @param name		group name, NULL for all GCKS groups
	 * @param id		identity as given to expel()
	 * @return			groups it was expelled from, -1 if there is no such
	 *					group
	 */
	int (*readmit)(mike_gcks_listener_t *this, char *name,
				   identification_t *id);

	/**
	 * Destroy the listener.
	 */
	void (*destroy)(mike_gcks_listener_t *this);
};

/**
 * Create the GCKS's registration listener (with its rekeying).
 *
 * @param groups	the group store
 * @param socket	where GSA_REKEY messages go out (owned)
 * @return			listener, to add to charon's bus
 */
mike_gcks_listener_t *mike_gcks_listener_create(mike_groups_t *groups,
												mike_rekey_socket_t *socket);

#endif /** MIKE_GCKS_LISTENER_H_ @}@}*/
