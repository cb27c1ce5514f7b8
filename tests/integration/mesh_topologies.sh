#!/bin/bash
# One initiative over three topologies of the same nodes: a star around the
# backbone, a chain a-b-c-d-e (entries relayed hop by hop, live), and a
# full mesh of six. In each, posts from every node converge everywhere.
. "$(dirname "$0")/../lib/harness.sh"
plan 18

n_connected() { p "$1" peer list --json | json_objects | grep -c '"connected":true'; }
connected_count() { [ "$(n_connected "$1")" -eq "$2" ]; }
posted_everywhere() {   # posted_everywhere TEXT NODE...
	local t=$1 n; shift
	for n in "$@"; do has_text "$n" "$t" || return 1; done
}
all_posted() {          # all_posted TAG NODE...: "TAG from X" for every X, on every node
	local tag=$1 n; shift
	for n in "$@"; do posted_everywhere "$tag from $n" "$@" || return 1; done
}

# --- star: everyone joined the backbone a and dials it
make_initiative a "Star, chain, mesh"; ok $? "backbone a started"
bad=""
for n in b c d e; do join_node a "$n" "Org $n" || bad="$bad $n"; done
[ -z "$bad" ]; ok $? "4 partners join the backbone${bad:+ (failed:$bad)}"
wait_for 50 connected_count a 4; ok $? "star: a has 4 connected peers"
for n in a b c d e; do p "$n" post "star from $n" >/dev/null; done
wait_for 100 all_posted star a b c d e; ok $? "star: every node's post reaches every node (10 s)"
wait_converged 50 a b c d e; ok $? "star: identical entry sets on all 5 nodes"

# --- chain: each node drops its link to a and dials its left neighbour
addr_a=$(daemon_addr a)
prev=b
for n in c d e; do
	p "$n" peer remove "$addr_a" >/dev/null && p "$n" peer add "$(daemon_addr "$prev")" >/dev/null || bad="$bad $n"
	prev=$n
done
[ -z "$bad" ]; ok $? "chain built with peer remove/peer add${bad:+ (failed:$bad)}"
chain_ready() {
	connected_count a 1 && peer_connected a b && connected_count b 2 && peer_connected b c &&
		connected_count c 2 && peer_connected c d && connected_count d 2 && peer_connected d e &&
		connected_count e 1
}
wait_for 100 chain_ready; ok $? "chain: a-b-c-d-e, each connected to its neighbours only"
! peer_connected e a && ! peer_connected a e && ! p e peer list | grep -q "$addr_a"
ok $? "chain: e is not connected to a and does not dial it"

"$PAKT" tail -f -n 0 --data-dir "$(node_dir e)" >"$T_ROOT/tail.e" 2>&1 &
tpid=$!
# tail -f has no readiness signal: a post on e itself tells us it follows
p e post "tail probe" >/dev/null
wait_for 50 grep -q "tail probe" "$T_ROOT/tail.e"
start=$(date +%s%N)
p a post "live along the chain" >/dev/null
wait_for 50 grep -q "live along the chain" "$T_ROOT/tail.e"; rc=$?
ok $rc "chain: a post on a reaches tail -f on e, 4 hops away, within 5 s (took $(( ($(date +%s%N) - start) / 1000000 )) ms)"
kill -INT $tpid; wait $tpid

for n in a b c d e; do p "$n" post "chain from $n" >/dev/null; done
wait_for 100 all_posted chain a b c d e; ok $? "chain: every node's post reaches every node (10 s)"
wait_converged 50 a b c d e; ok $? "chain: identical entry sets on all 5 nodes"

# --- full mesh of six: f joins, then every missing pair gets a link
join_node a f "Org f"; ok $? "f joins"
nodes="a b c d e f"
for j in $nodes; do
	for i in $nodes; do
		[ "$i" \< "$j" ] || continue
		peer_connected "$i" "$j" || p "$j" peer add "$(daemon_addr "$i")" >/dev/null || bad="$bad $j>$i"
	done
done
[ -z "$bad" ]; ok $? "full mesh links added${bad:+ (failed:$bad)}"
full() { local n; for n in $nodes; do connected_count "$n" 5 || return 1; done; }
wait_for 100 full; ok $? "full mesh: every node has 5 connected peers"
for n in $nodes; do p "$n" post "mesh from $n" >/dev/null; done
wait_for 100 all_posted mesh $nodes; ok $? "full mesh: every node's post reaches every node (10 s)"
wait_converged 50 $nodes; ok $? "full mesh: identical entry sets on all 6 nodes"
bad=""
for n in $nodes; do { no_dup_hashes "$n" && feeds_contiguous "$n"; } || bad="$bad $n"; done
[ -z "$bad" ]; ok $? "full mesh: no entry stored twice, no gap, on any node${bad:+ (not on:$bad)}"
no_sanitizer_reports; ok $? "no sanitizer reports"
