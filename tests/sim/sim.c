/* tests/sim/sim: runs seeds of the deterministic simulation (sim.h) and
 * prints, for a seed that breaks an invariant, the command that replays it.
 *
 *   sim [--seed S | --seeds A-B] [--nodes N] [--ticks T]
 *       [--attacks default|all|none|LIST] [--churn] [--drop-one [--expect-fail]] [-v]
 *
 * LIST is a comma-separated list of attack names (sim_strategy_names).
 * --churn: the admin also removes honest members for a while. Exit
 * 0 when every seed passed (with --expect-fail: when every seed failed).
 * -v: paktd's log, refused batches and every node's heads; SIM_DEBUG=1 in
 * the environment: each node's ledger. See README.md. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "proto/err.h"
#include "tests/sim/sim.h"
#include "tests/sim/sim_clock.h"

/* ---- PRNG: xoshiro256** seeded through splitmix64 ---- */

void sim_rng_seed(struct sim_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		uint64_t z = (seed += 0x9e3779b97f4a7c15ull);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		r->s[i] = z ^ (z >> 31);
	}
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t sim_rand(struct sim_rng *r)
{
	uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

uint32_t sim_below(struct sim_rng *r, uint32_t n)
{
	return n ? (uint32_t)((sim_rand(r) >> 32) * n >> 32) : 0;
}

bool sim_chance(struct sim_rng *r, double p)
{
	return (double)(sim_rand(r) >> 11) * 0x1.0p-53 < p;
}

/* ---- the network ---- */

void sim_set_clock(struct sim_world *w, uint64_t ms)
{
	sim_clock_ms = ms;
	for (int i = 0; i < w->n; i++)
		if (w->m[i].sn)
			sim_node_set_time(w->m[i].sn, ms);
}

void sim_fail(struct sim_world *w, const char *fmt, ...)
{
	va_list ap;

	if (w->failure[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(w->failure, sizeof w->failure, fmt, ap);
	va_end(ap);
}

/* Whether a admits b: an honest node talks to members only (to the admin
 * who invited it, before it holds the genesis); a dishonest one to all. */
static bool admits(struct sim_world *w, int a, int b)
{
	struct sim_member *x = &w->m[a];

	if (x->strategy != SIM_HONEST)
		return true;
	if (!sim_node_has_roster(x->sn, w->net))
		return b == 0;
	return sim_node_is_member(x->sn, w->net, w->m[b].key);
}

bool sim_link_up(struct sim_world *w, int a, int b)
{
	return a != b && w->m[a].alive && w->m[b].alive && w->m[a].side == w->m[b].side &&
	       admits(w, a, b) && admits(w, b, a);
}

static void msg_free(struct sim_msg *m)
{
	for (size_t i = 0; i < m->n; i++)
		sim_wire_free(&m->w[i]);
	free(m->w);
	free(m->heads);
	memset(m, 0, sizeof *m);
}

/* Takes m's contents; they are freed if the link is down or m is lost. */
void sim_send(struct sim_world *w, struct sim_msg *m)
{
	if (!sim_link_up(w, m->from, m->to) || (!w->quiet && sim_chance(&w->rng, w->loss))) {
		msg_free(m);
		return;
	}
	if (w->nq == w->capq) {
		size_t cap = w->capq ? w->capq * 2 : 256;
		struct sim_msg *v = realloc(w->q, cap * sizeof *v);

		if (v == NULL)
			abort();
		w->q = v;
		w->capq = cap;
	}
	m->due = w->tick + 1 + sim_below(&w->rng, w->delay_max);
	m->id = w->next_id++;
	w->q[w->nq++] = *m;
	w->sent++;
	memset(m, 0, sizeof *m);
}

void sim_send_entries(struct sim_world *w, int from, int to, struct sim_wire *v, size_t n)
{
	struct sim_msg m = {.type = SIM_MSG_ENTRIES, .from = from, .to = to, .w = v, .n = n};

	sim_send(w, &m);
}

/* Every feed a node holds (malloc'd; *n gets the count). */
static struct sim_head *heads_of(struct sim_world *w, int i, size_t *n)
{
	size_t count = sim_node_heads(w->m[i].sn, w->net, NULL, 0);
	struct sim_head *v;

	if (count > SIM_HEADS_MAX)
		count = SIM_HEADS_MAX;
	v = malloc((count + 1) * sizeof *v);
	if (v == NULL)
		abort();
	sim_node_heads(w->m[i].sn, w->net, v, count);
	*n = count;
	return v;
}

static void send_clock(struct sim_world *w, int a, int b)
{
	struct sim_msg m = {.type = SIM_MSG_CLOCK, .from = a, .to = b};

	m.heads = heads_of(w, a, &m.n_heads);
	sim_send(w, &m);
}

/* Node i's proof that author forked, to node p. */
static void send_fork_proof(struct sim_world *w, int i, int p, const uint8_t author[32])
{
	struct sim_msg m = {.type = SIM_MSG_FORK, .from = i, .to = p, .n = 2};

	m.w = calloc(2, sizeof *m.w);
	if (m.w == NULL)
		abort();
	if (sim_node_fork_proof(w->m[i].sn, w->net, author, &m.w[0], &m.w[1]) != 0) {
		free(m.w);
		sim_badsig_send(w, i, p, author);   /* stopped by a bad-signature proof */
		return;
	}
	sim_send(w, &m);
}

static void gossip_fork(struct sim_world *w, int i, const uint8_t author[32], int except)
{
	for (int p = 0; p < w->n; p++)
		if (p != i && p != except && sim_link_up(w, i, p))
			send_fork_proof(w, i, p, author);
}

/* A peer's clock: send it what it lacks of each feed, oldest first, in
 * batches of one feed each (session_pump). */
static void on_clock(struct sim_world *w, struct sim_msg *m)
{
	int b = m->to;
	size_t n;
	struct sim_head *mine = heads_of(w, b, &n);

	for (size_t i = 0; i < n; i++) {
		uint64_t has = 0;
		bool skip = false;

		for (size_t k = 0; k < m->n_heads; k++)
			if (memcmp(m->heads[k].author, mine[i].author, 32) == 0) {
				has = m->heads[k].seq;
				skip = m->heads[k].forked;
			}
		uint64_t top = sim_node_relay_seq(w->m[b].sn, w->net, mine[i].author);

		/* a fork the peer's clock does not skip: its proof
		 * (peer_fork_proof_due; per clock here, as links have no
		 * connections: the peer's next clock skips the feed) */
		if (mine[i].forked && !skip)
			send_fork_proof(w, b, m->from, mine[i].author);

		for (int chunk = 0; !skip && has < top && chunk < 4; chunk++) {
			struct sim_wire *v = calloc(SIM_CHUNK, sizeof *v);
			size_t got = 0, max = top - has < SIM_CHUNK ? (size_t)(top - has) : SIM_CHUNK;

			if (v == NULL)
				abort();
			sim_node_range(w->m[b].sn, w->net, mine[i].author, has + 1, max, v, &got);
			if (got == 0) {
				free(v);
				break;
			}
			has += got;
			sim_act_relay(w, b, v, got);
			sim_send_entries(w, b, m->from, v, got);
		}
	}
	free(mine);
}

static bool drop_this(struct sim_world *w, int to, const struct sim_wire *e);

static bool on_entries(struct sim_world *w, struct sim_msg *m)
{
	struct sim_member *to = &w->m[m->to], *from = &w->m[m->from];
	const uint8_t **wire = calloc(m->n + 1, sizeof *wire);
	size_t *len = calloc(m->n + 1, sizeof *len), k = 0;
	struct sim_ingest r;

	if (wire == NULL || len == NULL)
		abort();
	for (size_t i = 0; i < m->n; i++) {
		if (drop_this(w, m->to, &m->w[i]))
			continue;
		wire[k] = m->w[i].buf;
		len[k++] = m->w[i].len;
	}
	sim_node_ingest(to->sn, w->net, from->key, wire, len, k, &r);
	if (r.rc == 0 && to->strategy != SIM_HONEST)
		sim_act_took(w, m->to, wire, len, k);
	/* honest nodes send each other only what they stored: a refusal
	 * other than a fork's broken chain is a bug */
	if (r.rc != 0 && r.rc != PAKT_ECHAIN && to->strategy == SIM_HONEST &&
	    from->strategy == SIM_HONEST)
		sim_fail(w, "tick %llu: node %d refused a batch of honest node %d: %s",
			 (unsigned long long)w->tick, m->to, m->from, r.why);
	if (w->o->verbose && r.rc != 0)
		fprintf(stderr, "# tick %llu: %d refused %zu from %d: %s\n",
			(unsigned long long)w->tick, m->to, k, m->from, r.why);
	if (r.hint.buf != NULL && to->hints[m->from] < 4) {
		struct sim_wire *v = malloc(sizeof *v);

		if (v == NULL)
			abort();
		*v = r.hint;
		to->hints[m->from]++;
		sim_send_entries(w, m->to, m->from, v, 1);
	} else {
		sim_wire_free(&r.hint);
	}
	for (size_t i = 0; i < r.n_forked; i++)
		gossip_fork(w, m->to, r.forked[i], -1);
	free(wire);
	free(len);
	return r.changed;
}

static bool on_fork(struct sim_world *w, struct sim_msg *m)
{
	bool news = false;

	if (sim_node_take_fork(w->m[m->to].sn, w->net, &m->w[0], &m->w[1], &news) != 0) {
		if (w->m[m->from].strategy == SIM_HONEST)
			sim_fail(w, "node %d refused a fork proof from honest node %d", m->to, m->from);
		return false;
	}
	if (news) {
		/* pass the proof on as received */
		for (int p = 0; p < w->n; p++) {
			struct sim_msg f = {.type = SIM_MSG_FORK, .from = m->to, .to = p, .n = 2};

			if (p == m->to || p == m->from || !sim_link_up(w, m->to, p))
				continue;
			f.w = calloc(2, sizeof *f.w);
			if (f.w == NULL)
				abort();
			for (int i = 0; i < 2; i++) {
				f.w[i].buf = malloc(m->w[i].len);
				if (f.w[i].buf == NULL)
					abort();
				memcpy(f.w[i].buf, m->w[i].buf, m->w[i].len);
				f.w[i].len = m->w[i].len;
			}
			sim_send(w, &f);
		}
	}
	return news;
}

/* --drop-one: node 1 never takes the admin's entry at seq 3 (a bug that
 * loses one entry): the convergence check must see it on every seed. */
static bool drop_this(struct sim_world *w, int to, const struct sim_wire *e)
{
	struct sim_wire v = {0};
	size_t n = 0;
	bool same;

	if (!w->o->drop_one || to != 1)
		return false;
	sim_node_range(w->m[0].sn, w->net, w->m[0].key, 3, 1, &v, &n);
	same = n == 1 && v.len == e->len && memcmp(v.buf, e->buf, e->len) == 0;
	sim_wire_free(&v);
	return same;
}

static int by_due(const void *pa, const void *pb)
{
	const struct sim_msg *a = pa, *b = pb;

	if (a->due != b->due)
		return a->due < b->due ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Deliver what is due (a message to a node that went down is lost).
 * Returns how many deliveries changed what a node holds. */
static size_t deliver(struct sim_world *w)
{
	struct sim_msg *due;
	size_t n = 0, keep = 0, changed = 0;

	for (size_t i = 0; i < w->nq; i++)
		n += w->q[i].due <= w->tick;
	if (n == 0)
		return sim_badsig_settle(w);
	due = malloc(n * sizeof *due);
	if (due == NULL)
		abort();
	n = 0;
	for (size_t i = 0; i < w->nq; i++) {
		if (w->q[i].due <= w->tick)
			due[n++] = w->q[i];
		else
			w->q[keep++] = w->q[i];
	}
	w->nq = keep;
	qsort(due, n, sizeof *due, by_due);
	for (size_t i = 0; i < n; i++) {
		struct sim_msg *m = &due[i];

		if (sim_link_up(w, m->from, m->to)) {
			if (m->type == SIM_MSG_CLOCK)
				on_clock(w, m);
			else if (m->type == SIM_MSG_ENTRIES)
				changed += on_entries(w, m);
			else if (m->type == SIM_MSG_BADSIG)
				changed += sim_badsig_take(w, m);
			else
				changed += on_fork(w, m);
		}
		msg_free(m);
	}
	free(due);
	return changed + sim_badsig_settle(w);
}

/* Partitions, restarts and the clocks each link exchanges. */
static void network_tick(struct sim_world *w)
{
	if (!w->quiet && sim_chance(&w->rng, 0.02)) {
		w->partitioned = !w->partitioned && sim_chance(&w->rng, 0.7);
		for (int i = 0; i < w->n; i++)
			w->m[i].side = w->partitioned ? (int)sim_below(&w->rng, 2) : 0;
	}
	for (int i = 0; i < w->n; i++) {
		struct sim_member *x = &w->m[i];

		if (!x->alive && (w->quiet || w->tick >= x->up_at)) {
			x->alive = true;
			if (sim_node_restart(x->sn) != 0)
				sim_fail(w, "node %d could not restart", i);
		} else if (x->alive && !w->quiet && sim_chance(&w->rng, 0.004)) {
			x->alive = false;     /* what was in flight to it is lost */
			x->up_at = w->tick + 1 + sim_below(&w->rng, 50);
		}
	}
	if (w->tick % 100 == 0)
		for (int a = 0; a < w->n; a++)
			memset(w->m[a].hints, 0, sizeof w->m[a].hints);
	for (int a = 0; a < w->n; a++)
		for (int b = 0; b < w->n; b++)
			if (a != b && w->tick >= w->m[a].next_clock[b]) {
				w->m[a].next_clock[b] = w->tick + 5 + sim_below(&w->rng, 10);
				send_clock(w, a, b);
			}
}

static void world_free(struct sim_world *w)
{
	for (size_t i = 0; i < w->nq; i++)
		msg_free(&w->q[i]);
	free(w->q);
	for (int i = 0; i < w->n; i++)
		sim_node_close(w->m[i].sn);
}

/* One seed: chaos, then quiet until nothing moves, then the invariants. */
static int run(const struct sim_opts *o, char *why, size_t whylen)
{
	struct sim_world w = {.o = o};
	uint64_t idle = 0, idle_need, end;
	int rc;

	sim_rng_seed(&w.rng, o->seed);
	w.n = o->nodes ? o->nodes : 3 + (int)sim_below(&w.rng, 4);
	w.loss = sim_chance(&w.rng, 0.5) ? 0.2 * (double)sim_below(&w.rng, 100) / 100.0 : 0;
	w.delay_max = 1 + sim_below(&w.rng, 20);
	sim_clock_ms = sim_now(&w);   /* the nodes do not exist yet */
	rc = sim_act_setup(&w);
	if (rc != 0) {
		snprintf(why, whylen, "setup: %s", pakt_strerror(rc));
		goto free_world;
	}
	for (; w.tick < o->ticks && w.failure[0] == '\0'; w.tick++) {
		sim_set_clock(&w, sim_now(&w));
		network_tick(&w);
		deliver(&w);
		for (int i = 0; i < w.n; i++)
			if (w.m[i].alive)
				sim_act_tick(&w, i);
	}
	/* heal: everyone up, no loss or partition; stop once a few rounds of
	 * clocks changed nothing anywhere (a forker may go on sending what
	 * is refused) */
	w.quiet = true;
	w.partitioned = false;
	for (int i = 0; i < w.n; i++)
		w.m[i].side = 0;
	end = w.tick + 4000;
	/* a change reaches a peer within a clock interval and two deliveries */
	idle_need = 2 * (16 + 2 * (uint64_t)w.delay_max);
	for (; w.tick < end && idle < idle_need && w.failure[0] == '\0'; w.tick++) {
		sim_set_clock(&w, sim_now(&w));
		network_tick(&w);
		idle = deliver(&w) == 0 ? idle + 1 : 0;
	}
	if (o->verbose) {
		fprintf(stderr, "# seed %llu: %d nodes (", (unsigned long long)o->seed, w.n);
		for (int i = 0; i < w.n; i++)
			fprintf(stderr, "%s%s", i ? " " : "", sim_strategy_names[w.m[i].strategy]);
		fprintf(stderr, "), loss %.2f, delay <= %u ticks, %llu entries signed, %llu messages, quiet at tick %llu\n",
			w.loss, w.delay_max, (unsigned long long)w.authored, (unsigned long long)w.sent,
			(unsigned long long)w.tick);
	}
	if (w.failure[0] != '\0') {
		snprintf(why, whylen, "%s", w.failure);
		rc = 1;
	} else if (idle < idle_need) {
		snprintf(why, whylen, "the mesh did not settle within 4000 ticks of quiet");
		rc = 1;
	} else {
		sim_set_clock(&w, sim_now(&w));
		rc = sim_badsig_final(&w, why, whylen);
		if (rc == 0)
			rc = sim_check(&w, why, whylen);
	}
free_world:
	world_free(&w);
	sim_clock_ms = 0;
	return rc;
}

static int parse_attacks(const char *s, unsigned *out)
{
	char buf[256], *save = NULL;

	if (strcmp(s, "default") == 0)
		*out = SIM_ATTACKS_DEFAULT;
	else if (strcmp(s, "all") == 0)
		*out = SIM_ATTACKS_ALL;
	else if (strcmp(s, "none") == 0)
		*out = 0;
	else {
		*out = 0;
		snprintf(buf, sizeof buf, "%s", s);
		for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			int k = 1;

			while (k < SIM_STRATEGIES && strcmp(t, sim_strategy_names[k]) != 0)
				k++;
			if (k == SIM_STRATEGIES)
				return -1;
			*out |= 1u << k;
		}
	}
	return 0;
}

static void attacks_text(unsigned a, char *out, size_t cap)
{
	size_t used = 0;

	out[0] = '\0';
	if (a == SIM_ATTACKS_DEFAULT || a == SIM_ATTACKS_ALL) {
		snprintf(out, cap, "%s", a == SIM_ATTACKS_ALL ? "all" : "default");
		return;
	}
	for (int k = 1; k < SIM_STRATEGIES; k++)
		if (a & (1u << k))
			used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? "," : "",
						 sim_strategy_names[k]);
	if (used == 0)
		snprintf(out, cap, "none");
}

static int usage(void)
{
	fprintf(stderr, "usage: sim [--seed S | --seeds A-B] [--nodes N] [--ticks T] "
		"[--attacks default|all|none|LIST] [--churn] [--drop-one [--expect-fail]] [-v]\n"
		"       sim --ebt [--seed S | --seeds A-B] [-v]\nattacks:");
	for (int k = 1; k < SIM_STRATEGIES; k++)
		fprintf(stderr, " %s", sim_strategy_names[k]);
	fprintf(stderr, "\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct sim_opts o = {.attacks = SIM_ATTACKS_DEFAULT, .ticks = SIM_TICKS_DEFAULT};
	uint64_t first = 1, last = 1, failed = 0;
	bool expect_fail = false, ebt = false;
	char why[1024], attacks[128];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--seed") == 0 && v)
			first = last = strtoull(v, NULL, 10), i++;
		else if (strcmp(a, "--seeds") == 0 && v && sscanf(v, "%" SCNu64 "-%" SCNu64, &first, &last) == 2)
			i++;
		else if (strcmp(a, "--nodes") == 0 && v && (atoi(v) == 0 || (atoi(v) >= 3 && atoi(v) <= SIM_NODES_MAX)))
			o.nodes = atoi(v), i++;
		else if (strcmp(a, "--ticks") == 0 && v)
			o.ticks = strtoull(v, NULL, 10), i++;
		else if (strncmp(a, "--attacks=", 10) == 0 && parse_attacks(a + 10, &o.attacks) == 0)
			;
		else if (strcmp(a, "--attacks") == 0 && v && parse_attacks(v, &o.attacks) == 0)
			i++;
		else if (strcmp(a, "--churn") == 0)
			o.churn = true;
		else if (strcmp(a, "--drop-one") == 0)
			o.drop_one = true;
		else if (strcmp(a, "--expect-fail") == 0)
			expect_fail = true;
		else if (strcmp(a, "-v") == 0)
			o.verbose = true;
		else if (strcmp(a, "--ebt") == 0)
			ebt = true;
		else
			return usage();
	}
	if (ebt && first <= last)
		return sim_ebt_run(first, last, o.verbose);
	if (first > last || sim_node_global_init(o.verbose) != 0)
		return usage();
	attacks_text(o.attacks, attacks, sizeof attacks);
	for (uint64_t s = first; s <= last; s++) {
		o.seed = s;
		why[0] = '\0';
		if (run(&o, why, sizeof why) == 0) {
			if (expect_fail)
				printf("# seed %" PRIu64 " passed, but it should have failed (--drop-one)\n", s);
			failed += expect_fail;
			continue;
		}
		if (expect_fail)
			continue;
		failed++;
		printf("# seed %" PRIu64 " FAILED: %s\n", s, why);
		printf("# replay: tests/sim/sim --seed %" PRIu64 " --attacks=%s", s, attacks);
		if (o.nodes)
			printf(" --nodes %d", o.nodes);
		if (o.ticks != SIM_TICKS_DEFAULT)
			printf(" --ticks %" PRIu64, o.ticks);
		printf("%s%s\n", o.churn ? " --churn" : "", o.drop_one ? " --drop-one" : "");
	}
	printf("# %" PRIu64 " seeds (%" PRIu64 "-%" PRIu64 "), attacks %s: %" PRIu64 " %s\n",
	       last - first + 1, first, last, attacks, failed, expect_fail ? "not detected" : "failed");
	return failed ? 1 : 0;
}
