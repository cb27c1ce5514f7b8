/* Entry bodies: the schema of each entry type and its validation.
 *
 * The map schemas of the collective-impact bodies are tables of fields
 * (struct body_field) read by one key walker (body_walk() in
 * body_read.c); builders are in body_build.c, the sealed envelope in
 * sealed.c, dates and periods in date.c. */
#include "proto/body_priv.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "proto/date.h"

#include "proto/entry.h"
#include "proto/err.h"
#include "proto/sealed.h"

/* ---- message, genesis, member ---- */

static int validate_message(struct canon_rd *r, uint32_t n, char *why,
			    size_t whylen)
{
	bool have_text = false;
	const uint8_t *p;
	int rc;

	for (uint32_t i = 0; i < n; i++) {
		const char *k;
		uint32_t klen;
		canon_rd_str(r, &k, &klen);     /* canonical: keys are str */
		if (body_key_is(k, klen, "reply_to")) {
			rc = body_rd_bin32(r, &p, "reply_to", why, whylen);
		} else if (body_key_is(k, klen, "text")) {
			rc = body_rd_text(r, "text", 0, BODY_TEXT_MAX, why, whylen);
			have_text = true;
		} else {
			return body_unknown_key("message", k, klen, why, whylen);
		}
		if (rc != 0)
			return rc;
	}
	if (!have_text)
		return body_missing_key("message", "text", why, whylen);
	return 0;
}

static int validate_genesis(struct canon_rd *r, uint32_t n, char *why,
			    size_t whylen)
{
	/* canonical order is alphabetical, so the three keys come in order */
	const uint8_t *admins[KEYS_MAX];
	uint32_t cnt;
	int rc;

	if (n != 3)
		return body_fail(why, whylen,
				 "genesis: needs exactly \"admins\", \"goal\", \"name\"");
	if ((rc = body_expect_key(r, "genesis", "admins", why, whylen)) != 0 ||
	    (rc = body_rd_keys(r, NULL, "admins", BODY_ADMINS_MAX,
			       "\"admins\" must list 1 to %d keys",
			       "\"admins[]\" is not 32 bytes of bin", admins, &cnt,
			       why, whylen)) != 0 ||
	    (rc = body_expect_key(r, "genesis", "goal", why, whylen)) != 0 ||
	    (rc = body_rd_text(r, "goal", 0, BODY_TEXT_MAX, why, whylen)) != 0 ||
	    (rc = body_expect_key(r, "genesis", "name", why, whylen)) != 0)
		return rc;
	return body_rd_text(r, "name", 1, BODY_NAME_MAX, why, whylen);
}

/* member: {"action": "add"|"remove", "key": bin32, "name": str, "role":
 * "admin"|"member"}; out may be NULL. */
static int parse_member(struct canon_rd *r, uint32_t n, struct body_member *out,
			char *why, size_t whylen)
{
	static const char *const keys[] = { "action", "key", "name", "role", "seq" };
	struct body_member m = {0};
	const char *s;
	const uint8_t *key;
	uint32_t len;
	int rc;

	if (n != 4 && n != 5)
		return body_fail(why, whylen, "member: needs exactly \"action\", \"key\", \"name\", \"role\" (and \"seq\" in a removal)");
	for (uint32_t i = 0; i < 4; i++) {
		if ((rc = body_expect_key(r, "member", keys[i], why, whylen)) != 0)
			return rc;
		if (i == 1) {
			if (body_rd_bin32(r, &key, "key", why, whylen) != 0)
				return PAKT_EBODY;
			memcpy(m.key, key, 32);
			continue;
		}
		if (canon_rd_str(r, &s, &len) != 0)
			return body_fail(why, whylen, "member: \"%s\" is not a string", keys[i]);
		if (i == 0 && (body_key_is(s, len, "add") || body_key_is(s, len, "remove")))
			m.add = s[0] == 'a';
		else if (i == 2 && len <= BODY_NAME_MAX)
			memcpy(m.name, s, len);
		else if (i == 3 && (body_key_is(s, len, "admin") || body_key_is(s, len, "member")))
			m.admin = s[1] == 'd';
		else
			return body_fail(why, whylen, "member: bad \"%s\"", keys[i]);
	}
	if (n == 5) {
		if ((rc = body_expect_key(r, "member", "seq", why, whylen)) != 0)
			return rc;
		if (m.add || canon_rd_uint(r, &m.seq) != 0 || m.seq > ENTRY_SEQ_MAX)
			return body_fail(why, whylen, "member: \"seq\" is not a seq (only a removal has one)");
		m.has_seq = true;
	}
	if (out != NULL)
		*out = m;
	return 0;
}

int body_member_parse(const uint8_t *body, size_t len, struct body_member *out)
{
	struct canon_rd r;
	uint32_t n;

	if (body == NULL || canon_check(body, len, CANON_MAX_DEPTH) != 0)
		return PAKT_EBODY;
	canon_rd_init(&r, body, len);
	if (canon_rd_map(&r, &n) != 0)
		return PAKT_EBODY;
	return parse_member(&r, n, out, NULL, 0);
}


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

static const struct body_schema agenda_schema = {
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
	x.v.split = (uint8_t)*cells;
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

static const struct body_schema update_schema = {
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

/* ---- commitment ---- */

static int rd_parties(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	struct body_commitment *c = out;
	const uint8_t *parties[KEYS_MAX];
	uint32_t cnt;
	int rc = body_rd_keys(r, "commitment", "parties", BODY_PARTIES_MAX,
			      "commitment: \"parties\" must list 1 to %d keys",
			      "commitment: a party is not 32 bytes of bin", parties,
			      &cnt, why, whylen);
	if (rc != 0 || c == NULL)
		return rc;
	for (uint32_t j = 0; j < cnt; j++)
		memcpy(c->parties[j], parties[j], 32);
	c->n_parties = cnt;
	return 0;
}

static const struct body_field commitment_fields[] = {
	STR(struct body_commitment, "description", description, false, 1,
	    BODY_TEXT_MAX),
	VAL(struct body_commitment, "due", F_DATE, due, true),
	VAL(struct body_commitment, "indicator", F_ID, indicator, false),
	FN("parties", true, rd_parties),
	OPT(struct body_commitment, "target", F_NUM, target, has_target),
	STR(struct body_commitment, "title", title, true, 1, BODY_TITLE_MAX),
};

static int commitment_check(unsigned seen, char *why, size_t whylen)
{
	if ((seen & 1u << 4) && !(seen & 1u << 2))     /* target, indicator */
		return body_fail(why, whylen,
				 "commitment: \"target\" without \"indicator\"");
	return 0;
}

static const struct body_schema commitment_schema = {
	"commitment", commitment_fields, COUNT(commitment_fields),
	commitment_check
};

/* ---- accept, decline, redact ---- */

/* accept {ref}, decline {reason?, ref}, redact {reason, ref} */
static const struct body_field accept_fields[] = {
	VAL(struct body_ref, "ref", F_BIN32, ref, true),
};
/* decline: optional, so present means not empty */
static const struct body_field decline_fields[] = {
	STR(struct body_ref, "reason", text, false, 1, BODY_REASON_MAX),
	VAL(struct body_ref, "ref", F_BIN32, ref, true),
};
/* redact: "reason" is required, but missing after "ref" */
static const struct body_field redact_fields[] = {
	STR(struct body_ref, "reason", text, false, 0, BODY_REASON_MAX),
	VAL(struct body_ref, "ref", F_BIN32, ref, true),
};

static int redact_check(unsigned seen, char *why, size_t whylen)
{
	return seen & 1u ? 0 : body_missing_key("redact", "reason", why, whylen);
}

static const struct body_schema ref_schemas[] = {
	{ "accept", accept_fields, COUNT(accept_fields), NULL },
	{ "decline", decline_fields, COUNT(decline_fields), NULL },
	{ "redact", redact_fields, COUNT(redact_fields), redact_check },
};

int body_ref_kind(const char *type)
{
	for (int i = 0; type != NULL && i < (int)COUNT(ref_schemas); i++)
		if (strcmp(type, ref_schemas[i].type) == 0)
			return i;
	return -1;
}

/* ---- succession, revoke (proto/keyroll.h) ---- */

/* succession {new, proof} */
static const struct body_field succession_fields[] = {
	VAL(struct body_succession, "new", F_BIN32, new_key, true),
	{ "proof", F_BIN, true, 64, 64, offsetof(struct body_succession, proof), 0, NULL, NULL,
	  NULL },
};

static const struct body_schema succession_schema = {
	"succession", succession_fields, COUNT(succession_fields), NULL
};

static int rd_after(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	struct body_revoke *rv = out;
	uint64_t v;

	if (canon_rd_uint(r, &v) != 0)
		return body_fail(why, whylen, "revoke: \"after\" is not an unsigned integer");
	if (rv != NULL)
		rv->after = v;
	return 0;
}

/* revoke {after, key, reason} */
static const struct body_field revoke_fields[] = {
	FN("after", true, rd_after),
	VAL(struct body_revoke, "key", F_BIN32, key, true),
	STR(struct body_revoke, "reason", reason, true, 0, BODY_REASON_MAX),
};

static const struct body_schema revoke_schema = {
	"revoke", revoke_fields, COUNT(revoke_fields), NULL
};

/* ---- status ---- */

const char *const body_states[] = { "in-progress", "fulfilled", "missed",
				      "withdrawn", NULL };

static const struct body_field status_fields[] = {
	OPT(struct body_status, "evidence", F_BIN32, evidence, has_evidence),
	STR(struct body_status, "note", note, false, 1, BODY_TEXT_MAX),
	VAL(struct body_status, "ref", F_BIN32, ref, true),
	ENUM(struct body_status, "state", state, body_states),
};

static const struct body_schema status_schema = {
	"status", status_fields, COUNT(status_fields), NULL
};

/* ---- profile ---- */

const char *const body_sectors[] = { "ngo", "public", "business", "other",
				       NULL };


static int rd_addresses(struct canon_rd *r, void *out, char *why,
			size_t whylen)
{
	struct body_profile *pr = out;
	const char *s;
	char shown[36];
	uint32_t len, cnt;
	int rc = body_rd_array(r, "profile", "addresses", 1, BODY_ADDRS_MAX,
			       "profile: \"addresses\" must list 1 to %d addresses (or be left out)",
			       &cnt, why, whylen);

	for (uint32_t j = 0; rc == 0 && j < cnt; j++) {
		if (canon_rd_str(r, &s, &len) != 0)
			return body_fail(why, whylen,
					 "profile: an address is not a string");
		if (!body_addr_valid(s, len)) {
			body_printable(shown, s, len);
			return body_fail(why, whylen,
					 "profile: address \"%s\" is not HOST:PORT",
					 shown);
		}
		if (pr != NULL)
			body_put(pr->addrs[j], s, len);
	}
	if (rc == 0 && pr != NULL)
		pr->n_addrs = cnt;
	return rc;
}

static const struct body_field profile_fields[] = {
	FN("addresses", false, rd_addresses),
	STR(struct body_profile, "contact", contact, false, 1, BODY_CONTACT_MAX),
	STR(struct body_profile, "name", name, true, 1, BODY_NAME_MAX),
	ENUM(struct body_profile, "sector", sector, body_sectors),
};

static const struct body_schema profile_schema = {
	"profile", profile_fields, COUNT(profile_fields), NULL
};

/* ---- checkpoint ---- */

/* {heads: [[author, seq, hash] ...]}; heads[cap] may be NULL (count only). */
struct heads_out {
	struct body_head *heads;
	size_t cap, *count;
};

static int rd_heads(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	struct heads_out *h = out;
	struct body_head *heads = h != NULL ? h->heads : NULL;
	const uint8_t *authors[BODY_HEADS_MAX], *hash;
	uint32_t cnt, m;
	uint64_t seq;
	int rc = body_rd_array(r, "checkpoint", "heads", 0, BODY_HEADS_MAX,
			       "checkpoint: \"heads\" lists more than %d feeds", &cnt,
			       why, whylen);

	if (rc != 0)
		return rc;
	if (heads != NULL && cnt > h->cap)
		return PAKT_ETOOBIG;
	for (uint32_t j = 0; j < cnt; j++) {
		if (canon_rd_array(r, &m) != 0 || m != 3 ||
		    body_rd_bin32(r, &authors[j], "author", why, whylen) != 0 ||
		    canon_rd_uint(r, &seq) != 0 ||
		    body_rd_bin32(r, &hash, "hash", why, whylen) != 0)
			return body_fail(why, whylen,
					 "checkpoint: a head is not [author bin32, seq uint, hash bin32]");
		if (seq < 1 || seq > ENTRY_SEQ_MAX)
			return body_fail(why, whylen,
					 "checkpoint: a head has seq %llu (not 1..2^53)",
					 (unsigned long long)seq);
		if (body_seen32(authors, j))
			return body_fail(why, whylen,
					 "checkpoint: an author has two heads");
		if (heads != NULL) {
			memcpy(heads[j].author, authors[j], 32);
			heads[j].seq = seq;
			memcpy(heads[j].hash, hash, 32);
		}
	}
	if (h != NULL && h->count != NULL)
		*h->count = cnt;
	return 0;
}

static const struct body_field checkpoint_fields[] = {
	FN("heads", true, rd_heads),
};

static const struct body_schema checkpoint_schema = {
	"checkpoint", checkpoint_fields, COUNT(checkpoint_fields), NULL
};

/* ---- parsers: canonical map, then the schema ---- */

/* A body of schema s into *out (size bytes, cleared first). */
static int parse_body(const struct body_schema *s, const uint8_t *b, size_t len,
		      void *out, size_t size)
{
	struct canon_rd r;
	uint32_t n;
	if (out == NULL || body_open(&r, b, len, &n) != 0)
		return PAKT_EBODY;
	memset(out, 0, size);
	return body_parse_schema(&r, n, s, out, NULL, 0);
}

int body_agenda_parse(const uint8_t *b, size_t len, struct body_agenda *out)
{
	return parse_body(&agenda_schema, b, len, out, sizeof *out);
}

int body_update_parse(const uint8_t *b, size_t len, struct body_update *out)
{
	return parse_body(&update_schema, b, len, out, sizeof *out);
}

int body_commitment_parse(const uint8_t *b, size_t len,
			  struct body_commitment *out)
{
	return parse_body(&commitment_schema, b, len, out, sizeof *out);
}

int body_ref_parse(const char *type, const uint8_t *b, size_t len,
		   struct body_ref *out)
{
	int kind = body_ref_kind(type);
	if (kind < 0)
		return PAKT_EBODY;
	return parse_body(&ref_schemas[kind], b, len, out, sizeof *out);
}

int body_succession_parse(const uint8_t *b, size_t len, struct body_succession *out)
{
	return parse_body(&succession_schema, b, len, out, sizeof *out);
}

int body_revoke_parse(const uint8_t *b, size_t len, struct body_revoke *out)
{
	return parse_body(&revoke_schema, b, len, out, sizeof *out);
}

int body_status_parse(const uint8_t *b, size_t len, struct body_status *out)
{
	return parse_body(&status_schema, b, len, out, sizeof *out);
}

int body_profile_parse(const uint8_t *b, size_t len, struct body_profile *out)
{
	return parse_body(&profile_schema, b, len, out, sizeof *out);
}

int body_checkpoint_parse(const uint8_t *b, size_t len, struct body_head *heads,
			  size_t cap, size_t *n)
{
	struct canon_rd r;
	uint32_t nk;
	size_t cnt = 0;
	struct heads_out h = { heads, cap, &cnt };
	int rc;
	if ((heads == NULL && cap > 0) || body_open(&r, b, len, &nk) != 0)
		return PAKT_EBODY;
	/* heads NULL with cap 0: count only */
	rc = body_parse_schema(&r, nk, &checkpoint_schema, &h, NULL, 0);
	if (rc == 0 && n != NULL)
		*n = cnt;
	return rc;
}


int body_validate(const char *type, const uint8_t *body, size_t len,
		  char *why, size_t whylen)
{
	static const struct body_schema *const schemas[] = {
		&agenda_schema, &update_schema, &commitment_schema,
		&ref_schemas[0], &ref_schemas[1], &ref_schemas[2],
		&status_schema, &profile_schema, &checkpoint_schema,
		&sealed_schema, &succession_schema, &revoke_schema,
	};
	struct canon_rd r;
	uint32_t n;
	int rc;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (type == NULL || body == NULL)
		return body_fail(why, whylen, "no body");
	if (len > ENTRY_BODY_MAX)
		return body_fail(why, whylen, "body is larger than %d bytes",
				 ENTRY_BODY_MAX);
	if ((rc = canon_check(body, len, CANON_MAX_DEPTH)) != 0)
		return body_fail(why, whylen, "body: %s", pakt_strerror(rc));
	canon_rd_init(&r, body, len);
	if (canon_rd_map(&r, &n) != 0)
		return body_fail(why, whylen, "body is not a map");
	if (strcmp(type, "message") == 0)
		return validate_message(&r, n, why, whylen);
	if (strcmp(type, "genesis") == 0)
		return validate_genesis(&r, n, why, whylen);
	if (strcmp(type, "member") == 0)
		return parse_member(&r, n, NULL, why, whylen);
	for (size_t i = 0; i < COUNT(schemas); i++)
		if (strcmp(type, schemas[i]->type) == 0)
			return body_parse_schema(&r, n, schemas[i], NULL, why, whylen);
	return 0;   /* unknown types: any canonical map, for newer peers */
}

