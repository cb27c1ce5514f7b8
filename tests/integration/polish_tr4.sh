#!/bin/bash
# The partnership report in Polish: with LANG=pl_PL.UTF-8, 'pakt report'
# writes <html lang="pl"> and its headings, table headers, sentences (with
# Polish plural forms) and the verification section's explanations in
# Polish, while partner text stays escaped and the verification commands,
# ids and numbers stay exactly as in the English report of the same data.
# No browser needed: the HTML file is read as it is.
. "$(dirname "$0")/../lib/harness.sh"

if ! grep -q -- '-DENABLE_NLS=1' "$BUILD/Makefile"; then
	echo "1..0 # SKIP built without translations (configure --disable-nls)"; exit 0
fi
if ! locale -a 2>/dev/null | grep -qix 'pl_PL\.utf-\?8'; then
	echo "1..0 # SKIP no pl_PL.UTF-8 locale (./bootstrap as root generates it)"; exit 0
fi
plan 13

# the catalog as 'make install' lays it out (as tests/integration/polish.sh)
make -s -C "$BUILD/po" install DESTDIR="$T_ROOT/inst" >"$T_ROOT/install.out" 2>&1
mo=$(find "$T_ROOT/inst" -path '*/pl/LC_MESSAGES/pakt.mo' 2>/dev/null | head -1)
export PAKT_LOCALEDIR=${mo%/pl/LC_MESSAGES/pakt.mo}
unset LC_ALL LC_MESSAGES LANGUAGE LANG
[ -n "$mo" ]; ok $? "the Polish catalog is installed for the test (${mo#"$T_ROOT/inst"})"

EVIL='<b>Fundacja</b> "Dom" '$'\xe2\x80\xae''x'
init_node a && init_node b && start_daemon a && p a initiative create "Pakt dla Mieszkań" >/dev/null &&
	join_node a b "$EVIL" &&
	p a agenda set --goal "Nikt nie śpi na ulicy" --indicator "beds:Miejsca:miejsca:80:up:level" \
		--indicator "rough:Osoby na ulicy:osoby:0:down" >/dev/null &&
	p a update "wrzesień" --period 2026-09 --value beds=40 >/dev/null &&
	p b update "liczenie" --period 2026-09 --value rough=35 >/dev/null &&
	p b update "liczenie" --period 2026-10 --value rough=28 >/dev/null
ok $? "a creates the initiative, b (a name with markup) joins, both report values"
id_b=$(node_id b)
cm=$(p a commit "20 miejsc" --party "$id_b" --due 2099-12-31 | en_id)
has_com() { p b commitments --json | grep -q "\"hash\":\"$cm\""; }
wait_for 100 has_com && p b accept "$cm" >/dev/null && p a post "pierwsza" >/dev/null &&
	p a post "druga" >/dev/null && wait_quiet 150 a b
ok $? "a commitment accepted by b and two messages reach both nodes"

cd "$T_ROOT" || exit 1
out=$(LANG=pl_PL.UTF-8 p a report -o "$T_ROOT/pl.html"); rc=$?
[ $rc -eq 0 ] && [ "$out" = "raport zapisano w $T_ROOT/pl.html" ]
ok $? "in Polish, pakt report says where it wrote the file ($out)"
p a report -o "$T_ROOT/en.html" >/dev/null && LANG=pl_PL.UTF-8 p a report --public -o "$T_ROOT/pub.html" >/dev/null
ok $? "the same report in English, and the public edition in Polish"

PL="$T_ROOT/pl.html"
grep -q '^<html lang="pl">$' "$PL" && grep -q '^<html lang="en">$' "$T_ROOT/en.html"
ok $? "the page's language follows the catalog: lang=\"pl\" (English: lang=\"en\")"
grep -q '<title>Raport partnerstwa: Pakt dla Mieszkań</title>' "$PL" &&
	grep -q '<h1>Raport partnerstwa: <bdi>Pakt dla Mieszkań</bdi></h1>' "$PL" &&
	for h in 'Cel i partnerzy' 'Wspólny pomiar' 'Zobowiązania' 'Bilans każdej organizacji' \
		'Co potwierdzili partnerzy' 'Rozmowa' 'Weryfikacja'; do
		grep -q "^<h2>$h</h2>\$" "$PL" || { diag "no heading: $h"; false; } || break
	done &&
	grep -q '<h3>Sprawdź samodzielnie</h3>' "$PL" &&
	grep -q '<h4>Według organizacji i okresów</h4>' "$PL"
ok $? "the title and every heading are Polish"
[ "$(grep -c '^<h2>' "$PL")" -eq "$(grep -c '^<h2>' "$T_ROOT/en.html")" ] &&
	[ -z "$(grep -o '<h[1-4]>[^<]*</h[1-4]>\|<th[^>]*>[^<]*</th>' "$PL" | sed 's/<[^>]*>//g' |
		grep -Fxf <(grep -o '<h[1-4]>[^<]*</h[1-4]>\|<th[^>]*>[^<]*</th>' "$T_ROOT/en.html" |
			sed 's/<[^>]*>//g' | grep '[a-z]' | grep -v -e '^20[0-9][0-9]-' -e '^status$' -e '^id$') )" ]
ok $? "no heading or table header is left in English"
grep -q '<th>organizacja</th><th>sektor</th><th>rola</th><th>partner od</th><th>id</th>' "$PL" &&
	grep -q '<td class="trend">spadek przez 1 okres (poprawa)</td>' "$PL" &&
	grep -q 'brakujące sprawozdania: brak' "$PL" &&
	grep -q 'Wynik: <strong class="outcome">otwarte</strong>; kontrasygnowane: tak (przyjęły je wszystkie strony)' "$PL" &&
	grep -q '<td class="answer">przyjęte</td>' "$PL" &&
	grep -q 'Audyt tego węzła: sprawdzono [0-9]* wpisów, wszystkie łańcuchy i podpisy poprawne; 0 rozwidleń; 0 dowodów błędnego podpisu; 0 anomalii.' "$PL"
ok $? "table headers, the trend, an outcome, an answer and the audit's counts read in Polish"
grep -q '<p>2 wiadomości; ich treść pominięto w wersji publicznej.</p>' "$T_ROOT/pub.html" &&
	grep -q 'Wersja: <span class="edition">publiczna</span> (bez treści wiadomości' "$T_ROOT/pub.html" &&
	grep -q '<html lang="pl">' "$T_ROOT/pub.html"
ok $? "the public edition: '2 wiadomości' (Polish plural) and its edition named in Polish"
grep -q '&lt;b&gt;Fundacja&lt;/b&gt; &quot;Dom&quot; \[U+202E\]x' "$PL" && ! grep -q '<b>Fundacja' "$PL" &&
	! grep -q $'\xe2\x80\xae' "$PL"
ok $? "in Polish, the partner's name is escaped as in English (markup, quotes, bidi override)"
sed -n '/<pre class="commands">/,/<\/pre>/p' "$PL" >"$T_ROOT/cmds.pl"
sed -n '/<pre class="commands">/,/<\/pre>/p' "$T_ROOT/en.html" >"$T_ROOT/cmds.en"
grep -q '^pakt export --feed pk_' "$T_ROOT/cmds.pl" && cmp -s "$T_ROOT/cmds.pl" "$T_ROOT/cmds.en" &&
	[ "$(grep -o 'data-[a-z]*="[^"]*"' "$PL")" = "$(grep -o 'data-[a-z]*="[^"]*"' "$T_ROOT/en.html")" ]
ok $? "the verification commands and the data attributes are the same in both languages"
LANG=pl_PL.UTF-8 p a report --period 2026-13 -o "$T_ROOT/x.html" 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 2 ] && head -1 "$T_ROOT/err" | grep -q "^pakt: report: --period '2026-13' .*RRRR, RRRR-Qn" &&
	[ ! -e "$T_ROOT/x.html" ]
ok $? "in Polish, a bad --period is refused in Polish, exit 2 ($(head -1 "$T_ROOT/err"))"
