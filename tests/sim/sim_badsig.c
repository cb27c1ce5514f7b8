/* The simulator's part of deferred signature checks (PROTOCOL.md,
 * "Deferred signature checks"): every node takes batches as over a
 * version-2 link (stored on their chain and each feed's newest signature),
 * checks the rest at the end of each tick (sigdefer_settle, as the
 * daemon's helper thread does later), and passes bad-signature proofs on
 * like fork proofs: to every peer when found, and after each clock that
 * does not skip the feed. The `badsig` member hides an entry with a bad
 * signature under a validly signed successor and sends both to one peer.
 * After the run, no honest node may hold an entry whose signature fails;
 * sim_check's "same forked feeds" makes every honest node agree on the
 * proof. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/sigproof.h"
#include "daemon/repl.h"
#include "daemon/sigdefer.h"
#include "daemon/store.h"
#include "proto/body.h"
#include "proto/mpx.h"
#include "tests/sim/sim.h"
#include "tests/sim/sim_node_priv.h"

/* Proofs the nodes found or took during a tick, to pass on. */
struct found {
	int node;
	struct sim_wire a, b;
};
static struct found *found;
static size_t n_found, cap_found;

static void copy_wire(struct sim_wire *to, const uint8_t *buf, size_t len)
{
	to->buf = malloc(len ? len : 1);
	if (to->buf == NULL)
		abort();
	memcpy(to->buf, buf, len);
	to->len = len;
}

static void on_event(void *arg, const struct node_event *ev)
{
	if (ev->kind != NODE_EV_BADSIG)
		return;
	if (n_found == cap_found) {
		cap_found = cap_found ? 2 * cap_found : 8;
		found = realloc(found, cap_found * sizeof *found);
		if (found == NULL)
			abort();
	}
	found[n_found].node = (int)(intptr_t)arg;
	copy_wire(&found[n_found].a, ev->wire_a, ev->len_a);
	copy_wire(&found[n_found].b, ev->wire_b, ev->len_b);
	n_found++;
}

/* Listen to node i (a restart keeps the node, and this is idempotent). */
static struct node *node_at(struct sim_world *w, int i)
{
	struct node *n = &w->m[i].sn->n;

	node_unlisten(n, on_event, (void *)(intptr_t)i);
	node_listen(n, on_event, (void *)(intptr_t)i);
	return n;
}

static void send_proof(struct sim_world *w, int from, int to, const struct sim_wire *a,
		       const struct sim_wire *b)
{
	struct sim_msg m = {.type = SIM_MSG_BADSIG, .from = from, .to = to, .n = 2};

	m.w = calloc(2, sizeof *m.w);
	if (m.w == NULL)
		abort();
	copy_wire(&m.w[0], a->buf, a->len);
	copy_wire(&m.w[1], b->buf, b->len);
	sim_send(w, &m);
}

/* Pass on what the nodes found (net_on_event's NODE_EV_BADSIG). */
static size_t gossip(struct sim_world *w, int except)
{
	size_t n = n_found;

	for (size_t k = 0; k < n_found; k++) {
		for (int p = 0; p < w->n; p++)
			if (p != found[k].node && p != except && sim_link_up(w, found[k].node, p))
				send_proof(w, found[k].node, p, &found[k].a, &found[k].b);
		sim_wire_free(&found[k].a);
		sim_wire_free(&found[k].b);
	}
	n_found = 0;
	return n;
}

size_t sim_badsig_settle(struct sim_world *w)
{
	for (int i = 0; i < w->n; i++) {
		if (!w->m[i].alive)
			continue;
		if (sigdefer_settle(node_at(w, i)) != 0)
			sim_fail(w, "tick %llu: node %d could not check its waiting signatures",
				 (unsigned long long)w->tick, i);
	}
	return gossip(w, -1);
}

bool sim_badsig_send(struct sim_world *w, int i, int p, const uint8_t author[32])
{
	struct node *n = &w->m[i].sn->n;
	struct repl_net *rn = repl_net_find(n, w->net);
	struct sim_wire a, b;

	if (rn == NULL || sigdefer_badsig_proof(n, rn, author, &a.buf, &a.len, &b.buf, &b.len) != 0)
		return false;
	send_proof(w, i, p, &a, &b);
	sim_wire_free(&a);
	sim_wire_free(&b);
	return true;
}

bool sim_badsig_take(struct sim_world *w, struct sim_msg *m)
{
	struct node *n = node_at(w, m->to);
	struct repl_net *rn = NULL;
	struct entry a, b;
	char why[128];

	/* session_repl.c's on_badsig */
	if (sigproof_check(w->net, m->w[0].buf, m->w[0].len, m->w[1].buf, m->w[1].len, &a, &b, why,
			   sizeof why) != 0) {
		if (w->m[m->from].strategy == SIM_HONEST)
			sim_fail(w, "node %d refused a bad-signature proof from honest node %d: %s",
				 m->to, m->from, why);
		return false;
	}
	if (repl_net_open(n, w->net, &rn) != 0 ||
	    !sigdefer_proof(n, rn, &a, m->w[0].buf, m->w[0].len, m->w[1].buf, m->w[1].len, NULL))
		return false;
	return gossip(w, m->from) > 0;
}

void sim_badsig_act(struct sim_world *w, int i)
{
	struct sim_member *x = &w->m[i];
	struct sim_head h;
	struct sim_wire *v, spoilt;
	struct entry bad;
	struct mpx_out o;
	int p;

	if (x->done || !sim_chance(&w->rng, 0.03) || !sim_node_head(x->sn, w->net, x->key, &h))
		return;
	v = calloc(2, sizeof *v);
	if (v == NULL)
		abort();
	mpx_init(&o);
	/* seq h+1 signed, then its signature spoilt; h+2 validly signed on
	 * top of the spoilt one: only the author can make this pair */
	if (body_message(&o, "hidden bad signature", NULL) != 0 ||
	    sim_node_forge(x->sn, w->net, h.seq + 1, h.hash, sim_now(w) < h.ts ? h.ts : sim_now(w),
			   "message", (const uint8_t *)o.sb.data, o.sb.size, &v[0]) != 0 ||
	    entry_decode(&bad, v[0].buf, v[0].len) != 0)
		goto free_all;
	bad.sig[7] ^= 0x20;
	spoilt.len = v[0].len;
	spoilt.buf = malloc(spoilt.len);
	if (spoilt.buf == NULL)
		abort();
	if (entry_from_parts(&bad, bad.header_bytes, bad.header_len, bad.sig, bad.body,
			     bad.body_len) != 0 ||
	    entry_encode(&bad, true, spoilt.buf, spoilt.len, &spoilt.len) != 0) {
		sim_wire_free(&spoilt);
		goto free_all;
	}
	sim_wire_free(&v[0]);
	v[0] = spoilt;
	if (
	    sim_node_forge(x->sn, w->net, h.seq + 2, bad.hash, bad.h.timestamp, "message",
			   (const uint8_t *)o.sb.data, o.sb.size, &v[1]) != 0)
		goto free_all;
	mpx_free(&o);
	x->done = true;
	w->authored += 2;
	p = (int)sim_below(&w->rng, (uint32_t)w->n - 1);
	sim_send_entries(w, i, p >= i ? p + 1 : p, v, 2);
	return;
free_all:
	mpx_free(&o);
	sim_wire_free(&v[0]);
	sim_wire_free(&v[1]);
	free(v);
}

struct verify_rows {
	size_t bad;
};

static int verify_row(void *arg, const struct store_row *row)
{
	struct verify_rows *vr = arg;
	struct entry e;

	if (entry_from_parts(&e, row->header, row->header_len, row->sig, NULL, 0) == 0 &&
	    entry_verify(&e) != 0)
		vr->bad++;
	return 0;
}

int sim_badsig_final(struct sim_world *w, char *why, size_t whylen)
{
	sim_badsig_settle(w);
	for (int i = 0; i < w->n; i++) {
		struct store_query q = {.unchecked = true};
		struct verify_rows vr = {0};

		if (w->m[i].strategy != SIM_HONEST)
			continue;
		store_scan(w->m[i].sn->n.store, &q, verify_row, &vr);
		if (vr.bad > 0) {
			snprintf(why, whylen, "honest node %d holds %zu entries whose signature fails", i,
				 vr.bad);
			return 1;
		}
	}
	for (size_t k = 0; k < n_found; k++) {
		sim_wire_free(&found[k].a);
		sim_wire_free(&found[k].b);
	}
	free(found);
	found = NULL;
	n_found = cap_found = 0;
	return 0;
}
