/* The offline checker of audit bundles (`pakt verify FILE`): the rules of
 * proto/PROTOCOL.md, "What the checker verifies", over a file that
 * proto/bundle.h reads. Membership comes from core/roster and the
 * commitment's history from core/ledger, the code every node uses, so a
 * bundle and the node it came from cannot disagree.
 *
 * Pure: no I/O. */
#ifndef PAKT_AUDIT_H
#define PAKT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/roster.h"
#include "proto/body.h"
#include "proto/bundle.h"

#define AUDIT_NOTE_MAX 256
#define AUDIT_NOTES_MAX 1000                  /* more are counted, not kept */

/* A party's answer to the commitment. */
struct audit_answer {
	uint8_t party[32];
	bool accept;                        /* false: decline */
	uint64_t ts;
	uint64_t seq;
	uint8_t hash[32];
	char reason[BODY_REASON_MAX + 1];   /* decline only; may be "" */
	bool change;                        /* marked as a change of answer */
	bool counts;                        /* the lifecycle (core/ledger.h) */
	const char *breach;                 /* ledger_response.breach: static, or NULL */
	uint64_t order;                     /* its lifecycle time */
};

struct audit_status {
	uint8_t by[32];
	uint64_t ts;
	uint64_t seq;
	uint8_t hash[32];
	struct body_status st;              /* st.reopen: the marker */
	bool counts;
	const char *breach;                 /* ledger_status.breach */
	uint64_t order;
};

struct audit_report {
	enum bundle_kind kind;
	uint8_t network[32];
	uint8_t subject[32];
	size_t n_entries, n_bodies, n_feeds;

	/* the initiative: genesis and the roster it and the member entries give */
	char goal[BODY_TEXT_MAX + 1];
	struct roster roster;               /* roster.network_name: its name */

	/* kind commitment */
	bool has_commitment;
	uint8_t commitment_author[32];
	uint64_t commitment_ts, commitment_seq;
	struct body_commitment commitment;
	bool countersigned;                 /* ledger_countersigned */
	struct audit_answer *answers;       /* in lifecycle order (ledger); malloc'd */
	size_t n_answers;
	struct audit_status *statuses;      /* in lifecycle order (ledger); malloc'd */
	size_t n_statuses;

	char outcome[12], state[12];        /* ledger_outcome as of the bundle's newest entry's day */

	/* kind feed: the subject's feed, seq 1..feed_last; bodies for
	 * feed_bodies of them, from feed_first to feed_last_body (0 if none) */
	uint64_t feed_first, feed_last, feed_last_body;
	size_t feed_bodies;

	/* things that do not fail the bundle but an auditor should see: the
	 * ledger's anomalies (answers by non-parties, member entries by
	 * non-admins...), parties never admitted... */
	char (*notes)[AUDIT_NOTE_MAX];      /* malloc'd */
	size_t n_notes, n_notes_total;

	/* on failure: why, and which entry when one is to blame */
	char reason[BUNDLE_REASON_MAX];
	bool has_bad;                       /* bad_author/bad_seq/bad_hash set */
	uint8_t bad_author[32];
	uint64_t bad_seq;
	uint8_t bad_hash[32];
	size_t bad_index;                   /* 1-based position in "entries"; 0: none */
	/* bad_hash is all zero when the blamed entry does not decode */
};

/* Check a whole bundle file (magic included). r is initialised here;
 * audit_report_free(r) afterwards, also on failure. Returns 0 and the
 * report, or a PAKT_E... code with r->reason naming the entry to blame.
 * Entries' bodies are not kept past the call: only copies. */
int audit_bundle(const uint8_t *buf, size_t len, struct audit_report *r);
void audit_report_free(struct audit_report *r);

#endif
