/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_gcks_group_factory mike_gcks_group_factory
 * @{ @ingroup mike_gcks
 */

#ifndef MIKE_GCKS_GROUP_FACTORY_H_
#define MIKE_GCKS_GROUP_FACTORY_H_

#include "group/mike_group.h"

/**
 * Create the factory of GCKS groups; they keep their state in an SQLite
 * file (charon.plugins.mike.database), opened when the first GCKS group is
 * created.
 *
 * @param database	file, NULL or "" to keep no state
 * @return			factory
 */
mike_group_factory_t *mike_gcks_group_factory_create(char *database);

#endif /** MIKE_GCKS_GROUP_FACTORY_H_ @}*/
