/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "mike_listener.h"
#include "mike_gsa.h"
#include "mike_register_task.h"
#include "mike_registrar.h"
#include "mike_rekey.h"
#include "mike_keywrap.h"
#include "payloads/gikev2_parser.h"
#include "payloads/idg_payload.h"

#include <daemon.h>
#include <encoding/payloads/unknown_payload.h>
#include <sa/ikev2/keymat_v2.h>
#include <threading/mutex.h>
#include <processing/jobs/callback_job.h>

typedef struct private_mike_listener_t private_mike_listener_t;
typedef struct registration_t registration_t;
typedef struct register_builder_t register_builder_t;
typedef struct registrar_t registrar_t;

/**
 * A registration in progress on one IKE SA, in either role.
 */
struct registration_t {

	/** unique ID of the IKE SA */
	uint32_t ike_sa_id;

	/** name of the group, NULL if the IDg named no known group */
	char *group;

	/** whether the member asked to send */
	bool sender;

	/** GCKS: the IDg could not be parsed */
	bool malformed;

	/** GCKS: the error notify to answer with, 0 if authorized */
	notify_type_t refusal;

	/** GCKS: the payloads of the response; member: those received, kept
	 *  until charon has authenticated the GCKS */
	gsa_payload_t *gsa;
	kd_payload_t *kd;

	/** whether this host is the member of the registration */
	bool member;

	/** member: why the registration failed, NULL if it did not */
	char *failure;
};

/**
 * The listener as the register tasks see it: what builds their requests.
 * A struct of its own with a pointer back, since METHOD() takes an
 * interface's address for its object's, and the listener's address is its
 * listener_t's.
 */
struct register_builder_t {

	/** implements mike_register_builder_t */
	mike_register_builder_t public;

	/** the listener */
	private_mike_listener_t *listener;
};

/**
 * The listener as the rekey logic sees it: exchanges over IKE SAs and
 * dormant members.  A struct of its own, as register_builder_t.
 */
struct registrar_t {

	/** implements mike_registrar_t */
	mike_registrar_t public;

	/** the listener */
	private_mike_listener_t *listener;
};

/**
 * Private data of a mike_listener_t object.
 */
struct private_mike_listener_t {

	/**
	 * Public interface.
	 */
	mike_listener_t public;

	/**
	 * The groups.
	 */
	mike_groups_t *groups;

	/**
	 * Registrations in progress, registration_t.
	 */
	linked_list_t *registrations;

	/**
	 * Member: unique IDs of registration IKE SAs the GCKS stopped
	 * answering on, uintptr_t (under mutex)
	 */
	linked_list_t *lost;

	/**
	 * Lock for the registrations.
	 */
	mutex_t *mutex;

	/**
	 * Rekey logic, created and owned by the listener, which it calls back
	 * through registrar only.
	 */
	mike_rekey_t *rekey;

	/**
	 * Builds the requests of the register tasks.
	 */
	register_builder_t builder;

	/**
	 * The registration the rekey logic uses.
	 */
	registrar_t registrar;
};

static void registration_destroy(registration_t *reg)
{
	DESTROY_IF(&reg->gsa->payload_interface);
	DESTROY_IF(&reg->kd->payload_interface);
	free(reg->group);
	free(reg->failure);
	free(reg);
}

/**
 * Take the registration of an IKE SA out of the list (caller destroys it)
 */
static registration_t *take_registration(private_mike_listener_t *this,
										 uint32_t ike_sa_id)
{
	enumerator_t *enumerator;
	registration_t *reg, *found = NULL;

	this->mutex->lock(this->mutex);
	enumerator = this->registrations->create_enumerator(this->registrations);
	while (enumerator->enumerate(enumerator, &reg))
	{
		if (reg->ike_sa_id == ike_sa_id)
		{
			this->registrations->remove_at(this->registrations, enumerator);
			found = reg;
			break;
		}
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);
	return found;
}

/**
 * Put a registration (back) into the list, replacing an older one
 */
static void put_registration(private_mike_listener_t *this,
							 registration_t *reg)
{
	registration_t *old;

	old = take_registration(this, reg->ike_sa_id);
	if (old)
	{
		registration_destroy(old);
	}
	this->mutex->lock(this->mutex);
	this->registrations->insert_last(this->registrations, reg);
	this->mutex->unlock(this->mutex);
}

/**
 * The default key wrap key of an IKE SA (wipe after use)
 */
static bool get_gsk_w(ike_sa_t *ike_sa, chunk_t *gsk_w)
{
	keymat_v2_t *keymat = (keymat_v2_t*)ike_sa->get_keymat(ike_sa);
	pseudo_random_function_t prf_alg;
	chunk_t skd;

	if (ike_sa->get_version(ike_sa) != IKEV2)
	{
		return FALSE;
	}
	prf_alg = keymat->get_skd(keymat, &skd);
	return prf_alg != PRF_UNDEFINED &&
		   mike_keywrap_derive_gsk_w(prf_alg, skd, gsk_w);
}

/**
 * The name of the connection an IKE SA was made for
 */
static char *connection_name(ike_sa_t *ike_sa)
{
	peer_cfg_t *peer_cfg = ike_sa->get_peer_cfg(ike_sa);

	return peer_cfg ? peer_cfg->get_name(peer_cfg) : NULL;
}

/**
 * The first G-IKEv2 payload of a type in a message, unparsed (charon keeps
 * payloads it does not know as unknown_payload_t, whose payload_t type is
 * PL_UNKNOWN), NULL if none
 */
static payload_t *find_gikev2_payload(message_t *message, payload_type_t type)
{
	enumerator_t *enumerator;
	payload_t *payload, *found = NULL;

	enumerator = message->create_payload_enumerator(message);
	while (!found && enumerator->enumerate(enumerator, &payload))
	{
		if (payload->get_type(payload) == PL_UNKNOWN &&
			((unknown_payload_t*)payload)->get_type(
									(unknown_payload_t*)payload) == type)
		{
			found = payload;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * The first parsed G-IKEv2 payload of a type in a message, NULL if none or
 * malformed (the parser logs why); destroy it after use
 */
static payload_t *get_gikev2_payload(message_t *message, payload_type_t type,
									 bool *malformed)
{
	payload_t *payload, *parsed = NULL;

	payload = find_gikev2_payload(message, type);
	if (payload)
	{
		parsed = gikev2_payload_from_unknown(payload);
		if (!parsed)
		{
			DBG1(DBG_IKE, "mike: received a malformed %s payload",
				 type == GIKEV2_PL_IDG ? "IDg" :
				 type == GIKEV2_PL_GSA ? "GSA" : "KD");
		}
	}
	if (malformed)
	{
		*malformed = payload && !parsed;
	}
	return parsed;
}

/**
 * The IDg payload of a group
 */
static idg_payload_t *group_idg(char *name)
{
	identification_t *id;
	idg_payload_t *idg;

	id = identification_create_from_encoding(ID_KEY_ID, chunk_from_str(name));
	idg = idg_payload_create(id);
	id->destroy(id);
	return idg;
}

/**
 * The name of the group an IDg payload names, FALSE if it is none of ours
 * could have (unprintable or too long)
 */
static bool idg_group_name(idg_payload_t *idg, char *buf, size_t len)
{
	chunk_t name = idg->get_data(idg);

	/* a group name is printable and no longer than a settings key */
	if (!name.len || name.len >= len || !chunk_printable(name, NULL, 0))
	{
		return FALSE;
	}
	memcpy(buf, name.ptr, name.len);
	buf[name.len] = '\0';
	return TRUE;
}

/*
 * ---- member --------------------------------------------------------------
 */

/**
 * Member: add IDg (and N(GROUP_SENDER)) for a group to a request and expect
 * the GSA in the response; FALSE if there is no such group
 */
static bool request_group(private_mike_listener_t *this, ike_sa_t *ike_sa,
						  message_t *message, char *name)
{
	idg_payload_t *idg;
	registration_t *reg;
	mike_group_t *group;
	bool sender;

	this->groups->lock(this->groups);
	group = this->groups->get(this->groups, name);
	sender = group && group->cfg->sender;
	this->groups->unlock(this->groups);
	if (!group)
	{
		return FALSE;
	}
	idg = group_idg(name);
	if (!idg)
	{
		return FALSE;
	}
	message->add_payload(message, &idg->payload_interface);
	if (sender)
	{
		message->add_notify(message, FALSE, GIKEV2_NOTIFY_GROUP_SENDER,
							chunk_empty);
	}
	INIT(reg,
		.ike_sa_id = ike_sa->get_unique_id(ike_sa),
		.group = strdup(name),
		.sender = sender,
		.member = TRUE,
	);
	put_registration(this, reg);
	DBG1(DBG_IKE, "mike: registering to group '%s'%s", name,
		 sender ? " as sender" : "");
	return TRUE;
}

METHOD(mike_register_builder_t, builder_request_group, bool,
	register_builder_t *builder, ike_sa_t *ike_sa, message_t *message,
	char *name)
{
	return request_group(builder->listener, ike_sa, message, name);
}

METHOD(mike_register_builder_t, request_leave, bool,
	register_builder_t *builder, ike_sa_t *ike_sa, message_t *message,
	char *name)
{
	idg_payload_t *idg;

	idg = group_idg(name);
	if (!idg)
	{
		return FALSE;
	}
	message->add_payload(message, &idg->payload_interface);
	message->add_notify(message, FALSE, NO_PROPOSAL_CHOSEN, chunk_empty);
	DBG1(DBG_IKE, "mike: group '%s': telling the GCKS that we left", name);
	return TRUE;
}

/**
 * Member: the names of the member groups bound to the IKE SA's connection
 * that are not registered, optionally except one
 */
static linked_list_t *unregistered_groups(private_mike_listener_t *this,
										  ike_sa_t *ike_sa, char *except)
{
	enumerator_t *enumerator;
	mike_group_t *group;
	linked_list_t *names;
	char *conn = connection_name(ike_sa);

	names = linked_list_create();
	if (!conn)
	{
		return names;
	}
	enumerator = this->groups->create_enumerator(this->groups);
	while (enumerator->enumerate(enumerator, &group))
	{
		if (group->cfg->role == MIKE_ROLE_MEMBER && !group->kernel &&
			streq(group->cfg->connection, conn) &&
			(!except || !streq(group->cfg->name, except)))
		{
			names->insert_last(names, strdup(group->cfg->name));
		}
	}
	enumerator->destroy(enumerator);
	return names;
}

/**
 * Member: add IDg (and GROUP_SENDER) for the first group bound to the
 * connection to the first IKE_AUTH request
 */
static void member_request(private_mike_listener_t *this, ike_sa_t *ike_sa,
						   message_t *message)
{
	linked_list_t *names;
	char *name;

	names = unregistered_groups(this, ike_sa, NULL);
	if (names->get_first(names, (void**)&name) == SUCCESS)
	{
		request_group(this, ike_sa, message, name);
	}
	names->destroy_function(names, free);
}

/**
 * Member: register the other groups bound to the connection, one
 * INFORMATIONAL exchange each, once the IKE SA is up
 */
static void queue_further_groups(private_mike_listener_t *this,
								 ike_sa_t *ike_sa, char *registered)
{
	linked_list_t *names;
	char *name;

	names = unregistered_groups(this, ike_sa, registered);
	while (names->remove_first(names, (void**)&name) == SUCCESS)
	{
		ike_sa->queue_task(ike_sa, mike_register_task_create(
							&this->builder.public, ike_sa, name,
							MIKE_REGISTER_JOIN));
		free(name);
	}
	names->destroy(names);
}

/**
 * Member: install the group's SAs and policies; returns why not, or NULL
 */
static char *member_install(mike_group_t *group, ike_sa_t *ike_sa)
{
	mike_group_config_t *cfg = group->cfg;
	host_t *me = ike_sa->get_my_host(ike_sa);
	enumerator_t *enumerator;
	mike_kernel_t *kernel;
	mike_tek_t *tek, *own = NULL;
	bool ok = TRUE;

	kernel = group->create_kernel(group);
	if (!kernel)
	{
		return "no reqid for the group's SAs (or its fail-close policies "
			   "could not be installed)";
	}
	enumerator = group->teks->create_enumerator(group->teks);
	while (ok && enumerator->enumerate(enumerator, &tek))
	{
		if (cfg->sender && tek->source && me->ip_equals(me, tek->source))
		{	/* the first is the current one, a retired one comes later */
			own = own ?: tek;
			continue;
		}
		ok = kernel->add_inbound(kernel, tek);
	}
	enumerator->destroy(enumerator);
	if (ok && cfg->sender)
	{
		if (!own)
		{
			kernel->destroy(kernel);
			return "the GCKS sent no sender key for this member";
		}
		ok = kernel->add_outbound(kernel, own, me);
	}
	ok = ok && kernel->add_in_policy(kernel);
	if (!ok)
	{
		kernel->destroy(kernel);
		return "installing the group's SAs or policies failed";
	}
	group->kernel = kernel;
	group->own_spi = own ? own->spi : 0;
	return NULL;
}

/**
 * What a refusal notify means, for the member's log
 */
static char *refusal_reason(notify_type_t type)
{
	switch ((int)type)
	{
		case GIKEV2_NOTIFY_INVALID_GROUP_ID:
			return "INVALID_GROUP_ID (the GCKS has no such group)";
		case INVALID_SYNTAX:
			return "INVALID_SYNTAX (it could not read our IDg)";
		default:
			return "AUTHORIZATION_FAILED (this identity may not join/send)";
	}
}

/**
 * Member: take the GSA and KD of a registration, which charon has
 * authenticated the GCKS of, and install it; sets reg->failure if not
 */
static void member_apply(private_mike_listener_t *this, ike_sa_t *ike_sa,
						 registration_t *reg, bool ike_auth)
{
	mike_group_t *group;
	chunk_t gsk_w = chunk_empty;
	char *failure = NULL;

	this->groups->lock(this->groups);
	group = this->groups->get(this->groups, reg->group);
	if (!group)
	{
		failure = "the group is no longer configured";
	}
	else if (!reg->gsa || !reg->kd)
	{
		failure = "the GCKS sent no valid GSA and KD payloads";
	}
	else if (!get_gsk_w(ike_sa, &gsk_w))
	{
		failure = "no key wrap key for this IKE SA";
	}
	else if (group->kernel && group->ike_sa_id == reg->ike_sa_id)
	{	/* registered again over the same IKE SA after a missed rekey: the
		 * keys are taken as from a GSA_REKEY, traffic goes on */
		failure = this->rekey->apply(this->rekey, group, reg->gsa, reg->kd,
									 gsk_w);
		if (!failure)
		{
			DBG1(DBG_IKE, "mike: group '%s' registered again: %d sender "
				 "TEK%s", reg->group, group->teks->get_count(group->teks),
				 group->teks->get_count(group->teks) == 1 ? "" : "s");
		}
	}
	else
	{
		group->unregister(group);
		failure = mike_gsa_apply(group, reg->gsa, reg->kd, gsk_w);
		if (!failure)
		{
			failure = member_install(group, ike_sa);
		}
		if (failure)
		{
			group->unregister(group);
		}
		else
		{
			group->ike_sa_id = reg->ike_sa_id;
			group->registered = time_monotonic(NULL);
			group->my_host = ike_sa->get_my_host(ike_sa);
			group->my_host = group->my_host->clone(group->my_host);
			group->keys_updated = group->registered;
			this->rekey->start(this->rekey, group);
			DBG1(DBG_IKE, "mike: group '%s' registered: %d sender SA%s "
				 "installed%s", reg->group,
				 group->kernel->get_inbound_count(group->kernel),
				 group->kernel->get_inbound_count(group->kernel) == 1 ? "" : "s",
				 group->own_spi ? ", sending" : "");
		}
	}
	this->groups->unlock(this->groups);
	chunk_clear(&gsk_w);

	if (failure)
	{
		DBG1(DBG_IKE, "mike: group '%s': registration failed: %s",
			 reg->group, failure);
		reg->failure = strdup(failure);
	}
	else if (ike_auth)
	{
		queue_further_groups(this, ike_sa, reg->group);
	}
}

/**
 * Member: take the GSA from a response; in IKE_AUTH it waits for
 * authorize(), which comes once charon has authenticated the GCKS: until
 * then nothing of it is used (no SA, policy, socket or timer)
 */
static void member_response(private_mike_listener_t *this, ike_sa_t *ike_sa,
							message_t *message)
{
	registration_t *reg;
	notify_payload_t *notify;

	reg = take_registration(this, ike_sa->get_unique_id(ike_sa));
	if (!reg)
	{
		return;
	}
	notify = message->get_notify(message, GIKEV2_NOTIFY_AUTHORIZATION_FAILED);
	if (!notify)
	{
		notify = message->get_notify(message, GIKEV2_NOTIFY_INVALID_GROUP_ID);
	}
	if (!notify)
	{
		notify = message->get_notify(message, INVALID_SYNTAX);
	}
	if (notify)
	{
		DBG1(DBG_IKE, "mike: group '%s': the GCKS refused the registration: %s",
			 reg->group, refusal_reason(notify->get_notify_type(notify)));
		reg->failure = strdup("refused by the GCKS");
	}
	else if (message->get_payload(message, PLV2_EAP))
	{	/* an intermediate IKE_AUTH round (EAP): the GSA comes later */
		put_registration(this, reg);
		return;
	}
	else
	{
		DESTROY_IF(&reg->gsa->payload_interface);
		DESTROY_IF(&reg->kd->payload_interface);
		reg->gsa = (gsa_payload_t*)get_gikev2_payload(message, GIKEV2_PL_GSA,
													  NULL);
		reg->kd = (kd_payload_t*)get_gikev2_payload(message, GIKEV2_PL_KD,
													NULL);
	}
	if (message->get_exchange_type(message) == IKE_AUTH)
	{
		put_registration(this, reg);
		return;
	}
	/* an INFORMATIONAL registration on the established IKE SA: done with
	 * here, the IKE SA stands whatever became of it */
	if (!reg->failure)
	{
		member_apply(this, ike_sa, reg, FALSE);
	}
	registration_destroy(reg);
}

/**
 * Member: charon authenticated the GCKS: install what it sent, or fail the
 * IKE SA if the registration failed
 */
static bool member_authorize(private_mike_listener_t *this, ike_sa_t *ike_sa)
{
	registration_t *reg;
	bool ok = TRUE;

	reg = take_registration(this, ike_sa->get_unique_id(ike_sa));
	if (reg)
	{
		if (!reg->failure)
		{
			member_apply(this, ike_sa, reg, TRUE);
		}
		ok = reg->failure == NULL;
		if (!ok)
		{
			DBG1(DBG_IKE, "mike: group '%s' not registered, closing the "
				 "IKE SA", reg->group);
		}
		registration_destroy(reg);
	}
	return ok;
}

/*
 * ---- GCKS ----------------------------------------------------------------
 */

/**
 * GCKS: note the IDg of an IKE_AUTH request
 */
static void gcks_request(private_mike_listener_t *this, ike_sa_t *ike_sa,
						 message_t *message)
{
	idg_payload_t *idg;
	registration_t *reg;
	bool malformed;
	char name[64];

	idg = (idg_payload_t*)get_gikev2_payload(message, GIKEV2_PL_IDG,
											 &malformed);
	if (!idg)
	{
		if (malformed)
		{	/* a registration we cannot read is refused, not ignored */
			INIT(reg,
				.ike_sa_id = ike_sa->get_unique_id(ike_sa),
				.malformed = TRUE,
			);
			put_registration(this, reg);
		}
		return;
	}
	INIT(reg,
		.ike_sa_id = ike_sa->get_unique_id(ike_sa),
		.sender = message->get_notify(message,
									  GIKEV2_NOTIFY_GROUP_SENDER) != NULL,
	);
	if (idg_group_name(idg, name, sizeof(name)))
	{
		reg->group = strdup(name);
	}
	DBG1(DBG_IKE, "mike: registration request for group '%s'%s",
		 reg->group ?: "(unprintable)", reg->sender ? " as sender" : "");
	idg->destroy(idg);
	put_registration(this, reg);
}

/**
 * GCKS: the key of the identity members authenticate the GCKS as signs its
 * GSA_REKEY messages (its public key goes out as AUTH_KEY)
 */
static void ensure_signing_key(mike_group_t *group, ike_sa_t *ike_sa)
{
	identification_t *me = ike_sa->get_my_id(ike_sa);
	private_key_t *key;

	if (group->signing_key)
	{
		return;
	}
	key = lib->credmgr->get_private(lib->credmgr, KEY_ANY, me, NULL);
	if (!group->ensure_signing_key(group, key))
	{
		DBG1(DBG_CFG, "mike: group '%s': no usable private key for '%Y', "
			 "members get no key to verify GSA_REKEY messages with",
			 group->cfg->name, me);
	}
	DESTROY_IF(key);
}

/**
 * GCKS: remove a member and have the others follow with new keys it cannot
 * unwrap (forward access control)
 */
static void member_gone(private_mike_listener_t *this, mike_group_t *group,
						mike_group_member_t *member)
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
 * GCKS: a member restored from the state store that has not registered
 * since the restart, by identity
 */
static mike_group_member_t *dormant_member(mike_group_t *group,
										   identification_t *id)
{
	enumerator_t *enumerator;
	mike_group_member_t *member, *found = NULL;

	enumerator = group->members->create_enumerator(group->members);
	while (!found && enumerator->enumerate(enumerator, &member))
	{
		if (!member->ike_sa_id && member->id->equals(member->id, id))
		{
			found = member;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * GCKS: a fresh TEK for a member that asks to send, replacing the one it
 * had (announced to the others, which learn it before the member gets it)
 */
static bool renew_tek(private_mike_listener_t *this, mike_group_t *group,
					  mike_group_member_t *member, ike_sa_t *ike_sa, char *why)
{
	mike_tek_t *tek;

	tek = group->new_tek(group, member->id, ike_sa->get_other_host(ike_sa));
	if (!tek)
	{
		return FALSE;
	}
	if (member->tek)
	{	/* receivers keep its SA until their deactivation delay */
		group->retire_tek(group, member->tek);
	}
	member->tek = tek;
	this->rekey->announce(this->rekey, group, member, why);
	return TRUE;
}

/**
 * GCKS: add an authorized member (or take it again, if it registers anew
 * over the same IKE SA because it missed a rekey: same leaf, same TEK) and
 * build its GSA with its key tree path
 */
static bool register_member(private_mike_listener_t *this, mike_group_t *group,
							registration_t *reg, ike_sa_t *ike_sa,
							identification_t *id, chunk_t gsk_w)
{
	mike_group_member_t *member;
	mike_gsa_keys_t keys = {};
	linked_list_t *path = NULL, *rekey = NULL;
	mike_tek_t *tek = NULL;
	bool again, restored = FALSE, ok = TRUE;

	member = group->find_member(group, reg->ike_sa_id);
	again = member != NULL;
	if (!member)
	{	/* a member the GCKS knew before its restart: same leaf */
		member = dormant_member(group, id);
		if (member)
		{
			member->ike_sa_id = reg->ike_sa_id;
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
			ok = renew_tek(this, group, member, ike_sa, member->tek ?
						   "sender returned after a restart, new TEK" :
						   "new sender");
		}
		ok = ok && group->lkh->get_path(group->lkh, member->leaf, &path);
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
		member = group->add_member(group, id, reg->ike_sa_id, tek, &path,
								   &rekey);
		ok = member != NULL;
		if (ok)
		{	/* the others learn of the new sender (and, with rekey_on_join,
			 * get new keys) before it gets the group's keys */
			this->rekey->joined(this->rekey, group, rekey);
		}
		if (rekey)
		{
			rekey->destroy_function(rekey, (void*)mike_lkh_wrapped_destroy);
		}
		if (!ok && tek)
		{
			group->teks->remove(group->teks, tek, NULL);
			tek->destroy(tek);
		}
	}
	if (ok)
	{
		keys.wrap_keys = mike_lkh_wrap_path(path, gsk_w);
		keys.initial_msg_id = group->rekey_msg_id;
		/* senders may still use TEKs just replaced: a newcomer gets them
		 * too, unless it must not read anything from before it joined */
		keys.retired = !group->cfg->rekey_on_join;
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
 * GCKS: authorize a registration and prepare the GSA; FALSE to refuse
 */
static bool gcks_authorize(private_mike_listener_t *this, ike_sa_t *ike_sa)
{
	registration_t *reg;
	mike_group_t *group;
	identification_t *id = ike_sa->get_other_eap_id(ike_sa);
	chunk_t gsk_w = chunk_empty;
	bool ok = FALSE;

	reg = take_registration(this, ike_sa->get_unique_id(ike_sa));
	if (!reg)
	{
		return TRUE;
	}
	this->groups->lock(this->groups);
	group = reg->group ? this->groups->get(this->groups, reg->group) : NULL;
	if (reg->malformed)
	{
		DBG1(DBG_CFG, "mike: '%Y' sent a malformed IDg, refused", id);
		reg->refusal = INVALID_SYNTAX;
	}
	else if (!group || group->cfg->role != MIKE_ROLE_GCKS)
	{
		DBG1(DBG_CFG, "mike: '%Y' asked for unknown group '%s', refused", id,
			 reg->group ?: "(unprintable)");
		reg->refusal = GIKEV2_NOTIFY_INVALID_GROUP_ID;
	}
	else if (!group->cfg->may_join(group->cfg, id))
	{
		DBG1(DBG_CFG, "mike: group '%s': '%Y' is not a permitted member, "
			 "refused", reg->group, id);
		reg->refusal = GIKEV2_NOTIFY_AUTHORIZATION_FAILED;
	}
	else if (reg->sender && !group->cfg->may_send(group->cfg, id))
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
	else if (!group->ensure_kek(group) || !get_gsk_w(ike_sa, &gsk_w))
	{
		DBG1(DBG_CFG, "mike: group '%s': generating keys failed", reg->group);
		reg->refusal = GIKEV2_NOTIFY_AUTHORIZATION_FAILED;
	}
	else
	{
		ensure_signing_key(group, ike_sa);
		ok = register_member(this, group, reg, ike_sa, id, gsk_w);
		if (!ok)
		{
			DBG1(DBG_CFG, "mike: group '%s': building the GSA failed",
				 reg->group);
			reg->refusal = GIKEV2_NOTIFY_AUTHORIZATION_FAILED;
		}
	}
	this->groups->unlock(this->groups);
	chunk_clear(&gsk_w);
	put_registration(this, reg);
	return ok;
}

/**
 * GCKS: answer the registration in the last IKE_AUTH response
 */
static void gcks_response(private_mike_listener_t *this, ike_sa_t *ike_sa,
						  message_t *message)
{
	registration_t *reg;

	reg = take_registration(this, ike_sa->get_unique_id(ike_sa));
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
	}
	else
	{	/* not yet authorized: an intermediate round, keep waiting */
		put_registration(this, reg);
		return;
	}
	registration_destroy(reg);
}

/**
 * GCKS: a member tells it left a group (de-registration): forget it and
 * give the others keys it cannot unwrap
 */
static void gcks_leave(private_mike_listener_t *this, ike_sa_t *ike_sa,
					   message_t *message)
{
	identification_t *id = ike_sa->get_other_eap_id(ike_sa);
	mike_group_member_t *member = NULL;
	mike_group_t *group;
	idg_payload_t *idg;
	char name[64];

	idg = (idg_payload_t*)get_gikev2_payload(message, GIKEV2_PL_IDG, NULL);
	if (!idg || !idg_group_name(idg, name, sizeof(name)))
	{
		DBG1(DBG_CFG, "mike: '%Y' left a group but named none we know", id);
		DESTROY_IF(&idg->payload_interface);
		return;
	}
	idg->destroy(idg);
	this->groups->lock(this->groups);
	group = this->groups->get(this->groups, name);
	if (group && group->cfg->role == MIKE_ROLE_GCKS)
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
	this->groups->unlock(this->groups);
}

/**
 * Member: a GSA the GCKS pushed over the IKE SA (unicast rekeying)
 */
static void member_push(private_mike_listener_t *this, ike_sa_t *ike_sa,
						message_t *message)
{
	payload_t *idg, *gsa, *kd;
	mike_group_t *group = NULL;
	chunk_t gsk_w = chunk_empty;
	char buf[64] = "", *error = "no IDg, GSA and KD payloads";

	idg = get_gikev2_payload(message, GIKEV2_PL_IDG, NULL);
	gsa = get_gikev2_payload(message, GIKEV2_PL_GSA, NULL);
	kd = get_gikev2_payload(message, GIKEV2_PL_KD, NULL);
	if (idg && gsa && kd)
	{
		idg_group_name((idg_payload_t*)idg, buf, sizeof(buf));
		this->groups->lock(this->groups);
		group = this->groups->get(this->groups, buf);
		if (!group || group->cfg->role != MIKE_ROLE_MEMBER || !group->kernel ||
			group->ike_sa_id != ike_sa->get_unique_id(ike_sa))
		{
			error = "not a group registered over this IKE SA";
		}
		else if (!get_gsk_w(ike_sa, &gsk_w))
		{
			error = "no key wrap key for this IKE SA";
		}
		else
		{
			error = this->rekey->apply(this->rekey, group, (gsa_payload_t*)gsa,
									   (kd_payload_t*)kd, gsk_w);
			if (!error)
			{
				group->rekeys++;
				DBG1(DBG_IKE, "mike: group '%s': new GSA from the GCKS over the "
					 "IKE SA accepted, %d sender TEK%s", buf,
					 group->teks->get_count(group->teks),
					 group->teks->get_count(group->teks) == 1 ? "" : "s");
			}
		}
		this->groups->unlock(this->groups);
	}
	if (error)
	{
		DBG1(DBG_IKE, "mike: group '%s': GSA pushed by the GCKS not applied: "
			 "%s", buf, error);
	}
	chunk_clear(&gsk_w);
	DESTROY_IF(idg);
	DESTROY_IF(gsa);
	DESTROY_IF(kd);
}

/*
 * ---- listener ------------------------------------------------------------
 */

METHOD(listener_t, message_hook, bool,
	private_mike_listener_t *this, ike_sa_t *ike_sa, message_t *message,
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
			if (ike_sa->has_condition(ike_sa, COND_ORIGINAL_INITIATOR))
			{
				if (!incoming && request &&
					message->get_message_id(message) == 1)
				{
					member_request(this, ike_sa, message);
				}
				else if (incoming && !request)
				{
					member_response(this, ike_sa, message);
				}
			}
			else if (incoming && request)
			{
				gcks_request(this, ike_sa, message);
			}
			else if (!incoming && !request)
			{
				gcks_response(this, ike_sa, message);
			}
			break;
		case INFORMATIONAL:
			/* a further group on an established IKE SA: the request comes
			 * from mike_register_task, the GCKS decides at once; only an
			 * authenticated peer gets or gives keys */
			if (ike_sa->get_state(ike_sa) != IKE_ESTABLISHED &&
				ike_sa->get_state(ike_sa) != IKE_REKEYING &&
				ike_sa->get_state(ike_sa) != IKE_REKEYED)
			{
				break;
			}
			if (incoming && request && find_gikev2_payload(message,
														   GIKEV2_PL_GSA))
			{	/* unicast rekeying: the GCKS pushes a new GSA */
				member_push(this, ike_sa, message);
			}
			else if (incoming && request &&
					 !ike_sa->has_condition(ike_sa, COND_ORIGINAL_INITIATOR) &&
					 message->get_notify(message, NO_PROPOSAL_CHOSEN) &&
					 find_gikev2_payload(message, GIKEV2_PL_IDG))
			{	/* de-registration: IDg with an error notify */
				gcks_leave(this, ike_sa, message);
			}
			else if (incoming && request &&
					 !ike_sa->has_condition(ike_sa, COND_ORIGINAL_INITIATOR))
			{	/* members initiate their registration IKE SAs: only the
				 * GCKS's side takes registrations */
				gcks_request(this, ike_sa, message);
				gcks_authorize(this, ike_sa);
			}
			else if (!incoming && !request)
			{
				gcks_response(this, ike_sa, message);
			}
			else if (incoming && !request)
			{
				member_response(this, ike_sa, message);
			}
			break;
		default:
			break;
	}
	return TRUE;
}

METHOD(listener_t, authorize, bool,
	private_mike_listener_t *this, ike_sa_t *ike_sa, bool final,
	bool *success)
{
	if (!final)
	{
		return TRUE;
	}
	if (ike_sa->has_condition(ike_sa, COND_ORIGINAL_INITIATOR))
	{
		*success = member_authorize(this, ike_sa);
	}
	else
	{
		*success = gcks_authorize(this, ike_sa);
	}
	return TRUE;
}

METHOD(listener_t, alert, bool,
	private_mike_listener_t *this, ike_sa_t *ike_sa, alert_t alert,
	va_list args)
{
	/* the GCKS does not answer on a member's IKE SA (it restarted, or
	 * crashed): when charon gives the IKE SA up, its groups register again
	 * over a new one */
	if (alert == ALERT_RETRANSMIT_SEND_TIMEOUT && ike_sa &&
		ike_sa->has_condition(ike_sa, COND_ORIGINAL_INITIATOR))
	{
		this->mutex->lock(this->mutex);
		this->lost->insert_last(this->lost,
							(void*)(uintptr_t)ike_sa->get_unique_id(ike_sa));
		this->mutex->unlock(this->mutex);
	}
	return TRUE;
}

/**
 * Whether the GCKS stopped answering on an IKE SA (forgets it)
 */
static bool take_lost(private_mike_listener_t *this, uint32_t ike_sa_id)
{
	bool lost;

	this->mutex->lock(this->mutex);
	lost = this->lost->remove(this->lost, (void*)(uintptr_t)ike_sa_id,
							  NULL) > 0;
	this->mutex->unlock(this->mutex);
	return lost;
}

/**
 * Member: initiate a group's connection again (from a job: it checks an
 * IKE SA out)
 */
static job_requeue_t reinitiate(char *connection)
{
	peer_cfg_t *peer_cfg;

	peer_cfg = charon->backends->get_peer_cfg_by_name(charon->backends,
													  connection);
	if (!peer_cfg)
	{
		DBG1(DBG_CFG, "mike: connection '%s' is gone, its groups stay "
			 "unregistered", connection);
		return JOB_REQUEUE_NONE;
	}
	/* owns the peer_cfg; the new IKE_AUTH registers the groups */
	charon->controller->initiate(charon->controller, peer_cfg, NULL, NULL,
								 NULL, 0, FALSE);
	return JOB_REQUEUE_NONE;
}

/**
 * Forget everything of an IKE SA that is gone
 */
static void ike_sa_gone(private_mike_listener_t *this, uint32_t ike_sa_id)
{
	bool lost = take_lost(this, ike_sa_id);
	char *connection = NULL;
	enumerator_t *enumerator;
	registration_t *reg;
	mike_group_t *group;
	mike_group_member_t *member;

	reg = take_registration(this, ike_sa_id);
	if (reg)
	{
		if (reg->member && (reg->gsa || reg->kd))
		{
			DBG1(DBG_IKE, "mike: group '%s': the IKE SA is gone before the "
				 "GCKS was authenticated, nothing it sent was used",
				 reg->group);
		}
		registration_destroy(reg);
	}
	enumerator = this->groups->create_enumerator(this->groups);
	while (enumerator->enumerate(enumerator, &group))
	{
		if (group->cfg->role == MIKE_ROLE_MEMBER &&
			group->ike_sa_id == ike_sa_id)
		{
			DBG1(DBG_IKE, "mike: group '%s': registration IKE SA gone, "
				 "removing the group's SAs and policies", group->cfg->name);
			this->rekey->stop(this->rekey, group);
			group->unregister(group);
			if (lost && !streq(connection ?: "", group->cfg->connection))
			{
				DBG1(DBG_IKE, "mike: group '%s': the GCKS stopped answering, "
					 "registering again over a new IKE SA", group->cfg->name);
				free(connection);
				connection = strdup(group->cfg->connection);
				lib->processor->queue_job(lib->processor,
					(job_t*)callback_job_create((callback_job_cb_t)reinitiate,
									strdup(connection), free, NULL));
			}
		}
		member = group->find_member(group, ike_sa_id);
		if (member)
		{
			DBG1(DBG_CFG, "mike: group '%s': member '%Y' left",
				 group->cfg->name, member->id);
			member_gone(this, group, member);
		}
	}
	enumerator->destroy(enumerator);
	free(connection);
}

METHOD(listener_t, ike_state_change, bool,
	private_mike_listener_t *this, ike_sa_t *ike_sa, ike_sa_state_t state)
{
	/* covers IKE SAs that never got established, too */
	if (state == IKE_DESTROYING)
	{
		ike_sa_gone(this, ike_sa->get_unique_id(ike_sa));
	}
	return TRUE;
}

METHOD(listener_t, ike_rekey, bool,
	private_mike_listener_t *this, ike_sa_t *old, ike_sa_t *new)
{
	enumerator_t *enumerator;
	mike_group_t *group;
	mike_group_member_t *member;
	uint32_t old_id = old->get_unique_id(old), new_id = new->get_unique_id(new);

	/* the registration lives on in the new IKE SA */
	enumerator = this->groups->create_enumerator(this->groups);
	while (enumerator->enumerate(enumerator, &group))
	{
		if (group->ike_sa_id == old_id)
		{
			group->ike_sa_id = new_id;
		}
		member = group->find_member(group, old_id);
		if (member)
		{
			member->ike_sa_id = new_id;
		}
	}
	enumerator->destroy(enumerator);
	return TRUE;
}

/**
 * GCKS: whether an IKE SA still carries a membership in any group (call
 * with the store locked)
 */
static bool carries_members(private_mike_listener_t *this, uint32_t ike_sa_id)
{
	enumerator_t *enumerator;
	mike_group_t *group;
	bool found = FALSE;

	enumerator = this->groups->create_enumerator(this->groups);
	while (!found && enumerator->enumerate(enumerator, &group))
	{
		found = group->cfg->role == MIKE_ROLE_GCKS &&
				group->find_member(group, ike_sa_id);
	}
	enumerator->destroy(enumerator);
	return found;
}

CALLBACK(filter_gcks, bool,
	char *name, enumerator_t *orig, va_list args)
{
	mike_group_t *group, **out;

	VA_ARGS_VGET(args, out);
	while (orig->enumerate(orig, &group))
	{
		if (group->cfg->role == MIKE_ROLE_GCKS &&
			(!name || streq(name, group->cfg->name)))
		{
			*out = group;
			return TRUE;
		}
	}
	return FALSE;
}

/**
 * Enumerate the GCKS groups, or the one named (call with the store locked)
 */
static enumerator_t *create_gcks_enumerator(private_mike_listener_t *this,
											char *name)
{
	return enumerator_create_filter(
							this->groups->create_enumerator(this->groups),
							filter_gcks, name, NULL);
}

/**
 * Whether a member is to be removed from a group, and why (for the log)
 */
typedef bool (*member_filter_t)(void *data, mike_group_t *group,
								mike_group_member_t *member, char **why);

/**
 * GCKS: remove the members a filter picks from a group (all GCKS groups for
 * NULL), with the forward-access-control rekey, and close their IKE SAs if
 * these carry no other membership (they could register again over them
 * otherwise)
 *
 * @param groups	receives the number of groups looked at
 * @return			memberships removed
 */
static int remove_members(private_mike_listener_t *this, char *name,
						  member_filter_t filter, void *data, int *groups)
{
	enumerator_t *enumerator, *members;
	mike_group_t *group;
	mike_group_member_t *member;
	linked_list_t *ike_sas, *found;
	uintptr_t ike_sa_id;
	int count = 0;
	char *why;

	*groups = 0;
	ike_sas = linked_list_create();
	this->groups->lock(this->groups);
	enumerator = create_gcks_enumerator(this, name);
	while (enumerator->enumerate(enumerator, &group))
	{
		(*groups)++;
		/* collect first: removing a member changes the list */
		found = linked_list_create();
		members = group->members->create_enumerator(group->members);
		while (members->enumerate(members, &member))
		{
			if (filter(data, group, member, &why))
			{
				DBG1(DBG_CFG, "mike: group '%s': member '%Y' %s",
					 group->cfg->name, member->id, why);
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
	this->groups->unlock(this->groups);

	while (ike_sas->remove_first(ike_sas, (void**)&ike_sa_id) == SUCCESS)
	{
		charon->controller->terminate_ike(charon->controller, ike_sa_id,
										  FALSE, NULL, NULL, 0);
	}
	ike_sas->destroy(ike_sas);
	return count;
}

CALLBACK(match_identity, bool,
	identification_t *id, mike_group_t *group, mike_group_member_t *member,
	char **why)
{
	*why = "expelled";
	return member->id->matches(member->id, id) > ID_MATCH_NONE;
}

METHOD(mike_listener_t, expel, int,
	private_mike_listener_t *this, char *name, identification_t *id)
{
	enumerator_t *enumerator;
	mike_group_t *group;
	int count, groups;

	this->groups->lock(this->groups);
	enumerator = create_gcks_enumerator(this, name);
	while (enumerator->enumerate(enumerator, &group))
	{
		if (!group->is_expelled(group, id))
		{
			group->expelled->insert_last(group->expelled, id->clone(id));
			group->save(group);
		}
	}
	enumerator->destroy(enumerator);
	this->groups->unlock(this->groups);

	count = remove_members(this, name, match_identity, id, &groups);
	return groups ? count : -1;
}

CALLBACK(not_authorized, bool,
	void *data, mike_group_t *group, mike_group_member_t *member, char **why)
{
	if (!group->cfg->may_join(group->cfg, member->id))
	{
		*why = "is no longer a permitted member, removed";
		return TRUE;
	}
	if (member->tek && !group->cfg->may_send(group->cfg, member->id))
	{
		*why = "is no longer a permitted sender, removed";
		return TRUE;
	}
	return FALSE;
}

METHOD(mike_listener_t, reauthorize, int,
	private_mike_listener_t *this, char *name)
{
	int groups;

	return remove_members(this, name, not_authorized, NULL, &groups);
}

CALLBACK(is_dormant, bool,
	void *data, mike_group_t *group, mike_group_member_t *member, char **why)
{
	*why = "did not register again within rejoin_timeout after the GCKS "
		   "restarted, dropped";
	return !member->ike_sa_id;
}

METHOD(mike_registrar_t, drop_dormant, int,
	registrar_t *registrar, char *name)
{
	int groups;

	return remove_members(registrar->listener, name, is_dormant, NULL,
						  &groups);
}

METHOD(mike_listener_t, readmit, int,
	private_mike_listener_t *this, char *name, identification_t *id)
{
	enumerator_t *enumerator, *expelled;
	mike_group_t *group;
	identification_t *current;
	int count = 0, groups = 0;

	this->groups->lock(this->groups);
	enumerator = create_gcks_enumerator(this, name);
	while (enumerator->enumerate(enumerator, &group))
	{
		groups++;
		expelled = group->expelled->create_enumerator(group->expelled);
		while (expelled->enumerate(expelled, &current))
		{
			if (current->equals(current, id))
			{
				group->expelled->remove_at(group->expelled, expelled);
				current->destroy(current);
				DBG1(DBG_CFG, "mike: group '%s': '%Y' may register again",
					 group->cfg->name, id);
				group->save(group);
				count++;
			}
		}
		expelled->destroy(expelled);
	}
	enumerator->destroy(enumerator);
	this->groups->unlock(this->groups);
	return groups ? count : -1;
}

/**
 * Queue a registration or push task on an IKE SA and start it
 */
static bool queue_over(private_mike_listener_t *this, uint32_t ike_sa_id,
					   char *name, mike_register_mode_t mode)
{
	ike_sa_t *ike_sa;

	ike_sa = charon->ike_sa_manager->checkout_by_id(charon->ike_sa_manager,
													ike_sa_id);
	if (!ike_sa)
	{
		return FALSE;
	}
	ike_sa->queue_task(ike_sa, mike_register_task_create(&this->builder.public,
														 ike_sa, name, mode));
	if (ike_sa->initiate(ike_sa, NULL, NULL) == DESTROY_ME)
	{
		charon->ike_sa_manager->checkin_and_destroy(charon->ike_sa_manager,
													ike_sa);
		return FALSE;
	}
	charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
	return TRUE;
}

METHOD(mike_listener_t, register_over, bool,
	private_mike_listener_t *this, uint32_t ike_sa_id, char *name)
{
	return queue_over(this, ike_sa_id, name, MIKE_REGISTER_JOIN);
}

METHOD(mike_registrar_t, push_over, bool,
	registrar_t *registrar, uint32_t ike_sa_id, char *name)
{
	return queue_over(registrar->listener, ike_sa_id, name,
					  MIKE_REGISTER_PUSH);
}

METHOD(mike_registrar_t, registrar_register_over, bool,
	registrar_t *registrar, uint32_t ike_sa_id, char *name)
{
	return register_over(registrar->listener, ike_sa_id, name);
}

/**
 * Member: whether any group is registered over an IKE SA (call with the
 * store locked)
 */
static bool carries_groups(private_mike_listener_t *this, uint32_t ike_sa_id)
{
	enumerator_t *enumerator;
	mike_group_t *group;
	bool found = FALSE;

	enumerator = this->groups->create_enumerator(this->groups);
	while (!found && enumerator->enumerate(enumerator, &group))
	{
		found = group->cfg->role == MIKE_ROLE_MEMBER &&
				group->ike_sa_id == ike_sa_id;
	}
	enumerator->destroy(enumerator);
	return found;
}

METHOD(mike_listener_t, leave, bool,
	private_mike_listener_t *this, char *name)
{
	mike_group_t *group;
	uint32_t ike_sa_id = 0;
	bool registered = FALSE, others = FALSE;

	this->groups->lock(this->groups);
	group = this->groups->get(this->groups, name);
	if (group && group->cfg->role == MIKE_ROLE_MEMBER && group->kernel)
	{
		DBG1(DBG_CFG, "mike: leaving group '%s'", name);
		ike_sa_id = group->ike_sa_id;
		this->rekey->stop(this->rekey, group);
		group->unregister(group);
		registered = TRUE;
		others = ike_sa_id && carries_groups(this, ike_sa_id);
	}
	this->groups->unlock(this->groups);

	if (!ike_sa_id)
	{
		return registered;
	}
	if (!others)
	{	/* closing the IKE SA tells the GCKS */
		charon->controller->terminate_ike(charon->controller, ike_sa_id,
										  FALSE, NULL, NULL, 0);
	}
	else if (!queue_over(this, ike_sa_id, name, MIKE_REGISTER_LEAVE))
	{
		DBG1(DBG_CFG, "mike: group '%s': the IKE SA is gone, the GCKS learns "
			 "that we left when it notices", name);
	}
	return registered;
}

METHOD(mike_register_builder_t, push_group, bool,
	register_builder_t *builder, ike_sa_t *ike_sa, message_t *message,
	char *name)
{
	private_mike_listener_t *this = builder->listener;
	mike_group_t *group;
	mike_group_member_t *member = NULL;
	gsa_payload_t *gsa = NULL;
	kd_payload_t *kd = NULL;
	idg_payload_t *idg;
	chunk_t gsk_w = chunk_empty;
	bool ok = FALSE;

	this->groups->lock(this->groups);
	group = this->groups->get(this->groups, name);
	if (group && group->cfg->role == MIKE_ROLE_GCKS)
	{
		member = group->find_member(group, ike_sa->get_unique_id(ike_sa));
	}
	if (member && get_gsk_w(ike_sa, &gsk_w))
	{
		ok = mike_gsa_build(group, gsk_w, NULL, &gsa, &kd);
		if (ok)
		{
			DBG1(DBG_IKE, "mike: group '%s': sending the new GSA to '%Y' "
				 "over its IKE SA", name, member->id);
		}
	}
	this->groups->unlock(this->groups);
	chunk_clear(&gsk_w);
	if (!ok)
	{	/* it left meanwhile: nothing to send */
		return FALSE;
	}
	idg = group_idg(name);
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

METHOD(mike_listener_t, start, void,
	private_mike_listener_t *this, mike_group_t *group)
{
	this->rekey->start(this->rekey, group);
}

METHOD(mike_listener_t, destroy, void,
	private_mike_listener_t *this)
{
	this->rekey->destroy(this->rekey);
	this->registrations->destroy_function(this->registrations,
										  (void*)registration_destroy);
	this->lost->destroy(this->lost);
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * Described in header
 */
mike_listener_t *mike_listener_create(mike_groups_t *groups,
									  mike_settings_t *settings)
{
	private_mike_listener_t *this;

	INIT(this,
		.public = {
			.listener = {
				.message = _message_hook,
				.authorize = _authorize,
				.ike_state_change = _ike_state_change,
				.alert = _alert,
				.ike_rekey = _ike_rekey,
			},
			.start = _start,
			.reauthorize = _reauthorize,
			.leave = _leave,
			.register_over = _register_over,
			.expel = _expel,
			.readmit = _readmit,
			.destroy = _destroy,
		},
		.groups = groups,
		.registrations = linked_list_create(),
		.lost = linked_list_create(),
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.builder = {
			.public = {
				.request_group = _builder_request_group,
				.request_leave = _request_leave,
				.push_group = _push_group,
			},
			.listener = this,
		},
		.registrar = {
			.public = {
				.push_over = _push_over,
				.register_over = _registrar_register_over,
				.drop_dormant = _drop_dormant,
			},
			.listener = this,
		},
	);
	this->rekey = mike_rekey_create(groups, settings,
									&this->registrar.public);
	return &this->public;
}
