# Shared helpers for integration tests: TAP output, real paktd processes
# in temporary data directories, bounded waits, sanitizer-report checks.
# Source it from a test; it sets a trap that stops every daemon it started.

set -u
BUILD=${PAKT_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SRC=${PAKT_SRCDIR:-$BUILD}
PAKT="$BUILD/pakt"
PAKTD="$BUILD/paktd"
# Unix socket paths are short: keep the temporary root short too.
T_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/pakt.XXXXXX")
T_N=0
T_FAILED=0
T_DAEMONS=""
export PAKT_HOME="$T_ROOT/unused-home"

ok() {      # ok CONDITION_EXIT_CODE DESCRIPTION
	T_N=$((T_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $T_N - $2"
	else
		echo "not ok $T_N - $2"
		T_FAILED=$((T_FAILED + 1))
	fi
}
check() {   # check DESCRIPTION COMMAND...: ok if the command succeeds
	local d=$1; shift
	if "$@"; then ok 0 "$d"; else ok 1 "$d"; fi
}
diag() { echo "# $*"; }
plan() { echo "1..$1"; }

# Wait (at most $2 tenths of a second) for the command "$3..." to succeed.
wait_for() {
	local n=$1; shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

node_dir() { echo "$T_ROOT/$1"; }

# init_node NAME [pakt init args...]
init_node() {
	local name=$1; shift
	# an empty name would be the test's root itself: its daemon would
	# escape the cleanup (finish stops named daemons) and hold the TAP pipe
	[ -n "$name" ] || { diag "init_node: no node name"; return 1; }
	"$PAKT" init --data-dir "$(node_dir "$name")" --name "$name" "$@" >/dev/null
}

# start_daemon NAME [paktd args...]: start paktd on an initialised node and
# wait until its control socket answers (10 s at most). PAKTD_WRAP, if set,
# is put before the command: a wrapper that execs it, keeping its pid
# (e.g. "ip netns exec NS" to run it in a network namespace).
start_daemon() {
	local name=$1 dir; shift
	[ -n "$name" ] || { diag "start_daemon: no node name"; return 1; }
	dir=$(node_dir "$name")
	# port 0: the kernel picks a free port, read back from the log
	${PAKTD_WRAP:-} "$PAKTD" --data-dir "$dir" --listen 127.0.0.1:0 "$@" 2>>"$dir/paktd.log" &
	echo $! >"$dir/paktd.pid"
	T_DAEMONS="$T_DAEMONS $name"
	if ! wait_for 100 grep -q "listening on control socket" "$dir/paktd.log"; then
		diag "paktd $name did not start:"; sed 's/^/#   /' "$dir/paktd.log"
		return 1
	fi
	# the log line may precede the first accept by a hair
	wait_for 50 "$PAKT" status --data-dir "$dir"
}

# The address a started daemon listens on for peers (its latest start).
daemon_addr() {
	grep -o 'listening on [0-9.]*:[0-9]*' "$(node_dir "$1")/paktd.log" | tail -1 | cut -d' ' -f3
}

daemon_pid() { cat "$(node_dir "$1")/paktd.pid" 2>/dev/null; }

# stop_daemon NAME: SIGTERM, then wait (10 s at most); returns paktd's exit code.
stop_daemon() {
	local pid rc
	pid=$(daemon_pid "$1") || return 0
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	wait_for 100 sh -c "! kill -0 $pid" || { kill -KILL "$pid" 2>/dev/null; }
	wait "$pid" 2>/dev/null; rc=$?
	rm -f "$(node_dir "$1")/paktd.pid"
	return $rc
}

# kill9_daemon NAME: simulate a crash.
kill9_daemon() {
	local pid
	pid=$(daemon_pid "$1") || return 0
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$(node_dir "$1")/paktd.pid"
	return 0
}

# No sanitizer or leak report in any daemon's log.
no_sanitizer_reports() {
	! grep -l -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$T_ROOT"/*/paktd.log 2>/dev/null
}

p() {        # p NAME ARGS...: run pakt against node NAME
	local name=$1; shift
	"$PAKT" "$@" --data-dir "$(node_dir "$name")"
}

finish() {
	local n
	for n in $T_DAEMONS; do stop_daemon "$n" >/dev/null 2>&1; done
	# Every test fails on a sanitizer report from any daemon, even one
	# that does not check for it explicitly.
	if ! no_sanitizer_reports >/dev/null; then
		echo "Bail out! sanitizer report in a paktd log:"
		grep -h -A 30 -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$T_ROOT"/*/paktd.log | sed 's/^/# /' | head -80
		T_KEEP=1
	fi
	if [ "${T_KEEP:-}" = "" ]; then rm -rf "$T_ROOT"; else diag "kept $T_ROOT"; fi
}
trap finish EXIT

# ---- mesh helpers (several daemons of one initiative) ----

node_id() { "$PAKT" id --data-dir "$(node_dir "$1")"; }          # pk_...
node_hex() {   # the node's key in hex, as the store (SQLite) holds it
	python3 -c 'import base64, sys; s = sys.argv[1][3:].upper(); print(base64.b32decode(s + "=" * (-len(s) % 8))[:32].hex())' "$(node_id "$1")"
}

# make_initiative NAME [TITLE]: init and start NAME, create an initiative
# there (NAME is its admin).
make_initiative() {
	local name=$1 title=${2:-Mesh test}
	init_node "$name" && start_daemon "$name" &&
		p "$name" initiative create "$title" >/dev/null
}

# join_node ADMIN NAME [ORG]: init and start NAME if needed, then join
# ADMIN's initiative with a fresh invite naming it ORG (default NAME).
join_node() {
	local admin=$1 name=$2 org=${3:-$2} code
	[ -e "$(node_dir "$name")/identity.key" ] || init_node "$name" || return 1
	[ -n "$(daemon_pid "$name")" ] || start_daemon "$name" || return 1
	code=$(p "$admin" invite --name "$org") || return 1
	p "$name" join "$code" >/dev/null
}

# json_objects: split a JSON array of flat-ish objects into one per line.
json_objects() { sed 's/},{"/}\n{"/g'; }

# entry_rows NAME [pakt log args...]: "AUTHOR SEQ HASH" per stored entry,
# in the order 'pakt log' lists them (the order they were stored).
entry_rows() {
	local name=$1; shift
	p "$name" log --json "$@" | sed 's/},{"network"/}\n{"network"/g' |
		sed -nE 's/^\[?\{"network":"[^"]*","author":"([^"]*)","author_name":"[^"]*","seq":([0-9]+),"hash":"([^"]*)".*/\1 \2 \3/p'
}
# entry_keys NAME [pakt log args...]: the same, sorted.
entry_keys() { entry_rows "$@" | sort; }

# feeds_contiguous NAME: in NAME's log every author's entries run 1, 2, 3...
# in stored order: no gap, no repeat, none out of order.
feeds_contiguous() {
	entry_rows "$1" | awk '$2 != last[$1] + 1 { bad = 1 } { last[$1] = $2 } END { exit bad }'
}
# no_dup_hashes NAME: each entry hash appears once in NAME's log.
no_dup_hashes() {
	[ -z "$(entry_rows "$1" | awk '{ print $3 }' | sort | uniq -d)" ]
}

# converged NODE...: every node stores the same, non-empty set of entries.
converged() {
	local first=$1 n ref; shift
	ref=$(entry_keys "$first") || return 1
	[ -n "$ref" ] || return 1
	for n in "$@"; do [ "$(entry_keys "$n")" = "$ref" ] || return 1; done
}
# wait_converged TENTHS NODE...
wait_converged() { local t=$1; shift; wait_for "$t" converged "$@"; }

# has_text NAME TEXT: NAME stores a message whose text is exactly TEXT.
has_text() { p "$1" log --type message | grep -q -- "  message  $2\$"; }

# peer_connected NAME OTHER: NAME has a live, replicating connection to OTHER.
peer_connected() {
	local id
	id=$(node_id "$2") || return 1
	p "$1" peer list --json | json_objects | grep "\"key\":\"$id\"" | grep -q '"connected":true'
}

# wait_secs SECONDS COMMAND...: like wait_for, but bounded by wall-clock
# time, for checks that themselves take a while (large logs).
wait_secs() {
	local end=$(( $(date +%s) + $1 )); shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# entry_count NAME: the number of entries NAME's daemon stores.
entry_count() { p "$1" status --json | grep -o '"entries":[0-9]*' | cut -d: -f2; }

# ---- helpers for the "working together" tests (work_*.sh) ----

# conf_set NAME KEY VALUE: add "KEY = VALUE" to an initialised node's
# config (before its daemon starts).
conf_set() { echo "$2 = $3" >>"$(node_dir "$1")/config"; }

# en_id: the first entry id (en_...) on stdin, e.g. from 'pakt commit';
# en_last: the last one (the new entry's id in 'pakt redact', 'pakt accept').
en_id() { grep -o 'en_[a-z2-7]*' | head -1; }
en_last() { grep -o 'en_[a-z2-7]*' | tail -1; }

# log_objects NAME [pakt log args...]: NAME's 'pakt log --json', one
# entry object per line.
log_objects() {
	local name=$1; shift
	p "$name" log --json "$@" | sed 's/},{"network":"/}\n{"network":"/g'
}

# quiet_rows NAME [pakt log args...]: "AUTHOR SEQ HASH TYPE" per stored
# entry that is not a checkpoint (nodes keep publishing those while they
# run), sorted. Unlike entry_rows it also lists sealed entries that NAME
# can read (their objects carry a "plain" key).
quiet_rows() {
	log_objects "$@" | awk '
		!/"type":"checkpoint"/ && match($0, /^\[?\{"network":"[^"]*","author":"pk_[a-z2-7]+"/) {
			a = substr($0, RSTART, RLENGTH); sub(/.*"author":"/, "", a); sub(/"$/, "", a)
			if (!match($0, /"seq":[0-9]+,"hash":"en_[a-z2-7]+"/)) next
			s = substr($0, RSTART, RLENGTH); gsub(/"seq":|"hash":|"/, "", s); sub(/,/, " ", s)
			if (!match($0, /"type":"[a-z-]+"/)) next
			t = substr($0, RSTART + 8, RLENGTH - 9)
			print a, s, t
		}' | sort
}
# quiet_count NAME [TYPE]: how many non-checkpoint entries (of TYPE) NAME stores.
quiet_count() {
	if [ $# -gt 1 ]; then quiet_rows "$1" --type "$2"; else quiet_rows "$1"; fi | wc -l
}
# quiet_converged NODE...: every node stores the same, non-empty set of
# entries other than checkpoints.
quiet_converged() {
	local first=$1 n ref; shift
	ref=$(quiet_rows "$first") || return 1
	[ -n "$ref" ] || return 1
	for n in "$@"; do [ "$(quiet_rows "$n")" = "$ref" ] || return 1; done
}
# wait_quiet TENTHS NODE...: wait until quiet_converged NODE...
wait_quiet() { local t=$1; shift; wait_for "$t" quiet_converged "$@"; }

# work_mesh ADMIN [NAME:ORG]...: ADMIN creates an initiative ("Homes
# First"), the others join it under the organisation names given; every
# node publishes a checkpoint each second.
work_mesh() {
	local admin=$1 spec; shift
	init_node "$admin" && conf_set "$admin" checkpoint_interval 1 &&
		start_daemon "$admin" && p "$admin" initiative create "Homes First" >/dev/null || return 1
	for spec in "$@"; do
		init_node "${spec%%:*}" && conf_set "${spec%%:*}" checkpoint_interval 1 &&
			join_node "$admin" "${spec%%:*}" "${spec#*:}" || return 1
	done
}

# id_hex ID: the 32 raw bytes of a text id (pk_..., en_..., nw_...) in hex,
# as the JSON bodies show keys and refs (base32 without its checksum).
id_hex() {
	local b=${1#??_}
	printf '%s======\n' "$b" | tr a-z A-Z | base32 -d 2>/dev/null | head -c 32 | od -An -v -tx1 | tr -d ' \n'
}
