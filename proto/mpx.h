/* Small msgpack-c helpers: a growable output buffer with its packer, and
 * typed look-ups in a decoded map that treat the map as untrusted data. */
#ifndef PAKT_MPX_H
#define PAKT_MPX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

/* An output buffer and its packer. mpx_init() cannot fail; msgpack-c aborts
 * on out-of-memory inside sbuffer. Free with mpx_free(). */
struct mpx_out {
	msgpack_sbuffer sb;
	msgpack_packer pk;
};
void mpx_init(struct mpx_out *o);
void mpx_free(struct mpx_out *o);
/* Reset to empty, keeping the allocation. */
void mpx_reset(struct mpx_out *o);

/* Pack helpers (keys must be packed in canonical order by the caller). */
void mpx_str(msgpack_packer *pk, const char *s);
void mpx_strn(msgpack_packer *pk, const char *s, size_t n);
void mpx_bin(msgpack_packer *pk, const void *p, size_t n);
void mpx_kv_str(msgpack_packer *pk, const char *key, const char *val);
void mpx_kv_u64(msgpack_packer *pk, const char *key, uint64_t val);
void mpx_kv_i64(msgpack_packer *pk, const char *key, int64_t val);
void mpx_kv_bin(msgpack_packer *pk, const char *key, const void *p, size_t n);
void mpx_kv_bool(msgpack_packer *pk, const char *key, bool val);

/* Look-ups in a map object. Each returns 0; PAKT_ENOTFOUND when the key is
 * absent (and `required` is false the caller may ignore that);
 * PAKT_ETYPE when the value has another type or does not fit. Strings are
 * borrowed from the object (not NUL-terminated). */
const msgpack_object *mpx_get(const msgpack_object *map, const char *key);
int mpx_get_str(const msgpack_object *map, const char *key,
		const char **s, size_t *len);
/* Copy a string into out[cap] with a NUL; PAKT_ETOOBIG if it does not fit,
 * PAKT_ETYPE if it contains a NUL byte. */
int mpx_get_cstr(const msgpack_object *map, const char *key, char *out,
		 size_t cap);
int mpx_get_u64(const msgpack_object *map, const char *key, uint64_t *v);
int mpx_get_i64(const msgpack_object *map, const char *key, int64_t *v);
int mpx_get_bool(const msgpack_object *map, const char *key, bool *v);
/* bin of exactly n bytes */
int mpx_get_binn(const msgpack_object *map, const char *key, uint8_t *out,
		 size_t n);
int mpx_get_bin(const msgpack_object *map, const char *key,
		const uint8_t **p, size_t *len);

/* Before msgpack-c sees untrusted bytes: buf[0..len) must be exactly one
 * well-formed value, no deeper than max_depth, whose every array/map/str/
 * bin length fits in the bytes present (msgpack-c allocates from a header's
 * count before reading the elements). 0 or PAKT_EPROTO. */
int mpx_check(const uint8_t *buf, size_t len, int max_depth);

#endif
