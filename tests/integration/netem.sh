#!/bin/bash
# Broken networks: six daemons, each in its own network namespace
# (127.77.0.K on a bridge), linked as a full mesh, go through three
# impairments in turn:
#   loss       10% of every node's outgoing packets dropped
#   delay      200 ms +/- 50 ms on every packet, 25% sent at once (reordered)
#   partition  3+3 cut (packets dropped both ways), both halves post, heal
# Each time every node posts, and every feed converges on every node within
# the bound stated below, with no entry stored twice and no gap; at the end
# pakt verify passes everywhere. Loss and delay come from tests/lib/netemu
# (NFQUEUE), as the kernels this runs on have no sch_netem. Convergence
# times and netemu's counters are printed as '# diag' lines.
# Skips, with the reason, without root, namespaces, iptables or netemu.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/netns.sh"

if why=$(netns_unusable); then
	echo "1..0 # SKIP $why"
	exit 0
fi
trap 'netemu_stop_all >/dev/null 2>&1; finish; netns_down' EXIT
trap 'exit 130' INT TERM HUP

POSTS=20            # entries each node posts in each scenario
BOUND_LOSS=60       # seconds, from the last post to full convergence
BOUND_DELAY=60
BOUND_HEAL=90       # from the heal; TCP's retransmission backoff dominates
PARTITION_SECS=15   # how long the halves stay apart
plan 29

ks="1 2 3 4 5 6"
nodes="n1 n2 n3 n4 n5 n6"
side_a="n1 n2 n3"
side_b="n4 n5 n6"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
msg_count() { p "$1" log --type message | wc -l; }
healthy() {   # healthy NODE...: the same entries everywhere, none twice, no gap
	local n
	converged "$@" || return 1
	for n in "$@"; do no_dup_hashes "$n" && feeds_contiguous "$n" || return 1; done
}
posted=0        # messages posted so far, all nodes
post_round() {  # post_round TAG NODE...: POSTS posts on each, interleaved
	local tag=$1 n i; shift
	for i in $(seq 1 $POSTS); do
		for n in "$@"; do p "$n" post "$tag $n $i" >/dev/null || return 1; posted=$((posted + 1)); done
	done
}
# converge_within SECONDS NODE...: wait until healthy; sets took_ms
converge_within() {
	local s=$1 t0 rc; shift
	t0=$(now_ms)
	wait_secs "$s" healthy "$@"; rc=$?
	took_ms=$(( $(now_ms) - t0 ))
	return $rc
}
counts_are() {  # counts_are N NODE...: every node stores N messages
	local want=$1 n; shift
	for n in "$@"; do [ "$(msg_count "$n")" -eq "$want" ] || return 1; done
}
counts() { local n c=""; for n in $nodes; do c="$c $(msg_count "$n")"; done; echo "$c"; }
impair() {      # impair TAG WHAT NETEMU_ARGS...: a netemu on every node
	local tag=$1 what=$2 k bad=""; shift 2
	for k in $ks; do netemu_start "$k" "$tag" "$@" --seed "$k" || bad="$bad n$k"; done
	[ -z "$bad" ]; ok $? "$tag: netemu $what${bad:+ (failed:$bad)}"
}
post_all_converge() {  # post_all_converge TAG BOUND: all post, all converge
	local tag=$1 bound=$2 t0
	t0=$(now_ms)
	post_round "$tag" $nodes; ok $? "$tag: every node posts $POSTS entries"
	diag "$tag: posting took $(( $(now_ms) - t0 )) ms"
	converge_within "$bound" $nodes
	ok $? "$tag: all 6 converge within $bound s of the last post (took $took_ms ms)"
	diag "convergence $tag: $took_ms ms (bound $bound s)"
}
unimpair() {    # unimpair TAG: stop the netemus; their counters in $stats
	netemu_stop_all; ok $? "$1: every netemu ran to the end"
	stats=$(netemu_stats "$1"); diag "netemu $1: $stats"
}

# ---- the mesh, unimpaired ----
netns_up 6; ok $? "hub bridge and 6 node namespaces with 127.77.0.1-6 on veths" ||
	{ echo "Bail out! cannot build the namespaces"; exit 1; }
bad=""
for k in $ks; do
	init_node "n$k" && PAKTD_WRAP="ip netns exec $(ns_name $k)" start_daemon "n$k" --listen "$(ns_addr $k):0" || bad="$bad n$k"
done
[ -z "$bad" ]; ok $? "6 daemons started, each in its namespace${bad:+ (failed:$bad)}"
bad=""
for k in $ks; do case $(daemon_addr "n$k") in "$(ns_addr $k)":[0-9]*) ;; *) bad="$bad n$k";; esac; done
[ -z "$bad" ]; ok $? "each listens on its namespace's address${bad:+ (not:$bad)}"

p n1 initiative create "Broken networks" >/dev/null; ok $? "n1 creates the initiative"
for n in n2 n3 n4 n5 n6; do join_node n1 "$n" || bad="$bad $n"; done
[ -z "$bad" ]; ok $? "n2..n6 join n1 by invite across the bridge${bad:+ (failed:$bad)}"
bad=""
for j in $ks; do
	for i in $ks; do
		[ "$i" -lt "$j" ] || continue
		peer_connected "n$i" "n$j" || p "n$j" peer add "$(daemon_addr "n$i")" >/dev/null || bad="$bad n$j>n$i"
	done
done
n_connected() { p "$1" peer list --json | json_objects | grep -c '"connected":true'; }
full() { local n; for n in $nodes; do [ "$(n_connected "$n")" -eq 5 ] || return 1; done; }
wait_secs 30 full; ok $? "full mesh: every node has 5 connected peers (30 s)${bad:+ (failed:$bad)}"

# ---- (a) loss ----
impair loss "drops 10% of each node's outgoing packets" --loss 10
post_all_converge loss $BOUND_LOSS
# a restart under loss: n6 (which dialled the other five) handshakes again
# through lossy links and catches up on what was posted while it was down
addr6=$(daemon_addr n6)
stop_daemon n6 && post_round down n1 n2 n3 n4 n5; ok $? "loss: n6 stopped, the other five post $POSTS entries each"
PAKTD_WRAP="ip netns exec $(ns_name 6)" start_daemon n6 --listen "$addr6"; ok $? "loss: n6 restarted on $addr6"
converge_within $BOUND_LOSS $nodes; rc=$?
wait_secs 30 full; rc2=$?
[ $rc -eq 0 ] && [ $rc2 -eq 0 ]; ok $? "loss: n6 redials its 5 peers and all 6 converge within $BOUND_LOSS s of its restart (took $took_ms ms)"
diag "convergence loss, n6 restarted: $took_ms ms (bound $BOUND_LOSS s)"
unimpair loss
set -- $stats
[ "$2" -gt 0 ] && [ "$4" -gt 0 ]; ok $? "loss: packets went through netemu and some were dropped ($stats)"

# ---- (b) delay, jitter, reordering ----
impair delay "delays each packet 200 +/- 50 ms, 25% sent at once (reordered)" \
	--delay 200 --jitter 50 --reorder 25
post_all_converge delay $BOUND_DELAY
unimpair delay
set -- $stats
[ "$6" -gt 0 ] && [ "$8" -gt 0 ]; ok $? "delay: packets were delayed and reordered ($stats)"

# ---- (c) partition 3+3, then heal ----
t_cut=$(now_ms)
ns_partition "1 2 3" "4 5 6"; ok $? "partition: n1-n3 cut from n4-n6 (iptables DROP both ways)"
post_round cut-a $side_a && post_round cut-b $side_b; ok $? "partition: both halves post $POSTS entries per node"
converge_within 30 $side_a; rc=$?
converge_within 30 $side_b; rc2=$?
[ $rc -eq 0 ] && [ $rc2 -eq 0 ]; ok $? "partition: each half converges within itself (30 s)"
n_tagged() { p "$1" log --type message | grep -c -- "  message  $2 "; }
none_across() {   # no cut-b post on side a, no cut-a post on side b
	local n
	for n in $side_a; do [ "$(n_tagged "$n" cut-b)" -eq 0 ] || return 1; done
	for n in $side_b; do [ "$(n_tagged "$n" cut-a)" -eq 0 ] || return 1; done
}
none_across; ok $? "partition: no entry crossed the cut"
left=$(( PARTITION_SECS * 1000 - ($(now_ms) - t_cut) ))
[ "$left" -gt 0 ] && sleep "$(( left / 1000 )).$(printf %03d $(( left % 1000 )))"
diag "partition held $(( $(now_ms) - t_cut )) ms"
ns_heal; ok $? "heal: the DROP rules are gone"
converge_within $BOUND_HEAL $nodes
ok $? "heal: all 6 converge within $BOUND_HEAL s of the heal (took $took_ms ms)"
diag "convergence heal: $took_ms ms (bound $BOUND_HEAL s)"

# ---- the whole record ----
counts_are $posted $nodes; ok $? "every node has exactly the $posted messages posted (has:$(counts))"
bad=""
for n in $nodes; do { no_dup_hashes "$n" && feeds_contiguous "$n"; } || bad="$bad $n"; done
[ -z "$bad" ]; ok $? "no entry stored twice, every feed 1..head without gap, on every node${bad:+ (not on:$bad)}"
bad=""
for n in $nodes; do p "$n" verify >/dev/null || bad="$bad $n"; done
[ -z "$bad" ]; ok $? "pakt verify passes on every node${bad:+ (fails on:$bad)}"
no_sanitizer_reports; ok $? "no sanitizer reports"
