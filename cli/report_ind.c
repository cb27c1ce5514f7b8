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
	fputs("\" role=\"img\" aria-label=\"", f);
	REPORT_TR(f, r, _("chart of %s"), REPORT_TEXT(m->ind[i].def.name));
	fputs("\">\n", f);
	if (svg != NULL)    /* names in the legend may hold bidi overrides */
		report_html_markup(f, svg, len - (size_t)(svg - buf));
	fputs("</figure>\n", f);
	free(buf);
	return 0;
}

/* A value as its kind shows it: a ratio in percent. */
static const char *ind_value_str(const struct body_indicator *d, double v, char buf[40])
{
	char num[32];

	metrics_fmt_num(d->kind == BODY_RATIO ? round(v * 10) / 10 : v, num);
	snprintf(buf, 40, "%s%s", num, d->kind == BODY_RATIO ? "%" : "");
	return buf;
}

static void ind_value(FILE *f, const struct body_indicator *d, double v)
{
	char buf[40];

	fputs(ind_value_str(d, v, buf), f);
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
		fputs("<td class=\"n suppressed\" title=\"", f);
		REPORT_TR(f, r, _("suppressed: fewer than %s"), REPORT_NUM(round(threshold(r))));
		fprintf(f, "\">&lt;%.0f</td>", threshold(r));
		return;
	}
	fputs("<td class=\"n\">", f);
	ind_value(f, d, v);
	fputs("</td>", f);
}

static void ind_trend(FILE *f, const struct report *r, const struct measure_ind *mi)
{
	size_t n = mi->trend_periods;
	char num[24], trend[160];
	const char *how;

	switch (mi->trend) {
	case MEASURE_RISING: how = P_("rising for %s period", "rising for %s periods", n); break;
	case MEASURE_FALLING: how = P_("falling for %s period", "falling for %s periods", n); break;
	case MEASURE_FLAT: how = P_("flat for %s period", "flat for %s periods", n); break;
	default:
		report_html_text(f, _("not enough periods yet"));
		return;
	}
	snprintf(num, sizeof num, "%zu", n);
	snprintf(trend, sizeof trend, how, num);
	if (mi->trend == MEASURE_FLAT)
		report_html_text(f, trend);
	else    /* TRANSLATORS: %s is a trend ("falling for 2 periods") */
		REPORT_TR(f, r, mi->trend_better ? _("%s (better)") : _("%s (worse)"), REPORT_TEXT(trend));
}

static void ind_breakdown(FILE *f, const struct report *r, const struct measure *m,
			  const struct measure_ind *mi)
{
	const struct body_indicator *d = &mi->def;
	bool any_missing = false;

	fputs("<table class=\"breakdown\"><thead><tr>", f);
	report_html_tag(f, "th", NULL, _("organisation"));
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
	fputs("<tr class=\"total\">", f);
	/* TRANSLATORS: the row of the whole partnership's values */
	report_html_tag(f, "th", NULL, _("partnership"));
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
		if (!any_missing) {
			fputs("<p class=\"missing\">", f);
			report_html_text(f, _("missing reports:"));
			fputs(" ", f);
		} else {
			fputs(", ", f);
		}
		REPORT_TR(f, r, _("%s: no report for %s"), REPORT_WHO(m->org[o].key),
			  REPORT_TEXT(m->period[mi->latest].label));
		any_missing = true;
	}
	if (!any_missing)
		report_html_tag(f, "p", "missing", _("missing reports: none"));
	else
		fputs("</p>", f);
	fputs("\n", f);
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
	fputs("</tr></thead><tbody><tr><td>", f);
	/* TRANSLATORS: the total the split's cells are part of */
	REPORT_TR(f, r, _("of %s"), REPORT_NUM(mi->split_of));
	fputs("</td>", f);
	for (size_t k = 0; k < d->n_categories; k++)
		ind_cell(f, r, d, mi->split[k], 0);
	fputs("</tr></tbody></table>\n", f);
}

static void ind_summary(FILE *f, const struct report *r, const struct measure_ind *mi)
{
	const struct body_indicator *d = &mi->def;
	static const char *const kinds[] = {N_("count: added up over periods and organisations"),
		N_("level: each organisation's latest value, summed"),
		N_("ratio: numerators and denominators added up")};
	char v1[40], v2[40];

	fputs("<table class=\"summary keep\"><tbody>\n<tr>", f);
	report_html_tag(f, "th", NULL, _("unit"));
	fputs("<td>", f);
	report_esc(f, d->unit[0] ? d->unit : "-");
	fputs("</td>", f);
	report_html_tag(f, "th", NULL, _("direction"));
	report_html_tag(f, "td", NULL, d->down ? _("down (lower is better)") : _("up (higher is better)"));
	fputs("</tr>\n<tr>", f);
	report_html_tag(f, "th", NULL, _("kind"));
	report_html_tag(f, "td", "kind",
			_(kinds[d->kind >= BODY_COUNT && d->kind <= BODY_RATIO ? d->kind : BODY_COUNT]));
	report_html_tag(f, "th", NULL, _("baseline"));
	fputs("<td class=\"baseline n\">", f);
	if (d->has_baseline)
		/* TRANSLATORS: a value and the period it was measured in */
		REPORT_TR(f, r, _("%s (%s)"), REPORT_TEXT(ind_value_str(d, d->baseline.value, v1)),
			  REPORT_TEXT(d->baseline.period));
	else
		report_html_text(f, _("none"));
	fputs("</td></tr>\n<tr>", f);
	report_html_tag(f, "th", NULL, _("current"));
	fputs("<td class=\"current n\" data-indicator=\"", f);
	report_esc(f, d->id);
	fputs("\">", f);
	if (mi->has_current)
		ind_value(f, d, mi->current);
	else
		report_html_text(f, _("no values yet"));
	fputs("</td>", f);
	report_html_tag(f, "th", NULL, _("target"));
	fputs("<td class=\"target n\">", f);
	if (d->has_target)
		ind_value(f, d, d->target);
	else
		report_html_text(f, _("none"));
	if (mi->next_milestone >= 0)
		REPORT_TR(f, r, _("; next milestone %s by %s"),
			  REPORT_TEXT(ind_value_str(d, d->milestones[mi->next_milestone].value, v2)),
			  REPORT_TEXT(d->milestones[mi->next_milestone].period));
	fputs("</td></tr>\n<tr>", f);
	report_html_tag(f, "th", NULL, _("progress"));
	fputs("<td class=\"progress\">", f);
	snprintf(v1, sizeof v1, "%.0f%%", mi->progress);
	if (!mi->has_progress)
		report_html_text(f, _("no target"));
	else if (mi->met)
		REPORT_TR(f, r, _("%s of the way to the target, reached"), REPORT_TEXT(v1));
	else
		REPORT_TR(f, r, _("%s of the way to the target, not reached"), REPORT_TEXT(v1));
	fputs("</td>", f);
	report_html_tag(f, "th", NULL, _("trend"));
	fputs("<td class=\"trend\">", f);
	ind_trend(f, r, mi);
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
	ind_summary(f, r, mi);
	if (mi->n_rows && ind_chart(f, r, m, i) != 0)
		return PAKT_ENOMEM;
	report_html_tag(f, "h4", NULL, _("By organisation and period"));
	fputs("\n", f);
	if (mi->n_rows) {
		ind_breakdown(f, r, m, mi);
		ind_split(f, r, mi);
	} else {
		report_html_tag(f, "p", NULL, r->has_period ?
				_("No organisation has reported this indicator in this period.") :
				_("No organisation has reported this indicator yet."));
		fputs("\n", f);
	}
	for (size_t k = 0; k < mi->n_flags; k++) {
		if (k == 0) {
			fputs("<p class=\"flagged\">", f);
			report_html_text(f, _("values that break a rule (counted as the rule says):"));
			fputs(" ", f);
		} else {
			fputs("; ", f);
		}
		/* the rule's words are core/measure's (English) */
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
	double lim = round(threshold(r));

	fputs("<section id=\"indicators\">\n", f);
	report_html_tag(f, "h2", NULL, _("Shared measurement"));
	fputs("\n", f);
	if (rc != 0)
		return rc;
	if (r->pub) {
		fputs("<p class=\"meta\">", f);
		REPORT_TR(f, r, _("Public edition: counts below %s (and shares of fewer than %s) are "
				  "shown as <%s."), REPORT_NUM(lim), REPORT_NUM(lim), REPORT_NUM(lim));
		fputs("</p>\n", f);
	}
	if (m.n_ind == 0) {
		report_html_tag(f, "p", NULL, _("No indicators: the agenda names none yet "
						"('pakt agenda set')."));
		fputs("\n", f);
	}
	for (size_t i = 0; rc == 0 && i < m.n_ind; i++)
		rc = ind_one(f, r, &m, i);
	fputs("</section>\n", f);
	measure_free(&m);
	return rc;
}
