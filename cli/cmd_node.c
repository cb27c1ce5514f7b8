/* Commands about the node itself: status, verify, initiative. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cmds.h"
#include "cli/i18n.h"
#include "cli/text.h"
#include "cli/output.h"
#include "cli/work.h"
#include "proto/err.h"
#include "proto/id.h"

/* Options shared by commands that take only --data-dir, --json, --help. */
static int simple_opts(const char *cmd, int argc, char **argv, const char **dir_arg,
		       bool *json)
{
	static const struct option opts[] = {
		{"data-dir", required_argument, NULL, 'd'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': *dir_arg = optarg; break;
		case 'j': *json = true; break;
		case 'h': cli_help(cmd); return -1;
		default: return cli_usage(cmd, _("unknown or incomplete option '%s'"), argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage(cmd, _("unexpected argument '%s'"), argv[optind]);
	return CLI_OK;
}

/* The labels of 'pakt status', padded to the widest in this language
 * (12 columns at least), then a space. */
enum status_label { SL_PAKTD, SL_ID, SL_NAME, SL_DIR, SL_NETWORK, SL_ENTRIES, SL_FORK, SL_WAITING,
		    SL_REMOVED, SL_N };

static void put_label(enum status_label which)
{
	static const char *const label[SL_N] = {
		N_("paktd"), N_("id"), N_("name"), N_("data dir"), N_("initiative"), N_("entries"),
		/* TRANSLATORS: warnings in capitals, like the English */
		N_("FORK"), N_("WAITING"), N_("REMOVED"),
	};
	static size_t cols = 12;
	static bool measured;

	for (size_t i = 0; !measured && i < SL_N; i++)
		if (text_width(_(label[i]), strlen(_(label[i]))) > cols)
			cols = text_width(_(label[i]), strlen(_(label[i])));
	measured = true;
	text_pad(stdout, _(label[which]), cols, false);
	putchar(' ');
}

static void print_id(enum id_kind kind, const uint8_t raw[32], enum status_label label)
{
	char text[ID_TEXT_MAX];

	id_encode(kind, raw, text);
	put_label(label);
	printf("%s\n", text);
}

/* Where the data directory came from, in this language. */
static const char *source_name(enum datadir_source src)
{
	switch (src) {
	case DATADIR_FROM_SYSTEM: return _("the system node");
	case DATADIR_FROM_HOME: return _("your own node");
	default: return datadir_source_name(src);     /* --data-dir, $PAKT_HOME */
	}
}

int cmd_status(int argc, char **argv)
{
	const char *dir_arg = NULL;
	static struct ctlop_r_status r;
	const struct ctlop_req req = {.op = CTLOP_STATUS};
	bool json = false;
	struct client c;
	int ret = simple_opts("status", argc, argv, &dir_arg, &json);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	ret = cli_request(&c, dir_arg, "status", &req, 10000);
	if (ret == CLI_OK && json) {
		cli_json(&c, true, true, NULL);
	} else if (ret == CLI_OK && (ret = cli_reply(&c, "status", CTLOP_R_STATUS, &r)) == CLI_OK) {
		char dir[DATADIR_PATH_MAX], *removal;
		enum datadir_source src;

		put_label(SL_PAKTD);
		printf(_("running (pid %llu, up %llu s)\n"), (unsigned long long)r.pid,
		       (unsigned long long)(r.uptime_ms / 1000));
		print_id(ID_KEY, r.id, SL_ID);
		put_label(SL_NAME);
		text_put(stdout, r.name[0] ? r.name : _("(unnamed: set 'name' in the config)"));
		putchar('\n');
		put_label(SL_DIR);
		if (datadir_resolve(dir_arg, DATADIR_CLIENT, dir, &src) == 0)
			printf("%s (%s)\n", r.datadir, source_name(src));
		else
			printf("%s\n", r.datadir);
		if (r.has_network)
			print_id(ID_NETWORK, r.network, SL_NETWORK);
		put_label(SL_ENTRIES);
		printf(_("%llu in %llu feeds, %llu initiatives\n"), (unsigned long long)r.entries,
		       (unsigned long long)r.feeds, (unsigned long long)r.networks);
		if (r.has_own_fork) {
			put_label(SL_FORK);
			printf(_("this organisation's feed FORKED at #%llu: two copies of this node signed "
				 "different entries; partners stop accepting its feed. Stop every copy but one "
				 "and read 'pakt audit'\n"), (unsigned long long)r.own_fork);
		}
		if (r.has_unsynced) {
			put_label(SL_WAITING);
			printf("%s\n", r.unsynced);
		}
		/* names come from partners: shown without control characters */
		if (r.has_removal && text_escape(r.removal, strlen(r.removal), 0, &removal, NULL) == 0) {
			put_label(SL_REMOVED);
			/* TRANSLATORS: "removed from INITIATIVE by NAME on DATE" (from paktd) */
			printf(_("%s: this node can read what it holds but no longer post there\n"), removal);
			free(removal);
		}
	}
	ctlop_reply_free(CTLOP_R_STATUS, &r);
	client_close(&c);
	return ret;
}

int cmd_verify(int argc, char **argv)
{
	const char *dir_arg = NULL;
	const struct ctlop_req req = {.op = CTLOP_VERIFY};
	struct ctlop_r_verify r = {0};
	bool json = false;
	struct client c;
	int ret;

	/* with a FILE, check an exported bundle offline (cli/cmd_bundle.c) */
	if (cmd_verify_is_bundle(argc, argv))
		return cmd_verify_bundle(argc, argv);
	ret = simple_opts("verify", argc, argv, &dir_arg, &json);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	ret = cli_request(&c, dir_arg, "verify", &req, -1);
	if (ret == CLI_OK)
		ret = cli_reply(&c, "verify", CTLOP_R_VERIFY, &r);
	if (ret != CLI_OK)
		goto free_reply;
	if (json) {
		cli_json(&c, true, true, NULL);
	} else {
		for (size_t i = 0; i < r.n_listed; i++) {
			const struct ctlop_r_bad *b = &r.bad[i];
			char a[ID_TEXT_MAX], nw[ID_TEXT_MAX];

			id_encode(ID_KEY, b->author, a);
			id_encode(ID_NETWORK, b->network, nw);
			/* TRANSLATORS: the feed's author id, its initiative, the entry's number, why */
			printf(_("BAD  feed %s in %s  seq %llu: %s\n"), a, nw, (unsigned long long)b->seq,
			       b->reason);
		}
		printf(r.n_bad ? _("FAILED: %llu entries in %llu feeds checked, %llu bad\n")
			       : _("ok: %llu entries in %llu feeds checked, %llu bad\n"),
		       (unsigned long long)r.checked, (unsigned long long)r.feeds, (unsigned long long)r.n_bad);
	}
	if (r.n_bad)
		ret = CLI_FAIL;
free_reply:
	ctlop_reply_free(CTLOP_R_VERIFY, &r);
	client_close(&c);
	return ret;
}

int cmd_initiative(int argc, char **argv)
{
	static const struct option opts[] = {
		{"goal", required_argument, NULL, 'g'},
		{"data-dir", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *dir_arg = NULL, *goal = NULL, *name;
	static struct ctlop_req req = {.op = CTLOP_INITIATIVE_CREATE};
	struct ctlop_r_created r;
	struct client c;
	char text[ID_TEXT_MAX];
	int opt, ret;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		if (argc < 2)
			return cli_usage("initiative", "%s", _("missing subcommand (create)"));
		return cli_help("initiative");
	}
	if (strcmp(argv[1], "create") != 0)
		return cli_usage("initiative", _("unknown subcommand '%s' (known: create)"), argv[1]);
	argc--;
	argv++;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'g': goal = optarg; break;
		case 'd': dir_arg = optarg; break;
		case 'h': return cli_help("initiative");
		default: return cli_usage("initiative", _("unknown or incomplete option '%s'"), argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage("initiative", "%s", _("give the initiative's NAME (quoted) and nothing else"));
	name = argv[optind];
	if (*name == '\0' || strlen(name) > 128)
		return cli_usage("initiative", "%s", _("the name must be 1 to 128 bytes"));
	if (goal && strlen(goal) > BODY_TEXT_MAX)
		return cli_usage("initiative", P_("the goal must be at most %d byte", "the goal must be at most %d bytes",
						  BODY_TEXT_MAX), BODY_TEXT_MAX);
	snprintf(req.u.create.name, sizeof req.u.create.name, "%s", name);
	snprintf(req.u.create.goal, sizeof req.u.create.goal, "%s", goal ? goal : "");
	ret = cli_request(&c, dir_arg, "initiative", &req, 60000);
	if (ret == CLI_OK && (ret = cli_reply(&c, "initiative", CTLOP_R_CREATED, &r)) == CLI_OK) {
		id_encode(ID_NETWORK, r.network, text);
		printf(_("created initiative %s\n"), text);
	}
	client_close(&c);
	return ret;
}

int cmd_checkpoint(int argc, char **argv)
{
	const char *dir_arg = NULL;
	const struct ctlop_req req = {.op = CTLOP_CHECKPOINT};
	struct ctlop_r_entry r;
	bool json = false;
	struct client c;
	int ret = simple_opts("checkpoint", argc, argv, &dir_arg, &json);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	ret = cli_request(&c, dir_arg, "checkpoint", &req, 10000);
	if (ret == CLI_OK && (ret = cli_reply(&c, "checkpoint", CTLOP_R_ENTRY, &r)) == CLI_OK)
		printf(_("checkpoint published (#%llu): partners now have this node's receipt of every head "
			 "it holds\n"), (unsigned long long)r.seq);
	client_close(&c);
	return ret;
}
