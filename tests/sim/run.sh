#!/bin/sh
# TAP: the deterministic simulation over 200 seeds with every attack, and
# 100 more with members removed and re-admitted under new keys (--churn);
# its self-check (a node that silently drops one entry must break the
# invariants on every seed); that a seed replays exactly; and the
# broadcast-tree scenario (sim_ebt.c).
sim="${PAKT_BUILDDIR:-.}/tests/sim/sim"
echo "1..5"
if out=$("$sim" --seeds 1-200 2>&1); then
	echo "ok 1 - simulation: 200 seeds keep every invariant"
else
	echo "not ok 1 - simulation: a seed breaks an invariant"
fi
printf '%s\n' "$out" | sed 's/^\([^#]\)/# \1/'
if out=$("$sim" --seeds 201-300 --churn 2>&1); then
	echo "ok 2 - simulation with churn: 100 seeds keep every invariant"
else
	echo "not ok 2 - simulation with churn: a seed breaks an invariant"
fi
printf '%s\n' "$out" | sed 's/^\([^#]\)/# \1/'
if out=$("$sim" --seeds 1-10 --attacks=none --drop-one --expect-fail 2>&1); then
	echo "ok 3 - self-check: a dropped entry is detected on 10 seeds"
else
	echo "not ok 3 - self-check: a dropped entry went unnoticed"
fi
printf '%s\n' "$out" | sed 's/^\([^#]\)/# \1/'
# -v prints every node's heads (entry hashes) at the end of each run
a=$("$sim" --seeds 1-5 --attacks=all -v 2>&1 | grep '^# node')
b=$("$sim" --seeds 1-5 --attacks=all -v 2>&1 | grep '^# node')
if [ -n "$a" ] && [ "$a" = "$b" ]; then
	echo "ok 4 - a seed replays to the same entries"
else
	echo "not ok 4 - two runs of one seed differ"
fi
if out=$("$sim" --ebt --seeds 1-200 2>&1); then
	echo "ok 5 - broadcast trees: 200 seeds settle near one copy per entry, and a dead eager link is replaced"
else
	echo "not ok 5 - broadcast trees: a seed breaks a check"
fi
printf '%s\n' "$out" | sed 's/^\([^#]\)/# \1/'
