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
 * The whole chain is kept by the sender (16 bytes an interval, allocated
 * through the memory context by sam_set_tesla()); a receiver keeps the
 * newest verified key and a ring of the recent keys with their MAC keys.
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

/** recent keys a receiver keeps, by interval modulo this */
#define RING 64

/** the labels of the PRFs: F for the chain, F' for the MAC keys */
static const uint8_t label_f[] = { 'F' };
static const uint8_t label_fp[] = { 'F', '\'' };

/** The schedule and commitment a bootstrap announces */
struct tesla_params {
	uint64_t t0;
	uint32_t interval;
	uint32_t delay;
	uint32_t n;
	uint8_t k0[KEY_LEN];
};

struct tesla_signer {
	/** to free the chain in signer_clear */
	sam_mem_ops mem;
	/** SHA-256, fetched once */
	EVP_MD *md;
	/** K_0 .. K_N, NULL until sam_set_tesla() */
	uint8_t (*chain)[KEY_LEN];
	struct tesla_params p;
	/** the highest interval used: a clock going back never reuses a key
	 *  disclosed already */
	uint32_t last;
	/** K'_last */
	uint8_t mac_key[KEY_LEN];
};

struct tesla_ring {
	/** the interval of the key, 0 for an empty entry */
	uint32_t index;
	int have_mac_key;
	uint8_t key[KEY_LEN];
	uint8_t mac_key[KEY_LEN];
};

struct tesla_verifier {
	EVP_MD *md;
	int loaded;
	struct tesla_params p;
	uint32_t skew;
	/** the newest verified key K_v */
	uint32_t v;
	uint8_t kv[KEY_LEN];
	struct tesla_ring ring[RING];
};

/* ---- the PRFs ------------------------------------------------------------ */

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

/** The first MAC_LEN bytes of HMAC-SHA-256 under K'_i over a frame */
static int frame_mac(EVP_MD_CTX *ctx, const EVP_MD *md, const uint8_t *key,
					 const uint8_t *data, size_t len, uint8_t *out)
{
	return prf(ctx, md, key, data, len, out);
}

static EVP_MD *fetch_sha256(void)
{
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);

	if (!md)
	{
		ERR_clear_error();
	}
	return md;
}

/** The disclosed key's index in a frame of interval i */
static uint32_t disclosed(uint32_t i, uint32_t delay)
{
	return i > delay ? i - delay : 0;
}

/* ---- sender -------------------------------------------------------------- */

static void signer_free_chain(struct tesla_signer *s)
{
	if (s->chain)
	{
		OPENSSL_cleanse(s->chain, ((size_t)s->p.n + 1) * KEY_LEN);
		s->mem.free(s->mem.user, s->chain);
		s->chain = NULL;
	}
}

static void tesla_signer_clear(void *signer)
{
	struct tesla_signer *s = signer;

	signer_free_chain(s);
	EVP_MD_free(s->md);
	s->md = NULL;
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

int sam_tesla_set_chain(sam_ctx *ctx, const uint8_t seed[KEY_LEN],
						uint64_t t0, unsigned int interval_ms,
						unsigned int delay_intervals, uint32_t chain_length)
{
	struct tesla_signer *s;
	uint8_t (*chain)[KEY_LEN];
	uint32_t i;
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
	if (!seed || chain_length > SAM_TESLA_MAX_CHAIN ||
		delay_intervals >= chain_length || delay_intervals > UINT16_MAX)
	{
		return SAM_E_INVAL;
	}
	if (!s->md)
	{
		s->md = fetch_sha256();
		if (!s->md)
		{
			return SAM_E_CRYPTO;
		}
	}
	chain = sam_ctx_alloc(ctx, ((size_t)chain_length + 1) * KEY_LEN);
	if (!chain)
	{
		return SAM_E_NOMEM;
	}
	memcpy(chain[chain_length], seed, KEY_LEN);
	for (i = chain_length; i > 0 && err == SAM_OK; i--)
	{
		err = chain_f(ctx->md, s->md, chain[i], chain[i - 1]);
	}
	if (err != SAM_OK)
	{
		OPENSSL_cleanse(chain, ((size_t)chain_length + 1) * KEY_LEN);
		sam_ctx_free_mem(ctx, chain);
		return err;
	}
	signer_free_chain(s);
	s->mem = ctx->mem;
	s->chain = chain;
	s->p = (struct tesla_params){
		.t0 = t0,
		.interval = interval_ms,
		.delay = delay_intervals,
		.n = chain_length,
	};
	memcpy(s->p.k0, chain[0], KEY_LEN);
	s->last = 0;
	return SAM_OK;
}

int sam_set_tesla(sam_ctx *ctx, unsigned int interval_ms,
				  unsigned int delay_intervals, uint32_t chain_length)
{
	uint8_t seed[KEY_LEN];
	struct tesla_signer *s;
	int err;

	err = get_signer(ctx, &s);
	if (err != SAM_OK)
	{
		return err;
	}
	if (RAND_bytes(seed, sizeof(seed)) != 1)
	{
		ERR_clear_error();
		return SAM_E_CRYPTO;
	}
	err = sam_tesla_set_chain(ctx, seed, ctx->clock(ctx->clock_user),
							  interval_ms, delay_intervals, chain_length);
	OPENSSL_cleanse(seed, sizeof(seed));
	return err;
}

int sam_tesla_bootstrap_body(const sam_ctx *ctx, uint8_t *out, size_t size)
{
	struct tesla_signer *s;
	int err;

	err = get_signer(ctx, &s);
	if (err != SAM_OK || !out)
	{
		return err != SAM_OK ? err : SAM_E_INVAL;
	}
	if (!s->chain)
	{
		return SAM_E_NOKEY;
	}
	if (size < SAM_TESLA_BOOTSTRAP_BODY)
	{
		return SAM_E_BUFSIZE;
	}
	out[0] = SAM_TESLA_BODY_VERSION;
	out[1] = KEY_LEN;
	sam_put16(out + 2, (uint16_t)s->p.delay);
	sam_put32(out + 4, s->p.interval);
	sam_put64(out + 8, s->p.t0);
	sam_put32(out + 16, s->p.n);
	memcpy(out + 20, s->p.k0, KEY_LEN);
	return SAM_TESLA_BOOTSTRAP_BODY;
}

/** The interval of a time: 0 before T0, 1 from T0 */
static uint64_t interval_at(const struct tesla_params *p, uint64_t t)
{
	return t < p->t0 ? 0 : (t - p->t0) / p->interval + 1;
}

static int tesla_sign(void *signer, const struct sam_key *key,
		const struct sam_scheme_env *env, const uint8_t *data, size_t len,
		uint8_t *out)
{
	struct tesla_signer *s = signer;
	uint64_t i;
	int err;

	(void)key;
	if (!s->chain)
	{	/* sam_set_tesla() first */
		return SAM_E_NOKEY;
	}
	i = interval_at(&s->p, env->now);
	i = i < s->last ? s->last : (i ? i : 1);
	if (i > s->p.n)
	{
		return SAM_E_KEY_EXPIRED;
	}
	if (i != s->last)
	{
		err = mac_key(env->md, s->md, s->chain[i], s->mac_key);
		if (err != SAM_OK)
		{
			return err;
		}
		s->last = (uint32_t)i;
	}
	sam_put32(out + AUTH_INTERVAL, (uint32_t)i);
	memcpy(out + AUTH_KEY, s->chain[disclosed((uint32_t)i, s->p.delay)],
		   KEY_LEN);
	return frame_mac(env->md, s->md, s->mac_key, data, len, out + AUTH_MAC);
}

/* ---- receiver ------------------------------------------------------------ */

static int tesla_verifier_init(void *verifier, const struct sam_key *key)
{
	struct tesla_verifier *v = verifier;

	(void)key;
	v->md = fetch_sha256();
	v->skew = SAM_TESLA_DEFAULT_SKEW;
	return v->md ? SAM_OK : SAM_E_CRYPTO;
}

static void tesla_verifier_clear(void *verifier)
{
	struct tesla_verifier *v = verifier;

	EVP_MD_free(v->md);
	v->md = NULL;
}

/** The ring entry of interval i if it holds K_i, else NULL */
static struct tesla_ring *ring_get(struct tesla_verifier *v, uint32_t i)
{
	struct tesla_ring *r = &v->ring[i % RING];

	return i && r->index == i ? r : NULL;
}

static void ring_put(struct tesla_verifier *v, uint32_t i, const uint8_t *key)
{
	struct tesla_ring *r = &v->ring[i % RING];

	if (i && i + RING > v->v)
	{	/* only the newest RING keys */
		r->index = i;
		r->have_mac_key = 0;
		memcpy(r->key, key, KEY_LEN);
	}
}

/** K_i for i <= v, from the ring or hashed down from K_v */
static int known_key(struct tesla_verifier *v, EVP_MD_CTX *md, uint32_t i,
					 uint8_t *out)
{
	struct tesla_ring *r = ring_get(v, i);
	uint32_t k;
	int err = SAM_OK;

	if (r)
	{
		memcpy(out, r->key, KEY_LEN);
		return SAM_OK;
	}
	memcpy(out, v->kv, KEY_LEN);
	for (k = v->v; k > i && err == SAM_OK; k--)
	{
		err = chain_f(md, v->md, out, out);
	}
	return err;
}

/** Check a disclosed K_j against K_v; on success it becomes K_v */
static int check_disclosed(struct tesla_verifier *v, EVP_MD_CTX *md,
						   uint32_t j, const uint8_t *key)
{
	uint8_t k[KEY_LEN], keep[RING][KEY_LEN];
	uint32_t steps, s;
	int err = SAM_OK, ok;

	if (j <= v->v)
	{	/* older than or the newest key: it must be the one we know */
		err = j ? known_key(v, md, j, k) : SAM_OK;
		if (!j)
		{
			memcpy(k, v->p.k0, KEY_LEN);
		}
		ok = err == SAM_OK && CRYPTO_memcmp(k, key, KEY_LEN) == 0;
		OPENSSL_cleanse(k, sizeof(k));
		return err != SAM_OK ? err : (ok ? SAM_OK : SAM_E_BAD_AUTH);
	}
	/* newer: F^(j-v)(K_j) = K_v; j <= N bounds the work by the chain */
	steps = j - v->v;
	memcpy(k, key, KEY_LEN);
	for (s = 0; s < steps && err == SAM_OK; s++)
	{
		if (s < RING)
		{	/* K_{j-s}: the newest keys go into the ring on success */
			memcpy(keep[s], k, KEY_LEN);
		}
		err = chain_f(md, v->md, k, k);
	}
	ok = err == SAM_OK && CRYPTO_memcmp(k, v->kv, KEY_LEN) == 0;
	if (ok)
	{	/* nothing cached changes before the key is proven */
		v->v = j;
		memcpy(v->kv, key, KEY_LEN);
		for (s = 0; s < steps && s < RING; s++)
		{
			ring_put(v, j - s, keep[s]);
		}
	}
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(keep, sizeof(keep));
	return err != SAM_OK ? err : (ok ? SAM_OK : SAM_E_BAD_AUTH);
}

/** Check the MAC of a frame of interval i <= v */
static int check_mac(struct tesla_verifier *v, const struct sam_scheme_env *env,
					 uint32_t i, const struct sam_frame_view *frame)
{
	struct tesla_ring *r = ring_get(v, i);
	uint8_t key[KEY_LEN], mk[KEY_LEN], mac[MAC_LEN];
	int err, ok;

	if (r && r->have_mac_key)
	{
		memcpy(mk, r->mac_key, KEY_LEN);
		err = SAM_OK;
	}
	else
	{
		err = known_key(v, env->md, i, key);
		if (err == SAM_OK)
		{
			err = mac_key(env->md, v->md, key, mk);
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
		err = frame_mac(env->md, v->md, mk, frame->data, frame->data_len,
						mac);
	}
	ok = err == SAM_OK &&
		 CRYPTO_memcmp(mac, frame->auth + AUTH_MAC, MAC_LEN) == 0;
	OPENSSL_cleanse(mk, sizeof(mk));
	OPENSSL_cleanse(mac, sizeof(mac));
	return err != SAM_OK ? err : (ok ? SAM_OK : SAM_E_BAD_AUTH);
}

static int tesla_verify(void *verifier, const struct sam_key *key,
		const struct sam_scheme_env *env, const struct sam_frame_view *frame)
{
	struct tesla_verifier *v = verifier;
	uint64_t latest;
	uint32_t i;
	int err;

	(void)key;
	if (frame->auth_len != AUTH_LEN)
	{
		return SAM_E_MALFORMED;
	}
	if (!v->loaded)
	{	/* no commitment: nothing to check the chain against */
		return SAM_E_NOKEY;
	}
	i = sam_get32(frame->auth + AUTH_INTERVAL);
	if (i < 1 || i > v->p.n)
	{
		return SAM_E_BAD_AUTH;
	}
	/* the safety condition: the latest interval the sender may be in */
	latest = interval_at(&v->p, env->now + v->skew);
	if (latest >= (uint64_t)i + v->p.delay)
	{
		return SAM_E_UNSAFE;
	}
	if (i > latest && i > 1)
	{	/* an interval the sender cannot be in yet */
		return SAM_E_BAD_AUTH;
	}
	err = check_disclosed(v, env->md, disclosed(i, v->p.delay),
						  frame->auth + AUTH_KEY);
	if (err != SAM_OK)
	{
		return err;
	}
	return i <= v->v ? check_mac(v, env, i, frame) : SAM_PENDING;
}

static int tesla_resolve(void *verifier, const struct sam_key *key,
		const struct sam_scheme_env *env, const struct sam_frame_view *frame)
{
	struct tesla_verifier *v = verifier;
	uint32_t i = sam_get32(frame->auth + AUTH_INTERVAL);
	uint64_t deadline;

	(void)key;
	if (!v->loaded)
	{	/* the source's bootstrap was replaced */
		return SAM_E_EXPIRED;
	}
	if (i <= v->v)
	{
		return check_mac(v, env, i, frame);
	}
	/* K_i is out from interval i + d on: give it one interval more and
	 * the skew, then it will not come */
	deadline = v->p.t0 + ((uint64_t)i + v->p.delay + 1) * v->p.interval +
			   v->skew;
	return env->now > deadline ? SAM_E_EXPIRED : SAM_PENDING;
}

static int parse_body(const uint8_t *body, size_t len, struct tesla_params *p)
{
	if (len < 1)
	{
		return SAM_E_MALFORMED;
	}
	if (body[0] != SAM_TESLA_BODY_VERSION)
	{
		return SAM_E_VERSION;
	}
	if (len != SAM_TESLA_BOOTSTRAP_BODY || body[1] != KEY_LEN)
	{
		return SAM_E_MALFORMED;
	}
	*p = (struct tesla_params){
		.delay = sam_get16(body + 2),
		.interval = sam_get32(body + 4),
		.t0 = sam_get64(body + 8),
		.n = sam_get32(body + 16),
	};
	memcpy(p->k0, body + 20, KEY_LEN);
	if (!p->delay || !p->interval || !p->n || p->n > SAM_TESLA_MAX_CHAIN ||
		p->delay >= p->n || p->t0 > UINT64_MAX / 2)
	{
		return SAM_E_MALFORMED;
	}
	return SAM_OK;
}

int sam_tesla_apply(sam_ctx *ctx, struct sam_source *src, const uint8_t *body,
					size_t len)
{
	struct tesla_verifier *v;
	struct tesla_params p;
	int err;

	if (!src || src->ops != &sam_scheme_tesla)
	{
		return SAM_E_SCHEME;
	}
	err = parse_body(body, len, &p);
	if (err != SAM_OK)
	{
		return err;
	}
	v = src->verifier;
	v->skew = ctx->tesla_skew_set ? ctx->tesla_skew : SAM_TESLA_DEFAULT_SKEW;
	if (v->loaded && v->p.t0 == p.t0 && v->p.interval == p.interval &&
		v->p.delay == p.delay && v->p.n == p.n &&
		memcmp(v->p.k0, p.k0, KEY_LEN) == 0)
	{	/* the same chain: keep what was verified of it */
		return SAM_OK;
	}
	v->p = p;
	v->v = 0;
	memcpy(v->kv, p.k0, KEY_LEN);
	memset(v->ring, 0, sizeof(v->ring));
	v->loaded = 1;
	return SAM_OK;
}

int sam_tesla_load_bootstrap(sam_ctx *ctx, uint32_t source_id,
							 const uint8_t *blob, size_t len)
{
	const uint8_t *body;
	struct sam_source *src;
	size_t body_len;
	uint32_t id;
	int err;

	if (!ctx || !blob)
	{
		return SAM_E_INVAL;
	}
	src = sam_ctx_find_source(ctx, source_id);
	if (!src)
	{
		return SAM_E_UNKNOWN_SOURCE;
	}
	if (src->ops != &sam_scheme_tesla)
	{
		return SAM_E_SCHEME;
	}
	err = sam_bootstrap_open(ctx, blob, len, &id, &body, &body_len, NULL);
	if (err != SAM_OK)
	{
		return err;
	}
	if (id != source_id)
	{
		return SAM_E_UNKNOWN_SOURCE;
	}
	return sam_tesla_apply(ctx, src, body, body_len);
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

/* pending frames can only be decided once a newer key came (or by time,
 * which sam_poll() covers) */
static uint64_t tesla_resolve_epoch(const void *verifier)
{
	const struct tesla_verifier *v = verifier;

	return (uint64_t)v->loaded << 32 | v->v;
}

uint32_t sam_tesla_verified(const struct sam_source *src)
{
	const struct tesla_verifier *v = src->verifier;

	return v->v;
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
