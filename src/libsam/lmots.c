/*
 * LM-OTS (RFC 8554 §4) with parameters n and w; see lmots.h.
 */

#define OPENSSL_SUPPRESS_DEPRECATED

#include <openssl/crypto.h>

#include "lmots.h"
#include "lms_hash.h"

/* I || u32str(q) || u16str(i) || u8str(j): the chain hash's prefix */
#define CHAIN_PREFIX (LMS_I_LEN + 7)

int lmots_params_init(struct lmots_params *pp, unsigned int n,
					  unsigned int w)
{
	unsigned int u, v, max, lg;

	if (n < 1 || n > LMS_N_MAX || (w != 1 && w != 2 && w != 4 && w != 8))
	{
		return -1;
	}
	/* RFC 8554 Appendix B */
	u = (8 * n + w - 1) / w;
	max = ((1u << w) - 1) * u;
	for (lg = 0; max >> (lg + 1); lg++)
	{
	}
	v = (lg + 1 + w - 1) / w;
	pp->n = (uint8_t)n;
	pp->w = (uint8_t)w;
	pp->p = (uint16_t)(u + v);
	pp->ls = (uint8_t)(16 - v * w);
	return 0;
}

/** coef(S, i, w) of RFC 8554 §3.1.3 */
static inline unsigned int coef(const uint8_t *S, unsigned int i,
								unsigned int w)
{
	unsigned int per_byte = 8 / w;

	return (S[i / per_byte] >> (8 - w * (i % per_byte + 1))) &
		   ((1u << w) - 1);
}

void lmots_private_value(const struct lmots_params *pp, const uint8_t *I,
						 uint32_t q, uint16_t i, const uint8_t *seed,
						 size_t seed_len, uint8_t *out)
{
	const uint8_t ff = LMOTS_D_PRIV;
	SHA256_CTX ctx;

	lms_hash_init(&ctx, I, q, i);
	SHA256_Update(&ctx, &ff, 1);
	SHA256_Update(&ctx, seed, seed_len);
	lms_hash_final(&ctx, out, pp->n);
	OPENSSL_cleanse(&ctx, sizeof(ctx));
}

void lmots_randomizer(const struct lmots_params *pp, const uint8_t *I,
					  uint32_t q, const uint8_t *seed, size_t seed_len,
					  uint8_t *out)
{
	lmots_private_value(pp, I, q, LMOTS_I_RANDOMIZER, seed, seed_len, out);
}

/** The chain hash's prefix of chain i of key q, j left to fill */
static void chain_prefix(uint8_t *buf, const uint8_t *I, uint32_t q,
						 uint16_t i)
{
	memcpy(buf, I, LMS_I_LEN);
	lms_u32str(buf + LMS_I_LEN, q);
	lms_u16str(buf + LMS_I_LEN + 4, i);
}

/** One step of a chain: buf holds the prefix, in the value (may be out) */
static inline void chain_step(const struct lmots_params *pp, uint8_t *buf,
							  unsigned int j, const uint8_t *in,
							  uint8_t *out)
{
	SHA256_CTX ctx;

	buf[CHAIN_PREFIX - 1] = (uint8_t)j;
	memcpy(buf + CHAIN_PREFIX, in, pp->n);
	SHA256_Init(&ctx);
	SHA256_Update(&ctx, buf, CHAIN_PREFIX + pp->n);
	lms_hash_final(&ctx, out, pp->n);
}

void lmots_chain(const struct lmots_params *pp, const uint8_t *I,
				 uint32_t q, uint16_t i, unsigned int from, unsigned int to,
				 uint8_t *tmp)
{
	uint8_t buf[CHAIN_PREFIX + LMS_N_MAX];
	unsigned int j;

	chain_prefix(buf, I, q, i);
	for (j = from; j < to; j++)
	{
		chain_step(pp, buf, j, tmp, tmp);
	}
}

void lmots_digits(const struct lmots_params *pp, const uint8_t *I,
				  uint32_t q, const uint8_t *C, const uint8_t *msg,
				  size_t len, uint8_t *digits)
{
	uint8_t Q[LMS_N_MAX + 2];
	unsigned int i, u = 8u * pp->n / pp->w, max = (1u << pp->w) - 1;
	unsigned int sum = 0;
	SHA256_CTX ctx;

	lms_hash_init(&ctx, I, q, LMOTS_D_MESG);
	SHA256_Update(&ctx, C, pp->n);
	SHA256_Update(&ctx, msg, len);
	lms_hash_final(&ctx, Q, pp->n);
	for (i = 0; i < u; i++)
	{
		digits[i] = (uint8_t)coef(Q, i, pp->w);
		sum += max - digits[i];
	}
	/* Q || u16str(Cksm(Q)): the checksum digits follow Q's */
	lms_u16str(Q + pp->n, (uint16_t)(sum << pp->ls));
	for (; i < pp->p; i++)
	{
		digits[i] = (uint8_t)coef(Q, i, pp->w);
	}
}

void lmots_keygen_table(const struct lmots_params *pp, const uint8_t *I,
						uint32_t q, const uint8_t *seed, size_t seed_len,
						uint8_t *table, uint8_t *K)
{
	uint8_t buf[CHAIN_PREFIX + LMS_N_MAX];
	unsigned int i, j, top = (1u << pp->w) - 1;
	size_t n = pp->n;
	SHA256_CTX kctx;

	lms_hash_init(&kctx, I, q, LMOTS_D_PBLC);
	for (i = 0; i < pp->p; i++)
	{
		uint8_t *chain = table + ((size_t)i << pp->w) * n;

		lmots_private_value(pp, I, q, (uint16_t)i, seed, seed_len, chain);
		chain_prefix(buf, I, q, (uint16_t)i);
		for (j = 0; j < top; j++)
		{
			chain_step(pp, buf, j, chain + j * n, chain + (j + 1) * n);
		}
		SHA256_Update(&kctx, chain + top * n, n);
	}
	lms_hash_final(&kctx, K, n);
	OPENSSL_cleanse(buf, sizeof(buf));
}

void lmots_sign_table(const struct lmots_params *pp, const uint8_t *digits,
					  const uint8_t *table, uint8_t *y)
{
	size_t n = pp->n;
	unsigned int i;

	for (i = 0; i < pp->p; i++)
	{
		memcpy(y + i * n, table + (((size_t)i << pp->w) + digits[i]) * n, n);
	}
}

void lmots_sign(const struct lmots_params *pp, const uint8_t *I, uint32_t q,
				const uint8_t *seed, size_t seed_len, const uint8_t *C,
				const uint8_t *msg, size_t len, uint8_t *sig)
{
	uint8_t digits[LMOTS_P_MAX];
	unsigned int i;
	size_t n = pp->n;

	memcpy(sig, C, n);
	lmots_digits(pp, I, q, C, msg, len, digits);
	for (i = 0; i < pp->p; i++)
	{
		uint8_t *y = sig + (1 + i) * n;

		lmots_private_value(pp, I, q, (uint16_t)i, seed, seed_len, y);
		lmots_chain(pp, I, q, (uint16_t)i, 0, digits[i], y);
	}
}

void lmots_pk_candidate(const struct lmots_params *pp, const uint8_t *I,
						uint32_t q, const uint8_t *sig, const uint8_t *msg,
						size_t len, uint8_t *Kc)
{
	uint8_t digits[LMOTS_P_MAX], buf[CHAIN_PREFIX + LMS_N_MAX];
	uint8_t tmp[LMS_N_MAX];
	unsigned int i, j, top = (1u << pp->w) - 1;
	size_t n = pp->n;
	SHA256_CTX kctx;

	lmots_digits(pp, I, q, sig, msg, len, digits);
	lms_hash_init(&kctx, I, q, LMOTS_D_PBLC);
	for (i = 0; i < pp->p; i++)
	{
		memcpy(tmp, sig + (1 + i) * n, n);
		chain_prefix(buf, I, q, (uint16_t)i);
		for (j = digits[i]; j < top; j++)
		{
			chain_step(pp, buf, j, tmp, tmp);
		}
		SHA256_Update(&kctx, tmp, n);
	}
	lms_hash_final(&kctx, Kc, n);
}
