#!/bin/bash
# Replays and dates: a member (M, through tests/lib/peer) replays handshake
# messages on a second connection, replays another member's entries with a
# forged newer seq, and dates entries far in the future or before their
# predecessor. Each is refused with a logged reason, nothing wrong is
# stored, honest clock skew of minutes is accepted, and the honest partner
# H keeps replicating with the backbone A.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/attack.sh"
plan 21

backbone "Adversary entries" h m; setup_ok=$?
p m post "m honest 1" >/dev/null && p h post "h honest 1" >/dev/null && p h post "h honest 2" >/dev/null || setup_ok=1
wait_for 50 has_text a "m honest 1" && wait_for 50 has_text a "h honest 2" || setup_ok=1
ok $setup_ok "H and M joined; their posts reached A"
M=$(p m id); H=$(p h id)
stop_daemon m    # from now on M's key speaks only through the peer
m_count=$(n_by a "$M")

# ---- a handshake replayed on a second connection ----
attack replayhs m replay-handshake
port2=$(sed -n 's/^local2 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T_ROOT/replayhs.out")
grep -q "^sent the replayed msg2" "$T_ROOT/replayhs.out" && grep -q "^closed by peer" "$T_ROOT/replayhs.out" &&
	wait_for 20 closed_line "$port2" "handshake: (decryption failed|handshake failed)"
ok $? "replay-handshake: A refuses msg0+msg2 replayed on a new connection (its new ephemeral key breaks msg2), reason logged"
! grep -q "127.0.0.1:$port2 (pk_[a-z0-9]*): replicating" "$(node_dir a)/paktd.log"
ok $? "replay-handshake: the replayed connection never reaches replication"
still_replicates "replay-handshake"

# ---- another member's entries replayed, then renumbered ----
h_count=$(n_by a "$H")
attack replayother m replay-other --victim "$H"
grep -q "^still open after the unchanged replay" "$T_ROOT/replayother.out"
ok $? "replay-other: an unchanged replay of H's entry is a harmless duplicate (connection stays)"
# its old timestamp is before H's head (checked first); its signature
# does not cover the new seq and prev either
expect_closed replayother "rejected batch: entry 0 \(seq $((h_count + 1))\): (bad signature|timestamp [0-9]+ is before its predecessor's)" \
	"replay-other: H's old entry renumbered to seq $((h_count + 1)) is refused, reason logged"
[ "$(n_by a "$H")" -eq "$h_count" ] && [ "$(n_by a "$M")" -eq "$m_count" ]
ok $? "replay-other: H's feed ($h_count) and M's feed ($m_count) on A are unchanged"
still_replicates "replay-other"
h_count=$(n_by a "$H")

# ---- timestamps (rule: not before the predecessor, at most 10 min ahead) ----
attack future m honest --skew-ms 3600000 --text "adv future"
grep -q "^still open" "$T_ROOT/future.out" &&
	wait_for 20 grep -q "entry $M seq $((m_count + 1)) is dated 3[56][0-9][0-9] s ahead of our clock (at most 600 s): not stored" "$(node_dir a)/paktd.log"
ok $? "future: an entry dated 1 h ahead is not stored, logged, and the connection stays (our clock may be the late one)"
[ "$(n_by a "$M")" -eq "$m_count" ] && lacks_text a "adv future"; ok $? "future: nothing stored"

attack skew m honest --skew-ms 180000 --text "adv skew ahead"
wait_for 20 has_text a "adv skew ahead"; ok $? "honest skew: an entry dated 3 min ahead is accepted"
m_count=$(n_by a "$M")
wait_for 50 has_text h "adv skew ahead"; ok $? "honest skew: and relayed to H"

attack backdated m backdated --text "adv backdated"
expect_closed backdated "rejected batch: entry 0 \(seq $((m_count + 1))\): timestamp [0-9]+ is before its predecessor's" \
	"backdated: an entry dated 1 h before its predecessor is refused, reason logged"
[ "$(n_by a "$M")" -eq "$m_count" ] && lacks_text a "adv backdated"; ok $? "backdated: nothing stored"
still_replicates "the timestamp attacks"

# ---- the end: nothing wrong stored anywhere ----
p a verify >"$T_ROOT/verify.a" 2>&1; ok $? "pakt verify passes on A"
p h verify >"$T_ROOT/verify.h" 2>&1; ok $? "pakt verify passes on H"
[ "$(sqlite3 "$(node_dir a)/pakt.db" 'SELECT count(*) FROM forks')" -eq 0 ]
ok $? "no fork recorded on A (a replay is not a fork)"
! grep -q "adv future\|adv backdated" "$(node_dir h)/paktd.log" && lacks_text h "adv future" && lacks_text h "adv backdated"
ok $? "H holds neither refused entry"
no_sanitizer_reports; ok $? "no sanitizer reports"
