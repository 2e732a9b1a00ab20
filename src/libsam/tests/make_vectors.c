/*
 * Generates the test vectors of docs/sam-frame-format.md and the fuzzing
 * seed corpus in tests/vectors/ with libsam itself.
 *
 * Usage: make_vectors VECTORS_DIR [--write]
 * Loads the keys from VECTORS_DIR, prints every frame in hex; with --write
 * also stores them as raw .bin files there.  Ed25519 and HMAC frames are
 * deterministic; an ECDSA frame is fresh on every run, so the stored one
 * is only rewritten with --write.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sam.h"

#define SESSION 0x01020304
#define SOURCE 0x0a0b0c0d
#define PAYLOAD "hello, multicast"

static sam_key *load(const char *dir, const char *name)
{
	char path[4096];
	sam_key *key;
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	err = sam_key_load(path, &key);
	if (err)
	{
		fprintf(stderr, "%s: %s\n", path, sam_strerror(err));
		exit(1);
	}
	return key;
}

static void vector(const char *dir, int write, const char *key_name,
				   const char *file, uint64_t seq)
{
	uint8_t frame[SAM_MAX_FRAME];
	sam_ctx *ctx;
	sam_key *key = load(dir, key_name);
	ssize_t len, i;

	if (sam_ctx_new(NULL, &ctx) || sam_set_session(ctx, SESSION) ||
		sam_set_source(ctx, SOURCE, seq) || sam_set_signing_key(ctx, key))
	{
		fprintf(stderr, "setup failed\n");
		exit(1);
	}
	len = sam_seal(ctx, PAYLOAD, strlen(PAYLOAD), frame, sizeof(frame));
	if (len < 0)
	{
		fprintf(stderr, "seal: %s\n", sam_strerror((int)len));
		exit(1);
	}
	printf("%s (%s, seq %llu, %zd bytes):\n", file,
		   sam_scheme_name(sam_key_scheme(key)), (unsigned long long)seq, len);
	for (i = 0; i < len; i++)
	{
		printf("%02x%s", frame[i], (i % 32 == 31 || i == len - 1) ? "\n" : "");
	}
	if (write)
	{
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, file);
		f = fopen(path, "wb");
		if (!f || fwrite(frame, 1, (size_t)len, f) != (size_t)len ||
			fclose(f))
		{
			perror(path);
			exit(1);
		}
	}
	sam_ctx_free(ctx);
	sam_key_free(key);
}

int main(int argc, char *argv[])
{
	int write;

	if (argc < 2)
	{
		fprintf(stderr, "usage: %s VECTORS_DIR [--write]\n", argv[0]);
		return 2;
	}
	write = argc > 2 && strcmp(argv[2], "--write") == 0;
	vector(argv[1], write, "group.key", "hmac-sha256.bin", 1);
	vector(argv[1], write, "group.key", "hmac-sha256-large-seq.bin",
		   UINT64_C(0x0123456789abcdef));
	vector(argv[1], write, "ed25519.key", "ed25519.bin", 1);
	vector(argv[1], write, "ed25519.key", "ed25519-large-seq.bin",
		   UINT64_C(0x0123456789abcdef));
	vector(argv[1], write, "ecdsa-p256.key", "ecdsa-p256.bin", 1);
	return 0;
}
