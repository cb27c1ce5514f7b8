#!/bin/bash
# Rule 1 (proto/PROTOCOL.md, "What a node accepts"): a member M (through
# tests/lib/peer) relays to H the admin's new entries without their
# bodies: a message (content may travel bodiless) and the removal of C (a
# membership change may not). H stores the message bodiless, refuses the
# removal (counted, logged, the session stays) and keeps C as a member.
# When M then sends the full copies, H fills in the message's body and
# takes the removal. Before the rule H stored the bodiless removal,
# skipped every full copy as a duplicate, and kept C as a member for ever.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/attack.sh"
plan 11

backbone "Rule 1" h m c; setup_ok=$?
p c post "c before" >/dev/null || setup_ok=1
wait_for 50 has_text h "c before" || setup_ok=1
ok $setup_ok "H, M and C joined; C's post reached H"
A=$(p a id); C=$(p c id); H_ADDR=$(daemon_addr h)
stop_daemon m    # from now on M's key speaks only through the peer

# only M reaches H while A posts and removes C
h_alone() { ! p h peer list --json | grep -q '"connected":true'; }
p h peer remove "$A_ADDR" >/dev/null && wait_for 50 h_alone
ok $? "H no longer talks to A"
a_on_h=$(n_by h "$A")
p a post "a message relayed bare" >/dev/null && p a member remove "$C" >/dev/null
ok $? "A posts a message, then removes C"

TARGET_ADDR=$H_ADDR attack strip m relay-stripped --source "$A_ADDR" --victim "$A"
grep -q "^sent 2 entries of the victim without their bodies" "$T_ROOT/strip.out" &&
	grep -q "^still open" "$T_ROOT/strip.out"
ok $? "relay-stripped: M relays A's message and removal of C to H without bodies; the session stays"
[ $? -eq 0 ] || sed 's/^/#   /' "$T_ROOT/strip.out"

[ "$(n_by h "$A")" -eq $((a_on_h + 1)) ] && lacks_text h "a message relayed bare" &&
	wait_for 20 grep -q "refused [0-9]* entries .* [1-9][0-9]* record entries without body" "$(node_dir h)/paktd.log"
ok $? "H stores the message without body, refuses the removal and logs the refusal"

! p h members | grep "$C" | grep -q "(removed)"
ok $? "C is still a member on H (H has no valid removal yet)"

TARGET_ADDR=$H_ADDR attack full m relay-stripped --source "$A_ADDR" --victim "$A" --then-full
grep -q "^then sent all [0-9]* entries of the victim with their bodies" "$T_ROOT/full.out" &&
	grep -q "^still open" "$T_ROOT/full.out"
ok $? "relay-stripped --then-full: M sends the full copies; the session stays"
[ $? -eq 0 ] || sed 's/^/#   /' "$T_ROOT/full.out"

wait_for 50 has_text h "a message relayed bare"
ok $? "H fills in the body of the message it held without"
wait_for 50 sh -c "'$PAKT' members --data-dir '$(node_dir h)' | grep '$C' | grep -q '(removed)'"
ok $? "H takes the full removal: C is removed on H too"

p h peer add "$A_ADDR" >/dev/null && p a post "a after the strip" >/dev/null &&
	wait_for 100 has_text h "a after the strip" && p h verify >/dev/null 2>&1 && no_sanitizer_reports
ok $? "H keeps replicating with A, its store verifies, no sanitizer reports"
