/* Key commands: 'pakt key rotate' and 'pakt member revoke-key'. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cmds.h"
#include "cli/i18n.h"
#include "keys/datadir.h"
#include "keys/keyfile.h"
#include "keys/passphrase.h"
#include "proto/err.h"
#include "proto/id.h"

int cmd_key(int argc, char **argv)
{
	static const struct option opts[] = {
		{"passphrase-file", required_argument, NULL, 'p'},
		{"data-dir", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *dir_arg = NULL, *pass_file = NULL;
	char dir[DATADIR_PATH_MAX], keypath[DATADIR_PATH_MAX], why[512] = "";
	char old_text[ID_TEXT_MAX], new_text[ID_TEXT_MAX];
	char *pass = NULL;
	bool encrypted = false;
	static struct ctlop_req req = {.op = CTLOP_KEY_ROTATE};
	struct ctlop_r_rotated r;
	struct client c;
	int opt, rc, ret;

	if (argc < 2 || strcmp(argv[1], "rotate") != 0) {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
			return cli_help("key");
		return cli_usage("key", "%s", _("the subcommand is 'rotate'"));
	}
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': pass_file = optarg; break;
		case 'd': dir_arg = optarg; break;
		case 'h': return cli_help("key");
		default: return cli_usage("key", _("unknown or incomplete option '%s'"), argv[optind]);
		}
	}
	if (optind != argc - 1)
		return cli_usage("key", _("unexpected argument '%s'"), argv[optind + 1]);
	if (cli_datadir(dir_arg, dir) != 0)
		return cli_fail("key", PAKT_EINVAL, "%s", _("no data directory: pass --data-dir DIR or set PAKT_HOME"));
	datadir_file(dir, DATADIR_KEY, keypath);
	/* an encrypted identity stays encrypted: the new key file needs a passphrase */
	if ((rc = keyfile_read_public(keypath, NULL, &encrypted, why, sizeof why)) != 0)
		return cli_fail("key", PAKT_ENOINIT, "%s", why[0] ? why : pakt_strerror(rc));
	if (encrypted || pass_file) {
		rc = passphrase_get(&pass, pass_file, _("passphrase for the new identity key: "), true, why,
				    sizeof why);
		if (rc != 0)
			return cli_fail("key", rc, _("the identity key is encrypted, so the new one will be: "
						     "give its passphrase with --passphrase-file FILE or on the terminal "
						     "(%s)"), why);
	}
	if (pass != NULL && strlen(pass) > CTLOP_PASSPHRASE_MAX) {
		passphrase_free(pass);
		return cli_usage("key", P_("the passphrase is longer than %d byte",
					   "the passphrase is longer than %d bytes", CTLOP_PASSPHRASE_MAX),
				 CTLOP_PASSPHRASE_MAX);
	}
	if (pass != NULL)
		memcpy(req.u.rotate.passphrase, pass, strlen(pass) + 1);
	passphrase_free(pass);
	ret = cli_request(&c, dir_arg, "key", &req, 60000);
	ctlop_req_wipe(&req);
	if (ret == CLI_OK && (ret = cli_reply(&c, "key", CTLOP_R_ROTATED, &r)) == CLI_OK) {
		id_encode(ID_KEY, r.old, old_text);
		id_encode(ID_KEY, r.key, new_text);
		/* TRANSLATORS: the old id and the new one, one under the other */
		printf(_("rotated: %s\n    now: %s\n"), old_text, new_text);
		printf(P_("succession published in %llu initiative; entries signed by the old key still verify\n",
			  "succession published in %llu initiatives; entries signed by the old key still verify\n",
			  (unsigned long)r.initiatives), (unsigned long long)r.initiatives);
		if (r.has_warning) {
			fprintf(stderr, _("pakt key: warning: %s\n"), r.warning);
			ret = CLI_FAIL;
		}
	}
	client_close(&c);
	return ret;
}

/* pakt member revoke-key ID --after SEQ [--reason TEXT] */
int cmd_member_revoke_key(int argc, char **argv)
{
	static const struct option opts[] = {
		{"after", required_argument, NULL, 'a'},
		{"reason", required_argument, NULL, 'r'},
		{"network", required_argument, NULL, 'N'},
		{"data-dir", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *dir_arg = NULL, *reason = "";
	static struct ctlop_req req = {.op = CTLOP_MEMBER_REVOKE_KEY};
	bool has_after = false;
	uint64_t after = 0;
	struct client c;
	char *end;
	int opt, ret;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			after = strtoull(optarg, &end, 10);
			if (end == optarg || *end != '\0' || optarg[0] == '-')
				return cli_usage("member", _("--after must be a seq number (0 or more), not '%s'"),
						 optarg);
			has_after = true;
			break;
		case 'r': reason = optarg; break;
		case 'N':
			if ((ret = cli_parse_id("member", "--network", ID_NETWORK, optarg, req.network)) != CLI_OK)
				return ret;
			req.has_network = true;
			break;
		case 'd': dir_arg = optarg; break;
		case 'h': return cli_help("member");
		default: return cli_usage("member", _("unknown or incomplete option '%s'"), argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage("member", "%s", optind == argc ? _("missing the key's id (pk_...)")
				 : _("unexpected argument"));
	if (!has_after)
		return cli_usage("member", "%s", _("--after SEQ is required: the last seq of that key you still "
						   "trust (see pakt log --from ID)"));
	if ((ret = cli_parse_id("member", _("key id"), ID_KEY, argv[optind], req.u.revoke.key)) != CLI_OK)
		return ret;
	if (strlen(reason) > BODY_REASON_MAX)
		return cli_usage("member", P_("--reason is longer than %d byte", "--reason is longer than %d bytes",
					      BODY_REASON_MAX), BODY_REASON_MAX);
	req.u.revoke.after = after;
	snprintf(req.u.revoke.reason, sizeof req.u.revoke.reason, "%s", reason);
	ret = cli_request(&c, dir_arg, "member", &req, 10000);
	if (ret == CLI_OK)
		printf(_("revoked %s: its entries after seq %llu are untrusted in every audit, and it is no "
			 "longer a member\n"), argv[optind], (unsigned long long)after);
	client_close(&c);
	return ret;
}
