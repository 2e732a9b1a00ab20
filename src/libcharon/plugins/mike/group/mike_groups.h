/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_groups mike_groups
 * @{ @ingroup mike
 */

#ifndef MIKE_GROUPS_H_
#define MIKE_GROUPS_H_

#include "group/mike_group.h"

typedef struct mike_groups_t mike_groups_t;

/**
 * The groups this charon knows, by name: the GSA database of the plugin.
 *
 * Listeners run in several threads.  As charon's IKE SA manager does with
 * IKE SAs, the store hands a group out to one thread at a time: checkout()
 * waits until nobody else has it, checkin() gives it back.  A thread may
 * check the same group out again (the lock is recursive), but never holds
 * two groups: operations across groups take them one at a time.  A group
 * removed while checked out is destroyed at its last checkin.
 */
struct mike_groups_t {

	/**
	 * Load a group: a new one of its role replaces (and destroys) one of
	 * the same name, unless that one takes the new configuration
	 * (mike_group_t.reconfigure()).  The group the configuration is
	 * handed to is returned checked out.
	 *
	 * @param cfg		configuration, owned
	 * @return			the group, checked out
	 */
	mike_group_t *(*add)(mike_groups_t *this, mike_group_config_t *cfg);

	/**
	 * Check a group out by name, waiting while another thread has it.
	 *
	 * @param name		group name
	 * @return			group, NULL if unknown
	 */
	mike_group_t *(*checkout)(mike_groups_t *this, char *name);

	/**
	 * Check a group of a role out by name, waiting while another thread
	 * has it.
	 *
	 * @param name		group name, NULL for none
	 * @param role		its role
	 * @return			group, NULL if there is no group of that name and role
	 */
	mike_group_t *(*checkout_role)(mike_groups_t *this, char *name,
								   mike_group_role_t role);

	/**
	 * Check a group in.
	 *
	 * @param group		group from checkout(), add() or an enumerator
	 */
	void (*checkin)(mike_groups_t *this, mike_group_t *group);

	/**
	 * Enumerate the groups (mike_group_t*); each is checked out while it is
	 * the current one, and checked in by the next enumerate() or destroy().
	 *
	 * @return			enumerator
	 */
	enumerator_t *(*create_enumerator)(mike_groups_t *this);

	/**
	 * Enumerate the groups of a role, as create_enumerator() does.
	 *
	 * @param role		role
	 * @return			enumerator over mike_group_t*
	 */
	enumerator_t *(*create_role_enumerator)(mike_groups_t *this,
											mike_group_role_t role);

	/**
	 * Remove a group; it is destroyed once nobody has it checked out.
	 *
	 * @param name		group name
	 * @return			TRUE if it existed
	 */
	bool (*remove)(mike_groups_t *this, char *name);

	/**
	 * Destroy the store, every group in it and the factories.
	 */
	void (*destroy)(mike_groups_t *this);
};

/**
 * Create an empty store.
 *
 * @param gcks		factory of GCKS groups (owned)
 * @param member	factory of member groups (owned)
 * @return			store
 */
mike_groups_t *mike_groups_create(mike_group_factory_t *gcks,
								  mike_group_factory_t *member);

#endif /** MIKE_GROUPS_H_ @}*/
