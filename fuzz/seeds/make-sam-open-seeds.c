/*
 * Writes seeds of fuzz_sam_open into fuzz/seeds/fuzz_sam_open/: frames of
 * the schemes that share the test vectors' Ed25519 key (ed25519-oo,
 * hybrid, tree), made by libsam itself under the vectors' key, session and
 * source (fuzz/fuzz_keys.h), so the fuzzer starts inside their verifiers;
 * and the same frames encrypted under the vectors' data key (*-enc-*.bin),
 * so it starts inside the decryption too.
 * The frames are random (fresh nonces, batches); run again after a change
 * of a scheme's authenticator, from the source tree:
 *   cc -Isrc/libsam fuzz/seeds/make-sam-open-seeds.c \
 *     -LBUILDDIR/src/libsam/.libs -lsam -o /tmp/make-seeds &&
 *   LD_LIBRARY_PATH=BUILDDIR/src/libsam/.libs /tmp/make-seeds
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sam.h>

#define VECTORS "src/libsam/tests/vectors"
#define OUT "fuzz/seeds/fuzz_sam_open"
#define SESSION 0x01020304
#define SOURCE 0x0a0b0c0d
/* the data key of vectors/data-key */
#define DATA_KEY_ID 7
#define DATA_KEY_BASE 0x40

static void fail(const char *what, int err)
{
	fprintf(stderr, "make-sam-open-seeds: %s: %s\n", what, sam_strerror(err));
	exit(1);
}

static void write_file(const char *name, const uint8_t *buf, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), OUT "/%s", name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f))
	{
		perror(path);
		exit(1);
	}
	printf("%s (%zu bytes)\n", path, len);
}

/* the seed file of frame number i of scheme name */
static void seed_file(const char *name, int encrypted, int i,
					  const uint8_t *frame, ssize_t len)
{
	char file[64];

	snprintf(file, sizeof(file), "%s-%s%d.bin", name,
			 encrypted ? "enc-" : "", i);
	write_file(file, frame, (size_t)len);
}

/* frames of scheme name: payloads[i] sealed with sequence number i + 1,
 * encrypted under the data key if encrypted; a batching scheme's (tree)
 * in one block, flushed at the end */
static void seeds(const char *name, const char *const *payloads, int n,
				  int encrypted)
{
	uint8_t data_key[SAM_DATA_KEY_SIZE];
	static uint8_t frame[SAM_MAX_FRAME];
	sam_scheme scheme;
	sam_key *key;
	sam_ctx *ctx;
	ssize_t len;
	int err, i, made;

	if (sam_scheme_from_name(name, &scheme))
	{
		fprintf(stderr, "make-sam-open-seeds: no %s in this libsam\n", name);
		return;
	}
	if ((err = sam_key_load(VECTORS "/ed25519.key", &key)) ||
		(err = sam_key_set_scheme(key, scheme)) ||
		(err = sam_ctx_new(NULL, &ctx)) ||
		(err = sam_set_session(ctx, SESSION)) ||
		(err = sam_set_source(ctx, SOURCE, 1)) ||
		(err = sam_set_signing_key(ctx, key)))
	{
		fail(name, err);
	}
	for (i = 0; i < SAM_DATA_KEY_SIZE; i++)
	{
		data_key[i] = (uint8_t)(DATA_KEY_BASE + i);
	}
	if (encrypted && (err = sam_add_data_key(ctx, DATA_KEY_ID, data_key,
											 sizeof(data_key))))
	{
		fail("sam_add_data_key", err);
	}
	for (i = 0, made = 0; i < n; i++)
	{
		len = sam_seal(ctx, payloads[i], strlen(payloads[i]), frame,
					   sizeof(frame));
		if (len < 0)
		{
			fail("sam_seal", len);
		}
		if (len > 0)
		{
			seed_file(name, encrypted, ++made, frame, len);
		}
	}
	if ((err = sam_flush(ctx)))
	{
		fail("sam_flush", err);
	}
	while ((len = sam_next_sealed(ctx, frame, sizeof(frame))) > 0)
	{
		seed_file(name, encrypted, ++made, frame, len);
	}
	if (len < 0)
	{
		fail("sam_next_sealed", len);
	}
	sam_ctx_free(ctx);
	sam_key_free(key);
}

int main(void)
{
	/* hybrid: two keys of one batch (a cached certificate for the
	 * second), and an empty payload */
	static const char *const hybrid[] = {
		"hello, multicast", "second frame of the batch", "",
	};
	static const char *const oo[] = { "hello, multicast" };

	seeds("hybrid", hybrid, 3, 0);
	seeds("ed25519-oo", oo, 1, 0);
	seeds("hybrid", hybrid, 3, 1);
	seeds("ed25519-oo", oo, 1, 1);
	/* tree: one block of three, paths of two and one hash */
	seeds("tree", hybrid, 3, 0);
	seeds("tree", hybrid, 3, 1);
	return 0;
}
