/*
 * Internal layout of sam_ctx, shared by the setup (context.c), the data
 * path (data.c) and the pending frames (pending.c).
 */

#ifndef SAM_CONTEXT_H_
#define SAM_CONTEXT_H_

#include <openssl/evp.h>

#include "common.h"
#include "key.h"
#include "payload_crypt.h"
#include "replay.h"
#include "scheme.h"

/** Rejection counters: one per error code, -SAM_E_... < this */
#define SAM_REJECT_SLOTS 64

/** States of a pending slot */
enum sam_slot_state {
	SAM_SLOT_FREE = 0,
	/** waiting for the scheme to say it is authentic */
	SAM_SLOT_PENDING,
	/** authentic, in the ready queue */
	SAM_SLOT_READY,
	/** handed out by sam_next_authentic(), freed at the next call */
	SAM_SLOT_HELD,
};

/** No slot: the end of a list */
#define SAM_SLOT_NONE SIZE_MAX

/** A received frame kept until it becomes authentic */
struct sam_slot {
	enum sam_slot_state state;
	/** its sequence number */
	uint64_t seq;
	/** its length */
	size_t len;
	/** the frame, slot_len bytes of the source's arena */
	uint8_t *frame;
	/** neighbours in the arrival order while PENDING */
	size_t prev;
	size_t next;
};

/**
 * The pending budget of a source: slots of slot_len bytes each.  Every
 * operation on a frame costs O(1) whatever the budget: free slots are a
 * stack, pending ones a list in arrival order, and the sequence numbers
 * of the slots in use an open-addressing table (for the copies of a
 * waiting frame), hashed with a secret multiplier so that a sender of
 * chosen sequence numbers cannot make its probes long.
 */
struct sam_pending {
	struct sam_slot *slots;
	size_t nslots;
	size_t slot_len;
	/** slot_len * nslots bytes */
	uint8_t *arena;
	/** indices of the FREE slots, nfree of them */
	size_t *free_stack;
	size_t nfree;
	/** the PENDING slots, oldest first, npending of them */
	size_t head;
	size_t tail;
	size_t npending;
	/** slot index + 1 by sequence number (0: empty), a power of two of
	 *  at least twice nslots entries */
	size_t *by_seq;
	size_t by_seq_mask;
	/** the secret odd multiplier of the table's hash */
	uint64_t hash_mul;
	/** the scheme's resolve_epoch() when they were last asked */
	uint64_t epoch;
};

/** A registered sender of the group context */
struct sam_source {
	uint32_t id;
	const struct sam_scheme_ops *ops;
	struct sam_key key;
	struct sam_replay replay;
	/** the scheme's state for this source, NULL if it has none */
	void *verifier;
	/** frames waiting to become authentic; empty for immediate schemes */
	struct sam_pending pending;
	/** the last bootstrap envelope applied for it (bootstrap_frame.c),
	 *  boot_len 0 if none: only a newer Issued replaces it, the same bytes
	 *  again are a repeat a memcmp recognizes.  A removed source, or one
	 *  whose key is replaced (removed and added), starts without */
	uint64_t boot_issued;
	size_t boot_len;
	uint8_t boot[SAM_MAX_BOOTSTRAP];
};

/** A pending frame that became authentic, in the ready queue */
struct sam_ready {
	uint32_t source_id;
	size_t slot;
};

/**
 * A part that keeps a context's group context current from outside, as
 * sam_attach() does with the keys of the mike plugin
 */
struct sam_keeper_ops {
	/** bring the sources up to date; urgent when a frame came from an
	 *  unknown source, else a periodic call (sam_poll()); the keeper
	 *  decides whether it is due.  @return SAM_OK if it refreshed */
	int (*refresh)(sam_ctx *ctx, int urgent);
	/** free the keeper's state (sam_ctx_free()) */
	void (*free)(sam_ctx *ctx);
};

struct sam_ctx {
	/* memory context */
	sam_mem_ops mem;

	/* I/O context */
	sam_io_ops io;
	sam_reject_cb reject_cb;
	void *reject_user;

	/* clock, milliseconds since the epoch */
	uint64_t (*clock)(void *user);
	void *clock_user;

	/* user context: this host as a sender */
	int have_source;
	uint32_t source_id;
	/** next sequence number to seal; 0 once UINT64_MAX was used */
	uint64_t next_seq;
	/** the signing key, valid if send_ops is set */
	struct sam_key signing;
	const struct sam_scheme_ops *send_ops;
	/** the signing scheme's state, NULL if it has none */
	void *signer;
	/** the tree scheme's frames per block and delay (sam_set_tree()) */
	unsigned int tree_frames;
	unsigned int tree_delay;
	/** in-band bootstraps of a tesla sender (bootstrap_frame.c): the
	 *  period (ms, 0: only on request), whether one went out since the
	 *  envelope was made and when, and the envelope of the current chain,
	 *  signed once per chain (out_boot_len 0: none yet), and the Issued of
	 *  the last one made, which every new one exceeds */
	unsigned int boot_period;
	uint64_t out_boot_issued;
	int boot_sent;
	uint64_t boot_last;
	size_t out_boot_len;
	uint8_t out_boot[SAM_MAX_BOOTSTRAP];

	/* group context */
	int have_session;
	uint32_t session_id;
	/** window size for sources added from now on */
	unsigned int window;
	/** pending budget for sources added from now on */
	size_t pending_frames;
	size_t pending_len;
	/** sorted by id, for binary search on every received frame */
	struct sam_source *sources;
	size_t nsources;
	size_t capsources;

	/** ring of frames ready for sam_next_authentic(), in the order they
	 *  became authentic; room for every pending slot of every source */
	struct sam_ready *ready;
	size_t ready_cap;
	size_t ready_head;
	size_t ready_count;
	/** the slot sam_next_authentic() handed out last, if holding */
	int holding;
	uint32_t held_source;
	size_t held_slot;

	/** one frame, for sam_write() / sam_readfrom(); SAM_MAX_FRAME bytes */
	uint8_t *buf;
	/** reused by the schemes for every frame */
	EVP_MD_CTX *md;

	/** data keys and the cipher for encrypted payloads */
	struct sam_payload_crypt crypt;

	sam_stats stats;
	uint64_t rejected[SAM_REJECT_SLOTS];

	/** tesla receivers: the clock skew bound, ms (sam_set_tesla_skew()),
	 *  if tesla_skew_set */
	int tesla_skew_set;
	unsigned int tesla_skew;

	/** what keeps the group context current, NULL if nothing does */
	const struct sam_keeper_ops *keeper;
	void *keeper_state;
};

/** The registered source with id, NULL if none */
struct sam_source *sam_ctx_find_source(const sam_ctx *ctx, uint32_t id);

/** Allocate through the memory context */
void *sam_ctx_alloc(const sam_ctx *ctx, size_t size);

/** Free through the memory context; NULL is allowed */
void sam_ctx_free_mem(const sam_ctx *ctx, void *ptr);

/** The env a scheme is called with, for a source id */
void sam_ctx_env(sam_ctx *ctx, uint32_t source_id,
				 struct sam_scheme_env *env);

/** Count a rejection and return err */
int sam_ctx_reject(sam_ctx *ctx, int err);

/* ---- pending.c ---------------------------------------------------------- */

/** Allocate a source's pending budget (nothing if frames is 0) */
int sam_pending_init(sam_ctx *ctx, struct sam_pending *pending,
					 size_t frames, size_t frame_len);

/** Free a source's pending budget, wiping it */
void sam_pending_clear(sam_ctx *ctx, struct sam_pending *pending);

/** Make room in the ready ring for frames more slots */
int sam_pending_grow_ready(sam_ctx *ctx, size_t frames);

/** Forget the ready frames of a source that goes away */
void sam_pending_forget(sam_ctx *ctx, uint32_t source_id);

/**
 * Keep a frame the scheme answered SAM_PENDING for.
 * @return			SAM_PENDING, SAM_E_BUDGET or SAM_E_REPLAY (the same
 *					sequence number is pending already)
 */
int sam_pending_add(sam_ctx *ctx, struct sam_source *src, uint64_t seq,
					const uint8_t *frame, size_t len);

/**
 * Ask the scheme again about a source's pending frames, in the order they
 * came; authentic ones move to the ready queue (and mark the replay
 * window), rejected ones are dropped and reported.
 */
void sam_pending_resolve(sam_ctx *ctx, struct sam_source *src);

/**
 * sam_pending_resolve() after a frame of src: only if the scheme's
 * resolve_epoch() changed since the last time (if it has one)
 */
void sam_pending_resolve_new(sam_ctx *ctx, struct sam_source *src);

/** Free the slot last handed out by sam_next_authentic() */
void sam_pending_release_held(sam_ctx *ctx);

#endif /* SAM_CONTEXT_H_ */
