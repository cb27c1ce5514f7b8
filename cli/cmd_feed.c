/* Feed commands: post, log, tail. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli/cli.h"
#include "cli/cmds.h"
#include "cli/i18n.h"
#include "cli/output.h"
#include "proto/entry.h"
#include "proto/err.h"
#include "proto/id.h"

/* Decode a --network argument; prints the error. */
static int parse_network(const char *cmd, const char *text, uint8_t out[32])
{
	int rc = id_decode(ID_NETWORK, text, out);

	if (rc != 0)
		return cli_usage(cmd, _("--network %s: %s"), text, pakt_strerror(rc));
	return CLI_OK;
}

int cmd_post(int argc, char **argv)
{
	/* one reader of message text for every post, sealed (--to) or not:
	 * cli/cmd_share.c */
	return cmd_post_sealed(argc, argv);
}

struct stream_opts {
	const char *dir_arg, *net_arg, *type, *from_arg;
	unsigned long long last;
	bool has_last, follow, json, ids, long_form;
};

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* One request of op on the listing's initiative, on its own connection,
 * into *r (kind k); false when it fails (the listing then names less). */
static bool ask(const char *dir, const struct ctlop_req *log, enum ctlop_op op,
		enum ctlop_reply_kind k, void *r)
{
	struct ctlop_req req = {.op = op, .has_network = log->has_network};
	struct client c;
	bool ok;

	memcpy(req.network, log->network, 32);
	ok = client_connect(&c, dir) == 0 && client_call(&c, &req, 30000) == 0 &&
	     client_reply_error(&c) == 0 && client_reply(&c, k, r) == 0;
	client_close(&c);
	return ok;
}

/* What the lines will name, from paktd: the members, the commitments'
 * titles, the indicators' units (one request each, those the listing's
 * --type can use). */
static void learn(struct output_ctx *x, const char *dir_arg, const struct ctlop_req *log)
{
	const char *t = log->u.log.type;
	bool titles = !t[0] || !strcmp(t, "accept") || !strcmp(t, "decline") || !strcmp(t, "status");
	bool units = !t[0] || strcmp(t, "update") == 0;
	static struct ctlop_r_members m;
	static struct ctlop_r_commitments cm;
	static struct ctlop_r_agenda ag;
	char dir[DATADIR_PATH_MAX];

	if (cli_datadir(dir_arg, dir) != 0)
		return;
	if (ask(dir, log, CTLOP_MEMBERS, CTLOP_R_MEMBERS, &m))
		for (size_t i = 0; i < m.n_members; i++)
			output_ctx_member(x, m.members[i].key, m.members[i].name);
	ctlop_reply_free(CTLOP_R_MEMBERS, &m);
	if (titles && ask(dir, log, CTLOP_COMMITMENTS, CTLOP_R_COMMITMENTS, &cm))
		for (size_t i = 0; i < cm.n_commitments; i++)
			output_ctx_entry(x, cm.commitments[i].hash, cm.commitments[i].author,
					 cm.commitments[i].seq, cm.commitments[i].title);
	ctlop_reply_free(CTLOP_R_COMMITMENTS, &cm);
	if (units && ask(dir, log, CTLOP_AGENDA, CTLOP_R_AGENDA, &ag))
		for (size_t i = 0; i < ag.n_indicators; i++)
			output_ctx_unit(x, ag.indicators[i].id, ag.indicators[i].unit);
	ctlop_reply_free(CTLOP_R_AGENDA, &ag);
}

/* Run a log request and print the entries it streams. */
static int stream_entries(const char *cmd, const struct stream_opts *so)
{
	struct client c;
	struct ctlop_req req = {.op = CTLOP_LOG};
	struct ctlop_log *q = &req.u.log;
	static struct ctlop_r_log_row row;
	struct output_ctx x;
	unsigned long long shown = 0;
	int ret, rc;

	if (so->net_arg && (ret = parse_network(cmd, so->net_arg, req.network)) != CLI_OK)
		return ret;
	req.has_network = so->net_arg != NULL;
	if (so->from_arg && (ret = cli_parse_id(cmd, "--from", ID_KEY, so->from_arg, q->author)) != CLI_OK)
		return ret;
	q->has_author = so->from_arg != NULL;
	if (so->type && (ret = cli_check_type(cmd, so->type)) != CLI_OK)
		return ret;
	if (so->type)
		snprintf(q->type, sizeof q->type, "%s", so->type);
	q->has_last = so->has_last;
	q->last = so->last;
	q->follow = so->follow;
	ret = cli_connect(&c, so->dir_arg, cmd);
	if (ret != CLI_OK) {
		client_close(&c);
		return ret;
	}
	output_ctx_init(&x, (int64_t)time(NULL) * 1000);
	x.long_form = so->long_form;
	if (!so->json)
		learn(&x, so->dir_arg, &req);
	rc = client_send(&c, &req);
	if (so->follow) {
		signal(SIGINT, on_interrupt);
		signal(SIGTERM, on_interrupt);
	}
	if (so->json && !so->follow)
		fputc('[', stdout);
	while (rc == 0 && !interrupted) {
		rc = client_recv(&c, so->follow ? 250 : 60000);
		if (rc == PAKT_EIO && so->follow) {
			rc = 0;     /* a quiet moment: check for ^C and wait again */
			continue;
		}
		if (rc != 0)
			break;
		if ((rc = client_reply_error(&c)) != 0)
			break;
		if ((rc = client_reply(&c, CTLOP_R_LOG_ROW, &row)) != 0 || row.entry == NULL) {
			ctlop_reply_free(CTLOP_R_LOG_ROW, &row);
			break;     /* the closing {"count", "ok"} */
		}
		if (so->ids)   /* --ids: the author's id, not its name */
			row.name[0] = '\0';
		if (so->json && !so->follow && shown > 0)
			fputc(',', stdout);
		output_entry(stdout, &x, row.entry, row.entry_len, row.received,
			     row.name, row.has_plain ? row.plain : NULL, so->json);
		ctlop_reply_free(CTLOP_R_LOG_ROW, &row);
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
	output_ctx_free(&x);
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
		{"long", no_argument, NULL, 'L'},
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
				return cli_usage(cmd, _("%s takes a number, not '%s'"),
						 opt == 'l' ? "--limit" : "-n", optarg);
			so->has_last = true;
			break;
		case 't': so->type = optarg; break;
		case 'N': so->net_arg = optarg; break;
		case 'F': so->from_arg = optarg; break;
		case 'j': so->json = true; break;
		case 'I': so->ids = true; break;
		case 'L': so->long_form = true; break;
		case 'f':
			if (!is_tail)
				return cli_usage(cmd, "%s", _("--follow is an option of 'pakt tail'"));
			so->follow = true;
			break;
		case 'd': so->dir_arg = optarg; break;
		case 'h': cli_help(cmd); return -1;
		default: return cli_usage(cmd, _("unknown or incomplete option '%s'"), argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage(cmd, _("unexpected argument '%s'"), argv[optind]);
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
