/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#define _GNU_SOURCE /* asprintf */
#include "mike_group_config.h"

#include <stdio.h>

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <pwd.h>

#include <daemon.h>
#include <crypto/proposal/proposal.h>

ENUM(mike_group_role_names, MIKE_ROLE_MEMBER, MIKE_ROLE_GCKS,
	"member",
	"gcks",
);

/** IANA port for IKE, the default destination of GSA_REKEY (RFC 9838 2.1) */
#define DEFAULT_REKEY_PORT "848"

/** data-SA proposal if none is configured: AES-GCM, no separate MAC */
#define DEFAULT_ESP_PROPOSALS "aes128gcm16"

typedef struct private_mike_group_config_t private_mike_group_config_t;

/**
 * Private data of a mike_group_config_t object.
 */
struct private_mike_group_config_t {

	/**
	 * Public interface.
	 */
	mike_group_config_t public;
};

/**
 * Whether id matches one of the patterns in list
 */
static bool matches_any(linked_list_t *list, identification_t *id)
{
	enumerator_t *enumerator;
	identification_t *pattern;
	bool found = FALSE;

	enumerator = list->create_enumerator(list);
	while (!found && enumerator->enumerate(enumerator, &pattern))
	{
		found = id->matches(id, pattern) != ID_MATCH_NONE;
	}
	enumerator->destroy(enumerator);
	return found;
}

METHOD(mike_group_config_t, may_join, bool,
	private_mike_group_config_t *this, identification_t *id)
{
	return matches_any(this->public.members, id);
}

METHOD(mike_group_config_t, may_send, bool,
	private_mike_group_config_t *this, identification_t *id)
{
	return matches_any(this->public.senders, id);
}

METHOD(mike_group_config_t, destroy, void,
	private_mike_group_config_t *this)
{
	mike_group_config_t *cfg = &this->public;

	DESTROY_IF(cfg->address);
	DESTROY_IF(cfg->rekey_address);
	DESTROY_OFFSET_IF(cfg->proposals, offsetof(proposal_t, destroy));
	DESTROY_OFFSET_IF(cfg->members, offsetof(identification_t, destroy));
	DESTROY_OFFSET_IF(cfg->senders, offsetof(identification_t, destroy));
	DESTROY_FUNCTION_IF(cfg->users, free);
	free(cfg->name);
	free(cfg->sam_scheme);
	free(cfg->connection);
	free(this);
}

/**
 * A multicast address; IPv4 224.0.0.0/4 or IPv6 ff00::/8
 */
static host_t *parse_multicast(char *str)
{
	host_t *host;
	chunk_t addr;
	bool multicast;

	host = host_create_from_string(str, 0);
	if (!host)
	{
		return NULL;
	}
	addr = host->get_address(host);
	multicast = host->get_family(host) == AF_INET ?
					(addr.ptr[0] & 0xf0) == 0xe0 : addr.ptr[0] == 0xff;
	if (!multicast)
	{
		host->destroy(host);
		return NULL;
	}
	return host;
}

/**
 * An IP protocol by name ("udp") or number, "any" or "" for 0
 */
static bool parse_protocol(char *str, uint8_t *protocol)
{
	struct protoent *proto;
	char *end;
	u_long num;

	if (!str || !*str || streq(str, "any") || streq(str, "%any"))
	{
		*protocol = 0;
		return TRUE;
	}
	num = strtoul(str, &end, 10);
	if (*end == '\0')
	{
		if (num > 255)
		{
			return FALSE;
		}
		*protocol = num;
		return TRUE;
	}
	proto = getprotobyname(str);
	if (!proto)
	{
		return FALSE;
	}
	*protocol = proto->p_proto;
	return TRUE;
}

/**
 * Comma-separated ESP proposals, as esp_proposals of swanctl.conf
 */
static linked_list_t *parse_proposals(char *str)
{
	enumerator_t *enumerator;
	linked_list_t *list;
	proposal_t *proposal;
	char *token;
	bool ok = TRUE;

	list = linked_list_create();
	enumerator = enumerator_create_token(str, ",", " ");
	while (ok && enumerator->enumerate(enumerator, &token))
	{
		proposal = proposal_create_from_string(PROTO_ESP, token);
		if (proposal)
		{
			list->insert_last(list, proposal);
		}
		ok = proposal != NULL;
	}
	enumerator->destroy(enumerator);
	if (!ok || !list->get_count(list))
	{
		list->destroy_offset(list, offsetof(proposal_t, destroy));
		return NULL;
	}
	return list;
}

/**
 * Comma-separated identities; DNs in their "/C=../O=../CN=.." form, as
 * their own commas would split them
 */
static linked_list_t *parse_identities(char *str)
{
	enumerator_t *enumerator;
	linked_list_t *list;
	char *token;

	list = linked_list_create();
	if (str)
	{
		enumerator = enumerator_create_token(str, ",", " ");
		while (enumerator->enumerate(enumerator, &token))
		{
			list->insert_last(list, identification_create_from_string(token));
		}
		enumerator->destroy(enumerator);
	}
	return list;
}

/**
 * Comma-separated local user names or numeric uids
 */
static linked_list_t *parse_users(char *str, char **bad)
{
	enumerator_t *enumerator;
	linked_list_t *list;
	struct passwd *pw;
	uid_t *uid;
	char *token, *end;
	u_long num;

	list = linked_list_create();
	if (!str)
	{
		return list;
	}
	enumerator = enumerator_create_token(str, ",", " ");
	while (enumerator->enumerate(enumerator, &token))
	{
		errno = 0;
		num = strtoul(token, &end, 10);
		if (isdigit(*token) && *end == '\0' && !errno &&
			num < (uid_t)-1)
		{
			uid = malloc_thing(uid_t);
			*uid = num;
		}
		else if ((pw = getpwnam(token)))
		{
			uid = malloc_thing(uid_t);
			*uid = pw->pw_uid;
		}
		else
		{
			*bad = strdup(token);
			break;
		}
		list->insert_last(list, uid);
	}
	enumerator->destroy(enumerator);
	if (*bad)
	{
		list->destroy_function(list, free);
		return NULL;
	}
	return list;
}

/**
 * Where a group's keys are: settings passes a %s argument on as one key
 * segment (so group names may contain dots), which means the base path
 * must be part of the format and the name its argument
 */
typedef struct {
	settings_t *settings;
	char *base;
	char *name;
} group_section_t;

/**
 * The format for key of the group: "<base>.%s.<key>"
 */
static char *key_format(group_section_t *sec, char *key, char *buf, size_t len)
{
	snprintf(buf, len, "%s.%%s.%s", sec->base, key);
	return buf;
}

static char *get_str(group_section_t *sec, char *key, char *def)
{
	char fmt[BUF_LEN];

	return sec->settings->get_str(sec->settings,
					key_format(sec, key, fmt, sizeof(fmt)), def, sec->name);
}

/**
 * A decimal number in [min, max]; settings' own getters would fall back to
 * the default on a typo, silently widening a selector ("port = 50x")
 */
static bool parse_uint(char *str, u_long min, u_long max, u_long *out)
{
	char *end;

	if (!str || !isdigit(*str))
	{
		return FALSE;
	}
	errno = 0;
	*out = strtoul(str, &end, 10);
	return !errno && !*end && *out >= min && *out <= max;
}

/**
 * A time as strongswan.conf writes it: seconds, or with an s, m, h or d
 * suffix; 1 second to 10 years
 */
static bool parse_time(char *str, uint32_t *out)
{
	u_long num, unit = 1;
	char *end;

	if (!str || !isdigit(*str))
	{
		return FALSE;
	}
	errno = 0;
	num = strtoul(str, &end, 10);
	switch (*end)
	{
		case 'd':
			unit *= 24;
			/* fall-through */
		case 'h':
			unit *= 60;
			/* fall-through */
		case 'm':
			unit *= 60;
			/* fall-through */
		case 's':
			end++;
			break;
		default:
			break;
	}
	if (errno || *end || !num || num > 10 * 365 * 86400UL / unit)
	{
		return FALSE;
	}
	*out = num * unit;
	return TRUE;
}

/**
 * A boolean as strongswan.conf spells it
 */
static bool parse_bool(char *str, bool *out)
{
	if (strcaseeq(str, "yes") || strcaseeq(str, "true") ||
		strcaseeq(str, "enabled") || streq(str, "1"))
	{
		*out = TRUE;
		return TRUE;
	}
	if (strcaseeq(str, "no") || strcaseeq(str, "false") ||
		strcaseeq(str, "disabled") || streq(str, "0"))
	{
		*out = FALSE;
		return TRUE;
	}
	return FALSE;
}

/**
 * Log a configuration error of a group; keep the first for the caller
 */
#define CFG_ERROR(name, fmt, ...) ({ \
	DBG1(DBG_CFG, "mike: group '%s': " fmt, name, ##__VA_ARGS__); \
	if (error && !*error && asprintf(error, fmt, ##__VA_ARGS__) < 0) \
	{ \
		*error = NULL; \
	} \
})

/*
 * Described in header
 */
mike_group_config_t *mike_group_config_create(settings_t *settings,
											  char *base, char *name,
											  char **error)
{
	group_section_t sec = {
		.settings = settings,
		.base = base,
		.name = name,
	};
	private_mike_group_config_t *this;
	mike_group_config_t *cfg;
	char *str, *bad = NULL;
	u_long num;

	if (error)
	{
		*error = NULL;
	}
	INIT(this,
		.public = {
			.name = strdup(name),
			.may_join = _may_join,
			.may_send = _may_send,
			.destroy = _destroy,
		},
	);
	cfg = &this->public;

	str = get_str(&sec, "role", "member");
	if (streq(str, "gcks"))
	{
		cfg->role = MIKE_ROLE_GCKS;
	}
	else if (streq(str, "member"))
	{
		cfg->role = MIKE_ROLE_MEMBER;
	}
	else
	{
		CFG_ERROR(name, "role '%s' is neither gcks nor member", str);
		goto error;
	}

	str = get_str(&sec, "address", NULL);
	if (!str)
	{
		CFG_ERROR(name, "address missing");
		goto error;
	}
	cfg->address = parse_multicast(str);
	if (!cfg->address)
	{
		CFG_ERROR(name, "address '%s' is not a multicast address", str);
		goto error;
	}

	str = get_str(&sec, "protocol", "udp");
	if (!parse_protocol(str, &cfg->protocol))
	{
		CFG_ERROR(name, "unknown protocol '%s'", str);
		goto error;
	}
	str = get_str(&sec, "port", "0");
	if (!parse_uint(str, 0, 65535, &num))
	{
		CFG_ERROR(name, "port '%s' is not a number from 0 to 65535", str);
		goto error;
	}
	cfg->port = num;

	str = get_str(&sec, "esp_proposals", DEFAULT_ESP_PROPOSALS);
	cfg->proposals = parse_proposals(str);
	if (!cfg->proposals)
	{
		CFG_ERROR(name, "invalid esp_proposals '%s'", str);
		goto error;
	}

	str = get_str(&sec, "mode", "transport");
	if (streq(str, "transport"))
	{
		cfg->mode = MODE_TRANSPORT;
	}
	else if (streq(str, "tunnel"))
	{
		cfg->mode = MODE_TUNNEL;
	}
	else
	{
		CFG_ERROR(name, "mode '%s' is neither transport nor tunnel", str);
		goto error;
	}

	str = get_str(&sec, "tek_lifetime", "1h");
	if (!parse_time(str, &cfg->tek_lifetime))
	{
		CFG_ERROR(name, "tek_lifetime '%s' is not a time such as 3600, 60m "
				  "or 1h (at least 1s)", str);
		goto error;
	}
	str = get_str(&sec, "kek_lifetime", "1d");
	if (!parse_time(str, &cfg->kek_lifetime))
	{
		CFG_ERROR(name, "kek_lifetime '%s' is not a time such as 86400, 24h "
				  "or 1d (at least 1s)", str);
		goto error;
	}

	/* roll TEKs over well before they expire: at 90% by default */
	str = get_str(&sec, "tek_rekey_time", NULL);
	if (!str)
	{
		cfg->tek_rekey_time = cfg->tek_lifetime - cfg->tek_lifetime / 10;
	}
	else if (!parse_time(str, &cfg->tek_rekey_time) ||
			 cfg->tek_rekey_time >= cfg->tek_lifetime)
	{
		CFG_ERROR(name, "tek_rekey_time '%s' is not a time shorter than "
				  "tek_lifetime", str);
		goto error;
	}
	str = get_str(&sec, "activation_delay", "2");
	if (!parse_uint(str, 0, 3600, &num))
	{
		CFG_ERROR(name, "activation_delay '%s' is not a number of seconds "
				  "from 0 to 3600", str);
		goto error;
	}
	cfg->activation_delay = num;
	str = get_str(&sec, "deactivation_delay", "5");
	if (!parse_uint(str, 0, 3600, &num))
	{
		CFG_ERROR(name, "deactivation_delay '%s' is not a number of seconds "
				  "from 0 to 3600", str);
		goto error;
	}
	cfg->deactivation_delay = num;

	str = get_str(&sec, "rekey_address", NULL);
	if (str)
	{
		cfg->rekey_address = parse_multicast(str);
		if (!cfg->rekey_address)
		{
			CFG_ERROR(name, "rekey_address '%s' is not a multicast address",
					  str);
			goto error;
		}
	}
	str = get_str(&sec, "rekey_port", DEFAULT_REKEY_PORT);
	if (!parse_uint(str, 1, 65535, &num))
	{
		CFG_ERROR(name, "rekey_port '%s' is not a number from 1 to 65535",
				  str);
		goto error;
	}
	cfg->rekey_port = num;

	str = get_str(&sec, "rekey_on_join", "no");
	if (!parse_bool(str, &cfg->rekey_on_join))
	{
		CFG_ERROR(name, "rekey_on_join '%s' is neither yes nor no", str);
		goto error;
	}

	/* authorization by the connection's authentication is the default, as
	 * for any swanctl connection; senders must be named */
	cfg->members = parse_identities(get_str(&sec, "members", "%any"));
	cfg->senders = parse_identities(get_str(&sec, "senders", NULL));

	cfg->sam_scheme = strdup(get_str(&sec, "sam_scheme", "ed25519"));
	if (!streq(cfg->sam_scheme, "ed25519") &&
		!streq(cfg->sam_scheme, "ecdsa-p256") &&
		!streq(cfg->sam_scheme, "hmac-sha256"))
	{
		CFG_ERROR(name, "unknown sam_scheme '%s'", cfg->sam_scheme);
		goto error;
	}

	str = get_str(&sec, "connection", NULL);
	cfg->connection = strdupnull(str);
	if (cfg->role == MIKE_ROLE_MEMBER && !cfg->connection)
	{
		CFG_ERROR(name, "a member group needs the connection that registers it");
		goto error;
	}
	str = get_str(&sec, "sender", "no");
	if (!parse_bool(str, &cfg->sender))
	{
		CFG_ERROR(name, "sender '%s' is neither yes nor no", str);
		goto error;
	}

	str = get_str(&sec, "fail_close", "yes");
	if (!parse_bool(str, &cfg->fail_close))
	{
		CFG_ERROR(name, "fail_close '%s' is neither yes nor no", str);
		goto error;
	}
	str = get_str(&sec, "rejoin_timeout", NULL);
	if (!str)
	{
		cfg->rejoin_timeout = cfg->tek_lifetime;
	}
	else if (!parse_time(str, &cfg->rejoin_timeout))
	{
		CFG_ERROR(name, "rejoin_timeout '%s' is not a time such as 3600, 60m "
				  "or 1h (at least 1s)", str);
		goto error;
	}

	cfg->users = parse_users(get_str(&sec, "local_users", NULL), &bad);
	if (!cfg->users)
	{
		CFG_ERROR(name, "unknown local user '%s'", bad);
		free(bad);
		goto error;
	}
	return cfg;

error:
	destroy(this);
	return NULL;
}
