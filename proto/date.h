/* Dates and periods of bodies (commitment "due", update "period"). */
#ifndef PAKT_DATE_H
#define PAKT_DATE_H

#include <stdint.h>

/* Dates and periods as days since 1970-01-01 (UTC). date: YYYY-MM-DD.
 * period: YYYY, YYYY-Qn, YYYY-MM, YYYY-MM-DD or FROM..TO (dates); *from and
 * *to are the first and last day. Outputs may be NULL (check only).
 * 0 or PAKT_EINVAL. */
int date_parse(const char *s, int64_t *days);
int date_period_parse(const char *s, int64_t *from, int64_t *to);

#endif
