/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * mike-store-bench: what the GCKS's state store writes per join and per
 * leave (docs/gcks-store.md), for groups of 1,000 to 1,000,000 members,
 * beside what the full rewrite of schema version 1 wrote per change (every
 * member row and the whole serialized key tree), measured in the same run.
 *
 * A group of n members is written into a fresh store as a balanced tree
 * (2n - 1 nodes), restored by mike_gcks_group_create() as after a restart,
 * then members join and leave through mike_gcks_group_t with a save() after
 * each, as
 * the daemon does.  Bytes written are the process's write(2) bytes
 * (/proc/self/io wchar) during save(): SQLite's WAL frames, synced.
 *
 *   mike-store-bench [-n OPS] [-d DIR] [-s MIN_MEMBERS] [-m MAX_MEMBERS]
 *
 * It reports, it never fails on timing.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include <library.h>
#include <daemon.h>

#include "gcks/mike_gcks_group.h"
#include "common/mike_group_config.h"
#include "group/mike_db.h"
#include "group/mike_lkh.h"

/** crypto plugins the group needs */
#define PLUGINS "random kdf hmac sha1 sha2 pkcs1 openssl"

/** the benchmark's group */
#define GROUP "g"

static double now_ms()
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/**
 * Bytes this process passed to write(2) so far
 */
static uint64_t written_bytes()
{
	char line[128];
	uint64_t value = 0;
	FILE *file;

	file = fopen("/proc/self/io", "r");
	if (!file)
	{
		return 0;
	}
	while (fgets(line, sizeof(line), file))
	{
		if (sscanf(line, "wchar: %llu", (unsigned long long*)&value) == 1)
		{
			break;
		}
	}
	fclose(file);
	return value;
}

static mike_group_config_t *config()
{
	mike_group_config_t *cfg;
	settings_t *settings;
	char *error = NULL;

	settings = settings_create_string("groups {\n " GROUP " {\n"
						"role = gcks\naddress = 239.1.2.3\n }\n}\n");
	cfg = mike_group_config_create(settings, "groups", GROUP, &error);
	settings->destroy(settings);
	if (!cfg)
	{
		fprintf(stderr, "group config rejected: %s\n", error);
		exit(1);
	}
	return cfg;
}

/**
 * The nodes of a balanced tree of members [first, first + n), numbered and
 * keyed in preorder
 */
typedef struct {
	mike_lkh_node_t *nodes;
	uint32_t count;
	chunk_t keys;
} tree_t;

static void build(tree_t *tree, uint32_t parent, uint8_t side, uint32_t first,
				  uint32_t n)
{
	mike_lkh_node_t *node = &tree->nodes[tree->count++];
	uint32_t num = tree->count;

	*node = (mike_lkh_node_t){
		.num = num,
		.parent = parent,
		.side = side,
		.id = num,
		.key = chunk_create(tree->keys.ptr + (num - 1) * MIKE_LKH_KEY_SIZE,
							MIKE_LKH_KEY_SIZE),
		.is_member = n == 1 && parent,
		.member = n == 1 ? first : 0,
	};
	if (n > 1 || !parent)
	{
		build(tree, num, 0, first, (n + 1) / 2);
		build(tree, num, 1, first + (n + 1) / 2, n / 2);
	}
}

/**
 * Write a group of n members into a fresh store, as a GCKS would have left
 * it
 */
static void populate(mike_db_t *db, uint32_t n)
{
	linked_list_t *list;
	enumerator_t *enumerator;
	identification_t *id;
	rng_t *rng;
	tree_t tree = {};
	chunk_t spi, keymat;
	char name[64];
	uint32_t i;
	bool ok;

	rng = lib->crypto->create_rng(lib->crypto, RNG_WEAK);
	tree.nodes = calloc(2 * n, sizeof(mike_lkh_node_t));
	if (!rng || !rng->allocate_bytes(rng, 2 * n * MIKE_LKH_KEY_SIZE,
									 &tree.keys) ||
		!rng->allocate_bytes(rng, MIKE_KEK_SPI_SIZE, &spi) ||
		!rng->allocate_bytes(rng, mike_rekey_suite_keymat_size(
									&mike_rekey_suite_default), &keymat))
	{
		fprintf(stderr, "no RNG\n");
		exit(1);
	}
	build(&tree, 0, 0, 1, n);
	list = linked_list_create();
	for (i = 0; i < tree.count; i++)
	{
		list->insert_last(list, &tree.nodes[i]);
	}
	ok = db->begin(db) && db->set_kek(db, GROUP, spi, keymat);
	enumerator = list->create_enumerator(list);
	ok = ok && db->put_lkh_nodes(db, GROUP, enumerator, tree.count + 1,
								 tree.count + 1);
	enumerator->destroy(enumerator);
	for (i = 1; ok && i <= n; i++)
	{
		snprintf(name, sizeof(name), "m%u.example.org", i);
		id = identification_create_from_string(name);
		ok = db->put_member(db, GROUP, id, FALSE, 0, i);
		id->destroy(id);
	}
	if (!ok || !db->commit(db))
	{
		fprintf(stderr, "populating the store failed\n");
		exit(1);
	}
	list->destroy(list);
	free(tree.nodes);
	chunk_clear(&tree.keys);
	chunk_free(&spi);
	chunk_clear(&keymat);
	rng->destroy(rng);
}

/**
 * Fold the WAL into the database, so the runs start alike
 */
static void checkpoint(char *path)
{
	sqlite3 *raw;

	if (sqlite3_open(path, &raw) == SQLITE_OK)
	{
		sqlite3_exec(raw, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
					 NULL);
	}
	sqlite3_close(raw);
}

/** what one kind of operation cost, summed up */
typedef struct {
	u_int ops;
	uint64_t nodes;
	uint64_t bytes;
	double group_ms;
	double save_ms;
	double worst_save_ms;
} cost_t;

static void add_cost(cost_t *cost, u_int nodes, uint64_t bytes,
					 double group_ms, double save_ms)
{
	cost->ops++;
	cost->nodes += nodes;
	cost->bytes += bytes;
	cost->group_ms += group_ms;
	cost->save_ms += save_ms;
	cost->worst_save_ms = max(cost->worst_save_ms, save_ms);
}

/**
 * Save the group, adding the cost of it to cost
 */
static void save(mike_gcks_group_t *group, cost_t *cost, double group_ms)
{
	uint64_t bytes;
	double start;
	u_int nodes;

	nodes = group->get_lkh(group)->get_change_count(group->get_lkh(group));
	bytes = written_bytes();
	start = now_ms();
	if (!group->save(group))
	{
		fprintf(stderr, "save failed\n");
		exit(1);
	}
	add_cost(cost, nodes, written_bytes() - bytes, group_ms,
			 now_ms() - start);
}

/**
 * What schema version 1 wrote per change: every member row and the tree
 * as one blob, in one transaction (the blob is dropped again afterwards)
 */
static void full_rewrite(mike_gcks_group_t *group, mike_db_t *db, cost_t *cost)
{
	enumerator_t *enumerator;
	mike_gcks_member_t *member;
	chunk_t blob;
	uint64_t bytes;
	double start;
	bool ok;

	bytes = written_bytes();
	start = now_ms();
	ok = db->begin(db);
	enumerator = group->create_member_enumerator(group);
	while (ok && enumerator->enumerate(enumerator, &member))
	{
		ok = db->put_member(db, GROUP, member->id, FALSE, 0, member->leaf);
	}
	enumerator->destroy(enumerator);
	ok = ok && group->get_lkh(group)->serialize(group->get_lkh(group), &blob);
	ok = ok && db->set_lkh(db, GROUP, blob) && db->commit(db);
	add_cost(cost, group->get_lkh(group)->get_member_count(group->get_lkh(group)) * 2 - 1,
			 written_bytes() - bytes, 0, now_ms() - start);
	chunk_clear(&blob);
	if (!ok || !db->set_lkh(db, GROUP, chunk_empty))
	{
		fprintf(stderr, "full rewrite failed\n");
		exit(1);
	}
}

static void print_cost(char *what, cost_t *cost)
{
	printf("  %-22s %6u %9.1f %12.0f %10.3f %10.3f %10.3f\n", what,
		   cost->ops, (double)cost->nodes / cost->ops,
		   (double)cost->bytes / cost->ops, cost->group_ms / cost->ops,
		   cost->save_ms / cost->ops, cost->worst_save_ms);
}

/**
 * Remove a store's files
 */
static void remove_store(char *file)
{
	char name[300];

	unlink(file);
	snprintf(name, sizeof(name), "%s-wal", file);
	unlink(name);
	snprintf(name, sizeof(name), "%s-shm", file);
	unlink(name);
}

/**
 * Size of a file, 0 if unknown
 */
static uint64_t file_size(char *file)
{
	struct stat st;

	return stat(file, &st) == 0 ? st.st_size : 0;
}

/**
 * One group size, returning how long it took in ms
 */
static double run(char *dir, uint32_t n, u_int ops)
{
	mike_gcks_member_t *member;
	enumerator_t *enumerator;
	identification_t *id;
	linked_list_t *path, *rekey;
	mike_gcks_group_t *group;
	mike_db_t *db;
	cost_t join = {}, leave = {}, full = {}, dummy = {};
	char file[256], name[64];
	double start = now_ms(), load_ms, t;
	chunk_t blob;
	uint64_t size;
	u_int i;

	snprintf(file, sizeof(file), "%s/mike-store-bench-%u.db", dir, n);
	remove_store(file);
	db = mike_db_create(file);
	if (!db)
	{
		exit(1);
	}
	populate(db, n);
	checkpoint(file);
	t = now_ms();
	group = mike_gcks_group_create(config(), db);
	load_ms = now_ms() - t;
	if (group->get_member_count(group) != n || !group->get_lkh(group))
	{
		fprintf(stderr, "restoring %u members failed\n", n);
		exit(1);
	}
	/* the first save after a restart compares every member once */
	save(group, &dummy, 0);
	size = file_size(file);

	/* joins into the full tree split leaves, the leaves then free some */
	for (i = 0; i < ops; i++)
	{
		snprintf(name, sizeof(name), "j%u.example.org", i);
		id = identification_create_from_string(name);
		t = now_ms();
		if (!group->add_member(group, id, i + 1, NULL, &path, &rekey))
		{
			fprintf(stderr, "join failed\n");
			exit(1);
		}
		path->destroy_function(path, (void*)mike_lkh_key_destroy);
		rekey->destroy_function(rekey, (void*)mike_lkh_wrapped_destroy);
		id->destroy(id);
		save(group, &join, now_ms() - t);
	}
	for (i = 0; i < ops; i++)
	{
		enumerator = group->create_member_enumerator(group);
		enumerator->enumerate(enumerator, &member);
		enumerator->destroy(enumerator);
		t = now_ms();
		if (!group->remove_member(group, member, &rekey) || !rekey)
		{
			fprintf(stderr, "leave failed\n");
			exit(1);
		}
		rekey->destroy_function(rekey, (void*)mike_lkh_wrapped_destroy);
		save(group, &leave, now_ms() - t);
	}
	for (i = 0; i < (n > 100000 ? 1 : 3); i++)
	{
		full_rewrite(group, db, &full);
	}
	group->get_lkh(group)->serialize(group->get_lkh(group), &blob);

	printf("%u members: %u tree nodes, depth %u, serialized tree %zu bytes, "
		   "file %.1f MB, restored in %.0f ms\n", n,
		   2 * n - 1, group->get_lkh(group)->get_depth(group->get_lkh(group)), blob.len,
		   size / 1e6, load_ms);
	printf("  %-22s %6s %9s %12s %10s %10s %10s\n", "per change", "ops",
		   "nodes", "bytes", "group ms", "save ms", "worst ms");
	print_cost("join (incremental)", &join);
	print_cost("leave (incremental)", &leave);
	print_cost("full rewrite (v1)", &full);
	printf("  bytes per change: %.0fx less than the full rewrite\n",
		   (double)full.bytes / full.ops /
		   max(1.0, (double)(join.bytes + leave.bytes) /
			   (join.ops + leave.ops)));
	fflush(stdout);
	chunk_clear(&blob);
	group->group.destroy(&group->group);
	db->destroy(db);
	remove_store(file);
	/* a larger group rewrites the whole state only once */
	return now_ms() - start - full.save_ms + full.save_ms / full.ops;
}

int main(int argc, char *argv[])
{
	char *dir = "/tmp";
	uint32_t n, min_members = 1000, max_members = 1000000;
	u_int ops = 20;
	double took;
	int opt;

	while ((opt = getopt(argc, argv, "n:d:m:s:")) != -1)
	{
		switch (opt)
		{
			case 'n':
				ops = max(1, atoi(optarg));
				break;
			case 'd':
				dir = optarg;
				break;
			case 'm':
				max_members = strtoul(optarg, NULL, 10);
				break;
			case 's':
				min_members = max(1000, strtoul(optarg, NULL, 10));
				break;
			default:
				fprintf(stderr, "usage: %s [-n OPS] [-d DIR] [-s MIN] [-m MAX]\n",
						argv[0]);
				return 1;
		}
	}
	library_init(NULL, "mike-store-bench");
	/* the code measured logs over charon's bus (daemon.h), unheard */
	if (!libcharon_init() || !lib->plugins->load(lib->plugins, PLUGINS))
	{
		fprintf(stderr, "libcharon_init() or loading the crypto plugins "
				"'%s' failed\n", PLUGINS);
		return 1;
	}
	printf("mike-store-bench: %u joins, then %u leaves per group size, a save "
		   "(one synced transaction) after each; bytes = write(2) bytes of "
		   "the save (WAL frames); group ms = mike_gcks_group_t's "
		   "add_member() or remove_member() in memory, key tree included, "
		   "save ms = save(), "
		   "worst ms its slowest; averages\n", ops, ops);
	for (n = min_members; n <= max_members; n *= 10)
	{
		took = run(dir, n, ops);
		if (n * 10 <= max_members && took * 10 > 120000)
		{
			printf("%u members skipped: %u took %.0f s, 10 times that is "
				   "over 2 minutes (-s %u runs it)\n", n * 10, n, took / 1e3,
				   n * 10);
			break;
		}
	}
	libcharon_deinit();
	library_deinit();
	return 0;
}
