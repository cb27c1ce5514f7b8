#!/bin/bash
# notify_command: paktd runs the office's program (argv, no shell) with one
# JSON event on stdin: a partner's new entry of notify_types, a commitment
# naming this organisation, a commitment due within notify_due_days (once
# per commitment a day, across restarts), a fork, this organisation's
# removal. Each kind arrives once; a program that fails or hangs is logged
# (and killed after 10 s) and paktd keeps serving.
. "$(dirname "$0")/../lib/harness.sh"
plan 13
. "$(dirname "$0")/../lib/attack.sh"

EV="$T_ROOT/events"
cat >"$T_ROOT/record" <<EOS
#!/bin/sh
# one event per line, appended
cat >>"$EV"
EOS
chmod +x "$T_ROOT/record"
events() { grep -c "\"event\":\"$1\"" "$EV" 2>/dev/null || true; }

make_initiative a "Notify test" && NW=$(p a status | awk '$1 == "initiative" {print $2}') && A_ADDR=$(daemon_addr a)
init_node b && conf_set b notify_command "$T_ROOT/record" && conf_set b notify_due_days 3 &&
	join_node a b "Spółdzielnia B" && join_node a m
ok $? "A, B (notify_command set) and M joined"
B=$(p b id); M=$(p m id)

p a post "Noclegownia otwarta: 40 łóżek" >/dev/null
wait_for 50 grep -q '"text":"Noclegownia otwarta: 40 łóżek"' "$EV"
ok $? "a partner's message reaches the program as an entry event with its text"
grep '"type":"message"' "$EV" | grep -q "\"author\":\"$(p a id)\"" && grep -q "\"network\":\"$NW\"" "$EV"
ok $? "the event names the author and the initiative by their ids"

due=$(date -u -d "+2 days" +%F)
c=$(p a commit "Dyżur w noclegowni" --party "$B" --due "$due" | en_id)
wait_for 50 grep -q '"event":"commitment"' "$EV" && grep '"event":"commitment"' "$EV" | grep -q "\"title\":\"Dyżur w noclegowni\",\"due\":\"$due\""
ok $? "a commitment naming B arrives as a commitment event with title and due date"
p b post "own post" >/dev/null; sleep 0.5
! grep -q '"text":"own post"' "$EV"
ok $? "B's own entries do not notify B"

stop_daemon b && start_daemon b && wait_for 50 grep -q '"event":"due"' "$EV"
ok $? "a commitment due in 2 days is reminded soon after start"
grep '"event":"due"' "$EV" | grep -q "\"hash\":\"$c\".*\"days\":2"
ok $? "the reminder names the commitment and the days left"
stop_daemon b && start_daemon b && sleep 3
[ "$(events due)" -eq 1 ]
ok $? "once a day: a restart does not repeat today's reminder ($(events due) due events)"

stop_daemon m
TARGET_ADDR=$(daemon_addr b) attack fork m fork
wait_for 50 grep -q '"event":"fork"' "$EV" && grep '"event":"fork"' "$EV" | grep -q "\"author\":\"$M\""
ok $? "a fork of M's feed arrives as a fork event naming M"

p a member remove "$B" >/dev/null
wait_for 50 grep -q '"event":"removed"' "$EV" && grep '"event":"removed"' "$EV" | grep -q "\"author\":\"$(p a id)\""
ok $? "B's removal reaches B (the signed entry) and arrives as a removed event naming the admin"
for k in entry commitment fork removed; do diag "$k events: $(events $k)"; done
[ "$(events commitment)" -eq 1 ] && [ "$(events fork)" -eq 1 ] && [ "$(events removed)" -eq 1 ] &&
	[ "$(grep -c '"text":"Noclegownia otwarta: 40 łóżek"' "$EV")" -eq 1 ]
ok $? "each event came once"

printf '#!/bin/sh\nexit 3\n' >"$T_ROOT/fail"; printf '#!/bin/sh\nsleep 60\n' >"$T_ROOT/hang"
chmod +x "$T_ROOT/fail" "$T_ROOT/hang"
init_node c && conf_set c notify_command "$T_ROOT/fail" && join_node a c
sed -i "s|^notify_command = .*|notify_command = $T_ROOT/hang|" "$(node_dir c)/config"
p a post "to a failing program" >/dev/null
wait_for 50 grep -q "notify_command $T_ROOT/fail exited with 3" "$(node_dir c)/paktd.log"
f=$?
kill -HUP "$(daemon_pid c)"; sleep 0.3; p a post "to a hanging program" >/dev/null
wait_for 150 grep -q "notify_command $T_ROOT/hang took longer than 10 s: killed" "$(node_dir c)/paktd.log"
[ $f -eq 0 ] && [ $? -eq 0 ]
ok $? "a program that fails is logged with its exit code, one that hangs is killed after 10 s"
p c status >/dev/null && p c post "still here" >/dev/null
ok $? "paktd keeps serving"
