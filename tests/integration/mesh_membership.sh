#!/bin/bash
# Removing a member: its connections close at once, it is refused when it
# redials, what it posts afterwards reaches nobody, and its feed up to the
# removal stays everywhere. A daemon of another initiative cannot connect.
#   links: b and c dial a (joined by invite); c also dials b.
. "$(dirname "$0")/../lib/harness.sh"
plan 21

log_lines() { wc -l <"$(node_dir "$1")/paktd.log"; }
log_since() { tail -n "+$(( $2 + 1 ))" "$(node_dir "$1")/paktd.log"; }   # log_since NAME LINES
grep_since() { log_since "$1" "$2" | grep -q -- "$3"; }                  # grep_since NAME LINES PATTERN
n_connected() { p "$1" peer list --json | json_objects | grep -c '"connected":true'; }
connected_count() { [ "$(n_connected "$1")" -eq "$2" ]; }

make_initiative a "Membership"; ok $? "backbone a started"
join_node a b "Org B" && join_node a c "Org C" && p c peer add "$(daemon_addr b)" >/dev/null
ok $? "b and c joined; c also dials b"
ready() { peer_connected a b && peer_connected a c && peer_connected b c; }
wait_for 100 ready; ok $? "a-b, a-c and b-c connected"
id_c=$(node_id c)
for i in 1 2 3; do p c post "c before removal $i" >/dev/null; done
wait_for 100 converged a b c; ok $? "c's first posts reach a and b"

la=$(log_lines a); lb=$(log_lines b)
p a member remove "$id_c" >"$T_ROOT/out" 2>&1; ok $? "admin a removes c ($(cat "$T_ROOT/out"))"
wait_for 20 grep_since a "$la" "($id_c): closed: .*no longer a member"
ok $? "a closes its connection to c at once (2 s): 'no longer a member'"
wait_for 50 grep_since b "$lb" "($id_c): closed: .*no longer a member"
ok $? "b, told by a's member entry, closes its connection to c (5 s)"
wait_for 50 grep_since a "$la" "($id_c)[^:]*: closed: .*not a member"
ok $? "c redials a and is refused: 'not a member' (5 s)"
wait_for 50 grep_since b "$lb" "($id_c)[^:]*: closed: .*not a member"
ok $? "c redials b and is refused: 'not a member' (5 s)"
wait_for 30 connected_count c 0; ok $? "c's peer list shows no connected peer"
p a members | grep "$id_c" | grep -q "(removed)"; ok $? "a's member list shows c as removed"
wait_for 50 sh -c "'$PAKT' members --data-dir '$(node_dir b)' | grep '$id_c' | grep -q '(removed)'"
ok $? "b's member list shows c as removed"

p c post "c after removal" >/dev/null
p a post "a after removal" >/dev/null
wait_for 50 has_text b "a after removal"; ok $? "a and b still replicate"
# a negative: give c's post a 2 s window to leak anywhere
wait_for 20 sh -c "'$PAKT' log --data-dir '$(node_dir a)' | grep -q 'c after removal' ||
	'$PAKT' log --data-dir '$(node_dir b)' | grep -q 'c after removal'"
[ $? -ne 0 ]; ok $? "c's post after its removal reaches neither a nor b (2 s window)"
kept() { local n i; for n in a b; do for i in 1 2 3; do has_text "$n" "c before removal $i" || return 1; done; done; }
kept && [ "$(entry_keys a | grep -c "^$id_c ")" -eq 3 ] && [ "$(entry_keys b | grep -c "^$id_c ")" -eq 3 ]
ok $? "c's feed up to its removal (3 entries) stays on a and b"
p a verify >/dev/null && p b verify >/dev/null; ok $? "pakt verify passes on a and b"

# a daemon of a different initiative dials a
make_initiative x "Another initiative"; ok $? "x creates a different initiative"
la=$(log_lines a); lx=$(log_lines x)
p x peer add "$(daemon_addr a)" >/dev/null
wait_for 50 grep_since a "$la" "closed: .*\(does not hold\|handshake\|different network\)"
ok $? "a refuses x: 'does not hold that initiative' or a failed handshake ($(log_since a "$la" | grep -o 'closed: .*' | head -1))"
wait_for 50 grep_since x "$lx" "closed:"
ok $? "x logs the connection as closed ($(log_since x "$lx" | grep -o 'closed: .*' | head -1))"
id_x=$(node_id x); id_a=$(node_id a)
! entry_keys a | grep -q "^$id_x " && ! entry_keys x | grep -q "^$id_a " && ! peer_connected x a &&
	[ "$(p x members | grep -c '^  pk_')" -eq 1 ]
ok $? "nothing was exchanged between x and a"
no_sanitizer_reports; ok $? "no sanitizer reports"
