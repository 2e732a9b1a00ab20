/*
 * The hybrid scheme's parameter set, authenticator layout and batches
 * (docs/sam-hybrid.md).
 *
 * A batch is 2^HYB_H one-time LM-OTS keys (n = 16, w = 4) under one tree,
 * its root certified by the long-term Ed25519 key.  It is made offline
 * with every chain value of every key kept, so that signing a frame
 * online is one message hash and copying.  scheme_hybrid.c keeps a few
 * batches per sender and caches verified roots per source.
 */

#ifndef SAM_HYBRID_H_
#define SAM_HYBRID_H_

#include <stddef.h>
#include <stdint.h>

#include "ed25519_ops.h"
#include "lmots.h"

/** the parameter set's code, signed in the certificate */
#define HYB_PARAMS 0x00000001
/** hash bytes: SHA-256 truncated to 128 bits */
#define HYB_N 16
/** Winternitz parameter */
#define HYB_W 4
/** chains: 32 message digits and 3 checksum digits */
#define HYB_P 35
/** checksum shift */
#define HYB_LS 4
/** tree height: keys per batch 2^HYB_H */
#define HYB_H 5
#define HYB_KEYS (1u << HYB_H)
/** values per chain kept for signing */
#define HYB_CHAIN_VALUES (1u << HYB_W)

#define HYB_BATCH_ID_LEN 8
#define HYB_I_LEN 16
#define HYB_SEED_LEN 32
#define HYB_ED25519_SIG_LEN SAM_ED25519_SIG_LEN

/* the authenticator: offsets and its length */
#define HYB_OFF_BATCH_ID 0
#define HYB_OFF_I (HYB_OFF_BATCH_ID + HYB_BATCH_ID_LEN)
#define HYB_OFF_Q (HYB_OFF_I + HYB_I_LEN)
/** the one-time signature: C, then y[0 .. p-1] */
#define HYB_OFF_OTS (HYB_OFF_Q + 4)
#define HYB_OTS_LEN (HYB_N * (1 + HYB_P))
#define HYB_OFF_PATH (HYB_OFF_OTS + HYB_OTS_LEN)
#define HYB_PATH_LEN (HYB_H * HYB_N)
#define HYB_OFF_CERT (HYB_OFF_PATH + HYB_PATH_LEN)
#define HYB_AUTH_LEN (HYB_OFF_CERT + HYB_ED25519_SIG_LEN)

/** the certificate's domain separation label, with its NUL */
#define HYB_CERT_LABEL "libsam hybrid batch v1"
#define HYB_CERT_LABEL_LEN (sizeof(HYB_CERT_LABEL))
/** the certificate's signed bytes: label, session id, source id, parameter
 *  set, batch id, I, root */
#define HYB_CERT_LEN (HYB_CERT_LABEL_LEN + 12 + HYB_BATCH_ID_LEN + \
					  HYB_I_LEN + HYB_N)

/** LM-OTS with n = 16, w = 4 */
extern const struct lmots_params hyb_ots_params;

/** A one-time key ready to sign */
struct hyb_leaf {
	/** its randomizer */
	uint8_t C[HYB_N];
	/** chain i after j steps at [i * HYB_CHAIN_VALUES + j] */
	uint8_t table[HYB_P * HYB_CHAIN_VALUES][HYB_N];
};

/** A certified batch of one-time keys */
struct hyb_batch {
	/** the session and source its certificate names */
	uint32_t session_id;
	uint32_t source_id;
	/** the next unused key; HYB_KEYS once all are used */
	uint32_t next;
	uint8_t batch_id[HYB_BATCH_ID_LEN];
	uint8_t I[HYB_I_LEN];
	/** the tree: T[r] at [r], node 0 unused */
	uint8_t nodes[2 * HYB_KEYS][HYB_N];
	/** the Ed25519 signature of the certificate */
	uint8_t cert_sig[HYB_ED25519_SIG_LEN];
	struct hyb_leaf leaves[HYB_KEYS];
};

/**
 * The bytes the certificate signs (HYB_CERT_LEN of them).
 */
void hyb_cert_bytes(uint8_t *out, uint32_t session_id, uint32_t source_id,
					const uint8_t *batch_id, const uint8_t *I,
					const uint8_t *root);

/**
 * Make a batch from the given randomness: its keys from seed, its tree,
 * its certificate signed with key for env's session and source.
 *
 * @return			SAM_OK or SAM_E_CRYPTO
 */
int hyb_batch_make(struct hyb_batch *batch, const struct sam_key *key,
				   const struct sam_scheme_env *env, const uint8_t *batch_id,
				   const uint8_t *I, const uint8_t *seed);

/**
 * Verify an authenticator's certificate (at its HYB_OFF_CERT) for the
 * batch id and I it names and the root its path led to.
 *
 * @return			SAM_OK or SAM_E_BAD_AUTH
 */
int hyb_cert_verify(const struct sam_key *key,
					const struct sam_scheme_env *env, const uint8_t *auth,
					const uint8_t *root);

/**
 * Sign data with the batch's next key (there must be one) into out
 * (HYB_AUTH_LEN bytes): the key is marked used before anything is
 * written and wiped afterwards.
 */
void hyb_batch_sign(struct hyb_batch *batch, const uint8_t *data, size_t len,
					uint8_t *out);

/** Wipe a batch; it is empty (next = HYB_KEYS) afterwards */
void hyb_batch_wipe(struct hyb_batch *batch);

/**
 * Test only: make a batch of the given randomness (hyb_batch_make()) and
 * queue it in a hybrid signer behind those it has, so that the frames it
 * signs are known in advance.  Real batches draw their randomness from
 * RAND_bytes().
 *
 * @return			SAM_OK, SAM_E_BUFSIZE if the signer holds all the batches
 *					it can, or SAM_E_CRYPTO
 */
int sam_hybrid_signer_add_batch(void *signer, const struct sam_key *key,
								const struct sam_scheme_env *env,
								const uint8_t *batch_id, const uint8_t *I,
								const uint8_t *seed);

#endif /* SAM_HYBRID_H_ */
