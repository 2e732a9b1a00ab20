/*
 * Payload encryption (docs/sam-frame-format.md, "Encrypted payloads"):
 * round trips per scheme, the order of the receive checks around it
 * (authenticator first, then key, then tag, only then the replay window),
 * required encryption on both sides, key rotation and the key list, the
 * frame size, and a keeper that brings a missing key.
 */

#include <errno.h>

#include "test_common.h"
#include "context.h"

#define KEY_ID 7
#define SECRET "attack at dawn, bring coffee"

/** A data key: 32 bytes counting up from base */
static const uint8_t *data_key(uint8_t base)
{
	static uint8_t keys[4][SAM_DATA_KEY_SIZE];
	static unsigned int next;
	uint8_t *key = keys[next++ % 4];
	int i;

	for (i = 0; i < SAM_DATA_KEY_SIZE; i++)
	{
		key[i] = (uint8_t)(base + i);
	}
	return key;
}

static void add_key(sam_ctx *ctx, uint32_t id, uint8_t base)
{
	ck_assert_int_eq(sam_add_data_key(ctx, id, data_key(base),
									  SAM_DATA_KEY_SIZE), SAM_OK);
}

/** A sender of scheme (ed25519 key for the signatures) and its receiver,
 *  both holding data key KEY_ID */
struct pair {
	sam_ctx *tx, *rx;
};

static struct pair make_pair(sam_scheme scheme, uint64_t seq)
{
	sam_key *priv, *pub;
	struct pair p;

	if (scheme == SAM_SCHEME_HMAC_SHA256)
	{
		priv = tc_group_key();
		pub = tc_group_key();
	}
	else
	{
		priv = tc_key(TV_ED25519_KEY);
		pub = tc_key(TV_ED25519_PUB);
		ck_assert_int_eq(sam_key_set_scheme(priv, scheme), SAM_OK);
		ck_assert_int_eq(sam_key_set_scheme(pub, scheme), SAM_OK);
	}
	p.tx = tc_sender(TV_SOURCE, seq, priv);
	p.rx = tc_ctx();
	ck_assert_int_eq(sam_add_source(p.rx, TV_SOURCE, pub), SAM_OK);
	sam_key_free(priv);
	sam_key_free(pub);
	add_key(p.tx, KEY_ID, 0x40);
	add_key(p.rx, KEY_ID, 0x40);
	return p;
}

/** An ed25519 receiver of TV_SOURCE that never had a data key */
static sam_ctx *keyless_receiver(void)
{
	sam_key *pub = tc_key(TV_ED25519_PUB);
	sam_ctx *rx = tc_ctx();

	ck_assert_int_eq(sam_add_source(rx, TV_SOURCE, pub), SAM_OK);
	sam_key_free(pub);
	return rx;
}

static void free_pair(struct pair *p)
{
	sam_ctx_free(p->tx);
	sam_ctx_free(p->rx);
}

static ssize_t seal(sam_ctx *tx, const char *payload, uint8_t *frame)
{
	ssize_t len = sam_seal(tx, payload, strlen(payload), frame,
						   SAM_MAX_FRAME);

	ck_assert_int_gt(len, 0);
	return len;
}

static int contains(const uint8_t *buf, size_t len, const char *what)
{
	size_t n = strlen(what), i;

	for (i = 0; i + n <= len; i++)
	{
		if (memcmp(buf + i, what, n) == 0)
		{
			return 1;
		}
	}
	return 0;
}

/** Seal SECRET, check the encrypted layout, open it */
static void round_trip(sam_scheme scheme)
{
	static uint8_t frame[SAM_MAX_FRAME];
	struct pair p = make_pair(scheme, 5);
	sam_frame_info info;
	ssize_t len, size = sam_frame_size(p.tx, strlen(SECRET));

	len = seal(p.tx, SECRET, frame);
	ck_assert_int_eq(len, size);
	/* header, key id, ciphertext, tag, authenticator */
	ck_assert_uint_eq((frame[22] << 8) | frame[23],
					  len - SAM_HEADER_SIZE - SAM_SEAL_OVERHEAD -
					  strlen(SECRET));
	/* flags ENCRYPTED, Payload Length n + 20, Key ID, no plaintext */
	ck_assert_uint_eq(frame[2], 0);
	ck_assert_uint_eq(frame[3], 1);
	ck_assert_uint_eq((frame[20] << 8) | frame[21],
					  strlen(SECRET) + SAM_SEAL_OVERHEAD);
	ck_assert_mem_eq(frame + 24, "\0\0\0\7", 4);
	ck_assert(!contains(frame, (size_t)len, "attack"));
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info), SAM_OK);
	ck_assert_uint_eq(info.seq, 5);
	ck_assert_uint_eq(info.payload_len, strlen(SECRET));
	ck_assert_mem_eq(info.payload, SECRET, strlen(SECRET));
	ck_assert(info.payload < frame || info.payload >= frame + len);
	/* still replay-protected */
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info),
					 SAM_E_REPLAY);
	/* an empty payload is 20 bytes of key id and tag */
	len = seal(p.tx, "", frame);
	ck_assert_uint_eq((frame[20] << 8) | frame[21], SAM_SEAL_OVERHEAD);
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info), SAM_OK);
	ck_assert_uint_eq(info.payload_len, 0);
	free_pair(&p);
}

START_TEST(test_round_trip_ed25519)
{
	round_trip(SAM_SCHEME_ED25519);
}
END_TEST

START_TEST(test_round_trip_hybrid)
{
	round_trip(SAM_SCHEME_HYBRID);
}
END_TEST

START_TEST(test_round_trip_hmac)
{
	round_trip(SAM_SCHEME_HMAC_SHA256);
}
END_TEST

START_TEST(test_round_trip_ed25519_oo)
{
	round_trip(SAM_SCHEME_ED25519_OO);
}
END_TEST

/* a flipped bit in the key id, the ciphertext or the tag: the
 * authenticator fails before anything is decrypted */
START_TEST(test_bit_flip_bad_auth)
{
	static uint8_t frame[SAM_MAX_FRAME];
	struct pair p = make_pair(SAM_SCHEME_ED25519, 1);
	size_t n = strlen(SECRET);
	/* key id, first and last ciphertext byte, first and last tag byte */
	size_t at[] = { 24, 27, 28, 28 + n - 1, 28 + n, 28 + n + 15 };
	sam_frame_info info;
	ssize_t len;
	size_t i;

	len = seal(p.tx, SECRET, frame);
	for (i = 0; i < SAM_COUNTOF(at); i++)
	{
		frame[at[i]] ^= 0x01;
		ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info),
						 SAM_E_BAD_AUTH);
		frame[at[i]] ^= 0x01;
	}
	ck_assert_uint_eq(sam_get_rejected(p.rx, SAM_E_BAD_AUTH), SAM_COUNTOF(at));
	ck_assert_uint_eq(sam_get_rejected(p.rx, SAM_E_DECRYPT), 0);
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info), SAM_OK);
	free_pair(&p);
}
END_TEST

/* a sender that signs as itself but encrypts under another key with the
 * right id: authentic, yet it does not decrypt */
START_TEST(test_insider_wrong_key)
{
	static uint8_t frame[SAM_MAX_FRAME];
	struct pair p = make_pair(SAM_SCHEME_ED25519, 1);
	sam_frame_info info;
	ssize_t len;

	ck_assert_int_eq(sam_remove_data_key(p.tx, KEY_ID), SAM_OK);
	add_key(p.tx, KEY_ID, 0x99);
	len = seal(p.tx, SECRET, frame);
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info),
					 SAM_E_DECRYPT);
	ck_assert_uint_eq(sam_get_rejected(p.rx, SAM_E_DECRYPT), 1);
	/* not marked: the genuine frame with that number still opens */
	ck_assert_int_eq(sam_remove_data_key(p.tx, KEY_ID), SAM_OK);
	add_key(p.tx, KEY_ID, 0x40);
	ck_assert_int_eq(sam_set_source(p.tx, TV_SOURCE, 1), SAM_OK);
	len = seal(p.tx, SECRET, frame);
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info), SAM_OK);
	free_pair(&p);
}
END_TEST

START_TEST(test_unknown_key_not_marked)
{
	static uint8_t frame[SAM_MAX_FRAME];
	struct pair p = make_pair(SAM_SCHEME_ED25519, 1);
	sam_frame_info info;
	ssize_t len;

	add_key(p.tx, 8, 0x60);
	len = seal(p.tx, SECRET, frame);
	ck_assert_mem_eq(frame + 24, "\0\0\0\10", 4);
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info),
					 SAM_E_DATA_KEY);
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info),
					 SAM_E_DATA_KEY);
	ck_assert_uint_eq(sam_get_rejected(p.rx, SAM_E_DATA_KEY), 2);
	/* the window was not moved: with the key the same frame opens */
	add_key(p.rx, 8, 0x60);
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info), SAM_OK);
	ck_assert_mem_eq(info.payload, SECRET, strlen(SECRET));
	/* a receiver that never had a data key at all */
	sam_ctx_free(p.rx);
	p.rx = keyless_receiver();
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info),
					 SAM_E_DATA_KEY);
	free_pair(&p);
}
END_TEST

START_TEST(test_required_cleartext)
{
	static uint8_t frame[SAM_MAX_FRAME];
	struct pair p = make_pair(SAM_SCHEME_ED25519, 1);
	sam_frame_info info;
	ssize_t len;

	/* a context that holds no key seals in clear */
	ck_assert_int_eq(sam_remove_data_key(p.tx, KEY_ID), SAM_OK);
	len = seal(p.tx, SECRET, frame);
	ck_assert_uint_eq(frame[3], 0);
	ck_assert(contains(frame, (size_t)len, SECRET));
	ck_assert_int_eq(sam_require_encryption(p.rx, 1), SAM_OK);
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info),
					 SAM_E_CLEARTEXT);
	/* before the source is looked up: no key or signature work */
	frame[8] ^= 0xff;
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info),
					 SAM_E_CLEARTEXT);
	/* but after the session check */
	frame[4] ^= 0xff;
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info),
					 SAM_E_SESSION);
	frame[4] ^= 0xff;
	frame[8] ^= 0xff;
	ck_assert_uint_eq(sam_get_rejected(p.rx, SAM_E_CLEARTEXT), 2);
	/* not required, the same frame is taken (mixed groups) */
	ck_assert_int_eq(sam_require_encryption(p.rx, 0), SAM_OK);
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info), SAM_OK);
	ck_assert_mem_eq(info.payload, SECRET, strlen(SECRET));
	ck_assert(info.payload == frame + SAM_HEADER_SIZE);
	ck_assert_int_eq(sam_require_encryption(NULL, 1), SAM_E_INVAL);
	free_pair(&p);
}
END_TEST

START_TEST(test_required_no_key_seal)
{
	static uint8_t frame[SAM_MAX_FRAME];
	struct pair p = make_pair(SAM_SCHEME_ED25519, 1);
	uint64_t seq;

	ck_assert_int_eq(sam_require_encryption(p.tx, 1), SAM_OK);
	ck_assert_int_eq(sam_remove_data_key(p.tx, KEY_ID), SAM_OK);
	seq = sam_next_seq(p.tx);
	ck_assert_int_eq(sam_seal(p.tx, SECRET, strlen(SECRET), frame,
							  sizeof(frame)), SAM_E_DATA_KEY);
	ck_assert_int_eq(sam_frame_size(p.tx, 10), SAM_E_DATA_KEY);
	ck_assert_uint_eq(sam_next_seq(p.tx), seq);
	ck_assert(!contains(frame, sizeof(frame), SECRET));
	/* with a key again it seals */
	add_key(p.tx, KEY_ID, 0x40);
	ck_assert_int_gt(seal(p.tx, SECRET, frame), 0);
	free_pair(&p);
}
END_TEST

START_TEST(test_rotation)
{
	static uint8_t old_frame[SAM_MAX_FRAME], new_frame[SAM_MAX_FRAME];
	struct pair p = make_pair(SAM_SCHEME_ED25519, 1);
	sam_frame_info info;
	ssize_t old_len, new_len;

	old_len = seal(p.tx, "under the old key", old_frame);
	/* the group rotates: the new key seals, the old one still opens */
	add_key(p.tx, 9, 0x70);
	add_key(p.rx, 9, 0x70);
	new_len = seal(p.tx, "under the new key", new_frame);
	ck_assert_mem_eq(new_frame + 24, "\0\0\0\11", 4);
	ck_assert_int_eq(sam_open(p.rx, new_frame, (size_t)new_len, &info),
					 SAM_OK);
	ck_assert_mem_eq(info.payload, "under the new key", 17);
	ck_assert_int_eq(sam_open(p.rx, old_frame, (size_t)old_len, &info),
					 SAM_OK);
	ck_assert_mem_eq(info.payload, "under the old key", 17);
	/* once the old key is removed, its frames no longer open */
	ck_assert_int_eq(sam_set_source(p.tx, TV_SOURCE, 100), SAM_OK);
	ck_assert_int_eq(sam_remove_data_key(p.tx, 9), SAM_OK);
	old_len = seal(p.tx, "under the old key", old_frame);
	ck_assert_mem_eq(old_frame + 24, "\0\0\0\7", 4);
	ck_assert_int_eq(sam_remove_data_key(p.rx, KEY_ID), SAM_OK);
	ck_assert_int_eq(sam_open(p.rx, old_frame, (size_t)old_len, &info),
					 SAM_E_DATA_KEY);
	ck_assert_int_eq(sam_remove_data_key(p.rx, KEY_ID), SAM_E_DATA_KEY);
	ck_assert_int_eq(sam_remove_data_key(NULL, KEY_ID), SAM_E_INVAL);
	free_pair(&p);
}
END_TEST

/** The id of the key ctx seals with now, from a frame it seals */
static uint32_t sealing_id(sam_ctx *ctx)
{
	static uint8_t frame[SAM_MAX_FRAME];

	seal(ctx, "x", frame);
	return ((uint32_t)frame[24] << 24) | ((uint32_t)frame[25] << 16) |
		   ((uint32_t)frame[26] << 8) | frame[27];
}

START_TEST(test_fifth_key_drops_oldest)
{
	struct pair p = make_pair(SAM_SCHEME_HMAC_SHA256, 1);
	uint32_t id;

	for (id = 2; id <= SAM_MAX_DATA_KEYS; id++)
	{
		add_key(p.tx, id, (uint8_t)id);
	}
	ck_assert_uint_eq(p.tx->crypt.nkeys, SAM_MAX_DATA_KEYS);
	ck_assert_uint_eq(sealing_id(p.tx), SAM_MAX_DATA_KEYS);
	/* the fifth: KEY_ID, added first, goes and is wiped */
	add_key(p.tx, 100, 0x10);
	ck_assert_uint_eq(p.tx->crypt.nkeys, SAM_MAX_DATA_KEYS);
	ck_assert_uint_eq(sealing_id(p.tx), 100);
	ck_assert_int_eq(sam_remove_data_key(p.tx, KEY_ID), SAM_E_DATA_KEY);
	ck_assert_int_eq(sam_remove_data_key(p.tx, 2), SAM_OK);
	free_pair(&p);
}
END_TEST

START_TEST(test_readd)
{
	struct pair p = make_pair(SAM_SCHEME_HMAC_SHA256, 1);
	uint8_t short_key[16] = { 0 };

	add_key(p.tx, 8, 0x60);
	ck_assert_uint_eq(sealing_id(p.tx), 8);
	/* the same id with the same key: seals again, no second copy */
	add_key(p.tx, KEY_ID, 0x40);
	ck_assert_uint_eq(sealing_id(p.tx), KEY_ID);
	ck_assert_uint_eq(p.tx->crypt.nkeys, 2);
	/* the same id with another key */
	ck_assert_int_eq(sam_add_data_key(p.tx, KEY_ID, data_key(0x41),
									  SAM_DATA_KEY_SIZE), SAM_E_EXISTS);
	ck_assert_uint_eq(sealing_id(p.tx), KEY_ID);
	ck_assert_int_eq(sam_add_data_key(p.tx, 0, data_key(1),
									  SAM_DATA_KEY_SIZE), SAM_E_INVAL);
	ck_assert_int_eq(sam_add_data_key(p.tx, 3, short_key,
									  sizeof(short_key)), SAM_E_INVAL);
	ck_assert_int_eq(sam_add_data_key(p.tx, 3, NULL, SAM_DATA_KEY_SIZE),
					 SAM_E_INVAL);
	ck_assert_int_eq(sam_add_data_key(NULL, 3, data_key(1),
									  SAM_DATA_KEY_SIZE), SAM_E_INVAL);
	ck_assert_uint_eq(p.tx->crypt.nkeys, 2);
	/* removing the sealing key: the one before it seals */
	ck_assert_int_eq(sam_remove_data_key(p.tx, KEY_ID), SAM_OK);
	ck_assert_uint_eq(sealing_id(p.tx), 8);
	free_pair(&p);
}
END_TEST

START_TEST(test_frame_size)
{
	static uint8_t frame[SAM_MAX_FRAME];
	struct pair p = make_pair(SAM_SCHEME_ED25519, 1);
	size_t max = SAM_MAX_FRAME - SAM_HEADER_SIZE - SAM_SEAL_OVERHEAD - 64;

	ck_assert_int_eq(sam_frame_size(p.tx, 10),
					 SAM_HEADER_SIZE + SAM_SEAL_OVERHEAD + 10 + 64);
	ck_assert_int_eq(sam_frame_size(p.tx, max), SAM_MAX_FRAME);
	ck_assert_int_eq(sam_frame_size(p.tx, max + 1), SAM_E_TOOBIG);
	ck_assert_int_eq(sam_seal(p.tx, frame, max + 1, frame, sizeof(frame)),
					 SAM_E_TOOBIG);
	ck_assert_int_eq(sam_seal(p.tx, frame, 10, frame,
							  SAM_HEADER_SIZE + SAM_SEAL_OVERHEAD + 10 + 63),
					 SAM_E_BUFSIZE);
	memset(frame, 'a', max);
	ck_assert_int_eq(sam_seal(p.tx, frame, max, frame, sizeof(frame)),
					 SAM_MAX_FRAME);
	/* without a key, no overhead */
	ck_assert_int_eq(sam_remove_data_key(p.tx, KEY_ID), SAM_OK);
	ck_assert_int_eq(sam_frame_size(p.tx, 10), SAM_HEADER_SIZE + 10 + 64);
	free_pair(&p);
}
END_TEST

/* the syntactic checks of an encrypted frame's shape */
START_TEST(test_malformed)
{
	static uint8_t frame[SAM_MAX_FRAME];
	struct pair p = make_pair(SAM_SCHEME_HMAC_SHA256, 1);
	sam_frame_info info;
	ssize_t len;

	len = seal(p.tx, "", frame);
	/* another flag bit */
	frame[3] |= 0x02;
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info),
					 SAM_E_MALFORMED);
	frame[3] = 0x81;
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info),
					 SAM_E_MALFORMED);
	frame[3] = 0x01;
	frame[2] = 0x80;
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info),
					 SAM_E_MALFORMED);
	frame[2] = 0;
	/* a payload field too short for key id and tag: 19 bytes, the
	 * authenticator one longer so the total still adds up */
	frame[21] = 19;
	frame[23] = 33;
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info),
					 SAM_E_MALFORMED);
	frame[21] = 20;
	frame[23] = 32;
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info), SAM_OK);
	free_pair(&p);
}
END_TEST

/* ---- a keeper that brings the key ---------------------------------------- */

static unsigned int refreshes;

static int keeper_refresh(sam_ctx *ctx, int urgent)
{
	if (!urgent)
	{
		return SAM_PENDING;
	}
	refreshes++;
	ck_assert_int_eq(sam_add_data_key(ctx, 8, data_key(0x60),
									  SAM_DATA_KEY_SIZE), SAM_OK);
	return SAM_OK;
}

static void keeper_free(sam_ctx *ctx)
{
	(void)ctx;
}

static const struct sam_keeper_ops fake_keeper = {
	.refresh = keeper_refresh,
	.free = keeper_free,
};

START_TEST(test_keeper_brings_key)
{
	static uint8_t frame[SAM_MAX_FRAME];
	struct pair p = make_pair(SAM_SCHEME_ED25519, 1);
	sam_frame_info info;
	ssize_t len;

	refreshes = 0;
	add_key(p.tx, 8, 0x60);
	len = seal(p.tx, SECRET, frame);
	p.rx->keeper = &fake_keeper;
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info), SAM_OK);
	ck_assert_uint_eq(refreshes, 1);
	ck_assert_mem_eq(info.payload, SECRET, strlen(SECRET));
	/* known now: no second call */
	len = seal(p.tx, SECRET, frame);
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info), SAM_OK);
	ck_assert_uint_eq(refreshes, 1);
	/* a forgery never makes it ask */
	len = seal(p.tx, SECRET, frame);
	frame[30] ^= 1;
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info),
					 SAM_E_BAD_AUTH);
	ck_assert_uint_eq(refreshes, 1);
	free_pair(&p);
}
END_TEST

/* a receiver that had no data key before the keeper's: the plaintext
 * buffer comes with the first key */
START_TEST(test_keeper_first_key)
{
	static uint8_t frame[SAM_MAX_FRAME];
	struct pair p = make_pair(SAM_SCHEME_ED25519, 1);
	sam_frame_info info;
	ssize_t len;

	refreshes = 0;
	add_key(p.tx, 8, 0x60);
	len = seal(p.tx, SECRET, frame);
	sam_ctx_free(p.rx);
	p.rx = keyless_receiver();
	p.rx->keeper = &fake_keeper;
	ck_assert_int_eq(sam_open(p.rx, frame, (size_t)len, &info), SAM_OK);
	ck_assert_uint_eq(refreshes, 1);
	ck_assert_mem_eq(info.payload, SECRET, strlen(SECRET));
	free_pair(&p);
}
END_TEST

/* ---- sam_readfrom(): the plaintext lands in the caller's buffer ----------- */

struct one_frame {
	const uint8_t *frame;
	size_t len;
	int calls;
};

static ssize_t one_read(void *io, void *buf, size_t len)
{
	struct one_frame *o = io;

	if (o->calls++)
	{
		errno = EIO;
		return -1;
	}
	ck_assert_uint_le(o->len, len);
	memcpy(buf, o->frame, o->len);
	return (ssize_t)o->len;
}

START_TEST(test_readfrom)
{
	static uint8_t frame[SAM_MAX_FRAME];
	struct pair p = make_pair(SAM_SCHEME_ED25519, 1);
	struct one_frame o = { .frame = frame };
	sam_io_ops ops = { .read = one_read, .io = &o };
	sam_frame_info info;
	char buf[64];
	ssize_t n;

	o.len = (size_t)seal(p.tx, SECRET, frame);
	ck_assert_int_eq(sam_set_io(p.rx, &ops), SAM_OK);
	ck_assert_int_eq(sam_require_encryption(p.rx, 1), SAM_OK);
	n = sam_readfrom(p.rx, buf, sizeof(buf), &info, NULL, NULL);
	ck_assert_int_eq(n, strlen(SECRET));
	ck_assert_mem_eq(buf, SECRET, strlen(SECRET));
	ck_assert_ptr_eq(info.payload, buf);
	ck_assert_uint_eq(info.payload_len, strlen(SECRET));
	free_pair(&p);
}
END_TEST

Suite *suite_encrypt(void)
{
	Suite *s = suite_create("encrypt");
	TCase *tc = tcase_create("encrypt");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_round_trip_ed25519);
	tcase_add_test(tc, test_round_trip_hybrid);
	tcase_add_test(tc, test_round_trip_hmac);
	tcase_add_test(tc, test_round_trip_ed25519_oo);
	tcase_add_test(tc, test_bit_flip_bad_auth);
	tcase_add_test(tc, test_insider_wrong_key);
	tcase_add_test(tc, test_unknown_key_not_marked);
	tcase_add_test(tc, test_required_cleartext);
	tcase_add_test(tc, test_required_no_key_seal);
	tcase_add_test(tc, test_rotation);
	tcase_add_test(tc, test_fifth_key_drops_oldest);
	tcase_add_test(tc, test_readd);
	tcase_add_test(tc, test_frame_size);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_keeper_brings_key);
	tcase_add_test(tc, test_keeper_first_key);
	tcase_add_test(tc, test_readfrom);
	suite_add_tcase(s, tc);
	return s;
}
