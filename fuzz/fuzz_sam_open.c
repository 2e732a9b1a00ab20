/*
 * libFuzzer target: frames from the network.
 *
 * Each input is one datagram.  It goes through sam_open() in a receiver per
 * scheme, each with the test vectors' sender registered (so the seed frames
 * reach the authenticator check), then through sam_readfrom() and, as a
 * payload, through a sam_seal() / sam_open() round trip.  Contexts are made
 * fresh per input so a run does not depend on the inputs before it.
 *
 * The schemes are fuzz_keys' (hmac-sha256, ed25519, ecdsa-p256) and those
 * that share the Ed25519 key, by name: ed25519-oo (its signer; its frames
 * are ed25519 frames), hybrid (its authenticator parser: one-time
 * signature, path, leaf index, certificate), tree (block size, index,
 * first sequence number, root signature, audit path; its sender batches,
 * so the round trip flushes) and tesla: a receiver whose primary scheme
 * is tesla loads the bootstrap of the tesla vector
 * (src/libsam/tests/tesla_vector.h), its clock 50 ms into the interval the
 * input claims, so the vector's frames (src/libsam/tests/vectors/tesla-*.bin)
 * reach the key-chain check and go pending.  fuzz/seeds/fuzz_sam_open/
 * holds frames of ed25519-oo, hybrid and tree under the vectors' key
 * (make-sam-open-seeds.c).
 *
 * Every receiver holds the vectors' data key (fuzz_keys.h), so encrypted
 * frames (the vectors' and fuzz/seeds/fuzz_sam_open/, the -enc- files) reach
 * the decryption; one receiver per input also requires encryption, and
 * sam_readfrom() does if a byte of the input says so.  The round trip
 * encrypts when another byte says so.
 *
 * Besides the sanitizers, it traps when an invariant of the API breaks: an
 * accepted frame that does not match its header, a frame accepted twice, a
 * sealed frame that does not open, a cleartext frame accepted by a
 * receiver that requires encryption.
 */

#include "fuzz_keys.h"

#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tesla_vector.h"

/* Extra registered sources, one per scheme, so inputs can reach every
 * scheme from every receiver */
#define EXTRA_SOURCE(i) (0x100u + (i))

/* the schemes that use the Ed25519 key besides ed25519 */
static const char *const ed25519_schemes[] = { "ed25519-oo", "hybrid",
												"tree", "tesla" };
#define MAX_SCHEMES (FUZZ_NSCHEMES + 4)

/* the tesla vector's schedule: T0, interval, chain length */
#define TESLA_T0 UINT64_C(1700000000000)
#define TESLA_INTERVAL 100
#define TESLA_AUTH 36

/* the tesla vector's bootstrap, for FUZZ_SOURCE */
static uint8_t tesla_boot[SAM_MAX_BOOTSTRAP];
static size_t tesla_boot_len;

/* the receivers' clock */
static uint64_t fuzz_now;

static uint64_t get_be(const uint8_t *p, int n);

static uint64_t fuzz_clock(void *user)
{
	(void)user;
	return fuzz_now;
}

/* keys per scheme: fuzz_keys' then those of ed25519_schemes this libsam
 * knows */
static sam_key *verify_keys[MAX_SCHEMES];
static sam_key *sign_keys[MAX_SCHEMES];
static int nschemes;

/* A copy of key for scheme: through PEM, as a key file is read */
static sam_key *key_for(const sam_key *key, int private_part,
						sam_scheme scheme)
{
	char pem[4096];
	sam_key *copy = NULL;
	ssize_t len;

	len = sam_key_to_pem(key, private_part, pem, sizeof(pem));
	FUZZ_ASSERT(len > 0);
	FUZZ_ASSERT(sam_key_from_pem(pem, len, &copy) == SAM_OK);
	FUZZ_ASSERT(sam_key_set_scheme(copy, scheme) == SAM_OK);
	return copy;
}

static void schemes_init(void)
{
	sam_scheme scheme;
	size_t i;

	fuzz_keys_init();
	for (nschemes = 0; nschemes < FUZZ_NSCHEMES; nschemes++) {
		verify_keys[nschemes] = fuzz_verify_keys[nschemes];
		sign_keys[nschemes] = fuzz_sign_keys[nschemes];
	}
	for (i = 0; i < sizeof(ed25519_schemes) / sizeof(ed25519_schemes[0]);
		 i++) {
		if (sam_scheme_from_name(ed25519_schemes[i], &scheme) != SAM_OK)
			continue;
		verify_keys[nschemes] = key_for(fuzz_verify_keys[FUZZ_ED25519], 0,
										scheme);
		sign_keys[nschemes] = key_for(fuzz_sign_keys[FUZZ_ED25519], 1,
									  scheme);
		nschemes++;
	}
	for (i = 0; TV_TESLA_BOOTSTRAP[2 * i]; i++) {
		unsigned int b;

		FUZZ_ASSERT(sscanf(&TV_TESLA_BOOTSTRAP[2 * i], "%2x", &b) == 1);
		tesla_boot[i] = (uint8_t)b;
	}
	tesla_boot_len = i;
}

/* Whether scheme index i is tesla */
static int is_tesla(int i)
{
	return sam_key_scheme(verify_keys[i]) == SAM_SCHEME_TESLA;
}

/* The receivers' clock for an input: 50 ms into the tesla interval its
 * authenticator claims, if it could be one of the vector's */
static void set_clock(const uint8_t *data, size_t size)
{
	uint64_t i = size >= SAM_HEADER_SIZE + TESLA_AUTH ?
				 get_be(data + size - TESLA_AUTH, 4) : 0;

	fuzz_now = TESLA_T0 + (i >= 1 && i <= TV_TESLA_N ? i - 1 : 4) *
			   TESLA_INTERVAL + 50;
}

/* Every code a frame can be rejected with */
static int is_reject(int rc)
{
	return (rc < 0 && rc >= SAM_E_EXPIRED) || rc == SAM_E_DATA_KEY ||
		   rc == SAM_E_CLEARTEXT || rc == SAM_E_DECRYPT ||
		   rc == SAM_E_UNSAFE || rc == SAM_E_KEY_EXPIRED ||
		   rc == SAM_E_STALE || rc == SAM_E_BEHIND;
}

/* the vectors' data key */
static void add_data_key(sam_ctx *ctx)
{
	uint8_t key[SAM_DATA_KEY_SIZE];
	int i;

	for (i = 0; i < SAM_DATA_KEY_SIZE; i++)
		key[i] = (uint8_t)(FUZZ_DATA_KEY_BASE + i);
	FUZZ_ASSERT(sam_add_data_key(ctx, FUZZ_DATA_KEY_ID, key,
								 sizeof(key)) == SAM_OK);
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

/* A receiver for the vectors' sender under scheme "primary", with the
 * data key; required: it takes encrypted frames only */
static sam_ctx *receiver(int primary, int required)
{
	sam_ctx *ctx = NULL;
	int i;

	FUZZ_ASSERT(sam_ctx_new(NULL, &ctx) == SAM_OK);
	FUZZ_ASSERT(sam_set_session(ctx, FUZZ_SESSION) == SAM_OK);
	add_data_key(ctx);
	FUZZ_ASSERT(sam_require_encryption(ctx, required) == SAM_OK);
	FUZZ_ASSERT(sam_set_replay_window(ctx, 64) == SAM_OK);
	FUZZ_ASSERT(sam_set_clock(ctx, fuzz_clock, NULL) == SAM_OK);
	FUZZ_ASSERT(sam_set_tesla_skew(ctx, 0) == SAM_OK);
	FUZZ_ASSERT(sam_add_source(ctx, FUZZ_SOURCE,
							   verify_keys[primary]) == SAM_OK);
	if (is_tesla(primary))
		FUZZ_ASSERT(sam_tesla_load_bootstrap(ctx, FUZZ_SOURCE, tesla_boot,
											 tesla_boot_len) == SAM_OK);
	for (i = 0; i < nschemes; i++)
		FUZZ_ASSERT(sam_add_source(ctx, EXTRA_SOURCE(i),
								   verify_keys[i]) == SAM_OK);
	return ctx;
}

static int is_encrypted(const uint8_t *data)
{
	return get_be(data + 2, 2) & 0x0001;
}

/* An accepted frame must be what its header says; an encrypted one's
 * plaintext is out of the frame, 20 bytes shorter than its field */
static void check_accepted(const uint8_t *data, size_t size,
						   const sam_frame_info *info)
{
	size_t plen;

	FUZZ_ASSERT(size >= SAM_HEADER_SIZE);
	plen = get_be(data + 20, 2);
	FUZZ_ASSERT((get_be(data + 2, 2) & ~0x0001u) == 0);
	if (is_encrypted(data)) {
		FUZZ_ASSERT(plen >= SAM_SEAL_OVERHEAD);
		FUZZ_ASSERT(get_be(data + 24, 4) == FUZZ_DATA_KEY_ID);
		FUZZ_ASSERT(info->payload_len == plen - SAM_SEAL_OVERHEAD);
		FUZZ_ASSERT(info->payload + info->payload_len <= data ||
					info->payload >= data + size);
		plen -= SAM_SEAL_OVERHEAD;
	} else {
		FUZZ_ASSERT(info->payload == data + SAM_HEADER_SIZE);
	}
	FUZZ_ASSERT(data[0] == SAM_FRAME_VERSION);
	FUZZ_ASSERT(get_be(data + 4, 4) == FUZZ_SESSION);
	FUZZ_ASSERT(info->source_id == get_be(data + 8, 4));
	FUZZ_ASSERT(info->seq == get_be(data + 12, 8) && info->seq != 0);
	FUZZ_ASSERT(info->payload_len == plen);
	FUZZ_ASSERT(SAM_HEADER_SIZE + get_be(data + 20, 2) +
				get_be(data + 22, 2) == size);
	FUZZ_ASSERT(sam_scheme_wire_id(info->scheme) == data[1]);
}

/* every scheme's receiver, then one that requires encryption */
static void open_frame(const uint8_t *data, size_t size)
{
	sam_frame_info info;
	int i, rc;

	for (i = 0; i <= nschemes; i++) {
		int required = i == nschemes;
		sam_ctx *ctx = receiver(required ? (size ? data[size - 1] : 0) %
										   nschemes : i, required);

		rc = sam_open(ctx, data, size, &info);
		FUZZ_ASSERT(rc == SAM_OK || rc == SAM_PENDING ||
					rc == SAM_BOOTSTRAP || is_reject(rc));
		if (rc == SAM_BOOTSTRAP) {
			sam_stats st;

			/* a tesla source's envelope in a bootstrap frame: taken
			 * again as a repeat, never handed out */
			FUZZ_ASSERT(get_be(data + 2, 2) == 0x0002);
			FUZZ_ASSERT(get_be(data + 22, 2) == 0);
			FUZZ_ASSERT(info.payload_len == 0 &&
						info.source_id == get_be(data + 8, 4));
			FUZZ_ASSERT(sam_open(ctx, data, size, &info) == SAM_BOOTSTRAP);
			FUZZ_ASSERT(sam_get_stats(ctx, &st) == SAM_OK &&
						st.bootstraps == 2 && st.accepted == 0);
			FUZZ_ASSERT(sam_next_authentic(ctx, &info) == SAM_PENDING);
		}
		if (rc == SAM_PENDING) {
			/* a lone tesla frame never discloses its own key */
			FUZZ_ASSERT(sam_poll(ctx) == 0);
			FUZZ_ASSERT(sam_next_authentic(ctx, &info) == SAM_PENDING);
			FUZZ_ASSERT(sam_open(ctx, data, size, &info) == SAM_E_REPLAY);
		}
		if (rc == SAM_OK) {
			check_accepted(data, size, &info);
			FUZZ_ASSERT(!required || is_encrypted(data));
			/* the same frame again is a replay, never accepted */
			FUZZ_ASSERT(sam_open(ctx, data, size, &info) == SAM_E_REPLAY);
		}
		sam_ctx_free(ctx);
	}
}

/* sam_readfrom() over an I/O context that delivers the input once */
typedef struct {
	const uint8_t *data;
	size_t size;
	int calls;
	int rejected;
} once_io;

static ssize_t once_readfrom(void *io, void *buf, size_t len,
							 struct sockaddr *from, socklen_t *fromlen)
{
	once_io *o = io;

	(void)from;
	if (fromlen)
		*fromlen = 0;
	if (o->calls++) {
		errno = EIO;
		return -1;
	}
	len = len < o->size ? len : o->size;
	memcpy(buf, o->data, len);
	return len;
}

static void on_reject(void *user, sam_err err, const uint8_t *frame,
					  size_t len, const struct sockaddr *from,
					  socklen_t fromlen)
{
	once_io *o = user;
	volatile uint8_t sum = 0;
	size_t i;

	(void)from;
	(void)fromlen;
	FUZZ_ASSERT(is_reject(err));
	FUZZ_ASSERT(len <= o->size);
	/* read the whole frame, so ASan checks the bounds the library gives */
	for (i = 0; i < len; i++)
		sum += frame[i];
	(void)sum;
	o->rejected++;
}

static void readfrom_frame(const uint8_t *data, size_t size)
{
	once_io o = { .data = data, .size = size };
	sam_io_ops ops = { .readfrom = once_readfrom, .io = &o };
	uint8_t buf[SAM_MAX_FRAME];
	sam_frame_info info = { 0 };
	int required = size > 1 && (data[size - 2] & 1);
	sam_ctx *ctx = receiver(size ? data[size - 1] % nschemes : 0, required);
	ssize_t n;

	FUZZ_ASSERT(sam_set_io(ctx, &ops) == SAM_OK);
	FUZZ_ASSERT(sam_set_reject_cb(ctx, on_reject, &o) == SAM_OK);
	n = sam_readfrom(ctx, buf, sizeof(buf), &info, NULL, NULL);
	if (n >= 0) {
		FUZZ_ASSERT(o.rejected == 0);
		FUZZ_ASSERT(size >= SAM_HEADER_SIZE);
		if (is_encrypted(data)) {
			FUZZ_ASSERT((size_t)n + SAM_SEAL_OVERHEAD ==
						get_be(data + 20, 2));
		} else {
			FUZZ_ASSERT(!required);
			FUZZ_ASSERT((size_t)n == get_be(data + 20, 2));
			FUZZ_ASSERT(memcmp(buf, data + SAM_HEADER_SIZE, n) == 0);
		}
		FUZZ_ASSERT(info.source_id == get_be(data + 8, 4));
		FUZZ_ASSERT(info.payload == buf && info.payload_len == (size_t)n);
	} else {
		sam_stats st;

		FUZZ_ASSERT(sam_get_stats(ctx, &st) == SAM_OK);
		/* rejected, kept pending (tesla) or a bootstrap frame taken */
		FUZZ_ASSERT(n == SAM_E_IO &&
					o.rejected + st.pending + st.bootstraps == 1);
	}
	sam_ctx_free(ctx);
}

/* The input as a payload: what one sender seals, a receiver must open;
 * encrypted if the third byte is odd (then the receiver requires it) */
static void roundtrip(const uint8_t *data, size_t size)
{
	static uint8_t frame[SAM_MAX_FRAME];
	int scheme = size ? data[0] % nschemes : 0;
	uint64_t seq = size > 1 ? data[1] + 1 : 1;
	int encrypt = size > 2 && (data[2] & 1);
	sam_frame_info info;
	sam_ctx *tx = NULL, *rx = receiver(scheme, encrypt);
	ssize_t n;

	FUZZ_ASSERT(sam_ctx_new(NULL, &tx) == SAM_OK);
	FUZZ_ASSERT(sam_set_session(tx, FUZZ_SESSION) == SAM_OK);
	FUZZ_ASSERT(sam_set_source(tx, FUZZ_SOURCE, seq) == SAM_OK);
	FUZZ_ASSERT(sam_set_signing_key(tx, sign_keys[scheme]) == SAM_OK);
	if (encrypt)
		add_data_key(tx);
	if (is_tesla(scheme)) {
		/* a chain of its own, its bootstrap to the receiver */
		uint8_t body[SAM_TESLA_BOOTSTRAP_BODY], blob[SAM_MAX_BOOTSTRAP];
		ssize_t blen;
		int body_len;

		FUZZ_ASSERT(sam_set_clock(tx, fuzz_clock, NULL) == SAM_OK);
		FUZZ_ASSERT(sam_set_tesla(tx, 0, 0, 16) == SAM_OK);
		body_len = sam_tesla_bootstrap_body(tx, body, sizeof(body));
		FUZZ_ASSERT(body_len > 0);
		blen = sam_bootstrap_seal(tx, body, (size_t)body_len, blob,
								  sizeof(blob));
		FUZZ_ASSERT(blen > 0);
		FUZZ_ASSERT(sam_tesla_load_bootstrap(rx, FUZZ_SOURCE, blob, blen) ==
					SAM_OK);
	}
	n = sam_seal(tx, data, size, frame, sizeof(frame));
	if (n == 0) {
		/* a batching scheme (tree) kept it: a block of one */
		FUZZ_ASSERT(sam_flush(tx) == SAM_OK);
		n = sam_next_sealed(tx, frame, sizeof(frame));
		FUZZ_ASSERT(n > 0 && n <= sam_frame_size(tx, size));
		FUZZ_ASSERT(sam_next_sealed(tx, frame + n, sizeof(frame) - n) == 0);
	} else if (n > 0) {
		FUZZ_ASSERT(n == sam_frame_size(tx, size));
	}
	if (n < 0) {
		/* only a payload that cannot fit may be refused */
		FUZZ_ASSERT(n == SAM_E_TOOBIG);
		FUZZ_ASSERT(sam_frame_size(tx, size) < 0 ||
					sam_frame_size(tx, size) > SAM_MAX_FRAME);
	} else {
		if (is_tesla(scheme)) {
			/* authentic only once its key is out; kept if it fits */
			int rc = sam_open(rx, frame, n, &info);

			FUZZ_ASSERT(rc == SAM_PENDING ||
						(rc == SAM_E_BUDGET && n > SAM_DEFAULT_PENDING_LEN));
		} else {
			FUZZ_ASSERT(sam_open(rx, frame, n, &info) == SAM_OK);
			check_accepted(frame, n, &info);
			FUZZ_ASSERT(is_encrypted(frame) == encrypt);
			FUZZ_ASSERT(info.payload_len == size &&
						memcmp(info.payload, data, size) == 0);
		}
		/* one flipped bit anywhere must be caught */
		frame[(size + seq) % n] ^= 0x10;
		FUZZ_ASSERT(sam_open(rx, frame, n, &info) != SAM_OK);
	}
	sam_ctx_free(tx);
	sam_ctx_free(rx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int initialized;

	if (!initialized) {
		schemes_init();
		initialized = 1;
	}
	set_clock(data, size);
	open_frame(data, size);
	readfrom_frame(data, size);
	roundtrip(data, size);
	return 0;
}
