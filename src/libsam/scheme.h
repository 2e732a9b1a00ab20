/*
 * Authentication schemes behind one interface.
 *
 * The frame layer only knows an id, an authenticator length and sign/verify
 * over the authenticated bytes; later schemes (hybrid online/offline,
 * amortized tree signatures, TESLA with delayed verification) add an ops
 * table here without touching the frame format or the context.
 */

#ifndef SAM_SCHEME_H_
#define SAM_SCHEME_H_

#include <openssl/evp.h>

#include "common.h"

struct sam_key;

struct sam_scheme_ops {
	/** the frame's scheme field */
	sam_scheme id;
	/** name as in sam_scheme_name() */
	const char *name;
	/** the fixed authenticator length */
	uint16_t auth_len;

	/**
	 * Authenticate data into out (auth_len bytes).
	 * @param md	a digest context the caller keeps for reuse
	 * @return		SAM_OK or SAM_E_CRYPTO
	 */
	int (*sign)(const struct sam_key *key, EVP_MD_CTX *md,
				const uint8_t *data, size_t len, uint8_t *out);

	/**
	 * Verify auth over data.  Must reject auth_len != the scheme's before
	 * handing anything to the crypto library.
	 * @return		SAM_OK or SAM_E_BAD_AUTH
	 */
	int (*verify)(const struct sam_key *key, EVP_MD_CTX *md,
				  const uint8_t *data, size_t len,
				  const uint8_t *auth, size_t auth_len);

	/** Fill key with a fresh key of this scheme */
	int (*generate)(struct sam_key *key);
};

extern const struct sam_scheme_ops sam_scheme_hmac_sha256;
extern const struct sam_scheme_ops sam_scheme_ed25519;
extern const struct sam_scheme_ops sam_scheme_ecdsa_p256;
extern const struct sam_scheme_ops sam_scheme_ed25519_oo;

/** @return the ops of a scheme, NULL if unknown */
const struct sam_scheme_ops *sam_scheme_get(unsigned int id);

#endif /* SAM_SCHEME_H_ */
