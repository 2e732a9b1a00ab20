/*
 * sam-keys over the mike plugin's control socket: the request is built by
 * hand, the response walked element by element with the protocol's rules
 * (docs/control-socket.md), so that libsam needs nothing of strongSwan.
 * Every value is bounded by the message (at most 64 KiB) and checked
 * before it is used; what the walk does not need is skipped.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "mike_client.h"

/** the protocol's version, message types and element types */
#define MSG_VERSION 1
#define MSG_REQUEST 1
#define MSG_RESPONSE 2
#define MSG_ERROR 3
#define EL_SECTION_START 1
#define EL_SECTION_END 2
#define EL_KEY_VALUE 3
#define EL_LIST_START 4
#define EL_LIST_ITEM 5
#define EL_LIST_END 6

/** largest message after its length field, and nesting */
#define MSG_MAX 65536
#define MAX_DEPTH 16

/** largest request: sam-bootstrap's group name and hex envelope */
#define REQUEST_MAX 1024

/** seconds to wait for the plugin */
#define TIMEOUT 5

static void say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list args;

	if (errlen)
	{
		va_start(args, fmt);
		vsnprintf(err, errlen, fmt, args);
		va_end(args);
	}
}

/** A position in the message */
struct reader {
	const uint8_t *pos, *end;
};

static int read_name(struct reader *r, const uint8_t **name, size_t *len)
{
	if (r->end - r->pos < 1)
	{
		return 0;
	}
	*len = r->pos[0];
	if (*len == 0 || (size_t)(r->end - r->pos - 1) < *len ||
		memchr(r->pos + 1, 0, *len))
	{
		return 0;
	}
	*name = r->pos + 1;
	r->pos += 1 + *len;
	return 1;
}

static int read_value(struct reader *r, const uint8_t **value, size_t *len)
{
	if (r->end - r->pos < 2)
	{
		return 0;
	}
	*len = ((size_t)r->pos[0] << 8) | r->pos[1];
	if ((size_t)(r->end - r->pos - 2) < *len)
	{
		return 0;
	}
	*value = r->pos + 2;
	r->pos += 2 + *len;
	return 1;
}

static int name_is(const uint8_t *name, size_t len, const char *want)
{
	return strlen(want) == len && memcmp(name, want, len) == 0;
}

/** A value as a NUL-terminated string; NULL if it holds a NUL byte */
static char *value_str(const uint8_t *value, size_t len)
{
	char *str;

	if (memchr(value, 0, len))
	{
		return NULL;
	}
	str = malloc(len + 1);
	if (str)
	{
		memcpy(str, value, len);
		str[len] = '\0';
	}
	return str;
}

/** A decimal 1..UINT32_MAX, exactly */
static int parse_u32(const uint8_t *str, size_t len, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 10 || str[0] == '0')
	{
		return 0;
	}
	for (i = 0; i < len; i++)
	{
		if (str[i] < '0' || str[i] > '9')
		{
			return 0;
		}
		v = v * 10 + (str[i] - '0');
	}
	if (v > UINT32_MAX)
	{
		return 0;
	}
	*out = (uint32_t)v;
	return 1;
}

/** A lowercase hex digit's value, -1 for anything else */
static int nibble(uint8_t c)
{
	if (c >= '0' && c <= '9')
	{
		return c - '0';
	}
	if (c >= 'a' && c <= 'f')
	{
		return c - 'a' + 10;
	}
	return -1;
}

/** 8 hex digits, exactly */
static int parse_hex32(const uint8_t *str, size_t len, uint32_t *out)
{
	uint32_t v = 0;
	size_t i;

	if (len != 8)
	{
		return 0;
	}
	for (i = 0; i < len; i++)
	{
		if (nibble(str[i]) < 0)
		{
			return 0;
		}
		v = (v << 4) | (uint32_t)nibble(str[i]);
	}
	*out = v;
	return 1;
}

/** Lowercase hex of 1 to size bytes, an even number of digits */
static int parse_hex(const uint8_t *str, size_t len, uint8_t *out,
					 size_t size, size_t *outlen)
{
	size_t i;

	if (len == 0 || len % 2 || len / 2 > size)
	{
		return 0;
	}
	for (i = 0; i < len; i += 2)
	{
		if (nibble(str[i]) < 0 || nibble(str[i + 1]) < 0)
		{
			return 0;
		}
		out[i / 2] = (uint8_t)((nibble(str[i]) << 4) | nibble(str[i + 1]));
	}
	*outlen = len / 2;
	return 1;
}

/** A data key: exactly 2 * SAM_MIKE_DATA_KEY_SIZE lowercase hex digits */
static int parse_data_key(const uint8_t *str, size_t len, uint8_t *key)
{
	size_t n;

	return len == 2 * SAM_MIKE_DATA_KEY_SIZE &&
		   parse_hex(str, len, key, SAM_MIKE_DATA_KEY_SIZE, &n);
}

/** Take the data key values of the root section: "data_key(_id)" and
 *  "previous_data_key(_id)"; -1 if the name is none of them */
static int take_data_key(struct sam_mike_keys *keys, const uint8_t *name,
						 size_t nlen, const uint8_t *value, size_t vlen)
{
	static const char previous[] = "previous_";
	struct sam_mike_data_key *dk = &keys->data_keys[0];
	uint32_t id;

	if (nlen > strlen(previous) &&
		memcmp(name, previous, strlen(previous)) == 0)
	{
		dk = &keys->data_keys[1];
		name += strlen(previous);
		nlen -= strlen(previous);
	}
	if (name_is(name, nlen, "data_key_id"))
	{	/* once only: a second would pair a key with another's ID */
		if (dk->id || !parse_u32(value, vlen, &id))
		{
			return 0;
		}
		dk->id = id;
		return 1;
	}
	if (name_is(name, nlen, "data_key"))
	{
		if (dk->have_key || !parse_data_key(value, vlen, dk->key))
		{
			return 0;
		}
		dk->have_key = 1;
		return 1;
	}
	return -1;
}

/**
 * Whether an error reason is a refusal: "permission denied: ...", after
 * the command's name ("sam-keys: ") if it leads
 */
static int is_denial(const char *reason, const char *command)
{
	static const char denied[] = "permission denied";
	size_t clen = strlen(command);

	if (strncmp(reason, command, clen) == 0 &&
		strncmp(reason + clen, ": ", 2) == 0)
	{
		reason += clen + 2;
	}
	return strncmp(reason, denied, strlen(denied)) == 0;
}

/** Take a key/value of the root section (the first of each name counts,
 *  as in the protocol) */
static int take_root(struct sam_mike_keys *keys, const uint8_t *name,
					 size_t nlen, const uint8_t *value, size_t vlen,
					 int *have_session)
{
	uint32_t v;
	int taken;

	/* every value is checked, a repeated one does not replace the first */
	taken = take_data_key(keys, name, nlen, value, vlen);
	if (taken >= 0)
	{
		return taken;
	}
	if (name_is(name, nlen, "encrypt"))
	{
		if (keys->encrypt != -1)
		{
			return 0;
		}
		if (name_is(value, vlen, "yes") || name_is(value, vlen, "no"))
		{
			keys->encrypt = name_is(value, vlen, "yes");
			return 1;
		}
		return 0;
	}
	if (name_is(name, nlen, "session"))
	{
		if (!parse_hex32(value, vlen, &v) || !v)
		{
			return 0;
		}
		if (!*have_session)
		{
			keys->session = v;
			*have_session = 1;
		}
		return 1;
	}
	if (name_is(name, nlen, "scheme"))
	{
		if (vlen == 0 || vlen >= sizeof(keys->scheme) ||
			memchr(value, 0, vlen))
		{
			return 0;
		}
		if (!keys->scheme[0])
		{
			memcpy(keys->scheme, value, vlen);
			keys->scheme[vlen] = '\0';
		}
		return 1;
	}
	if (name_is(name, nlen, "source"))
	{
		if (!parse_u32(value, vlen, &v))
		{
			return 0;
		}
		keys->own_source = keys->own_source ?: v;
		return 1;
	}
	if (name_is(name, nlen, "signing_key"))
	{
		if (keys->signing_pem)
		{
			return 0;
		}
		keys->signing_pem = value_str(value, vlen);
		return keys->signing_pem != NULL;
	}
	/* group, and whatever later versions add */
	return 1;
}

/** Start a sender's section in sources */
static int take_source(struct sam_mike_keys *keys, const uint8_t *name,
					   size_t nlen)
{
	struct sam_mike_source *more;
	uint32_t id;
	size_t i, cap;

	if (!parse_u32(name, nlen, &id) ||
		keys->nsources >= SAM_MIKE_MAX_SOURCES)
	{
		return 0;
	}
	for (i = 0; i < keys->nsources; i++)
	{
		if (keys->sources[i].id == id)
		{
			return 0;
		}
	}
	if (keys->nsources == keys->capsources)
	{	/* doubling: a source is a few hundred bytes with its bootstrap */
		cap = keys->capsources ? 2 * keys->capsources : 4;
		more = realloc(keys->sources, cap * sizeof(*more));
		if (!more)
		{
			return 0;
		}
		keys->sources = more;
		keys->capsources = cap;
	}
	keys->sources[keys->nsources++] = (struct sam_mike_source){ .id = id };
	return 1;
}

/**
 * Each data key with its ID and the other way round; encrypted groups have
 * a current one, others none
 */
static int data_keys_consistent(const struct sam_mike_keys *keys)
{
	size_t i;

	for (i = 0; i < 2; i++)
	{
		if (!keys->data_keys[i].id != !keys->data_keys[i].have_key)
		{
			return 0;
		}
	}
	if (keys->encrypt == 1)
	{	/* fail closed: never send in the clear what must be encrypted */
		return keys->data_keys[0].have_key;
	}
	return !keys->data_keys[0].have_key && !keys->data_keys[1].have_key;
}

/**
 * What a walk over a response hands on: the key/values of its root
 * section, and, if source is set, the sections in "sources" (one per
 * sender) and their key/values; each returns 0 to reject the message
 */
struct walker {
	/** the request's command, as an error reason may start with it */
	const char *command;
	int (*root)(void *user, const uint8_t *name, size_t nlen,
				const uint8_t *value, size_t vlen);
	int (*source)(void *user, const uint8_t *name, size_t nlen);
	int (*source_kv)(void *user, const uint8_t *name, size_t nlen,
					 const uint8_t *value, size_t vlen);
	void *user;
};

/**
 * Walk a response or error message element by element.
 *
 * @return			SAM_OK for a response that keeps the protocol;
 *					SAM_E_DENIED or SAM_E_ATTACH for an error message, its
 *					reason in err; SAM_E_MALFORMED
 */
static int walk(const uint8_t *msg, size_t len, const struct walker *w,
				char *err, size_t errlen)
{
	/* where the walk is: 0 root, 1 in sources, 2 in a sender, 3 elsewhere;
	 * a list counts as a level of its own */
	enum { ROOT, SOURCES, SOURCE, OTHER, LIST } where[MAX_DEPTH + 1];
	struct reader r;
	const uint8_t *name, *value;
	size_t nlen, vlen, depth = 0;
	int ok = 1;
	char *reason = NULL;
	uint8_t type;

	say(err, errlen, "");
	if (len < 2 || msg[0] != MSG_VERSION ||
		(msg[1] != MSG_RESPONSE && msg[1] != MSG_ERROR))
	{
		say(err, errlen, "not a response of control protocol version 1");
		return SAM_E_MALFORMED;
	}
	type = msg[1];
	r = (struct reader){ .pos = msg + 2, .end = msg + len };
	where[0] = ROOT;
	while (ok && r.pos < r.end)
	{
		switch (*r.pos++)
		{
			case EL_SECTION_START:
				ok = read_name(&r, &name, &nlen) && where[depth] != LIST &&
					 depth < MAX_DEPTH;
				if (!ok)
				{
					break;
				}
				if (where[depth] == ROOT && w->source &&
					name_is(name, nlen, "sources"))
				{
					where[depth + 1] = SOURCES;
				}
				else if (where[depth] == SOURCES && type == MSG_RESPONSE)
				{
					ok = w->source(w->user, name, nlen);
					where[depth + 1] = SOURCE;
				}
				else
				{
					where[depth + 1] = OTHER;
				}
				depth++;
				break;
			case EL_SECTION_END:
				ok = depth > 0 && where[depth] != LIST;
				depth -= ok;
				break;
			case EL_KEY_VALUE:
				ok = read_name(&r, &name, &nlen) &&
					 read_value(&r, &value, &vlen) && where[depth] != LIST;
				if (!ok)
				{
					break;
				}
				if (where[depth] == ROOT && type == MSG_ERROR &&
					name_is(name, nlen, "error") && !reason)
				{
					reason = value_str(value, vlen);
					ok = reason != NULL;
				}
				else if (where[depth] == ROOT && type == MSG_RESPONSE)
				{
					ok = w->root(w->user, name, nlen, value, vlen);
				}
				else if (where[depth] == SOURCE)
				{
					ok = w->source_kv(w->user, name, nlen, value, vlen);
				}
				break;
			case EL_LIST_START:
				ok = read_name(&r, &name, &nlen) && where[depth] != LIST &&
					 depth < MAX_DEPTH;
				if (ok)
				{
					where[++depth] = LIST;
				}
				break;
			case EL_LIST_ITEM:
				ok = where[depth] == LIST && read_value(&r, &value, &vlen);
				break;
			case EL_LIST_END:
				ok = where[depth] == LIST;
				depth -= ok;
				break;
			default:
				ok = 0;
				break;
		}
	}
	if (!ok || depth)
	{
		free(reason);
		say(err, errlen, "the plugin's response breaks the control protocol");
		return SAM_E_MALFORMED;
	}
	if (type == MSG_ERROR)
	{
		say(err, errlen, "%s", reason && *reason ? reason
											   : "error without a reason");
		ok = reason && is_denial(reason, w->command);
		free(reason);
		return ok ? SAM_E_DENIED : SAM_E_ATTACH;
	}
	return SAM_OK;
}

/** A sam-keys response as it is walked */
struct keys_walk {
	struct sam_mike_keys *keys;
	int have_session;
};

static int keys_root(void *user, const uint8_t *name, size_t nlen,
					 const uint8_t *value, size_t vlen)
{
	struct keys_walk *kw = user;

	return take_root(kw->keys, name, nlen, value, vlen, &kw->have_session);
}

static int keys_source(void *user, const uint8_t *name, size_t nlen)
{
	struct keys_walk *kw = user;

	return take_source(kw->keys, name, nlen);
}

/** A sender's key and bootstrap, each at most once; the rest is skipped */
static int keys_source_kv(void *user, const uint8_t *name, size_t nlen,
						  const uint8_t *value, size_t vlen)
{
	struct keys_walk *kw = user;
	struct sam_mike_source *src = &kw->keys->sources[kw->keys->nsources - 1];

	if (name_is(name, nlen, "key"))
	{
		if (src->pem)
		{
			return 0;
		}
		src->pem = value_str(value, vlen);
		return src->pem != NULL;
	}
	if (name_is(name, nlen, "bootstrap"))
	{	/* libsam checks the envelope itself, with the sender's key */
		return !src->bootstrap_len &&
			   parse_hex(value, vlen, src->bootstrap,
						 sizeof(src->bootstrap), &src->bootstrap_len);
	}
	return 1;
}

int sam_mike_parse_keys(const uint8_t *msg, size_t len,
						struct sam_mike_keys *keys, char *err, size_t errlen)
{
	struct keys_walk kw = { .keys = keys };
	const struct walker w = {
		.command = "sam-keys",
		.root = keys_root,
		.source = keys_source,
		.source_kv = keys_source_kv,
		.user = &kw,
	};
	int rc;

	memset(keys, 0, sizeof(*keys));
	keys->encrypt = -1;
	rc = walk(msg, len, &w, err, errlen);
	if (rc != SAM_OK)
	{
		sam_mike_keys_clear(keys);
		return rc;
	}
	if (!kw.have_session || !keys->scheme[0])
	{
		sam_mike_keys_clear(keys);
		say(err, errlen, "the plugin's response has no session or scheme");
		return SAM_E_MALFORMED;
	}
	if (!data_keys_consistent(keys))
	{
		sam_mike_keys_clear(keys);
		say(err, errlen, "the plugin's response has incomplete data keys");
		return SAM_E_MALFORMED;
	}
	return SAM_OK;
}

/** A sam-bootstrap response as it is walked */
struct published_walk {
	const char *group;
	/** 1 the group's name, -1 another, 0 none yet */
	int published;
};

static int published_root(void *user, const uint8_t *name, size_t nlen,
						  const uint8_t *value, size_t vlen)
{
	struct published_walk *pw = user;

	if (name_is(name, nlen, "published"))
	{	/* the first counts, as in the protocol */
		if (!pw->published)
		{
			pw->published = name_is(value, vlen, pw->group) ? 1 : -1;
		}
	}
	return 1;
}

int sam_mike_parse_published(const uint8_t *msg, size_t len,
							 const char *group, char *err, size_t errlen)
{
	struct published_walk pw = { .group = group };
	const struct walker w = {
		.command = "sam-bootstrap",
		.root = published_root,
		.user = &pw,
	};
	int rc;

	rc = walk(msg, len, &w, err, errlen);
	if (rc == SAM_OK && pw.published != 1)
	{
		say(err, errlen, "the plugin did not say it published the "
			"bootstrap of group '%s'", group);
		rc = SAM_E_MALFORMED;
	}
	return rc;
}

void sam_mike_keys_clear(struct sam_mike_keys *keys)
{
	size_t i;

	for (i = 0; i < keys->nsources; i++)
	{
		free(keys->sources[i].pem);
	}
	free(keys->sources);
	OPENSSL_cleanse(keys->data_keys, sizeof(keys->data_keys));
	if (keys->signing_pem)
	{
		OPENSSL_cleanse(keys->signing_pem, strlen(keys->signing_pem));
		free(keys->signing_pem);
	}
	memset(keys, 0, sizeof(*keys));
}

/** Append a key/value element; 0 if it does not fit */
static int put_kv(uint8_t *buf, size_t size, size_t *pos, const char *name,
				  const char *value)
{
	size_t nlen = strlen(name), vlen = strlen(value);

	if (nlen == 0 || nlen > 255 || vlen > 65535 ||
		*pos + 4 + nlen + vlen > size)
	{
		return 0;
	}
	buf[(*pos)++] = EL_KEY_VALUE;
	buf[(*pos)++] = (uint8_t)nlen;
	memcpy(buf + *pos, name, nlen);
	*pos += nlen;
	buf[(*pos)++] = (uint8_t)(vlen >> 8);
	buf[(*pos)++] = (uint8_t)vlen;
	memcpy(buf + *pos, value, vlen);
	*pos += vlen;
	return 1;
}

/** Send or receive exactly len bytes, or fail */
static int transfer(int fd, uint8_t *buf, size_t len, int sending)
{
	ssize_t n;

	while (len)
	{
		n = sending ? send(fd, buf, len, MSG_NOSIGNAL) : recv(fd, buf, len, 0);
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

/** Start a request in req: room for the length field, version, type,
 *  command; @return where its body starts */
static size_t put_command(uint8_t *req, const char *command)
{
	size_t pos = 4, clen = strlen(command);

	req[pos++] = MSG_VERSION;
	req[pos++] = MSG_REQUEST;
	req[pos++] = (uint8_t)clen;
	memcpy(req + pos, command, clen);
	return pos + clen;
}

/**
 * Send the request of pos bytes in req (its length field is set here) to
 * the plugin and read its response, within a few seconds
 *
 * @param msg		receives the response after its length field (free it,
 *					after wiping: it may hold keys)
 * @return			SAM_OK; SAM_E_ATTACH; SAM_E_MALFORMED (a length the
 *					protocol does not allow); SAM_E_INVAL; SAM_E_NOMEM
 */
static int round_trip(const char *path, uint8_t *req, size_t pos,
					  uint8_t **msg, size_t *msg_len, char *err,
					  size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = TIMEOUT };
	uint8_t hdr[4];
	size_t len;
	int fd, rc;

	*msg = NULL;
	if (strlen(path) >= sizeof(addr.sun_path))
	{
		say(err, errlen, "control socket path too long");
		return SAM_E_INVAL;
	}
	strcpy(addr.sun_path, path);
	len = pos - 4;
	req[0] = (uint8_t)(len >> 24);
	req[1] = (uint8_t)(len >> 16);
	req[2] = (uint8_t)(len >> 8);
	req[3] = (uint8_t)len;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
	{
		say(err, errlen, "socket: %s", strerror(errno));
		return SAM_E_ATTACH;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr*)&addr, sizeof(addr)) != 0)
	{
		say(err, errlen, "connecting to %s: %s", path, strerror(errno));
		close(fd);
		return SAM_E_ATTACH;
	}
	rc = SAM_E_ATTACH;
	/* a peer that closes sets no errno */
	errno = 0;
	if (!transfer(fd, req, pos, 1) || !transfer(fd, hdr, sizeof(hdr), 0))
	{
		say(err, errlen, "%s did not answer: %s", path,
			errno ? strerror(errno) : "connection closed");
		goto out;
	}
	len = ((size_t)hdr[0] << 24) | ((size_t)hdr[1] << 16) |
		  ((size_t)hdr[2] << 8) | hdr[3];
	if (len < 2 || len > MSG_MAX)
	{
		say(err, errlen, "%s sent a message of %zu bytes", path, len);
		rc = SAM_E_MALFORMED;
		goto out;
	}
	*msg = malloc(len);
	if (!*msg)
	{
		rc = SAM_E_NOMEM;
		goto out;
	}
	if (!transfer(fd, *msg, len, 0))
	{
		say(err, errlen, "%s sent a truncated message", path);
		free(*msg);
		*msg = NULL;
		goto out;
	}
	*msg_len = len;
	rc = SAM_OK;

out:
	close(fd);
	return rc;
}

/** Wipe and free a response */
static void free_response(uint8_t *msg, size_t len)
{
	if (msg)
	{
		OPENSSL_cleanse(msg, len);
		free(msg);
	}
}

int sam_mike_get_keys(const char *path, const char *group, int signing,
					  struct sam_mike_keys *keys, char *err, size_t errlen)
{
	uint8_t req[REQUEST_MAX], *msg = NULL;
	size_t pos, len = 0;
	int rc;

	memset(keys, 0, sizeof(*keys));
	pos = put_command(req, "sam-keys");
	if (!put_kv(req, sizeof(req), &pos, "group", group) ||
		(signing && !put_kv(req, sizeof(req), &pos, "signing", "yes")))
	{
		say(err, errlen, "group name too long");
		return SAM_E_INVAL;
	}
	rc = round_trip(path, req, pos, &msg, &len, err, errlen);
	if (rc == SAM_OK)
	{
		rc = sam_mike_parse_keys(msg, len, keys, err, errlen);
	}
	/* may hold the signing key */
	free_response(msg, len);
	return rc;
}

int sam_mike_publish_bootstrap(const char *path, const char *group,
							   const uint8_t *blob, size_t blob_len,
							   char *err, size_t errlen)
{
	static const char digits[] = "0123456789abcdef";
	uint8_t req[REQUEST_MAX], *msg = NULL;
	char hex[2 * SAM_MAX_BOOTSTRAP + 1];
	size_t pos, i, len = 0;
	int rc;

	if (blob_len == 0 || blob_len > SAM_MAX_BOOTSTRAP)
	{
		say(err, errlen, "a bootstrap of %zu bytes", blob_len);
		return SAM_E_INVAL;
	}
	for (i = 0; i < blob_len; i++)
	{
		hex[2 * i] = digits[blob[i] >> 4];
		hex[2 * i + 1] = digits[blob[i] & 0xf];
	}
	hex[2 * blob_len] = '\0';
	pos = put_command(req, "sam-bootstrap");
	if (!put_kv(req, sizeof(req), &pos, "group", group) ||
		!put_kv(req, sizeof(req), &pos, "bootstrap", hex))
	{
		say(err, errlen, "group name too long");
		return SAM_E_INVAL;
	}
	rc = round_trip(path, req, pos, &msg, &len, err, errlen);
	if (rc == SAM_OK)
	{
		rc = sam_mike_parse_published(msg, len, group, err, errlen);
	}
	free_response(msg, len);
	return rc;
}
