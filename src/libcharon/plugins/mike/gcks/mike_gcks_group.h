/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_gcks_group mike_gcks_group
 * @{ @ingroup mike_gcks
 */

#ifndef MIKE_GCKS_GROUP_H_
#define MIKE_GCKS_GROUP_H_

#include "group/mike_groups.h"
#include "group/mike_lkh.h"
#include "group/mike_db.h"
#include "common/mike_keywrap.h"

#include <credentials/keys/private_key.h>

typedef struct mike_gcks_group_t mike_gcks_group_t;
typedef struct mike_gcks_member_t mike_gcks_member_t;

/**
 * Most SPIs a group remembers having handed out (a bounded set, oldest
 * forgotten first); the state store remembers all of them.
 */
#define MIKE_GROUP_MAX_USED_SPIS 65536

/**
 * The most withdrawn TEK SPIs a group keeps for the next GSA_REKEY's
 * Delete payload; beyond it the oldest go (lifetimes still end them)
 */
#define MIKE_GROUP_MAX_WITHDRAWN 1024

/**
 * A member as the GCKS knows it.  Read-only: only the group's methods
 * change it.
 */
struct mike_gcks_member_t {

	/** authenticated identity */
	identification_t *id;

	/** unique ID of its registration IKE SA, 0 for a member restored from
	 *  the state store that has not registered again since */
	uint32_t ike_sa_id;

	/** its sender TEK, NULL if it only receives (owned by the group) */
	mike_tek_t *tek;

	/** its leaf in the group's key tree (mike_lkh_t member id) */
	uint32_t leaf;

	/** when it last changed its SAM key or bootstrap while registered
	 *  (time_monotonic()), 0 if it did not */
	time_t sam_changed;
};

/**
 * A group on its GCKS: its GSA and, beside it, the members, the key tree
 * the KEK is wrapped under when members leave, the expelled identities,
 * the key GSA_REKEY messages are signed with and its rows in the state
 * store.
 *
 * Not thread-safe: the group store serializes access.
 */
struct mike_gcks_group_t {

	/**
	 * Implements mike_group_t.
	 */
	mike_group_t group;

	/**
	 * Allocate an SPI for a TEK, unique among the group's TEKs and never
	 * handed out before by this group.
	 *
	 * @return			SPI, 0 on RNG failure
	 */
	uint32_t (*allocate_spi)(mike_gcks_group_t *this);

	/**
	 * Allocate count consecutive Sender-IDs (RFC 9838 2.5.1: sequentially
	 * from 0, new ones at every registration).  The counter wraps at
	 * 2^MIKE_SENDER_ID_BITS instead of excluding the whole group: every
	 * sender has a Data-Security SA under a key of its own, so a Sender-ID
	 * used again never repeats a nonce under one key (docs/interop.md).
	 *
	 * @param count		Sender-IDs to allocate
	 * @return			the first of them
	 */
	uint32_t (*allocate_sender_ids)(mike_gcks_group_t *this, uint32_t count);

	/**
	 * Generate the KEK and the key tree if there are none yet.
	 *
	 * @return			TRUE if the group has a KEK
	 */
	bool (*ensure_kek)(mike_gcks_group_t *this);

	/**
	 * Replace the KEK by a fresh one with a fresh SPI, wiping the old one.
	 *
	 * @return			TRUE if replaced, FALSE on RNG failure (unchanged)
	 */
	bool (*new_kek)(mike_gcks_group_t *this);

	/**
	 * When the current KEK was made.
	 *
	 * @return			monotonic time
	 */
	time_t (*get_kek_created)(mike_gcks_group_t *this);

	/**
	 * Note that a registration response was built just now (it goes out
	 * after the hook returns, GSA_REKEYs sent meanwhile reach its member
	 * before it has the keys to read them).
	 */
	void (*answered_registration)(mike_gcks_group_t *this);

	/**
	 * When a registration response was built last.
	 *
	 * @return			monotonic time, 0 if never
	 */
	time_t (*get_last_answered)(mike_gcks_group_t *this);

	/**
	 * The key tree the KEK is wrapped under when members leave.
	 *
	 * @return			key tree (internal), NULL before the first KEK
	 */
	mike_lkh_t *(*get_lkh)(mike_gcks_group_t *this);

	/**
	 * Take the key to sign GSA_REKEY messages with, if the group has none
	 * yet: its public key goes to members (AUTH_KEY), the first scheme
	 * strongSwan suggests for it into the rekey SA's GCAUTH transform.
	 * After a restart the group has the public key from the store; the
	 * private key found by its key ID replaces it.
	 *
	 * @param key		private key (referenced), NULL to leave it unset
	 * @return			TRUE if the group has a signing key
	 */
	bool (*ensure_signing_key)(mike_gcks_group_t *this, private_key_t *key);

	/**
	 * The key GSA_REKEY messages are signed with.
	 *
	 * @return			key (internal), NULL if none
	 */
	private_key_t *(*get_signing_key)(mike_gcks_group_t *this);

	/**
	 * A fresh TEK for a sender, with the group's first ESP proposal, a fresh
	 * SPI and tek_lifetime, added to the GSA.
	 *
	 * @param sender	sender identity (cloned)
	 * @param source	address it sends from (cloned)
	 * @return			the TEK (owned by the group), NULL on failure
	 */
	mike_tek_t *(*new_tek)(mike_gcks_group_t *this, identification_t *sender,
						   host_t *source);

	/**
	 * Take a TEK made with new_tek() out of the GSA again and destroy it
	 * (the member it was made for did not get added).
	 *
	 * @param tek		TEK
	 */
	void (*discard_tek)(mike_gcks_group_t *this, mike_tek_t *tek);

	/**
	 * Give a member a fresh TEK; the one it had is retired: it leaves the
	 * GSA but stays available to registrations until its sender switched to
	 * the new one (activation_delay), so a member that registers meanwhile
	 * hears the sender at once.
	 *
	 * @param member	the member
	 * @param source	address it sends from (cloned)
	 * @return			the new TEK, NULL on failure (member unchanged)
	 */
	mike_tek_t *(*renew_tek)(mike_gcks_group_t *this,
							 mike_gcks_member_t *member, host_t *source);

	/**
	 * Take the SAM verification key a sender presented: its data SA's TEK
	 * carries it, with its leaf as SAM source ID, into every GSA (and into
	 * the TEKs that replace it).
	 *
	 * @param member	the member, a sender
	 * @param spki		DER SubjectPublicKeyInfo (cloned), checked
	 * @return			TRUE if its key changed
	 */
	bool (*take_sam_key)(mike_gcks_group_t *this, mike_gcks_member_t *member,
						 chunk_t spki);

	/**
	 * Take the signed SAM bootstrap a sender presented (docs/sam-keys.md):
	 * its TEK carries it next to the SAM key, into every GSA and the TEKs
	 * that replace it.
	 *
	 * @param member	the member, a sender
	 * @param bootstrap	the bootstrap (cloned), at most MIKE_SAM_BOOTSTRAP_MAX
	 *					bytes
	 * @return			TRUE if it changed
	 */
	bool (*take_sam_bootstrap)(mike_gcks_group_t *this,
							   mike_gcks_member_t *member, chunk_t bootstrap);

	/**
	 * Note that a registered sender changed its SAM key or bootstrap (each
	 * change costs the group a GSA_REKEY, so they are rationed).
	 *
	 * @param member	the member
	 */
	void (*sam_changed)(mike_gcks_group_t *this, mike_gcks_member_t *member);

	/**
	 * Drop a member's sender TEK (it may no longer send, or does not ask
	 * to); the TEK is destroyed, the member stays.
	 *
	 * @param member	the member
	 */
	void (*drop_tek)(mike_gcks_group_t *this, mike_gcks_member_t *member);

	/**
	 * Enumerate the retired TEKs senders may still use, with the seconds
	 * until receivers can let them go (their sender switched and the
	 * deactivation delay passed).
	 *
	 * @return			enumerator over mike_tek_t*, uint32_t
	 */
	enumerator_t *(*create_retired_enumerator)(mike_gcks_group_t *this);

	/**
	 * Take the SPIs of the TEKs that left the group's list (retired or
	 * discarded) since the last call, for the Delete payload of the next
	 * GSA_REKEY (members add a GSA_REKEY's TEKs to theirs, RFC 9838 2.4.1).
	 *
	 * @return			allocated SPIs in network order, 4 bytes each;
	 *					empty if none
	 */
	chunk_t (*take_withdrawn_spis)(mike_gcks_group_t *this);

	/**
	 * Add a member and give it a leaf in the key tree.
	 *
	 * @param id		authenticated identity (cloned)
	 * @param ike_sa_id	unique ID of its registration IKE SA
	 * @param tek		its sender TEK (from new_tek()), NULL if none
	 * @param path		receives its path keys, mike_lkh_key_t, leaf to root
	 * @param rekey		receives the keys the other members need now,
	 *					mike_lkh_wrapped_t, possibly empty
	 * @return			the member, NULL if the key tree failed
	 */
	mike_gcks_member_t *(*add_member)(mike_gcks_group_t *this,
							identification_t *id, uint32_t ike_sa_id,
							mike_tek_t *tek, linked_list_t **path,
							linked_list_t **rekey);

	/**
	 * Remove a member and its TEK, and its leaf from the key tree.
	 *
	 * @param member	the member (destroyed)
	 * @param rekey		receives the keys the remaining members need to
	 *					follow (mike_lkh_wrapped_t), NULL if the tree failed
	 * @return			TRUE if it was a member
	 */
	bool (*remove_member)(mike_gcks_group_t *this, mike_gcks_member_t *member,
						  linked_list_t **rekey);

	/**
	 * Find a registered member by IKE SA.
	 *
	 * @param ike_sa_id	unique ID of the IKE SA
	 * @return			member, NULL if none
	 */
	mike_gcks_member_t *(*find_member)(mike_gcks_group_t *this,
									   uint32_t ike_sa_id);

	/**
	 * Find a member restored from the state store that has not registered
	 * again since the restart, by identity.
	 *
	 * @param id		identity
	 * @return			member, NULL if none
	 */
	mike_gcks_member_t *(*find_dormant)(mike_gcks_group_t *this,
										identification_t *id);

	/**
	 * Whether members restored from the state store have not registered
	 * again yet.
	 *
	 * @return			TRUE if there are such members
	 */
	bool (*has_dormant)(mike_gcks_group_t *this);

	/**
	 * Move a member to another IKE SA (a restored member registered again,
	 * or its IKE SA was rekeyed).
	 *
	 * @param member	the member
	 * @param ike_sa_id	unique ID of the IKE SA
	 */
	void (*attach_member)(mike_gcks_group_t *this, mike_gcks_member_t *member,
						  uint32_t ike_sa_id);

	/**
	 * The member added last.
	 *
	 * @return			member, NULL if none
	 */
	mike_gcks_member_t *(*get_newest_member)(mike_gcks_group_t *this);

	/**
	 * Enumerate the members.
	 *
	 * @return			enumerator over mike_gcks_member_t
	 */
	enumerator_t *(*create_member_enumerator)(mike_gcks_group_t *this);

	/**
	 * Enumerate the members with a sender TEK, in the order they got it.
	 *
	 * @return			enumerator over mike_gcks_member_t
	 */
	enumerator_t *(*create_sender_enumerator)(mike_gcks_group_t *this);

	/**
	 * The number of members.
	 *
	 * @return			number of members
	 */
	int (*get_member_count)(mike_gcks_group_t *this);

	/**
	 * Refuse an identity (mikectl --expel) until the group is loaded again
	 * or it is readmitted.
	 *
	 * @param id		identity (cloned)
	 * @return			FALSE if it was expelled already
	 */
	bool (*expel)(mike_gcks_group_t *this, identification_t *id);

	/**
	 * Take back an expulsion (mikectl --readmit).
	 *
	 * @param id		identity, as expelled
	 * @return			TRUE if it was expelled
	 */
	bool (*readmit)(mike_gcks_group_t *this, identification_t *id);

	/**
	 * Whether an identity was expelled.
	 *
	 * @param id		identity
	 * @return			TRUE if expelled
	 */
	bool (*is_expelled)(mike_gcks_group_t *this, identification_t *id);

	/**
	 * The number of expelled identities.
	 *
	 * @return			number of identities
	 */
	int (*get_expelled_count)(mike_gcks_group_t *this);

	/**
	 * Store the group's state (no-op without a store).  Call after every
	 * change of keys, members or expelled identities.  Only what changed is
	 * written: the members added, removed or given another TEK, the key
	 * tree's changed nodes, the KEK, TEKs, signer and expelled identities if
	 * they differ (docs/gcks-store.md).
	 *
	 * @return			FALSE if storing failed (logged)
	 */
	bool (*save)(mike_gcks_group_t *this);

	/**
	 * Take the Message ID for the next GSA_REKEY; with a store it is
	 * reserved there first, so it is never used twice, not even after a
	 * restart.
	 *
	 * @param id		receives the Message ID
	 * @return			FALSE if none could be reserved
	 */
	bool (*next_message_id)(mike_gcks_group_t *this, uint32_t *id);
};

/**
 * Create a GCKS group, restoring its state from the store if it has one
 * there.
 *
 * @param cfg		configuration (role gcks), owned
 * @param db		state store, NULL for none
 * @return			group
 */
mike_gcks_group_t *mike_gcks_group_create(mike_group_config_t *cfg,
										  mike_db_t *db);

/**
 * The GCKS group a group of the store is.
 *
 * @param group		group, NULL for none
 * @return			the GCKS group, NULL if it is a member group (or NULL)
 */
mike_gcks_group_t *mike_gcks_group(mike_group_t *group);

/**
 * Check a GCKS group out of the store (check it in with
 * groups->checkin(groups, &group->group)).
 *
 * @param groups	the store
 * @param name		group name, NULL for none
 * @return			the group, NULL if there is no GCKS group of that name
 */
mike_gcks_group_t *mike_gcks_group_checkout(mike_groups_t *groups,
											char *name);

/**
 * Enumerate the GCKS groups of the store, or the one named; each is checked
 * out while it is the current one.
 *
 * @param groups	the store
 * @param name		group name, NULL for all
 * @return			enumerator over mike_gcks_group_t
 */
enumerator_t *mike_gcks_group_create_enumerator(mike_groups_t *groups,
												char *name);

#endif /** MIKE_GCKS_GROUP_H_ @}*/
