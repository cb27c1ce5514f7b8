/* 'pakt report': options, the data (cli/report.c) and the file. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "cli/cmds.h"
#include "cli/i18n.h"
#include "cli/report.h"
#include "proto/date.h"
#include "proto/err.h"

/* Write the page to path via path.tmp, then rename: a reader never sees
 * half a report. */
static int write_file(const char *path, const struct report *r)
{
	char tmp[4096];
	FILE *f;
	int fd, rc, err = 0;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return cli_usage("report", _("-o: the file name is too long"));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return cli_fail("report", PAKT_EIO, _("cannot create %s: %s; choose another file with -o"),
				tmp, strerror(errno));
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(tmp);
		return cli_fail("report", PAKT_ENOMEM, _("out of memory"));
	}
	rc = report_write(f, r);
	if (rc == PAKT_EIO)
		err = errno ? errno : EIO;
	if (fclose(f) != 0 && err == 0 && rc == 0)
		err = errno ? errno : EIO;
	if (rc == 0 && err == 0 && rename(tmp, path) != 0)
		err = errno;
	if (rc != 0 || err != 0)
		unlink(tmp);
	if (rc == PAKT_ENOMEM)
		return cli_fail("report", rc, _("out of memory"));
	if (rc != 0 || err != 0)
		return cli_fail("report", PAKT_EIO, _("cannot write %s: %s; choose another file with -o"),
				path, strerror(err ? err : EIO));
	return CLI_OK;
}

struct report_opts {
	const char *out, *dir_arg;
	bool has_net;
	uint8_t net[32];
};

static int parse_opts(int argc, char **argv, struct report_opts *o, struct report *r)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"period", required_argument, NULL, 'p'},
		{"public", no_argument, NULL, 'P'},
		{"network", required_argument, NULL, 'n'},
		{"data-dir", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt, ret;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			if (optarg[0] == '\0')
				return cli_usage("report", _("-o needs a file name"));
			o->out = optarg;
			break;
		case 'p':
			if (strlen(optarg) > BODY_PERIOD_MAX ||
			    date_period_parse(optarg, &r->pfrom, &r->pto) != 0)
				return cli_usage("report", _("--period '%.40s' is not YYYY, YYYY-Qn, YYYY-MM, "
						   "YYYY-MM-DD or FROM..TO (dates YYYY-MM-DD)"), optarg);
			r->has_period = true;
			snprintf(r->period, sizeof r->period, "%s", optarg);
			break;
		case 'P': r->pub = true; break;
		case 'n':
			if ((ret = cli_parse_id("report", "--network", ID_NETWORK, optarg, o->net)) != CLI_OK)
				return ret;
			o->has_net = true;
			break;
		case 'd': o->dir_arg = optarg; break;
		case 'h': cli_help("report"); return -1;
		default: return cli_usage("report", _("unknown or incomplete option '%s'"), argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage("report", _("unexpected argument '%s'"), argv[optind]);
	return CLI_OK;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o = {0};
	static struct report r;
	struct timespec ts;
	char def[64];
	int ret;

	memset(&r, 0, sizeof r);
	r.suppress_below = REPORT_SUPPRESS_DEFAULT;
	ret = parse_opts(argc, argv, &o, &r);
	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	clock_gettime(CLOCK_REALTIME, &ts);
	r.now_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	if (o.out == NULL) {
		time_t t = ts.tv_sec;
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(def, sizeof def, "pakt-report-%Y-%m-%d.html", &tm);
		o.out = def;
	}
	ret = report_gather(&r, o.dir_arg, o.has_net ? o.net : NULL);
	if (ret == CLI_OK)
		ret = write_file(o.out, &r);
	if (ret == CLI_OK)
		printf(_("report written to %s\n"), o.out);
	report_free(&r);
	return ret;
}
