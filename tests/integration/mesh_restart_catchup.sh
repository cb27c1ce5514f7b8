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

init_node e && start_daemon e && p e join "$(p a invite --name e)" >/dev/null
ok $? "fresh node e joins through a"
total=$(entry_count a)   # a has just added e's member entry
# poll as fast as the CLI answers (10 s at most); kill -9 once e has some but not all
got=0
deadline=$(( $(date +%s) + 10 ))
while [ "$(date +%s)" -lt "$deadline" ]; do
	got=$(entry_count e 2>/dev/null); got=${got:-0}
	if [ "$got" -gt 0 ] && [ "$got" -lt "$total" ]; then kill9_daemon e; break; fi
	[ "$got" -ge "$total" ] && break
done
[ "$got" -gt 0 ] && [ "$got" -lt "$total" ] && [ -z "$(daemon_pid e)" ]
ok $? "e killed with -9 during catch-up (it had $got of $total)"

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
# TODO(bug): catch-up stalls once a session has queued NET_PENDING_HIGH
# (4 MiB) for a peer and never resumes until a new entry is posted
# (session.c on_written): see the report.
wait_secs 20 same_count f; rc=$?
ok $rc "f catches up on all $total entries in one session, with nobody posting (20 s; took $(( ($(date +%s%N) - start) / 1000000 )) ms; has $(entry_count f))"
converged a f && p f verify >/dev/null; ok $? "f holds exactly a's entries and verifies"

# the caught-up initiative grows past 8 MiB: live push, then list it all
pad=$(head -c 8000 /dev/zero | tr '\0' 'x')
for i in $(seq 1 450); do p a post "big $i $pad" >/dev/null || break; done
wait_secs 20 same_count f; ok $? "f receives 450 more entries of 8 KB live ($(entry_count f) of $(entry_count a))"
# TODO(bug): 'pakt log' of more than 8 MiB fails: op_log (daemon/ctl.c) queues
# every row at once and ctl_client_send drops the client past CTL_PENDING_MAX
# ("control client too slow"); the CLI exits 3 after a partial listing.
n=$(p f log 2>"$T_ROOT/err" | wc -l); rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] && [ "$n" -eq "$(entry_count f)" ]
ok $? "pakt log on f lists all $(entry_count f) entries, over 8 MiB (exit $rc, $n lines $(head -c 80 "$T_ROOT/err"))"
no_sanitizer_reports; ok $? "no sanitizer reports"
