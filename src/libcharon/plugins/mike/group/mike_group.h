/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_group mike_group
 * @{ @ingroup mike
 */

#ifndef MIKE_GROUP_H_
#define MIKE_GROUP_H_

#include "common/mike_group_config.h"
#include "group/mike_kernel.h"
#include "common/mike_tek.h"
#include "group/mike_lkh.h"
#include "group/mike_db.h"
#include "common/mike_keywrap.h"

#include <credentials/keys/private_key.h>
#include <credentials/keys/signature_params.h>

typedef struct mike_group_t mike_group_t;
typedef struct mike_group_member_t mike_group_member_t;

/** size of a KEK (rekey SA) SPI, RFC 9838 4.4.1 */
#define MIKE_KEK_SPI_SIZE 16

/** the KEK's cipher (the rekey SA's transform): AES-GCM-16 ... */
#define MIKE_KEK_ENCR ENCR_AES_GCM_ICV16

/** ... with a 256-bit key */
#define MIKE_KEK_ENCR_KEYLEN 256

/**
 * Size of a KEK's keying material: GSK_e for AES-GCM-16 with a 256-bit key
 * (plus the 4-byte salt), no GSK_a (AEAD), GSK_w for AES-256 key wrap;
 * RFC 9838 4.5.6
 */
#define MIKE_KEK_KEYMAT_SIZE (32 + 4 + MIKE_KWK_SIZE)

/**
 * A member as the GCKS knows it.
 */
struct mike_group_member_t {

	/** authenticated identity */
	identification_t *id;

	/** unique ID of its registration IKE SA */
	uint32_t ike_sa_id;

	/** its sender TEK, NULL if it only receives (owned by the group) */
	mike_tek_t *tek;

	/** its leaf in the group's key tree (mike_lkh_t member id) */
	uint32_t leaf;

	/** GCKS: whether the state store has it (save() sets it) */
	bool stored;

	/** GCKS: the SPI of its sender TEK as stored, 0 if none */
	uint32_t stored_tek_spi;
};

/**
 * Most SPIs a group remembers having handed out (a bounded set, oldest
 * forgotten first); the state store remembers all of them.
 */
#define MIKE_GROUP_MAX_USED_SPIS 65536

/**
 * The run-time state of a group: its configuration and, on the GCKS, the
 * keys and members, on a member, what was received and installed.
 *
 * Not thread-safe: the store (mike_groups_t) serializes access.
 */
struct mike_group_t {

	/** configuration, owned */
	mike_group_config_t *cfg;

	/** GCKS: where its state is kept across restarts, NULL if nowhere */
	mike_db_t *db;

	/** GCKS and member: the TEKs of the group's senders, mike_tek_t */
	linked_list_t *teks;

	/** GCKS and member: the KEK's SPI */
	chunk_t kek_spi;

	/** GCKS and member: the KEK's keying material (GSK_e | GSK_a | GSK_w) */
	chunk_t kek_keymat;

	/** GCKS: registered members, mike_group_member_t; those restored from
	 *  the store after a restart have ike_sa_id 0 until they register
	 *  again */
	linked_list_t *members;

	/** GCKS: the key tree the KEK is wrapped under when members leave,
	 *  created with the KEK */
	mike_lkh_t *lkh;

	/** GCKS: when the current KEK was made */
	time_t kek_created;

	/** GCKS: identities expelled with mikectl --expel, refused until the
	 *  group is loaded again, identification_t */
	linked_list_t *expelled;

	/** member: its Working Key Path in the GCKS's key tree, leaf to root,
	 *  mike_lkh_key_t (RFC 9838 4.5.2) */
	linked_list_t *key_path;

	/** member: when it last got keys (registration or GSA_REKEY) */
	time_t keys_updated;

	/** member: when it last started to register again by itself */
	time_t reregistered;

	/** member: how often it registered again by itself (missed rekeys) */
	uint64_t reregistrations;

	/** GCKS: the key GSA_REKEY messages are signed with, NULL if none */
	private_key_t *signing_key;

	/** GCKS and member: the public key GSA_REKEY messages are verified
	 *  with (member: from AUTH_KEY at registration), NULL if none */
	public_key_t *rekey_auth_key;

	/** GCKS and member: the signature scheme of GSA_REKEY messages (the
	 *  GCAUTH transform's Signature Algorithm Identifier), NULL if none */
	signature_params_t *rekey_auth_scheme;

	/** member: unique ID of the IKE SA the group is registered over, 0 if
	 *  not registered */
	uint32_t ike_sa_id;

	/** member: the SPI this member sends with, 0 if it does not */
	uint32_t own_spi;

	/** member: installed SAs and policies, NULL if none */
	mike_kernel_t *kernel;

	/** member: when it registered */
	time_t registered;

	/** member: its address in the registration IKE SA, NULL if not
	 *  registered */
	host_t *my_host;

	/** member: where the GCKS sends GSA_REKEY messages (the destination of
	 *  the rekey SA's selector), NULL for unicast rekeying */
	host_t *rekey_dst;

	/** GCKS: Message ID of the next GSA_REKEY; member: the lowest it
	 *  accepts next */
	uint64_t rekey_msg_id;

	/** GSA_REKEY messages sent (GCKS) or accepted (member) */
	uint64_t rekeys;

	/** member: GSA_REKEY messages rejected, indexed by reason
	 *  (mike_rekey_status_t) */
	uint64_t rekeys_rejected[16];

	/**
	 * GCKS: allocate an SPI for a TEK, unique among the group's TEKs and
	 * never handed out before by this group.
	 *
	 * @return			SPI, 0 on RNG failure
	 */
	uint32_t (*allocate_spi)(mike_group_t *this);

	/**
	 * GCKS: a fresh TEK for a sender, with the group's first ESP proposal,
	 * a fresh SPI and tek_lifetime, added to teks.
	 *
	 * @param sender	sender identity (cloned)
	 * @param source	address it sends from (cloned)
	 * @return			the TEK (owned by the group), NULL on failure
	 */
	mike_tek_t *(*new_tek)(mike_group_t *this, identification_t *sender,
						   host_t *source);

	/**
	 * GCKS: generate the KEK if there is none yet.
	 *
	 * @return			TRUE if the group has a KEK
	 */
	bool (*ensure_kek)(mike_group_t *this);

	/**
	 * GCKS: take the key to sign GSA_REKEY messages with, if the group has
	 * none yet: its public key goes to members (AUTH_KEY), the scheme into
	 * the rekey SA's GCAUTH transform.
	 *
	 * @param key		private key (referenced), NULL to leave it unset
	 * @return			TRUE if the group has a signing key
	 */
	bool (*ensure_signing_key)(mike_group_t *this, private_key_t *key);

	/**
	 * GCKS: retire a sender's TEK replaced by a rollover: it leaves teks but
	 * stays available to registrations until its sender switched to the
	 * new one (activation_delay), so a member that registers meanwhile
	 * hears the sender at once.
	 *
	 * @param tek		TEK to retire (owned by the group)
	 */
	void (*retire_tek)(mike_group_t *this, mike_tek_t *tek);

	/**
	 * GCKS: enumerate the retired TEKs senders may still use.
	 *
	 * @return			enumerator over mike_tek_t
	 */
	enumerator_t *(*create_retired_enumerator)(mike_group_t *this);

	/**
	 * GCKS: replace the KEK by a fresh one with a fresh SPI, wiping the
	 * old one.
	 *
	 * @return			TRUE if replaced, FALSE on RNG failure (unchanged)
	 */
	bool (*new_kek)(mike_group_t *this);

	/**
	 * GCKS: find a registered member by IKE SA.
	 */
	mike_group_member_t *(*find_member)(mike_group_t *this, uint32_t ike_sa_id);

	/**
	 * GCKS: add a member and give it a leaf in the key tree.
	 *
	 * @param id		authenticated identity (cloned)
	 * @param ike_sa_id	unique ID of its registration IKE SA
	 * @param tek		its sender TEK (already in teks), NULL if none
	 * @param path		receives its path keys, mike_lkh_key_t, leaf to root
	 * @param rekey		receives the keys the other members need now,
	 *					mike_lkh_wrapped_t, possibly empty
	 * @return			the member, NULL if the key tree failed
	 */
	mike_group_member_t *(*add_member)(mike_group_t *this,
							identification_t *id, uint32_t ike_sa_id,
							mike_tek_t *tek, linked_list_t **path,
							linked_list_t **rekey);

	/**
	 * GCKS: remove a member and its TEK, and its leaf from the key tree.
	 *
	 * @param member	the member (destroyed)
	 * @param rekey		receives the keys the remaining members need to
	 *					follow (mike_lkh_wrapped_t), NULL if the tree failed
	 * @return			TRUE if it was a member
	 */
	bool (*remove_member)(mike_group_t *this, mike_group_member_t *member,
						  linked_list_t **rekey);

	/**
	 * GCKS: drop a member's sender TEK (it may no longer send, or does not
	 * ask to); the TEK is destroyed, the member stays.
	 *
	 * @param member	the member
	 */
	void (*drop_tek)(mike_group_t *this, mike_group_member_t *member);

	/**
	 * Member: an object to install the group's SAs with, sharing the
	 * group's reqid and fail-close policies.
	 *
	 * @return			the object, NULL if the group has no reqid
	 */
	mike_kernel_t *(*create_kernel)(mike_group_t *this);

	/**
	 * GCKS: store the group's state (no-op without a store).  Call after
	 * every change of keys, members or expelled identities.  Only what
	 * changed is written: the members added, removed or given another TEK,
	 * the key tree's changed nodes, the KEK, TEKs, signer and expelled
	 * identities if they differ (docs/gcks-store.md).
	 *
	 * @return			FALSE if storing failed (logged)
	 */
	bool (*save)(mike_group_t *this);

	/**
	 * GCKS: take the Message ID for the next GSA_REKEY; with a store it is
	 * reserved there first, so it is never used twice, not even after a
	 * restart.
	 *
	 * @param id		receives the Message ID
	 * @return			FALSE if none could be reserved
	 */
	bool (*next_message_id)(mike_group_t *this, uint32_t *id);

	/**
	 * GCKS: whether an identity was expelled.
	 *
	 * @param id		identity
	 * @return			TRUE if expelled
	 */
	bool (*is_expelled)(mike_group_t *this, identification_t *id);

	/**
	 * Member: forget the registration, removing installed SAs and keys.
	 */
	void (*unregister)(mike_group_t *this);

	/**
	 * GCKS: take the configuration of the group loaded again (same name,
	 * role gcks): its keys, members and expelled identities stay; the
	 * GCKS's reauthorize() then removes who no longer fits.
	 *
	 * @param cfg		new configuration (owned)
	 */
	void (*reconfigure)(mike_group_t *this, mike_group_config_t *cfg);

	/**
	 * Destroy the group, removing what it installed, wiping its keys.
	 */
	void (*destroy)(mike_group_t *this);
};

/**
 * Create the run-time state of a configured group; a GCKS group restores
 * its state from the store if it has one there.
 *
 * @param cfg		configuration, owned
 * @param db		GCKS state store, NULL for none
 * @return			group
 */
mike_group_t *mike_group_create(mike_group_config_t *cfg, mike_db_t *db);

#endif /** MIKE_GROUP_H_ @}*/
