#!/bin/bash
# pakt's own messages in Polish (issue 12): log lines (relative times with
# Polish plural forms, the gist of each entry, --long), status, verify,
# key rotate and the usage errors, aligned by display width; English stays
# as it was; the catalog translates every message, plural ones included.
. "$(dirname "$0")/../lib/harness.sh"

if ! grep -q -- '-DENABLE_NLS=1' "$BUILD/Makefile"; then
	echo "1..0 # SKIP built without translations (configure --disable-nls)"; exit 0
fi
if ! locale -a 2>/dev/null | grep -qix 'pl_PL\.utf-\?8'; then
	echo "1..0 # SKIP no pl_PL.UTF-8 locale (./bootstrap as root generates it)"; exit 0
fi
plan 13

# the catalog as 'make install' lays it out, from this build (as polish.sh)
make -s -C "$BUILD/po" install DESTDIR="$T_ROOT/inst" >"$T_ROOT/install.out" 2>&1
mo=$(find "$T_ROOT/inst" -path '*/pl/LC_MESSAGES/pakt.mo' 2>/dev/null | head -1)
export PAKT_LOCALEDIR=${mo%/pl/LC_MESSAGES/pakt.mo}
unset LC_ALL LC_MESSAGES LANGUAGE LANG
pl() { LANG=pl_PL.UTF-8 p "$@"; }
# the display column where the author's name starts on each log line
# (the time has single spaces, two or more end it; these letters are one
# column each)
name_cols() {
	python3 -c 'import re, sys
for line in sys.stdin.read().splitlines():
    print(re.match(r"^(.*?\S)( {2,})", line).end())' | sort -u
}

make_initiative a "Pakt dla Łodzi" && join_node a b "Fundacja Dom Nadziei" &&
	p a agenda set --goal "Mniej osób na ulicy" --indicator 'beds:Miejsca:miejsca:80:up:level' >/dev/null &&
	p a post "Spotkanie w czwartek" >/dev/null && p a update "raport" --period 2026-01 --value beds=12 >/dev/null
ok $? "an initiative with a partner, an agenda, a message and an update"

pl a log >"$T_ROOT/log.pl" 2>&1
grep -q '^przed chwilą  *a #1  genesis  zakłada inicjatywę «Pakt dla Łodzi»$' "$T_ROOT/log.pl" &&
	grep -q ' member   przyjmuje Fundacja Dom Nadziei (pk_[a-z2-7]*) jako partnera$' "$T_ROOT/log.pl" &&
	grep -q ' agenda   wspólny program: Mniej osób na ulicy; beds (miejsca)$' "$T_ROOT/log.pl" &&
	grep -q ' update   2026-01: beds 12 miejsca — raport$' "$T_ROOT/log.pl"
ok $? "LANG=pl_PL.UTF-8 pakt log tells each entry in Polish"

# relative times: the client's clock moved forward by a small shim (the
# entries keep their dates), so 'pakt log' says how long ago in Polish
cat >"$T_ROOT/shift.c" <<'EOF'
#include <stdlib.h>
#include <time.h>
time_t time(time_t *t)
{
	struct timespec ts;
	time_t r;

	clock_gettime(CLOCK_REALTIME, &ts);
	r = ts.tv_sec + atol(getenv("SHIFT_S") ? getenv("SHIFT_S") : "0");
	if (t)
		*t = r;
	return r;
}
EOF
later() {   # later SECONDS pakt-args...: pakt in Polish, SECONDS from now
	local s=$1; shift
	SHIFT_S=$s LD_PRELOAD="$T_ROOT/shift.so" ASAN_OPTIONS=verify_asan_link_order=0 pl "$@"
}
if cc -shared -fPIC -o "$T_ROOT/shift.so" "$T_ROOT/shift.c" 2>"$T_ROOT/cc.out"; then
	for s in 210 10830 90030 172830 432030 1900800; do later $s a log --limit 1; done >"$T_ROOT/ago.pl" 2>&1
	sed 's/  .*//' "$T_ROOT/ago.pl" >"$T_ROOT/ago.words"
	printf '%s\n' '3 min temu' '3 godz. temu' '1 dzień temu' '2 dni temu' '5 dni temu' "$(date +%Y-%m-%d)" |
		cmp -s - "$T_ROOT/ago.words"
	ok $? "relative times in Polish plural forms: $(tr '\n' '|' <"$T_ROOT/ago.words")"
	[ "$(name_cols <"$T_ROOT/ago.pl")" = 15 ] && [ "$(pl a log | name_cols)" = 15 ]
	ok $? "the names start in one column whatever the time says (13 columns for '23 godz. temu', then 2)"
else
	ok 0 "# SKIP no C compiler to move the clock ($(head -1 "$T_ROOT/cc.out"))"
	ok 0 "# SKIP no C compiler to move the clock"
fi

pl a log --long --limit 1 >"$T_ROOT/long.pl" 2>&1
grep -q '^#6 update, autor: a, 20[0-9-]* [0-9:]* (przed chwilą)$' "$T_ROOT/long.pl" &&
	grep -q '^  inicjatywa  nw_' "$T_ROOT/long.pl" && grep -q '^  poprzedni   en_' "$T_ROOT/long.pl" &&
	grep -q '^  w skrócie   2026-01: beds 12 miejsca — raport$' "$T_ROOT/long.pl"
ok $? "log --long names its fields in Polish, aligned to the widest"

pl a status >"$T_ROOT/status.pl" 2>&1
grep -q '^paktd          działa (pid [0-9]*, od [0-9]* s)$' "$T_ROOT/status.pl" &&
	grep -q '^katalog danych ' "$T_ROOT/status.pl" && grep -q '^nazwa          a$' "$T_ROOT/status.pl" &&
	grep -q '^wpisy          [0-9]* (dzienniki: [0-9]*, inicjatywy: 1)$' "$T_ROOT/status.pl"
ok $? "status in Polish, labels aligned to 'katalog danych'"

pl a verify >"$T_ROOT/verify.pl" 2>&1 && grep -q '^ok: sprawdzone wpisy: [0-9]* (dzienniki: [0-9]*), błędne: 0$' "$T_ROOT/verify.pl"
ok $? "verify in Polish: $(cat "$T_ROOT/verify.pl")"

# English is as it was
p a log >"$T_ROOT/log.en" 2>&1
grep -q '^just now    a #1  genesis  starts the initiative «Pakt dla Łodzi»$' "$T_ROOT/log.en" &&
	grep -q ' member   admits Fundacja Dom Nadziei (pk_[a-z2-7]*) as member$' "$T_ROOT/log.en" &&
	p a status >"$T_ROOT/status.en" 2>&1 && grep -q '^entries      [0-9]* in [0-9]* feeds, 1 initiatives$' "$T_ROOT/status.en" &&
	! grep -q 'przed chwilą\|zakłada\|przyjmuje\|wpisy\|działa' "$T_ROOT/log.en" "$T_ROOT/status.en"
ok $? "without LANG the same commands speak English"

pl a key rotate >"$T_ROOT/rotate.pl" 2>&1 && grep -q '^wymieniono: pk_' "$T_ROOT/rotate.pl" &&
	grep -q '^      nowy: pk_' "$T_ROOT/rotate.pl" &&
	grep -q '^zmianę klucza ogłoszono w 1 inicjatywie; wpisy podpisane starym kluczem nadal przechodzą weryfikację$' "$T_ROOT/rotate.pl"
ok $? "key rotate in Polish, 'w 1 inicjatywie' (the singular form)"

pl a log --type messages >"$T_ROOT/type.pl" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "^pakt: log: --type „messages” nie jest typem wpisu; dostępne typy: message, " "$T_ROOT/type.pl" &&
	grep -q '^użycie: pakt log \[--limit N\]' "$T_ROOT/type.pl" && grep -q "^(więcej: 'pakt log --help')$" "$T_ROOT/type.pl"
ok $? "a usage error in Polish: the reason, the Polish synopsis, where to read more (exit $rc)"

pl a log --from fund >/dev/null 2>&1 && pl a log --from xyz >"$T_ROOT/from.pl" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "^pakt: log: --from „xyz” to ani identyfikator (pk_...), ani początek nazwy partnera" "$T_ROOT/from.pl"
ok $? "an unknown member's name in Polish (exit $rc)"

LANG=pl_PL.UTF-8 "$PAKT" status --data-dir "$T_ROOT/nowhere" >"$T_ROOT/nodir.pl" 2>&1; rc=$?
[ $rc -eq 4 ] && grep -q "^pakt: status: nie ma katalogu danych $T_ROOT/nowhere: uruchom 'pakt init --data-dir" "$T_ROOT/nodir.pl"
ok $? "no data directory, in Polish, exit 4"

# the catalog: every message of these sources, P_() plurals included
(cd "$SRC" && xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=P_:1,2 -f po/POTFILES.in -o "$T_ROOT/now.pot") &&
	msgmerge -q --no-fuzzy-matching "$SRC/po/pl.po" "$T_ROOT/now.pot" -o "$T_ROOT/now.po" &&
	msgfmt -c --statistics -o /dev/null "$T_ROOT/now.po" >"$T_ROOT/now.stats" 2>&1 &&
	grep -q '^[0-9]* translated messages\.$' "$T_ROOT/now.stats" && grep -q 'msgid_plural "%lld days ago"' "$T_ROOT/now.pot"
ok $? "every message, plural forms included, is translated ($(cat "$T_ROOT/now.stats"))"
