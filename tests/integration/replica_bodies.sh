#!/bin/bash
# Rule 1 (proto/PROTOCOL.md, "What a node accepts"): a member M (through
# tests/lib/peer) relays the admin's removal of C to H without its body.
# H does not take it (nor any later entry of that feed from the batch),
# counts and logs the refusal and keeps the session; when the full copy
# comes from A, H takes it and C stops being a member there too. Before
# the rule H stored the bodiless copy, skipped the full one as a
# duplicate, and kept C as a member for ever.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/attack.sh"
plan 9

backbone "Rule 1" h m c; setup_ok=$?
p c post "c before" >/dev/null || setup_ok=1
wait_for 50 has_text h "c before" || setup_ok=1
ok $setup_ok "H, M and C joined; C's post reached H"
A=$(p a id); C=$(p c id); H_ADDR=$(daemon_addr h)
stop_daemon m    # from now on M's key speaks only through the peer

# only M reaches H while A removes C
h_alone() { ! p h peer list --json | grep -q '"connected":true'; }
p h peer remove "$A_ADDR" >/dev/null && wait_for 50 h_alone
ok $? "H no longer talks to A"
a_on_h=$(n_by h "$A")
p a member remove "$C" >/dev/null; ok $? "A removes C"

TARGET_ADDR=$H_ADDR attack strip m relay-stripped --source "$A_ADDR" --victim "$A"
grep -q "^sent [0-9]* entries of the victim without their bodies" "$T_ROOT/strip.out" &&
	grep -q "^still open" "$T_ROOT/strip.out"
ok $? "relay-stripped: M relays A's removal of C to H without its body; the session stays"
if [ $? -ne 0 ]; then sed 's/^/#   /' "$T_ROOT/strip.out"; fi

[ "$(n_by h "$A")" -eq "$a_on_h" ] &&
	wait_for 20 grep -q "refused [0-9]* entries .* [1-9][0-9]* record entries without body" "$(node_dir h)/paktd.log"
ok $? "H stores none of it and logs the refusal"

! p h members | grep "$C" | grep -q "(removed)"
ok $? "C is still a member on H (H has not seen the removal yet)"

p h peer add "$A_ADDR" >/dev/null
wait_for 100 sh -c "'$PAKT' members --data-dir '$(node_dir h)' | grep '$C' | grep -q '(removed)'"
ok $? "the full copy from A is taken: C is removed on H too"

p a post "a after the strip" >/dev/null && wait_for 50 has_text h "a after the strip" &&
	p h verify >/dev/null 2>&1 && no_sanitizer_reports
ok $? "H keeps replicating with A, its store verifies, no sanitizer reports"
