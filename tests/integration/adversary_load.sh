#!/bin/bash
# Load attacks on the backbone A while an honest partner H replicates with
# it: a member that never reads (its queue is capped and it is dropped), a
# clock claiming huge seqs, a flood of tiny frames, 500 connections at once
# from one address and more than 64 from many, and a non-member guessing
# invite codes. Each has the outcome written beside it; A keeps serving H
# and stores nothing wrong.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/attack.sh"
plan 25

backbone "Adversary load" h m m2; setup_ok=$?
p m post "m honest 1" >/dev/null && wait_for 50 has_text a "m honest 1" || setup_ok=1
ok $setup_ok "H, M and M2 joined"
M=$(p m id); M2=$(p m2 id)
stop_daemon m; stop_daemon m2
init_node x    # a key that is no member

# ---- a feed larger than any socket buffer, for the reader that never reads ----
attack bulk m2 bulk --count 1500 --size 8000
[ "$(n_by a "$M2")" -ge 1500 ]; ok $? "bulk: M2's 1500 entries of 8000 bytes (12 MB) are stored on A"
wait_secs 60 sh -c "[ \$('$PAKT' status --json --data-dir '$(node_dir h)' | grep -o '\"entries\":[0-9]*' | cut -d: -f2) -ge 1500 ]"
ok $? "bulk: and replicated to H"
count_a=$(entry_count a)

# ---- a member that never reads: paused at 4 MiB, dropped after 15 s ----
attack noread m no-read --wait-ms 20000 &
noread_pid=$!
sleep 8
rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$(daemon_pid a)/status")
diag "A's resident memory while M does not read: ${rss_kb} kB"
[ "$rss_kb" -lt 262144 ]; ok $? "no-read: A's memory stays bounded while the reader stalls (${rss_kb} kB < 256 MiB)"
p h post "h during no-read" >/dev/null && wait_for 50 has_text a "h during no-read"
ok $? "no-read: H still replicates to A while M does not read"
wait $noread_pid
PORT=$(sed -n 's/^local 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T_ROOT/noread.out")
wait_for 20 closed_line "$PORT" "peer does not read: [0-9]+ bytes pending, none taken for 1[5-9][0-9]{3} ms"
ok $? "no-read: A drops the member that took nothing for 15 s, reason logged"
grep -o "peer does not read: [0-9]* bytes pending" "$(node_dir a)/paktd.log" | sed 's/^/# /'
still_replicates "no-read"

# ---- a clock claiming every feed (and ~1400 unknown ones) at seq 2^53 ----
count_a=$(entry_count a)
attack huge m huge-clock --wait-ms 2000
grep -q "^entries received: 0$" "$T_ROOT/huge.out" && grep -q "^still open" "$T_ROOT/huge.out"
ok $? "huge-clock: A sends nothing to a peer claiming to hold everything, and keeps it connected (no harm to anyone else)"
[ "$(entry_count a)" -le $((count_a + 4)) ] && p a verify >/dev/null
ok $? "huge-clock: A stores nothing for it and still verifies"
still_replicates "huge-clock"

# ---- a flood of tiny frames ----
attack tiny m tiny-frames --count 200000 --wait-ms 3000
expect_closed tiny "more than 20000 frames within one second" \
	"tiny-frames: A drops a peer past 20000 frames in one second, reason logged"
grep "^sent" "$T_ROOT/tiny.out" | sed 's/^/# /'
still_replicates "tiny-frames"

# ---- 500 connections at once from one address ----
"$PEER" --key "$(node_dir x)/identity.key" --network "$NW" --connect "$A_ADDR" --mode flood-connect \
	--count 500 --bind 127.0.0.2 --wait-ms 1500 >"$T_ROOT/flood.out" 2>&1 &
flood_pid=$!
sleep 0.5
p h post "h during flood" >/dev/null && wait_for 50 has_text a "h during flood"
ok $? "flood: H replicates while 500 connections arrive from 127.0.0.2"
wait $flood_pid
closed=$(sed -n 's/^closed by peer within [0-9]* ms: \([0-9]*\) of 500$/\1/p' "$T_ROOT/flood.out")
diag "flood: $(tail -1 "$T_ROOT/flood.out")"
[ -n "$closed" ] && [ "$closed" -ge 490 ]
ok $? "flood: A refuses at once all but 8 of the 500 (${closed:-?} closed within 1.5 s of the last)"
refused=$(grep -c "refused: 8 connections from 127.0.0.2 not yet admitted (max 8 per address)" "$(node_dir a)/paktd.log")
[ "$refused" -ge 490 ]; ok $? "flood: each refusal is logged with the per-address reason ($refused lines)"

# ---- more than 64 idle connections from 9 addresses: the global cap ----
pids=""
for i in 2 3 4 5 6 7 8 9 10; do
	"$PEER" --key "$(node_dir x)/identity.key" --network "$NW" --connect "$A_ADDR" --mode flood-connect \
		--count 8 --bind "127.0.0.$i" --wait-ms 1500 >"$T_ROOT/many.$i.out" 2>&1 &
	pids="$pids $!"
done
wait_for 50 grep -q "refused: [0-9]* inbound connections already (max 64)" "$(node_dir a)/paktd.log"
ok $? "72 idle connections from 9 addresses: those beyond 64 inbound are refused, reason logged"
wait $pids
still_replicates "the connection floods"

# ---- invite codes guessed by a non-member ----
"$PEER" --key "$(node_dir x)/identity.key" --network "$NW" --connect "$A_ADDR" --mode invite-guess \
	--count 12 --bind 127.0.0.11 >"$T_ROOT/guess.out" 2>&1
diag "$(tail -1 "$T_ROOT/guess.out")"
grep -q "^guesses 12: refused as wrong 5, rate-limited 7, other 0$" "$T_ROOT/guess.out"
ok $? "invite-guess: 5 wrong guesses are checked, the next 7 refused unchecked for the rest of the minute"
grep -q "invite attempts from 127.0.0.11: 5 failed within 60 s; refusing its invites until the window ends" "$(node_dir a)/paktd.log" &&
	grep -q "invite refused: 5 failed invite attempts from 127.0.0.11 within 60 s: refused for [0-9]* s more" "$(node_dir a)/paktd.log"
ok $? "invite-guess: the rate limit and each refusal are logged"
! p a members | grep -q "guesser"; ok $? "invite-guess: the guesser is not a member"
join_node a y && p y post "y joined" >/dev/null && wait_for 50 has_text a "y joined"
ok $? "invite-guess: a real invite from another address still works"

# ---- the end ----
p a verify >/dev/null && p h verify >/dev/null; ok $? "pakt verify passes on A and H"
[ "$(sqlite3 "$(node_dir a)/pakt.db" 'SELECT count(*) FROM forks')" -eq 0 ]; ok $? "no fork recorded on A"
no_sanitizer_reports; ok $? "no sanitizer reports"
