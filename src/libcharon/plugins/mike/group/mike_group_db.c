/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "group/mike_group_db.h"

#include <daemon.h>
#include <bio/bio_writer.h>
#include <collections/hashtable.h>
#include <utils/lexparser.h>

#include <time.h>

typedef struct private_mike_group_db_t private_mike_group_db_t;

/**
 * A value as stored, and the one written since begin(), stored on commit
 */
typedef struct {
	/** as stored, empty if nothing (or not known) */
	chunk_t stored;
	/** written since begin() */
	chunk_t pending;
	/** whether pending was written */
	bool written;
} shadow_t;

/**
 * Private data of a mike_group_db_t object.
 */
struct private_mike_group_db_t {

	/**
	 * Public interface.
	 */
	mike_group_db_t public;

	/**
	 * The store.
	 */
	mike_db_t *db;

	/**
	 * Group name.
	 */
	char *name;

	/**
	 * The KEK as stored, SPI | keying material.
	 */
	shadow_t kek;

	/**
	 * The signer's public key as stored.
	 */
	shadow_t signer;

	/**
	 * The expelled identities as stored.
	 */
	shadow_t expelled;

	/**
	 * SPIs of the stored TEKs (a set of uintptr_t), and the set sync_teks()
	 * stored since begin(), NULL if it was not called
	 */
	hashtable_t *teks;
	hashtable_t *pending_teks;

	/**
	 * The tree stored (its changes not yet), NULL if none; the one
	 * save_lkh() stored since begin(), NULL if it was not called
	 */
	mike_lkh_t *lkh;
	mike_lkh_t *pending_lkh;

	/**
	 * Whether the stored state was unusable: the next save clears it first
	 */
	bool reset;
};

static u_int spi_hash(const void *key)
{
	return chunk_hash(chunk_from_thing(key));
}

static bool spi_equals(const void *a, const void *b)
{
	return a == b;
}

/**
 * Drop what a shadow got written since begin()
 */
static void shadow_drop(shadow_t *shadow)
{
	chunk_clear(&shadow->pending);
	shadow->written = FALSE;
}

/**
 * Take what was written since begin() as stored
 */
static void shadow_commit(shadow_t *shadow)
{
	if (shadow->written)
	{
		chunk_clear(&shadow->stored);
		shadow->stored = shadow->pending;
		shadow->pending = chunk_empty;
		shadow->written = FALSE;
	}
}

/**
 * Whether a value differs from the stored one (or the one written since
 * begin()); takes value as pending if it does, frees it otherwise
 */
static bool shadow_update(shadow_t *shadow, chunk_t value)
{
	chunk_t current = shadow->written ? shadow->pending : shadow->stored;

	if (chunk_equals_const(current, value) || (!current.len && !value.len))
	{
		chunk_clear(&value);
		return FALSE;
	}
	chunk_clear(&shadow->pending);
	shadow->pending = value;
	shadow->written = TRUE;
	return TRUE;
}

/**
 * The expelled identities as lines of text
 */
static chunk_t expelled_encode(linked_list_t *expelled)
{
	enumerator_t *enumerator;
	identification_t *id;
	bio_writer_t *writer;
	char buf[BUF_LEN];
	chunk_t data;

	writer = bio_writer_create(0);
	enumerator = expelled->create_enumerator(expelled);
	while (enumerator->enumerate(enumerator, &id))
	{
		snprintf(buf, sizeof(buf), "%Y\n", id);
		writer->write_data(writer, chunk_from_str(buf));
	}
	enumerator->destroy(enumerator);
	data = writer->extract_buf(writer);
	writer->destroy(writer);
	return data;
}

static linked_list_t *expelled_decode(chunk_t data)
{
	linked_list_t *list;
	chunk_t line;
	char *str;

	list = linked_list_create();
	while (fetchline(&data, &line))
	{
		if (line.len)
		{
			str = strndup(line.ptr, line.len);
			list->insert_last(list, identification_create_from_string(str));
			free(str);
		}
	}
	return list;
}

METHOD(mike_group_db_t, begin, bool,
	private_mike_group_db_t *this)
{
	if (!this->db->begin(this->db))
	{
		return FALSE;
	}
	if (this->reset && !this->db->clear_group(this->db, this->name))
	{
		this->db->rollback(this->db);
		return FALSE;
	}
	return TRUE;
}

METHOD(mike_group_db_t, set_kek, bool,
	private_mike_group_db_t *this, chunk_t spi, chunk_t keymat)
{
	if (!shadow_update(&this->kek, chunk_cat("cc", spi, keymat)))
	{
		return TRUE;
	}
	return this->db->set_kek(this->db, this->name, spi, keymat);
}

METHOD(mike_group_db_t, sync_teks, bool,
	private_mike_group_db_t *this, enumerator_t *teks, bool *changed)
{
	enumerator_t *enumerator;
	hashtable_t *stored, *current;
	mike_tek_t *tek;
	void *spi;
	bool ok = TRUE;

	*changed = FALSE;
	stored = this->pending_teks ?: this->teks;
	current = hashtable_create(spi_hash, spi_equals, 8);
	while (ok && teks->enumerate(teks, &tek))
	{
		spi = (void*)(uintptr_t)tek->spi;
		current->put(current, spi, spi);
		if (!stored->get(stored, spi))
		{
			*changed = TRUE;
			ok = this->db->put_tek(this->db, this->name, tek, time(NULL));
		}
	}
	teks->destroy(teks);
	enumerator = stored->create_enumerator(stored);
	while (ok && enumerator->enumerate(enumerator, &spi, NULL))
	{
		if (!current->get(current, spi))
		{
			*changed = TRUE;
			ok = this->db->remove_tek(this->db, this->name,
									  (uintptr_t)spi);
		}
	}
	enumerator->destroy(enumerator);
	if (!ok)
	{
		current->destroy(current);
		return FALSE;
	}
	DESTROY_IF(this->pending_teks);
	this->pending_teks = current;
	return TRUE;
}

METHOD(mike_group_db_t, update_tek, bool,
	private_mike_group_db_t *this, mike_tek_t *tek)
{
	/* INSERT OR REPLACE, the SPI is claimed already */
	return this->db->put_tek(this->db, this->name, tek, time(NULL));
}

METHOD(mike_group_db_t, put_member, bool,
	private_mike_group_db_t *this, identification_t *id, uint32_t tek_spi,
	uint32_t leaf)
{
	return this->db->put_member(this->db, this->name, id, tek_spi != 0,
								tek_spi, leaf);
}

METHOD(mike_group_db_t, remove_member, bool,
	private_mike_group_db_t *this, identification_t *id)
{
	return this->db->remove_member(this->db, this->name, id);
}

METHOD(mike_group_db_t, save_lkh, bool,
	private_mike_group_db_t *this, mike_lkh_t *lkh)
{
	enumerator_t *enumerator;
	uint32_t next_id, next_num;
	bool ok;

	lkh->get_counters(lkh, &next_id, &next_num);
	if (lkh != this->lkh)
	{	/* another tree (or one converted from a blob): replace it whole */
		enumerator = lkh->create_node_enumerator(lkh);
		ok = this->db->clear_lkh_nodes(this->db, this->name) &&
			 this->db->set_lkh(this->db, this->name, chunk_empty) &&
			 this->db->put_lkh_nodes(this->db, this->name, enumerator,
									 next_id, next_num);
		enumerator->destroy(enumerator);
	}
	else if (lkh->get_change_count(lkh))
	{
		enumerator = lkh->create_change_enumerator(lkh);
		ok = this->db->put_lkh_nodes(this->db, this->name, enumerator,
									 next_id, next_num);
		enumerator->destroy(enumerator);
	}
	else
	{
		return TRUE;
	}
	if (ok)
	{
		this->pending_lkh = lkh;
	}
	return ok;
}

METHOD(mike_group_db_t, set_signer, bool,
	private_mike_group_db_t *this, chunk_t spki)
{
	if (!spki.len)
	{
		return FALSE;
	}
	spki = chunk_clone(spki);
	if (!shadow_update(&this->signer, spki))
	{
		return TRUE;
	}
	return this->db->set_signer(this->db, this->name, spki);
}

METHOD(mike_group_db_t, set_expelled, bool,
	private_mike_group_db_t *this, linked_list_t *expelled)
{
	chunk_t data;

	data = expelled_encode(expelled);
	if (!shadow_update(&this->expelled, data))
	{
		return TRUE;
	}
	return this->db->set_expelled(this->db, this->name, data);
}

/**
 * Drop everything written since begin()
 */
static void drop_pending(private_mike_group_db_t *this)
{
	shadow_drop(&this->kek);
	shadow_drop(&this->signer);
	shadow_drop(&this->expelled);
	DESTROY_IF(this->pending_teks);
	this->pending_teks = NULL;
	this->pending_lkh = NULL;
}

METHOD(mike_group_db_t, commit, bool,
	private_mike_group_db_t *this)
{
	if (!this->db->commit(this->db))
	{
		drop_pending(this);
		return FALSE;
	}
	shadow_commit(&this->kek);
	shadow_commit(&this->signer);
	shadow_commit(&this->expelled);
	if (this->pending_teks)
	{
		this->teks->destroy(this->teks);
		this->teks = this->pending_teks;
		this->pending_teks = NULL;
	}
	this->reset = FALSE;
	if (this->pending_lkh)
	{
		this->pending_lkh->clear_changes(this->pending_lkh);
		this->lkh = this->pending_lkh;
		this->pending_lkh = NULL;
	}
	return TRUE;
}

METHOD(mike_group_db_t, rollback, void,
	private_mike_group_db_t *this)
{
	this->db->rollback(this->db);
	drop_pending(this);
}

/*
 * Described in header
 */
void mike_group_db_state_clear(mike_group_db_state_t *state)
{
	chunk_free(&state->kek_spi);
	chunk_clear(&state->kek_keymat);
	DESTROY_IF(state->lkh);
	DESTROY_OFFSET_IF(state->teks, offsetof(mike_tek_t, destroy));
	DESTROY_FUNCTION_IF(state->members, (void*)mike_db_member_destroy);
	DESTROY_IF(state->signer);
	DESTROY_OFFSET_IF(state->expelled, offsetof(identification_t, destroy));
	*state = (mike_group_db_state_t){
		.next_msg_id = state->next_msg_id,
	};
}

/**
 * The stored tree: its nodes, or a blob of schema version 1, converted
 * into nodes right away (retried by the next save if that fails)
 */
static mike_lkh_t *load_lkh(private_mike_group_db_t *this)
{
	linked_list_t *nodes;
	mike_lkh_t *lkh;
	uint32_t next_id, next_num;
	chunk_t blob = chunk_empty;

	nodes = this->db->load_lkh_nodes(this->db, this->name, &next_id,
									 &next_num);
	if (!nodes)
	{
		return NULL;
	}
	if (next_num)
	{
		lkh = mike_lkh_load_nodes(next_id, next_num, nodes);
		nodes->destroy_function(nodes, (void*)mike_db_lkh_node_destroy);
		this->lkh = lkh;
		return lkh;
	}
	nodes->destroy(nodes);
	if (!this->db->get_lkh(this->db, this->name, &blob) || !blob.len)
	{
		return NULL;
	}
	lkh = mike_lkh_load(blob);
	chunk_clear(&blob);
	if (lkh)
	{
		DBG1(DBG_CFG, "mike: group '%s': converting its key tree into nodes",
			 this->name);
		if (!begin(this) || !save_lkh(this, lkh) || !commit(this))
		{
			DBG1(DBG_CFG, "mike: group '%s': converting its key tree failed, "
				 "the next save retries", this->name);
			rollback(this);
		}
	}
	return lkh;
}

/**
 * Read a group's state (with the store locked)
 */
static bool read_state(private_mike_group_db_t *this,
					   mike_group_db_state_t *state)
{
	linked_list_t *teks = NULL;
	mike_db_tek_t *stored;
	chunk_t blob = chunk_empty;
	void *spi;
	bool exists, ok;

	*state = (mike_group_db_state_t){};
	if (!this->db->has_group(this->db, this->name, &exists))
	{
		return FALSE;
	}
	if (!exists)
	{
		return TRUE;
	}
	ok = this->db->get_kek(this->db, this->name, &state->kek_spi,
						   &state->kek_keymat) &&
		 this->db->get_next_message_id(this->db, this->name,
									   &state->next_msg_id);
	if (ok && (!state->kek_spi.len || !state->kek_keymat.len))
	{	/* never had keys (or cleared): start fresh, but with the IDs */
		mike_group_db_state_clear(state);
		return TRUE;
	}
	if (ok)
	{
		state->lkh = load_lkh(this);
		ok = state->lkh != NULL;
	}
	teks = ok ? this->db->load_teks(this->db, this->name) : NULL;
	state->members = teks ? this->db->load_members(this->db, this->name)
						  : NULL;
	if (!state->members)
	{
		DBG1(DBG_CFG, "mike: group '%s': its stored state is unusable, "
			 "starting fresh", this->name);
		DESTROY_FUNCTION_IF(teks, (void*)mike_db_tek_destroy);
		mike_group_db_state_clear(state);
		this->lkh = NULL;
		/* the next save replaces it, the IDs and SPIs stay */
		this->reset = TRUE;
		return FALSE;
	}
	state->teks = linked_list_create();
	while (teks->remove_first(teks, (void**)&stored) == SUCCESS)
	{
		spi = (void*)(uintptr_t)stored->tek->spi;
		this->teks->put(this->teks, spi, spi);
		state->teks->insert_last(state->teks, stored->tek);
		stored->tek = NULL;
		mike_db_tek_destroy(stored);
	}
	teks->destroy(teks);
	this->kek.stored = chunk_cat("cc", state->kek_spi, state->kek_keymat);

	if (this->db->get_signer(this->db, this->name, &blob) && blob.len)
	{
		state->signer = lib->creds->create(lib->creds, CRED_PUBLIC_KEY,
								KEY_ANY, BUILD_BLOB_ASN1_DER, blob, BUILD_END);
		if (state->signer)
		{
			this->signer.stored = chunk_clone(blob);
		}
	}
	chunk_free(&blob);
	if (this->db->get_expelled(this->db, this->name, &blob))
	{
		state->expelled = expelled_decode(blob);
		this->expelled.stored = blob;
	}
	else
	{
		state->expelled = linked_list_create();
	}
	return TRUE;
}

METHOD(mike_group_db_t, load, bool,
	private_mike_group_db_t *this, mike_group_db_state_t *state)
{
	bool ok;

	/* one state, not one another group's save is halfway through */
	this->db->lock(this->db);
	ok = read_state(this, state);
	this->db->unlock(this->db);
	return ok;
}

METHOD(mike_group_db_t, destroy, void,
	private_mike_group_db_t *this)
{
	drop_pending(this);
	chunk_clear(&this->kek.stored);
	chunk_free(&this->signer.stored);
	chunk_free(&this->expelled.stored);
	this->teks->destroy(this->teks);
	free(this->name);
	free(this);
}

/*
 * Described in header
 */
mike_group_db_t *mike_group_db_create(mike_db_t *db, char *group)
{
	private_mike_group_db_t *this;

	INIT(this,
		.public = {
			.load = _load,
			.begin = _begin,
			.set_kek = _set_kek,
			.sync_teks = _sync_teks,
			.update_tek = _update_tek,
			.put_member = _put_member,
			.remove_member = _remove_member,
			.save_lkh = _save_lkh,
			.set_signer = _set_signer,
			.set_expelled = _set_expelled,
			.commit = _commit,
			.rollback = _rollback,
			.destroy = _destroy,
		},
		.db = db,
		.name = strdup(group),
		.teks = hashtable_create(spi_hash, spi_equals, 8),
	);
	return &this->public;
}
