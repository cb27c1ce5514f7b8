#!/bin/bash
# Nobody can answer for another organisation: a member that is not a party
# cannot accept (its daemon refuses and stores nothing), and an acceptance
# is always signed by, and attributed to, the party that made it. Also
# refused before anything is signed: an update with an indicator the
# agenda does not have, an agenda set by a non-admin, a redaction of
# another organisation's entry.
. "$(dirname "$0")/../lib/harness.sh"
plan 17

work_mesh a b:Harbour "c:City Welfare" d:Dockside; ok $? "a creates the initiative, b, c and d join"
id_a=$(node_id a); id_b=$(node_id b); id_c=$(node_id c); id_d=$(node_id d)
p a agenda set --goal "No one sleeps outside" --indicator beds:Beds:beds:40 >/dev/null &&
	cm=$(p a commit "Open 20 beds" --party "$id_b,$id_c" --due 2099-12-31 --indicator beds --target 20 | en_id) &&
	[ -n "$cm" ]
ok $? "a sets the agenda and commits b and c"
has_com() { p "$1" commitments --json | grep -q "\"hash\":\"$2\""; }
wait_for 100 has_com d "$cm" && wait_for 100 has_com b "$cm"; ok $? "the commitment reaches b and d"

# d is a member but not a party
before=$(quiet_count d)
p d accept "$cm" >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 1 ] && grep -q "not a party" "$T_ROOT/err"
ok $? "d (a member, not a party) accepting: refused by its daemon, exit 1 (rc $rc: $(cat "$T_ROOT/err"))"
p d decline "$cm" --reason "not ours" >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ]; ok $? "d declining: refused, exit 1 (rc $rc)"
p d progress "$cm" fulfilled >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ]; ok $? "d reporting progress: refused, exit 1 (rc $rc)"
[ "$(quiet_count d)" -eq "$before" ]; ok $? "d stored nothing for the refused operations"

p b accept "$cm" >/dev/null; ok $? "b (a party) accepts"
acc=$(log_objects b --type accept | en_id)
wait_quiet 150 a b c d; ok $? "all nodes converge (checkpoints aside)"

bad=""
for n in a b c d; do
	rows=$(log_objects "$n" --type accept)
	[ "$(echo "$rows" | grep -c '"type":"accept"')" -eq 1 ] &&
		echo "$rows" | grep -q "^\[\?{\"network\":\"[^\"]*\",\"author\":\"$id_b\",\"author_name\":\"Harbour\",\"seq\":[0-9]*,\"hash\":\"$acc\"" ||
		bad="$bad $n"
done
[ -z "$bad" ]; ok $? "log --json --type accept on every node: one acceptance, authored (signed) by b${bad:+ (wrong on:$bad)}"

bad=""
for n in a b c d; do
	j=$(p "$n" audit --json)
	echo "$j" | grep -q "\"key\":\"$id_b\",\"name\":\"Harbour\",\"reason\":\"\",\"response\":\"accepted\"" &&
		echo "$j" | grep -q "\"key\":\"$id_c\",\"name\":\"City Welfare\",\"reason\":\"\",\"response\":\"none\"" &&
		! echo "$j" | grep -q "\"key\":\"$id_d\",\"name\":\"Dockside\",\"response\"" &&
		echo "$j" | grep -q '"countersigned":false' && echo "$j" | grep -q '"anomalies":\[\]' &&
		echo "$j" | grep -q "{\"accepted\":0,\"declined\":0,\"key\":\"$id_d\"" &&
		echo "$j" | grep -q "{\"accepted\":1,\"declined\":0,\"key\":\"$id_b\"" || bad="$bad $n"
done
[ -z "$bad" ]; ok $? "audit on every node: the acceptance is b's only; c has not answered, d is no party, no anomalies${bad:+ (wrong on:$bad)}"

# an update naming an indicator the agenda lacks is refused before signing
before=$(quiet_count b)
p b update "Beds opened" --value nope=3 --period 2026-11 >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 1 ] && grep -q "unknown indicator 'nope'" "$T_ROOT/err"
ok $? "update with an unknown indicator: exit 1, names it (rc $rc: $(cat "$T_ROOT/err"))"
[ "$(quiet_count b)" -eq "$before" ] && [ "$(quiet_count b update)" -eq 0 ]
ok $? "nothing was signed or stored for it"

# the agenda is the admins'
p b agenda set --goal "Harbour's own goal" --indicator x:X:x >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 1 ] && grep -q "admin" "$T_ROOT/err"
ok $? "agenda set by a non-admin: exit 1, says admins only (rc $rc: $(cat "$T_ROOT/err"))"
[ "$(quiet_count b agenda)" -eq 1 ] && p b agenda --json | grep -q "\"goal\":\"No one sleeps outside\".*\"set_by\":\"$id_a\""
ok $? "the agenda is still a's"

# nor can anyone redact another organisation's acceptance
p d redact "$acc" --reason "forged" >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 1 ] && [ "$(quiet_count d redact)" -eq 0 ]
ok $? "d redacting b's acceptance: exit 1, nothing stored (rc $rc: $(cat "$T_ROOT/err"))"

no_sanitizer_reports; ok $? "no sanitizer reports"
