/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * The store of groups (group/mike_groups.c): groups made by the factory of
 * their role, taken again on a reload or replaced, and handed to one
 * thread at a time.  The groups here are stubs that record what happens to
 * them; the store knows nothing else of a group.
 */

#include "tests/mike_tests.h"
#include "tests/fake_ike_sa.h"

#include <daemon.h>
#include <threading/thread.h>
#include <unistd.h>

#include "group/mike_groups.h"

/** a line per group created or destroyed, "+name/role" or "-name/role" */
static char events[512];

/** what a stub's reconfigure() answers */
static bool keeps_state;

typedef struct {
	mike_group_t public;
	mike_group_config_t *cfg;
	mike_gsa_t *gsa;
} stub_t;

static void record(char sign, mike_group_config_t *cfg)
{
	char line[64];

	snprintf(line, sizeof(line), "%c%s/%s ", sign, cfg->name,
			 cfg->role == MIKE_ROLE_GCKS ? "gcks" : "member");
	strncat(events, line, sizeof(events) - strlen(events) - 1);
}

METHOD(mike_group_t, stub_get_config, mike_group_config_t*,
	stub_t *this)
{
	return this->cfg;
}

METHOD(mike_group_t, stub_get_gsa, mike_gsa_t*,
	stub_t *this)
{
	return this->gsa;
}

METHOD(mike_group_t, stub_reconfigure, bool,
	stub_t *this, mike_group_config_t *cfg)
{
	if (!keeps_state)
	{
		return FALSE;
	}
	this->cfg->destroy(this->cfg);
	this->cfg = cfg;
	return TRUE;
}

METHOD(mike_group_t, stub_destroy, void,
	stub_t *this)
{
	record('-', this->cfg);
	this->gsa->destroy(this->gsa);
	this->cfg->destroy(this->cfg);
	free(this);
}

METHOD(mike_group_factory_t, factory_create, mike_group_t*,
	mike_group_factory_t *this, mike_group_config_t *cfg)
{
	stub_t *stub;

	INIT(stub,
		.public = {
			.get_config = _stub_get_config,
			.get_gsa = _stub_get_gsa,
			.reconfigure = _stub_reconfigure,
			.destroy = _stub_destroy,
		},
		.cfg = cfg,
		.gsa = mike_gsa_create(),
	);
	record('+', cfg);
	return &stub->public;
}

METHOD(mike_group_factory_t, factory_destroy, void,
	mike_group_factory_t *this)
{
	free(this);
}

static mike_group_factory_t *factory_create_stub()
{
	mike_group_factory_t *this;

	INIT(this,
		.create = _factory_create,
		.destroy = _factory_destroy,
	);
	return this;
}

static mike_groups_t *groups;

static const char *member_body =
	"address = 239.1.2.3\n"
	"connection = c\n"
	"fail_close = no\n";

static const char *gcks_body =
	"role = gcks\n"
	"address = 239.1.2.3\n";

static void setup(void)
{
	events[0] = '\0';
	keeps_state = FALSE;
	groups = mike_groups_create(factory_create_stub(), factory_create_stub());
}

static void teardown(void)
{
	groups->destroy(groups);
}

START_TEST(test_add_checkout_checkin)
{
	mike_group_t *group;

	group = groups->add(groups, fake_group_config("g", gcks_body));
	ck_assert_str_eq(group->get_config(group)->name, "g");
	groups->checkin(groups, group);
	ck_assert(groups->checkout(groups, "g") == group);
	/* the same thread may check it out again (recursive) */
	ck_assert(groups->checkout(groups, "g") == group);
	groups->checkin(groups, group);
	groups->checkin(groups, group);
	ck_assert(!groups->checkout(groups, "nope"));
	ck_assert_str_eq(events, "+g/gcks ");
}
END_TEST

START_TEST(test_reload_kept)
{
	mike_group_t *group, *again;

	keeps_state = TRUE;
	group = groups->add(groups, fake_group_config("g", gcks_body));
	groups->checkin(groups, group);
	again = groups->add(groups, fake_group_config("g", gcks_body));
	groups->checkin(groups, again);
	ck_assert(again == group);
	ck_assert_str_eq(events, "+g/gcks ");
}
END_TEST

START_TEST(test_reload_replaced_new_first)
{
	mike_group_t *group, *again;

	group = groups->add(groups, fake_group_config("g", member_body));
	groups->checkin(groups, group);
	again = groups->add(groups, fake_group_config("g", member_body));
	/* the new group exists before the old one goes (fail-close policies
	 * never lapse) */
	ck_assert_str_eq(events, "+g/member +g/member -g/member ");
	ck_assert(groups->checkout(groups, "g") == again);
	groups->checkin(groups, again);
	groups->checkin(groups, again);
}
END_TEST

START_TEST(test_remove_while_checked_out)
{
	mike_group_t *group;

	group = groups->add(groups, fake_group_config("g", member_body));
	ck_assert(groups->remove(groups, "g"));
	/* gone from the store at once, destroyed only at checkin */
	ck_assert(!groups->checkout(groups, "g"));
	ck_assert(!groups->remove(groups, "g"));
	ck_assert_str_eq(events, "+g/member ");
	ck_assert_str_eq(group->get_config(group)->name, "g");
	groups->checkin(groups, group);
	ck_assert_str_eq(events, "+g/member -g/member ");
}
END_TEST

START_TEST(test_enumerator_skips_removed)
{
	enumerator_t *enumerator;
	mike_group_t *group;
	char names[32] = "";

	groups->checkin(groups, groups->add(groups,
							fake_group_config("a", member_body)));
	groups->checkin(groups, groups->add(groups,
							fake_group_config("b", gcks_body)));
	groups->checkin(groups, groups->add(groups,
							fake_group_config("c", member_body)));
	enumerator = groups->create_enumerator(groups);
	while (enumerator->enumerate(enumerator, &group))
	{
		strcat(names, group->get_config(group)->name);
		if (streq(group->get_config(group)->name, "a"))
		{	/* removed while the enumerator has it: destroyed when it moves
			 * on; b is removed before it comes */
			ck_assert(groups->remove(groups, "a"));
			ck_assert(groups->remove(groups, "b"));
			ck_assert(!strstr(events, "-a/"));
		}
	}
	enumerator->destroy(enumerator);
	ck_assert_str_eq(names, "ac");
	ck_assert(strstr(events, "-a/member"));
	ck_assert(strstr(events, "-b/gcks"));
}
END_TEST

/**
 * A thread that checks a group out, notes that it got it, and checks it in
 */
typedef struct {
	char *name;
	bool got;
} taker_t;

static void *take(taker_t *taker)
{
	mike_group_t *group;

	group = groups->checkout(groups, taker->name);
	taker->got = group != NULL;
	if (group)
	{
		groups->checkin(groups, group);
	}
	return NULL;
}

START_TEST(test_one_thread_per_group)
{
	taker_t same = { .name = "g" }, other = { .name = "h" };
	thread_t *a, *b;
	mike_group_t *group;

	groups->checkin(groups, groups->add(groups,
							fake_group_config("h", member_body)));
	group = groups->add(groups, fake_group_config("g", member_body));

	a = thread_create((thread_main_t)take, &same);
	b = thread_create((thread_main_t)take, &other);
	/* another group is not held up by g */
	b->join(b);
	ck_assert(other.got);
	/* g waits for its checkin (the pause only gives it a chance to get g
	 * wrongly; it cannot make the test fail otherwise) */
	usleep(100000);
	ck_assert(!same.got);
	groups->checkin(groups, group);
	a->join(a);
	ck_assert(same.got);
}
END_TEST

START_TEST(test_waiter_of_removed_group)
{
	taker_t waiter = { .name = "g" };
	mike_group_t *group;
	thread_t *a;

	group = groups->add(groups, fake_group_config("g", member_body));
	a = thread_create((thread_main_t)take, &waiter);
	/* most likely waiting for g by now; the outcome is the same if not */
	usleep(100000);
	ck_assert(groups->remove(groups, "g"));
	groups->checkin(groups, group);
	/* the waiter gets nothing, and the group is gone once it gave up */
	a->join(a);
	ck_assert(!waiter.got);
	ck_assert_str_eq(events, "+g/member -g/member ");
}
END_TEST

Suite *groups_suite(void)
{
	Suite *s = suite_create("groups");
	TCase *tc;

	tc = tcase_create("store");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_add_checkout_checkin);
	tcase_add_test(tc, test_reload_kept);
	tcase_add_test(tc, test_reload_replaced_new_first);
	tcase_add_test(tc, test_remove_while_checked_out);
	tcase_add_test(tc, test_enumerator_skips_removed);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_one_thread_per_group);
	tcase_add_test(tc, test_waiter_of_removed_group);
	suite_add_tcase(s, tc);
	return s;
}
