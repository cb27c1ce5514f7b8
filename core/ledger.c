/* Collective-impact record derived from entries (see ledger.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/ledger.h"
#include "core/ledger_priv.h"
#include "proto/err.h"
#include "proto/date.h"
#include "proto/id.h"

#define GROW(arr, n, cap)                                                      \
	do {                                                                   \
		if ((n) == (cap)) {                                            \
			size_t c_ = (cap) ? (cap) * 2 : 8;                     \
			void *p_ = realloc((arr), c_ * sizeof *(arr));         \
			if (p_ == NULL)                                        \
				return PAKT_ENOMEM;                            \
			(arr) = p_;                                            \
			(cap) = c_;                                            \
		}                                                              \
	} while (0)

/* References (accept, decline, status) are attached after the scan: they
 * may be stored before the commitment they name. */
struct pending_ref {
	char type[ENTRY_TYPE_MAX + 1];
	uint8_t author[32], hash[32], ref[32];
	uint64_t seq, at;
	char state[12];
	char note[512];
	bool has_evidence;
	uint8_t evidence[32];
	bool change, reopen;
};

struct ledger_scan {
	struct ledger *l;
	const struct roster *m;
	struct pending_ref *refs;
	size_t n_refs, cap_refs;
	size_t cap_upd, cap_com, cap_cp, cap_an, cap_red, cap_prof;
	struct body_agenda agenda;       /* parse buffers (large: not on every call's stack) */
	struct body_update update;
	const uint8_t *ref;              /* the commitment the reference being attached names */
	uint8_t (*seen)[32];             /* authors already checked for membership */
	size_t n_seen, cap_seen;
	bool settled;                    /* attach and the lifecycle ran since the last add */
	size_t n_an_added;               /* anomalies found while adding, before settling's */
};

static int anomaly(struct ledger_scan *sc, const struct entry *e, const char *what)
{
	struct ledger *l = sc->l;

	GROW(l->an, l->n_an, sc->cap_an);
	struct ledger_anomaly *a = &l->an[l->n_an++];
	memcpy(a->author, e->h.author, 32);
	memcpy(a->hash, e->hash, 32);
	a->seq = e->h.seq;
	snprintf(a->what, sizeof a->what, "%s", what);
	a->has_ref = sc->ref != NULL;
	if (sc->ref != NULL)
		memcpy(a->ref, sc->ref, 32);
	return 0;
}

bool ledger_record_type(const char *type)
{
	static const char *const t[] = { "genesis", "member", "succession", "revoke", "agenda",
					 "commitment", "accept", "decline", "status" };

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(type, t[i]) == 0)
			return true;
	return false;
}

bool ledger_counts(const struct ledger *l, const uint8_t author[32], uint64_t seq, uint64_t ts)
{
	return roster_member_at(l->m, author, seq, ts);
}

static bool ever_member(const struct roster *m, const uint8_t key[32])
{
	const struct roster_member *x = roster_lookup(m, key);

	return x != NULL && x->admitted;
}

/* The first entry of an author who never was a member is an anomaly (and
 * none of its entries counts). */
static int check_author(struct ledger_scan *sc, const struct entry *e)
{
	for (size_t i = 0; i < sc->n_seen; i++)
		if (memcmp(sc->seen[i], e->h.author, 32) == 0)
			return 0;
	GROW(sc->seen, sc->n_seen, sc->cap_seen);
	memcpy(sc->seen[sc->n_seen++], e->h.author, 32);
	if (!ever_member(sc->m, e->h.author))
		return anomaly(sc, e, "entries by a key that was never a member (no effect)");
	return 0;
}

static int take(struct ledger_scan *sc, const struct entry *e)
{
	struct ledger *l = sc->l;
	const char *t = e->h.type;

	if (strcmp(t, "agenda") == 0) {
		struct body_agenda *a = &sc->agenda;

		if (body_agenda_parse(e->body, e->body_len, a) != 0)
			return 0;
		if (!roster_lookup(sc->m, e->h.author)->admin)
			return anomaly(sc, e, "agenda set by a non-admin (no effect)");
		l->n_agendas++;
		if (!l->has_agenda || e->h.timestamp >= l->agenda_at) {
			l->agenda = *a;
			l->has_agenda = true;
			l->agenda_at = e->h.timestamp;
			memcpy(l->agenda_by, e->h.author, 32);
		}
	} else if (strcmp(t, "update") == 0) {
		struct body_update *u = &sc->update;

		if (body_update_parse(e->body, e->body_len, u) != 0 || u->n == 0)
			return 0;
		GROW(l->upd, l->n_upd, sc->cap_upd);
		struct ledger_update *x = &l->upd[l->n_upd];
		memset(x, 0, sizeof *x);
		memcpy(x->author, e->h.author, 32);
		x->at = e->h.timestamp;
		snprintf(x->period, sizeof x->period, "%s", u->period);
		if (date_period_parse(u->period, &x->from, &x->to) != 0)
			return 0;
		x->v = malloc(u->n * sizeof u->v[0]);
		x->cell = malloc((u->n_cells + 1) * sizeof u->cell[0]);
		if (x->v == NULL || x->cell == NULL) {
			free(x->v);
			free(x->cell);
			return PAKT_ENOMEM;
		}
		memcpy(x->v, u->v, u->n * sizeof u->v[0]);
		x->n = u->n;
		x->seq = e->h.seq;
		memcpy(x->cell, u->cell, u->n_cells * sizeof u->cell[0]);
		x->n_cells = u->n_cells;
		l->n_upd++;
	} else if (strcmp(t, "commitment") == 0) {
		GROW(l->com, l->n_com, sc->cap_com);
		struct ledger_commit *c = &l->com[l->n_com];
		memset(c, 0, sizeof *c);
		if (body_commitment_parse(e->body, e->body_len, &c->c) != 0 ||
		    date_parse(c->c.due, &c->due_day) != 0)
			return 0;
		memcpy(c->hash, e->hash, 32);
		memcpy(c->author, e->h.author, 32);
		c->seq = e->h.seq;
		c->at = e->h.timestamp;
		l->n_com++;
	} else if (strcmp(t, "accept") == 0 || strcmp(t, "decline") == 0 || strcmp(t, "status") == 0) {
		struct pending_ref p = {0};

		if (strcmp(t, "status") == 0) {
			struct body_status st;

			if (body_status_parse(e->body, e->body_len, &st) != 0)
				return 0;
			memcpy(p.ref, st.ref, 32);
			snprintf(p.state, sizeof p.state, "%s", st.state);
			snprintf(p.note, sizeof p.note, "%.511s", st.note);
			p.has_evidence = st.has_evidence;
			memcpy(p.evidence, st.evidence, 32);
			p.reopen = st.reopen;
		} else {
			struct body_ref r;

			if (body_ref_parse(t, e->body, e->body_len, &r) != 0)
				return 0;
			memcpy(p.ref, r.ref, 32);
			snprintf(p.note, sizeof p.note, "%.511s", r.text);
			p.change = r.change;
		}
		snprintf(p.type, sizeof p.type, "%s", t);
		memcpy(p.author, e->h.author, 32);
		memcpy(p.hash, e->hash, 32);
		p.seq = e->h.seq;
		p.at = e->h.timestamp;
		GROW(sc->refs, sc->n_refs, sc->cap_refs);
		sc->refs[sc->n_refs++] = p;
	} else if (strcmp(t, "checkpoint") == 0) {
		size_t n = 0;

		if (body_checkpoint_parse(e->body, e->body_len, NULL, 0, &n) != 0 && n == 0)
			return 0;
		struct body_head *h = calloc(n ? n : 1, sizeof *h);
		if (h == NULL)
			return PAKT_ENOMEM;
		if (body_checkpoint_parse(e->body, e->body_len, h, n, &n) != 0) {
			free(h);
			return 0;
		}
		GROW(l->cp, l->n_cp, sc->cap_cp);
		l->cp[l->n_cp++] = (struct ledger_checkpoint){.at = e->h.timestamp, .seq = e->h.seq,
							      .heads = h, .n = n};
		memcpy(l->cp[l->n_cp - 1].author, e->h.author, 32);
	} else if (strcmp(t, "redact") == 0) {
		struct body_ref r;

		if (body_ref_parse("redact", e->body, e->body_len, &r) != 0)
			return 0;
		GROW(l->red, l->n_red, sc->cap_red);
		struct ledger_redaction *x = &l->red[l->n_red++];
		memcpy(x->author, e->h.author, 32);
		memcpy(x->ref, r.ref, 32);
		x->seq = e->h.seq;
		x->at = e->h.timestamp;
		snprintf(x->reason, sizeof x->reason, "%.255s", r.text);
	} else if (strcmp(t, "profile") == 0) {
		struct body_profile p;

		if (body_profile_parse(e->body, e->body_len, &p) != 0)
			return 0;
		GROW(l->prof, l->n_prof, sc->cap_prof);
		struct ledger_profile *x = &l->prof[l->n_prof++];
		memcpy(x->author, e->h.author, 32);
		x->at = e->h.timestamp;
		snprintf(x->name, sizeof x->name, "%s", p.name);
		snprintf(x->sector, sizeof x->sector, "%s", p.sector);
	} else if (strcmp(t, "member") == 0) {
		if (!roster_lookup(sc->m, e->h.author)->admin)
			return anomaly(sc, e, "member entry by a non-admin (no effect)");
	}
	return 0;
}

/* An entry its author's key signed after the seq an admin revoked it from:
 * shown, never counted. */
static int untrusted(struct ledger_scan *sc, const struct entry *e, const struct roster_revocation *rv)
{
	char what[160], by[ID_TEXT_MAX];

	id_short(ID_KEY, rv->by, by);
	snprintf(what, sizeof what, "untrusted: the key was revoked after seq %llu by %s (no effect)",
		 (unsigned long long)rv->after, by);
	return anomaly(sc, e, what);
}

/* An entry by a key cut (removed, succeeded) before its seq: shown when
 * it claims something, never counted. */
static int cut_off(struct ledger_scan *sc, const struct entry *e)
{
	const struct roster_member *x = roster_lookup(sc->m, e->h.author);
	char what[160];

	if (!ledger_record_type(e->h.type) && strcmp(e->h.type, "update") != 0)
		return 0;
	if (x->cut_ts != UINT64_MAX && e->h.seq <= x->cut)
		snprintf(what, sizeof what, "%s after its author's removal (no effect)", e->h.type);
	else
		snprintf(what, sizeof what, "%s after its author's key stopped at seq %llu (no effect)",
			 e->h.type, (unsigned long long)x->cut);
	return anomaly(sc, e, what);
}

static int place(struct ledger *l, const struct entry *e)
{
	GROW(l->pl, l->n_pl, l->cap_pl);
	memcpy(l->pl[l->n_pl].author, e->h.author, 32);
	l->pl[l->n_pl].seq = e->h.seq;
	memcpy(l->pl[l->n_pl].hash, e->hash, 32);
	l->n_pl++;
	return 0;
}

void ledger_init(struct ledger *l, const struct roster *m)
{
	memset(l, 0, sizeof *l);
	l->m = m;
}

void ledger_use_holdings(struct ledger *l, const struct ledger_holdings *h)
{
	l->hold = *h;
	l->has_holdings = true;
}

bool ledger_reads_body(const char *type)
{
	static const char *const t[] = { "agenda", "update", "commitment", "accept", "decline",
					 "status", "checkpoint", "redact", "profile" };

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(type, t[i]) == 0)
			return true;
	return false;
}

static struct ledger_scan *scan_get(struct ledger *l)
{
	if (l->sc == NULL && (l->sc = calloc(1, sizeof *l->sc)) != NULL) {
		l->sc->l = l;
		l->sc->m = l->m;
	}
	return l->sc;
}

/* Undo what settling derived (answers and statuses attached, their
 * anomalies, forks), so that more entries can be added. */
static void unsettle(struct ledger *l)
{
	for (size_t i = 0; i < l->n_com; i++) {
		free(l->com[i].resp);
		free(l->com[i].st);
		l->com[i].resp = NULL;
		l->com[i].st = NULL;
		l->com[i].n_resp = l->com[i].n_st = 0;
	}
	l->n_an = l->sc->n_an_added;
	l->n_forks = 0;
	l->sc->settled = false;
}

int ledger_add(struct ledger *l, const struct entry *e)
{
	struct ledger_scan *sc = scan_get(l);
	const struct roster_revocation *rv;
	int rc;

	if (sc == NULL)
		return PAKT_ENOMEM;
	if (sc->settled)
		unsettle(l);
	if (!l->has_holdings && (rc = place(l, e)) != 0)
		return rc;
	/* first: a thief's successor was never admitted, yet is revoked */
	if ((rv = roster_untrusted(sc->m, e->h.author, e->h.seq)) != NULL)
		return untrusted(sc, e, rv);
	if ((rc = check_author(sc, e)) != 0 || !ever_member(sc->m, e->h.author))
		return rc;
	if (!ledger_counts(l, e->h.author, e->h.seq, e->h.timestamp))
		return cut_off(sc, e);
	return e->body != NULL ? take(sc, e) : 0;
}

static int attach(struct ledger_scan *sc)
{
	struct ledger *l = sc->l;

	for (size_t i = 0; i < sc->n_refs; i++) {
		struct pending_ref *p = &sc->refs[i];
		struct ledger_commit *c = (struct ledger_commit *)ledger_commit_find(l, p->ref);
		struct entry fake = {.h = {.seq = p->seq}};

		memcpy(fake.h.author, p->author, 32);
		memcpy(fake.hash, p->hash, 32);
		sc->ref = p->ref;
		if (c == NULL) {
			if (anomaly(sc, &fake, "refers to an unknown commitment") != 0)
				return PAKT_ENOMEM;
			continue;
		}
		if (strcmp(p->type, "status") == 0) {
			if (!ledger_may_report(sc->m, c, p->author)) {
				if (anomaly(sc, &fake, "status by neither the author nor a party (no effect)") != 0)
					return PAKT_ENOMEM;
				continue;
			}
			struct ledger_status *v = realloc(c->st, (c->n_st + 1) * sizeof *v);
			if (v == NULL)
				return PAKT_ENOMEM;
			c->st = v;
			struct ledger_status *s = &v[c->n_st++];
			memset(s, 0, sizeof *s);
			memcpy(s->by, p->author, 32);
			s->at = p->at;
			s->seq = p->seq;
			memcpy(s->hash, p->hash, 32);
			snprintf(s->state, sizeof s->state, "%s", p->state);
			snprintf(s->note, sizeof s->note, "%s", p->note);
			s->has_evidence = p->has_evidence;
			memcpy(s->evidence, p->evidence, 32);
			s->reopen = p->reopen;
			continue;
		}
		if (!ledger_is_party(sc->m, c, p->author)) {
			if (anomaly(sc, &fake, strcmp(p->type, "accept") == 0
					      ? "acceptance by a key that is not a party (no effect)"
					      : "decline by a key that is not a party (no effect)") != 0)
				return PAKT_ENOMEM;
			continue;
		}
		struct ledger_response *v = realloc(c->resp, (c->n_resp + 1) * sizeof *v);
		if (v == NULL)
			return PAKT_ENOMEM;
		c->resp = v;
		struct ledger_response *x = &v[c->n_resp++];

		*x = (struct ledger_response){.accepted = p->type[0] == 'a', .at = p->at, .seq = p->seq,
					      .change = p->change};
		snprintf(x->reason, sizeof x->reason, "%s", p->note);
		memcpy(x->who, p->author, 32);
		memcpy(x->hash, p->hash, 32);
	}
	return 0;
}

/* A lifecycle breach, as an anomaly about the commitment being walked. */
static int life_report(void *arg, const uint8_t author[32], uint64_t seq, const uint8_t hash[32],
		       const char *what)
{
	struct ledger_scan *sc = arg;
	struct entry fake = {.h = {.seq = seq}};

	memcpy(fake.h.author, author, 32);
	memcpy(fake.hash, hash, 32);
	return anomaly(sc, &fake, what);
}

static int place_cmp(const void *pa, const void *pb)
{
	const struct ledger_place *a = pa, *b = pb;
	int c = memcmp(a->author, b->author, 32);

	if (c != 0)
		return c;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return memcmp(a->hash, b->hash, 32);
}

/* Each author's lowest seq held twice (places sorted). */
static int find_forks(struct ledger *l)
{
	size_t cap = 0;

	for (size_t i = 1; i < l->n_pl; i++) {
		const struct ledger_place *p = &l->pl[i - 1], *q = &l->pl[i];

		if (memcmp(p->author, q->author, 32) != 0 || p->seq != q->seq ||
		    memcmp(p->hash, q->hash, 32) == 0 ||
		    (l->n_forks > 0 && memcmp(l->forks[l->n_forks - 1].author, q->author, 32) == 0))
			continue;
		GROW(l->forks, l->n_forks, cap);
		l->forks[l->n_forks++] = *q;
	}
	return 0;
}

static void scan_free(struct ledger *l)
{
	if (l->sc != NULL) {
		free(l->sc->refs);
		free(l->sc->seen);
		free(l->sc);
		l->sc = NULL;
	}
}

int ledger_settle(struct ledger *l)
{
	struct ledger_scan *sc = scan_get(l);
	int rc = sc ? 0 : PAKT_ENOMEM;

	if (sc != NULL && sc->settled)
		return 0;
	if (sc != NULL)
		sc->n_an_added = l->n_an;
	ledger_life_sort_checkpoints(l);
	if (rc == 0)
		rc = attach(sc);
	for (size_t i = 0; rc == 0 && i < l->n_com; i++) {
		sc->ref = l->com[i].hash;
		rc = ledger_life_apply(l, &l->com[i], life_report, sc);
	}
	if (rc == 0 && l->n_pl > 1)
		qsort(l->pl, l->n_pl, sizeof *l->pl, place_cmp);
	if (rc == 0)
		rc = find_forks(l);
	if (rc != 0)
		ledger_free(l);
	else
		sc->settled = true;
	return rc;
}

int ledger_finish(struct ledger *l)
{
	int rc = ledger_settle(l);

	if (rc == 0)
		scan_free(l);
	return rc;
}

void ledger_free(struct ledger *l)
{
	for (size_t i = 0; i < l->n_com; i++) {
		free(l->com[i].resp);
		free(l->com[i].st);
	}
	for (size_t i = 0; i < l->n_cp; i++)
		free(l->cp[i].heads);
	for (size_t i = 0; i < l->n_upd; i++) {
		free(l->upd[i].v);
		free(l->upd[i].cell);
	}
	free(l->upd);
	free(l->com);
	free(l->cp);
	free(l->an);
	free(l->red);
	free(l->prof);
	free(l->pl);
	free(l->forks);
	scan_free(l);
	memset(l, 0, sizeof *l);
}

const struct ledger_commit *ledger_commit_find(const struct ledger *l, const uint8_t hash[32])
{
	for (size_t i = 0; i < l->n_com; i++)
		if (memcmp(l->com[i].hash, hash, 32) == 0)
			return &l->com[i];
	return NULL;
}

bool ledger_is_party(const struct roster *m, const struct ledger_commit *c, const uint8_t key[32])
{
	for (size_t i = 0; i < c->c.n_parties; i++)
		if (roster_same(m, c->c.parties[i], key))
			return true;
	return false;
}

bool ledger_may_report(const struct roster *m, const struct ledger_commit *c, const uint8_t key[32])
{
	return roster_same(m, c->author, key) || ledger_is_party(m, c, key);
}

const char *ledger_name(const struct ledger *l, const struct roster *m, const uint8_t key[32])
{
	const struct ledger_profile *best = NULL;

	for (size_t i = 0; i < l->n_prof; i++)
		if (memcmp(l->prof[i].author, key, 32) == 0 && (!best || l->prof[i].at >= best->at))
			best = &l->prof[i];
	if (best)
		return best->name;
	for (size_t i = 0; i < m->n; i++)
		if (memcmp(m->v[i].key, key, 32) == 0)
			return m->v[i].name;
	return "";
}

bool ledger_countersigned(const struct roster *m, const struct ledger_commit *c)
{
	for (size_t p = 0; p < c->c.n_parties; p++) {
		const struct ledger_response *latest = ledger_answer(m, c, c->c.parties[p]);

		if (latest == NULL || !latest->accepted)
			return false;
	}
	return c->c.n_parties > 0;
}

static bool has_place(const struct ledger *l, const uint8_t author[32], uint64_t seq,
		      const uint8_t hash[32])
{
	struct ledger_place key;

	if (l->has_holdings)
		return l->hold.held(l->hold.arg, author, seq, hash);

	memcpy(key.author, author, 32);
	key.seq = seq;
	memcpy(key.hash, hash, 32);
	return bsearch(&key, l->pl, l->n_pl, sizeof *l->pl, place_cmp) != NULL;
}

/* The lowest seq at which author's feed here has two entries, or UINT64_MAX. */
static uint64_t first_fork(const struct ledger *l, const uint8_t author[32])
{
	if (l->has_holdings)
		return l->hold.first_fork(l->hold.arg, author);
	for (size_t i = 0; i < l->n_forks; i++)
		if (memcmp(l->forks[i].author, author, 32) == 0)
			return l->forks[i].seq;
	return UINT64_MAX;
}

/* Whether a checkpoint's head (author, hseq, hhash) names the entry at seq
 * with hash: exactly, or through one unforked chain held here. */
static bool head_names(const struct ledger *l, const struct body_head *h, uint64_t seq,
		       const uint8_t hash[32])
{
	if (h->seq < seq)
		return false;
	if (h->seq == seq)
		return memcmp(h->hash, hash, 32) == 0;
	/* with a fork up to the head, which branch the witness holds is unclear */
	return has_place(l, h->author, seq, hash) && has_place(l, h->author, h->seq, h->hash) &&
	       first_fork(l, h->author) > h->seq;
}

uint64_t ledger_witnessed(const struct ledger *l, const uint8_t by[32], const uint8_t author[32],
			  uint64_t seq, const uint8_t hash[32])
{
	uint64_t best = 0;

	if (roster_same(l->m, by, author))
		return 0;
	for (size_t i = 0; i < l->n_cp; i++) {
		const struct ledger_checkpoint *cp = &l->cp[i];

		if (memcmp(cp->author, by, 32) != 0 || (best && cp->at >= best) ||
		    roster_untrusted(l->m, by, cp->seq) != NULL ||
		    !ledger_counts(l, by, cp->seq, cp->at))
			continue;
		for (size_t j = 0; j < cp->n; j++)
			if (memcmp(cp->heads[j].author, author, 32) == 0 &&
			    head_names(l, &cp->heads[j], seq, hash))
				best = cp->at;
	}
	return best;
}

uint64_t ledger_first_witness(const struct ledger *l, const uint8_t author[32], uint64_t seq,
			      const uint8_t hash[32])
{
	uint64_t best = 0;

	for (size_t k = 0; k < l->m->n; k++) {
		uint64_t at = ledger_witnessed(l, l->m->v[k].key, author, seq, hash);

		if (at != 0 && (best == 0 || at < best))
			best = at;
	}
	return best;
}
