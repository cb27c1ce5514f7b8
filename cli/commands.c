/* The command table: names, one-line summaries and --help texts. */
#include <stddef.h>
#include "cli/cli.h"
#include "cli/cmds.h"

const struct cli_cmd cli_cmds[] = {
	{"init", cmd_init, "create this organisation's identity and data directory",
	 "usage: pakt init [--name NAME] [--data-dir DIR] [--encrypt] [--passphrase-file FILE]\n"
	 "\n"
	 "Create the data directory (mode 0700), a new Ed25519 identity key\n"
	 "(identity.key, mode 0600) and a config file. Refuses to overwrite an\n"
	 "existing identity.\n"
	 "\n"
	 "  --name NAME             the organisation's name (written to the config)\n"
	 "  --encrypt               encrypt the secret key with a passphrase (asked on\n"
	 "                          the terminal, or $PAKT_PASSPHRASE_FILE / $PAKT_PASSPHRASE)\n"
	 "  --passphrase-file FILE  encrypt with the first line of FILE (mode 0600)\n"
	 "  --data-dir DIR          where to create it (default: $PAKT_HOME, else\n"
	 "                          ~/.local/share/pakt)\n"},
	{"id", cmd_id, "print this organisation's id",
	 "usage: pakt id [--data-dir DIR]\n"
	 "\n"
	 "Print the public id (pk_...) of the identity in the data directory.\n"
	 "Works without a running daemon.\n"},
	{"initiative", cmd_initiative, "create an initiative (pakt initiative create NAME)",
	 "usage: pakt initiative create NAME [--goal TEXT] [--data-dir DIR]\n"
	 "\n"
	 "Create an initiative with this organisation as its first admin: writes\n"
	 "the genesis entry and prints the initiative id (nw_...). The first\n"
	 "initiative becomes the default for post, log and tail.\n"},
	{"post", cmd_post, "post a message to the initiative",
	 "usage: pakt post [TEXT | -] [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "Sign and store a message entry. Without TEXT, or with '-', the text is\n"
	 "read from standard input. Prints the entry's seq and id once the entry is\n"
	 "durably stored.\n"
	 "\n"
	 "  --network ID   the initiative (default: the config's, or the only one)\n"},
	{"log", cmd_log, "list stored entries, oldest first",
	 "usage: pakt log [--limit N] [--type T] [--network ID] [--json] [--data-dir DIR]\n"
	 "\n"
	 "List stored entries in the order they were stored.\n"
	 "\n"
	 "  --limit N      only the last N entries\n"
	 "  --type T       only entries of type T (message, genesis, ...)\n"
	 "  --network ID   only entries of one initiative\n"
	 "  --json         a JSON array of entry objects\n"},
	{"tail", cmd_tail, "show the latest entries; -f follows new ones live",
	 "usage: pakt tail [-f] [-n N] [--type T] [--network ID] [--json] [--data-dir DIR]\n"
	 "\n"
	 "Show the last N entries (default 10); with -f keep running and show each\n"
	 "new entry as soon as it is stored, until interrupted.\n"
	 "\n"
	 "  -f, --follow   follow new entries\n"
	 "  -n N           how many stored entries to show first (0: none)\n"
	 "  --type T       only entries of type T\n"
	 "  --json         one JSON object per line\n"},
	{"status", cmd_status, "show whether paktd runs, the identity and entry counts",
	 "usage: pakt status [--json] [--data-dir DIR]\n"
	 "\n"
	 "Ask the daemon for its identity, data directory, uptime and counts.\n"
	 "Exit code 3 if paktd is not running.\n"},
	{"verify", cmd_verify, "re-check every stored chain and signature",
	 "usage: pakt verify [--json] [--data-dir DIR]\n"
	 "\n"
	 "Re-check every stored entry: encoding, body hash, signature and chain\n"
	 "links. Prints each bad entry with its feed, seq and reason; exit code 1\n"
	 "if anything is wrong.\n"},
	{NULL, NULL, NULL, NULL},
};
