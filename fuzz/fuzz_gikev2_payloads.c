/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * libFuzzer target for the G-IKEv2 payload parsers of the mike plugin
 * (IDg, GSA, KD).  The first input byte picks the payload type, the rest
 * is the payload body, as gikev2_payload_parse() gets it from charon.
 *
 * Besides memory safety it checks that what we accept re-encodes to a body
 * that parses again to the same encoding (the parsers and encoders agree).
 *
 * Build (see docs/g-ikev2-payloads.md):
 *   SS=/path/to/configured/strongswan-src
 *   M=src/libcharon/plugins/mike
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -include $SS/config.h -I$SS/src/libstrongswan -I$SS/src/libcharon \
 *     fuzz/fuzz_gikev2_payloads.c $M/payloads/[a-z]*.c \
 *     -L/usr/lib/ipsec -lcharon -lstrongswan -Wl,-rpath,/usr/lib/ipsec \
 *     -o fuzz_gikev2_payloads
 */

#include <library.h>
#include <utils/debug.h>

#include "../src/libcharon/plugins/mike/payloads/gikev2.h"
#include "../src/libcharon/plugins/mike/payloads/gikev2_parser.h"

static void quiet(debug_t group, level_t level, char *fmt, ...)
{
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	dbg = quiet;
	library_init(NULL, "fuzz_gikev2_payloads");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const payload_type_t types[] = {
		GIKEV2_PL_IDG, GIKEV2_PL_GSA, GIKEV2_PL_KD,
	};
	payload_t *payload, *again;
	chunk_t body, encoded;

	if (len < 1)
	{
		return 0;
	}
	/* an exact-size heap copy, so ASan catches any over-read */
	body = chunk_clone(chunk_create((u_char*)data + 1, len - 1));
	payload = gikev2_payload_parse(types[data[0] % countof(types)], body);
	if (payload)
	{
		encoded = gikev2_payload_get_body(payload);
		if (payload->get_length(payload) != encoded.len + 4 ||
			encoded.len != body.len)
		{
			abort();
		}
		again = gikev2_payload_parse(payload->get_type(payload), encoded);
		if (!again || !chunk_equals(gikev2_payload_get_body(again), encoded))
		{
			abort();
		}
		again->destroy(again);
		payload->destroy(payload);
	}
	chunk_free(&body);
	return 0;
}
