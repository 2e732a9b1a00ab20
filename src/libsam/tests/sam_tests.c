/*
 * libsam unit tests: the runner and the helpers all suites share.
 */

#include <stdio.h>
#include <stdlib.h>

#include "test_common.h"

size_t tc_unhex(const char *hex, uint8_t *out, size_t size)
{
	size_t n = 0;

	/* an odd digit at the end would be dropped silently, a vector one
	 * nibble short still "decoded" */
	ck_assert_msg(strlen(hex) % 2 == 0, "odd number of hex digits: %s", hex);
	ck_assert_msg(strspn(hex, "0123456789abcdefABCDEF") == strlen(hex),
				  "not a hex digit in %s", hex);
	while (hex[0] && hex[1])
	{
		unsigned int b;

		ck_assert_uint_lt(n, size);
		ck_assert_int_eq(sscanf(hex, "%2x", &b), 1);
		out[n++] = (uint8_t)b;
		hex += 2;
	}
	return n;
}

sam_key *tc_key(const char *pem)
{
	sam_key *key = NULL;

	ck_assert_int_eq(sam_key_from_pem(pem, strlen(pem), &key), SAM_OK);
	ck_assert_ptr_nonnull(key);
	return key;
}

sam_key *tc_group_key(void)
{
	uint8_t secret[32];
	sam_key *key = NULL;
	int i;

	for (i = 0; i < 32; i++)
	{
		secret[i] = (uint8_t)i;
	}
	ck_assert_int_eq(sam_key_from_secret(secret, sizeof(secret), &key),
					 SAM_OK);
	return key;
}

void tc_add_data_key(sam_ctx *ctx)
{
	uint8_t key[SAM_DATA_KEY_SIZE];

	ck_assert_uint_eq(tc_unhex(TV_DATA_KEY, key, sizeof(key)), sizeof(key));
	ck_assert_int_eq(sam_add_data_key(ctx, TV_DATA_KEY_ID, key, sizeof(key)),
					 SAM_OK);
}

sam_ctx *tc_ctx(void)
{
	sam_ctx *ctx = NULL;

	ck_assert_int_eq(sam_ctx_new(NULL, &ctx), SAM_OK);
	ck_assert_int_eq(sam_set_session(ctx, TV_SESSION), SAM_OK);
	return ctx;
}

sam_ctx *tc_sender(uint32_t source, uint64_t seq, const sam_key *key)
{
	sam_ctx *ctx = tc_ctx();

	ck_assert_int_eq(sam_set_source(ctx, source, seq), SAM_OK);
	ck_assert_int_eq(sam_set_signing_key(ctx, key), SAM_OK);
	return ctx;
}

ssize_t tc_seal(sam_ctx *sender, uint8_t *frame, size_t size)
{
	char payload[32];
	ssize_t len;

	snprintf(payload, sizeof(payload), "p%llu",
			 (unsigned long long)sam_next_seq(sender));
	len = sam_seal(sender, payload, strlen(payload), frame, size);
	ck_assert_int_gt(len, 0);
	return len;
}

int main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(suite_vectors());
	srunner_add_suite(sr, suite_schemes());
	srunner_add_suite(sr, suite_replay());
	srunner_add_suite(sr, suite_receive());
	srunner_add_suite(sr, suite_api());
	srunner_add_suite(sr, suite_io());
	srunner_add_suite(sr, suite_ed25519_oo());
	srunner_add_suite(sr, suite_pending());
	srunner_add_suite(sr, suite_hybrid());
	srunner_add_suite(sr, suite_attach());
	srunner_add_suite(sr, suite_encrypt());
	srunner_add_suite(sr, suite_bootstrap());
	srunner_add_suite(sr, suite_tree());
	srunner_add_suite(sr, suite_tesla());
	srunner_add_suite(sr, suite_bootstrap_frame());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
