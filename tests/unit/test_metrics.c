/* Unit tests of cli/metrics: indicator and value arguments, aggregation
 * per organisation and period, progress for up/down, CSV bytes, JSON and
 * SVG well-formedness. */
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

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* ---- fixture: two indicators, three organisations, two periods ---- */

static struct body_indicator defs[2];
static struct metric_row rows[6];

static void add_row(size_t i, uint8_t who, const char *name, const char *period,
		    const char *ind, double v)
{
	struct metric_row *r = &rows[i];

	memset(r, 0, sizeof *r);
	memset(r->author, who, 32);
	snprintf(r->name, sizeof r->name, "%s", name);
	snprintf(r->period, sizeof r->period, "%s", period);
	assert_int_equal(date_period_parse(period, &r->from, &r->to), 0);
	snprintf(r->indicator, sizeof r->indicator, "%s", ind);
	r->value = v;
}

static int setup(void **state)
{
	(void)state;
	memset(defs, 0, sizeof defs);
	snprintf(defs[0].id, sizeof defs[0].id, "beds");
	snprintf(defs[0].name, sizeof defs[0].name, "Shelter beds");
	snprintf(defs[0].unit, sizeof defs[0].unit, "beds");
	defs[0].has_target = true;
	defs[0].target = 40;
	snprintf(defs[1].id, sizeof defs[1].id, "rough");
	snprintf(defs[1].name, sizeof defs[1].name, "Rough sleepers");
	snprintf(defs[1].unit, sizeof defs[1].unit, "people");
	defs[1].has_target = true;
	defs[1].target = 50;
	defs[1].down = true;
	add_row(0, 1, "Harbour Foundation", "2026-Q4", "beds", 12);
	add_row(1, 2, "City & <Welfare>", "2026-Q4", "beds", 8);
	add_row(2, 1, "Harbour Foundation", "2027-Q1", "beds", 6);
	add_row(3, 1, "Harbour Foundation", "2027-Q1", "beds", 1.5);  /* adds up */
	add_row(4, 3, "Coop, \"Neighbours\"", "2026-11", "rough", 60);
	add_row(5, 2, "City & <Welfare>", "2026-11", "rough", -5);
	return 0;
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
	assert_int_equal(metrics_parse_indicator("b:B:unit-longer-than-thirty-two-bytes", &d, why,
						 sizeof why), PAKT_EINVAL);
}

static void test_parse_value(void **state)
{
	struct body_value v;
	double x;
	char why[256];

	(void)state;
	assert_int_equal(metrics_parse_value("beds=12", &v, why, sizeof why), 0);
	assert_string_equal(v.indicator, "beds");
	assert_true(v.value == 12);
	assert_int_equal(metrics_parse_value("rough=-0.25", &v, why, sizeof why), 0);
	assert_true(v.value == -0.25);
	assert_int_equal(metrics_parse_value("beds", &v, why, sizeof why), PAKT_EINVAL);
	assert_int_equal(metrics_parse_value("Beds=1", &v, why, sizeof why), PAKT_EINVAL);
	assert_int_equal(metrics_parse_value("beds=", &v, why, sizeof why), PAKT_EINVAL);
	assert_int_equal(metrics_parse_value("beds=1,5", &v, why, sizeof why), PAKT_EINVAL);
	assert_int_equal(metrics_parse_value("=1", &v, why, sizeof why), PAKT_EINVAL);
	assert_true(metrics_parse_number("1e3", &x) && x == 1000);
	assert_false(metrics_parse_number(" 1", &x));
	assert_false(metrics_parse_number("", &x));
	assert_false(metrics_parse_number("-", &x));
}

static void test_aggregate(void **state)
{
	struct metrics m;
	const struct metric_ind *beds, *rough;

	(void)state;
	assert_int_equal(metrics_build(&m, defs, 2, rows, 6, NULL), 0);
	assert_int_equal(m.n_ind, 2);
	assert_int_equal(m.n_org, 3);
	assert_int_equal(m.n_period, 3);
	/* orgs sorted by name, periods by first day */
	assert_string_equal(m.org[0].name, "City & <Welfare>");
	assert_string_equal(m.org[1].name, "Coop, \"Neighbours\"");
	assert_string_equal(m.org[2].name, "Harbour Foundation");
	assert_string_equal(m.period[0].label, "2026-Q4");
	assert_string_equal(m.period[1].label, "2026-11");
	assert_string_equal(m.period[2].label, "2027-Q1");

	beds = &m.ind[metrics_find(&m, "beds")];
	assert_true(beds->total == 27.5);
	assert_true(beds->org_total[0] == 8);
	assert_false(beds->org_has[1]);
	assert_true(beds->org_total[2] == 19.5);
	assert_true(beds->period_total[0] == 20);
	assert_false(beds->period_has[1]);
	assert_true(beds->period_total[2] == 7.5);
	assert_true(beds->cell[2 * m.n_period + 2] == 7.5);     /* Harbour, 2027-Q1: 6 + 1.5 */
	assert_int_equal(beds->n_rows, 4);

	rough = &m.ind[metrics_find(&m, "rough")];
	assert_true(rough->total == 55);
	assert_true(rough->org_total[1] == 60);
	assert_true(rough->period_total[1] == 55);
	metrics_free(&m);

	/* one indicator only */
	assert_int_equal(metrics_build(&m, defs, 2, rows, 6, "rough"), 0);
	assert_int_equal(m.n_ind, 1);
	assert_int_equal(m.n_org, 2);
	assert_int_equal(m.n_period, 1);
	metrics_free(&m);
	assert_int_equal(metrics_build(&m, defs, 2, rows, 6, "none"), 0);
	assert_int_equal(m.n_ind, 0);
	metrics_free(&m);

	/* a row for an indicator the agenda lacks gets its own */
	assert_int_equal(metrics_build(&m, defs, 1, rows, 6, NULL), 0);
	assert_int_equal(m.n_ind, 2);
	assert_string_equal(m.ind[1].def.id, "rough");
	assert_string_equal(m.ind[1].def.name, "rough");
	assert_false(m.ind[1].def.has_target);
	metrics_free(&m);
}

static void test_progress(void **state)
{
	struct body_indicator d = {.has_target = true, .target = 40};
	double pct;
	bool met;

	(void)state;
	assert_true(metrics_progress(&d, 10, &pct, &met));
	assert_true(pct == 25 && !met);
	assert_true(metrics_progress(&d, 40, &pct, &met));
	assert_true(pct == 100 && met);
	d.down = true;                  /* lower is better */
	assert_true(metrics_progress(&d, 30, &pct, &met));
	assert_true(pct == 75 && met);
	assert_true(metrics_progress(&d, 50, &pct, &met));
	assert_false(met);
	d.target = 0;
	assert_true(metrics_progress(&d, 0, &pct, &met));
	assert_true(met && pct == 100);
	d.has_target = false;
	assert_false(metrics_progress(&d, 5, &pct, &met));
}

static void test_csv_bytes(void **state)
{
	struct metrics m;
	char *out;

	(void)state;
	assert_int_equal(metrics_build(&m, defs, 2, rows, 6, NULL), 0);
	RENDER(metrics_csv(f, &m), out);
	assert_string_equal(out,
			    "indicator,org,period,value\n"
			    "beds,City & <Welfare>,2026-Q4,8\n"
			    "beds,Harbour Foundation,2026-Q4,12\n"
			    "beds,Harbour Foundation,2027-Q1,7.5\n"
			    "rough,City & <Welfare>,2026-11,-5\n"
			    "rough,\"Coop, \"\"Neighbours\"\"\",2026-11,60\n");
	free(out);
	metrics_free(&m);
}

static void test_text(void **state)
{
	struct metrics m;
	char *out;

	(void)state;
	assert_int_equal(metrics_build(&m, defs, 2, rows, 6, NULL), 0);
	RENDER(metrics_text(f, &m, false), out);
	assert_non_null(strstr(out, "Shelter beds (beds) [beds]: total 27.5 of target 40, 69%\n"));
	/* Harbour: 19.5 of 40 -> 49%, 10 of 20 cells */
	assert_non_null(strstr(out, "  Harbour Foundation       "
			       "██████████░░░░░░░░░░  19.5 beds (49%)\n"));
	assert_non_null(strstr(out, "target at most 50: not met (5 above)"));
	free(out);
	RENDER(metrics_text(f, &m, true), out);
	assert_non_null(strstr(out, "  2027-Q1  "));
	assert_null(strstr(out, "Harbour"));
	free(out);
	metrics_free(&m);
}

static void test_json(void **state)
{
	struct metrics m;
	char *out;

	(void)state;
	assert_int_equal(metrics_build(&m, defs, 2, rows, 6, "beds"), 0);
	RENDER(metrics_json(f, &m), out);
	{
		static const char head[] = "{\"indicators\":[{\"id\":\"beds\",\"name\":\"Shelter beds\","
			"\"unit\":\"beds\",\"direction\":\"up\",\"target\":40,\"total\":27.5,"
			"\"progress\":68.75,\"met\":false,\"orgs\":[{\"id\":\"pk_";

		assert_memory_equal(out, head, strlen(head));
	}
	assert_non_null(strstr(out, "\"name\":\"City & <Welfare>\",\"total\":8}"));
	assert_non_null(strstr(out, "{\"period\":\"2027-Q1\",\"from\":\"2027-01-01\","
			       "\"to\":\"2027-03-31\",\"total\":7.5}"));
	assert_string_equal(out + strlen(out) - 4, "}]}\n");
	free(out);
	metrics_free(&m);
}

/* Minimal XML check: tags balance, attribute values are quoted, and no
 * raw '<' or bare '&' appears in text or attributes. */
static void assert_well_formed(const char *s)
{
	const char *stack[64];
	size_t depth = 0, nl[64];
	const char *p = s;

	if (strncmp(p, "<?xml", 5) == 0)
		p = strstr(p, "?>") + 2;
	while (*p) {
		if (*p == '&') {
			size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz#0123456789");

			assert_true(n > 0 && p[1 + n] == ';');
			p += n + 2;
		} else if (*p == '<') {
			bool close = p[1] == '/';
			const char *name = p + 1 + close, *q = name;
			char quote = 0;

			while (*q && *q != ' ' && *q != '>' && *q != '/' && *q != '\n')
				q++;
			assert_true(q > name);
			/* to the end of the tag, outside quoted values */
			while (*q && (quote || *q != '>')) {
				if (quote && *q == '<')
					fail_msg("raw '<' in an attribute");
				if (*q == '"' || *q == '\'')
					quote = quote == *q ? 0 : quote ? quote : *q;
				q++;
			}
			assert_int_equal(*q, '>');
			if (close) {
				assert_true(depth > 0);
				depth--;
				assert_int_equal(nl[depth], (size_t)(strcspn(name, " >")));
				assert_memory_equal(stack[depth], name, nl[depth]);
			} else if (q[-1] != '/') {
				assert_true(depth < 64);
				stack[depth] = name;
				nl[depth++] = strcspn(name, " >\n/");
			}
			p = q + 1;
		} else {
			p++;
		}
	}
	assert_int_equal(depth, 0);
}

static void test_svg(void **state)
{
	struct metrics m;
	char *out;

	(void)state;
	assert_int_equal(metrics_build(&m, defs, 2, rows, 6, "beds"), 0);
	RENDER(metrics_svg(f, &m), out);
	assert_well_formed(out);
	assert_true(strncmp(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=", 50) == 0);
	/* one polyline per organisation that reported on beds (2 of 3) */
	assert_int_equal(count(out, "<polyline"), 2);
	assert_int_equal(count(out, "class=\"target\""), 1);
	assert_non_null(strstr(out, "stroke-dasharray"));
	assert_non_null(strstr(out, "City &amp; &lt;Welfare&gt;"));
	assert_null(strstr(out, "City & "));
	assert_non_null(strstr(out, "cumulative"));
	assert_non_null(strstr(out, "2026-10-01"));     /* a period start on the x axis */
	assert_non_null(strstr(out, "Shelter beds (beds)"));
	free(out);
	metrics_free(&m);

	/* every indicator: a panel each; quotes in names are escaped */
	assert_int_equal(metrics_build(&m, defs, 2, rows, 6, NULL), 0);
	RENDER(metrics_svg(f, &m), out);
	assert_well_formed(out);
	assert_int_equal(count(out, "<polyline"), 4);
	assert_int_equal(count(out, "class=\"target\""), 2);
	assert_non_null(strstr(out, "Coop, &quot;Neighbours&quot;"));
	free(out);
	metrics_free(&m);

	/* nothing reported: still a valid document */
	assert_int_equal(metrics_build(&m, defs, 2, NULL, 0, NULL), 0);
	RENDER(metrics_svg(f, &m), out);
	assert_well_formed(out);
	assert_int_equal(count(out, "<polyline"), 0);
	assert_non_null(strstr(out, "no values reported"));
	free(out);
	metrics_free(&m);
}

static void test_format(void **state)
{
	char b[32];

	(void)state;
	metrics_fmt_num(12, b);
	assert_string_equal(b, "12");
	metrics_fmt_num(0.1, b);
	assert_string_equal(b, "0.1");
	metrics_fmt_num(-0.0, b);
	assert_string_equal(b, "0");
	metrics_fmt_num(1.0 / 3, b);
	assert_true(strtod(b, NULL) == 1.0 / 3);
	metrics_fmt_day(0, b);
	assert_string_equal(b, "1970-01-01");
	metrics_fmt_day(11017, b);
	assert_string_equal(b, "2000-03-01");
	metrics_fmt_day(20453, b);
	assert_string_equal(b, "2025-12-31");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_indicator),
		cmocka_unit_test(test_parse_value),
		cmocka_unit_test(test_aggregate),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_csv_bytes),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests_name("metrics", tests, setup, NULL);
}
