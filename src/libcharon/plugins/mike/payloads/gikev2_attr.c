/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "gikev2_attr.h"

#include <utils/debug.h>

/** Attribute Format bit in the type field */
#define AF_BIT 0x8000

/*
 * Described in header
 */
gikev2_attr_t *gikev2_attr_create_tv(uint16_t type, uint16_t value)
{
	gikev2_attr_t *this;

	INIT(this,
		.type = type & ~AF_BIT,
		.tv = TRUE,
		.value = value,
	);
	return this;
}

/*
 * Described in header
 */
gikev2_attr_t *gikev2_attr_create_tlv(uint16_t type, chunk_t data)
{
	gikev2_attr_t *this;

	INIT(this,
		.type = type & ~AF_BIT,
		.data = chunk_clone(data),
	);
	return this;
}

/*
 * Described in header
 */
gikev2_attr_t *gikev2_attr_create_tlv_u32(uint16_t type, uint32_t value)
{
	value = htonl(value);
	return gikev2_attr_create_tlv(type, chunk_from_thing(value));
}

/*
 * Described in header
 */
gikev2_attr_t *gikev2_attr_clone(gikev2_attr_t *this)
{
	gikev2_attr_t *clone;

	INIT(clone,
		.type = this->type,
		.tv = this->tv,
		.value = this->value,
		.data = chunk_clone(this->data),
	);
	return clone;
}

/*
 * Described in header
 */
void gikev2_attr_destroy(gikev2_attr_t *this)
{
	chunk_clear(&this->data);
	free(this);
}

/*
 * Described in header
 */
linked_list_t *gikev2_attrs_clone(linked_list_t *attrs)
{
	enumerator_t *enumerator;
	linked_list_t *clone;
	gikev2_attr_t *attr;

	clone = linked_list_create();
	enumerator = attrs->create_enumerator(attrs);
	while (enumerator->enumerate(enumerator, &attr))
	{
		clone->insert_last(clone, gikev2_attr_clone(attr));
	}
	enumerator->destroy(enumerator);
	return clone;
}

/*
 * Described in header
 */
void gikev2_attrs_destroy(linked_list_t *attrs)
{
	DESTROY_FUNCTION_IF(attrs, (void*)gikev2_attr_destroy);
}

/*
 * Described in header
 */
linked_list_t *gikev2_attrs_parse(chunk_t data, const char *where)
{
	bio_reader_t *reader;
	linked_list_t *attrs;
	uint16_t type, value;
	chunk_t tlv;
	bool ok = TRUE;

	attrs = linked_list_create();
	reader = bio_reader_create(data);
	while (reader->remaining(reader))
	{
		/* lengths are checked before reading, so that a malformed input
		 * gives one log line, ours */
		if (reader->remaining(reader) < 4)
		{
			DBG1(DBG_ENC, "G-IKEv2: truncated attribute header in %s", where);
			ok = FALSE;
			break;
		}
		reader->read_uint16(reader, &type);
		reader->read_uint16(reader, &value);
		if (type & AF_BIT)
		{
			attrs->insert_last(attrs, gikev2_attr_create_tv(type, value));
			continue;
		}
		if (value > reader->remaining(reader))
		{
			DBG1(DBG_ENC, "G-IKEv2: attribute %u in %s claims %u bytes, only "
				 "%u left", type, where, value, reader->remaining(reader));
			ok = FALSE;
			break;
		}
		reader->read_data(reader, value, &tlv);
		attrs->insert_last(attrs, gikev2_attr_create_tlv(type, tlv));
	}
	reader->destroy(reader);
	if (!ok)
	{
		gikev2_attrs_destroy(attrs);
		return NULL;
	}
	return attrs;
}

/*
 * Described in header
 */
bool gikev2_attrs_check(linked_list_t *attrs, const gikev2_attr_rule_t *rules,
						int count, uint16_t assigned, const char *where)
{
	enumerator_t *enumerator;
	gikev2_attr_t *attr;
	const gikev2_attr_rule_t *rule;
	bool ok = TRUE;
	int i;

	enumerator = attrs->create_enumerator(attrs);
	while (ok && enumerator->enumerate(enumerator, &attr))
	{
		rule = NULL;
		for (i = 0; i < count; i++)
		{
			if (rules[i].type == attr->type)
			{
				rule = &rules[i];
				break;
			}
		}
		if (!rule && assigned && (!attr->type || attr->type > assigned))
		{
			DBG2(DBG_ENC, "G-IKEv2: %s attribute type %u in %s ignored",
				 attr->type >= 16384 ? "private-use" : "unknown", attr->type,
				 where);
		}
		else if (!rule)
		{
			DBG1(DBG_ENC, "G-IKEv2: unknown attribute type %u in %s",
				 attr->type, where);
			ok = FALSE;
		}
		else if (rule->tv != attr->tv)
		{
			DBG1(DBG_ENC, "G-IKEv2: %s in %s must be %s", rule->name, where,
				 rule->tv ? "TV" : "TLV");
			ok = FALSE;
		}
		else if (!rule->tv && rule->len && attr->data.len != rule->len)
		{
			DBG1(DBG_ENC, "G-IKEv2: %s in %s has %zu bytes, expected %zu",
				 rule->name, where, attr->data.len, rule->len);
			ok = FALSE;
		}
		else if (!rule->tv && !rule->len && attr->data.len < rule->min_len)
		{
			DBG1(DBG_ENC, "G-IKEv2: %s in %s has %zu bytes, at least %zu "
				 "required", rule->name, where, attr->data.len, rule->min_len);
			ok = FALSE;
		}
		else if (!rule->multi && gikev2_attrs_count(attrs, attr->type) > 1)
		{
			DBG1(DBG_ENC, "G-IKEv2: %s appears more than once in %s",
				 rule->name, where);
			ok = FALSE;
		}
	}
	enumerator->destroy(enumerator);
	return ok;
}

/*
 * Described in header
 */
bool gikev2_attrs_write(linked_list_t *attrs, bio_writer_t *writer)
{
	enumerator_t *enumerator;
	gikev2_attr_t *attr;
	bool ok = TRUE;

	enumerator = attrs->create_enumerator(attrs);
	while (enumerator->enumerate(enumerator, &attr))
	{
		if (attr->tv)
		{
			writer->write_uint16(writer, attr->type | AF_BIT);
			writer->write_uint16(writer, attr->value);
			continue;
		}
		if (attr->data.len > 0xffff)
		{
			DBG1(DBG_ENC, "G-IKEv2: attribute %u too long (%zu bytes)",
				 attr->type, attr->data.len);
			ok = FALSE;
			break;
		}
		writer->write_uint16(writer, attr->type);
		writer->write_data16(writer, attr->data);
	}
	enumerator->destroy(enumerator);
	return ok;
}

/*
 * Described in header
 */
gikev2_attr_t *gikev2_attrs_find(linked_list_t *attrs, uint16_t type)
{
	enumerator_t *enumerator;
	gikev2_attr_t *attr, *found = NULL;

	enumerator = attrs->create_enumerator(attrs);
	while (enumerator->enumerate(enumerator, &attr))
	{
		if (attr->type == type)
		{
			found = attr;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/*
 * Described in header
 */
int gikev2_attrs_count(linked_list_t *attrs, uint16_t type)
{
	enumerator_t *enumerator;
	gikev2_attr_t *attr;
	int count = 0;

	enumerator = attrs->create_enumerator(attrs);
	while (enumerator->enumerate(enumerator, &attr))
	{
		if (attr->type == type)
		{
			count++;
		}
	}
	enumerator->destroy(enumerator);
	return count;
}

/*
 * Described in header
 */
bool gikev2_attrs_get_u32(linked_list_t *attrs, uint16_t type, uint32_t *value)
{
	gikev2_attr_t *attr;

	attr = gikev2_attrs_find(attrs, type);
	if (!attr || attr->tv || attr->data.len != sizeof(uint32_t))
	{
		return FALSE;
	}
	*value = untoh32(attr->data.ptr);
	return TRUE;
}

/*
 * Described in header
 */
bool gikev2_attrs_get_tv(linked_list_t *attrs, uint16_t type, uint16_t *value)
{
	gikev2_attr_t *attr;

	attr = gikev2_attrs_find(attrs, type);
	if (!attr || !attr->tv)
	{
		return FALSE;
	}
	*value = attr->value;
	return TRUE;
}

/*
 * Described in header
 */
bool gikev2_read_substruct(bio_reader_t *reader, size_t min_len, chunk_t *sub,
						   const char *where)
{
	chunk_t rest;
	uint16_t len;

	rest = reader->peek(reader);
	if (rest.len < 4)
	{
		DBG1(DBG_ENC, "G-IKEv2: truncated %s header (%zu bytes)", where,
			 rest.len);
		return FALSE;
	}
	len = untoh16(rest.ptr + 2);
	if (len < min_len)
	{
		DBG1(DBG_ENC, "G-IKEv2: %s length %u below minimum %zu", where, len,
			 min_len);
		return FALSE;
	}
	if (len > rest.len)
	{
		DBG1(DBG_ENC, "G-IKEv2: %s length %u exceeds the %zu bytes left",
			 where, len, rest.len);
		return FALSE;
	}
	return reader->read_data(reader, len, sub);
}
