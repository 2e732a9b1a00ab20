/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_db mike_db
 * @{ @ingroup mike
 *
 * The GCKS's persistent group state in an SQLite file, so that after a
 * restart members keep working without re-registering, Message IDs never
 * repeat and no SPI is handed out twice.
 *
 * Per group (by name) it keeps: a Message ID high-water mark, the KEK, the
 * set of SPIs ever handed out, the TEKs, the members, the LKH tree (an
 * opaque blob), the public key its GSA_REKEY messages are signed with and
 * the identities expelled from it.  Run-time things (IKE SAs,
 * installed SAs) are not kept.
 *
 * The file is created with mode 0600 and used in WAL mode with
 * secure_delete; keys are kept in the clear in it (as in memory), so its
 * directory must be as private as the daemon's keys.  Several stores may
 * use one file (writes take SQLite's write lock, a busy store waits up to
 * a few seconds, then fails), but only one GCKS must own a group.
 *
 * Every function that fails logs why and returns FALSE/NULL/FAILED; nothing
 * is half-written: multi-row updates are transactions.
 *
 * Groups use one store from several threads: a transaction (begin() to
 * commit() or rollback()) and each write of its own hold the store's lock;
 * reads that must see one state (a group's restore) hold it with lock().
 */

#ifndef MIKE_DB_H_
#define MIKE_DB_H_

#include <library.h>
#include <collections/linked_list.h>
#include <utils/identification.h>
#include <networking/host.h>

#include "common/mike_tek.h"
#include "group/mike_lkh.h"

typedef struct mike_db_t mike_db_t;
typedef struct mike_db_tek_t mike_db_tek_t;
typedef struct mike_db_member_t mike_db_member_t;

/** version of the schema this code writes and reads */
#define MIKE_DB_SCHEMA_VERSION 4

/**
 * A stored TEK.
 */
struct mike_db_tek_t {

	/** the TEK, with sender and source if they were stored; may be taken
	 *  (set to NULL) before mike_db_tek_destroy() */
	mike_tek_t *tek;

	/** when it was created */
	time_t created;
};

/**
 * Destroy a loaded TEK (and the TEK it carries), wiping its keys.
 *
 * @param tek		TEK to destroy, may be NULL
 */
void mike_db_tek_destroy(mike_db_tek_t *tek);

/**
 * A stored member.
 */
struct mike_db_member_t {

	/** its identity */
	identification_t *id;

	/** whether it sends */
	bool sender;

	/** SPI of its sender TEK, 0 if none */
	uint32_t tek_spi;

	/** its leaf in the group's LKH tree (member id there) */
	uint32_t leaf;
};

/**
 * Destroy a loaded LKH node, wiping its key.
 *
 * @param node		node to destroy, may be NULL
 */
void mike_db_lkh_node_destroy(mike_lkh_node_t *node);

/**
 * Destroy a loaded member.
 *
 * @param member	member to destroy, may be NULL
 */
void mike_db_member_destroy(mike_db_member_t *member);

/**
 * The GCKS's state store.
 */
struct mike_db_t {

	/**
	 * Reserve n consecutive Message IDs: atomically (and durably, before it
	 * returns) advance the group's high-water mark by n.  IDs that were
	 * reserved but never sent are lost, never handed out again, also not
	 * after a restart.  IDs start at 0 and are 32-bit: a reservation beyond
	 * 0xffffffff fails.
	 *
	 * Must not be called inside begin()/commit(): a rollback would give the
	 * IDs out again.
	 *
	 * @param group		group name
	 * @param n			number of IDs, > 0
	 * @param first		receives the first reserved ID
	 * @return			FALSE on failure (nothing reserved)
	 */
	bool (*reserve_message_ids)(mike_db_t *this, char *group, uint32_t n,
								uint32_t *first);

	/**
	 * Raise the group's Message ID high-water mark to next (it is never
	 * lowered; storing a new KEK restarts it at 0).  A GCKS stores it with
	 * the state a GSA_REKEY carries, in the same transaction and before the
	 * message goes out: a message that was sent has its ID stored, one whose
	 * save failed was never sent, so a restarted GCKS goes on with the next
	 * ID (RFC 9838 2.4.1.3: one greater than the previous message's).
	 *
	 * @param group		group name
	 * @param next		the next Message ID, at most 2^32
	 * @return			FALSE on failure
	 */
	bool (*set_next_message_id)(mike_db_t *this, char *group, uint64_t next);

	/**
	 * The next Message ID reserve_message_ids() would return.
	 *
	 * @param group		group name
	 * @param next		receives the high-water mark (2^32 if exhausted)
	 * @return			FALSE on failure
	 */
	bool (*get_next_message_id)(mike_db_t *this, char *group, uint64_t *next);

	/**
	 * Record an SPI as handed out by the group.
	 *
	 * @param group		group name
	 * @param spi		SPI
	 * @return			SUCCESS if it was new (and is now recorded),
	 *					ALREADY_DONE if the group used it before, FAILED on
	 *					failure
	 */
	status_t (*claim_spi)(mike_db_t *this, char *group, uint32_t spi);

	/**
	 * The SPIs the group ever handed out (claim_spi(), put_tek()).
	 *
	 * @param group		group name
	 * @return			list of uintptr_t SPIs, NULL on failure
	 */
	linked_list_t *(*load_spis)(mike_db_t *this, char *group);

	/**
	 * Set the group's KEK.  Its SPI is recorded among the used ones; an
	 * SPI used before (other than the current KEK's) is refused.
	 *
	 * @param group		group name
	 * @param spi		KEK SPI
	 * @param keymat	KEK keying material
	 * @return			FALSE on failure or if the SPI was used before
	 */
	bool (*set_kek)(mike_db_t *this, char *group, chunk_t spi,
					chunk_t keymat);

	/**
	 * The group's KEK.
	 *
	 * @param group		group name
	 * @param spi		receives the SPI, allocated (empty if no KEK)
	 * @param keymat	receives the keying material, allocated (empty if
	 *					none), wipe with chunk_clear()
	 * @return			FALSE on failure
	 */
	bool (*get_kek)(mike_db_t *this, char *group, chunk_t *spi,
					chunk_t *keymat);

	/**
	 * Store (insert or replace by SPI) a TEK; its SPI is recorded among the
	 * used ones.
	 *
	 * @param group		group name
	 * @param tek		TEK (sender and source are stored if set)
	 * @param created	its creation time
	 * @return			FALSE on failure
	 */
	bool (*put_tek)(mike_db_t *this, char *group, mike_tek_t *tek,
					time_t created);

	/**
	 * Remove a TEK (its SPI stays used).
	 *
	 * @param group		group name
	 * @param spi		its SPI
	 * @return			FALSE on failure (a missing TEK is no failure)
	 */
	bool (*remove_tek)(mike_db_t *this, char *group, uint32_t spi);

	/**
	 * The group's TEKs, ordered by creation, then SPI.
	 *
	 * @param group		group name
	 * @return			list of mike_db_tek_t, NULL on failure (also if a
	 *					stored TEK is inconsistent)
	 */
	linked_list_t *(*load_teks)(mike_db_t *this, char *group);

	/**
	 * Store (insert or replace by identity) a member.
	 *
	 * @param group		group name
	 * @param id		its identity
	 * @param sender	whether it sends
	 * @param tek_spi	SPI of its sender TEK, 0 if none
	 * @param leaf		its leaf in the group's LKH tree
	 * @return			FALSE on failure
	 */
	bool (*put_member)(mike_db_t *this, char *group, identification_t *id,
					   bool sender, uint32_t tek_spi, uint32_t leaf);

	/**
	 * Remove a member.
	 *
	 * @param group		group name
	 * @param id		its identity
	 * @return			FALSE on failure (a missing member is no failure)
	 */
	bool (*remove_member)(mike_db_t *this, char *group, identification_t *id);

	/**
	 * The group's members, in the order they were first stored.
	 *
	 * @param group		group name
	 * @return			list of mike_db_member_t, NULL on failure
	 */
	linked_list_t *(*load_members)(mike_db_t *this, char *group);

	/**
	 * Store the group's LKH tree as one blob (mike_lkh_t.serialize()): the
	 * format of schema version 1, kept to convert such trees into nodes
	 * (put_lkh_nodes()) and to clear the blob then.
	 *
	 * @param group		group name
	 * @param lkh		serialized tree (contains keys), empty to clear
	 * @return			FALSE on failure
	 */
	bool (*set_lkh)(mike_db_t *this, char *group, chunk_t lkh);

	/**
	 * The group's LKH tree.
	 *
	 * @param group		group name
	 * @param lkh		receives the blob, allocated (empty if none), wipe
	 *					with chunk_clear()
	 * @return			FALSE on failure
	 */
	bool (*get_lkh)(mike_db_t *this, char *group, chunk_t *lkh);

	/**
	 * Store (insert or replace by node number) nodes of the group's LKH
	 * tree, and the tree's counters (mike_lkh_t.get_counters()).
	 *
	 * @param group		group name
	 * @param nodes		enumerator over mike_lkh_node_t*, consumed, not
	 *					destroyed
	 * @param next_id	the tree's next Key ID
	 * @param next_num	the tree's next node number
	 * @return			FALSE on failure
	 */
	bool (*put_lkh_nodes)(mike_db_t *this, char *group, enumerator_t *nodes,
						  uint32_t next_id, uint32_t next_num);

	/**
	 * Remove all nodes and the counters of the group's LKH tree (before a
	 * new tree is stored).
	 *
	 * @param group		group name
	 * @return			FALSE on failure
	 */
	bool (*clear_lkh_nodes)(mike_db_t *this, char *group);

	/**
	 * The nodes of the group's LKH tree, for mike_lkh_load_nodes().
	 *
	 * @param group		group name
	 * @param next_id	receives the tree's next Key ID, 0 if it has none
	 * @param next_num	receives the tree's next node number, 0 if none
	 * @return			list of mike_lkh_node_t (empty if the group has no
	 *					tree in nodes), NULL on failure
	 */
	linked_list_t *(*load_lkh_nodes)(mike_db_t *this, char *group,
									 uint32_t *next_id, uint32_t *next_num);

	/**
	 * Store the public key the group's GSA_REKEY messages are signed with
	 * (DER SubjectPublicKeyInfo), so that a restarted GCKS finds the
	 * private key to sign with again.
	 *
	 * @param group		group name
	 * @param spki		public key, empty to clear
	 * @return			FALSE on failure
	 */
	bool (*set_signer)(mike_db_t *this, char *group, chunk_t spki);

	/**
	 * The public key the group's GSA_REKEY messages are signed with.
	 *
	 * @param group		group name
	 * @param spki		receives it, allocated (empty if none)
	 * @return			FALSE on failure
	 */
	bool (*get_signer)(mike_db_t *this, char *group, chunk_t *spki);

	/**
	 * Store the identities expelled from the group, as a list of strings
	 * (opaque here).
	 *
	 * @param group		group name
	 * @param expelled	the list, empty to clear
	 * @return			FALSE on failure
	 */
	bool (*set_expelled)(mike_db_t *this, char *group, chunk_t expelled);

	/**
	 * The identities expelled from the group.
	 *
	 * @param group		group name
	 * @param expelled	receives the list, allocated (empty if none)
	 * @return			FALSE on failure
	 */
	bool (*get_expelled)(mike_db_t *this, char *group, chunk_t *expelled);

	/**
	 * Whether the store has state for a group.
	 *
	 * @param group		group name
	 * @param exists	receives whether it has
	 * @return			FALSE on failure
	 */
	bool (*has_group)(mike_db_t *this, char *group, bool *exists);

	/**
	 * Forget a group's keys, TEKs, members, LKH tree, signer and expelled
	 * identities.  Its
	 * Message ID high-water mark and used SPIs are kept, so a group of the
	 * same name never reuses them.
	 *
	 * @param group		group name
	 * @return			FALSE on failure
	 */
	bool (*clear_group)(mike_db_t *this, char *group);

	/**
	 * Hold the store for several calls that must see one state (a group's
	 * restore), as a transaction does; recursive, a transaction may be
	 * started meanwhile.
	 */
	void (*lock)(mike_db_t *this);

	/**
	 * Release the store held with lock().
	 */
	void (*unlock)(mike_db_t *this);

	/**
	 * Start a transaction, so that several updates (e.g. a rekey's new KEK,
	 * TEKs, members and tree) are stored all or nothing; other threads
	 * wait for its end.  Not nestable.
	 *
	 * @return			FALSE on failure (or if one is open)
	 */
	bool (*begin)(mike_db_t *this);

	/**
	 * Commit the transaction begin() started.
	 *
	 * @return			FALSE on failure (then it is rolled back)
	 */
	bool (*commit)(mike_db_t *this);

	/**
	 * Roll back the transaction begin() started.
	 *
	 * @return			FALSE on failure
	 */
	bool (*rollback)(mike_db_t *this);

	/**
	 * Close the store.
	 */
	void (*destroy)(mike_db_t *this);
};

/**
 * Open (create if missing, with mode 0600) a store.
 *
 * A file of schema version 1 is converted to version 2 (docs/gcks-store.md).
 *
 * @param path		file path
 * @return			store, NULL if the file can not be created or opened,
 *					is not a database, is corrupt or has an unknown schema
 *					version
 */
mike_db_t *mike_db_create(char *path);

#endif /** MIKE_DB_H_ @}*/
