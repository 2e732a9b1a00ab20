/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "gsa_payload.h"

#include <stddef.h>

#include <encoding/payloads/encodings.h>
#include <utils/debug.h>

typedef struct private_gsa_payload_t private_gsa_payload_t;

/**
 * Private data of a gsa_payload_t.
 */
struct private_gsa_payload_t {

	/**
	 * Public interface.
	 */
	gsa_payload_t public;

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
	 * Parsed policies, gsa_policy_t, in payload order.
	 */
	linked_list_t *policies;
};

/**
 * Generic payload header followed by our own body.
 */
static encoding_rule_t encodings[] = {
	{ U_INT_8,			offsetof(private_gsa_payload_t, next_payload)	},
	{ FLAG,				offsetof(private_gsa_payload_t, critical)		},
	{ RESERVED_BIT,		offsetof(private_gsa_payload_t, reserved[0])	},
	{ RESERVED_BIT,		offsetof(private_gsa_payload_t, reserved[1])	},
	{ RESERVED_BIT,		offsetof(private_gsa_payload_t, reserved[2])	},
	{ RESERVED_BIT,		offsetof(private_gsa_payload_t, reserved[3])	},
	{ RESERVED_BIT,		offsetof(private_gsa_payload_t, reserved[4])	},
	{ RESERVED_BIT,		offsetof(private_gsa_payload_t, reserved[5])	},
	{ RESERVED_BIT,		offsetof(private_gsa_payload_t, reserved[6])	},
	{ PAYLOAD_LENGTH,	offsetof(private_gsa_payload_t, payload_length)	},
	{ CHUNK_DATA,		offsetof(private_gsa_payload_t, body)			},
};

/*
                           1                   2                   3
       0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
      +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
      ! Next Payload  !C!  RESERVED   !         Payload Length        !
      +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
      !                                                               !
      ~                       <Group Policies>                        ~
      !                                                               !
      +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
*/

METHOD(payload_t, verify, status_t,
	private_gsa_payload_t *this)
{
	return SUCCESS;
}

METHOD(payload_t, get_encoding_rules, int,
	private_gsa_payload_t *this, encoding_rule_t **rules)
{
	*rules = encodings;
	return countof(encodings);
}

METHOD(payload_t, get_header_length, int,
	private_gsa_payload_t *this)
{
	return GIKEV2_PAYLOAD_HEADER;
}

METHOD(payload_t, get_type, payload_type_t,
	private_gsa_payload_t *this)
{
	return GIKEV2_PL_GSA;
}

METHOD(payload_t, get_next_type, payload_type_t,
	private_gsa_payload_t *this)
{
	return this->next_payload;
}

METHOD(payload_t, set_next_type, void,
	private_gsa_payload_t *this, payload_type_t type)
{
	this->next_payload = type;
}

METHOD(payload_t, get_length, size_t,
	private_gsa_payload_t *this)
{
	return this->payload_length;
}

METHOD(gsa_payload_t, create_policy_enumerator, enumerator_t*,
	private_gsa_payload_t *this)
{
	return this->policies->create_enumerator(this->policies);
}

/**
 * Find the first policy of a protocol.
 */
static gsa_policy_t *find_policy(private_gsa_payload_t *this, uint8_t protocol)
{
	enumerator_t *enumerator;
	gsa_policy_t *policy, *found = NULL;

	enumerator = this->policies->create_enumerator(this->policies);
	while (enumerator->enumerate(enumerator, &policy))
	{
		if (policy->protocol == protocol)
		{
			found = policy;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

METHOD(gsa_payload_t, get_kek_policy, gsa_policy_t*,
	private_gsa_payload_t *this)
{
	return find_policy(this, GIKEV2_PROTO_GIKE_UPDATE);
}

METHOD(gsa_payload_t, get_gw_policy, gsa_policy_t*,
	private_gsa_payload_t *this)
{
	return find_policy(this, GIKEV2_PROTO_NONE);
}

METHOD(gsa_payload_t, get_body, chunk_t,
	private_gsa_payload_t *this)
{
	return this->body;
}

METHOD2(payload_t, gsa_payload_t, destroy, void,
	private_gsa_payload_t *this)
{
	this->policies->destroy_function(this->policies,
									 (void*)gsa_policy_destroy);
	free(this->body.ptr);
	free(this);
}

/**
 * Encode a list of policies into a body.
 */
static bool encode(linked_list_t *policies, chunk_t *body)
{
	enumerator_t *enumerator;
	gsa_policy_t *policy;
	bio_writer_t *writer;
	bool ok = TRUE;

	writer = bio_writer_create(256);
	enumerator = policies->create_enumerator(policies);
	while (ok && enumerator->enumerate(enumerator, &policy))
	{
		ok = gsa_policy_write(policy, writer);
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
static gsa_payload_t *parse(chunk_t body, bool encoded)
{
	private_gsa_payload_t *this;
	bio_reader_t *reader;
	gsa_policy_t *policy;
	chunk_t sub;
	int kek = 0, tek = 0, gw = 0;
	bool ok = TRUE;

	if (body.len > 0xffff - GIKEV2_PAYLOAD_HEADER)
	{
		DBG1(DBG_ENC, "G-IKEv2: GSA body of %zu bytes too long", body.len);
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
			.create_policy_enumerator = _create_policy_enumerator,
			.get_kek_policy = _get_kek_policy,
			.get_gw_policy = _get_gw_policy,
			.get_body = _get_body,
			.destroy = _destroy,
		},
		.next_payload = PL_NONE,
		.policies = linked_list_create(),
	);

	reader = bio_reader_create(body);
	while (ok && reader->remaining(reader))
	{
		if (!gikev2_read_substruct(reader, GIKEV2_SUBSTRUCT_HEADER, &sub,
								   "GSA policy substructure"))
		{
			ok = FALSE;
			break;
		}
		policy = gsa_policy_parse(sub);
		if (!policy)
		{
			ok = FALSE;
			break;
		}
		switch (policy->protocol)
		{
			case GIKEV2_PROTO_GIKE_UPDATE:
				kek++;
				break;
			case GIKEV2_PROTO_NONE:
				gw++;
				break;
			default:
				tek++;
				break;
		}
		this->policies->insert_last(this->policies, policy);
	}
	reader->destroy(reader);

	if (ok && (kek > 1 || gw > 1))
	{
		DBG1(DBG_ENC, "G-IKEv2: GSA payload with %d KEK and %d GW policies, "
			 "at most one each allowed", kek, gw);
		ok = FALSE;
	}
	if (ok && !kek && !tek)
	{
		DBG1(DBG_ENC, "G-IKEv2: GSA payload without KEK or TEK policy");
		ok = FALSE;
	}
	if (ok && encoded)
	{
		this->body = chunk_clone(body);
	}
	else if (ok && !encode(this->policies, &this->body))
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
gsa_payload_t *gsa_payload_create_from_data(chunk_t body)
{
	return parse(body, FALSE);
}

/*
 * Described in header
 */
gsa_payload_t *gsa_payload_create(linked_list_t *policies)
{
	gsa_payload_t *this = NULL;
	chunk_t body;

	if (encode(policies, &body))
	{
		/* what we would refuse we never send */
		this = parse(body, TRUE);
	}
	free(body.ptr);
	return this;
}
