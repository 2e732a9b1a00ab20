/*
 * sam-bench: what source authentication costs, measured against baselines
 * taken in the same run on the same core:
 *
 *   - SHA-256 of the payload (the floor of any hash-based scheme),
 *   - one Ed25519 signature / verification per packet straight from
 *     OpenSSL's EVP interface (what a per-frame signature cannot beat),
 *   - plain UDP over loopback (the cost of the I/O itself).
 *
 * Per scheme and payload size (the seed's 464 and 1262 bytes): online
 * signing (sam_seal with the offline work done beforehand by
 * sam_precompute), offline work per frame (sam_precompute time / frames it
 * made ready), verification (sam_open), authenticator bytes, and the
 * largest payload one 1500-byte IPv4 datagram with ESP carries.  Then the
 * seed's table (Rohatgi, CCS'99): the average cost per frame of a stream
 * of 100 and of 1000 frames, online only and with the offline cost, beside
 * the 1999 figures; then, for 1262 bytes, what payload encryption under a
 * data key adds to ed25519 sealing and opening, beside AES-256-GCM alone;
 * then the tree scheme (docs/sam-tree.md) at m = 64 for 1262 bytes:
 * verification per frame beside the SHA-256 and Ed25519 baselines, its
 * authenticator bytes and the latency blocks add; a table of the share of
 * arriving frames that authenticate under random loss, per scheme
 * (ed25519, hybrid, tree, tesla); then the issues' goals, each "goal met"
 * or "goal not met", with tesla receiving (docs/sam-tesla.md).
 *
 * Every figure is the median of several runs after a warm-up, on one core
 * (the process is pinned to the CPU it starts on).  Figures are wall-clock
 * and vary with the machine; nothing here passes or fails.
 */

#define _GNU_SOURCE

#include <sam.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 51
#define NSIZES 2
#define NSCHEMES 5

/* the seed's payload sizes and its 1999 figures (Rohatgi, CCS'99, 400 MHz
 * Pentium II): µs per packet over 100 and over 1000 packets, and with the
 * whole offline cost */
static const size_t sizes[NSIZES] = { 464, 1262 };
static const double ref_100[NSIZES] = { 392, 933 };
static const double ref_1000[NSIZES] = { 576, 1522 };
static const double ref_offline = 1500;

/* by name, so a scheme this libsam lacks is skipped, not a build error */
static const char *const scheme_names[NSCHEMES] = {
	"hmac-sha256", "ed25519", "ecdsa-p256", "ed25519-oo", "hybrid",
};

/* IPv4 with ESP around UDP (docs/sam-hybrid.md, "Sizes") */
#define MTU 1500
#define IPV4_HDR 20
#define ESP_SPI_SEQ 8
#define ESP_IV 8
#define ESP_ICV 16
#define ESP_TRAILER 2
#define ESP_ALIGN 4
#define UDP_HDR 8

static int runs = 5;

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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double*)a, y = *(const double*)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* the largest payload whose frame fits one datagram of MTU bytes */
static long max_payload(size_t auth_len)
{
	long p;

	for (p = MTU; p >= 0; p--)
	{
		size_t esp = UDP_HDR + SAM_HEADER_SIZE + p + auth_len + ESP_TRAILER;

		esp = (esp + ESP_ALIGN - 1) / ESP_ALIGN * ESP_ALIGN;
		if (IPV4_HDR + ESP_SPI_SEQ + ESP_IV + esp + ESP_ICV <= MTU)
		{
			return p;
		}
	}
	return -1;
}

/* ---- baselines ---------------------------------------------------------- */

/* µs per SHA-256 of the payload */
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
	return (now() - t) * 1e6 / n;
}

/* per-packet Ed25519 straight from OpenSSL: µs per sign and verify */
static void bench_ed25519(const uint8_t *payload, size_t size,
						  unsigned long n, double *sign, double *verify)
{
	EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t sig[64];
	size_t siglen = sizeof(sig);
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
	*sign = (now() - t) * 1e6 / n;
	t = now();
	for (unsigned long i = 0; i < n; i++)
	{
		if (EVP_DigestVerifyInit(md, NULL, NULL, NULL, pkey) <= 0 ||
			EVP_DigestVerify(md, sig, siglen, payload, size) != 1)
		{
			die("Ed25519 verify", 0);
		}
	}
	*verify = (now() - t) * 1e6 / n;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(kctx);
}

/* µs per AES-256-GCM seal (enc) or open of the payload, as libsam does
 * it: one cipher context, key and nonce set per frame, 24 bytes of AAD */
static double bench_gcm(const uint8_t *payload, size_t size, unsigned long n,
						int enc)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	static uint8_t out[65536], ct[65536];
	uint8_t key[32] = { 1 }, iv[12] = { 2 }, aad[24] = { 3 }, tag[16];
	int outl, ok = 1;
	double t;

	if (!c || EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL,
								1) != 1)
	{
		die("AES-256-GCM", 0);
	}
	/* the ciphertext and tag to open */
	ok &= EVP_CipherInit_ex(c, NULL, NULL, key, iv, 1) == 1 &&
		  EVP_CipherUpdate(c, NULL, &outl, aad, sizeof(aad)) == 1 &&
		  EVP_CipherUpdate(c, ct, &outl, payload, (int)size) == 1 &&
		  EVP_CipherFinal_ex(c, ct + outl, &outl) == 1 &&
		  EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
	t = now();
	for (unsigned long i = 0; i < n && ok; i++)
	{
		ok &= EVP_CipherInit_ex(c, NULL, NULL, key, iv, enc) == 1 &&
			  EVP_CipherUpdate(c, NULL, &outl, aad, sizeof(aad)) == 1 &&
			  EVP_CipherUpdate(c, out, &outl, enc ? payload : ct,
							   (int)size) == 1;
		if (enc)
		{
			ok &= EVP_CipherFinal_ex(c, out + outl, &outl) == 1 &&
				  EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
		}
		else
		{
			ok &= EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) == 1 &&
				  EVP_CipherFinal_ex(c, out + outl, &outl) == 1;
		}
	}
	t = (now() - t) * 1e6 / n;
	if (!ok)
	{
		die("AES-256-GCM", 0);
	}
	EVP_CIPHER_CTX_free(c);
	return t;
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

/* µs per plain UDP send on loopback; the datagrams are received in
 * between, untimed, so the socket never drops */
static double bench_udp_send(const uint8_t *payload, size_t size,
							 unsigned long n)
{
	uint8_t buf[SAM_MAX_FRAME];
	int fd = loopback_socket();
	double t = 0, t0;

	for (unsigned long i = 0; i < n; i++)
	{
		t0 = now();
		if (send(fd, payload, size, 0) < 0)
		{
			die("UDP send", 0);
		}
		t += now() - t0;
		if (recv(fd, buf, sizeof(buf), 0) < 0)
		{
			die("UDP recv", 0);
		}
	}
	close(fd);
	return t * 1e6 / n;
}

/* µs per plain UDP send + receive on loopback */
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
	return t * 1e6 / n;
}

/* ---- libsam ------------------------------------------------------------- */

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

/* What one run of a scheme measured, per frame */
typedef struct {
	/* sam_seal, offline work done beforehand */
	double online;
	/* sam_precompute time / frames it made ready; 0 for none */
	double offline;
	/* sam_open */
	double verify;
} scheme_run;

/*
 * Seal n frames into frames (stride bytes each) as a sender that keeps its
 * offline work ahead: sam_precompute() for what is left, then sam_seal()
 * as many frames as it made ready, only the latter timed as online.
 * @return the frame length
 */
static ssize_t seal_stream(sam_ctx *tx, const uint8_t *payload, size_t size,
						   unsigned long n, uint8_t *frames, size_t stride,
						   double *online, double *offline,
						   unsigned long *made)
{
	ssize_t len = 0;
	unsigned long i = 0;
	double t;
	int err;

	*online = *offline = 0;
	*made = 0;
	while (i < n)
	{
		size_t before = sam_precomputed(tx), ready;

		if (before != SIZE_MAX && before < n - i)
		{
			t = now();
			if ((err = sam_precompute(tx, n - i)))
			{
				die("sam_precompute", err);
			}
			*offline += now() - t;
			*made += sam_precomputed(tx) - before;
		}
		ready = sam_precomputed(tx);
		if (ready > n - i)
		{
			ready = n - i;
		}
		if (ready == 0)
		{
			die("sam_precompute made nothing ready", SAM_E_PRECOMPUTE);
		}
		t = now();
		for (size_t j = 0; j < ready; j++, i++)
		{
			len = sam_seal(tx, payload, size, frames + i * stride, stride);
			if (len <= 0)
			{
				die("sam_seal", len ? len : SAM_E_INVAL);
			}
		}
		*online += now() - t;
	}
	return len;
}

/* both contexts hold one data key: every payload is encrypted */
static void add_data_key(sam_ctx *tx, sam_ctx *rx)
{
	uint8_t key[SAM_DATA_KEY_SIZE] = { 0x5a };
	int err;

	if ((err = sam_add_data_key(tx, 1, key, sizeof(key))) ||
		(err = sam_add_data_key(rx, 1, key, sizeof(key))))
	{
		die("data key", err);
	}
}

/* a scheme's online signing, offline work and verification; encrypt: with
 * a data key */
static void bench_scheme(sam_scheme scheme, const uint8_t *payload,
						 size_t size, unsigned long n, uint8_t *frames,
						 size_t stride, int encrypt, scheme_run *r)
{
	sam_ctx *tx, *rx;
	sam_frame_info info;
	unsigned long made;
	double online, offline, t;
	ssize_t len;
	int err;

	make_pair(scheme, &tx, &rx);
	if (encrypt)
	{
		add_data_key(tx, rx);
	}
	/* what the signer set up by itself is not part of the measurement:
	 * use it up first (ed25519-oo fills its pool at setup) */
	if (sam_precomputed(tx) != SIZE_MAX)
	{
		size_t left = sam_precomputed(tx);

		for (size_t i = 0; i < left; i++)
		{
			if (sam_seal(tx, payload, size, frames, stride) <= 0)
			{
				die("sam_seal", SAM_E_INVAL);
			}
		}
	}
	len = seal_stream(tx, payload, size, n, frames, stride, &online,
					  &offline, &made);
	r->online = online * 1e6 / n;
	r->offline = made ? offline * 1e6 / made : 0;
	t = now();
	for (unsigned long i = 0; i < n; i++)
	{
		if ((err = sam_open(rx, frames + i * stride, len, &info)))
		{
			die("sam_open", err);
		}
	}
	r->verify = (now() - t) * 1e6 / n;
	sam_ctx_free(tx);
	sam_ctx_free(rx);
}

/* The seed's stream: a fresh sender sends n frames, precomputing ahead;
 * µs per frame online (the offline cost per frame is added by the caller:
 * a signer fills what it holds, a pool or batches, at once, so a short
 * stream's own precompute calls would count what it never sends) */
static double bench_stream(sam_scheme scheme, const uint8_t *payload,
						   size_t size, unsigned long n, uint8_t *frames,
						   size_t stride)
{
	sam_ctx *tx, *rx;
	unsigned long made;
	double on, off;

	make_pair(scheme, &tx, &rx);
	seal_stream(tx, payload, size, n, frames, stride, &on, &off, &made);
	sam_ctx_free(tx);
	sam_ctx_free(rx);
	return on * 1e6 / n;
}

static ssize_t io_write(void *io, const void *buf, size_t len)
{
	return send(*(int*)io, buf, len, 0);
}

static ssize_t io_read(void *io, void *buf, size_t len)
{
	return recv(*(int*)io, buf, len, 0);
}

/* µs per sam_write + sam_readfrom over loopback, precomputed ahead */
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
	double t = 0, t0;
	ssize_t len;

	make_pair(scheme, &tx, &rx);
	sam_set_io(tx, &io);
	sam_set_io(rx, &io);
	for (unsigned long i = 0; i < n; i++)
	{
		if (sam_precomputed(tx) == 0 && (len = sam_precompute(tx, n - i)))
		{
			die("sam_precompute", len);
		}
		t0 = now();
		if ((len = sam_write(tx, payload, size)) < 0 ||
			(len = sam_readfrom(rx, buf, sizeof(buf), NULL, NULL, NULL)) < 0)
		{
			die("sam_write/sam_readfrom", len);
		}
		t += now() - t0;
	}
	sam_ctx_free(tx);
	sam_ctx_free(rx);
	close(fd);
	return t * 1e6 / n;
}

/* ---- tree (docs/sam-tree.md) and loss ---------------------------------- */

#define TREE_M 64
#define TREE_T 20
/* frames of the loss table per scheme and rate; its PRNG's seed */
#define LOSS_FRAMES 640
#define LOSS_SEED 20260101u

/* the loss table's tesla stream (its defaults: 100-ms intervals, d = 4):
 * frames per interval; the tail of d + 1 intervals sent after the counted
 * frames, not counted; the receiver's pending budget, d + 2 intervals of
 * frames of at most LOSS_TESLA_FRAME_LEN bytes */
#define LOSS_TESLA_PER_INTERVAL 10
#define LOSS_TESLA_TAIL (LOSS_TESLA_PER_INTERVAL * \
						 (SAM_TESLA_DEFAULT_DELAY + 1))
#define LOSS_TESLA_PENDING (LOSS_TESLA_PER_INTERVAL * \
							(SAM_TESLA_DEFAULT_DELAY + 2))
#define LOSS_TESLA_FRAME_LEN 2048

static const char *const loss_schemes[] = {
	"ed25519", "hybrid", "tree", "tesla",
};
static const int loss_rates[] = { 0, 10, 30 };
#define NLOSS (sizeof(loss_rates) / sizeof(loss_rates[0]))
#define NLOSS_SCHEMES (sizeof(loss_schemes) / sizeof(loss_schemes[0]))

/* What the tree scheme measured, per frame */
typedef struct {
	/* sam_seal and the block's close (tree, root signature), per frame */
	double sign;
	/* closing one full block: the m-th sam_seal() */
	double close;
	/* sam_open */
	double verify;
	/* authenticator bytes per frame, on average */
	double auth;
} tree_run;

/* Take what a batching sender finished into frames[*i ..] */
static void drain(sam_ctx *tx, uint8_t *frames, size_t stride,
				  size_t *lens, unsigned long *i)
{
	ssize_t len;

	while ((len = sam_next_sealed(tx, frames + *i * stride, stride)) > 0)
	{
		lens[(*i)++] = (size_t)len;
	}
	if (len < 0)
	{
		die("sam_next_sealed", len);
	}
}

/* Seal n frames of any scheme into frames, lengths in lens; a batching
 * scheme's are flushed at the end.  @return frames made */
static unsigned long seal_all(sam_ctx *tx, const uint8_t *payload,
							  size_t size, unsigned long n, uint8_t *frames,
							  size_t stride, size_t *lens)
{
	unsigned long i = 0, sealed;
	ssize_t len;
	int err;

	for (sealed = 0; sealed < n; sealed++)
	{
		len = sam_seal(tx, payload, size, frames + i * stride, stride);
		if (len < 0)
		{
			die("sam_seal", len);
		}
		if (len > 0)
		{
			lens[i++] = (size_t)len;
		}
		drain(tx, frames, stride, lens, &i);
	}
	if ((err = sam_flush(tx)))
	{
		die("sam_flush", err);
	}
	drain(tx, frames, stride, lens, &i);
	return i;
}

/* a tree sender with blocks of m frames and a receiver */
static void make_tree_pair(unsigned int m, sam_ctx **tx, sam_ctx **rx)
{
	int err;

	make_pair(SAM_SCHEME_TREE, tx, rx);
	if ((err = sam_set_tree(*tx, m, TREE_T)))
	{
		die("sam_set_tree", err);
	}
}

/* the tree scheme at blocks of TREE_M, n frames (whole blocks) */
static void bench_tree(const uint8_t *payload, size_t size, unsigned long n,
					   uint8_t *frames, size_t stride, size_t *lens,
					   tree_run *r)
{
	sam_ctx *tx, *rx;
	sam_frame_info info;
	unsigned long made, i;
	double t, bytes = 0;
	int err;

	n = (n + TREE_M - 1) / TREE_M * TREE_M;
	make_tree_pair(TREE_M, &tx, &rx);
	t = now();
	made = seal_all(tx, payload, size, n, frames, stride, lens);
	r->sign = (now() - t) * 1e6 / n;
	if (made != n)
	{
		die("tree: frames missing", SAM_E_INVAL);
	}
	t = now();
	for (i = 0; i < n; i++)
	{
		if ((err = sam_open(rx, frames + i * stride, lens[i], &info)))
		{
			die("sam_open", err);
		}
		bytes += (double)(lens[i] - SAM_HEADER_SIZE - size);
	}
	r->verify = (now() - t) * 1e6 / n;
	r->auth = bytes / n;
	/* one block's close alone: m - 1 frames held, the m-th closes it */
	for (i = 0; i + 1 < TREE_M; i++)
	{
		if (sam_seal(tx, payload, size, frames, stride) != 0)
		{
			die("sam_seal", SAM_E_INVAL);
		}
	}
	t = now();
	if (sam_seal(tx, payload, size, frames, stride) != 0)
	{
		die("sam_seal", SAM_E_INVAL);
	}
	r->close = (now() - t) * 1e6;
	i = 0;
	drain(tx, frames, stride, lens, &i);
	sam_ctx_free(tx);
	sam_ctx_free(rx);
}

/* a small seeded PRNG (xorshift32): the same losses on every machine */
static uint32_t loss_next(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

static double loss_share_tesla(int rate, const uint8_t *payload,
							   size_t size, uint8_t *frame, size_t stride);

/* the share of arriving frames that authenticate, rate % of them lost */
static double loss_share(sam_scheme scheme, int rate, const uint8_t *payload,
						 size_t size, uint8_t *frames, size_t stride,
						 size_t *lens)
{
	uint32_t state = LOSS_SEED + (uint32_t)rate;
	unsigned long made, i, arrived = 0, ok = 0;
	sam_ctx *tx, *rx;
	sam_frame_info info;

	if (scheme == SAM_SCHEME_TESLA)
	{
		return loss_share_tesla(rate, payload, size, frames, stride);
	}
	if (scheme == SAM_SCHEME_TREE)
	{
		make_tree_pair(TREE_M, &tx, &rx);
	}
	else
	{
		make_pair(scheme, &tx, &rx);
	}
	made = seal_all(tx, payload, size, LOSS_FRAMES, frames, stride, lens);
	for (i = 0; i < made; i++)
	{
		if (loss_next(&state) % 100 < (uint32_t)rate)
		{
			continue;
		}
		arrived++;
		ok += sam_open(rx, frames + i * stride, lens[i], &info) == SAM_OK;
	}
	sam_ctx_free(tx);
	sam_ctx_free(rx);
	return arrived ? 100.0 * ok / arrived : 0;
}

/* ---- tesla ---------------------------------------------------------------- */

/* the virtual clock of the tesla stream, ms */
static uint64_t tesla_now;

static uint64_t tesla_clock(void *user)
{
	(void)user;
	return tesla_now;
}

/* tesla frames per 100-ms interval in the stream */
#define TESLA_PER_INTERVAL 100

/*
 * A tesla sender with a fresh chain of the defaults (100-ms intervals,
 * d = 4), its first frame sequence number 1, and a receiver with its
 * bootstrap and a pending budget of pending frames of 2048 bytes; both on
 * the virtual clock, which starts the chain now
 */
static void make_tesla_pair(size_t pending, sam_ctx **tx, sam_ctx **rx)
{
	uint8_t body[SAM_TESLA_BOOTSTRAP_BODY], blob[SAM_MAX_BOOTSTRAP];
	ssize_t blen;
	sam_key *key;
	int err;

	tesla_now = UINT64_C(1700000000000);
	if ((err = sam_key_generate(SAM_SCHEME_TESLA, &key)) ||
		(err = sam_ctx_new(NULL, tx)) || (err = sam_ctx_new(NULL, rx)) ||
		(err = sam_set_clock(*tx, tesla_clock, NULL)) ||
		(err = sam_set_clock(*rx, tesla_clock, NULL)) ||
		(err = sam_set_session(*tx, 1)) || (err = sam_set_session(*rx, 1)) ||
		(err = sam_set_source(*tx, 1, 1)) ||
		(err = sam_set_signing_key(*tx, key)) ||
		(err = sam_set_tesla(*tx, 0, 0, 0)) ||
		(err = sam_set_pending(*rx, pending, LOSS_TESLA_FRAME_LEN)) ||
		(err = sam_set_replay_window(*rx, SAM_MAX_REPLAY_WINDOW)) ||
		(err = sam_add_source(*rx, 1, key)))
	{
		die("tesla context", err);
	}
	sam_key_free(key);
	if ((err = sam_tesla_bootstrap_body(*tx, body, sizeof(body))) < 0 ||
		(blen = sam_bootstrap_seal(*tx, body, (size_t)err, blob,
								   sizeof(blob))) < 0 ||
		(err = sam_tesla_load_bootstrap(*rx, 1, blob, (size_t)blen)))
	{
		die("tesla bootstrap", err);
	}
}

/* the most frames the loss table's tesla receiver held pending at once */
static unsigned long loss_tesla_peak;

/*
 * The loss table's tesla row: LOSS_FRAMES counted frames, sealed
 * LOSS_TESLA_PER_INTERVAL an interval on the virtual clock and, unless
 * lost, opened when sealed (no network delay); then LOSS_TESLA_TAIL more
 * through the same losses, not counted, which disclose the keys of the
 * last counted intervals.  Authenticated: the counted frames
 * sam_next_authentic() hands out, after a last sam_poll().
 */
static double loss_share_tesla(int rate, const uint8_t *payload,
							   size_t size, uint8_t *frame, size_t stride)
{
	uint32_t state = LOSS_SEED + (uint32_t)rate;
	unsigned long i, arrived = 0, ok = 0, held = 0;
	sam_frame_info info;
	sam_ctx *tx, *rx;
	ssize_t len;
	int err;

	make_tesla_pair(LOSS_TESLA_PENDING, &tx, &rx);
	for (i = 0; i < LOSS_FRAMES + LOSS_TESLA_TAIL; i++)
	{
		if ((len = sam_seal(tx, payload, size, frame, stride)) < 0)
		{
			die("sam_seal", len);
		}
		if (loss_next(&state) % 100 >= (uint32_t)rate)
		{
			/* frame i has sequence number i + 1 (make_tesla_pair()) */
			arrived += i < LOSS_FRAMES;
			err = sam_open(rx, frame, (size_t)len, &info);
			if (err == SAM_OK)
			{
				ok += info.seq <= LOSS_FRAMES;
			}
			else if (err == SAM_PENDING)
			{
				held++;
			}
			else
			{
				/* among them SAM_E_BUDGET: the budget was too small */
				die("tesla: sam_open", err);
			}
			if (held > loss_tesla_peak)
			{
				loss_tesla_peak = held;
			}
			while (sam_next_authentic(rx, &info) == SAM_OK)
			{
				held--;
				ok += info.seq <= LOSS_FRAMES;
			}
		}
		tesla_now += SAM_TESLA_DEFAULT_INTERVAL / LOSS_TESLA_PER_INTERVAL;
	}
	if ((err = sam_poll(rx)) < 0)
	{
		die("sam_poll", err);
	}
	while (sam_next_authentic(rx, &info) == SAM_OK)
	{
		ok += info.seq <= LOSS_FRAMES;
	}
	sam_ctx_free(tx);
	sam_ctx_free(rx);
	return arrived ? 100.0 * ok / arrived : 0;
}

/*
 * tesla receiving: n frames of a stream, TESLA_PER_INTERVAL an interval
 * (the clocks of both sides virtual), sealed first; then µs per frame for
 * sam_open (safety condition, disclosed key, keeping it pending), the
 * MAC check when its key comes, and sam_next_authentic; *sha: SHA-256 of
 * the payload in the same run
 */
static double bench_tesla(const uint8_t *payload, size_t size,
						  unsigned long n, uint8_t *frames, size_t stride,
						  double *sha, size_t *auth)
{
	uint64_t *at = malloc(n * sizeof(*at));
	sam_frame_info info;
	sam_ctx *tx, *rx;
	unsigned long i, got = 0;
	ssize_t len = 0;
	double t;
	int err;

	if (!at)
	{
		die("malloc", 0);
	}
	make_tesla_pair(TESLA_PER_INTERVAL * (SAM_TESLA_DEFAULT_DELAY + 2),
					&tx, &rx);
	for (i = 0; i < n; i++)
	{
		at[i] = tesla_now;
		if ((len = sam_seal(tx, payload, size, frames + i * stride,
							stride)) < 0)
		{
			die("sam_seal", len);
		}
		tesla_now += 100 / TESLA_PER_INTERVAL;
	}
	*auth = (size_t)len - SAM_HEADER_SIZE - size;
	t = now();
	for (i = 0; i < n; i++)
	{
		tesla_now = at[i];
		err = sam_open(rx, frames + i * stride, len, &info);
		if (err != SAM_PENDING && err != SAM_OK)
		{
			die("sam_open", err);
		}
		while (sam_next_authentic(rx, &info) == SAM_OK)
		{
			got++;
		}
	}
	t = (now() - t) * 1e6 / n;
	/* all but the last d + 1 intervals' */
	if (got + TESLA_PER_INTERVAL * (SAM_TESLA_DEFAULT_DELAY + 1) < n)
	{
		die("tesla: frames did not become authentic", SAM_E_BAD_AUTH);
	}
	*sha = bench_sha256(payload, size, n);
	sam_ctx_free(tx);
	sam_ctx_free(rx);
	free(at);
	return t;
}

/* ---- output ------------------------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out,
"Usage: sam-bench [--frames N] [--runs N]\n"
"\n"
"Measures libsam's schemes (hmac-sha256, ed25519, ecdsa-p256, ed25519-oo,\n"
"hybrid) for the seed's payloads of 464 and 1262 bytes: online signing\n"
"(sam_seal after sam_precompute), offline work per frame, verification\n"
"(sam_open), authenticator bytes, the largest payload in one 1500-byte\n"
"IPv4 datagram with ESP; the seed's per-stream table (100 and 1000\n"
"frames) beside its 1999 figures; payload encryption with ed25519; the\n"
"tree scheme at m = 64; the share of arriving frames authenticated under\n"
"0, 10 and 30 %% random loss (ed25519, hybrid, tree, tesla); tesla\n"
"receiving at 464 bytes; and the issues' goals.  Baselines from\n"
"the same run: SHA-256 of the payload, Ed25519 sign and verify from\n"
"OpenSSL, plain UDP over loopback.  Medians of N runs after a warm-up, on\n"
"one core.  Nothing passes or fails: figures vary with the machine.\n"
"\n"
"  -n, --frames N    frames per measurement (default 2000)\n"
"  -r, --runs N      runs per figure, the median is printed (default 5)\n"
"  -h, --help        show this help\n");
}

/* pin to the CPU we run on, so every figure is of one core */
static int pin_core(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
	{
		return -1;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -1 : cpu;
}

/* Everything measured for one payload size */
typedef struct {
	/* SHA-256, Ed25519 sign, verify, UDP send, UDP send+recv */
	double base[5];
	int have[NSCHEMES];
	sam_scheme scheme[NSCHEMES];
	scheme_run run[NSCHEMES];
	size_t auth[NSCHEMES];
	double stream[NSCHEMES][4];
	double samudp[NSCHEMES];
	/* the largest size only: AES-256-GCM seal and open alone, ed25519
	 * seal and open in clear, and encrypted */
	double crypt[6];
} size_figures;

static void print_goal(const char *what, double ratio, double goal,
					   const char *unit)
{
	printf("  %-68s %6.1f%s  %s\n", what, ratio, unit,
		   ratio >= goal ? "goal met" : "goal not met");
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "frames", required_argument, NULL, 'n' },
		{ "runs", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char *const stream_rows[4] = {
		"over 100 frames, online",
		"over 100 frames, with offline",
		"over 1000 frames, online",
		"over 1000 frames, with offline",
	};
	static size_figures fig[NSIZES];
	static tree_run tree;
	static double loss[NLOSS_SCHEMES][NLOSS];
	size_t *lens;
	unsigned long n = 2000, stream_n;
	size_t stride;
	double v[MAX_RUNS][8];
	uint8_t *payload, *frames;
	int c, cpu;

	while ((c = getopt_long(argc, argv, "n:r:h", opts, NULL)) != -1)
	{
		switch (c)
		{
			case 'n':
				n = strtoul(optarg, NULL, 0);
				break;
			case 'r':
				runs = atoi(optarg);
				break;
			case 'h':
				usage(stdout);
				return 0;
			default:
				usage(stderr);
				return 2;
		}
	}
	if (n == 0 || runs < 1 || runs > MAX_RUNS)
	{
		usage(stderr);
		return 2;
	}
	stream_n = n > 1000 ? n : 1000;
	/* frames as large as they get: header, payload, authenticator */
	stride = SAM_HEADER_SIZE + sizes[NSIZES - 1] + 1024;
	payload = malloc(sizes[NSIZES - 1]);
	frames = malloc((stream_n + TREE_M) * stride);
	lens = calloc(stream_n + TREE_M, sizeof(*lens));
	if (!payload || !frames || !lens)
	{
		die("malloc", 0);
	}
	memset(payload, 0xa5, sizes[NSIZES - 1]);
	cpu = pin_core();

	for (int s = 0; s < NSIZES; s++)
	{
		size_figures *f = &fig[s];
		size_t size = sizes[s];
		double col[MAX_RUNS];

		for (int r = -1; r < runs; r++)
		{
			double sign, verify;

			/* run -1 is the warm-up */
			bench_ed25519(payload, size, n, &sign, &verify);
			if (r < 0)
			{
				continue;
			}
			v[r][0] = bench_sha256(payload, size, n);
			v[r][1] = sign;
			v[r][2] = verify;
			v[r][3] = bench_udp_send(payload, size, n);
			v[r][4] = bench_udp(payload, size, n);
		}
		for (int k = 0; k < 5; k++)
		{
			for (int r = 0; r < runs; r++)
			{
				col[r] = v[r][k];
			}
			f->base[k] = median(col, runs);
		}
		for (int i = 0; i < NSCHEMES; i++)
		{
			sam_ctx *tx, *rx;

			if (sam_scheme_from_name(scheme_names[i], &f->scheme[i]))
			{
				continue;
			}
			f->have[i] = 1;
			make_pair(f->scheme[i], &tx, &rx);
			f->auth[i] = sam_frame_size(tx, size) - SAM_HEADER_SIZE - size;
			sam_ctx_free(tx);
			sam_ctx_free(rx);
			for (int r = -1; r < runs; r++)
			{
				scheme_run sr;

				bench_scheme(f->scheme[i], payload, size, n, frames, stride,
							 0, &sr);
				if (r < 0)
				{
					continue;
				}
				v[r][0] = sr.online;
				v[r][1] = sr.offline;
				v[r][2] = sr.verify;
				v[r][3] = bench_stream(f->scheme[i], payload, size, 100,
									   frames, stride);
				v[r][4] = v[r][3] + sr.offline;
				v[r][5] = bench_stream(f->scheme[i], payload, size, 1000,
									   frames, stride);
				v[r][6] = v[r][5] + sr.offline;
				v[r][7] = bench_sam_udp(f->scheme[i], payload, size, n);
			}
			for (int k = 0; k < 8; k++)
			{
				for (int r = 0; r < runs; r++)
				{
					col[r] = v[r][k];
				}
				switch (k)
				{
					case 0: f->run[i].online = median(col, runs); break;
					case 1: f->run[i].offline = median(col, runs); break;
					case 2: f->run[i].verify = median(col, runs); break;
					case 7: f->samudp[i] = median(col, runs); break;
					default: f->stream[i][k - 3] = median(col, runs); break;
				}
			}
		}
	}

	/* payload encryption, measured side by side with its cleartext
	 * counterpart in each run */
	{
		size_figures *f = &fig[NSIZES - 1];
		size_t size = sizes[NSIZES - 1];
		double col[MAX_RUNS];

		for (int r = -1; r < runs; r++)
		{
			scheme_run clear, sealed;

			bench_scheme(SAM_SCHEME_ED25519, payload, size, n, frames,
						 stride, 0, &clear);
			bench_scheme(SAM_SCHEME_ED25519, payload, size, n, frames,
						 stride, 1, &sealed);
			if (r < 0)
			{
				continue;
			}
			v[r][0] = bench_gcm(payload, size, n, 1);
			v[r][1] = bench_gcm(payload, size, n, 0);
			v[r][2] = clear.online;
			v[r][3] = clear.verify;
			v[r][4] = sealed.online;
			v[r][5] = sealed.verify;
		}
		for (int k = 0; k < 6; k++)
		{
			for (int r = 0; r < runs; r++)
			{
				col[r] = v[r][k];
			}
			f->crypt[k] = median(col, runs);
		}
	}

	/* the tree scheme at m = TREE_M, 1262 bytes; the loss table */
	{
		size_t size = sizes[NSIZES - 1];
		double col[4][MAX_RUNS];

		for (int r = -1; r < runs; r++)
		{
			tree_run tr;

			bench_tree(payload, size, n, frames, stride, lens, &tr);
			if (r < 0)
			{
				continue;
			}
			col[0][r] = tr.sign;
			col[1][r] = tr.close;
			col[2][r] = tr.verify;
			col[3][r] = tr.auth;
		}
		tree.sign = median(col[0], runs);
		tree.close = median(col[1], runs);
		tree.verify = median(col[2], runs);
		tree.auth = median(col[3], runs);
		for (size_t i = 0; i < NLOSS_SCHEMES; i++)
		{
			sam_scheme scheme;

			for (size_t k = 0; k < NLOSS; k++)
			{
				loss[i][k] = sam_scheme_from_name(loss_schemes[i], &scheme) ?
					-1 : loss_share(scheme, loss_rates[k], payload, size,
									frames, stride, lens);
			}
		}
	}

	printf("sam-bench: medians of %d runs after a warm-up, %lu frames per "
		   "measurement,\n", runs, n);
	if (cpu >= 0)
	{
		printf("one core (pinned to CPU %d); microseconds per frame\n", cpu);
	}
	else
	{
		printf("single-threaded (not pinned); microseconds per frame\n");
	}

	for (int s = 0; s < NSIZES; s++)
	{
		size_figures *f = &fig[s];

		printf("\n== payload %zu bytes ==\n\n", sizes[s]);
		printf("  baseline: SHA-256 of the payload         %9.2f us\n", f->base[0]);
		printf("  baseline: Ed25519 sign (OpenSSL EVP)     %9.2f us\n",
			   f->base[1]);
		printf("  baseline: Ed25519 verify (OpenSSL EVP)   %9.2f us\n",
			   f->base[2]);
		printf("  baseline: plain UDP send (lo)            %9.2f us\n",
			   f->base[3]);
		printf("  baseline: plain UDP send+recv (lo)       %9.2f us\n\n",
			   f->base[4]);
		printf("  %-12s %9s %9s %9s %7s %8s %5s %9s %10s\n", "scheme",
			   "online", "offline", "verify", "auth B", "max pay", "fits",
			   "on/EdSig", "ver/EdVer");
		for (int i = 0; i < NSCHEMES; i++)
		{
			scheme_run *r = &f->run[i];

			if (!f->have[i])
			{
				printf("  %-12s (not in this libsam)\n", scheme_names[i]);
				continue;
			}
			printf("  %-12s %9.2f ", scheme_names[i], r->online);
			if (r->offline > 0)
			{
				printf("%9.2f ", r->offline);
			}
			else
			{
				printf("%9s ", "-");
			}
			printf("%9.2f %7zu %8ld %5s %8.3fx %9.3fx\n", r->verify,
				   f->auth[i], max_payload(f->auth[i]),
				   max_payload(f->auth[i]) >= (long)sizes[s] ? "yes" : "no",
				   r->online / f->base[1], r->verify / f->base[2]);
		}
		printf("\n  online: sam_seal after sam_precompute; offline: "
			   "sam_precompute time per\n  frame made ready; max pay: largest "
			   "payload in one %d-byte IPv4 datagram\n  with ESP (IPv4 %d, SPI+"
			   "seq %d, IV %d, ICV %d, trailer %d + pad to %d,\n  UDP %d, SAM "
			   "header %d, authenticator); fits: this payload does;\n"
			   "  on/EdSig, ver/EdVer: against the OpenSSL baselines above\n",
			   MTU, IPV4_HDR, ESP_SPI_SEQ,
			   ESP_IV, ESP_ICV, ESP_TRAILER, ESP_ALIGN, UDP_HDR,
			   SAM_HEADER_SIZE);

		printf("\n  the seed's table: average cost per frame sent, us\n\n");
		printf("  %-32s", "");
		for (int i = 0; i < NSCHEMES; i++)
		{
			if (f->have[i])
			{
				printf(" %11s", scheme_names[i]);
			}
		}
		printf(" %11s\n", "1999 ref");
		for (int k = 0; k < 4; k++)
		{
			double ref = k == 0 ? ref_100[s] : k == 2 ? ref_1000[s] :
						 ref_offline;

			printf("  %-32s", stream_rows[k]);
			for (int i = 0; i < NSCHEMES; i++)
			{
				if (f->have[i])
				{
					printf(" %11.2f", f->stream[i][k]);
				}
			}
			printf(" %10s%.0f\n", k % 2 ? "~" : "", ref);
		}
		printf("\n  1999 ref: Rohatgi, CCS'99, hybrid signatures on a 400 MHz "
			   "Pentium II\n  (\"~\": about, with the whole offline cost); "
			   "here \"with offline\" adds the\n  offline work per frame the "
			   "sender made ready\n");

		printf("\n  sam_write+sam_readfrom over loopback, against plain UDP "
			   "send+recv:\n");
		for (int i = 0; i < NSCHEMES; i++)
		{
			if (f->have[i])
			{
				printf("    %-12s %9.2f us   %6.2fx plain UDP\n",
					   scheme_names[i], f->samudp[i], f->samudp[i] / f->base[4]);
			}
		}
	}

	{
		const size_figures *f = &fig[NSIZES - 1];

		printf("\n== payload encryption (data key, AES-256-GCM), %zu bytes "
			   "==\n\n", sizes[NSIZES - 1]);
		printf("  baseline: AES-256-GCM seal alone (EVP)   %9.2f us\n",
			   f->crypt[0]);
		printf("  baseline: AES-256-GCM open alone (EVP)   %9.2f us\n",
			   f->crypt[1]);
		printf("  baseline: Ed25519 sign / verify (EVP)    %9.2f / %.2f us\n\n",
			   f->base[1], f->base[2]);
		printf("  %-20s %9s %9s %9s %9s\n", "ed25519", "clear", "encrypted",
			   "added", "added %");
		printf("  %-20s %9.2f %9.2f %9.2f %8.1f%%\n", "sam_seal",
			   f->crypt[2], f->crypt[4], f->crypt[4] - f->crypt[2],
			   100 * (f->crypt[4] - f->crypt[2]) / f->crypt[2]);
		printf("  %-20s %9.2f %9.2f %9.2f %8.1f%%\n", "sam_open",
			   f->crypt[3], f->crypt[5], f->crypt[5] - f->crypt[3],
			   100 * (f->crypt[5] - f->crypt[3]) / f->crypt[3]);
		printf("\n  clear and encrypted measured in the same runs; frames "
			   "%d bytes longer\n  encrypted (key id and tag)\n",
			   SAM_SEAL_OVERHEAD);
	}

	{
		const size_figures *f = &fig[NSIZES - 1];
		double goal = 2 * f->base[0] + f->base[2] / TREE_M;

		printf("\n== tree (docs/sam-tree.md), m = %d, T = %d ms, %zu bytes "
			   "==\n\n", TREE_M, TREE_T, sizes[NSIZES - 1]);
		printf("  baseline: SHA-256 of the payload         %9.2f us\n",
			   f->base[0]);
		printf("  baseline: Ed25519 verify (OpenSSL EVP)   %9.2f us\n",
			   f->base[2]);
		printf("  goal: 2 x SHA-256 + Ed25519 verify / m   %9.2f us\n\n",
			   goal);
		printf("  tree verify (sam_open), per frame        %9.2f us   "
			   "%5.2fx the goal\n", tree.verify, tree.verify / goal);
		printf("  tree sign (sam_seal + close), per frame  %9.2f us\n",
			   tree.sign);
		printf("  authenticator bytes per frame            %9.1f\n",
			   tree.auth);
		printf("  closing a block of %d (tree, signature)  %9.2f us\n",
			   TREE_M, tree.close);
		printf("\n  added sending latency: a frame waits for its block to "
			   "close, at most\n  min(T, (m - 1) x the interval between "
			   "frames) + the close: here\n  min(%d ms, %d x interval) + "
			   "%.0f us; sam_flush() ends an idle sender's wait\n",
			   TREE_T, TREE_M - 1, tree.close);
		printf("\n== loss: share of arriving frames authenticated, %d "
			   "frames of %zu bytes ==\n\n", LOSS_FRAMES, sizes[NSIZES - 1]);
		printf("  %-12s", "scheme");
		for (size_t k = 0; k < NLOSS; k++)
		{
			printf(" %7d%% lost", loss_rates[k]);
		}
		printf("\n");
		for (size_t i = 0; i < NLOSS_SCHEMES; i++)
		{
			printf("  %-12s", loss_schemes[i]);
			for (size_t k = 0; k < NLOSS; k++)
			{
				if (loss[i][k] < 0)
				{
					printf(" %12s", "-");
				}
				else
				{
					printf(" %11.1f%%", loss[i][k]);
				}
			}
			printf("\n");
		}
		printf("\n  random loss from a seeded PRNG (xorshift32, seed %u); "
			   "ed25519, hybrid\n  and tree (m = %d) authenticate a frame "
			   "on its own, so a lost frame takes\n  no other with it\n",
			   LOSS_SEED, TREE_M);
		printf("\n  tesla (d = %d, %d-ms intervals, %d frames an interval, "
			   "virtual clocks,\n  frames opened when sealed): a frame "
			   "becomes authentic only when a later\n  frame arrives that "
			   "discloses its interval's key or a later one (earlier\n  "
			   "keys follow), d intervals on; a lost frame takes no other "
			   "with it while\n  later ones arrive.  So the stream's last "
			   "d intervals are authenticated only\n  if the sender keeps "
			   "sending: after the %d counted frames it sends a tail\n  "
			   "of %d (d + 1 intervals) through the same losses, not "
			   "counted (without it\n  the last %d counted frames would "
			   "stay pending and expire).  Pending budget\n  %d frames of "
			   "%d bytes (d + 2 intervals); at most %lu were pending at "
			   "once\n",
			   SAM_TESLA_DEFAULT_DELAY, SAM_TESLA_DEFAULT_INTERVAL,
			   LOSS_TESLA_PER_INTERVAL, LOSS_FRAMES, LOSS_TESLA_TAIL,
			   LOSS_TESLA_PER_INTERVAL * SAM_TESLA_DEFAULT_DELAY,
			   LOSS_TESLA_PENDING, LOSS_TESLA_FRAME_LEN, loss_tesla_peak);
	}

	printf("\n== goals (issue 9) ==\n\n");
	for (int s = 0; s < NSIZES; s++)
	{
		size_figures *f = &fig[s];
		char what[128];

		if (f->have[4])
		{
			snprintf(what, sizeof(what), "hybrid online signing vs Ed25519 "
					 "sign, %zu B (>= 10x cheaper)", sizes[s]);
			print_goal(what, f->base[1] / f->run[4].online, 10, "x");
			snprintf(what, sizeof(what), "hybrid verify vs Ed25519 verify, "
					 "%zu B (no slower: >= 1x)", sizes[s]);
			print_goal(what, f->base[2] / f->run[4].verify, 1, "x");
		}
		else
		{
			printf("  hybrid: not in this libsam\n");
		}
		if (f->have[3])
		{
			snprintf(what, sizeof(what), "ed25519-oo online signing vs "
					 "Ed25519 sign, %zu B (>= 10x cheaper)", sizes[s]);
			print_goal(what, f->base[1] / f->run[3].online, 10, "x");
		}
	}
	{
		const size_figures *f = &fig[NSIZES - 1];
		double goal = 2 * f->base[0] + f->base[2] / TREE_M;

		print_goal("tree verify, m = 64, 1262 B (<= 2x SHA-256 + EdVer/m: "
				   ">= 1x)", goal / tree.verify, 1, "x");
	}
	{
		double col[MAX_RUNS], shas[MAX_RUNS], tv, ts;
		size_t auth = 0;
		unsigned long tn = n > 20000 ? n : 20000;
		uint8_t *tf = malloc(tn * stride);

		if (!tf)
		{
			die("malloc", 0);
		}
		for (int r = -1; r < runs; r++)
		{
			double sh;
			double x = bench_tesla(payload, sizes[0], tn, tf, stride, &sh,
								   &auth);

			if (r >= 0)
			{
				col[r] = x;
				shas[r] = sh;
			}
		}
		free(tf);
		tv = median(col, runs);
		ts = median(shas, runs);
		printf("\n== tesla, %zu-byte payload, %d frames per %d-ms interval, "
			   "d = %d ==\n\n", sizes[0], TESLA_PER_INTERVAL,
			   SAM_TESLA_DEFAULT_INTERVAL, SAM_TESLA_DEFAULT_DELAY);
		printf("  receive (sam_open, MAC when disclosed, hand-out) %9.3f us"
			   "  (%.0f frames/s)\n", tv, 1e6 / tv);
		printf("  baseline: SHA-256 of the payload, same run      %9.3f us"
			   "\n", ts);
		printf("  authenticator                                   %9zu B\n",
			   auth);
		printf("  buffering delay: d intervals                    %9d ms"
			   "\n\n", SAM_TESLA_DEFAULT_DELAY * SAM_TESLA_DEFAULT_INTERVAL);
		printf("  %-68s %6.1fx  %s\n",
			   "tesla receive / SHA-256 of the payload (<= 2x)", tv / ts,
			   tv / ts <= 2 ? "goal met" : "goal not met");
		printf("  %-68s %7.0f/s  %s\n", "tesla frames/s/core (>= 1,000,000)",
			   1e6 / tv, 1e6 / tv >= 1e6 ? "goal met" : "goal not met");
	}
	printf("\n  the issue sets the hybrid signing goal for a 1262-byte "
		   "frame; ratios are\n  baseline / scheme, so higher is "
		   "better\n");
	free(payload);
	free(frames);
	free(lens);
	return 0;
}
