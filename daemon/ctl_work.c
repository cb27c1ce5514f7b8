/* Control ops of working together: agenda and measurement, commitments
 * and the answers to them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "daemon/ctl_priv.h"
#include "daemon/ledger.h"
#include "daemon/log.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/verify.h"
#include "proto/body.h"
#include "proto/bundle.h"
#include "proto/ctlmsg.h"
#include "proto/err.h"
#include "proto/id.h"

int64_t ctl_work_today(void)
{
	return (int64_t)(node_now_ms() / 86400000u);
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

void ctl_work_agenda_set(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct repl_net *rn = ctl_network(cl, r);
	struct mpx_out body;

	if (rn == NULL)
		return;
	if (!roster_is_admin(&rn->members, cl->ctl->node->id.pk)) {
		ctl_send_error(cl, PAKT_EPERM, "only an admin can set the agenda");
		return;
	}
	mpx_init(&body);
	ctl_append(cl, rn, "agenda", body_agenda(&body, &r->u.agenda), &body);
	mpx_free(&body);
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

void ctl_work_agenda(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct repl_net *rn = ctl_network(cl, r);
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

void ctl_work_update(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct repl_net *rn = ctl_network(cl, r);
	struct body_update *u;
	struct ledger l;
	struct mpx_out body;
	int64_t from, to;

	if (rn == NULL)
		return;
	u = malloc(sizeof *u);
	if (u == NULL) {
		ctl_send_error(cl, PAKT_ENOMEM, "out of memory");
		return;
	}
	*u = r->u.update;
	if (u->period[0] == '\0') {
		time_t now = (time_t)(node_now_ms() / 1000);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(u->period, sizeof u->period, "%Y-%m", &tm);
	}
	if (body_period_parse(u->period, &from, &to) != 0) {
		ctl_send_error(cl, PAKT_EINVAL, "period must be YYYY, YYYY-Qn, YYYY-MM, YYYY-MM-DD or FROM..TO");
		goto free_update;
	}
	if (!load(cl, rn, &l))
		goto free_update;
	/* every value checked against the agenda before anything is signed */
	for (size_t i = 0; i < u->n; i++) {
		char msg[160];

		if (agenda_indicator(&l, u->v[i].indicator) == NULL) {
			snprintf(msg, sizeof msg, "unknown indicator '%s': the agenda has %s", u->v[i].indicator,
				 l.has_agenda ? "other indicators (see pakt agenda)" : "none yet");
			ctl_send_error(cl, PAKT_EINVAL, msg);
			goto free_ledger;
		}
	}
	mpx_init(&body);
	ctl_append(cl, rn, "update", body_update(&body, u), &body);
	mpx_free(&body);
free_ledger:
	ledger_free(&l);
free_update:
	free(u);
}

void ctl_work_metrics(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct repl_net *rn = ctl_network(cl, r);
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

void ctl_work_commit(struct ctl_client *cl, const struct ctlop_req *r)
{
	const struct body_commitment *c = &r->u.commit;
	struct repl_net *rn = ctl_network(cl, r);
	struct ledger l;
	struct mpx_out body;
	char msg[200];

	if (rn == NULL)
		return;
	for (size_t i = 0; i < c->n_parties; i++) {
		if (roster_find(&rn->members, c->parties[i]) == NULL) {
			ctl_send_error(cl, PAKT_ENOTMEMBER, "every party must be a current member (see pakt members)");
			return;
		}
	}
	if (c->indicator[0] != '\0') {
		if (!load(cl, rn, &l))
			return;
		bool known = agenda_indicator(&l, c->indicator) != NULL;

		ledger_free(&l);
		if (!known) {
			snprintf(msg, sizeof msg, "unknown indicator '%s' (see pakt agenda)", c->indicator);
			ctl_send_error(cl, PAKT_EINVAL, msg);
			return;
		}
	}
	mpx_init(&body);
	ctl_append(cl, rn, "commitment", body_commitment(&body, c), &body);
	mpx_free(&body);
}

/* accept, decline, progress: a reference to a commitment this node may answer. */
void ctl_work_respond(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct node *n = cl->ctl->node;
	struct repl_net *rn = ctl_network(cl, r);
	bool progress = r->op == CTLOP_PROGRESS;
	const char *type = progress ? "status" : r->op == CTLOP_ACCEPT ? "accept" : "decline";
	const uint8_t *ref = progress ? r->u.progress.ref : r->u.ref.ref;
	const struct ledger_commit *c;
	struct ledger l;
	struct mpx_out body;
	int rc;

	if (rn == NULL || !load(cl, rn, &l))
		return;
	c = ledger_commit_find(&l, ref);
	if (c == NULL) {
		ctl_send_error(cl, PAKT_ENOTFOUND, "no such commitment here (see pakt commitments)");
		goto free_ledger;
	}
	if (progress && !ledger_may_report(&rn->members, c, n->id.pk)) {
		ctl_send_error(cl, PAKT_EPERM, "only the commitment's author or a party can report progress");
		goto free_ledger;
	}
	if (!progress && !ledger_is_party(&rn->members, c, n->id.pk)) {
		ctl_send_error(cl, PAKT_EPERM, "this organisation is not a party of that commitment");
		goto free_ledger;
	}
	mpx_init(&body);
	rc = progress ? body_status(&body, &r->u.progress) : body_ref(&body, type, &r->u.ref);
	ctl_append(cl, rn, type, rc, &body);
	mpx_free(&body);
free_ledger:
	ledger_free(&l);
}

/* Confirmed on time: a checkpoint by someone else covering the
 * fulfilment, dated no later than the due day. */
static bool on_time_confirmed(const struct ledger *l, const struct roster *m,
			      const struct ledger_commit *c)
{
	bool confirmed = false;

	for (size_t i = 0; i < c->n_st; i++) {
		if (strcmp(c->st[i].state, "fulfilled") != 0)
			continue;
		for (size_t k = 0; k < m->n && !confirmed; k++) {
			uint64_t at;

			if (memcmp(m->v[k].key, c->st[i].by, 32) == 0)
				continue;
			at = ledger_received(l, m->v[k].key, c->st[i].by, c->st[i].seq);
			confirmed = at != 0 && (int64_t)(at / 86400000u) <= c->due_day;
		}
		break;
	}
	return confirmed;
}

/* One commitment with everything the listing and the audit show. */
void ctl_work_pack_commit(msgpack_packer *pk, const struct ledger *l, const struct roster *m,
			  const struct ledger_commit *c, bool audit, int64_t today)
{
	const char *state, *outcome = ledger_outcome(c, today, &state);

	msgpack_pack_map(pk, 14 + (audit ? 2 : 0) + c->c.has_target);
	mpx_kv_u64(pk, "at", c->at);
	mpx_kv_bin(pk, "author", c->author, 32);
	mpx_kv_str(pk, "author_name", ledger_name(l, m, c->author));
	mpx_kv_bool(pk, "countersigned", ledger_countersigned(m, c));
	mpx_kv_str(pk, "description", c->c.description);
	mpx_kv_str(pk, "due", c->c.due);
	mpx_kv_bin(pk, "hash", c->hash, 32);
	mpx_kv_str(pk, "indicator", c->c.indicator);
	if (audit)
		mpx_kv_bool(pk, "on_time_confirmed", on_time_confirmed(l, m, c));
	mpx_kv_str(pk, "outcome", outcome);
	mpx_str(pk, "parties");
	msgpack_pack_array(pk, (uint32_t)c->c.n_parties);
	for (size_t p = 0; p < c->c.n_parties; p++) {
		const struct ledger_response *r = NULL;

		for (size_t i = 0; i < c->n_resp; i++)
			if (memcmp(c->resp[i].who, c->c.parties[p], 32) == 0 && (!r || c->resp[i].at >= r->at))
				r = &c->resp[i];
		msgpack_pack_map(pk, 4);
		mpx_kv_u64(pk, "at", r ? r->at : 0);
		mpx_kv_bin(pk, "key", c->c.parties[p], 32);
		mpx_kv_str(pk, "name", ledger_name(l, m, c->c.parties[p]));
		mpx_kv_str(pk, "response", r ? (r->accepted ? "accepted" : "declined") : "none");
	}
	if (audit) {
		uint32_t n = 0;

		for (size_t k = 0; k < m->n; k++)
			n += memcmp(m->v[k].key, c->author, 32) != 0 &&
			     ledger_received(l, m->v[k].key, c->author, c->seq) != 0;
		mpx_str(pk, "received_by");
		msgpack_pack_array(pk, n);
		for (size_t k = 0; k < m->n; k++) {
			uint64_t at;

			if (memcmp(m->v[k].key, c->author, 32) == 0 ||
			    (at = ledger_received(l, m->v[k].key, c->author, c->seq)) == 0)
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
			    const char *filter, const uint8_t *party, const uint8_t self[32],
			    int64_t today)
{
	const char *state, *outcome = ledger_outcome(c, today, &state);

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

void ctl_work_commitments(struct ctl_client *cl, const struct ctlop_req *r)
{
	const struct ctlop_commitments *q = &r->u.commitments;
	struct repl_net *rn = ctl_network(cl, r);
	const uint8_t *party = q->has_party ? q->party : NULL;
	const uint8_t *self = cl->ctl->node->id.pk;
	int64_t today = ctl_work_today();
	struct ledger l;
	struct mpx_out o;
	uint32_t n = 0;

	if (rn == NULL || !load(cl, rn, &l))
		return;
	for (size_t i = 0; i < l.n_com; i++)
		n += commit_selected(&rn->members, &l.com[i], q->filter, party, self, today);
	mpx_init(&o);
	ctl_begin(&o);
	msgpack_pack_map(&o.pk, 2);
	mpx_str(&o.pk, "commitments");
	msgpack_pack_array(&o.pk, n);
	for (size_t i = 0; i < l.n_com; i++)
		if (commit_selected(&rn->members, &l.com[i], q->filter, party, self, today))
			ctl_work_pack_commit(&o.pk, &l, &rn->members, &l.com[i], false, today);
	mpx_kv_bool(&o.pk, "ok", true);
	ctl_finish(&o);
	ctl_client_send(cl, &o);
	mpx_free(&o);
	ledger_free(&l);
}
