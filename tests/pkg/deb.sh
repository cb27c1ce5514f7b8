#!/bin/bash
# Build the Debian package from this checkout, install it with apt-get,
# and run its paktd the way paktd.service would (user pakt, the state
# directory, the unit's ExecStart and UMask) where systemd is not running:
# staff in the group pakt use the installed pakt without sudo or
# --data-dir, others are refused with whom to ask. Purges the package and
# the users it added at the end. Needs root, a machine without a real
# /var/lib/pakt, and no running systemd (with one, systemctl would own the
# unit): skips with the reason otherwise. TAP output.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
n=0; failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
skip() { echo "1..0 # SKIP $1"; exit 0; }

[ "$(id -u)" -eq 0 ] || skip "needs root"
[ -e /var/lib/pakt ] && skip "/var/lib/pakt exists: this machine has a real node"
[ -d /run/systemd/system ] && skip "systemd is running: use systemctl start paktd instead"
dpkg -s pakt >/dev/null 2>&1 && skip "the package pakt is installed already"
command -v dpkg-buildpackage >/dev/null || skip "no dpkg-buildpackage (./bootstrap installs it)"

W=$(mktemp -d /tmp/paktdeb.XXXXXX)
cleanup() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	apt-get purge -y -q pakt >/dev/null 2>&1
	for u in paktdeb-staff paktdeb-other; do userdel "$u" 2>/dev/null; done
	userdel pakt 2>/dev/null; groupdel pakt 2>/dev/null
	rm -rf /var/lib/pakt "$W"
}
trap cleanup EXIT
echo "1..9"

git -C "$SRC" archive --format=tar --prefix=pakt/ HEAD | tar -x -C "$W"
(cd "$W/pakt" && dpkg-buildpackage -us -uc -b) >"$W/build.log" 2>&1
ok $? "dpkg-buildpackage -us -uc -b builds the package from a clean tree"
deb=$(ls "$W"/pakt_*_*.deb 2>/dev/null | head -1)
errors=$(lintian "$deb" 2>&1 | grep -c '^E:')
ok "$errors" "lintian reports no errors ($(lintian "$deb" 2>&1 | grep -c '^W:') warnings)"

DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb" >"$W/install.log" 2>&1
ok $? "apt-get install ./$(basename "$deb")"
getent passwd pakt >/dev/null && getent group pakt >/dev/null && [ -f /lib/systemd/system/paktd.service ] &&
	[ -L /etc/systemd/system/multi-user.target.wants/paktd.service ]
ok $? "the package created the user and group pakt, and installed and enabled paktd.service"

# what systemd would do for the unit: StateDirectory, User, UMask, ExecStart
unit=/lib/systemd/system/paktd.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
install -d -m 0750 -o pakt -g pakt /var/lib/pakt
runuser -u pakt -- env PAKT_TEST_WEAK_KDF=1 pakt init --data-dir /var/lib/pakt --name "Fundacja Dom Nadziei" >"$W/init.out" 2>&1
ok $? "pakt init as the user pakt makes the system node"
(umask 0027; cd /; exec setpriv --reuid=pakt --regid=pakt --init-groups \
	env -i STATE_DIRECTORY=/var/lib/pakt $exec_start --listen 127.0.0.1:0) 2>"$W/paktd.log" &
pid=$!
for i in $(seq 1 100); do grep -q "listening on control socket" "$W/paktd.log" && break; sleep 0.1; done
[ "$(stat -c '%a %U %G' /var/lib/pakt/paktd.sock)" = "660 pakt pakt" ]
ok $? "paktd runs as pakt with the unit's options; its socket is 0660 group pakt"

useradd -M -G pakt paktdeb-staff && useradd -M paktdeb-other
(cd / && runuser -u paktdeb-staff -- env -u PAKT_HOME HOME=/nonexistent pakt status) >"$W/staff.out" 2>&1
ok $? "a user in the group pakt runs 'pakt status' without sudo or --data-dir"
grep -q "^data dir .*/var/lib/pakt (the system node)" "$W/staff.out"
ok $? "and status names the node it talks to: the system node"
(cd / && runuser -u paktdeb-other -- env -u PAKT_HOME HOME=/nonexistent pakt status) >"$W/other.out" 2>&1
[ $? -ne 0 ] && grep -q "ask the administrator to add you to the group 'pakt'" "$W/other.out"
ok $? "a user outside the group is refused with whom to ask"
[ $failed -eq 0 ] || { for f in build install paktd staff other; do echo "# --- $f"; tail -5 "$W/$f".* 2>/dev/null | sed 's/^/# /'; done; }
exit $((failed > 0))
