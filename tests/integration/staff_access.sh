#!/bin/bash
# Staff access without sudo: with control_group set, the control socket is
# mode 0660 in that group and paktd admits its own user, root and the
# group's members (SO_PEERCRED + SO_PEERGROUPS); anyone else is refused
# with a message that says whom to ask, and the refusal is logged. A group
# that does not exist stops paktd at once with a reason, lock released.
# An encrypted key's passphrase comes from systemd's credentials
# directory (LoadCredential=passphrase:FILE in paktd.service).
. "$(dirname "$0")/../lib/harness.sh"
plan 11
GROUP=staff   # in every Debian base system (gid 50): the test adds none

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null || ! getent group "$GROUP" >/dev/null ||
	! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$PAKT"; then
	for i in $(seq 1 11); do ok 0 "# SKIP needs root, setpriv, group $GROUP and a build nobody can run"; done
	exit 0
fi
gid=$(getent group "$GROUP" | cut -d: -f3)
as_staff() { setpriv --reuid=65534 --regid=65534 --groups="$gid" "$@"; }
as_other() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

init_node a && conf_set a control_group "$GROUP" && start_daemon a
ok $? "paktd starts with control_group = $GROUP"
dir=$(node_dir a); sock="$dir/paktd.sock"
chmod 711 "$T_ROOT"; chgrp "$GROUP" "$dir"; chmod 750 "$dir"
[ "$(stat -c '%a %G' "$sock")" = "660 $GROUP" ] && [ "$(stat -c %a "$dir/identity.key")" = 600 ]
ok $? "the socket is mode 0660 group $GROUP; the key stays 0600"

as_staff "$PAKT" status --data-dir "$dir" >"$T_ROOT/staff.out" 2>&1
ok $? "a member of the group uses pakt status without sudo"
grep -q "^data dir .*$dir (--data-dir)" "$T_ROOT/staff.out"
ok $? "status says which node it talks to and why"

as_other "$PAKT" status --data-dir "$dir" >"$T_ROOT/other.out" 2>&1; rc=$?
[ $rc -ne 0 ] && grep -q "permission denied on paktd's control socket $sock: ask the administrator to add you to the group '$GROUP' (usermod -aG $GROUP USER, then log in again)" "$T_ROOT/other.out"
ok $? "a user outside the group is refused with whom to ask (exit $rc)"
! grep -q "not running" "$T_ROOT/other.out"
ok $? "and is not told that paktd is not running"

# a careless chmod: only the credentials check stands in the way
chmod 755 "$dir"; chmod 666 "$sock"
as_other "$PAKT" status --data-dir "$dir" >"$T_ROOT/loose.out" 2>&1
chmod 660 "$sock"; chmod 750 "$dir"
grep -q "permission denied: ask the administrator to add you to the group '$GROUP'" "$T_ROOT/loose.out" &&
	grep -q "control socket: refused a client of uid 65534 (pid [0-9]*): not paktd's uid 0, root or in the control group" "$dir/paktd.log"
ok $? "with the mode loosened, paktd itself refuses and logs the uid"
stop_daemon a

init_node b && conf_set b control_group no-such-group-pakt
start=$(date +%s%N)
timeout 5 "$PAKTD" --data-dir "$(node_dir b)" --listen 127.0.0.1:0 2>"$T_ROOT/nogroup.err"; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $ms -lt 1000 ] &&
	grep -q "control group 'no-such-group-pakt' does not exist: create it (groupadd no-such-group-pakt) or change control_group in the config" "$T_ROOT/nogroup.err"
ok $? "a control group that does not exist: one line, exit $rc after $ms ms"
sed -i '/control_group/d' "$(node_dir b)/config" && start_daemon b
ok $? "the lock was released: the node starts once the config is fixed"
stop_daemon b

echo "secret passphrase" >"$T_ROOT/pass"; chmod 600 "$T_ROOT/pass"
init_node c --passphrase-file "$T_ROOT/pass"
timeout 5 "$PAKTD" --data-dir "$(node_dir c)" --listen 127.0.0.1:0 </dev/null 2>"$T_ROOT/nopass.err"
[ $? -ne 0 ] && grep -q "LoadCredential=passphrase:FILE" "$T_ROOT/nopass.err"
ok $? "without a passphrase the encrypted key does not open, and the error names LoadCredential"
mkdir -m 700 "$T_ROOT/creds" && cp "$T_ROOT/pass" "$T_ROOT/creds/passphrase" &&
	CREDENTIALS_DIRECTORY="$T_ROOT/creds" start_daemon c </dev/null
ok $? "an encrypted key opens with the passphrase from \$CREDENTIALS_DIRECTORY"
