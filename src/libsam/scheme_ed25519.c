/*
 * ed25519: one pure Ed25519 signature (RFC 8032) per frame.  Ed25519 hashes
 * internally, hence the one-shot EVP_DigestSign with a NULL digest.
 */

#include <openssl/err.h>

#include "ed25519_ops.h"
#include "key.h"

#define ED25519_SIG_LEN SAM_ED25519_SIG_LEN

static int ed25519_sign(void *signer, const struct sam_key *key,
		const struct sam_scheme_env *env, const uint8_t *data, size_t len,
		uint8_t *out)
{
	size_t siglen = ED25519_SIG_LEN;

	(void)signer;
	EVP_MD_CTX_reset(env->md);
	if (EVP_DigestSignInit(env->md, NULL, NULL, NULL, key->pkey) != 1 ||
		EVP_DigestSign(env->md, out, &siglen, data, len) != 1 ||
		siglen != ED25519_SIG_LEN)
	{
		ERR_clear_error();
		return SAM_E_CRYPTO;
	}
	return SAM_OK;
}

/* ed25519-oo's frames are ed25519 frames: it verifies with this too */
int sam_ed25519_verify(void *verifier, const struct sam_key *key,
					   const struct sam_scheme_env *env,
					   const struct sam_frame_view *frame)
{
	(void)verifier;
	if (frame->auth_len != ED25519_SIG_LEN)
	{
		return SAM_E_MALFORMED;
	}
	EVP_MD_CTX_reset(env->md);
	if (EVP_DigestVerifyInit(env->md, NULL, NULL, NULL, key->pkey) != 1 ||
		EVP_DigestVerify(env->md, frame->auth, frame->auth_len,
						 frame->data, frame->data_len) != 1)
	{
		/* don't let rejected frames pile up entries in the error queue */
		ERR_clear_error();
		return SAM_E_BAD_AUTH;
	}
	return SAM_OK;
}

int sam_ed25519_generate(struct sam_key *key)
{
	key->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!key->pkey)
	{
		ERR_clear_error();
		return SAM_E_CRYPTO;
	}
	key->scheme = SAM_SCHEME_ED25519;
	key->can_sign = 1;
	return SAM_OK;
}

int sam_ed25519_generate_for(struct sam_key *key, sam_scheme scheme)
{
	int err = sam_ed25519_generate(key);

	if (err == SAM_OK)
	{
		key->scheme = scheme;
	}
	return err;
}

int sam_key_is_ed25519(const struct sam_key *key)
{
	return key && key->pkey && EVP_PKEY_is_a(key->pkey, "ED25519");
}

int sam_ed25519_verify_msg(const struct sam_key *key,
						   const struct sam_scheme_env *env,
						   const uint8_t *msg, size_t len, const uint8_t *sig)
{
	struct sam_frame_view view = {
		.data = msg,
		.data_len = len,
		.auth = sig,
		.auth_len = ED25519_SIG_LEN,
	};

	return sam_ed25519_verify(NULL, key, env, &view) == SAM_OK ?
		SAM_OK : SAM_E_BAD_AUTH;
}

const struct sam_scheme_ops sam_scheme_ed25519 = {
	.id = SAM_SCHEME_ED25519,
	.name = "ed25519",
	.wire_id = SAM_SCHEME_ED25519,
	.key_kind = SAM_KEY_ED25519,
	.auth = SAM_AUTH_SOURCE,
	.max_auth_len = ED25519_SIG_LEN,
	.sign = ed25519_sign,
	.verify = sam_ed25519_verify,
	.generate = sam_ed25519_generate,
};
