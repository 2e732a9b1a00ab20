/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup idg_payload idg_payload
 * @{ @ingroup gikev2
 */

#ifndef IDG_PAYLOAD_H_
#define IDG_PAYLOAD_H_

typedef struct idg_payload_t idg_payload_t;

#include "gikev2.h"

#include <utils/identification.h>

/**
 * Group Identification payload (IDg, type 50, RFC 9838 section 4.2).
 *
 * Same format as the IKEv2 ID payload: ID Type, 3 reserved bytes,
 * identification data.
 */
struct idg_payload_t {

	/**
	 * The payload_t interface, get_type() returns 50.
	 */
	payload_t payload_interface;

	/**
	 * Get the ID type.
	 *
	 * @return			ID type
	 */
	id_type_t (*get_id_type)(idg_payload_t *this);

	/**
	 * Get the identification data.
	 *
	 * @return			data, internal
	 */
	chunk_t (*get_data)(idg_payload_t *this);

	/**
	 * Get the group identity.
	 *
	 * @return			identification_t, to destroy
	 */
	identification_t *(*get_identification)(idg_payload_t *this);

	/**
	 * Get the encoded body (after the generic payload header).
	 *
	 * @return			body, internal
	 */
	chunk_t (*get_body)(idg_payload_t *this);

	/**
	 * Destroy the payload.
	 */
	void (*destroy)(idg_payload_t *this);
};

/**
 * Create an IDg payload for sending.
 *
 * @param group		group identity (ID_KEY_ID, ID_FQDN, ID_IPV4_ADDR...)
 * @return			payload, NULL if the identity can't be an IDg
 */
idg_payload_t *idg_payload_create(identification_t *group);

/**
 * Parse the body of a received IDg payload.
 *
 * @param body		payload body
 * @return			payload, NULL if malformed
 */
idg_payload_t *idg_payload_create_from_data(chunk_t body);

#endif /** IDG_PAYLOAD_H_ @}*/
