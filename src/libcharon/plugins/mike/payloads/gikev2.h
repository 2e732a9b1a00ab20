/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup gikev2 gikev2
 * @{ @ingroup mike
 *
 * Numbers of G-IKEv2 (RFC 9838).  The draft left several of them "TBA";
 * the values here are the ones IANA assigned (see docs/g-ikev2-payloads.md).
 */

#ifndef GIKEV2_H_
#define GIKEV2_H_

#include <encoding/payloads/payload.h>
#include <encoding/payloads/notify_payload.h>

/**
 * Payload types (IKEv2 Payload Types registry).
 */
#define GIKEV2_PL_IDG	((payload_type_t)50)
#define GIKEV2_PL_GSA	((payload_type_t)51)
#define GIKEV2_PL_KD	((payload_type_t)52)

/**
 * Security protocol identifiers as used in GSA policies and key bags.
 * Zero marks the GW policy and the member key bag.
 */
enum gikev2_protocol_t {
	GIKEV2_PROTO_NONE = 0,
	GIKEV2_PROTO_AH = 2,
	GIKEV2_PROTO_ESP = 3,
	GIKEV2_PROTO_GIKE_UPDATE = 6,
};

/**
 * Notify message types of G-IKEv2 (IKEv2 Notify Message Types registry).
 */
#define GIKEV2_NOTIFY_INVALID_GROUP_ID		((notify_type_t)45)
#define GIKEV2_NOTIFY_AUTHORIZATION_FAILED	((notify_type_t)46)
/** RFC 9838 4.7.3: a registration failed for reasons not of this member */
#define GIKEV2_NOTIFY_REGISTRATION_FAILED	((notify_type_t)49)
#define GIKEV2_NOTIFY_GROUP_SENDER			((notify_type_t)16429)
/** private-use status notify (docs/sam-keys.md): a sender's SAM
 *  verification key, with its registration request */
#define GIKEV2_NOTIFY_MIKE_SAM_KEY			((notify_type_t)40960)
/** private-use status notify (docs/sam-keys.md): a sender's signed SAM
 *  bootstrap (libsam, docs/sam-bootstrap.md), with its registration */
#define GIKEV2_NOTIFY_MIKE_SAM_BOOTSTRAP	((notify_type_t)40961)

/** SPI sizes per protocol */
#define GIKEV2_SPI_SIZE_IPSEC		4
#define GIKEV2_SPI_SIZE_GIKE_UPDATE	16

/**
 * Transform types (Transform Type Values registry).
 */
enum gikev2_transform_type_t {
	GIKEV2_TRANSFORM_ENCR = 1,
	GIKEV2_TRANSFORM_INTEG = 3,
	GIKEV2_TRANSFORM_SN = 5,
	GIKEV2_TRANSFORM_KWA = 13,
	GIKEV2_TRANSFORM_GCAUTH = 14,
};

/**
 * Transform attribute types.
 */
enum gikev2_transform_attr_t {
	GIKEV2_TATTR_KEY_LENGTH = 14,
	GIKEV2_TATTR_SIG_ALG_ID = 18,
};

/** Sequence Numbers transform IDs */
enum gikev2_sn_t {
	GIKEV2_SN_32BIT_SEQUENTIAL = 0,
	GIKEV2_SN_64BIT_PARTIAL = 1,
	GIKEV2_SN_32BIT_UNSPECIFIED = 2,
};

/** Key Wrap Algorithm transform IDs */
enum gikev2_kwa_t {
	GIKEV2_KWA_5649_128 = 1,
	GIKEV2_KWA_5649_192 = 2,
	GIKEV2_KWA_5649_256 = 3,
	GIKEV2_KWA_ARX = 4,
};

/** Group Controller Authentication Method transform IDs */
enum gikev2_gcauth_t {
	GIKEV2_GCAUTH_IMPLICIT = 1,
	GIKEV2_GCAUTH_DIGITAL_SIGNATURE = 2,
};

/** GSA attributes (GSA policy substructure) */
enum gikev2_gsa_attr_t {
	GIKEV2_GSA_KEY_LIFETIME = 1,
	GIKEV2_GSA_INITIAL_MESSAGE_ID = 2,
	GIKEV2_GSA_NEXT_SPI = 3,
	/** the highest type the registry assigns */
	GIKEV2_GSA_ASSIGNED = 3,
	/** private use (docs/sam-keys.md): the group's SAM session and scheme,
	 *  in the rekey SA's policy */
	GIKEV2_GSA_MIKE_SAM_SESSION = 16384,
	/** private use: a sender's SAM source ID and verification key, in the
	 *  policy of its data SA */
	GIKEV2_GSA_MIKE_SAM_SOURCE = 16385,
	/** private use: a sender's signed SAM bootstrap, in the policy of its
	 *  data SA next to MIKE_SAM_SOURCE */
	GIKEV2_GSA_MIKE_SAM_BOOTSTRAP = 16386,
};

/** Group-wide policy attributes (GW policy substructure) */
enum gikev2_gwp_attr_t {
	GIKEV2_GWP_ATD = 1,
	GIKEV2_GWP_DTD = 2,
	GIKEV2_GWP_SENDER_ID_BITS = 3,
	GIKEV2_GWP_ASSIGNED = 3,
};

/** Group key bag attributes */
enum gikev2_gkb_attr_t {
	GIKEV2_GKB_SA_KEY = 1,
	GIKEV2_GKB_ASSIGNED = 1,
};

/** Member key bag attributes */
enum gikev2_mkb_attr_t {
	GIKEV2_MKB_WRAP_KEY = 1,
	GIKEV2_MKB_AUTH_KEY = 2,
	GIKEV2_MKB_GM_SENDER_ID = 3,
	GIKEV2_MKB_ASSIGNED = 3,
};

/** Substructure header size (protocol, SPI size/reserved, length) */
#define GIKEV2_SUBSTRUCT_HEADER	4

/** Generic payload header size */
#define GIKEV2_PAYLOAD_HEADER	4

#endif /** GIKEV2_H_ @}*/
