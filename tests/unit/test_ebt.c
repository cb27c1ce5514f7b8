/* Unit tests of core/ebt (eager/lazy per feed and link) and of the
 * "have" message that carries its notes, prunes and grafts. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* memmem */
#endif
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/ebt.h"
#include "core/peer.h"
#include "proto/err.h"
#include "proto/mpx.h"
#include "proto/wire.h"

static uint64_t heads[8];

static uint64_t head_of(void *arg, size_t idx)
{
	(void)arg;
	return heads[idx];
}

static void fresh(struct ebt_link *l, size_t n)
{
	ebt_link_init(l);
	assert_int_equal(ebt_link_sync(l, n), 0);
	memset(heads, 0, sizeof heads);
}

static void starts_eager_both_ways(void **state)
{
	struct ebt_link l;
	struct ebt_item it[4];

	(void)state;
	fresh(&l, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_true(ebt_sends(&l, i));
		assert_true(ebt_receives(&l, i));
	}
	assert_true(ebt_sends(&l, 7));   /* a feed not synced yet */
	assert_int_equal(ebt_take_due(&l, it, 4), 0);
	/* growing keeps what was decided, new feeds eager */
	assert_true(ebt_on_batch(&l, 1, true, 1));
	assert_int_equal(ebt_link_sync(&l, 6), 0);
	assert_false(ebt_receives(&l, 1));
	assert_true(ebt_receives(&l, 5));
	ebt_link_free(&l);
	ebt_link_free(&l);   /* twice is harmless */
	ebt_link_free(NULL);
}

static void duplicate_prunes_unless_last_eager(void **state)
{
	struct ebt_link l;
	struct ebt_item it[4];

	(void)state;
	fresh(&l, 2);
	assert_false(ebt_on_batch(&l, 0, false, 3));   /* new entries: stays */
	assert_false(ebt_on_batch(&l, 0, true, 0));    /* our only eager link */
	assert_true(ebt_receives(&l, 0));
	assert_true(ebt_on_batch(&l, 0, true, 1));
	assert_false(ebt_receives(&l, 0));
	assert_false(ebt_on_batch(&l, 0, true, 1));    /* already lazy: once */
	assert_int_equal(ebt_take_due(&l, it, 4), 1);
	assert_int_equal(it[0].idx, 0);
	assert_int_equal(it[0].due, EBT_DUE_PRUNE);
	assert_int_equal(ebt_take_due(&l, it, 4), 0);
	ebt_link_free(&l);
}

static void pruned_side_notes_its_head(void **state)
{
	struct ebt_link l;
	struct ebt_item it[4];

	(void)state;
	fresh(&l, 2);
	ebt_on_prune(&l, 1, 5);
	assert_false(ebt_sends(&l, 1));
	assert_true(ebt_sends(&l, 0));
	assert_int_equal(ebt_take_due(&l, it, 4), 1);
	assert_int_equal(it[0].due, EBT_DUE_NOTE);
	ebt_noted(&l, 1, 5);
	ebt_on_head(&l, 1, 5, true);                   /* noted already */
	assert_int_equal(ebt_take_due(&l, it, 4), 0);
	ebt_on_head(&l, 1, 6, false);                  /* it holds 6 already */
	assert_int_equal(ebt_take_due(&l, it, 4), 0);
	ebt_on_head(&l, 1, 6, true);
	ebt_on_head(&l, 1, 7, true);                   /* coalesced: one item */
	assert_int_equal(ebt_take_due(&l, it, 4), 1);
	ebt_on_head(&l, 0, 9, true);                   /* eager: entries, no note */
	assert_int_equal(ebt_take_due(&l, it, 4), 0);
	ebt_on_graft(&l, 1);
	assert_true(ebt_sends(&l, 1));
	ebt_on_head(&l, 1, 9, true);
	assert_int_equal(ebt_take_due(&l, it, 4), 0);
	ebt_link_free(&l);
}

static void late_lazy_note_grafts_after_timeout(void **state)
{
	struct ebt_link l;
	struct ebt_item it[4];

	(void)state;
	fresh(&l, 2);
	assert_true(ebt_on_batch(&l, 0, true, 1));
	(void)ebt_take_due(&l, it, 4);
	heads[0] = 4;
	ebt_on_note(&l, 0, 4, heads[0], 1000);         /* not ahead */
	assert_int_equal(l.n_ahead, 0);
	ebt_on_note(&l, 0, 6, heads[0], 1000);
	assert_int_equal(l.n_ahead, 1);
	ebt_on_note(&l, 0, 7, heads[0], 1100);         /* the timer keeps its start */
	assert_int_equal(ebt_graft_late(&l, head_of, NULL, 1000 + EBT_GRAFT_MS - 1), 0);
	assert_int_equal(ebt_graft_late(&l, head_of, NULL, 1000 + EBT_GRAFT_MS), 1);
	assert_true(ebt_receives(&l, 0));
	assert_int_equal(l.n_ahead, 0);
	assert_int_equal(ebt_take_due(&l, it, 4), 1);
	assert_int_equal(it[0].due, EBT_DUE_GRAFT);
	ebt_link_free(&l);
}

static void catching_up_cancels_the_graft(void **state)
{
	struct ebt_link l;
	struct ebt_item it[4];

	(void)state;
	fresh(&l, 2);
	assert_true(ebt_on_batch(&l, 1, true, 2));
	(void)ebt_take_due(&l, it, 4);
	ebt_on_note(&l, 1, 3, 1, 0);
	assert_int_equal(l.n_ahead, 1);
	/* the eager link delivered: our head passed the note */
	heads[1] = 3;
	ebt_on_head(&l, 1, 3, false);
	assert_int_equal(l.n_ahead, 0);
	/* or the timer sees it first */
	ebt_on_note(&l, 1, 5, 3, 0);
	heads[1] = 5;
	assert_int_equal(ebt_graft_late(&l, head_of, NULL, 10000), 0);
	assert_int_equal(l.n_ahead, 0);
	assert_false(ebt_receives(&l, 1));
	/* a note from an eager link never arms the timer */
	ebt_on_note(&l, 0, 99, 0, 0);
	assert_int_equal(l.n_ahead, 0);
	ebt_link_free(&l);
}

static void prune_and_graft_undo_each_other(void **state)
{
	struct ebt_link l;
	struct ebt_item it[4];

	(void)state;
	fresh(&l, 1);
	assert_true(ebt_on_batch(&l, 0, true, 1));
	ebt_graft(&l, 0);
	assert_int_equal(ebt_take_due(&l, it, 4), 1);
	assert_int_equal(it[0].due, EBT_DUE_GRAFT);
	assert_true(ebt_on_batch(&l, 0, true, 1));
	assert_int_equal(ebt_take_due(&l, it, 4), 1);
	assert_int_equal(it[0].due, EBT_DUE_PRUNE);
	ebt_link_free(&l);
}

static void lost_eager_link_picks_the_best_lazy_one(void **state)
{
	struct ebt_link a, b, c, v1;
	struct ebt_link *links[4] = {&a, &b, NULL, &c};

	(void)state;
	fresh(&a, 1);
	fresh(&b, 1);
	fresh(&c, 1);
	ebt_link_init(&v1);
	/* all eager: nothing to graft, counts skip NULL and `except` */
	assert_int_equal(ebt_eager_count(links, 4, 0, NULL), 3);
	assert_int_equal(ebt_eager_count(links, 4, 0, &b), 2);
	assert_int_equal(ebt_pick_graft(links, 4, 0), -1);
	assert_true(ebt_on_batch(&a, 0, true, 2));
	assert_true(ebt_on_batch(&b, 0, true, 1));
	assert_false(ebt_on_batch(&c, 0, true, 0));   /* the last eager stays */
	assert_int_equal(ebt_eager_count(links, 4, 0, NULL), 1);
	ebt_on_note(&a, 0, 4, 9, 0);
	ebt_on_note(&b, 0, 7, 9, 0);
	/* c (the eager one) goes */
	links[3] = NULL;
	assert_int_equal(ebt_pick_graft(links, 4, 0), 1);
	/* a version-1 link (no state) pushes everything: no graft */
	links[2] = &v1;
	assert_int_equal(ebt_pick_graft(links, 4, 0), -1);
	links[2] = NULL;
	links[0] = links[1] = NULL;
	assert_int_equal(ebt_pick_graft(links, 4, 0), -1);   /* nobody left */
	ebt_link_free(&a);
	ebt_link_free(&b);
	ebt_link_free(&c);
}

static void due_items_come_in_order_and_in_parts(void **state)
{
	struct ebt_link l;
	struct ebt_item it[2];

	(void)state;
	fresh(&l, 5);
	for (size_t i = 5; i-- > 0;)
		assert_true(ebt_on_batch(&l, i, true, 1));
	assert_int_equal(ebt_take_due(&l, it, 2), 2);
	assert_int_equal(it[0].idx, 4);
	assert_int_equal(it[1].idx, 3);
	assert_int_equal(ebt_take_due(&l, it, 2), 2);
	assert_int_equal(it[0].idx, 2);
	assert_int_equal(ebt_take_due(&l, it, 2), 1);
	assert_int_equal(it[0].idx, 0);
	assert_int_equal(l.n_due, 0);
	/* out of range indexes are ignored */
	ebt_on_note(&l, 9, 1, 0, 0);
	ebt_on_prune(&l, 9, 1);
	ebt_on_graft(&l, 9);
	ebt_graft(&l, 9);
	ebt_on_head(&l, 9, 1, true);
	ebt_noted(&l, 9, 1);
	assert_false(ebt_on_batch(&l, 9, true, 1));
	assert_int_equal(l.n_due, 0);
	ebt_link_free(&l);
}

/* ---- the "have" message ---- */

static void have_round_trip(void **state)
{
	static struct wire_scratch sc;
	uint8_t a[32], b[32], c[32];
	struct wire_clock_item notes[2] = {{a, 5}, {b, 1ULL << 40}}, grafts[1] = {{c, 0}};
	const uint8_t *prunes[2] = {b, c};
	struct wire_msg m;
	struct mpx_out o;
	char why[128];

	(void)state;
	memset(a, 1, 32);
	memset(b, 2, 32);
	memset(c, 3, 32);
	mpx_init(&o);
	wire_have(&o, notes, 2, grafts, 1, prunes, 2);
	assert_int_equal(wire_msg_parse(&m, &sc, (const uint8_t *)o.sb.data, o.sb.size, why,
					 sizeof why), 0);
	assert_int_equal(m.type, WIRE_HAVE);
	assert_int_equal(m.n_notes, 2);
	assert_memory_equal(m.notes[1].author, b, 32);
	assert_true(m.notes[1].seq == 1ULL << 40);
	assert_int_equal(m.n_grafts, 1);
	assert_memory_equal(m.grafts[0].author, c, 32);
	assert_int_equal(m.n_prunes, 2);
	assert_memory_equal(m.prunes[0], b, 32);
	/* empty lists are left out */
	wire_have(&o, notes, 1, NULL, 0, NULL, 0);
	assert_int_equal(wire_msg_parse(&m, &sc, (const uint8_t *)o.sb.data, o.sb.size, why,
					 sizeof why), 0);
	assert_int_equal(m.n_notes, 1);
	assert_int_equal(m.n_grafts + m.n_prunes, 0);
	assert_null(memmem(o.sb.data, o.sb.size, "lazy", 4));
	wire_have(&o, NULL, 0, NULL, 0, NULL, 0);
	assert_int_equal(wire_msg_parse(&m, &sc, (const uint8_t *)o.sb.data, o.sb.size, why,
					 sizeof why), 0);
	assert_int_equal(m.type, WIRE_HAVE);
	mpx_free(&o);
}

static void have_rejects_bad_lists(void **state)
{
	static struct wire_scratch sc;
	struct wire_msg m;
	struct mpx_out o;
	char why[128];

	(void)state;
	mpx_init(&o);
	/* a short author in "lazy" */
	msgpack_pack_map(&o.pk, 2);
	mpx_str(&o.pk, "lazy");
	msgpack_pack_array(&o.pk, 1);
	mpx_bin(&o.pk, "short", 5);
	mpx_kv_str(&o.pk, "t", "have");
	assert_int_equal(wire_msg_parse(&m, &sc, (const uint8_t *)o.sb.data, o.sb.size, why,
					 sizeof why), PAKT_EPROTO);
	assert_string_equal(why, "bad 'lazy' list");
	/* a note that is not a pair */
	mpx_reset(&o);
	msgpack_pack_map(&o.pk, 2);
	mpx_str(&o.pk, "have");
	msgpack_pack_array(&o.pk, 1);
	msgpack_pack_array(&o.pk, 1);
	msgpack_pack_uint64(&o.pk, 3);
	mpx_kv_str(&o.pk, "t", "have");
	assert_int_equal(wire_msg_parse(&m, &sc, (const uint8_t *)o.sb.data, o.sb.size, why,
					 sizeof why), PAKT_EPROTO);
	/* more than WIRE_HAVE_MAX items */
	mpx_reset(&o);
	msgpack_pack_map(&o.pk, 2);
	mpx_str(&o.pk, "eager");
	msgpack_pack_array(&o.pk, WIRE_HAVE_MAX + 1);
	for (int i = 0; i <= WIRE_HAVE_MAX; i++) {
		uint8_t k[32] = {0};

		msgpack_pack_array(&o.pk, 2);
		mpx_bin(&o.pk, k, 32);
		msgpack_pack_uint64(&o.pk, 1);
	}
	mpx_kv_str(&o.pk, "t", "have");
	assert_int_equal(wire_msg_parse(&m, &sc, (const uint8_t *)o.sb.data, o.sb.size, why,
					 sizeof why), PAKT_EPROTO);
	mpx_free(&o);
}

/* ---- the links bound (core/peer.c, used with the trees) ---- */

static void links_pick_is_bounded_stable_and_personal(void **state)
{
	uint8_t self[32] = {1}, other[32] = {2}, keys[20][32];
	bool a[20], b[20], c[20];
	size_t same = 0;

	(void)state;
	for (int i = 0; i < 20; i++) {
		memset(keys[i], 0, 32);
		keys[i][0] = (uint8_t)(i + 10);
	}
	assert_int_equal(peer_links_pick(self, (const uint8_t (*)[32])keys, 20, 0, 6, a), 6);
	/* explicit links count first */
	assert_int_equal(peer_links_pick(self, (const uint8_t (*)[32])keys, 20, 2, 6, b), 4);
	for (int i = 0; i < 20; i++)
		assert_true(!b[i] || a[i]);   /* the same order, cut shorter */
	assert_int_equal(peer_links_pick(self, (const uint8_t (*)[32])keys, 20, 6, 6, b), 0);
	assert_int_equal(peer_links_pick(self, (const uint8_t (*)[32])keys, 20, 9, 6, b), 0);
	assert_int_equal(peer_links_pick(self, (const uint8_t (*)[32])keys, 3, 0, 6, b), 3);
	/* stable: the same answer again; another node picks otherwise */
	assert_int_equal(peer_links_pick(self, (const uint8_t (*)[32])keys, 20, 0, 6, b), 6);
	assert_memory_equal(a, b, sizeof a);
	assert_int_equal(peer_links_pick(other, (const uint8_t (*)[32])keys, 20, 0, 6, c), 6);
	for (int i = 0; i < 20; i++)
		same += a[i] && c[i];
	assert_true(same < 6);
	/* a key's place does not depend on where it is listed */
	{
		uint8_t rev[20][32];

		for (int i = 0; i < 20; i++)
			memcpy(rev[i], keys[19 - i], 32);
		assert_int_equal(peer_links_pick(self, (const uint8_t (*)[32])rev, 20, 0, 6, b), 6);
		for (int i = 0; i < 20; i++)
			assert_int_equal(a[i], b[19 - i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(starts_eager_both_ways),
		cmocka_unit_test(duplicate_prunes_unless_last_eager),
		cmocka_unit_test(pruned_side_notes_its_head),
		cmocka_unit_test(late_lazy_note_grafts_after_timeout),
		cmocka_unit_test(catching_up_cancels_the_graft),
		cmocka_unit_test(prune_and_graft_undo_each_other),
		cmocka_unit_test(lost_eager_link_picks_the_best_lazy_one),
		cmocka_unit_test(due_items_come_in_order_and_in_parts),
		cmocka_unit_test(have_round_trip),
		cmocka_unit_test(have_rejects_bad_lists),
		cmocka_unit_test(links_pick_is_bounded_stable_and_personal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
