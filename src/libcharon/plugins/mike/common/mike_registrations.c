/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "common/mike_registrations.h"

#include <collections/hashtable.h>
#include <threading/mutex.h>

typedef struct private_mike_registrations_t private_mike_registrations_t;

/**
 * Private data of a mike_registrations_t object.
 */
struct private_mike_registrations_t {

	/**
	 * Public interface.
	 */
	mike_registrations_t public;

	/**
	 * Registrations by IKE SA unique ID (as key, not pointing anywhere).
	 */
	hashtable_t *table;

	/**
	 * Destroys a registration.
	 */
	void (*destroy_reg)(void *reg);

	/**
	 * Lock for table.
	 */
	mutex_t *mutex;
};

/** the key of an IKE SA's registration */
static inline void *key(uint32_t ike_sa_id)
{
	return (void*)(uintptr_t)ike_sa_id;
}

METHOD(mike_registrations_t, take, void*,
	private_mike_registrations_t *this, uint32_t ike_sa_id)
{
	void *reg;

	this->mutex->lock(this->mutex);
	reg = this->table->remove(this->table, key(ike_sa_id));
	this->mutex->unlock(this->mutex);
	return reg;
}

METHOD(mike_registrations_t, put, void,
	private_mike_registrations_t *this, uint32_t ike_sa_id, void *reg)
{
	void *old;

	this->mutex->lock(this->mutex);
	old = this->table->put(this->table, key(ike_sa_id), reg);
	this->mutex->unlock(this->mutex);
	if (old)
	{
		this->destroy_reg(old);
	}
}

METHOD(mike_registrations_t, destroy, void,
	private_mike_registrations_t *this)
{
	enumerator_t *enumerator;
	void *id, *reg;

	enumerator = this->table->create_enumerator(this->table);
	while (enumerator->enumerate(enumerator, &id, &reg))
	{
		this->destroy_reg(reg);
	}
	enumerator->destroy(enumerator);
	this->table->destroy(this->table);
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * Described in header
 */
mike_registrations_t *mike_registrations_create(void (*destroy)(void *reg))
{
	private_mike_registrations_t *this;

	INIT(this,
		.public = {
			.put = _put,
			.take = _take,
			.destroy = _destroy,
		},
		.table = hashtable_create(hashtable_hash_ptr, hashtable_equals_ptr, 8),
		.destroy_reg = destroy,
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
	);
	return &this->public;
}
