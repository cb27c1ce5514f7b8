/* Entry bodies: the shared-measurement schemas, agenda (indicators with
 * kind, about, baseline, milestones, dimension; suppress) and update
 * (values with den and split), read by the key walker (body_read.c);
 * builders in body_build.c, the rules of combination in core/measure. */
#include "proto/body_priv.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "proto/date.h"
#include "proto/err.h"

/* ---- agenda ---- */

static const char *const directions[] = { "up", "down", NULL };
const char *const body_kinds[] = { "count", "level", "ratio", NULL };
const char *const body_abouts[] = { "", "population", "how-much", "how-well", "better-off", NULL };

#define IND "agenda indicator"

static int rd_direction(struct canon_rd *r, void *out, char *why,
			size_t whylen)
{
	struct body_indicator *ind = out;
	int dir, rc = body_rd_enum(r, IND, "direction", directions, &dir, why, whylen);
	if (rc == 0 && ind != NULL)
		ind->down = dir == 1;
	return rc;
}

/* "kind": level or ratio; count is written by leaving the key out. */
static int rd_kind(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	struct body_indicator *ind = out;
	int k, rc = body_rd_enum(r, IND, "kind", body_kinds, &k, why, whylen);
	if (rc == 0 && k == BODY_COUNT)
		return body_fail(why, whylen, IND ": \"kind\" \"count\" is written by leaving \"kind\" out");
	if (rc == 0 && ind != NULL)
		ind->kind = k;
	return rc;
}

static int rd_about(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	struct body_indicator *ind = out;
	int k, rc = body_rd_enum(r, IND, "about", body_abouts + 1, &k, why, whylen);
	if (rc == 0 && ind != NULL)
		ind->about = k + 1;
	return rc;
}

/* {period, value} */
static const struct body_field point_fields[] = {
	VAL(struct body_point, "period", F_PERIOD, period, true),
	VAL(struct body_point, "value", F_NUM, value, true),
};

static int rd_point(struct canon_rd *r, const char *key, struct body_point *p, char *why,
		    size_t whylen)
{
	uint32_t n;
	if (canon_rd_map(r, &n) != 0)
		return body_fail(why, whylen, IND ": \"%s\" is not a map {period, value}", key);
	memset(p, 0, sizeof *p);
	return body_walk(r, n, IND, point_fields, COUNT(point_fields), p, NULL, why, whylen);
}

static int rd_baseline(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	struct body_indicator *ind = out;
	struct body_point p;
	int rc = rd_point(r, "baseline", &p, why, whylen);
	if (rc == 0 && ind != NULL) {
		ind->baseline = p;
		ind->has_baseline = true;
	}
	return rc;
}

/* Milestones in strictly increasing order of (first day, last day). */
static int rd_milestones(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	struct body_indicator *ind = out;
	int64_t from0 = 0, to0 = 0, from, to;
	struct body_point p;
	uint32_t cnt;
	int rc = body_rd_array(r, IND, "milestones", 1, BODY_MILESTONES_MAX,
			       IND ": \"milestones\" must list 1 to %d {period, value} maps",
			       &cnt, why, whylen);

	for (uint32_t j = 0; rc == 0 && j < cnt; j++) {
		if ((rc = rd_point(r, "milestones", &p, why, whylen)) != 0)
			return rc;
		date_period_parse(p.period, &from, &to);   /* checked by the walker */
		if (j > 0 && (from < from0 || (from == from0 && to <= to0)))
			return body_fail(why, whylen, IND ": \"milestones\" are not in increasing period order");
		from0 = from;
		to0 = to;
		if (ind != NULL)
			ind->milestones[j] = p;
	}
	if (rc == 0 && ind != NULL)
		ind->n_milestones = cnt;
	return rc;
}

static int rd_categories(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	struct body_indicator *ind = out;
	char cats[BODY_CATEGORIES_MAX][BODY_CATEGORY_MAX + 1], shown[36];
	const char *s;
	uint32_t cnt, len;
	int rc = body_rd_array(r, IND, "categories", 1, BODY_CATEGORIES_MAX,
			       IND ": \"categories\" must list 1 to %d categories", &cnt, why,
			       whylen);

	memset(cats, 0, sizeof cats);   /* copied whole: nothing of the stack */

	for (uint32_t j = 0; rc == 0 && j < cnt; j++) {
		if (canon_rd_str(r, &s, &len) != 0)
			return body_fail(why, whylen, IND ": a category is not a string");
		if (!body_category_valid(s, len)) {
			body_printable(shown, s, len);
			return body_fail(why, whylen,
					 IND ": category \"%s\" is not 1 to %d bytes without control characters, ',', ':' or '='",
					 shown, BODY_CATEGORY_MAX);
		}
		body_put(cats[j], s, len);
		if (body_earlier(cats, j, sizeof cats[0], 0))
			return body_fail(why, whylen, IND ": category \"%s\" appears twice", cats[j]);
	}
	if (rc == 0 && ind != NULL) {
		memcpy(ind->categories, cats, cnt * sizeof cats[0]);
		ind->n_categories = cnt;
	}
	return rc;
}

/* {categories, name} */
static const struct body_field dimension_fields[] = {
	FN("categories", true, rd_categories),
	VAL(struct body_indicator, "name", F_ID, dimension, true),
};

static int rd_dimension(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	uint32_t n;
	if (canon_rd_map(r, &n) != 0)
		return body_fail(why, whylen, IND ": \"dimension\" is not a map {categories, name}");
	return body_walk(r, n, IND " dimension", dimension_fields, COUNT(dimension_fields), out,
			 NULL, why, whylen);
}

/* {about?, baseline?, dimension?, direction, id, kind?, milestones?, name,
 * target?, unit} */
static const struct body_field indicator_fields[] = {
	FN("about", false, rd_about),
	FN("baseline", false, rd_baseline),
	FN("dimension", false, rd_dimension),
	FN("direction", true, rd_direction),
	VAL(struct body_indicator, "id", F_ID, id, true),
	FN("kind", false, rd_kind),
	FN("milestones", false, rd_milestones),
	STR(struct body_indicator, "name", name, true, 1, BODY_NAME_MAX),
	OPT(struct body_indicator, "target", F_NUM, target, has_target),
	STR(struct body_indicator, "unit", unit, true, 0, BODY_UNIT_MAX),
};

static const struct body_list indicator_list = {
	"agenda", "indicators", 1, BODY_INDICATORS_MAX,
	"agenda: \"indicators\" must list 1 to %d indicators",
	"agenda: an indicator is not a map", IND,
	indicator_fields, COUNT(indicator_fields),
	sizeof(struct body_indicator),
	offsetof(struct body_indicator, id),
	"agenda: indicator id \"%s\" appears twice",
};

/* "suppress": 0..BODY_SUPPRESS_MAX, absent for the default */
static int rd_suppress(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	struct body_agenda *a = out;
	uint64_t v;

	if (canon_rd_uint(r, &v) != 0 || v > BODY_SUPPRESS_MAX)
		return body_fail(why, whylen, "agenda: \"suppress\" is not an integer 0 to %d",
				 BODY_SUPPRESS_MAX);
	if (v == BODY_SUPPRESS_DEFAULT)
		return body_fail(why, whylen, "agenda: \"suppress\" %d is written by leaving it out",
				 BODY_SUPPRESS_DEFAULT);
	if (a != NULL) {
		a->has_suppress = true;
		a->suppress = v;
	}
	return 0;
}

static const struct body_field agenda_fields[] = {
	STR(struct body_agenda, "goal", goal, true, 0, BODY_TEXT_MAX),
	LIST(struct body_agenda, "indicators", ind, n, &indicator_list),
	FN("suppress", false, rd_suppress),
};

const struct body_schema body_agenda_schema = {
	"agenda", agenda_fields, COUNT(agenda_fields), NULL
};

/* ---- update ---- */

#define VALUE "update value"

/* A value with its split, before the cells join the update's. */
struct value_item {
	struct body_value v;
	struct body_cell cell[BODY_CATEGORIES_MAX];
	size_t n_cell;
};

static int rd_den(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	struct value_item *x = out;
	uint64_t bits = 0;
	double v;

	if (r->end - r->p < 9 || r->p[0] != 0xcb)
		return body_fail(why, whylen, VALUE ": \"den\" is not a float64");
	for (int i = 1; i <= 8; i++)
		bits = bits << 8 | r->p[i];
	memcpy(&v, &bits, sizeof v);
	if (!(v > 0) || !isfinite(v))
		return body_fail(why, whylen, VALUE ": \"den\" is not a finite number above 0");
	r->p += 9;
	if (x != NULL) {
		x->v.has_den = true;
		x->v.den = v;
	}
	return 0;
}

/* {category, value} */
static const struct body_field cell_fields[] = {
	STR(struct body_cell, "category", category, true, 1, BODY_CATEGORY_MAX),
	VAL(struct body_cell, "value", F_NUM, value, true),
};

/* [{category, value}...]: 1..BODY_CATEGORIES_MAX, categories in bytewise
 * order without repeats. */
static int rd_split(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	struct value_item *x = out;
	struct body_cell c[BODY_CATEGORIES_MAX];
	uint32_t cnt, n;
	int rc = body_rd_array(r, VALUE, "split", 1, BODY_CATEGORIES_MAX,
			       VALUE ": \"split\" must list 1 to %d {category, value} maps", &cnt,
			       why, whylen);

	for (uint32_t j = 0; rc == 0 && j < cnt; j++) {
		memset(&c[j], 0, sizeof c[j]);
		if (canon_rd_map(r, &n) != 0)
			return body_fail(why, whylen, VALUE ": a split cell is not a map");
		if ((rc = body_walk(r, n, VALUE " split", cell_fields, COUNT(cell_fields), &c[j], NULL,
				    why, whylen)) != 0)
			return rc;
		if (!body_category_valid(c[j].category, strlen(c[j].category)))
			return body_fail(why, whylen, VALUE ": split category \"%s\" is not a category",
					 c[j].category);
		if (j > 0 && strcmp(c[j - 1].category, c[j].category) >= 0)
			return body_fail(why, whylen,
					 VALUE ": split categories are not in bytewise order without repeats");
	}
	if (rc == 0 && x != NULL) {
		memcpy(x->cell, c, cnt * sizeof c[0]);
		x->n_cell = cnt;
	}
	return rc;
}

/* {den?, indicator, split?, value} */
static const struct body_field value_fields[] = {
	FN("den", false, rd_den),
	VAL(struct value_item, "indicator", F_ID, v.indicator, true),
	FN("split", false, rd_split),
	VAL(struct value_item, "value", F_NUM, v.value, true),
};

/* One value map (its key count n read) into item j of u (may be NULL):
 * no indicator twice, at most BODY_CELLS_MAX cells in all. */
static int rd_value(struct canon_rd *r, uint32_t n, struct body_update *u, size_t j,
		    char (*ids)[BODY_ID_MAX + 1], size_t *cells, char *why, size_t whylen)
{
	struct value_item x;
	int rc;

	memset(&x, 0, sizeof x);
	if ((rc = body_walk(r, n, VALUE, value_fields, COUNT(value_fields), &x, NULL, why,
			    whylen)) != 0)
		return rc;
	memcpy(ids[j], x.v.indicator, sizeof ids[j]);
	if (body_earlier(ids, j, sizeof ids[0], 0))
		return body_fail(why, whylen, "update: indicator \"%s\" has two values", ids[j]);
	if (*cells + x.n_cell > BODY_CELLS_MAX)
		return body_fail(why, whylen, "update: more than %d split cells in all",
				 BODY_CELLS_MAX);
	x.v.split = x.n_cell > 0 ? (uint8_t)*cells : 0;   /* none: 0, one form */
	x.v.n_split = (uint8_t)x.n_cell;
	if (u != NULL) {
		memcpy(&u->cell[*cells], x.cell, x.n_cell * sizeof x.cell[0]);
		u->v[j] = x.v;
		u->n = j + 1;
		u->n_cells = *cells + x.n_cell;
	}
	*cells += x.n_cell;
	return 0;
}

static int rd_values(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	char ids[BODY_INDICATORS_MAX][BODY_ID_MAX + 1];
	size_t cells = 0;
	uint32_t cnt, n;
	int rc = body_rd_array(r, "update", "values", 0, BODY_INDICATORS_MAX,
			       "update: \"values\" lists more than %d values", &cnt, why, whylen);

	for (uint32_t j = 0; rc == 0 && j < cnt; j++) {
		if (canon_rd_map(r, &n) != 0)
			return body_fail(why, whylen, "update: a value is not a map");
		rc = rd_value(r, n, out, j, ids, &cells, why, whylen);
	}
	return rc;
}

static const struct body_field update_fields[] = {
	VAL(struct body_update, "period", F_PERIOD, period, true),
	STR(struct body_update, "text", text, true, 0, BODY_TEXT_MAX),
	FN("values", true, rd_values),
};

const struct body_schema body_update_schema = {
	"update", update_fields, COUNT(update_fields), NULL
};

int body_indicator_read(const uint8_t *b, size_t len, struct body_indicator *out, char *why,
			size_t whylen)
{
	struct canon_rd r;
	uint32_t n;

	if (out == NULL || body_open(&r, b, len, &n) != 0)
		return body_fail(why, whylen, IND ": not a canonical map");
	memset(out, 0, sizeof *out);
	return body_walk(&r, n, IND, indicator_fields, COUNT(indicator_fields), out, NULL, why,
			 whylen);
}

int body_value_read(const uint8_t *b, size_t len, struct body_update *u, char *why,
		    size_t whylen)
{
	char ids[BODY_INDICATORS_MAX][BODY_ID_MAX + 1];
	struct canon_rd r;
	size_t cells;
	uint32_t n;

	if (u == NULL || u->n >= BODY_INDICATORS_MAX || body_open(&r, b, len, &n) != 0)
		return body_fail(why, whylen, VALUE ": not a canonical map, or too many values");
	for (size_t j = 0; j < u->n; j++)
		memcpy(ids[j], u->v[j].indicator, sizeof ids[j]);
	cells = u->n_cells;
	return rd_value(&r, n, u, u->n, ids, &cells, why, whylen);
}

int body_agenda_parse(const uint8_t *b, size_t len, struct body_agenda *out)
{
	return body_parse_into(&body_agenda_schema, b, len, out, sizeof *out);
}

int body_update_parse(const uint8_t *b, size_t len, struct body_update *out)
{
	return body_parse_into(&body_update_schema, b, len, out, sizeof *out);
}
