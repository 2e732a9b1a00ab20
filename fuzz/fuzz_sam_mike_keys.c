/*
 * libFuzzer target: the mike plugin's answer to sam-keys.
 *
 * Each input is a control message after its length field (version, type,
 * element stream), as sam_mike_get_keys() hands it to
 * sam_mike_parse_keys().  The plugin is trusted, but it is another
 * process, and the parser runs in every application that attaches.
 *
 * Besides the sanitizers (a leak is a finding: keys that parse are
 * cleared, those that do not must leave nothing), it traps when what the
 * parser promises breaks:
 *  - SAM_OK only for a version 1 response; the session is not 0, the
 *    scheme a non-empty string, at most SAM_MIKE_MAX_SOURCES senders, each
 *    with an id that is not 0 and no other sender has; every string (the
 *    scheme, the keys, the signing key) is bytes of the input;
 *  - SAM_E_DENIED / SAM_E_ATTACH only for an error response, with a
 *    reason (also for an empty one of the plugin's) and nothing
 *    allocated; SAM_E_MALFORMED with a reason and nothing allocated; no
 *    other result;
 *  - a sender's bootstrap is 0 to SAM_MAX_BOOTSTRAP bytes, and their
 *    lowercase hex is bytes of the input;
 *  - data keys come with their IDs, an encrypted group has a current one
 *    and any other group none;
 *  - parsing again, without an err buffer, gives the same.
 * Seeds: fuzz/seeds/fuzz_sam_mike_keys/ (valid responses with and without
 * the signing key, data keys or senders' bootstraps, error responses).
 */

/* memmem() */
#define _GNU_SOURCE

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mike_client.h"

#include "fuzz_assert.h"

/* Whether str (NUL-terminated) is a run of bytes of the input */
static int in_input(const uint8_t *data, size_t size, const char *str)
{
	return memmem(data, size, str, strlen(str)) != NULL;
}

/* Whether the lowercase hex of len bytes is a run of bytes of the input */
static int hex_in_input(const uint8_t *data, size_t size, const uint8_t *bytes,
						size_t len)
{
	char hex[2 * SAM_MAX_BOOTSTRAP + 1];
	size_t i;

	for (i = 0; i < len; i++) {
		hex[2 * i] = "0123456789abcdef"[bytes[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[bytes[i] & 0xf];
	}
	hex[2 * len] = '\0';
	return in_input(data, size, hex);
}

static int keys_empty(const struct sam_mike_keys *keys)
{
	return !keys->sources && !keys->nsources && !keys->signing_pem &&
		   !keys->session && !keys->own_source && !keys->scheme[0];
}

static void check_keys(const uint8_t *data, size_t size,
					   const struct sam_mike_keys *keys)
{
	size_t i, j;

	FUZZ_ASSERT(size >= 2 && data[0] == 1 && data[1] == 2);
	FUZZ_ASSERT(keys->session != 0);
	FUZZ_ASSERT(memchr(keys->scheme, 0, sizeof(keys->scheme)) != NULL);
	FUZZ_ASSERT(keys->scheme[0] && in_input(data, size, keys->scheme));
	FUZZ_ASSERT(keys->nsources <= SAM_MIKE_MAX_SOURCES);
	FUZZ_ASSERT(!keys->nsources == !keys->sources);
	for (i = 0; i < keys->nsources; i++) {
		FUZZ_ASSERT(keys->sources[i].id != 0);
		for (j = 0; j < i; j++)
			FUZZ_ASSERT(keys->sources[j].id != keys->sources[i].id);
		/* a sender without a key is listed; sam_attach() refuses it */
		if (keys->sources[i].pem)
			FUZZ_ASSERT(in_input(data, size, keys->sources[i].pem));
		FUZZ_ASSERT(keys->sources[i].bootstrap_len <= SAM_MAX_BOOTSTRAP);
		if (keys->sources[i].bootstrap_len)
			FUZZ_ASSERT(hex_in_input(data, size, keys->sources[i].bootstrap,
									 keys->sources[i].bootstrap_len));
	}
	if (keys->signing_pem)
		FUZZ_ASSERT(in_input(data, size, keys->signing_pem));
	/* data keys: each with its ID; an encrypted group has one to seal
	 * with, any other group none */
	FUZZ_ASSERT(keys->encrypt >= -1 && keys->encrypt <= 1);
	for (i = 0; i < 2; i++)
		FUZZ_ASSERT(!keys->data_keys[i].id == !keys->data_keys[i].have_key);
	if (keys->encrypt == 1)
		FUZZ_ASSERT(keys->data_keys[0].have_key);
	else
		FUZZ_ASSERT(!keys->data_keys[0].have_key &&
					!keys->data_keys[1].have_key);
}

/* The second parse must give what the first did */
static void check_same(const struct sam_mike_keys *a,
					   const struct sam_mike_keys *b)
{
	size_t i;

	FUZZ_ASSERT(a->session == b->session && a->own_source == b->own_source);
	FUZZ_ASSERT(strcmp(a->scheme, b->scheme) == 0);
	FUZZ_ASSERT(a->nsources == b->nsources);
	for (i = 0; i < a->nsources; i++) {
		FUZZ_ASSERT(a->sources[i].id == b->sources[i].id);
		FUZZ_ASSERT(!a->sources[i].pem == !b->sources[i].pem);
		if (a->sources[i].pem)
			FUZZ_ASSERT(strcmp(a->sources[i].pem, b->sources[i].pem) == 0);
		FUZZ_ASSERT(a->sources[i].bootstrap_len ==
					b->sources[i].bootstrap_len);
		FUZZ_ASSERT(memcmp(a->sources[i].bootstrap, b->sources[i].bootstrap,
						   a->sources[i].bootstrap_len) == 0);
	}
	FUZZ_ASSERT(a->encrypt == b->encrypt);
	FUZZ_ASSERT(memcmp(a->data_keys, b->data_keys, sizeof(a->data_keys)) == 0);
	FUZZ_ASSERT(!a->signing_pem == !b->signing_pem);
	if (a->signing_pem)
		FUZZ_ASSERT(strcmp(a->signing_pem, b->signing_pem) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sam_mike_keys keys, again;
	char err[256];
	int rc;

	memset(err, 'x', sizeof(err));
	rc = sam_mike_parse_keys(data, size, &keys, err, sizeof(err));
	FUZZ_ASSERT(memchr(err, 0, sizeof(err)) != NULL);
	switch (rc) {
	case SAM_OK:
		FUZZ_ASSERT(err[0] == '\0');
		check_keys(data, size, &keys);
		break;
	case SAM_E_DENIED:
	case SAM_E_ATTACH:
		FUZZ_ASSERT(size >= 2 && data[0] == 1 && data[1] == 3);
		FUZZ_ASSERT(keys_empty(&keys));
		/* an empty reason (error = "") too says something */
		FUZZ_ASSERT(err[0]);
		break;
	case SAM_E_MALFORMED:
		FUZZ_ASSERT(err[0] && keys_empty(&keys));
		break;
	default:
		FUZZ_ASSERT(!"unexpected result");
	}

	FUZZ_ASSERT(sam_mike_parse_keys(data, size, &again, NULL, 0) == rc);
	if (rc == SAM_OK) {
		check_same(&keys, &again);
		sam_mike_keys_clear(&again);
		FUZZ_ASSERT(keys_empty(&again));
		sam_mike_keys_clear(&keys);
	}
	return 0;
}
