/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "gcks/mike_gcks_listener.h"
#include "gcks/mike_gcks_rekey.h"
#include "gcks/mike_gsa_builder.h"
#include "common/mike_exchange.h"
#include "common/mike_sam.h"
#include "common/mike_register_task.h"
#include "common/mike_registrations.h"

#include <daemon.h>

typedef struct private_mike_gcks_listener_t private_mike_gcks_listener_t;
typedef struct registration_t registration_t;
typedef struct builder_t builder_t;

/**
 * A registration in progress on one IKE SA.
 */
struct registration_t {

	/** name of the group, NULL if the IDg named no group we could have */
	char *group;

	/** whether the member asked to send */
	bool sender;

	/** the Sender-IDs it asked for in N(GROUP_SENDER) (RFC 9838 4.7.4) */
	uint32_t sender_ids;

	/** the IDg could not be parsed */
	bool malformed;

	/** N(GROUP_SENDER)'s count was not 4 octets */
	bool malformed_sender;

	/** the body of N(MIKE_SAM_KEY), a sender's SAM verification key, empty
	 *  if none (docs/sam-keys.md) */
	chunk_t sam_key;

	/** the body of N(MIKE_SAM_BOOTSTRAP), a sender's signed SAM bootstrap,
	 *  empty if none */
	chunk_t sam_bootstrap;

	/** the error notify to answer with, 0 if authorized */
	notify_type_t refusal;

	/** the group's SAs are in transport mode: N(USE_TRANSPORT_MODE) */
	bool transport;

	/** the payloads of the response */
	gsa_payload_t *gsa;
	kd_payload_t *kd;
};

/**
 * The listener's request builder for the register task (see
 * mike_member_listener.c).
 */
struct builder_t {

	/** implements mike_register_builder_t */
	mike_register_builder_t public;

	/** the listener */
	private_mike_gcks_listener_t *listener;
};

/**
 * Private data of a mike_gcks_listener_t object.
 */
struct private_mike_gcks_listener_t {

	/**
	 * Public interface.
	 */
	mike_gcks_listener_t public;

	/**
	 * Implements mike_gcks_registrar_t for the rekeying.
	 */
	mike_gcks_registrar_t registrar;

	/**
	 * The groups.
	 */
	mike_groups_t *groups;

	/**
	 * Registrations in progress, registration_t.
	 */
	mike_registrations_t *registrations;

	/**
	 * Rekeying, created and owned by the listener, which it calls back
	 * through registrar only.
	 */
	mike_gcks_rekey_t *rekey;

	/**
	 * Builds the request that pushes a GSA to a member.
	 */
	builder_t push_builder;
};

/**
 * The listener that implements a registrar
 */
static inline private_mike_gcks_listener_t *of_registrar(
											mike_gcks_registrar_t *registrar)
{
	return (private_mike_gcks_listener_t*)((char*)registrar -
							offsetof(private_mike_gcks_listener_t, registrar));
}

static void registration_destroy(registration_t *reg)
{
	DESTROY_IF(reg->gsa);
	DESTROY_IF(reg->kd);
	chunk_free(&reg->sam_key);
	chunk_free(&reg->sam_bootstrap);
	free(reg->group);
	free(reg);
}

/**
 * Note the IDg of a registration request
 */
static void take_request(private_mike_gcks_listener_t *this, ike_sa_t *ike_sa,
						 message_t *message)
{
	notify_payload_t *notify;
	idg_payload_t *idg;
	registration_t *reg;
	bool malformed;
	char name[64];

	idg = (idg_payload_t*)mike_exchange_get(message, GIKEV2_PL_IDG,
											 &malformed);
	if (!idg)
	{
		if (malformed)
		{	/* a registration we cannot read is refused, not ignored */
			INIT(reg,
				.malformed = TRUE,
			);
			this->registrations->put(this->registrations,
							 ike_sa->get_unique_id(ike_sa), reg);
		}
		return;
	}
	notify = message->get_notify(message, GIKEV2_NOTIFY_GROUP_SENDER);
	INIT(reg,
		.sender = notify != NULL,
	);
	if (notify)
	{	/* a 4-octet count; a member of an earlier draft sends none */
		chunk_t count = notify->get_notification_data(notify);

		reg->sender_ids = count.len == 4 ? untoh32(count.ptr) : 1;
		reg->malformed_sender = count.len != 4 && count.len != 0;
	}
	if (mike_exchange_idg_name(idg, name, sizeof(name)))
	{
		reg->group = strdup(name);
	}
	/* checked only once the member is authenticated and authorized */
	notify = message->get_notify(message, GIKEV2_NOTIFY_MIKE_SAM_KEY);
	if (notify)
	{
		reg->sam_key = chunk_clone(notify->get_notification_data(notify));
	}
	notify = message->get_notify(message, GIKEV2_NOTIFY_MIKE_SAM_BOOTSTRAP);
	if (notify)
	{
		reg->sam_bootstrap = chunk_clone(notify->get_notification_data(notify));
	}
	DBG1(DBG_IKE, "mike: registration request for group '%s'%s",
		 reg->group ?: "(unprintable)", reg->sender ? " as sender" : "");
	idg->destroy(idg);
	this->registrations->put(this->registrations,
							 ike_sa->get_unique_id(ike_sa), reg);
}

/**
 * The key of the identity members authenticate the GCKS as signs its
 * GSA_REKEY messages (its public key goes out as AUTH_KEY)
 */
static void ensure_signing_key(mike_gcks_group_t *group, ike_sa_t *ike_sa)
{
	identification_t *me = ike_sa->get_my_id(ike_sa);
	private_key_t *key;

	if (group->get_signing_key(group))
	{
		return;
	}
	key = lib->credmgr->get_private(lib->credmgr, KEY_ANY, me, NULL);
	if (!group->ensure_signing_key(group, key))
	{
		DBG1(DBG_CFG, "mike: group '%s': no usable private key for '%Y', "
			 "members get no key to verify GSA_REKEY messages with",
			 group->group.get_config(&group->group)->name, me);
	}
	DESTROY_IF(key);
}

/**
 * Remove a member and have the others follow with new keys it cannot
 * unwrap (forward access control)
 */
static void member_gone(private_mike_gcks_listener_t *this,
						mike_gcks_group_t *group, mike_gcks_member_t *member)
{
	linked_list_t *rekey = NULL;

	group->remove_member(group, member, &rekey);
	this->rekey->left(this->rekey, group, rekey);
	group->save(group);
	if (rekey)
	{
		rekey->destroy_function(rekey, (void*)mike_lkh_wrapped_destroy);
	}
}

/**
 * Take the SAM key and bootstrap a sender presented into its TEK (what it
 * did not present again stays); TRUE if either changed
 */
static bool take_sam(mike_gcks_group_t *group, mike_gcks_member_t *member,
					 registration_t *reg)
{
	bool changed = FALSE;

	if (reg->sam_key.len)
	{
		changed = group->take_sam_key(group, member, reg->sam_key);
	}
	if (reg->sam_bootstrap.len)
	{
		changed = group->take_sam_bootstrap(group, member,
											reg->sam_bootstrap) || changed;
	}
	return changed;
}

/**
 * A fresh TEK for a member that asks to send, replacing the one it
 * had (announced to the others, which learn it before the member gets it)
 */
static bool renew_tek(private_mike_gcks_listener_t *this,
					  mike_gcks_group_t *group, mike_gcks_member_t *member,
					  ike_sa_t *ike_sa, registration_t *reg, char *why)
{
	if (!group->renew_tek(group, member, ike_sa->get_other_host(ike_sa)))
	{
		return FALSE;
	}
	take_sam(group, member, reg);
	this->rekey->announce(this->rekey, group, member, why);
	return TRUE;
}

/**
 * Add an authorized member (or take it again, if it registers anew
 * over the same IKE SA because it missed a rekey: same leaf, same TEK) and
 * build its GSA with its key tree path
 */
static bool register_member(private_mike_gcks_listener_t *this,
							mike_gcks_group_t *group, registration_t *reg,
							ike_sa_t *ike_sa,
							identification_t *id, chunk_t gsk_w)
{
	mike_gsa_t *gsa = group->group.get_gsa(&group->group);
	mike_gcks_member_t *member;
	mike_gsa_keys_t keys = {};
	linked_list_t *path = NULL, *rekey = NULL;
	mike_tek_t *tek = NULL;
	bool again, restored = FALSE, ok = TRUE;

	member = group->find_member(group, ike_sa->get_unique_id(ike_sa));
	again = member != NULL;
	if (!member)
	{	/* a member the GCKS knew before its restart: same leaf */
		member = group->find_dormant(group, id);
		if (member)
		{
			group->attach_member(group, member, ike_sa->get_unique_id(ike_sa));
			again = restored = TRUE;
		}
	}
	if (member)
	{
		if (member->tek && !reg->sender)
		{	/* it does not ask to send (any longer): no TEK it did not ask
			 * for */
			group->drop_tek(group, member);
			this->rekey->announce(this->rekey, group, member,
								  "a member stopped sending");
		}
		else if (reg->sender && (!member->tek || restored))
		{	/* after a restart its kernel SA is new: its sequence numbers
			 * restart, so it must not have the key it had */
			ok = renew_tek(this, group, member, ike_sa, reg,
						   member->tek ?
						   "sender returned after a restart, new TEK" :
						   "new sender");
		}
		else if (reg->sender && take_sam(group, member, reg))
		{	/* registered again with another key or bootstrap */
			group->sam_changed(group, member);
			this->rekey->announce(this->rekey, group, member,
								  "a sender's SAM key or bootstrap changed");
		}
		ok = ok && group->get_lkh(group)->get_path(group->get_lkh(group),
												   member->leaf, &path);
	}
	else
	{
		if (reg->sender)
		{
			tek = group->new_tek(group, id, ike_sa->get_other_host(ike_sa));
			if (!tek)
			{
				return FALSE;
			}
		}
		member = group->add_member(group, id, ike_sa->get_unique_id(ike_sa),
								   tek, &path, &rekey);
		ok = member != NULL;
		if (ok)
		{
			if (tek)
			{
				take_sam(group, member, reg);
			}
			/* the others learn of the new sender (and, with rekey_on_join,
			 * get new keys) before it gets the group's keys */
			this->rekey->joined(this->rekey, group, rekey);
		}
		if (rekey)
		{
			rekey->destroy_function(rekey, (void*)mike_lkh_wrapped_destroy);
		}
		if (!ok && tek)
		{
			group->discard_tek(group, tek);
		}
	}
	if (ok)
	{
		if (group->group.get_config(&group->group)->rekey_address)
		{
			keys.wrap_keys = group->get_lkh(group)->wrap_path(
										group->get_lkh(group), path, gsk_w);
			keys.initial_msg_id = gsa->get_rekey_msg_id(gsa);
		}
		else
		{	/* unicast rekeying reaches each member under its own IKE SA:
			 * no key tree keys, no Message IDs (RFC 9838 5) */
			keys.wrap_keys = linked_list_create();
		}
		/* senders may still use TEKs just replaced: a newcomer gets them
		 * too, unless it must not read anything from before it joined */
		keys.retired = !group->group.get_config(&group->group)->rekey_on_join;
		if (member->tek && mike_tek_counter_mode(member->tek))
		{	/* RFC 9838 2.5.1: at least one, at most the bound */
			keys.sender_ids = max(1, min(reg->sender_ids,
										 MIKE_MAX_SENDER_IDS));
			keys.first_sender_id = group->allocate_sender_ids(group,
															  keys.sender_ids);
		}
		ok = keys.wrap_keys &&
			 mike_gsa_build(group, gsk_w, &keys, &reg->gsa, &reg->kd);
	}
	if (path)
	{
		path->destroy_function(path, (void*)mike_lkh_key_destroy);
	}
	if (keys.wrap_keys)
	{
		keys.wrap_keys->destroy_function(keys.wrap_keys,
										 (void*)mike_lkh_wrapped_destroy);
	}
	if (!ok)
	{
		if (member && !again)
		{
			member_gone(this, group, member);
		}
		return FALSE;
	}
	group->save(group);
	group->answered_registration(group);
	DBG1(DBG_CFG, "mike: group '%s': '%Y' registered%s%s", reg->group, id,
		 member->tek ? " as sender" : "", again ? " again" : "");
	if (member->tek)
	{
		DBG1(DBG_CFG, "mike: group '%s': sender '%Y' uses SPI %.8x",
			 reg->group, id, member->tek->spi);
	}
	this->rekey->start(this->rekey, group);
	return TRUE;
}

/**
 * Whether the SAM key a registration presents (if any) is one the group's
 * receivers can use; a key of a member that does not send is ignored
 */
static bool sam_key_usable(mike_group_config_t *cfg, registration_t *reg,
						   identification_t *id)
{
	chunk_t spki;
	char *why;

	if (!reg->sam_key.len && !reg->sam_bootstrap.len)
	{
		return TRUE;
	}
	if (!reg->sender)
	{
		DBG2(DBG_CFG, "mike: group '%s': '%Y' does not send, its SAM key is "
			 "ignored", cfg->name, id);
		chunk_free(&reg->sam_key);
		chunk_free(&reg->sam_bootstrap);
		return TRUE;
	}
	/* the bootstrap is libsam's to check, against the key */
	if (reg->sam_bootstrap.len && !reg->sam_key.len)
	{
		DBG1(DBG_CFG, "mike: group '%s': '%Y' presented a SAM bootstrap "
			 "without a SAM key, refused", cfg->name, id);
		return FALSE;
	}
	if (reg->sam_bootstrap.len > MIKE_SAM_BOOTSTRAP_MAX)
	{
		DBG1(DBG_CFG, "mike: group '%s': '%Y' presented a SAM bootstrap of "
			 "%zu bytes, more than %d, refused", cfg->name, id,
			 reg->sam_bootstrap.len, MIKE_SAM_BOOTSTRAP_MAX);
		return FALSE;
	}
	if (!mike_sam_key_parse(reg->sam_key, cfg->sam_scheme_id, &spki, &why))
	{
		DBG1(DBG_CFG, "mike: group '%s': '%Y' presented an unusable SAM key "
			 "(%s), refused", cfg->name, id, why);
		return FALSE;
	}
	/* keep the key only */
	spki = chunk_clone(spki);
	chunk_free(&reg->sam_key);
	reg->sam_key = spki;
	return TRUE;
}

/**
 * Whether a registered sender that registers again may change its SAM key
 * or bootstrap now: each change is a GSA_REKEY to the whole group, so at
 * most one per MIKE_SAM_CHANGE_INTERVAL
 */
static bool sam_change_allowed(mike_gcks_group_t *group, registration_t *reg,
							   ike_sa_t *ike_sa, identification_t *id)
{
	mike_gcks_member_t *member;
	mike_tek_t *tek;

	member = group->find_member(group, ike_sa->get_unique_id(ike_sa));
	tek = member ? member->tek : NULL;
	if (!tek || !reg->sender ||
		((!reg->sam_key.len || chunk_equals(reg->sam_key, tek->sam_key)) &&
		 (!reg->sam_bootstrap.len ||
		  chunk_equals(reg->sam_bootstrap, tek->sam_bootstrap))) ||
		!member->sam_changed ||
		time_monotonic(NULL) >= member->sam_changed + MIKE_SAM_CHANGE_INTERVAL)
	{
		return TRUE;
	}
	DBG1(DBG_CFG, "mike: group '%s': '%Y' changes its SAM key or bootstrap "
		 "more than once in %ds, refused",
		 group->group.get_config(&group->group)->name, id,
		 MIKE_SAM_CHANGE_INTERVAL);
	return FALSE;
}

/**
 * Authorize a registration and prepare the GSA; FALSE to refuse
 */
static bool authorize_registration(private_mike_gcks_listener_t *this,
								   ike_sa_t *ike_sa)
{
	registration_t *reg;
	mike_gcks_group_t *group;
	mike_group_config_t *cfg = NULL;
	identification_t *id = ike_sa->get_other_eap_id(ike_sa);
	chunk_t gsk_w = chunk_empty;
	bool ok = FALSE;

	reg = this->registrations->take(this->registrations,
									ike_sa->get_unique_id(ike_sa));
	if (!reg)
	{
		return TRUE;
	}
	group = mike_gcks_group_checkout(this->groups, reg->group);
	if (group)
	{
		cfg = group->group.get_config(&group->group);
	}
	if (reg->malformed)
	{
		DBG1(DBG_CFG, "mike: '%Y' sent a malformed IDg, refused", id);
		reg->refusal = INVALID_SYNTAX;
	}
	else if (reg->malformed_sender)
	{
		DBG1(DBG_CFG, "mike: '%Y' sent N(GROUP_SENDER) with a count that is "
			 "not 4 octets, refused", id);
		reg->refusal = INVALID_SYNTAX;
	}
	else if (!group)
	{
		DBG1(DBG_CFG, "mike: '%Y' asked for unknown group '%s', refused", id,
			 reg->group ?: "(unprintable)");
		reg->refusal = GIKEV2_NOTIFY_INVALID_GROUP_ID;
	}
	else if (!cfg->may_join(cfg, id))
	{
		DBG1(DBG_CFG, "mike: group '%s': '%Y' is not a permitted member, "
			 "refused", reg->group, id);
		reg->refusal = GIKEV2_NOTIFY_AUTHORIZATION_FAILED;
	}
	else if (reg->sender && !cfg->may_send(cfg, id))
	{
		DBG1(DBG_CFG, "mike: group '%s': '%Y' is not a permitted sender, "
			 "refused", reg->group, id);
		reg->refusal = GIKEV2_NOTIFY_AUTHORIZATION_FAILED;
	}
	else if (group->is_expelled(group, id))
	{
		DBG1(DBG_CFG, "mike: group '%s': '%Y' was expelled, refused",
			 reg->group, id);
		reg->refusal = GIKEV2_NOTIFY_AUTHORIZATION_FAILED;
	}
	else if (!sam_key_usable(cfg, reg, id) ||
			 !sam_change_allowed(group, reg, ike_sa, id))
	{
		reg->refusal = GIKEV2_NOTIFY_AUTHORIZATION_FAILED;
	}
	else if (ike_sa->get_state(ike_sa) == IKE_DELETING)
	{	/* we close it (an admin, or a membership removed): keys sent over
		 * it would be lost with it */
		DBG1(DBG_CFG, "mike: group '%s': '%Y' registers over an IKE SA that "
			 "is being deleted, refused", reg->group, id);
		reg->refusal = GIKEV2_NOTIFY_REGISTRATION_FAILED;
	}
	else if (!group->ensure_kek(group) || !mike_exchange_gsk_w(ike_sa, &gsk_w))
	{
		DBG1(DBG_CFG, "mike: group '%s': generating keys failed", reg->group);
		reg->refusal = GIKEV2_NOTIFY_REGISTRATION_FAILED;
	}
	else
	{
		ensure_signing_key(group, ike_sa);
		reg->transport = cfg->mode == MODE_TRANSPORT;
		ok = register_member(this, group, reg, ike_sa, id, gsk_w);
		if (!ok)
		{
			/* most likely its size: a GSA or KD payload holds 64 KiB, the
			 * TEKs of some hundred senders (docs/gcks-scale.md) */
			DBG1(DBG_CFG, "mike: group '%s': building the GSA failed (%d "
				 "sender TEKs and those just retired; a GSA or KD payload "
				 "holds at most 65531 bytes)", reg->group,
				 group->group.get_gsa(&group->group)->get_tek_count(
									group->group.get_gsa(&group->group)));
			reg->refusal = GIKEV2_NOTIFY_REGISTRATION_FAILED;
		}
	}
	if (group)
	{
		this->groups->checkin(this->groups, &group->group);
	}
	chunk_clear(&gsk_w);
	this->registrations->put(this->registrations,
							 ike_sa->get_unique_id(ike_sa), reg);
	return ok;
}

/**
 * Answer the registration in the last IKE_AUTH response
 */
static void respond(private_mike_gcks_listener_t *this, ike_sa_t *ike_sa,
						  message_t *message)
{
	registration_t *reg;

	reg = this->registrations->take(this->registrations,
									ike_sa->get_unique_id(ike_sa));
	if (!reg)
	{
		return;
	}
	if (reg->refusal)
	{
		message->add_notify(message, FALSE, reg->refusal, chunk_empty);
	}
	else if (reg->gsa && reg->kd)
	{
		/* charon appends payloads it has no ordering rule for in reverse:
		 * KD first puts GSA before KD on the wire, as in RFC 9838 */
		message->add_payload(message, &reg->kd->payload_interface);
		message->add_payload(message, &reg->gsa->payload_interface);
		reg->gsa = NULL;
		reg->kd = NULL;
		if (reg->transport)
		{	/* RFC 9838 2.3.4: without it, members use tunnel mode */
			message->add_notify(message, FALSE, USE_TRANSPORT_MODE,
								chunk_empty);
		}
	}
	else
	{	/* not yet authorized: an intermediate round, keep waiting */
		this->registrations->put(this->registrations,
							 ike_sa->get_unique_id(ike_sa), reg);
		return;
	}
	registration_destroy(reg);
}

/**
 * A member tells it left a group (de-registration): forget it and
 * give the others keys it cannot unwrap
 */
static void member_left(private_mike_gcks_listener_t *this, ike_sa_t *ike_sa,
					   message_t *message)
{
	identification_t *id = ike_sa->get_other_eap_id(ike_sa);
	mike_gcks_member_t *member = NULL;
	mike_gcks_group_t *group;
	idg_payload_t *idg;
	char name[64];

	idg = (idg_payload_t*)mike_exchange_get(message, GIKEV2_PL_IDG, NULL);
	if (!idg || !mike_exchange_idg_name(idg, name, sizeof(name)))
	{
		DBG1(DBG_CFG, "mike: '%Y' left a group but named none we know", id);
		DESTROY_IF(idg);
		return;
	}
	idg->destroy(idg);
	group = mike_gcks_group_checkout(this->groups, name);
	if (group)
	{
		member = group->find_member(group, ike_sa->get_unique_id(ike_sa));
	}
	if (member)
	{
		DBG1(DBG_CFG, "mike: group '%s': member '%Y' left", name, member->id);
		member_gone(this, group, member);
	}
	else
	{
		DBG1(DBG_CFG, "mike: '%Y' left group '%s', which it is not a member "
			 "of over this IKE SA", id, name);
	}
	if (group)
	{
		this->groups->checkin(this->groups, &group->group);
	}
}

/**
 * Whether an IKE SA still carries a membership in any group
 */
static bool carries_members(private_mike_gcks_listener_t *this,
							uint32_t ike_sa_id)
{
	enumerator_t *enumerator;
	mike_gcks_group_t *group;
	bool found = FALSE;

	enumerator = mike_gcks_group_create_enumerator(this->groups, NULL);
	while (!found && enumerator->enumerate(enumerator, &group))
	{
		found = group->find_member(group, ike_sa_id) != NULL;
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Whether a member is to be removed from a group, and why (for the log)
 */
typedef bool (*member_filter_t)(void *data, mike_group_config_t *cfg,
								mike_gcks_member_t *member, char **why);

/**
 * Remove the members a filter picks from a group (all GCKS groups for
 * NULL), with the forward-access-control rekey, and close their IKE SAs if
 * these carry no other membership (they could register again over them
 * otherwise)
 *
 * @param groups	receives the number of groups looked at
 * @return			memberships removed
 */
static int remove_members(private_mike_gcks_listener_t *this, char *name,
						  member_filter_t filter, void *data, int *groups)
{
	enumerator_t *enumerator, *members;
	mike_gcks_group_t *group;
	mike_group_config_t *cfg;
	mike_gcks_member_t *member;
	linked_list_t *ike_sas, *found;
	uintptr_t ike_sa_id;
	int count = 0;
	char *why;

	*groups = 0;
	ike_sas = linked_list_create();
	enumerator = mike_gcks_group_create_enumerator(this->groups, name);
	while (enumerator->enumerate(enumerator, &group))
	{
		(*groups)++;
		cfg = group->group.get_config(&group->group);
		/* collect first: removing a member changes the list */
		found = linked_list_create();
		members = group->create_member_enumerator(group);
		while (members->enumerate(members, &member))
		{
			if (filter(data, cfg, member, &why))
			{
				DBG1(DBG_CFG, "mike: group '%s': member '%Y' %s",
					 cfg->name, member->id, why);
				found->insert_last(found, member);
				if (member->ike_sa_id)
				{	/* restored members have none yet */
					ike_sas->insert_last(ike_sas,
										 (void*)(uintptr_t)member->ike_sa_id);
				}
			}
		}
		members->destroy(members);
		while (found->remove_first(found, (void**)&member) == SUCCESS)
		{
			member_gone(this, group, member);
			count++;
		}
		found->destroy(found);
	}
	enumerator->destroy(enumerator);
	enumerator = ike_sas->create_enumerator(ike_sas);
	while (enumerator->enumerate(enumerator, &ike_sa_id))
	{
		if (carries_members(this, ike_sa_id))
		{
			ike_sas->remove_at(ike_sas, enumerator);
		}
	}
	enumerator->destroy(enumerator);

	while (ike_sas->remove_first(ike_sas, (void**)&ike_sa_id) == SUCCESS)
	{
		charon->controller->terminate_ike(charon->controller, ike_sa_id,
										  FALSE, NULL, NULL, 0);
	}
	ike_sas->destroy(ike_sas);
	return count;
}

CALLBACK(match_identity, bool,
	identification_t *id, mike_group_config_t *cfg, mike_gcks_member_t *member,
	char **why)
{
	*why = "expelled";
	return member->id->matches(member->id, id) > ID_MATCH_NONE;
}

METHOD(mike_gcks_listener_t, expel, int,
	private_mike_gcks_listener_t *this, char *name, identification_t *id)
{
	enumerator_t *enumerator;
	mike_gcks_group_t *group;
	int count, groups;

	enumerator = mike_gcks_group_create_enumerator(this->groups, name);
	while (enumerator->enumerate(enumerator, &group))
	{
		if (group->expel(group, id))
		{
			group->save(group);
		}
	}
	enumerator->destroy(enumerator);

	count = remove_members(this, name, match_identity, id, &groups);
	return groups ? count : -1;
}

CALLBACK(not_authorized, bool,
	void *data, mike_group_config_t *cfg, mike_gcks_member_t *member,
	char **why)
{
	if (!cfg->may_join(cfg, member->id))
	{
		*why = "is no longer a permitted member, removed";
		return TRUE;
	}
	if (member->tek && !cfg->may_send(cfg, member->id))
	{
		*why = "is no longer a permitted sender, removed";
		return TRUE;
	}
	return FALSE;
}

METHOD(mike_gcks_listener_t, reauthorize, int,
	private_mike_gcks_listener_t *this, char *name)
{
	int groups;

	return remove_members(this, name, not_authorized, NULL, &groups);
}

CALLBACK(is_dormant, bool,
	void *data, mike_group_config_t *cfg, mike_gcks_member_t *member,
	char **why)
{
	*why = "did not register again within rejoin_timeout after the GCKS "
		   "restarted, dropped";
	return !member->ike_sa_id;
}

METHOD(mike_gcks_registrar_t, drop_dormant, int,
	mike_gcks_registrar_t *registrar, char *name)
{
	private_mike_gcks_listener_t *this = of_registrar(registrar);
	int groups;

	return remove_members(this, name, is_dormant, NULL, &groups);
}

METHOD(mike_gcks_registrar_t, push_over, bool,
	mike_gcks_registrar_t *registrar, uint32_t ike_sa_id, char *name)
{
	private_mike_gcks_listener_t *this = of_registrar(registrar);

	return mike_register_task_queue(&this->push_builder.public, ike_sa_id,
									name);
}

METHOD(mike_gcks_listener_t, readmit, int,
	private_mike_gcks_listener_t *this, char *name, identification_t *id)
{
	enumerator_t *enumerator;
	mike_gcks_group_t *group;
	int count = 0, groups = 0;

	enumerator = mike_gcks_group_create_enumerator(this->groups, name);
	while (enumerator->enumerate(enumerator, &group))
	{
		groups++;
		if (group->readmit(group, id))
		{
			DBG1(DBG_CFG, "mike: group '%s': '%Y' may register again",
				 group->group.get_config(&group->group)->name, id);
			group->save(group);
			count++;
		}
	}
	enumerator->destroy(enumerator);
	return groups ? count : -1;
}

METHOD(mike_register_builder_t, build_push, bool,
	builder_t *builder, ike_sa_t *ike_sa, message_t *message, char *name)
{
	private_mike_gcks_listener_t *this = builder->listener;
	mike_gcks_group_t *group;
	mike_gcks_member_t *member = NULL;
	gsa_payload_t *gsa = NULL;
	kd_payload_t *kd = NULL;
	idg_payload_t *idg;
	chunk_t gsk_w = chunk_empty;
	bool ok = FALSE;

	group = mike_gcks_group_checkout(this->groups, name);
	if (group)
	{
		member = group->find_member(group, ike_sa->get_unique_id(ike_sa));
	}
	if (member && mike_exchange_gsk_w(ike_sa, &gsk_w))
	{
		/* an inband rekey: no GCAUTH, no AUTH_KEY (RFC 9838 4.4.2.1.1,
		 * 5) */
		ok = mike_gsa_build(group, gsk_w, &(mike_gsa_keys_t){ .rekey = TRUE },
							&gsa, &kd);
		if (ok)
		{
			DBG2(DBG_IKE, "mike: group '%s': sending the new GSA to '%Y' "
				 "over its IKE SA", name, member->id);
		}
	}
	if (group)
	{
		this->groups->checkin(this->groups, &group->group);
	}
	chunk_clear(&gsk_w);
	if (!ok)
	{	/* it left meanwhile: nothing to send */
		return FALSE;
	}
	idg = mike_exchange_idg(name);
	/* charon puts payloads it has no ordering rule for in reverse order:
	 * IDg, GSA, KD on the wire */
	message->add_payload(message, &kd->payload_interface);
	message->add_payload(message, &gsa->payload_interface);
	if (idg)
	{
		message->add_payload(message, &idg->payload_interface);
	}
	return TRUE;
}

METHOD(listener_t, message_hook, bool,
	private_mike_gcks_listener_t *this, ike_sa_t *ike_sa, message_t *message,
	bool incoming, bool plain)
{
	bool request = message->get_request(message);

	if (!plain)
	{
		return TRUE;
	}
	switch (message->get_exchange_type(message))
	{
		case IKE_AUTH:
			/* IKE_AUTH requests come from the initiator, the member */
			if (incoming && request)
			{
				take_request(this, ike_sa, message);
			}
			else if (!incoming && !request)
			{
				respond(this, ike_sa, message);
			}
			break;
		case INFORMATIONAL:
			/* a further group on an established IKE SA: the request comes
			 * from the member's mike_register_task, the GCKS decides at
			 * once; only an authenticated peer gets keys.  One that
			 * arrives while we delete the IKE SA (say, after an expulsion)
			 * is answered with the refusal (RFC 9838 2.3.2), not with an
			 * empty response */
			if (ike_sa->get_state(ike_sa) != IKE_ESTABLISHED &&
				ike_sa->get_state(ike_sa) != IKE_REKEYING &&
				ike_sa->get_state(ike_sa) != IKE_REKEYED &&
				ike_sa->get_state(ike_sa) != IKE_DELETING)
			{
				break;
			}
			if (incoming && request &&
				!mike_exchange_find(message, GIKEV2_PL_GSA) &&
				mike_exchange_find(message, GIKEV2_PL_IDG))
			{
				if (message->get_notify(message, NO_PROPOSAL_CHOSEN))
				{	/* de-registration: IDg with an error notify */
					member_left(this, ike_sa, message);
				}
				else
				{
					take_request(this, ike_sa, message);
					authorize_registration(this, ike_sa);
				}
			}
			else if (!incoming && !request)
			{
				respond(this, ike_sa, message);
			}
			break;
		default:
			break;
	}
	return TRUE;
}

METHOD(listener_t, authorize, bool,
	private_mike_gcks_listener_t *this, ike_sa_t *ike_sa, bool final,
	bool *success)
{
	if (final)
	{	/* a refused registration answers IDr, AUTH and the error notify and
		 * leaves the IKE SA to the member (RFC 9838 2.3.1), which may
		 * register to another group over it; a refused peer gets nothing
		 * of the group */
		authorize_registration(this, ike_sa);
	}
	return TRUE;
}

/**
 * Forget the members of an IKE SA that is gone
 */
static void ike_sa_gone(private_mike_gcks_listener_t *this,
						uint32_t ike_sa_id)
{
	enumerator_t *enumerator;
	registration_t *reg;
	mike_gcks_group_t *group;
	mike_gcks_member_t *member;

	reg = this->registrations->take(this->registrations, ike_sa_id);
	if (reg)
	{
		registration_destroy(reg);
	}
	enumerator = mike_gcks_group_create_enumerator(this->groups, NULL);
	while (enumerator->enumerate(enumerator, &group))
	{
		member = group->find_member(group, ike_sa_id);
		if (member)
		{
			DBG1(DBG_CFG, "mike: group '%s': member '%Y' left",
				 group->group.get_config(&group->group)->name, member->id);
			member_gone(this, group, member);
		}
	}
	enumerator->destroy(enumerator);
}

METHOD(listener_t, ike_state_change, bool,
	private_mike_gcks_listener_t *this, ike_sa_t *ike_sa,
	ike_sa_state_t state)
{
	/* covers IKE SAs that never got established, too */
	if (state == IKE_DESTROYING)
	{
		ike_sa_gone(this, ike_sa->get_unique_id(ike_sa));
	}
	return TRUE;
}

METHOD(listener_t, ike_rekey, bool,
	private_mike_gcks_listener_t *this, ike_sa_t *old, ike_sa_t *new)
{
	enumerator_t *enumerator;
	mike_gcks_group_t *group;
	mike_gcks_member_t *member;
	uint32_t old_id = old->get_unique_id(old), new_id = new->get_unique_id(new);

	/* the memberships live on in the new IKE SA */
	enumerator = mike_gcks_group_create_enumerator(this->groups, NULL);
	while (enumerator->enumerate(enumerator, &group))
	{
		member = group->find_member(group, old_id);
		if (member)
		{
			group->attach_member(group, member, new_id);
		}
	}
	enumerator->destroy(enumerator);
	return TRUE;
}

METHOD(mike_gcks_listener_t, start, void,
	private_mike_gcks_listener_t *this, mike_group_t *group)
{
	mike_gcks_group_t *gcks = mike_gcks_group(group);

	if (gcks)
	{
		this->rekey->start(this->rekey, gcks);
	}
}

METHOD(mike_gcks_listener_t, flush, void,
	private_mike_gcks_listener_t *this, char *name)
{
	mike_gcks_group_t *group;

	group = mike_gcks_group_checkout(this->groups, name);
	if (group)
	{
		this->rekey->flush(this->rekey, group);
		this->groups->checkin(this->groups, &group->group);
	}
}

METHOD(mike_gcks_listener_t, destroy, void,
	private_mike_gcks_listener_t *this)
{
	this->rekey->destroy(this->rekey);
	this->registrations->destroy(this->registrations);
	free(this);
}

/*
 * Described in header
 */
mike_gcks_listener_t *mike_gcks_listener_create(mike_groups_t *groups,
												mike_rekey_socket_t *socket)
{
	private_mike_gcks_listener_t *this;

	INIT(this,
		.public = {
			.listener = {
				.message = _message_hook,
				.authorize = _authorize,
				.ike_state_change = _ike_state_change,
				.ike_rekey = _ike_rekey,
			},
			.start = _start,
			.flush = _flush,
			.reauthorize = _reauthorize,
			.expel = _expel,
			.readmit = _readmit,
			.destroy = _destroy,
		},
		.registrar = {
			.push_over = _push_over,
			.drop_dormant = _drop_dormant,
		},
		.groups = groups,
		.registrations = mike_registrations_create(
										(void*)registration_destroy),
		.push_builder = {
			.public = {
				.build = _build_push,
			},
			.listener = this,
		},
	);
	this->rekey = mike_gcks_rekey_create(groups, socket, &this->registrar);
	return &this->public;
}
