#!/bin/bash
# A fork pushed to half the mesh (issue 5): member M (through
# tests/lib/peer) signs X at seq n for A and Y at seq n for B while A and
# B are apart. Once they connect their clocks agree ("M at n"), so nobody
# sees the fork until M posts n+1 on top of X to A, which relays it to B.
# B must not drop A over the broken chain: it shows A its own seq n, A
# records the fork and sends both of them the proof. Both keep
# replicating other feeds; M's feed is frozen on both.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/attack.sh"
plan 17

backbone "Fork half" b m; setup_ok=$?
M=$(p m id)
p m post "m honest 1" >/dev/null || setup_ok=1
wait_for 50 has_text a "m honest 1" && wait_for 50 has_text b "m honest 1" || setup_ok=1
B_ADDR=$(daemon_addr b)
stop_daemon m    # from now on M's key speaks only through the peer
wait_for 50 sh -c "[ \"\$(p a log --json | grep -o '\"author\":\"$M\"' | wc -l)\" = \"\$(p b log --json | grep -o '\"author\":\"$M\"' | wc -l)\" ]" ||
	setup_ok=1
n=$(( $(n_by a "$M") + 1 ))   # the seq M forks at
ok $setup_ok "A, B and M set up; A and B agree on M's feed (next seq $n)"

# X to A while B is down, Y to B while A is down
stop_daemon b
attack x m honest --text "fork X"
wait_for 30 has_text a "fork X"; ok $? "X at seq $n reached A (B down)"
stop_daemon a
start_daemon b --listen "$B_ADDR" && TARGET_ADDR=$B_ADDR attack y m honest --text "fork Y"
wait_for 30 has_text b "fork Y"; ok $? "Y at seq $n reached B (A down)"
start_daemon a --listen "$A_ADDR"
# B dials A again after its backoff (at most 30 s)
wait_secs 40 peer_connected a b && wait_secs 10 peer_connected b a
ok $? "A and B reconnect"
p a post "a sync" >/dev/null && wait_for 50 has_text b "a sync" && lacks_text b "fork X" && lacks_text a "fork Y"
ok $? "their clocks agree on M at seq $n: neither sends its version (nobody sees the fork yet)"

# n+1 on top of X, to A; A relays it to B, where it does not link
attack z m honest --text "fork Z"
grep -q "^sent 1 valid entries, last at seq $((n + 1))" "$T_ROOT/z.out" && wait_for 30 has_text a "fork Z"
ok $? "Z at seq $((n + 1)) on top of X reached A"
wait_for 50 grep -q "FORK: $M signed two different entries at seq $n" "$(node_dir a)/paktd.log"
ok $? "A records the fork at seq $n (B showed it Y)"
wait_for 50 grep -q "FORK: proof from .*: $M signed two entries at seq $n" "$(node_dir b)/paktd.log"
ok $? "B records the fork from A's proof"
grep -q "$M seq $((n + 1)) does not follow our seq $n" "$(node_dir b)/paktd.log"
ok $? "B logged why it sent its seq $n to A"
! grep -q "closed: rejected batch" "$(node_dir a)/paktd.log" "$(node_dir b)/paktd.log"
ok $? "no batch was rejected: B did not drop A"
p a post "a after fork" >/dev/null && p b post "b after fork" >/dev/null &&
	wait_for 50 has_text b "a after fork" && wait_for 50 has_text a "b after fork"
ok $? "A and B still replicate both ways"

# Z linked on A and stays there; B cannot link it and stores nothing of it.
has_text a "fork Z" && lacks_text b "fork Z" && lacks_text a "fork Y" && lacks_text b "fork X"
ok $? "Z (seq $((n + 1))) is stored on A only; each keeps its own seq $n in the feed"
p a audit >"$T_ROOT/audit.a" 2>&1; rc_a=$?
p b audit >"$T_ROOT/audit.b" 2>&1; rc_b=$?
[ $rc_a -ne 0 ] && [ $rc_b -ne 0 ] && grep -q "FORK $M #$n" "$T_ROOT/audit.a" && grep -q "FORK $M #$n" "$T_ROOT/audit.b"
ok $? "pakt audit on A and B shows the fork of M at seq $n (and exits 1)"
attack after m honest --text "fork after"
TARGET_ADDR=$B_ADDR attack after2 m honest --text "fork after"
grep -q "^clock: own feed skipped" "$T_ROOT/after.out" && grep -q "^clock: own feed skipped" "$T_ROOT/after2.out"
ok $? "M's feed is frozen on A and B (their clocks skip it)"
p a verify >"$T_ROOT/verify.a" 2>&1 && p b verify >"$T_ROOT/verify.b" 2>&1
ok $? "pakt verify passes on A and B"
no_sanitizer_reports; ok $? "no sanitizer reports"
