/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * Unit tests of the LKH key tree (mike_lkh).
 *
 * The tree is checked from the outside, the way the group sees it: a
 * simulated GM per member keeps the working key path it was given at
 * registration and updates it with mike_lkh_member_apply() from every
 * rekey set, and must always hold exactly the path the GCKS has for it.
 * Evicted members pool everything they ever knew and try every later
 * rekey set.
 *
 * The random walk is seeded (MIKE_LKH_SEED overrides the seeds) so a
 * failure can be replayed.
 */

#include "tests/mike_tests.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <library.h>
#include <collections/hashtable.h>
#include <bio/bio_writer.h>

#include "group/mike_lkh.h"

/** crypto plugins the tests need (found in Debian's plugin directory) */

/*
 * Assertions for the hot loops: libcheck records every passed ck_assert*()
 * (a write(2) each), these call it only on failure.
 */
#define chk(x) do { if (!(x)) { ck_assert(x); } } while (0)
#define chk_msg(x, ...) do { if (!(x)) { ck_assert_msg(x, __VA_ARGS__); } } while (0)
#define chk_int(a, op, b) do { intmax_t _a = (a), _b = (b); if (!(_a op _b)) { \
	ck_abort_msg("Assertion '%s %s %s' failed: %jd, %jd", #a, #op, #b, _a, _b); \
} } while (0)

/** member ids the random walk uses, 0 included */
#define MAX_MEMBERS 160

/** operations per random walk */
#define OPERATIONS 600

/**
 * A simulated group member.
 */
typedef struct {
	/** currently in the group */
	bool in;
	/** working key path, mike_lkh_key_t, leaf to root */
	linked_list_t *path;
	/** every key it ever held, mike_lkh_key_t */
	linked_list_t *ever;
} sim_member_t;

/**
 * The simulated group.
 */
typedef struct {
	/** the GCKS's tree */
	mike_lkh_t *lkh;
	/** members by id */
	sim_member_t m[MAX_MEMBERS];
	/** members now */
	u_int count;
	/** the most members there ever were */
	u_int peak;
	/** key bytes by Key ID, to see that an ID never names another key */
	chunk_t *seen;
	/** size of seen */
	u_int seen_len;
	/** everything evicted members knew, pooled, &id => mike_lkh_key_t */
	hashtable_t *attacker;
	/** every rekey set sent so far, linked_list_t of mike_lkh_wrapped_t */
	linked_list_t *history;
	/** largest rekey set of a removal */
	u_int max_rekey;
	/** state of the PRNG */
	uint32_t prng;
} sim_t;

/**
 * xorshift32, enough to pick operations reproducibly
 */
static uint32_t xorshift(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

static uint32_t prng(sim_t *sim)
{
	return xorshift(&sim->prng);
}

/**
 * Smallest d with 2^d >= n
 */
static u_int ceil_log2(u_int n)
{
	u_int d = 0;

	while ((1u << d) < n)
	{
		d++;
	}
	return d;
}

static void destroy_keys(linked_list_t *list)
{
	if (list)
	{
		list->destroy_function(list, (void*)mike_lkh_key_destroy);
	}
}

static void destroy_rekey(linked_list_t *list)
{
	if (list)
	{
		list->destroy_function(list, (void*)mike_lkh_wrapped_destroy);
	}
}

/**
 * Keys a holder of known can unwrap from a rekey set
 */
static u_int unwrappable(linked_list_t *known, linked_list_t *rekey)
{
	linked_list_t *learned = linked_list_create();
	u_int count;

	count = mike_lkh_member_unwrap(known, rekey, learned);
	destroy_keys(learned);
	return count;
}

static bool is_seen(sim_t *sim, uint32_t id)
{
	return id < sim->seen_len && sim->seen[id].ptr;
}

/**
 * Remember a Key ID's key, or check it is the one it named before
 */
static void note_key(sim_t *sim, mike_lkh_key_t *key)
{
	u_int len;

	chk_int(key->id, !=, 0);
	chk_int(key->key.len, ==, MIKE_LKH_KEY_SIZE);
	if (key->id >= sim->seen_len)
	{
		len = max(key->id + 1, sim->seen_len * 2);
		sim->seen = realloc(sim->seen, len * sizeof(chunk_t));
		memset(sim->seen + sim->seen_len, 0,
			   (len - sim->seen_len) * sizeof(chunk_t));
		sim->seen_len = len;
	}
	if (sim->seen[key->id].ptr)
	{
		chk_msg(chunk_equals(sim->seen[key->id], key->key),
					  "Key ID %u reused for another key", key->id);
	}
	else
	{
		sim->seen[key->id] = chunk_clone(key->key);
	}
}

/**
 * Add the keys of a path a member did not hold yet to what it ever held
 */
static void remember(linked_list_t *ever, linked_list_t *path)
{
	enumerator_t *enumerator;
	mike_lkh_key_t *key;

	enumerator = path->create_enumerator(path);
	while (enumerator->enumerate(enumerator, &key))
	{
		if (!mike_lkh_key_find(ever, key->id))
		{
			ever->insert_last(ever, mike_lkh_key_create(key->id, key->key));
		}
	}
	enumerator->destroy(enumerator);
}

static u_int hash_id(const void *key)
{
	return chunk_hash(chunk_create((u_char*)key, sizeof(uint32_t)));
}

static bool equals_id(const void *a, const void *b)
{
	return *(const uint32_t*)a == *(const uint32_t*)b;
}

static void sim_init(sim_t *sim, uint32_t seed)
{
	*sim = (sim_t){
		.lkh = mike_lkh_create(),
		.attacker = hashtable_create(hash_id, equals_id, 64),
		.history = linked_list_create(),
		.prng = seed ?: 1,
	};
	ck_assert(sim->lkh);
}

static void sim_destroy(sim_t *sim)
{
	enumerator_t *enumerator;
	mike_lkh_key_t *key;
	linked_list_t *rekey;
	u_int i;

	for (i = 0; i < MAX_MEMBERS; i++)
	{
		destroy_keys(sim->m[i].path);
		destroy_keys(sim->m[i].ever);
	}
	for (i = 0; i < sim->seen_len; i++)
	{
		chunk_free(&sim->seen[i]);
	}
	free(sim->seen);
	enumerator = sim->attacker->create_enumerator(sim->attacker);
	while (enumerator->enumerate(enumerator, NULL, &key))
	{
		mike_lkh_key_destroy(key);
	}
	enumerator->destroy(enumerator);
	sim->attacker->destroy(sim->attacker);
	while (sim->history->remove_first(sim->history, (void**)&rekey) == SUCCESS)
	{
		destroy_rekey(rekey);
	}
	sim->history->destroy(sim->history);
	sim->lkh->destroy(sim->lkh);
}

/**
 * Every member receives a rekey set
 */
static void sim_deliver(sim_t *sim, linked_list_t *rekey)
{
	enumerator_t *enumerator;
	mike_lkh_wrapped_t *wrapped;
	mike_lkh_key_t *key;
	u_int i;

	for (i = 0; i < MAX_MEMBERS; i++)
	{
		if (sim->m[i].in)
		{
			mike_lkh_member_apply(sim->m[i].path, rekey);
			remember(sim->m[i].ever, sim->m[i].path);
		}
	}
	/* evicted members pool their keys and listen too: nothing is wrapped
	 * under a key they know (nor can it be unwrapped with one) */
	enumerator = rekey->create_enumerator(rekey);
	while (enumerator->enumerate(enumerator, &wrapped))
	{
		key = sim->attacker->get(sim->attacker, &wrapped->kwk_id);
		chk_msg(!key, "key %u wrapped under evicted key %u", wrapped->id,
				wrapped->kwk_id);
		chk(!sim->attacker->get(sim->attacker, &wrapped->id));
	}
	enumerator->destroy(enumerator);
}

/**
 * The invariants, checked after every operation
 */
static void sim_check(sim_t *sim)
{
	enumerator_t *e1, *e2;
	linked_list_t *path;
	mike_lkh_key_t *k1, *k2;
	chunk_t root;
	uint32_t root_id;
	u_int i, depth, len;

	ck_assert_int_eq(sim->lkh->get_member_count(sim->lkh), sim->count);
	depth = sim->lkh->get_depth(sim->lkh);
	/* the tree only grows to fit the most members there were */
	ck_assert_int_eq(depth, max(1, ceil_log2(sim->peak)));
	sim->lkh->get_root(sim->lkh, &root_id, &root);
	ck_assert_int_ne(root_id, 0);
	ck_assert_int_eq(root.len, MIKE_LKH_KEY_SIZE);

	for (i = 0; i < MAX_MEMBERS; i++)
	{
		if (!sim->m[i].in)
		{
			chk(!sim->lkh->get_path(sim->lkh, i, &path));
			continue;
		}
		chk(sim->lkh->get_path(sim->lkh, i, &path));
		len = path->get_count(path);
		/* balanced within one level */
		chk_msg(len == depth + 1 || len == depth,
					  "member %u at depth %u, tree depth %u", i, len - 1,
					  depth);
		/* what the member holds is exactly its current path */
		chk_int(sim->m[i].path->get_count(sim->m[i].path), ==, len);
		e1 = path->create_enumerator(path);
		e2 = sim->m[i].path->create_enumerator(sim->m[i].path);
		while (e1->enumerate(e1, &k1) && e2->enumerate(e2, &k2))
		{
			chk_int(k1->id, ==, k2->id);
			chk(chunk_equals(k1->key, k2->key));
			note_key(sim, k1);
		}
		e1->destroy(e1);
		e2->destroy(e2);
		path->get_last(path, (void**)&k1);
		chk_int(k1->id, ==, root_id);
		chk(chunk_equals(k1->key, root));
		destroy_keys(path);
	}
}

static void sim_join(sim_t *sim, uint32_t id, bool rekey_on_join)
{
	linked_list_t *path, *rekey, *hist;
	enumerator_t *enumerator;
	mike_lkh_key_t *key;
	chunk_t root, old_root;
	uint32_t root_id, new_root_id;
	u_int depth;

	sim->lkh->get_root(sim->lkh, &root_id, &root);
	old_root = chunk_clone(root);

	ck_assert(sim->lkh->add_member(sim->lkh, id, rekey_on_join, &path,
								   &rekey));
	depth = sim->lkh->get_depth(sim->lkh);
	ck_assert_int_le(rekey->get_count(rekey), 2 * depth);

	enumerator = path->create_enumerator(path);
	while (enumerator->enumerate(enumerator, &key))
	{
		/* backward access control: nothing it gets is an old key */
		if (rekey_on_join)
		{
			chk_msg(!is_seen(sim, key->id), "old key %u", key->id);
		}
		note_key(sim, key);
	}
	enumerator->destroy(enumerator);

	sim->lkh->get_root(sim->lkh, &new_root_id, &root);
	if (rekey_on_join)
	{
		ck_assert_int_ne(new_root_id, root_id);
		/* nor can it unwrap any key sent before it joined */
		enumerator = sim->history->create_enumerator(sim->history);
		while (enumerator->enumerate(enumerator, &hist))
		{
			chk_int(unwrappable(path, hist), ==, 0);
		}
		enumerator->destroy(enumerator);
	}
	else
	{
		ck_assert_int_eq(new_root_id, root_id);
		ck_assert(chunk_equals(root, old_root));
	}
	chunk_free(&old_root);

	sim_deliver(sim, rekey);
	sim->history->insert_last(sim->history, rekey);

	sim->m[id].in = TRUE;
	sim->m[id].path = path;
	sim->m[id].ever = linked_list_create();
	remember(sim->m[id].ever, path);
	sim->count++;
	sim->peak = max(sim->peak, sim->count);
	sim_check(sim);
}

CALLBACK(match_id, bool,
	mike_lkh_wrapped_t *wrapped, va_list args)
{
	uint32_t id;

	VA_ARGS_VGET(args, id);
	return wrapped->id == id;
}

static void sim_leave(sim_t *sim, uint32_t id)
{
	linked_list_t *rekey;
	enumerator_t *enumerator;
	mike_lkh_wrapped_t *wrapped;
	mike_lkh_key_t *key;
	chunk_t root;
	uint32_t root_id, new_root_id;
	u_int depth;

	sim->lkh->get_root(sim->lkh, &root_id, &root);
	ck_assert(sim->lkh->remove_member(sim->lkh, id, &rekey));
	sim->lkh->get_root(sim->lkh, &new_root_id, &root);
	/* forward access control: a new root, under a new Key ID */
	ck_assert(!is_seen(sim, new_root_id));

	depth = sim->lkh->get_depth(sim->lkh);
	ck_assert_int_le(rekey->get_count(rekey), 2 * depth - 1);
	sim->max_rekey = max(sim->max_rekey, rekey->get_count(rekey));
	/* only new keys, wrapped under kept keys or other new ones */
	enumerator = rekey->create_enumerator(rekey);
	while (enumerator->enumerate(enumerator, &wrapped))
	{
		ck_assert(!is_seen(sim, wrapped->id));
		ck_assert(wrapped->kwk_id != new_root_id);
		if (!is_seen(sim, wrapped->kwk_id))
		{
			ck_assert(rekey->find_first(rekey, match_id, NULL,
										wrapped->kwk_id));
		}
	}
	enumerator->destroy(enumerator);

	/* the evicted member, with all it ever knew, gets none of it */
	ck_assert_int_eq(unwrappable(sim->m[id].ever, rekey), 0);
	while (sim->m[id].ever->remove_first(sim->m[id].ever,
										 (void**)&key) == SUCCESS)
	{
		mike_lkh_key_destroy(sim->attacker->put(sim->attacker, &key->id,
												 key));
	}
	sim->m[id].ever->destroy(sim->m[id].ever);
	destroy_keys(sim->m[id].path);
	sim->m[id] = (sim_member_t){};
	sim->count--;

	sim_deliver(sim, rekey);
	sim->history->insert_last(sim->history, rekey);
	sim_check(sim);
}

/*******************************************************************************
 * Random joins and leaves
 */

/** seeds of the random walks */
static uint32_t seeds[] = { 0x6d696b65, 20260427, 0xdeadbeef };

/**
 * Join percentage of a random walk of ops operations at an operation: grow,
 * churn, shrink to a few, grow again
 */
static u_int walk_join_percent(u_int op, u_int ops)
{
	switch (op * 4 / ops)
	{
		case 0:
			return 80;
		case 1:
			return 50;
		case 2:
			return 15;
		default:
			return 75;
	}
}

/**
 * One random join or leave, TRUE if it was a join
 */
static bool sim_random_op(sim_t *sim, u_int join_percent)
{
	uint32_t id;

	if (sim->count < MAX_MEMBERS &&
		(!sim->count || prng(sim) % 100 < join_percent))
	{
		do
		{
			id = prng(sim) % MAX_MEMBERS;
		}
		while (sim->m[id].in);
		sim_join(sim, id, prng(sim) % 100 < 30);
		return TRUE;
	}
	do
	{
		id = prng(sim) % MAX_MEMBERS;
	}
	while (!sim->m[id].in);
	sim_leave(sim, id);
	return FALSE;
}

/**
 * The seed of random walk i
 */
static uint32_t walk_seed(int i)
{
	char *env;

	env = getenv("MIKE_LKH_SEED");
	if (env)
	{
		return strtoul(env, NULL, 0) + i;
	}
	return seeds[i];
}

START_TEST(test_random_walk)
{
	sim_t sim;
	uint32_t seed = walk_seed(_i);
	u_int op, joins = 0, leaves = 0;

	sim_init(&sim, seed);
	sim_check(&sim);

	for (op = 0; op < OPERATIONS; op++)
	{
		if (sim_random_op(&sim, walk_join_percent(op, OPERATIONS)))
		{
			joins++;
		}
		else
		{
			leaves++;
		}
	}
	ck_assert_int_gt(joins, 100);
	ck_assert_int_gt(leaves, 100);
	fprintf(stderr, "random walk seed 0x%08x: %u joins, %u leaves, peak %u "
			"members, depth %u, largest removal rekey %u wrapped keys\n",
			seed, joins, leaves, sim.peak, sim.lkh->get_depth(sim.lkh),
			sim.max_rekey);
	sim_destroy(&sim);
}
END_TEST

/*******************************************************************************
 * Edge cases
 */

START_TEST(test_first_member)
{
	linked_list_t *path, *rekey;
	mike_lkh_t *lkh;
	mike_lkh_key_t *key;
	uint32_t root_id, id;
	chunk_t root, before;

	lkh = mike_lkh_create();
	ck_assert(lkh);
	ck_assert_int_eq(lkh->get_member_count(lkh), 0);
	ck_assert_int_eq(lkh->get_depth(lkh), 1);
	lkh->get_root(lkh, &root_id, &root);
	ck_assert_int_ne(root_id, 0);
	ck_assert_int_eq(root.len, MIKE_LKH_KEY_SIZE);
	before = chunk_clone(root);

	ck_assert(lkh->add_member(lkh, 0, FALSE, &path, &rekey));
	ck_assert_int_eq(rekey->get_count(rekey), 0);
	/* its own leaf key and the root's */
	ck_assert_int_eq(path->get_count(path), 2);
	path->get_first(path, (void**)&key);
	ck_assert_int_ne(key->id, root_id);
	path->get_last(path, (void**)&key);
	ck_assert_int_eq(key->id, root_id);
	ck_assert(chunk_equals(key->key, before));
	lkh->get_root(lkh, &id, &root);
	ck_assert_int_eq(id, root_id);
	ck_assert_int_eq(lkh->get_member_count(lkh), 1);
	/* the id is taken */
	ck_assert(!lkh->add_member(lkh, 0, FALSE, &path, &rekey));

	destroy_keys(path);
	destroy_rekey(rekey);
	chunk_free(&before);
	lkh->destroy(lkh);
}
END_TEST

START_TEST(test_remove_last)
{
	linked_list_t *path, *path2, *rekey;
	mike_lkh_t *lkh;
	mike_lkh_key_t *key;
	uint32_t root_id, id;
	chunk_t root;

	lkh = mike_lkh_create();
	ck_assert(lkh->add_member(lkh, 7, FALSE, &path, &rekey));
	destroy_rekey(rekey);
	lkh->get_root(lkh, &root_id, &root);

	ck_assert(lkh->remove_member(lkh, 7, &rekey));
	/* nobody is left to wrap the new root for */
	ck_assert_int_eq(rekey->get_count(rekey), 0);
	ck_assert_int_eq(lkh->get_member_count(lkh), 0);
	lkh->get_root(lkh, &id, &root);
	ck_assert_int_ne(id, root_id);
	ck_assert(!mike_lkh_key_find(path, id));
	ck_assert(!lkh->get_path(lkh, 7, &path2));
	ck_assert(!lkh->remove_member(lkh, 7, &rekey));
	destroy_rekey(rekey);

	/* the next member gets the new root, and a fresh leaf */
	ck_assert(lkh->add_member(lkh, 7, FALSE, &path2, &rekey));
	ck_assert_int_eq(rekey->get_count(rekey), 0);
	path2->get_last(path2, (void**)&key);
	ck_assert_int_eq(key->id, id);
	path2->get_first(path2, (void**)&key);
	ck_assert(!mike_lkh_key_find(path, key->id));

	destroy_keys(path);
	destroy_keys(path2);
	destroy_rekey(rekey);
	lkh->destroy(lkh);
}
END_TEST

START_TEST(test_remove_unknown)
{
	linked_list_t *path, *rekey = NULL;
	mike_lkh_t *lkh;
	uint32_t root_id, id;
	chunk_t root;

	lkh = mike_lkh_create();
	ck_assert(!lkh->remove_member(lkh, 1, &rekey));
	ck_assert(lkh->add_member(lkh, 1, FALSE, &path, &rekey));
	destroy_rekey(rekey);
	rekey = NULL;
	lkh->get_root(lkh, &root_id, &root);
	ck_assert(!lkh->remove_member(lkh, 2, &rekey));
	ck_assert(!rekey);
	ck_assert(!lkh->get_path(lkh, 2, &path));
	lkh->get_root(lkh, &id, &root);
	ck_assert_int_eq(id, root_id);
	ck_assert_int_eq(lkh->get_member_count(lkh), 1);
	destroy_keys(path);
	lkh->destroy(lkh);
}
END_TEST

/**
 * Key j of a path, leaf first
 */
static mike_lkh_key_t *nth_key(linked_list_t *path, u_int j)
{
	enumerator_t *enumerator;
	mike_lkh_key_t *key, *found = NULL;

	enumerator = path->create_enumerator(path);
	while (enumerator->enumerate(enumerator, &key))
	{
		if (j-- == 0)
		{
			found = key;
			break;
		}
	}
	enumerator->destroy(enumerator);
	ck_assert(found);
	return found;
}

/**
 * Key ID of key j of a path, leaf first
 */
static uint32_t nth_id(linked_list_t *path, u_int j)
{
	return nth_key(path, j)->id;
}

/**
 * The example of RFC 9838 appendix A.3: eight members, one is excluded.
 * The tree here has the root above the RFC's keys 1 and 2 (the root key
 * wraps the SA key), otherwise the figures match: the keys the excluded
 * member shared are replaced, the others are kept.
 */
START_TEST(test_rfc9838_example)
{
	linked_list_t *paths[8], *old[8], *rekey;
	u_int i, k, j, f = 5;
	bool same, shared;

	mike_lkh_t *lkh = mike_lkh_create();
	for (i = 0; i < 8; i++)
	{
		ck_assert(lkh->add_member(lkh, i, FALSE, &paths[i], &rekey));
		for (j = 0; j < i; j++)
		{
			mike_lkh_member_apply(paths[j], rekey);
		}
		destroy_rekey(rekey);
	}
	ck_assert_int_eq(lkh->get_depth(lkh), 3);
	for (i = 0; i < 8; i++)
	{
		ck_assert_int_eq(paths[i]->get_count(paths[i]), 4);
		ck_assert(lkh->get_path(lkh, i, &old[i]));
	}
	ck_assert(lkh->remove_member(lkh, f, &rekey));
	/* 16{E}, 15{16}, 15{6}, root{1}, root{15} in the RFC's names */
	ck_assert_int_eq(rekey->get_count(rekey), 5);
	ck_assert_int_eq(mike_lkh_member_apply(paths[f], rekey), 0);
	for (i = 0; i < 8; i++)
	{
		if (i == f)
		{
			continue;
		}
		/* the sibling learns 3 keys, the other half of the tree 1 */
		ck_assert_int_eq(mike_lkh_member_apply(paths[i], rekey),
						 nth_id(old[i], 1) == nth_id(old[f], 1) ? 3 :
						 nth_id(old[i], 2) == nth_id(old[f], 2) ? 2 : 1);
		ck_assert_int_eq(paths[i]->get_count(paths[i]), 4);
		for (j = 0; j < 4; j++)
		{
			/* exactly the keys the excluded member shared are replaced */
			shared = nth_id(old[i], j) == nth_id(old[f], j);
			same = nth_id(paths[i], j) == nth_id(old[i], j);
			ck_assert_msg(same != shared, "member %u key %u", i, j);
		}
	}
	/* members who shared a key share its replacement */
	for (i = 0; i < 8; i++)
	{
		for (k = 0; k < 8; k++)
		{
			for (j = 0; j < 4 && i != f && k != f; j++)
			{
				ck_assert((nth_id(old[i], j) == nth_id(old[k], j)) ==
						  (nth_id(paths[i], j) == nth_id(paths[k], j)));
			}
		}
	}
	for (i = 0; i < 8; i++)
	{
		destroy_keys(paths[i]);
		destroy_keys(old[i]);
	}
	destroy_rekey(rekey);
	lkh->destroy(lkh);
}
END_TEST

/**
 * Assert two lists of wrapped keys are the same
 */
static void assert_same_wraps(linked_list_t *a, linked_list_t *b)
{
	enumerator_t *ea, *eb;
	mike_lkh_wrapped_t *wa, *wb;

	ck_assert(a && b);
	ck_assert_int_eq(a->get_count(a), b->get_count(b));
	ea = a->create_enumerator(a);
	eb = b->create_enumerator(b);
	while (ea->enumerate(ea, &wa) && eb->enumerate(eb, &wb))
	{
		ck_assert_int_eq(wa->id, wb->id);
		ck_assert_int_eq(wa->kwk_id, wb->kwk_id);
		ck_assert(chunk_equals(wa->wrapped, wb->wrapped));
	}
	ea->destroy(ea);
	eb->destroy(eb);
}

/**
 * The wraps of a registration, kept for the upper levels, are what
 * wrapping every key anew gives, through joins and leaves
 */
START_TEST(test_wrap_path_cached)
{
	linked_list_t *path, *rekey, *cached, *fresh;
	mike_lkh_t *lkh;
	uint8_t kwk_buf[32];
	chunk_t kwk = chunk_from_thing(kwk_buf);
	uint32_t i, round;

	memset(kwk_buf, 0x42, sizeof(kwk_buf));
	lkh = mike_lkh_create();
	for (i = 0; i < 40; i++)
	{
		ck_assert(lkh->add_member(lkh, i, FALSE, &path, &rekey));
		path->destroy_function(path, (void*)mike_lkh_key_destroy);
		rekey->destroy_function(rekey, (void*)mike_lkh_wrapped_destroy);
	}
	for (round = 0; round < 3; round++)
	{
		for (i = round; i < 40; i += 3)
		{
			ck_assert(lkh->get_path(lkh, i, &path));
			cached = lkh->wrap_path(lkh, path, kwk);
			fresh = mike_lkh_wrap_path(path, kwk);
			assert_same_wraps(cached, fresh);
			cached->destroy_function(cached, (void*)mike_lkh_wrapped_destroy);
			/* again, from the cache */
			cached = lkh->wrap_path(lkh, path, kwk);
			assert_same_wraps(cached, fresh);
			cached->destroy_function(cached, (void*)mike_lkh_wrapped_destroy);
			fresh->destroy_function(fresh, (void*)mike_lkh_wrapped_destroy);
			path->destroy_function(path, (void*)mike_lkh_key_destroy);
		}
		/* a leave replaces a path, a join splits a leaf */
		ck_assert(lkh->remove_member(lkh, 3 + round, &rekey));
		rekey->destroy_function(rekey, (void*)mike_lkh_wrapped_destroy);
		ck_assert(lkh->add_member(lkh, 100 + round, FALSE, &path, &rekey));
		path->destroy_function(path, (void*)mike_lkh_key_destroy);
		rekey->destroy_function(rekey, (void*)mike_lkh_wrapped_destroy);
		ck_assert(lkh->add_member(lkh, 200 + round, FALSE, &path, &rekey));
		path->destroy_function(path, (void*)mike_lkh_key_destroy);
		rekey->destroy_function(rekey, (void*)mike_lkh_wrapped_destroy);
	}
	lkh->destroy(lkh);
}
END_TEST

START_TEST(test_split)
{
	linked_list_t *p0, *p1, *p2, *rekey;
	mike_lkh_key_t *key;
	mike_lkh_wrapped_t *wrapped;
	uint32_t root_id;
	chunk_t root;
	mike_lkh_t *lkh;

	lkh = mike_lkh_create();
	ck_assert(lkh->add_member(lkh, 0, FALSE, &p0, &rekey));
	destroy_rekey(rekey);
	ck_assert(lkh->add_member(lkh, 1, FALSE, &p1, &rekey));
	/* the root's second free leaf, nothing to tell member 0 */
	ck_assert_int_eq(rekey->get_count(rekey), 0);
	destroy_rekey(rekey);
	lkh->get_root(lkh, &root_id, &root);

	/* the third splits member 0's leaf */
	ck_assert(lkh->add_member(lkh, 2, FALSE, &p2, &rekey));
	ck_assert_int_eq(lkh->get_depth(lkh), 2);
	ck_assert_int_eq(p2->get_count(p2), 3);
	ck_assert_int_eq(rekey->get_count(rekey), 2);
	/* the new node under member 0's leaf, the root under the new node */
	rekey->get_first(rekey, (void**)&wrapped);
	p0->get_first(p0, (void**)&key);
	ck_assert_int_eq(wrapped->kwk_id, key->id);
	key = nth_key(p2, 1);
	ck_assert_int_eq(wrapped->id, key->id);
	rekey->get_last(rekey, (void**)&wrapped);
	ck_assert_int_eq(wrapped->id, root_id);
	ck_assert_int_eq(wrapped->kwk_id, key->id);

	ck_assert_int_eq(mike_lkh_member_apply(p1, rekey), 0);
	ck_assert_int_eq(p1->get_count(p1), 2);
	ck_assert_int_eq(mike_lkh_member_apply(p0, rekey), 1);
	ck_assert_int_eq(p0->get_count(p0), 3);
	key = nth_key(p0, 1);
	ck_assert(mike_lkh_key_find(p2, key->id));
	p0->get_last(p0, (void**)&key);
	ck_assert_int_eq(key->id, root_id);

	destroy_keys(p0);
	destroy_keys(p1);
	destroy_keys(p2);
	destroy_rekey(rekey);
	lkh->destroy(lkh);
}
END_TEST

START_TEST(test_tampered)
{
	linked_list_t *p0, *p1, *rekey;
	mike_lkh_wrapped_t *wrapped;
	mike_lkh_key_t *key;
	mike_lkh_t *lkh;
	uint32_t root_id;
	chunk_t root;

	lkh = mike_lkh_create();
	ck_assert(lkh->add_member(lkh, 0, FALSE, &p0, &rekey));
	destroy_rekey(rekey);
	ck_assert(lkh->add_member(lkh, 1, FALSE, &p1, &rekey));
	destroy_rekey(rekey);
	ck_assert(lkh->remove_member(lkh, 1, &rekey));
	ck_assert_int_eq(rekey->get_count(rekey), 1);
	rekey->get_first(rekey, (void**)&wrapped);
	wrapped->wrapped.ptr[3] ^= 0x10;
	/* an altered key is not taken, the path stays as it was */
	ck_assert_int_eq(mike_lkh_member_apply(p0, rekey), 0);
	ck_assert_int_eq(p0->get_count(p0), 2);
	wrapped->wrapped.ptr[3] ^= 0x10;
	ck_assert_int_eq(mike_lkh_member_apply(p0, rekey), 1);
	lkh->get_root(lkh, &root_id, &root);
	p0->get_last(p0, (void**)&key);
	ck_assert_int_eq(key->id, root_id);
	ck_assert(chunk_equals(key->key, root));
	/* applying it again changes nothing */
	ck_assert_int_eq(mike_lkh_member_apply(p0, rekey), 0);
	ck_assert_int_eq(p0->get_count(p0), 2);

	destroy_keys(p0);
	destroy_keys(p1);
	destroy_rekey(rekey);
	lkh->destroy(lkh);
}
END_TEST

/*******************************************************************************
 * Serialization
 */

/** node flags of the serialization, as docs/lkh.md defines them */
#define F_INNER		0x01
#define F_MEMBER	0x02
#define F_KEYED		0x04

static chunk_t serialize(mike_lkh_t *lkh)
{
	chunk_t blob = chunk_empty;

	ck_assert(lkh->serialize(lkh, &blob));
	ck_assert(blob.len >= 6);
	return blob;
}

/**
 * Load a blob from a copy of exactly its size, so that a read past its end
 * shows under valgrind or ASan
 */
static mike_lkh_t *load_copy(chunk_t blob)
{
	mike_lkh_t *lkh;
	chunk_t copy;

	copy = chunk_clone(blob);
	lkh = mike_lkh_load(copy);
	chunk_clear(&copy);
	return lkh;
}

/**
 * Silence the log, for loops that load thousands of invalid blobs (the
 * hand-made ones below show each reason)
 */
static void quiet(bool on)
{
	dbg_default_set_level(on ? LEVEL_SILENT : LEVEL_CTRL);
}

/**
 * Both trees are the same, seen from the outside
 */
static void check_same(mike_lkh_t *a, mike_lkh_t *b)
{
	linked_list_t *pa, *pb;
	enumerator_t *ea, *eb;
	mike_lkh_key_t *ka, *kb;
	chunk_t ra, rb, sa, sb;
	uint32_t ida, idb;
	u_int i;

	ck_assert_int_eq(a->get_member_count(a), b->get_member_count(b));
	ck_assert_int_eq(a->get_depth(a), b->get_depth(b));
	a->get_root(a, &ida, &ra);
	b->get_root(b, &idb, &rb);
	ck_assert_int_eq(ida, idb);
	ck_assert(chunk_equals(ra, rb));
	sa = serialize(a);
	sb = serialize(b);
	ck_assert(chunk_equals(sa, sb));
	chunk_clear(&sa);
	chunk_clear(&sb);

	for (i = 0; i < MAX_MEMBERS; i++)
	{
		if (!a->get_path(a, i, &pa))
		{
			chk(!b->get_path(b, i, &pb));
			continue;
		}
		chk(b->get_path(b, i, &pb));
		chk_int(pa->get_count(pa), ==, pb->get_count(pb));
		ea = pa->create_enumerator(pa);
		eb = pb->create_enumerator(pb);
		while (ea->enumerate(ea, &ka) && eb->enumerate(eb, &kb))
		{
			chk_int(ka->id, ==, kb->id);
			chk(chunk_equals(ka->key, kb->key));
		}
		ea->destroy(ea);
		eb->destroy(eb);
		destroy_keys(pa);
		destroy_keys(pb);
	}
}

/**
 * Replace the simulation's tree with one loaded from its serialization,
 * as a GCKS restart would
 */
static void sim_reload(sim_t *sim)
{
	mike_lkh_t *loaded;
	chunk_t blob;

	blob = serialize(sim->lkh);
	loaded = load_copy(blob);
	chunk_clear(&blob);
	ck_assert(loaded);
	check_same(sim->lkh, loaded);
	sim->lkh->destroy(sim->lkh);
	sim->lkh = loaded;
	sim_check(sim);
}

START_TEST(test_serialize_empty)
{
	linked_list_t *path, *rekey;
	mike_lkh_t *lkh, *loaded;
	mike_lkh_key_t *key;
	uint32_t root_id;
	chunk_t blob, root;

	lkh = mike_lkh_create();
	ck_assert(lkh);
	blob = serialize(lkh);
	/* version, next Key ID, the keyed root and its two free leaves */
	ck_assert_int_eq(blob.len, 1 + 4 + (1 + 4 + MIKE_LKH_KEY_SIZE) + 1 + 1);
	ck_assert_int_eq(blob.ptr[0], 1);
	loaded = load_copy(blob);
	ck_assert(loaded);
	check_same(lkh, loaded);
	ck_assert_int_eq(loaded->get_member_count(loaded), 0);
	ck_assert_int_eq(loaded->get_depth(loaded), 1);

	/* it takes members as the original would, with fresh Key IDs */
	loaded->get_root(loaded, &root_id, &root);
	ck_assert(loaded->add_member(loaded, 3, FALSE, &path, &rekey));
	ck_assert_int_eq(rekey->get_count(rekey), 0);
	ck_assert_int_eq(path->get_count(path), 2);
	path->get_first(path, (void**)&key);
	ck_assert_int_gt(key->id, root_id);
	path->get_last(path, (void**)&key);
	ck_assert_int_eq(key->id, root_id);
	ck_assert(chunk_equals(key->key, root));
	destroy_keys(path);
	destroy_rekey(rekey);

	chunk_clear(&blob);
	loaded->destroy(loaded);
	lkh->destroy(lkh);
}
END_TEST

/**
 * The random walk with the tree restored from its serialization after
 * every operation: the members' paths, updated from the rekey sets of the
 * restored trees, stay exactly what the trees say
 */
START_TEST(test_serialize_walk)
{
	sim_t sim;
	u_int op;

	sim_init(&sim, walk_seed(_i));
	sim_reload(&sim);
	for (op = 0; op < OPERATIONS; op++)
	{
		sim_random_op(&sim, walk_join_percent(op, OPERATIONS));
		sim_reload(&sim);
	}
	sim_destroy(&sim);
}
END_TEST

/**
 * A tree of some members, after joins and leaves, serialized
 */
static chunk_t sample_blob(u_int ops)
{
	sim_t sim;
	chunk_t blob;
	u_int op;

	sim_init(&sim, 0x5e71a112);
	for (op = 0; op < ops; op++)
	{
		sim_random_op(&sim, 70);
	}
	blob = serialize(sim.lkh);
	sim_destroy(&sim);
	return blob;
}

/*******************************************************************************
 * Nodes, as the GCKS's store keeps them
 */

/**
 * A store of tree nodes by node number, as mike_group_db_t keeps them
 */
typedef struct {
	/** &mike_lkh_node_t.num => mike_lkh_node_t (key cloned) */
	hashtable_t *nodes;
	/** the tree's counters */
	uint32_t next_id;
	uint32_t next_num;
} node_store_t;

static void node_free(mike_lkh_node_t *node)
{
	chunk_clear(&node->key);
	free(node);
}

/**
 * Write the nodes an enumerator gives into the store, return how many
 */
static u_int store_nodes(node_store_t *store, enumerator_t *enumerator)
{
	mike_lkh_node_t *node, *copy;
	u_int count = 0;

	while (enumerator->enumerate(enumerator, &node))
	{
		copy = malloc_thing(mike_lkh_node_t);
		*copy = *node;
		copy->key = chunk_clone(node->key);
		copy = store->nodes->put(store->nodes, &copy->num, copy);
		if (copy)
		{
			node_free(copy);
		}
		count++;
	}
	enumerator->destroy(enumerator);
	return count;
}

/**
 * Save a tree's changes into the store, as a save() after an operation
 */
static u_int store_changes(node_store_t *store, mike_lkh_t *lkh)
{
	u_int count, changes = lkh->get_change_count(lkh);

	count = store_nodes(store, lkh->create_change_enumerator(lkh));
	chk_int(count, ==, changes);
	lkh->clear_changes(lkh);
	chk_int(lkh->get_change_count(lkh), ==, 0);
	lkh->get_counters(lkh, &store->next_id, &store->next_num);
	return count;
}

static void store_init(node_store_t *store)
{
	*store = (node_store_t){
		.nodes = hashtable_create(hash_id, equals_id, 64),
	};
}

static void store_destroy(node_store_t *store)
{
	enumerator_t *enumerator;
	mike_lkh_node_t *node;

	enumerator = store->nodes->create_enumerator(store->nodes);
	while (enumerator->enumerate(enumerator, NULL, &node))
	{
		node_free(node);
	}
	enumerator->destroy(enumerator);
	store->nodes->destroy(store->nodes);
}

/**
 * A fresh tree from the store, as a restarted GCKS loads it
 */
static mike_lkh_t *store_load(node_store_t *store)
{
	enumerator_t *enumerator;
	linked_list_t *list;
	mike_lkh_node_t *node;
	mike_lkh_t *lkh;

	list = linked_list_create();
	enumerator = store->nodes->create_enumerator(store->nodes);
	while (enumerator->enumerate(enumerator, NULL, &node))
	{
		list->insert_last(list, node);
	}
	enumerator->destroy(enumerator);
	lkh = mike_lkh_load_nodes(store->next_id, store->next_num, list);
	list->destroy(list);
	return lkh;
}

/**
 * Both trees have the same shape, members and Key IDs; exactly: the same
 * node numbers and keys as well (not after operations on both, whose keys
 * are random, nor for a tree loaded from a blob, numbered anew)
 */
static void check_same_shape(mike_lkh_t *a, mike_lkh_t *b, bool exactly)
{
	enumerator_t *ea, *eb;
	mike_lkh_node_t *na, *nb;
	bool more_a, more_b;

	ea = a->create_node_enumerator(a);
	eb = b->create_node_enumerator(b);
	while (TRUE)
	{
		more_a = ea->enumerate(ea, &na);
		more_b = eb->enumerate(eb, &nb);
		chk(more_a == more_b);
		if (!more_a)
		{
			break;
		}
		if (exactly)
		{
			chk_int(na->num, ==, nb->num);
			chk_int(na->parent, ==, nb->parent);
			chk((!na->key.len && !nb->key.len) ||
				chunk_equals(na->key, nb->key));
		}
		chk_int(!na->parent, ==, !nb->parent);
		chk_int(na->side, ==, nb->side);
		chk_int(na->id, ==, nb->id);
		chk(na->is_member == nb->is_member);
		chk_int(na->member, ==, nb->member);
	}
	ea->destroy(ea);
	eb->destroy(eb);
}

/**
 * Both trees have exactly the same nodes, numbers and counters
 */
static void check_same_nodes(mike_lkh_t *a, mike_lkh_t *b)
{
	uint32_t ida, idb, numa, numb;

	a->get_counters(a, &ida, &numa);
	b->get_counters(b, &idb, &numb);
	chk_int(ida, ==, idb);
	chk_int(numa, ==, numb);
	check_same_shape(a, b, TRUE);
	check_same(a, b);
}

/**
 * The random walk, the tree's changes saved into a store after every
 * operation (O(log n) nodes each) and the tree restored from the store:
 * the same nodes, and the members (evicted ones unwrapping nothing, as
 * sim_leave() and sim_deliver() check) go on with the restored tree
 */
START_TEST(test_nodes_walk)
{
	node_store_t store;
	mike_lkh_t *loaded;
	sim_t sim;
	u_int op, changed, most = 0;

	sim_init(&sim, walk_seed(_i));
	store_init(&store);
	/* a new tree reports all its nodes */
	ck_assert_int_eq(store_changes(&store, sim.lkh), 3);
	for (op = 0; op < OPERATIONS; op++)
	{
		sim_random_op(&sim, walk_join_percent(op, OPERATIONS));
		changed = store_changes(&store, sim.lkh);
		/* a path, plus the two nodes of a split */
		chk_int(changed, <=, sim.lkh->get_depth(sim.lkh) + 3);
		most = max(most, changed);
		if (op % 7 == 0 || op == OPERATIONS - 1)
		{
			loaded = store_load(&store);
			ck_assert(loaded);
			chk_int(loaded->get_change_count(loaded), ==, 0);
			check_same_nodes(sim.lkh, loaded);
			sim.lkh->destroy(sim.lkh);
			sim.lkh = loaded;
			sim_check(&sim);
		}
	}
	fprintf(stderr, "nodes walk seed 0x%08x: %u nodes stored, at most %u "
			"written per operation, depth %u\n", walk_seed(_i),
			store.nodes->get_count(store.nodes), most,
			sim.lkh->get_depth(sim.lkh));
	store_destroy(&store);
	sim_destroy(&sim);
}
END_TEST

/**
 * A tree converted from a blob reports all its nodes, so a store converts
 * it whole; the nodes make the same tree
 */
START_TEST(test_nodes_from_blob)
{
	node_store_t store;
	mike_lkh_t *a, *b, *c;
	chunk_t blob;

	blob = sample_blob(200);
	a = load_copy(blob);
	ck_assert(a);
	store_init(&store);
	ck_assert_int_eq(store_changes(&store, a),
					 store.nodes->get_count(store.nodes));
	b = store_load(&store);
	ck_assert(b);
	check_same(a, b);
	/* numbered in preorder on conversion, so twice gives the same */
	c = load_copy(blob);
	check_same_nodes(a, c);
	store_destroy(&store);
	chunk_clear(&blob);
	a->destroy(a);
	b->destroy(b);
	c->destroy(c);
}
END_TEST

/**
 * Apply mutation m to a copy of a node, FALSE if it does not apply to it
 */
static bool mutate_node(mike_lkh_node_t *copy, int m, uint32_t next_id,
						uint32_t next_num)
{
	switch (m)
	{
		case 0:		/* a node number beyond the counter */
			copy->num = next_num;
			return TRUE;
		case 1:		/* a second root */
			copy->parent = 0;
			return copy->num != 1;
		case 2:		/* its own parent */
			copy->parent = copy->num;
			return TRUE;
		case 3:		/* the other side, taken by its sibling */
			copy->side = !copy->side;
			return copy->num != 1;
		case 4:		/* a key of the wrong size */
			copy->key.len = 16;
			return copy->id != 0;
		case 5:		/* a Key ID beyond the counter */
			copy->id = next_id;
			return copy->key.len != 0;
		case 6:		/* dropped: its parent has one child left */
			copy->num = 0;
			return TRUE;
		case 7:		/* a member on the root */
			copy->is_member = TRUE;
			copy->member = 100000;
			return copy->parent == 0;
		case 8:		/* a keyed member leaf loses its key */
			copy->id = 0;
			copy->key.len = 0;
			return copy->is_member;
		default:
			return FALSE;
	}
}

/**
 * Stored nodes that do not make a valid tree are refused
 */
START_TEST(test_nodes_invalid)
{
	node_store_t store;
	mike_lkh_node_t *node, *copy;
	mike_lkh_t *lkh, *loaded;
	enumerator_t *enumerator;
	linked_list_t *list;
	uint32_t next_id, next_num, target;
	chunk_t blob, key;
	bool applies;
	int m, tried = 0;

	blob = sample_blob(120);
	lkh = load_copy(blob);
	chunk_clear(&blob);
	ck_assert(lkh);
	lkh->get_counters(lkh, &next_id, &next_num);
	quiet(TRUE);
	for (m = 0; m < 9; m++)
	{
		for (target = 1; target < next_num; target += 3)
		{
			applies = FALSE;
			list = linked_list_create();
			enumerator = lkh->create_node_enumerator(lkh);
			while (enumerator->enumerate(enumerator, &node))
			{
				copy = malloc_thing(mike_lkh_node_t);
				*copy = *node;
				key = node->key;
				if (copy->num == target)
				{
					applies = mutate_node(copy, m, next_id, next_num);
					key.len = copy->key.len;
				}
				copy->key = chunk_clone(key);
				if (copy->num)
				{
					list->insert_last(list, copy);
				}
				else
				{
					node_free(copy);
				}
			}
			enumerator->destroy(enumerator);
			if (applies)
			{
				loaded = mike_lkh_load_nodes(next_id, next_num, list);
				if (loaded)
				{
					quiet(FALSE);
					ck_abort_msg("mutation %d of node %u accepted", m, target);
				}
				tried++;
			}
			list->destroy_function(list, (void*)node_free);
		}
	}
	quiet(FALSE);
	ck_assert_int_gt(tried, 100);
	/* unchanged, it loads */
	store_init(&store);
	store_nodes(&store, lkh->create_node_enumerator(lkh));
	store.next_id = next_id;
	store.next_num = next_num;
	loaded = store_load(&store);
	ck_assert(loaded);
	check_same_nodes(lkh, loaded);
	store_destroy(&store);
	loaded->destroy(loaded);
	lkh->destroy(lkh);
}
END_TEST

START_TEST(test_serialize_truncated)
{
	mike_lkh_t *lkh;
	chunk_t blob, bad;
	u_int len;

	blob = sample_blob(40);
	lkh = load_copy(blob);
	ck_assert(lkh);
	lkh->destroy(lkh);
	quiet(TRUE);
	for (len = 0; len < blob.len; len++)
	{
		chk_msg(!load_copy(chunk_create(blob.ptr, len)),
				"truncated to %u of %zu bytes", len, blob.len);
	}
	/* trailing bytes, whatever they are */
	for (len = 0; len < 256; len++)
	{
		bad = chunk_cat("cc", blob, chunk_from_chars(len));
		chk(!load_copy(bad));
		chunk_clear(&bad);
	}
	bad = chunk_cat("cc", blob, blob);
	ck_assert(!load_copy(bad));
	chunk_clear(&bad);
	chunk_clear(&blob);
	quiet(FALSE);
}
END_TEST

START_TEST(test_serialize_version)
{
	static u_char versions[] = { 0, 2, 0x81, 0xff };
	mike_lkh_t *lkh;
	chunk_t blob;
	u_int i;

	blob = sample_blob(10);
	for (i = 0; i < countof(versions); i++)
	{
		blob.ptr[0] = versions[i];
		ck_assert(!load_copy(blob));
	}
	blob.ptr[0] = 1;
	lkh = load_copy(blob);
	ck_assert(lkh);
	lkh->destroy(lkh);
	chunk_clear(&blob);
}
END_TEST

/**
 * A hand-made node: its flags, then the member id and/or the Key ID with
 * a key made of the ID, as the flags say
 */
static void put_node(bio_writer_t *writer, uint8_t flags, uint32_t member,
					 uint32_t id)
{
	u_char key[MIKE_LKH_KEY_SIZE];

	writer->write_uint8(writer, flags);
	if (flags & F_MEMBER)
	{
		writer->write_uint32(writer, member);
	}
	if (flags & F_KEYED)
	{
		memset(key, id, sizeof(key));
		writer->write_uint32(writer, id);
		writer->write_data(writer, chunk_from_thing(key));
	}
}

/** a node of a hand-made tree, in preorder */
typedef struct {
	uint8_t flags;
	uint32_t member;
	uint32_t id;
} hand_node_t;

/**
 * Load a hand-made tree
 */
static mike_lkh_t *load_nodes(uint32_t next_id, hand_node_t *nodes,
							  u_int count)
{
	bio_writer_t *writer;
	mike_lkh_t *lkh;
	u_int i;

	writer = bio_writer_create(0);
	writer->write_uint8(writer, 1);
	writer->write_uint32(writer, next_id);
	for (i = 0; i < count; i++)
	{
		put_node(writer, nodes[i].flags, nodes[i].member, nodes[i].id);
	}
	lkh = load_copy(writer->get_buf(writer));
	writer->destroy(writer);
	return lkh;
}

#define LOAD(next_id, ...) ({ \
	hand_node_t _n[] = { __VA_ARGS__ }; \
	load_nodes(next_id, _n, countof(_n)); })

/** hand-made nodes: keyed inner node, member leaf, free leaf, vacant node */
#define INNER(id)		{ F_INNER | F_KEYED, 0, id }
#define MEMBER(m, id)	{ F_MEMBER | F_KEYED, m, id }
#define FREE			{ 0, 0, 0 }
#define VACANT			{ F_INNER, 0, 0 }

START_TEST(test_serialize_handmade)
{
	linked_list_t *path;
	mike_lkh_t *lkh;

	/* what serialize() could have written is taken */
	lkh = LOAD(6, INNER(1), INNER(4), MEMBER(7, 2), MEMBER(8, 5), VACANT,
			   FREE, FREE);
	ck_assert(lkh);
	ck_assert_int_eq(lkh->get_member_count(lkh), 2);
	ck_assert_int_eq(lkh->get_depth(lkh), 2);
	ck_assert(lkh->get_path(lkh, 8, &path));
	ck_assert_int_eq(path->get_count(path), 3);
	ck_assert_int_eq(nth_id(path, 0), 5);
	ck_assert_int_eq(nth_id(path, 1), 4);
	ck_assert_int_eq(nth_id(path, 2), 1);
	ck_assert_int_eq(nth_key(path, 0)->key.ptr[0], 5);
	destroy_keys(path);
	lkh->destroy(lkh);

	/* an empty group */
	lkh = LOAD(2, INNER(1), FREE, FREE);
	ck_assert(lkh);
	lkh->destroy(lkh);

	/* a node with one child: the format says two, the second is missing */
	ck_assert(!LOAD(3, INNER(1), MEMBER(7, 2)));
	ck_assert(!LOAD(4, INNER(1), INNER(2), MEMBER(7, 3), FREE));
	/* a member on an inner node, on the root */
	ck_assert(!LOAD(4, INNER(1), { F_INNER | F_MEMBER | F_KEYED, 7, 2 },
					MEMBER(8, 3), FREE, FREE));
	ck_assert(!LOAD(4, { F_INNER | F_MEMBER | F_KEYED, 7, 1 },
					MEMBER(8, 2), FREE));
	/* the root a leaf */
	ck_assert(!LOAD(2, { F_KEYED, 0, 1 }));
	ck_assert(!LOAD(2, MEMBER(7, 1)));
	/* a member twice */
	ck_assert(!LOAD(4, INNER(1), MEMBER(7, 2), MEMBER(7, 3)));
	/* a Key ID twice, 0, at or above the next one */
	ck_assert(!LOAD(4, INNER(1), MEMBER(7, 2), MEMBER(8, 2)));
	ck_assert(!LOAD(4, INNER(1), MEMBER(7, 1), FREE));
	ck_assert(!LOAD(4, INNER(1), MEMBER(7, 0), FREE));
	ck_assert(!LOAD(4, INNER(1), MEMBER(7, 4), FREE));
	ck_assert(!LOAD(4, INNER(5), MEMBER(7, 2), FREE));
	ck_assert(!LOAD(0, INNER(1), FREE, FREE));
	lkh = LOAD(5, INNER(1), MEMBER(7, 4), FREE);
	ck_assert(lkh);
	lkh->destroy(lkh);
	/* a keyless root */
	ck_assert(!LOAD(4, VACANT, FREE, FREE));
	ck_assert(!LOAD(4, VACANT, MEMBER(7, 2), FREE));
	/* keys nobody below needs: a keyed free leaf, a keyed vacant node */
	ck_assert(!LOAD(4, INNER(1), { F_KEYED, 0, 2 }, FREE));
	ck_assert(!LOAD(4, INNER(1), INNER(2), FREE, FREE, MEMBER(7, 3)));
	/* keys missing for a member: its leaf's, a node's above it */
	ck_assert(!LOAD(4, INNER(1), { F_MEMBER, 7, 0 }, FREE));
	ck_assert(!LOAD(4, INNER(1), VACANT, MEMBER(7, 2), FREE, FREE));
	/* unknown flags */
	ck_assert(!LOAD(4, INNER(1), { F_MEMBER | F_KEYED | 0x08, 7, 2 }, FREE));
	ck_assert(!LOAD(4, { F_INNER | F_KEYED | 0x80, 0, 1 }, FREE, FREE));
}
END_TEST

#undef LOAD
#undef INNER
#undef MEMBER
#undef FREE
#undef VACANT

/**
 * A chain of keyed inner nodes down to depth, each with a free leaf to its
 * right, a member at the bottom
 */
static void put_chain(bio_writer_t *writer, u_int level, u_int depth)
{
	if (level == depth)
	{
		put_node(writer, F_MEMBER | F_KEYED, 1, level + 1);
		return;
	}
	put_node(writer, F_INNER | F_KEYED, 0, level + 1);
	put_chain(writer, level + 1, depth);
	put_node(writer, 0, 0, 0);
}

static mike_lkh_t *load_chain(u_int depth)
{
	bio_writer_t *writer;
	mike_lkh_t *lkh;

	writer = bio_writer_create(0);
	writer->write_uint8(writer, 1);
	writer->write_uint32(writer, depth + 2);
	put_chain(writer, 0, depth);
	lkh = load_copy(writer->get_buf(writer));
	writer->destroy(writer);
	return lkh;
}

START_TEST(test_serialize_depth)
{
	linked_list_t *path, *rekey;
	bio_writer_t *writer;
	mike_lkh_t *lkh;
	u_int i;

	lkh = load_chain(MIKE_LKH_MAX_DEPTH);
	ck_assert(lkh);
	ck_assert_int_eq(lkh->get_depth(lkh), MIKE_LKH_MAX_DEPTH);
	ck_assert(lkh->get_path(lkh, 1, &path));
	ck_assert_int_eq(path->get_count(path), MIKE_LKH_MAX_DEPTH + 1);
	destroy_keys(path);
	/* the next member takes the shallowest free leaf */
	ck_assert(lkh->add_member(lkh, 2, FALSE, &path, &rekey));
	ck_assert_int_eq(path->get_count(path), 2);
	destroy_keys(path);
	destroy_rekey(rekey);
	lkh->destroy(lkh);

	ck_assert(!load_chain(MIKE_LKH_MAX_DEPTH + 1));

	/* a hostile chain of inner nodes, far deeper than the stack could take
	 * if the recursion was not bounded */
	writer = bio_writer_create(0);
	writer->write_uint8(writer, 1);
	writer->write_uint32(writer, 2);
	put_node(writer, F_INNER | F_KEYED, 0, 1);
	for (i = 0; i < 1000000; i++)
	{
		writer->write_uint8(writer, F_INNER);
	}
	ck_assert(!load_copy(writer->get_buf(writer)));
	writer->destroy(writer);
}
END_TEST

/**
 * Whatever a flipped bit makes of a blob, it is refused or taken as a
 * tree that encodes to the very same bytes and works
 */
START_TEST(test_serialize_bitflip)
{
	linked_list_t *path = NULL, *rekey = NULL;
	mike_lkh_t *lkh;
	chunk_t blob, again;
	u_int bit, taken = 0, refused = 0, member;

	blob = sample_blob(30);
	quiet(TRUE);
	for (bit = 0; bit < blob.len * 8; bit++)
	{
		blob.ptr[bit / 8] ^= 1 << (bit % 8);
		lkh = load_copy(blob);
		if (lkh)
		{
			again = serialize(lkh);
			chk_msg(chunk_equals(again, blob), "bit %u", bit);
			chunk_clear(&again);
			/* a free id, the new member may fail to join if the flip made
			 * the next Key ID too large */
			for (member = 0; lkh->get_path(lkh, member, &path); member++)
			{
				destroy_keys(path);
			}
			if (lkh->add_member(lkh, member, bit % 2, &path, &rekey))
			{
				destroy_keys(path);
				destroy_rekey(rekey);
				if (lkh->remove_member(lkh, member, &rekey))
				{
					destroy_rekey(rekey);
				}
			}
			lkh->destroy(lkh);
			taken++;
		}
		else
		{
			refused++;
		}
		blob.ptr[bit / 8] ^= 1 << (bit % 8);
	}
	quiet(FALSE);
	/* the keys' bits at least are taken, the flags' mostly not */
	ck_assert_int_gt(taken, 0);
	ck_assert_int_gt(refused, 0);
	fprintf(stderr, "bit flips of a %zu byte tree: %u taken, %u refused\n",
			blob.len, taken, refused);
	chunk_clear(&blob);
}
END_TEST

/*******************************************************************************
 * The leaf index: a join takes the leaf a scan of all nodes finds
 */

/** member ids of the index walk */
#define INDEX_MEMBERS 700

/** operations per index walk */
#define INDEX_OPERATIONS 3000

/** operations between two restarts of the index walk's tree */
#define INDEX_RELOAD 250

/**
 * The leaves a join may take, as a scan of all nodes finds them
 */
typedef struct {
	/** the shallowest free leaf, leftmost among equals, 0 if none */
	uint32_t free_leaf;
	/** the shallowest member leaf, leftmost among equals, 0 if none */
	uint32_t member_leaf;
	/** the member at member_leaf */
	uint32_t member;
} leaf_scan_t;

/**
 * Scan all nodes for the leaves a join may take.  In preorder a node is a
 * leaf if the next node is not its child, and of two nodes at the same
 * depth the left one comes first, so the first of the shallowest is the
 * one a breadth-first walk finds.
 */
static leaf_scan_t scan_leaves(mike_lkh_t *lkh)
{
	enumerator_t *enumerator;
	mike_lkh_node_t *node, last = {};
	leaf_scan_t scan = {};
	uint32_t next_id, next_num;
	u_int *depth, free_depth = UINT_MAX, member_depth = UINT_MAX;
	bool more;

	lkh->get_counters(lkh, &next_id, &next_num);
	depth = calloc(next_num, sizeof(u_int));
	enumerator = lkh->create_node_enumerator(lkh);
	do
	{
		more = enumerator->enumerate(enumerator, &node);
		if (last.num && (!more || node->parent != last.num))
		{
			if (last.is_member && depth[last.num] < member_depth)
			{
				member_depth = depth[last.num];
				scan.member_leaf = last.num;
				scan.member = last.member;
			}
			else if (!last.is_member && depth[last.num] < free_depth)
			{
				free_depth = depth[last.num];
				scan.free_leaf = last.num;
			}
		}
		if (more)
		{
			chk_int(node->num, <, next_num);
			depth[node->num] = node->parent ? depth[node->parent] + 1 : 0;
			last = *node;
		}
	}
	while (more);
	enumerator->destroy(enumerator);
	free(depth);
	return scan;
}

/**
 * The node of a member's leaf, FALSE if it has none
 */
static bool find_member(mike_lkh_t *lkh, uint32_t member,
						mike_lkh_node_t *found)
{
	enumerator_t *enumerator;
	mike_lkh_node_t *node;
	bool ok = FALSE;

	enumerator = lkh->create_node_enumerator(lkh);
	while (!ok && enumerator->enumerate(enumerator, &node))
	{
		if (node->is_member && node->member == member)
		{
			*found = *node;
			found->key = chunk_empty;
			ok = TRUE;
		}
	}
	enumerator->destroy(enumerator);
	return ok;
}

/**
 * A join, checked to take the shallowest free leaf the scan finds, or to
 * split the shallowest member leaf (its member to the left, the new one to
 * the right)
 */
static void index_join(mike_lkh_t *lkh, uint32_t member, bool rekey_on_join)
{
	linked_list_t *path, *rekey;
	mike_lkh_node_t leaf, split;
	leaf_scan_t scan;

	scan = scan_leaves(lkh);
	ck_assert(lkh->add_member(lkh, member, rekey_on_join, &path, &rekey));
	destroy_keys(path);
	destroy_rekey(rekey);
	chk_int(lkh->get_change_count(lkh), <=, lkh->get_depth(lkh) + 3);
	lkh->clear_changes(lkh);
	ck_assert(find_member(lkh, member, &leaf));
	if (scan.free_leaf)
	{
		chk_int(leaf.num, ==, scan.free_leaf);
		return;
	}
	chk_int(leaf.parent, ==, scan.member_leaf);
	chk_int(leaf.side, ==, 1);
	ck_assert(find_member(lkh, scan.member, &split));
	chk_int(split.parent, ==, scan.member_leaf);
	chk_int(split.side, ==, 0);
}

/**
 * A tree restarted from its nodes, as a store keeps them
 */
static mike_lkh_t *load_from_nodes(mike_lkh_t *lkh)
{
	node_store_t store;
	mike_lkh_t *loaded;

	store_init(&store);
	store_nodes(&store, lkh->create_node_enumerator(lkh));
	lkh->get_counters(lkh, &store.next_id, &store.next_num);
	loaded = store_load(&store);
	store_destroy(&store);
	return loaded;
}

/**
 * Random joins and leaves, every join's leaf checked against a scan; the
 * tree restarted from its blob or its nodes now and then, so the indexes
 * the loaders rebuild are checked as well
 */
START_TEST(test_index_walk)
{
	mike_lkh_t *lkh, *loaded;
	linked_list_t *rekey;
	bool in[INDEX_MEMBERS] = {};
	uint32_t state = walk_seed(_i), id;
	u_int op, count = 0, splits = 0, reuses = 0, depth;
	chunk_t blob;

	lkh = mike_lkh_create();
	ck_assert(lkh);
	for (op = 0; op < INDEX_OPERATIONS; op++)
	{
		if (count < INDEX_MEMBERS &&
			(!count || xorshift(&state) % 100 <
							walk_join_percent(op, INDEX_OPERATIONS)))
		{
			do
			{
				id = xorshift(&state) % INDEX_MEMBERS;
			}
			while (in[id]);
			depth = lkh->get_depth(lkh);
			if (scan_leaves(lkh).free_leaf)
			{
				reuses++;
			}
			else
			{
				splits++;
			}
			index_join(lkh, id, xorshift(&state) % 100 < 25);
			chk_int(lkh->get_depth(lkh), <=, depth + 1);
			in[id] = TRUE;
			count++;
		}
		else
		{
			do
			{
				id = xorshift(&state) % INDEX_MEMBERS;
			}
			while (!in[id]);
			ck_assert(lkh->remove_member(lkh, id, &rekey));
			destroy_rekey(rekey);
			lkh->clear_changes(lkh);
			in[id] = FALSE;
			count--;
		}
		chk_int(lkh->get_member_count(lkh), ==, count);
		if (op % INDEX_RELOAD == INDEX_RELOAD - 1)
		{
			if (op / INDEX_RELOAD % 2)
			{
				loaded = load_from_nodes(lkh);
			}
			else
			{
				blob = serialize(lkh);
				loaded = load_copy(blob);
				chunk_clear(&blob);
			}
			ck_assert(loaded);
			check_same(lkh, loaded);
			lkh->destroy(lkh);
			lkh = loaded;
			lkh->clear_changes(lkh);
		}
	}
	/* both ways of placing a member were taken, and checked */
	ck_assert_int_gt(splits, 100);
	ck_assert_int_gt(reuses, 100);
	lkh->destroy(lkh);
}
END_TEST

/**
 * Trees loaded from a blob and from nodes, with free leaves here and
 * there: they place members exactly as the tree they were saved from
 */
START_TEST(test_index_loaded)
{
	static const uint32_t evicted[] = { 5, 12, 2, 9, 14 };
	mike_lkh_t *lkh[3];
	linked_list_t *rekey;
	u_int m, t;
	chunk_t blob;

	lkh[0] = mike_lkh_create();
	ck_assert(lkh[0]);
	for (m = 0; m < 16; m++)
	{
		index_join(lkh[0], m, FALSE);
	}
	for (m = 0; m < countof(evicted); m++)
	{
		ck_assert(lkh[0]->remove_member(lkh[0], evicted[m], &rekey));
		destroy_rekey(rekey);
	}
	lkh[0]->clear_changes(lkh[0]);
	blob = serialize(lkh[0]);
	lkh[1] = load_copy(blob);
	chunk_clear(&blob);
	lkh[2] = load_from_nodes(lkh[0]);
	ck_assert(lkh[1] && lkh[2]);
	/* one from a blob reports all its nodes */
	lkh[1]->clear_changes(lkh[1]);

	/* the free leaves first, then splits, with a leave in between */
	for (m = 100; m < 130; m++)
	{
		for (t = 0; t < countof(lkh); t++)
		{
			index_join(lkh[t], m, m % 4 == 0);
			if (m % 7 == 0)
			{
				ck_assert(lkh[t]->remove_member(lkh[t], m - 3, &rekey));
				destroy_rekey(rekey);
				lkh[t]->clear_changes(lkh[t]);
			}
		}
		check_same_shape(lkh[0], lkh[1], FALSE);
		check_same_shape(lkh[0], lkh[2], FALSE);
	}
	ck_assert_int_eq(lkh[1]->get_depth(lkh[1]), 6);
	for (t = 0; t < countof(lkh); t++)
	{
		lkh[t]->destroy(lkh[t]);
	}
}
END_TEST

/**
 * 100,000 members join, 1,000 of them leave, 1,000 others take their
 * leaves: the index keeps the tree balanced at that size (no timing is
 * checked, lkh-bench measures it)
 */
START_TEST(test_scale)
{
	static const u_int members = 100000, leaves = 1000;
	linked_list_t *path, *rekey;
	mike_lkh_t *lkh;
	uint32_t state = 0x5ca1e, id;
	bool *out;
	u_int m, depth;

	lkh = mike_lkh_create();
	ck_assert(lkh);
	for (m = 0; m < members; m++)
	{
		chk(lkh->add_member(lkh, m, FALSE, &path, &rekey));
		/* at most the two wraps of a split */
		chk_int(rekey->get_count(rekey), <=, 2);
		destroy_keys(path);
		destroy_rekey(rekey);
		lkh->clear_changes(lkh);
	}
	depth = lkh->get_depth(lkh);
	ck_assert_int_eq(depth, ceil_log2(members));
	ck_assert_int_eq(lkh->get_member_count(lkh), members);

	out = calloc(members, sizeof(bool));
	for (m = 0; m < leaves; m++)
	{
		do
		{
			id = xorshift(&state) % members;
		}
		while (out[id]);
		out[id] = TRUE;
		chk(lkh->remove_member(lkh, id, &rekey));
		chk_int(rekey->get_count(rekey), <=, 2 * depth - 1);
		chk_int(lkh->get_change_count(lkh), <=, depth + 3);
		destroy_rekey(rekey);
		lkh->clear_changes(lkh);
	}
	free(out);
	ck_assert_int_eq(lkh->get_member_count(lkh), members - leaves);

	/* the freed leaves are taken again, no split, nobody else told */
	for (m = 0; m < leaves; m++)
	{
		chk(lkh->add_member(lkh, members + m, FALSE, &path, &rekey));
		chk_int(rekey->get_count(rekey), ==, 0);
		destroy_keys(path);
		destroy_rekey(rekey);
		lkh->clear_changes(lkh);
	}
	ck_assert_int_eq(lkh->get_depth(lkh), depth);
	ck_assert_int_eq(lkh->get_member_count(lkh), members);
	lkh->destroy(lkh);
}
END_TEST

/*******************************************************************************
 * Costs, for docs/lkh.md
 */

START_TEST(test_costs)
{
	static u_int sizes[] = { 1, 2, 3, 4, 8, 16, 64, 100, 256, 1000, 1024 };
	linked_list_t *path, *rekey;
	mike_lkh_t *lkh;
	u_int i, m, n, worst, total, depth;

	fprintf(stderr, "%8s %6s %14s %14s %14s\n", "members", "depth",
			"path keys", "leave max", "leave mean");
	for (i = 0; i < countof(sizes); i++)
	{
		n = sizes[i];
		lkh = mike_lkh_create();
		for (m = 0; m < n; m++)
		{
			ck_assert(lkh->add_member(lkh, m, FALSE, &path, &rekey));
			destroy_keys(path);
			destroy_rekey(rekey);
		}
		depth = lkh->get_depth(lkh);
		worst = total = 0;
		/* evict each member once, it comes back to the same leaf */
		for (m = 0; m < n; m++)
		{
			ck_assert(lkh->remove_member(lkh, m, &rekey));
			worst = max(worst, rekey->get_count(rekey));
			total += rekey->get_count(rekey);
			ck_assert_int_le(rekey->get_count(rekey), 2 * depth - 1);
			destroy_rekey(rekey);
			ck_assert(lkh->add_member(lkh, m, FALSE, &path, &rekey));
			ck_assert_int_eq(rekey->get_count(rekey), 0);
			ck_assert_int_le(path->get_count(path), depth + 1);
			destroy_keys(path);
			destroy_rekey(rekey);
			ck_assert_int_eq(lkh->get_depth(lkh), depth);
		}
		ck_assert_int_eq(depth, max(1, ceil_log2(n)));
		fprintf(stderr, "%8u %6u %14u %14u %14.1f\n", n, depth, depth + 1,
				worst, (double)total / n);
		lkh->destroy(lkh);
	}
}
END_TEST

Suite *lkh_suite(void)
{
	Suite *s = suite_create("lkh");
	TCase *tc;

	tc = tcase_create("edge cases");
	tcase_add_test(tc, test_first_member);
	tcase_add_test(tc, test_remove_last);
	tcase_add_test(tc, test_remove_unknown);
	tcase_add_test(tc, test_split);
	tcase_add_test(tc, test_wrap_path_cached);
	tcase_add_test(tc, test_tampered);
	tcase_add_test(tc, test_rfc9838_example);
	suite_add_tcase(s, tc);

	tc = tcase_create("random walk");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_random_walk, 0, countof(seeds));
	suite_add_tcase(s, tc);

	tc = tcase_create("serialization");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_serialize_empty);
	tcase_add_loop_test(tc, test_serialize_walk, 0, countof(seeds));
	tcase_add_test(tc, test_serialize_truncated);
	tcase_add_test(tc, test_serialize_version);
	tcase_add_test(tc, test_serialize_handmade);
	tcase_add_test(tc, test_serialize_depth);
	tcase_add_test(tc, test_serialize_bitflip);
	suite_add_tcase(s, tc);

	tc = tcase_create("nodes");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_nodes_walk, 0, countof(seeds));
	tcase_add_test(tc, test_nodes_from_blob);
	tcase_add_test(tc, test_nodes_invalid);
	suite_add_tcase(s, tc);

	tc = tcase_create("leaf index");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_index_walk, 0, countof(seeds));
	tcase_add_test(tc, test_index_loaded);
	tcase_add_test(tc, test_scale);
	suite_add_tcase(s, tc);

	tc = tcase_create("costs");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_costs);
	suite_add_tcase(s, tc);
	return s;
}
