/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_rekey_reassembly mike_rekey_reassembly
 * @{ @ingroup mike
 *
 * A member's reassembly of fragmented GSA_REKEY messages (RFC 7383 2.6,
 * RFC 9838 2.4.1.2), per (rekey SA SPI, Message ID).
 *
 * Each fragment is decrypted and its ICV checked before anything of it is
 * kept, so only what a KEK holder sent is stored; the signature, which only
 * the GCKS can make, is verified over the reassembled message.  A member
 * holds the KEK too and could send fragments that never complete, so what
 * is kept is bounded: at most a few incomplete messages (the oldest goes
 * for a new one), each at most MIKE_REKEY_MAX_FRAGMENTS fragments and
 * MIKE_REKEY_MAX_P_LEN bytes, for a few seconds.  A message lost that way
 * is a lost message like any other: the member notices the gap in Message
 * IDs and registers again.
 *
 * Not thread-safe: a member group's is used with the group checked out.
 */

#ifndef MIKE_REKEY_REASSEMBLY_H_
#define MIKE_REKEY_REASSEMBLY_H_

#include "common/mike_rekey_msg.h"

typedef struct mike_rekey_reassembly_t mike_rekey_reassembly_t;

/** incomplete messages a member holds per group */
#define MIKE_REKEY_REASSEMBLY_SETS 4

/** seconds the fragments of a message have to come in; the GCKS sends its
 *  copies within rekey_retransmissions * rekey_retransmit_interval (0.4 s
 *  by default) */
#define MIKE_REKEY_REASSEMBLY_TIMEOUT 5

/**
 * Called for each incomplete message given up.
 *
 * @param data		the pointer given to mike_rekey_reassembly_create()
 * @param why		MIKE_REKEY_ERR_FRAGMENT_TIMEOUT or _EVICTED
 * @param msg_id	its Message ID
 * @param received	the fragments that had come
 * @param total		its Total Fragments
 */
typedef void (*mike_rekey_reassembly_drop_t)(void *data,
											 mike_rekey_status_t why,
											 uint32_t msg_id, u_int received,
											 u_int total);

/**
 * Reassembly of fragmented GSA_REKEY messages.
 */
struct mike_rekey_reassembly_t {

	/**
	 * Take a received fragment (mike_rekey_msg_is_fragment()).
	 *
	 * The fragment is opened with mike_rekey_msg_open_fragment(); one with
	 * a Message ID below min_msg_id is a replay (a copy of an accepted
	 * message, usually).  Incomplete messages older than the timeout go
	 * first, reported to the drop callback.  When the last fragment comes
	 * the message is verified with mike_rekey_msg_parse_reassembled() and
	 * forgotten, whatever the result.
	 *
	 * @param data		received datagram
	 * @param spi		our rekey SA's SPI
	 * @param suite		the rekey SA's algorithms
	 * @param gsk_e		KEK's GSK_e
	 * @param key		GCKS's public key
	 * @param expected	expected signature scheme, NULL for any
	 * @param min_msg_id	lowest acceptable Message ID
	 * @param now		the time (time_monotonic())
	 * @param msg		on MIKE_REKEY_OK, the reassembled message
	 * @return			MIKE_REKEY_INCOMPLETE if the fragment was kept,
	 *					MIKE_REKEY_OK if it completed an authentic message,
	 *					else why the fragment or message was rejected
	 */
	mike_rekey_status_t (*add)(mike_rekey_reassembly_t *this, chunk_t data,
							   chunk_t spi, const mike_rekey_suite_t *suite,
							   chunk_t gsk_e, public_key_t *key,
							   signature_params_t *expected,
							   uint64_t min_msg_id, time_t now,
							   mike_rekey_msg_t **msg);

	/**
	 * The number of incomplete messages held.
	 *
	 * @return			messages
	 */
	u_int (*get_count)(mike_rekey_reassembly_t *this);

	/**
	 * Destroy the reassembly, wiping what it holds.
	 */
	void (*destroy)(mike_rekey_reassembly_t *this);
};

/**
 * Create a reassembly.
 *
 * @param sets		incomplete messages held at most
 * @param timeout	seconds an incomplete message is held at most
 * @param drop		called for each incomplete message given up, or NULL
 * @param data		passed to drop
 * @return			reassembly
 */
mike_rekey_reassembly_t *mike_rekey_reassembly_create(u_int sets,
										u_int timeout,
										mike_rekey_reassembly_drop_t drop,
										void *data);

#endif /** MIKE_REKEY_REASSEMBLY_H_ @}*/
