/*
 * Keys shared by the libsam fuzz targets.
 */

#ifndef FUZZ_KEYS_H_
#define FUZZ_KEYS_H_

#include <sam.h>

#include "fuzz_assert.h"

/** The session and source id of the frames in src/libsam/tests/vectors */
#define FUZZ_SESSION 0x01020304
#define FUZZ_SOURCE 0x0a0b0c0d

/** The data key of the encrypted frames in src/libsam/tests/vectors
 *  (vectors/data-key): id 7, the bytes 0x40 .. 0x5f */
#define FUZZ_DATA_KEY_ID 7
#define FUZZ_DATA_KEY_BASE 0x40

/** Index of a scheme in the arrays below */
enum { FUZZ_HMAC, FUZZ_ED25519, FUZZ_ECDSA, FUZZ_NSCHEMES };

/** Verification keys (public keys, the group secret) per scheme */
extern sam_key *fuzz_verify_keys[FUZZ_NSCHEMES];
/** Signing keys (private keys, the group secret) per scheme */
extern sam_key *fuzz_sign_keys[FUZZ_NSCHEMES];

/**
 * Load the test vector keys once: from $SAM_FUZZ_VECTORS, else from the
 * directory compiled in as SAM_VECTORS_DIR.  Without those files the keys
 * are generated, so the target still runs (but the seed frames no longer
 * verify).  Aborts only if even generating fails.
 */
void fuzz_keys_init(void);

#endif /* FUZZ_KEYS_H_ */
