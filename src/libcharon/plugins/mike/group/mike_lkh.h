/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_lkh mike_lkh
 * @{ @ingroup mike
 *
 * The GCKS's Logical Key Hierarchy (RFC 2627 5.4, RFC 9838 appendix A): a
 * binary tree of key wrap keys whose leaves are the members, so that
 * evicting one of n members costs a single rekey message of O(log n)
 * wrapped keys instead of n unicast messages.
 *
 * Every key is a 32-byte AES-256 key wrap key (KW_5649_256, RFC 5649), named
 * by a 32-bit Key ID that is unique within the tree and never reused, so a
 * member tells a refreshed key from the one it replaces by its ID alone.
 * The root's key is the group's KEK wrap key: the GCKS wraps the next KEK
 * (SA_KEY, Key ID 0) under it, with the root's Key ID as KWK ID.
 *
 * See docs/lkh.md for the shape of the tree and the costs.
 */

#ifndef MIKE_LKH_H_
#define MIKE_LKH_H_

#include <library.h>
#include <collections/linked_list.h>

typedef struct mike_lkh_t mike_lkh_t;
typedef struct mike_lkh_key_t mike_lkh_key_t;
typedef struct mike_lkh_wrapped_t mike_lkh_wrapped_t;
typedef struct mike_lkh_node_t mike_lkh_node_t;

/** size of the tree's keys: AES-256 key wrap with padding (KW_5649_256) */
#define MIKE_LKH_KEY_SIZE 32

/**
 * Deepest tree mike_lkh_load() accepts: far more than 2^32 member ids can
 * fill, small enough to bound the recursion on a hostile blob.
 */
#define MIKE_LKH_MAX_DEPTH 64

/**
 * A tree key in the clear: a WRAP_KEY attribute before it is wrapped, or a
 * key a member holds.
 */
struct mike_lkh_key_t {

	/** Key ID, never 0 (that is the SA key's) */
	uint32_t id;

	/** the key, MIKE_LKH_KEY_SIZE bytes, allocated */
	chunk_t key;
};

/**
 * A tree key wrapped under another one (a WRAP_KEY in a member key bag of
 * a GSA_REKEY's KD payload, RFC 9838 4.6.3).
 */
struct mike_lkh_wrapped_t {

	/** Key ID of the wrapped key */
	uint32_t id;

	/** Key ID of the key it is wrapped with (KWK ID) */
	uint32_t kwk_id;

	/** the RFC 5649 wrapped key, allocated */
	chunk_t wrapped;
};

/**
 * A node of the tree as the GCKS's store keeps it (docs/gcks-store.md): its
 * place in the shape and what it holds.  The member count below a node is
 * not part of it, it follows from the shape.
 */
struct mike_lkh_node_t {

	/** node number, unique in the tree and never reused, from 1 */
	uint32_t num;

	/** parent's node number, 0 for the root */
	uint32_t parent;

	/** which child of the parent: 0 (left) or 1 (right) */
	uint8_t side;

	/** Key ID, 0 if keyless */
	uint32_t id;

	/** the key, empty if keyless (mike_lkh_t: internal; mike_lkh_load_nodes():
	 *  copied) */
	chunk_t key;

	/** TRUE if a leaf with a member */
	bool is_member;

	/** the member's id, if is_member */
	uint32_t member;
};

/**
 * Create a tree key, the key is cloned.
 *
 * @param id		Key ID
 * @param key		key to clone
 * @return			key, free with mike_lkh_key_destroy()
 */
mike_lkh_key_t *mike_lkh_key_create(uint32_t id, chunk_t key);

/**
 * Wipe and free a tree key.
 *
 * @param key		key to destroy, may be NULL
 */
void mike_lkh_key_destroy(mike_lkh_key_t *key);

/**
 * Free a wrapped key.
 *
 * @param wrapped	wrapped key to destroy, may be NULL
 */
void mike_lkh_wrapped_destroy(mike_lkh_wrapped_t *wrapped);

/**
 * The GCKS's key tree of a group.
 *
 * Not thread-safe: the group store serializes access.
 */
struct mike_lkh_t {

	/**
	 * Place a new member at a leaf.
	 *
	 * A vacated leaf is reused first, the shallowest one; only if none is
	 * free the shallowest member's leaf is split in two (RFC 2627), so the
	 * tree stays balanced within one level and grows only when the group
	 * does.  Of leaves at the same depth the leftmost is taken, so where a
	 * member goes depends on the tree's shape only.  O(depth), as is
	 * remove_member().
	 *
	 * Without rekey_on_join the root and every key other members hold stay
	 * as they are: the new member can unwrap what was sent before it joined.
	 * With rekey_on_join every key on its path is replaced first (backward
	 * access control).  Either way the returned rekey set must reach the
	 * other members: it also carries, when a leaf was split, the new node's
	 * key for the member whose leaf it was.
	 *
	 * @param member	the caller's opaque member id, unique in the tree
	 * @param rekey_on_join	replace the keys the new member gets
	 * @param path		receives the member's keys, mike_lkh_key_t, leaf to
	 *					root (its WRAP_KEY attributes at registration)
	 * @param rekey		receives the keys other members need,
	 *					mike_lkh_wrapped_t, possibly empty
	 * @return			FALSE if the id is taken or no key could be made
	 */
	bool (*add_member)(mike_lkh_t *this, uint32_t member, bool rekey_on_join,
					   linked_list_t **path, linked_list_t **rekey);

	/**
	 * Evict a member (forward access control).
	 *
	 * Every key on the path from the member's leaf to the root is replaced
	 * (or dropped where no member is left below it) and each new key is
	 * wrapped under the current keys of its children, never under a key
	 * the evicted member knew: at most 2 * get_depth() - 1 wrapped keys.
	 *
	 * @param member	member id
	 * @param rekey		receives the rekey set, mike_lkh_wrapped_t
	 * @return			FALSE if the member is unknown or no key could be
	 *					made (then the tree is unchanged), or if wrapping
	 *					failed (then the member is out, but the message is
	 *					lost: the others have to re-register)
	 */
	bool (*remove_member)(mike_lkh_t *this, uint32_t member,
						  linked_list_t **rekey);

	/**
	 * The current keys of a member's path, as add_member() returned them
	 * (e.g. to re-register a member that lost a rekey message).
	 *
	 * @param member	member id
	 * @param path		receives the keys, mike_lkh_key_t, leaf to root
	 * @return			FALSE if the member is unknown
	 */
	bool (*get_path)(mike_lkh_t *this, uint32_t member, linked_list_t **path);

	/**
	 * A member's path keys for its registration, as mike_lkh_wrap_path()
	 * wraps them, the upper levels' wraps kept for the next registrations
	 * (RFC 5649 wraps a key under a key to the same bytes every time).
	 *
	 * @param path		keys, mike_lkh_key_t, leaf to root, as get_path()
	 *					returned them
	 * @param kwk		the registration IKE SA's key wrap key (GSK_w)
	 * @return			wrapped keys, mike_lkh_wrapped_t, NULL if wrapping
	 *					failed
	 */
	linked_list_t *(*wrap_path)(mike_lkh_t *this, linked_list_t *path,
								chunk_t kwk);

	/**
	 * The root's key, under which the GCKS wraps the next KEK.
	 *
	 * @param key_id	receives the root's Key ID
	 * @param key		receives the key (internal, valid until the tree
	 *					changes)
	 */
	void (*get_root)(mike_lkh_t *this, uint32_t *key_id, chunk_t *key);

	/**
	 * Number of members.
	 *
	 * @return			members in the tree
	 */
	u_int (*get_member_count)(mike_lkh_t *this);

	/**
	 * Depth of the tree, the root being at depth 0: a member's path has at
	 * most get_depth() + 1 keys.
	 *
	 * @return			depth of the deepest leaf
	 */
	u_int (*get_depth)(mike_lkh_t *this);

	/**
	 * Encode the whole tree, keys included, so the GCKS can persist it and
	 * restore it with mike_lkh_load() (format in docs/lkh.md).
	 *
	 * @param blob		receives the encoding, allocated; it holds every key
	 *					of the tree, wipe it with chunk_clear()
	 * @return			FALSE if the tree is too large to be encoded
	 */
	bool (*serialize)(mike_lkh_t *this, chunk_t *blob);

	/**
	 * Enumerate the nodes changed since the tree was created or loaded (all
	 * of them then, except after mike_lkh_load_nodes()) or since the last
	 * clear_changes(): what a store has to write so that it holds the tree
	 * again.  add_member() and remove_member() change the nodes of one path
	 * (and the two a split adds): O(log n) nodes.
	 *
	 * @return			enumerator over mike_lkh_node_t* (valid until the
	 *					next enumerate() call or the tree changes)
	 */
	enumerator_t *(*create_change_enumerator)(mike_lkh_t *this);

	/**
	 * Number of nodes changed since the last clear_changes().
	 *
	 * @return			nodes create_change_enumerator() enumerates
	 */
	u_int (*get_change_count)(mike_lkh_t *this);

	/**
	 * Forget the changes, e.g. once a store committed them.
	 */
	void (*clear_changes)(mike_lkh_t *this);

	/**
	 * Enumerate all nodes, in preorder.
	 *
	 * @return			enumerator over mike_lkh_node_t* (as above)
	 */
	enumerator_t *(*create_node_enumerator)(mike_lkh_t *this);

	/**
	 * The counters a restored tree has to continue with, so that no Key ID
	 * and no node number is handed out twice.
	 *
	 * @param next_id	receives the next Key ID
	 * @param next_num	receives the next node number
	 */
	void (*get_counters)(mike_lkh_t *this, uint32_t *next_id,
						 uint32_t *next_num);

	/**
	 * Destroy the tree, wiping all keys.
	 */
	void (*destroy)(mike_lkh_t *this);
};

/**
 * Create an empty key tree, with a random root key.
 *
 * @return			tree, NULL if no strong RNG is available
 */
mike_lkh_t *mike_lkh_create();

/**
 * Restore a key tree from what serialize() returned: the same shape, Key
 * IDs, keys and member leaves, and the same next Key ID, so no ID is ever
 * handed out twice.
 *
 * The blob is validated strictly, it has to describe a tree serialize()
 * could have produced.
 *
 * @param blob		encoded tree (not modified, the keys are copied)
 * @return			tree, NULL if the blob is invalid or no strong RNG is
 *					available
 */
mike_lkh_t *mike_lkh_load(chunk_t blob);

/**
 * Restore a key tree from its nodes as create_node_enumerator() or, summed
 * up over time, create_change_enumerator() gave them, with the counters of
 * get_counters().  The nodes are validated as strictly as mike_lkh_load()
 * validates a blob.  The restored tree has no changes.
 *
 * @param next_id	the next Key ID
 * @param next_num	the next node number
 * @param nodes		mike_lkh_node_t, in any order (not modified, the keys
 *					are copied)
 * @return			tree, NULL if the nodes do not make a valid tree or no
 *					strong RNG is available
 */
mike_lkh_t *mike_lkh_load_nodes(uint32_t next_id, uint32_t next_num,
								linked_list_t *nodes);

/**
 * Unwrap all keys of a rekey set that can be reached from known keys,
 * iterating until no more can be unwrapped.
 *
 * @param known		keys the member holds, mike_lkh_key_t (unchanged)
 * @param rekey		rekey set, mike_lkh_wrapped_t
 * @param learned	list to which newly unwrapped keys are added,
 *					mike_lkh_key_t
 * @return			number of keys added to learned
 */
u_int mike_lkh_member_unwrap(linked_list_t *known, linked_list_t *rekey,
							 linked_list_t *learned);

/**
 * Find a key by its Key ID.
 *
 * @param list		list of mike_lkh_key_t
 * @param id		Key ID
 * @return			the key, NULL if the list has none with that ID
 */
mike_lkh_key_t *mike_lkh_key_find(linked_list_t *list, uint32_t id);

/**
 * A member's processing of a rekey set (RFC 9838 4.5.2): update its working
 * key path with the keys it can unwrap.
 *
 * The path is ordered leaf to root, as add_member() returned it.  Since a
 * new key is only ever wrapped under a child's key, the rekey set tells the
 * member which key is above which: replaced keys are wiped and dropped, a
 * node inserted by a split is inserted, so the path stays exactly the
 * member's path in the tree.
 *
 * @param path		working key path, mike_lkh_key_t, updated in place
 * @param rekey		rekey set, mike_lkh_wrapped_t
 * @return			number of keys unwrapped, 0 if none (excluded or not
 *					concerned)
 */
u_int mike_lkh_member_apply(linked_list_t *path, linked_list_t *rekey);

/**
 * GCKS: a member's path keys for its registration (WRAP_KEY attributes):
 * the leaf's key wrapped under kwk (KWK ID 0), every other key under the
 * key below it.
 *
 * @param path		keys, mike_lkh_key_t, leaf to root
 * @param kwk		the registration IKE SA's key wrap key (GSK_w)
 * @return			wrapped keys, mike_lkh_wrapped_t, NULL if wrapping failed
 */
linked_list_t *mike_lkh_wrap_path(linked_list_t *path, chunk_t kwk);

/**
 * Member: the Working Key Path from the WRAP_KEY attributes received at
 * registration, unwrapped starting from the IKE SA's key wrap key (KWK ID
 * 0).  Keys are added leaf to root, since each can only be unwrapped with
 * the key below it.
 *
 * @param kwk		the registration IKE SA's key wrap key (GSK_w)
 * @param wrapped	received keys, mike_lkh_wrapped_t
 * @param path		empty list the keys are added to, mike_lkh_key_t
 * @return			number of keys added
 */
u_int mike_lkh_member_start(chunk_t kwk, linked_list_t *wrapped,
							linked_list_t *path);

#endif /** MIKE_LKH_H_ @}*/
