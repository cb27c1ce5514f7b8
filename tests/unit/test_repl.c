/* Unit tests of daemon/repl_ingest: core/replica's plans applied to a real
 * store, with a node that has no network (events are recorded by a
 * listener), on a simulated clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/store.h"
#include "keys/keys.h"
#include "proto/body.h"
#include "proto/err.h"
#include "proto/mpx.h"
#include "proto/wire.h"
#include "tests/unit/testutil.h"

#define NOW (TU_TIMESTAMP + 100000000ULL)
#define MADE_MAX 32

struct author {
	struct keys_identity id;
	uint64_t seq, ts;
	uint8_t prev[32];
};

struct made {
	struct entry e;
	uint8_t body[TU_BODY_CAP];
	uint8_t wire[ENTRY_WIRE_MAX];
	size_t len;
};

struct fx {
	char dir[64], path[128];
	struct node n;
	struct repl_net *rn;
	struct author a[4];           /* a[0] admin, a[1] and a[2] members, a[3] a stranger */
	uint8_t network[32];
	struct made m[MADE_MAX];
	size_t n_made;
	const uint8_t *wires[16];
	size_t lens[16], n_put;
	unsigned stored, forks, members;
	const void *origin;
	struct repl_result res;
	char why[256];
};

static void on_event(void *arg, const struct node_event *ev)
{
	struct fx *f = arg;

	if (ev->kind == NODE_EV_STORED) {
		f->stored++;
		f->origin = ev->origin;
	} else if (ev->kind == NODE_EV_FORK) {
		assert_non_null(ev->wire_a);
		assert_non_null(ev->wire_b);
		f->forks++;
	} else if (ev->kind == NODE_EV_MEMBERS) {
		f->members++;
	}
}

static struct made *make(struct fx *f, int k, const char *type, struct mpx_out *o)
{
	struct author *a = &f->a[k];
	struct made *m = &f->m[f->n_made++];
	struct entry_header h = {.version = ENTRY_VERSION};
	struct mpx_out g;

	assert_true(f->n_made <= MADE_MAX);
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
	a->ts += 1000;
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
	assert_int_equal(entry_encode(&m->e, true, m->wire, sizeof m->wire, &m->len), 0);
	return m;
}

static struct made *message(struct fx *f, int k, const char *text)
{
	struct mpx_out o;
	struct made *m;

	mpx_init(&o);
	assert_int_equal(body_message(&o, text, NULL), 0);
	m = make(f, k, "message", &o);
	mpx_free(&o);
	return m;
}

static struct made *admit(struct fx *f, int whom)
{
	struct mpx_out o;
	struct made *m;

	mpx_init(&o);
	assert_int_equal(body_member(&o, true, f->a[whom].id.pk, "someone", false), 0);
	m = make(f, 0, "member", &o);
	mpx_free(&o);
	return m;
}

static struct made *redact(struct fx *f, int k, const uint8_t target[32])
{
	struct body_ref r = {.text = "gone"};
	struct mpx_out o;
	struct made *m;

	memcpy(r.ref, target, 32);
	mpx_init(&o);
	assert_int_equal(body_ref(&o, "redact", &r), 0);
	m = make(f, k, "redact", &o);
	mpx_free(&o);
	return m;
}

static void put(struct fx *f, const struct made *m)
{
	f->wires[f->n_put] = m->wire;
	f->lens[f->n_put++] = m->len;
}

/* Ingest what was put, from a[peer], and announce it. */
static int ingest(struct fx *f, int peer)
{
	struct repl_from from = {.key = f->a[peer].id.pk, .hints = 1, .origin = f};
	int rc;

	if (f->rn == NULL)
		assert_int_equal(repl_net_open(&f->n, f->network, &f->rn), 0);
	rc = repl_ingest(&f->n, f->rn, &from, f->wires, f->lens, f->n_put, &f->res, f->why, sizeof f->why);
	f->n_put = 0;
	if (rc == 0)
		repl_announce(&f->n, f->rn, &f->res);
	return rc;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	assert_int_equal(keys_global_init(), 0);
	assert_int_equal(tu_mkdtemp(f->dir, "repl"), 0);
	snprintf(f->path, sizeof f->path, "%s/pakt.db", f->dir);
	assert_int_equal(store_open(&f->n.store, f->path, false, f->why, sizeof f->why), 0);
	f->n.scratch = calloc(WIRE_BATCH_MAX, sizeof *f->n.scratch);
	assert_non_null(f->n.scratch);
	f->n.sim_now_ms = NOW;
	assert_int_equal(node_listen(&f->n, on_event, f), 0);
	for (int i = 0; i < 4; i++) {
		uint8_t seed[32];

		memset(seed, 0x20 + i, sizeof seed);
		assert_int_equal(keys_from_seed(&f->a[i].id, seed), 0);
		f->a[i].ts = TU_TIMESTAMP + (uint64_t)i;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	repl_free_all(&f->n);
	store_close(f->n.store);
	free(f->n.scratch);
	for (int i = 0; i < 4; i++)
		keys_free(&f->a[i].id);
	tu_rmdir(f->dir);
	free(f);
	return 0;
}

/* A fresh node takes a batch that carries a member's feed before the
 * admin's entry admitting it: planned again once the roster knows it;
 * the session learns both feeds' seqs; one STORED event, after the
 * cursor moved. */
static void test_admission_in_batch(void **state)
{
	struct fx *f = *state;
	struct made *g = make(f, 0, "genesis", NULL), *ad = admit(f, 1);
	struct made *m1 = message(f, 1, "one"), *m2 = message(f, 1, "two");
	struct repl_from from = {.key = f->a[2].id.pk, .origin = f};
	const struct repl_feed *fa, *fb;

	put(f, m1);
	put(f, m2);
	put(f, g);
	put(f, ad);
	assert_int_equal(repl_net_open(&f->n, f->network, &f->rn), 0);
	assert_int_equal(repl_ingest(&f->n, f->rn, &from, f->wires, f->lens, f->n_put, &f->res, f->why,
				     sizeof f->why), 0);
	assert_int_equal(f->stored, 0);        /* not before repl_announce */
	assert_int_equal(f->res.n_adv, 2);
	fa = repl_feed_get(f->rn, f->a[0].id.pk, false, NULL);
	fb = repl_feed_get(f->rn, f->a[1].id.pk, false, NULL);
	assert_non_null(fa);
	assert_non_null(fb);
	assert_int_equal(fa->seq, 2);
	assert_int_equal(fb->seq, 2);
	assert_true(f->members >= 1);
	assert_false(f->rn->refetch);
	repl_announce(&f->n, f->rn, &f->res);
	assert_int_equal(f->stored, 1);
	assert_ptr_equal(f->origin, f);
}

/* A stranger's feed is refused and counted; the node will ask again when
 * its members change. */
static void test_stranger_refused(void **state)
{
	struct fx *f = *state;

	put(f, make(f, 0, "genesis", NULL));
	put(f, admit(f, 1));
	assert_int_equal(ingest(f, 1), 0);
	put(f, message(f, 3, "spam"));
	put(f, message(f, 1, "real"));
	assert_int_equal(ingest(f, 1), 0);
	assert_null(repl_feed_get(f->rn, f->a[3].id.pk, false, NULL));
	assert_int_equal(repl_feed_get(f->rn, f->a[1].id.pk, false, NULL)->seq, 1);
	assert_int_equal(f->rn->refused, 1);
	assert_true(f->rn->refetch);
	repl_members_changed(&f->n, f->rn);
	assert_false(f->rn->refetch);
}

/* Rule 2 through the store: a redaction of an entry not held yet waits
 * (no write); another author's does nothing when the target comes; the
 * author's own strips it on arrival. */
/* A member's feed that arrives before its admission is refused; once the
 * admission is stored the feed exists here at seq 0, so our next clock
 * asks for it again (before, the refused feed was never listed and a
 * partner that had sent it once never sent it again: catch-up stalled). */
static void test_refused_feed_asked_again(void **state)
{
	struct fx *f = *state;
	struct repl_feed *fd;

	put(f, make(f, 0, "genesis", NULL));
	put(f, admit(f, 1));
	assert_int_equal(ingest(f, 1), 0);
	put(f, message(f, 2, "too early"));
	assert_int_equal(ingest(f, 1), 0);
	assert_null(repl_feed_get(f->rn, f->a[2].id.pk, false, NULL));
	assert_true(f->rn->refetch);
	put(f, admit(f, 2));
	assert_int_equal(ingest(f, 1), 0);
	fd = repl_feed_get(f->rn, f->a[2].id.pk, false, NULL);
	assert_non_null(fd);
	assert_int_equal(fd->seq, 0);
	assert_false(f->rn->refetch);
}

static void test_pending_redactions(void **state)
{
	struct fx *f = *state;
	struct made *t, *own, *other;

	put(f, make(f, 0, "genesis", NULL));
	put(f, admit(f, 1));
	put(f, admit(f, 2));
	assert_int_equal(ingest(f, 1), 0);
	t = message(f, 1, "personal");     /* b's, not sent yet */
	other = redact(f, 2, t->e.hash);   /* c names it in advance */
	put(f, other);
	assert_int_equal(ingest(f, 2), 0);
	assert_int_equal(f->rn->n_pending, 1);
	assert_false(store_is_redacted(f->n.store, t->e.hash));

	put(f, t);                         /* arrives: c's redaction does nothing */
	assert_int_equal(ingest(f, 2), 0);
	assert_int_equal(repl_feed_get(f->rn, f->a[1].id.pk, false, NULL)->seq, 1);
	assert_false(repl_is_redacted(&f->n, t->e.hash));
	assert_false(store_is_redacted(f->n.store, t->e.hash));

	own = redact(f, 1, t->e.hash);     /* b's own, target held: applies */
	put(f, own);
	assert_int_equal(ingest(f, 2), 0);
	assert_true(repl_is_redacted(&f->n, t->e.hash));
	assert_true(store_is_redacted(f->n.store, t->e.hash));
}

/* A second valid entry at a held seq is kept as proof and announced. */
static void test_fork_event(void **state)
{
	struct fx *f = *state;
	struct author save;
	struct made *one, *alt;

	put(f, make(f, 0, "genesis", NULL));
	put(f, admit(f, 1));
	save = f->a[1];
	one = message(f, 1, "one");
	put(f, one);
	assert_int_equal(ingest(f, 2), 0);
	f->a[1] = save;
	alt = message(f, 1, "other one");
	put(f, alt);
	assert_int_equal(ingest(f, 2), 0);
	assert_int_equal(f->forks, 1);
	assert_true(repl_feed_get(f->rn, f->a[1].id.pk, false, NULL)->forked);

	/* the proof a session sends each new peer that still wants the feed */
	uint8_t *a, *b;
	size_t alen, blen;
	assert_int_equal(repl_fork_proof(&f->n, f->rn, f->a[1].id.pk, &a, &alen, &b, &blen), 0);
	assert_int_equal(alen, alt->len);
	assert_memory_equal(a, alt->wire, alen);
	assert_int_equal(blen, one->len);
	assert_memory_equal(b, one->wire, blen);
	free(a);
	free(b);
	assert_int_equal(repl_fork_proof(&f->n, f->rn, f->a[0].id.pk, &a, &alen, &b, &blen),
			 PAKT_ENOTFOUND);
}

/* Entries a removed key signed past its end, taken before the removal
 * arrived, stay stored but are not relayed: the pump stops at the end. */
static void test_relay_stops_at_end(void **state)
{
	struct fx *f = *state;
	struct mpx_out o;
	struct repl_feed *fd;

	put(f, make(f, 0, "genesis", NULL));
	put(f, admit(f, 1));
	put(f, message(f, 1, "one"));
	put(f, message(f, 1, "two"));
	assert_int_equal(ingest(f, 2), 0);
	fd = repl_feed_get(f->rn, f->a[1].id.pk, false, NULL);
	assert_int_equal(fd->seq, 2);
	assert_int_equal(repl_feed_relay_seq(f->rn, fd), 2);
	mpx_init(&o);
	assert_int_equal(body_member_remove(&o, f->a[1].id.pk, "someone", false, 1), 0);
	put(f, make(f, 0, "member", &o));
	mpx_free(&o);
	assert_int_equal(ingest(f, 2), 0);
	fd = repl_feed_get(f->rn, f->a[1].id.pk, false, NULL);
	assert_int_equal(fd->seq, 2);
	assert_int_equal(repl_feed_relay_seq(f->rn, fd), 1);
}

/* A batch with a bad signature stores nothing and says why. */
static void test_bad_signature_refused(void **state)
{
	struct fx *f = *state;
	struct made *g = make(f, 0, "genesis", NULL), *ad = admit(f, 1);
	uint64_t entries = 9, feeds = 9, nets = 9;

	ad->e.sig[3] ^= 1;
	assert_int_equal(entry_encode(&ad->e, true, ad->wire, sizeof ad->wire, &ad->len), 0);
	put(f, g);
	put(f, ad);
	assert_int_equal(ingest(f, 1), PAKT_ESIG);
	assert_non_null(strstr(f->why, "entry 1"));
	assert_int_equal(store_counts(f->n.store, &entries, &feeds, &nets), 0);
	assert_int_equal(entries, 0);
	assert_int_equal(f->res.n_adv, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_admission_in_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stranger_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_feed_asked_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_redactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_stops_at_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_signature_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
