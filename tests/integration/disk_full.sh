#!/bin/bash
# A full disk: node b keeps its data directory on a 16 MB tmpfs, mounted in
# a private mount namespace (nothing reaches the host's mounts; it goes
# away with the test). Filled up, posting fails with a clear error and
# stores nothing, the daemon keeps serving reads, a batch from a peer is
# not stored in part, and freeing space recovers posting and replication
# without a restart. Then the WAL outgrows its checkpoint threshold while
# the disk fills: checkpoints fail for want of space, at run time and at
# shutdown, and nothing acknowledged is lost.
if [ -z "${PAKT_MOUNT_NS:-}" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP mounting a small tmpfs needs root"; exit 0
	fi
	if ! unshare -m --propagation private true 2>/dev/null; then
		echo "1..0 # SKIP no private mount namespace here (unshare -m failed)"; exit 0
	fi
	PAKT_MOUNT_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/../lib/harness.sh"
plan 27

mnt=$(node_dir b)
mkdir "$mnt" && mount -t tmpfs -o size=16m,mode=0700 pakt-test "$mnt"
ok $? "a 16 MB tmpfs for b's data directory, in a private mount namespace"
# stop the daemons before the harness removes T_ROOT, then unmount
trap 'for n in $T_DAEMONS; do stop_daemon "$n" >/dev/null 2>&1; done; umount -l "$mnt"; finish' EXIT

make_initiative a "Disk full" && init_node b &&
	ln -s "$T_ROOT/b.log" "$mnt/paktd.log" &&   # the log must not need the full disk
	join_node a b && p b post "b before 1" >/dev/null && p b post "b before 2" >/dev/null &&
	p a post "a before" >/dev/null && wait_converged 100 a b
ok $? "a and b replicate; b posted twice"
pid_b=$(daemon_pid b)
head_seq() { p b log --json --from "$(node_id b)" | grep -o '"seq":[0-9]*' | tail -1 | cut -d: -f2; }
seq_before=$(head_seq)
entry_keys b >"$T_ROOT/before"

dd if=/dev/zero of="$mnt/filler" bs=64k 2>/dev/null
[ "$(df --output=avail "$mnt" | tail -1)" -eq 0 ]; ok $? "b's disk is full"

# ---- posting on a full disk ----
p b post "while full" >"$T_ROOT/out" 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 1 ] && grep -q "^pakt: post: disk full: .*free space on the disk holding $mnt and try again" "$T_ROOT/err"
ok $? "pakt post fails with exit 1 and says what happened and what to do ($rc: $(cat "$T_ROOT/err"))"
grep -q "^<3>paktd: error: append message seq $((seq_before + 1)) failed: disk full.*(database or disk is full)" "$T_ROOT/b.log"
ok $? "paktd logs the failed append at error level with SQLite's reason"
p b post --to "$(node_id a)" "sealed while full" >/dev/null 2>"$T_ROOT/err"
[ $? -eq 1 ] && grep -q "disk full" "$T_ROOT/err"; ok $? "a sealed post fails the same way"
kill -0 "$pid_b" && p b status >/dev/null; ok $? "paktd keeps running and answers status"
entry_keys b | cmp -s - "$T_ROOT/before"; ok $? "pakt log lists exactly what was stored before: nothing partial"
! has_text b "while full" && feeds_contiguous b && p b verify >/dev/null
ok $? "the failed post is absent, every feed runs 1, 2, 3..., pakt verify passes"

# ---- replication into a full disk ----
for i in 1 2 3; do p a post "a while b is full $i" >/dev/null; done
wait_for 100 grep -q "^<3>paktd: error: storing batch: database or disk is full (disk full" "$T_ROOT/b.log"
ok $? "b logs that it could not store a's batch at error level"
grep -q "closed: could not store its batch here: storing batch: database or disk is full" "$T_ROOT/b.log"
ok $? "the session ends saying the fault is b's storage, not a's batch"
entry_keys b | cmp -s - "$T_ROOT/before" && feeds_contiguous b
ok $? "nothing of the batch is stored (b's entries unchanged, no gap)"
p b log --limit 1 >/dev/null && p b verify >/dev/null; ok $? "b still serves reads and verifies"
n0=$(grep -c "^<3>paktd: error: storing batch: database or disk is full" "$T_ROOT/b.log"); sleep 3
n1=$(grep -c "^<3>paktd: error: storing batch: database or disk is full" "$T_ROOT/b.log")
[ $((n1 - n0)) -le 4 ]
ok $? "b backs off from the failing link: $((n1 - n0)) failed batches in 3 s (a session that fails at once does not reset the redial backoff)"

# ---- space freed: no restart ----
rm -f "$mnt/filler"
p b post "after space freed" >"$T_ROOT/out"; rc=$?
[ $rc -eq 0 ] && grep -q "^posted #$((seq_before + 1)) " "$T_ROOT/out"
ok $? "with space freed, posting works again and takes seq $((seq_before + 1)), the one the failed post did not use"
wait_converged 300 a b && has_text b "a while b is full 3"   # the backoff may have reached 8 s
ok $? "replication resumes by itself: b gets the entries a posted while b's disk was full"
[ "$(daemon_pid b)" = "$pid_b" ] && kill -0 "$pid_b"; ok $? "b recovered without a restart (same pid)"
feeds_contiguous b && no_dup_hashes b && p b verify >/dev/null; ok $? "b: no gap, no duplicate, pakt verify passes"

# ---- WAL checkpoints under ENOSPC ----
# Leave 6 MB: the WAL reaches its 1000-page checkpoint threshold (~4 MB),
# the checkpoint needs the database file to grow by as much, and fails.
avail=$(df --output=avail -k "$mnt" | tail -1)
dd if=/dev/zero of="$mnt/filler" bs=1k count=$((avail - 6144)) 2>/dev/null
pad=$(head -c 6000 /dev/zero | tr '\0' 'w')
acked="$T_ROOT/acked"; : >"$acked"
for i in $(seq 1 2000); do
	p b post "fill $i $pad" >/dev/null 2>"$T_ROOT/err" || break
	echo "fill $i $pad" >>"$acked"
done
wal=$(stat -c %s "$mnt/pakt.db-wal")
grep -q "disk full" "$T_ROOT/err" && [ "$wal" -gt $((1000 * 4120)) ]
ok $? "posting fills the disk: $(wc -l <"$acked") posts, then disk full; the WAL holds $wal bytes, past its checkpoint threshold"
# what the database file holds without its WAL: a copy, opened alone
file_count() {
	cp "$mnt/pakt.db" "$T_ROOT/alone.db" && rm -f "$T_ROOT/alone.db-wal" "$T_ROOT/alone.db-shm" &&
		sqlite3 "$T_ROOT/alone.db" "SELECT count(*) FROM entries" 2>/dev/null || echo none
}
total=$(entry_count b) alone=$(file_count)
[ "$alone" != "$total" ]
ok $? "the checkpoint could not complete: the database file alone does not hold the $total entries (it reads: $alone)"
sqlite3 -readonly "$mnt/pakt.db" "PRAGMA integrity_check" >"$T_ROOT/ic" 2>&1 && [ "$(cat "$T_ROOT/ic")" = ok ]
ok $? "SQLite's integrity check passes on b's store ($(head -c 80 "$T_ROOT/ic"))"
stop_daemon b; rc=$?
[ $rc -eq 0 ] && [ -s "$mnt/pakt.db-wal" ]
ok $? "paktd stops cleanly on a full disk (exit $rc); the WAL it could not checkpoint is kept"
start_daemon b && p b log --type message | sed -E 's/^.*  message  //' >"$T_ROOT/got"
missing=$(grep -cvxF -f "$T_ROOT/got" "$acked")
[ "$missing" -eq 0 ]; ok $? "b restarts on the full disk with every acknowledged post ($missing missing)"
rm -f "$mnt/filler"
p b post "room again" >/dev/null; total=$(entry_count b)
# paktd checkpoints on a helper thread, woken by that commit
all_in_file() { alone=$(file_count); [ "$alone" = "$total" ]; }
wait_for 50 all_in_file
ok $? "with space freed the checkpoint after the next commit goes through: the database file alone holds all $alone of $total entries"
stop_daemon b && [ ! -e "$mnt/pakt.db-wal" ]; ok $? "a clean stop now checkpoints and removes the WAL"
start_daemon b && p b log --type message | sed -E 's/^.*  message  //' >"$T_ROOT/got" &&
	[ "$(grep -cvxF -f "$T_ROOT/got" "$acked")" -eq 0 ] && feeds_contiguous b && p b verify >/dev/null
ok $? "after the restart every acknowledged post is there, no gap, pakt verify passes"
no_sanitizer_reports; ok $? "no sanitizer reports"
