/* Commitments and their record: commit, accept, decline, progress,
 * commitments, audit. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli/cmds.h"
#include "cli/i18n.h"
#include "cli/metrics.h"
#include "cli/output.h"
#include "cli/text.h"
#include "cli/work.h"
#include "proto/body.h"
#include "proto/date.h"
#include "proto/err.h"
#include "proto/id.h"

int cmd_commit(int argc, char **argv)
{
	struct work_opts o;
	static struct ctlop_req r;
	struct body_commitment *cm = &r.u.commit;
	struct ctlop_r_entry e;
	struct client c;
	char idt[ID_TEXT_MAX];
	int64_t day;
	int ret = work_opts("commit", argc, argv, A(W_NETWORK) | A(W_PARTY) | A(W_DUE) | A(W_INDICATOR) |
			    A(W_TARGET) | A(W_DESCRIPTION) | A(W_ALLOW_PAST_DUE), 1, 1, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	work_req(&r, CTLOP_COMMIT, &o);
	if ((ret = work_check_len("commit", _("the title"), o.argv[0], 1, BODY_TITLE_MAX)) != CLI_OK)
		return ret;
	if (o.party.n == 0)
		return cli_usage("commit", "%s", _("give the committing organisations with --party ID"));
	if ((ret = work_parse_keys("commit", "--party", &o.party, cm->parties, BODY_PARTIES_MAX,
				   &cm->n_parties)) != CLI_OK)
		return ret;
	if (!o.given[W_DUE])
		return cli_usage("commit", "%s", _("--due YYYY-MM-DD is required"));
	if (strlen(o.val[W_DUE]) >= sizeof cm->due || date_parse(o.val[W_DUE], &day) != 0)
		return cli_usage("commit", _("--due '%.40s' is not a date YYYY-MM-DD"), o.val[W_DUE]);
	/* a date in the past marks every party late at once: only on purpose
	 * (the days are UTC's, as the outcome's "overdue") */
	if (day < (int64_t)(time(NULL) / 86400) && !o.given[W_ALLOW_PAST_DUE])
		return cli_fail("commit", PAKT_EINVAL, _("due date %s is in the past; use --allow-past-due "
				"to record an older agreement"), o.val[W_DUE]);
	if (o.ind.n > 1)
		return cli_usage("commit", "%s", _("a commitment moves at most one --indicator"));
	if (o.ind.n == 1 && !metrics_valid_id(o.ind.v[0]))
		return cli_usage("commit", _("--indicator '%.40s' must be 1 to %d of a-z, 0-9, _ and -"),
				 o.ind.v[0], BODY_ID_MAX);
	if (o.given[W_TARGET]) {
		if (o.ind.n == 0)
			return cli_usage("commit", "%s", _("--target needs --indicator"));
		if (!metrics_parse_number(o.val[W_TARGET], &cm->target))
			return cli_usage("commit", _("--target '%.40s' is not a finite number"), o.val[W_TARGET]);
		cm->has_target = true;
	}
	if (o.given[W_DESCRIPTION] &&
	    (ret = work_check_len("commit", "--description", o.val[W_DESCRIPTION], 1, BODY_TEXT_MAX)) != CLI_OK)
		return ret;
	snprintf(cm->title, sizeof cm->title, "%s", o.argv[0]);
	snprintf(cm->due, sizeof cm->due, "%s", o.val[W_DUE]);
	if (o.ind.n == 1)
		snprintf(cm->indicator, sizeof cm->indicator, "%s", o.ind.v[0]);
	if (o.given[W_DESCRIPTION])
		snprintf(cm->description, sizeof cm->description, "%s", o.val[W_DESCRIPTION]);
	ret = work_send(&c, &o, &r, 10000);
	if (ret == CLI_OK && (ret = cli_reply(&c, "commit", CTLOP_R_ENTRY, &e)) == CLI_OK) {
		id_encode(ID_ENTRY, e.hash, idt);
		printf(_("committed %s\n"), idt);   /* the commitment's id: what partners accept */
	}
	return work_done(&c, ret);
}

/* accept, decline */
static int answer(const char *cmd, int argc, char **argv)
{
	bool decline = strcmp(cmd, "decline") == 0;
	struct work_opts o;
	struct ctlop_req r;
	struct client c;
	char verb[256];
	int ret = work_opts(cmd, argc, argv, A(W_NETWORK) | A(W_CHANGE) | (decline ? A(W_REASON) : 0),
			    1, 1, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	work_req(&r, decline ? CTLOP_DECLINE : CTLOP_ACCEPT, &o);
	if ((ret = cli_parse_id(cmd, _("commitment"), ID_ENTRY, o.argv[0], r.u.ref.ref)) != CLI_OK)
		return ret;
	if (o.given[W_REASON] &&
	    (ret = work_check_len(cmd, "--reason", o.val[W_REASON], 1, BODY_REASON_MAX)) != CLI_OK)
		return ret;
	if (o.given[W_REASON])
		snprintf(r.u.ref.text, sizeof r.u.ref.text, "%s", o.val[W_REASON]);
	r.u.ref.change = o.given[W_CHANGE];   /* paktd refuses what breaks the lifecycle */
	ret = work_send(&c, &o, &r, 10000);
	if (ret == CLI_OK) {
		const char *fmt = decline ? (o.given[W_CHANGE] ? _("declined %s (changed answer):")
					     : _("declined %s:"))
				  : o.given[W_CHANGE] ? _("accepted %s (changed answer):") : _("accepted %s:");

		snprintf(verb, sizeof verb, fmt, o.argv[0]);
		ret = work_posted(&c, cmd, verb, NULL);
	}
	return work_done(&c, ret);
}

int cmd_accept(int argc, char **argv)
{
	return answer("accept", argc, argv);
}

int cmd_decline(int argc, char **argv)
{
	return answer("decline", argc, argv);
}

int cmd_progress(int argc, char **argv)
{
	static const char *const states[] = {"in-progress", "fulfilled", "missed", "withdrawn", NULL};
	struct work_opts o;
	static struct ctlop_req r;
	struct body_status *st = &r.u.progress;
	struct client c;
	char verb[256];
	bool ok = false;
	int ret = work_opts("progress", argc, argv, A(W_NETWORK) | A(W_NOTE) | A(W_EVIDENCE) | A(W_REOPEN),
			    2, 2, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	work_req(&r, CTLOP_PROGRESS, &o);
	if ((ret = cli_parse_id("progress", _("commitment"), ID_ENTRY, o.argv[0], st->ref)) != CLI_OK)
		return ret;
	for (size_t i = 0; states[i]; i++)
		ok |= strcmp(o.argv[1], states[i]) == 0;
	if (!ok)
		return cli_usage("progress", _("the state is in-progress, fulfilled, missed or withdrawn, "
				 "not '%.40s'"), o.argv[1]);
	if (o.given[W_NOTE] &&
	    (ret = work_check_len("progress", "--note", o.val[W_NOTE], 1, BODY_TEXT_MAX)) != CLI_OK)
		return ret;
	if (o.given[W_EVIDENCE] &&
	    (ret = cli_parse_id("progress", "--evidence", ID_ENTRY, o.val[W_EVIDENCE], st->evidence)) != CLI_OK)
		return ret;
	st->has_evidence = o.given[W_EVIDENCE];
	st->reopen = o.given[W_REOPEN];
	snprintf(st->state, sizeof st->state, "%s", o.argv[1]);
	if (o.given[W_NOTE])
		snprintf(st->note, sizeof st->note, "%s", o.val[W_NOTE]);
	ret = work_send(&c, &o, &r, 10000);
	if (ret == CLI_OK) {
		snprintf(verb, sizeof verb, o.given[W_REOPEN] ? _("%s is now %s (reopened):")
			 : _("%s is now %s:"), o.argv[0], o.argv[1]);
		ret = work_posted(&c, "progress", verb, NULL);
	}
	return work_done(&c, ret);
}

/* "Name (pk_abcd…)" or the short id alone, the name escaped and cut so
 * that the whole fits cols columns (0: no limit); padded to cols when pad. */
static void who(FILE *f, const char *name, const uint8_t key[32], size_t cols, bool pad)
{
	char sh[16], tail[24];
	size_t w;

	id_short(ID_KEY, key, sh);
	if (name[0] == '\0') {
		text_fit(f, sh, cols ? cols : sizeof sh, pad);
		return;
	}
	snprintf(tail, sizeof tail, " (%s)", sh);
	w = text_fit(f, name, cols ? cols - text_width(tail, strlen(tail)) : BODY_NAME_MAX * 4, false);
	fputs(tail, f);
	for (w += text_width(tail, strlen(tail)); pad && w < cols; w++)
		fputc(' ', f);
}

/* who() as a string, so that a sentence with a name in it is translated
 * whole: malloc'ed (the caller frees it), NULL when out of memory. */
static char *who_str(const char *name, const uint8_t key[32])
{
	char *s = NULL;
	size_t n;
	FILE *f = open_memstream(&s, &n);

	if (f == NULL)
		return NULL;
	who(f, name, key, 0, false);
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

static void when(uint64_t ms, char out[32])
{
	if (ms > 0)
		output_time(ms, out);
	else
		snprintf(out, 32, "-");
}

/* ' ("text")' for a partner's note or reason, its controls made safe. */
static void quoted(const char *text)
{
	if (text[0] == '\0')
		return;
	fputs(" (\"", stdout);
	text_fit(stdout, text, 300, false);
	fputs("\")", stdout);
}

/* "  NO EFFECT: why" after a line whose entry did not count. */
static void no_effect(const char *why)
{
	printf(_("  NO EFFECT: %s"), why);
}

/* The statuses of x: the latest that counts, or every one for the audit
 * (those that broke the lifecycle marked). */
static void print_statuses(const struct ctlop_r_commit *x, bool audit)
{
	const struct ctlop_r_status_line *last = NULL;
	char at[32], *by;

	for (size_t i = 0; i < x->n_statuses; i++)
		if (x->statuses[i].counts)
			last = &x->statuses[i];
	if (x->n_statuses == 0 || (!audit && last == NULL)) {
		fputs(_("  status: none yet\n"), stdout);
	} else if (!audit) {
		when(last->at, at);
		by = who_str(last->by_name, last->by);
		/* TRANSLATORS: the state (in-progress, fulfilled, ...) stays as it is */
		printf(_("  status: %s since %s, by %s"), x->state, at, by ? by : "?");
		free(by);
		quoted(last->note);
		putchar('\n');
	} else {
		fputs(_("  status history (lifecycle order):\n"), stdout);
		for (size_t i = 0; i < x->n_statuses; i++) {
			const struct ctlop_r_status_line *s = &x->statuses[i];

			when(s->at, at);
			by = who_str(s->by_name, s->by);
			/* TRANSLATORS: time, the state (kept as it is, padded to 11) and who */
			printf(_("    %s  %-11s by %s"), at, s->state[0] ? s->state : "?", by ? by : "?");
			free(by);
			fputs(s->reopen ? _(" [reopens]") : "", stdout);
			quoted(s->note);
			if (!s->counts)
				no_effect(s->breach[0] ? s->breach : _("see anomalies"));
			putchar('\n');
		}
	}
}

/* Every answer, when the history has more than each party's one (a change,
 * or an answer without effect), or always in the audit. */
static void print_answers(const struct ctlop_r_commit *x, bool audit)
{
	size_t answered = 0;
	char at[32], *by;

	for (size_t i = 0; i < x->n_parties; i++)
		answered += strcmp(x->parties[i].response, "none") != 0 && x->parties[i].response[0];
	if (x->n_answers == 0 || (!audit && x->n_answers == answered))
		return;
	fputs(_("  answer history (lifecycle order):\n"), stdout);
	for (size_t i = 0; i < x->n_answers; i++) {
		const struct ctlop_r_answer *a = &x->answers[i];

		when(a->at, at);
		by = who_str(a->by_name, a->by);
		/* TRANSLATORS: time, the answer (accepted or declined, kept as it
		 * is, padded to 8) and who */
		printf(_("    %s  %-8s by %s"), at, a->response, by ? by : "?");
		free(by);
		fputs(a->change ? _(" [change]") : "", stdout);
		quoted(a->reason);
		if (!a->counts && a->breach[0])
			no_effect(a->breach);
		else if (!a->counts)
			fputs(_("  (replaced by a later change)"), stdout);
		putchar('\n');
	}
}

/* One commitment of a commitments or audit reply, for people. */
static void print_commitment(const struct ctlop_r_commit *x, bool audit)
{
	char idt[ID_TEXT_MAX], at[32], num[32], *by;

	id_encode(ID_ENTRY, x->hash, idt);
	when(x->at, at);
	text_put(stdout, x->title[0] ? x->title : _("(untitled)"));
	printf("\n  %s\n", idt);
	by = who_str(x->author_name, x->author);
	/* TRANSLATORS: who, when, the due date; then the outcome (kept, late,
	 * ... stays as it is) and whether every party accepted */
	printf(_("  by %s, %s; due %s\n"), by ? by : "?", at, x->due[0] ? x->due : "-");
	free(by);
	printf(_("  outcome: %s; countersigned: %s\n"), x->outcome[0] ? x->outcome : "-",
	       x->countersigned ? _("yes (every party accepted)") : _("no"));
	if (x->description[0]) {
		fputs("  ", stdout);
		text_put_lines(stdout, x->description, "  ");
		putchar('\n');
	}
	if (x->indicator[0] && x->has_target) {
		metrics_fmt_num(x->target, num);
		printf(_("  moves indicator %s to %s\n"), x->indicator, num);
	} else if (x->indicator[0]) {
		printf(_("  moves indicator %s\n"), x->indicator);
	}
	fputs(_("  parties:\n"), stdout);
	for (size_t i = 0; i < x->n_parties; i++) {
		const struct ctlop_r_party *p = &x->parties[i];

		when(p->at, at);
		fputs("    ", stdout);
		who(stdout, p->name, p->key, 40, true);
		if (p->response[0] == '\0' || strcmp(p->response, "none") == 0) {
			fputs(_(" no answer yet\n"), stdout);
		} else {
			printf(" %-8s %s", p->response, at);
			quoted(p->reason);
			putchar('\n');
		}
	}
	print_answers(x, audit);
	print_statuses(x, audit);
	if (!audit)
		return;
	fputs(x->n_received_by == 0 ? _("  received by: nobody confirmed yet\n") : _("  received by:\n"),
	      stdout);
	for (size_t i = 0; i < x->n_received_by; i++) {
		when(x->received_by[i].at, at);
		fputs("    ", stdout);
		who(stdout, x->received_by[i].name, x->received_by[i].key, 40, true);
		printf(" %s\n", at);
	}
	fputs(x->on_time_confirmed ? _("  on time confirmed: yes\n") : _("  on time confirmed: no\n"),
	      stdout);
}

/* --due-within: the parties that have not answered yet. */
static void print_waiting(const struct ctlop_r_commit *x)
{
	size_t n = 0;

	fputs(_("  waiting for an answer from:"), stdout);
	for (size_t i = 0; i < x->n_parties; i++) {
		const struct ctlop_r_party *p = &x->parties[i];

		if (p->response[0] && strcmp(p->response, "none") != 0)
			continue;
		fputs(n++ ? ", " : " ", stdout);
		who(stdout, p->name, p->key, 0, false);
	}
	fputs(n ? "\n" : _(" nobody (every party answered)\n"), stdout);
}

int cmd_commitments(int argc, char **argv)
{
	struct work_opts o;
	struct ctlop_req r;
	struct ctlop_r_commitments m = {0};
	struct client c;
	int filters, ret = work_opts("commitments", argc, argv, A(W_NETWORK) | A(W_MINE) | A(W_PARTY) |
				     A(W_OPEN) | A(W_OVERDUE) | A(W_JSON) | A(W_DUE_WITHIN), 0, 0, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	filters = o.given[W_MINE] + o.given[W_OPEN] + o.given[W_OVERDUE];
	if (filters > 1)
		return cli_usage("commitments", "%s", _("give one of --mine, --open and --overdue"));
	if (o.party.n > 1)
		return cli_usage("commitments", "%s", _("give one --party"));
	work_req(&r, CTLOP_COMMITMENTS, &o);
	if (o.party.n == 1 &&
	    (ret = cli_parse_id("commitments", "--party", ID_KEY, o.party.v[0], r.u.commitments.party)) != CLI_OK)
		return ret;
	r.u.commitments.has_party = o.party.n == 1;
	if (o.given[W_DUE_WITHIN] &&
	    !work_parse_days(o.val[W_DUE_WITHIN], &r.u.commitments.due_within))
		return cli_usage("commitments", _("--due-within '%.40s' is not Nd (days) or Nw (weeks), "
				 "at most 36600 days"), o.val[W_DUE_WITHIN]);
	r.u.commitments.has_due_within = o.given[W_DUE_WITHIN];
	if (filters)
		snprintf(r.u.commitments.filter, sizeof r.u.commitments.filter, "%s",
			 o.given[W_MINE] ? "mine" : o.given[W_OPEN] ? "open" : "overdue");
	ret = work_send(&c, &o, &r, WORK_TIMEOUT_BIG);
	if (ret == CLI_OK && o.given[W_JSON]) {
		cli_json(&c, true, false, "commitments");
		return work_done(&c, ret);
	}
	if (ret == CLI_OK)
		ret = cli_reply(&c, "commitments", CTLOP_R_COMMITMENTS, &m);
	if (ret == CLI_OK && m.n_commitments == 0)
		puts(o.given[W_DUE_WITHIN] ? _("no open commitment falls due then") : _("no commitments"));
	for (size_t i = 0; ret == CLI_OK && i < m.n_commitments; i++) {
		if (i)
			putchar('\n');
		print_commitment(&m.commitments[i], false);
		if (o.given[W_DUE_WITHIN])
			print_waiting(&m.commitments[i]);
	}
	ctlop_reply_free(CTLOP_R_COMMITMENTS, &m);
	return work_done(&c, ret);
}

/* ---- audit ---- */

/* The record per organisation: a table of 80 columns whose number columns
 * are as wide as their (translated) headers, the names taking the rest. */
static void print_orgs(const struct ctlop_r_audit *m)
{
	static const char *const head[] = {
		/* TRANSLATORS: column headers of the audit's record per
		 * organisation; keep them short (the table has 80 columns) */
		N_("MADE"), N_("ACCEPTED"), N_("DECLINED"), N_("KEPT"), N_("LATE"), N_("MISSED"),
		N_("OPEN"),
	};
	enum { N_COLS = sizeof head / sizeof head[0] };
	size_t w[N_COLS], used = 2, name_cols;

	fputs(_("\nrecord per organisation:\n"), stdout);
	if (m->n_orgs == 0) {
		fputs(_("  (none)\n"), stdout);
		return;
	}
	for (size_t k = 0; k < N_COLS; k++) {
		w[k] = text_width(_(head[k]), strlen(_(head[k])));
		w[k] = w[k] < 4 ? 4 : w[k] > 12 ? 12 : w[k];
		used += 1 + w[k];
	}
	name_cols = used + 16 > 80 ? 16 : 80 - used;
	fputs("  ", stdout);
	text_pad(stdout, _("ORGANISATION"), name_cols, false);
	for (size_t k = 0; k < N_COLS; k++) {
		putchar(' ');
		text_pad(stdout, _(head[k]), w[k], true);
	}
	putchar('\n');
	for (size_t i = 0; i < m->n_orgs; i++) {
		const struct ctlop_r_org *x = &m->orgs[i];
		uint64_t v[N_COLS] = {x->made, x->accepted, x->declined, x->kept, x->late, x->missed,
				      x->open};

		fputs("  ", stdout);
		who(stdout, x->name, x->key, name_cols, true);
		for (size_t k = 0; k < N_COLS; k++)
			printf(" %*llu", (int)w[k], (unsigned long long)v[k]);
		putchar('\n');
	}
}

static void print_audit(const struct ctlop_r_audit *m)
{
	char idt[ID_TEXT_MAX], idt2[ID_TEXT_MAX], at[32];

	printf(P_("chains and signatures: %llu entries checked, %s\n",
		  "chains and signatures: %llu entries checked, %s\n", m->checked),
	       (unsigned long long)m->checked, m->n_bad ? _("PROBLEMS FOUND") : _("all valid"));
	for (size_t i = 0; i < m->n_bad; i++) {
		id_encode(ID_KEY, m->bad[i].author, idt);
		printf(_("  BAD %s #%llu: %s\n"), idt, (unsigned long long)m->bad[i].seq,
		       m->bad[i].reason[0] ? m->bad[i].reason : "?");
	}
	fputs(m->n_forks ? _("forks:\n") : _("forks: none\n"), stdout);
	for (size_t i = 0; i < m->n_forks; i++) {
		id_encode(ID_KEY, m->forks[i].author, idt);
		printf(_("  FORK %s #%llu: two different entries\n"), idt,
		       (unsigned long long)m->forks[i].seq);
		id_encode(ID_ENTRY, m->forks[i].a, idt);
		id_encode(ID_ENTRY, m->forks[i].b, idt2);
		printf("    %s\n    %s\n", idt, idt2);
	}
	fputs(m->n_badsigs ? _("bad signatures:\n") : _("bad signatures: none\n"), stdout);
	for (size_t i = 0; i < m->n_badsigs; i++) {
		const struct ctlop_r_badsig *x = &m->badsigs[i];
		char *by = who_str(x->name, x->author);

		/* TRANSLATORS: who, #seq; then the bad entry and its successor */
		printf(_("  BAD SIGNATURE %s #%llu: its signature fails under a validly signed successor\n"),
		       by ? by : "?", (unsigned long long)x->seq);
		free(by);
		id_encode(ID_ENTRY, x->a, idt);
		id_encode(ID_ENTRY, x->b, idt2);
		printf("    %s\n    %s\n", idt, idt2);
	}
	fputs(m->n_commitments ? _("\ncommitments:\n") : _("\ncommitments: none\n"), stdout);
	for (size_t i = 0; i < m->n_commitments; i++) {
		putchar('\n');
		print_commitment(&m->commitments[i], true);
	}
	print_orgs(m);
	fputs(m->n_anomalies ? _("\nanomalies:\n") : _("\nanomalies: none\n"), stdout);
	for (size_t i = 0; i < m->n_anomalies; i++) {
		const struct ctlop_r_anomaly *x = &m->anomalies[i];
		char *by = who_str(x->name, x->author);

		id_encode(ID_ENTRY, x->hash, idt);
		if (x->has_ref) {
			id_encode(ID_ENTRY, x->ref, idt2);
			/* TRANSLATORS: who, #seq, the entry, the commitment; then what */
			printf(_("  %s #%llu %s (on commitment %s): %s\n"), by ? by : "?", (unsigned long long)x->seq,
			       idt, idt2, x->what[0] ? x->what : "?");
		} else {
			printf("  %s #%llu %s: %s\n", by ? by : "?", (unsigned long long)x->seq, idt,
			       x->what[0] ? x->what : "?");
		}
		free(by);
	}
	fputs(m->n_redactions ? _("\nredactions:\n") : _("\nredactions: none\n"), stdout);
	for (size_t i = 0; i < m->n_redactions; i++) {
		const struct ctlop_r_redaction *x = &m->redactions[i];

		id_encode(ID_KEY, x->author, idt2);
		id_encode(ID_ENTRY, x->ref, idt);
		when(x->at, at);
		printf(_("  %s #%llu at %s removed the body of %s"), idt2, (unsigned long long)x->seq, at,
		       idt);
		quoted(x->reason);
		putchar('\n');
	}
	fputs(m->ok ? _("\nresult: OK: every chain intact, no fork\n")
	      : _("\nresult: FAILED: a broken chain, a fork or a bad signature (see above)\n"), stdout);
}

/* "1234567" grouped by thousands into out[cap], with the separator of
 * the language of the messages. */
static const char *grouped(uint64_t v, char *out, size_t cap)
{
	/* TRANSLATORS: the thousands separator of counts, as in 1,000,000 */
	const char *sep = _(",");
	char digits[24];
	size_t n = (size_t)snprintf(digits, sizeof digits, "%" PRIu64, v), len = 0;

	for (size_t i = 0; i < n && len + strlen(sep) + 2 < cap; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			len += (size_t)snprintf(out + len, cap - len, "%s", sep);
		out[len++] = digits[i];
	}
	out[len] = '\0';
	return out;
}

static void progress_line(char *out, size_t cap, uint64_t done, uint64_t total)
{
	char d[40], t[40];

	/* TRANSLATORS: a line on the terminal while the audit runs */
	snprintf(out, cap, _("auditing: %s of %s entries"), grouped(done, d, sizeof d),
		 grouped(total, t, sizeof t));
}

/* The audit's progress replies until its own (c->buf holds the first
 * message): one line on stderr when show, overwritten in place and erased
 * at the end. 0, or the error of a later message. */
static int audit_wait(struct client *c, bool show)
{
	struct ctlop_r_progress p;
	bool shown = false;
	char line[160];
	int rc = 0;

	while (memset(&p, 0, sizeof p), client_reply(c, CTLOP_R_PROGRESS, &p) == 0 && p.progress) {
		if (show) {
			progress_line(line, sizeof line, p.done, p.total);
			fprintf(stderr, "\r%s", line);
			fflush(stderr);
			shown = true;
		}
		if ((rc = client_recv(c, WORK_TIMEOUT_BIG)) != 0 || (rc = client_reply_error(c)) != 0)
			break;
	}
	if (shown)
		fputs("\r\033[K", stderr);
	return rc;
}

int cmd_audit(int argc, char **argv)
{
	struct work_opts o;
	struct ctlop_req r;
	struct ctlop_r_audit m = {0};
	struct client c;
	int rc, ret = work_opts("audit", argc, argv, A(W_NETWORK) | A(W_JSON), 0, 1, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	work_req(&r, CTLOP_AUDIT, &o);
	if (o.argc == 1 &&
	    (ret = cli_parse_id("audit", _("organisation id"), ID_KEY, o.argv[0], r.u.audit.author)) != CLI_OK)
		return ret;
	r.u.audit.has_author = o.argc == 1;
	/* a progress line only for people at a terminal, never in JSON */
	r.u.audit.progress = !o.given[W_JSON] && isatty(STDERR_FILENO);
	ret = work_send(&c, &o, &r, WORK_TIMEOUT_BIG);
	if (ret == CLI_OK && (rc = audit_wait(&c, r.u.audit.progress)) != 0)
		ret = cli_fail("audit", rc, "%s", c.why);
	if (ret == CLI_OK)
		ret = cli_reply(&c, "audit", CTLOP_R_AUDIT, &m);
	if (ret == CLI_OK) {
		if (o.given[W_JSON])
			cli_json(&c, true, true, NULL);
		else
			print_audit(&m);
		ret = m.ok ? CLI_OK : CLI_FAIL;
	}
	ctlop_reply_free(CTLOP_R_AUDIT, &m);
	return work_done(&c, ret);
}
