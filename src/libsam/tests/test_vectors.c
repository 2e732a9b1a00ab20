/*
 * Test vectors: fixed keys and frames, byte for byte (see the "Test
 * vectors" section of docs/sam-frame-format.md), and the seed corpus and
 * key files in tests/vectors/.
 *
 * make_vectors wrote them with libsam itself; check_vectors.py (run by
 * make check as check_vectors.sh) recomputes the HMAC and Ed25519 frames
 * and verifies the ECDSA frame with python3-cryptography and a frame
 * layout of its own, so these tests compare libsam with an independent
 * implementation, not with itself.
 */

#include <stdio.h>

#include "test_common.h"

struct vector {
	const char *key;
	const char *pub;
	uint64_t seq;
	const char *hex;
	/* the scheme signs deterministically: seal must reproduce hex */
	int deterministic;
	/* the payload is encrypted under TV_DATA_KEY */
	int encrypted;
};

static const struct vector vectors[] = {
	{ TV_GROUP_KEY, TV_GROUP_KEY, 1, TV_HMAC_SEQ1, 1, 0 },
	{ TV_GROUP_KEY, TV_GROUP_KEY, TV_LARGE_SEQ, TV_HMAC_LARGE, 1, 0 },
	{ TV_ED25519_KEY, TV_ED25519_PUB, 1, TV_ED25519_SEQ1, 1, 0 },
	{ TV_ED25519_KEY, TV_ED25519_PUB, TV_LARGE_SEQ, TV_ED25519_LARGE, 1, 0 },
	{ TV_ECDSA_KEY, TV_ECDSA_PUB, 1, TV_ECDSA_SEQ1, 0, 0 },
	{ TV_GROUP_KEY, TV_GROUP_KEY, 1, TV_HMAC_ENC, 1, 1 },
	{ TV_ED25519_KEY, TV_ED25519_PUB, 1, TV_ED25519_ENC, 1, 1 },
};

START_TEST(test_seal_vector)
{
	const struct vector *v = &vectors[_i];
	uint8_t expected[256], frame[256];
	sam_key *key = tc_key(v->key);
	sam_ctx *ctx = tc_sender(TV_SOURCE, v->seq, key);
	size_t elen = tc_unhex(v->hex, expected, sizeof(expected));
	ssize_t len;

	if (v->encrypted)
	{
		tc_add_data_key(ctx);
	}
	ck_assert_int_eq(sam_frame_size(ctx, strlen(TV_PAYLOAD)), (ssize_t)elen);
	len = sam_seal(ctx, TV_PAYLOAD, strlen(TV_PAYLOAD), frame, sizeof(frame));
	ck_assert_int_eq(len, (ssize_t)elen);
	if (v->deterministic)
	{
		ck_assert_mem_eq(frame, expected, elen);
	}
	else
	{
		/* randomized signature: the header and payload are still fixed */
		ck_assert_mem_eq(frame, expected, 24 + strlen(TV_PAYLOAD));
	}
	ck_assert_uint_eq(sam_next_seq(ctx), v->seq + 1);
	sam_ctx_free(ctx);
	sam_key_free(key);
}
END_TEST

START_TEST(test_open_vector)
{
	const struct vector *v = &vectors[_i];
	uint8_t frame[256];
	sam_key *pub = tc_key(v->pub);
	sam_ctx *ctx = tc_ctx();
	size_t len = tc_unhex(v->hex, frame, sizeof(frame));
	sam_frame_info info;

	ck_assert_int_eq(sam_add_source(ctx, TV_SOURCE, pub), SAM_OK);
	if (v->encrypted)
	{	/* without the data key it is still authentic, but not opened */
		ck_assert_int_eq(sam_open(ctx, frame, len, &info), SAM_E_DATA_KEY);
		tc_add_data_key(ctx);
		ck_assert_int_eq(sam_require_encryption(ctx, 1), SAM_OK);
	}
	ck_assert_int_eq(sam_open(ctx, frame, len, &info), SAM_OK);
	ck_assert_uint_eq(info.source_id, TV_SOURCE);
	ck_assert_uint_eq(info.seq, v->seq);
	ck_assert_uint_eq(info.payload_len, strlen(TV_PAYLOAD));
	ck_assert_mem_eq(info.payload, TV_PAYLOAD, strlen(TV_PAYLOAD));
	if (!v->encrypted)
	{
		ck_assert_ptr_eq(info.payload, frame + 24);
	}
	ck_assert_int_eq(info.scheme, sam_key_scheme(pub));
	/* and once only */
	ck_assert_int_eq(sam_open(ctx, frame, len, &info), SAM_E_REPLAY);
	sam_ctx_free(ctx);
	sam_key_free(pub);
}
END_TEST

/* the header fields sit where the format says, in network byte order */
START_TEST(test_header_layout)
{
	uint8_t frame[256];
	size_t len = tc_unhex(TV_ED25519_LARGE, frame, sizeof(frame));
	static const uint8_t header[24] = {
		0x01, 0x02, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04,
		0x0a, 0x0b, 0x0c, 0x0d, 0x01, 0x23, 0x45, 0x67,
		0x89, 0xab, 0xcd, 0xef, 0x00, 0x10, 0x00, 0x40,
	};

	ck_assert_uint_eq(len, 24 + 16 + 64);
	ck_assert_mem_eq(frame, header, sizeof(header));
}
END_TEST

static char *read_file(const char *name, size_t *len)
{
	static char buf[4096];
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", VECTORS_DIR, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	*len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* the seed corpus of the fuzz target opens with the key files beside it */
START_TEST(test_seed_files)
{
	static const struct {
		const char *frame, *pub, *hex;
		int encrypted;
	} seeds[] = {
		{ "hmac-sha256.bin", "group.key", TV_HMAC_SEQ1, 0 },
		{ "hmac-sha256-large-seq.bin", "group.key", TV_HMAC_LARGE, 0 },
		{ "ed25519.bin", "ed25519.pub", TV_ED25519_SEQ1, 0 },
		{ "ed25519-large-seq.bin", "ed25519.pub", TV_ED25519_LARGE, 0 },
		{ "ecdsa-p256.bin", "ecdsa-p256.pub", TV_ECDSA_SEQ1, 0 },
		{ "hmac-sha256-encrypted.bin", "group.key", TV_HMAC_ENC, 1 },
		{ "ed25519-encrypted.bin", "ed25519.pub", TV_ED25519_ENC, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
	{
		uint8_t expected[256];
		char path[1024];
		sam_key *pub;
		sam_ctx *ctx = tc_ctx();
		size_t len, elen;
		char *data;

		snprintf(path, sizeof(path), "%s/%s", VECTORS_DIR, seeds[i].pub);
		ck_assert_int_eq(sam_key_load(path, &pub), SAM_OK);
		ck_assert_int_eq(sam_add_source(ctx, TV_SOURCE, pub), SAM_OK);
		if (seeds[i].encrypted)
		{
			tc_add_data_key(ctx);
		}
		data = read_file(seeds[i].frame, &len);
		elen = tc_unhex(seeds[i].hex, expected, sizeof(expected));
		ck_assert_uint_eq(len, elen);
		ck_assert_mem_eq(data, expected, len);
		ck_assert_int_eq(sam_open(ctx, (uint8_t *)data, len, NULL), SAM_OK);
		sam_ctx_free(ctx);
		sam_key_free(pub);
	}
}
END_TEST

/* the key files are the keys of the vectors, and PEM output is stable */
START_TEST(test_key_files)
{
	static const struct {
		const char *file, *pem;
		int private_part;
	} files[] = {
		{ "ed25519.key", TV_ED25519_KEY, 1 },
		{ "ed25519.pub", TV_ED25519_PUB, 0 },
		{ "ecdsa-p256.key", TV_ECDSA_KEY, 1 },
		{ "ecdsa-p256.pub", TV_ECDSA_PUB, 0 },
		{ "group.key", TV_GROUP_KEY, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
	{
		char out[1024];
		size_t len;
		char *data = read_file(files[i].file, &len);
		sam_key *key = tc_key(data);

		ck_assert_str_eq(data, files[i].pem);
		ck_assert_int_eq(sam_key_can_sign(key), files[i].private_part);
		ck_assert_int_eq(sam_key_to_pem(key, files[i].private_part, out,
										sizeof(out)),
						 (ssize_t)strlen(files[i].pem));
		ck_assert_str_eq(out, files[i].pem);
		sam_key_free(key);
	}
}
END_TEST

/* vectors/data-key, in the format of sam-send --data-key, is TV_DATA_KEY */
START_TEST(test_data_key_file)
{
	size_t len;
	char *data = read_file("data-key", &len);

	ck_assert_str_eq(data, "7 " TV_DATA_KEY "\n");
}
END_TEST

/* the public half of a private key is the published public key */
START_TEST(test_public_from_private)
{
	char out[1024];
	sam_key *key = tc_key(TV_ED25519_KEY);

	ck_assert_int_gt(sam_key_to_pem(key, 0, out, sizeof(out)), 0);
	ck_assert_str_eq(out, TV_ED25519_PUB);
	sam_key_free(key);
	key = tc_key(TV_ECDSA_KEY);
	ck_assert_int_gt(sam_key_to_pem(key, 0, out, sizeof(out)), 0);
	ck_assert_str_eq(out, TV_ECDSA_PUB);
	sam_key_free(key);
}
END_TEST

Suite *suite_vectors(void)
{
	Suite *s = suite_create("vectors");
	TCase *tc = tcase_create("vectors");
	int n = sizeof(vectors) / sizeof(vectors[0]);

	tcase_add_loop_test(tc, test_seal_vector, 0, n);
	tcase_add_loop_test(tc, test_open_vector, 0, n);
	tcase_add_test(tc, test_header_layout);
	tcase_add_test(tc, test_seed_files);
	tcase_add_test(tc, test_key_files);
	tcase_add_test(tc, test_public_from_private);
	tcase_add_test(tc, test_data_key_file);
	suite_add_tcase(s, tc);
	return s;
}
