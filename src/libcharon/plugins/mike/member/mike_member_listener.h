/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_member mike_member
 * @{ @ingroup mike
 *
 * The group member: registration, the GSA applied and installed in the
 * kernel, rekeys followed, leaving.
 *
 * @defgroup mike_member_listener mike_member_listener
 * @{ @ingroup mike_member
 */

#ifndef MIKE_MEMBER_LISTENER_H_
#define MIKE_MEMBER_LISTENER_H_

#include "group/mike_groups.h"

#include <bus/listeners/listener.h>

typedef struct mike_member_listener_t mike_member_listener_t;

/**
 * The member's registration on charon's bus: IDg (and N(GROUP_SENDER)) in
 * the first IKE_AUTH request for the first member group bound to the
 * connection, INFORMATIONAL registrations for the others, the GSA applied
 * and installed once charon authenticated the GCKS, GSAs the GCKS pushes
 * over the IKE SA, and registering again over a new IKE SA when the GCKS
 * stopped answering.  It looks only at the groups configured with role
 * member, and only at the registrations it started.
 */
struct mike_member_listener_t {

	/**
	 * Implements listener_t.
	 */
	listener_t listener;

	/**
	 * A member group was added to the store: start what it runs by itself
	 * (its GSA_REKEY reception, if registered).  Called with the group
	 * checked out.
	 *
	 * @param group		the group
	 */
	void (*start)(mike_member_listener_t *this, mike_group_t *group);

	/**
	 * Register a group over an established IKE SA (an INFORMATIONAL
	 * exchange), without waiting for the outcome.  Not to be called with
	 * a group checked out.
	 *
	 * @param ike_sa_id	unique ID of the IKE SA
	 * @param name		group name
	 * @return			TRUE if the exchange was started, FALSE if the IKE SA
	 *					is gone
	 */
	bool (*register_over)(mike_member_listener_t *this, uint32_t ike_sa_id,
						  char *name);

	/**
	 * Wait until a group is registered.  Not to be called with a group
	 * checked out.
	 *
	 * @param name		group name
	 * @param timeout	ms to wait at most
	 * @return			TRUE if the group is registered, FALSE if it was not
	 *					within timeout (why a registration failed is logged)
	 */
	bool (*wait_registered)(mike_member_listener_t *this, char *name,
							u_int timeout);

	/**
	 * Leave a group: remove its SAs (the fail-close policies stay) and
	 * tell the GCKS: with a de-registration over the IKE SA if that
	 * carries other groups, by closing the IKE SA otherwise.  Not to be
	 * called with a group checked out.
	 *
	 * @param name		group name
	 * @return			TRUE if the group was registered
	 */
	bool (*leave)(mike_member_listener_t *this, char *name);

	/**
	 * Destroy the listener.
	 */
	void (*destroy)(mike_member_listener_t *this);
};

/**
 * Create the member's registration listener (with its rekeying).
 *
 * @param groups	the group store
 * @return			listener, to add to charon's bus
 */
mike_member_listener_t *mike_member_listener_create(mike_groups_t *groups);

#endif /** MIKE_MEMBER_LISTENER_H_ @}@}*/
