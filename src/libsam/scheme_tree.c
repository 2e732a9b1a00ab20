/*
 * tree: amortized Merkle-tree signatures (Wong and Lam, "Digital
 * Signatures for Flows and Multicasts", 1998; docs/sam-tree.md).
 *
 * The sender keeps the frames sealed since the last block closed; a block
 * closes at m frames, on sam_flush(), or when a frame comes while the
 * oldest held one waited longer than T.  Closing builds the RFC 6962
 * Merkle tree over the frames (leaves 0x00 || frame, nodes 0x01 || left
 * || right), signs the root once with Ed25519 and gives every frame the
 * signature and its audit path.  A receiver checks each frame on its own:
 * leaf, path, root; the root signature once per block, thanks to a small
 * cache of verified roots per source.
 */

#define OPENSSL_SUPPRESS_DEPRECATED

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "ed25519_ops.h"
#include "frame.h"
#include "key.h"
#include "scheme.h"
#include "tree.h"

/** bytes of frames a signer holds: the open block and finished frames */
#define TREE_ARENA (1024 * 1024)
/** frames a signer holds: a finished block and an open one */
#define TREE_SLOTS (2 * SAM_TREE_MAX_FRAMES)
/** verified roots a receiver keeps per source */
#define TREE_CACHE 8

/** A frame a signer holds */
struct tree_slot {
	/** where it starts in the arena */
	size_t off;
	/** header and payload */
	size_t signed_len;
	/** with its authenticator, once the block closed */
	size_t len;
};

struct tree_signer {
	unsigned int frames;
	unsigned int delay;
	/** slots [out, closed) are finished, [closed, count) the open block */
	size_t out;
	size_t closed;
	size_t count;
	/** bytes of the arena used */
	size_t used;
	/** the open block: its session, source, first seq, oldest frame */
	uint32_t session_id;
	uint32_t source_id;
	uint64_t first_seq;
	uint64_t since;
	struct tree_slot slots[TREE_SLOTS];
	uint8_t arena[TREE_ARENA];
};

/** A root whose signature verified */
struct tree_root {
	/** when it last verified a frame (the verifier's counter); 0: free */
	uint64_t last_used;
	uint64_t first_seq;
	unsigned int k;
	uint8_t root[TREE_HASH_LEN];
	/** the signature that verified it: a frame with other signature
	 *  bytes is checked anew, so no authenticator byte goes unchecked */
	uint8_t sig[SAM_ED25519_SIG_LEN];
};

struct tree_verifier {
	uint64_t counter;
	/** root signatures checked, for the tests */
	uint64_t sig_verifies;
	struct tree_root cache[TREE_CACHE];
};

/* ---- the tree (RFC 6962 section 2.1) ---------------------------------- */

/** The largest power of two smaller than n (n > 1) */
static unsigned int split(unsigned int n)
{
	unsigned int k = 1;

	while (k << 1 < n)
	{
		k <<= 1;
	}
	return k;
}

unsigned int sam_tree_path_len(unsigned int index, unsigned int k)
{
	unsigned int len = 0, s;

	while (k > 1)
	{
		s = split(k);
		if (index < s)
		{
			k = s;
		}
		else
		{
			index -= s;
			k -= s;
		}
		len++;
	}
	return len;
}

static void leaf_hash(const uint8_t *data, size_t len, uint8_t *out)
{
	static const uint8_t prefix = 0x00;
	SHA256_CTX sha;

	SHA256_Init(&sha);
	SHA256_Update(&sha, &prefix, 1);
	SHA256_Update(&sha, data, len);
	SHA256_Final(out, &sha);
}

static void node_hash(const uint8_t *left, const uint8_t *right,
					  uint8_t *out)
{
	static const uint8_t prefix = 0x01;
	SHA256_CTX sha;

	/* not SHA256(): OpenSSL 3 fetches the digest for every call of it */
	SHA256_Init(&sha);
	SHA256_Update(&sha, &prefix, 1);
	SHA256_Update(&sha, left, TREE_HASH_LEN);
	SHA256_Update(&sha, right, TREE_HASH_LEN);
	SHA256_Final(out, &sha);
}

/** The signed bytes of a root */
static void root_message(uint8_t *out, uint32_t session_id,
						 uint32_t source_id, uint64_t first_seq,
						 unsigned int k, const uint8_t *root)
{
	memcpy(out, TREE_LABEL, TREE_LABEL_LEN);
	sam_put32(out + TREE_LABEL_LEN, session_id);
	sam_put32(out + TREE_LABEL_LEN + 4, source_id);
	sam_put64(out + TREE_LABEL_LEN + 8, first_seq);
	sam_put16(out + TREE_LABEL_LEN + 16, (uint16_t)k);
	memcpy(out + TREE_LABEL_LEN + 18, root, TREE_HASH_LEN);
}

/* ---- sender ------------------------------------------------------------- */

static int tree_generate(struct sam_key *key)
{
	return sam_ed25519_generate_for(key, SAM_SCHEME_TREE);
}

static int tree_signer_init(void *state, const struct sam_key *key)
{
	struct tree_signer *signer = state;

	if (!sam_key_is_ed25519(key) || !key->can_sign)
	{
		return SAM_E_KEY;
	}
	sam_tree_configure(signer, SAM_TREE_DEFAULT_BLOCK,
					   SAM_TREE_DEFAULT_DELAY_MS);
	return SAM_OK;
}

static void tree_signer_clear(void *state)
{
	OPENSSL_cleanse(state, sizeof(struct tree_signer));
}

void sam_tree_configure(void *state, unsigned int frames,
						unsigned int max_delay_ms)
{
	struct tree_signer *signer = state;

	signer->frames = frames;
	signer->delay = max_delay_ms;
}

static size_t tree_auth_len(const void *state)
{
	const struct tree_signer *signer = state;

	/* leaf 0 has the longest path, ceil(log2 m) hashes */
	return TREE_OFF_PATH +
		TREE_HASH_LEN * sam_tree_path_len(0, signer->frames);
}

/** The authenticator of the frame in slot i */
static uint8_t *slot_auth(struct tree_signer *signer, size_t i)
{
	return signer->arena + signer->slots[i].off + signer->slots[i].signed_len;
}

/**
 * The Merkle Tree Hash of the n leaves from slot lo of the open block into
 * out; appends every sibling to the audit paths of the leaves below it
 * (the deepest first), filled[] counting the hashes each path has.
 */
static void build(struct tree_signer *signer, const uint8_t (*leaves)[32],
				  size_t lo, unsigned int n, uint8_t *filled, uint8_t *out)
{
	uint8_t left[TREE_HASH_LEN], right[TREE_HASH_LEN];
	unsigned int s, i;

	if (n == 1)
	{
		memcpy(out, leaves[lo], TREE_HASH_LEN);
		return;
	}
	s = split(n);
	build(signer, leaves, lo, s, filled, left);
	build(signer, leaves, lo + s, n - s, filled, right);
	for (i = 0; i < n; i++)
	{
		uint8_t *auth = slot_auth(signer, signer->closed + lo + i);

		memcpy(auth + TREE_OFF_PATH + TREE_HASH_LEN * filled[lo + i],
			   i < s ? right : left, TREE_HASH_LEN);
		filled[lo + i]++;
	}
	node_hash(left, right, out);
}

/** Drop the open block (signing it failed) */
static void drop_open(struct tree_signer *signer)
{
	if (signer->count > signer->closed)
	{
		size_t off = signer->slots[signer->closed].off;

		OPENSSL_cleanse(signer->arena + off, signer->used - off);
		signer->used = off;
		signer->count = signer->closed;
	}
}

/** Close the open block: tree, root signature, authenticators */
static int close_block(struct tree_signer *signer, const struct sam_key *key,
					   const struct sam_scheme_env *env)
{
	uint8_t leaves[SAM_TREE_MAX_FRAMES][TREE_HASH_LEN];
	uint8_t filled[SAM_TREE_MAX_FRAMES] = {0};
	uint8_t root[TREE_HASH_LEN], msg[TREE_SIGNED_LEN];
	uint8_t sig[SAM_ED25519_SIG_LEN];
	unsigned int k = (unsigned int)(signer->count - signer->closed), i;

	if (!k)
	{
		return SAM_OK;
	}
	for (i = 0; i < k; i++)
	{
		struct tree_slot *slot = &signer->slots[signer->closed + i];
		uint8_t *frame = signer->arena + slot->off;
		size_t auth_len = TREE_OFF_PATH +
			TREE_HASH_LEN * (size_t)sam_tree_path_len(i, k);

		/* the leaf covers the header as sent, with its real auth length */
		sam_put16(frame + 22, (uint16_t)auth_len);
		slot->len = slot->signed_len + auth_len;
		leaf_hash(frame, slot->signed_len, leaves[i]);
	}
	build(signer, (const uint8_t (*)[32])leaves, 0, k, filled, root);
	root_message(msg, signer->session_id, signer->source_id,
				 signer->first_seq, k, root);
	if (sam_scheme_ed25519.sign(NULL, key, env, msg, sizeof(msg), sig) !=
		SAM_OK)
	{
		drop_open(signer);
		return SAM_E_CRYPTO;
	}
	for (i = 0; i < k; i++)
	{
		uint8_t *auth = slot_auth(signer, signer->closed + i);

		auth[TREE_OFF_K] = (uint8_t)(k - 1);
		auth[TREE_OFF_INDEX] = (uint8_t)i;
		sam_put64(auth + TREE_OFF_FIRST, signer->first_seq);
		memcpy(auth + TREE_OFF_SIG, sig, sizeof(sig));
	}
	signer->closed = signer->count;
	return SAM_OK;
}

/** Move the open block to the arena's start once the finished are out */
static void compact(struct tree_signer *signer)
{
	size_t i, n = signer->count - signer->closed, off;

	if (signer->out != signer->closed)
	{
		return;
	}
	off = n ? signer->slots[signer->closed].off : signer->used;
	memmove(signer->arena, signer->arena + off, signer->used - off);
	for (i = 0; i < n; i++)
	{
		signer->slots[i] = signer->slots[signer->closed + i];
		signer->slots[i].off -= off;
	}
	signer->used -= off;
	signer->out = signer->closed = 0;
	signer->count = n;
}

/** Whether a frame with seq for env must close the open block first */
static int must_close(const struct tree_signer *signer,
					  const struct sam_scheme_env *env, uint64_t seq,
					  size_t len)
{
	size_t open = signer->count - signer->closed;

	return open && (open >= signer->frames ||
					env->session_id != signer->session_id ||
					env->source_id != signer->source_id ||
					seq != signer->first_seq + open ||
					env->now - signer->since > signer->delay ||
					env->now < signer->since ||
					signer->used + len + TREE_MAX_AUTH_LEN > TREE_ARENA ||
					signer->count == TREE_SLOTS);
}

static int tree_sign(void *state, const struct sam_key *key,
					 const struct sam_scheme_env *env, const uint8_t *data,
					 size_t len, uint8_t *out)
{
	struct tree_signer *signer = state;
	struct tree_slot *slot;
	uint64_t seq;
	int err;

	(void)out;
	if (len < SAM_HEADER_SIZE)
	{
		return SAM_E_INVAL;
	}
	seq = sam_get64(data + 12);
	if (must_close(signer, env, seq, len))
	{
		err = close_block(signer, key, env);
		if (err != SAM_OK)
		{
			return err;
		}
	}
	compact(signer);
	if (signer->used + len + TREE_MAX_AUTH_LEN > TREE_ARENA ||
		signer->count == TREE_SLOTS)
	{	/* the finished frames were not taken out (sam_next_sealed()) */
		return SAM_E_BUFSIZE;
	}
	if (signer->count == signer->closed)
	{
		signer->session_id = env->session_id;
		signer->source_id = env->source_id;
		signer->first_seq = seq;
		signer->since = env->now;
	}
	slot = &signer->slots[signer->count++];
	*slot = (struct tree_slot){
		.off = signer->used,
		.signed_len = len,
	};
	memcpy(signer->arena + slot->off, data, len);
	signer->used += len + TREE_MAX_AUTH_LEN;
	if (signer->count - signer->closed >= signer->frames)
	{
		err = close_block(signer, key, env);
		if (err != SAM_OK)
		{
			return err;
		}
	}
	return SAM_PENDING;
}

static int tree_flush(void *state, const struct sam_key *key,
					  const struct sam_scheme_env *env)
{
	return close_block(state, key, env);
}

static ssize_t tree_next_sealed(void *state, uint8_t *out, size_t size)
{
	struct tree_signer *signer = state;
	struct tree_slot *slot;
	size_t len;

	if (signer->out == signer->closed)
	{
		return 0;
	}
	slot = &signer->slots[signer->out];
	if (size < slot->len)
	{
		return SAM_E_BUFSIZE;
	}
	len = slot->len;
	memcpy(out, signer->arena + slot->off, len);
	OPENSSL_cleanse(signer->arena + slot->off, len);
	signer->out++;
	/* moves the slots: slot is stale afterwards */
	compact(signer);
	return (ssize_t)len;
}

/* ---- receiver ----------------------------------------------------------- */

static int tree_verifier_init(void *state, const struct sam_key *key)
{
	(void)state;
	return sam_key_is_ed25519(key) ? SAM_OK : SAM_E_KEY;
}

static void tree_verifier_clear(void *state)
{
	OPENSSL_cleanse(state, sizeof(struct tree_verifier));
}

uint64_t sam_tree_sig_verifies(const void *state)
{
	return ((const struct tree_verifier *)state)->sig_verifies;
}

/**
 * The root an audit path leads to from a leaf (RFC 9162 section
 * 2.1.3.2), or SAM_E_BAD_AUTH if the path does not fit index and k.
 */
static int root_from_path(unsigned int index, unsigned int k,
						  const uint8_t *leaf, const uint8_t *path,
						  size_t hashes, uint8_t *root)
{
	unsigned int fn = index, sn = k - 1;
	size_t i;

	memcpy(root, leaf, TREE_HASH_LEN);
	for (i = 0; i < hashes; i++)
	{
		const uint8_t *p = path + i * TREE_HASH_LEN;

		if (sn == 0)
		{
			return SAM_E_BAD_AUTH;
		}
		if ((fn & 1) || fn == sn)
		{
			node_hash(p, root, root);
			while (!(fn & 1) && fn)
			{
				fn >>= 1;
				sn >>= 1;
			}
		}
		else
		{
			node_hash(root, p, root);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 ? SAM_OK : SAM_E_BAD_AUTH;
}

static struct tree_root *cache_find(struct tree_verifier *verifier,
									uint64_t first_seq, unsigned int k,
									const uint8_t *root, const uint8_t *sig)
{
	size_t i;

	for (i = 0; i < TREE_CACHE; i++)
	{
		struct tree_root *entry = &verifier->cache[i];

		/* all public: no need for constant time */
		if (entry->last_used && entry->first_seq == first_seq &&
			entry->k == k && memcmp(entry->root, root, TREE_HASH_LEN) == 0 &&
			memcmp(entry->sig, sig, SAM_ED25519_SIG_LEN) == 0)
		{
			return entry;
		}
	}
	return NULL;
}

static struct tree_root *cache_victim(struct tree_verifier *verifier)
{
	struct tree_root *victim = &verifier->cache[0];
	size_t i;

	for (i = 1; i < TREE_CACHE; i++)
	{
		if (verifier->cache[i].last_used < victim->last_used)
		{
			victim = &verifier->cache[i];
		}
	}
	return victim;
}

/** Check the root signature of an authenticator */
static int root_verify(const struct sam_key *key,
					   const struct sam_scheme_env *env, uint64_t first_seq,
					   unsigned int k, const uint8_t *root,
					   const uint8_t *auth)
{
	uint8_t msg[TREE_SIGNED_LEN];

	root_message(msg, env->session_id, env->source_id, first_seq, k, root);
	return sam_ed25519_verify_msg(key, env, msg, sizeof(msg),
								  auth + TREE_OFF_SIG);
}

static int tree_verify(void *state, const struct sam_key *key,
					   const struct sam_scheme_env *env,
					   const struct sam_frame_view *frame)
{
	struct tree_verifier *verifier = state;
	const uint8_t *auth = frame->auth;
	uint8_t leaf[TREE_HASH_LEN], root[TREE_HASH_LEN];
	struct tree_root *entry;
	unsigned int k, index;
	uint64_t first_seq;
	int err;

	if (frame->auth_len < TREE_OFF_PATH)
	{
		return SAM_E_MALFORMED;
	}
	k = (unsigned int)auth[TREE_OFF_K] + 1;
	index = auth[TREE_OFF_INDEX];
	if (index >= k || frame->auth_len != TREE_OFF_PATH +
		TREE_HASH_LEN * (size_t)sam_tree_path_len(index, k))
	{
		return SAM_E_MALFORMED;
	}
	first_seq = sam_get64(auth + TREE_OFF_FIRST);
	/* the frame's place in the block is its sequence number */
	if (first_seq > UINT64_MAX - index ||
		frame->hdr->seq != first_seq + index)
	{
		return SAM_E_BAD_AUTH;
	}
	leaf_hash(frame->data, frame->data_len, leaf);
	err = root_from_path(index, k, leaf, auth + TREE_OFF_PATH,
						 (frame->auth_len - TREE_OFF_PATH) / TREE_HASH_LEN,
						 root);
	if (err != SAM_OK)
	{
		return err;
	}
	entry = cache_find(verifier, first_seq, k, root, auth + TREE_OFF_SIG);
	if (!entry)
	{
		verifier->sig_verifies++;
		err = root_verify(key, env, first_seq, k, root, auth);
		if (err != SAM_OK)
		{
			return err;
		}
		entry = cache_victim(verifier);
		*entry = (struct tree_root){
			.first_seq = first_seq,
			.k = k,
		};
		memcpy(entry->root, root, TREE_HASH_LEN);
		memcpy(entry->sig, auth + TREE_OFF_SIG, SAM_ED25519_SIG_LEN);
	}
	entry->last_used = ++verifier->counter;
	return SAM_OK;
}

const struct sam_scheme_ops sam_scheme_tree = {
	.id = SAM_SCHEME_TREE,
	.wire_id = SAM_SCHEME_TREE,
	.name = "tree",
	.key_kind = SAM_KEY_ED25519,
	.auth = SAM_AUTH_SOURCE,
	.max_auth_len = TREE_MAX_AUTH_LEN,
	.generate = tree_generate,
	.signer_size = sizeof(struct tree_signer),
	.signer_init = tree_signer_init,
	.signer_clear = tree_signer_clear,
	.auth_len = tree_auth_len,
	.sign = tree_sign,
	.flush = tree_flush,
	.next_sealed = tree_next_sealed,
	.verifier_size = sizeof(struct tree_verifier),
	.verifier_init = tree_verifier_init,
	.verifier_clear = tree_verifier_clear,
	.verify = tree_verify,
};
