/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "mike_rekey.h"
#include "mike_gsa.h"
#include "mike_keywrap.h"
#include "mike_rekey_msg.h"
#include "mike_rekey_socket.h"
#include "payloads/gikev2_parser.h"

#include <daemon.h>
#include <threading/mutex.h>
#include <processing/jobs/callback_job.h>

typedef struct private_mike_rekey_t private_mike_rekey_t;

/**
 * Private data of a mike_rekey_t object.
 */
struct private_mike_rekey_t {

	/**
	 * Public interface.
	 */
	mike_rekey_t public;

	/**
	 * The groups.
	 */
	mike_groups_t *groups;

	/**
	 * Registration, for exchanges over IKE SAs.
	 */
	mike_registrar_t *registrar;

	/**
	 * Multicast transport.
	 */
	mike_rekey_socket_t *socket;

	/**
	 * GCKS groups whose rollover job runs, char*.
	 */
	linked_list_t *running;

	/**
	 * GCKS groups whose restored members are watched (rejoin_timeout),
	 * char*.
	 */
	linked_list_t *watched;

	/**
	 * Lock for running.
	 */
	mutex_t *mutex;
};

/**
 * A job on a group, found again by name when it runs (the group may have
 * been replaced or removed meanwhile)
 */
typedef struct {
	private_mike_rekey_t *this;
	char *name;
	uint32_t spi;
	uint32_t old_spi;
} job_data_t;

static void job_data_destroy(job_data_t *data)
{
	free(data->name);
	free(data);
}

static void schedule(job_data_t *data, callback_job_cb_t cb, u_int seconds)
{
	lib->scheduler->schedule_job(lib->scheduler,
			(job_t*)callback_job_create(cb, data,
						(callback_job_cleanup_t)job_data_destroy, NULL),
			seconds);
}

static job_data_t *job_data(private_mike_rekey_t *this, char *name,
							uint32_t spi, uint32_t old_spi)
{
	job_data_t *data;

	INIT(data,
		.this = this,
		.name = strdup(name),
		.spi = spi,
		.old_spi = old_spi,
	);
	return data;
}

/**
 * The rekey address with the rekey port
 */
static host_t *rekey_dst(mike_group_config_t *cfg)
{
	host_t *dst = cfg->rekey_address->clone(cfg->rekey_address);

	dst->set_port(dst, cfg->rekey_port);
	return dst;
}

/**
 * A KEK's GSK_e and GSK_w (RFC 9838 4.5.6; AEAD, so no GSK_a)
 */
static chunk_t gsk_e(chunk_t kek_keymat)
{
	return chunk_create(kek_keymat.ptr, MIKE_REKEY_GSK_E_SIZE);
}

static chunk_t gsk_w(chunk_t kek_keymat)
{
	return chunk_skip(kek_keymat, MIKE_REKEY_GSK_E_SIZE);
}

/*
 * ---- GCKS ----------------------------------------------------------------
 */

/**
 * Give every registered sender a fresh TEK with a fresh SPI
 */
static bool roll_teks(mike_group_t *group)
{
	enumerator_t *enumerator;
	mike_group_member_t *member;
	mike_tek_t *tek;
	bool ok = TRUE;

	enumerator = group->members->create_enumerator(group->members);
	while (ok && enumerator->enumerate(enumerator, &member))
	{
		if (!member->tek)
		{
			continue;
		}
		if (!group->cfg->may_send(group->cfg, member->id))
		{	/* no new key for who may no longer send */
			DBG1(DBG_CFG, "mike: group '%s': '%Y' is no longer a permitted "
				 "sender, its TEK is not renewed", group->cfg->name,
				 member->id);
			group->drop_tek(group, member);
			continue;
		}
		tek = group->new_tek(group, member->id, member->tek->source);
		ok = tek != NULL;
		if (ok)
		{
			group->retire_tek(group, member->tek);
			member->tek = tek;
			DBG1(DBG_CFG, "mike: group '%s': sender '%Y' uses SPI %.8x",
				 group->cfg->name, member->id, tek->spi);
		}
	}
	enumerator->destroy(enumerator);
	return ok;
}

/**
 * The signed GSA_REKEY datagram with the group's current GSA, sent under
 * the KEK given (the one members hold now, which the GSA may replace)
 */
static bool build_rekey(mike_group_t *group, uint32_t msg_id,
						chunk_t kek_spi, chunk_t kek_keymat,
						mike_gsa_keys_t *keys, chunk_t *msg)
{
	mike_rekey_payload_t payloads[2];
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	bool ok;

	if (!mike_gsa_build(group, gsk_w(kek_keymat), keys, &gsa, &kd))
	{
		return FALSE;
	}
	payloads[0] = (mike_rekey_payload_t){
		.type = GIKEV2_PL_GSA,
		.body = gikev2_payload_get_body(&gsa->payload_interface),
	};
	payloads[1] = (mike_rekey_payload_t){
		.type = GIKEV2_PL_KD,
		.body = gikev2_payload_get_body(&kd->payload_interface),
	};
	ok = mike_rekey_msg_build(kek_spi, msg_id, payloads,
							  countof(payloads), gsk_e(kek_keymat),
							  group->signing_key, group->rekey_auth_scheme,
							  msg);
	gsa->payload_interface.destroy(&gsa->payload_interface);
	kd->payload_interface.destroy(&kd->payload_interface);
	return ok;
}

/**
 * After the store's lock is released: push a group's GSA to a member
 */
static job_requeue_t gcks_push(job_data_t *data)
{
	private_mike_rekey_t *this = data->this;

	if (!this->registrar->push_over(this->registrar, data->spi, data->name))
	{
		DBG1(DBG_CFG, "mike: group '%s': the IKE SA of a member is gone, "
			 "no new GSA for it", data->name);
	}
	return JOB_REQUEUE_NONE;
}

/**
 * GCKS, unicast rekeying: replace the KEK and/or TEKs if asked to and push
 * the GSA to every member over its IKE SA (forward access control comes
 * free: who is not a member gets nothing).  Call with the store locked.
 */
static bool push_gsa(private_mike_rekey_t *this, mike_group_t *group,
					 bool new_kek, bool new_teks, mike_group_member_t *skip,
					 char *why)
{
	enumerator_t *enumerator;
	mike_group_member_t *member;
	u_int count = 0;

	if ((new_kek && !group->new_kek(group)) ||
		(new_teks && !roll_teks(group)) || !group->save(group))
	{
		DBG1(DBG_CFG, "mike: group '%s': new keys (%s) failed, members will "
			 "register again", group->cfg->name, why);
		return FALSE;
	}
	enumerator = group->members->create_enumerator(group->members);
	while (enumerator->enumerate(enumerator, &member))
	{
		/* members restored after a restart have no IKE SA until they
		 * register again */
		if (member != skip && member->ike_sa_id)
		{
			schedule(job_data(this, group->cfg->name, member->ike_sa_id, 0),
					 (callback_job_cb_t)gcks_push, 0);
			count++;
		}
	}
	enumerator->destroy(enumerator);
	group->rekeys++;
	DBG1(DBG_CFG, "mike: group '%s': pushing the new GSA to %u member%s over "
		 "their IKE SAs: %s, %d sender TEK%s", group->cfg->name, count,
		 count == 1 ? "" : "s", why, group->teks->get_count(group->teks),
		 group->teks->get_count(group->teks) == 1 ? "" : "s");
	return TRUE;
}

/**
 * GCKS: after a restart the group knows the public key its members verify
 * GSA_REKEY messages with, but not yet the private key: find that among
 * the loaded credentials by its key ID
 */
static void restore_signing_key(mike_group_t *group)
{
	identification_t *keyid;
	private_key_t *key;
	public_key_t *pub = group->rekey_auth_key;
	chunk_t fp;

	if (!pub || !pub->get_fingerprint(pub, KEYID_PUBKEY_SHA1, &fp))
	{
		return;
	}
	keyid = identification_create_from_encoding(ID_KEY_ID, fp);
	key = lib->credmgr->get_private(lib->credmgr, KEY_ANY, keyid, NULL);
	keyid->destroy(keyid);
	if (!key)
	{
		DBG1(DBG_CFG, "mike: group '%s': the private key of its GSA_REKEY "
			 "signatures is not loaded", group->cfg->name);
		return;
	}
	/* ensure_signing_key() takes the public key from the private one */
	group->rekey_auth_key = NULL;
	if (!group->ensure_signing_key(group, key))
	{
		group->rekey_auth_key = pub;
	}
	else
	{
		pub->destroy(pub);
		DBG1(DBG_CFG, "mike: group '%s': signing GSA_REKEY messages with the "
			 "key it used before the restart", group->cfg->name);
	}
	key->destroy(key);
}

/**
 * GCKS: send the group's GSA in a GSA_REKEY under the current KEK, after
 * replacing the KEK (wrapped with the key tree's root if wrap_keys are
 * given, else with the current KEK) and/or the senders' TEKs if asked to;
 * or, without a rekey address, push it to each member but skip.
 * Call with the group store locked.
 */
static bool send_gsa(private_mike_rekey_t *this, mike_group_t *group,
					 linked_list_t *wrap_keys, bool new_kek, bool new_teks,
					 mike_group_member_t *skip, char *why)
{
	mike_gsa_keys_t keys = {
		.wrap_keys = wrap_keys,
	};
	chunk_t spi, keymat, msg = chunk_empty;
	uint32_t msg_id;
	host_t *dst;
	bool ok;

	if (!group->kek_keymat.len)
	{
		return FALSE;
	}
	if (!group->cfg->rekey_address)
	{
		return push_gsa(this, group, new_kek, new_teks, skip, why);
	}
	if (!group->signing_key)
	{	/* right after a restart, before any member registered again */
		restore_signing_key(group);
	}
	if (!group->signing_key)
	{
		DBG1(DBG_CFG, "mike: group '%s': no key to sign GSA_REKEY %s with",
			 group->cfg->name, why);
		return FALSE;
	}
	if (!group->next_message_id(group, &msg_id))
	{
		DBG1(DBG_CFG, "mike: group '%s': no Message ID left for a GSA_REKEY "
			 "(%s)", group->cfg->name, why);
		return FALSE;
	}
	spi = chunk_clone(group->kek_spi);
	keymat = chunk_clone(group->kek_keymat);
	ok = (!new_kek || group->new_kek(group)) &&
		 (!new_teks || roll_teks(group));
	if (ok && new_kek && wrap_keys)
	{	/* only who holds the new root key gets the new KEK */
		group->lkh->get_root(group->lkh, &keys.kek_kwk_id, &keys.kek_kwk);
	}
	ok = ok && build_rekey(group, msg_id, spi, keymat, &keys, &msg);
	chunk_free(&spi);
	chunk_clear(&keymat);
	/* the new keys are stored before they go out: after a restart the
	 * GCKS must have what its members have */
	if (!ok || !group->save(group))
	{
		DBG1(DBG_CFG, "mike: group '%s': building GSA_REKEY %u (%s) failed, "
			 "members will register again", group->cfg->name, msg_id, why);
		chunk_free(&msg);
		return FALSE;
	}
	group->rekeys++;
	dst = rekey_dst(group->cfg);
	if (this->socket->send(this->socket, dst, msg))
	{
		DBG1(DBG_CFG, "mike: group '%s': sent GSA_REKEY %u to %#H: %s, %d "
			 "sender TEK%s, %d wrapped key%s", group->cfg->name, msg_id, dst,
			 why, group->teks->get_count(group->teks),
			 group->teks->get_count(group->teks) == 1 ? "" : "s",
			 wrap_keys ? wrap_keys->get_count(wrap_keys) : 0,
			 wrap_keys && wrap_keys->get_count(wrap_keys) == 1 ? "" : "s");
	}
	dst->destroy(dst);
	chunk_free(&msg);
	return TRUE;
}

/**
 * Remove a group's name from a list of names (call with mutex held)
 */
static void remove_name(linked_list_t *list, char *name)
{
	enumerator_t *enumerator;
	char *current;

	enumerator = list->create_enumerator(list);
	while (enumerator->enumerate(enumerator, &current))
	{
		if (streq(current, name))
		{
			list->remove_at(list, enumerator);
			free(current);
			break;
		}
	}
	enumerator->destroy(enumerator);
}

/**
 * The periodic rollover of a GCKS group
 */
static job_requeue_t gcks_rollover(job_data_t *data)
{
	private_mike_rekey_t *this = data->this;
	mike_group_t *group;
	mike_group_config_t *cfg;
	u_int interval = 0;
	bool kek_due;

	this->groups->lock(this->groups);
	group = this->groups->get(this->groups, data->name);
	if (group && group->cfg->role == MIKE_ROLE_GCKS &&
		group->kek_keymat.len &&
		(group->signing_key || group->rekey_auth_key ||
		 !group->cfg->rekey_address))
	{
		cfg = group->cfg;
		interval = cfg->tek_rekey_time;
		/* the KEK goes along if it would expire before the next rollover */
		kek_due = group->kek_created + cfg->kek_lifetime <=
				  time_monotonic(NULL) + interval;
		send_gsa(this, group, NULL, kek_due, TRUE, NULL,
				 kek_due ? "TEK and KEK rollover" : "TEK rollover");
	}
	this->groups->unlock(this->groups);

	if (!interval)
	{
		this->mutex->lock(this->mutex);
		remove_name(this->running, data->name);
		this->mutex->unlock(this->mutex);
		return JOB_REQUEUE_NONE;
	}
	return JOB_RESCHEDULE(interval);
}

METHOD(mike_rekey_t, joined, void,
	private_mike_rekey_t *this, mike_group_t *group, linked_list_t *wrap_keys)
{
	mike_group_member_t *newcomer = NULL;
	bool rekey = group->cfg->rekey_on_join;

	if (group->members->get_count(group->members) < 2)
	{	/* the first member: nobody to tell, keys are fresh anyway */
		return;
	}
	/* add_member() puts it last; it gets the GSA in its registration */
	group->members->get_last(group->members, (void**)&newcomer);
	if (rekey)
	{	/* backward access control: the newcomer gets keys nobody used */
		send_gsa(this, group, wrap_keys, TRUE, TRUE, newcomer,
				 "member joined, new KEK and TEKs");
	}
	else
	{	/* the others learn the newcomer's TEK (and, if its leaf split
		 * one of theirs, their new key tree key) */
		send_gsa(this, group, wrap_keys, FALSE, FALSE, newcomer,
				 "member joined");
	}
}

METHOD(mike_rekey_t, announce, void,
	private_mike_rekey_t *this, mike_group_t *group, mike_group_member_t *skip,
	char *why)
{
	if (group->members->get_count(group->members) < 2)
	{	/* nobody else to tell */
		return;
	}
	send_gsa(this, group, NULL, FALSE, FALSE, skip, why);
}

METHOD(mike_rekey_t, left, void,
	private_mike_rekey_t *this, mike_group_t *group, linked_list_t *wrap_keys)
{
	if (!group->members->get_count(group->members))
	{	/* nobody left to tell; the next member gets a KEK it never had */
		group->new_kek(group);
		group->save(group);
		return;
	}
	if (!group->cfg->rekey_address || !wrap_keys)
	{	/* unicast, or the key tree failed: the new keys go to each of the
		 * others over its IKE SA, the departed member simply gets nothing */
		push_gsa(this, group, TRUE, TRUE, NULL, wrap_keys ?
				 "member left, new KEK and TEKs" :
				 "member left, the key tree failed, new KEK and TEKs");
		return;
	}
	/* forward access control (RFC 9838 4.5.2.1): the new KEK under the
	 * key tree's new root, which the departed member cannot unwrap; new
	 * TEKs only under that new KEK, in a second message */
	if (send_gsa(this, group, wrap_keys, TRUE, FALSE, NULL,
				 "member left, new KEK"))
	{
		send_gsa(this, group, NULL, FALSE, TRUE, NULL,
				 "new TEKs under the new KEK");
	}
}

/*
 * ---- member --------------------------------------------------------------
 */

/** seconds between two registrations a member starts by itself */
#define REREGISTER_HOLDOFF 5

/**
 * A member registers again over its IKE SA (outside the group store's lock,
 * since that checks the IKE SA out)
 */
static job_requeue_t member_reregister(job_data_t *data)
{
	private_mike_rekey_t *this = data->this;
	mike_group_t *group;
	uint32_t ike_sa_id = 0;

	this->groups->lock(this->groups);
	group = this->groups->get(this->groups, data->name);
	if (group && group->cfg->role == MIKE_ROLE_MEMBER && group->kernel)
	{
		ike_sa_id = group->ike_sa_id;
	}
	this->groups->unlock(this->groups);
	if (ike_sa_id &&
		!this->registrar->register_over(this->registrar, ike_sa_id,
										 data->name))
	{
		DBG1(DBG_CFG, "mike: group '%s': cannot register again, the IKE SA "
			 "is gone", data->name);
	}
	return JOB_REQUEUE_NONE;
}

/**
 * Member: register again soon, unless that was asked for moments ago
 * (call with the store locked)
 */
static void reregister(private_mike_rekey_t *this, mike_group_t *group,
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
	schedule(job_data(this, group->cfg->name, 0, 0),
			 (callback_job_cb_t)member_reregister, 0);
}

/**
 * The check a member's watch_expiry() scheduled: no new keys since?
 */
static job_requeue_t member_check_expiry(job_data_t *data)
{
	private_mike_rekey_t *this = data->this;
	mike_group_t *group;

	this->groups->lock(this->groups);
	group = this->groups->get(this->groups, data->name);
	if (group && group->cfg->role == MIKE_ROLE_MEMBER && group->kernel &&
		(uint32_t)group->keys_updated == data->spi)
	{
		reregister(this, group, "no GSA_REKEY came and its TEKs are about "
				   "to expire");
	}
	this->groups->unlock(this->groups);
	return JOB_REQUEUE_NONE;
}

/**
 * Member: unless new keys come first, register again when 95% of the
 * shortest TEK lifetime since the last keys have passed (the GCKS rolls
 * them over at 90% by default)
 */
static void watch_expiry(private_mike_rekey_t *this, mike_group_t *group)
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
		schedule(job_data(this, group->cfg->name,
						  (uint32_t)group->keys_updated, 0),
				 (callback_job_cb_t)member_check_expiry,
				 lifetime - lifetime / 20);
	}
}

/**
 * After the deactivation delay: remove an SA of a replaced TEK
 */
static job_requeue_t member_deactivate(job_data_t *data)
{
	private_mike_rekey_t *this = data->this;
	mike_group_t *group;

	this->groups->lock(this->groups);
	group = this->groups->get(this->groups, data->name);
	if (group && group->kernel && data->spi != group->own_spi &&
		group->kernel->has_sa(group->kernel, data->spi))
	{
		group->kernel->del_sa(group->kernel, data->spi);
		DBG1(DBG_CFG, "mike: group '%s': removed the SA with SPI %.8x",
			 data->name, data->spi);
	}
	this->groups->unlock(this->groups);
	return JOB_REQUEUE_NONE;
}

/**
 * After the activation delay: send with the new TEK; the old one's SA goes
 * after the deactivation delay
 */
static job_requeue_t member_activate(job_data_t *data)
{
	private_mike_rekey_t *this = data->this;
	mike_group_t *group;

	this->groups->lock(this->groups);
	group = this->groups->get(this->groups, data->name);
	if (group && group->kernel &&
		group->kernel->switch_outbound(group->kernel, data->spi))
	{
		group->own_spi = data->spi;
		DBG1(DBG_CFG, "mike: group '%s': sending with SPI %.8x now",
			 data->name, data->spi);
		schedule(job_data(this, data->name, data->old_spi, 0),
				 (callback_job_cb_t)member_deactivate,
				 group->cfg->deactivation_delay);
	}
	this->groups->unlock(this->groups);
	return JOB_REQUEUE_NONE;
}

/**
 * Take a group's new GSA without loss: new inbound SAs now, the own new TEK
 * after the activation delay, old SAs away after the deactivation delay
 */
static char *member_apply(private_mike_rekey_t *this, mike_group_t *group,
						  gsa_payload_t *gsa, kd_payload_t *kd, chunk_t wrap)
{
	mike_group_config_t *cfg = group->cfg;
	linked_list_t *old;
	enumerator_t *enumerator;
	mike_tek_t *tek, *own = NULL;
	uintptr_t spi;
	char *error = NULL;

	old = linked_list_create();
	enumerator = group->teks->create_enumerator(group->teks);
	while (enumerator->enumerate(enumerator, &tek))
	{
		old->insert_last(old, (void*)(uintptr_t)tek->spi);
	}
	enumerator->destroy(enumerator);

	error = mike_gsa_apply(group, gsa, kd, wrap);
	if (error)
	{
		old->destroy(old);
		return error;
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
			error = "installing a new inbound SA failed";
		}
	}
	enumerator->destroy(enumerator);

	if (own)
	{
		old->remove(old, (void*)(uintptr_t)group->own_spi, NULL);
		schedule(job_data(this, cfg->name, own->spi, group->own_spi),
				 (callback_job_cb_t)member_activate, cfg->activation_delay);
	}
	while (old->remove_first(old, (void**)&spi) == SUCCESS)
	{
		schedule(job_data(this, cfg->name, spi, 0),
				 (callback_job_cb_t)member_deactivate,
				 cfg->deactivation_delay);
	}
	old->destroy(old);
	watch_expiry(this, group);
	return error;
}

METHOD(mike_rekey_t, apply, char*,
	private_mike_rekey_t *this, mike_group_t *group, gsa_payload_t *gsa,
	kd_payload_t *kd, chunk_t gsk_w)
{
	return member_apply(this, group, gsa, kd, gsk_w);
}

/**
 * Apply the GSA and KD of an accepted GSA_REKEY
 */
static char *member_apply_msg(private_mike_rekey_t *this, mike_group_t *group,
							  mike_rekey_msg_t *msg)
{
	mike_rekey_payload_t *payloads;
	payload_t *gsa = NULL, *kd = NULL;
	chunk_t wrap;
	char *error;
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
		return "no valid GSA and KD payloads";
	}
	/* the keys are wrapped with the GSK_w of the KEK the message came
	 * under, which the GSA may replace */
	wrap = chunk_clone(gsk_w(group->kek_keymat));
	error = member_apply(this, group, (gsa_payload_t*)gsa, (kd_payload_t*)kd,
						 wrap);
	chunk_clear(&wrap);
	gsa->destroy(gsa);
	kd->destroy(kd);
	return error;
}

/**
 * A datagram on a rekey port: find the group by the rekey SA's SPI, check
 * and apply the message
 */
static void member_receive(private_mike_rekey_t *this, chunk_t data,
						   host_t *from)
{
	enumerator_t *enumerator;
	mike_group_t *group, *found = NULL;
	mike_rekey_msg_t *msg;
	mike_rekey_status_t status;
	unsigned long long missed;
	chunk_t spi;
	char *error;

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
	status = mike_rekey_msg_parse(data, spi, gsk_e(found->kek_keymat),
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
	error = member_apply_msg(this, found, msg);
	if (error)
	{
		DBG1(DBG_NET, "mike: group '%s': GSA_REKEY %u not applied: %s",
			 found->cfg->name, msg->get_message_id(msg), error);
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
		DBG1(DBG_NET, "mike: group '%s': GSA_REKEY %u accepted, %d sender "
			 "TEKs", found->cfg->name, msg->get_message_id(msg),
			 found->teks->get_count(found->teks));
	}
	msg->destroy(msg);
	this->groups->unlock(this->groups);
}

/**
 * Add a group's name to a list of names unless it is there (call with
 * mutex held); FALSE if it was there
 */
static bool add_name(linked_list_t *list, char *name)
{
	enumerator_t *enumerator;
	char *current;
	bool found = FALSE;

	enumerator = list->create_enumerator(list);
	while (!found && enumerator->enumerate(enumerator, &current))
	{
		found = streq(current, name);
	}
	enumerator->destroy(enumerator);
	if (!found)
	{
		list->insert_last(list, strdup(name));
	}
	return !found;
}

/**
 * GCKS: rejoin_timeout after the restart, drop the restored members that
 * have not registered again
 */
static job_requeue_t gcks_drop_dormant(job_data_t *data)
{
	private_mike_rekey_t *this = data->this;

	this->mutex->lock(this->mutex);
	remove_name(this->watched, data->name);
	this->mutex->unlock(this->mutex);
	this->registrar->drop_dormant(this->registrar, data->name);
	return JOB_REQUEUE_NONE;
}

/**
 * GCKS: watch the members a group restored from the store, once
 */
static void watch_dormant(private_mike_rekey_t *this, mike_group_t *group)
{
	enumerator_t *enumerator;
	mike_group_member_t *member;
	bool dormant = FALSE, added;

	enumerator = group->members->create_enumerator(group->members);
	while (!dormant && enumerator->enumerate(enumerator, &member))
	{
		dormant = !member->ike_sa_id;
	}
	enumerator->destroy(enumerator);
	if (!dormant)
	{
		return;
	}
	this->mutex->lock(this->mutex);
	added = add_name(this->watched, group->cfg->name);
	this->mutex->unlock(this->mutex);
	if (added)
	{
		DBG1(DBG_CFG, "mike: group '%s': members restored from the store "
			 "have %us to register again", group->cfg->name,
			 group->cfg->rejoin_timeout);
		schedule(job_data(this, group->cfg->name, 0, 0),
				 (callback_job_cb_t)gcks_drop_dormant,
				 group->cfg->rejoin_timeout);
	}
}

METHOD(mike_rekey_t, start, void,
	private_mike_rekey_t *this, mike_group_t *group)
{
	mike_group_config_t *cfg = group->cfg;
	host_t *dst;
	bool started;

	if (cfg->role == MIKE_ROLE_MEMBER)
	{	/* the GCKS says where its rekey messages go, in the GSA */
		dst = group->rekey_dst;
		if (dst && !this->socket->subscribe(this->socket, dst))
		{
			DBG1(DBG_CFG, "mike: group '%s': cannot receive GSA_REKEY "
				 "messages on %#H", cfg->name, dst);
		}
		else if (dst)
		{
			DBG1(DBG_CFG, "mike: group '%s': GSA_REKEY messages come to %#H",
				 cfg->name, dst);
		}
		watch_expiry(this, group);
		return;
	}
	watch_dormant(this, group);
	if (!group->kek_keymat.len)
	{	/* nothing to roll over until the first member registers */
		return;
	}
	if (cfg->rekey_address && !group->signing_key && !group->rekey_auth_key)
	{
		DBG1(DBG_CFG, "mike: group '%s': no signing key, no GSA_REKEY",
			 cfg->name);
		return;
	}
	this->mutex->lock(this->mutex);
	started = add_name(this->running, cfg->name);
	this->mutex->unlock(this->mutex);
	if (started)
	{
		DBG1(DBG_CFG, "mike: group '%s': TEKs roll over every %us",
			 cfg->name, cfg->tek_rekey_time);
		schedule(job_data(this, cfg->name, 0, 0),
				 (callback_job_cb_t)gcks_rollover, cfg->tek_rekey_time);
	}
}

METHOD(mike_rekey_t, stop, void,
	private_mike_rekey_t *this, mike_group_t *group)
{
	if (group->cfg->role == MIKE_ROLE_MEMBER && group->rekey_dst)
	{
		this->socket->unsubscribe(this->socket, group->rekey_dst);
	}
}

METHOD(mike_rekey_t, destroy, void,
	private_mike_rekey_t *this)
{
	this->socket->destroy(this->socket);
	this->running->destroy_function(this->running, free);
	this->watched->destroy_function(this->watched, free);
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * Described in header
 */
mike_rekey_t *mike_rekey_create(mike_groups_t *groups,
								mike_settings_t *settings,
								mike_registrar_t *registrar)
{
	private_mike_rekey_t *this;

	INIT(this,
		.public = {
			.start = _start,
			.joined = _joined,
			.announce = _announce,
			.left = _left,
			.apply = _apply,
			.stop = _stop,
			.destroy = _destroy,
		},
		.groups = groups,
		.registrar = registrar,
		.running = linked_list_create(),
		.watched = linked_list_create(),
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
	);
	this->socket = mike_rekey_socket_create(
						(mike_rekey_socket_cb_t)member_receive, this,
						settings->rekey_retransmissions,
						settings->rekey_retransmit_interval,
						settings->rekey_ttl);
	return &this->public;
}
