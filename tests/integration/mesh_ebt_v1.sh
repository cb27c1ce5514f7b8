#!/bin/bash
# Replication version 2 stays off version-1 links: tests/lib/peer speaks
# version 1 (no "r" in its hello); a "have" from it closes its session
# with the reason, and A keeps replicating with H.
. "$(dirname "$0")/../lib/harness.sh"
plan 5

. "$(dirname "$0")/../lib/attack.sh"

backbone "Version 1 links" h m
ok $? "H and M joined A by invite"
stop_daemon m   # the peer uses its key
attack v1have m have-v1
expect_closed v1have "protocol error: have on a version 1 link" \
	"a 'have' on a version-1 link closes it with the reason"
still_replicates "the refused 'have'"
no_sanitizer_reports; ok $? "no sanitizer reports"
