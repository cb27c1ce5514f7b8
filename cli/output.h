/* Rendering entries for people (text) and programs (JSON; the JSON of
 * msgpack values is proto/ctlop_reply.h's). */
#ifndef PAKT_OUTPUT_H
#define PAKT_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "proto/body.h"
#include "proto/entry.h"

/* A JSON string literal of s[0..len) (see ctlop_json_str). */
void output_json_str(FILE *f, const char *s, size_t len);
/* ms since the epoch as "YYYY-MM-DD HH:MM:SS" in local time. */
void output_time(uint64_t ms, char buf[32]);
/* ms as people read it against now_ms: "just now", "3 min ago", "3 h ago",
 * "2 days ago" within a week, else the date "YYYY-MM-DD" (also for a time
 * ahead of now, which only a partner's clock can give). */
void output_ago(uint64_t ms, int64_t now_ms, char buf[32]);

/* What a listing knows to name what entries refer to: the members' names,
 * the entries shown so far and the commitments (their titles), the
 * indicators' units. Filled by the caller (from paktd's replies) and by
 * output_entry as it goes; owned by the caller, freed by
 * output_ctx_free. */
struct output_known {
	uint8_t hash[32];
	uint8_t author[32];
	uint64_t seq;                 /* 0: unknown */
	char *title;                  /* a commitment's title (malloc'd), or NULL */
};
struct output_member {
	uint8_t key[32];
	char name[BODY_NAME_MAX + 1];
};
struct output_unit {
	char id[BODY_ID_MAX + 1];
	char unit[BODY_UNIT_MAX + 1];
};
struct output_ctx {
	int64_t now_ms;               /* for relative times */
	bool long_form;               /* --long: every field, multi-line text */
	struct output_known *known;
	size_t n_known, cap_known;
	struct output_member *members;
	size_t n_members, cap_members;
	struct output_unit units[BODY_INDICATORS_MAX];
	size_t n_units;
};

void output_ctx_init(struct output_ctx *x, int64_t now_ms);
void output_ctx_free(struct output_ctx *x);
/* Remember an entry (title: a commitment's, or NULL; copied); appended
 * without a search, the latest record wins. 0 or PAKT_ENOMEM. */
int output_ctx_entry(struct output_ctx *x, const uint8_t hash[32], const uint8_t author[32],
		     uint64_t seq, const char *title);
/* Remember a member's name ("" is ignored). 0 or PAKT_ENOMEM. */
int output_ctx_member(struct output_ctx *x, const uint8_t key[32], const char *name);
/* Remember an indicator's unit (the latest agenda's). */
void output_ctx_unit(struct output_ctx *x, const char *id, const char *unit);

/* One entry: the wire bytes from the daemon, decoded here. json: one
 * object; else one line for people (x->long_form: a block), partner text
 * escaped (cli/text.h). Damaged entries are shown as such, not skipped.
 * author_name: the member's name, or "" if unknown; plain: the decrypted
 * text of a sealed entry addressed to us, or NULL; x: may be NULL (nothing
 * known, times absolute). */
void output_entry(FILE *f, struct output_ctx *x, const uint8_t *wire, size_t len,
		  int64_t received, const char *author_name, const char *plain, bool json);

#endif
