/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/* vasprintf(), struct ucred */
#define _GNU_SOURCE

#include "control/mike_msg.h"

#include <stdio.h>
#include <stdarg.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <bio/bio_writer.h>

ENUM_BEGIN(mike_msg_type_names, MIKE_MSG_REQUEST, MIKE_MSG_ERROR,
	"request",
	"response",
	"error");
ENUM_END(mike_msg_type_names, MIKE_MSG_ERROR);

/**
 * Size of the fixed header: length, version, type
 */
#define HEADER_LEN 6

/**
 * Largest name and value, by the width of their length fields
 */
#define MAX_NAME_LEN 0xff
#define MAX_VALUE_LEN 0xffff

typedef struct private_mike_msg_t private_mike_msg_t;

/**
 * Private data of a mike_msg_t object.
 */
struct private_mike_msg_t {

	/**
	 * Public interface.
	 */
	mike_msg_t public;

	/**
	 * Message type
	 */
	mike_msg_type_t type;

	/**
	 * Command name of a request, NULL otherwise
	 */
	char *command;

	/**
	 * Unnamed root section
	 */
	mike_node_t *root;

	/**
	 * Builder: the open section or list new nodes go into
	 */
	mike_node_t *current;

	/**
	 * Builder: nesting depth of current
	 */
	u_int depth;

	/**
	 * Builder: first error, allocated
	 */
	char *error;
};

/**
 * Create a node below parent (if any); name and value are copied, the
 * value gets a NUL terminator so it can be used as a string.
 */
static mike_node_t *node_create(mike_node_type_t type, mike_node_t *parent,
								chunk_t name, chunk_t value)
{
	mike_node_t *node;

	INIT(node,
		.type = type,
		.parent = parent,
	);
	if (name.len)
	{
		node->name = malloc(name.len + 1);
		memcpy(node->name, name.ptr, name.len);
		node->name[name.len] = '\0';
	}
	if (type == MIKE_NODE_VALUE)
	{
		node->value = chunk_alloc(value.len + 1);
		memcpy(node->value.ptr, value.ptr, value.len);
		node->value.ptr[value.len] = '\0';
		node->value.len = value.len;
	}
	else
	{
		node->children = linked_list_create();
	}
	if (parent)
	{
		parent->children->insert_last(parent->children, node);
	}
	return node;
}

/**
 * Destroy a node and its children
 */
static void node_destroy(mike_node_t *node)
{
	if (node->children)
	{
		node->children->destroy_function(node->children, (void*)node_destroy);
	}
	free(node->name);
	/* responses carry keys (sam-keys) */
	chunk_clear(&node->value);
	free(node);
}

/**
 * Is a name acceptable: 1-255 bytes, no NUL
 */
static bool name_valid(chunk_t name)
{
	return name.len >= 1 && name.len <= MAX_NAME_LEN &&
		   !memchr(name.ptr, '\0', name.len);
}

/**
 * Record the first builder error
 */
static void set_error(private_mike_msg_t *this, char *fmt, ...)
{
	va_list args;

	if (!this->error)
	{
		va_start(args, fmt);
		if (vasprintf(&this->error, fmt, args) < 0)
		{
			this->error = NULL;
		}
		va_end(args);
		if (!this->error)
		{
			this->error = strdup("out of memory");
		}
	}
}

/**
 * Builder precondition of a new named node in the current section
 */
static bool can_add_named(private_mike_msg_t *this, char *what, char *name)
{
	if (this->error)
	{
		return FALSE;
	}
	if (!name || !name_valid(chunk_from_str(name)))
	{
		set_error(this, "%s name must be 1-%d bytes", what, MAX_NAME_LEN);
		return FALSE;
	}
	if (this->current->type != MIKE_NODE_SECTION)
	{
		set_error(this, "%s '%s' inside list '%s'", what, name,
				  this->current->name);
		return FALSE;
	}
	return TRUE;
}

METHOD(mike_msg_t, get_type, mike_msg_type_t,
	private_mike_msg_t *this)
{
	return this->type;
}

METHOD(mike_msg_t, get_command, char*,
	private_mike_msg_t *this)
{
	return this->command;
}

METHOD(mike_msg_t, get_root, mike_node_t*,
	private_mike_msg_t *this)
{
	return this->root;
}

/**
 * Find a node by a path (modified in place)
 */
static mike_node_t *find_path(private_mike_msg_t *this, char *path)
{
	enumerator_t *enumerator;
	mike_node_t *node = this->root, *child, *found;
	char *name, *pos = NULL;

	for (name = strtok_r(path, ".", &pos); name;
		 name = strtok_r(NULL, ".", &pos))
	{
		if (!node->children || node->type != MIKE_NODE_SECTION)
		{
			return NULL;
		}
		found = NULL;
		enumerator = node->children->create_enumerator(node->children);
		while (enumerator->enumerate(enumerator, &child))
		{
			if (streq(child->name, name))
			{
				found = child;
				break;
			}
		}
		enumerator->destroy(enumerator);
		if (!found)
		{
			return NULL;
		}
		node = found;
	}
	return node;
}

METHOD(mike_msg_t, find, mike_node_t*,
	private_mike_msg_t *this, char *fmt, ...)
{
	char path[BUF_LEN];
	va_list args;
	int len;

	va_start(args, fmt);
	len = vsnprintf(path, sizeof(path), fmt, args);
	va_end(args);
	if (len < 0 || len >= sizeof(path))
	{
		return NULL;
	}
	return find_path(this, path);
}

METHOD(mike_msg_t, get_str, char*,
	private_mike_msg_t *this, char *def, char *fmt, ...)
{
	mike_node_t *node;
	char path[BUF_LEN];
	va_list args;
	int len;

	va_start(args, fmt);
	len = vsnprintf(path, sizeof(path), fmt, args);
	va_end(args);
	if (len < 0 || len >= sizeof(path))
	{
		return def;
	}
	node = find_path(this, path);
	if (!node || node->type != MIKE_NODE_VALUE)
	{
		return def;
	}
	return (char*)node->value.ptr;
}

/**
 * Open a section or list: a named node the following elements go into
 */
static void begin_node(private_mike_msg_t *this, mike_node_type_t type,
					   char *what, char *name)
{
	if (!can_add_named(this, what, name))
	{
		return;
	}
	if (this->depth >= MIKE_MSG_MAX_DEPTH)
	{
		set_error(this, "%s '%s' nested deeper than %d", what, name,
				  MIKE_MSG_MAX_DEPTH);
		return;
	}
	this->current = node_create(type, this->current, chunk_from_str(name),
								chunk_empty);
	this->depth++;
}

METHOD(mike_msg_t, begin_section, void,
	private_mike_msg_t *this, char *name)
{
	begin_node(this, MIKE_NODE_SECTION, "section", name);
}

METHOD(mike_msg_t, end_section, void,
	private_mike_msg_t *this)
{
	if (this->error)
	{
		return;
	}
	if (this->current->type != MIKE_NODE_SECTION || !this->current->parent)
	{
		set_error(this, "section end without an open section");
		return;
	}
	this->current = this->current->parent;
	this->depth--;
}

METHOD(mike_msg_t, add_kv_chunk, void,
	private_mike_msg_t *this, char *name, chunk_t value)
{
	if (!can_add_named(this, "key", name))
	{
		return;
	}
	if (value.len > MAX_VALUE_LEN)
	{
		set_error(this, "value of '%s' longer than %d bytes", name,
				  MAX_VALUE_LEN);
		return;
	}
	node_create(MIKE_NODE_VALUE, this->current, chunk_from_str(name), value);
}

METHOD(mike_msg_t, add_kv, void,
	private_mike_msg_t *this, char *name, char *fmt, ...)
{
	va_list args;
	char *value;

	va_start(args, fmt);
	if (vasprintf(&value, fmt, args) < 0)
	{
		va_end(args);
		set_error(this, "out of memory");
		return;
	}
	va_end(args);
	add_kv_chunk(this, name, chunk_from_str(value));
	memwipe(value, strlen(value));
	free(value);
}

METHOD(mike_msg_t, begin_list, void,
	private_mike_msg_t *this, char *name)
{
	begin_node(this, MIKE_NODE_LIST, "list", name);
}

METHOD(mike_msg_t, add_list_item, void,
	private_mike_msg_t *this, char *fmt, ...)
{
	va_list args;
	char *value;

	if (this->error)
	{
		return;
	}
	if (this->current->type != MIKE_NODE_LIST)
	{
		set_error(this, "list item outside a list");
		return;
	}
	va_start(args, fmt);
	if (vasprintf(&value, fmt, args) < 0)
	{
		va_end(args);
		set_error(this, "out of memory");
		return;
	}
	va_end(args);
	if (strlen(value) > MAX_VALUE_LEN)
	{
		set_error(this, "item of list '%s' longer than %d bytes",
				  this->current->name, MAX_VALUE_LEN);
	}
	else
	{
		node_create(MIKE_NODE_VALUE, this->current, chunk_empty,
					chunk_from_str(value));
	}
	free(value);
}

METHOD(mike_msg_t, end_list, void,
	private_mike_msg_t *this)
{
	if (this->error)
	{
		return;
	}
	if (this->current->type != MIKE_NODE_LIST)
	{
		set_error(this, "list end without an open list");
		return;
	}
	this->current = this->current->parent;
	this->depth--;
}

METHOD(mike_msg_t, get_error, char*,
	private_mike_msg_t *this)
{
	return this->error;
}

/**
 * Encode the children of a section or list
 */
static void encode_children(bio_writer_t *writer, mike_node_t *node)
{
	enumerator_t *enumerator;
	mike_node_t *child;

	enumerator = node->children->create_enumerator(node->children);
	while (enumerator->enumerate(enumerator, &child))
	{
		switch (child->type)
		{
			case MIKE_NODE_SECTION:
				writer->write_uint8(writer, MIKE_ELEM_SECTION_START);
				writer->write_data8(writer, chunk_from_str(child->name));
				encode_children(writer, child);
				writer->write_uint8(writer, MIKE_ELEM_SECTION_END);
				break;
			case MIKE_NODE_LIST:
				writer->write_uint8(writer, MIKE_ELEM_LIST_START);
				writer->write_data8(writer, chunk_from_str(child->name));
				encode_children(writer, child);
				writer->write_uint8(writer, MIKE_ELEM_LIST_END);
				break;
			case MIKE_NODE_VALUE:
				if (child->name)
				{
					writer->write_uint8(writer, MIKE_ELEM_KEY_VALUE);
					writer->write_data8(writer, chunk_from_str(child->name));
				}
				else
				{
					writer->write_uint8(writer, MIKE_ELEM_LIST_ITEM);
				}
				writer->write_data16(writer, child->value);
				break;
		}
	}
	enumerator->destroy(enumerator);
}

METHOD(mike_msg_t, get_encoding, bool,
	private_mike_msg_t *this, chunk_t *encoding)
{
	bio_writer_t *writer;
	chunk_t data;

	if (this->error)
	{
		return FALSE;
	}
	if (this->current != this->root)
	{
		set_error(this, "%s '%s' not closed",
				  this->current->type == MIKE_NODE_LIST ? "list" : "section",
				  this->current->name);
		return FALSE;
	}
	writer = bio_writer_create(256);
	writer->write_uint8(writer, MIKE_MSG_VERSION);
	writer->write_uint8(writer, this->type);
	if (this->type == MIKE_MSG_REQUEST)
	{
		writer->write_data8(writer, chunk_from_str(this->command));
	}
	encode_children(writer, this->root);
	if (writer->get_buf(writer).len > MIKE_MSG_MAX_LEN)
	{
		set_error(this, "message of %zu bytes exceeds the maximum of %d",
				  writer->get_buf(writer).len, MIKE_MSG_MAX_LEN);
		writer->destroy(writer);
		return FALSE;
	}
	writer->wrap32(writer);
	data = writer->extract_buf(writer);
	writer->destroy(writer);
	*encoding = data;
	return TRUE;
}

METHOD(mike_msg_t, destroy, void,
	private_mike_msg_t *this)
{
	node_destroy(this->root);
	free(this->command);
	free(this->error);
	free(this);
}

/**
 * Create an empty message, the command not checked
 */
static private_mike_msg_t *create_empty(mike_msg_type_t type)
{
	private_mike_msg_t *this;

	INIT(this,
		.public = {
			.get_type = _get_type,
			.get_command = _get_command,
			.get_root = _get_root,
			.find = _find,
			.get_str = _get_str,
			.begin_section = _begin_section,
			.end_section = _end_section,
			.add_kv = _add_kv,
			.add_kv_chunk = _add_kv_chunk,
			.begin_list = _begin_list,
			.add_list_item = _add_list_item,
			.end_list = _end_list,
			.get_error = _get_error,
			.get_encoding = _get_encoding,
			.destroy = _destroy,
		},
		.type = type,
		.root = node_create(MIKE_NODE_SECTION, NULL, chunk_empty, chunk_empty),
	);
	this->current = this->root;
	return this;
}

/*
 * Described in header
 */
mike_msg_t *mike_msg_create(mike_msg_type_t type, char *command)
{
	private_mike_msg_t *this;

	this = create_empty(type);
	if (type < MIKE_MSG_REQUEST || type > MIKE_MSG_ERROR)
	{
		set_error(this, "unknown message type %d", type);
	}
	else if (type == MIKE_MSG_REQUEST)
	{
		if (!command || !name_valid(chunk_from_str(command)))
		{
			set_error(this, "command name must be 1-%d bytes", MAX_NAME_LEN);
		}
		else
		{
			this->command = strdup(command);
		}
	}
	return &this->public;
}

/*
 * Described in header
 */
mike_msg_t *mike_msg_create_error(char *fmt, ...)
{
	mike_msg_t *msg;
	va_list args;
	char *reason;

	msg = mike_msg_create(MIKE_MSG_ERROR, NULL);
	va_start(args, fmt);
	if (vasprintf(&reason, fmt, args) >= 0)
	{
		/* a reason is never worth failing the whole error for */
		if (strlen(reason) > MAX_VALUE_LEN)
		{
			reason[MAX_VALUE_LEN] = '\0';
		}
		msg->add_kv(msg, "error", "%s", reason);
		free(reason);
	}
	va_end(args);
	return msg;
}

/**
 * Bounds-checked cursor over untrusted bytes
 */
typedef struct {
	/** the whole message, for offsets in errors */
	chunk_t data;
	/** position of the next byte */
	size_t pos;
} cursor_t;

/**
 * Read one byte
 */
static bool read_u8(cursor_t *c, uint8_t *value)
{
	if (c->data.len - c->pos < 1)
	{
		return FALSE;
	}
	*value = c->data.ptr[c->pos++];
	return TRUE;
}

/**
 * Read a 1- or 2-byte length and that many bytes
 */
static bool read_prefixed(cursor_t *c, size_t width, chunk_t *value)
{
	size_t len;

	if (c->data.len - c->pos < width)
	{
		return FALSE;
	}
	len = width == 1 ? c->data.ptr[c->pos]
					 : untoh16(c->data.ptr + c->pos);
	if (c->data.len - c->pos - width < len)
	{
		return FALSE;
	}
	*value = chunk_create(c->data.ptr + c->pos + width, len);
	c->pos += width + len;
	return TRUE;
}

/**
 * Read a name, checked
 */
static bool read_name(cursor_t *c, size_t offset, char *what, chunk_t *name,
					  char *err, size_t err_len)
{
	if (!read_prefixed(c, 1, name))
	{
		snprintf(err, err_len, "%s at offset %zu: name truncated", what,
				 offset);
		return FALSE;
	}
	if (!name_valid(*name))
	{
		snprintf(err, err_len, "%s at offset %zu: %s name", what, offset,
				 name->len ? "NUL byte in" : "empty");
		return FALSE;
	}
	return TRUE;
}

/**
 * Parse the element stream into this->root
 */
static bool parse_elements(private_mike_msg_t *this, cursor_t *c, char *err,
						   size_t err_len)
{
	mike_node_t *current = this->root;
	chunk_t name, value;
	u_int depth = 0;
	size_t offset;
	uint8_t type;
	char *what;

	while (c->pos < c->data.len)
	{
		offset = c->pos;
		read_u8(c, &type);
		switch (type)
		{
			case MIKE_ELEM_SECTION_START:
			case MIKE_ELEM_LIST_START:
				what = type == MIKE_ELEM_SECTION_START ? "section start"
													   : "list start";
				if (current->type == MIKE_NODE_LIST)
				{
					snprintf(err, err_len, "%s at offset %zu inside list "
							 "'%s'", what, offset, current->name);
					return FALSE;
				}
				if (!read_name(c, offset, what, &name, err, err_len))
				{
					return FALSE;
				}
				if (depth >= MIKE_MSG_MAX_DEPTH)
				{
					snprintf(err, err_len, "%s at offset %zu nested deeper "
							 "than %d", what, offset, MIKE_MSG_MAX_DEPTH);
					return FALSE;
				}
				current = node_create(type == MIKE_ELEM_SECTION_START ?
								MIKE_NODE_SECTION : MIKE_NODE_LIST,
								current, name, chunk_empty);
				depth++;
				break;
			case MIKE_ELEM_SECTION_END:
				if (current->type != MIKE_NODE_SECTION || !current->parent)
				{
					snprintf(err, err_len, "section end at offset %zu "
							 "without an open section", offset);
					return FALSE;
				}
				current = current->parent;
				depth--;
				break;
			case MIKE_ELEM_KEY_VALUE:
				if (current->type == MIKE_NODE_LIST)
				{
					snprintf(err, err_len, "key/value at offset %zu inside "
							 "list '%s'", offset, current->name);
					return FALSE;
				}
				if (!read_name(c, offset, "key/value", &name, err, err_len))
				{
					return FALSE;
				}
				if (!read_prefixed(c, 2, &value))
				{
					snprintf(err, err_len, "key/value at offset %zu: value "
							 "truncated", offset);
					return FALSE;
				}
				node_create(MIKE_NODE_VALUE, current, name, value);
				break;
			case MIKE_ELEM_LIST_ITEM:
				if (current->type != MIKE_NODE_LIST)
				{
					snprintf(err, err_len, "list item at offset %zu outside "
							 "a list", offset);
					return FALSE;
				}
				if (!read_prefixed(c, 2, &value))
				{
					snprintf(err, err_len, "list item at offset %zu: value "
							 "truncated", offset);
					return FALSE;
				}
				node_create(MIKE_NODE_VALUE, current, chunk_empty, value);
				break;
			case MIKE_ELEM_LIST_END:
				if (current->type != MIKE_NODE_LIST)
				{
					snprintf(err, err_len, "list end at offset %zu without "
							 "an open list", offset);
					return FALSE;
				}
				current = current->parent;
				depth--;
				break;
			default:
				snprintf(err, err_len, "unknown element type %u at offset "
						 "%zu", type, offset);
				return FALSE;
		}
	}
	if (current != this->root)
	{
		snprintf(err, err_len, "%s '%s' not closed at the end of the message",
				 current->type == MIKE_NODE_LIST ? "list" : "section",
				 current->name);
		return FALSE;
	}
	return TRUE;
}

/*
 * Described in header
 */
mike_msg_t *mike_msg_parse(chunk_t data, char *err, size_t err_len)
{
	private_mike_msg_t *this;
	cursor_t c = { .data = data, .pos = 0, };
	uint32_t len;
	uint8_t version, type;
	chunk_t command;

	if (data.len < 4)
	{
		snprintf(err, err_len, "truncated: %zu bytes, the length field alone "
				 "needs 4", data.len);
		return NULL;
	}
	len = untoh32(data.ptr);
	if (len > MIKE_MSG_MAX_LEN)
	{
		snprintf(err, err_len, "length %u exceeds the maximum of %d", len,
				 MIKE_MSG_MAX_LEN);
		return NULL;
	}
	if (len < HEADER_LEN - 4)
	{
		snprintf(err, err_len, "length %u too short for version and type",
				 len);
		return NULL;
	}
	if (data.len - 4 < len)
	{
		snprintf(err, err_len, "truncated: the length field says %u bytes, "
				 "%zu follow", len, data.len - 4);
		return NULL;
	}
	if (data.len - 4 > len)
	{
		snprintf(err, err_len, "%zu bytes of trailing data after the message",
				 data.len - 4 - len);
		return NULL;
	}
	c.pos = 4;
	read_u8(&c, &version);
	read_u8(&c, &type);
	if (version != MIKE_MSG_VERSION)
	{
		snprintf(err, err_len, "unsupported protocol version %u (this side "
				 "speaks %d)", version, MIKE_MSG_VERSION);
		return NULL;
	}
	if (type < MIKE_MSG_REQUEST || type > MIKE_MSG_ERROR)
	{
		snprintf(err, err_len, "unknown message type %u", type);
		return NULL;
	}
	this = create_empty(type);
	if (type == MIKE_MSG_REQUEST)
	{
		if (!read_name(&c, c.pos, "command", &command, err, err_len))
		{
			destroy(this);
			return NULL;
		}
		this->command = strndup((char*)command.ptr, command.len);
	}
	if (!parse_elements(this, &c, err, err_len))
	{
		destroy(this);
		return NULL;
	}
	return &this->public;
}

typedef struct private_mike_msg_reader_t private_mike_msg_reader_t;

/**
 * Private data of a mike_msg_reader_t object.
 */
struct private_mike_msg_reader_t {

	/**
	 * Public interface.
	 */
	mike_msg_reader_t public;

	/**
	 * The length field, while it is incomplete
	 */
	uint8_t header[4];

	/**
	 * The whole message, length field included, allocated once the length
	 * field is complete and accepted; chunk_empty before
	 */
	chunk_t data;

	/**
	 * Bytes of the current message received
	 */
	size_t received;
};

/**
 * Where the next bytes of the current message go, and how many are missing
 */
static chunk_t missing(private_mike_msg_reader_t *this)
{
	if (!this->data.ptr)
	{
		return chunk_create(this->header + this->received,
							sizeof(this->header) - this->received);
	}
	return chunk_create(this->data.ptr + this->received,
						this->data.len - this->received);
}

/**
 * Account for received bytes: once the length field is complete check it
 * and make room for the rest.  FALSE if the length is refused.
 */
static bool received(private_mike_msg_reader_t *this, size_t len, char *err,
					 size_t err_len)
{
	uint32_t size;

	this->received += len;
	if (this->data.ptr || this->received < sizeof(this->header))
	{
		return TRUE;
	}
	size = untoh32(this->header);
	if (size > MIKE_MSG_MAX_LEN)
	{
		snprintf(err, err_len, "length %u exceeds the maximum of %d", size,
				 MIKE_MSG_MAX_LEN);
		return FALSE;
	}
	this->data = chunk_alloc(sizeof(this->header) + size);
	memcpy(this->data.ptr, this->header, sizeof(this->header));
	return TRUE;
}

/**
 * Forget the current message, ready for the next
 */
static void reset(private_mike_msg_reader_t *this)
{
	chunk_free(&this->data);
	this->received = 0;
}

/**
 * The reason a read of the current message failed, errno as the stream
 * left it; a read of 0 bytes is the peer closing the stream
 */
static void read_failed(private_mike_msg_reader_t *this, ssize_t len,
						char *err, size_t err_len)
{
	const char *reason;

	if (len == 0 && this->received == 0)
	{
		snprintf(err, err_len, "connection closed");
		return;
	}
	if (len == 0)
	{
		reason = "connection closed";
	}
	else if (errno == EAGAIN || errno == EWOULDBLOCK)
	{	/* a blocking read hit the socket's SO_RCVTIMEO */
		reason = "timed out";
	}
	else
	{
		reason = strerror(errno);
	}
	if (this->data.ptr)
	{
		snprintf(err, err_len, "reading %zu bytes of message failed after "
				 "%zu: %s", this->data.len - sizeof(this->header),
				 this->received - sizeof(this->header), reason);
	}
	else
	{
		snprintf(err, err_len, "reading the length failed: %s", reason);
	}
}

METHOD(mike_msg_reader_t, reader_read, status_t,
	private_mike_msg_reader_t *this, stream_t *stream, bool block,
	mike_msg_t **msg, char *err, size_t err_len)
{
	chunk_t next;
	ssize_t len;

	while (TRUE)
	{
		next = missing(this);
		if (!next.len)
		{
			*msg = mike_msg_parse(this->data, err, err_len);
			reset(this);
			return *msg ? SUCCESS : FAILED;
		}
		len = stream->read(stream, next.ptr, next.len, block);
		if (len < 0 && !block && errno == EWOULDBLOCK)
		{
			return NEED_MORE;
		}
		if (len <= 0)
		{
			read_failed(this, len, err, err_len);
			reset(this);
			return FAILED;
		}
		if (!received(this, len, err, err_len))
		{
			reset(this);
			return FAILED;
		}
	}
}

METHOD(mike_msg_reader_t, reader_get_received, size_t,
	private_mike_msg_reader_t *this)
{
	return this->received;
}

METHOD(mike_msg_reader_t, reader_destroy, void,
	private_mike_msg_reader_t *this)
{
	reset(this);
	free(this);
}

/*
 * Described in header
 */
mike_msg_reader_t *mike_msg_reader_create()
{
	private_mike_msg_reader_t *this;

	INIT(this,
		.public = {
			.read = _reader_read,
			.get_received = _reader_get_received,
			.destroy = _reader_destroy,
		},
	);
	return &this->public;
}

/*
 * Described in header
 */
mike_msg_t *mike_msg_read(stream_t *stream, char *err, size_t err_len)
{
	mike_msg_reader_t *reader;
	mike_msg_t *msg = NULL;

	reader = mike_msg_reader_create();
	reader->read(reader, stream, TRUE, &msg, err, err_len);
	reader->destroy(reader);
	return msg;
}

/*
 * Described in header
 */
bool mike_msg_set_timeouts(stream_t *stream, u_int read_ms, u_int write_ms)
{
	struct timeval read = {
		.tv_sec = read_ms / 1000,
		.tv_usec = (read_ms % 1000) * 1000,
	}, write = {
		.tv_sec = write_ms / 1000,
		.tv_usec = (write_ms % 1000) * 1000,
	};
	FILE *file;
	bool ok;

	/* stream_t of strongSwan 5.9.8 does not expose its descriptor, but
	 * get_file() wraps a dup() of it: the same socket */
	file = stream->get_file(stream);
	if (!file)
	{
		return FALSE;
	}
	ok = setsockopt(fileno(file), SOL_SOCKET, SO_RCVTIMEO, &read,
					sizeof(read)) == 0 &&
		 setsockopt(fileno(file), SOL_SOCKET, SO_SNDTIMEO, &write,
					sizeof(write)) == 0;
	fclose(file);
	return ok;
}

/*
 * Described in header
 */
bool mike_msg_write(stream_t *stream, mike_msg_t *msg, char *err,
					size_t err_len)
{
	chunk_t data;
	bool ok;

	if (!msg->get_encoding(msg, &data))
	{
		snprintf(err, err_len, "encoding failed: %s", msg->get_error(msg));
		return FALSE;
	}
	ok = stream->write_all(stream, data.ptr, data.len);
	if (!ok)
	{
		snprintf(err, err_len, "writing failed: %s",
				 errno == EAGAIN || errno == EWOULDBLOCK ? "timed out"
														 : strerror(errno));
	}
	chunk_clear(&data);
	return ok;
}
