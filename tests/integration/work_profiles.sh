#!/bin/bash
# Profiles: an organisation publishes how it presents itself; every node
# then shows its new name (log, audit, commitments), a later profile
# replaces the earlier one, and invalid profiles are refused.
. "$(dirname "$0")/../lib/harness.sh"
plan 14

work_mesh a b:Harbour "c:City Welfare"; ok $? "a creates the initiative, b and c join"
id_b=$(node_id b); short_b=$(echo "$id_b" | cut -c1-11)
mid=$(p b post "hello from the harbour" | en_id)
p b profile set --name "New Name" --sector ngo --contact x@y --address 127.0.0.1:9 >/dev/null
ok $? "b publishes a profile"
has_profile() { log_objects "$1" --type profile | grep -q "\"author\":\"$id_b\".*\"name\":\"$2\""; }
wait_for 100 has_profile a "New Name" && wait_for 100 has_profile c "New Name"; ok $? "the profile reaches a and c"

bad=""
for n in a c; do
	log_objects "$n" --type profile | grep "\"author\":\"$id_b\"" |
		grep -q '"body":{"addresses":\["127.0.0.1:9"\],"contact":"x@y","name":"New Name","sector":"ngo"}' || bad="$bad $n"
done
[ -z "$bad" ]; ok $? "the profile body (name, sector, contact, address) is the same on a and c${bad:+ (not on:$bad)}"

bad=""
for n in a c; do
	p "$n" log >"$T_ROOT/log.$n"
	grep -q "  New Name #[0-9]*  profile " "$T_ROOT/log.$n" &&
		grep -q "  New Name #[0-9]*  message  hello from the harbour\$" "$T_ROOT/log.$n" &&
		! grep -q "  Harbour #" "$T_ROOT/log.$n" || bad="$bad $n"
done
[ -z "$bad" ]; ok $? "pakt log on a and c shows b as New Name, also for its earlier entries${bad:+ (not on:$bad)}"
bad=""
for n in a c; do
	log_objects "$n" | grep "\"hash\":\"$mid\"" | grep -q "\"author\":\"$id_b\",\"author_name\":\"New Name\"" || bad="$bad $n"
done
[ -z "$bad" ]; ok $? "pakt log --json on a and c: author_name New Name${bad:+ (not on:$bad)}"

bad=""
for n in a c; do
	p "$n" audit | grep -qE "^  New Name \($short_b\) +[0-9]" &&
		p "$n" audit --json | grep -q "\"key\":\"$id_b\",[^}]*\"name\":\"New Name\"" || bad="$bad $n"
done
[ -z "$bad" ]; ok $? "audit (text and json) on a and c: b's record is under New Name${bad:+ (not on:$bad)}"

cm=$(p a commit "Open 20 beds" --party "$id_b" --due 2099-12-31 | en_id)
wait_for 100 sh -c "\"$PAKT\" commitments --json --data-dir \"$(node_dir c)\" | grep -q $cm"
p c commitments --json | grep -q "\"key\":\"$id_b\",\"name\":\"New Name\""
ok $? "commitments on c name the party New Name"

# a later profile replaces the earlier one
p b profile set --name "Harbour Foundation" --sector ngo >/dev/null
wait_for 100 has_profile c "Harbour Foundation"
p c log | grep -q "  Harbour Foundation #[0-9]*  message  hello from the harbour\$" &&
	p c audit | grep -qE "^  Harbour Foundation \($short_b\) +[0-9]" && ! p c audit | grep -q "New Name ("
ok $? "a later profile replaces the name everywhere on c"

# invalid profiles are refused and store nothing
before=$(quiet_count b profile)
p b profile set --name "X" --sector church >/dev/null 2>&1; rc1=$?
p b profile set --name "X" --sector ngo --address "not an address" >/dev/null 2>&1; rc2=$?
p b profile set --sector ngo >/dev/null 2>&1; rc3=$?
p b profile set --name "" --sector ngo >/dev/null 2>&1; rc4=$?
[ $rc1 -ne 0 ] && [ $rc2 -ne 0 ] && [ $rc3 -ne 0 ] && [ $rc4 -ne 0 ]
ok $? "bad sector, bad address, no name, empty name: refused (exit $rc1, $rc2, $rc3, $rc4)"
[ $rc1 -eq 2 ] && [ $rc2 -eq 2 ] && [ $rc3 -eq 2 ] && [ $rc4 -eq 2 ]
ok $? "they are usage errors (exit 2)"
[ "$(quiet_count b profile)" -eq "$before" ]; ok $? "nothing stored for them"

wait_quiet 150 a b c; ok $? "all nodes store the same entries (the unreachable profile address harms nothing)"
no_sanitizer_reports; ok $? "no sanitizer reports"
