/* Internals shared by the body modules (body.c schemas, body_read.c
 * value readers and the map walker, body_build.c builders, sealed.c):
 * not for use outside proto/. Reasons go to why[whylen] (may be NULL). */
#ifndef PAKT_BODY_PRIV_H
#define PAKT_BODY_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/body.h"
#include "proto/canon.h"

#define KEYS_MAX (BODY_ADMINS_MAX > BODY_PARTIES_MAX ? BODY_ADMINS_MAX \
						     : BODY_PARTIES_MAX)

/* What a field's value is and how it is read. Values go into the
 * schema's struct at off (when it is not NULL). */
enum {
	F_STR,          /* str of min..max bytes, no NUL: char[] */
	F_ID,           /* id: char[] */
	F_DATE,         /* YYYY-MM-DD: char[] */
	F_PERIOD,       /* a period (date_period_parse): char[] */
	F_NUM,          /* finite float64: double */
	F_ENUM,         /* one of names: char[] */
	F_BIN32,        /* 32 bytes of bin: uint8_t[32] */
	F_BIN,          /* bin of min..max bytes: const uint8_t * */
	F_LIST,         /* array of maps with distinct ids (struct body_list):
			 * an array of the item struct */
	F_TRUE,         /* the value true (a marker: absent means false): bool */
	F_FN,           /* read by fn */
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct body_list;

struct body_field {
	const char *key;
	int kind;
	bool required;
	size_t min, max;                /* F_STR, F_BIN: length in bytes */
	size_t off;
	size_t off2;    /* + 1: F_NUM, F_BIN32 a bool set when present; F_BIN
			 * the uint32_t length; F_LIST the size_t count; 0 none */
	const char *const *names;       /* F_ENUM */
	const struct body_list *list;   /* F_LIST */
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
struct body_list {
	const char *type, *key;         /* the array: agenda "indicators" */
	uint32_t min, max;              /* max at most BODY_INDICATORS_MAX */
	const char *range;              /* reason (%d: max) out of min..max */
	const char *not_map;            /* reason: an item is not a map */
	const char *item;               /* the items' type, in reasons */
	const struct body_field *f;
	size_t nf, size, id_off;        /* item struct, offset of its id */
	const char *twice;              /* reason (%s: the id) */
};

/* A schema: the fields in key order, and a check of the whole. */
struct body_schema {
	const char *type;
	const struct body_field *f;
	size_t nf;
	int (*check)(unsigned seen, char *why, size_t whylen);
};

/* Reasons name the body type first ("agenda: ..."), except those of the
 * older message and genesis checks: type NULL. */
#define PREFIX(type) (type) ? (type) : "", (type) ? ": " : ""

/* Write the reason (printf format) and return PAKT_EBODY. */
int body_fail(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A peer's string, safe to print: printable ASCII, at most 32 chars. */
void body_printable(char out[36], const char *s, uint32_t len);
bool body_key_is(const char *k, uint32_t klen, const char *name);
int body_unknown_key(const char *type, const char *k, uint32_t klen,
		     char *why, size_t whylen);
int body_missing_key(const char *type, const char *key, char *why,
		     size_t whylen);
/* Schemas with a fixed set of keys: the next key must be name. */
int body_expect_key(struct canon_rd *r, const char *type, const char *name,
		    char *why, size_t whylen);
/* A str value of min..max bytes (UTF-8 was checked by canon_check). */
int body_rd_text(struct canon_rd *r, const char *key, size_t min, size_t max,
		 char *why, size_t whylen);
/* A bin value of min..max bytes; *p points into the body. */
int body_rd_bin(struct canon_rd *r, const char *type, const char *key,
		size_t min, size_t max, const uint8_t **p, uint32_t *len,
		char *why, size_t whylen);
int body_rd_bin32(struct canon_rd *r, const uint8_t **p, const char *key,
		  char *why, size_t whylen);
/* An array of min..max items; range is the reason (with a %d for max)
 * when the count is outside. */
int body_rd_array(struct canon_rd *r, const char *type, const char *key,
		  uint32_t min, uint32_t max, const char *range,
		  uint32_t *cnt, char *why, size_t whylen);
/* Item j of p[] repeats an earlier 32-byte key. */
bool body_seen32(const uint8_t *const *p, uint32_t j);
/* An array of 1..max (at most KEYS_MAX) distinct bin32 keys, into p[];
 * item is the reason when one is not 32 bytes of bin. */
int body_rd_keys(struct canon_rd *r, const char *type, const char *key,
		 uint32_t max, const char *range, const char *item,
		 const uint8_t **p, uint32_t *cnt, char *why, size_t whylen);
/* Copy s[len] with a NUL into dst (large enough) when dst is not NULL. */
void body_put(char *dst, const char *s, uint32_t len);
int body_rd_str(struct canon_rd *r, const char *type, const char *key,
		const char **s, uint32_t *len, char *why, size_t whylen);
/* A str value of min..max bytes without NUL bytes (it becomes a C string). */
int body_rd_cstr(struct canon_rd *r, const char *type, const char *key,
		 size_t min, size_t max, const char **s, uint32_t *len,
		 char *why, size_t whylen);
/* One of names[] (NULL-terminated); its index in *idx. */
int body_rd_enum(struct canon_rd *r, const char *type, const char *key,
		 const char *const *names, int *idx, char *why, size_t whylen);
/* [a-z0-9_-]{1,BODY_ID_MAX} */
bool body_id_valid(const char *s, size_t len);
/* HOST:PORT as a profile address (proto/PROTOCOL.md, "profile"). */
bool body_addr_valid(const char *s, size_t len);
/* True when item i of an array at base (stride bytes apart) repeats an
 * earlier one: its first size bytes, or its C string when size is 0. */
bool body_earlier(const void *base, size_t i, size_t stride, size_t size);

/* Walk the n keys of a map: each must be in f[] (in key order, as
 * canonical maps are); its value goes into out (may be NULL: validation
 * only). Bit i of *seen (may be NULL) tells that f[i] was there. */
int body_walk(struct canon_rd *r, uint32_t n, const char *type,
	      const struct body_field *f, size_t nf, void *out, unsigned *seen,
	      char *why, size_t whylen);
/* A map of schema s; out may be NULL (validation only). */
int body_parse_schema(struct canon_rd *r, uint32_t n,
		      const struct body_schema *s, void *out, char *why,
		      size_t whylen);
/* A whole body of schema s into *out (size bytes, cleared first): 0 or
 * PAKT_EBODY. */
int body_parse_into(const struct body_schema *s, const uint8_t *b, size_t len, void *out,
		    size_t size);
/* The shared-measurement schemas (body_measure.c). */
extern const struct body_schema body_agenda_schema, body_update_schema;

/* Check canonical form and open the map; 0 or PAKT_EBODY. */
int body_open(struct canon_rd *r, const uint8_t *b, size_t len, uint32_t *n);

/* Names of the status states and profile sectors (NULL-terminated). */
extern const char *const body_states[];
extern const char *const body_sectors[];
/* Index of "accept", "decline", "redact" in body.c's ref schemas, or -1. */
int body_ref_kind(const char *type);

#endif
