/* pakt: the command-line client of a pakt node. */
#include <string.h>
#include "cli/cli.h"
#include "cli/i18n.h"
#include "keys/keys.h"
#include "proto/ctlmsg.h"
#include "proto/err.h"

static const char main_usage[] = N_(
	"usage: pakt [--version] [--help] COMMAND [ARGS]\n"
	"\n"
	"pakt keeps a signed, replicated record of what partner organisations\n"
	"say, measure and promise each other. Commands:\n"
	"\n");

static const char main_footer[] = N_(
	"\n"
	"Every command takes --data-dir DIR (default: $PAKT_HOME, else\n"
	"~/.local/share/pakt, else the system's node /var/lib/pakt) and --help.\n"
	"Exit codes: 0 ok, 1 operation or check failed, 2 usage error,\n"
	"3 paktd not running, 4 no identity (run 'pakt init').\n");

static void print_main_help(FILE *f)
{
	fputs(_(main_usage), f);
	for (const struct cli_cmd *c = commands_table; c->name; c++)
		fprintf(f, "  %-12s %s\n", c->name, _(c->summary));
	fputs(_(main_footer), f);
}

int main(int argc, char **argv)
{
	const struct cli_cmd *cmd;

	i18n_init();
	if (argc < 2) {
		print_main_help(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && cli_find(argv[2]))
			return cli_help(argv[2]);
		print_main_help(stdout);
		return CLI_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts("pakt " CTL_VERSION_STRING);
		return CLI_OK;
	}
	cmd = cli_find(argv[1]);
	if (cmd == NULL) {
		fprintf(stderr, "pakt: '%s' is not a pakt command; see 'pakt --help'\n", argv[1]);
		return CLI_USAGE;
	}
	if (keys_global_init() != 0) {
		fprintf(stderr, "pakt: libsodium failed to initialise\n");
		return CLI_FAIL;
	}
	return cmd->run(argc - 1, argv + 1);
}
