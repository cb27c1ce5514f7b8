#!/bin/bash
# Connection limits: a flood of idle TCP connections from one address is
# capped at 8 not yet admitted (reason logged), the rest are dropped by the
# handshake deadline; afterwards a member connects and replicates as usual.
# (The global cap of 64 inbound, with many addresses: adversary_load.sh.)
. "$(dirname "$0")/../lib/harness.sh"
plan 6

init_node a && init_node b && start_daemon a && start_daemon b; ok $? "two nodes started"
p a initiative create "Limits" >/dev/null
addr=$(daemon_addr a)
host=${addr%:*}; port=${addr#*:}

# 70 idle connections: more than the 8 per address in handshake
fds=()
for i in $(seq 1 70); do
	exec {fd}<>"/dev/tcp/$host/$port" && fds+=("$fd")
done
wait_for 50 sh -c "[ \$(grep -c 'refused: 8 connections from 127.0.0.1 not yet admitted (max 8 per address)' '$(node_dir a)/paktd.log') -ge 62 ]"
ok $? "connections beyond the per-address cap are refused with the reason logged (${#fds[@]} opened)"
# the deadline (5 s) closes the idle ones; allow 10 s
wait_for 100 sh -c "[ \$(grep -c 'handshake not finished' '$(node_dir a)/paktd.log') -ge 8 ]"
ok $? "idle connections are dropped by the handshake deadline"
for fd in "${fds[@]}"; do exec {fd}>&-; done

code=$(p a invite --name B)
p b join "$code" >/dev/null; ok $? "after the flood a new member joins"
p b post "still serving" >/dev/null
wait_for 100 sh -c "'$PAKT' log --data-dir '$(node_dir a)' | grep -q 'still serving'"
ok $? "and replicates"
# a partner that vanishes without closing (power cut, partition) is noticed:
# TCP keepalive probes idle peer connections
ss -tnoH state established "( sport = :$port )" | grep -q "timer:(keepalive"
ok $? "peer connections run TCP keepalive ($(ss -tnoH state established "( sport = :$port )" | grep -o 'timer:([^)]*)' | head -1))"
