#!/bin/bash
# A damaged store is refused at start with a message that names the file
# and says what to do, and is left byte for byte as it was: cut to half its
# size, cut to a length that is no multiple of the page size, one page in
# the middle zeroed, one overwritten with random bytes. The intact store
# still opens afterwards.
. "$(dirname "$0")/../lib/harness.sh"
plan 6

make_initiative a "Damage" &&
	for i in $(seq 1 120); do p a post "entry $i $(head -c 800 /dev/zero | tr '\0' d)" >/dev/null || exit 1; done &&
	stop_daemon a
ok $? "a store of 120 entries, stopped cleanly"
db=$(node_dir a)/pakt.db
cp "$db" "$T_ROOT/good.db"
size=$(stat -c %s "$db") page=$(sqlite3 -readonly "$db" "PRAGMA page_size")
pages=$((size / page))
diag "store: $size bytes, $pages pages of $page"

# refused DESCRIPTION: paktd on the damaged $db exits non-zero within 10 s,
# says why and what to do, and leaves the file as it was
refused() {
	cp "$db" "$T_ROOT/damaged.db"
	timeout 10 "$PAKTD" --data-dir "$(node_dir a)" --listen 127.0.0.1:0 2>"$T_ROOT/err"; rc=$?
	[ $rc -ne 0 ] && [ $rc -ne 124 ] &&
		grep -q "cannot open store: $db: .*(restore it from a backup or move it away; paktd does not overwrite it)" "$T_ROOT/err" &&
		cmp -s "$db" "$T_ROOT/damaged.db"
	ok $? "$1: refused (exit $rc: $(grep -o 'pakt.db: [^(]*' "$T_ROOT/err")), the file unchanged"
	rm -f "$db-wal" "$db-shm"
}

cp "$T_ROOT/good.db" "$db"; truncate -s $((pages / 2 * page)) "$db"
refused "cut to half its size ($((pages / 2)) pages)"
cp "$T_ROOT/good.db" "$db"; truncate -s $((size / 2 + 1000)) "$db"
refused "cut to $((size / 2 + 1000)) bytes, no multiple of the page size"
cp "$T_ROOT/good.db" "$db"
dd if=/dev/zero of="$db" bs="$page" seek=$((pages / 2)) count=1 conv=notrunc 2>/dev/null
refused "page $((pages / 2 + 1)) of $pages zeroed"
cp "$T_ROOT/good.db" "$db"
head -c "$page" /dev/urandom | dd of="$db" bs="$page" seek=$((pages * 3 / 4)) count=1 conv=notrunc 2>/dev/null
refused "page $((pages * 3 / 4 + 1)) of $pages overwritten with random bytes"

cp "$T_ROOT/good.db" "$db"
start_daemon a && p a verify >/dev/null && [ "$(entry_count a)" -eq 122 ]
ok $? "the intact store opens and verifies: 122 entries"
