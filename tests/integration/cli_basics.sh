#!/bin/bash
# The CLI's contract: help, usage errors, exit codes, init, id, and what
# happens without a daemon or with two daemons on one data directory.
. "$(dirname "$0")/../lib/harness.sh"
plan 23

"$PAKT" --help >"$T_ROOT/help" 2>&1; ok $? "pakt --help exits 0"
for c in init id initiative post log tail status verify; do
	grep -q "^  $c " "$T_ROOT/help" || { ok 1 "--help lists $c"; continue; }
done
ok 0 "pakt --help lists every command"
bad=""
for c in init id initiative post log tail status verify; do
	"$PAKT" "$c" --help 2>/dev/null | grep -q "^usage: pakt $c" || bad="$bad $c"
done
[ -z "$bad" ]; ok $? "every command has --help with a usage line${bad:+ (missing:$bad)}"
"$PAKT" verify --help | grep -q "^       pakt verify FILE \[--dump DIR\]"
ok $? "verify --help shows the offline bundle form too"

"$PAKT" frobnicate >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 2 ] && grep -q "not a pakt command" "$T_ROOT/err"; ok $? "unknown command: exit 2 and says so"
"$PAKT" log --bogus >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 2 ] && grep -q "^pakt: log: unknown" "$T_ROOT/err" && grep -q "^usage: pakt log" "$T_ROOT/err"
ok $? "bad option: exit 2, one-line error and the usage"
"$PAKT" log --limit abc --data-dir "$T_ROOT/x" >/dev/null 2>&1; [ $? -eq 2 ]; ok $? "non-numeric --limit: exit 2"

init_node a; ok $? "pakt init creates a node"
dir=$(node_dir a)
[ "$(stat -c %a "$dir/identity.key")" = 600 ]; ok $? "identity.key is mode 0600"
[ "$(stat -c %a "$dir")" = 700 ]; ok $? "data directory is mode 0700"
cp "$dir/identity.key" "$T_ROOT/key.before"
"$PAKT" init --data-dir "$dir" >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 1 ] && grep -q "refusing to overwrite" "$T_ROOT/err" && cmp -s "$dir/identity.key" "$T_ROOT/key.before"
ok $? "init refuses to overwrite an identity and leaves it unchanged"

id=$(p a id); [[ "$id" == pk_* ]]; ok $? "pakt id prints a pk_ id without a daemon"
p a status >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 3 ] && grep -q "paktd is not running (socket .*paktd.sock" "$T_ROOT/err"
ok $? "status without a daemon: exit 3, 'paktd is not running (socket ...)'"
p a post hello >/dev/null 2>&1; [ $? -eq 3 ]; ok $? "post without a daemon: exit 3"

start_daemon a; ok $? "paktd starts and answers"
p a status >"$T_ROOT/status"; ok $? "pakt status exits 0 with a daemon"
grep -q "$id" "$T_ROOT/status"; ok $? "status shows the same id as pakt id"
"$PAKTD" --data-dir "$dir" 2>"$T_ROOT/err2"; rc=$?
[ $rc -ne 0 ] && grep -q "already running" "$T_ROOT/err2"; ok $? "a second paktd on the same data dir refuses to start"
p a post "no initiative yet" >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 1 ] && grep -q "pakt initiative create" "$T_ROOT/err"; ok $? "post before any initiative says how to create one"

mkdir -p "$T_ROOT/empty"
"$PAKTD" --data-dir "$T_ROOT/empty" 2>"$T_ROOT/err3"; rc=$?
[ $rc -ne 0 ] && grep -q "pakt init" "$T_ROOT/err3"; ok $? "paktd without an identity says to run pakt init"

stop_daemon a; ok $? "SIGTERM: paktd exits 0"
grep -q "stopped cleanly" "$dir/paktd.log" && [ ! -e "$dir/paktd.sock" ]; ok $? "clean stop logged and socket removed"
no_sanitizer_reports; ok $? "no sanitizer reports"
