#!/bin/bash
# Rule 2 (proto/PROTOCOL.md, "What a node accepts"): a member M (through
# tests/lib/peer) sends A, in its own feed, a redact naming H's newest
# entry before A holds it. When H's entry arrives, A keeps its body: a
# redaction takes effect only on an entry by its own author, checked when
# both are held, whichever came first. Before the rule A dropped the body
# of whatever later arrived under that hash.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/attack.sh"
plan 7

backbone "Rule 2" h m; setup_ok=$?
p m post "m before" >/dev/null || setup_ok=1
wait_for 50 has_text h "m before" || setup_ok=1
ok $setup_ok "H and M joined; M's post reached H"
H=$(p h id); M=$(p m id); H_ADDR=$(daemon_addr h)
stop_daemon m    # from now on M's key speaks only through the peer

h_alone() { ! p h peer list --json | grep -q '"connected":true'; }
p h peer remove "$A_ADDR" >/dev/null && wait_for 50 h_alone &&
	p h post "h secret only H has" >/dev/null
ok $? "H, cut off from A, posts an entry A does not hold"
m_on_a=$(n_by a "$M")

attack preempt m redact-preempt --source "$H_ADDR" --victim "$H"
grep -q "^sent a redact at seq" "$T_ROOT/preempt.out" && grep -q "^still open" "$T_ROOT/preempt.out" &&
	wait_for 20 sh -c "[ \$('$PAKT' log --json --data-dir '$(node_dir a)' | grep -o '\"author\":\"$M\"' | wc -l) -gt $m_on_a ]"
ok $? "redact-preempt: A stores M's redact of H's entry it does not hold yet; the session stays"
if [ $? -ne 0 ]; then sed 's/^/#   /' "$T_ROOT/preempt.out"; fi

p h peer add "$A_ADDR" >/dev/null
wait_for 100 has_text a "h secret only H has"
ok $? "H's entry reaches A with its body: M's redaction does not apply to it"

p a post "a after the redact" >/dev/null && wait_for 50 has_text h "a after the redact"
ok $? "H and A keep replicating"
p a verify >/dev/null 2>&1 && p h verify >/dev/null 2>&1 && no_sanitizer_reports
ok $? "A and H verify, no sanitizer reports"
