/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "mike_group_db.h"

#include <daemon.h>
#include <bio/bio_writer.h>
#include <utils/lexparser.h>

#include <time.h>

/**
 * Remove the stored TEKs the group no longer has
 */
static bool prune_teks(mike_group_t *group, mike_db_t *db)
{
	enumerator_t *enumerator, *current;
	linked_list_t *stored;
	mike_db_tek_t *old;
	mike_tek_t *tek;
	bool ok = TRUE, found;

	stored = db->load_teks(db, group->cfg->name);
	if (!stored)
	{
		return FALSE;
	}
	enumerator = stored->create_enumerator(stored);
	while (ok && enumerator->enumerate(enumerator, &old))
	{
		found = FALSE;
		current = group->teks->create_enumerator(group->teks);
		while (!found && current->enumerate(current, &tek))
		{
			found = tek->spi == old->tek->spi;
		}
		current->destroy(current);
		if (!found)
		{
			ok = db->remove_tek(db, group->cfg->name, old->tek->spi);
		}
	}
	enumerator->destroy(enumerator);
	stored->destroy_function(stored, (void*)mike_db_tek_destroy);
	return ok;
}

/**
 * Remove the stored members the group no longer has
 */
static bool prune_members(mike_group_t *group, mike_db_t *db)
{
	enumerator_t *enumerator, *current;
	linked_list_t *stored;
	mike_db_member_t *old;
	mike_group_member_t *member;
	bool ok = TRUE, found;

	stored = db->load_members(db, group->cfg->name);
	if (!stored)
	{
		return FALSE;
	}
	enumerator = stored->create_enumerator(stored);
	while (ok && enumerator->enumerate(enumerator, &old))
	{
		found = FALSE;
		current = group->members->create_enumerator(group->members);
		while (!found && current->enumerate(current, &member))
		{
			found = member->id->equals(member->id, old->id);
		}
		current->destroy(current);
		if (!found)
		{
			ok = db->remove_member(db, group->cfg->name, old->id);
		}
	}
	enumerator->destroy(enumerator);
	stored->destroy_function(stored, (void*)mike_db_member_destroy);
	return ok;
}

/**
 * The expelled identities as lines of text
 */
static chunk_t expelled_encode(mike_group_t *group)
{
	enumerator_t *enumerator;
	identification_t *id;
	bio_writer_t *writer;
	char buf[BUF_LEN];
	chunk_t data;

	writer = bio_writer_create(0);
	enumerator = group->expelled->create_enumerator(group->expelled);
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

static void expelled_decode(mike_group_t *group, chunk_t data)
{
	chunk_t line;
	char *str;

	while (fetchline(&data, &line))
	{
		if (line.len)
		{
			str = strndup(line.ptr, line.len);
			group->expelled->insert_last(group->expelled,
										 identification_create_from_string(str));
			free(str);
		}
	}
}

/*
 * Described in header
 */
bool mike_group_db_save(mike_group_t *group, mike_db_t *db)
{
	enumerator_t *enumerator;
	mike_group_member_t *member;
	mike_tek_t *tek;
	public_key_t *key;
	char *name = group->cfg->name;
	chunk_t blob = chunk_empty;
	bool ok;

	if (!db->begin(db))
	{
		return FALSE;
	}
	ok = !group->kek_keymat.len ||
		 db->set_kek(db, name, group->kek_spi, group->kek_keymat);
	ok = ok && prune_teks(group, db);
	enumerator = group->teks->create_enumerator(group->teks);
	while (ok && enumerator->enumerate(enumerator, &tek))
	{
		ok = db->put_tek(db, name, tek, time(NULL));
	}
	enumerator->destroy(enumerator);
	ok = ok && prune_members(group, db);
	enumerator = group->members->create_enumerator(group->members);
	while (ok && enumerator->enumerate(enumerator, &member))
	{
		ok = db->put_member(db, name, member->id, member->tek != NULL,
							member->tek ? member->tek->spi : 0, member->leaf);
	}
	enumerator->destroy(enumerator);
	if (ok && group->lkh)
	{
		ok = group->lkh->serialize(group->lkh, &blob) &&
			 db->set_lkh(db, name, blob);
		chunk_clear(&blob);
	}
	key = group->rekey_auth_key;
	if (ok && key && key->get_encoding(key, PUBKEY_SPKI_ASN1_DER, &blob))
	{
		ok = db->set_signer(db, name, blob);
		chunk_free(&blob);
	}
	if (ok)
	{
		blob = expelled_encode(group);
		ok = db->set_expelled(db, name, blob);
		chunk_free(&blob);
	}
	if (!ok)
	{
		db->rollback(db);
		DBG1(DBG_CFG, "mike: group '%s': saving its state failed", name);
		return FALSE;
	}
	return db->commit(db);
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

/*
 * Described in header
 */
bool mike_group_db_load(mike_group_t *group, mike_db_t *db)
{
	enumerator_t *enumerator;
	linked_list_t *teks = NULL, *members = NULL;
	mike_db_tek_t *stored;
	mike_db_member_t *record;
	mike_group_member_t *member;
	mike_lkh_t *lkh = NULL;
	char *name = group->cfg->name;
	chunk_t spi = chunk_empty, keymat = chunk_empty, blob = chunk_empty;
	uint64_t next_id = 0;
	bool exists, ok;

	if (!db->has_group(db, name, &exists))
	{
		return FALSE;
	}
	if (!exists)
	{
		return TRUE;
	}
	ok = db->get_kek(db, name, &spi, &keymat) &&
		 db->get_next_message_id(db, name, &next_id);
	if (ok && (!spi.len || !keymat.len))
	{	/* never had keys (or cleared): start fresh, but with the IDs */
		chunk_free(&spi);
		chunk_clear(&keymat);
		group->rekey_msg_id = next_id;
		return TRUE;
	}
	if (ok)
	{
		ok = db->get_lkh(db, name, &blob) && blob.len;
		if (ok)
		{
			lkh = mike_lkh_load(blob);
			ok = lkh != NULL;
		}
		chunk_clear(&blob);
	}
	teks = ok ? db->load_teks(db, name) : NULL;
	members = teks ? db->load_members(db, name) : NULL;
	if (!members)
	{
		DBG1(DBG_CFG, "mike: group '%s': its stored state is unusable, "
			 "starting fresh", name);
		DESTROY_IF(lkh);
		chunk_free(&spi);
		chunk_clear(&keymat);
		DESTROY_FUNCTION_IF(teks, (void*)mike_db_tek_destroy);
		group->rekey_msg_id = next_id;
		return FALSE;
	}

	group->kek_spi = spi;
	group->kek_keymat = keymat;
	group->kek_created = time_monotonic(NULL);
	DESTROY_IF(group->lkh);
	group->lkh = lkh;
	group->rekey_msg_id = next_id;
	while (teks->remove_first(teks, (void**)&stored) == SUCCESS)
	{
		group->teks->insert_last(group->teks, stored->tek);
		stored->tek = NULL;
		mike_db_tek_destroy(stored);
	}
	teks->destroy(teks);
	enumerator = members->create_enumerator(members);
	while (enumerator->enumerate(enumerator, &record))
	{
		INIT(member,
			.id = record->id->clone(record->id),
			.tek = record->tek_spi ? take_tek(group->teks, record->tek_spi)
								   : NULL,
			.leaf = record->leaf,
		);
		group->members->insert_last(group->members, member);
	}
	enumerator->destroy(enumerator);
	members->destroy_function(members, (void*)mike_db_member_destroy);

	if (db->get_signer(db, name, &blob) && blob.len)
	{
		group->rekey_auth_key = lib->creds->create(lib->creds,
								CRED_PUBLIC_KEY, KEY_ANY,
								BUILD_BLOB_ASN1_DER, blob, BUILD_END);
	}
	chunk_free(&blob);
	if (db->get_expelled(db, name, &blob))
	{
		expelled_decode(group, blob);
	}
	chunk_free(&blob);
	DBG1(DBG_CFG, "mike: group '%s': restored %d member%s, %d sender TEK%s, "
		 "next GSA_REKEY message ID %llu", name,
		 group->members->get_count(group->members),
		 group->members->get_count(group->members) == 1 ? "" : "s",
		 group->teks->get_count(group->teks),
		 group->teks->get_count(group->teks) == 1 ? "" : "s",
		 (unsigned long long)next_id);
	return TRUE;
}
