/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "kd_payload.h"

#include <stddef.h>

#include <encoding/payloads/encodings.h>
#include <utils/debug.h>

typedef struct private_kd_payload_t private_kd_payload_t;

/**
 * Private data of a kd_payload_t.
 */
struct private_kd_payload_t {

	/**
	 * Public interface.
	 */
	kd_payload_t public;

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
	 * Parsed key bags, kd_key_bag_t, in payload order.
	 */
	linked_list_t *key_bags;
};

/**
 * Generic payload header followed by our own body.
 */
static encoding_rule_t encodings[] = {
	{ U_INT_8,			offsetof(private_kd_payload_t, next_payload)	},
	{ FLAG,				offsetof(private_kd_payload_t, critical)		},
	{ RESERVED_BIT,		offsetof(private_kd_payload_t, reserved[0])		},
	{ RESERVED_BIT,		offsetof(private_kd_payload_t, reserved[1])		},
	{ RESERVED_BIT,		offsetof(private_kd_payload_t, reserved[2])		},
	{ RESERVED_BIT,		offsetof(private_kd_payload_t, reserved[3])		},
	{ RESERVED_BIT,		offsetof(private_kd_payload_t, reserved[4])		},
	{ RESERVED_BIT,		offsetof(private_kd_payload_t, reserved[5])		},
	{ RESERVED_BIT,		offsetof(private_kd_payload_t, reserved[6])		},
	{ PAYLOAD_LENGTH,	offsetof(private_kd_payload_t, payload_length)	},
	{ CHUNK_DATA,		offsetof(private_kd_payload_t, body)			},
};

/*
                           1                   2                   3
       0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
      +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
      ! Next Payload  !C!  RESERVED   !            Length             !
      +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
      !                                                               !
      ~                           <Key Bags>                          ~
      !                                                               !
      +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
*/

METHOD(payload_t, verify, status_t,
	private_kd_payload_t *this)
{
	return SUCCESS;
}

METHOD(payload_t, get_encoding_rules, int,
	private_kd_payload_t *this, encoding_rule_t **rules)
{
	*rules = encodings;
	return countof(encodings);
}

METHOD(payload_t, get_header_length, int,
	private_kd_payload_t *this)
{
	return GIKEV2_PAYLOAD_HEADER;
}

METHOD(payload_t, get_type, payload_type_t,
	private_kd_payload_t *this)
{
	return GIKEV2_PL_KD;
}

METHOD(payload_t, get_next_type, payload_type_t,
	private_kd_payload_t *this)
{
	return this->next_payload;
}

METHOD(payload_t, set_next_type, void,
	private_kd_payload_t *this, payload_type_t type)
{
	this->next_payload = type;
}

METHOD(payload_t, get_length, size_t,
	private_kd_payload_t *this)
{
	return this->payload_length;
}

METHOD(kd_payload_t, create_key_bag_enumerator, enumerator_t*,
	private_kd_payload_t *this)
{
	return this->key_bags->create_enumerator(this->key_bags);
}

/**
 * Find a key bag by protocol and SPI.
 */
static kd_key_bag_t *find_bag(private_kd_payload_t *this, uint8_t protocol,
							  chunk_t spi)
{
	enumerator_t *enumerator;
	kd_key_bag_t *bag, *found = NULL;

	enumerator = this->key_bags->create_enumerator(this->key_bags);
	while (enumerator->enumerate(enumerator, &bag))
	{
		if (bag->protocol == protocol &&
			(protocol == GIKEV2_PROTO_NONE || chunk_equals(bag->spi, spi)))
		{
			found = bag;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

METHOD(kd_payload_t, get_group_key_bag, kd_key_bag_t*,
	private_kd_payload_t *this, uint8_t protocol, chunk_t spi)
{
	if (protocol == GIKEV2_PROTO_NONE)
	{
		return NULL;
	}
	return find_bag(this, protocol, spi);
}

METHOD(kd_payload_t, get_member_key_bag, kd_key_bag_t*,
	private_kd_payload_t *this)
{
	return find_bag(this, GIKEV2_PROTO_NONE, chunk_empty);
}

METHOD(kd_payload_t, get_body, chunk_t,
	private_kd_payload_t *this)
{
	return this->body;
}

METHOD2(payload_t, kd_payload_t, destroy, void,
	private_kd_payload_t *this)
{
	this->key_bags->destroy_function(this->key_bags,
									 (void*)kd_key_bag_destroy);
	chunk_clear(&this->body);
	free(this);
}

/**
 * Encode a list of key bags into a body.
 */
static bool encode(linked_list_t *key_bags, chunk_t *body)
{
	enumerator_t *enumerator;
	kd_key_bag_t *bag;
	bio_writer_t *writer;
	bool ok = TRUE;

	writer = bio_writer_create(256);
	enumerator = key_bags->create_enumerator(key_bags);
	while (ok && enumerator->enumerate(enumerator, &bag))
	{
		ok = kd_key_bag_write(bag, writer);
	}
	enumerator->destroy(enumerator);
	*body = writer->extract_buf(writer);
	writer->destroy(writer);
	return ok;
}

/**
 * Parse a body, checking it as one received; encoded tells it is our own
 * encoding, which needs no second one to be canonical
 */
static kd_payload_t *parse(chunk_t body, bool encoded)
{
	private_kd_payload_t *this;
	bio_reader_t *reader;
	kd_key_bag_t *bag;
	chunk_t sub;
	int members = 0;
	bool ok = TRUE;

	if (body.len > 0xffff - GIKEV2_PAYLOAD_HEADER)
	{
		DBG1(DBG_ENC, "G-IKEv2: KD body of %zu bytes too long", body.len);
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
			.create_key_bag_enumerator = _create_key_bag_enumerator,
			.get_group_key_bag = _get_group_key_bag,
			.get_member_key_bag = _get_member_key_bag,
			.get_body = _get_body,
			.destroy = _destroy,
		},
		.next_payload = PL_NONE,
		.key_bags = linked_list_create(),
	);

	reader = bio_reader_create(body);
	while (ok && reader->remaining(reader))
	{
		if (!gikev2_read_substruct(reader, GIKEV2_SUBSTRUCT_HEADER, &sub,
								   "key bag"))
		{
			ok = FALSE;
			break;
		}
		bag = kd_key_bag_parse(sub);
		if (!bag)
		{
			ok = FALSE;
			break;
		}
		if (bag->protocol == GIKEV2_PROTO_NONE)
		{
			members++;
		}
		else if (find_bag(this, bag->protocol, bag->spi))
		{
			DBG1(DBG_ENC, "G-IKEv2: two key bags for the same SA");
			ok = FALSE;
		}
		this->key_bags->insert_last(this->key_bags, bag);
	}
	reader->destroy(reader);

	if (ok && members > 1)
	{
		DBG1(DBG_ENC, "G-IKEv2: KD payload with %d member key bags", members);
		ok = FALSE;
	}
	if (ok && !this->key_bags->get_count(this->key_bags))
	{
		DBG1(DBG_ENC, "G-IKEv2: KD payload without key bags");
		ok = FALSE;
	}
	if (ok && encoded)
	{
		this->body = chunk_clone(body);
	}
	else if (ok && !encode(this->key_bags, &this->body))
	{
		ok = FALSE;
	}
	if (!ok)
	{
		destroy(this);
		return NULL;
	}
	this->payload_length = GIKEV2_PAYLOAD_HEADER + this->body.len;
	return &this->public;
}

/*
 * Described in header
 */
kd_payload_t *kd_payload_create_from_data(chunk_t body)
{
	return parse(body, FALSE);
}

/*
 * Described in header
 */
kd_payload_t *kd_payload_create(linked_list_t *key_bags)
{
	kd_payload_t *this = NULL;
	chunk_t body;

	if (encode(key_bags, &body))
	{
		/* what we would refuse we never send */
		this = parse(body, TRUE);
	}
	chunk_clear(&body);
	return this;
}
