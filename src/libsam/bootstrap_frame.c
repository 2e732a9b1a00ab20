/*
 * In-band sender bootstraps (docs/sam-bootstrap.md, "In-band").
 *
 * A tesla receiver needs its sender's signed key-chain commitment before
 * any frame can become authentic.  With mike it comes with the sender's
 * key; without, the sender puts the same envelope into bootstrap frames
 * (flag BOOTSTRAP, no authenticator: the envelope's signature is the
 * proof), one before its first data frame, one at once for a new chain,
 * then one a period.
 *
 * Whichever way an envelope comes, one rule decides whether it replaces
 * what a source has: only a newer Issued does, so that a replayed
 * envelope of an old chain cannot take a receiver back to it; the very
 * bytes applied last are a repeat, recognized by a memcmp.  Both checks
 * come before the signature, so that old and repeated envelopes, which a
 * receiver sees once a period from every sender, cost it no Ed25519
 * verification; the envelopes are public, the comparison need not be
 * constant-time.  Nothing here allocates.
 */

#include <string.h>

#include "bootstrap.h"
#include "bootstrap_frame.h"
#include "tesla.h"

int sam_bootstrap_apply(sam_ctx *ctx, uint32_t source_id, const uint8_t *blob,
						size_t len)
{
	struct sam_source *src, *named;
	uint64_t issued;
	size_t body_len;
	int err;

	src = sam_ctx_find_source(ctx, source_id);
	if (!src)
	{
		return SAM_E_UNKNOWN_SOURCE;
	}
	if (src->ops->id != SAM_SCHEME_TESLA)
	{	/* only tesla has anything to install */
		return SAM_E_SCHEME;
	}
	err = sam_bootstrap_check(ctx, blob, len, &named);
	if (err != SAM_OK)
	{
		return err;
	}
	if (named != src)
	{	/* another sender's, for this one */
		return SAM_E_UNKNOWN_SOURCE;
	}
	/* the check bounds len by SAM_MAX_BOOTSTRAP, the size of src->boot */
	if (src->boot_len == len && memcmp(src->boot, blob, len) == 0)
	{
		return SAM_OK;
	}
	issued = sam_get64(blob + 12);
	if (src->boot_len && issued <= src->boot_issued)
	{
		return SAM_E_STALE;
	}
	err = sam_bootstrap_verify(ctx, src, blob, len);
	if (err != SAM_OK)
	{
		return err;
	}
	body_len = len - SAM_BOOTSTRAP_HEADER - SAM_BOOTSTRAP_SIG;
	err = sam_tesla_apply(ctx, src, blob + SAM_BOOTSTRAP_HEADER, body_len);
	if (err != SAM_OK)
	{
		return err;
	}
	memcpy(src->boot, blob, len);
	src->boot_len = len;
	src->boot_issued = issued;
	/* a first chain decides nothing pending (there is none without one);
	 * a new one may, sooner than their expiry */
	sam_pending_resolve_new(ctx, src);
	return SAM_OK;
}

int sam_tesla_load_bootstrap(sam_ctx *ctx, uint32_t source_id,
							 const uint8_t *blob, size_t len)
{
	if (!ctx || !blob)
	{
		return SAM_E_INVAL;
	}
	return sam_bootstrap_apply(ctx, source_id, blob, len);
}

int sam_bootstrap_frame_open(sam_ctx *ctx, const struct sam_frame_hdr *hdr,
							 const uint8_t *frame, sam_frame_info *info)
{
	const struct sam_source *src;
	int err;

	/* the envelope names session and source itself: sam_bootstrap_check()
	 * holds its session to the context's, which check 7 held the
	 * header's to, and the source must be the header's */
	err = sam_bootstrap_apply(ctx, hdr->source_id, frame + SAM_HEADER_SIZE,
							  hdr->payload_len);
	if (err != SAM_OK)
	{
		return sam_ctx_reject(ctx, err);
	}
	ctx->stats.bootstraps++;
	src = sam_ctx_find_source(ctx, hdr->source_id);
	if (info)
	{
		*info = (sam_frame_info){
			.source_id = hdr->source_id,
			.seq = hdr->seq,
			.scheme = src->ops->id,
			.auth = src->ops->auth,
		};
	}
	return SAM_BOOTSTRAP;
}

/** Whether the envelope sent last announces the chains of body */
static int same_chains(const sam_ctx *ctx, const uint8_t *body, size_t len)
{
	size_t sent;

	if (ctx->out_boot_len < SAM_BOOTSTRAP_HEADER + SAM_BOOTSTRAP_SIG ||
		sam_get32(ctx->out_boot + 4) != ctx->session_id ||
		sam_get32(ctx->out_boot + 8) != ctx->source_id)
	{
		return 0;
	}
	sent = ctx->out_boot_len - SAM_BOOTSTRAP_HEADER - SAM_BOOTSTRAP_SIG;
	return (sent == len || sent == len + SAM_TESLA_CHECKPOINT_LEN) &&
		   memcmp(ctx->out_boot + SAM_BOOTSTRAP_HEADER, body, len) == 0;
}

/**
 * The envelope of the sender's current chains.  A new chain (or session,
 * or source id) makes a new one at once, to be sent at once; when a frame
 * is due anyway (refresh), it is signed anew if its checkpoint (the newest
 * key disclosed, docs/sam-tesla.md) moved on, so that receivers that come
 * late skip ahead rather than hash down from the commitment.
 */
static int current_envelope(sam_ctx *ctx, uint64_t now, int refresh)
{
	uint8_t body[SAM_TESLA_BOOTSTRAP_BODY + SAM_TESLA_CHECKPOINT_LEN];
	uint64_t issued;
	ssize_t n;
	int len, same;

	len = sam_tesla_bootstrap_body(ctx, body, sizeof(body));
	if (len < 0)
	{
		return len;
	}
	same = same_chains(ctx, body, (size_t)len);
	if (same && !refresh)
	{
		return SAM_OK;
	}
	len = sam_tesla_checkpoint_body(ctx, body, sizeof(body));
	if (len < 0)
	{
		return len;
	}
	if (same && ctx->out_boot_len == SAM_BOOTSTRAP_HEADER + (size_t)len +
		SAM_BOOTSTRAP_SIG &&
		memcmp(ctx->out_boot + SAM_BOOTSTRAP_HEADER, body, (size_t)len) == 0)
	{	/* nothing new disclosed since */
		return SAM_OK;
	}
	/* a new envelope within the millisecond of the last one must still
	 * be newer, or receivers would keep the old one */
	issued = now > ctx->out_boot_issued ? now : ctx->out_boot_issued + 1;
	ctx->out_boot_len = 0;
	n = sam_bootstrap_seal_at(ctx, issued, body, (size_t)len, ctx->out_boot,
							  sizeof(ctx->out_boot));
	if (n < 0)
	{
		return (int)n;
	}
	ctx->out_boot_len = (size_t)n;
	ctx->out_boot_issued = issued;
	if (!same)
	{
		ctx->boot_sent = 0;
	}
	return SAM_OK;
}

/**
 * A bootstrap frame of the current chain, if due: always when asked
 * (scheduled 0) with period 0, never by the schedule with period 0,
 * else when none went out for this envelope or the period is over
 */
static ssize_t seal_frame(sam_ctx *ctx, int scheduled, uint8_t *out,
						  size_t size)
{
	struct sam_frame_hdr hdr;
	uint64_t now;
	int err;

	if (!ctx->send_ops || !ctx->have_source)
	{
		return SAM_E_NOKEY;
	}
	if (!ctx->have_session)
	{
		return SAM_E_NOSESSION;
	}
	if (scheduled && !ctx->boot_period)
	{
		return 0;
	}
	now = ctx->clock(ctx->clock_user);
	err = current_envelope(ctx, now, 0);
	if (err != SAM_OK)
	{
		return err;
	}
	/* a clock that went back makes one due rather than none for long */
	if (ctx->boot_period && ctx->boot_sent && now >= ctx->boot_last &&
		now - ctx->boot_last < ctx->boot_period)
	{
		return 0;
	}
	err = current_envelope(ctx, now, 1);
	if (err != SAM_OK)
	{
		return err;
	}
	if (size < SAM_HEADER_SIZE + ctx->out_boot_len)
	{
		return SAM_E_BUFSIZE;
	}
	if (ctx->next_seq == 0)
	{
		return SAM_E_SEQ_EXHAUSTED;
	}
	hdr = (struct sam_frame_hdr){
		.version = SAM_FRAME_VERSION,
		.scheme = ctx->send_ops->wire_id,
		.flags = SAM_FLAG_BOOTSTRAP,
		.session_id = ctx->session_id,
		.source_id = ctx->source_id,
		.seq = ctx->next_seq,
		.payload_len = (uint16_t)ctx->out_boot_len,
	};
	sam_frame_encode(&hdr, out);
	memcpy(out + SAM_HEADER_SIZE, ctx->out_boot, ctx->out_boot_len);
	/* a number of its own keeps (source, seq) unique on the wire, as
	 * monitors and the data key's nonces expect of every frame */
	ctx->next_seq++;
	ctx->boot_sent = 1;
	ctx->boot_last = now;
	return (ssize_t)(SAM_HEADER_SIZE + ctx->out_boot_len);
}

ssize_t sam_seal_bootstrap(sam_ctx *ctx, uint8_t *out, size_t size)
{
	if (!ctx || !out)
	{
		return SAM_E_INVAL;
	}
	return seal_frame(ctx, 0, out, size);
}

ssize_t sam_bootstrap_frame_due(sam_ctx *ctx, uint8_t *out, size_t size)
{
	ssize_t n = seal_frame(ctx, 1, out, size);

	/* not a tesla sender, or no chain yet: nothing to announce; sealing
	 * the data frame says what is wrong */
	return n == SAM_E_SCHEME || n == SAM_E_NOKEY ? 0 : n;
}

void sam_bootstrap_frame_unsent(sam_ctx *ctx)
{
	ctx->boot_sent = 0;
}

int sam_set_bootstrap_period(sam_ctx *ctx, unsigned int period_ms)
{
	if (!ctx)
	{
		return SAM_E_INVAL;
	}
	ctx->boot_period = period_ms;
	ctx->boot_sent = 0;
	return SAM_OK;
}
