/* Feed commands: post, log, tail. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cmds.h"
#include "cli/output.h"
#include "proto/ctlmsg.h"
#include "proto/entry.h"
#include "proto/err.h"
#include "proto/id.h"

#define POST_TEXT_MAX 8192


/* Decode a --network argument; prints the error. */
static int parse_network(const char *cmd, const char *text, uint8_t out[32])
{
	int rc = id_decode(ID_NETWORK, text, out);

	if (rc != 0)
		return cli_usage(cmd, "--network %s: %s", text, pakt_strerror(rc));
	return CLI_OK;
}

int cmd_post(int argc, char **argv)
{
	static const struct option opts[] = {
		{"network", required_argument, NULL, 'n'},
		{"data-dir", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *dir_arg = NULL, *net_arg = NULL;
	char *text = NULL, idtext[ID_TEXT_MAX];
	size_t len;
	uint8_t net[32];
	struct client c;
	struct mpx_out req;
	const msgpack_object *reply;
	uint64_t seq = 0;
	uint8_t hash[32];
	int opt, ret;

	/* a private message: cli/cmd_work.c seals it for the recipients */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--to") == 0 || strncmp(argv[i], "--to=", 5) == 0)
			return cmd_post_sealed(argc, argv);
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n': net_arg = optarg; break;
		case 'd': dir_arg = optarg; break;
		case 'h': return cli_help("post");
		default: return cli_usage("post", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return cli_usage("post", "give the text as one argument (quote it)");
	if (net_arg && (ret = parse_network("post", net_arg, net)) != CLI_OK)
		return ret;
	if (optind == argc || strcmp(argv[optind], "-") == 0) {
		text = cli_read_stdin(POST_TEXT_MAX, &len);
		if (text == NULL)
			return cli_fail("post", PAKT_ENOMEM, "out of memory");
		/* one trailing newline comes from the shell or editor, not the author */
		if (len > 0 && text[len - 1] == '\n')
			text[--len] = '\0';
	} else {
		text = strdup(argv[optind]);
		len = text ? strlen(text) : 0;
	}
	if (text == NULL)
		return cli_fail("post", PAKT_ENOMEM, "out of memory");
	if (len == 0) {
		free(text);
		return cli_usage("post", "the message is empty");
	}
	if (len > POST_TEXT_MAX) {
		free(text);
		return cli_fail("post", PAKT_ETOOBIG, "the message is longer than %d bytes", POST_TEXT_MAX);
	}
	ret = cli_connect(&c, dir_arg, "post");
	if (ret != CLI_OK)
		goto out;
	mpx_init(&req);
	ctl_begin(&req);
	msgpack_pack_map(&req.pk, 2 + (net_arg != NULL));
	if (net_arg)
		mpx_kv_bin(&req.pk, "network", net, 32);
	mpx_kv_str(&req.pk, "op", "post");
	mpx_str(&req.pk, "text");
	mpx_strn(&req.pk, text, len);
	ctl_finish(&req);
	ret = cli_call(&c, &req, &reply, "post");
	if (ret == CLI_OK) {
		mpx_get_u64(reply, "seq", &seq);
		if (mpx_get_binn(reply, "hash", hash, 32) == 0) {
			id_encode(ID_ENTRY, hash, idtext);
			printf("posted #%llu %s\n", (unsigned long long)seq, idtext);
		}
	}
	mpx_free(&req);
out:
	client_close(&c);
	free(text);
	return ret;
}

struct stream_opts {
	const char *dir_arg, *net_arg, *type, *from_arg;
	unsigned long long last;
	bool has_last, follow, json, ids;
};

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Run a log request and print the entries it streams. */
static int stream_entries(const char *cmd, const struct stream_opts *so)
{
	struct client c;
	struct mpx_out req;
	const msgpack_object *m;
	uint8_t net[32], from[32];
	unsigned long long shown = 0;
	int ret, rc;

	if (so->net_arg && (ret = parse_network(cmd, so->net_arg, net)) != CLI_OK)
		return ret;
	if (so->from_arg && (ret = cli_parse_id(cmd, "--from", ID_KEY, so->from_arg, from)) != CLI_OK)
		return ret;
	if (so->type && (strlen(so->type) == 0 || strlen(so->type) > ENTRY_TYPE_MAX))
		return cli_usage(cmd, "--type must be an entry type such as message or genesis");
	ret = cli_connect(&c, so->dir_arg, cmd);
	if (ret != CLI_OK) {
		client_close(&c);
		return ret;
	}
	mpx_init(&req);
	ctl_begin(&req);
	msgpack_pack_map(&req.pk, 2 + so->has_last + (so->net_arg != NULL) + (so->type != NULL) +
			 (so->from_arg != NULL));
	if (so->from_arg)
		mpx_kv_bin(&req.pk, "author", from, 32);
	mpx_kv_bool(&req.pk, "follow", so->follow);
	if (so->has_last)
		mpx_kv_u64(&req.pk, "last", so->last);
	if (so->net_arg)
		mpx_kv_bin(&req.pk, "network", net, 32);
	mpx_kv_str(&req.pk, "op", "log");
	if (so->type)
		mpx_kv_str(&req.pk, "type", so->type);
	ctl_finish(&req);
	rc = client_send(&c, &req);
	mpx_free(&req);
	if (so->follow) {
		signal(SIGINT, on_interrupt);
		signal(SIGTERM, on_interrupt);
	}
	if (so->json && !so->follow)
		fputc('[', stdout);
	while (rc == 0 && !interrupted) {
		const uint8_t *wire;
		size_t wire_len;
		int64_t received = 0;
		char name[200];
		static char plain[8200];
		bool has_plain;

		rc = client_recv(&c, &m, so->follow ? 250 : 60000);
		if (rc == PAKT_EIO && so->follow) {
			rc = 0;     /* a quiet moment: check for ^C and wait again */
			continue;
		}
		if (rc != 0)
			break;
		if ((rc = client_reply_error(&c, m)) != 0)
			break;
		if (mpx_get_bin(m, "entry", &wire, &wire_len) != 0)
			break;     /* the closing {"ok": true} */
		mpx_get_i64(m, "received", &received);
		name[0] = '\0';
		if (!so->ids)   /* --ids: the author's id, not its name */
			mpx_get_cstr(m, "name", name, sizeof name);
		has_plain = mpx_get_cstr(m, "plain", plain, sizeof plain) == 0;
		if (so->json && !so->follow && shown > 0)
			fputc(',', stdout);
		out_entry(stdout, wire, wire_len, received, name, has_plain ? plain : NULL, so->json);
		if (so->json && so->follow)
			fputc('\n', stdout);
		if (so->follow)
			fflush(stdout);
		shown++;
	}
	if (so->json && !so->follow)
		fputs("]\n", stdout);
	if (rc != 0 && !interrupted)
		ret = cli_fail(cmd, rc, "%s", c.why);
	client_close(&c);
	return ret;
}

static int parse_stream_opts(const char *cmd, int argc, char **argv, struct stream_opts *so)
{
	static const struct option opts[] = {
		{"limit", required_argument, NULL, 'l'},
		{"type", required_argument, NULL, 't'},
		{"network", required_argument, NULL, 'N'},
		{"from", required_argument, NULL, 'F'},
		{"json", no_argument, NULL, 'j'},
		{"ids", no_argument, NULL, 'I'},
		{"follow", no_argument, NULL, 'f'},
		{"data-dir", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool is_tail = strcmp(cmd, "tail") == 0;
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, is_tail ? "hfn:" : "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'l':
		case 'n':
			if (!cli_parse_count(optarg, &so->last))
				return cli_usage(cmd, "%s takes a number, not '%s'",
						 opt == 'l' ? "--limit" : "-n", optarg);
			so->has_last = true;
			break;
		case 't': so->type = optarg; break;
		case 'N': so->net_arg = optarg; break;
		case 'F': so->from_arg = optarg; break;
		case 'j': so->json = true; break;
		case 'I': so->ids = true; break;
		case 'f':
			if (!is_tail)
				return cli_usage(cmd, "--follow is an option of 'pakt tail'");
			so->follow = true;
			break;
		case 'd': so->dir_arg = optarg; break;
		case 'h': cli_help(cmd); return -1;
		default: return cli_usage(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
	return CLI_OK;
}

int cmd_log(int argc, char **argv)
{
	struct stream_opts so = {0};
	int rc = parse_stream_opts("log", argc, argv, &so);

	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	return stream_entries("log", &so);
}

int cmd_tail(int argc, char **argv)
{
	struct stream_opts so = {.last = 10};
	int rc = parse_stream_opts("tail", argc, argv, &so);

	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	so.has_last = true;
	return stream_entries("tail", &so);
}
