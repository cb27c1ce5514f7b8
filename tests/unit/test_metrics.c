/* Unit tests of cli/metrics: the agenda and update arguments, the measure
 * of a metrics reply, and its text, CSV, JSON and SVG renderings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/metrics.h"
#include "proto/err.h"
#include "proto/date.h"

/* Run a renderer into a malloc'ed NUL-terminated string. */
#define RENDER(call, out)                                       \
	do {                                                    \
		char *buf_ = NULL;                              \
		size_t len_ = 0;                                \
		FILE *f = open_memstream(&buf_, &len_);         \
		assert_non_null(f);                             \
		call;                                           \
		assert_int_equal(fclose(f), 0);                 \
		(out) = buf_;                                   \
	} while (0)

static size_t count_tags(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static void test_parse_indicator(void **state)
{
	struct body_indicator d;
	char why[256];

	(void)state;
	assert_int_equal(metrics_parse_indicator("rough:Rough sleepers:people:50.5:down", &d,
						 why, sizeof why), 0);
	assert_string_equal(d.id, "rough");
	assert_string_equal(d.name, "Rough sleepers");
	assert_string_equal(d.unit, "people");
	assert_true(d.has_target);
	assert_true(d.target == 50.5);
	assert_true(d.down);

	assert_int_equal(metrics_parse_indicator("beds:Beds:beds", &d, why, sizeof why), 0);
	assert_false(d.has_target);
	assert_false(d.down);
	assert_int_equal(metrics_parse_indicator("pct:Share::75:up", &d, why, sizeof why), 0);
	assert_string_equal(d.unit, "");
	assert_true(d.target == 75 && !d.down);
	assert_int_equal(metrics_parse_indicator("x_1-y:X::", &d, why, sizeof why), 0);
	assert_false(d.has_target);
	assert_int_equal(metrics_parse_indicator("x:X:u::down", &d, why, sizeof why), 0);
	assert_true(!d.has_target && d.down);

	/* bad ids */
	assert_int_equal(metrics_parse_indicator("Beds:Beds:beds", &d, why, sizeof why), PAKT_EINVAL);
	assert_non_null(strstr(why, "indicator id"));
	assert_int_equal(metrics_parse_indicator(":Beds:beds", &d, why, sizeof why), PAKT_EINVAL);
	assert_int_equal(metrics_parse_indicator("a b:Beds:beds", &d, why, sizeof why), PAKT_EINVAL);
	assert_int_equal(metrics_parse_indicator("abcdefghijklmnopqrstuvwxyz0123456:N:u", &d, why,
						 sizeof why), PAKT_EINVAL);
	assert_int_equal(metrics_parse_indicator("abcdefghijklmnopqrstuvwxyz012345:N:u", &d, why,
						 sizeof why), 0);
	/* bad numbers */
	assert_int_equal(metrics_parse_indicator("b:B:u:12x", &d, why, sizeof why), PAKT_EINVAL);
	assert_non_null(strstr(why, "not a finite number"));
	assert_int_equal(metrics_parse_indicator("b:B:u:nan", &d, why, sizeof why), PAKT_EINVAL);
	assert_int_equal(metrics_parse_indicator("b:B:u:inf", &d, why, sizeof why), PAKT_EINVAL);
	assert_int_equal(metrics_parse_indicator("b:B:u:1e999", &d, why, sizeof why), PAKT_EINVAL);
	assert_int_equal(metrics_parse_indicator("b:B:u:0x10", &d, why, sizeof why), PAKT_EINVAL);
	/* shape, name, direction */
	assert_int_equal(metrics_parse_indicator("b:B", &d, why, sizeof why), PAKT_EINVAL);
	assert_int_equal(metrics_parse_indicator("b::u", &d, why, sizeof why), PAKT_EINVAL);
	assert_int_equal(metrics_parse_indicator("b:B:u:1:sideways", &d, why, sizeof why), PAKT_EINVAL);
	assert_non_null(strstr(why, "up or down"));
	assert_int_equal(metrics_parse_indicator("b:B:u:1:up:x", &d, why, sizeof why), PAKT_EINVAL);
	assert_string_equal(why, "indicator b: the kind must be count, level or ratio, not 'x'");
	assert_int_equal(metrics_parse_indicator("b:B:u:1:up:level:x", &d, why, sizeof why),
			 PAKT_EINVAL);
	/* the kind; an old-style argument is a count */
	assert_int_equal(metrics_parse_indicator("beds:Beds:beds:80:up:level", &d, why, sizeof why), 0);
	assert_int_equal(d.kind, BODY_LEVEL);
	assert_int_equal(metrics_parse_indicator("kept:Kept:%:80::ratio", &d, why, sizeof why), 0);
	assert_int_equal(d.kind, BODY_RATIO);
	assert_false(d.down);
	assert_int_equal(metrics_parse_indicator("meals:Meals:meals:100:up", &d, why, sizeof why), 0);
	assert_int_equal(d.kind, BODY_COUNT);
	assert_int_equal(metrics_parse_indicator("b:B:unit-longer-than-thirty-two-bytes", &d, why,
						 sizeof why), PAKT_EINVAL);
}

/* --value with a ratio, --split sorted into cells; each refusal says why. */
static void test_parse_value(void **state)
{
	static struct body_update u;
	double x;
	char why[256];

	(void)state;
	memset(&u, 0, sizeof u);
	assert_int_equal(metrics_parse_value("beds=12", &u, why, sizeof why), 0);
	assert_string_equal(u.v[0].indicator, "beds");
	assert_true(u.v[0].value == 12 && !u.v[0].has_den);
	assert_int_equal(metrics_parse_value("kept=34/40", &u, why, sizeof why), 0);
	assert_true(u.v[1].value == 34 && u.v[1].has_den && u.v[1].den == 40);
	assert_int_equal(metrics_parse_value("rough=28", &u, why, sizeof why), 0);
	assert_int_equal(metrics_parse_split("rough=65+:3,0-17:2,18-24:6,25-64:17", &u, why, sizeof why),
			 0);
	assert_int_equal(u.v[2].n_split, 4);
	assert_string_equal(u.cell[u.v[2].split].category, "0-17");
	assert_string_equal(u.cell[u.v[2].split + 3].category, "65+");
	assert_true(u.cell[u.v[2].split + 3].value == 3);
	assert_int_equal(metrics_parse_value("share=1/0", &u, why, sizeof why), PAKT_EINVAL);
	assert_string_equal(why, "share: the denominator must be above 0");
	assert_int_equal(metrics_parse_value("beds=3", &u, why, sizeof why), PAKT_EINVAL);
	assert_string_equal(why, "indicator 'beds' given twice");
	assert_int_equal(metrics_parse_split("meals=a:1", &u, why, sizeof why), PAKT_EINVAL);
	assert_string_equal(why, "--split meals: no --value meals given");
	assert_int_equal(metrics_parse_split("beds=a:1,a:2", &u, why, sizeof why), PAKT_EINVAL);
	assert_string_equal(why, "--split beds: category 'a' given twice");
	assert_int_equal(metrics_parse_split("beds=a", &u, why, sizeof why), PAKT_EINVAL);
	assert_string_equal(why, "--split beds: 'a' is not CATEGORY:NUMBER");
	assert_int_equal(metrics_parse_value("x", &u, why, sizeof why), PAKT_EINVAL);
	assert_int_equal(metrics_parse_value("Beds=1", &u, why, sizeof why), PAKT_EINVAL);
	assert_int_equal(metrics_parse_value("y=", &u, why, sizeof why), PAKT_EINVAL);
	assert_int_equal(metrics_parse_value("y=1,5", &u, why, sizeof why), PAKT_EINVAL);
	assert_int_equal(metrics_parse_value("=1", &u, why, sizeof why), PAKT_EINVAL);
	assert_true(metrics_parse_number("1e3", &x) && x == 1000);
	assert_false(metrics_parse_number(" 1", &x));
	assert_false(metrics_parse_number("", &x));
	assert_false(metrics_parse_number("-", &x));
}

/* --about, --baseline, --target (milestones kept in order), --dimension. */
static void test_parse_agenda_extras(void **state)
{
	static struct body_agenda a;
	char why[256];

	(void)state;
	memset(&a, 0, sizeof a);
	assert_int_equal(metrics_parse_indicator("rough:People sleeping rough:people:15:down:level",
						 &a.ind[0], why, sizeof why), 0);
	a.n = 1;
	assert_int_equal(metrics_parse_about("rough=population", &a, why, sizeof why), 0);
	assert_int_equal(a.ind[0].about, BODY_POPULATION);
	assert_int_equal(metrics_parse_baseline("rough=35@2025-12", &a, why, sizeof why), 0);
	assert_true(a.ind[0].has_baseline && a.ind[0].baseline.value == 35);
	assert_int_equal(metrics_parse_milestone("rough=20@2026-12", &a, why, sizeof why), 0);
	assert_int_equal(metrics_parse_milestone("rough=30@2026-06", &a, why, sizeof why), 0);
	assert_int_equal(a.ind[0].n_milestones, 2);
	assert_string_equal(a.ind[0].milestones[0].period, "2026-06");
	assert_int_equal(metrics_parse_milestone("rough=31@2026-06", &a, why, sizeof why), PAKT_EINVAL);
	assert_string_equal(why, "--target rough: two milestones for 2026-06");
	assert_int_equal(metrics_parse_dimension("rough=age:0-17,18-24,25-64,65+", &a, why, sizeof why),
			 0);
	assert_int_equal(a.ind[0].n_categories, 4);
	assert_string_equal(a.ind[0].categories[3], "65+");
	assert_string_equal(a.ind[0].dimension, "age");
	assert_int_equal(metrics_parse_about("rough=everyone", &a, why, sizeof why), PAKT_EINVAL);
	assert_string_equal(why, "--about rough: 'everyone' is not population, how-much, how-well or better-off");
	assert_int_equal(metrics_parse_baseline("beds=3@2026", &a, why, sizeof why), PAKT_EINVAL);
	assert_string_equal(why, "--baseline beds: no --indicator beds given");
	assert_int_equal(metrics_parse_baseline("rough=3", &a, why, sizeof why), PAKT_EINVAL);
	assert_int_equal(metrics_parse_baseline("rough=3@2026-13", &a, why, sizeof why), PAKT_EINVAL);
	assert_int_equal(metrics_parse_dimension("rough=age:a,a", &a, why, sizeof why), PAKT_EINVAL);
	assert_string_equal(why, "--dimension rough: category 'a' given twice");
	assert_int_equal(metrics_parse_dimension("rough=age", &a, why, sizeof why), PAKT_EINVAL);
}

/* ---- a metrics reply: beds (level) by two orgs, rough (level) with a
 * split, kept (ratio) ---- */

static struct ctlop_r_indicator inds[3];
static struct ctlop_r_row rows[8];
static struct ctlop_r_cell cells[2];
static struct ctlop_r_metrics rep;

static void add_row(size_t i, uint8_t who, const char *name, uint64_t seq, const char *period,
		    const char *ind, double v)
{
	struct ctlop_r_row *r = &rows[i];

	memset(r, 0, sizeof *r);
	memset(r->author, who, 32);
	snprintf(r->name, sizeof r->name, "%s", name);
	r->seq = seq;
	snprintf(r->period, sizeof r->period, "%s", period);
	assert_int_equal(date_period_parse(period, &r->from, &r->to), 0);
	snprintf(r->indicator, sizeof r->indicator, "%s", ind);
	r->value = v;
}

static int setup(void **state)
{
	(void)state;
	memset(inds, 0, sizeof inds);
	strcpy(inds[0].id, "beds");
	strcpy(inds[0].name, "Shelter beds");
	strcpy(inds[0].unit, "beds");
	inds[0].has_kind = true;
	strcpy(inds[0].kind, "level");
	strcpy(inds[0].direction, "up");
	inds[0].has_target = true;
	inds[0].target = 80;
	strcpy(inds[1].id, "rough");
	strcpy(inds[1].name, "People sleeping rough");
	strcpy(inds[1].unit, "people");
	inds[1].has_kind = true;
	strcpy(inds[1].kind, "level");
	strcpy(inds[1].direction, "down");
	inds[1].has_target = true;
	inds[1].target = 0;
	inds[1].has_baseline = true;
	inds[1].baseline = 35;
	strcpy(inds[1].baseline_period, "2025-12");
	inds[1].has_dimension = true;
	strcpy(inds[1].dimension, "age");
	strcpy(inds[1].categories[0], "0-17");
	strcpy(inds[1].categories[1], "18+");
	inds[1].n_categories = 2;
	strcpy(inds[2].id, "kept");
	strcpy(inds[2].name, "Still housed after 6 months");
	strcpy(inds[2].unit, "%");
	inds[2].has_kind = true;
	strcpy(inds[2].kind, "ratio");
	strcpy(inds[2].direction, "up");
	add_row(0, 'A', "Foundation for the Homeless of Greater Wroclaw and Lower Silesia", 3,
		"2026-01", "beds", 40);
	add_row(1, 'A', "Foundation for the Homeless of Greater Wroclaw and Lower Silesia", 5,
		"2026-02", "beds", 50);
	add_row(2, 'A', "Foundation for the Homeless of Greater Wroclaw and Lower Silesia", 9,
		"2026-03", "beds", 60);
	add_row(3, 'B', "Coop \x1b[31m", 2, "2026-01", "beds", 4);
	add_row(4, 'B', "Coop \x1b[31m", 4, "2026-02", "beds", 6);
	add_row(5, 'C', "City", 1, "2026-03", "rough", 28);
	strcpy(cells[0].category, "0-17");
	cells[0].value = 2;
	strcpy(cells[1].category, "18+");
	cells[1].value = 26;
	rows[5].split = cells;
	rows[5].n_split = 2;
	add_row(6, 'C', "City", 2, "2026-03", "kept", 34);
	rows[6].has_den = true;
	rows[6].den = 40;
	memset(&rep, 0, sizeof rep);
	rep.indicators = inds;
	rep.n_indicators = 3;
	rep.rows = rows;
	rep.n_rows = 7;
	strcpy(rep.initiative, "Housing First <Wroclaw>");
	return 0;
}

/* The reply's indicators and rows become core/measure's: 66 beds. */
static void test_measure_reply(void **state)
{
	struct measure m;

	(void)state;
	assert_int_equal(metrics_measure(&m, &rep, NULL), 0);
	assert_int_equal(m.n_ind, 3);
	assert_true(m.ind[0].current == 66);
	assert_int_equal(m.ind[0].def.kind, BODY_LEVEL);
	assert_true(m.ind[1].current == 28);
	assert_true(m.ind[1].has_split && m.ind[1].split[1] == 26);
	assert_true(m.ind[1].def.has_baseline);
	assert_true(fabs(m.ind[2].current - 85) < 1e-9);
	measure_free(&m);
	assert_int_equal(metrics_measure(&m, &rep, "kept"), 0);
	assert_int_equal(m.n_ind, 1);
	measure_free(&m);
}

/* Text: current by kind, the missing report, the breakdown; a partner's
 * escape sequence does not reach the terminal. */
static void test_text(void **state)
{
	struct measure m;
	char *out;

	(void)state;
	assert_int_equal(metrics_measure(&m, &rep, NULL), 0);
	RENDER(metrics_text(f, &m, false), out);
	assert_non_null(strstr(out, "current 66 (2026-03)"));
	assert_non_null(strstr(out, "no report for 2026-03 (last: 2026-02)"));
	assert_non_null(strstr(out, "by age: 0-17 2, 18+ 26 (of 28)"));
	assert_non_null(strstr(out, "current 85.0% (34 of 40)"));
	assert_non_null(strstr(out, "trend: rising for 2 periods (better)"));
	assert_null(strstr(out, "\x1b"));
	assert_null(strstr(out, "160"));
	free(out);
	RENDER(metrics_text(f, &m, true), out);
	assert_non_null(strstr(out, "2026-01"));
	assert_non_null(strstr(out, "44 beds"));
	free(out);
	measure_free(&m);
}

/* CSV: one row per org and period, a ratio with its denominator. */
static void test_csv(void **state)
{
	struct measure m;
	char *out;

	(void)state;
	assert_int_equal(metrics_measure(&m, &rep, "kept"), 0);
	RENDER(metrics_csv(f, &m), out);
	assert_string_equal(out, "indicator,kind,org,period,value,den\nkept,ratio,City,2026-03,34,40\n");
	free(out);
	measure_free(&m);
}

/* JSON: the documented keys. */
static void test_json(void **state)
{
	struct measure m;
	char *out;

	(void)state;
	assert_int_equal(metrics_measure(&m, &rep, "beds"), 0);
	RENDER(metrics_json(f, &m), out);
	assert_non_null(strstr(out, "{\"indicators\":[{\"indicator\":\"beds\",\"name\":\"Shelter beds\","
				    "\"unit\":\"beds\",\"kind\":\"level\",\"direction\":\"up\",\"about\":null,"
				    "\"current\":66,\"baseline\":null,\"target\":80,\"milestones\":[],"
				    "\"progress\":82.5,\"met\":false,"
				    "\"trend\":{\"direction\":\"rising\",\"periods\":2,\"better\":true},"
				    "\"orgs\":[{\"id\":\"pk_"));
	assert_non_null(strstr(out, "\"value\":6,\"period\":\"2026-02\"}"));
	assert_non_null(strstr(out, "\"periods\":[{\"period\":\"2026-01\",\"value\":44},"
				    "{\"period\":\"2026-02\",\"value\":56},{\"period\":\"2026-03\",\"value\":66}],"
				    "\"split\":null,\"missing\":[{\"id\":\"pk_"));
	assert_non_null(strstr(out, "\"period\":\"2026-03\",\"last\":\"2026-02\"}],\"flagged\":[]}]}\n"));
	free(out);
	measure_free(&m);
}

/* SVG: title and date, the axis names unit and kind (never cumulative),
 * a target of 0 above the axis with its label, the baseline, a heavier
 * combined line, a long name wrapped, not cut; text escaped. */
static void test_svg(void **state)
{
	struct measure m;
	char *out;

	(void)state;
	assert_int_equal(metrics_measure(&m, &rep, NULL), 0);
	RENDER(metrics_svg_write(f, &m, -1, rep.initiative, "2026-04-02"), out);
	assert_true(strncmp(out, "<svg xmlns=", 11) == 0);
	assert_non_null(strstr(out, "Housing First &lt;Wroclaw&gt;</text>"));
	assert_non_null(strstr(out, "drawn 2026-04-02"));
	assert_null(strstr(out, "cumulative"));
	assert_non_null(strstr(out, ">people sleeping rough, latest count</text>"));
	assert_non_null(strstr(out, ">shelter beds, latest count</text>"));
	assert_non_null(strstr(out, ">target at most 0</text>"));
	assert_non_null(strstr(out, ">target 80</text>"));
	assert_non_null(strstr(out, ">baseline 35 (2025-12)</text>"));
	assert_non_null(strstr(out, "stroke-width=\"3.5\""));
	/* the long name in two lines or more, every word there */
	assert_non_null(strstr(out, ">Foundation for the Homeless of</tspan>"));
	assert_non_null(strstr(out, ">Silesia</tspan>"));
	assert_null(strstr(out, "\x1b"));
	assert_int_equal(count_tags(out, "<svg"), 1);
	assert_int_equal(count_tags(out, "<g class=\"indicator\""), 3);
	free(out);
	/* one indicator, for the report */
	RENDER(metrics_svg_write(f, &m, 2, "", ""), out);
	assert_int_equal(count_tags(out, "<g class=\"indicator\""), 1);
	assert_non_null(strstr(out, "id=\"ind-kept\""));
	free(out);
	measure_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_indicator),
		cmocka_unit_test(test_parse_value),
		cmocka_unit_test(test_parse_agenda_extras),
		cmocka_unit_test_setup(test_measure_reply, setup),
		cmocka_unit_test_setup(test_text, setup),
		cmocka_unit_test_setup(test_csv, setup),
		cmocka_unit_test_setup(test_json, setup),
		cmocka_unit_test_setup(test_svg, setup),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
