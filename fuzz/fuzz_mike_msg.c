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
 *     fuzz/fuzz_mike_msg.c src/libcharon/plugins/mike/mike_msg.c \
 *     -L/usr/lib/ipsec -lstrongswan -Wl,-rpath,/usr/lib/ipsec \
 *     -o fuzz_mike_msg
 */

#include <stdio.h>
#include <stdlib.h>

#include "mike_msg.h"

/**
 * Visit every node, touching names and values
 */
static size_t walk(mike_node_t *node)
{
	enumerator_t *enumerator;
	mike_node_t *child;
	size_t sum = 0;

	if (node->name)
	{
		sum += strlen(node->name);
	}
	if (node->type == MIKE_NODE_VALUE)
	{
		if (node->value.ptr[node->value.len] != '\0')
		{
			abort();
		}
		return sum + node->value.len;
	}
	enumerator = node->children->create_enumerator(node->children);
	while (enumerator->enumerate(enumerator, &child))
	{
		if (child->parent != node)
		{
			abort();
		}
		sum += walk(child);
	}
	enumerator->destroy(enumerator);
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	char err[MIKE_MSG_ERR_LEN] = "";
	chunk_t data = chunk_create((u_char*)buf, len), again;
	mike_msg_t *msg;

	msg = mike_msg_parse(data, err, sizeof(err));
	if (!msg)
	{
		if (!err[0])
		{
			fprintf(stderr, "fuzz invariant: rejected without a reason\n");
			abort();
		}
		return 0;
	}
	walk(msg->get_root(msg));
	msg->get_str(msg, NULL, "groups.a.b");
	msg->find(msg, "a");
	if (!msg->get_encoding(msg, &again) || !chunk_equals(data, again))
	{
		fprintf(stderr, "fuzz invariant: parsed message does not re-encode "
				"to the same bytes\n");
		abort();
	}
	chunk_free(&again);
	msg->destroy(msg);
	return 0;
}
