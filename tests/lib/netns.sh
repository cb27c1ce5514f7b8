# Network namespaces for integration tests (tests/integration/netem.sh).
# Source it after harness.sh. Layout: a hub namespace holding a bridge, and
# node namespaces 1..N, each with one veth (eth0) into that bridge and the
# address 127.77.0.K/24 (tests talk to 127.0.0.0/8 only; route_localnet
# lets such addresses leave a namespace on a real link). Names carry the
# test's pid, so parallel runs do not meet; netns_down removes everything.

NS_PREFIX="pk$$-"
NS_HUB="${NS_PREFIX}hub"
NS_COUNT=0
NS_NETEMU=""         # "K:PID:TAG" per running netemu
NS_CUTS=""           # "K:J" per pair cut by ns_partition
NETEMU=${NETEMU:-$BUILD/tests/lib/netemu}

ns_name() { echo "${NS_PREFIX}n$1"; }
ns_addr() { echo "127.77.0.$1"; }
ns_exec() { local k=$1; shift; ip netns exec "$(ns_name "$k")" "$@"; }

# netns_unusable: print why this machine cannot run the namespace tests and
# succeed, or print nothing and fail when it can.
netns_unusable() {
	local probe="${NS_PREFIX}probe" why=""
	[ "$(id -u)" = 0 ] || { echo "not root: network namespaces and iptables need it"; return 0; }
	command -v ip >/dev/null || { echo "no ip command (apt-get install iproute2)"; return 0; }
	command -v iptables >/dev/null || { echo "no iptables (apt-get install iptables)"; return 0; }
	[ -x "$NETEMU" ] || { echo "tests/lib/netemu not built: configure found no libnetfilter_queue (apt-get install libnetfilter-queue-dev)"; return 0; }
	ip netns add "$probe" 2>/dev/null || { echo "ip netns add failed (no namespace support or no permission)"; return 0; }
	if ! ip netns exec "$probe" iptables -A OUTPUT -o lo -j NFQUEUE --queue-num 0 --queue-bypass 2>/dev/null; then
		why="iptables cannot add an NFQUEUE rule in a namespace (kernel without NETFILTER_XT_TARGET_NFQUEUE?)"
	elif ! ip -n "$probe" link add probe0 type bridge 2>/dev/null; then
		why="cannot create a bridge in a namespace (kernel without CONFIG_BRIDGE?)"
	fi
	ip netns del "$probe"
	[ -n "$why" ] && { echo "$why"; return 0; }
	return 1
}

# Remove namespaces left by earlier runs that were killed (their pid is gone).
netns_sweep() {
	local ns pid
	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E '^pk[0-9]+-'); do
		pid=${ns#pk}; pid=${pid%%-*}
		kill -0 "$pid" 2>/dev/null || ip netns del "$ns" 2>/dev/null
	done
}

# netns_up N: the hub with its bridge and N node namespaces, links up.
netns_up() {
	local k ns
	netns_sweep
	ip netns add "$NS_HUB" &&
		ip -n "$NS_HUB" link add br0 type bridge &&
		ip -n "$NS_HUB" link set br0 up || return 1
	for k in $(seq 1 "$1"); do
		ns=$(ns_name "$k")
		ip netns add "$ns" || return 1
		NS_COUNT=$k
		ip -n "$NS_HUB" link add "h$k" type veth peer name eth0 netns "$ns" &&
			ip -n "$NS_HUB" link set "h$k" master br0 up &&
			ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.route_localnet=1 \
				net.ipv4.conf.eth0.route_localnet=1 &&
			ip -n "$ns" addr add "$(ns_addr "$k")/24" dev eth0 &&
			ip -n "$ns" link set eth0 up || return 1
	done
}

# netns_down: stop every netemu, delete every namespace (and so the veths
# and the bridge in them). Safe to call more than once.
netns_down() {
	local k
	netemu_stop_all >/dev/null 2>&1
	for k in $(seq 1 "$NS_COUNT"); do ip netns del "$(ns_name "$k")" 2>/dev/null; done
	ip netns del "$NS_HUB" 2>/dev/null
	NS_COUNT=0
}

# ---- impairments ----

# netemu_start K TAG [netemu args...]: node K's outgoing packets go through
# a netemu (its stats go to $T_ROOT/netemu.TAG.K). netemu binds the queue
# before the rule exists; the rule has --queue-bypass, so if netemu ever
# ends first, packets flow unimpaired instead of vanishing.
netemu_start() {
	local k=$1 tag=$2 out; shift 2
	out="$T_ROOT/netemu.$tag.$k"
	# not through ns_exec: $! must be netemu itself (ip netns exec execs it)
	ip netns exec "$(ns_name "$k")" "$NETEMU" --queue 0 --max-seconds 600 "$@" >"$out" 2>"$out.err" &
	NS_NETEMU="$NS_NETEMU $k:$!:$tag"
	wait_for 50 grep -q "^netemu: queue" "$out.err" || return 1
	ns_exec "$k" iptables -A OUTPUT -o eth0 -j NFQUEUE --queue-num 0 --queue-bypass
}

# netemu_stop_all: remove the rules, then stop each netemu (it lets what it
# still holds go). Fails if a netemu had already died.
netemu_stop_all() {
	local e k pid rc=0
	for e in $NS_NETEMU; do
		k=${e%%:*}; pid=${e#*:}; pid=${pid%%:*}
		ns_exec "$k" iptables -D OUTPUT -o eth0 -j NFQUEUE --queue-num 0 --queue-bypass
		kill -TERM "$pid" 2>/dev/null || rc=1
		wait "$pid" || rc=1
	done
	NS_NETEMU=""
	return $rc
}

# netemu_stats TAG: the counters of every netemu run under TAG, added up.
netemu_stats() {
	cat "$T_ROOT"/netemu."$1".[0-9]* 2>/dev/null | awk '
		/^netemu:/ { for (i = 4; i < NF; i += 2) sum[$i] += $(i + 1) }
		END { printf "seen %d dropped %d delayed %d reordered %d overflow %d\n",
			sum["seen"], sum["dropped"], sum["delayed"], sum["reordered"], sum["overflow"] }'
}

# ns_partition "K..." "J...": drop every packet between the two groups, at
# each node's INPUT and OUTPUT, as a cut cable would (connections are not
# reset; they wait). ns_heal removes those rules.
ns_cut() {   # ns_cut -A|-D K J
	ns_exec "$2" iptables "$1" OUTPUT -d "$(ns_addr "$3")" -j DROP &&
		ns_exec "$2" iptables "$1" INPUT -s "$(ns_addr "$3")" -j DROP
}
ns_partition() {
	local k j
	for k in $1; do
		for j in $2; do
			ns_cut -A "$k" "$j" && ns_cut -A "$j" "$k" || return 1
			NS_CUTS="$NS_CUTS $k:$j"
		done
	done
}
ns_heal() {
	local c rc=0
	for c in $NS_CUTS; do
		ns_cut -D "${c%:*}" "${c#*:}" && ns_cut -D "${c#*:}" "${c%:*}" || rc=1
	done
	NS_CUTS=""
	return $rc
}
