/*
 * sam-recv: receive authenticated frames from a multicast group with libsam.
 */

#include "mcast.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
	uint32_t id;
	const char *file;
	const char *scheme;	/* NULL: the key's own */
} peer;

typedef struct {
	uint32_t session;
	peer *peers;
	int npeers;
	unsigned int window;	/* 0: the library's default */
	unsigned int pending;	/* frames kept pending per source (tesla) */
	uint64_t count;			/* 0: until interrupted */
	double timeout;			/* 0: none */
	int tesla_skew;			/* ms, -1: libsam's default */
	const char *ifname;
	int quiet;
	int verbose;
	const char *group;		/* mike group the keys come from, NULL: --peer */
	const char *mike;		/* its control socket, NULL: the default */
	int reuse;				/* share the port (SO_REUSEADDR) */
	const char *data_key;	/* --data-key file, NULL: cleartext taken */
	int show_bootstrap;		/* print the senders' verified bootstraps */
} recv_opts;

/* --show-bootstrap: what was printed last, per source */
#define MAX_SHOWN 256
typedef struct {
	uint32_t id;
	uint64_t issued;
	size_t len;
	uint8_t body[SAM_MAX_BOOTSTRAP_BODY];
} shown_bootstrap;

/* ms between looks for changed bootstraps */
#define SHOW_INTERVAL_MS 1000

static volatile sig_atomic_t stop;

/* how long sam_readfrom() blocks at most between sam_poll()s, seconds */
#define RECV_TICK_S 0.1

static void usage(void)
{
	printf(
"Usage: sam-recv --peer ID:FILE [--peer ID:FILE]... [options] GROUP PORT\n"
"       sam-recv --group NAME [options] GROUP PORT\n"
"\n"
"Join the UDP multicast group GROUP (IPv4 or IPv6) on PORT and print every\n"
"authentic payload, using libsam, the Source Authentication Module for\n"
"secure IP multicast.  A frame is authentic if it belongs to the session,\n"
"comes from a registered source id, verifies under that sender's key, and\n"
"its sequence number was not accepted before (replay window).\n"
"\n"
"Each authentic payload is printed on standard output as one line\n"
"\n"
"  source=<source-id> <payload>\n"
"\n"
"or, with --verbose, with what authenticated it:\n"
"\n"
"  source=<source-id> seq=<n> scheme=<name> auth=<source|group> <payload>\n"
"\n"
"auth=source: a signature of the registered sender (ed25519, ecdsa-p256,\n"
"hybrid, tree; ed25519-oo frames are ed25519 frames); auth=group: a group\n"
"MAC (hmac-sha256), which proves only that a holder of the group key sent\n"
"the frame, so the source id is that member's claim.\n"
"\n"
"where bytes of the payload outside printable ASCII, and the backslash, are\n"
"written as \\xNN.  Every rejected frame is reported on standard error as\n"
"\n"
"  sam-recv: rejected frame from <address>: <reason>\n"
"\n"
"On exit a summary with the accepted and rejected counts goes to standard\n"
"error.  SIGINT and SIGTERM end the program with that summary.\n"
"\n"
"Options:\n"
"  -G, --group NAME      take the session and the senders' keys from the\n"
"                        mike plugin (its member group NAME, docs/sam-keys.md)\n"
"                        instead of --peer and --session, and follow the\n"
"                        group: senders that join are heard, those that\n"
"                        leave are dropped.  Needs root or a user in the\n"
"                        group's local_users\n"
"  -M, --mike URI        the plugin's control socket (default\n"
"                        " SAM_MIKE_DEFAULT_URI ")\n"
"  -B, --show-bootstrap  with --group: print each sender's verified\n"
"                        bootstrap (docs/sam-bootstrap.md) after attaching\n"
"                        and whenever it changes, as the line\n"
"                        bootstrap source=<id> issued=<ms> body=<text>\n"
"                        on standard output, the body escaped as payloads\n"
"                        are (looked at between frames, once a second)\n"
"  -p, --peer ID:FILE    register sender ID with the key in FILE: its public\n"
"                        key (.pub) for ed25519 and ecdsa-p256, the group\n"
"                        key (.key) for hmac-sha256; repeatable, at least\n"
"                        one required\n"
"  -s, --scheme NAME     verify the keys of the --peer options after it with\n"
"                        scheme NAME (the first --scheme also applies to\n"
"                        the --peer options before it; default: each key's\n"
"                        own scheme, ed25519 for an Ed25519 key file).  A\n"
"                        sender that signs with hybrid, tree or tesla needs\n"
"                        --scheme hybrid, tree or tesla; ed25519-oo\n"
"                        frames verify as ed25519 (or\n"
"                        --scheme ed25519-oo).  A scheme that does not fit\n"
"                        a peer's key is an error\n"
"      --tesla-skew MS   tesla: the bound on how far this host's clock\n"
"                        lags the senders' (default 200), for the safety\n"
"                        condition (docs/sam-tesla.md); a tesla sender's\n"
"                        key-chain commitment comes in-band (its signed\n"
"                        bootstrap frames) or from mike.  Frames that do not\n"
"                        become authentic in time are reported as expired,\n"
"                        also while nothing arrives\n"
"  -S, --session N       the session id (default 0)\n"
"  -P, --pending N       frames of up to 2048 bytes kept per sender until\n"
"                        they become authentic (tesla: d intervals of its\n"
"                        frames, 400 ms by default; beyond it frames are\n"
"                        rejected as over the pending budget), 0 to 65536\n"
"                        (default 1024: 2 MB a sender)\n"
"  -w, --window N        replay window in frames, 64 to 65536, rounded up\n"
"                        to a multiple of 64 (default 1024)\n"
"  -n, --count N         exit after N authentic payloads\n"
"  -t, --timeout SEC     give up when nothing arrives for SEC seconds\n"
"                        (fractions allowed), after printing what became\n"
"                        authentic by then\n"
"  -K, --data-key FILE   decrypt the payloads with the data key in FILE\n"
"                        (the file of sam-send --data-key, readable by its\n"
"                        owner only) and reject every frame that is not\n"
"                        encrypted; frames under a key id FILE does not\n"
"                        hold (\"no data key ...\") or that do not decrypt\n"
"                        under it are rejected.  For use without mike\n"
"  -R, --reuse           share the port with other receivers on this host\n"
"                        (SO_REUSEADDR); without it the port is ours alone\n"
"                        and another process binding it fails, so that it\n"
"                        cannot read the datagrams ESP decrypted for us\n"
"  -I, --interface IF    join the group on interface IF (default: the\n"
"                        interface the routing table picks for GROUP;\n"
"                        name it on hosts with several interfaces, e.g.\n"
"                        a bridge and its ports)\n"
"  -q, --quiet           print no payloads and no progress messages; only\n"
"                        rejections, errors and the summary\n"
"  -v, --verbose         print each payload with its sequence number and\n"
"                        what authenticated it (see above)\n"
"  -h, --help            show this help and exit\n"
"\n"
"Numbers are decimal or hexadecimal with 0x.\n"
"\n"
"Exit status:\n"
"  0  --count payloads were received, or interrupted without --count\n"
"  1  a key or socket error, the --timeout expired, or interrupted before\n"
"     --count payloads were received\n"
"  2  usage error\n"
"\n"
"Example:\n"
"  sam-recv --group news --count 100 239.1.2.3 5000\n"
"  sam-recv --session 0x1234 --peer 7:alice.pub --peer 8:bob.pub \\\n"
"           --count 100 --timeout 10 239.1.2.3 5000\n"
"  sam-recv --session 0x1234 --scheme hybrid --peer 9:carol.pub \\\n"
"           --verbose 239.1.2.3 5000\n");
}

static void parse_peer(const char *arg, peer *p)
{
	const char *colon = strchr(arg, ':');
	char id[32];
	uint64_t v;

	if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof(id) ||
		!colon[1])
		tool_usage_error("invalid --peer '%s' (expected ID:FILE)", arg);
	memcpy(id, arg, colon - arg);
	id[colon - arg] = '\0';
	if (parse_uint(id, UINT32_MAX, &v))
		tool_usage_error("invalid source id '%s' in --peer '%s'", id, arg);
	p->id = v;
	p->file = colon + 1;
}

static void parse_args(int argc, char *argv[], recv_opts *o)
{
	static const struct option opts[] = {
		{ "peer", required_argument, NULL, 'p' },
		{ "session", required_argument, NULL, 'S' },
		{ "window", required_argument, NULL, 'w' },
		{ "pending", required_argument, NULL, 'P' },
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "interface", required_argument, NULL, 'I' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "scheme", required_argument, NULL, 's' },
		{ "group", required_argument, NULL, 'G' },
		{ "mike", required_argument, NULL, 'M' },
		{ "reuse", no_argument, NULL, 'R' },
		{ "data-key", required_argument, NULL, 'K' },
		{ "show-bootstrap", no_argument, NULL, 'B' },
		{ "tesla-skew", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *scheme = NULL, *first_scheme = NULL;
	int c, i, session = 0;

	memset(o, 0, sizeof(*o));
	o->tesla_skew = -1;
	o->pending = 1024;
	/* never more peers than arguments */
	o->peers = calloc(argc, sizeof(*o->peers));
	if (!o->peers) {
		tool_err("out of memory");
		exit(EXIT_RUNTIME);
	}
	while ((c = getopt_long(argc, argv, "p:S:w:P:n:t:I:qvs:G:M:RK:Bh", opts,
							NULL)) != -1) {
		switch (c) {
		case 'p':
			o->peers[o->npeers].scheme = scheme;
			parse_peer(optarg, &o->peers[o->npeers++]);
			break;
		case 's':
			opt_scheme(optarg);
			scheme = optarg;
			if (!first_scheme)
				first_scheme = optarg;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'S':
			o->session = opt_uint("--session", optarg, 0, UINT32_MAX);
			session = 1;
			break;
		case 'G':
			o->group = optarg;
			break;
		case 'M':
			o->mike = optarg;
			break;
		case 'R':
			o->reuse = 1;
			break;
		case 'K':
			o->data_key = optarg;
			break;
		case 'B':
			o->show_bootstrap = 1;
			break;
		case 'W':
			o->tesla_skew = opt_uint("--tesla-skew", optarg, 0,
									 UINT32_MAX / 2);
			break;
		case 'w':
			o->window = opt_uint("--window", optarg, 64,
								 SAM_MAX_REPLAY_WINDOW);
			break;
		case 'P':
			o->pending = opt_uint("--pending", optarg, 0, 65536);
			break;
		case 'n':
			o->count = opt_uint("--count", optarg, 1, UINT64_MAX);
			break;
		case 't':
			o->timeout = opt_positive("--timeout", optarg);
			break;
		case 'I':
			o->ifname = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'h':
			usage();
			exit(0);
		default:
			tool_usage_hint();
		}
	}
	if (o->group && (o->npeers || session || scheme))
		tool_usage_error("--group takes the keys from mike: no --peer, "
						 "--session or --scheme with it");
	if (o->mike && !o->group)
		tool_usage_error("--mike applies to --group only");
	if (o->show_bootstrap && !o->group)
		tool_usage_error("--show-bootstrap comes from mike: it needs "
						 "--group");
	if (!o->npeers && !o->group)
		tool_usage_error("at least one --peer ID:FILE (or --group NAME) is "
						 "required");
	if (o->quiet && o->verbose)
		tool_usage_error("--quiet and --verbose exclude each other");
	for (i = 0; i < o->npeers; i++)
		if (!o->peers[i].scheme)
			o->peers[i].scheme = first_scheme;
	if (argc - optind != 2)
		tool_usage_error("expected GROUP and PORT");
}

static void on_reject(void *user, sam_err err, const uint8_t *frame,
					  size_t len, const struct sockaddr *from,
					  socklen_t fromlen)
{
	char addr[MCAST_ADDRSTRLEN];

	(void)user;
	(void)frame;
	(void)len;
	fprintf(stderr, "%s: rejected frame from %s: %s\n", tool_name,
			mcast_addr_str(from, fromlen, addr, sizeof(addr)),
			sam_strerror(err));
	fflush(stderr);
}

static int add_peers(sam_ctx *ctx, const recv_opts *o)
{
	int i, rc;

	for (i = 0; i < o->npeers; i++) {
		sam_key *key = load_key(o->peers[i].file);

		if (!key)
			return -1;
		if (o->peers[i].scheme) {
			sam_scheme scheme;

			sam_scheme_from_name(o->peers[i].scheme, &scheme);
			if (key_use_scheme(key, o->peers[i].file, scheme)) {
				sam_key_free(key);
				return -1;
			}
		}
		if (!o->quiet &&
			sam_scheme_auth(sam_key_scheme(key)) == SAM_AUTH_GROUP)
			tool_err("note: source %u uses %s, a group MAC: its frames "
					 "prove only that a group member sent them, not which",
					 o->peers[i].id, sam_scheme_name(sam_key_scheme(key)));
		rc = sam_add_source(ctx, o->peers[i].id, key);
		sam_key_free(key);
		if (rc != SAM_OK) {
			sam_fail(rc, "cannot register source %u with key '%s'",
					 o->peers[i].id, o->peers[i].file);
			return -1;
		}
	}
	return 0;
}

/* take a group's keys from mike; @return SAM_OK or the error (said) */
static int attach_group(sam_ctx *ctx, const recv_opts *o, unsigned int flags)
{
	int rc;

	rc = tool_attach(ctx, o->mike, o->group, flags);
	if (rc != SAM_OK)
		return rc;
	if (!o->quiet)
		tool_err("keys of group '%s' from mike", o->group);
	return SAM_OK;
}

static sam_ctx *setup_ctx(const recv_opts *o, const sam_io_ops *ops)
{
	sam_ctx *ctx = NULL;
	int rc;

	rc = sam_ctx_new(NULL, &ctx);
	if (rc != SAM_OK) {
		sam_fail(rc, "cannot create a SAM context");
		return NULL;
	}
	/* the window applies to sources added afterwards */
	if (!o->group && (rc = sam_set_session(ctx, o->session)) != SAM_OK)
		sam_fail(rc, "cannot set session %u", o->session);
	else if (o->window &&
			 (rc = sam_set_replay_window(ctx, o->window)) != SAM_OK)
		sam_fail(rc, "cannot set replay window %u", o->window);
	else if ((rc = sam_set_pending(ctx, o->pending, 2048)) != SAM_OK)
		sam_fail(rc, "cannot set a pending budget of %u frames", o->pending);
	else if ((rc = sam_set_io(ctx, ops)) != SAM_OK)
		sam_fail(rc, "cannot set the I/O functions");
	else if ((rc = sam_set_reject_cb(ctx, on_reject, NULL)) != SAM_OK)
		sam_fail(rc, "cannot set the reject callback");
	else if (o->tesla_skew >= 0 &&
			 (rc = sam_set_tesla_skew(ctx, o->tesla_skew)) != SAM_OK)
		sam_fail(rc, "cannot set the TESLA skew bound %d ms", o->tesla_skew);
	else if (o->group)
		rc = attach_group(ctx, o, 0);
	else if (add_peers(ctx, o))
		rc = SAM_E_INVAL;
	if (rc == SAM_OK && o->data_key && load_data_key(ctx, o->data_key, 1))
		rc = SAM_E_DATA_KEY;
	if (rc != SAM_OK) {
		sam_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* No SA_RESTART: a signal must interrupt the blocking recvfrom() */
static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void print_summary(const sam_ctx *ctx)
{
	sam_stats st;
	uint64_t count;
	int err, first = 1;

	if (sam_get_stats(ctx, &st) != SAM_OK)
		return;
	fprintf(stderr, "%s: %llu accepted, %llu rejected", tool_name,
			(unsigned long long)st.accepted, (unsigned long long)st.rejected);
	/* every code sam_strerror() knows, without counting them here */
	for (err = -1; strcmp(sam_strerror(err), "unknown error") != 0; err--) {
		count = sam_get_rejected(ctx, err);
		if (!count)
			continue;
		fprintf(stderr, "%s%s: %llu", first ? " (" : "; ",
				sam_strerror(err), (unsigned long long)count);
		first = 0;
	}
	fprintf(stderr, "%s\n", first ? "" : ")");
	fflush(stderr);
}

/* @return the exit status */
static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Print the bootstraps that are new or changed since the last call */
static void show_bootstraps(const sam_ctx *ctx)
{
	static shown_bootstrap shown[MAX_SHOWN], now[MAX_SHOWN];
	static size_t nshown;
	uint32_t ids[MAX_SHOWN];
	size_t n, i, j, k = 0;
	ssize_t len;

	n = sam_bootstrap_sources(ctx, ids, MAX_SHOWN);
	n = n < MAX_SHOWN ? n : MAX_SHOWN;
	for (i = 0; i < n; i++) {
		len = sam_get_bootstrap(ctx, ids[i], now[k].body,
								sizeof(now[k].body), &now[k].issued);
		if (len < 0)
			continue;
		now[k].id = ids[i];
		now[k].len = (size_t)len;
		for (j = 0; j < nshown; j++)
			if (shown[j].id == now[k].id)
				break;
		if (j == nshown || shown[j].issued != now[k].issued ||
			shown[j].len != now[k].len ||
			memcmp(shown[j].body, now[k].body, now[k].len) != 0) {
			printf("bootstrap source=%u issued=%llu body=", now[k].id,
				   (unsigned long long)now[k].issued);
			print_escaped(stdout, now[k].body, now[k].len);
			putchar('\n');
			fflush(stdout);
		}
		k++;
	}
	/* one that went away is printed again when it comes back */
	memcpy(shown, now, k * sizeof(now[0]));
	nshown = k;
}

static void print_payload(const recv_opts *o, const sam_frame_info *info,
						  const uint8_t *buf, size_t n)
{
	if (o->verbose) {
		printf("source=%u seq=%llu scheme=%s auth=%s ", info->source_id,
			   (unsigned long long)info->seq, sam_scheme_name(info->scheme),
			   info->auth == SAM_AUTH_GROUP ? "group" : "source");
		print_escaped(stdout, buf, n);
		putchar('\n');
		fflush(stdout);
	} else if (!o->quiet) {
		printf("source=%u ", info->source_id);
		print_escaped(stdout, buf, n);
		putchar('\n');
		fflush(stdout);
	}
}

/* At the end: what became authentic meanwhile (a TESLA frame whose key a
 * later frame disclosed), and the expiry of what no longer can */
static void drain(sam_ctx *ctx, const recv_opts *o, uint64_t *got)
{
	sam_frame_info info;

	sam_poll(ctx);
	while ((!o->count || *got < o->count) &&
		   sam_next_authentic(ctx, &info) == SAM_OK) {
		(*got)++;
		print_payload(o, &info, info.payload, info.payload_len);
	}
}

static int receive(sam_ctx *ctx, const mcast_io *io, const recv_opts *o)
{
	uint64_t shown_at = 0;
	static uint8_t buf[SAM_MAX_FRAME];
	struct sockaddr_storage from;
	socklen_t fromlen;
	uint64_t got = 0, idle_since = now_ms(), reads = io->reads;
	sam_frame_info info;
	ssize_t n;

	while (!o->count || got < o->count) {
		/* with --group: who joined or left (when it is due) */
		sam_poll(ctx);
		if (o->show_bootstrap && (!shown_at ||
								  now_ms() - shown_at >= SHOW_INTERVAL_MS)) {
			show_bootstraps(ctx);
			shown_at = now_ms();
		}
		fromlen = sizeof(from);
		n = sam_readfrom(ctx, buf, sizeof(buf), &info,
						 (struct sockaddr *)&from, &fromlen);
		if (n < 0) {
			if (stop || io->last_errno == EINTR)
				break;
			if (io->last_errno == EAGAIN || io->last_errno == EWOULDBLOCK) {
				/* a tick: let pending frames expire (sam_poll() at the
				 * top); a timeout only once no datagram came for long */
				if (io->reads != reads) {
					reads = io->reads;
					idle_since = now_ms();
				}
				if (o->timeout <= 0 ||
					now_ms() - idle_since < o->timeout * 1000)
					continue;
				drain(ctx, o, &got);
				if (o->count && got >= o->count)
					break;
				tool_err("timeout: nothing received for %g s (%llu "
						 "payloads received)", o->timeout,
						 (unsigned long long)got);
				return EXIT_RUNTIME;
			}
			if (n == SAM_E_IO && io->last_errno)
				tool_err("cannot receive: %s: %s", sam_strerror(n),
						 strerror(io->last_errno));
			else
				sam_fail(n, "cannot receive");
			return EXIT_RUNTIME;
		}
		reads = io->reads;
		idle_since = now_ms();
		got++;
		print_payload(o, &info, buf, (size_t)n);
	}
	if (o->count && got < o->count) {
		tool_err("interrupted after %llu of %llu payloads",
				 (unsigned long long)got, (unsigned long long)o->count);
		return EXIT_RUNTIME;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	recv_opts o;
	mcast_group g;
	mcast_io io = { .fd = -1 };
	sam_io_ops ops;
	sam_ctx *ctx;
	char addr[MCAST_ADDRSTRLEN];
	int status;

	tool_init(argv, "sam-recv");
	parse_args(argc, argv, &o);
	if (mcast_resolve(argv[optind], argv[optind + 1], &g))
		return EXIT_USAGE;
	io.group = &g;
	mcast_io_ops(&io, &ops);
	ctx = setup_ctx(&o, &ops);
	if (!ctx)
		return EXIT_RUNTIME;
	io.fd = mcast_open_receiver(&g, o.ifname, o.reuse);
	/* a tick, so that pending frames expire while nothing arrives; the
	 * --timeout is counted in ticks */
	if (io.fd < 0 || mcast_set_timeout(io.fd, RECV_TICK_S)) {
		sam_ctx_free(ctx);
		return EXIT_RUNTIME;
	}
	catch_signals();
	if (!o.quiet)
		tool_err("listening on %s",
				 mcast_addr_str((struct sockaddr *)&g.addr, g.len, addr,
								sizeof(addr)));
	status = receive(ctx, &io, &o);
	print_summary(ctx);
	sam_ctx_free(ctx);
	close(io.fd);
	free(o.peers);
	return status;
}
