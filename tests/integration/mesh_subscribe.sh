#!/bin/bash
# Unsubscribe from one member's feed: its new entries are not stored on
# that node while everyone else's are, also across a restart; what was
# stored stays. Subscribe again: the missing entries arrive.
#   links: b and c dial a (joined by invite).
. "$(dirname "$0")/../lib/harness.sh"
plan 16

make_initiative a "Subscriptions"; ok $? "backbone a started"
join_node a b "Org B" && join_node a c "Org C"; ok $? "b and c joined"
id_b=$(node_id b)
p b post "b one" >/dev/null
wait_for 100 converged a b c; ok $? "b's first post reaches everyone"

p c unsubscribe "$id_b" >"$T_ROOT/out" 2>&1; ok $? "c unsubscribes from b"
p b post "b two" >/dev/null && p b post "b three" >/dev/null
wait_for 50 has_text a "b three"; ok $? "a stores b's new posts"
# a's marker is posted after a has b's posts: once c has it, c has had its chance at b's
p a post "a marker one" >/dev/null
wait_for 50 has_text c "a marker one"; ok $? "c still stores a's new posts"
! has_text c "b two" && ! has_text c "b three"; ok $? "c does not store b's posts made after unsubscribe"
has_text c "b one"; ok $? "c keeps b's post from before"

stop_daemon c && start_daemon c; ok $? "c restarted"
p b post "b four" >/dev/null
wait_for 50 has_text a "b four"
p a post "a marker two" >/dev/null
wait_for 100 has_text c "a marker two"; ok $? "after the restart c replicates a again"
! has_text c "b four"; ok $? "the unsubscription survives the restart"

p c subscribe "$id_b" >"$T_ROOT/out" 2>&1; ok $? "c subscribes to b again"
back() { has_text c "b two" && has_text c "b three" && has_text c "b four"; }
wait_for 100 back; ok $? "b's missing posts arrive on c (10 s)"
wait_for 50 converged a b c && feeds_contiguous c && no_dup_hashes c; ok $? "a, b, c converge; c's copy of b's feed has no gap and no repeat"
p c verify >/dev/null; ok $? "pakt verify passes on c"
no_sanitizer_reports; ok $? "no sanitizer reports"
