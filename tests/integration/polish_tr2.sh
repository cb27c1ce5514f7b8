#!/bin/bash
# Messages of members, post, doctor, backup, join and of pakt itself in
# Polish (LANG=pl_PL.UTF-8): whole sentences, plural forms, the members
# table still aligned by display width, and doctor --json kept in English.
. "$(dirname "$0")/../lib/harness.sh"

if ! grep -q -- '-DENABLE_NLS=1' "$BUILD/Makefile"; then
	echo "1..0 # SKIP built without translations (configure --disable-nls)"; exit 0
fi
if ! locale -a 2>/dev/null | grep -qix 'pl_PL\.utf-\?8'; then
	echo "1..0 # SKIP no pl_PL.UTF-8 locale (./bootstrap generates it)"; exit 0
fi
plan 8

# the catalog of this build, as 'make install' lays it out (polish.sh)
make -s -C "$BUILD/po" install DESTDIR="$T_ROOT/inst" >"$T_ROOT/install.out" 2>&1
mo=$(find "$T_ROOT/inst" -path '*/pl/LC_MESSAGES/pakt.mo' 2>/dev/null | head -1)
export PAKT_LOCALEDIR=${mo%/pl/LC_MESSAGES/pakt.mo}
unset LC_ALL LC_MESSAGES LANGUAGE LANG
pl() { local n=$1; shift; LANG=pl_PL.UTF-8 "$PAKT" "$@" --data-dir "$(node_dir "$n")"; }

work_mesh a "b:Ośrodek Pomocy Społecznej"; ok $? "a creates the initiative, b joins under a Polish name"

pl a members >"$T_ROOT/members.pl"; p a members >"$T_ROOT/members.en"
# the role column starts at column 36 in both languages
grep -q '^partnerzy inicjatywy ' "$T_ROOT/members.pl" && grep -q '^NAZWA  *ROLA  *OD KIEDY  *PRZYJĘTA PRZEZ$' "$T_ROOT/members.pl" &&
	[ "$(grep -m1 '^NAZWA' "$T_ROOT/members.pl" | sed 's/ROLA.*//' | wc -m)" = 36 ] &&
	[ "$(grep -m1 '^NAME' "$T_ROOT/members.en" | sed 's/ROLE.*//' | wc -m)" = 36 ] &&
	grep -q '(założyciel)' "$T_ROOT/members.pl"
ok $? "members in Polish: heading and headers, the role column where it is in English"

pl a post --to "ośrodek" "Spotkanie w czwartek" >"$T_ROOT/post.pl"
grep -q '^opublikowano #[0-9]* en_[a-z2-7]* (zaszyfrowane dla 2 odbiorców, łącznie z tą organizacją)$' "$T_ROOT/post.pl"
ok $? "a sealed post in Polish, with the plural form for 2: $(cat "$T_ROOT/post.pl")"
p a post --to "ośrodek" "x" | grep -q ' (sealed to 2 recipients, this organisation included)$'
ok $? "and in English as before"

pl a backup "$T_ROOT/post.pl" >/dev/null 2>"$T_ROOT/backup.err"; rc=$?
[ $rc -eq 1 ] && grep -q 'wybierz nową nazwę pliku; kopia zapasowa nigdy nie nadpisuje pliku' "$T_ROOT/backup.err"
ok $? "backup over a file: refused in Polish (rc $rc)"

LANG=pl_PL.UTF-8 "$PAKT" doctor --data-dir "$T_ROOT/none" >"$T_ROOT/doctor.pl" 2>&1; rc=$?
[ $rc -eq 1 ] && grep -q "^BŁĄD  datadir  brak katalogu danych $T_ROOT/none: utwórz węzeł poleceniem 'pakt init" "$T_ROOT/doctor.pl" &&
	grep -q '^1 błąd, 0 ostrzeżeń (' "$T_ROOT/doctor.pl"
ok $? "doctor in Polish: the finding, its level and the summary's plural forms"
LANG=pl_PL.UTF-8 "$PAKT" doctor --json --data-dir "$T_ROOT/none" | grep -q '"level":"error","message":"no data directory '
ok $? "doctor --json keeps English findings for scripts"

pl a joinn 2>&1 | grep -q "^pakt: 'joinn' nie jest poleceniem pakt; zob. 'pakt --help'$" &&
	pl a join "xx" 2>&1 | grep -q '^pakt: join: kod zaproszenia zaczyna się od pi_$'
ok $? "an unknown command and a bad invite code, in Polish"
