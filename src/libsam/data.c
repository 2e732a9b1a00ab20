/*
 * The data path: sealing and opening frames, handing out frames that
 * became authentic later, and the blocking sam_write() / sam_readfrom()
 * over the I/O context.  Nothing here allocates through the memory
 * context.  Payload encryption (payload_crypt.c) wraps the scheme:
 * encrypted before the frame is authenticated, decrypted only once it is
 * authentic.
 */

#include <string.h>

#include "bootstrap_frame.h"
#include "context.h"
#include "frame.h"

/** Largest payload the 16-bit Payload Length field can describe */
#define SAM_MAX_PAYLOAD_FIELD 65535

/** Frames of offline work sealing does by itself when none is left */
#define SAM_PRECOMPUTE_ON_DEMAND 64

/**
 * Frame size for a payload of len bytes that encryption grows by overhead
 * bytes, with an authenticator of auth_len bytes, or SAM_E_TOOBIG.
 * Checked before adding so that a huge len cannot wrap the sum.
 */
static ssize_t frame_size(size_t auth_len, size_t overhead, size_t len)
{
	if (len > SAM_MAX_PAYLOAD_FIELD - overhead || auth_len > UINT16_MAX ||
		len > (size_t)SAM_MAX_FRAME - SAM_HEADER_SIZE - auth_len - overhead)
	{
		return SAM_E_TOOBIG;
	}
	return (ssize_t)(SAM_HEADER_SIZE + overhead + len + auth_len);
}

/** The length of the next authenticator of the signing scheme */
static size_t next_auth_len(const sam_ctx *ctx)
{
	const struct sam_scheme_ops *ops = ctx->send_ops;

	return ops->auth_len ? ops->auth_len(ctx->signer) : ops->max_auth_len;
}

ssize_t sam_frame_size(const sam_ctx *ctx, size_t payload_len)
{
	int overhead;

	if (!ctx)
	{
		return SAM_E_INVAL;
	}
	if (!ctx->send_ops || !ctx->have_source)
	{
		return SAM_E_NOKEY;
	}
	overhead = sam_payload_overhead(ctx);
	if (overhead < 0)
	{
		return overhead;
	}
	return frame_size(next_auth_len(ctx), (size_t)overhead, payload_len);
}

/** Let the signing scheme authenticate a frame, doing offline work it needs */
static int sign(sam_ctx *ctx, uint8_t *frame, size_t signed_len)
{
	const struct sam_scheme_ops *ops = ctx->send_ops;
	struct sam_scheme_env env;
	int err;

	sam_ctx_env(ctx, ctx->source_id, &env);
	err = ops->sign(ctx->signer, &ctx->signing, &env, frame, signed_len,
					frame + signed_len);
	if (err == SAM_E_PRECOMPUTE && ops->precompute)
	{	/* the application did not keep ahead: pay for it now */
		err = ops->precompute(ctx->signer, &ctx->signing, &env,
							  SAM_PRECOMPUTE_ON_DEMAND);
		if (err == SAM_OK)
		{
			err = ops->sign(ctx->signer, &ctx->signing, &env, frame,
							signed_len, frame + signed_len);
		}
	}
	return err;
}

ssize_t sam_seal(sam_ctx *ctx, const void *payload, size_t len,
				 uint8_t *frame, size_t size)
{
	const struct sam_scheme_ops *ops;
	struct sam_frame_hdr hdr;
	size_t auth_len, text;
	ssize_t total;
	int err, overhead;

	if (!ctx || !frame || (!payload && len))
	{
		return SAM_E_INVAL;
	}
	ops = ctx->send_ops;
	if (!ops || !ctx->have_source)
	{
		return SAM_E_NOKEY;
	}
	if (!ctx->have_session)
	{
		return SAM_E_NOSESSION;
	}
	overhead = sam_payload_overhead(ctx);
	if (overhead < 0)
	{
		return overhead;
	}
	auth_len = next_auth_len(ctx);
	total = frame_size(auth_len, (size_t)overhead, len);
	if (total < 0)
	{
		return total;
	}
	if (size < (size_t)total)
	{
		return SAM_E_BUFSIZE;
	}
	if (ctx->next_seq == 0)
	{
		return SAM_E_SEQ_EXHAUSTED;
	}
	hdr = (struct sam_frame_hdr){
		.version = SAM_FRAME_VERSION,
		.scheme = ops->wire_id,
		.flags = overhead ? SAM_FLAG_ENCRYPTED : 0,
		.session_id = ctx->session_id,
		.source_id = ctx->source_id,
		.seq = ctx->next_seq,
		.payload_len = (uint16_t)(len + (size_t)overhead),
		.auth_len = (uint16_t)auth_len,
	};
	/* the plaintext goes where the ciphertext will be, behind the key id;
	 * memmove: it may already sit at its place in the frame */
	text = SAM_HEADER_SIZE + (overhead ? SAM_SEAL_KEY_ID_LEN : 0);
	if (len)
	{
		memmove(frame + text, payload, len);
	}
	sam_frame_encode(&hdr, frame);
	if (overhead)
	{
		err = sam_payload_encrypt(ctx, frame, len);
		if (err != SAM_OK)
		{
			return err;
		}
	}
	/* encrypt-then-authenticate: the scheme covers the payload field as
	 * sent, so receivers check the source before anything is decrypted */
	err = sign(ctx, frame, SAM_HEADER_SIZE + hdr.payload_len);
	if (err != SAM_OK && err != SAM_PENDING)
	{
		if (overhead)
		{	/* its nonce (source, seq) encrypted this plaintext: never
			 * again another one */
			ctx->next_seq++;
		}
		return err;
	}
	/* only a produced (or batched) frame uses up its number; after
	 * UINT64_MAX the counter wraps to 0, which marks the sender as
	 * exhausted */
	ctx->next_seq++;
	ctx->stats.sealed++;
	/* a batching scheme took the frame: it comes from sam_next_sealed() */
	return err == SAM_PENDING ? 0 : total;
}

int sam_flush(sam_ctx *ctx)
{
	struct sam_scheme_env env;

	if (!ctx)
	{
		return SAM_E_INVAL;
	}
	if (!ctx->send_ops)
	{
		return SAM_E_NOKEY;
	}
	if (!ctx->send_ops->flush)
	{
		return SAM_OK;
	}
	sam_ctx_env(ctx, ctx->source_id, &env);
	return ctx->send_ops->flush(ctx->signer, &ctx->signing, &env);
}

ssize_t sam_next_sealed(sam_ctx *ctx, uint8_t *frame, size_t size)
{
	if (!ctx || !frame)
	{
		return SAM_E_INVAL;
	}
	if (!ctx->send_ops)
	{
		return SAM_E_NOKEY;
	}
	if (!ctx->send_ops->next_sealed)
	{
		return 0;
	}
	return ctx->send_ops->next_sealed(ctx->signer, frame, size);
}

/** Fill info for an authentic frame of src with its plaintext */
static void fill_info(const struct sam_source *src,
					  const struct sam_frame_hdr *hdr, const uint8_t *payload,
					  size_t payload_len, sam_frame_info *info)
{
	if (info)
	{
		*info = (sam_frame_info){
			.source_id = hdr->source_id,
			.seq = hdr->seq,
			.payload = payload,
			.payload_len = payload_len,
			.scheme = src->ops->id,
			.auth = src->ops->auth,
		};
	}
}

int sam_open(sam_ctx *ctx, const uint8_t *frame, size_t len,
			 sam_frame_info *info)
{
	struct sam_scheme_env env;
	struct sam_frame_view view;
	struct sam_frame_hdr hdr;
	struct sam_source *src;
	const uint8_t *payload;
	size_t signed_len, payload_len;
	int err;

	if (!ctx || (!frame && len))
	{
		return SAM_E_INVAL;
	}
	if (!ctx->have_session)
	{
		return SAM_E_NOSESSION;
	}
	/* a frame handed out by sam_next_authentic() is done with now, and
	 * so is the plaintext the last call handed out */
	sam_pending_release_held(ctx);
	sam_payload_release(ctx);
	/* checks 1-6: shape of the frame */
	err = sam_frame_parse(frame, len, &hdr);
	if (err != SAM_OK)
	{
		return sam_ctx_reject(ctx, err);
	}
	/* 7 */
	if (hdr.session_id != ctx->session_id)
	{
		return sam_ctx_reject(ctx, SAM_E_SESSION);
	}
	/* 8: cheap, before any key lookup or signature work, so cleartext
	 * frames cost a receiver that wants none nothing; a bootstrap frame
	 * carries no application data, only a sender's public, signed chain
	 * commitment, and is never encrypted */
	if (ctx->crypt.required &&
		!(hdr.flags & (SAM_FLAG_ENCRYPTED | SAM_FLAG_BOOTSTRAP)))
	{
		return sam_ctx_reject(ctx, SAM_E_CLEARTEXT);
	}
	/* 9; a sender that joined since the keys were taken is asked for */
	src = sam_ctx_find_source(ctx, hdr.source_id);
	if (!src && ctx->keeper && ctx->keeper->refresh(ctx, 1) == SAM_OK)
	{
		src = sam_ctx_find_source(ctx, hdr.source_id);
	}
	if (!src)
	{
		return sam_ctx_reject(ctx, SAM_E_UNKNOWN_SOURCE);
	}
	/* 10-12 */
	err = sam_frame_check_sender(&hdr, src->ops);
	if (err != SAM_OK)
	{
		return sam_ctx_reject(ctx, err);
	}
	/* its Issued, not the replay window, says whether it is fresh */
	if (hdr.flags & SAM_FLAG_BOOTSTRAP)
	{
		return sam_bootstrap_frame_open(ctx, &hdr, frame, info);
	}
	/* 13-14: before the expensive verification, without changing state */
	err = sam_replay_check(&src->replay, hdr.seq);
	if (err != SAM_OK)
	{
		return sam_ctx_reject(ctx, err);
	}
	/* 15 */
	signed_len = SAM_HEADER_SIZE + (size_t)hdr.payload_len;
	view = (struct sam_frame_view){
		.hdr = &hdr,
		.data = frame,
		.data_len = signed_len,
		.auth = frame + signed_len,
		.auth_len = hdr.auth_len,
	};
	sam_ctx_env(ctx, hdr.source_id, &env);
	err = src->ops->verify(src->verifier, &src->key, &env, &view);
	if (err == SAM_E_NOKEY && ctx->keeper &&
		ctx->keeper->refresh(ctx, 1) == SAM_OK)
	{	/* a scheme that needs the sender's bootstrap (TESLA) has none yet:
		 * the keeper may have it now; the sources may have changed */
		src = sam_ctx_find_source(ctx, hdr.source_id);
		err = src ? sam_frame_check_sender(&hdr, src->ops)
				  : SAM_E_UNKNOWN_SOURCE;
		if (err == SAM_OK)
		{
			err = sam_replay_check(&src->replay, hdr.seq);
		}
		if (err == SAM_OK)
		{
			err = src->ops->verify(src->verifier, &src->key, &env, &view);
		}
	}
	if (err == SAM_PENDING)
	{
		err = src->ops->resolve ? sam_pending_add(ctx, src, hdr.seq, frame,
												  len)
								: SAM_E_BAD_AUTH;
		if (err != SAM_PENDING)
		{
			return sam_ctx_reject(ctx, err);
		}
		/* what it brought (a disclosed key, a block signature) may settle
		 * frames that came before */
		sam_pending_resolve_new(ctx, src);
		return SAM_PENDING;
	}
	if (err != SAM_OK)
	{
		return sam_ctx_reject(ctx, err);
	}
	/* 16-17: authentic, so worth decrypting */
	err = sam_payload_open(ctx, &hdr, frame, &payload, &payload_len);
	if (err == SAM_OK && (hdr.flags & SAM_FLAG_ENCRYPTED))
	{	/* asked for the key, the keeper may have changed the sources */
		src = sam_ctx_find_source(ctx, hdr.source_id);
		err = src ? sam_replay_check(&src->replay, hdr.seq)
				  : SAM_E_UNKNOWN_SOURCE;
	}
	if (err != SAM_OK)
	{	/* the window stays: the same frame opens once the key is there */
		return sam_ctx_reject(ctx, err);
	}
	/* accepted: only now may the frame move the window */
	sam_replay_update(&src->replay, hdr.seq);
	ctx->stats.accepted++;
	fill_info(src, &hdr, payload, payload_len, info);
	sam_pending_resolve_new(ctx, src);
	return SAM_OK;
}

int sam_poll(sam_ctx *ctx)
{
	size_t i;

	if (!ctx)
	{
		return SAM_E_INVAL;
	}
	if (ctx->keeper)
	{	/* senders that joined or left; it knows when it is due */
		ctx->keeper->refresh(ctx, 0);
	}
	for (i = 0; i < ctx->nsources; i++)
	{
		sam_pending_resolve(ctx, &ctx->sources[i]);
	}
	return ctx->ready_count > INT32_MAX ? INT32_MAX : (int)ctx->ready_count;
}

int sam_next_authentic(sam_ctx *ctx, sam_frame_info *info)
{
	struct sam_frame_hdr hdr;
	struct sam_source *src;
	struct sam_ready ready;
	struct sam_slot *slot;

	if (!ctx)
	{
		return SAM_E_INVAL;
	}
	sam_pending_release_held(ctx);
	sam_payload_release(ctx);
	while (ctx->ready_count)
	{
		ready = ctx->ready[ctx->ready_head];
		ctx->ready_head = (ctx->ready_head + 1) % ctx->ready_cap;
		ctx->ready_count--;
		src = sam_ctx_find_source(ctx, ready.source_id);
		if (!src || ready.slot >= src->pending.nslots ||
			src->pending.slots[ready.slot].state != SAM_SLOT_READY)
		{
			continue;
		}
		slot = &src->pending.slots[ready.slot];
		slot->state = SAM_SLOT_HELD;
		ctx->holding = 1;
		ctx->held_source = ready.source_id;
		ctx->held_slot = ready.slot;
		ctx->stats.accepted++;
		sam_frame_decode(slot->frame, &hdr);
		/* an encrypted one was decrypted in place when it became
		 * authentic (sam_pending_resolve()) */
		if (hdr.flags & SAM_FLAG_ENCRYPTED)
		{
			fill_info(src, &hdr,
					  slot->frame + SAM_HEADER_SIZE + SAM_SEAL_KEY_ID_LEN,
					  (size_t)hdr.payload_len - SAM_SEAL_OVERHEAD, info);
		}
		else
		{
			fill_info(src, &hdr, slot->frame + SAM_HEADER_SIZE,
					  hdr.payload_len, info);
		}
		return SAM_OK;
	}
	return SAM_PENDING;
}

/** Send what a batching scheme finished */
static int write_sealed(sam_ctx *ctx)
{
	ssize_t flen;

	while ((flen = sam_next_sealed(ctx, ctx->buf, SAM_MAX_FRAME)) > 0)
	{
		if (ctx->io.write(ctx->io.io, ctx->buf, (size_t)flen) != flen)
		{
			return SAM_E_IO;
		}
	}
	return flen < 0 ? (int)flen : SAM_OK;
}

ssize_t sam_write(sam_ctx *ctx, const void *payload, size_t len)
{
	ssize_t flen, n;
	int err;

	if (!ctx || (!payload && len))
	{
		return SAM_E_INVAL;
	}
	if (!ctx->io.write)
	{
		return SAM_E_IO;
	}
	/* a tesla sender's chain commitment, for receivers without mike */
	flen = sam_bootstrap_frame_due(ctx, ctx->buf, SAM_MAX_FRAME);
	if (flen < 0)
	{
		return flen;
	}
	if (flen > 0 && ctx->io.write(ctx->io.io, ctx->buf, (size_t)flen) != flen)
	{
		sam_bootstrap_frame_unsent(ctx);
		return SAM_E_IO;
	}
	flen = sam_seal(ctx, payload, len, ctx->buf, SAM_MAX_FRAME);
	if (flen < 0)
	{
		return flen;
	}
	if (flen > 0)
	{
		n = ctx->io.write(ctx->io.io, ctx->buf, (size_t)flen);
		if (n != flen)
		{
			return SAM_E_IO;
		}
	}
	err = write_sealed(ctx);
	return err == SAM_OK ? (ssize_t)len : err;
}

/** Report a rejected datagram to the reject callback */
static void report(sam_ctx *ctx, int err, const uint8_t *frame, size_t len,
				   const struct sockaddr *from, socklen_t fromlen)
{
	if (ctx->reject_cb)
	{
		ctx->reject_cb(ctx->reject_user, err, frame, len, from, fromlen);
	}
}

/**
 * Copy an authentic frame's payload to the caller, or drop it visibly if
 * the caller cannot take it
 */
static ssize_t deliver(sam_ctx *ctx, sam_frame_info *got, void *buf,
					   size_t len, sam_frame_info *info, const uint8_t *frame,
					   size_t flen, const struct sockaddr *from,
					   socklen_t fromlen)
{
	if (got->payload_len > len)
	{
		report(ctx, sam_ctx_reject(ctx, SAM_E_BUFSIZE), frame, flen, from,
			   fromlen);
		return SAM_E_BUFSIZE;
	}
	if (got->payload_len)
	{
		memcpy(buf, got->payload, got->payload_len);
	}
	if (info)
	{
		*info = *got;
		info->payload = buf;
	}
	return (ssize_t)got->payload_len;
}

/** The slot sam_next_authentic() handed out last (it just returned one) */
static const struct sam_slot *held_slot(const sam_ctx *ctx)
{
	const struct sam_source *src = sam_ctx_find_source(ctx, ctx->held_source);

	return &src->pending.slots[ctx->held_slot];
}

ssize_t sam_readfrom(sam_ctx *ctx, void *buf, size_t len,
					 sam_frame_info *info, struct sockaddr *from,
					 socklen_t *fromlen)
{
	socklen_t fromsize;
	sam_frame_info got;
	ssize_t n, ret;
	int err;

	if (!ctx || (!buf && len) || (from && !fromlen))
	{
		return SAM_E_INVAL;
	}
	if (!ctx->io.readfrom && !ctx->io.read)
	{
		return SAM_E_IO;
	}
	fromsize = fromlen ? *fromlen : 0;
	for (;;)
	{
		const struct sockaddr *hint = NULL;
		socklen_t hintlen = 0;

		/* frames that became authentic meanwhile come first */
		if (sam_next_authentic(ctx, &got) == SAM_OK)
		{
			if (fromlen)
			{	/* the datagram is long gone */
				*fromlen = 0;
			}
			const struct sam_slot *held = held_slot(ctx);

			ret = deliver(ctx, &got, buf, len, info, held->frame, held->len,
						  NULL, 0);
			if (ret >= 0)
			{
				return ret;
			}
			continue;
		}
		if (ctx->io.readfrom)
		{
			/* each datagram gets the caller's full address buffer */
			if (fromlen)
			{
				*fromlen = fromsize;
			}
			n = ctx->io.readfrom(ctx->io.io, ctx->buf, SAM_MAX_FRAME,
								 from, fromlen);
			if (n >= 0 && from && fromlen)
			{
				hint = from;
				hintlen = *fromlen;
			}
		}
		else
		{
			n = ctx->io.read(ctx->io.io, ctx->buf, SAM_MAX_FRAME);
			if (fromlen)
			{
				*fromlen = 0;
			}
		}
		if (n < 0 || n > SAM_MAX_FRAME)
		{
			return SAM_E_IO;
		}
		err = sam_open(ctx, ctx->buf, (size_t)n, &got);
		if (err == SAM_PENDING || err == SAM_BOOTSTRAP)
		{
			continue;
		}
		if (err != SAM_OK)
		{
			report(ctx, err, ctx->buf, (size_t)n, hint, hintlen);
			continue;
		}
		ret = deliver(ctx, &got, buf, len, info, ctx->buf, (size_t)n, hint,
					  hintlen);
		if (ret >= 0)
		{
			return ret;
		}
	}
}
