/*
 * Keys shared by the libsam fuzz targets.
 */

#include "fuzz_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SAM_VECTORS_DIR
#define SAM_VECTORS_DIR "src/libsam/tests/vectors"
#endif

sam_key *fuzz_verify_keys[FUZZ_NSCHEMES];
sam_key *fuzz_sign_keys[FUZZ_NSCHEMES];

static const struct {
	sam_scheme scheme;
	const char *verify;
	const char *sign;
} files[FUZZ_NSCHEMES] = {
	[FUZZ_HMAC] = { SAM_SCHEME_HMAC_SHA256, "group.key", "group.key" },
	[FUZZ_ED25519] = { SAM_SCHEME_ED25519, "ed25519.pub", "ed25519.key" },
	[FUZZ_ECDSA] = { SAM_SCHEME_ECDSA_P256, "ecdsa-p256.pub",
					 "ecdsa-p256.key" },
};

static sam_key *load(const char *dir, const char *name)
{
	char path[4096];
	sam_key *key = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (sam_key_load(path, &key) != SAM_OK)
		return NULL;
	return key;
}

/* A fresh key of the scheme; its public half through PEM, as a receiver
 * would get it */
static void generate(int i)
{
	char pem[4096];

	if (sam_key_generate(files[i].scheme, &fuzz_sign_keys[i]) != SAM_OK)
		abort();
	if (files[i].scheme == SAM_SCHEME_HMAC_SHA256) {
		if (sam_key_to_pem(fuzz_sign_keys[i], 1, pem, sizeof(pem)) < 0)
			abort();
	} else if (sam_key_to_pem(fuzz_sign_keys[i], 0, pem, sizeof(pem)) < 0) {
		abort();
	}
	if (sam_key_from_pem(pem, strlen(pem), &fuzz_verify_keys[i]) != SAM_OK)
		abort();
}

void fuzz_keys_init(void)
{
	const char *dir = getenv("SAM_FUZZ_VECTORS");
	int i;

	if (!dir)
		dir = SAM_VECTORS_DIR;
	for (i = 0; i < FUZZ_NSCHEMES; i++) {
		fuzz_verify_keys[i] = load(dir, files[i].verify);
		fuzz_sign_keys[i] = load(dir, files[i].sign);
		if (fuzz_verify_keys[i] && fuzz_sign_keys[i])
			continue;
		fprintf(stderr, "fuzz: no %s keys in %s, generating some\n",
				sam_scheme_name(files[i].scheme), dir);
		sam_key_free(fuzz_verify_keys[i]);
		sam_key_free(fuzz_sign_keys[i]);
		generate(i);
	}
}
