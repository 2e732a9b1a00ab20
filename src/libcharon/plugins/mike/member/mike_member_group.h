/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_member_group mike_member_group
 * @{ @ingroup mike_member
 */

#ifndef MIKE_MEMBER_GROUP_H_
#define MIKE_MEMBER_GROUP_H_

#include "group/mike_groups.h"
#include "group/mike_kernel.h"
#include "common/mike_rekey_msg.h"
#include "common/mike_rekey_reassembly.h"

typedef struct mike_member_group_t mike_member_group_t;

/**
 * A group on a member: the GSA received and, beside it, the registration
 * (IKE SA, address, when), the SAs and policies installed, the Working Key
 * Path in the GCKS's key tree and the counters of GSA_REKEY messages.
 * From its creation to its destruction the group's fail-close policies are
 * installed (unless fail_close = no).
 *
 * Not thread-safe: the group store serializes access.
 */
struct mike_member_group_t {

	/**
	 * Implements mike_group_t.
	 */
	mike_group_t group;

	/**
	 * An object to install the group's SAs with, sharing the group's reqid
	 * and fail-close policies.
	 *
	 * @return			the object, NULL if the group has no reqid
	 */
	mike_kernel_t *(*create_kernel)(mike_member_group_t *this);

	/**
	 * The key this member signs its SAM frames with, made on this host when
	 * the group was loaded; its public half goes to the GCKS at
	 * registration (docs/sam-keys.md).
	 *
	 * @return			key (internal), NULL if the group does not send or
	 *					its scheme does not sign
	 */
	private_key_t *(*get_sam_key)(mike_member_group_t *this);

	/**
	 * The signed SAM bootstrap a local sender published (control command
	 * sam-bootstrap), presented to the GCKS with each registration.
	 *
	 * @return			bootstrap (internal), empty if none
	 */
	chunk_t (*get_sam_bootstrap)(mike_member_group_t *this);

	/**
	 * Replace the SAM bootstrap.  Each new one costs the group a GSA_REKEY,
	 * so one comes at most every MIKE_SAM_CHANGE_INTERVAL seconds.
	 *
	 * @param bootstrap	bootstrap (cloned), at most MIKE_SAM_BOOTSTRAP_MAX
	 *					bytes
	 * @return			SUCCESS if replaced, ALREADY_DONE if it is the one held,
	 *					INVALID_STATE if the last came too recently
	 */
	status_t (*set_sam_bootstrap)(mike_member_group_t *this,
								  chunk_t bootstrap);

	/**
	 * Take a registration whose GSA was applied and installed.
	 *
	 * @param ike_sa_id	unique ID of the IKE SA registered over
	 * @param me		own address in it (cloned)
	 * @param kernel	the installed SAs and policies (owned)
	 * @param own_spi	SPI this member sends with, 0 if it does not
	 */
	void (*registered)(mike_member_group_t *this, uint32_t ike_sa_id,
					   host_t *me, mike_kernel_t *kernel, uint32_t own_spi);

	/**
	 * Forget the registration, removing installed SAs and keys (the
	 * fail-close policies stay).
	 */
	void (*unregister)(mike_member_group_t *this);

	/**
	 * The installed SAs and policies.
	 *
	 * @return			kernel object (internal), NULL if not registered
	 */
	mike_kernel_t *(*get_kernel)(mike_member_group_t *this);

	/**
	 * The IKE SA the group is registered over.
	 *
	 * @return			unique ID, 0 if not registered
	 */
	uint32_t (*get_ike_sa_id)(mike_member_group_t *this);

	/**
	 * Follow the registration to a new IKE SA (the old one was rekeyed).
	 *
	 * @param ike_sa_id	unique ID of the new IKE SA
	 */
	void (*move_to)(mike_member_group_t *this, uint32_t ike_sa_id);

	/**
	 * Own address in the registration IKE SA.
	 *
	 * @return			address (internal), NULL if not registered
	 */
	host_t *(*get_my_host)(mike_member_group_t *this);

	/**
	 * When the group was registered.
	 *
	 * @return			monotonic time, 0 if not registered
	 */
	time_t (*get_registered)(mike_member_group_t *this);

	/**
	 * The SPI this member sends with.
	 *
	 * @return			SPI, 0 if it does not send
	 */
	uint32_t (*get_own_spi)(mike_member_group_t *this);

	/**
	 * Send with another SPI (after a TEK rollover).
	 *
	 * @param spi		SPI
	 */
	void (*set_own_spi)(mike_member_group_t *this, uint32_t spi);

	/**
	 * Note that new keys came (registration or GSA_REKEY).
	 */
	void (*keys_updated)(mike_member_group_t *this);

	/**
	 * When new keys last came.
	 *
	 * @return			monotonic time, 0 if none yet
	 */
	time_t (*get_keys_updated)(mike_member_group_t *this);

	/**
	 * Enumerate the Working Key Path, leaf to root (RFC 9838 4.5.2).
	 *
	 * @return			enumerator over mike_lkh_key_t
	 */
	enumerator_t *(*create_key_path_enumerator)(mike_member_group_t *this);

	/**
	 * The number of keys in the Working Key Path.
	 *
	 * @return			number of keys
	 */
	int (*get_key_path_count)(mike_member_group_t *this);

	/**
	 * Replace the Working Key Path, wiping the old keys.
	 *
	 * @param path		keys, mike_lkh_key_t, leaf to root (owned)
	 */
	void (*set_key_path)(mike_member_group_t *this, linked_list_t *path);

	/**
	 * Where the GCKS sends GSA_REKEY messages (the destination of the
	 * rekey SA's selector).
	 *
	 * @return			address with port (internal), NULL for unicast
	 *					rekeying
	 */
	host_t *(*get_rekey_dst)(mike_member_group_t *this);

	/**
	 * Set where GSA_REKEY messages come to.
	 *
	 * @param dst		address with port (owned), NULL for unicast
	 */
	void (*set_rekey_dst)(mike_member_group_t *this, host_t *dst);

	/**
	 * The GCKS's activation and deactivation delays (GWP_ATD, GWP_DTD).
	 *
	 * @param atd		set to the activation delay in seconds, if given
	 * @param dtd		set to the deactivation delay in seconds, if given
	 * @return			TRUE if the GCKS sent both
	 */
	bool (*get_gw_delays)(mike_member_group_t *this, uint32_t *atd,
						  uint32_t *dtd);

	/**
	 * Set the GCKS's delays from the GW policy of a GSA.
	 *
	 * @param atd		activation delay in seconds, -1 if not sent
	 * @param dtd		deactivation delay in seconds, -1 if not sent
	 */
	void (*set_gw_delays)(mike_member_group_t *this, int atd, int dtd);

	/**
	 * Start a registration by itself (missed or stale keys), unless the
	 * last one started less than holdoff seconds ago.
	 *
	 * @param holdoff	seconds between two such registrations
	 * @return			TRUE if it is to register again now
	 */
	bool (*start_reregistration)(mike_member_group_t *this, u_int holdoff);

	/**
	 * How often the member registered again by itself.
	 *
	 * @return			number of registrations
	 */
	uint64_t (*get_reregistrations)(mike_member_group_t *this);

	/**
	 * Count a request of a local application for the group's SAM keys.
	 *
	 * @param granted	whether it got them
	 */
	void (*count_sam_request)(mike_member_group_t *this, bool granted);

	/**
	 * The number of requests for SAM keys granted or refused.
	 *
	 * @param granted	TRUE for the granted ones
	 * @return			number of requests
	 */
	uint64_t (*get_sam_requests)(mike_member_group_t *this, bool granted);

	/**
	 * Count a GSA_REKEY message rejected.
	 *
	 * @param reason	why it was rejected
	 */
	void (*count_rejected)(mike_member_group_t *this,
						   mike_rekey_status_t reason);

	/**
	 * The number of GSA_REKEY messages rejected for a reason.
	 *
	 * @param reason	reason
	 * @return			number of messages
	 */
	uint64_t (*get_rejected)(mike_member_group_t *this,
							 mike_rekey_status_t reason);

	/**
	 * The reassembly of the group's fragmented GSA_REKEY messages; the
	 * incomplete messages it gives up are counted and logged.
	 *
	 * @return			reassembly, internal
	 */
	mike_rekey_reassembly_t *(*get_reassembly)(mike_member_group_t *this);
};

/**
 * Create a member group and install its fail-close policies.
 *
 * @param cfg		configuration (role member), owned
 * @return			group
 */
mike_member_group_t *mike_member_group_create(mike_group_config_t *cfg);

/**
 * The member group a group of the store is.
 *
 * @param group		group, NULL for none
 * @return			the member group, NULL if it is a GCKS group (or NULL)
 */
mike_member_group_t *mike_member_group(mike_group_t *group);

/**
 * Create the factory of member groups.
 *
 * @return			factory
 */
mike_group_factory_t *mike_member_group_factory_create();

/**
 * Check a member group out of the store (check it in with
 * groups->checkin(groups, &group->group)).
 *
 * @param groups	the store
 * @param name		group name, NULL for none
 * @return			the group, NULL if there is no member group of that name
 */
mike_member_group_t *mike_member_group_checkout(mike_groups_t *groups,
												char *name);

/**
 * Enumerate the member groups of the store; each is checked out while it
 * is the current one.
 *
 * @param groups	the store
 * @return			enumerator over mike_member_group_t
 */
enumerator_t *mike_member_group_create_enumerator(mike_groups_t *groups);

#endif /** MIKE_MEMBER_GROUP_H_ @}*/
