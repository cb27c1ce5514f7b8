/* Control ops of working together: agenda and measurement, commitments,
 * audit, redaction, profiles, checkpoints. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "daemon/ctl_priv.h"
#include "daemon/ledger_load.h"
#include "daemon/log.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/verify.h"
#include "proto/body.h"
#include "proto/date.h"
#include "proto/bundle.h"
#include "proto/ctlmsg.h"
#include "proto/err.h"
#include "proto/id.h"

static int64_t today_days(void)
{
	return (int64_t)(node_now_ms() / 86400000u);
}

/* Sign, store and reply {"hash", "ok", "seq"}. */
static void append_reply(struct ctl_client *cl, struct repl_net *rn, const char *type,
			 struct mpx_out *body)
{
	struct node *n = cl->ctl->node;
	char why[256] = "";
	struct entry e;
	struct mpx_out o;
	int rc = node_append(n, rn->id, type, (const uint8_t *)body->sb.data, body->sb.size, &e,
			     why, sizeof why);

	if (rc != 0) {
		ctl_send_error(cl, rc, why[0] ? why : pakt_strerror(rc));
		return;
	}
	mpx_init(&o);
	ctl_begin(&o);
	msgpack_pack_map(&o.pk, 3);
	mpx_kv_bin(&o.pk, "hash", e.hash, 32);
	mpx_kv_bool(&o.pk, "ok", true);
	mpx_kv_u64(&o.pk, "seq", e.h.seq);
	ctl_finish(&o);
	ctl_client_send(cl, &o);
	mpx_free(&o);
}

/* Build a body with fn(o, arg), answer a builder error, else append. */
static void build_append(struct ctl_client *cl, struct repl_net *rn, const char *type,
			 int rc_build, struct mpx_out *body)
{
	if (rc_build != 0) {
		char msg[160];

		snprintf(msg, sizeof msg, "%s: %s", type, pakt_strerror(rc_build));
		ctl_send_error(cl, rc_build, msg);
		return;
	}
	append_reply(cl, rn, type, body);
}

static bool get_double(const msgpack_object *map, const char *key, double *v)
{
	const msgpack_object *o = mpx_get(map, key);

	if (o == NULL)
		return false;
	if (o->type == MSGPACK_OBJECT_FLOAT64 || o->type == MSGPACK_OBJECT_FLOAT32)
		*v = o->via.f64;
	else if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		*v = (double)o->via.u64;
	else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		*v = (double)o->via.i64;
	else
		return false;
	return isfinite(*v);
}

static const msgpack_object *get_array(const msgpack_object *map, const char *key)
{
	const msgpack_object *o = mpx_get(map, key);

	return o && o->type == MSGPACK_OBJECT_ARRAY ? o : NULL;
}

static const struct body_indicator *agenda_indicator(const struct ledger *l, const char *id)
{
	for (size_t i = 0; l->has_agenda && i < l->agenda.n; i++)
		if (strcmp(l->agenda.ind[i].id, id) == 0)
			return &l->agenda.ind[i];
	return NULL;
}

static bool load(struct ctl_client *cl, struct repl_net *rn, struct ledger *l)
{
	int rc = ledger_load(l, cl->ctl->node->store, rn->id, &rn->members);

	if (rc != 0)
		ctl_send_error(cl, rc, store_errmsg(cl->ctl->node->store));
	return rc == 0;
}

/* ---- agenda and measurement ---- */

void op_agenda_set(struct ctl_client *cl, const msgpack_object *req)
{
	struct repl_net *rn = ctl_network(cl, req);
	struct body_agenda *a;
	const msgpack_object *inds;
	struct mpx_out body;

	if (rn == NULL)
		return;
	if (!roster_is_admin(&rn->members, cl->ctl->node->id.pk)) {
		ctl_send_error(cl, PAKT_EPERM, "only an admin can set the agenda");
		return;
	}
	a = calloc(1, sizeof *a);
	if (a == NULL) {
		ctl_send_error(cl, PAKT_ENOMEM, "out of memory");
		return;
	}
	inds = get_array(req, "indicators");
	if (mpx_get_cstr(req, "goal", a->goal, sizeof a->goal) != 0 || inds == NULL ||
	    inds->via.array.size == 0 || inds->via.array.size > BODY_INDICATORS_MAX) {
		ctl_send_error(cl, PAKT_EINVAL, "an agenda needs a goal and 1 to 32 indicators");
		free(a);
		return;
	}
	for (uint32_t i = 0; i < inds->via.array.size; i++) {
		const msgpack_object *x = &inds->via.array.ptr[i];
		struct body_indicator *d = &a->ind[a->n++];
		char dir[8] = "up";

		if (x->type != MSGPACK_OBJECT_MAP || mpx_get_cstr(x, "id", d->id, sizeof d->id) != 0 ||
		    mpx_get_cstr(x, "name", d->name, sizeof d->name) != 0 ||
		    mpx_get_cstr(x, "unit", d->unit, sizeof d->unit) != 0) {
			ctl_send_error(cl, PAKT_EINVAL, "each indicator needs id, name and unit");
			free(a);
			return;
		}
		d->has_target = get_double(x, "target", &d->target);
		mpx_get_cstr(x, "direction", dir, sizeof dir);
		d->down = strcmp(dir, "down") == 0;
	}
	mpx_init(&body);
	build_append(cl, rn, "agenda", body_agenda(&body, a), &body);
	mpx_free(&body);
	free(a);
}

static void pack_indicator(msgpack_packer *pk, const struct body_indicator *d)
{
	msgpack_pack_map(pk, 4 + d->has_target);
	mpx_kv_str(pk, "direction", d->down ? "down" : "up");
	mpx_kv_str(pk, "id", d->id);
	mpx_kv_str(pk, "name", d->name);
	if (d->has_target) {
		mpx_str(pk, "target");
		msgpack_pack_double(pk, d->target);
	}
	mpx_kv_str(pk, "unit", d->unit);
}

void op_agenda(struct ctl_client *cl, const msgpack_object *req)
{
	struct repl_net *rn = ctl_network(cl, req);
	struct ledger l;
	struct mpx_out o;

	if (rn == NULL || !load(cl, rn, &l))
		return;
	if (!l.has_agenda) {
		ctl_send_error(cl, PAKT_ENOTFOUND, "no agenda yet: an admin sets one with 'pakt agenda set'");
		ledger_free(&l);
		return;
	}
	mpx_init(&o);
	ctl_begin(&o);
	msgpack_pack_map(&o.pk, 6);
	mpx_kv_str(&o.pk, "goal", l.agenda.goal);
	mpx_kv_u64(&o.pk, "history", l.n_agendas);
	mpx_str(&o.pk, "indicators");
	msgpack_pack_array(&o.pk, (uint32_t)l.agenda.n);
	for (size_t i = 0; i < l.agenda.n; i++)
		pack_indicator(&o.pk, &l.agenda.ind[i]);
	mpx_kv_bool(&o.pk, "ok", true);
	mpx_kv_u64(&o.pk, "set_at", l.agenda_at);
	mpx_kv_bin(&o.pk, "set_by", l.agenda_by, 32);
	ctl_finish(&o);
	ctl_client_send(cl, &o);
	mpx_free(&o);
	ledger_free(&l);
}

void op_update(struct ctl_client *cl, const msgpack_object *req)
{
	struct repl_net *rn = ctl_network(cl, req);
	struct body_update *u;
	const msgpack_object *vals;
	struct ledger l;
	struct mpx_out body;
	int64_t from, to;

	if (rn == NULL)
		return;
	u = calloc(1, sizeof *u);
	if (u == NULL) {
		ctl_send_error(cl, PAKT_ENOMEM, "out of memory");
		return;
	}
	if (mpx_get_cstr(req, "text", u->text, sizeof u->text) != 0) {
		ctl_send_error(cl, PAKT_EINVAL, "an update needs its text (at most 8192 bytes)");
		goto out_u;
	}
	if (mpx_get_cstr(req, "period", u->period, sizeof u->period) != 0) {
		time_t now = (time_t)(node_now_ms() / 1000);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(u->period, sizeof u->period, "%Y-%m", &tm);
	}
	if (date_period_parse(u->period, &from, &to) != 0) {
		ctl_send_error(cl, PAKT_EINVAL, "period must be YYYY, YYYY-Qn, YYYY-MM, YYYY-MM-DD or FROM..TO");
		goto out_u;
	}
	vals = get_array(req, "values");
	if (!load(cl, rn, &l))
		goto out_u;
	/* every value checked against the agenda before anything is signed */
	for (uint32_t i = 0; vals && i < vals->via.array.size; i++) {
		const msgpack_object *x = &vals->via.array.ptr[i];
		struct body_value *v = &u->v[u->n];
		char msg[160];

		if (u->n == BODY_INDICATORS_MAX || x->type != MSGPACK_OBJECT_MAP ||
		    mpx_get_cstr(x, "indicator", v->indicator, sizeof v->indicator) != 0 ||
		    !get_double(x, "value", &v->value)) {
			ctl_send_error(cl, PAKT_EINVAL, "values must be INDICATOR=NUMBER");
			goto out_l;
		}
		if (agenda_indicator(&l, v->indicator) == NULL) {
			snprintf(msg, sizeof msg, "unknown indicator '%s': the agenda has %s", v->indicator,
				 l.has_agenda ? "other indicators (see pakt agenda)" : "none yet");
			ctl_send_error(cl, PAKT_EINVAL, msg);
			goto out_l;
		}
		u->n++;
	}
	mpx_init(&body);
	build_append(cl, rn, "update", body_update(&body, u), &body);
	mpx_free(&body);
out_l:
	ledger_free(&l);
out_u:
	free(u);
}

void op_metrics(struct ctl_client *cl, const msgpack_object *req)
{
	struct repl_net *rn = ctl_network(cl, req);
	struct ledger l;
	struct mpx_out o;
	uint32_t rows = 0;

	if (rn == NULL || !load(cl, rn, &l))
		return;
	for (size_t i = 0; i < l.n_upd; i++)
		for (size_t j = 0; j < l.upd[i].n; j++)
			rows += agenda_indicator(&l, l.upd[i].v[j].indicator) != NULL;
	mpx_init(&o);
	ctl_begin(&o);
	msgpack_pack_map(&o.pk, 3);
	mpx_str(&o.pk, "indicators");
	msgpack_pack_array(&o.pk, l.has_agenda ? (uint32_t)l.agenda.n : 0);
	for (size_t i = 0; l.has_agenda && i < l.agenda.n; i++)
		pack_indicator(&o.pk, &l.agenda.ind[i]);
	mpx_kv_bool(&o.pk, "ok", true);
	mpx_str(&o.pk, "rows");
	msgpack_pack_array(&o.pk, rows);
	for (size_t i = 0; i < l.n_upd; i++) {
		const struct ledger_update *u = &l.upd[i];

		for (size_t j = 0; j < u->n; j++) {
			if (agenda_indicator(&l, u->v[j].indicator) == NULL)
				continue;
			msgpack_pack_map(&o.pk, 8);
			mpx_kv_u64(&o.pk, "at", u->at);
			mpx_kv_bin(&o.pk, "author", u->author, 32);
			mpx_kv_i64(&o.pk, "from", u->from);
			mpx_kv_str(&o.pk, "indicator", u->v[j].indicator);
			mpx_kv_str(&o.pk, "name", ledger_name(&l, &rn->members, u->author));
			mpx_kv_str(&o.pk, "period", u->period);
			mpx_kv_i64(&o.pk, "to", u->to);
			mpx_str(&o.pk, "value");
			msgpack_pack_double(&o.pk, u->v[j].value);
		}
	}
	ctl_finish(&o);
	ctl_client_send(cl, &o);
	mpx_free(&o);
	ledger_free(&l);
}

/* ---- commitments ---- */

void op_commit(struct ctl_client *cl, const msgpack_object *req)
{
	struct repl_net *rn = ctl_network(cl, req);
	struct body_commitment *c;
	const msgpack_object *parties;
	struct ledger l;
	struct mpx_out body;
	int64_t due;
	char msg[200];

	if (rn == NULL)
		return;
	c = calloc(1, sizeof *c);
	if (c == NULL) {
		ctl_send_error(cl, PAKT_ENOMEM, "out of memory");
		return;
	}
	parties = get_array(req, "parties");
	if (mpx_get_cstr(req, "title", c->title, sizeof c->title) != 0 ||
	    mpx_get_cstr(req, "due", c->due, sizeof c->due) != 0 || date_parse(c->due, &due) != 0 ||
	    parties == NULL || parties->via.array.size == 0 ||
	    parties->via.array.size > BODY_PARTIES_MAX) {
		ctl_send_error(cl, PAKT_EINVAL, "a commitment needs a title, a due date YYYY-MM-DD and 1 to 16 parties");
		free(c);
		return;
	}
	mpx_get_cstr(req, "description", c->description, sizeof c->description);
	mpx_get_cstr(req, "indicator", c->indicator, sizeof c->indicator);
	c->has_target = get_double(req, "target", &c->target);
	for (uint32_t i = 0; i < parties->via.array.size; i++) {
		const msgpack_object *x = &parties->via.array.ptr[i];

		if (x->type != MSGPACK_OBJECT_BIN || x->via.bin.size != 32 ||
		    roster_find(&rn->members, (const uint8_t *)x->via.bin.ptr) == NULL) {
			ctl_send_error(cl, PAKT_ENOTMEMBER, "every party must be a current member (see pakt members)");
			free(c);
			return;
		}
		memcpy(c->parties[c->n_parties++], x->via.bin.ptr, 32);
	}
	if (c->indicator[0] != '\0') {
		if (!load(cl, rn, &l)) {
			free(c);
			return;
		}
		bool known = agenda_indicator(&l, c->indicator) != NULL;

		ledger_free(&l);
		if (!known) {
			snprintf(msg, sizeof msg, "unknown indicator '%s' (see pakt agenda)", c->indicator);
			ctl_send_error(cl, PAKT_EINVAL, msg);
			free(c);
			return;
		}
	}
	mpx_init(&body);
	build_append(cl, rn, "commitment", body_commitment(&body, c), &body);
	mpx_free(&body);
	free(c);
}

/* accept, decline, progress: a reference to a commitment this node may answer. */
static void respond(struct ctl_client *cl, const msgpack_object *req, const char *type)
{
	struct node *n = cl->ctl->node;
	struct repl_net *rn = ctl_network(cl, req);
	const struct ledger_commit *c;
	struct ledger l;
	struct mpx_out body;
	uint8_t ref[32];
	bool has;
	int rc;

	if (rn == NULL || ctl_opt_bin32(cl, req, "ref", ref, &has) != 0)
		return;
	if (!has) {
		ctl_send_error(cl, PAKT_EINVAL, "the commitment's id (en_...) is required");
		return;
	}
	if (!load(cl, rn, &l))
		return;
	c = ledger_commit_find(&l, ref);
	if (c == NULL) {
		ctl_send_error(cl, PAKT_ENOTFOUND, "no such commitment here (see pakt commitments)");
		goto out;
	}
	mpx_init(&body);
	if (strcmp(type, "status") == 0) {
		struct body_status st = {0};

		if (!ledger_may_report(&rn->members, c, n->id.pk)) {
			ctl_send_error(cl, PAKT_EPERM, "only the commitment's author or a party can report progress");
			goto out_b;
		}
		memcpy(st.ref, ref, 32);
		if (mpx_get_cstr(req, "state", st.state, sizeof st.state) != 0) {
			ctl_send_error(cl, PAKT_EINVAL, "state must be in-progress, fulfilled, missed or withdrawn");
			goto out_b;
		}
		mpx_get_cstr(req, "note", st.note, sizeof st.note);
		if (ctl_opt_bin32(cl, req, "evidence", st.evidence, &st.has_evidence) != 0)
			goto out_b;
		rc = body_status(&body, &st);
	} else {
		struct body_ref r = {0};

		if (!ledger_is_party(&rn->members, c, n->id.pk)) {
			ctl_send_error(cl, PAKT_EPERM, "this organisation is not a party of that commitment");
			goto out_b;
		}
		memcpy(r.ref, ref, 32);
		mpx_get_cstr(req, "reason", r.text, sizeof r.text);
		rc = body_ref(&body, type, &r);
	}
	build_append(cl, rn, type, rc, &body);
out_b:
	mpx_free(&body);
out:
	ledger_free(&l);
}

void op_accept(struct ctl_client *cl, const msgpack_object *req)
{
	respond(cl, req, "accept");
}

void op_decline(struct ctl_client *cl, const msgpack_object *req)
{
	respond(cl, req, "decline");
}

void op_progress(struct ctl_client *cl, const msgpack_object *req)
{
	respond(cl, req, "status");
}

/* One commitment with everything the listing and the audit show. */
static void pack_commit(msgpack_packer *pk, const struct ledger *l, const struct roster *m,
			const struct ledger_commit *c, bool audit)
{
	const char *state, *outcome = ledger_outcome(c, today_days(), &state);

	msgpack_pack_map(pk, 14 + (audit ? 2 : 0) + c->c.has_target);
	mpx_kv_u64(pk, "at", c->at);
	mpx_kv_bin(pk, "author", c->author, 32);
	mpx_kv_str(pk, "author_name", ledger_name(l, m, c->author));
	mpx_kv_bool(pk, "countersigned", ledger_countersigned(m, c));
	mpx_kv_str(pk, "description", c->c.description);
	mpx_kv_str(pk, "due", c->c.due);
	mpx_kv_bin(pk, "hash", c->hash, 32);
	mpx_kv_str(pk, "indicator", c->c.indicator);
	if (audit) {
		/* confirmed on time: a checkpoint by someone else covering the
		 * fulfilment, dated no later than the due day */
		bool confirmed = false;

		for (size_t i = 0; i < c->n_st; i++) {
			if (strcmp(c->st[i].state, "fulfilled") != 0)
				continue;
			uint64_t at = ledger_first_witness(l, c->st[i].by, c->st[i].seq, c->st[i].hash);
			confirmed = at != 0 && (int64_t)(at / 86400000u) <= c->due_day;
			break;
		}
		mpx_kv_bool(pk, "on_time_confirmed", confirmed);
	}
	mpx_kv_str(pk, "outcome", outcome);
	mpx_str(pk, "parties");
	msgpack_pack_array(pk, (uint32_t)c->c.n_parties);
	for (size_t p = 0; p < c->c.n_parties; p++) {
		const struct ledger_response *r = ledger_answer(m, c, c->c.parties[p]);

		msgpack_pack_map(pk, 4);
		mpx_kv_u64(pk, "at", r ? r->at : 0);
		mpx_kv_bin(pk, "key", c->c.parties[p], 32);
		mpx_kv_str(pk, "name", ledger_name(l, m, c->c.parties[p]));
		mpx_kv_str(pk, "response", r ? (r->accepted ? "accepted" : "declined") : "none");
	}
	if (audit) {
		uint32_t n = 0;

		for (size_t k = 0; k < m->n; k++)
			n += ledger_witnessed(l, m->v[k].key, c->author, c->seq, c->hash) != 0;
		mpx_str(pk, "received_by");
		msgpack_pack_array(pk, n);
		for (size_t k = 0; k < m->n; k++) {
			uint64_t at;

			if ((at = ledger_witnessed(l, m->v[k].key, c->author, c->seq, c->hash)) == 0)
				continue;
			msgpack_pack_map(pk, 3);
			mpx_kv_u64(pk, "at", at);
			mpx_kv_bin(pk, "key", m->v[k].key, 32);
			mpx_kv_str(pk, "name", ledger_name(l, m, m->v[k].key));
		}
	}
	mpx_kv_u64(pk, "seq", c->seq);
	mpx_kv_str(pk, "state", state);
	mpx_str(pk, "statuses");
	msgpack_pack_array(pk, (uint32_t)c->n_st);
	for (size_t i = 0; i < c->n_st; i++) {
		msgpack_pack_map(pk, 5);
		mpx_kv_u64(pk, "at", c->st[i].at);
		mpx_kv_bin(pk, "by", c->st[i].by, 32);
		mpx_kv_str(pk, "by_name", ledger_name(l, m, c->st[i].by));
		mpx_kv_str(pk, "note", c->st[i].note);
		mpx_kv_str(pk, "state", c->st[i].state);
	}
	if (c->c.has_target) {
		mpx_str(pk, "target");
		msgpack_pack_double(pk, c->c.target);
	}
	mpx_kv_str(pk, "title", c->c.title);
}

static bool commit_selected(const struct roster *m, const struct ledger_commit *c,
			    const char *filter, const uint8_t *party, const uint8_t self[32])
{
	const char *state, *outcome = ledger_outcome(c, today_days(), &state);

	if (party && !ledger_may_report(m, c, party))
		return false;
	if (strcmp(filter, "mine") == 0)
		return ledger_may_report(m, c, self);
	if (strcmp(filter, "open") == 0)
		return strcmp(outcome, "open") == 0 || strcmp(outcome, "overdue") == 0;
	if (strcmp(filter, "overdue") == 0)
		return strcmp(outcome, "overdue") == 0;
	return true;
}

void op_commitments(struct ctl_client *cl, const msgpack_object *req)
{
	struct repl_net *rn = ctl_network(cl, req);
	char filter[16] = "";
	uint8_t party[32];
	bool has_party;
	struct ledger l;
	struct mpx_out o;
	uint32_t n = 0;

	if (rn == NULL || ctl_opt_bin32(cl, req, "party", party, &has_party) != 0)
		return;
	mpx_get_cstr(req, "filter", filter, sizeof filter);
	if (!load(cl, rn, &l))
		return;
	const uint8_t *self = cl->ctl->node->id.pk;
	for (size_t i = 0; i < l.n_com; i++)
		n += commit_selected(&rn->members, &l.com[i], filter, has_party ? party : NULL, self);
	mpx_init(&o);
	ctl_begin(&o);
	msgpack_pack_map(&o.pk, 2);
	mpx_str(&o.pk, "commitments");
	msgpack_pack_array(&o.pk, n);
	for (size_t i = 0; i < l.n_com; i++)
		if (commit_selected(&rn->members, &l.com[i], filter, has_party ? party : NULL, self))
			pack_commit(&o.pk, &l, &rn->members, &l.com[i], false);
	mpx_kv_bool(&o.pk, "ok", true);
	ctl_finish(&o);
	ctl_client_send(cl, &o);
	mpx_free(&o);
	ledger_free(&l);
}

/* ---- audit: in the thread pool, on its own read-only connection ---- */

struct audit_job {
	uv_work_t req;
	struct ctl_client *cl;
	char db_path[DATADIR_PATH_MAX];
	uint8_t network[32];
	bool has_author;
	uint8_t author[32];
	struct mpx_out out;
	int rc;
	char why[256];
};

struct fork_ctx {
	struct store *s;
	msgpack_packer *pk;
	bool count_only;
	uint32_t n;
	const uint8_t *author;
};

static int on_fork_row(void *arg, const struct store_row *row)
{
	struct fork_ctx *f = arg;
	uint8_t a[32];

	if (f->author && memcmp(row->author, f->author, 32) != 0)
		return 0;
	f->n++;
	if (f->count_only)
		return 0;
	if (store_hash_at(f->s, row->network, row->author, row->seq, a) != 0)
		memset(a, 0, 32);
	msgpack_pack_map(f->pk, 4);
	mpx_kv_bin(f->pk, "a", a, 32);
	mpx_kv_bin(f->pk, "author", row->author, 32);
	mpx_kv_bin(f->pk, "b", row->hash, 32);
	mpx_kv_u64(f->pk, "seq", row->seq);
	return 0;
}

/* Order checkpoint heads by (author, seq, hash). */
static int head_cmp(const void *pa, const void *pb)
{
	const struct body_head *a = *(const struct body_head *const *)pa;
	const struct body_head *b = *(const struct body_head *const *)pb;
	int c = memcmp(a->author, b->author, 32);

	if (c != 0)
		return c;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return memcmp(a->hash, b->hash, 32);
}

/* key (or another key of the same member) made c or accepted it. */
static bool involved(const struct roster *m, const struct ledger_commit *c, const uint8_t key[32])
{
	if (roster_same(m, c->author, key))
		return true;
	for (size_t i = 0; i < c->n_resp; i++)
		if (roster_same(m, c->resp[i].who, key) && c->resp[i].accepted)
			return true;
	return false;
}

/* The audit has one row per member, under its current key: the key of
 * record k if k is a member's first key (following its successions),
 * NULL for a successor (counted in its first key's row). */
static const uint8_t *org_key(const struct roster *m, size_t k)
{
	const struct roster_member *cur = &m->v[k], *next;

	if (memcmp(cur->root, cur->key, 32) != 0)
		return NULL;
	while (cur->has_successor && (next = roster_lookup(m, cur->successor)) != NULL)
		cur = next;
	return cur->key;
}

static void audit_build(struct audit_job *j, struct store *s)
{
	struct verify_result vr;
	struct roster m = {0};
	struct ledger l;
	struct fork_ctx fc = {.s = s, .count_only = true, .author = j->has_author ? j->author : NULL};
	msgpack_packer *pk = &j->out.pk;
	const uint8_t *who = j->has_author ? j->author : NULL;
	uint32_t n_bad = 0, n_com = 0, n_an = 0, n_red = 0;

	if ((j->rc = verify_store(s, &vr)) != 0)
		return;
	if ((j->rc = members_load(&m, s, j->network)) != 0 ||
	    (j->rc = ledger_load(&l, s, j->network, &m)) != 0) {
		verify_result_free(&vr);
		roster_free(&m);
		return;
	}
	for (size_t i = 0; i < vr.bad_len; i++)
		n_bad += memcmp(vr.bad[i].network, j->network, 32) == 0 &&
			 (!who || memcmp(vr.bad[i].author, who, 32) == 0);
	store_forks(s, j->network, on_fork_row, &fc);
	for (size_t i = 0; i < l.n_com; i++)
		n_com += !who || involved(&m, &l.com[i], who) || ledger_is_party(&m, &l.com[i], who);
	for (size_t i = 0; i < l.n_an; i++)
		n_an += !who || memcmp(l.an[i].author, who, 32) == 0;
	for (size_t i = 0; i < l.n_red; i++)
		n_red += !who || memcmp(l.red[i].author, who, 32) == 0;

	ctl_begin(&j->out);
	msgpack_pack_map(pk, 8);
	mpx_str(pk, "anomalies");
	msgpack_pack_array(pk, n_an);
	for (size_t i = 0; i < l.n_an; i++) {
		const struct ledger_anomaly *a = &l.an[i];

		if (who && memcmp(a->author, who, 32) != 0)
			continue;
		msgpack_pack_map(pk, 5);
		mpx_kv_bin(pk, "author", a->author, 32);
		mpx_kv_bin(pk, "hash", a->hash, 32);
		mpx_kv_str(pk, "name", ledger_name(&l, &m, a->author));
		mpx_kv_u64(pk, "seq", a->seq);
		mpx_kv_str(pk, "what", a->what);
	}
	mpx_str(pk, "bad");
	msgpack_pack_array(pk, n_bad);
	for (size_t i = 0; i < vr.bad_len; i++) {
		const struct verify_bad *b = &vr.bad[i];

		if (memcmp(b->network, j->network, 32) != 0 || (who && memcmp(b->author, who, 32) != 0))
			continue;
		msgpack_pack_map(pk, 3);
		mpx_kv_bin(pk, "author", b->author, 32);
		mpx_kv_str(pk, "reason", b->reason);
		mpx_kv_u64(pk, "seq", b->seq);
	}
	mpx_kv_u64(pk, "checked", vr.checked);
	mpx_str(pk, "commitments");
	msgpack_pack_array(pk, n_com);
	for (size_t i = 0; i < l.n_com; i++)
		if (!who || involved(&m, &l.com[i], who) || ledger_is_party(&m, &l.com[i], who))
			pack_commit(pk, &l, &m, &l.com[i], true);
	/* partners as witnesses: two checkpoints naming different hashes at
	 * one (author, seq) prove a fork even if no node holds both entries.
	 * Sorting all heads puts such pairs next to each other. */
	struct witnessed { const struct body_head *a, *b; } *wf = NULL;
	size_t n_wf = 0, n_heads = 0;
	const struct body_head **all;
	for (size_t i = 0; i < l.n_cp; i++)
		n_heads += l.cp[i].n;
	all = calloc(n_heads + 1, sizeof *all);
	if (all != NULL) {
		size_t k = 0;

		for (size_t i = 0; i < l.n_cp; i++)
			for (size_t x = 0; x < l.cp[i].n; x++)
				if (!who || memcmp(l.cp[i].heads[x].author, who, 32) == 0)
					all[k++] = &l.cp[i].heads[x];
		qsort(all, k, sizeof *all, head_cmp);
		for (size_t i = 1; i < k; i++) {
			const struct body_head *ha = all[i - 1], *hb = all[i];
			struct witnessed *v;

			if (ha->seq != hb->seq || memcmp(ha->author, hb->author, 32) != 0 ||
			    memcmp(ha->hash, hb->hash, 32) == 0)
				continue;
			if ((v = realloc(wf, (n_wf + 1) * sizeof *v)) == NULL)
				break;
			wf = v;
			wf[n_wf++] = (struct witnessed){ha, hb};
		}
		free(all);
	}
	mpx_str(pk, "forks");
	msgpack_pack_array(pk, fc.n + (uint32_t)n_wf);
	fc.count_only = false;
	fc.pk = pk;
	fc.n = 0;
	store_forks(s, j->network, on_fork_row, &fc);
	for (size_t i = 0; i < n_wf; i++) {
		msgpack_pack_map(pk, 5);
		mpx_kv_bin(pk, "a", wf[i].a->hash, 32);
		mpx_kv_bin(pk, "author", wf[i].a->author, 32);
		mpx_kv_bin(pk, "b", wf[i].b->hash, 32);
		mpx_kv_u64(pk, "seq", wf[i].a->seq);
		mpx_kv_str(pk, "seen_in", "partners' checkpoints");
	}
	free(wf);
	mpx_kv_bool(pk, "ok", n_bad == 0 && fc.n == 0 && n_wf == 0);
	/* per organisation: every member, with what it promised and kept */
	uint32_t n_orgs = 0;
	for (size_t k = 0; k < m.n; k++)
		n_orgs += org_key(&m, k) && (!who || roster_same(&m, org_key(&m, k), who));
	mpx_str(pk, "orgs");
	msgpack_pack_array(pk, n_orgs);
	for (size_t k = 0; k < m.n; k++) {
		const uint8_t *key = org_key(&m, k);
		uint64_t made = 0, accepted = 0, kept = 0, late = 0, missed = 0, open = 0;

		if (key == NULL || (who && !roster_same(&m, key, who)))
			continue;
		for (size_t i = 0; i < l.n_com; i++) {
			const struct ledger_commit *c = &l.com[i];
			const char *state, *out = ledger_outcome(c, today_days(), &state);
			bool mine = roster_same(&m, c->author, key);

			made += mine;
			if (!mine && involved(&m, c, key))
				accepted++;
			if (!involved(&m, c, key))
				continue;
			kept += strcmp(out, "kept") == 0;
			late += strcmp(out, "late") == 0;
			missed += strcmp(out, "missed") == 0 || strcmp(out, "overdue") == 0;
			open += strcmp(out, "open") == 0;
		}
		msgpack_pack_map(pk, 8);
		mpx_kv_u64(pk, "accepted", accepted);
		mpx_kv_bin(pk, "key", key, 32);
		mpx_kv_u64(pk, "kept", kept);
		mpx_kv_u64(pk, "late", late);
		mpx_kv_u64(pk, "made", made);
		mpx_kv_u64(pk, "missed", missed);
		mpx_kv_str(pk, "name", ledger_name(&l, &m, key));
		mpx_kv_u64(pk, "open", open);
	}
	mpx_str(pk, "redactions");
	msgpack_pack_array(pk, n_red);
	for (size_t i = 0; i < l.n_red; i++) {
		const struct ledger_redaction *r = &l.red[i];

		if (who && memcmp(r->author, who, 32) != 0)
			continue;
		msgpack_pack_map(pk, 5);
		mpx_kv_u64(pk, "at", r->at);
		mpx_kv_bin(pk, "author", r->author, 32);
		mpx_kv_str(pk, "reason", r->reason);
		mpx_kv_bin(pk, "ref", r->ref, 32);
		mpx_kv_u64(pk, "seq", r->seq);
	}
	if (ctl_finish(&j->out) != 0)
		j->rc = PAKT_ETOOBIG;
	ledger_free(&l);
	roster_free(&m);
	verify_result_free(&vr);
}

static void audit_work(uv_work_t *req)
{
	struct audit_job *j = req->data;
	struct store *s;

	j->rc = store_open(&s, j->db_path, true, j->why, sizeof j->why);
	if (j->rc != 0)
		return;
	audit_build(j, s);
	if (j->rc != 0 && j->why[0] == '\0')
		snprintf(j->why, sizeof j->why, "%s", pakt_strerror(j->rc));
	store_close(s);
}

static void audit_done(uv_work_t *req, int status)
{
	struct audit_job *j = req->data;
	struct ctl_client *cl = j->cl;

	cl->busy = false;
	if (cl->closed)
		ctl_client_free(cl);
	else if (status != 0 || j->rc != 0)
		ctl_send_error(cl, j->rc ? j->rc : PAKT_EIO, j->why[0] ? j->why : "the audit could not run");
	else
		ctl_client_send(cl, &j->out);
	mpx_free(&j->out);
	free(j);
}

void op_audit(struct ctl_client *cl, const msgpack_object *req)
{
	struct repl_net *rn = ctl_network(cl, req);
	struct audit_job *j;

	if (rn == NULL)
		return;
	j = calloc(1, sizeof *j);
	if (j == NULL) {
		ctl_send_error(cl, PAKT_ENOMEM, "out of memory");
		return;
	}
	if (ctl_opt_bin32(cl, req, "author", j->author, &j->has_author) != 0) {
		free(j);
		return;
	}
	j->req.data = j;
	j->cl = cl;
	memcpy(j->network, rn->id, 32);
	snprintf(j->db_path, sizeof j->db_path, "%s", cl->ctl->node->db_path);
	mpx_init(&j->out);
	if (uv_queue_work(cl->ctl->node->loop, &j->req, audit_work, audit_done) != 0) {
		mpx_free(&j->out);
		free(j);
		ctl_send_error(cl, PAKT_EIO, "could not start the audit");
		return;
	}
	cl->busy = true;
}

/* ---- redaction, profiles, checkpoints ---- */

struct own_row {
	bool found;
	uint8_t author[32];
	uint8_t network[32];
	char type[ENTRY_TYPE_MAX + 1];
};

static int note_row(void *arg, const struct store_row *row)
{
	struct own_row *o = arg;

	o->found = true;
	memcpy(o->author, row->author, 32);
	memcpy(o->network, row->network, 32);
	snprintf(o->type, sizeof o->type, "%s", row->type);
	return 0;
}

void op_redact(struct ctl_client *cl, const msgpack_object *req)
{
	struct node *n = cl->ctl->node;
	struct own_row row = {0};
	struct body_ref r = {0};
	struct repl_net *rn;
	struct mpx_out body;
	bool has;

	if (ctl_opt_bin32(cl, req, "ref", r.ref, &has) != 0)
		return;
	if (!has || mpx_get_cstr(req, "reason", r.text, sizeof r.text) != 0) {
		ctl_send_error(cl, PAKT_EINVAL, "redact needs the entry's id (en_...) and a reason");
		return;
	}
	if (store_get(n->store, r.ref, note_row, &row) != 0 || !row.found) {
		ctl_send_error(cl, PAKT_ENOTFOUND, "no such entry here");
		return;
	}
	if (memcmp(row.author, n->id.pk, 32) != 0) {
		ctl_send_error(cl, PAKT_EPERM, "only an entry's author can redact it");
		return;
	}
	if (!repl_redactable(row.type)) {
		char msg[200];

		snprintf(msg, sizeof msg, "a %s entry is part of the record and cannot be redacted "
			 "(only message, update, sealed and profile entries carry content to erase)", row.type);
		ctl_send_error(cl, PAKT_EPERM, msg);
		return;
	}
	if (repl_net_open(n, row.network, &rn) != 0) {
		ctl_send_error(cl, PAKT_EIO, "cannot open the initiative");
		return;
	}
	mpx_init(&body);
	/* the redact entry is stored and announced; repl_local_stored drops
	 * the body here, and every peer does the same when it arrives */
	build_append(cl, rn, "redact", body_ref(&body, "redact", &r), &body);
	mpx_free(&body);
}

void op_profile_set(struct ctl_client *cl, const msgpack_object *req)
{
	struct repl_net *rn = ctl_network(cl, req);
	struct body_profile p = {0};
	const msgpack_object *addrs;
	struct mpx_out body;

	if (rn == NULL)
		return;
	if (mpx_get_cstr(req, "name", p.name, sizeof p.name) != 0 ||
	    mpx_get_cstr(req, "sector", p.sector, sizeof p.sector) != 0) {
		ctl_send_error(cl, PAKT_EINVAL, "a profile needs a name and a sector (ngo, public, business, other)");
		return;
	}
	mpx_get_cstr(req, "contact", p.contact, sizeof p.contact);
	addrs = get_array(req, "addresses");
	for (uint32_t i = 0; addrs && i < addrs->via.array.size; i++) {
		const msgpack_object *x = &addrs->via.array.ptr[i];

		if (p.n_addrs == BODY_ADDRS_MAX || x->type != MSGPACK_OBJECT_STR ||
		    x->via.str.size == 0 || x->via.str.size > BODY_ADDR_MAX) {
			ctl_send_error(cl, PAKT_EINVAL, "at most 4 addresses, each HOST:PORT");
			return;
		}
		memcpy(p.addrs[p.n_addrs++], x->via.str.ptr, x->via.str.size);
	}
	mpx_init(&body);
	build_append(cl, rn, "profile", body_profile(&body, &p), &body);
	mpx_free(&body);
}

/* The heads of the feeds we hold; PAKT_ENOTFOUND if unchanged since our
 * last checkpoint (its heads are its body). */
int ctl_publish_checkpoint(struct node *n, struct repl_net *rn, struct entry *out, char *why,
			   size_t whylen)
{
	struct body_head *heads;
	size_t k = 0;
	struct mpx_out body;
	uint8_t h[32];
	int rc;

	if (roster_find(&rn->members, n->id.pk) == NULL)
		return PAKT_ENOTMEMBER;
	heads = calloc(rn->n_feeds + 1, sizeof *heads);
	if (heads == NULL)
		return PAKT_ENOMEM;
	/* a checkpoint body holds about 200 heads; newest feeds last */
	for (size_t i = 0; i < rn->n_feeds && k < 200; i++) {
		if (rn->feeds[i].seq == 0)
			continue;
		memcpy(heads[k].author, rn->feeds[i].author, 32);
		heads[k].seq = rn->feeds[i].seq;
		memcpy(heads[k].hash, rn->feeds[i].hash, 32);
		if (memcmp(heads[k].author, n->id.pk, 32) == 0)
			continue;   /* our own head is implied by the checkpoint itself */
		k++;
	}
	crypto_generichash(h, sizeof h, (const uint8_t *)heads, k * sizeof *heads, NULL, 0);
	/* only news counts: partners' checkpoints alone must not make us
	 * publish again, or an idle mesh would checkpoint for ever */
	if (rn->has_checkpoint && (memcmp(rn->checkpoint_digest, h, 32) == 0 ||
				   rn->news == rn->news_at_checkpoint)) {
		free(heads);
		return PAKT_ENOTFOUND;
	}
	mpx_init(&body);
	rc = body_checkpoint(&body, heads, k);
	if (rc == 0)
		rc = node_append(n, rn->id, "checkpoint", (const uint8_t *)body.sb.data, body.sb.size, out,
				 why, whylen);
	if (rc == 0) {
		memcpy(rn->checkpoint_digest, h, 32);
		rn->has_checkpoint = true;
		rn->news_at_checkpoint = rn->news;
	}
	mpx_free(&body);
	free(heads);
	return rc;
}

void op_checkpoint(struct ctl_client *cl, const msgpack_object *req)
{
	struct repl_net *rn = ctl_network(cl, req);
	char why[256] = "";
	struct entry e;
	struct mpx_out o;
	int rc;

	if (rn == NULL)
		return;
	rc = ctl_publish_checkpoint(cl->ctl->node, rn, &e, why, sizeof why);
	if (rc != 0) {
		ctl_send_error(cl, rc, rc == PAKT_ENOTFOUND ? "nothing changed since the last checkpoint"
				       : why[0] ? why : pakt_strerror(rc));
		return;
	}
	mpx_init(&o);
	ctl_begin(&o);
	msgpack_pack_map(&o.pk, 3);
	mpx_kv_bin(&o.pk, "hash", e.hash, 32);
	mpx_kv_bool(&o.pk, "ok", true);
	mpx_kv_u64(&o.pk, "seq", e.h.seq);
	ctl_finish(&o);
	ctl_client_send(cl, &o);
	mpx_free(&o);
}

/* ---- export: a bundle that proves one commitment or one feed range ---- */

struct export_ctx {
	struct bundle_builder *b;
	const uint8_t *subject;
	bool feed;
	uint64_t from, to;
	int rc;
};

/* Does entry e answer (reference) the commitment `subject`? */
static bool refers_to(const struct entry *e, const uint8_t subject[32])
{
	struct body_ref r;
	struct body_status st;

	if (e->body == NULL)
		return false;
	if (strcmp(e->h.type, "status") == 0)
		return body_status_parse(e->body, e->body_len, &st) == 0 && memcmp(st.ref, subject, 32) == 0;
	if (strcmp(e->h.type, "accept") == 0 || strcmp(e->h.type, "decline") == 0)
		return body_ref_parse(e->h.type, e->body, e->body_len, &r) == 0 &&
		       memcmp(r.ref, subject, 32) == 0;
	return false;
}

static int export_row(void *arg, const struct store_row *row)
{
	struct export_ctx *x = arg;
	struct entry e;
	bool take;

	if (entry_from_parts(&e, row->header, row->header_len, row->sig, row->body, row->body_len) != 0)
		return 0;
	if (roster_type(e.h.type))
		take = true;
	else if (x->feed)
		take = memcmp(e.h.author, x->subject, 32) == 0 && e.h.seq >= x->from && e.h.seq <= x->to;
	else
		take = memcmp(e.hash, x->subject, 32) == 0 || refers_to(&e, x->subject);
	if (take && (x->rc = bundle_add(x->b, &e, bundle_wants_body(x->b, &e))) != 0)
		return 1;
	return 0;
}

void op_export(struct ctl_client *cl, const msgpack_object *req)
{
	struct node *n = cl->ctl->node;
	struct repl_net *rn = ctl_network(cl, req);
	struct bundle_builder b;
	struct export_ctx x = {.b = &b};
	struct store_query q;
	struct bundle_gap *gaps = NULL;
	struct mpx_out file, o;
	uint8_t ref[32], feed[32];
	bool has_ref, has_feed;
	size_t n_gaps = 0;
	int rc;

	if (rn == NULL || ctl_opt_bin32(cl, req, "ref", ref, &has_ref) != 0 ||
	    ctl_opt_bin32(cl, req, "feed", feed, &has_feed) != 0)
		return;
	if (has_ref == has_feed) {
		ctl_send_error(cl, PAKT_EINVAL, "export either a commitment (en_...) or --feed pk_...");
		return;
	}
	x.feed = has_feed;
	x.subject = has_feed ? feed : ref;
	x.from = 1;
	x.to = UINT64_MAX;
	mpx_get_u64(req, "from", &x.from);
	mpx_get_u64(req, "to", &x.to);
	if (x.from == 0 || x.from > x.to) {
		ctl_send_error(cl, PAKT_EINVAL, "--from and --to must be seqs with FROM <= TO");
		return;
	}
	bundle_begin(&b, has_feed ? BUNDLE_FEED : BUNDLE_COMMITMENT, rn->id, x.subject);
	if (has_feed && x.to != UINT64_MAX)
		bundle_feed_range(&b, x.from, x.to);
	q = (struct store_query){.network = rn->id};
	rc = store_scan(n->store, &q, export_row, &x);
	if (rc == 1 || rc == 0)
		rc = x.rc;
	/* fill every feed's chain from seq 1, so each entry's place is proven */
	while (rc == 0 && (rc = bundle_gaps(&b, &gaps, &n_gaps)) == 0 && n_gaps > 0) {
		for (size_t i = 0; rc == 0 && i < n_gaps; i++) {
			struct export_ctx all = {.b = &b, .feed = true, .subject = gaps[i].author,
						 .from = gaps[i].from, .to = gaps[i].to};
			uint64_t span = gaps[i].to - gaps[i].from + 1;

			rc = store_range(n->store, rn->id, gaps[i].author, gaps[i].from,
					 span > UINT32_MAX ? UINT32_MAX : (uint32_t)span, export_row, &all);
			if (rc == 0 || rc == 1)
				rc = all.rc;
		}
		free(gaps);
		gaps = NULL;
		if (rc == 0 && b.n == 0)
			break;
	}
	free(gaps);
	mpx_init(&file);
	if (rc == 0 && b.n == 0)
		rc = PAKT_ENOTFOUND;
	if (rc == 0)
		rc = bundle_finish(&b, &file);
	bundle_free(&b);
	if (rc != 0) {
		ctl_send_error(cl, rc, rc == PAKT_ENOTFOUND ? "nothing to export: no such commitment or feed here"
				       : rc == PAKT_EFORK ? "the feed has a fork: export the audit instead"
				       : pakt_strerror(rc));
		mpx_free(&file);
		return;
	}
	if (file.sb.size + 64 > CTL_FRAME_MAX) {
		ctl_send_error(cl, PAKT_ETOOBIG, "the bundle is larger than 1 MiB: export a shorter --from/--to range");
		mpx_free(&file);
		return;
	}
	mpx_init(&o);
	ctl_begin(&o);
	msgpack_pack_map(&o.pk, 2);
	mpx_kv_bin(&o.pk, "bundle", file.sb.data, file.sb.size);
	mpx_kv_bool(&o.pk, "ok", true);
	ctl_finish(&o);
	ctl_client_send(cl, &o);
	mpx_free(&o);
	mpx_free(&file);
}
