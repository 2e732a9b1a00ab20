/*
 * libsam - the Source Authentication Module for secure IP multicast.
 *
 * A SAM context authenticates the frames of one multicast session: it signs
 * (or MACs) what this host sends and verifies what it receives, per sender,
 * with a replay window for every registered source.  The API follows the
 * SSL-like design of Canetti et al. (section 6.2): a context made of an I/O
 * context, a memory context, a user context (this host as a sender) and a
 * group context (the session and its registered senders).
 *
 * Two ways to move data:
 *  - sam_write() / sam_readfrom(): blocking, over the application-supplied
 *    I/O functions;
 *  - sam_seal() / sam_open(): pure transforms between payloads and frames,
 *    for event loops that do their own I/O.
 *
 * The frame format is specified in docs/sam-frame-format.md.
 *
 * Every function that can fail returns a sam_err (negative) or, where it
 * returns a length, a non-negative length on success.  sam_strerror() names
 * each error.  The library has no global state; a context must not be used
 * from two threads at once, distinct contexts may.
 */

#ifndef SAM_H_
#define SAM_H_

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of the frame format this library writes and reads */
#define SAM_FRAME_VERSION 1

/** Size of the fixed frame header in bytes */
#define SAM_HEADER_SIZE 24

/** Largest frame: the largest UDP payload over IPv4 */
#define SAM_MAX_FRAME 65507

/** Default replay window size, in frames */
#define SAM_DEFAULT_REPLAY_WINDOW 1024

/** Largest replay window size, in frames */
#define SAM_MAX_REPLAY_WINDOW 65536

/** Default pending budget per source: frames, and bytes per frame */
#define SAM_DEFAULT_PENDING_FRAMES 64
#define SAM_DEFAULT_PENDING_LEN 2048

/** Largest pending budget per source, in frames */
#define SAM_MAX_PENDING_FRAMES 65536

/** Size of a data key (AES-256-GCM) */
#define SAM_DATA_KEY_SIZE 32

/** Bytes encryption adds to a payload: key ID and GCM tag */
#define SAM_SEAL_OVERHEAD 20

/** Data keys a context holds at most */
#define SAM_MAX_DATA_KEYS 4

/** Largest signed sender bootstrap (sam_bootstrap_seal()), in bytes */
#define SAM_MAX_BOOTSTRAP 256

/** Default period of a tesla sender's in-band bootstrap frames, ms
 *  (sam_set_bootstrap_period()) */
#define SAM_DEFAULT_BOOTSTRAP_PERIOD 1000

/** Largest bootstrap body: SAM_MAX_BOOTSTRAP less a 22-byte header and a
 *  64-byte signature */
#define SAM_MAX_BOOTSTRAP_BODY 170

/**
 * Error codes.  All are negative; SAM_OK is zero.
 */
typedef enum {
	SAM_OK = 0,
	/** an argument is NULL, out of range or inconsistent */
	SAM_E_INVAL = -1,
	/** the memory context failed to allocate */
	SAM_E_NOMEM = -2,
	/** an I/O function of the I/O context failed, or none is set */
	SAM_E_IO = -3,
	/** the output buffer is too small */
	SAM_E_BUFSIZE = -4,
	/** the payload does not fit into one frame */
	SAM_E_TOOBIG = -5,
	/** the frame is truncated or its fields are inconsistent */
	SAM_E_MALFORMED = -6,
	/** the frame has a version this library does not speak */
	SAM_E_VERSION = -7,
	/** the frame's scheme is unknown, or not the sender's registered one */
	SAM_E_SCHEME = -8,
	/** the frame belongs to another session */
	SAM_E_SESSION = -9,
	/** the frame's source id is not a registered sender */
	SAM_E_UNKNOWN_SOURCE = -10,
	/** the authenticator does not verify */
	SAM_E_BAD_AUTH = -11,
	/** the sequence number was already accepted from that source */
	SAM_E_REPLAY = -12,
	/** the sequence number lies behind the source's replay window */
	SAM_E_TOO_OLD = -13,
	/** the key cannot be used (wrong type, bad encoding, no private half) */
	SAM_E_KEY = -14,
	/** no signing key or source id is set in the user context */
	SAM_E_NOKEY = -15,
	/** the source id is registered already */
	SAM_E_EXISTS = -16,
	/** the sender's sequence numbers are used up */
	SAM_E_SEQ_EXHAUSTED = -17,
	/** the crypto library failed */
	SAM_E_CRYPTO = -18,
	/** no session id is set: a context must be told its session first */
	SAM_E_NOSESSION = -19,
	/** a frame that may become authentic later does not fit the source's
	 *  pending budget (sam_set_pending()) */
	SAM_E_BUDGET = -20,
	/** the signer has no precomputed values left (sam_precompute()) */
	SAM_E_PRECOMPUTE = -21,
	/** a one-time key of the sender was already used */
	SAM_E_KEY_USED = -22,
	/** a frame kept pending did not become authentic in time */
	SAM_E_EXPIRED = -23,
	/** the mike plugin could not be reached, or answered with an error
	 *  (sam_attach_error() says which) */
	SAM_E_ATTACH = -24,
	/** the mike plugin refused the keys: this user is not among the
	 *  group's local_users (local_senders for its signing key) */
	SAM_E_DENIED = -25,
	/** the frame is encrypted under a data key the context does not have
	 *  (or: encryption is required and the context has no data key to
	 *  seal with) */
	SAM_E_DATA_KEY = -26,
	/** the frame's payload is not encrypted, and the context requires it */
	SAM_E_CLEARTEXT = -27,
	/** the payload does not decrypt under the data key its key ID names */
	SAM_E_DECRYPT = -28,
	/** the frame arrived after its key may have been disclosed (TESLA
	 *  safety condition, docs/sam-tesla.md) */
	SAM_E_UNSAFE = -29,
	/** the sender's TESLA key chain is used up: its clock is past the
	 *  chain's last interval (sam_set_tesla() again) */
	SAM_E_KEY_EXPIRED = -30,
	/** a sender bootstrap is not newer (Issued) than the one applied for
	 *  its source: a replayed old bootstrap (docs/sam-bootstrap.md,
	 *  "In-band") */
	SAM_E_STALE = -31,
	/** the TESLA key a frame discloses is further ahead of the newest
	 *  one the receiver verified than it checks now: it catches up from
	 *  the sender's next bootstrap (docs/sam-tesla.md, "Costs") */
	SAM_E_BEHIND = -32,
} sam_err;

/**
 * Not an error: sam_open() kept a frame that may become authentic later
 * (sam_next_authentic() hands it out then), sam_seal() kept a frame of a
 * batching scheme (sam_next_sealed() after sam_flush()).
 */
#define SAM_PENDING 1

/**
 * Not an error: sam_open() took a bootstrap frame (a tesla sender's signed
 * key-chain commitment sent in-band, docs/sam-bootstrap.md): it verified
 * and applied it, or it was the one applied already.  It carries nothing
 * for the application (info: source and sequence number, no payload);
 * sam_readfrom() and sam_next_authentic() never hand one out.
 */
#define SAM_BOOTSTRAP 2

/**
 * What an authenticator proves.
 */
typedef enum {
	/** only that a member of the group (a holder of the group key) made
	 *  the frame, not which one: the source id is a claim */
	SAM_AUTH_GROUP = 1,
	/** that the registered source made the frame (a signature) */
	SAM_AUTH_SOURCE = 2,
} sam_auth;

/**
 * Authentication schemes.  The value is the frame's scheme field.
 */
typedef enum {
	/** group MAC: HMAC-SHA-256 under a key shared by the group; proves
	 *  membership, not the sender; a cheap filter */
	SAM_SCHEME_HMAC_SHA256 = 1,
	/** one Ed25519 signature (RFC 8032) per frame */
	SAM_SCHEME_ED25519 = 2,
	/** one ECDSA P-256 / SHA-256 signature per frame, r || s */
	SAM_SCHEME_ECDSA_P256 = 3,
	/** hybrid online/offline signatures (docs/sam-hybrid.md): a one-time
	 *  hash-based signature per frame, its key certified per batch by an
	 *  Ed25519 signature */
	SAM_SCHEME_HYBRID = 4,
	/** online/offline Ed25519: nonce commitments made offline, one hash
	 *  and scalar arithmetic online; the frames are standard ed25519
	 *  frames (scheme field 2) any Ed25519 verifier accepts */
	SAM_SCHEME_ED25519_OO = 5,
	/** amortized Merkle-tree signatures (docs/sam-tree.md): the sender
	 *  collects a block of up to m frames and signs the root of their
	 *  Merkle tree once with Ed25519; every frame carries the signature
	 *  and its audit path and verifies on its own */
	SAM_SCHEME_TREE = 6,
	/** TESLA (RFC 4082, docs/sam-tesla.md): a MAC per frame under a key of
	 *  a one-way key chain the sender discloses d intervals later; frames
	 *  become authentic then.  The sender's Ed25519 key signs the chain's
	 *  commitment (its bootstrap) */
	SAM_SCHEME_TESLA = 7,
} sam_scheme;

/** Opaque: a SAM context */
typedef struct sam_ctx sam_ctx;

/** Opaque: a key (private, public or a shared secret) */
typedef struct sam_key sam_key;

/**
 * Memory context: the allocator the SAM context uses.  All allocation
 * happens when the context is set up (sam_ctx_new(), sam_add_source(),
 * sam_set_signing_key()); none per frame.
 */
typedef struct {
	void *(*alloc)(void *user, size_t size);
	void *(*realloc)(void *user, void *ptr, size_t size);
	void (*free)(void *user, void *ptr);
	void *user;
} sam_mem_ops;

/**
 * I/O context: blocking datagram functions supplied by the application.
 * Each call moves exactly one frame.  They return the number of bytes
 * moved or -1 on error (errno set).  read may be NULL if readfrom is set.
 */
typedef struct {
	ssize_t (*read)(void *io, void *buf, size_t len);
	ssize_t (*readfrom)(void *io, void *buf, size_t len,
						struct sockaddr *from, socklen_t *fromlen);
	ssize_t (*write)(void *io, const void *buf, size_t len);
	void *io;
} sam_io_ops;

/**
 * What sam_open() learned of an authentic frame.
 */
typedef struct {
	/** the authenticated source id */
	uint32_t source_id;
	/** the frame's sequence number */
	uint64_t seq;
	/** the payload, pointing into the frame buffer; an encrypted frame's
	 *  plaintext, in a buffer of the context (valid until the next
	 *  sam_open(), sam_next_authentic() or sam_readfrom()) */
	const uint8_t *payload;
	/** length of the payload (of the plaintext) */
	size_t payload_len;
	/** the scheme that authenticated it */
	sam_scheme scheme;
	/** whether the source itself was authenticated, or only a member of
	 *  the group (a MAC): then source_id is the sender's claim */
	sam_auth auth;
} sam_frame_info;

/**
 * Called for every frame sam_readfrom() rejects, before it reads the next.
 *
 * @param user		the pointer given to sam_set_reject_cb()
 * @param err		why the frame was rejected
 * @param frame		the rejected frame (not authentic: never trust it)
 * @param len		its length
 * @param from		the sender's address hint, NULL if unknown
 */
typedef void (*sam_reject_cb)(void *user, sam_err err, const uint8_t *frame,
							  size_t len, const struct sockaddr *from,
							  socklen_t fromlen);

/**
 * Counters of a context; the rejections by reason come from
 * sam_get_rejected().
 */
typedef struct {
	/** frames sealed */
	uint64_t sealed;
	/** frames accepted as authentic */
	uint64_t accepted;
	/** frames rejected, for any reason */
	uint64_t rejected;
	/** frames kept pending (later accepted or rejected) */
	uint64_t pending;
	/** bootstrap frames taken (sam_open() answered SAM_BOOTSTRAP: applied,
	 *  or a repeat); those rejected count in rejected */
	uint64_t bootstraps;
} sam_stats;

/** @return a static description of err */
const char *sam_strerror(int err);

/** @return the scheme's name ("ed25519", ...) or NULL if unknown */
const char *sam_scheme_name(sam_scheme scheme);

/**
 * The frame's scheme field a scheme writes and accepts: its own value,
 * except ed25519-oo, whose frames are ed25519 frames.
 * @return the wire value, or 0 if the scheme is unknown
 */
unsigned int sam_scheme_wire_id(sam_scheme scheme);

/**
 * What a scheme's frames prove: SAM_AUTH_SOURCE (signatures) or
 * SAM_AUTH_GROUP (a group MAC); 0 if the scheme is unknown.
 */
sam_auth sam_scheme_auth(sam_scheme scheme);

/**
 * Parse a scheme name ("hmac-sha256", "ed25519", "ecdsa-p256").
 * @return SAM_OK and *scheme, or SAM_E_SCHEME
 */
int sam_scheme_from_name(const char *name, sam_scheme *scheme);

/* ---- keys --------------------------------------------------------------- */

/**
 * Generate a fresh key for scheme: a key pair for signature schemes, a
 * 32-byte secret for the group MAC.
 */
int sam_key_generate(sam_scheme scheme, sam_key **key);

/**
 * Parse a PEM key: a private key (PKCS#8 or traditional), a public key
 * (SubjectPublicKeyInfo), or a group MAC secret ("SAM GROUP KEY").
 */
int sam_key_from_pem(const char *pem, size_t len, sam_key **key);

/** Read a PEM file with sam_key_from_pem() */
int sam_key_load(const char *path, sam_key **key);

/**
 * A group MAC key from raw secret bytes (at least 16, at most 64).
 */
int sam_key_from_secret(const uint8_t *secret, size_t len, sam_key **key);

/**
 * Write the key as PEM into buf (NUL-terminated).
 *
 * @param key		the key
 * @param private_part	non-zero: the private key (or the secret); zero: the
 *					public key (SAM_E_KEY for a group MAC secret)
 * @param buf		output buffer
 * @param len		its size
 * @return			length written without the NUL, or an error
 */
ssize_t sam_key_to_pem(const sam_key *key, int private_part, char *buf,
					   size_t len);

/** @return the scheme the key belongs to */
sam_scheme sam_key_scheme(const sam_key *key);

/** @return non-zero if the key can sign (private key or secret) */
int sam_key_can_sign(const sam_key *key);

/**
 * Use a key with another scheme of the same kind of key: an Ed25519 key
 * with ed25519, ed25519-oo, hybrid or tree (key files do not say which).
 *
 * @return			SAM_OK, or SAM_E_KEY if the key does not fit the scheme
 */
int sam_key_set_scheme(sam_key *key, sam_scheme scheme);

/** Free a key and wipe its secret parts; NULL is allowed */
void sam_key_free(sam_key *key);

/* ---- context ------------------------------------------------------------ */

/**
 * Create a context.
 *
 * @param mem		memory context, NULL for malloc/realloc/free; copied
 * @param ctx		the new context
 */
int sam_ctx_new(const sam_mem_ops *mem, sam_ctx **ctx);

/** Free a context, wiping its keys; NULL is allowed */
void sam_ctx_free(sam_ctx *ctx);

/** Set the I/O context (copied) */
int sam_set_io(sam_ctx *ctx, const sam_io_ops *io);

/** Set a function called for each frame sam_readfrom() rejects */
int sam_set_reject_cb(sam_ctx *ctx, sam_reject_cb cb, void *user);

/* user context: this host as a sender */

/**
 * Set this host's source id and the sequence number of its next frame.
 *
 * next_seq 0 derives it from the clock (sam_set_clock()): the
 * milliseconds since the epoch shifted left by 20 bits.  A sender that
 * restarts without saved state so continues above every number it used
 * before (as long as it sealed fewer than 2^20 frames per millisecond and
 * its clock does not go back): receivers take its frames at once, and its
 * old frames fall behind their replay windows.  A sender that keeps its
 * state passes the number it saved.
 */
int sam_set_source(sam_ctx *ctx, uint32_t source_id, uint64_t next_seq);

/**
 * Set the key this host signs with; its scheme becomes the sending scheme.
 * The context keeps its own reference; the caller may free key.
 */
int sam_set_signing_key(sam_ctx *ctx, const sam_key *key);

/** @return the sequence number the next sealed frame will carry */
uint64_t sam_next_seq(const sam_ctx *ctx);

/**
 * Do the signing scheme's offline work for up to frames future frames
 * (ed25519-oo: nonce commitments; hybrid: batches of one-time keys and
 * their certificates).  Sealing does it by itself when nothing is left,
 * at a cost; an application that cares for latency calls this ahead, e.g.
 * when idle.  No-op for schemes without offline work.
 */
int sam_precompute(sam_ctx *ctx, size_t frames);

/** Default frames per block and delay of the tree scheme */
#define SAM_TREE_DEFAULT_BLOCK 64
#define SAM_TREE_DEFAULT_DELAY_MS 20

/**
 * The tree scheme's blocks, for the signer now and those set later: a
 * block closes when it holds frames frames, when sam_flush() is called,
 * or when sam_seal() gets a frame while the oldest frame of the block
 * waited longer than max_delay_ms (the context's clock).  Nothing closes
 * a block by itself: an idle sender calls sam_flush() to bound the
 * latency.  sam_frame_size() gives the longest frame of a full block; a
 * block closed early has shorter authenticators.  No effect for other
 * schemes (docs/sam-tree.md).
 *
 * @param frames	1 .. 256 (default SAM_TREE_DEFAULT_BLOCK)
 * @param max_delay_ms	0 .. 60000 (default SAM_TREE_DEFAULT_DELAY_MS)
 * @return			SAM_OK or SAM_E_INVAL
 */
int sam_set_tree(sam_ctx *ctx, unsigned int frames, unsigned int max_delay_ms);

/** @return frames the signer can seal from precomputed values
 *  (SIZE_MAX for schemes without offline work) */
size_t sam_precomputed(const sam_ctx *ctx);

/**
 * Set the clock schemes and the context use, in milliseconds since the
 * epoch (default: CLOCK_REALTIME).  Time-based schemes need the clocks of
 * sender and receivers loosely synchronized.
 */
int sam_set_clock(sam_ctx *ctx, uint64_t (*now)(void *user), void *user);

/* group context: the session and its senders */

/**
 * Set the session id every frame must carry.  Required: sealing and
 * opening fail with SAM_E_NOSESSION until it is set.
 */
int sam_set_session(sam_ctx *ctx, uint32_t session_id);

/**
 * Set the pending budget of sources added afterwards: how many frames of
 * at most frame_len bytes each source may have waiting to become
 * authentic (schemes that authenticate later; others keep nothing).  A
 * frame beyond it is rejected with SAM_E_BUDGET.  Default 64 frames of
 * 2048 bytes; 0 frames to keep none.
 */
int sam_set_pending(sam_ctx *ctx, size_t frames, size_t frame_len);

/**
 * Set the replay window size, in frames, for sources added afterwards.
 * Rounded up to a multiple of 64; 64 <= size <= SAM_MAX_REPLAY_WINDOW.
 */
int sam_set_replay_window(sam_ctx *ctx, unsigned int size);

/**
 * Register a sender: frames with this source id must be authenticated
 * under key (a public key, or the group secret), with the key's scheme.
 * The context keeps its own reference; the caller may free key.
 */
int sam_add_source(sam_ctx *ctx, uint32_t source_id, const sam_key *key);

/** Remove a registered sender */
int sam_remove_source(sam_ctx *ctx, uint32_t source_id);

/* payload encryption (docs/sam-frame-format.md, "Encrypted payloads") */

/**
 * Add a data key: a group secret that encrypts payloads (AES-256-GCM) for
 * the members that hold it, on top of the scheme's authentication.  The
 * context then encrypts every frame it seals under the key added last
 * (the sealing key), and decrypts received frames under the key their
 * Key ID names.  Re-adding a held id with the same key makes it the
 * sealing key again; beyond SAM_MAX_DATA_KEYS keys the one added longest
 * ago is dropped and wiped.  The context keeps a copy.
 *
 * The nonce is the frame's source id and sequence number: under one key
 * a sender must never seal two frames with the same sequence number
 * (sam_set_source() with next_seq 0 guarantees it across restarts), and
 * no two senders may share a source id.
 *
 * @param key_id	the id frames name the key by, not 0
 * @param key		SAM_DATA_KEY_SIZE bytes
 * @param len		SAM_DATA_KEY_SIZE
 * @return			SAM_OK; SAM_E_INVAL; SAM_E_EXISTS (the id is held with
 *					another key); SAM_E_NOMEM; SAM_E_CRYPTO
 */
int sam_add_data_key(sam_ctx *ctx, uint32_t key_id, const uint8_t *key,
					 size_t len);

/**
 * Drop a data key and wipe it; frames under it no longer open
 * (SAM_E_DATA_KEY).  If it was the sealing key, the key added before it
 * seals, or none.
 *
 * @return			SAM_OK; SAM_E_DATA_KEY if no key with the id is held;
 *					SAM_E_INVAL
 */
int sam_remove_data_key(sam_ctx *ctx, uint32_t key_id);

/**
 * Require encryption (on non-zero) or not: a context that requires it
 * rejects every unencrypted frame (SAM_E_CLEARTEXT), and sealing without
 * a data key fails (SAM_E_DATA_KEY) instead of sending in clear.  A
 * context seals encrypted whenever it holds a data key, required or not;
 * not required, it takes cleartext and encrypted frames.  Default off.
 */
int sam_require_encryption(sam_ctx *ctx, int on);

/* ---- keys from mike ------------------------------------------------------ */

/** sam_attach(): take this host's source ID and signing key, too */
#define SAM_ATTACH_SIGNING 0x1

/** the mike plugin's control socket, as charon.plugins.mike.socket */
#define SAM_MIKE_DEFAULT_URI "unix:///run/charon.mike"

/**
 * Take a group's keys from the mike plugin of this host (its control
 * socket, command sam-keys, docs/sam-keys.md): the group's session, every
 * sender's verification key with its source id and, with
 * SAM_ATTACH_SIGNING, this host's source id and signing key.  Sources the
 * context had from an earlier attach and the group no longer has are
 * removed.
 *
 * The context then follows the group: sam_poll() asks the plugin again
 * every few seconds, and a frame from an unknown source makes it ask at
 * once (at most once a second), so senders that join are heard without a
 * restart and those that left or were expelled are dropped.
 *
 * The plugin answers only root and the users the group names
 * (local_users, local_senders for the signing key): SAM_E_DENIED.
 *
 * @param uri		"unix:///path", NULL for SAM_MIKE_DEFAULT_URI
 * @param group		the group's name in mike
 * @param flags		SAM_ATTACH_SIGNING or 0
 * @return			SAM_OK; SAM_E_DENIED; SAM_E_ATTACH (no plugin, or it said
 *					no: sam_attach_error() has its reason); SAM_E_MALFORMED
 *					(an answer that breaks the protocol); SAM_E_KEY or
 *					SAM_E_SCHEME (a key or the scheme unusable here: nothing
 *					is changed); SAM_E_NOKEY (SAM_ATTACH_SIGNING, but no
 *					signing key for this host); SAM_E_INVAL; SAM_E_NOMEM
 */
int sam_attach(sam_ctx *ctx, const char *uri, const char *group,
			   unsigned int flags);

/**
 * Ask the plugin for the group's keys again now (sam_attach() first).
 *
 * @return			as sam_attach()
 */
int sam_refresh(sam_ctx *ctx);

/**
 * Why the last sam_attach(), refresh or sam_publish_bootstrap() failed, as
 * the plugin or the system said it; "" if it did not.  After a refresh
 * that succeeded but dropped a sender's bootstrap that did not verify, it
 * names that source and why ("the bootstrap of source 17 is dropped: bad
 * authenticator").
 */
const char *sam_attach_error(const sam_ctx *ctx);

/* ---- sender bootstraps (docs/sam-bootstrap.md) --------------------------- */

/**
 * Seal body as this context's sender into a signed bootstrap envelope:
 * version, scheme, session, source id, the context's clock (issued, ms),
 * body, and a signature under the signing key over the label "SAM
 * bootstrap v1" and every byte before it.  Signature schemes only: an
 * Ed25519 signature for ed25519, ed25519-oo and hybrid keys, ECDSA P-256
 * (r || s) for ecdsa-p256.
 *
 * @param body		what the sender announces (a TESLA key-chain commitment
 *					and schedule, ...), may be NULL if len is 0
 * @param len		at most SAM_MAX_BOOTSTRAP_BODY
 * @param out		receives the envelope
 * @param size		its size (SAM_MAX_BOOTSTRAP is always enough)
 * @return			the envelope's length; SAM_E_INVAL; SAM_E_NOKEY (no
 *					signing key or source id); SAM_E_SCHEME (a group MAC
 *					key: no per-sender key); SAM_E_NOSESSION;
 *					SAM_E_TOOBIG; SAM_E_BUFSIZE; SAM_E_CRYPTO
 */
ssize_t sam_bootstrap_seal(sam_ctx *ctx, const void *body, size_t len,
						   uint8_t *out, size_t size);

/**
 * Check a bootstrap of a registered source: version, reserved bytes,
 * lengths, the session, a registered source whose scheme matches, the
 * signature under that source's key.
 *
 * @param blob		the envelope
 * @param len		its length
 * @param source_id	receives the source that signed it
 * @param body		receives a pointer to the body, into blob
 * @param body_len	receives its length
 * @param issued	receives when the sender sealed it (ms since the
 *					epoch, the sender's clock), may be NULL
 * @return			SAM_OK; SAM_E_INVAL; SAM_E_MALFORMED; SAM_E_VERSION;
 *					SAM_E_SESSION; SAM_E_UNKNOWN_SOURCE; SAM_E_SCHEME;
 *					SAM_E_BAD_AUTH; SAM_E_NOSESSION
 */
int sam_bootstrap_open(const sam_ctx *ctx, const uint8_t *blob, size_t len,
					   uint32_t *source_id, const uint8_t **body,
					   size_t *body_len, uint64_t *issued);

/**
 * An attached sender (SAM_ATTACH_SIGNING): seal body (sam_bootstrap_seal())
 * and hand it to the mike plugin (command sam-bootstrap), which presents
 * it to the GCKS; the GCKS gives it to every member next to this sender's
 * key, and their sam_get_bootstrap() returns it.
 *
 * @return			SAM_OK; SAM_E_INVAL (not attached); SAM_E_NOKEY (not
 *					attached with SAM_ATTACH_SIGNING); the errors of
 *					sam_bootstrap_seal(); SAM_E_DENIED, SAM_E_ATTACH (the
 *					plugin said no, sam_attach_error() has why),
 *					SAM_E_MALFORMED
 */
int sam_publish_bootstrap(sam_ctx *ctx, const void *body, size_t len);

/**
 * An attached receiver: the verified bootstrap body the plugin holds for a
 * source (as of the last refresh), copied into buf.  A bootstrap that
 * does not verify is dropped at the refresh (sam_attach_error() says so);
 * a source that leaves takes its bootstrap with it.
 *
 * @param issued	receives when the sender sealed it, may be NULL
 * @return			the body's length; SAM_E_NOKEY if there is none for the
 *					source; SAM_E_BUFSIZE; SAM_E_INVAL (not attached)
 */
ssize_t sam_get_bootstrap(const sam_ctx *ctx, uint32_t source_id,
						  uint8_t *buf, size_t size, uint64_t *issued);

/**
 * An attached receiver: the sources sam_get_bootstrap() has a bootstrap
 * for, as of the last refresh.
 *
 * @param ids		receives up to n source IDs, may be NULL if n is 0
 * @return			how many sources have one (more than n: the first n are
 *					in ids); 0 if the context is not attached
 */
size_t sam_bootstrap_sources(const sam_ctx *ctx, uint32_t *ids, size_t n);

/* ---- TESLA (docs/sam-tesla.md) ------------------------------------------- */

/** TESLA defaults: interval length (ms), disclosure delay (intervals),
 *  chain length (intervals: 1 h), receivers' clock skew bound (ms).  A
 *  frame passes the safety condition only if it arrives, plus the skew,
 *  within d - 1 intervals after its own ends: the default leaves 100 ms
 *  for the network beyond 200 ms of skew */
#define SAM_TESLA_DEFAULT_INTERVAL 100
#define SAM_TESLA_DEFAULT_DELAY 4
#define SAM_TESLA_DEFAULT_CHAIN 36000
#define SAM_TESLA_DEFAULT_SKEW 200

/** Longest TESLA key chain, in intervals */
#define SAM_TESLA_MAX_CHAIN 1000000

/** Largest TESLA bootstrap body (sam_tesla_bootstrap_body()): the
 *  schedule and two chains, the current and the next */
#define SAM_TESLA_BOOTSTRAP_BODY 67

/**
 * A tesla sender (signing key of scheme tesla): make a fresh key chain
 * from a random seed, starting now (the context's clock is T0, the start
 * of interval 1).  Allocates chain_length * 16 bytes.  Replaces a chain
 * made before; setting the signing key again drops it.
 *
 * @param interval_ms		interval length, 0 for the default (100 ms)
 * @param delay_intervals	disclosure delay d, 0 for the default (4)
 * @param chain_length		N intervals, 0 for the default (36000),
 *							at most SAM_TESLA_MAX_CHAIN
 * @return			SAM_OK; SAM_E_NOKEY (no signing key); SAM_E_SCHEME (not
 *					a tesla key); SAM_E_INVAL; SAM_E_NOMEM; SAM_E_CRYPTO
 */
int sam_set_tesla(sam_ctx *ctx, unsigned int interval_ms,
				  unsigned int delay_intervals, uint32_t chain_length);

/**
 * A tesla sender: the bootstrap body announcing its chain (version, T0,
 * interval, delay, N, commitment K_0) for sam_bootstrap_seal() or
 * sam_publish_bootstrap().
 *
 * @return			its length (at most SAM_TESLA_BOOTSTRAP_BODY); SAM_E_NOKEY (no chain yet);
 *					SAM_E_SCHEME; SAM_E_BUFSIZE; SAM_E_INVAL
 */
int sam_tesla_bootstrap_body(const sam_ctx *ctx, uint8_t *out, size_t size);

/**
 * A receiver: the bound on the clock difference to tesla senders, for
 * the safety condition (default 200 ms); for every tesla source, now and
 * added later.
 */
int sam_set_tesla_skew(sam_ctx *ctx, unsigned int max_skew_ms);

/**
 * A receiver: check a tesla source's signed bootstrap envelope
 * (sam_bootstrap_open(), under the source's registered Ed25519 key) and
 * install its chain commitment and schedule.  Until then the source's
 * frames are rejected with SAM_E_NOKEY.  Loading the same bootstrap again
 * keeps what the source verified (a memcmp, no signature check); only a
 * newer one (Issued) replaces it and starts over, an older or another
 * one of the same Issued is SAM_E_STALE and changes nothing: the same
 * rule as for bootstrap frames, which take this path too.  (An attached
 * context loads a tesla source's verified bootstrap by itself.)
 *
 * @return			SAM_OK; the errors of sam_bootstrap_open();
 *					SAM_E_UNKNOWN_SOURCE (signed by another source);
 *					SAM_E_SCHEME (not a tesla source); SAM_E_STALE;
 *					SAM_E_MALFORMED, SAM_E_VERSION (the body)
 */
int sam_tesla_load_bootstrap(sam_ctx *ctx, uint32_t source_id,
							 const uint8_t *blob, size_t len);

/**
 * A tesla sender: how often sam_write() sends a bootstrap frame, a frame
 * whose payload is the sender's signed bootstrap envelope for its current
 * chain (docs/sam-bootstrap.md, "In-band"): one before the first data
 * frame, one at once when the chain changed (sam_set_tesla()), then at
 * most one every period_ms.  The default (1000 ms) is on because a
 * receiver without mike has no other way to the chain's commitment, and
 * one that joins late waits at most a period; with mike it is harmless
 * (146 bytes a second; receivers recognize the envelope they applied by a
 * memcmp).  0: never by itself (sam_seal_bootstrap() then seals one
 * whenever asked).  Setting it makes the next one due at once.
 *
 * @return			SAM_OK; SAM_E_INVAL
 */
int sam_set_bootstrap_period(sam_ctx *ctx, unsigned int period_ms);

/**
 * A tesla sender with its own I/O (sam_seal()): the bootstrap frame of
 * its current chain if one is due by the schedule of
 * sam_set_bootstrap_period() (with period 0: always), for the application
 * to send before its next data frame.  Uses up one sequence number.  The
 * envelope is signed once per chain and the same bytes re-sent.
 *
 * @param out		receives the frame
 * @param size		its size (SAM_HEADER_SIZE + SAM_MAX_BOOTSTRAP is
 *					always enough)
 * @return			the frame's length, 0 if none is due; SAM_E_INVAL;
 *					SAM_E_NOKEY (no signing key, source id or chain);
 *					SAM_E_SCHEME (not a tesla sender); SAM_E_NOSESSION;
 *					SAM_E_BUFSIZE; SAM_E_SEQ_EXHAUSTED; SAM_E_CRYPTO
 */
ssize_t sam_seal_bootstrap(sam_ctx *ctx, uint8_t *out, size_t size);

/* ---- data flow ---------------------------------------------------------- */

/**
 * The size of the frame sam_seal() makes of a payload of len bytes,
 * under the context's signing key, with SAM_SEAL_OVERHEAD if it will
 * encrypt (SAM_E_DATA_KEY if encryption is required and there is no
 * data key).
 */
ssize_t sam_frame_size(const sam_ctx *ctx, size_t payload_len);

/**
 * Make a frame of payload: header, payload (encrypted if the context
 * holds a data key), authenticator.  Uses up one sequence number, also
 * when authenticating an encrypted payload fails (its nonce is spent).
 *
 * @return			the frame's length, or an error
 */
ssize_t sam_seal(sam_ctx *ctx, const void *payload, size_t len,
				 uint8_t *frame, size_t size);

/**
 * Check a received frame: format, session, source, replay window,
 * authenticator, then decrypt an encrypted payload; on success the
 * sequence number is marked as seen.  info->payload points into frame,
 * or for an encrypted frame to its plaintext in the context.
 *
 * A bootstrap frame (flag BOOTSTRAP) of a tesla source is checked and
 * applied instead (docs/sam-bootstrap.md, "In-band"); it never touches
 * the replay window.
 *
 * @return			SAM_OK, SAM_PENDING (the frame was copied into the
 *					source's pending budget; it comes out of
 *					sam_next_authentic() if it becomes authentic),
 *					SAM_BOOTSTRAP (a bootstrap frame taken: nothing for
 *					the application), or the reason the frame is
 *					rejected (a bootstrap frame: also SAM_E_STALE)
 */
int sam_open(sam_ctx *ctx, const uint8_t *frame, size_t len,
			 sam_frame_info *info);

/**
 * Let time-based schemes settle what is pending (frames whose time ran
 * out are dropped with SAM_E_EXPIRED, passed to the reject callback).
 *
 * @return			frames ready for sam_next_authentic()
 */
int sam_poll(sam_ctx *ctx);

/**
 * The next pending frame that became authentic, in the order they did.
 * info->payload points into the context and stays valid until the next
 * call of sam_next_authentic(), sam_readfrom() or sam_open().
 *
 * @return			SAM_OK, or SAM_PENDING if none is ready
 */
int sam_next_authentic(sam_ctx *ctx, sam_frame_info *info);

/**
 * A batching signing scheme: authenticate the frames it holds now; they
 * come out of sam_next_sealed() (sam_write() sends them itself).  No-op
 * for other schemes.
 */
int sam_flush(sam_ctx *ctx);

/**
 * A batching signing scheme: the next finished frame.
 *
 * @return			its length, 0 if none is finished, or an error
 */
ssize_t sam_next_sealed(sam_ctx *ctx, uint8_t *frame, size_t size);

/**
 * Seal payload and send the frame with the I/O context's write; a tesla
 * sender sends a bootstrap frame before it when one is due
 * (sam_set_bootstrap_period()).
 *
 * @return			len, or an error
 */
ssize_t sam_write(sam_ctx *ctx, const void *payload, size_t len);

/**
 * Block until an authentic frame is there (a pending one that became
 * authentic first, then what arrives); copy its payload to buf.
 * Frames that fail sam_open() are dropped (and reported to the reject
 * callback), bootstrap frames taken without a word; a payload longer than len is dropped with SAM_E_BUFSIZE
 * passed to the reject callback.
 *
 * @param ctx		context
 * @param buf		payload buffer
 * @param len		its size
 * @param info		what authenticated the frame (info->payload is buf),
 *					may be NULL
 * @param from		the datagram's sender address, may be NULL
 * @param fromlen	in: size of from; out: its length; may be NULL
 * @return			the payload length, or SAM_E_IO
 */
ssize_t sam_readfrom(sam_ctx *ctx, void *buf, size_t len,
					 sam_frame_info *info, struct sockaddr *from,
					 socklen_t *fromlen);

/** Copy the context's counters */
int sam_get_stats(const sam_ctx *ctx, sam_stats *stats);

/** @return how many frames the context rejected for reason err (a sam_err),
 *  0 for codes that are none */
uint64_t sam_get_rejected(const sam_ctx *ctx, int err);

#ifdef __cplusplus
}
#endif

#endif /* SAM_H_ */
