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


/* The header row of a table: its columns' labels, translated; a label
 * starting with '#' is a number's column (right-aligned). */
static void thead(FILE *f, const char *table_class, const char *const *labels, size_t n)
{
	if (table_class != NULL)
		fprintf(f, "<table class=\"%s\"><thead><tr>", table_class);
	else
		fputs("<table><thead><tr>", f);
	for (size_t i = 0; i < n; i++) {
		bool num = labels[i][0] == '#';

		report_html_tag(f, "th", num ? "n" : NULL, _(labels[i] + num));
	}
	fputs("</tr></thead>", f);
}
#define THEAD(f, cls, ...)                                                                \
	thead(f, cls, (const char *const[]){__VA_ARGS__},                                 \
	      sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

void report_section_header(FILE *f, const struct report *r)
{
	fputs("<header>\n<h1>", f);
	REPORT_TR(f, r, _("Partnership report: %s"), REPORT_TEXT_IN("<bdi>", "</bdi>", r->name));
	fputs("</h1>\n<p>", f);
	REPORT_TR(f, r, _("Initiative %s"), REPORT_ID(ID_NETWORK, r->network));
	fputs("</p>\n<p class=\"meta\">", f);
	REPORT_TR(f, r, _("Drawn %s from the node of %s."), REPORT_TIME(r->now_ms), REPORT_WHO(r->self));
	fputs(" ", f);
	if (r->has_period)
		REPORT_TR(f, r, _("Period: %s."),
			  REPORT_TEXT_IN("<span class=\"period\">", "</span>", r->period));
	else
		report_html_text(f, _("Period: everything recorded."));
	fputs(" ", f);
	if (r->pub)
		REPORT_TR(f, r, _("Edition: %s (message texts left out, small breakdown cells hidden)."),
			  REPORT_TEXT_IN("<span class=\"edition\">", "</span>", _("public")));
	else
		REPORT_TR(f, r, _("Edition: %s (for the partners)."),
			  REPORT_TEXT_IN("<span class=\"edition\">", "</span>", _("internal")));
	fputs("</p>\n<p>", f);
	REPORT_TR(f, r, _("Every number in this report comes from entries the partners signed. The "
			  "last section, %s, lists each organisation's feed as of this report and the "
			  "commands that check it offline."),
		  REPORT_TEXT_IN("<a href=\"#verify\">", "</a>", _("Verification")));
	fputs("</p>\n", f);
	if (!r->audit.ok) {
		report_html_tag(f, "p", "warn", _("Warning: this node's audit found a broken chain, a "
						  "fork or a bad signature; see Verification."));
		fputs("\n", f);
	}
	fputs("</header>\n", f);
}

static const char *sector_name(const char *s)
{
	if (strcmp(s, "ngo") == 0)
		return _("non-profit");
	if (strcmp(s, "public") == 0)
		return _("public sector");
	if (strcmp(s, "business") == 0)
		return _("business");
	if (strcmp(s, "other") == 0)
		return _("other");
	return _("not stated");
}

void report_section_partners(FILE *f, const struct report *r)
{
	fputs("<section id=\"partners\">\n", f);
	report_html_tag(f, "h2", NULL, _("Goal and partners"));
	fputs("\n<p class=\"goal text\">", f);
	if (r->goal[0])
		report_esc(f, r->goal);
	else
		report_html_text(f, _("No goal has been stated yet."));
	fputs("</p>\n", f);
	THEAD(f, NULL, N_("organisation"), N_("sector"), N_("role"), N_("member since"), N_("id"));
	fputs("\n<tbody>\n", f);
	for (size_t i = 0; i < r->n_org; i++) {
		const struct report_org *o = &r->org[i];
		const char *role = strcmp(o->role, "admin") == 0 ? _("backbone (admin)") : _("partner");

		if (o->role[0] == '\0')
			continue;     /* an author that is not a member: see Verification */
		fputs("<tr class=\"partner\"><td><bdi>", f);
		report_esc(f, o->name[0] ? o->name : _("(no name)"));
		fputs("</bdi></td>", f);
		report_html_tag(f, "td", NULL, sector_name(o->sector));
		fputs("<td>", f);
		if (o->removed)
			REPORT_TR(f, r, _("%s, removed"), REPORT_TEXT(role));
		else
			report_html_text(f, role);
		fputs("</td><td>", f);
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
	THEAD(f, "parties", N_("party"), N_("answer"), N_("when"), N_("reason"));
	fputs("<tbody>\n", f);
	for (size_t i = 0; i < c->n_parties; i++) {
		const struct ctlop_r_party *p = &c->parties[i];
		bool none = p->response[0] == '\0' || strcmp(p->response, "none") == 0;
		const char *why = strcmp(p->response, "declined") == 0 ?
			report_reason_find(r, c->hash, p->key) : NULL;

		fputs("<tr><td>", f);
		report_html_who(f, r, p->key);
		fputs("</td><td class=\"answer\">", f);
		report_esc(f, none ? _("no answer yet") : report_value(p->response));
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
		report_html_tag(f, "p", NULL, _("Status history: no status reported yet."));
		fputs("\n", f);
		return;
	}
	THEAD(f, "statuses", N_("when"), N_("status"), N_("by"), N_("note"));
	fputs("<tbody>\n", f);
	for (size_t i = 0; i < c->n_statuses; i++) {
		const struct ctlop_r_status_line *s = &c->statuses[i];

		fputs("<tr><td>", f);
		report_html_time(f, s->at);
		fputs("</td><td class=\"state\">", f);
		report_esc(f, s->state[0] ? report_value(s->state) : "?");
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
	report_esc(f, c->title[0] ? c->title : _("(untitled)"));
	fputs("</h3>\n<p>", f);
	report_html_id(f, ID_ENTRY, c->hash);
	fputs("<br>", f);
	REPORT_TR(f, r, _("made by %s, %s; due %s"), REPORT_WHO(c->author), REPORT_TIME(c->at),
		  REPORT_TEXT_IN("<span class=\"due\">", "</span>", c->due[0] ? c->due : "-"));
	fputs("</p>\n<p>", f);
	REPORT_TR(f, r, c->countersigned ? _("Outcome: %s; countersigned: yes (every party accepted)")
		  : _("Outcome: %s; countersigned: no"),
		  REPORT_TEXT_IN("<strong class=\"outcome\">", "</strong>",
				 c->outcome[0] ? report_value(c->outcome) : "-"));
	if (c->indicator[0] && c->has_target)
		REPORT_TR(f, r, _("; moves indicator %s, target %s"),
			  REPORT_TEXT_IN("<code>", "</code>", c->indicator), REPORT_NUM(c->target));
	else if (c->indicator[0])
		REPORT_TR(f, r, _("; moves indicator %s"), REPORT_TEXT_IN("<code>", "</code>", c->indicator));
	fputs("</p>\n", f);
	if (c->description[0]) {
		fputs("<p class=\"text description\">", f);
		report_esc(f, c->description);
		fputs("</p>\n", f);
	}
	commit_parties(f, r, c);
	commit_statuses(f, r, c);
	fputs("<p class=\"meta\">", f);
	report_html_text(f, _("Received, as partners' checkpoints confirm:"));
	fputs(" ", f);
	for (size_t i = 0; i < c->n_received_by; i++) {
		fputs(i ? "; " : "", f);
		REPORT_TR(f, r, _("%s by %s"), REPORT_WHO(c->received_by[i].key),
			  REPORT_TIME(c->received_by[i].at));
	}
	if (c->n_received_by == 0)
		report_html_text(f, _("nobody yet"));
	fputs(". ", f);
	report_esc(f, c->on_time_confirmed ? _("On time confirmed: yes.") : _("On time confirmed: no."));
	fputs("</p>\n</div>\n", f);
}

void report_section_commitments(FILE *f, const struct report *r)
{
	size_t shown = 0;

	fputs("<section id=\"commitments\">\n", f);
	report_html_tag(f, "h2", NULL, _("Commitments"));
	fputs("\n", f);
	for (size_t i = 0; i < r->audit.n_commitments; i++) {
		if (!commit_in_period(r, &r->audit.commitments[i]))
			continue;
		commit_one(f, r, &r->audit.commitments[i]);
		shown++;
	}
	if (shown == 0) {
		report_html_tag(f, "p", NULL, r->has_period ? _("No commitments made or due in this period.")
				: _("No commitments."));
		fputs("\n", f);
	}
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
	fputs("<section id=\"record\">\n", f);
	report_html_tag(f, "h2", NULL, _("Each organisation's record"));
	fputs("\n", f);
	if (r->has_period) {
		report_html_tag(f, "p", "meta", _("Over the whole history, not only the period."));
		fputs("\n", f);
	}
	if (r->audit.n_orgs == 0) {
		report_html_tag(f, "p", NULL, _("No commitments yet."));
		fputs("\n</section>\n", f);
		return;
	}
	/* commitments made, answered as a party, and their outcomes */
	THEAD(f, "record", N_("organisation"), "#" N_("made"), "#" N_("accepted"), "#" N_("declined"),
	      "#" N_("kept"), "#" N_("late"), "#" N_("missed"), "#" N_("open"));
	fputs("\n<tbody>\n", f);
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
	fputs("<section id=\"witnessed\">\n", f);
	report_html_tag(f, "h2", NULL, _("What partners witnessed"));
	fputs("\n", f);
	report_html_tag(f, "p", NULL, r->has_period ?
			_("A checkpoint is a partner's signed statement of the feeds it holds: a receipt, "
			  "and a bound on when those entries existed. Each partner's latest one up to the "
			  "end of the period:") :
			_("A checkpoint is a partner's signed statement of the feeds it holds: a receipt, "
			  "and a bound on when those entries existed. Each partner's latest one:"));
	fputs("\n", f);
	if (r->n_cp == 0) {
		report_html_tag(f, "p", NULL, _("No checkpoints yet."));
		fputs("\n</section>\n", f);
		return;
	}
	THEAD(f, "witnessed", N_("witness"), N_("as of"), N_("holds the feed of"), "#" N_("up to seq"),
	      N_("entry"));
	fputs("\n<tbody>\n", f);
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
	fputs("<section id=\"messages\">\n", f);
	report_html_tag(f, "h2", NULL, _("Conversation"));
	fputs("\n", f);
	if (r->pub) {
		fputs("<p>", f);
		if (r->has_period)
			REPORT_TR(f, r, P_("%s message in this period; their texts are left out of the "
					   "public edition.", "%s messages in this period; their texts are left "
					   "out of the public edition.", r->n_msg_total),
				  REPORT_U64(r->n_msg_total));
		else
			REPORT_TR(f, r, P_("%s message; their texts are left out of the public edition.",
					   "%s messages; their texts are left out of the public edition.",
					   r->n_msg_total), REPORT_U64(r->n_msg_total));
		fputs("</p>\n</section>\n", f);
		return;
	}
	if (r->n_msg == 0) {
		report_html_tag(f, "p", NULL, _("No messages."));
		fputs("\n</section>\n", f);
		return;
	}
	if (r->n_msg_total > r->n_msg) {
		fputs("<p class=\"meta\">", f);
		REPORT_TR(f, r, _("The latest %s of %s messages."), REPORT_U64(r->n_msg),
			  REPORT_U64(r->n_msg_total));
		fputs("</p>\n", f);
	}
	if (sealed) {
		report_html_tag(f, "p", "meta", _("Private messages show their text only when this node "
						  "was one of their recipients."));
		fputs("\n", f);
	}
	THEAD(f, "messages", N_("when"), N_("from"), N_("message"));
	fputs("\n<tbody>\n", f);
	for (size_t i = 0; i < r->n_msg; i++) {
		const struct report_msg *m = &r->msg[i];

		fputs("<tr><td>", f);
		report_html_time(f, m->at);
		fputs("</td><td>", f);
		report_html_who(f, r, m->author);
		fputs("</td><td class=\"text\">", f);
		if (m->sealed && m->text) {
			report_html_tag(f, "em", NULL, _("(private)"));
			fputs(" ", f);
		} else if (m->sealed) {
			report_html_tag(f, "em", NULL, _("(private message for other members)"));
		} else if (m->text == NULL) {
			report_html_tag(f, "em", NULL, _("(text removed or not held here)"));
		}
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

	fputs("<p class=\"audit\">", f);
	if (a->n_bad)
		REPORT_TR(f, r, P_("This node's audit: %s entry checked, %s;",
				   "This node's audit: %s entries checked, %s;", a->checked),
			  REPORT_U64(a->checked),
			  REPORT_TEXT_IN("<strong>", "</strong>", _("broken chains or signatures")));
	else
		REPORT_TR(f, r, P_("This node's audit: %s entry checked, %s;",
				   "This node's audit: %s entries checked, %s;", a->checked),
			  REPORT_U64(a->checked), REPORT_TEXT(_("every chain and signature valid")));
	fputs(" ", f);
	REPORT_TR(f, r, P_("%s fork;", "%s forks;", a->n_forks), REPORT_U64(a->n_forks));
	fputs(" ", f);
	REPORT_TR(f, r, P_("%s bad-signature proof;", "%s bad-signature proofs;", a->n_badsigs),
		  REPORT_U64(a->n_badsigs));
	fputs(" ", f);
	REPORT_TR(f, r, P_("%s anomaly.", "%s anomalies.", a->n_anomalies), REPORT_U64(a->n_anomalies));
	fputs("</p>\n", f);
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
	fputs("<section id=\"verify\" class=\"break\">\n", f);
	report_html_tag(f, "h2", NULL, _("Verification"));
	fputs("\n<p>", f);
	REPORT_TR(f, r, P_("Initiative %s. As of %s the node that drew this report held %s entry of it.",
			   "Initiative %s. As of %s the node that drew this report held %s entries of it.",
			   r->entries),
		  REPORT_ID(ID_NETWORK, r->network), REPORT_TIME(r->now_ms), REPORT_U64(r->entries));
	fputs(" ", f);
	report_html_text(f, _("Each organisation's feed is a chain of signed entries; its head (the latest "
			"seq and that entry's hash) fixes everything before it."));
	fputs("</p>\n", f);
	THEAD(f, "heads", N_("organisation"), N_("feed"), "#" N_("head seq"), N_("head hash"));
	fputs("\n<tbody>\n", f);
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
	report_html_tag(f, "h3", NULL, _("Check it yourself"));
	fputs("\n", f);
	report_html_tag(f, "p", NULL, _("Ask any partner to run the export commands on its node (each "
					"writes a bundle file of signed entries), then check the bundles "
					"on any computer with pakt, offline: 'pakt verify' needs no "
					"daemon, no data directory and no network. The last line of each "
					"index names the head: it must end with the seq and hash above."));
	fputs("\n<pre class=\"commands\">", f);
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
	report_html_tag(f, "p", NULL, _("Each commitment's own proof (the commitment, its answers and "
					"statuses):"));
	fputs("\n<pre class=\"commands\">", f);
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
	char title[BODY_NAME_MAX + 256];
	int rc;

	snprintf(title, sizeof title, _("Partnership report: %s"), r->name);
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
