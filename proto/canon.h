/* Canonical msgpack: exactly one encoding per value.
 *
 * Canonical means: every int, str/bin/array/map length in its smallest form;
 * floats only as float64 and never NaN; strings valid UTF-8; map keys are
 * strings, sorted bytewise (memcmp, a shorter key before a longer key it is a
 * prefix of) and unique; no ext types; nothing after the value. A decoder
 * checks by decode, re-encode, compare, plus the checks above. */
#ifndef PAKT_CANON_H
#define PAKT_CANON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

/* Deepest nesting of arrays/maps we accept anywhere (a scalar is depth 0,
 * [1] is depth 1). */
#define CANON_MAX_DEPTH 8
/* The most any caller may ask for: msgpack-c's unpack stack is 32 deep. */
#define CANON_DEPTH_LIMIT 32

/* Check that buf[0..len) is exactly one canonical msgpack value nested at
 * most max_depth deep (values above CANON_DEPTH_LIMIT count as that limit:
 * msgpack-c's unpacker cannot go deeper). Returns 0, or the PAKT_E... code of the first
 * problem: PAKT_ETRUNC, PAKT_ETRAILING, PAKT_EMSGPACK, PAKT_ENONMINIMAL,
 * PAKT_EFLOAT32, PAKT_ENAN, PAKT_EUTF8, PAKT_EKEYTYPE, PAKT_EKEYORDER,
 * PAKT_EKEYDUP, PAKT_EDEPTH. */
int canon_check(const uint8_t *buf, size_t len, unsigned max_depth);

/* canon_check(), then unpack into *out, which the caller initialises with
 * msgpack_unpacked_init() and frees with msgpack_unpacked_destroy() (also
 * on failure). The objects borrow nothing from buf after return. */
int canon_unpack(msgpack_unpacked *out, const uint8_t *buf, size_t len,
		 unsigned max_depth);

/* True when s[0..len) is valid UTF-8 (no overlongs, no surrogates, at most
 * U+10FFFF). */
bool canon_utf8_valid(const char *s, size_t len);

/* Bytewise key order used for maps: <0, 0, >0 like memcmp. */
int canon_key_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* A cursor over bytes that canon_check() accepted, for decoders that read
 * fixed shapes (entry headers, bodies) without building msgpack_object
 * trees or touching the heap. Each call reads one value of the expected
 * type and advances; PAKT_ETYPE when the next value has another type (the
 * cursor is then unchanged), PAKT_ETRUNC at the end of the bytes. */
struct canon_rd {
	const uint8_t *p;
	const uint8_t *end;
};
void canon_rd_init(struct canon_rd *r, const uint8_t *buf, size_t len);
int canon_rd_array(struct canon_rd *r, uint32_t *n);
int canon_rd_map(struct canon_rd *r, uint32_t *n);
int canon_rd_uint(struct canon_rd *r, uint64_t *v);
/* str and bin borrow from the cursor's bytes */
int canon_rd_str(struct canon_rd *r, const char **s, uint32_t *len);
int canon_rd_bin(struct canon_rd *r, const uint8_t **p, uint32_t *len);
/* Consume a nil and return true, or return false and consume nothing. */
bool canon_rd_nil(struct canon_rd *r);
/* Skip one whole value of any type. */
int canon_rd_skip(struct canon_rd *r);

#endif
