#!/bin/bash
# make demo, as a user runs it into a file or pipe: it ends with the
# partnership report written, echoes every command with its arguments
# quoted as typed (the ones it really passes), and writes no colour codes
# when stdout is not a terminal.
. "$(dirname "$0")/../lib/harness.sh"
plan 4
out="$T_ROOT/demo.out"
(cd "$T_ROOT" && PAKT_BUILDDIR="$BUILD" timeout 300 bash "$SRC/tests/demo.sh") >"$out" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -Eq '^demo finished; the partnership report is .*pakt-report-demo.html \([0-9]+ bytes\)$' "$out"
ok $? "the demo ends with the report written and its path printed (exit $rc)"
! grep -q $'\x1b' "$out"
ok $? "no escape sequences in its output to a file"
grep -q "^\$ pakt init --name 'Harbour Foundation' --data-dir /" "$out" &&
	grep -q "^\$ pakt initiative create 'Homes First Rivertown' --goal 'No one sleeps outside in Rivertown by 2028' --data-dir /" "$out"
ok $? "commands are echoed with their arguments quoted as typed"
# every echoed pakt command names its node, as the demo really passes it
! grep '^\$ pakt ' "$out" | grep -v -- '--data-dir /' | grep -v '^\$ pakt verify /' | grep -q .
ok $? "every echoed pakt command shows the --data-dir it runs with"
