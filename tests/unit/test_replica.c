/* Unit tests of core/replica: planning batches against an in-memory fake
 * of a node's feed state. Each rule of "What a node accepts" has a test
 * that the old ingest (which stored bodiless record entries, applied
 * redactions of unknown hashes whatever their author, and took feeds of
 * any key) would fail. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/replica.h"
#include "keys/keys.h"
#include "proto/body.h"
#include "proto/err.h"
#include "proto/mpx.h"
#include "tests/unit/testutil.h"

#define HELD_MAX 64
#define NOW (TU_TIMESTAMP + 100000000ULL)

struct author {
	struct keys_identity id;
	uint64_t seq;
	uint8_t prev[32];
	uint64_t ts;
};

/* A made entry: its wire forms with and without body. */
struct made {
	struct entry e;
	uint8_t body[TU_BODY_CAP];
	uint8_t wire[ENTRY_WIRE_MAX], bare[ENTRY_HEADER_MAX + 128];
	size_t wire_len, bare_len;
};

/* The fake node: what it holds, who may have a feed, pending redactions. */
struct fx {
	struct author a[4];           /* a[0]: the admin (genesis), a[1..2]: members, a[3]: stranger */
	uint8_t network[32];
	struct made m[HELD_MAX];
	size_t n_made;
	struct { const struct made *m; bool bodiless; } held[HELD_MAX];
	size_t n_held;
	bool member[4];
	uint64_t cut_seq[4];          /* 0: no cutoff */
	uint8_t pending_hash[32], pending_by[32];
	bool has_pending;
	uint8_t redacted_hash[32];
	bool has_redacted;
	struct entry es[16];
	struct replica_plan plans[16];
	const uint8_t *wires[16];
	size_t lens[16];
	size_t n;
	size_t bad;
	char why[256];
};

static int who(struct fx *f, const uint8_t key[32])
{
	for (int i = 0; i < 4; i++)
		if (memcmp(f->a[i].id.pk, key, 32) == 0)
			return i;
	return -1;
}

static void v_head(void *arg, const uint8_t author[32], struct replica_head *out)
{
	struct fx *f = arg;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < f->n_held; i++) {
		const struct entry *e = &f->held[i].m->e;

		if (memcmp(e->h.author, author, 32) == 0 && e->h.seq > out->seq) {
			out->seq = e->h.seq;
			memcpy(out->hash, e->hash, 32);
			out->ts = e->h.timestamp;
		}
	}
}

static int v_hash_at(void *arg, const uint8_t author[32], uint64_t seq, uint8_t out[32])
{
	struct fx *f = arg;

	for (size_t i = 0; i < f->n_held; i++) {
		const struct entry *e = &f->held[i].m->e;

		if (memcmp(e->h.author, author, 32) == 0 && e->h.seq == seq) {
			memcpy(out, e->hash, 32);
			return 0;
		}
	}
	return PAKT_ENOTFOUND;
}

static enum replica_held v_held(void *arg, const uint8_t hash[32], uint8_t *author, char *type)
{
	struct fx *f = arg;

	for (size_t i = 0; i < f->n_held; i++) {
		const struct entry *e = &f->held[i].m->e;

		if (memcmp(e->hash, hash, 32) == 0) {
			if (author)
				memcpy(author, e->h.author, 32);
			if (type)
				strcpy(type, e->h.type);
			return f->held[i].bodiless ? REPLICA_BODILESS : REPLICA_HELD;
		}
	}
	return REPLICA_ABSENT;
}

static bool v_may_feed(void *arg, const uint8_t author[32])
{
	struct fx *f = arg;
	int i = who(f, author);

	return i >= 0 && f->member[i];
}

static bool v_cut_off(void *arg, const uint8_t author[32], uint64_t seq, uint64_t ts)
{
	struct fx *f = arg;
	int i = who(f, author);

	(void)ts;
	return i >= 0 && f->cut_seq[i] > 0 && seq > f->cut_seq[i];
}

static bool v_pending(void *arg, const uint8_t hash[32], uint8_t redactor[32])
{
	struct fx *f = arg;

	if (!f->has_pending || memcmp(hash, f->pending_hash, 32) != 0)
		return false;
	memcpy(redactor, f->pending_by, 32);
	return true;
}

static bool v_redacted(void *arg, const uint8_t hash[32])
{
	struct fx *f = arg;

	return f->has_redacted && memcmp(hash, f->redacted_hash, 32) == 0;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	assert_int_equal(keys_global_init(), 0);
	for (int i = 0; i < 4; i++) {
		uint8_t seed[32];

		memset(seed, 0x10 + i, sizeof seed);
		assert_int_equal(keys_from_seed(&f->a[i].id, seed), 0);
		f->a[i].ts = TU_TIMESTAMP + (uint64_t)i;
		f->member[i] = i < 3;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	for (int i = 0; i < 4; i++)
		keys_free(&f->a[i].id);
	free(f);
	return 0;
}

/* Sign the next entry of author k with the body in o (NULL for a genesis
 * naming a[0] as admin); ts_step: ms after its previous one. */
static struct made *make(struct fx *f, int k, const char *type, struct mpx_out *o, uint64_t ts_step)
{
	struct author *a = &f->a[k];
	struct made *m = &f->m[f->n_made++];
	struct entry_header h = {.version = ENTRY_VERSION};
	struct mpx_out g;

	assert_true(f->n_made <= HELD_MAX);
	if (o == NULL) {
		mpx_init(&g);
		assert_int_equal(body_genesis(&g, "net", "goal", (const uint8_t (*)[32])a->id.pk, 1), 0);
		o = &g;
	} else {
		h.has_network = true;
		memcpy(h.network, f->network, 32);
	}
	memcpy(h.author, a->id.pk, 32);
	h.seq = ++a->seq;
	h.has_prev = h.seq > 1;
	memcpy(h.prev, a->prev, 32);
	a->ts += ts_step;
	h.timestamp = a->ts;
	strcpy(h.type, type);
	memcpy(m->body, o->sb.data, o->sb.size);
	assert_int_equal(entry_create(&m->e, &h, m->body, o->sb.size, keys_sk_open(&a->id)), 0);
	keys_sk_close(&a->id);
	memcpy(a->prev, m->e.hash, 32);
	if (!h.has_network) {
		memcpy(f->network, m->e.hash, 32);
		mpx_free(&g);
	}
	assert_int_equal(entry_encode(&m->e, true, m->wire, sizeof m->wire, &m->wire_len), 0);
	assert_int_equal(entry_encode(&m->e, false, m->bare, sizeof m->bare, &m->bare_len), 0);
	return m;
}

static struct made *message(struct fx *f, int k, const char *text)
{
	struct mpx_out o;
	struct made *m;

	mpx_init(&o);
	assert_int_equal(body_message(&o, text, NULL), 0);
	m = make(f, k, "message", &o, 1000);
	mpx_free(&o);
	return m;
}

static struct made *member(struct fx *f, int k, int whom, bool add)
{
	struct mpx_out o;
	struct made *m;

	mpx_init(&o);
	assert_int_equal(body_member(&o, add, f->a[whom].id.pk, "someone", false), 0);
	m = make(f, k, "member", &o, 1000);
	mpx_free(&o);
	return m;
}

static struct made *redact(struct fx *f, int k, const uint8_t target[32])
{
	struct body_ref r = {.text = "personal data"};
	struct mpx_out o;
	struct made *m;

	memcpy(r.ref, target, 32);
	mpx_init(&o);
	assert_int_equal(body_ref(&o, "redact", &r), 0);
	m = make(f, k, "redact", &o, 1000);
	mpx_free(&o);
	return m;
}

static void hold(struct fx *f, const struct made *m, bool bodiless)
{
	f->held[f->n_held].m = m;
	f->held[f->n_held++].bodiless = bodiless;
}

static void put(struct fx *f, const struct made *m, bool with_body)
{
	f->wires[f->n] = with_body ? m->wire : m->bare;
	f->lens[f->n++] = with_body ? m->wire_len : m->bare_len;
}

/* Plan what was sent, from peer (an index into a, or -1) with hints. */
static int plan(struct fx *f, int peer, unsigned hints)
{
	struct replica_view v = {.arg = f, .head = v_head, .hash_at = v_hash_at, .held = v_held,
				 .may_feed = v_may_feed, .cut_off = v_cut_off,
				 .pending = v_pending, .redacted = v_redacted};
	struct replica_batch b = {.network = f->network, .wire = f->wires, .len = f->lens,
				  .count = f->n, .peer = peer >= 0 ? f->a[peer].id.pk : NULL,
				  .hints = hints, .now = NOW};

	return replica_plan(&v, &b, f->es, f->plans, &f->bad, f->why, sizeof f->why);
}

/* The genesis and a[1]'s and a[2]'s admission, held. */
static void base(struct fx *f)
{
	hold(f, make(f, 0, "genesis", NULL, 0), false);
	hold(f, member(f, 0, 1, true), false);
	hold(f, member(f, 0, 2, true), false);
}

/* A fresh node takes the genesis (no roster yet) and the admin's feed. */
static void test_store_in_order(void **state)
{
	struct fx *f = *state;

	memset(f->member, 0, sizeof f->member);   /* nothing held: no roster */
	put(f, make(f, 0, "genesis", NULL, 0), true);
	assert_int_equal(plan(f, 0, 1), 0);
	assert_int_equal(f->plans[0].act, REPLICA_STORE);
	assert_true(f->plans[0].roster);
}

/* A message by a member after the held head: stored; sent twice: a duplicate. */
static void test_store_and_dup(void **state)
{
	struct fx *f = *state;
	struct made *m;

	base(f);
	m = message(f, 1, "hello");
	put(f, m, true);
	put(f, m, true);
	assert_int_equal(plan(f, 2, 1), 0);
	assert_int_equal(f->plans[0].act, REPLICA_STORE);
	assert_false(f->plans[0].roster);
	assert_int_equal(f->plans[1].act, REPLICA_DUP);
}

/* Rule 1: a member entry relayed without its body is not taken (the old
 * ingest stored it, and the removal then did nothing). */
static void test_rule1_record_without_body_skipped(void **state)
{
	struct fx *f = *state;

	base(f);
	put(f, member(f, 0, 2, false), false);
	put(f, message(f, 0, "after"), true);
	assert_int_equal(plan(f, 1, 1), 0);
	assert_int_equal(f->plans[0].act, REPLICA_SKIP);
	assert_int_equal(f->plans[0].skip, REPLICA_SKIP_NOBODY);
	assert_int_equal(f->plans[1].act, REPLICA_SKIP);
	assert_int_equal(f->plans[1].skip, REPLICA_SKIP_AFTER);
}

/* Rule 1: the full copy of a record entry held bodiless fills the body in
 * and recomputes the roster (the old ingest skipped it as a duplicate). */
static void test_rule1_fill(void **state)
{
	struct fx *f = *state;
	struct made *rm;

	base(f);
	rm = member(f, 0, 2, false);
	hold(f, rm, true);
	put(f, rm, true);
	assert_int_equal(plan(f, 1, 1), 0);
	assert_int_equal(f->plans[0].act, REPLICA_FILL);
	assert_true(f->plans[0].roster);
}

/* A content entry may travel bodiless; a redacted one is not filled in. */
static void test_rule1_content_bodiless_and_redacted(void **state)
{
	struct fx *f = *state;
	struct made *m1, *m2;

	base(f);
	m1 = message(f, 1, "one");
	hold(f, m1, true);
	memcpy(f->redacted_hash, m1->e.hash, 32);
	f->has_redacted = true;
	m2 = message(f, 1, "two");
	put(f, m1, true);
	put(f, m2, false);
	assert_int_equal(plan(f, 2, 1), 0);
	assert_int_equal(f->plans[0].act, REPLICA_DUP);
	assert_int_equal(f->plans[1].act, REPLICA_STORE);
}

/* Rule 2: a redaction of a hash we do not hold is only remembered (the
 * old ingest dropped the body of whatever arrived with that hash). */
static void test_rule2_unknown_target_pending(void **state)
{
	struct fx *f = *state;
	uint8_t unknown[32];

	base(f);
	memset(unknown, 0xab, sizeof unknown);
	put(f, redact(f, 1, unknown), true);
	assert_int_equal(plan(f, 1, 1), 0);
	assert_int_equal(f->plans[0].act, REPLICA_STORE);
	assert_int_equal(f->plans[0].redact, REPLICA_REDACT_PENDING);
	assert_memory_equal(f->plans[0].target, unknown, 32);
}

/* Rule 2: when the target arrives, a pending redaction by another author
 * has no effect; one by its own author strips it. */
static void test_rule2_pending_checked_at_arrival(void **state)
{
	struct fx *f = *state;
	struct made *m;

	base(f);
	m = message(f, 2, "mine");
	memcpy(f->pending_hash, m->e.hash, 32);
	memcpy(f->pending_by, f->a[1].id.pk, 32);   /* a[1] redacts a[2]'s entry */
	f->has_pending = true;
	put(f, m, true);
	assert_int_equal(plan(f, 1, 1), 0);
	assert_int_equal(f->plans[0].act, REPLICA_STORE);
	assert_false(f->plans[0].strip);

	memcpy(f->pending_by, f->a[2].id.pk, 32);   /* its own author */
	assert_int_equal(plan(f, 1, 1), 0);
	assert_true(f->plans[0].strip);
	assert_true(f->plans[0].pending_hit);
}

/* Rule 2: a held target of another author, or a record entry, is not
 * redacted; the author's own content is. */
static void test_rule2_held_target(void **state)
{
	struct fx *f = *state;
	struct made *other, *own;
	const struct made *rec;

	base(f);
	other = message(f, 2, "theirs");
	own = message(f, 1, "mine");
	hold(f, other, false);
	hold(f, own, false);
	rec = f->held[1].m;   /* the admin's member entry */
	put(f, redact(f, 1, other->e.hash), true);
	put(f, redact(f, 1, own->e.hash), true);
	assert_int_equal(plan(f, 1, 1), 0);
	assert_int_equal(f->plans[0].redact, REPLICA_REDACT_DENIED);
	assert_int_equal(f->plans[1].redact, REPLICA_REDACT_APPLY);

	f->n = 0;
	f->a[0].seq = 3;
	memcpy(f->a[0].prev, f->held[2].m->e.hash, 32);
	put(f, redact(f, 0, rec->e.hash), true);
	assert_int_equal(plan(f, 1, 1), 0);
	assert_int_equal(f->plans[0].redact, REPLICA_REDACT_DENIED);
}

/* Rule 2: target and redaction in one batch, whichever comes first. */
static void test_rule2_in_batch(void **state)
{
	struct fx *f = *state;
	struct made *t, *r, *x;

	base(f);
	t = message(f, 1, "oops");
	r = redact(f, 1, t->e.hash);
	x = redact(f, 2, t->e.hash);   /* another author's, sent first */
	put(f, x, true);
	put(f, t, true);
	put(f, r, true);
	assert_int_equal(plan(f, 1, 1), 0);
	assert_int_equal(f->plans[0].redact, REPLICA_REDACT_DENIED);
	assert_int_equal(f->plans[1].act, REPLICA_STORE);
	assert_true(f->plans[1].strip);
	assert_int_equal(f->plans[2].redact, REPLICA_REDACT_BATCH);
}

/* Rule 2 with rule 1: a redact held without body takes effect when its
 * body is filled in. */
static void test_rule2_filled_redact(void **state)
{
	struct fx *f = *state;
	struct made *t, *r;

	base(f);
	t = message(f, 1, "oops");
	r = redact(f, 1, t->e.hash);
	hold(f, t, false);
	hold(f, r, true);
	put(f, r, true);
	assert_int_equal(plan(f, 2, 1), 0);
	assert_int_equal(f->plans[0].act, REPLICA_FILL);
	assert_false(f->plans[0].roster);
	assert_int_equal(f->plans[0].redact, REPLICA_REDACT_APPLY);
}

/* Rule 3: a feed of a key that never was a member is refused, without
 * ending the session; the members' feeds in the batch are kept. */
static void test_rule3_unwanted(void **state)
{
	struct fx *f = *state;

	base(f);
	put(f, message(f, 3, "spam 1"), true);
	put(f, message(f, 3, "spam 2"), true);
	put(f, message(f, 1, "real"), true);
	assert_int_equal(plan(f, 1, 1), 0);
	assert_int_equal(f->plans[0].act, REPLICA_SKIP);
	assert_int_equal(f->plans[0].skip, REPLICA_SKIP_UNWANTED);
	assert_int_equal(f->plans[1].act, REPLICA_SKIP);
	assert_int_equal(f->plans[2].act, REPLICA_STORE);
}

/* Rule 3: entries after a revoked or removed key's cutoff are not stored. */
static void test_rule3_cutoff(void **state)
{
	struct fx *f = *state;

	base(f);
	hold(f, message(f, 2, "before"), false);
	f->cut_seq[2] = 1;
	put(f, message(f, 2, "after"), true);
	assert_int_equal(plan(f, 1, 1), 0);
	assert_int_equal(f->plans[0].act, REPLICA_SKIP);
	assert_int_equal(f->plans[0].skip, REPLICA_SKIP_CUTOFF);
}

/* Rule 6: a node that took a member's seq 2 before it heard that the
 * member was removed at seq 1 keeps it, but another entry at seq 2 is past
 * the end like any other, not a fork: the nodes that never took seq 2
 * refuse both, so no node may mark the feed forked over it (honest nodes
 * must converge: tests/sim --attacks=removed, whose seed 200 found the
 * feeds differing). Before, it was a fork. */
static void test_rule6_past_end_no_fork(void **state)
{
	struct fx *f = *state;
	struct made *m2, *alt;
	struct author save;

	base(f);
	hold(f, message(f, 2, "one"), false);
	save = f->a[2];
	m2 = message(f, 2, "two");
	f->a[2] = save;
	alt = message(f, 2, "another two");
	hold(f, m2, false);
	f->cut_seq[2] = 1;
	put(f, alt, true);
	put(f, m2, true);
	assert_int_equal(plan(f, 1, 1), 0);
	assert_int_equal(f->plans[0].act, REPLICA_SKIP);
	assert_int_equal(f->plans[0].skip, REPLICA_SKIP_CUTOFF);
	assert_int_equal(f->plans[1].act, REPLICA_SKIP);   /* the rest of its feed */
}

/* A second valid entry at a held seq, or at one taken earlier in the
 * batch, is a fork. */
static void test_fork(void **state)
{
	struct fx *f = *state;
	struct made *m1, *m2, *alt;
	struct author save;

	base(f);
	save = f->a[1];
	m1 = message(f, 1, "one");
	m2 = message(f, 1, "two");
	f->a[1] = save;
	alt = message(f, 1, "other one");
	hold(f, m1, false);
	put(f, alt, true);
	assert_int_equal(plan(f, 2, 1), 0);
	assert_int_equal(f->plans[0].act, REPLICA_FORK);
	assert_int_equal(f->plans[0].seq_ref, 1);
	assert_int_equal(f->plans[0].twin, REPLICA_NONE);

	f->n_held = 3;
	f->n = 0;
	put(f, m1, true);
	put(f, m2, true);
	put(f, alt, true);
	assert_int_equal(plan(f, 2, 1), 0);
	assert_int_equal(f->plans[0].act, REPLICA_STORE);
	assert_int_equal(f->plans[1].act, REPLICA_STORE);
	assert_int_equal(f->plans[2].act, REPLICA_FORK);
	assert_int_equal(f->plans[2].twin, 0);
}

/* An entry that does not link to our head: a hint to a relay, refused
 * from its author or when no hint is left. */
static void test_hint(void **state)
{
	struct fx *f = *state;
	struct made *m1, *alt2;
	struct author save;

	base(f);
	m1 = message(f, 1, "one");
	save = f->a[1];
	message(f, 1, "two");
	f->a[1] = save;
	memset(f->a[1].prev, 7, 32);
	alt2 = message(f, 1, "two, other chain");
	hold(f, m1, false);
	put(f, alt2, true);
	assert_int_equal(plan(f, 2, 1), 0);
	assert_int_equal(f->plans[0].act, REPLICA_HINT);
	assert_int_equal(f->plans[0].seq_ref, 1);
	assert_int_equal(plan(f, 2, 0), PAKT_ECHAIN);
	assert_int_equal(plan(f, 1, 1), PAKT_ECHAIN);   /* from its author */
	assert_int_equal(f->bad, 0);
}

/* Gaps and future timestamps wait; going back in time refuses the batch. */
static void test_time_and_gap(void **state)
{
	struct fx *f = *state;
	struct made *m1, *m2;

	base(f);
	m1 = message(f, 1, "one");
	m2 = message(f, 1, "two");
	put(f, m2, true);
	assert_int_equal(plan(f, 2, 1), 0);
	assert_int_equal(f->plans[0].skip, REPLICA_SKIP_GAP);

	f->n = 0;
	f->a[2].ts = NOW + ENTRY_FUTURE_MAX_MS;
	put(f, message(f, 2, "from the future"), true);
	assert_int_equal(plan(f, 1, 1), 0);
	assert_int_equal(f->plans[0].skip, REPLICA_SKIP_FUTURE);

	f->n = 0;
	hold(f, m1, false);
	hold(f, m2, false);
	f->a[1].ts = TU_TIMESTAMP - 5000;
	put(f, message(f, 1, "backdated"), true);
	assert_int_equal(plan(f, 2, 1), PAKT_ETIME);
}

/* An entry of another network, or garbage, refuses the batch with a reason. */
static void test_refusals(void **state)
{
	struct fx *f = *state;
	struct made *m;
	static const uint8_t junk[] = {0x93, 0x01, 0x02, 0x03};

	base(f);
	m = message(f, 1, "one");
	f->network[0] ^= 1;
	put(f, m, true);
	assert_int_equal(plan(f, 2, 1), PAKT_ENETWORK);
	f->network[0] ^= 1;
	f->n = 0;
	f->wires[0] = junk;
	f->lens[0] = sizeof junk;
	f->n = 1;
	assert_int_not_equal(plan(f, 2, 1), 0);
	assert_non_null(strstr(f->why, "entry 0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_and_dup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule1_record_without_body_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule1_fill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule1_content_bodiless_and_redacted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule2_unknown_target_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule2_pending_checked_at_arrival, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule2_held_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule2_in_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule2_filled_redact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule3_unwanted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule3_cutoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule6_past_end_no_fork, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_and_gap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
