/*
 * Sender bootstraps (bootstrap.c, docs/sam-bootstrap.md): sealing and
 * opening the envelope, its checks in their order, the limits, and the
 * label that keeps bootstraps and frames apart.
 */

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "test_common.h"

#define HDR 22
#define SIG 64
#define LABEL "SAM bootstrap v1"
#define BODY "hello, bootstrap"
/** the test clock, ms since the epoch */
#define ISSUED UINT64_C(1700000000000)

static uint64_t fixed_clock(void *user)
{
	return *(const uint64_t *)user;
}

static uint64_t now = ISSUED;

/** A sender of TV_SESSION with source id and key on the fixed clock */
static sam_ctx *boot_sender(uint32_t source, const sam_key *key)
{
	sam_ctx *ctx = tc_sender(source, 1, key);

	ck_assert_int_eq(sam_set_clock(ctx, fixed_clock, &now), SAM_OK);
	return ctx;
}

/** The public half of key, for scheme */
static sam_key *public_of(const sam_key *key, sam_scheme scheme)
{
	char pem[512];
	sam_key *pub;

	ck_assert_int_gt(sam_key_to_pem(key, 0, pem, sizeof(pem)), 0);
	pub = tc_key(pem);
	ck_assert_int_eq(sam_key_set_scheme(pub, scheme), SAM_OK);
	return pub;
}

/** A receiver of TV_SESSION that knows source by key's public half */
static sam_ctx *boot_receiver(uint32_t source, const sam_key *key)
{
	sam_ctx *ctx = tc_ctx();
	sam_key *pub = public_of(key, sam_key_scheme(key));

	ck_assert_int_eq(sam_add_source(ctx, source, pub), SAM_OK);
	sam_key_free(pub);
	return ctx;
}

/** A key, a sender with it and a receiver that knows the sender */
struct pair {
	sam_key *key;
	sam_ctx *tx, *rx;
};

static void pair_new(struct pair *p, const char *pem)
{
	p->key = tc_key(pem);
	p->tx = boot_sender(TV_SOURCE, p->key);
	p->rx = boot_receiver(TV_SOURCE, p->key);
}

static void pair_free(struct pair *p)
{
	sam_ctx_free(p->tx);
	sam_ctx_free(p->rx);
	sam_key_free(p->key);
}

static ssize_t seal(sam_ctx *tx, const char *body, uint8_t *out)
{
	ssize_t len;

	len = sam_bootstrap_seal(tx, body, strlen(body), out, SAM_MAX_BOOTSTRAP);
	ck_assert_int_eq(len, HDR + (ssize_t)strlen(body) + SIG);
	return len;
}

static int open_blob(sam_ctx *rx, const uint8_t *blob, size_t len)
{
	const uint8_t *body;
	size_t body_len;
	uint32_t source;

	return sam_bootstrap_open(rx, blob, len, &source, &body, &body_len, NULL);
}

/** Seal under a key of scheme, open it, check every field */
static void round_trip(sam_key *key, sam_scheme scheme)
{
	uint8_t blob[SAM_MAX_BOOTSTRAP];
	const uint8_t *body;
	size_t body_len;
	uint32_t source = 0;
	uint64_t issued = 0;
	sam_ctx *tx, *rx;
	ssize_t len;

	ck_assert_int_eq(sam_key_set_scheme(key, scheme), SAM_OK);
	tx = boot_sender(TV_SOURCE, key);
	rx = boot_receiver(TV_SOURCE, key);
	len = seal(tx, BODY, blob);
	ck_assert_uint_eq(blob[0], 1);
	ck_assert_uint_eq(blob[1], sam_scheme_wire_id(scheme));
	ck_assert_uint_eq(blob[2] | blob[3], 0);
	ck_assert_int_eq(sam_bootstrap_open(rx, blob, (size_t)len, &source,
										&body, &body_len, &issued), SAM_OK);
	ck_assert_uint_eq(source, TV_SOURCE);
	ck_assert_uint_eq(issued, ISSUED);
	ck_assert_uint_eq(body_len, strlen(BODY));
	ck_assert_ptr_eq(body, blob + HDR);
	ck_assert_mem_eq(body, BODY, body_len);
	/* sealing uses no sequence number */
	ck_assert_uint_eq(sam_next_seq(tx), 1);
	/* an empty body, too */
	len = sam_bootstrap_seal(tx, NULL, 0, blob, sizeof(blob));
	ck_assert_int_eq(len, HDR + SIG);
	ck_assert_int_eq(sam_bootstrap_open(rx, blob, (size_t)len, &source,
										&body, &body_len, NULL), SAM_OK);
	ck_assert_uint_eq(body_len, 0);
	sam_ctx_free(tx);
	sam_ctx_free(rx);
}

START_TEST(test_boot_round_trip)
{
	sam_key *key;

	key = tc_key(TV_ED25519_KEY);
	round_trip(key, SAM_SCHEME_ED25519);
	round_trip(key, SAM_SCHEME_ED25519_OO);
	round_trip(key, SAM_SCHEME_HYBRID);
	sam_key_free(key);
	key = tc_key(TV_ECDSA_KEY);
	round_trip(key, SAM_SCHEME_ECDSA_P256);
	sam_key_free(key);
	ck_assert_int_eq(sam_key_generate(SAM_SCHEME_HYBRID, &key), SAM_OK);
	round_trip(key, SAM_SCHEME_HYBRID);
	sam_key_free(key);
}
END_TEST

/** Every bit of the envelope matters, for both signatures */
static void bit_flips(const char *pem)
{
	uint8_t blob[SAM_MAX_BOOTSTRAP];
	struct pair p;
	ssize_t len;
	size_t i;
	int bit, rc;

	pair_new(&p, pem);
	len = seal(p.tx, BODY, blob);
	ck_assert_int_eq(open_blob(p.rx, blob, (size_t)len), SAM_OK);
	for (i = 0; i < (size_t)len; i++)
	{
		for (bit = 0; bit < 8; bit++)
		{
			blob[i] ^= (uint8_t)(1 << bit);
			rc = open_blob(p.rx, blob, (size_t)len);
			ck_assert_msg(rc != SAM_OK, "byte %zu bit %d flipped accepted",
						  i, bit);
			blob[i] ^= (uint8_t)(1 << bit);
		}
	}
	ck_assert_int_eq(open_blob(p.rx, blob, (size_t)len), SAM_OK);
	pair_free(&p);
}

START_TEST(test_boot_bit_flips)
{
	bit_flips(TV_ED25519_KEY);
	bit_flips(TV_ECDSA_KEY);
}
END_TEST

START_TEST(test_boot_lengths)
{
	uint8_t blob[SAM_MAX_BOOTSTRAP + 1];
	struct pair p;
	ssize_t len;
	size_t i;

	pair_new(&p, TV_ED25519_KEY);
	len = seal(p.tx, BODY, blob);
	/* every truncation */
	for (i = 0; i < (size_t)len; i++)
	{
		ck_assert_msg(open_blob(p.rx, blob, i) == SAM_E_MALFORMED,
					  "truncated to %zu", i);
	}
	/* a byte more */
	blob[len] = 0;
	ck_assert_int_eq(open_blob(p.rx, blob, (size_t)len + 1), SAM_E_MALFORMED);
	/* a body length beyond the limit, the length to match */
	blob[20] = 0;
	blob[21] = SAM_MAX_BOOTSTRAP_BODY + 1;
	ck_assert_int_eq(open_blob(p.rx, blob, HDR + SAM_MAX_BOOTSTRAP_BODY + 1 +
							   SIG), SAM_E_MALFORMED);
	/* the version is checked first, then the reserved bytes */
	len = seal(p.tx, BODY, blob);
	blob[0] = 2;
	ck_assert_int_eq(open_blob(p.rx, blob, (size_t)len), SAM_E_VERSION);
	blob[0] = 1;
	blob[3] = 1;
	ck_assert_int_eq(open_blob(p.rx, blob, (size_t)len), SAM_E_MALFORMED);
	pair_free(&p);
}
END_TEST

START_TEST(test_boot_senders)
{
	uint8_t blob[SAM_MAX_BOOTSTRAP];
	sam_key *a = tc_key(TV_ED25519_KEY), *b = NULL, *pub, *ec, *group;
	sam_ctx *ta, *forger, *rx, *other, *none;
	ssize_t len;

	ck_assert_int_eq(sam_key_generate(SAM_SCHEME_ED25519, &b), SAM_OK);
	ta = boot_sender(3, a);
	/* a sender that claims source 17 with its own key */
	forger = boot_sender(17, a);
	rx = boot_receiver(3, a);
	pub = public_of(b, SAM_SCHEME_ED25519);
	ck_assert_int_eq(sam_add_source(rx, 17, pub), SAM_OK);
	sam_key_free(pub);

	len = seal(ta, BODY, blob);
	ck_assert_int_eq(open_blob(rx, blob, (size_t)len), SAM_OK);
	len = seal(forger, BODY, blob);
	ck_assert_int_eq(open_blob(rx, blob, (size_t)len), SAM_E_BAD_AUTH);

	/* another session, an unknown source, no session */
	len = seal(ta, BODY, blob);
	other = tc_ctx();
	ck_assert_int_eq(sam_set_session(other, TV_SESSION + 1), SAM_OK);
	pub = public_of(a, SAM_SCHEME_ED25519);
	ck_assert_int_eq(sam_add_source(other, 3, pub), SAM_OK);
	ck_assert_int_eq(open_blob(other, blob, (size_t)len), SAM_E_SESSION);
	sam_ctx_free(other);
	other = boot_receiver(4, a);
	ck_assert_int_eq(open_blob(other, blob, (size_t)len),
					 SAM_E_UNKNOWN_SOURCE);
	sam_ctx_free(other);
	ck_assert_int_eq(sam_ctx_new(NULL, &none), SAM_OK);
	ck_assert_int_eq(open_blob(none, blob, (size_t)len), SAM_E_NOSESSION);
	ck_assert_int_eq(sam_bootstrap_seal(none, "x", 1, blob, sizeof(blob)),
					 SAM_E_NOKEY);
	ck_assert_int_eq(sam_set_source(none, 3, 1), SAM_OK);
	ck_assert_int_eq(sam_set_signing_key(none, a), SAM_OK);
	ck_assert_int_eq(sam_bootstrap_seal(none, "x", 1, blob, sizeof(blob)),
					 SAM_E_NOSESSION);
	sam_ctx_free(none);

	/* the source is registered with another scheme */
	len = seal(ta, BODY, blob);
	other = tc_ctx();
	ec = tc_key(TV_ECDSA_PUB);
	ck_assert_int_eq(sam_add_source(other, 3, ec), SAM_OK);
	ck_assert_int_eq(open_blob(other, blob, (size_t)len), SAM_E_SCHEME);
	sam_ctx_free(other);
	other = tc_ctx();
	ck_assert_int_eq(sam_key_set_scheme(pub, SAM_SCHEME_HYBRID), SAM_OK);
	ck_assert_int_eq(sam_add_source(other, 3, pub), SAM_OK);
	ck_assert_int_eq(open_blob(other, blob, (size_t)len), SAM_E_SCHEME);
	sam_ctx_free(other);
	/* a group MAC: no bootstrap either way */
	group = tc_group_key();
	other = tc_ctx();
	ck_assert_int_eq(sam_add_source(other, 3, group), SAM_OK);
	ck_assert_int_eq(open_blob(other, blob, (size_t)len), SAM_E_SCHEME);
	sam_ctx_free(other);
	other = boot_sender(3, group);
	ck_assert_int_eq(sam_bootstrap_seal(other, "x", 1, blob, sizeof(blob)),
					 SAM_E_SCHEME);
	sam_ctx_free(other);

	sam_ctx_free(ta);
	sam_ctx_free(forger);
	sam_ctx_free(rx);
	sam_key_free(a);
	sam_key_free(b);
	sam_key_free(ec);
	sam_key_free(pub);
	sam_key_free(group);
}
END_TEST

START_TEST(test_boot_limits)
{
	uint8_t body[SAM_MAX_BOOTSTRAP_BODY + 1], blob[SAM_MAX_BOOTSTRAP + 8];
	const uint8_t *got;
	struct pair p;
	size_t got_len;
	uint32_t source;

	ck_assert_int_eq(SAM_MAX_BOOTSTRAP, 256);
	ck_assert_int_eq(SAM_MAX_BOOTSTRAP_BODY, 256 - HDR - SIG);
	memset(body, 'b', sizeof(body));
	pair_new(&p, TV_ECDSA_KEY);
	ck_assert_int_eq(sam_bootstrap_seal(p.tx, body, SAM_MAX_BOOTSTRAP_BODY,
										blob, SAM_MAX_BOOTSTRAP),
					 SAM_MAX_BOOTSTRAP);
	ck_assert_int_eq(sam_bootstrap_open(p.rx, blob, SAM_MAX_BOOTSTRAP, &source,
										&got, &got_len, NULL), SAM_OK);
	ck_assert_uint_eq(got_len, SAM_MAX_BOOTSTRAP_BODY);
	ck_assert_int_eq(sam_bootstrap_seal(p.tx, body, SAM_MAX_BOOTSTRAP_BODY + 1,
										blob, sizeof(blob)), SAM_E_TOOBIG);
	ck_assert_int_eq(sam_bootstrap_seal(p.tx, body, SAM_MAX_BOOTSTRAP_BODY,
										blob, SAM_MAX_BOOTSTRAP - 1),
					 SAM_E_BUFSIZE);
	ck_assert_int_eq(sam_bootstrap_seal(p.tx, body, 1, blob, HDR + 1 + SIG),
					 HDR + 1 + SIG);
	/* sealing in place */
	memcpy(blob + HDR, "in place", 8);
	ck_assert_int_eq(sam_bootstrap_seal(p.tx, blob + HDR, 8, blob,
										sizeof(blob)), HDR + 8 + SIG);
	ck_assert_int_eq(sam_bootstrap_open(p.rx, blob, HDR + 8 + SIG, &source,
										&got, &got_len, NULL), SAM_OK);
	ck_assert_mem_eq(got, "in place", 8);
	/* arguments */
	ck_assert_int_eq(sam_bootstrap_seal(NULL, body, 1, blob, sizeof(blob)),
					 SAM_E_INVAL);
	ck_assert_int_eq(sam_bootstrap_seal(p.tx, NULL, 1, blob, sizeof(blob)),
					 SAM_E_INVAL);
	ck_assert_int_eq(sam_bootstrap_seal(p.tx, body, 1, NULL, sizeof(blob)),
					 SAM_E_INVAL);
	ck_assert_int_eq(sam_bootstrap_open(NULL, blob, 10, &source, &got,
										&got_len, NULL), SAM_E_INVAL);
	ck_assert_int_eq(sam_bootstrap_open(p.rx, NULL, 10, &source, &got,
										&got_len, NULL), SAM_E_INVAL);
	ck_assert_int_eq(sam_bootstrap_open(p.rx, blob, 10, NULL, &got,
										&got_len, NULL), SAM_E_INVAL);
	ck_assert_int_eq(sam_bootstrap_open(p.rx, blob, 10, &source, NULL,
										&got_len, NULL), SAM_E_INVAL);
	ck_assert_int_eq(sam_bootstrap_open(p.rx, blob, 10, &source, &got,
										NULL, NULL), SAM_E_INVAL);
	ck_assert_int_eq(sam_bootstrap_open(p.rx, NULL, 0, &source, &got,
										&got_len, NULL), SAM_E_MALFORMED);
	pair_free(&p);
}
END_TEST

/** Sign msg with the PEM private key the way libsam signs frames */
static size_t sign_raw(const char *pem, const uint8_t *msg, size_t len,
					   uint8_t *sig)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t siglen = SIG;

	ck_assert_ptr_nonnull(pkey);
	ck_assert_int_eq(EVP_DigestSignInit(md, NULL, NULL, NULL, pkey), 1);
	ck_assert_int_eq(EVP_DigestSign(md, sig, &siglen, msg, len), 1);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	return siglen;
}

START_TEST(test_boot_label)
{
	uint8_t blob[SAM_MAX_BOOTSTRAP], msg[16 + SAM_MAX_BOOTSTRAP];
	sam_frame_info info;
	struct pair p;
	ssize_t len;
	size_t unsigned_len;

	pair_new(&p, TV_ED25519_KEY);
	len = seal(p.tx, BODY, blob);
	unsigned_len = (size_t)len - SIG;

	/* the signature is over the label and the envelope, nothing else */
	ck_assert_uint_eq(strlen(LABEL), 16);
	memcpy(msg, LABEL, 16);
	memcpy(msg + 16, blob, unsigned_len);
	ck_assert_uint_eq(sign_raw(TV_ED25519_KEY, msg, 16 + unsigned_len,
							   msg + 16 + unsigned_len), SIG);
	ck_assert_mem_eq(msg + 16 + unsigned_len, blob + unsigned_len, SIG);

	/* the same key's signature over the envelope without the label, as a
	 * frame signer would make it, is no bootstrap's */
	sign_raw(TV_ED25519_KEY, blob, unsigned_len, blob + unsigned_len);
	ck_assert_int_eq(open_blob(p.rx, blob, (size_t)len), SAM_E_BAD_AUTH);

	/* and the other way round: what a bootstrap signature covers starts
	 * with the label, which no frame can (its first byte is the frame
	 * version, 'S' is not), and the envelope itself is no frame */
	len = seal(p.tx, BODY, blob);
	memcpy(msg + 16, blob, (size_t)len);
	ck_assert_int_eq(sam_open(p.rx, msg, 16 + (size_t)len, &info),
					 SAM_E_VERSION);
	ck_assert_int_ne(sam_open(p.rx, blob, (size_t)len, &info), SAM_OK);
	/* a frame's signed bytes as an envelope do not verify either */
	{
		uint8_t frame[256];
		ssize_t flen = tc_seal(p.tx, frame, sizeof(frame));

		ck_assert_int_ne(open_blob(p.rx, frame, (size_t)flen), SAM_OK);
	}
	pair_free(&p);
}
END_TEST

START_TEST(test_boot_vector)
{
	uint8_t blob[SAM_MAX_BOOTSTRAP], want[SAM_MAX_BOOTSTRAP];
	struct pair p;
	uint64_t saved = now;
	ssize_t len;
	size_t wlen;

	now = TV_BOOTSTRAP_ISSUED;
	pair_new(&p, TV_ED25519_KEY);
	len = seal(p.tx, TV_BOOTSTRAP_BODY, blob);
	wlen = tc_unhex(TV_BOOTSTRAP_ED25519, want, sizeof(want));
	ck_assert_uint_eq((size_t)len, wlen);
	ck_assert_mem_eq(blob, want, wlen);
	ck_assert_int_eq(open_blob(p.rx, want, wlen), SAM_OK);
	now = saved;
	pair_free(&p);
}
END_TEST

Suite *suite_bootstrap(void)
{
	Suite *s = suite_create("bootstrap");
	TCase *tc = tcase_create("envelope");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_boot_round_trip);
	tcase_add_test(tc, test_boot_bit_flips);
	tcase_add_test(tc, test_boot_lengths);
	tcase_add_test(tc, test_boot_senders);
	tcase_add_test(tc, test_boot_limits);
	tcase_add_test(tc, test_boot_label);
	tcase_add_test(tc, test_boot_vector);
	suite_add_tcase(s, tc);
	return s;
}
