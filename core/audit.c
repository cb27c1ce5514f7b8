/* The offline bundle checker (see audit.h; rules: proto/PROTOCOL.md,
 * "What the checker verifies"). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/audit.h"
#include "core/ledger.h"
#include "proto/canon.h"
#include "proto/err.h"
#include "proto/id.h"

static bool type_is(const struct entry *e, const char *t)
{
	return strcmp(e->h.type, t) == 0;
}

static bool is_answer_or_status(const struct entry *e)
{
	return type_is(e, "accept") || type_is(e, "decline") || type_is(e, "status");
}

static void ename(const struct entry *e, char out[48])
{
	char a[16];

	id_short(ID_KEY, e->h.author, a);
	snprintf(out, 48, "%s #%" PRIu64, a, e->h.seq);
}

static void add_note(struct audit_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_note(struct audit_report *r, const char *fmt, ...)
{
	va_list ap;

	r->n_notes_total++;
	if (r->n_notes >= AUDIT_NOTES_MAX)
		return;
	if (r->notes == NULL &&
	    (r->notes = malloc(AUDIT_NOTES_MAX * sizeof *r->notes)) == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(r->notes[r->n_notes++], AUDIT_NOTE_MAX, fmt, ap);
	va_end(ap);
}

static int fail(struct audit_report *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct audit_report *r, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof r->reason, fmt, ap);
	va_end(ap);
	return code;
}

/* Blame an entry: remember which, then the reason. */
static void blame(struct audit_report *r, const struct entry *e, size_t index)
{
	r->has_bad = true;
	memcpy(r->bad_author, e->h.author, 32);
	r->bad_seq = e->h.seq;
	memcpy(r->bad_hash, e->hash, 32);
	r->bad_index = index;
}

/* Name an entry that failed entry_decode as well as we can: by its header
 * if that decodes, else by its position. */
static int fail_decode(struct audit_report *r, const uint8_t *wire, size_t len,
		       size_t index, size_t total, int rc)
{
	struct canon_rd rd;
	struct entry_header h;
	const uint8_t *hb;
	uint32_t n, hlen;

	canon_rd_init(&rd, wire, len);
	if (canon_rd_array(&rd, &n) == 0 && n >= 1 && canon_rd_bin(&rd, &hb, &hlen) == 0 &&
	    entry_header_decode(&h, hb, hlen) == 0) {
		char a[16];

		id_short(ID_KEY, h.author, a);
		r->has_bad = true;
		memcpy(r->bad_author, h.author, 32);
		r->bad_seq = h.seq;
		r->bad_index = index;
		return fail(r, rc, "entry %s #%" PRIu64 " (bundle entry %zu of %zu) is damaged: %s",
			    a, h.seq, index, total, pakt_strerror(rc));
	}
	r->bad_index = index;
	return fail(r, rc, "bundle entry %zu of %zu is damaged: %s", index, total,
		    pakt_strerror(rc));
}

/* The genesis's goal, for the report. */
static void genesis_goal(const struct entry *g, char out[BODY_TEXT_MAX + 1])
{
	struct canon_rd rd;
	uint32_t n, klen, slen;
	const char *k, *s;

	out[0] = '\0';
	canon_rd_init(&rd, g->body, g->body_len);
	if (canon_rd_map(&rd, &n) != 0)
		return;
	for (uint32_t i = 0; i < n; i++) {
		if (canon_rd_str(&rd, &k, &klen) != 0)
			return;
		if (klen == 4 && memcmp(k, "goal", 4) == 0) {
			if (canon_rd_str(&rd, &s, &slen) == 0 && slen <= BODY_TEXT_MAX) {
				memcpy(out, s, slen);
				out[slen] = '\0';
			}
			return;
		}
		if (canon_rd_skip(&rd) != 0)
			return;
	}
}

static int find_hash(const struct entry *ents, size_t n, const uint8_t hash[32])
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(ents[i].hash, hash, 32) == 0)
			return (int)i;
	return -1;
}

/* Steps 1 to 3: each entry alone, the genesis, the chains. */
static int check_entries(struct bundle_file *m, struct entry *ents, struct audit_report *r)
{
	const size_t n = m->n;
	const struct entry *g;
	char nm[48], a[16], w[ID_TEXT_MAX], why[200];
	int rc, gi;

	/* 1. each entry alone: encoding, signature, network, body schema, and
	 * the file's order (author, then seq: no duplicates, no forks) */
	for (size_t i = 0; i < n; i++) {
		struct entry *e = &ents[i];
		const uint8_t *wire;
		size_t wlen;

		bundle_next(m, &wire, &wlen);
		if ((rc = entry_decode(e, wire, wlen)) != 0)
			return fail_decode(r, wire, wlen, i + 1, n, rc);
		ename(e, nm);
		if (entry_verify(e) != 0) {
			blame(r, e, i + 1);
			return fail(r, PAKT_ESIG, "entry %s: bad signature", nm);
		}
		if (memcmp(entry_network(e), m->network, 32) != 0) {
			char nw[16];

			id_short(ID_NETWORK, entry_network(e), nw);
			blame(r, e, i + 1);
			return fail(r, PAKT_ENETWORK, "entry %s belongs to another network (%s)", nm, nw);
		}
		if (e->body != NULL) {
			r->n_bodies++;
			if (body_validate(e->h.type, e->body, e->body_len, why, sizeof why) != 0) {
				blame(r, e, i + 1);
				return fail(r, PAKT_EBODY, "entry %s (%s): bad body: %s", nm, e->h.type, why);
			}
		}
		if (i > 0) {
			const struct entry *p = &ents[i - 1];
			int c = memcmp(p->h.author, e->h.author, 32);

			if (c == 0 && p->h.seq == e->h.seq) {
				blame(r, e, i + 1);
				if (memcmp(p->hash, e->hash, 32) == 0)
					return fail(r, PAKT_EFORMAT, "entry %s appears twice", nm);
				id_short(ID_KEY, e->h.author, a);
				return fail(r, PAKT_EFORK,
					    "%s: two different entries at seq %" PRIu64 " (a fork)",
					    a, e->h.seq);
			}
			if (c > 0 || (c == 0 && p->h.seq > e->h.seq)) {
				blame(r, e, i + 1);
				return fail(r, PAKT_EFORMAT,
					    "entry %s is out of order (entries are sorted by author, then seq)",
					    nm);
			}
		}
	}

	/* 2. the genesis: the entry whose hash is the network id */
	id_encode(ID_NETWORK, m->network, w);
	if ((gi = find_hash(ents, n, m->network)) < 0)
		return fail(r, PAKT_ENOTFOUND, "no genesis entry for the network %s", w);
	g = &ents[gi];
	if (g->body == NULL) {
		ename(g, nm);
		blame(r, g, (size_t)gi + 1);
		return fail(r, PAKT_EBODY, "entry %s (genesis) has no body: the initiative's admins are not shown",
			    nm);
	}

	/* 3. every feed is a chain from seq 1 without gaps */
	for (size_t i = 0; i < n; i++) {
		const struct entry *e = &ents[i];
		bool first = i == 0 || memcmp(ents[i - 1].h.author, e->h.author, 32) != 0;
		uint64_t want = first ? 1 : ents[i - 1].h.seq + 1;

		if (first)
			r->n_feeds++;
		if (e->h.seq != want) {
			id_short(ID_KEY, e->h.author, a);
			blame(r, e, i + 1);
			return fail(r, PAKT_ECHAIN, "%s: seq %" PRIu64 " is missing (chain gap before #%" PRIu64 ")",
				    a, want, e->h.seq);
		}
		if (!first && (rc = entry_check_link(&ents[i - 1], e)) != 0) {
			ename(e, nm);
			blame(r, e, i + 1);
			return fail(r, rc, "entry %s does not link to #%" PRIu64 " (its prev is not that entry's hash)",
				    nm, ents[i - 1].h.seq);
		}
	}
	return 0;
}

/* Rule 8: the record entries the checker relies on come with their body
 * (membership always; for a commitment, the commitment, every answer and
 * status, any of which may name it, and every checkpoint, which orders
 * them: PROTOCOL.md, "Lifecycle"). */
static int check_bodies(const struct bundle_file *m, const struct entry *ents,
			struct audit_report *r)
{
	char nm[48];

	for (size_t i = 0; i < m->n; i++) {
		const struct entry *e = &ents[i];

		bool cp = m->kind == BUNDLE_COMMITMENT && type_is(e, "checkpoint");

		if (e->body != NULL || (!ledger_record_type(e->h.type) && !cp))
			continue;
		if (!roster_type(e->h.type) && !cp &&
		    (m->kind != BUNDLE_COMMITMENT ||
		     (!is_answer_or_status(e) && memcmp(e->hash, m->subject, 32) != 0)))
			continue;
		ename(e, nm);
		blame(r, e, i + 1);
		return fail(r, PAKT_EBODY, "entry %s (%s) has no body: the bundle relies on what it says",
			    nm, e->h.type);
	}
	return 0;
}

/* Membership: the genesis admins, then the acts (core/roster). */
static int check_roster(const struct bundle_file *m, const struct entry *ents, int gi,
			struct audit_report *r)
{
	const struct entry *g = &ents[gi];
	char nm[48];
	int rc;

	if ((rc = roster_genesis(&r->roster, g)) != 0) {
		ename(g, nm);
		blame(r, g, (size_t)gi + 1);
		return fail(r, rc, "entry %s (genesis): its admins cannot be read", nm);
	}
	genesis_goal(g, r->goal);
	for (size_t i = 0; i < m->n; i++)
		if (roster_type(ents[i].h.type) && !type_is(&ents[i], "genesis") &&
		    (rc = roster_add(&r->roster, &ents[i])) != 0)
			return fail(r, rc, "out of memory");
	if ((rc = roster_finish(&r->roster)) != 0)
		return fail(r, rc, "out of memory");
	if (r->roster.ignored > 0)
		add_note(r, "%zu membership entr%s broke a rule (not by an admin, by a key removed "
			 "before it, or a succession not allowed) and had no effect", r->roster.ignored,
			 r->roster.ignored == 1 ? "y" : "ies");
	return 0;
}

/* The bundle relies on its subject commitment: its author was a member at
 * its seq. Any other commitment, answer or status whose author was not (a
 * removed or revoked key writing on, a stranger) counts for nothing, as
 * in the ledger, which lists it among the anomalies (noted below): it
 * cannot make an honest bundle fail, or a removed member could spoil the
 * export of every commitment by answering it. */
static int check_subject_signer(const struct bundle_file *m, const struct entry *ents,
			 const struct ledger *l, struct audit_report *r)
{
	char nm[48], a[16];

	for (size_t i = 0; i < m->n; i++) {
		const struct entry *e = &ents[i];
		const struct roster_revocation *rv;

		if (m->kind != BUNDLE_COMMITMENT || memcmp(e->hash, m->subject, 32) != 0 ||
		    !type_is(e, "commitment"))
			continue;
		ename(e, nm);
		id_short(ID_KEY, e->h.author, a);
		if ((rv = roster_untrusted(&r->roster, e->h.author, e->h.seq)) != NULL) {
			blame(r, e, i + 1);
			return fail(r, PAKT_ENOTMEMBER,
				    "entry %s (%s): %s was revoked after its seq %llu: this entry is untrusted",
				    nm, e->h.type, a, (unsigned long long)rv->after);
		}
		if (!ledger_counts(l, e->h.author, e->h.seq, e->h.timestamp)) {
			blame(r, e, i + 1);
			return fail(r, PAKT_ENOTMEMBER, "entry %s (%s): %s was not a member at its seq %" PRIu64
				    " (never admitted, or removed before it)", nm, e->h.type, a, e->h.seq);
		}
	}
	return 0;
}

/* The commitment's answers and statuses as the ledger attached and ordered
 * them (its party rule: any key of a party's member; its lifecycle, which
 * says what counts), with their bodies read whole. */
static int collect_history(struct audit_report *r, const struct ledger_commit *c,
			   const struct entry *ents, size_t n)
{
	if (c->n_resp > 0 && (r->answers = calloc(c->n_resp, sizeof *r->answers)) == NULL)
		return PAKT_ENOMEM;
	for (size_t i = 0; i < c->n_resp; i++) {
		struct audit_answer *an = &r->answers[r->n_answers++];
		int k = find_hash(ents, n, c->resp[i].hash);
		struct body_ref ref;

		memcpy(an->party, c->resp[i].who, 32);
		an->accept = c->resp[i].accepted;
		an->ts = c->resp[i].at;
		an->seq = c->resp[i].seq;
		an->change = c->resp[i].change;
		an->counts = c->resp[i].counts;
		an->breach = c->resp[i].breach;
		an->order = c->resp[i].order;
		memcpy(an->hash, c->resp[i].hash, 32);
		if (k >= 0 && body_ref_parse(ents[k].h.type, ents[k].body, ents[k].body_len, &ref) == 0)
			memcpy(an->reason, ref.text, sizeof an->reason);
	}
	if (c->n_st > 0 && (r->statuses = calloc(c->n_st, sizeof *r->statuses)) == NULL)
		return PAKT_ENOMEM;
	for (size_t i = 0; i < c->n_st; i++) {
		struct audit_status *st = &r->statuses[r->n_statuses++];
		int k = find_hash(ents, n, c->st[i].hash);

		memcpy(st->by, c->st[i].by, 32);
		st->ts = c->st[i].at;
		st->seq = c->st[i].seq;
		st->counts = c->st[i].counts;
		st->breach = c->st[i].breach;
		st->order = c->st[i].order;
		memcpy(st->hash, c->st[i].hash, 32);
		if (k >= 0)
			body_status_parse(ents[k].body, ents[k].body_len, &st->st);
	}
	return 0;
}

/* The ledger's anomalies, as notes: for a commitment, those about it and
 * those about no commitment in particular. */
static void anomaly_notes(const struct bundle_file *m, const struct ledger *l,
			  struct audit_report *r)
{
	char a[16];

	for (size_t i = 0; i < l->n_an; i++) {
		const struct ledger_anomaly *x = &l->an[i];

		if (m->kind == BUNDLE_COMMITMENT && x->has_ref && memcmp(x->ref, m->subject, 32) != 0)
			continue;
		id_short(ID_KEY, x->author, a);
		add_note(r, "entry %s #%" PRIu64 ": %s", a, x->seq, x->what);
	}
}

/* The day of the bundle's newest entry (the checker has no clock: an
 * open commitment is overdue only if the bundle itself is past its due). */
static int64_t newest_day(const struct entry *ents, size_t n)
{
	uint64_t t = 0;

	for (size_t i = 0; i < n; i++)
		if (ents[i].h.timestamp > t)
			t = ents[i].h.timestamp;
	return (int64_t)(t / 86400000u);
}

static int check_commitment(const struct bundle_file *m, const struct entry *ents,
			    const struct ledger *l, struct audit_report *r)
{
	const struct ledger_commit *lc;
	const struct entry *c;
	char nm[48], a[16], w[ID_TEXT_MAX];
	int si;

	if ((si = find_hash(ents, m->n, m->subject)) < 0) {
		id_encode(ID_ENTRY, m->subject, w);
		return fail(r, PAKT_ENOTFOUND, "the commitment %s is not in the bundle", w);
	}
	c = &ents[si];
	ename(c, nm);
	if (!type_is(c, "commitment")) {
		blame(r, c, (size_t)si + 1);
		return fail(r, PAKT_EFORMAT, "entry %s, the bundle's subject, is a %s, not a commitment",
			    nm, c->h.type);
	}
	if (body_commitment_parse(c->body, c->body_len, &r->commitment) != 0 ||
	    (lc = ledger_commit_find(l, m->subject)) == NULL) {
		blame(r, c, (size_t)si + 1);
		return fail(r, PAKT_EBODY, "entry %s, the commitment, has a bad body", nm);
	}
	r->has_commitment = true;
	memcpy(r->commitment_author, c->h.author, 32);
	r->commitment_ts = c->h.timestamp;
	r->commitment_seq = c->h.seq;
	r->countersigned = ledger_countersigned(&r->roster, lc);
	{
		const char *state, *out = ledger_outcome(lc, newest_day(ents, m->n), &state);

		snprintf(r->outcome, sizeof r->outcome, "%s", out);
		snprintf(r->state, sizeof r->state, "%s", state);
	}
	for (size_t k = 0; k < r->commitment.n_parties; k++) {
		const struct roster_member *p = roster_lookup(&r->roster, r->commitment.parties[k]);

		if (p == NULL || !p->admitted) {
			id_short(ID_KEY, r->commitment.parties[k], a);
			add_note(r, "party %s was never admitted to the initiative", a);
		}
	}
	if (collect_history(r, lc, ents, m->n) != 0)
		return fail(r, PAKT_ENOMEM, "out of memory");
	return 0;
}

static int check_feed(const struct bundle_file *m, const struct entry *ents,
		      struct audit_report *r)
{
	const struct roster_member *x;
	char w[ID_TEXT_MAX];
	bool found = false;

	for (size_t i = 0; i < m->n; i++) {
		const struct entry *e = &ents[i];

		if (memcmp(e->h.author, m->subject, 32) != 0)
			continue;
		found = true;
		r->feed_last = e->h.seq;
		if (e->body != NULL) {
			if (r->feed_bodies++ == 0)
				r->feed_first = e->h.seq;
			r->feed_last_body = e->h.seq;
		}
	}
	id_encode(ID_KEY, m->subject, w);
	if (!found)
		return fail(r, PAKT_ENOTFOUND, "the bundle has no entries of %s", w);
	if ((x = roster_lookup(&r->roster, m->subject)) == NULL || !x->admitted)
		add_note(r, "%s was never admitted to the initiative", w);
	return 0;
}

static int check(struct bundle_file *m, struct entry *ents, struct audit_report *r)
{
	struct ledger l;
	int rc, gi;

	if ((rc = check_entries(m, ents, r)) != 0 || (rc = check_bodies(m, ents, r)) != 0)
		return rc;
	gi = find_hash(ents, m->n, m->network);
	if ((rc = check_roster(m, ents, gi, r)) != 0)
		return rc;
	ledger_init(&l, &r->roster);
	for (size_t i = 0; i < m->n && rc == 0; i++)
		rc = ledger_add(&l, &ents[i]);
	if (rc != 0 || (rc = ledger_finish(&l)) != 0) {
		ledger_free(&l);
		return fail(r, rc, "out of memory");
	}
	if ((rc = check_subject_signer(m, ents, &l, r)) == 0) {
		anomaly_notes(m, &l, r);
		rc = m->kind == BUNDLE_COMMITMENT ? check_commitment(m, ents, &l, r)
						  : check_feed(m, ents, r);
	}
	ledger_free(&l);
	return rc;
}

int audit_bundle(const uint8_t *buf, size_t len, struct audit_report *r)
{
	struct bundle_file m;
	struct entry *ents;
	int rc;

	memset(r, 0, sizeof *r);
	roster_init(&r->roster);
	if ((rc = bundle_open(buf, len, &m, r->reason)) != 0) {
		r->n_entries = m.n;
		return rc;
	}
	r->kind = m.kind;
	memcpy(r->network, m.network, 32);
	memcpy(r->subject, m.subject, 32);
	r->n_entries = m.n;
	if ((ents = calloc(m.n, sizeof *ents)) == NULL)
		return fail(r, PAKT_ENOMEM, "out of memory for %" PRIu32 " entries", m.n);
	rc = check(&m, ents, r);
	free(ents);
	return rc;
}

void audit_report_free(struct audit_report *r)
{
	roster_free(&r->roster);
	free(r->answers);
	free(r->statuses);
	free(r->notes);
	r->answers = NULL;
	r->statuses = NULL;
	r->notes = NULL;
	r->n_answers = r->n_statuses = r->n_notes = 0;
}
