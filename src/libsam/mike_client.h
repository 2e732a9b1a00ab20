/*
 * The client side of the mike plugin's control protocol
 * (docs/control-socket.md), as much as libsam needs: the request
 * "sam-keys" and its response, the request "sam-bootstrap" and its
 * response, without strongSwan.
 */

#ifndef SAM_MIKE_CLIENT_H
#define SAM_MIKE_CLIENT_H

#include "common.h"

/** most senders a response may list */
#define SAM_MIKE_MAX_SOURCES 4096

/** A sender as sam-keys lists it */
struct sam_mike_source {
	uint32_t id;
	/** its verification key, PEM, NUL-terminated */
	char *pem;
	/** its signed bootstrap (docs/sam-bootstrap.md) as the plugin holds
	 *  it, not checked here; bootstrap_len 0 if it has none */
	uint8_t bootstrap[SAM_MAX_BOOTSTRAP];
	size_t bootstrap_len;
};

/** size of a data key (sam.h's SAM_DATA_KEY_SIZE) */
#define SAM_MIKE_DATA_KEY_SIZE 32

/** A data key as sam-keys hands it out */
struct sam_mike_data_key {
	/** its key ID, 0 if the response has none */
	uint32_t id;
	uint8_t key[SAM_MIKE_DATA_KEY_SIZE];
	/** whether the key itself was there (checked against id) */
	int have_key;
};

/** A group's keys as sam-keys answers them */
struct sam_mike_keys {
	uint32_t session;
	/** the group's sam_scheme */
	char scheme[32];
	struct sam_mike_source *sources;
	size_t nsources;
	/** sources allocated */
	size_t capsources;
	/** with signing: this host's source id, 0 if none */
	uint32_t own_source;
	/** with signing: this host's signing key, PEM, NULL if none */
	char *signing_pem;
	/** whether the group's payloads are encrypted: 1 yes, 0 no, -1 the
	 *  plugin did not say (a plugin from before encryption) */
	int encrypt;
	/** the data key of the group's current KEK [0] and of the one it
	 *  replaced [1]; with encrypt only */
	struct sam_mike_data_key data_keys[2];
};

/**
 * Parse a response to sam-keys: the message after its length field
 * (version, type, body).
 *
 * @param msg		the message
 * @param len		its length
 * @param keys		receives the keys (sam_mike_keys_clear() them)
 * @param err		receives the plugin's reason of an error response, or
 *					what is wrong with the message
 * @return			SAM_OK; SAM_E_DENIED or SAM_E_ATTACH for an error
 *					response; SAM_E_MALFORMED for a message that breaks the
 *					protocol or lacks the session (or when memory runs out)
 */
int sam_mike_parse_keys(const uint8_t *msg, size_t len,
						struct sam_mike_keys *keys, char *err, size_t errlen);

/**
 * Ask the plugin for a group's keys: connect, send sam-keys, read the
 * response, within a few seconds.
 *
 * @param path		the control socket's path
 * @param group		group name
 * @param signing	ask for this host's signing key, too
 * @param keys		receives the keys
 * @param err		receives why it failed
 * @return			as sam_mike_parse_keys(), SAM_E_ATTACH if the socket
 *					cannot be used
 */
int sam_mike_get_keys(const char *path, const char *group, int signing,
					  struct sam_mike_keys *keys, char *err, size_t errlen);

/**
 * Parse a response to sam-bootstrap: it must say "published = GROUP".
 *
 * @return			SAM_OK; SAM_E_DENIED or SAM_E_ATTACH for an error
 *					response; SAM_E_MALFORMED
 */
int sam_mike_parse_published(const uint8_t *msg, size_t len,
							 const char *group, char *err, size_t errlen);

/**
 * Hand the plugin a sender's bootstrap (command sam-bootstrap, the
 * envelope in lowercase hex) for the GCKS.
 *
 * @param blob		the envelope, 1 to SAM_MAX_BOOTSTRAP bytes
 * @return			as sam_mike_parse_published(), SAM_E_ATTACH if the socket
 *					cannot be used, SAM_E_INVAL
 */
int sam_mike_publish_bootstrap(const char *path, const char *group,
							   const uint8_t *blob, size_t blob_len,
							   char *err, size_t errlen);

/** Free what keys hold, wiping the signing and data keys */
void sam_mike_keys_clear(struct sam_mike_keys *keys);

#endif
