/*
 * sam_attach(): a context's group (and user) context from the mike plugin.
 * The keys come over the plugin's control socket (mike_client.c); the
 * context keeps asking as a keeper (context.h), so senders that join are
 * added and those that leave removed.  A refresh changes nothing unless
 * every key of the answer is usable.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "context.h"
#include "key.h"
#include "mike_client.h"

/** ms between the refreshes sam_poll() makes */
#define POLL_INTERVAL 5000

/** ms between refreshes for frames of unknown sources */
#define URGENT_INTERVAL 1000

/** The attachment of a context */
struct sam_attach {
	/** the control socket's path */
	char path[108];
	/** group name */
	char group[256];
	unsigned int flags;
	/** when the keys were asked for last, ms of the context's clock */
	uint64_t last;
	int asked;
	/** why the last attempt failed, "" if it did not */
	char error[256];
};

/** The keys of an answer, parsed, before any is applied */
struct parsed {
	sam_scheme scheme;
	sam_key **keys;
	sam_key *signing;
};

static void parsed_clear(struct parsed *p, size_t n)
{
	size_t i;

	for (i = 0; p->keys && i < n; i++)
	{
		sam_key_free(p->keys[i]);
	}
	free(p->keys);
	sam_key_free(p->signing);
}

/** Parse every key of an answer for its scheme */
static int parse_keys(const struct sam_mike_keys *keys, struct parsed *p,
					  char *err, size_t errlen)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	if (sam_scheme_from_name(keys->scheme, &p->scheme) != SAM_OK)
	{
		snprintf(err, errlen, "the group's scheme '%s' is unknown to libsam",
				 keys->scheme);
		return SAM_E_SCHEME;
	}
	p->keys = calloc(keys->nsources ?: 1, sizeof(*p->keys));
	if (!p->keys)
	{
		return SAM_E_NOMEM;
	}
	for (i = 0; i < keys->nsources; i++)
	{
		if (!keys->sources[i].pem ||
			sam_key_from_pem(keys->sources[i].pem,
							 strlen(keys->sources[i].pem),
							 &p->keys[i]) != SAM_OK ||
			sam_key_can_sign(p->keys[i]) ||
			sam_key_set_scheme(p->keys[i], p->scheme) != SAM_OK)
		{
			snprintf(err, errlen, "the key of source %u is not a %s "
					 "verification key", keys->sources[i].id, keys->scheme);
			parsed_clear(p, keys->nsources);
			return SAM_E_KEY;
		}
	}
	if (keys->signing_pem &&
		(sam_key_from_pem(keys->signing_pem, strlen(keys->signing_pem),
						  &p->signing) != SAM_OK ||
		 !sam_key_can_sign(p->signing) ||
		 sam_key_set_scheme(p->signing, p->scheme) != SAM_OK))
	{
		snprintf(err, errlen, "this host's signing key is not a %s key",
				 keys->scheme);
		parsed_clear(p, keys->nsources);
		return SAM_E_KEY;
	}
	return SAM_OK;
}

/** Whether an answer lists a source id */
static const sam_key *listed(const struct sam_mike_keys *keys,
							 const struct parsed *p, uint32_t id)
{
	size_t i;

	for (i = 0; i < keys->nsources; i++)
	{
		if (keys->sources[i].id == id)
		{
			return p->keys[i];
		}
	}
	return NULL;
}

/** Make the context's sources those of the answer */
static int apply(sam_ctx *ctx, struct sam_attach *a,
				 const struct sam_mike_keys *keys, struct parsed *p)
{
	struct sam_source *src;
	const sam_key *key;
	size_t i;
	int err;

	/* before anything changes */
	if ((a->flags & SAM_ATTACH_SIGNING) && (!p->signing || !keys->own_source))
	{
		snprintf(a->error, sizeof(a->error), "the plugin sent no signing "
				 "key for the group");
		return SAM_E_NOKEY;
	}
	if ((err = sam_set_session(ctx, keys->session)) != SAM_OK)
	{
		return err;
	}
	/* gone, or with another key (the sender registered anew) */
	for (i = ctx->nsources; i-- > 0; )
	{
		src = &ctx->sources[i];
		key = listed(keys, p, src->id);
		if (!key || src->key.scheme != key->scheme ||
			EVP_PKEY_eq(src->key.pkey, key->pkey) != 1)
		{
			sam_remove_source(ctx, src->id);
		}
	}
	for (i = 0; i < keys->nsources; i++)
	{
		if (!sam_ctx_find_source(ctx, keys->sources[i].id))
		{
			err = sam_add_source(ctx, keys->sources[i].id, p->keys[i]);
			if (err != SAM_OK)
			{
				return err;
			}
		}
	}
	if (p->signing && (!ctx->send_ops || !ctx->have_source ||
					   ctx->source_id != keys->own_source ||
					   EVP_PKEY_eq(ctx->signing.pkey, p->signing->pkey) != 1))
	{	/* a new source starts its numbers from the clock */
		if ((err = sam_set_signing_key(ctx, p->signing)) != SAM_OK ||
			(err = sam_set_source(ctx, keys->own_source, 0)) != SAM_OK)
		{
			return err;
		}
	}
	return SAM_OK;
}

/** Ask the plugin and apply its answer */
static int ask(sam_ctx *ctx, struct sam_attach *a)
{
	struct sam_mike_keys keys;
	struct parsed p;
	int err;

	a->last = ctx->clock(ctx->clock_user);
	a->asked = 1;
	a->error[0] = '\0';
	err = sam_mike_get_keys(a->path, a->group, a->flags & SAM_ATTACH_SIGNING,
							&keys, a->error, sizeof(a->error));
	if (err != SAM_OK)
	{
		return err;
	}
	err = parse_keys(&keys, &p, a->error, sizeof(a->error));
	if (err == SAM_OK)
	{
		err = apply(ctx, a, &keys, &p);
		parsed_clear(&p, keys.nsources);
	}
	sam_mike_keys_clear(&keys);
	if (err != SAM_OK && !a->error[0])
	{
		snprintf(a->error, sizeof(a->error), "%s", sam_strerror(err));
	}
	return err;
}

static int keeper_refresh(sam_ctx *ctx, int urgent)
{
	struct sam_attach *a = ctx->keeper_state;
	uint64_t now = ctx->clock(ctx->clock_user);

	if (a->asked && now >= a->last &&
		now - a->last < (urgent ? URGENT_INTERVAL : POLL_INTERVAL))
	{
		return SAM_E_INVAL;
	}
	return ask(ctx, a);
}

static void keeper_free(sam_ctx *ctx)
{
	OPENSSL_cleanse(ctx->keeper_state, sizeof(struct sam_attach));
	sam_ctx_free_mem(ctx, ctx->keeper_state);
	ctx->keeper = NULL;
	ctx->keeper_state = NULL;
}

static const struct sam_keeper_ops attach_keeper = {
	.refresh = keeper_refresh,
	.free = keeper_free,
};

int sam_attach(sam_ctx *ctx, const char *uri, const char *group,
			   unsigned int flags)
{
	static const char scheme[] = "unix://";
	struct sam_attach *a;
	const char *path;

	if (!ctx || !group || !*group || strlen(group) >= sizeof(a->group) ||
		(flags & ~SAM_ATTACH_SIGNING))
	{
		return SAM_E_INVAL;
	}
	uri = uri ?: SAM_MIKE_DEFAULT_URI;
	if (strncmp(uri, scheme, strlen(scheme)) != 0)
	{
		return SAM_E_INVAL;
	}
	path = uri + strlen(scheme);
	if (path[0] != '/' || strlen(path) >= sizeof(a->path))
	{
		return SAM_E_INVAL;
	}
	if (ctx->keeper && ctx->keeper != &attach_keeper)
	{
		return SAM_E_EXISTS;
	}
	if (!ctx->keeper)
	{
		a = sam_ctx_alloc(ctx, sizeof(*a));
		if (!a)
		{
			return SAM_E_NOMEM;
		}
		memset(a, 0, sizeof(*a));
		ctx->keeper_state = a;
		ctx->keeper = &attach_keeper;
	}
	a = ctx->keeper_state;
	strcpy(a->path, path);
	strcpy(a->group, group);
	a->flags = flags;
	return ask(ctx, a);
}

int sam_refresh(sam_ctx *ctx)
{
	if (!ctx || ctx->keeper != &attach_keeper)
	{
		return SAM_E_INVAL;
	}
	return ask(ctx, ctx->keeper_state);
}

const char *sam_attach_error(const sam_ctx *ctx)
{
	const struct sam_attach *a;

	if (!ctx || ctx->keeper != &attach_keeper)
	{
		return "";
	}
	a = ctx->keeper_state;
	return a->error;
}
