/* Unit tests of core/sigproof: which signatures of a batch are checked
 * before storing, and the bad-signature proof check (each condition of
 * PROTOCOL.md "Deferred signature checks" refused on its own). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "core/sigproof.h"
#include "keys/keys.h"
#include "proto/body.h"
#include "proto/err.h"
#include "proto/mpx.h"
#include "tests/unit/testutil.h"

/* A feed m: seq 1..2 honest, seq 3 with a corrupted signature, seq 4
 * validly signed on top of the corrupted 3. */
struct fx {
	struct tu_feed f, other;
	struct entry bad, succ, succ_of_good;
	uint8_t succ_body[TU_BODY_CAP], good_body[TU_BODY_CAP];
	uint8_t wa[ENTRY_WIRE_MAX], wb[ENTRY_WIRE_MAX], wgood[ENTRY_WIRE_MAX], wx[ENTRY_WIRE_MAX];
	size_t la, lb, lgood, lx;
	struct entry a_out, b_out;
	char why[128];
};

static void encode(const struct entry *e, uint8_t *out, size_t *len)
{
	assert_int_equal(entry_encode(e, true, out, ENTRY_WIRE_MAX, len), 0);
}

static int setup(void **state)
{
	struct fx *x = test_calloc(1, sizeof *x);
	uint8_t sig[PAKT_SIG_LEN];

	tu_feed_init(&x->f, 7, NULL);
	tu_feed_messages(&x->f, "m", 2);
	memcpy(sig, x->f.e[2].sig, sizeof sig);
	sig[5] ^= 0x40;
	/* the same header and body, a signature that fails: its hash differs */
	assert_int_equal(entry_from_parts(&x->bad, x->f.e[2].header_bytes, x->f.e[2].header_len, sig,
					  x->f.e[2].body, x->f.e[2].body_len), 0);
	tu_entry(&x->succ, x->succ_body, &x->f.id, x->f.network, 4, x->bad.hash, "message", "on top");
	tu_entry(&x->succ_of_good, x->good_body, &x->f.id, x->f.network, 4, x->f.e[2].hash, "message",
		 "on the good one");
	encode(&x->bad, x->wa, &x->la);
	encode(&x->succ, x->wb, &x->lb);
	encode(&x->succ_of_good, x->wgood, &x->lgood);
	tu_feed_init(&x->other, 9, x->f.network);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	tu_feed_free(&x->f);
	tu_feed_free(&x->other);
	test_free(x);
	return 0;
}

static int check(struct fx *x, const uint8_t *wa, size_t la, const uint8_t *wb, size_t lb)
{
	return sigproof_check(x->f.network, wa, la, wb, lb, &x->a_out, &x->b_out, x->why,
			      sizeof x->why);
}

static void test_valid_proof(void **state)
{
	struct fx *x = *state;

	assert_int_equal(check(x, x->wa, x->la, x->wb, x->lb), 0);
	assert_int_equal(x->a_out.h.seq, 3);
	assert_int_equal(x->b_out.h.seq, 4);
}

static void test_a_valid_is_no_proof(void **state)
{
	struct fx *x = *state;

	encode(&x->f.e[2], x->wx, &x->lx);
	assert_int_equal(check(x, x->wx, x->lx, x->wgood, x->lgood), PAKT_EINVAL);
	assert_non_null(strstr(x->why, "valid"));
}

static void test_b_bad_is_no_proof(void **state)
{
	struct fx *x = *state;
	struct entry b2;

	b2 = x->succ;
	b2.sig[0] ^= 1;
	encode(&b2, x->wx, &x->lx);
	assert_int_equal(check(x, x->wa, x->la, x->wx, x->lx), PAKT_EINVAL);
	assert_non_null(strstr(x->why, "successor's signature"));
}

static void test_b_not_on_a(void **state)
{
	struct fx *x = *state;

	/* the successor of the good entry does not commit to the bad one */
	assert_int_equal(check(x, x->wa, x->la, x->wgood, x->lgood), PAKT_EINVAL);
	assert_non_null(strstr(x->why, "does not follow"));
}

static void test_seq_gap(void **state)
{
	struct fx *x = *state;
	struct entry b5;
	uint8_t body[TU_BODY_CAP];

	tu_entry(&b5, body, &x->f.id, x->f.network, 5, x->bad.hash, "message", "gap");
	encode(&b5, x->wx, &x->lx);
	assert_int_equal(check(x, x->wa, x->la, x->wx, x->lx), PAKT_EINVAL);
}

static void test_other_author(void **state)
{
	struct fx *x = *state;
	struct entry b;
	uint8_t body[TU_BODY_CAP];

	tu_entry(&b, body, &x->other.id, x->f.network, 4, x->bad.hash, "message", "not mine");
	encode(&b, x->wx, &x->lx);
	assert_int_equal(check(x, x->wa, x->la, x->wx, x->lx), PAKT_EINVAL);
	assert_non_null(strstr(x->why, "two authors"));
}

static void test_other_network(void **state)
{
	struct fx *x = *state;
	uint8_t net[32];

	memset(net, 0xab, sizeof net);
	assert_int_equal(sigproof_check(net, x->wa, x->la, x->wb, x->lb, &x->a_out, &x->b_out,
					x->why, sizeof x->why), PAKT_EINVAL);
	assert_non_null(strstr(x->why, "network"));
}

static void test_garbage(void **state)
{
	struct fx *x = *state;
	uint8_t junk[40];

	memset(junk, 0x91, sizeof junk);
	assert_int_equal(check(x, junk, sizeof junk, x->wb, x->lb), PAKT_EINVAL);
	assert_int_equal(check(x, x->wa, x->la, junk, sizeof junk), PAKT_EINVAL);
	assert_int_equal(check(x, x->wa, 0, x->wb, x->lb), PAKT_EINVAL);
}

/* A batch m2 m3 o1 m4 p(profile of o) o3: checked first are each feed's
 * newest (m4, o3) and the profile; m2, m3, o1 wait; a skipped entry never
 * counts. */
static void test_eager(void **state)
{
	struct fx *x = *state;
	struct tu_feed *f = &x->f, *o = &x->other;
	struct entry es[7];
	struct replica_plan plans[7];
	bool now[7];

	tu_feed_add(o, "message", "o1");
	tu_feed_add(o, "profile", "o2");
	tu_feed_add(o, "message", "o3");
	es[0] = f->e[1];
	es[1] = f->e[2];
	es[2] = o->e[0];
	es[3] = x->succ_of_good;
	es[4] = o->e[1];
	es[5] = o->e[2];
	es[6] = f->e[0];
	memset(plans, 0, sizeof plans);
	for (int i = 0; i < 7; i++)
		plans[i].act = REPLICA_STORE;
	plans[6].act = REPLICA_DUP;
	strcpy(es[4].h.type, "profile");
	sigproof_eager(es, plans, 7, now);
	assert_false(now[0]);
	assert_false(now[1]);
	assert_false(now[2]);
	assert_true(now[3]);
	assert_true(now[4]);
	assert_true(now[5]);
	assert_false(now[6]);
	assert_true(sigproof_immediate("member"));
	assert_true(sigproof_immediate("redact"));
	assert_false(sigproof_immediate("message"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_valid_proof, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_valid_is_no_proof, setup, teardown),
		cmocka_unit_test_setup_teardown(test_b_bad_is_no_proof, setup, teardown),
		cmocka_unit_test_setup_teardown(test_b_not_on_a, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq_gap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_author, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_network, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eager, setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("sigproof", tests, NULL, NULL);
}
