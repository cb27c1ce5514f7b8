/* Indicator metrics: argument parsing, aggregation and rendering (text,
 * CSV, JSON; SVG in metrics_svg.c) for 'pakt metrics' and friends. No I/O but the FILE
 * given, no daemon: see cli/metrics.h. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cli/metrics.h"
#include "cli/output.h"
#include "proto/err.h"
#include "proto/id.h"

/* ---- arguments ---- */

static int why_fail(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int why_fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return PAKT_EINVAL;
}

bool metrics_parse_number(const char *s, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0' || strlen(s) > 64)
		return false;
	for (const char *p = s; *p; p++)
		if (strchr("0123456789+-.eE", *p) == NULL)
			return false;       /* no hex, inf, nan, spaces */
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
		return false;
	*out = v;
	return true;
}

bool metrics_valid_id(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return false;
	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
		      s[n] == '_' || s[n] == '-'))
			return false;
	return n >= 1 && n <= BODY_ID_MAX;
}

/* Copy field [p, p+n) into out[cap]; false if it does not fit. */
static bool field(const char *p, size_t n, char *out, size_t cap)
{
	if (n >= cap)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

int metrics_parse_indicator(const char *arg, struct body_indicator *out, char *why,
			    size_t whylen)
{
	const char *f[6];
	size_t len[6], nf = 0;
	const char *p = arg, *c;
	char num[72];

	memset(out, 0, sizeof *out);
	for (;;) {
		if (nf == 6)
			return why_fail(why, whylen, "'%.80s' has too many ':' fields; use "
					"ID:NAME:UNIT[:TARGET[:up|down]] (a name cannot contain ':')", arg);
		c = strchr(p, ':');
		f[nf] = p;
		len[nf] = c ? (size_t)(c - p) : strlen(p);
		nf++;
		if (c == NULL)
			break;
		p = c + 1;
	}
	if (nf < 3 || nf > 5)
		return why_fail(why, whylen, "'%.80s' is not ID:NAME:UNIT[:TARGET[:up|down]]%s", arg,
				nf > 5 ? " (a name cannot contain ':')" : "");
	if (!field(f[0], len[0], out->id, sizeof out->id) || !metrics_valid_id(out->id))
		return why_fail(why, whylen, "indicator id '%.*s' must be 1 to %d of a-z, 0-9, _ and -",
				(int)(len[0] > 40 ? 40 : len[0]), f[0], BODY_ID_MAX);
	if (len[1] == 0)
		return why_fail(why, whylen, "indicator %s: the name is empty", out->id);
	if (!field(f[1], len[1], out->name, sizeof out->name))
		return why_fail(why, whylen, "indicator %s: the name is longer than %d bytes", out->id,
				BODY_NAME_MAX);
	if (!field(f[2], len[2], out->unit, sizeof out->unit))
		return why_fail(why, whylen, "indicator %s: the unit is longer than %d bytes", out->id,
				BODY_UNIT_MAX);
	if (nf >= 4 && len[3] > 0) {
		if (!field(f[3], len[3], num, sizeof num) || !metrics_parse_number(num, &out->target))
			return why_fail(why, whylen, "indicator %s: the target '%.*s' is not a finite number",
					out->id, (int)(len[3] > 40 ? 40 : len[3]), f[3]);
		out->has_target = true;
	}
	if (nf == 5) {
		if (len[4] == 2 && memcmp(f[4], "up", 2) == 0)
			out->down = false;
		else if (len[4] == 4 && memcmp(f[4], "down", 4) == 0)
			out->down = true;
		else
			return why_fail(why, whylen, "indicator %s: the direction must be up or down, not '%.*s'",
					out->id, (int)(len[4] > 40 ? 40 : len[4]), f[4]);
	}
	return 0;
}

int metrics_parse_value(const char *arg, struct body_value *out, char *why, size_t whylen)
{
	const char *eq = strchr(arg, '=');

	memset(out, 0, sizeof *out);
	if (eq == NULL)
		return why_fail(why, whylen, "'%.80s' is not INDICATOR=NUMBER", arg);
	if (!field(arg, (size_t)(eq - arg), out->indicator, sizeof out->indicator) ||
	    !metrics_valid_id(out->indicator))
		return why_fail(why, whylen, "indicator id '%.*s' must be 1 to %d of a-z, 0-9, _ and -",
				(int)(eq - arg > 40 ? 40 : eq - arg), arg, BODY_ID_MAX);
	if (!metrics_parse_number(eq + 1, &out->value))
		return why_fail(why, whylen, "%s: '%.40s' is not a finite number", out->indicator, eq + 1);
	return 0;
}

/* ---- numbers and days ---- */

void metrics_fmt_num(double v, char buf[32])
{
	if (!isfinite(v)) {
		snprintf(buf, 32, "0");
		return;
	}
	if (v == 0) {
		snprintf(buf, 32, "0");     /* also -0 */
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(buf, 32, "%.0f", v);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, 32, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

void metrics_fmt_day(int64_t days, char buf[16])
{
	/* civil_from_days (H. Hinnant), proleptic Gregorian */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;

	if (m <= 2)
		y++;
	if (y < 0 || y > 9999)
		snprintf(buf, 16, "out-of-range");
	else
		snprintf(buf, 16, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
}

/* ---- aggregation ---- */

static void ind_free(struct metric_ind *mi)
{
	free(mi->org_total);
	free(mi->period_total);
	free(mi->cell);
	free(mi->has);
	free(mi->org_has);
	free(mi->period_has);
}

void metrics_free(struct metrics *m)
{
	for (size_t i = 0; m->ind && i < m->n_ind; i++)
		ind_free(&m->ind[i]);
	free(m->ind);
	free(m->org);
	free(m->period);
	memset(m, 0, sizeof *m);
}

long metrics_find(const struct metrics *m, const char *id)
{
	for (size_t i = 0; i < m->n_ind; i++)
		if (strcmp(m->ind[i].def.id, id) == 0)
			return (long)i;
	return -1;
}

static long find_org(const struct metrics *m, const uint8_t key[32])
{
	for (size_t i = 0; i < m->n_org; i++)
		if (memcmp(m->org[i].key, key, 32) == 0)
			return (long)i;
	return -1;
}

static long find_period(const struct metrics *m, const char *label)
{
	for (size_t i = 0; i < m->n_period; i++)
		if (strcmp(m->period[i].label, label) == 0)
			return (long)i;
	return -1;
}

static int cmp_org(const void *a, const void *b)
{
	const struct metric_org *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : memcmp(x->key, y->key, 32);
}

static int cmp_period(const void *a, const void *b)
{
	const struct metric_period *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return strcmp(x->label, y->label);
}

/* Grow *p (of *cap elements of size sz) to hold n + 1. */
static int grow(void **p, size_t *cap, size_t n, size_t sz)
{
	void *q;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	q = realloc(*p, ncap * sz);
	if (q == NULL)
		return PAKT_ENOMEM;
	*p = q;
	*cap = ncap;
	return 0;
}

int metrics_build(struct metrics *m, const struct body_indicator *defs, size_t n_defs,
		  const struct metric_row *rows, size_t n_rows, const char *only)
{
	size_t cap_ind = 0, cap_org = 0, cap_per = 0;
	int rc = PAKT_ENOMEM;

	memset(m, 0, sizeof *m);
	for (size_t i = 0; i < n_defs; i++) {
		if (only && strcmp(defs[i].id, only) != 0)
			continue;
		if (metrics_find(m, defs[i].id) >= 0)
			continue;
		if (grow((void **)&m->ind, &cap_ind, m->n_ind, sizeof *m->ind) != 0)
			goto free_metrics;
		memset(&m->ind[m->n_ind], 0, sizeof *m->ind);
		m->ind[m->n_ind++].def = defs[i];
	}
	for (size_t r = 0; r < n_rows; r++) {
		const struct metric_row *row = &rows[r];
		long o;

		if (only && strcmp(row->indicator, only) != 0)
			continue;
		if (metrics_find(m, row->indicator) < 0) {
			struct body_indicator *d;

			if (grow((void **)&m->ind, &cap_ind, m->n_ind, sizeof *m->ind) != 0)
				goto free_metrics;
			memset(&m->ind[m->n_ind], 0, sizeof *m->ind);
			d = &m->ind[m->n_ind++].def;
			snprintf(d->id, sizeof d->id, "%s", row->indicator);
			snprintf(d->name, sizeof d->name, "%s", row->indicator);
		}
		o = find_org(m, row->author);
		if (o < 0) {
			if (grow((void **)&m->org, &cap_org, m->n_org, sizeof *m->org) != 0)
				goto free_metrics;
			memcpy(m->org[m->n_org].key, row->author, 32);
			m->org[m->n_org].name[0] = '\0';
			o = (long)m->n_org++;
		}
		if (m->org[o].name[0] == '\0' && row->name[0] != '\0')
			snprintf(m->org[o].name, sizeof m->org[o].name, "%s", row->name);
		if (find_period(m, row->period) < 0) {
			struct metric_period *p;

			if (grow((void **)&m->period, &cap_per, m->n_period, sizeof *m->period) != 0)
				goto free_metrics;
			p = &m->period[m->n_period++];
			snprintf(p->label, sizeof p->label, "%s", row->period);
			p->from = row->from;
			p->to = row->to;
		}
	}
	for (size_t i = 0; i < m->n_org; i++)
		if (m->org[i].name[0] == '\0')
			id_short(ID_KEY, m->org[i].key, m->org[i].name);
	if (m->n_org > 1)
		qsort(m->org, m->n_org, sizeof *m->org, cmp_org);
	if (m->n_period > 1)
		qsort(m->period, m->n_period, sizeof *m->period, cmp_period);

	for (size_t i = 0; i < m->n_ind; i++) {
		struct metric_ind *mi = &m->ind[i];
		size_t no = m->n_org ? m->n_org : 1, np = m->n_period ? m->n_period : 1;

		mi->org_total = calloc(no, sizeof *mi->org_total);
		mi->org_has = calloc(no, sizeof *mi->org_has);
		mi->period_total = calloc(np, sizeof *mi->period_total);
		mi->period_has = calloc(np, sizeof *mi->period_has);
		mi->cell = calloc(no * np, sizeof *mi->cell);
		mi->has = calloc(no * np, sizeof *mi->has);
		if (!mi->org_total || !mi->org_has || !mi->period_total || !mi->period_has ||
		    !mi->cell || !mi->has)
			goto free_metrics;
	}
	for (size_t r = 0; r < n_rows; r++) {
		const struct metric_row *row = &rows[r];
		long i = metrics_find(m, row->indicator), o, p;
		struct metric_ind *mi;
		size_t c;

		if (i < 0 || !isfinite(row->value))
			continue;
		o = find_org(m, row->author);
		p = find_period(m, row->period);
		if (o < 0 || p < 0)
			continue;
		mi = &m->ind[i];
		c = (size_t)o * m->n_period + (size_t)p;
		mi->cell[c] += row->value;
		mi->has[c] = true;
		mi->org_total[o] += row->value;
		mi->org_has[o] = true;
		mi->period_total[p] += row->value;
		mi->period_has[p] = true;
		mi->total += row->value;
		mi->n_rows++;
	}
	return 0;
free_metrics:
	metrics_free(m);
	return rc;
}

bool metrics_progress(const struct body_indicator *def, double total, double *pct, bool *met)
{
	if (!def->has_target)
		return false;
	*met = def->down ? total <= def->target : total >= def->target;
	if (def->target != 0)
		*pct = total / def->target * 100.0;
	else
		*pct = *met ? 100.0 : 0.0;
	return true;
}

/* ---- text ---- */

#define BAR_WIDTH 20
#define NAME_COLS 24

/* Columns a UTF-8 string takes (one per code point). */
static size_t u8_cols(const char *s, size_t n)
{
	size_t cols = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			cols++;
	return cols;
}

/* s padded or cut (with "…") to exactly cols columns. */
static void put_col(FILE *f, const char *s, size_t cols)
{
	size_t n = strlen(s), have = u8_cols(s, n);

	if (have <= cols) {
		fputs(s, f);
		for (size_t i = have; i < cols; i++)
			fputc(' ', f);
		return;
	}
	/* cut after cols - 1 code points */
	size_t i = 0, c = 0;

	while (i < n) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (c == cols - 1)
				break;
			c++;
		}
		i++;
	}
	fwrite(s, 1, i, f);
	fputs("\xe2\x80\xa6", f);     /* … */
}

static void bar(FILE *f, double v, double denom)
{
	double frac = denom > 0 && v > 0 ? v / denom : 0;
	int full = (int)lround(frac * BAR_WIDTH);

	if (full > BAR_WIDTH)
		full = BAR_WIDTH;
	if (full < 0)
		full = 0;
	for (int i = 0; i < BAR_WIDTH; i++)
		fputs(i < full ? "\xe2\x96\x88" : "\xe2\x96\x91", f);   /* █ ░ */
}

static void text_line(FILE *f, const char *label, double v, double denom, const char *unit)
{
	char num[32];

	metrics_fmt_num(v, num);
	fputs("  ", f);
	put_col(f, label, NAME_COLS);
	fputs(" ", f);
	bar(f, v, denom);
	fprintf(f, "  %s%s%s", num, unit[0] ? " " : "", unit);
	if (denom > 0)
		fprintf(f, " (%.0f%%)", v / denom * 100.0);
	fputc('\n', f);
}

void metrics_text(FILE *f, const struct metrics *m, bool by_period)
{
	if (m->n_ind == 0) {
		fputs("no indicators: set them with 'pakt agenda set'\n", f);
		return;
	}
	for (size_t i = 0; i < m->n_ind; i++) {
		const struct metric_ind *mi = &m->ind[i];
		const struct body_indicator *d = &mi->def;
		char tot[32], tgt[32];
		double pct, denom = 0, mx = 0;
		bool met;
		size_t n = by_period ? m->n_period : m->n_org;

		metrics_fmt_num(mi->total, tot);
		if (i > 0)
			fputc('\n', f);
		fprintf(f, "%s (%s)%s%s%s: total %s", d->name, d->id, d->unit[0] ? " [" : "", d->unit,
			d->unit[0] ? "]" : "", tot);
		if (metrics_progress(d, mi->total, &pct, &met)) {
			metrics_fmt_num(d->target, tgt);
			if (!d->down) {
				fprintf(f, " of target %s, %.0f%%%s\n", tgt, pct, met ? " (reached)" : "");
			} else {
				char diff[32];

				metrics_fmt_num(fabs(mi->total - d->target), diff);
				if (met)
					fprintf(f, ", target at most %s: met (%s below)\n", tgt, diff);
				else
					fprintf(f, ", target at most %s: not met (%s above)\n", tgt, diff);
			}
		} else {
			fputs(" (no target)\n", f);
		}
		if (mi->n_rows == 0) {
			fputs("  (no values reported)\n", f);
			continue;
		}
		/* bars: against the target (direction up), else against the total */
		for (size_t k = 0; k < n; k++) {
			bool has = by_period ? mi->period_has[k] : mi->org_has[k];
			double v = by_period ? mi->period_total[k] : mi->org_total[k];

			if (has && fabs(v) > mx)
				mx = fabs(v);
		}
		if (d->has_target && !d->down && d->target > 0)
			denom = d->target;
		else if (mi->total > 0)
			denom = mi->total;
		else
			denom = mx;
		for (size_t k = 0; k < n; k++) {
			if (by_period ? !mi->period_has[k] : !mi->org_has[k])
				continue;
			text_line(f, by_period ? m->period[k].label : m->org[k].name,
				  by_period ? mi->period_total[k] : mi->org_total[k], denom, d->unit);
		}
	}
}

/* ---- CSV ---- */

static void csv_field(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void metrics_csv(FILE *f, const struct metrics *m)
{
	char num[32];

	fputs("indicator,org,period,value\n", f);
	for (size_t i = 0; i < m->n_ind; i++) {
		const struct metric_ind *mi = &m->ind[i];

		for (size_t o = 0; o < m->n_org; o++)
			for (size_t p = 0; p < m->n_period; p++) {
				size_t c = o * m->n_period + p;

				if (!mi->has[c])
					continue;
				metrics_fmt_num(mi->cell[c], num);
				csv_field(f, mi->def.id);
				fputc(',', f);
				csv_field(f, m->org[o].name);
				fputc(',', f);
				csv_field(f, m->period[p].label);
				fprintf(f, ",%s\n", num);
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

void metrics_json(FILE *f, const struct metrics *m)
{
	char kt[ID_TEXT_MAX], d1[16], d2[16];

	fputs("{\"indicators\":[", f);
	for (size_t i = 0; i < m->n_ind; i++) {
		const struct metric_ind *mi = &m->ind[i];
		const struct body_indicator *d = &mi->def;
		double pct;
		bool met, first = true;

		fputs(i ? ",{\"id\":" : "{\"id\":", f);
		json_s(f, d->id);
		fputs(",\"name\":", f);
		json_s(f, d->name);
		fputs(",\"unit\":", f);
		json_s(f, d->unit);
		fprintf(f, ",\"direction\":\"%s\",\"target\":", d->down ? "down" : "up");
		if (d->has_target)
			json_num(f, d->target);
		else
			fputs("null", f);
		fputs(",\"total\":", f);
		json_num(f, mi->total);
		fputs(",\"progress\":", f);
		if (metrics_progress(d, mi->total, &pct, &met)) {
			json_num(f, pct);
			fprintf(f, ",\"met\":%s", met ? "true" : "false");
		} else {
			fputs("null,\"met\":null", f);
		}
		fputs(",\"orgs\":[", f);
		for (size_t o = 0; o < m->n_org; o++) {
			if (!mi->org_has[o])
				continue;
			id_encode(ID_KEY, m->org[o].key, kt);
			fprintf(f, "%s{\"id\":\"%s\",\"name\":", first ? "" : ",", kt);
			json_s(f, m->org[o].name);
			fputs(",\"total\":", f);
			json_num(f, mi->org_total[o]);
			fputc('}', f);
			first = false;
		}
		fputs("],\"periods\":[", f);
		first = true;
		for (size_t p = 0; p < m->n_period; p++) {
			if (!mi->period_has[p])
				continue;
			metrics_fmt_day(m->period[p].from, d1);
			metrics_fmt_day(m->period[p].to, d2);
			fputs(first ? "{\"period\":" : ",{\"period\":", f);
			json_s(f, m->period[p].label);
			fprintf(f, ",\"from\":\"%s\",\"to\":\"%s\",\"total\":", d1, d2);
			json_num(f, mi->period_total[p]);
			fputc('}', f);
			first = false;
		}
		fputs("],\"values\":[", f);
		first = true;
		for (size_t o = 0; o < m->n_org; o++)
			for (size_t p = 0; p < m->n_period; p++) {
				size_t c = o * m->n_period + p;

				if (!mi->has[c])
					continue;
				id_encode(ID_KEY, m->org[o].key, kt);
				fprintf(f, "%s{\"org\":\"%s\",\"name\":", first ? "" : ",", kt);
				json_s(f, m->org[o].name);
				fputs(",\"period\":", f);
				json_s(f, m->period[p].label);
				fputs(",\"value\":", f);
				json_num(f, mi->cell[c]);
				fputc('}', f);
				first = false;
			}
		fputs("]}", f);
	}
	fputs("]}\n", f);
}
