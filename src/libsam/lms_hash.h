/*
 * The hash of LM-OTS and the LMS tree (RFC 8554): SHA-256, truncated to
 * the first n bytes as NIST SP 800-208 does for n = 24 (libsam's hybrid
 * scheme truncates to 16), over inputs made of the RFC's u32str, u16str
 * and u8str big-endian encodings.
 *
 * The one-time signatures hash a few hundred short inputs per frame, one
 * SHA-256 block each; OpenSSL's low-level SHA256_* functions cost about
 * 49 ns for one of them here, an EVP_MD_CTX reused with a fetched
 * EVP_MD 70 ns, with EVP_sha256() (fetched anew on every init) 274 ns.
 * Hence the low-level interface, deprecated in OpenSSL 3 but kept: files
 * that include this header define OPENSSL_SUPPRESS_DEPRECATED before
 * their first OpenSSL include.
 */

#ifndef SAM_LMS_HASH_H_
#define SAM_LMS_HASH_H_

#ifndef OPENSSL_SUPPRESS_DEPRECATED
#error "define OPENSSL_SUPPRESS_DEPRECATED before including OpenSSL headers"
#endif

#include <stdint.h>
#include <string.h>

#include <openssl/sha.h>

/** the identifier I of a tree and its one-time keys (RFC 8554 §4.3) */
#define LMS_I_LEN 16

/** the longest hash output n */
#define LMS_N_MAX 32

static inline void lms_u32str(uint8_t *out, uint32_t v)
{
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

static inline void lms_u16str(uint8_t *out, uint16_t v)
{
	out[0] = (uint8_t)(v >> 8);
	out[1] = (uint8_t)v;
}

/**
 * Start a hash with the prefix every LM-OTS and LMS hash has:
 * I || u32str(q) || u16str(d), d a chain index or a domain separator.
 */
static inline void lms_hash_init(SHA256_CTX *ctx, const uint8_t *I,
								 uint32_t q, uint16_t d)
{
	uint8_t prefix[LMS_I_LEN + 6];

	memcpy(prefix, I, LMS_I_LEN);
	lms_u32str(prefix + LMS_I_LEN, q);
	lms_u16str(prefix + LMS_I_LEN + 4, d);
	SHA256_Init(ctx);
	SHA256_Update(ctx, prefix, sizeof(prefix));
}

/** Finish a hash into its first n bytes */
static inline void lms_hash_final(SHA256_CTX *ctx, uint8_t *out, size_t n)
{
	uint8_t md[SHA256_DIGEST_LENGTH];

	SHA256_Final(md, ctx);
	memcpy(out, md, n);
}

#endif /* SAM_LMS_HASH_H_ */
