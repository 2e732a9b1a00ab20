/*
 * The tree scheme (docs/sam-tree.md): amortized Merkle-tree signatures
 * of Wong and Lam.  The sender collects up to m frames in a block, builds
 * the RFC 6962 Merkle tree over them and signs its root once with
 * Ed25519; every frame carries the root signature and its audit path.
 */

#ifndef SAM_TREE_H_
#define SAM_TREE_H_

#include <stddef.h>
#include <stdint.h>

/** largest frames per block (defaults: sam.h) */
#define SAM_TREE_MAX_FRAMES 256
/** largest time a frame may wait for its block, ms */
#define SAM_TREE_MAX_DELAY 60000

/** the authenticator: k - 1, index, first seq, signature, then the path */
#define TREE_OFF_K 0
#define TREE_OFF_INDEX 1
#define TREE_OFF_FIRST 2
#define TREE_OFF_SIG 10
#define TREE_OFF_PATH 74
#define TREE_HASH_LEN 32
/** the longest audit path, for a block of SAM_TREE_MAX_FRAMES */
#define TREE_MAX_PATH 8
#define TREE_MAX_AUTH_LEN (TREE_OFF_PATH + TREE_MAX_PATH * TREE_HASH_LEN)

/** the root signature's label, without a NUL */
#define TREE_LABEL "SAM tree v1"
#define TREE_LABEL_LEN 11
/** the signed bytes: label, session, source, first seq, k, root */
#define TREE_SIGNED_LEN (TREE_LABEL_LEN + 4 + 4 + 8 + 2 + TREE_HASH_LEN)

/** Set a tree signer's block size (1 .. 256) and delay (ms) */
void sam_tree_configure(void *signer, unsigned int frames,
						unsigned int max_delay_ms);

/** The length of the audit path of leaf index in a tree of k leaves */
unsigned int sam_tree_path_len(unsigned int index, unsigned int k);

/** Test only: how many root signatures a tree verifier checked */
uint64_t sam_tree_sig_verifies(const void *verifier);

#endif /* SAM_TREE_H_ */
