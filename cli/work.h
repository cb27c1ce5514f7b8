/* Shared by the collective-impact commands (cli/cmd_agenda.c,
 * cmd_commit.c, cmd_share.c): their options, requests and text input. */
#ifndef PAKT_CLI_WORK_H
#define PAKT_CLI_WORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "cli/cli.h"

#define WORK_TIMEOUT_BIG 120000   /* ms: audit, export, metrics may walk the store */

/* Long options; W_x is the bit of option x in a command's allow mask. */
enum {
	W_NETWORK, W_JSON, W_GOAL, W_INDICATOR, W_VALUE, W_PERIOD, W_BY, W_CSV, W_CHART,
	W_PARTY, W_DUE, W_TARGET, W_DESCRIPTION, W_REASON, W_NOTE, W_EVIDENCE, W_MINE,
	W_OPEN, W_OVERDUE, W_FEED, W_FROM, W_TO, W_OUTPUT, W_NAME, W_SECTOR, W_CONTACT,
	W_ADDRESS, W_CHANGE, W_REOPEN, W_ALLOW_PAST_DUE, W_DUE_WITHIN, W_ABOUT, W_BASELINE, W_DIMENSION,
	W_SUPPRESS, W_SPLIT, W_PUBLIC, W_N
};
#define A(x) (1ull << (x))
#define WORK_LIST_MAX 64

struct work_list {
	const char *v[WORK_LIST_MAX];
	size_t n;
};

struct work_opts {
	const char *cmd, *dir_arg;
	const char *val[W_N];          /* last value of each single option */
	bool given[W_N];
	struct work_list ind, values, party, to, addr;
	struct work_list each[W_N];    /* every value of each option, in order */
	uint8_t net[32];
	bool has_net;
	int argc;                      /* positional arguments */
	char **argv;
};

/* Parse the options a command allows (mask of A(W_...)) and between
 * min_pos and max_pos positional arguments. Returns CLI_OK, -1 after
 * --help, or a usage exit code. */
int work_opts(const char *cmd, int argc, char **argv, uint64_t allow, int min_pos, int max_pos,
	      struct work_opts *o);

/* A request of op for the initiative of --network (or the default). */
void work_req(struct ctlop_req *r, enum ctlop_op op, const struct work_opts *o);

/* Connect, send r, wait for the reply (timeout_ms); prints errors and
 * returns a CLI exit code. The caller closes c. */
int work_send(struct client *c, const struct work_opts *o, const struct ctlop_req *r,
	      int timeout_ms);

/* Close c and return ret. */
int work_done(struct client *c, int ret);

/* Print "VERB #seq en_...EXTRA" from the entry reply in c. */
int work_posted(struct client *c, const char *cmd, const char *verb, const char *extra);

/* TEXT, or stdin for "-" or NULL (one trailing newline dropped), into
 * out[BODY_TEXT_MAX + 1]. Returns CLI_OK or the exit code of the error it
 * printed. */
int work_text(const char *cmd, const char *arg, char *out, bool allow_empty);

/* A string option's length within [min, max] bytes, else a usage error. */
int work_check_len(const char *cmd, const char *what, const char *s, size_t min, size_t max);

/* "Nd" (days) or "Nw" (weeks), N from 0 to 36600 days, into *days;
 * false if it is neither. */
bool work_parse_days(const char *s, uint64_t *days);

/* "pk_a,pk_b" or repeated options into at most cap unique keys; prints
 * usage errors. */
int work_parse_keys(const char *cmd, const char *what, const struct work_list *l,
		    uint8_t (*keys)[32], size_t cap, size_t *n);

#endif
