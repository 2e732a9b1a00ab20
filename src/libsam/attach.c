/*
 * sam_attach(): a context's group (and user) context from the mike plugin.
 * The keys come over the plugin's control socket (mike_client.c); the
 * context keeps asking as a keeper (context.h), so senders that join are
 * added and those that leave removed, and the group's data keys follow
 * its KEK.  A refresh changes nothing unless every key of the answer is
 * usable.  The senders' bootstraps the answer carries are checked under
 * the sources just applied; those that verify are kept for
 * sam_get_bootstrap(), those that do not are dropped (the sender stays).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "context.h"
#include "key.h"
#include "mike_client.h"
#include "bootstrap_frame.h"

/** ms between the refreshes sam_poll() makes */
#define POLL_INTERVAL 5000

/** ms between refreshes for frames of unknown sources */
#define URGENT_INTERVAL 1000

/** A verified bootstrap of a source */
struct sam_boot {
	uint32_t source_id;
	uint64_t issued;
	size_t len;
	uint8_t body[SAM_MAX_BOOTSTRAP_BODY];
};

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
	/** the IDs of the data keys this attachment added, 0 for none */
	uint32_t data_key_ids[2];
	/** the verified bootstraps of the last answer, by source, at most one
	 *  per source of it; through the context's memory context */
	struct sam_boot *boots;
	size_t nboots;
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

/**
 * Make the context's data keys those of the answer: the previous KEK's for
 * frames sealed just before a rekey, the current one's last so that it
 * seals; encryption required exactly when the group says so
 */
static int apply_data_keys(sam_ctx *ctx, struct sam_attach *a,
						   const struct sam_mike_keys *keys)
{
	const struct sam_mike_data_key *dk;
	uint32_t added[2] = { 0, 0 };
	size_t i, j;
	int err, kept;

	/* the plugin's order is current, previous: add the other way round */
	for (i = 2; keys->encrypt == 1 && i-- > 0; )
	{
		dk = &keys->data_keys[i];
		if (!dk->have_key)
		{
			continue;
		}
		err = sam_add_data_key(ctx, dk->id, dk->key, sizeof(dk->key));
		if (err == SAM_E_EXISTS)
		{	/* a new KEK whose key ID collides with an old one's */
			sam_remove_data_key(ctx, dk->id);
			err = sam_add_data_key(ctx, dk->id, dk->key, sizeof(dk->key));
		}
		if (err != SAM_OK)
		{
			return err;
		}
		added[i] = dk->id;
	}
	for (i = 0; i < 2; i++)
	{	/* a KEK two rekeys ago, or none at all since encryption is off */
		kept = 0;
		for (j = 0; j < 2; j++)
		{
			kept |= a->data_key_ids[i] && a->data_key_ids[i] == added[j];
		}
		if (a->data_key_ids[i] && !kept)
		{
			sam_remove_data_key(ctx, a->data_key_ids[i]);
		}
	}
	memcpy(a->data_key_ids, added, sizeof(added));
	return sam_require_encryption(ctx, keys->encrypt == 1);
}

/**
 * Keep the bootstraps of the answer that verify under the sources just
 * applied, replacing those of the answer before (a source that left takes
 * its own with it); one that does not verify is dropped, and said so in
 * a->error without failing the refresh
 */
static int apply_bootstraps(sam_ctx *ctx, struct sam_attach *a,
							const struct sam_mike_keys *keys)
{
	const struct sam_mike_source *src;
	struct sam_boot *boots = NULL;
	const uint8_t *body;
	size_t i, n = 0, dropped = 0, len;
	uint32_t id;
	int err;

	for (i = 0; i < keys->nsources; i++)
	{
		n += keys->sources[i].bootstrap_len != 0;
	}
	if (n)
	{
		boots = sam_ctx_alloc(ctx, n * sizeof(*boots));
		if (!boots)
		{
			return SAM_E_NOMEM;
		}
	}
	n = 0;
	for (i = 0; i < keys->nsources; i++)
	{
		src = &keys->sources[i];
		if (!src->bootstrap_len)
		{
			continue;
		}
		err = sam_bootstrap_open(ctx, src->bootstrap, src->bootstrap_len,
								 &id, &body, &len, &boots[n].issued);
		if (err == SAM_OK && id != src->id)
		{	/* another sender's, under the section of this one */
			err = SAM_E_UNKNOWN_SOURCE;
		}
		if (err != SAM_OK)
		{
			if (!dropped++)
			{
				snprintf(a->error, sizeof(a->error), "the bootstrap of "
						 "source %u is dropped: %s", src->id,
						 err == SAM_E_UNKNOWN_SOURCE ?
						 "signed as another source" : sam_strerror(err));
			}
			continue;
		}
		boots[n].source_id = id;
		boots[n].len = len;
		memcpy(boots[n].body, body, len);
		n++;
		/* a tesla source's chain commitment, under the rule in-band
		 * envelopes follow too: one older than the source's (a newer
		 * one came in-band) changes nothing, the same again costs a
		 * memcmp; a bad body leaves it without (its frames:
		 * SAM_E_NOKEY); others have none */
		sam_bootstrap_apply(ctx, id, src->bootstrap, src->bootstrap_len);
	}
	if (dropped > 1)
	{
		len = strlen(a->error);
		snprintf(a->error + len, sizeof(a->error) - len, " (and %zu more)",
				 dropped - 1);
	}
	sam_ctx_free_mem(ctx, a->boots);
	a->boots = boots;
	a->nboots = n;
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
	if (err == SAM_OK)
	{
		err = apply_data_keys(ctx, a, &keys);
	}
	if (err == SAM_OK)
	{
		err = apply_bootstraps(ctx, a, &keys);
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
	struct sam_attach *a = ctx->keeper_state;

	sam_ctx_free_mem(ctx, a->boots);
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

int sam_publish_bootstrap(sam_ctx *ctx, const void *body, size_t len)
{
	struct sam_attach *a;
	uint8_t blob[SAM_MAX_BOOTSTRAP];
	ssize_t blen;
	int err;

	if (!ctx || ctx->keeper != &attach_keeper)
	{
		return SAM_E_INVAL;
	}
	a = ctx->keeper_state;
	if (!(a->flags & SAM_ATTACH_SIGNING))
	{
		return SAM_E_NOKEY;
	}
	blen = sam_bootstrap_seal(ctx, body, len, blob, sizeof(blob));
	if (blen < 0)
	{
		return (int)blen;
	}
	a->error[0] = '\0';
	err = sam_mike_publish_bootstrap(a->path, a->group, blob, (size_t)blen,
									 a->error, sizeof(a->error));
	if (err != SAM_OK && !a->error[0])
	{
		snprintf(a->error, sizeof(a->error), "%s", sam_strerror(err));
	}
	return err;
}

ssize_t sam_get_bootstrap(const sam_ctx *ctx, uint32_t source_id,
						  uint8_t *buf, size_t size, uint64_t *issued)
{
	const struct sam_attach *a;
	size_t i;

	if (!ctx || ctx->keeper != &attach_keeper || (!buf && size))
	{
		return SAM_E_INVAL;
	}
	a = ctx->keeper_state;
	for (i = 0; i < a->nboots; i++)
	{
		if (a->boots[i].source_id != source_id)
		{
			continue;
		}
		if (!sam_ctx_find_source(ctx, source_id))
		{	/* removed by a refresh that failed after it */
			break;
		}
		if (size < a->boots[i].len)
		{
			return SAM_E_BUFSIZE;
		}
		if (a->boots[i].len)
		{
			memcpy(buf, a->boots[i].body, a->boots[i].len);
		}
		if (issued)
		{
			*issued = a->boots[i].issued;
		}
		return (ssize_t)a->boots[i].len;
	}
	return SAM_E_NOKEY;
}

size_t sam_bootstrap_sources(const sam_ctx *ctx, uint32_t *ids, size_t n)
{
	const struct sam_attach *a;
	size_t i, count = 0;

	if (!ctx || ctx->keeper != &attach_keeper || (!ids && n))
	{
		return 0;
	}
	a = ctx->keeper_state;
	for (i = 0; i < a->nboots; i++)
	{
		if (!sam_ctx_find_source(ctx, a->boots[i].source_id))
		{	/* removed by a refresh that failed after it */
			continue;
		}
		if (count < n)
		{
			ids[count] = a->boots[i].source_id;
		}
		count++;
	}
	return count;
}
