/* Unit tests of core/roster, core/ledger and core/audit: the record rules
 * of issue 9 (each fails on 110ba3f's behaviour).
 *
 * Rule 5: a witness claim needs the witness's checkpoint to name the exact
 * entry; witnesses are members other than the author, across rotations.
 * Rule 6: membership acts are ordered by seq, not by author-chosen
 * timestamps nor by arrival: every test of it runs every arrival order.
 * Rule 8 is in test_bundle.c (test_missing_bodies). And the daemon's ledger
 * and the offline checker agree on answers across a key rotation. */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "core/audit.h"
#include "core/ledger.h"
#include "core/roster.h"
#include "keys/keys.h"
#include "proto/body.h"
#include "proto/bundle.h"
#include "proto/entry.h"
#include "proto/err.h"
#include "proto/keyroll.h"
#include "proto/mpx.h"
#include "tests/unit/ledger_fx.h"

#define T0 1767225600000ULL   /* 2026-01-01, ms */
struct fx {
	struct lfx_who a, b, c, d, e, b2;
	struct lfx x;
};

static size_t add(struct fx *f, struct lfx_who *by, const struct lfx_who *m, bool admin, uint64_t ts)
{
	struct mpx_out o;

	mpx_init(&o);
	assert_int_equal(body_member(&o, true, m->id.pk, "org", admin), 0);
	return lfx_sign(&f->x, by, "member", &o, ts);
}

/* by removes m, having seen m's feed up to seen (UINT64_MAX: an old
 * removal without seq). */
static size_t removal(struct fx *f, struct lfx_who *by, const struct lfx_who *m, uint64_t seen, uint64_t ts)
{
	struct mpx_out o;

	mpx_init(&o);
	if (seen == UINT64_MAX)
		assert_int_equal(body_member(&o, false, m->id.pk, "org", true), 0);
	else
		assert_int_equal(body_member_remove(&o, m->id.pk, "org", true, seen), 0);
	return lfx_sign(&f->x, by, "member", &o, ts);
}

static size_t commitment(struct fx *f, struct lfx_who *by, const struct lfx_who *party, uint64_t ts)
{
	struct body_commitment c;
	struct mpx_out o;

	memset(&c, 0, sizeof c);
	snprintf(c.title, sizeof c.title, "40 beds by June (%" PRIu64 ")", ts);
	snprintf(c.due, sizeof c.due, "2026-06-30");
	memcpy(c.parties[0], party->id.pk, 32);
	c.n_parties = 1;
	mpx_init(&o);
	assert_int_equal(body_commitment(&o, &c), 0);
	return lfx_sign(&f->x, by, "commitment", &o, ts);
}

static size_t answer(struct fx *f, struct lfx_who *by, const uint8_t ref[32], uint64_t ts)
{
	struct body_ref r;
	struct mpx_out o;

	memset(&r, 0, sizeof r);
	memcpy(r.ref, ref, 32);
	mpx_init(&o);
	assert_int_equal(body_ref(&o, "accept", &r), 0);
	return lfx_sign(&f->x, by, "accept", &o, ts);
}

static size_t checkpoint(struct fx *f, struct lfx_who *by, const struct entry *head, uint64_t ts)
{
	struct body_head h;
	struct mpx_out o;

	memcpy(h.author, head->h.author, 32);
	h.seq = head->h.seq;
	memcpy(h.hash, head->hash, 32);
	mpx_init(&o);
	assert_int_equal(body_checkpoint(&o, &h, 1), 0);
	return lfx_sign(&f->x, by, "checkpoint", &o, ts);
}

static size_t succession(struct fx *f, struct lfx_who *old, const struct lfx_who *new_id, uint64_t ts)
{
	struct body_succession sc;
	struct mpx_out o;
	uint8_t proof[64];

	keyroll_prove(proof, f->x.network, old->id.pk, new_id->id.pk, keys_sk_open(&new_id->id));
	keys_sk_close(&new_id->id);
	memcpy(sc.new_key, new_id->id.pk, 32);
	sc.proof = proof;
	mpx_init(&o);
	assert_int_equal(body_succession(&o, &sc), 0);
	return lfx_sign(&f->x, old, "succession", &o, ts);
}

/* A creates the initiative (genesis, admin entry for itself at T0). */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	assert_int_equal(keys_global_init(), 0);
	lfx_who_init(&f->a, 1);
	lfx_who_init(&f->b, 2);
	lfx_who_init(&f->c, 3);
	lfx_who_init(&f->d, 4);
	lfx_who_init(&f->e, 5);
	lfx_who_init(&f->b2, 6);
	lfx_genesis(&f->x, &f->a, T0);
	add(f, &f->a, &f->a, true, T0 + 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	keys_free(&f->a.id);
	keys_free(&f->b.id);
	keys_free(&f->c.id);
	keys_free(&f->d.id);
	keys_free(&f->e.id);
	keys_free(&f->b2.id);
	free(f);
	return 0;
}

typedef void (*check_fn)(struct fx *f, void *arg);

struct order_ctx {
	struct fx *f;
	check_fn check;
	void *arg;
};

static void order_check(void *ctx)
{
	struct order_ctx *o = ctx;

	o->check(o->f, o->arg);
}

/* Run check on the roster and ledger of every arrival order of the
 * entries after the genesis and A's own member entry; returns how many
 * orders ran. */
static size_t every_order(struct fx *f, check_fn check, void *arg)
{
	struct order_ctx o = {f, check, arg};

	return lfx_every_order(&f->x, 2, order_check, &o);
}

static size_t factorial(size_t n)
{
	return n <= 1 ? 1 : n * factorial(n - 1);
}

/* ---- rule 6 ---- */

struct backdate {
	size_t i_commit;   /* B's commitment after its removal, backdated */
};

static void check_backdated(struct fx *f, void *arg)
{
	struct backdate *x = arg;

	/* A stays the admin; B is out from its seq 2 on, whatever it claims */
	assert_true(roster_is_admin(&f->x.r, f->a.id.pk));
	assert_null(roster_find(&f->x.r, f->b.id.pk));
	assert_true(roster_member_at(&f->x.r, f->b.id.pk, 1, T0));
	assert_false(roster_member_at(&f->x.r, f->b.id.pk, 2, T0));
	/* C, admitted by B at #1 (before its removal), stays; D, admitted by B
	 * after it, never was */
	assert_non_null(roster_find(&f->x.r, f->c.id.pk));
	assert_null(roster_find(&f->x.r, f->d.id.pk));
	assert_false(roster_member_at(&f->x.r, f->d.id.pk, 1, T0));
	/* the ledger counts none of B's late entries, nor D's */
	assert_null(ledger_commit_find(&f->x.l, f->x.ent[x->i_commit].hash));
	assert_int_equal(f->x.l.n_com, 0);
}

/* A admits B as admin; B writes once (#1); A removes B having seen #1 and
 * admits C. Then B, removed, publishes with timestamps before all that a
 * removal of A (one naming A's head before A's removal of B, as if it had
 * not seen it, is test_concurrent_removals; here it admits having seen
 * it, then one without seq as an older node wrote it), admits D and
 * signs a commitment. On 110ba3f the backdated removal of A came first in
 * (timestamp, hash) order: A was out and B stayed. */
static void test_backdated_removal(void **state)
{
	struct fx *f = *state;
	struct backdate x;
	size_t i_rm;

	add(f, &f->a, &f->b, true, T0 + 100);
	add(f, &f->b, &f->c, false, T0 + 110);   /* B's #1, as admin: counts */
	i_rm = removal(f, &f->a, &f->b, 1, T0 + 200);
	add(f, &f->a, &f->e, false, T0 + 210);
	removal(f, &f->b, &f->a, f->x.ent[i_rm].h.seq, T0 + 150);      /* B's #2 */
	removal(f, &f->b, &f->a, UINT64_MAX, T0 + 151);              /* B's #3 */
	add(f, &f->b, &f->d, true, T0 + 152);                         /* B's #4 */
	x.i_commit = commitment(f, &f->b, &f->d, T0 + 153);          /* B's #5 */
	assert_int_equal(every_order(f, check_backdated, &x), factorial(f->x.n - 2));
}

static void check_concurrent(struct fx *f, void *arg)
{
	(void)arg;
	/* neither had seen the other's removal: both take effect */
	assert_null(roster_find(&f->x.r, f->a.id.pk));
	assert_null(roster_find(&f->x.r, f->b.id.pk));
	assert_true(roster_member_at(&f->x.r, f->a.id.pk, 4, T0));
	assert_false(roster_member_at(&f->x.r, f->a.id.pk, 5, T0));
	assert_true(roster_member_at(&f->x.r, f->b.id.pk, 1, T0));
	assert_false(roster_member_at(&f->x.r, f->b.id.pk, 2, T0));
	/* C, admitted by A before either removal, stays; so does E */
	assert_non_null(roster_find(&f->x.r, f->c.id.pk));
	assert_non_null(roster_find(&f->x.r, f->e.id.pk));
}

/* Concurrent removals of each other (each names the other's head before
 * the other's removal): the rule is deterministic, both take effect. */
static void test_concurrent_removals(void **state)
{
	struct fx *f = *state;

	add(f, &f->a, &f->b, true, T0 + 100);                 /* A's #3 */
	add(f, &f->a, &f->c, false, T0 + 101);                /* A's #4 */
	add(f, &f->b, &f->e, false, T0 + 110);                /* B's #1 */
	removal(f, &f->a, &f->b, 1, T0 + 200);                /* A's #5: saw B's #1 */
	removal(f, &f->b, &f->a, 4, T0 + 201);                /* B's #2: saw A's #4 */
	assert_int_equal(every_order(f, check_concurrent, NULL), factorial(f->x.n - 2));
}

static void check_removed_member(struct fx *f, void *arg)
{
	const size_t *i_late = arg;
	const struct ledger_commit *c = ledger_commit_find(&f->x.l, f->x.ent[i_late[0]].hash);

	assert_non_null(c);
	/* C's accept at #2, after the removal that saw its #1, does not count */
	assert_int_equal(c->n_resp, 0);
	assert_false(ledger_countersigned(&f->x.r, c));
	assert_false(ledger_counts(&f->x.l, f->c.id.pk, 2, T0 + 50));
	bool flagged = false;
	for (size_t k = 0; k < f->x.l.n_an; k++)
		flagged |= memcmp(f->x.l.an[k].hash, f->x.ent[i_late[1]].hash, 32) == 0;
	assert_true(flagged);
}

/* A removed member signs an answer "before" its removal (a timestamp it
 * chose) but after it in its feed: the ledger does not count it, in any
 * order, and neither does the offline checker: the bundle's history
 * leaves it out and its notes name it. On 110ba3f both took it by its
 * timestamp. */
static void test_removed_member_backdates(void **state)
{
	struct fx *f = *state;
	struct bundle_builder b;
	struct audit_report rep;
	struct mpx_out o;
	size_t late[2];

	add(f, &f->a, &f->c, false, T0 + 100);
	late[0] = commitment(f, &f->a, &f->c, T0 + 110);
	add(f, &f->c, &f->c, false, T0 + 120);   /* C's #1 (no effect: not admin) */
	removal(f, &f->a, &f->c, 1, T0 + 300);
	late[1] = answer(f, &f->c, f->x.ent[late[0]].hash, T0 + 130);   /* C's #2 */
	assert_int_equal(every_order(f, check_removed_member, late), factorial(f->x.n - 2));

	bundle_begin(&b, BUNDLE_COMMITMENT, f->x.network, f->x.ent[late[0]].hash);
	for (size_t i = 0; i < f->x.n; i++)
		assert_int_equal(bundle_add(&b, &f->x.ent[i], true), 0);
	mpx_init(&o);
	assert_int_equal(bundle_finish(&b, &o), 0);
	bundle_free(&b);
	assert_int_equal(audit_bundle((const uint8_t *)o.sb.data, o.sb.size, &rep), 0);
	assert_true(rep.has_commitment);
	assert_int_equal(rep.n_answers, 0);
	bool noted = false;
	for (size_t k = 0; k < rep.n_notes; k++)
		noted |= strstr(rep.notes[k], "accept after its author's key stopped at seq 1") != NULL;
	assert_true(noted);
	audit_report_free(&rep);
	mpx_free(&o);
}

/* ---- rule 5 ---- */

/* A's commitment at #5 (hash h); a fork of A's #5 (h') shown to B only;
 * checkpoints by B, by A itself, by A's new key after a rotation, by a key
 * that was never a member and by a member removed before it. Only an
 * exact head by a member other than A confirms. On 110ba3f every
 * checkpoint with seq >= 2 did, and only A's identical key was left out. */
static void test_witness(void **state)
{
	struct fx *f = *state;
	struct lfx_who fork;
	size_t i_com, i_fork, i_next;
	uint64_t i_com_seq;
	uint64_t at;

	add(f, &f->a, &f->b, false, T0 + 10);      /* A's #3 */
	add(f, &f->a, &f->d, false, T0 + 11);      /* A's #4 */
	fork = f->a;   /* A's feed as it stands: a second #5 follows from it */
	i_com = commitment(f, &f->a, &f->b, T0 + 20);   /* A's #5 */
	i_fork = commitment(f, &fork, &f->c, T0 + 21);  /* another #5 */
	i_com_seq = f->x.ent[i_com].h.seq;
	assert_int_equal(i_com_seq, 5);
	i_next = add(f, &f->a, &f->c, false, T0 + 30);  /* A's #6 */
	removal(f, &f->a, &f->d, 0, T0 + 31);           /* A's #7: D is out from #1 */

	/* B saw the fork only: confirms nothing about the real #4 */
	checkpoint(f, &f->b, &f->x.ent[i_fork], T0 + 40);
	/* D (removed) and E (never a member) name it exactly */
	checkpoint(f, &f->d, &f->x.ent[i_com], T0 + 41);
	checkpoint(f, &f->e, &f->x.ent[i_com], T0 + 42);
	/* A rotates to b2: A's own later key confirms nothing either */
	succession(f, &f->a, &f->b2, T0 + 43);   /* A's #8 */
	checkpoint(f, &f->b2, &f->x.ent[i_com], T0 + 44);
	{
		size_t ord[LFX_MAX];

		for (size_t k = 0; k < f->x.n; k++)
			ord[k] = k;
		lfx_derive(&f->x, ord);
	}
	assert_int_equal(ledger_witnessed(&f->x.l, f->b.id.pk, f->a.id.pk, i_com_seq, f->x.ent[i_com].hash), 0);
	assert_int_equal(ledger_witnessed(&f->x.l, f->d.id.pk, f->a.id.pk, i_com_seq, f->x.ent[i_com].hash), 0);
	assert_int_equal(ledger_witnessed(&f->x.l, f->e.id.pk, f->a.id.pk, i_com_seq, f->x.ent[i_com].hash), 0);
	assert_int_equal(ledger_witnessed(&f->x.l, f->b2.id.pk, f->a.id.pk, i_com_seq, f->x.ent[i_com].hash), 0);
	assert_int_equal(ledger_first_witness(&f->x.l, f->a.id.pk, i_com_seq, f->x.ent[i_com].hash), 0);
	lfx_underive(&f->x);

	/* C names A's #6: not one chain held here (a fork at #5), so no */
	checkpoint(f, &f->c, &f->x.ent[i_next], T0 + 50);
	/* B names the real #4 exactly */
	checkpoint(f, &f->b, &f->x.ent[i_com], T0 + 60);
	{
		size_t ord[LFX_MAX];

		for (size_t k = 0; k < f->x.n; k++)
			ord[k] = k;
		lfx_derive(&f->x, ord);
	}
	assert_int_equal(ledger_witnessed(&f->x.l, f->c.id.pk, f->a.id.pk, i_com_seq, f->x.ent[i_com].hash), 0);
	at = ledger_witnessed(&f->x.l, f->b.id.pk, f->a.id.pk, i_com_seq, f->x.ent[i_com].hash);
	assert_int_equal(at, T0 + 60);
	assert_int_equal(ledger_first_witness(&f->x.l, f->a.id.pk, i_com_seq, f->x.ent[i_com].hash), T0 + 60);
	/* and the fork's hash at #4 is confirmed by B's first checkpoint only
	 * as what B saw: it is not A's commitment here */
	assert_int_equal(ledger_witnessed(&f->x.l, f->b.id.pk, f->a.id.pk, i_com_seq, f->x.ent[i_fork].hash),
			 T0 + 40);
	lfx_underive(&f->x);
}

/* A later head confirms an earlier entry through one unforked chain. */
static void test_witness_later_head(void **state)
{
	struct fx *f = *state;
	size_t i_com, i_next;

	add(f, &f->a, &f->b, false, T0 + 10);
	i_com = commitment(f, &f->a, &f->b, T0 + 20);
	i_next = add(f, &f->a, &f->c, false, T0 + 30);
	checkpoint(f, &f->b, &f->x.ent[i_next], T0 + 40);
	lfx_derive_signed(&f->x);
	assert_int_equal(ledger_witnessed(&f->x.l, f->b.id.pk, f->a.id.pk, f->x.ent[i_com].h.seq,
					  f->x.ent[i_com].hash), T0 + 40);
	lfx_underive(&f->x);
}

/* ---- audit and verify agree ---- */

/* B, a party, rotates to b2, and b2 accepts. The ledger (pakt audit) and
 * the offline checker (pakt verify BUNDLE) both count the answer; on
 * 110ba3f the checker compared keys exactly and ignored it. */
static void test_audit_and_verify_agree(void **state)
{
	struct fx *f = *state;
	struct bundle_builder b;
	struct audit_report rep;
	struct mpx_out o;
	size_t i_com, i_acc;
	const struct ledger_commit *c;

	add(f, &f->a, &f->b, false, T0 + 10);
	i_com = commitment(f, &f->a, &f->b, T0 + 20);
	succession(f, &f->b, &f->b2, T0 + 30);
	i_acc = answer(f, &f->b2, f->x.ent[i_com].hash, T0 + 40);
	lfx_derive_signed(&f->x);
	c = ledger_commit_find(&f->x.l, f->x.ent[i_com].hash);
	assert_non_null(c);
	assert_int_equal(c->n_resp, 1);
	assert_true(ledger_countersigned(&f->x.r, c));

	bundle_begin(&b, BUNDLE_COMMITMENT, f->x.network, f->x.ent[i_com].hash);
	for (size_t i = 0; i < f->x.n; i++)
		assert_int_equal(bundle_add(&b, &f->x.ent[i],
					    bundle_body_wanted(BUNDLE_COMMITMENT, f->x.ent[i_com].hash,
							       &f->x.ent[i])), 0);
	mpx_init(&o);
	assert_int_equal(bundle_finish(&b, &o), 0);
	bundle_free(&b);
	assert_int_equal(audit_bundle((const uint8_t *)o.sb.data, o.sb.size, &rep), 0);
	assert_int_equal(rep.n_answers, c->n_resp);
	assert_memory_equal(rep.answers[0].hash, f->x.ent[i_acc].hash, 32);
	assert_memory_equal(rep.answers[0].hash, c->resp[0].hash, 32);
	assert_true(rep.answers[0].accept);
	assert_int_equal(rep.countersigned, ledger_countersigned(&f->x.r, c));
	assert_int_equal(rep.n_notes, 0);
	audit_report_free(&rep);
	mpx_free(&o);
	lfx_underive(&f->x);
}

/* ---- rule 6, at random ---- */

struct outcome {
	bool known, admitted, admin, removed, revoked;
	uint64_t cut, cut_ts;
};

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void digest(struct fx *f, struct lfx_who *const *w, size_t n, struct outcome *out,
		   size_t *counts)
{
	for (size_t i = 0; i < n; i++) {
		const struct roster_member *m = roster_lookup(&f->x.r, w[i]->id.pk);

		memset(&out[i], 0, sizeof out[i]);
		if (m == NULL)
			continue;
		out[i] = (struct outcome){.known = true, .admitted = m->admitted, .admin = m->admin,
					  .removed = m->removed, .revoked = m->revoked,
					  .cut = m->cut, .cut_ts = m->cut_ts};
	}
	counts[0] = f->x.r.ignored;
	counts[1] = f->x.l.n_com;
	counts[2] = f->x.l.n_an;
}

/* Random acts among five keys (admissions, removals naming random heads,
 * old removals without seq, revocations, rotations, commitments), each set
 * derived in many random arrival orders: the roster and the ledger's
 * counts never depend on the order (and nothing crashes). */
static void test_random_acts(void **state)
{
	struct fx *f = *state;
	struct lfx_who *w[] = { &f->a, &f->b, &f->c, &f->d, &f->e, &f->b2 };
	const size_t nw = sizeof w / sizeof w[0];
	uint64_t x = 0x9e3779b97f4a7c15ull;
	uint8_t a_prev[32];

	memcpy(a_prev, f->a.prev, 32);
	for (int round = 0; round < 150; round++) {
		struct outcome ref[6], got[6];
		size_t rc_ref[3], rc_got[3], ord[LFX_MAX];
		bool rotated = false;

		/* back to the genesis and A's own entry */
		f->x.n = 2;
		for (size_t i = 1; i < nw; i++) {
			w[i]->seq = 0;
			memset(w[i]->prev, 0, 32);
		}
		f->a.seq = 2;
		memcpy(f->a.prev, a_prev, 32);
		add(f, &f->a, &f->b, true, T0 + 10);
		for (int k = 0; k < 9; k++) {
			struct lfx_who *by = w[rnd(&x) % 5], *to = w[rnd(&x) % 5];
			uint64_t ts = T0 + 20 + rnd(&x) % 100;

			switch (rnd(&x) % 6) {
			case 0:
			case 1:
				add(f, by, to, rnd(&x) % 2, ts);
				break;
			case 2:
				removal(f, by, to, to->seq > 0 ? rnd(&x) % (to->seq + 1) : 0, ts);
				break;
			case 3:
				removal(f, by, to, rnd(&x) % 4 ? to->seq : UINT64_MAX, ts);
				break;
			case 4: {
				struct body_revoke rv = {.after = to->seq > 0 ? rnd(&x) % to->seq : 0};
				struct mpx_out o;

				memcpy(rv.key, to->id.pk, 32);
				mpx_init(&o);
				assert_int_equal(body_revoke(&o, &rv), 0);
				lfx_sign(&f->x, by, "revoke", &o, ts);
				break;
			}
			default:
				if (!rotated && by != &f->b2) {
					succession(f, by, &f->b2, ts);
					rotated = true;
				} else {
					commitment(f, by, to, ts);
				}
			}
		}
		for (size_t k = 0; k < f->x.n; k++)
			ord[k] = k;
		lfx_derive(&f->x, ord);
		digest(f, w, nw, ref, rc_ref);
		lfx_underive(&f->x);
		for (int perm = 0; perm < 12; perm++) {
			for (size_t k = f->x.n - 1; k > 0; k--) {   /* Fisher-Yates */
				size_t j = rnd(&x) % (k + 1), t = ord[k];

				ord[k] = ord[j];
				ord[j] = t;
			}
			lfx_derive(&f->x, ord);
			digest(f, w, nw, got, rc_got);
			lfx_underive(&f->x);
			assert_memory_equal(got, ref, sizeof ref);
			assert_memory_equal(rc_got, rc_ref, sizeof rc_ref);
		}
	}
}

static size_t status(struct fx *f, struct lfx_who *by, const char *state, size_t i_com, uint64_t ts)
{
	struct body_status st = {0};
	struct mpx_out o;

	memcpy(st.ref, f->x.ent[i_com].hash, 32);
	snprintf(st.state, sizeof st.state, "%s", state);
	mpx_init(&o);
	assert_int_equal(body_status(&o, &st), 0);
	return lfx_sign(&f->x, by, "status", &o, ts);
}

/* Holdings as a store would answer them: the entries of f->x. */
static bool fx_held(void *arg, const uint8_t author[32], uint64_t seq, const uint8_t hash[32])
{
	const struct lfx *x = arg;

	for (size_t i = 0; i < x->n; i++)
		if (memcmp(x->ent[i].h.author, author, 32) == 0 && x->ent[i].h.seq == seq &&
		    memcmp(x->ent[i].hash, hash, 32) == 0)
			return true;
	return false;
}

static uint64_t fx_no_fork(void *arg, const uint8_t author[32])
{
	(void)arg;
	(void)author;
	return UINT64_MAX;
}

/* The same record, derived at once (finish) and kept open (settle after
 * every entry, witness claims from holdings): commitments with their
 * answers and statuses, what counts, anomalies (in order), witnesses. */
static void assert_same_record(const struct ledger *a, const struct ledger *b, const struct fx *f)
{
	assert_int_equal(a->n_com, b->n_com);
	for (size_t i = 0; i < a->n_com; i++) {
		const struct ledger_commit *x = &a->com[i], *y = &b->com[i];

		assert_memory_equal(x->hash, y->hash, 32);
		assert_int_equal(x->n_resp, y->n_resp);
		assert_int_equal(x->n_st, y->n_st);
		for (size_t k = 0; k < x->n_resp; k++)
			assert_true(x->resp[k].counts == y->resp[k].counts &&
				    memcmp(x->resp[k].hash, y->resp[k].hash, 32) == 0);
		for (size_t k = 0; k < x->n_st; k++)
			assert_true(x->st[k].counts == y->st[k].counts && x->st[k].breach == y->st[k].breach &&
				    memcmp(x->st[k].hash, y->st[k].hash, 32) == 0);
		assert_int_equal(ledger_first_witness(a, x->author, x->seq, x->hash),
				 ledger_first_witness(b, y->author, y->seq, y->hash));
	}
	assert_int_equal(a->n_an, b->n_an);
	for (size_t i = 0; i < a->n_an; i++) {
		assert_string_equal(a->an[i].what, b->an[i].what);
		assert_memory_equal(a->an[i].hash, b->an[i].hash, 32);
	}
	assert_int_equal(a->n_cp, b->n_cp);
	(void)f;
}

/* ledger_settle after each entry (as paktd keeps a ledger) gives what
 * ledger_finish gives over the same entries, answers and statuses
 * re-attached each time, the lifecycle's anomalies not repeated. */
static void test_settle_as_finish(void **state)
{
	struct fx *f = *state;
	struct ledger kept;
	struct ledger_holdings h = {.held = fx_held, .first_fork = fx_no_fork, .arg = &f->x};
	size_t i_com, i_two;

	add(f, &f->a, &f->b, false, T0 + 10);
	add(f, &f->a, &f->c, false, T0 + 11);
	i_com = commitment(f, &f->a, &f->b, T0 + 20);
	answer(f, &f->b, f->x.ent[i_com].hash, T0 + 21);
	answer(f, &f->c, f->x.ent[i_com].hash, T0 + 22);          /* not a party: an anomaly */
	status(f, &f->a, "in-progress", i_com, T0 + 23);
	status(f, &f->a, "fulfilled", i_com, T0 + 24);
	status(f, &f->b, "missed", i_com, T0 + 25);          /* after a final status: a breach */
	i_two = commitment(f, &f->a, &f->c, T0 + 30);
	answer(f, &f->c, f->x.ent[i_two].hash, T0 + 31);
	checkpoint(f, &f->b, &f->x.ent[i_com], T0 + 40);
	lfx_derive_signed(&f->x);

	ledger_init(&kept, &f->x.r);
	ledger_use_holdings(&kept, &h);
	assert_int_equal(ledger_settle(&kept), 0);           /* empty, then fed */
	for (size_t i = 0; i < f->x.n; i++) {
		assert_int_equal(ledger_add(&kept, &f->x.ent[i]), 0);
		assert_int_equal(ledger_settle(&kept), 0);
		assert_int_equal(ledger_settle(&kept), 0);   /* twice: no change */
	}
	assert_true(f->x.l.n_an >= 2);
	assert_int_equal(f->x.l.com[0].n_st, 3);
	assert_true(ledger_first_witness(&f->x.l, f->a.id.pk, f->x.ent[i_com].h.seq,
					 f->x.ent[i_com].hash) == T0 + 40);
	assert_same_record(&f->x.l, &kept, f);
	assert_int_equal(kept.n_pl, 0);                      /* holdings: no places kept */
	ledger_free(&kept);
	lfx_underive(&f->x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backdated_removal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_removals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_member_backdates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_witness, setup, teardown),
		cmocka_unit_test_setup_teardown(test_witness_later_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_and_verify_agree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_acts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_settle_as_finish, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
