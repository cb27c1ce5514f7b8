#!/bin/bash
# Joining by invite: a backbone and two partners form a mesh, see the same
# members and the same entries; used, garbage and expired codes are refused
# and the refused node stores nothing of the initiative. Also: peer list
# counts bytes both ways, tail -f --from follows one author by name.
. "$(dirname "$0")/../lib/harness.sh"
plan 23

make_initiative a "Homes First"; ok $? "backbone a creates the initiative"
nw=$(p a status | awk '$1 == "initiative" { print $2 }')
code_b=$(p a invite --name "Harbour Foundation")
init_node b && start_daemon b && p b join "$code_b" >/dev/null
ok $? "partner b joins by invite"
join_node a c "City Welfare"; ok $? "partner c joins by invite"

bad=""
for n in a b c; do
	m=$(p "$n" members) || { bad="$bad $n"; continue; }
	[ "$(echo "$m" | grep -c '^  pk_')" -eq 3 ] &&
		echo "$m" | grep -q '^a  .* admin ' &&
		echo "$m" | grep -q '^Harbour Foundation .* member ' &&
		echo "$m" | grep -q '^City Welfare .* member ' || bad="$bad $n"
done
[ -z "$bad" ]; ok $? "members lists the same 3 named members on every node${bad:+ (wrong on:$bad)}"
[ "$(p b members --json | json_objects | grep -c '"removed":false')" -eq 3 ]
ok $? "members --json on b: 3 current members"

for n in a b c; do p "$n" post "hello from $n" >/dev/null; done
all_posts() { local n m; for n in a b c; do for m in a b c; do has_text "$n" "hello from $m" || return 1; done; done; }
start=$(date +%s%N)
wait_for 100 all_posts; ok $? "a post on each node reaches every node within 10 s (took $(( ($(date +%s%N) - start) / 1000000 )) ms)"
wait_converged 50 a b c; ok $? "every node stores the same set of entries (author, seq, hash)"
for n in a b c; do p "$n" log --type message | sed -E 's/^.*  message  //' | sort >"$T_ROOT/msgs.$n"; done
cmp -s "$T_ROOT/msgs.a" "$T_ROOT/msgs.b" && cmp -s "$T_ROOT/msgs.a" "$T_ROOT/msgs.c" &&
	[ "$(wc -l <"$T_ROOT/msgs.a")" -eq 3 ]
ok $? "pakt log shows the same 3 messages on every node"
bad=""
for n in a b c; do feeds_contiguous "$n" || bad="$bad $n"; done
[ -z "$bad" ]; ok $? "every feed is stored in seq order with no gap or repeat${bad:+ (not on:$bad)}"

# peer list: connected peers with traffic counted both ways
pl=$(p a peer list --json | json_objects)
ok_peer() { echo "$pl" | grep "\"key\":\"$(node_id "$1")\"" | grep '"connected":true' |
	grep -v '"bytes_in":0,' | grep -qv '"bytes_out":0,'; }
ok_peer b && ok_peer c; ok $? "peer list --json on a: b and c connected, bytes in and out non-zero"
p b peer list | grep -q "connected outbound"; ok $? "peer list on b: a connected outbound"

# tail -f --from: only that author, shown by name
id_c=$(node_id c)
"$PAKT" tail -f -n 1 --from "$id_c" --data-dir "$(node_dir b)" >"$T_ROOT/from" 2>&1 &
tpid=$!
# -n 1 shows c's latest stored post first: once it is there, tail is following
wait_for 50 grep -q "hello from c" "$T_ROOT/from"
p a post "a talks" >/dev/null
p c post "c talks" >/dev/null
wait_for 50 grep -q "c talks" "$T_ROOT/from"; ok $? "tail -f --from c on b shows c's new post within 5 s"
# a's post was stored on b before c's (wait for it, then look)
wait_for 50 has_text b "a talks"
! grep -q "a talks" "$T_ROOT/from"; ok $? "tail -f --from c does not show a's post"
grep "c talks" "$T_ROOT/from" | grep -q "City Welfare"; ok $? "tail -f --from shows the author's name"
kill -INT $tpid; wait $tpid

# refused joins: a used code, a garbage code, an expired code
id_d=$(init_node d && node_id d)
start_daemon d
p d join "$code_b" >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 1 ] && grep -qi "used" "$T_ROOT/err"; ok $? "a used invite code is refused: exit 1, reason says used ($(cat "$T_ROOT/err"))"
wait_for 50 grep -q "($id_d): closed: .*used" "$(node_dir a)/paktd.log"
ok $? "the inviter logs the refused node as closed"
p d join pi_thisisnotaninvitecode >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -ne 0 ] && [ -s "$T_ROOT/err" ]; ok $? "a garbage code is refused (exit $rc: $(cat "$T_ROOT/err"))"
exp=$(p a invite --name Late --expires 1s)
sleep 2   # let the 1 s code expire (the only fixed wait: time itself is the subject)
p d join "$exp" >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 1 ] && grep -qi "expired" "$T_ROOT/err"; ok $? "an expired code is refused: exit 1, says expired"
[ "$(p d status --json | grep -o '"entries":[0-9]*')" = '"entries":0' ] && [ -z "$(entry_keys d)" ]
ok $? "the refused node stores no entry"
! p a members | grep -q "$id_d"; ok $? "the refused node is not a member"
! grep -q "$nw" "$(node_dir d)/config" && ! p d status | grep -q "$nw" &&
	! p d members >/dev/null 2>&1
ok $? "the refused node keeps nothing of the initiative (no default network, no members list)"

[ "$(entry_keys a | wc -l)" -eq "$(entry_keys b | wc -l)" ] && ! entry_keys a | grep -q "$id_d"
ok $? "the members' stores hold nothing from the refused node"
no_sanitizer_reports; ok $? "no sanitizer reports"
