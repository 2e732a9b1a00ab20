/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * libFuzzer target for the SAM key a sender presents at registration
 * (N(MIKE_SAM_KEY)) and the GCKS hands out in MIKE_SAM_SOURCE
 * (docs/sam-keys.md): mike_sam_key_parse() as the GCKS and members call it.
 * The first input byte picks the group's scheme, the rest is the body.
 *
 * Besides memory safety it checks that an accepted key is exactly the
 * body after its two header bytes and encodes back to the same body.
 *
 * Build: see fuzz/run-smoke (the plugin's targets).
 */

#include <library.h>
#include <utils/debug.h>

#include "../src/libcharon/plugins/mike/common/mike_sam.h"

#include "fuzz_assert.h"

static void quiet(debug_t group, level_t level, char *fmt, ...)
{
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	dbg = quiet;
	library_init(NULL, "fuzz_mike_sam_key");
	if (!lib->plugins->load(lib->plugins, "openssl"))
	{
		fprintf(stderr, "cannot load the openssl plugin\n");
		exit(1);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const mike_sam_scheme_t schemes[] = {
		MIKE_SAM_HMAC_SHA256, MIKE_SAM_ED25519, MIKE_SAM_ECDSA_P256,
		MIKE_SAM_HYBRID, MIKE_SAM_ED25519_OO,
	};
	mike_sam_scheme_t scheme;
	chunk_t body, spki, again;
	char *why = NULL;

	if (len < 1)
	{
		return 0;
	}
	scheme = schemes[data[0] % countof(schemes)];
	/* an exact-size heap copy, so ASan catches any over-read */
	body = chunk_clone(chunk_create((u_char*)data + 1, len - 1));
	if (mike_sam_key_parse(body, scheme, &spki, &why))
	{
		FUZZ_ASSERT(body.len >= 2 && spki.ptr == body.ptr + 2 &&
					spki.len == body.len - 2);
		FUZZ_ASSERT(mike_sam_scheme_signs(scheme));
		again = mike_sam_key_encode(scheme, spki);
		FUZZ_ASSERT(chunk_equals(again, body));
		chunk_free(&again);
	}
	else
	{
		FUZZ_ASSERT(why && *why);
	}
	chunk_free(&body);
	return 0;
}
