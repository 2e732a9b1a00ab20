/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * Unit tests of the control socket message codec (mike_msg.c): round trips,
 * and rejection of every malformed input the parser must refuse.
 */

#define _GNU_SOURCE
#include "tests/mike_tests.h"

#include <check.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/socket.h>

#include <library.h>

#include "control/mike_msg.h"

static char err[MIKE_MSG_ERR_LEN];

/**
 * A nested message using every element type
 */
static mike_msg_t *build_sample(void)
{
	mike_msg_t *msg;
	char binary[] = { 0x00, 0xff, 0x7f, 0x0a };

	msg = mike_msg_create(MIKE_MSG_REQUEST, "load-groups");
	msg->add_kv(msg, "top", "%d", 42);
	msg->begin_section(msg, "groups");
	msg->begin_section(msg, "video");
	msg->add_kv(msg, "address", "239.1.2.3");
	msg->add_kv(msg, "empty", "%s", "");
	msg->add_kv_chunk(msg, "binary", chunk_create(binary, sizeof(binary)));
	msg->begin_list(msg, "senders");
	msg->add_list_item(msg, "gm1.example.org");
	msg->add_list_item(msg, "%s", "");
	msg->end_list(msg);
	msg->begin_list(msg, "none");
	msg->end_list(msg);
	msg->end_section(msg);
	msg->begin_section(msg, "audio");
	msg->end_section(msg);
	msg->end_section(msg);
	return msg;
}

/**
 * Encode a message, failing the test if it can't be
 */
static chunk_t encode(mike_msg_t *msg)
{
	chunk_t data;

	ck_assert_msg(msg->get_encoding(msg, &data), "encoding failed: %s",
				  msg->get_error(msg));
	return data;
}

/**
 * Assert that raw bytes are rejected, and the reason contains expected
 */
static void assert_rejected(chunk_t data, char *expected)
{
	mike_msg_t *msg;

	err[0] = '\0';
	msg = mike_msg_parse(data, err, sizeof(err));
	ck_assert_msg(msg == NULL, "accepted %zu bytes", data.len);
	ck_assert_msg(strlen(err) > 0, "no reason given");
	if (expected)
	{
		ck_assert_msg(strstr(err, expected), "reason '%s' lacks '%s'", err,
					  expected);
	}
}

/**
 * Wrap a body (version, type, ...) with a correct length field
 */
static chunk_t frame(chunk_t body)
{
	chunk_t data = chunk_alloc(4 + body.len);

	htoun32(data.ptr, body.len);
	memcpy(data.ptr + 4, body.ptr, body.len);
	return data;
}

/**
 * Assert a response body (after version and type 2) is rejected
 */
static void assert_body_rejected(chunk_t elements, char *expected)
{
	chunk_t body, data;

	body = chunk_cat("cc", chunk_from_chars(MIKE_MSG_VERSION,
											MIKE_MSG_RESPONSE), elements);
	data = frame(body);
	assert_rejected(data, expected);
	chunk_free(&body);
	chunk_free(&data);
}

START_TEST(test_round_trip)
{
	mike_msg_t *msg, *parsed;
	mike_node_t *node;
	chunk_t data, again;

	msg = build_sample();
	data = encode(msg);
	parsed = mike_msg_parse(data, err, sizeof(err));
	ck_assert_msg(parsed, "rejected: %s", err);
	ck_assert_int_eq(parsed->get_type(parsed), MIKE_MSG_REQUEST);
	ck_assert_str_eq(parsed->get_command(parsed), "load-groups");
	ck_assert_str_eq(parsed->get_str(parsed, NULL, "top"), "42");
	ck_assert_str_eq(parsed->get_str(parsed, NULL, "groups.%s.address",
									 "video"), "239.1.2.3");
	ck_assert_str_eq(parsed->get_str(parsed, NULL, "groups.video.empty"), "");
	ck_assert(parsed->get_str(parsed, NULL, "groups.video.missing") == NULL);
	ck_assert(parsed->get_str(parsed, NULL, "groups.video") == NULL);
	ck_assert_str_eq(parsed->get_str(parsed, "def", "nothing.here"), "def");

	node = parsed->find(parsed, "groups.video.binary");
	ck_assert(node && node->type == MIKE_NODE_VALUE);
	ck_assert(chunk_equals(node->value, chunk_from_chars(0x00,0xff,0x7f,0x0a)));
	node = parsed->find(parsed, "groups.video.senders");
	ck_assert(node && node->type == MIKE_NODE_LIST);
	ck_assert_int_eq(node->children->get_count(node->children), 2);
	node = parsed->find(parsed, "groups.audio");
	ck_assert(node && node->type == MIKE_NODE_SECTION);
	ck_assert_int_eq(node->children->get_count(node->children), 0);

	again = encode(parsed);
	ck_assert(chunk_equals(data, again));

	chunk_free(&again);
	chunk_free(&data);
	parsed->destroy(parsed);
	msg->destroy(msg);
}
END_TEST

START_TEST(test_exact_encoding)
{
	mike_msg_t *msg;
	chunk_t data;

	msg = mike_msg_create(MIKE_MSG_REQUEST, "join");
	msg->begin_section(msg, "s");
	msg->add_kv(msg, "k", "v");
	msg->begin_list(msg, "l");
	msg->add_list_item(msg, "i");
	msg->end_list(msg);
	msg->end_section(msg);
	data = encode(msg);
	ck_assert(chunk_equals(data, chunk_from_chars(
		0x00,0x00,0x00,0x19,			/* length */
		0x01, 0x01,						/* version, request */
		0x04, 'j','o','i','n',			/* command */
		0x01, 0x01, 's',				/* section start */
		0x03, 0x01, 'k', 0x00,0x01, 'v',/* key/value */
		0x04, 0x01, 'l',				/* list start */
		0x05, 0x00,0x01, 'i',			/* list item */
		0x06,							/* list end */
		0x02)));						/* section end */
	chunk_free(&data);
	msg->destroy(msg);
}
END_TEST

START_TEST(test_error_message)
{
	mike_msg_t *msg, *parsed;
	chunk_t data;

	msg = mike_msg_create_error("permission denied: %s needs root", "join");
	data = encode(msg);
	parsed = mike_msg_parse(data, err, sizeof(err));
	ck_assert_msg(parsed, "rejected: %s", err);
	ck_assert_int_eq(parsed->get_type(parsed), MIKE_MSG_ERROR);
	ck_assert(parsed->get_command(parsed) == NULL);
	ck_assert_str_eq(parsed->get_str(parsed, NULL, "error"),
					 "permission denied: join needs root");
	chunk_free(&data);
	parsed->destroy(parsed);
	msg->destroy(msg);
}
END_TEST

START_TEST(test_truncated_everywhere)
{
	mike_msg_t *msg, *parsed;
	chunk_t data, cut;
	size_t len;

	msg = build_sample();
	data = encode(msg);
	/* cut with the original length field: always a length mismatch */
	for (len = 0; len < data.len; len++)
	{
		assert_rejected(chunk_create(data.ptr, len), NULL);
	}
	/* cut with the length field fixed up: the element stream itself is
	 * truncated; only the cuts after the command (18 bytes) and after "top"
	 * (27 bytes) are complete messages, all others are refused */
	for (len = 4; len < data.len; len++)
	{
		cut = chunk_clone(chunk_create(data.ptr, len));
		htoun32(cut.ptr, len - 4);
		parsed = mike_msg_parse(cut, err, sizeof(err));
		if (len == 18 || len == 27)
		{
			ck_assert_msg(parsed != NULL, "rejected a cut at %zu: %s", len,
						  err);
			parsed->destroy(parsed);
		}
		else
		{
			ck_assert_msg(parsed == NULL, "accepted a cut at %zu", len);
		}
		chunk_free(&cut);
	}
	/* trailing bytes */
	cut = chunk_cat("cc", data, chunk_from_chars(0x02));
	assert_rejected(cut, "trailing");
	chunk_free(&cut);
	chunk_free(&data);
	msg->destroy(msg);
}
END_TEST

START_TEST(test_lengths)
{
	mike_msg_t *msg;
	chunk_t data;

	/* length field above the maximum */
	assert_rejected(chunk_from_chars(0x00,0x01,0x00,0x01, 0x01,0x02),
					"exceeds the maximum");
	assert_rejected(chunk_from_chars(0xff,0xff,0xff,0xff, 0x01,0x02),
					"exceeds the maximum");
	/* too short for version and type */
	assert_rejected(chunk_from_chars(0x00,0x00,0x00,0x00), "too short");
	assert_rejected(chunk_from_chars(0x00,0x00,0x00,0x01, 0x01), "too short");
	/* more announced than present */
	assert_rejected(chunk_from_chars(0x00,0x00,0x00,0x03, 0x01,0x02),
					"truncated");
	/* the smallest valid message: an empty response */
	data = chunk_from_chars(0x00,0x00,0x00,0x02, 0x01,0x02);
	msg = mike_msg_parse(data, err, sizeof(err));
	ck_assert_msg(msg, "rejected: %s", err);
	msg->destroy(msg);
	/* name length beyond the data */
	assert_body_rejected(chunk_from_chars(0x01, 0x05, 'a','b'), "truncated");
	/* value length beyond the data */
	assert_body_rejected(chunk_from_chars(0x03, 0x01, 'k', 0x00,0x05, 'v'),
						 "truncated");
	assert_body_rejected(chunk_from_chars(0x03, 0x01, 'k', 0x00), "truncated");
	assert_body_rejected(chunk_from_chars(0x04, 0x01, 'l', 0x05, 0xff,0xff),
						 "truncated");
	assert_body_rejected(chunk_from_chars(0x03), "truncated");
}
END_TEST

START_TEST(test_maximum_size)
{
	mike_msg_t *msg, *parsed;
	chunk_t value, data;
	int i;

	/* version, type, key/value header (1 + 1 + "a" + 2): exactly the
	 * maximum length with a value of MIKE_MSG_MAX_LEN - 7 bytes */
	value = chunk_alloc(MIKE_MSG_MAX_LEN - 7);
	memset(value.ptr, 'x', value.len);
	msg = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
	msg->add_kv_chunk(msg, "a", value);
	data = encode(msg);
	ck_assert_int_eq(data.len, 4 + MIKE_MSG_MAX_LEN);
	parsed = mike_msg_parse(data, err, sizeof(err));
	ck_assert_msg(parsed, "rejected: %s", err);
	parsed->destroy(parsed);
	chunk_free(&data);
	msg->destroy(msg);

	/* one byte more and the builder refuses to encode */
	msg = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
	msg->add_kv_chunk(msg, "b", chunk_create(value.ptr, 1));
	msg->add_kv_chunk(msg, "a", value);
	ck_assert(!msg->get_encoding(msg, &data));
	ck_assert(strstr(msg->get_error(msg), "exceeds"));
	msg->destroy(msg);
	chunk_free(&value);

	value = chunk_alloc(0xffff);
	memset(value.ptr, 'x', value.len);
	/* a value one byte too long is refused by the builder */
	msg = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
	value.len++;
	value.ptr = realloc(value.ptr, value.len);
	msg->add_kv_chunk(msg, "a", value);
	ck_assert(msg->get_error(msg) != NULL);
	ck_assert(!msg->get_encoding(msg, &data));
	msg->destroy(msg);
	chunk_free(&value);

	/* many small elements up to the limit parse */
	msg = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
	msg->begin_list(msg, "l");
	for (i = 0; i < 65000 / 3; i++)
	{
		msg->add_list_item(msg, "");
	}
	msg->end_list(msg);
	data = encode(msg);
	msg->destroy(msg);
	msg = mike_msg_parse(data, err, sizeof(err));
	ck_assert_msg(msg, "rejected: %s", err);
	msg->destroy(msg);
	chunk_free(&data);
}
END_TEST

/**
 * Raw body of depth nested sections (or lists, innermost)
 */
static chunk_t nested(int depth, bool list_inside)
{
	chunk_t body = chunk_empty, tmp;
	int i;

	for (i = 0; i < depth; i++)
	{
		if (list_inside && i == depth - 1)
		{
			tmp = chunk_cat("mc", body, chunk_from_chars(0x04, 0x01, 'l'));
		}
		else
		{
			tmp = chunk_cat("mc", body, chunk_from_chars(0x01, 0x01, 's'));
		}
		body = tmp;
	}
	for (i = 0; i < depth; i++)
	{
		tmp = chunk_cat("mc", body, chunk_from_chars(
						list_inside && i == 0 ? 0x06 : 0x02));
		body = tmp;
	}
	return body;
}

START_TEST(test_depth)
{
	mike_msg_t *msg;
	chunk_t body, data;
	int i;

	/* MIKE_MSG_MAX_DEPTH levels parse */
	/* chunk_cat() evaluates its arguments twice */
	data = nested(MIKE_MSG_MAX_DEPTH, _i);
	body = chunk_cat("cm", chunk_from_chars(0x01, 0x02), data);
	data = frame(body);
	chunk_free(&body);
	msg = mike_msg_parse(data, err, sizeof(err));
	ck_assert_msg(msg, "rejected: %s", err);
	msg->destroy(msg);
	chunk_free(&data);

	/* one more is refused */
	body = nested(MIKE_MSG_MAX_DEPTH + 1, _i);
	assert_body_rejected(body, "deeper");
	chunk_free(&body);

	/* far more, e.g. a stream of section starts */
	body = chunk_alloc(3 * 1000);
	for (i = 0; i < 1000; i++)
	{
		memcpy(body.ptr + 3 * i, "\x01\x01s", 3);
	}
	assert_body_rejected(body, "deeper");
	chunk_free(&body);

	/* the builder refuses too */
	msg = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
	for (i = 0; i <= MIKE_MSG_MAX_DEPTH; i++)
	{
		msg->begin_section(msg, "s");
	}
	ck_assert(msg->get_error(msg) && strstr(msg->get_error(msg), "deeper"));
	ck_assert(!msg->get_encoding(msg, &data));
	msg->destroy(msg);
}
END_TEST

START_TEST(test_version_and_type)
{
	assert_rejected(chunk_from_chars(0x00,0x00,0x00,0x02, 0x00,0x02),
					"version 0");
	assert_rejected(chunk_from_chars(0x00,0x00,0x00,0x02, 0x02,0x02),
					"version 2");
	assert_rejected(chunk_from_chars(0x00,0x00,0x00,0x02, 0xff,0x02),
					"version");
	assert_rejected(chunk_from_chars(0x00,0x00,0x00,0x02, 0x01,0x00),
					"message type 0");
	assert_rejected(chunk_from_chars(0x00,0x00,0x00,0x02, 0x01,0x04),
					"message type 4");
	/* a request needs a command name */
	assert_rejected(chunk_from_chars(0x00,0x00,0x00,0x02, 0x01,0x01),
					"command");
	assert_rejected(chunk_from_chars(0x00,0x00,0x00,0x03, 0x01,0x01, 0x00),
					"empty");
	assert_rejected(chunk_from_chars(0x00,0x00,0x00,0x05, 0x01,0x01,
									 0x02, 'a', 0x00), "NUL");
	assert_rejected(chunk_from_chars(0x00,0x00,0x00,0x04, 0x01,0x01,
									 0x02, 'a'), "truncated");
}
END_TEST

START_TEST(test_unknown_element)
{
	assert_body_rejected(chunk_from_chars(0x00), "unknown element type 0");
	assert_body_rejected(chunk_from_chars(0x07), "unknown element type 7");
	assert_body_rejected(chunk_from_chars(0xff), "unknown element type 255");
	assert_body_rejected(chunk_from_chars(0x01, 0x01, 's', 0x09, 0x02),
						 "unknown element type 9");
}
END_TEST

START_TEST(test_structure)
{
	/* ends without starts */
	assert_body_rejected(chunk_from_chars(0x02), "section end");
	assert_body_rejected(chunk_from_chars(0x06), "list end");
	assert_body_rejected(chunk_from_chars(0x01, 0x01, 's', 0x06), "list end");
	assert_body_rejected(chunk_from_chars(0x04, 0x01, 'l', 0x02),
						 "section end");
	/* items and values in the wrong place */
	assert_body_rejected(chunk_from_chars(0x05, 0x00,0x00), "outside");
	assert_body_rejected(chunk_from_chars(0x01, 0x01, 's', 0x05, 0x00,0x00,
										  0x02), "outside");
	assert_body_rejected(chunk_from_chars(0x04, 0x01, 'l', 0x03, 0x01, 'k',
										  0x00,0x00, 0x06), "inside list");
	assert_body_rejected(chunk_from_chars(0x04, 0x01, 'l', 0x01, 0x01, 's',
										  0x02, 0x06), "inside list");
	assert_body_rejected(chunk_from_chars(0x04, 0x01, 'l', 0x04, 0x01, 'm',
										  0x06, 0x06), "inside list");
	/* not closed */
	assert_body_rejected(chunk_from_chars(0x01, 0x01, 's'), "not closed");
	assert_body_rejected(chunk_from_chars(0x04, 0x01, 'l', 0x05, 0x00,0x00),
						 "not closed");
	/* bad names */
	assert_body_rejected(chunk_from_chars(0x01, 0x00, 0x02), "empty");
	assert_body_rejected(chunk_from_chars(0x03, 0x00, 0x00,0x00), "empty");
	assert_body_rejected(chunk_from_chars(0x04, 0x00, 0x06), "empty");
	assert_body_rejected(chunk_from_chars(0x03, 0x02, 'a', 0x00, 0x00,0x00),
						 "NUL");
}
END_TEST

START_TEST(test_builder_errors)
{
	mike_msg_t *msg;
	char name[300];
	chunk_t data;

	memset(name, 'n', sizeof(name));
	name[256] = '\0';

	msg = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
	msg->add_kv(msg, name, "v");
	ck_assert(msg->get_error(msg) != NULL);
	msg->destroy(msg);

	name[255] = '\0';
	msg = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
	msg->add_kv(msg, name, "v");
	ck_assert(msg->get_error(msg) == NULL);
	data = encode(msg);
	chunk_free(&data);
	msg->destroy(msg);

	msg = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
	msg->end_section(msg);
	ck_assert(msg->get_error(msg) != NULL);
	msg->destroy(msg);

	msg = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
	msg->add_list_item(msg, "x");
	ck_assert(msg->get_error(msg) != NULL);
	msg->destroy(msg);

	msg = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
	msg->begin_list(msg, "l");
	msg->add_kv(msg, "k", "v");
	ck_assert(msg->get_error(msg) != NULL);
	msg->destroy(msg);

	msg = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
	msg->begin_section(msg, "s");
	ck_assert(!msg->get_encoding(msg, &data));
	ck_assert(strstr(msg->get_error(msg), "not closed"));
	msg->destroy(msg);

	msg = mike_msg_create(MIKE_MSG_REQUEST, "");
	ck_assert(msg->get_error(msg) != NULL);
	msg->destroy(msg);

	msg = mike_msg_create(MIKE_MSG_REQUEST, NULL);
	ck_assert(msg->get_error(msg) != NULL);
	msg->destroy(msg);
}
END_TEST

START_TEST(test_stream)
{
	stream_t *a, *b;
	mike_msg_t *msg, *got;
	chunk_t data;
	int fds[2];

	ck_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
	a = stream_create_from_fd(fds[0]);
	b = stream_create_from_fd(fds[1]);

	msg = build_sample();
	ck_assert(mike_msg_write(a, msg, err, sizeof(err)));
	got = mike_msg_read(b, err, sizeof(err));
	ck_assert_msg(got, "read failed: %s", err);
	ck_assert_str_eq(got->get_command(got), "load-groups");
	got->destroy(got);
	msg->destroy(msg);

	/* an oversized length is refused before the body is read */
	data = chunk_from_chars(0x00,0x01,0x00,0x01);
	ck_assert(a->write_all(a, data.ptr, data.len));
	ck_assert(mike_msg_read(b, err, sizeof(err)) == NULL);
	ck_assert(strstr(err, "exceeds"));

	/* a close before a message starts */
	a->destroy(a);
	ck_assert(mike_msg_read(b, err, sizeof(err)) == NULL);
	ck_assert_str_eq(err, "connection closed");
	b->destroy(b);

	/* a close within a message */
	ck_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
	a = stream_create_from_fd(fds[0]);
	b = stream_create_from_fd(fds[1]);
	data = chunk_from_chars(0x00,0x00,0x00,0x08, 0x01);
	ck_assert(a->write_all(a, data.ptr, data.len));
	a->destroy(a);
	ck_assert(mike_msg_read(b, err, sizeof(err)) == NULL);
	ck_assert(strstr(err, "failed"));
	b->destroy(b);
}
END_TEST

/**
 * Write bytes to a stream, failing the test if they can't be
 */
static void put(stream_t *stream, void *ptr, size_t len)
{
	ck_assert(stream->write_all(stream, ptr, len));
}

START_TEST(test_reader_pieces)
{
	mike_msg_reader_t *reader;
	stream_t *a, *b;
	mike_msg_t *msg = NULL;
	chunk_t data;
	int fds[2];
	size_t i;

	ck_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
	a = stream_create_from_fd(fds[0]);
	b = stream_create_from_fd(fds[1]);
	reader = mike_msg_reader_create();

	/* nothing there yet: no byte, no waiting */
	ck_assert_int_eq(reader->read(reader, b, FALSE, &msg, err, sizeof(err)),
					 NEED_MORE);
	ck_assert_int_eq(reader->get_received(reader), 0);

	/* one byte at a time: the length field, then the rest */
	msg = build_sample();
	data = encode(msg);
	msg->destroy(msg);
	msg = NULL;
	for (i = 0; i < data.len - 1; i++)
	{
		put(a, data.ptr + i, 1);
		ck_assert_int_eq(reader->read(reader, b, FALSE, &msg, err,
									  sizeof(err)), NEED_MORE);
		ck_assert_int_eq(reader->get_received(reader), i + 1);
	}
	put(a, data.ptr + i, 1);
	ck_assert_msg(reader->read(reader, b, FALSE, &msg, err,
							   sizeof(err)) == SUCCESS, "failed: %s", err);
	ck_assert_str_eq(msg->get_command(msg), "load-groups");
	ck_assert_str_eq(msg->get_str(msg, NULL, "groups.video.address"),
					 "239.1.2.3");
	ck_assert_int_eq(reader->get_received(reader), 0);
	msg->destroy(msg);

	/* two messages and the first byte of a third in one write: one message
	 * per read, never a byte past its end */
	put(a, data.ptr, data.len);
	put(a, data.ptr, data.len);
	put(a, data.ptr, 1);
	for (i = 0; i < 2; i++)
	{
		msg = NULL;
		ck_assert_msg(reader->read(reader, b, FALSE, &msg, err,
								   sizeof(err)) == SUCCESS, "failed: %s", err);
		ck_assert_str_eq(msg->get_command(msg), "load-groups");
		msg->destroy(msg);
	}
	ck_assert_int_eq(reader->read(reader, b, FALSE, &msg, err, sizeof(err)),
					 NEED_MORE);
	ck_assert_int_eq(reader->get_received(reader), 1);

	/* a blocking read waits for the rest */
	put(a, data.ptr + 1, data.len - 1);
	msg = NULL;
	ck_assert_msg(reader->read(reader, b, TRUE, &msg, err,
							   sizeof(err)) == SUCCESS, "failed: %s", err);
	msg->destroy(msg);
	chunk_free(&data);

	/* a close between messages */
	a->destroy(a);
	ck_assert_int_eq(reader->read(reader, b, FALSE, &msg, err, sizeof(err)),
					 FAILED);
	ck_assert_str_eq(err, "connection closed");
	reader->destroy(reader);
	b->destroy(b);
}
END_TEST

START_TEST(test_reader_refusals)
{
	mike_msg_reader_t *reader;
	stream_t *a, *b;
	mike_msg_t *msg = NULL;
	chunk_t data, value;
	int fds[2];
	size_t i, piece = 4096;

	ck_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
	a = stream_create_from_fd(fds[0]);
	b = stream_create_from_fd(fds[1]);
	reader = mike_msg_reader_create();

	/* an oversized length is refused as soon as the length field is
	 * complete, the body never read */
	put(a, "\x00\x01", 2);
	ck_assert_int_eq(reader->read(reader, b, FALSE, &msg, err, sizeof(err)),
					 NEED_MORE);
	put(a, "\x00\x01" "rest", 6);
	ck_assert_int_eq(reader->read(reader, b, FALSE, &msg, err, sizeof(err)),
					 FAILED);
	ck_assert(strstr(err, "exceeds the maximum of 65536"));
	ck_assert_int_eq(reader->get_received(reader), 0);
	/* the rest is still unread: the caller closes, the reader stays sane */
	ck_assert_int_eq(b->read(b, err, sizeof(err), FALSE), 4);

	/* a complete but malformed message gets the parser's reason */
	put(a, "\x00\x00\x00\x02\x09\x02", 6);
	ck_assert_int_eq(reader->read(reader, b, FALSE, &msg, err, sizeof(err)),
					 FAILED);
	ck_assert(strstr(err, "unsupported protocol version 9"));

	/* the largest message arrives in pieces */
	value = chunk_alloc(MIKE_MSG_MAX_LEN - 7);
	memset(value.ptr, 'x', value.len);
	msg = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
	msg->add_kv_chunk(msg, "a", value);
	data = encode(msg);
	msg->destroy(msg);
	msg = NULL;
	chunk_free(&value);
	for (i = 0; i + piece < data.len; i += piece)
	{
		put(a, data.ptr + i, piece);
		ck_assert_int_eq(reader->read(reader, b, FALSE, &msg, err,
									  sizeof(err)), NEED_MORE);
		ck_assert_int_eq(reader->get_received(reader), i + piece);
	}
	put(a, data.ptr + i, data.len - i);
	ck_assert_msg(reader->read(reader, b, FALSE, &msg, err,
							   sizeof(err)) == SUCCESS, "failed: %s", err);
	ck_assert_int_eq(msg->find(msg, "a")->value.len, MIKE_MSG_MAX_LEN - 7);
	msg->destroy(msg);
	msg = NULL;

	/* a close within a message says how far it got */
	put(a, data.ptr, 10);
	chunk_free(&data);
	ck_assert_int_eq(reader->read(reader, b, FALSE, &msg, err, sizeof(err)),
					 NEED_MORE);
	a->destroy(a);
	ck_assert_int_eq(reader->read(reader, b, FALSE, &msg, err, sizeof(err)),
					 FAILED);
	ck_assert_msg(strstr(err, "failed after 6: connection closed"), "%s",
				  err);
	/* a partly received message is freed with the reader */
	reader->destroy(reader);
	b->destroy(b);
}
END_TEST

START_TEST(test_read_timeout)
{
	stream_t *a, *b;
	int fds[2];

	ck_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
	a = stream_create_from_fd(fds[0]);
	b = stream_create_from_fd(fds[1]);
	ck_assert(mike_msg_set_timeouts(b, 100, 100));

	/* a blocking read of a started message ends at SO_RCVTIMEO */
	put(a, "\x00\x00\x00\x08\x01", 5);
	ck_assert(mike_msg_read(b, err, sizeof(err)) == NULL);
	ck_assert_msg(strstr(err, "timed out"), "%s", err);
	a->destroy(a);
	b->destroy(b);
}
END_TEST

Suite *msg_suite(void)
{
	Suite *s = suite_create("mike_msg");
	TCase *tc;

	tc = tcase_create("encoding");
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_exact_encoding);
	tcase_add_test(tc, test_error_message);
	tcase_add_test(tc, test_builder_errors);
	tcase_add_test(tc, test_maximum_size);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_test(tc, test_truncated_everywhere);
	tcase_add_test(tc, test_lengths);
	tcase_add_loop_test(tc, test_depth, 0, 2);
	tcase_add_test(tc, test_version_and_type);
	tcase_add_test(tc, test_unknown_element);
	tcase_add_test(tc, test_structure);
	suite_add_tcase(s, tc);

	tc = tcase_create("stream");
	tcase_add_test(tc, test_stream);
	tcase_add_test(tc, test_reader_pieces);
	tcase_add_test(tc, test_reader_refusals);
	tcase_add_test(tc, test_read_timeout);
	suite_add_tcase(s, tc);
	return s;
}
