/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_tek mike_tek
 * @{ @ingroup mike
 */

#ifndef MIKE_TEK_H_
#define MIKE_TEK_H_

#include <library.h>
#include <crypto/proposal/proposal.h>
#include <utils/identification.h>

typedef struct mike_tek_t mike_tek_t;

/**
 * A traffic encryption key: the keys and parameters of one data-security
 * SA of a group.  Each sender has its own, so that SPIs, GCM/CTR nonces and
 * replay windows are never shared between senders (Linux looks SAs up by
 * destination and SPI only).
 */
struct mike_tek_t {

	/** SPI chosen by the GCKS, unique for the group address */
	uint32_t spi;

	/** encryption algorithm (IKEv2 transform ID) */
	uint16_t enc_alg;

	/** encryption key size in bits, 0 if the algorithm has a fixed one */
	uint16_t enc_keylen;

	/** integrity algorithm, AUTH_UNDEFINED for AEADs */
	uint16_t int_alg;

	/** keying material: encryption key (with salt for AEAD/CTR) followed by
	 *  the integrity key, RFC 9838 3.4 / RFC 7296 2.17 */
	chunk_t keymat;

	/** lifetime in seconds */
	uint32_t lifetime;

	/** identity of the sender that uses this key, NULL if not known here */
	identification_t *sender;

	/** address the sender sends from (the source selector of its GSA
	 *  policy), NULL if not known; owned */
	host_t *source;

	/** the sender's SAM source ID (docs/sam-keys.md), 0 if none */
	uint32_t sam_source;

	/** the sender's SAM verification key (DER SubjectPublicKeyInfo), empty
	 *  if it presented none; owned */
	chunk_t sam_key;

	/** the sender's signed SAM bootstrap (docs/sam-bootstrap.md), opaque
	 *  here, empty if it presented none; owned */
	chunk_t sam_bootstrap;

	/**
	 * The encryption key part of keymat.
	 */
	chunk_t (*get_enc_key)(mike_tek_t *this);

	/**
	 * The integrity key part of keymat (empty for AEADs).
	 */
	chunk_t (*get_int_key)(mike_tek_t *this);

	/**
	 * Destroy the TEK, wiping its keys.
	 */
	void (*destroy)(mike_tek_t *this);
};

/**
 * The sizes of the keys an ESP proposal needs, in bytes.
 *
 * @param proposal	ESP proposal, its first algorithms are used
 * @param enc_alg	encryption algorithm
 * @param enc_keylen	key length attribute in bits (0 if none)
 * @param enc_size	bytes of encryption key incl. salt
 * @param int_alg	integrity algorithm, AUTH_UNDEFINED if none
 * @param int_size	bytes of integrity key
 * @return			FALSE if the proposal has no usable algorithms
 */
bool mike_tek_key_sizes(proposal_t *proposal, uint16_t *enc_alg,
						uint16_t *enc_keylen, size_t *enc_size,
						uint16_t *int_alg, size_t *int_size);

/**
 * Generate a fresh TEK for a proposal with keys from a strong RNG.
 *
 * @param proposal	ESP proposal
 * @param spi		SPI chosen for it
 * @param lifetime	lifetime in seconds
 * @param sender	sender identity (cloned), NULL for none
 * @return			TEK, NULL if the proposal is unusable or the RNG failed
 */
mike_tek_t *mike_tek_generate(proposal_t *proposal, uint32_t spi,
							  uint32_t lifetime, identification_t *sender);

/**
 * Create a TEK from received parameters.
 *
 * @param spi		SPI
 * @param enc_alg	encryption algorithm
 * @param enc_keylen	key length in bits, 0 if none
 * @param int_alg	integrity algorithm, AUTH_UNDEFINED if none
 * @param keymat	keying material (cloned); its size must match
 * @param lifetime	lifetime in seconds
 * @return			TEK, NULL if the keying material has the wrong size
 */
mike_tek_t *mike_tek_create(uint32_t spi, uint16_t enc_alg,
							uint16_t enc_keylen, uint16_t int_alg,
							chunk_t keymat, uint32_t lifetime);

/**
 * Bits of a counter-mode TEK's IV that carry a sender's Sender-ID
 * (GWP_SENDER_ID_BITS, RFC 9838 2.5 and 4.4.3.1.2; RFC 6054 3 suggests 8
 * to 16)
 */
#define MIKE_SENDER_ID_BITS 16

/**
 * The most Sender-IDs a sender gets at one registration, whatever it asks
 * for in N(GROUP_SENDER) (RFC 9838 2.5.1: a policy-defined bound)
 */
#define MIKE_MAX_SENDER_IDS 4

/**
 * Whether a TEK's cipher is a counter mode (GCM, CCM, CTR, ChaCha20,
 * GMAC), for which RFC 9838 2.5 has the GCKS hand out Sender-IDs.
 */
bool mike_tek_counter_mode(mike_tek_t *tek);

#endif /** MIKE_TEK_H_ @}*/
