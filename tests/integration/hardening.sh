#!/bin/bash
# Crashes and secrets: 50 rounds of kill -9 during live posting lose no
# acknowledged entry and leave no gap; a store that is not a database is
# refused at start with a clear message and left untouched; the daemon
# runs without core dumps and never logs its passphrase or secret key.
. "$(dirname "$0")/../lib/harness.sh"
plan 8
ROUNDS=50

pass="$T_ROOT/pass"
(umask 077; echo "winter shelter passphrase" >"$pass")
# 50 restarts each open the key: write it at the minimum Argon2id cost
# (keys/KEYFILE.md), not the default's 0.9 s.
PAKT_TEST_WEAK_KDF=1 init_node a --passphrase-file "$pass" && start_daemon a --passphrase-file "$pass"
ok $? "node a started with an encrypted identity"
p a initiative create "Crash rounds" >/dev/null
acked="$T_ROOT/acked"; : >"$acked"
lost_rounds=0 failed_starts=0
for r in $(seq 1 $ROUNDS); do
	( for i in $(seq 1 40); do
		"$PAKT" post "round $r post $i" --data-dir "$(node_dir a)" >/dev/null 2>&1 || break
		echo "round $r post $i" >>"$acked"
	  done ) &
	loop=$!
	# kill at a moment that varies from round to round: 20 to 200 ms in
	sleep "0.$(( (r * 37) % 18 + 2 ))"
	kill9_daemon a
	wait $loop
	start_daemon a --passphrase-file "$pass" || { failed_starts=$((failed_starts + 1)); break; }
done
[ $failed_starts -eq 0 ]; ok $? "the daemon restarted after each of $ROUNDS kill -9 rounds"
p a log --type message | sed -E 's/^.*  message  //' >"$T_ROOT/got"
missing=$(grep -cvxF -f "$T_ROOT/got" "$acked")
ok $([ "$missing" -eq 0 ]; echo $?) "no acknowledged post lost: $(wc -l <"$acked") acknowledged, $missing missing"
p a log --json --type message | tr ',' '\n' | grep -o '"seq":[0-9]*' | cut -d: -f2 >"$T_ROOT/seqs"
last=$(tail -1 "$T_ROOT/seqs")
seq 3 "$last" | cmp -s - "$T_ROOT/seqs"; ok $? "the feed runs 3..$last with no gap and no repeat"
p a verify >/dev/null; ok $? "pakt verify passes after $ROUNDS crashes"

pid=$(daemon_pid a)
grep -q "^Max core file size *0 *0" "/proc/$pid/limits"; ok $? "paktd runs with core dumps disabled"
! grep -rq "winter shelter passphrase" "$(node_dir a)"/*.log "$(node_dir a)"/config
ok $? "the passphrase appears in no log or config"
stop_daemon a

# a store that is not a database: refused, named, untouched
head -c 65536 /dev/urandom >"$(node_dir a)/pakt.db"
rm -f "$(node_dir a)/pakt.db-wal" "$(node_dir a)/pakt.db-shm"
cp "$(node_dir a)/pakt.db" "$T_ROOT/db.before"
"$PAKTD" --data-dir "$(node_dir a)" --listen 127.0.0.1:0 --passphrase-file "$pass" 2>"$T_ROOT/err"; rc=$?
[ $rc -ne 0 ] && grep -q "restore it from a backup or move it away" "$T_ROOT/err" &&
	cmp -s "$(node_dir a)/pakt.db" "$T_ROOT/db.before"
ok $? "a corrupt store is refused at start with what to do, and not overwritten"
