#!/bin/bash
# Operating paktd: encrypted identity with a passphrase file, refused key
# permissions, socket mode, log format, SIGHUP reload, SIGINT stop.
. "$(dirname "$0")/../lib/harness.sh"
plan 14

pass="$T_ROOT/pass"
(umask 077; echo "correct horse battery staple" >"$pass")
init_node a --passphrase-file "$pass"; ok $? "init with --passphrase-file"
dir=$(node_dir a)
grep -q "correct horse" "$dir/identity.key"; [ $? -ne 0 ]; ok $? "the passphrase is not in the key file"
p a id | grep -q '^pk_'; ok $? "pakt id works without the passphrase"

"$PAKTD" --data-dir "$dir" </dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -ne 0 ] && grep -q "encrypted" "$T_ROOT/err" && grep -q -- "--passphrase-file" "$T_ROOT/err"
ok $? "an encrypted key without a passphrase: paktd refuses and says how to give one"
(umask 077; echo "wrong" >"$T_ROOT/wrong")
"$PAKTD" --data-dir "$dir" --passphrase-file "$T_ROOT/wrong" 2>"$T_ROOT/err"; rc=$?
[ $rc -ne 0 ] && grep -q "wrong passphrase" "$T_ROOT/err"; ok $? "a wrong passphrase is refused with that reason"

chmod 644 "$dir/identity.key"
"$PAKTD" --data-dir "$dir" --passphrase-file "$pass" 2>"$T_ROOT/err"; rc=$?
[ $rc -ne 0 ] && grep -q "chmod 600" "$T_ROOT/err"; ok $? "a key readable by others is refused with the chmod to fix it"
chmod 600 "$dir/identity.key"

start_daemon a --passphrase-file "$pass"; ok $? "paktd starts with --passphrase-file"
[ "$(stat -c %a "$dir/paktd.sock")" = 600 ]; ok $? "control socket is mode 0600"
[ "$(sqlite3 "$dir/pakt.db" 'PRAGMA journal_mode')" = wal ]; ok $? "the store is in WAL mode"
grep -q "^<6>paktd: info: listening on control socket" "$dir/paktd.log"
ok $? "log lines carry a syslog priority prefix and a level"

sed -i 's/^name = .*/name = Renamed Org/' "$dir/config"
kill -HUP "$(daemon_pid a)"
wait_for 50 sh -c "'$PAKT' status --data-dir '$dir' | grep -q 'Renamed Org'"; ok $? "SIGHUP reloads the config"
echo "bogus line" >>"$dir/config"
kill -HUP "$(daemon_pid a)"
wait_for 50 grep -q "config not reloaded" "$dir/paktd.log" && p a status | grep -q "Renamed Org"
ok $? "a bad config on SIGHUP is refused, the old one kept, the daemon keeps serving"

kill -INT "$(daemon_pid a)"
wait "$(daemon_pid a)"; rc=$?
[ $rc -eq 0 ] && grep -q "stopping (SIGINT)" "$dir/paktd.log"; ok $? "SIGINT stops paktd with exit 0"
rm -f "$dir/paktd.pid"
no_sanitizer_reports; ok $? "no sanitizer reports"
