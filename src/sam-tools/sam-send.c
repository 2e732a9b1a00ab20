/*
 * sam-send: send authenticated frames to a multicast group with libsam.
 */

#include "mcast.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
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
	const char *scheme;	/* NULL: the key's own */
	unsigned int loss;	/* test only: percent of frames not sent */
	const char *group;	/* mike group key and source id come from */
	const char *mike;	/* its control socket, NULL: the default */
	const char *data_key;	/* --data-key file, NULL: payloads in clear */
	const char *bootstrap;	/* body published before sending, NULL: none */
	unsigned int tesla_interval;	/* ms, 0: libsam's default */
	unsigned int tesla_delay;		/* intervals, 0: libsam's default */
	unsigned int boot_period;		/* ms between bootstrap frames, 0: none */
} send_opts;

/* a numeric macro of sam.h in a help text */
#define STR_(x) #x
#define SAM_TESLA_STR(x) STR_(x)

/* Online/offline schemes: precompute for this many frames ahead (the
 * signer keeps what it can hold), refill when half of it is used */
#define PRECOMPUTE_AHEAD 1024

/* What sending needs besides the context */
typedef struct {
	sam_ctx *ctx;
	mcast_io *io;
	/* frames the signer held after the first sam_precompute(), 0 for a
	 * scheme without offline work */
	size_t precomputed_full;
	/* --test-loss: percent dropped, the generator's state, counters */
	unsigned int loss;
	uint64_t rand;
	uint64_t dropped;
	/* the sequence number less the payload number: a batched frame's
	 * payload, for --test-loss reports */
	uint64_t seq_base;
	/* --bootstrap-period: 0, no in-band bootstrap frames */
	unsigned int boot_period;
	uint8_t frame[SAM_MAX_FRAME];
} sender;

static void usage(void)
{
	printf(
"Usage: sam-send --key FILE [options] GROUP PORT\n"
"\n"
"Send authenticated frames to the UDP multicast group GROUP (IPv4 or IPv6)\n"
"on PORT, using libsam, the Source Authentication Module for secure IP\n"
"multicast.  Each datagram is one SAM frame: a header with the session id,\n"
"this sender's source id and a sequence number, the payload, and a\n"
"signature (ed25519, ecdsa-p256, ed25519-oo, hybrid, tree) or group MAC\n"
"(hmac-sha256) made with the key.  Receivers (sam-recv) accept only frames\n"
"authenticated by a registered sender's key, and each sequence number only\n"
"once.\n"
"\n"
"The online/offline schemes (ed25519-oo, hybrid) do their expensive part\n"
"ahead: sam-send precomputes before the first frame and again, between\n"
"frames, whenever half of what the signer holds is used, so that signing\n"
"a frame stays cheap.\n"
"\n"
"The tesla scheme (docs/sam-tesla.md) MACs every frame under a key of a\n"
"one-way chain it discloses d intervals later; sam-send makes a fresh\n"
"chain at start and sends its commitment, signed with the key, in-band\n"
"as bootstrap frames (docs/sam-bootstrap.md): one before the first frame,\n"
"then one every --bootstrap-period ms, so receivers without mike (sam-recv\n"
"--scheme tesla --peer ...) can check the frames.  The last d intervals'\n"
"frames become authentic only once a later frame discloses their key.\n"
"\n"
"The tree scheme signs blocks of frames (docs/sam-tree.md): a frame leaves\n"
"when its block closes, at 64 frames or once the oldest waited 20 ms and\n"
"another comes; reading standard input, sam-send closes the block whenever\n"
"no further line is waiting, and at the end of input.\n"
"\n"
"Without --count, every line read from standard input is sent as one frame\n"
"(without its newline) until end of input.  With --count, N generated\n"
"payloads \"frame <n>\" are sent, n counting from 1, or the frame's\n"
"sequence number when --first-seq is given.\n"
"\n"
"Options:\n"
"  -G, --group NAME      take the signing key, source id and session from\n"
"                        the mike plugin (its member group NAME with\n"
"                        sender = yes, docs/sam-keys.md) instead of --key,\n"
"                        --source-id, --session and --scheme.  Needs root\n"
"                        or a user in the group's local_senders\n"
"  -M, --mike URI        the plugin's control socket (default\n"
"                        " SAM_MIKE_DEFAULT_URI ")\n"
"  -B, --bootstrap TEXT  with --group: before the first frame, publish TEXT\n"
"                        (at most 170 bytes) as this sender's signed\n"
"                        bootstrap: the plugin hands it to the GCKS, which\n"
"                        gives it to every member with this sender's key\n"
"                        (docs/sam-bootstrap.md; sam-recv --show-bootstrap)\n"
"  -k, --key FILE        the signing key (PEM private key or group MAC\n"
"                        secret from sam-keygen); required without --group\n"
"  -s, --scheme NAME     sign with scheme NAME (default: the key's own:\n"
"                        ed25519 for an Ed25519 key file, ecdsa-p256,\n"
"                        hmac-sha256); an Ed25519 key also signs with\n"
"                        ed25519-oo, hybrid, tree or tesla (receivers of\n"
"                        hybrid, tree or tesla frames need sam-recv\n"
"                        --scheme hybrid, tree or tesla); a scheme that\n"
"                        does not fit the key is an error\n"
"      --tesla-interval MS  tesla: the interval length (default "
SAM_TESLA_STR(SAM_TESLA_DEFAULT_INTERVAL) ")\n"
"      --tesla-delay D   tesla: the disclosure delay in intervals (default "
SAM_TESLA_STR(SAM_TESLA_DEFAULT_DELAY) ")\n"
"      --bootstrap-period MS  tesla: send the chain's signed bootstrap\n"
"                        in-band before the first frame and then at most\n"
"                        every MS ms, between frames (default "
SAM_TESLA_STR(SAM_DEFAULT_BOOTSTRAP_PERIOD) "; 0: never,\n"
"                        for receivers that take it from mike only)\n"
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
"  -K, --data-key FILE   encrypt every payload (AES-256-GCM) under the\n"
"                        data key in FILE: one line \"<key id> <64 hex\n"
"                        digits>\", the id decimal and not 0, the file\n"
"                        readable by its owner only; receivers need the\n"
"                        same file (sam-recv --data-key).  For use without\n"
"                        mike; the key id goes into every frame\n"
"  -l, --loop            deliver the frames to receivers on this host too\n"
"                        (IP_MULTICAST_LOOP; default off)\n"
"      --test-loss PCT   test only: seal every frame but do not send PCT\n"
"                        percent of them (pseudo-random, the same ones on\n"
"                        every run), reporting each on standard error as\n"
"                        \"test loss: dropped payload <n>\"; for loss\n"
"                        tests where no qdisc can drop\n"
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
"  sam-send --group news --count 100 --rate 10 239.1.2.3 5000\n"
"  sam-keygen --out alice\n"
"  sam-send --key alice.key --source-id 7 --session 0x1234 \\\n"
"           --count 100 --rate 10 239.1.2.3 5000\n"
"  echo hello | sam-send --key alice.key --source-id 7 ff15::1234 5000\n"
"  sam-keygen --scheme hybrid --out bob\n"
"  sam-send --scheme hybrid --key bob.key --source-id 8 --count 100 \\\n"
"           239.1.2.3 5000\n"
"  sam-keygen --scheme tesla --out carol\n"
"  sam-send --scheme tesla --key carol.key --source-id 9 --count 100 \\\n"
"           --rate 20 239.1.2.3 5000\n");
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
		{ "scheme", required_argument, NULL, 's' },
		{ "test-loss", required_argument, NULL, 'L' },
		{ "group", required_argument, NULL, 'G' },
		{ "mike", required_argument, NULL, 'M' },
		{ "data-key", required_argument, NULL, 'K' },
		{ "bootstrap", required_argument, NULL, 'B' },
		{ "tesla-interval", required_argument, NULL, 'T' },
		{ "tesla-delay", required_argument, NULL, 'D' },
		{ "bootstrap-period", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, manual = 0;

	*o = (send_opts){ .source_id = 1, .size = -1, .ttl = 1, .first_seq = 0,
					  .boot_period = SAM_DEFAULT_BOOTSTRAP_PERIOD };
	while ((c = getopt_long(argc, argv, "k:i:S:n:b:r:I:t:f:ls:G:M:K:B:h", opts,
							NULL)) != -1) {
		switch (c) {
		case 'k':
			o->key = optarg;
			break;
		case 'i':
			o->source_id = opt_uint("--source-id", optarg, 0, UINT32_MAX);
			manual = 1;
			break;
		case 'S':
			o->session = opt_uint("--session", optarg, 0, UINT32_MAX);
			manual = 1;
			break;
		case 'G':
			o->group = optarg;
			break;
		case 'M':
			o->mike = optarg;
			break;
		case 'K':
			o->data_key = optarg;
			break;
		case 'B':
			o->bootstrap = optarg;
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
			manual = 1;
			break;
		case 'l':
			o->loop = 1;
			break;
		case 's':
			opt_scheme(optarg);
			o->scheme = optarg;
			break;
		case 'L':
			o->loss = opt_uint("--test-loss", optarg, 0, 100);
			break;
		case 'T':
			o->tesla_interval = opt_uint("--tesla-interval", optarg, 1,
										 UINT32_MAX / 4);
			break;
		case 'D':
			o->tesla_delay = opt_uint("--tesla-delay", optarg, 1, 65535);
			break;
		case 'P':
			o->boot_period = opt_uint("--bootstrap-period", optarg, 0,
									  UINT32_MAX);
			break;
		case 'h':
			usage();
			exit(0);
		default:
			tool_usage_hint();
		}
	}
	if (o->group && (o->key || o->scheme || manual))
		tool_usage_error("--group takes key, source id and session from "
						 "mike: no --key, --scheme, --source-id, --session "
						 "or --first-seq with it");
	if (o->mike && !o->group)
		tool_usage_error("--mike applies to --group only");
	if (o->bootstrap && !o->group)
		tool_usage_error("--bootstrap goes through mike: it needs --group");
	if (o->bootstrap && strlen(o->bootstrap) > SAM_MAX_BOOTSTRAP_BODY)
		tool_usage_error("--bootstrap takes at most %d bytes",
						 SAM_MAX_BOOTSTRAP_BODY);
	if (!o->key && !o->group)
		tool_usage_error("--key (or --group NAME) is required");
	if ((o->tesla_interval || o->tesla_delay) && !o->group &&
		(!o->scheme || strcmp(o->scheme, "tesla") != 0))
		tool_usage_error("--tesla-interval and --tesla-delay need --scheme "
						 "tesla (or a tesla --group)");
	if (o->size >= 0 && !o->count)
		tool_usage_error("--size needs --count");
	/* source id and sequence number are the nonce under the data key */
	if (o->data_key && o->first_seq)
		tool_err("note: with --data-key, a --first-seq must never repeat a "
				 "sequence number sent before under this key and source id");
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

/* whether the signing scheme batches (tree): then stdin is read unbuffered
 * and a block closes whenever no line is waiting; with --group the scheme
 * is mike's, so assumed to */
static int batching;

/*
 * A tesla group (sam_set_tesla() takes only a tesla key): a fresh key
 * chain, its commitment published as this sender's bootstrap; receivers
 * that attached take it from their plugin (docs/sam-tesla.md)
 */
static int publish_tesla_chain(sam_ctx *ctx, const send_opts *o)
{
	uint8_t body[SAM_MAX_BOOTSTRAP_BODY];
	int rc, len;

	rc = sam_set_tesla(ctx, o->tesla_interval, o->tesla_delay, 0);
	if (rc == SAM_E_SCHEME)
		return SAM_OK;
	if (rc != SAM_OK)
		return sam_fail(rc, "cannot make a TESLA key chain");
	if (o->bootstrap) {
		tool_err("group '%s' uses tesla: its bootstrap is the key chain's, "
				 "not --bootstrap", o->group);
		return SAM_E_INVAL;
	}
	len = sam_tesla_bootstrap_body(ctx, body, sizeof(body));
	if (len < 0)
		return sam_fail(len, "cannot describe the TESLA key chain");
	rc = sam_publish_bootstrap(ctx, body, (size_t)len);
	if (rc != SAM_OK)
		tool_err("cannot publish the TESLA key chain of group '%s': %s%s%s",
				 o->group, sam_strerror(rc),
				 *sam_attach_error(ctx) ? ": " : "", sam_attach_error(ctx));
	return rc;
}

/* a context with key, source id and session from mike */
static sam_ctx *setup_ctx_group(const send_opts *o, const sam_io_ops *ops)
{
	sam_ctx *ctx = NULL;
	int rc;

	rc = sam_ctx_new(NULL, &ctx);
	if (rc != SAM_OK) {
		sam_fail(rc, "cannot create a SAM context");
		return NULL;
	}
	batching = 1;
	rc = tool_attach(ctx, o->mike, o->group, SAM_ATTACH_SIGNING);
	if (rc == SAM_OK && (rc = sam_set_io(ctx, ops)) != SAM_OK)
		sam_fail(rc, "cannot set the I/O functions");
	if (rc == SAM_OK)
		rc = publish_tesla_chain(ctx, o);
	if (rc == SAM_OK && o->bootstrap &&
		(rc = sam_publish_bootstrap(ctx, o->bootstrap,
									strlen(o->bootstrap))) != SAM_OK)
		tool_err("cannot publish the bootstrap of group '%s': %s%s%s",
				 o->group, sam_strerror(rc),
				 *sam_attach_error(ctx) ? ": " : "", sam_attach_error(ctx));
	if (rc != SAM_OK) {
		sam_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

static sam_ctx *setup_ctx(const send_opts *o, const sam_io_ops *ops)
{
	sam_ctx *ctx = NULL;
	sam_key *key;
	int rc;

	if (o->group)
		return setup_ctx_group(o, ops);
	key = load_key(o->key);
	if (!key)
		return NULL;
	if (!sam_key_can_sign(key)) {
		tool_err("cannot sign with key '%s': it is a public key (use the "
				 ".key file from sam-keygen)", o->key);
		sam_key_free(key);
		return NULL;
	}
	if (o->scheme) {
		sam_scheme scheme;

		sam_scheme_from_name(o->scheme, &scheme);
		if (key_use_scheme(key, o->key, scheme)) {
			sam_key_free(key);
			return NULL;
		}
	}
	batching = sam_key_scheme(key) == SAM_SCHEME_TREE;
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
	else if (rc == SAM_OK && sam_key_scheme(key) == SAM_SCHEME_TESLA &&
			 (rc = sam_set_tesla(ctx, o->tesla_interval, o->tesla_delay,
								 0)) != SAM_OK)
		sam_fail(rc, "cannot make a TESLA key chain");
	else if (rc != SAM_OK)
		sam_fail(rc, "cannot create a SAM context");
	sam_key_free(key);
	if (rc != SAM_OK) {
		sam_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Keep the online/offline signer stocked: before the first frame
 * (initial) and, between frames, once half of it is used */
static int precompute_ahead(sender *sd, int initial)
{
	size_t left = sam_precomputed(sd->ctx);
	int rc;

	if (left == SIZE_MAX)
		return 0;
	if (!initial && left > sd->precomputed_full / 2)
		return 0;
	rc = sam_precompute(sd->ctx, PRECOMPUTE_AHEAD);
	if (rc != SAM_OK)
		return sam_fail(rc, "cannot precompute signing values");
	if (initial)
		sd->precomputed_full = sam_precomputed(sd->ctx);
	return 0;
}

static int send_frame(sender *sd, const uint8_t *frame, size_t len,
					  uint64_t seq)
{
	if (mcast_io_write(sd->io, frame, len) == (ssize_t)len)
		return 0;
	tool_err("cannot send frame %llu: %s", (unsigned long long)seq,
			 strerror(sd->io->last_errno));
	return -1;
}

static int test_drop(sender *sd);

/* A batching scheme hands out frames after it finished them; --test-loss
 * drops them as it does the others, reported by payload number */
static int send_sealed(sender *sd)
{
	ssize_t n;

	while ((n = sam_next_sealed(sd->ctx, sd->frame, sizeof(sd->frame))) > 0) {
		uint64_t seq = 0;
		int i;

		for (i = 12; i < 20; i++)
			seq = seq << 8 | sd->frame[i];
		if (test_drop(sd)) {
			sd->dropped++;
			tool_err("test loss: dropped payload %llu",
					 (unsigned long long)(seq - sd->seq_base));
		} else if (send_frame(sd, sd->frame, n, seq)) {
			return -1;
		}
	}
	if (n < 0)
		return sam_fail(n, "cannot send a sealed frame");
	return 0;
}

/* --test-loss: whether to drop this frame (xorshift64*, fixed seed) */
static int test_drop(sender *sd)
{
	if (!sd->loss)
		return 0;
	sd->rand ^= sd->rand >> 12;
	sd->rand ^= sd->rand << 25;
	sd->rand ^= sd->rand >> 27;
	return (sd->rand * 0x2545F4914F6CDD1DULL >> 32) % 100 < sd->loss;
}

/* A tesla sender's bootstrap frame, when libsam says one is due (before
 * the first frame, for a new chain, once a period); never dropped by
 * --test-loss, which counts payloads */
static int send_bootstrap(sender *sd)
{
	uint64_t seq = sam_next_seq(sd->ctx);
	ssize_t flen;

	if (!sd->boot_period)
		return 0;
	flen = sam_seal_bootstrap(sd->ctx, sd->frame, sizeof(sd->frame));
	/* not a tesla sender: nothing to announce */
	if (flen == SAM_E_SCHEME || flen == 0)
		return 0;
	if (flen < 0)
		return sam_fail(flen, "cannot seal a bootstrap frame");
	return send_frame(sd, sd->frame, flen, seq);
}

/* n: the payload's number, for --test-loss reports */
static int send_one(sender *sd, const void *payload, size_t len, uint64_t n)
{
	uint64_t seq;
	ssize_t flen;

	if (send_bootstrap(sd))
		return -1;
	seq = sam_next_seq(sd->ctx);

	sd->seq_base = seq - n;
	flen = sam_seal(sd->ctx, payload, len, sd->frame, sizeof(sd->frame));
	if (flen < 0) {
		sam_fail(flen, "cannot seal frame %llu", (unsigned long long)seq);
		return -1;
	}
	if (flen > 0 && test_drop(sd)) {
		sd->dropped++;
		tool_err("test loss: dropped payload %llu", (unsigned long long)n);
	} else if (flen > 0 && send_frame(sd, sd->frame, flen, seq)) {
		return -1;
	}
	if (send_sealed(sd))
		return -1;
	/* the time until the next frame is the offline phase */
	return precompute_ahead(sd, 0);
}

/* End of input: a batching scheme signs and hands out what it holds */
static int send_flush(sender *sd)
{
	int rc = sam_flush(sd->ctx);

	if (rc != SAM_OK)
		return sam_fail(rc, "cannot flush the last frames");
	return send_sealed(sd);
}

static int send_generated(sender *sd, const send_opts *o)
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
		uint64_t num = o->first_seq ? sam_next_seq(sd->ctx) : i + 1;
		int len = snprintf(buf, 32, "frame %llu", (unsigned long long)num);
		size_t n = len;

		if (o->size >= 0) {
			if (n < cap)
				memset(buf + n, '.', cap - n);
			n = cap;
		}
		pacer_wait(&p);
		rc = send_one(sd, buf, n, num);
	}
	free(buf);
	return rc;
}

static int send_stdin(sender *sd, const send_opts *o)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	uint64_t num = 0;
	pacer p;
	int rc = 0;

	pacer_init(&p, o->rate);
	/* a batching scheme: unbuffered, so that poll() sees whether a line
	 * is waiting; if none is, the block closes before sam-send waits */
	if (batching)
		setvbuf(stdin, NULL, _IONBF, 0);
	while (!rc && (len = getline(&line, &cap, stdin)) >= 0) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };

		if (len > 0 && line[len - 1] == '\n')
			len--;
		pacer_wait(&p);
		rc = send_one(sd, line, len, ++num);
		if (!rc && batching && poll(&pfd, 1, 0) == 0)
			rc = send_flush(sd);
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
	static sender sd;
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
	/* required: a key that cannot be used stops the sender, it never
	 * falls back to cleartext */
	if (ctx && o.data_key && load_data_key(ctx, o.data_key, 1)) {
		sam_ctx_free(ctx);
		ctx = NULL;
	}
	if (!ctx) {
		close(io.fd);
		return EXIT_RUNTIME;
	}
	sd.ctx = ctx;
	sd.io = &io;
	sd.loss = o.loss;
	sd.rand = 0x9e3779b97f4a7c15ULL;
	sd.boot_period = o.boot_period;
	if (o.boot_period &&
		(rc = sam_set_bootstrap_period(ctx, o.boot_period)) != SAM_OK) {
		sam_fail(rc, "cannot set the bootstrap period");
		sam_ctx_free(ctx);
		close(io.fd);
		return EXIT_RUNTIME;
	}
	rc = precompute_ahead(&sd, 1);
	if (!rc && o.count)
		rc = send_generated(&sd, &o);
	else if (!rc)
		rc = send_stdin(&sd, &o);
	if (!rc)
		rc = send_flush(&sd);
	if (sd.dropped)
		tool_err("test loss: %llu frames not sent",
				 (unsigned long long)sd.dropped);
	sam_ctx_free(ctx);
	close(io.fd);
	return rc ? EXIT_RUNTIME : 0;
}
