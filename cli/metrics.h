/* Shared measurement in the CLI: the arguments of 'pakt agenda set' and
 * 'pakt update' (cli/metrics.c), the measure of a metrics reply, and its
 * renderings for 'pakt metrics' and 'pakt report' (text, CSV, JSON in
 * cli/metrics_out.c; SVG in cli/metrics_svg.c). The numbers themselves
 * come from core/measure. Pure functions over plain structs (no daemon,
 * no I/O but the FILE given), so that they are unit-testable. */
#ifndef PAKT_METRICS_H
#define PAKT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "core/measure.h"
#include "proto/body.h"
#include "proto/ctlop_reply.h"

/* ---- arguments; each returns 0, or PAKT_EINVAL with a one-line reason
 * in why[whylen] ---- */

/* A finite decimal number ("12", "-0.5", "1e3"); no hex, inf or nan.
 * true and *out, else false. */
bool metrics_parse_number(const char *s, double *out);
/* An indicator id: [a-z0-9_-]{1,32}. */
bool metrics_valid_id(const char *s);
/* "ID:NAME:UNIT[:TARGET[:up|down[:count|level|ratio]]]" (UNIT and TARGET
 * may be empty). */
int metrics_parse_indicator(const char *arg, struct body_indicator *out, char *why,
			    size_t whylen);
/* Options that add to an indicator already in a (by its id):
 * about "ID=population|how-much|how-well|better-off", baseline
 * "ID=VALUE@PERIOD", milestone "ID=VALUE@PERIOD" (kept in period order;
 * repeatable) and dimension "ID=NAME:CAT1,CAT2,...". */
int metrics_parse_about(const char *arg, struct body_agenda *a, char *why, size_t whylen);
int metrics_parse_baseline(const char *arg, struct body_agenda *a, char *why, size_t whylen);
int metrics_parse_milestone(const char *arg, struct body_agenda *a, char *why, size_t whylen);
int metrics_parse_dimension(const char *arg, struct body_agenda *a, char *why, size_t whylen);
/* "ID=NUMBER", or "ID=NUM/DEN" for a ratio: appended to u. */
int metrics_parse_value(const char *arg, struct body_update *u, char *why, size_t whylen);
/* "ID=CAT:N,CAT:N,..." for a value already in u: its split cells (sorted
 * as the body wants them). Whether the categories are the indicator's and
 * add up to the value is the agenda's rule: paktd checks it
 * (measure_check_value) before it signs. */
int metrics_parse_split(const char *arg, struct body_update *u, char *why, size_t whylen);

/* ---- numbers and days ---- */

/* A number in its shortest form that reads back exactly ("12", "0.1"). */
void metrics_fmt_num(double v, char buf[32]);
/* Days since 1970-01-01 as YYYY-MM-DD. */
void metrics_fmt_day(int64_t days, char buf[16]);

/* ---- the measure of a reply ---- */

/* The agenda indicator of a reply as the body holds it. */
void metrics_indicator(const struct ctlop_r_indicator *in, struct body_indicator *out);
/* core/measure over a metrics reply (only: NULL or one indicator); the
 * reply must outlive nothing (rows are copied). 0 or PAKT_ENOMEM; free
 * with measure_free. */
int metrics_measure(struct measure *m, const struct ctlop_r_metrics *rep, const char *only);

/* ---- renderings ---- */

/* Text: per indicator its definition, current value, baseline, target and
 * progress, trend, next milestone, then each organisation's latest value
 * (by_period: the partnership's value per period), missing reports,
 * breakdown and flagged values. Partners' text is made safe for a terminal. */
void metrics_text(FILE *f, const struct measure *m, bool by_period);
/* CSV: "indicator,kind,org,period,value,den" and one row per indicator,
 * organisation and period with a value (the org's value of the period by
 * the kind; den: a ratio's denominator); LF line ends, RFC 4180 quoting. */
void metrics_csv(FILE *f, const struct measure *m);
/* JSON: {"indicators": [...]}, the shape documented in the README. */
void metrics_json(FILE *f, const struct measure *m);
/* SVG: a title (initiative, date drawn), then per indicator (only < 0: all,
 * else that index) a panel: each organisation's series by the kind (a
 * level's and a ratio's values as they are, a count's running total), the
 * partnership's as a heavier line, the target (labelled, even at 0),
 * milestones, the baseline, an axis label naming the indicator and kind,
 * and a legend that wraps long names. initiative and drawn may be "". No
 * XML declaration: the caller writes one for a file, none inline in HTML. */
void metrics_svg_write(FILE *f, const struct measure *m, long only, const char *initiative,
		       const char *drawn);
/* What the y axis shows: "people sleeping rough, latest count", "meals
 * served, total to date (count)" (the name, then the kind) into buf[len]. */
void metrics_axis_label(const struct body_indicator *d, char *buf, size_t len);

#endif
