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
		v <<= 4;
		if (str[i] >= '0' && str[i] <= '9')
		{
			v |= str[i] - '0';
		}
		else if (str[i] >= 'a' && str[i] <= 'f')
		{
			v |= str[i] - 'a' + 10;
		}
		else
		{
			return 0;
		}
	}
	*out = v;
	return 1;
}

/**
 * Whether an error reason is a refusal of the keys: "permission denied:
 * ...", after the command's name ("sam-keys: ") if it leads
 */
static int is_denial(const char *reason)
{
	static const char command[] = "sam-keys: ", denied[] = "permission denied";

	if (strncmp(reason, command, strlen(command)) == 0)
	{
		reason += strlen(command);
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

	/* every value is checked, a repeated one does not replace the first */
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
	size_t i;

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
	more = realloc(keys->sources, (keys->nsources + 1) * sizeof(*more));
	if (!more)
	{
		return 0;
	}
	keys->sources = more;
	keys->sources[keys->nsources++] = (struct sam_mike_source){ .id = id };
	return 1;
}

int sam_mike_parse_keys(const uint8_t *msg, size_t len,
						struct sam_mike_keys *keys, char *err, size_t errlen)
{
	/* where the walk is: 0 root, 1 in sources, 2 in a sender, 3 elsewhere;
	 * a list counts as a level of its own */
	enum { ROOT, SOURCES, SOURCE, OTHER, LIST } where[MAX_DEPTH + 1];
	struct reader r;
	const uint8_t *name, *value;
	size_t nlen, vlen, depth = 0;
	int have_session = 0, ok = 1;
	char *reason = NULL;
	uint8_t type;

	memset(keys, 0, sizeof(*keys));
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
				if (where[depth] == ROOT && name_is(name, nlen, "sources"))
				{
					where[depth + 1] = SOURCES;
				}
				else if (where[depth] == SOURCES && type == MSG_RESPONSE)
				{
					ok = take_source(keys, name, nlen);
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
					ok = take_root(keys, name, nlen, value, vlen,
								   &have_session);
				}
				else if (where[depth] == SOURCE && name_is(name, nlen, "key"))
				{
					ok = !keys->sources[keys->nsources - 1].pem;
					if (ok)
					{
						keys->sources[keys->nsources - 1].pem =
												value_str(value, vlen);
						ok = keys->sources[keys->nsources - 1].pem != NULL;
					}
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
		sam_mike_keys_clear(keys);
		say(err, errlen, "the plugin's response breaks the control protocol");
		return SAM_E_MALFORMED;
	}
	if (type == MSG_ERROR)
	{
		say(err, errlen, "%s", reason && *reason ? reason
											   : "error without a reason");
		ok = reason && is_denial(reason);
		free(reason);
		return ok ? SAM_E_DENIED : SAM_E_ATTACH;
	}
	if (!have_session || !keys->scheme[0])
	{
		sam_mike_keys_clear(keys);
		say(err, errlen, "the plugin's response has no session or scheme");
		return SAM_E_MALFORMED;
	}
	return SAM_OK;
}

void sam_mike_keys_clear(struct sam_mike_keys *keys)
{
	size_t i;

	for (i = 0; i < keys->nsources; i++)
	{
		free(keys->sources[i].pem);
	}
	free(keys->sources);
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

int sam_mike_get_keys(const char *path, const char *group, int signing,
					  struct sam_mike_keys *keys, char *err, size_t errlen)
{
	static const char command[] = "sam-keys";
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = TIMEOUT };
	uint8_t req[512], hdr[4], *msg = NULL;
	size_t pos, len;
	int fd, rc;

	memset(keys, 0, sizeof(*keys));
	if (strlen(path) >= sizeof(addr.sun_path))
	{
		say(err, errlen, "control socket path too long");
		return SAM_E_INVAL;
	}
	strcpy(addr.sun_path, path);
	/* version, type, command, then the body */
	pos = 4;
	req[pos++] = MSG_VERSION;
	req[pos++] = MSG_REQUEST;
	req[pos++] = sizeof(command) - 1;
	memcpy(req + pos, command, sizeof(command) - 1);
	pos += sizeof(command) - 1;
	if (!put_kv(req, sizeof(req), &pos, "group", group) ||
		(signing && !put_kv(req, sizeof(req), &pos, "signing", "yes")))
	{
		say(err, errlen, "group name too long");
		return SAM_E_INVAL;
	}
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
	msg = malloc(len);
	if (!msg)
	{
		rc = SAM_E_NOMEM;
		goto out;
	}
	if (!transfer(fd, msg, len, 0))
	{
		say(err, errlen, "%s sent a truncated message", path);
		goto out;
	}
	rc = sam_mike_parse_keys(msg, len, keys, err, errlen);

out:
	if (msg)
	{	/* may hold the signing key */
		OPENSSL_cleanse(msg, len);
		free(msg);
	}
	close(fd);
	return rc;
}
