/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "member/mike_member_listener.h"
#include "member/mike_member_rekey.h"
#include "member/mike_gsa_applier.h"
#include "common/mike_exchange.h"
#include "common/mike_sam.h"
#include "common/mike_register_task.h"
#include "common/mike_registrations.h"

#include <daemon.h>
#include <threading/mutex.h>
#include <threading/condvar.h>
#include <processing/jobs/callback_job.h>

typedef struct private_mike_member_listener_t private_mike_member_listener_t;
typedef struct registration_t registration_t;
typedef struct builder_t builder_t;

/**
 * A registration in progress on one IKE SA.
 */
struct registration_t {

	/** name of the group */
	char *group;

	/** whether this member asked to send */
	bool sender;

	/** the payloads received, kept until charon has authenticated the
	 *  GCKS */
	gsa_payload_t *gsa;
	kd_payload_t *kd;

	/** whether the registration failed (logged) */
	bool failed;

	/** the response had N(USE_TRANSPORT_MODE) */
	bool transport;
};

/**
 * One of the listener's request builders for the register task.  A struct
 * of its own with a pointer back, since METHOD() takes an interface's
 * address for its object's, and the listener's address is its
 * listener_t's.
 */
struct builder_t {

	/** implements mike_register_builder_t */
	mike_register_builder_t public;

	/** the listener */
	private_mike_member_listener_t *listener;
};

/**
 * Private data of a mike_member_listener_t object.
 */
struct private_mike_member_listener_t {

	/**
	 * Public interface.
	 */
	mike_member_listener_t public;

	/**
	 * Implements mike_member_registrar_t for the rekeying.
	 */
	mike_member_registrar_t registrar;

	/**
	 * The groups.
	 */
	mike_groups_t *groups;

	/**
	 * Registrations in progress, registration_t.
	 */
	mike_registrations_t *registrations;

	/**
	 * Unique IDs of registration IKE SAs the GCKS stopped answering on,
	 * uintptr_t (under mutex)
	 */
	linked_list_t *lost;

	/**
	 * Lock for lost, and for waiting on registered.
	 */
	mutex_t *mutex;

	/**
	 * Signalled whenever a registration completed (or failed).
	 */
	condvar_t *registered;

	/**
	 * Rekeying, created and owned by the listener, which it calls back
	 * through registrar only.
	 */
	mike_member_rekey_t *rekey;

	/**
	 * Builds the request of a registration over an IKE SA.
	 */
	builder_t join_builder;

	/**
	 * Builds the request of a de-registration.
	 */
	builder_t leave_builder;
};

/**
 * The listener that implements a registrar
 */
static inline private_mike_member_listener_t *of_registrar(
											mike_member_registrar_t *registrar)
{
	return (private_mike_member_listener_t*)((char*)registrar -
					offsetof(private_mike_member_listener_t, registrar));
}

static void registration_destroy(registration_t *reg)
{
	DESTROY_IF(reg->gsa);
	DESTROY_IF(reg->kd);
	free(reg->group);
	free(reg);
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
 * The data of N(MIKE_SAM_KEY) for a sending member group, empty if it has
 * no SAM key (docs/sam-keys.md)
 */
static chunk_t sam_key_notify(mike_member_group_t *group)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	private_key_t *key = group->get_sam_key(group);
	public_key_t *pub;
	chunk_t spki = chunk_empty, data = chunk_empty;

	pub = key ? key->get_public_key(key) : NULL;
	if (pub && pub->get_encoding(pub, PUBKEY_SPKI_ASN1_DER, &spki))
	{
		data = mike_sam_key_encode(cfg->sam_scheme_id, spki);
		chunk_free(&spki);
	}
	DESTROY_IF(pub);
	return data;
}

/**
 * Add IDg (and N(GROUP_SENDER)) for a group to a request and expect the GSA
 * in the response; FALSE if there is no such group
 */
static bool request_group(private_mike_member_listener_t *this,
						  ike_sa_t *ike_sa, message_t *message, char *name)
{
	idg_payload_t *idg;
	registration_t *reg;
	mike_member_group_t *group;
	chunk_t sam_key, bootstrap = chunk_empty;
	bool sender;

	group = mike_member_group_checkout(this->groups, name);
	if (!group)
	{
		return FALSE;
	}
	sender = group->group.get_config(&group->group)->sender;
	sam_key = sam_key_notify(group);
	if (sam_key.len)
	{
		bootstrap = chunk_clone(group->get_sam_bootstrap(group));
	}
	this->groups->checkin(this->groups, &group->group);
	idg = mike_exchange_idg(name);
	if (!idg)
	{
		chunk_free(&sam_key);
		chunk_free(&bootstrap);
		return FALSE;
	}
	message->add_payload(message, &idg->payload_interface);
	if (sender)
	{	/* RFC 9838 4.7.4: how many Sender-IDs, 4 octets; one, as the GCKS
		 * allocates anyway: our sender has one SA of its own */
		uint8_t count[4];

		htoun32(count, 1);
		message->add_notify(message, FALSE, GIKEV2_NOTIFY_GROUP_SENDER,
							chunk_from_thing(count));
	}
	if (sam_key.len)
	{
		message->add_notify(message, FALSE, GIKEV2_NOTIFY_MIKE_SAM_KEY,
							sam_key);
		chunk_free(&sam_key);
	}
	if (bootstrap.len)
	{	/* what a local sender published (docs/sam-keys.md) */
		message->add_notify(message, FALSE, GIKEV2_NOTIFY_MIKE_SAM_BOOTSTRAP,
							bootstrap);
		chunk_free(&bootstrap);
	}
	INIT(reg,
		.group = strdup(name),
		.sender = sender,
	);
	this->registrations->put(this->registrations,
							 ike_sa->get_unique_id(ike_sa), reg);
	DBG1(DBG_IKE, "mike: registering to group '%s'%s", name,
		 sender ? " as sender" : "");
	return TRUE;
}

METHOD(mike_register_builder_t, build_join, bool,
	builder_t *builder, ike_sa_t *ike_sa, message_t *message, char *name)
{
	return request_group(builder->listener, ike_sa, message, name);
}

METHOD(mike_register_builder_t, build_leave, bool,
	builder_t *builder, ike_sa_t *ike_sa, message_t *message, char *name)
{
	idg_payload_t *idg;

	idg = mike_exchange_idg(name);
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
 * The names of the member groups bound to the IKE SA's connection that are
 * not registered, optionally except one
 */
static linked_list_t *unregistered_groups(private_mike_member_listener_t *this,
										  ike_sa_t *ike_sa, char *except)
{
	enumerator_t *enumerator;
	mike_member_group_t *group;
	mike_group_config_t *cfg;
	linked_list_t *names;
	char *conn = connection_name(ike_sa);

	names = linked_list_create();
	if (!conn)
	{
		return names;
	}
	enumerator = mike_member_group_create_enumerator(this->groups);
	while (enumerator->enumerate(enumerator, &group))
	{
		cfg = group->group.get_config(&group->group);
		if (!group->get_kernel(group) && streq(cfg->connection, conn) &&
			(!except || !streq(cfg->name, except)))
		{
			names->insert_last(names, strdup(cfg->name));
		}
	}
	enumerator->destroy(enumerator);
	return names;
}

/**
 * Add IDg (and GROUP_SENDER) for the first group bound to the connection
 * to the first IKE_AUTH request
 */
static void first_request(private_mike_member_listener_t *this,
						  ike_sa_t *ike_sa, message_t *message)
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
 * Register the other groups bound to the connection, one INFORMATIONAL
 * exchange each, once the IKE SA is up
 */
static void queue_further_groups(private_mike_member_listener_t *this,
								 ike_sa_t *ike_sa, char *registered)
{
	linked_list_t *names;
	char *name;

	names = unregistered_groups(this, ike_sa, registered);
	while (names->remove_first(names, (void**)&name) == SUCCESS)
	{
		ike_sa->queue_task(ike_sa, mike_register_task_create(
							&this->join_builder.public, ike_sa, name));
		free(name);
	}
	names->destroy(names);
}

/**
 * Install the group's SAs and policies and take the registration; why not
 * is logged
 */
static bool install(mike_member_group_t *group, ike_sa_t *ike_sa)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	mike_gsa_t *gsa = group->group.get_gsa(&group->group);
	host_t *me = ike_sa->get_my_host(ike_sa);
	enumerator_t *enumerator;
	mike_kernel_t *kernel;
	mike_tek_t *tek, *own = NULL;
	char *failure = NULL;
	bool ok = TRUE;

	kernel = group->create_kernel(group);
	if (!kernel)
	{
		failure = "no reqid for the group's SAs (or its fail-close policies "
				  "could not be installed)";
	}
	enumerator = gsa->create_tek_enumerator(gsa);
	while (kernel && ok && enumerator->enumerate(enumerator, &tek))
	{
		if (cfg->sender && tek->source && me->ip_equals(me, tek->source))
		{	/* the first is the current one, a retired one comes later */
			own = own ?: tek;
			continue;
		}
		ok = kernel->add_inbound(kernel, tek);
	}
	enumerator->destroy(enumerator);
	if (kernel && ok && cfg->sender && !own)
	{
		failure = "the GCKS sent no sender key for this member";
	}
	else if (kernel && ok && cfg->sender)
	{
		ok = kernel->add_outbound(kernel, own, me);
	}
	if (kernel && !failure && !(ok && kernel->add_in_policy(kernel)))
	{
		failure = "installing the group's SAs or policies failed";
	}
	if (failure)
	{
		DBG1(DBG_IKE, "mike: group '%s': registration failed: %s", cfg->name,
			 failure);
		DESTROY_IF(kernel);
		return FALSE;
	}
	group->registered(group, ike_sa->get_unique_id(ike_sa), me, kernel,
					  own ? own->spi : 0);
	return TRUE;
}

/**
 * What a refusal notify means, for the log
 */
static char *refusal_reason(notify_type_t type)
{
	switch ((int)type)
	{
		case GIKEV2_NOTIFY_INVALID_GROUP_ID:
			return "INVALID_GROUP_ID (the GCKS has no such group)";
		case INVALID_SYNTAX:
			return "INVALID_SYNTAX (it could not read our IDg)";
		case GIKEV2_NOTIFY_REGISTRATION_FAILED:
			return "REGISTRATION_FAILED (a problem of the GCKS or the group, "
				   "not of this member)";
		default:
			return "AUTHORIZATION_FAILED (this identity may not join/send)";
	}
}

/**
 * Wake who waits for a registration to complete
 */
static void signal_registered(private_mike_member_listener_t *this)
{
	this->mutex->lock(this->mutex);
	this->registered->broadcast(this->registered);
	this->mutex->unlock(this->mutex);
}

/**
 * Whether the GCKS's mode (N(USE_TRANSPORT_MODE), RFC 9838 2.3.4: present
 * for transport, absent for tunnel) is the member's; logs why not
 */
static bool mode_agrees(mike_member_group_t *group, registration_t *reg)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);

	if (reg->transport == (cfg->mode == MODE_TRANSPORT))
	{
		return TRUE;
	}
	DBG1(DBG_IKE, "mike: group '%s': registration failed: %s", reg->group,
		 reg->transport ? "the GCKS uses transport mode, this member tunnel "
						  "mode (mode = transport in its group)"
						: "the GCKS uses tunnel mode (no USE_TRANSPORT_MODE), "
						  "this member transport mode (mode = tunnel in its "
						  "group)");
	return FALSE;
}

/**
 * Take the keys of a registration and install them (group checked out):
 * FALSE if that failed, "registration failed: why" logged
 */
static bool take_keys(private_mike_member_listener_t *this,
					  mike_member_group_t *group, registration_t *reg,
					  ike_sa_t *ike_sa, chunk_t gsk_w)
{
	mike_gsa_t *gsa = group->group.get_gsa(&group->group);
	uint32_t ike_sa_id = ike_sa->get_unique_id(ike_sa);
	mike_kernel_t *kernel;
	int teks;

	if (group->get_kernel(group) && group->get_ike_sa_id(group) == ike_sa_id)
	{	/* registered again over the same IKE SA after a missed rekey: the
		 * keys are taken as from a GSA_REKEY, traffic goes on */
		if (!mode_agrees(group, reg))
		{
			return FALSE;
		}
		if (!this->rekey->apply(this->rekey, group, reg->gsa, reg->kd, gsk_w))
		{
			DBG1(DBG_IKE, "mike: group '%s': registration failed: the GSA "
				 "was refused", reg->group);
			return FALSE;
		}
		teks = gsa->get_tek_count(gsa);
		DBG1(DBG_IKE, "mike: group '%s' registered again: %d sender TEK%s",
			 reg->group, teks, teks == 1 ? "" : "s");
		return TRUE;
	}
	group->unregister(group);
	if (mike_gsa_apply(group, reg->gsa, reg->kd, gsk_w, FALSE) != SUCCESS)
	{
		DBG1(DBG_IKE, "mike: group '%s': registration failed: the GSA was "
			 "refused", reg->group);
		group->unregister(group);
		return FALSE;
	}
	/* after the GSA's own checks, before anything is installed */
	if (!mode_agrees(group, reg) || !install(group, ike_sa))
	{
		group->unregister(group);
		return FALSE;
	}
	this->rekey->start(this->rekey, group);
	kernel = group->get_kernel(group);
	DBG1(DBG_IKE, "mike: group '%s' registered: %d sender SA%s installed%s",
		 reg->group, kernel->get_inbound_count(kernel),
		 kernel->get_inbound_count(kernel) == 1 ? "" : "s",
		 group->get_own_spi(group) ? ", sending" : "");
	return TRUE;
}

/**
 * Take the GSA and KD of a registration, which charon has authenticated the
 * GCKS of, and install it; sets reg->failed if not
 */
static void apply(private_mike_member_listener_t *this, ike_sa_t *ike_sa,
				  registration_t *reg, bool ike_auth)
{
	mike_member_group_t *group;
	chunk_t gsk_w = chunk_empty;
	char *failure = NULL;

	group = mike_member_group_checkout(this->groups, reg->group);
	if (!group)
	{
		failure = "the group is no longer configured";
	}
	else if (!reg->gsa || !reg->kd)
	{
		failure = "the GCKS sent no valid GSA and KD payloads";
	}

	else if (!mike_exchange_gsk_w(ike_sa, &gsk_w))
	{
		failure = "no key wrap key for this IKE SA";
	}
	else if (!take_keys(this, group, reg, ike_sa, gsk_w))
	{
		reg->failed = TRUE;
	}
	if (group)
	{
		this->groups->checkin(this->groups, &group->group);
	}
	chunk_clear(&gsk_w);

	if (failure)
	{
		DBG1(DBG_IKE, "mike: group '%s': registration failed: %s",
			 reg->group, failure);
		reg->failed = TRUE;
	}
	else if (ike_auth && !reg->failed)
	{
		queue_further_groups(this, ike_sa, reg->group);
	}
	signal_registered(this);
}

/**
 * Take the GSA from a response; in IKE_AUTH it waits for authorize(),
 * which comes once charon has authenticated the GCKS: until then nothing
 * of it is used (no SA, policy, socket or timer)
 */
static void response(private_mike_member_listener_t *this, ike_sa_t *ike_sa,
					 message_t *message)
{
	uint32_t ike_sa_id = ike_sa->get_unique_id(ike_sa);
	registration_t *reg;
	notify_payload_t *notify;

	reg = this->registrations->take(this->registrations, ike_sa_id);
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
	if (!notify)
	{
		notify = message->get_notify(message,
									 GIKEV2_NOTIFY_REGISTRATION_FAILED);
	}
	if (notify)
	{
		DBG1(DBG_IKE, "mike: group '%s': the GCKS refused the registration: %s",
			 reg->group, refusal_reason(notify->get_notify_type(notify)));
		reg->failed = TRUE;
	}
	else if (message->get_payload(message, PLV2_EAP))
	{	/* an intermediate IKE_AUTH round (EAP): the GSA comes later */
		this->registrations->put(this->registrations, ike_sa_id, reg);
		return;
	}
	else
	{
		DESTROY_IF(reg->gsa);
		DESTROY_IF(reg->kd);
		reg->gsa = (gsa_payload_t*)mike_exchange_get(message, GIKEV2_PL_GSA,
													 NULL);
		reg->kd = (kd_payload_t*)mike_exchange_get(message, GIKEV2_PL_KD,
												   NULL);
		reg->transport = message->get_notify(message,
											 USE_TRANSPORT_MODE) != NULL;
	}
	if (message->get_exchange_type(message) == IKE_AUTH)
	{
		this->registrations->put(this->registrations, ike_sa_id, reg);
		return;
	}
	/* an INFORMATIONAL registration on the established IKE SA: done with
	 * here, the IKE SA stands whatever became of it */
	if (reg->failed)
	{
		signal_registered(this);
	}
	else
	{
		apply(this, ike_sa, reg, FALSE);
	}
	registration_destroy(reg);
}

/**
 * A GSA the GCKS pushed over the IKE SA (unicast rekeying)
 */
static void pushed(private_mike_member_listener_t *this, ike_sa_t *ike_sa,
				   message_t *message)
{
	payload_t *idg, *gsa, *kd;
	mike_member_group_t *group = NULL;
	mike_gsa_t *state;
	chunk_t gsk_w = chunk_empty;
	char buf[64] = "", *error = NULL;

	idg = mike_exchange_get(message, GIKEV2_PL_IDG, NULL);
	gsa = mike_exchange_get(message, GIKEV2_PL_GSA, NULL);
	kd = mike_exchange_get(message, GIKEV2_PL_KD, NULL);
	if (!idg || !gsa || !kd)
	{
		error = "no IDg, GSA and KD payloads";
	}
	else
	{
		mike_exchange_idg_name((idg_payload_t*)idg, buf, sizeof(buf));
		group = mike_member_group_checkout(this->groups, buf);
		if (!group || !group->get_kernel(group) ||
			group->get_ike_sa_id(group) != ike_sa->get_unique_id(ike_sa))
		{
			error = "not a group registered over this IKE SA";
		}
		else if (!mike_exchange_gsk_w(ike_sa, &gsk_w))
		{
			error = "no key wrap key for this IKE SA";
		}
		else if (!this->rekey->apply(this->rekey, group, (gsa_payload_t*)gsa,
									 (kd_payload_t*)kd, gsk_w))
		{
			error = "refused";
		}
		else
		{
			state = group->group.get_gsa(&group->group);
			state->count_rekey(state);
			DBG2(DBG_IKE, "mike: group '%s': new GSA from the GCKS over the "
				 "IKE SA accepted, %d sender TEK%s", buf,
				 state->get_tek_count(state),
				 state->get_tek_count(state) == 1 ? "" : "s");
		}
		if (group)
		{
			this->groups->checkin(this->groups, &group->group);
		}
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

METHOD(listener_t, message_hook, bool,
	private_mike_member_listener_t *this, ike_sa_t *ike_sa,
	message_t *message, bool incoming, bool plain)
{
	bool request = message->get_request(message);

	if (!plain)
	{
		return TRUE;
	}
	switch (message->get_exchange_type(message))
	{
		case IKE_AUTH:
			/* the first IKE_AUTH request is the initiator's, with the
			 * groups bound to its connection */
			if (!incoming && request && message->get_message_id(message) == 1)
			{
				first_request(this, ike_sa, message);
			}
			else if (incoming && !request)
			{
				response(this, ike_sa, message);
			}
			break;
		case INFORMATIONAL:
			/* only an authenticated GCKS gives keys */
			if (ike_sa->get_state(ike_sa) != IKE_ESTABLISHED &&
				ike_sa->get_state(ike_sa) != IKE_REKEYING &&
				ike_sa->get_state(ike_sa) != IKE_REKEYED)
			{
				break;
			}
			if (incoming && request &&
				mike_exchange_find(message, GIKEV2_PL_GSA))
			{	/* unicast rekeying: the GCKS pushes a new GSA */
				pushed(this, ike_sa, message);
			}
			else if (incoming && !request)
			{
				response(this, ike_sa, message);
			}
			break;
		default:
			break;
	}
	return TRUE;
}

METHOD(listener_t, authorize, bool,
	private_mike_member_listener_t *this, ike_sa_t *ike_sa, bool final,
	bool *success)
{
	registration_t *reg;

	if (!final)
	{
		return TRUE;
	}
	/* charon authenticated the GCKS: install what it sent, or fail the IKE
	 * SA if the registration failed */
	reg = this->registrations->take(this->registrations,
									ike_sa->get_unique_id(ike_sa));
	if (reg)
	{
		if (!reg->failed)
		{
			apply(this, ike_sa, reg, TRUE);
		}
		else
		{
			signal_registered(this);
		}
		if (reg->failed)
		{
			DBG1(DBG_IKE, "mike: group '%s' not registered, closing the "
				 "IKE SA", reg->group);
			*success = FALSE;
		}
		registration_destroy(reg);
	}
	return TRUE;
}

/**
 * Whether any group is registered over an IKE SA
 */
static bool carries_groups(private_mike_member_listener_t *this,
						   uint32_t ike_sa_id)
{
	enumerator_t *enumerator;
	mike_member_group_t *group;
	bool found = FALSE;

	enumerator = mike_member_group_create_enumerator(this->groups);
	while (!found && enumerator->enumerate(enumerator, &group))
	{
		found = group->get_ike_sa_id(group) == ike_sa_id;
	}
	enumerator->destroy(enumerator);
	return found;
}

METHOD(listener_t, alert, bool,
	private_mike_member_listener_t *this, ike_sa_t *ike_sa, alert_t alert,
	va_list args)
{
	/* the GCKS does not answer on a registration IKE SA (it restarted, or
	 * crashed): when charon gives the IKE SA up, its groups register again
	 * over a new one */
	if (alert == ALERT_RETRANSMIT_SEND_TIMEOUT && ike_sa &&
		carries_groups(this, ike_sa->get_unique_id(ike_sa)))
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
static bool take_lost(private_mike_member_listener_t *this,
					  uint32_t ike_sa_id)
{
	bool lost;

	this->mutex->lock(this->mutex);
	lost = this->lost->remove(this->lost, (void*)(uintptr_t)ike_sa_id,
							  NULL) > 0;
	this->mutex->unlock(this->mutex);
	return lost;
}

/**
 * Initiate a group's connection again (from a job: it checks an IKE SA
 * out)
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
static void ike_sa_gone(private_mike_member_listener_t *this,
						uint32_t ike_sa_id)
{
	bool lost = take_lost(this, ike_sa_id);
	char *connection = NULL;
	enumerator_t *enumerator;
	registration_t *reg;
	mike_member_group_t *group;
	mike_group_config_t *cfg;

	reg = this->registrations->take(this->registrations, ike_sa_id);
	if (reg)
	{
		if (reg->gsa || reg->kd)
		{
			DBG1(DBG_IKE, "mike: group '%s': the IKE SA is gone before the "
				 "GCKS was authenticated, nothing it sent was used",
				 reg->group);
		}
		registration_destroy(reg);
	}
	enumerator = mike_member_group_create_enumerator(this->groups);
	while (enumerator->enumerate(enumerator, &group))
	{
		if (group->get_ike_sa_id(group) != ike_sa_id)
		{
			continue;
		}
		cfg = group->group.get_config(&group->group);
		DBG1(DBG_IKE, "mike: group '%s': registration IKE SA gone, removing "
			 "the group's SAs and policies", cfg->name);
		this->rekey->stop(this->rekey, group);
		group->unregister(group);
		if (lost && !streq(connection ?: "", cfg->connection))
		{
			DBG1(DBG_IKE, "mike: group '%s': the GCKS stopped answering, "
				 "registering again over a new IKE SA", cfg->name);
			free(connection);
			connection = strdup(cfg->connection);
			lib->processor->queue_job(lib->processor,
				(job_t*)callback_job_create((callback_job_cb_t)reinitiate,
								strdup(connection), free, NULL));
		}
	}
	enumerator->destroy(enumerator);
	free(connection);
}

METHOD(listener_t, ike_state_change, bool,
	private_mike_member_listener_t *this, ike_sa_t *ike_sa,
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
	private_mike_member_listener_t *this, ike_sa_t *old, ike_sa_t *new)
{
	enumerator_t *enumerator;
	mike_member_group_t *group;
	uint32_t old_id = old->get_unique_id(old), new_id = new->get_unique_id(new);

	/* the registration lives on in the new IKE SA */
	enumerator = mike_member_group_create_enumerator(this->groups);
	while (enumerator->enumerate(enumerator, &group))
	{
		if (group->get_ike_sa_id(group) == old_id)
		{
			group->move_to(group, new_id);
		}
	}
	enumerator->destroy(enumerator);
	return TRUE;
}

METHOD(mike_member_registrar_t, register_over, bool,
	mike_member_registrar_t *registrar, uint32_t ike_sa_id, char *name)
{
	private_mike_member_listener_t *this = of_registrar(registrar);

	return this->public.register_over(&this->public, ike_sa_id, name);
}

/**
 * Whether a group is registered
 */
static bool is_registered(private_mike_member_listener_t *this, char *name)
{
	mike_member_group_t *group;
	bool registered;

	group = mike_member_group_checkout(this->groups, name);
	if (!group)
	{
		return FALSE;
	}
	registered = group->get_kernel(group) != NULL;
	this->groups->checkin(this->groups, &group->group);
	return registered;
}

METHOD(mike_member_listener_t, listener_register_over, bool,
	private_mike_member_listener_t *this, uint32_t ike_sa_id, char *name)
{
	return mike_register_task_queue(&this->join_builder.public, ike_sa_id,
									name);
}

METHOD(mike_member_listener_t, wait_registered, bool,
	private_mike_member_listener_t *this, char *name, u_int timeout)
{
	timeval_t deadline;
	bool done;

	time_monotonic(&deadline);
	timeval_add_ms(&deadline, timeout);
	this->mutex->lock(this->mutex);
	do
	{	/* woken by every registration that completes, ours or not */
		done = is_registered(this, name);
	}
	while (!done && !this->registered->timed_wait_abs(this->registered,
													  this->mutex, deadline));
	this->mutex->unlock(this->mutex);
	return done;
}

METHOD(mike_member_listener_t, leave, bool,
	private_mike_member_listener_t *this, char *name)
{
	mike_member_group_t *group;
	uint32_t ike_sa_id = 0;
	bool registered = FALSE;

	registration_t *reg;

	group = mike_member_group_checkout(this->groups, name);
	if (group && group->get_kernel(group))
	{
		DBG1(DBG_CFG, "mike: leaving group '%s'", name);
		ike_sa_id = group->get_ike_sa_id(group);
		this->rekey->stop(this->rekey, group);
		group->unregister(group);
		registered = TRUE;
		/* a registration again (after a missed rekey) under way must not
		 * put the group back when its answer comes */
		reg = this->registrations->take(this->registrations, ike_sa_id);
		if (reg && streq(reg->group, name))
		{
			DBG1(DBG_CFG, "mike: group '%s': the registration under way is "
				 "dropped", name);
			registration_destroy(reg);
		}
		else if (reg)
		{
			this->registrations->put(this->registrations, ike_sa_id, reg);
		}
	}
	if (group)
	{
		this->groups->checkin(this->groups, &group->group);
	}

	if (!ike_sa_id)
	{
		return registered;
	}
	if (!carries_groups(this, ike_sa_id))
	{	/* closing the IKE SA tells the GCKS */
		charon->controller->terminate_ike(charon->controller, ike_sa_id,
										  FALSE, NULL, NULL, 0);
	}
	else if (!mike_register_task_queue(&this->leave_builder.public,
									   ike_sa_id, name))
	{
		DBG1(DBG_CFG, "mike: group '%s': the IKE SA is gone, the GCKS learns "
			 "that we left when it notices", name);
	}
	return registered;
}

METHOD(mike_member_listener_t, start, void,
	private_mike_member_listener_t *this, mike_group_t *group)
{
	mike_member_group_t *member = mike_member_group(group);

	if (member && member->get_kernel(member))
	{
		this->rekey->start(this->rekey, member);
	}
}

METHOD(mike_member_listener_t, destroy, void,
	private_mike_member_listener_t *this)
{
	this->rekey->destroy(this->rekey);
	this->registrations->destroy(this->registrations);
	this->lost->destroy(this->lost);
	this->registered->destroy(this->registered);
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * Described in header
 */
mike_member_listener_t *mike_member_listener_create(mike_groups_t *groups)
{
	private_mike_member_listener_t *this;

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
			.register_over = _listener_register_over,
			.wait_registered = _wait_registered,
			.leave = _leave,
			.destroy = _destroy,
		},
		.registrar = {
			.register_over = _register_over,
		},
		.groups = groups,
		.registrations = mike_registrations_create(
										(void*)registration_destroy),
		.lost = linked_list_create(),
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.registered = condvar_create(CONDVAR_TYPE_DEFAULT),
		.join_builder = {
			.public = {
				.build = _build_join,
			},
			.listener = this,
		},
		.leave_builder = {
			.public = {
				.build = _build_leave,
			},
			.listener = this,
		},
	);
	this->rekey = mike_member_rekey_create(groups, &this->registrar);
	return &this->public;
}
