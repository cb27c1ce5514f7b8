/* The SVG chart of 'pakt metrics --chart' and of the report: a title,
 * then one panel per indicator with a line per organisation (its values
 * by the indicator's kind), the partnership's value as a heavier line,
 * target, milestones and baseline. No I/O but the FILE given: see
 * cli/metrics.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/i18n.h"
#include "cli/metrics.h"
#include "cli/output.h"
#include "proto/date.h"
#include "proto/id.h"

#define SVG_W 860
#define SVG_PANEL_H 380
#define SVG_ML 80       /* left margin: y labels */
#define SVG_MR 240      /* right margin: legend */
#define SVG_MT 50
#define SVG_TITLE_H 56
#define LEGEND_COLS 30  /* characters per legend line */
#define SVG_MB 50

static const char *const palette[] = {
	/* no red: red is the target's */
	"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
	"#e377c2", "#17becf", "#7f7f7f", "#bcbd22", "#393b79",
};
#define PALETTE_N (sizeof palette / sizeof palette[0])

/* XML text or attribute value: escapes & < > " ' and drops control
 * characters XML 1.0 does not allow. */
static void svg_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		switch (ch) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
				fputc('?', f);
			else
				fputc(ch, f);
		}
	}
}

/* A translated text fmt with one or two %s, each arg escaped as the rest. */
static void svg_fmt2(FILE *f, const char *fmt, const char *a, const char *b)
{
	char *s = NULL;
	size_t n;
	FILE *m = open_memstream(&s, &n);

	if (m == NULL)
		return;
	fprintf(m, fmt, a, b);
	if (fclose(m) == 0 && s != NULL)
		svg_esc(f, s);
	free(s);
}

static void svg_fmt(FILE *f, const char *fmt, const char *a)
{
	svg_fmt2(f, fmt, a, "");
}

/* A step of 1, 2 or 5 times a power of ten near span / 4. */
static double nice_step(double span)
{
	double raw = span / 4, mag, norm;

	if (!(raw > 0) || !isfinite(raw))
		return 1;
	mag = pow(10, floor(log10(raw)));
	norm = raw / mag;
	return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

void metrics_axis_label(const struct body_indicator *d, char *buf, size_t len)
{
	char name[BODY_NAME_MAX + 1];

	snprintf(name, sizeof name, "%s", d->name);
	if (name[0] >= 'A' && name[0] <= 'Z' && !(name[1] >= 'A' && name[1] <= 'Z'))
		name[0] = (char)(name[0] - 'A' + 'a');      /* "People ..." -> "people ..." */
	/* TRANSLATORS: the y axis of a chart: the indicator's name, then what
	 * its values are */
	if (d->kind == BODY_LEVEL)
		snprintf(buf, len, _("%s, latest count"), name);
	else if (d->kind == BODY_RATIO)
		snprintf(buf, len, _("%s, %% (numerators / denominators)"), name);
	else
		snprintf(buf, len, _("%s, total to date (count)"), name);
}

/* Lines of at most LEGEND_COLS code points, broken at spaces where one
 * is near (else inside the word): a legend never cuts a name. */
static void svg_wrapped(FILE *f, double x, double y, const char *s, const char *attrs,
			double *height)
{
	char line[4 * LEGEND_COLS + 8];
	size_t n = strlen(s), i = 0, lines = 0;

	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" %s>", x, y, attrs);
	while (i < n) {
		size_t j = i, cols = 0, cut = 0;

		while (j < n && cols < LEGEND_COLS) {
			j++;
			while (j < n && ((unsigned char)s[j] & 0xc0) == 0x80)
				j++;
			cols++;
			if (j < n && s[j] == ' ')
				cut = j;
		}
		if (j < n && cut > i + LEGEND_COLS / 2)
			j = cut;
		memcpy(line, s + i, j - i);
		line[j - i] = '\0';
		fprintf(f, "<tspan x=\"%.1f\" dy=\"%s\">", x, lines ? "14" : "0");
		svg_esc(f, line);
		fputs("</tspan>", f);
		lines++;
		i = j;
		while (i < n && s[i] == ' ')
			i++;
	}
	fputs("</text>\n", f);
	*height = (double)(lines ? lines : 1) * 14;
}

/* What a panel draws: per organisation (rows 0..n_org-1) and for the
 * partnership (row n_org) a value per period: a level's and a ratio's as
 * they are, a count's as its running total (the current value it adds
 * up to, which the target is about). */
struct series {
	size_t rows, np;
	bool *has;                      /* [rows * np] */
	double *v;
};

static int series_of(const struct measure *m, const struct measure_ind *mi, struct series *s)
{
	bool count = mi->def.kind == BODY_COUNT;

	s->rows = m->n_org + 1;
	s->np = m->n_period;
	s->has = calloc(s->rows * s->np + 1, sizeof *s->has);
	s->v = calloc(s->rows * s->np + 1, sizeof *s->v);
	if (s->has == NULL || s->v == NULL)
		return -1;
	for (size_t r = 0; r < s->rows; r++) {
		const bool *h = r < m->n_org ? mi->cell_has + r * s->np : mi->has;
		const double *v = r < m->n_org ? mi->cell + r * s->np : mi->value;
		double sum = 0;

		for (size_t p = 0; p < s->np; p++) {
			if (!h[p])
				continue;
			sum += v[p];
			s->has[r * s->np + p] = true;
			s->v[r * s->np + p] = count ? sum : v[p];
		}
	}
	return 0;
}

static void series_free(struct series *s)
{
	free(s->has);
	free(s->v);
}

struct frame {
	double px, pw, py, ph, ymin, ymax;
	int64_t xmin, xmax;
};

static double fx(const struct frame *fr, int64_t day)
{
	return fr->px + (double)(day - fr->xmin) / (double)(fr->xmax - fr->xmin) * fr->pw;
}

static double fy(const struct frame *fr, double v)
{
	return fr->py + fr->ph - (v - fr->ymin) / (fr->ymax - fr->ymin) * fr->ph;
}

static void grow_x(int64_t day, int64_t *lo, int64_t *hi, bool *any)
{
	if (!*any || day < *lo)
		*lo = day;
	if (!*any || day > *hi)
		*hi = day;
	*any = true;
}

/* Ranges: x over the periods reported and the baseline and milestones; y
 * over every value shown, the target below the top and above the axis. */
static void frame_of(const struct measure *m, const struct measure_ind *mi,
		     const struct series *se, double y0, struct frame *fr, bool *any)
{
	const struct body_indicator *d = &mi->def;
	double lo = 0, hi = 0, step;
	bool anyx = false;
	int64_t from, to;

	fr->px = SVG_ML;
	fr->pw = SVG_W - SVG_ML - SVG_MR;
	fr->py = y0 + SVG_MT;
	fr->ph = SVG_PANEL_H - SVG_MT - SVG_MB;
	*any = false;
	for (size_t p = 0; p < m->n_period; p++) {
		if (!mi->has[p])
			continue;
		grow_x(m->period[p].from, &fr->xmin, &fr->xmax, &anyx);
		*any = true;
		for (size_t r = 0; r < se->rows; r++)
			if (se->has[r * se->np + p]) {
				lo = fmin(lo, se->v[r * se->np + p]);
				hi = fmax(hi, se->v[r * se->np + p]);
			}
	}
	if (d->has_baseline && date_period_parse(d->baseline.period, &from, &to) == 0) {
		grow_x(from, &fr->xmin, &fr->xmax, &anyx);
		lo = fmin(lo, d->baseline.value);
		hi = fmax(hi, d->baseline.value);
	}
	for (size_t k = 0; k < d->n_milestones; k++)
		if (date_period_parse(d->milestones[k].period, &from, &to) == 0) {
			grow_x(from, &fr->xmin, &fr->xmax, &anyx);
			lo = fmin(lo, d->milestones[k].value);
			hi = fmax(hi, d->milestones[k].value);
		}
	if (d->has_target) {
		lo = fmin(lo, d->target);
		hi = fmax(hi, d->target);
	}
	if (hi <= lo)
		hi = lo + 1;
	step = nice_step(hi - lo);
	lo = floor(lo / step) * step;
	hi = ceil(hi / step) * step;
	/* the target is drawn above the x axis and below the top, even at 0 */
	if (d->has_target && d->target <= lo)
		lo -= step;
	if (d->has_target && d->target >= hi)
		hi += step;
	if (hi <= lo)
		hi = lo + step;
	fr->ymin = lo;
	fr->ymax = hi;
	if (!anyx)
		fr->xmin = fr->xmax = 0;
	if (fr->xmax == fr->xmin) {
		fr->xmin -= 15;
		fr->xmax += 15;
	}
}

static void svg_axes(FILE *f, const struct measure *m, const struct measure_ind *mi,
		     const struct frame *fr)
{
	double step = nice_step(fr->ymax - fr->ymin);
	char num[32], day[16], label[BODY_NAME_MAX + 64];
	size_t n_starts = 0;
	int64_t last = INT64_MIN;

	for (double v = fr->ymin; v <= fr->ymax + step / 2; v += step) {
		metrics_fmt_num(fabs(v) < step * 1e-9 ? 0 : v, num);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>\n",
			fr->px, fy(fr, v), fr->px + fr->pw, fy(fr, v));
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>\n",
			fr->px - 6, fy(fr, v) + 4, num);
	}
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>\n",
		fr->px, fr->py, fr->px, fr->py + fr->ph);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>\n",
		fr->px, fr->py + fr->ph, fr->px + fr->pw, fr->py + fr->ph);
	metrics_axis_label(&mi->def, label, sizeof label);
	fprintf(f, "<text class=\"axis-label\" x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
		"text-anchor=\"middle\" transform=\"rotate(-90 %.1f %.1f)\">", fr->px - 55,
		fr->py + fr->ph / 2, fr->px - 55, fr->py + fr->ph / 2);
	svg_esc(f, label);
	fputs("</text>\n", f);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">",
		fr->px + fr->pw / 2, fr->py + fr->ph + 40);
	/* TRANSLATORS: the x axis of a chart: each period is drawn at its
	 * first day */
	svg_esc(f, _("period (first day)"));
	fputs("</text>\n", f);
	for (size_t p = 0; p < m->n_period; p++)
		if (mi->has[p] && m->period[p].from != last) {
			n_starts++;
			last = m->period[p].from;
		}
	last = INT64_MIN;
	for (size_t p = 0, k = 0; p < m->n_period; p++) {
		if (!mi->has[p] || m->period[p].from == last)
			continue;
		last = m->period[p].from;
		if (n_starts > 6 && k++ % ((n_starts + 5) / 6) != 0)
			continue;       /* crowded: every other label or so */
		metrics_fmt_day(last, day);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>\n",
			fx(fr, last), fr->py + fr->ph, fx(fr, last), fr->py + fr->ph + 5);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">",
			fx(fr, last), fr->py + fr->ph + 18);
		svg_esc(f, m->period[p].label);
		fputs("</text>\n", f);
	}
}

/* Target (dashed, labelled), milestones (diamonds), baseline (dotted). */
static void svg_goals(FILE *f, const struct body_indicator *d, const struct frame *fr)
{
	char num[32];
	int64_t from, to;

	if (d->has_target) {
		metrics_fmt_num(d->target, num);
		fprintf(f, "<line class=\"target\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"#b00\" stroke-width=\"2\" stroke-dasharray=\"8 4\"/>\n",
			fr->px, fy(fr, d->target), fr->px + fr->pw, fy(fr, d->target));
		fprintf(f, "<text class=\"target-label\" x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
			"text-anchor=\"end\" fill=\"#b00\">", fr->px + fr->pw - 4, fy(fr, d->target) - 5);
		svg_fmt(f, d->down ? _("target at most %s") : _("target %s"), num);
		fputs("</text>\n", f);
	}
	for (size_t k = 0; k < d->n_milestones; k++) {
		double x, y;

		if (date_period_parse(d->milestones[k].period, &from, &to) != 0)
			continue;
		x = fx(fr, from);
		y = fy(fr, d->milestones[k].value);
		metrics_fmt_num(d->milestones[k].value, num);
		fprintf(f, "<path class=\"milestone\" d=\"M%.1f %.1fl6 6l-6 6l-6 -6z\" fill=\"none\" "
			"stroke=\"#b00\" stroke-width=\"1.5\"><title>", x, y - 6);
		svg_fmt2(f, _("milestone %s for %s"), num, d->milestones[k].period);
		fputs("</title></path>\n", f);
	}
	if (d->has_baseline) {
		double y = fy(fr, d->baseline.value);

		metrics_fmt_num(d->baseline.value, num);
		fprintf(f, "<line class=\"baseline\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"#666\" stroke-width=\"1\" stroke-dasharray=\"2 3\"/>\n",
			fr->px, y, fr->px + fr->pw, y);
		fprintf(f, "<text class=\"baseline-label\" x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
			"fill=\"#666\">", fr->px + 4, y - 4);
		svg_fmt2(f, _("baseline %s (%s)"), num, d->baseline.period);
		fputs("</text>\n", f);
	}
}

/* One series: a polyline and its points, values by period. */
static void svg_series(FILE *f, const struct measure *m, const struct frame *fr, const bool *has,
		       const double *v, size_t stride, const char *col, double width,
		       const char *who)
{
	char num[32];
	size_t k = 0;

	fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\" points=\"", col, width);
	for (size_t p = 0; p < m->n_period; p++)
		if (has[p * stride])
			fprintf(f, "%s%.1f,%.1f", k++ ? " " : "", fx(fr, m->period[p].from),
				fy(fr, v[p * stride]));
	fputs("\"/>\n", f);
	for (size_t p = 0; p < m->n_period; p++) {
		if (!has[p * stride])
			continue;
		metrics_fmt_num(v[p * stride], num);
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"><title>",
			fx(fr, m->period[p].from), fy(fr, v[p * stride]), width + 1, col);
		svg_esc(f, who);
		fputs(", ", f);
		svg_esc(f, m->period[p].label);
		fprintf(f, ": %s</title></circle>\n", num);
	}
}

static void svg_legend(FILE *f, const struct measure *m, const struct measure_ind *mi,
		       const struct frame *fr)
{
	double lx = fr->px + fr->pw + 20, ly = fr->py + 4, h;

	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" "
		"stroke-width=\"4\"/>\n", lx, ly - 4, lx + 20, ly - 4);
	svg_wrapped(f, lx + 26, ly, _("partnership (combined)"), "font-size=\"12\" font-weight=\"bold\"",
		    &h);
	ly += h + 6;
	for (size_t o = 0, shown = 0; o < m->n_org; o++) {
		if (mi->org_last[o] < 0)
			continue;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			"stroke-width=\"2\"/>\n", lx, ly - 4, lx + 20, ly - 4,
			palette[shown++ % PALETTE_N]);
		svg_wrapped(f, lx + 26, ly, m->org[o].name, "class=\"legend\" font-size=\"12\"", &h);
		ly += h + 6;
	}
}

static void svg_panel(FILE *f, const struct measure *m, size_t i, double y0)
{
	const struct measure_ind *mi = &m->ind[i];
	const struct body_indicator *d = &mi->def;
	struct frame fr;
	struct series se;
	bool any;
	char title[BODY_NAME_MAX + BODY_UNIT_MAX + 8];

	if (series_of(m, mi, &se) != 0) {
		series_free(&se);
		return;         /* out of memory: the panel is left out */
	}
	frame_of(m, mi, &se, y0, &fr, &any);
	fprintf(f, "<g class=\"indicator\" id=\"ind-%s\">\n", d->id);
	snprintf(title, sizeof title, d->unit[0] ? "%s (%s)" : "%s", d->name, d->unit);
	fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"16\" font-weight=\"bold\">", SVG_ML, y0 + 28);
	svg_esc(f, title);
	fputs("</text>\n", f);
	svg_axes(f, m, mi, &fr);
	svg_goals(f, d, &fr);
	if (!any) {
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\" "
			"fill=\"#888\">", fr.px + fr.pw / 2, fr.py + fr.ph / 2);
		svg_esc(f, _("no values reported"));
		fputs("</text>\n", f);
	}
	/* the partnership's heavier line first, each organisation's over it */
	if (any)
		svg_series(f, m, &fr, se.has + m->n_org * se.np, se.v + m->n_org * se.np, 1, "#000",
			   3.5, _("partnership"));
	for (size_t o = 0, shown = 0; o < m->n_org; o++)
		if (mi->org_last[o] >= 0)
			svg_series(f, m, &fr, se.has + o * se.np, se.v + o * se.np, 1,
				   palette[shown++ % PALETTE_N], 1.5, m->org[o].name);
	svg_legend(f, m, mi, &fr);
	fputs("</g>\n", f);
	series_free(&se);
}

void metrics_svg_write(FILE *f, const struct measure *m, long only, const char *initiative,
		       const char *drawn)
{
	size_t n = only >= 0 ? 1 : m->n_ind ? m->n_ind : 1;
	unsigned h = (unsigned)(SVG_TITLE_H + n * SVG_PANEL_H);
	double y = SVG_TITLE_H;

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%u\" "
		"viewBox=\"0 0 %d %u\" font-family=\"sans-serif\">\n", SVG_W, h, SVG_W, h);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%u\" fill=\"#fff\"/>\n", SVG_W, h);
	fprintf(f, "<text class=\"title\" x=\"%d\" y=\"26\" font-size=\"18\" font-weight=\"bold\">",
		SVG_ML);
	svg_esc(f, initiative != NULL && initiative[0] ? initiative : _("Shared measurement"));
	fprintf(f, "</text>\n<text class=\"drawn\" x=\"%d\" y=\"44\" font-size=\"11\" fill=\"#555\">",
		SVG_ML);
	if (drawn != NULL && drawn[0])
		/* TRANSLATORS: under a chart's title; the date it was drawn */
		svg_fmt(f, _("drawn %s by pakt from signed updates"), drawn);
	else
		svg_esc(f, _(" by pakt from signed updates"));
	fputs("</text>\n", f);
	if (m->n_ind == 0 || (only >= 0 && (size_t)only >= m->n_ind)) {
		fprintf(f, "<text x=\"%d\" y=\"%.0f\" font-size=\"14\">", SVG_ML, y + 40);
		svg_esc(f, _("no indicators"));
		fputs("</text>\n", f);
	} else if (only >= 0) {
		svg_panel(f, m, (size_t)only, y);
	} else {
		for (size_t i = 0; i < m->n_ind; i++, y += SVG_PANEL_H)
			svg_panel(f, m, i, y);
	}
	fputs("</svg>\n", f);
}
