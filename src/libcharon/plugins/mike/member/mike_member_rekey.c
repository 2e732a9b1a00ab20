/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "member/mike_member_rekey.h"
#include "member/mike_gsa_applier.h"
#include "common/mike_group_job.h"
#include "common/mike_rekey_msg.h"
#include "payloads/gikev2_parser.h"

#include <daemon.h>

typedef struct private_mike_member_rekey_t private_mike_member_rekey_t;

/**
 * Private data of a mike_member_rekey_t object.
 */
struct private_mike_member_rekey_t {

	/**
	 * Public interface.
	 */
	mike_member_rekey_t public;

	/**
	 * The groups.
	 */
	mike_groups_t *groups;

	/**
	 * Registration again over an IKE SA.
	 */
	mike_member_registrar_t *registrar;

	/**
	 * Multicast transport, receiving only.
	 */
	mike_rekey_socket_t *socket;
};

/** seconds between two registrations a member starts by itself */
#define REREGISTER_HOLDOFF 5

/**
 * A member registers again over its IKE SA (outside the group store's lock,
 * since that checks the IKE SA out)
 */
static job_requeue_t member_reregister(mike_group_job_t *job)
{
	private_mike_member_rekey_t *this = job->owner;
	mike_group_t *group;
	uint32_t ike_sa_id = 0;

	this->groups->lock(this->groups);
	group = this->groups->get(this->groups, job->name);
	if (group && group->cfg->role == MIKE_ROLE_MEMBER && group->kernel)
	{
		ike_sa_id = group->ike_sa_id;
	}
	this->groups->unlock(this->groups);
	if (ike_sa_id &&
		!this->registrar->register_over(this->registrar, ike_sa_id,
										 job->name))
	{
		DBG1(DBG_CFG, "mike: group '%s': cannot register again, the IKE SA "
			 "is gone", job->name);
	}
	return JOB_REQUEUE_NONE;
}

/**
 * Register again soon, unless that was asked for moments ago
 * (call with the store locked)
 */
static void reregister(private_mike_member_rekey_t *this, mike_group_t *group,
					   char *why)
{
	time_t now = time_monotonic(NULL);

	if (group->reregistered && now < group->reregistered + REREGISTER_HOLDOFF)
	{
		return;
	}
	group->reregistered = now;
	group->reregistrations++;
	DBG1(DBG_CFG, "mike: group '%s': registering again, %s",
		 group->cfg->name, why);
	mike_group_job_schedule(member_reregister, this, group->cfg->name, 0, 0,
							0);
}

/**
 * The check a member's watch_expiry() scheduled: no new keys since?
 */
static job_requeue_t member_check_expiry(mike_group_job_t *job)
{
	private_mike_member_rekey_t *this = job->owner;
	mike_group_t *group;

	this->groups->lock(this->groups);
	group = this->groups->get(this->groups, job->name);
	if (group && group->cfg->role == MIKE_ROLE_MEMBER && group->kernel &&
		(uint32_t)group->keys_updated == job->arg)
	{
		reregister(this, group, "no GSA_REKEY came and its TEKs are about "
				   "to expire");
	}
	this->groups->unlock(this->groups);
	return JOB_REQUEUE_NONE;
}

/**
 * Unless new keys come first, register again when 95% of the
 * shortest TEK lifetime since the last keys have passed (the GCKS rolls
 * them over at 90% by default)
 */
static void watch_expiry(private_mike_member_rekey_t *this, mike_group_t *group)
{
	enumerator_t *enumerator;
	mike_tek_t *tek;
	uint32_t lifetime = 0;

	enumerator = group->teks->create_enumerator(group->teks);
	while (enumerator->enumerate(enumerator, &tek))
	{
		if (!lifetime || tek->lifetime < lifetime)
		{
			lifetime = tek->lifetime;
		}
	}
	enumerator->destroy(enumerator);
	if (lifetime)
	{
		mike_group_job_schedule(member_check_expiry, this, group->cfg->name,
								(uint32_t)group->keys_updated, 0,
								lifetime - lifetime / 20);
	}
}

/**
 * After the deactivation delay: remove an SA of a replaced TEK
 */
static job_requeue_t member_deactivate(mike_group_job_t *job)
{
	private_mike_member_rekey_t *this = job->owner;
	mike_group_t *group;

	this->groups->lock(this->groups);
	group = this->groups->get(this->groups, job->name);
	if (group && group->kernel && job->arg != group->own_spi &&
		group->kernel->has_sa(group->kernel, job->arg))
	{
		group->kernel->del_sa(group->kernel, job->arg);
		DBG2(DBG_CFG, "mike: group '%s': removed the SA with SPI %.8x",
			 job->name, job->arg);
	}
	this->groups->unlock(this->groups);
	return JOB_REQUEUE_NONE;
}

/**
 * After the activation delay: send with the new TEK; the old one's SA goes
 * after the deactivation delay
 */
static job_requeue_t member_activate(mike_group_job_t *job)
{
	private_mike_member_rekey_t *this = job->owner;
	mike_group_t *group;

	this->groups->lock(this->groups);
	group = this->groups->get(this->groups, job->name);
	if (group && group->kernel &&
		group->kernel->switch_outbound(group->kernel, job->arg))
	{
		group->own_spi = job->arg;
		DBG2(DBG_CFG, "mike: group '%s': sending with SPI %.8x now",
			 job->name, job->arg);
		mike_group_job_schedule(member_deactivate, this, job->name,
								job->arg2, 0, group->cfg->deactivation_delay);
	}
	this->groups->unlock(this->groups);
	return JOB_REQUEUE_NONE;
}

/**
 * Take a group's new GSA without loss: new inbound SAs now, the own new TEK
 * after the activation delay, old SAs away after the deactivation delay
 */
static status_t member_apply(private_mike_member_rekey_t *this,
							 mike_group_t *group, gsa_payload_t *gsa,
							 kd_payload_t *kd, chunk_t wrap)
{
	mike_group_config_t *cfg = group->cfg;
	linked_list_t *old;
	enumerator_t *enumerator;
	mike_tek_t *tek, *own = NULL;
	uintptr_t spi;
	status_t status;

	old = linked_list_create();
	enumerator = group->teks->create_enumerator(group->teks);
	while (enumerator->enumerate(enumerator, &tek))
	{
		old->insert_last(old, (void*)(uintptr_t)tek->spi);
	}
	enumerator->destroy(enumerator);

	status = mike_gsa_apply(group, gsa, kd, wrap);
	if (status != SUCCESS)
	{
		old->destroy(old);
		return status;
	}
	group->keys_updated = time_monotonic(NULL);

	enumerator = group->teks->create_enumerator(group->teks);
	while (enumerator->enumerate(enumerator, &tek))
	{
		old->remove(old, (void*)(uintptr_t)tek->spi, NULL);
		if (group->kernel->has_sa(group->kernel, tek->spi))
		{
			continue;
		}
		if (cfg->sender && tek->source && group->my_host &&
			group->my_host->ip_equals(group->my_host, tek->source))
		{
			if (group->kernel->add_next_outbound(group->kernel, tek))
			{
				own = tek;
			}
		}
		else if (!group->kernel->add_inbound(group->kernel, tek))
		{
			DBG1(DBG_IKE, "mike: group '%s': installing the inbound SA with "
				 "SPI %.8x failed", cfg->name, tek->spi);
			status = FAILED;
		}
	}
	enumerator->destroy(enumerator);

	if (own)
	{
		old->remove(old, (void*)(uintptr_t)group->own_spi, NULL);
		mike_group_job_schedule(member_activate, this, cfg->name, own->spi,
								group->own_spi, cfg->activation_delay);
	}
	while (old->remove_first(old, (void**)&spi) == SUCCESS)
	{
		mike_group_job_schedule(member_deactivate, this, cfg->name, spi, 0,
								cfg->deactivation_delay);
	}
	old->destroy(old);
	watch_expiry(this, group);
	return status;
}

METHOD(mike_member_rekey_t, apply, bool,
	private_mike_member_rekey_t *this, mike_group_t *group, gsa_payload_t *gsa,
	kd_payload_t *kd, chunk_t gsk_w)
{
	return member_apply(this, group, gsa, kd, gsk_w) == SUCCESS;
}

/**
 * Apply the GSA and KD of an accepted GSA_REKEY
 */
static bool member_apply_msg(private_mike_member_rekey_t *this,
							 mike_group_t *group, mike_rekey_msg_t *msg)
{
	mike_rekey_payload_t *payloads;
	payload_t *gsa = NULL, *kd = NULL;
	chunk_t wrap;
	status_t status;
	int i, count;

	count = msg->get_payloads(msg, &payloads);
	for (i = 0; i < count; i++)
	{
		if (payloads[i].type == GIKEV2_PL_GSA && !gsa)
		{
			gsa = gikev2_payload_parse(GIKEV2_PL_GSA, payloads[i].body);
		}
		else if (payloads[i].type == GIKEV2_PL_KD && !kd)
		{
			kd = gikev2_payload_parse(GIKEV2_PL_KD, payloads[i].body);
		}
	}
	if (!gsa || !kd)
	{
		DESTROY_IF(gsa);
		DESTROY_IF(kd);
		DBG1(DBG_NET, "mike: group '%s': GSA_REKEY %u has no valid GSA and KD "
			 "payloads", group->cfg->name, msg->get_message_id(msg));
		return FALSE;
	}
	/* the keys are wrapped with the GSK_w of the KEK the message came
	 * under, which the GSA may replace */
	wrap = chunk_clone(mike_rekey_gsk_w(group->kek_keymat));
	status = member_apply(this, group, (gsa_payload_t*)gsa, (kd_payload_t*)kd,
						  wrap);
	chunk_clear(&wrap);
	gsa->destroy(gsa);
	kd->destroy(kd);
	return status == SUCCESS;
}

/**
 * A datagram on a rekey port: find the group by the rekey SA's SPI, check
 * and apply the message
 */
METHOD(mike_member_rekey_t, receive, void,
	private_mike_member_rekey_t *this, chunk_t data, host_t *from)
{
	enumerator_t *enumerator;
	mike_group_t *group, *found = NULL;
	mike_rekey_msg_t *msg;
	mike_rekey_status_t status;
	unsigned long long missed;
	chunk_t spi;

	if (data.len < MIKE_REKEY_SPI_SIZE)
	{
		return;
	}
	spi = chunk_create(data.ptr, MIKE_REKEY_SPI_SIZE);
	this->groups->lock(this->groups);
	enumerator = this->groups->create_enumerator(this->groups);
	while (enumerator->enumerate(enumerator, &group))
	{
		if (group->cfg->role == MIKE_ROLE_MEMBER && group->kernel &&
			group->kek_keymat.len && chunk_equals_const(group->kek_spi, spi))
		{
			found = group;
			break;
		}
	}
	enumerator->destroy(enumerator);
	if (!found)
	{
		this->groups->unlock(this->groups);
		DBG2(DBG_NET, "mike: rekey message from %H for no group of ours",
			 from);
		return;
	}
	if (!found->rekey_auth_key)
	{
		this->groups->unlock(this->groups);
		DBG1(DBG_NET, "mike: group '%s': GSA_REKEY from %H ignored, the GCKS "
			 "gave us no key to verify it", found->cfg->name, from);
		return;
	}
	status = mike_rekey_msg_parse(data, spi,
								  mike_rekey_gsk_e(found->kek_keymat),
								  found->rekey_auth_key,
								  found->rekey_auth_scheme,
								  found->rekey_msg_id, &msg);
	if (status != MIKE_REKEY_OK)
	{
		if (status < countof(found->rekeys_rejected))
		{
			found->rekeys_rejected[status]++;
		}
		/* the GCKS sends every message several times: the copies of the
		 * one just accepted are no news */
		if (status == MIKE_REKEY_ERR_REPLAY)
		{
			DBG2(DBG_NET, "mike: group '%s': GSA_REKEY copy from %H dropped: "
				 "%s", found->cfg->name, from, mike_rekey_status_str(status));
		}
		else
		{
			DBG1(DBG_NET, "mike: group '%s': GSA_REKEY from %H rejected: %s",
				 found->cfg->name, from, mike_rekey_status_str(status));
		}
		this->groups->unlock(this->groups);
		return;
	}
	missed = msg->get_message_id(msg) - found->rekey_msg_id;
	found->rekey_msg_id = (uint64_t)msg->get_message_id(msg) + 1;
	if (!member_apply_msg(this, found, msg))
	{
		DBG1(DBG_NET, "mike: group '%s': GSA_REKEY %u not applied",
			 found->cfg->name, msg->get_message_id(msg));
		reregister(this, found, "its keys are out of date");
	}
	else if (missed)
	{
		DBG1(DBG_NET, "mike: group '%s': GSA_REKEY %u accepted, but %llu "
			 "before it missed", found->cfg->name, msg->get_message_id(msg),
			 missed);
		found->rekeys++;
		reregister(this, found, "it may have missed key tree keys");
	}
	else
	{
		found->rekeys++;
		DBG2(DBG_NET, "mike: group '%s': GSA_REKEY %u accepted, %d sender "
			 "TEKs", found->cfg->name, msg->get_message_id(msg),
			 found->teks->get_count(found->teks));
	}
	msg->destroy(msg);
	this->groups->unlock(this->groups);
}

METHOD(mike_member_rekey_t, start, void,
	private_mike_member_rekey_t *this, mike_group_t *group)
{
	/* the GCKS says where its rekey messages go, in the GSA */
	host_t *dst = group->rekey_dst;

	if (dst && !this->socket->subscribe(this->socket, dst))
	{
		DBG1(DBG_CFG, "mike: group '%s': cannot receive GSA_REKEY messages "
			 "on %#H", group->cfg->name, dst);
	}
	else if (dst)
	{
		DBG1(DBG_CFG, "mike: group '%s': GSA_REKEY messages come to %#H",
			 group->cfg->name, dst);
	}
	watch_expiry(this, group);
}

METHOD(mike_member_rekey_t, stop, void,
	private_mike_member_rekey_t *this, mike_group_t *group)
{
	if (group->rekey_dst)
	{
		this->socket->unsubscribe(this->socket, group->rekey_dst);
	}
}

METHOD(mike_member_rekey_t, destroy, void,
	private_mike_member_rekey_t *this)
{
	this->socket->destroy(this->socket);
	free(this);
}

/**
 * The rekey socket's callback
 */
static void received(private_mike_member_rekey_t *this, chunk_t data,
					 host_t *from)
{
	this->public.receive(&this->public, data, from);
}

/*
 * Described in header
 */
mike_member_rekey_t *mike_member_rekey_create(mike_groups_t *groups,
								mike_member_registrar_t *registrar)
{
	private_mike_member_rekey_t *this;

	INIT(this,
		.public = {
			.start = _start,
			.apply = _apply,
			.receive = _receive,
			.stop = _stop,
			.destroy = _destroy,
		},
		.groups = groups,
		.registrar = registrar,
	);
	/* members only receive: no retransmissions, no TTL to set */
	this->socket = mike_rekey_socket_create(
						(mike_rekey_socket_cb_t)received, this, 0, 0, 1);
	return &this->public;
}
