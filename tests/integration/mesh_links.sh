#!/bin/bash
# The `links` bound: a node dials the profile addresses of at most `links`
# members (explicit links first), chosen by a stable random order; a node
# whose inbound member sessions reach 2 x `links` says "busy: too many
# links" to one more (when members publish addresses it can dial instead).
. "$(dirname "$0")/../lib/harness.sh"
plan 7

init_node a && conf_set a links 2 && start_daemon a && p a initiative create "Bounded links" >/dev/null
ok $? "a founds the initiative with links = 2"
bad=""
for n in b c d e f; do join_node a "$n" "Org $n" || bad="$bad $n"; done
[ -z "$bad" ]; ok $? "5 partners join${bad:+ (failed:$bad)}"

for n in b c d e f; do
	p "$n" profile set --name "Org $n" --sector ngo --address "$(daemon_addr "$n")" >/dev/null || bad="$bad $n"
done
[ -z "$bad" ]; ok $? "each publishes a profile with its address${bad:+ (failed:$bad)}"
wait_for 100 grep -q "links: dialling the profile addresses of 2 of 5 members (links = 2, 0 explicit)" \
	"$(node_dir a)/paktd.log"
ok $? "a dials the addresses of 2 of the 5 members"

# g: links = 1, so at most 2 inbound member sessions (it knows b's address)
init_node g && conf_set g links 1 && join_node a g "Org g"
wait_for 100 grep -q "links: dialling" "$(node_dir g)/paktd.log"
g_addr=$(daemon_addr g)
for n in c d e; do p "$n" peer add "$g_addr" >/dev/null; done
busy() { grep -q "peer said bye: busy: too many links" "$(node_dir "$1")/paktd.log"; }
some_busy() { busy c || busy d || busy e; }
wait_for 100 some_busy; ok $? "g refuses a third inbound member with 'busy: too many links'"
n_in() { p g peer list --json | json_objects | grep '"inbound":true' | grep -c '"connected":true'; }
[ "$(n_in)" -le 2 ]; ok $? "g holds at most 2 inbound sessions (has $(n_in))"
no_sanitizer_reports; ok $? "no sanitizer reports"
