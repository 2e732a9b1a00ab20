/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup gikev2_attr gikev2_attr
 * @{ @ingroup gikev2
 */

#ifndef GIKEV2_ATTR_H_
#define GIKEV2_ATTR_H_

#include <library.h>
#include <bio/bio_reader.h>
#include <bio/bio_writer.h>
#include <collections/linked_list.h>

typedef struct gikev2_attr_t gikev2_attr_t;
typedef struct gikev2_attr_rule_t gikev2_attr_rule_t;

/**
 * One attribute in the IKEv2 data attribute format (RFC 7296 3.3.5), as
 * used by transforms, GSA/GW policies and key bags.
 *
 * Lists of attributes keep the order they were added or received in, so
 * that encoding a parsed list reproduces its input.
 */
struct gikev2_attr_t {

	/** attribute type, without the AF bit */
	uint16_t type;

	/** TRUE for Type/Value (AF=1), FALSE for Type/Length/Value */
	bool tv;

	/** value of a TV attribute */
	uint16_t value;

	/** data of a TLV attribute, owned */
	chunk_t data;
};

/**
 * Rule for an attribute type in a given substructure.
 */
struct gikev2_attr_rule_t {

	/** attribute type */
	uint16_t type;

	/** name for log messages */
	const char *name;

	/** TRUE if the attribute must be TV, FALSE if it must be TLV */
	bool tv;

	/** exact TLV data length, 0 for any length >= min_len */
	size_t len;

	/** minimum TLV data length if len is 0 */
	size_t min_len;

	/** TRUE if the attribute may appear more than once */
	bool multi;
};

/**
 * Create a Type/Value attribute.
 */
gikev2_attr_t *gikev2_attr_create_tv(uint16_t type, uint16_t value);

/**
 * Create a Type/Length/Value attribute.
 *
 * @param data		attribute data, cloned
 */
gikev2_attr_t *gikev2_attr_create_tlv(uint16_t type, chunk_t data);

/**
 * Create a TLV attribute holding a 32-bit unsigned integer (network order).
 */
gikev2_attr_t *gikev2_attr_create_tlv_u32(uint16_t type, uint32_t value);

/**
 * Clone an attribute.
 */
gikev2_attr_t *gikev2_attr_clone(gikev2_attr_t *this);

/**
 * Destroy an attribute.
 */
void gikev2_attr_destroy(gikev2_attr_t *this);

/**
 * Clone a list of attributes.
 */
linked_list_t *gikev2_attrs_clone(linked_list_t *attrs);

/**
 * Destroy a list of attributes (NULL is fine).
 */
void gikev2_attrs_destroy(linked_list_t *attrs);

/**
 * Parse all attributes in data into a new list.
 *
 * Every length is checked against the remaining data.
 *
 * @param data		attributes, nothing else
 * @param where		name of the enclosing structure, for logging
 * @return			list of gikev2_attr_t, NULL if malformed
 */
linked_list_t *gikev2_attrs_parse(chunk_t data, const char *where);

/**
 * Check a parsed attribute list against a rule table: every type it names
 * must have the right format and length, and appear at most once unless
 * multi-valued.  A type of the registry (1 .. assigned) that the table
 * does not allow here rejects the list (RFC 9838 5: "MUST NOT be
 * present"); any other type (reserved 0, unassigned, private use) is
 * logged and left alone, so that a peer's vendor or later attribute in a
 * GSA policy or key bag does not make the whole payload unusable.  With
 * assigned 0 every type the table does not name rejects the list
 * (transform attributes, RFC 7296 3.3.6).
 *
 * @param attrs		list of gikev2_attr_t
 * @param rules		allowed attributes
 * @param count		number of rules
 * @param assigned	the registry's highest assigned type, 0 for strict
 * @param where		name of the enclosing structure, for logging
 * @return			TRUE if valid
 */
bool gikev2_attrs_check(linked_list_t *attrs, const gikev2_attr_rule_t *rules,
						int count, uint16_t assigned, const char *where);

/**
 * Append the encoding of all attributes to a writer.
 *
 * @return			FALSE if a TLV attribute is too long to encode
 */
bool gikev2_attrs_write(linked_list_t *attrs, bio_writer_t *writer);

/**
 * Find the first attribute of a type.
 *
 * @return			attribute, NULL if none
 */
gikev2_attr_t *gikev2_attrs_find(linked_list_t *attrs, uint16_t type);

/**
 * Count the attributes of a type.
 */
int gikev2_attrs_count(linked_list_t *attrs, uint16_t type);

/**
 * Get the value of a TLV attribute holding a 32-bit integer.
 *
 * @return			TRUE if present with 4 bytes of data
 */
bool gikev2_attrs_get_u32(linked_list_t *attrs, uint16_t type, uint32_t *value);

/**
 * Get the value of a TV attribute.
 *
 * @return			TRUE if present
 */
bool gikev2_attrs_get_tv(linked_list_t *attrs, uint16_t type, uint16_t *value);

/**
 * Read a substructure header with its 16-bit length at offset 2 and return
 * the whole substructure, checking the length against the remaining data.
 *
 * @param reader	reader positioned at the substructure
 * @param min_len	minimum length of the substructure
 * @param sub		receives the substructure (header included)
 * @param where		name of the substructure, for logging
 * @return			TRUE if the substructure is complete
 */
bool gikev2_read_substruct(bio_reader_t *reader, size_t min_len, chunk_t *sub,
						   const char *where);

#endif /** GIKEV2_ATTR_H_ @}*/
