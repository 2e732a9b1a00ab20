/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * mikectl: the command line client of the mike plugin's control socket.
 * One request per run, the response printed as an indented tree or JSON.
 */

#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <getopt.h>

#include <library.h>
#include <utils/debug.h>
#include <settings/settings.h>

#include "control/mike_msg.h"
#include "common/mike_settings.h"

#ifndef MIKE_VERSION
#define MIKE_VERSION "0.1.0"
#endif

/**
 * Default swanctl.conf, the one swanctl reads
 */
#define DEFAULT_SWANCTL_CONF "/etc/swanctl/swanctl.conf"

/**
 * Seconds mikectl waits for the plugin to take a request and to answer it
 */
#define DEFAULT_TIMEOUT 10

/**
 * Seconds mikectl waits for the answer to --join: the plugin waits up to
 * 30 s for the registration
 */
#define DEFAULT_JOIN_TIMEOUT 40

/**
 * Exit codes
 */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
};

/**
 * The commands, each one request
 */
typedef enum {
	CMD_NONE,
	CMD_VERSION,
	CMD_LOAD_GROUPS,
	CMD_LIST_GROUPS,
	CMD_JOIN,
	CMD_LEAVE,
	CMD_EXPEL,
	CMD_READMIT,
	CMD_STATS,
	CMD_SAM_KEYS,
} command_t;

static void usage(FILE *out)
{
	fprintf(out,
"Usage: mikectl [--uri URI] [--json] [--timeout SECONDS] COMMAND [ARGUMENTS]\n"
"\n"
"Control the mike plugin of charon (secure IP multicast) over its control\n"
"socket.  Each run sends one request and prints the plugin's response.\n"
"\n"
"Commands:\n"
"  -v, --version            show the version of the plugin and of the\n"
"                           control protocol it speaks\n"
"  -g, --load-groups        load the groups defined in the top-level\n"
"                           'groups' section of swanctl.conf into the plugin\n"
"                           (root only)\n"
"      -f, --file FILE      swanctl.conf to read, includes resolved as\n"
"                           swanctl does (default %s)\n"
"  -l, --list-groups        list the loaded groups; users other than root\n"
"                           see the groups that name them as local users\n"
"      -n, --group NAME     list only the group NAME\n"
"  -j, --join GROUP         register with GROUP's key server (root only)\n"
"  -L, --leave GROUP        leave GROUP (root only)\n"
"  -X, --expel IDENTITY     on the key server: expel the members with\n"
"                           IDENTITY (wildcards allowed) and refuse it from\n"
"                           now on; the others get keys it cannot unwrap\n"
"                           (root only)\n"
"      -n, --group NAME     expel from group NAME only (default: all)\n"
"  -R, --readmit IDENTITY   let an expelled IDENTITY register again (root\n"
"                           only); -n as for --expel\n"
"  -s, --stats              show the plugin's counters\n"
"  -k, --sam-keys GROUP     the SAM session and senders' verification keys\n"
"                           of GROUP, as libsam takes them (root and the\n"
"                           group's local users only)\n"
"      -S, --signing        also this host's source ID and signing key\n"
"                           (root and the group's local senders only)\n"
"  -h, --help               show this help and exit\n"
"\n"
"Options:\n"
"  -u, --uri URI            control socket of the plugin (default %s,\n"
"                           the plugin's charon.plugins.mike.socket)\n"
"  -J, --json               print the response as JSON instead of an\n"
"                           indented tree\n"
"  -t, --timeout SECONDS    give up if the plugin does not answer in time\n"
"                           (default %d, %d for --join)\n"
"\n"
"The plugin tells who is asking by the peer credentials of the socket\n"
"(SO_PEERCRED): commands that change state need root.\n"
"\n"
"Exit status: 0 on success, 1 if the plugin answered with an error, could\n"
"not load a group, or could not be reached, 2 on a usage error.  Errors go\n"
"to standard error; why a group did not load is part of the response.\n"
"\n"
"mikectl %s\n", DEFAULT_SWANCTL_CONF, MIKE_DEFAULT_SOCKET, DEFAULT_TIMEOUT,
	DEFAULT_JOIN_TIMEOUT, MIKE_VERSION);
}

static int usage_error(char *fmt, ...)
{
	va_list args;

	fprintf(stderr, "mikectl: ");
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fprintf(stderr, "\nTry 'mikectl --help' for more information.\n");
	return EXIT_USAGE;
}

/**
 * Append a name to a settings path, '%' escaped: settings_t takes paths as
 * printf formats and formats each dot-separated part on its own, so a whole
 * path can't be passed as a "%s" argument
 */
static char *path_append(char *path, char *name)
{
	char *escaped, *pos, *joined;

	escaped = malloc(2 * strlen(name) + 1);
	for (pos = escaped; *name; name++)
	{
		if (*name == '%')
		{
			*pos++ = '%';
		}
		*pos++ = *name;
	}
	*pos = '\0';
	if (asprintf(&joined, "%s.%s", path, escaped) < 0)
	{
		joined = NULL;
	}
	free(escaped);
	return joined;
}

/**
 * Add the key/values and subsections of a settings section to msg,
 * recursively (swanctl.conf nests no deeper than the message allows; the
 * builder reports it otherwise)
 *
 * @param path		escaped path of the section, see path_append()
 */
static void add_settings_section(mike_msg_t *msg, settings_t *cfg,
								 char *path)
{
	enumerator_t *enumerator;
	char *key, *value, *sub;

	enumerator = cfg->create_key_value_enumerator(cfg, path);
	while (enumerator->enumerate(enumerator, &key, &value))
	{
		msg->add_kv(msg, key, "%s", value);
	}
	enumerator->destroy(enumerator);

	enumerator = cfg->create_section_enumerator(cfg, path);
	while (enumerator->enumerate(enumerator, &key))
	{
		sub = path_append(path, key);
		if (!sub)
		{
			continue;
		}
		msg->begin_section(msg, key);
		add_settings_section(msg, cfg, sub);
		msg->end_section(msg);
		free(sub);
	}
	enumerator->destroy(enumerator);
}

/**
 * Build the load-groups request from swanctl.conf
 */
static mike_msg_t *build_load_groups(char *file)
{
	settings_t *cfg;
	mike_msg_t *msg;

	/* settings_create() would carry on with an empty config after a syntax
	 * error; load_files() tells */
	cfg = settings_create_string(strdup(""));
	if (!cfg || !cfg->load_files(cfg, file, FALSE))
	{
		fprintf(stderr, "mikectl: parsing '%s' failed\n", file);
		DESTROY_IF(cfg);
		return NULL;
	}
	msg = mike_msg_create(MIKE_MSG_REQUEST, "load-groups");
	msg->begin_section(msg, "groups");
	add_settings_section(msg, cfg, "groups");
	msg->end_section(msg);
	cfg->destroy(cfg);
	return msg;
}

/**
 * Print a value for humans: non-printable bytes replaced
 */
static void print_human_value(chunk_t value)
{
	chunk_t sane;

	if (chunk_printable(value, &sane, '?'))
	{
		printf("%.*s", (int)value.len, value.ptr);
	}
	else
	{
		printf("%.*s", (int)sane.len, sane.ptr);
		chunk_free(&sane);
	}
}

/**
 * Print the children of a node as an indented tree
 */
static void print_human(mike_node_t *node, int indent)
{
	enumerator_t *enumerator;
	mike_node_t *child;

	enumerator = node->children->create_enumerator(node->children);
	while (enumerator->enumerate(enumerator, &child))
	{
		printf("%*s", indent, "");
		switch (child->type)
		{
			case MIKE_NODE_SECTION:
				printf("%s:\n", child->name);
				print_human(child, indent + 2);
				break;
			case MIKE_NODE_LIST:
				printf("%s:%s\n", child->name,
					   child->children->get_count(child->children) ? ""
																	: " []");
				print_human(child, indent + 2);
				break;
			case MIKE_NODE_VALUE:
				if (child->name)
				{
					printf("%s: ", child->name);
				}
				else
				{
					printf("- ");
				}
				print_human_value(child->value);
				printf("\n");
				break;
		}
	}
	enumerator->destroy(enumerator);
}

/**
 * Length of the valid UTF-8 sequence at pos, 0 if invalid
 */
static size_t utf8_len(u_char *pos, size_t left)
{
	size_t len, i;
	uint32_t cp;

	if (pos[0] < 0x80)
	{
		return 1;
	}
	if ((pos[0] & 0xe0) == 0xc0)
	{
		len = 2;
		cp = pos[0] & 0x1f;
	}
	else if ((pos[0] & 0xf0) == 0xe0)
	{
		len = 3;
		cp = pos[0] & 0x0f;
	}
	else if ((pos[0] & 0xf8) == 0xf0)
	{
		len = 4;
		cp = pos[0] & 0x07;
	}
	else
	{
		return 0;
	}
	if (len > left)
	{
		return 0;
	}
	for (i = 1; i < len; i++)
	{
		if ((pos[i] & 0xc0) != 0x80)
		{
			return 0;
		}
		cp = (cp << 6) | (pos[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		(len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		(cp >= 0xd800 && cp <= 0xdfff))
	{	/* overlong, out of range or a surrogate */
		return 0;
	}
	return len;
}

/**
 * Print a JSON string; bytes that are not valid UTF-8 become U+FFFD
 */
static void print_json_string(u_char *ptr, size_t len)
{
	size_t i, n;

	putchar('"');
	for (i = 0; i < len; i += n)
	{
		n = 1;
		switch (ptr[i])
		{
			case '"':
				fputs("\\\"", stdout);
				continue;
			case '\\':
				fputs("\\\\", stdout);
				continue;
			case '\n':
				fputs("\\n", stdout);
				continue;
			case '\r':
				fputs("\\r", stdout);
				continue;
			case '\t':
				fputs("\\t", stdout);
				continue;
			default:
				break;
		}
		if (ptr[i] < 0x20 || ptr[i] == 0x7f)
		{
			printf("\\u%04x", ptr[i]);
			continue;
		}
		n = utf8_len(ptr + i, len - i);
		if (!n)
		{
			fputs("\\ufffd", stdout);
			n = 1;
			continue;
		}
		fwrite(ptr + i, 1, n, stdout);
	}
	putchar('"');
}

/**
 * Print a section or list as a JSON object or array
 */
static void print_json(mike_node_t *node, int indent)
{
	enumerator_t *enumerator;
	mike_node_t *child;
	bool first = TRUE, list = node->type == MIKE_NODE_LIST;

	if (!node->children->get_count(node->children))
	{
		printf(list ? "[]" : "{}");
		return;
	}
	printf(list ? "[\n" : "{\n");
	enumerator = node->children->create_enumerator(node->children);
	while (enumerator->enumerate(enumerator, &child))
	{
		printf("%s%*s", first ? "" : ",\n", indent + 2, "");
		first = FALSE;
		if (child->name)
		{
			print_json_string(child->name, strlen(child->name));
			printf(": ");
		}
		if (child->type == MIKE_NODE_VALUE)
		{
			print_json_string(child->value.ptr, child->value.len);
		}
		else
		{
			print_json(child, indent + 2);
		}
	}
	enumerator->destroy(enumerator);
	printf("\n%*s%s", indent, "", list ? "]" : "}");
}

/**
 * Report a failed exchange with the plugin: closed by the plugin, no answer
 * in time, or another failure
 */
static void report_failure(char *uri, char *what, char *err, int errnum,
						   u_int timeout)
{
	if (strstr(err, "connection closed") || errnum == ECONNRESET ||
		errnum == EPIPE)
	{
		fprintf(stderr, "mikectl: '%s' closed the connection without "
				"answering (charon's log says why, e.g. a connection "
				"limit)\n", uri);
	}
	else if (strstr(err, "timed out"))
	{
		fprintf(stderr, "mikectl: '%s' did not answer within %u s (see "
				"--timeout)\n", uri, timeout);
	}
	else
	{
		fprintf(stderr, "mikectl: %s '%s' failed: %s\n", what, uri, err);
	}
}

/**
 * Send a request, print the response; returns the exit code
 */
static int send_request(char *uri, mike_msg_t *request, bool json,
						u_int timeout)
{
	mike_msg_t *response;
	mike_node_t *failed;
	char err[MIKE_MSG_ERR_LEN];
	stream_t *stream;
	int rc = EXIT_FAILED, errnum;

	stream = lib->streams->connect(lib->streams, uri);
	if (!stream)
	{
		fprintf(stderr, "mikectl: connecting to the mike control socket "
				"'%s' failed: %s (is charon running with the mike plugin?)\n",
				uri, strerror(errno));
		return EXIT_FAILED;
	}
	if (!mike_msg_set_timeouts(stream, timeout * 1000, timeout * 1000))
	{
		fprintf(stderr, "mikectl: setting a timeout on the connection to "
				"'%s' failed: %s\n", uri, strerror(errno));
	}
	if (!mike_msg_write(stream, request, err, sizeof(err)))
	{
		report_failure(uri, "sending the request to", err, errno, timeout);
		stream->destroy(stream);
		return EXIT_FAILED;
	}
	response = mike_msg_read(stream, err, sizeof(err));
	errnum = errno;
	stream->destroy(stream);
	if (!response)
	{
		report_failure(uri, "reading the response from", err, errnum, timeout);
		return EXIT_FAILED;
	}
	switch (response->get_type(response))
	{
		case MIKE_MSG_RESPONSE:
			if (json)
			{
				print_json(response->get_root(response), 0);
				printf("\n");
			}
			else
			{
				print_human(response->get_root(response), 0);
			}
			rc = EXIT_OK;
			/* load-groups answers with the groups it could not load */
			failed = response->find(response, "failed");
			if (failed && failed->type == MIKE_NODE_SECTION &&
				failed->children->get_count(failed->children))
			{
				rc = EXIT_FAILED;
			}
			break;
		case MIKE_MSG_ERROR:
			fprintf(stderr, "mikectl: %s\n",
					response->get_str(response, "unspecified error",
									  "error"));
			break;
		default:
			fprintf(stderr, "mikectl: unexpected %N message from '%s'\n",
					mike_msg_type_names, response->get_type(response), uri);
			break;
	}
	response->destroy(response);
	return rc;
}

/**
 * Set the command, once
 */
static bool set_command(command_t *command, command_t value)
{
	if (*command != CMD_NONE)
	{
		return FALSE;
	}
	*command = value;
	return TRUE;
}

static int run(int argc, char *argv[])
{
	static struct option options[] = {
		{ "uri",			required_argument,	NULL, 'u' },
		{ "json",			no_argument,		NULL, 'J' },
		{ "timeout",		required_argument,	NULL, 't' },
		{ "version",		no_argument,		NULL, 'v' },
		{ "load-groups",	no_argument,		NULL, 'g' },
		{ "file",			required_argument,	NULL, 'f' },
		{ "list-groups",	no_argument,		NULL, 'l' },
		{ "group",			required_argument,	NULL, 'n' },
		{ "join",			required_argument,	NULL, 'j' },
		{ "leave",			required_argument,	NULL, 'L' },
		{ "expel",			required_argument,	NULL, 'X' },
		{ "readmit",		required_argument,	NULL, 'R' },
		{ "stats",			no_argument,		NULL, 's' },
		{ "sam-keys",		required_argument,	NULL, 'k' },
		{ "signing",		no_argument,		NULL, 'S' },
		{ "help",			no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	command_t command = CMD_NONE;
	char *uri = MIKE_DEFAULT_SOCKET, *file = NULL, *group = NULL;
	char *identity = NULL;
	mike_msg_t *request;
	bool json = FALSE, ok = TRUE, signing = FALSE;
	u_int timeout = 0;
	char *end;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:u:Jt:vgf:ln:j:L:X:R:sk:Sh", options,
							NULL)) != -1)
	{
		switch (c)
		{
			case 'u':
				uri = optarg;
				break;
			case 'J':
				json = TRUE;
				break;
			case 't':
				errno = 0;
				timeout = strtoul(optarg, &end, 10);
				if (errno || !*optarg || *end || !timeout ||
					timeout > 86400)
				{
					return usage_error("--timeout needs 1 to 86400 seconds");
				}
				break;
			case 'v':
				ok = set_command(&command, CMD_VERSION);
				break;
			case 'g':
				ok = set_command(&command, CMD_LOAD_GROUPS);
				break;
			case 'f':
				file = optarg;
				break;
			case 'l':
				ok = set_command(&command, CMD_LIST_GROUPS);
				break;
			case 'n':
				group = optarg;
				break;
			case 'j':
				ok = set_command(&command, CMD_JOIN);
				group = optarg;
				break;
			case 'L':
				ok = set_command(&command, CMD_LEAVE);
				group = optarg;
				break;
			case 'X':
				ok = set_command(&command, CMD_EXPEL);
				identity = optarg;
				break;
			case 'R':
				ok = set_command(&command, CMD_READMIT);
				identity = optarg;
				break;
			case 's':
				ok = set_command(&command, CMD_STATS);
				break;
			case 'k':
				ok = set_command(&command, CMD_SAM_KEYS);
				group = optarg;
				break;
			case 'S':
				signing = TRUE;
				break;
			case 'h':
				usage(stdout);
				return EXIT_OK;
			case ':':
				return usage_error("option '%s' needs an argument",
								   argv[optind - 1]);
			default:
				if (optopt)
				{
					return usage_error("unknown option '-%c'", optopt);
				}
				return usage_error("unknown option '%s'", argv[optind - 1]);
		}
		if (!ok)
		{
			return usage_error("only one command per run");
		}
	}
	if (optind < argc)
	{
		return usage_error("unexpected argument '%s'", argv[optind]);
	}
	if (command == CMD_NONE)
	{
		return usage_error("no command given");
	}
	if (file && command != CMD_LOAD_GROUPS)
	{
		return usage_error("--file applies to --load-groups only");
	}
	if (group && command == CMD_LIST_GROUPS && !*group)
	{
		return usage_error("--group needs a group name");
	}
	if (group && command != CMD_LIST_GROUPS && command != CMD_JOIN &&
		command != CMD_LEAVE && command != CMD_EXPEL &&
		command != CMD_READMIT && command != CMD_SAM_KEYS)
	{
		return usage_error("--group applies to --list-groups, --expel and "
						   "--readmit only");
	}
	if ((command == CMD_EXPEL || command == CMD_READMIT) && !*identity)
	{
		return usage_error("--expel and --readmit need an identity");
	}
	if ((command == CMD_EXPEL || command == CMD_READMIT) && group && !*group)
	{
		return usage_error("--group needs a group name");
	}
	if ((command == CMD_JOIN || command == CMD_LEAVE ||
		 command == CMD_SAM_KEYS) && !*group)
	{
		return usage_error("--join, --leave and --sam-keys need a group "
						   "name");
	}
	if (signing && command != CMD_SAM_KEYS)
	{
		return usage_error("--signing applies to --sam-keys only");
	}

	switch (command)
	{
		case CMD_VERSION:
			request = mike_msg_create(MIKE_MSG_REQUEST, "version");
			break;
		case CMD_LOAD_GROUPS:
			request = build_load_groups(file ?: DEFAULT_SWANCTL_CONF);
			if (!request)
			{
				return EXIT_FAILED;
			}
			break;
		case CMD_LIST_GROUPS:
			request = mike_msg_create(MIKE_MSG_REQUEST, "list-groups");
			if (group)
			{
				request->add_kv(request, "group", "%s", group);
			}
			break;
		case CMD_JOIN:
			request = mike_msg_create(MIKE_MSG_REQUEST, "join");
			request->add_kv(request, "group", "%s", group);
			break;
		case CMD_LEAVE:
			request = mike_msg_create(MIKE_MSG_REQUEST, "leave");
			request->add_kv(request, "group", "%s", group);
			break;
		case CMD_EXPEL:
		case CMD_READMIT:
			request = mike_msg_create(MIKE_MSG_REQUEST,
						command == CMD_EXPEL ? "expel" : "readmit");
			request->add_kv(request, "identity", "%s", identity);
			if (group)
			{
				request->add_kv(request, "group", "%s", group);
			}
			break;
		case CMD_SAM_KEYS:
			request = mike_msg_create(MIKE_MSG_REQUEST, "sam-keys");
			request->add_kv(request, "group", "%s", group);
			if (signing)
			{
				request->add_kv(request, "signing", "yes");
			}
			break;
		case CMD_STATS:
		default:
			request = mike_msg_create(MIKE_MSG_REQUEST, "stats");
			break;
	}
	if (request->get_error(request))
	{
		fprintf(stderr, "mikectl: cannot build the request: %s\n",
				request->get_error(request));
		request->destroy(request);
		return EXIT_FAILED;
	}
	if (!timeout)
	{
		timeout = command == CMD_JOIN ? DEFAULT_JOIN_TIMEOUT
									  : DEFAULT_TIMEOUT;
	}
	rc = send_request(uri, request, json, timeout);
	request->destroy(request);
	return rc;
}

int main(int argc, char *argv[])
{
	int rc;

	if (!library_init(NULL, "mikectl"))
	{
		library_deinit();
		fprintf(stderr, "mikectl: initializing libstrongswan failed\n");
		return EXIT_FAILED;
	}
	/* mikectl reports connection failures itself */
	dbg_default_set_level_group(DBG_NET, 0);
	/* a plugin that closes the connection fails the write with EPIPE,
	 * reported as such, instead of killing mikectl */
	signal(SIGPIPE, SIG_IGN);

	rc = run(argc, argv);

	library_deinit();
	return rc;
}
