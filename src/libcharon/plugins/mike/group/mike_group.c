/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "group/mike_group.h"
#include "group/mike_group_db.h"
#include "common/mike_keywrap.h"

#include <daemon.h>
#include <collections/hashtable.h>


/** SPIs below this are reserved (RFC 4303 2.1) or look like it */
#define MIN_SPI 0x100

typedef struct private_mike_group_t private_mike_group_t;

/**
 * Private data of a mike_group_t object.
 */
struct private_mike_group_t {

	/**
	 * Public interface.
	 */
	mike_group_t public;

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
	 * Member: reqid and fail-close policies, NULL on a GCKS
	 */
	mike_kernel_guard_t *guard;

	/**
	 * Key tree member id of the last member added
	 */
	uint32_t next_leaf;

	/**
	 * Retired TEKs senders may still use, retired_t
	 */
	linked_list_t *retired;

	/**
	 * GCKS: the group's part of the state store, NULL without one
	 */
	mike_group_db_t *store;

	/**
	 * GCKS: members added since the last save, mike_group_member_t
	 */
	linked_list_t *unsaved;

	/**
	 * GCKS: identities of stored members removed since the last save,
	 * identification_t
	 */
	linked_list_t *removed;

	/**
	 * GCKS: whether TEKs were made, retired or dropped since the last save
	 * (then members may have other TEKs, too)
	 */
	bool teks_changed;
};

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
static bool spi_used(private_mike_group_t *this, uint32_t spi)
{
	return this->used_spis->get(this->used_spis, (void*)(uintptr_t)spi);
}

/**
 * Remember an SPI as handed out, forgetting the oldest if the set is full
 */
static void spi_remember(private_mike_group_t *this, uint32_t spi)
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

METHOD(mike_group_t, allocate_spi, uint32_t,
	private_mike_group_t *this)
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
			switch (this->public.db ? this->public.db->claim_spi(
								this->public.db, this->public.cfg->name, spi)
									: SUCCESS)
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

METHOD(mike_group_t, new_kek, bool,
	private_mike_group_t *this)
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
		 rng->allocate_bytes(rng, MIKE_KEK_KEYMAT_SIZE, &keymat);
	rng->destroy(rng);
	if (!ok)
	{
		chunk_free(&spi);
		chunk_clear(&keymat);
		return FALSE;
	}
	chunk_free(&this->public.kek_spi);
	chunk_clear(&this->public.kek_keymat);
	this->public.kek_spi = spi;
	this->public.kek_keymat = keymat;
	this->public.kek_created = time_monotonic(NULL);
	return TRUE;
}

METHOD(mike_group_t, new_tek, mike_tek_t*,
	private_mike_group_t *this, identification_t *sender, host_t *source)
{
	proposal_t *proposal;
	mike_tek_t *tek;

	this->public.cfg->proposals->get_first(this->public.cfg->proposals,
										   (void**)&proposal);
	tek = mike_tek_generate(proposal, allocate_spi(this),
							this->public.cfg->tek_lifetime, sender);
	if (!tek || !tek->spi)
	{
		DESTROY_IF(tek);
		return NULL;
	}
	tek->source = source->clone(source);
	this->public.teks->insert_last(this->public.teks, tek);
	this->teks_changed = TRUE;
	return tek;
}

METHOD(mike_group_t, ensure_kek, bool,
	private_mike_group_t *this)
{
	if (!this->public.lkh)
	{
		this->public.lkh = mike_lkh_create();
		if (!this->public.lkh)
		{
			return FALSE;
		}
	}
	return this->public.kek_keymat.len || new_kek(this);
}

/**
 * Forget the rekey authentication key and scheme
 */
static void clear_rekey_auth(private_mike_group_t *this)
{
	DESTROY_IF(this->public.signing_key);
	DESTROY_IF(this->public.rekey_auth_key);
	signature_params_destroy(this->public.rekey_auth_scheme);
	this->public.signing_key = NULL;
	this->public.rekey_auth_key = NULL;
	this->public.rekey_auth_scheme = NULL;
}

METHOD(mike_group_t, ensure_signing_key, bool,
	private_mike_group_t *this, private_key_t *key)
{
	enumerator_t *enumerator;
	signature_params_t *scheme;

	if (this->public.signing_key)
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
	if (enumerator->enumerate(enumerator, &scheme))
	{
		this->public.rekey_auth_scheme = signature_params_clone(scheme);
	}
	enumerator->destroy(enumerator);
	this->public.rekey_auth_key = key->get_public_key(key);
	if (!this->public.rekey_auth_scheme || !this->public.rekey_auth_key)
	{
		clear_rekey_auth(this);
		return FALSE;
	}
	this->public.signing_key = key->get_ref(key);
	return TRUE;
}

METHOD(mike_group_t, find_member, mike_group_member_t*,
	private_mike_group_t *this, uint32_t ike_sa_id)
{
	enumerator_t *enumerator;
	mike_group_member_t *member, *found = NULL;

	if (!ike_sa_id)
	{	/* restored members have none until they register again */
		return NULL;
	}
	enumerator = this->public.members->create_enumerator(this->public.members);
	while (enumerator->enumerate(enumerator, &member))
	{
		if (member->ike_sa_id == ike_sa_id)
		{
			found = member;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Destroy a member record (its TEK is the group's)
 */
static void member_destroy(mike_group_member_t *member)
{
	member->id->destroy(member->id);
	free(member);
}

METHOD(mike_group_t, add_member, mike_group_member_t*,
	private_mike_group_t *this, identification_t *id, uint32_t ike_sa_id,
	mike_tek_t *tek, linked_list_t **path, linked_list_t **rekey)
{
	mike_group_member_t *member;
	uint32_t leaf = ++this->next_leaf;

	if (!ensure_kek(this) ||
		!this->public.lkh->add_member(this->public.lkh, leaf,
									  this->public.cfg->rekey_on_join,
									  path, rekey))
	{
		return NULL;
	}
	INIT(member,
		.id = id->clone(id),
		.ike_sa_id = ike_sa_id,
		.tek = tek,
		.leaf = leaf,
	);
	this->public.members->insert_last(this->public.members, member);
	if (this->store)
	{
		this->unsaved->insert_last(this->unsaved, member);
	}
	return member;
}

METHOD(mike_group_t, drop_tek, void,
	private_mike_group_t *this, mike_group_member_t *member)
{
	if (member->tek)
	{
		this->public.teks->remove(this->public.teks, member->tek, NULL);
		member->tek->destroy(member->tek);
		member->tek = NULL;
		this->teks_changed = TRUE;
	}
}

METHOD(mike_group_t, remove_member, bool,
	private_mike_group_t *this, mike_group_member_t *member,
	linked_list_t **rekey)
{
	if (!member || !this->public.members->remove(this->public.members,
												 member, NULL))
	{
		return FALSE;
	}
	drop_tek(this, member);
	if (this->store)
	{
		this->unsaved->remove(this->unsaved, member, NULL);
		if (member->stored)
		{
			this->removed->insert_last(this->removed,
									   member->id->clone(member->id));
		}
	}
	if (rekey)
	{
		*rekey = NULL;
		if (this->public.lkh &&
			!this->public.lkh->remove_member(this->public.lkh, member->leaf,
											 rekey))
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

/**
 * Forget (and wipe) the retired TEKs whose senders switched
 */
static void prune_retired(private_mike_group_t *this)
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

METHOD(mike_group_t, retire_tek, void,
	private_mike_group_t *this, mike_tek_t *tek)
{
	retired_t *retired;

	prune_retired(this);
	this->public.teks->remove(this->public.teks, tek, NULL);
	this->teks_changed = TRUE;
	INIT(retired,
		.tek = tek,
		/* a second more for the sender's timer */
		.until = time_monotonic(NULL) + this->public.cfg->activation_delay + 1,
	);
	this->retired->insert_last(this->retired, retired);
}

CALLBACK(retired_filter, bool,
	void *data, enumerator_t *orig, va_list args)
{
	retired_t *retired;
	mike_tek_t **out;

	VA_ARGS_VGET(args, out);
	if (orig->enumerate(orig, &retired))
	{
		*out = retired->tek;
		return TRUE;
	}
	return FALSE;
}

METHOD(mike_group_t, create_retired_enumerator, enumerator_t*,
	private_mike_group_t *this)
{
	prune_retired(this);
	return enumerator_create_filter(
						this->retired->create_enumerator(this->retired),
						retired_filter, NULL, NULL);
}

/**
 * Store a member if it is new or has another TEK than stored, and note it
 * in written
 */
static bool save_member(private_mike_group_t *this, mike_group_member_t *member,
						linked_list_t *written)
{
	uint32_t spi = member->tek ? member->tek->spi : 0;

	if (member->stored && member->stored_tek_spi == spi)
	{
		return TRUE;
	}
	written->insert_last(written, member);
	return this->store->put_member(this->store, member->id, spi,
								   member->leaf);
}

METHOD(mike_group_t, save, bool,
	private_mike_group_t *this)
{
	mike_group_db_t *store = this->store;
	enumerator_t *enumerator;
	mike_group_member_t *member;
	identification_t *id;
	linked_list_t *written, *members;
	bool ok, teks_changed = FALSE;

	if (!store)
	{
		return TRUE;
	}
	if (!store->begin(store))
	{
		return FALSE;
	}
	ok = !this->public.kek_keymat.len ||
		 store->set_kek(store, this->public.kek_spi, this->public.kek_keymat);
	/* cheap without senders; TEKs are also added to teks directly */
	ok = ok && store->sync_teks(store, this->public.teks, &teks_changed);
	enumerator = this->removed->create_enumerator(this->removed);
	while (ok && enumerator->enumerate(enumerator, &id))
	{
		ok = store->remove_member(store, id);
	}
	enumerator->destroy(enumerator);
	/* who got another TEK is only known by looking (listener and rekey
	 * assign TEKs themselves), but only when TEKs changed */
	written = linked_list_create();
	members = this->teks_changed || teks_changed ? this->public.members
												 : this->unsaved;
	enumerator = members->create_enumerator(members);
	while (ok && enumerator->enumerate(enumerator, &member))
	{
		ok = save_member(this, member, written);
	}
	enumerator->destroy(enumerator);
	if (ok && this->public.lkh)
	{
		ok = store->save_lkh(store, this->public.lkh);
	}
	if (ok && this->public.rekey_auth_key)
	{
		ok = store->set_signer(store, this->public.rekey_auth_key);
	}
	ok = ok && store->set_expelled(store, this->public.expelled);
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
			 this->public.cfg->name);
		written->destroy(written);
		return FALSE;
	}
	while (written->remove_first(written, (void**)&member) == SUCCESS)
	{
		member->stored = TRUE;
		member->stored_tek_spi = member->tek ? member->tek->spi : 0;
	}
	written->destroy(written);
	this->unsaved->destroy(this->unsaved);
	this->unsaved = linked_list_create();
	this->removed->destroy_offset(this->removed,
								  offsetof(identification_t, destroy));
	this->removed = linked_list_create();
	this->teks_changed = FALSE;
	return TRUE;
}

METHOD(mike_group_t, next_message_id, bool,
	private_mike_group_t *this, uint32_t *id)
{
	if (this->public.db)
	{
		if (!this->public.db->reserve_message_ids(this->public.db,
										this->public.cfg->name, 1, id))
		{
			return FALSE;
		}
		this->public.rekey_msg_id = (uint64_t)*id + 1;
		return TRUE;
	}
	if (this->public.rekey_msg_id > UINT32_MAX)
	{
		return FALSE;
	}
	*id = this->public.rekey_msg_id++;
	return TRUE;
}

METHOD(mike_group_t, is_expelled, bool,
	private_mike_group_t *this, identification_t *id)
{
	enumerator_t *enumerator;
	identification_t *current;
	bool found = FALSE;

	enumerator = this->public.expelled->create_enumerator(
													this->public.expelled);
	while (!found && enumerator->enumerate(enumerator, &current))
	{
		found = id->matches(id, current) > ID_MATCH_NONE;
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Forget the member's Working Key Path
 */
static void clear_key_path(private_mike_group_t *this)
{
	this->public.key_path->destroy_function(this->public.key_path,
											(void*)mike_lkh_key_destroy);
	this->public.key_path = linked_list_create();
}

METHOD(mike_group_t, unregister, void,
	private_mike_group_t *this)
{
	DESTROY_IF(this->public.kernel);
	this->public.kernel = NULL;
	this->public.teks->destroy_offset(this->public.teks,
									  offsetof(mike_tek_t, destroy));
	this->public.teks = linked_list_create();
	chunk_free(&this->public.kek_spi);
	chunk_clear(&this->public.kek_keymat);
	clear_rekey_auth(this);
	DESTROY_IF(this->public.my_host);
	this->public.my_host = NULL;
	DESTROY_IF(this->public.rekey_dst);
	this->public.rekey_dst = NULL;
	this->public.rekey_msg_id = 0;
	this->public.ike_sa_id = 0;
	this->public.own_spi = 0;
	this->public.registered = 0;
	this->public.keys_updated = 0;
	clear_key_path(this);
}

METHOD(mike_group_t, create_kernel, mike_kernel_t*,
	private_mike_group_t *this)
{
	if (!this->guard)
	{
		return NULL;
	}
	return mike_kernel_create(this->public.cfg,
							  this->guard->get_reqid(this->guard));
}

METHOD(mike_group_t, reconfigure, void,
	private_mike_group_t *this, mike_group_config_t *cfg)
{
	this->public.cfg->destroy(this->public.cfg);
	this->public.cfg = cfg;
}

METHOD(mike_group_t, destroy, void,
	private_mike_group_t *this)
{
	unregister(this);
	/* after the SAs: the block policies take over from the ESP ones */
	DESTROY_IF(this->guard);
	this->public.teks->destroy_offset(this->public.teks,
									  offsetof(mike_tek_t, destroy));
	this->public.members->destroy_function(this->public.members,
										   (void*)member_destroy);
	this->used_spis->destroy(this->used_spis);
	free(this->used_order);
	this->retired->destroy_function(this->retired, (void*)retired_destroy);
	this->public.key_path->destroy(this->public.key_path);
	this->public.expelled->destroy_offset(this->public.expelled,
									offsetof(identification_t, destroy));
	DESTROY_IF(this->public.lkh);
	DESTROY_IF(this->store);
	this->unsaved->destroy(this->unsaved);
	this->removed->destroy_offset(this->removed,
								  offsetof(identification_t, destroy));
	this->public.cfg->destroy(this->public.cfg);
	free(this);
}

/**
 * The stored TEK with an SPI, taken out of the list, NULL if none
 */
static mike_tek_t *take_tek(linked_list_t *teks, uint32_t spi)
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
 * GCKS: restore the group's state from the store, if it has any
 */
static void load_state(private_mike_group_t *this)
{
	mike_group_db_state_t state;
	mike_db_member_t *record;
	mike_group_member_t *member;
	identification_t *id;
	mike_tek_t *tek;
	char *name = this->public.cfg->name;

	if (!this->store->load(this->store, &state) || !state.kek_keymat.len)
	{
		this->public.rekey_msg_id = state.next_msg_id;
		mike_group_db_state_clear(&state);
		return;
	}
	this->public.kek_spi = state.kek_spi;
	this->public.kek_keymat = state.kek_keymat;
	this->public.kek_created = time_monotonic(NULL);
	this->public.lkh = state.lkh;
	this->public.rekey_msg_id = state.next_msg_id;
	this->public.rekey_auth_key = state.signer;
	while (state.teks->remove_first(state.teks, (void**)&tek) == SUCCESS)
	{
		this->public.teks->insert_last(this->public.teks, tek);
	}
	while (state.members->remove_first(state.members,
									   (void**)&record) == SUCCESS)
	{
		INIT(member,
			.id = record->id,
			.tek = record->tek_spi ? take_tek(this->public.teks,
											  record->tek_spi) : NULL,
			.leaf = record->leaf,
			.stored = TRUE,
			.stored_tek_spi = record->tek_spi,
		);
		record->id = NULL;
		mike_db_member_destroy(record);
		this->public.members->insert_last(this->public.members, member);
		/* new leaves continue after the restored ones */
		this->next_leaf = max(this->next_leaf, member->leaf);
	}
	while (state.expelled->remove_first(state.expelled,
										(void**)&id) == SUCCESS)
	{
		this->public.expelled->insert_last(this->public.expelled, id);
	}
	state = (mike_group_db_state_t){ .teks = state.teks,
									 .members = state.members,
									 .expelled = state.expelled };
	mike_group_db_state_clear(&state);
	DBG1(DBG_CFG, "mike: group '%s': restored %d member%s, %d sender TEK%s, "
		 "next GSA_REKEY message ID %llu", name,
		 this->public.members->get_count(this->public.members),
		 this->public.members->get_count(this->public.members) == 1 ? "" : "s",
		 this->public.teks->get_count(this->public.teks),
		 this->public.teks->get_count(this->public.teks) == 1 ? "" : "s",
		 (unsigned long long)this->public.rekey_msg_id);
}

/*
 * Described in header
 */
mike_group_t *mike_group_create(mike_group_config_t *cfg, mike_db_t *db)
{
	private_mike_group_t *this;

	INIT(this,
		.public = {
			.cfg = cfg,
			.db = cfg->role == MIKE_ROLE_GCKS ? db : NULL,
			.teks = linked_list_create(),
			.members = linked_list_create(),
			.expelled = linked_list_create(),
			.key_path = linked_list_create(),
			.allocate_spi = _allocate_spi,
			.new_tek = _new_tek,
			.ensure_kek = _ensure_kek,
			.new_kek = _new_kek,
			.add_member = _add_member,
			.is_expelled = _is_expelled,
			.save = _save,
			.next_message_id = _next_message_id,
			.retire_tek = _retire_tek,
			.create_retired_enumerator = _create_retired_enumerator,
			.ensure_signing_key = _ensure_signing_key,
			.find_member = _find_member,
			.remove_member = _remove_member,
			.drop_tek = _drop_tek,
			.create_kernel = _create_kernel,
			.unregister = _unregister,
			.reconfigure = _reconfigure,
			.destroy = _destroy,
		},
		.used_spis = hashtable_create(spi_hash, spi_equals, 64),
		.used_order = calloc(MIKE_GROUP_MAX_USED_SPIS, sizeof(uint32_t)),
		.retired = linked_list_create(),
		.unsaved = linked_list_create(),
		.removed = linked_list_create(),
	);
	if (cfg->role == MIKE_ROLE_MEMBER)
	{
		this->guard = mike_kernel_guard_create(cfg);
	}
	if (this->public.db)
	{
		this->store = mike_group_db_create(this->public.db, cfg->name);
		/* the first save compares every member and TEK with the store */
		this->teks_changed = TRUE;
		load_state(this);
	}
	return &this->public;
}
