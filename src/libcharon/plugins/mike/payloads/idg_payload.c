/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "idg_payload.h"

#include <stddef.h>

#include <bio/bio_writer.h>
#include <encoding/payloads/encodings.h>
#include <utils/debug.h>

typedef struct private_idg_payload_t private_idg_payload_t;

/**
 * Private data of an idg_payload_t.
 */
struct private_idg_payload_t {

	/**
	 * Public interface.
	 */
	idg_payload_t public;

	/**
	 * Next payload type.
	 */
	uint8_t next_payload;

	/**
	 * Critical flag, always sent as zero.
	 */
	bool critical;

	/**
	 * Reserved bits.
	 */
	bool reserved[7];

	/**
	 * Length of the whole payload.
	 */
	uint16_t payload_length;

	/**
	 * Encoded body, what the generator writes after the header.
	 */
	chunk_t body;

	/**
	 * ID type.
	 */
	id_type_t id_type;

	/**
	 * Identification data (points into body).
	 */
	chunk_t data;
};

/**
 * Generic payload header followed by our own body.
 */
static encoding_rule_t encodings[] = {
	{ U_INT_8,			offsetof(private_idg_payload_t, next_payload)	},
	{ FLAG,				offsetof(private_idg_payload_t, critical)		},
	{ RESERVED_BIT,		offsetof(private_idg_payload_t, reserved[0])	},
	{ RESERVED_BIT,		offsetof(private_idg_payload_t, reserved[1])	},
	{ RESERVED_BIT,		offsetof(private_idg_payload_t, reserved[2])	},
	{ RESERVED_BIT,		offsetof(private_idg_payload_t, reserved[3])	},
	{ RESERVED_BIT,		offsetof(private_idg_payload_t, reserved[4])	},
	{ RESERVED_BIT,		offsetof(private_idg_payload_t, reserved[5])	},
	{ RESERVED_BIT,		offsetof(private_idg_payload_t, reserved[6])	},
	{ PAYLOAD_LENGTH,	offsetof(private_idg_payload_t, payload_length)	},
	{ CHUNK_DATA,		offsetof(private_idg_payload_t, body)			},
};

/*
                           1                   2                   3
       0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
      +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
      ! Next Payload  !C!  RESERVED   !         Payload Length        !
      +---------------+---------------+---------------+---------------+
      !   ID Type     !                 RESERVED                      !
      +---------------+---------------+---------------+---------------+
      !                                                               !
      ~                   Identification Data                         ~
      !                                                               !
      +---------------+---------------+---------------+---------------+
*/

/** ID Type plus reserved bytes */
#define IDG_FIXED_LEN 4

METHOD(payload_t, verify, status_t,
	private_idg_payload_t *this)
{
	return SUCCESS;
}

METHOD(payload_t, get_encoding_rules, int,
	private_idg_payload_t *this, encoding_rule_t **rules)
{
	*rules = encodings;
	return countof(encodings);
}

METHOD(payload_t, get_header_length, int,
	private_idg_payload_t *this)
{
	return GIKEV2_PAYLOAD_HEADER;
}

METHOD(payload_t, get_type, payload_type_t,
	private_idg_payload_t *this)
{
	return GIKEV2_PL_IDG;
}

METHOD(payload_t, get_next_type, payload_type_t,
	private_idg_payload_t *this)
{
	return this->next_payload;
}

METHOD(payload_t, set_next_type, void,
	private_idg_payload_t *this, payload_type_t type)
{
	this->next_payload = type;
}

METHOD(payload_t, get_length, size_t,
	private_idg_payload_t *this)
{
	return this->payload_length;
}

METHOD(idg_payload_t, get_id_type, id_type_t,
	private_idg_payload_t *this)
{
	return this->id_type;
}

METHOD(idg_payload_t, get_data, chunk_t,
	private_idg_payload_t *this)
{
	return this->data;
}

METHOD(idg_payload_t, get_identification, identification_t*,
	private_idg_payload_t *this)
{
	return identification_create_from_encoding(this->id_type, this->data);
}

METHOD(idg_payload_t, get_body, chunk_t,
	private_idg_payload_t *this)
{
	return this->body;
}

METHOD2(payload_t, idg_payload_t, destroy, void,
	private_idg_payload_t *this)
{
	free(this->body.ptr);
	free(this);
}

/**
 * Check the ID type and data length, RFC 9838 4.2 and RFC 7296 3.5.
 */
static bool check_id(id_type_t type, chunk_t data)
{
	switch (type)
	{
		case ID_IPV4_ADDR:
			if (data.len != 4)
			{
				DBG1(DBG_ENC, "G-IKEv2: IDg ID_IPV4_ADDR with %zu bytes",
					 data.len);
				return FALSE;
			}
			return TRUE;
		case ID_IPV6_ADDR:
			if (data.len != 16)
			{
				DBG1(DBG_ENC, "G-IKEv2: IDg ID_IPV6_ADDR with %zu bytes",
					 data.len);
				return FALSE;
			}
			return TRUE;
		case ID_FQDN:
		case ID_RFC822_ADDR:
		case ID_DER_ASN1_DN:
		case ID_DER_ASN1_GN:
		case ID_KEY_ID:
			if (!data.len)
			{
				DBG1(DBG_ENC, "G-IKEv2: IDg with empty identification data");
				return FALSE;
			}
			return TRUE;
		default:
			DBG1(DBG_ENC, "G-IKEv2: IDg with unsupported ID type %d", type);
			return FALSE;
	}
}

/**
 * Create the object from a validated type and data.
 */
static idg_payload_t *create(id_type_t type, chunk_t data)
{
	private_idg_payload_t *this;
	bio_writer_t *writer;

	if (!check_id(type, data))
	{
		return NULL;
	}
	if (IDG_FIXED_LEN + data.len > 0xffff - GIKEV2_PAYLOAD_HEADER)
	{
		DBG1(DBG_ENC, "G-IKEv2: IDg identification data too long");
		return NULL;
	}

	INIT(this,
		.public = {
			.payload_interface = {
				.verify = _verify,
				.get_encoding_rules = _get_encoding_rules,
				.get_header_length = _get_header_length,
				.get_length = _get_length,
				.get_next_type = _get_next_type,
				.set_next_type = _set_next_type,
				.get_type = _get_type,
				.destroy = _destroy,
			},
			.get_id_type = _get_id_type,
			.get_data = _get_data,
			.get_identification = _get_identification,
			.get_body = _get_body,
			.destroy = _destroy,
		},
		.next_payload = PL_NONE,
		.id_type = type,
	);

	writer = bio_writer_create(IDG_FIXED_LEN + data.len);
	writer->write_uint8(writer, type);
	writer->write_uint8(writer, 0);
	writer->write_uint16(writer, 0);
	writer->write_data(writer, data);
	this->body = writer->extract_buf(writer);
	writer->destroy(writer);

	this->data = chunk_skip(this->body, IDG_FIXED_LEN);
	this->payload_length = GIKEV2_PAYLOAD_HEADER + this->body.len;
	return &this->public;
}

/*
 * Described in header
 */
idg_payload_t *idg_payload_create(identification_t *group)
{
	return create(group->get_type(group), group->get_encoding(group));
}

/*
 * Described in header
 */
idg_payload_t *idg_payload_create_from_data(chunk_t body)
{
	if (body.len < IDG_FIXED_LEN)
	{
		DBG1(DBG_ENC, "G-IKEv2: IDg body of %zu bytes too short", body.len);
		return NULL;
	}
	/* the reserved bytes are ignored on receipt (RFC 7296 3.5) */
	return create(body.ptr[0], chunk_skip(body, IDG_FIXED_LEN));
}
