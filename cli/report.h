/* 'pakt report': the partnership report, one self-contained HTML file.
 * cli/cmd_report.c is the command; cli/report.c gathers what the daemon
 * holds into struct report;
 * cli/report_html.c escapes partner text and writes the page's frame;
 * cli/report_sections.c and cli/report_ind.c render one section each from
 * struct report alone (no daemon), so a section's source can change (the
 * indicators' to core/measure) without touching the others. */
#ifndef PAKT_REPORT_H
#define PAKT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "proto/body.h"
#include "proto/ctlop_reply.h"
#include "proto/id.h"
#include "cli/i18n.h"

/* --public: breakdown cells below this are shown as "<N" (the usual
 * small-cell rule for aggregate statistics). */
#define REPORT_SUPPRESS_DEFAULT 5
#define REPORT_DAY_MS 86400000ull
/* Messages listed in full; older ones are counted only. */
#define REPORT_MESSAGES_MAX 200

/* A member of the initiative: member list, profile and feed head. */
struct report_org {
	uint8_t key[32];
	char name[BODY_NAME_MAX + 1];
	char sector[9];                 /* from its profile; "" if none */
	char role[8];                   /* admin, member; "" if not a member */
	bool removed;
	uint64_t since;                 /* ms */
	bool has_head;                  /* this node holds entries of its feed */
	uint64_t head_seq;
	uint8_t head_hash[32];
	uint64_t entries;               /* of its feed held here */
};

/* A message or sealed message; text is NULL when it cannot be read here
 * (sealed for others, redacted). */
struct report_msg {
	uint8_t author[32];
	uint64_t seq, at;               /* at: the author's timestamp, ms */
	bool sealed;
	char *text;                     /* malloc'd */
};

/* A witness's latest checkpoint (within the period): the heads it
 * confirmed holding. */
struct report_cp {
	uint8_t by[32];
	uint64_t seq, at;
	uint8_t hash[32];
	struct body_head *heads;        /* malloc'd [n] */
	size_t n;
};

/* A party's reason for declining a commitment (its latest decline entry). */
struct report_reason {
	uint8_t ref[32];                /* the commitment */
	uint8_t party[32];
	uint64_t seq;
	char *text;                     /* malloc'd */
};

struct report {
	/* what was asked */
	bool pub;                       /* --public */
	unsigned suppress_below;        /* --public cells below this are hidden */
	bool has_period;
	char period[BODY_PERIOD_MAX + 1];
	int64_t pfrom, pto;             /* the period's first and last day */
	uint64_t now_ms;
	/* the initiative */
	uint8_t network[32];
	char name[BODY_NAME_MAX + 1];
	char goal[BODY_TEXT_MAX + 1];   /* the agenda's, else the genesis entry's */
	uint8_t self[32];               /* the node the report was drawn from */
	struct report_org *org;         /* the member list's order; then other authors */
	size_t n_org;
	uint64_t entries;               /* entries of the initiative held here */
	/* the daemon's replies, as decoded (freed by report_free) */
	bool has_agenda;
	struct ctlop_r_metrics metrics; /* agenda indicators and every value */
	struct ctlop_r_audit audit;     /* commitments, records, anomalies, forks */
	/* from the entries themselves */
	struct report_msg *msg;         /* the latest REPORT_MESSAGES_MAX, oldest first */
	size_t n_msg;
	uint64_t n_msg_total;           /* within the period, listed or not */
	struct report_cp *cp;           /* one per witness */
	size_t n_cp;
	struct report_reason *reason;
	size_t n_reason;
};

/* cli/report_sections.c: the model's helpers and the whole page */
void report_free(struct report *r);
/* The organisation with key, or NULL. */
const struct report_org *report_org_find(const struct report *r, const uint8_t key[32]);
/* The reason party gave for declining commitment ref, or NULL. */
const char *report_reason_find(const struct report *r, const uint8_t ref[32],
			       const uint8_t party[32]);
/* Whether a time (ms) falls within --period (true without one). */
bool report_in_period(const struct report *r, uint64_t ms);

/* cli/report.c: fill r (its options already set) from paktd of the data
 * directory dir_arg (NULL: the default), for the initiative network (NULL:
 * the default one). Prints the error; returns a CLI exit code. Release r
 * with report_free, on failure too. */
int report_gather(struct report *r, const char *dir_arg, const uint8_t *network);

/* ---- cli/report_html.c: escaping and the page's frame ---- */

/* s[0..len) as HTML text or attribute value: & < > " ' as entities;
 * control characters as visible symbols (U+2400 block, DEL as U+2421,
 * C1 controls, bidi overrides and isolates, zero-width characters and
 * the BOM as "[U+XXXX]", so that they cannot reorder or hide what
 * follows); invalid UTF-8 as U+FFFD. Newlines and tabs stay. */
void report_esc_n(FILE *f, const char *s, size_t len);
void report_esc(FILE *f, const char *s);
/* Markup we made (an SVG chart whose text is escaped already), with the
 * invisible characters of report_esc_n shown as "[U+XXXX]" too. */
void report_html_markup(FILE *f, const char *s, size_t len);
/* <!doctype>, <head> with the inline style sheet, <body>. title is
 * escaped. */
void report_html_begin(FILE *f, const char *title);
void report_html_end(FILE *f);
/* The full text id (pk_/en_/nw_) in <code>. */
void report_html_id(FILE *f, enum id_kind kind, const uint8_t raw[32]);
/* An organisation: its escaped name (isolated with <bdi>) and short id. */
void report_html_who(FILE *f, const struct report *r, const uint8_t key[32]);
/* ms since the epoch as "YYYY-MM-DD HH:MM UTC" ("-" for 0). */
void report_html_time(FILE *f, uint64_t ms);
/* A number in its shortest exact form. */
void report_html_num(FILE *f, double v);

/* A text of ours (a translated heading, label or sentence; never a
 * partner's): escaped as report_esc does, but for the apostrophe. */
void report_html_text(FILE *f, const char *ours);
/* <tag class="cls">ours</tag>, no class attribute if cls is NULL. */
void report_html_tag(FILE *f, const char *tag, const char *cls, const char *ours);

/* ---- sentences of ours, translated ----
 * report_tr writes fmt, a translated text of ours, as report_html_text
 * does (so a translation holds no markup), with each %s, or %N$s, replaced
 * by the next, or Nth, argument: written as the functions above write it,
 * inside its open and close markup if given. "%%" is a '%'; a conversion
 * without an argument writes nothing. Build the arguments with the
 * REPORT_* macros below; REPORT_TR counts them. Whole sentences keep the
 * word order the translator's to choose. */
enum report_arg_kind {
	REPORT_ARG_TEXT,                /* s: partner text or ours, escaped */
	REPORT_ARG_WHO,                 /* raw: an organisation's key */
	REPORT_ARG_TIME,                /* u: ms since the epoch */
	REPORT_ARG_ID,                  /* id, raw: a full text id in <code> */
	REPORT_ARG_U64,                 /* u */
	REPORT_ARG_NUM,                 /* v: shortest exact form */
};
struct report_arg {
	enum report_arg_kind kind;
	const char *s;
	const uint8_t *raw;             /* 32 bytes */
	enum id_kind id;
	uint64_t u;
	double v;
	const char *open, *close;       /* our markup around it, or NULL */
};
void report_tr(FILE *f, const struct report *r, const char *fmt, const struct report_arg *arg,
	       size_t n);
#define REPORT_TR(f, r, fmt, ...)                                                         \
	report_tr(f, r, fmt, (const struct report_arg[]){__VA_ARGS__},                    \
		  sizeof((const struct report_arg[]){__VA_ARGS__}) / sizeof(struct report_arg))
#define REPORT_TEXT(x) {.kind = REPORT_ARG_TEXT, .s = (x)}
#define REPORT_TEXT_IN(o, c, x) {.kind = REPORT_ARG_TEXT, .s = (x), .open = (o), .close = (c)}
#define REPORT_WHO(k) {.kind = REPORT_ARG_WHO, .raw = (k)}
#define REPORT_TIME(ms) {.kind = REPORT_ARG_TIME, .u = (ms)}
#define REPORT_ID(k, x) {.kind = REPORT_ARG_ID, .id = (k), .raw = (x)}
#define REPORT_U64(x) {.kind = REPORT_ARG_U64, .u = (x)}
#define REPORT_NUM(x) {.kind = REPORT_ARG_NUM, .v = (x)}

/* A protocol value shown to people (a commitment's outcome, an answer, a
 * status state): its translation if it is one we know, else itself. */
const char *report_value(const char *v);

/* ---- sections: each writes one <section> from r alone ---- */

/* cli/report_sections.c */
void report_section_header(FILE *f, const struct report *r);
void report_section_partners(FILE *f, const struct report *r);
void report_section_commitments(FILE *f, const struct report *r);
void report_section_record(FILE *f, const struct report *r);
void report_section_witnessed(FILE *f, const struct report *r);
void report_section_messages(FILE *f, const struct report *r);
void report_section_verify(FILE *f, const struct report *r);
/* cli/report_ind.c: per indicator its chart, current value against
 * target, trend, breakdown and missing reports. PAKT_ENOMEM or 0. */
int report_section_indicators(FILE *f, const struct report *r);

/* The whole page. 0, PAKT_ENOMEM, or PAKT_EIO if f failed. */
int report_write(FILE *f, const struct report *r);

#endif
