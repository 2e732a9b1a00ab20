/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * Writes the seeds of fuzz_mike_msg (whole messages) and
 * fuzz_mike_msg_reader (write sizes and a byte stream, see that target)
 * into fuzz/seeds/, messages encoded by mike_msg itself.  Run from the
 * source tree after a change of the encoding (SS = configured strongSwan
 * tree):
 *   cc -include $SS/config.h -I$SS/src/libstrongswan \
 *     -Isrc/libcharon/plugins/mike fuzz/seeds/make-mike-msg-seeds.c \
 *     src/libcharon/plugins/mike/control/mike_msg.c -L/usr/lib/ipsec -lstrongswan \
 *     -Wl,-rpath,/usr/lib/ipsec -o /tmp/make-seeds && /tmp/make-seeds
 */

#include <stdio.h>
#include <stdlib.h>

#include "control/mike_msg.h"

/** Reader seed flags, as in fuzz/fuzz_mike_msg_reader.c */
#define FLAG_CLOSE 0x01
#define FLAG_LARGE_WRITES 0x02

/**
 * Encode a message and destroy it
 */
static chunk_t encode(mike_msg_t *msg)
{
	chunk_t data;

	if (!msg->get_encoding(msg, &data))
	{
		fprintf(stderr, "encoding failed: %s\n", msg->get_error(msg));
		exit(1);
	}
	msg->destroy(msg);
	return data;
}

/**
 * A load-groups request with n groups, every element type
 */
static chunk_t load_groups(int n)
{
	mike_msg_t *msg;
	char name[32];
	int i;

	msg = mike_msg_create(MIKE_MSG_REQUEST, "load-groups");
	msg->begin_section(msg, "groups");
	for (i = 0; i < n; i++)
	{
		snprintf(name, sizeof(name), "video%d", i);
		msg->begin_section(msg, name);
		msg->add_kv(msg, "address", "239.1.2.%d", i % 256);
		msg->add_kv(msg, "port", "%d", 5000 + i);
		msg->add_kv_chunk(msg, "key", chunk_from_chars(0x00, 0xff, 0x0a));
		msg->begin_list(msg, "senders");
		msg->add_list_item(msg, "gm%d.example.org", i);
		msg->add_list_item(msg, "%s", "");
		msg->end_list(msg);
		msg->end_section(msg);
	}
	msg->end_section(msg);
	return encode(msg);
}

/**
 * A join request
 */
static chunk_t join(void)
{
	mike_msg_t *msg;

	msg = mike_msg_create(MIKE_MSG_REQUEST, "join");
	msg->add_kv(msg, "group", "video0");
	return encode(msg);
}

/**
 * A response listing a group
 */
static chunk_t response(void)
{
	mike_msg_t *msg;

	msg = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
	msg->begin_section(msg, "groups");
	msg->begin_section(msg, "video0");
	msg->add_kv(msg, "state", "registered");
	msg->end_section(msg);
	msg->end_section(msg);
	return encode(msg);
}

/**
 * Write a seed file, the data freed
 */
static void put(char *target, char *name, chunk_t data)
{
	char path[256];
	FILE *file;

	snprintf(path, sizeof(path), "fuzz/seeds/%s/%s", target, name);
	file = fopen(path, "w");
	if (!file || fwrite(data.ptr, 1, data.len, file) != data.len ||
		fclose(file))
	{
		fprintf(stderr, "writing %s failed\n", path);
		exit(1);
	}
	chunk_free(&data);
}

/**
 * A reader seed: flags, write sizes, then the stream
 */
static void put_stream(char *name, uint8_t flags, chunk_t sizes,
					   chunk_t stream)
{
	put("fuzz_mike_msg_reader", name,
		chunk_cat("ccm", chunk_from_thing(flags), sizes, stream));
}

int main(void)
{
	chunk_t request = load_groups(1), big = load_groups(20), bad;

	put("fuzz_mike_msg", "load-groups", chunk_clone(request));
	put("fuzz_mike_msg", "join", join());
	put("fuzz_mike_msg", "response", response());
	put("fuzz_mike_msg", "error",
		encode(mike_msg_create_error("no such group '%s'", "video0")));

	put_stream("one-byte-writes-hangup", FLAG_CLOSE,
			   chunk_from_chars(1, 1, 1, 1), chunk_clone(request));
	put_stream("back-to-back", 0, chunk_from_chars(0, 0, 0, 0),
			   chunk_cat("mmm", join(), response(),
				encode(mike_msg_create_error("refused"))));
	put_stream("ends-mid-message", 0, chunk_from_chars(3, 7, 50, 0),
			   chunk_cat("mmc", join(), response(),
				chunk_create(request.ptr, request.len / 2)));
	put_stream("hangup-mid-message", FLAG_CLOSE, chunk_from_chars(5, 0, 0, 0),
			   chunk_cat("mc", join(),
				chunk_create(request.ptr, request.len - 1)));
	put_stream("oversized-length", 0, chunk_from_chars(2, 0, 0, 0),
			   chunk_clone(chunk_from_chars(0x00, 0x01, 0x00, 0x01,
											MIKE_MSG_VERSION, 0x01)));
	bad = join();
	bad.ptr[4] = MIKE_MSG_VERSION + 1;
	put_stream("bad-version-then-valid", FLAG_CLOSE,
			   chunk_from_chars(0, 0, 0, 0), chunk_cat("mm", bad, join()));
	put_stream("large-writes", FLAG_CLOSE | FLAG_LARGE_WRITES,
			   chunk_from_chars(1, 2, 3, 0), chunk_cat("mm", big, join()));
	chunk_free(&request);
	return 0;
}
