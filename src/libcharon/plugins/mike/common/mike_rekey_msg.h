/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_rekey_msg mike_rekey_msg
 * @{ @ingroup mike
 *
 * Codec of the G-IKEv2 GSA_REKEY message (RFC 9838 section 2.4.1):
 *
 *   HDR(rekey SPI, GSA_REKEY), SK{ inner payloads..., AUTH }
 *
 * The message is encrypted with the KEK's AEAD, the rekey SA suite's
 * AES-GCM or AES-CCM (RFC 5282, mike_rekey_suite.h), and signed by the GCKS with an RFC 7427 Digital Signature
 * AUTH payload computed over the A|P chunks of RFC 9838 2.4.1.1.  charon's
 * message_t has no rules for exchange type 41, so this module encodes and
 * decodes the whole datagram itself.  IKE fragmentation is not supported.
 *
 * The module does not log: the parser returns a distinct status per reason
 * of rejection (see mike_rekey_status_str()) for the caller to count and
 * log.  The layout and the checks are documented in docs/g-ikev2-rekey.md.
 */

#ifndef MIKE_REKEY_MSG_H_
#define MIKE_REKEY_MSG_H_

#include "common/mike_rekey_suite.h"

#include <library.h>
#include <credentials/keys/private_key.h>
#include <credentials/keys/public_key.h>
#include <credentials/keys/signature_params.h>
#include <encoding/payloads/payload.h>

typedef struct mike_rekey_payload_t mike_rekey_payload_t;
typedef struct mike_rekey_msg_t mike_rekey_msg_t;
typedef enum mike_rekey_status_t mike_rekey_status_t;

/** exchange type of GSA_REKEY */
#define MIKE_REKEY_EXCHANGE 41

/** size of the rekey SA's SPI, taking the place of SPIi | SPIr */
#define MIKE_REKEY_SPI_SIZE 16

/** IKEv2 authentication method "Digital Signature" (RFC 7427) */
#define MIKE_REKEY_AUTH_DS 14

/**
 * One inner payload of the Encrypted payload, as (type, body).
 */
struct mike_rekey_payload_t {

	/** payload type: GSA (51), KD (52), N (41) or D (42) */
	payload_type_t type;

	/** payload body, without the 4-byte generic payload header */
	chunk_t body;
};

/**
 * Result of mike_rekey_msg_parse(), one value per reason of rejection.
 */
enum mike_rekey_status_t {
	/** the message is authentic and new */
	MIKE_REKEY_OK = 0,
	/** truncated, or a length field does not match the datagram */
	MIKE_REKEY_ERR_TRUNCATED,
	/** not a GSA_REKEY: IKE version, exchange type, flags or first
	 *  payload (must be SK) */
	MIKE_REKEY_ERR_HEADER,
	/** the SPI is not the one of our rekey SA */
	MIKE_REKEY_ERR_SPI,
	/** ICV check failed: altered, or encrypted with another KEK */
	MIKE_REKEY_ERR_ICV,
	/** decrypted inner payloads malformed: padding, lengths, N/D bodies,
	 *  no payload besides AUTH, repeated GSA or KD */
	MIKE_REKEY_ERR_MALFORMED,
	/** an inner payload type other than GSA, KD, N, D and AUTH */
	MIKE_REKEY_ERR_PAYLOAD_TYPE,
	/** no AUTH payload */
	MIKE_REKEY_ERR_NO_AUTH,
	/** AUTH not the last inner payload, or more than one */
	MIKE_REKEY_ERR_AUTH_NOT_LAST,
	/** AUTH method other than Digital Signature (14) */
	MIKE_REKEY_ERR_AUTH_METHOD,
	/** signature algorithm unknown, unfit for the GCKS key or not the
	 *  expected one */
	MIKE_REKEY_ERR_SIG_ALG,
	/** the Message ID is lower than the lowest acceptable one (replay) */
	MIKE_REKEY_ERR_REPLAY,
	/** the signature does not verify with the GCKS's key */
	MIKE_REKEY_ERR_SIGNATURE,
	/** local problem: bad arguments, AEAD unavailable, out of resources */
	MIKE_REKEY_ERR_INTERNAL,
	/** number of status values (for counter arrays) */
	MIKE_REKEY_STATUS_MAX,
};

/**
 * Human readable text of a status, e.g. "ICV check failed (altered or
 * wrong KEK)".
 *
 * @param status		status
 * @return				static string
 */
const char *mike_rekey_status_str(mike_rekey_status_t status);

/**
 * A received, verified GSA_REKEY message.
 */
struct mike_rekey_msg_t {

	/**
	 * The Message ID of the message.
	 *
	 * @return				Message ID
	 */
	uint32_t (*get_message_id)(mike_rekey_msg_t *this);

	/**
	 * The inner payloads, in the order received, without the AUTH payload.
	 *
	 * The bodies point into the decrypted message, valid until destroy().
	 *
	 * @param payloads		set to the array of payloads, internal
	 * @return				number of payloads (at least 1)
	 */
	int (*get_payloads)(mike_rekey_msg_t *this,
						mike_rekey_payload_t **payloads);

	/**
	 * The signature scheme of the AUTH payload.
	 *
	 * @return				scheme and parameters, internal
	 */
	signature_params_t *(*get_scheme)(mike_rekey_msg_t *this);

	/**
	 * Destroy the message, wiping the decrypted payloads.
	 */
	void (*destroy)(mike_rekey_msg_t *this);
};

/**
 * Build a GSA_REKEY message, with a random IV.
 *
 * The inner payloads are encoded in the given order (the first one is the
 * SK payload's Next Payload), followed by an AUTH payload with an RFC 7427
 * signature over A|P (RFC 9838 2.4.1.1); then they are encrypted into the
 * Encrypted payload with the KEK.  The flags are Initiator set, Response
 * clear.  Allowed inner payload types are GSA, KD (each at most once),
 * Notify and Delete.
 *
 * The same message can be sent several times; it must not be rebuilt with
 * the same Message ID (the GCKS increments it per message).
 *
 * @param spi			rekey SA SPI, MIKE_REKEY_SPI_SIZE bytes
 * @param msg_id		Message ID
 * @param payloads		inner payloads (at least one, no AUTH)
 * @param count			number of inner payloads
 * @param suite			the rekey SA's algorithms
 * @param gsk_e			KEK's GSK_e (mike_rekey_suite_gsk_e())
 * @param key			GCKS's signing key
 * @param scheme		signature scheme for key (RFC 7427); for RSA-PSS
 *						the salt length must be resolved
 * @param msg			allocated datagram (not including the non-ESP
 *						marker of port 4500)
 * @return				TRUE if built
 */
bool mike_rekey_msg_build(chunk_t spi, uint32_t msg_id,
						  mike_rekey_payload_t *payloads, int count,
						  const mike_rekey_suite_t *suite, chunk_t gsk_e,
						  private_key_t *key, signature_params_t *scheme,
						  chunk_t *msg);

/**
 * Build a GSA_REKEY message with the given IV.
 *
 * For test vectors only: an IV must never be used twice with one KEK.
 *
 * @param iv			IV, MIKE_REKEY_IV_SIZE bytes
 * @see mike_rekey_msg_build() for the other parameters
 */
bool mike_rekey_msg_build_iv(chunk_t spi, uint32_t msg_id,
							 mike_rekey_payload_t *payloads, int count,
							 const mike_rekey_suite_t *suite, chunk_t gsk_e,
							 private_key_t *key, signature_params_t *scheme,
							 chunk_t iv, chunk_t *msg);

/**
 * Parse and verify a received GSA_REKEY datagram.
 *
 * Checks, in this order: the header (length, version, exchange, flags,
 * SK first), the SPI, the ICV (decryption with the KEK), the inner payload
 * chain, the AUTH method and signature algorithm, the Message ID, and the
 * signature over A|P.  The caller accepts the message (and raises its
 * lowest acceptable Message ID to the message's + 1) only on MIKE_REKEY_OK.
 *
 * The lowest acceptable Message ID is the GSA_INITIAL_MESSAGE_ID (0 if
 * none was sent) until a message of the rekey SA was accepted, then the
 * last accepted Message ID + 1 (2^32 after 0xffffffff: nothing is accepted
 * any more).
 *
 * @param data			received datagram (without a non-ESP marker)
 * @param spi			our rekey SA's SPI, MIKE_REKEY_SPI_SIZE bytes
 * @param suite			the rekey SA's algorithms
 * @param gsk_e			KEK's GSK_e (mike_rekey_suite_gsk_e())
 * @param key			GCKS's public key (AUTH_KEY)
 * @param expected		expected signature scheme (the GCAUTH transform's
 *						Signature Algorithm Identifier), NULL for any
 *						scheme fit for key
 * @param min_msg_id	lowest acceptable Message ID
 * @param msg			on MIKE_REKEY_OK, the message
 * @return				MIKE_REKEY_OK or the reason of rejection
 */
mike_rekey_status_t mike_rekey_msg_parse(chunk_t data, chunk_t spi,
										 const mike_rekey_suite_t *suite,
										 chunk_t gsk_e, public_key_t *key,
										 signature_params_t *expected,
										 uint64_t min_msg_id,
										 mike_rekey_msg_t **msg);

#endif /** MIKE_REKEY_MSG_H_ @}*/
