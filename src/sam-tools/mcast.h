/*
 * Shared helpers of the sam-* tools: option parsing, diagnostics, multicast
 * sockets and the libsam I/O callbacks over them.
 */

#ifndef SAM_TOOLS_MCAST_H_
#define SAM_TOOLS_MCAST_H_

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/socket.h>

#include <sam.h>

/** Exit status for a runtime failure */
#define EXIT_RUNTIME 1
/** Exit status for a usage error */
#define EXIT_USAGE 2

/** Name of the running tool, for diagnostics; set by tool_init() */
extern const char *tool_name;

/** Remember the tool's name for diagnostics; it also replaces argv[0],
 *  which getopt_long() uses, so libtool's ".libs/lt-" paths never show */
void tool_init(char *argv[], const char *name);

/**
 * Take a group's keys from mike (sam_attach()), saying why not.
 * @return SAM_OK, or the error after printing it
 */
int tool_attach(sam_ctx *ctx, const char *uri, const char *group,
				unsigned int flags);

/** Print "<tool>: <message>\n" to stderr */
void tool_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Print the "Try --help" hint and exit with EXIT_USAGE; for errors that
 *  getopt_long() has reported already */
void tool_usage_hint(void) __attribute__((noreturn));

/** Print a usage error and the hint, then exit with EXIT_USAGE */
void tool_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/**
 * Parse an unsigned decimal or 0x-prefixed hexadecimal number no larger
 * than max.  The whole string must be the number.
 *
 * @return 0 on success, -1 if s is not such a number
 */
int parse_uint(const char *s, uint64_t max, uint64_t *out);

/** parse_uint() for an option; exits with a usage error on failure */
uint64_t opt_uint(const char *opt, const char *s, uint64_t min, uint64_t max);

/** Parse a non-negative decimal number with optional fraction (rates,
 *  timeouts); exits with a usage error on failure or if not > 0 */
double opt_positive(const char *opt, const char *s);

/** A multicast group and port, resolved */
typedef struct {
	struct sockaddr_storage addr;
	socklen_t len;
	int family;
} mcast_group;

/**
 * Resolve a numeric group address and port; the address must be an IPv4
 * or IPv6 multicast address.
 *
 * @return 0, or -1 after printing why
 */
int mcast_resolve(const char *group, const char *port, mcast_group *g);

/**
 * Open a socket that sends to the group: multicast TTL / hop limit, loop
 * and (if ifname is not NULL) the outgoing interface.
 *
 * @return the socket, or -1 after printing why
 */
int mcast_open_sender(const mcast_group *g, const char *ifname, int ttl,
					  int loop);

/**
 * Open a socket that receives the group's datagrams only: bound to the
 * group address and port, joined on ifname (or the interface the kernel
 * picks).  Without reuse the port is this socket's alone: another local
 * process cannot bind it to read the group's datagrams (ESP decrypts for
 * the whole host); with reuse (SO_REUSEADDR) several receivers share it.
 *
 * @return the socket, or -1 after printing why
 */
int mcast_open_receiver(const mcast_group *g, const char *ifname, int reuse);

/**
 * Set a receive timeout on the socket, so a blocked read gives up.
 * @return 0, or -1 after printing why
 */
int mcast_set_timeout(int fd, double seconds);

/** What the libsam I/O callbacks work on */
typedef struct {
	int fd;
	const mcast_group *group;
	/** errno of the last failed call, 0 if none failed; libsam reports
	 *  every I/O failure as SAM_E_IO, this tells which one */
	int last_errno;
	/** datagrams read, for a receiver's idle time */
	uint64_t reads;
} mcast_io;

/** sam_io_ops.write: sendto() the group */
ssize_t mcast_io_write(void *io, const void *buf, size_t len);

/** sam_io_ops.readfrom: recvfrom() the socket */
ssize_t mcast_io_readfrom(void *io, void *buf, size_t len,
						  struct sockaddr *from, socklen_t *fromlen);

/** Fill ops with the callbacks above, working on io */
void mcast_io_ops(mcast_io *io, sam_io_ops *ops);

/** Buffer size for mcast_addr_str(): "[" IPv6 "%" ifname "]:" port */
#define MCAST_ADDRSTRLEN 80

/** Format an address as "192.0.2.1:4000" or "[2001:db8::1]:4000" */
const char *mcast_addr_str(const struct sockaddr *sa, socklen_t len,
						   char *buf, size_t size);

/** Write bytes to f, printable ASCII as is and every other byte (and the
 *  backslash) as \xNN, so a payload can never forge an output line */
void print_escaped(FILE *f, const uint8_t *buf, size_t len);

/**
 * Load a key file, printing "<tool>: cannot read key 'path': <reason>" on
 * failure.
 * @return the key or NULL
 */
sam_key *load_key(const char *path);

/**
 * Give ctx the data key of a --data-key file: one line "<key id, decimal>
 * <64 hex digits>", readable by its owner only (the key decrypts the
 * group's payloads).  With require, the context also requires encryption
 * (sam_require_encryption()).
 *
 * @return 0, or -1 after printing why, naming the file
 */
int load_data_key(sam_ctx *ctx, const char *path, int require);

/** Largest scheme value scheme_list() and key_fits() probe */
#define SCHEME_PROBE_MAX 64

/**
 * Write the names of the schemes libsam knows into buf as "a, b or c"
 * (or those a key fits, with key not NULL).
 */
const char *scheme_list(const sam_key *key, char *buf, size_t size);

/**
 * Parse a --scheme option; exits with a usage error naming the known
 * schemes if libsam does not know it.
 */
sam_scheme opt_scheme(const char *s);

/**
 * Make key serve scheme (sam_key_set_scheme()): an Ed25519 key file can
 * serve ed25519, ed25519-oo or hybrid.  On failure prints which schemes
 * the key of path fits.
 *
 * @return 0, or -1 after printing why
 */
int key_use_scheme(sam_key *key, const char *path, sam_scheme scheme);

/** Print "<tool>: <what>: <sam_strerror(err)>" and return err */
int sam_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* SAM_TOOLS_MCAST_H_ */
