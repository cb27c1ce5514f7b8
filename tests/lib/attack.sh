# Helpers for the tests that run the adversarial peer (tests/lib/peer)
# against a backbone A while an honest partner H replicates with it.
# Source after harness.sh; the test sets NW (network id) and A_ADDR.

PEER="$BUILD/tests/lib/peer"
if [ ! -x "$PEER" ]; then
	echo "Bail out! $PEER not built (make tests/lib/peer)"
	exit 1
fi

# ---- helpers ----

# n_by NODE PK: how many stored entries NODE holds from author PK
n_by() { p "$1" log --json | grep -o "\"author\":\"$2\"" | wc -l; }
has_text() { p "$1" log --json | grep -q -- "$2"; }
lacks_text() { ! p "$1" log --json | grep -q -- "$2"; }

# attack NAME KEY_NODE MODE [peer args...]: run the peer against A (or
# $TARGET_ADDR if set); its report goes to $T_ROOT/NAME.out, its local
# port to $PORT
attack() {
	local name=$1 who=$2 mode=$3; shift 3
	timeout 30 "$PEER" --key "$(node_dir "$who")/identity.key" --network "$NW" \
		--connect "${TARGET_ADDR:-$A_ADDR}" --mode "$mode" --text "adv $name" "$@" >"$T_ROOT/$name.out" 2>&1
	PEER_RC=$?
	PORT=$(sed -n 's/^local 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T_ROOT/$name.out")
}
# closed_line PORT REGEX: A logged that this connection closed, for REGEX
closed_line() {
	grep -E "peer 127\.0\.0\.1:$1( \(pk_[a-z0-9]+\))?: closed: $2" "$(node_dir a)/paktd.log"
}
# expect_closed NAME REGEX DESCRIPTION: the peer saw the close and A logged why
expect_closed() {
	local name=$1 re=$2 d=$3
	[ "$PEER_RC" -eq 0 ] && grep -q "^closed by peer after" "$T_ROOT/$name.out" &&
		wait_for 20 closed_line "$PORT" "$re"
	local rc=$?
	ok $rc "$d"
	if [ $rc -ne 0 ]; then
		diag "peer exit $PEER_RC, report:"; sed 's/^/#   /' "$T_ROOT/$name.out"
		diag "A's log about port $PORT:"; grep "127.0.0.1:$PORT" "$(node_dir a)/paktd.log" | sed 's/^/#   /'
	fi
}
# still_replicates TAG: a post on H reaches A and a post on A reaches H
still_replicates() {
	p h post "h after $1" >/dev/null && p a post "a after $1" >/dev/null &&
		wait_for 50 has_text a "h after $1" && wait_for 50 has_text h "a after $1"
	ok $? "after $1: H and A still replicate both ways"
}
show_log_tail() { diag "A's log:"; tail -n "${1:-15}" "$(node_dir a)/paktd.log" | sed 's/^/#   /'; }


# backbone TITLE MEMBER...: start A with a new initiative TITLE (sets NW
# and A_ADDR, reports one ok), then init, start and join each MEMBER by
# invite; returns non-zero if any of them failed.
backbone() {
	local title=$1 n code rc=0; shift
	init_node a && start_daemon a && p a initiative create "$title" >/dev/null
	ok $? "backbone A started and created the initiative"
	NW=$(p a status | awk '$1 == "initiative" {print $2}')
	A_ADDR=$(daemon_addr a)
	for n in "$@"; do
		init_node "$n" && start_daemon "$n" || rc=1
		code=$(p a invite --name "$n") && p "$n" join "$code" >/dev/null || rc=1
	done
	return $rc
}
