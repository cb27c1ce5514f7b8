#!/bin/bash
# Replication versions side by side: A and C speak version 2 (compact
# "run" messages), B has `repl_version = 1` in its config, as a paktd of
# before version 2 does. In a triangle A-B-C, and in a chain A-B-C where
# everything between A and C passes through B, posts on each node reach
# the others live, and by catch-up after that node restarts. A catch-up of
# 500 entries of about 300 bytes costs under 420 bytes per entry on the
# version 2 link A-C and more on the version 1 links.
. "$(dirname "$0")/../lib/harness.sh"
plan 20
N=${REPL_COMPAT_ENTRIES:-500}

make_initiative a "Versions"; ok $? "a started (version 2) and created the initiative"
init_node b && conf_set b repl_version 1 && join_node a b && join_node a c &&
	p c peer add "$(daemon_addr b)" >/dev/null
ok $? "b (repl_version = 1) and c joined; c dials a and b"
addr_a=$(daemon_addr a) addr_b=$(daemon_addr b)

# version LOG_OF PEER: the version NODE's log gave its latest link with PEER
version() {
	grep -o "(${2}): replicating (version [0-9])" "$(node_dir "$1")/paktd.log" | tail -1 | grep -o '[0-9])$' | tr -d ')'
}
triangle() { peer_connected a b && peer_connected a c && peer_connected c b; }
wait_for 100 triangle; ok $? "triangle: a-b, a-c and b-c replicate"
ida=$(node_id a) idb=$(node_id b) idc=$(node_id c)
[ "$(version a "$idb")" = 1 ] && [ "$(version b "$ida")" = 1 ] && [ "$(version c "$idb")" = 1 ] &&
	[ "$(version a "$idc")" = 2 ] && [ "$(version c "$ida")" = 2 ]
ok $? "links with b run version 1, a-c runs version 2 (a-b $(version a "$idb"), c-b $(version c "$idb"), a-c $(version a "$idc"))"

everywhere() {   # everywhere TEXT NODE...: every node holds the message
	local t=$1 n; shift
	for n in "$@"; do has_text "$n" "$t" || return 1; done
}
for n in a b c; do p "$n" post "live from $n" >/dev/null; done
wait_for 100 everywhere "live from a" b c && wait_for 50 everywhere "live from b" a c &&
	wait_for 50 everywhere "live from c" a b
ok $? "triangle: each node's post reaches the two others live"

# --- chain a-b-c: c no longer dials a, so a and c talk only through b
p c peer remove "$addr_a" >/dev/null
chain() { ! peer_connected a c && ! peer_connected c a && peer_connected a b && peer_connected c b; }
wait_for 100 chain; ok $? "chain: c dropped its link to a; a-b and b-c replicate"
p a post "chain from a" >/dev/null && p c post "chain from c" >/dev/null
wait_for 100 everywhere "chain from a" b c && wait_for 100 everywhere "chain from c" a b
ok $? "chain: a's post reaches c and c's reaches a through the version 1 node b"
p c peer add "$addr_a" >/dev/null && wait_for 100 triangle; ok $? "c dials a again: triangle"

# --- catch-up after a restart, each node in turn
stop_daemon c
p a post "while c was away, from a" >/dev/null && p b post "while c was away, from b" >/dev/null
start_daemon c && wait_for 100 everywhere "while c was away, from a" c &&
	wait_for 100 everywhere "while c was away, from b" c
ok $? "c restarts and catches up on a's and b's posts"
stop_daemon b
p a post "while b was away, from a" >/dev/null && p c post "while b was away, from c" >/dev/null
start_daemon b --listen "$addr_b" && wait_for 100 everywhere "while b was away, from a" b &&
	wait_for 100 everywhere "while b was away, from c" b
ok $? "b (version 1) restarts and catches up on a's and c's posts"
stop_daemon a
p b post "while a was away, from b" >/dev/null && p c post "while a was away, from c" >/dev/null
# b and c dial a with backoff (a few seconds after a short absence)
start_daemon a --listen "$addr_a" && wait_for 300 everywhere "while a was away, from b" a &&
	wait_for 300 everywhere "while a was away, from c" a
ok $? "a restarts on its address and catches up on b's and c's posts"
wait_converged 100 a b c; ok $? "a, b and c hold the same entries"

# --- bytes on the wire: a catch-up of N entries over one version 2 link,
# then over version 1 links only
stop_daemon b && stop_daemon c
text=$(head -c 280 /dev/zero | tr '\0' 'x')
fails=0
for i in $(seq 1 "$N"); do p a post "$(printf '%04d' "$i") $text" >/dev/null || fails=$((fails + 1)); done
[ $fails -eq 0 ]; ok $? "a posted $N entries of about 300 bytes while b and c were stopped"
total=$(entry_count a)
same_count() { [ "$(entry_count "$1")" = "$total" ]; }
# peer_stat NODE PEER FIELD: a field of NODE's session with PEER
peer_stat() {
	p "$1" peer list --json | json_objects | grep "\"key\":\"$2\"" | grep '"connected":true' |
		grep -o "\"$3\":[0-9]*" | head -1 | cut -d: -f2
}
# c alone: b is stopped, so everything comes from a over version 2
start_daemon c && wait_secs 60 same_count c; ok $? "c caught up with a's $total entries over the version 2 link"
in2=$(peer_stat c "$ida" bytes_in) n2=$(peer_stat c "$ida" entries_in)
[ -n "$in2" ] && [ "${n2:-0}" -ge "$N" ] && [ $((in2 / n2)) -lt 420 ]
ok $? "version 2 link a-c: $in2 bytes for $n2 entries, $(( ${in2:-0} / ${n2:-1} )) B per entry (< 420)"
# b: its links to a and to c are both version 1
start_daemon b --listen "$addr_b" && wait_secs 60 same_count b; ok $? "b caught up with a's $total entries over version 1 links"
in1=0 n1=0
for peer in "$ida" "$idc"; do
	in1=$((in1 + $(peer_stat b "$peer" bytes_in || true) + 0)) n1=$((n1 + $(peer_stat b "$peer" entries_in || true) + 0))
done
[ "$n1" -ge "$N" ] && [ $((in1 / n1)) -gt 420 ] && [ $((in1 * n2)) -gt $((in2 * n1)) ]
ok $? "version 1 links to b: $in1 bytes for $n1 entries, $(( in1 / (n1 > 0 ? n1 : 1) )) B per entry (more than a-c)"
wait_converged 100 a b c && p b verify >/dev/null && p c verify >/dev/null
ok $? "a, b and c converge again; b and c verify what they received"
! grep -h "protocol error\|rejected batch" "$(node_dir a)/paktd.log" "$(node_dir b)/paktd.log" "$(node_dir c)/paktd.log"
ok $? "no protocol error or rejected batch in any log"
no_sanitizer_reports; ok $? "no sanitizer reports"
