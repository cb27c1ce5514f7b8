/* Shared pieces of the pakt CLI: exit codes, error printing, options. */
#ifndef PAKT_CLI_H
#define PAKT_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include "cli/client.h"
#include "keys/datadir.h"
#include "proto/id.h"
#include "proto/ctlop.h"
#include "proto/ctlop_reply.h"
#include "proto/mpx.h"

/* Exit codes (documented in README.md, "Exit codes"). */
enum cli_exit {
	CLI_OK = 0,          /* success */
	CLI_FAIL = 1,        /* the operation or check failed */
	CLI_USAGE = 2,       /* bad command line */
	CLI_NODAEMON = 3,    /* paktd is not running / connection lost */
	CLI_NOINIT = 4,      /* no data directory or no identity in it: run pakt init */
	CLI_NOACCESS = 5,    /* permission denied on paktd's control socket */
};

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;       /* one line for 'pakt --help' */
	const char *usage;         /* full text for 'pakt CMD --help' */
};

extern const struct cli_cmd commands_table[];
/* The command called name, or NULL. */
const struct cli_cmd *cli_find(const char *name);

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

/* Connect, send req, wait for its reply (timeout_ms, -1 forever); the
 * reply is then in c->buf. Prints errors and returns a CLI exit code. The
 * caller closes c. */
int cli_request(struct client *c, const char *dir_arg, const char *what,
		const struct ctlop_req *req, int timeout_ms);

/* Decode the reply in c as kind k into *r (release with ctlop_reply_free);
 * prints the error. Returns a CLI exit code. */
int cli_reply(struct client *c, const char *what, enum ctlop_reply_kind k, void *r);

/* Print the reply in c as one line of JSON (ctlop_reply_json): 32-byte
 * bins as text ids when ids, else hex; "ok" only if keep_ok; only the value
 * under key only if not NULL. */
void cli_json(struct client *c, bool ids, bool keep_ok, const char *only);

/* Parse a pk_ / nw_ id argument; prints a usage error (exit 2) if bad.
 * A member (ID_KEY) may also be given by the start of its name
 * (cli/names.h: asks paktd). */
int cli_parse_id(const char *cmd, const char *what, enum id_kind kind, const char *text,
		 uint8_t out[32]);

/* CLI_OK if type is an entry type this version knows, else a usage error
 * that lists them. */
int cli_check_type(const char *cmd, const char *type);

/* All of stdin, NUL-terminated (malloc'd): at most max bytes, else *len
 * is max + 1 so the caller can say it is too long. NULL if out of memory. */
char *cli_read_stdin(size_t max, size_t *len);

/* The wall clock in ms since the epoch. */
uint64_t cli_now_ms(void);

/* Parse a positive decimal count; false if not one. */
bool cli_parse_count(const char *s, unsigned long long *out);

#endif
