/*
 * In-band sender bootstraps (docs/sam-bootstrap.md, "In-band"): bootstrap
 * frames that carry a tesla sender's signed envelope to receivers without
 * mike, and the freshness rule every envelope a tesla source gets passes,
 * in-band or through mike.
 */

#ifndef SAM_BOOTSTRAP_FRAME_H_
#define SAM_BOOTSTRAP_FRAME_H_

#include "context.h"
#include "frame.h"

/**
 * Apply a tesla source's envelope: checked (sam_bootstrap_check()), named
 * by source_id, newer than the last one applied for it (or the same bytes:
 * a repeat, nothing else done), its signature verified, then its body
 * installed (sam_tesla_apply()) and remembered.  Nothing changes unless
 * all of that passed.
 *
 * @return			SAM_OK (applied, or a repeat); SAM_E_UNKNOWN_SOURCE;
 *					SAM_E_SCHEME (not a tesla source); SAM_E_STALE;
 *					the errors of sam_bootstrap_open() and
 *					sam_tesla_apply()
 */
int sam_bootstrap_apply(sam_ctx *ctx, uint32_t source_id, const uint8_t *blob,
						size_t len);

/**
 * sam_open() of a frame with flag BOOTSTRAP that passed receive checks 1
 * to 12: apply its envelope (sam_bootstrap_apply()), settle what
 * it makes decidable.
 *
 * @return			SAM_BOOTSTRAP, or why the frame is rejected (counted)
 */
int sam_bootstrap_frame_open(sam_ctx *ctx, const struct sam_frame_hdr *hdr,
							 const uint8_t *frame, sam_frame_info *info);

/**
 * sam_write(): the bootstrap frame due before the next data frame, into
 * out (SAM_MAX_FRAME bytes), by the schedule only (never with period 0).
 *
 * @return			its length, 0 if none is due or the sender has no
 *					chain to announce, or an error
 */
ssize_t sam_bootstrap_frame_due(sam_ctx *ctx, uint8_t *out, size_t size);

/** sam_write() could not send the frame: the next one is due at once */
void sam_bootstrap_frame_unsent(sam_ctx *ctx);

#endif /* SAM_BOOTSTRAP_FRAME_H_ */
