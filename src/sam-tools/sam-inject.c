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

/* The hybrid scheme's authenticator (docs/sam-hybrid.md): Batch ID, I,
 * leaf index q, the one-time signature (randomizer C, then y[0..34]), the
 * authentication path, the batch certificate */
#define HYB_AUTH_LEN 748
#define HYB_OFF_BATCH_ID 0
#define HYB_OFF_Q 24
#define HYB_OFF_C 28
#define HYB_OFF_Y 44
#define HYB_OFF_PATH 604
#define HYB_OFF_CERT 684
#define HYB_KEYS 32

typedef struct {
	const char *ifname;
	double timeout;
	unsigned int gap_ms;
	int ttl;
	int other_source;		/* --other-source given */
	uint32_t other_id;
	const char *save;		/* --save FILE: capture only */
	const char *replay;		/* --replay FILE: send only that frame */
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
"  authflip   a bit of the authenticator's first byte (a\n"
"             tree frame's: of its signature) flipped,\n"
"             unused sequence number                    (bad authenticator)\n"
"  authlast   the same in its last byte                 (bad authenticator)\n"
"  authshort  the authenticator one byte short, the\n"
"             header's length fixed to match            (malformed)\n"
"  other      with --other-source N: the captured frame claimed by source\n"
"             N, registered with the same key: a signature (or hybrid\n"
"             certificate) replayed under another source (bad authenticator)\n"
"\n"
"For a hybrid frame (one-time signature, path, certificate; see\n"
"docs/sam-hybrid.md), each with an unused sequence number:\n"
"\n"
"  hyb-ots       a bit of the one-time signature y flipped  (bad authenticator)\n"
"  hyb-rand      a bit of its randomizer C flipped          (bad authenticator)\n"
"  hyb-path      a bit of the authentication path flipped   (bad authenticator)\n"
"  hyb-index     the leaf index q with its lowest bit flipped (bad authenticator)\n"
"  hyb-range     a leaf index past the batch (q + 32)       (bad authenticator)\n"
"  hyb-cert      a bit of the batch certificate flipped     (bad authenticator)\n"
"  hyb-batch     a bit of the Batch ID flipped              (bad authenticator)\n"
"  hyb-keyreuse  \"FORGED-keyreuse\": a new payload under the captured\n"
"                one-time key index and authenticator     (bad authenticator)\n"
"  hyb-session   the captured frame, its certificate intact, under\n"
"                another session id                       (wrong session)\n"
"\n"
"A one-time key used twice is reported as \"one-time key used twice\" only\n"
"when the second signature verifies, which only the key's holder can make:\n"
"an attacker's reuse of a captured key index fails the signature first.\n"
"\n"
"Then, for every scheme, frames sealed with a key of the attacker's:\n"
"\n"
"  wrongkey   \"FORGED-wrongkey\" from the captured source, signed with\n"
"             a freshly generated key of its scheme     (bad authenticator)\n"
"  unknown    \"FORGED-unknown\" from an unregistered\n"
"             source id                                 (unknown source)\n"
"  session    \"FORGED-session\" with another session id (wrong session)\n"
"  version    \"FORGED-version\" with version 2          (version)\n"
"\n"
"With --save FILE it only captures the frame and writes it to FILE; with\n"
"--replay FILE it only sends the frame in FILE (kind \"replay\"; a receiver\n"
"rejects it as replayed, or as older than its replay window once the\n"
"sender went on far enough).\n"
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
"  -o, --other-source N  also send the \"other\" frame, claimed by source\n"
"                      id N\n"
"  -s, --save FILE     capture one frame into FILE and exit\n"
"  -r, --replay FILE   send the frame in FILE and exit\n"
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
		{ "other-source", required_argument, NULL, 'o' },
		{ "save", required_argument, NULL, 's' },
		{ "replay", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (inject_opts){ .timeout = 10, .gap_ms = 100, .ttl = 1 };
	while ((c = getopt_long(argc, argv, "I:t:g:T:o:s:r:h", opts, NULL)) != -1) {
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
		case 'o':
			o->other_source = 1;
			o->other_id = opt_uint("--other-source", optarg, 0, UINT32_MAX);
			break;
		case 's':
			o->save = optarg;
			break;
		case 'r':
			o->replay = optarg;
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
	if (o->save && o->replay)
		tool_usage_error("--save and --replay exclude each other");
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

	/* the attacker shares the port with receivers that let it */
	fd = mcast_open_receiver(g, o->ifname, 1);
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
	/* a batching scheme (tree) keeps it: a block of one */
	if (rc == 0 && (rc = sam_flush(ctx)) == SAM_OK)
		rc = sam_next_sealed(ctx, frame, size);
	if (rc == 0)
		rc = SAM_E_INVAL;
	if (rc < 0)
		sam_fail(rc, "cannot seal the forged frame '%s'", payload);
	sam_ctx_free(ctx);
	return rc;
}

static int save_capture(const char *path, const capture *c)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(c->frame, 1, c->len, f) != c->len) {
		tool_err("cannot write '%s': %s", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	if (fclose(f)) {
		tool_err("cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	tool_err("saved the captured frame to %s", path);
	return 0;
}

static int load_capture(const char *path, capture *c)
{
	FILE *f = fopen(path, "rb");

	if (!f) {
		tool_err("cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	c->len = fread(c->frame, 1, sizeof(c->frame), f);
	fclose(f);
	if (parse_capture(c)) {
		tool_err("'%s' holds no SAM frame", path);
		return -1;
	}
	return 0;
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

/* The captured frame with a fresh sequence number, one bit of byte off
 * flipped */
static int send_flipped(mcast_io *io, const capture *c, const char *kind,
						size_t off, uint8_t bit, unsigned int gap)
{
	static uint8_t f[SAM_MAX_FRAME];

	memcpy(f, c->frame, c->len);
	put_be(f + 12, c->seq + FRESH_SEQ_OFFSET, 8);
	f[off] ^= bit;
	return send_forged(io, kind, SAM_E_BAD_AUTH, f, c->len, gap);
}

/* Variants of the captured frame itself */
static int inject_copies(mcast_io *io, const capture *c,
						 const inject_opts *o)
{
	static uint8_t f[SAM_MAX_FRAME];
	size_t auth = SAM_HEADER_SIZE + c->payload_len;
	size_t alen = c->len - auth;
	unsigned int gap = o->gap_ms;

	if (send_forged(io, "replay", SAM_E_REPLAY, c->frame, c->len, gap))
		return -1;
	/* without a payload, the flip goes into the authenticator */
	if (send_flipped(io, c, "bitflip", SAM_HEADER_SIZE, 0x01, gap))
		return -1;
	if (send_forged(io, "truncated", SAM_E_MALFORMED, c->frame,
					c->len - 1, gap))
		return -1;
	/* a tree frame's first bytes are its block size and leaf index, which
	 * fix the authenticator's length: flip its signature instead */
	if (c->scheme == SAM_SCHEME_TREE && alen > 10)
		auth += 10;
	if (alen && (send_flipped(io, c, "authflip", auth, 0x04, gap) ||
				 send_flipped(io, c, "authlast", c->len - 1, 0x40, gap)))
		return -1;
	if (alen) {
		memcpy(f, c->frame, c->len - 1);
		put_be(f + 12, c->seq + FRESH_SEQ_OFFSET, 8);
		put_be(f + 22, alen - 1, 2);
		if (send_forged(io, "authshort", SAM_E_MALFORMED, f, c->len - 1,
						gap))
			return -1;
	}
	if (o->other_source) {
		memcpy(f, c->frame, c->len);
		put_be(f + 8, o->other_id, 4);
		if (send_forged(io, "other", SAM_E_BAD_AUTH, f, c->len, gap))
			return -1;
	}
	return 0;
}

/* The hybrid authenticator's fields (docs/sam-hybrid.md) */
static int inject_hybrid(mcast_io *io, const capture *c, unsigned int gap)
{
	static uint8_t f[SAM_MAX_FRAME];
	static const char payload[] = "FORGED-keyreuse";
	size_t auth = SAM_HEADER_SIZE + c->payload_len;
	size_t plen = sizeof(payload) - 1;
	uint32_t q;

	if (strcmp(sam_scheme_name(c->scheme), "hybrid") != 0)
		return 0;
	if (c->len - auth != HYB_AUTH_LEN) {
		tool_err("captured hybrid frame has a %zu-byte authenticator, not "
				 "%d: no hybrid forgeries", c->len - auth, HYB_AUTH_LEN);
		return -1;
	}
	q = get_be(c->frame + auth + HYB_OFF_Q, 4);
	if (send_flipped(io, c, "hyb-ots", auth + HYB_OFF_Y + 100, 0x10, gap) ||
		send_flipped(io, c, "hyb-rand", auth + HYB_OFF_C, 0x80, gap) ||
		send_flipped(io, c, "hyb-path", auth + HYB_OFF_PATH + 20, 0x02, gap) ||
		send_flipped(io, c, "hyb-index", auth + HYB_OFF_Q + 3, 0x01, gap))
		return -1;
	memcpy(f, c->frame, c->len);
	put_be(f + 12, c->seq + FRESH_SEQ_OFFSET, 8);
	put_be(f + auth + HYB_OFF_Q, q + HYB_KEYS, 4);
	if (send_forged(io, "hyb-range", SAM_E_BAD_AUTH, f, c->len, gap) ||
		send_flipped(io, c, "hyb-cert", auth + HYB_OFF_CERT + 7, 0x08, gap) ||
		send_flipped(io, c, "hyb-batch", auth + HYB_OFF_BATCH_ID, 0x01, gap))
		return -1;
	/* the captured header and authenticator around a new payload */
	memcpy(f, c->frame, SAM_HEADER_SIZE);
	put_be(f + 12, c->seq + FRESH_SEQ_OFFSET, 8);
	put_be(f + 20, plen, 2);
	memcpy(f + SAM_HEADER_SIZE, payload, plen);
	memcpy(f + SAM_HEADER_SIZE + plen, c->frame + auth, HYB_AUTH_LEN);
	if (send_forged(io, "hyb-keyreuse", SAM_E_BAD_AUTH, f,
					SAM_HEADER_SIZE + plen + HYB_AUTH_LEN, gap))
		return -1;
	memcpy(f, c->frame, c->len);
	put_be(f + 4, c->session ^ 0x01000000, 4);
	return send_forged(io, "hyb-session", SAM_E_SESSION, f, c->len, gap);
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
	if (o.replay) {
		if (load_capture(o.replay, &c))
			return EXIT_RUNTIME;
	} else if (capture_frame(&g, &o, &c)) {
		return EXIT_RUNTIME;
	}
	if (o.save)
		return save_capture(o.save, &c) ? EXIT_RUNTIME : 0;
	io.group = &g;
	io.fd = mcast_open_sender(&g, o.ifname, o.ttl, 0);
	if (io.fd < 0)
		return EXIT_RUNTIME;
	if (o.replay) {
		rc = send_forged(&io, "replay", SAM_E_REPLAY, c.frame, c.len, 0);
		close(io.fd);
		return rc ? EXIT_RUNTIME : 0;
	}
	rc = inject_copies(&io, &c, &o);
	if (!rc)
		rc = inject_hybrid(&io, &c, o.gap_ms);
	if (!rc)
		rc = inject_sealed(&io, &c, o.gap_ms);
	close(io.fd);
	return rc ? EXIT_RUNTIME : 0;
}
