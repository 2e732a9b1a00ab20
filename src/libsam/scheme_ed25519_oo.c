/*
 * ed25519-oo: online/offline Ed25519 (docs/sam-ed25519-oo.md).
 *
 * An Ed25519 signature is R || s with R = r·B and s = r + k·a mod L,
 * k = SHA-512(R || A || M).  The point multiplication r·B is the expensive
 * part and does not depend on the message: it is done offline, into a pool
 * of nonces (r, R), and signing online is one SHA-512 over the frame and
 * two scalar operations.  r is uniformly random (not derived from the
 * message as RFC 8032 does): the verifier cannot tell, and the output is
 * a standard Ed25519 signature, so the frames are ed25519 frames (scheme
 * field 2) that receivers verify with OpenSSL's stock Ed25519.
 *
 * A nonce is wiped from the pool the moment it is taken: no r is ever used
 * twice (two signatures with one r give away the secret scalar a).  When
 * the pool is empty, sign() fails with SAM_E_PRECOMPUTE and uses nothing;
 * the context decides whether to refill (precompute()) and retry.
 *
 * The point and scalar arithmetic is libsodium's; the key is OpenSSL's
 * EVP_PKEY, read once in signer_init; the frame's hash is OpenSSL's
 * SHA-512 in the context's digest context.
 */

#include <string.h>

#include <openssl/err.h>
#include <sodium.h>

#include "ed25519_ops.h"
#include "key.h"

/** nonces the signer holds: 64 bytes each, 64 KB in all */
#define OO_POOL_SIZE 1024

#define OO_SCALAR_LEN crypto_core_ed25519_SCALARBYTES
#define OO_POINT_LEN crypto_core_ed25519_BYTES

/** A precomputed nonce: the secret r and its commitment R = r·B */
struct oo_nonce {
	uint8_t r[OO_SCALAR_LEN];
	uint8_t R[OO_POINT_LEN];
};

struct oo_signer {
	/** the secret scalar: SHA-512(seed)[0..31], clamped, reduced mod L */
	uint8_t a[OO_SCALAR_LEN];
	/** the public key A = a·B, as encoded in signatures' hash input */
	uint8_t A[OO_POINT_LEN];
	/** index of the next nonce to use */
	size_t next;
	/** nonces left, from next on (cyclically) */
	size_t count;
	struct oo_nonce pool[OO_POOL_SIZE];
};

/**
 * The secret scalar of an Ed25519 seed, RFC 8032 5.1.5: the lower half of
 * SHA-512(seed), clamped, here reduced mod L (a·B is the same point).
 */
static void oo_secret_scalar(const uint8_t seed[32], uint8_t a[OO_SCALAR_LEN])
{
	uint8_t h[crypto_hash_sha512_BYTES];

	crypto_hash_sha512(h, seed, 32);
	h[0] &= 248;
	h[31] &= 127;
	h[31] |= 64;
	/* reduce takes 64 bytes: the clamped 32, then zeros */
	memset(h + 32, 0, 32);
	crypto_core_ed25519_scalar_reduce(a, h);
	sodium_memzero(h, sizeof(h));
}

/** Make one nonce into slot n; 0, or -1 if libsodium fails */
static int oo_make_nonce(struct oo_nonce *n)
{
	int tries;

	/* scalar_random gives 0 < r < L; the retry only guards against a
	 * libsodium that refuses a scalar */
	for (tries = 0; tries < 8; tries++)
	{
		crypto_core_ed25519_scalar_random(n->r);
		if (crypto_scalarmult_ed25519_base_noclamp(n->R, n->r) == 0)
		{
			return 0;
		}
	}
	sodium_memzero(n, sizeof(*n));
	return -1;
}

/** Fill the pool until it holds min(frames, OO_POOL_SIZE) nonces */
static int oo_fill(struct oo_signer *s, size_t frames)
{
	if (frames > OO_POOL_SIZE)
	{
		frames = OO_POOL_SIZE;
	}
	while (s->count < frames)
	{
		if (oo_make_nonce(&s->pool[(s->next + s->count) % OO_POOL_SIZE]))
		{
			return SAM_E_CRYPTO;
		}
		s->count++;
	}
	return SAM_OK;
}

static int oo_signer_init(void *signer, const struct sam_key *key)
{
	struct oo_signer *s = signer;
	uint8_t seed[32], A[OO_POINT_LEN];
	size_t seed_len = sizeof(seed), A_len = sizeof(s->A);

	if (sodium_init() < 0)
	{
		return SAM_E_CRYPTO;
	}
	if (!key->can_sign || !key->pkey || !EVP_PKEY_is_a(key->pkey, "ED25519"))
	{
		return SAM_E_KEY;
	}
	if (EVP_PKEY_get_raw_private_key(key->pkey, seed, &seed_len) != 1 ||
		seed_len != sizeof(seed) ||
		EVP_PKEY_get_raw_public_key(key->pkey, s->A, &A_len) != 1 ||
		A_len != sizeof(s->A))
	{
		ERR_clear_error();
		OPENSSL_cleanse(seed, sizeof(seed));
		sodium_memzero(s, sizeof(*s));
		return SAM_E_KEY;
	}
	oo_secret_scalar(seed, s->a);
	OPENSSL_cleanse(seed, sizeof(seed));
	/* the public half must belong to the private one: a signature under a
	 * wrong A would verify nowhere */
	if (crypto_scalarmult_ed25519_base_noclamp(A, s->a) != 0 ||
		sodium_memcmp(A, s->A, sizeof(A)) != 0)
	{
		sodium_memzero(s, sizeof(*s));
		return SAM_E_KEY;
	}
	if (oo_fill(s, OO_POOL_SIZE) != SAM_OK)
	{
		sodium_memzero(s, sizeof(*s));
		return SAM_E_CRYPTO;
	}
	return SAM_OK;
}

static void oo_signer_clear(void *signer)
{
	sodium_memzero(signer, sizeof(struct oo_signer));
}

/**
 * Sign with the next nonce of the pool.
 *
 * @return			SAM_OK, SAM_E_PRECOMPUTE if the pool is empty (nothing
 *					is used up then; precompute() and sign again), or
 *					SAM_E_CRYPTO if OpenSSL's SHA-512 fails
 */
static int oo_sign(void *signer, const struct sam_key *key,
				   const struct sam_scheme_env *env, const uint8_t *data,
				   size_t len, uint8_t *out)
{
	struct oo_signer *s = signer;
	struct oo_nonce *slot;
	uint8_t r[OO_SCALAR_LEN], h[EVP_MAX_MD_SIZE];
	uint8_t k[OO_SCALAR_LEN], ka[OO_SCALAR_LEN];
	unsigned int h_len = 0;
	int ok;

	(void)key;
	if (!s->count)
	{
		return SAM_E_PRECOMPUTE;
	}
	/* take the nonce out of the pool before anything else happens */
	slot = &s->pool[s->next];
	memcpy(r, slot->r, sizeof(r));
	memcpy(out, slot->R, OO_POINT_LEN);
	sodium_memzero(slot, sizeof(*slot));
	s->next = (s->next + 1) % OO_POOL_SIZE;
	s->count--;

	/* k = SHA-512(R || A || M) mod L; OpenSSL's SHA-512 is the faster
	 * one for frames of some size (assembly; libsodium's is portable C) */
	EVP_MD_CTX_reset(env->md);
	ok = EVP_DigestInit_ex(env->md, EVP_sha512(), NULL) == 1 &&
		 EVP_DigestUpdate(env->md, out, OO_POINT_LEN) == 1 &&
		 EVP_DigestUpdate(env->md, s->A, sizeof(s->A)) == 1 &&
		 EVP_DigestUpdate(env->md, data, len) == 1 &&
		 EVP_DigestFinal_ex(env->md, h, &h_len) == 1 &&
		 h_len == crypto_hash_sha512_BYTES;
	if (!ok)
	{
		/* the nonce stays used up: a retry takes the next one */
		ERR_clear_error();
		sodium_memzero(r, sizeof(r));
		sodium_memzero(out, SAM_ED25519_SIG_LEN);
		return SAM_E_CRYPTO;
	}
	crypto_core_ed25519_scalar_reduce(k, h);

	/* s = r + k·a mod L */
	crypto_core_ed25519_scalar_mul(ka, k, s->a);
	crypto_core_ed25519_scalar_add(out + OO_POINT_LEN, r, ka);

	sodium_memzero(r, sizeof(r));
	sodium_memzero(ka, sizeof(ka));
	return SAM_OK;
}

static int oo_precompute(void *signer, const struct sam_key *key,
						 const struct sam_scheme_env *env, size_t frames)
{
	(void)key;
	(void)env;
	return oo_fill(signer, frames);
}

static size_t oo_available(const void *signer)
{
	const struct oo_signer *s = signer;

	return s->count;
}

int sam_ed25519_oo_set_nonce(void *signer, const uint8_t r[32])
{
	struct oo_signer *s = signer;
	uint8_t wide[64] = { 0 };
	struct oo_nonce n;

	memcpy(wide, r, 32);
	crypto_core_ed25519_scalar_reduce(n.r, wide);
	sodium_memzero(wide, sizeof(wide));
	if (crypto_scalarmult_ed25519_base_noclamp(n.R, n.r) != 0)
	{
		sodium_memzero(&n, sizeof(n));
		return SAM_E_INVAL;
	}
	sodium_memzero(s->pool, sizeof(s->pool));
	s->pool[0] = n;
	s->next = 0;
	s->count = 1;
	sodium_memzero(&n, sizeof(n));
	return SAM_OK;
}

/* the key is an Ed25519 key used by this scheme */
static int oo_generate(struct sam_key *key)
{
	int err = sam_ed25519_generate(key);

	if (err == SAM_OK)
	{
		key->scheme = SAM_SCHEME_ED25519_OO;
	}
	return err;
}

const struct sam_scheme_ops sam_scheme_ed25519_oo = {
	.id = SAM_SCHEME_ED25519_OO,
	/* its signatures are standard Ed25519: ed25519 frames */
	.wire_id = SAM_SCHEME_ED25519,
	.name = "ed25519-oo",
	.key_kind = SAM_KEY_ED25519,
	.auth = SAM_AUTH_SOURCE,
	.max_auth_len = SAM_ED25519_SIG_LEN,
	.generate = oo_generate,
	.signer_size = sizeof(struct oo_signer),
	.signer_init = oo_signer_init,
	.signer_clear = oo_signer_clear,
	.sign = oo_sign,
	.precompute = oo_precompute,
	.available = oo_available,
	.verify = sam_ed25519_verify,
};
