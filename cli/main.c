/* pakt: the command-line client of a pakt node. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "keys/keys.h"
#include "proto/ctlmsg.h"
#include "proto/err.h"

static const char main_usage[] =
	"usage: pakt [--version] [--help] COMMAND [ARGS]\n"
	"\n"
	"pakt keeps a signed, replicated record of what partner organisations\n"
	"say, measure and promise each other. Commands:\n"
	"\n";

static const char main_footer[] =
	"\n"
	"Every command takes --data-dir DIR (default: $PAKT_HOME, else\n"
	"~/.local/share/pakt) and --help.\n"
	"Exit codes: 0 ok, 1 operation or check failed, 2 usage error,\n"
	"3 paktd not running, 4 no identity (run 'pakt init').\n";

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

static const struct cli_cmd *find_cmd(const char *name)
{
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	const struct cli_cmd *c = find_cmd(cmd);
	va_list ap;

	fprintf(stderr, "pakt: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c != NULL) {
		/* the first line of the usage text is the synopsis */
		const char *nl = strchr(c->usage, '\n');

		fprintf(stderr, "%.*s\n", nl ? (int)(nl - c->usage) : (int)strlen(c->usage), c->usage);
		fprintf(stderr, "(see 'pakt %s --help')\n", cmd);
	}
	return CLI_USAGE;
}

int cli_help(const char *cmd)
{
	const struct cli_cmd *c = find_cmd(cmd);

	if (c != NULL)
		fputs(c->usage, stdout);
	return CLI_OK;
}

int cli_datadir(const char *arg, char out[DATADIR_PATH_MAX])
{
	return datadir_resolve(arg, out);
}

int cli_connect(struct client *c, const char *datadir_arg, const char *what)
{
	char dir[DATADIR_PATH_MAX];
	int rc;

	if (cli_datadir(datadir_arg, dir) != 0) {
		memset(c, 0, sizeof *c);
		c->fd = -1;
		return cli_fail(what, PAKT_EINVAL, "no data directory: pass --data-dir DIR or set PAKT_HOME");
	}
	rc = client_connect(c, dir);
	if (rc != 0)
		return cli_fail(what, rc, "%s", c->why);
	return CLI_OK;
}

int cli_request(struct client *c, const char *dir_arg, const char *what,
		const struct ctlop_req *req, int timeout_ms)
{
	int ret = cli_connect(c, dir_arg, what), rc;

	if (ret != CLI_OK)
		return ret;
	rc = client_call(c, req, timeout_ms);
	return rc == 0 ? CLI_OK : cli_fail(what, rc, "%s", c->why);
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
	int rc = id_decode(kind, text, out);

	if (rc != 0)
		return cli_usage(cmd, "%s '%.80s': %s", what, text, pakt_strerror(rc));
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

static void print_main_help(FILE *f)
{
	fputs(main_usage, f);
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		fprintf(f, "  %-12s %s\n", c->name, c->summary);
	fputs(main_footer, f);
}

int main(int argc, char **argv)
{
	const struct cli_cmd *cmd;

	if (argc < 2) {
		print_main_help(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && find_cmd(argv[2]))
			return cli_help(argv[2]);
		print_main_help(stdout);
		return CLI_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts("pakt " CTL_VERSION_STRING);
		return CLI_OK;
	}
	cmd = find_cmd(argv[1]);
	if (cmd == NULL) {
		fprintf(stderr, "pakt: '%s' is not a pakt command; see 'pakt --help'\n", argv[1]);
		return CLI_USAGE;
	}
	if (keys_global_init() != 0) {
		fprintf(stderr, "pakt: libsodium failed to initialise\n");
		return CLI_FAIL;
	}
	return cmd->run(argc - 1, argv + 1);
}
