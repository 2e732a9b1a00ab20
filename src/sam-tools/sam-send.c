/*
 * sam-send: send authenticated frames to a multicast group with libsam.
 */

#include "mcast.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
	const char *key;
	uint32_t source_id;
	uint32_t session;
	uint64_t count;		/* 0: send stdin lines */
	long size;			/* -1: the payload is just "frame <seq>" */
	double rate;		/* 0: unlimited */
	const char *ifname;
	int ttl;
	uint64_t first_seq;
	int loop;
} send_opts;

static void usage(void)
{
	printf(
"Usage: sam-send --key FILE [options] GROUP PORT\n"
"\n"
"Send authenticated frames to the UDP multicast group GROUP (IPv4 or IPv6)\n"
"on PORT, using libsam, the Source Authentication Module for secure IP\n"
"multicast.  Each datagram is one SAM frame: a header with the session id,\n"
"this sender's source id and a sequence number, the payload, and a\n"
"signature (ed25519, ecdsa-p256) or group MAC (hmac-sha256) made with the\n"
"key.  Receivers (sam-recv) accept only frames authenticated by a\n"
"registered sender's key, and each sequence number only once.\n"
"\n"
"Without --count, every line read from standard input is sent as one frame\n"
"(without its newline) until end of input.  With --count, N generated\n"
"payloads \"frame <n>\" are sent, n counting from 1, or the frame's\n"
"sequence number when --first-seq is given.\n"
"\n"
"Options:\n"
"  -k, --key FILE        the signing key (PEM private key or group MAC\n"
"                        secret from sam-keygen); required\n"
"  -i, --source-id N     this sender's source id (default 1)\n"
"  -S, --session N       the session id (default 0)\n"
"  -n, --count N         send N generated frames instead of stdin lines\n"
"  -b, --size BYTES      with --count: pad each payload with '.' (or cut\n"
"                        it) to exactly BYTES bytes\n"
"  -r, --rate PPS        send at most PPS frames per second (default: as\n"
"                        fast as possible)\n"
"  -I, --interface IF    send through interface IF (IP_MULTICAST_IF /\n"
"                        IPV6_MULTICAST_IF; default: by the routing table)\n"
"  -t, --ttl N           multicast TTL / hop limit, 0 to 255 (default 1)\n"
"  -f, --first-seq N     sequence number of the first frame (default:\n"
"                        derived from the clock, milliseconds << 20, so\n"
"                        a restarted sender continues above the numbers\n"
"                        it used before and receivers take its frames)\n"
"  -l, --loop            deliver the frames to receivers on this host too\n"
"                        (IP_MULTICAST_LOOP; default off)\n"
"  -h, --help            show this help and exit\n"
"\n"
"Numbers are decimal or hexadecimal with 0x.\n"
"\n"
"Exit status:\n"
"  0  all frames were sent\n"
"  1  a key, socket or send error\n"
"  2  usage error\n"
"\n"
"Example:\n"
"  sam-keygen --out alice\n"
"  sam-send --key alice.key --source-id 7 --session 0x1234 \\\n"
"           --count 100 --rate 10 239.1.2.3 5000\n"
"  echo hello | sam-send --key alice.key --source-id 7 ff15::1234 5000\n");
}

static void parse_args(int argc, char *argv[], send_opts *o)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "source-id", required_argument, NULL, 'i' },
		{ "session", required_argument, NULL, 'S' },
		{ "count", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 'b' },
		{ "rate", required_argument, NULL, 'r' },
		{ "interface", required_argument, NULL, 'I' },
		{ "ttl", required_argument, NULL, 't' },
		{ "first-seq", required_argument, NULL, 'f' },
		{ "loop", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (send_opts){ .source_id = 1, .size = -1, .ttl = 1, .first_seq = 0 };
	while ((c = getopt_long(argc, argv, "k:i:S:n:b:r:I:t:f:lh", opts,
							NULL)) != -1) {
		switch (c) {
		case 'k':
			o->key = optarg;
			break;
		case 'i':
			o->source_id = opt_uint("--source-id", optarg, 0, UINT32_MAX);
			break;
		case 'S':
			o->session = opt_uint("--session", optarg, 0, UINT32_MAX);
			break;
		case 'n':
			o->count = opt_uint("--count", optarg, 1, UINT64_MAX);
			break;
		case 'b':
			o->size = opt_uint("--size", optarg, 0, SAM_MAX_FRAME);
			break;
		case 'r':
			o->rate = opt_positive("--rate", optarg);
			break;
		case 'I':
			o->ifname = optarg;
			break;
		case 't':
			o->ttl = opt_uint("--ttl", optarg, 0, 255);
			break;
		case 'f':
			o->first_seq = opt_uint("--first-seq", optarg, 1, UINT64_MAX);
			break;
		case 'l':
			o->loop = 1;
			break;
		case 'h':
			usage();
			exit(0);
		default:
			tool_usage_hint();
		}
	}
	if (!o->key)
		tool_usage_error("--key is required");
	if (o->size >= 0 && !o->count)
		tool_usage_error("--size needs --count");
	if (argc - optind != 2)
		tool_usage_error("expected GROUP and PORT");
}

/* Frames go out on an absolute schedule so the rate does not drift with
 * the time signing takes; a sender that fell behind (slow stdin) does not
 * burst to catch up */
typedef struct {
	double interval;
	struct timespec next;
} pacer;

static void ts_add(struct timespec *ts, double sec)
{
	long ns = ts->tv_nsec + (long)(sec * 1e9);

	ts->tv_sec += ns / 1000000000L;
	ts->tv_nsec = ns % 1000000000L;
}

static int ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
		   (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void pacer_init(pacer *p, double rate)
{
	p->interval = rate > 0 ? 1.0 / rate : 0;
	clock_gettime(CLOCK_MONOTONIC, &p->next);
}

static void pacer_wait(pacer *p)
{
	struct timespec now;

	if (p->interval <= 0)
		return;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &p->next,
						   NULL) == EINTR)
		;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (ts_before(&p->next, &now) && p->interval >= 0.001)
		p->next = now;
	ts_add(&p->next, p->interval);
}

static sam_ctx *setup_ctx(const send_opts *o, const sam_io_ops *ops)
{
	sam_ctx *ctx = NULL;
	sam_key *key;
	int rc;

	key = load_key(o->key);
	if (!key)
		return NULL;
	if (!sam_key_can_sign(key)) {
		tool_err("cannot sign with key '%s': it is a public key (use the "
				 ".key file from sam-keygen)", o->key);
		sam_key_free(key);
		return NULL;
	}
	rc = sam_ctx_new(NULL, &ctx);
	if (rc == SAM_OK && (rc = sam_set_signing_key(ctx, key)) != SAM_OK)
		sam_fail(rc, "cannot use key '%s'", o->key);
	else if (rc == SAM_OK &&
			 (rc = sam_set_source(ctx, o->source_id, o->first_seq)) != SAM_OK)
		sam_fail(rc, "cannot set source id %u", o->source_id);
	else if (rc == SAM_OK && (rc = sam_set_session(ctx, o->session)) != SAM_OK)
		sam_fail(rc, "cannot set session %u", o->session);
	else if (rc == SAM_OK && (rc = sam_set_io(ctx, ops)) != SAM_OK)
		sam_fail(rc, "cannot set the I/O functions");
	else if (rc != SAM_OK)
		sam_fail(rc, "cannot create a SAM context");
	sam_key_free(key);
	if (rc != SAM_OK) {
		sam_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

static int send_one(sam_ctx *ctx, const mcast_io *io, const void *payload,
					size_t len)
{
	uint64_t seq = sam_next_seq(ctx);
	ssize_t rc;

	rc = sam_write(ctx, payload, len);
	if (rc >= 0)
		return 0;
	if (rc == SAM_E_IO && io->last_errno)
		tool_err("cannot send frame %llu: %s: %s", (unsigned long long)seq,
				 sam_strerror(rc), strerror(io->last_errno));
	else
		sam_fail(rc, "cannot send frame %llu", (unsigned long long)seq);
	return -1;
}

static int send_generated(sam_ctx *ctx, const mcast_io *io,
						  const send_opts *o)
{
	size_t cap = o->size >= 0 ? (size_t)o->size : 0;
	char *buf = malloc(cap + 32);
	pacer p;
	uint64_t i;
	int rc = 0;

	if (!buf) {
		tool_err("out of memory");
		return -1;
	}
	pacer_init(&p, o->rate);
	for (i = 0; i < o->count && !rc; i++) {
		int len = snprintf(buf, 32, "frame %llu", o->first_seq ?
						   (unsigned long long)sam_next_seq(ctx) :
						   (unsigned long long)i + 1);
		size_t n = len;

		if (o->size >= 0) {
			if (n < cap)
				memset(buf + n, '.', cap - n);
			n = cap;
		}
		pacer_wait(&p);
		rc = send_one(ctx, io, buf, n);
	}
	free(buf);
	return rc;
}

static int send_stdin(sam_ctx *ctx, const mcast_io *io, const send_opts *o)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	pacer p;
	int rc = 0;

	pacer_init(&p, o->rate);
	while (!rc && (len = getline(&line, &cap, stdin)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			len--;
		pacer_wait(&p);
		rc = send_one(ctx, io, line, len);
	}
	if (!rc && ferror(stdin)) {
		tool_err("cannot read standard input: %s", strerror(errno));
		rc = -1;
	}
	free(line);
	return rc;
}

int main(int argc, char *argv[])
{
	send_opts o;
	mcast_group g;
	mcast_io io = { .fd = -1 };
	sam_io_ops ops;
	sam_ctx *ctx;
	int rc;

	tool_init(argv, "sam-send");
	parse_args(argc, argv, &o);
	if (mcast_resolve(argv[optind], argv[optind + 1], &g))
		return EXIT_USAGE;
	io.group = &g;
	io.fd = mcast_open_sender(&g, o.ifname, o.ttl, o.loop);
	if (io.fd < 0)
		return EXIT_RUNTIME;
	mcast_io_ops(&io, &ops);
	ctx = setup_ctx(&o, &ops);
	if (!ctx) {
		close(io.fd);
		return EXIT_RUNTIME;
	}
	if (o.count)
		rc = send_generated(ctx, &io, &o);
	else
		rc = send_stdin(ctx, &io, &o);
	sam_ctx_free(ctx);
	close(io.fd);
	return rc ? EXIT_RUNTIME : 0;
}
