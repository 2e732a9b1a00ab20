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

#include <openssl/crypto.h>

#include "context.h"

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

static void *mem_alloc(const sam_ctx *ctx, size_t size)
{
	return ctx->mem.alloc(ctx->mem.user, size);
}

static void mem_free(const sam_ctx *ctx, void *ptr)
{
	if (ptr)
	{
		ctx->mem.free(ctx->mem.user, ptr);
	}
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
	ctx->buf = mem_alloc(ctx, SAM_MAX_FRAME);
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
	for (i = 0; i < ctx->nsources; i++)
	{
		sam_key_clear(&ctx->sources[i].key);
		mem_free(ctx, ctx->sources[i].replay.bits);
	}
	if (ctx->sources)
	{
		OPENSSL_cleanse(ctx->sources, ctx->capsources * sizeof(*ctx->sources));
		mem_free(ctx, ctx->sources);
	}
	if (ctx->send_ops)
	{
		sam_key_clear(&ctx->signing);
	}
	if (ctx->buf)
	{
		/* may hold the last payload */
		OPENSSL_cleanse(ctx->buf, SAM_MAX_FRAME);
		mem_free(ctx, ctx->buf);
	}
	EVP_MD_CTX_free(ctx->md);
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
	if (!ctx)
	{
		return SAM_E_INVAL;
	}
	ctx->source_id = source_id;
	ctx->have_source = 1;
	ctx->next_seq = next_seq ? next_seq : 1;
	return SAM_OK;
}

int sam_set_signing_key(sam_ctx *ctx, const sam_key *key)
{
	const struct sam_scheme_ops *ops;

	if (!ctx || !key)
	{
		return SAM_E_INVAL;
	}
	ops = sam_scheme_get(key->scheme);
	if (!ops || !key->can_sign)
	{
		return SAM_E_KEY;
	}
	if (ctx->send_ops)
	{
		sam_key_clear(&ctx->signing);
	}
	sam_key_copy(&ctx->signing, key);
	ctx->send_ops = ops;
	return SAM_OK;
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
	array = mem_alloc(ctx, cap * sizeof(*array));
	if (!array)
	{
		return SAM_E_NOMEM;
	}
	if (ctx->sources)
	{
		memcpy(array, ctx->sources, ctx->nsources * sizeof(*array));
		OPENSSL_cleanse(ctx->sources, ctx->capsources * sizeof(*array));
		mem_free(ctx, ctx->sources);
	}
	ctx->sources = array;
	ctx->capsources = cap;
	return SAM_OK;
}

int sam_add_source(sam_ctx *ctx, uint32_t source_id, const sam_key *key)
{
	const struct sam_scheme_ops *ops;
	struct sam_source *src;
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
	bits = mem_alloc(ctx, sam_replay_words(ctx->window) * sizeof(uint64_t));
	if (!bits)
	{
		return SAM_E_NOMEM;
	}
	memmove(&ctx->sources[i + 1], &ctx->sources[i],
			(ctx->nsources - i) * sizeof(*src));
	src = &ctx->sources[i];
	memset(src, 0, sizeof(*src));
	src->id = source_id;
	src->ops = ops;
	sam_key_copy(&src->key, key);
	sam_replay_init(&src->replay, ctx->window, bits);
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
	sam_key_clear(&src->key);
	mem_free(ctx, src->replay.bits);
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
