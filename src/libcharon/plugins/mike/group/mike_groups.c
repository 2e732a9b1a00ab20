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
	 * Groups, entry_t; removed ones stay until their last checkin
	 */
	linked_list_t *entries;

	/**
	 * Lock for the entries (not for the groups in them)
	 */
	mutex_t *mutex;

	/**
	 * Factories, by role
	 */
	mike_group_factory_t *factories[MIKE_ROLE_GCKS + 1];
};

/**
 * A group and who has it
 */
typedef struct {

	/** the group */
	mike_group_t *group;

	/** its name (the group's configuration may be replaced meanwhile) */
	char *name;

	/** its role, which never changes */
	mike_group_role_t role;

	/** held by the thread that has the group checked out (recursive) */
	mutex_t *mutex;

	/** threads that have it or wait for it, enumerators that will take it */
	u_int refs;

	/** removed from the store, destroyed when refs drops to 0 */
	bool removed;
} entry_t;

static void entry_destroy(entry_t *entry)
{
	entry->group->destroy(entry->group);
	entry->mutex->destroy(entry->mutex);
	free(entry->name);
	free(entry);
}

/**
 * The entry of a group by name, of a role unless NULL (call with mutex
 * held), NULL if none
 */
static entry_t *find_by_name(private_mike_groups_t *this, char *name,
							 mike_group_role_t *role)
{
	enumerator_t *enumerator;
	entry_t *entry, *found = NULL;

	enumerator = this->entries->create_enumerator(this->entries);
	while (!found && enumerator->enumerate(enumerator, &entry))
	{
		if (!entry->removed && streq(entry->name, name) &&
			(!role || entry->role == *role))
		{
			found = entry;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * The entry of a group (call with mutex held), NULL if none
 */
static entry_t *find_by_group(private_mike_groups_t *this,
							  mike_group_t *group)
{
	enumerator_t *enumerator;
	entry_t *entry, *found = NULL;

	enumerator = this->entries->create_enumerator(this->entries);
	while (!found && enumerator->enumerate(enumerator, &entry))
	{
		if (entry->group == group)
		{
			found = entry;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Drop a reference to an entry, destroying it if it was the last one of
 * a removed group
 */
static void release(private_mike_groups_t *this, entry_t *entry)
{
	bool gone;

	this->mutex->lock(this->mutex);
	gone = --entry->refs == 0 && entry->removed;
	if (gone)
	{
		this->entries->remove(this->entries, entry, NULL);
	}
	this->mutex->unlock(this->mutex);
	if (gone)
	{	/* without the store's lock: a member group removes its SAs */
		entry_destroy(entry);
	}
}

/**
 * Take a referenced entry's group lock; FALSE (reference dropped) if it
 * was removed while waiting
 */
static bool acquire(private_mike_groups_t *this, entry_t *entry)
{
	bool removed;

	entry->mutex->lock(entry->mutex);
	this->mutex->lock(this->mutex);
	removed = entry->removed;
	this->mutex->unlock(this->mutex);
	if (removed)
	{
		entry->mutex->unlock(entry->mutex);
		release(this, entry);
		return FALSE;
	}
	return TRUE;
}

/**
 * Check a group out by name, of a role unless NULL
 */
static mike_group_t *checkout_entry(private_mike_groups_t *this, char *name,
									mike_group_role_t *role)
{
	entry_t *entry;

	if (!name)
	{
		return NULL;
	}
	this->mutex->lock(this->mutex);
	entry = find_by_name(this, name, role);
	if (entry)
	{
		entry->refs++;
	}
	this->mutex->unlock(this->mutex);
	if (!entry || !acquire(this, entry))
	{
		return NULL;
	}
	return entry->group;
}

METHOD(mike_groups_t, checkout, mike_group_t*,
	private_mike_groups_t *this, char *name)
{
	return checkout_entry(this, name, NULL);
}

METHOD(mike_groups_t, checkout_role, mike_group_t*,
	private_mike_groups_t *this, char *name, mike_group_role_t role)
{
	return checkout_entry(this, name, &role);
}

METHOD(mike_groups_t, checkin, void,
	private_mike_groups_t *this, mike_group_t *group)
{
	entry_t *entry;

	this->mutex->lock(this->mutex);
	entry = find_by_group(this, group);
	this->mutex->unlock(this->mutex);
	if (entry)
	{
		entry->mutex->unlock(entry->mutex);
		release(this, entry);
	}
}

METHOD(mike_groups_t, remove_, bool,
	private_mike_groups_t *this, char *name)
{
	entry_t *entry;

	this->mutex->lock(this->mutex);
	entry = find_by_name(this, name, NULL);
	if (entry)
	{
		entry->removed = TRUE;
		entry->refs++;
	}
	this->mutex->unlock(this->mutex);
	if (entry)
	{	/* destroyed now, or at its holder's checkin */
		release(this, entry);
	}
	return entry != NULL;
}

METHOD(mike_groups_t, add, mike_group_t*,
	private_mike_groups_t *this, mike_group_config_t *cfg)
{
	mike_group_factory_t *factory = this->factories[cfg->role];
	mike_group_t *existing;
	entry_t *entry, *old;

	existing = checkout(this, cfg->name);
	if (existing && existing->reconfigure(existing, cfg))
	{
		return existing;
	}
	/* the new group first: a member group's fail-close policies are the
	 * old one's too, so the group is never open meanwhile */
	INIT(entry,
		.group = factory->create(factory, cfg),
		.name = strdup(cfg->name),
		.role = cfg->role,
		.mutex = mutex_create(MUTEX_TYPE_RECURSIVE),
		.refs = 1,
	);
	entry->mutex->lock(entry->mutex);
	this->mutex->lock(this->mutex);
	old = existing ? find_by_group(this, existing) : NULL;
	if (old)
	{
		old->removed = TRUE;
	}
	this->entries->insert_last(this->entries, entry);
	this->mutex->unlock(this->mutex);
	if (existing)
	{	/* destroyed at once unless another thread waits for it */
		checkin(this, existing);
	}
	return entry->group;
}

/**
 * Enumerator over the groups, each checked out in turn
 */
typedef struct {

	/** implements enumerator_t */
	enumerator_t public;

	/** the store */
	private_mike_groups_t *store;

	/** entries still to come, referenced */
	linked_list_t *entries;

	/** entry checked out, NULL if none */
	entry_t *current;
} group_enumerator_t;

/**
 * Check the current entry of an enumerator in
 */
static void put_back(group_enumerator_t *this)
{
	if (this->current)
	{
		this->current->mutex->unlock(this->current->mutex);
		release(this->store, this->current);
		this->current = NULL;
	}
}

METHOD(enumerator_t, enumerate_groups, bool,
	group_enumerator_t *this, va_list args)
{
	mike_group_t **out;
	entry_t *entry;

	VA_ARGS_VGET(args, out);
	put_back(this);
	while (this->entries->remove_first(this->entries,
									   (void**)&entry) == SUCCESS)
	{
		if (acquire(this->store, entry))
		{
			this->current = entry;
			*out = entry->group;
			return TRUE;
		}
	}
	return FALSE;
}

METHOD(enumerator_t, destroy_groups, void,
	group_enumerator_t *this)
{
	entry_t *entry;

	put_back(this);
	while (this->entries->remove_first(this->entries,
									   (void**)&entry) == SUCCESS)
	{
		release(this->store, entry);
	}
	this->entries->destroy(this->entries);
	free(this);
}

/**
 * Enumerate the groups, of a role unless NULL
 */
static enumerator_t *create_entry_enumerator(private_mike_groups_t *this,
											 mike_group_role_t *role)
{
	group_enumerator_t *enumerator;
	entry_t *entry;
	enumerator_t *entries;

	INIT(enumerator,
		.public = {
			.enumerate = enumerator_enumerate_default,
			.venumerate = _enumerate_groups,
			.destroy = _destroy_groups,
		},
		.store = this,
		.entries = linked_list_create(),
	);
	/* a snapshot: groups added meanwhile are not seen, removed ones are
	 * skipped */
	this->mutex->lock(this->mutex);
	entries = this->entries->create_enumerator(this->entries);
	while (entries->enumerate(entries, &entry))
	{
		if (!entry->removed && (!role || entry->role == *role))
		{
			entry->refs++;
			enumerator->entries->insert_last(enumerator->entries, entry);
		}
	}
	entries->destroy(entries);
	this->mutex->unlock(this->mutex);
	return &enumerator->public;
}

METHOD(mike_groups_t, create_enumerator, enumerator_t*,
	private_mike_groups_t *this)
{
	return create_entry_enumerator(this, NULL);
}

METHOD(mike_groups_t, create_role_enumerator, enumerator_t*,
	private_mike_groups_t *this, mike_group_role_t role)
{
	return create_entry_enumerator(this, &role);
}

METHOD(mike_groups_t, destroy, void,
	private_mike_groups_t *this)
{
	int i;

	this->entries->destroy_function(this->entries, (void*)entry_destroy);
	for (i = 0; i < countof(this->factories); i++)
	{
		DESTROY_IF(this->factories[i]);
	}
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * Described in header
 */
mike_groups_t *mike_groups_create(mike_group_factory_t *gcks,
								  mike_group_factory_t *member)
{
	private_mike_groups_t *this;

	INIT(this,
		.public = {
			.add = _add,
			.checkout = _checkout,
			.checkout_role = _checkout_role,
			.checkin = _checkin,
			.create_enumerator = _create_enumerator,
			.create_role_enumerator = _create_role_enumerator,
			.remove = _remove_,
			.destroy = _destroy,
		},
		.entries = linked_list_create(),
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.factories = {
			[MIKE_ROLE_GCKS] = gcks,
			[MIKE_ROLE_MEMBER] = member,
		},
	);
	return &this->public;
}
