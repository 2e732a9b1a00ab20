/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_rekey_suite mike_rekey_suite
 * @{ @ingroup mike
 *
 * The algorithms of a rekey SA (RFC 9838 4.4.2.1): the AEAD of its GSA_REKEY
 * messages (ENCR) and the key wrap of the keys they carry (KWA), and how
 * its keying material splits into GSK_e | GSK_w (3.4; AEAD, so no GSK_a).
 *
 * A mike GCKS makes rekey SAs of the default suite, AES-GCM-16 with a
 * 256-bit key and KW_5649_256; a member follows any suite a GCKS names of
 * AES-GCM or AES-CCM (ICV 8, 12 or 16, 128, 192 or 256-bit keys) with
 * KW_5649_128, _192 or _256.  Non-AEAD rekey SAs (ENCR with INTEG) are
 * refused: RFC 9838 allows them, no known GCKS uses them.
 */

#ifndef MIKE_REKEY_SUITE_H_
#define MIKE_REKEY_SUITE_H_

#include "payloads/gsa_policy.h"

#include <crypto/aead.h>

typedef struct mike_rekey_suite_t mike_rekey_suite_t;

/** size of the explicit IV of AES-GCM and AES-CCM in IKEv2 (RFC 5282) */
#define MIKE_REKEY_IV_SIZE 8

/** the largest ICV of a suite (AES-GCM-16, AES-CCM-16) */
#define MIKE_REKEY_MAX_ICV_SIZE 16

/**
 * A rekey SA's algorithms; a plain value, compared with memeq().
 */
struct mike_rekey_suite_t {

	/** ENCR transform ID (an AES-GCM or AES-CCM variant) */
	uint16_t encr;

	/** ENCR key length in bits */
	uint16_t encr_bits;

	/** KWA transform ID (GIKEV2_KWA_5649_*) */
	uint16_t kwa;
};

/**
 * The suite of the rekey SAs a mike GCKS makes: AES-GCM-16-256, KW_5649_256.
 */
extern const mike_rekey_suite_t mike_rekey_suite_default;

/**
 * Read the suite of a KEK policy and check it is one members can follow.
 *
 * @param kek			KEK policy (protocol GIKE_UPDATE)
 * @param suite			the suite, on success
 * @return				NULL on success, or why not (static string)
 */
char *mike_rekey_suite_from_policy(gsa_policy_t *kek, mike_rekey_suite_t *suite);

/**
 * Size of the suite's keying material: GSK_e (key and salt) | GSK_w.
 */
size_t mike_rekey_suite_keymat_size(const mike_rekey_suite_t *suite);

/**
 * Size of the ICV of the suite's AEAD.
 */
size_t mike_rekey_suite_icv_size(const mike_rekey_suite_t *suite);

/**
 * GSK_e of keying material of the suite (key and salt of the AEAD).
 *
 * @return				a part of keymat, empty if keymat is too short
 */
chunk_t mike_rekey_suite_gsk_e(const mike_rekey_suite_t *suite, chunk_t keymat);

/**
 * GSK_w of keying material of the suite (the key wrap key).
 *
 * @return				a part of keymat, empty if keymat is too short
 */
chunk_t mike_rekey_suite_gsk_w(const mike_rekey_suite_t *suite, chunk_t keymat);

/**
 * Create the suite's AEAD, keyed with GSK_e.
 *
 * @param gsk_e			key and salt
 * @return				AEAD, NULL if unavailable or gsk_e has the wrong size
 */
aead_t *mike_rekey_suite_create_aead(const mike_rekey_suite_t *suite,
									 chunk_t gsk_e);

/**
 * Human readable name, e.g. "AES-GCM-16-256 with KW_5649_256".
 *
 * @param buf			buffer for the name
 * @param len			its size (48 is always enough)
 * @return				buf
 */
char *mike_rekey_suite_name(const mike_rekey_suite_t *suite, char *buf,
							size_t len);

#endif /** MIKE_REKEY_SUITE_H_ @}*/
