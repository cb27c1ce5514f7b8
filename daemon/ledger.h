/* The collective-impact record of one initiative, computed from its stored
 * entries: the agenda, indicator values, commitments with their
 * countersignatures and status history, checkpoints (who held what when),
 * profiles, redactions, and anomalies (entries that claim more than their
 * author may). Everything is derived on demand; nothing here is stored. */
#ifndef PAKT_LEDGER_H
#define PAKT_LEDGER_H

#include <stdbool.h>
#include <stdint.h>
#include "daemon/members.h"
#include "daemon/store.h"
#include "proto/body.h"

struct ledger_update {
	uint8_t author[32];
	uint64_t at;
	char period[BODY_PERIOD_MAX + 1];
	int64_t from, to;               /* days since the epoch */
	struct body_value v[BODY_INDICATORS_MAX];
	size_t n;
};

struct ledger_response {
	uint8_t who[32];
	bool accepted;                  /* else declined */
	uint64_t at, seq;
};

struct ledger_status {
	uint8_t by[32];
	uint64_t at, seq;
	char state[12];
	char note[512];
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
	uint64_t at;
	struct body_head *heads;
	size_t n;
};

struct ledger_anomaly {
	uint8_t author[32], hash[32];
	uint64_t seq;
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

struct ledger {
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
};

/* Scan a network's entries. m: its members (for admin and party rules). */
int ledger_load(struct ledger *l, struct store *s, const uint8_t network[32],
		const struct roster *m);
void ledger_free(struct ledger *l);

const struct ledger_commit *ledger_commit_find(const struct ledger *l, const uint8_t hash[32]);
/* Whether key is (the same member as) a party; may_report: or the author,
 * who may both report progress. */
bool ledger_is_party(const struct roster *m, const struct ledger_commit *c, const uint8_t key[32]);
bool ledger_may_report(const struct roster *m, const struct ledger_commit *c, const uint8_t key[32]);
/* A display name: latest profile name, else member name, else "". */
const char *ledger_name(const struct ledger *l, const struct roster *m, const uint8_t key[32]);

/* What became of a commitment as of today (days since the epoch): "open",
 * "overdue", "kept", "late", "missed" or "withdrawn"; *state gets the latest
 * status ("none" if none). */
const char *ledger_outcome(const struct ledger_commit *c, int64_t today, const char **state);
/* Every party accepted and none declined (its latest response counts). */
bool ledger_countersigned(const struct roster *m, const struct ledger_commit *c);
/* The earliest checkpoint by `by` that covers (author, seq): its time, or 0. */
uint64_t ledger_received(const struct ledger *l, const uint8_t by[32], const uint8_t author[32],
			 uint64_t seq);

#endif
