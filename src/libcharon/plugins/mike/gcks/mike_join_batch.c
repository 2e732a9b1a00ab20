/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "gcks/mike_join_batch.h"
#include "group/mike_lkh.h"

typedef struct private_mike_join_batch_t private_mike_join_batch_t;

/**
 * Private data of a mike_join_batch_t object.
 */
struct private_mike_join_batch_t {

	/**
	 * Public interface.
	 */
	mike_join_batch_t public;

	/**
	 * The keys, mike_lkh_wrapped_t, the latest join's first.
	 */
	linked_list_t *keys;

	/**
	 * Joins added.
	 */
	u_int joins;

	/**
	 * Whether a job to send them is scheduled.
	 */
	bool scheduled;
};

METHOD(mike_join_batch_t, add, void,
	private_mike_join_batch_t *this, linked_list_t *wrap_keys)
{
	mike_lkh_wrapped_t *wrapped;

	/* in front of the earlier joins' keys, in the join's own order
	 * (children's wraps first) */
	while (wrap_keys->remove_last(wrap_keys, (void**)&wrapped) == SUCCESS)
	{
		this->keys->insert_first(this->keys, wrapped);
	}
	this->joins++;
}

METHOD(mike_join_batch_t, get_joins, u_int,
	private_mike_join_batch_t *this)
{
	return this->joins;
}

METHOD(mike_join_batch_t, take, linked_list_t*,
	private_mike_join_batch_t *this)
{
	linked_list_t *keys = this->keys;

	this->keys = linked_list_create();
	this->joins = 0;
	return keys;
}

METHOD(mike_join_batch_t, set_scheduled, bool,
	private_mike_join_batch_t *this, bool scheduled)
{
	bool was = this->scheduled;

	this->scheduled = scheduled;
	return was;
}

METHOD(mike_join_batch_t, destroy, void,
	private_mike_join_batch_t *this)
{
	this->keys->destroy_function(this->keys,
								 (void*)mike_lkh_wrapped_destroy);
	free(this);
}

/*
 * Described in header
 */
mike_join_batch_t *mike_join_batch_create(void)
{
	private_mike_join_batch_t *this;

	INIT(this,
		.public = {
			.add = _add,
			.get_joins = _get_joins,
			.take = _take,
			.set_scheduled = _set_scheduled,
			.destroy = _destroy,
		},
		.keys = linked_list_create(),
	);
	return &this->public;
}
