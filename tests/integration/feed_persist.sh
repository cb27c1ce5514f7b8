#!/bin/bash
# 1,000 posts survive a restart, all present and in order, and verify.
. "$(dirname "$0")/../lib/harness.sh"
plan 8
N=1000

init_node a && start_daemon a; ok $? "node a started"
p a initiative create "Persist test" >/dev/null; ok $? "initiative created"
fails=0
for i in $(seq 1 $N); do
	p a post "post number $i" >/dev/null || fails=$((fails + 1))
done
[ $fails -eq 0 ]; ok $? "$N posts acknowledged ($fails failed)"
stop_daemon a; ok $? "daemon stopped cleanly"
start_daemon a; ok $? "daemon restarted"
p a log --type message >"$T_ROOT/log"
seq 1 $N | sed 's/^/post number /' >"$T_ROOT/expected"
sed -E 's/^.*  message  //' "$T_ROOT/log" >"$T_ROOT/got"
cmp -s "$T_ROOT/expected" "$T_ROOT/got"; ok $? "all $N posts are there after restart, in order"
# seq numbers are 3..N+2 after the genesis and our own member entry, with no gap
p a log --json --type message | tr ',' '\n' | grep -o '"seq":[0-9]*' | cut -d: -f2 >"$T_ROOT/seqs"
seq 3 $((N + 2)) | cmp -s - "$T_ROOT/seqs"; ok $? "seqs run 3..$((N + 2)) without a gap"
p a verify >/dev/null; ok $? "pakt verify passes"
