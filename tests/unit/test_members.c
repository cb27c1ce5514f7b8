/* Unit tests of daemon/members (and core/roster through it): membership
 * comes only from the genesis admins and admins' member entries; removals
 * cut by seq (tests/unit/test_ledger.c has the order rules). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "daemon/members.h"
#include "daemon/store.h"
#include "keys/keys.h"
#include "proto/body.h"
#include "proto/err.h"
#include "proto/entry.h"
#include "proto/keyroll.h"
#include "tests/unit/testutil.h"

struct fx {
	char dir[64], path[128];
	struct store *s;
	struct tu_feed admin;           /* its genesis makes the network */
	struct keys_identity b, c;
	uint64_t b_seq, c_seq;
	uint8_t b_prev[32], c_prev[32];
	uint8_t bodies[8][TU_BODY_CAP];
	size_t n_bodies;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	uint8_t seed[32];
	char why[256];

	assert_non_null(f);
	assert_int_equal(keys_global_init(), 0);
	assert_int_equal(tu_mkdtemp(f->dir, "members"), 0);
	snprintf(f->path, sizeof f->path, "%s/pakt.db", f->dir);
	assert_int_equal(store_open(&f->s, f->path, false, why, sizeof why), 0);
	tu_feed_init(&f->admin, 1, NULL);
	memset(seed, 2, sizeof seed);
	assert_int_equal(keys_from_seed(&f->b, seed), 0);
	memset(seed, 3, sizeof seed);
	assert_int_equal(keys_from_seed(&f->c, seed), 0);
	const struct entry *g = &f->admin.e[0];
	assert_int_equal(store_append(f->s, &g, 1, 0, NULL), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->s);
	tu_feed_free(&f->admin);
	keys_free(&f->b);
	keys_free(&f->c);
	tu_rmdir(f->dir);
	free(f);
	return 0;
}

/* Sign and store an entry of type with the body in o (by: the admin
 * feed's identity, or b/c's own). */
static void put_entry(struct fx *f, const struct keys_identity *by, uint64_t *seq,
		      uint8_t prev[32], const char *type, const struct mpx_out *o, uint64_t ts)
{
	struct entry_header h = {.version = ENTRY_VERSION, .has_network = true};
	struct entry e;
	const struct entry *ep = &e;
	uint8_t *body = f->bodies[f->n_bodies++];

	memcpy(h.network, f->admin.network, 32);
	memcpy(h.author, by->pk, 32);
	h.seq = ++*seq;
	h.has_prev = h.seq > 1;
	memcpy(h.prev, prev, 32);
	h.timestamp = ts;
	strcpy(h.type, type);
	memcpy(body, o->sb.data, o->sb.size);
	assert_int_equal(entry_create(&e, &h, body, o->sb.size, keys_sk_open(by)), 0);
	keys_sk_close(by);
	assert_int_equal(store_append(f->s, &ep, 1, 0, NULL), 0);
	memcpy(prev, e.hash, 32);
}

static void member_entry(struct fx *f, const struct keys_identity *by, uint64_t *seq,
			 uint8_t prev[32], bool add, const uint8_t *key, const char *name,
			 uint64_t ts)
{
	struct mpx_out o;

	mpx_init(&o);
	if (add)
		assert_int_equal(body_member(&o, true, key, name, false), 0);
	else   /* the removed key's head as this admin sees it (b's: f->b_seq) */
		assert_int_equal(body_member_remove(&o, key, name, false, f->b_seq), 0);
	put_entry(f, by, seq, prev, "member", &o, ts);
	mpx_free(&o);
}

/* old hands its place to new (proof by prover: new itself, or a forger). */
static void succession_entry(struct fx *f, const struct keys_identity *old, uint64_t *seq,
			     uint8_t prev[32], const struct keys_identity *new_id,
			     const struct keys_identity *prover, uint64_t ts)
{
	struct body_succession sc;
	struct mpx_out o;
	uint8_t proof[64];

	keyroll_prove(proof, f->admin.network, old->pk, new_id->pk, keys_sk_open(prover));
	keys_sk_close(prover);
	memcpy(sc.new_key, new_id->pk, 32);
	sc.proof = proof;
	mpx_init(&o);
	assert_int_equal(body_succession(&o, &sc), 0);
	put_entry(f, old, seq, prev, "succession", &o, ts);
	mpx_free(&o);
}

static void revoke_entry(struct fx *f, const struct keys_identity *by, uint64_t *seq,
			 uint8_t prev[32], const uint8_t *key, uint64_t after, uint64_t ts)
{
	struct body_revoke rv = {.after = after};
	struct mpx_out o;

	memcpy(rv.key, key, 32);
	strcpy(rv.reason, "stolen");
	mpx_init(&o);
	assert_int_equal(body_revoke(&o, &rv), 0);
	put_entry(f, by, seq, prev, "revoke", &o, ts);
	mpx_free(&o);
}

/* A member admitted by the admin, b here (seq/prev: the admin feed's). */
static void admit_b(struct fx *f, uint64_t *seq, uint8_t prev[32])
{
	*seq = 1;
	memcpy(prev, f->admin.e[0].hash, 32);
	member_entry(f, &f->admin.id, seq, prev, true, f->b.pk, "Org B", TU_TIMESTAMP + 10);
}

/* The genesis admin alone is a member, and an admin. */
static void test_genesis_admin(void **state)
{
	struct fx *f = *state;
	struct roster m = {0};

	assert_int_equal(members_load(&m, f->s, f->admin.network), 0);
	assert_true(m.has_genesis);
	assert_int_equal(m.n, 1);
	assert_true(roster_is_admin(&m, f->admin.id.pk));
	assert_null(roster_find(&m, f->b.pk));
	roster_free(&m);
}

/* An admin's member entry admits a key with its name and role. */
static void test_admin_admits(void **state)
{
	struct fx *f = *state;
	struct roster m = {0};
	uint64_t seq;
	uint8_t prev[32];

	admit_b(f, &seq, prev);
	assert_int_equal(members_load(&m, f->s, f->admin.network), 0);
	const struct roster_member *b = roster_find(&m, f->b.pk);
	assert_non_null(b);
	assert_string_equal(b->name, "Org B");
	assert_false(b->admin);
	assert_memory_equal(b->added_by, f->admin.id.pk, 32);
	roster_free(&m);
}

/* A member entry from a non-admin is stored but admits no one. */
static void test_non_admin_ignored(void **state)
{
	struct fx *f = *state;
	struct roster m = {0};
	uint64_t seq;
	uint8_t prev[32];

	admit_b(f, &seq, prev);
	/* b (a plain member) tries to admit c */
	member_entry(f, &f->b, &f->b_seq, f->b_prev, true, f->c.pk, "Org C", TU_TIMESTAMP + 20);
	assert_int_equal(members_load(&m, f->s, f->admin.network), 0);
	assert_null(roster_find(&m, f->c.pk));
	assert_int_equal(m.ignored, 1);
	roster_free(&m);
}

/* Removal takes effect; a later re-admission does not bring the key back. */
static void test_remove_then_readmit(void **state)
{
	struct fx *f = *state;
	struct roster m = {0};
	uint64_t seq;
	uint8_t prev[32];

	admit_b(f, &seq, prev);
	member_entry(f, &f->admin.id, &seq, prev, false, f->b.pk, "Org B", TU_TIMESTAMP + 20);
	assert_int_equal(members_load(&m, f->s, f->admin.network), 0);
	assert_null(roster_find(&m, f->b.pk));
	roster_free(&m);
	/* a removed key does not come back (its member does, under a new key) */
	member_entry(f, &f->admin.id, &seq, prev, true, f->b.pk, "Org B again", TU_TIMESTAMP + 30);
	assert_int_equal(members_load(&m, f->s, f->admin.network), 0);
	assert_null(roster_find(&m, f->b.pk));
	assert_false(roster_member_at(&m, f->b.pk, 1, TU_TIMESTAMP + 40));
	roster_free(&m);
}

/* Member bodies with a wrong action or role, or an add with a seq, are
 * refused by the schema; a removal with its seq round-trips. */
static void test_member_schema(void **state)
{
	static const uint8_t bad[] = {0x84, 0xa6, 'a', 'c', 't', 'i', 'o', 'n', 0xa3, 'b', 'a', 'n'};
	struct fx *f = *state;
	struct body_member m;
	struct mpx_out o;
	char why[128];

	assert_int_equal(body_validate("member", bad, sizeof bad, why, sizeof why), PAKT_EBODY);
	/* a removal carries the removed key's head; it parses back */
	mpx_init(&o);
	assert_int_equal(body_member_remove(&o, f->b.pk, "Org B", false, 7), 0);
	assert_int_equal(body_validate("member", (const uint8_t *)o.sb.data, o.sb.size, why, sizeof why), 0);
	assert_int_equal(body_member_parse((const uint8_t *)o.sb.data, o.sb.size, &m), 0);
	assert_true(m.has_seq && !m.add);
	assert_int_equal(m.seq, 7);
	mpx_free(&o);
	/* an add with a seq is refused by the schema */
	mpx_init(&o);
	msgpack_pack_map(&o.pk, 5);
	mpx_kv_str(&o.pk, "action", "add");
	mpx_kv_bin(&o.pk, "key", f->b.pk, 32);
	mpx_kv_str(&o.pk, "name", "Org B");
	mpx_kv_str(&o.pk, "role", "member");
	mpx_kv_u64(&o.pk, "seq", 7);
	assert_int_equal(body_validate("member", (const uint8_t *)o.sb.data, o.sb.size, why, sizeof why),
			 PAKT_EBODY);
	mpx_free(&o);
	mpx_init(&o);
	assert_int_equal(body_member_remove(&o, f->b.pk, "Org B", false, ENTRY_SEQ_MAX + 1), PAKT_EINVAL);
	mpx_free(&o);
}

/* b hands its place to c: c is the same member (name, root), b is gone,
 * and periods tell who was a member when. */
static void test_succession(void **state)
{
	struct fx *f = *state;
	struct roster m = {0};
	uint64_t aseq, bseq = 0;
	uint8_t aprev[32], bprev[32] = {0};

	admit_b(f, &aseq, aprev);
	succession_entry(f, &f->b, &bseq, bprev, &f->c, &f->c, TU_TIMESTAMP + 20);
	assert_int_equal(members_load(&m, f->s, f->admin.network), 0);
	const struct roster_member *c = roster_find(&m, f->c.pk);
	assert_non_null(c);
	assert_string_equal(c->name, "Org B");
	assert_memory_equal(c->root, f->b.pk, 32);
	assert_null(roster_find(&m, f->b.pk));
	assert_true(roster_lookup(&m, f->b.pk)->has_successor);
	assert_true(roster_same(&m, f->b.pk, f->c.pk));
	assert_false(roster_same(&m, f->b.pk, f->admin.id.pk));
	/* b's entries up to its succession (#1) count, c's from its first */
	assert_true(roster_member_at(&m, f->b.pk, 1, TU_TIMESTAMP + 20));
	assert_false(roster_member_at(&m, f->b.pk, 2, TU_TIMESTAMP + 15));
	assert_true(roster_member_at(&m, f->c.pk, 1, TU_TIMESTAMP + 25));
	assert_int_equal(m.ignored, 0);
	roster_free(&m);
}

/* A proof not made by the named key, and a succession by a non-member,
 * have no effect. */
static void test_succession_refused(void **state)
{
	struct fx *f = *state;
	struct roster m = {0};
	uint64_t aseq, bseq = 0, cseq = 0;
	uint8_t aprev[32], bprev[32] = {0}, cprev[32] = {0};
	struct keys_identity d;
	uint8_t seed[32];

	memset(seed, 4, sizeof seed);
	assert_int_equal(keys_from_seed(&d, seed), 0);
	admit_b(f, &aseq, aprev);
	succession_entry(f, &f->b, &bseq, bprev, &f->c, &f->b, TU_TIMESTAMP + 20);   /* forged proof */
	succession_entry(f, &f->c, &cseq, cprev, &d, &d, TU_TIMESTAMP + 30);        /* c: no member */
	assert_int_equal(members_load(&m, f->s, f->admin.network), 0);
	assert_non_null(roster_find(&m, f->b.pk));
	assert_null(roster_find(&m, f->c.pk));
	assert_null(roster_find(&m, d.pk));
	assert_int_equal(m.ignored, 2);
	roster_free(&m);
	keys_free(&d);
}

/* An admin revokes b after seq 1: b's seq 2.. are untrusted, b is no
 * member, and the successor b named at seq 2 (a thief's rotation) goes
 * too. A non-admin's revoke has no effect. */
static void test_revoke(void **state)
{
	struct fx *f = *state;
	struct roster m = {0};
	uint64_t aseq, bseq = 0, cseq = 0;
	uint8_t aprev[32], bprev[32] = {0}, cprev[32] = {0};

	admit_b(f, &aseq, aprev);
	member_entry(f, &f->b, &bseq, bprev, true, f->b.pk, "b speaks", TU_TIMESTAMP + 11);
	succession_entry(f, &f->b, &bseq, bprev, &f->c, &f->c, TU_TIMESTAMP + 12);
	revoke_entry(f, &f->c, &cseq, cprev, f->admin.id.pk, 0, TU_TIMESTAMP + 13);  /* not admin */
	revoke_entry(f, &f->admin.id, &aseq, aprev, f->b.pk, 1, TU_TIMESTAMP + 20);
	assert_int_equal(members_load(&m, f->s, f->admin.network), 0);
	assert_null(roster_untrusted(&m, f->b.pk, 1));
	const struct roster_revocation *rv = roster_untrusted(&m, f->b.pk, 2);
	assert_non_null(rv);
	assert_int_equal(rv->after, 1);
	assert_memory_equal(rv->by, f->admin.id.pk, 32);
	assert_null(roster_find(&m, f->b.pk));
	assert_null(roster_find(&m, f->c.pk));
	assert_non_null(roster_untrusted(&m, f->c.pk, 1));
	assert_true(roster_is_admin(&m, f->admin.id.pk));
	assert_null(roster_untrusted(&m, f->admin.id.pk, 5));
	/* what replication relays of each feed stops at its end */
	assert_int_equal(roster_end(&m, f->b.pk), 1);
	assert_int_equal(roster_end(&m, f->admin.id.pk), UINT64_MAX);
	assert_int_equal(roster_end(&m, (const uint8_t[32]){0x5a}), UINT64_MAX);   /* unknown */
	assert_true(m.ignored >= 1);
	roster_free(&m);
}

/* Revoked after the succession's seq: the successor stays. */
static void test_revoke_keeps_earlier_successor(void **state)
{
	struct fx *f = *state;
	struct roster m = {0};
	uint64_t aseq, bseq = 0;
	uint8_t aprev[32], bprev[32] = {0};

	admit_b(f, &aseq, aprev);
	succession_entry(f, &f->b, &bseq, bprev, &f->c, &f->c, TU_TIMESTAMP + 12);
	revoke_entry(f, &f->admin.id, &aseq, aprev, f->b.pk, 1, TU_TIMESTAMP + 20);
	assert_int_equal(members_load(&m, f->s, f->admin.network), 0);
	assert_non_null(roster_find(&m, f->c.pk));
	assert_null(roster_untrusted(&m, f->c.pk, 9));
	assert_non_null(roster_untrusted(&m, f->b.pk, 2));
	roster_free(&m);
}

/* Succession and revoke bodies: schema, builder and parser agree. */
static void test_keyroll_bodies(void **state)
{
	struct body_revoke rv = {.after = 7}, back;
	struct mpx_out o;
	char why[128];

	memset(rv.key, 9, 32);
	strcpy(rv.reason, "laptop stolen");
	mpx_init(&o);
	assert_int_equal(body_revoke(&o, &rv), 0);
	assert_int_equal(body_validate("revoke", (uint8_t *)o.sb.data, o.sb.size, why, sizeof why), 0);
	assert_int_equal(body_revoke_parse((uint8_t *)o.sb.data, o.sb.size, &back), 0);
	assert_int_equal(back.after, 7);
	assert_string_equal(back.reason, "laptop stolen");
	/* a succession body where a revoke is expected: refused with a reason */
	mpx_reset(&o);
	struct body_succession sc = {.proof = (const uint8_t *)"0123456789012345678901234567890123456789012345678901234567890123"};
	assert_int_equal(body_succession(&o, &sc), 0);
	assert_int_equal(body_validate("succession", (uint8_t *)o.sb.data, o.sb.size, why, sizeof why), 0);
	assert_int_equal(body_validate("revoke", (uint8_t *)o.sb.data, o.sb.size, why, sizeof why), PAKT_EBODY);
	assert_true(strstr(why, "revoke") != NULL);
	mpx_free(&o);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_genesis_admin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admin_admits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_admin_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_then_readmit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_member_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_succession, setup, teardown),
		cmocka_unit_test_setup_teardown(test_succession_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoke, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoke_keeps_earlier_successor, setup, teardown),
		cmocka_unit_test(test_keyroll_bodies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
