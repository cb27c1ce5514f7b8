#!/bin/bash
# Removal is told: a removed organisation's status and members say
# "removed from INITIATIVE by NAME on DATE", and paktd refuses its posts
# and other writes into that initiative with that sentence (exit 1).
. "$(dirname "$0")/../lib/harness.sh"
plan 10

make_initiative a "Food Bank Network" && join_node a b "Harbour" && join_node a c "City Welfare"
ok $? "a creates the initiative, b and c join"
before=$(p b post "before the removal $$" | en_id); [ -n "$before" ]; ok $? "b posts while a member"
p a member remove "$(node_id b)" >/dev/null; ok $? "a removes b"
day=$(date -u +%Y-%m-%d)
sentence="removed from Food Bank Network by a on $day"
told() { p b status 2>/dev/null | grep -q "^REMOVED *$sentence"; }
wait_for 100 told; ok $? "b's status says: $sentence"
p b members >"$T_ROOT/members" 2>&1 && grep -q "^this organisation was $sentence\$" "$T_ROOT/members"
ok $? "b's members says it was $sentence"
out=$(p b post "after the removal" 2>&1); rc=$?
[ $rc -eq 1 ] && [ "$out" = "pakt: post: $sentence" ]
ok $? "b's post is refused with the sentence, exit 1 (rc $rc: $out)"
out=$(p b profile set --name "Harbour again" --sector ngo 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "$sentence"
ok $? "other writes (profile set) are refused the same way (rc $rc)"
out=$(p b redact "$before" --reason "personal data" 2>&1); rc=$?
[ $rc -eq 1 ] && [ "$out" = "pakt: redact: $sentence" ]
ok $? "redacting its own earlier entry is refused the same way (rc $rc)"
! p c status | grep -q REMOVED && ! p c members | grep -q "this organisation was removed"
ok $? "c, still a member, is told nothing of the kind"
no_sanitizer_reports; ok $? "no sanitizer reports"
