#!/bin/bash
# The partnership report: three organisations (one with a hostile name)
# set an agenda, report values, make and answer a commitment, talk and
# witness each other; 'pakt report -o F' writes one self-contained HTML
# file that headless Chromium renders (with no network) to the values the
# daemon holds, with partner text escaped; its verification commands
# check out offline; --public hides message texts and small cells.
. "$(dirname "$0")/../lib/harness.sh"
plan 42

CHROME=${PAKT_CHROMIUM-$(command -v chromium || true)}   # PAKT_CHROMIUM= tries the skip
EVIL='<script>alert(1)</script> "Q" & '"'"'S'"'"' '$'\xe2\x80\xae''evil'$'\x01'
GOAL='No one sleeps outside <b>by 2028</b>'
IMG='<img src=http://evil.example/x.png> meet at the shelter'

# a: the backbone; b: hostile name; c: a cooperative. checkpoints only on
# demand (interval 0: never by itself), so that the heads stay put while we look.
for n in a b c; do init_node "$n" && conf_set "$n" checkpoint_interval 0 || exit 1; done
start_daemon a && p a initiative create "Homes First" >/dev/null &&
	join_node a b "$EVIL" && join_node a c "Second Chance Coop"
ok $? "a creates the initiative, b (hostile name) and c join"
id_a=$(node_id a); id_b=$(node_id b); id_c=$(node_id c)

p a agenda set --goal "$GOAL" --indicator "meals:Meals served:meals:1000" \
	--indicator "rough:People sleeping rough:people:0:down" >/dev/null
ok $? "a sets the agenda (goal with markup in it)"
p c profile set --name "Second Chance Coop" --sector business >/dev/null
ok $? "c publishes its profile (sector business)"
p a update "September" --value meals=400 --period 2026-09 >/dev/null &&
	p a update "October" --value meals=450 --period 2026-10 >/dev/null &&
	p c update "our kitchen" --value meals=3 --period 2026-09 >/dev/null &&
	p b update "count" --value rough=35 --period 2026-09 >/dev/null &&
	p b update "count" --value rough=41 --period 2026-10 >/dev/null &&
	p b update "count" --value rough=28 --period 2026-11 >/dev/null
ok $? "a reports meals for two months and c (only 3) for the first, b reports rough sleepers over three months"

cm=$(p a commit "Open 20 beds <now>" --party "$id_b" --party "$id_c" --due 2099-12-31 \
	--indicator meals --target 100 | en_id)
has_com() { p "$1" commitments --json | grep -q "\"hash\":\"$cm\""; }
wait_for 100 has_com b && wait_for 100 has_com c; ok $? "a's commitment reaches b and c"
p b accept "$cm" >/dev/null && p c decline "$cm" --reason "no <budget> this year" >/dev/null &&
	p a progress "$cm" fulfilled --note "done & dusted" >/dev/null
ok $? "b accepts, c declines, a reports it fulfilled"
p a post "$IMG" >/dev/null && p a post --to "$id_c" "sealed budget figures" >/dev/null
ok $? "a posts a message with markup and one sealed to c"
wait_quiet 150 a b c; ok $? "all nodes hold the same entries"
p b checkpoint >/dev/null && p c checkpoint >/dev/null
cps() { [ "$(p "$1" log --type checkpoint | wc -l)" -eq 2 ]; }
wait_for 100 cps c; ok $? "b and c publish checkpoints; c holds both"

# ---- the report, drawn on c ----
cd "$T_ROOT" || exit 1
F="$T_ROOT/report.html"
out=$(p c report -o "$F"); rc=$?
[ $rc -eq 0 ] && [ "$out" = "report written to $F" ] && [ -s "$F" ]
ok $? "pakt report -o F writes F and prints its path ($out)"
head -1 "$F" | grep -qi '^<!doctype html>' && grep -q '<html lang="en">' "$F" &&
	grep -q '<meta charset="utf-8">' "$F" && grep -q '@page{size:A4' "$F"
ok $? "HTML5 with a charset, a language and an A4 page rule"
! grep -Eiq '<[a-z][^>]*[[:space:]](src|href|action|xlink:href|poster|data)[[:space:]]*=[[:space:]]*["'"'"']?[[:space:]]*([a-z]+:)?//' "$F" &&
	! grep -Eiq 'url\(|@import|<script|<link|<img|<iframe|<object|<embed' "$F"
ok $? "nothing in it refers to another file or host (no src/href/url to http, no script)"
! grep -q '<script>alert' "$F" && grep -q '&lt;script&gt;alert(1)&lt;/script&gt; &quot;Q&quot; &amp; &#39;S&#39; \[U+202E\]evil␁' "$F"
ok $? "the hostile name is escaped: markup, quotes, bidi override and control char made visible"
! grep -q $'\xe2\x80\xae' "$F"; ok $? "no bidi override is left anywhere, the chart's legend included"
grep -q 'No one sleeps outside &lt;b&gt;by 2028&lt;/b&gt;' "$F" && grep -q '&lt;img src=http://evil.example' "$F"
ok $? "the goal and the message's markup are escaped"
grep -q '(private)</em> sealed budget figures<' "$F"; ok $? "the internal edition shows c the sealed text addressed to it"

# the verification commands, run as the report prints them (export on a
# partner's node, verify offline): the last index line is the head
nw=$(p c members --json | grep -o '"network":"nw_[a-z2-7]*"' | cut -d'"' -f4)
grep -q "pakt export --feed $id_a --to [0-9]* -o feed-1.pakt --network $nw" "$F"
ok $? "the verification section has the export command of a's feed"
sed -n '/<pre class="commands">/,/<\/pre>/p' "$F" | sed 's/<[^>]*>//g' | grep '^pakt \|^tail ' |
	head -3 >"$T_ROOT/cmds"
bad=""
while read -r cmd args; do
	if [ "$cmd" = pakt ]; then
		# shellcheck disable=SC2086
		"$PAKT" $args $([ "${args%% *}" = export ] && echo --data-dir "$(node_dir b)") >/dev/null 2>&1 || bad="$bad $args"
	else
		# shellcheck disable=SC2086
		tail $args >"$T_ROOT/index.last" || bad="$bad tail"
	fi
done <"$T_ROOT/cmds"
seq_a=$(sed -n "s|.*<tr class=\"head\" data-feed=\"$id_a\">.*<td class=\"n seq\">\([0-9]*\)</td><td class=\"hash\"><code>\(en_[a-z2-7]*\)</code>.*|\1 \2|p" "$F")
[ -z "$bad" ] && [ -n "$seq_a" ] && [ "$(wc -l <"$T_ROOT/cmds")" -eq 3 ] &&
	awk -v s="${seq_a% *}" -v h="${seq_a#* }" -v a="$id_a" '$2 == a && $3 == s && $5 == h { f = 1 } END { exit !f }' "$T_ROOT/index.last"
ok $? "export on b and offline verify of a's feed end at the head the report shows ($seq_a; failed:$bad)"

# default name, one period, refusals
mkdir -p "$T_ROOT/cwd"
out=$(cd "$T_ROOT/cwd" && p c report); day=$(date +%Y-%m-%d)
[ "$out" = "report written to pakt-report-$day.html" ] && [ -s "$T_ROOT/cwd/pakt-report-$day.html" ]
ok $? "without -o: pakt-report-$day.html in the current directory ($out)"
p c report --period 2026-11 -o "$T_ROOT/nov.html" >/dev/null &&
	grep -q '<span class="period">2026-11</span>' "$T_ROOT/nov.html" &&
	sed -n '/data-indicator="meals"/,/<\/div>/p' "$T_ROOT/nov.html" | grep -q 'No organisation has reported this indicator in this period' &&
	sed -n '/data-indicator="rough"/,/<\/div>/p' "$T_ROOT/nov.html" | grep -q '<td class="current n" data-indicator="rough">28</td>'
ok $? "--period 2026-11: only November's values (rough 28, no meals)"
p c report --period 2026-13 -o "$T_ROOT/x.html" 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 2 ] && head -1 "$T_ROOT/err" | grep -q "^pakt: report: --period '2026-13' is not YYYY, YYYY-Qn" && [ ! -e "$T_ROOT/x.html" ]
ok $? "a bad --period: exit 2 with a one-line reason, nothing written"
p c report -o "$T_ROOT/no/such/dir/r.html" 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 1 ] && [ "$(wc -l <"$T_ROOT/err")" -eq 1 ] && grep -q "^pakt: report: cannot create .*: No such file or directory; choose another file with -o$" "$T_ROOT/err"
ok $? "an unwritable -o: exit 1, one line saying what to do ($(cat "$T_ROOT/err"))"

# ---- in a browser ----
render() {   # render FILE OUT: Chromium's DOM of FILE, no network, no profile left behind
	local ns=""
	unshare -n true 2>/dev/null && ns="unshare -n"
	# the browser's own background traffic (updates, dictionaries) is off,
	# so that the net log shows what the page asks for
	timeout 120 $ns "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-features=SpellCheck,Translate,OptimizationHints --user-data-dir="$T_ROOT/chrome" --log-net-log="$T_ROOT/net.$(basename "$2").json" \
		--dump-dom "file://$1" >"$2" 2>"$T_ROOT/chrome.err"
}
if [ -z "$CHROME" ]; then
	for i in $(seq 23 42); do ok 0 "# SKIP chromium is not installed (./bootstrap installs it)"; done
	exit 0
fi
render "$F" "$T_ROOT/dom.html"; rc=$?
[ $rc -eq 0 ] && grep -q '</html>' "$T_ROOT/dom.html"
ok $? "headless Chromium renders the report (rc $rc)"
# the page's own requests carry its origin (file://) in the net log; the
# browser's background ones do not. A probe page with an image from
# elsewhere shows that the check sees such a request.
page_requests() { grep '"network_isolation_key":"file://' "$1" | grep -o '"url":"[a-z]*://[^"]*"' | grep -v '"url":"file://'; }
printf '<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>probe</title><img src="http://pakt-probe.invalid/x.png"></html>\n' >"$T_ROOT/probe.html"
render "$T_ROOT/probe.html" "$T_ROOT/probe.dom"
page_requests "$T_ROOT/net.probe.dom.json" | grep -q pakt-probe.invalid &&
	! page_requests "$T_ROOT/net.dom.html.json" | grep -q .
ok $? "Chromium's net log: the report requests nothing (a probe page's image request is seen)"
D="$T_ROOT/dom.html"
grep -q '<td class="current n" data-indicator="meals">853</td>' "$D"
ok $? "the DOM shows meals: 853 reported"
grep -q '<td class="target n">1000</td>' "$D" && grep -q '85% of the way to the target, not reached' "$D"
ok $? "the DOM shows its target 1000 and progress 85%"
grep -q '<td class="trend">falling for 1 period (better)</td>' "$D"
ok $? "rough sleepers: falling (41 to 28), better for a down indicator"
sed -n '/data-indicator="meals"/,/<\/div>/p' "$D" |
	grep -q 'missing reports: <bdi>Second Chance Coop</bdi> <code class="meta">pk_[a-z2-7]*</code>: no report for 2026-10</p>'
ok $? "missing reports: c reported meals for 2026-09 but not for 2026-10"
sed -n '/data-indicator="rough"/,/<\/div>/p' "$D" | grep -q '<td class="n">28</td>'
ok $? "b's breakdown cell 28 for 2026-11 is shown"
grep -c '<figure class="chart"' "$D" | grep -qx 2 && grep -c '<svg' "$D" | grep -qx 2
ok $? "one inline SVG chart per indicator"
grep -q '<h3 class="title">Open 20 beds &lt;now&gt;</h3>' "$D" && grep -q 'data-commitment="'"$cm"'"' "$D"
ok $? "the commitment's title (escaped) and id"
sed -n "/data-commitment=\"$cm\"/,/<\/div>/p" "$D" >"$T_ROOT/cm.html"
grep -q '<strong class="outcome">kept</strong>' "$T_ROOT/cm.html" &&
	grep -q '<td class="answer">accepted</td>' "$T_ROOT/cm.html" &&
	grep -q '<td class="answer">declined</td><td>[^<]*</td><td class="text reason">no &lt;budget&gt; this year</td>' "$T_ROOT/cm.html" &&
	grep -q '<td class="state">fulfilled</td>' "$T_ROOT/cm.html" && grep -q 'done &amp; dusted' "$T_ROOT/cm.html"
ok $? "its outcome kept, both answers (c's decline with its reason), the status fulfilled with its note"
grep -q "<tr data-org=\"$id_c\"><td><bdi>Second Chance Coop</bdi> <code class=\"meta\">pk_[a-z2-7]*</code></td><td class=\"n\">0</td><td class=\"n\">0</td><td class=\"n\">1</td>" "$D"
ok $? "c's record: made 0, accepted 0, declined 1"
heads_ok=1
for n in a b c; do
	id=$(node_id "$n")
	want=$(p c log --json | sed 's/},{"network"/}\n{"network"/g' | grep "\"author\":\"$id\"" |
		sed -nE 's/.*"seq":([0-9]+),"hash":"(en_[a-z2-7]+)".*/\1 \2/p' | sort -n | tail -1)
	got=$(sed -n "s|.*<tr class=\"head\" data-feed=\"$id\">.*<td class=\"n seq\">\([0-9]*\)</td><td class=\"hash\"><code>\(en_[a-z2-7]*\)</code>.*|\1 \2|p" "$D")
	[ -n "$want" ] && [ "$want" = "$got" ] || { heads_ok=0; diag "$n: want '$want', got '$got'"; }
done
[ $heads_ok = 1 ]; ok $? "the head (seq and hash) of each of the three feeds is the one c holds"
! grep -q '<script' "$D" && grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$D"
ok $? "in the DOM the hostile name is text, not a script element"
! grep -q '<img' "$D"; ok $? "and the message's <img> is text, not an image"
sed -n '/<section id="witnessed">/,/<\/section>/p' "$D" | grep -c '<tr><td>' | grep -qx 4
ok $? "witnessed: b's and c's checkpoints, each with the two other feeds"
grep -q 'Second Chance Coop</bdi></td><td>business</td>' "$D"; ok $? "partners with their sector"

# ---- public edition ----
P="$T_ROOT/public.html"
p c report --public -o "$P" >/dev/null && render "$P" "$T_ROOT/pub.html"
ok $? "pakt report --public renders"
! grep -q 'sealed budget figures\|evil.example' "$T_ROOT/pub.html" &&
	grep -q '2 messages; their texts are left out' "$T_ROOT/pub.html"
ok $? "--public leaves out message and sealed texts"
sed -n '/data-indicator="meals"/,/<\/div>/p' "$T_ROOT/pub.html" |
	grep -q '<td class="n suppressed" title="suppressed: fewer than 5">&lt;5</td>' &&
	! sed -n '/data-indicator="meals"/,/<\/div>/p' "$T_ROOT/pub.html" | grep -q '<td class="n">3</td>'
ok $? "--public shows c's 3 meals as <5"

# printed: A4 pages
timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$T_ROOT/chrome" \
	--no-pdf-header-footer --print-to-pdf="$T_ROOT/report.pdf" "file://$F" >/dev/null 2>&1
grep -aq 'MediaBox \[0 0 594.9[0-9]* 841.9[0-9]*\]' "$T_ROOT/report.pdf"
ok $? "printed to PDF it has A4 pages"
if [ -n "${PAKT_REPORT_SCREENSHOT:-}" ]; then
	timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$T_ROOT/chrome" \
		--window-size=1000,2400 --screenshot="$PAKT_REPORT_SCREENSHOT" "file://$F" >/dev/null 2>&1
	diag "screenshot: $PAKT_REPORT_SCREENSHOT"
fi
