/*
 * Authentication schemes behind one interface (version 2).
 *
 * A scheme keeps state of its own: per sender (the signer, made when the
 * signing key is set) and per registered source (the verifier, made when
 * the source is added), each a block of signer_size / verifier_size bytes
 * the context allocates through its memory context at setup, never per
 * frame.  Authenticators have a length of the scheme's choosing up to its
 * max_auth_len; the scheme checks the length itself.
 *
 * Schemes that authenticate a frame only later (TESLA) answer SAM_PENDING:
 * the context keeps the frame in the source's pending budget and asks the
 * scheme again (resolve) whenever the source sent something that
 * verified, and on sam_poll(); frames are
 * handed to the application in the order they became authentic.  The
 * replay window marks a sequence number only then.  Schemes that batch on
 * the sending side (tree: a block of frames under one signature) answer
 * SAM_PENDING from sign and keep the frame in their signer state until
 * flush; next_sealed hands finished frames out.
 *
 * The frame format stays v1 (docs/sam-frame-format.md): the header carries
 * the scheme id and the authenticator's length.
 */

#ifndef SAM_SCHEME_H_
#define SAM_SCHEME_H_

#include <openssl/evp.h>

#include "common.h"
#include "frame.h"

struct sam_key;

/**
 * What a scheme is told with every call: the context's session and clock.
 */
struct sam_scheme_env {
	/** the session id every frame of the context carries */
	uint32_t session_id;
	/** sender: this host's source id; receiver: the frame's source id */
	uint32_t source_id;
	/** the context's clock (sam_set_clock()), milliseconds */
	uint64_t now;
	/** a digest context the context keeps for reuse, free to reset */
	EVP_MD_CTX *md;
};

/**
 * A frame as a verifier sees it, pointing into the received datagram.
 */
struct sam_frame_view {
	/** its decoded header */
	const struct sam_frame_hdr *hdr;
	/** the authenticated bytes: header and payload */
	const uint8_t *data;
	size_t data_len;
	/** the authenticator, hdr->auth_len bytes */
	const uint8_t *auth;
	size_t auth_len;
};

/**
 * The kind of key a scheme works with.
 */
enum sam_key_kind {
	/** a group secret (sam_key_from_secret()) */
	SAM_KEY_SECRET,
	/** an Ed25519 key pair or public key */
	SAM_KEY_ED25519,
	/** an EC P-256 key pair or public key */
	SAM_KEY_P256,
};

struct sam_scheme_ops {
	/** the scheme's identifier in the API (sam_scheme) */
	sam_scheme id;
	/** the frame's scheme field it writes and accepts: its id, except for
	 *  a signing method whose frames are another scheme's (ed25519-oo
	 *  writes ed25519 frames) */
	uint8_t wire_id;
	/** name as in sam_scheme_name() */
	const char *name;
	/** the key it takes */
	enum sam_key_kind key_kind;
	/** whether it proves the individual source or only group membership */
	sam_auth auth;
	/** the longest authenticator it makes or accepts */
	uint16_t max_auth_len;

	/** Fill key with a fresh key of this scheme */
	int (*generate)(struct sam_key *key);

	/* ---- sender -------------------------------------------------------- */

	/** bytes of signer state, 0 for none */
	size_t signer_size;

	/**
	 * Set up signer state (zeroed, signer_size bytes) for a private key.
	 * May do the first offline work.  NULL if signer_size is 0.
	 */
	int (*signer_init)(void *signer, const struct sam_key *key);

	/** Wipe signer state; NULL if signer_size is 0 */
	void (*signer_clear)(void *signer);

	/**
	 * The length of the next frame's authenticator; NULL for schemes whose
	 * authenticators are always max_auth_len bytes.
	 * @param signer	signer state, NULL if signer_size is 0
	 */
	size_t (*auth_len)(const void *signer);

	/**
	 * Authenticate data (header and payload of a frame) into out, which
	 * has room for auth_len() bytes.
	 *
	 * @param signer	signer state (NULL if signer_size is 0)
	 * @param key		the signing key
	 * @return			SAM_OK, SAM_PENDING (a batching scheme took the frame,
	 *					it comes out of next_sealed() after flush()),
	 *					SAM_E_PRECOMPUTE (offline work has not kept up: the
	 *					context runs precompute() and tries once more), or
	 *					SAM_E_CRYPTO
	 */
	int (*sign)(void *signer, const struct sam_key *key,
				const struct sam_scheme_env *env, const uint8_t *data,
				size_t len, uint8_t *out);

	/**
	 * Offline work for up to frames future frames (nonce commitments,
	 * one-time keys); NULL if the scheme has none.
	 * @return			SAM_OK or an error
	 */
	int (*precompute)(void *signer, const struct sam_key *key,
					  const struct sam_scheme_env *env, size_t frames);

	/**
	 * How many frames the signer can sign from what it precomputed;
	 * NULL if it needs no offline work.
	 */
	size_t (*available)(const void *signer);

	/**
	 * A batching scheme: authenticate the frames it holds now; NULL for
	 * schemes that do not batch.
	 */
	int (*flush)(void *signer, const struct sam_key *key,
				 const struct sam_scheme_env *env);

	/**
	 * A batching scheme: copy the next finished frame into out.
	 * @return			its length, 0 if none is finished, or an error
	 */
	ssize_t (*next_sealed)(void *signer, uint8_t *out, size_t size);

	/* ---- receiver, per registered source ------------------------------- */

	/** bytes of verifier state per source, 0 for none */
	size_t verifier_size;

	/**
	 * Set up verifier state (zeroed, verifier_size bytes) for a source's
	 * key.  NULL if verifier_size is 0.
	 */
	int (*verifier_init)(void *verifier, const struct sam_key *key);

	/** Wipe verifier state; NULL if verifier_size is 0 */
	void (*verifier_clear)(void *verifier);

	/**
	 * Check a frame's authenticator.  Called only for frames of the
	 * session and source of env whose sequence number the replay window
	 * would accept.  Must check auth_len before handing anything to a
	 * crypto library.
	 *
	 * @param verifier	the source's verifier state (NULL if none)
	 * @param key		the source's key
	 * @return			SAM_OK (authentic), SAM_PENDING (may become authentic
	 *					later: keep it and ask resolve()), or the reason
	 */
	int (*verify)(void *verifier, const struct sam_key *key,
				  const struct sam_scheme_env *env,
				  const struct sam_frame_view *frame);

	/**
	 * Ask again about a frame verify() or an earlier resolve() answered
	 * SAM_PENDING for.  NULL if the scheme never answers SAM_PENDING.
	 *
	 * @return			SAM_OK (authentic now), SAM_PENDING (not yet), or the
	 *					reason to drop it
	 */
	int (*resolve)(void *verifier, const struct sam_key *key,
				   const struct sam_scheme_env *env,
				   const struct sam_frame_view *frame);

	/**
	 * Optional, for schemes with resolve: a value that changes whenever
	 * a pending frame may have become decidable other than by time (a
	 * new key disclosed).  After a frame the context then asks again
	 * only if it changed; sam_poll() always asks (time-outs).  NULL: ask
	 * after every frame that verified.
	 */
	uint64_t (*resolve_epoch)(const void *verifier);
};

extern const struct sam_scheme_ops sam_scheme_hmac_sha256;
extern const struct sam_scheme_ops sam_scheme_ed25519;
extern const struct sam_scheme_ops sam_scheme_ecdsa_p256;
extern const struct sam_scheme_ops sam_scheme_ed25519_oo;
extern const struct sam_scheme_ops sam_scheme_hybrid;
extern const struct sam_scheme_ops sam_scheme_tree;
extern const struct sam_scheme_ops sam_scheme_tesla;

/** @return the ops of a scheme (by sam_scheme), NULL if unknown */
const struct sam_scheme_ops *sam_scheme_get(unsigned int id);

/** @return whether a frame's scheme field names any scheme */
int sam_scheme_wire_known(unsigned int wire_id);

#endif /* SAM_SCHEME_H_ */
