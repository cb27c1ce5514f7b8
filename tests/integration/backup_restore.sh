#!/bin/bash
# Backups that cannot fork: a backup taken while posting, restored on a
# fresh directory while the partner holds newer entries of this feed. The
# restored node signs nothing until the partner told it the feed's head
# and it fetched the newer entries; then it posts at the right seq, every
# audit exits 0 and nobody sees a fork.
. "$(dirname "$0")/../lib/harness.sh"
plan 13
BAK="$T_ROOT/fundacja.pakt-backup"

make_initiative a "Kopie" && join_node a b
ok $? "A and B in one initiative"
A=$(node_id a)
( for i in $(seq 1 20); do p a post "w trakcie $i" >/dev/null; done ) &
poster=$!
p a backup "$BAK" >"$T_ROOT/backup.out" 2>&1; rc=$?
wait $poster
[ $rc -eq 0 ] && [ "$(stat -c %a "$BAK")" = 600 ] && grep -q "^backup written to $BAK" "$T_ROOT/backup.out" &&
	! ls "$(node_dir a)"/backup-* >/dev/null 2>&1
ok $? "a backup taken while posting: mode 0600, and paktd's temporary copy is gone"
p a backup "$BAK" >"$T_ROOT/again.out" 2>&1
[ $? -ne 0 ] && grep -q "choose a new file name; a backup never overwrites one" "$T_ROOT/again.out"
ok $? "a backup never overwrites a file"

for i in 1 2 3; do p a post "po kopii $i" >/dev/null; done
head_a=$(p a log --from "$A" --json | grep -o '"seq":[0-9]*' | tail -1 | cut -d: -f2)
wait_converged 100 a b
ok $? "A posted after the backup (head #$head_a) and B holds it all"
stop_daemon a

"$PAKT" restore "$BAK" --data-dir "$(node_dir a)" >"$T_ROOT/over.out" 2>&1
[ $? -ne 0 ] && grep -q "already holds a node (identity.key); refusing to overwrite it" "$T_ROOT/over.out"
ok $? "restore refuses a directory that holds a node"
"$PAKT" restore "$BAK" --data-dir "$(node_dir r)" >"$T_ROOT/restore.out" 2>&1 &&
	grep -q "^restored $A into $(node_dir r)" "$T_ROOT/restore.out"
ok $? "restore into a fresh directory: the same identity"
start_daemon r
p r post "za wcześnie" >"$T_ROOT/early.out" 2>&1; rc=$?
[ $rc -ne 0 ] && grep -q "signs nothing until a partner has told it the feed's head" "$T_ROOT/early.out" &&
	p r status | grep -q "^WAITING"
ok $? "before meeting a partner it refuses to post and says why (exit $rc); status shows WAITING"
p r status --json | grep -Eq '^\{"datadir":"[^"]*","entries":[0-9]+,"feeds":[0-9]+,"id":"pk_[a-z2-7]{58}","name":"[^"]*","network":"nw_[a-z2-7]{58}","networks":1,"ok":true,"pid":[0-9]+,"unsynced":"this node was restored[^"]*","uptime_ms":[0-9]+,"version":"[^"]*"\}$'
ok $? "status --json: the documented keys, with unsynced while it waits"

p r peer add "$(daemon_addr b)" >/dev/null
wait_for 150 sh -c "! '$PAKT' status --data-dir '$(node_dir r)' | grep -q '^WAITING'"
ok $? "after the partner's clock and the newer entries, it stops waiting"
[ "$(p r log --from "$A" --json | grep -o '"seq":[0-9]*' | tail -1 | cut -d: -f2)" = "$head_a" ] &&
	has_text r "po kopii 3"
ok $? "it fetched its own newer entries back from B (head #$head_a)"
out=$(p r post "po przywróceniu") && echo "$out" | grep -q "#$((head_a + 1))"
ok $? "it posts at the right seq (#$((head_a + 1)))"
wait_for 100 has_text b "po przywróceniu"
ok $? "B accepts the new entry"
p r audit >/dev/null && p b audit >/dev/null && ! grep -q "FORK" "$(node_dir b)/paktd.log" "$(node_dir r)/paktd.log"
ok $? "every audit exits 0 and no fork anywhere"
