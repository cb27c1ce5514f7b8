#!/bin/bash
# Partitions: one daemon at a time is cut off (SIGTERM or kill -9) while
# the others post; when it comes back everything converges, with no entry
# stored twice and no gap, and pakt verify passes on every node.
#   links: b, c, d dial a (joined by invite); c and d also dial b.
. "$(dirname "$0")/../lib/harness.sh"
plan 20

nodes="a b c d"
msg_count() { p "$1" log --type message | wc -l; }
healthy() {   # healthy NODE...: the same entries everywhere, none twice, no gap
	local n
	converged "$@" || return 1
	for n in "$@"; do no_dup_hashes "$n" && feeds_contiguous "$n" || return 1; done
}
verify_all() { local n; for n in $nodes; do p "$n" verify >/dev/null || return 1; done; }
post_round() {  # post_round TAG NODE...: 5 posts on each node
	local tag=$1 n i; shift
	for n in "$@"; do for i in 1 2 3 4 5; do p "$n" post "$tag $n $i" >/dev/null || return 1; done; done
}

make_initiative a "Partitions"; ok $? "backbone a started"
bad=""
for n in b c d; do join_node a "$n" || bad="$bad $n"; done
for n in c d; do p "$n" peer add "$(daemon_addr b)" >/dev/null || bad="$bad $n>b"; done
[ -z "$bad" ]; ok $? "b, c, d joined; c and d also dial b${bad:+ (failed:$bad)}"
post_round r0 $nodes; ok $? "every node posts 5 entries"
wait_for 100 healthy $nodes; ok $? "all 4 converge (10 s)"

# --- round 1: d (a leaf that only dials) stops cleanly
stop_daemon d; ok $? "d stopped (partitioned)"
post_round r1 a b c
wait_for 100 healthy a b c; ok $? "while d is away, a, b, c converge on their new posts"
start_daemon d; ok $? "d restarted (healed)"
wait_for 150 healthy $nodes; ok $? "d catches up: all 4 converge (15 s)"
[ "$(msg_count d)" -eq 35 ]; ok $? "d has exactly the 35 messages posted so far ($(msg_count d))"

# --- round 2: b (a relay that c and d dial) is killed; it comes back on the same address
addr_b=$(daemon_addr b)
kill9_daemon b
post_round r2 a c d
wait_for 100 healthy a c d; ok $? "while b is down (kill -9), a, c, d converge on their new posts"
start_daemon b --listen "$addr_b"; ok $? "b restarted on its old address $addr_b"
wait_for 150 healthy $nodes; ok $? "b catches up: all 4 converge (15 s)"
both() { peer_connected c b && peer_connected d b; }
wait_for 150 both; ok $? "c and d redial b after the kill (backoff, 15 s)"

# --- round 3: the backbone a stops; b, c, d still reach each other through b
addr_a=$(daemon_addr a)
stop_daemon a; ok $? "a stopped (partitioned)"
post_round r3 b c d
wait_for 100 healthy b c d; ok $? "while a is away, b, c, d converge through b"
start_daemon a --listen "$addr_a"; ok $? "a restarted on its old address"
wait_for 150 healthy $nodes; ok $? "a catches up: all 4 converge (15 s)"
counts=""
for n in $nodes; do counts="$counts $(msg_count "$n")"; done
[ "$counts" = " 65 65 65 65" ]; ok $? "every node has exactly the 65 messages posted (has:$counts)"
verify_all; ok $? "pakt verify passes on every node"
no_sanitizer_reports; ok $? "no sanitizer reports"
