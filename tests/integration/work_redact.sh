#!/bin/bash
# Redaction: an author asks every node to drop the body of one of its
# entries (personal data). Every node drops it and keeps the signed
# header, so verify still passes; the redaction is listed by audit; the
# text is gone from the store files themselves; a node that joins later
# never gets it; nobody can redact another organisation's entry.
. "$(dirname "$0")/../lib/harness.sh"
plan 20

work_mesh a b:Harbour "c:City Welfare"; ok $? "a creates the initiative, b and c join"
id_a=$(node_id a)
marker="Jane-Doe-$$-$RANDOM"
mid=$(p a post "Client $marker, born 1970, needs a bed tonight" | en_id)
keep=$(p a post "Control text $$ stays" | en_id)
[ -n "$mid" ] && [ -n "$keep" ]; ok $? "a posts a message with personal data, and another one"
has_entry() { log_objects "$1" | grep -q "\"hash\":\"$2\""; }
shows_marker() { p "$1" log | grep -q -- "$marker"; }
wait_for 100 shows_marker b && wait_for 100 shows_marker c; ok $? "the message reaches b and c"

p b redact "$mid" --reason "not mine" >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 1 ] && [ "$(quiet_count b redact)" -eq 0 ]
ok $? "b redacting a's entry: exit 1, nothing stored (rc $rc: $(cat "$T_ROOT/err"))"

rid=$(p a redact "$mid" --reason "personal data" | en_last)
[ -n "$rid" ] && [ "$rid" != "$mid" ]; ok $? "a redacts its message"
wait_for 100 has_entry b "$rid" && wait_for 100 has_entry c "$rid"; ok $? "the redaction reaches b and c"

bad=""
for n in a b c; do
	p "$n" log >"$T_ROOT/log.$n" && ! grep -q -- "$marker" "$T_ROOT/log.$n" &&
		grep -q " a #[0-9]*  message  (body not present" "$T_ROOT/log.$n" &&
		grep -q "Control text $$ stays" "$T_ROOT/log.$n" &&
		! log_objects "$n" | grep -q -- "$marker" || bad="$bad $n"
done
[ -z "$bad" ]; ok $? "on every node the log no longer shows the text, keeps the header and the other message${bad:+ (wrong on:$bad)}"
bad=""
for n in a b c; do p "$n" verify >/dev/null || bad="$bad $n"; done
[ -z "$bad" ]; ok $? "verify passes on every node${bad:+ (not on:$bad)}"
bad=""
for n in a b c; do
	p "$n" audit --json | grep -q "\"redactions\":\[{[^]]*\"author\":\"$id_a\",\"reason\":\"personal data\",\"ref\":\"$mid\"" ||
		bad="$bad $n"
done
[ -z "$bad" ]; ok $? "audit --json lists the redaction on every node${bad:+ (not on:$bad)}"
p c audit | grep -q "removed the body of $mid (\"personal data\")"; ok $? "audit (text) on c names the redacted entry and the reason"

# a partner joining afterwards gets the header, never the body
init_node d && conf_set d checkpoint_interval 1 && join_node a d Dockside
wait_for 100 has_entry d "$rid" && wait_for 100 has_entry d "$keep"; ok $? "d joins later and receives the feed"
! log_objects d | grep -q -- "$marker" && has_entry d "$mid" && p d verify >/dev/null
ok $? "d has the redacted entry's header, not its text, and verifies"

# the reason may be empty (pakt redact --help, PROTOCOL.md "redact")
m2=$(p a post "Second note $$" | en_id)
p a redact "$m2" --reason "" >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 0 ] && ! p a log | grep -q "Second note $$"
ok $? "a redaction with an empty reason is accepted (rc $rc: $(cat "$T_ROOT/err"))"

# the redaction itself stays visible: it cannot be redacted in turn
p a redact "$rid" --reason "hide the redaction" >/dev/null 2>"$T_ROOT/err"; rc=$?
[ $rc -eq 1 ]; ok $? "redacting the redaction entry is refused, exit 1 (rc $rc: $(cat "$T_ROOT/err"))"
sleep 0.5   # give a wrongly accepted redaction time to reach c
p c audit --json | grep -q "\"redactions\":\[{[^]]*\"reason\":\"personal data\",\"ref\":\"$mid\"" &&
	p a audit --json | grep -q "\"reason\":\"personal data\",\"ref\":\"$mid\""
ok $? "audit on a and c still lists the redaction with its reason"

wait_quiet 150 a b c d; ok $? "all nodes store the same entries (checkpoints aside)"

bad=""; ctl=""
for n in a b c d; do
	stop_daemon "$n" || bad="$bad $n(stop)"
	for f in "$(node_dir "$n")"/pakt.db "$(node_dir "$n")"/pakt.db-wal; do
		[ -e "$f" ] || continue
		[ "$(grep -c -a -F -- "$marker" "$f")" -eq 0 ] || bad="$bad $n:${f##*/}"
		[ "$(grep -c -a -F -- "Control text $$ stays" "$f")" -eq 0 ] || ctl="$ctl $n"
	done
done
[ "$(echo $ctl | tr ' ' '\n' | sort -u | wc -l)" -eq 4 ]; ok $? "control: the unredacted text is found in every node's store files"
[ -z "$bad" ]; ok $? "no node's pakt.db or pakt.db-wal contains the redacted text${bad:+ (found in:$bad)}"
[ -z "$(ls "$T_ROOT"/*/pakt.db-wal 2>/dev/null | xargs -r grep -l -a -F -- "$marker")" ] &&
	[ -z "$(ls "$T_ROOT"/*/pakt.db-journal 2>/dev/null | xargs -r grep -l -a -F -- "$marker")" ]
ok $? "nor any WAL or journal left beside them"
no_sanitizer_reports; ok $? "no sanitizer reports"
