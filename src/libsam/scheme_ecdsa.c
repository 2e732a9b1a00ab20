/*
 * ecdsa-p256: ECDSA over P-256 with SHA-256.  OpenSSL speaks DER; the frame
 * carries the fixed-size IEEE P1363 form r || s, so the authenticator
 * length does not depend on the values of r and s.
 */

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>

#include "scheme.h"
#include "key.h"

#define P256_LEN 32
#define ECDSA_SIG_LEN (2 * P256_LEN)
/* SEQUENCE { INTEGER r, INTEGER s }, each up to 33 bytes */
#define ECDSA_DER_MAX 72

static int ecdsa_sign(void *signer, const struct sam_key *key,
		const struct sam_scheme_env *env, const uint8_t *data, size_t len,
		uint8_t *out)
{
	uint8_t der[ECDSA_DER_MAX];
	const uint8_t *p = der;
	size_t derlen = sizeof(der);
	ECDSA_SIG *sig = NULL;
	const BIGNUM *r, *s;
	int ret = SAM_E_CRYPTO;

	(void)signer;
	EVP_MD_CTX_reset(env->md);
	if (EVP_DigestSignInit(env->md, NULL, EVP_sha256(), NULL,
						   key->pkey) != 1 ||
		EVP_DigestSign(env->md, der, &derlen, data, len) != 1)
	{
		goto out;
	}
	sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
	if (!sig)
	{
		goto out;
	}
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, out, P256_LEN) != P256_LEN ||
		BN_bn2binpad(s, out + P256_LEN, P256_LEN) != P256_LEN)
	{
		goto out;
	}
	ret = SAM_OK;
out:
	ECDSA_SIG_free(sig);
	if (ret != SAM_OK)
	{
		ERR_clear_error();
	}
	return ret;
}

static int ecdsa_verify(void *verifier, const struct sam_key *key,
		const struct sam_scheme_env *env, const struct sam_frame_view *frame)
{
	uint8_t der[ECDSA_DER_MAX + 8], *p = der;
	ECDSA_SIG *sig = NULL;
	BIGNUM *r = NULL, *s = NULL;
	int derlen, ret = SAM_E_BAD_AUTH;

	(void)verifier;
	if (frame->auth_len != ECDSA_SIG_LEN)
	{
		return SAM_E_MALFORMED;
	}
	sig = ECDSA_SIG_new();
	r = BN_bin2bn(frame->auth, P256_LEN, NULL);
	s = BN_bin2bn(frame->auth + P256_LEN, P256_LEN, NULL);
	if (!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1)
	{
		BN_free(r);
		BN_free(s);
		goto out;
	}
	/* sig owns r and s now */
	derlen = i2d_ECDSA_SIG(sig, NULL);
	if (derlen <= 0 || derlen > (int)sizeof(der))
	{
		goto out;
	}
	derlen = i2d_ECDSA_SIG(sig, &p);
	if (derlen <= 0)
	{
		goto out;
	}
	EVP_MD_CTX_reset(env->md);
	if (EVP_DigestVerifyInit(env->md, NULL, EVP_sha256(), NULL,
							 key->pkey) != 1 ||
		EVP_DigestVerify(env->md, der, (size_t)derlen, frame->data,
						 frame->data_len) != 1)
	{
		goto out;
	}
	ret = SAM_OK;
out:
	ECDSA_SIG_free(sig);
	if (ret != SAM_OK)
	{
		ERR_clear_error();
	}
	return ret;
}

static int ecdsa_generate(struct sam_key *key)
{
	key->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!key->pkey)
	{
		ERR_clear_error();
		return SAM_E_CRYPTO;
	}
	key->scheme = SAM_SCHEME_ECDSA_P256;
	key->can_sign = 1;
	return SAM_OK;
}

const struct sam_scheme_ops sam_scheme_ecdsa_p256 = {
	.id = SAM_SCHEME_ECDSA_P256,
	.name = "ecdsa-p256",
	.wire_id = SAM_SCHEME_ECDSA_P256,
	.key_kind = SAM_KEY_P256,
	.auth = SAM_AUTH_SOURCE,
	.max_auth_len = ECDSA_SIG_LEN,
	.sign = ecdsa_sign,
	.verify = ecdsa_verify,
	.generate = ecdsa_generate,
};
