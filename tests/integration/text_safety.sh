#!/bin/bash
# A partner's text cannot steer another node's terminal (issue 12): a
# message, a commitment title and a decline reason carrying ESC[31m, a CR,
# a newline followed by a forged log line and a right-to-left override are
# shown on the other node by 'log', 'tail -f', 'commitments' and 'audit'
# with those characters made visible: no raw ESC, CR or RLO byte reaches
# stdout, and the forged line never starts a line.
. "$(dirname "$0")/../lib/harness.sh"
plan 14

ESC=$'\x1b'; CR=$'\r'; RLO=$'\xe2\x80\xae'
FORGED='2026-12-01  Miejski Osrodek #99  message  MOPS ma racje'
payload="hello ${ESC}[31mRED${ESC}[0m back${CR}over"$'\n'"$FORGED ${RLO}gpj.exe"

make_initiative a "Bezpieczny tekst" && join_node a b "Fundacja B" || true
id_a=$(node_id a); id_b=$(node_id b)
wait_for 100 sh -c "'$PAKT' members --data-dir '$(node_dir b)' | grep -q '^  $id_a'"
ok $? "a creates the initiative, b joins"

# safe FILE WHAT: no raw ESC, CR or RLO in FILE, and no line starts with the forged one
safe() {
	! LC_ALL=C grep -q "$ESC" "$1" && ! LC_ALL=C grep -q "$CR" "$1" && ! LC_ALL=C grep -qF "$RLO" "$1" &&
		! grep -q "^$FORGED" "$1"
}
# shown FILE: the payload is there, its controls spelled out
shown() {
	grep -qF 'hello \e[31mRED\e[0m back\rover⏎2026-12-01  Miejski Osrodek #99  message  MOPS ma racje <U+202E>gpj.exe' "$1"
}

mid=$(p b post "$payload" | en_id)
[ -n "$mid" ] && wait_for 100 sh -c "'$PAKT' log --type message --data-dir '$(node_dir a)' | grep -q 'hello'"
ok $? "b posts the message; it reaches a"

p a log >"$T_ROOT/log.a"
safe "$T_ROOT/log.a"; ok $? "log on a: no raw ESC, CR or RLO, the forged line starts no line"
shown "$T_ROOT/log.a" && [ "$(grep -c 'hello' "$T_ROOT/log.a")" -eq 1 ]
ok $? "log on a: the message on one line, ESC as \\e, CR as \\r, newline as ⏎, RLO as <U+202E>"
grep -q "  Fundacja B #[0-9]*  message  hello" "$T_ROOT/log.a"; ok $? "log on a names the author, not its key"
p a log --long >"$T_ROOT/long.a"
safe "$T_ROOT/long.a" && grep -q "^    $FORGED" "$T_ROOT/long.a"
ok $? "log --long on a: the text on its own lines, indented, nothing raw"

timeout 5 "$PAKT" tail -f -n 5 --data-dir "$(node_dir a)" >"$T_ROOT/tail.a" 2>&1
safe "$T_ROOT/tail.a" && shown "$T_ROOT/tail.a"
ok $? "tail -f on a (stopped after 5 s): the same, made visible"

cm=$(p b commit "$payload" --party "$id_a" --due 2099-12-31 | en_id)
[ -n "$cm" ] && wait_for 100 sh -c "'$PAKT' commitments --data-dir '$(node_dir a)' | grep -q 'hello'"
ok $? "b commits a with the payload as title"
p a decline "$cm" --reason "$payload" >/dev/null &&
	wait_for 100 sh -c "'$PAKT' commitments --data-dir '$(node_dir b)' | grep -q 'declined'"
ok $? "a declines with the payload as reason; b sees the answer"

for n in a b; do
	p "$n" commitments >"$T_ROOT/cm.$n"
	p "$n" audit >"$T_ROOT/audit.$n"
	p "$n" log >"$T_ROOT/log2.$n"
done
safe "$T_ROOT/cm.a" && safe "$T_ROOT/cm.b" && shown "$T_ROOT/cm.a" && shown "$T_ROOT/cm.b"
ok $? "commitments on a and b: title and reason made visible, nothing raw"
[ "$(grep -c 'hello' "$T_ROOT/cm.b")" -eq 2 ]; ok $? "commitments on b: the title and the reason, one line each"
safe "$T_ROOT/audit.a" && safe "$T_ROOT/audit.b" && shown "$T_ROOT/audit.b"
ok $? "audit on a and b: nothing raw, the reason made visible"
safe "$T_ROOT/log2.a" && safe "$T_ROOT/log2.b" &&
	grep -q "  a #[0-9]*  decline  declines «hello \\\\e\[31mRED.*»: hello .*<U+202E>gpj.exe\$" "$T_ROOT/log2.b"
ok $? "log on b: 'declines «TITLE»: reason', both made visible"
no_sanitizer_reports; ok $? "no sanitizer reports"
