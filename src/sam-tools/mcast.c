/*
 * Shared helpers of the sam-* tools.
 */

#include "mcast.h"

#include <errno.h>
#include <ctype.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/time.h>

const char *tool_name = "sam";

void tool_init(char *argv[], const char *name)
{
	tool_name = name;
	argv[0] = (char *)name;
}

/* "tool: message" on stderr, flushed so it interleaves with stdout */
static void vmessage(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", tool_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fflush(stderr);
}

int tool_attach(sam_ctx *ctx, const char *uri, const char *group,
				unsigned int flags)
{
	int rc;

	rc = sam_attach(ctx, uri, group, flags);
	if (rc != SAM_OK)
		tool_err("cannot take the %s of group '%s' from mike: %s%s%s",
				 flags & SAM_ATTACH_SIGNING ? "signing key" : "keys", group,
				 sam_strerror(rc), *sam_attach_error(ctx) ? ": " : "",
				 sam_attach_error(ctx));
	return rc;
}

void tool_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
}

void tool_usage_hint(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", tool_name);
	exit(EXIT_USAGE);
}

void tool_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	tool_usage_hint();
}

int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int base = 10;

	/* strtoull accepts a sign and leading blanks; a number must not */
	if (s[0] < '0' || s[0] > '9')
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!((s[0] >= '0' && s[0] <= '9') ||
			  (s[0] >= 'a' && s[0] <= 'f') || (s[0] >= 'A' && s[0] <= 'F')))
			return -1;
	}
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

uint64_t opt_uint(const char *opt, const char *s, uint64_t min, uint64_t max)
{
	uint64_t v;

	if (parse_uint(s, max, &v) || v < min)
		tool_usage_error("invalid %s '%s' (expected a number from %llu to "
						 "%llu, decimal or 0x hex)", opt, s,
						 (unsigned long long)min, (unsigned long long)max);
	return v;
}

double opt_positive(const char *opt, const char *s)
{
	double v;
	char *end;

	if ((s[0] < '0' || s[0] > '9') && s[0] != '.')
		tool_usage_error("invalid %s '%s' (expected a positive number)",
						 opt, s);
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v > 0) || !isfinite(v))
		tool_usage_error("invalid %s '%s' (expected a positive number)",
						 opt, s);
	return v;
}

static int is_multicast(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		return IN_MULTICAST(ntohl(in->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		return IN6_IS_ADDR_MULTICAST(&in6->sin6_addr);
	}
	return 0;
}

int mcast_resolve(const char *group, const char *port, mcast_group *g)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_DGRAM,
		/* a group is an address, never a name to look up */
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
	};
	struct addrinfo *res;
	uint64_t p;
	int rc;

	if (parse_uint(port, 65535, &p) || p == 0) {
		tool_err("invalid port '%s' (expected 1 to 65535)", port);
		return -1;
	}
	rc = getaddrinfo(group, port, &hints, &res);
	if (rc) {
		tool_err("invalid group address '%s': %s", group, gai_strerror(rc));
		return -1;
	}
	if (!is_multicast(res->ai_addr)) {
		tool_err("'%s' is not a multicast address (224.0.0.0/4 or ff00::/8)",
				 group);
		freeaddrinfo(res);
		return -1;
	}
	memset(g, 0, sizeof(*g));
	memcpy(&g->addr, res->ai_addr, res->ai_addrlen);
	g->len = res->ai_addrlen;
	g->family = res->ai_family;
	freeaddrinfo(res);
	return 0;
}

/* The interface index for ifname; for IPv6 without ifname, the scope of
 * the group address (ff02::1%eth0), 0 to let the kernel choose */
static int group_ifindex(const mcast_group *g, const char *ifname,
						 unsigned int *index)
{
	*index = 0;
	if (ifname) {
		*index = if_nametoindex(ifname);
		if (!*index) {
			tool_err("unknown interface '%s': %s", ifname, strerror(errno));
			return -1;
		}
	} else if (g->family == AF_INET6) {
		*index = ((const struct sockaddr_in6 *)&g->addr)->sin6_scope_id;
	}
	return 0;
}

static int set_opt(int fd, int level, int name, const void *val,
				   socklen_t len, const char *what)
{
	if (setsockopt(fd, level, name, val, len) < 0) {
		tool_err("cannot set %s: %s", what, strerror(errno));
		return -1;
	}
	return 0;
}

static int sender_opts4(int fd, unsigned int ifindex, int ttl, int loop)
{
	unsigned char t = ttl, l = !!loop;

	if (ifindex) {
		struct ip_mreqn mreq = { .imr_ifindex = ifindex };

		if (set_opt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof(mreq),
					"IP_MULTICAST_IF"))
			return -1;
	}
	if (set_opt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &t, sizeof(t),
				"IP_MULTICAST_TTL") ||
		set_opt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &l, sizeof(l),
				"IP_MULTICAST_LOOP"))
		return -1;
	return 0;
}

static int sender_opts6(int fd, unsigned int ifindex, int ttl, int loop)
{
	int idx = ifindex, hops = ttl, l = !!loop;

	if (ifindex &&
		set_opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof(idx),
				"IPV6_MULTICAST_IF"))
		return -1;
	if (set_opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops),
				"IPV6_MULTICAST_HOPS") ||
		set_opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &l, sizeof(l),
				"IPV6_MULTICAST_LOOP"))
		return -1;
	return 0;
}

int mcast_open_sender(const mcast_group *g, const char *ifname, int ttl,
					  int loop)
{
	unsigned int ifindex;
	int fd, rc;

	if (group_ifindex(g, ifname, &ifindex))
		return -1;
	fd = socket(g->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		tool_err("cannot create socket: %s", strerror(errno));
		return -1;
	}
	if (g->family == AF_INET)
		rc = sender_opts4(fd, ifindex, ttl, loop);
	else
		rc = sender_opts6(fd, ifindex, ttl, loop);
	if (rc) {
		close(fd);
		return -1;
	}
	return fd;
}

static int join4(int fd, const mcast_group *g, unsigned int ifindex)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)&g->addr;
	struct ip_mreqn mreq = {
		.imr_multiaddr = in->sin_addr,
		.imr_ifindex = ifindex,
	};
	int off = 0;

	/* without this, Linux delivers every group any socket on the host
	 * joined that matches the bound address and port */
	if (set_opt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &off, sizeof(off),
				"IP_MULTICAST_ALL"))
		return -1;
	return set_opt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq),
				   "IP_ADD_MEMBERSHIP (join group)");
}

static int join6(int fd, const mcast_group *g, unsigned int ifindex)
{
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&g->addr;
	struct ipv6_mreq mreq = {
		.ipv6mr_multiaddr = in6->sin6_addr,
		.ipv6mr_interface = ifindex,
	};

#ifdef IPV6_MULTICAST_ALL
	int off = 0;

	if (set_opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &off, sizeof(off),
				"IPV6_MULTICAST_ALL"))
		return -1;
#endif
	return set_opt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mreq, sizeof(mreq),
				   "IPV6_JOIN_GROUP (join group)");
}

int mcast_open_receiver(const mcast_group *g, const char *ifname, int reuse)
{
	mcast_group bound = *g;
	unsigned int ifindex;
	char buf[MCAST_ADDRSTRLEN];
	int fd, on = 1, rc;

	if (group_ifindex(g, ifname, &ifindex))
		return -1;
	fd = socket(g->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		tool_err("cannot create socket: %s", strerror(errno));
		return -1;
	}
	if (reuse && set_opt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on),
						 "SO_REUSEADDR"))
		goto fail;
	if (g->family == AF_INET6 && ifindex)
		((struct sockaddr_in6 *)&bound.addr)->sin6_scope_id = ifindex;
	/* binding the group address, not the wildcard, keeps out unicast and
	 * other groups' datagrams to the same port */
	if (bind(fd, (struct sockaddr *)&bound.addr, bound.len) < 0) {
		tool_err("cannot bind %s: %s",
				 mcast_addr_str((struct sockaddr *)&bound.addr, bound.len,
								buf, sizeof(buf)), strerror(errno));
		goto fail;
	}
	if (g->family == AF_INET)
		rc = join4(fd, g, ifindex);
	else
		rc = join6(fd, g, ifindex);
	if (rc)
		goto fail;
	return fd;

fail:
	close(fd);
	return -1;
}

int mcast_set_timeout(int fd, double seconds)
{
	struct timeval tv = {
		.tv_sec = (time_t)seconds,
		.tv_usec = (suseconds_t)((seconds - (time_t)seconds) * 1e6),
	};

	/* a zero timeval would mean "block forever" */
	if (tv.tv_sec == 0 && tv.tv_usec == 0)
		tv.tv_usec = 1;
	return set_opt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv),
				   "SO_RCVTIMEO");
}

ssize_t mcast_io_write(void *io, const void *buf, size_t len)
{
	mcast_io *m = io;
	ssize_t n;

	n = sendto(m->fd, buf, len, 0, (const struct sockaddr *)&m->group->addr,
			   m->group->len);
	m->last_errno = n < 0 ? errno : 0;
	return n;
}

ssize_t mcast_io_readfrom(void *io, void *buf, size_t len,
						  struct sockaddr *from, socklen_t *fromlen)
{
	mcast_io *m = io;
	ssize_t n;

	n = recvfrom(m->fd, buf, len, 0, from, fromlen);
	m->last_errno = n < 0 ? errno : 0;
	if (n >= 0)
		m->reads++;
	return n;
}

void mcast_io_ops(mcast_io *io, sam_io_ops *ops)
{
	memset(ops, 0, sizeof(*ops));
	ops->readfrom = mcast_io_readfrom;
	ops->write = mcast_io_write;
	ops->io = io;
}

const char *mcast_addr_str(const struct sockaddr *sa, socklen_t len,
						   char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 1];
	char serv[8];

	if (!sa || getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
						   NI_NUMERICHOST | NI_NUMERICSERV)) {
		snprintf(buf, size, "unknown address");
		return buf;
	}
	if (sa->sa_family == AF_INET6)
		snprintf(buf, size, "[%s]:%s", host, serv);
	else
		snprintf(buf, size, "%s:%s", host, serv);
	return buf;
}

void print_escaped(FILE *f, const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] >= 0x20 && buf[i] < 0x7f && buf[i] != '\\')
			fputc(buf[i], f);
		else
			fprintf(f, "\\x%02x", buf[i]);
	}
}

sam_key *load_key(const char *path)
{
	sam_key *key = NULL;
	FILE *f;
	int rc;

	/* the library's error cannot say "no such file"; the OS can */
	f = fopen(path, "r");
	if (!f) {
		tool_err("cannot read key '%s': %s", path, strerror(errno));
		return NULL;
	}
	fclose(f);
	rc = sam_key_load(path, &key);
	if (rc != SAM_OK) {
		tool_err("cannot read key '%s': %s", path, sam_strerror(rc));
		return NULL;
	}
	return key;
}

/* Parse "<id> <64 hex digits>" with an optional newline; @return 0 or -1 */
static int parse_data_key(const char *line, uint32_t *id, uint8_t *key)
{
	const char *hex = strchr(line, ' ');
	char idstr[16];
	uint64_t v;
	size_t i;

	if (!hex || (size_t)(hex - line) >= sizeof(idstr))
		return -1;
	memcpy(idstr, line, hex - line);
	idstr[hex - line] = '\0';
	/* decimal only: a leading 0x or 0 would make "10" and "010" differ */
	if (strspn(idstr, "0123456789") != strlen(idstr) ||
		parse_uint(idstr, UINT32_MAX, &v) || v == 0)
		return -1;
	hex++;
	for (i = 0; i < SAM_DATA_KEY_SIZE; i++) {
		unsigned int b;

		if (!isxdigit((unsigned char)hex[2 * i]) ||
			!isxdigit((unsigned char)hex[2 * i + 1]) ||
			sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		key[i] = (uint8_t)b;
	}
	hex += 2 * SAM_DATA_KEY_SIZE;
	if (strcmp(hex, "\n") != 0 && *hex)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

int load_data_key(sam_ctx *ctx, const char *path, int require)
{
	/* room for the line, and a byte more to see it is too long */
	char line[16 + 2 * SAM_DATA_KEY_SIZE + 4];
	uint8_t key[SAM_DATA_KEY_SIZE];
	struct stat st;
	uint32_t id;
	FILE *f;
	int rc, bad;

	f = fopen(path, "r");
	if (!f) {
		tool_err("cannot read data key '%s': %s", path, strerror(errno));
		return -1;
	}
	/* whoever reads the file reads the group's payloads */
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO))) {
		tool_err("data key '%s' is accessible by group or others (mode "
				 "%04o): chmod 600 it", path, (unsigned int)(st.st_mode & 07777));
		fclose(f);
		return -1;
	}
	bad = !fgets(line, sizeof(line), f) || parse_data_key(line, &id, key) ||
		  fgetc(f) != EOF;
	fclose(f);
	explicit_bzero(line, sizeof(line));
	if (bad) {
		explicit_bzero(key, sizeof(key));
		tool_err("data key '%s': expected one line \"<key id, decimal, not "
				 "0> <%d hex digits>\"", path, 2 * SAM_DATA_KEY_SIZE);
		return -1;
	}
	rc = sam_add_data_key(ctx, id, key, sizeof(key));
	explicit_bzero(key, sizeof(key));
	if (rc == SAM_OK && require)
		rc = sam_require_encryption(ctx, 1);
	if (rc != SAM_OK) {
		sam_fail(rc, "cannot use data key '%s'", path);
		return -1;
	}
	return 0;
}

int sam_fail(int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", tool_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", sam_strerror(err));
	fflush(stderr);
	return err;
}

const char *scheme_list(const sam_key *key, char *buf, size_t size)
{
	const char *names[SCHEME_PROBE_MAX];
	sam_key *probe = NULL;
	char pem[8192];
	size_t n = 0, used = 0, i;
	int s;

	/* probe a copy: sam_key_set_scheme() changes the key it is given */
	if (key) {
		ssize_t len = sam_key_to_pem(key, sam_key_can_sign(key), pem,
									 sizeof(pem));

		if (len < 0 || sam_key_from_pem(pem, len, &probe) != SAM_OK)
			probe = NULL;
		explicit_bzero(pem, sizeof(pem));
	}
	for (s = 1; s < SCHEME_PROBE_MAX; s++) {
		if (!sam_scheme_name(s))
			continue;
		if (key && (!probe || sam_key_set_scheme(probe, s) != SAM_OK))
			continue;
		names[n++] = sam_scheme_name(s);
	}
	sam_key_free(probe);
	buf[0] = '\0';
	for (i = 0; i < n && used < size; i++)
		used += snprintf(buf + used, size - used, "%s%s",
						 i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]);
	if (!n)
		snprintf(buf, size, "none");
	return buf;
}

sam_scheme opt_scheme(const char *s)
{
	char known[256];
	sam_scheme scheme;

	if (sam_scheme_from_name(s, &scheme) != SAM_OK)
		tool_usage_error("unknown scheme '%s' (expected %s)", s,
						 scheme_list(NULL, known, sizeof(known)));
	return scheme;
}

int key_use_scheme(sam_key *key, const char *path, sam_scheme scheme)
{
	char fits[256];

	if (sam_key_scheme(key) == scheme ||
		sam_key_set_scheme(key, scheme) == SAM_OK)
		return 0;
	tool_err("key '%s' does not fit scheme %s (it fits %s)", path,
			 sam_scheme_name(scheme), scheme_list(key, fits, sizeof(fits)));
	return -1;
}
