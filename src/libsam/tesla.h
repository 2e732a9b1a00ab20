/*
 * TESLA (RFC 4082, docs/sam-tesla.md): what the rest of the library and
 * the tests (linked statically) see of scheme_tesla.c.
 */

#ifndef SAM_TESLA_H_
#define SAM_TESLA_H_

#include "context.h"

/** Length of a chain key K_i and of a MAC key K'_i */
#define SAM_TESLA_KEY_LEN 16

/** Length of the truncated MAC */
#define SAM_TESLA_MAC_LEN 16

/** The authenticator: interval (4), disclosed key (16), MAC (16) */
#define SAM_TESLA_AUTH_LEN (4 + SAM_TESLA_KEY_LEN + SAM_TESLA_MAC_LEN)

/** Version of the bootstrap body */
#define SAM_TESLA_BODY_VERSION 2

/**
 * Make the sender's chain from a given K_N (seed) and T0 instead of a
 * random seed and the clock: for test vectors only.
 */
int sam_tesla_set_chain(sam_ctx *ctx, const uint8_t seed[SAM_TESLA_KEY_LEN],
						uint64_t t0, unsigned int interval_ms,
						unsigned int delay_intervals, uint32_t chain_length);

/** Length of a checkpoint at the end of a bootstrap body */
#define SAM_TESLA_CHECKPOINT_LEN (1 + 4 + SAM_TESLA_KEY_LEN)

/**
 * The sender's bootstrap body with a checkpoint: the newest key of its
 * chain it disclosed in frames (generation, interval, key), which lets a
 * receiver skip ahead to it instead of hashing a disclosed key down to the
 * commitment (docs/sam-tesla.md).  For bootstraps sent often (in-band
 * bootstrap frames); sam_tesla_bootstrap_body() stays the same while the
 * chains do.
 * @return			its length, at most SAM_TESLA_BOOTSTRAP_BODY +
 *					SAM_TESLA_CHECKPOINT_LEN; the errors of
 *					sam_tesla_bootstrap_body()
 */
int sam_tesla_checkpoint_body(const sam_ctx *ctx, uint8_t *out, size_t size);

/**
 * Install a verified bootstrap body into a tesla source's verifier
 * (sam_tesla_load_bootstrap() after the signature check; attach.c).
 * @return			SAM_OK, SAM_E_SCHEME (not a tesla source),
 *					SAM_E_MALFORMED, SAM_E_VERSION
 */
int sam_tesla_apply(sam_ctx *ctx, struct sam_source *src, const uint8_t *body,
					size_t len);

/** The newest verified chain index of a source's verifier (tests) */
uint32_t sam_tesla_verified(const struct sam_source *src);

#endif /* SAM_TESLA_H_ */
