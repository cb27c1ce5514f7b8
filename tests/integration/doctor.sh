#!/bin/bash
# pakt doctor: each broken set-up gets its one-line finding with what to
# do, and exit 1; a healthy node gets none. --json has the documented shape.
. "$(dirname "$0")/../lib/harness.sh"
plan 12

# finding NODE LEVEL CHECK REGEX: doctor's text output has that finding
finding() { p "$1" doctor 2>/dev/null | grep -Eq "^$2 +$3 +$4"; }
exit_of() { p "$1" doctor >/dev/null 2>&1; echo $?; }

make_initiative a "Doctor" && join_node a b
ok $? "A and B in one initiative"
out=$(p a doctor 2>/dev/null); rc=$?
[ $rc -eq 0 ] && ! echo "$out" | grep -q "^ERROR" && echo "$out" | grep -q "^0 errors"
ok $? "a healthy node: no errors, exit 0"
p a doctor --json >"$T_ROOT/doc.json" 2>/dev/null
grep -Eq '^\{"ok":true,"errors":0,"warnings":[0-9]+,"datadir":"[^"]*","findings":\[\{"check":"datadir","level":"ok","message":"[^"]*"\}' "$T_ROOT/doc.json" &&
	for c in datadir keyfile config paktd socket store listen peer member clock disk; do
		grep -q "\"check\":\"$c\"" "$T_ROOT/doc.json" || exit 1
	done
ok $? "--json: ok, errors, warnings, datadir, findings[{check, level, message}] for every check"

"$PAKT" doctor --data-dir "$T_ROOT/nothing" >"$T_ROOT/none.out" 2>&1; rc=$?
[ $rc -eq 1 ] && grep -Eq "^ERROR datadir +no data directory $T_ROOT/nothing: create the node with 'pakt init --data-dir $T_ROOT/nothing'" "$T_ROOT/none.out"
ok $? "no data directory: says run pakt init (exit $rc)"

k="$(node_dir b)/identity.key"; chmod 644 "$k"
finding b ERROR keyfile ".*is readable by group or others \(mode 0644\): chmod 600 $k" && [ "$(exit_of b)" = 1 ]
ok $? "a key file readable by others: says chmod 600"
chmod 600 "$k"

echo "colour = blue" >>"$(node_dir b)/config"
finding b ERROR config ".*config:[0-9]+: .*fix the line, then 'systemctl reload paktd' or restart paktd"
ok $? "a config line paktd would refuse: names the file and line"
sed -i '/^colour = blue$/d' "$(node_dir b)/config"

chmod 666 "$(node_dir b)/paktd.sock"
finding b ERROR socket ".*paktd.sock is open to everyone \(mode 0666\): chmod 600"
ok $? "a control socket open to everyone: says chmod 600"
chmod 600 "$(node_dir b)/paktd.sock"

p b peer add 127.0.0.1:9 >/dev/null
wait_secs 1
finding b WARN peer "127.0.0.1:9 never reached: check the address"
ok $? "a peer never reached: says what to check"
p b peer remove 127.0.0.1:9 >/dev/null

p a member remove "$(node_id b)" >/dev/null
wait_for 50 finding a ok member ".*2 members" || true
stop_daemon b
finding b ERROR paktd "paktd is not running on $(node_dir b): 'systemctl start paktd'" && [ "$(exit_of b)" = 1 ]
ok $? "paktd not running: says how to start it"
start_daemon b
finding a ok member "a member \(admin\)"
ok $? "the admin is still a member"


join_node a d && p a member remove "$(node_id d)" >/dev/null
wait_for 50 finding d ERROR member "this organisation was removed from Doctor by a on [0-9]{4}-[0-9]{2}-[0-9]{2}: nothing it posts counts"
ok $? "a removed organisation learns it from the signed removal, and doctor says so"
[ "$(exit_of d)" = 1 ]
ok $? "and exits 1"
