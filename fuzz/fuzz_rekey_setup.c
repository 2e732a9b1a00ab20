/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "fuzz_rekey_setup.h"

#include <stdio.h>
#include <stdlib.h>

#include <utils/debug.h>

static void quiet(debug_t group, level_t level, char *fmt, ...)
{
}

/*
 * Described in header
 */
void fuzz_rekey_setup(char *name, chunk_t *spi, chunk_t *gsk_e,
					  private_key_t **gcks)
{
	chunk_t der;

	dbg = quiet;
	library_init(NULL, name);
	if (!lib->plugins->load(lib->plugins, "openssl"))
	{
		fprintf(stderr, "cannot load the openssl plugin\n");
		exit(1);
	}
	*spi = chunk_from_hex(chunk_from_str(
					"000102030405060708090a0b0c0d0e0f"), NULL);
	*gsk_e = chunk_from_hex(chunk_from_str(
					"404142434445464748494a4b4c4d4e4f"
					"505152535455565758595a5b5c5d5e5f60616263"), NULL);
	der = chunk_from_hex(chunk_from_str("0420"
					"9d61b19deffd5a60ba844af492ec2cc4"
					"4449c5697b326919703bac031cae7f60"), NULL);
	*gcks = lib->creds->create(lib->creds, CRED_PRIVATE_KEY, KEY_ED25519,
							   BUILD_EDDSA_PRIV_ASN1_DER, der, BUILD_END);
	chunk_free(&der);
	if (!*gcks)
	{
		fprintf(stderr, "cannot make the GCKS key\n");
		exit(1);
	}
}
