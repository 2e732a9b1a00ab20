/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "fuzz_msg_check.h"

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
		FUZZ_ASSERT(node->value.ptr[node->value.len] == '\0');
		return sum + node->value.len;
	}
	enumerator = node->children->create_enumerator(node->children);
	while (enumerator->enumerate(enumerator, &child))
	{
		FUZZ_ASSERT(child->parent == node);
		sum += walk(child);
	}
	enumerator->destroy(enumerator);
	return sum;
}

/*
 * Described in header
 */
void fuzz_msg_check(mike_msg_t *msg, chunk_t data)
{
	chunk_t again;

	walk(msg->get_root(msg));
	msg->get_str(msg, NULL, "groups.a.b");
	msg->find(msg, "a");
	FUZZ_ASSERT(msg->get_encoding(msg, &again));
	/* parsed messages re-encode to the same bytes */
	FUZZ_ASSERT(chunk_equals(data, again));
	chunk_free(&again);
}
