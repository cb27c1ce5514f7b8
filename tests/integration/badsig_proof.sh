#!/bin/bash
# A hidden bad signature becomes a proof against its author on every node
# (PROTOCOL.md, "Deferred signature checks"): a dishonest member sends A,
# over a version-2 link, an entry whose signature is bad under a validly
# signed successor. A stores the batch (its chain and newest signature
# hold), finds the bad one when it checks the rest, keeps the proof and
# passes it on; B (A's peer) and C (only B's) keep it too, the author's
# feed stops everywhere, nothing from the bad seq on is shown by any
# `pakt log`, `pakt audit` on every node lists the proof (and fails), and
# the other feeds keep replicating.
. "$(dirname "$0")/../lib/harness.sh"
plan 17

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

# the audit lists it beside forks: M, the bad seq, the bad entry and its successor
SEQ=$(sed -n 's/^sent a batch of 3: seq \([0-9]*\) with a corrupted signature.*/\1/p' "$T_ROOT/linked.out")
badsigs() { sed -E 's/.*"badsigs":\[([^]]*)\].*/\1/' "$T_ROOT/audit.$1" | json_objects; }
rc=0
for n in a b c; do
	p "$n" audit --json >"$T_ROOT/audit.$n"; arc=$?
	[ "$arc" -eq 1 ] && grep -q '"ok":false' "$T_ROOT/audit.$n" && [ "$(badsigs "$n" | wc -l)" -eq 1 ] &&
		badsigs "$n" | grep -q "\"author\":\"$M\"" && badsigs "$n" | grep -q "\"seq\":$SEQ}" &&
		[ "$(badsigs "$n" | grep -o '"[ab]":"en_[a-z2-7]*"' | sort -u | wc -l)" -eq 2 ] &&
		[ "$(badsigs "$n")" = "$(badsigs a)" ] || { rc=1; diag "$n: exit $arc, badsigs: $(badsigs "$n")"; }
done
ok $rc "pakt audit --json on A, B and C lists one proof against M at seq $SEQ with both entries, ok false, exit 1"
EA=$(badsigs a | sed -n 's/.*"a":"\(en_[a-z2-7]*\)".*/\1/p')
EB=$(badsigs a | sed -n 's/.*"b":"\(en_[a-z2-7]*\)".*/\1/p')
p c audit >"$T_ROOT/audit.txt"; rc=$?
[ $rc -eq 1 ] && grep -q '^bad signatures:$' "$T_ROOT/audit.txt" &&
	grep -A2 "^  BAD SIGNATURE .*${M:0:7}.* #$SEQ: its signature fails under a validly signed successor\$" "$T_ROOT/audit.txt" |
	tr -d ' ' | grep -qx "$EA" && grep -A2 '^  BAD SIGNATURE' "$T_ROOT/audit.txt" | tr -d ' ' | grep -qx "$EB" &&
	grep -q '^result: FAILED' "$T_ROOT/audit.txt"
ok $? "pakt audit (text) on C: a 'bad signatures' section naming M, seq $SEQ and both entries; FAILED"
p a audit "$M" --json | grep -q "\"badsigs\":\[{\"a\":\"$EA\"" && p a audit "$(p c id)" --json | grep -q '"badsigs":\[\]'
ok $? "pakt audit ID: the proof under M's id, none under C's"
p a report -o "$T_ROOT/report.html" >/dev/null &&
	grep -q '[0-9]* forks\?; 1 bad-signature proof; [0-9]* anomal' "$T_ROOT/report.html" &&
	grep -q 'a broken chain, a fork or a bad signature; see Verification' "$T_ROOT/report.html"
ok $? "the report's audit line counts the proof and its header warns"
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
