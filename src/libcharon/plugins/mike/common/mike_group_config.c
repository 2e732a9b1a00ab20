/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#define _GNU_SOURCE /* asprintf */
#include "common/mike_group_config.h"

#include <stdio.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
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
	DESTROY_FUNCTION_IF(cfg->senders_users, free);
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
 * The keys of a group section, indices into group_keys
 */
typedef enum {
	KEY_ROLE,
	KEY_ADDRESS,
	KEY_PROTOCOL,
	KEY_PORT,
	KEY_ESP_PROPOSALS,
	KEY_MODE,
	KEY_TEK_LIFETIME,
	KEY_KEK_LIFETIME,
	KEY_TEK_REKEY_TIME,
	KEY_ACTIVATION_DELAY,
	KEY_DEACTIVATION_DELAY,
	KEY_REKEY_ADDRESS,
	KEY_REKEY_PORT,
	KEY_REKEY_ON_JOIN,
	KEY_MEMBERS,
	KEY_SENDERS,
	KEY_SAM_SCHEME,
	KEY_CONNECTION,
	KEY_SENDER,
	KEY_LOCAL_USERS,
	KEY_LOCAL_SENDERS,
	KEY_FAIL_CLOSE,
	KEY_REJOIN_TIMEOUT,
	KEY_SAM_ENCRYPT,
} group_key_t;

/**
 * The roles a key applies to, as bits of mike_group_role_t
 */
#define FOR_MEMBER	(1 << MIKE_ROLE_MEMBER)
#define FOR_GCKS	(1 << MIKE_ROLE_GCKS)
#define FOR_ANY		(FOR_MEMBER | FOR_GCKS)

/**
 * Every key a group section may hold, with its default (NULL: none, or
 * derived from another key) and the roles it applies to.  The parser reads
 * keys only through this table and every other key is an error, so the two
 * cannot drift apart.  docs/configuration.md describes each.
 */
static struct {
	char *name;
	char *def;
	int roles;
} group_keys[] = {
	[KEY_ROLE] = { "role", "member", FOR_ANY },
	[KEY_ADDRESS] = { "address", NULL, FOR_ANY },
	[KEY_PROTOCOL] = { "protocol", "udp", FOR_ANY },
	[KEY_PORT] = { "port", "0", FOR_ANY },
	[KEY_ESP_PROPOSALS] = { "esp_proposals", DEFAULT_ESP_PROPOSALS, FOR_ANY },
	[KEY_MODE] = { "mode", "transport", FOR_ANY },
	[KEY_TEK_LIFETIME] = { "tek_lifetime", "1h", FOR_ANY },
	[KEY_KEK_LIFETIME] = { "kek_lifetime", "1d", FOR_ANY },
	[KEY_TEK_REKEY_TIME] = { "tek_rekey_time", NULL, FOR_GCKS },
	[KEY_ACTIVATION_DELAY] = { "activation_delay", "2", FOR_ANY },
	[KEY_DEACTIVATION_DELAY] = { "deactivation_delay", "5", FOR_ANY },
	[KEY_REKEY_ADDRESS] = { "rekey_address", NULL, FOR_ANY },
	[KEY_REKEY_PORT] = { "rekey_port", DEFAULT_REKEY_PORT, FOR_ANY },
	[KEY_REKEY_ON_JOIN] = { "rekey_on_join", "no", FOR_GCKS },
	[KEY_MEMBERS] = { "members", "%any", FOR_GCKS },
	[KEY_SENDERS] = { "senders", NULL, FOR_GCKS },
	[KEY_SAM_SCHEME] = { "sam_scheme", "ed25519", FOR_ANY },
	[KEY_CONNECTION] = { "connection", NULL, FOR_MEMBER },
	[KEY_SENDER] = { "sender", "no", FOR_MEMBER },
	[KEY_LOCAL_USERS] = { "local_users", NULL, FOR_ANY },
	[KEY_LOCAL_SENDERS] = { "local_senders", NULL, FOR_MEMBER },
	[KEY_FAIL_CLOSE] = { "fail_close", "yes", FOR_MEMBER },
	[KEY_REJOIN_TIMEOUT] = { "rejoin_timeout", NULL, FOR_GCKS },
	[KEY_SAM_ENCRYPT] = { "sam_encrypt", "yes", FOR_GCKS },
};

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
 * The format for key of the group: "<base>.%s.<key>"; NULL key for the
 * group's section itself
 */
static char *key_format(group_section_t *sec, char *key, char *buf, size_t len)
{
	snprintf(buf, len, "%s.%%s%s%s", sec->base, key ? "." : "", key ?: "");
	return buf;
}

static char *get_str(group_section_t *sec, char *key, char *def)
{
	char fmt[BUF_LEN];

	return sec->settings->get_str(sec->settings,
					key_format(sec, key, fmt, sizeof(fmt)), def, sec->name);
}

/**
 * The value of a key of the table, or its default
 */
static char *get_value(group_section_t *sec, group_key_t key)
{
	return get_str(sec, group_keys[key].name, group_keys[key].def);
}

/**
 * The entry of a key in group_keys, -1 if it is unknown
 */
static int find_key(char *name)
{
	int i;

	for (i = 0; i < countof(group_keys); i++)
	{
		if (streq(group_keys[i].name, name))
		{
			return i;
		}
	}
	return -1;
}

/** longest key the edit distance takes; no known key is longer, and an
 *  unknown one that is cannot be close */
#define MAX_KEY_LEN 32

/**
 * Levenshtein distance: the insertions, deletions and substitutions that
 * turn a into b (at most MAX_KEY_LEN characters)
 */
static u_int edit_distance(char *a, char *b)
{
	u_int row[MAX_KEY_LEN + 1], diag, up, i, j, len_b = strlen(b);

	for (j = 0; j <= len_b; j++)
	{
		row[j] = j;
	}
	for (i = 1; a[i - 1]; i++)
	{
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= len_b; j++)
		{
			up = row[j];
			row[j] = min(min(up, row[j - 1]) + 1,
						 diag + (a[i - 1] != b[j - 1]));
			diag = up;
		}
	}
	return row[len_b];
}

/**
 * The known key closest to an unknown one, NULL if none is close: at most
 * two edits, or a third of the known key's length, and fewer edits than
 * the unknown key has characters
 */
static char *closest_key(char *name)
{
	u_int i, distance, best = UINT_MAX;
	char *closest = NULL;

	if (strlen(name) > MAX_KEY_LEN)
	{
		return NULL;
	}
	for (i = 0; i < countof(group_keys); i++)
	{
		distance = edit_distance(name, group_keys[i].name);
		if (distance < best &&
			distance <= max(2U, (u_int)strlen(group_keys[i].name) / 3) &&
			distance < strlen(name))
		{
			best = distance;
			closest = group_keys[i].name;
		}
	}
	return closest;
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

/**
 * The key a subsection probably meant, as in "sam { scheme = .. }" for
 * sam_scheme: "<section>_<key>" for one of its keys; NULL if none
 */
static char *flattened_key(group_section_t *sec, char *section)
{
	enumerator_t *enumerator;
	char fmt[BUF_LEN], key[BUF_LEN], *name, *value, *found = NULL;
	int i;

	snprintf(fmt, sizeof(fmt), "%s.%%s.%%s", sec->base);
	enumerator = sec->settings->create_key_value_enumerator(sec->settings,
											fmt, sec->name, section);
	while (!found && enumerator->enumerate(enumerator, &name, &value))
	{
		snprintf(key, sizeof(key), "%s_%s", section, name);
		i = find_key(key);
		if (i >= 0)
		{
			found = group_keys[i].name;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Refuse keys the table does not know, naming the closest known one, and
 * any subsection, as nothing reads one; logs each, keeps the first error
 */
static bool check_unknown(group_section_t *sec, char **error)
{
	enumerator_t *enumerator;
	char fmt[BUF_LEN], *key, *value, *closest;
	bool ok = TRUE;

	key_format(sec, NULL, fmt, sizeof(fmt));
	enumerator = sec->settings->create_key_value_enumerator(sec->settings,
															fmt, sec->name);
	while (enumerator->enumerate(enumerator, &key, &value))
	{
		if (find_key(key) >= 0)
		{
			continue;
		}
		closest = closest_key(key);
		if (closest)
		{
			CFG_ERROR(sec->name, "unknown key '%s' (did you mean '%s'?)", key,
					  closest);
		}
		else
		{
			CFG_ERROR(sec->name, "unknown key '%s'", key);
		}
		ok = FALSE;
	}
	enumerator->destroy(enumerator);

	enumerator = sec->settings->create_section_enumerator(sec->settings,
														  fmt, sec->name);
	while (enumerator->enumerate(enumerator, &key))
	{
		closest = flattened_key(sec, key);
		if (closest)
		{
			CFG_ERROR(sec->name, "unknown section '%s' (did you mean '%s'?)",
					  key, closest);
		}
		else
		{
			CFG_ERROR(sec->name, "unknown section '%s' (a group takes keys "
					  "only)", key);
		}
		ok = FALSE;
	}
	enumerator->destroy(enumerator);
	return ok;
}

/**
 * Refuse keys of the other role: they would have no effect, and most
 * likely the role is not what the author meant
 */
static bool check_role(group_section_t *sec, mike_group_role_t role,
					   char **error)
{
	bool ok = TRUE;
	int i;

	for (i = 0; i < countof(group_keys); i++)
	{
		if (!(group_keys[i].roles & (1 << role)) &&
			get_str(sec, group_keys[i].name, NULL))
		{
			CFG_ERROR(sec->name, "key '%s' applies to role = %s only",
					  group_keys[i].name,
					  role == MIKE_ROLE_GCKS ? "member" : "gcks");
			ok = FALSE;
		}
	}
	return ok;
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
	bool known;
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

	/* every key is checked before any value, so a typo is reported as such
	 * rather than as the missing key it was meant to be */
	known = check_unknown(&sec, error);
	str = get_value(&sec, KEY_ROLE);
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
	if (!check_role(&sec, cfg->role, error) || !known)
	{
		goto error;
	}

	str = get_value(&sec, KEY_ADDRESS);
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

	str = get_value(&sec, KEY_PROTOCOL);
	if (!parse_protocol(str, &cfg->protocol))
	{
		CFG_ERROR(name, "unknown protocol '%s'", str);
		goto error;
	}
	str = get_value(&sec, KEY_PORT);
	if (!parse_uint(str, 0, 65535, &num))
	{
		CFG_ERROR(name, "port '%s' is not a number from 0 to 65535", str);
		goto error;
	}
	cfg->port = num;

	str = get_value(&sec, KEY_ESP_PROPOSALS);
	cfg->proposals = parse_proposals(str);
	if (!cfg->proposals)
	{
		CFG_ERROR(name, "invalid esp_proposals '%s'", str);
		goto error;
	}

	str = get_value(&sec, KEY_MODE);
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

	str = get_value(&sec, KEY_TEK_LIFETIME);
	if (!parse_time(str, &cfg->tek_lifetime))
	{
		CFG_ERROR(name, "tek_lifetime '%s' is not a time such as 3600, 60m "
				  "or 1h (at least 1s)", str);
		goto error;
	}
	str = get_value(&sec, KEY_KEK_LIFETIME);
	if (!parse_time(str, &cfg->kek_lifetime))
	{
		CFG_ERROR(name, "kek_lifetime '%s' is not a time such as 86400, 24h "
				  "or 1d (at least 1s)", str);
		goto error;
	}

	/* roll TEKs over well before they expire: at 90% by default */
	str = get_value(&sec, KEY_TEK_REKEY_TIME);
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
	str = get_value(&sec, KEY_ACTIVATION_DELAY);
	if (!parse_uint(str, 0, 3600, &num))
	{
		CFG_ERROR(name, "activation_delay '%s' is not a number of seconds "
				  "from 0 to 3600", str);
		goto error;
	}
	cfg->activation_delay = num;
	str = get_value(&sec, KEY_DEACTIVATION_DELAY);
	if (!parse_uint(str, 0, 3600, &num))
	{
		CFG_ERROR(name, "deactivation_delay '%s' is not a number of seconds "
				  "from 0 to 3600", str);
		goto error;
	}
	cfg->deactivation_delay = num;

	str = get_value(&sec, KEY_REKEY_ADDRESS);
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
	str = get_value(&sec, KEY_REKEY_PORT);
	if (!parse_uint(str, 1, 65535, &num))
	{
		CFG_ERROR(name, "rekey_port '%s' is not a number from 1 to 65535",
				  str);
		goto error;
	}
	cfg->rekey_port = num;

	str = get_value(&sec, KEY_REKEY_ON_JOIN);
	if (!parse_bool(str, &cfg->rekey_on_join))
	{
		CFG_ERROR(name, "rekey_on_join '%s' is neither yes nor no", str);
		goto error;
	}

	/* authorization by the connection's authentication is the default, as
	 * for any swanctl connection; senders must be named */
	cfg->members = parse_identities(get_value(&sec, KEY_MEMBERS));
	cfg->senders = parse_identities(get_value(&sec, KEY_SENDERS));

	cfg->sam_scheme = strdup(get_value(&sec, KEY_SAM_SCHEME));
	if (!mike_sam_scheme_from_name(cfg->sam_scheme, &cfg->sam_scheme_id))
	{
		CFG_ERROR(name, "unknown sam_scheme '%s'", cfg->sam_scheme);
		goto error;
	}
	str = get_value(&sec, KEY_SAM_ENCRYPT);
	if (!parse_bool(str, &cfg->sam_encrypt))
	{
		CFG_ERROR(name, "sam_encrypt '%s' is neither yes nor no", str);
		goto error;
	}

	str = get_value(&sec, KEY_CONNECTION);
	cfg->connection = strdupnull(str);
	if (cfg->role == MIKE_ROLE_MEMBER && !cfg->connection)
	{
		CFG_ERROR(name, "a member group needs the connection that registers it");
		goto error;
	}
	str = get_value(&sec, KEY_SENDER);
	if (!parse_bool(str, &cfg->sender))
	{
		CFG_ERROR(name, "sender '%s' is neither yes nor no", str);
		goto error;
	}

	str = get_value(&sec, KEY_FAIL_CLOSE);
	if (!parse_bool(str, &cfg->fail_close))
	{
		CFG_ERROR(name, "fail_close '%s' is neither yes nor no", str);
		goto error;
	}
	str = get_value(&sec, KEY_REJOIN_TIMEOUT);
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

	cfg->users = parse_users(get_value(&sec, KEY_LOCAL_USERS), &bad);
	if (!cfg->users)
	{
		CFG_ERROR(name, "unknown local user '%s'", bad);
		free(bad);
		goto error;
	}
	cfg->senders_users = parse_users(get_value(&sec, KEY_LOCAL_SENDERS),
									 &bad);
	if (!cfg->senders_users)
	{
		CFG_ERROR(name, "unknown local sender '%s'", bad);
		free(bad);
		goto error;
	}
	if (cfg->senders_users->get_count(cfg->senders_users) && !cfg->sender)
	{
		CFG_ERROR(name, "local_senders needs sender = yes");
		goto error;
	}
	return cfg;

error:
	destroy(this);
	return NULL;
}
