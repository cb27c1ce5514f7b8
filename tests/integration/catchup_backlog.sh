#!/bin/bash
# Catch-up of a backlog larger than the 4 MiB a daemon queues for one peer:
# streaming must pause and resume until the new member has everything.
. "$(dirname "$0")/../lib/harness.sh"
plan 5
N=900

init_node a && init_node b && start_daemon a && start_daemon b; ok $? "two nodes started"
p a initiative create "Backlog" >/dev/null
# ~7 KiB posts: N of them are about 6.3 MiB on the wire
text=$(head -c 7000 /dev/zero | tr '\0' 'x')
fails=0
for i in $(seq 1 $N); do p a post "$i $text" >/dev/null || fails=$((fails + 1)); done
[ $fails -eq 0 ]; ok $? "$N large posts on a ($fails failed)"
want=$(p a log | wc -l)
code=$(p a invite --name B)
p b join "$code" >/dev/null; ok $? "b joins"
# the whole backlog must arrive; 60 s is generous for ~6 MiB on loopback
wait_for 600 sh -c "[ \$('$PAKT' log --data-dir '$(node_dir b)' | wc -l) -ge $((want + 1)) ]"
ok $? "b caught up with all $want entries of a (plus its own member entry)"
p b verify >/dev/null; ok $? "b verifies everything it received"
