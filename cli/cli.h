/* Shared pieces of the pakt CLI: exit codes, error printing, options. */
#ifndef PAKT_CLI_H
#define PAKT_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include "cli/client.h"
#include "keys/datadir.h"
#include "proto/id.h"
#include "proto/mpx.h"

/* Exit codes (documented in README.md, "Exit codes"). */
enum cli_exit {
	CLI_OK = 0,          /* success */
	CLI_FAIL = 1,        /* the operation or check failed */
	CLI_USAGE = 2,       /* bad command line */
	CLI_NODAEMON = 3,    /* paktd is not running / connection lost */
	CLI_NOINIT = 4,      /* no identity in the data directory */
};

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;       /* one line for 'pakt --help' */
	const char *usage;         /* full text for 'pakt CMD --help' */
};

extern const struct cli_cmd cli_cmds[];

/* Print "pakt: what: why" to stderr; return the exit code for err (a
 * PAKT_E... code). */
int cli_fail(const char *what, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Print "pakt: CMD: why" and the command's usage; returns CLI_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print a command's help to stdout; returns CLI_OK. */
int cli_help(const char *cmd);

/* Resolve the data directory (--data-dir, $PAKT_HOME, default). */
int cli_datadir(const char *arg, char out[DATADIR_PATH_MAX]);

/* Connect to paktd of the data directory; prints the error itself. */
int cli_connect(struct client *c, const char *datadir_arg, const char *what);

/* Send a simple request and wait for its reply; prints errors. Returns a
 * CLI exit code. */
int cli_call(struct client *c, struct mpx_out *req, const msgpack_object **reply,
	     const char *what);

/* One field of a simple request: a string, a 32-byte key or a number. */
struct cli_kv {
	const char *key;
	const char *str;
	const uint8_t *bin32;
	uint64_t num;
	bool is_num;
};

/* Connect, send {"op": op, fields...}, wait for the reply (timeout_ms, -1
 * forever); prints errors and returns a CLI exit code. The caller closes c. */
int cli_request(struct client *c, const char *dir_arg, const char *what, const char *op,
		const struct cli_kv *kv, size_t n, const msgpack_object **reply, int timeout_ms);

/* Parse a pk_ / nw_ id argument; prints a usage error (exit 2) if bad. */
int cli_parse_id(const char *cmd, const char *what, enum id_kind kind, const char *text,
		 uint8_t out[32]);

/* All of stdin, NUL-terminated (malloc'd): at most max bytes, else *len
 * is max + 1 so the caller can say it is too long. NULL if out of memory. */
char *cli_read_stdin(size_t max, size_t *len);

/* Parse a positive decimal count; false if not one. */
bool cli_parse_count(const char *s, unsigned long long *out);

#endif
