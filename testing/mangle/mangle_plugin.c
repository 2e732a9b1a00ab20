/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * mike-mangle: a TEST-ONLY charon plugin that puts raw, possibly malformed,
 * G-IKEv2 payloads on the wire, for testing/scenarios/malformed.
 *
 *   charon.plugins.mike-mangle.idg = <hex>   IDg (50) body added to the
 *       initiator's first IKE_AUTH request (the one with IDi)
 *   charon.plugins.mike-mangle.gsa = <hex>   GSA (51) body and
 *   charon.plugins.mike-mangle.kd = <hex>    KD (52) body added to the
 *       responder's IKE_AUTH response that carries AUTH
 *
 * <hex> may contain blanks, ':' and '.' as separators; "empty" stands for
 * an empty body.  An unset or blank option adds nothing.  The options are
 * read at each message, so "swanctl --reload-settings" switches bodies
 * without restarting charon.  Never load this plugin in production.
 */

#include <stddef.h>
#include <ctype.h>

#include <daemon.h>
#include <plugins/plugin.h>
#include <encoding/payloads/encodings.h>

/** the generic payload header */
#define RAW_HEADER_LEN 4

typedef struct raw_payload_t raw_payload_t;

/**
 * A payload of any type: the generic header and an opaque body.
 */
struct raw_payload_t {

	/** implements payload_t */
	payload_t public;

	/** the type returned by get_type() */
	payload_type_t type;

	/** next payload type */
	uint8_t next_payload;

	/** critical flag, always 0 */
	bool critical;

	/** reserved bits */
	bool reserved[7];

	/** header plus body */
	uint16_t payload_length;

	/** the body, sent as is */
	chunk_t body;
};

static encoding_rule_t encodings[] = {
	{ U_INT_8,			offsetof(raw_payload_t, next_payload)		},
	{ FLAG,				offsetof(raw_payload_t, critical)			},
	{ RESERVED_BIT,		offsetof(raw_payload_t, reserved[0])		},
	{ RESERVED_BIT,		offsetof(raw_payload_t, reserved[1])		},
	{ RESERVED_BIT,		offsetof(raw_payload_t, reserved[2])		},
	{ RESERVED_BIT,		offsetof(raw_payload_t, reserved[3])		},
	{ RESERVED_BIT,		offsetof(raw_payload_t, reserved[4])		},
	{ RESERVED_BIT,		offsetof(raw_payload_t, reserved[5])		},
	{ RESERVED_BIT,		offsetof(raw_payload_t, reserved[6])		},
	{ PAYLOAD_LENGTH,	offsetof(raw_payload_t, payload_length)		},
	{ CHUNK_DATA,		offsetof(raw_payload_t, body)				},
};

METHOD(payload_t, raw_verify, status_t,
	raw_payload_t *this)
{
	return SUCCESS;
}

METHOD(payload_t, raw_get_encoding_rules, int,
	raw_payload_t *this, encoding_rule_t **rules)
{
	*rules = encodings;
	return countof(encodings);
}

METHOD(payload_t, raw_get_header_length, int,
	raw_payload_t *this)
{
	return RAW_HEADER_LEN;
}

METHOD(payload_t, raw_get_type, payload_type_t,
	raw_payload_t *this)
{
	return this->type;
}

METHOD(payload_t, raw_get_next_type, payload_type_t,
	raw_payload_t *this)
{
	return this->next_payload;
}

METHOD(payload_t, raw_set_next_type, void,
	raw_payload_t *this, payload_type_t type)
{
	this->next_payload = type;
}

METHOD(payload_t, raw_get_length, size_t,
	raw_payload_t *this)
{
	return this->payload_length;
}

METHOD(payload_t, raw_destroy, void,
	raw_payload_t *this)
{
	free(this->body.ptr);
	free(this);
}

/**
 * A raw payload of a type with a copy of body, NULL if too long
 */
static payload_t *raw_payload_create(payload_type_t type, chunk_t body)
{
	raw_payload_t *this;

	if (body.len > 0xffff - RAW_HEADER_LEN)
	{
		return NULL;
	}
	INIT(this,
		.public = {
			.verify = _raw_verify,
			.get_encoding_rules = _raw_get_encoding_rules,
			.get_header_length = _raw_get_header_length,
			.get_length = _raw_get_length,
			.get_next_type = _raw_get_next_type,
			.set_next_type = _raw_set_next_type,
			.get_type = _raw_get_type,
			.destroy = _raw_destroy,
		},
		.type = type,
		.next_payload = PL_NONE,
		.payload_length = RAW_HEADER_LEN + body.len,
		.body = chunk_clone(body),
	);
	return &this->public;
}

/**
 * Decode the hex of an option; FALSE if unset or blank (nothing to add) or
 * invalid (logged)
 */
static bool get_body(const char *key, chunk_t *body)
{
	char *value, *pos;
	size_t len = 0, digits = 0;
	int nibble;

	value = lib->settings->get_str(lib->settings,
							"%s.plugins.mike-mangle.%s", NULL, lib->ns, key);
	if (!value)
	{
		return FALSE;
	}
	if (streq(value, "empty"))
	{
		*body = chunk_empty;
		return TRUE;
	}
	*body = chunk_alloc(strlen(value) / 2 + 1);
	memset(body->ptr, 0, body->len);
	for (pos = value; *pos; pos++)
	{
		if (*pos == ' ' || *pos == '\t' || *pos == ':' || *pos == '.')
		{
			continue;
		}
		if (!isxdigit(*pos))
		{
			DBG1(DBG_CFG, "mike-mangle: %s: '%c' is not a hex digit, nothing "
				 "added", key, *pos);
			chunk_free(body);
			return FALSE;
		}
		nibble = isdigit(*pos) ? *pos - '0' : tolower(*pos) - 'a' + 10;
		body->ptr[digits / 2] |= (digits % 2) ? nibble : nibble << 4;
		digits++;
	}
	len = digits / 2;
	if (digits % 2)
	{
		DBG1(DBG_CFG, "mike-mangle: %s: odd number of hex digits, nothing "
			 "added", key);
		chunk_free(body);
		return FALSE;
	}
	if (!len)
	{	/* blank: nothing to add */
		chunk_free(body);
		return FALSE;
	}
	body->len = len;
	return TRUE;
}

/**
 * Add a raw payload from an option, if it is set
 */
static void add_raw(message_t *message, const char *key, payload_type_t type,
					const char *name)
{
	payload_t *payload;
	chunk_t body;

	if (!get_body(key, &body))
	{
		return;
	}
	payload = raw_payload_create(type, body);
	if (payload)
	{
		DBG1(DBG_IKE, "mike-mangle: adding a raw %s payload (type %d) with a "
			 "%zu byte body to IKE_AUTH %s: %+B", name, type, body.len,
			 message->get_request(message) ? "request" : "response", &body);
		message->add_payload(message, payload);
	}
	else
	{
		DBG1(DBG_IKE, "mike-mangle: %s body of %zu bytes too long", name,
			 body.len);
	}
	chunk_free(&body);
}

typedef struct private_mangle_plugin_t private_mangle_plugin_t;

/**
 * The plugin, which is also the listener.
 */
struct private_mangle_plugin_t {

	/** implements plugin_t */
	plugin_t plugin;

	/** listens on charon's bus */
	listener_t listener;
};

METHOD(listener_t, message_hook, bool,
	private_mangle_plugin_t *this, ike_sa_t *ike_sa, message_t *message,
	bool incoming, bool plain)
{
	if (incoming || !plain ||
		message->get_exchange_type(message) != IKE_AUTH)
	{
		return TRUE;
	}
	if (message->get_request(message))
	{	/* the first IKE_AUTH request is the one with IDi */
		if (message->get_payload(message, PLV2_ID_INITIATOR))
		{
			add_raw(message, "idg", (payload_type_t)50, "IDg");
		}
	}
	else if (message->get_payload(message, PLV2_AUTH))
	{	/* the final IKE_AUTH response */
		add_raw(message, "gsa", (payload_type_t)51, "GSA");
		add_raw(message, "kd", (payload_type_t)52, "KD");
	}
	return TRUE;
}

METHOD(plugin_t, get_name, char*,
	private_mangle_plugin_t *this)
{
	return "mike-mangle";
}

/**
 * Register on the bus once charon is up (and leave it on unload)
 */
static bool plugin_cb(private_mangle_plugin_t *this,
					  plugin_feature_t *feature, bool reg, void *cb_data)
{
	if (reg)
	{
		DBG1(DBG_CFG, "mike-mangle: TEST-ONLY plugin loaded, raw G-IKEv2 "
			 "payloads from charon.plugins.mike-mangle.{idg,gsa,kd}");
		charon->bus->add_listener(charon->bus, &this->listener);
	}
	else
	{
		charon->bus->remove_listener(charon->bus, &this->listener);
	}
	return TRUE;
}

METHOD(plugin_t, get_features, int,
	private_mangle_plugin_t *this, plugin_feature_t *features[])
{
	static plugin_feature_t f[] = {
		PLUGIN_CALLBACK((plugin_feature_callback_t)plugin_cb, NULL),
			PLUGIN_PROVIDE(CUSTOM, "mike-mangle"),
	};
	*features = f;
	return countof(f);
}

METHOD(plugin_t, destroy, void,
	private_mangle_plugin_t *this)
{
	free(this);
}

/**
 * Plugin constructor, found by charon's loader from the name "mike-mangle".
 */
plugin_t *mike_mangle_plugin_create()
{
	private_mangle_plugin_t *this;

	INIT(this,
		.plugin = {
			.get_name = _get_name,
			.get_features = _get_features,
			.destroy = _destroy,
		},
		.listener = {
			.message = _message_hook,
		},
	);
	return &this->plugin;
}
