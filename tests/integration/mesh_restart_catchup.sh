#!/bin/bash
# Catch-up survives a crash: a fresh node joins an initiative holding
# ~1,600 entries of ~3 KB (5 MB), is killed with -9 part-way through the
# catch-up, restarts, resumes and ends with exactly the full set: no entry
# twice, no seq twice or missing per author, pakt verify passes. A second
# fresh node, never killed, must get the full set in one go.
# (5 MB, not more: 'pakt log' of more than 8 MiB fails, see the report.)
. "$(dirname "$0")/../lib/harness.sh"
plan 19

PER_NODE=${MESH_CATCHUP_PER_NODE:-800}
make_initiative a "Catch-up"; ok $? "backbone a started"
join_node a b; ok $? "b joined"

# two authors post in parallel (each post is one CLI call, synced to disk)
pad=$(head -c 3000 /dev/zero | tr '\0' 'x')
start=$(date +%s)
( for i in $(seq 1 "$PER_NODE"); do p a post "a $i $pad" >/dev/null || exit 1; done ) & pa=$!
( for i in $(seq 1 "$PER_NODE"); do p b post "b $i $pad" >/dev/null || exit 1; done ) & pb=$!
wait $pa && wait $pb; ok $? "a and b each posted $PER_NODE entries of 3 KB ($(( $(date +%s) - start )) s)"
total=$(entry_count a)
same_count() { [ "$(entry_count "$1")" = "$(entry_count a)" ]; }
wait_secs 20 same_count b && converged a b; ok $? "a and b hold the same $total entries (20 s)"

init_node e && start_daemon e && code=$(p a invite --name e) && pid_e=$(daemon_pid e) &&
	p e join "$code" >/dev/null && kill -STOP "$pid_e"
ok $? "fresh node e joins through a (and is frozen at once)"
total=$(entry_count a)   # a has just added e's member entry
# Catch e part-way: freeze its daemon (SIGSTOP), count what it has committed
# straight from its store (SQLite WAL: a reader needs no help from the
# writer), let it run 10 ms at a time until it has something, then kill -9
# it while frozen, so the count seen is the count it dies with.
db_count() { sqlite3 -readonly "$(node_dir "$1")/pakt.db" "SELECT count(*) FROM entries" 2>/dev/null || echo 0; }
got=$(db_count e); slices=0
while [ "$got" -eq 0 ] && [ "$slices" -lt 300 ]; do
	kill -CONT "$pid_e"; sleep 0.01; kill -STOP "$pid_e"
	got=$(db_count e); slices=$((slices + 1))
done
kill9_daemon e
[ "$got" -gt 0 ] && [ "$got" -lt "$total" ]
ok $? "e killed with -9 during catch-up (it had $got of $total after $slices slices of 10 ms)"

start_daemon e; ok $? "e restarts after kill -9"
start=$(date +%s%N)
wait_secs 30 same_count e; rc=$?
ok $rc "e resumes and reaches $total entries (30 s; took $(( ($(date +%s%N) - start) / 1000000 )) ms; has $(entry_count e))"
converged a e; ok $? "e holds exactly a's entries (author, seq, hash)"
no_dup_hashes e && feeds_contiguous e; ok $? "e stores no entry twice and every feed runs 1, 2, 3... with no gap"
[ "$(p e log --type message | wc -l)" -eq $((2 * PER_NODE)) ]; ok $? "e has all $((2 * PER_NODE)) messages"
p e verify >/dev/null; ok $? "pakt verify passes on e"
grep -q "joining" "$(node_dir e)/paktd.log" && [ "$(grep -c "(pk_[a-z0-9]*): replicating" "$(node_dir e)/paktd.log")" -ge 2 ]
ok $? "e logged replicating with a before and after the crash"

# no crash: one session must carry the whole 5 MB
init_node f && start_daemon f && p f join "$(p a invite --name f)" >/dev/null
ok $? "fresh node f joins through a"
total=$(entry_count a)
start=$(date +%s%N)
wait_secs 20 same_count f; rc=$?
ok $rc "f catches up on all $total entries in one session, with nobody posting (20 s; took $(( ($(date +%s%N) - start) / 1000000 )) ms; has $(entry_count f))"
converged a f && p f verify >/dev/null; ok $? "f holds exactly a's entries and verifies"

# the caught-up initiative grows past 8 MiB: live push, then list it all
pad=$(head -c 8000 /dev/zero | tr '\0' 'x')
for i in $(seq 1 450); do p a post "big $i $pad" >/dev/null || break; done
wait_secs 20 same_count f; ok $? "f receives 450 more entries of 8 KB live ($(entry_count f) of $(entry_count a))"
p f log >"$T_ROOT/log.f" 2>"$T_ROOT/err"; rc=$?
n=$(wc -l <"$T_ROOT/log.f")
[ "$rc" -eq 0 ] && [ "$n" -eq "$(entry_count f)" ]
ok $? "pakt log on f lists all $(entry_count f) entries, over 8 MiB (exit $rc, $n lines $(head -c 80 "$T_ROOT/err"))"
no_sanitizer_reports; ok $? "no sanitizer reports"
