/* Unit tests of the shared-measurement keys of proto/body: an indicator's
 * kind, about, baseline, milestones and dimension, an agenda's suppress,
 * and an update value's den and split (PROTOCOL.md, "agenda", "update"). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "proto/body.h"
#include "proto/canon.h"
#include "proto/err.h"

#define BUF(o) ((const uint8_t *)(o).sb.data), ((o).sb.size)

static void expect_bad(const char *type, struct mpx_out *o, const char *frag)
{
	char why[256];
	int rc = body_validate(type, BUF(*o), why, sizeof why);

	if (rc != PAKT_EBODY || strstr(why, frag) == NULL)
		fail_msg("%s: rc %d, why \"%s\", expected \"%s\"", type, rc, why, frag);
	mpx_reset(o);
}

static void kd(msgpack_packer *pk, const char *key, double v)
{
	mpx_str(pk, key);
	msgpack_pack_double(pk, v);
}

static void full_agenda(struct body_agenda *a)
{
	struct body_indicator *d = &a->ind[0];

	memset(a, 0, sizeof *a);
	strcpy(a->goal, "fewer people sleeping rough");
	strcpy(d->id, "rough");
	strcpy(d->name, "People sleeping rough");
	strcpy(d->unit, "people");
	d->down = true;
	d->kind = BODY_LEVEL;
	d->about = BODY_POPULATION;
	d->has_baseline = true;
	strcpy(d->baseline.period, "2025-12");
	d->baseline.value = 35;
	strcpy(d->milestones[0].period, "2026-06");
	d->milestones[0].value = 25;
	d->n_milestones = 1;
	d->has_target = true;
	d->target = 15;
	strcpy(d->dimension, "age");
	strcpy(d->categories[0], "0-17");
	strcpy(d->categories[1], "65+");
	d->n_categories = 2;
	strcpy(a->ind[1].id, "meals");
	strcpy(a->ind[1].name, "Meals served");
	a->n = 2;
	a->has_suppress = true;
	a->suppress = 10;
}

/* Every new key builds canonically and parses back field for field. */
static void test_agenda_roundtrip(void **state)
{
	static struct body_agenda a, b;
	struct mpx_out o;
	char why[200];

	(void)state;
	full_agenda(&a);
	mpx_init(&o);
	assert_int_equal(body_agenda(&o, &a), 0);
	assert_int_equal(canon_check(BUF(o), CANON_MAX_DEPTH), 0);
	assert_int_equal(body_validate("agenda", BUF(o), why, sizeof why), 0);
	assert_int_equal(body_agenda_parse(BUF(o), &b), 0);
	assert_memory_equal(&a, &b, sizeof a);
	assert_int_equal(b.ind[1].kind, BODY_COUNT);
	assert_int_equal(b.ind[1].about, BODY_ABOUT_NONE);
	/* the builder's refusals: count written as absent only by the enum,
	 * suppress 5 is the default, milestones out of order */
	a.suppress = BODY_SUPPRESS_DEFAULT;
	assert_int_equal(body_agenda(&o, &a), PAKT_EINVAL);
	full_agenda(&a);
	a.ind[0].milestones[1] = a.ind[0].milestones[0];
	a.ind[0].n_milestones = 2;
	assert_int_equal(body_agenda(&o, &a), PAKT_EINVAL);
	full_agenda(&a);
	strcpy(a.ind[0].categories[1], "0-17");
	assert_int_equal(body_agenda(&o, &a), PAKT_EINVAL);
	full_agenda(&a);
	strcpy(a.ind[0].categories[1], "a,b");
	assert_int_equal(body_agenda(&o, &a), PAKT_EINVAL);
	mpx_free(&o);
}

/* An agenda written before kinds existed reads as count; one indicator
 * map reads alone (the control protocol's form). */
static void test_old_agenda(void **state)
{
	static struct body_agenda b;
	struct body_indicator ind;
	struct mpx_out o, one;
	char why[200];

	(void)state;
	mpx_init(&o);
	msgpack_pack_map(&o.pk, 2);
	mpx_kv_str(&o.pk, "goal", "");
	mpx_str(&o.pk, "indicators");
	msgpack_pack_array(&o.pk, 1);
	msgpack_pack_map(&o.pk, 5);
	mpx_kv_str(&o.pk, "direction", "up");
	mpx_kv_str(&o.pk, "id", "beds");
	mpx_kv_str(&o.pk, "name", "Beds");
	kd(&o.pk, "target", 80);
	mpx_kv_str(&o.pk, "unit", "beds");
	assert_int_equal(body_agenda_parse(BUF(o), &b), 0);
	assert_int_equal(b.ind[0].kind, BODY_COUNT);
	assert_false(b.has_suppress);
	mpx_init(&one);
	body_indicator_pack(&one.pk, &b.ind[0]);
	assert_int_equal(body_indicator_read(BUF(one), &ind, why, sizeof why), 0);
	assert_memory_equal(&ind, &b.ind[0], sizeof ind);
	mpx_free(&one);
	mpx_free(&o);
}

/* Start an agenda with one indicator map of n keys after direction..id. */
static msgpack_packer *agenda_with(struct mpx_out *o, uint32_t extra)
{
	msgpack_pack_map(&o->pk, 2);
	mpx_kv_str(&o->pk, "goal", "");
	mpx_str(&o->pk, "indicators");
	msgpack_pack_array(&o->pk, 1);
	msgpack_pack_map(&o->pk, 4 + extra);
	return &o->pk;
}

static void ind_tail(msgpack_packer *pk)
{
	mpx_kv_str(pk, "name", "Beds");
	mpx_kv_str(pk, "unit", "");
}

/* Each malformed new key is refused with its reason. */
static void test_agenda_rejections(void **state)
{
	struct mpx_out o;
	msgpack_packer *pk;

	(void)state;
	mpx_init(&o);
	pk = agenda_with(&o, 1);
	mpx_kv_str(pk, "direction", "up");
	mpx_kv_str(pk, "id", "beds");
	mpx_kv_str(pk, "kind", "count");
	ind_tail(pk);
	expect_bad("agenda", &o, "\"kind\" \"count\" is written by leaving \"kind\" out");
	pk = agenda_with(&o, 1);
	mpx_kv_str(pk, "direction", "up");
	mpx_kv_str(pk, "id", "beds");
	mpx_kv_str(pk, "kind", "average");
	ind_tail(pk);
	expect_bad("agenda", &o, "bad \"kind\" \"average\"");
	pk = agenda_with(&o, 1);
	mpx_kv_str(pk, "about", "everything");
	mpx_kv_str(pk, "direction", "up");
	mpx_kv_str(pk, "id", "beds");
	ind_tail(pk);
	expect_bad("agenda", &o, "bad \"about\" \"everything\"");
	pk = agenda_with(&o, 1);
	mpx_str(pk, "baseline");
	msgpack_pack_map(pk, 1);
	kd(pk, "value", 3);
	mpx_kv_str(pk, "direction", "up");
	mpx_kv_str(pk, "id", "beds");
	ind_tail(pk);
	expect_bad("agenda", &o, "\"period\" is missing");
	pk = agenda_with(&o, 1);
	mpx_str(pk, "dimension");
	msgpack_pack_map(pk, 2);
	mpx_str(pk, "categories");
	msgpack_pack_array(pk, 2);
	mpx_str(pk, "men");
	mpx_str(pk, "men");
	mpx_kv_str(pk, "name", "sex");
	mpx_kv_str(pk, "direction", "up");
	mpx_kv_str(pk, "id", "beds");
	ind_tail(pk);
	expect_bad("agenda", &o, "category \"men\" appears twice");
	pk = agenda_with(&o, 1);
	mpx_kv_str(pk, "direction", "up");
	mpx_kv_str(pk, "id", "beds");
	mpx_str(pk, "milestones");
	msgpack_pack_array(pk, 2);
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "period", "2026-06");
	kd(pk, "value", 2);
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "period", "2026-03");
	kd(pk, "value", 1);
	ind_tail(pk);
	expect_bad("agenda", &o, "not in increasing period order");
	/* suppress: the default is written by leaving it out */
	msgpack_pack_map(&o.pk, 3);
	mpx_kv_str(&o.pk, "goal", "");
	mpx_str(&o.pk, "indicators");
	msgpack_pack_array(&o.pk, 1);
	msgpack_pack_map(&o.pk, 4);
	mpx_kv_str(&o.pk, "direction", "up");
	mpx_kv_str(&o.pk, "id", "beds");
	ind_tail(&o.pk);
	mpx_kv_u64(&o.pk, "suppress", 5);
	expect_bad("agenda", &o, "\"suppress\" 5 is written by leaving it out");
	mpx_free(&o);
}

static void sample_update(struct body_update *u)
{
	memset(u, 0, sizeof *u);
	strcpy(u->period, "2026-03");
	strcpy(u->v[0].indicator, "kept");
	u->v[0].value = 34;
	u->v[0].has_den = true;
	u->v[0].den = 40;
	strcpy(u->v[1].indicator, "rough");
	u->v[1].value = 28;
	u->v[1].split = 0;
	u->v[1].n_split = 2;
	strcpy(u->cell[0].category, "0-17");
	u->cell[0].value = 2;
	strcpy(u->cell[1].category, "18-24");
	u->cell[1].value = 26;
	u->n_cells = 2;
	u->n = 2;
}

/* den and split round-trip; a value map reads alone; the builder refuses
 * den 0 and a split out of bytewise order. */
static void test_update_roundtrip(void **state)
{
	static struct body_update u, v, w;
	struct mpx_out o, one;
	char why[200];

	(void)state;
	sample_update(&u);
	mpx_init(&o);
	assert_int_equal(body_update(&o, &u), 0);
	assert_int_equal(body_validate("update", BUF(o), why, sizeof why), 0);
	assert_int_equal(body_update_parse(BUF(o), &v), 0);
	assert_memory_equal(&u, &v, sizeof u);
	memset(&w, 0, sizeof w);
	mpx_init(&one);
	for (size_t i = 0; i < u.n; i++) {
		mpx_reset(&one);
		body_value_pack(&one.pk, &u, i);
		assert_int_equal(body_value_read(BUF(one), &w, why, sizeof why), 0);
	}
	assert_memory_equal(w.v, u.v, sizeof u.v);
	assert_memory_equal(w.cell, u.cell, sizeof u.cell);
	assert_int_equal(w.n_cells, 2);
	/* the same value twice */
	assert_int_equal(body_value_read(BUF(one), &w, why, sizeof why), PAKT_EBODY);
	assert_non_null(strstr(why, "\"rough\" has two values"));
	u.v[0].den = 0;
	assert_int_equal(body_update(&o, &u), PAKT_EINVAL);
	sample_update(&u);
	strcpy(u.cell[0].category, "25-64");
	assert_int_equal(body_update(&o, &u), PAKT_EINVAL);
	mpx_free(&one);
	mpx_free(&o);
}

/* Start an update with one value map of 2 + extra keys. */
static msgpack_packer *update_with(struct mpx_out *o, uint32_t extra)
{
	msgpack_pack_map(&o->pk, 3);
	mpx_kv_str(&o->pk, "period", "2026-03");
	mpx_kv_str(&o->pk, "text", "");
	mpx_str(&o->pk, "values");
	msgpack_pack_array(&o->pk, 1);
	msgpack_pack_map(&o->pk, 2 + extra);
	return &o->pk;
}

static void test_update_rejections(void **state)
{
	struct mpx_out o;
	msgpack_packer *pk;

	(void)state;
	mpx_init(&o);
	pk = update_with(&o, 1);
	kd(pk, "den", 0);
	mpx_kv_str(pk, "indicator", "kept");
	kd(pk, "value", 3);
	expect_bad("update", &o, "\"den\" is not a finite number above 0");
	pk = update_with(&o, 1);
	mpx_kv_str(pk, "indicator", "rough");
	mpx_str(pk, "split");
	msgpack_pack_array(pk, 2);
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "category", "b");
	kd(pk, "value", 1);
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "category", "a");
	kd(pk, "value", 1);
	kd(pk, "value", 2);
	expect_bad("update", &o, "not in bytewise order");
	pk = update_with(&o, 1);
	mpx_kv_str(pk, "indicator", "rough");
	mpx_str(pk, "split");
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "category", "a:b");
	kd(pk, "value", 1);
	kd(pk, "value", 1);
	expect_bad("update", &o, "is not a category");
	pk = update_with(&o, 1);
	mpx_kv_str(pk, "indicator", "rough");
	mpx_str(pk, "split");
	msgpack_pack_array(pk, 0);
	kd(pk, "value", 1);
	expect_bad("update", &o, "\"split\" must list 1 to 16");
	mpx_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agenda_roundtrip),
		cmocka_unit_test(test_old_agenda),
		cmocka_unit_test(test_agenda_rejections),
		cmocka_unit_test(test_update_roundtrip),
		cmocka_unit_test(test_update_rejections),
	};

	return cmocka_run_group_tests_name("indicators", tests, NULL, NULL);
}
