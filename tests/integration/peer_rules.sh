#!/bin/bash
# The connection rules of issue 9 against a dishonest member played by
# tests/lib/peer, while an honest partner H keeps replicating with the
# backbone A: a non-member that waits is told it missed the invite
# deadline (rule 9); one live session per key (rule 7); a pinned link is
# not taken over by a successor another member names, and the initiator
# judges the responder's key before it sends handshake message 3 (rules 7
# and 9); any number of feeds cannot stop a session (rule 3: the clock
# goes out in parts that each fit a frame).
. "$(dirname "$0")/../lib/harness.sh"
plan 20

. "$(dirname "$0")/../lib/attack.sh"

backbone "Peer rules" h m b
ok $? "H, M and B joined A by invite"
init_node x
ok $? "X has a key and is not a member"
H=$(p h id); M=$(p m id); B=$(p b id)
stop_daemon m; stop_daemon b
still_replicates "setup"

# ---- rule 9: the invite deadline ----

attack nowait x wait-after-handshake --wait-ms 7000
expect_closed nowait "not a member, and no invite within [0-9]+ ms of connecting \(the invite deadline\)" \
	"a non-member that completes the handshake and waits is closed for the invite deadline"

# ---- rule 7: one live session per key ----

attack twice m second-session --wait-ms 2000
grep -q "^second: closed by peer.*bye: .*already has a session" "$T_ROOT/twice.out" &&
	grep -q "^first: still open" "$T_ROOT/twice.out"
ok $? "a second session of M's key gets a bye, the first stays"
grep -q "already has a session here (one per key: the older one stays)" "$(node_dir a)/paktd.log"
ok $? "A logs why it refused the second session"

# ---- rules 7 and 9: a pinned link answered by another key ----

# answer PEERMODE NAME: the peer listens; A gets a link to it pinned to B's
# key (B is offline: a key that replicates here is not dialled again); the peer's report goes to $T_ROOT/NAME.out and its port to $LPORT
answer() {
	local mode=$1 name=$2 host=${3:-127.0.0.1}
	timeout 30 "$PEER" --key "$(node_dir m)/identity.key" --network "$NW" \
		--connect 127.0.0.1:0 --mode "$mode" --wait-ms 15000 >"$T_ROOT/$name.out" 2>&1 &
	local pid=$!
	wait_for 50 grep -q "^listening" "$T_ROOT/$name.out"
	LPORT=$(sed -n 's/^listening 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T_ROOT/$name.out")
	p a peer add "$host:$LPORT" "$B" >/dev/null
	wait $pid
}

answer answer-succession succ
grep -q "^no msg2: the dialler closed before telling us who it is" "$T_ROOT/succ.out"
ok $? "A does not finish the handshake with a fresh key vouched for by M on a link pinned to B"
grep -qE "peer 127\.0\.0\.1:$LPORT \(pk_[a-z0-9]+\): closed: peer is pk_[a-z0-9]+, not the expected key, and its succession is not by the pinned member" \
	"$(node_dir a)/paktd.log"
ok $? "A logs that the succession is not by the pinned member"
! grep -q "the dialler sent its clock" "$T_ROOT/succ.out"
ok $? "A sent the impostor no clock"
p a peer remove "127.0.0.1:$LPORT" >/dev/null &&
	wait_for 20 grep -q "peer 127.0.0.1:$LPORT removed (pakt peer remove)" "$(node_dir a)/paktd.log"
ok $? "pakt peer remove logs a line in paktd"

answer answer-as-other other
grep -q "^no msg2: the dialler closed before telling us who it is" "$T_ROOT/other.out" &&
	grep -qE "peer 127\.0\.0\.1:$LPORT \(pk_[a-z0-9]+\): closed: peer is $M, not the expected key($| \()" \
		"$(node_dir a)/paktd.log"
ok $? "A checks the responder's key before message 3: M on B's pinned address learns nothing of A's identity"
p a peer remove "127.0.0.1:$LPORT" >/dev/null

# a host name is resolved off the loop (uv_getaddrinfo) and dialled
answer answer-as-other byname localhost
grep -q "^dialled" "$T_ROOT/byname.out"
ok $? "A resolves a host name and dials it"
p a peer remove "localhost:$LPORT" >/dev/null
still_replicates "the impostors"

# ---- rule 3: many feeds do not stop a session ----

attack feeds m many-feeds --count 2000
grep -q "^sent 2000 one-entry feeds" "$T_ROOT/feeds.out"
ok $? "M sent 2000 one-entry feeds under fresh keys"
attack clock m count-clock --wait-ms 3000
listed=$(sed -n 's/^clock messages: [0-9]*, feeds listed: \([0-9]*\).*/\1/p' "$T_ROOT/clock.out")
msgs=$(sed -n 's/^clock messages: \([0-9]*\),.*/\1/p' "$T_ROOT/clock.out")
diag "A's clock: ${msgs:-?} messages, ${listed:-?} feeds listed"
# whether A stored the feeds (rule 3 lets it refuse them) or not, its
# clock reaches a member whole, one frame-sized part per 1024 feeds
[ -n "$listed" ] && [ "$msgs" -ge $(( (listed + 1023) / 1024 )) ] &&
	! grep -q "^closed by peer" "$T_ROOT/clock.out"
ok $? "A's clock reaches a member in parts that fit a frame, and the session stays open"
! grep -q "too large" "$(node_dir a)/paktd.log"
ok $? "A never closed a session for a message too large"
stop_daemon h && start_daemon h
ok $? "H restarted (a new session after the feeds arrived)"
still_replicates "2000 feeds"
check "no sanitizer reports" no_sanitizer_reports
