/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * libFuzzer target of the control socket's incremental reader
 * (mike_msg_reader_t in mike_msg.c), which charon runs without blocking on
 * whatever bytes a local user has sent so far.  The input is a few bytes
 * that say how to cut the rest into writes, then the byte stream itself
 * (messages back to back, possibly ending inside one).  The stream goes
 * through a socketpair, one write at a time, and the reader takes what has
 * arrived after each write.  Besides memory safety it checks that
 *  - every message the reader returns is what mike_msg_parse() makes of the
 *    same bytes, and re-encodes to them;
 *  - a refused message fails with the parser's own reason, an oversized
 *    length right after the length field;
 *  - the reader takes every byte there is and none past a message's end
 *    (NEED_MORE only with the socket drained and the message incomplete);
 *  - only the end of the stream stops an incomplete message, and says so;
 *  - get_received() stays within MIKE_MSG_MAX_LEN + 4, 0 between messages;
 *  - a reader destroyed in the middle of a message leaks nothing.
 * The reading end is non-blocking, so a read that would block fails (and
 * breaks an invariant) instead of hanging the target.
 *
 * Input: flags (FLAG_*), then SPLIT_SIZES bytes of write sizes used in
 * turn: 0 writes the rest at once, n writes n bytes (n * 64 with
 * FLAG_LARGE_WRITES).
 *
 * Build (from the source tree; SS = configured strongSwan tree):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -fno-sanitize-recover=undefined -include $SS/config.h \
 *     -I$SS/src/libstrongswan -Isrc/libcharon/plugins/mike \
 *     fuzz/fuzz_mike_msg_reader.c fuzz/fuzz_msg_check.c \
 *     src/libcharon/plugins/mike/control/mike_msg.c \
 *     -L/usr/lib/ipsec -lstrongswan -Wl,-rpath,/usr/lib/ipsec \
 *     -o fuzz_mike_msg_reader
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include <library.h>

#include "control/mike_msg.h"

#include "fuzz_msg_check.h"

/** After the last write, close the writing end (the peer hangs up) */
#define FLAG_CLOSE 0x01
/** Write sizes count in units of 64 bytes */
#define FLAG_LARGE_WRITES 0x02

/** Number of write sizes after the flags */
#define SPLIT_SIZES 4

/** Longest byte stream tried, far less than a socketpair's buffers hold in
 *  the worst case of unread messages (the reader drains them anyway) */
#define STREAM_MAX (200 * 1024)

/** Where a message ends that can never be complete */
#define NO_END SIZE_MAX

/**
 * One run: the byte stream, what of it has been written, what read
 */
typedef struct {

	/** reader under test */
	mike_msg_reader_t *reader;

	/** stream over the reading end */
	stream_t *stream;

	/** writing end */
	int fd;

	/** the whole byte stream */
	chunk_t data;

	/** bytes of data written so far */
	size_t written;

	/** start of the current message in data */
	size_t pos;

	/** the writing end is closed */
	bool closed;

	/** the reader failed, the stream is done */
	bool failed;
} run_t;

/**
 * Where the current message ends in data: after the length field if the
 * reader must refuse the length, NO_END if the data ends before the length
 * field does
 */
static size_t message_end(run_t *run)
{
	uint32_t len;

	if (run->data.len - run->pos < 4)
	{
		return NO_END;
	}
	len = untoh32(run->data.ptr + run->pos);
	if (len > MIKE_MSG_MAX_LEN)
	{
		return run->pos + 4;
	}
	return run->pos + 4 + len;
}

/**
 * A message the reader returned: the parser makes the same of its bytes
 */
static void check_message(run_t *run, mike_msg_t *msg, size_t end)
{
	char err[MIKE_MSG_ERR_LEN] = "";
	chunk_t bytes;
	mike_msg_t *parsed;

	FUZZ_ASSERT(msg);
	FUZZ_ASSERT(end <= run->written);
	bytes = chunk_create(run->data.ptr + run->pos, end - run->pos);
	parsed = mike_msg_parse(bytes, err, sizeof(err));
	FUZZ_ASSERT(parsed);
	FUZZ_ASSERT(parsed->get_type(parsed) == msg->get_type(msg));
	fuzz_msg_check(msg, bytes);
	parsed->destroy(parsed);
}

/**
 * The reader failed: with the parser's reason for a complete message or a
 * refused length, else because the peer closed the stream
 */
static void check_failure(run_t *run, char *reason, size_t end)
{
	char err[MIKE_MSG_ERR_LEN] = "";
	mike_msg_t *parsed;

	FUZZ_ASSERT(reason[0]);
	if (end <= run->written)
	{
		parsed = mike_msg_parse(chunk_create(run->data.ptr + run->pos,
											 end - run->pos),
								err, sizeof(err));
		FUZZ_ASSERT(!parsed);
		FUZZ_ASSERT(streq(reason, err));
		return;
	}
	FUZZ_ASSERT(run->closed && run->written == run->data.len);
	FUZZ_ASSERT(strstr(reason, "connection closed"));
	if (run->pos == run->written)
	{	/* between messages, a hang-up is no error of a message */
		FUZZ_ASSERT(streq(reason, "connection closed"));
	}
}

/**
 * Let the reader take what the socket has, as a watcher callback does:
 * until it needs more or fails
 */
static void drain(run_t *run)
{
	char err[MIKE_MSG_ERR_LEN];
	mike_msg_t *msg;
	status_t status;
	size_t received, end;

	while (!run->failed)
	{
		msg = NULL;
		err[0] = '\0';
		status = run->reader->read(run->reader, run->stream, FALSE, &msg, err,
								   sizeof(err));
		received = run->reader->get_received(run->reader);
		FUZZ_ASSERT(received <= MIKE_MSG_MAX_LEN + 4);
		end = message_end(run);
		switch (status)
		{
			case SUCCESS:
				FUZZ_ASSERT(received == 0);
				check_message(run, msg, end);
				msg->destroy(msg);
				run->pos = end;
				break;
			case NEED_MORE:
				/* every byte written taken, none past the message */
				FUZZ_ASSERT(!msg);
				FUZZ_ASSERT(!run->closed);
				FUZZ_ASSERT(run->pos + received == run->written);
				FUZZ_ASSERT(end == NO_END || run->written < end);
				return;
			case FAILED:
				FUZZ_ASSERT(!msg);
				FUZZ_ASSERT(received == 0);
				check_failure(run, err, end);
				run->failed = TRUE;
				return;
			default:
				FUZZ_ASSERT(!"read returns SUCCESS, NEED_MORE or FAILED");
		}
	}
}

/**
 * Write bytes without blocking; whatever does not fit waits until the
 * reader has drained the socket
 */
static void write_chunk(run_t *run, chunk_t chunk)
{
	ssize_t sent;

	while (chunk.len && !run->failed)
	{
		sent = send(run->fd, chunk.ptr, chunk.len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (sent < 0)
		{
			FUZZ_ASSERT(errno == EAGAIN || errno == EWOULDBLOCK);
			sent = 0;
		}
		run->written += sent;
		chunk = chunk_skip(chunk, sent);
		drain(run);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* stream_t's destroy() unregisters from lib->watcher */
	FUZZ_ASSERT(library_init(NULL, "fuzz_mike_msg_reader"));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	const uint8_t *sizes = buf + 1;
	chunk_t rest, chunk;
	run_t run = {};
	size_t size;
	int fds[2], i;
	uint8_t flags;

	if (len < 1 + SPLIT_SIZES || len - 1 - SPLIT_SIZES > STREAM_MAX)
	{
		return 0;
	}
	flags = buf[0];
	run.data = chunk_create((u_char*)buf + 1 + SPLIT_SIZES,
							len - 1 - SPLIT_SIZES);

	FUZZ_ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
	FUZZ_ASSERT(fcntl(fds[0], F_SETFL,
					  fcntl(fds[0], F_GETFL) | O_NONBLOCK) == 0);
	run.stream = stream_create_from_fd(fds[0]);
	run.fd = fds[1];
	run.reader = mike_msg_reader_create();

	/* nothing sent yet */
	drain(&run);
	rest = run.data;
	for (i = 0; rest.len && !run.failed; i++)
	{
		size = sizes[i % SPLIT_SIZES];
		if (flags & FLAG_LARGE_WRITES)
		{
			size *= 64;
		}
		if (!size || size > rest.len)
		{
			size = rest.len;
		}
		chunk = chunk_create(rest.ptr, size);
		rest = chunk_skip(rest, size);
		write_chunk(&run, chunk);
	}
	if ((flags & FLAG_CLOSE) && !run.failed)
	{
		close(run.fd);
		run.fd = -1;
		run.closed = TRUE;
		drain(&run);
		FUZZ_ASSERT(run.failed);
	}

	/* possibly in the middle of a message */
	run.reader->destroy(run.reader);
	run.stream->destroy(run.stream);
	if (run.fd != -1)
	{
		close(run.fd);
	}
	return 0;
}
