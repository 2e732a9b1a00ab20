/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_join_batch mike_join_batch
 * @{ @ingroup mike_gcks
 *
 * The join notices of a group not sent yet: a registration that splits a
 * member's leaf owes that member its new key tree keys, but nobody needs
 * them before the next GSA_REKEY that uses them.  Several joins then share
 * one signed GSA_REKEY (the signature is most of a join's cost), sent a
 * moment later or before any other GSA_REKEY of the group.
 */

#ifndef MIKE_JOIN_BATCH_H_
#define MIKE_JOIN_BATCH_H_

#include <collections/linked_list.h>

typedef struct mike_join_batch_t mike_join_batch_t;

/** joins a batch holds at most: a GSA_REKEY of some 1,200 bytes at 1M
 *  members (two wrapped keys each), one or two datagrams */
#define MIKE_JOIN_BATCH_MAX 16

/** how long a join notice waits for others, in ms: far below any TEK or
 *  KEK lifetime, and a split member needs it only for the next eviction */
#define MIKE_JOIN_BATCH_DELAY 50

/**
 * The key tree keys of the joins since the last GSA_REKEY of a group.
 */
struct mike_join_batch_t {

	/**
	 * Add the key tree keys of a join.
	 *
	 * @param wrap_keys	mike_lkh_wrapped_t, moved into the batch (the list
	 *					is left empty)
	 */
	void (*add)(mike_join_batch_t *this, linked_list_t *wrap_keys);

	/**
	 * Number of joins added since the last take().
	 *
	 * @return			joins waiting
	 */
	u_int (*get_joins)(mike_join_batch_t *this);

	/**
	 * Take the keys of every join, the latest join's first: a member
	 * whose leaf several joins split finds the key wrapped under its leaf
	 * key last first, its current parent (mike_lkh_member_apply() takes
	 * the first key wrapped under a key as that key's parent).
	 *
	 * @return			mike_lkh_wrapped_t, to destroy with
	 *					mike_lkh_wrapped_destroy(); the batch is empty
	 */
	linked_list_t *(*take)(mike_join_batch_t *this);

	/**
	 * Note that a job to send the batch is scheduled, or ran.
	 *
	 * @param scheduled	TRUE once scheduled, FALSE when it runs
	 * @return			whether one was scheduled before
	 */
	bool (*set_scheduled)(mike_join_batch_t *this, bool scheduled);

	/**
	 * Destroy the batch, wiping its keys.
	 */
	void (*destroy)(mike_join_batch_t *this);
};

/**
 * Create an empty batch.
 *
 * @return			batch
 */
mike_join_batch_t *mike_join_batch_create(void);

#endif /** MIKE_JOIN_BATCH_H_ @}*/
