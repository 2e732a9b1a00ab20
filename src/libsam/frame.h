/*
 * The frame header of docs/sam-frame-format.md: its codec and the purely
 * syntactic receive checks, those that need no key or replay state.
 */

#ifndef SAM_FRAME_H_
#define SAM_FRAME_H_

#include "common.h"

struct sam_scheme_ops;

/** Flags bit: the payload is a sender's signed bootstrap envelope
 *  (bootstrap_frame.c); ENCRYPTED is payload_crypt.h's */
#define SAM_FLAG_BOOTSTRAP 0x0002

/** The decoded 24-byte header, host byte order */
struct sam_frame_hdr {
	uint8_t version;
	uint8_t scheme;
	uint16_t flags;
	uint32_t session_id;
	uint32_t source_id;
	uint64_t seq;
	uint16_t payload_len;
	uint16_t auth_len;
};

/** Big-endian (network byte order) fields, shared with bootstrap.c */
void sam_put16(uint8_t *p, uint16_t v);
void sam_put32(uint8_t *p, uint32_t v);
void sam_put64(uint8_t *p, uint64_t v);
uint16_t sam_get16(const uint8_t *p);
uint32_t sam_get32(const uint8_t *p);
uint64_t sam_get64(const uint8_t *p);

/** Write hdr in network byte order into out (SAM_HEADER_SIZE bytes) */
void sam_frame_encode(const struct sam_frame_hdr *hdr, uint8_t *out);

/** Read a header from in (SAM_HEADER_SIZE bytes, not checked) */
void sam_frame_decode(const uint8_t *in, struct sam_frame_hdr *hdr);

/**
 * Receive checks 1 to 6 of the format (length, version, flags, lengths,
 * room for an encrypted payload's key id and tag, no authenticator in a
 * bootstrap frame, known scheme); fills hdr on success.
 */
int sam_frame_parse(const uint8_t *frame, size_t len,
					struct sam_frame_hdr *hdr);

/**
 * Receive checks 10 to 12, once the sender is known: its registered scheme
 * ops, an authenticator no longer than the scheme's bound (the scheme
 * checks its exact length), a sequence number other than 0.
 */
int sam_frame_check_sender(const struct sam_frame_hdr *hdr,
						   const struct sam_scheme_ops *ops);

#endif /* SAM_FRAME_H_ */
