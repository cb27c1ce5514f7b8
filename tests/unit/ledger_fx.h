/* Shared by the ledger tests (test_ledger.c, test_lifecycle.c): test
 * identities sign the entries of one initiative, and the roster and ledger
 * are derived from them in a given arrival order, or in every one. Static:
 * each test file has its own copy. Include after cmocka.h. */
#ifndef PAKT_TEST_LEDGER_FX_H
#define PAKT_TEST_LEDGER_FX_H

#include <stdio.h>
#include <string.h>
#include "core/ledger.h"
#include "core/roster.h"
#include "keys/keys.h"
#include "proto/body.h"
#include "proto/entry.h"
#include "proto/mpx.h"

#define LFX_MAX 24

struct lfx_who {
	struct keys_identity id;
	uint64_t seq;
	uint8_t prev[32];
};

struct lfx {
	uint8_t network[32];
	struct entry ent[LFX_MAX];
	uint8_t body[LFX_MAX][1024];
	size_t n;
	size_t i_genesis;
	/* one arrival order's result */
	struct roster r;
	struct ledger l;
};

static inline void lfx_who_init(struct lfx_who *w, uint8_t seed)
{
	uint8_t s[32];

	memset(w, 0, sizeof *w);
	memset(s, seed, sizeof s);
	assert_int_equal(keys_from_seed(&w->id, s), 0);
}

/* Sign w's next entry with o's bytes as body (o is freed); ts: its
 * timestamp, as its author claims. Returns its index in x->ent. */
static inline size_t lfx_sign(struct lfx *x, struct lfx_who *w, const char *type, struct mpx_out *o,
		       uint64_t ts)
{
	struct entry_header h;
	size_t i = x->n;
	bool genesis = strcmp(type, "genesis") == 0;

	assert_true(i < LFX_MAX);
	assert_true(o->sb.size <= sizeof x->body[i]);
	memcpy(x->body[i], o->sb.data, o->sb.size);
	memset(&h, 0, sizeof h);
	h.version = ENTRY_VERSION;
	h.has_network = !genesis;
	if (!genesis)
		memcpy(h.network, x->network, 32);
	memcpy(h.author, w->id.pk, 32);
	h.seq = ++w->seq;
	h.has_prev = h.seq > 1;
	memcpy(h.prev, w->prev, 32);
	h.timestamp = ts;
	snprintf(h.type, sizeof h.type, "%s", type);
	assert_int_equal(entry_create(&x->ent[i], &h, x->body[i], o->sb.size, keys_sk_open(&w->id)), 0);
	keys_sk_close(&w->id);
	memcpy(w->prev, x->ent[i].hash, 32);
	mpx_free(o);
	x->n++;
	return i;
}

/* admin signs the genesis of "Housing First Lyon", its only admin (at ts);
 * it becomes x's network. */
static inline void lfx_genesis(struct lfx *x, struct lfx_who *admin, uint64_t ts)
{
	struct mpx_out o;

	mpx_init(&o);
	assert_int_equal(body_genesis(&o, "Housing First Lyon", "fewer people sleeping rough",
				      (const uint8_t (*)[32])admin->id.pk, 1), 0);
	x->i_genesis = lfx_sign(x, admin, "genesis", &o, ts);
	memcpy(x->network, x->ent[x->i_genesis].hash, 32);
}

/* Derive roster and ledger from the entries in the order ord. */
static inline void lfx_derive(struct lfx *x, const size_t *ord)
{
	roster_init(&x->r);
	assert_int_equal(roster_genesis(&x->r, &x->ent[x->i_genesis]), 0);
	for (size_t k = 0; k < x->n; k++)
		if (roster_type(x->ent[ord[k]].h.type) && ord[k] != x->i_genesis)
			assert_int_equal(roster_add(&x->r, &x->ent[ord[k]]), 0);
	assert_int_equal(roster_finish(&x->r), 0);
	ledger_init(&x->l, &x->r);
	for (size_t k = 0; k < x->n; k++)
		assert_int_equal(ledger_add(&x->l, &x->ent[ord[k]]), 0);
	assert_int_equal(ledger_finish(&x->l), 0);
}

static inline void lfx_underive(struct lfx *x)
{
	ledger_free(&x->l);
	roster_free(&x->r);
}

/* Derive in every arrival order of the entries from index `from` on (the
 * ones before stay first), calling check(ctx) on each result (Heap's
 * algorithm); returns how many orders ran. */
static inline size_t lfx_every_order(struct lfx *x, size_t from, void (*check)(void *ctx), void *ctx)
{
	size_t ord[LFX_MAX] = {0}, c[LFX_MAX] = {0}, runs = 0, i = 1, n = x->n - from, *p = ord + from;

	for (size_t k = 0; k < x->n; k++)
		ord[k] = k;
	lfx_derive(x, ord);
	check(ctx);
	lfx_underive(x);
	runs++;
	while (i < n) {
		if (c[i] < i) {
			size_t j = i % 2 ? c[i] : 0, t = p[j];

			p[j] = p[i];
			p[i] = t;
			lfx_derive(x, ord);
			check(ctx);
			lfx_underive(x);
			runs++;
			c[i]++;
			i = 1;
		} else {
			c[i++] = 0;
		}
	}
	return runs;
}

/* The entries in the order they were signed. */
static inline void lfx_derive_signed(struct lfx *x)
{
	size_t ord[LFX_MAX];

	for (size_t k = 0; k < x->n; k++)
		ord[k] = k;
	lfx_derive(x, ord);
}

#endif
