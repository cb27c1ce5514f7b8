/* The report's shared-measurement section: per indicator its chart, value
 * against target, trend, breakdown per organisation and period, and the
 * missing reports. The numbers come from cli/metrics.h (metrics_build);
 * only ind_gather() knows that, so another source of the same numbers
 * replaces it alone. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli/metrics.h"
#include "cli/report.h"
#include "proto/err.h"

/* The agenda's indicators of the metrics reply, as metrics_build takes them. */
static size_t ind_defs(const struct ctlop_r_metrics *m, struct body_indicator *out)
{
	size_t k = 0;

	for (size_t i = 0; i < m->n_indicators && k < BODY_INDICATORS_MAX; i++) {
		const struct ctlop_r_indicator *in = &m->indicators[i];
		struct body_indicator *d = &out[k];

		memset(d, 0, sizeof *d);
		if (in->id[0] == '\0')
			continue;
		snprintf(d->id, sizeof d->id, "%s", in->id);
		snprintf(d->name, sizeof d->name, "%s", in->name[0] ? in->name : in->id);
		snprintf(d->unit, sizeof d->unit, "%s", in->unit);
		d->has_target = in->has_target && isfinite(in->target);
		d->target = in->target;
		d->down = strcmp(in->direction, "down") == 0;
		k++;
	}
	return k;
}

/* The values of the reply within the report's period. */
static int ind_gather(const struct report *r, struct metrics *mt)
{
	const struct ctlop_r_metrics *m = &r->metrics;
	struct body_indicator defs[BODY_INDICATORS_MAX];
	struct metric_row *rows = calloc(m->n_rows + 1, sizeof *rows);
	size_t n = 0, n_defs = ind_defs(m, defs);
	int rc;

	if (rows == NULL)
		return PAKT_ENOMEM;
	for (size_t i = 0; i < m->n_rows; i++) {
		const struct ctlop_r_row *x = &m->rows[i];
		struct metric_row *row = &rows[n];

		if (x->indicator[0] == '\0' || x->period[0] == '\0' || !isfinite(x->value))
			continue;
		if (r->has_period && (x->from < r->pfrom || x->to > r->pto))
			continue;
		memcpy(row->author, x->author, 32);
		snprintf(row->indicator, sizeof row->indicator, "%s", x->indicator);
		snprintf(row->period, sizeof row->period, "%s", x->period);
		snprintf(row->name, sizeof row->name, "%s", x->name);
		row->value = x->value;
		row->from = x->from;
		row->to = x->to;
		row->at = x->at;
		n++;
	}
	rc = metrics_build(mt, defs, n_defs, rows, n, NULL);
	free(rows);
	return rc;
}

/* The indicator's chart: metrics_svg of it alone, inline (no XML
 * declaration inside HTML). */
static int ind_chart(FILE *f, const struct metrics *all, size_t i)
{
	struct metrics one = *all;
	char *buf = NULL;
	size_t len = 0;
	const char *svg;
	FILE *mem;

	one.ind = &all->ind[i];
	one.n_ind = 1;
	if ((mem = open_memstream(&buf, &len)) == NULL)
		return PAKT_ENOMEM;
	metrics_svg(mem, &one);
	if (fclose(mem) != 0 || buf == NULL) {
		free(buf);
		return PAKT_ENOMEM;
	}
	svg = strstr(buf, "<svg");
	fputs("<figure class=\"chart\" data-indicator=\"", f);
	report_esc(f, all->ind[i].def.id);
	fputs("\" role=\"img\" aria-label=\"chart of ", f);
	report_esc(f, all->ind[i].def.name);
	fputs("\">\n", f);
	if (svg != NULL)    /* names in the legend may hold bidi overrides */
		report_html_markup(f, svg, len - (size_t)(svg - buf));
	fputs("</figure>\n", f);
	free(buf);
	return 0;
}

/* Rising, falling or flat between the last two periods with values, and
 * for how many periods in a row. */
static void ind_trend(FILE *f, const struct metrics *mt, const struct metric_ind *mi)
{
	double v[2] = {0, 0};
	int dir = 0, run = 0, seen = 0;

	for (size_t p = mt->n_period; p-- > 0;) {
		int d;

		if (!mi->period_has[p])
			continue;
		v[1] = v[0];
		v[0] = mi->period_total[p];
		if (++seen < 2)
			continue;
		d = v[1] > v[0] ? 1 : v[1] < v[0] ? -1 : 0;
		if (seen == 2)
			dir = d;
		else if (d != dir)
			break;
		run++;
	}
	if (seen < 2) {
		fputs("not enough periods yet", f);
		return;
	}
	fprintf(f, "%s for %d period%s", dir > 0 ? "rising" : dir < 0 ? "falling" : "flat", run,
		run == 1 ? "" : "s");
	if (dir != 0)
		fputs((dir > 0) != mi->def.down ? " (better)" : " (worse)", f);
}

/* A breakdown cell; --public hides small non-zero counts. */
static void ind_cell(FILE *f, const struct report *r, double v)
{
	if (r->pub && v != 0 && fabs(v) < r->suppress_below) {
		fprintf(f, "<td class=\"n suppressed\" title=\"suppressed: fewer than %u\">&lt;%u</td>",
			r->suppress_below, r->suppress_below);
		return;
	}
	fputs("<td class=\"n\">", f);
	report_html_num(f, v);
	fputs("</td>", f);
}

static void ind_breakdown(FILE *f, const struct report *r, const struct metrics *mt,
			  const struct metric_ind *mi)
{
	long latest = -1;
	bool any_missing = false;

	fputs("<table class=\"breakdown\"><thead><tr><th>organisation</th>", f);
	for (size_t p = 0; p < mt->n_period; p++) {
		if (!mi->period_has[p])
			continue;
		fputs("<th class=\"n\">", f);
		report_esc(f, mt->period[p].label);
		fputs("</th>", f);
		latest = (long)p;
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t o = 0; o < mt->n_org; o++) {
		if (!mi->org_has[o])
			continue;
		fputs("<tr><td>", f);
		report_html_who(f, r, mt->org[o].key);
		fputs("</td>", f);
		for (size_t p = 0; p < mt->n_period; p++) {
			if (!mi->period_has[p])
				continue;
			if (mi->has[o * mt->n_period + p])
				ind_cell(f, r, mi->cell[o * mt->n_period + p]);
			else
				fputs("<td class=\"n\">-</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
	/* missing: reported this indicator before, but not for the latest period */
	for (size_t o = 0; latest >= 0 && o < mt->n_org; o++) {
		if (!mi->org_has[o] || mi->has[o * mt->n_period + (size_t)latest])
			continue;
		fputs(any_missing ? ", " : "<p class=\"missing\">missing reports: ", f);
		report_html_who(f, r, mt->org[o].key);
		fputs(": no report for ", f);
		report_esc(f, mt->period[latest].label);
		any_missing = true;
	}
	fputs(any_missing ? "</p>\n" : "<p class=\"missing\">missing reports: none</p>\n", f);
}

static int ind_one(FILE *f, const struct report *r, const struct metrics *mt, size_t i)
{
	const struct metric_ind *mi = &mt->ind[i];
	const struct body_indicator *d = &mi->def;
	double pct;
	bool met;

	fputs("<div class=\"indicator\" data-indicator=\"", f);
	report_esc(f, d->id);
	fputs("\">\n<h3>", f);
	report_esc(f, d->name);
	fputs(" <code class=\"meta\">", f);
	report_esc(f, d->id);
	fputs("</code></h3>\n", f);
	fputs("<table class=\"summary keep\"><tbody>\n<tr><th>unit</th><td>", f);
	report_esc(f, d->unit[0] ? d->unit : "-");
	fprintf(f, "</td><th>direction</th><td>%s</td></tr>\n",
		d->down ? "down (lower is better)" : "up (higher is better)");
	fputs("<tr><th>current (total reported)</th><td class=\"current n\" data-indicator=\"", f);
	report_esc(f, d->id);
	fputs("\">", f);
	if (mi->n_rows)
		report_html_num(f, mi->total);
	else
		fputs("no values yet", f);
	fputs("</td><th>target</th><td class=\"target n\">", f);
	if (d->has_target)
		report_html_num(f, d->target);
	else
		fputs("none", f);
	fputs("</td></tr>\n<tr><th>progress</th><td class=\"progress\">", f);
	if (metrics_progress(d, mi->total, &pct, &met))
		fprintf(f, "%.0f%% of target, %s", pct, met ? "reached" : "not reached");
	else
		fputs("no target", f);
	fputs("</td><th>trend</th><td class=\"trend\">", f);
	ind_trend(f, mt, mi);
	fputs("</td></tr>\n</tbody></table>\n", f);
	if (mi->n_rows && ind_chart(f, mt, i) != 0)
		return PAKT_ENOMEM;
	fputs("<h4>Breakdown by organisation and period</h4>\n", f);
	if (mi->n_rows)
		ind_breakdown(f, r, mt, mi);
	else
		fprintf(f, "<p>No organisation has reported this indicator %s.</p>\n",
			r->has_period ? "in this period" : "yet");
	fputs("</div>\n", f);
	return 0;
}

int report_section_indicators(FILE *f, const struct report *r)
{
	struct metrics mt;
	int rc = ind_gather(r, &mt);

	fputs("<section id=\"indicators\">\n<h2>Shared measurement</h2>\n", f);
	if (rc != 0)
		return rc;
	if (r->pub)
		fprintf(f, "<p class=\"meta\">Public edition: breakdown cells below %u are shown as "
			"&lt;%u.</p>\n", r->suppress_below, r->suppress_below);
	if (mt.n_ind == 0)
		fputs("<p>No indicators: the agenda names none yet ('pakt agenda set').</p>\n", f);
	for (size_t i = 0; rc == 0 && i < mt.n_ind; i++)
		rc = ind_one(f, r, &mt, i);
	fputs("</section>\n", f);
	metrics_free(&mt);
	return rc;
}
