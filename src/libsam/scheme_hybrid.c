/*
 * hybrid: the online/offline scheme of Rohatgi (CCS 1999) with RFC 8554's
 * LM-OTS and LMS tree (docs/sam-hybrid.md).  Offline, the sender makes
 * batches of one-time keys and certifies each batch's tree root with its
 * Ed25519 key; online, a frame costs a message hash and copying.  A
 * receiver verifies the certificate once per batch and keeps the verified
 * roots, with the keys used of each, in a small cache per source.
 */

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "scheme.h"
#include "key.h"
#include "hybrid.h"
#include "lms_tree.h"

/** batches a sender keeps: up to 96 frames ready, ~860 KB */
#define HYB_BATCHES 3
/** verified batches a receiver keeps per source */
#define HYB_CACHE 4

struct hyb_signer {
	/** the batch signing now, and how many are ready from it on */
	size_t head;
	size_t count;
	struct hyb_batch batches[HYB_BATCHES];
};

/** A batch whose certificate verified */
struct hyb_verified {
	/** when it last verified a frame (the verifier's counter); 0: free */
	uint64_t last_used;
	/** keys seen, bit q for key q */
	uint32_t used;
	uint8_t batch_id[HYB_BATCH_ID_LEN];
	uint8_t I[HYB_I_LEN];
	uint8_t root[HYB_N];
	uint8_t cert_sig[HYB_ED25519_SIG_LEN];
};

struct hyb_verifier {
	uint64_t counter;
	struct hyb_verified cache[HYB_CACHE];
};

/* the bitmap of used keys must hold a batch */
typedef char hyb_used_fits[HYB_KEYS <= 32 ? 1 : -1];

/* the key is an Ed25519 key used by this scheme */
static int hybrid_generate(struct sam_key *key)
{
	return sam_ed25519_generate_for(key, SAM_SCHEME_HYBRID);
}

/* ---- sender ------------------------------------------------------------- */

static int hybrid_signer_init(void *state, const struct sam_key *key)
{
	(void)state;
	return sam_key_is_ed25519(key) && key->can_sign ? SAM_OK : SAM_E_KEY;
}

static void hybrid_signer_clear(void *state)
{
	OPENSSL_cleanse(state, sizeof(struct hyb_signer));
}

/** Drop the head batch: used up, or certified for another session/source */
static void drop_head(struct hyb_signer *signer)
{
	hyb_batch_wipe(&signer->batches[signer->head]);
	signer->head = (signer->head + 1) % HYB_BATCHES;
	signer->count--;
}

/** Drop batches from the head until one can sign for env */
static void drop_unusable(struct hyb_signer *signer,
						  const struct sam_scheme_env *env)
{
	while (signer->count)
	{
		struct hyb_batch *batch = &signer->batches[signer->head];

		if (batch->next < HYB_KEYS && batch->session_id == env->session_id &&
			batch->source_id == env->source_id)
		{
			return;
		}
		drop_head(signer);
	}
}

static int hybrid_sign(void *state, const struct sam_key *key,
					   const struct sam_scheme_env *env, const uint8_t *data,
					   size_t len, uint8_t *out)
{
	struct hyb_signer *signer = state;
	struct hyb_batch *batch;

	(void)key;
	drop_unusable(signer, env);
	if (!signer->count)
	{
		return SAM_E_PRECOMPUTE;
	}
	batch = &signer->batches[signer->head];
	hyb_batch_sign(batch, data, len, out);
	if (batch->next == HYB_KEYS)
	{
		drop_head(signer);
	}
	return SAM_OK;
}

static size_t hybrid_available(const void *state)
{
	const struct hyb_signer *signer = state;
	size_t i, frames = 0;

	for (i = 0; i < signer->count; i++)
	{
		frames += HYB_KEYS -
			signer->batches[(signer->head + i) % HYB_BATCHES].next;
	}
	return frames;
}

/** Make a batch into the next free slot (there must be one) */
static int add_batch(struct hyb_signer *signer, const struct sam_key *key,
					 const struct sam_scheme_env *env,
					 const uint8_t *batch_id, const uint8_t *I,
					 const uint8_t *seed)
{
	struct hyb_batch *batch;
	int err;

	batch = &signer->batches[(signer->head + signer->count) % HYB_BATCHES];
	err = hyb_batch_make(batch, key, env, batch_id, I, seed);
	if (err == SAM_OK)
	{
		signer->count++;
	}
	return err;
}

int sam_hybrid_signer_add_batch(void *state, const struct sam_key *key,
								const struct sam_scheme_env *env,
								const uint8_t *batch_id, const uint8_t *I,
								const uint8_t *seed)
{
	struct hyb_signer *signer = state;

	if (signer->count == HYB_BATCHES)
	{
		return SAM_E_BUFSIZE;
	}
	return add_batch(signer, key, env, batch_id, I, seed);
}

static int hybrid_precompute(void *state, const struct sam_key *key,
							 const struct sam_scheme_env *env, size_t frames)
{
	struct hyb_signer *signer = state;
	uint8_t batch_id[HYB_BATCH_ID_LEN], I[HYB_I_LEN], seed[HYB_SEED_LEN];
	int err = SAM_OK;

	drop_unusable(signer, env);
	while (err == SAM_OK && signer->count < HYB_BATCHES &&
		   hybrid_available(signer) < frames)
	{
		/* fresh randomness for every batch: a sender restarted without
		 * its state never makes a key it made before */
		if (RAND_bytes(batch_id, sizeof(batch_id)) != 1 ||
			RAND_bytes(I, sizeof(I)) != 1 ||
			RAND_priv_bytes(seed, sizeof(seed)) != 1)
		{
			ERR_clear_error();
			err = SAM_E_CRYPTO;
			break;
		}
		err = add_batch(signer, key, env, batch_id, I, seed);
	}
	OPENSSL_cleanse(seed, sizeof(seed));
	return err;
}

/* ---- receiver ----------------------------------------------------------- */

static int hybrid_verifier_init(void *state, const struct sam_key *key)
{
	(void)state;
	return sam_key_is_ed25519(key) ? SAM_OK : SAM_E_KEY;
}

static void hybrid_verifier_clear(void *state)
{
	OPENSSL_cleanse(state, sizeof(struct hyb_verifier));
}

/** The cached batch the authenticator's certificate and root are */
static struct hyb_verified *cache_find(struct hyb_verifier *verifier,
									   const uint8_t *auth,
									   const uint8_t *root)
{
	size_t i;

	for (i = 0; i < HYB_CACHE; i++)
	{
		struct hyb_verified *entry = &verifier->cache[i];

		/* all public: no need for constant time */
		if (entry->last_used &&
			memcmp(entry->batch_id, auth + HYB_OFF_BATCH_ID,
				   HYB_BATCH_ID_LEN) == 0 &&
			memcmp(entry->I, auth + HYB_OFF_I, HYB_I_LEN) == 0 &&
			memcmp(entry->root, root, HYB_N) == 0 &&
			memcmp(entry->cert_sig, auth + HYB_OFF_CERT,
				   HYB_ED25519_SIG_LEN) == 0)
		{
			return entry;
		}
	}
	return NULL;
}

/** The entry a newly verified batch replaces: a free or the least recent */
static struct hyb_verified *cache_victim(struct hyb_verifier *verifier)
{
	struct hyb_verified *victim = &verifier->cache[0];
	size_t i;

	for (i = 1; i < HYB_CACHE; i++)
	{
		if (verifier->cache[i].last_used < victim->last_used)
		{
			victim = &verifier->cache[i];
		}
	}
	return victim;
}

static int hybrid_verify(void *state, const struct sam_key *key,
						 const struct sam_scheme_env *env,
						 const struct sam_frame_view *frame)
{
	struct hyb_verifier *verifier = state;
	const uint8_t *auth = frame->auth;
	uint8_t Kc[HYB_N], root[HYB_N];
	struct hyb_verified *entry;
	uint32_t q;
	int err;

	if (frame->auth_len != HYB_AUTH_LEN)
	{
		return SAM_E_MALFORMED;
	}
	q = (uint32_t)auth[HYB_OFF_Q] << 24 | (uint32_t)auth[HYB_OFF_Q + 1] << 16 |
		(uint32_t)auth[HYB_OFF_Q + 2] << 8 | auth[HYB_OFF_Q + 3];
	if (q >= HYB_KEYS)
	{
		return SAM_E_BAD_AUTH;
	}
	lmots_pk_candidate(&hyb_ots_params, auth + HYB_OFF_I, q,
					   auth + HYB_OFF_OTS, frame->data, frame->data_len, Kc);
	lms_root_from_path(HYB_N, HYB_H, auth + HYB_OFF_I, q, Kc,
					   auth + HYB_OFF_PATH, root);
	entry = cache_find(verifier, auth, root);
	if (!entry)
	{
		/* a new batch, or a root its certificate does not vouch for */
		err = hyb_cert_verify(key, env, auth, root);
		if (err != SAM_OK)
		{
			return err;
		}
		entry = cache_victim(verifier);
		memset(entry, 0, sizeof(*entry));
		memcpy(entry->batch_id, auth + HYB_OFF_BATCH_ID, HYB_BATCH_ID_LEN);
		memcpy(entry->I, auth + HYB_OFF_I, HYB_I_LEN);
		memcpy(entry->root, root, HYB_N);
		memcpy(entry->cert_sig, auth + HYB_OFF_CERT, HYB_ED25519_SIG_LEN);
	}
	else if (entry->used & (UINT32_C(1) << q))
	{
		/* authentic, but a second frame of a one-time key: the sender
		 * reused a key (lost its state?), and two signatures of one key
		 * let anyone forge others */
		return SAM_E_KEY_USED;
	}
	entry->used |= UINT32_C(1) << q;
	entry->last_used = ++verifier->counter;
	return SAM_OK;
}

const struct sam_scheme_ops sam_scheme_hybrid = {
	.id = SAM_SCHEME_HYBRID,
	.wire_id = SAM_SCHEME_HYBRID,
	.name = "hybrid",
	.key_kind = SAM_KEY_ED25519,
	.auth = SAM_AUTH_SOURCE,
	.max_auth_len = HYB_AUTH_LEN,
	.generate = hybrid_generate,
	.signer_size = sizeof(struct hyb_signer),
	.signer_init = hybrid_signer_init,
	.signer_clear = hybrid_signer_clear,
	.sign = hybrid_sign,
	.precompute = hybrid_precompute,
	.available = hybrid_available,
	.verifier_size = sizeof(struct hyb_verifier),
	.verifier_init = hybrid_verifier_init,
	.verifier_clear = hybrid_verifier_clear,
	.verify = hybrid_verify,
};
