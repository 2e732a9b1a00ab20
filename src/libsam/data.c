/*
 * The data path: sealing and opening frames, and the blocking
 * sam_write() / sam_readfrom() over the I/O context.  Nothing here
 * allocates through the memory context.
 */

#include <string.h>

#include "context.h"
#include "frame.h"

/** Largest payload the 16-bit Payload Length field can describe */
#define SAM_MAX_PAYLOAD_FIELD 65535

/**
 * Frame size for a payload under ops, or SAM_E_TOOBIG.  Checked before
 * adding so that a huge len cannot wrap the sum.
 */
static ssize_t frame_size(const struct sam_scheme_ops *ops, size_t len)
{
	if (len > SAM_MAX_PAYLOAD_FIELD ||
		len > (size_t)SAM_MAX_FRAME - SAM_HEADER_SIZE - ops->auth_len)
	{
		return SAM_E_TOOBIG;
	}
	return (ssize_t)(SAM_HEADER_SIZE + len + ops->auth_len);
}

ssize_t sam_frame_size(const sam_ctx *ctx, size_t payload_len)
{
	if (!ctx)
	{
		return SAM_E_INVAL;
	}
	if (!ctx->send_ops || !ctx->have_source)
	{
		return SAM_E_NOKEY;
	}
	return frame_size(ctx->send_ops, payload_len);
}

ssize_t sam_seal(sam_ctx *ctx, const void *payload, size_t len,
				 uint8_t *frame, size_t size)
{
	const struct sam_scheme_ops *ops;
	struct sam_frame_hdr hdr;
	ssize_t total;
	int err;

	if (!ctx || !frame || (!payload && len))
	{
		return SAM_E_INVAL;
	}
	ops = ctx->send_ops;
	if (!ops || !ctx->have_source)
	{
		return SAM_E_NOKEY;
	}
	total = frame_size(ops, len);
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
		.scheme = (uint8_t)ops->id,
		.flags = 0,
		.session_id = ctx->session_id,
		.source_id = ctx->source_id,
		.seq = ctx->next_seq,
		.payload_len = (uint16_t)len,
		.auth_len = ops->auth_len,
	};
	/* memmove: the payload may already sit at its place in the frame */
	if (len)
	{
		memmove(frame + SAM_HEADER_SIZE, payload, len);
	}
	sam_frame_encode(&hdr, frame);
	err = ops->sign(&ctx->signing, ctx->md, frame, SAM_HEADER_SIZE + len,
					frame + SAM_HEADER_SIZE + len);
	if (err != SAM_OK)
	{
		return err;
	}
	/* only a produced frame uses up its number; after UINT64_MAX the
	 * counter wraps to 0, which marks the sender as exhausted */
	ctx->next_seq++;
	ctx->stats.sealed++;
	return total;
}

/** Count a rejection of a received frame */
static int reject(sam_ctx *ctx, int err)
{
	if (err < 0 && (size_t)-err < SAM_COUNTOF(ctx->stats.rejected))
	{
		ctx->stats.rejected[-err]++;
	}
	return err;
}

int sam_open(sam_ctx *ctx, const uint8_t *frame, size_t len,
			 sam_frame_info *info)
{
	struct sam_frame_hdr hdr;
	struct sam_source *src;
	size_t signed_len;
	int err;

	if (!ctx || (!frame && len))
	{
		return SAM_E_INVAL;
	}
	/* checks 1-6: shape of the frame */
	err = sam_frame_parse(frame, len, &hdr);
	if (err != SAM_OK)
	{
		return reject(ctx, err);
	}
	/* 7 */
	if (hdr.session_id != ctx->session_id)
	{
		return reject(ctx, SAM_E_SESSION);
	}
	/* 8 */
	src = sam_ctx_find_source(ctx, hdr.source_id);
	if (!src)
	{
		return reject(ctx, SAM_E_UNKNOWN_SOURCE);
	}
	/* 9-11 */
	err = sam_frame_check_sender(&hdr, src->ops);
	if (err != SAM_OK)
	{
		return reject(ctx, err);
	}
	/* 12-13: before the expensive verification, without changing state */
	err = sam_replay_check(&src->replay, hdr.seq);
	if (err != SAM_OK)
	{
		return reject(ctx, err);
	}
	/* 14 */
	signed_len = SAM_HEADER_SIZE + (size_t)hdr.payload_len;
	err = src->ops->verify(&src->key, ctx->md, frame, signed_len,
						   frame + signed_len, hdr.auth_len);
	if (err != SAM_OK)
	{
		return reject(ctx, err);
	}
	/* authentic: only now may the frame move the window */
	sam_replay_update(&src->replay, hdr.seq);
	ctx->stats.accepted++;
	if (info)
	{
		info->source_id = hdr.source_id;
		info->seq = hdr.seq;
		info->payload = frame + SAM_HEADER_SIZE;
		info->payload_len = hdr.payload_len;
		info->scheme = src->ops->id;
	}
	return SAM_OK;
}

ssize_t sam_write(sam_ctx *ctx, const void *payload, size_t len)
{
	ssize_t flen, n;

	if (!ctx || (!payload && len))
	{
		return SAM_E_INVAL;
	}
	if (!ctx->io.write)
	{
		return SAM_E_IO;
	}
	flen = sam_seal(ctx, payload, len, ctx->buf, SAM_MAX_FRAME);
	if (flen < 0)
	{
		return flen;
	}
	n = ctx->io.write(ctx->io.io, ctx->buf, (size_t)flen);
	if (n != flen)
	{
		return SAM_E_IO;
	}
	return (ssize_t)len;
}

ssize_t sam_readfrom(sam_ctx *ctx, void *buf, size_t len,
					 uint32_t *source_id, struct sockaddr *from,
					 socklen_t *fromlen)
{
	socklen_t fromsize;
	sam_frame_info info;
	ssize_t n;
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
		err = sam_open(ctx, ctx->buf, (size_t)n, &info);
		if (err == SAM_OK && info.payload_len > len)
		{
			/* authentic but the caller can't take it: drop it visibly */
			err = reject(ctx, SAM_E_BUFSIZE);
		}
		if (err != SAM_OK)
		{
			if (ctx->reject_cb)
			{
				ctx->reject_cb(ctx->reject_user, err, ctx->buf, (size_t)n,
							   hint, hintlen);
			}
			continue;
		}
		if (info.payload_len)
		{
			memcpy(buf, info.payload, info.payload_len);
		}
		if (source_id)
		{
			*source_id = info.source_id;
		}
		return (ssize_t)info.payload_len;
	}
}
