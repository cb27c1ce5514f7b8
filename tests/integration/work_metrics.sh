#!/bin/bash
# Shared measurement with an agenda written as before kinds existed (its
# indicators read as counts): partners report values for different
# periods; once replicated, every node computes the same metrics (JSON,
# and CSV byte for byte), the text shows a bar per organisation and the
# SVG chart is well-formed with one line per organisation and one for the
# partnership.
. "$(dirname "$0")/../lib/harness.sh"
plan 18

work_mesh a b:Harbour "c:City Welfare"; ok $? "a creates the initiative, b and c join"
id_b=$(node_id b); id_c=$(node_id c)
p a agenda set --goal "No one sleeps outside" --indicator beds:Beds:beds:40 \
	--indicator "rough:Rough sleepers:people:0:down" >/dev/null
ok $? "the admin sets the agenda (beds up to 40, rough sleepers down to 0)"
agenda_on() { p "$1" agenda --json | grep -q '"id":"rough"'; }
wait_for 100 agenda_on b && wait_for 100 agenda_on c; ok $? "the agenda reaches b and c"

p b update "Shelter A open" --value beds=12 --period 2026-11 >/dev/null &&
	p b update "Two more" --value beds=2 --period 2026-11 >/dev/null &&
	p b update "Shelter B open" --value beds=8 --period 2026-12 >/dev/null &&
	p c update "Count and beds" --value beds=5 --value rough=30 --period 2026-10 >/dev/null &&
	p c update "Winter beds" --value beds=3 --value rough=21.5 --period 2026-Q4 >/dev/null
ok $? "b and c publish updates for different periods"
wait_for 100 sh -c "[ \$(\"$PAKT\" log --type update --data-dir \"$(node_dir a)\" | wc -l) -eq 5 ]" &&
	wait_quiet 150 a b c
ok $? "all nodes converge (5 updates everywhere)"

bad=""
for n in a b c; do
	p "$n" metrics --json >"$T_ROOT/m.$n.json" && p "$n" metrics --csv >"$T_ROOT/m.$n.csv" || bad="$bad $n"
done
[ -z "$bad" ] && [ -s "$T_ROOT/m.a.json" ]; ok $? "metrics --json and --csv run on every node${bad:+ (failed on:$bad)}"
cmp -s "$T_ROOT/m.a.json" "$T_ROOT/m.b.json" && cmp -s "$T_ROOT/m.a.json" "$T_ROOT/m.c.json"
ok $? "metrics --json is identical on every node"
cmp -s "$T_ROOT/m.a.csv" "$T_ROOT/m.b.csv" && cmp -s "$T_ROOT/m.a.csv" "$T_ROOT/m.c.csv"
ok $? "metrics --csv is identical byte for byte on every node"

# beds: b 12 + 2 (2026-11) + 8 (2026-12), c 5 (2026-10) + 3 (2026-Q4) = 30 of 40
grep -q '"indicator":"beds","name":"Beds","unit":"beds","kind":"count","direction":"up","about":null,"current":30,"baseline":null,"target":40,"milestones":\[\],"progress":75,"met":false,' "$T_ROOT/m.a.json" &&
	grep -q "{\"id\":\"$id_b\",\"name\":\"Harbour\",\"value\":8,\"period\":\"2026-12\",\"total\":22}" "$T_ROOT/m.a.json" &&
	grep -q "{\"id\":\"$id_c\",\"name\":\"City Welfare\",\"value\":3,\"period\":\"2026-Q4\",\"total\":8}" "$T_ROOT/m.a.json"
ok $? "json: beds (a count: no kind in the agenda) current 30 of 40 (75%), Harbour 22, City Welfare 8"
grep -q '"indicator":"rough","name":"Rough sleepers","unit":"people","kind":"count","direction":"down","about":null,"current":51.5,"baseline":null,"target":0,"milestones":\[\],"progress":[-0-9.e]*,"met":false' "$T_ROOT/m.a.json"
ok $? "json: rough sleepers (down) current 51.5, target 0 not met"
head -1 "$T_ROOT/m.a.csv" | grep -qx 'indicator,kind,org,period,value,den' &&
	grep -qx 'beds,count,Harbour,2026-12,8,' "$T_ROOT/m.a.csv" && grep -qx 'beds,count,City Welfare,2026-10,5,' "$T_ROOT/m.a.csv" &&
	grep -qx 'beds,count,City Welfare,2026-Q4,3,' "$T_ROOT/m.a.csv" && grep -qx 'rough,count,City Welfare,2026-Q4,21.5,' "$T_ROOT/m.a.csv" &&
	grep -qx 'beds,count,Harbour,2026-11,14,' "$T_ROOT/m.a.csv"
ok $? "csv: a header, then indicator,kind,org,period,value,den rows (Harbour's two 2026-11 counts add up to 14)"

p c metrics >"$T_ROOT/m.txt"
grep -q '^Beds (beds) \[beds\]$' "$T_ROOT/m.txt" && grep -q '^  current 30$' "$T_ROOT/m.txt" &&
	grep -q '^  target 40 (higher is better): 75% of the way from 0, not reached$' "$T_ROOT/m.txt" &&
	grep -E '^  Harbour +[^ ]+ +22 beds \(to 2026-12\)$' "$T_ROOT/m.txt" | grep -q '█' &&
	grep -E '^  City Welfare +[^ ]+ +8 beds \(to 2026-Q4\)$' "$T_ROOT/m.txt" | grep -q '█'
ok $? "text: beds 30 of 40, a bar per organisation (Harbour 22, City Welfare 8)"
grep -q '^Rough sleepers (rough) \[people\]$' "$T_ROOT/m.txt" &&
	grep -q '^  target at most 0 (lower is better): .*not reached$' "$T_ROOT/m.txt"
ok $? "text: rough sleepers, lower is better, not reached"
p b metrics beds --by period >"$T_ROOT/m.period"
grep -qE '^  2026-11 +[^ ]+ +14 beds' "$T_ROOT/m.period" && ! grep -q "Rough" "$T_ROOT/m.period"
ok $? "metrics beds --by period: one indicator, a bar per period (2026-11: 14)"

svg="$T_ROOT/chart.svg"
p a metrics --chart "$svg" >/dev/null && [ -s "$svg" ]; ok $? "metrics --chart writes an SVG file"
if command -v xmllint >/dev/null 2>&1; then
	xmllint --noout "$svg" 2>"$T_ROOT/xml.err"; ok $? "the SVG is well-formed XML (xmllint) $(head -2 "$T_ROOT/xml.err")"
else
	grep -q '<svg ' "$svg" && [ "$(tail -1 "$svg")" = "</svg>" ]; ok $? "the SVG has <svg and ends with </svg>"
fi
# per indicator one line per organisation and one for the partnership:
# beds (Harbour, City Welfare, all), rough (City Welfare, all)
[ "$(grep -c '<polyline' "$svg")" -eq 5 ] && [ "$(grep -c 'class="target"' "$svg")" -eq 2 ] &&
	grep -q '<svg[^>]*xmlns="http://www.w3.org/2000/svg"' "$svg" && ! grep -q cumulative "$svg" &&
	grep -q '>beds, total to date (count)</text>' "$svg"
ok $? "the SVG has a polyline per organisation and per indicator for the partnership (5), a target line per indicator, an axis that says total to date (count)"
no_sanitizer_reports; ok $? "no sanitizer reports"
