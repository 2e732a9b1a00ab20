/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "gcks/mike_gcks_rekey.h"
#include "gcks/mike_gsa_builder.h"
#include "gcks/mike_join_batch.h"
#include "common/mike_group_job.h"
#include "common/mike_rekey_msg.h"
#include "payloads/gikev2_parser.h"

#include <daemon.h>
#include <threading/mutex.h>
#include <collections/hashtable.h>

/**
 * Seconds after a registration response was built in which a GSA_REKEY
 * may overtake it: such messages are sent again later
 * (mike_rekey_socket_t.send_late())
 */
#define LATE_COPY_WINDOW 2

typedef struct private_mike_gcks_rekey_t private_mike_gcks_rekey_t;

/**
 * Private data of a mike_gcks_rekey_t object.
 */
struct private_mike_gcks_rekey_t {

	/**
	 * Public interface.
	 */
	mike_gcks_rekey_t public;

	/**
	 * The groups.
	 */
	mike_groups_t *groups;

	/**
	 * Exchanges over the members' IKE SAs.
	 */
	mike_gcks_registrar_t *registrar;

	/**
	 * Multicast transport, sending only.
	 */
	mike_rekey_socket_t *socket;

	/**
	 * Groups whose rollover job runs, char*.
	 */
	linked_list_t *running;

	/**
	 * Groups whose restored members are watched (rejoin_timeout), char*.
	 */
	linked_list_t *watched;

	/**
	 * The join notices each group has not sent yet, mike_join_batch_t by
	 * group name (char*, owned); used with the group checked out.
	 */
	hashtable_t *batches;

	/**
	 * Lock for running, watched and batches.
	 */
	mutex_t *mutex;
};

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
 * Give every registered sender a fresh TEK with a fresh SPI
 */
static bool roll_teks(mike_gcks_group_t *group, level_t level)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	enumerator_t *enumerator;
	mike_gcks_member_t *member;
	mike_tek_t *tek;
	bool ok = TRUE;

	/* the senders only: O(senders), not O(members) */
	enumerator = group->create_sender_enumerator(group);
	while (ok && enumerator->enumerate(enumerator, &member))
	{
		if (!cfg->may_send(cfg, member->id))
		{	/* no new key for who may no longer send */
			DBG1(DBG_CFG, "mike: group '%s': '%Y' is no longer a permitted "
				 "sender, its TEK is not renewed", cfg->name, member->id);
			group->drop_tek(group, member);
			continue;
		}
		tek = group->renew_tek(group, member, member->tek->source);
		ok = tek != NULL;
		if (ok)
		{
			charon->bus->log(charon->bus, DBG_CFG, level, "mike: group '%s': "
							 "sender '%Y' uses SPI %.8x", cfg->name,
							 member->id, tek->spi);
		}
	}
	enumerator->destroy(enumerator);
	return ok;
}

/**
 * The signed GSA_REKEY with the group's current GSA, sent under the KEK
 * given (the one members hold now, which the GSA may replace): one
 * datagram, or its IKE fragments if it is larger than max_len
 */
static bool build_rekey(mike_gcks_group_t *group, uint32_t msg_id,
						chunk_t kek_spi, chunk_t kek_keymat,
						mike_gsa_keys_t *keys, size_t max_len,
						chunk_t **datagrams, int *fragments)
{
	const mike_rekey_suite_t *suite = &mike_rekey_suite_default;
	mike_rekey_payload_t payloads[3];
	mike_gsa_t *gsa_state;
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	chunk_t withdrawn, delete = chunk_empty;
	int count = 2;
	bool ok;

	keys->rekey = TRUE;
	if (!mike_gsa_build(group, mike_rekey_suite_gsk_w(suite, kek_keymat), keys,
						&gsa, &kd))
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
	withdrawn = group->take_withdrawn_spis(group);
	if (withdrawn.len)
	{	/* members add the TEKs of a GSA_REKEY to theirs: say which go (RFC
		 * 9838 2.4.1, RFC 7296 3.11: Protocol ESP, SPI Size 4, # of SPIs) */
		delete = chunk_cat("cm", chunk_from_chars(GIKEV2_PROTO_ESP, 4,
						   withdrawn.len / 4 >> 8, withdrawn.len / 4 & 0xff),
						   withdrawn);
		payloads[count++] = (mike_rekey_payload_t){
			.type = PLV2_DELETE,
			.body = delete,
		};
	}
	gsa_state = group->group.get_gsa(&group->group);
	ok = mike_rekey_msg_build_fragments(kek_spi, msg_id, payloads, count,
							suite, mike_rekey_suite_gsk_e(suite, kek_keymat),
							group->get_signing_key(group),
							gsa_state->get_rekey_auth_scheme(gsa_state),
							max_len, datagrams, fragments);
	if (!ok && *fragments > MIKE_REKEY_MAX_FRAGMENTS)
	{	/* never cut into pieces members would not put together */
		DBG1(DBG_CFG, "mike: group '%s': GSA_REKEY %u would need %d "
			 "fragments of at most %zu bytes, more than the %d members "
			 "reassemble (rekey_fragment_size)",
			 group->group.get_config(&group->group)->name, msg_id,
			 *fragments, max_len, MIKE_REKEY_MAX_FRAGMENTS);
	}
	chunk_free(&delete);
	gsa->payload_interface.destroy(&gsa->payload_interface);
	kd->payload_interface.destroy(&kd->payload_interface);
	return ok;
}

/**
 * After the group was checked in: push its GSA to a member
 */
static job_requeue_t gcks_push(mike_group_job_t *job)
{
	private_mike_gcks_rekey_t *this = job->owner;

	if (!this->registrar->push_over(this->registrar, job->arg, job->name))
	{
		DBG1(DBG_CFG, "mike: group '%s': the IKE SA of a member is gone, "
			 "no new GSA for it", job->name);
	}
	return JOB_REQUEUE_NONE;
}

/**
 * GCKS, unicast rekeying: replace the KEK and/or TEKs if asked to and push
 * the GSA to every member over its IKE SA (forward access control comes
 * free: who is not a member gets nothing).
 */
static bool push_gsa(private_mike_gcks_rekey_t *this,
					 mike_gcks_group_t *group, bool new_kek, bool new_teks,
					 mike_gcks_member_t *skip, level_t level, char *why)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	mike_gsa_t *gsa = group->group.get_gsa(&group->group);
	enumerator_t *enumerator;
	mike_gcks_member_t *member;
	u_int count = 0;
	int teks;

	if ((new_kek && !group->new_kek(group)) ||
		(new_teks && !roll_teks(group, level)) || !group->save(group))
	{
		DBG1(DBG_CFG, "mike: group '%s': new keys (%s) failed, members will "
			 "register again", cfg->name, why);
		return FALSE;
	}
	enumerator = group->create_member_enumerator(group);
	while (enumerator->enumerate(enumerator, &member))
	{
		/* members restored after a restart have no IKE SA until they
		 * register again */
		if (member != skip && member->ike_sa_id)
		{
			mike_group_job_schedule(gcks_push, this, cfg->name,
									member->ike_sa_id, 0, 0);
			count++;
		}
	}
	enumerator->destroy(enumerator);
	gsa->count_rekey(gsa);
	teks = gsa->get_tek_count(gsa);
	charon->bus->log(charon->bus, DBG_CFG, level, "mike: group '%s': pushing "
					 "the new GSA to %u member%s over their IKE SAs: %s, %d "
					 "sender TEK%s", cfg->name, count, count == 1 ? "" : "s",
					 why, teks, teks == 1 ? "" : "s");
	return TRUE;
}

/**
 * After a restart the group knows the public key its members verify
 * GSA_REKEY messages with, but not yet the private key: find that among
 * the loaded credentials by its key ID
 */
static void restore_signing_key(mike_gcks_group_t *group)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	mike_gsa_t *gsa = group->group.get_gsa(&group->group);
	identification_t *keyid;
	private_key_t *key;
	public_key_t *pub = gsa->get_rekey_auth_key(gsa);
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
			 "signatures is not loaded", cfg->name);
		return;
	}
	/* the public key taken from the private one replaces the stored one */
	if (group->ensure_signing_key(group, key))
	{
		DBG1(DBG_CFG, "mike: group '%s': signing GSA_REKEY messages with the "
			 "key it used before the restart", cfg->name);
	}
	key->destroy(key);
}

/**
 * Send the group's GSA in a GSA_REKEY under the current KEK, after
 * replacing the KEK (wrapped with the key tree's root if wrap_keys are
 * given, else with the current KEK) and/or the senders' TEKs if asked to;
 * or, without a rekey address, push it to each member but skip.  With
 * joined, the GSA_REKEY carries of the TEKs only skip's (the newcomer's).
 */
static bool send_gsa(private_mike_gcks_rekey_t *this,
					 mike_gcks_group_t *group, linked_list_t *wrap_keys,
					 bool new_kek, bool new_teks, mike_gcks_member_t *skip,
					 bool joined, level_t level, char *why)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	mike_gsa_t *gsa = group->group.get_gsa(&group->group);
	mike_gsa_keys_t keys = {
		.wrap_keys = wrap_keys,
		.changes_only = joined,
		.new_tek = joined && skip ? skip->tek : NULL,
	};
	chunk_t spi, keymat, *datagrams = NULL;
	uint32_t msg_id;
	host_t *dst;
	bool ok;
	int teks, fragments = 0;
	char pieces[32];

	if (!gsa->get_kek_keymat(gsa).len)
	{
		return FALSE;
	}
	if (!cfg->rekey_address)
	{
		return push_gsa(this, group, new_kek, new_teks, skip, level, why);
	}
	if (!group->get_signing_key(group))
	{	/* right after a restart, before any member registered again */
		restore_signing_key(group);
	}
	if (!group->get_signing_key(group))
	{
		DBG1(DBG_CFG, "mike: group '%s': no key to sign GSA_REKEY %s with",
			 cfg->name, why);
		return FALSE;
	}
	if (!group->next_message_id(group, &msg_id))
	{
		DBG1(DBG_CFG, "mike: group '%s': no Message ID left for a GSA_REKEY "
			 "(%s)", cfg->name, why);
		return FALSE;
	}
	spi = chunk_clone(gsa->get_kek_spi(gsa));
	keymat = chunk_clone(gsa->get_kek_keymat(gsa));
	ok = (!new_kek || group->new_kek(group)) &&
		 (!new_teks || roll_teks(group, level));
	if (ok && new_kek && wrap_keys)
	{	/* only who holds the new root key gets the new KEK */
		group->get_lkh(group)->get_root(group->get_lkh(group),
										&keys.kek_kwk_id, &keys.kek_kwk);
	}
	dst = rekey_dst(cfg);
	ok = ok && build_rekey(group, msg_id, spi, keymat, &keys,
						   this->socket->get_max_message(this->socket, dst),
						   &datagrams, &fragments);
	chunk_free(&spi);
	chunk_clear(&keymat);
	/* the new keys are stored before they go out: after a restart the
	 * GCKS must have what its members have */
	if (!ok || !group->save(group))
	{
		DBG1(DBG_CFG, "mike: group '%s': building GSA_REKEY %u (%s) failed, "
			 "members will register again", cfg->name, msg_id, why);
		mike_rekey_msg_free_fragments(datagrams, fragments);
		dst->destroy(dst);
		return FALSE;
	}
	gsa->count_rekey(gsa);
	teks = gsa->get_tek_count(gsa);
	pieces[0] = '\0';
	if (fragments > 1)
	{
		snprintf(pieces, sizeof(pieces), " in %d fragments", fragments);
	}
	if (group->get_last_answered(group) &&
		time_monotonic(NULL) - group->get_last_answered(group) <=
														LATE_COPY_WINDOW)
	{	/* a registration answered moments ago may reach its member after
		 * this message and its copies: a member that misses a new KEK
		 * hears nothing it can read any more (RFC 9838 4.4.2.2.2's
		 * parallel exchanges), so the message goes again later */
		this->socket->send_late(this->socket, dst, datagrams, fragments);
	}
	if (this->socket->send(this->socket, dst, datagrams, fragments))
	{
		charon->bus->log(charon->bus, DBG_CFG, level, "mike: group '%s': sent "
					 "GSA_REKEY %u to %#H%s: %s, %d sender TEK%s, %d wrapped "
					 "key%s", cfg->name, msg_id, dst,
					 pieces, why,
					 teks, teks == 1 ? "" : "s",
					 wrap_keys ? wrap_keys->get_count(wrap_keys) : 0,
					 wrap_keys && wrap_keys->get_count(wrap_keys) == 1 ?
						"" : "s");
	}
	dst->destroy(dst);
	mike_rekey_msg_free_fragments(datagrams, fragments);
	return TRUE;
}

/**
 * A group's batch of join notices, created if asked to, else NULL if it
 * has none
 */
static mike_join_batch_t *get_batch(private_mike_gcks_rekey_t *this,
									char *name, bool create)
{
	mike_join_batch_t *batch;

	this->mutex->lock(this->mutex);
	batch = this->batches->get(this->batches, name);
	if (!batch && create)
	{
		batch = mike_join_batch_create();
		this->batches->put(this->batches, strdup(name), batch);
	}
	this->mutex->unlock(this->mutex);
	return batch;
}

/**
 * Send the join notices a group owes, in one GSA_REKEY, before any other
 * GSA_REKEY of the group: Message IDs then follow the key tree's changes,
 * and no member lacks a key that a later message is wrapped under
 */
static void flush_joins(private_mike_gcks_rekey_t *this,
						mike_gcks_group_t *group)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	mike_join_batch_t *batch;
	linked_list_t *keys;
	char why[64];
	u_int joins;

	batch = get_batch(this, cfg->name, FALSE);
	if (!batch || !batch->get_joins(batch))
	{
		return;
	}
	joins = batch->get_joins(batch);
	keys = batch->take(batch);
	/* nobody needs them without a rekey address (reconfigured: pushes
	 * carry whole GSAs) or once everybody left */
	if (cfg->rekey_address && group->get_member_count(group))
	{
		snprintf(why, sizeof(why), "%u member%s joined", joins,
				 joins == 1 ? "" : "s");
		send_gsa(this, group, keys, FALSE, FALSE, NULL, TRUE, LEVEL_CTRL,
				 why);
	}
	keys->destroy_function(keys, (void*)mike_lkh_wrapped_destroy);
}

/**
 * A moment after a join was batched: send the group's join notices
 */
static job_requeue_t gcks_flush(mike_group_job_t *job)
{
	private_mike_gcks_rekey_t *this = job->owner;
	mike_join_batch_t *batch;
	mike_gcks_group_t *gcks;
	mike_group_t *group;

	group = this->groups->checkout(this->groups, job->name);
	gcks = mike_gcks_group(group);
	batch = get_batch(this, job->name, FALSE);
	if (batch)
	{	/* joins from now on schedule the next job */
		batch->set_scheduled(batch, FALSE);
	}
	if (gcks)
	{
		flush_joins(this, gcks);
	}
	if (group)
	{
		this->groups->checkin(this->groups, group);
	}
	return JOB_REQUEUE_NONE;
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
METHOD(mike_gcks_rekey_t, roll_over, bool,
	private_mike_gcks_rekey_t *this, mike_gcks_group_t *group)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	mike_gsa_t *gsa = group->group.get_gsa(&group->group);
	bool kek_due;

	if (!gsa->get_kek_keymat(gsa).len ||
		(!group->get_signing_key(group) && !gsa->get_rekey_auth_key(gsa) &&
		 cfg->rekey_address))
	{
		return FALSE;
	}
	/* the KEK goes along if it would expire before the next rollover */
	kek_due = group->get_kek_created(group) + cfg->kek_lifetime <=
			  time_monotonic(NULL) + cfg->tek_rekey_time;
	flush_joins(this, group);
	/* the periodic rollover logs at DBG2, membership changes at DBG1 */
	send_gsa(this, group, NULL, kek_due, TRUE, NULL, FALSE, LEVEL_DIAG,
			 kek_due ? "TEK and KEK rollover" : "TEK rollover");
	return TRUE;
}

/**
 * The periodic rollover of a GCKS group, every tek_rekey_time
 */
static job_requeue_t gcks_rollover(mike_group_job_t *job)
{
	private_mike_gcks_rekey_t *this = job->owner;
	mike_group_t *group;
	mike_gcks_group_t *gcks;
	u_int interval = 0;

	group = this->groups->checkout(this->groups, job->name);
	gcks = mike_gcks_group(group);
	if (gcks && roll_over(this, gcks))
	{
		interval = group->get_config(group)->tek_rekey_time;
	}
	if (group)
	{
		this->groups->checkin(this->groups, group);
	}

	if (!interval)
	{
		this->mutex->lock(this->mutex);
		remove_name(this->running, job->name);
		this->mutex->unlock(this->mutex);
		return JOB_REQUEUE_NONE;
	}
	return JOB_RESCHEDULE(interval);
}

METHOD(mike_gcks_rekey_t, joined, void,
	private_mike_gcks_rekey_t *this, mike_gcks_group_t *group,
	linked_list_t *wrap_keys)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	mike_join_batch_t *batch;
	mike_gcks_member_t *newcomer;
	linked_list_t *keys;

	if (group->get_member_count(group) < 2)
	{	/* the first member: nobody to tell, keys are fresh anyway */
		return;
	}
	/* it gets the GSA in its registration */
	newcomer = group->get_newest_member(group);
	if (group->group.get_config(&group->group)->rekey_on_join)
	{	/* backward access control: the newcomer gets keys nobody used */
		flush_joins(this, group);
		send_gsa(this, group, wrap_keys, TRUE, TRUE, newcomer, FALSE,
				 LEVEL_CTRL, "member joined, new KEK and TEKs");
	}
	else if (!newcomer->tek &&
			 (!group->group.get_config(&group->group)->rekey_address ||
			  !wrap_keys || !wrap_keys->get_count(wrap_keys)))
	{	/* a receiver on a free leaf: nothing changed for the others (pushes
		 * carry no key tree keys) */
		DBG2(DBG_CFG, "mike: group '%s': member joined, nothing to tell the "
			 "others", group->group.get_config(&group->group)->name);
	}
	else if (!newcomer->tek)
	{	/* a receiver that split a leaf: the split member needs its new
		 * key tree keys only for a later GSA_REKEY, which sends them
		 * first; until then they wait for other joins to share one
		 * signature */
		batch = get_batch(this, cfg->name, TRUE);
		batch->add(batch, wrap_keys);
		if (batch->get_joins(batch) >= MIKE_JOIN_BATCH_MAX)
		{
			flush_joins(this, group);
		}
		else if (!batch->set_scheduled(batch, TRUE))
		{
			mike_group_job_schedule_ms(gcks_flush, this, cfg->name, 0, 0,
									   MIKE_JOIN_BATCH_DELAY);
		}
	}
	else
	{	/* a sender: the others learn its TEK now (and, if its leaf split
		 * one of theirs, their new key tree key, with the notices of the
		 * joins before it), and nothing else */
		batch = get_batch(this, cfg->name, TRUE);
		if (wrap_keys)
		{
			batch->add(batch, wrap_keys);
		}
		keys = batch->take(batch);
		send_gsa(this, group, keys, FALSE, FALSE, newcomer, TRUE,
				 LEVEL_CTRL, "member joined");
		keys->destroy_function(keys, (void*)mike_lkh_wrapped_destroy);
	}
}

METHOD(mike_gcks_rekey_t, announce, void,
	private_mike_gcks_rekey_t *this, mike_gcks_group_t *group,
	mike_gcks_member_t *skip, char *why)
{
	if (group->get_member_count(group) < 2)
	{	/* nobody else to tell */
		return;
	}
	flush_joins(this, group);
	send_gsa(this, group, NULL, FALSE, FALSE, skip, FALSE, LEVEL_CTRL, why);
}

METHOD(mike_gcks_rekey_t, left, void,
	private_mike_gcks_rekey_t *this, mike_gcks_group_t *group,
	linked_list_t *wrap_keys)
{
	/* what the joins before owe the others goes first, under the keys the
	 * departed member may still know: the eviction replaces them */
	flush_joins(this, group);
	if (!group->get_member_count(group))
	{	/* nobody left to tell; the next member gets a KEK it never had */
		group->new_kek(group);
		group->save(group);
		return;
	}
	if (!group->group.get_config(&group->group)->rekey_address || !wrap_keys)
	{	/* unicast, or the key tree failed: the new keys go to each of the
		 * others over its IKE SA, the departed member simply gets nothing */
		push_gsa(this, group, TRUE, TRUE, NULL, LEVEL_CTRL, wrap_keys ?
				 "member left, new KEK and TEKs" :
				 "member left, the key tree failed, new KEK and TEKs");
		return;
	}
	/* forward access control (RFC 9838 4.5.2.1): the new KEK under the
	 * key tree's new root, which the departed member cannot unwrap; new
	 * TEKs only under that new KEK, in a second message */
	if (send_gsa(this, group, wrap_keys, TRUE, FALSE, NULL, FALSE, LEVEL_CTRL,
				 "member left, new KEK"))
	{
		send_gsa(this, group, NULL, FALSE, TRUE, NULL, FALSE, LEVEL_CTRL,
				 "new TEKs under the new KEK");
	}
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
 * Rejoin_timeout after the restart, drop the restored members that
 * have not registered again
 */
static job_requeue_t gcks_drop_dormant(mike_group_job_t *job)
{
	private_mike_gcks_rekey_t *this = job->owner;

	this->mutex->lock(this->mutex);
	remove_name(this->watched, job->name);
	this->mutex->unlock(this->mutex);
	this->registrar->drop_dormant(this->registrar, job->name);
	return JOB_REQUEUE_NONE;
}

/**
 * Watch the members a group restored from the store, once
 */
static void watch_dormant(private_mike_gcks_rekey_t *this,
						  mike_gcks_group_t *group)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	bool added;

	if (!group->has_dormant(group))
	{
		return;
	}
	this->mutex->lock(this->mutex);
	added = add_name(this->watched, cfg->name);
	this->mutex->unlock(this->mutex);
	if (added)
	{
		DBG1(DBG_CFG, "mike: group '%s': members restored from the store "
			 "have %us to register again", cfg->name, cfg->rejoin_timeout);
		mike_group_job_schedule(gcks_drop_dormant, this, cfg->name, 0, 0,
								cfg->rejoin_timeout);
	}
}

METHOD(mike_gcks_rekey_t, start, void,
	private_mike_gcks_rekey_t *this, mike_gcks_group_t *group)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	mike_gsa_t *gsa = group->group.get_gsa(&group->group);
	bool started;

	watch_dormant(this, group);
	if (!gsa->get_kek_keymat(gsa).len)
	{	/* nothing to roll over until the first member registers */
		return;
	}
	if (cfg->rekey_address && !group->get_signing_key(group) &&
		!gsa->get_rekey_auth_key(gsa))
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
		mike_group_job_schedule(gcks_rollover, this, cfg->name, 0, 0,
								cfg->tek_rekey_time);
	}
}

METHOD(mike_gcks_rekey_t, flush, void,
	private_mike_gcks_rekey_t *this, mike_gcks_group_t *group)
{
	flush_joins(this, group);
}

METHOD(mike_gcks_rekey_t, destroy, void,
	private_mike_gcks_rekey_t *this)
{
	enumerator_t *enumerator;
	mike_join_batch_t *batch;
	mike_gcks_group_t *group;
	char *name;

	/* no notice stays unsent while the groups are still there */
	enumerator = this->batches->create_enumerator(this->batches);
	while (enumerator->enumerate(enumerator, &name, &batch))
	{
		group = batch->get_joins(batch) ?
				mike_gcks_group_checkout(this->groups, name) : NULL;
		if (group)
		{
			flush_joins(this, group);
			this->groups->checkin(this->groups, &group->group);
		}
		batch->destroy(batch);
		free(name);
	}
	enumerator->destroy(enumerator);
	this->batches->destroy(this->batches);
	this->socket->destroy(this->socket);
	this->running->destroy_function(this->running, free);
	this->watched->destroy_function(this->watched, free);
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * Described in header
 */
mike_gcks_rekey_t *mike_gcks_rekey_create(mike_groups_t *groups,
										  mike_rekey_socket_t *socket,
										  mike_gcks_registrar_t *registrar)
{
	private_mike_gcks_rekey_t *this;

	INIT(this,
		.public = {
			.start = _start,
			.roll_over = _roll_over,
			.joined = _joined,
			.announce = _announce,
			.left = _left,
			.flush = _flush,
			.destroy = _destroy,
		},
		.groups = groups,
		.socket = socket,
		.registrar = registrar,
		.running = linked_list_create(),
		.watched = linked_list_create(),
		.batches = hashtable_create(hashtable_hash_str, hashtable_equals_str,
									4),
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
	);
	return &this->public;
}
