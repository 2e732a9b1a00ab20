/*
 * sam_ctx setup: the memory, I/O, user and group contexts.
 *
 * Everything the data path needs is allocated here, through the memory
 * context: the frame buffer in sam_ctx_new(), a replay bitmap per source in
 * sam_add_source().  sam_seal() / sam_open() then never allocate (OpenSSL's
 * own allocations inside sign/verify aside).
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "context.h"
#include "tree.h"

static void *default_alloc(void *user, size_t size)
{
	(void)user;
	return malloc(size);
}

static void *default_realloc(void *user, void *ptr, size_t size)
{
	(void)user;
	return realloc(ptr, size);
}

static void default_free(void *user, void *ptr)
{
	(void)user;
	free(ptr);
}

void *sam_ctx_alloc(const sam_ctx *ctx, size_t size)
{
	return ctx->mem.alloc(ctx->mem.user, size);
}

void sam_ctx_free_mem(const sam_ctx *ctx, void *ptr)
{
	if (ptr)
	{
		ctx->mem.free(ctx->mem.user, ptr);
	}
}

/** The default clock: CLOCK_REALTIME in milliseconds */
static uint64_t realtime_ms(void *user)
{
	struct timespec ts;

	(void)user;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
	{
		return 0;
	}
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void sam_ctx_env(sam_ctx *ctx, uint32_t source_id,
				 struct sam_scheme_env *env)
{
	*env = (struct sam_scheme_env){
		.session_id = ctx->session_id,
		.source_id = source_id,
		.now = ctx->clock(ctx->clock_user),
		.md = ctx->md,
	};
}

int sam_ctx_reject(sam_ctx *ctx, int err)
{
	if (err < 0 && -err < SAM_REJECT_SLOTS)
	{
		ctx->rejected[-err]++;
	}
	ctx->stats.rejected++;
	return err;
}

/**
 * Scheme state of size bytes, zeroed, through the memory context; NULL
 * with *err set on failure, NULL and SAM_OK for size 0
 */
static void *state_alloc(sam_ctx *ctx, size_t size, int *err)
{
	void *state;

	*err = SAM_OK;
	if (!size)
	{
		return NULL;
	}
	state = sam_ctx_alloc(ctx, size);
	if (!state)
	{
		*err = SAM_E_NOMEM;
		return NULL;
	}
	memset(state, 0, size);
	return state;
}

/** Wipe and free scheme state */
static void state_free(sam_ctx *ctx, void *state, size_t size,
					   void (*clear)(void *state))
{
	if (state)
	{
		if (clear)
		{
			clear(state);
		}
		OPENSSL_cleanse(state, size);
		sam_ctx_free_mem(ctx, state);
	}
}

/** Drop the signing key and the signer state */
static void clear_signer(sam_ctx *ctx)
{
	if (ctx->send_ops)
	{
		state_free(ctx, ctx->signer, ctx->send_ops->signer_size,
				   ctx->send_ops->signer_clear);
		sam_key_clear(&ctx->signing);
	}
	ctx->signer = NULL;
	ctx->send_ops = NULL;
	/* another key announces its chain in an envelope of its own */
	ctx->out_boot_len = 0;
	ctx->boot_sent = 0;
}

/** Wipe and free what a source holds, except its array slot */
static void clear_source(sam_ctx *ctx, struct sam_source *src)
{
	sam_pending_forget(ctx, src->id);
	sam_pending_clear(ctx, &src->pending);
	state_free(ctx, src->verifier, src->ops->verifier_size,
			   src->ops->verifier_clear);
	src->verifier = NULL;
	sam_key_clear(&src->key);
	sam_ctx_free_mem(ctx, src->replay.bits);
	src->replay.bits = NULL;
	/* a new key starts without: its envelopes are another signer's */
	src->boot_len = 0;
	src->boot_issued = 0;
}

int sam_ctx_new(const sam_mem_ops *mem, sam_ctx **out)
{
	sam_mem_ops ops = {
		.alloc = default_alloc,
		.realloc = default_realloc,
		.free = default_free,
	};
	sam_ctx *ctx;

	if (!out)
	{
		return SAM_E_INVAL;
	}
	if (mem)
	{
		if (!mem->alloc || !mem->realloc || !mem->free)
		{
			return SAM_E_INVAL;
		}
		ops = *mem;
	}
	ctx = ops.alloc(ops.user, sizeof(*ctx));
	if (!ctx)
	{
		return SAM_E_NOMEM;
	}
	memset(ctx, 0, sizeof(*ctx));
	ctx->mem = ops;
	ctx->next_seq = 1;
	ctx->window = SAM_DEFAULT_REPLAY_WINDOW;
	ctx->tree_frames = SAM_TREE_DEFAULT_BLOCK;
	ctx->tree_delay = SAM_TREE_DEFAULT_DELAY_MS;
	ctx->pending_frames = SAM_DEFAULT_PENDING_FRAMES;
	ctx->pending_len = SAM_DEFAULT_PENDING_LEN;
	ctx->boot_period = SAM_DEFAULT_BOOTSTRAP_PERIOD;
	ctx->clock = realtime_ms;
	ctx->buf = sam_ctx_alloc(ctx, SAM_MAX_FRAME);
	ctx->md = EVP_MD_CTX_new();
	if (!ctx->buf || !ctx->md)
	{
		sam_ctx_free(ctx);
		return SAM_E_NOMEM;
	}
	*out = ctx;
	return SAM_OK;
}

void sam_ctx_free(sam_ctx *ctx)
{
	sam_mem_ops mem;
	size_t i;

	if (!ctx)
	{
		return;
	}
	if (ctx->keeper)
	{
		ctx->keeper->free(ctx);
	}
	for (i = 0; i < ctx->nsources; i++)
	{
		clear_source(ctx, &ctx->sources[i]);
	}
	if (ctx->sources)
	{
		OPENSSL_cleanse(ctx->sources, ctx->capsources * sizeof(*ctx->sources));
		sam_ctx_free_mem(ctx, ctx->sources);
	}
	sam_ctx_free_mem(ctx, ctx->ready);
	clear_signer(ctx);
	if (ctx->buf)
	{
		/* may hold the last payload */
		OPENSSL_cleanse(ctx->buf, SAM_MAX_FRAME);
		sam_ctx_free_mem(ctx, ctx->buf);
	}
	EVP_MD_CTX_free(ctx->md);
	sam_payload_crypt_clear(ctx);
	/* the context itself goes last, through a copy of its allocator */
	mem = ctx->mem;
	OPENSSL_cleanse(ctx, sizeof(*ctx));
	mem.free(mem.user, ctx);
}

int sam_set_io(sam_ctx *ctx, const sam_io_ops *io)
{
	if (!ctx || !io)
	{
		return SAM_E_INVAL;
	}
	ctx->io = *io;
	return SAM_OK;
}

int sam_set_reject_cb(sam_ctx *ctx, sam_reject_cb cb, void *user)
{
	if (!ctx)
	{
		return SAM_E_INVAL;
	}
	ctx->reject_cb = cb;
	ctx->reject_user = user;
	return SAM_OK;
}

int sam_set_source(sam_ctx *ctx, uint32_t source_id, uint64_t next_seq)
{
	uint64_t now;

	if (!ctx)
	{
		return SAM_E_INVAL;
	}
	if (!next_seq)
	{	/* above what a restarted sender used before, see sam.h */
		now = ctx->clock(ctx->clock_user);
		if (!now || now >= (UINT64_C(1) << 43))
		{
			return SAM_E_INVAL;
		}
		next_seq = now << 20;
	}
	ctx->source_id = source_id;
	ctx->have_source = 1;
	ctx->next_seq = next_seq;
	return SAM_OK;
}

int sam_set_clock(sam_ctx *ctx, uint64_t (*now)(void *user), void *user)
{
	if (!ctx)
	{
		return SAM_E_INVAL;
	}
	ctx->clock = now ? now : realtime_ms;
	ctx->clock_user = now ? user : NULL;
	return SAM_OK;
}

int sam_set_signing_key(sam_ctx *ctx, const sam_key *key)
{
	const struct sam_scheme_ops *ops;
	int err;

	if (!ctx || !key)
	{
		return SAM_E_INVAL;
	}
	ops = sam_scheme_get(key->scheme);
	if (!ops || !key->can_sign)
	{
		return SAM_E_KEY;
	}
	clear_signer(ctx);
	ctx->signer = state_alloc(ctx, ops->signer_size, &err);
	if (err != SAM_OK)
	{
		return err;
	}
	sam_key_copy(&ctx->signing, key);
	ctx->send_ops = ops;
	if (ops->signer_init)
	{
		err = ops->signer_init(ctx->signer, &ctx->signing);
		if (err != SAM_OK)
		{
			clear_signer(ctx);
			return err;
		}
	}
	if (ops == &sam_scheme_tree)
	{
		sam_tree_configure(ctx->signer, ctx->tree_frames, ctx->tree_delay);
	}
	return SAM_OK;
}

int sam_set_tree(sam_ctx *ctx, unsigned int frames, unsigned int max_delay_ms)
{
	if (!ctx || frames < 1 || frames > SAM_TREE_MAX_FRAMES ||
		max_delay_ms > SAM_TREE_MAX_DELAY)
	{
		return SAM_E_INVAL;
	}
	ctx->tree_frames = frames;
	ctx->tree_delay = max_delay_ms;
	if (ctx->send_ops == &sam_scheme_tree)
	{
		sam_tree_configure(ctx->signer, frames, max_delay_ms);
	}
	return SAM_OK;
}

int sam_precompute(sam_ctx *ctx, size_t frames)
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
	if (!ctx->send_ops->precompute)
	{
		return SAM_OK;
	}
	sam_ctx_env(ctx, ctx->source_id, &env);
	return ctx->send_ops->precompute(ctx->signer, &ctx->signing, &env,
									 frames);
}

size_t sam_precomputed(const sam_ctx *ctx)
{
	if (!ctx || !ctx->send_ops)
	{
		return 0;
	}
	if (!ctx->send_ops->available)
	{
		return SIZE_MAX;
	}
	return ctx->send_ops->available(ctx->signer);
}

uint64_t sam_next_seq(const sam_ctx *ctx)
{
	return ctx ? ctx->next_seq : 0;
}

int sam_set_session(sam_ctx *ctx, uint32_t session_id)
{
	if (!ctx)
	{
		return SAM_E_INVAL;
	}
	ctx->session_id = session_id;
	ctx->have_session = 1;
	return SAM_OK;
}

int sam_set_pending(sam_ctx *ctx, size_t frames, size_t frame_len)
{
	if (!ctx || (frames && (frame_len < SAM_HEADER_SIZE ||
							frame_len > SAM_MAX_FRAME)) ||
		frames > SAM_MAX_PENDING_FRAMES)
	{
		return SAM_E_INVAL;
	}
	ctx->pending_frames = frames;
	ctx->pending_len = frame_len;
	return SAM_OK;
}

int sam_set_replay_window(sam_ctx *ctx, unsigned int size)
{
	if (!ctx || size < 64 || size > SAM_MAX_REPLAY_WINDOW)
	{
		return SAM_E_INVAL;
	}
	ctx->window = (size + 63) / 64 * 64;
	return SAM_OK;
}

/** Index of the first source with an id >= id */
static size_t source_index(const sam_ctx *ctx, uint32_t id)
{
	size_t lo = 0, hi = ctx->nsources;

	while (lo < hi)
	{
		size_t mid = lo + (hi - lo) / 2;

		if (ctx->sources[mid].id < id)
		{
			lo = mid + 1;
		}
		else
		{
			hi = mid;
		}
	}
	return lo;
}

struct sam_source *sam_ctx_find_source(const sam_ctx *ctx, uint32_t id)
{
	size_t i = source_index(ctx, id);

	if (i < ctx->nsources && ctx->sources[i].id == id)
	{
		return &ctx->sources[i];
	}
	return NULL;
}

/**
 * Make room for one more source.  Grown by copying rather than realloc so
 * the old array, which holds key material, can be wiped before it is freed.
 */
static int grow_sources(sam_ctx *ctx)
{
	struct sam_source *array;
	size_t cap;

	if (ctx->nsources < ctx->capsources)
	{
		return SAM_OK;
	}
	cap = ctx->capsources ? ctx->capsources * 2 : 8;
	if (cap > SIZE_MAX / sizeof(*array))
	{
		return SAM_E_NOMEM;
	}
	array = sam_ctx_alloc(ctx, cap * sizeof(*array));
	if (!array)
	{
		return SAM_E_NOMEM;
	}
	if (ctx->sources)
	{
		memcpy(array, ctx->sources, ctx->nsources * sizeof(*array));
		OPENSSL_cleanse(ctx->sources, ctx->capsources * sizeof(*array));
		sam_ctx_free_mem(ctx, ctx->sources);
	}
	ctx->sources = array;
	ctx->capsources = cap;
	return SAM_OK;
}

int sam_add_source(sam_ctx *ctx, uint32_t source_id, const sam_key *key)
{
	const struct sam_scheme_ops *ops;
	struct sam_source *src, new;
	uint64_t *bits;
	size_t i;
	int err;

	if (!ctx || !key)
	{
		return SAM_E_INVAL;
	}
	ops = sam_scheme_get(key->scheme);
	if (!ops)
	{
		return SAM_E_KEY;
	}
	i = source_index(ctx, source_id);
	if (i < ctx->nsources && ctx->sources[i].id == source_id)
	{
		return SAM_E_EXISTS;
	}
	err = grow_sources(ctx);
	if (err != SAM_OK)
	{
		return err;
	}
	bits = sam_ctx_alloc(ctx, sam_replay_words(ctx->window) * sizeof(uint64_t));
	if (!bits)
	{
		return SAM_E_NOMEM;
	}
	/* everything that can fail before the source takes its place */
	new = (struct sam_source){
		.id = source_id,
		.ops = ops,
	};
	new.verifier = state_alloc(ctx, ops->verifier_size, &err);
	if (err == SAM_OK && ops->resolve)
	{
		err = sam_pending_init(ctx, &new.pending, ctx->pending_frames,
							   ctx->pending_len);
		if (err == SAM_OK)
		{
			err = sam_pending_grow_ready(ctx, new.pending.nslots);
		}
	}
	sam_key_copy(&new.key, key);
	sam_replay_init(&new.replay, ctx->window, bits);
	if (err == SAM_OK && ops->verifier_init)
	{
		err = ops->verifier_init(new.verifier, &new.key);
	}
	if (err != SAM_OK)
	{
		clear_source(ctx, &new);
		return err;
	}
	memmove(&ctx->sources[i + 1], &ctx->sources[i],
			(ctx->nsources - i) * sizeof(*src));
	src = &ctx->sources[i];
	*src = new;
	OPENSSL_cleanse(&new, sizeof(new));
	ctx->nsources++;
	return SAM_OK;
}

int sam_remove_source(sam_ctx *ctx, uint32_t source_id)
{
	struct sam_source *src;
	size_t i;

	if (!ctx)
	{
		return SAM_E_INVAL;
	}
	i = source_index(ctx, source_id);
	if (i >= ctx->nsources || ctx->sources[i].id != source_id)
	{
		return SAM_E_UNKNOWN_SOURCE;
	}
	src = &ctx->sources[i];
	clear_source(ctx, src);
	memmove(src, src + 1, (ctx->nsources - i - 1) * sizeof(*src));
	ctx->nsources--;
	/* the last slot still holds a copy of a moved entry's key */
	OPENSSL_cleanse(&ctx->sources[ctx->nsources], sizeof(*src));
	return SAM_OK;
}

int sam_get_stats(const sam_ctx *ctx, sam_stats *stats)
{
	if (!ctx || !stats)
	{
		return SAM_E_INVAL;
	}
	*stats = ctx->stats;
	return SAM_OK;
}

uint64_t sam_get_rejected(const sam_ctx *ctx, int err)
{
	if (!ctx || err >= 0 || -err >= SAM_REJECT_SLOTS)
	{
		return 0;
	}
	return ctx->rejected[-err];
}
