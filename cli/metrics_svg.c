/* The SVG chart of 'pakt metrics --chart': one panel per indicator, a
 * line per organisation. No I/O but the FILE given: see cli/metrics.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/metrics.h"
#include "cli/output.h"
#include "proto/id.h"

#define SVG_W 860
#define SVG_PANEL_H 380
#define SVG_ML 80       /* left margin: y labels */
#define SVG_MR 240      /* right margin: legend */
#define SVG_MT 50
#define SVG_MB 50

static const char *const palette[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
	"#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22",
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

static void svg_panel(FILE *f, const struct metrics *m, size_t i, double y0)
{
	const struct metric_ind *mi = &m->ind[i];
	const struct body_indicator *d = &mi->def;
	const double px = SVG_ML, pw = SVG_W - SVG_ML - SVG_MR;
	const double py = y0 + SVG_MT, ph = SVG_PANEL_H - SVG_MT - SVG_MB;
	double ymin = 0, ymax = 0, step, cum;
	int64_t xmin = 0, xmax = 0;
	bool any = false;
	char num[32], day[16];

	/* ranges: x over the periods reported, y over the cumulative values */
	for (size_t p = 0; p < m->n_period; p++) {
		if (!mi->period_has[p])
			continue;
		if (!any || m->period[p].from < xmin)
			xmin = m->period[p].from;
		if (!any || m->period[p].from > xmax)
			xmax = m->period[p].from;
		any = true;
	}
	for (size_t o = 0; o < m->n_org; o++) {
		cum = 0;
		for (size_t p = 0; p < m->n_period; p++)
			if (mi->has[o * m->n_period + p]) {
				cum += mi->cell[o * m->n_period + p];
				ymin = fmin(ymin, cum);
				ymax = fmax(ymax, cum);
			}
	}
	if (d->has_target) {
		ymin = fmin(ymin, d->target);
		ymax = fmax(ymax, d->target);
	}
	if (ymax <= ymin)
		ymax = ymin + 1;
	step = nice_step(ymax - ymin);
	ymin = floor(ymin / step) * step;
	ymax = ceil(ymax / step) * step;
	if (ymax <= ymin)
		ymax = ymin + step;
	if (!any) {
		xmin = xmax = 0;
	}
	if (xmax == xmin) {
		xmin -= 15;
		xmax += 15;
	}
#define X(day) (px + (double)((day) - xmin) / (double)(xmax - xmin) * pw)
#define Y(v) (py + ph - ((v) - ymin) / (ymax - ymin) * ph)

	fprintf(f, "<g class=\"indicator\">\n");
	fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"16\" font-weight=\"bold\">", SVG_ML,
		y0 + 28);
	svg_esc(f, d->name);
	if (d->unit[0]) {
		fputs(" (", f);
		svg_esc(f, d->unit);
		fputc(')', f);
	}
	fputs("</text>\n", f);
	/* grid and y axis labels */
	for (double v = ymin; v <= ymax + step / 2; v += step) {
		metrics_fmt_num(fabs(v) < step * 1e-9 ? 0 : v, num);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>\n",
			px, Y(v), px + pw, Y(v));
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>\n",
			px - 6, Y(v) + 4, num);
	}
	/* axes */
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>\n",
		px, py, px, py + ph);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>\n",
		px, py + ph, px + pw, py + ph);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\" "
		"transform=\"rotate(-90 %.1f %.1f)\">cumulative value", px - 55, py + ph / 2,
		px - 55, py + ph / 2);
	if (d->unit[0]) {
		fputs(" (", f);
		svg_esc(f, d->unit);
		fputc(')', f);
	}
	fputs("</text>\n", f);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">"
		"period start</text>\n", px + pw / 2, py + ph + 40);
	/* x ticks: each period start, or 6 evenly spaced days if crowded */
	{
		size_t n_starts = 0;
		int64_t last = INT64_MIN;

		for (size_t p = 0; p < m->n_period; p++)
			if (mi->period_has[p] && m->period[p].from != last) {
				n_starts++;
				last = m->period[p].from;
			}
		last = INT64_MIN;
		if (n_starts >= 1 && n_starts <= 6) {
			for (size_t p = 0; p < m->n_period; p++) {
				if (!mi->period_has[p] || m->period[p].from == last)
					continue;
				last = m->period[p].from;
				metrics_fmt_day(last, day);
				fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>\n",
					X(last), py + ph, X(last), py + ph + 5);
				fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%s</text>\n",
					X(last), py + ph + 18, day);
			}
		} else {
			for (int k = 0; k <= 5; k++) {
				int64_t dd = xmin + (xmax - xmin) * k / 5;

				metrics_fmt_day(dd, day);
				fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>\n",
					X(dd), py + ph, X(dd), py + ph + 5);
				fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%s</text>\n",
					X(dd), py + ph + 18, day);
			}
		}
	}
	/* target */
	if (d->has_target) {
		metrics_fmt_num(d->target, num);
		fprintf(f, "<line class=\"target\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"#444\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n",
			px, Y(d->target), px + pw, Y(d->target));
	}
	if (!any)
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\" "
			"fill=\"#888\">no values reported</text>\n", px + pw / 2, py + ph / 2);
	/* one polyline (and its points) per organisation */
	for (size_t o = 0, shown = 0; o < m->n_org; o++) {
		const char *col;

		if (!mi->org_has[o])
			continue;
		col = palette[shown++ % PALETTE_N];
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", col);
		cum = 0;
		for (size_t p = 0, k = 0; p < m->n_period; p++) {
			size_t c = o * m->n_period + p;

			if (!mi->has[c])
				continue;
			cum += mi->cell[c];
			fprintf(f, "%s%.1f,%.1f", k++ ? " " : "", X(m->period[p].from), Y(cum));
		}
		fputs("\"/>\n", f);
		cum = 0;
		for (size_t p = 0; p < m->n_period; p++) {
			size_t c = o * m->n_period + p;

			if (!mi->has[c])
				continue;
			cum += mi->cell[c];
			metrics_fmt_num(cum, num);
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>",
				X(m->period[p].from), Y(cum), col);
			svg_esc(f, m->org[o].name);
			fputs(", ", f);
			svg_esc(f, m->period[p].label);
			fprintf(f, ": %s</title></circle>\n", num);
		}
	}
	/* legend */
	{
		double lx = px + pw + 20, ly = py + 4;

		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#444\">y: cumulative value per organisation</text>\n",
			lx, ly);
		ly += 20;
		for (size_t o = 0, shown = 0; o < m->n_org; o++) {
			if (!mi->org_has[o])
				continue;
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"/>\n",
				lx, ly - 4, lx + 20, ly - 4, palette[shown++ % PALETTE_N]);
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">", lx + 26, ly);
			svg_esc(f, m->org[o].name);
			fputs("</text>\n", f);
			ly += 18;
		}
		if (d->has_target) {
			metrics_fmt_num(d->target, num);
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\" "
				"stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n", lx, ly - 4, lx + 20, ly - 4);
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">target %s%s (%s)</text>\n",
				lx + 26, ly, d->down ? "at most " : "", num, d->down ? "lower is better"
				: "higher is better");
		}
	}
	fputs("</g>\n", f);
#undef X
#undef Y
}

void metrics_svg(FILE *f, const struct metrics *m)
{
	size_t n = m->n_ind ? m->n_ind : 1;
	unsigned h = (unsigned)(n * SVG_PANEL_H);

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%u\" "
		"viewBox=\"0 0 %d %u\" font-family=\"sans-serif\">\n", SVG_W, h, SVG_W, h);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%u\" fill=\"#fff\"/>\n", SVG_W, h);
	if (m->n_ind == 0)
		fputs("<text x=\"80\" y=\"60\" font-size=\"14\">no indicators</text>\n", f);
	for (size_t i = 0; i < m->n_ind; i++)
		svg_panel(f, m, i, (double)i * SVG_PANEL_H);
	fputs("</svg>\n", f);
}
