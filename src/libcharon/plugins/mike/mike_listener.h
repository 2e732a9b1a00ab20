/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_listener mike_listener
 * @{ @ingroup mike
 */

#ifndef MIKE_LISTENER_H_
#define MIKE_LISTENER_H_

#include "mike_groups.h"
#include "mike_settings.h"

#include <bus/listeners/listener.h>

typedef struct mike_listener_t mike_listener_t;

/**
 * Group registration over IKE_AUTH, in both roles.
 *
 * Stock charon cannot run the GSA_AUTH exchange (RFC 9838 2.3.1), so the
 * registration rides on IKE_AUTH (docs/g-ikev2-registration.md):
 *  - member: its first IKE_AUTH request carries IDg (and N(GROUP_SENDER) to
 *    send); from the response it takes GSA and KD, unwraps the keys and
 *    installs the group's SAs and policies; if that fails, it vetoes the
 *    IKE SA in authorize(), so swanctl --initiate fails; further groups
 *    bound to the same connection follow in INFORMATIONAL exchanges
 *    (mike_register_task);
 *  - GCKS: it notes the IDg of a request, checks the authenticated identity
 *    against the group's members and senders in authorize(), and answers
 *    with GSA and KD, or with AUTHORIZATION_FAILED / INVALID_GROUP_ID.
 * When the IKE SA goes down, a member removes the group's SAs and policies
 * and the GCKS forgets the member.
 *
 * The listener creates and owns the rekey logic (mike_rekey), which calls
 * it back only through mike_registrar_t, and builds the requests of the
 * register tasks (mike_register_task) it queues, which call it back only
 * through mike_register_builder_t: dependencies run from the listener to
 * both, never back.
 */
struct mike_listener_t {

	/**
	 * Implements listener_t.
	 */
	listener_t listener;

	/**
	 * A group was added to the store (from strongswan.conf, over the
	 * control socket, or restored from the state store): start what it
	 * runs by itself, its TEK rollover and the watch on restored members
	 * (GCKS) or its GSA_REKEY reception (a registered member).  Called
	 * with the group store locked.
	 *
	 * @param group		the group
	 */
	void (*start)(mike_listener_t *this, mike_group_t *group);

	/**
	 * Leave a group on a member: remove its SAs (the fail-close policies
	 * stay) and tell the GCKS: with a de-registration over the IKE SA if
	 * that carries other groups, by closing the IKE SA otherwise.  Not to
	 * be called with the group store locked.
	 *
	 * @param name		group name
	 * @return			TRUE if the group was registered
	 */
	bool (*leave)(mike_listener_t *this, char *name);

	/**
	 * GCKS: check every member of a group (all groups for NULL) against
	 * the group's current members and senders rules, after it was loaded
	 * again: who may no longer join, or no longer send with the TEK it
	 * has, is removed, and the others get new keys (forward access
	 * control).  Not to be called with the group store locked.
	 *
	 * @param name		group name, NULL for all GCKS groups
	 * @return			memberships removed
	 */
	int (*reauthorize)(mike_listener_t *this, char *name);

	/**
	 * Member: register a group over an established IKE SA (an
	 * INFORMATIONAL exchange), without waiting for the outcome.  Not to be
	 * called with the group store locked.
	 *
	 * @param ike_sa_id	unique ID of the IKE SA
	 * @param name		group name
	 * @return			TRUE if the exchange was started
	 */
	bool (*register_over)(mike_listener_t *this, uint32_t ike_sa_id,
						  char *name);

	/**
	 * GCKS: expel the members matching an identity from a group, or from
	 * all groups, and refuse it from now on: the others get keys it cannot
	 * unwrap (forward access control), its IKE SA is closed if it carries
	 * no other membership.
	 *
	 * @param name		group name, NULL for all GCKS groups
	 * @param id		identity, wildcards allowed
	 * @return			memberships removed, -1 if there is no such group
	 */
	int (*expel)(mike_listener_t *this, char *name, identification_t *id);

	/**
	 * GCKS: let an expelled identity register again.
	 *
	 * @param name		group name, NULL for all GCKS groups
	 * @param id		identity as given to expel()
	 * @return			groups it was expelled from, -1 if there is no such
	 *					group
	 */
	int (*readmit)(mike_listener_t *this, char *name, identification_t *id);

	/**
	 * Destroy the listener.
	 */
	void (*destroy)(mike_listener_t *this);
};

/**
 * Create the listener, and the rekey logic it drives.
 *
 * @param groups	the group store
 * @param settings	the plugin's options, for the rekey logic
 * @return			listener
 */
mike_listener_t *mike_listener_create(mike_groups_t *groups,
									  mike_settings_t *settings);

#endif /** MIKE_LISTENER_H_ @}*/
