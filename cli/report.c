/* The partnership report's data: what this node holds about one
 * initiative (the member list, agenda, metrics, the audit's commitments and
 * records, and the entries themselves for profiles, messages, checkpoints
 * and feed heads), asked of paktd over the control socket. */
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/report.h"
#include "proto/entry.h"
#include "proto/err.h"

#define REPORT_TIMEOUT 120000   /* ms: the audit and the log walk the store */

/* Where to ask: the data directory's paktd, about one initiative. */
struct gather {
	const char *dir_arg;
	bool has_net;
	uint8_t net[32];
};

/* The organisation with key, added at the end if new; NULL if out of memory. */
static struct report_org *org_get(struct report *r, const uint8_t key[32])
{
	struct report_org *o = (struct report_org *)report_org_find(r, key), *grown;

	if (o != NULL)
		return o;
	grown = realloc(r->org, (r->n_org + 1) * sizeof *grown);
	if (grown == NULL)
		return NULL;
	r->org = grown;
	o = &r->org[r->n_org++];
	memset(o, 0, sizeof *o);
	memcpy(o->key, key, 32);
	return o;
}

/* Send req (for the initiative chosen) and decode its reply of kind k
 * into out. optional: "not found" (no agenda yet) returns 1 quietly.
 * Else a CLI exit code, the error printed. */
static int call(const struct gather *g, struct ctlop_req *req, enum ctlop_reply_kind k, void *out,
		bool optional)
{
	struct client c;
	int ret, rc;

	req->has_network = g->has_net;
	memcpy(req->network, g->net, 32);
	ret = cli_connect(&c, g->dir_arg, "report");
	if (ret == CLI_OK) {
		rc = client_call(&c, req, REPORT_TIMEOUT);
		if (rc == PAKT_ENOTFOUND && optional)
			ret = 1;
		else if (rc != 0)
			ret = cli_fail("report", rc, "%s", c.why);
		else
			ret = cli_reply(&c, "report", k, out);
	}
	client_close(&c);
	return ret;
}

/* The initiative (its id and name) and its members. */
static int gather_members(struct gather *g, struct report *r)
{
	struct ctlop_req req = {.op = CTLOP_MEMBERS};
	struct ctlop_r_members m = {0};
	int ret = call(g, &req, CTLOP_R_MEMBERS, &m, false);

	if (ret != CLI_OK)
		goto free_reply;
	memcpy(r->network, m.network, 32);
	snprintf(r->name, sizeof r->name, "%s", m.name);
	/* every later request names this initiative: one report, one initiative */
	g->has_net = true;
	memcpy(g->net, m.network, 32);
	for (size_t i = 0; i < m.n_members; i++) {
		struct report_org *o = org_get(r, m.members[i].key);

		if (o == NULL) {
			ret = cli_fail("report", PAKT_ENOMEM, "%s", _("out of memory"));
			break;
		}
		snprintf(o->name, sizeof o->name, "%s", m.members[i].name);
		snprintf(o->role, sizeof o->role, "%s", m.members[i].role);
		o->removed = m.members[i].removed;
		o->since = m.members[i].since;
	}
free_reply:
	ctlop_reply_free(CTLOP_R_MEMBERS, &m);
	return ret;
}

static int gather_node(const struct gather *g, struct report *r)
{
	struct ctlop_req req = {.op = CTLOP_STATUS};
	static struct ctlop_r_status s;
	int ret = call(g, &req, CTLOP_R_STATUS, &s, false);

	if (ret == CLI_OK)
		memcpy(r->self, s.id, 32);
	ctlop_reply_free(CTLOP_R_STATUS, &s);
	return ret;
}

static int gather_agenda(const struct gather *g, struct report *r)
{
	struct ctlop_req req = {.op = CTLOP_AGENDA};
	static struct ctlop_r_agenda a;
	int ret = call(g, &req, CTLOP_R_AGENDA, &a, true);

	if (ret == CLI_OK) {
		r->has_agenda = true;
		snprintf(r->goal, sizeof r->goal, "%s", a.goal);
	}
	ctlop_reply_free(CTLOP_R_AGENDA, &a);
	return ret == 1 ? CLI_OK : ret;
}

static int gather_measures(const struct gather *g, struct report *r)
{
	struct ctlop_req req = {.op = CTLOP_METRICS};
	int ret = call(g, &req, CTLOP_R_METRICS, &r->metrics, true);

	if (ret != CLI_OK && ret != 1)
		return ret;
	memset(&req, 0, sizeof req);
	req.op = CTLOP_AUDIT;
	return call(g, &req, CTLOP_R_AUDIT, &r->audit, false);
}

/* Keep the latest REPORT_MESSAGES_MAX messages of the period. */
static int add_message(struct report *r, const struct entry *e, const struct ctlop_r_log_row *row)
{
	bool sealed = strcmp(e->h.type, "sealed") == 0;
	struct report_msg *m;
	const char *text;
	size_t len;

	if (!report_in_period(r, e->h.timestamp))
		return 0;
	r->n_msg_total++;
	if (r->msg == NULL && (r->msg = calloc(REPORT_MESSAGES_MAX, sizeof *r->msg)) == NULL)
		return PAKT_ENOMEM;
	if (r->n_msg == REPORT_MESSAGES_MAX) {
		free(r->msg[0].text);
		memmove(r->msg, r->msg + 1, (REPORT_MESSAGES_MAX - 1) * sizeof *r->msg);
		r->n_msg--;
	}
	m = &r->msg[r->n_msg++];
	memset(m, 0, sizeof *m);
	memcpy(m->author, e->h.author, 32);
	m->seq = e->h.seq;
	m->at = e->h.timestamp;
	m->sealed = sealed;
	if (sealed && row->has_plain)
		m->text = strdup(row->plain);
	else if (!sealed && e->body != NULL &&
		 ctlop_map_str(e->body, e->body_len, "text", &text, &len) == 0)
		m->text = strndup(text, len);
	else
		return 0;    /* sealed for others, or redacted: no text */
	return m->text ? 0 : PAKT_ENOMEM;
}

/* A witness's checkpoint: kept if it is its latest up to the period's end. */
static int add_checkpoint(struct report *r, const struct entry *e)
{
	struct report_cp *cp = NULL, *grown;
	struct body_head *heads;
	size_t n;

	if (e->body == NULL || (r->has_period && e->h.timestamp >= ((uint64_t)r->pto + 1) * REPORT_DAY_MS))
		return 0;
	for (size_t i = 0; i < r->n_cp; i++)
		if (memcmp(r->cp[i].by, e->h.author, 32) == 0)
			cp = &r->cp[i];
	if (cp != NULL && cp->seq > e->h.seq)
		return 0;
	heads = calloc(BODY_HEADS_MAX, sizeof *heads);
	if (heads == NULL)
		return PAKT_ENOMEM;
	if (body_checkpoint_parse(e->body, e->body_len, heads, BODY_HEADS_MAX, &n) != 0) {
		free(heads);
		return 0;    /* paktd stored it, so this does not happen; show nothing */
	}
	if (cp == NULL) {
		grown = realloc(r->cp, (r->n_cp + 1) * sizeof *grown);
		if (grown == NULL) {
			free(heads);
			return PAKT_ENOMEM;
		}
		r->cp = grown;
		cp = &r->cp[r->n_cp++];
		memset(cp, 0, sizeof *cp);
	}
	free(cp->heads);
	memcpy(cp->by, e->h.author, 32);
	cp->seq = e->h.seq;
	cp->at = e->h.timestamp;
	memcpy(cp->hash, e->hash, 32);
	cp->heads = heads;
	cp->n = n;
	return 0;
}

/* A decline's reason; a later decline by the same party replaces it. */
static int add_reason(struct report *r, const struct entry *e)
{
	struct body_ref ref;
	struct report_reason *x = NULL, *grown;
	char *text;

	if (body_ref_parse("decline", e->body, e->body_len, &ref) != 0 || ref.text[0] == '\0')
		return 0;
	for (size_t i = 0; i < r->n_reason; i++)
		if (memcmp(r->reason[i].ref, ref.ref, 32) == 0 &&
		    memcmp(r->reason[i].party, e->h.author, 32) == 0)
			x = &r->reason[i];
	if (x != NULL && x->seq > e->h.seq)
		return 0;
	if ((text = strdup(ref.text)) == NULL)
		return PAKT_ENOMEM;
	if (x == NULL) {
		grown = realloc(r->reason, (r->n_reason + 1) * sizeof *grown);
		if (grown == NULL) {
			free(text);
			return PAKT_ENOMEM;
		}
		r->reason = grown;
		x = &r->reason[r->n_reason++];
		memset(x, 0, sizeof *x);
		memcpy(x->ref, ref.ref, 32);
		memcpy(x->party, e->h.author, 32);
	}
	free(x->text);
	x->text = text;
	x->seq = e->h.seq;
	return 0;
}

/* One stored entry: its feed's head, and what the report shows of it. */
static int add_entry(struct report *r, const struct ctlop_r_log_row *row)
{
	struct entry e;
	struct report_org *o;
	struct body_profile prof;
	const char *goal;
	size_t len;

	if (entry_decode(&e, row->entry, row->entry_len) != 0)
		return 0;    /* 'pakt verify' reports damaged entries; the report counts what verifies */
	if ((o = org_get(r, e.h.author)) == NULL)
		return PAKT_ENOMEM;
	r->entries++;
	o->entries++;
	if (!o->has_head || e.h.seq > o->head_seq) {
		o->has_head = true;
		o->head_seq = e.h.seq;
		memcpy(o->head_hash, e.hash, 32);
	}
	if (o->name[0] == '\0' && row->has_name)
		snprintf(o->name, sizeof o->name, "%s", row->name);
	if (e.body == NULL)
		return 0;
	if (strcmp(e.h.type, "message") == 0 || strcmp(e.h.type, "sealed") == 0)
		return add_message(r, &e, row);
	if (strcmp(e.h.type, "checkpoint") == 0)
		return add_checkpoint(r, &e);
	if (strcmp(e.h.type, "decline") == 0)
		return add_reason(r, &e);
	if (strcmp(e.h.type, "profile") == 0 && body_profile_parse(e.body, e.body_len, &prof) == 0) {
		snprintf(o->sector, sizeof o->sector, "%s", prof.sector);
		if (o->name[0] == '\0')
			snprintf(o->name, sizeof o->name, "%s", prof.name);
	} else if (strcmp(e.h.type, "genesis") == 0 && !r->has_agenda &&
		   ctlop_map_str(e.body, e.body_len, "goal", &goal, &len) == 0) {
		snprintf(r->goal, sizeof r->goal, "%.*s", (int)len, goal);
	}
	return 0;
}

/* Every stored entry of the initiative, oldest first. */
static int gather_entries(const struct gather *g, struct report *r)
{
	struct ctlop_req req = {.op = CTLOP_LOG, .has_network = true};
	static struct ctlop_r_log_row row;
	struct client c;
	int ret, rc;

	memcpy(req.network, g->net, 32);
	ret = cli_connect(&c, g->dir_arg, "report");
	if (ret != CLI_OK)
		goto close;
	rc = client_send(&c, &req);
	while (rc == 0) {
		if ((rc = client_recv(&c, REPORT_TIMEOUT)) != 0 || (rc = client_reply_error(&c)) != 0)
			break;
		if ((rc = client_reply(&c, CTLOP_R_LOG_ROW, &row)) != 0 || row.entry == NULL) {
			ctlop_reply_free(CTLOP_R_LOG_ROW, &row);
			break;     /* the closing {"count", "ok"} */
		}
		rc = add_entry(r, &row);
		ctlop_reply_free(CTLOP_R_LOG_ROW, &row);
	}
	if (rc != 0)
		ret = cli_fail("report", rc, "%s", rc == PAKT_ENOMEM ? _("out of memory") : c.why);
close:
	client_close(&c);
	return ret;
}

int report_gather(struct report *r, const char *dir_arg, const uint8_t *network)
{
	struct gather g = {.dir_arg = dir_arg, .has_net = network != NULL};
	int ret;

	if (network != NULL)
		memcpy(g.net, network, 32);
	if ((ret = gather_members(&g, r)) != CLI_OK || (ret = gather_node(&g, r)) != CLI_OK ||
	    (ret = gather_agenda(&g, r)) != CLI_OK || (ret = gather_measures(&g, r)) != CLI_OK)
		return ret;
	return gather_entries(&g, r);
}
