/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_msg mike_msg
 * @{ @ingroup mike
 */

#ifndef MIKE_MSG_H_
#define MIKE_MSG_H_

#include <library.h>
#include <collections/linked_list.h>
#include <networking/streams/stream.h>

/**
 * Version of the control socket protocol, the second field of a message.
 */
#define MIKE_MSG_VERSION 1

/**
 * Largest value of the length field: the bytes after it (version, type,
 * command, elements).
 */
#define MIKE_MSG_MAX_LEN 65536

/**
 * Deepest nesting of sections and lists (a list counts as one level).
 */
#define MIKE_MSG_MAX_DEPTH 16

/**
 * Room for the reason of a rejected message, see mike_msg_parse().
 */
#define MIKE_MSG_ERR_LEN 128

typedef struct mike_msg_t mike_msg_t;
typedef struct mike_msg_reader_t mike_msg_reader_t;
typedef struct mike_node_t mike_node_t;
typedef enum mike_msg_type_t mike_msg_type_t;
typedef enum mike_elem_type_t mike_elem_type_t;
typedef enum mike_node_type_t mike_node_type_t;

/**
 * What a message is: its type byte.
 */
enum mike_msg_type_t {
	/** a command to the plugin, carries the command name */
	MIKE_MSG_REQUEST = 1,
	/** the successful answer to a request */
	MIKE_MSG_RESPONSE = 2,
	/** a failed request; the body holds "error = <reason>" */
	MIKE_MSG_ERROR = 3,
};

/**
 * Names of mike_msg_type_t ("request", "response", "error").
 */
extern enum_name_t *mike_msg_type_names;

/**
 * Element types of a message body, the same stream vici uses.
 */
enum mike_elem_type_t {
	MIKE_ELEM_SECTION_START = 1,
	MIKE_ELEM_SECTION_END = 2,
	MIKE_ELEM_KEY_VALUE = 3,
	MIKE_ELEM_LIST_START = 4,
	MIKE_ELEM_LIST_ITEM = 5,
	MIKE_ELEM_LIST_END = 6,
};

/**
 * Kinds of nodes of a message's tree.
 */
enum mike_node_type_t {
	/** named section, children are nodes of any kind */
	MIKE_NODE_SECTION,
	/** named value (key = value), or an unnamed list item */
	MIKE_NODE_VALUE,
	/** named list, children are unnamed MIKE_NODE_VALUE items */
	MIKE_NODE_LIST,
};

/**
 * A node of a message's tree, read-only for users of mike_msg_t.
 */
struct mike_node_t {

	/** what the node is */
	mike_node_type_t type;

	/** name (1-255 bytes, no NUL), NULL for the root and list items */
	char *name;

	/** MIKE_NODE_VALUE: the value; a NUL follows it (not in value.len) */
	chunk_t value;

	/** SECTION and LIST: the children in message order, as mike_node_t */
	linked_list_t *children;

	/** enclosing section or list, NULL for the root */
	mike_node_t *parent;
};

/**
 * A control socket message: the builder of an outgoing message and the
 * parsed tree of an incoming one.
 *
 * Builder calls that break a rule (name too long, value too long, too deep,
 * unbalanced end, item outside a list ...) do nothing but set a sticky
 * error, reported by get_error() and by get_encoding().
 */
struct mike_msg_t {

	/**
	 * The type of the message.
	 */
	mike_msg_type_t (*get_type)(mike_msg_t *this);

	/**
	 * The command name of a request, NULL for other types.
	 */
	char* (*get_command)(mike_msg_t *this);

	/**
	 * The root section (unnamed) of the body.
	 */
	mike_node_t* (*get_root)(mike_msg_t *this);

	/**
	 * Look up a node by a dot-separated path of names from the root,
	 * e.g. "groups.%s.address"; the first match at each level wins.
	 *
	 * @param fmt		printf format of the path
	 * @return			node, NULL if none
	 */
	mike_node_t* (*find)(mike_msg_t *this, char *fmt, ...);

	/**
	 * The string value of a key/value pair by path (see find()).
	 *
	 * @param def		returned if there is no value node at the path
	 * @param fmt		printf format of the path
	 * @return			the value (NUL-terminated), or def
	 */
	char* (*get_str)(mike_msg_t *this, char *def, char *fmt, ...);

	/**
	 * Open a named section in the current section.
	 */
	void (*begin_section)(mike_msg_t *this, char *name);

	/**
	 * Close the current section.
	 */
	void (*end_section)(mike_msg_t *this);

	/**
	 * Add key = value to the current section, the value printf-formatted.
	 */
	void (*add_kv)(mike_msg_t *this, char *name, char *fmt, ...);

	/**
	 * Add key = value to the current section, a binary value.
	 */
	void (*add_kv_chunk)(mike_msg_t *this, char *name, chunk_t value);

	/**
	 * Open a named list in the current section.
	 */
	void (*begin_list)(mike_msg_t *this, char *name);

	/**
	 * Add an item, printf-formatted, to the current list.
	 */
	void (*add_list_item)(mike_msg_t *this, char *fmt, ...);

	/**
	 * Close the current list.
	 */
	void (*end_list)(mike_msg_t *this);

	/**
	 * The first builder error, NULL if none.
	 */
	char* (*get_error)(mike_msg_t *this);

	/**
	 * Encode the message (length field included).  Fails if a builder
	 * call failed, a section or list is still open, or the message would
	 * exceed MIKE_MSG_MAX_LEN.
	 *
	 * @param encoding	allocated encoding, to free by the caller
	 * @return			TRUE if encoded
	 */
	bool (*get_encoding)(mike_msg_t *this, chunk_t *encoding);

	/**
	 * Destroy the message.
	 */
	void (*destroy)(mike_msg_t *this);
};

/**
 * Create an empty message to build.
 *
 * @param type		type of the message
 * @param command	command name of a request (1-255 bytes), else NULL
 * @return			message
 */
mike_msg_t *mike_msg_create(mike_msg_type_t type, char *command);

/**
 * Create an error message whose body is "error = <reason>".
 *
 * @param fmt		printf format of the reason
 * @return			message
 */
mike_msg_t *mike_msg_create_error(char *fmt, ...);

/**
 * Parse a complete message (length field included), strictly: every length
 * is checked, the length field must match the data, the version must be
 * MIKE_MSG_VERSION, sections and lists must nest properly and no deeper
 * than MIKE_MSG_MAX_DEPTH, names must be 1-255 bytes without NUL.
 *
 * @param data		encoded message, untrusted
 * @param err		receives the reason of a rejection
 * @param err_len	size of err, MIKE_MSG_ERR_LEN is enough
 * @return			parsed message, NULL if rejected
 */
mike_msg_t *mike_msg_parse(chunk_t data, char *err, size_t err_len);

/**
 * Reassembles one message at a time from a stream's bytes as they arrive,
 * so a reader that must not block (a watcher callback) takes what the
 * stream has and comes back when it has more.  The length field is checked
 * before the rest is read, so an oversized message is refused without
 * reading it, and no byte past a message's end is read.
 */
struct mike_msg_reader_t {

	/**
	 * Read bytes of the current message from a stream, and parse the
	 * message once it is complete.
	 *
	 * @param stream	stream to read from
	 * @param block		TRUE to wait for the whole message, FALSE to take only
	 *					the bytes the stream has now
	 * @param msg		receives the parsed message on SUCCESS
	 * @param err		receives the reason of a failure ("connection closed"
	 *					if the peer closed the stream between messages)
	 * @param err_len	size of err
	 * @return			SUCCESS (ready for the next message), NEED_MORE if
	 *					the stream has no more bytes now (only without block),
	 *					FAILED (the stream is unusable for further messages)
	 */
	status_t (*read)(mike_msg_reader_t *this, stream_t *stream, bool block,
					 mike_msg_t **msg, char *err, size_t err_len);

	/**
	 * Bytes of the current message received so far, 0 between messages.
	 *
	 * @return			bytes received, length field included
	 */
	size_t (*get_received)(mike_msg_reader_t *this);

	/**
	 * Destroy the reader and a partly received message.
	 */
	void (*destroy)(mike_msg_reader_t *this);
};

/**
 * Create a reader, waiting for the first byte of a message.
 *
 * @return			reader
 */
mike_msg_reader_t *mike_msg_reader_create();

/**
 * Read and parse one message from a stream (blocking), with a reader of its
 * own, see mike_msg_reader_t.
 *
 * @param stream	stream to read from
 * @param err		receives the reason of a failure ("connection closed"
 *					if the peer closed the stream before a message started,
 *					"... timed out" if a read hit the socket's SO_RCVTIMEO)
 * @param err_len	size of err
 * @return			parsed message, NULL on failure
 */
mike_msg_t *mike_msg_read(stream_t *stream, char *err, size_t err_len);

/**
 * Bound the blocking reads and writes of a stream's socket (SO_RCVTIMEO,
 * SO_SNDTIMEO); a read or write that hits the bound fails with EAGAIN.
 *
 * @param stream	stream of a socket
 * @param read_ms	milliseconds a read may wait, 0 for no bound
 * @param write_ms	milliseconds a write may wait, 0 for no bound
 * @return			TRUE if set, FALSE with errno set
 */
bool mike_msg_set_timeouts(stream_t *stream, u_int read_ms, u_int write_ms);

/**
 * Encode and write a message to a stream (blocking).
 *
 * @param stream	stream to write to
 * @param msg		message to send
 * @param err		receives the reason of a failure
 * @param err_len	size of err
 * @return			TRUE if written
 */
bool mike_msg_write(stream_t *stream, mike_msg_t *msg, char *err,
					size_t err_len);

#endif /** MIKE_MSG_H_ @}*/
