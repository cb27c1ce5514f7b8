#!/bin/bash
# An upgrade that migrates the store's schema first keeps a copy of the
# store as it was (pakt.db.schemaN.bak, mode 0600, a database at the old
# version with every entry), so that a rollback has something to go back
# to; a fresh store makes no copy.
. "$(dirname "$0")/../lib/harness.sh"
plan 5

make_initiative a "Upgrade" && p a post "przed aktualizacją" >/dev/null && stop_daemon a
ok $? "a node with entries"
db="$(node_dir a)/pakt.db"
! ls "$db".schema*.bak >/dev/null 2>&1
ok $? "a fresh store made no copy"
before=$(sqlite3 "$db" "SELECT count(*) FROM entries")
# make it look like schema v3 (no entries_type index, no v5 tables sigcheck, badsigs)
sqlite3 "$db" "DROP INDEX entries_type; DROP TABLE sigcheck; DROP TABLE badsigs; PRAGMA user_version = 3;"
start_daemon a && p a verify >/dev/null
ok $? "paktd upgrades a v3 store and it verifies"
bak="$db.schema3.bak"
[ -f "$bak" ] && [ "$(stat -c %a "$bak")" = 600 ] && [ "$(sqlite3 "$bak" "PRAGMA user_version")" = 3 ] &&
	[ "$(sqlite3 "$bak" "SELECT count(*) FROM entries")" = "$before" ]
ok $? "the v3 store was copied first: $bak, mode 0600, version 3, all $before entries"
[ "$(sqlite3 "$db" "PRAGMA user_version")" -gt 3 ] &&
	sqlite3 "$db" "SELECT name FROM sqlite_master WHERE type = 'index'" | grep -qx entries_type
ok $? "the store itself is at the new version"
