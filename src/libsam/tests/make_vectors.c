/*
 * Generates the test vectors of docs/sam-frame-format.md,
 * docs/sam-bootstrap.md and docs/sam-tree.md and the fuzzing
 * seed corpus in tests/vectors/ with libsam itself.
 *
 * Usage: make_vectors VECTORS_DIR [--write]
 * Loads the keys from VECTORS_DIR, prints every frame in hex; with --write
 * also stores them as raw .bin files there.  Ed25519 and HMAC frames are
 * deterministic (and so is AES-GCM under a fixed key and nonce: the
 * encrypted frames under the data key of VECTORS_DIR/data-key, written in
 * the format of sam-send --data-key); an ECDSA frame is fresh on every
 * run, so the stored one is only rewritten with --write.  The tesla
 * vector (tesla_vector.h) uses the chain of a fixed seed (tesla.h: hence
 * linked statically).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sam.h"
#include "tesla.h"

#define SESSION 0x01020304
#define SOURCE 0x0a0b0c0d
#define PAYLOAD "hello, multicast"
#define BOOTSTRAP_ISSUED UINT64_C(1700000000000)
#define BOOTSTRAP_BODY "TESLA commitment"

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

/** Add the data key of dir/data-key: "<id> <64 hex digits>" */
static void add_data_key(sam_ctx *ctx, const char *dir)
{
	uint8_t key[SAM_DATA_KEY_SIZE];
	char path[4096];
	unsigned int id, b;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/data-key", dir);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%u", &id) != 1)
	{
		fprintf(stderr, "%s: no key id\n", path);
		exit(1);
	}
	for (i = 0; i < SAM_DATA_KEY_SIZE; i++)
	{
		if (fscanf(f, "%2x", &b) != 1)
		{
			fprintf(stderr, "%s: key too short\n", path);
			exit(1);
		}
		key[i] = (uint8_t)b;
	}
	fclose(f);
	if (sam_add_data_key(ctx, id, key, sizeof(key)))
	{
		fprintf(stderr, "%s: unusable\n", path);
		exit(1);
	}
}

/** Print data in hex; with write, store it as dir/file, too */
static void emit(const char *dir, int write, const char *file,
				 const char *what, const uint8_t *data, ssize_t len)
{
	ssize_t i;

	printf("%s (%s, %zd bytes):\n", file, what, len);
	for (i = 0; i < len; i++)
	{
		printf("%02x%s", data[i], (i % 32 == 31 || i == len - 1) ? "\n" : "");
	}
	if (write)
	{
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, file);
		f = fopen(path, "wb");
		if (!f || fwrite(data, 1, (size_t)len, f) != (size_t)len ||
			fclose(f))
		{
			perror(path);
			exit(1);
		}
	}
}

static void vector(const char *dir, int write, const char *key_name,
				   const char *file, uint64_t seq, int encrypted)
{
	uint8_t frame[SAM_MAX_FRAME];
	char what[64];
	sam_ctx *ctx;
	sam_key *key = load(dir, key_name);
	ssize_t len;

	if (sam_ctx_new(NULL, &ctx) || sam_set_session(ctx, SESSION) ||
		sam_set_source(ctx, SOURCE, seq) || sam_set_signing_key(ctx, key))
	{
		fprintf(stderr, "setup failed\n");
		exit(1);
	}
	if (encrypted)
	{
		add_data_key(ctx, dir);
	}
	len = sam_seal(ctx, PAYLOAD, strlen(PAYLOAD), frame, sizeof(frame));
	if (len < 0)
	{
		fprintf(stderr, "seal: %s\n", sam_strerror((int)len));
		exit(1);
	}
	snprintf(what, sizeof(what), "%s, seq %llu",
			 sam_scheme_name(sam_key_scheme(key)), (unsigned long long)seq);
	emit(dir, write, file, what, frame, len);
	sam_ctx_free(ctx);
	sam_key_free(key);
}

/* the bootstrap's, and the tesla frames' (T0 + an offset) */
static uint64_t vector_now = BOOTSTRAP_ISSUED;

static uint64_t bootstrap_clock(void *user)
{
	(void)user;
	return vector_now;
}

/** The tesla vector of docs/sam-tesla.md: chain from K_8 = a0..af, T0 the
 *  bootstrap's issue time, 100 ms, d = 2; its bootstrap, frames at T0,
 *  T0 + 250, T0 + 450 */
static void tesla_vector(const char *dir, int write)
{
	static const uint64_t at[] = { 0, 250, 450 };
	static const char *const files[] = {
		"tesla-1.bin", "tesla-3.bin", "tesla-5.bin",
	};
	uint8_t seed[SAM_TESLA_KEY_LEN], body[SAM_TESLA_BOOTSTRAP_BODY];
	uint8_t out[SAM_MAX_BOOTSTRAP];
	sam_key *key = load(dir, "ed25519.key");
	sam_ctx *ctx;
	ssize_t len;
	size_t i;
	int blen;

	for (i = 0; i < sizeof(seed); i++)
	{
		seed[i] = (uint8_t)(0xa0 + i);
	}
	vector_now = BOOTSTRAP_ISSUED;
	if (sam_key_set_scheme(key, SAM_SCHEME_TESLA) ||
		sam_ctx_new(NULL, &ctx) || sam_set_session(ctx, SESSION) ||
		sam_set_source(ctx, SOURCE, 1) || sam_set_signing_key(ctx, key) ||
		sam_set_clock(ctx, bootstrap_clock, NULL) ||
		sam_tesla_set_chain(ctx, seed, BOOTSTRAP_ISSUED, 100, 2, 8) ||
		(blen = sam_tesla_bootstrap_body(ctx, body, sizeof(body))) < 0 ||
		(len = sam_bootstrap_seal(ctx, body, (size_t)blen, out,
								  sizeof(out))) < 0)
	{
		fprintf(stderr, "tesla setup failed\n");
		exit(1);
	}
	emit(dir, write, "bootstrap-tesla.bin", "tesla bootstrap", out, len);
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++)
	{
		vector_now = BOOTSTRAP_ISSUED + at[i];
		len = sam_seal(ctx, PAYLOAD, strlen(PAYLOAD), out, sizeof(out));
		if (len < 0)
		{
			fprintf(stderr, "tesla seal: %s\n", sam_strerror((int)len));
			exit(1);
		}
		emit(dir, write, files[i], "tesla frame", out, len);
	}
	sam_ctx_free(ctx);
	sam_key_free(key);
}

/** The bootstrap vector of docs/sam-bootstrap.md (Ed25519: deterministic) */
static void bootstrap_vector(const char *dir, int write)
{
	uint8_t blob[SAM_MAX_BOOTSTRAP];
	sam_key *key = load(dir, "ed25519.key");
	sam_ctx *ctx;
	ssize_t len;

	if (sam_ctx_new(NULL, &ctx) || sam_set_session(ctx, SESSION) ||
		sam_set_source(ctx, SOURCE, 1) || sam_set_signing_key(ctx, key) ||
		sam_set_clock(ctx, bootstrap_clock, NULL))
	{
		fprintf(stderr, "setup failed\n");
		exit(1);
	}
	len = sam_bootstrap_seal(ctx, BOOTSTRAP_BODY, strlen(BOOTSTRAP_BODY),
							 blob, sizeof(blob));
	if (len < 0)
	{
		fprintf(stderr, "bootstrap: %s\n", sam_strerror((int)len));
		exit(1);
	}
	emit(dir, write, "bootstrap-ed25519.bin", "ed25519 bootstrap", blob,
		 len);
	sam_ctx_free(ctx);
	sam_key_free(key);
}

/** The tree vector of docs/sam-tree.md: a block of 3 frames, seq 1 .. 3 */
static void tree_vector(const char *dir, int write)
{
	uint8_t frame[SAM_MAX_FRAME];
	sam_key *key = load(dir, "ed25519.key");
	char file[32], what[64];
	sam_ctx *ctx;
	ssize_t len;
	int i;

	if (sam_key_set_scheme(key, SAM_SCHEME_TREE) ||
		sam_ctx_new(NULL, &ctx) || sam_set_session(ctx, SESSION) ||
		sam_set_source(ctx, SOURCE, 1) || sam_set_signing_key(ctx, key) ||
		sam_set_tree(ctx, 64, 60000))
	{
		fprintf(stderr, "setup failed\n");
		exit(1);
	}
	for (i = 0; i < 3; i++)
	{
		if (sam_seal(ctx, PAYLOAD, strlen(PAYLOAD), frame, sizeof(frame)))
		{
			fprintf(stderr, "tree: not kept for the block\n");
			exit(1);
		}
	}
	if (sam_flush(ctx))
	{
		fprintf(stderr, "tree: flush failed\n");
		exit(1);
	}
	for (i = 0; i < 3; i++)
	{
		len = sam_next_sealed(ctx, frame, sizeof(frame));
		if (len <= 0)
		{
			fprintf(stderr, "tree: frame %d missing\n", i);
			exit(1);
		}
		snprintf(file, sizeof(file), "tree-%d.bin", i);
		snprintf(what, sizeof(what), "tree, block of 3, seq %d", i + 1);
		emit(dir, write, file, what, frame, len);
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
	vector(argv[1], write, "group.key", "hmac-sha256.bin", 1, 0);
	vector(argv[1], write, "group.key", "hmac-sha256-large-seq.bin",
		   UINT64_C(0x0123456789abcdef), 0);
	vector(argv[1], write, "ed25519.key", "ed25519.bin", 1, 0);
	vector(argv[1], write, "ed25519.key", "ed25519-large-seq.bin",
		   UINT64_C(0x0123456789abcdef), 0);
	vector(argv[1], write, "ecdsa-p256.key", "ecdsa-p256.bin", 1, 0);
	vector(argv[1], write, "group.key", "hmac-sha256-encrypted.bin", 1, 1);
	vector(argv[1], write, "ed25519.key", "ed25519-encrypted.bin", 1, 1);
	bootstrap_vector(argv[1], write);
	tree_vector(argv[1], write);
	tesla_vector(argv[1], write);
	return 0;
}
