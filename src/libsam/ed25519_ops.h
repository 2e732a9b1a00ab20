/*
 * What the Ed25519 schemes share: ed25519-oo signs its own way but writes
 * ordinary ed25519 frames, so key generation and verification are those
 * of scheme_ed25519.c.
 */

#ifndef SAM_ED25519_OPS_H_
#define SAM_ED25519_OPS_H_

#include "scheme.h"

/** Length of an Ed25519 signature, R || s */
#define SAM_ED25519_SIG_LEN 64

/** The ed25519 scheme's generate op: a fresh Ed25519 key pair */
int sam_ed25519_generate(struct sam_key *key);

/** A fresh Ed25519 key pair for another scheme on Ed25519 keys */
int sam_ed25519_generate_for(struct sam_key *key, sam_scheme scheme);

/** @return whether key is an Ed25519 key (private or public) */
int sam_key_is_ed25519(const struct sam_key *key);

/**
 * Verify an Ed25519 signature (SAM_ED25519_SIG_LEN bytes) over msg: the
 * certificates and roots other schemes sign with the Ed25519 key.
 * @return			SAM_OK or SAM_E_BAD_AUTH
 */
int sam_ed25519_verify_msg(const struct sam_key *key,
						   const struct sam_scheme_env *env,
						   const uint8_t *msg, size_t len, const uint8_t *sig);

/** The ed25519 scheme's verify op: OpenSSL's stock Ed25519 verification */
int sam_ed25519_verify(void *verifier, const struct sam_key *key,
					   const struct sam_scheme_env *env,
					   const struct sam_frame_view *frame);

/* ---- ed25519-oo, for its tests --------------------------------------- */

/**
 * Replace the signer's pool of nonces by the single nonce r (32 bytes,
 * little endian, reduced mod L here), so that a test can compare a
 * signature with a precomputed one.  Not for production: a nonce given
 * twice is a nonce used twice.
 *
 * @return			SAM_OK, or SAM_E_INVAL for r = 0 mod L
 */
int sam_ed25519_oo_set_nonce(void *signer, const uint8_t r[32]);

#endif /* SAM_ED25519_OPS_H_ */
