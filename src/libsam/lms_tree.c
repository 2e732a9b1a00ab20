/*
 * The LMS Merkle tree (RFC 8554 §5.3); see lms_tree.h.
 */

#define OPENSSL_SUPPRESS_DEPRECATED

#include <string.h>

#include "lms_tree.h"
#include "lms_hash.h"

static void leaf(unsigned int n, const uint8_t *I, uint32_t r,
				 const uint8_t *K, uint8_t *out)
{
	SHA256_CTX ctx;

	lms_hash_init(&ctx, I, r, LMS_D_LEAF);
	SHA256_Update(&ctx, K, n);
	lms_hash_final(&ctx, out, n);
}

static void interior(unsigned int n, const uint8_t *I, uint32_t r,
					 const uint8_t *left, const uint8_t *right,
					 uint8_t *out)
{
	SHA256_CTX ctx;

	lms_hash_init(&ctx, I, r, LMS_D_INTR);
	SHA256_Update(&ctx, left, n);
	SHA256_Update(&ctx, right, n);
	lms_hash_final(&ctx, out, n);
}

void lms_tree_build(unsigned int n, unsigned int h, const uint8_t *I,
					const uint8_t *K, uint8_t *nodes)
{
	uint32_t leaves = (uint32_t)1 << h, q, r;

	for (q = 0; q < leaves; q++)
	{
		leaf(n, I, leaves + q, K + (size_t)q * n,
			 nodes + (size_t)(leaves + q) * n);
	}
	for (r = leaves - 1; r >= 1; r--)
	{
		interior(n, I, r, nodes + (size_t)2 * r * n,
				 nodes + (size_t)(2 * r + 1) * n, nodes + (size_t)r * n);
	}
}

void lms_tree_path(unsigned int n, unsigned int h, const uint8_t *nodes,
				   uint32_t q, uint8_t *path)
{
	uint32_t r = ((uint32_t)1 << h) + q;
	unsigned int i;

	for (i = 0; i < h; i++, r /= 2)
	{
		memcpy(path + (size_t)i * n, nodes + (size_t)(r ^ 1) * n, n);
	}
}

void lms_root_from_path(unsigned int n, unsigned int h, const uint8_t *I,
						uint32_t q, const uint8_t *Kc, const uint8_t *path,
						uint8_t *root)
{
	uint32_t r = ((uint32_t)1 << h) + q;
	uint8_t tmp[LMS_N_MAX];
	unsigned int i;

	leaf(n, I, r, Kc, tmp);
	for (i = 0; i < h; i++, r /= 2)
	{
		const uint8_t *sibling = path + (size_t)i * n;

		if (r & 1)
		{
			interior(n, I, r / 2, sibling, tmp, tmp);
		}
		else
		{
			interior(n, I, r / 2, tmp, sibling, tmp);
		}
	}
	memcpy(root, tmp, n);
}
