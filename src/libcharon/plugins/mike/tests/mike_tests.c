/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 *
 * The runner of the plugin's unit tests: libstrongswan and libcharon as
 * charon has them (the code under test logs over charon's bus), the crypto
 * plugins the tests need, then every suite of mike_tests.h.
 */

#include "tests/mike_tests.h"

#include <stdio.h>
#include <stdlib.h>

#include <daemon.h>
#include <bus/listeners/file_logger.h>
#include <crypto/kdfs/kdf.h>

/** the crypto the code under test uses: RNG, PRF+ (key wrap key
 *  derivation), hashes, signatures, AES-GCM and key wrap */
#define PLUGINS "random kdf hmac sha1 sha2 pkcs1 openssl"

/** the suites, in the order of the plugin's layers */
static Suite *(*suites[])(void) = {
	gikev2_suite,
	keywrap_suite,
	tek_suite,
	group_config_suite,
	rekey_suite,
	rekey_frag_suite,
	lkh_suite,
	db_suite,
	group_suite,
	groups_suite,
	gsa_suite,
	gcks_suite,
	member_suite,
	member_rekey_suite,
	msg_suite,
};

/**
 * Whether the crypto the tests need is there
 */
static bool crypto_available(void)
{
	kdf_t *kdf;
	aead_t *aead;

	kdf = lib->crypto->create_kdf(lib->crypto, KDF_PRF_PLUS,
								  PRF_HMAC_SHA2_256);
	aead = lib->crypto->create_aead(lib->crypto, ENCR_AES_GCM_ICV16, 32, 4);
	DESTROY_IF(kdf);
	DESTROY_IF(aead);
	return kdf && aead;
}

int main(void)
{
	file_logger_t *logger = NULL;
	SRunner *sr;
	int i, failed = 1;

	library_init(NULL, "mike-tests");
	if (!libcharon_init())
	{
		fprintf(stderr, "libcharon_init() failed\n");
		goto out;
	}
	/* charon's bus drops everything unless a logger is asked for */
	if (getenv("MIKE_TESTS_DEBUG"))
	{
		logger = file_logger_create("stderr");
		logger->set_level(logger, DBG_ANY, LEVEL_CTRL);
		logger->open(logger, FALSE, FALSE);
		charon->bus->add_logger(charon->bus, &logger->logger);
	}
	if (!lib->plugins->load(lib->plugins, PLUGINS) || !crypto_available())
	{
		fprintf(stderr, "loading the crypto plugins '%s' failed\n", PLUGINS);
		goto out;
	}
	sr = srunner_create(NULL);
	for (i = 0; i < countof(suites); i++)
	{
		srunner_add_suite(sr, suites[i]());
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);

out:
	if (logger)
	{
		charon->bus->remove_logger(charon->bus, &logger->logger);
		logger->destroy(logger);
	}
	libcharon_deinit();
	library_deinit();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
