#!/bin/bash
# paktd speaks English; pakt shows its fixed messages in the user's
# language (daemon/tr.h marks them, po/pl.po translates them): a refusal
# from paktd reads in Polish under LANG=pl_PL.UTF-8 and in English without.
. "$(dirname "$0")/../lib/harness.sh"

if ! grep -q -- '-DENABLE_NLS=1' "$BUILD/Makefile"; then
	echo "1..0 # SKIP built without translations (configure --disable-nls)"; exit 0
fi
if ! locale -a 2>/dev/null | grep -qix 'pl_PL\.utf-\?8'; then
	echo "1..0 # SKIP no pl_PL.UTF-8 locale (./bootstrap generates it)"; exit 0
fi
plan 4

make -s -C "$BUILD/po" install DESTDIR="$T_ROOT/inst" >"$T_ROOT/install.out" 2>&1
mo=$(find "$T_ROOT/inst" -path '*/pl/LC_MESSAGES/pakt.mo' 2>/dev/null | head -1)
export PAKT_LOCALEDIR=${mo%/pl/LC_MESSAGES/pakt.mo}
unset LC_ALL LC_MESSAGES LANGUAGE LANG
pl() { local n=$1; shift; LANG=pl_PL.UTF-8 "$PAKT" "$@" --data-dir "$(node_dir "$n")"; }

make_initiative a "Program"; ok $? "a node with an initiative and no agenda"
pl a agenda >"$T_ROOT/agenda.pl" 2>&1; rc=$?
[ $rc -ne 0 ] && grep -q "^pakt: agenda: nie ma jeszcze wspólnego programu: administrator ustala go poleceniem 'pakt agenda set'$" "$T_ROOT/agenda.pl"
ok $? "paktd's 'no agenda yet' reads in Polish ($(cat "$T_ROOT/agenda.pl"))"
pl a peer remove 127.0.0.1:9 >"$T_ROOT/peer.pl" 2>&1
grep -q "nie ma takiego węzła (zob. pakt peer list)" "$T_ROOT/peer.pl"
ok $? "and 'no such peer' too"
p a agenda 2>&1 | grep -q "^pakt: agenda: no agenda yet: an admin sets one with 'pakt agenda set'$"
ok $? "without LANG the same refusal is English"
