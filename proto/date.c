/* Dates and periods of bodies as days since 1970-01-01 (UTC). */
#include "proto/date.h"

#include <stdbool.h>
#include <string.h>

#include "proto/err.h"

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar: count
 * in 400-year eras (146097 days each) of years starting on 1 March, so the
 * leap day is the last day of its year. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	if (m <= 2)
		y -= 1;                         /* Jan, Feb: previous March year */
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);               /* 0..399 */
	unsigned mp = m > 2 ? m - 3 : m + 9;                    /* Mar = 0 */
	unsigned doy = (153 * mp + 2) / 5 + d - 1;              /* 0..365 */
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;   /* 0..146096 */
	return era * 146097 + (int64_t)doe - 719468;  /* 0000-03-01 to 1970 */
}

static bool leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(unsigned y, unsigned m)
{
	static const unsigned char md[12] = { 31, 28, 31, 30, 31, 30, 31, 31,
					      30, 31, 30, 31 };
	return m == 2 && leap(y) ? 29 : md[m - 1];
}

/* n decimal digits at s; false if any is not a digit. */
static bool digits(const char *s, int n, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return true;
}

/* YYYY-MM-DD in exactly len bytes of s. */
static int date_n(const char *s, size_t len, int64_t *days)
{
	unsigned y, m, d;
	if (len != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) ||
	    !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
		return PAKT_EINVAL;
	if (m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return PAKT_EINVAL;
	*days = days_from_civil(y, m, d);
	return 0;
}

int date_parse(const char *s, int64_t *days)
{
	int64_t v;
	if (s == NULL || date_n(s, strlen(s), &v) != 0)
		return PAKT_EINVAL;
	if (days != NULL)
		*days = v;
	return 0;
}

int date_period_parse(const char *s, int64_t *from, int64_t *to)
{
	size_t len;
	unsigned y, m;
	int64_t a, b;

	if (s == NULL)
		return PAKT_EINVAL;
	len = strlen(s);
	if (len == 22 && s[10] == '.' && s[11] == '.') {
		if (date_n(s, 10, &a) != 0 || date_n(s + 12, 10, &b) != 0 ||
		    b < a)
			return PAKT_EINVAL;
	} else if (len == 10) {
		if (date_n(s, 10, &a) != 0)
			return PAKT_EINVAL;
		b = a;
	} else {
		if (len < 4 || !digits(s, 4, &y))
			return PAKT_EINVAL;
		if (len == 4) {
			a = days_from_civil(y, 1, 1);
			b = days_from_civil(y, 12, 31);
		} else if (len == 7 && s[4] == '-' && s[5] == 'Q') {
			if (s[6] < '1' || s[6] > '4')
				return PAKT_EINVAL;
			m = 3 * (unsigned)(s[6] - '1') + 1;     /* 1, 4, 7, 10 */
			a = days_from_civil(y, m, 1);
			b = days_from_civil(y, m + 2, month_days(y, m + 2));
		} else if (len == 7 && s[4] == '-' && digits(s + 5, 2, &m)) {
			if (m < 1 || m > 12)
				return PAKT_EINVAL;
			a = days_from_civil(y, m, 1);
			b = days_from_civil(y, m, month_days(y, m));
		} else {
			return PAKT_EINVAL;
		}
	}
	if (from != NULL)
		*from = a;
	if (to != NULL)
		*to = b;
	return 0;
}

