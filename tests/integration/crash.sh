#!/bin/bash
# kill -9 while a loop posts: every acknowledged post is there after a
# restart, the feed has no gap, and pakt verify passes.
. "$(dirname "$0")/../lib/harness.sh"
plan 7

init_node a && start_daemon a; ok $? "node a started"
p a initiative create "Crash test" >/dev/null
acked="$T_ROOT/acked"
: >"$acked"
( for i in $(seq 1 2000); do
	p a post "crash post $i" >/dev/null 2>&1 || break
	echo "crash post $i" >>"$acked"
  done ) &
loop=$!
wait_for 100 sh -c "[ \$(wc -l <$acked) -ge 50 ]"
kill9_daemon a
wait $loop
n=$(wc -l <"$acked")
[ "$n" -ge 50 ]; ok $? "posts were acknowledged before the crash ($n)"
start_daemon a; ok $? "daemon restarts after kill -9"
p a log --type message | sed -E 's/^.*  message  //' >"$T_ROOT/got"
missing=$(grep -vxF -f "$T_ROOT/got" "$acked" | wc -l)
[ "$missing" -eq 0 ]; ok $? "no acknowledged post lost ($missing missing of $n)"
p a verify >/dev/null; ok $? "pakt verify passes after the crash"
p a post "after crash" >/dev/null; ok $? "posting works after the crash"
p a log --json --type message | tr ',' '\n' | grep -o '"seq":[0-9]*' | cut -d: -f2 >"$T_ROOT/seqs"
last=$(tail -1 "$T_ROOT/seqs")
seq 3 "$last" | cmp -s - "$T_ROOT/seqs"; ok $? "the feed runs 3..$last with no gap or repeat"
