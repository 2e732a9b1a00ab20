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
 * A member registers again over its IKE SA (with no group checked out,
 * since that checks the IKE SA out)
 */
static job_requeue_t member_reregister(mike_group_job_t *job)
{
	private_mike_member_rekey_t *this = job->owner;
	mike_member_group_t *group;
	uint32_t ike_sa_id = 0;

	group = mike_member_group_checkout(this->groups, job->name);
	if (group)
	{
		if (group->get_kernel(group))
		{
			ike_sa_id = group->get_ike_sa_id(group);
		}
		this->groups->checkin(this->groups, &group->group);
	}
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
 * The activation delay: the GCKS's GWP_ATD (RFC 9838 4.4.3.1.1) if it sent
 * one, else the group's activation_delay
 */
static uint32_t activation_delay(mike_member_group_t *group)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	uint32_t atd;

	if (group->get_gw_delays(group, &atd, NULL))
	{
		return atd;
	}
	return cfg->activation_delay;
}

/**
 * The deactivation delay: the GCKS's GWP_DTD (RFC 9838 4.4.3.1.1) if it sent
 * one, else the group's deactivation_delay
 */
static uint32_t deactivation_delay(mike_member_group_t *group)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	uint32_t dtd;

	if (group->get_gw_delays(group, NULL, &dtd))
	{
		return dtd;
	}
	return cfg->deactivation_delay;
}

/**
 * A step of a job on a registered group, which is checked out meanwhile
 */
typedef void (*job_step_t)(private_mike_member_rekey_t *this,
						   mike_member_group_t *group, mike_kernel_t *kernel,
						   mike_group_job_t *job);

/**
 * Run a job's step if its group is still a registered member group
 */
static job_requeue_t on_registered(mike_group_job_t *job, job_step_t step)
{
	private_mike_member_rekey_t *this = job->owner;
	mike_member_group_t *group;

	group = mike_member_group_checkout(this->groups, job->name);
	if (group)
	{
		if (group->get_kernel(group))
		{
			step(this, group, group->get_kernel(group), job);
		}
		this->groups->checkin(this->groups, &group->group);
	}
	return JOB_REQUEUE_NONE;
}

/**
 * Register again soon, unless that was asked for moments ago
 */
static void reregister(private_mike_member_rekey_t *this,
					   mike_member_group_t *group, char *why)
{
	char *name = group->group.get_config(&group->group)->name;

	if (!group->start_reregistration(group, REREGISTER_HOLDOFF))
	{
		return;
	}
	DBG1(DBG_CFG, "mike: group '%s': registering again, %s", name, why);
	mike_group_job_schedule(member_reregister, this, name, 0, 0, 0);
}

/**
 * Register again if no keys came since the check was scheduled (job->arg:
 * when keys last came then)
 */
static void check_expiry(private_mike_member_rekey_t *this,
						 mike_member_group_t *group, mike_kernel_t *kernel,
						 mike_group_job_t *job)
{
	if ((uint32_t)group->get_keys_updated(group) == job->arg)
	{
		reregister(this, group, "no GSA_REKEY came and its TEKs are about "
				   "to expire");
	}
}

/**
 * The check a member's watch_expiry() scheduled: no new keys since?
 */
static job_requeue_t member_check_expiry(mike_group_job_t *job)
{
	return on_registered(job, check_expiry);
}

/**
 * Unless new keys come first, register again when 95% of the
 * longest TEK lifetime since the last keys have passed (the GCKS rolls
 * them over at 90% by default; shorter ones are TEKs being retired, which
 * are meant to go)
 */
static void watch_expiry(private_mike_member_rekey_t *this,
						 mike_member_group_t *group)
{
	mike_gsa_t *gsa = group->group.get_gsa(&group->group);
	enumerator_t *enumerator;
	mike_tek_t *tek;
	uint32_t lifetime = 0;

	enumerator = gsa->create_tek_enumerator(gsa);
	while (enumerator->enumerate(enumerator, &tek))
	{
		lifetime = max(lifetime, tek->lifetime);
	}
	enumerator->destroy(enumerator);
	if (lifetime)
	{
		mike_group_job_schedule(member_check_expiry, this,
								group->group.get_config(&group->group)->name,
								(uint32_t)group->get_keys_updated(group), 0,
								lifetime - lifetime / 20);
	}
}

/**
 * Forget the TEK of an SPI, if the GSA still has it
 */
static void forget_tek(mike_member_group_t *group, uint32_t spi)
{
	mike_gsa_t *gsa = group->group.get_gsa(&group->group);
	enumerator_t *enumerator;
	mike_tek_t *tek, *found = NULL;

	enumerator = gsa->create_tek_enumerator(gsa);
	while (!found && enumerator->enumerate(enumerator, &tek))
	{
		if (tek->spi == spi)
		{
			found = tek;
		}
	}
	enumerator->destroy(enumerator);
	if (found && gsa->remove_tek(gsa, found))
	{
		found->destroy(found);
	}
}

/**
 * Remove the SA of a replaced or deleted TEK (job->arg: its SPI); the
 * TEK goes too, or a GSA_REKEY that adds to the TEKs would install it again
 */
static void deactivate(private_mike_member_rekey_t *this,
					   mike_member_group_t *group, mike_kernel_t *kernel,
					   mike_group_job_t *job)
{
	if (job->arg == group->get_own_spi(group))
	{	/* the SA we send with goes when its successor is active */
		return;
	}
	forget_tek(group, job->arg);
	if (kernel->has_sa(kernel, job->arg))
	{
		kernel->del_sa(kernel, job->arg);
		DBG2(DBG_CFG, "mike: group '%s': removed the SA with SPI %.8x",
			 job->name, job->arg);
	}
}

/**
 * After the deactivation delay: remove an SA of a replaced TEK
 */
static job_requeue_t member_deactivate(mike_group_job_t *job)
{
	return on_registered(job, deactivate);
}

/**
 * Send with the new TEK (job->arg), remove the old one's SA (job->arg2)
 * after the deactivation delay
 */
static void activate(private_mike_member_rekey_t *this,
					 mike_member_group_t *group, mike_kernel_t *kernel,
					 mike_group_job_t *job)
{
	if (kernel->switch_outbound(kernel, job->arg))
	{
		group->set_own_spi(group, job->arg);
		DBG2(DBG_CFG, "mike: group '%s': sending with SPI %.8x now",
			 job->name, job->arg);
		mike_group_job_schedule(member_deactivate, this, job->name,
								job->arg2, 0, deactivation_delay(group));
	}
}

/**
 * After the activation delay: send with the new TEK; the old one's SA goes
 * after the deactivation delay
 */
static job_requeue_t member_activate(mike_group_job_t *job)
{
	return on_registered(job, activate);
}

/**
 * Whether a list of SPIs (as pointers) has one
 */
static bool has_spi(linked_list_t *spis, uint32_t spi)
{
	void *item = (void*)(uintptr_t)spi;

	return spis->find_first(spis, NULL, &item);
}

/**
 * Take a group's new GSA without loss: new inbound SAs now, the own new TEK
 * after the activation delay, old SAs away after the deactivation delay
 */
static status_t member_apply(private_mike_member_rekey_t *this,
							 mike_member_group_t *group, gsa_payload_t *gsa,
							 kd_payload_t *kd, chunk_t wrap, bool rekey)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	mike_gsa_t *state = group->group.get_gsa(&group->group);
	mike_kernel_t *kernel = group->get_kernel(group);
	host_t *me = group->get_my_host(group);
	linked_list_t *old, *before;
	enumerator_t *enumerator;
	mike_tek_t *tek, *own = NULL;
	uintptr_t spi;
	status_t status;

	before = linked_list_create();
	enumerator = state->create_tek_enumerator(state);
	while (enumerator->enumerate(enumerator, &tek))
	{
		before->insert_last(before, (void*)(uintptr_t)tek->spi);
	}
	enumerator->destroy(enumerator);

	status = mike_gsa_apply(group, gsa, kd, wrap, rekey);
	if (status != SUCCESS)
	{
		before->destroy(before);
		return status;
	}
	group->keys_updated(group);
	/* a registration replaces the TEKs: those it lacks go; a GSA_REKEY
	 * adds TEKs, only Delete payloads and lifetimes remove any */
	old = linked_list_create();
	if (!rekey)
	{
		enumerator = before->create_enumerator(before);
		while (enumerator->enumerate(enumerator, &spi))
		{
			old->insert_last(old, (void*)spi);
		}
		enumerator->destroy(enumerator);
	}

	enumerator = state->create_tek_enumerator(state);
	while (enumerator->enumerate(enumerator, &tek))
	{
		old->remove(old, (void*)(uintptr_t)tek->spi, NULL);
		if (kernel->has_sa(kernel, tek->spi) ||
			(rekey && has_spi(before, tek->spi)))
		{	/* installed, or held before (and expired or deleted since) */
			continue;
		}
		if (cfg->sender && tek->source && me && me->ip_equals(me, tek->source))
		{
			if (kernel->add_next_outbound(kernel, tek))
			{
				own = tek;
			}
		}
		else if (!kernel->add_inbound(kernel, tek))
		{
			DBG1(DBG_IKE, "mike: group '%s': installing the inbound SA with "
				 "SPI %.8x failed", cfg->name, tek->spi);
			status = FAILED;
			continue;
		}
		/* the kernel ends the SA at its lifetime; the TEK goes then, too */
		mike_group_job_schedule(member_deactivate, this, cfg->name, tek->spi,
								0, tek->lifetime);
	}
	enumerator->destroy(enumerator);
	before->destroy(before);

	if (own)
	{
		old->remove(old, (void*)(uintptr_t)group->get_own_spi(group), NULL);
		mike_group_job_schedule(member_activate, this, cfg->name, own->spi,
								group->get_own_spi(group),
								activation_delay(group));
	}
	while (old->remove_first(old, (void**)&spi) == SUCCESS)
	{
		mike_group_job_schedule(member_deactivate, this, cfg->name, spi, 0,
								deactivation_delay(group));
	}
	old->destroy(old);
	watch_expiry(this, group);
	return status;
}

METHOD(mike_member_rekey_t, apply, bool,
	private_mike_member_rekey_t *this, mike_member_group_t *group,
	gsa_payload_t *gsa, kd_payload_t *kd, chunk_t gsk_w)
{
	return member_apply(this, group, gsa, kd, gsk_w, FALSE) == SUCCESS;
}

/**
 * Exclusion (RFC 9838 2.4.3): a Delete of the rekey SA with SPI 0.
 * The group's SAs go at once (its policies stay: nothing goes out in the
 * clear), and the member registers again after a random 1 to 5 seconds, so
 * that an excluded group does not overload the GCKS at once.
 */
static void excluded(private_mike_member_rekey_t *this,
					 mike_member_group_t *group)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	mike_gsa_t *gsa = group->group.get_gsa(&group->group);
	mike_kernel_t *kernel = group->get_kernel(group);
	enumerator_t *enumerator;
	mike_tek_t *tek;
	uint32_t delay = 1 + random() % 5;

	enumerator = gsa->create_tek_enumerator(gsa);
	while (enumerator->enumerate(enumerator, &tek))
	{
		if (kernel->has_sa(kernel, tek->spi))
		{
			kernel->del_sa(kernel, tek->spi);
		}
	}
	enumerator->destroy(enumerator);
	gsa->replace_teks(gsa, linked_list_create());
	DBG1(DBG_NET, "mike: group '%s': the GCKS excluded us from the group "
		 "(Delete of the rekey SA with SPI 0), registering again in %u s",
		 cfg->name, delay);
	if (group->start_reregistration(group, REREGISTER_HOLDOFF))
	{
		mike_group_job_schedule(member_reregister, this, cfg->name, 0, 0,
								delay);
	}
}

/**
 * The Delete payloads of an accepted GSA_REKEY (RFC 9838 2.4.3 and 4.6, RFC 7296
 * 3.11): the TEKs named go after the deactivation delay (SPI 0: all of
 * them), a Delete of the rekey SA means registering again; FALSE if the
 * member must register again
 */
static bool member_delete(private_mike_member_rekey_t *this,
						  mike_member_group_t *group, chunk_t body)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	mike_gsa_t *gsa = group->group.get_gsa(&group->group);
	enumerator_t *enumerator;
	mike_tek_t *tek;
	uint8_t protocol = body.ptr[0], spi_size = body.ptr[1];
	uint16_t i, count = untoh16(body.ptr + 2);
	uint32_t spi, delay = deactivation_delay(group);
	chunk_t spis = chunk_skip(body, 4);

	/* the codec checked the length: count SPIs of spi_size */
	if (protocol == GIKEV2_PROTO_GIKE_UPDATE && spi_size == MIKE_KEK_SPI_SIZE)
	{
		for (i = 0; i < count; i++)
		{
			chunk_t kek = chunk_create(spis.ptr + i * spi_size, spi_size);

			if (chunk_equals(kek, chunk_from_chars(0,0,0,0,0,0,0,0,
												   0,0,0,0,0,0,0,0)))
			{
				excluded(this, group);
				return TRUE;
			}
			if (chunk_equals_const(kek, gsa->get_kek_spi(gsa)))
			{
				return FALSE;
			}
		}
		return TRUE;
	}
	if (protocol != GIKEV2_PROTO_ESP || spi_size != 4)
	{
		DBG1(DBG_NET, "mike: group '%s': Delete of protocol %u with %u-byte "
			 "SPIs ignored, this group has ESP SAs only", cfg->name, protocol,
			 spi_size);
		return TRUE;
	}
	for (i = 0; i < count; i++)
	{
		spi = untoh32(spis.ptr + i * 4);
		enumerator = gsa->create_tek_enumerator(gsa);
		while (enumerator->enumerate(enumerator, &tek))
		{
			if (!spi || tek->spi == spi)
			{
				DBG2(DBG_NET, "mike: group '%s': the GCKS deletes the SA "
					 "with SPI %.8x, in %u s", cfg->name, tek->spi, delay);
				mike_group_job_schedule(member_deactivate, this, cfg->name,
										tek->spi, 0, delay);
			}
		}
		enumerator->destroy(enumerator);
	}
	return TRUE;
}

/**
 * The Notify payloads of an accepted GSA_REKEY: none is defined for it
 * (RFC 9838 2.4.1 allows them), status types are ignored as RFC 7296 3.10.1
 * says, error types logged
 */
static void member_notify(mike_member_group_t *group, chunk_t body)
{
	uint16_t type = untoh16(body.ptr + 2);

	if (type < 16384)
	{
		DBG1(DBG_NET, "mike: group '%s': GSA_REKEY carries the error notify "
			 "%N", group->group.get_config(&group->group)->name,
			 notify_type_names, type);
	}
	else
	{
		DBG2(DBG_NET, "mike: group '%s': GSA_REKEY notify %N ignored",
			 group->group.get_config(&group->group)->name, notify_type_names,
			 type);
	}
}

/**
 * Apply the payloads of an accepted GSA_REKEY: GSA and KD, each optional
 * (RFC 9838 2.4.1), then the Delete and Notify payloads
 */
static bool member_apply_msg(private_mike_member_rekey_t *this,
							 mike_member_group_t *group, mike_rekey_msg_t *msg)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	mike_gsa_t *state = group->group.get_gsa(&group->group);
	mike_rekey_payload_t *payloads;
	payload_t *gsa = NULL, *kd = NULL;
	chunk_t wrap;
	status_t status = SUCCESS;
	bool ok = TRUE;
	int i, count;

	count = msg->get_payloads(msg, &payloads);
	for (i = 0; ok && i < count; i++)
	{
		if (payloads[i].type == GIKEV2_PL_GSA)
		{	/* the codec lets each through once */
			gsa = gikev2_payload_parse(GIKEV2_PL_GSA, payloads[i].body);
			ok = gsa != NULL;
		}
		else if (payloads[i].type == GIKEV2_PL_KD)
		{
			kd = gikev2_payload_parse(GIKEV2_PL_KD, payloads[i].body);
			ok = kd != NULL;
		}
	}
	if (!ok)
	{
		DESTROY_IF(gsa);
		DESTROY_IF(kd);
		DBG1(DBG_NET, "mike: group '%s': GSA_REKEY %u has a malformed GSA or "
			 "KD payload", cfg->name, msg->get_message_id(msg));
		return FALSE;
	}
	if (gsa || kd)
	{
		/* the keys are wrapped with the GSK_w of the KEK the message came
		 * under, which the GSA may replace */
		wrap = chunk_clone(mike_rekey_suite_gsk_w(state->get_kek_suite(state),
											state->get_kek_keymat(state)));
		status = member_apply(this, group, (gsa_payload_t*)gsa,
							  (kd_payload_t*)kd, wrap, TRUE);
		chunk_clear(&wrap);
	}
	DESTROY_IF(gsa);
	DESTROY_IF(kd);
	if (status != SUCCESS)
	{
		return FALSE;
	}
	for (i = 0; ok && i < count; i++)
	{
		if (payloads[i].type == PLV2_DELETE)
		{
			ok = member_delete(this, group, payloads[i].body);
		}
		else if (payloads[i].type == PLV2_NOTIFY)
		{
			member_notify(group, payloads[i].body);
		}
	}
	if (!ok)
	{
		DBG1(DBG_NET, "mike: group '%s': GSA_REKEY %u deletes the rekey SA",
			 cfg->name, msg->get_message_id(msg));
	}
	return ok;
}

/**
 * Whether a member group is registered and has the rekey SA of an SPI
 */
static bool has_rekey_sa(mike_member_group_t *group, chunk_t spi)
{
	mike_gsa_t *gsa = group->group.get_gsa(&group->group);

	return group->get_kernel(group) && gsa->get_kek_keymat(gsa).len &&
		   chunk_equals_const(gsa->get_kek_spi(gsa), spi);
}

/**
 * Check a received GSA_REKEY against a group's rekey SA and apply it
 */
static void receive_for(private_mike_member_rekey_t *this,
						mike_member_group_t *group, chunk_t data, chunk_t spi,
						host_t *from)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	mike_gsa_t *gsa = group->group.get_gsa(&group->group);
	mike_rekey_reassembly_t *reassembly;
	mike_rekey_msg_t *msg;
	mike_rekey_status_t status;
	unsigned long long missed;
	uint64_t next = gsa->get_rekey_msg_id(gsa);
	bool fragment;

	if (!gsa->get_rekey_auth_key(gsa))
	{
		DBG1(DBG_NET, "mike: group '%s': GSA_REKEY from %H ignored, the GCKS "
			 "gave us no key to verify it", cfg->name, from);
		return;
	}
	fragment = mike_rekey_msg_is_fragment(data);
	if (fragment)
	{	/* the reassembled message is verified as an unfragmented one */
		reassembly = group->get_reassembly(group);
		status = reassembly->add(reassembly, data, spi, gsa->get_kek_suite(gsa),
								 mike_rekey_suite_gsk_e(gsa->get_kek_suite(gsa),
												gsa->get_kek_keymat(gsa)),
								 gsa->get_rekey_auth_key(gsa),
								 gsa->get_rekey_auth_scheme(gsa), next,
								 time_monotonic(NULL), &msg);
	}
	else
	{
		status = mike_rekey_msg_parse(data, spi, gsa->get_kek_suite(gsa),
								mike_rekey_suite_gsk_e(gsa->get_kek_suite(gsa),
												gsa->get_kek_keymat(gsa)),
								gsa->get_rekey_auth_key(gsa),
								gsa->get_rekey_auth_scheme(gsa), next, &msg);
	}
	if (status == MIKE_REKEY_INCOMPLETE)
	{
		DBG3(DBG_NET, "mike: group '%s': GSA_REKEY fragment from %H kept",
			 cfg->name, from);
		return;
	}
	if (status != MIKE_REKEY_OK)
	{
		group->count_rejected(group, status);
		/* the GCKS sends every message (every fragment) several times: the
		 * copies of the one just accepted are no news */
		if (status == MIKE_REKEY_ERR_REPLAY ||
			status == MIKE_REKEY_ERR_FRAGMENT_DUPLICATE)
		{
			DBG2(DBG_NET, "mike: group '%s': GSA_REKEY copy from %H dropped: "
				 "%s%s", cfg->name, from, mike_rekey_status_str(status),
				 fragment ? " (a fragment)" : "");
		}
		else
		{
			DBG1(DBG_NET, "mike: group '%s': GSA_REKEY from %H rejected: "
				 "%s%s", cfg->name, from, mike_rekey_status_str(status),
				 fragment ? " (a fragment)" : "");
		}
		return;
	}
	missed = msg->get_message_id(msg) - next;
	gsa->set_rekey_msg_id(gsa, (uint64_t)msg->get_message_id(msg) + 1);
	if (!member_apply_msg(this, group, msg))
	{
		DBG1(DBG_NET, "mike: group '%s': GSA_REKEY %u not applied",
			 cfg->name, msg->get_message_id(msg));
		reregister(this, group, "its keys are out of date");
	}
	else if (missed)
	{
		DBG1(DBG_NET, "mike: group '%s': GSA_REKEY %u accepted, but %llu "
			 "before it missed", cfg->name, msg->get_message_id(msg), missed);
		gsa->count_rekey(gsa);
		reregister(this, group, "it may have missed key tree keys");
	}
	else
	{
		gsa->count_rekey(gsa);
		DBG2(DBG_NET, "mike: group '%s': GSA_REKEY %u accepted, %d sender "
			 "TEKs", cfg->name, msg->get_message_id(msg),
			 gsa->get_tek_count(gsa));
	}
	msg->destroy(msg);
}

/**
 * A datagram on a rekey port: find the group by the rekey SA's SPI, check
 * and apply the message
 */
METHOD(mike_member_rekey_t, receive, void,
	private_mike_member_rekey_t *this, chunk_t data, host_t *from)
{
	enumerator_t *enumerator;
	mike_member_group_t *group;
	bool found = FALSE;
	chunk_t spi;

	if (data.len < MIKE_REKEY_SPI_SIZE)
	{
		return;
	}
	spi = chunk_create(data.ptr, MIKE_REKEY_SPI_SIZE);
	enumerator = mike_member_group_create_enumerator(this->groups);
	while (!found && enumerator->enumerate(enumerator, &group))
	{
		if (has_rekey_sa(group, spi))
		{	/* checked out until the enumerator is destroyed */
			receive_for(this, group, data, spi, from);
			found = TRUE;
		}
	}
	enumerator->destroy(enumerator);
	if (!found)
	{
		DBG2(DBG_NET, "mike: rekey message from %H for no group of ours",
			 from);
	}
}

METHOD(mike_member_rekey_t, start, void,
	private_mike_member_rekey_t *this, mike_member_group_t *group)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	/* the GCKS says where its rekey messages go, in the GSA */
	host_t *dst = group->get_rekey_dst(group);

	if (dst && !this->socket->subscribe(this->socket, dst))
	{
		DBG1(DBG_CFG, "mike: group '%s': cannot receive GSA_REKEY messages "
			 "on %#H", cfg->name, dst);
	}
	else if (dst)
	{
		DBG1(DBG_CFG, "mike: group '%s': GSA_REKEY messages come to %#H",
			 cfg->name, dst);
	}
	watch_expiry(this, group);
}

METHOD(mike_member_rekey_t, stop, void,
	private_mike_member_rekey_t *this, mike_member_group_t *group)
{
	host_t *dst = group->get_rekey_dst(group);

	if (dst)
	{
		this->socket->unsubscribe(this->socket, dst);
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
						(mike_rekey_socket_cb_t)received, this, 0, 0, 1, 0);
	return &this->public;
}
