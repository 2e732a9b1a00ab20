/*
 * Frames that become authentic later: each source's pending budget (slots
 * of a fixed size, allocated when the source is added), and the ready
 * queue of frames that became authentic, handed out in the order they
 * did.  Nothing here allocates on the data path.  An encrypted frame is
 * decrypted in its slot when it becomes authentic, and handed out from
 * there.
 */

#include <string.h>

#include <openssl/crypto.h>

#include "context.h"
#include "frame.h"

int sam_pending_init(sam_ctx *ctx, struct sam_pending *pending,
					 size_t frames, size_t frame_len)
{
	size_t i;

	memset(pending, 0, sizeof(*pending));
	if (!frames)
	{
		return SAM_OK;
	}
	if (frame_len > SAM_MAX_FRAME || frames > SIZE_MAX / frame_len ||
		frames > SIZE_MAX / sizeof(struct sam_slot))
	{
		return SAM_E_INVAL;
	}
	pending->slots = sam_ctx_alloc(ctx, frames * sizeof(struct sam_slot));
	pending->order = sam_ctx_alloc(ctx, frames * sizeof(size_t));
	pending->arena = sam_ctx_alloc(ctx, frames * frame_len);
	if (!pending->slots || !pending->order || !pending->arena)
	{
		sam_pending_clear(ctx, pending);
		return SAM_E_NOMEM;
	}
	memset(pending->slots, 0, frames * sizeof(struct sam_slot));
	for (i = 0; i < frames; i++)
	{
		pending->slots[i].frame = pending->arena + i * frame_len;
	}
	pending->nslots = frames;
	pending->slot_len = frame_len;
	return SAM_OK;
}

void sam_pending_clear(sam_ctx *ctx, struct sam_pending *pending)
{
	if (pending->arena)
	{
		/* payloads of frames nobody has seen authentic */
		OPENSSL_cleanse(pending->arena, pending->nslots * pending->slot_len);
	}
	sam_ctx_free_mem(ctx, pending->arena);
	sam_ctx_free_mem(ctx, pending->slots);
	sam_ctx_free_mem(ctx, pending->order);
	memset(pending, 0, sizeof(*pending));
}

int sam_pending_grow_ready(sam_ctx *ctx, size_t frames)
{
	struct sam_ready *ring;
	size_t cap, i;

	if (!frames)
	{
		return SAM_OK;
	}
	if (ctx->ready_cap > SIZE_MAX / sizeof(*ring) - frames)
	{
		return SAM_E_NOMEM;
	}
	cap = ctx->ready_cap + frames;
	ring = sam_ctx_alloc(ctx, cap * sizeof(*ring));
	if (!ring)
	{
		return SAM_E_NOMEM;
	}
	/* unroll the old ring into the new one, oldest first */
	for (i = 0; i < ctx->ready_count; i++)
	{
		ring[i] = ctx->ready[(ctx->ready_head + i) % ctx->ready_cap];
	}
	sam_ctx_free_mem(ctx, ctx->ready);
	ctx->ready = ring;
	ctx->ready_cap = cap;
	ctx->ready_head = 0;
	return SAM_OK;
}

void sam_pending_forget(sam_ctx *ctx, uint32_t source_id)
{
	size_t i, kept = 0;

	for (i = 0; i < ctx->ready_count; i++)
	{
		struct sam_ready r = ctx->ready[(ctx->ready_head + i) %
										ctx->ready_cap];

		if (r.source_id != source_id)
		{
			ctx->ready[(ctx->ready_head + kept) % ctx->ready_cap] = r;
			kept++;
		}
	}
	ctx->ready_count = kept;
	if (ctx->holding && ctx->held_source == source_id)
	{
		ctx->holding = 0;
	}
}

/** Take the i-th entry out of the arrival order */
static void order_remove(struct sam_pending *pending, size_t i)
{
	memmove(&pending->order[i], &pending->order[i + 1],
			(pending->npending - i - 1) * sizeof(size_t));
	pending->npending--;
}

/** Free a slot and take it out of the arrival order */
static void slot_free(struct sam_pending *pending, size_t slot)
{
	size_t i;

	for (i = 0; i < pending->npending; i++)
	{
		if (pending->order[i] == slot)
		{
			order_remove(pending, i);
			break;
		}
	}
	pending->slots[slot].state = SAM_SLOT_FREE;
	pending->slots[slot].len = 0;
}

int sam_pending_add(sam_ctx *ctx, struct sam_source *src, uint64_t seq,
					const uint8_t *frame, size_t len)
{
	struct sam_pending *pending = &src->pending;
	size_t i, free_slot = pending->nslots;

	if (len > pending->slot_len)
	{
		return SAM_E_BUDGET;
	}
	for (i = 0; i < pending->nslots; i++)
	{
		struct sam_slot *slot = &pending->slots[i];

		if (slot->state == SAM_SLOT_FREE)
		{
			free_slot = free_slot < pending->nslots ? free_slot : i;
		}
		else if (slot->seq == seq && slot->state != SAM_SLOT_HELD)
		{	/* a copy of a frame that waits already */
			return SAM_E_REPLAY;
		}
	}
	if (free_slot == pending->nslots)
	{
		return SAM_E_BUDGET;
	}
	pending->slots[free_slot] = (struct sam_slot){
		.state = SAM_SLOT_PENDING,
		.seq = seq,
		.len = len,
		.frame = pending->slots[free_slot].frame,
	};
	memcpy(pending->slots[free_slot].frame, frame, len);
	pending->order[pending->npending++] = free_slot;
	ctx->stats.pending++;
	return SAM_PENDING;
}

/** Report a dropped pending frame to the reject callback */
static void drop(sam_ctx *ctx, struct sam_slot *slot, int err)
{
	sam_ctx_reject(ctx, err);
	if (ctx->reject_cb)
	{
		ctx->reject_cb(ctx->reject_user, err, slot->frame, slot->len, NULL,
					   0);
	}
}

/**
 * Decrypt an authentic, encrypted pending frame in its slot.  Looking for
 * the key may make the keeper change the sources: *src is then looked up
 * again, and NULL if the source or the frame's slot are gone.
 */
static int decrypt_slot(sam_ctx *ctx, struct sam_source **src, size_t i,
						const struct sam_frame_hdr *hdr)
{
	uint32_t id = (*src)->id;
	size_t index = (*src)->pending.order[i];
	uint8_t *frame = (*src)->pending.slots[index].frame;
	int err;

	err = sam_payload_decrypt(ctx, hdr, frame,
							  frame + SAM_HEADER_SIZE + SAM_SEAL_KEY_ID_LEN);
	*src = sam_ctx_find_source(ctx, id);
	if (*src && (i >= (*src)->pending.npending ||
				 (*src)->pending.order[i] != index ||
				 (*src)->pending.slots[index].frame != frame))
	{	/* the source was replaced with a budget of its own */
		*src = NULL;
	}
	return err;
}

void sam_pending_resolve(sam_ctx *ctx, struct sam_source *src)
{
	struct sam_pending *pending = &src->pending;
	struct sam_scheme_env env;
	size_t i = 0;

	if (!src->ops->resolve || !pending->npending)
	{
		return;
	}
	if (src->ops->resolve_epoch)
	{
		pending->epoch = src->ops->resolve_epoch(src->verifier);
	}
	sam_ctx_env(ctx, src->id, &env);
	while (i < pending->npending)
	{
		size_t index = pending->order[i];
		struct sam_slot *slot = &pending->slots[index];
		struct sam_frame_hdr hdr;
		struct sam_frame_view view;
		int err;

		/* it passed sam_frame_parse() when it came */
		sam_frame_decode(slot->frame, &hdr);
		view = (struct sam_frame_view){
			.hdr = &hdr,
			.data = slot->frame,
			.data_len = SAM_HEADER_SIZE + (size_t)hdr.payload_len,
			.auth = slot->frame + SAM_HEADER_SIZE + hdr.payload_len,
			.auth_len = hdr.auth_len,
		};
		err = src->ops->resolve(src->verifier, &src->key, &env, &view);
		if (err == SAM_PENDING)
		{
			i++;
			continue;
		}
		if (err == SAM_OK && (hdr.flags & SAM_FLAG_ENCRYPTED))
		{	/* authentic: worth decrypting */
			err = decrypt_slot(ctx, &src, i, &hdr);
			if (!src)
			{	/* its frames went with it */
				return;
			}
			pending = &src->pending;
		}
		if (err == SAM_OK)
		{	/* accepted: now it may move the window, if it still fits */
			err = sam_replay_check(&src->replay, slot->seq);
		}
		if (err != SAM_OK)
		{
			drop(ctx, slot, err);
			slot_free(pending, index);
			continue;
		}
		sam_replay_update(&src->replay, slot->seq);
		/* leaves the arrival order, stays allocated until handed out */
		order_remove(pending, i);
		slot->state = SAM_SLOT_READY;
		ctx->ready[(ctx->ready_head + ctx->ready_count) % ctx->ready_cap] =
			(struct sam_ready){
				.source_id = src->id,
				.slot = index,
			};
		ctx->ready_count++;
	}
}

void sam_pending_resolve_new(sam_ctx *ctx, struct sam_source *src)
{
	if (!src->ops->resolve_epoch ||
		src->ops->resolve_epoch(src->verifier) != src->pending.epoch)
	{
		sam_pending_resolve(ctx, src);
	}
}

void sam_pending_release_held(sam_ctx *ctx)
{
	struct sam_source *src;

	if (!ctx->holding)
	{
		return;
	}
	ctx->holding = 0;
	src = sam_ctx_find_source(ctx, ctx->held_source);
	if (src && ctx->held_slot < src->pending.nslots &&
		src->pending.slots[ctx->held_slot].state == SAM_SLOT_HELD)
	{
		OPENSSL_cleanse(src->pending.slots[ctx->held_slot].frame,
						src->pending.slots[ctx->held_slot].len);
		slot_free(&src->pending, ctx->held_slot);
	}
}
