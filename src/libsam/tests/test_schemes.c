/*
 * Every scheme: round trips, wrong keys, and single bit flips anywhere in
 * a frame.
 */

#include "test_common.h"

static const sam_scheme schemes[] = {
	SAM_SCHEME_HMAC_SHA256,
	SAM_SCHEME_ED25519,
	SAM_SCHEME_ECDSA_P256,
};

static const size_t auth_lens[] = { 32, 64, 64 };

/** The verification key for key: its public half, or the secret itself */
static sam_key *verify_key(const sam_key *key)
{
	char pem[1024];

	ck_assert_int_gt(sam_key_to_pem(key, sam_key_scheme(key) ==
									SAM_SCHEME_HMAC_SHA256, pem, sizeof(pem)),
					 0);
	return tc_key(pem);
}

START_TEST(test_round_trip)
{
	static uint8_t frame[SAM_MAX_FRAME], payload[SAM_MAX_FRAME];
	size_t sizes[] = { 0, 1, 16, 1400, SAM_MAX_FRAME - 24 - auth_lens[_i] };
	sam_key *key, *pub;
	sam_ctx *tx, *rx;
	size_t i;

	ck_assert_int_eq(sam_key_generate(schemes[_i], &key), SAM_OK);
	ck_assert_int_eq(sam_key_scheme(key), schemes[_i]);
	ck_assert(sam_key_can_sign(key));
	pub = verify_key(key);
	ck_assert_int_eq(sam_key_scheme(pub), schemes[_i]);
	tx = tc_sender(7, 1, key);
	rx = tc_ctx();
	ck_assert_int_eq(sam_add_source(rx, 7, pub), SAM_OK);
	for (i = 0; i < sizeof(payload); i++)
	{
		payload[i] = (uint8_t)(i * 7);
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
	{
		sam_frame_info info;
		ssize_t len;

		len = sam_seal(tx, payload, sizes[i], frame, sizeof(frame));
		ck_assert_int_eq(len, (ssize_t)(24 + sizes[i] + auth_lens[_i]));
		ck_assert_int_eq(sam_open(rx, frame, (size_t)len, &info), SAM_OK);
		ck_assert_uint_eq(info.payload_len, sizes[i]);
		ck_assert_uint_eq(info.seq, i + 1);
		ck_assert_uint_eq(info.source_id, 7);
		ck_assert_int_eq(info.scheme, schemes[_i]);
		if (sizes[i])
		{
			ck_assert_mem_eq(info.payload, payload, sizes[i]);
		}
	}
	/* the largest payload is the largest that fits */
	ck_assert_int_eq(sam_seal(tx, payload, sizes[4] + 1, frame, sizeof(frame)),
					 SAM_E_TOOBIG);
	sam_ctx_free(tx);
	sam_ctx_free(rx);
	sam_key_free(key);
	sam_key_free(pub);
}
END_TEST

/* the private key itself also verifies, and is kept by reference */
START_TEST(test_private_key_verifies)
{
	uint8_t frame[256];
	sam_key *key;
	sam_ctx *tx, *rx;
	ssize_t len;

	ck_assert_int_eq(sam_key_generate(schemes[_i], &key), SAM_OK);
	tx = tc_sender(7, 1, key);
	rx = tc_ctx();
	ck_assert_int_eq(sam_add_source(rx, 7, key), SAM_OK);
	/* both contexts hold their own reference */
	sam_key_free(key);
	len = tc_seal(tx, frame, sizeof(frame));
	ck_assert_int_eq(sam_open(rx, frame, (size_t)len, NULL), SAM_OK);
	sam_ctx_free(tx);
	sam_ctx_free(rx);
}
END_TEST

START_TEST(test_wrong_key)
{
	uint8_t frame[256];
	sam_key *key, *other, *pub;
	sam_ctx *tx, *rx;
	sam_stats stats;
	ssize_t len;

	ck_assert_int_eq(sam_key_generate(schemes[_i], &key), SAM_OK);
	ck_assert_int_eq(sam_key_generate(schemes[_i], &other), SAM_OK);
	pub = verify_key(other);
	tx = tc_sender(7, 1, key);
	rx = tc_ctx();
	ck_assert_int_eq(sam_add_source(rx, 7, pub), SAM_OK);
	len = tc_seal(tx, frame, sizeof(frame));
	ck_assert_int_eq(sam_open(rx, frame, (size_t)len, NULL), SAM_E_BAD_AUTH);
	ck_assert_int_eq(sam_get_stats(rx, &stats), SAM_OK);
	ck_assert_uint_eq(sam_get_rejected(rx, SAM_E_BAD_AUTH), 1);
	ck_assert_uint_eq(stats.accepted, 0);
	sam_ctx_free(tx);
	sam_ctx_free(rx);
	sam_key_free(key);
	sam_key_free(other);
	sam_key_free(pub);
}
END_TEST

START_TEST(test_bit_flips)
{
	uint8_t frame[256], copy[256];
	sam_key *key, *pub;
	sam_ctx *tx, *rx;
	size_t bit;
	ssize_t len;

	ck_assert_int_eq(sam_key_generate(schemes[_i], &key), SAM_OK);
	pub = verify_key(key);
	tx = tc_sender(7, 1, key);
	rx = tc_ctx();
	ck_assert_int_eq(sam_add_source(rx, 7, pub), SAM_OK);
	len = tc_seal(tx, frame, sizeof(frame));
	for (bit = 0; bit < (size_t)len * 8; bit++)
	{
		memcpy(copy, frame, (size_t)len);
		copy[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		ck_assert_msg(sam_open(rx, copy, (size_t)len, NULL) != SAM_OK,
					  "frame with bit %zu flipped accepted", bit);
	}
	/* none of the forgeries moved the window */
	ck_assert_int_eq(sam_open(rx, frame, (size_t)len, NULL), SAM_OK);
	sam_ctx_free(tx);
	sam_ctx_free(rx);
	sam_key_free(key);
	sam_key_free(pub);
}
END_TEST

/* a wrong-length signature is refused before it reaches OpenSSL */
START_TEST(test_truncated_auth)
{
	uint8_t frame[256];
	sam_key *key;
	sam_ctx *tx, *rx;
	ssize_t len;

	ck_assert_int_eq(sam_key_generate(schemes[_i], &key), SAM_OK);
	tx = tc_sender(7, 1, key);
	rx = tc_ctx();
	ck_assert_int_eq(sam_add_source(rx, 7, key), SAM_OK);
	len = tc_seal(tx, frame, sizeof(frame));
	/* shorten the authenticator by one byte, consistently with the frame */
	frame[23]--;
	ck_assert_int_eq(sam_open(rx, frame, (size_t)len - 1, NULL),
					 SAM_E_MALFORMED);
	sam_ctx_free(tx);
	sam_ctx_free(rx);
	sam_key_free(key);
}
END_TEST

START_TEST(test_names)
{
	static const char *names[] = { "hmac-sha256", "ed25519", "ecdsa-p256" };
	sam_scheme s;

	ck_assert_str_eq(sam_scheme_name(schemes[_i]), names[_i]);
	ck_assert_int_eq(sam_scheme_from_name(names[_i], &s), SAM_OK);
	ck_assert_int_eq(s, schemes[_i]);
}
END_TEST

START_TEST(test_unknown_names)
{
	sam_scheme s;

	ck_assert_ptr_null(sam_scheme_name(0));
	ck_assert_ptr_null(sam_scheme_name(8));
	ck_assert_int_eq(sam_scheme_from_name("rsa", &s), SAM_E_SCHEME);
	ck_assert_int_eq(sam_scheme_from_name("ED25519x", &s), SAM_E_SCHEME);
	ck_assert_int_eq(sam_scheme_from_name(NULL, &s), SAM_E_SCHEME);
	ck_assert_int_eq(sam_key_generate(9, NULL), SAM_E_INVAL);
	{
		sam_key *k;
		ck_assert_int_eq(sam_key_generate(9, &k), SAM_E_SCHEME);
	}
}
END_TEST

Suite *suite_schemes(void)
{
	Suite *s = suite_create("schemes");
	TCase *tc = tcase_create("schemes");
	int n = sizeof(schemes) / sizeof(schemes[0]);

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_round_trip, 0, n);
	tcase_add_loop_test(tc, test_private_key_verifies, 0, n);
	tcase_add_loop_test(tc, test_wrong_key, 0, n);
	tcase_add_loop_test(tc, test_bit_flips, 0, n);
	tcase_add_loop_test(tc, test_truncated_auth, 0, n);
	tcase_add_loop_test(tc, test_names, 0, n);
	tcase_add_test(tc, test_unknown_names);
	suite_add_tcase(s, tc);
	return s;
}
