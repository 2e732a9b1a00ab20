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
 * decodes the whole datagram itself.
 *
 * A message too large for one datagram is sent as IKE fragments (RFC 7383,
 * which RFC 9838 2.4.1.2 allows for GSA_REKEY): HDR(rekey SPI, GSA_REKEY),
 * SKF{ a piece of the inner payloads }, each fragment encrypted on its own
 * under the KEK.  The signature is computed over the whole message before
 * it is fragmented, and verified over the reassembled one (2.4.1.2);
 * mike_rekey_reassembly.h keeps the fragments until all are there.
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

/** payload type of the Encrypted Fragment payload SKF (RFC 7383 2.5) */
#define MIKE_REKEY_PL_SKF 53

/** most fragments of one GSA_REKEY mike builds or reassembles: 64 of the
 *  smallest sensible size (576-byte IPv4 datagrams) carry about 32 KB */
#define MIKE_REKEY_MAX_FRAGMENTS 64

/** the largest inner payloads P of a message, fragmented or not: the
 *  AdjustedPldLen of the signed data (RFC 9838 2.4.1.1), 4 + len(P), is a
 *  16-bit field */
#define MIKE_REKEY_MAX_P_LEN (0xffff - 4)

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
	/** a fragment (authentic for KEK holders) that does not fit: Fragment
	 *  Number 0 or above Total Fragments, Total Fragments above
	 *  MIKE_REKEY_MAX_FRAGMENTS or other than in the message's earlier
	 *  fragments, bad padding, or a message too large when reassembled */
	MIKE_REKEY_ERR_FRAGMENT,
	/** a fragment held already (a retransmission, usually) */
	MIKE_REKEY_ERR_FRAGMENT_DUPLICATE,
	/** the fragments of a message did not all come in time */
	MIKE_REKEY_ERR_FRAGMENT_TIMEOUT,
	/** the fragments of a message were dropped for those of a newer one,
	 *  too many messages being incomplete at once */
	MIKE_REKEY_ERR_FRAGMENT_EVICTED,
	/** not a rejection: a fragment was kept, its message is incomplete */
	MIKE_REKEY_INCOMPLETE,
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

/**
 * Build a GSA_REKEY message, fragmented if it is larger than max_len.
 *
 * The message is signed as mike_rekey_msg_build() signs it.  If it fits
 * into max_len bytes (or max_len is 0), the result is the one datagram
 * mike_rekey_msg_build() makes.  Else the inner payloads, AUTH included,
 * are cut into pieces, each sent as an IKE message of at most max_len
 * bytes with an Encrypted Fragment payload (RFC 7383 2.5), encrypted under
 * the KEK with an IV of its own; all fragments have the message's Message
 * ID.  Retransmissions must send the same datagrams again.
 *
 * @param max_len		largest IKE message (UDP payload) per datagram, 0 to
 *						never fragment
 * @param datagrams		allocated array of count allocated datagrams
 * @param count			number of datagrams; on failure the number of
 *						fragments the message would need (0 if unknown)
 * @return				FALSE if the message cannot be built, or would need
 *						more than MIKE_REKEY_MAX_FRAGMENTS fragments, or
 *						max_len leaves no room for content in a fragment
 * @see mike_rekey_msg_build() for the other parameters
 */
bool mike_rekey_msg_build_fragments(chunk_t spi, uint32_t msg_id,
									mike_rekey_payload_t *payloads, int count,
									const mike_rekey_suite_t *suite,
									chunk_t gsk_e, private_key_t *key,
									signature_params_t *scheme, size_t max_len,
									chunk_t **datagrams, int *fragments);

/**
 * Free the datagrams of mike_rekey_msg_build_fragments().
 *
 * @param datagrams		array of datagrams, may be NULL
 * @param count			their number
 */
void mike_rekey_msg_free_fragments(chunk_t *datagrams, int count);

/**
 * Whether a datagram is an IKE fragment (its first payload is SKF).
 *
 * @param data			received datagram
 * @return				TRUE if it is to be reassembled
 */
bool mike_rekey_msg_is_fragment(chunk_t data);

/**
 * One received fragment, decrypted and authenticated with the KEK.
 */
typedef struct {
	/** Message ID */
	uint32_t msg_id;
	/** Fragment Number, 1 to total */
	uint16_t number;
	/** Total Fragments, 1 to MIKE_REKEY_MAX_FRAGMENTS */
	uint16_t total;
	/** the first 28 bytes of the datagram (the IKE header), then the SKF
	 *  header's Next Payload and C | RESERVED: what the reassembled
	 *  message's A is made of (RFC 9838 2.4.1.2) */
	u_char header[30];
	/** decrypted content, without padding and Pad Length (allocated) */
	chunk_t content;
} mike_rekey_fragment_t;

/**
 * Check and decrypt a received fragment of a GSA_REKEY.
 *
 * Checks as mike_rekey_msg_parse() does the header, lengths, SPI and ICV
 * (the associated data is the IKE header and the SKF header, Fragment
 * Number and Total Fragments included, RFC 7383 2.5), then the Fragment
 * Number, Total Fragments and padding.  The Message ID is returned, not
 * checked.
 *
 * @param data			received datagram (without a non-ESP marker)
 * @param spi			our rekey SA's SPI, MIKE_REKEY_SPI_SIZE bytes
 * @param suite			the rekey SA's algorithms
 * @param gsk_e			KEK's GSK_e
 * @param fragment		on MIKE_REKEY_OK, the fragment, content owned by the
 *						caller (chunk_clear() it)
 * @return				MIKE_REKEY_OK or the reason of rejection
 */
mike_rekey_status_t mike_rekey_msg_open_fragment(chunk_t data, chunk_t spi,
										const mike_rekey_suite_t *suite,
										chunk_t gsk_e,
										mike_rekey_fragment_t *fragment);

/**
 * Verify a reassembled GSA_REKEY as mike_rekey_msg_parse() verifies an
 * unfragmented one: the inner payload chain, AUTH, the Message ID and the
 * signature over A | P, where A is the first fragment's IKE header with
 * Next Payload SK and an Encrypted payload header with the first fragment's
 * Next Payload and C | RESERVED (RFC 9838 2.4.1.2).
 *
 * @param first			header of the first fragment
 *						(mike_rekey_fragment_t.header)
 * @param p				the fragments' contents in order, taken over (wiped
 *						and freed in any case)
 * @param key			GCKS's public key
 * @param expected		expected signature scheme, NULL for any
 * @param min_msg_id	lowest acceptable Message ID
 * @param msg			on MIKE_REKEY_OK, the message
 * @return				MIKE_REKEY_OK or the reason of rejection
 */
mike_rekey_status_t mike_rekey_msg_parse_reassembled(u_char *first, chunk_t p,
										public_key_t *key,
										signature_params_t *expected,
										uint64_t min_msg_id,
										mike_rekey_msg_t **msg);

#endif /** MIKE_REKEY_MSG_H_ @}*/
