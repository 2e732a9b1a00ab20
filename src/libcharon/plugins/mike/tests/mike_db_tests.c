/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * Unit tests of the GCKS's persistent state store: every piece survives a
 * reopening of the file (a restart) bit-exact, Message IDs and SPIs are
 * never handed out twice, the file is private, a broken file is refused.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* asprintf */
#endif
#include "tests/mike_tests.h"

#include <check.h>

#include "tests/test_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <sqlite3.h>

#include <library.h>
#include <daemon.h>
#include <bus/listeners/file_logger.h>

#include "group/mike_db.h"

#define GROUP "group1"

/** temp dir and file of a test */
static char *dir, *path;

static void setup()
{
	char tmpl[] = "/tmp/mike-db-tests-XXXXXX";

	ck_assert(mkdtemp(tmpl));
	dir = strdup(tmpl);
	ck_assert(asprintf(&path, "%s/gcks.db", dir) > 0);
}

static void teardown()
{
	char *cmd;

	ck_assert(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
	ignore_result(system(cmd));
	free(cmd);
	free(path);
	free(dir);
}

/** deterministic test bytes */
static chunk_t bytes(size_t len, uint8_t seed)
{
	chunk_t c = chunk_alloc(len);
	size_t i;

	for (i = 0; i < len; i++)
	{
		c.ptr[i] = seed + i * 7;
	}
	return c;
}

static mode_t file_mode(char *file)
{
	struct stat st;

	ck_assert_int_eq(stat(file, &st), 0);
	return st.st_mode & 07777;
}

/*******************************************************************************
 * File creation
 */

START_TEST(test_create_mode)
{
	mike_db_t *db;
	uint32_t first;
	char *wal;

	umask(022);
	db = mike_db_create(path);
	ck_assert(db);
	ck_assert_int_eq(file_mode(path), 0600);
	ck_assert(db->reserve_message_ids(db, GROUP, 1, &first));
	ck_assert(asprintf(&wal, "%s-wal", path) > 0);
	ck_assert_int_eq(file_mode(wal), 0600);
	free(wal);
	db->destroy(db);
}
END_TEST

START_TEST(test_create_tightens_mode)
{
	mike_db_t *db;
	int fd;

	fd = open(path, O_CREAT | O_WRONLY, 0644);
	ck_assert(fd >= 0);
	ck_assert_int_eq(fchmod(fd, 0644), 0);
	close(fd);
	db = mike_db_create(path);
	ck_assert(db);
	ck_assert_int_eq(file_mode(path), 0600);
	db->destroy(db);
}
END_TEST

START_TEST(test_create_unwritable)
{
	char *bad;

	ck_assert(asprintf(&bad, "%s/missing/gcks.db", dir) > 0);
	ck_assert(!mike_db_create(bad));
	free(bad);
	/* a directory */
	ck_assert(!mike_db_create(dir));
}
END_TEST

/*******************************************************************************
 * Round trips through a restart
 */

static mike_tek_t *tek_aead(uint32_t spi, chunk_t keymat)
{
	mike_tek_t *tek;

	tek = mike_tek_create(spi, ENCR_AES_GCM_ICV16, 256, AUTH_UNDEFINED,
						  keymat, 3600);
	ck_assert(tek);
	return tek;
}

static mike_tek_t *tek_cbc(uint32_t spi, chunk_t keymat)
{
	mike_tek_t *tek;

	tek = mike_tek_create(spi, ENCR_AES_CBC, 128, AUTH_HMAC_SHA2_256_128,
						  keymat, 7200);
	ck_assert(tek);
	return tek;
}

static void assert_tek_eq(mike_db_tek_t *got, mike_tek_t *exp, time_t created)
{
	ck_assert_int_eq(got->created, created);
	ck_assert_int_eq(got->tek->spi, exp->spi);
	ck_assert_int_eq(got->tek->enc_alg, exp->enc_alg);
	ck_assert_int_eq(got->tek->enc_keylen, exp->enc_keylen);
	ck_assert_int_eq(got->tek->int_alg, exp->int_alg);
	ck_assert_int_eq(got->tek->lifetime, exp->lifetime);
	ck_assert_chunk_eq(got->tek->keymat, exp->keymat);
	if (exp->sender)
	{
		ck_assert(got->tek->sender);
		ck_assert(got->tek->sender->equals(got->tek->sender, exp->sender));
		ck_assert_int_eq(got->tek->sender->get_type(got->tek->sender),
						 exp->sender->get_type(exp->sender));
	}
	else
	{
		ck_assert(!got->tek->sender);
	}
	if (exp->source)
	{
		ck_assert(got->tek->source);
		ck_assert(got->tek->source->equals(got->tek->source, exp->source));
	}
	else
	{
		ck_assert(!got->tek->source);
	}
}

START_TEST(test_roundtrip)
{
	mike_db_t *db;
	mike_tek_t *t1, *t2, *t3;
	mike_db_tek_t *dt;
	mike_db_member_t *m;
	identification_t *ids[3];
	linked_list_t *list;
	enumerator_t *enumerator;
	chunk_t kek_spi = bytes(16, 1), kek_keymat = bytes(96, 2);
	chunk_t lkh = bytes(1000, 3), session = bytes(8, 4);
	chunk_t k1 = bytes(36, 5), k2 = bytes(48, 6), k3 = bytes(36, 7);
	chunk_t spi, keymat;
	bool exists;
	int i;

	ids[0] = identification_create_from_string("C=CH, O=mike, CN=alice");
	ids[1] = identification_create_from_string("bob@example.com");
	ids[2] = identification_create_from_string("192.0.2.3");

	t1 = tek_aead(0x11111111, k1);
	t1->sender = ids[0]->clone(ids[0]);
	t1->source = host_create_from_string("192.0.2.1", 0);
	t2 = tek_cbc(0xfffffff0, k2);
	t2->sender = ids[1]->clone(ids[1]);
	t2->source = host_create_from_string("2001:db8::2", 500);
	t3 = tek_aead(0x1000, k3);

	db = mike_db_create(path);
	ck_assert(db);
	ck_assert(db->has_group(db, GROUP, &exists));
	ck_assert(!exists);
	ck_assert(db->set_kek(db, GROUP, kek_spi, kek_keymat));
	ck_assert(db->put_tek(db, GROUP, t1, 1000));
	ck_assert(db->put_tek(db, GROUP, t2, 2000));
	ck_assert(db->put_tek(db, GROUP, t3, 3000));
	ck_assert(db->put_member(db, GROUP, ids[0], TRUE, 0, 3));
	ck_assert(db->put_member(db, GROUP, ids[1], TRUE, t2->spi, 3));
	ck_assert(db->put_member(db, GROUP, ids[2], FALSE, 0, 3));
	/* update keeps the position */
	ck_assert(db->put_member(db, GROUP, ids[0], TRUE, t1->spi, 3));
	ck_assert(db->set_lkh(db, GROUP, lkh));
	ck_assert(db->set_signer(db, GROUP, session));
	/* another group's state stays apart */
	ck_assert(db->put_member(db, "group2", ids[2], TRUE, 7, 3));
	db->destroy(db);

	/* restart */
	db = mike_db_create(path);
	ck_assert(db);
	ck_assert(db->has_group(db, GROUP, &exists));
	ck_assert(exists);

	ck_assert(db->get_kek(db, GROUP, &spi, &keymat));
	ck_assert_chunk_eq(spi, kek_spi);
	ck_assert_chunk_eq(keymat, kek_keymat);
	chunk_free(&spi);
	chunk_clear(&keymat);

	list = db->load_teks(db, GROUP);
	ck_assert(list);
	ck_assert_int_eq(list->get_count(list), 3);
	enumerator = list->create_enumerator(list);
	ck_assert(enumerator->enumerate(enumerator, &dt));
	assert_tek_eq(dt, t1, 1000);
	ck_assert(enumerator->enumerate(enumerator, &dt));
	assert_tek_eq(dt, t2, 2000);
	ck_assert(enumerator->enumerate(enumerator, &dt));
	assert_tek_eq(dt, t3, 3000);
	enumerator->destroy(enumerator);
	list->destroy_function(list, (void*)mike_db_tek_destroy);

	list = db->load_members(db, GROUP);
	ck_assert(list);
	ck_assert_int_eq(list->get_count(list), 3);
	enumerator = list->create_enumerator(list);
	for (i = 0; enumerator->enumerate(enumerator, &m); i++)
	{
		ck_assert(m->id->equals(m->id, ids[i]));
		ck_assert_int_eq(m->id->get_type(m->id), ids[i]->get_type(ids[i]));
		ck_assert_chunk_eq(m->id->get_encoding(m->id),
						   ids[i]->get_encoding(ids[i]));
	}
	enumerator->destroy(enumerator);
	ck_assert(list->get_first(list, (void**)&m) == SUCCESS);
	ck_assert(m->sender);
	ck_assert_int_eq(m->tek_spi, t1->spi);
	ck_assert_int_eq(m->leaf, 3);
	ck_assert(list->get_last(list, (void**)&m) == SUCCESS);
	ck_assert(!m->sender);
	ck_assert_int_eq(m->tek_spi, 0);
	list->destroy_function(list, (void*)mike_db_member_destroy);

	ck_assert(db->get_lkh(db, GROUP, &keymat));
	ck_assert_chunk_eq(keymat, lkh);
	chunk_clear(&keymat);
	ck_assert(db->get_signer(db, GROUP, &keymat));
	ck_assert_chunk_eq(keymat, session);
	chunk_free(&keymat);

	list = db->load_members(db, "group2");
	ck_assert_int_eq(list->get_count(list), 1);
	list->destroy_function(list, (void*)mike_db_member_destroy);

	/* removal survives a restart too */
	ck_assert(db->remove_tek(db, GROUP, t2->spi));
	ck_assert(db->remove_member(db, GROUP, ids[1]));
	ck_assert(db->set_lkh(db, GROUP, chunk_empty));
	db->destroy(db);
	db = mike_db_create(path);
	ck_assert(db);
	list = db->load_teks(db, GROUP);
	ck_assert_int_eq(list->get_count(list), 2);
	list->destroy_function(list, (void*)mike_db_tek_destroy);
	list = db->load_members(db, GROUP);
	ck_assert_int_eq(list->get_count(list), 2);
	list->destroy_function(list, (void*)mike_db_member_destroy);
	ck_assert(db->get_lkh(db, GROUP, &keymat));
	ck_assert_int_eq(keymat.len, 0);
	db->destroy(db);

	t1->destroy(t1);
	t2->destroy(t2);
	t3->destroy(t3);
	for (i = 0; i < countof(ids); i++)
	{
		ids[i]->destroy(ids[i]);
	}
	chunk_free(&kek_spi);
	chunk_clear(&kek_keymat);
	chunk_clear(&lkh);
	chunk_free(&session);
	chunk_clear(&k1);
	chunk_clear(&k2);
	chunk_clear(&k3);
}
END_TEST

START_TEST(test_members_order)
{
	/* "big" holds most members (read by a table scan), "small" few (read
	 * through the index and sorted): both in the order they were added */
	identification_t *big[12], *small[2];
	mike_db_member_t *m;
	linked_list_t *list;
	enumerator_t *enumerator;
	mike_db_t *db;
	char buf[64];
	int i;

	db = mike_db_create(path);
	ck_assert(db);
	for (i = 0; i < countof(big); i++)
	{	/* identities in descending order, unlike their index */
		snprintf(buf, sizeof(buf), "m%02d.big.example.org", 99 - i);
		big[i] = identification_create_from_string(buf);
		ck_assert(db->put_member(db, "big", big[i], FALSE, 0, i + 1));
		if (i < countof(small))
		{
			snprintf(buf, sizeof(buf), "m%02d.small.example.org", 99 - i);
			small[i] = identification_create_from_string(buf);
			ck_assert(db->put_member(db, "small", small[i], FALSE, 0, i + 1));
		}
	}
	/* an update keeps a member's place */
	ck_assert(db->put_member(db, "big", big[0], TRUE, 7, 1));

	list = db->load_members(db, "big");
	ck_assert_int_eq(list->get_count(list), countof(big));
	enumerator = list->create_enumerator(list);
	for (i = 0; enumerator->enumerate(enumerator, &m); i++)
	{
		ck_assert(m->id->equals(m->id, big[i]));
		ck_assert_int_eq(m->leaf, i + 1);
		ck_assert_int_eq(m->sender, i == 0);
	}
	enumerator->destroy(enumerator);
	list->destroy_function(list, (void*)mike_db_member_destroy);

	list = db->load_members(db, "small");
	ck_assert_int_eq(list->get_count(list), countof(small));
	enumerator = list->create_enumerator(list);
	for (i = 0; enumerator->enumerate(enumerator, &m); i++)
	{
		ck_assert(m->id->equals(m->id, small[i]));
	}
	enumerator->destroy(enumerator);
	list->destroy_function(list, (void*)mike_db_member_destroy);

	list = db->load_members(db, "none");
	ck_assert_int_eq(list->get_count(list), 0);
	list->destroy(list);
	for (i = 0; i < countof(big); i++)
	{
		big[i]->destroy(big[i]);
	}
	for (i = 0; i < countof(small); i++)
	{
		small[i]->destroy(small[i]);
	}
	db->destroy(db);
}
END_TEST

START_TEST(test_unknown_group)
{
	mike_db_t *db;
	linked_list_t *list;
	chunk_t a, b;
	uint64_t next;

	db = mike_db_create(path);
	ck_assert(db);
	ck_assert(db->get_kek(db, "nope", &a, &b));
	ck_assert(!a.len && !b.len);
	ck_assert(db->get_next_message_id(db, "nope", &next));
	ck_assert_int_eq(next, 0);
	list = db->load_teks(db, "nope");
	ck_assert_int_eq(list->get_count(list), 0);
	list->destroy(list);
	ck_assert(db->remove_tek(db, "nope", 1));
	ck_assert(db->clear_group(db, "nope"));
	db->destroy(db);
}
END_TEST

START_TEST(test_bad_rows)
{
	mike_db_t *db;
	mike_tek_t *tek;
	sqlite3 *raw;
	chunk_t k = bytes(36, 1);

	db = mike_db_create(path);
	ck_assert(db);
	tek = tek_aead(0x4000, k);
	ck_assert(db->put_tek(db, GROUP, tek, 1));
	db->destroy(db);
	/* keymat of the wrong size for the algorithm */
	ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw, "UPDATE teks SET keymat = x'0102'",
								  NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	db = mike_db_create(path);
	ck_assert(db);
	ck_assert(!db->load_teks(db, GROUP));
	db->destroy(db);
	tek->destroy(tek);
	chunk_clear(&k);
}
END_TEST

/*******************************************************************************
 * Message IDs
 */

START_TEST(test_msg_ids)
{
	mike_db_t *db;
	uint32_t first, last = 0;
	uint64_t next;
	pid_t pid;
	int status, i;

	db = mike_db_create(path);
	ck_assert(db);
	ck_assert(!db->reserve_message_ids(db, GROUP, 0, &first));
	ck_assert(db->reserve_message_ids(db, GROUP, 1, &first));
	ck_assert_int_eq(first, 0);
	ck_assert(db->reserve_message_ids(db, GROUP, 5, &first));
	ck_assert_int_eq(first, 1);
	ck_assert(db->reserve_message_ids(db, "other", 1, &first));
	ck_assert_int_eq(first, 0);
	db->destroy(db);

	for (i = 0; i < 3; i++)
	{
		db = mike_db_create(path);
		ck_assert(db);
		ck_assert(db->reserve_message_ids(db, GROUP, 3, &first));
		ck_assert(first >= 6);
		ck_assert(!last || first >= last + 3);
		last = first;
		db->destroy(db);
	}

	/* a reservation that is lost: the process dies without closing */
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0)
	{
		db = mike_db_create(path);
		if (db && db->reserve_message_ids(db, GROUP, 100, &first) &&
			first == last + 3)
		{
			_exit(0);
		}
		_exit(1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	db = mike_db_create(path);
	ck_assert(db);
	ck_assert(db->get_next_message_id(db, GROUP, &next));
	ck_assert_int_eq(next, last + 3 + 100);
	ck_assert(db->reserve_message_ids(db, GROUP, 1, &first));
	ck_assert_int_eq(first, last + 3 + 100);

	/* the caller's rollback does not give reserved IDs out again */
	ck_assert(db->begin(db));
	ck_assert(!db->reserve_message_ids(db, GROUP, 1, &first));
	ck_assert(db->rollback(db));
	ck_assert(db->reserve_message_ids(db, GROUP, 1, &first));
	ck_assert_int_eq(first, last + 3 + 101);
	db->destroy(db);
}
END_TEST

START_TEST(test_msg_ids_exhausted)
{
	mike_db_t *db;
	uint32_t first;
	uint64_t next;

	db = mike_db_create(path);
	ck_assert(db);
	ck_assert(db->reserve_message_ids(db, GROUP, 10, &first));
	ck_assert(!db->reserve_message_ids(db, GROUP, UINT32_MAX, &first));
	ck_assert(db->reserve_message_ids(db, GROUP, UINT32_MAX - 10, &first));
	ck_assert_int_eq(first, 10);
	ck_assert(db->get_next_message_id(db, GROUP, &next));
	ck_assert(next == ((uint64_t)1 << 32) - 1);
	ck_assert(db->reserve_message_ids(db, GROUP, 1, &first));
	ck_assert_int_eq(first, UINT32_MAX);
	ck_assert(!db->reserve_message_ids(db, GROUP, 1, &first));
	db->destroy(db);
}
END_TEST

/*******************************************************************************
 * SPIs
 */

static bool list_has(linked_list_t *list, uint32_t spi)
{
	enumerator_t *enumerator;
	uintptr_t value;
	bool found = FALSE;

	enumerator = list->create_enumerator(list);
	while (!found && enumerator->enumerate(enumerator, &value))
	{
		found = value == spi;
	}
	enumerator->destroy(enumerator);
	return found;
}

START_TEST(test_spis)
{
	mike_db_t *db;
	mike_tek_t *tek;
	linked_list_t *list;
	chunk_t k = bytes(36, 9), kek1 = bytes(16, 10), kek2 = bytes(16, 11);
	chunk_t keymat = bytes(64, 12);

	db = mike_db_create(path);
	ck_assert(db);
	ck_assert_int_eq(db->claim_spi(db, GROUP, 0x2000), SUCCESS);
	ck_assert_int_eq(db->claim_spi(db, GROUP, 0x2000), ALREADY_DONE);
	ck_assert_int_eq(db->claim_spi(db, "other", 0x2000), SUCCESS);
	tek = tek_aead(0x3000, k);
	ck_assert(db->put_tek(db, GROUP, tek, 1));
	ck_assert(db->remove_tek(db, GROUP, 0x3000));
	ck_assert(db->set_kek(db, GROUP, kek1, keymat));
	ck_assert(db->set_kek(db, GROUP, kek1, keymat));	/* same KEK again */
	ck_assert(db->set_kek(db, GROUP, kek2, keymat));
	db->destroy(db);

	db = mike_db_create(path);
	ck_assert(db);
	ck_assert_int_eq(db->claim_spi(db, GROUP, 0x2000), ALREADY_DONE);
	ck_assert_int_eq(db->claim_spi(db, GROUP, 0x3000), ALREADY_DONE);
	ck_assert_int_eq(db->claim_spi(db, GROUP, 0x3001), SUCCESS);
	/* an old KEK SPI is refused, the current one stays */
	ck_assert(!db->set_kek(db, GROUP, kek1, keymat));
	{
		chunk_t spi, km;

		ck_assert(db->get_kek(db, GROUP, &spi, &km));
		ck_assert_chunk_eq(spi, kek2);
		ck_assert_chunk_eq(km, keymat);
		chunk_free(&spi);
		chunk_clear(&km);
	}
	list = db->load_spis(db, GROUP);
	ck_assert(list);
	ck_assert_int_eq(list->get_count(list), 3);
	ck_assert(list_has(list, 0x2000));
	ck_assert(list_has(list, 0x3000));
	ck_assert(list_has(list, 0x3001));
	list->destroy(list);

	/* clearing a group keeps its used SPIs and Message IDs */
	ck_assert(db->clear_group(db, GROUP));
	ck_assert_int_eq(db->claim_spi(db, GROUP, 0x2000), ALREADY_DONE);
	ck_assert(!db->set_kek(db, GROUP, kek2, keymat));
	db->destroy(db);

	tek->destroy(tek);
	chunk_clear(&k);
	chunk_free(&kek1);
	chunk_free(&kek2);
	chunk_clear(&keymat);
}
END_TEST

/*******************************************************************************
 * Transactions
 */

START_TEST(test_transaction)
{
	mike_db_t *db;
	linked_list_t *list;
	identification_t *id;
	chunk_t lkh = bytes(50, 1), got;

	id = identification_create_from_string("carol@example.com");
	db = mike_db_create(path);
	ck_assert(db);
	ck_assert(db->begin(db));
	ck_assert(!db->begin(db));
	ck_assert(db->put_member(db, GROUP, id, FALSE, 0, 3));
	ck_assert(db->set_lkh(db, GROUP, lkh));
	ck_assert(db->rollback(db));
	list = db->load_members(db, GROUP);
	ck_assert_int_eq(list->get_count(list), 0);
	list->destroy(list);

	ck_assert(db->begin(db));
	ck_assert(db->put_member(db, GROUP, id, FALSE, 0, 3));
	ck_assert(db->set_lkh(db, GROUP, lkh));
	/* a failing update inside rolls back only itself */
	ck_assert(!db->set_kek(db, GROUP, chunk_empty, lkh));
	ck_assert(db->commit(db));
	ck_assert(!db->commit(db));
	db->destroy(db);

	db = mike_db_create(path);
	ck_assert(db);
	list = db->load_members(db, GROUP);
	ck_assert_int_eq(list->get_count(list), 1);
	list->destroy_function(list, (void*)mike_db_member_destroy);
	ck_assert(db->get_lkh(db, GROUP, &got));
	ck_assert_chunk_eq(got, lkh);
	chunk_clear(&got);
	/* an open transaction is rolled back on destroy */
	ck_assert(db->begin(db));
	ck_assert(db->remove_member(db, GROUP, id));
	db->destroy(db);
	db = mike_db_create(path);
	list = db->load_members(db, GROUP);
	ck_assert_int_eq(list->get_count(list), 1);
	list->destroy_function(list, (void*)mike_db_member_destroy);
	db->destroy(db);

	id->destroy(id);
	chunk_clear(&lkh);
}
END_TEST

/*******************************************************************************
 * Broken files
 */

static void write_file(char *file, chunk_t data, off_t offset)
{
	int fd;

	fd = open(file, O_WRONLY | O_CREAT, 0600);
	ck_assert(fd >= 0);
	ck_assert(pwrite(fd, data.ptr, data.len, offset) == data.len);
	close(fd);
}

START_TEST(test_corrupt_garbage)
{
	chunk_t junk = bytes(8192, 42);

	write_file(path, junk, 0);
	ck_assert(!mike_db_create(path));
	chunk_free(&junk);
}
END_TEST

START_TEST(test_corrupt_pages)
{
	mike_db_t *db;
	identification_t *id;
	chunk_t junk = bytes(4096 * 4, 0x5a);
	char buf[64], *wal;
	int i;

	db = mike_db_create(path);
	ck_assert(db);
	for (i = 0; i < 300; i++)
	{
		snprintf(buf, sizeof(buf), "member%d@example.com", i);
		id = identification_create_from_string(buf);
		ck_assert(db->put_member(db, GROUP, id, FALSE, i, 3));
		id->destroy(id);
	}
	db->destroy(db);	/* checkpoints the WAL into the file */
	ck_assert(asprintf(&wal, "%s-wal", path) > 0);
	ck_assert(access(wal, F_OK) != 0);
	free(wal);
	/* overwrite everything but the header page */
	write_file(path, junk, 4096);
	ck_assert(!mike_db_create(path));
	chunk_free(&junk);
}
END_TEST

START_TEST(test_corrupt_truncated_header)
{
	mike_db_t *db;
	chunk_t junk = bytes(100, 0x11);

	db = mike_db_create(path);
	ck_assert(db);
	db->destroy(db);
	write_file(path, junk, 0);
	ck_assert(!mike_db_create(path));
	chunk_free(&junk);
}
END_TEST

START_TEST(test_schema_version)
{
	mike_db_t *db;
	sqlite3 *raw;

	db = mike_db_create(path);
	ck_assert(db);
	db->destroy(db);
	ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw, "UPDATE schema_version SET "
								  "version = 99", NULL, NULL, NULL),
					 SQLITE_OK);
	sqlite3_close(raw);
	ck_assert(!mike_db_create(path));
}
END_TEST

/** the schema of version 1, as the first release wrote it */
static const char *schema_v1 =
	"CREATE TABLE schema_version (version INTEGER NOT NULL);"
	"CREATE TABLE groups (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
		"next_msg_id INTEGER NOT NULL DEFAULT 0, kek_spi BLOB, "
		"kek_keymat BLOB, lkh BLOB, signer BLOB, expelled BLOB);"
	"CREATE TABLE used_spis (group_id INTEGER NOT NULL REFERENCES "
		"groups(id), spi BLOB NOT NULL, PRIMARY KEY (group_id, spi)) "
		"WITHOUT ROWID;"
	"CREATE TABLE teks (group_id INTEGER NOT NULL REFERENCES groups(id), "
		"spi INTEGER NOT NULL, enc_alg INTEGER NOT NULL, "
		"enc_keylen INTEGER NOT NULL, int_alg INTEGER NOT NULL, "
		"keymat BLOB NOT NULL, lifetime INTEGER NOT NULL, "
		"created INTEGER NOT NULL, sender_type INTEGER, sender BLOB, "
		"source_family INTEGER, source BLOB, source_port INTEGER, "
		"PRIMARY KEY (group_id, spi));"
	"CREATE TABLE members (seq INTEGER PRIMARY KEY, group_id INTEGER NOT "
		"NULL REFERENCES groups(id), id_type INTEGER NOT NULL, "
		"id BLOB NOT NULL, sender INTEGER NOT NULL, tek_spi INTEGER NOT NULL, "
		"leaf INTEGER NOT NULL, UNIQUE (group_id, id_type, id));"
	"INSERT INTO schema_version VALUES (1);"
	"INSERT INTO groups (name, next_msg_id, kek_spi, kek_keymat, lkh) "
		"VALUES ('" GROUP "', 7, x'0102', x'0304', x'05060708');";

/**
 * A file of schema version 1 is converted to version 2: its data kept, the
 * tree blob there until its group converts it into nodes
 */
START_TEST(test_schema_upgrade)
{
	mike_db_t *db;
	sqlite3 *raw;
	sqlite3_stmt *stmt;
	linked_list_t *nodes;
	uint64_t next;
	uint32_t next_id, next_num;
	chunk_t lkh, spi, keymat;

	ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw, schema_v1, NULL, NULL, NULL),
					 SQLITE_OK);
	sqlite3_close(raw);

	db = mike_db_create(path);
	ck_assert(db);
	ck_assert(db->get_next_message_id(db, GROUP, &next));
	ck_assert_int_eq(next, 7);
	ck_assert(db->get_kek(db, GROUP, &spi, &keymat));
	ck_assert_chunk_eq(spi, chunk_from_chars(0x01, 0x02));
	chunk_free(&spi);
	chunk_clear(&keymat);
	ck_assert(db->get_lkh(db, GROUP, &lkh));
	ck_assert_chunk_eq(lkh, chunk_from_chars(0x05, 0x06, 0x07, 0x08));
	chunk_clear(&lkh);
	nodes = db->load_lkh_nodes(db, GROUP, &next_id, &next_num);
	ck_assert(nodes);
	ck_assert_int_eq(nodes->get_count(nodes), 0);
	ck_assert_int_eq(next_num, 0);
	nodes->destroy(nodes);
	db->destroy(db);

	ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(raw, "SELECT version FROM "
								"schema_version", -1, &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(stmt, 0), MIKE_DB_SCHEMA_VERSION);
	sqlite3_finalize(stmt);
	sqlite3_close(raw);
	/* and once converted it opens as it is */
	db = mike_db_create(path);
	ck_assert(db);
	db->destroy(db);
}
END_TEST

/**
 * Tree nodes are stored by number, replaced when written again, loaded in
 * order with the counters, and cleared
 */
START_TEST(test_lkh_nodes)
{
	mike_lkh_node_t in[3] = {
		{ .num = 1, .parent = 0, .id = 5, .key = bytes(32, 1) },
		{ .num = 2, .parent = 1, .side = 0, .id = 6, .key = bytes(32, 2),
		  .is_member = TRUE, .member = 0 },
		{ .num = 3, .parent = 1, .side = 1 },
	}, *out;
	mike_db_t *db;
	linked_list_t *list, *nodes;
	enumerator_t *enumerator;
	uint32_t next_id, next_num;
	int i = 0;

	db = mike_db_create(path);
	ck_assert(db);
	list = linked_list_create_with_items(&in[2], &in[0], &in[1], NULL);
	enumerator = list->create_enumerator(list);
	ck_assert(db->put_lkh_nodes(db, GROUP, enumerator, 7, 4));
	enumerator->destroy(enumerator);
	/* node 2 loses its member and key */
	in[1].is_member = FALSE;
	chunk_clear(&in[1].key);
	in[1].id = 0;
	list->remove(list, &in[0], NULL);
	list->remove(list, &in[2], NULL);
	enumerator = list->create_enumerator(list);
	ck_assert(db->put_lkh_nodes(db, GROUP, enumerator, 8, 4));
	enumerator->destroy(enumerator);
	list->destroy(list);

	nodes = db->load_lkh_nodes(db, GROUP, &next_id, &next_num);
	ck_assert(nodes);
	ck_assert_int_eq(next_id, 8);
	ck_assert_int_eq(next_num, 4);
	ck_assert_int_eq(nodes->get_count(nodes), 3);
	enumerator = nodes->create_enumerator(nodes);
	while (enumerator->enumerate(enumerator, &out))
	{
		ck_assert_int_eq(out->num, in[i].num);
		ck_assert_int_eq(out->parent, in[i].parent);
		ck_assert_int_eq(out->side, in[i].side);
		ck_assert_int_eq(out->id, in[i].id);
		ck_assert_int_eq(out->key.len, in[i].key.len);
		ck_assert(!out->key.len || chunk_equals(out->key, in[i].key));
		ck_assert(out->is_member == in[i].is_member);
		i++;
	}
	enumerator->destroy(enumerator);
	nodes->destroy_function(nodes, (void*)mike_db_lkh_node_destroy);

	/* cleared with the group, and by clear_lkh_nodes() */
	ck_assert(db->clear_group(db, GROUP));
	nodes = db->load_lkh_nodes(db, GROUP, &next_id, &next_num);
	ck_assert(nodes && !nodes->get_count(nodes) && !next_num);
	nodes->destroy(nodes);
	list = linked_list_create_with_items(&in[0], NULL);
	enumerator = list->create_enumerator(list);
	ck_assert(db->put_lkh_nodes(db, GROUP, enumerator, 7, 4));
	enumerator->destroy(enumerator);
	list->destroy(list);
	ck_assert(db->clear_lkh_nodes(db, GROUP));
	nodes = db->load_lkh_nodes(db, GROUP, &next_id, &next_num);
	ck_assert(nodes && !nodes->get_count(nodes) && !next_num);
	nodes->destroy(nodes);
	chunk_clear(&in[0].key);
	db->destroy(db);
}
END_TEST

/*******************************************************************************
 * Concurrent use
 */

START_TEST(test_two_stores)
{
	mike_db_t *a, *b;
	uint32_t first, prev = 0;
	bool had = FALSE;
	int i;

	a = mike_db_create(path);
	b = mike_db_create(path);
	ck_assert(a && b);
	for (i = 0; i < 20; i++)
	{
		ck_assert((i % 2 ? a : b)->reserve_message_ids(i % 2 ? a : b,
													  GROUP, 2, &first));
		ck_assert(!had || first == prev + 2);
		prev = first;
		had = TRUE;
	}
	ck_assert_int_eq(a->claim_spi(a, GROUP, 77), SUCCESS);
	ck_assert_int_eq(b->claim_spi(b, GROUP, 77), ALREADY_DONE);
	a->destroy(a);
	b->destroy(b);
}
END_TEST

#define PROCS 3
#define ROUNDS 50

START_TEST(test_two_processes)
{
	mike_db_t *db;
	uint32_t ids[PROCS * ROUNDS], first;
	int fds[2], status, i, j, n = 0;
	pid_t pids[PROCS];

	db = mike_db_create(path);
	ck_assert(db);
	db->destroy(db);
	ck_assert_int_eq(pipe(fds), 0);
	for (i = 0; i < PROCS; i++)
	{
		pids[i] = fork();
		ck_assert(pids[i] >= 0);
		if (pids[i] == 0)
		{
			close(fds[0]);
			db = mike_db_create(path);
			for (j = 0; db && j < ROUNDS; j++)
			{
				if (!db->reserve_message_ids(db, GROUP, 1, &first) ||
					write(fds[1], &first, sizeof(first)) != sizeof(first))
				{
					_exit(1);
				}
			}
			_exit(db ? 0 : 1);
		}
	}
	close(fds[1]);
	while (n < countof(ids) &&
		   read(fds[0], &ids[n], sizeof(ids[n])) == sizeof(ids[n]))
	{
		n++;
	}
	close(fds[0]);
	for (i = 0; i < PROCS; i++)
	{
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ck_assert_int_eq(n, PROCS * ROUNDS);
	for (i = 0; i < n; i++)
	{	/* all distinct and exactly 0..n-1 */
		ck_assert(ids[i] < n);
		for (j = i + 1; j < n; j++)
		{
			ck_assert(ids[i] != ids[j]);
		}
	}
}
END_TEST

Suite *db_suite(void)
{
	Suite *s = suite_create("db");
	TCase *tc;

	tc = tcase_create("file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_create_mode);
	tcase_add_test(tc, test_create_tightens_mode);
	tcase_add_test(tc, test_create_unwritable);
	suite_add_tcase(s, tc);

	tc = tcase_create("roundtrip");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_unknown_group);
	tcase_add_test(tc, test_members_order);
	tcase_add_test(tc, test_bad_rows);
	tcase_add_test(tc, test_transaction);
	suite_add_tcase(s, tc);

	tc = tcase_create("msg_ids");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_msg_ids);
	tcase_add_test(tc, test_msg_ids_exhausted);
	suite_add_tcase(s, tc);

	tc = tcase_create("spis");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_spis);
	suite_add_tcase(s, tc);

	tc = tcase_create("corrupt");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_corrupt_garbage);
	tcase_add_test(tc, test_corrupt_pages);
	tcase_add_test(tc, test_corrupt_truncated_header);
	tcase_add_test(tc, test_schema_version);
	tcase_add_test(tc, test_schema_upgrade);
	tcase_add_test(tc, test_lkh_nodes);
	suite_add_tcase(s, tc);

	tc = tcase_create("concurrent");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_two_stores);
	tcase_add_test(tc, test_two_processes);
	suite_add_tcase(s, tc);
	return s;
}
