#!/bin/bash
# pakt in Polish: LANG=pl_PL.UTF-8 (or LANGUAGE, LC_ALL, LC_MESSAGES)
# gives Polish help for pakt and every command, English stays the default,
# numbers keep their '.', po/pl.po translates every message of the current
# sources (none untranslated or fuzzy), and 'make install' puts the catalog
# where pakt finds it.
. "$(dirname "$0")/../lib/harness.sh"

if ! grep -q -- '-DENABLE_NLS=1' "$BUILD/Makefile"; then
	echo "1..0 # SKIP built without translations (configure --disable-nls)"; exit 0
fi
if ! locale -a 2>/dev/null | grep -qix 'pl_PL\.utf-\?8'; then
	echo "1..0 # SKIP no pl_PL.UTF-8 locale (./bootstrap as root generates it:" \
		"echo 'pl_PL.UTF-8 UTF-8' >>/etc/locale.gen && locale-gen)"
	exit 0
fi
plan 14

# the catalog as 'make install' lays it out, from this build
make -s -C "$BUILD/po" install DESTDIR="$T_ROOT/inst" >"$T_ROOT/install.out" 2>&1
mo=$(find "$T_ROOT/inst" -path '*/pl/LC_MESSAGES/pakt.mo' 2>/dev/null | head -1)
export PAKT_LOCALEDIR=${mo%/pl/LC_MESSAGES/pakt.mo}
# without PAKT_LOCALEDIR pakt looks in the localedir it was built with
[ -n "$mo" ] && grep -qaF -- "${PAKT_LOCALEDIR#"$T_ROOT/inst"}" "$PAKT"
ok $? "make install puts pl/LC_MESSAGES/pakt.mo in the localedir pakt looks in (${mo#"$T_ROOT/inst"})"
unset LC_ALL LC_MESSAGES LANGUAGE LANG
pl() { LANG=pl_PL.UTF-8 "$PAKT" "$@"; }

pl --help >"$T_ROOT/help.pl" 2>&1
grep -q '^użycie: pakt \[--version\] \[--help\] \[--data-dir KATALOG\]' "$T_ROOT/help.pl" &&
	grep -q '^  members      lista partnerów inicjatywy$' "$T_ROOT/help.pl" &&
	grep -q '^  commit       publikuje zobowiązanie jednej lub kilku organizacji$' "$T_ROOT/help.pl" &&
	grep -q "^Kody wyjścia: 0 sukces" "$T_ROOT/help.pl" &&
	! grep -q 'list the members\|Exit codes' "$T_ROOT/help.pl"
ok $? "LANG=pl_PL.UTF-8 pakt --help is Polish"

"$PAKT" --help >"$T_ROOT/help.en" 2>&1
cmds=$(sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p' "$T_ROOT/help.en")
[ "$(sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p' "$T_ROOT/help.pl")" = "$cmds" ] && [ "$(echo "$cmds" | wc -l)" -ge 30 ]
ok $? "the Polish list names the same $(echo "$cmds" | wc -l) commands, in the same order"

grep -q '^usage: pakt \[--version\]' "$T_ROOT/help.en" && ! grep -q '[ąćęłńóśźż]' "$T_ROOT/help.en" &&
	LANG=C "$PAKT" --help | cmp -s - "$T_ROOT/help.en" &&
	LANGUAGE=pl "$PAKT" --help | cmp -s - "$T_ROOT/help.en"
ok $? "English without LANG, with LANG=C, and with only LANGUAGE=pl (no Polish locale chosen)"

bad=""
for c in $cmds; do
	pl "$c" --help >"$T_ROOT/c.pl" 2>&1 && "$PAKT" "$c" --help >"$T_ROOT/c.en" 2>&1 &&
		head -1 "$T_ROOT/c.pl" | grep -q "^użycie: pakt $c" && ! cmp -s "$T_ROOT/c.pl" "$T_ROOT/c.en" &&
		# the options a user types stay the same (bash completion reads them)
		[ "$(grep -o -- '--[a-z][a-z-]*' "$T_ROOT/c.pl" | sort -u)" = "$(grep -o -- '--[a-z][a-z-]*' "$T_ROOT/c.en" | sort -u)" ] ||
		bad="$bad $c"
done
[ -z "$bad" ]; ok $? "every command's --help is Polish and names the same options${bad:+ (not:$bad)}"

pl post --help | grep -q 'zaszyfruj wiadomość: przeczytają ją tylko ci partnerzy' &&
	pl commitments --help | grep -q '^  --overdue   tylko otwarte, którym minął termin$' &&
	pl agenda --help | grep -q 'jeden wskaźnik, można powtarzać' &&
	pl help report | grep -q '^użycie: pakt report \[-o PLIK.html\]'
ok $? "post, commitments, agenda and 'help report' say it in Polish"

LANGUAGE=pl LANG=C.UTF-8 "$PAKT" --help | grep -q '^  members      lista partnerów inicjatywy$' &&
	LC_ALL=pl_PL.UTF-8 "$PAKT" --help | grep -q '^użycie: pakt' &&
	LC_MESSAGES=pl_PL.UTF-8 LANG=C.UTF-8 "$PAKT" --help | grep -q '^użycie: pakt' &&
	LC_ALL=C LANG=pl_PL.UTF-8 "$PAKT" --help | grep -q '^usage: pakt'
ok $? "LANGUAGE, LC_ALL and LC_MESSAGES choose the language as usual"

# Polish output is UTF-8 even when only LC_MESSAGES is Polish
LC_MESSAGES=pl_PL.UTF-8 LANG=C "$PAKT" --help | grep -q 'lista partnerów inicjatywy'
ok $? "translations come out in UTF-8 whatever LC_CTYPE is"

# only messages follow the locale: numbers keep '.', usage errors keep working
init_node a && start_daemon a && p a initiative create "Pakt" >/dev/null &&
	p a agenda set --goal "g" --indicator 'beds:Miejsca:miejsca:80:up:level' >/dev/null &&
	LANG=pl_PL.UTF-8 p a update "x" --period 2026-01 --value beds=12.5 >/dev/null
ok $? "in Polish, an update with the value 12.5 is accepted"
LANG=pl_PL.UTF-8 p a metrics --json | grep -q '12\.5' && ! LANG=pl_PL.UTF-8 p a metrics --json | grep -q '12,5'
ok $? "in Polish, metrics --json shows 12.5 (no decimal comma)"
pl log --bogus >/dev/null 2>&1; [ $? -eq 2 ]; ok $? "in Polish, a bad option still exits 2"

# the catalog: complete, consistent, and in step with the sources
msgfmt -c --statistics -o /dev/null "$SRC/po/pl.po" >"$T_ROOT/stats" 2>&1 &&
	grep -q '^[0-9]* translated messages\.$' "$T_ROOT/stats"
ok $? "msgfmt -c --statistics po/pl.po: $(cat "$T_ROOT/stats") (0 untranslated, 0 fuzzy)"
(cd "$SRC" && xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=P_:1,2 -f po/POTFILES.in -o "$T_ROOT/now.pot") &&
	msgmerge -q --no-fuzzy-matching "$SRC/po/pl.po" "$T_ROOT/now.pot" -o "$T_ROOT/now.po" &&
	msgfmt --statistics -o /dev/null "$T_ROOT/now.po" >"$T_ROOT/now.stats" 2>&1 &&
	grep -q '^[0-9]* translated messages\.$' "$T_ROOT/now.stats"
ok $? "every message in today's sources is translated ($(cat "$T_ROOT/now.stats"); if not: make update-po, then translate)"
n_src=$(grep -c '^msgid ' "$T_ROOT/now.pot"); n_po=$(grep -c '^msgid ' "$T_ROOT/now.po")
[ "$n_src" -gt 60 ] && [ "$n_src" = "$n_po" ]
ok $? "the sources mark $((n_src - 1)) messages and pl.po has each"
