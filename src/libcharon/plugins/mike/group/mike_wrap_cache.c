/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "group/mike_wrap_cache.h"

#include <collections/hashtable.h>

typedef struct private_mike_wrap_cache_t private_mike_wrap_cache_t;

/**
 * Private data of a mike_wrap_cache_t object.
 */
struct private_mike_wrap_cache_t {

	/**
	 * Public interface.
	 */
	mike_wrap_cache_t public;

	/**
	 * The wraps, entry_t by &entry_t.ids
	 */
	hashtable_t *entries;
};

/**
 * A wrap
 */
typedef struct {
	/** Key ID of the key, and of the key wrapping it, in the low half */
	uint64_t ids;
	/** the wrapped key */
	chunk_t wrapped;
} entry_t;

/**
 * Hash a pair of Key IDs: numbers the GCKS assigns itself (as the key
 * tree's hash, a multiplicative one does)
 */
static u_int hash_ids(const void *key)
{
	return (*(const uint64_t*)key * 0x9e3779b97f4a7c15ULL) >> 32;
}

static bool equals_ids(const void *a, const void *b)
{
	return *(const uint64_t*)a == *(const uint64_t*)b;
}

static inline uint64_t pair(uint32_t id, uint32_t kwk_id)
{
	return (uint64_t)id << 32 | kwk_id;
}

METHOD(mike_wrap_cache_t, get, chunk_t,
	private_mike_wrap_cache_t *this, uint32_t id, uint32_t kwk_id)
{
	uint64_t ids = pair(id, kwk_id);
	entry_t *entry;

	entry = this->entries->get(this->entries, &ids);
	return entry ? entry->wrapped : chunk_empty;
}

METHOD(mike_wrap_cache_t, clear, void,
	private_mike_wrap_cache_t *this)
{
	enumerator_t *enumerator;
	entry_t *entry;

	enumerator = this->entries->create_enumerator(this->entries);
	while (enumerator->enumerate(enumerator, NULL, &entry))
	{
		this->entries->remove_at(this->entries, enumerator);
		chunk_clear(&entry->wrapped);
		free(entry);
	}
	enumerator->destroy(enumerator);
}

METHOD(mike_wrap_cache_t, put, void,
	private_mike_wrap_cache_t *this, uint32_t id, uint32_t kwk_id,
	chunk_t wrapped)
{
	entry_t *entry, *old;

	if (this->entries->get_count(this->entries) >= MIKE_WRAP_CACHE_MAX)
	{	/* the keys of most entries are long gone by now */
		clear(this);
	}
	INIT(entry,
		.ids = pair(id, kwk_id),
		.wrapped = chunk_clone(wrapped),
	);
	old = this->entries->put(this->entries, &entry->ids, entry);
	if (old)
	{
		chunk_clear(&old->wrapped);
		free(old);
	}
}

METHOD(mike_wrap_cache_t, destroy, void,
	private_mike_wrap_cache_t *this)
{
	clear(this);
	this->entries->destroy(this->entries);
	free(this);
}

/*
 * Described in header
 */
mike_wrap_cache_t *mike_wrap_cache_create(void)
{
	private_mike_wrap_cache_t *this;

	INIT(this,
		.public = {
			.get = _get,
			.put = _put,
			.clear = _clear,
			.destroy = _destroy,
		},
		.entries = hashtable_create(hash_ids, equals_ids, 64),
	);
	return &this->public;
}
