/* Commands about the node itself: status, verify, initiative. */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cmds.h"
#include "cli/output.h"
#include "proto/ctlmsg.h"
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
		default: return cli_usage(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
	return CLI_OK;
}

static void print_id_field(const msgpack_object *m, const char *key, enum id_kind kind,
			   const char *label)
{
	uint8_t raw[32];
	char text[ID_TEXT_MAX];

	if (mpx_get_binn(m, key, raw, 32) != 0)
		return;
	id_encode(kind, raw, text);
	printf("%-12s %s\n", label, text);
}

int cmd_status(int argc, char **argv)
{
	const char *dir_arg = NULL;
	const msgpack_object *m;
	bool json = false;
	struct client c;
	char name[256] = "", datadir[DATADIR_PATH_MAX] = "";
	uint64_t entries = 0, feeds = 0, nets = 0, pid = 0, up = 0;
	int ret = simple_opts("status", argc, argv, &dir_arg, &json);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	ret = cli_request(&c, dir_arg, "status", "status", NULL, 0, &m, 10000);
	if (ret == CLI_OK && json) {
		out_json_value(stdout, m);
		fputc('\n', stdout);
	} else if (ret == CLI_OK) {
		mpx_get_cstr(m, "name", name, sizeof name);
		mpx_get_cstr(m, "datadir", datadir, sizeof datadir);
		mpx_get_u64(m, "entries", &entries);
		mpx_get_u64(m, "feeds", &feeds);
		mpx_get_u64(m, "networks", &nets);
		mpx_get_u64(m, "pid", &pid);
		mpx_get_u64(m, "uptime_ms", &up);
		printf("paktd       running (pid %" PRIu64 ", up %" PRIu64 " s)\n", pid, up / 1000);
		print_id_field(m, "id", ID_KEY, "id");
		printf("%-12s %s\n", "name", name[0] ? name : "(unnamed: set 'name' in the config)");
		printf("%-12s %s\n", "data dir", datadir);
		print_id_field(m, "network", ID_NETWORK, "initiative");
		printf("%-12s %" PRIu64 " in %" PRIu64 " feeds, %" PRIu64 " initiatives\n", "entries",
		       entries, feeds, nets);
	}
	client_close(&c);
	return ret;
}

int cmd_verify(int argc, char **argv)
{
	const char *dir_arg = NULL;
	const msgpack_object *m, *bad;
	bool json = false;
	struct client c;
	uint64_t checked = 0, feeds = 0, n_bad = 0;
	int ret;

	/* with a FILE, check an exported bundle offline (cli/cmd_bundle.c) */
	if (cmd_verify_is_bundle(argc, argv))
		return cmd_verify_bundle(argc, argv);
	ret = simple_opts("verify", argc, argv, &dir_arg, &json);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	ret = cli_request(&c, dir_arg, "verify", "verify", NULL, 0, &m, -1);
	if (ret != CLI_OK)
		goto out;
	mpx_get_u64(m, "checked", &checked);
	mpx_get_u64(m, "feeds", &feeds);
	mpx_get_u64(m, "n_bad", &n_bad);
	if (json) {
		out_json_value(stdout, m);
		fputc('\n', stdout);
	} else {
		bad = mpx_get(m, "bad");
		for (uint32_t i = 0; bad && bad->type == MSGPACK_OBJECT_ARRAY && i < bad->via.array.size; i++) {
			const msgpack_object *b = &bad->via.array.ptr[i];
			uint8_t author[32], net[32];
			char a[ID_TEXT_MAX] = "?", nw[ID_TEXT_MAX] = "?", reason[200] = "";
			uint64_t seq = 0;

			if (mpx_get_binn(b, "author", author, 32) == 0)
				id_encode(ID_KEY, author, a);
			if (mpx_get_binn(b, "network", net, 32) == 0)
				id_encode(ID_NETWORK, net, nw);
			mpx_get_u64(b, "seq", &seq);
			mpx_get_cstr(b, "reason", reason, sizeof reason);
			printf("BAD  feed %s in %s  seq %" PRIu64 ": %s\n", a, nw, seq, reason);
		}
		printf("%s: %" PRIu64 " entries in %" PRIu64 " feeds checked, %" PRIu64 " bad\n",
		       n_bad ? "FAILED" : "ok", checked, feeds, n_bad);
	}
	if (n_bad)
		ret = CLI_FAIL;
out:
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
	const msgpack_object *reply;
	struct mpx_out req;
	struct client c;
	uint8_t net[32];
	char text[ID_TEXT_MAX];
	int opt, ret;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		if (argc < 2)
			return cli_usage("initiative", "missing subcommand (create)");
		return cli_help("initiative");
	}
	if (strcmp(argv[1], "create") != 0)
		return cli_usage("initiative", "unknown subcommand '%s' (known: create)", argv[1]);
	argc--;
	argv++;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'g': goal = optarg; break;
		case 'd': dir_arg = optarg; break;
		case 'h': return cli_help("initiative");
		default: return cli_usage("initiative", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage("initiative", "give the initiative's NAME (quoted) and nothing else");
	name = argv[optind];
	if (*name == '\0' || strlen(name) > 128)
		return cli_usage("initiative", "the name must be 1 to 128 bytes");
	ret = cli_connect(&c, dir_arg, "initiative");
	if (ret != CLI_OK)
		goto out;
	mpx_init(&req);
	ctl_begin(&req);
	msgpack_pack_map(&req.pk, 2 + (goal != NULL));
	if (goal)
		mpx_kv_str(&req.pk, "goal", goal);
	mpx_kv_str(&req.pk, "name", name);
	mpx_kv_str(&req.pk, "op", "initiative.create");
	ctl_finish(&req);
	ret = cli_call(&c, &req, &reply, "initiative");
	if (ret == CLI_OK && mpx_get_binn(reply, "network", net, 32) == 0) {
		id_encode(ID_NETWORK, net, text);
		printf("created initiative %s\n", text);
	}
	mpx_free(&req);
out:
	client_close(&c);
	return ret;
}

int cmd_checkpoint(int argc, char **argv)
{
	const char *dir_arg = NULL;
	const msgpack_object *m;
	bool json = false;
	struct client c;
	uint64_t seq = 0;
	int ret = simple_opts("checkpoint", argc, argv, &dir_arg, &json);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	ret = cli_request(&c, dir_arg, "checkpoint", "checkpoint", NULL, 0, &m, 10000);
	if (ret == CLI_OK) {
		mpx_get_u64(m, "seq", &seq);
		printf("checkpoint published (#%" PRIu64 "): partners now have this node's receipt of every head it holds\n", seq);
	}
	client_close(&c);
	return ret;
}
