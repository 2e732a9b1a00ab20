/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * libFuzzer target of the control socket message parser (mike_msg.c), the
 * code charon runs on bytes from any local user.  Besides memory safety it
 * checks that whatever parses re-encodes to the same bytes (the encoding is
 * canonical) and that a rejection always says why.
 *
 * Build (from the source tree; SS = configured strongSwan tree):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -fno-sanitize-recover=undefined -include $SS/config.h \
 *     -I$SS/src/libstrongswan -Isrc/libcharon/plugins/mike \
 *     fuzz/fuzz_mike_msg.c fuzz/fuzz_msg_check.c \
 *     src/libcharon/plugins/mike/control/mike_msg.c \
 *     -L/usr/lib/ipsec -lstrongswan -Wl,-rpath,/usr/lib/ipsec \
 *     -o fuzz_mike_msg
 */

#include "control/mike_msg.h"

#include "fuzz_msg_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	char err[MIKE_MSG_ERR_LEN] = "";
	chunk_t data = chunk_create((u_char*)buf, len);
	mike_msg_t *msg;

	msg = mike_msg_parse(data, err, sizeof(err));
	if (!msg)
	{
		/* a rejection always says why */
		FUZZ_ASSERT(err[0]);
		return 0;
	}
	fuzz_msg_check(msg, data);
	msg->destroy(msg);
	return 0;
}
