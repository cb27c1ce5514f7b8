/* sim --ebt: the epidemic broadcast tree rules of core/ebt over a
 * simulated mesh, one seeded PRNG, 1 ms ticks. It models what paktd's
 * session glue (daemon/session_ebt.c) does with them: 12 nodes, each
 * dialling 3 (a ring and two random chords: connected even without one
 * node), one feed per node; a link pushes entries of a feed the peer has
 * not made lazy, else notes (held 5 ms); FIFO links with random delays;
 * duplicates prune, late notes and lost links graft.
 *
 * Checks, per seed: after warm-up posts, the entries received per entry
 * stored average at most SIM_EBT_REDUNDANCY; then a node that is some
 * node's eager link of a feed dies, posting goes on, and every live node
 * ends with every feed up to its author's head. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/ebt.h"
#include "tests/sim/sim.h"

#define EN 12                    /* nodes = feeds */
#define EDEG 3                   /* links each node dials */
#define ELINKS (EN * EDEG)
#define EMSGS 200000
#define SIM_EBT_REDUNDANCY 1.3
#define NOTE_MS 5
#define CHECK_MS 10

enum { M_ENTRIES, M_HAVE };

struct emsg {
	int type, link, to;          /* link index, receiving end (0: a, 1: b) */
	int feed;
	uint64_t first, last;        /* entries */
	uint64_t due;
	/* have: one item (feed) with its bits and seq */
	uint8_t due_bits;
	uint64_t seq;
};

struct elink {
	int end[2];                  /* node ids */
	bool up;
	struct ebt_link e[2];        /* each end's state */
	uint64_t cursor[2][EN];      /* end k: what the other end holds */
	uint64_t last_due[2];        /* FIFO per direction (towards end k) */
};

struct eworld {
	struct sim_rng rng;
	struct elink l[ELINKS];
	int n_links;
	uint64_t head[EN][EN];       /* node, feed */
	bool alive[EN];
	uint64_t flush_at[EN];       /* 0: nothing due */
	uint64_t in[EN], stored[EN]; /* entries received, entries stored from others */
	struct emsg *q;
	size_t n_q;
	uint64_t now;
	bool overflow;
};

static int end_of(const struct elink *l, int node)
{
	return l->end[0] == node ? 0 : 1;
}

static void send_msg(struct eworld *w, struct emsg m, int li, int to_end)
{
	struct elink *l = &w->l[li];
	uint64_t due = w->now + 1 + sim_below(&w->rng, 20);

	if (w->n_q == EMSGS) {
		w->overflow = true;
		return;
	}
	if (due < l->last_due[to_end])
		due = l->last_due[to_end];   /* TCP keeps the order */
	l->last_due[to_end] = due;
	m.link = li;
	m.to = to_end;
	m.due = due;
	w->q[w->n_q++] = m;
}

static void flush_in(struct eworld *w, int node, uint64_t ms)
{
	if (w->flush_at[node] == 0 || w->flush_at[node] > w->now + ms)
		w->flush_at[node] = w->now + ms;
}

/* The pump of one link end for one feed: entries if eager, else a note. */
static void pump(struct eworld *w, int li, int k, int feed)
{
	struct elink *l = &w->l[li];
	int node = l->end[k];
	uint64_t head = w->head[node][feed];

	if (!l->up || l->cursor[k][feed] >= head)
		return;
	if (ebt_sends(&l->e[k], (size_t)feed)) {
		send_msg(w, (struct emsg){.type = M_ENTRIES, .feed = feed,
					  .first = l->cursor[k][feed] + 1, .last = head}, li, !k);
		l->cursor[k][feed] = head;
		return;
	}
	ebt_on_head(&l->e[k], (size_t)feed, head, true);
	if (l->e[k].n_due > 0)
		flush_in(w, node, NOTE_MS);
}

static void pump_all(struct eworld *w, int node, int feed)
{
	for (int li = 0; li < w->n_links; li++)
		if (w->l[li].end[0] == node || w->l[li].end[1] == node)
			pump(w, li, end_of(&w->l[li], node), feed);
}

/* Links of node other than except that push feed to it. */
static size_t eager_elsewhere(struct eworld *w, int node, int except, int feed)
{
	size_t n = 0;

	for (int li = 0; li < w->n_links; li++) {
		struct elink *l = &w->l[li];

		if (li != except && l->up && (l->end[0] == node || l->end[1] == node) &&
		    ebt_receives(&l->e[end_of(l, node)], (size_t)feed))
			n++;
	}
	return n;
}

static void send_due(struct eworld *w, int node)
{
	struct ebt_item it[EN];

	for (int li = 0; li < w->n_links; li++) {
		struct elink *l = &w->l[li];
		int k;
		size_t n;

		if (!l->up || (l->end[0] != node && l->end[1] != node))
			continue;
		k = end_of(l, node);
		n = ebt_take_due(&l->e[k], it, EN);
		for (size_t i = 0; i < n; i++) {
			int f = (int)it[i].idx;
			uint64_t head = w->head[node][f];
			uint8_t bits = it[i].due;

			if ((bits & EBT_DUE_NOTE) && (ebt_sends(&l->e[k], it[i].idx) || l->cursor[k][f] >= head))
				bits &= (uint8_t)~EBT_DUE_NOTE;
			if (bits & EBT_DUE_NOTE)
				ebt_noted(&l->e[k], it[i].idx, head);
			if (bits)
				send_msg(w, (struct emsg){.type = M_HAVE, .feed = f, .due_bits = bits,
							  .seq = head}, li, !k);
		}
	}
}

static uint64_t head_fn(void *arg, size_t idx)
{
	return ((uint64_t *)arg)[idx];
}

static void deliver(struct eworld *w, const struct emsg *m)
{
	struct elink *l = &w->l[m->link];
	int k = m->to, node = l->end[k], f = m->feed;
	uint64_t *head = &w->head[node][f];

	if (!l->up || !w->alive[node])
		return;
	if (m->type == M_ENTRIES) {
		bool dup = m->first <= *head;

		w->in[node] += m->last - m->first + 1;
		if (m->last > *head && m->first <= *head + 1) {
			w->stored[node] += m->last - *head;
			*head = m->last;
		}
		if (l->cursor[k][f] < m->last)
			l->cursor[k][f] = m->last;   /* it has what it sent */
		if (ebt_on_batch(&l->e[k], (size_t)f, dup, eager_elsewhere(w, node, m->link, f)))
			flush_in(w, node, 0);
		pump_all(w, node, f);
		return;
	}
	if (m->due_bits & EBT_DUE_NOTE) {
		if (l->cursor[k][f] < m->seq)
			l->cursor[k][f] = m->seq;
		ebt_on_note(&l->e[k], (size_t)f, m->seq, *head, w->now);
	}
	if (m->due_bits & EBT_DUE_PRUNE) {
		ebt_on_prune(&l->e[k], (size_t)f, *head);
		flush_in(w, node, 0);
	}
	if (m->due_bits & EBT_DUE_GRAFT) {
		ebt_on_graft(&l->e[k], (size_t)f);
		l->cursor[k][f] = m->seq;
		pump(w, m->link, k, f);
	}
}

static void kill_node(struct eworld *w, int dead)
{
	w->alive[dead] = false;
	for (int li = 0; li < w->n_links; li++) {
		struct elink *l = &w->l[li];

		if (!l->up || (l->end[0] != dead && l->end[1] != dead))
			continue;
		l->up = false;
		/* the other end lost this link: session_ebt_closed */
		int k = !end_of(l, dead), node = l->end[k];
		struct ebt_link *links[ELINKS];
		int idx[ELINKS], n = 0;

		for (int o = 0; o < w->n_links; o++)
			if (w->l[o].up && (w->l[o].end[0] == node || w->l[o].end[1] == node)) {
				idx[n] = o;
				links[n++] = &w->l[o].e[end_of(&w->l[o], node)];
			}
		for (int f = 0; f < EN; f++) {
			long g;

			if (!ebt_receives(&l->e[k], (size_t)f) || (g = ebt_pick_graft(links, (size_t)n, (size_t)f)) < 0)
				continue;
			ebt_graft(links[g], (size_t)f);
			flush_in(w, node, 0);
			(void)idx;
		}
	}
}

static void step(struct eworld *w)
{
	/* deliver what is due (in order of the queue: FIFO per direction) */
	for (size_t i = 0; i < w->n_q;) {
		if (w->q[i].due <= w->now) {
			struct emsg m = w->q[i];

			memmove(&w->q[i], &w->q[i + 1], (w->n_q - i - 1) * sizeof m);
			w->n_q--;
			deliver(w, &m);
		} else {
			i++;
		}
	}
	if (w->now % CHECK_MS == 0)
		for (int li = 0; li < w->n_links; li++)
			for (int k = 0; k < 2 && w->l[li].up; k++) {
				int node = w->l[li].end[k];

				if (ebt_graft_late(&w->l[li].e[k], head_fn, w->head[node], w->now) > 0)
					flush_in(w, node, 0);
			}
	for (int node = 0; node < EN; node++)
		if (w->alive[node] && w->flush_at[node] && w->flush_at[node] <= w->now) {
			w->flush_at[node] = 0;
			send_due(w, node);
		}
	w->now++;
}

static void post(struct eworld *w, int node)
{
	w->head[node][node]++;
	pump_all(w, node, node);
}

static void run_until(struct eworld *w, uint64_t end, double posts_per_ms)
{
	while (w->now < end && !w->overflow) {
		if (posts_per_ms > 0 && sim_chance(&w->rng, posts_per_ms)) {
			int n = (int)sim_below(&w->rng, EN);

			if (w->alive[n])
				post(w, n);
		}
		step(w);
	}
}

static bool linked(struct eworld *w, int a, int b)
{
	for (int li = 0; li < w->n_links; li++)
		if ((w->l[li].end[0] == a && w->l[li].end[1] == b) ||
		    (w->l[li].end[0] == b && w->l[li].end[1] == a))
			return true;
	return a == b;
}

static void add_link(struct eworld *w, int a, int b)
{
	struct elink *l = &w->l[w->n_links++];

	memset(l, 0, sizeof *l);
	l->end[0] = a;
	l->end[1] = b;
	l->up = true;
	for (int k = 0; k < 2; k++) {
		ebt_link_init(&l->e[k]);
		(void)ebt_link_sync(&l->e[k], EN);
	}
}

static int one_seed(uint64_t seed, bool verbose, char *why, size_t whylen)
{
	struct eworld *w = calloc(1, sizeof *w);
	uint64_t in0[EN], st0[EN];
	double sum = 0;
	int k = 0, rc = 0, dead = -1, victim = -1;

	if (w == NULL || (w->q = malloc(EMSGS * sizeof *w->q)) == NULL) {
		snprintf(why, whylen, "out of memory");
		free(w);
		return 1;
	}
	sim_rng_seed(&w->rng, seed);
	for (int i = 0; i < EN; i++) {
		w->alive[i] = true;
		add_link(w, i, (i + 1) % EN);   /* the ring */
	}
	for (int i = 0; i < EN; i++)
		for (int c = 0; c < EDEG - 1; c++) {
			int j = (int)sim_below(&w->rng, EN);

			if (!linked(w, i, j))
				add_link(w, i, j);
		}
	/* warm-up: the trees settle */
	run_until(w, 3000, 0.02);
	run_until(w, 4000, 0);
	memcpy(in0, w->in, sizeof in0);
	memcpy(st0, w->stored, sizeof st0);
	run_until(w, 6000, 0.02);
	run_until(w, 7000, 0);
	for (int i = 0; i < EN; i++)
		if (w->stored[i] > st0[i]) {
			sum += (double)(w->in[i] - in0[i]) / (double)(w->stored[i] - st0[i]);
			k++;
		}
	if (k == 0 || sum / k > SIM_EBT_REDUNDANCY) {
		snprintf(why, whylen, "ebt: entries received per entry stored %.2f (limit %.1f)",
			 k ? sum / k : 0.0, SIM_EBT_REDUNDANCY);
		rc = 1;
	}
	if (verbose)
		printf("# ebt seed %" PRIu64 ": redundancy %.3f over %d nodes, %d links\n", seed,
		       k ? sum / k : 0.0, k, w->n_links);
	/* a node that is someone's eager link of another author's feed dies */
	for (int li = 0; li < w->n_links && dead < 0; li++)
		for (int e = 0; e < 2 && dead < 0; e++) {
			struct elink *l = &w->l[li];
			int node = l->end[e], peer = l->end[!e];

			for (int f = 0; f < EN && dead < 0; f++)
				if (f != peer && f != node && ebt_receives(&l->e[e], (size_t)f) &&
				    eager_elsewhere(w, node, li, f) == 0) {
					dead = peer;
					victim = node;
				}
		}
	if (dead >= 0)
		kill_node(w, dead);
	if (verbose)
		printf("# ebt seed %" PRIu64 ": node %d dies, the last eager link of node %d for a feed\n",
		       seed, dead, victim);
	run_until(w, 9000, 0.02);
	for (int f = 0; f < EN; f++)
		if (f != dead && w->alive[f])
			post(w, f);   /* every live feed moves after the death */
	run_until(w, 12000, 0);
	for (int n = 0; n < EN && rc == 0; n++)
		for (int f = 0; f < EN && rc == 0 && w->alive[n]; f++) {
			uint64_t want = f == dead ? w->head[victim][f] : w->head[f][f];

			if (f != dead && w->head[n][f] != want) {
				snprintf(why, whylen, "ebt: node %d holds feed %d up to %" PRIu64 ", its author %" PRIu64
					 " (node %d died, the eager link of node %d)", n, f, w->head[n][f], want,
					 dead, victim);
				rc = 1;
			}
		}
	if (verbose) {
		uint64_t total = 0;

		for (int n = 0; n < EN; n++)
			total += w->stored[n];
		printf("# ebt seed %" PRIu64 ": %" PRIu64 " entries stored from others in all\n", seed, total);
	}
	if (rc == 0 && w->overflow) {
		snprintf(why, whylen, "ebt: message queue overflow");
		rc = 1;
	}
	for (int li = 0; li < w->n_links; li++)
		for (int e = 0; e < 2; e++)
			ebt_link_free(&w->l[li].e[e]);
	free(w->q);
	free(w);
	return rc;
}

int sim_ebt_run(uint64_t first, uint64_t last, bool verbose)
{
	uint64_t failed = 0;
	char why[256];

	for (uint64_t s = first; s <= last; s++)
		if (one_seed(s, verbose, why, sizeof why) != 0) {
			failed++;
			printf("# seed %" PRIu64 " FAILED: %s\n# replay: tests/sim/sim --ebt --seed %" PRIu64 " -v\n",
			       s, why, s);
		}
	printf("# ebt: %" PRIu64 " seeds (%" PRIu64 "-%" PRIu64 "): %" PRIu64 " failed\n", last - first + 1,
	       first, last, failed);
	return failed ? 1 : 0;
}
