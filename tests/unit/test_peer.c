/* Unit tests of core/peer: one connection's states, message dispatch,
 * admission, the pinned-key rule, clocks and send cursors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "core/peer.h"
#include "keys/keys.h"
#include "proto/body.h"
#include "proto/entry.h"
#include "proto/err.h"
#include "proto/mpx.h"
#include "proto/wire.h"
#include "testutil.h"

/* Feeds of the "shell" in these tests: authors[i] is feed i. */
#define FEEDS_MAX 5000
static uint8_t authors[FEEDS_MAX][32];

static const uint8_t *author_of(void *arg, size_t idx)
{
	(void)arg;
	return authors[idx];
}

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	for (size_t i = 0; i < FEEDS_MAX; i++) {
		memset(authors[i], 0, 32);
		authors[i][0] = (uint8_t)(i >> 8);
		authors[i][1] = (uint8_t)i;
		authors[i][31] = 0xA5;
	}
	return 0;
}

/* The transition table: the happy paths pass, a skipped step and a role's
 * foreign state are refused, and closed is final. */
static void test_transitions(void **state)
{
	struct peer p;

	(void)state;
	peer_init(&p, true);
	assert_int_equal(p.state, PEER_CONNECTING);
	assert_int_equal(peer_transition(&p, PEER_REPL), PAKT_EPROTO);   /* skip the handshake */
	assert_int_equal(p.state, PEER_CONNECTING);
	assert_int_equal(peer_transition(&p, PEER_HANDSHAKE), 0);
	assert_int_equal(peer_transition(&p, PEER_INVITE_WAIT), PAKT_EPROTO);   /* responder's */
	assert_int_equal(peer_transition(&p, PEER_WELCOME_WAIT), 0);
	assert_int_equal(peer_transition(&p, PEER_HANDSHAKE), PAKT_EPROTO);   /* backwards */
	assert_int_equal(peer_transition(&p, PEER_REPL), 0);
	assert_int_equal(peer_transition(&p, PEER_CLOSED), 0);
	assert_int_equal(peer_transition(&p, PEER_REPL), PAKT_EPROTO);
	assert_int_equal(peer_transition(&p, PEER_CLOSED), PAKT_EPROTO);

	peer_init(&p, false);
	assert_int_equal(p.state, PEER_PREAMBLE);
	assert_int_equal(peer_transition(&p, PEER_HANDSHAKE), 0);
	assert_int_equal(peer_transition(&p, PEER_WELCOME_WAIT), PAKT_EPROTO);   /* initiator's */
	assert_int_equal(peer_transition(&p, PEER_INVITE_WAIT), 0);
	assert_int_equal(peer_transition(&p, PEER_REPL), 0);
	assert_false(peer_can(false, PEER_CONNECTING, PEER_HANDSHAKE));
	assert_false(peer_can(true, PEER_PREAMBLE, PEER_HANDSHAKE));
	for (int s = 0; s < PEER_STATE_COUNT; s++)
		assert_false(peer_can(s & 1, PEER_CLOSED, (enum peer_state)s));
	assert_string_equal(peer_state_name(PEER_REPL), "replicating");
}

/* A non-member waiting for its invite that sends anything else gets a bye
 * (not a silent close); the other states take only their messages. */
static void test_dispatch(void **state)
{
	struct peer p;
	struct peer_verdict v;

	(void)state;
	peer_init(&p, false);
	p.state = PEER_INVITE_WAIT;
	v = peer_on_message(&p, WIRE_CLOCK);
	assert_int_equal(v.act, PEER_ACT_BYE);
	assert_string_equal(v.reason, "not a member of this initiative");
	assert_int_equal(peer_on_message(&p, WIRE_INVITE).act, PEER_ACT_INVITE);
	assert_int_equal(peer_on_message(&p, WIRE_BYE).act, PEER_ACT_PEER_BYE);
	p.state = PEER_REPL;
	assert_int_equal(peer_on_message(&p, WIRE_ENTRIES).act, PEER_ACT_ENTRIES);
	assert_int_equal(peer_on_message(&p, WIRE_RUN).act, PEER_ACT_RUN);
	assert_int_equal(peer_on_message(&p, WIRE_CLOCK).act, PEER_ACT_CLOCK);
	assert_int_equal(peer_on_message(&p, WIRE_FORK).act, PEER_ACT_FORK);
	assert_int_equal(peer_on_message(&p, WIRE_INVITE).act, PEER_ACT_CLOSE);
	assert_int_equal(peer_on_message(&p, WIRE_WELCOME).act, PEER_ACT_CLOSE);
	p.state = PEER_HANDSHAKE;
	assert_int_equal(peer_on_message(&p, WIRE_CLOCK).act, PEER_ACT_CLOSE);
	peer_init(&p, true);
	p.state = PEER_WELCOME_WAIT;
	assert_int_equal(peer_on_message(&p, WIRE_WELCOME).act, PEER_ACT_WELCOME);
	assert_int_equal(peer_on_message(&p, WIRE_ENTRIES).act, PEER_ACT_CLOSE);
	assert_int_equal(peer_on_message(&p, WIRE_RUN).act, PEER_ACT_CLOSE);
}

/* A non-member that finished the handshake and then waits is told that it
 * missed the invite deadline, not that the handshake did not finish. */
static void test_deadline_reason(void **state)
{
	struct peer p;
	char why[200];

	(void)state;
	peer_init(&p, false);
	p.state = PEER_INVITE_WAIT;
	peer_deadline_why(&p, 5000, 30000, why, sizeof why);
	assert_non_null(strstr(why, "invite deadline"));
	assert_null(strstr(why, "handshake"));
	p.state = PEER_HANDSHAKE;
	peer_deadline_why(&p, 5000, 30000, why, sizeof why);
	assert_non_null(strstr(why, "handshake not finished within 5000 ms"));
	p.state = PEER_REPL;
	peer_deadline_why(&p, 5000, 30000, why, sizeof why);
	assert_non_null(strstr(why, "stalled"));
}

/* A roster in miniature: keys with the same first byte are one member. */
static bool same_first_byte(void *arg, const uint8_t a[32], const uint8_t b[32])
{
	(void)arg;
	return a[0] == b[0];
}

static uint8_t key_pin[32] = {1}, key_pin_next[32] = {1, 2}, key_other[32] = {7},
	       key_fresh[32] = {9, 9};

/* Rule 7: on a pinned link, a succession vouches for a new key only when
 * its author is the pinned member; any other member's succession is
 * refused (the old code accepted any valid succession). */
static void test_pin_succession_author(void **state)
{
	char why[256] = "";
	struct peer_facts f = {.peer_key = key_fresh, .vouched = true, .succ_author = key_other,
			       .pin = key_pin, .has_genesis = true,
			       .same_member = same_first_byte};

	(void)state;
	assert_int_equal(peer_pin_check(&f, why, sizeof why), PAKT_ENOTMEMBER);
	assert_non_null(strstr(why, "not by the pinned member"));
	assert_int_equal(peer_admit(true, &f, why, sizeof why), PEER_ADMIT_REFUSE);
	/* the pinned member's own succession, or one by its rotated key */
	f.succ_author = key_pin;
	assert_int_equal(peer_pin_check(&f, why, sizeof why), 0);
	assert_int_equal(peer_admit(true, &f, why, sizeof why), PEER_ADMIT_REPL);
	f.succ_author = key_pin_next;
	assert_int_equal(peer_pin_check(&f, why, sizeof why), 0);
	/* a key of the pinned member (rotation the roster knows) */
	f = (struct peer_facts){.peer_key = key_pin_next, .is_member = true, .pin = key_pin,
				.same_member = same_first_byte};
	assert_int_equal(peer_pin_check(&f, why, sizeof why), 0);
	/* another member on the pinned address */
	f.peer_key = key_other;
	assert_int_equal(peer_admit(true, &f, why, sizeof why), PEER_ADMIT_REFUSE);
	assert_non_null(strstr(why, "not the expected key"));
	/* no pin: any member */
	f.pin = NULL;
	assert_int_equal(peer_admit(true, &f, why, sizeof why), PEER_ADMIT_REPL);
}

/* Rule 7: one live session per member key; the older one stays. */
static void test_one_session_per_key(void **state)
{
	char why[256] = "";
	struct peer_facts f = {.peer_key = key_other, .is_member = true, .key_live = true};

	(void)state;
	assert_int_equal(peer_admit(false, &f, why, sizeof why), PEER_ADMIT_REFUSE);
	assert_non_null(strstr(why, "already has a session"));
	assert_int_equal(peer_admit(true, &f, why, sizeof why), PEER_ADMIT_REFUSE);
	f.key_live = false;
	assert_int_equal(peer_admit(false, &f, why, sizeof why), PEER_ADMIT_REPL);
}

/* Admission: a responder lets a non-member only redeem an invite; the
 * initiator joins, refuses non-members once it holds the genesis, and
 * refuses itself. */
static void test_admission(void **state)
{
	char why[256] = "";
	struct peer_facts f = {.peer_key = key_fresh};

	(void)state;
	assert_int_equal(peer_admit(false, &f, why, sizeof why), PEER_ADMIT_INVITE_WAIT);
	f.vouched = true;
	assert_int_equal(peer_admit(false, &f, why, sizeof why), PEER_ADMIT_REPL);
	f = (struct peer_facts){.peer_key = key_pin, .pin = key_pin, .joining = true};
	assert_int_equal(peer_admit(true, &f, why, sizeof why), PEER_ADMIT_JOIN);
	f.joining = false;   /* reconnecting to the inviter before the genesis arrived */
	assert_int_equal(peer_admit(true, &f, why, sizeof why), PEER_ADMIT_REPL);
	f.has_genesis = true;
	assert_int_equal(peer_admit(true, &f, why, sizeof why), PEER_ADMIT_REFUSE);
	f = (struct peer_facts){.peer_key = key_pin, .is_self = true, .is_member = true};
	assert_int_equal(peer_admit(false, &f, why, sizeof why), PEER_ADMIT_REFUSE);
	assert_string_equal(why, "that is ourselves");
}

/* The author of a hello's succession is read from its wire form. */
static void test_succ_author(void **state)
{
	static struct tu_feed f;
	uint8_t wire[1024], out[32];
	size_t len;

	(void)state;
	tu_feed_init(&f, 3, NULL);
	tu_feed_add(&f, "message", "hello");
	assert_int_equal(entry_encode(&f.e[1], true, wire, sizeof wire, &len), 0);
	assert_int_equal(peer_succ_author(wire, len, out), 0);
	assert_memory_equal(out, f.id.pk, 32);
	assert_int_not_equal(peer_succ_author(wire, 3, out), 0);
	assert_int_equal(peer_succ_author(NULL, 0, out), PAKT_EINVAL);
	tu_feed_free(&f);
}

static struct wire_clock_item clock_items[FEEDS_MAX];
static const uint8_t *clock_skip[FEEDS_MAX];

/* Rule 3: a clock in several parts adds up (the old code replaced what it
 * knew with each clock, so only the last part counted), and a later clock
 * says what the peer holds now: lower than what we sent when it refused
 * entries it could not take yet (a feed whose admission it had not seen),
 * which it asks for again with that clock. */
static void test_clock_parts_merge(void **state)
{
	struct peer p;
	struct wire_msg m = {.type = WIRE_CLOCK, .feeds = clock_items};
	uint64_t from;

	(void)state;
	peer_init(&p, false);
	for (size_t i = 0; i < 3000; i++) {
		clock_items[i].author = authors[i];
		clock_items[i].seq = 10 + i;
	}
	m.feeds = clock_items;
	m.n_feeds = 1024;
	assert_int_equal(peer_on_clock(&p, &m, 3000, author_of, NULL), 0);
	m.feeds = clock_items + 1024;
	m.n_feeds = 3000 - 1024;
	assert_int_equal(peer_on_clock(&p, &m, 3000, author_of, NULL), 0);
	for (size_t i = 0; i < 3000; i++)
		assert_false(peer_wants(&p, i, 10 + i, &from));
	assert_true(peer_wants(&p, 5, 16, &from));
	assert_int_equal(from, 16);
	/* we sent seq 16..20 of feed 5 */
	peer_holds(&p, 5, 20);
	assert_false(peer_wants(&p, 5, 20, &from));
	assert_int_equal(peer_behind(&p, 5, 25), 5);
	/* the peer refused them and says again it holds 15: we send 16.. */
	m.feeds = clock_items;
	m.n_feeds = 10;
	assert_int_equal(peer_on_clock(&p, &m, 3000, author_of, NULL), 0);
	assert_true(peer_wants(&p, 5, 20, &from));
	assert_int_equal(from, 16);
	/* feeds the new part does not list keep what we knew */
	assert_false(peer_wants(&p, 2000, 2010, &from));
	peer_free(&p);
}

/* A skipped feed is not sent; listed again (seq 0 included), it is. */
static void test_clock_skip_and_unskip(void **state)
{
	struct peer p;
	struct wire_msg m = {.type = WIRE_CLOCK, .skip = clock_skip};
	uint64_t from;

	(void)state;
	peer_init(&p, false);
	clock_skip[0] = authors[2];
	m.n_skip = 1;
	assert_int_equal(peer_on_clock(&p, &m, 4, author_of, NULL), 0);
	assert_true(p.got_clock);
	assert_false(peer_wants(&p, 2, 7, &from));
	assert_true(peer_wants(&p, 1, 7, &from));
	assert_int_equal(from, 1);
	m = (struct wire_msg){.type = WIRE_CLOCK, .feeds = clock_items, .n_feeds = 1};
	clock_items[0].author = authors[2];
	clock_items[0].seq = 0;
	assert_int_equal(peer_on_clock(&p, &m, 4, author_of, NULL), 0);
	assert_true(peer_wants(&p, 2, 7, &from));
	assert_int_equal(from, 1);
	peer_free(&p);
}

/* A fork proof goes to every peer whose clock does not skip the forked
 * feed, once per connection and only after its clock: a node partitioned
 * when the fork was found learns of it from the next partner it meets
 * (tests/sim --attacks=fork, seed 200: before, the proof went only to the
 * sessions open when it was found). */
static void test_fork_proof_due(void **state)
{
	struct peer p;
	struct wire_msg m = {.type = WIRE_CLOCK, .skip = clock_skip, .feeds = clock_items};

	(void)state;
	peer_init(&p, false);
	assert_int_equal(peer_sync_feeds(&p, 4, author_of, NULL), 0);
	assert_false(peer_fork_proof_due(&p, 1, true));   /* no clock yet */
	clock_skip[0] = authors[2];   /* it knows feed 2 is forked */
	m.n_skip = 1;
	clock_items[0].author = authors[1];   /* it still wants feed 1 */
	clock_items[0].seq = 3;
	m.n_feeds = 1;
	assert_int_equal(peer_on_clock(&p, &m, 4, author_of, NULL), 0);
	assert_false(peer_fork_proof_due(&p, 0, false));  /* not forked here */
	assert_false(peer_fork_proof_due(&p, 2, true));   /* skipped there */
	assert_true(peer_fork_proof_due(&p, 1, true));
	assert_false(peer_fork_proof_due(&p, 1, true));   /* once per connection */
	assert_true(peer_fork_proof_due(&p, 3, true));    /* not named: it may hold none */
	assert_int_equal(peer_sync_feeds(&p, 6, author_of, NULL), 0);
	assert_true(peer_fork_proof_due(&p, 5, true));    /* a feed that appeared since */
	peer_free(&p);
}

/* A feed the peer named before we held it takes the peer's seq when it
 * appears here; unknown feeds are remembered up to a cap. */
static void test_clock_unknown_feeds(void **state)
{
	struct peer p;
	struct wire_msg m = {.type = WIRE_CLOCK, .feeds = clock_items};
	uint64_t from;

	(void)state;
	peer_init(&p, true);
	for (size_t i = 0; i < 10; i++) {
		clock_items[i].author = authors[100 + i];
		clock_items[i].seq = 3;
	}
	m.n_feeds = 10;
	assert_int_equal(peer_on_clock(&p, &m, 0, author_of, NULL), 0);
	assert_int_equal(p.n_unknown, 10);
	/* our feeds grow to include authors[100..109] at indexes 100..109 */
	assert_int_equal(peer_sync_feeds(&p, 110, author_of, NULL), 0);
	assert_false(peer_wants(&p, 104, 3, &from));
	assert_true(peer_wants(&p, 104, 4, &from));
	assert_int_equal(from, 4);
	assert_true(peer_wants(&p, 50, 1, &from));
	/* a flood of unknown authors stays bounded */
	for (size_t part = 0; part < 6; part++) {
		for (size_t i = 0; i < 1024; i++) {
			static uint8_t fake[6 * 1024][32];

			memset(fake[part * 1024 + i], 0xEE, 32);
			memcpy(fake[part * 1024 + i], &(uint32_t){(uint32_t)(part * 1024 + i)}, 4);
			clock_items[i].author = fake[part * 1024 + i];
			clock_items[i].seq = 1;
		}
		m.n_feeds = 1024;
		assert_int_equal(peer_on_clock(&p, &m, 110, author_of, NULL), 0);
	}
	assert_true(p.n_unknown <= PEER_UNKNOWN_MAX);
	peer_free(&p);
}

static void view_of(void *arg, size_t idx, struct peer_feed_view *out)
{
	(void)arg;
	out->author = authors[idx];
	out->seq = idx % 3 == 0 ? 0 : 1000000 + idx;
	out->skip = idx % 7 == 0;
}

/* Rule 3: any number of feeds makes clock parts that each fit one frame
 * (the old clock was one message: ~1,820 feeds overflowed the frame and
 * every session closed after the handshake), and the parts parse back to
 * every feed. */
static void test_clock_parts_fit_frames(void **state)
{
	static struct wire_scratch scratch;
	static struct wire_clock_item items[PEER_CLOCK_PART];
	static const uint8_t *skip[PEER_CLOCK_PART];
	struct peer p;
	size_t cursor = 0, n_items, n_skip, parts = 0;
	bool more = true;
	uint64_t from;

	(void)state;
	peer_init(&p, false);
	while (more) {
		struct mpx_out o;
		struct wire_msg m;
		char why[128];

		more = peer_clock_part(FEEDS_MAX, view_of, NULL, &cursor, items, &n_items, skip,
				       &n_skip);
		assert_true(n_items + n_skip <= PEER_CLOCK_PART);
		mpx_init(&o);
		wire_clock_part(&o, items, n_items, skip, n_skip);
		assert_true(o.sb.size + 16 <= WIRE_FRAME_MAX);
		assert_int_equal(wire_msg_parse(&m, &scratch, (const uint8_t *)o.sb.data, o.sb.size,
						why, sizeof why), 0);
		assert_int_equal(peer_on_clock(&p, &m, FEEDS_MAX, author_of, NULL), 0);
		mpx_free(&o);
		parts++;
	}
	assert_int_equal(parts, (FEEDS_MAX + PEER_CLOCK_PART - 1) / PEER_CLOCK_PART);
	for (size_t i = 0; i < FEEDS_MAX; i++) {
		struct peer_feed_view v;

		view_of(NULL, i, &v);
		assert_false(peer_wants(&p, i, v.seq, &from));
		if (v.skip)
			assert_false(peer_wants(&p, i, v.seq + 5, &from));
		else
			assert_true(peer_wants(&p, i, v.seq + 5, &from));
	}
	peer_free(&p);
}

/* Rule 4: a newer profile replaces the links of the older one (the old
 * code only ever added), at most 4 addresses are dialled, and an older
 * profile arriving late changes nothing. */
static void test_profile_plan(void **state)
{
	const char *first[] = {"a.example:7420", "b.example:7420"};
	const char *second[] = {"b.example:7420", "c:1", "c:1", "d:1", "e:1", "f:1", "g:1"};
	struct peer_profile_link have[2] = {{"a.example:7420", 100}, {"b.example:7420", 100}};
	bool keep[2];
	size_t add[8], n_add;

	(void)state;
	assert_int_equal(peer_profile_plan(100, first, 2, NULL, 0, keep, add, &n_add),
			 PEER_PROFILE_APPLY);
	assert_int_equal(n_add, 2);
	assert_int_equal(peer_profile_plan(200, second, 7, have, 2, keep, add, &n_add),
			 PEER_PROFILE_APPLY);
	assert_false(keep[0]);                 /* a.example: no longer named */
	assert_true(keep[1]);                  /* b.example: still named */
	assert_int_equal(n_add, 3);            /* c, d, e: 4 addresses in all, c once */
	assert_string_equal(second[add[0]], "c:1");
	assert_string_equal(second[add[1]], "d:1");
	assert_string_equal(second[add[2]], "e:1");
	have[0].profile_ts = 300;              /* a later profile is already dialled */
	assert_int_equal(peer_profile_plan(200, second, 7, have, 2, keep, add, &n_add),
			 PEER_PROFILE_OLDER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transitions),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_deadline_reason),
		cmocka_unit_test(test_pin_succession_author),
		cmocka_unit_test(test_one_session_per_key),
		cmocka_unit_test(test_admission),
		cmocka_unit_test(test_succ_author),
		cmocka_unit_test(test_clock_parts_merge),
		cmocka_unit_test(test_clock_skip_and_unskip),
		cmocka_unit_test(test_fork_proof_due),
		cmocka_unit_test(test_clock_unknown_feeds),
		cmocka_unit_test(test_clock_parts_fit_frames),
		cmocka_unit_test(test_profile_plan),
	};

	return cmocka_run_group_tests_name("peer", tests, setup, NULL);
}
