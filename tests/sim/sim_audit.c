/* The adapter's read side: digests of what a node holds (feeds, roster,
 * ledger) that converged nodes must share, and the export + offline check
 * of bundles (as daemon/ctl_work.c's op_export and `pakt verify FILE`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "daemon/export.h"
#include "daemon/members.h"
#include "daemon/repl.h"
#include "daemon/store.h"
#include "proto/body.h"
#include "proto/bundle.h"
#include "proto/err.h"
#include "proto/mpx.h"
#include "tests/sim/sim_node.h"
#include "tests/sim/sim_node_priv.h"

/* A multiset of item digests, combined independently of their order (the
 * order of a node's arrays follows arrival, which differs among nodes). */
struct bag {
	uint8_t (*v)[32];
	size_t n, cap;
};

static void bag_add(struct bag *b, const void *item, size_t len)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		uint8_t (*v)[32] = realloc(b->v, cap * sizeof *v);

		if (v == NULL)
			abort();   /* a test tool: out of memory ends the run */
		b->v = v;
		b->cap = cap;
	}
	crypto_generichash(b->v[b->n++], 32, item, len, NULL, 0);
}

static int cmp32(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

static void bag_digest(struct bag *b, uint8_t out[32])
{
	if (b->n > 1)
		qsort(b->v, b->n, 32, cmp32);
	crypto_generichash(out, 32, b->n ? (const uint8_t *)b->v : (const uint8_t *)"", b->n * 32,
			   NULL, 0);
	free(b->v);
	memset(b, 0, sizeof *b);
}

struct feed_scan {
	struct repl_net *rn;
	struct bag rows;
	uint64_t n, bodies;
};

static int on_feed_row(void *arg, const struct store_row *row)
{
	struct feed_scan *c = arg;
	struct repl_feed *f = repl_feed_get(c->rn, row->author, false, NULL);
	uint8_t item[32 + 8 + 32 + 1];

	c->n++;
	c->bodies += row->body != NULL;
	if (f != NULL && f->forked)
		return 0;   /* which branch a node holds depends on what came first */
	if (row->seq > roster_end(&c->rn->members, row->author))
		return 0;   /* past its author's end: kept if taken before, never relayed */
	memcpy(item, row->author, 32);
	memcpy(item + 32, &row->seq, 8);
	memcpy(item + 40, row->hash, 32);
	item[72] = row->body != NULL;
	bag_add(&c->rows, item, sizeof item);
	return 0;
}

static void roster_digest(const struct roster *m, uint8_t out[32])
{
	struct bag b = {0};

	for (size_t i = 0; i < m->n; i++) {
		uint8_t item[36];

		memcpy(item, m->v[i].key, 32);
		item[32] = m->v[i].admin;
		item[33] = m->v[i].removed;
		item[34] = m->v[i].revoked;
		item[35] = 'M';
		bag_add(&b, item, sizeof item);
	}
	for (size_t i = 0; i < m->n_rv; i++) {
		uint8_t item[72];

		memcpy(item, m->rv[i].key, 32);
		memcpy(item + 32, m->rv[i].by, 32);
		memcpy(item + 64, &m->rv[i].after, 8);
		bag_add(&b, item, sizeof item);
	}
	bag_digest(&b, out);
}

/* A forker's entries: which branch a node holds depends on what reached it
 * first, so they are left out of what must be equal. */
static bool forked(struct repl_net *rn, const uint8_t author[32])
{
	struct repl_feed *f = repl_feed_get(rn, author, false, NULL);

	return f != NULL && f->forked;
}

/* An answer or status about a forker's commitment, or about one this node
 * lacks while it holds a forked feed: a forked feed stops replicating, so
 * nodes hold different prefixes of it, and what refers to its later
 * entries differs too. */
static bool about_forked(struct repl_net *rn, const struct ledger *l,
			 const struct ledger_anomaly *a)
{
	const struct ledger_commit *c;

	if (!a->has_ref)
		return false;
	if ((c = ledger_commit_find(l, a->ref)) != NULL)
		return forked(rn, c->author);
	for (size_t i = 0; i < rn->n_feeds; i++)
		if (rn->feeds[i].forked)
			return true;
	return false;
}

/* Whether any feed of the network is forked here: then nodes may hold
 * different prefixes of it, and what counts in a commitment's lifecycle
 * (which the forker's answers and statuses order) may differ. */
static bool any_forked(const struct repl_net *rn)
{
	for (size_t i = 0; i < rn->n_feeds; i++)
		if (rn->feeds[i].forked)
			return true;
	return false;
}

static void commit_digest(struct repl_net *rn, const struct ledger_commit *c, struct bag *into)
{
	struct bag b = {0};
	bool lifecycle = !any_forked(rn);   /* what counts (PROTOCOL.md, "Lifecycle") */
	struct {
		uint8_t tag, hash[32], author[32], sub[32];
		uint64_t seq;
	} item;

	for (size_t i = 0; i < c->n_resp; i++) {
		struct { uint8_t who[32]; uint64_t seq; uint8_t acc, counts; } r;

		if (forked(rn, c->resp[i].who))
			continue;
		memset(&r, 0, sizeof r);   /* padding too: the bytes are hashed */
		memcpy(r.who, c->resp[i].who, 32);
		r.seq = c->resp[i].seq;
		r.acc = c->resp[i].accepted;
		r.counts = lifecycle && c->resp[i].counts;
		bag_add(&b, &r, sizeof r);
	}
	for (size_t i = 0; i < c->n_st; i++) {
		struct { uint8_t by[32]; uint64_t seq; char state[12]; uint8_t counts; } s;

		if (forked(rn, c->st[i].by))
			continue;
		memset(&s, 0, sizeof s);
		memcpy(s.by, c->st[i].by, 32);
		s.seq = c->st[i].seq;
		snprintf(s.state, sizeof s.state, "%s", c->st[i].state);   /* not the bytes after NUL */
		s.counts = lifecycle && c->st[i].counts;
		bag_add(&b, &s, sizeof s);
	}
	memset(&item, 0, sizeof item);
	item.tag = 'C';
	memcpy(item.hash, c->hash, 32);
	memcpy(item.author, c->author, 32);
	item.seq = c->seq;
	bag_digest(&b, item.sub);
	bag_add(into, &item, sizeof item);
}

static void ledger_digest(struct repl_net *rn, const struct ledger *l, uint8_t out[32])
{
	struct bag b = {0};

	for (size_t i = 0; i < l->n_com; i++)
		if (!forked(rn, l->com[i].author))
			commit_digest(rn, &l->com[i], &b);
	if (getenv("SIM_DEBUG"))
		for (size_t i = 0; i < l->n_com; i++) {
			fprintf(stderr, "commit %02x%02x seq %llu resp %zu st %zu:", l->com[i].hash[0], l->com[i].hash[1],
				(unsigned long long)l->com[i].seq, l->com[i].n_resp, l->com[i].n_st);
			for (size_t k = 0; k < l->com[i].n_resp; k++)
				fprintf(stderr, " r%02x/%llu/%d", l->com[i].resp[k].who[0], (unsigned long long)l->com[i].resp[k].seq, l->com[i].resp[k].accepted);
			for (size_t k = 0; k < l->com[i].n_st; k++)
				fprintf(stderr, " s%02x/%llu/%s", l->com[i].st[k].by[0], (unsigned long long)l->com[i].st[k].seq, l->com[i].st[k].state);
			fprintf(stderr, "\n");
		}
	if (getenv("SIM_DEBUG"))
		fprintf(stderr, "upd %zu an %zu red %zu cp %zu agenda %d\n---\n", l->n_upd, l->n_an, l->n_red, l->n_cp, l->has_agenda);
	for (size_t i = 0; i < l->n_upd; i++) {
		struct { uint8_t tag, author[32]; uint64_t at; size_t n; double v[4]; } u;

		if (forked(rn, l->upd[i].author))
			continue;
		memset(&u, 0, sizeof u);
		u.tag = 'U';
		memcpy(u.author, l->upd[i].author, 32);
		u.at = l->upd[i].at;
		u.n = l->upd[i].n;
		for (size_t k = 0; k < u.n && k < 4; k++)
			u.v[k] = l->upd[i].v[k].value;
		bag_add(&b, &u, sizeof u);
	}
	for (size_t i = 0; i < l->n_an; i++) {
		struct { uint8_t tag, author[32], hash[32]; uint64_t seq; char what[160]; } a;

		/* an entry past its author's end is noted only where it was
		 * taken before the end was known: it is not relayed */
		if (forked(rn, l->an[i].author) || about_forked(rn, l, &l->an[i]) ||
		    l->an[i].seq > roster_end(&rn->members, l->an[i].author))
			continue;
		memset(&a, 0, sizeof a);
		a.tag = 'A';
		memcpy(a.author, l->an[i].author, 32);
		memcpy(a.hash, l->an[i].hash, 32);
		a.seq = l->an[i].seq;
		snprintf(a.what, sizeof a.what, "%s", l->an[i].what);
		bag_add(&b, &a, sizeof a);
	}
	for (size_t i = 0; i < l->n_red; i++) {
		struct { uint8_t tag, author[32], ref[32]; uint64_t seq; } r;

		if (forked(rn, l->red[i].author))
			continue;
		memset(&r, 0, sizeof r);
		r.tag = 'R';
		memcpy(r.author, l->red[i].author, 32);
		memcpy(r.ref, l->red[i].ref, 32);
		r.seq = l->red[i].seq;
		bag_add(&b, &r, sizeof r);
	}
	for (size_t i = 0; i < l->n_cp; i++) {
		struct { uint8_t tag, author[32]; uint64_t at, n; } c;

		memset(&c, 0, sizeof c);
		c.tag = 'K';
		memcpy(c.author, l->cp[i].author, 32);
		c.at = l->cp[i].at;
		c.n = l->cp[i].n;
		if (!forked(rn, c.author))
			bag_add(&b, &c, sizeof c);
	}
	if (l->has_agenda) {
		struct { uint8_t tag, by[32]; uint64_t at; } a;

		memset(&a, 0, sizeof a);
		a.tag = 'G';
		a.at = l->agenda_at;
		memcpy(a.by, l->agenda_by, 32);
		bag_add(&b, &a, sizeof a);
	}
	bag_digest(&b, out);
}

int sim_node_digest(struct sim_node *sn, const uint8_t net[32], struct sim_digest *d)
{
	struct repl_net *rn;
	struct feed_scan fs = {0};
	struct store_query q = {.network = net, .by_feed = true};
	struct bag forks = {0};
	struct roster fresh = {0};
	struct ledger l;
	uint8_t live[32];
	int rc = repl_net_open(&sn->n, net, &rn);

	memset(d, 0, sizeof *d);
	if (rc != 0)
		return rc;
	fs.rn = rn;
	rc = store_scan(sn->n.store, &q, on_feed_row, &fs);
	bag_digest(&fs.rows, d->feeds);
	d->rows = fs.n;
	d->bodies = fs.bodies;
	d->redacted = sn->n.n_redacted;
	d->redacted += rn->n_pending;   /* unknown targets wait in rn */
	for (size_t i = 0; i < rn->n_feeds; i++) {
		d->n_feeds += rn->feeds[i].seq > 0;
		if (rn->feeds[i].forked)
			bag_add(&forks, rn->feeds[i].author, 32);
	}
	bag_digest(&forks, d->forks);
	if (rc != 0)
		return rc;
	/* the roster the node acts on must be the one its store gives */
	rc = members_load(&fresh, sn->n.store, net);
	if (rc == 0) {
		roster_digest(&fresh, d->roster);
		roster_digest(&rn->members, live);
		if (memcmp(live, d->roster, 32) != 0)
			rc = PAKT_EINVAL;
	}
	if (rc == 0 && (rc = ledger_load(&l, sn->n.store, net, &fresh)) == 0) {
		ledger_digest(rn, &l, d->ledger);
		ledger_free(&l);
	}
	roster_free(&fresh);
	return rc;
}

/* ---- bundles (the daemon's own exporter, daemon/export.h) ---- */

/* The bundle's roster names the same current members and admins as ours. */
static bool same_roster(const struct roster *a, const struct roster *b)
{
	size_t na = 0, nb = 0;

	for (size_t i = 0; i < a->n; i++) {
		const struct roster_member *m = &a->v[i];

		if (m->removed)
			continue;
		na++;
		if (roster_find(b, m->key) == NULL || roster_is_admin(b, m->key) != m->admin)
			return false;
	}
	for (size_t i = 0; i < b->n; i++)
		nb += !b->v[i].removed;
	return na == nb;
}

/* Each answer and status of c in our ledger is in the bundle's report,
 * counting (the lifecycle) as here, and the report has no other. */
static bool same_answers(const struct ledger_commit *c, const struct audit_report *r)
{
	size_t hit = 0;

	for (size_t i = 0; i < c->n_resp; i++)
		for (size_t k = 0; k < r->n_answers; k++)
			if (memcmp(r->answers[k].party, c->resp[i].who, 32) == 0 &&
			    r->answers[k].seq == c->resp[i].seq &&
			    r->answers[k].accept == c->resp[i].accepted &&
			    r->answers[k].counts == c->resp[i].counts) {
				hit++;
				break;
			}
	for (size_t i = 0; i < c->n_st; i++)
		for (size_t k = 0; k < r->n_statuses; k++)
			if (memcmp(r->statuses[k].by, c->st[i].by, 32) == 0 &&
			    r->statuses[k].seq == c->st[i].seq &&
			    strcmp(r->statuses[k].st.state, c->st[i].state) == 0 &&
			    r->statuses[k].counts == c->st[i].counts) {
				hit++;
				break;
			}
	return hit == c->n_resp + c->n_st && r->n_answers == c->n_resp && r->n_statuses == c->n_st;
}

static int check_one(struct sim_node *sn, const uint8_t net[32], const struct roster *m,
		     const struct ledger_commit *c, char *why, size_t whylen)
{
	struct audit_report r;
	struct mpx_out file;
	const uint8_t *subject = c ? c->hash : sn->n.id.pk;
	int rc;

	mpx_init(&file);
	rc = export_bundle(sn->n.store, net, subject, c == NULL, 1, UINT64_MAX, &file);
	if (rc != 0) {
		snprintf(why, whylen, "export of %s: %s", c ? "a commitment" : "its feed",
			 pakt_strerror(rc));
		mpx_free(&file);
		return rc;
	}
	rc = audit_bundle((const uint8_t *)file.sb.data, file.sb.size, &r);
	mpx_free(&file);
	if (rc != 0)
		snprintf(why, whylen, "bundle of %s fails the offline check: %s",
			 c ? "a commitment" : "its feed", r.reason);
	else if (!same_roster(m, &r.roster))
		snprintf(why, whylen, "bundle of %s: its roster differs from the node's",
			 c ? "a commitment" : "its feed"), rc = PAKT_EINVAL;
	else if (c && (!r.has_commitment || memcmp(r.commitment_author, c->author, 32) != 0 ||
		       !same_answers(c, &r)))
		snprintf(why, whylen, "bundle of a commitment: its answers (%zu) and statuses (%zu) differ from the node's ledger (%zu, %zu)",
			 r.n_answers, r.n_statuses, c->n_resp, c->n_st), rc = PAKT_EINVAL;
	audit_report_free(&r);
	return rc;
}

int sim_node_bundle_check(struct sim_node *sn, const uint8_t net[32], size_t max, char *why,
			  size_t whylen)
{
	struct roster m = {0};
	struct ledger l;
	struct sim_head h;
	int rc = members_load(&m, sn->n.store, net);

	if (rc == 0 && (rc = ledger_load(&l, sn->n.store, net, &m)) == 0) {
		for (size_t i = 0; rc == 0 && i < l.n_com && i < max; i++)
			rc = check_one(sn, net, &m, &l.com[i], why, whylen);
		ledger_free(&l);
	} else {
		snprintf(why, whylen, "loading the ledger: %s", pakt_strerror(rc));
	}
	if (rc == 0 && sim_node_head(sn, net, sn->n.id.pk, &h) && !h.forked)
		rc = check_one(sn, net, &m, NULL, why, whylen);
	roster_free(&m);
	return rc;
}
