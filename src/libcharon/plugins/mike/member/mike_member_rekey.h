/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_member_rekey mike_member_rekey
 * @{ @ingroup mike_member
 */

#ifndef MIKE_MEMBER_REKEY_H_
#define MIKE_MEMBER_REKEY_H_

#include "member/mike_member_group.h"
#include "common/mike_rekey_socket.h"
#include "payloads/gsa_payload.h"
#include "payloads/kd_payload.h"

typedef struct mike_member_rekey_t mike_member_rekey_t;
typedef struct mike_member_registrar_t mike_member_registrar_t;

/**
 * What the member's rekeying needs from its registration (the member
 * listener implements it).
 */
struct mike_member_registrar_t {

	/**
	 * Register a group again over its IKE SA (an INFORMATIONAL exchange,
	 * after a missed rekey), without waiting.  Not called with a group
	 * checked out.
	 *
	 * @param ike_sa_id	unique ID of the IKE SA
	 * @param name		group name
	 * @return			TRUE if the exchange was started
	 */
	bool (*register_over)(mike_member_registrar_t *this, uint32_t ike_sa_id,
						  char *name);
};

/**
 * The member's receiving side of rekeying: GSA_REKEY messages verified and
 * applied without loss (new inbound SAs at once, its own new TEK after the
 * activation delay, old SAs removed after the deactivation delay), and
 * registering again when keys are about to expire or a rekey was missed.
 * start(), apply() and stop() are called with a registered member group
 * checked out.
 */
struct mike_member_rekey_t {

	/**
	 * Listen for a registered group's GSA_REKEY messages (if the GCKS
	 * named a rekey address) and watch its TEKs' expiry.
	 *
	 * @param group		the group
	 */
	void (*start)(mike_member_rekey_t *this, mike_member_group_t *group);

	/**
	 * Take a group's new GSA without loss, as from a GSA_REKEY (a
	 * registration over the same IKE SA, or a GSA pushed over it).
	 *
	 * @param group		the registered group
	 * @param gsa		GSA payload
	 * @param kd		KD payload
	 * @param gsk_w		key wrap key the keys are wrapped with
	 * @return			TRUE if applied, FALSE if not (logged)
	 */
	bool (*apply)(mike_member_rekey_t *this, mike_member_group_t *group,
				  gsa_payload_t *gsa, kd_payload_t *kd, chunk_t gsk_w);

	/**
	 * A datagram arrived on a rekey port: find the group by the rekey SA's
	 * SPI, verify the message and apply it.  Called without a group
	 * checked out (the rekey socket calls it).
	 *
	 * @param data		the datagram
	 * @param from		its sender
	 */
	void (*receive)(mike_member_rekey_t *this, chunk_t data, host_t *from);

	/**
	 * Stop listening for a group's GSA_REKEY messages.
	 *
	 * @param group		the group
	 */
	void (*stop)(mike_member_rekey_t *this, mike_member_group_t *group);

	/**
	 * Destroy the object.
	 */
	void (*destroy)(mike_member_rekey_t *this);
};

/**
 * Create the member's rekeying, with its rekey socket (members receive
 * GSA_REKEY messages outside charon's IKE sockets).
 *
 * @param groups	the group store
 * @param registrar	registration again over an IKE SA
 * @return			rekeying
 */
mike_member_rekey_t *mike_member_rekey_create(mike_groups_t *groups,
								mike_member_registrar_t *registrar);

#endif /** MIKE_MEMBER_REKEY_H_ @}*/
