/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "common/mike_rekey_reassembly.h"

#include <collections/linked_list.h>

typedef struct private_mike_rekey_reassembly_t private_mike_rekey_reassembly_t;
typedef struct set_t set_t;

/**
 * The fragments of one message received so far.
 */
struct set_t {
	/** rekey SA SPI */
	u_char spi[MIKE_REKEY_SPI_SIZE];
	/** Message ID */
	uint32_t msg_id;
	/** Total Fragments of its first fragment received */
	u_int total;
	/** fragments received */
	u_int received;
	/** their bytes */
	size_t bytes;
	/** when its first fragment came */
	time_t started;
	/** header of fragment 1, once received */
	u_char header[sizeof(((mike_rekey_fragment_t*)0)->header)];
	/** decrypted contents by Fragment Number - 1, empty if missing */
	chunk_t contents[MIKE_REKEY_MAX_FRAGMENTS];
};

/**
 * Private data of a mike_rekey_reassembly_t object.
 */
struct private_mike_rekey_reassembly_t {

	/**
	 * Public interface.
	 */
	mike_rekey_reassembly_t public;

	/**
	 * Incomplete messages, set_t, the oldest first.
	 */
	linked_list_t *sets;

	/**
	 * Most incomplete messages held.
	 */
	u_int max_sets;

	/**
	 * Seconds an incomplete message is held.
	 */
	u_int timeout;

	/**
	 * Called for incomplete messages given up, and its data.
	 */
	mike_rekey_reassembly_drop_t drop;
	void *data;
};

/**
 * Wipe and free a set
 */
static void set_destroy(set_t *set)
{
	int i;

	for (i = 0; i < MIKE_REKEY_MAX_FRAGMENTS; i++)
	{
		chunk_clear(&set->contents[i]);
	}
	free(set);
}

/**
 * Give up an incomplete message, telling why
 */
static void give_up(private_mike_rekey_reassembly_t *this, set_t *set,
					mike_rekey_status_t why)
{
	if (this->drop)
	{
		this->drop(this->data, why, set->msg_id, set->received, set->total);
	}
	set_destroy(set);
}

/**
 * Drop the messages that timed out, and, silently, those that are moot,
 * their Message ID being below the lowest acceptable one (a later message
 * was accepted; the member noticed the gap then)
 */
static void expire(private_mike_rekey_reassembly_t *this, chunk_t spi,
				   uint64_t min_msg_id, time_t now)
{
	enumerator_t *enumerator;
	set_t *set;

	enumerator = this->sets->create_enumerator(this->sets);
	while (enumerator->enumerate(enumerator, &set))
	{
		if (now - set->started >= (time_t)this->timeout)
		{
			this->sets->remove_at(this->sets, enumerator);
			give_up(this, set, MIKE_REKEY_ERR_FRAGMENT_TIMEOUT);
		}
		else if (memeq(set->spi, spi.ptr, MIKE_REKEY_SPI_SIZE) &&
				 set->msg_id < min_msg_id)
		{
			this->sets->remove_at(this->sets, enumerator);
			set_destroy(set);
		}
	}
	enumerator->destroy(enumerator);
}

/**
 * The set of a message, NULL if none
 */
static set_t *find_set(private_mike_rekey_reassembly_t *this, chunk_t spi,
					   uint32_t msg_id)
{
	enumerator_t *enumerator;
	set_t *set, *found = NULL;

	enumerator = this->sets->create_enumerator(this->sets);
	while (!found && enumerator->enumerate(enumerator, &set))
	{
		if (set->msg_id == msg_id &&
			memeq(set->spi, spi.ptr, MIKE_REKEY_SPI_SIZE))
		{
			found = set;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * A new set for a message, making room by giving up the oldest
 */
static set_t *new_set(private_mike_rekey_reassembly_t *this, chunk_t spi,
					  mike_rekey_fragment_t *fragment, time_t now)
{
	set_t *set;

	while (this->sets->get_count(this->sets) >= this->max_sets &&
		   this->sets->remove_first(this->sets, (void**)&set) == SUCCESS)
	{
		give_up(this, set, MIKE_REKEY_ERR_FRAGMENT_EVICTED);
	}
	INIT(set,
		.msg_id = fragment->msg_id,
		.total = fragment->total,
		.started = now,
	);
	memcpy(set->spi, spi.ptr, MIKE_REKEY_SPI_SIZE);
	this->sets->insert_last(this->sets, set);
	return set;
}

/**
 * The inner payloads of a complete set, in order
 */
static chunk_t concatenate(set_t *set)
{
	chunk_t p;
	u_char *pos;
	u_int i;

	if (!set->bytes)
	{	/* fragments without content (not valid, as no AUTH) */
		return chunk_empty;
	}
	p = chunk_alloc(set->bytes);
	pos = p.ptr;
	for (i = 0; i < set->total; i++)
	{
		memcpy(pos, set->contents[i].ptr, set->contents[i].len);
		pos += set->contents[i].len;
	}
	return p;
}

METHOD(mike_rekey_reassembly_t, add, mike_rekey_status_t,
	private_mike_rekey_reassembly_t *this, chunk_t data, chunk_t spi,
	const mike_rekey_suite_t *suite, chunk_t gsk_e, public_key_t *key,
	signature_params_t *expected, uint64_t min_msg_id, time_t now,
	mike_rekey_msg_t **msg)
{
	mike_rekey_fragment_t fragment;
	mike_rekey_status_t status;
	set_t *set;
	chunk_t p;

	*msg = NULL;
	if (!key)
	{
		return MIKE_REKEY_ERR_INTERNAL;
	}
	/* nothing is kept that does not verify under the KEK */
	status = mike_rekey_msg_open_fragment(data, spi, suite, gsk_e, &fragment);
	if (status != MIKE_REKEY_OK)
	{
		return status;
	}
	if (fragment.msg_id < min_msg_id)
	{	/* the copies of an accepted message end here, for an AEAD check */
		chunk_clear(&fragment.content);
		return MIKE_REKEY_ERR_REPLAY;
	}
	expire(this, spi, min_msg_id, now);
	set = find_set(this, spi, fragment.msg_id);
	if (set && set->total != fragment.total)
	{	/* the GCKS fragments a message once (RFC 7383 2.6 has a greater
		 * Total Fragments restart the reassembly, for PMTU discovery, which
		 * RFC 9838 2.4.1.2 rules out for GSA_REKEY): another member's */
		chunk_clear(&fragment.content);
		return MIKE_REKEY_ERR_FRAGMENT;
	}
	if (set && set->contents[fragment.number - 1].ptr)
	{
		chunk_clear(&fragment.content);
		return MIKE_REKEY_ERR_FRAGMENT_DUPLICATE;
	}
	if (set && set->bytes + fragment.content.len > MIKE_REKEY_MAX_P_LEN)
	{	/* cannot be a message the GCKS signed */
		chunk_clear(&fragment.content);
		this->sets->remove(this->sets, set, NULL);
		set_destroy(set);
		return MIKE_REKEY_ERR_FRAGMENT;
	}
	if (!set)
	{
		set = new_set(this, spi, &fragment, now);
	}
	if (fragment.number == 1)
	{
		memcpy(set->header, fragment.header, sizeof(set->header));
	}
	set->contents[fragment.number - 1] = fragment.content;
	set->bytes += fragment.content.len;
	if (++set->received < set->total)
	{
		return MIKE_REKEY_INCOMPLETE;
	}
	/* complete: verified as an unfragmented message, and forgotten */
	this->sets->remove(this->sets, set, NULL);
	p = concatenate(set);
	status = mike_rekey_msg_parse_reassembled(set->header, p, key, expected,
											  min_msg_id, msg);
	set_destroy(set);
	return status;
}

METHOD(mike_rekey_reassembly_t, get_count, u_int,
	private_mike_rekey_reassembly_t *this)
{
	return this->sets->get_count(this->sets);
}

METHOD(mike_rekey_reassembly_t, destroy, void,
	private_mike_rekey_reassembly_t *this)
{
	this->sets->destroy_function(this->sets, (void*)set_destroy);
	free(this);
}

/*
 * Described in header
 */
mike_rekey_reassembly_t *mike_rekey_reassembly_create(u_int sets,
										u_int timeout,
										mike_rekey_reassembly_drop_t drop,
										void *data)
{
	private_mike_rekey_reassembly_t *this;

	INIT(this,
		.public = {
			.add = _add,
			.get_count = _get_count,
			.destroy = _destroy,
		},
		.sets = linked_list_create(),
		.max_sets = max(sets, 1),
		.timeout = timeout,
		.drop = drop,
		.data = data,
	);
	return &this->public;
}
