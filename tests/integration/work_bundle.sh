#!/bin/bash
# An exported bundle round-trips through 'pakt verify FILE' with no daemon
# and no data directory; every signature checks with openssl too; any
# tampering fails with a reason that names the entry.
. "$(dirname "$0")/../lib/harness.sh"
plan 9

for n in a b; do init_node "$n" && start_daemon "$n" || exit 1; done
p a initiative create "Bundle test" >/dev/null
p b join "$(p a invite --name B)" >/dev/null
B=$(p b id)
wait_for 50 sh -c "'$PAKT' members --data-dir '$(node_dir a)' | grep -q '$B'"
C=$(p a commit "Open 20 beds" --party "$B" --due 2027-03-31 | grep -o 'en_[a-z2-7]*' | head -1)
[ -n "$C" ]; ok $? "a commitment is made"
wait_for 50 sh -c "'$PAKT' commitments --data-dir '$(node_dir b)' | grep -q 'Open 20 beds'"
p b accept "$C" >/dev/null
wait_for 50 sh -c "'$PAKT' commitments --data-dir '$(node_dir a)' | grep -q accepted"
p a progress "$C" fulfilled --note done >/dev/null

f="$T_ROOT/c.pakt"
p a export "$C" -o "$f" >/dev/null; ok $? "pakt export writes the bundle"
# offline: no daemon socket, no data directory, a fresh working directory
mkdir -p "$T_ROOT/offline"
(cd "$T_ROOT/offline" && env -i PATH="$PATH" HOME="$T_ROOT/offline" "$PAKT" verify "$f") >"$T_ROOT/v" 2>&1
ok $? "pakt verify FILE passes offline"
grep -q "Open 20 beds" "$T_ROOT/v" && grep -q "accepted" "$T_ROOT/v"
ok $? "and says what it proves (the commitment, its acceptance)"

# every signature, checked by another Ed25519 implementation
"$PAKT" verify "$f" --dump "$T_ROOT/dump" >/dev/null
n=0; bad=0
for h in "$T_ROOT"/dump/*.header; do
	i=$(basename "$h" .header)
	n=$((n + 1))
	openssl pkeyutl -verify -pubin -inkey "$T_ROOT/dump/$i.pub.pem" -rawin \
		-in "$h" -sigfile "$T_ROOT/dump/$i.sig" >/dev/null 2>&1 || bad=$((bad + 1))
done
[ $n -ge 5 ] && [ $bad -eq 0 ]; ok $? "openssl verifies all $n signatures of the bundle ($bad failed)"
# and a forged one is refused by openssl as well
cp "$T_ROOT/dump/1.header" "$T_ROOT/forged"; printf 'x' | dd of="$T_ROOT/forged" bs=1 seek=20 conv=notrunc 2>/dev/null
! openssl pkeyutl -verify -pubin -inkey "$T_ROOT/dump/1.pub.pem" -rawin -in "$T_ROOT/forged" \
	-sigfile "$T_ROOT/dump/1.sig" >/dev/null 2>&1
ok $? "openssl refuses a changed header"

# tampering: a flipped byte in the middle of the file
size=$(stat -c %s "$f")
cp "$f" "$T_ROOT/t.pakt"
printf '\x01' | dd of="$T_ROOT/t.pakt" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
cmp -s "$f" "$T_ROOT/t.pakt" && printf '\x02' | dd of="$T_ROOT/t.pakt" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
"$PAKT" verify "$T_ROOT/t.pakt" >"$T_ROOT/v2" 2>&1; rc=$?
[ $rc -eq 1 ]; ok $? "a flipped byte makes pakt verify fail (exit $rc)"
grep -Eq "pk_[a-z2-7]+|en_[a-z2-7]+" "$T_ROOT/v2"; ok $? "and the reason names the entry: $(head -c 120 "$T_ROOT/v2")"
head -c $((size - 10)) "$f" >"$T_ROOT/trunc.pakt"
! "$PAKT" verify "$T_ROOT/trunc.pakt" >/dev/null 2>&1; ok $? "a truncated bundle fails"
