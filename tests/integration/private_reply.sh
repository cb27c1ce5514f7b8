#!/bin/bash
# Private stays private: a reply to a sealed message is sealed to the same
# recipients (the message names them inside), its author and the replier,
# unless --public is given; a member outside the conversation sees that it
# exists, never its text.
. "$(dirname "$0")/../lib/harness.sh"
plan 10

work_mesh a b:Harbour "c:City Welfare" d:Cooperative; ok $? "a creates the initiative, b, c and d join"
id_b=$(node_id b); id_d=$(node_id d)
sid=$(p a post --to "$id_b,$id_d" "the board meets friday $$" | en_id)
has_entry() { log_objects "$1" | grep -q "\"hash\":\"$2\""; }
wait_for 100 has_entry b "$sid"; ok $? "a's message sealed to b and d reaches b"

out=$(p b message reply "$sid" "private answer $$")
rid=$(echo "$out" | en_id)
[ -n "$rid" ] && echo "$out" | grep -q "(sealed to 3 recipients, this organisation included)"
ok $? "b's reply without --to is sealed to a, b and d: $out"
reads() { wait_for 100 has_entry "$1" "$2" && log_objects "$1" --type sealed | grep "\"hash\":\"$2\"" | grep -q "\"plain\":\"$3\""; }
reads a "$rid" "private answer $$"; ok $? "a, the sealed message's author, reads the reply"
reads d "$rid" "private answer $$"; ok $? "d, the other recipient, reads the reply"
wait_for 100 has_entry c "$rid" && ! p c log | grep -q "private answer" &&
	! log_objects c | grep -q "private answer" && log_objects c --type sealed | grep -q "\"hash\":\"$rid\""
ok $? "c, outside the conversation, stores the reply as sealed and cannot read it"

aid=$(p a message reply "$sid" "own thread $$" | en_id)
reads b "$aid" "own thread $$" && reads d "$aid" "own thread $$" && ! p c log | grep -q "own thread"
ok $? "the author's reply to its own sealed message reaches b and d, not c"

pid=$(p b message reply "$sid" "public answer $$" --public | en_id)
wait_for 100 has_entry c "$pid" && p c log | grep -q "public answer $$"
ok $? "with --public the reply is a plain message that c reads"
p a message reply "$sid" "x" --public --to "$id_b" >/dev/null 2>&1; [ $? -eq 2 ]
ok $? "--public with --to is a usage error"
no_sanitizer_reports; ok $? "no sanitizer reports"
