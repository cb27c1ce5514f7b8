#!/bin/bash
# The layering rules of issue 9, checked over the sources (TAP):
#   lower    proto/, keys/ and core/ include no uv.h, sqlite3.h, daemon/ or cli/
#   down     daemon/ includes no cli/ header; cli/ includes no daemon/ header
#   cycle    the include graph among daemon/ modules has no cycle
#   msgpack  msgpack_object appears only in proto/ and core/
#   size     no source file outside tests/ has more than 800 lines
#   prefix   every exported (non-static) function or object starts with its
#            file's prefix: the file's stem or its first word (store_mesh.c:
#            store_mesh_ or store_), or the cross-cutting pakt_
# Each violation is one line "RULE FILE [DETAIL]". A line in
# tests/layering.allow (known pending work) turns it into a TODO that does
# not fail; an allowlist line that matches nothing is reported as stale.
#
# layering.sh                   TAP: the rules on the tree, then a self-test
# layering.sh --check ROOT ALLOW  the rules on ROOT: violations on stdout,
#                               exit 1 when one is not in ALLOW
set -u
ME=$0

# Module of a daemon file: its stem up to the first '_' (ctl_work.c: ctl).
module() {
	local s=${1##*/}
	s=${s%.*}
	echo "${s%%_*}"
}

# The sources under ROOT outside tests/, relative to ROOT.
sources() {
	(cd "$1" && find proto keys core daemon cli -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null | sort)
}

# Quoted and bracketed includes of a file: "FILE HEADER" lines.
includes() {
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]\([^>"]*\)[>"].*/\1/p' "$1/$2" |
		while read -r h; do echo "$2 $h"; done
}

# Exported definitions of a .c file: names of non-static functions (the
# name line at column 0, the body's "{" at column 0 before any ";") and of
# non-static initialised objects at column 0.
exported() {
	awk '
	function ident_before(s, c,   i, j) {
		i = index(s, c)
		if (i == 0)
			return ""
		s = substr(s, 1, i - 1)
		sub(/[[:space:]]+$/, "", s)
		j = length(s)
		while (j > 0 && substr(s, j, 1) ~ /[A-Za-z0-9_]/)
			j--
		return substr(s, j + 1)
	}
	pending != "" && /^\{/ { print pending; pending = ""; next }
	pending != "" && /;[[:space:]]*$/ { pending = ""; next }
	/^[A-Za-z_]/ && !/^(static|typedef|extern|struct [A-Za-z_]+[[:space:]]*\{|enum|union|__attribute__)/ {
		eq = index($0, "="); par = index($0, "(")
		if (eq > 0 && (par == 0 || eq < par)) {
			line = $0
			if (index(line, "[") > 0 && index(line, "[") < eq)
				print ident_before(line, "[")
			else
				print ident_before(line, "=")
		} else if (par > 0 && $0 !~ /;[[:space:]]*$/) {
			pending = ident_before($0, "(")
		}
	}' "$1"
}

# Every violation under root, one per line.
violations() {
	local root=$1 f g h n stem first lines

	for f in $(sources "$root"); do
		# lower, down
		while read -r g h; do
			case "$g" in
			proto/* | keys/* | core/*)
				case "$h" in
				uv.h | sqlite3.h | daemon/* | cli/*) echo "lower $g $h" ;;
				esac ;;
			daemon/*)
				case "$h" in cli/*) echo "down $g $h" ;; esac ;;
			cli/*)
				case "$h" in daemon/*) echo "down $g $h" ;; esac ;;
			esac
		done < <(includes "$root" "$f")
		# msgpack
		case "$f" in
		proto/* | core/*) ;;
		*) grep -q 'msgpack_object' "$root/$f" && echo "msgpack $f" ;;
		esac
		# size
		lines=$(wc -l <"$root/$f")
		[ "$lines" -gt 800 ] && echo "size $f"
		# prefix
		case "$f" in
		*.c)
			stem=${f##*/}
			stem=${stem%.c}
			first=${stem%%_*}
			for n in $(exported "$root/$f"); do
				case "$n" in
				"$stem" | "$stem"_* | "$first"_* | pakt_* | main) ;;
				*) echo "prefix $f $n" ;;
				esac
			done ;;
		esac
	done
	# cycle: every daemon module edge u->v such that v reaches u
	for f in $(sources "$root" | grep '^daemon/'); do
		includes "$root" "$f"
	done | while read -r f h; do
		case "$h" in
		daemon/*) echo "$(module "$f") $(module "$h")" ;;
		esac
	done | sort -u | awk '
	$1 != $2 { n++; from[n] = $1; to[n] = $2; adj[$1] = adj[$1] " " $2 }
	function reaches(a, b,   queue, seen, head, tail, x, k, m, nb) {
		head = 1; tail = 1; queue[1] = a; seen[a] = 1
		while (head <= tail) {
			x = queue[head++]
			if (x == b)
				return 1
			m = split(adj[x], nb, " ")
			for (k = 1; k <= m; k++)
				if (!(nb[k] in seen)) {
					seen[nb[k]] = 1
					queue[++tail] = nb[k]
				}
		}
		return 0
	}
	END {
		for (i = 1; i <= n; i++)
			if (reaches(to[i], from[i]))
				print "cycle " from[i] " " to[i]
	}'
}

# --check ROOT ALLOW: print violations (TODO for allowlisted ones) and stale
# allowlist lines; exit 1 when a violation is not allowlisted.
check() {
	local root=$1 allow=$2 v bad=0 found
	found=$(violations "$root" | sort -u)
	local known
	known=$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$allow" 2>/dev/null | sort -u)
	while read -r v; do
		[ -z "$v" ] && continue
		if printf '%s\n' "$known" | grep -qxF -- "$v"; then
			echo "TODO $v"
		else
			echo "VIOLATION $v"
			bad=1
		fi
	done <<<"$found"
	while read -r v; do
		[ -z "$v" ] && continue
		printf '%s\n' "$found" | grep -qxF -- "$v" ||
			echo "STALE $v (in the allowlist, no longer violated: remove it)"
	done <<<"$known"
	return $bad
}

if [ "${1:-}" = "--check" ]; then
	check "$2" "$3"
	exit $?
fi

# ---- TAP: the tree, then the self-test ----
SRC=${PAKT_SRCDIR:-$(cd "$(dirname "$ME")/.." && pwd)}
echo "1..8"
out=$(check "$SRC" "$SRC/tests/layering.allow")
rc=$?
printf '%s\n' "$out" | sed -n 's/^/# /p'
t=0
for rule in lower down cycle msgpack size prefix; do
	t=$((t + 1))
	if printf '%s\n' "$out" | grep -q "^VIOLATION $rule "; then
		echo "not ok $t - rule $rule"
	else
		echo "ok $t - rule $rule"
	fi
done
t=$((t + 1))
[ $rc -eq 0 ] && echo "ok $t - no violation outside tests/layering.allow" ||
	echo "not ok $t - violations outside tests/layering.allow (lines VIOLATION above)"

# Self-test: plant one violation of each rule in a temporary tree; the
# check must report each one and fail, and pass once all are allowlisted.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/proto" "$tmp/keys" "$tmp/core" "$tmp/daemon" "$tmp/cli"
cat >"$tmp/proto/thing.c" <<'EOF'
#include "proto/thing.h"
#include <uv.h>
#include "daemon/net.h"
static int helper(void)
{
	return 0;
}
int thing_ok(void)
{
	return helper();
}
int stray(int a,
	  int b)
{
	return a + b;
}
const char *const thing_names[] = { "a", NULL };
const char *const other_names[] = { "b", NULL };
EOF
printf '#include "daemon/net.h"\n' >"$tmp/daemon/session.h"
printf '#include "daemon/session.h"\n#include "cli/cli.h"\nmsgpack_object o;\n' >"$tmp/daemon/net.h"
printf '#include "daemon/config.h"\n' >"$tmp/cli/cmd_local.c"
printf '#include "keys/ownerfile.h"\n' >"$tmp/keys/keys.c"
seq 801 | sed 's/.*/\/\* line \*\//' >"$tmp/core/long.c"
cat >"$tmp/expect" <<'EOF'
lower proto/thing.c uv.h
lower proto/thing.c daemon/net.h
down daemon/net.h cli/cli.h
down cli/cmd_local.c daemon/config.h
cycle net session
cycle session net
msgpack daemon/net.h
size core/long.c
prefix proto/thing.c stray
prefix proto/thing.c other_names
EOF
: >"$tmp/empty.allow"
got=$("$ME" --check "$tmp" "$tmp/empty.allow")
src=$?
missing=$(grep -vxF -f <(printf '%s\n' "$got" | sed -n 's/^VIOLATION //p') "$tmp/expect")
extra=$(printf '%s\n' "$got" | sed -n 's/^VIOLATION //p' | grep -vxF -f "$tmp/expect")
t=$((t + 1))
if [ $src -ne 0 ] && [ -z "$missing" ] && [ -z "$extra" ]; then
	cp "$tmp/expect" "$tmp/all.allow"
	echo "prefix proto/thing.c gone" >>"$tmp/all.allow"
	got=$("$ME" --check "$tmp" "$tmp/all.allow")
	if [ $? -eq 0 ] && [ "$(printf '%s\n' "$got" | grep -c '^TODO ')" -eq 10 ] &&
	   printf '%s\n' "$got" | grep -q '^STALE prefix proto/thing.c gone'; then
		echo "ok $t - self-test: planted violations found, allowlisted ones are TODO"
	else
		echo "not ok $t - self-test: an allowlisted violation still fails"
		printf '%s\n' "$got" | sed 's/^/# /'
	fi
else
	echo "not ok $t - self-test: planted violations not reported exactly"
	printf '# missing: %s\n' $missing
	printf '# extra: %s\n' "$extra"
fi
