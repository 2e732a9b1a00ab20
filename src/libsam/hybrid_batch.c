/*
 * A batch of the hybrid scheme: 2^h one-time keys made offline with all
 * their chain values, their tree, and the Ed25519 certificate of its root;
 * and signing a frame with its next key.
 */

#include <string.h>

#include <openssl/crypto.h>

#include "common.h"
#include "hybrid.h"
#include "lms_tree.h"

const struct lmots_params hyb_ots_params = {
	.n = HYB_N,
	.w = HYB_W,
	.p = HYB_P,
	.ls = HYB_LS,
};

static void put_u32(uint8_t *out, uint32_t v)
{
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

void hyb_cert_bytes(uint8_t *out, uint32_t session_id, uint32_t source_id,
					const uint8_t *batch_id, const uint8_t *I,
					const uint8_t *root)
{
	memcpy(out, HYB_CERT_LABEL, HYB_CERT_LABEL_LEN);
	out += HYB_CERT_LABEL_LEN;
	put_u32(out, session_id);
	put_u32(out + 4, source_id);
	put_u32(out + 8, HYB_PARAMS);
	out += 12;
	memcpy(out, batch_id, HYB_BATCH_ID_LEN);
	memcpy(out + HYB_BATCH_ID_LEN, I, HYB_I_LEN);
	memcpy(out + HYB_BATCH_ID_LEN + HYB_I_LEN, root, HYB_N);
}

int hyb_batch_make(struct hyb_batch *batch, const struct sam_key *key,
				   const struct sam_scheme_env *env, const uint8_t *batch_id,
				   const uint8_t *I, const uint8_t *seed)
{
	uint8_t K[HYB_KEYS][HYB_N], cert[HYB_CERT_LEN];
	uint32_t q;

	batch->session_id = env->session_id;
	batch->source_id = env->source_id;
	memcpy(batch->batch_id, batch_id, HYB_BATCH_ID_LEN);
	memcpy(batch->I, I, HYB_I_LEN);
	for (q = 0; q < HYB_KEYS; q++)
	{
		struct hyb_leaf *leaf = &batch->leaves[q];

		lmots_keygen_table(&hyb_ots_params, I, q, seed, HYB_SEED_LEN,
						   leaf->table[0], K[q]);
		lmots_randomizer(&hyb_ots_params, I, q, seed, HYB_SEED_LEN, leaf->C);
	}
	lms_tree_build(HYB_N, HYB_H, I, K[0], batch->nodes[0]);
	hyb_cert_bytes(cert, env->session_id, env->source_id, batch_id, I,
				   batch->nodes[1]);
	/* the certificate is an ordinary Ed25519 signature */
	if (sam_scheme_ed25519.sign(NULL, key, env, cert, sizeof(cert),
								batch->cert_sig) != SAM_OK)
	{
		hyb_batch_wipe(batch);
		return SAM_E_CRYPTO;
	}
	batch->next = 0;
	return SAM_OK;
}

int hyb_cert_verify(const struct sam_key *key,
					const struct sam_scheme_env *env, const uint8_t *auth,
					const uint8_t *root)
{
	uint8_t cert[HYB_CERT_LEN];

	hyb_cert_bytes(cert, env->session_id, env->source_id,
				   auth + HYB_OFF_BATCH_ID, auth + HYB_OFF_I, root);
	return sam_ed25519_verify_msg(key, env, cert, sizeof(cert),
								  auth + HYB_OFF_CERT);
}

void hyb_batch_sign(struct hyb_batch *batch, const uint8_t *data, size_t len,
					uint8_t *out)
{
	uint8_t digits[HYB_P];
	uint32_t q = batch->next;
	struct hyb_leaf *leaf = &batch->leaves[q];

	/* the key counts as used before any of it leaves */
	batch->next = q + 1;
	memcpy(out + HYB_OFF_BATCH_ID, batch->batch_id, HYB_BATCH_ID_LEN);
	memcpy(out + HYB_OFF_I, batch->I, HYB_I_LEN);
	put_u32(out + HYB_OFF_Q, q);
	memcpy(out + HYB_OFF_OTS, leaf->C, HYB_N);
	lmots_digits(&hyb_ots_params, batch->I, q, leaf->C, data, len, digits);
	lmots_sign_table(&hyb_ots_params, digits, leaf->table[0],
					 out + HYB_OFF_OTS + HYB_N);
	lms_tree_path(HYB_N, HYB_H, batch->nodes[0], q, out + HYB_OFF_PATH);
	memcpy(out + HYB_OFF_CERT, batch->cert_sig, HYB_ED25519_SIG_LEN);
	OPENSSL_cleanse(leaf, sizeof(*leaf));
}

void hyb_batch_wipe(struct hyb_batch *batch)
{
	OPENSSL_cleanse(batch, sizeof(*batch));
	batch->next = HYB_KEYS;
}
