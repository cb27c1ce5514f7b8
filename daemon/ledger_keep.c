/* Ledgers kept up to date (see ledger_keep.h).
 *
 * Happy path: ledger_keep_new queues a build of each initiative's ledger
 * in the thread pool, on its own read-only connection (the loop goes on
 * meanwhile); when it is done the loop adds the rows stored since. Each
 * NODE_EV_CHECKED then adds the rows checked after the last one read
 * (messages cost a row read, no decoding), and ledger_keep_get settles
 * (answers and statuses only).
 * Failure modes: a row that changes what counts (roster types, redact), a
 * body filled in (store_fills), a NODE_EV_MEMBERS, or a failed read marks
 * the ledger stale and queues a build; a build whose store changed that
 * way meanwhile is dropped and queued again. A get while the pool builds
 * returns no ledger: the caller waits (ledger_keep_wait) and asks again;
 * a get that finds neither a ledger nor a build builds it on the loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include "daemon/ledger_keep.h"
#include "daemon/ledger_load.h"
#include "daemon/log.h"
#include "daemon/members.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "proto/err.h"

/* The event that tells of entries readers may see: switch here if that
 * event changes (e.g. to entries whose signature was checked). */
#define LEDGER_KEEP_EVENT NODE_EV_CHECKED

/* A ledger and the roster it borrows, allocated so that they can be built
 * in the pool and handed over whole. */
struct built {
	struct roster m;
	struct ledger l;
	int64_t rowid;                  /* the last row added to l */
};

struct waiter {
	struct waiter *next;
	void (*fn)(void *arg);
	void *arg;
};

struct kept {
	struct kept *next;
	struct waiter *waiters;         /* called when the build in the pool ends */
	struct ledger_source src;       /* holdings' arg: lives as long as the kept */
	struct built *b;                /* NULL: none */
	uint64_t fills;                 /* store_fills when b was started */
	bool stale;                     /* b (if any) is wrong: build again */
	struct build_job *job;          /* a build running in the pool, or NULL */
};

struct ledger_keep {
	struct node *n;
	struct kept *nets;
	unsigned jobs;                  /* builds in the pool */
	bool closing;                   /* freed when the last job is done */
};

struct build_job {
	uv_work_t req;
	struct ledger_keep *k;
	struct kept *kp;                /* NULL once its result is not wanted */
	struct ledger_source *src;      /* kp's: network read in the pool, never freed before the job */
	char db_path[DATADIR_PATH_MAX];
	int64_t horizon;                /* the loop's store_sig_horizon when queued */
	struct built *b;
	int rc;
};

static void built_free(struct built *b)
{
	if (b != NULL) {
		ledger_free(&b->l);
		roster_free(&b->m);
		free(b);
	}
}

/* A ledger of src's entries up to now, read on store s. 0 or an error. */
static int build(struct built **out, struct store *s, struct ledger_source *src)
{
	struct built *b = calloc(1, sizeof *b);
	struct ledger_source here = *src;
	struct ledger_holdings h;
	int rc;

	if (b == NULL)
		return PAKT_ENOMEM;
	here.s = s;
	if ((rc = members_load(&b->m, s, src->network)) != 0) {
		roster_free(&b->m);
		free(b);
		return rc;
	}
	ledger_init(&b->l, &b->m);
	/* witness claims are asked on the loop, of its connection: src */
	ledger_load_holdings(&h, src);
	ledger_use_holdings(&b->l, &h);
	if ((rc = ledger_load_more(&b->l, &here, &b->rowid, NULL)) != 0) {
		built_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

/* Tell those waiting for kp's build that it ended. */
static void kept_wake(struct kept *kp)
{
	while (kp->waiters != NULL) {
		struct waiter *w = kp->waiters;

		kp->waiters = w->next;
		w->fn(w->arg);
		free(w);
	}
}

static void kept_free(struct kept *kp)
{
	kept_wake(kp);
	built_free(kp->b);
	free(kp);
}

static void keep_release(struct ledger_keep *k)
{
	while (k->nets != NULL) {
		struct kept *kp = k->nets;

		k->nets = kp->next;
		kept_free(kp);
	}
	free(k);
}

static void job_work(uv_work_t *req)
{
	struct build_job *j = req->data;
	struct store *s;
	char why[256];

	if ((j->rc = store_open(&s, j->db_path, true, why, sizeof why)) != 0)
		return;
	/* rows whose signatures still wait are not read: the loop adds them
	 * when NODE_EV_CHECKED says they count */
	store_sig_horizon(s, j->horizon);
	j->rc = build(&j->b, s, j->src);
	store_close(s);
}

static void kept_more(struct ledger_keep *k, struct kept *kp);
static void kept_queue(struct ledger_keep *k, struct kept *kp);

static void job_done(uv_work_t *req, int status)
{
	struct build_job *j = req->data;
	struct ledger_keep *k = j->k;
	struct kept *kp = j->kp;

	k->jobs--;
	if (k->closing || kp == NULL || status != 0 || j->rc != 0) {
		if (kp != NULL && !k->closing) {
			kp->job = NULL;
			log_warn("could not build an initiative's ledger: %s", pakt_strerror(j->rc));
		}
		built_free(j->b);
		if (kp != NULL)
			kept_wake(kp);          /* they build it on the loop, or fail */
	} else {
		kp->job = NULL;
		if (kp->stale) {                /* the store changed what counts meanwhile */
			kp->stale = false;
			built_free(j->b);
			kept_queue(k, kp);
		} else {
			built_free(kp->b);
			kp->b = j->b;
			kept_more(k, kp);
		}
		if (kp->job == NULL)
			kept_wake(kp);
	}
	free(j);
	if (k->closing && k->jobs == 0)
		keep_release(k);
}

/* Build kp's ledger in the pool (unless a build runs already). */
static void kept_queue(struct ledger_keep *k, struct kept *kp)
{
	struct build_job *j;

	if (kp->job != NULL)
		return;
	if ((j = calloc(1, sizeof *j)) == NULL)
		return;                 /* the next get builds it on the loop */
	j->req.data = j;
	j->k = k;
	j->kp = kp;
	j->src = &kp->src;
	snprintf(j->db_path, sizeof j->db_path, "%s", k->n->db_path);
	j->horizon = store_sig_horizon_get(k->n->store);
	kp->fills = store_fills(k->n->store);
	if (uv_queue_work(k->n->loop, &j->req, job_work, job_done) != 0) {
		free(j);
		return;
	}
	kp->job = j;
	k->jobs++;
}

static struct kept *kept_find(struct ledger_keep *k, const uint8_t network[32], bool create)
{
	struct kept *kp;

	for (kp = k->nets; kp != NULL; kp = kp->next)
		if (memcmp(kp->src.network, network, 32) == 0)
			return kp;
	if (!create || (kp = calloc(1, sizeof *kp)) == NULL)
		return NULL;
	kp->src.s = k->n->store;
	memcpy(kp->src.network, network, 32);
	kp->next = k->nets;
	k->nets = kp;
	return kp;
}

/* What counts changed: drop the ledger, build it again in the pool (a
 * build running now read too early: its result is dropped when done). */
static void kept_stale(struct ledger_keep *k, struct kept *kp)
{
	built_free(kp->b);
	kp->b = NULL;
	if (kp->job != NULL)
		kp->stale = true;
	else
		kept_queue(k, kp);
}

/* Add the rows stored since the last one read. */
static void kept_more(struct ledger_keep *k, struct kept *kp)
{
	bool rebuild = false;

	if (store_fills(k->n->store) != kp->fills ||
	    ledger_load_more(&kp->b->l, &kp->src, &kp->b->rowid, &rebuild) != 0 || rebuild)
		kept_stale(k, kp);
}

int ledger_keep_get(struct ledger_keep *k, struct repl_net *rn, const struct ledger **out)
{
	struct kept *kp = kept_find(k, rn->id, true);
	int rc;

	if (kp == NULL)
		return PAKT_ENOMEM;
	*out = NULL;
	if (kp->b != NULL)
		kept_more(k, kp);
	if (kp->b == NULL && kp->job != NULL)
		return 0;               /* the pool is building it: wait */
	if (kp->b == NULL) {            /* none, and no build: build it here */
		uint64_t t0 = node_now_ms();

		kp->stale = false;
		kp->fills = store_fills(k->n->store);
		if ((rc = build(&kp->b, k->n->store, &kp->src)) != 0)
			return rc;
		log_debug("ledger built on the loop in %llu ms (to row %lld)",
			  (unsigned long long)(node_now_ms() - t0), (long long)kp->b->rowid);
	}
	if ((rc = ledger_settle(&kp->b->l)) != 0) {
		roster_free(&kp->b->m);   /* settle freed the ledger */
		free(kp->b);
		kp->b = NULL;
		return rc;
	}
	*out = &kp->b->l;
	return 0;
}

int ledger_keep_wait(struct ledger_keep *k, struct repl_net *rn, void (*fn)(void *arg), void *arg)
{
	struct kept *kp = kept_find(k, rn->id, false);
	struct waiter *w;

	if (kp == NULL || kp->job == NULL) {
		fn(arg);                /* nothing to wait for */
		return 0;
	}
	if ((w = calloc(1, sizeof *w)) == NULL)
		return PAKT_ENOMEM;
	*w = (struct waiter){.next = kp->waiters, .fn = fn, .arg = arg};
	kp->waiters = w;
	return 0;
}

static void on_event(void *arg, const struct node_event *ev)
{
	struct ledger_keep *k = arg;
	struct kept *kp = ev->rn ? kept_find(k, ev->rn->id, false) : NULL;

	if (kp == NULL)
		return;
	if (ev->kind == NODE_EV_MEMBERS)
		kept_stale(k, kp);
	else if (ev->kind == LEDGER_KEEP_EVENT && kp->b != NULL)
		kept_more(k, kp);
}

int ledger_keep_new(struct ledger_keep **out, struct node *n)
{
	struct ledger_keep *k = calloc(1, sizeof *k);

	if (k == NULL)
		return PAKT_ENOMEM;
	k->n = n;
	if (node_listen(n, on_event, k) != 0) {
		free(k);
		return PAKT_ENOMEM;
	}
	/* every initiative's ledger, off the loop, before anyone asks */
	for (struct repl_net *rn = n->nets; rn != NULL; rn = rn->next) {
		struct kept *kp = kept_find(k, rn->id, true);

		if (kp != NULL)
			kept_queue(k, kp);
	}
	*out = k;
	return 0;
}

void ledger_keep_free(struct ledger_keep *k)
{
	if (k == NULL)
		return;
	node_unlisten(k->n, on_event, k);
	k->closing = true;
	if (k->jobs == 0)
		keep_release(k);
}
