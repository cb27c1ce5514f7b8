#!/bin/bash
# The ledger paktd keeps in memory (daemon/ledger_keep.c) is fed each entry
# as it is stored, live or by replication; it must say exactly what a
# ledger built afresh from the store says. Each node builds its ledger
# first (metrics, commitments), then updates, commitments, answers,
# statuses, a redaction and a new member arrive; metrics, commitments and
# the audit are then compared with the same after a restart (a fresh
# build). Checkpoints are off, so nothing changes across the restarts.
. "$(dirname "$0")/../lib/harness.sh"
plan 16

for n in a b c d; do init_node "$n" && conf_set "$n" checkpoint_interval 0 || exit 1; done
start_daemon a && p a initiative create "Warm Homes" >/dev/null &&
	join_node a b Harbour && join_node a c "City Welfare"
ok $? "a creates the initiative, b and c join"
id_b=$(node_id b); id_c=$(node_id c)
p a agenda set --goal "Warm homes" --indicator beds:Beds:beds:40 --indicator meals:Meals:meals >/dev/null
ok $? "a sets the agenda"
agenda_on() { p "$1" agenda >/dev/null 2>&1; }
wait_for 100 agenda_on b && wait_for 100 agenda_on c; ok $? "the agenda reaches b and c"

# each node builds its ledger now: what follows reaches a built ledger
for n in a b c; do p "$n" metrics --json >/dev/null && p "$n" commitments --json >/dev/null || echo "$n"; done >"$T_ROOT/bad"
[ ! -s "$T_ROOT/bad" ]; ok $? "every node answers metrics and commitments (its ledger is built)"

# what a node says, with --json: the same text from a kept ledger and
# from one built afresh after a restart
record() {
	p "$1" metrics --json && p "$1" commitments --json && p "$1" agenda --json &&
		p "$1" audit --json
}
same_after_restart() {   # same_after_restart ROUND NODE...: bad= the nodes that differ
	local r=$1 n addr; shift
	bad=""
	for n in "$@"; do record "$n" >"$T_ROOT/kept$r.$n" || bad="$bad $n(kept)"; done
	# on the same address: the others dial it again
	for n in "$@"; do
		addr=$(daemon_addr "$n")
		stop_daemon "$n" && start_daemon "$n" --listen "$addr" || bad="$bad $n(restart)"
	done
	for n in "$@"; do
		record "$n" >"$T_ROOT/fresh$r.$n" && cmp -s "$T_ROOT/kept$r.$n" "$T_ROOT/fresh$r.$n" && continue
		bad="$bad $n"
		diff "$T_ROOT/kept$r.$n" "$T_ROOT/fresh$r.$n" | head -4 | cut -c1-200 | sed 's/^/# /'
	done
}

p b update "Night shelter" --period 2026-01 --value beds=12 >/dev/null &&
	p a update "Soup kitchen" --period 2026-01 --value meals=300 >/dev/null
ok $? "a and b report values"
cm=$(p a commit "Open 20 beds" --party "$id_b" --party "$id_c" --due 2099-12-31 --indicator beds --target 20 | en_id)
old=$(p a commit "Winter report" --party "$id_b" --due 2020-01-01 --allow-past-due | en_id)
has_com() { p "$1" commitments --json | grep -q "\"hash\":\"$2\""; }
wait_for 100 has_com b "$old" && wait_for 100 has_com c "$cm"; ok $? "a's commitments reach b and c"
p b accept "$cm" >/dev/null && p c decline "$cm" --reason "no budget" >/dev/null &&
	p b accept "$old" >/dev/null && p c accept --change "$cm" >/dev/null &&
	p a progress "$cm" in-progress --note "first floor" >/dev/null &&
	p b progress "$old" fulfilled >/dev/null
ok $? "answers (one changed) and statuses, from three nodes"
has_st() { p "$1" commitments --json | grep -q '"state":"fulfilled"'; }
wait_quiet 150 a b c && wait_for 100 has_st a && wait_for 100 has_st c; ok $? "every node holds every entry"
grep -q '"reason":"no budget"' <(p a commitments --json) && grep -q '"value":12' <(p c metrics --json)
ok $? "the kept ledgers show the answers and values that arrived"
same_after_restart 1 a b c
[ -z "$bad" ]; ok $? "metrics, commitments, agenda and audit are the same as built afresh${bad:+ (differ on: $bad)}"

# a redaction and a new member change what counts: built again, then fed
wrong=$(p b update "Wrong count" --period 2026-02 --value beds=999 | en_id)
shows_999() { p "$1" metrics --json | grep -q '"value":999'; }
wait_for 300 shows_999 a && p b redact "$wrong" --reason "typo" >/dev/null
ok $? "b reports a value, a shows it, b redacts it"
# d reports against the agenda once it has it (a node that just joined is
# still catching up, and shows entries once their signatures are checked)
join_node a d Dockside && wait_for 300 agenda_on d && p d update "Dock rooms" --period 2026-02 --value beds=3 >/dev/null &&
	p c progress "$cm" in-progress --note "c helps" >/dev/null && p a post "thanks, all" >/dev/null
ok $? "d joins and reports a value; c reports progress; a posts"
has_d() { p "$1" metrics --json | grep -q '"value":3'; }
wait_quiet 300 a b c d && wait_for 100 has_d a && wait_for 100 has_d b; ok $? "every node holds every entry"
! shows_999 a && ! shows_999 b && ! shows_999 c && ! shows_999 d; ok $? "no node shows the redacted value"
same_after_restart 2 a b c d
[ -z "$bad" ]; ok $? "after the redaction and the new member too, the same as built afresh${bad:+ (differ on: $bad)}"
no_sanitizer_reports; ok $? "no sanitizer reports"
