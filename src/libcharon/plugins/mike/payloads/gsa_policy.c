/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "gsa_policy.h"

#include <crypto/crypters/crypter.h>
#include <utils/debug.h>

/** Last Substruc values of transforms (RFC 7296 3.3.2) */
#define TRANSFORM_LAST	0
#define TRANSFORM_MORE	3

/** Transform substructure without attributes */
#define TRANSFORM_FIXED_LEN	8

/** Traffic selector header plus ports (RFC 7296 3.13.1) */
#define TS_FIXED_LEN	8

/** INTEG transform ID NONE */
#define INTEG_NONE	0

/*
 * Described in header
 */
gsa_policy_t *gsa_policy_create(uint8_t protocol, chunk_t spi,
								traffic_selector_t *src,
								traffic_selector_t *dst)
{
	gsa_policy_t *this;

	INIT(this,
		.protocol = protocol,
		.spi = chunk_clone(spi),
		.src = src ? src->clone(src) : NULL,
		.dst = dst ? dst->clone(dst) : NULL,
		.transforms = linked_list_create(),
		.attrs = linked_list_create(),
	);
	return this;
}

/*
 * Described in header
 */
gsa_policy_t *gsa_policy_create_gw(void)
{
	return gsa_policy_create(GIKEV2_PROTO_NONE, chunk_empty, NULL, NULL);
}

/**
 * Destroy a transform.
 */
static void transform_destroy(gsa_transform_t *this)
{
	gikev2_attrs_destroy(this->attrs);
	free(this);
}

/**
 * Clone a transform.
 */
static gsa_transform_t *transform_clone(gsa_transform_t *this)
{
	gsa_transform_t *clone;

	INIT(clone,
		.type = this->type,
		.id = this->id,
		.attrs = gikev2_attrs_clone(this->attrs),
	);
	return clone;
}

/*
 * Described in header
 */
gsa_transform_t *gsa_policy_add_transform(gsa_policy_t *this, uint8_t type,
										  uint16_t id, uint16_t key_length)
{
	gsa_transform_t *transform;

	INIT(transform,
		.type = type,
		.id = id,
		.attrs = linked_list_create(),
	);
	if (key_length)
	{
		transform->attrs->insert_last(transform->attrs,
					gikev2_attr_create_tv(GIKEV2_TATTR_KEY_LENGTH, key_length));
	}
	this->transforms->insert_last(this->transforms, transform);
	return transform;
}

/*
 * Described in header
 */
void gsa_policy_add_attr(gsa_policy_t *this, gikev2_attr_t *attr)
{
	this->attrs->insert_last(this->attrs, attr);
}

/*
 * Described in header
 */
gsa_transform_t *gsa_policy_get_transform(gsa_policy_t *this, uint8_t type)
{
	enumerator_t *enumerator;
	gsa_transform_t *transform, *found = NULL;

	enumerator = this->transforms->create_enumerator(this->transforms);
	while (enumerator->enumerate(enumerator, &transform))
	{
		if (transform->type == type)
		{
			found = transform;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/*
 * Described in header
 */
uint16_t gsa_transform_get_key_length(gsa_transform_t *this)
{
	uint16_t len = 0;

	gikev2_attrs_get_tv(this->attrs, GIKEV2_TATTR_KEY_LENGTH, &len);
	return len;
}

/*
 * Described in header
 */
gsa_policy_t *gsa_policy_clone(gsa_policy_t *this)
{
	enumerator_t *enumerator;
	gsa_transform_t *transform;
	gsa_policy_t *clone;

	INIT(clone,
		.protocol = this->protocol,
		.spi = chunk_clone(this->spi),
		.src = this->src ? this->src->clone(this->src) : NULL,
		.dst = this->dst ? this->dst->clone(this->dst) : NULL,
		.transforms = linked_list_create(),
		.attrs = gikev2_attrs_clone(this->attrs),
	);
	enumerator = this->transforms->create_enumerator(this->transforms);
	while (enumerator->enumerate(enumerator, &transform))
	{
		clone->transforms->insert_last(clone->transforms,
									   transform_clone(transform));
	}
	enumerator->destroy(enumerator);
	return clone;
}

/*
 * Described in header
 */
void gsa_policy_destroy(gsa_policy_t *this)
{
	DESTROY_IF(this->src);
	DESTROY_IF(this->dst);
	this->transforms->destroy_function(this->transforms,
									   (void*)transform_destroy);
	gikev2_attrs_destroy(this->attrs);
	free(this->spi.ptr);
	free(this);
}

/**
 * Encode a traffic selector substructure (RFC 7296 3.13.1).
 */
static void write_ts(traffic_selector_t *ts, bio_writer_t *writer)
{
	chunk_t from = ts->get_from_address(ts), to = ts->get_to_address(ts);

	writer->write_uint8(writer, ts->get_type(ts));
	writer->write_uint8(writer, ts->get_protocol(ts));
	writer->write_uint16(writer, TS_FIXED_LEN + from.len + to.len);
	writer->write_uint16(writer, ts->get_from_port(ts));
	writer->write_uint16(writer, ts->get_to_port(ts));
	writer->write_data(writer, from);
	writer->write_data(writer, to);
}

/**
 * Write a substructure length at a given offset of the writer's buffer.
 */
static bool patch_length(bio_writer_t *writer, size_t start, const char *what)
{
	chunk_t buf = writer->get_buf(writer);
	size_t len = buf.len - start;

	if (len > 0xffff)
	{
		DBG1(DBG_ENC, "G-IKEv2: %s too long to encode (%zu bytes)", what, len);
		return FALSE;
	}
	htoun16(buf.ptr + start + 2, len);
	return TRUE;
}

/*
 * Described in header
 */
bool gsa_policy_write(gsa_policy_t *this, bio_writer_t *writer)
{
	enumerator_t *enumerator;
	gsa_transform_t *transform;
	size_t start, tstart;
	int left;
	bool ok = TRUE;

	start = writer->get_buf(writer).len;
	writer->write_uint8(writer, this->protocol);
	if (this->protocol == GIKEV2_PROTO_NONE)
	{	/* GW policy: RESERVED instead of SPI Size, no SPI/TS/transforms */
		writer->write_uint8(writer, 0);
		writer->write_uint16(writer, 0);
		return gikev2_attrs_write(this->attrs, writer) &&
			   patch_length(writer, start, "GW policy");
	}
	if (!this->src || !this->dst || this->spi.len > 0xff)
	{
		DBG1(DBG_ENC, "G-IKEv2: GSA policy without selectors or bad SPI");
		return FALSE;
	}
	writer->write_uint8(writer, this->spi.len);
	writer->write_uint16(writer, 0);
	writer->write_data(writer, this->spi);
	write_ts(this->src, writer);
	write_ts(this->dst, writer);

	left = this->transforms->get_count(this->transforms);
	enumerator = this->transforms->create_enumerator(this->transforms);
	while (ok && enumerator->enumerate(enumerator, &transform))
	{
		tstart = writer->get_buf(writer).len;
		writer->write_uint8(writer, --left ? TRANSFORM_MORE : TRANSFORM_LAST);
		writer->write_uint8(writer, 0);
		writer->write_uint16(writer, 0);
		writer->write_uint8(writer, transform->type);
		writer->write_uint8(writer, 0);
		writer->write_uint16(writer, transform->id);
		ok = gikev2_attrs_write(transform->attrs, writer) &&
			 patch_length(writer, tstart, "GSA transform");
	}
	enumerator->destroy(enumerator);

	return ok && gikev2_attrs_write(this->attrs, writer) &&
		   patch_length(writer, start, "GSA policy");
}

/**
 * Parse a traffic selector substructure.
 */
static traffic_selector_t *parse_ts(bio_reader_t *reader, const char *where)
{
	traffic_selector_t *ts;
	chunk_t sub, from, to;
	size_t addr_len;
	uint8_t type, protocol;
	uint16_t from_port, to_port;

	if (!gikev2_read_substruct(reader, TS_FIXED_LEN, &sub, where))
	{
		return NULL;
	}
	type = sub.ptr[0];
	protocol = sub.ptr[1];
	switch (type)
	{
		case TS_IPV4_ADDR_RANGE:
			addr_len = 4;
			break;
		case TS_IPV6_ADDR_RANGE:
			addr_len = 16;
			break;
		default:
			DBG1(DBG_ENC, "G-IKEv2: unsupported type %u of %s", type, where);
			return NULL;
	}
	if (sub.len != TS_FIXED_LEN + 2 * addr_len)
	{
		DBG1(DBG_ENC, "G-IKEv2: %s of type %u has length %zu, expected %zu",
			 where, type, sub.len, TS_FIXED_LEN + 2 * addr_len);
		return NULL;
	}
	from_port = untoh16(sub.ptr + 4);
	to_port = untoh16(sub.ptr + 6);
	from = chunk_create(sub.ptr + TS_FIXED_LEN, addr_len);
	to = chunk_create(sub.ptr + TS_FIXED_LEN + addr_len, addr_len);
	ts = traffic_selector_create_from_bytes(protocol, type, from, from_port,
											to, to_port);
	if (!ts)
	{
		DBG1(DBG_ENC, "G-IKEv2: invalid %s", where);
	}
	return ts;
}

/**
 * Check if a transform type is allowed for a protocol (RFC 9838 4.4.2.1).
 */
static bool transform_allowed(uint8_t protocol, uint8_t type, bool *mandatory)
{
	*mandatory = FALSE;
	switch (protocol)
	{
		case GIKEV2_PROTO_ESP:
			switch (type)
			{
				case GIKEV2_TRANSFORM_ENCR:
				case GIKEV2_TRANSFORM_SN:
					*mandatory = TRUE;
					return TRUE;
				case GIKEV2_TRANSFORM_INTEG:
					return TRUE;
			}
			return FALSE;
		case GIKEV2_PROTO_AH:
			switch (type)
			{
				case GIKEV2_TRANSFORM_INTEG:
				case GIKEV2_TRANSFORM_SN:
					*mandatory = TRUE;
					return TRUE;
			}
			return FALSE;
		case GIKEV2_PROTO_GIKE_UPDATE:
			switch (type)
			{
				case GIKEV2_TRANSFORM_ENCR:
				case GIKEV2_TRANSFORM_KWA:
					*mandatory = TRUE;
					return TRUE;
				case GIKEV2_TRANSFORM_INTEG:
				case GIKEV2_TRANSFORM_GCAUTH:
					/* INTEG depends on the cipher, GCAUTH on the exchange */
					return TRUE;
			}
			return FALSE;
	}
	return FALSE;
}

/**
 * Validate one transform and its attributes.
 */
static bool check_transform(gsa_transform_t *transform)
{
	static const gikev2_attr_rule_t encr_rules[] = {
		{ GIKEV2_TATTR_KEY_LENGTH, "Key Length", TRUE, 0, 0, FALSE },
	};
	static const gikev2_attr_rule_t gcauth_rules[] = {
		{ GIKEV2_TATTR_SIG_ALG_ID, "Signature Algorithm Identifier",
		  FALSE, 0, 1, FALSE },
	};
	bool has_sig_alg;

	switch (transform->type)
	{
		case GIKEV2_TRANSFORM_ENCR:
			return gikev2_attrs_check(transform->attrs, encr_rules,
									  countof(encr_rules), 0,
									  "ENCR transform");
		case GIKEV2_TRANSFORM_SN:
			if (transform->id == GIKEV2_SN_64BIT_PARTIAL)
			{
				DBG1(DBG_ENC, "G-IKEv2: 64-bit sequence numbers are not "
					 "allowed for group SAs");
				return FALSE;
			}
			if (transform->id != GIKEV2_SN_32BIT_SEQUENTIAL &&
				transform->id != GIKEV2_SN_32BIT_UNSPECIFIED)
			{
				DBG1(DBG_ENC, "G-IKEv2: unknown SN transform ID %u",
					 transform->id);
				return FALSE;
			}
			break;
		case GIKEV2_TRANSFORM_GCAUTH:
			if (!gikev2_attrs_check(transform->attrs, gcauth_rules,
									countof(gcauth_rules), 0,
									"GCAUTH transform"))
			{
				return FALSE;
			}
			has_sig_alg = gikev2_attrs_find(transform->attrs,
											GIKEV2_TATTR_SIG_ALG_ID) != NULL;
			if (has_sig_alg !=
				(transform->id == GIKEV2_GCAUTH_DIGITAL_SIGNATURE))
			{
				DBG1(DBG_ENC, "G-IKEv2: Signature Algorithm Identifier is "
					 "required with and only with GCAUTH Digital Signature");
				return FALSE;
			}
			return TRUE;
		default:
			break;
	}
	if (transform->attrs->get_count(transform->attrs))
	{
		DBG1(DBG_ENC, "G-IKEv2: transform type %u takes no attributes",
			 transform->type);
		return FALSE;
	}
	return TRUE;
}

/**
 * Validate the set of transforms of a GSA policy.
 */
static bool check_transforms(gsa_policy_t *this)
{
	enumerator_t *enumerator;
	gsa_transform_t *transform, *encr, *integ;
	uint8_t seen[256] = {};
	bool mandatory, ok = TRUE;
	int mandatory_seen = 0, mandatory_count = 2;

	enumerator = this->transforms->create_enumerator(this->transforms);
	while (ok && enumerator->enumerate(enumerator, &transform))
	{
		if (!transform_allowed(this->protocol, transform->type, &mandatory))
		{
			DBG1(DBG_ENC, "G-IKEv2: transform type %u not allowed for "
				 "protocol %u", transform->type, this->protocol);
			ok = FALSE;
		}
		else if (seen[transform->type]++)
		{
			DBG1(DBG_ENC, "G-IKEv2: transform type %u appears more than once",
				 transform->type);
			ok = FALSE;
		}
		else
		{
			mandatory_seen += mandatory;
			ok = check_transform(transform);
		}
	}
	enumerator->destroy(enumerator);
	if (!ok)
	{
		return FALSE;
	}
	if (mandatory_seen != mandatory_count)
	{
		DBG1(DBG_ENC, "G-IKEv2: GSA policy for protocol %u lacks a mandatory "
			 "transform", this->protocol);
		return FALSE;
	}
	encr = gsa_policy_get_transform(this, GIKEV2_TRANSFORM_ENCR);
	integ = gsa_policy_get_transform(this, GIKEV2_TRANSFORM_INTEG);
	if (encr && encryption_algorithm_is_aead(encr->id))
	{
		if (integ && integ->id != INTEG_NONE)
		{
			DBG1(DBG_ENC, "G-IKEv2: AEAD cipher with an integrity algorithm");
			return FALSE;
		}
	}
	else if (this->protocol != GIKEV2_PROTO_ESP &&
			 (!integ || integ->id == INTEG_NONE))
	{
		DBG1(DBG_ENC, "G-IKEv2: GSA policy for protocol %u needs an "
			 "integrity algorithm", this->protocol);
		return FALSE;
	}
	return TRUE;
}

/**
 * Parse the transform list, ended by a transform with Last Substruc 0.
 */
static bool parse_transforms(gsa_policy_t *this, bio_reader_t *reader)
{
	gsa_transform_t *transform;
	chunk_t sub;
	uint8_t last;

	do
	{
		if (!gikev2_read_substruct(reader, TRANSFORM_FIXED_LEN, &sub,
								   "GSA transform"))
		{
			return FALSE;
		}
		last = sub.ptr[0];
		if (last != TRANSFORM_LAST && last != TRANSFORM_MORE)
		{
			DBG1(DBG_ENC, "G-IKEv2: GSA transform with Last Substruc %u",
				 last);
			return FALSE;
		}
		INIT(transform,
			.type = sub.ptr[4],
			.id = untoh16(sub.ptr + 6),
			.attrs = gikev2_attrs_parse(chunk_skip(sub, TRANSFORM_FIXED_LEN),
										"GSA transform"),
		);
		if (!transform->attrs)
		{
			free(transform);
			return FALSE;
		}
		this->transforms->insert_last(this->transforms, transform);
	}
	while (last == TRANSFORM_MORE);
	return TRUE;
}

/**
 * Parse a GW policy substructure body (after the header).
 */
static gsa_policy_t *parse_gw(chunk_t attrs)
{
	static const gikev2_attr_rule_t rules[] = {
		{ GIKEV2_GWP_ATD, "GWP_ATD", TRUE, 0, 0, FALSE },
		{ GIKEV2_GWP_DTD, "GWP_DTD", TRUE, 0, 0, FALSE },
		{ GIKEV2_GWP_SENDER_ID_BITS, "GWP_SENDER_ID_BITS", TRUE, 0, 0, FALSE },
	};
	gsa_policy_t *this;

	this = gsa_policy_create_gw();
	gikev2_attrs_destroy(this->attrs);
	this->attrs = gikev2_attrs_parse(attrs, "GW policy");
	if (!this->attrs)
	{
		this->attrs = linked_list_create();
		gsa_policy_destroy(this);
		return NULL;
	}
	if (!gikev2_attrs_check(this->attrs, rules, countof(rules), GIKEV2_GWP_ASSIGNED,
							"GW policy"))
	{
		gsa_policy_destroy(this);
		return NULL;
	}
	return this;
}

/*
 * Described in header
 */
gsa_policy_t *gsa_policy_parse(chunk_t sub)
{
	/* the attributes of every protocol, then those of the policy's own */
	gikev2_attr_rule_t rules[4] = {
		{ GIKEV2_GSA_KEY_LIFETIME, "GSA_KEY_LIFETIME", FALSE, 4, 0, FALSE },
		{ GIKEV2_GSA_NEXT_SPI, "GSA_NEXT_SPI", FALSE, 0, 0, TRUE },
	};
	const gikev2_attr_rule_t initial_msg_id = {
		GIKEV2_GSA_INITIAL_MESSAGE_ID, "GSA_INITIAL_MESSAGE_ID",
		FALSE, 4, 0, FALSE,
	}, sam_session = {
		/* private use, docs/sam-keys.md: session ID, scheme, flags */
		GIKEV2_GSA_MIKE_SAM_SESSION, "MIKE_SAM_SESSION", FALSE, 6, 0, FALSE,
	}, sam_source = {
		/* source ID, scheme, reserved, at least a byte of key */
		GIKEV2_GSA_MIKE_SAM_SOURCE, "MIKE_SAM_SOURCE", FALSE, 0, 7, FALSE,
	}, sam_bootstrap = {
		/* opaque to the plugin, at least a byte (libsam checks it) */
		GIKEV2_GSA_MIKE_SAM_BOOTSTRAP, "MIKE_SAM_BOOTSTRAP", FALSE, 0, 1,
		FALSE,
	};
	int rule_count = 2;
	gsa_policy_t *this;
	bio_reader_t *reader;
	uint8_t protocol, spi_size;
	chunk_t spi, attrs;

	protocol = sub.ptr[0];
	spi_size = sub.ptr[1];
	if (protocol == GIKEV2_PROTO_NONE)
	{	/* the RESERVED byte is ignored on receipt */
		return parse_gw(chunk_skip(sub, GIKEV2_SUBSTRUCT_HEADER));
	}
	switch (protocol)
	{
		case GIKEV2_PROTO_AH:
		case GIKEV2_PROTO_ESP:
			if (spi_size != GIKEV2_SPI_SIZE_IPSEC)
			{
				DBG1(DBG_ENC, "G-IKEv2: GSA policy for protocol %u with SPI "
					 "size %u", protocol, spi_size);
				return NULL;
			}
			rules[rule_count++] = sam_source;
			rules[rule_count++] = sam_bootstrap;
			break;
		case GIKEV2_PROTO_GIKE_UPDATE:
			if (spi_size != GIKEV2_SPI_SIZE_GIKE_UPDATE)
			{
				DBG1(DBG_ENC, "G-IKEv2: GIKE_UPDATE policy with SPI size %u",
					 spi_size);
				return NULL;
			}
			rules[rule_count++] = initial_msg_id;
			rules[rule_count++] = sam_session;
			break;
		default:
			DBG1(DBG_ENC, "G-IKEv2: unknown GSA policy protocol %u", protocol);
			return NULL;
	}
	/* GSA_NEXT_SPI carries an SPI of the policy's size */
	rules[1].len = spi_size;

	this = gsa_policy_create(protocol, chunk_empty, NULL, NULL);
	reader = bio_reader_create(chunk_skip(sub, GIKEV2_SUBSTRUCT_HEADER));
	if (reader->remaining(reader) < spi_size ||
		!reader->read_data(reader, spi_size, &spi))
	{
		DBG1(DBG_ENC, "G-IKEv2: GSA policy truncated in SPI");
		goto failed;
	}
	this->spi = chunk_clone(spi);
	this->src = parse_ts(reader, "source traffic selector");
	if (!this->src)
	{
		goto failed;
	}
	this->dst = parse_ts(reader, "destination traffic selector");
	if (!this->dst || !parse_transforms(this, reader))
	{
		goto failed;
	}
	attrs = reader->peek(reader);
	gikev2_attrs_destroy(this->attrs);
	this->attrs = gikev2_attrs_parse(attrs, "GSA policy");
	if (!this->attrs)
	{
		this->attrs = linked_list_create();
		goto failed;
	}
	if (!gikev2_attrs_check(this->attrs, rules, rule_count,
							GIKEV2_GSA_ASSIGNED, "GSA policy") ||
		!check_transforms(this))
	{
		goto failed;
	}
	reader->destroy(reader);
	return this;

failed:
	reader->destroy(reader);
	gsa_policy_destroy(this);
	return NULL;
}
