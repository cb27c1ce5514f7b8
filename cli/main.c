/* pakt: the command-line client of a pakt node. */
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/i18n.h"
#include "cli/names.h"
#include "keys/keys.h"
#include "proto/canon.h"
#include "proto/ctlmsg.h"
#include "proto/err.h"

static const char main_usage[] = N_(
	"usage: pakt [--version] [--help] [--data-dir DIR] [--network ID] COMMAND [ARGS]\n"
	"\n"
	"pakt keeps a signed, replicated record of what partner organisations\n"
	"say, measure and promise each other. Commands:\n"
	"\n");

static const char main_footer[] = N_(
	"\n"
	"Every command takes --data-dir DIR (default: $PAKT_HOME, else\n"
	"~/.local/share/pakt, else the system's node /var/lib/pakt) and --help;\n"
	"--data-dir and --network may also go before the command.\n"
	"Exit codes: 0 ok, 1 operation or check failed, 2 usage error,\n"
	"3 paktd not running (or the connection to it lost), 4 no data directory\n"
	"or no identity (run 'pakt init'), 5 permission denied on paktd's control\n"
	"socket (ask to be added to its group).\n");

static void print_main_help(FILE *f)
{
	fputs(_(main_usage), f);
	for (const struct cli_cmd *c = commands_table; c->name; c++)
		fprintf(f, "  %-12s %s\n", c->name, _(c->summary));
	fputs(_(main_footer), f);
}

/* How many arguments the global option at argv[0] takes up (1 or 2), or
 * 0 if it is none. */
static int global_option(int argc, char **argv)
{
	static const char *const names[] = {"--data-dir", "--network"};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		size_t n = strlen(names[i]);

		if (strncmp(argv[0], names[i], n) == 0 && argv[0][n] == '=')
			return 1;
		if (strcmp(argv[0], names[i]) == 0)
			return argc > 1 ? 2 : 0;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	char **args;
	int first = 1, k, n_global, n;

	i18n_init();
	/* global options before the command move after it, where every
	 * command's own parser takes them ("pakt --data-dir D status") */
	while (first < argc && (k = global_option(argc - first, argv + first)) > 0)
		first += k;
	n_global = first - 1;
	if (first < argc && (strcmp(argv[first], "--data-dir") == 0 || strcmp(argv[first], "--network") == 0)) {
		fprintf(stderr, _("pakt: %s needs a value, then the command (see 'pakt --help')\n"), argv[first]);
		return CLI_USAGE;
	}
	if (first >= argc) {
		print_main_help(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[first], "--help") == 0 || strcmp(argv[first], "-h") == 0 ||
	    strcmp(argv[first], "help") == 0) {
		if (argc > first + 1 && cli_find(argv[first + 1]))
			return cli_help(argv[first + 1]);
		print_main_help(stdout);
		return CLI_OK;
	}
	if (strcmp(argv[first], "--version") == 0) {
		puts("pakt " CTL_VERSION_STRING);
		return CLI_OK;
	}
	cmd = cli_find(argv[first]);
	if (cmd == NULL) {
		fprintf(stderr, _("pakt: '%s' is not a pakt command; see 'pakt --help'\n"), argv[first]);
		return CLI_USAGE;
	}
	if (keys_global_init() != 0) {
		fputs(_("pakt: libsodium failed to initialise\n"), stderr);
		return CLI_FAIL;
	}
	for (k = 1; k < argc; k++)
		if (!canon_utf8_valid(argv[k], strlen(argv[k]))) {
			fprintf(stderr, _("pakt: %s: argument %d is not valid UTF-8 (text in the Windows code "
					  "page?): convert it with: iconv -f cp1250 -t utf-8\n"), cmd->name, k);
			return CLI_USAGE;
		}
	/* COMMAND ARGS... GLOBALS (before a "--" that ends the options) */
	args = calloc((size_t)argc + 1, sizeof *args);
	if (args == NULL) {
		fputs(_("pakt: out of memory\n"), stderr);
		return CLI_FAIL;
	}
	n = 0;
	args[n++] = argv[first];
	for (k = first + 1; k < argc && strcmp(argv[k], "--") != 0; k++)
		args[n++] = argv[k];
	for (int g = 1; g <= n_global; g++)
		args[n++] = argv[g];
	for (; k < argc; k++)
		args[n++] = argv[k];
	names_note_globals(n, args);
	n = cmd->run(n, args);
	free(args);
	return n;
}
