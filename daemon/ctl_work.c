/* Control ops of working together: agenda and measurement, commitments
 * and the answers to them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "daemon/ctl_priv.h"
#include "daemon/tr.h"
#include "daemon/ledger_keep.h"
#include "daemon/log.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/verify.h"
#include "core/measure.h"
#include "proto/body.h"
#include "proto/date.h"
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

typedef void work_fn(struct ctl_client *cl, const struct ctlop_req *r);

/* A request that waits for its initiative's ledger to be built. */
struct parked {
	struct ctl_client *cl;
	work_fn *again;
	struct ctlop_req r;             /* a copy: work requests hold no pointers */
};

static void resume(void *arg)
{
	struct parked *p = arg;
	struct ctl_client *cl = p->cl;

	cl->busy = false;
	if (cl->closed)
		ctl_client_free(cl);
	else if (!cl->ctl->closing)
		p->again(cl, &p->r);
	free(p);
}

/* rn's ledger, kept up to date (ledger_keep.h): borrowed for this request.
 * While the thread pool builds it, the request waits and runs again
 * (again(cl, r)) when it is built: false then, as on failure (replied). */
static bool load(struct ctl_client *cl, const struct ctlop_req *r, struct repl_net *rn,
		 const struct ledger **l, work_fn *again)
{
	struct ctl *c = cl->ctl;
	struct parked *p;
	int rc = c->keep == NULL ? ledger_keep_new(&c->keep, c->node) : 0;

	if (rc == 0 && (rc = ledger_keep_get(c->keep, rn, l)) == 0 && *l == NULL) {
		if ((p = malloc(sizeof *p)) == NULL) {
			rc = PAKT_ENOMEM;
		} else {
			*p = (struct parked){.cl = cl, .again = again, .r = *r};
			cl->busy = true;
			if ((rc = ledger_keep_wait(c->keep, rn, resume, p)) != 0) {
				cl->busy = false;
				free(p);
			} else {
				return false;
			}
		}
	}
	if (rc != 0)
		ctl_send_error(cl, rc, rc == PAKT_ENOMEM ? N_("out of memory") : store_errmsg(c->node->store));
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
		ctl_send_error(cl, PAKT_EPERM, N_("only an admin can set the agenda"));
		return;
	}
	mpx_init(&body);
	ctl_append(cl, rn, "agenda", body_agenda(&body, &r->u.agenda), &body);
	mpx_free(&body);
}

/* One agenda indicator as a reply lists it; milestones allocated. */
static int indicator_view(struct ctlop_r_indicator *x, const struct body_indicator *d)
{
	x->has_about = d->about != BODY_ABOUT_NONE;
	snprintf(x->about, sizeof x->about, "%s", body_abouts[d->about]);
	x->has_baseline = d->has_baseline;
	x->baseline = d->baseline.value;
	snprintf(x->baseline_period, sizeof x->baseline_period, "%s", d->baseline.period);
	memcpy(x->categories, d->categories, sizeof x->categories);
	x->n_categories = d->n_categories;
	x->has_dimension = d->dimension[0] != '\0';
	snprintf(x->dimension, sizeof x->dimension, "%s", d->dimension);
	snprintf(x->direction, sizeof x->direction, "%s", d->down ? "down" : "up");
	snprintf(x->id, sizeof x->id, "%s", d->id);
	x->has_kind = d->kind != BODY_COUNT;
	snprintf(x->kind, sizeof x->kind, "%s", body_kinds[d->kind]);
	x->has_milestones = d->n_milestones > 0;
	x->milestones = calloc(d->n_milestones + 1, sizeof *x->milestones);
	if (x->milestones == NULL)
		return PAKT_ENOMEM;
	for (size_t k = 0; k < d->n_milestones; k++) {
		snprintf(x->milestones[k].period, sizeof x->milestones[k].period, "%s",
			 d->milestones[k].period);
		x->milestones[k].value = d->milestones[k].value;
	}
	x->n_milestones = d->n_milestones;
	snprintf(x->name, sizeof x->name, "%s", d->name);
	x->has_target = d->has_target;
	x->target = d->target;
	snprintf(x->unit, sizeof x->unit, "%s", d->unit);
	return 0;
}

/* The agenda's indicators as a reply lists them (allocated into *out). */
static int indicators_view(const struct ledger *l, struct ctlop_r_indicator **out, size_t *n)
{
	size_t k = l->has_agenda ? l->agenda.n : 0;

	*n = 0;
	*out = calloc(k + 1, sizeof **out);
	if (*out == NULL)
		return PAKT_ENOMEM;
	for (size_t i = 0; i < k; i++) {
		*n = i + 1;             /* so that the reply frees what was allocated */
		if (indicator_view(&(*out)[i], &l->agenda.ind[i]) != 0)
			return PAKT_ENOMEM;
	}
	*n = k;
	return 0;
}

static uint64_t suppress_of(const struct ledger *l)
{
	return l->has_agenda && l->agenda.has_suppress ? l->agenda.suppress : BODY_SUPPRESS_DEFAULT;
}

void ctl_work_agenda(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct repl_net *rn = ctl_network(cl, r);
	static struct ctlop_r_agenda rep;
	const struct ledger *l;

	if (rn == NULL || !load(cl, r, rn, &l, ctl_work_agenda))
		return;
	memset(&rep, 0, sizeof rep);
	if (!l->has_agenda) {
		ctl_send_error(cl, PAKT_ENOTFOUND, N_("no agenda yet: an admin sets one with 'pakt agenda set'"));
	} else if (indicators_view(l, &rep.indicators, &rep.n_indicators) != 0) {
		ctl_send_error(cl, PAKT_ENOMEM, N_("out of memory"));
	} else {
		snprintf(rep.goal, sizeof rep.goal, "%s", l->agenda.goal);
		rep.history = l->n_agendas;
		rep.ok = true;
		rep.set_at = l->agenda_at;
		memcpy(rep.set_by, l->agenda_by, 32);
		rep.suppress = suppress_of(l);
		ctl_reply(cl, CTLOP_R_AGENDA, &rep);
	}
	ctlop_reply_free(CTLOP_R_AGENDA, &rep);
}

void ctl_work_update(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct repl_net *rn = ctl_network(cl, r);
	struct body_update *u;
	const struct ledger *l;
	struct mpx_out body;
	int64_t from, to;

	if (rn == NULL)
		return;
	u = malloc(sizeof *u);
	if (u == NULL) {
		ctl_send_error(cl, PAKT_ENOMEM, N_("out of memory"));
		return;
	}
	*u = r->u.update;
	if (u->period[0] == '\0') {
		time_t now = (time_t)(node_now_ms() / 1000);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(u->period, sizeof u->period, "%Y-%m", &tm);
	}
	if (date_period_parse(u->period, &from, &to) != 0) {
		ctl_send_error(cl, PAKT_EINVAL, N_("period must be YYYY, YYYY-Qn, YYYY-MM, YYYY-MM-DD or FROM..TO"));
		goto free_update;
	}
	if (!load(cl, r, rn, &l, ctl_work_update))
		goto free_update;
	/* every value checked against the agenda before anything is signed */
	for (size_t i = 0; i < u->n; i++) {
		char msg[160];

		const struct body_indicator *d = agenda_indicator(l, u->v[i].indicator);

		if (d == NULL) {
			snprintf(msg, sizeof msg, "unknown indicator '%s': the agenda has %s", u->v[i].indicator,
				 l->has_agenda ? "other indicators (see pakt agenda)" : "none yet");
			ctl_send_error(cl, PAKT_EINVAL, msg);
			goto free_update;
		}
		if (measure_check_value(d, &u->v[i], u->cell, msg, sizeof msg) != 0) {
			ctl_send_error(cl, PAKT_EINVAL, msg);
			goto free_update;
		}
	}
	mpx_init(&body);
	ctl_append(cl, rn, "update", body_update(&body, u), &body);
	mpx_free(&body);
free_update:
	free(u);
}

/* One reported value as the metrics reply carries it; split allocated. */
static int row_view(struct ctlop_r_row *x, const struct ledger *l, const struct roster *m,
		    const struct ledger_update *u, const struct body_value *v)
{
	x->at = u->at;
	memcpy(x->author, u->author, 32);
	x->has_den = v->has_den;
	x->den = v->den;
	x->from = u->from;
	snprintf(x->indicator, sizeof x->indicator, "%s", v->indicator);
	snprintf(x->name, sizeof x->name, "%s", ledger_name(l, m, u->author));
	snprintf(x->period, sizeof x->period, "%s", u->period);
	x->seq = u->seq;
	x->split = calloc((size_t)v->n_split + 1, sizeof *x->split);
	if (x->split == NULL)
		return PAKT_ENOMEM;
	for (size_t k = 0; k < v->n_split && (size_t)v->split + k < u->n_cells; k++) {
		const struct body_cell *c = &u->cell[v->split + k];

		snprintf(x->split[k].category, sizeof x->split[k].category, "%s", c->category);
		x->split[k].value = c->value;
		x->n_split = k + 1;
	}
	x->to = u->to;
	x->value = v->value;
	return 0;
}

void ctl_work_metrics(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct repl_net *rn = ctl_network(cl, r);
	struct ctlop_r_metrics rep = {.ok = true};
	const struct ledger *l;
	size_t rows = 0;
	int rc;

	if (rn == NULL || !load(cl, r, rn, &l, ctl_work_metrics))
		return;
	for (size_t i = 0; i < l->n_upd; i++)
		for (size_t j = 0; j < l->upd[i].n; j++)
			rows += agenda_indicator(l, l->upd[i].v[j].indicator) != NULL;
	rep.rows = calloc(rows + 1, sizeof *rep.rows);
	rc = rep.rows ? indicators_view(l, &rep.indicators, &rep.n_indicators) : PAKT_ENOMEM;
	for (size_t i = 0; rc == 0 && i < l->n_upd; i++) {
		const struct ledger_update *u = &l->upd[i];

		for (size_t j = 0; rc == 0 && j < u->n; j++) {
			if (agenda_indicator(l, u->v[j].indicator) == NULL)
				continue;
			rc = row_view(&rep.rows[rep.n_rows++], l, &rn->members, u, &u->v[j]);
		}
	}
	if (rc != 0) {
		ctl_send_error(cl, PAKT_ENOMEM, N_("out of memory"));
		goto free_reply;
	}
	snprintf(rep.initiative, sizeof rep.initiative, "%s", rn->members.network_name);
	rep.suppress = suppress_of(l);
	ctl_reply(cl, CTLOP_R_METRICS, &rep);
free_reply:
	ctlop_reply_free(CTLOP_R_METRICS, &rep);
}

/* ---- commitments ---- */

void ctl_work_commit(struct ctl_client *cl, const struct ctlop_req *r)
{
	const struct body_commitment *c = &r->u.commit;
	struct repl_net *rn = ctl_network(cl, r);
	const struct ledger *l;
	struct mpx_out body;
	char msg[200];

	if (rn == NULL)
		return;
	for (size_t i = 0; i < c->n_parties; i++) {
		if (roster_find(&rn->members, c->parties[i]) == NULL) {
			ctl_send_error(cl, PAKT_ENOTMEMBER, N_("every party must be a current member (see pakt members)"));
			return;
		}
	}
	if (c->indicator[0] != '\0') {
		if (!load(cl, r, rn, &l, ctl_work_commit))
			return;
		if (agenda_indicator(l, c->indicator) == NULL) {
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
	const struct ledger *l;
	struct mpx_out body;
	char why[200];
	int rc;

	if (rn == NULL || !load(cl, r, rn, &l, ctl_work_respond))
		return;
	c = ledger_commit_find(l, ref);
	if (c == NULL) {
		ctl_send_error(cl, PAKT_ENOTFOUND, N_("no such commitment here (see pakt commitments)"));
		return;
	}
	if (progress && !ledger_may_report(&rn->members, c, n->id.pk)) {
		ctl_send_error(cl, PAKT_EPERM, N_("only the commitment's author or a party can report progress"));
		return;
	}
	if (!progress && !ledger_is_party(&rn->members, c, n->id.pk)) {
		ctl_send_error(cl, PAKT_EPERM, N_("this organisation is not a party of that commitment"));
		return;
	}
	/* the lifecycle (core/ledger.h), checked before anything is signed */
	if ((rc = progress ? ledger_check_status(c, r->u.progress.reopen, why, sizeof why)
			   : ledger_check_answer(&rn->members, c, n->id.pk, r->op == CTLOP_ACCEPT,
						 r->u.ref.change, why, sizeof why)) != 0) {
		ctl_send_error(cl, rc, why);
		return;
	}
	mpx_init(&body);
	rc = progress ? body_status(&body, &r->u.progress) : body_ref(&body, type, &r->u.ref);
	ctl_append(cl, rn, type, rc, &body);
	mpx_free(&body);
}

/* Confirmed on time: a witness's checkpoint naming the fulfilment exactly
 * (core/ledger.h, ledger_first_witness), dated no later than the due day. */
static bool on_time_confirmed(const struct ledger *l, const struct ledger_commit *c)
{
	bool confirmed = false;

	for (size_t i = 0; i < c->n_st; i++) {
		if (strcmp(c->st[i].state, "fulfilled") != 0)
			continue;
		uint64_t at = ledger_first_witness(l, c->st[i].by, c->st[i].seq, c->st[i].hash);

		confirmed = at != 0 && (int64_t)(at / 86400000u) <= c->due_day;
		break;
	}
	return confirmed;
}

/* Received by: the members other than the author's whose checkpoints name
 * the commitment exactly (ledger_witnessed), with when; into out
 * (allocated). PAKT_ENOMEM or 0. */
static int received_by(struct ctlop_r_commit *out, const struct ledger *l, const struct roster *m,
		       const struct ledger_commit *c)
{
	out->has_received_by = true;
	out->received_by = calloc(m->n + 1, sizeof *out->received_by);
	if (out->received_by == NULL)
		return PAKT_ENOMEM;
	for (size_t k = 0; k < m->n; k++) {
		struct ctlop_r_receipt *x = &out->received_by[out->n_received_by];
		uint64_t at;

		if ((at = ledger_witnessed(l, m->v[k].key, c->author, c->seq, c->hash)) == 0)
			continue;
		x->at = at;
		memcpy(x->key, m->v[k].key, 32);
		snprintf(x->name, sizeof x->name, "%s", ledger_name(l, m, m->v[k].key));
		out->n_received_by++;
	}
	return 0;
}

/* One commitment with everything the listing and the audit show. */
int ctl_work_commit_view(struct ctlop_r_commit *out, const struct ledger *l, const struct roster *m,
			 const struct ledger_commit *c, bool audit, int64_t today)
{
	const char *state, *outcome = ledger_outcome(c, today, &state);

	out->at = c->at;
	memcpy(out->author, c->author, 32);
	snprintf(out->author_name, sizeof out->author_name, "%s", ledger_name(l, m, c->author));
	out->countersigned = ledger_countersigned(m, c);
	snprintf(out->description, sizeof out->description, "%s", c->c.description);
	snprintf(out->due, sizeof out->due, "%s", c->c.due);
	memcpy(out->hash, c->hash, 32);
	snprintf(out->indicator, sizeof out->indicator, "%s", c->c.indicator);
	out->has_on_time = audit;
	out->on_time_confirmed = audit && on_time_confirmed(l, c);
	snprintf(out->outcome, sizeof out->outcome, "%s", outcome);
	out->parties = calloc(c->c.n_parties + 1, sizeof *out->parties);
	out->statuses = calloc(c->n_st + 1, sizeof *out->statuses);
	out->answers = calloc(c->n_resp + 1, sizeof *out->answers);
	if (out->parties == NULL || out->statuses == NULL || out->answers == NULL)
		return PAKT_ENOMEM;
	for (size_t i = 0; i < c->n_resp; i++) {
		const struct ledger_response *r = &c->resp[i];
		struct ctlop_r_answer *x = &out->answers[i];

		x->at = r->at;
		snprintf(x->breach, sizeof x->breach, "%s", r->breach ? r->breach : "");
		memcpy(x->by, r->who, 32);
		snprintf(x->by_name, sizeof x->by_name, "%s", ledger_name(l, m, r->who));
		x->change = r->change;
		x->counts = r->counts;
		memcpy(x->hash, r->hash, 32);
		snprintf(x->reason, sizeof x->reason, "%s", r->reason);
		snprintf(x->response, sizeof x->response, "%s", r->accepted ? "accepted" : "declined");
	}
	out->n_answers = c->n_resp;
	for (size_t p = 0; p < c->c.n_parties; p++) {
		const struct ledger_response *r = ledger_answer(m, c, c->c.parties[p]);
		struct ctlop_r_party *x = &out->parties[p];

		x->at = r ? r->at : 0;
		memcpy(x->key, c->c.parties[p], 32);
		snprintf(x->name, sizeof x->name, "%s", ledger_name(l, m, c->c.parties[p]));
		snprintf(x->reason, sizeof x->reason, "%s", r ? r->reason : "");
		snprintf(x->response, sizeof x->response, "%s",
			 r ? (r->accepted ? "accepted" : "declined") : "none");
	}
	out->n_parties = c->c.n_parties;
	if (audit && received_by(out, l, m, c) != 0)
		return PAKT_ENOMEM;
	out->seq = c->seq;
	snprintf(out->state, sizeof out->state, "%s", state);
	for (size_t i = 0; i < c->n_st; i++) {
		struct ctlop_r_status_line *x = &out->statuses[i];

		x->at = c->st[i].at;
		memcpy(x->by, c->st[i].by, 32);
		snprintf(x->by_name, sizeof x->by_name, "%s", ledger_name(l, m, c->st[i].by));
		x->counts = c->st[i].counts;
		snprintf(x->breach, sizeof x->breach, "%s", c->st[i].breach ? c->st[i].breach : "");
		memcpy(x->hash, c->st[i].hash, 32);
		snprintf(x->note, sizeof x->note, "%s", c->st[i].note);
		x->reopen = c->st[i].reopen;
		snprintf(x->state, sizeof x->state, "%s", c->st[i].state);
	}
	out->n_statuses = c->n_st;
	out->has_target = c->c.has_target;
	out->target = c->c.target;
	snprintf(out->title, sizeof out->title, "%s", c->c.title);
	return 0;
}

static bool commit_selected(const struct roster *m, const struct ledger_commit *c,
			    const struct ctlop_commitments *q, const uint8_t self[32], int64_t today)
{
	const char *state, *outcome = ledger_outcome(c, today, &state);
	const char *filter = q->filter;

	if (q->has_party && !ledger_may_report(m, c, q->party))
		return false;
	/* due soon: still open, due from today to today + N days */
	if (q->has_due_within && (strcmp(outcome, "open") != 0 || c->due_day < today ||
				  c->due_day > today + (int64_t)q->due_within))
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
	const uint8_t *self = cl->ctl->node->id.pk;
	int64_t today = ctl_work_today();
	struct ctlop_r_commitments rep = {.ok = true};
	const struct ledger *l;
	int rc = 0;

	if (rn == NULL || !load(cl, r, rn, &l, ctl_work_commitments))
		return;
	rep.commitments = calloc(l->n_com + 1, sizeof *rep.commitments);
	rc = rep.commitments ? 0 : PAKT_ENOMEM;
	for (size_t i = 0; rc == 0 && i < l->n_com; i++)
		if (commit_selected(&rn->members, &l->com[i], q, self, today))
			rc = ctl_work_commit_view(&rep.commitments[rep.n_commitments++], l, &rn->members,
						  &l->com[i], false, today);
	if (rc != 0)
		ctl_send_error(cl, rc, N_("out of memory"));
	else
		ctl_reply(cl, CTLOP_R_COMMITMENTS, &rep);
	ctlop_reply_free(CTLOP_R_COMMITMENTS, &rep);
}
