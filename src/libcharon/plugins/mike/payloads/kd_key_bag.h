/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup kd_key_bag kd_key_bag
 * @{ @ingroup gikev2
 */

#ifndef KD_KEY_BAG_H_
#define KD_KEY_BAG_H_

typedef struct kd_key_bag_t kd_key_bag_t;

#include "gikev2.h"
#include "gikev2_attr.h"

/** Key ID and KWK ID of a wrapped key */
#define KD_WRAPPED_KEY_HEADER	8

/**
 * A key bag of a KD payload (RFC 9838 4.5.1): a group key bag (protocol
 * ESP, AH or GIKE_UPDATE plus SPI, SA_KEY attributes) or, with protocol 0,
 * the member key bag (WRAP_KEY, AUTH_KEY, GM_SENDER_ID attributes).
 *
 * Wrapped keys are opaque here: the encrypted key bytes are not unwrapped.
 */
struct kd_key_bag_t {

	/** security protocol, gikev2_protocol_t; 0 for the member key bag */
	uint8_t protocol;

	/** SPI of the SA the keys belong to, empty for the member key bag */
	chunk_t spi;

	/** attributes, gikev2_attr_t, in order */
	linked_list_t *attrs;
};

/**
 * Create a group key bag.
 *
 * @param protocol	GIKEV2_PROTO_ESP, _AH or _GIKE_UPDATE
 * @param spi		SPI, cloned
 */
kd_key_bag_t *kd_key_bag_create(uint8_t protocol, chunk_t spi);

/**
 * Create an empty member key bag.
 */
kd_key_bag_t *kd_key_bag_create_member(void);

/**
 * Append a TLV attribute holding a wrapped key (RFC 9838 4.5.3 format).
 *
 * @param type		GIKEV2_GKB_SA_KEY or GIKEV2_MKB_WRAP_KEY
 * @param key_id	Key ID
 * @param kwk_id	KWK ID
 * @param encrypted	encrypted key bytes, cloned
 */
void kd_key_bag_add_wrapped_key(kd_key_bag_t *this, uint16_t type,
								uint32_t key_id, uint32_t kwk_id,
								chunk_t encrypted);

/**
 * Append an attribute, adopted.
 */
void kd_key_bag_add_attr(kd_key_bag_t *this, gikev2_attr_t *attr);

/**
 * Split the data of a wrapped key attribute.
 *
 * @param data		attribute data
 * @param key_id	receives the Key ID
 * @param kwk_id	receives the KWK ID
 * @param encrypted	receives the encrypted key (points into data)
 * @return			FALSE if too short
 */
bool kd_wrapped_key_split(chunk_t data, uint32_t *key_id, uint32_t *kwk_id,
						  chunk_t *encrypted);

/**
 * Clone a key bag.
 */
kd_key_bag_t *kd_key_bag_clone(kd_key_bag_t *this);

/**
 * Destroy a key bag, wiping key material.
 */
void kd_key_bag_destroy(kd_key_bag_t *this);

/**
 * Encode a key bag substructure.
 *
 * @return			FALSE if too large to encode
 */
bool kd_key_bag_write(kd_key_bag_t *this, bio_writer_t *writer);

/**
 * Parse and validate one key bag substructure.
 *
 * @param sub		substructure including its 4-byte header, with the length
 *					field already checked against sub.len
 * @return			key bag, NULL if malformed
 */
kd_key_bag_t *kd_key_bag_parse(chunk_t sub);

#endif /** KD_KEY_BAG_H_ @}*/
