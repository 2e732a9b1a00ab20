/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * gcks-bench: the GCKS at scale (issue 14).  For groups of 1,000 to
 * 1,000,000 members it drives the GCKS's own registration and leave paths
 * and prints, per size and beside the 1,000-member figure of the same run:
 *
 *  - restart: the time mike_gcks_group_create() needs to load the group
 *    from its state store, as charon does after a restart;
 *  - memory: the heap the loaded group holds, per member (mallinfo2());
 *  - registration: a member's IKE_AUTH request through the GCKS listener
 *    (mike_gcks_listener_t's message() and authorize() hooks, as charon
 *    calls them, with the fake IKE SAs of the unit tests: no IKE
 *    networking), its GSA and KD built, the response encoded, the store
 *    saved, and its share of the GSA_REKEY that tells the members whose
 *    leaves the joins split their new keys: time per registration, bytes
 *    written to the store;
 *  - leave: the member's IKE SA goes (ike_state_change()), the key tree's
 *    eviction, the forward-access-control GSA_REKEY messages built, signed
 *    and handed to the rekey socket (one that counts), the store saved:
 *    time per leave, bytes and datagrams (fragments) of the eviction
 *    message, bytes written to the store.
 *
 * The group of n members is written into a fresh store first as a GCKS
 * would have left it (a balanced key tree of 2n - 1 nodes), so that the
 * registrations and leaves are measured in a full group.  Store bytes are
 * the process's write(2) bytes (/proc/self/io wchar) during the operation:
 * SQLite's WAL frames, synced.
 *
 *   gcks-bench [-n OPS] [-d DIR] [-s MIN_MEMBERS] [-m MAX_MEMBERS]
 *
 * The goals of issue 14 are printed with the figures; it reports, it never
 * fails on timing.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <malloc.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/resource.h>

#include <sqlite3.h>
#include <check.h>

#include <library.h>
#include <daemon.h>

#include "gcks/mike_gcks_group.h"
#include "gcks/mike_gcks_group_factory.h"
#include "gcks/mike_gcks_listener.h"
#include "member/mike_member_group.h"
#include "common/mike_exchange.h"
#include "common/mike_group_config.h"
#include "common/mike_rekey_suite.h"
#include "group/mike_db.h"
#include "group/mike_groups.h"
#include "group/mike_lkh.h"
#include "tests/fake_ike_sa.h"

/** crypto plugins the group needs */
#define PLUGINS "random nonce kdf hmac sha1 sha2 pkcs1 pkcs8 pem openssl"

/** the benchmark's group */
#define GROUP "g"

/** its configuration: multicast rekeys, no rekey on join */
#define GROUP_CONF "role = gcks\naddress = 239.1.2.3\n" \
				   "rekey_address = 239.1.2.100\n"

static double now_us()
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double cpu_us()
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/**
 * The part of the CPU time spent in the kernel: on a virtual machine
 * mostly the store's writes and syncs (each I/O a trip to the host)
 */
static double kernel_cpu_us()
{
	struct rusage usage;

	getrusage(RUSAGE_SELF, &usage);
	return usage.ru_stime.tv_sec * 1e6 + usage.ru_stime.tv_usec;
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

/**
 * Heap bytes in use
 */
static uint64_t heap_bytes()
{
	struct mallinfo2 info = mallinfo2();

	return info.uordblks + info.hblkhd;
}

/**
 * A rekey socket that counts what the GCKS sends: the datagrams of each
 * message (its IKE fragments, if it is fragmented), once: retransmissions
 * are the same bytes again
 */
typedef struct {
	mike_rekey_socket_t socket;
	uint64_t datagrams;
	uint64_t bytes;
	size_t largest;
} counting_socket_t;

METHOD(mike_rekey_socket_t, count_send, bool,
	counting_socket_t *this, host_t *dst, chunk_t *msgs, int count)
{
	int i;

	for (i = 0; i < count; i++)
	{
		this->datagrams++;
		this->bytes += msgs[i].len;
		this->largest = max(this->largest, msgs[i].len);
	}
	return TRUE;
}

METHOD(mike_rekey_socket_t, count_send_late, void,
	counting_socket_t *this, host_t *dst, chunk_t *msgs, int count)
{
	/* the same datagrams again seconds later, because the bench's leaves
	 * follow its registrations at once: counted once, as a GCKS whose
	 * leaves come seconds after the last registration sends them */
}

METHOD(mike_rekey_socket_t, count_get_max_message, size_t,
	counting_socket_t *this, host_t *dst)
{
	/* the default rekey_fragment_size of 1400, less IPv4 and UDP headers */
	return 1400 - 20 - 8;
}

METHOD(mike_rekey_socket_t, count_subscribe, bool,
	counting_socket_t *this, host_t *group)
{
	return TRUE;
}

METHOD(mike_rekey_socket_t, count_unsubscribe, void,
	counting_socket_t *this, host_t *group)
{
}

METHOD(mike_rekey_socket_t, count_destroy, void,
	counting_socket_t *this)
{
}

static counting_socket_t sock;

static void counting_socket_init()
{
	sock = (counting_socket_t){
		.socket = {
			.send = _count_send,
			.send_late = _count_send_late,
			.get_max_message = _count_get_max_message,
			.subscribe = _count_subscribe,
			.unsubscribe = _count_unsubscribe,
			.destroy = _count_destroy,
		},
	};
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
static void populate(char *file, uint32_t n)
{
	linked_list_t *list;
	enumerator_t *enumerator;
	identification_t *id;
	mike_db_t *db;
	rng_t *rng;
	tree_t tree = {};
	chunk_t spi, keymat;
	char name[64];
	uint32_t i;
	bool ok;

	db = mike_db_create(file);
	rng = lib->crypto->create_rng(lib->crypto, RNG_WEAK);
	tree.nodes = calloc(2 * n, sizeof(mike_lkh_node_t));
	if (!db || !rng ||
		!rng->allocate_bytes(rng, 2 * n * MIKE_LKH_KEY_SIZE, &tree.keys) ||
		!rng->allocate_bytes(rng, MIKE_KEK_SPI_SIZE, &spi) ||
		!rng->allocate_bytes(rng, mike_rekey_suite_keymat_size(
									&mike_rekey_suite_default), &keymat))
	{
		fprintf(stderr, "no store or RNG\n");
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
	db->destroy(db);
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
 * The baseline: what one synced write of a page costs in dir (a 4 KB
 * write(2) and fdatasync(2), as SQLite commits its WAL), in us
 */
static double fsync_baseline(char *dir)
{
	char file[256], page[4096] = {};
	double t, sum = 0;
	int fd, i, rounds = 20;

	snprintf(file, sizeof(file), "%s/gcks-bench-fsync", dir);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
	{
		return 0;
	}
	for (i = 0; i < rounds; i++)
	{
		t = now_us();
		if (write(fd, page, sizeof(page)) != sizeof(page) || fdatasync(fd))
		{
			break;
		}
		sum += now_us() - t;
	}
	close(fd);
	unlink(file);
	return sum / rounds;
}

/** the figures of one group size */
typedef struct {
	uint32_t members;
	u_int depth;
	double load_ms;
	double memory_per_member;
	double fsync_us;
	double register_us;
	double register_cpu_us;
	double register_kernel_us;
	double register_worst_us;
	double register_store_bytes;
	double leave_us;
	double leave_cpu_us;
	double leave_worst_us;
	double leave_store_bytes;
	double evict_bytes;
	double evict_datagrams;
	double evict_largest;
} figures_t;

/**
 * Register member i of a run over its own fake IKE SA
 */
static ike_sa_t *registration(mike_gcks_listener_t *gcks, u_int i)
{
	fake_ike_sa_t *ike_sa;
	message_t *response;
	char address[32], identity[64];

	snprintf(address, sizeof(address), "10.%u.%u.%u", (i >> 16) & 0xff,
			 (i >> 8) & 0xff, i & 0xff);
	snprintf(identity, sizeof(identity), "j%u.example.org", i);
	ike_sa = fake_ike_sa_create(i + 1, "c", "192.0.2.254", address,
								"gcks.example.org", identity);
	if (!fake_respond(&gcks->listener, &ike_sa->ike_sa,
					  fake_idg_request(GROUP, FALSE), &response) ||
		!mike_exchange_find(response, GIKEV2_PL_GSA))
	{
		fprintf(stderr, "registration %u refused\n", i);
		exit(1);
	}
	response->destroy(response);
	ike_sa->state = IKE_ESTABLISHED;
	return &ike_sa->ike_sa;
}

/**
 * One group size
 */
static void run(char *dir, uint32_t n, u_int ops, private_key_t *key,
				figures_t *f)
{
	mike_groups_t *groups;
	mike_gcks_group_t *group;
	mike_gcks_listener_t *gcks;
	ike_sa_t **ike_sas;
	char file[256];
	uint64_t heap, bytes, datagrams, sent;
	double t, took, cpu, kernel;
	u_int i;

	*f = (figures_t){ .members = n };
	snprintf(file, sizeof(file), "%s/gcks-bench-%u.db", dir, n);
	remove_store(file);
	populate(file, n);
	checkpoint(file);

	groups = mike_groups_create(mike_gcks_group_factory_create(file),
								mike_member_group_factory_create());
	heap = heap_bytes();
	t = now_us();
	group = mike_gcks_group(groups->add(groups,
									fake_group_config(GROUP, GROUP_CONF)));
	f->load_ms = (now_us() - t) / 1e3;
	f->memory_per_member = ((double)heap_bytes() - heap) / n;
	if (!group || group->get_member_count(group) != n)
	{
		fprintf(stderr, "restoring %u members failed\n", n);
		exit(1);
	}
	f->depth = group->get_lkh(group)->get_depth(group->get_lkh(group));
	/* the first save after a restart compares every member once */
	group->ensure_signing_key(group, key);
	group->save(group);
	groups->checkin(groups, &group->group);
	gcks = mike_gcks_listener_create(groups, &sock.socket);

	f->fsync_us = fsync_baseline(dir);
	ike_sas = calloc(ops, sizeof(ike_sa_t*));
	for (i = 0; i < ops; i++)
	{
		bytes = written_bytes();
		kernel = kernel_cpu_us();
		cpu = cpu_us();
		t = now_us();
		ike_sas[i] = registration(gcks, i);
		took = now_us() - t;
		f->register_cpu_us += (cpu_us() - cpu) / ops;
		f->register_kernel_us += (kernel_cpu_us() - kernel) / ops;
		f->register_us += took / ops;
		f->register_worst_us = max(f->register_worst_us, took);
		f->register_store_bytes += (double)(written_bytes() - bytes) / ops;
	}
	/* the join notices of receivers wait to share one signed GSA_REKEY
	 * (every MIKE_JOIN_BATCH_MAX joins, or a moment later): those still
	 * waiting are sent now, at the registrations' cost */
	bytes = written_bytes();
	kernel = kernel_cpu_us();
	cpu = cpu_us();
	t = now_us();
	gcks->flush(gcks, GROUP);
	f->register_cpu_us += (cpu_us() - cpu) / ops;
	f->register_kernel_us += (kernel_cpu_us() - kernel) / ops;
	f->register_us += (now_us() - t) / ops;
	f->register_store_bytes += (double)(written_bytes() - bytes) / ops;
	for (i = 0; i < ops; i++)
	{
		bytes = written_bytes();
		datagrams = sock.datagrams;
		sent = sock.bytes;
		sock.largest = 0;
		cpu = cpu_us();
		t = now_us();
		gcks->listener.ike_state_change(&gcks->listener, ike_sas[i],
										IKE_DESTROYING);
		took = now_us() - t;
		f->leave_cpu_us += (cpu_us() - cpu) / ops;
		f->leave_us += took / ops;
		f->leave_worst_us = max(f->leave_worst_us, took);
		f->leave_store_bytes += (double)(written_bytes() - bytes) / ops;
		/* the eviction (new KEK under the new root) and the new TEKs
		 * under the new KEK: both are what a leave sends */
		f->evict_bytes += (double)(sock.bytes - sent) / ops;
		f->evict_datagrams += (double)(sock.datagrams - datagrams) / ops;
		f->evict_largest = max(f->evict_largest, (double)sock.largest);
		ike_sas[i]->destroy(ike_sas[i]);
	}
	free(ike_sas);
	gcks->destroy(gcks);
	groups->destroy(groups);
	remove_store(file);
}

/** the most group sizes a run measures (1,000 to 1,000,000 and beyond) */
#define MAX_SIZES 8

/** how a figure is printed */
static struct {
	char *what;
	char *unit;
	size_t offset;
	char *goal;
} rows[] = {
	{ "restart: load the group", "ms", offsetof(figures_t, load_ms),
	  "< 10,000 ms at 1M" },
	{ "GCKS memory per member", "B", offsetof(figures_t, memory_per_member),
	  "<= 1,024 B" },
	{ "baseline: a synced 4 KB write", "us", offsetof(figures_t, fsync_us),
	  NULL },
	{ "registration, CPU", "us", offsetof(figures_t, register_cpu_us),
	  "< 100 us" },
	{ "registration, kernel CPU", "us",
	  offsetof(figures_t, register_kernel_us), NULL },
	{ "registration, wall (fsync too)", "us", offsetof(figures_t, register_us),
	  NULL },
	{ "registration, slowest", "us", offsetof(figures_t, register_worst_us),
	  NULL },
	{ "registration, store bytes", "B",
	  offsetof(figures_t, register_store_bytes), NULL },
	{ "leave (eviction), CPU", "us", offsetof(figures_t, leave_cpu_us),
	  "< 1,000 us" },
	{ "leave, wall (fsync too)", "us", offsetof(figures_t, leave_us), NULL },
	{ "leave, slowest", "us", offsetof(figures_t, leave_worst_us), NULL },
	{ "leave, store bytes", "B", offsetof(figures_t, leave_store_bytes),
	  NULL },
	{ "leave, GSA_REKEY bytes sent", "B", offsetof(figures_t, evict_bytes),
	  NULL },
	{ "leave, datagrams sent", "", offsetof(figures_t, evict_datagrams),
	  NULL },
	{ "leave, largest UDP payload", "B", offsetof(figures_t, evict_largest),
	  "<= 1,400 B" },
};

static double figure(figures_t *f, int row)
{
	return *(double*)((char*)f + rows[row].offset);
}

/**
 * The table: a column per size, each figure with its ratio to the first
 * size's
 */
static void print_table(figures_t *f, int sizes)
{
	int row, i;

	printf("\n%-33s", "members");
	for (i = 0; i < sizes; i++)
	{
		printf(" %18u", f[i].members);
	}
	printf("  goal\n%-33s", "key tree depth");
	for (i = 0; i < sizes; i++)
	{
		printf(" %18u", f[i].depth);
	}
	printf("\n");
	for (row = 0; row < countof(rows); row++)
	{
		printf("%-30s %2s", rows[row].what, rows[row].unit);
		for (i = 0; i < sizes; i++)
		{
			if (i && figure(&f[0], row) > 0)
			{
				printf(" %10.1f (%5.1fx)", figure(&f[i], row),
					   figure(&f[i], row) / figure(&f[0], row));
			}
			else
			{
				printf(" %10.1f %7s", figure(&f[i], row), "");
			}
		}
		printf("  %s\n", rows[row].goal ?: "");
	}
	fflush(stdout);
}

/** the command line, for the run below */
static struct {
	char *dir;
	uint32_t min_members;
	uint32_t max_members;
	u_int ops;
} opts = {
	.dir = "/tmp",
	.min_members = 1000,
	.max_members = 1000000,
	.ops = 200,
};

START_TEST(bench)
{
	figures_t figures[MAX_SIZES] = {};
	private_key_t *key;
	uint32_t n;
	int sizes = 0;

	counting_socket_init();
	/* as the unit tests do, the GCKS's signing key up front */
	key = lib->creds->create(lib->creds, CRED_PRIVATE_KEY, KEY_ED25519,
							 BUILD_END);
	ck_assert_msg(key, "no Ed25519 key");
	printf("gcks-bench: per group size, %u registrations through the GCKS "
		   "listener (IKE_AUTH hooks, GSA/KD, response encoded, store "
		   "saved), then %u leaves (eviction, GSA_REKEY messages built "
		   "and signed with Ed25519, store saved); averages per operation; "
		   "CPU is the process's, wall includes the store's fsyncs\n",
		   opts.ops, opts.ops);
	for (n = opts.min_members; n <= opts.max_members && sizes < MAX_SIZES;
		 n *= 10)
	{
		run(opts.dir, n, opts.ops, key, &figures[sizes]);
		printf("%u members: measured\n", n);
		fflush(stdout);
		sizes++;
	}
	print_table(figures, sizes);
	key->destroy(key);
}
END_TEST

int main(int argc, char *argv[])
{
	SRunner *runner;
	Suite *suite;
	TCase *tcase;
	int opt, failed;

	while ((opt = getopt(argc, argv, "n:d:m:s:")) != -1)
	{
		switch (opt)
		{
			case 'n':
				opts.ops = max(1, atoi(optarg));
				break;
			case 'd':
				opts.dir = optarg;
				break;
			case 'm':
				opts.max_members = strtoul(optarg, NULL, 10);
				break;
			case 's':
				opts.min_members = max(1000, strtoul(optarg, NULL, 10));
				break;
			default:
				fprintf(stderr, "usage: %s [-n OPS] [-d DIR] [-s MIN] "
						"[-m MAX]\n", argv[0]);
				return 1;
		}
	}
	library_init(NULL, "gcks-bench");
	/* the code measured logs over charon's bus (daemon.h), unheard */
	if (!libcharon_init() || !lib->plugins->load(lib->plugins, PLUGINS))
	{
		fprintf(stderr, "libcharon_init() or loading the crypto plugins "
				"'%s' failed\n", PLUGINS);
		return 1;
	}
	/* the unit tests' fakes assert with libcheck, which needs a runner:
	 * the bench is one test of it, in this process, without a timeout */
	suite = suite_create("gcks-bench");
	tcase = tcase_create("bench");
	tcase_add_test(tcase, bench);
	suite_add_tcase(suite, tcase);
	runner = srunner_create(suite);
	srunner_set_fork_status(runner, CK_NOFORK);
	srunner_run_all(runner, CK_SILENT);
	failed = srunner_ntests_failed(runner);
	if (failed)
	{
		srunner_print(runner, CK_NORMAL);
	}
	srunner_free(runner);
	libcharon_deinit();
	library_deinit();
	return failed ? 1 : 0;
}
