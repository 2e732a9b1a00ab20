/*
 * Keys from mike: the parser of the plugin's sam-keys response
 * (mike_client.c), and sam_attach(), sam_refresh() and the keeper
 * (attach.c) against a fake plugin, a thread serving a UNIX socket in a
 * temporary directory.
 */

#define _GNU_SOURCE /* memmem() */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "test_common.h"
#include "mike_client.h"

/* the control protocol, docs/control-socket.md */
#define V1 1
#define T_REQUEST 1
#define T_RESPONSE 2
#define T_ERROR 3
#define E_SECTION 1
#define E_END 2
#define E_KV 3
#define E_LIST 4
#define E_ITEM 5
#define E_LIST_END 6

#define SESSION 0x923d3979
#define SESSION_HEX "923d3979"

#define DENIED "permission denied: uid 65534 is not in local_users of " \
	"group 'news'"
#define NOT_REGISTERED "group 'news' is not registered"

/** a key file that is none */
#define GARBAGE_PEM \
	"-----BEGIN PUBLIC KEY-----\n" \
	"Z2FyYmFnZQ==\n" \
	"-----END PUBLIC KEY-----\n"

/** the test clock starts here, ms since the epoch */
#define T0 UINT64_C(1700000000000)

/* ---- a control message encoder ------------------------------------------ */

/** A control message as it goes over the socket, length field first */
struct msg {
	uint8_t buf[4 + 65536 + 16];
	size_t len;
};

static void msg_raw(struct msg *m, const void *data, size_t len)
{
	ck_assert_uint_le(m->len + len, sizeof(m->buf));
	memcpy(m->buf + m->len, data, len);
	m->len += len;
}

static void msg_byte(struct msg *m, uint8_t b)
{
	msg_raw(m, &b, 1);
}

/** Start a message: room for the length field (msg_len()), version, type */
static void msg_init(struct msg *m, uint8_t version, uint8_t type)
{
	m->len = 4;
	msg_byte(m, version);
	msg_byte(m, type);
}

static void msg_name(struct msg *m, const char *name)
{
	size_t len = strlen(name);

	ck_assert_uint_le(len, 255);
	msg_byte(m, (uint8_t)len);
	msg_raw(m, name, len);
}

static void msg_value(struct msg *m, const void *value, size_t len)
{
	ck_assert_uint_le(len, 65535);
	msg_byte(m, (uint8_t)(len >> 8));
	msg_byte(m, (uint8_t)len);
	msg_raw(m, value, len);
}

static void msg_kv(struct msg *m, const char *name, const char *value)
{
	msg_byte(m, E_KV);
	msg_name(m, name);
	msg_value(m, value, strlen(value));
}

static void msg_section(struct msg *m, const char *name)
{
	msg_byte(m, E_SECTION);
	msg_name(m, name);
}

static void msg_end(struct msg *m)
{
	msg_byte(m, E_END);
}

static void msg_list(struct msg *m, const char *name)
{
	msg_byte(m, E_LIST);
	msg_name(m, name);
}

static void msg_item(struct msg *m, const char *value)
{
	msg_byte(m, E_ITEM);
	msg_value(m, value, strlen(value));
}

static void msg_list_end(struct msg *m)
{
	msg_byte(m, E_LIST_END);
}

/** Set the length field */
static void msg_len(struct msg *m)
{
	size_t len = m->len - 4;

	m->buf[0] = (uint8_t)(len >> 24);
	m->buf[1] = (uint8_t)(len >> 16);
	m->buf[2] = (uint8_t)(len >> 8);
	m->buf[3] = (uint8_t)len;
}

/** A sender as a response lists it; pem NULL: a section without key */
struct src {
	uint32_t id;
	const char *pem;
};

/**
 * A sam-keys response for group news: session, scheme, sources and, if
 * own is not 0 / signing not NULL, this host's source id / signing key;
 * boots: the sources' bootstraps in hex (NULL for none), NULL for none at
 * all
 */
static void msg_keys_boot(struct msg *m, uint32_t session,
						  const char *scheme, const struct src *srcs,
						  const char *const *boots, size_t n, uint32_t own,
						  const char *signing)
{
	char buf[16];
	size_t i;

	msg_init(m, V1, T_RESPONSE);
	msg_kv(m, "group", "news");
	snprintf(buf, sizeof(buf), "%08x", session);
	msg_kv(m, "session", buf);
	msg_kv(m, "scheme", scheme);
	msg_section(m, "sources");
	for (i = 0; i < n; i++)
	{
		snprintf(buf, sizeof(buf), "%u", srcs[i].id);
		msg_section(m, buf);
		if (srcs[i].pem)
		{
			msg_kv(m, "key", srcs[i].pem);
		}
		if (boots && boots[i])
		{
			msg_kv(m, "bootstrap", boots[i]);
		}
		msg_end(m);
	}
	msg_end(m);
	if (own)
	{
		snprintf(buf, sizeof(buf), "%u", own);
		msg_kv(m, "source", buf);
	}
	if (signing)
	{
		msg_kv(m, "signing_key", signing);
	}
}

/** msg_keys_boot() without bootstraps */
static void msg_keys(struct msg *m, uint32_t session, const char *scheme,
					 const struct src *srcs, size_t n, uint32_t own,
					 const char *signing)
{
	msg_keys_boot(m, session, scheme, srcs, NULL, n, own, signing);
}

/** An error response */
static void msg_error(struct msg *m, const char *reason)
{
	msg_init(m, V1, T_ERROR);
	msg_kv(m, "error", reason);
}

/** n sections nested in each other, in the innermost a list if list */
static void msg_deep(struct msg *m, int n, int list)
{
	int i;

	for (i = 0; i < n; i++)
	{
		msg_section(m, "x");
	}
	if (list)
	{
		msg_list(m, "l");
		msg_item(m, "i");
		msg_list_end(m);
	}
	for (i = 0; i < n; i++)
	{
		msg_end(m);
	}
}

/* ---- the parser ---------------------------------------------------------- */

/** Parse m after its length field */
static int parse(struct msg *m, struct sam_mike_keys *keys, char *err,
				 size_t errlen)
{
	return sam_mike_parse_keys(m->buf + 4, m->len - 4, keys, err, errlen);
}

/** Bytes the heap has handed out and not taken back */
static size_t heap_used(void)
{
	return mallinfo2().uordblks;
}

/**
 * What 16 parses of m leave allocated, after 16 that fill the allocator's
 * caches: freed chunks glibc keeps for reuse (up to 7 a size) count as in
 * use, so a single pass may hide a leak and one that leaks nothing seem
 * to; a leak of every pass shows once they are full.  Every parse must
 * return expect; its keys are cleared.  The sanitize build's
 * LeakSanitizer checks the same, exactly.
 */
static ssize_t heap_growth(struct msg *m, int expect)
{
	struct sam_mike_keys keys;
	size_t before = 0;
	int i, rc, wrong = 0;

	for (i = -16; i < 16; i++)
	{
		if (i == 0)
		{
			before = heap_used();
		}
		rc = parse(m, &keys, NULL, 0);
		wrong |= rc != expect;
		if (rc == SAM_OK)
		{
			sam_mike_keys_clear(&keys);
		}
	}
	ck_assert_msg(!wrong, "a parse did not return %d", expect);
	return (ssize_t)(heap_used() - before);
}

static void assert_empty(const struct sam_mike_keys *keys, const char *what)
{
	ck_assert_msg(!keys->sources && !keys->nsources && !keys->signing_pem &&
				  !keys->session && !keys->own_source && !keys->scheme[0],
				  "%s: keys not cleared", what);
}

/** m must be rejected as malformed, with a reason, leaving nothing */
static void assert_malformed(struct msg *m, const char *what)
{
	struct sam_mike_keys keys;
	char err[256] = "";
	ssize_t grown;
	int rc;

	rc = parse(m, &keys, err, sizeof(err));
	ck_assert_msg(rc == SAM_E_MALFORMED, "%s: got %d (%s)", what, rc, err);
	assert_empty(&keys, what);
	ck_assert_msg(err[0], "%s: no reason given", what);
	grown = heap_growth(m, SAM_E_MALFORMED);
	ck_assert_msg(grown == 0, "%s: %zd bytes left allocated", what, grown);
}

/** Parse an error response: it must leave nothing allocated */
static int parse_error(struct msg *m, char *err, size_t errlen)
{
	struct sam_mike_keys keys;
	ssize_t grown;
	int rc;

	rc = parse(m, &keys, err, errlen);
	assert_empty(&keys, "error response");
	grown = heap_growth(m, rc);
	ck_assert_msg(grown == 0, "%zd bytes left allocated", grown);
	return rc;
}

/** m must parse; its keys are cleared again */
static void assert_parses(struct msg *m, const char *what)
{
	struct sam_mike_keys keys;
	char err[256] = "";
	int rc;

	rc = parse(m, &keys, err, sizeof(err));
	ck_assert_msg(rc == SAM_OK, "%s: got %d (%s)", what, rc, err);
	sam_mike_keys_clear(&keys);
}

/**
 * The start of a valid response that has allocated all it can (a
 * sender's key, the signing key), so that what follows tests the
 * clean-up, too
 */
static void prefix(struct msg *m)
{
	msg_init(m, V1, T_RESPONSE);
	msg_kv(m, "session", SESSION_HEX);
	msg_kv(m, "scheme", "ed25519");
	msg_section(m, "sources");
	msg_section(m, "3");
	msg_kv(m, "key", TV_ED25519_PUB);
	msg_end(m);
	msg_section(m, "5");
	msg_kv(m, "key", TV_ECDSA_PUB);
	msg_end(m);
	msg_end(m);
	msg_kv(m, "source", "3");
	msg_kv(m, "signing_key", TV_ED25519_KEY);
}

/* ---- data keys (SAM payload encryption) ---------------------------------- */

#define DK1_HEX "1111111111111111111111111111111111111111111111111111111111111111"
#define DK2_HEX "2222222222222222222222222222222222222222222222222222222222222222"
#define DK3_HEX "3333333333333333333333333333333333333333333333333333333333333333"

/** Append the data key values of an encrypted group to a response */
static void msg_data_keys(struct msg *m, const char *id, const char *hex,
						  const char *prev_id, const char *prev_hex)
{
	msg_kv(m, "encrypt", "yes");
	if (id)
	{
		msg_kv(m, "data_key_id", id);
	}
	if (hex)
	{
		msg_kv(m, "data_key", hex);
	}
	if (prev_id)
	{
		msg_kv(m, "previous_data_key_id", prev_id);
	}
	if (prev_hex)
	{
		msg_kv(m, "previous_data_key", prev_hex);
	}
}

START_TEST(test_parse_data_keys)
{
	struct sam_mike_keys keys;
	struct msg m;
	uint8_t one[32], two[32];
	char err[256];

	memset(one, 0x11, sizeof(one));
	memset(two, 0x22, sizeof(two));
	prefix(&m);
	msg_data_keys(&m, "7", DK1_HEX, "4294967295", DK2_HEX);
	ck_assert_int_eq(heap_growth(&m, SAM_OK), 0);
	ck_assert_int_eq(parse(&m, &keys, err, sizeof(err)), SAM_OK);
	ck_assert_int_eq(keys.encrypt, 1);
	ck_assert_uint_eq(keys.data_keys[0].id, 7);
	ck_assert(keys.data_keys[0].have_key);
	ck_assert_mem_eq(keys.data_keys[0].key, one, sizeof(one));
	ck_assert_uint_eq(keys.data_keys[1].id, 4294967295u);
	ck_assert_mem_eq(keys.data_keys[1].key, two, sizeof(two));
	sam_mike_keys_clear(&keys);
	ck_assert(!keys.data_keys[0].have_key && !keys.data_keys[0].key[0]);

	/* just after the first KEK: no previous key */
	prefix(&m);
	msg_data_keys(&m, "7", DK1_HEX, NULL, NULL);
	ck_assert_int_eq(parse(&m, &keys, err, sizeof(err)), SAM_OK);
	ck_assert_int_eq(keys.encrypt, 1);
	ck_assert_uint_eq(keys.data_keys[1].id, 0);
	ck_assert(!keys.data_keys[1].have_key);
	sam_mike_keys_clear(&keys);

	/* not encrypted, or a plugin that does not say */
	prefix(&m);
	msg_kv(&m, "encrypt", "no");
	ck_assert_int_eq(parse(&m, &keys, err, sizeof(err)), SAM_OK);
	ck_assert_int_eq(keys.encrypt, 0);
	sam_mike_keys_clear(&keys);
	prefix(&m);
	ck_assert_int_eq(parse(&m, &keys, err, sizeof(err)), SAM_OK);
	ck_assert_int_eq(keys.encrypt, -1);
	sam_mike_keys_clear(&keys);

	/* encrypted without a key to seal with: never in the clear */
	prefix(&m);
	msg_data_keys(&m, NULL, NULL, NULL, NULL);
	assert_malformed(&m, "encrypt without a data key");
	prefix(&m);
	msg_data_keys(&m, NULL, NULL, "5", DK2_HEX);
	assert_malformed(&m, "encrypt with a previous key only");
	/* a key without its ID, an ID without its key */
	prefix(&m);
	msg_data_keys(&m, NULL, DK1_HEX, NULL, NULL);
	assert_malformed(&m, "data key without ID");
	prefix(&m);
	msg_data_keys(&m, "7", NULL, NULL, NULL);
	assert_malformed(&m, "data key ID without key");
	prefix(&m);
	msg_data_keys(&m, "7", DK1_HEX, "5", NULL);
	assert_malformed(&m, "previous ID without key");
	/* keys where the group is not encrypted */
	prefix(&m);
	msg_kv(&m, "encrypt", "no");
	msg_kv(&m, "data_key_id", "7");
	msg_kv(&m, "data_key", DK1_HEX);
	assert_malformed(&m, "data key of an unencrypted group");
	/* values */
	prefix(&m);
	msg_data_keys(&m, "0", DK1_HEX, NULL, NULL);
	assert_malformed(&m, "key ID 0");
	prefix(&m);
	msg_data_keys(&m, "4294967296", DK1_HEX, NULL, NULL);
	assert_malformed(&m, "key ID beyond 32 bits");
	prefix(&m);
	msg_data_keys(&m, "7", DK1_HEX "11", NULL, NULL);
	assert_malformed(&m, "data key too long");
	prefix(&m);
	msg_data_keys(&m, "7", "111111", NULL, NULL);
	assert_malformed(&m, "data key too short");
	prefix(&m);
	msg_data_keys(&m, "7",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		NULL, NULL);
	assert_malformed(&m, "data key in uppercase hex");
	prefix(&m);
	msg_data_keys(&m, "7",
		"111111111111111111111111111111111111111111111111111111111111111g",
		NULL, NULL);
	assert_malformed(&m, "data key not hex");
	prefix(&m);
	msg_kv(&m, "encrypt", "maybe");
	assert_malformed(&m, "encrypt neither yes nor no");
	/* repeated: which would count? */
	prefix(&m);
	msg_data_keys(&m, "7", DK1_HEX, NULL, NULL);
	msg_kv(&m, "data_key_id", "8");
	assert_malformed(&m, "data key ID twice");
	prefix(&m);
	msg_data_keys(&m, "7", DK1_HEX, NULL, NULL);
	msg_kv(&m, "data_key", DK2_HEX);
	assert_malformed(&m, "data key twice");
	prefix(&m);
	msg_data_keys(&m, "7", DK1_HEX, NULL, NULL);
	msg_kv(&m, "encrypt", "no");
	assert_malformed(&m, "encrypt twice");
}
END_TEST

START_TEST(test_parse_valid)
{
	static const struct src srcs[] = {
		{ 3, TV_ED25519_PUB },
		{ 4294967295u, TV_ECDSA_PUB },
		{ 1, NULL },
	};
	struct sam_mike_keys keys;
	struct msg m;
	char err[256];

	msg_keys(&m, SESSION, "ed25519", srcs, 3, 3, TV_ED25519_KEY);
	/* sam_mike_keys_clear() frees all of it */
	ck_assert_int_eq(heap_growth(&m, SAM_OK), 0);
	ck_assert_int_eq(parse(&m, &keys, err, sizeof(err)), SAM_OK);
	sam_mike_keys_clear(&keys);
	assert_empty(&keys, "cleared");

	strcpy(err, "stale");
	ck_assert_int_eq(parse(&m, &keys, err, sizeof(err)), SAM_OK);
	ck_assert_str_eq(err, "");
	ck_assert_uint_eq(keys.session, SESSION);
	ck_assert_str_eq(keys.scheme, "ed25519");
	ck_assert_uint_eq(keys.nsources, 3);
	ck_assert_uint_eq(keys.sources[0].id, 3);
	ck_assert_str_eq(keys.sources[0].pem, TV_ED25519_PUB);
	ck_assert_uint_eq(keys.sources[1].id, 4294967295u);
	ck_assert_str_eq(keys.sources[1].pem, TV_ECDSA_PUB);
	/* listed without a key: sam_attach() refuses it */
	ck_assert_uint_eq(keys.sources[2].id, 1);
	ck_assert_ptr_null(keys.sources[2].pem);
	ck_assert_uint_eq(keys.own_source, 3);
	ck_assert_str_eq(keys.signing_pem, TV_ED25519_KEY);
	sam_mike_keys_clear(&keys);

	/* a receiver's answer: no own source, no signing key, no senders */
	msg_keys(&m, 0xffffffff, "ecdsa-p256", NULL, 0, 0, NULL);
	ck_assert_int_eq(parse(&m, &keys, err, sizeof(err)), SAM_OK);
	ck_assert_uint_eq(keys.session, 0xffffffff);
	ck_assert_str_eq(keys.scheme, "ecdsa-p256");
	ck_assert_uint_eq(keys.nsources, 0);
	ck_assert_uint_eq(keys.own_source, 0);
	ck_assert_ptr_null(keys.signing_pem);
	sam_mike_keys_clear(&keys);

	/* no sources section at all, no err buffer */
	msg_init(&m, V1, T_RESPONSE);
	msg_kv(&m, "scheme", "ed25519");
	msg_kv(&m, "session", "00000001");
	ck_assert_int_eq(parse(&m, &keys, NULL, 0), SAM_OK);
	ck_assert_uint_eq(keys.session, 1);
	ck_assert_uint_eq(keys.nsources, 0);
	sam_mike_keys_clear(&keys);
}
END_TEST

START_TEST(test_parse_unknown)
{
	struct sam_mike_keys keys;
	struct msg m;
	char err[256];

	/* what later versions may add is skipped, wherever it is */
	msg_init(&m, V1, T_RESPONSE);
	msg_kv(&m, "future", "x");
	msg_list(&m, "tags");
	msg_item(&m, "a");
	msg_item(&m, "");
	msg_list_end(&m);
	msg_section(&m, "extra");
	/* only the root's session and sources count */
	msg_kv(&m, "session", "zzz");
	msg_kv(&m, "signing_key", "not this one");
	msg_section(&m, "sources");
	msg_section(&m, "0");
	msg_kv(&m, "key", "nor this");
	msg_end(&m);
	msg_end(&m);
	msg_end(&m);
	msg_kv(&m, "session", SESSION_HEX);
	msg_kv(&m, "error", "not an error response");
	msg_kv(&m, "scheme", "ed25519");
	msg_kv(&m, "empty", "");
	msg_section(&m, "sources");
	msg_kv(&m, "count", "1");
	msg_list(&m, "order");
	msg_item(&m, "7");
	msg_list_end(&m);
	msg_section(&m, "7");
	msg_kv(&m, "identity", "gm1.example.org");
	msg_section(&m, "old");
	msg_kv(&m, "key", "not the sender's key");
	msg_end(&m);
	msg_list(&m, "key");
	msg_item(&m, "nor this");
	msg_list_end(&m);
	msg_kv(&m, "key", TV_ED25519_PUB);
	msg_kv(&m, "sam_source", "7");
	msg_end(&m);
	msg_end(&m);
	msg_kv(&m, "group", "news");
	ck_assert_int_eq(parse(&m, &keys, err, sizeof(err)), SAM_OK);
	ck_assert_uint_eq(keys.session, SESSION);
	ck_assert_str_eq(keys.scheme, "ed25519");
	ck_assert_uint_eq(keys.nsources, 1);
	ck_assert_uint_eq(keys.sources[0].id, 7);
	ck_assert_str_eq(keys.sources[0].pem, TV_ED25519_PUB);
	ck_assert_ptr_null(keys.signing_pem);
	ck_assert_uint_eq(keys.own_source, 0);
	sam_mike_keys_clear(&keys);
}
END_TEST

START_TEST(test_parse_limits)
{
	struct sam_mike_keys keys;
	struct msg m;
	char name[16];
	int i;

	/* 16 levels of nesting, a list counting as one */
	prefix(&m);
	msg_deep(&m, 16, 0);
	assert_parses(&m, "16 sections");
	prefix(&m);
	msg_deep(&m, 15, 1);
	assert_parses(&m, "15 sections and a list");
	/* the longest scheme name */
	msg_keys(&m, SESSION, "abcdefghijklmnopqrstuvwxyz01234", NULL, 0, 0,
			 NULL);
	assert_parses(&m, "31 character scheme");
	/* as many senders as there may be */
	msg_init(&m, V1, T_RESPONSE);
	msg_kv(&m, "session", SESSION_HEX);
	msg_kv(&m, "scheme", "ed25519");
	msg_section(&m, "sources");
	for (i = 1; i <= SAM_MIKE_MAX_SOURCES; i++)
	{
		snprintf(name, sizeof(name), "%d", i);
		msg_section(&m, name);
		msg_end(&m);
	}
	msg_end(&m);
	ck_assert_int_eq(parse(&m, &keys, NULL, 0), SAM_OK);
	ck_assert_uint_eq(keys.nsources, SAM_MIKE_MAX_SOURCES);
	ck_assert_uint_eq(keys.sources[SAM_MIKE_MAX_SOURCES - 1].id,
					  SAM_MIKE_MAX_SOURCES);
	sam_mike_keys_clear(&keys);
	/* one more is too many */
	m.len--;
	snprintf(name, sizeof(name), "%d", SAM_MIKE_MAX_SOURCES + 1);
	msg_section(&m, name);
	msg_end(&m);
	msg_end(&m);
	assert_malformed(&m, "too many sources");
}
END_TEST

START_TEST(test_parse_error)
{
	struct msg m;
	char err[256], small[16];

	msg_error(&m, DENIED);
	ck_assert_int_eq(parse_error(&m, err, sizeof(err)), SAM_E_DENIED);
	ck_assert_str_eq(err, DENIED);

	msg_error(&m, "permission denied: sam-keys needs root");
	ck_assert_int_eq(parse_error(&m, err, sizeof(err)), SAM_E_DENIED);
	ck_assert_str_eq(err, "permission denied: sam-keys needs root");

	msg_error(&m, NOT_REGISTERED);
	ck_assert_int_eq(parse_error(&m, err, sizeof(err)), SAM_E_ATTACH);
	ck_assert_str_eq(err, NOT_REGISTERED);

	/* the reason truncated to the buffer, or not written at all */
	msg_error(&m, DENIED);
	ck_assert_int_eq(parse_error(&m, small, sizeof(small)), SAM_E_DENIED);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
	ck_assert_int_eq(strncmp(small, DENIED, sizeof(small) - 1), 0);
	ck_assert_int_eq(parse_error(&m, NULL, 0), SAM_E_DENIED);

	/* the first error counts */
	msg_error(&m, NOT_REGISTERED);
	msg_kv(&m, "error", DENIED);
	ck_assert_int_eq(parse_error(&m, err, sizeof(err)), SAM_E_ATTACH);
	ck_assert_str_eq(err, NOT_REGISTERED);

	/* no reason, or not at the root */
	msg_init(&m, V1, T_ERROR);
	ck_assert_int_eq(parse_error(&m, err, sizeof(err)), SAM_E_ATTACH);
	ck_assert_str_eq(err, "error without a reason");
	msg_init(&m, V1, T_ERROR);
	msg_section(&m, "x");
	msg_kv(&m, "error", DENIED);
	msg_end(&m);
	ck_assert_int_eq(parse_error(&m, err, sizeof(err)), SAM_E_ATTACH);
	ck_assert_str_eq(err, "error without a reason");

	/* keys in an error response are not taken */
	msg_error(&m, NOT_REGISTERED);
	msg_kv(&m, "session", SESSION_HEX);
	msg_kv(&m, "scheme", "ed25519");
	msg_section(&m, "sources");
	msg_section(&m, "3");
	msg_kv(&m, "key", TV_ED25519_PUB);
	msg_end(&m);
	msg_end(&m);
	msg_kv(&m, "signing_key", TV_ED25519_KEY);
	msg_kv(&m, "source", "3");
	ck_assert_int_eq(parse_error(&m, err, sizeof(err)), SAM_E_ATTACH);
	ck_assert_str_eq(err, NOT_REGISTERED);
}
END_TEST

START_TEST(test_parse_malformed)
{
	static const char *const bad_sessions[] = {
		"923D3979", "923d397", "923d39791", "00000000", "", "0x923d39",
		"923d397g", " 923d397", "-23d3979", "923d 979",
	};
	static const char *const bad_ids[] = {
		"0", "00", "01", "4294967296", "9999999999", "12345678901", "1a",
		"a1", "-1", "+1", " 1", "1 ", "0x10",
	};
	static const uint8_t types[] = { 0, 7, 8, 0x81, 0xff };
	struct msg m;
	char what[64];
	size_t i;

	/* what all cases start with parses */
	prefix(&m);
	assert_parses(&m, "prefix");

	/* not a response of version 1 */
	msg_init(&m, 0, T_RESPONSE);
	assert_malformed(&m, "version 0");
	msg_init(&m, 2, T_RESPONSE);
	msg_kv(&m, "session", SESSION_HEX);
	msg_kv(&m, "scheme", "ed25519");
	assert_malformed(&m, "version 2");
	msg_init(&m, V1, T_REQUEST);
	msg_kv(&m, "session", SESSION_HEX);
	msg_kv(&m, "scheme", "ed25519");
	assert_malformed(&m, "a request");
	msg_init(&m, V1, 0);
	assert_malformed(&m, "type 0");
	msg_init(&m, V1, 4);
	assert_malformed(&m, "type 4");
	msg_init(&m, V1, 0xff);
	assert_malformed(&m, "type 255");
	m.len = 5;
	assert_malformed(&m, "version only");
	m.len = 4;
	assert_malformed(&m, "empty");

	/* truncated elements */
	prefix(&m);
	msg_byte(&m, E_KV);
	assert_malformed(&m, "key/value without name");
	prefix(&m);
	msg_byte(&m, E_KV);
	msg_byte(&m, 5);
	msg_raw(&m, "gro", 3);
	assert_malformed(&m, "truncated name");
	prefix(&m);
	msg_byte(&m, E_KV);
	msg_name(&m, "group");
	assert_malformed(&m, "key/value without value");
	prefix(&m);
	msg_byte(&m, E_KV);
	msg_name(&m, "group");
	msg_byte(&m, 0);
	assert_malformed(&m, "half a value length");
	prefix(&m);
	msg_byte(&m, E_KV);
	msg_name(&m, "group");
	msg_byte(&m, 0);
	msg_byte(&m, 5);
	msg_raw(&m, "ne", 2);
	assert_malformed(&m, "truncated value");
	prefix(&m);
	msg_byte(&m, E_SECTION);
	assert_malformed(&m, "section without name");
	prefix(&m);
	msg_byte(&m, E_SECTION);
	msg_byte(&m, 7);
	msg_raw(&m, "sou", 3);
	assert_malformed(&m, "truncated section name");
	prefix(&m);
	msg_byte(&m, E_LIST);
	msg_byte(&m, 9);
	assert_malformed(&m, "truncated list name");
	prefix(&m);
	msg_list(&m, "l");
	msg_byte(&m, E_ITEM);
	msg_byte(&m, 0);
	msg_byte(&m, 3);
	msg_raw(&m, "ab", 2);
	assert_malformed(&m, "truncated list item");
	/* in a sender's key */
	prefix(&m);
	msg_section(&m, "sources");
	msg_section(&m, "9");
	msg_byte(&m, E_KV);
	msg_name(&m, "key");
	msg_byte(&m, 1);
	msg_byte(&m, 0);
	msg_raw(&m, TV_ED25519_PUB, 100);
	assert_malformed(&m, "truncated key");

	/* names */
	prefix(&m);
	msg_byte(&m, E_KV);
	msg_byte(&m, 0);
	msg_value(&m, "x", 1);
	assert_malformed(&m, "empty key name");
	prefix(&m);
	msg_byte(&m, E_SECTION);
	msg_byte(&m, 0);
	msg_end(&m);
	assert_malformed(&m, "empty section name");
	prefix(&m);
	msg_byte(&m, E_LIST);
	msg_byte(&m, 0);
	msg_list_end(&m);
	assert_malformed(&m, "empty list name");
	prefix(&m);
	msg_byte(&m, E_KV);
	msg_byte(&m, 3);
	msg_raw(&m, "a\0b", 3);
	msg_value(&m, "x", 1);
	assert_malformed(&m, "NUL in a key name");
	prefix(&m);
	msg_section(&m, "sources");
	msg_byte(&m, E_SECTION);
	msg_byte(&m, 2);
	msg_raw(&m, "9\0", 2);
	msg_end(&m);
	msg_end(&m);
	assert_malformed(&m, "NUL in a source id");
	prefix(&m);
	msg_byte(&m, E_LIST);
	msg_byte(&m, 1);
	msg_byte(&m, 0);
	msg_list_end(&m);
	assert_malformed(&m, "NUL as a list name");

	/* structure */
	prefix(&m);
	msg_end(&m);
	assert_malformed(&m, "section end at the root");
	prefix(&m);
	msg_section(&m, "x");
	assert_malformed(&m, "unclosed section");
	prefix(&m);
	msg_section(&m, "sources");
	msg_section(&m, "9");
	msg_kv(&m, "key", TV_ED25519_PUB);
	assert_malformed(&m, "unclosed source");
	prefix(&m);
	msg_list(&m, "l");
	msg_item(&m, "i");
	assert_malformed(&m, "unclosed list");
	prefix(&m);
	msg_item(&m, "i");
	assert_malformed(&m, "list item at the root");
	prefix(&m);
	msg_section(&m, "x");
	msg_item(&m, "i");
	msg_end(&m);
	assert_malformed(&m, "list item in a section");
	prefix(&m);
	msg_list_end(&m);
	assert_malformed(&m, "list end outside a list");
	prefix(&m);
	msg_list(&m, "l");
	msg_end(&m);
	assert_malformed(&m, "section end closing a list");
	prefix(&m);
	msg_section(&m, "x");
	msg_list_end(&m);
	assert_malformed(&m, "list end closing a section");
	prefix(&m);
	msg_list(&m, "l");
	msg_kv(&m, "a", "b");
	msg_list_end(&m);
	assert_malformed(&m, "key/value in a list");
	prefix(&m);
	msg_list(&m, "l");
	msg_section(&m, "x");
	msg_end(&m);
	msg_list_end(&m);
	assert_malformed(&m, "section in a list");
	prefix(&m);
	msg_list(&m, "l");
	msg_list(&m, "m");
	msg_list_end(&m);
	msg_list_end(&m);
	assert_malformed(&m, "list in a list");
	prefix(&m);
	msg_deep(&m, 17, 0);
	assert_malformed(&m, "17 sections nested");
	prefix(&m);
	msg_deep(&m, 16, 1);
	assert_malformed(&m, "16 sections and a list nested");
	prefix(&m);
	msg_deep(&m, 100, 0);
	assert_malformed(&m, "100 sections nested");
	prefix(&m);
	msg_section(&m, "sources");
	msg_section(&m, "9");
	msg_deep(&m, 15, 0);
	msg_end(&m);
	msg_end(&m);
	assert_malformed(&m, "17 levels in sources");

	/* element types */
	for (i = 0; i < sizeof(types); i++)
	{
		snprintf(what, sizeof(what), "element type %u", types[i]);
		prefix(&m);
		msg_byte(&m, types[i]);
		assert_malformed(&m, what);
		/* what follows it would do */
		prefix(&m);
		msg_byte(&m, types[i]);
		msg_kv(&m, "a", "b");
		assert_malformed(&m, what);
	}

	/* the session */
	for (i = 0; i < sizeof(bad_sessions) / sizeof(bad_sessions[0]); i++)
	{
		snprintf(what, sizeof(what), "session '%s'", bad_sessions[i]);
		prefix(&m);
		msg_kv(&m, "session", bad_sessions[i]);
		assert_malformed(&m, what);
	}
	/* source ids: a sender's and this host's */
	for (i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++)
	{
		snprintf(what, sizeof(what), "source id '%s'", bad_ids[i]);
		prefix(&m);
		msg_section(&m, "sources");
		msg_section(&m, bad_ids[i]);
		msg_kv(&m, "key", TV_ED25519_PUB);
		msg_end(&m);
		msg_end(&m);
		assert_malformed(&m, what);
		snprintf(what, sizeof(what), "own source '%s'", bad_ids[i]);
		prefix(&m);
		msg_kv(&m, "source", bad_ids[i]);
		assert_malformed(&m, what);
	}
	prefix(&m);
	msg_kv(&m, "source", "");
	assert_malformed(&m, "own source ''");
	prefix(&m);
	msg_section(&m, "sources");
	msg_section(&m, "9");
	msg_end(&m);
	msg_section(&m, "3");
	msg_end(&m);
	msg_end(&m);
	assert_malformed(&m, "duplicate source id");
	prefix(&m);
	msg_section(&m, "sources");
	msg_section(&m, "9");
	msg_kv(&m, "key", TV_ED25519_PUB);
	msg_kv(&m, "key", TV_ECDSA_PUB);
	msg_end(&m);
	msg_end(&m);
	assert_malformed(&m, "two keys of a source");
	prefix(&m);
	msg_kv(&m, "signing_key", TV_ECDSA_KEY);
	assert_malformed(&m, "two signing keys");

	/* values that must be strings */
	prefix(&m);
	msg_section(&m, "sources");
	msg_section(&m, "9");
	msg_byte(&m, E_KV);
	msg_name(&m, "key");
	msg_value(&m, "PEM\0PEM", 7);
	msg_end(&m);
	msg_end(&m);
	assert_malformed(&m, "NUL in a key");
	msg_init(&m, V1, T_RESPONSE);
	msg_kv(&m, "session", SESSION_HEX);
	msg_kv(&m, "scheme", "ed25519");
	msg_byte(&m, E_KV);
	msg_name(&m, "signing_key");
	msg_value(&m, "PEM\0PEM", 7);
	assert_malformed(&m, "NUL in the signing key");
	prefix(&m);
	msg_byte(&m, E_KV);
	msg_name(&m, "scheme");
	msg_value(&m, "ed\0", 3);
	assert_malformed(&m, "NUL in the scheme");
	prefix(&m);
	msg_kv(&m, "scheme", "abcdefghijklmnopqrstuvwxyz012345");
	assert_malformed(&m, "32 character scheme");
	msg_init(&m, V1, T_ERROR);
	msg_byte(&m, E_KV);
	msg_name(&m, "error");
	msg_value(&m, "permission\0denied", 17);
	assert_malformed(&m, "NUL in the error");
	msg_error(&m, DENIED);
	msg_section(&m, "x");
	assert_malformed(&m, "error response with an unclosed section");

	/* what a response must have */
	msg_init(&m, V1, T_RESPONSE);
	msg_kv(&m, "scheme", "ed25519");
	msg_section(&m, "sources");
	msg_section(&m, "3");
	msg_kv(&m, "key", TV_ED25519_PUB);
	msg_end(&m);
	msg_end(&m);
	msg_kv(&m, "signing_key", TV_ED25519_KEY);
	assert_malformed(&m, "no session");
	msg_init(&m, V1, T_RESPONSE);
	msg_kv(&m, "session", SESSION_HEX);
	msg_section(&m, "sources");
	msg_section(&m, "3");
	msg_kv(&m, "key", TV_ED25519_PUB);
	msg_end(&m);
	msg_end(&m);
	msg_kv(&m, "signing_key", TV_ED25519_KEY);
	assert_malformed(&m, "no scheme");
	prefix(&m);
	msg_kv(&m, "scheme", "");
	assert_malformed(&m, "empty scheme");
	msg_init(&m, V1, T_RESPONSE);
	assert_malformed(&m, "empty response");
}
END_TEST

/* ---- bootstraps in sam-keys ---------------------------------------------- */

/** Lowercase hex of len bytes into hex (2 * len + 1 bytes) */
static char *to_hex(const uint8_t *data, size_t len, char *hex)
{
	size_t i;

	for (i = 0; i < len; i++)
	{
		snprintf(hex + 2 * i, 3, "%02x", data[i]);
	}
	hex[2 * len] = '\0';
	return hex;
}

/** prefix() with a source 7 whose section has the values kv (pairs) */
static void msg_source_kvs(struct msg *m, const char *const *kv, size_t n)
{
	size_t i;

	prefix(m);
	msg_section(m, "sources");
	msg_section(m, "7");
	msg_kv(m, "key", TV_ED25519_PUB);
	for (i = 0; i + 1 < n; i += 2)
	{
		msg_kv(m, kv[i], kv[i + 1]);
	}
	msg_end(m);
	msg_end(m);
}

START_TEST(test_parse_bootstrap)
{
	struct sam_mike_keys keys;
	uint8_t max[SAM_MAX_BOOTSTRAP];
	char hex[2 * SAM_MAX_BOOTSTRAP + 3], err[256];
	struct msg m;
	size_t i;

	for (i = 0; i < sizeof(max); i++)
	{
		max[i] = (uint8_t)(i * 7);
	}
	to_hex(max, sizeof(max), hex);
	{
		struct src srcs[] = { { 3, TV_ED25519_PUB }, { 5, TV_ECDSA_PUB },
							  { 9, TV_ED25519_PUB } };
		const char *const boots[] = { "00ff7a", NULL, hex };

		msg_keys_boot(&m, SESSION, "ed25519", srcs, boots, 3, 0, NULL);
	}
	ck_assert_int_eq(heap_growth(&m, SAM_OK), 0);
	ck_assert_int_eq(parse(&m, &keys, err, sizeof(err)), SAM_OK);
	ck_assert_uint_eq(keys.nsources, 3);
	ck_assert_uint_eq(keys.sources[0].bootstrap_len, 3);
	ck_assert_mem_eq(keys.sources[0].bootstrap, "\x00\xff\x7a", 3);
	ck_assert_uint_eq(keys.sources[1].bootstrap_len, 0);
	ck_assert_uint_eq(keys.sources[2].bootstrap_len, SAM_MAX_BOOTSTRAP);
	ck_assert_mem_eq(keys.sources[2].bootstrap, max, sizeof(max));
	/* the key and the rest of the section as before */
	ck_assert_str_eq(keys.sources[0].pem, TV_ED25519_PUB);
	sam_mike_keys_clear(&keys);

	/* where a bootstrap is no sender's: skipped, as unknown values are */
	prefix(&m);
	msg_kv(&m, "bootstrap", "zz");
	msg_section(&m, "other");
	msg_kv(&m, "bootstrap", "zz");
	msg_end(&m);
	assert_parses(&m, "bootstrap outside a sender's section");

	/* malformed ones */
	{
		static const char *const twice[] = { "bootstrap", "00",
											 "bootstrap", "00" };
		static const char *const odd[] = { "bootstrap", "001" };
		static const char *const upper[] = { "bootstrap", "00AB" };
		static const char *const nothex[] = { "bootstrap", "0g" };
		static const char *const empty[] = { "bootstrap", "" };
		static const char *const spaced[] = { "bootstrap", "00 11" };

		msg_source_kvs(&m, twice, 4);
		assert_malformed(&m, "bootstrap twice");
		msg_source_kvs(&m, odd, 2);
		assert_malformed(&m, "bootstrap of an odd length");
		msg_source_kvs(&m, upper, 2);
		assert_malformed(&m, "bootstrap in uppercase hex");
		msg_source_kvs(&m, nothex, 2);
		assert_malformed(&m, "bootstrap not hex");
		msg_source_kvs(&m, empty, 2);
		assert_malformed(&m, "empty bootstrap");
		msg_source_kvs(&m, spaced, 2);
		assert_malformed(&m, "bootstrap with a space");
	}
	{
		const char *toolong[] = { "bootstrap", hex };

		strcat(hex, "00");
		msg_source_kvs(&m, toolong, 2);
		assert_malformed(&m, "bootstrap of 257 bytes");
	}
}
END_TEST

/* ---- the fake plugin ----------------------------------------------------- */

/** How the fake answers */
enum fake_mode {
	/** with the canned response */
	FAKE_ANSWER,
	/** it closes the connection without answering */
	FAKE_CLOSE,
	/** it announces a message longer than the protocol allows */
	FAKE_OVERSIZE,
	/** it sends half of the canned response and closes */
	FAKE_TRUNCATE,
};

/** The fake plugin: a thread answering on a UNIX socket */
struct fake {
	char dir[64];
	char path[128];
	/** "unix://" path */
	char uri[160];
	int fd;
	pthread_t thread;
	/** the test's and the thread's access to what follows */
	pthread_mutex_t lock;
	int stop;
	enum fake_mode mode;
	/** the canned response, length field set */
	struct msg response;
	/** requests received */
	int requests;
	/** of the last request: whether it was one, its command, its values of
	 *  group and signing ("" if not there), its number of key/values */
	int well_formed;
	char command[256];
	char group[256];
	char signing[256];
	char bootstrap[2 * SAM_MAX_BOOTSTRAP + 1];
	int nkv;
};

static int fake_read(int fd, uint8_t *buf, size_t len)
{
	ssize_t n;

	while (len)
	{
		n = recv(fd, buf, len, 0);
		if (n < 0 && errno == EINTR)
		{
			continue;
		}
		if (n <= 0)
		{
			return 0;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 1;
}

static void fake_write(int fd, const uint8_t *buf, size_t len)
{
	ssize_t n;

	while (len)
	{
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
		{
			continue;
		}
		if (n <= 0)
		{
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

/** Take a request apart: a command and key/values at the root only */
static void fake_record(struct fake *f, const uint8_t *req, size_t len)
{
	size_t pos, nlen, vlen;
	char name[256];

	f->well_formed = 0;
	f->command[0] = f->group[0] = f->signing[0] = f->bootstrap[0] = '\0';
	f->nkv = 0;
	if (len < 3 || req[0] != V1 || req[1] != T_REQUEST ||
		req[2] == 0 || 3 + (size_t)req[2] > len)
	{
		return;
	}
	memcpy(f->command, req + 3, req[2]);
	f->command[req[2]] = '\0';
	pos = 3 + req[2];
	while (pos < len)
	{
		if (req[pos] != E_KV || pos + 2 > len)
		{
			return;
		}
		nlen = req[pos + 1];
		if (nlen == 0 || pos + 2 + nlen + 2 > len)
		{
			return;
		}
		memcpy(name, req + pos + 2, nlen);
		name[nlen] = '\0';
		pos += 2 + nlen;
		vlen = ((size_t)req[pos] << 8) | req[pos + 1];
		if (pos + 2 + vlen > len || vlen >= sizeof(f->bootstrap))
		{
			return;
		}
		if (strcmp(name, "bootstrap") == 0)
		{
			memcpy(f->bootstrap, req + pos + 2, vlen);
			f->bootstrap[vlen] = '\0';
		}
		else if (vlen >= sizeof(f->group))
		{
			return;
		}
		if (strcmp(name, "group") == 0)
		{
			memcpy(f->group, req + pos + 2, vlen);
			f->group[vlen] = '\0';
		}
		else if (strcmp(name, "signing") == 0)
		{
			memcpy(f->signing, req + pos + 2, vlen);
			f->signing[vlen] = '\0';
		}
		pos += 2 + vlen;
		f->nkv++;
	}
	f->well_formed = 1;
}

static void fake_serve(struct fake *f, int fd)
{
	static const uint8_t oversize[] = { 0x00, 0x01, 0x00, 0x01, V1,
										T_RESPONSE };
	uint8_t hdr[4], *req;
	size_t len;

	if (!fake_read(fd, hdr, sizeof(hdr)))
	{
		return;
	}
	len = ((size_t)hdr[0] << 24) | ((size_t)hdr[1] << 16) |
		  ((size_t)hdr[2] << 8) | hdr[3];
	if (len > 65536)
	{
		return;
	}
	req = malloc(len + 1);
	if (!req || !fake_read(fd, req, len))
	{
		free(req);
		return;
	}
	pthread_mutex_lock(&f->lock);
	f->requests++;
	fake_record(f, req, len);
	switch (f->mode)
	{
		case FAKE_ANSWER:
			fake_write(fd, f->response.buf, f->response.len);
			break;
		case FAKE_CLOSE:
			break;
		case FAKE_OVERSIZE:
			fake_write(fd, oversize, sizeof(oversize));
			break;
		case FAKE_TRUNCATE:
			fake_write(fd, f->response.buf, f->response.len / 2);
			break;
	}
	pthread_mutex_unlock(&f->lock);
	free(req);
}

static void *fake_run(void *arg)
{
	struct fake *f = arg;
	int fd, stop;

	for (;;)
	{
		fd = accept(f->fd, NULL, NULL);
		if (fd < 0)
		{
			if (errno == EINTR || errno == ECONNABORTED)
			{
				continue;
			}
			return NULL;
		}
		pthread_mutex_lock(&f->lock);
		stop = f->stop;
		pthread_mutex_unlock(&f->lock);
		if (!stop)
		{
			fake_serve(f, fd);
		}
		close(fd);
		if (stop)
		{
			return NULL;
		}
	}
}

static struct sockaddr_un fake_addr(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	ck_assert_uint_lt(strlen(path), sizeof(addr.sun_path));
	strcpy(addr.sun_path, path);
	return addr;
}

/** Start a fake plugin; it answers with an error until fake_answer() */
static struct fake *fake_start(void)
{
	struct sockaddr_un addr;
	struct fake *f;

	f = calloc(1, sizeof(*f));
	ck_assert_ptr_nonnull(f);
	strcpy(f->dir, "/tmp/sam-attach-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/charon.mike", f->dir);
	snprintf(f->uri, sizeof(f->uri), "unix://%s", f->path);
	addr = fake_addr(f->path);
	f->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(f->fd, 0);
	ck_assert_int_eq(bind(f->fd, (struct sockaddr*)&addr, sizeof(addr)), 0);
	ck_assert_int_eq(listen(f->fd, 8), 0);
	pthread_mutex_init(&f->lock, NULL);
	f->mode = FAKE_ANSWER;
	msg_error(&f->response, "the test set no response");
	msg_len(&f->response);
	ck_assert_int_eq(pthread_create(&f->thread, NULL, fake_run, f), 0);
	return f;
}

static void fake_stop(struct fake *f)
{
	struct sockaddr_un addr = fake_addr(f->path);
	int fd;

	pthread_mutex_lock(&f->lock);
	f->stop = 1;
	pthread_mutex_unlock(&f->lock);
	/* wake it up from accept() */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr*)&addr, sizeof(addr)), 0);
	ck_assert_int_eq(pthread_join(f->thread, NULL), 0);
	close(fd);
	close(f->fd);
	unlink(f->path);
	rmdir(f->dir);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

/** Answer the next requests with m */
static void fake_answer(struct fake *f, struct msg *m)
{
	pthread_mutex_lock(&f->lock);
	f->response = *m;
	msg_len(&f->response);
	f->mode = FAKE_ANSWER;
	pthread_mutex_unlock(&f->lock);
}

static void fake_mode(struct fake *f, enum fake_mode mode)
{
	pthread_mutex_lock(&f->lock);
	f->mode = mode;
	pthread_mutex_unlock(&f->lock);
}

static int fake_requests(struct fake *f)
{
	int n;

	pthread_mutex_lock(&f->lock);
	n = f->requests;
	pthread_mutex_unlock(&f->lock);
	return n;
}

/**
 * The fake must have had n requests, the last a sam-keys of group with
 * signing = signing ("" for none) and nothing else
 */
static void fake_expect(struct fake *f, int n, const char *group,
						const char *signing)
{
	pthread_mutex_lock(&f->lock);
	ck_assert_int_eq(f->requests, n);
	ck_assert_int_eq(f->well_formed, 1);
	ck_assert_str_eq(f->command, "sam-keys");
	ck_assert_str_eq(f->group, group);
	ck_assert_str_eq(f->signing, signing);
	ck_assert_int_eq(f->nkv, signing[0] ? 2 : 1);
	pthread_mutex_unlock(&f->lock);
}

/**
 * The fake must have had n requests, the last a sam-bootstrap of group
 * with a bootstrap and nothing else; @return the bootstrap's bytes
 */
static size_t fake_expect_bootstrap(struct fake *f, int n, const char *group,
									uint8_t *blob, size_t size)
{
	size_t len;

	pthread_mutex_lock(&f->lock);
	ck_assert_int_eq(f->requests, n);
	ck_assert_int_eq(f->well_formed, 1);
	ck_assert_str_eq(f->command, "sam-bootstrap");
	ck_assert_str_eq(f->group, group);
	ck_assert_str_eq(f->signing, "");
	ck_assert_int_eq(f->nkv, 2);
	/* lowercase hex */
	ck_assert_uint_eq(strspn(f->bootstrap, "0123456789abcdef"),
					  strlen(f->bootstrap));
	len = tc_unhex(f->bootstrap, blob, size);
	pthread_mutex_unlock(&f->lock);
	return len;
}

/* ---- keys, contexts, frames ---------------------------------------------- */

/** An Ed25519 key pair and its PEMs */
struct pair {
	sam_key *key;
	char pub[256];
	char priv[256];
};

static void pair_new(struct pair *p)
{
	p->key = NULL;
	ck_assert_int_eq(sam_key_generate(SAM_SCHEME_ED25519, &p->key), SAM_OK);
	ck_assert_int_gt(sam_key_to_pem(p->key, 0, p->pub, sizeof(p->pub)), 0);
	ck_assert_int_gt(sam_key_to_pem(p->key, 1, p->priv, sizeof(p->priv)),
					 0);
}

static uint64_t test_clock(void *user)
{
	return *(const uint64_t *)user;
}

/** A context on the clock *now, with nothing set */
static sam_ctx *clocked_ctx(uint64_t *now)
{
	sam_ctx *ctx = NULL;

	ck_assert_int_eq(sam_ctx_new(NULL, &ctx), SAM_OK);
	ck_assert_int_eq(sam_set_clock(ctx, test_clock, now), SAM_OK);
	return ctx;
}

/** A sender of session with source id and key, its numbers from 1 */
static sam_ctx *sender(uint32_t session, uint32_t source, const sam_key *key)
{
	sam_ctx *ctx = NULL;

	ck_assert_int_eq(sam_ctx_new(NULL, &ctx), SAM_OK);
	ck_assert_int_eq(sam_set_session(ctx, session), SAM_OK);
	ck_assert_int_eq(sam_set_source(ctx, source, 1), SAM_OK);
	ck_assert_int_eq(sam_set_signing_key(ctx, key), SAM_OK);
	return ctx;
}

/** A receiver of session that knows source by its public key pem */
static sam_ctx *receiver(uint32_t session, uint32_t source, const char *pem)
{
	sam_ctx *ctx = NULL;
	sam_key *key = tc_key(pem);

	ck_assert_int_eq(sam_ctx_new(NULL, &ctx), SAM_OK);
	ck_assert_int_eq(sam_set_session(ctx, session), SAM_OK);
	ck_assert_int_eq(sam_add_source(ctx, source, key), SAM_OK);
	sam_key_free(key);
	return ctx;
}

/**
 * Seal a frame in tx, open it in rx; an authentic one must come from
 * source.  @return what sam_open() said
 */
static int deliver(sam_ctx *tx, uint32_t source, sam_ctx *rx)
{
	sam_frame_info info;
	uint8_t frame[256];
	ssize_t len;
	int rc;

	len = tc_seal(tx, frame, sizeof(frame));
	rc = sam_open(rx, frame, (size_t)len, &info);
	if (rc == SAM_OK)
	{
		ck_assert_uint_eq(info.source_id, source);
		ck_assert_int_eq(info.auth, SAM_AUTH_SOURCE);
		ck_assert_int_eq(info.scheme, SAM_SCHEME_ED25519);
	}
	return rc;
}

/* ---- sam_attach() -------------------------------------------------------- */

START_TEST(test_attach_basic)
{
	struct fake *f = fake_start();
	struct pair a, b;
	struct msg m;
	sam_ctx *rx, *ta, *tb, *forged, *other;
	uint64_t now = T0;
	uint8_t frame[256];

	pair_new(&a);
	pair_new(&b);
	{
		struct src srcs[] = { { 3, a.pub }, { 17, b.pub } };

		msg_keys(&m, SESSION, "ed25519", srcs, 2, 0, NULL);
	}
	fake_answer(f, &m);
	rx = clocked_ctx(&now);
	ta = sender(SESSION, 3, a.key);
	tb = sender(SESSION, 17, b.key);
	/* numbers 17 has not used: the key is what is wrong */
	forged = sender(SESSION, 17, a.key);
	ck_assert_int_eq(sam_set_source(forged, 17, 1000), SAM_OK);
	other = sender(SESSION ^ 1, 3, a.key);

	/* nothing is known before */
	ck_assert_int_eq(deliver(ta, 3, rx), SAM_E_NOSESSION);
	ck_assert_str_eq(sam_attach_error(rx), "");
	ck_assert_int_eq(sam_attach(rx, f->uri, "news", 0), SAM_OK);
	ck_assert_str_eq(sam_attach_error(rx), "");
	fake_expect(f, 1, "news", "");
	ck_assert_int_eq(deliver(ta, 3, rx), SAM_OK);
	ck_assert_int_eq(deliver(tb, 17, rx), SAM_OK);
	ck_assert_int_eq(deliver(ta, 3, rx), SAM_OK);
	/* each source under its own key, in the group's session */
	ck_assert_int_eq(deliver(forged, 17, rx), SAM_E_BAD_AUTH);
	ck_assert_int_eq(deliver(other, 3, rx), SAM_E_SESSION);
	/* a receiver only: nothing to sign with */
	ck_assert_int_eq(sam_seal(rx, "x", 1, frame, sizeof(frame)),
					 SAM_E_NOKEY);
	ck_assert_int_eq(fake_requests(f), 1);

	/* attaching again asks again, for the group named now */
	ck_assert_int_eq(sam_attach(rx, f->uri, "video", 0), SAM_OK);
	fake_expect(f, 2, "video", "");
	ck_assert_int_eq(deliver(ta, 3, rx), SAM_OK);
	ck_assert_int_eq(deliver(tb, 17, rx), SAM_OK);

	sam_ctx_free(rx);
	sam_ctx_free(ta);
	sam_ctx_free(tb);
	sam_ctx_free(forged);
	sam_ctx_free(other);
	sam_key_free(a.key);
	sam_key_free(b.key);
	fake_stop(f);
}
END_TEST

START_TEST(test_attach_refresh)
{
	struct fake *f = fake_start();
	struct pair a, b, c, d;
	struct msg m;
	sam_ctx *rx, *ta, *tb, *tc, *td, *ta2;
	uint64_t now = T0;
	uint8_t old[256];
	ssize_t oldlen;
	sam_frame_info info;

	pair_new(&a);
	pair_new(&b);
	pair_new(&c);
	pair_new(&d);
	{
		struct src srcs[] = { { 3, a.pub }, { 17, b.pub } };

		msg_keys(&m, SESSION, "ed25519", srcs, 2, 0, NULL);
	}
	fake_answer(f, &m);
	rx = clocked_ctx(&now);
	ta = sender(SESSION, 3, a.key);
	tb = sender(SESSION, 17, b.key);
	tc = sender(SESSION, 29, c.key);
	td = sender(SESSION, 3, d.key);
	ta2 = sender(SESSION + 1, 3, a.key);
	ck_assert_int_eq(sam_attach(rx, f->uri, "news", 0), SAM_OK);
	oldlen = tc_seal(ta, old, sizeof(old));
	ck_assert_int_eq(sam_open(rx, old, (size_t)oldlen, &info), SAM_OK);
	ck_assert_int_eq(deliver(tb, 17, rx), SAM_OK);
	ck_assert_int_eq(deliver(tc, 29, rx), SAM_E_UNKNOWN_SOURCE);

	/* 17 left, 29 joined; the clock stands: no refresh but these */
	{
		struct src srcs[] = { { 3, a.pub }, { 29, c.pub } };

		msg_keys(&m, SESSION, "ed25519", srcs, 2, 0, NULL);
	}
	fake_answer(f, &m);
	ck_assert_int_eq(sam_refresh(rx), SAM_OK);
	fake_expect(f, 2, "news", "");
	ck_assert_str_eq(sam_attach_error(rx), "");
	ck_assert_int_eq(deliver(tb, 17, rx), SAM_E_UNKNOWN_SOURCE);
	ck_assert_int_eq(deliver(tc, 29, rx), SAM_OK);
	ck_assert_int_eq(deliver(ta, 3, rx), SAM_OK);
	/* 3 stayed as it was, with its replay window */
	ck_assert_int_eq(sam_open(rx, old, (size_t)oldlen, &info), SAM_E_REPLAY);
	ck_assert_int_eq(fake_requests(f), 2);

	/* 3 registered anew with another key */
	{
		struct src srcs[] = { { 3, d.pub }, { 29, c.pub } };

		msg_keys(&m, SESSION, "ed25519", srcs, 2, 0, NULL);
	}
	fake_answer(f, &m);
	ck_assert_int_eq(sam_refresh(rx), SAM_OK);
	ck_assert_int_eq(deliver(ta, 3, rx), SAM_E_BAD_AUTH);
	ck_assert_int_eq(deliver(td, 3, rx), SAM_OK);
	ck_assert_int_eq(deliver(tc, 29, rx), SAM_OK);

	/* a new session */
	{
		struct src srcs[] = { { 3, a.pub } };

		msg_keys(&m, SESSION + 1, "ed25519", srcs, 1, 0, NULL);
	}
	fake_answer(f, &m);
	ck_assert_int_eq(sam_refresh(rx), SAM_OK);
	ck_assert_int_eq(deliver(ta, 3, rx), SAM_E_SESSION);
	ck_assert_int_eq(deliver(ta2, 3, rx), SAM_OK);
	ck_assert_int_eq(deliver(tc, 29, rx), SAM_E_SESSION);

	/* everybody left */
	msg_keys(&m, SESSION + 1, "ed25519", NULL, 0, 0, NULL);
	fake_answer(f, &m);
	ck_assert_int_eq(sam_refresh(rx), SAM_OK);
	ck_assert_int_eq(deliver(ta2, 3, rx), SAM_E_UNKNOWN_SOURCE);
	fake_expect(f, 5, "news", "");

	sam_ctx_free(rx);
	sam_ctx_free(ta);
	sam_ctx_free(tb);
	sam_ctx_free(tc);
	sam_ctx_free(td);
	sam_ctx_free(ta2);
	sam_key_free(a.key);
	sam_key_free(b.key);
	sam_key_free(c.key);
	sam_key_free(d.key);
	fake_stop(f);
}
END_TEST

START_TEST(test_attach_urgent)
{
	struct fake *f = fake_start();
	struct pair a, c, e;
	struct msg m;
	sam_ctx *rx, *ta, *tc, *te, *stranger;
	uint64_t now = T0;

	pair_new(&a);
	pair_new(&c);
	pair_new(&e);
	{
		struct src srcs[] = { { 3, a.pub } };

		msg_keys(&m, SESSION, "ed25519", srcs, 1, 0, NULL);
	}
	fake_answer(f, &m);
	rx = clocked_ctx(&now);
	ta = sender(SESSION, 3, a.key);
	tc = sender(SESSION, 29, c.key);
	te = sender(SESSION, 31, e.key);
	stranger = sender(SESSION ^ 0xff, 33, e.key);
	ck_assert_int_eq(sam_attach(rx, f->uri, "news", 0), SAM_OK);
	ck_assert_int_eq(fake_requests(f), 1);

	/* 29 joins; its first frame asks once a second has passed */
	{
		struct src srcs[] = { { 3, a.pub }, { 29, c.pub } };

		msg_keys(&m, SESSION, "ed25519", srcs, 2, 0, NULL);
	}
	fake_answer(f, &m);
	now = T0 + 999;
	ck_assert_int_eq(deliver(tc, 29, rx), SAM_E_UNKNOWN_SOURCE);
	ck_assert_int_eq(fake_requests(f), 1);
	now = T0 + 1000;
	ck_assert_int_eq(deliver(tc, 29, rx), SAM_OK);
	fake_expect(f, 2, "news", "");
	ck_assert_int_eq(deliver(tc, 29, rx), SAM_OK);
	ck_assert_int_eq(fake_requests(f), 2);

	/* a source the plugin does not list: at most one ask a second */
	now = T0 + 1500;
	ck_assert_int_eq(deliver(te, 31, rx), SAM_E_UNKNOWN_SOURCE);
	now = T0 + 1999;
	ck_assert_int_eq(deliver(te, 31, rx), SAM_E_UNKNOWN_SOURCE);
	ck_assert_int_eq(fake_requests(f), 2);
	now = T0 + 2000;
	ck_assert_int_eq(deliver(te, 31, rx), SAM_E_UNKNOWN_SOURCE);
	ck_assert_int_eq(fake_requests(f), 3);
	now = T0 + 2999;
	ck_assert_int_eq(deliver(te, 31, rx), SAM_E_UNKNOWN_SOURCE);
	ck_assert_int_eq(fake_requests(f), 3);

	/* frames of known sources and of other sessions never ask */
	now = T0 + 5000;
	ck_assert_int_eq(deliver(ta, 3, rx), SAM_OK);
	ck_assert_int_eq(deliver(tc, 29, rx), SAM_OK);
	ck_assert_int_eq(deliver(stranger, 33, rx), SAM_E_SESSION);
	ck_assert_int_eq(fake_requests(f), 3);

	/* an ask that fails: the frame is unknown, the reason kept, and the
	 * next ask waits its second all the same */
	{
		struct msg err;

		msg_error(&err, DENIED);
		fake_answer(f, &err);
	}
	ck_assert_int_eq(deliver(te, 31, rx), SAM_E_UNKNOWN_SOURCE);
	ck_assert_int_eq(fake_requests(f), 4);
	ck_assert_str_eq(sam_attach_error(rx), DENIED);
	now = T0 + 5999;
	ck_assert_int_eq(deliver(te, 31, rx), SAM_E_UNKNOWN_SOURCE);
	ck_assert_int_eq(fake_requests(f), 4);
	/* what it had stays */
	ck_assert_int_eq(deliver(ta, 3, rx), SAM_OK);
	ck_assert_int_eq(deliver(tc, 29, rx), SAM_OK);

	/* 31 joins */
	{
		struct src srcs[] = { { 3, a.pub }, { 29, c.pub }, { 31, e.pub } };

		msg_keys(&m, SESSION, "ed25519", srcs, 3, 0, NULL);
	}
	fake_answer(f, &m);
	now = T0 + 6000;
	ck_assert_int_eq(deliver(te, 31, rx), SAM_OK);
	ck_assert_int_eq(fake_requests(f), 5);
	ck_assert_str_eq(sam_attach_error(rx), "");

	sam_ctx_free(rx);
	sam_ctx_free(ta);
	sam_ctx_free(tc);
	sam_ctx_free(te);
	sam_ctx_free(stranger);
	sam_key_free(a.key);
	sam_key_free(c.key);
	sam_key_free(e.key);
	fake_stop(f);
}
END_TEST

START_TEST(test_attach_poll)
{
	struct fake *f = fake_start();
	struct pair a, c;
	struct msg m;
	sam_ctx *rx, *ta, *tc;
	uint64_t now = T0;

	pair_new(&a);
	pair_new(&c);
	{
		struct src srcs[] = { { 3, a.pub } };

		msg_keys(&m, SESSION, "ed25519", srcs, 1, 0, NULL);
	}
	fake_answer(f, &m);
	rx = clocked_ctx(&now);
	ta = sender(SESSION, 3, a.key);
	tc = sender(SESSION, 29, c.key);
	ck_assert_int_eq(sam_attach(rx, f->uri, "news", 0), SAM_OK);
	ck_assert_int_eq(sam_poll(rx), 0);
	ck_assert_int_eq(fake_requests(f), 1);

	/* 3 leaves, 29 joins: sam_poll() hears of it after 5 s */
	{
		struct src srcs[] = { { 29, c.pub } };

		msg_keys(&m, SESSION, "ed25519", srcs, 1, 0, NULL);
	}
	fake_answer(f, &m);
	now = T0 + 4999;
	ck_assert_int_eq(sam_poll(rx), 0);
	ck_assert_int_eq(fake_requests(f), 1);
	now = T0 + 5000;
	ck_assert_int_eq(sam_poll(rx), 0);
	fake_expect(f, 2, "news", "");
	/* known now, or gone: no ask for either */
	ck_assert_int_eq(deliver(tc, 29, rx), SAM_OK);
	ck_assert_int_eq(deliver(ta, 3, rx), SAM_E_UNKNOWN_SOURCE);
	ck_assert_int_eq(fake_requests(f), 2);
	now = T0 + 5001;
	ck_assert_int_eq(sam_poll(rx), 0);
	now = T0 + 9999;
	ck_assert_int_eq(sam_poll(rx), 0);
	ck_assert_int_eq(fake_requests(f), 2);
	now = T0 + 10000;
	ck_assert_int_eq(sam_poll(rx), 0);
	ck_assert_int_eq(fake_requests(f), 3);
	ck_assert_int_eq(sam_poll(rx), 0);
	ck_assert_int_eq(fake_requests(f), 3);

	/* an explicit refresh asks whenever it is called */
	ck_assert_int_eq(sam_refresh(rx), SAM_OK);
	ck_assert_int_eq(sam_refresh(rx), SAM_OK);
	ck_assert_int_eq(fake_requests(f), 5);

	sam_ctx_free(rx);
	sam_ctx_free(ta);
	sam_ctx_free(tc);
	sam_key_free(a.key);
	sam_key_free(c.key);
	fake_stop(f);
}
END_TEST

/** A data key of 32 bytes b */
static void add_dk(sam_ctx *ctx, uint32_t id, uint8_t b)
{
	uint8_t key[SAM_DATA_KEY_SIZE];

	memset(key, b, sizeof(key));
	ck_assert_int_eq(sam_add_data_key(ctx, id, key, sizeof(key)), SAM_OK);
}

/*
 * An encrypted group: the context seals and opens under the data keys of
 * the answer, requires encryption, and follows the keys as the KEK changes
 */
START_TEST(test_attach_encrypt)
{
	struct fake *f = fake_start();
	struct pair a, e;
	struct msg m;
	sam_ctx *rx, *tx, *plain, *k1, *k2, *k3, *peer;
	uint64_t now = T0;
	uint8_t frame[256];
	ssize_t len;

	pair_new(&a);
	pair_new(&e);
	{
		struct src srcs[] = { { 3, a.pub }, { 5, e.pub } };

		msg_keys(&m, SESSION, "ed25519", srcs, 2, 0, NULL);
	}
	msg_data_keys(&m, "7", DK1_HEX, NULL, NULL);
	fake_answer(f, &m);
	rx = clocked_ctx(&now);
	plain = sender(SESSION, 3, a.key);
	k1 = sender(SESSION, 3, a.key);
	add_dk(k1, 7, 0x11);
	k2 = sender(SESSION, 3, a.key);
	ck_assert_int_eq(sam_set_source(k2, 3, 1000), SAM_OK);
	add_dk(k2, 9, 0x22);
	k3 = sender(SESSION, 3, a.key);
	ck_assert_int_eq(sam_set_source(k3, 3, 2000), SAM_OK);
	add_dk(k3, 11, 0x33);

	ck_assert_int_eq(sam_attach(rx, f->uri, "news", 0), SAM_OK);
	ck_assert_int_eq(deliver(k1, 3, rx), SAM_OK);
	/* the group encrypts: cleartext is refused, and so is a key ID the
	 * plugin does not know (after asking it once more) */
	ck_assert_int_eq(deliver(plain, 3, rx), SAM_E_CLEARTEXT);
	now += 1000;
	ck_assert_int_eq(deliver(k2, 3, rx), SAM_E_DATA_KEY);
	fake_expect(f, 2, "news", "");
	/* not again within the second */
	ck_assert_int_eq(deliver(k2, 3, rx), SAM_E_DATA_KEY);
	ck_assert_int_eq(fake_requests(f), 2);

	/* a new KEK: its key seals, the old one still opens */
	now += 2000;
	{
		struct src srcs[] = { { 3, a.pub }, { 5, e.pub } };

		msg_keys(&m, SESSION, "ed25519", srcs, 2, 5, e.priv);
	}
	msg_data_keys(&m, "9", DK2_HEX, "7", DK1_HEX);
	fake_answer(f, &m);
	ck_assert_int_eq(sam_refresh(rx), SAM_OK);
	ck_assert_int_eq(deliver(k1, 3, rx), SAM_OK);
	ck_assert_int_eq(deliver(k2, 3, rx), SAM_OK);

	/* a sender through mike seals under the current key */
	tx = clocked_ctx(&now);
	ck_assert_int_eq(sam_attach(tx, f->uri, "news", SAM_ATTACH_SIGNING),
					 SAM_OK);
	len = sam_seal(tx, "secret", 6, frame, sizeof(frame));
	ck_assert_int_gt(len, 0);
	/* flags ENCRYPTED, the key ID first in the payload, no plaintext */
	ck_assert_uint_eq(frame[3], 1);
	ck_assert_uint_eq(frame[SAM_HEADER_SIZE + 3], 9);
	ck_assert_ptr_null(memmem(frame, (size_t)len, "secret", 6));
	peer = receiver(SESSION, 5, e.pub);
	add_dk(peer, 9, 0x22);
	{
		sam_frame_info info;

		ck_assert_int_eq(sam_open(peer, frame, (size_t)len, &info), SAM_OK);
		ck_assert_uint_eq(info.payload_len, 6);
		ck_assert_mem_eq(info.payload, "secret", 6);
	}

	/* two KEKs on: the first key is gone */
	now += 2000;
	msg_keys(&m, SESSION, "ed25519",
			 (struct src[]){ { 3, a.pub }, { 5, e.pub } }, 2, 0, NULL);
	msg_data_keys(&m, "11", DK3_HEX, "9", DK2_HEX);
	fake_answer(f, &m);
	ck_assert_int_eq(sam_refresh(rx), SAM_OK);
	ck_assert_int_eq(deliver(k1, 3, rx), SAM_E_DATA_KEY);
	ck_assert_int_eq(deliver(k2, 3, rx), SAM_OK);
	ck_assert_int_eq(deliver(k3, 3, rx), SAM_OK);

	/* encryption switched off: cleartext opens, the keys are gone */
	now += 2000;
	msg_keys(&m, SESSION, "ed25519",
			 (struct src[]){ { 3, a.pub } }, 1, 0, NULL);
	msg_kv(&m, "encrypt", "no");
	fake_answer(f, &m);
	ck_assert_int_eq(sam_refresh(rx), SAM_OK);
	ck_assert_int_eq(deliver(k3, 3, rx), SAM_E_DATA_KEY);
	/* (above the numbers k3 used) */
	ck_assert_int_eq(sam_set_source(plain, 3, 5000), SAM_OK);
	ck_assert_int_eq(deliver(plain, 3, rx), SAM_OK);

	sam_ctx_free(rx);
	sam_ctx_free(tx);
	sam_ctx_free(plain);
	sam_ctx_free(k1);
	sam_ctx_free(k2);
	sam_ctx_free(k3);
	sam_ctx_free(peer);
	sam_key_free(a.key);
	sam_key_free(e.key);
	fake_stop(f);
}
END_TEST

START_TEST(test_attach_signing)
{
	struct fake *f = fake_start();
	struct pair a, e, g;
	struct msg m;
	sam_ctx *rx, *ta, *peer, *peer_g;
	uint64_t now = T0, seq;

	pair_new(&a);
	pair_new(&e);
	pair_new(&g);
	{
		struct src srcs[] = { { 3, a.pub }, { 5, e.pub } };

		msg_keys(&m, SESSION, "ed25519", srcs, 2, 5, e.priv);
	}
	fake_answer(f, &m);
	rx = clocked_ctx(&now);
	ta = sender(SESSION, 3, a.key);
	peer = receiver(SESSION, 5, e.pub);
	peer_g = receiver(SESSION, 5, g.pub);

	ck_assert_int_eq(sam_attach(rx, f->uri, "news", SAM_ATTACH_SIGNING),
					 SAM_OK);
	fake_expect(f, 1, "news", "yes");
	/* a new source: its numbers from the clock */
	ck_assert_uint_eq(sam_next_seq(rx), T0 << 20);
	ck_assert_int_eq(deliver(rx, 5, peer), SAM_OK);
	ck_assert_int_eq(deliver(rx, 5, peer_g), SAM_E_BAD_AUTH);
	/* and a receiver still */
	ck_assert_int_eq(deliver(ta, 3, rx), SAM_OK);

	/* the same key again: the numbers go on */
	now = T0 + 10;
	seq = sam_next_seq(rx);
	ck_assert_int_eq(sam_refresh(rx), SAM_OK);
	fake_expect(f, 2, "news", "yes");
	ck_assert_uint_eq(sam_next_seq(rx), seq);
	ck_assert_int_eq(deliver(rx, 5, peer), SAM_OK);

	/* another key: the numbers from the clock again */
	{
		struct src srcs[] = { { 3, a.pub }, { 5, g.pub } };

		msg_keys(&m, SESSION, "ed25519", srcs, 2, 5, g.priv);
	}
	fake_answer(f, &m);
	ck_assert_int_eq(sam_refresh(rx), SAM_OK);
	ck_assert_uint_eq(sam_next_seq(rx), (T0 + 10) << 20);
	ck_assert_int_eq(deliver(rx, 5, peer), SAM_E_BAD_AUTH);
	ck_assert_int_eq(deliver(rx, 5, peer_g), SAM_OK);

	/* without the flag no signing key is asked for */
	sam_ctx_free(rx);
	rx = clocked_ctx(&now);
	{
		struct src srcs[] = { { 3, a.pub }, { 5, g.pub } };

		msg_keys(&m, SESSION, "ed25519", srcs, 2, 0, NULL);
	}
	fake_answer(f, &m);
	ck_assert_int_eq(sam_attach(rx, f->uri, "news", 0), SAM_OK);
	fake_expect(f, 4, "news", "");
	ck_assert_int_eq(deliver(ta, 3, rx), SAM_OK);

	sam_ctx_free(rx);
	sam_ctx_free(ta);
	sam_ctx_free(peer);
	sam_ctx_free(peer_g);
	sam_key_free(a.key);
	sam_key_free(e.key);
	sam_key_free(g.key);
	fake_stop(f);
}
END_TEST

START_TEST(test_attach_nokey)
{
	struct fake *f = fake_start();
	struct pair a, e;
	struct msg m;
	sam_ctx *rx;
	uint64_t now = T0;
	uint8_t frame[256];

	pair_new(&a);
	pair_new(&e);
	rx = clocked_ctx(&now);
	{
		struct src srcs[] = { { 3, a.pub }, { 5, e.pub } };

		/* neither source nor signing key */
		msg_keys(&m, SESSION, "ed25519", srcs, 2, 0, NULL);
		fake_answer(f, &m);
		ck_assert_int_eq(sam_attach(rx, f->uri, "news",
									SAM_ATTACH_SIGNING), SAM_E_NOKEY);
		ck_assert_ptr_nonnull(strstr(sam_attach_error(rx), "signing key"));
		/* the key but no source id */
		msg_keys(&m, SESSION, "ed25519", srcs, 2, 0, e.priv);
		fake_answer(f, &m);
		ck_assert_int_eq(sam_attach(rx, f->uri, "news",
									SAM_ATTACH_SIGNING), SAM_E_NOKEY);
		ck_assert_ptr_nonnull(strstr(sam_attach_error(rx), "signing key"));
		/* the source id but no key */
		msg_keys(&m, SESSION, "ed25519", srcs, 2, 5, NULL);
		fake_answer(f, &m);
		ck_assert_int_eq(sam_attach(rx, f->uri, "news",
									SAM_ATTACH_SIGNING), SAM_E_NOKEY);
		ck_assert_ptr_nonnull(strstr(sam_attach_error(rx), "signing key"));
	}
	fake_expect(f, 3, "news", "yes");
	ck_assert_int_eq(sam_seal(rx, "x", 1, frame, sizeof(frame)),
					 SAM_E_NOKEY);

	sam_ctx_free(rx);
	sam_key_free(a.key);
	sam_key_free(e.key);
	fake_stop(f);
}
END_TEST

/** The refresh must fail with err, its reason naming what */
static void refresh_fails(struct fake *f, sam_ctx *rx, struct msg *m,
						  int err, const char *what)
{
	fake_answer(f, m);
	ck_assert_int_eq(sam_refresh(rx), err);
	ck_assert_msg(strstr(sam_attach_error(rx), what),
				  "'%s' does not say '%s'", sam_attach_error(rx), what);
}

START_TEST(test_attach_bad_key)
{
	struct fake *f = fake_start();
	struct pair a, b, c, e;
	struct msg m;
	sam_ctx *rx, *ta, *tb, *tc, *peer;
	uint64_t now = T0, seq;

	pair_new(&a);
	pair_new(&b);
	pair_new(&c);
	pair_new(&e);
	{
		struct src srcs[] = { { 3, a.pub }, { 5, e.pub }, { 17, b.pub } };

		msg_keys(&m, SESSION, "ed25519", srcs, 3, 5, e.priv);
	}
	fake_answer(f, &m);
	rx = clocked_ctx(&now);
	ta = sender(SESSION, 3, a.key);
	tb = sender(SESSION, 17, b.key);
	tc = sender(SESSION + 1, 29, c.key);
	peer = receiver(SESSION, 5, e.pub);
	ck_assert_int_eq(sam_attach(rx, f->uri, "news", SAM_ATTACH_SIGNING),
					 SAM_OK);
	ck_assert_int_eq(deliver(ta, 3, rx), SAM_OK);
	ck_assert_int_eq(deliver(rx, 5, peer), SAM_OK);
	seq = sam_next_seq(rx);

	/* every answer below would drop 3, add 29, move the session, if it
	 * were applied; one key of each is unusable */
	{
		struct src srcs[] = { { 5, e.pub }, { 17, b.pub },
							  { 29, GARBAGE_PEM } };

		msg_keys(&m, SESSION + 1, "ed25519", srcs, 3, 5, e.priv);
		refresh_fails(f, rx, &m, SAM_E_KEY, "source 29");
	}
	{	/* a private key as a sender's */
		struct src srcs[] = { { 5, e.pub }, { 17, b.pub },
							  { 29, c.priv } };

		msg_keys(&m, SESSION + 1, "ed25519", srcs, 3, 5, e.priv);
		refresh_fails(f, rx, &m, SAM_E_KEY, "source 29");
	}
	{	/* a key of another scheme */
		struct src srcs[] = { { 5, e.pub }, { 17, b.pub },
							  { 29, TV_ECDSA_PUB } };

		msg_keys(&m, SESSION + 1, "ed25519", srcs, 3, 5, e.priv);
		refresh_fails(f, rx, &m, SAM_E_KEY, "source 29");
	}
	{	/* none */
		struct src srcs[] = { { 5, e.pub }, { 17, b.pub }, { 29, NULL } };

		msg_keys(&m, SESSION + 1, "ed25519", srcs, 3, 5, e.priv);
		refresh_fails(f, rx, &m, SAM_E_KEY, "source 29");
	}
	{	/* this host's signing key */
		struct src srcs[] = { { 5, e.pub }, { 17, b.pub }, { 29, c.pub } };

		msg_keys(&m, SESSION + 1, "ed25519", srcs, 3, 5, GARBAGE_PEM);
		refresh_fails(f, rx, &m, SAM_E_KEY, "signing key");
		msg_keys(&m, SESSION + 1, "ed25519", srcs, 3, 5, c.pub);
		refresh_fails(f, rx, &m, SAM_E_KEY, "signing key");
		msg_keys(&m, SESSION + 1, "ed25519", srcs, 3, 5, TV_ECDSA_KEY);
		refresh_fails(f, rx, &m, SAM_E_KEY, "signing key");
		/* a scheme libsam does not know */
		msg_keys(&m, SESSION + 1, "ed448", srcs, 3, 5, c.priv);
		refresh_fails(f, rx, &m, SAM_E_SCHEME, "ed448");
	}
	fake_expect(f, 9, "news", "yes");
	/* nothing changed */
	ck_assert_int_eq(deliver(ta, 3, rx), SAM_OK);
	ck_assert_int_eq(deliver(tb, 17, rx), SAM_OK);
	ck_assert_int_eq(deliver(tc, 29, rx), SAM_E_SESSION);
	ck_assert_uint_eq(sam_next_seq(rx), seq);
	ck_assert_int_eq(deliver(rx, 5, peer), SAM_OK);

	/* a good answer is taken again, and clears the reason */
	{
		struct src srcs[] = { { 5, e.pub }, { 29, c.pub } };

		msg_keys(&m, SESSION + 1, "ed25519", srcs, 2, 5, e.priv);
	}
	fake_answer(f, &m);
	ck_assert_int_eq(sam_refresh(rx), SAM_OK);
	ck_assert_str_eq(sam_attach_error(rx), "");
	ck_assert_int_eq(deliver(tc, 29, rx), SAM_OK);

	sam_ctx_free(rx);
	sam_ctx_free(ta);
	sam_ctx_free(tb);
	sam_ctx_free(tc);
	sam_ctx_free(peer);
	sam_key_free(a.key);
	sam_key_free(b.key);
	sam_key_free(c.key);
	sam_key_free(e.key);
	fake_stop(f);
}
END_TEST

START_TEST(test_attach_refused)
{
	struct fake *f = fake_start();
	struct pair a;
	struct msg m;
	sam_ctx *rx, *rx2, *ta;
	uint64_t now = T0;

	pair_new(&a);
	rx = clocked_ctx(&now);
	rx2 = clocked_ctx(&now);
	ta = sender(SESSION, 3, a.key);

	/* refused at once: nothing set */
	msg_error(&m, DENIED);
	fake_answer(f, &m);
	ck_assert_int_eq(sam_attach(rx2, f->uri, "news", 0), SAM_E_DENIED);
	ck_assert_str_eq(sam_attach_error(rx2), DENIED);
	ck_assert_int_eq(deliver(ta, 3, rx2), SAM_E_NOSESSION);
	msg_error(&m, NOT_REGISTERED);
	fake_answer(f, &m);
	ck_assert_int_eq(sam_attach(rx2, f->uri, "news", SAM_ATTACH_SIGNING),
					 SAM_E_ATTACH);
	ck_assert_str_eq(sam_attach_error(rx2), NOT_REGISTERED);
	fake_expect(f, 2, "news", "yes");

	/* refused later: what it had stays */
	{
		struct src srcs[] = { { 3, a.pub } };

		msg_keys(&m, SESSION, "ed25519", srcs, 1, 0, NULL);
	}
	fake_answer(f, &m);
	ck_assert_int_eq(sam_attach(rx, f->uri, "news", 0), SAM_OK);
	msg_error(&m, DENIED);
	fake_answer(f, &m);
	ck_assert_int_eq(sam_refresh(rx), SAM_E_DENIED);
	ck_assert_str_eq(sam_attach_error(rx), DENIED);
	ck_assert_int_eq(deliver(ta, 3, rx), SAM_OK);
	msg_error(&m, NOT_REGISTERED);
	fake_answer(f, &m);
	ck_assert_int_eq(sam_refresh(rx), SAM_E_ATTACH);
	ck_assert_str_eq(sam_attach_error(rx), NOT_REGISTERED);
	ck_assert_int_eq(deliver(ta, 3, rx), SAM_OK);
	/* an answer that breaks the protocol */
	prefix(&m);
	msg_section(&m, "unclosed");
	fake_answer(f, &m);
	ck_assert_int_eq(sam_refresh(rx), SAM_E_MALFORMED);
	ck_assert_str_ne(sam_attach_error(rx), "");
	ck_assert_int_eq(deliver(ta, 3, rx), SAM_OK);
	fake_expect(f, 6, "news", "");

	sam_ctx_free(rx);
	sam_ctx_free(rx2);
	sam_ctx_free(ta);
	sam_key_free(a.key);
	fake_stop(f);
}
END_TEST

START_TEST(test_attach_unreachable)
{
	struct fake *f = fake_start();
	struct pair a;
	struct msg m;
	sam_ctx *rx, *ta;
	uint64_t now = T0;
	char uri[160], path[128];

	pair_new(&a);
	rx = clocked_ctx(&now);
	ta = sender(SESSION, 3, a.key);

	/* nothing listens there */
	snprintf(path, sizeof(path), "%s/nothing", f->dir);
	snprintf(uri, sizeof(uri), "unix://%s", path);
	ck_assert_int_eq(sam_attach(rx, uri, "news", 0), SAM_E_ATTACH);
	ck_assert_msg(strstr(sam_attach_error(rx), path),
				  "'%s' does not name %s", sam_attach_error(rx), path);
	/* a directory */
	snprintf(uri, sizeof(uri), "unix://%s", f->dir);
	ck_assert_int_eq(sam_attach(rx, uri, "news", 0), SAM_E_ATTACH);
	ck_assert_ptr_nonnull(strstr(sam_attach_error(rx), f->dir));
	ck_assert_int_eq(fake_requests(f), 0);

	/* the plugin hangs up, or sends too much, or too little */
	fake_mode(f, FAKE_CLOSE);
	ck_assert_int_eq(sam_attach(rx, f->uri, "news", 0), SAM_E_ATTACH);
	ck_assert_ptr_nonnull(strstr(sam_attach_error(rx), "did not answer"));
	ck_assert_ptr_nonnull(strstr(sam_attach_error(rx), f->path));
	fake_mode(f, FAKE_OVERSIZE);
	ck_assert_int_eq(sam_attach(rx, f->uri, "news", 0), SAM_E_MALFORMED);
	ck_assert_ptr_nonnull(strstr(sam_attach_error(rx), "65537"));
	{
		struct src srcs[] = { { 3, a.pub } };

		msg_keys(&m, SESSION, "ed25519", srcs, 1, 0, NULL);
	}
	fake_answer(f, &m);
	fake_mode(f, FAKE_TRUNCATE);
	ck_assert_int_eq(sam_attach(rx, f->uri, "news", 0), SAM_E_ATTACH);
	ck_assert_ptr_nonnull(strstr(sam_attach_error(rx), "truncated"));
	fake_expect(f, 3, "news", "");
	ck_assert_int_eq(deliver(ta, 3, rx), SAM_E_NOSESSION);

	/* it answers; then it is gone */
	fake_mode(f, FAKE_ANSWER);
	ck_assert_int_eq(sam_attach(rx, f->uri, "news", 0), SAM_OK);
	ck_assert_int_eq(deliver(ta, 3, rx), SAM_OK);
	snprintf(path, sizeof(path), "%s", f->path);
	fake_stop(f);
	ck_assert_int_eq(sam_refresh(rx), SAM_E_ATTACH);
	ck_assert_ptr_nonnull(strstr(sam_attach_error(rx), path));
	ck_assert_int_eq(deliver(ta, 3, rx), SAM_OK);

	sam_ctx_free(rx);
	sam_ctx_free(ta);
	sam_key_free(a.key);
}
END_TEST

START_TEST(test_attach_default_uri)
{
	static const char path[] = "/run/charon.mike";
	sam_ctx *rx = tc_ctx();
	int rc;

	ck_assert_str_eq(SAM_MIKE_DEFAULT_URI, "unix:///run/charon.mike");
	rc = sam_attach(rx, NULL, "news", 0);
	ck_assert_int_ne(rc, SAM_E_INVAL);
	if (access(path, F_OK) != 0)
	{	/* no plugin on this host */
		ck_assert_int_eq(rc, SAM_E_ATTACH);
		ck_assert_ptr_nonnull(strstr(sam_attach_error(rx), path));
	}
	sam_ctx_free(rx);
}
END_TEST

START_TEST(test_attach_inval)
{
	static const char *const bad_uris[] = {
		"", "unix:", "unix:/", "unix://", "unix://relative/path",
		"file:///tmp/x", "/tmp/x", "UNIX:///tmp/x", "unix:/tmp/x",
		"tcp://127.0.0.1:4502",
	};
	static const unsigned int bad_flags[] = { 0x2, 0x3, 0x100, 0x80000000,
											  ~0u };
	struct fake *f = fake_start();
	struct pair a;
	struct msg m;
	sam_ctx *rx;
	uint64_t now = T0;
	char group[300], uri[300];
	size_t i;

	pair_new(&a);
	{
		struct src srcs[] = { { 3, a.pub } };

		msg_keys(&m, SESSION, "ed25519", srcs, 1, 0, NULL);
	}
	fake_answer(f, &m);
	rx = clocked_ctx(&now);

	ck_assert_int_eq(sam_attach(NULL, f->uri, "news", 0), SAM_E_INVAL);
	ck_assert_int_eq(sam_attach(rx, f->uri, NULL, 0), SAM_E_INVAL);
	ck_assert_int_eq(sam_attach(rx, f->uri, "", 0), SAM_E_INVAL);
	for (i = 0; i < sizeof(bad_uris) / sizeof(bad_uris[0]); i++)
	{
		ck_assert_msg(sam_attach(rx, bad_uris[i], "news", 0) == SAM_E_INVAL,
					  "uri '%s' taken", bad_uris[i]);
	}
	for (i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++)
	{
		ck_assert_msg(sam_attach(rx, f->uri, "news", bad_flags[i]) ==
					  SAM_E_INVAL, "flags %#x taken", bad_flags[i]);
	}
	/* a group name too long for the protocol */
	memset(group, 'g', 256);
	group[256] = '\0';
	ck_assert_int_eq(sam_attach(rx, f->uri, group, 0), SAM_E_INVAL);
	/* a path too long for a UNIX socket */
	memset(uri, 'p', sizeof(uri));
	memcpy(uri, "unix:///", 8);
	uri[7 + 108] = '\0';
	ck_assert_int_eq(sam_attach(rx, uri, "news", 0), SAM_E_INVAL);
	/* not attached */
	ck_assert_int_eq(sam_refresh(NULL), SAM_E_INVAL);
	ck_assert_int_eq(sam_refresh(rx), SAM_E_INVAL);
	ck_assert_str_eq(sam_attach_error(NULL), "");
	ck_assert_str_eq(sam_attach_error(rx), "");
	ck_assert_int_eq(fake_requests(f), 0);

	/* the longest group name goes through */
	group[255] = '\0';
	ck_assert_int_eq(sam_attach(rx, f->uri, group, 0), SAM_OK);
	fake_expect(f, 1, group, "");

	sam_ctx_free(rx);
	sam_key_free(a.key);
	fake_stop(f);
}
END_TEST

/** Allocations and frees through a memory context */
struct counter {
	int allocs;
	int frees;
};

static void *count_alloc(void *user, size_t size)
{
	((struct counter *)user)->allocs++;
	return malloc(size);
}

static void *count_realloc(void *user, void *ptr, size_t size)
{
	if (!ptr)
	{
		((struct counter *)user)->allocs++;
	}
	return realloc(ptr, size);
}

static void count_free(void *user, void *ptr)
{
	if (ptr)
	{
		((struct counter *)user)->frees++;
	}
	free(ptr);
}

START_TEST(test_attach_mem)
{
	struct counter count = { 0, 0 };
	sam_mem_ops mem = {
		.alloc = count_alloc,
		.realloc = count_realloc,
		.free = count_free,
		.user = &count,
	};
	struct fake *f = fake_start();
	struct pair a, e;
	struct msg m;
	sam_ctx *rx = NULL;
	int before;

	pair_new(&a);
	pair_new(&e);
	{
		struct src srcs[] = { { 3, a.pub }, { 5, e.pub } };

		msg_keys(&m, SESSION, "ed25519", srcs, 2, 5, e.priv);
	}
	fake_answer(f, &m);
	ck_assert_int_eq(sam_ctx_new(&mem, &rx), SAM_OK);
	before = count.allocs;
	ck_assert_int_eq(sam_attach(rx, f->uri, "news", SAM_ATTACH_SIGNING),
					 SAM_OK);
	ck_assert_int_eq(sam_refresh(rx), SAM_OK);
	/* the keeper's state comes from the context's allocator */
	ck_assert_int_gt(count.allocs, before);
	sam_ctx_free(rx);
	ck_assert_int_eq(count.frees, count.allocs);

	sam_key_free(a.key);
	sam_key_free(e.key);
	fake_stop(f);
}
END_TEST

/* ---- bootstraps ---------------------------------------------------------- */

#define PUBLISHED_DENIED "sam-bootstrap: permission denied: uid 65534 is " \
	"not in local_senders of group 'news'"

/** A published response for group */
static void msg_published(struct msg *m, const char *group)
{
	msg_init(m, V1, T_RESPONSE);
	msg_kv(m, "published", group);
}

START_TEST(test_attach_publish)
{
	struct fake *f = fake_start();
	struct pair a;
	struct msg m;
	sam_ctx *tx, *rx, *check;
	uint64_t now = T0, issued;
	uint8_t blob[SAM_MAX_BOOTSTRAP], body[SAM_MAX_BOOTSTRAP_BODY + 1];
	const uint8_t *got;
	size_t len, got_len;
	uint32_t source;

	pair_new(&a);
	{
		struct src srcs[] = { { 3, a.pub } };
		const char *const boots[] = { NULL };

		msg_keys_boot(&m, SESSION, "ed25519", srcs, boots, 1, 3, a.priv);
	}
	fake_answer(f, &m);
	tx = clocked_ctx(&now);
	rx = clocked_ctx(&now);
	/* not attached */
	ck_assert_int_eq(sam_publish_bootstrap(tx, "x", 1), SAM_E_INVAL);
	ck_assert_int_eq(sam_publish_bootstrap(NULL, "x", 1), SAM_E_INVAL);
	ck_assert_int_eq(sam_attach(tx, f->uri, "news", SAM_ATTACH_SIGNING),
					 SAM_OK);
	ck_assert_int_eq(sam_attach(rx, f->uri, "news", 0), SAM_OK);
	/* a receiver has nothing to sign with */
	ck_assert_int_eq(sam_publish_bootstrap(rx, "x", 1), SAM_E_NOKEY);
	ck_assert_int_eq(fake_requests(f), 2);

	msg_published(&m, "news");
	fake_answer(f, &m);
	now = T0 + 42;
	ck_assert_int_eq(sam_publish_bootstrap(tx, "chain", 5), SAM_OK);
	ck_assert_str_eq(sam_attach_error(tx), "");
	len = fake_expect_bootstrap(f, 3, "news", blob, sizeof(blob));
	/* what the plugin got is a bootstrap of source 3 any member checks */
	check = receiver(SESSION, 3, a.pub);
	ck_assert_int_eq(sam_bootstrap_open(check, blob, len, &source, &got,
										&got_len, &issued), SAM_OK);
	ck_assert_uint_eq(source, 3);
	ck_assert_uint_eq(issued, T0 + 42);
	ck_assert_uint_eq(got_len, 5);
	ck_assert_mem_eq(got, "chain", 5);
	/* the largest body, and one too large (not sent) */
	memset(body, 'b', sizeof(body));
	ck_assert_int_eq(sam_publish_bootstrap(tx, body, SAM_MAX_BOOTSTRAP_BODY),
					 SAM_OK);
	ck_assert_uint_eq(fake_expect_bootstrap(f, 4, "news", blob,
											sizeof(blob)),
					  SAM_MAX_BOOTSTRAP);
	ck_assert_int_eq(sam_publish_bootstrap(tx, body,
										   SAM_MAX_BOOTSTRAP_BODY + 1),
					 SAM_E_TOOBIG);
	ck_assert_int_eq(fake_requests(f), 4);

	/* the plugin says no */
	msg_error(&m, PUBLISHED_DENIED);
	fake_answer(f, &m);
	ck_assert_int_eq(sam_publish_bootstrap(tx, "x", 1), SAM_E_DENIED);
	ck_assert_str_eq(sam_attach_error(tx), PUBLISHED_DENIED);
	msg_error(&m, "sam-bootstrap: the GCKS refused it");
	fake_answer(f, &m);
	ck_assert_int_eq(sam_publish_bootstrap(tx, "x", 1), SAM_E_ATTACH);
	ck_assert_str_eq(sam_attach_error(tx),
					 "sam-bootstrap: the GCKS refused it");
	/* or answers what it should not */
	msg_published(&m, "video");
	fake_answer(f, &m);
	ck_assert_int_eq(sam_publish_bootstrap(tx, "x", 1), SAM_E_MALFORMED);
	ck_assert_ptr_nonnull(strstr(sam_attach_error(tx), "news"));
	msg_init(&m, V1, T_RESPONSE);
	fake_answer(f, &m);
	ck_assert_int_eq(sam_publish_bootstrap(tx, "x", 1), SAM_E_MALFORMED);
	msg_published(&m, "news");
	msg_section(&m, "unclosed");
	fake_answer(f, &m);
	ck_assert_int_eq(sam_publish_bootstrap(tx, "x", 1), SAM_E_MALFORMED);
	fake_mode(f, FAKE_CLOSE);
	ck_assert_int_eq(sam_publish_bootstrap(tx, "x", 1), SAM_E_ATTACH);
	ck_assert_ptr_nonnull(strstr(sam_attach_error(tx), "did not answer"));
	ck_assert_int_eq(fake_requests(f), 10);

	sam_ctx_free(tx);
	sam_ctx_free(rx);
	sam_ctx_free(check);
	sam_key_free(a.key);
	fake_stop(f);
}
END_TEST

/** Seal body as source of session under key into hex */
static char *sealed_hex(uint32_t source, const sam_key *key, uint64_t *now,
						const char *body, char *hex)
{
	uint8_t blob[SAM_MAX_BOOTSTRAP];
	sam_ctx *tx = sender(SESSION, source, key);
	ssize_t len;

	ck_assert_int_eq(sam_set_clock(tx, test_clock, now), SAM_OK);
	len = sam_bootstrap_seal(tx, body, strlen(body), blob, sizeof(blob));
	ck_assert_int_gt(len, 0);
	sam_ctx_free(tx);
	return to_hex(blob, (size_t)len, hex);
}

/** rx must hold body, issued at issued, for source */
static void assert_bootstrap(sam_ctx *rx, uint32_t source, const char *body,
							 uint64_t issued)
{
	uint8_t buf[SAM_MAX_BOOTSTRAP_BODY];
	uint64_t got = 0;
	ssize_t len;

	len = sam_get_bootstrap(rx, source, buf, sizeof(buf), &got);
	ck_assert_msg(len == (ssize_t)strlen(body), "source %u: %zd", source,
				  len);
	ck_assert_mem_eq(buf, body, strlen(body));
	ck_assert_uint_eq(got, issued);
}

START_TEST(test_attach_bootstrap)
{
	struct fake *f = fake_start();
	struct pair a, b;
	struct msg m;
	sam_ctx *rx, *tb;
	uint64_t now = T0, then = T0 - 1000;
	char ha[2 * SAM_MAX_BOOTSTRAP + 1], hb[2 * SAM_MAX_BOOTSTRAP + 1];
	char forged[2 * SAM_MAX_BOOTSTRAP + 1], other[2 * SAM_MAX_BOOTSTRAP + 1];
	uint8_t small[2];

	pair_new(&a);
	pair_new(&b);
	sealed_hex(3, a.key, &then, "chain of 3", ha);
	sealed_hex(17, b.key, &now, "chain of 17", hb);
	/* source 3 signs as 17 */
	sealed_hex(17, a.key, &now, "forged", forged);
	rx = clocked_ctx(&now);
	ck_assert_int_eq(sam_get_bootstrap(rx, 3, small, sizeof(small), NULL),
					 SAM_E_INVAL);
	{
		struct src srcs[] = { { 3, a.pub }, { 17, b.pub } };
		const char *const boots[] = { ha, hb };

		msg_keys_boot(&m, SESSION, "ed25519", srcs, boots, 2, 0, NULL);
	}
	fake_answer(f, &m);
	ck_assert_int_eq(sam_attach(rx, f->uri, "news", 0), SAM_OK);
	ck_assert_str_eq(sam_attach_error(rx), "");
	assert_bootstrap(rx, 3, "chain of 3", T0 - 1000);
	assert_bootstrap(rx, 17, "chain of 17", T0);
	{
		uint32_t ids[3] = { 0, 0, 0 };

		ck_assert_uint_eq(sam_bootstrap_sources(rx, ids, 3), 2);
		ck_assert_uint_eq(ids[0], 3);
		ck_assert_uint_eq(ids[1], 17);
		ck_assert_uint_eq(sam_bootstrap_sources(rx, ids, 1), 2);
		ck_assert_uint_eq(sam_bootstrap_sources(rx, NULL, 0), 2);
		ck_assert_uint_eq(sam_bootstrap_sources(NULL, ids, 3), 0);
	}
	ck_assert_int_eq(sam_get_bootstrap(rx, 5, small, sizeof(small), NULL),
					 SAM_E_NOKEY);
	ck_assert_int_eq(sam_get_bootstrap(rx, 3, small, sizeof(small), NULL),
					 SAM_E_BUFSIZE);
	ck_assert_int_eq(sam_get_bootstrap(rx, 3, NULL, 1, NULL), SAM_E_INVAL);

	/* a forged one is dropped; the source stays, and so does the refresh */
	{
		struct src srcs[] = { { 3, a.pub }, { 17, b.pub } };
		const char *const boots[] = { ha, forged };

		msg_keys_boot(&m, SESSION, "ed25519", srcs, boots, 2, 0, NULL);
	}
	fake_answer(f, &m);
	ck_assert_int_eq(sam_refresh(rx), SAM_OK);
	ck_assert_ptr_nonnull(strstr(sam_attach_error(rx), "source 17"));
	ck_assert_ptr_nonnull(strstr(sam_attach_error(rx),
								 sam_strerror(SAM_E_BAD_AUTH)));
	assert_bootstrap(rx, 3, "chain of 3", T0 - 1000);
	ck_assert_int_eq(sam_get_bootstrap(rx, 17, NULL, 0, NULL), SAM_E_NOKEY);
	tb = sender(SESSION, 17, b.key);
	ck_assert_int_eq(deliver(tb, 17, rx), SAM_OK);
	sam_ctx_free(tb);

	/* another sender's genuine one under its section; another session's;
	 * not an envelope at all */
	sealed_hex(3, a.key, &now, "x", other);
	{
		struct src srcs[] = { { 3, a.pub }, { 17, b.pub } };
		const char *const boots[] = { "01", other };

		msg_keys_boot(&m, SESSION, "ed25519", srcs, boots, 2, 0, NULL);
	}
	fake_answer(f, &m);
	ck_assert_int_eq(sam_refresh(rx), SAM_OK);
	ck_assert_ptr_nonnull(strstr(sam_attach_error(rx), "source 3"));
	ck_assert_ptr_nonnull(strstr(sam_attach_error(rx), "1 more"));
	ck_assert_int_eq(sam_get_bootstrap(rx, 3, NULL, 0, NULL), SAM_E_NOKEY);
	ck_assert_int_eq(sam_get_bootstrap(rx, 17, NULL, 0, NULL), SAM_E_NOKEY);
	{
		struct src srcs[] = { { 17, b.pub } };
		const char *const boots[] = { other };

		msg_keys_boot(&m, SESSION, "ed25519", srcs, boots, 1, 0, NULL);
	}
	fake_answer(f, &m);
	ck_assert_int_eq(sam_refresh(rx), SAM_OK);
	ck_assert_ptr_nonnull(strstr(sam_attach_error(rx),
								 "signed as another source"));

	/* back, then source 3 leaves and takes its bootstrap along */
	{
		struct src srcs[] = { { 3, a.pub }, { 17, b.pub } };
		const char *const boots[] = { ha, hb };

		msg_keys_boot(&m, SESSION, "ed25519", srcs, boots, 2, 0, NULL);
	}
	fake_answer(f, &m);
	ck_assert_int_eq(sam_refresh(rx), SAM_OK);
	assert_bootstrap(rx, 3, "chain of 3", T0 - 1000);
	{
		struct src srcs[] = { { 17, b.pub } };
		const char *const boots[] = { hb };

		msg_keys_boot(&m, SESSION, "ed25519", srcs, boots, 1, 0, NULL);
	}
	fake_answer(f, &m);
	ck_assert_int_eq(sam_refresh(rx), SAM_OK);
	ck_assert_str_eq(sam_attach_error(rx), "");
	ck_assert_int_eq(sam_get_bootstrap(rx, 3, NULL, 0, NULL), SAM_E_NOKEY);
	assert_bootstrap(rx, 17, "chain of 17", T0);
	ck_assert_uint_eq(sam_bootstrap_sources(rx, NULL, 0), 1);
	/* the plugin no longer has 17's: gone, too */
	{
		struct src srcs[] = { { 17, b.pub } };
		const char *const boots[] = { NULL };

		msg_keys_boot(&m, SESSION, "ed25519", srcs, boots, 1, 0, NULL);
	}
	fake_answer(f, &m);
	ck_assert_int_eq(sam_refresh(rx), SAM_OK);
	ck_assert_int_eq(sam_get_bootstrap(rx, 17, NULL, 0, NULL), SAM_E_NOKEY);
	/* a refresh that fails keeps what there was */
	{
		struct src srcs[] = { { 17, b.pub } };
		const char *const boots[] = { hb };

		msg_keys_boot(&m, SESSION, "ed25519", srcs, boots, 1, 0, NULL);
	}
	fake_answer(f, &m);
	ck_assert_int_eq(sam_refresh(rx), SAM_OK);
	msg_error(&m, NOT_REGISTERED);
	fake_answer(f, &m);
	ck_assert_int_eq(sam_refresh(rx), SAM_E_ATTACH);
	assert_bootstrap(rx, 17, "chain of 17", T0);

	sam_ctx_free(rx);
	sam_key_free(a.key);
	sam_key_free(b.key);
	fake_stop(f);
}
END_TEST

/* a tesla source's verified bootstrap is its chain commitment at once */
START_TEST(test_attach_tesla)
{
	struct fake *f = fake_start();
	uint8_t body[SAM_TESLA_BOOTSTRAP_BODY], blob[SAM_MAX_BOOTSTRAP];
	uint8_t frame[128];
	char hex[2 * SAM_MAX_BOOTSTRAP + 1];
	uint64_t now = T0;
	struct pair a;
	struct msg m;
	sam_ctx *rx, *tx;
	ssize_t len;

	pair_new(&a);
	ck_assert_int_eq(sam_key_set_scheme(a.key, SAM_SCHEME_TESLA), SAM_OK);
	tx = sender(SESSION, 3, a.key);
	ck_assert_int_eq(sam_set_clock(tx, test_clock, &now), SAM_OK);
	ck_assert_int_eq(sam_set_tesla(tx, 0, 0, 100), SAM_OK);
	ck_assert_int_eq(sam_tesla_bootstrap_body(tx, body, sizeof(body)), 38);
	len = sam_bootstrap_seal(tx, body, 38, blob, sizeof(blob));
	ck_assert_int_gt(len, 0);
	to_hex(blob, (size_t)len, hex);
	rx = clocked_ctx(&now);
	{
		struct src srcs[] = { { 3, a.pub } };
		const char *const boots[] = { hex };

		msg_keys_boot(&m, SESSION, "tesla", srcs, boots, 1, 0, NULL);
	}
	fake_answer(f, &m);
	ck_assert_int_eq(sam_attach(rx, f->uri, "news", 0), SAM_OK);
	ck_assert_str_eq(sam_attach_error(rx), "");
	len = sam_seal(tx, "x", 1, frame, sizeof(frame));
	ck_assert_int_gt(len, 0);
	/* not SAM_E_NOKEY: the commitment is there */
	ck_assert_int_eq(sam_open(rx, frame, (size_t)len, NULL), SAM_PENDING);
	sam_ctx_free(tx);
	sam_ctx_free(rx);
	sam_key_free(a.key);
	fake_stop(f);
}
END_TEST

Suite *suite_attach(void)
{
	Suite *s = suite_create("attach");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_parse_valid);
	tcase_add_test(tc, test_parse_unknown);
	tcase_add_test(tc, test_parse_limits);
	tcase_add_test(tc, test_parse_error);
	tcase_add_test(tc, test_parse_malformed);
	tcase_add_test(tc, test_parse_data_keys);
	tcase_add_test(tc, test_parse_bootstrap);
	suite_add_tcase(s, tc);

	tc = tcase_create("attach");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_attach_basic);
	tcase_add_test(tc, test_attach_refresh);
	tcase_add_test(tc, test_attach_urgent);
	tcase_add_test(tc, test_attach_poll);
	tcase_add_test(tc, test_attach_signing);
	tcase_add_test(tc, test_attach_encrypt);
	tcase_add_test(tc, test_attach_nokey);
	tcase_add_test(tc, test_attach_bad_key);
	tcase_add_test(tc, test_attach_refused);
	tcase_add_test(tc, test_attach_unreachable);
	tcase_add_test(tc, test_attach_default_uri);
	tcase_add_test(tc, test_attach_inval);
	tcase_add_test(tc, test_attach_mem);
	tcase_add_test(tc, test_attach_publish);
	tcase_add_test(tc, test_attach_bootstrap);
	tcase_add_test(tc, test_attach_tesla);
	suite_add_tcase(s, tc);
	return s;
}
