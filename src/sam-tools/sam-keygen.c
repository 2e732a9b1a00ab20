/*
 * sam-keygen: generate a libsam key and write it as PEM files.
 */

#include "mcast.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

/* large enough for any of the schemes' PEM encodings */
#define PEM_MAX 4096

static void usage(void)
{
	printf(
"Usage: sam-keygen [--scheme SCHEME] [--out PREFIX] [--force]\n"
"\n"
"Generate a key for libsam, the Source Authentication Module for secure IP\n"
"multicast, and write it as PEM files.\n"
"\n"
"For the signature schemes (ed25519, ecdsa-p256, ed25519-oo, hybrid, tree,\n"
"tesla)\n"
"a key pair is generated: the private key goes to PREFIX.key (mode 0600),\n"
"for sam-send --key; the public key to PREFIX.pub, which receivers\n"
"register with sam-recv --peer.  For hmac-sha256 a 32-byte group secret is\n"
"written to PREFIX.key only; the same file is used by the sender (--key)\n"
"and every receiver (--peer).\n"
"\n"
"ed25519-oo (online/offline Ed25519), hybrid (one-time hash-based\n"
"signatures certified per batch by Ed25519), tree (blocks of frames\n"
"under one Ed25519 signature of their Merkle root) and tesla (a MAC per\n"
"frame under a key chain whose commitment the Ed25519 key signs) use an\n"
"Ed25519 key pair: the PEM files are Ed25519 keys and do not record the\n"
"scheme.  Name it on the other tools: sam-send --scheme ed25519-oo,\n"
"hybrid, tree or tesla; sam-recv --scheme hybrid, tree or tesla\n"
"(ed25519-oo frames are plain ed25519\n"
"frames, so sam-recv takes them with the key's default scheme ed25519, or\n"
"--scheme ed25519-oo).\n"
"\n"
"Options:\n"
"  -s, --scheme SCHEME  ed25519 (default), ecdsa-p256, hmac-sha256,\n"
"                       ed25519-oo, hybrid, tree or tesla\n"
"  -o, --out PREFIX     write PREFIX.key and PREFIX.pub (default: sam)\n"
"  -f, --force          overwrite existing files\n"
"  -h, --help           show this help and exit\n"
"\n"
"Existing files are never overwritten without --force; nothing is written\n"
"if one of them exists.\n"
"\n"
"Exit status:\n"
"  0  the key files were written\n"
"  1  generating or writing the key failed\n"
"  2  usage error\n"
"\n"
"Example:\n"
"  sam-keygen --scheme ecdsa-p256 --out sender1\n"
"  # sender1.key for sam-send, sender1.pub for sam-recv --peer 1:sender1.pub\n"
"  sam-keygen --scheme hybrid --out sender2\n"
"  # sam-send --scheme hybrid --key sender2.key ...\n"
"  # sam-recv --scheme hybrid --peer 2:sender2.pub ...\n"
"  sam-keygen --scheme tesla --out sender3\n"
"  # sam-send --scheme tesla --key sender3.key ...\n"
"  # sam-recv --scheme tesla --peer 3:sender3.pub ...\n");
}

/* Open path for writing; mode is enforced even on an existing file with
 * --force, so a private key never stays world-readable */
static int open_out(const char *path, mode_t mode, int force)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC;
	int fd;

	flags |= force ? O_TRUNC : O_EXCL;
	fd = open(path, flags, mode);
	if (fd < 0) {
		if (errno == EEXIST)
			tool_err("'%s' exists already (use --force to overwrite)",
					 path);
		else
			tool_err("cannot create '%s': %s", path, strerror(errno));
		return -1;
	}
	if (fchmod(fd, mode) < 0) {
		tool_err("cannot set mode of '%s': %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const char *path, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			tool_err("cannot write '%s': %s", path, strerror(errno));
			return -1;
		}
		buf += n;
		len -= n;
	}
	if (fsync(fd) < 0 && errno != EINVAL) {
		tool_err("cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int write_pem(const sam_key *key, int private_part, int fd,
					 const char *path)
{
	char pem[PEM_MAX];
	ssize_t len;
	int rc;

	len = sam_key_to_pem(key, private_part, pem, sizeof(pem));
	if (len < 0) {
		sam_fail(len, "cannot encode the %s key",
				 private_part ? "private" : "public");
		return -1;
	}
	rc = write_all(fd, path, pem, len);
	explicit_bzero(pem, sizeof(pem));
	return rc;
}

/* Check the pre-conditions before generating, so a refused run leaves no
 * half-written pair behind */
static int check_absent(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0) {
		tool_err("'%s' exists already (use --force to overwrite)", path);
		return -1;
	}
	return 0;
}

/* A key file says only what kind of key it holds: if reading it back
 * gives another scheme (ed25519 for ed25519-oo and hybrid), tell the user
 * to name the scheme on the other tools */
static void note_file_scheme(const sam_key *key)
{
	char pem[PEM_MAX];
	sam_key *back = NULL;
	ssize_t len;

	len = sam_key_to_pem(key, 1, pem, sizeof(pem));
	if (len >= 0 && sam_key_from_pem(pem, len, &back) == SAM_OK &&
		sam_key_scheme(back) != sam_key_scheme(key))
		tool_err("note: the files hold an %s key; name --scheme %s on "
				 "sam-send and sam-recv", sam_scheme_name(sam_key_scheme(back)),
				 sam_scheme_name(sam_key_scheme(key)));
	explicit_bzero(pem, sizeof(pem));
	sam_key_free(back);
}

static int keygen(sam_scheme scheme, const char *prefix, int force)
{
	int has_pub = scheme != SAM_SCHEME_HMAC_SHA256;
	size_t plen = strlen(prefix) + 5;
	char keypath[plen], pubpath[plen];
	sam_key *key = NULL;
	int fd, rc;

	snprintf(keypath, plen, "%s.key", prefix);
	snprintf(pubpath, plen, "%s.pub", prefix);
	if (!force && (check_absent(keypath) || (has_pub && check_absent(pubpath))))
		return -1;

	rc = sam_key_generate(scheme, &key);
	if (rc != SAM_OK) {
		sam_fail(rc, "cannot generate a %s key", sam_scheme_name(scheme));
		return -1;
	}
	rc = -1;
	fd = open_out(keypath, 0600, force);
	if (fd >= 0) {
		rc = write_pem(key, 1, fd, keypath);
		if (close(fd) < 0 && !rc) {
			tool_err("cannot write '%s': %s", keypath, strerror(errno));
			rc = -1;
		}
	}
	if (!rc && has_pub) {
		rc = -1;
		fd = open_out(pubpath, 0644, force);
		if (fd >= 0) {
			rc = write_pem(key, 0, fd, pubpath);
			if (close(fd) < 0 && !rc) {
				tool_err("cannot write '%s': %s", pubpath, strerror(errno));
				rc = -1;
			}
		}
	}
	if (!rc)
		note_file_scheme(key);
	sam_key_free(key);
	if (!rc)
		printf("%s%s%s\n", keypath, has_pub ? "\n" : "",
			   has_pub ? pubpath : "");
	return rc;
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "scheme", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	sam_scheme scheme = SAM_SCHEME_ED25519;
	const char *prefix = "sam";
	int force = 0, c;

	tool_init(argv, "sam-keygen");
	while ((c = getopt_long(argc, argv, "s:o:fh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			scheme = opt_scheme(optarg);
			break;
		case 'o':
			if (!*optarg)
				tool_usage_error("--out needs a non-empty prefix");
			prefix = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'h':
			usage();
			return 0;
		default:
			tool_usage_hint();
		}
	}
	if (optind != argc)
		tool_usage_error("unexpected argument '%s'", argv[optind]);
	return keygen(scheme, prefix, force) ? EXIT_RUNTIME : 0;
}
