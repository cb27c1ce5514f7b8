#!/bin/bash
# Private messages: a message sealed to one partner replicates to every
# member, but only the recipient and the author can read it; another
# member's store never holds its text. Replies thread by reply_to.
. "$(dirname "$0")/../lib/harness.sh"
plan 18

work_mesh a b:Harbour "c:City Welfare"; ok $? "a creates the initiative, b and c join"
id_a=$(node_id a); id_b=$(node_id b)
secret="secret text $$-$RANDOM"
sid=$(p a post --to "$id_b" "$secret" | en_id)
[ -n "$sid" ]; ok $? "a posts a message sealed to b"
pub=$(p a post "public control text $$" | en_id)
has_entry() { log_objects "$1" | grep -q "\"hash\":\"$2\""; }
wait_for 100 has_entry b "$pub" && wait_for 100 has_entry c "$pub" && wait_for 100 has_entry c "$sid"
ok $? "the sealed entry and a public one reach b and c"

p b log >"$T_ROOT/log.b"
grep " sealed .*(private) $secret\$" "$T_ROOT/log.b" | grep -q " a #"
ok $? "b (the recipient) reads the text, marked private"
log_objects b --type sealed | grep "\"hash\":\"$sid\"" | grep -q "\"plain\":\"$secret\""
ok $? "b's log --json gives the plain text"
p a log | grep -q "(private) $secret\$"; ok $? "a (the author) reads its own sealed message"
p c log >"$T_ROOT/log.c"; log_objects c >"$T_ROOT/json.c"
! grep -q "$secret" "$T_ROOT/log.c" && ! grep -q "$secret" "$T_ROOT/json.c" &&
	grep -q " sealed .*(private message for other members)" "$T_ROOT/log.c"
ok $? "c (not a recipient) sees that a private message exists, not its text"
! grep "\"hash\":\"$sid\"" "$T_ROOT/json.c" | grep -q '"plain"'; ok $? "c's log --json has no plain text for it"

# threads: a reply's reply_to is the hash of the entry it answers
rid=$(p b message reply "$pub" "a reply from b" | en_id)
[ -n "$rid" ]; ok $? "b replies to a's message"
wait_for 100 has_entry a "$rid" && log_objects a --type message | grep "\"hash\":\"$rid\"" |
	grep -q "\"body\":{\"reply_to\":\"$pub\",\"text\":\"a reply from b\"}"
ok $? "on a, the reply's body has reply_to = the answered entry's hash"
srid=$(p b message reply "$sid" "sealed answer $$" --to "$id_a" | en_id)
wait_for 100 has_entry a "$srid" && log_objects a --type sealed | grep "\"hash\":\"$srid\"" |
	grep -q "\"plain\":\"sealed answer $$\""
ok $? "a sealed reply to a reads back on a"
wait_for 100 has_entry c "$srid" && ! p c log | grep -q "sealed answer"
ok $? "c stores the sealed reply but cannot read it"

wait_quiet 150 a b c; ok $? "all nodes store the same entries (checkpoints aside)"
[ "$(quiet_count a sealed)" -eq 2 ] && [ "$(quiet_count c sealed)" -eq 2 ] && [ "$(quiet_count b sealed)" -eq 2 ]
ok $? "every node, reader or not, stores both sealed entries"

stop_daemon c; ok $? "c stops cleanly"
files=$(ls "$(node_dir c)"/pakt.db*)
n=0; for f in $files; do n=$((n + $(grep -c -a -F "public control text $$" "$f"))); done
[ "$n" -gt 0 ]; ok $? "control: the public message's text is found in c's store files ($n)"
n=0; for f in $files; do n=$((n + $(grep -c -a -F -e "$secret" -e "sealed answer $$" "$f"))); done
[ "$n" -eq 0 ]; ok $? "c's store files (pakt.db, -wal) do not contain the sealed texts"
no_sanitizer_reports; ok $? "no sanitizer reports"
