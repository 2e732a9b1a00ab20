/*
 * The bootstrap frame vector of docs/sam-bootstrap.md ("In-band"): the
 * tesla vector's envelope (TV_TESLA_BOOTSTRAP, tesla_vector.h) as the
 * payload of a bootstrap frame of TV_SOURCE in TV_SESSION, sequence
 * number 1, flags BOOTSTRAP, no authenticator.  check_vectors.py
 * recomputes it.
 */

#ifndef SAM_BOOTSTRAP_FRAME_VECTOR_H_
#define SAM_BOOTSTRAP_FRAME_VECTOR_H_

#define TV_TESLA_BOOTSTRAP_FRAME \
	"01070002010203040a0b0c0d0000000000000001007c00000107000001020304" \
	"0a0b0c0d0000018bcfe568000026021000020000006401000000018bcfe56800" \
	"000000085839304fc2257b4bd0ea7bf7fe8b6c8724136e237b21474255652da3" \
	"008e710952ff3d9d28c0837f84916fd037eb2d0ed19870b880609cd0a6c0fa08" \
	"226fa11f88cd332ee1b41b065b72ee3bf4e6e80a"

#endif /* SAM_BOOTSTRAP_FRAME_VECTOR_H_ */
