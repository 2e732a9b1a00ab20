/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_group mike_group
 * @{ @ingroup mike
 */

#ifndef MIKE_GROUP_H_
#define MIKE_GROUP_H_

#include "common/mike_group_config.h"
#include "group/mike_gsa.h"

typedef struct mike_group_t mike_group_t;
typedef struct mike_group_factory_t mike_group_factory_t;

/**
 * A group as the store (mike_groups_t) knows it: its configuration and its
 * GSA.  Each role implements it with its own state (gcks/mike_gcks_group.h,
 * member/mike_member_group.h) and gets its object back from a mike_group_t
 * of its role with the role's cast function, as strongSwan's certificate_t
 * is cast to x509_t after checking get_type().
 *
 * Not thread-safe: the store serializes access (checkout/checkin).
 */
struct mike_group_t {

	/**
	 * The group's configuration.
	 *
	 * @return			configuration (internal, read-only)
	 */
	mike_group_config_t *(*get_config)(mike_group_t *this);

	/**
	 * The group's security association.
	 *
	 * @return			GSA (internal)
	 */
	mike_gsa_t *(*get_gsa)(mike_group_t *this);

	/**
	 * Take the configuration of the group loaded again under the same name,
	 * if this group keeps its state across such a reload (a GCKS keeps its
	 * keys and members, its reauthorize() then removes who no longer fits).
	 *
	 * @param cfg		new configuration, owned if TRUE is returned
	 * @return			FALSE if the group is to be replaced by a new one
	 */
	bool (*reconfigure)(mike_group_t *this, mike_group_config_t *cfg);

	/**
	 * Destroy the group, removing what it installed, wiping its keys.
	 */
	void (*destroy)(mike_group_t *this);
};

/**
 * Creates the groups of one role; the plugin hands the store one per role,
 * so the store knows nothing of the roles' state.
 */
struct mike_group_factory_t {

	/**
	 * Create the run-time state of a configured group.
	 *
	 * @param cfg		configuration, owned
	 * @return			group
	 */
	mike_group_t *(*create)(mike_group_factory_t *this,
							mike_group_config_t *cfg);

	/**
	 * Destroy the factory (after the groups it made).
	 */
	void (*destroy)(mike_group_factory_t *this);
};

#endif /** MIKE_GROUP_H_ @}*/
