#!/bin/bash
# A hidden bad signature becomes a proof against its author on every node
# (PROTOCOL.md, "Deferred signature checks"): a dishonest member sends A,
# over a version-2 link, an entry whose signature is bad under a validly
# signed successor. A stores the batch (its chain and newest signature
# hold), finds the bad one when it checks the rest, keeps the proof and
# passes it on; B (A's peer) and C (only B's) keep it too, the author's
# feed stops everywhere, nothing from the bad seq on is shown by any
# `pakt log`, and the other feeds keep replicating.
. "$(dirname "$0")/../lib/harness.sh"
plan 13

. "$(dirname "$0")/../lib/attack.sh"

backbone "Bad signature proof" b c m
ok $? "B, C and M joined A by invite"
# the chain A-B-C: C leaves A for B
p c peer remove "$A_ADDR" >/dev/null && p c peer add "$(daemon_addr b)" >/dev/null
ok $? "C dials B instead of A"
p m post "m honest 1" >/dev/null
wait_for 80 has_text c "m honest 1"; ok $? "M's first post reaches C through B"
M=$(p m id)
stop_daemon m

proof_line() { grep -q "BAD SIGNATURE: $M" "$(node_dir "$1")/paktd.log"; }
proofs() { sqlite3 "$(node_dir "$1")/pakt.db" "SELECT count(*) FROM badsigs;"; }

attack linked m bad-signature-linked --repl 2 --seed-feed 1 --wait-ms 1500
grep -q "^sent a batch of 3" "$T_ROOT/linked.out"
ok $? "the peer sent its batch over a version-2 link (a valid entry, the bad one, its signed successor)"
wait_for 50 proof_line a; ok $? "A found the bad signature and logged the proof against M"
wait_for 80 proof_line b && wait_for 80 proof_line c
ok $? "B and C logged the proof too"
rc=0
for n in a b c; do
	[ "$(proofs "$n")" -eq 1 ] || { rc=1; diag "$n holds $(proofs "$n") proof(s)"; }
done
ok $rc "the proof is kept in the store of A, B and C"
rc=0
for n in a b c; do
	p "$n" log --json | grep -q "adv linked bad\|adv linked good" && { rc=1; diag "$n shows the bad seq or after"; }
done
ok $rc "no node's log shows the bad entry or its successor"
wait_for 50 has_text a "adv linked seed 1" && wait_for 80 has_text c "adv linked seed 1"
ok $? "the valid entry below the bad seq is shown (checked) on A and C"

# the author's feed stops: M's own daemon signs on from its real head; nobody takes it
start_daemon m && p m post "m after the proof" >/dev/null
p c post "c after the proof" >/dev/null
wait_for 80 has_text a "c after the proof"; ok $? "other feeds keep replicating (C's post reaches A)"
sleep 3
! has_text a "m after the proof" && ! has_text b "m after the proof"
ok $? "M's feed is stopped: its next post is not taken"
p a verify >"$T_ROOT/verify.a" 2>&1 && p c verify >"$T_ROOT/verify.c" 2>&1
ok $? "pakt verify passes on A and C"
finish
