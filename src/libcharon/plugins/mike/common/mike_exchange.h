/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_exchange mike_exchange
 * @{ @ingroup mike
 *
 * G-IKEv2 in charon's IKEv2 messages, for both roles: the payloads charon
 * does not know (it keeps them as unknown_payload_t), the IDg naming a
 * group, and the default key wrap key of an IKE SA.
 */

#ifndef MIKE_EXCHANGE_H_
#define MIKE_EXCHANGE_H_

#include "payloads/gikev2.h"
#include "payloads/idg_payload.h"

#include <sa/ike_sa.h>
#include <encoding/message.h>

/**
 * The first G-IKEv2 payload of a type in a message, unparsed.
 *
 * @param message	the message
 * @param type		G-IKEv2 payload type (GIKEV2_PL_*)
 * @return			the payload as charon keeps it, NULL if none
 */
payload_t *mike_exchange_find(message_t *message, payload_type_t type);

/**
 * The first G-IKEv2 payload of a type in a message, parsed.
 *
 * @param message	the message
 * @param type		G-IKEv2 payload type (GIKEV2_PL_*)
 * @param malformed	set to TRUE if there is one but it does not parse
 *					(logged), NULL if not wanted
 * @return			the parsed payload (destroy it), NULL if none
 */
payload_t *mike_exchange_get(message_t *message, payload_type_t type,
							 bool *malformed);

/**
 * The IDg payload naming a group.
 *
 * @param name		group name
 * @return			the payload, NULL on failure
 */
idg_payload_t *mike_exchange_idg(char *name);

/**
 * The name of the group an IDg payload names.
 *
 * @param idg		the payload
 * @param buf		receives the name
 * @param len		size of buf
 * @return			FALSE if it cannot be a group name of ours
 *					(unprintable, or too long)
 */
bool mike_exchange_idg_name(idg_payload_t *idg, char *buf, size_t len);

/**
 * The default key wrap key of an IKE SA (RFC 9838 3.1.1), derived from its
 * SK_d.
 *
 * @param ike_sa	an IKEv2 SA
 * @param gsk_w		receives the key (wipe it after use)
 * @return			FALSE if the IKE SA has none
 */
bool mike_exchange_gsk_w(ike_sa_t *ike_sa, chunk_t *gsk_w);

#endif /** MIKE_EXCHANGE_H_ @}*/
