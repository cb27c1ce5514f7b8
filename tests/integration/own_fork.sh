#!/bin/bash
# A node whose own feed forked (an older copy restored with
# --force-unsynced, then a post) hears of it from its partners, and its
# 'pakt status' and 'pakt doctor' say so loudly with what to do.
. "$(dirname "$0")/../lib/harness.sh"
plan 6
BAK="$T_ROOT/old.pakt-backup"

make_initiative a "Rozwidlenie" && join_node a b && p a backup "$BAK" >/dev/null &&
	p a post "po kopii 1" >/dev/null && p a post "po kopii 2" >/dev/null && wait_converged 100 a b
ok $? "A backed up, then posted twice; B holds everything"
stop_daemon a
"$PAKT" restore "$BAK" --data-dir "$(node_dir r)" --force-unsynced >"$T_ROOT/restore.out" 2>&1 &&
	grep -q "warning: --force-unsynced" "$T_ROOT/restore.out"
ok $? "restore --force-unsynced warns what can go wrong"
start_daemon r && p r post "z kopii" >/dev/null && p r peer add "$(daemon_addr b)" >/dev/null
wait_for 100 grep -q "FORK" "$(node_dir b)/paktd.log"
ok $? "the restored copy signs at once and B sees the fork"
wait_for 100 sh -c "'$PAKT' status --data-dir '$(node_dir r)' | grep -q '^FORK .*FORKED at #'"
ok $? "pakt status on the copy shows the fork of its own feed"
p r status --json | grep -Eq '"own_fork":[0-9]+,"pid"'
ok $? "status --json carries own_fork"
p r doctor 2>/dev/null | grep -Eq "^ERROR +feed +FORK of this organisation's feed at #[0-9]+: .*stop every copy but one"
ok $? "pakt doctor reports it as an error with what to do"
