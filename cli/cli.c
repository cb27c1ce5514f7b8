/* The helpers every pakt command shares: errors and usage, the data
 * directory, one request and its reply, identifiers, stdin (cli/cli.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli/cli.h"
#include "cli/i18n.h"
#include "cli/names.h"
#include "proto/body.h"
#include "proto/err.h"

int cli_fail(const char *what, int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pakt: %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	switch (err) {
	case PAKT_ENOTRUNNING: return CLI_NODAEMON;
	case PAKT_ENOINIT: return CLI_NOINIT;
	default: return CLI_FAIL;
	}
}

const struct cli_cmd *cli_find(const char *name)
{
	for (const struct cli_cmd *c = commands_table; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	const struct cli_cmd *c = cli_find(cmd);
	va_list ap;

	fprintf(stderr, "pakt: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c != NULL) {
		/* the first line of the usage text is the synopsis, in the
		 * language the help is in */
		const char *usage = _(c->usage), *nl = strchr(usage, '\n');

		fprintf(stderr, "%.*s\n", nl ? (int)(nl - usage) : (int)strlen(usage), usage);
		fprintf(stderr, _("(see 'pakt %s --help')\n"), cmd);
	}
	return CLI_USAGE;
}

int cli_help(const char *cmd)
{
	const struct cli_cmd *c = cli_find(cmd);

	if (c != NULL)
		fputs(_(c->usage), stdout);
	return CLI_OK;
}

int cli_datadir(const char *arg, char out[DATADIR_PATH_MAX])
{
	return datadir_resolve(arg, DATADIR_CLIENT, out, NULL);
}

/* The client's error: permission denied on the control socket (refused
 * by the kernel, or by paktd's credentials check) has its own exit code,
 * since the fix is a group membership, not paktd. */
static int fail_client(struct client *c, const char *what, int rc)
{
	int ret = cli_fail(what, rc, "%s", c->why);

	/* the kernel's refusal is found by pakt (c->denied), paktd's comes
	 * as its English reason */
	return rc == PAKT_EPERM && (c->denied || strncmp(c->why, "permission denied", 17) == 0) ?
	       CLI_NOACCESS : ret;
}

int cli_connect(struct client *c, const char *datadir_arg, const char *what)
{
	char dir[DATADIR_PATH_MAX];
	int rc;

	if (cli_datadir(datadir_arg, dir) != 0) {
		memset(c, 0, sizeof *c);
		c->fd = -1;
		return cli_fail(what, PAKT_ENOINIT, _("no data directory: pass --data-dir DIR or set PAKT_HOME "
						      "(or run 'pakt init')"));
	}
	rc = client_connect(c, dir);
	return rc == 0 ? CLI_OK : fail_client(c, what, rc);
}

int cli_request(struct client *c, const char *dir_arg, const char *what,
		const struct ctlop_req *req, int timeout_ms)
{
	int ret = cli_connect(c, dir_arg, what), rc;

	if (ret != CLI_OK)
		return ret;
	rc = client_call(c, req, timeout_ms);
	return rc == 0 ? CLI_OK : fail_client(c, what, rc);
}

int cli_reply(struct client *c, const char *what, enum ctlop_reply_kind k, void *r)
{
	int rc = client_reply(c, k, r);

	return rc == 0 ? CLI_OK : cli_fail(what, rc, "%s", c->why);
}

void cli_json(struct client *c, bool ids, bool keep_ok, const char *only)
{
	msgpack_sbuffer out;

	msgpack_sbuffer_init(&out);
	if (ctlop_reply_json(&out, c->buf, c->len, ids, keep_ok, only) == 0) {
		fwrite(out.data, 1, out.size, stdout);
		fputc('\n', stdout);
	}
	msgpack_sbuffer_destroy(&out);
}

int cli_parse_id(const char *cmd, const char *what, enum id_kind kind, const char *text,
		 uint8_t out[32])
{
	int rc;

	/* a member may be named by the start of its name instead */
	if (kind == ID_KEY && strncmp(text, "pk_", 3) != 0)
		return names_resolve(cmd, what, text, out);
	rc = id_decode(kind, text, out);
	if (rc != 0)
		/* TRANSLATORS: an option or argument name, what was given, and why it is no id */
		return cli_usage(cmd, _("%s '%.80s': %s"), what, text, pakt_strerror(rc));
	return CLI_OK;
}

char *cli_read_stdin(size_t max, size_t *len)
{
	char *buf = malloc(max + 2);
	size_t n = 0, got;

	if (buf == NULL)
		return NULL;
	while (n <= max && (got = fread(buf + n, 1, max + 1 - n, stdin)) > 0)
		n += got;
	buf[n] = '\0';
	*len = n;
	return buf;
}

bool cli_parse_count(const char *s, unsigned long long *out)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	*out = strtoull(s, &end, 10);
	return *end == '\0';
}

int cli_check_type(const char *cmd, const char *type)
{
	char list[256] = "";
	size_t used = 0;

	for (size_t i = 0; body_types[i] != NULL; i++) {
		if (strcmp(type, body_types[i]) == 0)
			return CLI_OK;
		used += (size_t)snprintf(list + used, used < sizeof list ? sizeof list - used : 0, "%s%s",
					 i ? ", " : "", body_types[i]);
	}
	return cli_usage(cmd, _("--type '%.40s' is not an entry type; the types are: %s"), type, list);
}

uint64_t cli_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
