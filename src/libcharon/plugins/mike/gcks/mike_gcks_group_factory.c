/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "gcks/mike_gcks_group_factory.h"
#include "gcks/mike_gcks_group.h"

#include <daemon.h>
#include <sys/stat.h>

typedef struct private_mike_gcks_group_factory_t
	private_mike_gcks_group_factory_t;

/**
 * Private data of the GCKS group factory.
 */
struct private_mike_gcks_group_factory_t {

	/**
	 * Public interface.
	 */
	mike_group_factory_t public;

	/**
	 * The state store, NULL until the first GCKS group needs it
	 */
	mike_db_t *db;

	/**
	 * Its file, NULL for none
	 */
	char *path;
};

/**
 * The state store, opened on first use
 */
static mike_db_t *get_db(private_mike_gcks_group_factory_t *this)
{
	char *dir;

	if (!this->db && this->path)
	{
		dir = path_dirname(this->path);
		if (!mkdir_p(dir, S_IRWXU))
		{
			DBG1(DBG_CFG, "mike: unable to create %s for the GCKS state", dir);
		}
		free(dir);
		this->db = mike_db_create(this->path);
		if (this->db)
		{
			DBG1(DBG_CFG, "mike: GCKS state kept in %s", this->path);
		}
		else
		{	/* mike_db_create() said why; do not try again for every group */
			DBG1(DBG_CFG, "mike: GCKS state is not kept across restarts (with "
				 "AppArmor, charon needs write access to %s*, see "
				 "docs/configuration.md)", this->path);
			free(this->path);
			this->path = NULL;
		}
	}
	return this->db;
}

METHOD(mike_group_factory_t, create, mike_group_t*,
	private_mike_gcks_group_factory_t *this, mike_group_config_t *cfg)
{
	mike_gcks_group_t *group;

	group = mike_gcks_group_create(cfg, get_db(this));
	return &group->group;
}

METHOD(mike_group_factory_t, destroy, void,
	private_mike_gcks_group_factory_t *this)
{
	DESTROY_IF(this->db);
	free(this->path);
	free(this);
}

/*
 * Described in header
 */
mike_group_factory_t *mike_gcks_group_factory_create(char *database)
{
	private_mike_gcks_group_factory_t *this;

	INIT(this,
		.public = {
			.create = _create,
			.destroy = _destroy,
		},
		.path = (database && *database) ? strdup(database) : NULL,
	);
	return &this->public;
}
