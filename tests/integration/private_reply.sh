#!/bin/bash
# Private stays private: a reply to a sealed message is sealed to the
# message's author (and the replier) unless --public is given; a third
# member sees that it exists, never its text.
. "$(dirname "$0")/../lib/harness.sh"
plan 9

work_mesh a b:Harbour "c:City Welfare"; ok $? "a creates the initiative, b and c join"
id_b=$(node_id b)
sid=$(p a post --to "$id_b" "the board meets friday $$" | en_id)
has_entry() { log_objects "$1" | grep -q "\"hash\":\"$2\""; }
wait_for 100 has_entry b "$sid"; ok $? "a's message sealed to b reaches b"

out=$(p b message reply "$sid" "private answer $$")
rid=$(echo "$out" | en_id)
[ -n "$rid" ] && echo "$out" | grep -q "(sealed to 2 recipients, this organisation included)"
ok $? "b's reply without --to is sealed (to a and b): $out"
wait_for 100 has_entry a "$rid" && log_objects a --type sealed | grep "\"hash\":\"$rid\"" |
	grep -q "\"plain\":\"private answer $$\""
ok $? "a, the sealed message's author, reads the reply"
wait_for 100 has_entry c "$rid" && ! p c log | grep -q "private answer" &&
	! log_objects c | grep -q "private answer" && log_objects c --type sealed | grep -q "\"hash\":\"$rid\""
ok $? "c, not a recipient, stores the reply as sealed and cannot read it"

pid=$(p b message reply "$sid" "public answer $$" --public | en_id)
wait_for 100 has_entry c "$pid" && p c log | grep -q "public answer $$"
ok $? "with --public the reply is a plain message that c reads"

p a message reply "$sid" "own thread $$" >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 1 ] && grep -q "do not name their recipients: reply with --to ID,... or --public" "$T_ROOT/err"
ok $? "replying to its own sealed message without --to is refused with what to do (rc $rc)"
p a message reply "$sid" "x" --public --to "$id_b" >/dev/null 2>&1; [ $? -eq 2 ]
ok $? "--public with --to is a usage error"
no_sanitizer_reports; ok $? "no sanitizer reports"
