/* Indicator metrics for 'pakt metrics' and argument parsing for the
 * collective-impact commands: pure functions over plain structs (no
 * daemon, no msgpack), so that they are unit-testable. */
#ifndef PAKT_METRICS_H
#define PAKT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "proto/body.h"

/* ---- arguments ---- */

/* A finite decimal number ("12", "-0.5", "1e3"); no hex, inf or nan.
 * true and *out, else false. */
bool metrics_parse_number(const char *s, double *out);
/* An indicator id: [a-z0-9_-]{1,32}. */
bool metrics_valid_id(const char *s);
/* "ID:NAME:UNIT[:TARGET[:up|down]]" (UNIT and TARGET may be empty).
 * 0 and *out, else PAKT_EINVAL with a reason in why[whylen]. */
int metrics_parse_indicator(const char *arg, struct body_indicator *out, char *why,
			    size_t whylen);
/* "INDICATOR=NUMBER". 0 or PAKT_EINVAL with a reason. */
int metrics_parse_value(const char *arg, struct body_value *out, char *why, size_t whylen);

/* ---- aggregation ---- */

/* One reported value (a row of the daemon's "metrics" reply). */
struct metric_row {
	uint8_t author[32];
	char name[BODY_NAME_MAX + 1];       /* organisation name, "" if unknown */
	char period[BODY_PERIOD_MAX + 1];
	int64_t from, to;                   /* days since 1970-01-01 */
	char indicator[BODY_ID_MAX + 1];
	double value;
	uint64_t at;                        /* ms */
};

struct metric_org {
	uint8_t key[32];
	char name[BODY_NAME_MAX + 1];       /* the name, else a short pk_ id */
};

struct metric_period {
	char label[BODY_PERIOD_MAX + 1];
	int64_t from, to;
};

/* One indicator: the agenda's definition and everything reported on it. */
struct metric_ind {
	struct body_indicator def;
	double total;                        /* sum of every value */
	double *org_total;                   /* [n_org] */
	double *period_total;                /* [n_period] */
	double *cell;                        /* [n_org * n_period]: sum per org and period */
	bool *has;                           /* [n_org * n_period]: a value was reported */
	bool *org_has;                       /* [n_org] */
	bool *period_has;                    /* [n_period] */
	size_t n_rows;
};

struct metrics {
	struct metric_ind *ind;
	size_t n_ind;
	struct metric_org *org;              /* sorted by name, then key */
	size_t n_org;
	struct metric_period *period;        /* sorted by first day, last day, label */
	size_t n_period;
};

/* Aggregate rows over the indicators defs[n_defs] (agenda order). Rows of
 * indicators not in defs get an indicator of their own (name = id, no
 * target) after the agenda's. only: NULL, or keep just that indicator.
 * Several values for the same organisation, indicator and period add up.
 * 0 or PAKT_ENOMEM; free with metrics_free(). */
int metrics_build(struct metrics *m, const struct body_indicator *defs, size_t n_defs,
		  const struct metric_row *rows, size_t n_rows, const char *only);
void metrics_free(struct metrics *m);
/* Index of indicator id in m, or -1. */
long metrics_find(const struct metrics *m, const char *id);

/* Progress of total against the indicator's target. false if there is no
 * target. *pct: total / target * 100 (0 when the target is 0 and nothing
 * was reported, 100 when the target is 0 and it is met); *met: total >=
 * target for direction up, total <= target for down. */
bool metrics_progress(const struct body_indicator *def, double total, double *pct, bool *met);

/* A number in its shortest form that reads back exactly ("12", "0.1"). */
void metrics_fmt_num(double v, char buf[32]);
/* Days since 1970-01-01 as YYYY-MM-DD. */
void metrics_fmt_day(int64_t days, char buf[16]);

/* ---- rendering ---- */

/* Text: per indicator a header line (name, unit, total, target, progress)
 * and one bar per organisation (by_period: per period). */
void metrics_text(FILE *f, const struct metrics *m, bool by_period);
/* CSV: "indicator,org,period,value" then one row per indicator,
 * organisation and period with a value; LF line ends, fields with , " or a
 * line break in double quotes ("" inside). */
void metrics_csv(FILE *f, const struct metrics *m);
/* JSON: {"indicators": [...]} with totals, progress, per-org and
 * per-period totals and the values. */
void metrics_json(FILE *f, const struct metrics *m);
/* SVG: one panel per indicator with one polyline per organisation of its
 * cumulative value over time (x: the period's first day), the target as a
 * dashed horizontal line, axes and a legend. */
void metrics_svg(FILE *f, const struct metrics *m);

#endif
