/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_rekey mike_rekey
 * @{ @ingroup mike
 */

#ifndef MIKE_REKEY_H_
#define MIKE_REKEY_H_

#include "mike_groups.h"
#include "mike_registrar.h"
#include "mike_settings.h"
#include "payloads/gsa_payload.h"
#include "payloads/kd_payload.h"

typedef struct mike_rekey_t mike_rekey_t;

/**
 * Periodic TEK rollover with signed GSA_REKEY messages over multicast
 * (RFC 9838 4.4), for groups with a rekey_address.
 *
 * GCKS: every tek_rekey_time a group's senders get fresh TEKs with fresh
 * SPIs; the GSA and KD (keys wrapped with the KEK's GSK_w) go out in a
 * GSA_REKEY message encrypted with the KEK and signed with the GCKS's key,
 * several times over.
 *
 * Member: a GSA_REKEY for one of its groups is checked (KEK, signature,
 * Message ID) and applied without loss: inbound SAs of new TEKs go in at
 * once, a sender moves its out policy to its new TEK after the activation
 * delay, old SAs go after the deactivation delay.
 */
struct mike_rekey_t {

	/**
	 * GCKS: start rolling a group's TEKs over (once it has a KEK and a
	 * signing key); member: listen for the group's GSA_REKEY messages (once
	 * registered).  Nothing for groups without a rekey_address.  Called
	 * with the group store locked.
	 *
	 * @param group		the group
	 */
	void (*start)(mike_rekey_t *this, mike_group_t *group);

	/**
	 * GCKS: a member joined (the new member is in the group already, its
	 * GSA not yet built).  The others get the group's GSA with the new
	 * sender's TEK and the key tree keys they need; with rekey_on_join the
	 * KEK and TEKs are replaced first.  Called with the group store locked.
	 *
	 * @param group		the group
	 * @param wrap_keys	key tree keys for the others, mike_lkh_wrapped_t
	 */
	void (*joined)(mike_rekey_t *this, mike_group_t *group,
				   linked_list_t *wrap_keys);

	/**
	 * GCKS: the group's TEKs changed without a change of keys for anybody
	 * else (a sender got a fresh TEK, or lost its TEK): the members get
	 * the group's GSA under the current KEK.  Called with the group store
	 * locked.
	 *
	 * @param group		the group
	 * @param skip		a member that gets the GSA otherwise (unicast), or
	 *					NULL
	 * @param why		for the log
	 */
	void (*announce)(mike_rekey_t *this, mike_group_t *group,
					 mike_group_member_t *skip, char *why);

	/**
	 * GCKS: a member left or was expelled (it is out of the group already).
	 * Forward access control: a GSA_REKEY under the current KEK carries a
	 * new KEK wrapped under the key tree's new root, a second one under the
	 * new KEK new TEKs.  Called with the group store locked.
	 *
	 * @param group		the group
	 * @param wrap_keys	the key tree's rekey set, mike_lkh_wrapped_t, NULL
	 *					if the tree failed
	 */
	void (*left)(mike_rekey_t *this, mike_group_t *group,
				 linked_list_t *wrap_keys);

	/**
	 * Member: take a group's new GSA without loss, as from a GSA_REKEY (a
	 * registration over the same IKE SA after a missed rekey).  Called with
	 * the group store locked.
	 *
	 * @param group		the registered group
	 * @param gsa		GSA payload
	 * @param kd		KD payload
	 * @param gsk_w		key wrap key the keys are wrapped with
	 * @return			NULL if applied, otherwise why not
	 */
	char *(*apply)(mike_rekey_t *this, mike_group_t *group,
				   gsa_payload_t *gsa, kd_payload_t *kd, chunk_t gsk_w);

	/**
	 * Member: stop listening for a group's GSA_REKEY messages.  Called with
	 * the group store locked.
	 *
	 * @param group		the group
	 */
	void (*stop)(mike_rekey_t *this, mike_group_t *group);

	/**
	 * Destroy the object.
	 */
	void (*destroy)(mike_rekey_t *this);
};

/**
 * Create the rekey logic.
 *
 * @param groups	the group store
 * @param settings	the plugin's options (retransmissions, TTL)
 * @param registrar	registration, to push GSAs, register again and drop
 *					dormant members with
 * @return			object
 */
mike_rekey_t *mike_rekey_create(mike_groups_t *groups,
								mike_settings_t *settings,
								mike_registrar_t *registrar);

#endif /** MIKE_REKEY_H_ @}*/
