/* The adapter between the simulator and paktd's modules (see sim_node.h):
 * the only file of tests/sim that includes daemon/ headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "daemon/ctl_priv.h"
#include "daemon/log.h"
#include "daemon/members.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/store.h"
#include "keys/keys.h"
#include "proto/body.h"
#include "proto/bundle.h"
#include "proto/entry.h"
#include "proto/err.h"
#include "proto/mpx.h"
#include "tests/sim/sim_node.h"
#include "tests/sim/sim_node_priv.h"

void sim_wire_free(struct sim_wire *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = 0;
}

static int wire_of(const struct entry *e, bool with_body, struct sim_wire *out)
{
	out->buf = malloc(ENTRY_WIRE_MAX);
	if (out->buf == NULL)
		return PAKT_ENOMEM;
	int rc = entry_encode(e, with_body, out->buf, ENTRY_WIRE_MAX, &out->len);
	if (rc != 0)
		sim_wire_free(out);
	return rc;
}

int sim_node_global_init(bool verbose)
{
	log_set_level(verbose ? LOG_LVL_DEBUG : (enum log_level)0);
	return keys_global_init();
}

int sim_node_open(struct sim_node **out, const uint8_t seed[32], const char *name)
{
	struct sim_node *sn = calloc(1, sizeof *sn);
	char why[256];
	int rc;

	*out = NULL;
	if (sn == NULL)
		return PAKT_ENOMEM;
	snprintf(sn->n.cfg.name, sizeof sn->n.cfg.name, "%s", name);
	/* any non-empty default: node_create_initiative then writes no config */
	snprintf(sn->n.cfg.network, sizeof sn->n.cfg.network, "sim");
	rc = keys_from_seed(&sn->n.id, seed);
	if (rc == 0)
		rc = store_open(&sn->n.store, ":memory:", false, why, sizeof why);
	if (rc == 0)
		rc = node_mesh_init(&sn->n);
	if (rc == 0)
		rc = repl_load_all(&sn->n);
	if (rc != 0) {
		sim_node_close(sn);
		return rc;
	}
	*out = sn;
	return 0;
}

void sim_node_close(struct sim_node *sn)
{
	if (sn == NULL)
		return;
	repl_free_all(&sn->n);
	node_mesh_free(&sn->n);
	store_close(sn->n.store);
	keys_free(&sn->n.id);
	free(sn);
}

int sim_node_restart(struct sim_node *sn)
{
	repl_free_all(&sn->n);
	return repl_load_all(&sn->n);
}

const uint8_t *sim_node_key(const struct sim_node *sn)
{
	return sn->n.id.pk;
}

void sim_node_set_time(struct sim_node *sn, uint64_t now_ms)
{
	sn->n.sim_now_ms = now_ms;
}

int sim_node_create(struct sim_node *sn, const char *name, uint8_t net[32])
{
	char why[256];

	return node_create_initiative(&sn->n, name, "simulated", net, why, sizeof why);
}

int sim_node_join(struct sim_node *sn, const uint8_t net[32])
{
	struct repl_net *rn;

	return repl_net_open(&sn->n, net, &rn);
}

int sim_node_append(struct sim_node *sn, const uint8_t net[32], const char *type,
		    const uint8_t *body, size_t len, uint8_t hash[32])
{
	struct entry e;
	char why[256];
	int rc = node_append(&sn->n, net, type, body, len, &e, why, sizeof why);

	if (rc == 0 && hash)
		memcpy(hash, e.hash, 32);
	return rc;
}

int sim_node_checkpoint(struct sim_node *sn, const uint8_t net[32])
{
	struct repl_net *rn;
	struct entry e;
	char why[256];
	int rc = repl_net_open(&sn->n, net, &rn);

	return rc ? rc : ctl_publish_checkpoint(&sn->n, rn, &e, why, sizeof why);
}

int sim_node_member(struct sim_node *sn, const uint8_t net[32], const uint8_t key[32],
		    const char *name, bool add, bool admin, struct sim_wire *forged,
		    uint64_t seq, const uint8_t *prev, uint64_t ts)
{
	struct mpx_out o;
	int rc;

	mpx_init(&o);
	if (!add) {
		/* as `pakt member remove`: the key's head as we hold it */
		uint64_t head = 0;
		uint8_t hash[32];

		store_head(sn->n.store, net, key, &head, hash, NULL);
		rc = body_member_remove(&o, key, name, admin, head);
	} else
		rc = body_member(&o, add, key, name, admin);
	if (rc == 0 && forged != NULL)
		rc = sim_node_forge(sn, net, seq, prev, ts, "member", (const uint8_t *)o.sb.data,
				    o.sb.size, forged);
	else if (rc == 0)
		rc = sim_node_append(sn, net, "member", (const uint8_t *)o.sb.data, o.sb.size, NULL);
	mpx_free(&o);
	return rc;
}

static int forge(const struct keys_identity *id, const uint8_t net[32], uint64_t seq,
		 const uint8_t *prev, uint64_t ts, const char *type, const uint8_t *body,
		 size_t len, struct sim_wire *out)
{
	struct entry_header h = {.version = ENTRY_VERSION, .has_network = true, .seq = seq,
				 .timestamp = ts};
	struct entry e;
	int rc;

	memcpy(h.network, net, 32);
	memcpy(h.author, id->pk, 32);
	h.has_prev = prev != NULL;
	if (prev)
		memcpy(h.prev, prev, 32);
	snprintf(h.type, sizeof h.type, "%s", type);
	rc = entry_create(&e, &h, body, len, keys_sk_open(id));
	keys_sk_close(id);
	return rc ? rc : wire_of(&e, true, out);
}

int sim_node_forge(struct sim_node *sn, const uint8_t net[32], uint64_t seq,
		   const uint8_t *prev, uint64_t ts, const char *type, const uint8_t *body,
		   size_t len, struct sim_wire *out)
{
	return forge(&sn->n.id, net, seq, prev, ts, type, body, len, out);
}

int sim_node_forge_stranger(const uint8_t seed[32], const uint8_t net[32], uint64_t ts,
			    const char *type, const uint8_t *body, size_t len,
			    struct sim_wire *out)
{
	struct keys_identity id = {0};
	int rc = keys_from_seed(&id, seed);

	if (rc == 0)
		rc = forge(&id, net, 1, NULL, ts, type, body, len, out);
	keys_free(&id);
	return rc;
}

static struct repl_net *net_of(struct sim_node *sn, const uint8_t net[32])
{
	struct repl_net *rn = NULL;

	return repl_net_open(&sn->n, net, &rn) == 0 ? rn : NULL;
}

static void head_of(const struct repl_feed *f, struct sim_head *h)
{
	memcpy(h->author, f->author, 32);
	h->seq = f->seq;
	memcpy(h->hash, f->hash, 32);
	h->ts = f->ts;
	h->forked = f->forked;
}

size_t sim_node_heads(struct sim_node *sn, const uint8_t net[32], struct sim_head *out,
		      size_t cap)
{
	struct repl_net *rn = net_of(sn, net);

	if (rn == NULL)
		return 0;
	for (size_t i = 0; i < rn->n_feeds && i < cap; i++)
		head_of(&rn->feeds[i], &out[i]);
	return rn->n_feeds;
}

bool sim_node_head(struct sim_node *sn, const uint8_t net[32], const uint8_t author[32],
		   struct sim_head *out)
{
	struct repl_net *rn = net_of(sn, net);
	struct repl_feed *f = rn ? repl_feed_get(rn, author, false, NULL) : NULL;

	if (f == NULL || f->seq == 0)
		return false;
	head_of(f, out);
	return true;
}

uint64_t sim_node_relay_seq(struct sim_node *sn, const uint8_t net[32], const uint8_t author[32])
{
	struct repl_net *rn = net_of(sn, net);
	struct repl_feed *f = rn ? repl_feed_get(rn, author, false, NULL) : NULL;

	return f ? repl_feed_relay_seq(rn, f) : 0;
}

struct range_ctx {
	struct sim_wire *out;
	size_t n, max;
	int rc;
};

static int on_range_row(void *arg, const struct store_row *row)
{
	struct range_ctx *c = arg;
	struct entry e;

	if (c->n == c->max)
		return 1;
	c->rc = entry_from_parts(&e, row->header, row->header_len, row->sig, row->body,
				 row->body_len);
	if (c->rc == 0)
		c->rc = wire_of(&e, true, &c->out[c->n]);
	if (c->rc != 0)
		return 1;
	c->n++;
	return 0;
}

int sim_node_range(struct sim_node *sn, const uint8_t net[32], const uint8_t author[32],
		   uint64_t from, size_t max, struct sim_wire *out, size_t *n)
{
	struct range_ctx c = {.out = out, .max = max};
	int rc = store_range(sn->n.store, net, author, from, (uint32_t)max, on_range_row, &c);

	*n = c.n;
	return rc == 1 || rc == 0 ? c.rc : rc;
}

/* repl_ingest plus what the session does with its result: hints sent
 * back as fork evidence, the result announced. */
void sim_node_ingest(struct sim_node *sn, const uint8_t net[32], const uint8_t *from_key,
		     const uint8_t *const *wire, const size_t *len, size_t count,
		     struct sim_ingest *out)
{
	struct repl_net *rn = net_of(sn, net);
	/* every link speaks version 2: checks wait (sim_badsig.c settles them) */
	struct repl_from from = {.key = from_key, .hints = REPL_HINTS_MAX, .defer = true};
	struct repl_result res;
	uint64_t seqs = 0;
	size_t before;
	bool *was;

	memset(out, 0, sizeof *out);
	memset(&res, 0, sizeof res);
	if (rn == NULL) {
		out->rc = PAKT_ENOMEM;
		return;
	}
	before = rn->n_feeds;
	was = calloc(before + 1, sizeof *was);
	if (was == NULL) {
		out->rc = PAKT_ENOMEM;
		return;
	}
	for (size_t i = 0; i < before; i++) {
		was[i] = rn->feeds[i].forked;
		seqs += rn->feeds[i].seq;
	}
	store_sig_enable(sn->n.store, true);
	out->rc = repl_ingest(&sn->n, rn, &from, wire, len, count, &res, out->why, sizeof out->why);
	for (size_t i = 0; i < rn->n_feeds; i++)
		seqs -= rn->feeds[i].seq;
	out->changed = seqs != 0 || rn->n_feeds != before || res.stored;
	/* the fork events a session would forward (net_forward_fork) */
	for (size_t i = 0; i < rn->n_feeds && out->n_forked < 8; i++)
		if (rn->feeds[i].forked && (i >= before || !was[i])) {
			memcpy(out->forked[out->n_forked++], rn->feeds[i].author, 32);
			out->changed = true;
		}
	free(was);
	if (out->rc == 0 && res.n_hints > 0) {
		/* the session sends hints back as fork evidence */
		out->hint.buf = res.hints[0].wire;
		out->hint.len = res.hints[0].len;
		res.hints[0].wire = NULL;
	}
	if (out->rc == 0)
		repl_announce(&sn->n, rn, &res);
	else
		repl_result_free(&res);
}

int sim_node_fork_proof(struct sim_node *sn, const uint8_t net[32], const uint8_t author[32],
			struct sim_wire *a, struct sim_wire *b)
{
	struct repl_net *rn = net_of(sn, net);

	if (rn == NULL)
		return PAKT_ENOMEM;
	return repl_fork_proof(&sn->n, rn, author, &a->buf, &a->len, &b->buf, &b->len);
}

int sim_node_take_fork(struct sim_node *sn, const uint8_t net[32], const struct sim_wire *a,
		       const struct sim_wire *b, bool *news)
{
	/* session.c's on_fork_proof */
	struct repl_net *rn = net_of(sn, net);
	struct entry ea, eb;
	const struct entry *both[2] = {&ea, &eb};
	struct repl_feed *f;
	uint8_t stored[32];
	int rc = entry_decode(&ea, a->buf, a->len);

	*news = false;
	if (rc == 0)
		rc = entry_decode(&eb, b->buf, b->len);
	if (rc == 0)
		rc = entry_verify(&ea);
	if (rc == 0)
		rc = entry_verify(&eb);
	if (rc != 0 || ea.h.seq != eb.h.seq || memcmp(ea.h.author, eb.h.author, 32) != 0 ||
	    memcmp(ea.hash, eb.hash, 32) == 0 || memcmp(entry_network(&ea), net, 32) != 0 ||
	    memcmp(entry_network(&eb), net, 32) != 0)
		return rc ? rc : PAKT_EINVAL;
	if (rn == NULL || (f = repl_feed_get(rn, ea.h.author, true, NULL)) == NULL)
		return PAKT_ENOMEM;
	if (f->forked)
		return 0;
	for (int i = 0; i < 2; i++)
		if (store_hash_at(sn->n.store, net, ea.h.author, ea.h.seq, stored) != 0 ||
		    memcmp(stored, both[i]->hash, 32) != 0)
			store_fork_add(sn->n.store, both[i], (int64_t)node_now(&sn->n));
	f->forked = true;
	*news = true;
	return 0;
}

bool sim_node_has_roster(struct sim_node *sn, const uint8_t net[32])
{
	struct repl_net *rn = net_of(sn, net);

	return rn != NULL && rn->members.has_genesis;
}

bool sim_node_is_member(struct sim_node *sn, const uint8_t net[32], const uint8_t key[32])
{
	struct repl_net *rn = net_of(sn, net);

	return rn != NULL && roster_find(&rn->members, key) != NULL;
}

bool sim_node_is_admin(struct sim_node *sn, const uint8_t net[32], const uint8_t key[32])
{
	struct repl_net *rn = net_of(sn, net);

	return rn != NULL && roster_find(&rn->members, key) != NULL &&
	       roster_is_admin(&rn->members, key);
}

bool sim_node_pick_commitment(struct sim_node *sn, const uint8_t net[32], bool answer,
			      uint32_t pick, uint8_t hash[32])
{
	struct repl_net *rn = net_of(sn, net);
	const uint8_t *me = sn->n.id.pk;
	struct ledger l;
	size_t *fit, n = 0;

	if (rn == NULL || ledger_load(&l, sn->n.store, net, &rn->members) != 0)
		return false;
	fit = calloc(l.n_com + 1, sizeof *fit);
	for (size_t i = 0; fit && i < l.n_com; i++) {
		const struct ledger_commit *c = &l.com[i];
		bool answered = false;

		for (size_t k = 0; k < c->n_resp; k++)
			answered |= memcmp(c->resp[k].who, me, 32) == 0;
		if (answer ? ledger_is_party(&rn->members, c, me) && !answered
			   : memcmp(c->author, me, 32) == 0)
			fit[n++] = i;
	}
	if (n > 0)
		memcpy(hash, l.com[fit[pick % n]].hash, 32);
	free(fit);
	ledger_free(&l);
	return n > 0;
}

bool sim_node_pick_member(struct sim_node *sn, const uint8_t net[32], uint32_t pick,
			  uint8_t key[32])
{
	struct repl_net *rn = net_of(sn, net);
	size_t n = 0;

	for (size_t i = 0; rn && i < rn->members.n; i++)
		n += !rn->members.v[i].removed && memcmp(rn->members.v[i].key, sn->n.id.pk, 32) != 0;
	if (n == 0)
		return false;
	pick %= (uint32_t)n;
	for (size_t i = 0; i < rn->members.n; i++) {
		if (rn->members.v[i].removed || memcmp(rn->members.v[i].key, sn->n.id.pk, 32) == 0)
			continue;
		if (pick-- == 0) {
			memcpy(key, rn->members.v[i].key, 32);
			return true;
		}
	}
	return false;
}
