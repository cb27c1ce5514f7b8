#!/bin/bash
# make demo: three organisations form an initiative on 127.0.0.1 — a
# foundation as backbone, the city's social-welfare office and a social
# cooperative join by invite — post, and see every post arrive everywhere;
# it ends with the partnership report (HTML, and a PNG of it when chromium
# is installed) written to the current directory, or to $PAKT_DEMO_REPORT.
# Runs in a temporary directory and stops by itself.
set -eu
BUILD=${PAKT_BUILDDIR:-$(pwd)}
PAKT="$BUILD/pakt"
PAKTD="$BUILD/paktd"
DEMO=$(mktemp -d /tmp/pakt-demo.XXXXXX)
REPORT=${PAKT_DEMO_REPORT:-$(pwd)/pakt-report-demo.html}
ORGS="foundation city coop"
declare -A NAME=([foundation]="Harbour Foundation" [city]="Rivertown Social Welfare Office" [coop]="Second Chance Cooperative")
declare -A PID

cleanup() {
	for o in $ORGS; do
		if [ -n "${PID[$o]:-}" ] && kill -0 "${PID[$o]}" 2>/dev/null; then
			kill -TERM "${PID[$o]}"; wait "${PID[$o]}" || true
		fi
	done
	rm -rf "$DEMO"
}
trap cleanup EXIT

# Bold headings only on a terminal (and not with NO_COLOR): a file or a
# pipe gets plain text.
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then BOLD=$'\033[1m' PLAIN=$'\033[0m'; else BOLD='' PLAIN=''; fi
exec 3>&1   # commands are shown on the real stdout, even inside $(...)
say() { printf '\n%s== %s%s\n' "$BOLD" "$*" "$PLAIN"; }
# quote ARG: ARG as a shell would need it typed (single quotes when it
# holds anything but plain word characters)
quote() {
	case $1 in
	'' | *[!A-Za-z0-9_./:=@%+,-]*) printf "'%s'" "${1//\'/\'\\\'\'}" ;;
	*) printf '%s' "$1" ;;
	esac
}
# show CMD ARGS...: "$ CMD ARGS" with every argument quoted as typed
# (the programs as pakt and paktd: they are $BUILD/pakt and $BUILD/paktd)
show() {
	local a out
	case $1 in "$PAKT") out=pakt ;; "$PAKTD") out=paktd ;; *) out=$(quote "$1") ;; esac
	shift
	for a in "$@"; do out="$out $(quote "$a")"; done
	printf '$ %s\n' "$out" >&3
}
# run CMD ARGS...: show it, then run it
run() { show "$@"; "$@"; }
pakt_as() { local o=$1; shift; run "$PAKT" "$@" --data-dir "$DEMO/$o"; }

# wait (at most 10 s) until every node has N entries
wait_entries() {
	local n=$1 o ok
	for _ in $(seq 1 100); do
		ok=1
		for o in $ORGS; do
			"$PAKT" log --data-dir "$DEMO/$o" 2>/dev/null | wc -l | grep -qx "$n" || ok=0
		done
		[ $ok = 1 ] && return 0
		sleep 0.1
	done
	echo "demo: entries did not converge" >&2; return 1
}

say "1. Each organisation creates its identity and starts its daemon"
for o in $ORGS; do
	pakt_as "$o" init --name "${NAME[$o]}" | sed -n 's/^id: /  '"$o"': /p'
	show "$PAKTD" --data-dir "$DEMO/$o" --listen 127.0.0.1:0
	"$PAKTD" --data-dir "$DEMO/$o" --listen 127.0.0.1:0 2>"$DEMO/$o.log" &
	PID[$o]=$!
done
for o in $ORGS; do
	for _ in $(seq 1 100); do "$PAKT" status --data-dir "$DEMO/$o" >/dev/null 2>&1 && break; sleep 0.1; done
done

say "2. The foundation, as backbone, creates the initiative"
pakt_as foundation initiative create "Homes First Rivertown" --goal "No one sleeps outside in Rivertown by 2028"

say "3. It invites the city and the cooperative; each joins with its code"
for o in city coop; do
	code=$(pakt_as foundation invite --name "${NAME[$o]}")
	echo "$code"
	pakt_as "$o" join "$code"
done
pakt_as coop members

say "4. Everyone posts"
pakt_as foundation post "Night shelter on Quay Street opens 1 December with 40 beds."
pakt_as city post "We fund 20 of the 40 beds from the winter budget."
pakt_as coop post "Our crew can renovate the second floor by March."
wait_entries 7   # genesis, 3 member entries, 3 posts
echo "-- on the coop's node:"
pakt_as coop log --type message

say "5. Each organisation says who it is: name and sector"
declare -A SECTOR=([foundation]=ngo [city]=public [coop]=business)
for o in $ORGS; do pakt_as "$o" profile set --name "${NAME[$o]}" --sector "${SECTOR[$o]}"; done

say "6. A common agenda and shared measurement"
pakt_as foundation agenda set --goal "No one sleeps outside in Rivertown by 2028" \
	--indicator "beds:Shelter beds:beds:60:up:level" --indicator "rough:People sleeping rough:people:0:down:level"
wait_entries 11
pakt_as city update "Winter count, first week" --value rough=63 --period 2026-11
pakt_as foundation update "Quay Street shelter open" --value beds=40 --period 2026-12
pakt_as coop update "Second floor plans approved" --value beds=0 --period 2026-12
pakt_as city update "Winter count, December" --value rough=51 --period 2026-12
wait_entries 15
pakt_as city metrics

say "7. A commitment, countersigned by both partners, then fulfilled"
echo "-- partners are named by their id (pakt id) or by the start of their name:"
CITY=$(pakt_as city id); echo "$CITY"
out=$(pakt_as foundation commit "Open 20 more beds on the second floor" --party "$CITY" --party second \
	--due 2027-03-31 --indicator beds --target 20)
echo "$out"
C=$(echo "$out" | grep -o 'en_[a-z2-7]*' | head -1)
wait_entries 16
pakt_as city accept "$C"
pakt_as coop accept "$C"
wait_entries 18
pakt_as coop progress "$C" fulfilled --note "20 beds ready, inspected by the fire service"
wait_entries 19
echo "-- partners witness what they hold (paktd also does this every few minutes):"
for o in city coop; do pakt_as "$o" checkpoint; done
wait_entries 21
pakt_as foundation commitments

say "8. A private message: only the city can read it"
pakt_as foundation post --to "$CITY" "Can we move the budget meeting to Thursday?"
wait_entries 22
echo "-- the city sees:"
pakt_as city log --type sealed
echo "-- the cooperative stores and relays it, but sees:"
pakt_as coop log --type sealed

say "9. The audit: every chain, every promise, every organisation's record"
pakt_as city audit

say "10. The commitment's proof travels as a file anyone can verify offline"
pakt_as foundation export "$C" -o "$DEMO/commitment.pakt"
echo "-- with no daemon and no data directory:"
(cd "$DEMO" && run env -u PAKT_HOME "$PAKT" verify "$DEMO/commitment.pakt")

say "11. Every node verifies every signature and chain link"
for o in $ORGS; do pakt_as "$o" verify; done

say "12. The partnership report: one HTML file to open in a browser, print to A4 or send"
pakt_as city report -o "$REPORT"
if command -v chromium >/dev/null 2>&1; then
	PNG=${REPORT%.html}.png
	echo "-- a picture of it:"
	run timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
		--user-data-dir="$DEMO/chromium" --window-size=1000,3000 --screenshot="$PNG" \
		"file://$REPORT" >/dev/null 2>&1 && echo "screenshot $PNG ($(wc -c <"$PNG") bytes)"
fi

say "13. SIGTERM stops the daemons cleanly"
for o in $ORGS; do run kill -TERM "${PID[$o]}"; wait "${PID[$o]}"; PID[$o]=""; done
echo "demo finished; the partnership report is $REPORT ($(wc -c <"$REPORT") bytes)"
