/*
 * The Merkle tree of LMS (RFC 8554 §5.3) over 2^h one-time public keys,
 * with the hash length n as a parameter.  Nodes are numbered as in the
 * RFC: the root is 1, node r has the children 2r and 2r + 1, the leaf of
 * key q is 2^h + q.
 *
 *   leaf:     T[r] = H(I || u32str(r) || u16str(D_LEAF) || K_q)
 *   interior: T[r] = H(I || u32str(r) || u16str(D_INTR) || T[2r] || T[2r+1])
 */

#ifndef SAM_LMS_TREE_H_
#define SAM_LMS_TREE_H_

#include <stddef.h>
#include <stdint.h>

#define LMS_D_LEAF 0x8282
#define LMS_D_INTR 0x8383

/** the highest tree this code builds or checks paths of */
#define LMS_H_MAX 25

/** @return the bytes of all nodes of a tree: 2^(h+1) nodes, node 0 unused */
static inline size_t lms_tree_len(unsigned int n, unsigned int h)
{
	return ((size_t)2 << h) * n;
}

/**
 * Build a tree: nodes[r * n] is T[r].
 *
 * @param K			the 2^h one-time public keys, n bytes each, in order
 * @param nodes		lms_tree_len() bytes out
 */
void lms_tree_build(unsigned int n, unsigned int h, const uint8_t *I,
					const uint8_t *K, uint8_t *nodes);

/** The authentication path of leaf q: h nodes from the leaf's sibling up */
void lms_tree_path(unsigned int n, unsigned int h, const uint8_t *nodes,
				   uint32_t q, uint8_t *path);

/**
 * The root a one-time public key and its path lead to (RFC 8554
 * Algorithm 6a, step 2.i).
 *
 * @param q			the leaf, below 2^h (not checked)
 * @param Kc		its public key (candidate), n bytes
 * @param path		h nodes
 * @param root		n bytes out
 */
void lms_root_from_path(unsigned int n, unsigned int h, const uint8_t *I,
						uint32_t q, const uint8_t *Kc, const uint8_t *path,
						uint8_t *root);

#endif /* SAM_LMS_TREE_H_ */
