/*
 * Per-source sliding replay window with 64-bit sequence numbers.
 *
 * Checking and updating are separate steps because a frame may only move
 * the window after its authenticator verified: a forged frame with a huge
 * sequence number must not shift the window and lock out the real sender.
 */

#ifndef SAM_REPLAY_H_
#define SAM_REPLAY_H_

#include "common.h"

struct sam_replay {
	/** highest sequence number accepted, 0 before the first */
	uint64_t top;
	/** window size in bits, a multiple of 64 */
	unsigned int size;
	/** size / 64 words; bit (seq % size) is set if seq was accepted */
	uint64_t *bits;
};

/** Number of uint64_t words the bitmap of a window of size bits needs */
size_t sam_replay_words(unsigned int size);

/**
 * Set up an empty window over a caller-allocated bitmap of
 * sam_replay_words(size) words.
 */
void sam_replay_init(struct sam_replay *w, unsigned int size, uint64_t *bits);

/**
 * Whether seq would be accepted; changes nothing.
 * @return SAM_OK, SAM_E_TOO_OLD, SAM_E_REPLAY (SAM_E_MALFORMED for 0)
 */
int sam_replay_check(const struct sam_replay *w, uint64_t seq);

/** Mark seq as accepted; sam_replay_check(w, seq) must have passed */
void sam_replay_update(struct sam_replay *w, uint64_t seq);

#endif /* SAM_REPLAY_H_ */
