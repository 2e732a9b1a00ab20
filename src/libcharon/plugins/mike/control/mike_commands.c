/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "control/mike_commands.h"
#include "common/mike_rekey_msg.h"
#include "gcks/mike_gcks_group.h"
#include "member/mike_member_group.h"

#include <ctype.h>
#include <unistd.h>

#include <daemon.h>
#include <collections/hashtable.h>

/** deepest nesting of a group section carried by load-groups */
#define MAX_PATH 6

/** how long join waits for the registration, in ms */
#define JOIN_TIMEOUT 30000

typedef struct private_mike_commands_t private_mike_commands_t;

/**
 * Private data of a mike_commands_t object.
 */
struct private_mike_commands_t {

	/**
	 * Public interface.
	 */
	mike_commands_t public;

	/**
	 * The control socket.
	 */
	mike_control_t *control;

	/**
	 * The groups.
	 */
	mike_groups_t *groups;

	/**
	 * The GCKS's registration.
	 */
	mike_gcks_listener_t *gcks;

	/**
	 * The member's registration.
	 */
	mike_member_listener_t *member;
};

/**
 * Whether a user is root or in a list of users (uid_t)
 */
static bool is_user(linked_list_t *users, uid_t uid)
{
	enumerator_t *enumerator;
	uid_t *user;
	bool found = uid == 0;

	enumerator = users->create_enumerator(users);
	while (!found && enumerator->enumerate(enumerator, &user))
	{
		found = *user == uid;
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Whether a peer may see a group and get its SAM verification keys: root,
 * and the group's local users
 */
static bool may_read(mike_group_config_t *cfg, uid_t uid)
{
	return is_user(cfg->users, uid);
}

/**
 * Start what a group just added runs by itself, in its role (call with the
 * group checked out)
 */
static void start(private_mike_commands_t *this, mike_group_t *group)
{
	this->gcks->start(this->gcks, group);
	this->member->start(this->member, group);
}

/**
 * Copy the key/values below a request node into settings, under
 * "groups.<path...>"; the path segments are passed as %s arguments, so
 * that dots in names stay part of the name
 */
static bool copy_node(settings_t *settings, mike_node_t *node, char *path[],
					  int depth)
{
	enumerator_t *enumerator;
	mike_node_t *child;
	char fmt[8 + 3 * MAX_PATH] = "groups";
	bool ok = TRUE;
	int i;

	if (depth >= MAX_PATH || node->type == MIKE_NODE_LIST)
	{
		return FALSE;
	}
	enumerator = node->children->create_enumerator(node->children);
	while (ok && enumerator->enumerate(enumerator, &child))
	{
		path[depth] = child->name;
		if (child->type == MIKE_NODE_VALUE)
		{
			for (i = 0; i <= depth; i++)
			{
				strcat(fmt, ".%s");
			}
			settings->set_str(settings, fmt, child->value.ptr, path[0],
							  path[1], path[2], path[3], path[4], path[5]);
			fmt[strlen("groups")] = '\0';
		}
		else
		{
			ok = copy_node(settings, child, path, depth + 1);
		}
	}
	enumerator->destroy(enumerator);
	return ok;
}

CALLBACK(load_groups, mike_msg_t*,
	private_mike_commands_t *this, mike_msg_t *request, uid_t uid)
{
	mike_msg_t *response;
	mike_node_t *groups, *group;
	mike_group_config_t *cfg;
	mike_group_t *added;
	enumerator_t *enumerator;
	linked_list_t *failures;
	settings_t *settings;
	char *path[MAX_PATH] = {}, *error, *name;
	int loaded = 0, failed = 0, removed;

	groups = request->find(request, "groups");
	if (!groups || groups->type != MIKE_NODE_SECTION)
	{
		return mike_msg_create_error("load-groups: the request has no "
									 "groups section");
	}
	settings = settings_create_string(strdup(""));
	if (!copy_node(settings, groups, path, 0))
	{
		settings->destroy(settings);
		return mike_msg_create_error("load-groups: groups nested deeper "
									 "than %d levels, or lists in groups",
									 MAX_PATH);
	}
	failures = linked_list_create();
	response = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
	response->begin_list(response, "loaded");
	enumerator = groups->children->create_enumerator(groups->children);
	while (enumerator->enumerate(enumerator, &group))
	{
		if (group->type != MIKE_NODE_SECTION)
		{
			continue;
		}
		cfg = mike_group_config_create(settings, "groups", group->name,
									   &error);
		if (cfg)
		{
			DBG1(DBG_CFG, "mike: loaded group '%s' (%N, %H)", cfg->name,
				 mike_group_role_names, cfg->role, cfg->address);
			response->add_list_item(response, "%s", cfg->name);
			added = this->groups->add(this->groups, cfg);
			start(this, added);
			this->groups->checkin(this->groups, added);
			loaded++;
		}
		else
		{
			failures->insert_last(failures, group->name);
			failures->insert_last(failures, error ?: strdup("invalid"));
		}
	}
	enumerator->destroy(enumerator);
	response->end_list(response);

	/* a group loaded again may allow fewer members or senders now */
	removed = this->gcks->reauthorize(this->gcks, NULL);
	if (removed)
	{
		response->add_kv(response, "memberships_removed", "%d", removed);
	}

	/* why each group failed, as charon's log says it */
	response->begin_section(response, "failed");
	while (failures->remove_first(failures, (void**)&name) == SUCCESS &&
		   failures->remove_first(failures, (void**)&error) == SUCCESS)
	{
		response->add_kv(response, name, "%s", error);
		free(error);
		failed++;
	}
	response->end_section(response);
	failures->destroy(failures);
	response->add_kv(response, "summary", "%d loaded, %d failed", loaded,
					 failed);
	settings->destroy(settings);
	return response;
}

/**
 * The key sizes of a TEK as "AES_GCM_16_128" (and "/HMAC_SHA2_256_128")
 */
static void add_algorithms(mike_msg_t *response, mike_tek_t *tek)
{
	if (tek->enc_keylen)
	{
		response->add_kv(response, "encryption", "%N_%u",
						 encryption_algorithm_names, tek->enc_alg,
						 tek->enc_keylen);
	}
	else
	{
		response->add_kv(response, "encryption", "%N",
						 encryption_algorithm_names, tek->enc_alg);
	}
	if (tek->int_alg != AUTH_UNDEFINED)
	{
		response->add_kv(response, "integrity", "%N",
						 integrity_algorithm_names, tek->int_alg);
	}
}

/**
 * A member group's registration state
 */
static void list_member_state(mike_msg_t *response, mike_member_group_t *group)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);

	response->add_kv(response, "connection", "%s", cfg->connection);
	response->add_kv(response, "state", "%s", group->get_kernel(group) ?
					 "registered" : "not registered");
	if (group->get_kernel(group))
	{
		response->add_kv(response, "registered_for", "%us",
				(u_int)(time_monotonic(NULL) - group->get_registered(group)));
	}
	if (group->get_own_spi(group))
	{
		response->add_kv(response, "sending_spi", "%.8x",
						 group->get_own_spi(group));
	}
}

/**
 * A GCKS group's members
 */
static void list_members(mike_msg_t *response, mike_gcks_group_t *group)
{
	enumerator_t *enumerator;
	mike_gcks_member_t *member;

	response->begin_list(response, "members");
	enumerator = group->create_member_enumerator(group);
	while (enumerator->enumerate(enumerator, &member))
	{
		if (member->tek)
		{
			response->add_list_item(response, "%Y (sender, SPI %.8x)",
									member->id, member->tek->spi);
		}
		else
		{
			response->add_list_item(response, "%Y", member->id);
		}
	}
	enumerator->destroy(enumerator);
	response->end_list(response);
}

/**
 * One group's configuration and state
 */
static void list_group(mike_msg_t *response, mike_group_t *group)
{
	mike_group_config_t *cfg = group->get_config(group);
	mike_gsa_t *gsa = group->get_gsa(group);
	mike_member_group_t *member = mike_member_group(group);
	mike_gcks_group_t *gcks = mike_gcks_group(group);
	signature_params_t *scheme = gsa->get_rekey_auth_scheme(gsa);
	chunk_t kek_spi = gsa->get_kek_spi(gsa);
	enumerator_t *enumerator;
	proposal_t *proposal;
	mike_tek_t *tek;
	char spi[9];

	response->begin_section(response, cfg->name);
	response->add_kv(response, "role", "%N", mike_group_role_names,
					 cfg->role);
	response->add_kv(response, "address", "%H", cfg->address);
	response->add_kv(response, "protocol", "%u", cfg->protocol);
	response->add_kv(response, "port", "%u", cfg->port);
	response->add_kv(response, "mode", "%N", ipsec_mode_names, cfg->mode);
	response->begin_list(response, "esp_proposals");
	enumerator = cfg->proposals->create_enumerator(cfg->proposals);
	while (enumerator->enumerate(enumerator, &proposal))
	{
		response->add_list_item(response, "%P", proposal);
	}
	enumerator->destroy(enumerator);
	response->end_list(response);
	response->add_kv(response, "tek_lifetime", "%us", cfg->tek_lifetime);
	response->add_kv(response, "kek_lifetime", "%us", cfg->kek_lifetime);
	if (cfg->rekey_address)
	{
		response->add_kv(response, "rekey", "%H port %u", cfg->rekey_address,
						 cfg->rekey_port);
	}
	else
	{
		response->add_kv(response, "rekey", "unicast");
	}
	response->add_kv(response, "sam_scheme", "%s", cfg->sam_scheme);
	if (gsa->get_sam_session(gsa))
	{
		response->add_kv(response, "sam_session", "%.8x",
						 gsa->get_sam_session(gsa));
		response->add_kv(response, "sam_encrypt", "%s",
						 gsa->get_sam_encrypt(gsa) ? "yes" : "no");
	}

	if (member)
	{
		list_member_state(response, member);
	}
	else
	{
		response->add_kv(response, "state", "%s",
						 gsa->get_kek_keymat(gsa).len ? "serving" : "waiting");
	}
	if (kek_spi.len)
	{
		response->add_kv(response, "kek_spi", "%#B", &kek_spi);
	}
	if (scheme)
	{
		response->add_kv(response, "rekey_signature", "%N",
						 signature_scheme_names, scheme->scheme);
	}
	response->begin_section(response, "senders");
	enumerator = gsa->create_tek_enumerator(gsa);
	while (enumerator->enumerate(enumerator, &tek))
	{
		snprintf(spi, sizeof(spi), "%.8x", tek->spi);
		response->begin_section(response, spi);
		if (tek->sender)
		{
			response->add_kv(response, "identity", "%Y", tek->sender);
		}
		if (tek->source)
		{
			response->add_kv(response, "source", "%H", tek->source);
		}
		add_algorithms(response, tek);
		response->add_kv(response, "lifetime", "%us", tek->lifetime);
		if (tek->sam_key.len)
		{	/* receivers verify its frames with its key */
			response->add_kv(response, "sam_source", "%u", tek->sam_source);
		}
		response->end_section(response);
	}
	enumerator->destroy(enumerator);
	response->end_section(response);
	if (gcks)
	{
		list_members(response, gcks);
	}
	response->end_section(response);
}

CALLBACK(list_groups, mike_msg_t*,
	private_mike_commands_t *this, mike_msg_t *request, uid_t uid)
{
	mike_msg_t *response;
	enumerator_t *enumerator;
	mike_group_t *group;
	mike_group_config_t *cfg;
	char *name;

	name = request->get_str(request, NULL, "group");
	response = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
	response->begin_section(response, "groups");
	enumerator = this->groups->create_enumerator(this->groups);
	while (enumerator->enumerate(enumerator, &group))
	{
		cfg = group->get_config(group);
		if ((!name || streq(name, cfg->name)) && may_read(cfg, uid))
		{
			list_group(response, group);
		}
	}
	enumerator->destroy(enumerator);
	response->end_section(response);
	return response;
}

/**
 * The configured member group a request names, checked out, or an error
 * response
 */
static mike_member_group_t *requested_member_group(
								private_mike_commands_t *this,
								mike_msg_t *request, mike_msg_t **error)
{
	mike_member_group_t *group;
	char *name;

	name = request->get_str(request, NULL, "group");
	if (!name)
	{
		*error = mike_msg_create_error("%s: no group given",
									   request->get_command(request));
		return NULL;
	}
	group = mike_member_group_checkout(this->groups, name);
	if (!group)
	{
		*error = mike_msg_create_error("%s: no member group '%s' is "
									   "configured",
									   request->get_command(request), name);
	}
	return group;
}

/**
 * The IKE SA of a connection that carries a registered group, 0 if none
 */
static uint32_t connection_ike_sa(private_mike_commands_t *this,
								  char *connection)
{
	enumerator_t *enumerator;
	mike_member_group_t *group;
	uint32_t id = 0;

	enumerator = mike_member_group_create_enumerator(this->groups);
	while (!id && enumerator->enumerate(enumerator, &group))
	{
		if (streq(group->group.get_config(&group->group)->connection,
				  connection))
		{
			id = group->get_ike_sa_id(group);
		}
	}
	enumerator->destroy(enumerator);
	return id;
}

/**
 * The response to a join that registered the group
 */
static mike_msg_t *joined(char *name)
{
	mike_msg_t *response;

	response = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
	response->add_kv(response, "joined", "%s", name);
	return response;
}

/**
 * Join a group over an established IKE SA (an INFORMATIONAL exchange)
 */
static mike_msg_t *join_over(private_mike_commands_t *this,
							 uint32_t ike_sa_id, char *name)
{
	if (!this->member->register_over(this->member, ike_sa_id, name))
	{
		return mike_msg_create_error("join: the IKE SA of group '%s' is "
									 "gone", name);
	}
	if (!this->member->wait_registered(this->member, name, JOIN_TIMEOUT))
	{
		return mike_msg_create_error("join: registering group '%s' failed, "
									 "see charon's log", name);
	}
	return joined(name);
}

CALLBACK(join, mike_msg_t*,
	private_mike_commands_t *this, mike_msg_t *request, uid_t uid)
{
	mike_member_group_t *group;
	mike_group_config_t *cfg;
	mike_msg_t *response = NULL;
	peer_cfg_t *peer_cfg;
	char *name, *connection;
	uint32_t ike_sa_id;
	bool registered;
	status_t status;

	group = requested_member_group(this, request, &response);
	if (!group)
	{
		return response;
	}
	cfg = group->group.get_config(&group->group);
	name = strdup(cfg->name);
	connection = strdup(cfg->connection);
	registered = group->get_kernel(group) != NULL;
	this->groups->checkin(this->groups, &group->group);
	ike_sa_id = connection_ike_sa(this, connection);

	if (registered)
	{
		response = mike_msg_create_error("join: group '%s' is registered "
										 "already", name);
	}
	else if (ike_sa_id)
	{
		response = join_over(this, ike_sa_id, name);
	}
	else
	{
		peer_cfg = charon->backends->get_peer_cfg_by_name(charon->backends,
														  connection);
		if (!peer_cfg)
		{
			response = mike_msg_create_error("join: connection '%s' of group "
									"'%s' is not loaded", connection, name);
		}
		else
		{
			/* registering rides on the IKE SA's IKE_AUTH: initiate it and
			 * wait for the outcome */
			status = charon->controller->initiate(charon->controller,
									peer_cfg, NULL, controller_cb_empty, NULL,
									JOIN_TIMEOUT, FALSE);
			/* further groups of the connection follow the first in
			 * INFORMATIONAL exchanges: wait for this one */
			if (status == SUCCESS &&
				this->member->wait_registered(this->member, name,
											  JOIN_TIMEOUT))
			{
				response = joined(name);
			}
			else
			{
				response = mike_msg_create_error("join: registering group "
								"'%s' over connection '%s' failed, see "
								"charon's log", name, connection);
			}
		}
	}
	free(name);
	free(connection);
	return response;
}

CALLBACK(leave, mike_msg_t*,
	private_mike_commands_t *this, mike_msg_t *request, uid_t uid)
{
	mike_member_group_t *group;
	mike_msg_t *response = NULL;
	char *name;

	group = requested_member_group(this, request, &response);
	if (!group)
	{
		return response;
	}
	name = strdup(group->group.get_config(&group->group)->name);
	this->groups->checkin(this->groups, &group->group);

	if (!this->member->leave(this->member, name))
	{
		response = mike_msg_create_error("leave: group '%s' is not "
										 "registered", name);
	}
	else
	{
		response = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
		response->add_kv(response, "left", "%s", name);
	}
	free(name);
	return response;
}

/**
 * Expel or readmit an identity on the GCKS
 */
static mike_msg_t *expel_or_readmit(private_mike_commands_t *this,
									mike_msg_t *request, bool expel)
{
	char *command = request->get_command(request);
	mike_msg_t *response;
	identification_t *id;
	char *name, *identity;
	int count;

	identity = request->get_str(request, NULL, "identity");
	if (!identity || !*identity)
	{
		return mike_msg_create_error("%s: no identity given", command);
	}
	name = request->get_str(request, NULL, "group");
	id = identification_create_from_string(identity);
	if (expel)
	{
		count = this->gcks->expel(this->gcks, name, id);
	}
	else
	{
		count = this->gcks->readmit(this->gcks, name, id);
	}
	id->destroy(id);
	if (count < 0)
	{
		return name ? mike_msg_create_error("%s: no GCKS group '%s' is "
											"configured", command, name)
					: mike_msg_create_error("%s: no GCKS group is configured",
											command);
	}
	response = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
	response->add_kv(response, expel ? "expelled" : "readmitted", "%s",
					 identity);
	response->add_kv(response, expel ? "memberships_removed" : "groups",
					 "%d", count);
	return response;
}

CALLBACK(expel, mike_msg_t*,
	private_mike_commands_t *this, mike_msg_t *request, uid_t uid)
{
	return expel_or_readmit(this, request, TRUE);
}

CALLBACK(readmit, mike_msg_t*,
	private_mike_commands_t *this, mike_msg_t *request, uid_t uid)
{
	return expel_or_readmit(this, request, FALSE);
}

/**
 * Whether a TEK is this host's: the one it sends with, or one the GCKS made
 * for its address (a rollover's new TEK before the switch, and the TEKs of
 * GSA_REKEYs that no longer carry the one it still sends with)
 */
static bool is_own(mike_member_group_t *group, mike_tek_t *tek)
{
	host_t *me = group->get_my_host(group);

	return tek->spi == group->get_own_spi(group) ||
		   (tek->source && me && me->ip_equals(me, tek->source));
}

/**
 * Add a SAM data key in hex under name, and its ID under name_id
 */
static void add_data_key(mike_msg_t *response, mike_gsa_t *gsa, bool previous,
						 char *name, char *name_id)
{
	char hex[2 * MIKE_SAM_DATA_KEY_SIZE + 1];
	uint32_t id;
	chunk_t key;

	key = gsa->get_sam_data_key(gsa, previous, &id);
	if (key.len != MIKE_SAM_DATA_KEY_SIZE)
	{
		return;
	}
	chunk_to_hex(key, hex, FALSE);
	response->add_kv(response, name_id, "%u", id);
	response->add_kv(response, name, "%s", hex);
	memwipe(hex, sizeof(hex));
}

/**
 * Whether the group's payloads are encrypted and, if so, the data keys of
 * the current KEK and of the one it replaced (docs/sam-keys.md)
 */
static void add_data_keys(mike_msg_t *response, mike_gsa_t *gsa)
{
	if (!gsa->get_sam_encrypt(gsa))
	{
		response->add_kv(response, "encrypt", "no");
		return;
	}
	response->add_kv(response, "encrypt", "yes");
	add_data_key(response, gsa, FALSE, "data_key", "data_key_id");
	add_data_key(response, gsa, TRUE, "previous_data_key",
				 "previous_data_key_id");
}

/**
 * The SAM keys of a registered member group a peer may have: the session,
 * every sender's verification key and, for a local sender, this host's
 * source ID and signing key (docs/control-socket.md, sam-keys)
 */
static mike_msg_t *sam_keys_of(mike_member_group_t *group, uid_t uid,
							   bool signing)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	mike_gsa_t *gsa = group->group.get_gsa(&group->group);
	private_key_t *key = group->get_sam_key(group);
	enumerator_t *enumerator;
	hashtable_t *listed;
	mike_msg_t *response;
	mike_tek_t *tek;
	uint32_t own = 0;
	chunk_t der;
	char id[16], *pem;

	if (!mike_sam_scheme_signs(cfg->sam_scheme_id))
	{
		return mike_msg_create_error("sam-keys: group '%s' uses %s, whose "
									 "group key the plugin does not hand out",
									 cfg->name, cfg->sam_scheme);
	}
	if (!group->get_kernel(group) || !gsa->get_sam_session(gsa))
	{
		return mike_msg_create_error("sam-keys: group '%s' is not "
									 "registered", cfg->name);
	}
	response = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
	response->add_kv(response, "group", "%s", cfg->name);
	response->add_kv(response, "session", "%.8x", gsa->get_sam_session(gsa));
	response->add_kv(response, "scheme", "%s", cfg->sam_scheme);
	add_data_keys(response, gsa);
	response->begin_section(response, "sources");
	listed = hashtable_create(hashtable_hash_ptr, hashtable_equals_ptr, 8);
	enumerator = gsa->create_tek_enumerator(gsa);
	while (enumerator->enumerate(enumerator, &tek))
	{
		if (!tek->sam_key.len)
		{
			continue;
		}
		if (is_own(group, tek))
		{
			own = tek->sam_source;
		}
		/* a sender's TEK just replaced is still there, with the same
		 * source; the current one comes first */
		if (listed->get(listed, (void*)(uintptr_t)tek->sam_source))
		{
			continue;
		}
		listed->put(listed, (void*)(uintptr_t)tek->sam_source, tek);
		snprintf(id, sizeof(id), "%u", tek->sam_source);
		pem = mike_sam_pem("PUBLIC KEY", tek->sam_key);
		response->begin_section(response, id);
		response->add_kv(response, "key", "%s", pem);
		if (tek->sam_bootstrap.len)
		{	/* libsam checks it against the key */
			response->add_kv(response, "bootstrap", "%+B", &tek->sam_bootstrap);
		}
		response->end_section(response);
		free(pem);
	}
	enumerator->destroy(enumerator);
	listed->destroy(listed);
	response->end_section(response);
	if (signing && own && key &&
		key->get_encoding(key, PRIVKEY_ASN1_DER, &der))
	{
		/* PKCS#8 for Ed25519, SEC 1 for P-256, as OpenSSL writes them */
		pem = mike_sam_pem(key->get_type(key) == KEY_ECDSA ?
						   "EC PRIVATE KEY" : "PRIVATE KEY", der);
		response->add_kv(response, "source", "%u", own);
		response->add_kv(response, "signing_key", "%s", pem);
		memwipe(pem, strlen(pem));
		free(pem);
		chunk_clear(&der);
	}
	else if (signing)
	{
		response->destroy(response);
		return mike_msg_create_error("sam-keys: this host does not send to "
									 "group '%s' with a SAM key yet",
									 cfg->name);
	}
	return response;
}

CALLBACK(sam_keys, mike_msg_t*,
	private_mike_commands_t *this, mike_msg_t *request, uid_t uid)
{
	mike_member_group_t *group;
	mike_group_config_t *cfg;
	mike_msg_t *response = NULL;
	char *signing;
	bool sign;

	signing = request->get_str(request, NULL, "signing");
	sign = signing && streq(signing, "yes");
	group = requested_member_group(this, request, &response);
	if (!group)
	{
		return response;
	}
	cfg = group->group.get_config(&group->group);
	if (!may_read(cfg, uid) || (sign && !is_user(cfg->senders_users, uid)))
	{	/* the keys only for the users the group names (seed 7.1) */
		DBG1(DBG_CFG, "mike: group '%s': SAM %s refused to uid %u, not in "
			 "%s", cfg->name, sign ? "signing key" : "keys", uid,
			 sign ? "local_senders" : "local_users");
		response = mike_msg_create_error("sam-keys: permission denied: uid "
									"%u is not in %s of group '%s'", uid,
									sign ? "local_senders" : "local_users",
									cfg->name);
		group->count_sam_request(group, FALSE);
	}
	else
	{	/* an error here is no refusal (not registered, no key yet) */
		response = sam_keys_of(group, uid, sign);
		if (response->get_type(response) == MIKE_MSG_RESPONSE)
		{
			group->count_sam_request(group, TRUE);
		}
	}
	this->groups->checkin(this->groups, &group->group);
	return response;
}

/**
 * A bootstrap from its hex form as sam-bootstrap takes it: 1 to
 * MIKE_SAM_BOOTSTRAP_MAX bytes, lowercase hex digits
 */
static bool bootstrap_from_hex(char *hex, chunk_t *bootstrap)
{
	size_t len, i;

	len = hex ? strlen(hex) : 0;
	if (!len || len % 2 || len > 2 * MIKE_SAM_BOOTSTRAP_MAX)
	{
		return FALSE;
	}
	for (i = 0; i < len; i++)
	{
		if (!isdigit(hex[i]) && (hex[i] < 'a' || hex[i] > 'f'))
		{
			return FALSE;
		}
	}
	*bootstrap = chunk_from_hex(chunk_create(hex, len), NULL);
	return bootstrap->len == len / 2;
}

CALLBACK(sam_bootstrap, mike_msg_t*,
	private_mike_commands_t *this, mike_msg_t *request, uid_t uid)
{
	mike_member_group_t *group;
	mike_group_config_t *cfg;
	mike_msg_t *response = NULL;
	chunk_t bootstrap = chunk_empty;
	uint32_t ike_sa_id = 0;
	status_t status = FAILED;
	char *name;

	group = requested_member_group(this, request, &response);
	if (!group)
	{
		return response;
	}
	cfg = group->group.get_config(&group->group);
	name = strdup(cfg->name);
	if (!is_user(cfg->senders_users, uid))
	{	/* only who may sign as this host may speak for it */
		DBG1(DBG_CFG, "mike: group '%s': SAM bootstrap refused from uid %u, "
			 "not in local_senders", cfg->name, uid);
		response = mike_msg_create_error("sam-bootstrap: permission denied: "
								"uid %u is not in local_senders of group '%s'",
								uid, cfg->name);
		group->count_sam_request(group, FALSE);
	}
	else if (!group->get_sam_key(group))
	{
		response = mike_msg_create_error("sam-bootstrap: this host does not "
								"send to group '%s' with a SAM key", cfg->name);
	}
	else if (!bootstrap_from_hex(request->get_str(request, NULL, "bootstrap"),
								 &bootstrap))
	{
		response = mike_msg_create_error("sam-bootstrap: 'bootstrap' must be "
								"1 to %d bytes in lowercase hex",
								MIKE_SAM_BOOTSTRAP_MAX);
	}
	else if ((status = group->set_sam_bootstrap(group, bootstrap)) ==
			 INVALID_STATE)
	{	/* each new one is a GSA_REKEY to the whole group */
		response = mike_msg_create_error("sam-bootstrap: group '%s' took a "
								"bootstrap less than %d s ago", cfg->name,
								MIKE_SAM_CHANGE_INTERVAL);
	}
	else if (status == SUCCESS)
	{
		ike_sa_id = group->get_kernel(group) ? group->get_ike_sa_id(group) : 0;
		DBG1(DBG_CFG, "mike: group '%s': uid %u published a SAM bootstrap of "
			 "%zu bytes", cfg->name, uid, bootstrap.len);
	}
	this->groups->checkin(this->groups, &group->group);
	chunk_free(&bootstrap);
	if (!response)
	{	/* registered: present a new one now, over the same IKE SA; else it
		 * goes with the registration that comes */
		response = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
		response->add_kv(response, "published", "%s", name);
		response->add_kv(response, "presented", "%s",
				status == ALREADY_DONE ? "unchanged" : ike_sa_id &&
				this->member->register_over(this->member, ike_sa_id, name) ?
				"yes" : "no");
	}
	free(name);
	return response;
}

/**
 * A member's rejected GSA_REKEY messages, by reason
 */
static void add_rejections(mike_msg_t *response, mike_member_group_t *group)
{
	/* short keys for the reasons, in the order of mike_rekey_status_t */
	static char *names[] = {
		"accepted", "truncated", "header", "spi", "icv", "malformed",
		"payload_type", "no_auth", "auth_not_last", "auth_method", "sig_alg",
		"replay", "signature", "internal", "fragment", "fragment_duplicate",
		"fragment_timeout", "fragment_evicted",
	};
	int i;

	response->begin_section(response, "rekeys_rejected");
	for (i = 1; i < MIKE_REKEY_STATUS_MAX && i < countof(names); i++)
	{
		if (group->get_rejected(group, i))
		{
			response->add_kv(response, names[i], "%llu",
							 group->get_rejected(group, i));
		}
	}
	response->end_section(response);
}

/**
 * A GCKS group's counters
 */
static void add_gcks_stats(mike_msg_t *response, mike_gcks_group_t *group)
{
	mike_gsa_t *gsa = group->group.get_gsa(&group->group);
	mike_lkh_t *lkh = group->get_lkh(group);

	response->add_kv(response, "members", "%d",
					 group->get_member_count(group));
	response->add_kv(response, "rekeys_sent", "%llu", gsa->get_rekeys(gsa));
	response->add_kv(response, "next_message_id", "%llu",
					 gsa->get_rekey_msg_id(gsa));
	response->add_kv(response, "expelled", "%d",
					 group->get_expelled_count(group));
	if (lkh)
	{
		response->add_kv(response, "key_tree_depth", "%u",
						 lkh->get_depth(lkh));
	}
}

/**
 * A member group's counters
 */
static void add_member_stats(mike_msg_t *response, mike_member_group_t *group)
{
	mike_gsa_t *gsa = group->group.get_gsa(&group->group);

	response->add_kv(response, "registered", "%s",
					 group->get_kernel(group) ? "yes" : "no");
	response->add_kv(response, "rekeys_accepted", "%llu",
					 gsa->get_rekeys(gsa));
	response->add_kv(response, "next_message_id", "%llu",
					 gsa->get_rekey_msg_id(gsa));
	response->add_kv(response, "registrations_after_loss", "%llu",
					 group->get_reregistrations(group));
	response->add_kv(response, "key_path_length", "%d",
					 group->get_key_path_count(group));
	response->add_kv(response, "sam_keys_handed", "%llu",
					 group->get_sam_requests(group, TRUE));
	response->add_kv(response, "sam_keys_refused", "%llu",
					 group->get_sam_requests(group, FALSE));
	add_rejections(response, group);
}

CALLBACK(stats, mike_msg_t*,
	private_mike_commands_t *this, mike_msg_t *request, uid_t uid)
{
	mike_msg_t *response;
	enumerator_t *enumerator;
	mike_group_t *group;
	mike_group_config_t *cfg;
	mike_gsa_t *gsa;

	response = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
	response->begin_section(response, "groups");
	enumerator = this->groups->create_enumerator(this->groups);
	while (enumerator->enumerate(enumerator, &group))
	{
		cfg = group->get_config(group);
		if (!may_read(cfg, uid))
		{
			continue;
		}
		gsa = group->get_gsa(group);
		response->begin_section(response, cfg->name);
		response->add_kv(response, "role", "%N", mike_group_role_names,
						 cfg->role);
		response->add_kv(response, "senders", "%d", gsa->get_tek_count(gsa));
		if (mike_gcks_group(group))
		{
			add_gcks_stats(response, mike_gcks_group(group));
		}
		else
		{
			add_member_stats(response, mike_member_group(group));
		}
		response->end_section(response);
	}
	enumerator->destroy(enumerator);
	response->end_section(response);
	return response;
}

METHOD(mike_commands_t, destroy, void,
	private_mike_commands_t *this)
{
	char *commands[] = { "load-groups", "list-groups", "join", "leave",
						 "expel", "readmit", "stats", "sam-keys",
						 "sam-bootstrap" };
	int i;

	for (i = 0; i < countof(commands); i++)
	{
		this->control->unregister_command(this->control, commands[i]);
	}
	free(this);
}

/*
 * Described in header
 */
mike_commands_t *mike_commands_create(mike_control_t *control,
									  mike_groups_t *groups,
									  mike_gcks_listener_t *gcks,
									  mike_member_listener_t *member)
{
	private_mike_commands_t *this;

	INIT(this,
		.public = {
			.destroy = _destroy,
		},
		.control = control,
		.groups = groups,
		.gcks = gcks,
		.member = member,
	);

	control->register_command(control, "load-groups", load_groups, this, TRUE);
	control->register_command(control, "list-groups", list_groups, this,
							  FALSE);
	control->register_command(control, "join", join, this, TRUE);
	control->register_command(control, "leave", leave, this, TRUE);
	control->register_command(control, "expel", expel, this, TRUE);
	control->register_command(control, "readmit", readmit, this, TRUE);
	control->register_command(control, "stats", stats, this, FALSE);
	control->register_command(control, "sam-keys", sam_keys, this, FALSE);
	control->register_command(control, "sam-bootstrap", sam_bootstrap, this,
							  FALSE);
	return &this->public;
}
