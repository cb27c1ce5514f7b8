#!/bin/bash
# pakt audit on a terminal shows how far it is: one line on stderr,
# "auditing: N of M entries", overwritten in place and erased before the
# report; never when stderr is not a terminal, nor with --json. script(1)
# gives the command a terminal.
. "$(dirname "$0")/../lib/harness.sh"
plan 7

command -v script >/dev/null || { for i in 1 2 3 4 5 6 7; do echo "ok $i # SKIP no script(1)"; done; exit 0; }
make_initiative a && for i in 1 2 3; do p a post "note $i" >/dev/null || exit 1; done
ok $? "a creates an initiative and posts"
n=$(entry_count a)
dir=$(node_dir a)
on_tty() { script -q -c "$*" /dev/null </dev/null; }

on_tty "LANG=C '$PAKT' audit --data-dir '$dir'" >"$T_ROOT/tty" 2>&1
grep -a -q "auditing: $n of $n entries" "$T_ROOT/tty"; ok $? "on a terminal: 'auditing: $n of $n entries'"
# the line is erased (carriage return, erase to the end of the line) before the report
tr '\r' '\n' <"$T_ROOT/tty" | grep -a -A1 "^auditing: $n of $n entries" | tail -1 | grep -a -q $'^\033\\[K'
ok $? "the line is erased before the report"
grep -a -q "result: OK" "$T_ROOT/tty" && ! grep -a "result: OK" "$T_ROOT/tty" | grep -q "auditing"
ok $? "the report follows, on lines of its own"

p a audit >"$T_ROOT/out" 2>"$T_ROOT/err"
[ ! -s "$T_ROOT/err" ] && ! grep -q "auditing" "$T_ROOT/out"; ok $? "stderr not a terminal: no progress line"
on_tty "LANG=C '$PAKT' audit --json --data-dir '$dir'" >"$T_ROOT/json" 2>&1
! grep -a -q "auditing" "$T_ROOT/json" && grep -a -q '"checked":' "$T_ROOT/json"; ok $? "--json on a terminal: no progress line"
# in Polish, with the catalog as 'make install' lays it out (see polish.sh)
if ! grep -q -- '-DENABLE_NLS=1' "$BUILD/Makefile" || ! locale -a 2>/dev/null | grep -qix 'pl_PL\.utf-\?8'; then
	echo "ok 7 # SKIP no translations or no pl_PL.UTF-8 locale"
else
	make -s -C "$BUILD/po" install DESTDIR="$T_ROOT/inst" >"$T_ROOT/install.out" 2>&1
	mo=$(find "$T_ROOT/inst" -path '*/pl/LC_MESSAGES/pakt.mo' 2>/dev/null | head -1)
	on_tty "PAKT_LOCALEDIR='${mo%/pl/LC_MESSAGES/pakt.mo}' LANG=pl_PL.UTF-8 '$PAKT' audit --data-dir '$dir'" >"$T_ROOT/pl" 2>&1
	grep -a -q "audyt: $n z $n wpisów" "$T_ROOT/pl"; ok $? "in Polish: 'audyt: $n z $n wpisów'"
fi
