/* The audit: every chain and signature checked, forks (stored and seen in
 * partners' checkpoints), bad-signature proofs, every commitment with its
 * answers and outcome, and a record per organisation. It runs in the
 * thread pool on its own read-only connection to the store; the client
 * may close meanwhile (busy/closed, see ctl_priv.h). Asked with
 * "progress", a timer on the loop sends how many entries the walk has
 * checked while it runs. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/ctl_priv.h"
#include "daemon/tr.h"
#include "daemon/ledger_load.h"
#include "daemon/members.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/verify.h"
#include "proto/ctlmsg.h"
#include "proto/err.h"

struct audit_job {
	uv_work_t req;
	uv_timer_t timer;               /* progress replies, when asked */
	bool progress;
	verify_progress done;           /* entries checked, counted in the pool */
	_Atomic uint64_t total;         /* entries to check (0: not known yet) */
	uint64_t shown;                 /* done, as last sent */
	struct ctl_client *cl;
	char db_path[DATADIR_PATH_MAX];
	int64_t horizon;                /* rows whose signatures wait: not yet */
	uint8_t network[32];
	bool has_author;
	uint8_t author[32];
	int64_t today;                  /* days since 1970, when asked */
	struct ctlop_r_audit res;       /* built in the pool, encoded into out */
	struct mpx_out out;
	int rc;
	char why[256];
};

/* Stored forks: counted first (out NULL), then listed into out[cap]. */
struct fork_ctx {
	struct store *s;
	struct ctlop_r_fork *out;
	size_t cap, n;
	const uint8_t *author;
};

static int on_fork_row(void *arg, const struct store_row *row)
{
	struct fork_ctx *f = arg;
	struct ctlop_r_fork *x;

	if (f->author && memcmp(row->author, f->author, 32) != 0)
		return 0;
	if (f->out == NULL || f->n == f->cap) {
		f->n += f->out == NULL;
		return 0;
	}
	x = &f->out[f->n++];
	if (store_hash_at(f->s, row->network, row->author, row->seq, x->a) != 0)
		memset(x->a, 0, 32);
	memcpy(x->author, row->author, 32);
	memcpy(x->b, row->hash, 32);
	x->seq = row->seq;
	return 0;
}

/* Bad-signature proofs kept here (PROTOCOL.md, "Deferred signature
 * checks"), as (author, seq, hash of a, hash of b), grown as found. */
struct badsig_ctx {
	struct ctlop_r_audit *a;
	size_t cap;
	const uint8_t *author;
};

static int on_badsig_row(void *arg, const uint8_t *network, const uint8_t *author, uint64_t seq,
			 const uint8_t *wa, size_t la, const uint8_t *wb, size_t lb)
{
	struct badsig_ctx *c = arg;
	struct ctlop_r_badsig *x;
	struct entry e;

	(void)network;
	if (c->author && memcmp(author, c->author, 32) != 0)
		return 0;
	if (c->a->n_badsigs == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 4;
		struct ctlop_r_badsig *v = realloc(c->a->badsigs, cap * sizeof *v);

		if (v == NULL)
			return PAKT_ENOMEM;
		c->a->badsigs = v;
		c->cap = cap;
	}
	x = memset(&c->a->badsigs[c->a->n_badsigs++], 0, sizeof *x);
	memcpy(x->author, author, 32);
	x->seq = seq;
	/* both decoded when the proof was checked; zero hashes if not now */
	if (entry_decode(&e, wa, la) == 0)
		memcpy(x->a, e.hash, 32);
	if (entry_decode(&e, wb, lb) == 0)
		memcpy(x->b, e.hash, 32);
	return 0;
}

/* Order checkpoint heads by (author, seq, hash). */
static int head_cmp(const void *pa, const void *pb)
{
	const struct body_head *a = *(const struct body_head *const *)pa;
	const struct body_head *b = *(const struct body_head *const *)pb;
	int c = memcmp(a->author, b->author, 32);

	if (c != 0)
		return c;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return memcmp(a->hash, b->hash, 32);
}

/* key (or another key of the same member) made c, or its answer that
 * counts (the lifecycle's) accepts it. */
static bool involved(const struct roster *m, const struct ledger_commit *c, const uint8_t key[32])
{
	const struct ledger_response *r;

	if (roster_same(m, c->author, key))
		return true;
	r = ledger_is_party(m, c, key) ? ledger_answer(m, c, key) : NULL;
	return r != NULL && r->accepted;
}

/* key is a party whose answer that counts declines c. */
static bool declined(const struct roster *m, const struct ledger_commit *c, const uint8_t key[32])
{
	const struct ledger_response *r = ledger_is_party(m, c, key) ? ledger_answer(m, c, key) : NULL;

	return r != NULL && !r->accepted;
}

/* The audit has one row per member, under its current key: the key of
 * record k if k is a member's first key (following its successions),
 * NULL for a successor (counted in its first key's row). */
static const uint8_t *org_key(const struct roster *m, size_t k)
{
	const struct roster_member *cur = &m->v[k], *next;

	if (memcmp(cur->root, cur->key, 32) != 0)
		return NULL;
	while (cur->has_successor && (next = roster_lookup(m, cur->successor)) != NULL)
		cur = next;
	return cur->key;
}

/* Two checkpoints naming different hashes at one (author, seq) prove a
 * fork even if no node holds both entries; sorting all heads puts such
 * pairs next to each other. Appends them to a->forks (room for all). */
static int witnessed_forks(struct ctlop_r_audit *a, const struct ledger *l, const uint8_t *who)
{
	const struct body_head **all;
	size_t n_heads = 0, k = 0;

	for (size_t i = 0; i < l->n_cp; i++)
		n_heads += l->cp[i].n;
	all = calloc(n_heads + 1, sizeof *all);
	if (all == NULL)
		return PAKT_ENOMEM;
	for (size_t i = 0; i < l->n_cp; i++)
		for (size_t x = 0; x < l->cp[i].n; x++)
			if (!who || memcmp(l->cp[i].heads[x].author, who, 32) == 0)
				all[k++] = &l->cp[i].heads[x];
	qsort(all, k, sizeof *all, head_cmp);
	for (size_t i = 1; i < k; i++) {
		const struct body_head *ha = all[i - 1], *hb = all[i];
		struct ctlop_r_fork *f = &a->forks[a->n_forks];

		if (ha->seq != hb->seq || memcmp(ha->author, hb->author, 32) != 0 ||
		    memcmp(ha->hash, hb->hash, 32) == 0)
			continue;
		memcpy(f->a, ha->hash, 32);
		memcpy(f->author, ha->author, 32);
		memcpy(f->b, hb->hash, 32);
		f->has_seen_in = true;
		snprintf(f->seen_in, sizeof f->seen_in, "partners' checkpoints");
		f->seq = ha->seq;
		a->n_forks++;
	}
	free(all);
	return 0;
}

/* Per organisation: every member, with what it promised and kept. */
static void org_records(struct ctlop_r_audit *a, const struct ledger *l, const struct roster *m,
			const uint8_t *who, int64_t today)
{
	for (size_t k = 0; k < m->n; k++) {
		const uint8_t *key = org_key(m, k);
		struct ctlop_r_org *o = &a->orgs[a->n_orgs];

		if (key == NULL || (who && !roster_same(m, key, who)))
			continue;
		for (size_t i = 0; i < l->n_com; i++) {
			const struct ledger_commit *c = &l->com[i];
			const char *state, *out = ledger_outcome(c, today, &state);
			bool mine = roster_same(m, c->author, key);

			o->made += mine;
			if (!mine && involved(m, c, key))
				o->accepted++;
			o->declined += !mine && declined(m, c, key);
			if (!involved(m, c, key))
				continue;
			o->kept += strcmp(out, "kept") == 0;
			o->late += strcmp(out, "late") == 0;
			o->missed += strcmp(out, "missed") == 0 || strcmp(out, "overdue") == 0;
			o->open += strcmp(out, "open") == 0;
		}
		memcpy(o->key, key, 32);
		snprintf(o->name, sizeof o->name, "%s", ledger_name(l, m, key));
		a->n_orgs++;
	}
}

/* The audit of j->network (of j->author's records only, if given) into
 * j->res; j->rc says if it failed. */
static void audit_build(struct audit_job *j, struct store *s)
{
	struct ctlop_r_audit *a = &j->res;
	struct verify_result vr;
	struct roster m = {0};
	struct ledger l;
	const uint8_t *who = j->has_author ? j->author : NULL;
	struct fork_ctx fc = {.s = s, .author = who};
	struct badsig_ctx bc = {.a = a, .author = who};
	size_t n_heads = 0;

	struct ledger_source src = {.s = s};
	struct ledger_holdings hold;
	uint64_t entries, feeds, nets;
	int64_t rowid = 0;

	if (store_counts(s, &entries, &feeds, &nets) == 0)
		j->total = entries;
	if ((j->rc = verify_store_progress(s, &vr, &j->done)) != 0)
		return;
	if ((j->rc = members_load(&m, s, j->network)) != 0)
		goto free_verify;
	/* witness claims asked of the store: no place kept per entry */
	memcpy(src.network, j->network, 32);
	ledger_init(&l, &m);
	ledger_load_holdings(&hold, &src);
	ledger_use_holdings(&l, &hold);
	if ((j->rc = ledger_load_more(&l, &src, &rowid, NULL)) != 0) {
		ledger_free(&l);
		goto free_roster;
	}
	if ((j->rc = ledger_finish(&l)) != 0)
		goto free_roster;
	store_forks(s, j->network, on_fork_row, &fc);
	for (size_t i = 0; i < l.n_cp; i++)
		n_heads += l.cp[i].n;
	a->anomalies = calloc(l.n_an + 1, sizeof *a->anomalies);
	a->bad = calloc(vr.bad_len + 1, sizeof *a->bad);
	a->commitments = calloc(l.n_com + 1, sizeof *a->commitments);
	a->forks = calloc(fc.n + n_heads + 1, sizeof *a->forks);
	a->orgs = calloc(m.n + 1, sizeof *a->orgs);
	a->redactions = calloc(l.n_red + 1, sizeof *a->redactions);
	j->rc = PAKT_ENOMEM;
	if (!a->anomalies || !a->bad || !a->commitments || !a->forks || !a->orgs || !a->redactions)
		goto free_ledger;
	for (size_t i = 0; i < l.n_an; i++) {
		const struct ledger_anomaly *an = &l.an[i];
		struct ctlop_r_anomaly *x = &a->anomalies[a->n_anomalies];

		if (who && memcmp(an->author, who, 32) != 0)
			continue;
		memcpy(x->author, an->author, 32);
		memcpy(x->hash, an->hash, 32);
		snprintf(x->name, sizeof x->name, "%s", ledger_name(&l, &m, an->author));
		x->has_ref = an->has_ref;
		memcpy(x->ref, an->ref, 32);
		x->seq = an->seq;
		snprintf(x->what, sizeof x->what, "%s", an->what);
		a->n_anomalies++;
	}
	for (size_t i = 0; i < vr.bad_len; i++) {
		const struct verify_bad *b = &vr.bad[i];
		struct ctlop_r_audit_bad *x = &a->bad[a->n_bad];

		if (memcmp(b->network, j->network, 32) != 0 || (who && memcmp(b->author, who, 32) != 0))
			continue;
		memcpy(x->author, b->author, 32);
		snprintf(x->reason, sizeof x->reason, "%s", b->reason);
		x->seq = b->seq;
		a->n_bad++;
	}
	a->checked = vr.checked;
	for (size_t i = 0; i < l.n_com; i++)
		if (!who || involved(&m, &l.com[i], who) || ledger_is_party(&m, &l.com[i], who))
			if (ctl_work_commit_view(&a->commitments[a->n_commitments++], &l, &m, &l.com[i],
						 true, j->today) != 0)
				goto free_ledger;
	fc.out = a->forks;
	fc.cap = fc.n;
	fc.n = 0;
	store_forks(s, j->network, on_fork_row, &fc);
	a->n_forks = fc.n;
	if (witnessed_forks(a, &l, who) != 0)
		goto free_ledger;
	if ((j->rc = store_badsigs(s, j->network, on_badsig_row, &bc)) != 0)
		goto free_ledger;
	for (size_t i = 0; i < a->n_badsigs; i++)
		snprintf(a->badsigs[i].name, sizeof a->badsigs[i].name, "%s",
			 ledger_name(&l, &m, a->badsigs[i].author));
	a->ok = a->n_bad == 0 && a->n_forks == 0 && a->n_badsigs == 0;
	org_records(a, &l, &m, who, j->today);
	for (size_t i = 0; i < l.n_red; i++) {
		const struct ledger_redaction *r = &l.red[i];
		struct ctlop_r_redaction *x = &a->redactions[a->n_redactions];

		if (who && memcmp(r->author, who, 32) != 0)
			continue;
		x->at = r->at;
		memcpy(x->author, r->author, 32);
		snprintf(x->reason, sizeof x->reason, "%s", r->reason);
		memcpy(x->ref, r->ref, 32);
		x->seq = r->seq;
		a->n_redactions++;
	}
	j->rc = ctlop_reply_encode(CTLOP_R_AUDIT, a, &j->out);
free_ledger:
	ledger_free(&l);
free_roster:
	roster_free(&m);
free_verify:
	verify_result_free(&vr);
}

static void audit_work(uv_work_t *req)
{
	struct audit_job *j = req->data;
	struct store *s;

	j->rc = store_open(&s, j->db_path, true, j->why, sizeof j->why);
	if (j->rc != 0)
		return;
	store_sig_horizon(s, j->horizon);
	audit_build(j, s);
	ctlop_reply_free(CTLOP_R_AUDIT, &j->res);   /* encoded into j->out */
	if (j->rc != 0 && j->why[0] == '\0')
		snprintf(j->why, sizeof j->why, "%s", pakt_strerror(j->rc));
	store_close(s);
}

/* How far the walk is, to a client that asked (a line on its terminal),
 * when it moved. */
static void on_progress(uv_timer_t *t)
{
	struct audit_job *j = t->data;
	struct ctlop_r_progress p = {.done = j->done, .ok = true, .progress = true, .total = j->total};

	if (j->cl->closed || p.total == 0 || p.done == j->shown)
		return;
	j->shown = p.done;
	ctl_reply(j->cl, CTLOP_R_PROGRESS, &p);
}

static void on_timer_closed(uv_handle_t *h)
{
	free(h->data);
}

static void audit_done(uv_work_t *req, int status)
{
	struct audit_job *j = req->data;
	struct ctl_client *cl = j->cl;

	cl->busy = false;
	if (j->progress && !cl->closed && j->rc == 0)
		on_progress(&j->timer);         /* the last count, however quick the walk */
	if (cl->closed)
		ctl_client_free(cl);
	else if (status != 0 || j->rc != 0)
		ctl_send_error(cl, j->rc ? j->rc : PAKT_EIO, j->why[0] ? j->why : "the audit could not run");
	else
		ctl_client_send(cl, &j->out);
	mpx_free(&j->out);
	if (j->progress)
		uv_close((uv_handle_t *)&j->timer, on_timer_closed);
	else
		free(j);
}

void ctl_audit_run(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct repl_net *rn = ctl_network(cl, r);
	struct audit_job *j;

	if (rn == NULL)
		return;
	j = calloc(1, sizeof *j);
	if (j == NULL) {
		ctl_send_error(cl, PAKT_ENOMEM, N_("out of memory"));
		return;
	}
	j->has_author = r->u.audit.has_author;
	memcpy(j->author, r->u.audit.author, 32);
	j->today = ctl_work_today();
	j->req.data = j;
	j->cl = cl;
	memcpy(j->network, rn->id, 32);
	snprintf(j->db_path, sizeof j->db_path, "%s", cl->ctl->node->db_path);
	j->horizon = store_sig_horizon_get(cl->ctl->node->store);
	mpx_init(&j->out);
	if (uv_queue_work(cl->ctl->node->loop, &j->req, audit_work, audit_done) != 0) {
		mpx_free(&j->out);
		free(j);
		ctl_send_error(cl, PAKT_EIO, N_("could not start the audit"));
		return;
	}
	cl->busy = true;
	/* four times a second is enough for a line on a terminal */
	if (r->u.audit.progress) {
		j->progress = true;
		uv_timer_init(cl->ctl->node->loop, &j->timer);
		j->timer.data = j;
		uv_timer_start(&j->timer, on_progress, 250, 250);
	}
}
