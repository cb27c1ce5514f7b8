/* Shared measurement in the CLI: the arguments of 'pakt agenda set' and
 * 'pakt update', numbers, and the measure of a metrics reply (renderings
 * in metrics_out.c and metrics_svg.c). See cli/metrics.h. */
#include <errno.h>
#include <stddef.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli/i18n.h"
#include "cli/metrics.h"
#include "cli/output.h"
#include "proto/err.h"
#include "proto/date.h"
#include "proto/id.h"

/* ---- arguments ---- */

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

/* Split arg at its first '=' into an indicator id (into id[]) and the rest. */
static int id_eq(const char *arg, const char *what, char id[BODY_ID_MAX + 1], const char **rest,
		 char *why, size_t whylen)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL)
		return measure_fail(why, whylen, _("'%.80s' is not %s"), arg, what);
	if (!field(arg, (size_t)(eq - arg), id, BODY_ID_MAX + 1) || !metrics_valid_id(id))
		return measure_fail(why, whylen, _("indicator id '%.*s' must be 1 to %d of a-z, 0-9, _ and -"),
				(int)(eq - arg > 40 ? 40 : eq - arg), arg, BODY_ID_MAX);
	*rest = eq + 1;
	return 0;
}

/* The indicator id of a, else a reason. */
static struct body_indicator *agenda_ind(struct body_agenda *a, const char *id, const char *opt,
					 char *why, size_t whylen)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->ind[i].id, id) == 0)
			return &a->ind[i];
	measure_fail(why, whylen, _("%s %s: no --indicator %s given"), opt, id, id);
	return NULL;
}

/* Index of s[len] among names (NULL-terminated), or -1. */
static int name_index(const char *const *names, const char *s, size_t len)
{
	for (int i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return i;
	return -1;
}

int metrics_parse_indicator(const char *arg, struct body_indicator *out, char *why,
			    size_t whylen)
{
	static const char *const dirs[] = { "up", "down", NULL };
	const char *f[8];
	size_t len[8], nf = 0;
	const char *p = arg, *c;
	char num[72];
	int k;

	memset(out, 0, sizeof *out);
	for (;;) {
		if (nf == 8)
			return measure_fail(why, whylen, _("'%.80s' has too many ':' fields; use "
					"ID:NAME:UNIT[:TARGET[:up|down[:count|level|ratio]]] (a name cannot contain ':')"),
					arg);
		c = strchr(p, ':');
		f[nf] = p;
		len[nf] = c ? (size_t)(c - p) : strlen(p);
		nf++;
		if (c == NULL)
			break;
		p = c + 1;
	}
	if (nf < 3 || nf > 6)
		return measure_fail(why, whylen, nf > 6
				    ? _("'%.80s' is not ID:NAME:UNIT[:TARGET[:up|down[:count|level|ratio]]] "
					"(a name cannot contain ':')")
				    : _("'%.80s' is not ID:NAME:UNIT[:TARGET[:up|down[:count|level|ratio]]]"), arg);
	if (!field(f[0], len[0], out->id, sizeof out->id) || !metrics_valid_id(out->id))
		return measure_fail(why, whylen, _("indicator id '%.*s' must be 1 to %d of a-z, 0-9, _ and -"),
				(int)(len[0] > 40 ? 40 : len[0]), f[0], BODY_ID_MAX);
	if (len[1] == 0)
		return measure_fail(why, whylen, _("indicator %s: the name is empty"), out->id);
	if (!field(f[1], len[1], out->name, sizeof out->name))
		return measure_fail(why, whylen, _("indicator %s: the name is longer than %d bytes"), out->id,
				BODY_NAME_MAX);
	if (!field(f[2], len[2], out->unit, sizeof out->unit))
		return measure_fail(why, whylen, _("indicator %s: the unit is longer than %d bytes"), out->id,
				BODY_UNIT_MAX);
	if (nf >= 4 && len[3] > 0) {
		if (!field(f[3], len[3], num, sizeof num) || !metrics_parse_number(num, &out->target))
			return measure_fail(why, whylen, _("indicator %s: the target '%.*s' is not a finite number"),
					out->id, (int)(len[3] > 40 ? 40 : len[3]), f[3]);
		out->has_target = true;
	}
	if (nf >= 5 && len[4] > 0) {
		if ((k = name_index(dirs, f[4], len[4])) < 0)
			return measure_fail(why, whylen, _("indicator %s: the direction must be up or down, not '%.*s'"),
					out->id, (int)(len[4] > 40 ? 40 : len[4]), f[4]);
		out->down = k == 1;
	}
	if (nf == 6 && (k = name_index(body_kinds, f[5], len[5])) < 0)
		return measure_fail(why, whylen, _("indicator %s: the kind must be count, level or ratio, not '%.*s'"),
				out->id, (int)(len[5] > 40 ? 40 : len[5]), f[5]);
	if (nf == 6)
		out->kind = k;
	return 0;
}

int metrics_parse_about(const char *arg, struct body_agenda *a, char *why, size_t whylen)
{
	char id[BODY_ID_MAX + 1];
	const char *rest;
	struct body_indicator *d;
	int k;

	if (id_eq(arg, "ID=population|how-much|how-well|better-off", id, &rest, why, whylen) != 0 ||
	    (d = agenda_ind(a, id, "--about", why, whylen)) == NULL)
		return PAKT_EINVAL;
	if ((k = name_index(body_abouts + 1, rest, strlen(rest))) < 0)
		return measure_fail(why, whylen, _("--about %s: '%.40s' is not population, how-much, how-well or better-off"),
				id, rest);
	d->about = k + 1;
	return 0;
}

/* "VALUE@PERIOD" into p. */
static int parse_point(const char *opt, const char *id, const char *s, struct body_point *p,
		       char *why, size_t whylen)
{
	const char *at = strrchr(s, '@');
	char num[72];

	if (at == NULL || !field(s, (size_t)(at - s), num, sizeof num) ||
	    !metrics_parse_number(num, &p->value))
		return measure_fail(why, whylen, _("%s %s: '%.60s' is not VALUE@PERIOD (e.g. 35@2025-12)"), opt, id,
				s);
	if (strlen(at + 1) > BODY_PERIOD_MAX || date_period_parse(at + 1, NULL, NULL) != 0)
		return measure_fail(why, whylen, _("%s %s: the period '%.40s' is not YYYY, YYYY-Qn, YYYY-MM, "
				"YYYY-MM-DD or FROM..TO"), opt, id, at + 1);
	snprintf(p->period, sizeof p->period, "%s", at + 1);
	return 0;
}

int metrics_parse_baseline(const char *arg, struct body_agenda *a, char *why, size_t whylen)
{
	char id[BODY_ID_MAX + 1];
	const char *rest;
	struct body_indicator *d;

	if (id_eq(arg, "ID=VALUE@PERIOD", id, &rest, why, whylen) != 0 ||
	    (d = agenda_ind(a, id, "--baseline", why, whylen)) == NULL ||
	    parse_point("--baseline", id, rest, &d->baseline, why, whylen) != 0)
		return PAKT_EINVAL;
	d->has_baseline = true;
	return 0;
}

int metrics_parse_milestone(const char *arg, struct body_agenda *a, char *why, size_t whylen)
{
	char id[BODY_ID_MAX + 1];
	const char *rest;
	struct body_indicator *d;
	struct body_point p;
	int64_t from, to, f2, t2;
	size_t k;

	if (id_eq(arg, "ID=VALUE@PERIOD", id, &rest, why, whylen) != 0 ||
	    (d = agenda_ind(a, id, "--target", why, whylen)) == NULL ||
	    parse_point("--target", id, rest, &p, why, whylen) != 0)
		return PAKT_EINVAL;
	if (d->n_milestones == BODY_MILESTONES_MAX)
		return measure_fail(why, whylen, _("--target %s: at most %d milestones"), id, BODY_MILESTONES_MAX);
	date_period_parse(p.period, &from, &to);
	/* keep them in period order, as the body wants them */
	for (k = d->n_milestones; k > 0; k--) {
		date_period_parse(d->milestones[k - 1].period, &f2, &t2);
		if (f2 == from && t2 == to)
			return measure_fail(why, whylen, _("--target %s: two milestones for %s"), id, p.period);
		if (f2 < from || (f2 == from && t2 < to))
			break;
		d->milestones[k] = d->milestones[k - 1];
	}
	d->milestones[k] = p;
	d->n_milestones++;
	return 0;
}

int metrics_parse_dimension(const char *arg, struct body_agenda *a, char *why, size_t whylen)
{
	char id[BODY_ID_MAX + 1];
	const char *rest, *colon, *p;
	struct body_indicator *d;

	if (id_eq(arg, "ID=NAME:CAT1,CAT2,...", id, &rest, why, whylen) != 0 ||
	    (d = agenda_ind(a, id, "--dimension", why, whylen)) == NULL)
		return PAKT_EINVAL;
	colon = strchr(rest, ':');
	if (colon == NULL || !field(rest, (size_t)(colon - rest), d->dimension, sizeof d->dimension) ||
	    !metrics_valid_id(d->dimension))
		return measure_fail(why, whylen, _("--dimension %s: '%.60s' is not NAME:CAT1,CAT2,... (NAME like an id)"),
				id, rest);
	d->n_categories = 0;
	for (p = colon + 1;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char *cat;

		if (d->n_categories == BODY_CATEGORIES_MAX)
			return measure_fail(why, whylen, _("--dimension %s: at most %d categories"), id,
					BODY_CATEGORIES_MAX);
		cat = d->categories[d->n_categories];
		if (!body_category_valid(p, len))
			return measure_fail(why, whylen, _("--dimension %s: category '%.*s' must be 1 to %d bytes "
					"without control characters, ',', ':' or '='"), id,
					(int)(len > 40 ? 40 : len), p, BODY_CATEGORY_MAX);
		field(p, len, cat, BODY_CATEGORY_MAX + 1);
		for (size_t k = 0; k < d->n_categories; k++)
			if (strcmp(d->categories[k], cat) == 0)
				return measure_fail(why, whylen, _("--dimension %s: category '%s' given twice"), id,
						cat);
		d->n_categories++;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return 0;
}

int metrics_parse_value(const char *arg, struct body_update *u, char *why, size_t whylen)
{
	struct body_value *v;
	const char *rest, *slash;
	char num[72];

	if (u->n == BODY_INDICATORS_MAX)
		return measure_fail(why, whylen, _("at most %d values"), BODY_INDICATORS_MAX);
	v = &u->v[u->n];
	memset(v, 0, sizeof *v);
	if (id_eq(arg, "INDICATOR=NUMBER (or NUM/DEN for a ratio)", v->indicator, &rest, why,
		  whylen) != 0)
		return PAKT_EINVAL;
	for (size_t k = 0; k < u->n; k++)
		if (strcmp(u->v[k].indicator, v->indicator) == 0)
			return measure_fail(why, whylen, _("indicator '%s' given twice"), v->indicator);
	slash = strchr(rest, '/');
	if (slash != NULL) {
		if (!field(rest, (size_t)(slash - rest), num, sizeof num) ||
		    !metrics_parse_number(num, &v->value) || !metrics_parse_number(slash + 1, &v->den))
			return measure_fail(why, whylen, _("%s: '%.40s' is not NUMERATOR/DENOMINATOR"), v->indicator,
					rest);
		if (!(v->den > 0))
			return measure_fail(why, whylen, _("%s: the denominator must be above 0"), v->indicator);
		v->has_den = true;
	} else if (!metrics_parse_number(rest, &v->value)) {
		return measure_fail(why, whylen, _("%s: '%.40s' is not a finite number"), v->indicator, rest);
	}
	u->n++;
	return 0;
}

static int cmp_cell(const void *a, const void *b)
{
	return strcmp(((const struct body_cell *)a)->category, ((const struct body_cell *)b)->category);
}

int metrics_parse_split(const char *arg, struct body_update *u, char *why, size_t whylen)
{
	char id[BODY_ID_MAX + 1], num[72];
	const char *rest, *p;
	struct body_value *v = NULL;
	size_t start = u->n_cells, n = 0;

	if (id_eq(arg, "ID=CATEGORY:N,CATEGORY:N,...", id, &rest, why, whylen) != 0)
		return PAKT_EINVAL;
	for (size_t k = 0; k < u->n; k++)
		if (strcmp(u->v[k].indicator, id) == 0)
			v = &u->v[k];
	if (v == NULL)
		return measure_fail(why, whylen, _("--split %s: no --value %s given"), id, id);
	if (v->n_split > 0)
		return measure_fail(why, whylen, _("--split %s given twice"), id);
	for (p = rest;;) {
		const char *comma = strchr(p, ','), *colon = strchr(p, ':');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		struct body_cell *c = &u->cell[start + n];

		if (start + n == BODY_CELLS_MAX || n == BODY_CATEGORIES_MAX)
			return measure_fail(why, whylen, _("--split %s: too many categories"), id);
		if (colon == NULL || colon >= p + len || !body_category_valid(p, (size_t)(colon - p)) ||
		    !field(colon + 1, len - (size_t)(colon - p) - 1, num, sizeof num) ||
		    !metrics_parse_number(num, &c->value))
			return measure_fail(why, whylen, _("--split %s: '%.*s' is not CATEGORY:NUMBER"), id,
					(int)(len > 40 ? 40 : len), p);
		field(p, (size_t)(colon - p), c->category, sizeof c->category);
		for (size_t k = 0; k < n; k++)
			if (strcmp(u->cell[start + k].category, c->category) == 0)
				return measure_fail(why, whylen, _("--split %s: category '%s' given twice"), id,
						c->category);
		n++;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	qsort(&u->cell[start], n, sizeof u->cell[0], cmp_cell);
	v->split = (uint8_t)start;
	v->n_split = (uint8_t)n;
	u->n_cells = start + n;
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


/* ---- the measure of a reply ---- */

_Static_assert(sizeof(struct ctlop_r_cell) == sizeof(struct body_cell) &&
	       offsetof(struct ctlop_r_cell, value) == offsetof(struct body_cell, value),
	       "a reply's split cells are read as body cells");

void metrics_indicator(const struct ctlop_r_indicator *in, struct body_indicator *d)
{
	int k;

	memset(d, 0, sizeof *d);
	snprintf(d->id, sizeof d->id, "%s", in->id);
	snprintf(d->name, sizeof d->name, "%s", in->name[0] ? in->name : in->id);
	snprintf(d->unit, sizeof d->unit, "%s", in->unit);
	d->has_target = in->has_target && isfinite(in->target);
	d->target = in->target;
	d->down = strcmp(in->direction, "down") == 0;
	k = in->has_kind ? name_index(body_kinds, in->kind, strlen(in->kind)) : BODY_COUNT;
	d->kind = k > 0 ? k : BODY_COUNT;
	k = in->has_about ? name_index(body_abouts, in->about, strlen(in->about)) : -1;
	d->about = k > 0 ? k : BODY_ABOUT_NONE;
	d->has_baseline = in->has_baseline && isfinite(in->baseline) &&
			  date_period_parse(in->baseline_period, NULL, NULL) == 0;
	d->baseline.value = in->baseline;
	snprintf(d->baseline.period, sizeof d->baseline.period, "%s", in->baseline_period);
	for (size_t i = 0; i < in->n_milestones && d->n_milestones < BODY_MILESTONES_MAX; i++) {
		struct body_point *p = &d->milestones[d->n_milestones];

		if (!isfinite(in->milestones[i].value) ||
		    date_period_parse(in->milestones[i].period, NULL, NULL) != 0)
			continue;
		snprintf(p->period, sizeof p->period, "%s", in->milestones[i].period);
		p->value = in->milestones[i].value;
		d->n_milestones++;
	}
	if (in->has_dimension && in->n_categories > 0) {
		snprintf(d->dimension, sizeof d->dimension, "%s", in->dimension);
		memcpy(d->categories, in->categories, sizeof d->categories);
		d->n_categories = in->n_categories;
	}
}

int metrics_measure(struct measure *m, const struct ctlop_r_metrics *rep, const char *only)
{
	struct body_indicator *defs = calloc(rep->n_indicators + 1, sizeof *defs);
	struct measure_row *rows = calloc(rep->n_rows + 1, sizeof *rows);
	size_t n_defs = 0, n_rows = 0;
	int rc = PAKT_ENOMEM;

	memset(m, 0, sizeof *m);
	if (defs == NULL || rows == NULL)
		goto free_rows;
	for (size_t i = 0; i < rep->n_indicators; i++)
		if (rep->indicators[i].id[0] != '\0')
			metrics_indicator(&rep->indicators[i], &defs[n_defs++]);
	for (size_t i = 0; i < rep->n_rows; i++) {
		const struct ctlop_r_row *x = &rep->rows[i];
		struct measure_row *r = &rows[n_rows];

		if (x->indicator[0] == '\0' || x->period[0] == '\0' || !isfinite(x->value) ||
		    x->from > x->to)
			continue;       /* a row we cannot read is left out */
		memcpy(r->org, x->author, 32);
		r->name = x->name;
		r->seq = x->seq;
		r->indicator = x->indicator;
		r->period = x->period;
		r->from = x->from;
		r->to = x->to;
		r->value = x->value;
		r->has_den = x->has_den;
		r->den = x->den;
		/* struct ctlop_r_cell has body_cell's layout */
		r->split = (const struct body_cell *)x->split;
		r->n_split = x->n_split;
		n_rows++;
	}
	rc = measure_build(m, defs, n_defs, rows, n_rows, only);
	/* names were borrowed from the reply: copied into m->org by now */
free_rows:
	free(rows);
	free(defs);
	return rc;
}
