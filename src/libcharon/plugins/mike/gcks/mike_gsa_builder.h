/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_gsa_builder mike_gsa_builder
 * @{ @ingroup mike_gcks
 *
 * The group SA as G-IKEv2 payloads: the GCKS turns its keys into a GSA
 * payload (policies) and a KD payload (wrapped keys); a member turns them
 * back into TEKs and a KEK (mike_gsa_applier).
 */

#ifndef MIKE_GSA_BUILDER_H_
#define MIKE_GSA_BUILDER_H_

#include "gcks/mike_gcks_group.h"
#include "payloads/gsa_payload.h"
#include "payloads/kd_payload.h"

typedef struct mike_gsa_keys_t mike_gsa_keys_t;

/**
 * What a GSA carries besides the group's policies and their keys wrapped
 * with the default key wrap key.
 */
struct mike_gsa_keys_t {

	/** Key ID of the key tree key the rekey SA's key is wrapped with (after
	 *  a member left), 0 to wrap it with the default key wrap key */
	uint32_t kek_kwk_id;

	/** that key */
	chunk_t kek_kwk;

	/** key tree keys for the member key bag (WRAP_KEY), mike_lkh_wrapped_t,
	 *  NULL for none */
	linked_list_t *wrap_keys;

	/** Message ID of the next GSA_REKEY, announced at registration
	 *  (GSA_INITIAL_MESSAGE_ID), 0 to leave it out */
	uint32_t initial_msg_id;

	/** registration: add the retired TEKs senders may still use */
	bool retired;
	/** registration of a sender of counter-mode TEKs: how many Sender-IDs
	 *  it gets (GWP_SENDER_ID_BITS, GM_SENDER_ID), 0 for none */
	uint32_t sender_ids;
	/** the first of them, the others follow */
	uint32_t first_sender_id;

	/** a GSA_REKEY: without the GCAUTH transform and AUTH_KEY, which RFC
	 *  9838 allows at registration only (4.4.2.1, 5) */
	bool rekey;

	/** a GSA_REKEY after a join: of the TEKs only new_tek (RFC 9838 2.4.1
	 *  lets a GSA_REKEY carry only what changed; members add its TEKs to
	 *  theirs), so that a join costs the same in a group of many senders */
	bool changes_only;
	/** with changes_only: the newcomer's TEK, NULL if it sends nothing */
	mike_tek_t *new_tek;
};

/**
 * The GSA and KD payloads of a group, keys wrapped with gsk_w.
 *
 * @param group		the group, with its KEK and TEKs
 * @param gsk_w		default key wrap key
 * @param keys		key tree keys and more, NULL for none
 * @param gsa		the GSA payload
 * @param kd		the KD payload
 * @return			TRUE if built
 */
bool mike_gsa_build(mike_gcks_group_t *group, chunk_t gsk_w,
					mike_gsa_keys_t *keys, gsa_payload_t **gsa,
					kd_payload_t **kd);

#endif /** MIKE_GSA_BUILDER_H_ @}*/
