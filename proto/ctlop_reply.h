/* Control replies: one struct per reply, with the encoder paktd answers
 * with and the decoder pakt reads it with (PROTOCOL.md, "Control
 * protocol"). Every reply is a map with "ok"; an error reply is
 * {"code", "error"} instead (ctlop_reply_error). Both directions are
 * driven by one table per reply (proto/ctlop_reply.c), so the two sides
 * cannot disagree on a key or a type. */
#ifndef PAKT_CTLOP_REPLY_H
#define PAKT_CTLOP_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto/body.h"
#include "proto/mpx.h"
#include "proto/wire.h"

enum ctlop_reply_kind {
	CTLOP_R_OK,           /* struct ctlop_r_ok: join, member.remove, peers, subscriptions, revoke */
	CTLOP_R_ENTRY,        /* struct ctlop_r_entry: post, update, commit, answers, redact, ... */
	CTLOP_R_STATUS,       /* struct ctlop_r_status */
	CTLOP_R_CREATED,      /* struct ctlop_r_created: initiative.create */
	CTLOP_R_VERIFY,       /* struct ctlop_r_verify */
	CTLOP_R_INVITE,       /* struct ctlop_r_invite */
	CTLOP_R_MEMBERS,      /* struct ctlop_r_members */
	CTLOP_R_PEERS,        /* struct ctlop_r_peers: peer.list */
	CTLOP_R_ROTATED,      /* struct ctlop_r_rotated: key.rotate */
	CTLOP_R_AGENDA,       /* struct ctlop_r_agenda */
	CTLOP_R_METRICS,      /* struct ctlop_r_metrics */
	CTLOP_R_COMMITMENTS,  /* struct ctlop_r_commitments */
	CTLOP_R_AUDIT,        /* struct ctlop_r_audit */
	CTLOP_R_EXPORT,       /* struct ctlop_r_export */
	CTLOP_R_LOG_ROW,      /* struct ctlop_r_log_row: one streamed entry of log */
	CTLOP_R_LOG_END,      /* struct ctlop_r_log_end: the end of a log without follow */
	CTLOP_R_BACKUP,       /* struct ctlop_r_backup */
	CTLOP_R_PROGRESS,     /* struct ctlop_r_progress: how far a long request (audit) is */
	CTLOP_R_COUNT
};

struct ctlop_r_ok {
	bool ok;
};

struct ctlop_r_entry {
	uint8_t hash[32];
	bool has_network;             /* post says which initiative it chose */
	uint8_t network[32];
	bool ok;
	bool has_recipients;          /* post: a sealed entry, to this many (us included) */
	uint64_t recipients;
	uint64_t seq;
};

struct ctlop_r_status {
	char datadir[4096];
	uint64_t entries, feeds;
	uint8_t id[32];
	char name[BODY_NAME_MAX + 1];
	bool has_network;             /* the default initiative, if there is one */
	uint8_t network[32];
	uint64_t networks;
	bool ok;
	uint64_t pid, uptime_ms;
	bool has_own_fork;            /* our own feed forked: the lowest seq */
	uint64_t own_fork;
	bool has_unsynced;            /* it signs nothing now, and why */
	char unsynced[512];
	bool has_removal;             /* "removed from X by Y on DATE" (each initiative, "; ") */
	char removal[1024];
	char version[32];
};

struct ctlop_r_created {
	uint8_t network[32];
	bool ok;
};

struct ctlop_r_bad {                  /* one entry that failed verification */
	uint8_t author[32];
	uint64_t code;                /* PAKT_E... */
	uint8_t network[32];
	char reason[160];
	uint64_t seq;
};

struct ctlop_r_verify {
	struct ctlop_r_bad *bad;      /* at most 1000 listed; n_bad counts all */
	size_t n_listed;
	uint64_t bodies, checked, feeds, n_bad;
	bool ok;
};

struct ctlop_r_invite {
	char code[INVITE_TEXT_MAX];   /* a secret: wiped by ctlop_reply_free */
	bool ok;
};

struct ctlop_r_member {
	uint8_t added_by[32];
	uint8_t key[32];
	char name[BODY_NAME_MAX + 1];
	bool removed;
	char role[8];                 /* admin, member */
	uint64_t since;               /* ms */
};

struct ctlop_r_members {
	struct ctlop_r_member *members;
	size_t n_members;
	char name[BODY_NAME_MAX + 1]; /* the initiative's */
	uint8_t network[32];
	bool ok;
	bool has_removal;             /* this node was removed: "removed from X by Y on DATE" */
	char removal[512];
};

struct ctlop_r_peer {
	char address[256];
	uint64_t behind, bytes_in, bytes_out;
	bool connected;
	uint64_t entries_in, entries_out;
	bool inbound;
	bool has_key;                 /* on the wire: the key, or "" if unknown */
	uint8_t key[32];
	uint64_t last_seen;           /* ms, 0 = never */
};

struct ctlop_r_peers {
	char listen[256];
	bool ok;
	struct ctlop_r_peer *peers;
	size_t n_peers;
};

struct ctlop_r_rotated {
	uint64_t initiatives;         /* told of the new key */
	uint8_t key[32];
	bool ok;
	uint8_t old[32];
	bool has_warning;             /* rotated, but not everywhere */
	char warning[256];
};

struct ctlop_r_point {                /* a baseline or milestone */
	char period[BODY_PERIOD_MAX + 1];
	double value;
};

struct ctlop_r_indicator {            /* an agenda indicator (PROTOCOL.md, "agenda") */
	bool has_about;
	char about[12];               /* population, how-much, how-well, better-off */
	bool has_baseline;            /* baseline and baseline_period */
	double baseline;
	char baseline_period[BODY_PERIOD_MAX + 1];
	char categories[BODY_CATEGORIES_MAX][BODY_CATEGORY_MAX + 1];
	size_t n_categories;
	bool has_dimension;
	char dimension[BODY_ID_MAX + 1];
	char direction[8];            /* up, down */
	char id[BODY_ID_MAX + 1];
	bool has_kind;                /* absent: count (as in the body) */
	char kind[8];                 /* level, ratio */
	bool has_milestones;          /* absent: none */
	struct ctlop_r_point *milestones;
	size_t n_milestones;
	char name[BODY_NAME_MAX + 1];
	bool has_target;
	double target;
	char unit[BODY_UNIT_MAX + 1];
};

struct ctlop_r_agenda {
	char goal[BODY_TEXT_MAX + 1];
	uint64_t history;             /* agenda entries so far */
	struct ctlop_r_indicator *indicators;
	size_t n_indicators;
	bool ok;
	uint64_t set_at;
	uint8_t set_by[32];
	uint64_t suppress;            /* small-cell threshold of the public report */
};

struct ctlop_r_cell {                 /* one category of a split */
	char category[BODY_CATEGORY_MAX + 1];
	double value;
};

struct ctlop_r_row {                  /* one reported value */
	uint64_t at;
	uint8_t author[32];
	bool has_den;                 /* a ratio's denominator */
	double den;
	int64_t from;                 /* the period, in days since 1970 */
	char indicator[BODY_ID_MAX + 1];
	char name[BODY_NAME_MAX + 1];
	char period[BODY_PERIOD_MAX + 1];
	uint64_t seq;                 /* the update's place in its author's feed */
	struct ctlop_r_cell *split;
	size_t n_split;
	int64_t to;
	double value;
};

struct ctlop_r_metrics {
	struct ctlop_r_indicator *indicators;
	size_t n_indicators;
	char initiative[BODY_NAME_MAX + 1];   /* its name (genesis) */
	bool ok;
	struct ctlop_r_row *rows;
	size_t n_rows;
	uint64_t suppress;
};

struct ctlop_r_party {
	uint64_t at;
	uint8_t key[32];
	char name[BODY_NAME_MAX + 1];
	char reason[512];             /* of its decline that counts; may be cut short */
	char response[12];            /* accepted, declined, none */
};

struct ctlop_r_answer {               /* every answer, in lifecycle order */
	uint64_t at;
	char breach[96];              /* why it breaks the lifecycle, "" if it does not */
	uint8_t by[32];
	char by_name[BODY_NAME_MAX + 1];
	bool change;                  /* marked as a change of answer */
	bool counts;                  /* false: replaced by a change, or it broke the lifecycle */
	uint8_t hash[32];
	char reason[512];
	char response[12];            /* accepted, declined */
};

struct ctlop_r_receipt {              /* audit: a partner's checkpoint covered it */
	uint64_t at;
	uint8_t key[32];
	char name[BODY_NAME_MAX + 1];
};

struct ctlop_r_status_line {
	uint64_t at;
	char breach[96];              /* why it breaks the lifecycle, "" if it does not */
	uint8_t by[32];
	char by_name[BODY_NAME_MAX + 1];
	bool counts;                  /* false: it broke the lifecycle (an anomaly) */
	uint8_t hash[32];
	char note[512];
	bool reopen;
	char state[12];
};

struct ctlop_r_commit {
	struct ctlop_r_answer *answers;
	size_t n_answers;
	uint64_t at;
	uint8_t author[32];
	char author_name[BODY_NAME_MAX + 1];
	bool countersigned;
	char description[BODY_TEXT_MAX + 1];
	char due[11];
	uint8_t hash[32];
	char indicator[BODY_ID_MAX + 1];
	bool has_on_time;             /* audit only */
	bool on_time_confirmed;
	char outcome[12];
	struct ctlop_r_party *parties;
	size_t n_parties;
	bool has_received_by;         /* audit only */
	struct ctlop_r_receipt *received_by;
	size_t n_received_by;
	uint64_t seq;
	char state[16];
	struct ctlop_r_status_line *statuses;
	size_t n_statuses;
	bool has_target;
	double target;
	char title[BODY_TITLE_MAX + 1];
};

struct ctlop_r_commitments {
	struct ctlop_r_commit *commitments;
	size_t n_commitments;
	bool ok;
};

struct ctlop_r_anomaly {
	uint8_t author[32];
	uint8_t hash[32];
	char name[BODY_NAME_MAX + 1];
	bool has_ref;                 /* an answer or status: the commitment it names */
	uint8_t ref[32];
	uint64_t seq;
	char what[160];
};

struct ctlop_r_audit_bad {
	uint8_t author[32];
	char reason[160];
	uint64_t seq;
};

/* A bad-signature proof kept here: a (the entry at seq whose signature
 * fails) under b, its validly signed successor. */
struct ctlop_r_badsig {
	uint8_t a[32];
	uint8_t author[32];
	uint8_t b[32];
	char name[BODY_NAME_MAX + 1];
	uint64_t seq;
};

struct ctlop_r_fork {
	uint8_t a[32];
	uint8_t author[32];
	uint8_t b[32];
	uint64_t seq;
	bool has_seen_in;             /* "partners' checkpoints" if not stored here */
	char seen_in[32];
};

struct ctlop_r_org {
	uint64_t accepted, declined;
	uint8_t key[32];
	uint64_t kept, late, made, missed;
	char name[BODY_NAME_MAX + 1];
	uint64_t open;
};

struct ctlop_r_redaction {
	uint64_t at;
	uint8_t author[32];
	char reason[256];
	uint8_t ref[32];
	uint64_t seq;
};

struct ctlop_r_audit {
	struct ctlop_r_anomaly *anomalies;
	size_t n_anomalies;
	struct ctlop_r_audit_bad *bad;
	size_t n_bad;
	struct ctlop_r_badsig *badsigs;
	size_t n_badsigs;
	uint64_t checked;
	struct ctlop_r_commit *commitments;
	size_t n_commitments;
	struct ctlop_r_fork *forks;
	size_t n_forks;
	bool ok;                      /* no bad entry, no fork, no bad-signature proof */
	struct ctlop_r_org *orgs;
	size_t n_orgs;
	struct ctlop_r_redaction *redactions;
	size_t n_redactions;
};

struct ctlop_r_export {
	uint8_t *bundle;              /* the bundle file's bytes */
	size_t bundle_len;
	bool ok;
};

struct ctlop_r_log_row {
	uint8_t *entry;               /* the entry in its wire form */
	size_t entry_len;
	bool has_name;                /* the author's member name */
	char name[BODY_NAME_MAX + 1];
	bool has_plain;               /* a sealed entry we could open */
	char plain[BODY_TEXT_MAX + 1];
	int64_t received;             /* ms */
	int64_t rowid;
};

/* backup: where paktd put a consistent copy of its store, for pakt backup
 * (run as paktd's user or root) to pack up and remove. */
struct ctlop_r_backup {
	bool ok;
	char path[4096];
};

struct ctlop_r_log_end {
	uint64_t count;
	bool ok;
};

/* Sent before the reply of an audit asked with "progress": entries checked
 * so far of total. A reply decoded as this kind has progress false. */
struct ctlop_r_progress {
	uint64_t done;
	bool ok;
	bool progress;                /* always true */
	uint64_t total;
};

/* If msg[0..len) is an error reply {"code", "error"}: its code (1 ..
 * PAKT_E_COUNT-1; PAKT_EPROTO for another number) with the message, or
 * pakt_strerror's, in why. 0 if it is not an error reply. */
int ctlop_reply_error(const uint8_t *msg, size_t len, char *why, size_t whylen);

/* Decode msg[0..len) (one frame's body) as a reply of kind k into *r,
 * which must be the struct k names (see the enum). Unknown keys are
 * ignored; a missing key leaves its field zero (and its has_ flag false);
 * a key of the wrong type or too long is PAKT_EPROTO with the key in why.
 * Arrays are allocated: release *r with ctlop_reply_free, on failure too. */
int ctlop_reply_decode(enum ctlop_reply_kind k, void *r, const uint8_t *msg, size_t len,
		       char *why, size_t whylen);

/* Encode *r (the struct kind k names) as a complete frame into o (reset
 * first), keys in their wire order (bytewise, but for two keys of the
 * audit). r stays the caller's. PAKT_ETOOBIG if over CTL_FRAME_MAX. */
int ctlop_reply_encode(enum ctlop_reply_kind k, const void *r, struct mpx_out *o);

/* Free the arrays and bytes of *r (whoever malloc'ed them: the decoder, or
 * paktd building a reply) and wipe it. NULL is fine. */
void ctlop_reply_free(enum ctlop_reply_kind k, void *r);

/* The JSON form of a reply (what 'pakt CMD --json' prints), appended to
 * out: the map as it is, without "ok" unless keep_ok, or only the value
 * under key only ("[]" if absent) when only is not NULL; 32-byte bins as
 * text ids when ids (entry ids for hash, ref, a, b, evidence, reply_to;
 * nw_ for network; pk_ otherwise), else as hex like every other bin.
 * 0 or PAKT_EPROTO. */
int ctlop_reply_json(msgpack_sbuffer *out, const uint8_t *msg, size_t len, bool ids, bool keep_ok,
		     const char *only);

/* A JSON string literal of s[0..len) appended to out (", \\ and control
 * characters escaped; other bytes as they are). */
void ctlop_json_str(msgpack_sbuffer *out, const char *s, size_t len);
/* Any one msgpack value, msg[0..len), as JSON (an entry body in 'pakt
 * log --json'): a 32-byte bin as the text id its key names (en_ for
 * "ref", "reply_to", "evidence", "hash"; pk_ otherwise), other bins as
 * hex. 0 or PAKT_EPROTO. */
int ctlop_json_value(msgpack_sbuffer *out, const uint8_t *msg, size_t len);
/* The string under key in the map msg[0..len), borrowed from msg: 0,
 * PAKT_ENOTFOUND, or PAKT_EPROTO if msg is not a map. */
int ctlop_map_str(const uint8_t *msg, size_t len, const char *key, const char **s, size_t *n);

#endif
