#!/bin/bash
# paktd that cannot listen (port taken, address not on this machine, a
# privileged port) logs one line naming the address and what to do,
# releases its lock and exits non-zero within a second.
. "$(dirname "$0")/../lib/harness.sh"
plan 6
PY=/usr/bin/python3

init_node a
# try_listen ADDR [setpriv args]: run paktd, set RC, MS and ERR
try_listen() {
	local addr=$1 start; shift
	start=$(date +%s%N)
	timeout 5 "$@" "$PAKTD" --data-dir "$(node_dir a)" --listen "$addr" 2>"$T_ROOT/err" </dev/null
	RC=$?; MS=$(( ($(date +%s%N) - start) / 1000000 )); ERR=$(cat "$T_ROOT/err")
}
quick_fail() { [ "$RC" -ne 0 ] && [ "$RC" -ne 124 ] && [ "$MS" -lt 1000 ]; }

if [ -x "$PY" ]; then
	# hold a port for 10 s: long enough for the attempt, bounded if we die
	"$PY" -c 'import socket,sys,time
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(1)
print(s.getsockname()[1], flush=True); time.sleep(10)' >"$T_ROOT/port" &
	holder=$!
	wait_for 50 test -s "$T_ROOT/port"; port=$(cat "$T_ROOT/port")
	try_listen "127.0.0.1:$port"
	kill $holder 2>/dev/null
	quick_fail && [ "$(echo "$ERR" | grep -c .)" -eq 1 ] &&
		echo "$ERR" | grep -q "cannot listen on 127.0.0.1:$port: address already in use"
	ok $? "port taken: one line naming the address, exit $RC after $MS ms"
else
	ok 0 "# SKIP no $PY to hold a port"
fi
start_daemon a && stop_daemon a
ok $? "the lock was released: paktd starts on a free port right after"

try_listen "192.0.2.1:7420"   # TEST-NET-1: never an address of this machine
quick_fail && echo "$ERR" | grep -q "cannot listen on 192.0.2.1:7420: address not available" &&
	echo "$ERR" | grep -q "not an address of this machine"
ok $? "address not local: says so and what to do, exit $RC after $MS ms"

try_listen "localhost:7420"
quick_fail && echo "$ERR" | grep -q "listen address 'localhost:7420' is not a numeric HOST:PORT"
ok $? "a host name: refused with the reason"

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$PAKTD"; then
	chmod 711 "$T_ROOT"; chown -R 65534:65534 "$(node_dir a)"
	try_listen "127.0.0.1:80" setpriv --reuid=65534 --regid=65534 --clear-groups
	chown -R 0:0 "$(node_dir a)"
	quick_fail && echo "$ERR" | grep -q "cannot listen on 127.0.0.1:80: permission denied" &&
		echo "$ERR" | grep -q "1024"
	ok $? "a privileged port as a plain user: says so and what to do, exit $RC after $MS ms"
else
	ok 0 "# SKIP needs root and setpriv to run as a plain user"
fi
start_daemon a && stop_daemon a
ok $? "and paktd still starts afterwards"
