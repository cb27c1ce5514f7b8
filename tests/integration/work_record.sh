#!/bin/bash
# The record rules end to end (issue 9): 'pakt audit' on a node and 'pakt
# verify BUNDLE' offline agree on a party's answer given under its rotated
# key (they disagreed on 110ba3f: the checker compared keys exactly), and
# 'pakt members remove' records the removed key's head seq in the member
# entry (rule 6), which the bundle carries with its body (rule 8).
. "$(dirname "$0")/../lib/harness.sh"
plan 8

make_initiative a "Record" && join_node a b "Org B"
old_b=$(node_id b)
wait_for 50 sh -c "'$PAKT' members --data-dir '$(node_dir a)' | grep -q '^  $old_b'"
cm=$(p a commit "Open 20 beds" --party "$old_b" --due 2099-12-31 | en_id)
wait_for 100 sh -c "'$PAKT' commitments --data-dir '$(node_dir b)' | grep -q 'Open 20 beds'"
ok $? "a commits b (its first key) to 20 beds"

p b key rotate >/dev/null; new_b=$(node_id b)
rotated() { "$PAKT" members --data-dir "$(node_dir a)" | grep -q "^  $new_b"; }
wait_for 150 rotated && [ "$new_b" != "$old_b" ]; ok $? "b rotates its key; a knows the new one"
p b accept "$cm" >/dev/null
wait_for 150 sh -c "'$PAKT' commitments --data-dir '$(node_dir a)' | grep -q 'countersigned: yes'"
ok $? "b accepts under its new key; a counts it"

p a audit --json >"$T_ROOT/audit.json"
grep -q '"countersigned":true' "$T_ROOT/audit.json" && grep -q '"response":"accepted"' "$T_ROOT/audit.json"
ok $? "pakt audit: countersigned, the party (its first key) answered 'accepted'"
p a export "$cm" -o "$T_ROOT/c.pakt" >/dev/null &&
	"$PAKT" verify "$T_ROOT/c.pakt" --json >"$T_ROOT/v.json" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q '"countersigned":true' "$T_ROOT/v.json" &&
	grep -q "\"party\":\"$new_b\",\"answer\":\"accept\"" "$T_ROOT/v.json" &&
	"$PAKT" verify "$T_ROOT/c.pakt" | grep -q "^  party .*: accepted" &&
	! grep -q "not a party" "$T_ROOT/v.json"
ok $? "pakt verify BUNDLE agrees: b's answer under its new key counts (exit $rc)"

# b writes twice more; a, holding them, removes b's key
p b post "b one" >/dev/null && p b post "b two" >/dev/null
wait_for 150 has_text a "b two"
head_b=$(p a log --json --from "$new_b" | grep -o '"seq":[0-9]*' | tail -1 | cut -d: -f2)
p a member remove "$new_b" >/dev/null; ok $? "a removes b's key at its head #$head_b"
# the removal travels in the next bundle with its body; its last key is
# "seq" (a3 73 65 71) with b's head (a positive fixint below 128)
p a export "$cm" -o "$T_ROOT/c2.pakt" >/dev/null &&
	"$PAKT" verify "$T_ROOT/c2.pakt" --dump "$T_ROOT/dump" >/dev/null
want=$(printf 'a3736571%02x' "$head_b")
found=0
for f in "$T_ROOT"/dump/*.body; do
	od -An -tx1 -v "$f" | tr -d ' \n' | grep -q "${want}\$" && found=1
done
[ "$found" -eq 1 ] && [ "$head_b" -lt 128 ]
ok $? "the bundle's removal entry names b's head: seq $head_b"
no_sanitizer_reports; ok $? "no sanitizer reports"
