/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup gsa_policy gsa_policy
 * @{ @ingroup gikev2
 */

#ifndef GSA_POLICY_H_
#define GSA_POLICY_H_

typedef struct gsa_transform_t gsa_transform_t;
typedef struct gsa_policy_t gsa_policy_t;

#include "gikev2.h"
#include "gikev2_attr.h"

#include <selectors/traffic_selector.h>

/**
 * A transform of a GSA policy (RFC 7296 3.3.2 format, RFC 9838 4.4.2.1).
 */
struct gsa_transform_t {

	/** transform type, gikev2_transform_type_t */
	uint8_t type;

	/** transform ID */
	uint16_t id;

	/** transform attributes, gikev2_attr_t (Key Length, Signature
	 *  Algorithm Identifier) */
	linked_list_t *attrs;
};

/**
 * One policy substructure of a GSA payload: a GSA policy (protocol ESP, AH
 * or GIKE_UPDATE) or, with protocol 0, the group-wide (GW) policy.
 *
 * A plain value type: fields are public, lists keep their order so that
 * encoding a parsed policy reproduces its input.
 */
struct gsa_policy_t {

	/** security protocol, gikev2_protocol_t; 0 for the GW policy */
	uint8_t protocol;

	/** SPI, 4 bytes for ESP/AH, 16 for GIKE_UPDATE, empty for GW */
	chunk_t spi;

	/** source traffic selector, NULL for GW */
	traffic_selector_t *src;

	/** destination traffic selector, NULL for GW */
	traffic_selector_t *dst;

	/** transforms, gsa_transform_t, empty for GW */
	linked_list_t *transforms;

	/** GSA attributes or (GW) GW policy attributes, gikev2_attr_t */
	linked_list_t *attrs;
};

/**
 * Create a GSA policy for ESP, AH or GIKE_UPDATE.
 *
 * @param protocol	GIKEV2_PROTO_ESP, _AH or _GIKE_UPDATE
 * @param spi		SPI in network order, cloned
 * @param src		source selector, cloned
 * @param dst		destination selector, cloned
 */
gsa_policy_t *gsa_policy_create(uint8_t protocol, chunk_t spi,
								traffic_selector_t *src,
								traffic_selector_t *dst);

/**
 * Create an empty GW policy (protocol 0).
 */
gsa_policy_t *gsa_policy_create_gw(void);

/**
 * Append a transform.
 *
 * @param type			transform type
 * @param id			transform ID
 * @param key_length	key length in bits for ENCR, 0 for none
 * @return				the transform, to add more attributes
 */
gsa_transform_t *gsa_policy_add_transform(gsa_policy_t *this, uint8_t type,
										  uint16_t id, uint16_t key_length);

/**
 * Append an attribute (GSA or GW policy attribute), adopted.
 */
void gsa_policy_add_attr(gsa_policy_t *this, gikev2_attr_t *attr);

/**
 * Find a transform by type.
 *
 * @return				transform, NULL if none
 */
gsa_transform_t *gsa_policy_get_transform(gsa_policy_t *this, uint8_t type);

/**
 * Get the Key Length attribute of a transform.
 *
 * @return				key length in bits, 0 if absent
 */
uint16_t gsa_transform_get_key_length(gsa_transform_t *this);

/**
 * Clone a policy.
 */
gsa_policy_t *gsa_policy_clone(gsa_policy_t *this);

/**
 * Destroy a policy.
 */
void gsa_policy_destroy(gsa_policy_t *this);

/**
 * Encode a policy substructure.
 *
 * @param writer		writer to append to
 * @return				FALSE if too large to encode
 */
bool gsa_policy_write(gsa_policy_t *this, bio_writer_t *writer);

/**
 * Parse and validate one policy substructure.
 *
 * @param sub			substructure including its 4-byte header, with the
 *						length field already checked against sub.len
 * @return				policy, NULL if malformed
 */
gsa_policy_t *gsa_policy_parse(chunk_t sub);

#endif /** GSA_POLICY_H_ @}*/
