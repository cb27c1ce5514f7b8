/* Unit tests of core/measure: values combined by indicator kind (count,
 * level, ratio), feed order rather than timestamps, trend, progress,
 * breakdowns, missing reports, and the checks of a value before signing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/measure.h"
#include "proto/date.h"
#include "proto/err.h"

#define ROWS_MAX 32

static struct measure_row rows[ROWS_MAX];
static struct body_cell cells[ROWS_MAX][BODY_CATEGORIES_MAX];
static size_t n_rows;
static struct body_indicator defs[4];

static void def(size_t i, const char *id, int kind, bool down)
{
	memset(&defs[i], 0, sizeof defs[i]);
	snprintf(defs[i].id, sizeof defs[i].id, "%s", id);
	snprintf(defs[i].name, sizeof defs[i].name, "%s", id);
	defs[i].kind = kind;
	defs[i].down = down;
}

/* A row by org (its key is 32 bytes of org), seq, period, value. */
static struct measure_row *row(uint8_t org, uint64_t seq, const char *period, const char *ind,
			       double v)
{
	struct measure_row *r = &rows[n_rows++];

	assert_true(n_rows <= ROWS_MAX);
	memset(r, 0, sizeof *r);
	memset(r->org, org, 32);
	r->name = org == 'A' ? "Foundation" : org == 'B' ? "Cooperative" : "City";
	r->seq = seq;
	r->indicator = ind;
	r->period = period;
	assert_int_equal(date_period_parse(period, &r->from, &r->to), 0);
	r->value = v;
	return r;
}

static void split(struct measure_row *r, const char *c1, double v1, const char *c2, double v2)
{
	struct body_cell *c = cells[r - rows];

	snprintf(c[0].category, sizeof c[0].category, "%s", c1);
	c[0].value = v1;
	snprintf(c[1].category, sizeof c[1].category, "%s", c2);
	c[1].value = v2;
	r->split = c;
	r->n_split = 2;
}

static int setup(void **state)
{
	(void)state;
	n_rows = 0;
	return 0;
}

static const struct measure_ind *build(struct measure *m, size_t n_defs, const char *id)
{
	long i;

	assert_int_equal(measure_build(m, defs, n_defs, rows, n_rows, NULL), 0);
	i = measure_find(m, id);
	assert_true(i >= 0);
	return &m->ind[i];
}

static long org_of(const struct measure *m, uint8_t who)
{
	for (size_t o = 0; o < m->n_org; o++)
		if (m->org[o].key[0] == who)
			return (long)o;
	return -1;
}

/* Beds (a level): 40/50/60 by A and 4/6 by B give 66, not 160; B's latest
 * value is from February and it is missing for March. */
static void test_level_beds(void **state)
{
	struct measure m;
	const struct measure_ind *mi;
	long a, b;

	(void)state;
	def(0, "beds", BODY_LEVEL, false);
	defs[0].has_target = true;
	defs[0].target = 80;
	row('A', 3, "2026-01", "beds", 40);
	row('A', 5, "2026-02", "beds", 50);
	row('A', 9, "2026-03", "beds", 60);
	row('B', 2, "2026-01", "beds", 4);
	row('B', 4, "2026-02", "beds", 6);
	mi = build(&m, 1, "beds");
	assert_true(mi->has_current);
	assert_true(mi->current == 66);
	assert_int_equal(m.n_period, 3);
	assert_true(mi->value[0] == 44 && mi->value[1] == 56 && mi->value[2] == 66);
	assert_int_equal(mi->trend, MEASURE_RISING);
	assert_int_equal(mi->trend_periods, 2);
	assert_true(mi->trend_better);
	a = org_of(&m, 'A');
	b = org_of(&m, 'B');
	assert_true(mi->org_value[a] == 60 && mi->org_last[a] == 2);
	assert_true(mi->org_value[b] == 6 && mi->org_last[b] == 1);
	assert_false(mi->org_missing[a]);
	assert_true(mi->org_missing[b]);
	assert_string_equal(m.period[mi->latest].label, "2026-03");
	/* from 0 to 80: 66 is 82.5% of the way, not reached */
	assert_true(mi->has_progress);
	assert_true(fabs(mi->progress - 82.5) < 1e-9);
	assert_false(mi->met);
	measure_free(&m);
}

/* People sleeping rough (a level, lower is better): 35, 41, 28 is 28 now,
 * falling for one period, which is better. */
static void test_level_rough(void **state)
{
	struct measure m;
	const struct measure_ind *mi;

	(void)state;
	def(0, "rough", BODY_LEVEL, true);
	defs[0].has_target = true;
	defs[0].target = 20;
	row('C', 1, "2026-01", "rough", 35);
	row('C', 2, "2026-02", "rough", 41);
	row('C', 3, "2026-03", "rough", 28);
	mi = build(&m, 1, "rough");
	assert_true(mi->current == 28);
	assert_int_equal(mi->trend, MEASURE_FALLING);
	assert_int_equal(mi->trend_periods, 1);
	assert_true(mi->trend_better);
	assert_string_equal(measure_trend_name(mi->trend), "falling");
	/* no baseline: down from the first value, 35 -> 20; 28 is 7/15 */
	assert_true(mi->start == 35);
	assert_true(fabs(mi->progress - 700.0 / 15) < 1e-9);
	measure_free(&m);
}

/* Two reports of one period by one org: the later in its feed (higher seq)
 * is the value, whatever order the rows arrive in; nothing else (no
 * timestamp) could change it. */
static void test_level_feed_order(void **state)
{
	struct measure m1, m2;
	const struct measure_ind *x, *y;

	(void)state;
	def(0, "beds", BODY_LEVEL, false);
	row('A', 7, "2026-01", "beds", 12);
	row('A', 5, "2026-01", "beds", 10);
	x = build(&m1, 1, "beds");
	assert_true(x->current == 12);
	/* the same rows in the other order */
	struct measure_row t = rows[0];
	rows[0] = rows[1];
	rows[1] = t;
	y = build(&m2, 1, "beds");
	assert_true(y->current == 12);
	assert_int_equal(x->n_rows, 2);
	measure_free(&m1);
	measure_free(&m2);
}

/* A count adds up over periods and orgs, reports of one period too; its
 * breakdown sums the splits; "2026-02" and the same days written as a
 * range are one period. */
static void test_count(void **state)
{
	struct measure m;
	const struct measure_ind *mi;

	(void)state;
	def(0, "meals", BODY_COUNT, false);
	strcpy(defs[0].dimension, "age");
	strcpy(defs[0].categories[0], "adult");
	strcpy(defs[0].categories[1], "child");
	defs[0].n_categories = 2;
	split(row('A', 1, "2026-01", "meals", 100), "adult", 70, "child", 30);
	split(row('A', 2, "2026-02", "meals", 120), "adult", 100, "child", 20);
	row('B', 1, "2026-02-01..2026-02-28", "meals", 50);
	mi = build(&m, 1, "meals");
	assert_int_equal(m.n_period, 2);
	assert_string_equal(m.period[1].label, "2026-02");
	assert_true(mi->current == 270);
	assert_true(mi->value[0] == 100 && mi->value[1] == 170);
	assert_true(mi->has_split);
	assert_true(mi->split[0] == 170 && mi->split[1] == 50);
	assert_true(mi->split_of == 220);
	assert_int_equal(mi->trend, MEASURE_RISING);
	assert_false(mi->org_missing[org_of(&m, 'B')]);
	assert_true(mi->org_total[org_of(&m, 'A')] == 220);
	measure_free(&m);
}

/* A ratio adds numerators and denominators; a value without denominator
 * from a peer does not count and is flagged. */
static void test_ratio(void **state)
{
	struct measure m;
	const struct measure_ind *mi;
	struct measure_row *r;

	(void)state;
	def(0, "kept", BODY_RATIO, false);
	r = row('A', 1, "2026-01", "kept", 34);
	r->has_den = true, r->den = 40;
	r = row('B', 1, "2026-01", "kept", 18);
	r->has_den = true, r->den = 20;
	r = row('A', 2, "2026-02", "kept", 30);
	r->has_den = true, r->den = 40;
	row('B', 2, "2026-02", "kept", 5);     /* no denominator */
	mi = build(&m, 1, "kept");
	assert_true(mi->num == 82 && mi->den == 100);
	assert_true(fabs(mi->current - 82) < 1e-9);
	assert_true(fabs(mi->value[0] - 52.0 / 60 * 100) < 1e-9);
	assert_true(fabs(mi->value[1] - 75) < 1e-9);
	assert_int_equal(mi->trend, MEASURE_FALLING);
	assert_false(mi->trend_better);
	assert_int_equal(mi->n_rows, 3);
	assert_int_equal(mi->n_flags, 1);
	assert_non_null(strstr(mi->flags[0].what, "is a ratio"));
	/* B reported January only (its February row did not count) */
	assert_true(mi->org_missing[org_of(&m, 'B')]);
	measure_free(&m);
}

/* A level's breakdown is the split of each org's latest report; a split
 * that does not add up (from a peer) counts the value, not the split. */
static void test_level_split(void **state)
{
	struct measure m;
	const struct measure_ind *mi;

	(void)state;
	def(0, "rough", BODY_LEVEL, true);
	strcpy(defs[0].dimension, "age");
	strcpy(defs[0].categories[0], "0-17");
	strcpy(defs[0].categories[1], "18+");
	defs[0].n_categories = 2;
	split(row('A', 1, "2026-01", "rough", 30), "0-17", 10, "18+", 20);
	split(row('A', 2, "2026-02", "rough", 28), "0-17", 6, "18+", 22);
	split(row('B', 1, "2026-02", "rough", 9), "0-17", 1, "18+", 7);   /* 8, not 9 */
	mi = build(&m, 1, "rough");
	assert_true(mi->current == 37);
	assert_true(mi->split[0] == 6 && mi->split[1] == 22 && mi->split_of == 28);
	assert_int_equal(mi->n_flags, 1);
	assert_non_null(strstr(mi->flags[0].what, "adds up to 8, not to the value 9"));
	measure_free(&m);
}

/* A quarterly report covers the monthly latest period: not missing. */
static void test_missing_overlap(void **state)
{
	struct measure m;
	const struct measure_ind *mi;

	(void)state;
	def(0, "beds", BODY_LEVEL, false);
	row('A', 1, "2026-Q1", "beds", 10);
	row('B', 1, "2026-03", "beds", 5);
	row('C', 1, "2025-12", "beds", 3);
	mi = build(&m, 1, "beds");
	assert_false(mi->org_missing[org_of(&m, 'A')]);
	assert_true(mi->org_missing[org_of(&m, 'C')]);
	assert_true(mi->current == 18);
	measure_free(&m);
}

/* Progress from a baseline, a target of 0 downwards, and milestones. */
static void test_progress(void **state)
{
	struct measure m;
	const struct measure_ind *mi;

	(void)state;
	def(0, "placed", BODY_COUNT, false);
	defs[0].has_target = true;
	defs[0].target = 100;
	defs[0].has_baseline = true;
	defs[0].baseline.value = 20;
	strcpy(defs[0].baseline.period, "2025");
	strcpy(defs[0].milestones[0].period, "2026-01");
	defs[0].milestones[0].value = 30;
	strcpy(defs[0].milestones[1].period, "2026-06");
	defs[0].milestones[1].value = 60;
	defs[0].n_milestones = 2;
	def(1, "evictions", BODY_LEVEL, true);
	defs[1].has_target = true;
	defs[1].target = 0;
	row('A', 1, "2026-02", "placed", 60);
	row('A', 2, "2026-02", "evictions", 0);
	assert_int_equal(measure_build(&m, defs, 2, rows, n_rows, NULL), 0);
	mi = &m.ind[0];
	assert_true(fabs(mi->progress - 50) < 1e-9);
	assert_int_equal(mi->next_milestone, 1);
	assert_int_equal(mi->trend, MEASURE_NO_TREND);
	mi = &m.ind[1];
	assert_true(mi->met);
	assert_true(mi->progress == 100);
	measure_free(&m);
	/* only one indicator */
	assert_int_equal(measure_build(&m, defs, 2, rows, n_rows, "evictions"), 0);
	assert_int_equal(m.n_ind, 1);
	assert_string_equal(m.ind[0].def.id, "evictions");
	measure_free(&m);
}

/* The checks before signing, each with its one-line reason. */
static void test_check_value(void **state)
{
	static struct body_update u;
	char why[200];

	(void)state;
	def(0, "beds", BODY_LEVEL, false);
	def(1, "kept", BODY_RATIO, false);
	def(2, "rough", BODY_LEVEL, true);
	strcpy(defs[2].dimension, "age");
	strcpy(defs[2].categories[0], "0-17");
	strcpy(defs[2].categories[1], "18+");
	defs[2].n_categories = 2;
	memset(&u, 0, sizeof u);
	strcpy(u.v[0].indicator, "x");
	u.v[0].value = 28;
	assert_int_equal(measure_check_value(&defs[0], &u.v[0], u.cell, why, sizeof why), 0);
	u.v[0].has_den = true;
	u.v[0].den = 40;
	assert_int_equal(measure_check_value(&defs[0], &u.v[0], u.cell, why, sizeof why), PAKT_EINVAL);
	assert_string_equal(why, "beds is a level indicator: NUMERATOR/DENOMINATOR is only for a ratio");
	assert_int_equal(measure_check_value(&defs[1], &u.v[0], u.cell, why, sizeof why), 0);
	u.v[0].has_den = false;
	assert_int_equal(measure_check_value(&defs[1], &u.v[0], u.cell, why, sizeof why), PAKT_EINVAL);
	assert_string_equal(why, "kept is a ratio: give NUMERATOR/DENOMINATOR (e.g. kept=34/40)");
	strcpy(u.cell[0].category, "0-17");
	u.cell[0].value = 6;
	strcpy(u.cell[1].category, "18+");
	u.cell[1].value = 21;
	u.n_cells = 2;
	u.v[0].n_split = 2;
	assert_int_equal(measure_check_value(&defs[2], &u.v[0], u.cell, why, sizeof why), PAKT_EINVAL);
	assert_string_equal(why, "rough: the split adds up to 27, not to the value 28");
	u.cell[1].value = 22;
	assert_int_equal(measure_check_value(&defs[2], &u.v[0], u.cell, why, sizeof why), 0);
	strcpy(u.cell[1].category, "65+");
	assert_int_equal(measure_check_value(&defs[2], &u.v[0], u.cell, why, sizeof why), PAKT_EINVAL);
	assert_string_equal(why, "rough: unknown category '65+' of age");
	assert_int_equal(measure_check_value(&defs[0], &u.v[0], u.cell, why, sizeof why), PAKT_EINVAL);
	assert_string_equal(why, "beds has no dimension to split by (see pakt agenda)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_level_beds, setup),
		cmocka_unit_test_setup(test_level_rough, setup),
		cmocka_unit_test_setup(test_level_feed_order, setup),
		cmocka_unit_test_setup(test_count, setup),
		cmocka_unit_test_setup(test_ratio, setup),
		cmocka_unit_test_setup(test_level_split, setup),
		cmocka_unit_test_setup(test_missing_overlap, setup),
		cmocka_unit_test_setup(test_progress, setup),
		cmocka_unit_test_setup(test_check_value, setup),
	};

	return cmocka_run_group_tests_name("measure", tests, NULL, NULL);
}
