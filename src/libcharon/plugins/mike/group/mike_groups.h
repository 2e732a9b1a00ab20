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
 * Listeners run in several threads; every access to the groups happens
 * between lock() and unlock().
 */
struct mike_groups_t {

	/**
	 * Lock the store (recursive).
	 */
	void (*lock)(mike_groups_t *this);

	/**
	 * Unlock the store.
	 */
	void (*unlock)(mike_groups_t *this);

	/**
	 * Add a group, replacing (and destroying) one of the same name.
	 *
	 * @param cfg		configuration, owned
	 * @return			the new group
	 */
	mike_group_t *(*add)(mike_groups_t *this, mike_group_config_t *cfg);

	/**
	 * Find a group by name.
	 *
	 * @param name		group name
	 * @return			group, NULL if unknown
	 */
	mike_group_t *(*get)(mike_groups_t *this, char *name);

	/**
	 * Enumerate the groups (mike_group_t*), under lock.
	 */
	enumerator_t *(*create_enumerator)(mike_groups_t *this);

	/**
	 * Set the SQLite file GCKS groups keep their state in across restarts
	 * (charon.plugins.mike.database); it is opened when the first GCKS group
	 * is added.  Call before adding groups.
	 *
	 * @param path		file, NULL or "" to keep no state
	 */
	void (*set_database)(mike_groups_t *this, char *path);

	/**
	 * Remove and destroy a group.
	 *
	 * @return			TRUE if it existed
	 */
	bool (*remove)(mike_groups_t *this, char *name);

	/**
	 * Destroy the store and every group in it.
	 */
	void (*destroy)(mike_groups_t *this);
};

/**
 * Create an empty store.
 *
 * @return			store
 */
mike_groups_t *mike_groups_create();

#endif /** MIKE_GROUPS_H_ @}*/
