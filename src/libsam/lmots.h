/*
 * LM-OTS, the Leighton-Micali one-time signature of RFC 8554 §4, with the
 * hash length n and the Winternitz parameter w as parameters: n = 32 and
 * w = 1, 2, 4, 8 are RFC 8554's parameter sets (their test vectors are
 * checked in the unit tests), libsam's hybrid scheme uses n = 16, w = 4
 * (docs/sam-hybrid.md).
 *
 * A signature here is C || y[0] || ... || y[p-1] (n + p * n bytes): RFC
 * 8554's lmots_signature without its leading type field, which the
 * caller's format carries (or implies) instead.
 *
 * Private values come from a seed as in RFC 8554 Appendix A.  For fast
 * signing, lmots_keygen_table() keeps every value of every chain: signing
 * is then the message hash and copying (lmots_sign_table()).
 */

#ifndef SAM_LMOTS_H_
#define SAM_LMOTS_H_

#include <stddef.h>
#include <stdint.h>

/** u16str(D_PBLC): the public key hash */
#define LMOTS_D_PBLC 0x8080
/** u16str(D_MESG): the message hash */
#define LMOTS_D_MESG 0x8181
/** the chain index of RFC 8554 Appendix A's private value derivation */
#define LMOTS_D_PRIV 0xff
/** the (non-RFC) index i of the randomizer C's derivation, never a chain */
#define LMOTS_I_RANDOMIZER 0xfffd

/** the most chains: n = 32, w = 1 */
#define LMOTS_P_MAX 265

struct lmots_params {
	/** bytes of a hash value */
	uint8_t n;
	/** bits per digit: 1, 2, 4 or 8 */
	uint8_t w;
	/** chains: u message digits plus v checksum digits */
	uint16_t p;
	/** the left shift of the checksum */
	uint8_t ls;
};

/**
 * The derived parameters p and ls of RFC 8554 Appendix B for n and w.
 * @return			0, or -1 if n is not 1..32 or w not 1, 2, 4 or 8
 */
int lmots_params_init(struct lmots_params *pp, unsigned int n,
					  unsigned int w);

/** @return the bytes of a signature: C and p values */
static inline size_t lmots_sig_len(const struct lmots_params *pp)
{
	return (size_t)pp->n * (1 + pp->p);
}

/** @return the bytes of a key's table: p chains of 2^w values */
static inline size_t lmots_table_len(const struct lmots_params *pp)
{
	return ((size_t)pp->p << pp->w) * pp->n;
}

/**
 * The first value x_q[i] of chain i (RFC 8554 Appendix A):
 * H(I || u32str(q) || u16str(i) || u8str(0xff) || SEED).
 */
void lmots_private_value(const struct lmots_params *pp, const uint8_t *I,
						 uint32_t q, uint16_t i, const uint8_t *seed,
						 size_t seed_len, uint8_t *out);

/**
 * The randomizer C of key q, derived like a private value with the index
 * 0xfffd that no chain has: secret until the signature shows it.
 */
void lmots_randomizer(const struct lmots_params *pp, const uint8_t *I,
					  uint32_t q, const uint8_t *seed, size_t seed_len,
					  uint8_t *out);

/**
 * Walk chain i of key q from step from to step to (RFC 8554 Algorithm 1,
 * 3 and 4b): tmp = H(I || u32str(q) || u16str(i) || u8str(j) || tmp) for
 * j = from .. to - 1.
 */
void lmots_chain(const struct lmots_params *pp, const uint8_t *I,
				 uint32_t q, uint16_t i, unsigned int from, unsigned int to,
				 uint8_t *tmp);

/**
 * The digits of a message: Q = H(I || u32str(q) || u16str(D_MESG) || C ||
 * message), its p - v digits of w bits and the v digits of its checksum.
 *
 * @param digits	p digits out
 */
void lmots_digits(const struct lmots_params *pp, const uint8_t *I,
				  uint32_t q, const uint8_t *C, const uint8_t *msg,
				  size_t len, uint8_t *digits);

/**
 * Make key q of a seed with all its chain values: table[(i << w) + j] is
 * chain i after j steps (n bytes each, lmots_table_len() in all).
 *
 * @param K			the public key K (n bytes) out
 */
void lmots_keygen_table(const struct lmots_params *pp, const uint8_t *I,
						uint32_t q, const uint8_t *seed, size_t seed_len,
						uint8_t *table, uint8_t *K);

/**
 * Sign with a key's table: y[i] is chain i after digits[i] steps.
 *
 * @param y			p values out (the signature after its C)
 */
void lmots_sign_table(const struct lmots_params *pp, const uint8_t *digits,
					  const uint8_t *table, uint8_t *y);

/**
 * Sign without a table, walking the chains (for the tests and for large
 * w); the signature C || y out, lmots_sig_len() bytes.
 */
void lmots_sign(const struct lmots_params *pp, const uint8_t *I, uint32_t q,
				const uint8_t *seed, size_t seed_len, const uint8_t *C,
				const uint8_t *msg, size_t len, uint8_t *sig);

/**
 * The public key candidate Kc of a signature (RFC 8554 Algorithm 4b):
 * equal to the signer's K exactly if the signature is valid.
 *
 * @param sig		C || y, lmots_sig_len() bytes
 * @param Kc		n bytes out
 */
void lmots_pk_candidate(const struct lmots_params *pp, const uint8_t *I,
						uint32_t q, const uint8_t *sig, const uint8_t *msg,
						size_t len, uint8_t *Kc);

#endif /* SAM_LMOTS_H_ */
