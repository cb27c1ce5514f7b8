#!/bin/bash
# What 'make install' puts beside the binaries: man pages built from the
# programs' own help (every command, every config key), a systemd unit that
# systemd-analyze verifies and rates at most 2.5, bash completion that
# completes commands, options and member ids, and an example config that
# paktd accepts.
. "$(dirname "$0")/../lib/harness.sh"
plan 9
D="$T_ROOT/inst"
# the configured prefix: the unit names paktd's installed path
prefix=$(sed -n 's/^prefix = //p' "$BUILD/Makefile")

make -s -C "$BUILD" install DESTDIR="$D" >"$T_ROOT/install.out" 2>&1
ok $? "make install DESTDIR=... succeeds"
for f in bin/pakt bin/paktd lib/systemd/system/paktd.service share/man/man1/pakt.1 \
	share/man/man8/paktd.8 share/man/man5/pakt-config.5 share/bash-completion/completions/pakt \
	share/doc/pakt/examples/config.example; do
	[ -f "$D$prefix/$f" ] || { diag "missing $prefix/$f"; false; } || break
done
ok $? "binaries, unit, three man pages, completion and example config are installed"

warn=""
for m in man1/pakt.1 man8/paktd.8 man5/pakt-config.5; do
	w=$(MANWIDTH=80 man --warnings -l "$D$prefix/share/man/$m" 2>&1 >/dev/null)
	[ -z "$w" ] || warn="$warn $m: $w"
done
[ -z "$warn" ]; ok $? "the man pages render with man -l, without warnings$warn"

MANWIDTH=200 man -l "$D$prefix/share/man/man1/pakt.1" 2>/dev/null >"$T_ROOT/pakt.txt"
missing=""
for c in $("$PAKT" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p'); do
	grep -q "^   $c\$" "$T_ROOT/pakt.txt" || missing="$missing $c"
	for o in $("$PAKT" help "$c" | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		grep -q -- "$o" "$T_ROOT/pakt.txt" || missing="$missing $c$o"
	done
done
grep -q "EXIT STATUS" "$T_ROOT/pakt.txt" && [ -z "$missing" ]
ok $? "pakt(1) has every command, option and the exit codes${missing:+ (missing:$missing)}"

keys=$(printf 'bogus_key = 1\n' >"$T_ROOT/bad.conf"; init_node k && cp "$T_ROOT/bad.conf" "$(node_dir k)/config" &&
	"$PAKTD" --data-dir "$(node_dir k)" 2>&1 | sed -n 's/.*known: \([^)]*\)).*/\1/p' | tr -d ,)
missing=""
for k in $keys; do
	MANWIDTH=200 man -l "$D$prefix/share/man/man5/pakt-config.5" 2>/dev/null | grep -Eq "^       $k( |\$)" || missing="$missing $k"
done
[ -n "$keys" ] && [ -z "$missing" ]
ok $? "pakt-config(5) documents every config key paktd knows (${keys}${missing:+; missing:$missing})"

init_node ex && grep -v '^#' "$D$prefix/share/doc/pakt/examples/config.example" | sed 's/0.0.0.0:7420/127.0.0.1:0/' >"$(node_dir ex)/config" &&
	start_daemon ex && stop_daemon ex
ok $? "paktd accepts the example config"

if command -v systemd-analyze >/dev/null; then
	unit="$T_ROOT/paktd.service"
	sed "s|$prefix/bin/paktd|$D$prefix/bin/paktd|" "$D$prefix/lib/systemd/system/paktd.service" >"$unit"
	MANPATH="$D$prefix/share/man" systemd-analyze verify "$unit" >"$T_ROOT/verify.out" 2>&1
	ok $? "systemd-analyze verify passes$(sed 's/^/; /' "$T_ROOT/verify.out" | tr -d '\n')"
	score=$(systemd-analyze security --offline=true "$unit" 2>/dev/null | sed -n 's/.*exposure level for paktd.service: \([0-9.]*\).*/\1/p')
	[ -n "$score" ] && awk "BEGIN { exit !($score <= 2.5) }"
	ok $? "systemd-analyze security rates the unit $score (at most 2.5)"
else
	ok 0 "# SKIP no systemd-analyze"; ok 0 "# SKIP no systemd-analyze"
fi

init_node a && start_daemon a && p a initiative create "Completion" >/dev/null
comp() {   # comp WORDS...: what completing the last word offers
	PATH="$BUILD:$PATH" bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _pakt; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$D$prefix/share/bash-completion/completions/pakt" "$@"
}
comp pakt po | grep -qx post && comp pakt post --t | grep -qx -- --to &&
	comp pakt post --data-dir "$(node_dir a)" --to "" | grep -qx "$(node_id a)"
ok $? "completion offers commands, a command's options and member ids"
