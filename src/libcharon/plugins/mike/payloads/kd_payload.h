/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup kd_payload kd_payload
 * @{ @ingroup gikev2
 */

#ifndef KD_PAYLOAD_H_
#define KD_PAYLOAD_H_

typedef struct kd_payload_t kd_payload_t;

#include "gikev2.h"
#include "kd_key_bag.h"

/**
 * Key Download payload (KD, type 52, RFC 9838 section 4.5).
 *
 * The body is a sequence of key bags: group key bags for the SAs of the
 * GSA payload and at most one member key bag.
 */
struct kd_payload_t {

	/**
	 * The payload_t interface, get_type() returns 52.
	 */
	payload_t payload_interface;

	/**
	 * Enumerate all key bags in payload order.
	 *
	 * @return			enumerator over kd_key_bag_t*
	 */
	enumerator_t *(*create_key_bag_enumerator)(kd_payload_t *this);

	/**
	 * Find the group key bag of an SA.
	 *
	 * @param protocol	GIKEV2_PROTO_ESP, _AH or _GIKE_UPDATE
	 * @param spi		SPI of the SA
	 * @return			key bag, internal, NULL if none
	 */
	kd_key_bag_t *(*get_group_key_bag)(kd_payload_t *this, uint8_t protocol,
									   chunk_t spi);

	/**
	 * Get the member key bag.
	 *
	 * @return			key bag, internal, NULL if none
	 */
	kd_key_bag_t *(*get_member_key_bag)(kd_payload_t *this);

	/**
	 * Get the encoded body (after the generic payload header).
	 *
	 * @return			body, internal
	 */
	chunk_t (*get_body)(kd_payload_t *this);

	/**
	 * Destroy the payload, wiping key material.
	 */
	void (*destroy)(kd_payload_t *this);
};

/**
 * Create a KD payload for sending.
 *
 * The key bags are encoded and the result is validated with the same
 * checks as a received payload.
 *
 * @param key_bags	list of kd_key_bag_t, in the order to send (not adopted)
 * @return			payload, NULL if the key bags are invalid
 */
kd_payload_t *kd_payload_create(linked_list_t *key_bags);

/**
 * Parse the body of a received KD payload.
 *
 * @param body		payload body
 * @return			payload, NULL if malformed
 */
kd_payload_t *kd_payload_create_from_data(chunk_t body);

#endif /** KD_PAYLOAD_H_ @}*/
