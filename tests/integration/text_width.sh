#!/bin/bash
# Columns by letters, not bytes (issue 12): members with Polish names are
# aligned in 'members', 'metrics' and 'commitments' by display width, cut
# with "…" where too long, and no line is wider than 80 columns. The
# widths are measured here with Python's unicodedata (east_asian_width),
# independently of pakt's wcwidth.
. "$(dirname "$0")/../lib/harness.sh"
plan 8

B="Fundacja „Dom Nadziei”"
C="Spółdzielnia Socjalna Żółty Dom"
D="Miejski Ośrodek Pomocy Społecznej w Łodzi"

# cols PATTERN < FILE: for each line matching PATTERN (a Python regex), the
# display column where the match starts; then "max WIDTH" of every line.
cols() {
	python3 -c '
import re, sys, unicodedata
def width(s):
    w = 0
    for ch in s:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w
pat = re.compile(sys.argv[1])
most = 0
for line in sys.stdin.read().split("\n"):
    most = max(most, width(line))
    m = pat.search(line)
    if m:
        print(width(line[:m.start()]))
print("max", most)
' "$1"
}
# aligned PATTERN FILE N: N lines match, all at one column, none wider than 80
aligned() {
	local out; out=$(cols "$1" <"$2")
	[ "$(echo "$out" | grep -vc '^max')" -eq "$3" ] &&
		[ "$(echo "$out" | grep -v '^max' | sort -u | wc -l)" -eq 1 ] &&
		[ "$(echo "$out" | sed -n 's/^max //p')" -le 80 ] ||
		{ diag "$1 in $2: $(echo $out)"; return 1; }
}

work_mesh a "b:$B" "c:$C" "d:$D"; ok $? "a creates the initiative; three organisations with Polish names join"
id_b=$(node_id b); id_c=$(node_id c); id_d=$(node_id d)
wait_for 100 sh -c "[ \$('$PAKT' members --data-dir '$(node_dir a)' | grep -c '^  pk_') -eq 4 ]"
ok $? "a lists 4 members"

p a members >"$T_ROOT/members"
aligned ' (admin|member) ' "$T_ROOT/members" 4; ok $? "members: the role column starts at one display column on every row, within 80"
grep -q "^Miejski Ośrodek Pomocy Społecznej… member " "$T_ROOT/members" &&
	grep -q "^Fundacja „Dom Nadziei”  *member " "$T_ROOT/members"
ok $? "members: a long name is cut with …, between letters; a short one is padded"

p a agenda set --goal "Nikt nie śpi na ulicy" --indicator "beds:Miejsca noclegowe:miejsca:80:up:level" >/dev/null &&
	wait_for 100 sh -c "'$PAKT' agenda --json --data-dir '$(node_dir d)' | grep -q beds" &&
	p b update "Schronisko" --period 2026-01 --value beds=40 >/dev/null &&
	p c update "Pokoje" --period 2026-01 --value beds=6 >/dev/null &&
	p d update "Noclegownia" --period 2026-01 --value beds=25 >/dev/null &&
	wait_for 100 sh -c "[ \$('$PAKT' log --type update --data-dir '$(node_dir a)' | wc -l) -eq 3 ]"
ok $? "an agenda with one indicator; b, c and d report to it"
p a metrics >"$T_ROOT/metrics"
aligned '[█░]{20}' "$T_ROOT/metrics" 3; ok $? "metrics: the bars of the 3 organisations start at one display column, within 80"

cm=$(p a commit "Zimowe miejsca" --party "$id_b" --party "$id_c" --party "$id_d" --due 2099-12-31 | en_id)
p c accept "$cm" >/dev/null 2>&1
wait_for 100 sh -c "'$PAKT' commitments --data-dir '$(node_dir a)' | grep -q 'accepted'"
p a commitments >"$T_ROOT/cm"
aligned ' (no answer yet$|accepted )' "$T_ROOT/cm" 3; ok $? "commitments: the parties' answers start at one display column, within 80"
p a log >"$T_ROOT/log"
grep -q "  Spółdzielnia Socjalna Żółty Dom #[0-9]*  update   2026-01: beds 6 miejsca" "$T_ROOT/log"
ok $? "log: an update shows its values with the indicator's unit"
