#!/bin/bash
# Rule 4: a member's profile makes A dial only its latest addresses (at
# most 4); a newer profile removes the links of the older one; a host
# name is resolved off the loop (a name that does not resolve costs that
# link only); H keeps replicating throughout.
#
# Needs repl to announce profiles through NODE_EV_PROFILE (net_on_profile);
# until then repl dials every profile's addresses itself and never removes
# them.
. "$(dirname "$0")/../lib/harness.sh"
plan 8

. "$(dirname "$0")/../lib/attack.sh"

backbone "Profile dialling" h m
ok $? "H and M joined A by invite"
still_replicates "setup"

links() { p a peer list --json; }
has_link() { links | grep -q "\"address\":\"$1\""; }
lacks_link() { ! links | grep -q "\"address\":\"$1\""; }

p m profile set --name "Org M" --sector ngo --address 127.0.0.1:9 --address 127.0.0.1:10 >/dev/null
ok $? "M publishes a profile with two addresses"
wait_for 100 has_link 127.0.0.1:9 && wait_for 20 has_link 127.0.0.1:10
ok $? "A dials both"

p m profile set --name "Org M" --sector ngo --address name-that-does-not-exist.invalid:7420 \
	--address 127.0.0.1:11 >/dev/null
wait_for 100 has_link 127.0.0.1:11 && wait_for 20 lacks_link 127.0.0.1:9 && lacks_link 127.0.0.1:10
ok $? "a newer profile replaces the older one's links on A"
# while M replicates with A its links wait; once M is gone A dials them
stop_daemon m
wait_for 100 grep -q "cannot resolve address 'name-that-does-not-exist.invalid:7420'" "$(node_dir a)/paktd.log"
ok $? "a name that does not resolve is reported for its link"
still_replicates "the profiles"
