#!/bin/bash
# Partners as witnesses: member M signs two different entries at one seq,
# one given only to A and one only to H while they are apart. Replication
# never carries either across (each side already holds that seq), but their
# checkpoints do: the audit on either node shows the fork and exits 1.
. "$(dirname "$0")/../lib/harness.sh"
plan 6

PEER="$BUILD/tests/lib/peer"
[ -x "$PEER" ] || { echo "Bail out! $PEER not built (make tests/lib/peer)"; exit 1; }

init_node a && start_daemon a && p a initiative create "Witness test" >/dev/null
NW=$(p a status | awk '$1 == "initiative" {print $2}')
for n in h m; do
	init_node "$n" && start_daemon "$n" && p "$n" join "$(p a invite --name "$n")" >/dev/null
done
p m post "m first" >/dev/null
wait_for 50 sh -c "'$PAKT' log --data-dir '$(node_dir h)' | grep -q 'm first'"
ok $? "A, H and M form the initiative; M's first post reached H"
stop_daemon m
h_addr=$(daemon_addr h)
a_addr=$(daemon_addr a)   # H will dial A here again

# apart: A stopped, M's peer program gives H one version of seq 2 ...
stop_daemon a
timeout 30 "$PEER" --key "$(node_dir m)/identity.key" --network "$NW" --connect "$h_addr" \
	--mode honest --text "version for H" >"$T_ROOT/h.out" 2>&1
wait_for 50 sh -c "'$PAKT' log --data-dir '$(node_dir h)' | grep -q 'version for H'"
ok $? "H holds one version of M's next entry"
# ... and A, with H stopped, the other
stop_daemon h
start_daemon a --listen "$a_addr"
timeout 30 "$PEER" --key "$(node_dir m)/identity.key" --network "$NW" --connect "$a_addr" \
	--mode honest --text "version for A" >"$T_ROOT/a.out" 2>&1
wait_for 50 sh -c "'$PAKT' log --data-dir '$(node_dir a)' | grep -q 'version for A'"
ok $? "A holds the other version at the same seq"

# together again: H dials A (its inviter); both publish what they hold
start_daemon h
wait_for 100 sh -c "'$PAKT' peer list --data-dir '$(node_dir h)' | grep -q connected"
p a checkpoint >/dev/null; p h checkpoint >/dev/null
wait_for 100 sh -c "[ \$('$PAKT' log --type checkpoint --data-dir '$(node_dir a)' | wc -l) -ge 2 ] &&
	[ \$('$PAKT' log --type checkpoint --data-dir '$(node_dir h)' | wc -l) -ge 2 ]"
ok $? "each node has both checkpoints"
p a audit --json >"$T_ROOT/audit.a"; rc_a=$?
p h audit --json >"$T_ROOT/audit.h"; rc_h=$?
[ $rc_a -eq 1 ] && [ $rc_h -eq 1 ]; ok $? "the audit fails on both nodes (exit $rc_a, $rc_h)"
grep -q "partners' checkpoints" "$T_ROOT/audit.a" && grep -q "$(p m id)" "$T_ROOT/audit.a"
ok $? "and names M's fork as seen in partners' checkpoints"
