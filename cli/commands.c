/* The command table: names, one-line summaries and --help texts. */
#include <stddef.h>
#include "cli/cli.h"
#include "cli/cmds.h"

const struct cli_cmd commands_table[] = {
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
	{"member", cmd_member, "remove a member, or revoke a stolen key (admins)",
	 "usage: pakt member remove ID [--network ID] [--data-dir DIR]\n"
	 "       pakt member revoke-key ID --after SEQ [--reason TEXT] [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "remove: publish a member entry removing ID: its connections close at once\n"
	 "and it is refused from then on; its feed up to the removal stays.\n"
	 "\n"
	 "revoke-key: for a key that was stolen. Publish a revoke entry: ID's entries\n"
	 "after seq SEQ (the last one you still trust; see 'pakt log --from ID') are\n"
	 "marked untrusted in every partner's audit and count for nothing, ID is no\n"
	 "longer a member, and a successor it named after SEQ ('pakt key rotate' by\n"
	 "the thief) is revoked with it. The member can be admitted again under a\n"
	 "new key with 'pakt invite'.\n"},
	{"key", cmd_key, "rotate this organisation's identity key",
	 "usage: pakt key rotate [--passphrase-file FILE] [--data-dir DIR]\n"
	 "\n"
	 "Make a new identity key and hand this organisation's place in every\n"
	 "initiative to it: a succession entry, signed by the old key and by the\n"
	 "new one, tells partners that the new key is the same member (name, role,\n"
	 "commitments). Entries signed by the old key still verify. The old secret\n"
	 "is wiped; identity.key is replaced (crash-safe). The daemon must run.\n"
	 "Sealed messages addressed to the old key can no longer be opened.\n"
	 "\n"
	 "  --passphrase-file FILE  encrypt the new key with the first line of FILE;\n"
	 "                          an encrypted identity always asks for one\n"},
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
	 "usage: pakt post [TEXT | -] [--to ID[,ID...]]... [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "Sign and store a message entry. Without TEXT, or with '-', the text is\n"
	 "read from standard input. Prints the entry's seq and id once the entry is\n"
	 "durably stored.\n"
	 "\n"
	 "  --to ID[,ID...]  seal the message: only these members (pk_...) and this\n"
	 "                   organisation can read it; others see only that it exists\n"
	 "  --network ID     the initiative (default: the config's, or the only one)\n"},
	{"log", cmd_log, "list stored entries, oldest first",
	 "usage: pakt log [--limit N] [--type T] [--network ID] [--ids] [--json] [--data-dir DIR]\n"
	 "\n"
	 "List stored entries in the order they were stored.\n"
	 "\n"
	 "  --limit N      only the last N entries\n"
	 "  --type T       only entries of type T (message, genesis, ...)\n"
	 "  --network ID   only entries of one initiative\n"
	 "  --ids          show authors' ids (pk_...) instead of their names\n"
	 "  --json         a JSON array of entry objects\n"},
	{"tail", cmd_tail, "show the latest entries; -f follows new ones live",
	 "usage: pakt tail [-f] [-n N] [--from ID] [--type T] [--network ID] [--ids] [--json] [--data-dir DIR]\n"
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
	{"doctor", cmd_doctor, "check this node's set-up and say what to fix",
	 "usage: pakt doctor [--json] [--data-dir DIR]\n"
	 "\n"
	 "Check the data directory, key file, config and control socket (their\n"
	 "modes and owners), whether paktd runs, every stored entry (as 'pakt\n"
	 "verify'), that paktd answers where it listens, each peer (connected, or\n"
	 "when last seen), the clock against partners' recent entries, this\n"
	 "organisation's feed against partners' checkpoints (a node restored from\n"
	 "an older copy, a fork), membership, and free disk space. Each finding\n"
	 "is one line: ok, WARN or ERROR, the check, and what to do.\n"
	 "Exit code 1 if any finding is an error.\n"
	 "\n"
	 "  --json   {\"ok\", \"errors\", \"warnings\", \"datadir\", \"findings\": [{\"check\",\n"
	 "           \"level\": ok|warn|error, \"message\"}]}\n"},
	{"backup", cmd_backup, "write the identity, config and store into one file",
	 "usage: pakt backup FILE [--data-dir DIR]\n"
	 "\n"
	 "Write FILE (mode 0600, never over an existing file): the identity key as\n"
	 "it is (an encrypted key stays encrypted), the config, and a consistent\n"
	 "copy of the store taken while paktd runs. Only paktd's own user and\n"
	 "root may make one (it holds the key): sudo -u pakt pakt backup FILE.\n"
	 "Keep it as safe as the key.\n"},
	{"restore", cmd_restore, "recreate a data directory from a backup",
	 "usage: pakt restore FILE [--data-dir DIR] [--force-unsynced]\n"
	 "\n"
	 "Recreate the node of a 'pakt backup' FILE in DIR, on a new server or the\n"
	 "same one. Refuses a directory that already holds a node. Partners may\n"
	 "hold newer entries of this organisation's feed than the backup: the\n"
	 "restored paktd signs nothing until a partner has told it the feed's head\n"
	 "and it has fetched what it missed, so it cannot fork its own feed; 'pakt\n"
	 "status' shows while it waits.\n"
	 "\n"
	 "  --force-unsynced  sign at once (no partner reachable): if partners hold\n"
	 "                    newer entries, the next entry forks the feed and\n"
	 "                    partners stop accepting it\n"},
	{"verify", cmd_verify, "re-check every stored chain and signature",
	 "usage: pakt verify [--json] [--data-dir DIR]\n"
	 "       pakt verify FILE [--dump DIR] [--json]\n"
	 "\n"
	 "Without FILE: ask paktd to re-check every stored entry: encoding, body\n"
	 "hash, signature and chain links. Prints each bad entry with its feed,\n"
	 "seq and reason; exit code 1 if anything is wrong.\n"
	 "\n"
	 "With FILE: check an audit bundle written by 'pakt export' offline, with\n"
	 "no daemon and no data directory; '-' reads standard input. --dump DIR\n"
	 "writes each entry's signed header, signature and key as files that any\n"
	 "Ed25519 tool can check ('pakt verify FILE --help' says how).\n"},
	{"agenda", cmd_agenda, "show or set the shared agenda: goal and indicators",
	 "usage: pakt agenda set --goal TEXT --indicator ID:NAME:UNIT[:TARGET[:up|down]]...\n"
	 "                       [--network ID] [--data-dir DIR]\n"
	 "       pakt agenda [--json] [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "Without a subcommand, show the current agenda: the goal, each indicator\n"
	 "(id, name, unit, target, direction), who set it and when.\n"
	 "\n"
	 "'set' publishes a new agenda entry, which replaces the earlier one.\n"
	 "\n"
	 "  --goal TEXT        the common agenda as text (required; may be \"\")\n"
	 "  --indicator SPEC   one indicator, repeatable (1 to 32):\n"
	 "                     ID      1 to 32 of a-z, 0-9, _ and -; updates refer to it\n"
	 "                     NAME    its name for people (no ':')\n"
	 "                     UNIT    e.g. beds, %, people (may be empty)\n"
	 "                     TARGET  the value aimed at, a number (optional)\n"
	 "                     up|down up: higher is better (default); down: lower\n"
	 "                     e.g. --indicator beds:Shelter beds:beds:120\n"
	 "                          --indicator rough:Rough sleepers:people:50:down\n"
	 "  --json             print the agenda as JSON\n"},
	{"update", cmd_update, "report progress: text and indicator values for a period",
	 "usage: pakt update [TEXT | -] [--value INDICATOR=NUMBER]... [--period PERIOD]\n"
	 "                   [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "Publish an update entry: a progress report and measured values. Without\n"
	 "TEXT, or with '-', the text is read from standard input (it may be empty\n"
	 "when values are given). paktd refuses indicators not in the agenda.\n"
	 "\n"
	 "  --value I=N      the value N (a number) of indicator I, repeatable\n"
	 "  --period PERIOD  the time the values describe: 2026, 2026-Q4, 2026-11,\n"
	 "                   2026-11-15 or 2026-10-01..2026-12-31 (default: this month)\n"},
	{"metrics", cmd_metrics, "indicator totals per organisation or period, progress to target",
	 "usage: pakt metrics [INDICATOR] [--by org|period] [--json | --csv] [--chart FILE.svg]\n"
	 "                    [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "Add up the values reported in updates: per indicator its total, its\n"
	 "target and the progress towards it, and a bar per organisation (or per\n"
	 "period with --by period). Values of one organisation for the same\n"
	 "indicator and period add up. Progress: for an indicator whose direction\n"
	 "is up, total / target; for down, whether the total stays at or below the\n"
	 "target. A bar's percentage is of the target (direction up), else of the\n"
	 "total.\n"
	 "\n"
	 "  INDICATOR        only this indicator\n"
	 "  --by org|period  one bar per organisation (default) or per period\n"
	 "  --json           a JSON document: totals, progress, per-org and\n"
	 "                   per-period totals, every value\n"
	 "  --csv            CSV: indicator,org,period,value\n"
	 "  --chart FILE     also write an SVG chart: per indicator one line per\n"
	 "                   organisation of its cumulative value over the periods'\n"
	 "                   first days, and the target as a dashed line\n"},
	{"commit", cmd_commit, "publish a commitment by one or more organisations",
	 "usage: pakt commit TITLE --party ID... --due YYYY-MM-DD [--indicator ID --target N]\n"
	 "                   [--description TEXT] [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "Publish a commitment entry and print its id (en_...). Each party answers\n"
	 "with 'pakt accept' or 'pakt decline'; progress is reported with 'pakt\n"
	 "progress'.\n"
	 "\n"
	 "  --party ID          an organisation committing (pk_...), repeatable or\n"
	 "                      comma-separated, 1 to 16\n"
	 "  --due DATE          when it is due, YYYY-MM-DD (required)\n"
	 "  --indicator ID      the agenda indicator it moves\n"
	 "  --target N          the value of that indicator promised\n"
	 "  --description TEXT  details\n"},
	{"accept", cmd_accept, "accept a commitment you are a party to",
	 "usage: pakt accept COMMITMENT [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "Publish this organisation's acceptance of COMMITMENT (en_...). A commitment\n"
	 "accepted by every party is countersigned.\n"},
	{"decline", cmd_decline, "decline a commitment you are a party to",
	 "usage: pakt decline COMMITMENT [--reason TEXT] [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "Publish this organisation's refusal of COMMITMENT (en_...).\n"
	 "\n"
	 "  --reason TEXT  why (1 to 1024 bytes)\n"},
	{"progress", cmd_progress, "report the state of a commitment",
	 "usage: pakt progress COMMITMENT in-progress|fulfilled|missed|withdrawn\n"
	 "                     [--note TEXT] [--evidence ENTRY] [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "Publish a status entry for COMMITMENT (en_...).\n"
	 "\n"
	 "  --note TEXT       an explanation\n"
	 "  --evidence ENTRY  the entry that shows it (en_..., e.g. an update)\n"},
	{"commitments", cmd_commitments, "list commitments: parties, answers, status, outcome",
	 "usage: pakt commitments [--mine | --open | --overdue] [--party ID] [--json]\n"
	 "                        [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "Each commitment: title, id, author, due date, outcome (open, overdue,\n"
	 "kept, late, missed, withdrawn), each party with its answer and when,\n"
	 "the latest status and when.\n"
	 "\n"
	 "  --mine      only commitments this organisation made or is a party to\n"
	 "  --open      only those not yet fulfilled, missed or withdrawn\n"
	 "  --overdue   only open ones past their due date\n"
	 "  --party ID  only those with ID (pk_...) as a party\n"
	 "  --json      a JSON array\n"},
	{"audit", cmd_audit, "check every chain and show the record of every commitment",
	 "usage: pakt audit [ID] [--json] [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "Re-check every stored chain and signature, list forks (two entries with\n"
	 "the same author and seq, with both hashes), and show each commitment:\n"
	 "countersigned or not, status history, outcome, which organisations\n"
	 "received it and when, whether it was confirmed on time; then a record\n"
	 "per organisation (made, accepted, kept, late, missed, open), anomalies\n"
	 "(entries by non-members, answers by non-parties, ...) and redactions.\n"
	 "\n"
	 "  ID      only this organisation (pk_...)\n"
	 "  --json  the whole audit as JSON\n"
	 "\n"
	 "Exit code 1 if a chain is broken or a feed forked.\n"},
	{"export", cmd_export, "write a bundle that proves a commitment or a feed range",
	 "usage: pakt export COMMITMENT -o FILE [--network ID] [--data-dir DIR]\n"
	 "       pakt export --feed ID [--from SEQ] [--to SEQ] -o FILE [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "Write a bundle: the signed entries that prove one commitment's history\n"
	 "(COMMITMENT, en_...) or a range of one organisation's feed (--feed\n"
	 "pk_..., seqs FROM to TO, both included; default the whole feed). 'pakt\n"
	 "verify' checks it offline. FILE is replaced atomically if it exists.\n"
	 "\n"
	 "  -o, --output FILE  where to write the bundle (required)\n"},
	{"redact", cmd_redact, "ask every node to drop the body of one of your entries",
	 "usage: pakt redact ENTRY --reason TEXT [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "Publish a redaction of ENTRY (en_..., an entry of this organisation):\n"
	 "every node drops its body and keeps its signed header, so the chain still\n"
	 "verifies. The redaction itself stays visible in 'pakt audit'.\n"
	 "\n"
	 "  --reason TEXT  why (required, at most 1024 bytes; may be \"\")\n"},
	{"profile", cmd_profile, "publish how this organisation presents itself",
	 "usage: pakt profile set --name NAME --sector ngo|public|business|other\n"
	 "                        [--contact TEXT] [--address HOST:PORT]... [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "Publish a profile entry, replacing the earlier one.\n"
	 "\n"
	 "  --name NAME        the organisation's name (1 to 128 bytes)\n"
	 "  --sector S         ngo, public, business or other\n"
	 "  --contact TEXT     how people reach it\n"
	 "  --address H:P      where its daemon accepts peers, repeatable (at most 4)\n"},
	{"message", cmd_message, "reply to a message (pakt message reply ENTRY TEXT)",
	 "usage: pakt message reply ENTRY [TEXT | -] [--to ID[,ID...]] [--network ID] [--data-dir DIR]\n"
	 "\n"
	 "Post a message that answers ENTRY (en_...): its reply_to is ENTRY's hash.\n"
	 "Without TEXT, or with '-', the text is read from standard input.\n"
	 "\n"
	 "  --to ID[,ID...]  seal the reply to these members (see 'pakt post')\n"},
	{"checkpoint", cmd_checkpoint, "publish the heads this node holds now (a signed receipt)",
	 "usage: pakt checkpoint [--data-dir DIR]\n"
	 "\n"
	 "paktd publishes a checkpoint entry every 'checkpoint_interval' seconds\n"
	 "(default 300) when something changed: the latest seq and hash of every\n"
	 "feed it holds. Partners' checkpoints are delivery receipts and bound the\n"
	 "time an entry existed. This publishes one now; exit 1 if nothing changed.\n"},
	{NULL, NULL, NULL, NULL},
};
