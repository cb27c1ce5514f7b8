/* Membership derived from genesis and member entries (see roster.h). */
#include <stdlib.h>
#include <string.h>
#include "core/roster.h"
#include "proto/canon.h"
#include "proto/err.h"
#include "proto/keyroll.h"

enum { ACT_MEMBER, ACT_SUCCESSION, ACT_REVOKE };
/* pending: not judged yet; open: in the component being judged */
enum { ACT_PENDING, ACT_OPEN, ACT_VALID, ACT_VOID };

struct roster_act {
	int kind;
	uint64_t ts, seq;
	uint8_t hash[32];
	uint8_t author[32];
	union {
		struct body_member member;
		uint8_t new_key[32];            /* succession (proof checked on add) */
		struct { uint8_t key[32]; uint64_t after; } revoke;
	} u;
	int state;                              /* ACT_PENDING.. */
};

bool roster_type(const char *type)
{
	return strcmp(type, "genesis") == 0 || strcmp(type, "member") == 0 ||
	       strcmp(type, "succession") == 0 || strcmp(type, "revoke") == 0;
}

void roster_init(struct roster *r)
{
	memset(r, 0, sizeof *r);
}

void roster_free(struct roster *r)
{
	free(r->v);
	free(r->acts);
	free(r->rv);
	memset(r, 0, sizeof *r);
}

const struct roster_member *roster_lookup(const struct roster *r, const uint8_t key[32])
{
	for (size_t i = 0; i < r->n; i++)
		if (memcmp(r->v[i].key, key, 32) == 0)
			return &r->v[i];
	return NULL;
}

const struct roster_member *roster_find(const struct roster *r, const uint8_t key[32])
{
	const struct roster_member *m = roster_lookup(r, key);

	return m != NULL && m->admitted && !m->removed ? m : NULL;
}

bool roster_is_admin(const struct roster *r, const uint8_t key[32])
{
	const struct roster_member *x = roster_find(r, key);

	return x != NULL && x->admin;
}

bool roster_member_at(const struct roster *r, const uint8_t key[32], uint64_t seq, uint64_t ts)
{
	const struct roster_member *m = roster_lookup(r, key);

	return m != NULL && m->admitted && seq <= m->cut && ts < m->cut_ts;
}

uint64_t roster_end(const struct roster *r, const uint8_t key[32])
{
	const struct roster_member *m = roster_lookup(r, key);

	return m != NULL && m->admitted ? m->cut : UINT64_MAX;
}

/* The record of key, created (zeroed, not admitted, never cut) if new. */
static struct roster_member *slot(struct roster *r, const uint8_t key[32])
{
	struct roster_member *v;

	for (size_t i = 0; i < r->n; i++)
		if (memcmp(r->v[i].key, key, 32) == 0)
			return &r->v[i];
	v = realloc(r->v, (r->n + 1) * sizeof *v);
	if (v == NULL)
		return NULL;
	r->v = v;
	memset(&v[r->n], 0, sizeof *v);
	memcpy(v[r->n].key, key, 32);
	memcpy(v[r->n].root, key, 32);
	v[r->n].cut = UINT64_MAX;
	v[r->n].cut_ts = UINT64_MAX;
	return &v[r->n++];
}

int roster_genesis(struct roster *r, const struct entry *e)
{
	struct canon_rd rd;
	uint32_t n, k;

	if (e->body == NULL)
		return PAKT_EBODY;
	canon_rd_init(&rd, e->body, e->body_len);
	if (canon_rd_map(&rd, &n) != 0)
		return PAKT_EBODY;
	for (uint32_t i = 0; i < n; i++) {
		const char *key;
		uint32_t klen;

		if (canon_rd_str(&rd, &key, &klen) != 0)
			return PAKT_EBODY;
		if (klen == 6 && memcmp(key, "admins", 6) == 0) {
			if (canon_rd_array(&rd, &k) != 0)
				return PAKT_EBODY;
			for (uint32_t j = 0; j < k; j++) {
				const uint8_t *pk;
				uint32_t len;
				struct roster_member *s;

				if (canon_rd_bin(&rd, &pk, &len) != 0 || len != 32)
					return PAKT_EBODY;
				if ((s = slot(r, pk)) == NULL)
					return PAKT_ENOMEM;
				s->admin = true;
				s->admitted = true;
				memcpy(s->added_by, e->h.author, 32);
				s->since_ms = e->h.timestamp;
			}
		} else if (klen == 4 && memcmp(key, "name", 4) == 0) {
			const char *s;
			uint32_t len;

			if (canon_rd_str(&rd, &s, &len) != 0 || len > BODY_NAME_MAX)
				return PAKT_EBODY;
			memcpy(r->network_name, s, len);
			r->network_name[len] = '\0';
		} else if (canon_rd_skip(&rd) != 0) {
			return PAKT_EBODY;
		}
	}
	r->has_genesis = true;
	return 0;
}

int roster_add(struct roster *r, const struct entry *e)
{
	struct roster_act *a;
	struct body_succession sc;
	struct body_revoke rv;

	if (r->n_acts == r->cap_acts) {
		size_t cap = r->cap_acts ? r->cap_acts * 2 : 16;
		struct roster_act *v = realloc(r->acts, cap * sizeof *v);

		if (v == NULL)
			return PAKT_ENOMEM;
		r->acts = v;
		r->cap_acts = cap;
	}
	a = &r->acts[r->n_acts];
	memset(a, 0, sizeof *a);
	if (e->body == NULL)
		return 0;   /* stripped: no effect */
	if (strcmp(e->h.type, "member") == 0) {
		if (body_member_parse(e->body, e->body_len, &a->u.member) != 0)
			return 0;
		a->kind = ACT_MEMBER;
	} else if (strcmp(e->h.type, "succession") == 0) {
		if (body_succession_parse(e->body, e->body_len, &sc) != 0)
			return 0;
		if (!e->h.has_network ||
		    !keyroll_proof_ok(sc.proof, e->h.network, e->h.author, sc.new_key)) {
			r->ignored++;   /* a successor that did not consent */
			return 0;
		}
		a->kind = ACT_SUCCESSION;
		memcpy(a->u.new_key, sc.new_key, 32);
	} else if (strcmp(e->h.type, "revoke") == 0) {
		if (body_revoke_parse(e->body, e->body_len, &rv) != 0)
			return 0;
		a->kind = ACT_REVOKE;
		memcpy(a->u.revoke.key, rv.key, 32);
		a->u.revoke.after = rv.after;
	} else {
		return 0;
	}
	a->ts = e->h.timestamp;
	a->seq = e->h.seq;
	memcpy(a->hash, e->hash, 32);
	memcpy(a->author, e->h.author, 32);
	r->n_acts++;
	return 0;
}

/* ---- the dependency graph of the acts ---- */

/* The key an act admits, removes, revokes or names as successor. */
static const uint8_t *act_target(const struct roster_act *a)
{
	return a->kind == ACT_MEMBER ? a->u.member.key
	       : a->kind == ACT_SUCCESSION ? a->u.new_key : a->u.revoke.key;
}

static int act_cmp(const void *pa, const void *pb)
{
	const struct roster_act *a = pa, *b = pb;

	return memcmp(a->hash, b->hash, 32);
}

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* Nodes 0..na-1 are the acts, na.. the keys. An act depends on its
 * author's key; a key depends on every act that targets it, and on its
 * own successions (which end it). */
struct graph {
	size_t na, nk;
	uint8_t (*keys)[32];        /* sorted, unique */
	size_t *first, *adj;        /* CSR: node i's edges adj[first[i]..first[i+1]) */
	size_t *index, *low, *stack, *work;
	bool *on;
	size_t *naming;             /* per key: adds and successions naming it */
};

static size_t key_node(const struct graph *g, const uint8_t key[32])
{
	const uint8_t (*k)[32] = bsearch(key, g->keys, g->nk, 32, key_cmp);

	return g->na + (size_t)(k - g->keys);
}

static void graph_free(struct graph *g)
{
	free(g->keys);
	free(g->first);
	free(g->adj);
	free(g->index);
	free(g->low);
	free(g->stack);
	free(g->work);
	free(g->on);
	free(g->naming);
}

static int graph_build(struct graph *g, const struct roster_act *acts, size_t na)
{
	size_t nn, w = 0;

	memset(g, 0, sizeof *g);
	g->na = na;
	if ((g->keys = malloc((2 * na + 1) * 32)) == NULL)
		return PAKT_ENOMEM;
	for (size_t i = 0; i < na; i++) {
		memcpy(g->keys[2 * i], acts[i].author, 32);
		memcpy(g->keys[2 * i + 1], act_target(&acts[i]), 32);
	}
	qsort(g->keys, 2 * na, 32, key_cmp);
	for (size_t i = 0; i < 2 * na; i++)
		if (w == 0 || memcmp(g->keys[w - 1], g->keys[i], 32) != 0)
			memmove(g->keys[w++], g->keys[i], 32);
	g->nk = w;
	nn = na + g->nk;
	g->first = calloc(nn + 1, sizeof *g->first);
	g->adj = malloc((3 * na + 1) * sizeof *g->adj);
	g->index = malloc((nn + 1) * sizeof *g->index);
	g->low = malloc((nn + 1) * sizeof *g->low);
	g->stack = malloc((nn + 1) * sizeof *g->stack);
	g->work = malloc((2 * nn + 1) * sizeof *g->work);
	g->on = calloc(nn + 1, sizeof *g->on);
	g->naming = calloc(g->nk + 1, sizeof *g->naming);
	if (!g->first || !g->adj || !g->index || !g->low || !g->stack || !g->work || !g->on ||
	    !g->naming)
		return PAKT_ENOMEM;
	for (size_t i = 0; i < na; i++)
		g->naming[key_node(g, act_target(&acts[i])) - na] +=
			acts[i].kind == ACT_SUCCESSION ||
			(acts[i].kind == ACT_MEMBER && acts[i].u.member.add);
	/* count, then place: act -> author key; target key -> act */
	for (size_t i = 0; i < na; i++) {
		g->first[i + 1]++;
		g->first[key_node(g, act_target(&acts[i])) + 1]++;
		if (acts[i].kind == ACT_SUCCESSION)
			g->first[key_node(g, acts[i].author) + 1]++;
	}
	for (size_t i = 0; i < nn; i++)
		g->first[i + 1] += g->first[i];
	{
		size_t *fill = g->index;   /* borrowed as fill cursors */

		memcpy(fill, g->first, nn * sizeof *fill);
		for (size_t i = 0; i < na; i++) {
			g->adj[fill[i]++] = key_node(g, acts[i].author);
			size_t t = key_node(g, act_target(&acts[i]));
			g->adj[fill[t]++] = i;
			if (acts[i].kind == ACT_SUCCESSION)
				g->adj[fill[key_node(g, acts[i].author)]++] = i;
		}
	}
	return 0;
}

/* ---- judging ---- */

/* Whether the author of a could make it, judged on the state so far. */
static bool act_allowed(const struct roster *r, const struct graph *g, const struct roster_act *a)
{
	const struct roster_member *au = roster_lookup(r, a->author);

	if (au == NULL || !roster_member_at(r, a->author, a->seq, a->ts))
		return false;
	if (a->kind != ACT_SUCCESSION)
		return au->admin;
	/* the new key never had a place and no other act names it, so no
	 * one can take over another's record */
	return memcmp(a->u.new_key, a->author, 32) != 0 && roster_lookup(r, a->u.new_key) == NULL &&
	       g->naming[key_node(g, a->u.new_key) - g->na] == 1;
}

static void cut_at(struct roster_member *m, uint64_t seq, const struct roster_act *a)
{
	if (seq < m->cut)
		m->cut = seq;
	if (!m->removed) {
		m->removed = true;
		m->removed_ms = a->ts;
		memcpy(m->removed_by, a->author, 32);
	}
}

static int apply_member(struct roster *r, const struct roster_act *a)
{
	const struct body_member *b = &a->u.member;
	struct roster_member *t;

	if ((t = slot(r, b->key)) == NULL)
		return PAKT_ENOMEM;
	if (b->add) {
		/* a removed key does not come back (its entries after the cut
		 * stay void): its member does, by invite, under a new key */
		if (!t->admitted || a->ts >= t->since_ms) {
			memcpy(t->name, b->name, sizeof t->name);
			memcpy(t->added_by, a->author, 32);
			t->since_ms = a->ts;
		}
		t->admin = t->admin || b->admin;
		t->admitted = true;
		return 0;
	}
	if (b->has_seq) {
		cut_at(t, b->seq, a);
	} else {
		/* written by an older node: bounded by its timestamp only */
		if (a->ts < t->cut_ts)
			t->cut_ts = a->ts;
		cut_at(t, t->cut, a);
	}
	return 0;
}

static int apply_succession(struct roster *r, const struct roster_act *a)
{
	struct roster_member *old, *t;

	if ((t = slot(r, a->u.new_key)) == NULL)
		return PAKT_ENOMEM;
	old = (struct roster_member *)roster_lookup(r, a->author);   /* slot() may move v */
	if (old == NULL)
		return 0;   /* act_allowed found it */
	memcpy(t->name, old->name, sizeof t->name);
	t->admin = old->admin;
	t->admitted = true;
	memcpy(t->added_by, a->author, 32);
	t->since_ms = a->ts;
	memcpy(t->root, old->root, 32);
	old->has_successor = true;
	memcpy(old->successor, a->u.new_key, 32);
	old->succession_seq = a->seq;
	cut_at(old, a->seq, a);
	return 0;
}

/* key's entries after seq `after` are untrusted; a successor it named
 * after that seq goes with it (a thief's rotation). */
static int revoke_key(struct roster *r, const uint8_t key[32], uint64_t after,
		      const struct roster_act *a)
{
	struct roster_revocation *v = realloc(r->rv, (r->n_rv + 1) * sizeof *v);
	struct roster_member *m;

	if (v == NULL)
		return PAKT_ENOMEM;
	r->rv = v;
	v = &v[r->n_rv++];
	memcpy(v->key, key, 32);
	memcpy(v->by, a->author, 32);
	v->after = after;
	v->at = a->ts;
	if ((m = slot(r, key)) == NULL)
		return PAKT_ENOMEM;
	m->revoked = true;
	cut_at(m, after, a);
	if (m->has_successor && m->succession_seq > after)
		return revoke_key(r, m->successor, 0, a);
	return 0;
}

static int apply(struct roster *r, const struct roster_act *a)
{
	return a->kind == ACT_MEMBER ? apply_member(r, a)
	       : a->kind == ACT_SUCCESSION ? apply_succession(r, a)
	       : revoke_key(r, a->u.revoke.key, a->u.revoke.after, a);
}

static int idx_cmp(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

	return a < b ? -1 : a > b;
}

/* Whether y, if it counts, voids x: it ends x's author before x. */
static bool threatens(const struct roster_act *y, const struct roster_act *x)
{
	if (y == x)
		return false;
	if (y->kind == ACT_SUCCESSION)
		return memcmp(y->author, x->author, 32) == 0 && y->seq < x->seq;
	if (memcmp(act_target(y), x->author, 32) != 0)
		return false;
	if (y->kind == ACT_REVOKE)
		return y->u.revoke.after < x->seq;
	if (y->u.member.add)
		return false;
	/* a removal without seq (older nodes) is bounded by a timestamp its
	 * author chose: it never voids an act it conflicts with */
	return y->u.member.has_seq && y->u.member.seq < x->seq;
}

/* Whether a, open, cannot count whatever the rest of its component does:
 * its author is admitted and already ended before it (ends only grow). */
static bool doomed(const struct roster *r, const struct roster_act *a)
{
	const struct roster_member *au = roster_lookup(r, a->author);

	return au != NULL && au->admitted && !roster_member_at(r, a->author, a->seq, a->ts);
}

/* Whether an open act that may count voids a. */
static bool threatened(const struct roster *r, const struct graph *g, const struct roster_act *a)
{
	size_t k = key_node(g, a->author);

	for (size_t e = g->first[k]; e < g->first[k + 1]; e++) {
		const struct roster_act *y = &r->acts[g->adj[e]];

		if (y->state == ACT_OPEN && !doomed(r, y) && threatens(y, a))
			return true;
	}
	return false;
}

static int settle(struct roster *r, struct roster_act *a, int state)
{
	a->state = state;
	if (state == ACT_VALID)
		return apply(r, a);
	return 0;
}

/* A void succession by a key revoked before it (a thief's rotation): the
 * key it named is untrusted too. */
static int cascade(struct roster *r, const struct roster_act *a)
{
	const struct roster_revocation *rv;

	if (a->state == ACT_VOID && a->kind == ACT_SUCCESSION &&
	    (rv = roster_untrusted(r, a->author, a->seq)) != NULL) {
		/* a thief's rotation: the key it named is untrusted too */
		struct roster_act by = {.ts = rv->at};

		memcpy(by.author, rv->by, 32);
		return revoke_key(r, a->u.new_key, 0, &by);
	}
	return 0;
}

/* Judge one strongly connected component (its nodes are on the stack from
 * position from to to), in hash order (the acts are sorted by hash) so
 * that the result does not depend on the walk: an act that may count and
 * that no open act threatens counts (and takes effect at once); an act
 * that cannot count any more is void; when only acts that threaten each
 * other are left (concurrent removals of each other), all of them that
 * may count take effect, admissions first. */
static int judge(struct roster *r, const struct graph *g, size_t from, size_t to)
{
	size_t n;
	bool changed = true;
	int rc = 0;

	qsort(&g->stack[from], to - from, sizeof *g->stack, idx_cmp);
	for (n = from; n < to && g->stack[n] < g->na; n++)
		r->acts[g->stack[n]].state = ACT_OPEN;
	while (changed && rc == 0) {
		changed = false;
		for (size_t i = from; i < n && rc == 0; i++) {
			struct roster_act *a = &r->acts[g->stack[i]];

			if (a->state != ACT_OPEN)
				continue;
			if (doomed(r, a)) {
				rc = settle(r, a, ACT_VOID);
				changed = true;
			} else if (act_allowed(r, g, a) && !threatened(r, g, a)) {
				rc = settle(r, a, ACT_VALID);
				changed = true;
			}
		}
		if (changed)
			continue;
		/* stalled: what is not allowed now never will be */
		for (size_t i = from; i < n && rc == 0; i++) {
			struct roster_act *a = &r->acts[g->stack[i]];

			if (a->state == ACT_OPEN && !act_allowed(r, g, a)) {
				rc = settle(r, a, ACT_VOID);
				changed = true;
			}
		}
	}
	for (int pass = 0; pass < 2 && rc == 0; pass++)
		for (size_t i = from; i < n && rc == 0; i++) {
			struct roster_act *a = &r->acts[g->stack[i]];
			bool cuts = a->kind == ACT_REVOKE ||
				    (a->kind == ACT_MEMBER && !a->u.member.add);

			if (a->state == ACT_OPEN && cuts == (pass == 1))
				rc = settle(r, a, ACT_VALID);
		}
	for (size_t i = from; i < n && rc == 0; i++)
		rc = cascade(r, &r->acts[g->stack[i]]);
	return rc;
}

/* Tarjan's algorithm, iterative (a bundle may hold a million acts): SCCs
 * come out dependencies first. */
static int walk(struct roster *r, struct graph *g)
{
	const size_t none = (size_t)-1, nn = g->na + g->nk;
	size_t next = 0, sp = 0, wp = 0;
	int rc = 0;

	for (size_t i = 0; i < nn; i++)
		g->index[i] = none;
	for (size_t root = 0; root < nn && rc == 0; root++) {
		if (g->index[root] != none)
			continue;
		g->work[wp++] = root;
		g->work[wp++] = g->first[root];
		g->index[root] = g->low[root] = next++;
		g->stack[sp++] = root;
		g->on[root] = true;
		while (wp > 0 && rc == 0) {
			size_t v = g->work[wp - 2], e = g->work[wp - 1];

			if (e < g->first[v + 1]) {
				size_t w = g->adj[e];

				g->work[wp - 1] = e + 1;
				if (g->index[w] == none) {
					g->index[w] = g->low[w] = next++;
					g->stack[sp++] = w;
					g->on[w] = true;
					g->work[wp++] = w;
					g->work[wp++] = g->first[w];
				} else if (g->on[w] && g->index[w] < g->low[v]) {
					g->low[v] = g->index[w];
				}
				continue;
			}
			wp -= 2;
			if (wp > 0 && g->low[v] < g->low[g->work[wp - 2]])
				g->low[g->work[wp - 2]] = g->low[v];
			if (g->low[v] == g->index[v]) {
				size_t from = sp;

				do
					g->on[g->stack[--from]] = false;
				while (g->stack[from] != v);
				rc = judge(r, g, from, sp);
				sp = from;
			}
		}
	}
	return rc;
}

int roster_finish(struct roster *r)
{
	struct graph g;
	int rc = 0;

	if (r->n_acts > 0) {
		qsort(r->acts, r->n_acts, sizeof *r->acts, act_cmp);
		rc = graph_build(&g, r->acts, r->n_acts);
		if (rc == 0)
			rc = walk(r, &g);
		graph_free(&g);
		for (size_t i = 0; i < r->n_acts && rc == 0; i++)
			r->ignored += r->acts[i].state != ACT_VALID;
	}
	free(r->acts);
	r->acts = NULL;
	r->n_acts = r->cap_acts = 0;
	return rc;
}

const struct roster_revocation *roster_untrusted(const struct roster *r, const uint8_t key[32],
						 uint64_t seq)
{
	const struct roster_revocation *best = NULL;

	for (size_t i = 0; i < r->n_rv; i++)
		if (memcmp(r->rv[i].key, key, 32) == 0 && seq > r->rv[i].after &&
		    (best == NULL || r->rv[i].after < best->after))
			best = &r->rv[i];
	return best;
}

bool roster_same(const struct roster *r, const uint8_t a[32], const uint8_t b[32])
{
	const struct roster_member *x = roster_lookup(r, a), *y = roster_lookup(r, b);

	return memcmp(x ? x->root : a, y ? y->root : b, 32) == 0;
}

bool roster_vouches(const struct roster *r, const uint8_t network[32], const uint8_t *wire,
		    size_t len, const uint8_t peer[32])
{
	struct entry e;
	struct body_succession sc;

	if (wire == NULL || entry_decode(&e, wire, len) != 0 || entry_verify(&e) != 0 ||
	    !e.h.has_network || memcmp(e.h.network, network, 32) != 0 ||
	    strcmp(e.h.type, "succession") != 0 || e.body == NULL ||
	    body_succession_parse(e.body, e.body_len, &sc) != 0 ||
	    memcmp(sc.new_key, peer, 32) != 0)
		return false;
	return roster_find(r, e.h.author) != NULL && roster_lookup(r, peer) == NULL &&
	       roster_untrusted(r, e.h.author, e.h.seq) == NULL &&
	       keyroll_proof_ok(sc.proof, network, e.h.author, peer);
}
