#!/bin/bash
# make demo: one organisation's node, from nothing to a verified feed.
# Runs in a temporary directory on 127.0.0.1 only and stops by itself.
set -eu
BUILD=${PAKT_BUILDDIR:-$(pwd)}
PAKT="$BUILD/pakt"
PAKTD="$BUILD/paktd"
DEMO=$(mktemp -d /tmp/pakt-demo.XXXXXX)
FOUNDATION="$DEMO/foundation"
daemon_pid=""

cleanup() {
	if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
		kill -TERM "$daemon_pid"; wait "$daemon_pid" || true
	fi
	rm -rf "$DEMO"
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "1. The foundation creates its identity (Ed25519 key, 0600) and data directory"
run "$PAKT" init --name "Harbour Foundation" --data-dir "$FOUNDATION"

say "2. It starts its daemon (SQLite store, control socket; logs to stderr)"
printf '$ paktd --data-dir %s &\n' "$FOUNDATION"
"$PAKTD" --data-dir "$FOUNDATION" 2> >(sed 's/^/    [paktd] /' >&2) &
daemon_pid=$!
for _ in $(seq 1 100); do
	"$PAKT" status --data-dir "$FOUNDATION" >/dev/null 2>&1 && break
	sleep 0.1
done
run "$PAKT" status --data-dir "$FOUNDATION"

say "3. It creates an initiative and posts to its feed"
run "$PAKT" initiative create "Homes First Rivertown" --goal "No one sleeps outside by 2028" --data-dir "$FOUNDATION"
run "$PAKT" post "Night shelter on Quay Street opens 1 December with 40 beds." --data-dir "$FOUNDATION"
run "$PAKT" post "Volunteers needed for the winter outreach rota." --data-dir "$FOUNDATION"
echo "Street count on 20 November: 63 people sleeping outside." | { printf '$ echo ... | pakt post\n'; "$PAKT" post --data-dir "$FOUNDATION"; }

say "4. pakt log shows the feed; --json is for programs"
run "$PAKT" log --data-dir "$FOUNDATION"
run "$PAKT" log --limit 1 --json --data-dir "$FOUNDATION"

say "5. pakt verify re-checks every signature and chain link"
run "$PAKT" verify --data-dir "$FOUNDATION"

say "6. SIGTERM stops the daemon cleanly"
kill -TERM "$daemon_pid"; wait "$daemon_pid"; daemon_pid=""
echo "demo finished"
