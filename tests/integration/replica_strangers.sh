#!/bin/bash
# Rule 3 (proto/PROTOCOL.md, "What a node accepts"): a member M (through
# tests/lib/peer) sends A hundreds of one-entry feeds under fresh keys
# that never were members. A stores none of them, keeps the session,
# counts them and logs one line (at most one a minute), and its clock does
# not grow; the honest partner H keeps replicating. Before the rule A
# stored every such feed, and about 1,820 of them made every later clock
# too large for a frame.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/attack.sh"
plan 7

backbone "Rule 3" h m; setup_ok=$?
p m post "m before" >/dev/null && wait_for 50 has_text a "m before" || setup_ok=1
ok $setup_ok "H and M joined; M's post reached A"
stop_daemon m    # from now on M's key speaks only through the peer
feeds() { p a status --json | grep -o '"feeds":[0-9]*' | cut -d: -f2; }
feeds_before=$(feeds); entries_before=$(entry_count a)

attack strangers m stranger-feeds --count 600
grep -q "^sent 600 entries, each the first of a feed under a fresh key" "$T_ROOT/strangers.out" &&
	grep -q "^still open" "$T_ROOT/strangers.out"
ok $? "stranger-feeds: M sends 600 feeds of non-members; the session stays"
if [ $? -ne 0 ]; then sed 's/^/#   /' "$T_ROOT/strangers.out"; fi

[ "$(feeds)" -eq "$feeds_before" ] && [ "$(entry_count a)" -eq "$entries_before" ]
ok $? "A stores none of them: still $feeds_before feeds, $entries_before entries"

n=$(grep -c "refused [0-9]* entries .* [1-9][0-9]* of keys never members" "$(node_dir a)/paktd.log")
[ "$n" -eq 1 ]; ok $? "A logs the refusal once ($n lines for 600 entries)"

still_replicates "the strangers"
no_sanitizer_reports; ok $? "no sanitizer reports"
