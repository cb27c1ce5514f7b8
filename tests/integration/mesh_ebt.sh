#!/bin/bash
# Epidemic broadcast trees: 10 daemons in a connected random-ish topology
# (each dials 3 others). After warm-up posts the tree settles; then each
# new entry must arrive about once per node: the test fails if the
# entries received (entries_in over a node's sessions) per entry the node
# stored from others average more than 1.5. Every node converges.
. "$(dirname "$0")/../lib/harness.sh"
plan 9
LIMIT=${MESH_EBT_LIMIT:-1.5}
nodes="n0 n1 n2 n3 n4 n5 n6 n7 n8 n9"

# MESH_EBT_REPL=1: the same with replication version 1 (every node pushes
# to every link), to see the test fail without the trees
# MESH_EBT_V1="n3 n8": those nodes only at version 1 (a mixed mesh)
setup() {
	init_node "$1" && { [ -z "${MESH_EBT_REPL:-}" ] || conf_set "$1" repl_version "$MESH_EBT_REPL"; } &&
		{ case " ${MESH_EBT_V1:-} " in *" $1 "*) conf_set "$1" repl_version 1 ;; esac; } &&
		start_daemon "$1"
}
setup n0 && p n0 initiative create "Broadcast trees" >/dev/null; ok $? "n0 founds the initiative"
bad=""
for i in 1 2 3 4 5 6 7 8 9; do setup "n$i" && join_node n0 "n$i" "Org $i" || bad="$bad n$i"; done
[ -z "$bad" ]; ok $? "9 partners join${bad:+ (failed:$bad)}"

# each node dials 3 others: its ring neighbour (connected) and two
# chords; the joiners drop their link to n0 unless they picked it
addr_n0=$(daemon_addr n0)
for i in 1 2 3 4 5 6 7 8 9; do
	picks="$(( (i + 1) % 10 )) $(( (i + 3) % 10 )) $(( (i + 6) % 10 ))"
	case " $picks " in *" 0 "*) ;; *) p "n$i" peer remove "$addr_n0" >/dev/null || bad="$bad n$i" ;; esac
	for j in $picks; do [ "$j" = 0 ] || p "n$i" peer add "$(daemon_addr "n$j")" >/dev/null || bad="$bad n$i>n$j"; done
done
for j in 1 3 6; do p n0 peer add "$(daemon_addr "n$j")" >/dev/null || bad="$bad n0>n$j"; done
[ -z "$bad" ]; ok $? "30 links added${bad:+ (failed:$bad)}"

n_connected() { p "$1" peer list --json | json_objects | grep -c '"connected":true'; }
linked() { local n; for n in $nodes; do [ "$(n_connected "$n")" -ge 3 ] || return 1; done; }
wait_for 200 linked; ok $? "every node has at least 3 live links"

# warm-up: posts from every node settle the trees (duplicates prune)
for round in 1 2 3; do
	for n in $nodes; do p "$n" post "warm $round from $n" >/dev/null; done
	sleep 0.5
done
wait_quiet 300 $nodes

# per node: entries received over its sessions, entries it stores
snap() {
	local n in
	for n in $nodes; do
		in=$(p "$n" peer list --json | grep -o '"entries_in":[0-9]*' | cut -d: -f2 | awk '{ s += $1 } END { print s + 0 }')
		echo "$n $in $(entry_count "$n")"
	done
}
before=$(snap)
posters="n2 n5 n7 n9 n0"
for round in 1 2 3 4 5 6; do
	for n in $posters; do p "$n" post "tree $round from $n" >/dev/null; done
	sleep 0.2
done
wait_quiet 300 $nodes; ok $? "all 10 nodes converge"
sleep 0.5   # the last notes and grafts land
after=$(snap)

# redundancy: received / (stored - own posts), per node, averaged
report=$(printf '%s\n%s\n' "$before" "$after" | awk -v posters="$posters" '
	BEGIN { split(posters, ps, " "); for (i in ps) own[ps[i]] = 6 }
	seen[$1]++ == 0 { in0[$1] = $2; st0[$1] = $3; next }
	{ got = $3 - st0[$1] - own[$1]; if (got > 0) { r = ($2 - in0[$1]) / got; sum += r; k++;
	  printf "%s:%.2f ", $1, r } }
	END { printf "avg %.3f\n", k ? sum / k : 99 }')
diag "received per stored entry: $report"
avg=$(echo "$report" | sed -n 's/.*avg //p')
awk -v a="$avg" -v l="$LIMIT" 'BEGIN { exit !(a <= l) }'
ok $? "an entry arrives $avg times per node on average after the tree settles (limit $LIMIT)"
# a node dies: whoever took some feed from it eagerly grafts a lazy link
# (the ring without one node still connects the others)
kill9_daemon n4
left="n0 n1 n2 n3 n5 n6 n7 n8 n9"
for n in $left; do p "$n" post "after n4 from $n" >/dev/null; done
wait_quiet 100 $left; ok $? "n4 killed: the other 9 converge on each other's new posts (10 s)"
after_ok() { local n m; for n in $left; do for m in $left; do has_text "$n" "after n4 from $m" || return 1; done; done; }
after_ok; ok $? "every live node holds every post made after n4 died"
no_sanitizer_reports; ok $? "no sanitizer reports"
