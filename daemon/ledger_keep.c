/* Ledgers kept up to date (see ledger_keep.h).
 *
 * Happy path: the first ledger_keep_get of an initiative builds its ledger
 * from the store and settles it; each NODE_EV_STORED then adds the rows
 * stored after the last one read (messages cost a row read, no decoding);
 * the next get settles again (answers and statuses only).
 * Failure modes: a row that changes what counts (roster types, redact), a
 * body filled in (store_fills), a NODE_EV_MEMBERS, or a failed read marks
 * the ledger stale: the next get builds it afresh. */
#include <stdlib.h>
#include <string.h>
#include "daemon/ledger_keep.h"
#include "daemon/ledger_load.h"
#include "daemon/log.h"
#include "daemon/members.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "proto/err.h"

/* The event that tells of entries readers may see: switch here if that
 * event changes (e.g. to entries whose signature was checked). */
#define LEDGER_KEEP_EVENT NODE_EV_STORED

struct kept {
	struct kept *next;
	struct ledger_source src;       /* holdings' arg: lives as long as l */
	struct roster m;
	struct ledger l;
	int64_t rowid;                  /* the last row added to l */
	uint64_t fills;                 /* store_fills when l was built */
	bool built, stale;
};

struct ledger_keep {
	struct node *n;
	struct kept *nets;
};

static void kept_clear(struct kept *kp)
{
	if (kp->built) {
		ledger_free(&kp->l);
		roster_free(&kp->m);
	}
	kp->built = false;
	kp->stale = false;
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

/* Read the rows stored since the last one; stale if one changes the past. */
static void kept_more(struct ledger_keep *k, struct kept *kp)
{
	bool rebuild = false;

	if (store_fills(k->n->store) != kp->fills ||
	    ledger_load_more(&kp->l, &kp->src, &kp->rowid, &rebuild) != 0 || rebuild)
		kp->stale = true;
}

static int kept_build(struct ledger_keep *k, struct kept *kp)
{
	struct ledger_holdings h;
	int rc;

	kept_clear(kp);
	kp->fills = store_fills(k->n->store);
	kp->rowid = 0;
	if ((rc = members_load(&kp->m, k->n->store, kp->src.network)) != 0) {
		roster_free(&kp->m);
		return rc;
	}
	ledger_init(&kp->l, &kp->m);
	ledger_load_holdings(&h, &kp->src);
	ledger_use_holdings(&kp->l, &h);
	kp->built = true;
	if ((rc = ledger_load_more(&kp->l, &kp->src, &kp->rowid, NULL)) != 0)
		kept_clear(kp);
	return rc;
}

int ledger_keep_get(struct ledger_keep *k, struct repl_net *rn, const struct ledger **out)
{
	struct kept *kp = kept_find(k, rn->id, true);
	int rc;

	if (kp == NULL)
		return PAKT_ENOMEM;
	if (kp->built && !kp->stale)
		kept_more(k, kp);
	if (!kp->built || kp->stale) {
		uint64_t t0 = node_now_ms();

		if ((rc = kept_build(k, kp)) != 0)
			return rc;
		log_debug("ledger built in %llu ms (to row %lld)", (unsigned long long)(node_now_ms() - t0),
			  (long long)kp->rowid);
	}
	if ((rc = ledger_settle(&kp->l)) != 0) {
		kp->built = false;      /* settle freed the ledger */
		roster_free(&kp->m);
		return rc;
	}
	*out = &kp->l;
	return 0;
}

static void on_event(void *arg, const struct node_event *ev)
{
	struct ledger_keep *k = arg;
	struct kept *kp = ev->rn ? kept_find(k, ev->rn->id, false) : NULL;

	if (kp == NULL || !kp->built || kp->stale)
		return;
	if (ev->kind == LEDGER_KEEP_EVENT)
		kept_more(k, kp);
	else if (ev->kind == NODE_EV_MEMBERS)
		kp->stale = true;
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
	*out = k;
	return 0;
}

void ledger_keep_free(struct ledger_keep *k)
{
	if (k == NULL)
		return;
	node_unlisten(k->n, on_event, k);
	while (k->nets != NULL) {
		struct kept *kp = k->nets;

		k->nets = kp->next;
		kept_clear(kp);
		free(kp);
	}
	free(k);
}
