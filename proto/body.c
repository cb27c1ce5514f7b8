/* Entry bodies: builders and schema checks per entry type. */
#include "proto/body.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "proto/canon.h"
#include "proto/entry.h"
#include "proto/err.h"

int body_message(struct mpx_out *o, const char *text, const uint8_t *reply_to)
{
	if (text == NULL)
		return PAKT_EINVAL;
	size_t len = strlen(text);
	if (len > BODY_TEXT_MAX)
		return PAKT_ETOOBIG;
	if (!canon_utf8_valid(text, len))
		return PAKT_EUTF8;
	/* keys in bytewise order: "reply_to" < "text" */
	msgpack_pack_map(&o->pk, reply_to != NULL ? 2 : 1);
	if (reply_to != NULL)
		mpx_kv_bin(&o->pk, "reply_to", reply_to, 32);
	mpx_kv_str(&o->pk, "text", text);
	return 0;
}

int body_genesis(struct mpx_out *o, const char *name, const char *goal,
		 const uint8_t (*admins)[32], size_t n_admins)
{
	if (name == NULL || goal == NULL || (admins == NULL && n_admins > 0))
		return PAKT_EINVAL;
	size_t name_len = strlen(name), goal_len = strlen(goal);
	if (name_len == 0 || n_admins == 0)
		return PAKT_EINVAL;
	if (name_len > BODY_NAME_MAX || goal_len > BODY_TEXT_MAX ||
	    n_admins > BODY_ADMINS_MAX)
		return PAKT_ETOOBIG;
	if (!canon_utf8_valid(name, name_len) ||
	    !canon_utf8_valid(goal, goal_len))
		return PAKT_EUTF8;
	for (size_t i = 0; i < n_admins; i++)
		for (size_t j = 0; j < i; j++)
			if (memcmp(admins[i], admins[j], 32) == 0)
				return PAKT_EINVAL;
	/* "admins" < "goal" < "name" */
	msgpack_pack_map(&o->pk, 3);
	mpx_str(&o->pk, "admins");
	msgpack_pack_array(&o->pk, n_admins);
	for (size_t i = 0; i < n_admins; i++)
		mpx_bin(&o->pk, admins[i], 32);
	mpx_kv_str(&o->pk, "goal", goal);
	mpx_kv_str(&o->pk, "name", name);
	return 0;
}

int body_member(struct mpx_out *o, bool add, const uint8_t key[32], const char *name,
		bool admin)
{
	size_t len = name ? strlen(name) : 0;

	if (key == NULL || len > BODY_NAME_MAX || !canon_utf8_valid(name ? name : "", len))
		return PAKT_EINVAL;
	/* keys in bytewise order: action, key, name, role */
	msgpack_pack_map(&o->pk, 4);
	mpx_kv_str(&o->pk, "action", add ? "add" : "remove");
	mpx_kv_bin(&o->pk, "key", key, 32);
	mpx_kv_str(&o->pk, "name", name ? name : "");
	mpx_kv_str(&o->pk, "role", admin ? "admin" : "member");
	return 0;
}

/* Write the reason and return PAKT_EBODY. */
static int fail(char *why, size_t whylen, const char *fmt, ...)
{
	if (why != NULL && whylen > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return PAKT_EBODY;
}

/* A peer's key name, safe to print: printable ASCII, at most 32 chars. */
static void printable(char out[36], const char *s, uint32_t len)
{
	size_t n = len > 32 ? 32 : len, i;
	for (i = 0; i < n; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (len > 32)
		out[i++] = '.', out[i++] = '.', out[i++] = '.';
	out[i] = '\0';
}

static bool key_is(const char *k, uint32_t klen, const char *name)
{
	return klen == strlen(name) && memcmp(k, name, klen) == 0;
}

/* A str value of min..max bytes (UTF-8 was checked by canon_check). */
static int rd_text(struct canon_rd *r, const char *key, size_t min, size_t max,
		   char *why, size_t whylen)
{
	const char *s;
	uint32_t len;
	if (canon_rd_str(r, &s, &len) != 0)
		return fail(why, whylen, "\"%s\" is not a string", key);
	if (len < min)
		return fail(why, whylen, "\"%s\" is empty", key);
	if (len > max)
		return fail(why, whylen, "\"%s\" is longer than %zu bytes", key,
			    max);
	return 0;
}

static int rd_bin32(struct canon_rd *r, const uint8_t **p, const char *key,
		    char *why, size_t whylen)
{
	uint32_t len;
	if (canon_rd_bin(r, p, &len) != 0 || len != 32)
		return fail(why, whylen, "\"%s\" is not 32 bytes of bin", key);
	return 0;
}

static int validate_message(struct canon_rd *r, uint32_t n, char *why,
			    size_t whylen)
{
	bool have_text = false;
	const uint8_t *p;
	char shown[36];
	int rc;

	for (uint32_t i = 0; i < n; i++) {
		const char *k;
		uint32_t klen;
		canon_rd_str(r, &k, &klen);     /* canonical: keys are str */
		if (key_is(k, klen, "reply_to")) {
			rc = rd_bin32(r, &p, "reply_to", why, whylen);
		} else if (key_is(k, klen, "text")) {
			rc = rd_text(r, "text", 0, BODY_TEXT_MAX, why, whylen);
			have_text = true;
		} else {
			printable(shown, k, klen);
			return fail(why, whylen, "message: unknown key \"%s\"",
				    shown);
		}
		if (rc != 0)
			return rc;
	}
	if (!have_text)
		return fail(why, whylen, "message: \"text\" is missing");
	return 0;
}

static int validate_admins(struct canon_rd *r, char *why, size_t whylen)
{
	const uint8_t *admins[BODY_ADMINS_MAX];
	uint32_t n;

	if (canon_rd_array(r, &n) != 0)
		return fail(why, whylen, "\"admins\" is not an array");
	if (n < 1 || n > BODY_ADMINS_MAX)
		return fail(why, whylen, "\"admins\" must list 1 to %d keys",
			    BODY_ADMINS_MAX);
	for (uint32_t i = 0; i < n; i++) {
		if (rd_bin32(r, &admins[i], "admins[]", why, whylen) != 0)
			return PAKT_EBODY;
		for (uint32_t j = 0; j < i; j++)
			if (memcmp(admins[i], admins[j], 32) == 0)
				return fail(why, whylen,
					    "\"admins\" lists a key twice");
	}
	return 0;
}

static int validate_genesis(struct canon_rd *r, uint32_t n, char *why,
			    size_t whylen)
{
	/* canonical order is alphabetical, so the three keys come in order */
	static const char *const keys[] = { "admins", "goal", "name" };
	char shown[36];
	int rc;

	if (n != 3)
		return fail(why, whylen,
			    "genesis: needs exactly \"admins\", \"goal\", \"name\"");
	for (uint32_t i = 0; i < 3; i++) {
		const char *k;
		uint32_t klen;
		canon_rd_str(r, &k, &klen);
		if (!key_is(k, klen, keys[i])) {
			printable(shown, k, klen);
			return fail(why, whylen,
				    "genesis: unexpected key \"%s\"", shown);
		}
		switch (i) {
		case 0: rc = validate_admins(r, why, whylen); break;
		case 1: rc = rd_text(r, "goal", 0, BODY_TEXT_MAX, why, whylen);
			break;
		default: rc = rd_text(r, "name", 1, BODY_NAME_MAX, why, whylen);
			break;
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* member: {"action": "add"|"remove", "key": bin32, "name": str, "role":
 * "admin"|"member"}; out may be NULL. */
static int parse_member(struct canon_rd *r, uint32_t n, struct body_member *out,
			char *why, size_t whylen)
{
	static const char *const keys[] = { "action", "key", "name", "role" };
	struct body_member m = {0};
	const char *s;
	const uint8_t *key;
	uint32_t len;
	char shown[36];

	if (n != 4)
		return fail(why, whylen, "member: needs exactly \"action\", \"key\", \"name\", \"role\"");
	for (uint32_t i = 0; i < 4; i++) {
		const char *k;
		uint32_t klen;

		canon_rd_str(r, &k, &klen);
		if (!key_is(k, klen, keys[i])) {
			printable(shown, k, klen);
			return fail(why, whylen, "member: unexpected key \"%s\"", shown);
		}
		if (i == 1) {
			if (rd_bin32(r, &key, "key", why, whylen) != 0)
				return PAKT_EBODY;
			memcpy(m.key, key, 32);
			continue;
		}
		if (canon_rd_str(r, &s, &len) != 0)
			return fail(why, whylen, "member: \"%s\" is not a string", keys[i]);
		if (i == 0 && (key_is(s, len, "add") || key_is(s, len, "remove")))
			m.add = s[0] == 'a';
		else if (i == 2 && len <= BODY_NAME_MAX)
			memcpy(m.name, s, len);
		else if (i == 3 && (key_is(s, len, "admin") || key_is(s, len, "member")))
			m.admin = s[1] == 'd';
		else
			return fail(why, whylen, "member: bad \"%s\"", keys[i]);
	}
	if (out != NULL)
		*out = m;
	return 0;
}

int body_member_parse(const uint8_t *body, size_t len, struct body_member *out)
{
	struct canon_rd r;
	uint32_t n;

	if (body == NULL || canon_check(body, len, CANON_MAX_DEPTH) != 0)
		return PAKT_EBODY;
	canon_rd_init(&r, body, len);
	if (canon_rd_map(&r, &n) != 0)
		return PAKT_EBODY;
	return parse_member(&r, n, out, NULL, 0);
}

/* ---- collective impact ---- */

/* Keys absent from a schema, printable. */
static int unknown_key(const char *type, const char *k, uint32_t klen,
		       char *why, size_t whylen)
{
	char shown[36];
	printable(shown, k, klen);
	return fail(why, whylen, "%s: unknown key \"%s\"", type, shown);
}

static int missing_key(const char *type, const char *key, char *why,
		       size_t whylen)
{
	return fail(why, whylen, "%s: \"%s\" is missing", type, key);
}

/* Copy s[len] with a NUL into dst (large enough) when dst is not NULL. */
static void put(char *dst, const char *s, uint32_t len)
{
	if (dst != NULL) {
		memcpy(dst, s, len);
		dst[len] = '\0';
	}
}

/* A str value of min..max bytes without NUL bytes (it becomes a C string). */
static int rd_cstr(struct canon_rd *r, const char *type, const char *key,
		   size_t min, size_t max, const char **s, uint32_t *len,
		   char *why, size_t whylen)
{
	if (canon_rd_str(r, s, len) != 0)
		return fail(why, whylen, "%s: \"%s\" is not a string", type, key);
	if (*len < min)
		return fail(why, whylen, "%s: \"%s\" is empty", type, key);
	if (*len > max)
		return fail(why, whylen, "%s: \"%s\" is longer than %zu bytes",
			    type, key, max);
	if (memchr(*s, '\0', *len) != NULL)
		return fail(why, whylen, "%s: \"%s\" contains a NUL byte", type,
			    key);
	return 0;
}

static bool id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '-';
}

/* [a-z0-9_-]{1,BODY_ID_MAX} */
static bool id_valid(const char *s, size_t len)
{
	if (len < 1 || len > BODY_ID_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!id_char(s[i]))
			return false;
	return true;
}

static int rd_id(struct canon_rd *r, const char *type, const char *key,
		 const char **s, uint32_t *len, char *why, size_t whylen)
{
	char shown[36];
	if (canon_rd_str(r, s, len) != 0)
		return fail(why, whylen, "%s: \"%s\" is not a string", type, key);
	if (!id_valid(*s, *len)) {
		printable(shown, *s, *len);
		return fail(why, whylen,
			    "%s: \"%s\" \"%s\" is not an id ([a-z0-9_-]{1,%d})",
			    type, key, shown, BODY_ID_MAX);
	}
	return 0;
}

/* A float64 (0xcb and 8 big-endian bytes), finite. */
static int rd_num(struct canon_rd *r, const char *type, const char *key,
		  double *v, char *why, size_t whylen)
{
	uint64_t bits = 0;
	if (r->end - r->p < 9 || r->p[0] != 0xcb)
		return fail(why, whylen, "%s: \"%s\" is not a float64", type, key);
	for (int i = 1; i <= 8; i++)
		bits = bits << 8 | r->p[i];
	memcpy(v, &bits, sizeof *v);
	if (!isfinite(*v))
		return fail(why, whylen, "%s: \"%s\" is not a finite number",
			    type, key);
	r->p += 9;
	return 0;
}

/* One of names[] (NULL-terminated); its index in *idx. */
static int rd_enum(struct canon_rd *r, const char *type, const char *key,
		   const char *const *names, int *idx, char *why, size_t whylen)
{
	const char *s;
	uint32_t len;
	char shown[36];
	if (canon_rd_str(r, &s, &len) != 0)
		return fail(why, whylen, "%s: \"%s\" is not a string", type, key);
	for (int i = 0; names[i] != NULL; i++)
		if (key_is(s, len, names[i])) {
			*idx = i;
			return 0;
		}
	printable(shown, s, len);
	return fail(why, whylen, "%s: bad \"%s\" \"%s\"", type, key, shown);
}

static int rd_ref32(struct canon_rd *r, const char *type, const char *key,
		    uint8_t *out, char *why, size_t whylen)
{
	const uint8_t *p;
	uint32_t len;
	if (canon_rd_bin(r, &p, &len) != 0 || len != 32)
		return fail(why, whylen, "%s: \"%s\" is not 32 bytes of bin",
			    type, key);
	if (out != NULL)
		memcpy(out, p, 32);
	return 0;
}

/* Builder checks of a C string held in a char[cap] (or any string when
 * cap is 0): 0, PAKT_EINVAL (NULL, shorter than min), PAKT_ETOOBIG,
 * PAKT_EUTF8. */
static int chk_str(const char *s, size_t cap, size_t min, size_t max)
{
	size_t len;
	if (s == NULL)
		return PAKT_EINVAL;
	len = cap > 0 ? strnlen(s, cap) : strlen(s);
	if (len == cap && cap > 0)
		return PAKT_ETOOBIG;    /* not terminated inside its field */
	if (len < min)
		return PAKT_EINVAL;
	if (len > max)
		return PAKT_ETOOBIG;
	if (!canon_utf8_valid(s, len))
		return PAKT_EUTF8;
	return 0;
}

static int chk_id(const char *s, size_t cap)
{
	size_t len = strnlen(s, cap);
	if (len == cap || len > BODY_ID_MAX)
		return PAKT_ETOOBIG;
	return id_valid(s, len) ? 0 : PAKT_EINVAL;
}

static void pk_double(msgpack_packer *pk, const char *key, double v)
{
	mpx_str(pk, key);
	msgpack_pack_double(pk, v);
}

/* A builder wrote o->sb from start: undo it when larger than a body. */
static int chk_size(struct mpx_out *o, size_t start)
{
	if (o->sb.size - start > ENTRY_BODY_MAX) {
		o->sb.size = start;
		return PAKT_ETOOBIG;
	}
	return 0;
}

/* ---- dates ---- */

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

int body_date_parse(const char *s, int64_t *days)
{
	int64_t v;
	if (s == NULL || date_n(s, strlen(s), &v) != 0)
		return PAKT_EINVAL;
	if (days != NULL)
		*days = v;
	return 0;
}

int body_period_parse(const char *s, int64_t *from, int64_t *to)
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

/* A period or a date read from a body (not NUL-terminated). */
static bool period_valid(const char *s, uint32_t len, bool date_only)
{
	char buf[BODY_PERIOD_MAX + 1];
	if (len > BODY_PERIOD_MAX || memchr(s, '\0', len) != NULL)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return date_only ? body_date_parse(buf, NULL) == 0
			 : body_period_parse(buf, NULL, NULL) == 0;
}

/* ---- agenda ---- */

static const char *const directions[] = { "up", "down", NULL };

/* {direction, id, name, target?, unit} */
static int parse_indicator(struct canon_rd *r, struct body_indicator *ind,
			   char *why, size_t whylen)
{
	static const char T[] = "agenda indicator";
	bool have[4] = { false };       /* direction, id, name, unit */
	static const char *const req[] = { "direction", "id", "name", "unit" };
	const char *s;
	uint32_t n, len;
	int rc, dir;

	memset(ind, 0, sizeof *ind);
	if (canon_rd_map(r, &n) != 0)
		return fail(why, whylen, "agenda: an indicator is not a map");
	for (uint32_t i = 0; i < n; i++) {
		const char *k;
		uint32_t klen;
		canon_rd_str(r, &k, &klen);
		if (key_is(k, klen, "direction")) {
			rc = rd_enum(r, T, "direction", directions, &dir, why,
				     whylen);
			ind->down = dir == 1;
			have[0] = true;
		} else if (key_is(k, klen, "id")) {
			if ((rc = rd_id(r, T, "id", &s, &len, why, whylen)) == 0)
				put(ind->id, s, len);
			have[1] = true;
		} else if (key_is(k, klen, "name")) {
			rc = rd_cstr(r, T, "name", 1, BODY_NAME_MAX, &s, &len,
				     why, whylen);
			if (rc == 0)
				put(ind->name, s, len);
			have[2] = true;
		} else if (key_is(k, klen, "target")) {
			rc = rd_num(r, T, "target", &ind->target, why, whylen);
			ind->has_target = true;
		} else if (key_is(k, klen, "unit")) {
			rc = rd_cstr(r, T, "unit", 0, BODY_UNIT_MAX, &s, &len,
				     why, whylen);
			if (rc == 0)
				put(ind->unit, s, len);
			have[3] = true;
		} else {
			return unknown_key(T, k, klen, why, whylen);
		}
		if (rc != 0)
			return rc;
	}
	for (int i = 0; i < 4; i++)
		if (!have[i])
			return missing_key(T, req[i], why, whylen);
	return 0;
}

/* out may be NULL (validation only). */
static int parse_agenda(struct canon_rd *r, uint32_t n, struct body_agenda *out,
			char *why, size_t whylen)
{
	struct body_indicator ind;
	char ids[BODY_INDICATORS_MAX][BODY_ID_MAX + 1];
	const char *s;
	uint32_t cnt, len;
	bool have_goal = false, have_ind = false;
	int rc;

	for (uint32_t i = 0; i < n; i++) {
		const char *k;
		uint32_t klen;
		canon_rd_str(r, &k, &klen);
		if (key_is(k, klen, "goal")) {
			rc = rd_cstr(r, "agenda", "goal", 0, BODY_TEXT_MAX, &s,
				     &len, why, whylen);
			if (rc != 0)
				return rc;
			put(out ? out->goal : NULL, s, len);
			have_goal = true;
			continue;
		}
		if (!key_is(k, klen, "indicators"))
			return unknown_key("agenda", k, klen, why, whylen);
		if (canon_rd_array(r, &cnt) != 0)
			return fail(why, whylen,
				    "agenda: \"indicators\" is not an array");
		if (cnt < 1 || cnt > BODY_INDICATORS_MAX)
			return fail(why, whylen,
				    "agenda: \"indicators\" must list 1 to %d indicators",
				    BODY_INDICATORS_MAX);
		for (uint32_t j = 0; j < cnt; j++) {
			if ((rc = parse_indicator(r, &ind, why, whylen)) != 0)
				return rc;
			for (uint32_t m = 0; m < j; m++)
				if (strcmp(ids[m], ind.id) == 0)
					return fail(why, whylen,
						    "agenda: indicator id \"%s\" appears twice",
						    ind.id);
			memcpy(ids[j], ind.id, sizeof ids[j]);
			if (out != NULL)
				out->ind[j] = ind;
		}
		if (out != NULL)
			out->n = cnt;
		have_ind = true;
	}
	if (!have_goal)
		return missing_key("agenda", "goal", why, whylen);
	if (!have_ind)
		return missing_key("agenda", "indicators", why, whylen);
	return 0;
}

/* ---- update ---- */

/* {indicator, value} */
static int parse_value(struct canon_rd *r, struct body_value *v, char *why,
		       size_t whylen)
{
	static const char T[] = "update value";
	bool have_ind = false, have_val = false;
	const char *s;
	uint32_t n, len;
	int rc;

	memset(v, 0, sizeof *v);
	if (canon_rd_map(r, &n) != 0)
		return fail(why, whylen, "update: a value is not a map");
	for (uint32_t i = 0; i < n; i++) {
		const char *k;
		uint32_t klen;
		canon_rd_str(r, &k, &klen);
		if (key_is(k, klen, "indicator")) {
			if ((rc = rd_id(r, T, "indicator", &s, &len, why, whylen)) == 0)
				put(v->indicator, s, len);
			have_ind = true;
		} else if (key_is(k, klen, "value")) {
			rc = rd_num(r, T, "value", &v->value, why, whylen);
			have_val = true;
		} else {
			return unknown_key(T, k, klen, why, whylen);
		}
		if (rc != 0)
			return rc;
	}
	if (!have_ind)
		return missing_key(T, "indicator", why, whylen);
	if (!have_val)
		return missing_key(T, "value", why, whylen);
	return 0;
}

static int parse_update(struct canon_rd *r, uint32_t n, struct body_update *out,
			char *why, size_t whylen)
{
	struct body_value v;
	char ids[BODY_INDICATORS_MAX][BODY_ID_MAX + 1];
	char shown[36];
	const char *s;
	uint32_t cnt, len;
	bool have[3] = { false };
	static const char *const req[] = { "period", "text", "values" };
	int rc;

	for (uint32_t i = 0; i < n; i++) {
		const char *k;
		uint32_t klen;
		canon_rd_str(r, &k, &klen);
		if (key_is(k, klen, "period")) {
			if (canon_rd_str(r, &s, &len) != 0)
				return fail(why, whylen,
					    "update: \"period\" is not a string");
			if (!period_valid(s, len, false)) {
				printable(shown, s, len);
				return fail(why, whylen,
					    "update: \"period\" \"%s\" is not YYYY, YYYY-Qn, YYYY-MM, YYYY-MM-DD or FROM..TO",
					    shown);
			}
			put(out ? out->period : NULL, s, len);
			have[0] = true;
		} else if (key_is(k, klen, "text")) {
			rc = rd_cstr(r, "update", "text", 0, BODY_TEXT_MAX, &s,
				     &len, why, whylen);
			if (rc != 0)
				return rc;
			put(out ? out->text : NULL, s, len);
			have[1] = true;
		} else if (key_is(k, klen, "values")) {
			if (canon_rd_array(r, &cnt) != 0)
				return fail(why, whylen,
					    "update: \"values\" is not an array");
			if (cnt > BODY_INDICATORS_MAX)
				return fail(why, whylen,
					    "update: \"values\" lists more than %d values",
					    BODY_INDICATORS_MAX);
			for (uint32_t j = 0; j < cnt; j++) {
				if ((rc = parse_value(r, &v, why, whylen)) != 0)
					return rc;
				for (uint32_t m = 0; m < j; m++)
					if (strcmp(ids[m], v.indicator) == 0)
						return fail(why, whylen,
							    "update: indicator \"%s\" has two values",
							    v.indicator);
				memcpy(ids[j], v.indicator, sizeof ids[j]);
				if (out != NULL)
					out->v[j] = v;
			}
			if (out != NULL)
				out->n = cnt;
			have[2] = true;
		} else {
			return unknown_key("update", k, klen, why, whylen);
		}
	}
	for (int i = 0; i < 3; i++)
		if (!have[i])
			return missing_key("update", req[i], why, whylen);
	return 0;
}

/* ---- commitment ---- */

static int parse_commitment(struct canon_rd *r, uint32_t n,
			    struct body_commitment *out, char *why,
			    size_t whylen)
{
	static const char T[] = "commitment";
	const uint8_t *parties[BODY_PARTIES_MAX];
	char shown[36];
	const char *s;
	uint32_t cnt, len;
	bool have_due = false, have_parties = false, have_title = false;
	bool have_ind = false, have_target = false;
	double target;
	int rc;

	for (uint32_t i = 0; i < n; i++) {
		const char *k;
		uint32_t klen;
		canon_rd_str(r, &k, &klen);
		rc = 0;
		if (key_is(k, klen, "description")) {
			rc = rd_cstr(r, T, "description", 1, BODY_TEXT_MAX, &s,
				     &len, why, whylen);
			if (rc == 0)
				put(out ? out->description : NULL, s, len);
		} else if (key_is(k, klen, "due")) {
			if (canon_rd_str(r, &s, &len) != 0)
				return fail(why, whylen,
					    "commitment: \"due\" is not a string");
			if (len != 10 || !period_valid(s, len, true)) {
				printable(shown, s, len);
				return fail(why, whylen,
					    "commitment: \"due\" \"%s\" is not a date YYYY-MM-DD",
					    shown);
			}
			put(out ? out->due : NULL, s, len);
			have_due = true;
		} else if (key_is(k, klen, "indicator")) {
			rc = rd_id(r, T, "indicator", &s, &len, why, whylen);
			if (rc == 0)
				put(out ? out->indicator : NULL, s, len);
			have_ind = true;
		} else if (key_is(k, klen, "parties")) {
			if (canon_rd_array(r, &cnt) != 0)
				return fail(why, whylen,
					    "commitment: \"parties\" is not an array");
			if (cnt < 1 || cnt > BODY_PARTIES_MAX)
				return fail(why, whylen,
					    "commitment: \"parties\" must list 1 to %d keys",
					    BODY_PARTIES_MAX);
			for (uint32_t j = 0; j < cnt; j++) {
				if (rd_bin32(r, &parties[j], "parties[]", why,
					     whylen) != 0)
					return fail(why, whylen,
						    "commitment: a party is not 32 bytes of bin");
				for (uint32_t m = 0; m < j; m++)
					if (memcmp(parties[m], parties[j], 32) == 0)
						return fail(why, whylen,
							    "commitment: \"parties\" lists a key twice");
				if (out != NULL)
					memcpy(out->parties[j], parties[j], 32);
			}
			if (out != NULL)
				out->n_parties = cnt;
			have_parties = true;
		} else if (key_is(k, klen, "target")) {
			rc = rd_num(r, T, "target", &target, why, whylen);
			if (rc == 0 && out != NULL) {
				out->target = target;
				out->has_target = true;
			}
			have_target = true;
		} else if (key_is(k, klen, "title")) {
			rc = rd_cstr(r, T, "title", 1, BODY_TITLE_MAX, &s, &len,
				     why, whylen);
			if (rc == 0)
				put(out ? out->title : NULL, s, len);
			have_title = true;
		} else {
			return unknown_key(T, k, klen, why, whylen);
		}
		if (rc != 0)
			return rc;
	}
	if (!have_due)
		return missing_key(T, "due", why, whylen);
	if (!have_parties)
		return missing_key(T, "parties", why, whylen);
	if (!have_title)
		return missing_key(T, "title", why, whylen);
	if (have_target && !have_ind)
		return fail(why, whylen,
			    "commitment: \"target\" without \"indicator\"");
	return 0;
}

/* ---- accept, decline, redact ---- */

/* kind: 0 accept {ref}, 1 decline {reason?, ref}, 2 redact {reason, ref} */
static int parse_ref(struct canon_rd *r, uint32_t n, int kind,
		     struct body_ref *out, char *why, size_t whylen)
{
	static const char *const types[] = { "accept", "decline", "redact" };
	const char *T = types[kind], *s;
	uint32_t len;
	bool have_ref = false, have_reason = false;
	int rc;

	for (uint32_t i = 0; i < n; i++) {
		const char *k;
		uint32_t klen;
		canon_rd_str(r, &k, &klen);
		if (kind != 0 && key_is(k, klen, "reason")) {
			/* decline: optional, so present means not empty */
			rc = rd_cstr(r, T, "reason", kind == 1 ? 1 : 0,
				     BODY_REASON_MAX, &s, &len, why, whylen);
			if (rc == 0)
				put(out ? out->text : NULL, s, len);
			have_reason = true;
		} else if (key_is(k, klen, "ref")) {
			rc = rd_ref32(r, T, "ref", out ? out->ref : NULL, why,
				      whylen);
			have_ref = true;
		} else {
			return unknown_key(T, k, klen, why, whylen);
		}
		if (rc != 0)
			return rc;
	}
	if (!have_ref)
		return missing_key(T, "ref", why, whylen);
	if (kind == 2 && !have_reason)
		return missing_key(T, "reason", why, whylen);
	return 0;
}

static int ref_kind(const char *type)
{
	if (type == NULL)
		return -1;
	if (strcmp(type, "accept") == 0)
		return 0;
	if (strcmp(type, "decline") == 0)
		return 1;
	if (strcmp(type, "redact") == 0)
		return 2;
	return -1;
}

/* ---- status ---- */

static const char *const states[] = { "in-progress", "fulfilled", "missed",
				      "withdrawn", NULL };

static int parse_status(struct canon_rd *r, uint32_t n, struct body_status *out,
			char *why, size_t whylen)
{
	static const char T[] = "status";
	const char *s;
	uint32_t len;
	bool have_ref = false, have_state = false;
	int rc, st;

	for (uint32_t i = 0; i < n; i++) {
		const char *k;
		uint32_t klen;
		canon_rd_str(r, &k, &klen);
		if (key_is(k, klen, "evidence")) {
			rc = rd_ref32(r, T, "evidence", out ? out->evidence : NULL,
				      why, whylen);
			if (out != NULL)
				out->has_evidence = true;
		} else if (key_is(k, klen, "note")) {
			rc = rd_cstr(r, T, "note", 1, BODY_TEXT_MAX, &s, &len,
				     why, whylen);
			if (rc == 0)
				put(out ? out->note : NULL, s, len);
		} else if (key_is(k, klen, "ref")) {
			rc = rd_ref32(r, T, "ref", out ? out->ref : NULL, why,
				      whylen);
			have_ref = true;
		} else if (key_is(k, klen, "state")) {
			rc = rd_enum(r, T, "state", states, &st, why, whylen);
			if (rc == 0 && out != NULL)
				strcpy(out->state, states[st]);
			have_state = true;
		} else {
			return unknown_key(T, k, klen, why, whylen);
		}
		if (rc != 0)
			return rc;
	}
	if (!have_ref)
		return missing_key(T, "ref", why, whylen);
	if (!have_state)
		return missing_key(T, "state", why, whylen);
	return 0;
}

/* ---- profile ---- */

static const char *const sectors[] = { "ngo", "public", "business", "other",
				       NULL };

/* HOST:PORT: HOST a name or IPv4 address ([A-Za-z0-9._-]+) or an IPv6
 * address in brackets ([0-9A-Fa-f:.]+ with a colon); PORT 1..65535 in
 * decimal without leading zeros. */
static bool addr_valid(const char *s, size_t len)
{
	size_t colon = len, plen, i;
	unsigned port = 0;

	if (len < 3 || len > BODY_ADDR_MAX)
		return false;
	for (i = len; i > 0; i--)
		if (s[i - 1] == ':') {
			colon = i - 1;
			break;
		}
	if (colon == len || colon == 0)
		return false;
	plen = len - colon - 1;
	if (plen < 1 || plen > 5 || s[colon + 1] == '0' ||
	    !digits(s + colon + 1, (int)plen, &port) || port > 65535)
		return false;
	if (s[0] == '[') {
		bool had_colon = false;
		if (colon < 3 || s[colon - 1] != ']')
			return false;
		for (i = 1; i < colon - 1; i++) {
			char c = s[i];
			if (c == ':')
				had_colon = true;
			else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
				   (c >= 'A' && c <= 'F') || c == '.'))
				return false;
		}
		return had_colon;
	}
	for (i = 0; i < colon; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '_'))
			return false;
	}
	return true;
}

static int parse_profile(struct canon_rd *r, uint32_t n,
			 struct body_profile *out, char *why, size_t whylen)
{
	static const char T[] = "profile";
	char shown[36];
	const char *s;
	uint32_t len, cnt;
	bool have_name = false, have_sector = false;
	int rc, sec;

	for (uint32_t i = 0; i < n; i++) {
		const char *k;
		uint32_t klen;
		canon_rd_str(r, &k, &klen);
		rc = 0;
		if (key_is(k, klen, "addresses")) {
			if (canon_rd_array(r, &cnt) != 0)
				return fail(why, whylen,
					    "profile: \"addresses\" is not an array");
			if (cnt < 1 || cnt > BODY_ADDRS_MAX)
				return fail(why, whylen,
					    "profile: \"addresses\" must list 1 to %d addresses (or be left out)",
					    BODY_ADDRS_MAX);
			for (uint32_t j = 0; j < cnt; j++) {
				if (canon_rd_str(r, &s, &len) != 0)
					return fail(why, whylen,
						    "profile: an address is not a string");
				if (!addr_valid(s, len)) {
					printable(shown, s, len);
					return fail(why, whylen,
						    "profile: address \"%s\" is not HOST:PORT",
						    shown);
				}
				if (out != NULL)
					put(out->addrs[j], s, len);
			}
			if (out != NULL)
				out->n_addrs = cnt;
		} else if (key_is(k, klen, "contact")) {
			rc = rd_cstr(r, T, "contact", 1, BODY_CONTACT_MAX, &s,
				     &len, why, whylen);
			if (rc == 0)
				put(out ? out->contact : NULL, s, len);
		} else if (key_is(k, klen, "name")) {
			rc = rd_cstr(r, T, "name", 1, BODY_NAME_MAX, &s, &len,
				     why, whylen);
			if (rc == 0)
				put(out ? out->name : NULL, s, len);
			have_name = true;
		} else if (key_is(k, klen, "sector")) {
			rc = rd_enum(r, T, "sector", sectors, &sec, why, whylen);
			if (rc == 0 && out != NULL)
				strcpy(out->sector, sectors[sec]);
			have_sector = true;
		} else {
			return unknown_key(T, k, klen, why, whylen);
		}
		if (rc != 0)
			return rc;
	}
	if (!have_name)
		return missing_key(T, "name", why, whylen);
	if (!have_sector)
		return missing_key(T, "sector", why, whylen);
	return 0;
}

/* ---- checkpoint ---- */

/* {heads: [[author, seq, hash] ...]}; heads[cap] may be NULL (count only). */
static int parse_checkpoint(struct canon_rd *r, uint32_t n,
			    struct body_head *heads, size_t cap, size_t *count,
			    char *why, size_t whylen)
{
	const uint8_t *authors[BODY_HEADS_MAX], *hash;
	uint32_t cnt, m;
	uint64_t seq;
	bool have = false;

	for (uint32_t i = 0; i < n; i++) {
		const char *k;
		uint32_t klen;
		canon_rd_str(r, &k, &klen);
		if (!key_is(k, klen, "heads"))
			return unknown_key("checkpoint", k, klen, why, whylen);
		if (canon_rd_array(r, &cnt) != 0)
			return fail(why, whylen,
				    "checkpoint: \"heads\" is not an array");
		if (cnt > BODY_HEADS_MAX)
			return fail(why, whylen,
				    "checkpoint: \"heads\" lists more than %d feeds",
				    BODY_HEADS_MAX);
		if (heads != NULL && cnt > cap)
			return PAKT_ETOOBIG;
		for (uint32_t j = 0; j < cnt; j++) {
			if (canon_rd_array(r, &m) != 0 || m != 3 ||
			    rd_bin32(r, &authors[j], "author", why, whylen) != 0 ||
			    canon_rd_uint(r, &seq) != 0 ||
			    rd_bin32(r, &hash, "hash", why, whylen) != 0)
				return fail(why, whylen,
					    "checkpoint: a head is not [author bin32, seq uint, hash bin32]");
			if (seq < 1 || seq > ENTRY_SEQ_MAX)
				return fail(why, whylen,
					    "checkpoint: a head has seq %llu (not 1..2^53)",
					    (unsigned long long)seq);
			for (uint32_t a = 0; a < j; a++)
				if (memcmp(authors[a], authors[j], 32) == 0)
					return fail(why, whylen,
						    "checkpoint: an author has two heads");
			if (heads != NULL) {
				memcpy(heads[j].author, authors[j], 32);
				heads[j].seq = seq;
				memcpy(heads[j].hash, hash, 32);
			}
		}
		if (count != NULL)
			*count = cnt;
		have = true;
	}
	if (!have)
		return missing_key("checkpoint", "heads", why, whylen);
	return 0;
}

/* ---- sealed ---- */

#define SEAL_BOX_BYTES (crypto_box_SEALBYTES + crypto_secretbox_KEYBYTES)

struct sealed_view {
	const uint8_t *boxes[BODY_BOXES_MAX];
	uint32_t n_boxes;
	const uint8_t *ct, *nonce;
	uint32_t ct_len;
};

/* {boxes: [bin80 ...], ct: bin, nonce: bin24}; v may be NULL. */
static int parse_sealed(struct canon_rd *r, uint32_t n, struct sealed_view *v,
			char *why, size_t whylen)
{
	struct sealed_view tmp;
	const uint8_t *p;
	uint32_t len, cnt;
	bool have[3] = { false };
	static const char *const req[] = { "boxes", "ct", "nonce" };

	if (v == NULL)
		v = &tmp;
	for (uint32_t i = 0; i < n; i++) {
		const char *k;
		uint32_t klen;
		canon_rd_str(r, &k, &klen);
		if (key_is(k, klen, "boxes")) {
			if (canon_rd_array(r, &cnt) != 0)
				return fail(why, whylen,
					    "sealed: \"boxes\" is not an array");
			if (cnt < 1 || cnt > BODY_BOXES_MAX)
				return fail(why, whylen,
					    "sealed: \"boxes\" must hold 1 to %d boxes",
					    BODY_BOXES_MAX);
			for (uint32_t j = 0; j < cnt; j++) {
				if (canon_rd_bin(r, &p, &len) != 0 ||
				    len != SEAL_BOX_BYTES)
					return fail(why, whylen,
						    "sealed: a box is not %d bytes of bin",
						    (int)SEAL_BOX_BYTES);
				v->boxes[j] = p;
			}
			v->n_boxes = cnt;
			have[0] = true;
		} else if (key_is(k, klen, "ct")) {
			if (canon_rd_bin(r, &p, &len) != 0)
				return fail(why, whylen, "sealed: \"ct\" is not bin");
			if (len < crypto_secretbox_MACBYTES || len > BODY_SEALED_MAX)
				return fail(why, whylen,
					    "sealed: \"ct\" must be %d to %d bytes",
					    (int)crypto_secretbox_MACBYTES,
					    BODY_SEALED_MAX);
			v->ct = p;
			v->ct_len = len;
			have[1] = true;
		} else if (key_is(k, klen, "nonce")) {
			if (canon_rd_bin(r, &p, &len) != 0 ||
			    len != crypto_secretbox_NONCEBYTES)
				return fail(why, whylen,
					    "sealed: \"nonce\" is not %d bytes of bin",
					    (int)crypto_secretbox_NONCEBYTES);
			v->nonce = p;
			have[2] = true;
		} else {
			return unknown_key("sealed", k, klen, why, whylen);
		}
	}
	for (int i = 0; i < 3; i++)
		if (!have[i])
			return missing_key("sealed", req[i], why, whylen);
	return 0;
}

/* ---- parsers: canonical map, then the schema ---- */

/* Check canonical form and open the map; 0 or PAKT_EBODY. */
static int open_body(struct canon_rd *r, const uint8_t *b, size_t len,
		     uint32_t *n)
{
	if (b == NULL || len > ENTRY_BODY_MAX ||
	    canon_check(b, len, CANON_MAX_DEPTH) != 0)
		return PAKT_EBODY;
	canon_rd_init(r, b, len);
	return canon_rd_map(r, n) == 0 ? 0 : PAKT_EBODY;
}

int body_agenda_parse(const uint8_t *b, size_t len, struct body_agenda *out)
{
	struct canon_rd r;
	uint32_t n;
	if (out == NULL || open_body(&r, b, len, &n) != 0)
		return PAKT_EBODY;
	memset(out, 0, sizeof *out);
	return parse_agenda(&r, n, out, NULL, 0);
}

int body_update_parse(const uint8_t *b, size_t len, struct body_update *out)
{
	struct canon_rd r;
	uint32_t n;
	if (out == NULL || open_body(&r, b, len, &n) != 0)
		return PAKT_EBODY;
	memset(out, 0, sizeof *out);
	return parse_update(&r, n, out, NULL, 0);
}

int body_commitment_parse(const uint8_t *b, size_t len,
			  struct body_commitment *out)
{
	struct canon_rd r;
	uint32_t n;
	if (out == NULL || open_body(&r, b, len, &n) != 0)
		return PAKT_EBODY;
	memset(out, 0, sizeof *out);
	return parse_commitment(&r, n, out, NULL, 0);
}

int body_ref_parse(const char *type, const uint8_t *b, size_t len,
		   struct body_ref *out)
{
	struct canon_rd r;
	uint32_t n;
	int kind = ref_kind(type);
	if (kind < 0 || out == NULL || open_body(&r, b, len, &n) != 0)
		return PAKT_EBODY;
	memset(out, 0, sizeof *out);
	return parse_ref(&r, n, kind, out, NULL, 0);
}

int body_status_parse(const uint8_t *b, size_t len, struct body_status *out)
{
	struct canon_rd r;
	uint32_t n;
	if (out == NULL || open_body(&r, b, len, &n) != 0)
		return PAKT_EBODY;
	memset(out, 0, sizeof *out);
	return parse_status(&r, n, out, NULL, 0);
}

int body_profile_parse(const uint8_t *b, size_t len, struct body_profile *out)
{
	struct canon_rd r;
	uint32_t n;
	if (out == NULL || open_body(&r, b, len, &n) != 0)
		return PAKT_EBODY;
	memset(out, 0, sizeof *out);
	return parse_profile(&r, n, out, NULL, 0);
}

int body_checkpoint_parse(const uint8_t *b, size_t len, struct body_head *heads,
			  size_t cap, size_t *n)
{
	struct canon_rd r;
	uint32_t nk;
	size_t cnt = 0;
	int rc;
	if ((heads == NULL && cap > 0) || open_body(&r, b, len, &nk) != 0)
		return PAKT_EBODY;
	/* heads NULL with cap 0: count only */
	rc = parse_checkpoint(&r, nk, heads, cap, &cnt, NULL, 0);
	if (rc == 0 && n != NULL)
		*n = cnt;
	return rc;
}

/* ---- builders ---- */

static int chk_indicator(const struct body_indicator *ind)
{
	int rc;
	if ((rc = chk_id(ind->id, sizeof ind->id)) != 0 ||
	    (rc = chk_str(ind->name, sizeof ind->name, 1, BODY_NAME_MAX)) != 0 ||
	    (rc = chk_str(ind->unit, sizeof ind->unit, 0, BODY_UNIT_MAX)) != 0)
		return rc;
	if (ind->has_target && !isfinite(ind->target))
		return PAKT_EINVAL;
	return 0;
}

int body_agenda(struct mpx_out *o, const struct body_agenda *a)
{
	size_t start;
	int rc;

	if (o == NULL || a == NULL || a->n < 1)
		return PAKT_EINVAL;
	if (a->n > BODY_INDICATORS_MAX)
		return PAKT_ETOOBIG;
	if ((rc = chk_str(a->goal, sizeof a->goal, 0, BODY_TEXT_MAX)) != 0)
		return rc;
	for (size_t i = 0; i < a->n; i++) {
		if ((rc = chk_indicator(&a->ind[i])) != 0)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (strcmp(a->ind[i].id, a->ind[j].id) == 0)
				return PAKT_EINVAL;
	}
	start = o->sb.size;
	/* "goal" < "indicators"; direction < id < name < target < unit */
	msgpack_pack_map(&o->pk, 2);
	mpx_kv_str(&o->pk, "goal", a->goal);
	mpx_str(&o->pk, "indicators");
	msgpack_pack_array(&o->pk, a->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct body_indicator *ind = &a->ind[i];
		msgpack_pack_map(&o->pk, ind->has_target ? 5 : 4);
		mpx_kv_str(&o->pk, "direction", ind->down ? "down" : "up");
		mpx_kv_str(&o->pk, "id", ind->id);
		mpx_kv_str(&o->pk, "name", ind->name);
		if (ind->has_target)
			pk_double(&o->pk, "target", ind->target);
		mpx_kv_str(&o->pk, "unit", ind->unit);
	}
	return chk_size(o, start);
}

int body_update(struct mpx_out *o, const struct body_update *u)
{
	size_t start;
	int rc;

	if (o == NULL || u == NULL)
		return PAKT_EINVAL;
	if (u->n > BODY_INDICATORS_MAX)
		return PAKT_ETOOBIG;
	if (strnlen(u->period, sizeof u->period) == sizeof u->period)
		return PAKT_ETOOBIG;
	if (body_period_parse(u->period, NULL, NULL) != 0)
		return PAKT_EINVAL;
	if ((rc = chk_str(u->text, sizeof u->text, 0, BODY_TEXT_MAX)) != 0)
		return rc;
	for (size_t i = 0; i < u->n; i++) {
		if ((rc = chk_id(u->v[i].indicator, sizeof u->v[i].indicator)) != 0)
			return rc;
		if (!isfinite(u->v[i].value))
			return PAKT_EINVAL;
		for (size_t j = 0; j < i; j++)
			if (strcmp(u->v[i].indicator, u->v[j].indicator) == 0)
				return PAKT_EINVAL;
	}
	start = o->sb.size;
	/* period < text < values; indicator < value */
	msgpack_pack_map(&o->pk, 3);
	mpx_kv_str(&o->pk, "period", u->period);
	mpx_kv_str(&o->pk, "text", u->text);
	mpx_str(&o->pk, "values");
	msgpack_pack_array(&o->pk, u->n);
	for (size_t i = 0; i < u->n; i++) {
		msgpack_pack_map(&o->pk, 2);
		mpx_kv_str(&o->pk, "indicator", u->v[i].indicator);
		pk_double(&o->pk, "value", u->v[i].value);
	}
	return chk_size(o, start);
}

int body_commitment(struct mpx_out *o, const struct body_commitment *c)
{
	bool has_desc, has_ind;
	size_t start;
	int rc;

	if (o == NULL || c == NULL || c->n_parties < 1)
		return PAKT_EINVAL;
	if (c->n_parties > BODY_PARTIES_MAX)
		return PAKT_ETOOBIG;
	if ((rc = chk_str(c->title, sizeof c->title, 1, BODY_TITLE_MAX)) != 0 ||
	    (rc = chk_str(c->description, sizeof c->description, 0,
			  BODY_TEXT_MAX)) != 0)
		return rc;
	if (strnlen(c->due, sizeof c->due) == sizeof c->due)
		return PAKT_ETOOBIG;
	if (body_date_parse(c->due, NULL) != 0)
		return PAKT_EINVAL;
	has_desc = c->description[0] != '\0';
	has_ind = c->indicator[0] != '\0';
	if (has_ind && (rc = chk_id(c->indicator, sizeof c->indicator)) != 0)
		return rc;
	if (c->has_target && (!has_ind || !isfinite(c->target)))
		return PAKT_EINVAL;
	for (size_t i = 0; i < c->n_parties; i++)
		for (size_t j = 0; j < i; j++)
			if (memcmp(c->parties[i], c->parties[j], 32) == 0)
				return PAKT_EINVAL;
	start = o->sb.size;
	/* description < due < indicator < parties < target < title */
	msgpack_pack_map(&o->pk, 3 + has_desc + has_ind + c->has_target);
	if (has_desc)
		mpx_kv_str(&o->pk, "description", c->description);
	mpx_kv_str(&o->pk, "due", c->due);
	if (has_ind)
		mpx_kv_str(&o->pk, "indicator", c->indicator);
	mpx_str(&o->pk, "parties");
	msgpack_pack_array(&o->pk, c->n_parties);
	for (size_t i = 0; i < c->n_parties; i++)
		mpx_bin(&o->pk, c->parties[i], 32);
	if (c->has_target)
		pk_double(&o->pk, "target", c->target);
	mpx_kv_str(&o->pk, "title", c->title);
	return chk_size(o, start);
}

int body_ref(struct mpx_out *o, const char *type, const struct body_ref *r)
{
	int kind = ref_kind(type), rc;
	bool has_reason;

	if (o == NULL || r == NULL || kind < 0)
		return PAKT_EINVAL;
	if ((rc = chk_str(r->text, sizeof r->text, 0, BODY_REASON_MAX)) != 0)
		return rc;
	/* accept has no reason; decline's is optional; redact's required */
	if (kind == 0 && r->text[0] != '\0')
		return PAKT_EINVAL;
	has_reason = kind == 2 || r->text[0] != '\0';
	/* "reason" < "ref" */
	msgpack_pack_map(&o->pk, has_reason ? 2 : 1);
	if (has_reason)
		mpx_kv_str(&o->pk, "reason", r->text);
	mpx_kv_bin(&o->pk, "ref", r->ref, 32);
	return 0;
}

int body_status(struct mpx_out *o, const struct body_status *st)
{
	bool has_note;
	int rc, i;

	if (o == NULL || st == NULL)
		return PAKT_EINVAL;
	for (i = 0; states[i] != NULL; i++)
		if (strncmp(st->state, states[i], sizeof st->state) == 0)
			break;
	if (states[i] == NULL)
		return PAKT_EINVAL;
	if ((rc = chk_str(st->note, sizeof st->note, 0, BODY_TEXT_MAX)) != 0)
		return rc;
	has_note = st->note[0] != '\0';
	/* evidence < note < ref < state */
	msgpack_pack_map(&o->pk, 2 + has_note + st->has_evidence);
	if (st->has_evidence)
		mpx_kv_bin(&o->pk, "evidence", st->evidence, 32);
	if (has_note)
		mpx_kv_str(&o->pk, "note", st->note);
	mpx_kv_bin(&o->pk, "ref", st->ref, 32);
	mpx_kv_str(&o->pk, "state", states[i]);
	return 0;
}

int body_profile(struct mpx_out *o, const struct body_profile *p)
{
	bool has_contact;
	int rc, i;

	if (o == NULL || p == NULL)
		return PAKT_EINVAL;
	for (i = 0; sectors[i] != NULL; i++)
		if (strncmp(p->sector, sectors[i], sizeof p->sector) == 0)
			break;
	if (sectors[i] == NULL)
		return PAKT_EINVAL;
	if ((rc = chk_str(p->name, sizeof p->name, 1, BODY_NAME_MAX)) != 0 ||
	    (rc = chk_str(p->contact, sizeof p->contact, 0,
			  BODY_CONTACT_MAX)) != 0)
		return rc;
	if (p->n_addrs > BODY_ADDRS_MAX)
		return PAKT_ETOOBIG;
	for (size_t j = 0; j < p->n_addrs; j++) {
		size_t len = strnlen(p->addrs[j], sizeof p->addrs[j]);
		if (len == sizeof p->addrs[j])
			return PAKT_ETOOBIG;
		if (!addr_valid(p->addrs[j], len))
			return PAKT_EINVAL;
	}
	has_contact = p->contact[0] != '\0';
	/* addresses < contact < name < sector */
	msgpack_pack_map(&o->pk, 2 + has_contact + (p->n_addrs > 0));
	if (p->n_addrs > 0) {
		mpx_str(&o->pk, "addresses");
		msgpack_pack_array(&o->pk, p->n_addrs);
		for (size_t j = 0; j < p->n_addrs; j++)
			mpx_str(&o->pk, p->addrs[j]);
	}
	if (has_contact)
		mpx_kv_str(&o->pk, "contact", p->contact);
	mpx_kv_str(&o->pk, "name", p->name);
	mpx_kv_str(&o->pk, "sector", sectors[i]);
	return 0;
}

int body_checkpoint(struct mpx_out *o, const struct body_head *heads, size_t n)
{
	size_t start;

	if (o == NULL || (heads == NULL && n > 0))
		return PAKT_EINVAL;
	if (n > BODY_HEADS_MAX)
		return PAKT_ETOOBIG;
	for (size_t i = 0; i < n; i++) {
		if (heads[i].seq < 1 || heads[i].seq > ENTRY_SEQ_MAX)
			return PAKT_EINVAL;
		for (size_t j = 0; j < i; j++)
			if (memcmp(heads[i].author, heads[j].author, 32) == 0)
				return PAKT_EINVAL;
	}
	start = o->sb.size;
	msgpack_pack_map(&o->pk, 1);
	mpx_str(&o->pk, "heads");
	msgpack_pack_array(&o->pk, n);
	for (size_t i = 0; i < n; i++) {
		msgpack_pack_array(&o->pk, 3);
		mpx_bin(&o->pk, heads[i].author, 32);
		msgpack_pack_uint64(&o->pk, heads[i].seq);
		mpx_bin(&o->pk, heads[i].hash, 32);
	}
	return chk_size(o, start);
}

/* ---- sealed ---- */

int body_seal(struct mpx_out *o, const char *text, const uint8_t *reply_to,
	      const uint8_t (*recipients)[32], size_t n)
{
	uint8_t key[crypto_secretbox_KEYBYTES];
	uint8_t nonce[crypto_secretbox_NONCEBYTES];
	uint8_t boxes[BODY_BOXES_MAX][SEAL_BOX_BYTES];
	uint8_t *ct;
	struct mpx_out in;
	size_t ct_len;
	int rc;

	if (o == NULL || text == NULL || recipients == NULL || n < 1)
		return PAKT_EINVAL;
	if (n > BODY_BOXES_MAX)
		return PAKT_ETOOBIG;
	/* the inner map is a message body: {reply_to?, text} */
	mpx_init(&in);
	if ((rc = body_message(&in, text, reply_to)) != 0) {
		mpx_free(&in);
		return rc;
	}
	ct_len = in.sb.size + crypto_secretbox_MACBYTES;
	if (ct_len > BODY_SEALED_MAX) {         /* cannot happen at 8192 */
		sodium_memzero(in.sb.data, in.sb.size);
		mpx_free(&in);
		return PAKT_ETOOBIG;
	}
	crypto_secretbox_keygen(key);
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (crypto_box_seal(boxes[i], key, sizeof key, recipients[i]) != 0)
			rc = PAKT_EINVAL;       /* a low-order public key */
	ct = rc == 0 ? malloc(ct_len) : NULL;
	if (rc == 0 && ct == NULL)
		rc = PAKT_ENOMEM;
	if (rc == 0) {
		randombytes_buf(nonce, sizeof nonce);
		crypto_secretbox_easy(ct, (const uint8_t *)in.sb.data,
				      in.sb.size, nonce, key);
	}
	sodium_memzero(key, sizeof key);
	sodium_memzero(in.sb.data, in.sb.size);
	mpx_free(&in);
	if (rc != 0)
		return rc;
	/* boxes < ct < nonce */
	msgpack_pack_map(&o->pk, 3);
	mpx_str(&o->pk, "boxes");
	msgpack_pack_array(&o->pk, n);
	for (size_t i = 0; i < n; i++)
		mpx_bin(&o->pk, boxes[i], SEAL_BOX_BYTES);
	mpx_kv_bin(&o->pk, "ct", ct, ct_len);
	mpx_kv_bin(&o->pk, "nonce", nonce, sizeof nonce);
	free(ct);
	return 0;
}

/* The decrypted inner map: canonical {reply_to?: bin32, text: str}. */
static int parse_inner(const uint8_t *pt, size_t len, char *text, size_t cap,
		       uint8_t reply_to[32], bool *has_reply)
{
	struct canon_rd r;
	const uint8_t *p;
	const char *s;
	uint32_t n, slen;
	bool have_text = false, have_reply = false;

	if (open_body(&r, pt, len, &n) != 0)
		return PAKT_EBODY;
	for (uint32_t i = 0; i < n; i++) {
		const char *k;
		uint32_t klen;
		canon_rd_str(&r, &k, &klen);
		if (key_is(k, klen, "reply_to")) {
			if (rd_bin32(&r, &p, "reply_to", NULL, 0) != 0)
				return PAKT_EBODY;
			if (reply_to != NULL)
				memcpy(reply_to, p, 32);
			have_reply = true;
		} else if (key_is(k, klen, "text")) {
			if (rd_cstr(&r, "sealed", "text", 0, BODY_TEXT_MAX, &s,
				    &slen, NULL, 0) != 0)
				return PAKT_EBODY;
			if (slen >= cap)
				return PAKT_ETOOBIG;
			put(text, s, slen);
			have_text = true;
		} else {
			return PAKT_EBODY;
		}
	}
	if (!have_text)
		return PAKT_EBODY;
	if (has_reply != NULL)
		*has_reply = have_reply;
	return 0;
}

int body_unseal(const uint8_t *b, size_t len, const uint8_t x_pk[32],
		const uint8_t x_sk[32], char *text, size_t cap,
		uint8_t reply_to[32], bool *has_reply)
{
	struct sealed_view v;
	struct canon_rd r;
	uint8_t key[crypto_secretbox_KEYBYTES];
	uint8_t pt[BODY_SEALED_MAX];
	size_t pt_len;
	uint32_t n;
	bool found = false;
	int rc;

	if (x_pk == NULL || x_sk == NULL || text == NULL || cap == 0)
		return PAKT_EINVAL;
	if (open_body(&r, b, len, &n) != 0 || parse_sealed(&r, n, &v, NULL, 0) != 0)
		return PAKT_EBODY;
	for (uint32_t i = 0; i < v.n_boxes && !found; i++)
		found = crypto_box_seal_open(key, v.boxes[i], SEAL_BOX_BYTES,
					     x_pk, x_sk) == 0;
	if (!found) {
		sodium_memzero(key, sizeof key);
		return PAKT_ENOTFOUND;
	}
	pt_len = v.ct_len - crypto_secretbox_MACBYTES;
	rc = crypto_secretbox_open_easy(pt, v.ct, v.ct_len, v.nonce, key) == 0
	     ? parse_inner(pt, pt_len, text, cap, reply_to, has_reply)
	     : PAKT_EBODY;
	sodium_memzero(key, sizeof key);
	sodium_memzero(pt, pt_len);
	if (rc != 0)
		text[0] = '\0';
	return rc;
}

int body_validate(const char *type, const uint8_t *body, size_t len,
		  char *why, size_t whylen)
{
	struct canon_rd r;
	uint32_t n;
	int rc;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (type == NULL || body == NULL)
		return fail(why, whylen, "no body");
	if (len > ENTRY_BODY_MAX)
		return fail(why, whylen, "body is larger than %d bytes",
			    ENTRY_BODY_MAX);
	if ((rc = canon_check(body, len, CANON_MAX_DEPTH)) != 0)
		return fail(why, whylen, "body: %s", pakt_strerror(rc));
	canon_rd_init(&r, body, len);
	if (canon_rd_map(&r, &n) != 0)
		return fail(why, whylen, "body is not a map");
	if (strcmp(type, "message") == 0)
		return validate_message(&r, n, why, whylen);
	if (strcmp(type, "genesis") == 0)
		return validate_genesis(&r, n, why, whylen);
	if (strcmp(type, "member") == 0)
		return parse_member(&r, n, NULL, why, whylen);
	if (strcmp(type, "agenda") == 0)
		return parse_agenda(&r, n, NULL, why, whylen);
	if (strcmp(type, "update") == 0)
		return parse_update(&r, n, NULL, why, whylen);
	if (strcmp(type, "commitment") == 0)
		return parse_commitment(&r, n, NULL, why, whylen);
	if (ref_kind(type) >= 0)
		return parse_ref(&r, n, ref_kind(type), NULL, why, whylen);
	if (strcmp(type, "status") == 0)
		return parse_status(&r, n, NULL, why, whylen);
	if (strcmp(type, "profile") == 0)
		return parse_profile(&r, n, NULL, why, whylen);
	if (strcmp(type, "checkpoint") == 0)
		return parse_checkpoint(&r, n, NULL, 0, NULL, why, whylen);
	if (strcmp(type, "sealed") == 0)
		return parse_sealed(&r, n, NULL, why, whylen);
	return 0;   /* unknown types: any canonical map, for newer peers */
}
