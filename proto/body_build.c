/* Entry bodies: builders. Each appends one canonical map to an mpx_out
 * and checks the same limits as the parser of its type (body.c). */
#include "proto/body_priv.h"

#include <math.h>
#include <string.h>

#include "proto/canon.h"
#include "proto/date.h"
#include "proto/entry.h"
#include "proto/err.h"

/* Append "key": [n bins of size bytes each, contiguous at base]. */
static void pk_bins(msgpack_packer *pk, const char *key, const void *base,
		    size_t n, size_t size)
{
	mpx_str(pk, key);
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < n; i++)
		mpx_bin(pk, (const uint8_t *)base + i * size, size);
}

/* Builder checks of a C string held in a char[cap] (or any string when
 * cap is 0): 0, PAKT_EINVAL (NULL, shorter than min), PAKT_ETOOBIG,
 * PAKT_EUTF8. */
static int chk_str(const char *s, size_t cap, size_t min, size_t max)
{
	size_t len;
	if (s == NULL)
		return PAKT_EINVAL;
	len = cap > 0 ? strnlen(s, cap) : strlen(s);
	if (len == cap && cap > 0)
		return PAKT_ETOOBIG;    /* not terminated inside its field */
	if (len < min)
		return PAKT_EINVAL;
	if (len > max)
		return PAKT_ETOOBIG;
	if (!canon_utf8_valid(s, len))
		return PAKT_EUTF8;
	return 0;
}

static int chk_id(const char *s, size_t cap)
{
	size_t len = strnlen(s, cap);
	if (len == cap || len > BODY_ID_MAX)
		return PAKT_ETOOBIG;
	return body_id_valid(s, len) ? 0 : PAKT_EINVAL;
}

/* A date or period in a char[cap]: PAKT_ETOOBIG unterminated, PAKT_EINVAL
 * not one. */
static int chk_when(const char *s, size_t cap, bool date_only)
{
	if (strnlen(s, cap) == cap)
		return PAKT_ETOOBIG;
	if ((date_only ? date_parse(s, NULL)
	     : date_period_parse(s, NULL, NULL)) != 0)
		return PAKT_EINVAL;
	return 0;
}

/* Index of the name held in a char[cap] among names[], or -1. */
static int chk_name(const char *const *names, const char *s, size_t cap)
{
	for (int i = 0; names[i] != NULL; i++)
		if (strncmp(s, names[i], cap) == 0)
			return i;
	return -1;
}

/* Append "key": s unless s is "" (an optional string). */
static void pk_opt_str(msgpack_packer *pk, const char *key, const char *s)
{
	if (s[0] != '\0')
		mpx_kv_str(pk, key, s);
}

static void pk_double(msgpack_packer *pk, const char *key, double v)
{
	mpx_str(pk, key);
	msgpack_pack_double(pk, v);
}

/* A builder wrote o->sb from start: undo it when larger than a body. */
static int chk_size(struct mpx_out *o, size_t start)
{
	if (o->sb.size - start > ENTRY_BODY_MAX) {
		o->sb.size = start;
		return PAKT_ETOOBIG;
	}
	return 0;
}


int body_message(struct mpx_out *o, const char *text, const uint8_t *reply_to)
{
	if (text == NULL)
		return PAKT_EINVAL;
	size_t len = strlen(text);
	if (len > BODY_TEXT_MAX)
		return PAKT_ETOOBIG;
	if (!canon_utf8_valid(text, len))
		return PAKT_EUTF8;
	/* keys in bytewise order: "reply_to" < "text" */
	msgpack_pack_map(&o->pk, reply_to != NULL ? 2 : 1);
	if (reply_to != NULL)
		mpx_kv_bin(&o->pk, "reply_to", reply_to, 32);
	mpx_kv_str(&o->pk, "text", text);
	return 0;
}

int body_genesis(struct mpx_out *o, const char *name, const char *goal,
		 const uint8_t (*admins)[32], size_t n_admins)
{
	if (name == NULL || goal == NULL || (admins == NULL && n_admins > 0))
		return PAKT_EINVAL;
	size_t name_len = strlen(name), goal_len = strlen(goal);
	if (name_len == 0 || n_admins == 0)
		return PAKT_EINVAL;
	if (name_len > BODY_NAME_MAX || goal_len > BODY_TEXT_MAX ||
	    n_admins > BODY_ADMINS_MAX)
		return PAKT_ETOOBIG;
	if (!canon_utf8_valid(name, name_len) ||
	    !canon_utf8_valid(goal, goal_len))
		return PAKT_EUTF8;
	for (size_t i = 0; i < n_admins; i++)
		if (body_earlier(admins, i, 32, 32))
			return PAKT_EINVAL;
	/* "admins" < "goal" < "name" */
	msgpack_pack_map(&o->pk, 3);
	pk_bins(&o->pk, "admins", admins, n_admins, 32);
	mpx_kv_str(&o->pk, "goal", goal);
	mpx_kv_str(&o->pk, "name", name);
	return 0;
}

int body_member(struct mpx_out *o, bool add, const uint8_t key[32], const char *name,
		bool admin)
{
	size_t len = name ? strlen(name) : 0;

	if (key == NULL || len > BODY_NAME_MAX || !canon_utf8_valid(name ? name : "", len))
		return PAKT_EINVAL;
	/* keys in bytewise order: action, key, name, role */
	msgpack_pack_map(&o->pk, 4);
	mpx_kv_str(&o->pk, "action", add ? "add" : "remove");
	mpx_kv_bin(&o->pk, "key", key, 32);
	mpx_kv_str(&o->pk, "name", name ? name : "");
	mpx_kv_str(&o->pk, "role", admin ? "admin" : "member");
	return 0;
}

int body_member_remove(struct mpx_out *o, const uint8_t key[32], const char *name, bool admin,
		       uint64_t seq)
{
	size_t len = name ? strlen(name) : 0;

	if (key == NULL || len > BODY_NAME_MAX || !canon_utf8_valid(name ? name : "", len) ||
	    seq > ENTRY_SEQ_MAX)
		return PAKT_EINVAL;
	msgpack_pack_map(&o->pk, 5);
	mpx_kv_str(&o->pk, "action", "remove");
	mpx_kv_bin(&o->pk, "key", key, 32);
	mpx_kv_str(&o->pk, "name", name ? name : "");
	mpx_kv_str(&o->pk, "role", admin ? "admin" : "member");
	mpx_kv_u64(&o->pk, "seq", seq);
	return 0;
}

static int chk_point(const struct body_point *p, int64_t *from, int64_t *to)
{
	if (strnlen(p->period, sizeof p->period) == sizeof p->period)
		return PAKT_ETOOBIG;
	if (date_period_parse(p->period, from, to) != 0 || !isfinite(p->value))
		return PAKT_EINVAL;
	return 0;
}

static int chk_indicator(const struct body_indicator *ind)
{
	int64_t from0 = 0, to0 = 0, from, to;
	int rc;

	if ((rc = chk_id(ind->id, sizeof ind->id)) != 0 ||
	    (rc = chk_str(ind->name, sizeof ind->name, 1, BODY_NAME_MAX)) != 0 ||
	    (rc = chk_str(ind->unit, sizeof ind->unit, 0, BODY_UNIT_MAX)) != 0)
		return rc;
	if ((ind->has_target && !isfinite(ind->target)) || ind->kind < BODY_COUNT ||
	    ind->kind > BODY_RATIO || ind->about < BODY_ABOUT_NONE || ind->about > BODY_BETTER_OFF)
		return PAKT_EINVAL;
	if (ind->has_baseline && (rc = chk_point(&ind->baseline, &from, &to)) != 0)
		return rc;
	if (ind->n_milestones > BODY_MILESTONES_MAX)
		return PAKT_ETOOBIG;
	for (size_t j = 0; j < ind->n_milestones; j++) {
		if ((rc = chk_point(&ind->milestones[j], &from, &to)) != 0)
			return rc;
		if (j > 0 && (from < from0 || (from == from0 && to <= to0)))
			return PAKT_EINVAL;
		from0 = from;
		to0 = to;
	}
	if (ind->dimension[0] == '\0')
		return ind->n_categories == 0 ? 0 : PAKT_EINVAL;
	if ((rc = chk_id(ind->dimension, sizeof ind->dimension)) != 0)
		return rc;
	if (ind->n_categories < 1 || ind->n_categories > BODY_CATEGORIES_MAX)
		return PAKT_EINVAL;
	for (size_t j = 0; j < ind->n_categories; j++) {
		const char *c = ind->categories[j];
		if (!body_category_valid(c, strnlen(c, sizeof ind->categories[j])) ||
		    body_earlier(ind->categories, j, sizeof ind->categories[0], 0))
			return PAKT_EINVAL;
	}
	return 0;
}

static void pk_point(msgpack_packer *pk, const struct body_point *p)
{
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "period", p->period);
	pk_double(pk, "value", p->value);
}

/* about? < baseline? < dimension? < direction < id < kind? < milestones? <
 * name < target? < unit */
void body_indicator_pack(msgpack_packer *pk, const struct body_indicator *ind)
{
	bool dim = ind->dimension[0] != '\0';

	msgpack_pack_map(pk, 4 + (ind->about != BODY_ABOUT_NONE) + ind->has_baseline + dim +
			 (ind->kind != BODY_COUNT) + (ind->n_milestones > 0) + ind->has_target);
	if (ind->about != BODY_ABOUT_NONE)
		mpx_kv_str(pk, "about", body_abouts[ind->about]);
	if (ind->has_baseline) {
		mpx_str(pk, "baseline");
		pk_point(pk, &ind->baseline);
	}
	if (dim) {
		mpx_str(pk, "dimension");
		msgpack_pack_map(pk, 2);
		mpx_str(pk, "categories");
		msgpack_pack_array(pk, ind->n_categories);
		for (size_t j = 0; j < ind->n_categories; j++)
			mpx_str(pk, ind->categories[j]);
		mpx_kv_str(pk, "name", ind->dimension);
	}
	mpx_kv_str(pk, "direction", ind->down ? "down" : "up");
	mpx_kv_str(pk, "id", ind->id);
	if (ind->kind != BODY_COUNT)
		mpx_kv_str(pk, "kind", body_kinds[ind->kind]);
	if (ind->n_milestones > 0) {
		mpx_str(pk, "milestones");
		msgpack_pack_array(pk, ind->n_milestones);
		for (size_t j = 0; j < ind->n_milestones; j++)
			pk_point(pk, &ind->milestones[j]);
	}
	mpx_kv_str(pk, "name", ind->name);
	if (ind->has_target)
		pk_double(pk, "target", ind->target);
	mpx_kv_str(pk, "unit", ind->unit);
}

int body_agenda(struct mpx_out *o, const struct body_agenda *a)
{
	size_t start;
	int rc;

	if (o == NULL || a == NULL || a->n < 1)
		return PAKT_EINVAL;
	if (a->n > BODY_INDICATORS_MAX)
		return PAKT_ETOOBIG;
	if (a->has_suppress && (a->suppress > BODY_SUPPRESS_MAX ||
				a->suppress == BODY_SUPPRESS_DEFAULT))
		return PAKT_EINVAL;
	if ((rc = chk_str(a->goal, sizeof a->goal, 0, BODY_TEXT_MAX)) != 0)
		return rc;
	for (size_t i = 0; i < a->n; i++) {
		if ((rc = chk_indicator(&a->ind[i])) != 0)
			return rc;
		if (body_earlier(a->ind[0].id, i, sizeof a->ind[0], 0))
			return PAKT_EINVAL;
	}
	start = o->sb.size;
	/* "goal" < "indicators" < "suppress" */
	msgpack_pack_map(&o->pk, 2 + a->has_suppress);
	mpx_kv_str(&o->pk, "goal", a->goal);
	mpx_str(&o->pk, "indicators");
	msgpack_pack_array(&o->pk, a->n);
	for (size_t i = 0; i < a->n; i++)
		body_indicator_pack(&o->pk, &a->ind[i]);
	if (a->has_suppress)
		mpx_kv_u64(&o->pk, "suppress", a->suppress);
	return chk_size(o, start);
}

static int chk_value(const struct body_update *u, size_t i)
{
	const struct body_value *v = &u->v[i];
	int rc;

	if ((rc = chk_id(v->indicator, sizeof v->indicator)) != 0)
		return rc;
	if (!isfinite(v->value) || (v->has_den && !(v->den > 0 && isfinite(v->den))) ||
	    body_earlier(u->v[0].indicator, i, sizeof u->v[0], 0))
		return PAKT_EINVAL;
	if (v->n_split > BODY_CATEGORIES_MAX || (size_t)v->split + v->n_split > u->n_cells)
		return PAKT_EINVAL;
	for (size_t j = v->split; j < (size_t)v->split + v->n_split; j++) {
		const char *c = u->cell[j].category;
		if (!body_category_valid(c, strnlen(c, sizeof u->cell[j].category)) ||
		    !isfinite(u->cell[j].value) ||
		    (j > v->split && strcmp(u->cell[j - 1].category, c) >= 0))
			return PAKT_EINVAL;
	}
	return 0;
}

/* den? < indicator < split? < value; split cells {category, value} */
void body_value_pack(msgpack_packer *pk, const struct body_update *u, size_t i)
{
	const struct body_value *v = &u->v[i];

	msgpack_pack_map(pk, 2 + v->has_den + (v->n_split > 0));
	if (v->has_den)
		pk_double(pk, "den", v->den);
	mpx_kv_str(pk, "indicator", v->indicator);
	if (v->n_split > 0) {
		mpx_str(pk, "split");
		msgpack_pack_array(pk, v->n_split);
		for (size_t j = v->split; j < (size_t)v->split + v->n_split; j++) {
			msgpack_pack_map(pk, 2);
			mpx_kv_str(pk, "category", u->cell[j].category);
			pk_double(pk, "value", u->cell[j].value);
		}
	}
	pk_double(pk, "value", v->value);
}

int body_update(struct mpx_out *o, const struct body_update *u)
{
	size_t start;
	int rc;

	if (o == NULL || u == NULL)
		return PAKT_EINVAL;
	if (u->n > BODY_INDICATORS_MAX || u->n_cells > BODY_CELLS_MAX)
		return PAKT_ETOOBIG;
	if ((rc = chk_when(u->period, sizeof u->period, false)) != 0 ||
	    (rc = chk_str(u->text, sizeof u->text, 0, BODY_TEXT_MAX)) != 0)
		return rc;
	for (size_t i = 0; i < u->n; i++)
		if ((rc = chk_value(u, i)) != 0)
			return rc;
	start = o->sb.size;
	/* period < text < values */
	msgpack_pack_map(&o->pk, 3);
	mpx_kv_str(&o->pk, "period", u->period);
	mpx_kv_str(&o->pk, "text", u->text);
	mpx_str(&o->pk, "values");
	msgpack_pack_array(&o->pk, u->n);
	for (size_t i = 0; i < u->n; i++)
		body_value_pack(&o->pk, u, i);
	return chk_size(o, start);
}

int body_commitment(struct mpx_out *o, const struct body_commitment *c)
{
	bool has_desc, has_ind;
	size_t start;
	int rc;

	if (o == NULL || c == NULL || c->n_parties < 1)
		return PAKT_EINVAL;
	if (c->n_parties > BODY_PARTIES_MAX)
		return PAKT_ETOOBIG;
	if ((rc = chk_str(c->title, sizeof c->title, 1, BODY_TITLE_MAX)) != 0 ||
	    (rc = chk_str(c->description, sizeof c->description, 0,
			  BODY_TEXT_MAX)) != 0 ||
	    (rc = chk_when(c->due, sizeof c->due, true)) != 0)
		return rc;
	has_desc = c->description[0] != '\0';
	has_ind = c->indicator[0] != '\0';
	if (has_ind && (rc = chk_id(c->indicator, sizeof c->indicator)) != 0)
		return rc;
	if (c->has_target && (!has_ind || !isfinite(c->target)))
		return PAKT_EINVAL;
	for (size_t i = 0; i < c->n_parties; i++)
		if (body_earlier(c->parties, i, 32, 32))
			return PAKT_EINVAL;
	start = o->sb.size;
	/* description < due < indicator < parties < target < title */
	msgpack_pack_map(&o->pk, 3 + has_desc + has_ind + c->has_target);
	pk_opt_str(&o->pk, "description", c->description);
	mpx_kv_str(&o->pk, "due", c->due);
	pk_opt_str(&o->pk, "indicator", c->indicator);
	pk_bins(&o->pk, "parties", c->parties, c->n_parties, 32);
	if (c->has_target)
		pk_double(&o->pk, "target", c->target);
	mpx_kv_str(&o->pk, "title", c->title);
	return chk_size(o, start);
}

int body_ref(struct mpx_out *o, const char *type, const struct body_ref *r)
{
	int kind = body_ref_kind(type), rc;
	bool has_reason;

	if (o == NULL || r == NULL || kind < 0)
		return PAKT_EINVAL;
	if ((rc = chk_str(r->text, sizeof r->text, 0, BODY_REASON_MAX)) != 0)
		return rc;
	/* accept has no reason; decline's is optional; redact's required */
	if (kind == 0 && r->text[0] != '\0')
		return PAKT_EINVAL;
	if (kind == 2 && r->change)
		return PAKT_EINVAL;
	has_reason = kind == 2 || r->text[0] != '\0';
	/* "change" < "reason" < "ref" */
	msgpack_pack_map(&o->pk, 1 + has_reason + r->change);
	if (r->change)
		mpx_kv_bool(&o->pk, "change", true);
	if (has_reason)
		mpx_kv_str(&o->pk, "reason", r->text);
	mpx_kv_bin(&o->pk, "ref", r->ref, 32);
	return 0;
}

int body_succession(struct mpx_out *o, const struct body_succession *sc)
{
	if (o == NULL || sc == NULL)
		return PAKT_EINVAL;
	msgpack_pack_map(&o->pk, 2);
	mpx_kv_bin(&o->pk, "new", sc->new_key, 32);
	mpx_kv_bin(&o->pk, "proof", sc->proof, 64);
	return 0;
}

int body_revoke(struct mpx_out *o, const struct body_revoke *rv)
{
	int rc;

	if (o == NULL || rv == NULL)
		return PAKT_EINVAL;
	if ((rc = chk_str(rv->reason, sizeof rv->reason, 0, BODY_REASON_MAX)) != 0)
		return rc;
	msgpack_pack_map(&o->pk, 3);
	mpx_kv_u64(&o->pk, "after", rv->after);
	mpx_kv_bin(&o->pk, "key", rv->key, 32);
	mpx_kv_str(&o->pk, "reason", rv->reason);
	return 0;
}

int body_status(struct mpx_out *o, const struct body_status *st)
{
	int rc, i;

	if (o == NULL || st == NULL)
		return PAKT_EINVAL;
	if ((i = chk_name(body_states, st->state, sizeof st->state)) < 0)
		return PAKT_EINVAL;
	if ((rc = chk_str(st->note, sizeof st->note, 0, BODY_TEXT_MAX)) != 0)
		return rc;
	/* evidence < note < ref < reopen < state */
	msgpack_pack_map(&o->pk, 2 + (st->note[0] != '\0') + st->has_evidence + st->reopen);
	if (st->has_evidence)
		mpx_kv_bin(&o->pk, "evidence", st->evidence, 32);
	pk_opt_str(&o->pk, "note", st->note);
	mpx_kv_bin(&o->pk, "ref", st->ref, 32);
	if (st->reopen)
		mpx_kv_bool(&o->pk, "reopen", true);
	mpx_kv_str(&o->pk, "state", body_states[i]);
	return 0;
}

int body_profile(struct mpx_out *o, const struct body_profile *p)
{
	int rc, i;

	if (o == NULL || p == NULL)
		return PAKT_EINVAL;
	if ((i = chk_name(body_sectors, p->sector, sizeof p->sector)) < 0)
		return PAKT_EINVAL;
	if ((rc = chk_str(p->name, sizeof p->name, 1, BODY_NAME_MAX)) != 0 ||
	    (rc = chk_str(p->contact, sizeof p->contact, 0,
			  BODY_CONTACT_MAX)) != 0)
		return rc;
	if (p->n_addrs > BODY_ADDRS_MAX)
		return PAKT_ETOOBIG;
	for (size_t j = 0; j < p->n_addrs; j++) {
		size_t len = strnlen(p->addrs[j], sizeof p->addrs[j]);
		if (len == sizeof p->addrs[j])
			return PAKT_ETOOBIG;
		if (!body_addr_valid(p->addrs[j], len))
			return PAKT_EINVAL;
	}
	/* addresses < contact < name < sector */
	msgpack_pack_map(&o->pk, 2 + (p->contact[0] != '\0') + (p->n_addrs > 0));
	if (p->n_addrs > 0) {
		mpx_str(&o->pk, "addresses");
		msgpack_pack_array(&o->pk, p->n_addrs);
		for (size_t j = 0; j < p->n_addrs; j++)
			mpx_str(&o->pk, p->addrs[j]);
	}
	pk_opt_str(&o->pk, "contact", p->contact);
	mpx_kv_str(&o->pk, "name", p->name);
	mpx_kv_str(&o->pk, "sector", body_sectors[i]);
	return 0;
}

int body_checkpoint(struct mpx_out *o, const struct body_head *heads, size_t n)
{
	size_t start;

	if (o == NULL || (heads == NULL && n > 0))
		return PAKT_EINVAL;
	if (n > BODY_HEADS_MAX)
		return PAKT_ETOOBIG;
	for (size_t i = 0; i < n; i++)
		if (heads[i].seq < 1 || heads[i].seq > ENTRY_SEQ_MAX ||
		    body_earlier(heads[0].author, i, sizeof heads[0], 32))
			return PAKT_EINVAL;
	start = o->sb.size;
	msgpack_pack_map(&o->pk, 1);
	mpx_str(&o->pk, "heads");
	msgpack_pack_array(&o->pk, n);
	for (size_t i = 0; i < n; i++) {
		msgpack_pack_array(&o->pk, 3);
		mpx_bin(&o->pk, heads[i].author, 32);
		msgpack_pack_uint64(&o->pk, heads[i].seq);
		mpx_bin(&o->pk, heads[i].hash, 32);
	}
	return chk_size(o, start);
}

