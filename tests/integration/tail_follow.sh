#!/bin/bash
# pakt tail -f shows a new post within 1 s; tail -n, log --limit/--type.
. "$(dirname "$0")/../lib/harness.sh"
plan 8

init_node a && start_daemon a; ok $? "node a started"
p a initiative create "Tail test" >/dev/null
for i in 1 2 3; do p a post "old $i" >/dev/null; done
p a tail -n 2 >"$T_ROOT/t2"
[ "$(wc -l <"$T_ROOT/t2")" -eq 2 ] && grep -q "old 2" "$T_ROOT/t2" && grep -q "old 3" "$T_ROOT/t2"
ok $? "tail -n 2 shows the last two entries"
p a log --limit 1 | grep -q "old 3"; ok $? "log --limit 1 shows the newest entry"
[ "$(p a log --type genesis | wc -l)" -eq 1 ]; ok $? "log --type genesis shows exactly the genesis entry"
short=$(p a id | cut -c1-11)
p a log --limit 1 | grep -q "  a #" && p a log --limit 1 --ids | grep -q "  $short #"
ok $? "log shows the author's name, and --ids its id ($short)"

"$PAKT" tail -f -n 0 --data-dir "$(node_dir a)" >"$T_ROOT/follow" 2>&1 &
tpid=$!
sleep 0.3   # let tail connect; the bounded wait below is what is measured
start=$(date +%s%N)
p a post "live one" >/dev/null
wait_for 10 grep -q "live one" "$T_ROOT/follow"; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
ok $rc "tail -f shows a new post within 1 s (took ${ms} ms)"
! grep -q "old" "$T_ROOT/follow"; ok $? "tail -f -n 0 shows no old entries"
kill -INT $tpid; wait $tpid; ok $? "tail -f exits 0 on ^C"
