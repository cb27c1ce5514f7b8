#!/bin/bash
# A misbehaving member (tests/lib/peer) attacks the backbone A while an
# honest partner H keeps replicating with it: each attack is refused with a
# logged reason, nothing of a bad batch is stored, a fork is kept as proof
# and stops that feed, and A never crashes.
. "$(dirname "$0")/../lib/harness.sh"
plan 52

. "$(dirname "$0")/../lib/attack.sh"

# ---- setup: A (backbone), H (honest), M and M2 (members whose keys misbehave) ----

t_start=$(date +%s)
init_node a && start_daemon a && p a initiative create "Adversary test" >/dev/null
ok $? "backbone A started and created the initiative"
NW=$(p a status | awk '$1 == "initiative" {print $2}')
A_ADDR=$(daemon_addr a)

setup_ok=0
for n in h m m2 m3; do
	init_node "$n" && start_daemon "$n" || setup_ok=1
	code=$(p a invite --name "$n") && p "$n" join "$code" >/dev/null || setup_ok=1
done
p m post "m honest 1" >/dev/null && p m2 post "m2 honest 1" >/dev/null || setup_ok=1
wait_for 50 has_text a "m honest 1" && wait_for 50 has_text a "m2 honest 1" || setup_ok=1
ok $setup_ok "H, M, M2 and M3 joined by invite; M's and M2's first posts reached A"
M=$(p m id); M2=$(p m2 id); M3=$(p m3 id)
stop_daemon m; stop_daemon m2; stop_daemon m3
still_replicates "setup"
m_count=$(n_by a "$M")
diag "network $NW, A at $A_ADDR, M=$M has $m_count entries on A"

# ---- control: the peer speaks the protocol correctly ----

attack honest m honest
grep -q "^clock: own feed at seq $m_count " "$T_ROOT/honest.out" && grep -q "^still open" "$T_ROOT/honest.out" &&
	wait_for 20 has_text a "adv honest"
ok $? "control: an honest entry sent by the peer program as M is stored on A"
[ "$(n_by a "$M")" -eq $((m_count + 1)) ]; ok $? "control: M's feed on A grew by exactly one"
m_count=$(n_by a "$M")
wait_for 50 has_text h "adv honest"; ok $? "control: A relays M's entry to H"

# ---- before the handshake ----

attack wrongnet m wrong-network
expect_closed wrongnet "asks for initiative nw_[a-z0-9]+, which this node does not hold" \
	"wrong-network: A closes a preamble for a network it does not hold"

# silent and slow-handshake both take the 5 s handshake deadline: run together
attack silent m silent &
silent_pid=$!
attack slow m slow-handshake
slow_rc=$PEER_RC; slow_port=$PORT
wait $silent_pid
PEER_RC=0
PORT=$(sed -n 's/^local 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T_ROOT/silent.out")
expect_closed silent "handshake not finished within [0-9]+ ms" \
	"silent: A drops a connection that sends nothing at its handshake deadline"
ms=$(sed -n 's/^closed by peer after \([0-9]*\) ms.*/\1/p' "$T_ROOT/silent.out")
[ -n "$ms" ] && [ "$ms" -ge 4000 ] && [ "$ms" -le 6500 ]
ok $? "silent: dropped after ${ms:-?} ms (deadline 5000)"
PEER_RC=$slow_rc; PORT=$slow_port
expect_closed slow "handshake not finished within [0-9]+ ms" \
	"slow-handshake: A drops a one-byte-every-500-ms handshake at its deadline"
ms=$(sed -n 's/^closed by peer after \([0-9]*\) ms.*/\1/p' "$T_ROOT/slow.out")
[ -n "$ms" ] && [ "$ms" -le 6500 ]
ok $? "slow-handshake: dropped after ${ms:-?} ms (deadline 5000)"
still_replicates "the handshake attacks"

# ---- after the handshake: broken frames ----

attack garbage m garbage
expect_closed garbage "(decryption failed|empty frame|frame shorter than its tag)" \
	"garbage: A closes a member that sends random bytes, with the reason logged"
still_replicates "garbage"

attack oversize m oversize-frame
expect_closed oversize "decryption failed" \
	"oversize-frame: a 65535-byte frame of garbage is refused (decryption failed)"
still_replicates "oversize-frame"

# ---- after the handshake: bad entries of M's own feed ----

attack badsig m bad-signature
grep -q "^clock: own feed at seq $m_count " "$T_ROOT/badsig.out"
ok $? "bad-signature: the peer targets seq $((m_count + 1)), after what A holds"
expect_closed badsig "rejected batch: entry 0 \(seq $((m_count + 1))\): bad signature" \
	"bad-signature: A closes the member and logs 'bad signature' for that seq"
[ "$(n_by a "$M")" -eq "$m_count" ] && lacks_text a "adv badsig"
ok $? "bad-signature: nothing of the bad batch is stored on A"
still_replicates "bad-signature"

attack badsig2 m bad-signature --seed-feed 2
expect_closed badsig2 "rejected batch: entry 2 \(seq $((m_count + 3))\): bad signature" \
	"bad-signature after 2 valid entries: A closes the member, reason logged"
[ "$(n_by a "$M")" -eq "$m_count" ] && lacks_text a "adv badsig2"
ok $? "bad-signature after 2 valid entries: not even the valid ones are stored"

attack chain m broken-chain --seed-feed 1
expect_closed chain "rejected batch: entry 1 \(seq $((m_count + 2))\): broken chain" \
	"broken-chain: A closes the member and logs 'broken chain' for that seq"
[ "$(n_by a "$M")" -eq "$m_count" ] && lacks_text a "adv chain"
ok $? "broken-chain: nothing of the batch (the valid first entry neither) is stored"
still_replicates "broken-chain"

attack chain1 m broken-chain
expect_closed chain1 "rejected batch: entry 0 \(seq $((m_count + 1))\): broken chain" \
	"broken-chain against the stored head: refused, reason logged"
[ "$(n_by a "$M")" -eq "$m_count" ] && lacks_text a "adv chain1"
ok $? "broken-chain against the stored head: nothing stored"

# ---- fork: two valid entries at one seq ----

pid_a=$(daemon_pid a)
attack fork m fork
grep -q "^sent a second batch" "$T_ROOT/fork.out"; ok $? "fork: the peer sent both entries at seq $((m_count + 1))"
wait_for 20 grep -q "FORK: $M signed two different entries at seq $((m_count + 1))" "$(node_dir a)/paktd.log"
ok $? "fork: A logs FORK naming M and the seq"
kill -0 "$pid_a" && p a status >/dev/null; ok $? "fork: A did not crash"
grep -q "^closed by peer" "$T_ROOT/fork.out" && diag "fork: A dropped the connection (allowed)"
[ "$(n_by a "$M")" -eq $((m_count + 1)) ] && has_text a "adv fork one" && lacks_text a "adv fork two"
ok $? "fork: A keeps the first entry in the feed (the second goes to the proofs)"
wait_for 50 grep -q "FORK: proof from" "$(node_dir h)/paktd.log"
ok $? "fork: the proof is gossiped to H, which logs it"
m_count=$(n_by a "$M")
still_replicates "fork"

attack afterfork m honest
grep -q "^clock: own feed skipped" "$T_ROOT/afterfork.out"
ok $? "fork: A's clock lists M's feed as skipped"
sleep 0.3
[ "$(n_by a "$M")" -eq "$m_count" ] && lacks_text a "adv afterfork"
ok $? "fork: A stops replicating M's feed (a later valid entry is not stored)"

p a verify >"$T_ROOT/verify.a1" 2>&1; rc=$?
ok $rc "pakt verify passes on A after the fork (the fork does not break verify of stored entries)"
[ $rc -eq 0 ] || sed 's/^/#   /' "$T_ROOT/verify.a1"

# ---- two valid entries at one seq in the same batch (M3) ----

attack samebatch m3 fork-same-batch
grep -q "^sent one batch with two different valid entries at seq 1" "$T_ROOT/samebatch.out"
ok $? "fork-same-batch: the peer sent both entries at seq 1 in one batch"
wait_for 20 grep -q "FORK: $M3 signed two different entries at seq 1" "$(node_dir a)/paktd.log"
rc=$?
ok $rc "fork-same-batch: A logs FORK for two valid entries at one seq in one batch"
[ $rc -eq 0 ] || { diag "peer report:"; sed 's/^/#   /' "$T_ROOT/samebatch.out"; show_log_tail 3; }
[ "$(n_by a "$M3")" -le 1 ]; ok $? "fork-same-batch: at most one of them is in M3's feed on A"
still_replicates "fork-same-batch"

# ---- an entry with a bad signature under a validly signed successor (M2) ----

m2_count=$(n_by a "$M2")
attack linked m2 bad-signature-linked
grep -q "^sent a batch of 2" "$T_ROOT/linked.out"; ok $? "bad-signature-linked: the peer sent its batch"
[ "$(n_by a "$M2")" -eq "$m2_count" ] && lacks_text a "adv linked"
rc=$?
ok $rc "bad-signature-linked: an entry whose own signature is bad is not stored, even under a signed successor"
if [ $rc -ne 0 ]; then
	diag "peer report:"; sed 's/^/#   /' "$T_ROOT/linked.out"
	show_log_tail 5
fi
wait_for 20 closed_line "$PORT" "rejected batch: .*bad signature"
ok $? "bad-signature-linked: A closes the member with 'bad signature' logged"
still_replicates "bad-signature-linked"

# ---- the end: stores verify, the proof is on disk ----

kill -0 "$pid_a"; ok $? "A is still running (the same process) after every attack"

p a verify >"$T_ROOT/verify.a" 2>&1; rc=$?
ok $rc "pakt verify passes on A at the end"
[ $rc -eq 0 ] || sed 's/^/#   /' "$T_ROOT/verify.a"
p h verify >"$T_ROOT/verify.h" 2>&1; rc=$?
ok $rc "pakt verify passes on H"
[ $rc -eq 0 ] || sed 's/^/#   /' "$T_ROOT/verify.h"
stop_daemon a; ok $? "A stops cleanly"
db="$(node_dir a)/pakt.db"
forks=$(sqlite3 "$db" "SELECT count(*) FROM forks;")
[ "$forks" -ge 1 ]; ok $? "A's forks table holds the proof ($forks row(s))"
both=$(sqlite3 "$db" "SELECT count(*) FROM forks k JOIN entries e ON e.feed = k.feed AND e.seq = k.seq AND e.hash != k.hash;")
[ "$both" -ge 1 ]; ok $? "both entries at the forked seq are kept (one in the feed, one in forks)"
feeds=$(sqlite3 "$db" "SELECT count(DISTINCT feed) FROM forks;")
[ "$feeds" -ge 2 ]; ok $? "fork-same-batch: its proof is on disk too (fork proofs of $feeds feeds, want M's and M3's)"
no_sanitizer_reports; ok $? "no sanitizer reports"
diag "adversary.sh took $(($(date +%s) - t_start)) s"
