#!/bin/bash
# Commitments between partners: a backbone sets the agenda and commits
# two partners; one accepts, one declines, the author reports progress.
# Every node derives the same record (audit, commitments), a past-due
# commitment is overdue everywhere and counted as missed, and answers or
# progress from organisations that are not parties are refused and leave
# nothing stored.
. "$(dirname "$0")/../lib/harness.sh"
plan 27

work_mesh a b:Harbour "c:City Welfare"; ok $? "a creates the initiative, b and c join"
id_a=$(node_id a); id_b=$(node_id b); id_c=$(node_id c)

p a agenda set --goal "No one sleeps outside" --indicator beds:Beds:beds:40 \
	--indicator "rough:Rough sleepers:people:0:down" >/dev/null
ok $? "the admin sets the agenda"
agenda_on() { p "$1" agenda --json | grep -q '"direction":"down","id":"rough","name":"Rough sleepers"'; }
wait_for 100 agenda_on c; ok $? "the agenda (rough: down) reaches c"

cm=$(p a commit "Open 20 beds" --party "$id_b" --party "$id_c" --due 2099-12-31 \
	--indicator beds --target 20 --description "two new shelters" | en_id)
[ -n "$cm" ]; ok $? "a commits b and c to 20 beds (prints the commitment's id)"
old=$(p a commit "Quarterly report" --party "$id_b" --due 2020-01-01 --allow-past-due | en_id)
joint=$(p a commit "Joint outreach" --party "$id_b" --due 2099-06-30 | en_id)
[ -n "$old" ] && [ -n "$joint" ]; ok $? "a makes a past-due commitment and a single-party one"

has_com() { p "$1" commitments --json | grep -q "\"hash\":\"$2\""; }
wait_for 100 has_com b "$joint" && wait_for 100 has_com c "$joint"
ok $? "the commitments reach b and c"

p b accept "$cm" >/dev/null; ok $? "b (a party) accepts"
p c decline "$cm" --reason "no budget this year" >/dev/null; ok $? "c (a party) declines"
p b accept "$joint" >/dev/null; ok $? "b accepts the single-party commitment"
p a progress "$cm" in-progress --note "first shelter open" >/dev/null &&
	p a progress "$cm" fulfilled --note "both open" >/dev/null
ok $? "the author reports in-progress, then fulfilled"

# refusals: c is not a party of the past-due commitment
before=$(quiet_count c)
p c accept "$old" >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 1 ] && grep -q "party" "$T_ROOT/err"
ok $? "accepting a commitment one is not a party of: exit 1, says so (rc $rc: $(cat "$T_ROOT/err"))"
p c progress "$old" fulfilled >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 1 ]; ok $? "progress on it by a non-party: exit 1 (rc $rc: $(cat "$T_ROOT/err"))"
p c decline "$old" >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ]; ok $? "declining it as a non-party: exit 1 (rc $rc)"
[ "$(quiet_count c)" -eq "$before" ]; ok $? "the refused answers and progress stored nothing on c"

wait_quiet 150 a b c; ok $? "all nodes converge (same entries, checkpoints aside)"
for n in a b c; do ! log_objects "$n" | grep -v '"type":"checkpoint"' | grep "\"author\":\"$id_c\"" |
	grep -q -e '"type":"accept"' -e '"type":"status"' || echo "$n"; done >"$T_ROOT/bad"
[ ! -s "$T_ROOT/bad" ]; ok $? "no node stores an accept or status by c (not on: $(cat "$T_ROOT/bad"))"

# the same commitment record on every node: audit minus the per-node
# receipts (received_by, on_time_confirmed), one commitment per line
audit_coms() {
	p "$1" audit --json | sed -E 's/.*"commitments":\[(.*)\],"forks":.*/\1/' |
		sed -E 's/\},\{("answers":)/}\n{\1/g' |
		sed -E 's/"received_by":\[[^]]*\],//; s/"on_time_confirmed":(true|false),//' | sort
}
audit_orgs() { p "$1" audit --json | grep -o '"orgs":\[[^]]*\]'; }
for n in a b c; do audit_coms "$n" >"$T_ROOT/coms.$n"; audit_orgs "$n" >"$T_ROOT/orgs.$n"; done
[ "$(wc -l <"$T_ROOT/coms.a")" -eq 3 ] && cmp -s "$T_ROOT/coms.a" "$T_ROOT/coms.b" &&
	cmp -s "$T_ROOT/coms.a" "$T_ROOT/coms.c"
ok $? "audit --json shows the same 3 commitments on every node"
[ -s "$T_ROOT/orgs.a" ] && cmp -s "$T_ROOT/orgs.a" "$T_ROOT/orgs.b" && cmp -s "$T_ROOT/orgs.a" "$T_ROOT/orgs.c"
ok $? "audit --json shows the same record per organisation on every node"

main=$(grep "\"hash\":\"$cm\"" "$T_ROOT/coms.a")
echo "$main" | grep -q '"countersigned":false' && echo "$main" | grep -q '"outcome":"kept"' &&
	echo "$main" | grep -q '"state":"fulfilled"' &&
	echo "$main" | grep -q "\"key\":\"$id_b\",\"name\":\"Harbour\",\"reason\":\"\",\"response\":\"accepted\"" &&
	echo "$main" | grep -q "\"key\":\"$id_c\",\"name\":\"City Welfare\",\"reason\":\"no budget this year\",\"response\":\"declined\""
ok $? "the commitment: kept, not countersigned, b accepted, c declined"
echo "$main" | grep -q "\"statuses\":\[{[^]]*\"by\":\"$id_a\"[^]]*\"state\":\"in-progress\"},{[^]]*\"state\":\"fulfilled\"}\]"
ok $? "its status history: in-progress, then fulfilled, both by a"
grep "\"hash\":\"$joint\"" "$T_ROOT/coms.a" | grep -q '"countersigned":true'
ok $? "accepted by its only party, the other commitment is countersigned"

bad=""
for n in a b c; do
	p "$n" commitments --json | grep -q "\"countersigned\":false,[^]]*\"hash\":\"$cm\"[^]]*\"outcome\":\"kept\"" || bad="$bad $n"
done
[ -z "$bad" ]; ok $? "commitments --json shows it kept on every node${bad:+ (not on:$bad)}"

bad=""
for n in a b c; do
	grep "\"hash\":\"$old\"" "$T_ROOT/coms.$n" | grep -q '"outcome":"overdue"' &&
		p "$n" commitments --json | sed -E 's/\},\{("answers":)/}\n{\1/g' |
		grep "\"hash\":\"$old\"" | grep -q '"outcome":"overdue"' || bad="$bad $n"
	o=$(p "$n" commitments --overdue --json)
	echo "$o" | grep -q "\"hash\":\"$old\"" && ! echo "$o" | grep -q -e "$cm" -e "$joint" || bad="$bad $n(--overdue)"
done
[ -z "$bad" ]; ok $? "the past-due commitment is overdue everywhere and only it is listed by --overdue${bad:+ (wrong on:$bad)}"

grep -q "{\"accepted\":0,\"declined\":0,\"key\":\"$id_a\",\"kept\":1,\"late\":0,\"made\":3,\"missed\":1,\"name\":\"a\",\"open\":1}" "$T_ROOT/orgs.a" &&
	grep -q "{\"accepted\":2,\"declined\":0,\"key\":\"$id_b\",\"kept\":1,\"late\":0,\"made\":0,\"missed\":0,\"name\":\"Harbour\",\"open\":1}" "$T_ROOT/orgs.a"
ok $? "record per organisation: a made 3, kept 1, missed 1 (the overdue one), open 1; b accepted 2"

p b audit >"$T_ROOT/audit.txt"; rc=$?
[ $rc -eq 0 ] && grep -q "outcome: kept; countersigned: no" "$T_ROOT/audit.txt" &&
	grep -q "outcome: overdue" "$T_ROOT/audit.txt" && grep -q "anomalies: none" "$T_ROOT/audit.txt"
ok $? "pakt audit (text) on b: exit 0, kept, overdue, no anomalies"

bad=""
for n in a b c; do p "$n" verify >/dev/null || bad="$bad $n"; done
[ -z "$bad" ]; ok $? "verify passes on every node${bad:+ (not on:$bad)}"
no_sanitizer_reports; ok $? "no sanitizer reports"
