/*
 * A sender's signed bootstrap (docs/sam-bootstrap.md): the envelope in
 * which a sender announces what receivers need before its first frame (a
 * TESLA key-chain commitment and interval schedule), signed with its SAM
 * key and carried through mike next to that key.
 */

#ifndef SAM_BOOTSTRAP_H_
#define SAM_BOOTSTRAP_H_

#include "common.h"

struct sam_source;

/** the envelope's version */
#define SAM_BOOTSTRAP_VERSION 1

/** version, scheme, reserved, session, source, issued, body length */
#define SAM_BOOTSTRAP_HEADER 22

/** the signature: Ed25519, or ECDSA P-256 as r || s */
#define SAM_BOOTSTRAP_SIG 64

/** what the signature covers first: the label, 16 bytes without a NUL */
#define SAM_BOOTSTRAP_LABEL "SAM bootstrap v1"
#define SAM_BOOTSTRAP_LABEL_LEN (sizeof(SAM_BOOTSTRAP_LABEL) - 1)

/**
 * sam_bootstrap_seal() with the given Issued instead of the clock: a
 * sender that makes two envelopes within one millisecond keeps them
 * apart (bootstrap_frame.c)
 */
ssize_t sam_bootstrap_seal_at(sam_ctx *ctx, uint64_t issued,
							  const void *body, size_t len, uint8_t *out,
							  size_t size);

/**
 * The checks of sam_bootstrap_open() before the signature (1 to 7 of
 * docs/sam-bootstrap.md, "Opening"), so that a caller can reject a stale
 * envelope before it pays for the verification.
 *
 * @param source	receives the registered source the envelope names
 */
int sam_bootstrap_check(const sam_ctx *ctx, const uint8_t *blob, size_t len,
						struct sam_source **source);

/**
 * Check 8: the signature of an envelope sam_bootstrap_check() passed,
 * under its source's key.
 * @return			SAM_OK or SAM_E_BAD_AUTH
 */
int sam_bootstrap_verify(const sam_ctx *ctx, const struct sam_source *src,
						 const uint8_t *blob, size_t len);

#endif /* SAM_BOOTSTRAP_H_ */
