/* Mesh commands: invite, join, members, member, peer, subscribe, unsubscribe. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli/cli.h"
#include "cli/cmds.h"
#include "cli/i18n.h"
#include "cli/output.h"
#include "cli/text.h"
#include "cli/work.h"
#include "proto/err.h"
#include "proto/id.h"
#include "proto/wire.h"

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
			return cli_usage(cmd, _("option '%s' does not apply here"), argv[optind - 1]);
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
		default: return cli_usage(cmd, _("unknown or incomplete option '%s'"), argv[optind - 1]);
		}
	}
	mo->argc = argc - optind;
	mo->argv = argv + optind;
	if (mo->argc < min_pos)
		return cli_usage(cmd, _("missing argument"));
	if (mo->argc > max_pos)
		return cli_usage(cmd, _("unexpected argument '%s'"), mo->argv[max_pos]);
	return CLI_OK;
}

/* A request of op with --network when given. */
static struct ctlop_req mesh_req(const struct mesh_opts *mo, enum ctlop_op op)
{
	struct ctlop_req r = {.op = op, .has_network = mo->has_net};

	memcpy(r.network, mo->net, 32);
	return r;
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
	struct ctlop_req req;
	struct ctlop_r_invite r;
	struct client c;
	int ret = mesh_opts("invite", argc, argv, O_NETWORK | O_NAME | O_EXPIRES, 0, 0, &mo);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	req = mesh_req(&mo, CTLOP_INVITE);
	if (mo.expires) {
		req.u.invite.ttl_ms = parse_duration(mo.expires);
		req.u.invite.has_ttl = true;
		if (req.u.invite.ttl_ms == 0)
			return cli_usage("invite", _("--expires takes a duration such as 7d, 12h or 30m"));
	}
	if (mo.name && strlen(mo.name) > BODY_NAME_MAX)
		return cli_usage("invite", _("--name must be at most %d bytes"), BODY_NAME_MAX);
	if (mo.name)
		snprintf(req.u.invite.name, sizeof req.u.invite.name, "%s", mo.name);
	ret = cli_request(&c, mo.dir_arg, "invite", &req, 10000);
	if (ret == CLI_OK && (ret = cli_reply(&c, "invite", CTLOP_R_INVITE, &r)) == CLI_OK)
		puts(r.code);
	ctlop_reply_free(CTLOP_R_INVITE, &r);
	return done(&c, ret);
}

int cmd_join(int argc, char **argv)
{
	struct mesh_opts mo;
	struct ctlop_req req;
	struct client c;
	int ret = mesh_opts("join", argc, argv, 0, 1, 1, &mo);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	req = mesh_req(&mo, CTLOP_JOIN);
	/* as an e-mail client may have wrapped it: spaces, line breaks, <> */
	if (wire_invite_clean(mo.argv[0], req.u.join.code) != 0)
		return cli_usage("join", _("that is too long for an invite code (at most %d characters)"),
				 INVITE_TEXT_MAX);
	if (strncmp(req.u.join.code, "pi_", 3) != 0)
		return cli_usage("join", _("an invite code starts with pi_"));
	ret = cli_request(&c, mo.dir_arg, "join", &req, 30000);
	ctlop_req_wipe(&req);
	if (ret == CLI_OK)
		puts(_("joined: this node is now a member and replicates the initiative"));
	return done(&c, ret);
}

/* printf(fmt, text) with partner text escaped as one line (cli/text.h):
 * the sentence around it stays whole for translators. */
static void put_escaped(const char *fmt, const char *text)
{
	char *e = NULL;

	if (text_escape(text, strlen(text), 0, &e, NULL) != 0)
		return;
	printf(fmt, e);
	free(e);
}

/* The members table, for people: a line of columns aligned by display
 * width (names escaped and cut with "…"), then the full id. 80 columns. */
static void print_members_head(const struct ctlop_r_members *r)
{
	/* the initiative's name comes from a partner: escaped */
	if (r->name[0])
		put_escaped(_("members of %s\n"), r->name);
	else
		puts(_("members of (genesis not received yet)"));
	/* TRANSLATORS: column headers of 'pakt members' (34, 6 and 10 columns wide) */
	text_pad(stdout, _("NAME"), 34, false);
	putchar(' ');
	text_pad(stdout, _("ROLE"), 6, false);
	putchar(' ');
	text_pad(stdout, _("SINCE"), 10, false);
	printf(" %s\n", _("ADMITTED BY"));
}

static void print_member(const struct ctlop_r_members *r, const struct ctlop_r_member *x,
			 const char *when, const char *kt)
{
	const char *by = NULL;
	char bshort[16];

	for (size_t k = 0; k < r->n_members && by == NULL; k++)
		if (memcmp(r->members[k].key, x->added_by, 32) == 0 && r->members[k].name[0])
			by = r->members[k].name;
	id_short(ID_KEY, x->added_by, bshort);
	text_fit(stdout, x->name[0] ? x->name : "-", 34, true);
	printf(" %-6s ", x->role);
	text_pad(stdout, when, 10, false);
	putchar(' ');
	text_fit(stdout, memcmp(x->key, x->added_by, 32) == 0 ? _("(founder)") : by ? by : bshort, 26,
		 false);
	printf("\n  %s%s\n", kt, x->removed ? _("  (removed)") : "");
}

int cmd_members(int argc, char **argv)
{
	struct mesh_opts mo;
	struct ctlop_req req;
	struct ctlop_r_members r = {0};
	struct client c;
	int ret = mesh_opts("members", argc, argv, O_NETWORK | O_JSON, 0, 0, &mo);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	req = mesh_req(&mo, CTLOP_MEMBERS);
	ret = cli_request(&c, mo.dir_arg, "members", &req, 10000);
	if (ret == CLI_OK)
		ret = cli_reply(&c, "members", CTLOP_R_MEMBERS, &r);
	if (ret != CLI_OK)
		goto free_reply;
	if (mo.json)
		fputc('[', stdout);
	else
		print_members_head(&r);
	for (size_t i = 0; i < r.n_members; i++) {
		const struct ctlop_r_member *x = &r.members[i];
		char kt[ID_TEXT_MAX], bt[ID_TEXT_MAX], when[32];

		id_encode(ID_KEY, x->key, kt);
		id_encode(ID_KEY, x->added_by, bt);
		output_ago(x->since, (int64_t)time(NULL) * 1000, when);
		if (mo.json) {
			printf("%s{\"id\":\"%s\",\"name\":", i ? "," : "", kt);
			output_json_str(stdout, x->name, strlen(x->name));
			printf(",\"role\":\"%s\",\"admitted_by\":\"%s\",\"since\":%" PRIu64 ",\"removed\":%s}",
			       x->role, bt, x->since, x->removed ? "true" : "false");
		} else {
			print_member(&r, x, when, kt);
		}
	}
	if (mo.json)
		puts("]");
	else if (r.has_removal) {
		/* names come from partners: shown without control characters */
		put_escaped(_("this organisation was %s\n"), r.removal);
	}
free_reply:
	ctlop_reply_free(CTLOP_R_MEMBERS, &r);
	return done(&c, ret);
}

int cmd_member(int argc, char **argv)
{
	struct mesh_opts mo;
	struct ctlop_req req;
	struct client c;
	int ret;

	if (argc >= 2 && strcmp(argv[1], "revoke-key") == 0)
		return cmd_member_revoke_key(argc - 1, argv + 1);
	if (argc < 2 || strcmp(argv[1], "remove") != 0) {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
			return cli_help("member");
		return cli_usage("member", _("the subcommand is 'remove' or 'revoke-key'"));
	}
	ret = mesh_opts("member", argc - 1, argv + 1, O_NETWORK, 1, 1, &mo);
	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	req = mesh_req(&mo, CTLOP_MEMBER_REMOVE);
	if ((ret = cli_parse_id("member", _("member id"), ID_KEY, mo.argv[0], req.u.key.key)) != CLI_OK)
		return ret;
	ret = cli_request(&c, mo.dir_arg, "member", &req, 10000);
	if (ret == CLI_OK)
		printf(_("removed %s: its connections are closed and it is refused from now on\n"), mo.argv[0]);
	return done(&c, ret);
}

static int peer_list(struct mesh_opts *mo)
{
	const struct ctlop_req req = {.op = CTLOP_PEER_LIST};
	struct ctlop_r_peers r = {0};
	struct client c;
	int ret = cli_request(&c, mo->dir_arg, "peer", &req, 10000);

	if (ret == CLI_OK && mo->json)
		cli_json(&c, true, true, NULL);
	else if (ret == CLI_OK)
		ret = cli_reply(&c, "peer", CTLOP_R_PEERS, &r);
	if (ret != CLI_OK || mo->json)
		goto free_reply;
	printf(_("listening on %s\n"), r.listen);
	for (size_t i = 0; i < r.n_peers; i++) {
		const struct ctlop_r_peer *x = &r.peers[i];
		char kt[16] = "-", when[32];

		if (x->has_key)
			id_short(ID_KEY, x->key, kt);
		snprintf(when, sizeof when, "%s", _("never"));
		if (x->last_seen)
			output_ago(x->last_seen, (int64_t)time(NULL) * 1000, when);
		/* the address may come from a partner's profile: escaped */
		text_fit(stdout, x->address, 22, true);
		printf(" %-12s ", kt);
		/* TRANSLATORS: peer states in 'pakt peer list' (9 columns) */
		text_pad(stdout, x->connected ? _("connected") : _("offline"), 9, false);
		putchar(' ');
		/* TRANSLATORS: who dialled (8 columns) */
		text_pad(stdout, x->inbound ? _("inbound") : _("outbound"), 8, false);
		putchar(' ');
		text_pad(stdout, when, 10, false);
		printf(_(" behind %" PRIu64 ", %" PRIu64 "/%" PRIu64 " B\n"), x->behind, x->bytes_in,
		       x->bytes_out);
	}
free_reply:
	ctlop_reply_free(CTLOP_R_PEERS, &r);
	return done(&c, ret);
}

int cmd_peer(int argc, char **argv)
{
	struct mesh_opts mo;
	struct ctlop_req req;
	struct client c;
	const char *sub = argc >= 2 ? argv[1] : "";
	int ret;

	if (!strcmp(sub, "--help") || !strcmp(sub, "-h"))
		return cli_help("peer");
	if (!strcmp(sub, "list")) {
		ret = mesh_opts("peer", argc - 1, argv + 1, O_JSON, 0, 0, &mo);
		return ret != CLI_OK ? (ret < 0 ? CLI_OK : ret) : peer_list(&mo);
	}
	if (!strcmp(sub, "add") || !strcmp(sub, "remove")) {
		bool add = !strcmp(sub, "add");

		ret = mesh_opts("peer", argc - 1, argv + 1, add ? O_NETWORK : 0, 1, add ? 2 : 1, &mo);
		if (ret != CLI_OK)
			return ret < 0 ? CLI_OK : ret;
		if (add && strchr(mo.argv[0], ':') == NULL)
			return cli_usage("peer", _("the address must be HOST:PORT"));
		if (strlen(mo.argv[0]) > CTLOP_ADDRESS_MAX)
			return cli_usage("peer", _("the address is longer than %d bytes"), CTLOP_ADDRESS_MAX);
		req = mesh_req(&mo, add ? CTLOP_PEER_ADD : CTLOP_PEER_REMOVE);
		snprintf(req.u.peer.address, sizeof req.u.peer.address, "%s", mo.argv[0]);
		if (mo.argc == 2) {
			if ((ret = cli_parse_id("peer", _("peer id"), ID_KEY, mo.argv[1], req.u.peer.key)) != CLI_OK)
				return ret;
			req.u.peer.has_key = true;
		}
		ret = cli_request(&c, mo.dir_arg, "peer", &req, 10000);
		if (ret == CLI_OK && add)
			printf(_("added peer %s: paktd dials it now and after every disconnect\n"), mo.argv[0]);
		return done(&c, ret);
	}
	return cli_usage("peer", _("the subcommand is add, list or remove"));
}

static int subscription(const char *cmd, int argc, char **argv)
{
	struct mesh_opts mo;
	struct ctlop_req req;
	struct client c;
	int ret = mesh_opts(cmd, argc, argv, O_NETWORK, 1, 1, &mo);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	req = mesh_req(&mo, strcmp(cmd, "subscribe") == 0 ? CTLOP_SUBSCRIBE : CTLOP_UNSUBSCRIBE);
	if ((ret = cli_parse_id(cmd, _("feed id"), ID_KEY, mo.argv[0], req.u.key.key)) != CLI_OK)
		return ret;
	ret = cli_request(&c, mo.dir_arg, cmd, &req, 10000);
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
