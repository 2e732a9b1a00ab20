/*
 * Sender bootstraps: sealing and opening the envelope of
 * docs/sam-bootstrap.md.  The signature is made and checked by the frame
 * schemes' own Ed25519 and ECDSA P-256 operations (scheme_ed25519.c,
 * scheme_ecdsa.c) over the label followed by the envelope, so a bootstrap
 * is signed exactly as a frame would be, but over bytes no frame can
 * start with.  Nothing is allocated beyond what OpenSSL needs; nothing
 * secret passes through the buffers here (the key stays in OpenSSL).
 */

#include <string.h>

#include "bootstrap.h"
#include "context.h"
#include "frame.h"
#include "key.h"

/* the envelope fits SAM_MAX_BOOTSTRAP, exactly with the largest body */
#if SAM_BOOTSTRAP_HEADER + SAM_MAX_BOOTSTRAP_BODY + SAM_BOOTSTRAP_SIG != \
	SAM_MAX_BOOTSTRAP
#error "SAM_MAX_BOOTSTRAP_BODY does not fit SAM_MAX_BOOTSTRAP"
#endif

/** label and envelope without the signature: what is signed */
#define SIGNED_MAX (SAM_BOOTSTRAP_LABEL_LEN + SAM_BOOTSTRAP_HEADER + \
					SAM_MAX_BOOTSTRAP_BODY)

/**
 * The scheme whose signature a key makes over a bootstrap: ed25519 for
 * every Ed25519 key (ed25519, ed25519-oo, hybrid), ecdsa-p256 for P-256;
 * NULL for a group MAC secret
 */
static const struct sam_scheme_ops *signature_ops(const struct sam_key *key)
{
	const struct sam_scheme_ops *ops = sam_scheme_get(key->scheme);

	if (!ops)
	{
		return NULL;
	}
	switch (ops->key_kind)
	{
		case SAM_KEY_ED25519:
			return &sam_scheme_ed25519;
		case SAM_KEY_P256:
			return &sam_scheme_ecdsa_p256;
		default:
			return NULL;
	}
}

/** The label followed by the envelope's len bytes before the signature */
static size_t signed_bytes(const uint8_t *envelope, size_t len,
						   uint8_t out[SIGNED_MAX])
{
	memcpy(out, SAM_BOOTSTRAP_LABEL, SAM_BOOTSTRAP_LABEL_LEN);
	memcpy(out + SAM_BOOTSTRAP_LABEL_LEN, envelope, len);
	return SAM_BOOTSTRAP_LABEL_LEN + len;
}

ssize_t sam_bootstrap_seal_at(sam_ctx *ctx, uint64_t issued,
							  const void *body, size_t len, uint8_t *out,
							  size_t size)
{
	const struct sam_scheme_ops *ops;
	struct sam_scheme_env env;
	uint8_t msg[SIGNED_MAX];
	size_t unsigned_len, msg_len;
	int err;

	if (!ctx || !out || (!body && len))
	{
		return SAM_E_INVAL;
	}
	if (!ctx->send_ops || !ctx->have_source)
	{
		return SAM_E_NOKEY;
	}
	ops = signature_ops(&ctx->signing);
	if (!ops)
	{	/* a group MAC proves no sender */
		return SAM_E_SCHEME;
	}
	if (!ctx->have_session)
	{
		return SAM_E_NOSESSION;
	}
	if (len > SAM_MAX_BOOTSTRAP_BODY)
	{
		return SAM_E_TOOBIG;
	}
	unsigned_len = SAM_BOOTSTRAP_HEADER + len;
	if (size < unsigned_len + SAM_BOOTSTRAP_SIG)
	{
		return SAM_E_BUFSIZE;
	}
	sam_ctx_env(ctx, ctx->source_id, &env);
	out[0] = SAM_BOOTSTRAP_VERSION;
	out[1] = ctx->send_ops->wire_id;
	sam_put16(out + 2, 0);
	sam_put32(out + 4, ctx->session_id);
	sam_put32(out + 8, ctx->source_id);
	sam_put64(out + 12, issued);
	sam_put16(out + 20, (uint16_t)len);
	if (len)
	{
		memmove(out + SAM_BOOTSTRAP_HEADER, body, len);
	}
	msg_len = signed_bytes(out, unsigned_len, msg);
	err = ops->sign(NULL, &ctx->signing, &env, msg, msg_len,
					out + unsigned_len);
	if (err != SAM_OK)
	{
		return err;
	}
	return (ssize_t)(unsigned_len + SAM_BOOTSTRAP_SIG);
}

ssize_t sam_bootstrap_seal(sam_ctx *ctx, const void *body, size_t len,
						   uint8_t *out, size_t size)
{
	if (!ctx)
	{
		return SAM_E_INVAL;
	}
	return sam_bootstrap_seal_at(ctx, ctx->clock(ctx->clock_user), body, len,
								 out, size);
}

int sam_bootstrap_check(const sam_ctx *ctx, const uint8_t *blob, size_t len,
						struct sam_source **source)
{
	struct sam_source *src;
	size_t blen;

	if (!ctx->have_session)
	{
		return SAM_E_NOSESSION;
	}
	if (len < SAM_BOOTSTRAP_HEADER)
	{
		return SAM_E_MALFORMED;
	}
	if (blob[0] != SAM_BOOTSTRAP_VERSION)
	{
		return SAM_E_VERSION;
	}
	blen = sam_get16(blob + 20);
	if (sam_get16(blob + 2) != 0 || blen > SAM_MAX_BOOTSTRAP_BODY ||
		len != SAM_BOOTSTRAP_HEADER + blen + SAM_BOOTSTRAP_SIG)
	{
		return SAM_E_MALFORMED;
	}
	if (sam_get32(blob + 4) != ctx->session_id)
	{
		return SAM_E_SESSION;
	}
	src = sam_ctx_find_source(ctx, sam_get32(blob + 8));
	if (!src)
	{
		return SAM_E_UNKNOWN_SOURCE;
	}
	if (!signature_ops(&src->key) || blob[1] != src->ops->wire_id)
	{
		return SAM_E_SCHEME;
	}
	*source = src;
	return SAM_OK;
}

int sam_bootstrap_verify(const sam_ctx *ctx, const struct sam_source *src,
						 const uint8_t *blob, size_t len)
{
	struct sam_scheme_env env;
	struct sam_frame_view view;
	uint8_t msg[SIGNED_MAX];
	size_t unsigned_len = len - SAM_BOOTSTRAP_SIG;

	env = (struct sam_scheme_env){
		.session_id = ctx->session_id,
		.source_id = src->id,
		.md = ctx->md,
	};
	view = (struct sam_frame_view){
		.data = msg,
		.data_len = signed_bytes(blob, unsigned_len, msg),
		.auth = blob + unsigned_len,
		.auth_len = SAM_BOOTSTRAP_SIG,
	};
	/* the schemes' verify ops: EVP_DigestVerify, no secret involved */
	if (signature_ops(&src->key)->verify(NULL, &src->key, &env, &view) !=
		SAM_OK)
	{
		return SAM_E_BAD_AUTH;
	}
	return SAM_OK;
}

int sam_bootstrap_open(const sam_ctx *ctx, const uint8_t *blob, size_t len,
					   uint32_t *source_id, const uint8_t **body,
					   size_t *body_len, uint64_t *issued)
{
	struct sam_source *src;
	int err;

	if (!ctx || (!blob && len) || !source_id || !body || !body_len)
	{
		return SAM_E_INVAL;
	}
	err = sam_bootstrap_check(ctx, blob, len, &src);
	if (err == SAM_OK)
	{
		err = sam_bootstrap_verify(ctx, src, blob, len);
	}
	if (err != SAM_OK)
	{
		return err;
	}
	*source_id = src->id;
	*body = blob + SAM_BOOTSTRAP_HEADER;
	*body_len = sam_get16(blob + 20);
	if (issued)
	{
		*issued = sam_get64(blob + 12);
	}
	return SAM_OK;
}
