/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_wrap_cache mike_wrap_cache
 * @{ @ingroup mike_group
 *
 * Key tree keys wrapped under the key below them, as registrations send
 * them: the upper part of a member's path is the same for many members,
 * and RFC 5649 wraps the same key under the same key to the same bytes.
 * A Key ID names one key for good (IDs are never reused), so a pair of
 * IDs names one wrap.
 */

#ifndef MIKE_WRAP_CACHE_H_
#define MIKE_WRAP_CACHE_H_

#include <library.h>

typedef struct mike_wrap_cache_t mike_wrap_cache_t;

/** wraps a cache holds at most before it starts over: the nodes of the
 *  upper 12 levels of a tree, and as many replaced ones */
#define MIKE_WRAP_CACHE_MAX 8192

/**
 * Wrapped keys by the Key IDs of the key and of the key wrapping it.
 */
struct mike_wrap_cache_t {

	/**
	 * The wrap of key id under key kwk_id, if kept.
	 *
	 * @param id		Key ID of the wrapped key
	 * @param kwk_id	Key ID of the key wrapping it
	 * @return			the wrapped key (internal), chunk_empty if not kept
	 */
	chunk_t (*get)(mike_wrap_cache_t *this, uint32_t id, uint32_t kwk_id);

	/**
	 * Keep a wrap.
	 *
	 * @param id		Key ID of the wrapped key
	 * @param kwk_id	Key ID of the key wrapping it
	 * @param wrapped	the wrapped key (copied)
	 */
	void (*put)(mike_wrap_cache_t *this, uint32_t id, uint32_t kwk_id,
				chunk_t wrapped);

	/**
	 * Forget (and wipe) every wrap, e.g. once the keys they hold were
	 * replaced.
	 */
	void (*clear)(mike_wrap_cache_t *this);

	/**
	 * Destroy the cache, wiping its wraps.
	 */
	void (*destroy)(mike_wrap_cache_t *this);
};

/**
 * Create an empty cache.
 *
 * @return			cache
 */
mike_wrap_cache_t *mike_wrap_cache_create(void);

#endif /** MIKE_WRAP_CACHE_H_ @}*/
