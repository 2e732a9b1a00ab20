/*
 * hmac-sha256: the group MAC.  Proves membership of the group, not which
 * member sent the frame; a cheap filter in front of signatures.
 */

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "scheme.h"
#include "key.h"

#define HMAC_LEN 32

static int hmac_sign(void *signer, const struct sam_key *key,
		const struct sam_scheme_env *env, const uint8_t *data, size_t len,
		uint8_t *out)
{
	unsigned int outlen = 0;

	(void)signer;
	(void)env;
	if (!HMAC(EVP_sha256(), key->secret, (int)key->secret_len, data, len,
			  out, &outlen) || outlen != HMAC_LEN)
	{
		return SAM_E_CRYPTO;
	}
	return SAM_OK;
}

static int hmac_verify(void *verifier, const struct sam_key *key,
		const struct sam_scheme_env *env, const struct sam_frame_view *frame)
{
	uint8_t mac[HMAC_LEN];
	int ok;

	if (frame->auth_len != HMAC_LEN)
	{
		return SAM_E_MALFORMED;
	}
	(void)verifier;
	if (hmac_sign(NULL, key, env, frame->data, frame->data_len, mac) != SAM_OK)
	{
		return SAM_E_BAD_AUTH;
	}
	/* constant time: a timing difference would leak the MAC byte by byte */
	ok = CRYPTO_memcmp(mac, frame->auth, HMAC_LEN) == 0;
	OPENSSL_cleanse(mac, sizeof(mac));
	return ok ? SAM_OK : SAM_E_BAD_AUTH;
}

static int hmac_generate(struct sam_key *key)
{
	key->scheme = SAM_SCHEME_HMAC_SHA256;
	key->secret_len = 32;
	key->can_sign = 1;
	key->pkey = NULL;
	return RAND_bytes(key->secret, (int)key->secret_len) == 1 ?
		   SAM_OK : SAM_E_CRYPTO;
}

const struct sam_scheme_ops sam_scheme_hmac_sha256 = {
	.id = SAM_SCHEME_HMAC_SHA256,
	.name = "hmac-sha256",
	.wire_id = SAM_SCHEME_HMAC_SHA256,
	.key_kind = SAM_KEY_SECRET,
	.auth = SAM_AUTH_GROUP,
	.max_auth_len = HMAC_LEN,
	.sign = hmac_sign,
	.verify = hmac_verify,
	.generate = hmac_generate,
};
