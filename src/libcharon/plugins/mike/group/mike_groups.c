/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "group/mike_groups.h"

#include <daemon.h>
#include <sys/stat.h>

#include <threading/mutex.h>

typedef struct private_mike_groups_t private_mike_groups_t;

/**
 * Private data of a mike_groups_t object.
 */
struct private_mike_groups_t {

	/**
	 * Public interface.
	 */
	mike_groups_t public;

	/**
	 * Groups, mike_group_t.
	 */
	linked_list_t *groups;

	/**
	 * Lock for the groups and everything in them.
	 */
	mutex_t *mutex;

	/**
	 * GCKS state store, NULL until the first GCKS group needs it.
	 */
	mike_db_t *db;

	/**
	 * Its file, NULL for none.
	 */
	char *db_path;
};

METHOD(mike_groups_t, set_database, void,
	private_mike_groups_t *this, char *path)
{
	free(this->db_path);
	this->db_path = (path && *path) ? strdup(path) : NULL;
}

/**
 * The state store for a GCKS group, opened on first use
 */
static mike_db_t *get_db(private_mike_groups_t *this)
{
	char *dir;

	if (!this->db && this->db_path)
	{
		dir = path_dirname(this->db_path);
		if (!mkdir_p(dir, S_IRWXU))
		{
			DBG1(DBG_CFG, "mike: unable to create %s for the GCKS state", dir);
		}
		free(dir);
		this->db = mike_db_create(this->db_path);
		if (this->db)
		{
			DBG1(DBG_CFG, "mike: GCKS state kept in %s", this->db_path);
		}
		else
		{	/* mike_db_create() said why; do not try again for every group */
			DBG1(DBG_CFG, "mike: GCKS state is not kept across restarts (with "
				 "AppArmor, charon needs write access to %s*, see "
				 "docs/configuration.md)", this->db_path);
			free(this->db_path);
			this->db_path = NULL;
		}
	}
	return this->db;
}

METHOD(mike_groups_t, lock, void,
	private_mike_groups_t *this)
{
	this->mutex->lock(this->mutex);
}

METHOD(mike_groups_t, unlock, void,
	private_mike_groups_t *this)
{
	this->mutex->unlock(this->mutex);
}

METHOD(mike_groups_t, get, mike_group_t*,
	private_mike_groups_t *this, char *name)
{
	enumerator_t *enumerator;
	mike_group_t *group, *found = NULL;

	this->mutex->lock(this->mutex);
	enumerator = this->groups->create_enumerator(this->groups);
	while (enumerator->enumerate(enumerator, &group))
	{
		if (streq(group->cfg->name, name))
		{
			found = group;
			break;
		}
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);
	return found;
}

METHOD(mike_groups_t, remove_, bool,
	private_mike_groups_t *this, char *name)
{
	mike_group_t *group;

	this->mutex->lock(this->mutex);
	group = get(this, name);
	if (group)
	{
		this->groups->remove(this->groups, group, NULL);
		group->destroy(group);
	}
	this->mutex->unlock(this->mutex);
	return group != NULL;
}

METHOD(mike_groups_t, add, mike_group_t*,
	private_mike_groups_t *this, mike_group_config_t *cfg)
{
	mike_group_t *group;

	this->mutex->lock(this->mutex);
	group = get(this, cfg->name);
	if (group && group->cfg->role == MIKE_ROLE_GCKS &&
		cfg->role == MIKE_ROLE_GCKS)
	{	/* loaded again: new settings, but the same keys and members */
		group->reconfigure(group, cfg);
	}
	else
	{	/* the new group first: a member group's fail-close policies are
		 * the old one's too, so the group is never open meanwhile */
		group = mike_group_create(cfg, cfg->role == MIKE_ROLE_GCKS ?
												get_db(this) : NULL);
		remove_(this, cfg->name);
		this->groups->insert_last(this->groups, group);
	}
	this->mutex->unlock(this->mutex);
	return group;
}

METHOD(mike_groups_t, create_enumerator, enumerator_t*,
	private_mike_groups_t *this)
{
	this->mutex->lock(this->mutex);
	return enumerator_create_cleaner(
						this->groups->create_enumerator(this->groups),
						(void*)this->mutex->unlock, this->mutex);
}

METHOD(mike_groups_t, destroy, void,
	private_mike_groups_t *this)
{
	this->groups->destroy_offset(this->groups,
								 offsetof(mike_group_t, destroy));
	this->mutex->destroy(this->mutex);
	DESTROY_IF(this->db);
	free(this->db_path);
	free(this);
}

/*
 * Described in header
 */
mike_groups_t *mike_groups_create()
{
	private_mike_groups_t *this;

	INIT(this,
		.public = {
			.lock = _lock,
			.unlock = _unlock,
			.add = _add,
			.get = _get,
			.create_enumerator = _create_enumerator,
			.remove = _remove_,
			.set_database = _set_database,
			.destroy = _destroy,
		},
		.groups = linked_list_create(),
		.mutex = mutex_create(MUTEX_TYPE_RECURSIVE),
	);
	return &this->public;
}
