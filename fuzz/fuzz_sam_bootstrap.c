/*
 * libFuzzer target: sender bootstraps (sam_bootstrap_open()).
 *
 * Each input is an envelope as the plugin hands it to sam_attach() (from
 * the GCKS, from another sender).  It is opened in a receiver of
 * FUZZ_SESSION that knows two sources: FUZZ_SOURCE with the vectors'
 * Ed25519 key and FUZZ_SOURCE + 1 with their P-256 key, so the seed
 * vectors/bootstrap-ed25519.bin and fuzz/seeds/fuzz_sam_bootstrap/ reach
 * the signature check of both schemes.
 *
 * Besides the sanitizers, it traps when an invariant breaks:
 *  - SAM_OK only for an input whose signature verifies: checked again
 *    here with OpenSSL itself (the label, the bytes before the signature,
 *    the registered source's key, Ed25519 or ECDSA P-256 r || s), not with
 *    libsam's code;
 *  - then the source is a registered one, the body lies within the input
 *    (right after the 22-byte header, up to the signature) and is at most
 *    SAM_MAX_BOOTSTRAP_BODY bytes, and the input at most SAM_MAX_BOOTSTRAP;
 *  - no result but those sam_bootstrap_open() documents;
 *  - the input's first bytes as a body seal and open again, unchanged.
 */

#include "fuzz_keys.h"

#include <stdint.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#define LABEL "SAM bootstrap v1"
#define HDR 22
#define SIG 64

static const int schemes[2] = { FUZZ_ED25519, FUZZ_ECDSA };
static EVP_PKEY *pkeys[2];
static sam_ctx *rx;
/* a tesla sender under the Ed25519 key, and a receiver of it */
static sam_ctx *tt, *rt;
static sam_ctx *tx[2];
static uint64_t clock_ms = 1700000000000ull;

static uint64_t fixed_clock(void *user)
{
	(void)user;
	return clock_ms;
}

static EVP_PKEY *pkey_of(const sam_key *key)
{
	char pem[4096];
	ssize_t len = sam_key_to_pem(key, 0, pem, sizeof(pem));
	BIO *bio;
	EVP_PKEY *pkey;

	FUZZ_ASSERT(len > 0);
	bio = BIO_new_mem_buf(pem, (int)len);
	pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	FUZZ_ASSERT(pkey);
	return pkey;
}

static void init(void)
{
	int i;

	fuzz_keys_init();
	FUZZ_ASSERT(sam_ctx_new(NULL, &rx) == SAM_OK);
	FUZZ_ASSERT(sam_set_session(rx, FUZZ_SESSION) == SAM_OK);
	for (i = 0; i < 2; i++) {
		FUZZ_ASSERT(sam_add_source(rx, FUZZ_SOURCE + i,
					fuzz_verify_keys[schemes[i]]) == SAM_OK);
		pkeys[i] = pkey_of(fuzz_verify_keys[schemes[i]]);
		FUZZ_ASSERT(sam_ctx_new(NULL, &tx[i]) == SAM_OK);
		FUZZ_ASSERT(sam_set_session(tx[i], FUZZ_SESSION) == SAM_OK);
		FUZZ_ASSERT(sam_set_source(tx[i], FUZZ_SOURCE + i, 1) == SAM_OK);
		FUZZ_ASSERT(sam_set_signing_key(tx[i],
					fuzz_sign_keys[schemes[i]]) == SAM_OK);
		FUZZ_ASSERT(sam_set_clock(tx[i], fixed_clock, NULL) == SAM_OK);
	}
	FUZZ_ASSERT(sam_ctx_new(NULL, &rt) == SAM_OK);
	FUZZ_ASSERT(sam_set_session(rt, FUZZ_SESSION) == SAM_OK);
	FUZZ_ASSERT(sam_set_clock(rt, fixed_clock, NULL) == SAM_OK);
	FUZZ_ASSERT(sam_key_set_scheme(fuzz_verify_keys[FUZZ_ED25519],
								   SAM_SCHEME_TESLA) == SAM_OK);
	FUZZ_ASSERT(sam_add_source(rt, FUZZ_SOURCE,
							   fuzz_verify_keys[FUZZ_ED25519]) == SAM_OK);
	FUZZ_ASSERT(sam_key_set_scheme(fuzz_verify_keys[FUZZ_ED25519],
								   SAM_SCHEME_ED25519) == SAM_OK);
	FUZZ_ASSERT(sam_ctx_new(NULL, &tt) == SAM_OK);
	FUZZ_ASSERT(sam_set_session(tt, FUZZ_SESSION) == SAM_OK);
	FUZZ_ASSERT(sam_set_source(tt, FUZZ_SOURCE, 1) == SAM_OK);
	FUZZ_ASSERT(sam_set_clock(tt, fixed_clock, NULL) == SAM_OK);
	FUZZ_ASSERT(sam_key_set_scheme(fuzz_sign_keys[FUZZ_ED25519],
								   SAM_SCHEME_TESLA) == SAM_OK);
	FUZZ_ASSERT(sam_set_signing_key(tt, fuzz_sign_keys[FUZZ_ED25519]) ==
				SAM_OK);
	FUZZ_ASSERT(sam_key_set_scheme(fuzz_sign_keys[FUZZ_ED25519],
								   SAM_SCHEME_ED25519) == SAM_OK);
}

/* the input, whatever it is, as the signed body of a tesla sender's
 * bootstrap: the body parser (chains, checkpoint) behind the signature */
static void tesla_apply(const uint8_t *body, size_t len)
{
	uint8_t blob[SAM_MAX_BOOTSTRAP];
	ssize_t n;
	int rc;

	n = sam_bootstrap_seal(tt, body, len, blob, sizeof(blob));
	FUZZ_ASSERT(n > 0);
	rc = sam_tesla_load_bootstrap(rt, FUZZ_SOURCE, blob, (size_t)n);
	FUZZ_ASSERT(rc == SAM_OK || rc == SAM_E_MALFORMED || rc == SAM_E_VERSION);
}

/* OpenSSL's own verdict on the signature of an envelope of len bytes */
static int openssl_verifies(int i, const uint8_t *blob, size_t len)
{
	uint8_t msg[16 + SAM_MAX_BOOTSTRAP], der[80], *p = der;
	const uint8_t *sig = blob + len - SIG;
	size_t mlen = 16 + len - SIG, siglen = SIG;
	const EVP_MD *md = NULL;
	EVP_MD_CTX *ctx;
	ECDSA_SIG *es;
	int ok;

	memcpy(msg, LABEL, 16);
	memcpy(msg + 16, blob, len - SIG);
	if (i == 1) {
		es = ECDSA_SIG_new();
		FUZZ_ASSERT(es && ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL),
					BN_bin2bn(sig + 32, 32, NULL)) == 1);
		siglen = (size_t)i2d_ECDSA_SIG(es, &p);
		ECDSA_SIG_free(es);
		sig = der;
		md = EVP_sha256();
	}
	ctx = EVP_MD_CTX_new();
	FUZZ_ASSERT(ctx);
	ok = EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkeys[i]) == 1 &&
		 EVP_DigestVerify(ctx, sig, siglen, msg, mlen) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

static void round_trip(int i, const uint8_t *data, size_t size)
{
	uint8_t blob[SAM_MAX_BOOTSTRAP];
	const uint8_t *body;
	size_t len = size < SAM_MAX_BOOTSTRAP_BODY ? size : SAM_MAX_BOOTSTRAP_BODY;
	size_t body_len;
	ssize_t n;
	uint32_t source;
	uint64_t issued;

	n = sam_bootstrap_seal(tx[i], data, len, blob, sizeof(blob));
	FUZZ_ASSERT(n == (ssize_t)(HDR + len + SIG));
	FUZZ_ASSERT(sam_bootstrap_open(rx, blob, (size_t)n, &source, &body,
								   &body_len, &issued) == SAM_OK);
	FUZZ_ASSERT(source == FUZZ_SOURCE + (uint32_t)i);
	FUZZ_ASSERT(issued == clock_ms && body_len == len);
	FUZZ_ASSERT(len == 0 || memcmp(body, data, len) == 0);
	FUZZ_ASSERT(openssl_verifies(i, blob, (size_t)n));
	if (i == 0)
		tesla_apply(data, len);
	/* the next envelope is newer */
	clock_ms++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *body = NULL;
	size_t body_len = 0;
	uint32_t source = 0;
	uint64_t issued;
	int rc;

	if (!rx)
		init();
	rc = sam_bootstrap_open(rx, data, size, &source, &body, &body_len,
							&issued);
	switch (rc) {
	case SAM_OK:
		FUZZ_ASSERT(source == FUZZ_SOURCE || source == FUZZ_SOURCE + 1);
		FUZZ_ASSERT(size <= SAM_MAX_BOOTSTRAP);
		FUZZ_ASSERT(body_len <= SAM_MAX_BOOTSTRAP_BODY);
		FUZZ_ASSERT(body == data + HDR);
		FUZZ_ASSERT(HDR + body_len + SIG == size);
		FUZZ_ASSERT(openssl_verifies((int)(source - FUZZ_SOURCE), data,
									 size));
		break;
	case SAM_E_MALFORMED:
	case SAM_E_VERSION:
	case SAM_E_SESSION:
	case SAM_E_UNKNOWN_SOURCE:
	case SAM_E_SCHEME:
	case SAM_E_BAD_AUTH:
		break;
	default:
		FUZZ_ASSERT(!"unexpected result");
	}
	round_trip(size % 2, data, size);
	return 0;
}
