/*
 * libFuzzer target: key files.
 *
 * Each input is a key file's contents (not NUL-terminated: the length is
 * all sam_key_from_pem() may rely on) and, if it has a secret's length, a
 * raw group secret.  A key that parses must encode again, the encoding
 * must parse to the same encoding, and a signing key must make frames its
 * own public half verifies.
 */

#include "fuzz_keys.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PEM_MAX 8192

/* to_pem(from_pem(pem)) must give pem back: the encoding is canonical */
static void check_reencode(const char *pem, size_t len, sam_scheme scheme,
						   int private_part)
{
	char again[PEM_MAX];
	sam_key *key = NULL;
	ssize_t n;

	FUZZ_ASSERT(sam_key_from_pem(pem, len, &key) == SAM_OK);
	FUZZ_ASSERT(sam_key_scheme(key) == scheme);
	n = sam_key_to_pem(key, private_part, again, sizeof(again));
	FUZZ_ASSERT(n >= 0 && (size_t)n == len && memcmp(again, pem, len) == 0);
	FUZZ_ASSERT(again[n] == '\0');
	sam_key_free(key);
}

/* A frame signed with key must verify under verify_key */
static void check_signs(const sam_key *key, const sam_key *verify_key)
{
	static const char payload[] = "fuzz";
	uint8_t frame[256];
	sam_frame_info info;
	sam_ctx *tx = NULL, *rx = NULL;
	ssize_t n;

	FUZZ_ASSERT(sam_ctx_new(NULL, &tx) == SAM_OK);
	FUZZ_ASSERT(sam_ctx_new(NULL, &rx) == SAM_OK);
	FUZZ_ASSERT(sam_set_session(tx, 1) == SAM_OK);
	FUZZ_ASSERT(sam_set_session(rx, 1) == SAM_OK);
	FUZZ_ASSERT(sam_set_source(tx, 1, 1) == SAM_OK);
	FUZZ_ASSERT(sam_set_signing_key(tx, key) == SAM_OK);
	FUZZ_ASSERT(sam_add_source(rx, 1, verify_key) == SAM_OK);
	n = sam_seal(tx, payload, 4, frame, sizeof(frame));
	FUZZ_ASSERT(n > 0);
	FUZZ_ASSERT(sam_open(rx, frame, n, &info) == SAM_OK);
	sam_ctx_free(tx);
	sam_ctx_free(rx);
}

static void parse_pem(const uint8_t *data, size_t size)
{
	char pem[PEM_MAX], pub[PEM_MAX];
	sam_key *key = NULL, *pubkey = NULL;
	sam_scheme scheme;
	ssize_t n, m = -1;

	if (sam_key_from_pem((const char *)data, size, &key) != SAM_OK)
		return;
	scheme = sam_key_scheme(key);
	FUZZ_ASSERT(sam_scheme_name(scheme) != NULL);
	n = sam_key_to_pem(key, sam_key_can_sign(key), pem, sizeof(pem));
	FUZZ_ASSERT(n > 0);
	check_reencode(pem, n, scheme, sam_key_can_sign(key));
	if (scheme != SAM_SCHEME_HMAC_SHA256) {
		m = sam_key_to_pem(key, 0, pub, sizeof(pub));
		FUZZ_ASSERT(m > 0);
		check_reencode(pub, m, scheme, 0);
	} else {
		FUZZ_ASSERT(sam_key_to_pem(key, 0, pub, sizeof(pub)) == SAM_E_KEY);
	}
	if (sam_key_can_sign(key)) {
		if (m > 0)
			FUZZ_ASSERT(sam_key_from_pem(pub, m, &pubkey) == SAM_OK);
		check_signs(key, pubkey ? pubkey : key);
	}
	sam_key_free(pubkey);
	sam_key_free(key);
}

static void parse_secret(const uint8_t *data, size_t size)
{
	sam_key *key = NULL;
	int rc;

	rc = sam_key_from_secret(data, size, &key);
	if (size >= 16 && size <= 64) {
		FUZZ_ASSERT(rc == SAM_OK);
		FUZZ_ASSERT(sam_key_scheme(key) == SAM_SCHEME_HMAC_SHA256);
		check_signs(key, key);
	} else {
		FUZZ_ASSERT(rc != SAM_OK);
	}
	sam_key_free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_pem(data, size);
	parse_secret(data, size);
	return 0;
}
