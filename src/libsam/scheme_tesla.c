/*
 * tesla: TESLA (RFC 4082) over SAM frames, docs/sam-tesla.md.
 *
 * The sender MACs each frame of interval i under K'_i, derived from K_i of
 * a one-way chain (K_{i-1} = F(K_i)), and discloses K_{i-d} in it.  A
 * receiver that knows the commitment K_0 (from the sender's signed
 * bootstrap) checks a disclosed key by hashing it down to the newest key
 * it verified, keeps the frame pending until K_i is disclosed, and then
 * checks its MAC.  The safety condition (RFC 4082 3.5) rejects frames
 * that may have come after their key was out.
 *
 * The frame MAC is AES-128-GMAC under K'_i with the frame's source and
 * sequence number as nonce: a receiver keeps one cipher context keyed
 * for an interval, so the MAC of a frame is a GHASH over its bytes, where
 * HMAC-SHA-256 would cost more than the SHA-256 of the payload.
 *
 * Chains end: a sender makes the next chain (generation + 1, starting
 * where the current one ends) when a quarter of the current one is left,
 * announces both in its bootstrap, and switches at the boundary; frames
 * name their chain's generation, a receiver keeps two chains, and the
 * first d intervals of the next chain disclose the last keys of the one
 * before, so nothing in flight is lost at the switch.
 */

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "ed25519_ops.h"
#include "frame.h"
#include "tesla.h"

#define KEY_LEN SAM_TESLA_KEY_LEN
#define MAC_LEN SAM_TESLA_MAC_LEN
#define AUTH_LEN SAM_TESLA_AUTH_LEN

/** offsets in the authenticator */
#define AUTH_INTERVAL 0
#define AUTH_KEY 4
#define AUTH_MAC (4 + KEY_LEN)

/** the interval field: the generation in the top byte, then the flag
 *  that the disclosed key is the previous chain's, then the interval */
#define GEN_SHIFT 24
#define PREVIOUS_KEY (UINT32_C(1) << 23)
#define INTERVAL_MASK (PREVIOUS_KEY - 1)

/** the GMAC nonce: source id and sequence number, header bytes [8, 20) */
#define NONCE_OFFSET 8
#define NONCE_LEN 12

/** the bootstrap body: the schedule, then one or two chains */
#define BODY_HEAD 9
#define BODY_CHAIN (1 + 8 + 4 + KEY_LEN)

/** a checkpoint in the body: generation, interval, key */
#define BODY_CHECKPOINT (1 + 4 + KEY_LEN)

/** chains a receiver keeps per source: the current one and the next */
#define CHAINS 2

/**
 * Hashing a disclosed key down to the newest verified one costs a step
 * per interval between them, up to N: free for the few intervals since
 * the last frame, from a per-source budget beyond (one walk across an
 * hour's chain at once, then a tenth of that per second), so that forged
 * frames far ahead cost a receiver at most a few ms a second.  Signed
 * checkpoints in the sender's bootstraps let a receiver skip ahead instead.
 */
#define WALK_FREE 64
#define WALK_BUDGET 65536
#define WALK_REFILL_MS 10000

/** recent keys a receiver keeps per chain, by interval modulo this */
#define RING 64

/** the labels of the PRFs: F for the chain, F' for the MAC keys */
static const uint8_t label_f[] = { 'F' };
static const uint8_t label_fp[] = { 'F', '\'' };

/** One chain as a bootstrap announces it */
struct tesla_chain {
	/** the chain's generation, in the top byte of every frame's interval */
	uint8_t gen;
	/** the start of its interval 1, ms since the epoch */
	uint64_t t0;
	/** its length N in intervals */
	uint32_t n;
	/** the commitment K_0 */
	uint8_t k0[KEY_LEN];
};

/** A sender's chain: all its keys */
struct tesla_keys {
	struct tesla_chain c;
	/** K_0 .. K_N, NULL if none */
	uint8_t (*keys)[KEY_LEN];
};

struct tesla_signer {
	/** to free the chains in signer_clear */
	sam_mem_ops mem;
	/** SHA-256 (for F and F') and AES-128-GCM (for the MAC), fetched once */
	EVP_MD *md;
	EVP_CIPHER *gcm;
	/** keyed for K'_last of the current chain if mac_keyed */
	EVP_CIPHER_CTX *mac;
	int mac_keyed;
	uint32_t interval;
	uint32_t delay;
	/** the chain in use, the next once it is made, and the one before
	 *  while its last keys are disclosed */
	struct tesla_keys cur;
	struct tesla_keys next;
	struct tesla_keys prev;
	/** the highest interval used of cur: a clock going back never reuses
	 *  a key disclosed already */
	uint32_t last;
};

struct tesla_ring {
	/** the interval of the key, 0 for an empty entry */
	uint32_t index;
	int have_mac_key;
	uint8_t key[KEY_LEN];
	uint8_t mac_key[KEY_LEN];
};

/** What a receiver knows of one of a source's chains */
struct tesla_known {
	int loaded;
	struct tesla_chain c;
	/** the newest verified key K_v */
	uint32_t v;
	uint8_t kv[KEY_LEN];
	struct tesla_ring ring[RING];
};

struct tesla_verifier {
	EVP_MD *md;
	EVP_CIPHER *gcm;
	/** keyed for K'_{mac_interval} of chains[mac_chain] if mac_keyed */
	EVP_CIPHER_CTX *mac;
	int mac_keyed;
	size_t mac_chain;
	uint32_t mac_interval;
	/** the schedule, shared by the chains */
	uint32_t interval;
	uint32_t delay;
	uint32_t skew;
	struct tesla_known chains[CHAINS];
	/** changes whenever a key is verified or a chain replaced */
	uint64_t epoch;
	/** steps of F left for long walks, as of walk_time (ms) */
	uint32_t walk_budget;
	uint64_t walk_time;
};

/* ---- the PRFs and the MAC ------------------------------------------------ */

/** HMAC-SHA-256 under a key of KEY_LEN bytes, truncated to KEY_LEN bytes */
static int prf(EVP_MD_CTX *ctx, const EVP_MD *md, const uint8_t *key,
			   const uint8_t *data, size_t len, uint8_t *out)
{
	uint8_t pad[64], inner[32];
	unsigned int n;
	size_t i;
	int ok;

	if (EVP_MD_CTX_get_pkey_ctx(ctx))
	{	/* a signature used the context last (a bootstrap) */
		EVP_MD_CTX_reset(ctx);
	}
	memset(pad, 0x36, sizeof(pad));
	for (i = 0; i < KEY_LEN; i++)
	{
		pad[i] ^= key[i];
	}
	ok = EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
		 EVP_DigestUpdate(ctx, pad, sizeof(pad)) == 1 &&
		 EVP_DigestUpdate(ctx, data, len) == 1 &&
		 EVP_DigestFinal_ex(ctx, inner, &n) == 1;
	for (i = 0; i < sizeof(pad); i++)
	{
		pad[i] ^= 0x36 ^ 0x5c;
	}
	ok = ok && EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
		 EVP_DigestUpdate(ctx, pad, sizeof(pad)) == 1 &&
		 EVP_DigestUpdate(ctx, inner, sizeof(inner)) == 1 &&
		 EVP_DigestFinal_ex(ctx, inner, &n) == 1;
	if (ok)
	{
		memcpy(out, inner, KEY_LEN);
	}
	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(inner, sizeof(inner));
	return ok ? SAM_OK : SAM_E_CRYPTO;
}

/** K_{i-1} = F(K_i), in place allowed */
static int chain_f(EVP_MD_CTX *ctx, const EVP_MD *md, const uint8_t *key,
				   uint8_t *out)
{
	uint8_t tmp[KEY_LEN];
	int err;

	err = prf(ctx, md, key, label_f, sizeof(label_f), tmp);
	memcpy(out, tmp, KEY_LEN);
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return err;
}

/** K'_i = F'(K_i) */
static int mac_key(EVP_MD_CTX *ctx, const EVP_MD *md, const uint8_t *key,
				   uint8_t *out)
{
	return prf(ctx, md, key, label_fp, sizeof(label_fp), out);
}

/** Key a MAC context (made on first use) for K'_i */
static int mac_rekey(EVP_CIPHER_CTX **mac, const EVP_CIPHER *gcm,
					 const uint8_t *key)
{
	if (!*mac)
	{
		*mac = EVP_CIPHER_CTX_new();
		if (!*mac || EVP_EncryptInit_ex(*mac, gcm, NULL, NULL, NULL) != 1)
		{
			ERR_clear_error();
			return SAM_E_CRYPTO;
		}
	}
	if (EVP_EncryptInit_ex(*mac, NULL, NULL, key, NULL) != 1)
	{
		ERR_clear_error();
		return SAM_E_CRYPTO;
	}
	return SAM_OK;
}

/**
 * The MAC of a frame: AES-128-GMAC under the key mac is keyed for, the
 * nonce the frame's source id and sequence number (unique per sender and
 * so per key), the authenticated data the frame's header and payload
 */
static int frame_mac(EVP_CIPHER_CTX *mac, const uint8_t *data, size_t len,
					 uint8_t *out)
{
	int outl;

	if (EVP_EncryptInit_ex(mac, NULL, NULL, NULL, data + NONCE_OFFSET) != 1 ||
		EVP_EncryptUpdate(mac, NULL, &outl, data, (int)len) != 1 ||
		EVP_EncryptFinal_ex(mac, NULL, &outl) != 1 ||
		EVP_CIPHER_CTX_ctrl(mac, EVP_CTRL_GCM_GET_TAG, MAC_LEN, out) != 1)
	{
		ERR_clear_error();
		return SAM_E_CRYPTO;
	}
	return SAM_OK;
}

/** Fetch SHA-256 and AES-128-GCM once per signer or verifier */
static int fetch_algorithms(EVP_MD **md, EVP_CIPHER **gcm)
{
	if (!*md)
	{
		*md = EVP_MD_fetch(NULL, "SHA256", NULL);
	}
	if (!*gcm)
	{
		*gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	}
	if (!*md || !*gcm)
	{
		ERR_clear_error();
		return SAM_E_CRYPTO;
	}
	return SAM_OK;
}

/** Free what fetch_algorithms() fetched and the MAC context keyed with it */
static void free_algorithms(EVP_MD **md, EVP_CIPHER **gcm,
							EVP_CIPHER_CTX **mac)
{
	EVP_CIPHER_CTX_free(*mac);
	*mac = NULL;
	EVP_CIPHER_free(*gcm);
	*gcm = NULL;
	EVP_MD_free(*md);
	*md = NULL;
}

/** The disclosed key's index in a frame of interval i */
static uint32_t disclosed(uint32_t i, uint32_t delay)
{
	return i > delay ? i - delay : 0;
}

/** The interval of a time in a chain: 0 before T0, 1 from T0 */
static uint64_t interval_at(const struct tesla_chain *c, uint32_t interval,
							uint64_t t)
{
	return t < c->t0 ? 0 : (t - c->t0) / interval + 1;
}

/* ---- sender -------------------------------------------------------------- */

static void keys_free(struct tesla_signer *s, struct tesla_keys *k)
{
	if (k->keys)
	{
		OPENSSL_cleanse(k->keys, ((size_t)k->c.n + 1) * KEY_LEN);
		s->mem.free(s->mem.user, k->keys);
	}
	memset(k, 0, sizeof(*k));
}

static void tesla_signer_clear(void *signer)
{
	struct tesla_signer *s = signer;

	keys_free(s, &s->cur);
	keys_free(s, &s->next);
	keys_free(s, &s->prev);
	free_algorithms(&s->md, &s->gcm, &s->mac);
}

/** Make the keys of chain c (gen, t0, n set) from K_N = seed, into out */
static int keys_make(struct tesla_signer *s, EVP_MD_CTX *md,
					 const uint8_t *seed, const struct tesla_chain *c,
					 struct tesla_keys *out)
{
	uint8_t (*keys)[KEY_LEN];
	size_t size = ((size_t)c->n + 1) * KEY_LEN;
	uint32_t i;
	int err = SAM_OK;

	keys = s->mem.alloc(s->mem.user, size);
	if (!keys)
	{
		return SAM_E_NOMEM;
	}
	memcpy(keys[c->n], seed, KEY_LEN);
	for (i = c->n; i > 0 && err == SAM_OK; i--)
	{
		err = chain_f(md, s->md, keys[i], keys[i - 1]);
	}
	if (err != SAM_OK)
	{
		OPENSSL_cleanse(keys, size);
		s->mem.free(s->mem.user, keys);
		return err;
	}
	*out = (struct tesla_keys){
		.c = *c,
		.keys = keys,
	};
	memcpy(out->c.k0, keys[0], KEY_LEN);
	return SAM_OK;
}

/** Make a chain from a random seed */
static int keys_random(struct tesla_signer *s, EVP_MD_CTX *md,
					   const struct tesla_chain *c, struct tesla_keys *out)
{
	uint8_t seed[KEY_LEN];
	int err;

	if (RAND_bytes(seed, sizeof(seed)) != 1)
	{
		ERR_clear_error();
		return SAM_E_CRYPTO;
	}
	err = keys_make(s, md, seed, c, out);
	OPENSSL_cleanse(seed, sizeof(seed));
	return err;
}

/** The signer of a context whose signing key is a tesla key */
static int get_signer(const sam_ctx *ctx, struct tesla_signer **s)
{
	if (!ctx)
	{
		return SAM_E_INVAL;
	}
	if (!ctx->send_ops)
	{
		return SAM_E_NOKEY;
	}
	if (ctx->send_ops != &sam_scheme_tesla)
	{
		return SAM_E_SCHEME;
	}
	*s = ctx->signer;
	return SAM_OK;
}

/** Replace the signer's chains by one from seed (random if NULL) */
static int start_chain(sam_ctx *ctx, const uint8_t *seed, uint8_t gen,
					   uint64_t t0, unsigned int interval_ms,
					   unsigned int delay_intervals, uint32_t chain_length)
{
	struct tesla_signer *s;
	struct tesla_keys keys;
	struct tesla_chain c;
	int err;

	err = get_signer(ctx, &s);
	if (err != SAM_OK)
	{
		return err;
	}
	interval_ms = interval_ms ? interval_ms : SAM_TESLA_DEFAULT_INTERVAL;
	delay_intervals = delay_intervals ? delay_intervals
									  : SAM_TESLA_DEFAULT_DELAY;
	chain_length = chain_length ? chain_length : SAM_TESLA_DEFAULT_CHAIN;
	if (chain_length > SAM_TESLA_MAX_CHAIN ||
		delay_intervals >= chain_length || delay_intervals > UINT16_MAX ||
		t0 > UINT64_MAX / 4)
	{
		return SAM_E_INVAL;
	}
	err = fetch_algorithms(&s->md, &s->gcm);
	if (err != SAM_OK)
	{
		return err;
	}
	s->mem = ctx->mem;
	c = (struct tesla_chain){
		.gen = gen,
		.t0 = t0,
		.n = chain_length,
	};
	err = seed ? keys_make(s, ctx->md, seed, &c, &keys)
			   : keys_random(s, ctx->md, &c, &keys);
	if (err != SAM_OK)
	{
		return err;
	}
	keys_free(s, &s->cur);
	keys_free(s, &s->next);
	keys_free(s, &s->prev);
	s->cur = keys;
	s->interval = interval_ms;
	s->delay = delay_intervals;
	s->last = 0;
	s->mac_keyed = 0;
	return SAM_OK;
}

int sam_tesla_set_chain(sam_ctx *ctx, const uint8_t seed[KEY_LEN],
						uint64_t t0, unsigned int interval_ms,
						unsigned int delay_intervals, uint32_t chain_length)
{
	if (!seed)
	{
		return SAM_E_INVAL;
	}
	return start_chain(ctx, seed, 0, t0, interval_ms, delay_intervals,
					   chain_length);
}

int sam_set_tesla(sam_ctx *ctx, unsigned int interval_ms,
				  unsigned int delay_intervals, uint32_t chain_length)
{
	uint8_t gen;

	if (!ctx)
	{
		return SAM_E_INVAL;
	}
	/* a restarted sender's chain should not share a generation with the
	 * one receivers may still hold of it */
	if (RAND_bytes(&gen, 1) != 1)
	{
		ERR_clear_error();
		return SAM_E_CRYPTO;
	}
	return start_chain(ctx, NULL, gen, ctx->clock(ctx->clock_user),
					   interval_ms, delay_intervals, chain_length);
}

static void put_chain(uint8_t *out, const struct tesla_chain *c)
{
	out[0] = c->gen;
	sam_put64(out + 1, c->t0);
	sam_put32(out + 9, c->n);
	memcpy(out + 13, c->k0, KEY_LEN);
}

int sam_tesla_bootstrap_body(const sam_ctx *ctx, uint8_t *out, size_t size)
{
	struct tesla_signer *s;
	size_t len;
	int err;

	err = get_signer(ctx, &s);
	if (err != SAM_OK || !out)
	{
		return err != SAM_OK ? err : SAM_E_INVAL;
	}
	if (!s->cur.keys)
	{
		return SAM_E_NOKEY;
	}
	len = BODY_HEAD + BODY_CHAIN * (s->next.keys ? 2 : 1);
	if (size < len)
	{
		return SAM_E_BUFSIZE;
	}
	out[0] = SAM_TESLA_BODY_VERSION;
	out[1] = KEY_LEN;
	sam_put16(out + 2, (uint16_t)s->delay);
	sam_put32(out + 4, s->interval);
	out[8] = s->next.keys ? 2 : 1;
	put_chain(out + BODY_HEAD, &s->cur.c);
	if (s->next.keys)
	{
		put_chain(out + BODY_HEAD + BODY_CHAIN, &s->next.c);
	}
	return (int)len;
}

int sam_tesla_checkpoint_body(const sam_ctx *ctx, uint8_t *out, size_t size)
{
	struct tesla_signer *s;
	uint32_t j;
	int len;

	len = sam_tesla_bootstrap_body(ctx, out, size);
	if (len < 0)
	{
		return len;
	}
	s = ctx->signer;
	j = disclosed(s->last, s->delay);
	if (!j)
	{	/* nothing of this chain disclosed yet */
		return len;
	}
	if (size < (size_t)len + BODY_CHECKPOINT)
	{
		return SAM_E_BUFSIZE;
	}
	out[len] = s->cur.c.gen;
	sam_put32(out + len + 1, j);
	memcpy(out + len + 5, s->cur.keys[j], KEY_LEN);
	return len + BODY_CHECKPOINT;
}

/**
 * Bring the sender's chains to time t: make the next chain once a
 * quarter of the current one is left (so that its bootstrap is out well
 * before it is used), switch to it at the boundary, and start afresh if
 * the clock jumped past both
 */
static int advance(struct tesla_signer *s, EVP_MD_CTX *md, uint64_t t)
{
	struct tesla_chain c;
	uint64_t i = interval_at(&s->cur.c, s->interval, t);
	int err;

	if (!s->next.keys && i + s->cur.c.n / 4 >= s->cur.c.n)
	{
		c = (struct tesla_chain){
			.gen = (uint8_t)(s->cur.c.gen + 1),
			.t0 = s->cur.c.t0 + (uint64_t)s->cur.c.n * s->interval,
			.n = s->cur.c.n,
		};
		if (c.t0 <= t && interval_at(&c, s->interval, t) > c.n)
		{	/* idle for longer than a chain: start now */
			c.t0 = t;
		}
		err = keys_random(s, md, &c, &s->next);
		if (err != SAM_OK)
		{
			return err;
		}
	}
	if (i > s->cur.c.n && s->next.keys)
	{	/* the current chain is used up; the next one discloses its last
		 * keys if it follows on */
		keys_free(s, &s->prev);
		if (s->next.c.t0 == s->cur.c.t0 + (uint64_t)s->cur.c.n * s->interval)
		{
			s->prev = s->cur;
		}
		else
		{
			keys_free(s, &s->cur);
		}
		s->cur = s->next;
		memset(&s->next, 0, sizeof(s->next));
		s->last = 0;
		s->mac_keyed = 0;
		return advance(s, md, t);
	}
	return SAM_OK;
}

static int tesla_sign(void *signer, const struct sam_key *key,
		const struct sam_scheme_env *env, const uint8_t *data, size_t len,
		uint8_t *out)
{
	struct tesla_signer *s = signer;
	const uint8_t *disclose;
	uint8_t mk[KEY_LEN];
	uint32_t field;
	uint64_t i;
	int err;

	(void)key;
	if (!s->cur.keys)
	{	/* sam_set_tesla() first */
		return SAM_E_NOKEY;
	}
	err = advance(s, env->md, env->now);
	if (err != SAM_OK)
	{
		return err;
	}
	i = interval_at(&s->cur.c, s->interval, env->now);
	i = i < s->last ? s->last : (i ? i : 1);
	if (i > s->cur.c.n)
	{	/* a clock gone back into a chain left already */
		return SAM_E_KEY_EXPIRED;
	}
	if (i != s->last || !s->mac_keyed)
	{
		err = mac_key(env->md, s->md, s->cur.keys[i], mk);
		if (err == SAM_OK)
		{
			err = mac_rekey(&s->mac, s->gcm, mk);
		}
		OPENSSL_cleanse(mk, sizeof(mk));
		if (err != SAM_OK)
		{
			s->mac_keyed = 0;
			return err;
		}
		s->last = (uint32_t)i;
		s->mac_keyed = 1;
	}
	field = (uint32_t)s->cur.c.gen << GEN_SHIFT | (uint32_t)i;
	if (i <= s->delay && s->prev.keys)
	{	/* K_{n-d+i} of the chain before, not this chain's K_0 */
		field |= PREVIOUS_KEY;
		disclose = s->prev.keys[s->prev.c.n - s->delay + (uint32_t)i];
	}
	else
	{
		if (s->prev.keys)
		{	/* all of its keys are out */
			keys_free(s, &s->prev);
		}
		disclose = s->cur.keys[disclosed((uint32_t)i, s->delay)];
	}
	sam_put32(out + AUTH_INTERVAL, field);
	memcpy(out + AUTH_KEY, disclose, KEY_LEN);
	return frame_mac(s->mac, data, len, out + AUTH_MAC);
}

/* ---- receiver ------------------------------------------------------------ */

static int tesla_verifier_init(void *verifier, const struct sam_key *key)
{
	struct tesla_verifier *v = verifier;

	(void)key;
	v->skew = SAM_TESLA_DEFAULT_SKEW;
	v->walk_budget = WALK_BUDGET;
	return fetch_algorithms(&v->md, &v->gcm);
}

static void tesla_verifier_clear(void *verifier)
{
	struct tesla_verifier *v = verifier;

	free_algorithms(&v->md, &v->gcm, &v->mac);
	OPENSSL_cleanse(v->chains, sizeof(v->chains));
}

/** The chain of a generation, NULL if the receiver has none */
static struct tesla_known *find_chain(struct tesla_verifier *v, uint8_t gen,
									  size_t *index)
{
	size_t k;

	for (k = 0; k < CHAINS; k++)
	{
		if (v->chains[k].loaded && v->chains[k].c.gen == gen)
		{
			if (index)
			{
				*index = k;
			}
			return &v->chains[k];
		}
	}
	return NULL;
}

/** The ring entry of interval i if it holds K_i, else NULL */
static struct tesla_ring *ring_get(struct tesla_known *c, uint32_t i)
{
	struct tesla_ring *r = &c->ring[i % RING];

	return i && r->index == i ? r : NULL;
}

static void ring_put(struct tesla_known *c, uint32_t i, const uint8_t *key)
{
	struct tesla_ring *r = &c->ring[i % RING];

	if (i && i + RING > c->v)
	{	/* only the newest RING keys */
		r->index = i;
		r->have_mac_key = 0;
		memcpy(r->key, key, KEY_LEN);
	}
}

/** K_i for i <= v, from the ring or hashed down from K_v */
static int known_key(struct tesla_verifier *v, struct tesla_known *c,
					 EVP_MD_CTX *md, uint32_t i, uint8_t *out)
{
	struct tesla_ring *r = ring_get(c, i);
	uint32_t k;
	int err = SAM_OK;

	if (r)
	{
		memcpy(out, r->key, KEY_LEN);
		return SAM_OK;
	}
	memcpy(out, c->kv, KEY_LEN);
	for (k = c->v; k > i && err == SAM_OK; k--)
	{
		err = chain_f(md, v->md, out, out);
	}
	return err;
}

/** Check a disclosed K_j against K_v; on success it becomes K_v */
/** Take steps of a long walk from the budget, refilled by time */
static int walk_allowed(struct tesla_verifier *v, uint64_t now, uint32_t steps)
{
	uint64_t refill;

	if (steps <= WALK_FREE)
	{
		return 1;
	}
	if (now > v->walk_time)
	{
		refill = now - v->walk_time >= WALK_REFILL_MS ? WALK_BUDGET
				 : (now - v->walk_time) * WALK_BUDGET / WALK_REFILL_MS;
		v->walk_budget = refill >= WALK_BUDGET - v->walk_budget
						 ? WALK_BUDGET : v->walk_budget + (uint32_t)refill;
		v->walk_time = now;
	}
	if (steps > v->walk_budget)
	{
		return 0;
	}
	v->walk_budget -= steps;
	return 1;
}

static int check_disclosed(struct tesla_verifier *v, struct tesla_known *c,
						   EVP_MD_CTX *md, uint64_t now, uint32_t j,
						   const uint8_t *key)
{
	uint8_t k[KEY_LEN], keep[RING][KEY_LEN];
	uint32_t steps, s;
	int err = SAM_OK, ok;

	if (j <= c->v)
	{	/* older than or the newest key: it must be the one we know */
		if (j)
		{
			err = known_key(v, c, md, j, k);
		}
		else
		{
			memcpy(k, c->c.k0, KEY_LEN);
		}
		ok = err == SAM_OK && CRYPTO_memcmp(k, key, KEY_LEN) == 0;
		OPENSSL_cleanse(k, sizeof(k));
		return err != SAM_OK ? err : (ok ? SAM_OK : SAM_E_BAD_AUTH);
	}
	/* newer: F^(j-v)(K_j) = K_v; j <= N bounds the work by the chain */
	steps = j - c->v;
	if (!walk_allowed(v, now, steps))
	{
		return SAM_E_BEHIND;
	}
	memcpy(k, key, KEY_LEN);
	for (s = 0; s < steps && err == SAM_OK; s++)
	{
		if (s < RING)
		{	/* K_{j-s}: the newest keys go into the ring on success */
			memcpy(keep[s], k, KEY_LEN);
		}
		err = chain_f(md, v->md, k, k);
	}
	ok = err == SAM_OK && CRYPTO_memcmp(k, c->kv, KEY_LEN) == 0;
	if (ok)
	{	/* nothing cached changes before the key is proven */
		c->v = j;
		memcpy(c->kv, key, KEY_LEN);
		for (s = 0; s < steps && s < RING; s++)
		{
			ring_put(c, j - s, keep[s]);
		}
		v->epoch++;
	}
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(keep, sizeof(keep));
	return err != SAM_OK ? err : (ok ? SAM_OK : SAM_E_BAD_AUTH);
}

/** Key the verifier's MAC context for K'_i of chain k, i <= its v */
static int mac_select(struct tesla_verifier *v, EVP_MD_CTX *md, size_t k,
					  uint32_t i)
{
	struct tesla_known *c = &v->chains[k];
	struct tesla_ring *r = ring_get(c, i);
	uint8_t key[KEY_LEN], mk[KEY_LEN];
	int err = SAM_OK;

	if (v->mac_keyed && v->mac_chain == k && v->mac_interval == i)
	{	/* the usual case: the frames of one interval one after another */
		return SAM_OK;
	}
	if (r && r->have_mac_key)
	{
		memcpy(mk, r->mac_key, KEY_LEN);
	}
	else
	{
		err = known_key(v, c, md, i, key);
		if (err == SAM_OK)
		{
			err = mac_key(md, v->md, key, mk);
		}
		if (err == SAM_OK && r)
		{
			memcpy(r->mac_key, mk, KEY_LEN);
			r->have_mac_key = 1;
		}
		OPENSSL_cleanse(key, sizeof(key));
	}
	if (err == SAM_OK)
	{
		err = mac_rekey(&v->mac, v->gcm, mk);
	}
	OPENSSL_cleanse(mk, sizeof(mk));
	v->mac_keyed = err == SAM_OK;
	v->mac_chain = k;
	v->mac_interval = i;
	return err;
}

/** Check the MAC of a frame of interval i <= v of chain k */
static int check_mac(struct tesla_verifier *v, const struct sam_scheme_env *env,
					 size_t k, uint32_t i, const struct sam_frame_view *frame)
{
	uint8_t mac[MAC_LEN];
	int err, ok;

	err = mac_select(v, env->md, k, i);
	if (err == SAM_OK)
	{
		err = frame_mac(v->mac, frame->data, frame->data_len, mac);
	}
	ok = err == SAM_OK &&
		 CRYPTO_memcmp(mac, frame->auth + AUTH_MAC, MAC_LEN) == 0;
	return err != SAM_OK ? err : (ok ? SAM_OK : SAM_E_BAD_AUTH);
}

static int tesla_verify(void *verifier, const struct sam_key *key,
		const struct sam_scheme_env *env, const struct sam_frame_view *frame)
{
	struct tesla_verifier *v = verifier;
	struct tesla_known *c, *prev;
	uint64_t latest;
	uint32_t field, i;
	size_t k;
	int err;

	(void)key;
	if (frame->auth_len != AUTH_LEN)
	{
		return SAM_E_MALFORMED;
	}
	field = sam_get32(frame->auth + AUTH_INTERVAL);
	c = find_chain(v, (uint8_t)(field >> GEN_SHIFT), &k);
	if (!c)
	{	/* no commitment (yet) for the frame's chain */
		return SAM_E_NOKEY;
	}
	i = field & INTERVAL_MASK;
	if (i < 1 || i > c->c.n || ((field & PREVIOUS_KEY) && i > v->delay))
	{
		return SAM_E_BAD_AUTH;
	}
	/* the safety condition: the latest interval the sender may be in */
	latest = interval_at(&c->c, v->interval, env->now + v->skew);
	if (latest >= (uint64_t)i + v->delay)
	{
		return SAM_E_UNSAFE;
	}
	if (i > latest && i > 1)
	{	/* an interval the sender cannot be in yet */
		return SAM_E_BAD_AUTH;
	}
	if (field & PREVIOUS_KEY)
	{	/* a key of the chain before, if this receiver has that one: a
		 * receiver that came later waits for this chain's own keys */
		prev = find_chain(v, (uint8_t)((field >> GEN_SHIFT) - 1), NULL);
		err = prev && prev->c.n > v->delay
			? check_disclosed(v, prev, env->md, env->now,
							  prev->c.n - v->delay + i,
							  frame->auth + AUTH_KEY)
			: SAM_OK;
	}
	else
	{
		err = check_disclosed(v, c, env->md, env->now,
							  disclosed(i, v->delay), frame->auth + AUTH_KEY);
	}
	if (err != SAM_OK)
	{
		return err;
	}
	return i <= c->v ? check_mac(v, env, k, i, frame) : SAM_PENDING;
}

static int tesla_resolve(void *verifier, const struct sam_key *key,
		const struct sam_scheme_env *env, const struct sam_frame_view *frame)
{
	struct tesla_verifier *v = verifier;
	uint32_t field = sam_get32(frame->auth + AUTH_INTERVAL);
	uint32_t i = field & INTERVAL_MASK;
	struct tesla_known *c;
	uint64_t deadline;
	size_t k;

	(void)key;
	c = find_chain(v, (uint8_t)(field >> GEN_SHIFT), &k);
	if (!c)
	{	/* the source's chain was replaced */
		return SAM_E_EXPIRED;
	}
	if (i <= c->v)
	{
		return check_mac(v, env, k, i, frame);
	}
	/* K_i is out from interval i + d on: give it one interval more and
	 * the skew, then it will not come */
	deadline = c->c.t0 + ((uint64_t)i + v->delay + 1) * v->interval +
			   v->skew;
	return env->now > deadline ? SAM_E_EXPIRED : SAM_PENDING;
}

/** The parsed bootstrap body */
struct tesla_body {
	uint32_t interval;
	uint32_t delay;
	size_t count;
	struct tesla_chain chains[CHAINS];
	/** a key the sender disclosed already, if has_checkpoint */
	int has_checkpoint;
	uint8_t checkpoint_gen;
	uint32_t checkpoint;
	uint8_t checkpoint_key[KEY_LEN];
};

static int parse_body(const uint8_t *body, size_t len, struct tesla_body *b)
{
	const uint8_t *p;
	size_t k;

	if (len < 1)
	{
		return SAM_E_MALFORMED;
	}
	if (body[0] != SAM_TESLA_BODY_VERSION)
	{
		return SAM_E_VERSION;
	}
	if (len < BODY_HEAD || body[1] != KEY_LEN || body[8] < 1 ||
		body[8] > CHAINS ||
		(len != BODY_HEAD + BODY_CHAIN * (size_t)body[8] &&
		 len != BODY_HEAD + BODY_CHAIN * (size_t)body[8] + BODY_CHECKPOINT))
	{
		return SAM_E_MALFORMED;
	}
	memset(b, 0, sizeof(*b));
	b->delay = sam_get16(body + 2);
	b->interval = sam_get32(body + 4);
	b->count = body[8];
	if (!b->delay || !b->interval)
	{
		return SAM_E_MALFORMED;
	}
	for (k = 0; k < b->count; k++)
	{
		struct tesla_chain *c = &b->chains[k];

		p = body + BODY_HEAD + k * BODY_CHAIN;
		c->gen = p[0];
		c->t0 = sam_get64(p + 1);
		c->n = sam_get32(p + 9);
		memcpy(c->k0, p + 13, KEY_LEN);
		if (!c->n || c->n > SAM_TESLA_MAX_CHAIN || b->delay >= c->n ||
			c->t0 > UINT64_MAX / 4 || (k && c->gen == b->chains[0].gen))
		{
			return SAM_E_MALFORMED;
		}
	}
	p = body + BODY_HEAD + b->count * BODY_CHAIN;
	if (p < body + len)
	{
		b->has_checkpoint = 1;
		b->checkpoint_gen = p[0];
		b->checkpoint = sam_get32(p + 1);
		memcpy(b->checkpoint_key, p + 5, KEY_LEN);
		for (k = 0; k < b->count; k++)
		{
			if (b->chains[k].gen == b->checkpoint_gen)
			{
				break;
			}
		}
		if (k == b->count || !b->checkpoint ||
			b->checkpoint > b->chains[k].n)
		{	/* of a chain the body lists */
			return SAM_E_MALFORMED;
		}
	}
	return SAM_OK;
}

static int same_chain(const struct tesla_chain *a, const struct tesla_chain *b)
{
	return a->gen == b->gen && a->t0 == b->t0 && a->n == b->n &&
		   memcmp(a->k0, b->k0, KEY_LEN) == 0;
}

/** Start over from a chain's commitment in slot k */
static void known_load(struct tesla_verifier *v, size_t k,
					   const struct tesla_chain *c)
{
	struct tesla_known *known = &v->chains[k];

	OPENSSL_cleanse(known, sizeof(*known));
	known->loaded = 1;
	known->c = *c;
	memcpy(known->kv, c->k0, KEY_LEN);
	if (v->mac_chain == k)
	{
		v->mac_keyed = 0;
	}
	v->epoch++;
}

/**
 * Where a listed chain goes: the slot holding it already (kept, with
 * what was verified of it), or the slot of its generation (the sender
 * started over), or an empty one, or the one of a chain the body does not
 * list (the one it moved on from)
 */
static size_t known_slot(const struct tesla_verifier *v,
						 const struct tesla_body *b, size_t listed)
{
	size_t k, l, fallback = CHAINS;

	for (k = 0; k < CHAINS; k++)
	{
		if (v->chains[k].loaded &&
			v->chains[k].c.gen == b->chains[listed].gen)
		{
			return k;
		}
	}
	for (k = 0; k < CHAINS; k++)
	{
		int in_body = 0;

		if (!v->chains[k].loaded)
		{
			return k;
		}
		for (l = 0; l < b->count; l++)
		{
			in_body |= v->chains[k].c.gen == b->chains[l].gen;
		}
		if (!in_body && fallback == CHAINS)
		{
			fallback = k;
		}
	}
	return fallback;
}

int sam_tesla_apply(sam_ctx *ctx, struct sam_source *src, const uint8_t *body,
					size_t len)
{
	struct tesla_verifier *v;
	struct tesla_body b;
	size_t k, l;
	int err;

	if (!src || src->ops != &sam_scheme_tesla)
	{
		return SAM_E_SCHEME;
	}
	err = parse_body(body, len, &b);
	if (err != SAM_OK)
	{
		return err;
	}
	v = src->verifier;
	v->skew = ctx->tesla_skew_set ? ctx->tesla_skew : SAM_TESLA_DEFAULT_SKEW;
	if (v->interval != b.interval || v->delay != b.delay)
	{	/* another schedule: nothing known of the old chains holds */
		for (k = 0; k < CHAINS; k++)
		{
			v->chains[k].loaded = 0;
		}
		v->interval = b.interval;
		v->delay = b.delay;
		v->mac_keyed = 0;
		v->epoch++;
	}
	for (l = 0; l < b.count; l++)
	{
		k = known_slot(v, &b, l);
		if (k < CHAINS && !(v->chains[k].loaded &&
							same_chain(&v->chains[k].c, &b.chains[l])))
		{
			known_load(v, k, &b.chains[l]);
		}
	}
	if (b.has_checkpoint)
	{	/* signed by the sender: a key to skip ahead to, no walk needed */
		struct tesla_known *c = find_chain(v, b.checkpoint_gen, NULL);

		if (c && b.checkpoint > c->v)
		{
			c->v = b.checkpoint;
			memcpy(c->kv, b.checkpoint_key, KEY_LEN);
			ring_put(c, b.checkpoint, b.checkpoint_key);
			v->epoch++;
		}
	}
	OPENSSL_cleanse(&b, sizeof(b));
	return SAM_OK;
}

int sam_set_tesla_skew(sam_ctx *ctx, unsigned int max_skew_ms)
{
	size_t i;

	if (!ctx || max_skew_ms > UINT32_MAX / 2)
	{
		return SAM_E_INVAL;
	}
	ctx->tesla_skew = max_skew_ms;
	ctx->tesla_skew_set = 1;
	for (i = 0; i < ctx->nsources; i++)
	{
		if (ctx->sources[i].ops == &sam_scheme_tesla)
		{
			((struct tesla_verifier *)ctx->sources[i].verifier)->skew =
				max_skew_ms;
		}
	}
	return SAM_OK;
}

/* pending frames can only be decided once a newer key came or a chain
 * was replaced (or by time, which sam_poll() covers) */
static uint64_t tesla_resolve_epoch(const void *verifier)
{
	const struct tesla_verifier *v = verifier;

	return v->epoch;
}

uint32_t sam_tesla_verified(const struct sam_source *src)
{
	const struct tesla_verifier *v = src->verifier;
	uint32_t newest = 0;
	size_t k;

	for (k = 0; k < CHAINS; k++)
	{
		if (v->chains[k].loaded && v->chains[k].v > newest)
		{
			newest = v->chains[k].v;
		}
	}
	return newest;
}

const struct sam_scheme_ops sam_scheme_tesla = {
	.id = SAM_SCHEME_TESLA,
	.name = "tesla",
	.wire_id = SAM_SCHEME_TESLA,
	.key_kind = SAM_KEY_ED25519,
	.auth = SAM_AUTH_SOURCE,
	.max_auth_len = AUTH_LEN,
	.generate = sam_ed25519_generate,
	.signer_size = sizeof(struct tesla_signer),
	.signer_clear = tesla_signer_clear,
	.sign = tesla_sign,
	.verifier_size = sizeof(struct tesla_verifier),
	.verifier_init = tesla_verifier_init,
	.verifier_clear = tesla_verifier_clear,
	.verify = tesla_verify,
	.resolve = tesla_resolve,
	.resolve_epoch = tesla_resolve_epoch,
};
