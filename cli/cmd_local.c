/* Commands that work without a daemon: init, id. */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli/cli.h"
#include "cli/cmds.h"
#include "cli/i18n.h"
#include "keys/config.h"
#include "keys/keyfile.h"
#include "keys/passphrase.h"
#include "proto/err.h"
#include "proto/id.h"

/* mkdir -p with mode 0700 for what it creates. */
static int make_dirs(const char *path)
{
	char tmp[DATADIR_PATH_MAX];

	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"name", required_argument, NULL, 'n'},
		{"data-dir", required_argument, NULL, 'd'},
		{"encrypt", no_argument, NULL, 'e'},
		{"passphrase-file", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *name = "", *dir_arg = NULL, *pass_file = NULL;
	char dir[DATADIR_PATH_MAX], keypath[DATADIR_PATH_MAX], cfgpath[DATADIR_PATH_MAX];
	char why[512] = "", idtext[ID_TEXT_MAX];
	struct keys_identity id = {0};
	bool encrypt = false;
	char *pass = NULL;
	int opt, rc, ret = CLI_FAIL;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n': name = optarg; break;
		case 'd': dir_arg = optarg; break;
		case 'e': encrypt = true; break;
		case 'p': pass_file = optarg; encrypt = true; break;
		case 'h': return cli_help("init");
		default: return cli_usage("init", _("unknown or incomplete option '%s'"), argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage("init", _("unexpected argument '%s'"), argv[optind]);
	if (strlen(name) > 128 || strchr(name, '\n'))
		return cli_usage("init", "%s", _("--name must be one line of at most 128 bytes"));
	if (datadir_resolve(dir_arg, DATADIR_OWN, dir, NULL) != 0)
		return cli_fail("init", PAKT_EINVAL, "%s", _("no data directory: pass --data-dir DIR or set PAKT_HOME"));
	datadir_file(dir, DATADIR_KEY, keypath);
	datadir_file(dir, DATADIR_CONFIG, cfgpath);
	if (access(keypath, F_OK) == 0)
		return cli_fail("init", PAKT_EEXIST,
				_("%s already exists; refusing to overwrite an identity (choose another --data-dir)"),
				keypath);
	if (make_dirs(dir) != 0)
		return cli_fail("init", PAKT_EIO, _("cannot create %s: %s"), dir, strerror(errno));
	if (encrypt) {
		rc = passphrase_get(&pass, pass_file, _("new passphrase for the identity key: "),
				    true, why, sizeof why);
		if (rc != 0)
			return cli_fail("init", rc, _("passphrase: %s"), why);
	}
	rc = keys_generate(&id);
	if (rc != 0) {
		cli_fail("init", rc, _("key generation failed: %s"), pakt_strerror(rc));
		goto free_key;
	}
	rc = keyfile_write(keypath, &id, pass, why, sizeof why);
	if (rc != 0) {
		cli_fail("init", rc, "%s", why);
		goto free_key;
	}
	rc = config_create(cfgpath, name, why, sizeof why);
	if (rc != 0 && rc != PAKT_EEXIST) {
		cli_fail("init", rc, "%s", why);
		goto free_key;
	}
	id_encode(ID_KEY, id.pk, idtext);
	/* TRANSLATORS: the data directory, this organisation's new id, the data directory */
	printf(_("initialised %s\nid: %s\nstart the daemon with: paktd --data-dir %s\n"), dir, idtext, dir);
	ret = CLI_OK;
free_key:
	keys_free(&id);
	passphrase_free(pass);
	return ret;
}

int cmd_id(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data-dir", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *dir_arg = NULL;
	char dir[DATADIR_PATH_MAX], keypath[DATADIR_PATH_MAX], why[512] = "";
	char idtext[ID_TEXT_MAX];
	uint8_t pk[32];
	int opt, rc;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': dir_arg = optarg; break;
		case 'h': return cli_help("id");
		default: return cli_usage("id", _("unknown or incomplete option '%s'"), argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage("id", _("unexpected argument '%s'"), argv[optind]);
	if (cli_datadir(dir_arg, dir) != 0)
		return cli_fail("id", PAKT_EINVAL, "%s", _("no data directory: pass --data-dir DIR or set PAKT_HOME"));
	datadir_file(dir, DATADIR_KEY, keypath);
	rc = keyfile_read_public(keypath, pk, NULL, why, sizeof why);
	if (rc == PAKT_ENOTFOUND)
		return cli_fail("id", PAKT_ENOINIT, _("no identity in %s: run 'pakt init' first"), dir);
	if (rc != 0)
		return cli_fail("id", PAKT_ENOINIT, "%s", why[0] ? why : pakt_strerror(rc));
	id_encode(ID_KEY, pk, idtext);
	puts(idtext);
	return CLI_OK;
}
