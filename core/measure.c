/* Shared measurement: combining reported values by indicator kind
 * (core/measure.h). */
#include "core/measure.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/date.h"
#include "proto/err.h"

int measure_fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return PAKT_EINVAL;
}

/* Two sums that should agree, within float rounding. */
static bool same(double a, double b)
{
	double scale = fabs(a) > fabs(b) ? fabs(a) : fabs(b);

	if (scale < 1)
		scale = 1;

	return fabs(a - b) <= 1e-9 * scale;
}

static long category_index(const struct body_indicator *def, const char *c)
{
	for (size_t i = 0; i < def->n_categories; i++)
		if (strcmp(def->categories[i], c) == 0)
			return (long)i;
	return -1;
}

/* A denominator: 0, or the reason (which measure_check_value and flags share). */
static int check_den(const struct body_indicator *def, double value, bool has_den, double den,
		     char *why, size_t whylen)
{
	if (def->kind == BODY_RATIO && !has_den)
		return measure_fail(why, whylen, "%s is a ratio: give NUMERATOR/DENOMINATOR (e.g. %s=34/40)",
				def->id, def->id);
	if (def->kind != BODY_RATIO && has_den)
		return measure_fail(why, whylen, "%s is a %s indicator: NUMERATOR/DENOMINATOR is only for a ratio",
				def->id, body_kinds[def->kind]);
	if (has_den && !(den > 0 && isfinite(den)))
		return measure_fail(why, whylen, "%s: the denominator must be above 0", def->id);
	if (has_den && (value < 0 || !isfinite(value)))
		return measure_fail(why, whylen, "%s: the numerator must be 0 or more", def->id);
	return 0;
}

static int check_split(const struct body_indicator *def, double value,
		       const struct body_cell *split, size_t n, char *why, size_t whylen)
{
	double sum = 0;
	char a[32], b[32];

	if (n == 0)
		return 0;
	if (def->kind == BODY_RATIO)
		return measure_fail(why, whylen, "%s is a ratio: it takes no split", def->id);
	if (def->n_categories == 0)
		return measure_fail(why, whylen, "%s has no dimension to split by (see pakt agenda)", def->id);
	for (size_t i = 0; i < n; i++) {
		if (category_index(def, split[i].category) < 0)
			return measure_fail(why, whylen, "%s: unknown category '%.24s' of %s", def->id,
					split[i].category, def->dimension);
		for (size_t k = 0; k < i; k++)
			if (strcmp(split[k].category, split[i].category) == 0)
				return measure_fail(why, whylen, "%s: category '%.24s' given twice",
						def->id, split[i].category);
		sum += split[i].value;
	}
	if (!same(sum, value)) {
		snprintf(a, sizeof a, "%.15g", sum);
		snprintf(b, sizeof b, "%.15g", value);
		return measure_fail(why, whylen, "%s: the split adds up to %s, not to the value %s", def->id,
				a, b);
	}
	return 0;
}

int measure_check_value(const struct body_indicator *def, const struct body_value *v,
			const struct body_cell *cells, char *why, size_t whylen)
{
	int rc = check_den(def, v->value, v->has_den, v->den, why, whylen);

	if (rc == 0)
		rc = check_split(def, v->value, v->n_split ? cells + v->split : NULL, v->n_split, why,
				 whylen);
	return rc;
}

const char *measure_trend_name(int trend)
{
	switch (trend) {
	case MEASURE_RISING: return "rising";
	case MEASURE_FALLING: return "falling";
	case MEASURE_FLAT: return "flat";
	default: return "";
	}
}

/* ---- building ---- */

static void ind_free(struct measure_ind *mi)
{
	free(mi->has);
	free(mi->value);
	free(mi->num_p);
	free(mi->den_p);
	free(mi->cell_has);
	free(mi->cell);
	free(mi->cell_num);
	free(mi->cell_den);
	free(mi->org_last);
	free(mi->org_value);
	free(mi->org_total);
	free(mi->org_missing);
	free(mi->flags);
}

void measure_free(struct measure *m)
{
	for (size_t i = 0; m->ind != NULL && i < m->n_ind; i++)
		ind_free(&m->ind[i]);
	free(m->ind);
	free(m->org);
	free(m->period);
	memset(m, 0, sizeof *m);
}

long measure_find(const struct measure *m, const char *id)
{
	for (size_t i = 0; i < m->n_ind; i++)
		if (strcmp(m->ind[i].def.id, id) == 0)
			return (long)i;
	return -1;
}

static long find_org(const struct measure *m, const uint8_t key[32])
{
	for (size_t i = 0; i < m->n_org; i++)
		if (memcmp(m->org[i].key, key, 32) == 0)
			return (long)i;
	return -1;
}

static long find_period(const struct measure *m, int64_t from, int64_t to)
{
	for (size_t i = 0; i < m->n_period; i++)
		if (m->period[i].from == from && m->period[i].to == to)
			return (long)i;
	return -1;
}

static int cmp_org(const void *a, const void *b)
{
	const struct measure_org *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : memcmp(x->key, y->key, 32);
}

static int cmp_period(const void *a, const void *b)
{
	const struct measure_period *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return 0;
}

/* The shorter label, then the bytewise smaller: one label whatever the order. */
static bool better_label(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	return la != lb ? la < lb : strcmp(a, b) < 0;
}

static int add_row_keys(struct measure *m, const struct measure_row *r, size_t *cap_org,
			size_t *cap_per)
{
	long o = find_org(m, r->org), p = find_period(m, r->from, r->to);

	if (o < 0) {
		if (m->n_org == *cap_org) {
			size_t cap = *cap_org ? *cap_org * 2 : 8;
			void *q = realloc(m->org, cap * sizeof *m->org);
			if (q == NULL)
				return PAKT_ENOMEM;
			m->org = q;
			*cap_org = cap;
		}
		memset(&m->org[m->n_org], 0, sizeof m->org[0]);
		memcpy(m->org[m->n_org].key, r->org, 32);
		o = (long)m->n_org++;
	}
	if (m->org[o].name[0] == '\0' && r->name != NULL)
		snprintf(m->org[o].name, sizeof m->org[o].name, "%s", r->name);
	if (p < 0) {
		if (m->n_period == *cap_per) {
			size_t cap = *cap_per ? *cap_per * 2 : 8;
			void *q = realloc(m->period, cap * sizeof *m->period);
			if (q == NULL)
				return PAKT_ENOMEM;
			m->period = q;
			*cap_per = cap;
		}
		p = (long)m->n_period++;
		snprintf(m->period[p].label, sizeof m->period[p].label, "%s", r->period);
		m->period[p].from = r->from;
		m->period[p].to = r->to;
	} else if (better_label(r->period, m->period[p].label)) {
		snprintf(m->period[p].label, sizeof m->period[p].label, "%s", r->period);
	}
	return 0;
}

static int ind_alloc(struct measure_ind *mi, size_t no, size_t np)
{
	size_t nc = no * np != 0 ? no * np : 1;

	no = no ? no : 1;
	np = np ? np : 1;
	mi->has = calloc(np, sizeof *mi->has);
	mi->value = calloc(np, sizeof *mi->value);
	mi->num_p = calloc(np, sizeof *mi->num_p);
	mi->den_p = calloc(np, sizeof *mi->den_p);
	mi->cell_has = calloc(nc, sizeof *mi->cell_has);
	mi->cell = calloc(nc, sizeof *mi->cell);
	mi->cell_num = calloc(nc, sizeof *mi->cell_num);
	mi->cell_den = calloc(nc, sizeof *mi->cell_den);
	mi->org_last = calloc(no, sizeof *mi->org_last);
	mi->org_value = calloc(no, sizeof *mi->org_value);
	mi->org_total = calloc(no, sizeof *mi->org_total);
	mi->org_missing = calloc(no, sizeof *mi->org_missing);
	if (!mi->has || !mi->value || !mi->num_p || !mi->den_p || !mi->cell_has || !mi->cell ||
	    !mi->cell_num || !mi->cell_den || !mi->org_last || !mi->org_value || !mi->org_total ||
	    !mi->org_missing)
		return PAKT_ENOMEM;
	return 0;
}

static int flag(struct measure_ind *mi, const struct measure_row *r, const char *what)
{
	struct measure_flag *f = realloc(mi->flags, (mi->n_flags + 1) * sizeof *f);

	if (f == NULL)
		return PAKT_ENOMEM;
	mi->flags = f;
	f = &f[mi->n_flags++];
	memcpy(f->org, r->org, 32);
	f->seq = r->seq;
	snprintf(f->period, sizeof f->period, "%s", r->period);
	snprintf(f->what, sizeof f->what, "%s", what);
	return 0;
}

/* A row of this indicator with its org and period index. */
struct placed {
	const struct measure_row *r;
	size_t o, p;
	bool split_ok;
};

/* By org, then feed order: later reports of a period replace earlier ones. */
static int cmp_placed(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;

	if (x->o != y->o)
		return x->o < y->o ? -1 : 1;
	if (x->r->seq != y->r->seq)
		return x->r->seq < y->r->seq ? -1 : 1;
	return 0;
}

static void add_split(struct measure_ind *mi, const struct placed *x)
{
	for (size_t k = 0; k < x->r->n_split; k++)
		mi->split[category_index(&mi->def, x->r->split[k].category)] += x->r->split[k].value;
	mi->split_of += x->r->value;
	mi->has_split = true;
}

static bool overlap(const struct measure_period *a, const struct measure_period *b)
{
	return a->from <= b->to && b->from <= a->to;
}

/* From an earlier value a to a later b. */
static int step(double a, double b)
{
	return same(a, b) ? MEASURE_FLAT : b > a ? MEASURE_RISING : MEASURE_FALLING;
}

/* Trend over the periods with a value (the last step, and how many steps
 * back it has gone the same way), progress and the next milestone. */
static void conclude(const struct measure *m, struct measure_ind *mi)
{
	const struct body_indicator *d = &mi->def;
	double later = 0, first = 0;
	bool have = false, stop = false;

	for (size_t p = m->n_period; p-- > 0;) {
		if (!mi->has[p])
			continue;
		first = mi->value[p];
		if (!have) {
			later = mi->value[p];
			have = true;
			continue;
		}
		int dir = step(mi->value[p], later);
		if (mi->trend == MEASURE_NO_TREND) {
			mi->trend = dir;
			mi->trend_periods = 1;
		} else if (!stop && dir == mi->trend) {
			mi->trend_periods++;
		} else {
			stop = true;
		}
		later = mi->value[p];
	}
	mi->trend_better = (mi->trend == MEASURE_RISING && !d->down) ||
			   (mi->trend == MEASURE_FALLING && d->down);
	mi->next_milestone = -1;
	for (size_t k = 0; k < d->n_milestones; k++) {
		int64_t from, to;

		if (date_period_parse(d->milestones[k].period, &from, &to) != 0)
			continue;
		if (mi->latest < 0 || to >= m->period[mi->latest].to) {
			mi->next_milestone = (long)k;
			break;
		}
	}
	if (!d->has_target || !mi->has_current)
		return;
	/* without a baseline: from 0 upwards, or down from the first value */
	mi->start = d->has_baseline ? d->baseline.value : d->down && have ? first : 0;
	mi->met = d->down ? mi->current <= d->target : mi->current >= d->target;
	mi->has_progress = true;
	if (same(d->target, mi->start))
		mi->progress = mi->met ? 100 : 0;
	else
		mi->progress = (mi->current - mi->start) / (d->target - mi->start) * 100;
}

/* The rows of one indicator, checked, into its cells; then per org, per
 * period, the current value, breakdown and missing reports. */
static int combine(const struct measure *m, struct measure_ind *mi, struct placed *x, size_t n)
{
	const struct body_indicator *d = &mi->def;
	const size_t np = m->n_period, no = m->n_org;
	bool ratio = d->kind == BODY_RATIO, level = d->kind == BODY_LEVEL;
	char why[160];
	int rc;

	qsort(x, n, sizeof *x, cmp_placed);
	for (size_t i = 0; i < n; i++) {
		const struct measure_row *r = x[i].r;
		size_t c = x[i].o * np + x[i].p;

		if (!isfinite(r->value))
			continue;
		if (check_den(d, r->value, r->has_den, r->den, why, sizeof why) != 0) {
			if ((rc = flag(mi, r, why)) != 0)
				return rc;
			if (ratio)
				continue;       /* a ratio without its parts cannot combine */
		}
		x[i].split_ok = r->n_split > 0 &&
				check_split(d, r->value, r->split, r->n_split, why, sizeof why) == 0;
		if (r->n_split > 0 && !x[i].split_ok && (rc = flag(mi, r, why)) != 0)
			return rc;
		mi->n_rows++;
		if (ratio) {
			mi->cell_num[c] += r->value;
			mi->cell_den[c] += r->den;
			mi->cell[c] = mi->cell_num[c] / mi->cell_den[c] * 100;
		} else if (level) {
			mi->cell[c] = r->value;         /* feed order: the latest wins */
		} else {
			mi->cell[c] += r->value;
			if (x[i].split_ok)
				add_split(mi, &x[i]);
		}
		mi->cell_has[c] = true;
	}
	/* per org: its latest period and value */
	for (size_t o = 0; o < no; o++) {
		double num = 0, den = 0, sum = 0;

		mi->org_last[o] = -1;
		for (size_t p = 0; p < np; p++) {
			size_t c = o * np + p;

			if (!mi->cell_has[c])
				continue;
			mi->org_last[o] = (long)p;
			mi->org_value[o] = mi->cell[c];
			sum += mi->cell[c];
			num += mi->cell_num[c];
			den += mi->cell_den[c];
		}
		mi->org_total[o] = ratio ? (den > 0 ? num / den * 100 : 0) : level ? mi->org_value[o]
										 : sum;
	}
	/* per period: the partnership's value */
	mi->latest = -1;
	for (size_t p = 0; p < np; p++) {
		for (size_t o = 0; o < no; o++) {
			size_t c = o * np + p;

			if (mi->cell_has[c]) {
				mi->has[p] = true;
				mi->num_p[p] += mi->cell_num[c];
				mi->den_p[p] += mi->cell_den[c];
				if (!level)
					mi->value[p] += mi->cell[c];
			}
		}
		if (!mi->has[p])
			continue;
		mi->latest = (long)p;
		if (ratio)
			mi->value[p] = mi->num_p[p] / mi->den_p[p] * 100;
		for (size_t o = 0; level && o < no; o++) {
			/* each org's latest value up to p */
			for (size_t q = p + 1; q-- > 0;)
				if (mi->cell_has[o * np + q]) {
					mi->value[p] += mi->cell[o * np + q];
					break;
				}
		}
		mi->num += mi->num_p[p];
		mi->den += mi->den_p[p];
	}
	if (mi->latest >= 0) {
		mi->has_current = !ratio || mi->den > 0;
		mi->current = ratio ? (mi->den > 0 ? mi->num / mi->den * 100 : 0)
			      : level ? mi->value[mi->latest] : 0;
		for (size_t p = 0; !ratio && !level && p < np; p++)
			mi->current += mi->value[p];
	}
	for (size_t o = 0; o < no; o++)
		mi->org_missing[o] = mi->org_last[o] >= 0 && mi->org_last[o] != mi->latest &&
				     !overlap(&m->period[mi->org_last[o]], &m->period[mi->latest]);
	/* a level's breakdown: the split of each org's latest report */
	for (size_t o = 0; level && o < no; o++)
		for (size_t i = n; i-- > 0;)
			if (x[i].o == o && (long)x[i].p == mi->org_last[o]) {
				if (x[i].split_ok)
					add_split(mi, &x[i]);
				break;
			}
	conclude(m, mi);
	return 0;
}

int measure_build(struct measure *m, const struct body_indicator *defs, size_t n_defs,
		  const struct measure_row *rows, size_t n_rows, const char *only)
{
	size_t cap_org = 0, cap_per = 0;
	struct placed *x = NULL;
	int rc = PAKT_ENOMEM;

	memset(m, 0, sizeof *m);
	m->ind = calloc(n_defs ? n_defs : 1, sizeof *m->ind);
	if (m->ind == NULL)
		return PAKT_ENOMEM;
	for (size_t i = 0; i < n_defs; i++)
		if ((only == NULL || strcmp(defs[i].id, only) == 0) && measure_find(m, defs[i].id) < 0)
			m->ind[m->n_ind++].def = defs[i];
	for (size_t r = 0; r < n_rows; r++)
		if (measure_find(m, rows[r].indicator) >= 0 &&
		    (rc = add_row_keys(m, &rows[r], &cap_org, &cap_per)) != 0)
			goto free_measure;
	if (m->n_org > 1)
		qsort(m->org, m->n_org, sizeof *m->org, cmp_org);
	if (m->n_period > 1)
		qsort(m->period, m->n_period, sizeof *m->period, cmp_period);
	x = calloc(n_rows ? n_rows : 1, sizeof *x);
	if (x == NULL)
		goto free_measure;
	for (size_t i = 0; i < m->n_ind; i++) {
		struct measure_ind *mi = &m->ind[i];
		size_t n = 0;

		if ((rc = ind_alloc(mi, m->n_org, m->n_period)) != 0)
			goto free_measure;
		for (size_t r = 0; r < n_rows; r++) {
			if (strcmp(rows[r].indicator, mi->def.id) != 0)
				continue;
			x[n].r = &rows[r];
			x[n].o = (size_t)find_org(m, rows[r].org);
			x[n].p = (size_t)find_period(m, rows[r].from, rows[r].to);
			x[n++].split_ok = false;
		}
		if ((rc = combine(m, mi, x, n)) != 0)
			goto free_measure;
	}
	free(x);
	return 0;
free_measure:
	free(x);
	measure_free(m);
	return rc;
}
