/* Control replies: one table per reply drives both its encoder (paktd)
 * and its decoder (pakt). A table lists the reply's keys in the order
 * they go on the wire, each with its type and where it lives in the
 * struct: bytewise order, except where an older paktd put "key" before
 * "kept" (an audit's orgs) and "seen_in" after "seq" (its forks), which
 * --json users see and so stays. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "proto/ctlmsg.h"
#include "proto/ctlop_reply.h"
#include "proto/err.h"

enum ftype {
	F_BOOL, F_U64, F_I64, F_F64,
	F_STR,              /* char[size], NUL-terminated */
	F_BIN32,            /* uint8_t[32] */
	F_KEY_OR_EMPTY,     /* uint8_t[32], or "" when has is false */
	F_BYTES,            /* uint8_t * with a size_t length at n_off (allocated) */
	F_ARRAY,            /* elements of elem at a pointer, size_t count at n_off */
	F_STRS,             /* array of str: char[cap][size] in the struct, count at n_off */
};

struct table;

struct field {
	const char *key;
	enum ftype t;
	size_t off, size;
	ptrdiff_t has;              /* offset of its bool has_ flag, or -1: always there */
	size_t n_off;
	const struct table *elem;
	size_t cap;                 /* F_STRS */
};

struct table {
	const struct field *f;
	size_t n;
	size_t size;                /* of the struct */
};

#define SZ(T, m) sizeof(((T *)0)->m)
#define FLD(T, k, type, m) {k, type, offsetof(T, m), SZ(T, m), -1, 0, NULL, 0}
#define OPT(T, k, type, m, h) {k, type, offsetof(T, m), SZ(T, m), offsetof(T, h), 0, NULL, 0}
#define BYTES(T, k, m, len) {k, F_BYTES, offsetof(T, m), 0, -1, offsetof(T, len), NULL, 0}
#define ARR(T, k, m, cnt, et) {k, F_ARRAY, offsetof(T, m), 0, -1, offsetof(T, cnt), &et, 0}
#define OPTARR(T, k, m, cnt, et, h) {k, F_ARRAY, offsetof(T, m), 0, offsetof(T, h), offsetof(T, cnt), &et, 0}
#define STRS(T, k, m, cnt) {k, F_STRS, offsetof(T, m), SZ(T, m[0]), -1, offsetof(T, cnt), NULL, \
			      SZ(T, m) / SZ(T, m[0])}
#define TABLE(name, T, ...) \
	static const struct field name##_f[] = {__VA_ARGS__}; \
	static const struct table name = {name##_f, sizeof name##_f / sizeof name##_f[0], sizeof(T)}

TABLE(t_ok, struct ctlop_r_ok, FLD(struct ctlop_r_ok, "ok", F_BOOL, ok));
TABLE(t_entry, struct ctlop_r_entry,
      FLD(struct ctlop_r_entry, "hash", F_BIN32, hash),
      OPT(struct ctlop_r_entry, "network", F_BIN32, network, has_network),
      FLD(struct ctlop_r_entry, "ok", F_BOOL, ok),
      OPT(struct ctlop_r_entry, "recipients", F_U64, recipients, has_recipients),
      FLD(struct ctlop_r_entry, "seq", F_U64, seq));
TABLE(t_status, struct ctlop_r_status,
      FLD(struct ctlop_r_status, "datadir", F_STR, datadir),
      FLD(struct ctlop_r_status, "entries", F_U64, entries),
      FLD(struct ctlop_r_status, "feeds", F_U64, feeds),
      FLD(struct ctlop_r_status, "id", F_BIN32, id),
      FLD(struct ctlop_r_status, "name", F_STR, name),
      OPT(struct ctlop_r_status, "network", F_BIN32, network, has_network),
      FLD(struct ctlop_r_status, "networks", F_U64, networks),
      FLD(struct ctlop_r_status, "ok", F_BOOL, ok),
      OPT(struct ctlop_r_status, "own_fork", F_U64, own_fork, has_own_fork),
      FLD(struct ctlop_r_status, "pid", F_U64, pid),
      OPT(struct ctlop_r_status, "removal", F_STR, removal, has_removal),
      OPT(struct ctlop_r_status, "unsynced", F_STR, unsynced, has_unsynced),
      FLD(struct ctlop_r_status, "uptime_ms", F_U64, uptime_ms),
      FLD(struct ctlop_r_status, "version", F_STR, version));
TABLE(t_created, struct ctlop_r_created,
      FLD(struct ctlop_r_created, "network", F_BIN32, network),
      FLD(struct ctlop_r_created, "ok", F_BOOL, ok));
TABLE(t_bad, struct ctlop_r_bad,
      FLD(struct ctlop_r_bad, "author", F_BIN32, author),
      FLD(struct ctlop_r_bad, "code", F_U64, code),
      FLD(struct ctlop_r_bad, "network", F_BIN32, network),
      FLD(struct ctlop_r_bad, "reason", F_STR, reason),
      FLD(struct ctlop_r_bad, "seq", F_U64, seq));
TABLE(t_verify, struct ctlop_r_verify,
      ARR(struct ctlop_r_verify, "bad", bad, n_listed, t_bad),
      FLD(struct ctlop_r_verify, "bodies", F_U64, bodies),
      FLD(struct ctlop_r_verify, "checked", F_U64, checked),
      FLD(struct ctlop_r_verify, "feeds", F_U64, feeds),
      FLD(struct ctlop_r_verify, "n_bad", F_U64, n_bad),
      FLD(struct ctlop_r_verify, "ok", F_BOOL, ok));
TABLE(t_invite, struct ctlop_r_invite,
      FLD(struct ctlop_r_invite, "code", F_STR, code),
      FLD(struct ctlop_r_invite, "ok", F_BOOL, ok));
TABLE(t_member, struct ctlop_r_member,
      FLD(struct ctlop_r_member, "added_by", F_BIN32, added_by),
      FLD(struct ctlop_r_member, "key", F_BIN32, key),
      FLD(struct ctlop_r_member, "name", F_STR, name),
      FLD(struct ctlop_r_member, "removed", F_BOOL, removed),
      FLD(struct ctlop_r_member, "role", F_STR, role),
      FLD(struct ctlop_r_member, "since", F_U64, since));
TABLE(t_members, struct ctlop_r_members,
      ARR(struct ctlop_r_members, "members", members, n_members, t_member),
      FLD(struct ctlop_r_members, "name", F_STR, name),
      FLD(struct ctlop_r_members, "network", F_BIN32, network),
      FLD(struct ctlop_r_members, "ok", F_BOOL, ok),
      OPT(struct ctlop_r_members, "removal", F_STR, removal, has_removal));
TABLE(t_peer, struct ctlop_r_peer,
      FLD(struct ctlop_r_peer, "address", F_STR, address),
      FLD(struct ctlop_r_peer, "behind", F_U64, behind),
      FLD(struct ctlop_r_peer, "bytes_in", F_U64, bytes_in),
      FLD(struct ctlop_r_peer, "bytes_out", F_U64, bytes_out),
      FLD(struct ctlop_r_peer, "connected", F_BOOL, connected),
      FLD(struct ctlop_r_peer, "entries_in", F_U64, entries_in),
      FLD(struct ctlop_r_peer, "entries_out", F_U64, entries_out),
      FLD(struct ctlop_r_peer, "inbound", F_BOOL, inbound),
      OPT(struct ctlop_r_peer, "key", F_KEY_OR_EMPTY, key, has_key),
      FLD(struct ctlop_r_peer, "last_seen", F_U64, last_seen));
TABLE(t_peers, struct ctlop_r_peers,
      FLD(struct ctlop_r_peers, "listen", F_STR, listen),
      FLD(struct ctlop_r_peers, "ok", F_BOOL, ok),
      ARR(struct ctlop_r_peers, "peers", peers, n_peers, t_peer));
TABLE(t_rotated, struct ctlop_r_rotated,
      FLD(struct ctlop_r_rotated, "initiatives", F_U64, initiatives),
      FLD(struct ctlop_r_rotated, "key", F_BIN32, key),
      FLD(struct ctlop_r_rotated, "ok", F_BOOL, ok),
      FLD(struct ctlop_r_rotated, "old", F_BIN32, old),
      OPT(struct ctlop_r_rotated, "warning", F_STR, warning, has_warning));
TABLE(t_point, struct ctlop_r_point,
      FLD(struct ctlop_r_point, "period", F_STR, period),
      FLD(struct ctlop_r_point, "value", F_F64, value));
TABLE(t_indicator, struct ctlop_r_indicator,
      OPT(struct ctlop_r_indicator, "about", F_STR, about, has_about),
      OPT(struct ctlop_r_indicator, "baseline", F_F64, baseline, has_baseline),
      OPT(struct ctlop_r_indicator, "baseline_period", F_STR, baseline_period, has_baseline),
      STRS(struct ctlop_r_indicator, "categories", categories, n_categories),
      OPT(struct ctlop_r_indicator, "dimension", F_STR, dimension, has_dimension),
      FLD(struct ctlop_r_indicator, "direction", F_STR, direction),
      FLD(struct ctlop_r_indicator, "id", F_STR, id),
      OPT(struct ctlop_r_indicator, "kind", F_STR, kind, has_kind),
      OPTARR(struct ctlop_r_indicator, "milestones", milestones, n_milestones, t_point,
	     has_milestones),
      FLD(struct ctlop_r_indicator, "name", F_STR, name),
      OPT(struct ctlop_r_indicator, "target", F_F64, target, has_target),
      FLD(struct ctlop_r_indicator, "unit", F_STR, unit));
TABLE(t_agenda, struct ctlop_r_agenda,
      FLD(struct ctlop_r_agenda, "goal", F_STR, goal),
      FLD(struct ctlop_r_agenda, "history", F_U64, history),
      ARR(struct ctlop_r_agenda, "indicators", indicators, n_indicators, t_indicator),
      FLD(struct ctlop_r_agenda, "ok", F_BOOL, ok),
      FLD(struct ctlop_r_agenda, "set_at", F_U64, set_at),
      FLD(struct ctlop_r_agenda, "set_by", F_BIN32, set_by),
      FLD(struct ctlop_r_agenda, "suppress", F_U64, suppress));
TABLE(t_cell, struct ctlop_r_cell,
      FLD(struct ctlop_r_cell, "category", F_STR, category),
      FLD(struct ctlop_r_cell, "value", F_F64, value));
TABLE(t_row, struct ctlop_r_row,
      FLD(struct ctlop_r_row, "at", F_U64, at),
      FLD(struct ctlop_r_row, "author", F_BIN32, author),
      OPT(struct ctlop_r_row, "den", F_F64, den, has_den),
      FLD(struct ctlop_r_row, "from", F_I64, from),
      FLD(struct ctlop_r_row, "indicator", F_STR, indicator),
      FLD(struct ctlop_r_row, "name", F_STR, name),
      FLD(struct ctlop_r_row, "period", F_STR, period),
      FLD(struct ctlop_r_row, "seq", F_U64, seq),
      ARR(struct ctlop_r_row, "split", split, n_split, t_cell),
      FLD(struct ctlop_r_row, "to", F_I64, to),
      FLD(struct ctlop_r_row, "value", F_F64, value));
TABLE(t_metrics, struct ctlop_r_metrics,
      ARR(struct ctlop_r_metrics, "indicators", indicators, n_indicators, t_indicator),
      FLD(struct ctlop_r_metrics, "initiative", F_STR, initiative),
      FLD(struct ctlop_r_metrics, "ok", F_BOOL, ok),
      ARR(struct ctlop_r_metrics, "rows", rows, n_rows, t_row),
      FLD(struct ctlop_r_metrics, "suppress", F_U64, suppress));
TABLE(t_party, struct ctlop_r_party,
      FLD(struct ctlop_r_party, "at", F_U64, at),
      FLD(struct ctlop_r_party, "key", F_BIN32, key),
      FLD(struct ctlop_r_party, "name", F_STR, name),
      FLD(struct ctlop_r_party, "reason", F_STR, reason),
      FLD(struct ctlop_r_party, "response", F_STR, response));
TABLE(t_answer, struct ctlop_r_answer,
      FLD(struct ctlop_r_answer, "at", F_U64, at),
      FLD(struct ctlop_r_answer, "breach", F_STR, breach),
      FLD(struct ctlop_r_answer, "by", F_BIN32, by),
      FLD(struct ctlop_r_answer, "by_name", F_STR, by_name),
      FLD(struct ctlop_r_answer, "change", F_BOOL, change),
      FLD(struct ctlop_r_answer, "counts", F_BOOL, counts),
      FLD(struct ctlop_r_answer, "hash", F_BIN32, hash),
      FLD(struct ctlop_r_answer, "reason", F_STR, reason),
      FLD(struct ctlop_r_answer, "response", F_STR, response));
TABLE(t_receipt, struct ctlop_r_receipt,
      FLD(struct ctlop_r_receipt, "at", F_U64, at),
      FLD(struct ctlop_r_receipt, "key", F_BIN32, key),
      FLD(struct ctlop_r_receipt, "name", F_STR, name));
TABLE(t_status_line, struct ctlop_r_status_line,
      FLD(struct ctlop_r_status_line, "at", F_U64, at),
      FLD(struct ctlop_r_status_line, "breach", F_STR, breach),
      FLD(struct ctlop_r_status_line, "by", F_BIN32, by),
      FLD(struct ctlop_r_status_line, "by_name", F_STR, by_name),
      FLD(struct ctlop_r_status_line, "counts", F_BOOL, counts),
      FLD(struct ctlop_r_status_line, "hash", F_BIN32, hash),
      FLD(struct ctlop_r_status_line, "note", F_STR, note),
      FLD(struct ctlop_r_status_line, "reopen", F_BOOL, reopen),
      FLD(struct ctlop_r_status_line, "state", F_STR, state));
TABLE(t_commit, struct ctlop_r_commit,
      ARR(struct ctlop_r_commit, "answers", answers, n_answers, t_answer),
      FLD(struct ctlop_r_commit, "at", F_U64, at),
      FLD(struct ctlop_r_commit, "author", F_BIN32, author),
      FLD(struct ctlop_r_commit, "author_name", F_STR, author_name),
      FLD(struct ctlop_r_commit, "countersigned", F_BOOL, countersigned),
      FLD(struct ctlop_r_commit, "description", F_STR, description),
      FLD(struct ctlop_r_commit, "due", F_STR, due),
      FLD(struct ctlop_r_commit, "hash", F_BIN32, hash),
      FLD(struct ctlop_r_commit, "indicator", F_STR, indicator),
      OPT(struct ctlop_r_commit, "on_time_confirmed", F_BOOL, on_time_confirmed, has_on_time),
      FLD(struct ctlop_r_commit, "outcome", F_STR, outcome),
      ARR(struct ctlop_r_commit, "parties", parties, n_parties, t_party),
      OPTARR(struct ctlop_r_commit, "received_by", received_by, n_received_by, t_receipt,
	     has_received_by),
      FLD(struct ctlop_r_commit, "seq", F_U64, seq),
      FLD(struct ctlop_r_commit, "state", F_STR, state),
      ARR(struct ctlop_r_commit, "statuses", statuses, n_statuses, t_status_line),
      OPT(struct ctlop_r_commit, "target", F_F64, target, has_target),
      FLD(struct ctlop_r_commit, "title", F_STR, title));
TABLE(t_commitments, struct ctlop_r_commitments,
      ARR(struct ctlop_r_commitments, "commitments", commitments, n_commitments, t_commit),
      FLD(struct ctlop_r_commitments, "ok", F_BOOL, ok));
TABLE(t_anomaly, struct ctlop_r_anomaly,
      FLD(struct ctlop_r_anomaly, "author", F_BIN32, author),
      FLD(struct ctlop_r_anomaly, "hash", F_BIN32, hash),
      FLD(struct ctlop_r_anomaly, "name", F_STR, name),
      OPT(struct ctlop_r_anomaly, "ref", F_BIN32, ref, has_ref),
      FLD(struct ctlop_r_anomaly, "seq", F_U64, seq),
      FLD(struct ctlop_r_anomaly, "what", F_STR, what));
TABLE(t_audit_bad, struct ctlop_r_audit_bad,
      FLD(struct ctlop_r_audit_bad, "author", F_BIN32, author),
      FLD(struct ctlop_r_audit_bad, "reason", F_STR, reason),
      FLD(struct ctlop_r_audit_bad, "seq", F_U64, seq));
TABLE(t_badsig, struct ctlop_r_badsig,
      FLD(struct ctlop_r_badsig, "a", F_BIN32, a),
      FLD(struct ctlop_r_badsig, "author", F_BIN32, author),
      FLD(struct ctlop_r_badsig, "b", F_BIN32, b),
      FLD(struct ctlop_r_badsig, "name", F_STR, name),
      FLD(struct ctlop_r_badsig, "seq", F_U64, seq));
TABLE(t_fork, struct ctlop_r_fork,
      FLD(struct ctlop_r_fork, "a", F_BIN32, a),
      FLD(struct ctlop_r_fork, "author", F_BIN32, author),
      FLD(struct ctlop_r_fork, "b", F_BIN32, b),
      FLD(struct ctlop_r_fork, "seq", F_U64, seq),
      OPT(struct ctlop_r_fork, "seen_in", F_STR, seen_in, has_seen_in));
TABLE(t_org, struct ctlop_r_org,
      FLD(struct ctlop_r_org, "accepted", F_U64, accepted),
      FLD(struct ctlop_r_org, "declined", F_U64, declined),
      FLD(struct ctlop_r_org, "key", F_BIN32, key),
      FLD(struct ctlop_r_org, "kept", F_U64, kept),
      FLD(struct ctlop_r_org, "late", F_U64, late),
      FLD(struct ctlop_r_org, "made", F_U64, made),
      FLD(struct ctlop_r_org, "missed", F_U64, missed),
      FLD(struct ctlop_r_org, "name", F_STR, name),
      FLD(struct ctlop_r_org, "open", F_U64, open));
TABLE(t_redaction, struct ctlop_r_redaction,
      FLD(struct ctlop_r_redaction, "at", F_U64, at),
      FLD(struct ctlop_r_redaction, "author", F_BIN32, author),
      FLD(struct ctlop_r_redaction, "reason", F_STR, reason),
      FLD(struct ctlop_r_redaction, "ref", F_BIN32, ref),
      FLD(struct ctlop_r_redaction, "seq", F_U64, seq));
TABLE(t_audit, struct ctlop_r_audit,
      ARR(struct ctlop_r_audit, "anomalies", anomalies, n_anomalies, t_anomaly),
      ARR(struct ctlop_r_audit, "bad", bad, n_bad, t_audit_bad),
      ARR(struct ctlop_r_audit, "badsigs", badsigs, n_badsigs, t_badsig),
      FLD(struct ctlop_r_audit, "checked", F_U64, checked),
      ARR(struct ctlop_r_audit, "commitments", commitments, n_commitments, t_commit),
      ARR(struct ctlop_r_audit, "forks", forks, n_forks, t_fork),
      FLD(struct ctlop_r_audit, "ok", F_BOOL, ok),
      ARR(struct ctlop_r_audit, "orgs", orgs, n_orgs, t_org),
      ARR(struct ctlop_r_audit, "redactions", redactions, n_redactions, t_redaction));
TABLE(t_export, struct ctlop_r_export,
      BYTES(struct ctlop_r_export, "bundle", bundle, bundle_len),
      FLD(struct ctlop_r_export, "ok", F_BOOL, ok));
TABLE(t_log_row, struct ctlop_r_log_row,
      BYTES(struct ctlop_r_log_row, "entry", entry, entry_len),
      OPT(struct ctlop_r_log_row, "name", F_STR, name, has_name),
      OPT(struct ctlop_r_log_row, "plain", F_STR, plain, has_plain),
      FLD(struct ctlop_r_log_row, "received", F_I64, received),
      FLD(struct ctlop_r_log_row, "rowid", F_I64, rowid));
TABLE(t_backup, struct ctlop_r_backup,
      FLD(struct ctlop_r_backup, "ok", F_BOOL, ok),
      FLD(struct ctlop_r_backup, "path", F_STR, path));
TABLE(t_log_end, struct ctlop_r_log_end,
      FLD(struct ctlop_r_log_end, "count", F_U64, count),
      FLD(struct ctlop_r_log_end, "ok", F_BOOL, ok));

TABLE(t_progress, struct ctlop_r_progress,
      FLD(struct ctlop_r_progress, "done", F_U64, done),
      FLD(struct ctlop_r_progress, "ok", F_BOOL, ok),
      FLD(struct ctlop_r_progress, "progress", F_BOOL, progress),
      FLD(struct ctlop_r_progress, "total", F_U64, total));

static const struct table *const tables[CTLOP_R_COUNT] = {
	[CTLOP_R_OK] = &t_ok,
	[CTLOP_R_ENTRY] = &t_entry,
	[CTLOP_R_STATUS] = &t_status,
	[CTLOP_R_CREATED] = &t_created,
	[CTLOP_R_VERIFY] = &t_verify,
	[CTLOP_R_INVITE] = &t_invite,
	[CTLOP_R_MEMBERS] = &t_members,
	[CTLOP_R_PEERS] = &t_peers,
	[CTLOP_R_ROTATED] = &t_rotated,
	[CTLOP_R_AGENDA] = &t_agenda,
	[CTLOP_R_METRICS] = &t_metrics,
	[CTLOP_R_COMMITMENTS] = &t_commitments,
	[CTLOP_R_AUDIT] = &t_audit,
	[CTLOP_R_EXPORT] = &t_export,
	[CTLOP_R_LOG_ROW] = &t_log_row,
	[CTLOP_R_LOG_END] = &t_log_end,
	[CTLOP_R_BACKUP] = &t_backup,
	[CTLOP_R_PROGRESS] = &t_progress,
};

/* A reply's arrays may not make us allocate more than this in all (a frame
 * is at most 1 MiB, but an element struct is far larger than its bytes). */
#define ALLOC_MAX (256u << 20)

#define AT(base, off, type) ((type)((char *)(base) + (off)))

/* ---- decoding ---- */

struct dec {
	char *why;
	size_t whylen;
	size_t allocated;
};

static int bad_key(struct dec *d, const char *key)
{
	snprintf(d->why, d->whylen, "paktd sent a malformed reply ('%s')", key);
	return PAKT_EPROTO;
}

static int dec_table(struct dec *d, const struct table *t, void *out, const msgpack_object *map);

static int dec_field(struct dec *d, const struct field *f, void *out, const msgpack_object *v)
{
	switch (f->t) {
	case F_BOOL:
		if (v->type != MSGPACK_OBJECT_BOOLEAN)
			return bad_key(d, f->key);
		*AT(out, f->off, bool *) = v->via.boolean;
		return 0;
	case F_U64:
		if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
			return bad_key(d, f->key);
		*AT(out, f->off, uint64_t *) = v->via.u64;
		return 0;
	case F_I64:
		if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
			*AT(out, f->off, int64_t *) = v->via.i64;
		else if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 <= INT64_MAX)
			*AT(out, f->off, int64_t *) = (int64_t)v->via.u64;
		else
			return bad_key(d, f->key);
		return 0;
	case F_F64:
		if (v->type == MSGPACK_OBJECT_FLOAT64 || v->type == MSGPACK_OBJECT_FLOAT32)
			*AT(out, f->off, double *) = v->via.f64;
		else if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
			*AT(out, f->off, double *) = (double)v->via.u64;
		else if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
			*AT(out, f->off, double *) = (double)v->via.i64;
		else
			return bad_key(d, f->key);
		return 0;
	case F_STR:
		if (v->type != MSGPACK_OBJECT_STR || v->via.str.size >= f->size ||
		    memchr(v->via.str.ptr, '\0', v->via.str.size) != NULL)
			return bad_key(d, f->key);
		memcpy(AT(out, f->off, char *), v->via.str.ptr, v->via.str.size);
		AT(out, f->off, char *)[v->via.str.size] = '\0';
		return 0;
	case F_KEY_OR_EMPTY:
		if (v->type == MSGPACK_OBJECT_STR && v->via.str.size == 0) {
			*AT(out, f->has, bool *) = false;
			return 0;
		}
		/* fall through */
	case F_BIN32:
		if (v->type != MSGPACK_OBJECT_BIN || v->via.bin.size != 32)
			return bad_key(d, f->key);
		memcpy(AT(out, f->off, uint8_t *), v->via.bin.ptr, 32);
		return 0;
	case F_BYTES: {
		uint8_t *p;

		if (v->type != MSGPACK_OBJECT_BIN)
			return bad_key(d, f->key);
		p = malloc(v->via.bin.size + 1);
		if (p == NULL)
			return PAKT_ENOMEM;
		memcpy(p, v->via.bin.ptr, v->via.bin.size);
		*AT(out, f->off, uint8_t **) = p;
		*AT(out, f->n_off, size_t *) = v->via.bin.size;
		return 0;
	}
	case F_STRS: {
		const msgpack_object *x = v->via.array.ptr;

		if (v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size > f->cap)
			return bad_key(d, f->key);
		for (size_t i = 0; i < v->via.array.size; i++) {
			char *s = AT(out, f->off + i * f->size, char *);

			if (x[i].type != MSGPACK_OBJECT_STR || x[i].via.str.size >= f->size ||
			    memchr(x[i].via.str.ptr, '\0', x[i].via.str.size) != NULL)
				return bad_key(d, f->key);
			memcpy(s, x[i].via.str.ptr, x[i].via.str.size);
			s[x[i].via.str.size] = '\0';
		}
		*AT(out, f->n_off, size_t *) = v->via.array.size;
		return 0;
	}
	case F_ARRAY: {
		size_t n, size = f->elem->size;
		char *arr;
		int rc;

		if (v->type != MSGPACK_OBJECT_ARRAY)
			return bad_key(d, f->key);
		n = v->via.array.size;
		if (n > (ALLOC_MAX - d->allocated) / size)
			return bad_key(d, f->key);
		d->allocated += n * size;
		arr = calloc(n ? n : 1, size);
		if (arr == NULL)
			return PAKT_ENOMEM;
		*AT(out, f->off, char **) = arr;
		*AT(out, f->n_off, size_t *) = n;
		for (size_t i = 0; i < n; i++) {
			if (v->via.array.ptr[i].type != MSGPACK_OBJECT_MAP)
				return bad_key(d, f->key);
			rc = dec_table(d, f->elem, arr + i * size, &v->via.array.ptr[i]);
			if (rc != 0)
				return rc;
		}
		return 0;
	}
	}
	return bad_key(d, f->key);
}

static int dec_table(struct dec *d, const struct table *t, void *out, const msgpack_object *map)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct field *f = &t->f[i];
		const msgpack_object *v = mpx_get(map, f->key);
		int rc;

		if (v == NULL)
			continue;
		if (f->has >= 0)
			*AT(out, f->has, bool *) = true;
		if ((rc = dec_field(d, f, out, v)) != 0)
			return rc;
	}
	return 0;
}

int ctlop_reply_decode(enum ctlop_reply_kind k, void *r, const uint8_t *msg, size_t len,
		       char *why, size_t whylen)
{
	struct dec d = {.why = why, .whylen = whylen};
	msgpack_unpacked u;
	int rc;

	memset(r, 0, tables[k]->size);
	msgpack_unpacked_init(&u);
	rc = ctlmsg_unpack(&u, msg, len);
	if (rc != 0)
		snprintf(why, whylen, "paktd sent a malformed message");
	else
		rc = dec_table(&d, tables[k], r, &u.data);
	msgpack_unpacked_destroy(&u);
	return rc;
}

int ctlop_reply_error(const uint8_t *msg, size_t len, char *why, size_t whylen)
{
	msgpack_unpacked u;
	uint64_t code;
	int rc = 0;

	msgpack_unpacked_init(&u);
	if (ctlmsg_unpack(&u, msg, len) != 0) {
		snprintf(why, whylen, "paktd sent a malformed message");
		rc = PAKT_EPROTO;
	} else if (mpx_get_u64(&u.data, "code", &code) == 0) {
		if (mpx_get_cstr(&u.data, "error", why, whylen) != 0)
			snprintf(why, whylen, "%s", pakt_strerror((int)code));
		rc = code == 0 || code >= PAKT_E_COUNT ? PAKT_EPROTO : (int)code;
	}
	msgpack_unpacked_destroy(&u);
	return rc;
}

/* ---- encoding ---- */

static void enc_table(const struct table *t, const void *in, msgpack_packer *pk);

static void enc_field(const struct field *f, const void *in, msgpack_packer *pk)
{
	const char *s;

	switch (f->t) {
	case F_BOOL:
		mpx_kv_bool(pk, f->key, *AT(in, f->off, const bool *));
		break;
	case F_U64:
		mpx_kv_u64(pk, f->key, *AT(in, f->off, const uint64_t *));
		break;
	case F_I64:
		mpx_kv_i64(pk, f->key, *AT(in, f->off, const int64_t *));
		break;
	case F_F64:
		mpx_str(pk, f->key);
		msgpack_pack_double(pk, *AT(in, f->off, const double *));
		break;
	case F_STR:
		s = AT(in, f->off, const char *);
		mpx_kv_str(pk, f->key, s);
		break;
	case F_KEY_OR_EMPTY:
		if (!*AT(in, f->has, const bool *)) {
			mpx_kv_str(pk, f->key, "");
			break;
		}
		/* fall through */
	case F_BIN32:
		mpx_kv_bin(pk, f->key, AT(in, f->off, const uint8_t *), 32);
		break;
	case F_BYTES:
		mpx_kv_bin(pk, f->key, *AT(in, f->off, uint8_t *const *),
			   *AT(in, f->n_off, const size_t *));
		break;
	case F_STRS: {
		size_t n = *AT(in, f->n_off, const size_t *);

		mpx_str(pk, f->key);
		msgpack_pack_array(pk, (uint32_t)(n < f->cap ? n : f->cap));
		for (size_t i = 0; i < n && i < f->cap; i++)
			mpx_str(pk, AT(in, f->off + i * f->size, const char *));
		break;
	}
	case F_ARRAY: {
		const char *arr = *AT(in, f->off, char *const *);
		size_t n = *AT(in, f->n_off, const size_t *);

		mpx_str(pk, f->key);
		msgpack_pack_array(pk, (uint32_t)n);
		for (size_t i = 0; i < n; i++)
			enc_table(f->elem, arr + i * f->elem->size, pk);
		break;
	}
	}
}

/* Whether field f is in the map: always, or when its has_ flag says so
 * (F_KEY_OR_EMPTY is always there: "" stands for absent). */
static bool present(const struct field *f, const void *in)
{
	return f->has < 0 || f->t == F_KEY_OR_EMPTY || *AT(in, f->has, const bool *);
}

static void enc_table(const struct table *t, const void *in, msgpack_packer *pk)
{
	uint32_t n = 0;

	for (size_t i = 0; i < t->n; i++)
		n += present(&t->f[i], in);
	msgpack_pack_map(pk, n);
	for (size_t i = 0; i < t->n; i++)
		if (present(&t->f[i], in))
			enc_field(&t->f[i], in, pk);
}

int ctlop_reply_encode(enum ctlop_reply_kind k, const void *r, struct mpx_out *o)
{
	ctlmsg_begin(o);
	enc_table(tables[k], r, &o->pk);
	return ctlmsg_finish(o);
}

/* ---- freeing ---- */

static void free_table(const struct table *t, void *r)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct field *f = &t->f[i];

		if (f->t == F_BYTES) {
			free(*AT(r, f->off, uint8_t **));
		} else if (f->t == F_ARRAY) {
			char *arr = *AT(r, f->off, char **);
			size_t n = *AT(r, f->n_off, size_t *);

			for (size_t k = 0; arr != NULL && k < n; k++)
				free_table(f->elem, arr + k * f->elem->size);
			free(arr);
		}
	}
	sodium_memzero(r, t->size);
}

void ctlop_reply_free(enum ctlop_reply_kind k, void *r)
{
	if (r != NULL)
		free_table(tables[k], r);
}
