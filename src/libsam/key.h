/*
 * Internal view of sam_key.
 *
 * A key is either an EVP_PKEY (Ed25519 or EC P-256, private or public) or
 * a group MAC secret.  The context embeds its own copies by value: an
 * EVP_PKEY reference (EVP_PKEY_up_ref) or a copy of the secret, so the
 * caller may free its key and no allocation happens on the frame path.
 */

#ifndef SAM_KEY_H_
#define SAM_KEY_H_

#include <openssl/evp.h>

#include "common.h"

/** largest group MAC secret */
#define SAM_SECRET_MAX 64
/** smallest group MAC secret */
#define SAM_SECRET_MIN 16

struct sam_key {
	sam_scheme scheme;
	/** private key or secret present */
	int can_sign;
	/** signature schemes; NULL for the group MAC */
	EVP_PKEY *pkey;
	/** the group MAC secret */
	uint8_t secret[SAM_SECRET_MAX];
	size_t secret_len;
};

/** Make dst another reference to src (dst must be empty / cleared) */
void sam_key_copy(struct sam_key *dst, const struct sam_key *src);

/** Drop the reference held by an embedded key and wipe it */
void sam_key_clear(struct sam_key *key);

#endif /* SAM_KEY_H_ */
