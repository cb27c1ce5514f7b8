#!/bin/bash
# Indicators that combine by kind (issue 10), end to end on three nodes:
# shelter beds (a level) reported 40/50/60 by the foundation and 4/6 by
# the cooperative are 66 now, not 160; people sleeping rough (a level,
# lower is better) counted 35, 41, 28 are 28, falling; meals (a count)
# add up, with a split by meal; the share still housed (a ratio) adds
# numerators and denominators. Wrong values are refused before signing,
# each with its one-line reason, and every node computes the same.
. "$(dirname "$0")/../lib/harness.sh"
plan 24

work_mesh a b:Cooperative c:City; ok $? "a (Foundation) creates the initiative, b and c join"
p a profile set --name Foundation --sector ngo >/dev/null
id_a=$(node_id a); id_b=$(node_id b)
p a agenda set --goal "No one sleeps outside" \
	--indicator "beds:Shelter beds:beds:80:up:level" \
	--indicator "rough:People sleeping rough:people:15:down:level" \
	--indicator "meals:Meals served:meals:1000:up:count" \
	--indicator "kept:Still housed after 6 months:%:80:up:ratio" \
	--about rough=population --about kept=better-off \
	--baseline rough=35@2025-12 --target rough=25@2026-06 --target rough=30@2026-04 \
	--dimension rough=age:0-17,18-24,25-64,65+ --dimension meals=meal:breakfast,dinner \
	--suppress-below 3 >/dev/null
ok $? "the admin sets the agenda: two levels, a count, a ratio, a baseline, milestones, dimensions"
agenda_on() { p "$1" agenda --json | grep -q '"kind":"ratio"'; }
wait_for 100 agenda_on b && wait_for 100 agenda_on c; ok $? "the agenda reaches b and c"
p c agenda >"$T_ROOT/agenda.txt"
grep -qE '^rough +People sleeping rough +people +level +15  down' "$T_ROOT/agenda.txt" &&
	grep -q '^    milestone: 30 for 2026-04$' "$T_ROOT/agenda.txt" &&
	grep -q '^    by age: 0-17, 18-24, 25-64, 65+$' "$T_ROOT/agenda.txt" &&
	grep -q 'breakdown cells below 3 hidden' "$T_ROOT/agenda.txt"
ok $? "pakt agenda shows kinds, milestones in period order, the dimension and the threshold"

# ---- refusals, each before anything is signed ----
# refused EXPECTED_RC MESSAGE pakt-args...: the exit code, and the reason
# in one line (a usage error, exit 2, then shows the synopsis)
refused() {
	local rc_want=$1 msg=$2 rc; shift 2
	p "$@" >/dev/null 2>"$T_ROOT/err"; rc=$?
	[ $rc -eq "$rc_want" ] && head -1 "$T_ROOT/err" | grep -qF -- "$msg" &&
		{ [ $rc -eq 2 ] || [ "$(wc -l <"$T_ROOT/err")" -eq 1 ]; } ||
		{ diag "rc $rc: $(cat "$T_ROOT/err")"; return 1; }
}
refused 1 "pakt: update: rough: the split adds up to 27, not to the value 28" \
	c update "Winter count" --period 2026-03 --value rough=28 --split rough=0-17:2,18-24:6,25-64:17,65+:2
ok $? "a split that does not add up is refused with one line"
refused 1 "rough: unknown category '70+' of age" \
	c update "x" --period 2026-03 --value rough=28 --split rough=0-17:2,18-24:6,25-64:17,70+:3
ok $? "a split with an unknown category is refused"
refused 1 "meals is a count indicator: NUMERATOR/DENOMINATOR is only for a ratio" \
	a update "x" --period 2026-01 --value meals=3/4
ok $? "a ratio value on a count indicator is refused"
refused 1 "kept is a ratio: give NUMERATOR/DENOMINATOR (e.g. kept=34/40)" \
	a update "x" --period 2026-01 --value kept=34
ok $? "a ratio indicator without its denominator is refused"
refused 2 "kept: the denominator must be above 0" a update "x" --period 2026-01 --value kept=34/0
ok $? "a denominator of 0 is a usage error"
refused 1 "beds has no dimension to split by" a update "x" --period 2026-01 --value beds=3 --split beds=a:3
ok $? "a split of an indicator without dimension is refused"
refused 2 "--indicator: indicator x: the kind must be count, level or ratio, not 'average'" \
	a agenda set --goal "" --indicator x:X:u:1:up:average
ok $? "an unknown kind in the agenda is a usage error"
[ "$(quiet_count a update)" -eq 0 ] && [ "$(quiet_count c update)" -eq 0 ]; ok $? "nothing was signed for them"

# ---- three months of reports ----
p a update "Shelter open" --period 2026-01 --value beds=40 --value meals=100 \
	--split meals=breakfast:40,dinner:60 --value kept=34/40 >/dev/null &&
	p a update "Second floor" --period 2026-02 --value beds=50 >/dev/null &&
	p a update "Third floor" --period 2026-03 --value beds=60 --value kept=30/40 >/dev/null &&
	p b update "Coop rooms" --period 2026-01 --value beds=4 --value kept=18/20 >/dev/null &&
	p b update "Coop rooms" --period 2026-02 --value beds=6 --value meals=50 >/dev/null &&
	p c update "Count" --period 2026-01 --value rough=35 >/dev/null &&
	p c update "Count" --period 2026-02 --value rough=41 >/dev/null &&
	p c update "Winter count" --period 2026-03 --value rough=28 \
		--split rough=0-17:2,18-24:6,25-64:17,65+:3 >/dev/null
ok $? "the partners report beds, rough sleepers, meals and the share still housed"
eight() { [ "$(quiet_count "$1" update)" -eq 8 ]; }
wait_for 150 eight a && wait_for 150 eight b && wait_for 150 eight c; ok $? "the 8 updates reach every node"

for n in a b c; do p "$n" metrics --json >"$T_ROOT/m.$n.json" || echo "metrics failed on $n"; done
cmp -s "$T_ROOT/m.a.json" "$T_ROOT/m.b.json" && cmp -s "$T_ROOT/m.a.json" "$T_ROOT/m.c.json"
ok $? "pakt metrics --json is the same on every node"
ind() { sed 's/{"indicator":/\n&/g' "$T_ROOT/m.a.json" | grep "^{\"indicator\":\"$1\""; }
ind beds | grep -q '"kind":"level",.*"current":66,.*"target":80,.*"progress":82.5,"met":false,"trend":{"direction":"rising","periods":2,"better":true}' &&
	ind beds | grep -q "\"periods\":\[{\"period\":\"2026-01\",\"value\":44}, *{\"period\":\"2026-02\",\"value\":56}, *{\"period\":\"2026-03\",\"value\":66}\]" &&
	ind beds | grep -q "\"missing\":\[{\"id\":\"$id_b\",\"name\":\"Cooperative\",\"period\":\"2026-03\",\"last\":\"2026-02\"}\]"
ok $? "beds (a level): current 66 (60 + 6), not 160; rising; the cooperative has no report for 2026-03"
ind beds | grep -q "{\"id\":\"$id_a\",\"name\":\"Foundation\",\"value\":60,\"period\":\"2026-03\"}" &&
	ind beds | grep -q "{\"id\":\"$id_b\",\"name\":\"Cooperative\",\"value\":6,\"period\":\"2026-02\"}"
ok $? "beds: each organisation's latest value and its period"
ind rough | grep -q '"kind":"level","direction":"down","about":"population","current":28,"baseline":{"period":"2025-12","value":35},"target":15,"milestones":\[{"period":"2026-04","value":30}, *{"period":"2026-06","value":25}\],"progress":[0-9.]*,"met":false,"trend":{"direction":"falling","periods":1,"better":true}' &&
	ind rough | grep -q '"split":{"dimension":"age","of":28,"values":\[{"category":"0-17","value":2}, *{"category":"18-24","value":6}, *{"category":"25-64","value":17}, *{"category":"65+","value":3}\]}'
ok $? "rough (a level, lower is better): current 28, falling for 1 period (better), its breakdown by age"
ind meals | grep -q '"kind":"count",.*"current":150,' &&
	ind meals | grep -q '"split":{"dimension":"meal","of":100,"values":\[{"category":"breakfast","value":40}, *{"category":"dinner","value":60}\]}'
ok $? "meals (a count): 100 + 50 = 150, the split covers the foundation's 100"
ind kept | grep -q '"kind":"ratio",.*"about":"better-off","current":82,"numerator":82,"denominator":100,' &&
	ind kept | grep -q '"periods":\[{"period":"2026-01","value":[0-9.]*}, *{"period":"2026-03","value":75}\]' &&
	ind kept | grep -q '"trend":{"direction":"falling","periods":1,"better":false}'
ok $? "kept (a ratio): (34 + 18 + 30) / (40 + 20 + 40) = 82%, falling from 86.7% to 75%"

p b metrics rough >"$T_ROOT/rough.txt"
grep -q '^  current 28 (2026-03)$' "$T_ROOT/rough.txt" &&
	grep -q '^  trend: falling for 1 period (better)$' "$T_ROOT/rough.txt" &&
	grep -q '^  by age: 0-17 2, 18-24 6, 25-64 17, 65+ 3 (of 28)$' "$T_ROOT/rough.txt" &&
	grep -q '^  next milestone: 30 for 2026-04$' "$T_ROOT/rough.txt"
ok $? "pakt metrics rough: current, trend, breakdown, next milestone"
p a metrics beds | grep -qE '^  Cooperative +no report for 2026-03 \(last: 2026-02\)$'
ok $? "pakt metrics beds: 'no report for 2026-03' for the cooperative"
svg="$T_ROOT/chart.svg"
p a metrics --chart "$svg" >/dev/null && grep -q '>people sleeping rough, latest count</text>' "$svg" &&
	! grep -q cumulative "$svg" && grep -q '>target at most 15</text>' "$svg" &&
	grep -q '>baseline 35 (2025-12)</text>' "$svg" && grep -q 'class="title"[^>]*>Homes First</text>' "$svg"
ok $? "the chart names unit and kind on its axis, draws targets and the baseline, has the initiative's name"
no_sanitizer_reports; ok $? "no sanitizer reports"
