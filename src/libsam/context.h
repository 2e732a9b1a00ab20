/*
 * Internal layout of sam_ctx, shared by the setup (context.c) and the data
 * path (data.c).
 */

#ifndef SAM_CONTEXT_H_
#define SAM_CONTEXT_H_

#include <openssl/evp.h>

#include "common.h"
#include "key.h"
#include "replay.h"
#include "scheme.h"

/** A registered sender of the group context */
struct sam_source {
	uint32_t id;
	const struct sam_scheme_ops *ops;
	struct sam_key key;
	struct sam_replay replay;
};

struct sam_ctx {
	/* memory context */
	sam_mem_ops mem;

	/* I/O context */
	sam_io_ops io;
	sam_reject_cb reject_cb;
	void *reject_user;

	/* user context: this host as a sender */
	int have_source;
	uint32_t source_id;
	/** next sequence number to seal; 0 once UINT64_MAX was used */
	uint64_t next_seq;
	/** the signing key, valid if send_ops is set */
	struct sam_key signing;
	const struct sam_scheme_ops *send_ops;

	/* group context */
	uint32_t session_id;
	/** window size for sources added from now on */
	unsigned int window;
	/** sorted by id, for binary search on every received frame */
	struct sam_source *sources;
	size_t nsources;
	size_t capsources;

	/** one frame, for sam_write() / sam_readfrom(); SAM_MAX_FRAME bytes */
	uint8_t *buf;
	/** reused by the schemes for every frame */
	EVP_MD_CTX *md;

	sam_stats stats;
};

/** The registered source with id, NULL if none */
struct sam_source *sam_ctx_find_source(const sam_ctx *ctx, uint32_t id);

#endif /* SAM_CONTEXT_H_ */
