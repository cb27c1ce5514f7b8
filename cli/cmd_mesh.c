/* Mesh commands: invite, join, members, member, peer, subscribe, unsubscribe. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cmds.h"
#include "cli/output.h"
#include "proto/err.h"
#include "proto/id.h"

enum { O_NETWORK = 1, O_JSON = 2, O_NAME = 4, O_EXPIRES = 8 };

struct mesh_opts {
	const char *dir_arg, *name, *expires;
	uint8_t net[32];
	bool has_net, json;
	int argc;             /* positional arguments */
	char **argv;
};

/* Parse the options a mesh command allows (mask of O_...). Returns
 * CLI_OK, -1 after --help, or a usage exit code. */
static int mesh_opts(const char *cmd, int argc, char **argv, unsigned allow,
		     int min_pos, int max_pos, struct mesh_opts *mo)
{
	static const struct option opts[] = {
		{"network", required_argument, NULL, 'N'},
		{"json", no_argument, NULL, 'j'},
		{"name", required_argument, NULL, 'n'},
		{"expires", required_argument, NULL, 'e'},
		{"data-dir", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt, rc;

	memset(mo, 0, sizeof *mo);
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		unsigned need = opt == 'N' ? O_NETWORK : opt == 'j' ? O_JSON : opt == 'n' ? O_NAME
				: opt == 'e' ? O_EXPIRES : 0;

		if (need && !(allow & need))
			return cli_usage(cmd, "option '%s' does not apply here", argv[optind - 1]);
		switch (opt) {
		case 'N':
			if ((rc = cli_parse_id(cmd, "--network", ID_NETWORK, optarg, mo->net)) != CLI_OK)
				return rc;
			mo->has_net = true;
			break;
		case 'j': mo->json = true; break;
		case 'n': mo->name = optarg; break;
		case 'e': mo->expires = optarg; break;
		case 'd': mo->dir_arg = optarg; break;
		case 'h': cli_help(cmd); return -1;
		default: return cli_usage(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	mo->argc = argc - optind;
	mo->argv = argv + optind;
	if (mo->argc < min_pos)
		return cli_usage(cmd, "missing argument");
	if (mo->argc > max_pos)
		return cli_usage(cmd, "unexpected argument '%s'", mo->argv[max_pos]);
	return CLI_OK;
}

/* Add --network to a request's fields when given. */
static size_t with_net(const struct mesh_opts *mo, struct cli_kv *kv, size_t n)
{
	if (mo->has_net)
		kv[n++] = (struct cli_kv){.key = "network", .bin32 = mo->net};
	return n;
}

static int done(struct client *c, int ret)
{
	client_close(c);
	return ret;
}

/* "7d", "12h", "30m", "90s" -> ms; 0 if malformed. */
static uint64_t parse_duration(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	uint64_t unit;

	if (end == s || v == 0)
		return 0;
	switch (*end) {
	case 'd': unit = 86400000ull; break;
	case 'h': unit = 3600000ull; break;
	case 'm': unit = 60000ull; break;
	case 's': case '\0': unit = 1000ull; break;
	default: return 0;
	}
	if (*end != '\0' && end[1] != '\0')
		return 0;
	return v > 3650ull * 86400 ? 0 : v * unit;
}

int cmd_invite(int argc, char **argv)
{
	struct mesh_opts mo;
	struct cli_kv kv[3];
	struct client c;
	const msgpack_object *m;
	char code[1100];
	size_t n = 0;
	int ret = mesh_opts("invite", argc, argv, O_NETWORK | O_NAME | O_EXPIRES, 0, 0, &mo);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	if (mo.expires) {
		uint64_t ms = parse_duration(mo.expires);

		if (ms == 0)
			return cli_usage("invite", "--expires takes a duration such as 7d, 12h or 30m");
		kv[n++] = (struct cli_kv){.key = "ttl_ms", .num = ms, .is_num = true};
	}
	if (mo.name)
		kv[n++] = (struct cli_kv){.key = "name", .str = mo.name};
	n = with_net(&mo, kv, n);
	ret = cli_request(&c, mo.dir_arg, "invite", "invite", kv, n, &m, 10000);
	if (ret == CLI_OK && mpx_get_cstr(m, "code", code, sizeof code) == 0)
		puts(code);
	return done(&c, ret);
}

int cmd_join(int argc, char **argv)
{
	struct mesh_opts mo;
	struct client c;
	const msgpack_object *m;
	int ret = mesh_opts("join", argc, argv, 0, 1, 1, &mo);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	if (strncmp(mo.argv[0], "pi_", 3) != 0)
		return cli_usage("join", "an invite code starts with pi_");
	ret = cli_request(&c, mo.dir_arg, "join", "join",
			  &(struct cli_kv){.key = "code", .str = mo.argv[0]}, 1, &m, 30000);
	if (ret == CLI_OK)
		puts("joined: this node is now a member and replicates the initiative");
	return done(&c, ret);
}

int cmd_members(int argc, char **argv)
{
	struct mesh_opts mo;
	struct cli_kv kv[1];
	struct client c;
	const msgpack_object *m, *list;
	char net_name[200] = "";
	int ret = mesh_opts("members", argc, argv, O_NETWORK | O_JSON, 0, 0, &mo);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	ret = cli_request(&c, mo.dir_arg, "members", "members", kv, with_net(&mo, kv, 0), &m, 10000);
	if (ret != CLI_OK)
		return done(&c, ret);
	list = mpx_get(m, "members");
	if (mo.json)
		fputc('[', stdout);
	else if (mpx_get_cstr(m, "name", net_name, sizeof net_name) == 0)
		printf("members of %s\n", net_name[0] ? net_name : "(genesis not received yet)");
	for (uint32_t i = 0, shown = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
		const msgpack_object *x = &list->via.array.ptr[i];
		uint8_t key[32] = {0}, by[32] = {0};
		char kt[ID_TEXT_MAX], bt[ID_TEXT_MAX], name[200] = "", role[16] = "", when[32];
		uint64_t since = 0;
		bool removed = false;

		mpx_get_binn(x, "key", key, 32);
		mpx_get_binn(x, "added_by", by, 32);
		mpx_get_cstr(x, "name", name, sizeof name);
		mpx_get_cstr(x, "role", role, sizeof role);
		mpx_get_u64(x, "since", &since);
		mpx_get_bool(x, "removed", &removed);
		id_encode(ID_KEY, key, kt);
		id_encode(ID_KEY, by, bt);
		out_time(since, when);
		if (mo.json) {
			printf("%s{\"id\":\"%s\",\"name\":", shown++ ? "," : "", kt);
			out_json_str(stdout, name, strlen(name));
			printf(",\"role\":\"%s\",\"admitted_by\":\"%s\",\"since\":%" PRIu64 ",\"removed\":%s}",
			       role, bt, since, removed ? "true" : "false");
		} else {
			char bshort[16];

			id_short(ID_KEY, by, bshort);
			printf("%s  %-32s %-7s since %s by %s%s\n", kt, name[0] ? name : "-", role, when,
			       bshort, removed ? "  (removed)" : "");
		}
	}
	if (mo.json)
		puts("]");
	return done(&c, ret);
}

int cmd_member(int argc, char **argv)
{
	struct mesh_opts mo;
	struct cli_kv kv[2];
	struct client c;
	const msgpack_object *m;
	uint8_t key[32];
	int ret;

	if (argc >= 2 && strcmp(argv[1], "revoke-key") == 0)
		return cmd_member_revoke_key(argc - 1, argv + 1);
	if (argc < 2 || strcmp(argv[1], "remove") != 0) {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
			return cli_help("member");
		return cli_usage("member", "the subcommand is 'remove' or 'revoke-key'");
	}
	ret = mesh_opts("member", argc - 1, argv + 1, O_NETWORK, 1, 1, &mo);
	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	if ((ret = cli_parse_id("member", "member id", ID_KEY, mo.argv[0], key)) != CLI_OK)
		return ret;
	kv[0] = (struct cli_kv){.key = "key", .bin32 = key};
	ret = cli_request(&c, mo.dir_arg, "member", "member.remove", kv, with_net(&mo, kv, 1), &m, 10000);
	if (ret == CLI_OK)
		printf("removed %s: its connections are closed and it is refused from now on\n", mo.argv[0]);
	return done(&c, ret);
}

static int peer_list(struct mesh_opts *mo)
{
	struct client c;
	const msgpack_object *m, *list;
	char listen[96] = "";
	int ret = cli_request(&c, mo->dir_arg, "peer", "peer.list", NULL, 0, &m, 10000);

	if (ret != CLI_OK)
		return done(&c, ret);
	list = mpx_get(m, "peers");
	if (mo->json) {
		out_json_value(stdout, m);
		fputc('\n', stdout);
		return done(&c, ret);
	}
	mpx_get_cstr(m, "listen", listen, sizeof listen);
	printf("listening on %s\n", listen);
	for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
		const msgpack_object *x = &list->via.array.ptr[i];
		char addr[272] = "", kt[16] = "-", when[32] = "never";
		uint8_t key[32];
		uint64_t seen = 0, behind = 0, bin = 0, bout = 0;
		bool conn = false, inbound = false;

		mpx_get_cstr(x, "address", addr, sizeof addr);
		if (mpx_get_binn(x, "key", key, 32) == 0)
			id_short(ID_KEY, key, kt);
		mpx_get_u64(x, "last_seen", &seen);
		mpx_get_u64(x, "behind", &behind);
		mpx_get_u64(x, "bytes_in", &bin);
		mpx_get_u64(x, "bytes_out", &bout);
		mpx_get_bool(x, "connected", &conn);
		mpx_get_bool(x, "inbound", &inbound);
		if (seen)
			out_time(seen, when);
		printf("%-22s %-12s %-9s %-8s last seen %s  behind %" PRIu64 "  in %" PRIu64 " B  out %" PRIu64 " B\n",
		       addr, kt, conn ? "connected" : "offline", inbound ? "inbound" : "outbound",
		       when, behind, bin, bout);
	}
	return done(&c, ret);
}

int cmd_peer(int argc, char **argv)
{
	struct mesh_opts mo;
	struct cli_kv kv[3];
	struct client c;
	const msgpack_object *m;
	uint8_t key[32];
	const char *sub = argc >= 2 ? argv[1] : "";
	int ret;

	if (!strcmp(sub, "--help") || !strcmp(sub, "-h"))
		return cli_help("peer");
	if (!strcmp(sub, "list")) {
		ret = mesh_opts("peer", argc - 1, argv + 1, O_JSON, 0, 0, &mo);
		return ret != CLI_OK ? (ret < 0 ? CLI_OK : ret) : peer_list(&mo);
	}
	if (!strcmp(sub, "add")) {
		size_t n = 1;

		ret = mesh_opts("peer", argc - 1, argv + 1, O_NETWORK, 1, 2, &mo);
		if (ret != CLI_OK)
			return ret < 0 ? CLI_OK : ret;
		if (strchr(mo.argv[0], ':') == NULL)
			return cli_usage("peer", "the address must be HOST:PORT");
		kv[0] = (struct cli_kv){.key = "address", .str = mo.argv[0]};
		if (mo.argc == 2) {
			if ((ret = cli_parse_id("peer", "peer id", ID_KEY, mo.argv[1], key)) != CLI_OK)
				return ret;
			kv[n++] = (struct cli_kv){.key = "key", .bin32 = key};
		}
		ret = cli_request(&c, mo.dir_arg, "peer", "peer.add", kv, with_net(&mo, kv, n), &m, 10000);
		if (ret == CLI_OK)
			printf("added peer %s: paktd dials it now and after every disconnect\n", mo.argv[0]);
		return done(&c, ret);
	}
	if (!strcmp(sub, "remove")) {
		ret = mesh_opts("peer", argc - 1, argv + 1, 0, 1, 1, &mo);
		if (ret != CLI_OK)
			return ret < 0 ? CLI_OK : ret;
		kv[0] = (struct cli_kv){.key = "address", .str = mo.argv[0]};
		ret = cli_request(&c, mo.dir_arg, "peer", "peer.remove", kv, 1, &m, 10000);
		return done(&c, ret);
	}
	return cli_usage("peer", "the subcommand is add, list or remove");
}

static int subscription(const char *cmd, int argc, char **argv)
{
	struct mesh_opts mo;
	struct cli_kv kv[2];
	struct client c;
	const msgpack_object *m;
	uint8_t key[32];
	int ret = mesh_opts(cmd, argc, argv, O_NETWORK, 1, 1, &mo);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	if ((ret = cli_parse_id(cmd, "feed id", ID_KEY, mo.argv[0], key)) != CLI_OK)
		return ret;
	kv[0] = (struct cli_kv){.key = "key", .bin32 = key};
	ret = cli_request(&c, mo.dir_arg, cmd, cmd, kv, with_net(&mo, kv, 1), &m, 10000);
	return done(&c, ret);
}

int cmd_subscribe(int argc, char **argv)
{
	return subscription("subscribe", argc, argv);
}

int cmd_unsubscribe(int argc, char **argv)
{
	return subscription("unsubscribe", argc, argv);
}
