/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "group/mike_lkh.h"
#include "common/mike_keywrap.h"
#include "group/mike_wrap_cache.h"

#include <collections/hashtable.h>
#include <bio/bio_writer.h>
#include <bio/bio_reader.h>

typedef struct private_mike_lkh_t private_mike_lkh_t;
typedef struct node_t node_t;

/**
 * A node of the tree.  The shape only ever grows: a leaf whose member left
 * stays as a free slot for the next member, so the tree keeps the balance
 * its joins gave it.  Keyless nodes (free slots, and inner nodes without
 * any member below, "vacant") hold no key at all: the keys they had were
 * known to departed members.
 *
 * A tree of n members has about 2n nodes, so a node holds its key inline
 * and no more than it needs: 72 bytes (80 with malloc's header), whether
 * there are members below follows from min_member.
 */
struct node_t {

	/** parent, NULL for the root */
	node_t *parent;

	/** children, both NULL for a leaf, both set otherwise */
	node_t *child[2];

	/** key if keyed (id != 0), zeroes otherwise */
	u_char key[MIKE_LKH_KEY_SIZE];

	/** Key ID, 0 if keyless */
	uint32_t id;

	/** node number, unique in the tree and never reused (the store's key) */
	uint32_t num;

	/** the member's id, if is_member */
	uint32_t member;

	/** distance from the root, at most NO_LEAF - 1 */
	uint8_t depth;

	/** depth of the shallowest free leaf in this subtree, NO_LEAF if none */
	uint8_t min_free;

	/** depth of the shallowest member leaf in this subtree, NO_LEAF if none:
	 *  the subtree has members exactly if it is not NO_LEAF */
	uint8_t min_member;

	/** TRUE if a leaf with a member */
	bool is_member:1;

	/** TRUE if in the change set */
	bool changed:1;
};

/** no such leaf in a subtree, and the bound of a node's depth */
#define NO_LEAF UINT8_MAX

/**
 * Private data of a mike_lkh_t object.
 */
struct private_mike_lkh_t {

	/**
	 * Public interface.
	 */
	mike_lkh_t public;

	/**
	 * The root, always keyed (its key wraps the group's KEK).
	 */
	node_t *root;

	/**
	 * Member leaves by member id, &node_t.member => node_t
	 */
	hashtable_t *leaves;

	/**
	 * Number of nodes in the tree
	 */
	u_int nodes;

	/**
	 * Number of members
	 */
	u_int members;

	/**
	 * Depth of the deepest leaf
	 */
	u_int depth;

	/**
	 * The next Key ID to assign; IDs are handed out in order and never
	 * reused, 0 is the SA key's
	 */
	uint32_t next_id;

	/**
	 * The next node number to assign, from 1 (0 is "no parent")
	 */
	uint32_t next_num;

	/**
	 * Nodes changed since clear_changes(), in the order they changed (nodes
	 * are never freed before the tree is): a plain array, a created or
	 * loaded tree lists all its nodes
	 */
	node_t **changes;

	/**
	 * Number of nodes in changes
	 */
	u_int change_count;

	/**
	 * Allocated size of changes
	 */
	u_int change_size;

	/**
	 * Strong RNG for the keys
	 */
	rng_t *rng;

	/**
	 * Wraps of the upper levels' keys sent at registration
	 */
	mike_wrap_cache_t *wraps;
};

/*
 * Described in header
 */
mike_lkh_key_t *mike_lkh_key_create(uint32_t id, chunk_t key)
{
	mike_lkh_key_t *this;

	INIT(this,
		.id = id,
		.key = chunk_clone(key),
	);
	return this;
}

/*
 * Described in header
 */
void mike_lkh_key_destroy(mike_lkh_key_t *this)
{
	if (this)
	{
		chunk_clear(&this->key);
		free(this);
	}
}

/*
 * Described in header
 */
void mike_lkh_wrapped_destroy(mike_lkh_wrapped_t *this)
{
	if (this)
	{
		/* wrapped, but a key all the same: a batch of join notices keeps
		 * them for a while (mike_join_batch) */
		chunk_clear(&this->wrapped);
		free(this);
	}
}

/**
 * Hash a member id, node number or key ID: numbers the GCKS assigns
 * itself, nobody else picks them to collide, so a multiplicative hash
 * (Knuth) does instead of chunk_hash()'s keyed SipHash, which cost a
 * sixth of loading a tree of 1M members
 */
static u_int hash_member(const void *key)
{
	uint32_t value = *(const uint32_t*)key;

	/* the table masks the low bits: fold the well-mixed high ones down */
	value *= 2654435761u;
	return value ^ (value >> 16);
}

/**
 * Compare member ids
 */
static bool equals_member(const void *a, const void *b)
{
	return *(const uint32_t*)a == *(const uint32_t*)b;
}

/**
 * Add a node to the change set
 */
static void mark_changed(private_mike_lkh_t *this, node_t *node)
{
	if (!node->changed)
	{
		if (this->change_count == this->change_size)
		{
			this->change_size = max(16, this->change_size * 2);
			this->changes = realloc(this->changes, this->change_size *
									sizeof(node_t*));
		}
		node->changed = TRUE;
		this->changes[this->change_count++] = node;
	}
}

/**
 * A node's key, empty if keyless (internal, valid until the key changes)
 */
static chunk_t node_key(node_t *node)
{
	return node->id ? chunk_create(node->key, MIKE_LKH_KEY_SIZE) : chunk_empty;
}

/**
 * Check if a subtree has members
 */
static bool has_members(node_t *node)
{
	return node->min_member != NO_LEAF;
}

/**
 * Update a node's shallowest leaves from its children, or as a leaf
 */
static void update_leaves(node_t *node)
{
	if (node->child[0])
	{
		node->min_free = min(node->child[0]->min_free,
							 node->child[1]->min_free);
		node->min_member = min(node->child[0]->min_member,
							   node->child[1]->min_member);
	}
	else
	{
		node->min_free = node->is_member ? NO_LEAF : node->depth;
		node->min_member = node->is_member ? node->depth : NO_LEAF;
	}
}

/**
 * Update the shallowest leaves from a node up to the root
 */
static void update_path(node_t *node)
{
	for (; node; node = node->parent)
	{
		update_leaves(node);
	}
}

/**
 * Create a keyless leaf below parent
 */
static node_t *node_create(private_mike_lkh_t *this, node_t *parent)
{
	node_t *node;

	INIT(node,
		.parent = parent,
		.depth = parent ? parent->depth + 1 : 0,
		.num = this->next_num++,
	);
	update_leaves(node);
	mark_changed(this, node);
	this->nodes++;
	this->depth = max(this->depth, node->depth);
	return node;
}

/**
 * Wipe and free a subtree
 */
static void node_destroy(node_t *node)
{
	if (node)
	{
		node_destroy(node->child[0]);
		node_destroy(node->child[1]);
		memwipe(node->key, sizeof(node->key));
		free(node);
	}
}

/**
 * Random keys for one operation, drawn before the tree is touched so that
 * an RNG failure leaves the tree as it was.
 */
typedef struct {
	/** count * MIKE_LKH_KEY_SIZE random bytes */
	chunk_t bytes;
	/** keys taken */
	u_int taken;
} pool_t;

/**
 * Draw the keys and reserve the Key IDs of an operation
 */
static bool pool_fill(private_mike_lkh_t *this, pool_t *pool, u_int count)
{
	*pool = (pool_t){};
	if (count > UINT32_MAX - this->next_id)
	{
		DBG1(DBG_CFG, "LKH Key IDs exhausted");
		return FALSE;
	}
	if (!this->rng->allocate_bytes(this->rng, count * MIKE_LKH_KEY_SIZE,
								   &pool->bytes))
	{
		DBG1(DBG_CFG, "generating LKH keys failed");
		return FALSE;
	}
	return TRUE;
}

/**
 * Give a node the next key of the pool and a fresh Key ID, wiping its
 * previous key
 */
static void pool_set_key(private_mike_lkh_t *this, pool_t *pool, node_t *node)
{
	chunk_t key;

	/* pool_fill() sized the pool for the operation */
	key = chunk_create(pool->bytes.ptr + pool->taken * MIKE_LKH_KEY_SIZE,
					   MIKE_LKH_KEY_SIZE);
	pool->taken++;
	memcpy(node->key, key.ptr, MIKE_LKH_KEY_SIZE);
	node->id = this->next_id++;
	mark_changed(this, node);
}

/**
 * Wipe what is left of a pool
 */
static void pool_clear(pool_t *pool)
{
	chunk_clear(&pool->bytes);
}

/**
 * Drop a node's key: nobody may use it any more
 */
static void clear_key(private_mike_lkh_t *this, node_t *node)
{
	memwipe(node->key, sizeof(node->key));
	node->id = 0;
	mark_changed(this, node);
}

/**
 * Add node's key wrapped under kwk's to a rekey set
 */
static bool add_wrapped(node_t *node, node_t *kwk, linked_list_t *rekey)
{
	mike_lkh_wrapped_t *wrapped;
	chunk_t data;

	if (!mike_keywrap_wrap(node_key(kwk), node_key(node), &data))
	{
		DBG1(DBG_CFG, "wrapping LKH key %u under %u failed", node->id,
			 kwk->id);
		return FALSE;
	}
	INIT(wrapped,
		.id = node->id,
		.kwk_id = kwk->id,
		.wrapped = data,
	);
	rekey->insert_last(rekey, wrapped);
	return TRUE;
}

/**
 * Wrap a node's new key under the current key of each child that has a
 * member below (keyed, other than the root, means exactly that): the
 * members below that child, and nobody else, can unwrap it.  A join passes
 * the child on the new member's path, which counts only if others is set,
 * if it has members other than the new one (that gets its path directly).
 */
static bool wrap_for_children(node_t *node, node_t *joined, bool others,
							  linked_list_t *rekey)
{
	node_t *child;
	int i;

	for (i = 0; i < 2; i++)
	{
		child = node->child[i];
		if (!child || !child->id || (child == joined && !others))
		{
			continue;
		}
		if (!add_wrapped(node, child, rekey))
		{
			return FALSE;
		}
	}
	return TRUE;
}

/**
 * Depth of the shallowest free or member leaf in a subtree
 */
static uint8_t min_depth(node_t *node, bool free_leaf)
{
	return free_leaf ? node->min_free : node->min_member;
}

/**
 * Descend to the shallowest free or member leaf, leftmost first (the first
 * a breadth-first walk finds), NULL if there is none
 */
static node_t *find_leaf(node_t *node, bool free_leaf)
{
	if (min_depth(node, free_leaf) == NO_LEAF)
	{
		return NULL;
	}
	while (node->child[0])
	{
		node = min_depth(node->child[0], free_leaf) <=
			   min_depth(node->child[1], free_leaf) ? node->child[0]
													: node->child[1];
	}
	return node;
}

/**
 * Find the shallowest free leaf, and if there is none the shallowest member
 * leaf, leftmost first (breadth-first order): O(depth), every node knows
 * the depths of the shallowest leaves below it
 */
static void find_leaves(private_mike_lkh_t *this, node_t **free_leaf,
						node_t **member_leaf)
{
	*free_leaf = find_leaf(this->root, TRUE);
	*member_leaf = *free_leaf ? NULL : find_leaf(this->root, FALSE);
}

/**
 * Split a member's leaf: it becomes an inner node (keyless until the
 * caller keys it) whose left child takes over the member with its key, and
 * whose right child is a new free leaf, returned.
 */
static node_t *split_leaf(private_mike_lkh_t *this, node_t *leaf)
{
	node_t *left;

	left = node_create(this, leaf);
	left->is_member = TRUE;
	left->member = leaf->member;
	update_leaves(left);
	left->id = leaf->id;
	memcpy(left->key, leaf->key, MIKE_LKH_KEY_SIZE);
	memwipe(leaf->key, sizeof(leaf->key));
	leaf->id = 0;
	leaf->is_member = FALSE;
	mark_changed(this, leaf);
	leaf->child[0] = left;
	leaf->child[1] = node_create(this, leaf);
	this->leaves->put(this->leaves, &left->member, left);
	return leaf->child[1];
}

/**
 * The current keys from a leaf to the root
 */
static linked_list_t *create_path(node_t *leaf)
{
	linked_list_t *path;

	path = linked_list_create();
	for (; leaf; leaf = leaf->parent)
	{
		path->insert_last(path, mike_lkh_key_create(leaf->id,
													node_key(leaf)));
	}
	return path;
}

/**
 * Number of keys a join makes: the leaf's, the split leaf's (the new inner
 * node) if one is split, and one for each node above that is keyless or
 * replaced; usually one or two, not the whole path
 */
static u_int join_keys(node_t *leaf, node_t *split, bool rekey_on_join)
{
	node_t *node;
	u_int count = split ? 2 : 1;

	for (node = split ? split->parent : leaf->parent; node;
		 node = node->parent)
	{
		if (!node->id || rekey_on_join)
		{
			count++;
		}
	}
	return count;
}

METHOD(mike_lkh_t, add_member, bool,
	private_mike_lkh_t *this, uint32_t member, bool rekey_on_join,
	linked_list_t **path, linked_list_t **rekey)
{
	node_t *leaf, *split, *node, *child;
	linked_list_t *list;
	pool_t pool;
	bool ok = TRUE, others = FALSE, keyed;

	if (this->leaves->get(this->leaves, &member))
	{
		DBG1(DBG_CFG, "LKH member %u already in the tree", member);
		return FALSE;
	}
	find_leaves(this, &leaf, &split);
	if (!leaf && split->depth >= NO_LEAF - 1)
	{	/* not with 2^32 member ids, a loaded tree is at most 64 deep */
		DBG1(DBG_CFG, "LKH tree too deep to split a leaf");
		return FALSE;
	}
	if (!pool_fill(this, &pool, join_keys(leaf, split, rekey_on_join)))
	{
		return FALSE;
	}
	if (!leaf)
	{
		leaf = split_leaf(this, split);
	}
	else
	{
		split = NULL;
	}
	leaf->is_member = TRUE;
	leaf->member = member;
	update_path(leaf);
	pool_set_key(this, &pool, leaf);
	this->leaves->put(this->leaves, &leaf->member, leaf);
	this->members++;

	/* bottom-up, so a child's key is current when its parent's is wrapped;
	 * others tells if the child on the path has members besides the new
	 * one: it had some before if it had a key, or if it is the split leaf */
	list = linked_list_create();
	for (child = leaf, node = leaf->parent; node && ok;
		 child = node, node = node->parent)
	{
		others = others || child == split;
		keyed = node->id != 0;
		if (!keyed || rekey_on_join)
		{
			pool_set_key(this, &pool, node);
			ok = wrap_for_children(node, child, others, list);
		}
		else if (split && node == split->parent)
		{
			/* the unchanged parent wrapped under the new node tells the
			 * member whose leaf was split where the node sits in its path */
			ok = add_wrapped(node, split, list);
		}
		others = others || keyed;
	}
	pool_clear(&pool);
	if (!ok)
	{
		list->destroy_function(list, (void*)mike_lkh_wrapped_destroy);
		return FALSE;
	}
	*path = create_path(leaf);
	*rekey = list;
	return TRUE;
}

METHOD(mike_lkh_t, remove_member, bool,
	private_mike_lkh_t *this, uint32_t member, linked_list_t **rekey)
{
	node_t *leaf, *node;
	linked_list_t *list;
	pool_t pool;
	bool ok = TRUE;

	leaf = this->leaves->get(this->leaves, &member);
	if (!leaf)
	{
		DBG1(DBG_CFG, "LKH member %u not in the tree", member);
		return FALSE;
	}
	/* the keys of the departed member's path go: their wraps with them */
	this->wraps->clear(this->wraps);
	if (!pool_fill(this, &pool, leaf->depth))
	{
		return FALSE;
	}
	this->leaves->remove(this->leaves, &member);
	this->members--;
	leaf->is_member = FALSE;
	update_path(leaf);
	clear_key(this, leaf);

	/* every key the member knew is replaced, or dropped where nobody is
	 * left to need it, never wrapped under a key it knew */
	list = linked_list_create();
	for (node = leaf->parent; node && ok; node = node->parent)
	{
		if (!has_members(node) && node != this->root)
		{
			clear_key(this, node);
		}
		else
		{
			pool_set_key(this, &pool, node);
			ok = wrap_for_children(node, NULL, FALSE, list);
		}
	}
	pool_clear(&pool);
	if (!ok)
	{
		/* the member is out and the tree consistent, but the message is
		 * lost: the remaining members have to re-register */
		list->destroy_function(list, (void*)mike_lkh_wrapped_destroy);
		return FALSE;
	}
	*rekey = list;
	return TRUE;
}

METHOD(mike_lkh_t, get_path, bool,
	private_mike_lkh_t *this, uint32_t member, linked_list_t **path)
{
	node_t *leaf;

	leaf = this->leaves->get(this->leaves, &member);
	if (!leaf)
	{
		return FALSE;
	}
	*path = create_path(leaf);
	return TRUE;
}

METHOD(mike_lkh_t, get_root, void,
	private_mike_lkh_t *this, uint32_t *key_id, chunk_t *key)
{
	*key_id = this->root->id;
	*key = node_key(this->root);
}

METHOD(mike_lkh_t, get_member_count, u_int,
	private_mike_lkh_t *this)
{
	return this->members;
}

METHOD(mike_lkh_t, get_depth, u_int,
	private_mike_lkh_t *this)
{
	return this->depth;
}

/**
 * Version of the serialization format
 */
#define LKH_VERSION 1

/**
 * Flags of a serialized node
 */
enum {
	/** an inner node, its two children follow (a leaf otherwise) */
	LKH_NODE_INNER = (1 << 0),
	/** a member's leaf, the member id follows */
	LKH_NODE_MEMBER = (1 << 1),
	/** keyed, Key ID and key follow */
	LKH_NODE_KEYED = (1 << 2),
};

/**
 * Size of a subtree's encoding
 */
static uint64_t node_size(node_t *node)
{
	uint64_t size = 1;

	if (node->is_member)
	{
		size += sizeof(uint32_t);
	}
	if (node->id)
	{
		size += sizeof(uint32_t) + MIKE_LKH_KEY_SIZE;
	}
	if (node->child[0])
	{
		size += node_size(node->child[0]) + node_size(node->child[1]);
	}
	return size;
}

/**
 * Encode a subtree in preorder
 */
static void node_write(bio_writer_t *writer, node_t *node)
{
	uint8_t flags = 0;

	if (node->child[0])
	{
		flags |= LKH_NODE_INNER;
	}
	if (node->is_member)
	{
		flags |= LKH_NODE_MEMBER;
	}
	if (node->id)
	{
		flags |= LKH_NODE_KEYED;
	}
	writer->write_uint8(writer, flags);
	if (node->is_member)
	{
		writer->write_uint32(writer, node->member);
	}
	if (node->id)
	{
		writer->write_uint32(writer, node->id);
		writer->write_data(writer, node_key(node));
	}
	if (node->child[0])
	{
		node_write(writer, node->child[0]);
		node_write(writer, node->child[1]);
	}
}

METHOD(mike_lkh_t, serialize, bool,
	private_mike_lkh_t *this, chunk_t *blob)
{
	bio_writer_t *writer;
	uint64_t size;

	/* mike_lkh_load() would refuse it */
	if (this->depth > MIKE_LKH_MAX_DEPTH)
	{
		DBG1(DBG_CFG, "LKH tree too deep to serialize (%u)", this->depth);
		return FALSE;
	}
	size = 1 + sizeof(uint32_t) + node_size(this->root);
	if (size > UINT32_MAX)
	{
		DBG1(DBG_CFG, "LKH tree too large to serialize");
		return FALSE;
	}
	/* sized exactly: the writer never reallocates, so no copy of the keys
	 * is left behind in freed memory */
	writer = bio_writer_create(size);
	writer->write_uint8(writer, LKH_VERSION);
	writer->write_uint32(writer, this->next_id);
	node_write(writer, this->root);
	*blob = writer->extract_buf(writer);
	writer->destroy(writer);
	return TRUE;
}

/**
 * A node as the store keeps it, pointing to the node's key
 */
static void node_record(node_t *node, mike_lkh_node_t *record)
{
	*record = (mike_lkh_node_t){
		.num = node->num,
		.parent = node->parent ? node->parent->num : 0,
		.side = node->parent && node->parent->child[1] == node,
		.id = node->id,
		.key = node_key(node),
		.is_member = node->is_member,
		/* a vacated leaf still has the id of the member it had */
		.member = node->is_member ? node->member : 0,
	};
}

/**
 * Enumerator over a snapshot of nodes, as mike_lkh_node_t
 */
typedef struct {
	enumerator_t public;
	node_t **nodes;
	u_int count;
	u_int pos;
	mike_lkh_node_t record;
} node_enumerator_t;

METHOD(enumerator_t, node_enumerate, bool,
	node_enumerator_t *this, va_list args)
{
	mike_lkh_node_t **out;

	VA_ARGS_VGET(args, out);
	if (this->pos >= this->count)
	{
		return FALSE;
	}
	node_record(this->nodes[this->pos++], &this->record);
	*out = &this->record;
	return TRUE;
}

METHOD(enumerator_t, node_enumerator_destroy, void,
	node_enumerator_t *this)
{
	free(this->nodes);
	free(this);
}

static node_enumerator_t *node_enumerator_create(u_int count)
{
	node_enumerator_t *this;

	INIT(this,
		.public = {
			.enumerate = enumerator_enumerate_default,
			.venumerate = _node_enumerate,
			.destroy = _node_enumerator_destroy,
		},
		.nodes = calloc(max(count, 1), sizeof(node_t*)),
	);
	return this;
}

METHOD(mike_lkh_t, create_change_enumerator, enumerator_t*,
	private_mike_lkh_t *this)
{
	node_enumerator_t *enumerator;

	enumerator = node_enumerator_create(this->change_count);
	if (this->change_count)
	{
		memcpy(enumerator->nodes, this->changes,
			   this->change_count * sizeof(node_t*));
	}
	enumerator->count = this->change_count;
	return &enumerator->public;
}

METHOD(mike_lkh_t, get_change_count, u_int,
	private_mike_lkh_t *this)
{
	return this->change_count;
}

/**
 * Size of the change set kept when it is cleared: an operation's changes
 * fit, the whole tree a created or loaded one reports does not stay
 */
#define CHANGES_KEPT (4 * MIKE_LKH_MAX_DEPTH)

METHOD(mike_lkh_t, clear_changes, void,
	private_mike_lkh_t *this)
{
	u_int i;

	for (i = 0; i < this->change_count; i++)
	{
		this->changes[i]->changed = FALSE;
	}
	this->change_count = 0;
	if (this->change_size > CHANGES_KEPT)
	{
		free(this->changes);
		this->changes = NULL;
		this->change_size = 0;
	}
}

/**
 * Collect a subtree's nodes in preorder
 */
static void collect_nodes(node_enumerator_t *enumerator, node_t *node)
{
	enumerator->nodes[enumerator->count++] = node;
	if (node->child[0])
	{
		collect_nodes(enumerator, node->child[0]);
		collect_nodes(enumerator, node->child[1]);
	}
}

METHOD(mike_lkh_t, create_node_enumerator, enumerator_t*,
	private_mike_lkh_t *this)
{
	node_enumerator_t *enumerator;

	enumerator = node_enumerator_create(this->nodes);
	collect_nodes(enumerator, this->root);
	return &enumerator->public;
}

METHOD(mike_lkh_t, get_counters, void,
	private_mike_lkh_t *this, uint32_t *next_id, uint32_t *next_num)
{
	*next_id = this->next_id;
	*next_num = this->next_num;
}

static linked_list_t *wrap_chain(linked_list_t *path, chunk_t kwk,
								 mike_wrap_cache_t *cache);

METHOD(mike_lkh_t, wrap_path, linked_list_t*,
	private_mike_lkh_t *this, linked_list_t *path, chunk_t kwk)
{
	return wrap_chain(path, kwk, this->wraps);
}

METHOD(mike_lkh_t, destroy, void,
	private_mike_lkh_t *this)
{
	this->wraps->destroy(this->wraps);
	free(this->changes);
	this->leaves->destroy(this->leaves);
	node_destroy(this->root);
	DESTROY_IF(this->rng);
	free(this);
}

/**
 * A tree without nodes, with its RNG
 */
static private_mike_lkh_t *create_empty()
{
	private_mike_lkh_t *this;

	INIT(this,
		.public = {
			.add_member = _add_member,
			.remove_member = _remove_member,
			.get_path = _get_path,
			.wrap_path = _wrap_path,
			.get_root = _get_root,
			.get_member_count = _get_member_count,
			.get_depth = _get_depth,
			.serialize = _serialize,
			.create_change_enumerator = _create_change_enumerator,
			.get_change_count = _get_change_count,
			.clear_changes = _clear_changes,
			.create_node_enumerator = _create_node_enumerator,
			.get_counters = _get_counters,
			.destroy = _destroy,
		},
		.leaves = hashtable_create(hash_member, equals_member, 8),
		.wraps = mike_wrap_cache_create(),
		.next_id = 1,
		.next_num = 1,
		.rng = lib->crypto->create_rng(lib->crypto, RNG_STRONG),
	);
	if (!this->rng)
	{
		DBG1(DBG_CFG, "no strong RNG for the LKH key tree");
		destroy(this);
		return NULL;
	}
	return this;
}

/*
 * Described in header
 */
mike_lkh_t *mike_lkh_create()
{
	private_mike_lkh_t *this;
	pool_t pool;

	this = create_empty();
	if (!this)
	{
		return NULL;
	}
	/* the root is never a member's leaf: its key is shared by the group
	 * from the first member on; two free leaves below it take the first
	 * two members without a split */
	this->root = node_create(this, NULL);
	this->root->child[0] = node_create(this, this->root);
	this->root->child[1] = node_create(this, this->root);
	update_leaves(this->root);
	if (!pool_fill(this, &pool, 1))
	{
		destroy(this);
		return NULL;
	}
	pool_set_key(this, &pool, this->root);
	pool_clear(&pool);
	return &this->public;
}

/**
 * Register a restored member leaf, FALSE if its member is in the tree twice
 */
static bool add_leaf(private_mike_lkh_t *this, node_t *node)
{
	if (this->leaves->get(this->leaves, &node->member))
	{
		DBG1(DBG_CFG, "LKH member %u twice in the tree", node->member);
		return FALSE;
	}
	this->members++;
	this->leaves->put(this->leaves, &node->member, node);
	return TRUE;
}

/**
 * Register a restored node's Key ID, FALSE if it is invalid or taken
 */
static bool add_key_id(private_mike_lkh_t *this, hashtable_t *ids,
					   node_t *node)
{
	/* a Key ID at or above the next one would be handed out again */
	if (!node->id || node->id >= this->next_id)
	{
		DBG1(DBG_CFG, "LKH Key ID %u invalid, next is %u", node->id,
			 this->next_id);
		return FALSE;
	}
	if (ids->get(ids, &node->id))
	{
		DBG1(DBG_CFG, "LKH Key ID %u twice in the tree", node->id);
		return FALSE;
	}
	ids->put(ids, &node->id, node);
	return TRUE;
}

/**
 * Check that a restored node, its subtree counted, is keyed as it must be
 */
static bool check_keyed(node_t *node)
{
	if (!node->parent)
	{
		/* the root wraps the KEK even with nobody in the group, and is
		 * never a leaf (add_member() would make it one's) */
		if (!node->id || !node->child[0])
		{
			DBG1(DBG_CFG, "LKH root keyless or a leaf");
			return FALSE;
		}
	}
	else if (!node->id == has_members(node))
	{
		/* a key without members below was known to departed members only,
		 * a member needs every key on its path */
		DBG1(DBG_CFG, "LKH node at depth %u %s", node->depth, node->id ?
			 "keyed without members below" : "keyless with members below");
		return FALSE;
	}
	return TRUE;
}

/**
 * Decode a subtree into node, already linked into the tree so that
 * destroying the tree frees whatever was decoded on failure.  The
 * recursion is bounded by MIKE_LKH_MAX_DEPTH.
 */
static bool node_read(private_mike_lkh_t *this, bio_reader_t *reader,
					  hashtable_t *ids, node_t *node)
{
	uint8_t flags;
	chunk_t key;
	int i;

	if (!reader->read_uint8(reader, &flags))
	{
		DBG1(DBG_CFG, "LKH tree truncated");
		return FALSE;
	}
	if (flags & ~(LKH_NODE_INNER | LKH_NODE_MEMBER | LKH_NODE_KEYED))
	{
		DBG1(DBG_CFG, "LKH node with unknown flags 0x%02x", flags);
		return FALSE;
	}
	if ((flags & LKH_NODE_MEMBER) && !node->parent)
	{
		DBG1(DBG_CFG, "LKH member on the root");
		return FALSE;
	}
	if ((flags & LKH_NODE_MEMBER) && (flags & LKH_NODE_INNER))
	{
		DBG1(DBG_CFG, "LKH member on an inner node");
		return FALSE;
	}
	if ((flags & LKH_NODE_INNER) && node->depth >= MIKE_LKH_MAX_DEPTH)
	{
		DBG1(DBG_CFG, "LKH tree deeper than %d", MIKE_LKH_MAX_DEPTH);
		return FALSE;
	}
	if (flags & LKH_NODE_MEMBER)
	{
		if (!reader->read_uint32(reader, &node->member))
		{
			DBG1(DBG_CFG, "LKH tree truncated");
			return FALSE;
		}
		node->is_member = TRUE;
		if (!add_leaf(this, node))
		{
			return FALSE;
		}
	}
	if (flags & LKH_NODE_KEYED)
	{
		if (!reader->read_uint32(reader, &node->id) ||
			!reader->read_data(reader, MIKE_LKH_KEY_SIZE, &key))
		{
			DBG1(DBG_CFG, "LKH tree truncated");
			return FALSE;
		}
		if (!add_key_id(this, ids, node))
		{
			return FALSE;
		}
		memcpy(node->key, key.ptr, MIKE_LKH_KEY_SIZE);
	}
	if (flags & LKH_NODE_INNER)
	{
		for (i = 0; i < 2; i++)
		{
			node->child[i] = node_create(this, node);
			if (!node_read(this, reader, ids, node->child[i]))
			{
				return FALSE;
			}
		}
	}
	update_leaves(node);
	return check_keyed(node);
}

/*
 * Described in header
 */
mike_lkh_t *mike_lkh_load(chunk_t blob)
{
	private_mike_lkh_t *this;
	bio_reader_t *reader;
	hashtable_t *ids;
	uint8_t version;
	bool ok = FALSE;

	this = create_empty();
	if (!this)
	{
		return NULL;
	}
	reader = bio_reader_create(blob);
	/* Key IDs of the keyed nodes, &node_t.id => node_t */
	ids = hashtable_create(hash_member, equals_member, 8);
	if (!reader->read_uint8(reader, &version) ||
		!reader->read_uint32(reader, &this->next_id))
	{
		DBG1(DBG_CFG, "LKH tree truncated");
	}
	else if (version != LKH_VERSION)
	{
		DBG1(DBG_CFG, "LKH tree version %u not supported", version);
	}
	else
	{
		this->root = node_create(this, NULL);
		if (node_read(this, reader, ids, this->root))
		{
			if (reader->remaining(reader))
			{
				DBG1(DBG_CFG, "%u bytes after the LKH tree",
					 reader->remaining(reader));
			}
			else
			{
				ok = TRUE;
			}
		}
	}
	ids->destroy(ids);
	reader->destroy(reader);
	if (!ok)
	{
		destroy(this);
		return NULL;
	}
	return &this->public;
}

/**
 * Check a subtree linked by mike_lkh_load_nodes() as node_read() checks a
 * decoded one, and count its members, nodes and depth.  The recursion is
 * bounded by MIKE_LKH_MAX_DEPTH.
 */
static bool node_check(private_mike_lkh_t *this, hashtable_t *ids,
					   node_t *node)
{
	int i;

	this->nodes++;
	this->depth = max(this->depth, node->depth);
	if (!node->child[0] != !node->child[1])
	{
		DBG1(DBG_CFG, "LKH node %u with one child", node->num);
		return FALSE;
	}
	if (node->is_member && (!node->parent || node->child[0]))
	{
		DBG1(DBG_CFG, "LKH member on the root or an inner node");
		return FALSE;
	}
	if (node->child[0] && node->depth >= MIKE_LKH_MAX_DEPTH)
	{
		DBG1(DBG_CFG, "LKH tree deeper than %d", MIKE_LKH_MAX_DEPTH);
		return FALSE;
	}
	if ((node->is_member && !add_leaf(this, node)) ||
		(node->id && !add_key_id(this, ids, node)))
	{
		return FALSE;
	}
	for (i = 0; i < 2 && node->child[i]; i++)
	{
		node->child[i]->depth = node->depth + 1;
		if (!node_check(this, ids, node->child[i]))
		{
			return FALSE;
		}
	}
	update_leaves(node);
	return check_keyed(node);
}

/**
 * Link the nodes of mike_lkh_load_nodes() by their parents
 */
static bool link_nodes(private_mike_lkh_t *this, hashtable_t *nums,
					   linked_list_t *nodes)
{
	enumerator_t *enumerator;
	mike_lkh_node_t *record;
	node_t *node, *parent;
	bool ok = TRUE;

	enumerator = nodes->create_enumerator(nodes);
	while (ok && enumerator->enumerate(enumerator, &record))
	{
		node = nums->get(nums, &record->num);
		if (!record->parent)
		{
			ok = !this->root;
			this->root = node;
			continue;
		}
		parent = nums->get(nums, &record->parent);
		ok = parent && parent != node && record->side < 2 &&
			 !parent->child[record->side];
		if (ok)
		{
			parent->child[record->side] = node;
			node->parent = parent;
		}
	}
	enumerator->destroy(enumerator);
	if (!ok || !this->root)
	{
		DBG1(DBG_CFG, "LKH nodes do not make a tree");
		return FALSE;
	}
	return TRUE;
}

/** the most nodes mike_lkh_load_nodes() sizes its tables for at once */
#define LOAD_PRESIZE_NODES (1 << 24)

/*
 * Described in header
 */
mike_lkh_t *mike_lkh_load_nodes(uint32_t next_id, uint32_t next_num,
								linked_list_t *nodes)
{
	private_mike_lkh_t *this;
	enumerator_t *enumerator;
	hashtable_t *nums, *ids;
	mike_lkh_node_t *record;
	node_t *node;
	bool ok = TRUE;
	u_int size;

	this = create_empty();
	if (!this)
	{
		return NULL;
	}
	this->next_id = next_id;
	this->next_num = next_num;
	/* node numbers, &node_t.num => node_t, owning the nodes until they
	 * are checked to make one tree; sized for all of them (a table holds
	 * 2/3 of its size), not grown and rehashed some twenty times at 1M */
	size = min(nodes->get_count(nodes), LOAD_PRESIZE_NODES) / 2 * 3 + 1024;
	nums = hashtable_create(hash_member, equals_member, size);
	enumerator = nodes->create_enumerator(nodes);
	while (ok && enumerator->enumerate(enumerator, &record))
	{
		if (!record->num || record->num >= next_num ||
			nums->get(nums, &record->num))
		{
			DBG1(DBG_CFG, "LKH node number %u invalid or twice, next is %u",
				 record->num, next_num);
			ok = FALSE;
		}
		else if (!record->id != !record->key.len ||
				 (record->key.len && record->key.len != MIKE_LKH_KEY_SIZE))
		{
			DBG1(DBG_CFG, "LKH node %u with an invalid key", record->num);
			ok = FALSE;
		}
		else
		{
			INIT(node,
				.num = record->num,
				.id = record->id,
				.is_member = record->is_member,
				.member = record->member,
			);
			memcpy(node->key, record->key.ptr, record->key.len);
			nums->put(nums, &node->num, node);
		}
	}
	enumerator->destroy(enumerator);
	ids = hashtable_create(hash_member, equals_member, size);
	ok = ok && link_nodes(this, nums, nodes) && node_check(this, ids,
														   this->root);
	if (ok && this->nodes != nums->get_count(nums))
	{
		DBG1(DBG_CFG, "%u LKH nodes not in the tree",
			 nums->get_count(nums) - this->nodes);
		ok = FALSE;
	}
	ids->destroy(ids);
	if (!ok)
	{
		enumerator = nums->create_enumerator(nums);
		while (enumerator->enumerate(enumerator, NULL, &node))
		{
			memwipe(node->key, sizeof(node->key));
			free(node);
		}
		enumerator->destroy(enumerator);
		this->root = NULL;
	}
	nums->destroy(nums);
	if (!ok)
	{
		destroy(this);
		return NULL;
	}
	return &this->public;
}

/*
 * Described in header
 */
mike_lkh_key_t *mike_lkh_key_find(linked_list_t *list, uint32_t id)
{
	enumerator_t *enumerator;
	mike_lkh_key_t *key, *found = NULL;

	enumerator = list->create_enumerator(list);
	while (enumerator->enumerate(enumerator, &key))
	{
		if (key->id == id)
		{
			found = key;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/*
 * Described in header
 */
u_int mike_lkh_member_unwrap(linked_list_t *known, linked_list_t *rekey,
							 linked_list_t *learned)
{
	enumerator_t *enumerator;
	mike_lkh_wrapped_t *wrapped;
	mike_lkh_key_t *kwk, *key;
	chunk_t data;
	bool progress = TRUE;
	u_int count = 0;

	/* the GCKS sends children's wraps first, but a GM must not rely on it */
	while (progress)
	{
		progress = FALSE;
		enumerator = rekey->create_enumerator(rekey);
		while (enumerator->enumerate(enumerator, &wrapped))
		{
			if (!wrapped->id || mike_lkh_key_find(known, wrapped->id) ||
				mike_lkh_key_find(learned, wrapped->id))
			{
				continue;
			}
			kwk = mike_lkh_key_find(known, wrapped->kwk_id) ?:
				  mike_lkh_key_find(learned, wrapped->kwk_id);
			if (!kwk || !mike_keywrap_unwrap(kwk->key, wrapped->wrapped, &data))
			{
				continue;
			}
			if (data.len != MIKE_LKH_KEY_SIZE)
			{
				chunk_clear(&data);
				continue;
			}
			INIT(key,
				.id = wrapped->id,
				.key = data,
			);
			learned->insert_last(learned, key);
			count++;
			progress = TRUE;
		}
		enumerator->destroy(enumerator);
	}
	return count;
}

/**
 * The Key ID of the key wrapped under kwk_id in a rekey set, if that key
 * is among the keys in old or learned
 */
static mike_lkh_key_t *find_parent(linked_list_t *rekey, uint32_t kwk_id,
								   mike_lkh_key_t **old, u_int old_count,
								   linked_list_t *learned, u_int *old_index)
{
	enumerator_t *enumerator;
	mike_lkh_wrapped_t *wrapped;
	mike_lkh_key_t *found = NULL;
	u_int i;

	enumerator = rekey->create_enumerator(rekey);
	while (!found && enumerator->enumerate(enumerator, &wrapped))
	{
		if (wrapped->kwk_id != kwk_id)
		{
			continue;
		}
		*old_index = old_count;
		for (i = 0; i < old_count; i++)
		{
			if (old[i]->id == wrapped->id)
			{
				*old_index = i;
				found = old[i];
			}
		}
		if (!found)
		{
			found = mike_lkh_key_find(learned, wrapped->id);
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/*
 * Described in header
 */
u_int mike_lkh_member_apply(linked_list_t *path, linked_list_t *rekey)
{
	mike_lkh_key_t **old, *cur, *key;
	linked_list_t *learned, *updated;
	u_int count, old_count, o = 0, last_old = 0, q = 0, i, limit;

	old_count = path->get_count(path);
	if (!old_count)
	{
		return 0;
	}
	learned = linked_list_create();
	count = mike_lkh_member_unwrap(path, rekey, learned);
	if (!count)
	{
		learned->destroy(learned);
		return 0;
	}
	old = malloc(sizeof(*old) * old_count);
	for (i = 0; i < old_count; i++)
	{
		path->remove_first(path, (void**)&old[i]);
	}

	/* walk up from the leaf: a key's parent is the key wrapped under it,
	 * or, if none is, the parent it had; a new key takes the place of the
	 * old key at the next level (o), unless the walk comes back to that old
	 * key (a node inserted by a split) */
	updated = linked_list_create();
	cur = old[0];
	updated->insert_last(updated, cur);
	limit = old_count + count;
	while (updated->get_count(updated) < limit)
	{
		key = find_parent(rekey, cur->id, old, old_count, learned, &q);
		if (key && q < old_count)
		{
			if (q <= last_old)
			{	/* a loop, not a tree: stop here */
				break;
			}
			o = last_old = q;
		}
		else if (key)
		{
			o++;
		}
		else if (o + 1 < old_count)
		{
			key = old[++o];
			last_old = o;
		}
		else
		{
			break;
		}
		updated->insert_last(updated, key);
		cur = key;
	}

	/* wipe what is no longer on the path */
	for (i = 0; i < old_count; i++)
	{
		if (!updated->find_first(updated, NULL, (void**)&old[i]))
		{
			mike_lkh_key_destroy(old[i]);
		}
	}
	while (learned->remove_first(learned, (void**)&key) == SUCCESS)
	{
		if (!updated->find_first(updated, NULL, (void**)&key))
		{
			mike_lkh_key_destroy(key);
		}
	}
	while (updated->remove_first(updated, (void**)&key) == SUCCESS)
	{
		path->insert_last(path, key);
	}
	updated->destroy(updated);
	learned->destroy(learned);
	free(old);
	return count;
}

/** the levels of the tree whose wraps for registrations are kept: the
 *  nodes there are on the paths of many members */
#define WRAP_CACHE_DEPTH 12

/**
 * A member's path keys wrapped, the leaf's under kwk, each other under the
 * one below; with a cache, the wraps of the upper levels come from it
 */
static linked_list_t *wrap_chain(linked_list_t *path, chunk_t kwk,
								 mike_wrap_cache_t *cache)
{
	enumerator_t *enumerator;
	mike_lkh_key_t *key;
	mike_lkh_wrapped_t *wrapped;
	linked_list_t *list;
	chunk_t under = kwk, data;
	uint32_t under_id = 0;
	int depth = path->get_count(path) - 1;

	list = linked_list_create();
	enumerator = path->create_enumerator(path);
	while (enumerator->enumerate(enumerator, &key))
	{
		/* the leaf's wrap is the registration's own (under GSK_w) */
		data = under_id && cache && depth < WRAP_CACHE_DEPTH
			   ? cache->get(cache, key->id, under_id) : chunk_empty;
		if (data.len)
		{
			data = chunk_clone(data);
		}
		else if (!mike_keywrap_wrap(under, key->key, &data))
		{
			list->destroy_function(list, (void*)mike_lkh_wrapped_destroy);
			list = NULL;
			break;
		}
		else if (under_id && cache && depth < WRAP_CACHE_DEPTH)
		{
			cache->put(cache, key->id, under_id, data);
		}
		INIT(wrapped,
			.id = key->id,
			.kwk_id = under_id,
			.wrapped = data,
		);
		list->insert_last(list, wrapped);
		under = key->key;
		under_id = key->id;
		depth--;
	}
	enumerator->destroy(enumerator);
	return list;
}

/*
 * Described in header
 */
linked_list_t *mike_lkh_wrap_path(linked_list_t *path, chunk_t kwk)
{
	return wrap_chain(path, kwk, NULL);
}

/*
 * Described in header
 */
u_int mike_lkh_member_start(chunk_t kwk, linked_list_t *wrapped,
							linked_list_t *path)
{
	linked_list_t *known;
	u_int count;

	/* the KWK stands in as Key ID 0, as the KWK ID of the leaf says */
	known = linked_list_create_with_items(mike_lkh_key_create(0, kwk), NULL);
	count = mike_lkh_member_unwrap(known, wrapped, path);
	known->destroy_function(known, (void*)mike_lkh_key_destroy);
	return count;
}
