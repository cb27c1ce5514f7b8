/* Shared measurement: agenda (show, set), update, metrics. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
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

/* The agenda's indicators of a reply, as the agenda body holds them. */
static size_t indicators(const struct ctlop_r_indicator *in, size_t n, struct body_indicator *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < BODY_INDICATORS_MAX; i++)
		if (in[i].id[0] != '\0')
			metrics_indicator(&in[i], &out[k++]);
	return k;
}

/* The options that add to --indicator: each names one by its id. */
static int agenda_extras(const struct work_opts *o, struct body_agenda *a)
{
	static const struct {
		int w;
		int (*parse)(const char *, struct body_agenda *, char *, size_t);
	} extras[] = {
		{ W_ABOUT, metrics_parse_about },
		{ W_BASELINE, metrics_parse_baseline },
		{ W_TARGET, metrics_parse_milestone },
		{ W_DIMENSION, metrics_parse_dimension },
	};
	char why[256];

	for (size_t k = 0; k < sizeof extras / sizeof extras[0]; k++)
		for (size_t i = 0; i < o->each[extras[k].w].n; i++)
			if (extras[k].parse(o->each[extras[k].w].v[i], a, why, sizeof why) != 0)
				return cli_usage("agenda", "%s", why);
	if (o->given[W_SUPPRESS]) {
		double v;

		if (!metrics_parse_number(o->val[W_SUPPRESS], &v) || v < 0 || v > BODY_SUPPRESS_MAX ||
		    v != floor(v))
			return cli_usage("agenda", _("--suppress-below takes a whole number 0 to %d, not '%.40s'"),
					 BODY_SUPPRESS_MAX, o->val[W_SUPPRESS]);
		a->suppress = (uint64_t)v;
		a->has_suppress = a->suppress != BODY_SUPPRESS_DEFAULT;
	}
	return CLI_OK;
}

static int agenda_set(int argc, char **argv)
{
	struct work_opts o;
	static struct ctlop_req r;
	struct body_agenda *a = &r.u.agenda;
	struct client c;
	char why[256], count[64], extra[72];
	int ret = work_opts("agenda", argc, argv,
			    A(W_NETWORK) | A(W_GOAL) | A(W_INDICATOR) | A(W_ABOUT) | A(W_BASELINE) |
			    A(W_TARGET) | A(W_DIMENSION) | A(W_SUPPRESS), 0, 0, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	if (!o.given[W_GOAL])
		return cli_usage("agenda", "%s", _("--goal TEXT is required (it may be \"\")"));
	if ((ret = work_check_len("agenda", "--goal", o.val[W_GOAL], 0, BODY_TEXT_MAX)) != CLI_OK)
		return ret;
	if (o.ind.n == 0)
		return cli_usage("agenda", "%s",
				 _("give at least one --indicator ID:NAME:UNIT[:TARGET[:up|down[:count|level|ratio]]]"));
	if (o.ind.n > BODY_INDICATORS_MAX)
		return cli_usage("agenda", _("at most %d indicators"), BODY_INDICATORS_MAX);
	work_req(&r, CTLOP_AGENDA_SET, &o);
	for (size_t i = 0; i < o.ind.n; i++) {
		if (metrics_parse_indicator(o.ind.v[i], &a->ind[i], why, sizeof why) != 0)
			return cli_usage("agenda", "--indicator: %s", why);
		for (size_t k = 0; k < i; k++)
			if (strcmp(a->ind[k].id, a->ind[i].id) == 0)
				return cli_usage("agenda", _("--indicator: id '%s' given twice"), a->ind[i].id);
	}
	a->n = o.ind.n;
	if ((ret = agenda_extras(&o, a)) != CLI_OK)
		return ret;
	snprintf(a->goal, sizeof a->goal, "%s", o.val[W_GOAL]);
	ret = work_send(&c, &o, &r, 10000);
	if (ret == CLI_OK) {
		snprintf(count, sizeof count, P_("%zu indicator", "%zu indicators", o.ind.n), o.ind.n);
		snprintf(extra, sizeof extra, " (%s)", count);
		ret = work_posted(&c, "agenda", _("agenda set"), extra);
	}
	return work_done(&c, ret);
}

/* What an indicator adds to its row: about, baseline, milestones, dimension. */
static void show_extras(const struct body_indicator *d)
{
	char num[32];

	if (d->about != BODY_ABOUT_NONE)
		printf(_("    about: %s\n"), body_abouts[d->about]);
	if (d->has_baseline) {
		metrics_fmt_num(d->baseline.value, num);
		printf(_("    baseline: %s (%s)\n"), num, d->baseline.period);
	}
	for (size_t k = 0; k < d->n_milestones; k++) {
		metrics_fmt_num(d->milestones[k].value, num);
		printf(_("    milestone: %s for %s\n"), num, d->milestones[k].period);
	}
	if (d->n_categories > 0) {
		/* TRANSLATORS: the dimension (an id like "gender") follows, then
		 * ':' and its categories */
		fputs(_("    by "), stdout);
		text_put(stdout, d->dimension);
		putchar(':');
		for (size_t k = 0; k < d->n_categories; k++)
			fputs(k ? ", " : " ", stdout), text_put(stdout, d->categories[k]);
		putchar('\n');
	}
}

static int agenda_show(int argc, char **argv)
{
	struct work_opts o;
	struct ctlop_req r;
	static struct ctlop_r_agenda m;
	struct client c;
	static struct body_indicator ind[BODY_INDICATORS_MAX];
	char by[ID_TEXT_MAX], when[32] = "-";
	size_t n;
	int ret = work_opts("agenda", argc, argv, A(W_NETWORK) | A(W_JSON), 0, 0, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	work_req(&r, CTLOP_AGENDA, &o);
	ret = work_send(&c, &o, &r, 10000);
	if (ret == CLI_OK && o.given[W_JSON]) {
		cli_json(&c, true, false, NULL);
		return work_done(&c, ret);
	}
	if (ret == CLI_OK)
		ret = cli_reply(&c, "agenda", CTLOP_R_AGENDA, &m);
	if (ret != CLI_OK)
		goto free_reply;
	id_encode(ID_KEY, m.set_by, by);
	if (m.set_at > 0)
		output_time(m.set_at, when);
	n = indicators(m.indicators, m.n_indicators, ind);
	fputs(_("goal: "), stdout);
	text_put(stdout, m.goal[0] ? m.goal : _("(none)"));
	putchar('\n');
	if (m.history > 1)
		printf(P_("set by %s at %s (agenda %llu, replacing %llu earlier)\n",
			  "set by %s at %s (agenda %llu, replacing %llu earlier)\n", m.history - 1), by,
		       when, (unsigned long long)m.history, (unsigned long long)(m.history - 1));
	else
		printf(_("set by %s at %s\n"), by, when);
	printf(_("public report: breakdown cells below %llu hidden\n"), (unsigned long long)m.suppress);
	/* 80 columns: names and units cut by display width (cli/text.h);
	 * ids are [a-z0-9_-] */
	/* TRANSLATORS: column headers of 'pakt agenda': id (12 columns), name
	 * (28), unit (10), kind (6), target (8), which way is better */
	putchar('\n');
	text_pad(stdout, _("ID"), 12, false);
	putchar(' ');
	text_pad(stdout, _("NAME"), 28, false);
	putchar(' ');
	text_pad(stdout, _("UNIT"), 10, false);
	putchar(' ');
	text_pad(stdout, _("KIND"), 6, false);
	putchar(' ');
	text_pad(stdout, _("TARGET"), 8, true);
	printf("  %s\n", _("BETTER"));
	for (size_t i = 0; i < n; i++) {
		char tgt[32] = "-";

		if (ind[i].has_target)
			metrics_fmt_num(ind[i].target, tgt);
		printf("%-12s ", ind[i].id);
		text_fit(stdout, ind[i].name, 28, true);
		putchar(' ');
		text_fit(stdout, ind[i].unit[0] ? ind[i].unit : "-", 10, true);
		printf(" %-6s %8s  %s\n", body_kinds[ind[i].kind], tgt, ind[i].down ? "down" : "up");
		show_extras(&ind[i]);
	}
free_reply:
	ctlop_reply_free(CTLOP_R_AGENDA, &m);
	return work_done(&c, ret);
}

int cmd_agenda(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "set") == 0)
		return agenda_set(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return agenda_show(argc - 1, argv + 1);
	if (argc >= 2 && argv[1][0] != '-')
		return cli_usage("agenda", "%s", _("the subcommand is 'set' (or none, to show the agenda)"));
	return agenda_show(argc, argv);
}

/* ---- update ---- */

int cmd_update(int argc, char **argv)
{
	struct work_opts o;
	static struct ctlop_req r;
	struct body_update *u = &r.u.update;
	struct client c;
	char why[256];
	int ret = work_opts("update", argc, argv, A(W_NETWORK) | A(W_VALUE) | A(W_PERIOD) | A(W_SPLIT),
			    0, 1, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	if (o.values.n > BODY_INDICATORS_MAX)
		return cli_usage("update", _("at most %d --value options"), BODY_INDICATORS_MAX);
	work_req(&r, CTLOP_UPDATE, &o);
	for (size_t i = 0; i < o.values.n; i++)
		if (metrics_parse_value(o.values.v[i], u, why, sizeof why) != 0)
			return cli_usage("update", "--value: %s", why);
	for (size_t i = 0; i < o.each[W_SPLIT].n; i++)
		if (metrics_parse_split(o.each[W_SPLIT].v[i], u, why, sizeof why) != 0)
			return cli_usage("update", "%s", why);
	if (o.given[W_PERIOD] && (strlen(o.val[W_PERIOD]) > BODY_PERIOD_MAX ||
				  date_period_parse(o.val[W_PERIOD], NULL, NULL) != 0))
		return cli_usage("update", _("--period '%.40s' is not YYYY, YYYY-Qn, YYYY-MM, YYYY-MM-DD "
				 "or FROM..TO (dates YYYY-MM-DD)"), o.val[W_PERIOD]);
	if (o.given[W_PERIOD])
		snprintf(u->period, sizeof u->period, "%s", o.val[W_PERIOD]);
	ret = work_text("update", o.argc ? o.argv[0] : NULL, u->text, o.values.n > 0);
	if (ret != CLI_OK)
		return ret;
	/* paktd checks each value against the agenda (kind, categories, the
	 * split's sum) before it signs */
	ret = work_send(&c, &o, &r, 10000);
	if (ret == CLI_OK)
		ret = work_posted(&c, "update", _("posted update"), NULL);
	return work_done(&c, ret);
}

/* ---- metrics ---- */

/* Write the SVG to path via path.tmp and rename. */
static int write_chart(const char *path, const struct measure *mt, const char *initiative)
{
	char tmp[4096], today[16];
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;
	int fd, err;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return cli_usage("metrics", "%s", _("--chart: the file name is too long"));
	gmtime_r(&now, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return cli_fail("metrics", PAKT_EIO, _("--chart: cannot create %s: %s"), tmp, strerror(errno));
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		unlink(tmp);
		return cli_fail("metrics", PAKT_ENOMEM, "%s", _("out of memory"));
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	metrics_svg_write(f, mt, -1, initiative, today);
	err = ferror(f) ? errno : 0;
	if (fclose(f) != 0 && err == 0)
		err = errno ? errno : EIO;
	if (err == 0 && rename(tmp, path) != 0)
		err = errno;
	if (err != 0) {
		unlink(tmp);
		return cli_fail("metrics", PAKT_EIO, _("--chart: cannot write %s: %s"), path, strerror(err));
	}
	return CLI_OK;
}

int cmd_metrics(int argc, char **argv)
{
	struct work_opts o;
	struct ctlop_req r;
	static struct ctlop_r_metrics m;
	struct client c;
	struct measure mt;
	const char *only = NULL;
	bool by_period = false;
	int ret = work_opts("metrics", argc, argv,
			    A(W_NETWORK) | A(W_BY) | A(W_JSON) | A(W_CSV) | A(W_CHART), 0, 1, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	if (o.argc == 1) {
		only = o.argv[0];
		if (!metrics_valid_id(only))
			return cli_usage("metrics", _("indicator id '%.40s' must be 1 to %d of a-z, 0-9, _ and -"),
					 only, BODY_ID_MAX);
	}
	if (o.given[W_BY]) {
		if (strcmp(o.val[W_BY], "period") == 0)
			by_period = true;
		else if (strcmp(o.val[W_BY], "org") != 0)
			return cli_usage("metrics", _("--by takes org or period, not '%.40s'"), o.val[W_BY]);
	}
	if (o.given[W_JSON] && o.given[W_CSV])
		return cli_usage("metrics", "%s", _("--json and --csv exclude each other"));
	if (o.given[W_CHART] && o.val[W_CHART][0] == '\0')
		return cli_usage("metrics", "%s", _("--chart needs a file name"));
	work_req(&r, CTLOP_METRICS, &o);
	ret = work_send(&c, &o, &r, WORK_TIMEOUT_BIG);
	if (ret == CLI_OK)
		ret = cli_reply(&c, "metrics", CTLOP_R_METRICS, &m);
	if (ret != CLI_OK)
		goto free_reply;
	if ((ret = metrics_measure(&mt, &m, only)) != 0) {
		ret = cli_fail("metrics", ret, "%s", _("out of memory"));
		goto free_reply;
	}
	if (only && mt.n_ind == 0) {
		ret = cli_fail("metrics", PAKT_ENOTFOUND, _("no indicator '%s' in the agenda; see 'pakt agenda'"),
			       only);
		goto free_measure;
	}
	if (o.given[W_CHART])
		ret = write_chart(o.val[W_CHART], &mt, m.initiative);
	if (o.given[W_JSON])
		metrics_json(stdout, &mt);
	else if (o.given[W_CSV])
		metrics_csv(stdout, &mt);
	else {
		metrics_text(stdout, &mt, by_period);
		if (ret == CLI_OK && o.given[W_CHART])
			printf(_("\nchart written to %s\n"), o.val[W_CHART]);
	}
free_measure:
	measure_free(&mt);
free_reply:
	ctlop_reply_free(CTLOP_R_METRICS, &m);
	return work_done(&c, ret);
}
