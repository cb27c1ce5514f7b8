/* Unit tests of daemon/members: membership comes only from the genesis
 * admins and admins' member entries, in (timestamp, hash) order. */
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

/* Sign and store a member entry by `by` (the admin feed, or b/c's own). */
static void member_entry(struct fx *f, const struct keys_identity *by, uint64_t *seq,
			 uint8_t prev[32], bool add, const uint8_t *key, const char *name,
			 uint64_t ts)
{
	struct entry_header h = {.version = ENTRY_VERSION, .has_network = true};
	struct mpx_out o;
	struct entry e;
	const struct entry *ep = &e;
	uint8_t *body = f->bodies[f->n_bodies++];

	memcpy(h.network, f->admin.network, 32);
	memcpy(h.author, by->pk, 32);
	h.seq = ++*seq;
	h.has_prev = h.seq > 1;
	memcpy(h.prev, prev, 32);
	h.timestamp = ts;
	strcpy(h.type, "member");
	mpx_init(&o);
	assert_int_equal(body_member(&o, add, key, name, false), 0);
	memcpy(body, o.sb.data, o.sb.size);
	assert_int_equal(entry_create(&e, &h, body, o.sb.size, keys_sk_open(by)), 0);
	keys_sk_close(by);
	mpx_free(&o);
	assert_int_equal(store_append(f->s, &ep, 1, 0, NULL), 0);
	memcpy(prev, e.hash, 32);
}

/* The genesis admin alone is a member, and an admin. */
static void test_genesis_admin(void **state)
{
	struct fx *f = *state;
	struct members m = {0};

	assert_int_equal(members_load(&m, f->s, f->admin.network), 0);
	assert_true(m.has_genesis);
	assert_int_equal(m.n, 1);
	assert_true(members_is_admin(&m, f->admin.id.pk));
	assert_null(members_find(&m, f->b.pk));
	members_free(&m);
}

/* An admin's member entry admits a key with its name and role. */
static void test_admin_admits(void **state)
{
	struct fx *f = *state;
	struct members m = {0};
	uint64_t seq = 1;
	uint8_t prev[32];

	memcpy(prev, f->admin.e[0].hash, 32);
	member_entry(f, &f->admin.id, &seq, prev, true, f->b.pk, "Org B", TU_TIMESTAMP + 10);
	assert_int_equal(members_load(&m, f->s, f->admin.network), 0);
	const struct member *b = members_find(&m, f->b.pk);
	assert_non_null(b);
	assert_string_equal(b->name, "Org B");
	assert_false(b->admin);
	assert_memory_equal(b->added_by, f->admin.id.pk, 32);
	members_free(&m);
}

/* A member entry from a non-admin is stored but admits no one. */
static void test_non_admin_ignored(void **state)
{
	struct fx *f = *state;
	struct members m = {0};
	uint64_t seq = 1;
	uint8_t prev[32];

	memcpy(prev, f->admin.e[0].hash, 32);
	member_entry(f, &f->admin.id, &seq, prev, true, f->b.pk, "Org B", TU_TIMESTAMP + 10);
	/* b (a plain member) tries to admit c */
	member_entry(f, &f->b, &f->b_seq, f->b_prev, true, f->c.pk, "Org C", TU_TIMESTAMP + 20);
	assert_int_equal(members_load(&m, f->s, f->admin.network), 0);
	assert_null(members_find(&m, f->c.pk));
	assert_int_equal(m.ignored, 1);
	members_free(&m);
}

/* Removal takes effect; a later re-admission restores the member. */
static void test_remove_then_readmit(void **state)
{
	struct fx *f = *state;
	struct members m = {0};
	uint64_t seq = 1;
	uint8_t prev[32];

	memcpy(prev, f->admin.e[0].hash, 32);
	member_entry(f, &f->admin.id, &seq, prev, true, f->b.pk, "Org B", TU_TIMESTAMP + 10);
	member_entry(f, &f->admin.id, &seq, prev, false, f->b.pk, "Org B", TU_TIMESTAMP + 20);
	assert_int_equal(members_load(&m, f->s, f->admin.network), 0);
	assert_null(members_find(&m, f->b.pk));
	members_free(&m);
	member_entry(f, &f->admin.id, &seq, prev, true, f->b.pk, "Org B again", TU_TIMESTAMP + 30);
	assert_int_equal(members_load(&m, f->s, f->admin.network), 0);
	assert_non_null(members_find(&m, f->b.pk));
	assert_string_equal(members_find(&m, f->b.pk)->name, "Org B again");
	members_free(&m);
}

/* Member bodies with a wrong action or role are refused by the schema. */
static void test_member_schema(void **state)
{
	static const uint8_t bad[] = {0x84, 0xa6, 'a', 'c', 't', 'i', 'o', 'n', 0xa3, 'b', 'a', 'n'};
	char why[128];

	assert_int_equal(body_validate("member", bad, sizeof bad, why, sizeof why), PAKT_EBODY);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_genesis_admin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admin_admits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_admin_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_then_readmit, setup, teardown),
		cmocka_unit_test(test_member_schema),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
