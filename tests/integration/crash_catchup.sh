#!/bin/bash
# kill -9 during catch-up, 50 times: node b catches up a backlog of ~16 MB
# (2 x 1000 entries of 8 KB) from two peers at once (a and c: two sessions
# ingesting the same feeds) while posting a few entries of its own, and is
# killed at a different point of the catch-up each round. After the last
# restart b holds exactly what a holds: no gap, no duplicate, no fork
# recorded, pakt verify passes, every post b acknowledged is there, and a
# new post on a reaches b live.
#
# Each round freezes a and c (SIGSTOP) while b starts, so that b makes no
# progress before the round begins; then b runs in slices of 10 ms until
# its store (read straight from the SQLite file: a WAL reader needs nothing
# from the writer) passes a target that moves through the backlog.
. "$(dirname "$0")/../lib/harness.sh"
plan 12
ROUNDS=50
PER_NODE=${CRASH_CATCHUP_PER_NODE:-1000}
DEADLINE=$(( $(date +%s) + 240 ))   # the whole test, however slow the machine

make_initiative a "Catch-up crashes" && join_node a c && join_node a b &&
	wait_for 100 sh -c "[ \$('$PAKT' status --json --data-dir '$(node_dir c)' | grep -o '\"entries\":[0-9]*' | cut -d: -f2) -ge 4 ]" &&
	p b peer add "$(daemon_addr c)" >/dev/null && stop_daemon b
ok $? "a, c and b are members; b dials both a and c, and is stopped"

# the backlog b misses: a and c post in parallel (each post synced to disk)
pad=$(head -c 8000 /dev/zero | tr '\0' 'x')
start=$(date +%s)
( for i in $(seq 1 "$PER_NODE"); do p a post "a $i $pad" >/dev/null || exit 1; done ) & pa=$!
( for i in $(seq 1 "$PER_NODE"); do p c post "c $i $pad" >/dev/null || exit 1; done ) & pc=$!
wait $pa && wait $pc
ok $? "a and c each posted $PER_NODE entries of 8 KB ($(( $(date +%s) - start )) s)"
same_count() { [ "$(entry_count "$1")" = "$(entry_count "$2")" ]; }
wait_secs 30 same_count a c; ok $? "a and c hold the same $(entry_count a) entries"

# "AUTHOR SEQ HASH" of every stored entry, read from the file itself
db_rows() {
	sqlite3 -readonly "$(node_dir "$1")/pakt.db" \
		"SELECT hex(f.author), e.seq, hex(e.hash) FROM entries e JOIN feeds f ON f.id = e.feed ORDER BY 1, 2" 2>/dev/null
}
db_count() { sqlite3 -readonly "$(node_dir "$1")/pakt.db" "SELECT count(*) FROM entries" 2>/dev/null || echo 0; }
# db_backlog NODE: how many entries of a and c NODE stores
ac="'$(node_hex a | tr a-f A-F)', '$(node_hex c | tr a-f A-F)'"
db_backlog() {
	sqlite3 -readonly "$(node_dir "$1")/pakt.db" \
		"SELECT count(*) FROM entries e JOIN feeds f ON f.id = e.feed WHERE hex(f.author) IN ($ac)" 2>/dev/null || echo 0
}
total=$(db_backlog a)
have=$(db_backlog b)
step=$(( (total - have) / (ROUNDS + 5) ))
[ "$step" -ge 1 ] || step=1
acked="$T_ROOT/acked"; : >"$acked"
failed_starts=0 mid=0 done_rounds=0 counts=""
for r in $(seq 1 $ROUNDS); do
	[ "$(date +%s)" -lt "$DEADLINE" ] || break
	# b starts while a and c are frozen: it makes no progress until
	# they and it run in the slices below
	kill -STOP "$(daemon_pid a)" "$(daemon_pid c)"
	start_daemon b; rc=$?
	pid_b=$(daemon_pid b)
	kill -STOP "$pid_b"
	kill -CONT "$(daemon_pid a)" "$(daemon_pid c)"
	[ $rc -eq 0 ] || { failed_starts=$((failed_starts + 1)); break; }
	( for i in 1 2 3 4 5; do
		p b post "b round $r post $i" >/dev/null 2>&1 || break
		echo "b round $r post $i" >>"$acked"
	  done ) &
	loop=$!
	# let b run 10 ms at a time until its share of the backlog passes a
	# target that moves through it (jittered by up to half a step), then
	# kill it while frozen: the count seen is the count it dies with
	target=$(( have + r * step + (r * 37) % (step / 2 + 1) ))
	got=$(db_backlog b) slices=0
	while [ "$got" -lt "$target" ] && [ $slices -lt 300 ]; do
		kill -CONT "$pid_b"; sleep 0.01; kill -STOP "$pid_b"
		got=$(db_backlog b); slices=$((slices + 1))
	done
	kill9_daemon b
	wait $loop
	[ "$got" -lt "$total" ] && mid=$((mid + 1))
	counts="$counts $got"
	done_rounds=$r
done
diag "entries of a and c on b at each kill (of $total):$counts"
[ $failed_starts -eq 0 ] && [ $done_rounds -eq $ROUNDS ]
ok $? "b restarted after each of $ROUNDS kill -9 rounds ($done_rounds done, $failed_starts failed starts)"
[ $mid -ge $((ROUNDS * 4 / 5)) ]
ok $? "$mid of $done_rounds kills hit b while it still lacked part of the backlog of $total entries"

start_daemon b; ok $? "b starts after the last kill"
want_all() { [ "$(db_rows b)" = "$(db_rows a)" ]; }
start=$(date +%s%N)
wait_secs 60 want_all
ok $? "b resumes and holds exactly a's $(db_count a) entries (author, seq, hash) ($(( ($(date +%s%N) - start) / 1000000 )) ms after the restart)"
bad_feeds=$(sqlite3 -readonly "$(node_dir b)/pakt.db" \
	"SELECT count(*) FROM (SELECT feed FROM entries GROUP BY feed HAVING min(seq) != 1 OR max(seq) != count(*))")
dups=$(sqlite3 -readonly "$(node_dir b)/pakt.db" "SELECT count(*) - count(DISTINCT hash) FROM entries")
forks=$(sqlite3 -readonly "$(node_dir b)/pakt.db" "SELECT count(*) FROM forks")
[ "$bad_feeds" = 0 ] && [ "$dups" = 0 ] && [ "$forks" = 0 ]
ok $? "on b every feed runs 1, 2, 3... (feeds with a gap: $bad_feeds), no entry twice ($dups), no fork recorded ($forks)"
p b verify >/dev/null; ok $? "pakt verify passes on b"
p b log --type message --from "$(node_id b)" | sed -E 's/^.*  message  //' >"$T_ROOT/got"
n_acked=$(wc -l <"$acked")
missing=$(grep -cvxF -f "$T_ROOT/got" "$acked")
[ "$n_acked" -gt 0 ] && [ "$missing" -eq 0 ]
ok $? "every post b acknowledged during the rounds is there ($n_acked acknowledged, $missing missing)"
p a post "after the crashes" >/dev/null && wait_for 100 has_text b "after the crashes"
ok $? "replication resumes: a post on a after the last crash reaches b"
diag "survived $done_rounds kill -9 rounds during catch-up; $mid mid-backlog; b holds $(db_count b) entries; $n_acked own posts acknowledged, $missing lost"
no_sanitizer_reports; ok $? "no sanitizer reports"
