#!/bin/bash
# The collective-impact commands in Polish (LANG=pl_PL.UTF-8): commit,
# accept and progress, commitments, audit (its table by display width),
# agenda, update, metrics, the chart's labels and 'pakt verify FILE'; the
# same commands stay English without LANG.
. "$(dirname "$0")/../lib/harness.sh"

if ! grep -q -- '-DENABLE_NLS=1' "$BUILD/Makefile"; then
	echo "1..0 # SKIP built without translations (configure --disable-nls)"; exit 0
fi
if ! locale -a 2>/dev/null | grep -qix 'pl_PL\.utf-\?8'; then
	echo "1..0 # SKIP no pl_PL.UTF-8 locale (./bootstrap as root generates it)"; exit 0
fi
plan 9

# the catalog as 'make install' lays it out, from this build (as polish.sh)
make -s -C "$BUILD/po" install DESTDIR="$T_ROOT/inst" >"$T_ROOT/install.out" 2>&1
mo=$(find "$T_ROOT/inst" -path '*/pl/LC_MESSAGES/pakt.mo' 2>/dev/null | head -1)
export PAKT_LOCALEDIR=${mo%/pl/LC_MESSAGES/pakt.mo}
unset LC_ALL LC_MESSAGES LANGUAGE LANG
pl() { LANG=pl_PL.UTF-8 p "$@"; }
width() { python3 -c 'import sys, unicodedata as u
for l in sys.stdin.read().split("\n"):
    if l: print(sum(2 if u.east_asian_width(c) in "WF" else 0 if u.combining(c) else 1 for c in l))'; }

init_node a --name "Fundacja Łódzka Żółć" && start_daemon a && p a initiative create "Pakt" >/dev/null
id_a=$(node_id a)
pl a agenda set --goal "Nikt nie śpi na ulicy" --indicator 'beds:Miejsca noclegowe:miejsca:80:up:level' \
	--indicator 'meals:Posiłki:porcje' >"$T_ROOT/set.pl" &&
	grep -q '^ustalono wspólny program #[0-9]* en_[a-z2-7]* (2 wskaźniki)$' "$T_ROOT/set.pl"
ok $? "agenda set says it in Polish, with the plural of 2 ($(cat "$T_ROOT/set.pl"))"

pl a update "marzec" --period 2026-03 --value beds=30 --value meals=500 | grep -q '^opublikowano sprawozdanie #' &&
	pl a update "kwiecień" --period 2026-04 --value beds=40 --value meals=600 >/dev/null &&
	pl a agenda >"$T_ROOT/agenda.pl" &&
	grep -q '^ID           NAZWA                        JEDNOSTKA  RODZAJ      CEL  LEPIEJ$' "$T_ROOT/agenda.pl" &&
	grep -q '^cel: Nikt nie śpi na ulicy$' "$T_ROOT/agenda.pl"
ok $? "update and agenda in Polish, the agenda's columns aligned"

pl a metrics >"$T_ROOT/metrics.pl" &&
	grep -q '^  level: suma ostatnich wartości każdej organizacji$' "$T_ROOT/metrics.pl" &&
	grep -q '^  obecnie 40 (2026-04)$' "$T_ROOT/metrics.pl" &&
	grep -q '^  cel: 80 (im więcej, tym lepiej): ' "$T_ROOT/metrics.pl" &&
	grep -q '^  trend: rośnie od 1 okresu (to dobrze)$' "$T_ROOT/metrics.pl" &&
	! grep -q 'current\|target\|no values' "$T_ROOT/metrics.pl"
ok $? "metrics in Polish (kind, current value, target, a trend of one period)"

pl a metrics --chart "$T_ROOT/c.svg" | grep -q "^wykres zapisano w $T_ROOT/c.svg\$" &&
	grep -q '>okres (pierwszy dzień)</text>' "$T_ROOT/c.svg" &&
	grep -q 'class="target-label"[^>]*>cel: 80</text>' "$T_ROOT/c.svg" &&
	grep -q '<tspan[^>]*>partnerstwo (łącznie)</tspan>' "$T_ROOT/c.svg" &&
	grep -q '>miejsca noclegowe, ostatni stan</text>' "$T_ROOT/c.svg" &&
	! grep -q 'period (first day)\|partnership\|>target ' "$T_ROOT/c.svg"
ok $? "the chart's axes, target and legend are Polish"

cm=$(pl a commit "Otworzyć 20 miejsc" --party "$id_a" --due 2099-12-31 --indicator beds --target 20 |
	grep '^opublikowano zobowiązanie en_' | en_id)
[ -n "$cm" ] && pl a accept "$cm" | grep -q "^przyjęto $cm: #[0-9]* en_" &&
	pl a progress "$cm" in-progress --note "pierwsze otwarte" | grep -q "^$cm ma teraz stan in-progress: #"
ok $? "commit, accept and progress answer in Polish"

pl a commitments >"$T_ROOT/com.pl" &&
	grep -q '^  autor: Fundacja Łódzka Żółć (pk_[a-z2-7]*\(…\)\?), .*; termin: 2099-12-31$' "$T_ROOT/com.pl" &&
	grep -q '^  wynik: open; przyjęte przez wszystkie strony: tak$' "$T_ROOT/com.pl" &&
	grep -q '^  dotyczy wskaźnika beds, cel: 20$' "$T_ROOT/com.pl" &&
	grep -q '^  stan: in-progress, ustawiony .*, autor: Fundacja Łódzka Żółć (pk_[a-z2-7]*\(…\)\?) ("pierwsze otwarte")$' "$T_ROOT/com.pl"
ok $? "commitments in Polish, the states kept as values"

pl a audit >"$T_ROOT/audit.pl"; rc=$?
hdr=$(grep '^  ORGANIZACJA ' "$T_ROOT/audit.pl"); row=$(grep -A1 '^  ORGANIZACJA ' "$T_ROOT/audit.pl" | tail -1)
[ $rc -eq 0 ] && grep -q '^łańcuchy i podpisy: sprawdzono [0-9]* wpis\(y\|ów\)\?, wszystko poprawne$' "$T_ROOT/audit.pl" &&
	grep -q '^wynik: OK: wszystkie łańcuchy nienaruszone, brak rozwidleń$' "$T_ROOT/audit.pl" &&
	[ -n "$hdr" ] && [ "$(printf '%s\n' "$hdr" | width)" -le 80 ] &&
	[ "$(printf '%s\n' "$hdr" | width)" = "$(printf '%s\n' "$row" | width)" ] &&
	echo "$row" | grep -q '^  Fundacja Łódzka… (pk_[a-z2-7]*\(…\)\?) *1 *0 *0 *0 *0 *0 *1$'
ok $? "audit in Polish; its record table fits 80 columns and rows line up with the header"

p a export "$cm" -o "$T_ROOT/b.bundle" >/dev/null &&
	LANG=pl_PL.UTF-8 "$PAKT" verify "$T_ROOT/b.bundle" >"$T_ROOT/verify.pl" &&
	grep -q '^ok: .* dowodzi historii zobowiązania$' "$T_ROOT/verify.pl" &&
	grep -q '^zobowiązanie  en_' "$T_ROOT/verify.pl" &&
	grep -q '^  tytuł       Otworzyć 20 miejsc$' "$T_ROOT/verify.pl" &&
	grep -q '^  przyjęte przez wszystkie strony: tak$' "$T_ROOT/verify.pl" &&
	LANG=pl_PL.UTF-8 "$PAKT" verify "$T_ROOT/b.bundle" --bogus 2>&1 | grep -q '^pakt: verify: nieznana lub niepełna opcja .*--bogus.*$'
ok $? "verify FILE in Polish, its labels in one column"

# English without LANG: the same commands say what they said before
p a audit | grep -q '^  ORGANISATION                      MADE ACCEPTED DECLINED KEPT LATE MISSED OPEN$' &&
	p a metrics | grep -q '^  trend: rising for 1 period (better)$' &&
	"$PAKT" verify "$T_ROOT/b.bundle" | grep -q '^  title     Otworzyć 20 miejsc$' &&
	p a agenda | grep -q '^ID           NAME                         UNIT       KIND     TARGET  BETTER$'
ok $? "without LANG the same commands are English"
