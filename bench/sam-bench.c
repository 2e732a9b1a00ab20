/*
 * sam-bench: what source authentication costs, measured against baselines
 * taken in the same run on the same core:
 *
 *   - SHA-256 of the payload (the floor of any hash-based scheme),
 *   - one Ed25519 signature / verification per packet straight from
 *     OpenSSL (what a per-frame signature scheme cannot beat),
 *   - plain UDP send + receive over loopback (the cost of the I/O itself).
 *
 * Each libsam figure is printed beside the baseline it should be read
 * against.  Figures are wall-clock and vary with the machine; nothing here
 * passes or fails.
 */

#include <sam.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "sam-bench: %s: %s\n", what,
			err < 0 ? sam_strerror(err) : strerror(errno));
	exit(1);
}

/* one line of the table; baseline_us <= 0 prints no ratio */
static void row(const char *what, double seconds, unsigned long n,
				double baseline_us, const char *baseline)
{
	double us = seconds * 1e6 / n;

	printf("  %-40s %9.2f us %11.0f/s", what, us, n / seconds);
	if (baseline_us > 0)
	{
		printf("   %5.2fx %s", us / baseline_us, baseline);
	}
	printf("\n");
}

static double bench_sha256(const uint8_t *payload, size_t size,
						   unsigned long n)
{
	uint8_t md[32];
	unsigned int mdlen;
	double t = now();

	for (unsigned long i = 0; i < n; i++)
	{
		if (!EVP_Digest(payload, size, md, &mdlen, EVP_sha256(), NULL))
		{
			die("SHA-256", 0);
		}
	}
	return now() - t;
}

/* per-packet Ed25519 straight from OpenSSL; returns sign and verify time */
static void bench_ed25519(const uint8_t *payload, size_t size,
						  unsigned long n, double *sign, double *verify)
{
	EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t sig[64];
	size_t siglen;
	double t;

	if (!kctx || EVP_PKEY_keygen_init(kctx) <= 0 ||
		EVP_PKEY_keygen(kctx, &pkey) <= 0 || !md)
	{
		die("Ed25519 key", 0);
	}
	t = now();
	for (unsigned long i = 0; i < n; i++)
	{
		siglen = sizeof(sig);
		if (EVP_DigestSignInit(md, NULL, NULL, NULL, pkey) <= 0 ||
			EVP_DigestSign(md, sig, &siglen, payload, size) <= 0)
		{
			die("Ed25519 sign", 0);
		}
	}
	*sign = now() - t;
	t = now();
	for (unsigned long i = 0; i < n; i++)
	{
		if (EVP_DigestVerifyInit(md, NULL, NULL, NULL, pkey) <= 0 ||
			EVP_DigestVerify(md, sig, siglen, payload, size) != 1)
		{
			die("Ed25519 verify", 0);
		}
	}
	*verify = now() - t;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(kctx);
}

/* a sender and a receiver context for scheme, sharing one key */
static void make_pair(sam_scheme scheme, sam_ctx **tx, sam_ctx **rx)
{
	sam_key *key;
	int err;

	if ((err = sam_key_generate(scheme, &key)) ||
		(err = sam_ctx_new(NULL, tx)) || (err = sam_ctx_new(NULL, rx)) ||
		(err = sam_set_session(*tx, 1)) || (err = sam_set_session(*rx, 1)) ||
		(err = sam_set_source(*tx, 1, 0)) ||
		(err = sam_set_signing_key(*tx, key)) ||
		(err = sam_add_source(*rx, 1, key)))
	{
		die("context", err);
	}
	sam_key_free(key);
}

static void bench_scheme(sam_scheme scheme, const uint8_t *payload,
						 size_t size, unsigned long n, uint8_t *frames,
						 size_t stride, double *seal, double *open)
{
	sam_ctx *tx, *rx;
	sam_frame_info info;
	ssize_t len = 0;
	double t;
	int err;

	make_pair(scheme, &tx, &rx);
	/* seal all frames first, so opening measures verification only */
	t = now();
	for (unsigned long i = 0; i < n; i++)
	{
		len = sam_seal(tx, payload, size, frames + i * stride, stride);
		if (len < 0)
		{
			die("sam_seal", len);
		}
	}
	*seal = now() - t;
	t = now();
	for (unsigned long i = 0; i < n; i++)
	{
		if ((err = sam_open(rx, frames + i * stride, len, &info)))
		{
			die("sam_open", err);
		}
	}
	*open = now() - t;
	sam_ctx_free(tx);
	sam_ctx_free(rx);
}

/* a UDP socket on loopback sending to itself */
static int loopback_socket(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd, buf = 4 << 20;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr*)&sin, sizeof(sin)) ||
		getsockname(fd, (struct sockaddr*)&sin, &len) ||
		connect(fd, (struct sockaddr*)&sin, sizeof(sin)))
	{
		die("loopback socket", 0);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	return fd;
}

static ssize_t io_write(void *io, const void *buf, size_t len)
{
	return send(*(int*)io, buf, len, 0);
}

static ssize_t io_read(void *io, void *buf, size_t len)
{
	return recv(*(int*)io, buf, len, 0);
}

/* send and receive one datagram at a time, so the socket never drops */
static double bench_udp(const uint8_t *payload, size_t size, unsigned long n)
{
	uint8_t buf[SAM_MAX_FRAME];
	int fd = loopback_socket();
	double t = now();

	for (unsigned long i = 0; i < n; i++)
	{
		if (send(fd, payload, size, 0) < 0 || recv(fd, buf, sizeof(buf), 0) < 0)
		{
			die("UDP", 0);
		}
	}
	t = now() - t;
	close(fd);
	return t;
}

static double bench_sam_udp(sam_scheme scheme, const uint8_t *payload,
							size_t size, unsigned long n)
{
	uint8_t buf[SAM_MAX_FRAME];
	sam_ctx *tx, *rx;
	int fd = loopback_socket();
	sam_io_ops io = {
		.read = io_read,
		.write = io_write,
		.io = &fd,
	};
	double t;
	ssize_t len;

	make_pair(scheme, &tx, &rx);
	sam_set_io(tx, &io);
	sam_set_io(rx, &io);
	t = now();
	for (unsigned long i = 0; i < n; i++)
	{
		if ((len = sam_write(tx, payload, size)) < 0 ||
			(len = sam_readfrom(rx, buf, sizeof(buf), NULL, NULL, NULL)) < 0)
		{
			die("sam_write/sam_readfrom", len);
		}
	}
	t = now() - t;
	sam_ctx_free(tx);
	sam_ctx_free(rx);
	close(fd);
	return t;
}

static void usage(FILE *out)
{
	fprintf(out,
"Usage: sam-bench [--frames N] [--size BYTES]\n"
"\n"
"Measures libsam's sealing, opening and UDP round trip per scheme and prints\n"
"each figure beside a baseline measured in the same run: SHA-256 of the\n"
"payload, per-packet Ed25519 from OpenSSL, and plain UDP over loopback.\n"
"\n"
"  -n, --frames N    frames per measurement (default 20000)\n"
"  -s, --size BYTES  payload size (default 256)\n"
"  -h, --help        show this help\n");
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "frames", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const sam_scheme schemes[] = {
		SAM_SCHEME_HMAC_SHA256, SAM_SCHEME_ED25519, SAM_SCHEME_ECDSA_P256,
	};
	unsigned long n = 20000;
	size_t size = 256, stride = SAM_HEADER_SIZE + 64;
	double sha, ed_sign, ed_verify, udp, seal, open;
	uint8_t *payload, *frames;
	char what[64];
	int c;

	while ((c = getopt_long(argc, argv, "n:s:h", opts, NULL)) != -1)
	{
		switch (c)
		{
			case 'n':
				n = strtoul(optarg, NULL, 0);
				break;
			case 's':
				size = strtoul(optarg, NULL, 0);
				break;
			case 'h':
				usage(stdout);
				return 0;
			default:
				usage(stderr);
				return 2;
		}
	}
	if (n == 0 || size > SAM_MAX_FRAME - SAM_HEADER_SIZE - 64)
	{
		usage(stderr);
		return 2;
	}
	stride += size;
	payload = malloc(size ? size : 1);
	frames = malloc(n * stride);
	if (!payload || !frames)
	{
		die("malloc", 0);
	}
	memset(payload, 0xa5, size);

	printf("sam-bench: %lu frames of %zu payload bytes, one core\n\n", n, size);
	printf("  %-40s %12s %13s   %s\n", "operation", "per frame", "rate",
		   "vs baseline");
	sha = bench_sha256(payload, size, n);
	bench_ed25519(payload, size, n, &ed_sign, &ed_verify);
	udp = bench_udp(payload, size, n);
	row("baseline: SHA-256 of the payload", sha, n, 0, NULL);
	row("baseline: Ed25519 sign (OpenSSL)", ed_sign, n, 0, NULL);
	row("baseline: Ed25519 verify (OpenSSL)", ed_verify, n, 0, NULL);
	row("baseline: plain UDP send+recv (lo)", udp, n, 0, NULL);
	printf("\n");

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
	{
		const char *name = sam_scheme_name(schemes[i]);
		int mac = schemes[i] == SAM_SCHEME_HMAC_SHA256;

		bench_scheme(schemes[i], payload, size, n, frames, stride, &seal, &open);
		snprintf(what, sizeof(what), "sam_seal %s", name);
		row(what, seal, n, mac ? sha * 1e6 / n : ed_sign * 1e6 / n,
			mac ? "SHA-256" : "Ed25519 sign");
		snprintf(what, sizeof(what), "sam_open %s", name);
		row(what, open, n, mac ? sha * 1e6 / n : ed_verify * 1e6 / n,
			mac ? "SHA-256" : "Ed25519 verify");
		snprintf(what, sizeof(what), "sam_write+sam_readfrom %s (lo)", name);
		row(what, bench_sam_udp(schemes[i], payload, size, n), n,
			udp * 1e6 / n, "plain UDP");
	}
	free(payload);
	free(frames);
	return 0;
}
