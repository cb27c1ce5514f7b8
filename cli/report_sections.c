/* The report's page and its sections but the indicators' (cli/report_ind.c):
 * each writes one <section> from struct report alone, no daemon. Every
 * text a partner wrote goes through report_esc. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "cli/report.h"
#include "proto/date.h"
#include "proto/err.h"


void report_free(struct report *r)
{
	for (size_t i = 0; i < r->n_msg; i++)
		free(r->msg[i].text);
	for (size_t i = 0; i < r->n_cp; i++)
		free(r->cp[i].heads);
	for (size_t i = 0; i < r->n_reason; i++)
		free(r->reason[i].text);
	free(r->reason);
	free(r->msg);
	free(r->cp);
	free(r->org);
	ctlop_reply_free(CTLOP_R_METRICS, &r->metrics);
	ctlop_reply_free(CTLOP_R_AUDIT, &r->audit);
	memset(r, 0, sizeof *r);
}

const struct report_org *report_org_find(const struct report *r, const uint8_t key[32])
{
	for (size_t i = 0; i < r->n_org; i++)
		if (memcmp(r->org[i].key, key, 32) == 0)
			return &r->org[i];
	return NULL;
}

const char *report_reason_find(const struct report *r, const uint8_t ref[32],
			       const uint8_t party[32])
{
	for (size_t i = 0; i < r->n_reason; i++)
		if (memcmp(r->reason[i].ref, ref, 32) == 0 && memcmp(r->reason[i].party, party, 32) == 0)
			return r->reason[i].text;
	return NULL;
}

bool report_in_period(const struct report *r, uint64_t ms)
{
	if (!r->has_period)
		return true;
	return ms >= (uint64_t)r->pfrom * REPORT_DAY_MS && ms < ((uint64_t)r->pto + 1) * REPORT_DAY_MS;
}


void report_section_header(FILE *f, const struct report *r)
{
	fputs("<header>\n<h1>Partnership report: <bdi>", f);
	report_esc(f, r->name);
	fputs("</bdi></h1>\n<p>Initiative ", f);
	report_html_id(f, ID_NETWORK, r->network);
	fputs("</p>\n<p class=\"meta\">Drawn ", f);
	report_html_time(f, r->now_ms);
	fputs(" from the node of ", f);
	report_html_who(f, r, r->self);
	fputs(". Period: ", f);
	if (r->has_period) {
		fputs("<span class=\"period\">", f);
		report_esc(f, r->period);
		fputs("</span>", f);
	} else {
		fputs("everything recorded", f);
	}
	fputs(". Edition: ", f);
	fputs(r->pub ? "<span class=\"edition\">public</span> (message texts left out, small "
	      "breakdown cells hidden)" : "<span class=\"edition\">internal</span> (for the partners)", f);
	fputs(".</p>\n<p>Every number in this report comes from entries the partners signed. "
	      "The last section, <a href=\"#verify\">Verification</a>, lists each organisation's "
	      "feed as of this report and the commands that check it offline.</p>\n", f);
	if (!r->audit.ok)
		fputs("<p class=\"warn\">Warning: this node's audit found a broken chain or a fork; "
		      "see Verification.</p>\n", f);
	fputs("</header>\n", f);
}

static const char *sector_name(const char *s)
{
	if (strcmp(s, "ngo") == 0)
		return "non-profit";
	if (strcmp(s, "public") == 0)
		return "public sector";
	if (strcmp(s, "business") == 0)
		return "business";
	if (strcmp(s, "other") == 0)
		return "other";
	return "not stated";
}

void report_section_partners(FILE *f, const struct report *r)
{
	fputs("<section id=\"partners\">\n<h2>Goal and partners</h2>\n<p class=\"goal text\">", f);
	if (r->goal[0])
		report_esc(f, r->goal);
	else
		fputs("No goal has been stated yet.", f);
	fputs("</p>\n<table><thead><tr><th>organisation</th><th>sector</th><th>role</th>"
	      "<th>member since</th><th>id</th></tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < r->n_org; i++) {
		const struct report_org *o = &r->org[i];

		if (o->role[0] == '\0')
			continue;     /* an author that is not a member: see Verification */
		fputs("<tr class=\"partner\"><td><bdi>", f);
		report_esc(f, o->name[0] ? o->name : "(no name)");
		fprintf(f, "</bdi></td><td>%s</td><td>%s%s</td><td>", sector_name(o->sector),
			strcmp(o->role, "admin") == 0 ? "backbone (admin)" : "partner",
			o->removed ? ", removed" : "");
		report_html_time(f, o->since);
		fputs("</td><td>", f);
		report_html_id(f, ID_KEY, o->key);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n</section>\n", f);
}

/* Whether a commitment belongs to the period: made or due within it. */
static bool commit_in_period(const struct report *r, const struct ctlop_r_commit *c)
{
	int64_t due;

	if (!r->has_period || report_in_period(r, c->at))
		return true;
	return date_parse(c->due, &due) == 0 && due >= r->pfrom && due <= r->pto;
}

static void commit_parties(FILE *f, const struct report *r, const struct ctlop_r_commit *c)
{
	fputs("<table class=\"parties\"><thead><tr><th>party</th><th>answer</th><th>when</th>"
	      "<th>reason</th></tr></thead><tbody>\n", f);
	for (size_t i = 0; i < c->n_parties; i++) {
		const struct ctlop_r_party *p = &c->parties[i];
		bool none = p->response[0] == '\0' || strcmp(p->response, "none") == 0;
		const char *why = strcmp(p->response, "declined") == 0 ?
			report_reason_find(r, c->hash, p->key) : NULL;

		fputs("<tr><td>", f);
		report_html_who(f, r, p->key);
		fputs("</td><td class=\"answer\">", f);
		report_esc(f, none ? "no answer yet" : p->response);
		fputs("</td><td>", f);
		report_html_time(f, none ? 0 : p->at);
		fputs("</td><td class=\"text reason\">", f);
		report_esc(f, why ? why : "");
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static void commit_statuses(FILE *f, const struct report *r, const struct ctlop_r_commit *c)
{
	if (c->n_statuses == 0) {
		fputs("<p>Status history: no status reported yet.</p>\n", f);
		return;
	}
	fputs("<table class=\"statuses\"><thead><tr><th>when</th><th>status</th><th>by</th>"
	      "<th>note</th></tr></thead><tbody>\n", f);
	for (size_t i = 0; i < c->n_statuses; i++) {
		const struct ctlop_r_status_line *s = &c->statuses[i];

		fputs("<tr><td>", f);
		report_html_time(f, s->at);
		fputs("</td><td class=\"state\">", f);
		report_esc(f, s->state[0] ? s->state : "?");
		fputs("</td><td>", f);
		report_html_who(f, r, s->by);
		fputs("</td><td class=\"text\">", f);
		report_esc(f, s->note);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static void commit_one(FILE *f, const struct report *r, const struct ctlop_r_commit *c)
{
	char id[ID_TEXT_MAX];

	id_encode(ID_ENTRY, c->hash, id);
	fprintf(f, "<div class=\"commitment\" data-commitment=\"%s\">\n<h3 class=\"title\">", id);
	report_esc(f, c->title[0] ? c->title : "(untitled)");
	fputs("</h3>\n<p>", f);
	report_html_id(f, ID_ENTRY, c->hash);
	fputs("<br>made by ", f);
	report_html_who(f, r, c->author);
	fputs(", ", f);
	report_html_time(f, c->at);
	fputs("; due <span class=\"due\">", f);
	report_esc(f, c->due[0] ? c->due : "-");
	fputs("</span></p>\n<p>Outcome: <strong class=\"outcome\">", f);
	report_esc(f, c->outcome[0] ? c->outcome : "-");
	fprintf(f, "</strong>; countersigned: %s", c->countersigned ? "yes (every party accepted)" : "no");
	if (c->indicator[0]) {
		fputs("; moves indicator <code>", f);
		report_esc(f, c->indicator);
		fputs("</code>", f);
		if (c->has_target) {
			fputs(", target ", f);
			report_html_num(f, c->target);
		}
	}
	fputs("</p>\n", f);
	if (c->description[0]) {
		fputs("<p class=\"text description\">", f);
		report_esc(f, c->description);
		fputs("</p>\n", f);
	}
	commit_parties(f, r, c);
	commit_statuses(f, r, c);
	fputs("<p class=\"meta\">Received, as partners' checkpoints confirm: ", f);
	for (size_t i = 0; i < c->n_received_by; i++) {
		fputs(i ? "; " : "", f);
		report_html_who(f, r, c->received_by[i].key);
		fputs(" by ", f);
		report_html_time(f, c->received_by[i].at);
	}
	fprintf(f, "%s. On time confirmed: %s.</p>\n</div>\n", c->n_received_by ? "" : "nobody yet",
		c->on_time_confirmed ? "yes" : "no");
}

void report_section_commitments(FILE *f, const struct report *r)
{
	size_t shown = 0;

	fputs("<section id=\"commitments\">\n<h2>Commitments</h2>\n", f);
	for (size_t i = 0; i < r->audit.n_commitments; i++) {
		if (!commit_in_period(r, &r->audit.commitments[i]))
			continue;
		commit_one(f, r, &r->audit.commitments[i]);
		shown++;
	}
	if (shown == 0)
		fprintf(f, "<p>No commitments%s.</p>\n", r->has_period ? " made or due in this period" : "");
	fputs("</section>\n", f);
}

/* How many commitments key declined (the audit's record has no column
 * for it: counted from the parties' answers). */
static uint64_t declined(const struct report *r, const uint8_t key[32])
{
	uint64_t n = 0;

	for (size_t i = 0; i < r->audit.n_commitments; i++) {
		const struct ctlop_r_commit *c = &r->audit.commitments[i];

		for (size_t k = 0; k < c->n_parties; k++)
			if (memcmp(c->parties[k].key, key, 32) == 0 &&
			    strcmp(c->parties[k].response, "declined") == 0)
				n++;
	}
	return n;
}

void report_section_record(FILE *f, const struct report *r)
{
	fputs("<section id=\"record\">\n<h2>Each organisation's record</h2>\n", f);
	if (r->has_period)
		fputs("<p class=\"meta\">Over the whole history, not only the period.</p>\n", f);
	if (r->audit.n_orgs == 0) {
		fputs("<p>No commitments yet.</p>\n</section>\n", f);
		return;
	}
	fputs("<table class=\"record\"><thead><tr><th>organisation</th><th class=\"n\">made</th>"
	      "<th class=\"n\">accepted</th><th class=\"n\">declined</th><th class=\"n\">kept</th>"
	      "<th class=\"n\">late</th><th class=\"n\">missed</th><th class=\"n\">open</th>"
	      "</tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < r->audit.n_orgs; i++) {
		const struct ctlop_r_org *o = &r->audit.orgs[i];
		char id[ID_TEXT_MAX];

		id_encode(ID_KEY, o->key, id);
		fprintf(f, "<tr data-org=\"%s\"><td>", id);
		report_html_who(f, r, o->key);
		fprintf(f, "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64 "</td>"
			"<td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64 "</td>"
			"<td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64 "</td>"
			"<td class=\"n\">%" PRIu64 "</td></tr>\n", o->made, o->accepted,
			declined(r, o->key), o->kept, o->late, o->missed, o->open);
	}
	fputs("</tbody></table>\n</section>\n", f);
}

void report_section_witnessed(FILE *f, const struct report *r)
{
	fputs("<section id=\"witnessed\">\n<h2>What partners witnessed</h2>\n"
	      "<p>A checkpoint is a partner's signed statement of the feeds it holds: a receipt, "
	      "and a bound on when those entries existed. Each partner's latest one", f);
	fputs(r->has_period ? " up to the end of the period:</p>\n" : ":</p>\n", f);
	if (r->n_cp == 0) {
		fputs("<p>No checkpoints yet.</p>\n</section>\n", f);
		return;
	}
	fputs("<table class=\"witnessed\"><thead><tr><th>witness</th><th>as of</th>"
	      "<th>holds the feed of</th><th class=\"n\">up to seq</th><th>entry</th></tr></thead>\n"
	      "<tbody>\n", f);
	for (size_t i = 0; i < r->n_cp; i++) {
		const struct report_cp *cp = &r->cp[i];

		for (size_t k = 0; k < cp->n; k++) {
			fputs("<tr><td>", f);
			report_html_who(f, r, cp->by);
			fputs("</td><td>", f);
			report_html_time(f, cp->at);
			fputs("</td><td>", f);
			report_html_who(f, r, cp->heads[k].author);
			fprintf(f, "</td><td class=\"n\">%" PRIu64 "</td><td>", cp->heads[k].seq);
			report_html_id(f, ID_ENTRY, cp->heads[k].hash);
			fputs("</td></tr>\n", f);
		}
	}
	fputs("</tbody></table>\n</section>\n", f);
}

void report_section_messages(FILE *f, const struct report *r)
{
	size_t sealed = 0;

	for (size_t i = 0; i < r->n_msg; i++)
		sealed += r->msg[i].sealed;
	fputs("<section id=\"messages\">\n<h2>Conversation</h2>\n", f);
	if (r->pub) {
		fprintf(f, "<p>%" PRIu64 " message%s%s; their texts are left out of the public "
			"edition.</p>\n</section>\n", r->n_msg_total, r->n_msg_total == 1 ? "" : "s",
			r->has_period ? " in this period" : "");
		return;
	}
	if (r->n_msg == 0) {
		fputs("<p>No messages.</p>\n</section>\n", f);
		return;
	}
	if (r->n_msg_total > r->n_msg)
		fprintf(f, "<p class=\"meta\">The latest %zu of %" PRIu64 " messages.</p>\n", r->n_msg,
			r->n_msg_total);
	if (sealed)
		fputs("<p class=\"meta\">Private messages show their text only when this node was "
		      "one of their recipients.</p>\n", f);
	fputs("<table class=\"messages\"><thead><tr><th>when</th><th>from</th><th>message</th>"
	      "</tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < r->n_msg; i++) {
		const struct report_msg *m = &r->msg[i];

		fputs("<tr><td>", f);
		report_html_time(f, m->at);
		fputs("</td><td>", f);
		report_html_who(f, r, m->author);
		fputs("</td><td class=\"text\">", f);
		if (m->sealed)
			fputs(m->text ? "<em>(private)</em> " : "<em>(private message for other members)</em>", f);
		else if (m->text == NULL)
			fputs("<em>(text removed or not held here)</em>", f);
		if (m->text)
			report_esc(f, m->text);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n</section>\n", f);
}

/* The commands that export and check one organisation's feed. */
static void verify_feed_cmds(FILE *f, const struct report *r, const struct report_org *o, size_t n)
{
	char pk[ID_TEXT_MAX], nw[ID_TEXT_MAX];

	id_encode(ID_KEY, o->key, pk);
	id_encode(ID_NETWORK, r->network, nw);
	fprintf(f, "pakt export --feed %s --to %" PRIu64 " -o feed-%zu.pakt --network %s\n"
		"pakt verify feed-%zu.pakt --dump feed-%zu\n"
		"tail -n 1 feed-%zu/index\n", pk, o->head_seq, n, nw, n, n, n);
}

static void verify_audit(FILE *f, const struct report *r)
{
	const struct ctlop_r_audit *a = &r->audit;

	fprintf(f, "<p class=\"audit\">This node's audit: %" PRIu64 " entries checked, %s; %zu "
		"fork%s; %zu anomal%s.</p>\n", a->checked,
		a->n_bad ? "<strong>broken chains or signatures</strong>" : "every chain and signature valid",
		a->n_forks, a->n_forks == 1 ? "" : "s", a->n_anomalies, a->n_anomalies == 1 ? "y" : "ies");
	if (a->n_anomalies == 0)
		return;
	fputs("<ul class=\"anomalies\">\n", f);
	for (size_t i = 0; i < a->n_anomalies; i++) {
		fputs("<li>", f);
		report_html_who(f, r, a->anomalies[i].author);
		fprintf(f, " #%" PRIu64 ": ", a->anomalies[i].seq);
		report_esc(f, a->anomalies[i].what);
		fputs("</li>\n", f);
	}
	fputs("</ul>\n", f);
}

void report_section_verify(FILE *f, const struct report *r)
{
	size_t n = 0;
	char nw[ID_TEXT_MAX];

	id_encode(ID_NETWORK, r->network, nw);
	fputs("<section id=\"verify\" class=\"break\">\n<h2>Verification</h2>\n<p>Initiative ", f);
	report_html_id(f, ID_NETWORK, r->network);
	fprintf(f, ". As of ");
	report_html_time(f, r->now_ms);
	fprintf(f, " the node that drew this report held %" PRIu64 " entries of it. Each "
		"organisation's feed is a chain of signed entries; its head (the latest seq and that "
		"entry's hash) fixes everything before it.</p>\n", r->entries);
	fputs("<table class=\"heads\"><thead><tr><th>organisation</th><th>feed</th>"
	      "<th class=\"n\">head seq</th><th>head hash</th></tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < r->n_org; i++) {
		const struct report_org *o = &r->org[i];
		char pk[ID_TEXT_MAX];

		if (!o->has_head)
			continue;
		id_encode(ID_KEY, o->key, pk);
		fprintf(f, "<tr class=\"head\" data-feed=\"%s\"><td>", pk);
		report_html_who(f, r, o->key);
		fputs("</td><td>", f);
		report_html_id(f, ID_KEY, o->key);
		fprintf(f, "</td><td class=\"n seq\">%" PRIu64 "</td><td class=\"hash\">", o->head_seq);
		report_html_id(f, ID_ENTRY, o->head_hash);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
	verify_audit(f, r);
	fputs("<h3>Check it yourself</h3>\n<p>Ask any partner to run the export commands on its "
	      "node (each writes a bundle file of signed entries), then check the bundles on any "
	      "computer with pakt, offline: 'pakt verify' needs no daemon, no data directory and "
	      "no network. The last line of each index names the head: it must end with the seq "
	      "and hash above.</p>\n<pre class=\"commands\">", f);
	for (size_t i = 0; i < r->n_org; i++)
		if (r->org[i].has_head)
			verify_feed_cmds(f, r, &r->org[i], ++n);
	fputs("</pre>\n", f);
	n = 0;
	for (size_t i = 0; i < r->audit.n_commitments; i++)
		if (commit_in_period(r, &r->audit.commitments[i]))
			n++;
	if (n == 0) {
		fputs("</section>\n", f);
		return;
	}
	fputs("<p>Each commitment's own proof (the commitment, its answers and statuses):</p>\n"
	      "<pre class=\"commands\">", f);
	n = 0;
	for (size_t i = 0; i < r->audit.n_commitments; i++) {
		char en[ID_TEXT_MAX];

		if (!commit_in_period(r, &r->audit.commitments[i]))
			continue;
		id_encode(ID_ENTRY, r->audit.commitments[i].hash, en);
		n++;
		fprintf(f, "pakt export %s -o commitment-%zu.pakt --network %s\n"
			"pakt verify commitment-%zu.pakt\n", en, n, nw, n);
	}
	fputs("</pre>\n</section>\n", f);
}

int report_write(FILE *f, const struct report *r)
{
	char title[BODY_NAME_MAX + 64];
	int rc;

	snprintf(title, sizeof title, "Partnership report: %s", r->name);
	report_html_begin(f, title);
	report_section_header(f, r);
	report_section_partners(f, r);
	rc = report_section_indicators(f, r);
	report_section_commitments(f, r);
	report_section_record(f, r);
	report_section_witnessed(f, r);
	report_section_messages(f, r);
	report_section_verify(f, r);
	report_html_end(f);
	if (rc == 0 && ferror(f))
		rc = PAKT_EIO;
	return rc;
}
