/* The report's shared-measurement section: per indicator its chart, the
 * current value by its kind against baseline and target, the trend, each
 * organisation's latest value, the breakdown, the missing reports and the
 * values that broke a rule. The numbers are core/measure's, as 'pakt
 * metrics' shows them (cli/metrics.h); only ind_gather() asks for them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli/metrics.h"
#include "cli/report.h"
#include "proto/err.h"

/* The measure of the reply's values within the report's period. */
static int ind_gather(const struct report *r, struct measure *m)
{
	struct ctlop_r_metrics in = r->metrics;   /* shallow: only rows differ */
	int rc;

	in.rows = calloc(r->metrics.n_rows + 1, sizeof *in.rows);
	if (in.rows == NULL)
		return PAKT_ENOMEM;
	in.n_rows = 0;
	for (size_t i = 0; i < r->metrics.n_rows; i++) {
		const struct ctlop_r_row *x = &r->metrics.rows[i];

		if (r->has_period && (x->from < r->pfrom || x->to > r->pto))
			continue;
		in.rows[in.n_rows++] = *x;
	}
	rc = metrics_measure(m, &in, NULL);
	free(in.rows);
	return rc;
}

/* The small-cell threshold of the public edition: the agenda's. */
static double threshold(const struct report *r)
{
	return r->metrics.suppress ? (double)r->metrics.suppress : (double)r->suppress_below;
}

/* The indicator's chart, inline (no XML declaration inside HTML). */
static int ind_chart(FILE *f, const struct report *r, const struct measure *m, size_t i)
{
	char *buf = NULL, drawn[16];
	time_t t = (time_t)(r->now_ms / 1000);
	size_t len = 0;
	struct tm tm;
	const char *svg;
	FILE *mem;

	gmtime_r(&t, &tm);
	strftime(drawn, sizeof drawn, "%Y-%m-%d", &tm);
	if ((mem = open_memstream(&buf, &len)) == NULL)
		return PAKT_ENOMEM;
	metrics_svg_write(mem, m, (long)i, r->metrics.initiative[0] ? r->metrics.initiative : r->name, drawn);
	if (fclose(mem) != 0 || buf == NULL) {
		free(buf);
		return PAKT_ENOMEM;
	}
	svg = strstr(buf, "<svg");
	fputs("<figure class=\"chart\" data-indicator=\"", f);
	report_esc(f, m->ind[i].def.id);
	fputs("\" role=\"img\" aria-label=\"chart of ", f);
	report_esc(f, m->ind[i].def.name);
	fputs("\">\n", f);
	if (svg != NULL)    /* names in the legend may hold bidi overrides */
		report_html_markup(f, svg, len - (size_t)(svg - buf));
	fputs("</figure>\n", f);
	free(buf);
	return 0;
}

/* A value as its kind shows it: a ratio in percent. */
static void ind_value(FILE *f, const struct body_indicator *d, double v)
{
	report_html_num(f, d->kind == BODY_RATIO ? round(v * 10) / 10 : v);
	if (d->kind == BODY_RATIO)
		fputs("%", f);
}

/* A cell of the public edition hides what could single out people: a
 * small count, or a share of a small denominator. */
static bool ind_small(const struct report *r, const struct body_indicator *d, double v, double den)
{
	double lim = threshold(r);

	if (!r->pub)
		return false;
	return d->kind == BODY_RATIO ? den != 0 && fabs(den) < lim : v != 0 && fabs(v) < lim;
}

static void ind_cell(FILE *f, const struct report *r, const struct body_indicator *d, double v,
		     double den)
{
	if (ind_small(r, d, v, den)) {
		fprintf(f, "<td class=\"n suppressed\" title=\"suppressed: fewer than %.0f\">&lt;%.0f</td>",
			threshold(r), threshold(r));
		return;
	}
	fputs("<td class=\"n\">", f);
	ind_value(f, d, v);
	fputs("</td>", f);
}

static void ind_trend(FILE *f, const struct measure_ind *mi)
{
	if (mi->trend == MEASURE_NO_TREND) {
		fputs("not enough periods yet", f);
		return;
	}
	fprintf(f, "%s for %zu period%s", measure_trend_name(mi->trend), mi->trend_periods,
		mi->trend_periods == 1 ? "" : "s");
	if (mi->trend != MEASURE_FLAT)
		fputs(mi->trend_better ? " (better)" : " (worse)", f);
}

static void ind_breakdown(FILE *f, const struct report *r, const struct measure *m,
			  const struct measure_ind *mi)
{
	const struct body_indicator *d = &mi->def;
	bool any_missing = false;

	fputs("<table class=\"breakdown\"><thead><tr><th>organisation</th>", f);
	for (size_t p = 0; p < m->n_period; p++) {
		if (!mi->has[p])
			continue;
		fputs("<th class=\"n\">", f);
		report_esc(f, m->period[p].label);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t o = 0; o < m->n_org; o++) {
		if (mi->org_last[o] < 0)
			continue;
		fputs("<tr><td>", f);
		report_html_who(f, r, m->org[o].key);
		fputs("</td>", f);
		for (size_t p = 0; p < m->n_period; p++) {
			size_t c = o * m->n_period + p;

			if (!mi->has[p])
				continue;
			if (mi->cell_has[c])
				ind_cell(f, r, d, mi->cell[c], mi->cell_den ? mi->cell_den[c] : 0);
			else
				fputs("<td class=\"n\">-</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("<tr class=\"total\"><th>partnership</th>", f);
	for (size_t p = 0; p < m->n_period; p++) {
		if (!mi->has[p])
			continue;
		fputs("<td class=\"n\">", f);
		ind_value(f, d, mi->value[p]);
		fputs("</td>", f);
	}
	fputs("</tr>\n</tbody></table>\n", f);
	/* missing: reported this indicator before, but not for the latest period */
	for (size_t o = 0; mi->latest >= 0 && o < m->n_org; o++) {
		if (!mi->org_missing[o])
			continue;
		fputs(any_missing ? ", " : "<p class=\"missing\">missing reports: ", f);
		report_html_who(f, r, m->org[o].key);
		fputs(": no report for ", f);
		report_esc(f, m->period[mi->latest].label);
		any_missing = true;
	}
	fputs(any_missing ? "</p>\n" : "<p class=\"missing\">missing reports: none</p>\n", f);
}

/* The split of the current value by the indicator's dimension. */
static void ind_split(FILE *f, const struct report *r, const struct measure_ind *mi)
{
	const struct body_indicator *d = &mi->def;

	if (!mi->has_split || d->n_categories == 0)
		return;
	fputs("<table class=\"split keep\"><thead><tr><th>", f);
	report_esc(f, d->dimension);
	fputs("</th>", f);
	for (size_t k = 0; k < d->n_categories; k++) {
		fputs("<th class=\"n\">", f);
		report_esc(f, d->categories[k]);
		fputs("</th>", f);
	}
	fputs("</tr></thead><tbody><tr><td>of ", f);
	report_html_num(f, mi->split_of);
	fputs("</td>", f);
	for (size_t k = 0; k < d->n_categories; k++)
		ind_cell(f, r, d, mi->split[k], 0);
	fputs("</tr></tbody></table>\n", f);
}

static void ind_summary(FILE *f, const struct measure_ind *mi)
{
	const struct body_indicator *d = &mi->def;
	static const char *const kinds[] = {"count: added up over periods and organisations",
		"level: each organisation's latest value, summed", "ratio: numerators and denominators added up"};

	fputs("<table class=\"summary keep\"><tbody>\n<tr><th>unit</th><td>", f);
	report_esc(f, d->unit[0] ? d->unit : "-");
	fprintf(f, "</td><th>direction</th><td>%s</td></tr>\n",
		d->down ? "down (lower is better)" : "up (higher is better)");
	fprintf(f, "<tr><th>kind</th><td class=\"kind\">%s</td><th>baseline</th><td class=\"baseline n\">",
		kinds[d->kind >= BODY_COUNT && d->kind <= BODY_RATIO ? d->kind : BODY_COUNT]);
	if (d->has_baseline) {
		ind_value(f, d, d->baseline.value);
		fputs(" (", f);
		report_esc(f, d->baseline.period);
		fputs(")", f);
	} else {
		fputs("none", f);
	}
	fputs("</td></tr>\n<tr><th>current</th><td class=\"current n\" data-indicator=\"", f);
	report_esc(f, d->id);
	fputs("\">", f);
	if (mi->has_current)
		ind_value(f, d, mi->current);
	else
		fputs("no values yet", f);
	fputs("</td><th>target</th><td class=\"target n\">", f);
	if (d->has_target)
		ind_value(f, d, d->target);
	else
		fputs("none", f);
	if (mi->next_milestone >= 0) {
		fputs("; next milestone ", f);
		ind_value(f, d, d->milestones[mi->next_milestone].value);
		fputs(" by ", f);
		report_esc(f, d->milestones[mi->next_milestone].period);
	}
	fputs("</td></tr>\n<tr><th>progress</th><td class=\"progress\">", f);
	if (mi->has_progress)
		fprintf(f, "%.0f%% of the way to the target, %s", mi->progress, mi->met ? "reached" : "not reached");
	else
		fputs("no target", f);
	fputs("</td><th>trend</th><td class=\"trend\">", f);
	ind_trend(f, mi);
	fputs("</td></tr>\n</tbody></table>\n", f);
}

static int ind_one(FILE *f, const struct report *r, const struct measure *m, size_t i)
{
	const struct measure_ind *mi = &m->ind[i];
	const struct body_indicator *d = &mi->def;

	fputs("<div class=\"indicator\" data-indicator=\"", f);
	report_esc(f, d->id);
	fputs("\">\n<h3>", f);
	report_esc(f, d->name);
	fputs(" <code class=\"meta\">", f);
	report_esc(f, d->id);
	fputs("</code></h3>\n", f);
	ind_summary(f, mi);
	if (mi->n_rows && ind_chart(f, r, m, i) != 0)
		return PAKT_ENOMEM;
	fputs("<h4>By organisation and period</h4>\n", f);
	if (mi->n_rows) {
		ind_breakdown(f, r, m, mi);
		ind_split(f, r, mi);
	} else {
		fprintf(f, "<p>No organisation has reported this indicator %s.</p>\n",
			r->has_period ? "in this period" : "yet");
	}
	for (size_t k = 0; k < mi->n_flags; k++) {
		fputs(k ? "; " : "<p class=\"flagged\">values that break a rule (counted as the rule says): ", f);
		report_html_who(f, r, mi->flags[k].org);
		fputs(" ", f);
		report_esc(f, mi->flags[k].period);
		fputs(": ", f);
		report_esc(f, mi->flags[k].what);
	}
	fputs(mi->n_flags ? "</p>\n</div>\n" : "</div>\n", f);
	return 0;
}

int report_section_indicators(FILE *f, const struct report *r)
{
	struct measure m;
	int rc = ind_gather(r, &m);

	fputs("<section id=\"indicators\">\n<h2>Shared measurement</h2>\n", f);
	if (rc != 0)
		return rc;
	if (r->pub)
		fprintf(f, "<p class=\"meta\">Public edition: counts below %.0f (and shares of fewer than %.0f) "
			"are shown as &lt;%.0f.</p>\n", threshold(r), threshold(r), threshold(r));
	if (m.n_ind == 0)
		fputs("<p>No indicators: the agenda names none yet ('pakt agenda set').</p>\n", f);
	for (size_t i = 0; rc == 0 && i < m.n_ind; i++)
		rc = ind_one(f, r, &m, i);
	fputs("</section>\n", f);
	measure_free(&m);
	return rc;
}
