#!/bin/bash
# The lifecycle of a commitment end to end (proto/PROTOCOL.md, "Lifecycle"):
# pakt refuses, with one line, what breaks it (a past due date, answering
# twice without --change, --change with nothing to change, answering after a
# final status, a status after a final one without --reopen); a member M
# whose node is stopped signs such entries anyway (tests/lib/peer) and they
# reach the honest nodes A and B, which keep them in the history as
# anomalies and count them by the rule. A and B show the same audit, and
# the offline checker of an exported bundle reports the same.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/attack.sh"
plan 37

# a refusal: exit 1 and exactly one line on stderr, the one expected
refused() {   # refused EXPECTED_LINE pakt-args...
	local want=$1; shift
	p "$@" >/dev/null 2>"$T_ROOT/err"; local rc=$?
	[ $rc -eq 1 ] && [ "$(wc -l <"$T_ROOT/err")" -eq 1 ] && [ "$(cat "$T_ROOT/err")" = "$want" ] ||
		{ diag "rc $rc, stderr: $(cat "$T_ROOT/err")"; return 1; }
}

work_mesh a b:Harbour m:Mallory; ok $? "a creates the initiative, b (Harbour) and m (Mallory) join"
B=$(node_id b); M=$(node_id m)
NW=$(p a status | awk '$1 == "initiative" {print $2}'); A_ADDR=$(daemon_addr a)
# from now on M's key speaks only through the peer; A and B first agree on
# M's feed, so the peer's next seq is the same for both
stop_daemon m
same_m() { [ "$(n_by a "$M")" -eq "$(n_by b "$M")" ]; }
wait_for 100 same_m; ok $? "m stopped; a and b hold the same $(n_by a "$M") entries of M"

# ---- the CLI's refusals ----
refused "pakt: commit: due date 2020-01-01 is in the past; use --allow-past-due to record an older agreement" \
	a commit "Quarterly report" --party "$B" --due 2020-01-01
ok $? "a due date in the past is refused with one line"
old=$(p a commit "Quarterly report" --party "$B" --due 2020-01-01 --allow-past-due | en_id)
[ -n "$old" ]; ok $? "--allow-past-due records the older agreement"

cm=$(p a commit "Open 20 beds" --party "$B" --party "$M" --due 2099-12-31 | en_id)
soon=$(date -u -d '+3 days' +%F)
cm2=$(p a commit "Summer outreach" --party "$B" --party "$M" --due "$soon" | en_id)
[ -n "$cm" ] && [ -n "$cm2" ]; ok $? "a commits b and m twice (the second due $soon)"
has_com() { p "$1" commitments --json | grep -q "\"hash\":\"$2\""; }
wait_for 100 has_com b "$cm2"; ok $? "the commitments reach b"

p a commitments --due-within 7d >"$T_ROOT/soon.txt" &&
	grep -q "Summer outreach" "$T_ROOT/soon.txt" && ! grep -q -e "Open 20 beds" -e "Quarterly" "$T_ROOT/soon.txt" &&
	grep -q "waiting for an answer from: Harbour (pk_[a-z0-9]*), Mallory (pk_[a-z0-9]*)$" "$T_ROOT/soon.txt"
ok $? "commitments --due-within 7d: only the one due in 3 days, waiting for Harbour and Mallory"
p a commitments --due-within 1w --json | grep -q "\"hash\":\"$cm2\"" &&
	! p a commitments --due-within 2d --json | grep -q "\"hash\":\"$cm2\""
ok $? "--due-within 1w lists it, 2d does not"
p a commitments --due-within 7 >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 2 ] && grep -q "is not Nd (days) or Nw (weeks)" "$T_ROOT/err"; ok $? "--due-within 7 (no unit): usage error"

refused "pakt: accept: nothing to change: this organisation has not answered this commitment yet (leave out --change)" \
	b accept "$cm" --change
ok $? "--change with no earlier answer is refused with one line"
p b decline "$cm" --reason "no beds left" >/dev/null; ok $? "b declines, with a reason"
refused "pakt: accept: this organisation already declined this commitment; use --change to change its answer" \
	b accept "$cm"
ok $? "answering twice without --change is refused with one line"
p b accept "$cm" --change | grep -q "^accepted $cm (changed answer)"; ok $? "b changes its answer with --change"
p b decline "$cm2" --reason "no staff in August" >/dev/null; ok $? "b declines the second one"

p a progress "$cm" fulfilled --note "20 beds open since May" >/dev/null; ok $? "a reports the first fulfilled"
fulfilled_on() { p "$1" commitments --json | grep -q '"outcome":"kept"'; }
wait_for 100 fulfilled_on b; ok $? "b sees it kept"
refused "pakt: decline: the commitment is fulfilled (a final status): no answer after it, unless it is reopened first (pakt progress ID STATE --reopen)" \
	b decline "$cm" --change
ok $? "answering after a final status is refused with one line"
refused "pakt: progress: the commitment is fulfilled (a final status); use --reopen to reopen it" \
	b progress "$cm" missed
ok $? "a status after a final one without --reopen is refused with one line"

# ---- M breaks the lifecycle through the peer ----
ref() { echo "a3726566c420$(id_hex "$1")"; }             # "ref": bin 32
str() { printf '%02x%s' $((0xa0 + ${#1})) "$(printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n')"; }
more_by_m() { [ "$(n_by a "$M")" -gt "$1" ]; }
m_sends() {   # m_sends NAME TYPE BODY_HEX: the peer signs it as M and sends it to A
	local before; before=$(n_by a "$M")
	attack "$1" m honest --type "$2" --body-hex "$3"
	wait_for 50 more_by_m "$before" || { diag "peer report:"; sed 's/^/#   /' "$T_ROOT/$1.out"; return 1; }
}
m_sends accept_cm2 accept "81$(ref "$cm2")" &&
	m_sends decline_cm2 decline "81$(ref "$cm2")"
ok $? "M accepts the second commitment, then declines it without a change marker: both stored on a"
m_sends accept_cm accept "81$(ref "$cm")" &&
	m_sends missed_cm status "82$(ref "$cm")$(str state)$(str missed)"
ok $? "M accepts the fulfilled commitment and reports it missed without reopen: both stored on a"

p a progress "$cm2" withdrawn --note "no funding" >/dev/null; ok $? "a withdraws the second one"
refused "pakt: progress: the commitment is withdrawn (a final status); use --reopen to reopen it" \
	a progress "$cm2" in-progress
ok $? "in-progress after withdrawn without --reopen: refused with one line"
p a progress "$cm2" in-progress --reopen --note "funding found" | grep -q "is now in-progress (reopened)"
ok $? "--reopen reopens it"

wait_quiet 150 a b; ok $? "a and b converge (same entries, checkpoints aside)"

# ---- every node shows the same record ----
anomalies() {
	p "$1" audit --json | sed -E 's/.*"anomalies":\[([^]]*)\].*/\1/' | json_objects | sort
}
coms() {
	p "$1" audit --json | sed -E 's/.*"commitments":\[(.*)\],"forks":.*/\1/' |
		sed -E 's/\},\{("answers":)/}\n{\1/g' |
		sed -E 's/"received_by":\[[^]]*\],//; s/"on_time_confirmed":(true|false),//' | sort
}
orgs() { p "$1" audit --json | grep -o '"orgs":\[[^]]*\]'; }
for n in a b; do anomalies "$n" >"$T_ROOT/an.$n"; coms "$n" >"$T_ROOT/coms.$n"; orgs "$n" >"$T_ROOT/orgs.$n"; done
[ "$(wc -l <"$T_ROOT/an.a")" -eq 3 ] && cmp -s "$T_ROOT/an.a" "$T_ROOT/an.b"
ok $? "a and b list the same 3 anomalies ($(wc -l <"$T_ROOT/an.a") on a)"
grep "\"author\":\"$M\"" "$T_ROOT/an.a" | grep "\"ref\":\"$cm2\"" | grep -q "second answer without a change marker" &&
	grep "\"author\":\"$M\"" "$T_ROOT/an.a" | grep "\"ref\":\"$cm\"" | grep -q '"what":"answer after a final status (no effect)"' &&
	grep "\"author\":\"$M\"" "$T_ROOT/an.a" | grep "\"ref\":\"$cm\"" | grep -q "status after a final status without a reopen marker"
ok $? "they are M's: a second answer without change, an answer and a status after a final status"
[ "$(wc -l <"$T_ROOT/coms.a")" -eq 3 ] && cmp -s "$T_ROOT/coms.a" "$T_ROOT/coms.b" && cmp -s "$T_ROOT/orgs.a" "$T_ROOT/orgs.b"
ok $? "a and b show the same 3 commitments and the same record per organisation"
main=$(grep "\"hash\":\"$cm\"" "$T_ROOT/coms.a")
echo "$main" | grep -q '"outcome":"kept"' && echo "$main" | grep -q '"state":"fulfilled"' &&
	echo "$main" | grep -q "\"key\":\"$B\",\"name\":\"Harbour\",\"reason\":\"\",\"response\":\"accepted\"" &&
	echo "$main" | grep -q "\"key\":\"$M\",\"name\":\"Mallory\",\"reason\":\"\",\"response\":\"none\"" &&
	echo "$main" | grep -q '"change":true,"counts":true' &&
	echo "$main" | grep -q '"counts":false[^}]*"state":"missed"'
ok $? "the first: kept (M's missed does not count), b's changed answer counts, M has not answered"
second=$(grep "\"hash\":\"$cm2\"" "$T_ROOT/coms.a")
echo "$second" | grep -q '"outcome":"open"' && echo "$second" | grep -q '"reopen":true,"state":"in-progress"' &&
	echo "$second" | grep -q "\"key\":\"$M\",\"name\":\"Mallory\",\"reason\":\"\",\"response\":\"accepted\"" &&
	echo "$second" | grep -q "\"reason\":\"no staff in August\",\"response\":\"declined\""
ok $? "the second: reopened and open again, M's first answer (accept) stands, b's decline reason shown"
grep -q "{\"accepted\":1,\"declined\":1,\"key\":\"$B\"" "$T_ROOT/orgs.a" &&
	grep -q "{\"accepted\":1,\"declined\":0,\"key\":\"$M\"" "$T_ROOT/orgs.a"
ok $? "record per organisation: b accepted 1 (its changed answer) and declined 1, M accepted 1"

p b audit >"$T_ROOT/audit.txt"
grep -q "ORGANISATION .* MADE ACCEPTED DECLINED" "$T_ROOT/audit.txt" &&
	grep -q "no staff in August" "$T_ROOT/audit.txt" && grep -q "20 beds open since May" "$T_ROOT/audit.txt" &&
	grep -q "missed      by Mallory (pk_[a-z0-9]*)  NO EFFECT: status after a final status without a reopen marker (no effect)" "$T_ROOT/audit.txt" &&
	grep -q "declined by Harbour (pk_[a-z0-9]*) (\"no beds left\")  (replaced by a later change)" "$T_ROOT/audit.txt" &&
	grep -q "(on commitment $cm): answer after a final status (no effect)" "$T_ROOT/audit.txt" &&
	grep -q "\[reopens\]" "$T_ROOT/audit.txt"
ok $? "pakt audit (text): DECLINED column, reasons and notes, what has no effect, anomalies naming the commitment"
p a commitments >"$T_ROOT/list.txt"
grep -q "declined .*(\"no staff in August\")" "$T_ROOT/list.txt" &&
	grep -q "status: fulfilled since .*(\"20 beds open since May\")" "$T_ROOT/list.txt" &&
	grep -q "answer history (lifecycle order):" "$T_ROOT/list.txt" && grep -q "\[change\]" "$T_ROOT/list.txt"
ok $? "pakt commitments (text): the decline reason, the note, the answer history with the change"

# ---- the offline checker agrees ----
for c in cm cm2; do
	p a export "${!c}" -o "$T_ROOT/$c.pakt" >/dev/null &&
		(cd "$T_ROOT" && env -u PAKT_HOME "$PAKT" verify "$T_ROOT/$c.pakt" --json >"$T_ROOT/$c.json") || echo "$c"
done >"$T_ROOT/bad"
[ ! -s "$T_ROOT/bad" ]; ok $? "both commitments export, and pakt verify passes offline (not: $(cat "$T_ROOT/bad"))"
# the audit's anomalies about a commitment, as "seq what"; the bundle's notes the same way
audit_pairs() { grep "\"ref\":\"$1\"" "$T_ROOT/an.a" | sed -E 's/.*"seq":([0-9]+),"what":"([^"]*)".*/\1 \2/' | sort; }
bundle_pairs() {
	grep -o '"notes":\[.*\]' "$T_ROOT/$1.json" | grep -o '"entry pk_[a-z0-9]* #[0-9]*: [^"]*"' |
		sed -E 's/"entry pk_[a-z0-9]* #([0-9]+): ([^"]*)"/\1 \2/' | sort
}
[ -n "$(audit_pairs "$cm")" ] && [ "$(audit_pairs "$cm")" = "$(bundle_pairs cm)" ] &&
	[ -n "$(audit_pairs "$cm2")" ] && [ "$(audit_pairs "$cm2")" = "$(bundle_pairs cm2)" ]
ok $? "the bundles' notes are the audit's anomalies about each commitment"
grep -q '"outcome":"kept","state":"fulfilled"' "$T_ROOT/cm.json" &&
	grep -q '"outcome":"open","state":"in-progress"' "$T_ROOT/cm2.json" &&
	[ "$(grep -o '"counts":false' "$T_ROOT/cm.json" | wc -l)" -eq "$(echo "$main" | grep -o '"counts":false' | wc -l)" ]
ok $? "the checker's outcomes are the audit's, and the same answers and statuses have no effect"
(cd "$T_ROOT" && env -u PAKT_HOME "$PAKT" verify "$T_ROOT/cm.pakt") | grep -q "status missed  NO EFFECT: status after a final status without a reopen marker"
ok $? "pakt verify (text) marks M's missed as without effect"

no_sanitizer_reports; ok $? "no sanitizer reports"
