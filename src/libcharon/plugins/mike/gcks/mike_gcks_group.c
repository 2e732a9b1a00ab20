/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "gcks/mike_gcks_group.h"
#include "group/mike_group_db.h"

#include <daemon.h>
#include <collections/array.h>
#include <collections/hashtable.h>

/** SPIs below this are reserved (RFC 4303 2.1) or look like it */
#define MIN_SPI 0x100

/** initial size of the index of dormant members by identity */
#define DORMANT_SIZE 64

typedef struct private_mike_gcks_group_t private_mike_gcks_group_t;
typedef struct private_member_t private_member_t;

/**
 * A doubly linked list through the members themselves: adding and removing
 * a member costs O(1)
 */
typedef struct {
	private_member_t *first;
	private_member_t *last;
	u_int count;
} member_list_t;

/** the lists a member is on */
enum {
	LIST_MEMBERS,
	LIST_SENDERS,
	LIST_COUNT,
};

/**
 * Private data of a mike_gcks_group_t object.
 */
struct private_mike_gcks_group_t {

	/**
	 * Public interface.
	 */
	mike_gcks_group_t public;

	/**
	 * Configuration, owned
	 */
	mike_group_config_t *cfg;

	/**
	 * The group's GSA: TEKs, KEK, rekey authentication
	 */
	mike_gsa_t *gsa;

	/**
	 * The next Sender-ID to hand out (RFC 9838 2.5.1)
	 */
	uint32_t next_sender_id;

	/**
	 * Registered members in the order they joined (or were restored);
	 * those restored from the store after a restart have ike_sa_id 0 until
	 * they register again.  The lists and indexes below make every change
	 * O(1), whatever the group's size (issue 14)
	 */
	member_list_t members;

	/**
	 * The members with a sender TEK
	 */
	member_list_t senders;

	/**
	 * The member added last, NULL if it is gone
	 */
	private_member_t *newest;

	/**
	 * Whether the next save compares every member with the store (the
	 * first after a restart)
	 */
	bool compare_all;

	/**
	 * Members by the unique ID of their IKE SA
	 */
	hashtable_t *by_ike_sa;

	/**
	 * Restored members that have not registered again, by identity
	 */
	hashtable_t *dormant;

	/**
	 * The key tree the KEK is wrapped under, created with the KEK
	 */
	mike_lkh_t *lkh;

	/**
	 * When the current KEK was made
	 */
	time_t kek_created;

	/**
	 * When a registration response was built last
	 */
	time_t last_answered;

	/**
	 * The next GSA_REKEY Message ID as the store has it, UINT64_MAX if
	 * unknown (a new KEK)
	 */
	uint64_t msg_id_stored;

	/**
	 * The key GSA_REKEY messages are signed with, NULL if none
	 */
	private_key_t *signing_key;

	/**
	 * Identities expelled, refused until the group is loaded again,
	 * identification_t
	 */
	linked_list_t *expelled;

	/**
	 * SPIs handed out so far (a set of uintptr_t); never handed out twice,
	 * so a stale SA of a departed sender can never match a new one's
	 * traffic.  Bounded: the oldest are forgotten first (used_order).
	 */
	hashtable_t *used_spis;

	/**
	 * The SPIs of used_spis in the order handed out, a ring of
	 * MIKE_GROUP_MAX_USED_SPIS, and the position of the oldest
	 */
	uint32_t *used_order;
	u_int used_next;

	/**
	 * Key tree member id of the last member added
	 */
	uint32_t next_leaf;

	/**
	 * Retired TEKs senders may still use, retired_t
	 */
	linked_list_t *retired;

	/**
	 * SPIs of TEKs retired or discarded since the last GSA_REKEY, uint32_t
	 */
	array_t *withdrawn;

	/**
	 * Where the state is kept across restarts, NULL if nowhere
	 */
	mike_db_t *db;

	/**
	 * The group's part of the state store, NULL without one
	 */
	mike_group_db_t *store;

	/**
	 * Members added since the last save, private_member_t
	 */
	linked_list_t *unsaved;

	/**
	 * Identities of stored members removed since the last save,
	 * identification_t
	 */
	linked_list_t *removed;

	/**
	 * Whether TEKs were made, retired or dropped since the last save
	 * (then members may have other TEKs, too)
	 */
	bool teks_changed;

	/**
	 * Whether the GSA_REKEY signing key changed since the last save (its
	 * encoding is costly, so it is not compared on every save)
	 */
	bool signer_changed;

	/**
	 * TEKs whose SAM key changed since the last save, mike_tek_t (the
	 * group's)
	 */
	linked_list_t *rekeyed;
};

/**
 * A member and what the state store has of it
 */
struct private_member_t {

	/**
	 * Public data
	 */
	mike_gcks_member_t public;

	/**
	 * Whether the state store has it (save() sets it)
	 */
	bool stored;

	/**
	 * The SPI of its sender TEK as stored, 0 if none
	 */
	uint32_t stored_tek_spi;

	/**
	 * Whether it is on the list of members to save (unsaved)
	 */
	bool unsaved;

	/**
	 * Its neighbours on the member lists (LIST_*)
	 */
	struct {
		private_member_t *prev;
		private_member_t *next;
		bool on;
	} link[LIST_COUNT];
};

/**
 * Append a member to a list
 */
static void list_append(member_list_t *list, int which,
						private_member_t *member)
{
	if (member->link[which].on)
	{
		return;
	}
	member->link[which].prev = list->last;
	member->link[which].next = NULL;
	member->link[which].on = TRUE;
	if (list->last)
	{
		list->last->link[which].next = member;
	}
	else
	{
		list->first = member;
	}
	list->last = member;
	list->count++;
}

/**
 * Take a member off a list
 */
static void list_remove(member_list_t *list, int which,
						private_member_t *member)
{
	if (!member->link[which].on)
	{
		return;
	}
	if (member->link[which].prev)
	{
		member->link[which].prev->link[which].next = member->link[which].next;
	}
	else
	{
		list->first = member->link[which].next;
	}
	if (member->link[which].next)
	{
		member->link[which].next->link[which].prev = member->link[which].prev;
	}
	else
	{
		list->last = member->link[which].prev;
	}
	member->link[which].on = FALSE;
	list->count--;
}

/**
 * Enumerator over a member list; the member just returned may be removed
 */
typedef struct {
	enumerator_t public;
	int which;
	private_member_t *next;
} list_enumerator_t;

METHOD(enumerator_t, list_enumerate, bool,
	list_enumerator_t *this, va_list args)
{
	mike_gcks_member_t **out;
	private_member_t *current = this->next;

	VA_ARGS_VGET(args, out);
	if (!current)
	{
		return FALSE;
	}
	this->next = current->link[this->which].next;
	*out = &current->public;
	return TRUE;
}

static enumerator_t *list_create_enumerator(member_list_t *list, int which)
{
	list_enumerator_t *this;

	INIT(this,
		.public = {
			.enumerate = enumerator_enumerate_default,
			.venumerate = _list_enumerate,
			.destroy = (void*)free,
		},
		.which = which,
		.next = list->first,
	);
	return &this->public;
}

/**
 * Identities as hashtable keys
 */
static u_int id_hash(const void *key)
{
	identification_t *id = (identification_t*)key;

	return chunk_hash_inc(id->get_encoding(id), id->get_type(id));
}

static bool id_equals(const void *a, const void *b)
{
	identification_t *id = (identification_t*)a;

	return id->equals(id, (identification_t*)b);
}

/**
 * A member's TEK changed: keep the sender list right and save it
 */
static void tek_changed(private_mike_gcks_group_t *this,
						private_member_t *member);

/**
 * A TEK replaced by a rollover, until its sender switched
 */
typedef struct {
	mike_tek_t *tek;
	time_t until;
} retired_t;

static void retired_destroy(retired_t *retired)
{
	retired->tek->destroy(retired->tek);
	free(retired);
}

/**
 * Whether an SPI was handed out before
 */
static bool spi_used(private_mike_gcks_group_t *this, uint32_t spi)
{
	return this->used_spis->get(this->used_spis, (void*)(uintptr_t)spi);
}

/**
 * Remember an SPI as handed out, forgetting the oldest if the set is full
 */
static void spi_remember(private_mike_gcks_group_t *this, uint32_t spi)
{
	uint32_t *slot = &this->used_order[this->used_next];

	if (*slot)
	{
		this->used_spis->remove(this->used_spis, (void*)(uintptr_t)*slot);
	}
	*slot = spi;
	this->used_spis->put(this->used_spis, (void*)(uintptr_t)spi,
						 (void*)(uintptr_t)spi);
	this->used_next = (this->used_next + 1) % MIKE_GROUP_MAX_USED_SPIS;
}

static u_int spi_hash(const void *key)
{
	return chunk_hash(chunk_from_thing(key));
}

static bool spi_equals(const void *a, const void *b)
{
	return a == b;
}

METHOD(mike_group_t, get_config, mike_group_config_t*,
	private_mike_gcks_group_t *this)
{
	return this->cfg;
}

METHOD(mike_group_t, get_gsa, mike_gsa_t*,
	private_mike_gcks_group_t *this)
{
	return this->gsa;
}

METHOD(mike_group_t, reconfigure, bool,
	private_mike_gcks_group_t *this, mike_group_config_t *cfg)
{
	if (cfg->role != MIKE_ROLE_GCKS)
	{
		return FALSE;
	}
	/* new settings, but the same keys and members */
	this->cfg->destroy(this->cfg);
	this->cfg = cfg;
	this->gsa->set_sam_session(this->gsa, this->gsa->get_sam_session(this->gsa),
							   cfg->sam_encrypt);
	return TRUE;
}

METHOD(mike_gcks_group_t, allocate_sender_ids, uint32_t,
	private_mike_gcks_group_t *this, uint32_t count)
{
	uint32_t first = this->next_sender_id;

	if (first + count > (1 << MIKE_SENDER_ID_BITS))
	{	/* the range starts over where a consecutive run does not fit */
		first = 0;
	}
	this->next_sender_id = (first + count) % (1 << MIKE_SENDER_ID_BITS);
	return first;
}

METHOD(mike_gcks_group_t, allocate_spi, uint32_t,
	private_mike_gcks_group_t *this)
{
	rng_t *rng;
	uint32_t spi = 0;
	int tries;

	rng = lib->crypto->create_rng(lib->crypto, RNG_WEAK);
	if (!rng)
	{
		return 0;
	}
	for (tries = 0; tries < 100; tries++)
	{
		if (!rng->get_bytes(rng, sizeof(spi), (uint8_t*)&spi))
		{
			spi = 0;
			break;
		}
		if (spi >= MIN_SPI && !spi_used(this, spi))
		{
			spi_remember(this, spi);
			/* the store knows the SPIs of earlier runs, too */
			switch (this->db ? this->db->claim_spi(this->db, this->cfg->name,
												   spi) : SUCCESS)
			{
				case SUCCESS:
					break;
				case ALREADY_DONE:
					spi = 0;
					continue;
				default:
					spi = 0;
					tries = 100;
					continue;
			}
			break;
		}
		spi = 0;
	}
	rng->destroy(rng);
	return spi;
}

METHOD(mike_gcks_group_t, new_kek, bool,
	private_mike_gcks_group_t *this)
{
	chunk_t spi = chunk_empty, keymat = chunk_empty;
	rng_t *rng;
	bool ok;

	rng = lib->crypto->create_rng(lib->crypto, RNG_STRONG);
	if (!rng)
	{
		return FALSE;
	}
	ok = rng->allocate_bytes(rng, MIKE_KEK_SPI_SIZE, &spi) &&
		 rng->allocate_bytes(rng, mike_rekey_suite_keymat_size(
									&mike_rekey_suite_default), &keymat);
	rng->destroy(rng);
	if (!ok)
	{
		chunk_free(&spi);
		chunk_clear(&keymat);
		return FALSE;
	}
	this->gsa->set_kek(this->gsa, spi, keymat, &mike_rekey_suite_default);
	/* RFC 9838 2.4.1.3: the first message over a new rekey SA has
	 * Message ID 0; the SPI and key are new, so no old one replays */
	this->gsa->set_rekey_msg_id(this->gsa, 0);
	/* the store restarts its count when it stores the KEK */
	this->msg_id_stored = UINT64_MAX;
	this->kek_created = time_monotonic(NULL);
	return TRUE;
}

METHOD(mike_gcks_group_t, ensure_kek, bool,
	private_mike_gcks_group_t *this)
{
	if (!this->lkh)
	{
		this->lkh = mike_lkh_create();
		if (!this->lkh)
		{
			return FALSE;
		}
	}
	return this->gsa->get_kek_keymat(this->gsa).len || new_kek(this);
}

METHOD(mike_gcks_group_t, get_kek_created, time_t,
	private_mike_gcks_group_t *this)
{
	return this->kek_created;
}

METHOD(mike_gcks_group_t, answered_registration, void,
	private_mike_gcks_group_t *this)
{
	this->last_answered = time_monotonic(NULL);
}

METHOD(mike_gcks_group_t, get_last_answered, time_t,
	private_mike_gcks_group_t *this)
{
	return this->last_answered;
}

METHOD(mike_gcks_group_t, get_lkh, mike_lkh_t*,
	private_mike_gcks_group_t *this)
{
	return this->lkh;
}

METHOD(mike_gcks_group_t, ensure_signing_key, bool,
	private_mike_gcks_group_t *this, private_key_t *key)
{
	enumerator_t *enumerator;
	signature_params_t *scheme = NULL, *suggested;
	public_key_t *pub;

	if (this->signing_key)
	{
		return TRUE;
	}
	if (!key)
	{
		return FALSE;
	}
	/* the first scheme strongSwan suggests for the key's type and size,
	 * e.g. Ed25519, ECDSA with SHA-256, RSA-PSS */
	enumerator = signature_schemes_for_key(key->get_type(key),
										   key->get_keysize(key));
	if (enumerator->enumerate(enumerator, &suggested))
	{
		scheme = signature_params_clone(suggested);
	}
	enumerator->destroy(enumerator);
	pub = key->get_public_key(key);
	if (!scheme || !pub)
	{	/* a public key restored from the store stays */
		signature_params_destroy(scheme);
		DESTROY_IF(pub);
		return FALSE;
	}
	this->gsa->set_rekey_auth(this->gsa, pub, scheme);
	this->signer_changed = TRUE;
	this->signing_key = key->get_ref(key);
	return TRUE;
}

METHOD(mike_gcks_group_t, get_signing_key, private_key_t*,
	private_mike_gcks_group_t *this)
{
	return this->signing_key;
}

METHOD(mike_gcks_group_t, new_tek, mike_tek_t*,
	private_mike_gcks_group_t *this, identification_t *sender, host_t *source)
{
	proposal_t *proposal;
	mike_tek_t *tek;

	this->cfg->proposals->get_first(this->cfg->proposals, (void**)&proposal);
	tek = mike_tek_generate(proposal, allocate_spi(this),
							this->cfg->tek_lifetime, sender);
	if (!tek || !tek->spi)
	{
		DESTROY_IF(tek);
		return NULL;
	}
	tek->source = source->clone(source);
	this->gsa->add_tek(this->gsa, tek);
	this->teks_changed = TRUE;
	return tek;
}

/**
 * Note the SPI of a TEK that leaves the group's list
 */
static void withdraw(private_mike_gcks_group_t *this, mike_tek_t *tek)
{
	if (!this->cfg->rekey_address)
	{	/* unicast pushes repeat the whole GSA, which members take as it is */
		return;
	}
	if (array_count(this->withdrawn) >= MIKE_GROUP_MAX_WITHDRAWN)
	{
		array_remove(this->withdrawn, ARRAY_HEAD, NULL);
	}
	array_insert(this->withdrawn, ARRAY_TAIL, &tek->spi);
}

METHOD(mike_gcks_group_t, take_withdrawn_spis, chunk_t,
	private_mike_gcks_group_t *this)
{
	chunk_t spis;
	uint32_t spi;
	int i = 0;

	spis = chunk_alloc(array_count(this->withdrawn) * sizeof(spi));
	while (array_remove(this->withdrawn, ARRAY_HEAD, &spi))
	{
		htoun32(spis.ptr + i++ * sizeof(spi), spi);
	}
	return spis;
}

METHOD(mike_gcks_group_t, discard_tek, void,
	private_mike_gcks_group_t *this, mike_tek_t *tek)
{
	if (this->gsa->remove_tek(this->gsa, tek))
	{
		withdraw(this, tek);
		tek->destroy(tek);
		this->teks_changed = TRUE;
	}
}

/**
 * Forget (and wipe) the retired TEKs whose senders switched
 */
static void prune_retired(private_mike_gcks_group_t *this)
{
	enumerator_t *enumerator;
	retired_t *retired;
	time_t now = time_monotonic(NULL);

	enumerator = this->retired->create_enumerator(this->retired);
	while (enumerator->enumerate(enumerator, &retired))
	{
		if (retired->until <= now)
		{
			this->retired->remove_at(this->retired, enumerator);
			retired_destroy(retired);
		}
	}
	enumerator->destroy(enumerator);
}

/**
 * Retire a sender's TEK replaced by a new one
 */
static void retire_tek(private_mike_gcks_group_t *this, mike_tek_t *tek)
{
	retired_t *retired;

	prune_retired(this);
	this->gsa->remove_tek(this->gsa, tek);
	withdraw(this, tek);
	this->teks_changed = TRUE;
	INIT(retired,
		.tek = tek,
		/* a second more for the sender's timer */
		.until = time_monotonic(NULL) + this->cfg->activation_delay + 1,
	);
	this->retired->insert_last(this->retired, retired);
}

METHOD(mike_gcks_group_t, renew_tek, mike_tek_t*,
	private_mike_gcks_group_t *this, mike_gcks_member_t *member,
	host_t *source)
{
	mike_tek_t *tek;

	tek = new_tek(this, member->id, source);
	if (!tek)
	{
		return NULL;
	}
	/* the sender stays the same SAM source, with the same key */
	tek->sam_source = member->leaf;
	if (member->tek)
	{
		tek->sam_key = chunk_clone(member->tek->sam_key);
		tek->sam_bootstrap = chunk_clone(member->tek->sam_bootstrap);
		/* receivers keep its SA until their deactivation delay */
		retire_tek(this, member->tek);
	}
	member->tek = tek;
	tek_changed(this, (private_member_t*)member);
	return tek;
}

/**
 * A stored TEK whose SAM key or bootstrap changed is written again at the
 * next save
 */
static void tek_rewritten(private_mike_gcks_group_t *this, mike_tek_t *tek)
{
	if (this->store && !this->rekeyed->find_first(this->rekeyed, NULL,
												  (void**)&tek))
	{
		this->rekeyed->insert_last(this->rekeyed, tek);
	}
}

METHOD(mike_gcks_group_t, take_sam_key, bool,
	private_mike_gcks_group_t *this, mike_gcks_member_t *member,
	chunk_t spki)
{
	mike_tek_t *tek = member->tek;

	if (!tek || chunk_equals(tek->sam_key, spki))
	{
		return FALSE;
	}
	chunk_free(&tek->sam_key);
	tek->sam_key = chunk_clone(spki);
	tek->sam_source = member->leaf;
	tek_rewritten(this, tek);
	return TRUE;
}

METHOD(mike_gcks_group_t, take_sam_bootstrap, bool,
	private_mike_gcks_group_t *this, mike_gcks_member_t *member,
	chunk_t bootstrap)
{
	mike_tek_t *tek = member->tek;

	if (!tek || chunk_equals(tek->sam_bootstrap, bootstrap))
	{
		return FALSE;
	}
	chunk_free(&tek->sam_bootstrap);
	tek->sam_bootstrap = chunk_clone(bootstrap);
	tek_rewritten(this, tek);
	return TRUE;
}

METHOD(mike_gcks_group_t, sam_changed, void,
	private_mike_gcks_group_t *this, mike_gcks_member_t *member)
{
	member->sam_changed = time_monotonic(NULL);
}

METHOD(mike_gcks_group_t, drop_tek, void,
	private_mike_gcks_group_t *this, mike_gcks_member_t *member)
{
	if (member->tek)
	{
		discard_tek(this, member->tek);
		member->tek = NULL;
		tek_changed(this, (private_member_t*)member);
	}
}

CALLBACK(retired_filter, bool,
	void *data, enumerator_t *orig, va_list args)
{
	private_mike_gcks_group_t *this = data;
	retired_t *retired;
	mike_tek_t **out;
	uint32_t *left;
	time_t now = time_monotonic(NULL);

	VA_ARGS_VGET(args, out, left);
	if (orig->enumerate(orig, &retired))
	{
		*out = retired->tek;
		if (left)
		{	/* pruned ones are gone: until lies ahead */
			*left = max(retired->until - now, 1) +
					this->cfg->deactivation_delay;
		}
		return TRUE;
	}
	return FALSE;
}

METHOD(mike_gcks_group_t, create_retired_enumerator, enumerator_t*,
	private_mike_gcks_group_t *this)
{
	prune_retired(this);
	return enumerator_create_filter(
						this->retired->create_enumerator(this->retired),
						retired_filter, this, NULL);
}

/**
 * Destroy a member record (its TEK is the group's)
 */
static void member_destroy(private_member_t *member)
{
	member->public.id->destroy(member->public.id);
	free(member);
}

METHOD(mike_gcks_group_t, add_member, mike_gcks_member_t*,
	private_mike_gcks_group_t *this, identification_t *id, uint32_t ike_sa_id,
	mike_tek_t *tek, linked_list_t **path, linked_list_t **rekey)
{
	private_member_t *member;
	uint32_t leaf = ++this->next_leaf;

	if (!ensure_kek(this) ||
		!this->lkh->add_member(this->lkh, leaf, this->cfg->rekey_on_join,
							   path, rekey))
	{
		return NULL;
	}
	INIT(member,
		.public = {
			.id = id->clone(id),
			.ike_sa_id = ike_sa_id,
			.tek = tek,
			.leaf = leaf,
		},
	);
	if (tek)
	{	/* its SAM source ID: unique in the group, never reused */
		tek->sam_source = leaf;
		list_append(&this->senders, LIST_SENDERS, member);
	}
	list_append(&this->members, LIST_MEMBERS, member);
	this->newest = member;
	if (ike_sa_id)
	{
		this->by_ike_sa->put(this->by_ike_sa, (void*)(uintptr_t)ike_sa_id,
							 member);
	}
	else if (!this->dormant->get(this->dormant, member->public.id))
	{
		this->dormant->put(this->dormant, member->public.id, member);
	}
	if (this->store)
	{
		this->unsaved->insert_last(this->unsaved, member);
		member->unsaved = TRUE;
	}
	return &member->public;
}

/**
 * Take a member out of the indexes by IKE SA or identity
 */
static void unindex(private_mike_gcks_group_t *this, private_member_t *member)
{
	void *key;

	if (member->public.ike_sa_id)
	{
		key = (void*)(uintptr_t)member->public.ike_sa_id;
		if (this->by_ike_sa->get(this->by_ike_sa, key) == member)
		{
			this->by_ike_sa->remove(this->by_ike_sa, key);
		}
	}
	else if (this->dormant->get(this->dormant, member->public.id) == member)
	{
		this->dormant->remove(this->dormant, member->public.id);
	}
}

static void tek_changed(private_mike_gcks_group_t *this,
						private_member_t *member)
{
	if (member->public.tek)
	{
		list_append(&this->senders, LIST_SENDERS, member);
	}
	else
	{
		list_remove(&this->senders, LIST_SENDERS, member);
	}
	if (this->store && !member->unsaved)
	{	/* its row names its TEK */
		this->unsaved->insert_last(this->unsaved, member);
		member->unsaved = TRUE;
	}
}

METHOD(mike_gcks_group_t, remove_member, bool,
	private_mike_gcks_group_t *this, mike_gcks_member_t *public,
	linked_list_t **rekey)
{
	private_member_t *member = (private_member_t*)public;

	if (!member || !member->link[LIST_MEMBERS].on)
	{
		return FALSE;
	}
	drop_tek(this, public);
	list_remove(&this->members, LIST_MEMBERS, member);
	list_remove(&this->senders, LIST_SENDERS, member);
	unindex(this, member);
	if (this->newest == member)
	{
		this->newest = NULL;
	}
	if (this->store)
	{
		if (member->unsaved)
		{	/* few: only what changed since the last save */
			this->unsaved->remove(this->unsaved, member, NULL);
		}
		if (member->stored)
		{
			this->removed->insert_last(this->removed,
									   public->id->clone(public->id));
		}
	}
	if (rekey)
	{
		*rekey = NULL;
		if (this->lkh &&
			!this->lkh->remove_member(this->lkh, public->leaf, rekey))
		{
			if (*rekey)
			{
				(*rekey)->destroy_function(*rekey,
										   (void*)mike_lkh_wrapped_destroy);
			}
			*rekey = NULL;
		}
	}
	member_destroy(member);
	return TRUE;
}

METHOD(mike_gcks_group_t, find_member, mike_gcks_member_t*,
	private_mike_gcks_group_t *this, uint32_t ike_sa_id)
{
	private_member_t *member;

	if (!ike_sa_id)
	{	/* restored members have none until they register again */
		return NULL;
	}
	member = this->by_ike_sa->get(this->by_ike_sa, (void*)(uintptr_t)ike_sa_id);
	return member ? &member->public : NULL;
}

METHOD(mike_gcks_group_t, find_dormant, mike_gcks_member_t*,
	private_mike_gcks_group_t *this, identification_t *id)
{
	private_member_t *member = NULL;
	enumerator_t *enumerator;
	void *key;

	if (id)
	{
		member = this->dormant->get(this->dormant, id);
	}
	else
	{
		enumerator = this->dormant->create_enumerator(this->dormant);
		enumerator->enumerate(enumerator, &key, &member);
		enumerator->destroy(enumerator);
	}
	return member ? &member->public : NULL;
}

METHOD(mike_gcks_group_t, has_dormant, bool,
	private_mike_gcks_group_t *this)
{
	return this->dormant->get_count(this->dormant) > 0;
}

METHOD(mike_gcks_group_t, attach_member, void,
	private_mike_gcks_group_t *this, mike_gcks_member_t *public,
	uint32_t ike_sa_id)
{
	private_member_t *member = (private_member_t*)public;

	unindex(this, member);
	member->public.ike_sa_id = ike_sa_id;
	if (ike_sa_id)
	{
		this->by_ike_sa->put(this->by_ike_sa, (void*)(uintptr_t)ike_sa_id,
							 member);
	}
	else if (!this->dormant->get(this->dormant, member->public.id))
	{
		this->dormant->put(this->dormant, member->public.id, member);
	}
}

METHOD(mike_gcks_group_t, get_newest_member, mike_gcks_member_t*,
	private_mike_gcks_group_t *this)
{
	return this->newest ? &this->newest->public : NULL;
}

METHOD(mike_gcks_group_t, create_member_enumerator, enumerator_t*,
	private_mike_gcks_group_t *this)
{
	return list_create_enumerator(&this->members, LIST_MEMBERS);
}

METHOD(mike_gcks_group_t, create_sender_enumerator, enumerator_t*,
	private_mike_gcks_group_t *this)
{
	return list_create_enumerator(&this->senders, LIST_SENDERS);
}

METHOD(mike_gcks_group_t, get_member_count, int,
	private_mike_gcks_group_t *this)
{
	return this->members.count;
}

METHOD(mike_gcks_group_t, is_expelled, bool,
	private_mike_gcks_group_t *this, identification_t *id)
{
	enumerator_t *enumerator;
	identification_t *current;
	bool found = FALSE;

	enumerator = this->expelled->create_enumerator(this->expelled);
	while (!found && enumerator->enumerate(enumerator, &current))
	{
		found = id->matches(id, current) > ID_MATCH_NONE;
	}
	enumerator->destroy(enumerator);
	return found;
}

METHOD(mike_gcks_group_t, expel, bool,
	private_mike_gcks_group_t *this, identification_t *id)
{
	if (is_expelled(this, id))
	{
		return FALSE;
	}
	this->expelled->insert_last(this->expelled, id->clone(id));
	return TRUE;
}

METHOD(mike_gcks_group_t, readmit, bool,
	private_mike_gcks_group_t *this, identification_t *id)
{
	enumerator_t *enumerator;
	identification_t *current;
	bool found = FALSE;

	enumerator = this->expelled->create_enumerator(this->expelled);
	while (enumerator->enumerate(enumerator, &current))
	{
		if (current->equals(current, id))
		{
			this->expelled->remove_at(this->expelled, enumerator);
			current->destroy(current);
			found = TRUE;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

METHOD(mike_gcks_group_t, get_expelled_count, int,
	private_mike_gcks_group_t *this)
{
	return this->expelled->get_count(this->expelled);
}

/**
 * Store a member if it is new or has another TEK than stored, and note it
 * in written
 */
static bool save_member(private_mike_gcks_group_t *this,
						private_member_t *member, linked_list_t *written)
{
	mike_tek_t *tek = member->public.tek;
	uint32_t spi = tek ? tek->spi : 0;

	if (member->stored && member->stored_tek_spi == spi)
	{
		return TRUE;
	}
	written->insert_last(written, member);
	return this->store->put_member(this->store, member->public.id, spi,
								   member->public.leaf);
}

/**
 * Whether a TEK is one of the group's current ones
 */
static bool tek_of(private_mike_gcks_group_t *this, mike_tek_t *tek)
{
	enumerator_t *enumerator;
	mike_tek_t *current;
	bool found = FALSE;

	enumerator = this->gsa->create_tek_enumerator(this->gsa);
	while (!found && enumerator->enumerate(enumerator, &current))
	{
		found = current == tek;
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Write the group's changes in the store's open transaction
 */
static bool save_changes(private_mike_gcks_group_t *this,
						 linked_list_t *written)
{
	mike_group_db_t *store = this->store;
	enumerator_t *enumerator;
	mike_tek_t *tek;
	private_member_t *member;
	identification_t *id;
	chunk_t keymat = this->gsa->get_kek_keymat(this->gsa);
	public_key_t *signer = this->gsa->get_rekey_auth_key(this->gsa);
	bool ok, teks_changed = FALSE;

	ok = !keymat.len ||
		 store->set_kek(store, this->gsa->get_kek_spi(this->gsa), keymat);
	/* cheap without senders */
	ok = ok && store->sync_teks(store,
							this->gsa->create_tek_enumerator(this->gsa),
							&teks_changed);
	enumerator = this->rekeyed->create_enumerator(this->rekeyed);
	while (ok && enumerator->enumerate(enumerator, &tek))
	{	/* still the group's (sync_teks() just stored the new ones) */
		if (tek_of(this, tek))
		{
			ok = store->update_tek(store, tek);
		}
	}
	enumerator->destroy(enumerator);
	enumerator = this->removed->create_enumerator(this->removed);
	while (ok && enumerator->enumerate(enumerator, &id))
	{
		ok = store->remove_member(store, id);
	}
	enumerator->destroy(enumerator);
	/* the new ones and those whose TEK changed; after a restart, once,
	 * every member is compared with its row */
	enumerator = this->compare_all
				 ? list_create_enumerator(&this->members, LIST_MEMBERS)
				 : this->unsaved->create_enumerator(this->unsaved);
	while (ok && enumerator->enumerate(enumerator, &member))
	{
		ok = save_member(this, member, written);
	}
	enumerator->destroy(enumerator);
	if (ok && this->lkh)
	{
		ok = store->save_lkh(store, this->lkh);
	}
	if (ok && this->gsa->get_rekey_msg_id(this->gsa) != this->msg_id_stored)
	{	/* after the KEK: storing a new one restarts the count */
		ok = this->db->set_next_message_id(this->db, this->cfg->name,
									this->gsa->get_rekey_msg_id(this->gsa));
	}
	if (ok && signer && this->signer_changed)
	{
		ok = store->set_signer(store,
							   this->gsa->get_rekey_auth_spki(this->gsa));
	}
	return ok && store->set_expelled(store, this->expelled);
}

METHOD(mike_gcks_group_t, save, bool,
	private_mike_gcks_group_t *this)
{
	mike_group_db_t *store = this->store;
	private_member_t *member;
	linked_list_t *written;
	bool ok;

	if (!store)
	{
		return TRUE;
	}
	if (!store->begin(store))
	{
		return FALSE;
	}
	written = linked_list_create();
	ok = save_changes(this, written);
	if (!ok)
	{
		store->rollback(store);
	}
	else
	{
		ok = store->commit(store);
	}
	if (!ok)
	{
		DBG1(DBG_CFG, "mike: group '%s': saving its state failed",
			 this->cfg->name);
		written->destroy(written);
		return FALSE;
	}
	while (written->remove_first(written, (void**)&member) == SUCCESS)
	{
		member->stored = TRUE;
		member->stored_tek_spi = member->public.tek ? member->public.tek->spi
													: 0;
	}
	written->destroy(written);
	while (this->unsaved->remove_first(this->unsaved,
									   (void**)&member) == SUCCESS)
	{
		member->unsaved = FALSE;
	}
	this->compare_all = FALSE;
	this->removed->destroy_offset(this->removed,
								  offsetof(identification_t, destroy));
	this->removed = linked_list_create();
	this->rekeyed->destroy(this->rekeyed);
	this->rekeyed = linked_list_create();
	this->teks_changed = FALSE;
	this->signer_changed = FALSE;
	this->msg_id_stored = this->gsa->get_rekey_msg_id(this->gsa);
	return TRUE;
}

METHOD(mike_gcks_group_t, next_message_id, bool,
	private_mike_gcks_group_t *this, uint32_t *id)
{
	uint64_t next = this->gsa->get_rekey_msg_id(this->gsa);

	/* a store keeps it with the save before the message goes out (see
	 * save_changes()) */
	if (next > UINT32_MAX)
	{
		return FALSE;
	}
	*id = next;
	this->gsa->set_rekey_msg_id(this->gsa, next + 1);
	return TRUE;
}

METHOD(mike_group_t, destroy, void,
	private_mike_gcks_group_t *this)
{
	private_member_t *member;

	while ((member = this->members.first))
	{
		list_remove(&this->members, LIST_MEMBERS, member);
		member_destroy(member);
	}
	this->by_ike_sa->destroy(this->by_ike_sa);
	this->dormant->destroy(this->dormant);
	this->retired->destroy_function(this->retired, (void*)retired_destroy);
	array_destroy(this->withdrawn);
	this->gsa->destroy(this->gsa);
	DESTROY_IF(this->signing_key);
	this->used_spis->destroy(this->used_spis);
	free(this->used_order);
	this->expelled->destroy_offset(this->expelled,
								   offsetof(identification_t, destroy));
	DESTROY_IF(this->lkh);
	DESTROY_IF(this->store);
	this->unsaved->destroy(this->unsaved);
	this->removed->destroy_offset(this->removed,
								  offsetof(identification_t, destroy));
	this->rekeyed->destroy(this->rekeyed);
	this->cfg->destroy(this->cfg);
	free(this);
}

/**
 * The stored TEK with an SPI, NULL if none
 */
static mike_tek_t *stored_tek(linked_list_t *teks, uint32_t spi)
{
	enumerator_t *enumerator;
	mike_tek_t *tek, *found = NULL;

	enumerator = teks->create_enumerator(teks);
	while (!found && enumerator->enumerate(enumerator, &tek))
	{
		if (tek->spi == spi)
		{
			found = tek;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Restore the group's state from the store, if it has any
 */
static void load_state(private_mike_gcks_group_t *this)
{
	mike_group_db_state_t state;
	mike_db_member_t *record;
	private_member_t *member, *old;
	identification_t *id;
	int members, teks;

	if (!this->store->load(this->store, &state) || !state.kek_keymat.len)
	{
		this->gsa->set_rekey_msg_id(this->gsa, state.next_msg_id);
		mike_group_db_state_clear(&state);
		return;
	}
	this->gsa->set_kek(this->gsa, state.kek_spi, state.kek_keymat,
					   &mike_rekey_suite_default);
	this->kek_created = time_monotonic(NULL);
	this->lkh = state.lkh;
	this->gsa->set_rekey_msg_id(this->gsa, state.next_msg_id);
	this->gsa->set_rekey_auth(this->gsa, state.signer, NULL);
	members = state.members->get_count(state.members);
	if (members > DORMANT_SIZE && !this->dormant->get_count(this->dormant))
	{	/* sized for all restored members (a table holds 2/3 of its size),
		 * not grown and rehashed on the way */
		this->dormant->destroy(this->dormant);
		this->dormant = hashtable_create(id_hash, id_equals,
										 min(members, 1 << 24) / 2 * 3);
	}
	while (state.members->remove_first(state.members,
									   (void**)&record) == SUCCESS)
	{
		INIT(member,
			.public = {
				.id = record->id,
				.tek = record->tek_spi ? stored_tek(state.teks,
													record->tek_spi) : NULL,
				.leaf = record->leaf,
			},
			.stored = TRUE,
			.stored_tek_spi = record->tek_spi,
		);
		record->id = NULL;
		mike_db_member_destroy(record);
		list_append(&this->members, LIST_MEMBERS, member);
		this->newest = member;
		if (member->public.tek)
		{
			list_append(&this->senders, LIST_SENDERS, member);
		}
		/* one hash of the identity: stored ones are unique, should one
		 * come twice the first stays */
		old = this->dormant->put(this->dormant, member->public.id, member);
		if (old)
		{
			this->dormant->put(this->dormant, old->public.id, old);
		}
		/* new leaves continue after the restored ones */
		this->next_leaf = max(this->next_leaf, member->public.leaf);
	}
	/* TEKs of senders not restored stay, as they did before the restart */
	teks = state.teks->get_count(state.teks);
	this->gsa->replace_teks(this->gsa, state.teks);
	while (state.expelled->remove_first(state.expelled,
										(void**)&id) == SUCCESS)
	{
		this->expelled->insert_last(this->expelled, id);
	}
	state = (mike_group_db_state_t){ .members = state.members,
									 .expelled = state.expelled };
	mike_group_db_state_clear(&state);
	members = this->members.count;
	DBG1(DBG_CFG, "mike: group '%s': restored %d member%s, %d sender TEK%s, "
		 "next GSA_REKEY message ID %llu", this->cfg->name,
		 members, members == 1 ? "" : "s", teks, teks == 1 ? "" : "s",
		 (unsigned long long)this->gsa->get_rekey_msg_id(this->gsa));
}

/*
 * Described in header
 */
mike_gcks_group_t *mike_gcks_group_create(mike_group_config_t *cfg,
										  mike_db_t *db)
{
	private_mike_gcks_group_t *this;

	INIT(this,
		.public = {
			.group = {
				.get_config = _get_config,
				.get_gsa = _get_gsa,
				.reconfigure = _reconfigure,
				.destroy = _destroy,
			},
			.allocate_sender_ids = _allocate_sender_ids,
			.allocate_spi = _allocate_spi,
			.ensure_kek = _ensure_kek,
			.new_kek = _new_kek,
			.get_kek_created = _get_kek_created,
			.answered_registration = _answered_registration,
			.get_last_answered = _get_last_answered,
			.get_lkh = _get_lkh,
			.ensure_signing_key = _ensure_signing_key,
			.get_signing_key = _get_signing_key,
			.new_tek = _new_tek,
			.discard_tek = _discard_tek,
			.renew_tek = _renew_tek,
			.take_sam_key = _take_sam_key,
			.take_sam_bootstrap = _take_sam_bootstrap,
			.sam_changed = _sam_changed,
			.drop_tek = _drop_tek,
			.create_retired_enumerator = _create_retired_enumerator,
			.take_withdrawn_spis = _take_withdrawn_spis,
			.add_member = _add_member,
			.remove_member = _remove_member,
			.find_member = _find_member,
			.find_dormant = _find_dormant,
			.has_dormant = _has_dormant,
			.attach_member = _attach_member,
			.get_newest_member = _get_newest_member,
			.create_member_enumerator = _create_member_enumerator,
			.create_sender_enumerator = _create_sender_enumerator,
			.get_member_count = _get_member_count,
			.expel = _expel,
			.readmit = _readmit,
			.is_expelled = _is_expelled,
			.get_expelled_count = _get_expelled_count,
			.save = _save,
			.next_message_id = _next_message_id,
		},
		.msg_id_stored = UINT64_MAX,
		.cfg = cfg,
		.gsa = mike_gsa_create(),
		.by_ike_sa = hashtable_create(hashtable_hash_ptr, hashtable_equals_ptr,
									  64),
		.dormant = hashtable_create(id_hash, id_equals, DORMANT_SIZE),
		.expelled = linked_list_create(),
		.used_spis = hashtable_create(spi_hash, spi_equals, 64),
		.used_order = calloc(MIKE_GROUP_MAX_USED_SPIS, sizeof(uint32_t)),
		.retired = linked_list_create(),
		.withdrawn = array_create(sizeof(uint32_t), 0),
		.db = db,
		.unsaved = linked_list_create(),
		.removed = linked_list_create(),
		.rekeyed = linked_list_create(),
	);
	/* the same after every restart (docs/sam-keys.md) */
	this->gsa->set_sam_session(this->gsa, mike_sam_session_id(cfg->name),
							   cfg->sam_encrypt);
	if (db)
	{
		this->store = mike_group_db_create(db, cfg->name);
		/* the first save compares every member and TEK with the store */
		this->teks_changed = TRUE;
		this->compare_all = TRUE;
		load_state(this);
		this->msg_id_stored = this->gsa->get_rekey_msg_id(this->gsa);
	}
	return &this->public;
}

/*
 * Described in header
 */
mike_gcks_group_t *mike_gcks_group(mike_group_t *group)
{
	if (!group || group->get_config(group)->role != MIKE_ROLE_GCKS)
	{
		return NULL;
	}
	return (mike_gcks_group_t*)group;
}

/*
 * Described in header
 */
mike_gcks_group_t *mike_gcks_group_checkout(mike_groups_t *groups,
											char *name)
{
	return mike_gcks_group(groups->checkout_role(groups, name,
												 MIKE_ROLE_GCKS));
}

CALLBACK(filter_name, bool,
	char *name, enumerator_t *orig, va_list args)
{
	mike_group_t *group;
	mike_gcks_group_t **out;

	VA_ARGS_VGET(args, out);
	while (orig->enumerate(orig, &group))
	{
		if (!name || streq(name, group->get_config(group)->name))
		{
			*out = mike_gcks_group(group);
			return TRUE;
		}
	}
	return FALSE;
}

/*
 * Described in header
 */
enumerator_t *mike_gcks_group_create_enumerator(mike_groups_t *groups,
												char *name)
{
	return enumerator_create_filter(
					groups->create_role_enumerator(groups, MIKE_ROLE_GCKS),
					filter_name, name, NULL);
}
