/* 'pakt metrics' for people (text), spreadsheets (CSV) and programs
 * (JSON), from core/measure's result. See cli/metrics.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/i18n.h"
#include "cli/metrics.h"
#include "cli/output.h"
#include "cli/text.h"
#include "proto/id.h"

/* ---- text ---- */

#define BAR_WIDTH 20
#define NAME_COLS 24

static void bar(FILE *f, double v, double denom)
{
	double frac = denom > 0 && v > 0 ? v / denom : 0;
	int full = (int)lround(frac * BAR_WIDTH);

	full = full > BAR_WIDTH ? BAR_WIDTH : full < 0 ? 0 : full;
	for (int i = 0; i < BAR_WIDTH; i++)
		fputs(i < full ? "\xe2\x96\x88" : "\xe2\x96\x91", f);   /* █ ░ */
}

/* A value as people read it: a ratio's as a percentage. */
static void fmt_value(const struct body_indicator *d, double v, char buf[40])
{
	char num[32];

	if (d->kind == BODY_RATIO) {
		snprintf(buf, 40, "%.1f%%", v);
		return;
	}
	metrics_fmt_num(v, num);
	snprintf(buf, 40, "%s", num);
}

static const char *kind_says(int kind)
{
	/* TRANSLATORS: level, ratio and count are the kinds typed in
	 * 'pakt agenda set': keep them as they are */
	return kind == BODY_LEVEL ? _("level: latest value per organisation, summed")
	       : kind == BODY_RATIO ? _("ratio: numerators and denominators added up")
	       : _("count: adds up over periods and organisations");
}

/* "  trend: rising for 3 periods (better)" */
static void trend_says(FILE *f, const struct measure_ind *mi)
{
	size_t n = mi->trend_periods;
	/* TRANSLATORS: a trend of an indicator's values: "rising for 3
	 * periods" */
	const char *dir = mi->trend == MEASURE_RISING ? _("rising") : _("falling");

	if (mi->trend == MEASURE_FLAT)
		fprintf(f, P_("  trend: flat for %zu period\n", "  trend: flat for %zu periods\n", n), n);
	else if (mi->trend_better)
		fprintf(f, P_("  trend: %s for %zu period (better)\n",
			      "  trend: %s for %zu periods (better)\n", n), dir, n);
	else
		fprintf(f, P_("  trend: %s for %zu period (worse)\n",
			      "  trend: %s for %zu periods (worse)\n", n), dir, n);
}

static void text_head(FILE *f, const struct measure *m, const struct measure_ind *mi)
{
	const struct body_indicator *d = &mi->def;
	char cur[40], v[40];

	text_put(f, d->name);
	fprintf(f, " (%s)", d->id);
	if (d->unit[0]) {
		fputs(" [", f);
		text_put(f, d->unit);
		fputc(']', f);
	}
	fputs("\n", f);
	if (d->about)
		/* TRANSLATORS: the kind, then "about:" and population,
		 * how-much, how-well or better-off (kept as they are) */
		fprintf(f, _("  %s; about: %s\n"), kind_says(d->kind), body_abouts[d->about]);
	else
		fprintf(f, "  %s\n", kind_says(d->kind));
	if (!mi->has_current) {
		fputs(_("  current: no values reported\n"), f);
	} else if (d->kind == BODY_LEVEL && mi->latest >= 0) {
		fmt_value(d, mi->current, cur);
		/* TRANSLATORS: the value, then the period it is from */
		fprintf(f, _("  current %s (%s)\n"), cur, m->period[mi->latest].label);
	} else if (d->kind == BODY_RATIO) {
		char a[32], b[32];

		fmt_value(d, mi->current, cur);
		metrics_fmt_num(mi->num, a);
		metrics_fmt_num(mi->den, b);
		/* TRANSLATORS: a percentage, then "34 of 40" */
		fprintf(f, _("  current %s (%s of %s)\n"), cur, a, b);
	} else {
		fmt_value(d, mi->current, cur);
		fprintf(f, _("  current %s\n"), cur);
	}
	if (d->has_baseline) {
		fmt_value(d, d->baseline.value, v);
		fprintf(f, _("  baseline %s (%s)\n"), v, d->baseline.period);
	}
	if (d->has_target) {
		fmt_value(d, d->target, v);
		fprintf(f, d->down ? _("  target at most %s (lower is better)")
			: _("  target %s (higher is better)"), v);
		if (mi->has_progress) {
			fmt_value(d, mi->start, cur);
			/* TRANSLATORS: follows "target 80 (higher is better)": how
			 * far from the baseline (or first value) to the target */
			fprintf(f, mi->met ? _(": %.0f%% of the way from %s, reached")
				: _(": %.0f%% of the way from %s, not reached"), mi->progress, cur);
		}
		fputc('\n', f);
	}
	if (mi->next_milestone >= 0) {
		const struct body_point *p = &d->milestones[mi->next_milestone];

		fmt_value(d, p->value, v);
		fprintf(f, _("  next milestone: %s for %s\n"), v, p->period);
	}
	if (mi->trend != MEASURE_NO_TREND)
		trend_says(f, mi);
}

static void text_line(FILE *f, const struct body_indicator *d, const char *label, double v,
		      double denom, const char *when)
{
	char num[40];

	fmt_value(d, v, num);
	fputs("  ", f);
	text_fit(f, label, NAME_COLS, true);
	fputc(' ', f);
	bar(f, v, denom);
	fprintf(f, "  %s", num);
	if (d->unit[0] && d->kind != BODY_RATIO) {
		fputc(' ', f);
		text_put(f, d->unit);
	}
	if (when != NULL)
		fprintf(f, " (%s)", when);
	fputc('\n', f);
}

static void text_tail(FILE *f, const struct measure *m, const struct measure_ind *mi)
{
	const struct body_indicator *d = &mi->def;
	char num[32];

	for (size_t o = 0; o < m->n_org && mi->latest >= 0; o++) {
		if (!mi->org_missing[o])
			continue;
		fputs("  ", f);
		text_fit(f, m->org[o].name, NAME_COLS, true);
		fprintf(f, _(" no report for %s (last: %s)\n"), m->period[mi->latest].label,
			m->period[mi->org_last[o]].label);
	}
	if (mi->has_split) {
		/* TRANSLATORS: the dimension (an id like "gender") follows,
		 * then ':' and each category with its value */
		fputs(_("  by "), f);
		text_put(f, d->dimension);
		fputc(':', f);
		for (size_t k = 0; k < d->n_categories; k++) {
			metrics_fmt_num(mi->split[k], num);
			fputs(k ? ", " : " ", f);
			text_put(f, d->categories[k]);
			fprintf(f, " %s", num);
		}
		metrics_fmt_num(mi->split_of, num);
		fprintf(f, _(" (of %s)\n"), num);
	}
	for (size_t k = 0; k < mi->n_flags; k++) {
		long o = -1;

		for (size_t j = 0; j < m->n_org; j++)
			if (memcmp(m->org[j].key, mi->flags[k].org, 32) == 0)
				o = (long)j;
		fputs(_("  flagged: "), f);
		text_put(f, o >= 0 ? m->org[o].name : "?");
		fprintf(f, " #%llu, %s: ", (unsigned long long)mi->flags[k].seq, mi->flags[k].period);
		text_put(f, mi->flags[k].what);
		fputc('\n', f);
	}
}

void metrics_text(FILE *f, const struct measure *m, bool by_period)
{
	if (m->n_ind == 0) {
		fputs(_("no indicators: set them with 'pakt agenda set'\n"), f);
		return;
	}
	for (size_t i = 0; i < m->n_ind; i++) {
		const struct measure_ind *mi = &m->ind[i];
		double denom = 0;

		if (i > 0)
			fputc('\n', f);
		text_head(f, m, mi);
		if (mi->n_rows == 0) {
			fputs(_("  (no values reported)\n"), f);
			continue;
		}
		/* bars against the target (upwards), else the largest value */
		for (size_t k = 0; k < (by_period ? m->n_period : m->n_org); k++) {
			bool has = by_period ? mi->has[k] : mi->org_last[k] >= 0;
			double v = by_period ? mi->value[k] : mi->org_total[k];

			if (has && fabs(v) > denom)
				denom = fabs(v);
		}
		if (mi->def.kind == BODY_RATIO)
			denom = 100;
		else if (mi->def.has_target && !mi->def.down && mi->def.target > denom)
			denom = mi->def.target;
		for (size_t k = 0; by_period && k < m->n_period; k++)
			if (mi->has[k])
				text_line(f, &mi->def, m->period[k].label, mi->value[k], denom, NULL);
		for (size_t o = 0; !by_period && o < m->n_org; o++) {
			char when[BODY_PERIOD_MAX + 16];

			if (mi->org_last[o] < 0)
				continue;
			/* a level: its latest value; else all it reported, up to */
			/* TRANSLATORS: "to 2026-03": everything reported up to that period */
			snprintf(when, sizeof when, mi->def.kind == BODY_LEVEL ? "%s" : _("to %s"),
				 m->period[mi->org_last[o]].label);
			text_line(f, &mi->def, m->org[o].name, mi->org_total[o], denom, when);
		}
		text_tail(f, m, mi);
	}
}

/* ---- CSV ---- */

/* A field, quoted when needed; a partner's control characters escaped as
 * on the terminal (cli/text.h), its newlines kept inside the quotes. */
static void csv_field(FILE *f, const char *s)
{
	char *e;

	if (text_escape(s, strlen(s), TEXT_LINES, &e, NULL) != 0) {
		fputs("?", f);
		return;
	}
	if (strpbrk(e, ",\"\n") == NULL) {
		fputs(e, f);
	} else {
		fputc('"', f);
		for (const char *p = e; *p; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
		fputc('"', f);
	}
	free(e);
}

void metrics_csv(FILE *f, const struct measure *m)
{
	char num[32];

	fputs("indicator,kind,org,period,value,den\n", f);
	for (size_t i = 0; i < m->n_ind; i++) {
		const struct measure_ind *mi = &m->ind[i];

		for (size_t o = 0; o < m->n_org; o++)
			for (size_t p = 0; p < m->n_period; p++) {
				size_t c = o * m->n_period + p;
				bool ratio = mi->def.kind == BODY_RATIO;

				if (!mi->cell_has[c])
					continue;
				csv_field(f, mi->def.id);
				fprintf(f, ",%s,", body_kinds[mi->def.kind]);
				csv_field(f, m->org[o].name);
				fputc(',', f);
				csv_field(f, m->period[p].label);
				metrics_fmt_num(ratio ? mi->cell_num[c] : mi->cell[c], num);
				fprintf(f, ",%s,", num);
				if (ratio) {
					metrics_fmt_num(mi->cell_den[c], num);
					fputs(num, f);
				}
				fputc('\n', f);
			}
	}
}

/* ---- JSON ---- */

static void json_s(FILE *f, const char *s)
{
	output_json_str(f, s, strlen(s));
}

static void json_num(FILE *f, double v)
{
	char num[32];

	if (!isfinite(v)) {
		fputs("null", f);
		return;
	}
	metrics_fmt_num(v, num);
	fputs(num, f);
}

static void json_point(FILE *f, const struct body_point *p)
{
	fputs("{\"period\":", f);
	json_s(f, p->period);
	fputs(",\"value\":", f);
	json_num(f, p->value);
	fputc('}', f);
}

static void json_org(FILE *f, const struct measure *m, size_t o)
{
	char kt[ID_TEXT_MAX];

	id_encode(ID_KEY, m->org[o].key, kt);
	fprintf(f, "{\"id\":\"%s\",\"name\":", kt);
	json_s(f, m->org[o].name);
}

static void json_ind(FILE *f, const struct measure *m, const struct measure_ind *mi)
{
	const struct body_indicator *d = &mi->def;
	bool first = true;

	fputs("{\"indicator\":", f);
	json_s(f, d->id);
	fputs(",\"name\":", f);
	json_s(f, d->name);
	fputs(",\"unit\":", f);
	json_s(f, d->unit);
	fprintf(f, ",\"kind\":\"%s\",\"direction\":\"%s\",\"about\":", body_kinds[d->kind],
		d->down ? "down" : "up");
	if (d->about != BODY_ABOUT_NONE)
		fprintf(f, "\"%s\"", body_abouts[d->about]);
	else
		fputs("null", f);
	fputs(",\"current\":", f);
	if (mi->has_current)
		json_num(f, mi->current);
	else
		fputs("null", f);
	if (d->kind == BODY_RATIO) {
		fputs(",\"numerator\":", f);
		json_num(f, mi->num);
		fputs(",\"denominator\":", f);
		json_num(f, mi->den);
	}
	fputs(",\"baseline\":", f);
	if (d->has_baseline)
		json_point(f, &d->baseline);
	else
		fputs("null", f);
	fputs(",\"target\":", f);
	if (d->has_target)
		json_num(f, d->target);
	else
		fputs("null", f);
	fputs(",\"milestones\":[", f);
	for (size_t k = 0; k < d->n_milestones; k++) {
		fputs(k ? "," : "", f);
		json_point(f, &d->milestones[k]);
	}
	fputs("],\"progress\":", f);
	if (mi->has_progress) {
		json_num(f, mi->progress);
		fprintf(f, ",\"met\":%s", mi->met ? "true" : "false");
	} else {
		fputs("null,\"met\":null", f);
	}
	fputs(",\"trend\":", f);
	if (mi->trend != MEASURE_NO_TREND)
		fprintf(f, "{\"direction\":\"%s\",\"periods\":%zu,\"better\":%s}",
			measure_trend_name(mi->trend), mi->trend_periods,
			mi->trend_better ? "true" : "false");
	else
		fputs("null", f);
	fputs(",\"orgs\":[", f);
	for (size_t o = 0; o < m->n_org; o++) {
		if (mi->org_last[o] < 0)
			continue;
		fputs(first ? "" : ",", f);
		json_org(f, m, o);
		fputs(",\"value\":", f);
		json_num(f, mi->org_value[o]);
		fputs(",\"period\":", f);
		json_s(f, m->period[mi->org_last[o]].label);
		if (d->kind != BODY_LEVEL) {
			fputs(",\"total\":", f);
			json_num(f, mi->org_total[o]);
		}
		fputc('}', f);
		first = false;
	}
	fputs("],\"periods\":[", f);
	first = true;
	for (size_t p = 0; p < m->n_period; p++) {
		if (!mi->has[p])
			continue;
		fputs(first ? "{\"period\":" : ",{\"period\":", f);
		json_s(f, m->period[p].label);
		fputs(",\"value\":", f);
		json_num(f, mi->value[p]);
		fputc('}', f);
		first = false;
	}
	fputs("],\"split\":", f);
	if (d->n_categories > 0) {
		fputs("{\"dimension\":", f);
		json_s(f, d->dimension);
		fputs(",\"of\":", f);
		json_num(f, mi->split_of);
		fputs(",\"values\":[", f);
		for (size_t k = 0; k < d->n_categories; k++) {
			fputs(k ? ",{\"category\":" : "{\"category\":", f);
			json_s(f, d->categories[k]);
			fputs(",\"value\":", f);
			json_num(f, mi->split[k]);
			fputc('}', f);
		}
		fputs("]}", f);
	} else {
		fputs("null", f);
	}
	fputs(",\"missing\":[", f);
	first = true;
	for (size_t o = 0; o < m->n_org && mi->latest >= 0; o++) {
		if (!mi->org_missing[o])
			continue;
		fputs(first ? "" : ",", f);
		json_org(f, m, o);
		fputs(",\"period\":", f);
		json_s(f, m->period[mi->latest].label);
		fputs(",\"last\":", f);
		json_s(f, m->period[mi->org_last[o]].label);
		fputc('}', f);
		first = false;
	}
	fputs("],\"flagged\":[", f);
	for (size_t k = 0; k < mi->n_flags; k++) {
		char kt[ID_TEXT_MAX];

		id_encode(ID_KEY, mi->flags[k].org, kt);
		fprintf(f, "%s{\"id\":\"%s\",\"seq\":%llu,\"period\":", k ? "," : "", kt,
			(unsigned long long)mi->flags[k].seq);
		json_s(f, mi->flags[k].period);
		fputs(",\"what\":", f);
		json_s(f, mi->flags[k].what);
		fputc('}', f);
	}
	fputs("]}", f);
}

void metrics_json(FILE *f, const struct measure *m)
{
	fputs("{\"indicators\":[", f);
	for (size_t i = 0; i < m->n_ind; i++) {
		fputs(i ? "," : "", f);
		json_ind(f, m, &m->ind[i]);
	}
	fputs("]}\n", f);
}
