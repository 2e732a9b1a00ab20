/*
 * sam-inject: a test-only attacker.  Captures one frame from a multicast
 * group and sends forged variants of it back to the group, one of each
 * kind a receiver must reject, printing the reason it must give.
 */

#include "mcast.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Forged frames use sequence numbers this far above the captured one, so
 * the replay window cannot be the reason they are rejected */
#define FRESH_SEQ_OFFSET 0x100000

typedef struct {
	const char *ifname;
	double timeout;
	unsigned int gap_ms;
	int ttl;
} inject_opts;

/* The header fields of the captured frame */
typedef struct {
	uint8_t frame[SAM_MAX_FRAME];
	size_t len;
	sam_scheme scheme;
	uint32_t session;
	uint32_t source;
	uint64_t seq;
	size_t payload_len;
} capture;

static void usage(void)
{
	printf(
"Usage: sam-inject [options] GROUP PORT\n"
"\n"
"Test-only attacker for libsam multicast sessions.  Joins GROUP on PORT,\n"
"captures one SAM frame, then sends these frames to the group, in order:\n"
"\n"
"  replay     the captured frame again                  (replay)\n"
"  bitflip    a copy with one payload bit flipped and\n"
"             an unused sequence number                 (bad authenticator)\n"
"  truncated  the captured frame without its last byte  (malformed)\n"
"  wrongkey   \"FORGED-wrongkey\" from the captured source, signed with\n"
"             a freshly generated key of its scheme     (bad authenticator)\n"
"  unknown    \"FORGED-unknown\" from an unregistered\n"
"             source id                                 (unknown source)\n"
"  session    \"FORGED-session\" with another session id (wrong session)\n"
"  version    \"FORGED-version\" with version 2          (version)\n"
"\n"
"For each frame sent it prints a line \"<kind><TAB><reason>\" on standard\n"
"output, the reason being libsam's sam_strerror() text a receiver must\n"
"report.  No receiver may ever deliver one of these frames.  The\n"
"modified copies of the captured frame use a sequence number the sender\n"
"has not used, because a receiver checks the replay window before the\n"
"authenticator.\n"
"\n"
"Options:\n"
"  -I, --interface IF  join and send on interface IF\n"
"  -t, --timeout SEC   give up if no frame arrives within SEC seconds\n"
"                      (default 10)\n"
"  -g, --gap MS        wait MS milliseconds after the capture and between\n"
"                      the frames sent (default 100)\n"
"  -T, --ttl N         multicast TTL / hop limit (default 1)\n"
"  -h, --help          show this help and exit\n"
"\n"
"Exit status:\n"
"  0  a frame was captured and every forged frame sent\n"
"  1  nothing captured in time, or a socket or libsam error\n"
"  2  usage error\n"
"\n"
"Example:\n"
"  sam-inject --timeout 5 239.1.2.3 5000\n");
}

static void parse_args(int argc, char *argv[], inject_opts *o)
{
	static const struct option opts[] = {
		{ "interface", required_argument, NULL, 'I' },
		{ "timeout", required_argument, NULL, 't' },
		{ "gap", required_argument, NULL, 'g' },
		{ "ttl", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (inject_opts){ .timeout = 10, .gap_ms = 100, .ttl = 1 };
	while ((c = getopt_long(argc, argv, "I:t:g:T:h", opts, NULL)) != -1) {
		switch (c) {
		case 'I':
			o->ifname = optarg;
			break;
		case 't':
			o->timeout = opt_positive("--timeout", optarg);
			break;
		case 'g':
			o->gap_ms = opt_uint("--gap", optarg, 0, 60000);
			break;
		case 'T':
			o->ttl = opt_uint("--ttl", optarg, 0, 255);
			break;
		case 'h':
			usage();
			exit(0);
		default:
			tool_usage_hint();
		}
	}
	if (argc - optind != 2)
		tool_usage_error("expected GROUP and PORT");
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	while (n--) {
		p[n] = v & 0xff;
		v >>= 8;
	}
}

/* Parse the header per docs/sam-frame-format.md; only a well-formed frame
 * is a useful template */
static int parse_capture(capture *c)
{
	size_t alen;

	if (c->len < SAM_HEADER_SIZE || c->frame[0] != SAM_FRAME_VERSION)
		return -1;
	c->scheme = c->frame[1];
	c->session = get_be(c->frame + 4, 4);
	c->source = get_be(c->frame + 8, 4);
	c->seq = get_be(c->frame + 12, 8);
	c->payload_len = get_be(c->frame + 20, 2);
	alen = get_be(c->frame + 22, 2);
	if (SAM_HEADER_SIZE + c->payload_len + alen != c->len ||
		!sam_scheme_name(c->scheme))
		return -1;
	return 0;
}

static int capture_frame(const mcast_group *g, const inject_opts *o,
						 capture *c)
{
	struct sockaddr_storage from;
	socklen_t fromlen;
	char addr[MCAST_ADDRSTRLEN];
	ssize_t n;
	int fd;

	fd = mcast_open_receiver(g, o->ifname);
	if (fd < 0 || mcast_set_timeout(fd, o->timeout))
		return -1;
	tool_err("listening on %s",
			 mcast_addr_str((const struct sockaddr *)&g->addr, g->len, addr,
							sizeof(addr)));
	for (;;) {
		fromlen = sizeof(from);
		n = recvfrom(fd, c->frame, sizeof(c->frame), 0,
					 (struct sockaddr *)&from, &fromlen);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				tool_err("timeout: no frame captured within %g s",
						 o->timeout);
			else
				tool_err("cannot receive: %s", strerror(errno));
			close(fd);
			return -1;
		}
		c->len = n;
		if (!parse_capture(c))
			break;
		tool_err("ignoring a datagram from %s that is no SAM frame",
				 mcast_addr_str((struct sockaddr *)&from, fromlen, addr,
								sizeof(addr)));
	}
	close(fd);
	tool_err("captured frame from %s: scheme %s, session 0x%08x, source %u,"
			 " seq %llu, %zu bytes payload",
			 mcast_addr_str((struct sockaddr *)&from, fromlen, addr,
							sizeof(addr)),
			 sam_scheme_name(c->scheme), c->session, c->source,
			 (unsigned long long)c->seq, c->payload_len);
	return 0;
}

/* Seal payload with key as (session, source, seq) in a throw-away context,
 * the way a real sender holding that key would */
static ssize_t seal_as(const sam_key *key, uint32_t session, uint32_t source,
					   uint64_t seq, const char *payload, uint8_t *frame,
					   size_t size)
{
	sam_ctx *ctx = NULL;
	ssize_t rc;

	rc = sam_ctx_new(NULL, &ctx);
	if (rc == SAM_OK)
		rc = sam_set_signing_key(ctx, key);
	if (rc == SAM_OK)
		rc = sam_set_session(ctx, session);
	if (rc == SAM_OK)
		rc = sam_set_source(ctx, source, seq);
	if (rc == SAM_OK)
		rc = sam_seal(ctx, payload, strlen(payload), frame, size);
	if (rc < 0)
		sam_fail(rc, "cannot seal the forged frame '%s'", payload);
	sam_ctx_free(ctx);
	return rc;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
						   .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int send_forged(mcast_io *io, const char *kind, int expect,
					   const uint8_t *frame, size_t len, unsigned int gap_ms)
{
	sleep_ms(gap_ms);
	if (mcast_io_write(io, frame, len) < 0) {
		tool_err("cannot send the %s frame: %s", kind,
				 strerror(io->last_errno));
		return -1;
	}
	printf("%s\t%s\n", kind, sam_strerror(expect));
	fflush(stdout);
	return 0;
}

/* Variants of the captured frame itself */
static int inject_copies(mcast_io *io, const capture *c, unsigned int gap)
{
	static uint8_t f[SAM_MAX_FRAME];

	if (send_forged(io, "replay", SAM_E_REPLAY, c->frame, c->len, gap))
		return -1;

	memcpy(f, c->frame, c->len);
	put_be(f + 12, c->seq + FRESH_SEQ_OFFSET, 8);
	/* without a payload, the flip goes into the authenticator */
	f[SAM_HEADER_SIZE] ^= 0x01;
	if (send_forged(io, "bitflip", SAM_E_BAD_AUTH, f, c->len, gap))
		return -1;

	return send_forged(io, "truncated", SAM_E_MALFORMED, c->frame,
					   c->len - 1, gap);
}

/* Frames sealed with the attacker's own key */
static int inject_sealed(mcast_io *io, const capture *c, unsigned int gap)
{
	static uint8_t f[SAM_MAX_FRAME];
	uint64_t seq = c->seq + FRESH_SEQ_OFFSET + 1;
	sam_key *key = NULL;
	ssize_t n;
	int rc;

	rc = sam_key_generate(c->scheme, &key);
	if (rc != SAM_OK)
		return sam_fail(rc, "cannot generate a %s key",
						sam_scheme_name(c->scheme));
	rc = -1;
	n = seal_as(key, c->session, c->source, seq, "FORGED-wrongkey", f,
				sizeof(f));
	if (n < 0 || send_forged(io, "wrongkey", SAM_E_BAD_AUTH, f, n, gap))
		goto out;
	n = seal_as(key, c->session, c->source ^ 0x5a5a5a5a, seq,
				"FORGED-unknown", f, sizeof(f));
	if (n < 0 || send_forged(io, "unknown", SAM_E_UNKNOWN_SOURCE, f, n, gap))
		goto out;
	n = seal_as(key, ~c->session, c->source, seq, "FORGED-session", f,
				sizeof(f));
	if (n < 0 || send_forged(io, "session", SAM_E_SESSION, f, n, gap))
		goto out;
	n = seal_as(key, c->session, c->source, seq, "FORGED-version", f,
				sizeof(f));
	if (n < 0)
		goto out;
	f[0] = 2;
	if (send_forged(io, "version", SAM_E_VERSION, f, n, gap))
		goto out;
	rc = 0;
out:
	sam_key_free(key);
	return rc;
}

int main(int argc, char *argv[])
{
	static capture c;
	inject_opts o;
	mcast_group g;
	mcast_io io = { .fd = -1 };
	int rc;

	tool_init(argv, "sam-inject");
	parse_args(argc, argv, &o);
	if (mcast_resolve(argv[optind], argv[optind + 1], &g))
		return EXIT_USAGE;
	if (capture_frame(&g, &o, &c))
		return EXIT_RUNTIME;
	io.group = &g;
	io.fd = mcast_open_sender(&g, o.ifname, o.ttl, 0);
	if (io.fd < 0)
		return EXIT_RUNTIME;
	rc = inject_copies(&io, &c, o.gap_ms);
	if (!rc)
		rc = inject_sealed(&io, &c, o.gap_ms);
	close(io.fd);
	return rc ? EXIT_RUNTIME : 0;
}
