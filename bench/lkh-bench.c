/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * lkh-bench: the GCKS's LKH key tree (group/mike_lkh.c) at 1,000 to
 * 1,000,000 members, the figures of docs/lkh.md "Scale".
 *
 * A tree of n members is built by n joins (ids 0 .. n-1, no rekey on join),
 * then OPS random members are evicted, each followed by a join that takes
 * the freed leaf again, so the tree keeps its size.  The changes are
 * cleared after every operation, as the GCKS does once its store wrote
 * them.  Per size it reports the depth, the mean time of a join while
 * building and of an eviction, the wrapped keys an eviction sends (mean
 * and most) and their bytes as WRAP_KEY attributes, and the heap the tree
 * holds per member (mallinfo2() before and after building it).
 *
 *   lkh-bench [-n OPS] [-s MIN_MEMBERS] [-m MAX_MEMBERS]
 *
 * It reports, it never fails on timing.
 */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <time.h>
#include <malloc.h>

#include <library.h>

#include "group/mike_lkh.h"

/** crypto plugins the tree needs */
#define PLUGINS "random openssl"

/**
 * A WRAP_KEY attribute (RFC 9838 4.6.3.1): 4 bytes of attribute header,
 * Key ID and KWK ID, the RFC 5649 wrapped 32-byte key (40 bytes)
 */
#define WRAP_KEY_BYTES (4 + 4 + 4 + MIKE_LKH_KEY_SIZE + 8)

static double now_us()
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/**
 * Bytes allocated, large blocks (mmap()ed, a big hash table's) included
 */
static size_t heap_used()
{
	struct mallinfo2 info = mallinfo2();

	return info.uordblks + info.hblkhd;
}

static void destroy_keys(linked_list_t *list)
{
	list->destroy_function(list, (void*)mike_lkh_key_destroy);
}

static void destroy_rekey(linked_list_t *list)
{
	list->destroy_function(list, (void*)mike_lkh_wrapped_destroy);
}

static bool join(mike_lkh_t *lkh, uint32_t member)
{
	linked_list_t *path, *rekey;

	if (!lkh->add_member(lkh, member, FALSE, &path, &rekey))
	{
		return FALSE;
	}
	destroy_keys(path);
	destroy_rekey(rekey);
	lkh->clear_changes(lkh);
	return TRUE;
}

/**
 * Build a tree of n members and evict ops of them, FALSE on a failure
 */
static bool measure(u_int n, u_int ops)
{
	linked_list_t *rekey;
	mike_lkh_t *lkh;
	double start, joins, leaves = 0;
	uint32_t member;
	u_int i, keys, total = 0, most = 0;
	size_t before, tree;

	/* the same members are evicted in every run */
	srandom(1);
	before = heap_used();
	lkh = mike_lkh_create();
	if (!lkh)
	{
		return FALSE;
	}
	start = now_us();
	for (i = 0; i < n; i++)
	{
		if (!join(lkh, i))
		{
			lkh->destroy(lkh);
			return FALSE;
		}
	}
	joins = now_us() - start;
	tree = heap_used() - before;

	for (i = 0; i < ops; i++)
	{
		member = random() % n;
		start = now_us();
		if (!lkh->remove_member(lkh, member, &rekey))
		{
			lkh->destroy(lkh);
			return FALSE;
		}
		lkh->clear_changes(lkh);
		leaves += now_us() - start;
		keys = rekey->get_count(rekey);
		total += keys;
		most = max(most, keys);
		destroy_rekey(rekey);
		if (!join(lkh, member))
		{
			lkh->destroy(lkh);
			return FALSE;
		}
	}
	printf("%9u %5u %9.2f %9.2f %6.1f %4u %9.0f %9.1f\n", n,
		   lkh->get_depth(lkh), joins / n, leaves / ops, (double)total / ops,
		   most, (double)total / ops * WRAP_KEY_BYTES, (double)tree / n);
	fflush(stdout);
	lkh->destroy(lkh);
	return TRUE;
}

/**
 * Let OpenSSL and the plugins allocate what they keep, so the first size
 * measured does not count it
 */
static bool warm_up()
{
	linked_list_t *rekey;
	mike_lkh_t *lkh;
	bool ok;

	lkh = mike_lkh_create();
	ok = lkh && join(lkh, 0) && join(lkh, 1) && join(lkh, 2) &&
		 lkh->remove_member(lkh, 0, &rekey);
	if (ok)
	{
		destroy_rekey(rekey);
	}
	DESTROY_IF(lkh);
	return ok;
}

int main(int argc, char *argv[])
{
	u_int ops = 1000, min_members = 1000, max_members = 1000000, n;
	int opt, status = 0;

	while ((opt = getopt(argc, argv, "n:s:m:")) != -1)
	{
		switch (opt)
		{
			case 'n':
				ops = strtoul(optarg, NULL, 10);
				break;
			case 's':
				min_members = strtoul(optarg, NULL, 10);
				break;
			case 'm':
				max_members = strtoul(optarg, NULL, 10);
				break;
			default:
				fprintf(stderr, "usage: %s [-n OPS] [-s MIN_MEMBERS] "
						"[-m MAX_MEMBERS]\n", argv[0]);
				return 1;
		}
	}
	if (!ops || !min_members)
	{
		fprintf(stderr, "OPS and MIN_MEMBERS must be at least 1\n");
		return 1;
	}
	library_init(NULL, "lkh-bench");
	if (!lib->plugins->load(lib->plugins, PLUGINS))
	{
		fprintf(stderr, "loading the crypto plugins '%s' failed\n", PLUGINS);
		library_deinit();
		return 1;
	}
	if (!warm_up())
	{
		fprintf(stderr, "LKH operation failed\n");
		library_deinit();
		return 1;
	}
	printf("LKH key tree: %u evictions (each followed by a join) per size\n",
		   ops);
	printf("%9s %5s %9s %9s %6s %4s %9s %9s\n", "members", "depth",
		   "join us", "leave us", "keys", "max", "bytes", "B/member");
	for (n = min_members; n <= max_members; n *= 10)
	{
		if (!measure(n, ops))
		{
			fprintf(stderr, "LKH operation failed at %u members\n", n);
			status = 1;
			break;
		}
		if (n > UINT_MAX / 10)
		{
			break;
		}
	}
	library_deinit();
	return status;
}
