/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * The suites of the plugin's unit tests, run by one runner
 * (mike_tests.c).  A suite is named as the part it tests; CK_RUN_SUITE=NAME
 * (and CK_RUN_CASE) runs one of them only, MIKE_TESTS_DEBUG=1 shows the
 * plugin's log.
 */

#ifndef MIKE_TESTS_H_
#define MIKE_TESTS_H_

#include <check.h>

/* payloads/ */
Suite *gikev2_suite(void);

/* common/ */
Suite *keywrap_suite(void);
Suite *tek_suite(void);
Suite *group_config_suite(void);
Suite *rekey_suite(void);
Suite *rekey_frag_suite(void);

/* group/ */
Suite *lkh_suite(void);
Suite *db_suite(void);
Suite *group_suite(void);
Suite *groups_suite(void);

/* gcks/ and member/ */
Suite *gsa_suite(void);
Suite *gcks_suite(void);
Suite *member_suite(void);
Suite *member_rekey_suite(void);

/* control/ */
Suite *msg_suite(void);

#endif /** MIKE_TESTS_H_ */
