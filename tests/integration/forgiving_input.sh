#!/bin/bash
# Forgiving input and exit codes: an invite code wrapped by an e-mail
# client joins; a join that cannot reach the inviter names the address and
# what to check; global options go before the command; --type is checked;
# members are named by the start of their name (case and Polish letters
# folded), an ambiguous start lists the candidates; text in cp1250 is
# refused with the iconv hint; exit codes 3, 4 and 5.
. "$(dirname "$0")/../lib/harness.sh"
plan 21

make_initiative a "Pomoc Zimowa"; ok $? "a creates the initiative"
code=$(p a invite --name "Fundacja Dom Nadziei")
# as a mail client breaks it: <code> with a line break every 40 characters and indentation
wrapped="<$(echo "$code" | fold -w 40 | sed 's/^/   /')>"
[ "$(echo "$wrapped" | wc -l)" -gt 2 ]; ok $? "the wrapped code spans several lines"
init_node b && start_daemon b && p b join "$wrapped" >"$T_ROOT/join" 2>&1
ok $? "b joins with the wrapped code: $(head -c 200 "$T_ROOT/join")"
join_node a c "Fundacja Łódzka" && join_node a d "Ośrodek Pomocy Społecznej"
ok $? "c and d join under Polish names"

# a code whose inviter is down: the address tried and what to check
init_node e && conf_set e listen 127.0.0.1:0 && start_daemon e && p e initiative create "E" >/dev/null &&
	ecode=$(p e invite) && eaddr=$(daemon_addr e) && stop_daemon e
ok $? "e makes an invite and stops"
init_node f && start_daemon f
p f join "$ecode" >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 1 ] && grep -q "could not reach the inviter at $eaddr (connect: connection refused): is paktd running at $eaddr and port ${eaddr##*:} open in its firewall?" "$T_ROOT/err"
ok $? "join to a stopped inviter names the address and what to check (rc $rc): $(cat "$T_ROOT/err")"

"$PAKT" --data-dir "$(node_dir a)" status >"$T_ROOT/st" 2>&1 && grep -q "^paktd  *running" "$T_ROOT/st"
ok $? "pakt --data-dir DIR status: the global option before the command"
net=$(p a status | grep -o 'nw_[a-z2-7]*' | head -1)
"$PAKT" --network="$net" --data-dir "$(node_dir a)" members | grep -q "^members of Pomoc Zimowa"
ok $? "--network=ID and --data-dir DIR before the command"

p a log --type messages >"$T_ROOT/out" 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 2 ] && [ ! -s "$T_ROOT/out" ] &&
	grep -q "^pakt: log: --type 'messages' is not an entry type; the types are: message, sealed, profile, genesis, member" "$T_ROOT/err"
ok $? "--type messages (a typo): exit 2 and the list of types (rc $rc)"

# members by the start of their name
has_entry() { log_objects "$1" | grep -q "\"hash\":\"$2\""; }
sid=$(p a post --to "OSRODEK" "for the welfare office $$" | en_id)
wait_for 100 has_entry d "$sid" && p d log | grep -q "(private) for the welfare office $$"
ok $? "--to OSRODEK (no diacritics, upper case) names Ośrodek Pomocy Społecznej"
sid=$(p a post --to "fundacja l" "for Łódzka $$" | en_id)
wait_for 100 has_entry c "$sid" && p c log | grep -q "(private) for Łódzka $$" && ! p b log | grep -q "for Łódzka"
ok $? "--to 'fundacja l' names Fundacja Łódzka, not Fundacja Dom Nadziei"
p a post --to "Fund" "x" >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 2 ] && grep "^pakt: post: --to 'Fund' matches 2 members: .*; give more of the name or the id" "$T_ROOT/err" |
	grep "Fundacja Dom Nadziei (pk_[a-z2-7]*)" | grep -q "Fundacja Łódzka (pk_[a-z2-7]*)"
ok $? "an ambiguous start lists the candidates, exit 2: $(head -1 "$T_ROOT/err")"
p a post --to "Nobody" "x" >/dev/null 2>"$T_ROOT/err"; [ $? -eq 2 ] &&
	grep -q "'Nobody' is neither an id (pk_...) nor the start of a member's name" "$T_ROOT/err"
ok $? "a name that matches no member: exit 2 with a reason"
p a member remove "ośr" >"$T_ROOT/out" 2>&1 && p a members | grep -A1 "^Ośrodek" | grep -q "(removed)"
ok $? "member remove by name: 'ośr'"

# text in the Windows Polish code page
p a post "$(printf 'Za\xbf\xf3\xb3\xe6 g\xea\xb6l\xb9 ja\xbc\xf1')" >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 2 ] && grep -q "is not valid UTF-8 .*: convert it with: iconv -f cp1250 -t utf-8" "$T_ROOT/err"
ok $? "cp1250 bytes in an argument: exit 2 with the iconv hint"
printf 'Za\xbf\xf3\xb3\xe6\n' | p a post - >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 2 ] && grep -q "the text is not valid UTF-8 .*: convert it with: iconv -f cp1250 -t utf-8" "$T_ROOT/err"
ok $? "cp1250 bytes on standard input: the same hint"
head -c 8193 /dev/zero | tr '\0' x | p a post - >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 2 ] && grep -q "longer than 8192 bytes" "$T_ROOT/err"
ok $? "a text over the limit: exit 2 and the limit (8192 bytes)"

# exit codes
stop_daemon f; p f status >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 3 ] && grep -q "paktd is not running" "$T_ROOT/err"; ok $? "paktd stopped: exit 3 (rc $rc)"
"$PAKT" status --data-dir "$T_ROOT/nowhere" >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 4 ] && grep -q "no data directory $T_ROOT/nowhere: run 'pakt init --data-dir $T_ROOT/nowhere'" "$T_ROOT/err" &&
	! grep -q "not running" "$T_ROOT/err"
ok $? "a missing data directory: exit 4 and 'run pakt init' (rc $rc)"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$PAKT"; then
	chmod 711 "$T_ROOT"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$PAKT" status --data-dir "$(node_dir a)" >/dev/null 2>"$T_ROOT/err"; rc=$?
	[ $rc -eq 5 ] && grep -q "permission denied on paktd's control socket" "$T_ROOT/err" && ! grep -q "not running" "$T_ROOT/err"
	ok $? "another user: exit 5, permission denied, not 'not running' (rc $rc)"
else
	ok 0 "# SKIP needs root, setpriv and a build nobody can run"
fi
no_sanitizer_reports; ok $? "no sanitizer reports"
