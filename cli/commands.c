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
	{"invite", cmd_invite, "print a one-time invite code for a new partner (admins)",
	 "usage: pakt invite [--name ORG] [--expires 7d] [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "Print one line, an invite code (pi_...): the initiative, this daemon's id\n"
	 "and address, and a one-time secret. Give it to the new partner, who runs\n"
	 "'pakt join CODE'. Only admins can invite. The address is the config's\n"
	 "'address', else the listen address.\n"
	 "\n"
	 "  --name ORG      the name the new member gets in the member list\n"
	 "  --expires D     how long the code is valid: 30m, 12h, 7d (default 7d)\n"},
	{"join", cmd_join, "join an initiative with an invite code",
	 "usage: pakt join CODE [--data-dir DIR]\n"
	 "\n"
	 "Connect to the inviting daemon, prove the code's secret inside the\n"
	 "encrypted channel and become a member; this node then replicates the\n"
	 "whole initiative. A used, expired or wrong code is refused with a reason.\n"},
	{"members", cmd_members, "list the members of the initiative",
	 "usage: pakt members [--json] [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "Each member's id, name, role, who admitted it and since when, as derived\n"
	 "from the genesis entry and the admins' member entries.\n"},
	{"member", cmd_member, "remove a member (pakt member remove ID; admins)",
	 "usage: pakt member remove ID [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "Publish a member entry removing ID: its connections close at once and it\n"
	 "is refused from then on; its feed up to the removal stays.\n"},
	{"peer", cmd_peer, "add, list or remove peers to dial",
	 "usage: pakt peer add HOST:PORT [ID] [--network ID] [--data-dir DIR]\n"
	 "       pakt peer list [--json] [--data-dir DIR]\n"
	 "       pakt peer remove HOST:PORT [--data-dir DIR]\n"
	 "\n"
	 "paktd dials added peers, and again after a disconnect with jittered\n"
	 "exponential backoff (0.25 s up to 30 s). With ID, the peer must have that\n"
	 "key. 'list' shows connected or not, last seen, entries behind, bytes in/out.\n"},
	{"subscribe", cmd_subscribe, "store a member's feed again (the default)",
	 "usage: pakt subscribe ID [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "Undo 'pakt unsubscribe': replicate ID's feed again from where it stopped.\n"},
	{"unsubscribe", cmd_unsubscribe, "stop storing a member's new entries",
	 "usage: pakt unsubscribe ID [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "By default a node replicates every member. After this, ID's new entries\n"
	 "are neither stored nor relayed by this node; what is stored stays.\n"},
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
	 "usage: pakt tail [-f] [-n N] [--from ID] [--type T] [--network ID] [--json] [--data-dir DIR]\n"
	 "\n"
	 "Show the last N entries (default 10); with -f keep running and show each\n"
	 "new entry as soon as it is stored, until interrupted.\n"
	 "\n"
	 "  -f, --follow   follow new entries\n"
	 "  -n N           how many stored entries to show first (0: none)\n"
	 "  --from ID      only entries by that member (pk_...)\n"
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
