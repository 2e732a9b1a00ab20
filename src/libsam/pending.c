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
#include <openssl/err.h>
#include <openssl/rand.h>

#include "context.h"
#include "frame.h"

/** Entries of the sequence number table for frames slots: a power of two
 *  of at least twice as many, so that probes stay short */
static size_t table_size(size_t frames)
{
	size_t size = 2;

	while (size < frames * 2)
	{
		size *= 2;
	}
	return size;
}

int sam_pending_init(sam_ctx *ctx, struct sam_pending *pending,
					 size_t frames, size_t frame_len)
{
	size_t i, table;

	memset(pending, 0, sizeof(*pending));
	if (!frames)
	{
		return SAM_OK;
	}
	if (frame_len > SAM_MAX_FRAME || frames > SIZE_MAX / frame_len ||
		frames > SIZE_MAX / 4 / sizeof(struct sam_slot))
	{
		return SAM_E_INVAL;
	}
	table = table_size(frames);
	if (RAND_bytes((unsigned char *)&pending->hash_mul,
				   sizeof(pending->hash_mul)) != 1)
	{
		ERR_clear_error();
		return SAM_E_CRYPTO;
	}
	pending->hash_mul |= 1;
	pending->slots = sam_ctx_alloc(ctx, frames * sizeof(struct sam_slot));
	pending->free_stack = sam_ctx_alloc(ctx, frames * sizeof(size_t));
	pending->by_seq = sam_ctx_alloc(ctx, table * sizeof(size_t));
	pending->arena = sam_ctx_alloc(ctx, frames * frame_len);
	if (!pending->slots || !pending->free_stack || !pending->by_seq ||
		!pending->arena)
	{
		sam_pending_clear(ctx, pending);
		return SAM_E_NOMEM;
	}
	memset(pending->slots, 0, frames * sizeof(struct sam_slot));
	memset(pending->by_seq, 0, table * sizeof(size_t));
	for (i = 0; i < frames; i++)
	{
		pending->slots[i].frame = pending->arena + i * frame_len;
		/* the lowest index on top, as a scan would find them */
		pending->free_stack[i] = frames - 1 - i;
	}
	pending->nslots = frames;
	pending->nfree = frames;
	pending->slot_len = frame_len;
	pending->by_seq_mask = table - 1;
	pending->head = pending->tail = SAM_SLOT_NONE;
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
	sam_ctx_free_mem(ctx, pending->free_stack);
	sam_ctx_free_mem(ctx, pending->by_seq);
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

/* ---- the sequence number table ----------------------------------------- */

static size_t seq_home(const struct sam_pending *pending, uint64_t seq)
{
	return (size_t)((seq * pending->hash_mul) >> 32) & pending->by_seq_mask;
}

/** The table entry of a slot's sequence number, or of the empty one
 *  where it would go */
static size_t seq_find(const struct sam_pending *pending, uint64_t seq,
					   size_t slot)
{
	size_t i = seq_home(pending, seq), entry;

	while ((entry = pending->by_seq[i]) != 0 &&
		   !(pending->slots[entry - 1].seq == seq &&
			 (slot == SAM_SLOT_NONE || entry - 1 == slot)))
	{
		i = (i + 1) & pending->by_seq_mask;
	}
	return i;
}

/** Take entry i out, moving up those that probed past it (linear probing
 *  without tombstones) */
static void seq_remove(struct sam_pending *pending, size_t i)
{
	size_t j = i, home;

	pending->by_seq[i] = 0;
	for (;;)
	{
		j = (j + 1) & pending->by_seq_mask;
		if (!pending->by_seq[j])
		{
			return;
		}
		home = seq_home(pending, pending->slots[pending->by_seq[j] - 1].seq);
		/* may it move to i: is i cyclically within [home, j)? */
		if (((j - home) & pending->by_seq_mask) >=
			((j - i) & pending->by_seq_mask))
		{
			pending->by_seq[i] = pending->by_seq[j];
			pending->by_seq[j] = 0;
			i = j;
		}
	}
}

/* ---- the arrival order -------------------------------------------------- */

static void order_append(struct sam_pending *pending, size_t slot)
{
	pending->slots[slot].prev = pending->tail;
	pending->slots[slot].next = SAM_SLOT_NONE;
	if (pending->tail == SAM_SLOT_NONE)
	{
		pending->head = slot;
	}
	else
	{
		pending->slots[pending->tail].next = slot;
	}
	pending->tail = slot;
	pending->npending++;
}

static void order_remove(struct sam_pending *pending, size_t slot)
{
	struct sam_slot *s = &pending->slots[slot];

	if (s->prev == SAM_SLOT_NONE)
	{
		pending->head = s->next;
	}
	else
	{
		pending->slots[s->prev].next = s->next;
	}
	if (s->next == SAM_SLOT_NONE)
	{
		pending->tail = s->prev;
	}
	else
	{
		pending->slots[s->next].prev = s->prev;
	}
	s->prev = s->next = SAM_SLOT_NONE;
	pending->npending--;
}

/** Free a slot in any state, taking it out of the order and the table */
static void slot_free(struct sam_pending *pending, size_t slot)
{
	struct sam_slot *s = &pending->slots[slot];

	if (s->state == SAM_SLOT_FREE)
	{
		return;
	}
	if (s->state == SAM_SLOT_PENDING)
	{
		order_remove(pending, slot);
	}
	seq_remove(pending, seq_find(pending, s->seq, slot));
	s->state = SAM_SLOT_FREE;
	s->len = 0;
	pending->free_stack[pending->nfree++] = slot;
}

int sam_pending_add(sam_ctx *ctx, struct sam_source *src, uint64_t seq,
					const uint8_t *frame, size_t len)
{
	struct sam_pending *pending = &src->pending;
	size_t i, entry, slot;

	if (len > pending->slot_len || !pending->nslots)
	{
		return SAM_E_BUDGET;
	}
	/* a copy of a frame that waits already; one handed out (HELD) was
	 * marked in the replay window, which caught any copy before */
	for (i = seq_home(pending, seq); (entry = pending->by_seq[i]) != 0;
		 i = (i + 1) & pending->by_seq_mask)
	{
		if (pending->slots[entry - 1].seq == seq &&
			pending->slots[entry - 1].state != SAM_SLOT_HELD)
		{
			return SAM_E_REPLAY;
		}
	}
	if (!pending->nfree)
	{
		return SAM_E_BUDGET;
	}
	slot = pending->free_stack[--pending->nfree];
	pending->slots[slot].state = SAM_SLOT_PENDING;
	pending->slots[slot].seq = seq;
	pending->slots[slot].len = len;
	memcpy(pending->slots[slot].frame, frame, len);
	/* i is the empty entry the probe ended at */
	pending->by_seq[i] = slot + 1;
	order_append(pending, slot);
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
static int decrypt_slot(sam_ctx *ctx, struct sam_source **src, size_t index,
						const struct sam_frame_hdr *hdr)
{
	uint32_t id = (*src)->id;
	uint8_t *frame = (*src)->pending.slots[index].frame;
	int err;

	err = sam_payload_decrypt(ctx, hdr, frame,
							  frame + SAM_HEADER_SIZE + SAM_SEAL_KEY_ID_LEN);
	*src = sam_ctx_find_source(ctx, id);
	if (*src && (index >= (*src)->pending.nslots ||
				 (*src)->pending.slots[index].state != SAM_SLOT_PENDING ||
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
	size_t index, next;

	if (!src->ops->resolve || !pending->npending)
	{
		return;
	}
	if (src->ops->resolve_epoch)
	{
		pending->epoch = src->ops->resolve_epoch(src->verifier);
	}
	sam_ctx_env(ctx, src->id, &env);
	for (index = pending->head; index != SAM_SLOT_NONE; index = next)
	{
		struct sam_slot *slot = &pending->slots[index];
		struct sam_frame_hdr hdr;
		struct sam_frame_view view;
		int err;

		next = slot->next;
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
			continue;
		}
		if (err == SAM_OK && (hdr.flags & SAM_FLAG_ENCRYPTED))
		{	/* authentic: worth decrypting */
			err = decrypt_slot(ctx, &src, index, &hdr);
			if (!src)
			{	/* its frames went with it */
				return;
			}
			pending = &src->pending;
			slot = &pending->slots[index];
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
		order_remove(pending, index);
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
