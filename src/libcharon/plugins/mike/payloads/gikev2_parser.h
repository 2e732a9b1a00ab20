/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup gikev2_parser gikev2_parser
 * @{ @ingroup mike
 *
 * The factory of G-IKEv2 payloads by type, above the payloads themselves
 * (which include only gikev2.h for the constants), so that the
 * dependencies run one way.
 */

#ifndef GIKEV2_PARSER_H_
#define GIKEV2_PARSER_H_

#include "gikev2.h"

/**
 * Parse the body of a G-IKEv2 payload of the given type.
 *
 * This is the single entry point for received IDg, GSA and KD payloads
 * (and the fuzz target).  It validates strictly and logs one DBG1 line on
 * rejection.
 *
 * @param type			GIKEV2_PL_IDG, GIKEV2_PL_GSA or GIKEV2_PL_KD
 * @param body			payload body (without the generic payload header)
 * @return				payload, NULL if malformed or type unknown
 */
payload_t *gikev2_payload_parse(payload_type_t type, chunk_t body);

/**
 * Convert a G-IKEv2 payload that charon's parser kept as unknown_payload_t.
 *
 * @param payload		payload of a received message (not adopted)
 * @return				parsed payload, NULL if not a valid IDg/GSA/KD
 */
payload_t *gikev2_payload_from_unknown(payload_t *payload);

/**
 * Get the encoded body (everything after the generic payload header) of an
 * IDg, GSA or KD payload created by this module.
 *
 * @param payload		G-IKEv2 payload
 * @return				body, internal data
 */
chunk_t gikev2_payload_get_body(payload_t *payload);

#endif /** GIKEV2_PARSER_H_ @}*/
