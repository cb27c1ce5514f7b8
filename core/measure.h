/* Shared measurement: what the reported values of each indicator add up
 * to, by the indicator's kind (PROTOCOL.md, "agenda" and "update"; the
 * rules of combination are in "Shared measurement" there).
 *
 *   count  adds up over periods and organisations;
 *   level  per organisation, the value of a period is its latest report
 *          in that period; the combined value of a period is the sum of
 *          each organisation's latest value up to that period; never
 *          summed over time;
 *   ratio  numerators and denominators add up separately; shown as a
 *          percentage.
 *
 * "Latest" is the author's own feed order (seq), never the timestamps an
 * author claims: nobody bends a level by choosing its clocks. Pure: the
 * caller hands in rows (from paktd's metrics reply, or a bundle) and gets
 * the current value, baseline, progress, trend, series, each
 * organisation's latest value, breakdowns and missing reports. */
#ifndef PAKT_MEASURE_H
#define PAKT_MEASURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto/body.h"

/* One reported value; every pointer is borrowed for measure_build. */
struct measure_row {
	uint8_t org[32];                /* the author */
	const char *name;               /* its display name; NULL or "" if unknown */
	uint64_t seq;                   /* the update's seq in its author's feed */
	const char *indicator;
	const char *period;             /* the label, e.g. "2026-03" */
	int64_t from, to;               /* the period's days since 1970-01-01 */
	double value;                   /* a ratio's numerator */
	bool has_den;
	double den;
	const struct body_cell *split;  /* [n_split], may be NULL */
	size_t n_split;
};

enum measure_trend {
	MEASURE_NO_TREND = 0,           /* fewer than two periods */
	MEASURE_RISING,
	MEASURE_FALLING,
	MEASURE_FLAT,
};

struct measure_org {
	uint8_t key[32];
	char name[BODY_NAME_MAX + 1];   /* the name, else "" */
};

/* Periods are told apart by their days: "2026-03" and
 * "2026-03-01..2026-03-31" are one period (labelled by the shorter). */
struct measure_period {
	char label[BODY_PERIOD_MAX + 1];
	int64_t from, to;
};

/* A value from a peer that breaks a rule the CLI enforces before signing:
 * it is counted as the rule says (PROTOCOL.md, "update") and shown. */
struct measure_flag {
	uint8_t org[32];
	uint64_t seq;
	char period[BODY_PERIOD_MAX + 1];
	char what[160];
};

/* One indicator. Arrays by period have m->n_period items, by org n_org,
 * cells n_org * n_period (org-major). A ratio's values are percentages. */
struct measure_ind {
	struct body_indicator def;
	size_t n_rows;                  /* values that count */
	bool has_current;
	double current;
	double num, den;                /* a ratio: the parts of current */
	bool has_progress;              /* a target and a current value */
	double progress;                /* % of the way from the start to the target */
	bool met;                       /* the final target is reached */
	double start;                   /* where progress counts from */
	long next_milestone;            /* index in def.milestones, -1: none */
	int trend;                      /* enum measure_trend */
	size_t trend_periods;           /* how many periods it has gone that way */
	bool trend_better;              /* rising for up, falling for down */
	long latest;                    /* index of the latest period reported, -1 */
	bool *has;                      /* [n_period]: a value was reported */
	double *value;                  /* [n_period]: the partnership's value */
	double *num_p, *den_p;          /* [n_period]: a ratio's parts */
	bool *cell_has;                 /* [n_org * n_period] */
	double *cell;                   /* the org's value of the period, by kind */
	double *cell_num, *cell_den;    /* a ratio's parts */
	long *org_last;                 /* [n_org]: its latest period, -1: none */
	double *org_value;              /* [n_org]: its value in that period */
	double *org_total;              /* [n_org]: count: its sum; ratio: over all
					 * its periods; level: org_value */
	bool *org_missing;              /* [n_org]: reported before, not for latest */
	bool has_split;                 /* a breakdown of some of current */
	double split[BODY_CATEGORIES_MAX];  /* by def.categories */
	double split_of;                /* the part of current the split covers */
	struct measure_flag *flags;
	size_t n_flags;
};

struct measure {
	struct measure_ind *ind;        /* agenda order */
	size_t n_ind;
	struct measure_org *org;        /* sorted by name, then key */
	size_t n_org;
	struct measure_period *period;  /* sorted by first day, then last day */
	size_t n_period;
};

/* Combine rows over the indicators defs[n_defs] (rows of other
 * indicators are left out). only: NULL, or just that indicator. 0 or
 * PAKT_ENOMEM (m is then empty); free with measure_free(). */
int measure_build(struct measure *m, const struct body_indicator *defs, size_t n_defs,
		  const struct measure_row *rows, size_t n_rows, const char *only);
void measure_free(struct measure *m);
/* Index of indicator id in m, or -1. */
long measure_find(const struct measure *m, const char *id);

/* Whether value v of an update (its split in cells) fits indicator def:
 * a ratio has a denominator and no split, others no denominator; a split
 * needs a dimension, names its categories and adds up to the value.
 * 0, or PAKT_EINVAL with a one-line reason naming the indicator. */
int measure_check_value(const struct body_indicator *def, const struct body_value *v,
			const struct body_cell *cells, char *why, size_t whylen);

/* Write the reason (printf format) to why[whylen] (may be NULL) and return
 * PAKT_EINVAL: the one idiom of this module's and the CLI's measurement
 * arguments (cli/metrics.c). */
int measure_fail(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "rising", "falling", "flat" or "" (enum measure_trend). */
const char *measure_trend_name(int trend);

#endif
