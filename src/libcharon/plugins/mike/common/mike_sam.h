/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_sam mike_sam
 * @{ @ingroup mike
 *
 * What the plugin knows of the Source Authentication Module (libsam): the
 * schemes by their frame format IDs, a group's session ID, and the
 * senders' verification keys as the G-IKEv2 payloads carry them
 * (docs/sam-keys.md).  The plugin does not link libsam.
 */

#ifndef MIKE_SAM_H_
#define MIKE_SAM_H_

#include <library.h>
#include <credentials/keys/private_key.h>

/** the schemes' IDs, as in the SAM frame header (docs/sam-frame-format.md) */
enum mike_sam_scheme_t {
	MIKE_SAM_HMAC_SHA256 = 1,
	MIKE_SAM_ED25519 = 2,
	MIKE_SAM_ECDSA_P256 = 3,
	MIKE_SAM_HYBRID = 4,
	MIKE_SAM_ED25519_OO = 5,
	MIKE_SAM_TREE = 6,
	/** TESLA: the Ed25519 key signs the sender's key-chain bootstrap */
	MIKE_SAM_TESLA = 7,
};

typedef enum mike_sam_scheme_t mike_sam_scheme_t;

/** size of the SAM session attribute: session ID, scheme, flags */
#define MIKE_SAM_SESSION_SIZE 6

/** flag of the SAM session attribute: applications encrypt the payloads
 *  under the group's data key */
#define MIKE_SAM_SESSION_ENCRYPT 0x01

/** size of a SAM data key (libsam's SAM_DATA_KEY_SIZE, AES-256-GCM) */
#define MIKE_SAM_DATA_KEY_SIZE 32

/** largest verification key accepted (an SPKI of P-256 is 91 bytes) */
#define MIKE_SAM_KEY_MAX 256

/** largest SAM bootstrap a sender may present (libsam's SAM_MAX_BOOTSTRAP,
 *  docs/sam-bootstrap.md); its content is libsam's to check */
#define MIKE_SAM_BOOTSTRAP_MAX 256

/** seconds a sender waits between changes of its SAM key or bootstrap:
 *  each change is a GSA_REKEY to the whole group */
#define MIKE_SAM_CHANGE_INTERVAL 10

/**
 * A scheme by its name (sam_scheme in the group configuration).
 *
 * @param name		name, as libsam's sam_scheme_name()
 * @param scheme	receives the scheme
 * @return			FALSE if unknown
 */
bool mike_sam_scheme_from_name(const char *name, mike_sam_scheme_t *scheme);

/**
 * Whether a scheme's senders sign with a key pair of their own (not a group
 * MAC secret).
 *
 * @param scheme	scheme
 * @return			TRUE for the signature schemes
 */
bool mike_sam_scheme_signs(mike_sam_scheme_t scheme);

/**
 * A group's SAM session ID: derived from its name, so that it is the same
 * after every restart of the GCKS and differs between its groups
 * (docs/sam-keys.md).
 *
 * @param group		group name
 * @return			session ID, never 0
 */
uint32_t mike_sam_session_id(const char *group);

/**
 * The group's SAM data key and its key ID, derived from the KEK's keying
 * material (docs/sam-keys.md), so that every member holding the KEK has it
 * and it changes whenever the KEK does.
 *
 * @param kek_keymat	the KEK's keying material
 * @param id			receives the key ID, never 0
 * @return				the key (MIKE_SAM_DATA_KEY_SIZE bytes, allocated), empty
 *						on failure
 */
chunk_t mike_sam_data_key(chunk_t kek_keymat, uint32_t *id);

/**
 * Generate a sender's signing key for a scheme.
 *
 * @param scheme	a signature scheme
 * @return			key, NULL on failure
 */
private_key_t *mike_sam_key_generate(mike_sam_scheme_t scheme);

/**
 * Check a verification key received for a scheme: a DER
 * SubjectPublicKeyInfo of the key type the scheme signs with, nothing
 * after it.
 *
 * @param scheme	scheme
 * @param spki		the key
 * @param why		receives why not, for the log
 * @return			TRUE if usable
 */
bool mike_sam_key_check(mike_sam_scheme_t scheme, chunk_t spki, char **why);

/**
 * The body of a SAM key (notify data, source attribute after its source
 * ID): scheme, a reserved byte, the SubjectPublicKeyInfo.
 *
 * @param scheme	scheme
 * @param spki		the key
 * @return			allocated body
 */
chunk_t mike_sam_key_encode(mike_sam_scheme_t scheme, chunk_t spki);

/**
 * Parse and check the body of a SAM key.
 *
 * @param body		body as received
 * @param scheme	the scheme it must have
 * @param spki		receives the key (points into body)
 * @param why		receives why it is refused, for the log
 * @return			TRUE if usable
 */
bool mike_sam_key_parse(chunk_t body, mike_sam_scheme_t scheme,
						chunk_t *spki, char **why);

/**
 * A key in PEM, as libsam's sam_key_from_pem() reads it.
 *
 * @param label		"PUBLIC KEY", "PRIVATE KEY", ...
 * @param der		the DER encoding
 * @return			allocated, NUL-terminated PEM text
 */
char *mike_sam_pem(const char *label, chunk_t der);

#endif /** MIKE_SAM_H_ @}*/
