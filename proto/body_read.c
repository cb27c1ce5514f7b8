/* Entry bodies: reading values with the reason of a failure, and the
 * one key walker that reads every table-driven schema (proto/body_priv.h). */
#include "proto/body_priv.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto/date.h"
#include "proto/entry.h"
#include "proto/err.h"

/* True when item i of an array at base (stride bytes apart) repeats an
 * earlier one: its first size bytes, or its C string when size is 0. */
bool body_earlier(const void *base, size_t i, size_t stride, size_t size)
{
	const char *b = base, *x = b + i * stride;
	for (size_t j = 0; j < i; j++)
		if (size > 0 ? memcmp(x, b + j * stride, size) == 0
			     : strcmp(x, b + j * stride) == 0)
			return true;
	return false;
}

/* Write the reason and return PAKT_EBODY. */
int body_fail(char *why, size_t whylen, const char *fmt, ...)
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
void body_printable(char out[36], const char *s, uint32_t len)
{
	size_t n = len > 32 ? 32 : len, i;
	for (i = 0; i < n; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (len > 32)
		out[i++] = '.', out[i++] = '.', out[i++] = '.';
	out[i] = '\0';
}

bool body_key_is(const char *k, uint32_t klen, const char *name)
{
	return klen == strlen(name) && memcmp(k, name, klen) == 0;
}

/* Keys absent from a schema, printable. */
int body_unknown_key(const char *type, const char *k, uint32_t klen,
		     char *why, size_t whylen)
{
	char shown[36];
	body_printable(shown, k, klen);
	return body_fail(why, whylen, "%s: unknown key \"%s\"", type, shown);
}

int body_missing_key(const char *type, const char *key, char *why,
		     size_t whylen)
{
	return body_fail(why, whylen, "%s: \"%s\" is missing", type, key);
}

/* Schemas with a fixed set of keys: the next key must be name. */
int body_expect_key(struct canon_rd *r, const char *type, const char *name,
		    char *why, size_t whylen)
{
	const char *k;
	uint32_t klen;
	char shown[36];

	canon_rd_str(r, &k, &klen);     /* canonical: keys are str */
	if (body_key_is(k, klen, name))
		return 0;
	body_printable(shown, k, klen);
	return body_fail(why, whylen, "%s: unexpected key \"%s\"", type, shown);
}

/* A str value of min..max bytes (UTF-8 was checked by canon_check). */
int body_rd_text(struct canon_rd *r, const char *key, size_t min, size_t max,
		 char *why, size_t whylen)
{
	const char *s;
	uint32_t len;
	if (canon_rd_str(r, &s, &len) != 0)
		return body_fail(why, whylen, "\"%s\" is not a string", key);
	if (len < min)
		return body_fail(why, whylen, "\"%s\" is empty", key);
	if (len > max)
		return body_fail(why, whylen, "\"%s\" is longer than %zu bytes", key,
				 max);
	return 0;
}

/* A bin value of min..max bytes. */
int body_rd_bin(struct canon_rd *r, const char *type, const char *key,
		size_t min, size_t max, const uint8_t **p, uint32_t *len,
		char *why, size_t whylen)
{
	bool bin = canon_rd_bin(r, p, len) == 0;
	if (min == max && (!bin || *len != min))
		return body_fail(why, whylen, "%s%s\"%s\" is not %zu bytes of bin",
				 PREFIX(type), key, min);
	if (!bin)
		return body_fail(why, whylen, "%s%s\"%s\" is not bin", PREFIX(type),
				 key);
	if (*len < min || *len > max)
		return body_fail(why, whylen, "%s%s\"%s\" must be %zu to %zu bytes",
				 PREFIX(type), key, min, max);
	return 0;
}

int body_rd_bin32(struct canon_rd *r, const uint8_t **p, const char *key,
		  char *why, size_t whylen)
{
	uint32_t len;
	return body_rd_bin(r, NULL, key, 32, 32, p, &len, why, whylen);
}

/* An array of min..max items; range is the reason (with a %d for max)
 * when the count is outside. */
int body_rd_array(struct canon_rd *r, const char *type, const char *key,
		  uint32_t min, uint32_t max, const char *range,
		  uint32_t *cnt, char *why, size_t whylen)
{
	if (canon_rd_array(r, cnt) != 0)
		return body_fail(why, whylen, "%s%s\"%s\" is not an array",
				 PREFIX(type), key);
	if (*cnt < min || *cnt > max)
		return body_fail(why, whylen, range, (int)max);
	return 0;
}

/* Item j of p[] repeats an earlier 32-byte key. */
bool body_seen32(const uint8_t *const *p, uint32_t j)
{
	for (uint32_t m = 0; m < j; m++)
		if (memcmp(p[m], p[j], 32) == 0)
			return true;
	return false;
}

/* An array of 1..max (at most KEYS_MAX) distinct bin32 keys, into p[];
 * item is the reason when one is not 32 bytes of bin. */
int body_rd_keys(struct canon_rd *r, const char *type, const char *key,
		 uint32_t max, const char *range, const char *item,
		 const uint8_t **p, uint32_t *cnt, char *why, size_t whylen)
{
	uint32_t len;
	int rc = body_rd_array(r, type, key, 1, max, range, cnt, why, whylen);

	for (uint32_t j = 0; rc == 0 && j < *cnt; j++) {
		if (canon_rd_bin(r, &p[j], &len) != 0 || len != 32)
			return body_fail(why, whylen, "%s", item);
		if (body_seen32(p, j))
			return body_fail(why, whylen, "%s%s\"%s\" lists a key twice",
					 PREFIX(type), key);
	}
	return rc;
}

/* Copy s[len] with a NUL into dst (large enough) when dst is not NULL. */
void body_put(char *dst, const char *s, uint32_t len)
{
	if (dst != NULL) {
		memcpy(dst, s, len);
		dst[len] = '\0';
	}
}

/* A str value that is not one; 0 when it is a str. */
int body_rd_str(struct canon_rd *r, const char *type, const char *key,
		const char **s, uint32_t *len, char *why, size_t whylen)
{
	if (canon_rd_str(r, s, len) != 0)
		return body_fail(why, whylen, "%s: \"%s\" is not a string", type, key);
	return 0;
}

/* A str value of min..max bytes without NUL bytes (it becomes a C string). */
int body_rd_cstr(struct canon_rd *r, const char *type, const char *key,
		 size_t min, size_t max, const char **s, uint32_t *len,
		 char *why, size_t whylen)
{
	int rc = body_rd_str(r, type, key, s, len, why, whylen);
	if (rc != 0)
		return rc;
	if (*len < min)
		return body_fail(why, whylen, "%s: \"%s\" is empty", type, key);
	if (*len > max)
		return body_fail(why, whylen, "%s: \"%s\" is longer than %zu bytes",
				 type, key, max);
	if (memchr(*s, '\0', *len) != NULL)
		return body_fail(why, whylen, "%s: \"%s\" contains a NUL byte", type,
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
bool body_id_valid(const char *s, size_t len)
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
	body_printable(shown, s, len);
	return body_fail(why, whylen, "%s: \"%s\" \"%s\" is not %s", type, key,
			 shown, what);
}

static int rd_id(struct canon_rd *r, const char *type, const char *key,
		 const char **s, uint32_t *len, char *why, size_t whylen)
{
	int rc = body_rd_str(r, type, key, s, len, why, whylen);
	if (rc != 0)
		return rc;
	return not_a(body_id_valid(*s, *len), type, key, *s, *len,
		     "an id ([a-z0-9_-]{1," XSTR(BODY_ID_MAX) "})", why, whylen);
}

/* A float64 (0xcb and 8 big-endian bytes), finite. */
static int rd_num(struct canon_rd *r, const char *type, const char *key,
		  double *v, char *why, size_t whylen)
{
	uint64_t bits = 0;
	if (r->end - r->p < 9 || r->p[0] != 0xcb)
		return body_fail(why, whylen, "%s: \"%s\" is not a float64", type, key);
	for (int i = 1; i <= 8; i++)
		bits = bits << 8 | r->p[i];
	memcpy(v, &bits, sizeof *v);
	if (!isfinite(*v))
		return body_fail(why, whylen, "%s: \"%s\" is not a finite number",
				 type, key);
	r->p += 9;
	return 0;
}

/* Index of s[len] among names[] (NULL-terminated), or -1. */
static int find_name(const char *const *names, const char *s, size_t len)
{
	for (int i = 0; names[i] != NULL; i++)
		if (body_key_is(s, (uint32_t)len, names[i]))
			return i;
	return -1;
}

/* One of names[]; its index in *idx. */
int body_rd_enum(struct canon_rd *r, const char *type, const char *key,
		 const char *const *names, int *idx, char *why, size_t whylen)
{
	const char *s;
	uint32_t len;
	char shown[36];
	int rc = body_rd_str(r, type, key, &s, &len, why, whylen);
	if (rc != 0)
		return rc;
	if ((*idx = find_name(names, s, len)) >= 0)
		return 0;
	body_printable(shown, s, len);
	return body_fail(why, whylen, "%s: bad \"%s\" \"%s\"", type, key, shown);
}

/* A period or a date read from a body (not NUL-terminated). */
static bool period_valid(const char *s, uint32_t len, bool date_only)
{
	char buf[BODY_PERIOD_MAX + 1];
	if (len > BODY_PERIOD_MAX || memchr(s, '\0', len) != NULL)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return date_only ? date_parse(buf, NULL) == 0
			 : date_period_parse(buf, NULL, NULL) == 0;
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

bool body_category_valid(const char *s, size_t len)
{
	if (len < 1 || len > BODY_CATEGORY_MAX || !canon_utf8_valid(s, len))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == ',' || c == ':' || c == '=')
			return false;
	}
	return true;
}

/* HOST:PORT: HOST a name or IPv4 address ([A-Za-z0-9._-]+) or an IPv6
 * address in brackets ([0-9A-Fa-f:.]+ with a colon); PORT 1..65535 in
 * decimal without leading zeros. */
bool body_addr_valid(const char *s, size_t len)
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

/* ---- the map walker ---- */

static int rd_list(struct canon_rd *r, const struct body_list *l, void *dst,
		   size_t *count, char *why, size_t whylen);

/* Walk the n keys of a map: each must be in f[] (in key order, as
 * canonical maps are); its value goes into out (may be NULL: validation
 * only). Bit i of *seen (may be NULL) tells that f[i] was there. */
int body_walk(struct canon_rd *r, uint32_t n, const char *type,
	      const struct body_field *f, size_t nf, void *out, unsigned *seen,
	      char *why, size_t whylen)
{
	char *o = out;
	unsigned have = 0;

	for (uint32_t i = 0; i < n; i++) {
		const struct body_field *fd = f;
		const char *k, *s = NULL;
		const uint8_t *p;
		uint32_t klen, len = 0;
		char *dst;
		double v;
		int rc, idx;

		canon_rd_str(r, &k, &klen);     /* canonical: keys are str */
		while (fd < f + nf && !body_key_is(k, klen, fd->key))
			fd++;
		if (fd == f + nf)
			return body_unknown_key(type, k, klen, why, whylen);
		dst = o != NULL ? o + fd->off : NULL;
		switch (fd->kind) {
		case F_STR:
			rc = body_rd_cstr(r, type, fd->key, fd->min, fd->max, &s, &len,
					  why, whylen);
			break;
		case F_ID:
			rc = rd_id(r, type, fd->key, &s, &len, why, whylen);
			break;
		case F_DATE:
		case F_PERIOD:
			rc = body_rd_str(r, type, fd->key, &s, &len, why, whylen);
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
			if ((rc = body_rd_enum(r, type, fd->key, fd->names, &idx, why,
					       whylen)) == 0 && dst != NULL)
				strcpy(dst, fd->names[idx]);
			break;
		case F_BIN32:
			if ((rc = body_rd_bin(r, type, fd->key, 32, 32, &p, &len, why,
					      whylen)) == 0 && dst != NULL)
				memcpy(dst, p, 32);
			break;
		case F_BIN:
			rc = body_rd_bin(r, type, fd->key, fd->min, fd->max, &p, &len,
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
		case F_TRUE:
			/* one encoding per meaning: false is written by leaving the key out */
			if (r->p < r->end && *r->p == 0xc3) {
				r->p++;
				rc = 0;
				if (dst != NULL)
					*(bool *)dst = true;
			} else {
				rc = body_fail(why, whylen, "%s%s\"%s\" must be true (absent means false)",
					       PREFIX(type), fd->key);
			}
			break;
		default:
			rc = fd->fn(r, out, why, whylen);
			break;
		}
		if (rc != 0)
			return rc;
		if (fd->kind <= F_PERIOD)       /* a str: the C string */
			body_put(dst, s, len);
		else if ((fd->kind == F_NUM || fd->kind == F_BIN32) &&
			 fd->off2 > 0 && o != NULL)
			*(bool *)(o + fd->off2 - 1) = true;
		have |= 1u << (fd - f);
	}
	for (size_t i = 0; i < nf; i++)
		if (f[i].required && !(have & 1u << i))
			return body_missing_key(type, f[i].key, why, whylen);
	if (seen != NULL)
		*seen = have;
	return 0;
}

/* A map of schema s; out may be NULL (validation only). */
int body_parse_schema(struct canon_rd *r, uint32_t n, const struct body_schema *s,
		      void *out, char *why, size_t whylen)
{
	unsigned seen;
	int rc = body_walk(r, n, s->type, s->f, s->nf, out, &seen, why, whylen);
	if (rc == 0 && s->check != NULL)
		rc = s->check(seen, why, whylen);
	return rc;
}

static int rd_list(struct canon_rd *r, const struct body_list *l, void *dst,
		   size_t *count, char *why, size_t whylen)
{
	union {
		struct body_indicator ind;
		struct body_value v;
	} item;
	char ids[BODY_INDICATORS_MAX][BODY_ID_MAX + 1];
	uint32_t cnt, n;
	int rc;

	if ((rc = body_rd_array(r, l->type, l->key, l->min, l->max, l->range, &cnt,
				why, whylen)) != 0)
		return rc;
	for (uint32_t j = 0; j < cnt; j++) {
		const char *id = (const char *)&item + l->id_off;
		memset(&item, 0, sizeof item);
		if (canon_rd_map(r, &n) != 0)
			return body_fail(why, whylen, "%s", l->not_map);
		if ((rc = body_walk(r, n, l->item, l->f, l->nf, &item, NULL, why,
				    whylen)) != 0)
			return rc;
		memcpy(ids[j], id, sizeof ids[j]);
		if (body_earlier(ids, j, sizeof ids[0], 0))
			return body_fail(why, whylen, l->twice, id);
		if (dst != NULL)
			memcpy((char *)dst + j * l->size, &item, l->size);
	}
	if (count != NULL)
		*count = cnt;
	return 0;
}


/* Check canonical form and open the map; 0 or PAKT_EBODY. */
int body_open(struct canon_rd *r, const uint8_t *b, size_t len,
	      uint32_t *n)
{
	if (b == NULL || len > ENTRY_BODY_MAX ||
	    canon_check(b, len, CANON_MAX_DEPTH) != 0)
		return PAKT_EBODY;
	canon_rd_init(r, b, len);
	return canon_rd_map(r, n) == 0 ? 0 : PAKT_EBODY;
}

