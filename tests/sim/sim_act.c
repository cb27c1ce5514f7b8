/* What the simulated members do: the admin founds the initiative, admits
 * and removes members; honest members post messages, updates,
 * commitments, answers and statuses; dishonest ones follow their strategy
 * (sim.h). Every choice comes from the world's PRNG. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "proto/body.h"
#include "proto/entry.h"
#include "proto/mpx.h"
#include "tests/sim/sim.h"
#include "tests/sim/sim_clock.h"

const char *const sim_strategy_names[SIM_STRATEGIES] = {
	"honest", "garbage", "fork", "future", "removed", "strip", "preredact", "flood", "backdate",
	"badsig",
};

static void seed32(struct sim_rng *r, uint8_t out[32])
{
	for (int i = 0; i < 4; i++) {
		uint64_t v = sim_rand(r);

		memcpy(out + 8 * i, &v, 8);
	}
}

static int append(struct sim_world *w, int i, const char *type, struct mpx_out *o,
		  uint8_t hash[32])
{
	int rc = sim_node_append(w->m[i].sn, w->net, type, (const uint8_t *)o->sb.data, o->sb.size,
				 hash);

	if (rc == 0)
		w->authored++;
	else
		sim_fail(w, "tick %llu: node %d could not append a %s: %d",
			 (unsigned long long)w->tick, i, type, rc);
	mpx_free(o);
	return rc;
}

/* The admin's member entry admitting (add) or removing node j. */
static bool admit(struct sim_world *w, int j, bool add)
{
	char name[16];
	int rc;

	snprintf(name, sizeof name, "org%d", j);
	rc = sim_node_member(w->m[0].sn, w->net, w->m[j].key, name, add,
			     w->m[j].strategy == SIM_BACKDATE, NULL, 0, NULL, 0);
	if (rc != 0)
		sim_fail(w, "tick %llu: the admin could not %s node %d: %d",
			 (unsigned long long)w->tick, add ? "admit" : "remove", j, rc);
	else
		w->authored++;
	return rc == 0;
}

/* A removed key is ended for good (PROTOCOL.md, "member"): the member
 * comes back as a new node under a new key, with an empty store. */
static int rekey(struct sim_world *w, int j)
{
	struct sim_member *y = &w->m[j];
	uint8_t seed[32];
	char name[16];
	int rc;

	seed32(&w->rng, seed);
	snprintf(name, sizeof name, "org%d", j);
	sim_node_close(y->sn);
	if ((rc = sim_node_open(&y->sn, seed, name)) == 0)
		rc = sim_node_join(y->sn, w->net);
	if (rc != 0) {
		sim_fail(w, "tick %llu: node %d could not start under a new key: %d",
			 (unsigned long long)w->tick, j, rc);
		return rc;
	}
	memcpy(y->key, sim_node_key(y->sn), 32);
	sim_node_set_time(y->sn, sim_now(w));
	w->rekeyed++;
	return 0;
}

/* The admin's schedule: admissions, removals, and honest members it
 * removes for a while and admits again under a new key. */
static void admin_tick(struct sim_world *w)
{
	for (int j = 1; j < w->n; j++) {
		struct sim_member *y = &w->m[j];

		if (!y->added && w->tick >= y->add_at) {
			y->added = admit(w, j, true);
		} else if (y->added && !y->removed && y->remove_at && w->tick >= y->remove_at) {
			y->removed = admit(w, j, false);
			w->removal_ts[j] = sim_now(w);
		} else if (y->added && !y->paused && y->pause_at && w->tick >= y->pause_at) {
			y->paused = admit(w, j, false);
			y->pause_at = 0;
		} else if (y->paused && w->tick >= y->readd_at) {
			y->paused = rekey(w, j) != 0 || !admit(w, j, true);
		}
	}
}

int sim_act_setup(struct sim_world *w)
{
	unsigned enabled[SIM_STRATEGIES], n_en = 0;
	struct body_agenda ag = {.n = 2};
	struct mpx_out o;
	int rc;

	for (int k = 1; k < SIM_STRATEGIES; k++)
		if (w->o->attacks & (1u << k))
			enabled[n_en++] = (unsigned)k;
	for (int i = 0; i < w->n; i++) {
		struct sim_member *x = &w->m[i];
		uint8_t seed[32];
		char name[16];

		seed32(&w->rng, seed);
		snprintf(name, sizeof name, "org%d", i);
		if ((rc = sim_node_open(&x->sn, seed, name)) != 0)
			return rc;
		memcpy(x->key, sim_node_key(x->sn), 32);
		sim_node_set_time(x->sn, sim_now(w));
		x->alive = true;
		/* node 0 (the admin) and node 1 stay honest */
		if (i >= 2 && n_en > 0 && sim_chance(&w->rng, 0.4))
			x->strategy = (enum sim_strategy)enabled[sim_below(&w->rng, n_en)];
		if (i >= 1 && sim_chance(&w->rng, 0.3))
			x->add_at = 10 + sim_below(&w->rng, (uint32_t)(w->o->ticks / 2));
		if (x->strategy == SIM_REMOVED || x->strategy == SIM_BACKDATE)
			x->remove_at = w->o->ticks / 4 + sim_below(&w->rng, (uint32_t)(w->o->ticks / 2));
		if (x->strategy == SIM_BACKDATE)
			x->add_at = 0;   /* an admin from the start */
		if (w->o->churn && x->strategy == SIM_HONEST && i >= 1 && sim_chance(&w->rng, 0.3)) {
			x->pause_at = x->add_at + 10 + sim_below(&w->rng, (uint32_t)(w->o->ticks / 3));
			x->readd_at = x->pause_at + 20 + sim_below(&w->rng, 60);
		}
		if (x->strategy == SIM_FUTURE)   /* when its clock jumps ahead */
			x->skew_at = sim_below(&w->rng, (uint32_t)w->o->ticks);
	}
	if ((rc = sim_node_create(w->m[0].sn, "sim", w->net)) != 0)
		return rc;
	w->authored += 2;
	w->m[0].added = true;
	for (int i = 1; i < w->n; i++)
		if ((rc = sim_node_join(w->m[i].sn, w->net)) != 0)
			return rc;
	snprintf(ag.goal, sizeof ag.goal, "simulated goal");
	snprintf(ag.ind[0].id, sizeof ag.ind[0].id, "served");
	snprintf(ag.ind[0].name, sizeof ag.ind[0].name, "people served");
	snprintf(ag.ind[0].unit, sizeof ag.ind[0].unit, "people");
	snprintf(ag.ind[1].id, sizeof ag.ind[1].id, "meals");
	snprintf(ag.ind[1].name, sizeof ag.ind[1].name, "meals");
	snprintf(ag.ind[1].unit, sizeof ag.ind[1].unit, "meals");
	mpx_init(&o);
	if ((rc = body_agenda(&o, &ag)) != 0 || (rc = append(w, 0, "agenda", &o, NULL)) != 0)
		return rc;
	for (int i = 1; i < w->n; i++)
		if (w->m[i].add_at == 0)
			w->m[i].added = admit(w, i, true);
	return w->failure[0] ? 1 : 0;
}

/* ---- honest posts ---- */

static void post(struct sim_world *w, int i)
{
	struct sim_member *x = &w->m[i];
	uint32_t what = sim_below(&w->rng, 100);
	struct mpx_out o;
	char text[64];
	int rc = 0;

	snprintf(text, sizeof text, "from %d at tick %llu", i, (unsigned long long)w->tick);
	mpx_init(&o);
	if (what < 40) {
		rc = body_message(&o, text, NULL);
		if (rc == 0)
			append(w, i, "message", &o, NULL);
	} else if (what < 60) {
		struct body_update u = {.n = 1};

		snprintf(u.period, sizeof u.period, "2026-01");
		snprintf(u.text, sizeof u.text, "%s", text);
		snprintf(u.v[0].indicator, sizeof u.v[0].indicator, "%s",
			 sim_chance(&w->rng, 0.5) ? "served" : "meals");
		u.v[0].value = (double)sim_below(&w->rng, 1000);
		rc = body_update(&o, &u);
		if (rc == 0)
			append(w, i, "update", &o, NULL);
	} else if (what < 75) {
		struct body_commitment c = {.n_parties = 1};

		snprintf(c.title, sizeof c.title, "%s", text);
		snprintf(c.due, sizeof c.due, "2026-0%u-15", 2 + sim_below(&w->rng, 7));
		if (!sim_node_pick_member(x->sn, w->net, (uint32_t)sim_rand(&w->rng), c.parties[0])) {
			mpx_free(&o);
			return;
		}
		rc = body_commitment(&o, &c);
		if (rc == 0)
			append(w, i, "commitment", &o, NULL);
	} else if (what < 90) {
		struct body_ref r;
		bool yes = sim_chance(&w->rng, 0.8);

		memset(&r, 0, sizeof r);
		if (!sim_node_pick_commitment(x->sn, w->net, true, (uint32_t)sim_rand(&w->rng), r.ref)) {
			mpx_free(&o);
			return;
		}
		rc = body_ref(&o, yes ? "accept" : "decline", &r);
		if (rc == 0)
			append(w, i, yes ? "accept" : "decline", &o, NULL);
	} else {
		static const char *const states[] = {"in-progress", "fulfilled", "missed", "withdrawn"};
		struct body_status st;

		memset(&st, 0, sizeof st);
		if (!sim_node_pick_commitment(x->sn, w->net, false, (uint32_t)sim_rand(&w->rng), st.ref)) {
			mpx_free(&o);
			return;
		}
		snprintf(st.state, sizeof st.state, "%s", states[sim_below(&w->rng, 4)]);
		rc = body_status(&o, &st);
		if (rc == 0)
			append(w, i, "status", &o, NULL);
	}
	if (rc != 0) {
		sim_fail(w, "node %d: building a body: %d", i, rc);
		mpx_free(&o);
	}
}

/* ---- dishonest acts ---- */

static int random_peer(struct sim_world *w, int i)
{
	int p = (int)sim_below(&w->rng, (uint32_t)w->n - 1);

	return p >= i ? p + 1 : p;
}

static void send_one(struct sim_world *w, int from, int to, struct sim_wire *e)
{
	struct sim_wire *v = malloc(sizeof *v);

	if (v == NULL)
		abort();
	*v = *e;
	sim_send_entries(w, from, to, v, 1);
}

static void garbage(struct sim_world *w, int i)
{
	struct sim_wire e = {0};
	struct sim_head h;
	size_t n = 0;

	if (sim_chance(&w->rng, 0.5) && sim_node_head(w->m[i].sn, w->net, w->m[i].key, &h))
		sim_node_range(w->m[i].sn, w->net, w->m[i].key, 1 + sim_below(&w->rng, (uint32_t)h.seq),
			       1, &e, &n);
	if (n == 1) {
		e.buf[sim_below(&w->rng, (uint32_t)e.len)] ^= (uint8_t)(1 + sim_below(&w->rng, 255));
	} else {
		e.len = 1 + sim_below(&w->rng, 300);
		e.buf = malloc(e.len);
		if (e.buf == NULL)
			abort();
		for (size_t k = 0; k < e.len; k++)
			e.buf[k] = (uint8_t)sim_rand(&w->rng);
	}
	send_one(w, i, random_peer(w, i), &e);
}

/* A message entry of ours at our head + 1, dated ts, not stored here. */
static bool forge_next(struct sim_world *w, int i, uint64_t ts, const char *text,
		       struct sim_wire *out)
{
	struct sim_head h;
	struct mpx_out o;
	int rc;

	if (!sim_node_head(w->m[i].sn, w->net, w->m[i].key, &h))
		return false;
	mpx_init(&o);
	rc = body_message(&o, text, NULL);
	if (rc == 0)
		rc = sim_node_forge(w->m[i].sn, w->net, h.seq + 1, h.hash, ts < h.ts ? h.ts : ts,
				    "message", (const uint8_t *)o.sb.data, o.sb.size, out);
	mpx_free(&o);
	if (rc == 0)
		w->authored++;
	return rc == 0;
}

static void flood(struct sim_world *w, int i)
{
	struct sim_wire *v = calloc(4, sizeof *v);
	struct mpx_out o;
	size_t n = 0;

	if (v == NULL)
		abort();
	mpx_init(&o);
	body_message(&o, "who am I", NULL);
	for (int k = 0; k < 4; k++) {
		uint8_t seed[32];

		seed32(&w->rng, seed);
		if (sim_node_forge_stranger(seed, w->net, sim_now(w), "message",
					    (const uint8_t *)o.sb.data, o.sb.size, &v[n]) == 0)
			n++;
	}
	mpx_free(&o);
	w->strangers += n;
	sim_send_entries(w, i, random_peer(w, i), v, n);
}

/* Removed, it signs the removal of the admin who removed it, dated just
 * before its own removal, so that a timestamp order applies it first. */
static void backdate(struct sim_world *w, int i)
{
	struct sim_member *x = &w->m[i];
	struct sim_head h;
	struct sim_wire e = {0};
	struct sim_ingest r;
	const uint8_t *wire[1];
	size_t len[1];
	uint64_t ts = w->removal_ts[i] - 1;

	x->done = true;
	if (!sim_node_head(x->sn, w->net, x->key, &h) || h.ts > ts)
		return;   /* it posted after that time: no room to backdate */
	if (sim_node_member(x->sn, w->net, w->m[0].key, "org0", false, true, &e, h.seq + 1, h.hash,
			    ts) == 0) {
		wire[0] = e.buf;
		len[0] = e.len;
		sim_node_ingest(x->sn, w->net, NULL, wire, len, 1, &r);
		sim_wire_free(&r.hint);
		w->authored++;
	}
	sim_wire_free(&e);
}

void sim_act_tick(struct sim_world *w, int i)
{
	struct sim_member *x = &w->m[i];
	struct sim_wire e = {0};

	if (w->quiet)
		return;
	if (i == 0)
		admin_tick(w);
	switch (x->strategy) {
	case SIM_GARBAGE:
		if (sim_chance(&w->rng, 0.05))
			garbage(w, i);
		break;
	case SIM_FORK:
		if (x->attacks < 2 && sim_chance(&w->rng, 0.03) && forge_next(w, i, sim_now(w), "fork", &e)) {
			x->attacks++;
			send_one(w, i, random_peer(w, i), &e);
			post(w, i);    /* and another entry at that seq for the others */
		}
		break;
	case SIM_FUTURE:
		/* from some tick on its clock is two hours fast: it signs (and
		 * stores) entries dated then, and every later one no earlier */
		if (w->tick >= x->skew_at && sim_chance(&w->rng, 0.03)) {
			sim_clock_ms = sim_now(w) + 2 * 3600 * 1000;
			sim_node_set_time(x->sn, sim_clock_ms);
			post(w, i);
			sim_set_clock(w, sim_now(w));
		}
		return;
	case SIM_PREREDACT:
		/* and hashes nobody holds: each costs every node a redaction */
		if (x->blind < SIM_BLIND_REDACTS && sim_chance(&w->rng, 0.9)) {
			struct body_ref r;
			struct mpx_out o;

			memset(&r, 0, sizeof r);
			seed32(&w->rng, r.ref);
			snprintf(r.text, sizeof r.text, "nothing");
			mpx_init(&o);
			if (body_ref(&o, "redact", &r) != 0)
				mpx_free(&o);
			else if (append(w, i, "redact", &o, NULL) == 0)
				x->blind++;
		}
		break;
	case SIM_FLOOD:
		if (sim_chance(&w->rng, 0.2))
			flood(w, i);
		break;
	case SIM_BADSIG:
		sim_badsig_act(w, i);
		break;
	case SIM_BACKDATE:
		if (x->removed && !x->done && !sim_node_is_member(x->sn, w->net, x->key))
			backdate(w, i);
		if (x->remove_at && w->tick + 1 >= x->remove_at)
			return;   /* keeps its last timestamp before its removal */
		break;
	default:
		break;
	}
	if (!sim_node_is_member(x->sn, w->net, x->key) && x->strategy != SIM_REMOVED)
		return;
	if (sim_chance(&w->rng, 0.01)) {
		int rc = sim_node_checkpoint(x->sn, w->net);

		if (rc == 0)
			w->authored++;
	}
	if (sim_chance(&w->rng, x->strategy == SIM_REMOVED && x->removed ? 0.06 : 0.03))
		post(w, i);
}

/* Entry types that change membership or the record. */
static bool record_type(const char *t)
{
	static const char *const v[] = {"genesis", "member", "succession", "revoke", "agenda",
					"commitment", "accept", "decline", "status"};

	for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
		if (strcmp(t, v[k]) == 0)
			return true;
	return false;
}

void sim_act_relay(struct sim_world *w, int i, struct sim_wire *v, size_t n)
{
	if (w->m[i].strategy != SIM_STRIP)
		return;
	for (size_t k = 0; k < n; k++) {
		struct entry e;
		size_t len;

		if (entry_decode(&e, v[k].buf, v[k].len) != 0 || memcmp(e.h.author, w->m[i].key, 32) == 0 ||
		    !record_type(e.h.type) || e.body == NULL)
			continue;
		/* the header still verifies without its body */
		if (entry_encode(&e, false, v[k].buf, v[k].len, &len) == 0)
			v[k].len = len;
	}
}

void sim_act_took(struct sim_world *w, int i, const uint8_t *const *wire, const size_t *len,
		  size_t n)
{
	struct sim_member *x = &w->m[i];

	if (x->strategy != SIM_PREREDACT || w->quiet)
		return;
	for (size_t k = 0; k < n && x->attacks < 30; k++) {
		struct body_ref r;
		struct entry e;
		struct mpx_out o;

		if (entry_decode(&e, wire[k], len[k]) != 0 || memcmp(e.h.author, x->key, 32) == 0 ||
		    strcmp(e.h.type, "redact") == 0)
			continue;
		memset(&r, 0, sizeof r);
		memcpy(r.ref, e.hash, 32);
		snprintf(r.text, sizeof r.text, "mine now");
		mpx_init(&o);
		if (body_ref(&o, "redact", &r) != 0) {
			mpx_free(&o);
			continue;
		}
		if (append(w, i, "redact", &o, NULL) == 0)
			x->attacks++;
	}
}
