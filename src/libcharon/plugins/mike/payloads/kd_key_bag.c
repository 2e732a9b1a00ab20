/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "kd_key_bag.h"

#include <utils/debug.h>

/** Smallest wrapped key: Key ID, KWK ID and one byte of encrypted key */
#define WRAPPED_KEY_MIN	(KD_WRAPPED_KEY_HEADER + 1)

/*
 * Described in header
 */
kd_key_bag_t *kd_key_bag_create(uint8_t protocol, chunk_t spi)
{
	kd_key_bag_t *this;

	INIT(this,
		.protocol = protocol,
		.spi = chunk_clone(spi),
		.attrs = linked_list_create(),
	);
	return this;
}

/*
 * Described in header
 */
kd_key_bag_t *kd_key_bag_create_member(void)
{
	return kd_key_bag_create(GIKEV2_PROTO_NONE, chunk_empty);
}

/*
 * Described in header
 */
void kd_key_bag_add_wrapped_key(kd_key_bag_t *this, uint16_t type,
								uint32_t key_id, uint32_t kwk_id,
								chunk_t encrypted)
{
	chunk_t data;

	data = chunk_alloc(KD_WRAPPED_KEY_HEADER + encrypted.len);
	htoun32(data.ptr, key_id);
	htoun32(data.ptr + 4, kwk_id);
	memcpy(data.ptr + KD_WRAPPED_KEY_HEADER, encrypted.ptr, encrypted.len);
	this->attrs->insert_last(this->attrs, gikev2_attr_create_tlv(type, data));
	chunk_clear(&data);
}

/*
 * Described in header
 */
void kd_key_bag_add_attr(kd_key_bag_t *this, gikev2_attr_t *attr)
{
	this->attrs->insert_last(this->attrs, attr);
}

/*
 * Described in header
 */
bool kd_wrapped_key_split(chunk_t data, uint32_t *key_id, uint32_t *kwk_id,
						  chunk_t *encrypted)
{
	if (data.len < KD_WRAPPED_KEY_HEADER)
	{
		return FALSE;
	}
	*key_id = untoh32(data.ptr);
	*kwk_id = untoh32(data.ptr + 4);
	*encrypted = chunk_skip(data, KD_WRAPPED_KEY_HEADER);
	return TRUE;
}

/*
 * Described in header
 */
kd_key_bag_t *kd_key_bag_clone(kd_key_bag_t *this)
{
	kd_key_bag_t *clone;

	INIT(clone,
		.protocol = this->protocol,
		.spi = chunk_clone(this->spi),
		.attrs = gikev2_attrs_clone(this->attrs),
	);
	return clone;
}

/*
 * Described in header
 */
void kd_key_bag_destroy(kd_key_bag_t *this)
{
	gikev2_attrs_destroy(this->attrs);
	free(this->spi.ptr);
	free(this);
}

/*
 * Described in header
 */
bool kd_key_bag_write(kd_key_bag_t *this, bio_writer_t *writer)
{
	chunk_t buf;
	size_t start, len;

	if (this->spi.len > 0xff)
	{
		return FALSE;
	}
	start = writer->get_buf(writer).len;
	writer->write_uint8(writer, this->protocol);
	/* SPI Size for group key bags, RESERVED (0) for the member key bag */
	writer->write_uint8(writer, this->spi.len);
	writer->write_uint16(writer, 0);
	writer->write_data(writer, this->spi);
	if (!gikev2_attrs_write(this->attrs, writer))
	{
		return FALSE;
	}
	buf = writer->get_buf(writer);
	len = buf.len - start;
	if (len > 0xffff)
	{
		DBG1(DBG_ENC, "G-IKEv2: key bag too long to encode (%zu bytes)", len);
		return FALSE;
	}
	htoun16(buf.ptr + start + 2, len);
	return TRUE;
}

/**
 * Check the Key ID / KWK ID rules of the wrapped keys in a key bag.
 */
static bool check_wrapped_keys(kd_key_bag_t *this)
{
	enumerator_t *enumerator;
	gikev2_attr_t *attr;
	uint32_t key_id = 0, kwk_id = 0;
	chunk_t encrypted;
	bool ok = TRUE, member = this->protocol == GIKEV2_PROTO_NONE;

	enumerator = this->attrs->create_enumerator(this->attrs);
	while (ok && enumerator->enumerate(enumerator, &attr))
	{
		if (member && attr->type != GIKEV2_MKB_WRAP_KEY)
		{
			continue;
		}
		/* length was checked by the rules */
		kd_wrapped_key_split(attr->data, &key_id, &kwk_id, &encrypted);
		if (member && !key_id)
		{
			DBG1(DBG_ENC, "G-IKEv2: WRAP_KEY with Key ID zero");
			ok = FALSE;
		}
		else if (!member && key_id)
		{
			DBG1(DBG_ENC, "G-IKEv2: SA_KEY with Key ID %u, must be zero",
				 key_id);
			ok = FALSE;
		}
		else if (!member && this->protocol != GIKEV2_PROTO_GIKE_UPDATE &&
				 kwk_id)
		{
			DBG1(DBG_ENC, "G-IKEv2: SA_KEY for a data SA with KWK ID %u, "
				 "must be zero", kwk_id);
			ok = FALSE;
		}
	}
	enumerator->destroy(enumerator);
	return ok;
}

/*
 * Described in header
 */
kd_key_bag_t *kd_key_bag_parse(chunk_t sub)
{
	static const gikev2_attr_rule_t member_rules[] = {
		{ GIKEV2_MKB_WRAP_KEY, "WRAP_KEY", FALSE, 0, WRAPPED_KEY_MIN, TRUE },
		{ GIKEV2_MKB_AUTH_KEY, "AUTH_KEY", FALSE, 0, 1, FALSE },
		{ GIKEV2_MKB_GM_SENDER_ID, "GM_SENDER_ID", FALSE, 0, 1, TRUE },
	};
	gikev2_attr_rule_t group_rules[] = {
		{ GIKEV2_GKB_SA_KEY, "SA_KEY", FALSE, 0, WRAPPED_KEY_MIN, TRUE },
	};
	kd_key_bag_t *this;
	uint8_t protocol, spi_size;
	chunk_t spi = chunk_empty, attrs;
	const char *where;
	bool ok;

	protocol = sub.ptr[0];
	spi_size = sub.ptr[1];
	attrs = chunk_skip(sub, GIKEV2_SUBSTRUCT_HEADER);
	switch (protocol)
	{
		case GIKEV2_PROTO_NONE:
			/* the RESERVED byte is ignored on receipt */
			spi_size = 0;
			where = "member key bag";
			break;
		case GIKEV2_PROTO_AH:
		case GIKEV2_PROTO_ESP:
			/* exactly one SA_KEY for data SAs */
			group_rules[0].multi = FALSE;
			where = "group key bag";
			if (spi_size != GIKEV2_SPI_SIZE_IPSEC)
			{
				DBG1(DBG_ENC, "G-IKEv2: group key bag for protocol %u with "
					 "SPI size %u", protocol, spi_size);
				return NULL;
			}
			break;
		case GIKEV2_PROTO_GIKE_UPDATE:
			where = "group key bag";
			if (spi_size != GIKEV2_SPI_SIZE_GIKE_UPDATE)
			{
				DBG1(DBG_ENC, "G-IKEv2: GIKE_UPDATE key bag with SPI size %u",
					 spi_size);
				return NULL;
			}
			break;
		default:
			DBG1(DBG_ENC, "G-IKEv2: unknown key bag protocol %u", protocol);
			return NULL;
	}
	if (attrs.len < spi_size)
	{
		DBG1(DBG_ENC, "G-IKEv2: %s truncated in SPI", where);
		return NULL;
	}
	spi = chunk_create(attrs.ptr, spi_size);
	attrs = chunk_skip(attrs, spi_size);

	this = kd_key_bag_create(protocol, spi);
	gikev2_attrs_destroy(this->attrs);
	this->attrs = gikev2_attrs_parse(attrs, where);
	if (!this->attrs)
	{
		this->attrs = linked_list_create();
		kd_key_bag_destroy(this);
		return NULL;
	}
	if (protocol == GIKEV2_PROTO_NONE)
	{
		ok = gikev2_attrs_check(this->attrs, member_rules,
								countof(member_rules), GIKEV2_MKB_ASSIGNED,
								where);
		if (ok && !this->attrs->get_count(this->attrs))
		{
			DBG1(DBG_ENC, "G-IKEv2: empty member key bag");
			ok = FALSE;
		}
	}
	else
	{
		ok = gikev2_attrs_check(this->attrs, group_rules,
								countof(group_rules), GIKEV2_GKB_ASSIGNED,
								where);
		if (ok && !gikev2_attrs_count(this->attrs, GIKEV2_GKB_SA_KEY))
		{
			DBG1(DBG_ENC, "G-IKEv2: group key bag without SA_KEY");
			ok = FALSE;
		}
	}
	if (!ok || !check_wrapped_keys(this))
	{
		kd_key_bag_destroy(this);
		return NULL;
	}
	return this;
}
