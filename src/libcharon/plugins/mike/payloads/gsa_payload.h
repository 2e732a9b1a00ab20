/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup gsa_payload gsa_payload
 * @{ @ingroup gikev2
 */

#ifndef GSA_PAYLOAD_H_
#define GSA_PAYLOAD_H_

typedef struct gsa_payload_t gsa_payload_t;

#include "gikev2.h"
#include "gsa_policy.h"

/**
 * Group Security Association payload (GSA, type 51, RFC 9838 section 4.4).
 *
 * The body is a sequence of policy substructures: at most one GSA KEK
 * policy (GIKE_UPDATE), any number of GSA TEK policies (ESP/AH), at most
 * one GW policy, and at least one KEK or TEK policy.
 */
struct gsa_payload_t {

	/**
	 * The payload_t interface, get_type() returns 51.
	 */
	payload_t payload_interface;

	/**
	 * Enumerate all policies in payload order, including the GW policy.
	 *
	 * @return			enumerator over gsa_policy_t*
	 */
	enumerator_t *(*create_policy_enumerator)(gsa_payload_t *this);

	/**
	 * Get the Rekey SA (GSA KEK, GIKE_UPDATE) policy.
	 *
	 * @return			policy, internal, NULL if none
	 */
	gsa_policy_t *(*get_kek_policy)(gsa_payload_t *this);

	/**
	 * Get the group-wide policy.
	 *
	 * @return			policy, internal, NULL if none
	 */
	gsa_policy_t *(*get_gw_policy)(gsa_payload_t *this);

	/**
	 * Get the encoded body (after the generic payload header).
	 *
	 * @return			body, internal
	 */
	chunk_t (*get_body)(gsa_payload_t *this);

	/**
	 * Destroy the payload.
	 */
	void (*destroy)(gsa_payload_t *this);
};

/**
 * Create a GSA payload for sending.
 *
 * The policies are encoded and the result is validated with the same
 * checks as a received payload, so that we never send what we would
 * refuse.
 *
 * @param policies	list of gsa_policy_t, in the order to send (not adopted)
 * @return			payload, NULL if the policies are invalid
 */
gsa_payload_t *gsa_payload_create(linked_list_t *policies);

/**
 * Parse the body of a received GSA payload.
 *
 * @param body		payload body
 * @return			payload, NULL if malformed
 */
gsa_payload_t *gsa_payload_create_from_data(chunk_t body);

#endif /** GSA_PAYLOAD_H_ @}*/
