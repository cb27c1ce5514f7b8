/* Entry bodies: builders and schema checks per entry type.
 *
 * The map schemas of the collective-impact bodies are tables of fields
 * (struct field) read by one key walker (walk()); the builders share the
 * checks of strings, ids, fixed fields and repeated keys. */
#include "proto/body.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "proto/canon.h"
#include "proto/entry.h"
#include "proto/err.h"

/* True when item i of an array at base (stride bytes apart) repeats an
 * earlier one: its first size bytes, or its C string when size is 0. */
static bool earlier(const void *base, size_t i, size_t stride, size_t size)
{
	const char *b = base, *x = b + i * stride;
	for (size_t j = 0; j < i; j++)
		if (size > 0 ? memcmp(x, b + j * stride, size) == 0
			     : strcmp(x, b + j * stride) == 0)
			return true;
	return false;
}

/* Append "key": [n bins of size bytes each, contiguous at base]. */
static void pk_bins(msgpack_packer *pk, const char *key, const void *base,
		    size_t n, size_t size)
{
	mpx_str(pk, key);
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < n; i++)
		mpx_bin(pk, (const uint8_t *)base + i * size, size);
}

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
		if (earlier(admins, i, 32, 32))
			return PAKT_EINVAL;
	/* "admins" < "goal" < "name" */
	msgpack_pack_map(&o->pk, 3);
	pk_bins(&o->pk, "admins", admins, n_admins, 32);
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

int body_member_remove(struct mpx_out *o, const uint8_t key[32], const char *name, bool admin,
		       uint64_t seq)
{
	size_t len = name ? strlen(name) : 0;

	if (key == NULL || len > BODY_NAME_MAX || !canon_utf8_valid(name ? name : "", len) ||
	    seq > ENTRY_SEQ_MAX)
		return PAKT_EINVAL;
	msgpack_pack_map(&o->pk, 5);
	mpx_kv_str(&o->pk, "action", "remove");
	mpx_kv_bin(&o->pk, "key", key, 32);
	mpx_kv_str(&o->pk, "name", name ? name : "");
	mpx_kv_str(&o->pk, "role", admin ? "admin" : "member");
	mpx_kv_u64(&o->pk, "seq", seq);
	return 0;
}

/* ---- reading values, with the reason of a failure ---- */

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

/* Reasons name the body type first ("agenda: ..."), except those of the
 * older message and genesis checks: type NULL. */
#define PREFIX(type) (type) ? (type) : "", (type) ? ": " : ""

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

/* Schemas with a fixed set of keys: the next key must be name. */
static int expect_key(struct canon_rd *r, const char *type, const char *name,
		      char *why, size_t whylen)
{
	const char *k;
	uint32_t klen;
	char shown[36];

	canon_rd_str(r, &k, &klen);     /* canonical: keys are str */
	if (key_is(k, klen, name))
		return 0;
	printable(shown, k, klen);
	return fail(why, whylen, "%s: unexpected key \"%s\"", type, shown);
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

/* A bin value of min..max bytes. */
static int rd_bin(struct canon_rd *r, const char *type, const char *key,
		  size_t min, size_t max, const uint8_t **p, uint32_t *len,
		  char *why, size_t whylen)
{
	bool bin = canon_rd_bin(r, p, len) == 0;
	if (min == max && (!bin || *len != min))
		return fail(why, whylen, "%s%s\"%s\" is not %zu bytes of bin",
			    PREFIX(type), key, min);
	if (!bin)
		return fail(why, whylen, "%s%s\"%s\" is not bin", PREFIX(type),
			    key);
	if (*len < min || *len > max)
		return fail(why, whylen, "%s%s\"%s\" must be %zu to %zu bytes",
			    PREFIX(type), key, min, max);
	return 0;
}

static int rd_bin32(struct canon_rd *r, const uint8_t **p, const char *key,
		    char *why, size_t whylen)
{
	uint32_t len;
	return rd_bin(r, NULL, key, 32, 32, p, &len, why, whylen);
}

/* An array of min..max items; range is the reason (with a %d for max)
 * when the count is outside. */
static int rd_array(struct canon_rd *r, const char *type, const char *key,
		    uint32_t min, uint32_t max, const char *range,
		    uint32_t *cnt, char *why, size_t whylen)
{
	if (canon_rd_array(r, cnt) != 0)
		return fail(why, whylen, "%s%s\"%s\" is not an array",
			    PREFIX(type), key);
	if (*cnt < min || *cnt > max)
		return fail(why, whylen, range, (int)max);
	return 0;
}

/* Item j of p[] repeats an earlier 32-byte key. */
static bool seen32(const uint8_t *const *p, uint32_t j)
{
	for (uint32_t m = 0; m < j; m++)
		if (memcmp(p[m], p[j], 32) == 0)
			return true;
	return false;
}

#define KEYS_MAX (BODY_ADMINS_MAX > BODY_PARTIES_MAX ? BODY_ADMINS_MAX \
						     : BODY_PARTIES_MAX)

/* An array of 1..max (at most KEYS_MAX) distinct bin32 keys, into p[];
 * item is the reason when one is not 32 bytes of bin. */
static int rd_keys(struct canon_rd *r, const char *type, const char *key,
		   uint32_t max, const char *range, const char *item,
		   const uint8_t **p, uint32_t *cnt, char *why, size_t whylen)
{
	uint32_t len;
	int rc = rd_array(r, type, key, 1, max, range, cnt, why, whylen);

	for (uint32_t j = 0; rc == 0 && j < *cnt; j++) {
		if (canon_rd_bin(r, &p[j], &len) != 0 || len != 32)
			return fail(why, whylen, "%s", item);
		if (seen32(p, j))
			return fail(why, whylen, "%s%s\"%s\" lists a key twice",
				    PREFIX(type), key);
	}
	return rc;
}

/* ---- message, genesis, member ---- */

static int validate_message(struct canon_rd *r, uint32_t n, char *why,
			    size_t whylen)
{
	bool have_text = false;
	const uint8_t *p;
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
			return unknown_key("message", k, klen, why, whylen);
		}
		if (rc != 0)
			return rc;
	}
	if (!have_text)
		return missing_key("message", "text", why, whylen);
	return 0;
}

static int validate_genesis(struct canon_rd *r, uint32_t n, char *why,
			    size_t whylen)
{
	/* canonical order is alphabetical, so the three keys come in order */
	const uint8_t *admins[KEYS_MAX];
	uint32_t cnt;
	int rc;

	if (n != 3)
		return fail(why, whylen,
			    "genesis: needs exactly \"admins\", \"goal\", \"name\"");
	if ((rc = expect_key(r, "genesis", "admins", why, whylen)) != 0 ||
	    (rc = rd_keys(r, NULL, "admins", BODY_ADMINS_MAX,
			  "\"admins\" must list 1 to %d keys",
			  "\"admins[]\" is not 32 bytes of bin", admins, &cnt,
			  why, whylen)) != 0 ||
	    (rc = expect_key(r, "genesis", "goal", why, whylen)) != 0 ||
	    (rc = rd_text(r, "goal", 0, BODY_TEXT_MAX, why, whylen)) != 0 ||
	    (rc = expect_key(r, "genesis", "name", why, whylen)) != 0)
		return rc;
	return rd_text(r, "name", 1, BODY_NAME_MAX, why, whylen);
}

/* member: {"action": "add"|"remove", "key": bin32, "name": str, "role":
 * "admin"|"member", "seq"?: uint (remove only)}; out may be NULL. */
static int parse_member(struct canon_rd *r, uint32_t n, struct body_member *out,
			char *why, size_t whylen)
{
	static const char *const keys[] = { "action", "key", "name", "role", "seq" };
	struct body_member m = {0};
	const char *s;
	const uint8_t *key;
	uint32_t len;
	int rc;

	if (n != 4 && n != 5)
		return fail(why, whylen, "member: needs exactly \"action\", \"key\", \"name\", \"role\" (and \"seq\" in a removal)");
	for (uint32_t i = 0; i < 4; i++) {
		if ((rc = expect_key(r, "member", keys[i], why, whylen)) != 0)
			return rc;
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
	if (n == 5) {
		if ((rc = expect_key(r, "member", "seq", why, whylen)) != 0)
			return rc;
		if (m.add || canon_rd_uint(r, &m.seq) != 0 || m.seq > ENTRY_SEQ_MAX)
			return fail(why, whylen, "member: \"seq\" is not a seq (only a removal has one)");
		m.has_seq = true;
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

/* ---- collective impact: values ---- */

/* Copy s[len] with a NUL into dst (large enough) when dst is not NULL. */
static void put(char *dst, const char *s, uint32_t len)
{
	if (dst != NULL) {
		memcpy(dst, s, len);
		dst[len] = '\0';
	}
}

/* A str value that is not one; 0 when it is a str. */
static int rd_str(struct canon_rd *r, const char *type, const char *key,
		  const char **s, uint32_t *len, char *why, size_t whylen)
{
	if (canon_rd_str(r, s, len) != 0)
		return fail(why, whylen, "%s: \"%s\" is not a string", type, key);
	return 0;
}

/* A str value of min..max bytes without NUL bytes (it becomes a C string). */
static int rd_cstr(struct canon_rd *r, const char *type, const char *key,
		   size_t min, size_t max, const char **s, uint32_t *len,
		   char *why, size_t whylen)
{
	int rc = rd_str(r, type, key, s, len, why, whylen);
	if (rc != 0)
		return rc;
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

#define XSTR(x) STR_(x)
#define STR_(x) #x

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

/* 0 when ok, else the reason "TYPE: "KEY" "VALUE" is not WHAT". */
static int not_a(bool ok, const char *type, const char *key, const char *s,
		 uint32_t len, const char *what, char *why, size_t whylen)
{
	char shown[36];
	if (ok)
		return 0;
	printable(shown, s, len);
	return fail(why, whylen, "%s: \"%s\" \"%s\" is not %s", type, key,
		    shown, what);
}

static int rd_id(struct canon_rd *r, const char *type, const char *key,
		 const char **s, uint32_t *len, char *why, size_t whylen)
{
	int rc = rd_str(r, type, key, s, len, why, whylen);
	if (rc != 0)
		return rc;
	return not_a(id_valid(*s, *len), type, key, *s, *len,
		     "an id ([a-z0-9_-]{1," XSTR(BODY_ID_MAX) "})", why, whylen);
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

/* Index of s[len] among names[] (NULL-terminated), or -1. */
static int find_name(const char *const *names, const char *s, size_t len)
{
	for (int i = 0; names[i] != NULL; i++)
		if (key_is(s, (uint32_t)len, names[i]))
			return i;
	return -1;
}

/* One of names[]; its index in *idx. */
static int rd_enum(struct canon_rd *r, const char *type, const char *key,
		   const char *const *names, int *idx, char *why, size_t whylen)
{
	const char *s;
	uint32_t len;
	char shown[36];
	int rc = rd_str(r, type, key, &s, &len, why, whylen);
	if (rc != 0)
		return rc;
	if ((*idx = find_name(names, s, len)) >= 0)
		return 0;
	printable(shown, s, len);
	return fail(why, whylen, "%s: bad \"%s\" \"%s\"", type, key, shown);
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

/* A date or period in a char[cap]: PAKT_ETOOBIG unterminated, PAKT_EINVAL
 * not one. */
static int chk_when(const char *s, size_t cap, bool date_only)
{
	if (strnlen(s, cap) == cap)
		return PAKT_ETOOBIG;
	if ((date_only ? body_date_parse(s, NULL)
		       : body_period_parse(s, NULL, NULL)) != 0)
		return PAKT_EINVAL;
	return 0;
}

/* Index of the name held in a char[cap] among names[], or -1. */
static int chk_name(const char *const *names, const char *s, size_t cap)
{
	for (int i = 0; names[i] != NULL; i++)
		if (strncmp(s, names[i], cap) == 0)
			return i;
	return -1;
}

/* Append "key": s unless s is "" (an optional string). */
static void pk_opt_str(msgpack_packer *pk, const char *key, const char *s)
{
	if (s[0] != '\0')
		mpx_kv_str(pk, key, s);
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

/* ---- the map walker ---- */

/* What a field's value is and how it is read. Values go into the
 * schema's struct at off (when it is not NULL). */
enum {
	F_STR,          /* str of min..max bytes, no NUL: char[] */
	F_ID,           /* id: char[] */
	F_DATE,         /* YYYY-MM-DD: char[] */
	F_PERIOD,       /* a period (body_period_parse): char[] */
	F_NUM,          /* finite float64: double */
	F_ENUM,         /* one of names: char[] */
	F_BIN32,        /* 32 bytes of bin: uint8_t[32] */
	F_BIN,          /* bin of min..max bytes: const uint8_t * */
	F_LIST,         /* array of maps with distinct ids (struct list):
			 * an array of the item struct */
	F_FN,           /* read by fn */
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct list;

struct field {
	const char *key;
	int kind;
	bool required;
	size_t min, max;                /* F_STR, F_BIN: length in bytes */
	size_t off;
	size_t off2;    /* + 1: F_NUM, F_BIN32 a bool set when present; F_BIN
			 * the uint32_t length; F_LIST the size_t count; 0 none */
	const char *const *names;       /* F_ENUM */
	const struct list *list;        /* F_LIST */
	/* F_FN: out is the schema's struct or NULL */
	int (*fn)(struct canon_rd *r, void *out, char *why, size_t whylen);
};

#define STR(S, k, m, req, lo, hi) \
	{ k, F_STR, req, lo, hi, offsetof(S, m), 0, NULL, NULL, NULL }
#define VAL(S, k, kind, m, req) \
	{ k, kind, req, 0, 0, offsetof(S, m), 0, NULL, NULL, NULL }
#define OPT(S, k, kind, m, has) \
	{ k, kind, false, 0, 0, offsetof(S, m), offsetof(S, has) + 1, NULL, \
	  NULL, NULL }
#define ENUM(S, k, m, names) \
	{ k, F_ENUM, true, 0, 0, offsetof(S, m), 0, names, NULL, NULL }
#define LIST(S, k, m, cnt, list) \
	{ k, F_LIST, true, 0, 0, offsetof(S, m), offsetof(S, cnt) + 1, NULL, \
	  list, NULL }
#define FN(k, req, fn) { k, F_FN, req, 0, 0, 0, 0, NULL, NULL, fn }

/* An array of maps (agenda indicators, update values) whose ids repeat
 * nowhere. */
struct list {
	const char *type, *key;         /* the array: agenda "indicators" */
	uint32_t min, max;              /* max at most BODY_INDICATORS_MAX */
	const char *range;              /* reason (%d: max) out of min..max */
	const char *not_map;            /* reason: an item is not a map */
	const char *item;               /* the items' type, in reasons */
	const struct field *f;
	size_t nf, size, id_off;        /* item struct, offset of its id */
	const char *twice;              /* reason (%s: the id) */
};

/* A schema: the fields in key order, and a check of the whole. */
struct schema {
	const char *type;
	const struct field *f;
	size_t nf;
	int (*check)(unsigned seen, char *why, size_t whylen);
};

static int rd_list(struct canon_rd *r, const struct list *l, void *dst,
		   size_t *count, char *why, size_t whylen);

/* Walk the n keys of a map: each must be in f[] (in key order, as
 * canonical maps are); its value goes into out (may be NULL: validation
 * only). Bit i of *seen (may be NULL) tells that f[i] was there. */
static int walk(struct canon_rd *r, uint32_t n, const char *type,
		const struct field *f, size_t nf, void *out, unsigned *seen,
		char *why, size_t whylen)
{
	char *o = out;
	unsigned have = 0;

	for (uint32_t i = 0; i < n; i++) {
		const struct field *fd = f;
		const char *k, *s = NULL;
		const uint8_t *p;
		uint32_t klen, len = 0;
		char *dst;
		double v;
		int rc, idx;

		canon_rd_str(r, &k, &klen);     /* canonical: keys are str */
		while (fd < f + nf && !key_is(k, klen, fd->key))
			fd++;
		if (fd == f + nf)
			return unknown_key(type, k, klen, why, whylen);
		dst = o != NULL ? o + fd->off : NULL;
		switch (fd->kind) {
		case F_STR:
			rc = rd_cstr(r, type, fd->key, fd->min, fd->max, &s, &len,
				     why, whylen);
			break;
		case F_ID:
			rc = rd_id(r, type, fd->key, &s, &len, why, whylen);
			break;
		case F_DATE:
		case F_PERIOD:
			rc = rd_str(r, type, fd->key, &s, &len, why, whylen);
			if (rc == 0)
				rc = not_a(period_valid(s, len, fd->kind == F_DATE),
					   type, fd->key, s, len,
					   fd->kind == F_DATE ? "a date YYYY-MM-DD"
					   : "YYYY, YYYY-Qn, YYYY-MM, YYYY-MM-DD or FROM..TO",
					   why, whylen);
			break;
		case F_NUM:
			if ((rc = rd_num(r, type, fd->key, &v, why, whylen)) == 0 &&
			    dst != NULL)
				memcpy(dst, &v, sizeof v);
			break;
		case F_ENUM:
			if ((rc = rd_enum(r, type, fd->key, fd->names, &idx, why,
					  whylen)) == 0 && dst != NULL)
				strcpy(dst, fd->names[idx]);
			break;
		case F_BIN32:
			if ((rc = rd_bin(r, type, fd->key, 32, 32, &p, &len, why,
					 whylen)) == 0 && dst != NULL)
				memcpy(dst, p, 32);
			break;
		case F_BIN:
			rc = rd_bin(r, type, fd->key, fd->min, fd->max, &p, &len,
				    why, whylen);
			if (rc == 0 && dst != NULL) {
				memcpy(dst, &p, sizeof p);
				if (fd->off2 > 0)
					memcpy(o + fd->off2 - 1, &len, sizeof len);
			}
			break;
		case F_LIST:
			rc = rd_list(r, fd->list, dst,
				     o != NULL ? (size_t *)(o + fd->off2 - 1) : NULL,
				     why, whylen);
			break;
		default:
			rc = fd->fn(r, out, why, whylen);
			break;
		}
		if (rc != 0)
			return rc;
		if (fd->kind <= F_PERIOD)       /* a str: the C string */
			put(dst, s, len);
		else if ((fd->kind == F_NUM || fd->kind == F_BIN32) &&
			 fd->off2 > 0 && o != NULL)
			*(bool *)(o + fd->off2 - 1) = true;
		have |= 1u << (fd - f);
	}
	for (size_t i = 0; i < nf; i++)
		if (f[i].required && !(have & 1u << i))
			return missing_key(type, f[i].key, why, whylen);
	if (seen != NULL)
		*seen = have;
	return 0;
}

/* A map of schema s; out may be NULL (validation only). */
static int parse_schema(struct canon_rd *r, uint32_t n, const struct schema *s,
			void *out, char *why, size_t whylen)
{
	unsigned seen;
	int rc = walk(r, n, s->type, s->f, s->nf, out, &seen, why, whylen);
	if (rc == 0 && s->check != NULL)
		rc = s->check(seen, why, whylen);
	return rc;
}

static int rd_list(struct canon_rd *r, const struct list *l, void *dst,
		   size_t *count, char *why, size_t whylen)
{
	union {
		struct body_indicator ind;
		struct body_value v;
	} item;
	char ids[BODY_INDICATORS_MAX][BODY_ID_MAX + 1];
	uint32_t cnt, n;
	int rc;

	if ((rc = rd_array(r, l->type, l->key, l->min, l->max, l->range, &cnt,
			   why, whylen)) != 0)
		return rc;
	for (uint32_t j = 0; j < cnt; j++) {
		const char *id = (const char *)&item + l->id_off;
		memset(&item, 0, sizeof item);
		if (canon_rd_map(r, &n) != 0)
			return fail(why, whylen, "%s", l->not_map);
		if ((rc = walk(r, n, l->item, l->f, l->nf, &item, NULL, why,
			       whylen)) != 0)
			return rc;
		memcpy(ids[j], id, sizeof ids[j]);
		if (earlier(ids, j, sizeof ids[0], 0))
			return fail(why, whylen, l->twice, id);
		if (dst != NULL)
			memcpy((char *)dst + j * l->size, &item, l->size);
	}
	if (count != NULL)
		*count = cnt;
	return 0;
}

/* ---- agenda ---- */

static const char *const directions[] = { "up", "down", NULL };

static int rd_direction(struct canon_rd *r, void *out, char *why,
			size_t whylen)
{
	struct body_indicator *ind = out;
	int dir, rc = rd_enum(r, "agenda indicator", "direction", directions,
			      &dir, why, whylen);
	if (rc == 0 && ind != NULL)
		ind->down = dir == 1;
	return rc;
}

/* {direction, id, name, target?, unit} */
static const struct field indicator_fields[] = {
	FN("direction", true, rd_direction),
	VAL(struct body_indicator, "id", F_ID, id, true),
	STR(struct body_indicator, "name", name, true, 1, BODY_NAME_MAX),
	OPT(struct body_indicator, "target", F_NUM, target, has_target),
	STR(struct body_indicator, "unit", unit, true, 0, BODY_UNIT_MAX),
};

static const struct list indicator_list = {
	"agenda", "indicators", 1, BODY_INDICATORS_MAX,
	"agenda: \"indicators\" must list 1 to %d indicators",
	"agenda: an indicator is not a map", "agenda indicator",
	indicator_fields, COUNT(indicator_fields),
	sizeof(struct body_indicator),
	offsetof(struct body_indicator, id),
	"agenda: indicator id \"%s\" appears twice",
};

static const struct field agenda_fields[] = {
	STR(struct body_agenda, "goal", goal, true, 0, BODY_TEXT_MAX),
	LIST(struct body_agenda, "indicators", ind, n, &indicator_list),
};

static const struct schema agenda_schema = {
	"agenda", agenda_fields, COUNT(agenda_fields), NULL
};

/* ---- update ---- */

/* {indicator, value} */
static const struct field value_fields[] = {
	VAL(struct body_value, "indicator", F_ID, indicator, true),
	VAL(struct body_value, "value", F_NUM, value, true),
};

static const struct list value_list = {
	"update", "values", 0, BODY_INDICATORS_MAX,
	"update: \"values\" lists more than %d values",
	"update: a value is not a map", "update value",
	value_fields, COUNT(value_fields), sizeof(struct body_value),
	offsetof(struct body_value, indicator),
	"update: indicator \"%s\" has two values",
};

static const struct field update_fields[] = {
	VAL(struct body_update, "period", F_PERIOD, period, true),
	STR(struct body_update, "text", text, true, 0, BODY_TEXT_MAX),
	LIST(struct body_update, "values", v, n, &value_list),
};

static const struct schema update_schema = {
	"update", update_fields, COUNT(update_fields), NULL
};

/* ---- commitment ---- */

static int rd_parties(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	struct body_commitment *c = out;
	const uint8_t *parties[KEYS_MAX];
	uint32_t cnt;
	int rc = rd_keys(r, "commitment", "parties", BODY_PARTIES_MAX,
			 "commitment: \"parties\" must list 1 to %d keys",
			 "commitment: a party is not 32 bytes of bin", parties,
			 &cnt, why, whylen);
	if (rc != 0 || c == NULL)
		return rc;
	for (uint32_t j = 0; j < cnt; j++)
		memcpy(c->parties[j], parties[j], 32);
	c->n_parties = cnt;
	return 0;
}

static const struct field commitment_fields[] = {
	STR(struct body_commitment, "description", description, false, 1,
	    BODY_TEXT_MAX),
	VAL(struct body_commitment, "due", F_DATE, due, true),
	VAL(struct body_commitment, "indicator", F_ID, indicator, false),
	FN("parties", true, rd_parties),
	OPT(struct body_commitment, "target", F_NUM, target, has_target),
	STR(struct body_commitment, "title", title, true, 1, BODY_TITLE_MAX),
};

static int commitment_check(unsigned seen, char *why, size_t whylen)
{
	if ((seen & 1u << 4) && !(seen & 1u << 2))     /* target, indicator */
		return fail(why, whylen,
			    "commitment: \"target\" without \"indicator\"");
	return 0;
}

static const struct schema commitment_schema = {
	"commitment", commitment_fields, COUNT(commitment_fields),
	commitment_check
};

/* ---- accept, decline, redact ---- */

/* accept {ref}, decline {reason?, ref}, redact {reason, ref} */
static const struct field accept_fields[] = {
	VAL(struct body_ref, "ref", F_BIN32, ref, true),
};
/* decline: optional, so present means not empty */
static const struct field decline_fields[] = {
	STR(struct body_ref, "reason", text, false, 1, BODY_REASON_MAX),
	VAL(struct body_ref, "ref", F_BIN32, ref, true),
};
/* redact: "reason" is required, but missing after "ref" */
static const struct field redact_fields[] = {
	STR(struct body_ref, "reason", text, false, 0, BODY_REASON_MAX),
	VAL(struct body_ref, "ref", F_BIN32, ref, true),
};

static int redact_check(unsigned seen, char *why, size_t whylen)
{
	return seen & 1u ? 0 : missing_key("redact", "reason", why, whylen);
}

static const struct schema ref_schemas[] = {
	{ "accept", accept_fields, COUNT(accept_fields), NULL },
	{ "decline", decline_fields, COUNT(decline_fields), NULL },
	{ "redact", redact_fields, COUNT(redact_fields), redact_check },
};

static int ref_kind(const char *type)
{
	for (int i = 0; type != NULL && i < (int)COUNT(ref_schemas); i++)
		if (strcmp(type, ref_schemas[i].type) == 0)
			return i;
	return -1;
}

/* ---- succession, revoke (proto/keyroll.h) ---- */

/* succession {new, proof} */
static const struct field succession_fields[] = {
	VAL(struct body_succession, "new", F_BIN32, new_key, true),
	{ "proof", F_BIN, true, 64, 64, offsetof(struct body_succession, proof), 0, NULL, NULL,
	  NULL },
};

static const struct schema succession_schema = {
	"succession", succession_fields, COUNT(succession_fields), NULL
};

static int rd_after(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	struct body_revoke *rv = out;
	uint64_t v;

	if (canon_rd_uint(r, &v) != 0)
		return fail(why, whylen, "revoke: \"after\" is not an unsigned integer");
	if (rv != NULL)
		rv->after = v;
	return 0;
}

/* revoke {after, key, reason} */
static const struct field revoke_fields[] = {
	FN("after", true, rd_after),
	VAL(struct body_revoke, "key", F_BIN32, key, true),
	STR(struct body_revoke, "reason", reason, true, 0, BODY_REASON_MAX),
};

static const struct schema revoke_schema = {
	"revoke", revoke_fields, COUNT(revoke_fields), NULL
};

/* ---- status ---- */

static const char *const states[] = { "in-progress", "fulfilled", "missed",
				      "withdrawn", NULL };

static const struct field status_fields[] = {
	OPT(struct body_status, "evidence", F_BIN32, evidence, has_evidence),
	STR(struct body_status, "note", note, false, 1, BODY_TEXT_MAX),
	VAL(struct body_status, "ref", F_BIN32, ref, true),
	ENUM(struct body_status, "state", state, states),
};

static const struct schema status_schema = {
	"status", status_fields, COUNT(status_fields), NULL
};

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

static int rd_addresses(struct canon_rd *r, void *out, char *why,
			size_t whylen)
{
	struct body_profile *pr = out;
	const char *s;
	char shown[36];
	uint32_t len, cnt;
	int rc = rd_array(r, "profile", "addresses", 1, BODY_ADDRS_MAX,
			  "profile: \"addresses\" must list 1 to %d addresses (or be left out)",
			  &cnt, why, whylen);

	for (uint32_t j = 0; rc == 0 && j < cnt; j++) {
		if (canon_rd_str(r, &s, &len) != 0)
			return fail(why, whylen,
				    "profile: an address is not a string");
		if (!addr_valid(s, len)) {
			printable(shown, s, len);
			return fail(why, whylen,
				    "profile: address \"%s\" is not HOST:PORT",
				    shown);
		}
		if (pr != NULL)
			put(pr->addrs[j], s, len);
	}
	if (rc == 0 && pr != NULL)
		pr->n_addrs = cnt;
	return rc;
}

static const struct field profile_fields[] = {
	FN("addresses", false, rd_addresses),
	STR(struct body_profile, "contact", contact, false, 1, BODY_CONTACT_MAX),
	STR(struct body_profile, "name", name, true, 1, BODY_NAME_MAX),
	ENUM(struct body_profile, "sector", sector, sectors),
};

static const struct schema profile_schema = {
	"profile", profile_fields, COUNT(profile_fields), NULL
};

/* ---- checkpoint ---- */

/* {heads: [[author, seq, hash] ...]}; heads[cap] may be NULL (count only). */
struct heads_out {
	struct body_head *heads;
	size_t cap, *count;
};

static int rd_heads(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	struct heads_out *h = out;
	struct body_head *heads = h != NULL ? h->heads : NULL;
	const uint8_t *authors[BODY_HEADS_MAX], *hash;
	uint32_t cnt, m;
	uint64_t seq;
	int rc = rd_array(r, "checkpoint", "heads", 0, BODY_HEADS_MAX,
			  "checkpoint: \"heads\" lists more than %d feeds", &cnt,
			  why, whylen);

	if (rc != 0)
		return rc;
	if (heads != NULL && cnt > h->cap)
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
		if (seen32(authors, j))
			return fail(why, whylen,
				    "checkpoint: an author has two heads");
		if (heads != NULL) {
			memcpy(heads[j].author, authors[j], 32);
			heads[j].seq = seq;
			memcpy(heads[j].hash, hash, 32);
		}
	}
	if (h != NULL && h->count != NULL)
		*h->count = cnt;
	return 0;
}

static const struct field checkpoint_fields[] = {
	FN("heads", true, rd_heads),
};

static const struct schema checkpoint_schema = {
	"checkpoint", checkpoint_fields, COUNT(checkpoint_fields), NULL
};

/* ---- sealed ---- */

#define SEAL_BOX_BYTES (crypto_box_SEALBYTES + crypto_secretbox_KEYBYTES)

/* {boxes: [bin80 ...], ct: bin, nonce: bin24} */
struct sealed_view {
	const uint8_t *boxes[BODY_BOXES_MAX];
	uint32_t n_boxes;
	const uint8_t *ct, *nonce;
	uint32_t ct_len;
};

static int rd_boxes(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	struct sealed_view *v = out;
	const uint8_t *p;
	uint32_t len, cnt;
	int rc = rd_array(r, "sealed", "boxes", 1, BODY_BOXES_MAX,
			  "sealed: \"boxes\" must hold 1 to %d boxes", &cnt,
			  why, whylen);

	for (uint32_t j = 0; rc == 0 && j < cnt; j++) {
		if (canon_rd_bin(r, &p, &len) != 0 || len != SEAL_BOX_BYTES)
			return fail(why, whylen,
				    "sealed: a box is not %d bytes of bin",
				    (int)SEAL_BOX_BYTES);
		if (v != NULL)
			v->boxes[j] = p;
	}
	if (rc == 0 && v != NULL)
		v->n_boxes = cnt;
	return rc;
}

static const struct field sealed_fields[] = {
	FN("boxes", true, rd_boxes),
	{ "ct", F_BIN, true, crypto_secretbox_MACBYTES, BODY_SEALED_MAX,
	  offsetof(struct sealed_view, ct),
	  offsetof(struct sealed_view, ct_len) + 1, NULL, NULL, NULL },
	{ "nonce", F_BIN, true, crypto_secretbox_NONCEBYTES,
	  crypto_secretbox_NONCEBYTES, offsetof(struct sealed_view, nonce), 0,
	  NULL, NULL, NULL },
};

static const struct schema sealed_schema = {
	"sealed", sealed_fields, COUNT(sealed_fields), NULL
};

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

/* A body of schema s into *out (size bytes, cleared first). */
static int parse_body(const struct schema *s, const uint8_t *b, size_t len,
		      void *out, size_t size)
{
	struct canon_rd r;
	uint32_t n;
	if (out == NULL || open_body(&r, b, len, &n) != 0)
		return PAKT_EBODY;
	memset(out, 0, size);
	return parse_schema(&r, n, s, out, NULL, 0);
}

int body_agenda_parse(const uint8_t *b, size_t len, struct body_agenda *out)
{
	return parse_body(&agenda_schema, b, len, out, sizeof *out);
}

int body_update_parse(const uint8_t *b, size_t len, struct body_update *out)
{
	return parse_body(&update_schema, b, len, out, sizeof *out);
}

int body_commitment_parse(const uint8_t *b, size_t len,
			  struct body_commitment *out)
{
	return parse_body(&commitment_schema, b, len, out, sizeof *out);
}

int body_ref_parse(const char *type, const uint8_t *b, size_t len,
		   struct body_ref *out)
{
	int kind = ref_kind(type);
	if (kind < 0)
		return PAKT_EBODY;
	return parse_body(&ref_schemas[kind], b, len, out, sizeof *out);
}

int body_succession_parse(const uint8_t *b, size_t len, struct body_succession *out)
{
	return parse_body(&succession_schema, b, len, out, sizeof *out);
}

int body_revoke_parse(const uint8_t *b, size_t len, struct body_revoke *out)
{
	return parse_body(&revoke_schema, b, len, out, sizeof *out);
}

int body_status_parse(const uint8_t *b, size_t len, struct body_status *out)
{
	return parse_body(&status_schema, b, len, out, sizeof *out);
}

int body_profile_parse(const uint8_t *b, size_t len, struct body_profile *out)
{
	return parse_body(&profile_schema, b, len, out, sizeof *out);
}

int body_checkpoint_parse(const uint8_t *b, size_t len, struct body_head *heads,
			  size_t cap, size_t *n)
{
	struct canon_rd r;
	uint32_t nk;
	size_t cnt = 0;
	struct heads_out h = { heads, cap, &cnt };
	int rc;
	if ((heads == NULL && cap > 0) || open_body(&r, b, len, &nk) != 0)
		return PAKT_EBODY;
	/* heads NULL with cap 0: count only */
	rc = parse_schema(&r, nk, &checkpoint_schema, &h, NULL, 0);
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
		if (earlier(a->ind[0].id, i, sizeof a->ind[0], 0))
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
	if ((rc = chk_when(u->period, sizeof u->period, false)) != 0 ||
	    (rc = chk_str(u->text, sizeof u->text, 0, BODY_TEXT_MAX)) != 0)
		return rc;
	for (size_t i = 0; i < u->n; i++) {
		if ((rc = chk_id(u->v[i].indicator, sizeof u->v[i].indicator)) != 0)
			return rc;
		if (!isfinite(u->v[i].value) ||
		    earlier(u->v[0].indicator, i, sizeof u->v[0], 0))
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
			  BODY_TEXT_MAX)) != 0 ||
	    (rc = chk_when(c->due, sizeof c->due, true)) != 0)
		return rc;
	has_desc = c->description[0] != '\0';
	has_ind = c->indicator[0] != '\0';
	if (has_ind && (rc = chk_id(c->indicator, sizeof c->indicator)) != 0)
		return rc;
	if (c->has_target && (!has_ind || !isfinite(c->target)))
		return PAKT_EINVAL;
	for (size_t i = 0; i < c->n_parties; i++)
		if (earlier(c->parties, i, 32, 32))
			return PAKT_EINVAL;
	start = o->sb.size;
	/* description < due < indicator < parties < target < title */
	msgpack_pack_map(&o->pk, 3 + has_desc + has_ind + c->has_target);
	pk_opt_str(&o->pk, "description", c->description);
	mpx_kv_str(&o->pk, "due", c->due);
	pk_opt_str(&o->pk, "indicator", c->indicator);
	pk_bins(&o->pk, "parties", c->parties, c->n_parties, 32);
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

int body_succession(struct mpx_out *o, const struct body_succession *sc)
{
	if (o == NULL || sc == NULL)
		return PAKT_EINVAL;
	msgpack_pack_map(&o->pk, 2);
	mpx_kv_bin(&o->pk, "new", sc->new_key, 32);
	mpx_kv_bin(&o->pk, "proof", sc->proof, 64);
	return 0;
}

int body_revoke(struct mpx_out *o, const struct body_revoke *rv)
{
	int rc;

	if (o == NULL || rv == NULL)
		return PAKT_EINVAL;
	if ((rc = chk_str(rv->reason, sizeof rv->reason, 0, BODY_REASON_MAX)) != 0)
		return rc;
	msgpack_pack_map(&o->pk, 3);
	mpx_kv_u64(&o->pk, "after", rv->after);
	mpx_kv_bin(&o->pk, "key", rv->key, 32);
	mpx_kv_str(&o->pk, "reason", rv->reason);
	return 0;
}

int body_status(struct mpx_out *o, const struct body_status *st)
{
	int rc, i;

	if (o == NULL || st == NULL)
		return PAKT_EINVAL;
	if ((i = chk_name(states, st->state, sizeof st->state)) < 0)
		return PAKT_EINVAL;
	if ((rc = chk_str(st->note, sizeof st->note, 0, BODY_TEXT_MAX)) != 0)
		return rc;
	/* evidence < note < ref < state */
	msgpack_pack_map(&o->pk, 2 + (st->note[0] != '\0') + st->has_evidence);
	if (st->has_evidence)
		mpx_kv_bin(&o->pk, "evidence", st->evidence, 32);
	pk_opt_str(&o->pk, "note", st->note);
	mpx_kv_bin(&o->pk, "ref", st->ref, 32);
	mpx_kv_str(&o->pk, "state", states[i]);
	return 0;
}

int body_profile(struct mpx_out *o, const struct body_profile *p)
{
	int rc, i;

	if (o == NULL || p == NULL)
		return PAKT_EINVAL;
	if ((i = chk_name(sectors, p->sector, sizeof p->sector)) < 0)
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
	/* addresses < contact < name < sector */
	msgpack_pack_map(&o->pk, 2 + (p->contact[0] != '\0') + (p->n_addrs > 0));
	if (p->n_addrs > 0) {
		mpx_str(&o->pk, "addresses");
		msgpack_pack_array(&o->pk, p->n_addrs);
		for (size_t j = 0; j < p->n_addrs; j++)
			mpx_str(&o->pk, p->addrs[j]);
	}
	pk_opt_str(&o->pk, "contact", p->contact);
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
	for (size_t i = 0; i < n; i++)
		if (heads[i].seq < 1 || heads[i].seq > ENTRY_SEQ_MAX ||
		    earlier(heads[0].author, i, sizeof heads[0], 32))
			return PAKT_EINVAL;
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
struct inner {
	char *text;
	size_t cap;
	uint8_t *reply_to;
};

static int rd_inner_reply(struct canon_rd *r, void *out, char *why,
			  size_t whylen)
{
	struct inner *in = out;
	const uint8_t *p;
	if (rd_bin32(r, &p, "reply_to", NULL, 0) != 0)
		return PAKT_EBODY;
	if (in->reply_to != NULL)
		memcpy(in->reply_to, p, 32);
	return 0;
}

static int rd_inner_text(struct canon_rd *r, void *out, char *why,
			 size_t whylen)
{
	struct inner *in = out;
	const char *s;
	uint32_t len;
	if (rd_cstr(r, "sealed", "text", 0, BODY_TEXT_MAX, &s, &len, NULL,
		    0) != 0)
		return PAKT_EBODY;
	if (len >= in->cap)
		return PAKT_ETOOBIG;
	put(in->text, s, len);
	return 0;
}

static const struct field inner_fields[] = {
	FN("reply_to", false, rd_inner_reply),
	FN("text", true, rd_inner_text),
};

static int parse_inner(const uint8_t *pt, size_t len, char *text, size_t cap,
		       uint8_t reply_to[32], bool *has_reply)
{
	struct inner in = { text, cap, reply_to };
	struct canon_rd r;
	uint32_t n;
	unsigned seen;
	int rc;

	if (open_body(&r, pt, len, &n) != 0)
		return PAKT_EBODY;
	/* reasons are not kept: any failure but a long text is PAKT_EBODY */
	rc = walk(&r, n, "sealed", inner_fields, COUNT(inner_fields), &in, &seen,
		  NULL, 0);
	if (rc == 0 && has_reply != NULL)
		*has_reply = seen & 1u;
	return rc;
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
	if (open_body(&r, b, len, &n) != 0 ||
	    parse_schema(&r, n, &sealed_schema, &v, NULL, 0) != 0)
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
	static const struct schema *const schemas[] = {
		&agenda_schema, &update_schema, &commitment_schema,
		&ref_schemas[0], &ref_schemas[1], &ref_schemas[2],
		&status_schema, &profile_schema, &checkpoint_schema,
		&sealed_schema, &succession_schema, &revoke_schema,
	};
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
	for (size_t i = 0; i < COUNT(schemas); i++)
		if (strcmp(type, schemas[i]->type) == 0)
			return parse_schema(&r, n, schemas[i], NULL, why, whylen);
	return 0;   /* unknown types: any canonical map, for newer peers */
}
