/* The collective-impact record of one initiative, derived purely from its
 * entries: the agenda, indicator values, commitments with their
 * countersignatures and status history, checkpoints (who held what when)
 * and the witness claims they support, profiles, redactions, and anomalies
 * (entries that claim more than their author may). One copy of the rules,
 * used by paktd (daemon/ledger_load.c feeds it the store), `pakt audit` and
 * the offline bundle checker (core/audit.c), so they cannot disagree.
 *
 * An entry counts only if its author was a member at that entry's seq
 * (core/roster.h: admitted, and not cut by a removal, succession or
 * revocation before it); keys that were never members never count.
 *
 * Usage: ledger_init(l, m) with a finished roster (it must outlive l);
 * ledger_add for every entry of the network, in any order, with or without
 * body; ledger_finish; queries; ledger_free. Pure: no I/O. */
#ifndef PAKT_LEDGER_H
#define PAKT_LEDGER_H

#include <stdbool.h>
#include <stdint.h>
#include "core/roster.h"
#include "proto/body.h"
#include "proto/entry.h"

struct ledger_update {
	uint8_t author[32];
	uint64_t at, seq;
	char period[BODY_PERIOD_MAX + 1];
	int64_t from, to;               /* days since the epoch */
	struct body_value *v;           /* n of them (allocated: a kept ledger holds many updates) */
	size_t n;
	struct body_cell *cell;         /* the values' splits, n_cells (allocated) */
	size_t n_cells;
};

/* Answers and statuses are kept in lifecycle order (PROTOCOL.md,
 * "Lifecycle"): by `order`, then hash. `counts` is false for an entry that
 * breaks the lifecycle (kept in the history, listed as an anomaly). */
struct ledger_response {
	uint8_t who[32];
	bool accepted;                  /* else declined */
	uint64_t at, seq;
	uint8_t hash[32];
	bool change, counts;
	const char *breach;             /* why it breaks the lifecycle (a static string), or NULL;
					 * !counts && !breach: a later change replaced it */
	uint64_t order;                 /* lifecycle time: timestamp, raised past what it saw */
	char reason[512];               /* decline: may be cut short */
};

struct ledger_status {
	uint8_t by[32];
	uint64_t at, seq;
	uint8_t hash[32];
	char state[12];
	char note[512];                 /* may be cut short (the entry has it whole) */
	bool has_evidence;
	uint8_t evidence[32];
	bool reopen, counts;
	const char *breach;             /* why it breaks the lifecycle (static), or NULL */
	uint64_t order;
};

struct ledger_commit {
	uint8_t hash[32], author[32];
	uint64_t seq, at;
	struct body_commitment c;
	int64_t due_day;
	struct ledger_response *resp;
	size_t n_resp;
	struct ledger_status *st;
	size_t n_st;
};

struct ledger_checkpoint {
	uint8_t author[32];
	uint64_t at, seq;
	struct body_head *heads;
	size_t n;
};

struct ledger_anomaly {
	uint8_t author[32], hash[32];
	uint64_t seq;
	bool has_ref;                   /* an answer or status: the commitment it names */
	uint8_t ref[32];
	char what[160];
};

struct ledger_redaction {
	uint8_t author[32], ref[32];
	uint64_t seq, at;
	char reason[256];
};

struct ledger_profile {
	uint8_t author[32];
	uint64_t at;
	char name[BODY_NAME_MAX + 1];
	char sector[9];
};

/* Where an entry sits in its feed (for witness claims). */
struct ledger_place {
	uint8_t author[32];
	uint64_t seq;
	uint8_t hash[32];
};

struct ledger_scan;                     /* private, until ledger_finish */

/* What the node holds, for witness claims (ledger_witnessed). By default
 * the ledger keeps the place of every entry added (memory grows with the
 * entries: the offline checker does so); a node with a store answers from
 * it instead (ledger_use_holdings). */
struct ledger_holdings {
	/* Whether the entry (author, seq, hash) is held here. */
	bool (*held)(void *arg, const uint8_t author[32], uint64_t seq, const uint8_t hash[32]);
	/* The lowest seq at which author's feed is held twice, or UINT64_MAX. */
	uint64_t (*first_fork)(void *arg, const uint8_t author[32]);
	void *arg;                      /* borrowed: must outlive the ledger */
};

struct ledger {
	const struct roster *m;
	bool has_agenda;
	struct body_agenda agenda;
	uint8_t agenda_by[32];
	uint64_t agenda_at;
	size_t n_agendas;
	struct ledger_update *upd;
	size_t n_upd;
	struct ledger_commit *com;
	size_t n_com;
	struct ledger_checkpoint *cp;
	size_t n_cp;
	struct ledger_anomaly *an;
	size_t n_an;
	struct ledger_redaction *red;
	size_t n_red;
	struct ledger_profile *prof;
	size_t n_prof;
	struct ledger_place *pl;        /* sorted by (author, seq, hash) after finish */
	size_t n_pl, cap_pl;
	struct ledger_place *forks;     /* per forked author, its lowest seq held twice */
	size_t n_forks;
	bool has_holdings;              /* then pl and forks stay empty */
	struct ledger_holdings hold;
	struct ledger_scan *sc;
};

void ledger_init(struct ledger *l, const struct roster *m);
/* Answer witness claims from h (copied) rather than from places kept per
 * entry: call right after ledger_init. */
void ledger_use_holdings(struct ledger *l, const struct ledger_holdings *h);
/* One entry (with or without body; copied as needed). It reads e->h's
 * author, seq, timestamp and type, e->hash and, for the types
 * ledger_reads_body names, the body: a loader may pass the other types
 * with only those fields set. 0 or PAKT_ENOMEM. */
int ledger_add(struct ledger *l, const struct entry *e);
/* Whether the ledger reads the body of entries of this type. */
bool ledger_reads_body(const char *type);
/* Attach answers and statuses to their commitments. 0 or PAKT_ENOMEM
 * (then l is freed). */
int ledger_finish(struct ledger *l);
/* As ledger_finish, but the ledger stays open: ledger_add may follow, and
 * ledger_settle again brings the queries up to date at the cost of the
 * answers and statuses, not of every entry. The result is the one
 * ledger_finish gives for the same entries added in the same order.
 * 0 or PAKT_ENOMEM (then l is freed). */
int ledger_settle(struct ledger *l);
void ledger_free(struct ledger *l);

/* Record types (genesis, member, succession, revoke, agenda, commitment,
 * accept, decline, status): what they say changes membership, keys or the
 * record of commitments, so they never count, nor travel, without body. */
bool ledger_record_type(const char *type);
/* Whether an entry by author at seq (stamped ts) counts (its author was a
 * member then: roster_member_at). */
bool ledger_counts(const struct ledger *l, const uint8_t author[32], uint64_t seq, uint64_t ts);

const struct ledger_commit *ledger_commit_find(const struct ledger *l, const uint8_t hash[32]);
/* Whether key is (the same member as) a party; may_report: or the author,
 * who may both report progress. */
bool ledger_is_party(const struct roster *m, const struct ledger_commit *c, const uint8_t key[32]);
bool ledger_may_report(const struct roster *m, const struct ledger_commit *c, const uint8_t key[32]);
/* A display name: latest profile name, else member name, else "". */
const char *ledger_name(const struct ledger *l, const struct roster *m, const uint8_t key[32]);

/* What became of a commitment as of today (days since the epoch): "open",
 * "overdue", "kept", "late", "missed" or "withdrawn", from the latest
 * status that counts (*state gets its state, "none" if none): fulfilled is
 * kept when dated no later than the due day, else late. */
const char *ledger_outcome(const struct ledger_commit *c, int64_t today, const char **state);
/* The latest status that counts, or NULL. */
const struct ledger_status *ledger_latest_status(const struct ledger_commit *c);
/* fulfilled, missed, withdrawn */
bool ledger_final_state(const char *state);
/* Whether an answer (accept, or decline) by key, or a status, written now
 * would keep the lifecycle: 0, or PAKT_EPERM with a one-line reason for
 * people in why[whylen] (how to do it right). */
int ledger_check_answer(const struct roster *m, const struct ledger_commit *c, const uint8_t key[32],
			bool accept, bool change, char *why, size_t whylen);
int ledger_check_status(const struct ledger_commit *c, bool reopen, char *why, size_t whylen);
/* The latest answer that counts of party (by any key of its member), or NULL. */
const struct ledger_response *ledger_answer(const struct roster *m, const struct ledger_commit *c,
					    const uint8_t party[32]);
/* Every party accepted and none declined (its answer that counts). */
bool ledger_countersigned(const struct roster *m, const struct ledger_commit *c);
/* Witness claims: the time of the earliest checkpoint by the key `by` that
 * names exactly the entry (author, seq, hash), or 0. It names it when one
 * of its heads for author is at seq with that hash, or at a later seq
 * with the hash this ledger holds there while the author's feed here has
 * no fork up to that seq (one chain, so it holds the entry). `by` must be
 * a member at the checkpoint's seq and not the author's member (any of its
 * keys across rotations): the author, its pre-rotation key and a key that
 * was never a member confirm nothing. */
uint64_t ledger_witnessed(const struct ledger *l, const uint8_t by[32], const uint8_t author[32],
			  uint64_t seq, const uint8_t hash[32]);
/* The earliest such time over every witness, or 0. */
uint64_t ledger_first_witness(const struct ledger *l, const uint8_t author[32], uint64_t seq,
			      const uint8_t hash[32]);

#endif
