/* The lifecycle of a commitment (proto/PROTOCOL.md, "Lifecycle"): the
 * order of its answers and statuses, which of them count, and what the
 * record says now. Part of core/ledger (ledger.h); pure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/ledger.h"
#include "core/ledger_priv.h"
#include "proto/err.h"

/* One answer or status of the commitment, while it is ordered. */
struct item {
	const uint8_t *author, *hash;
	uint64_t ts, seq, order;
	size_t grp;                     /* index of its author key in the groups */
	bool status;
	size_t idx;                     /* in c->resp or c->st */
	uint64_t *saw;                  /* per group: the highest seq its author's
					 * checkpoints before it named (0: none) */
	const char *what;               /* set when it breaks the lifecycle */
};

bool ledger_final_state(const char *state)
{
	return strcmp(state, "fulfilled") == 0 || strcmp(state, "missed") == 0 ||
	       strcmp(state, "withdrawn") == 0;
}

static int cp_cmp(const void *pa, const void *pb)
{
	const struct ledger_checkpoint *a = pa, *b = pb;
	int c = memcmp(a->author, b->author, 32);

	if (c != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void ledger_life_sort_checkpoints(struct ledger *l)
{
	if (l->n_cp > 1)
		qsort(l->cp, l->n_cp, sizeof *l->cp, cp_cmp);
}

/* The first checkpoint by author (checkpoints sorted by author, seq). */
static size_t first_cp(const struct ledger *l, const uint8_t author[32])
{
	size_t lo = 0, hi = l->n_cp;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(l->cp[mid].author, author, 32) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* What x's author had seen before x: per group, the highest seq named by
 * one of its checkpoints at a lower seq than x. */
static void fill_saw(const struct ledger *l, struct item *x, const uint8_t (*grp)[32], size_t n_grp)
{
	for (size_t i = first_cp(l, x->author);
	     i < l->n_cp && memcmp(l->cp[i].author, x->author, 32) == 0 && l->cp[i].seq < x->seq; i++)
		for (size_t j = 0; j < l->cp[i].n; j++)
			for (size_t g = 0; g < n_grp; g++)
				if (memcmp(l->cp[i].heads[j].author, grp[g], 32) == 0 &&
				    l->cp[i].heads[j].seq > x->saw[g])
					x->saw[g] = l->cp[i].heads[j].seq;
}

/* Canonical order before the lifecycle times exist: (timestamp, author,
 * seq), so one feed's entries come in their feed's order even when they
 * share a timestamp (one round then carries a whole feed). */
static int base_cmp(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	int c;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if ((c = memcmp(a->author, b->author, 32)) != 0)
		return c;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return memcmp(a->hash, b->hash, 32);
}

static int order_cmp(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;

	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return memcmp(a->hash, b->hash, 32);
}

/* Lifecycle times: y before x when x's author had seen y (same key and a
 * lower seq, or one of its earlier checkpoints names y's seq or later),
 * so x's time is past y's, whatever the timestamps say. Rounds over it[]
 * in base order, each time updated in place, until nothing changes or
 * LIFE_ROUNDS ran: a cycle (only lying checkpoints make one) or a long
 * chain against the timestamps stops there, the same on every node. */
#define LIFE_ROUNDS 16

static void lifecycle_times(struct item *it, size_t n)
{
	bool changed = true;

	for (size_t i = 0; i < n; i++)
		it[i].order = it[i].ts;
	for (size_t round = 0; changed && round < LIFE_ROUNDS; round++) {
		changed = false;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++) {
				const struct item *y = &it[j];
				struct item *x = &it[i];
				bool saw = y->grp == x->grp ? y->seq < x->seq : x->saw[y->grp] >= y->seq;

				if (i != j && saw && x->order <= y->order && y->order < UINT64_MAX) {
					x->order = y->order + 1;
					changed = true;
				}
			}
	}
}

/* Walk the history in lifecycle order and mark what counts; it[i].what
 * says why an entry that breaks the lifecycle has no effect (an answer a
 * later change replaced is history, not an anomaly). */
static void walk(const struct roster *m, struct ledger_commit *c, struct item *it, size_t n)
{
	bool closed = false;

	for (size_t i = 0; i < n; i++) {
		if (it[i].status) {
			struct ledger_status *s = &c->st[it[i].idx];

			s->order = it[i].order;
			s->counts = !closed || s->reopen;
			if (s->counts)
				closed = ledger_final_state(s->state);
			else
				s->breach = it[i].what =
					"status after a final status without a reopen marker (no effect)";
			continue;
		}
		struct ledger_response *r = &c->resp[it[i].idx];
		struct ledger_response *earlier = NULL;

		r->order = it[i].order;
		for (size_t k = 0; k < c->n_resp; k++)
			if (c->resp[k].counts && roster_same(m, c->resp[k].who, r->who))
				earlier = &c->resp[k];
		if (closed) {
			r->breach = it[i].what = "answer after a final status (no effect)";
		} else if (earlier != NULL && !r->change) {
			r->breach = it[i].what =
				"second answer without a change marker (no effect: the first answer stands)";
		} else {
			if (earlier != NULL)
				earlier->counts = false;
			r->counts = true;
		}
	}
}

static int resp_cmp(const void *pa, const void *pb)
{
	const struct ledger_response *a = pa, *b = pb;

	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return memcmp(a->hash, b->hash, 32);
}

static int st_cmp(const void *pa, const void *pb)
{
	const struct ledger_status *a = pa, *b = pb;

	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return memcmp(a->hash, b->hash, 32);
}

int ledger_life_apply(struct ledger *l, struct ledger_commit *c, ledger_life_report report, void *arg)
{
	size_t n = c->n_resp + c->n_st, n_grp = 0;
	uint8_t (*grp)[32] = NULL;
	struct item *it = NULL;
	uint64_t *saw = NULL;
	int rc = PAKT_ENOMEM;

	if (n == 0)
		return 0;
	if ((it = calloc(n, sizeof *it)) == NULL || (grp = calloc(n, 32)) == NULL)
		goto free_all;
	for (size_t i = 0; i < n; i++) {
		bool st = i >= c->n_resp;
		size_t k = st ? i - c->n_resp : i;
		struct item *x = &it[i];

		x->status = st;
		x->idx = k;
		x->author = st ? c->st[k].by : c->resp[k].who;
		x->hash = st ? c->st[k].hash : c->resp[k].hash;
		x->ts = st ? c->st[k].at : c->resp[k].at;
		x->seq = st ? c->st[k].seq : c->resp[k].seq;
		for (x->grp = 0; x->grp < n_grp && memcmp(grp[x->grp], x->author, 32) != 0; x->grp++)
			;
		if (x->grp == n_grp)
			memcpy(grp[n_grp++], x->author, 32);
	}
	if ((saw = calloc(n * n_grp, sizeof *saw)) == NULL)
		goto free_all;
	for (size_t i = 0; i < n; i++) {
		it[i].saw = &saw[i * n_grp];
		fill_saw(l, &it[i], (const uint8_t (*)[32])grp, n_grp);
	}
	qsort(it, n, sizeof *it, base_cmp);
	lifecycle_times(it, n);
	qsort(it, n, sizeof *it, order_cmp);
	for (size_t i = 0; i < c->n_resp; i++)
		c->resp[i].counts = false;
	walk(l->m, c, it, n);
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (it[i].what != NULL)
			rc = report(arg, it[i].author, it[i].seq, it[i].hash, it[i].what);
	if (c->n_resp > 1)
		qsort(c->resp, c->n_resp, sizeof *c->resp, resp_cmp);
	if (c->n_st > 1)
		qsort(c->st, c->n_st, sizeof *c->st, st_cmp);
free_all:
	free(saw);
	free(grp);
	free(it);
	return rc;
}

const struct ledger_status *ledger_latest_status(const struct ledger_commit *c)
{
	for (size_t i = c->n_st; i > 0; i--)
		if (c->st[i - 1].counts)
			return &c->st[i - 1];
	return NULL;
}

const char *ledger_outcome(const struct ledger_commit *c, int64_t today, const char **state)
{
	const struct ledger_status *last = ledger_latest_status(c);

	*state = last ? last->state : "none";
	if (last && strcmp(last->state, "withdrawn") == 0)
		return "withdrawn";
	if (last && strcmp(last->state, "fulfilled") == 0)
		return (int64_t)(last->at / 86400000u) <= c->due_day ? "kept" : "late";
	if (last && strcmp(last->state, "missed") == 0)
		return "missed";
	return today > c->due_day ? "overdue" : "open";
}

const struct ledger_response *ledger_answer(const struct roster *m, const struct ledger_commit *c,
					    const uint8_t party[32])
{
	for (size_t i = c->n_resp; i > 0; i--)
		if (c->resp[i - 1].counts && roster_same(m, c->resp[i - 1].who, party))
			return &c->resp[i - 1];
	return NULL;
}

int ledger_check_answer(const struct roster *m, const struct ledger_commit *c, const uint8_t key[32],
			bool accept, bool change, char *why, size_t whylen)
{
	const struct ledger_status *last = ledger_latest_status(c);
	const struct ledger_response *r = ledger_answer(m, c, key);

	if (last && ledger_final_state(last->state)) {
		snprintf(why, whylen, "the commitment is %s (a final status): no answer after it, unless "
			 "it is reopened first (pakt progress ID STATE --reopen)", last->state);
		return PAKT_EPERM;
	}
	if (r && !change) {
		snprintf(why, whylen, "this organisation already %s this commitment; use --change to "
			 "change its answer", r->accepted ? "accepted" : "declined");
		return PAKT_EPERM;
	}
	if (!r && change) {
		snprintf(why, whylen, "nothing to change: this organisation has not answered this "
			 "commitment yet (leave out --change)");
		return PAKT_EPERM;
	}
	(void)accept;
	return 0;
}

int ledger_check_status(const struct ledger_commit *c, bool reopen, char *why, size_t whylen)
{
	const struct ledger_status *last = ledger_latest_status(c);

	if (last && ledger_final_state(last->state) && !reopen) {
		snprintf(why, whylen, "the commitment is %s (a final status); use --reopen to reopen it",
			 last->state);
		return PAKT_EPERM;
	}
	return 0;
}
