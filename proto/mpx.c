/* msgpack-c helpers: an output buffer with its packer, typed look-ups in untrusted maps. */
#include "proto/mpx.h"

#include <string.h>

#include "proto/err.h"

void mpx_init(struct mpx_out *o)
{
	msgpack_sbuffer_init(&o->sb);
	msgpack_packer_init(&o->pk, &o->sb, msgpack_sbuffer_write);
}

void mpx_free(struct mpx_out *o)
{
	if (o == NULL)
		return;
	msgpack_sbuffer_destroy(&o->sb);
	o->sb.data = NULL;
	o->sb.size = o->sb.alloc = 0;
}

void mpx_reset(struct mpx_out *o)
{
	msgpack_sbuffer_clear(&o->sb);
}

void mpx_strn(msgpack_packer *pk, const char *s, size_t n)
{
	msgpack_pack_str(pk, n);
	if (n > 0)
		msgpack_pack_str_body(pk, s, n);
}

void mpx_str(msgpack_packer *pk, const char *s)
{
	mpx_strn(pk, s, s == NULL ? 0 : strlen(s));
}

void mpx_bin(msgpack_packer *pk, const void *p, size_t n)
{
	msgpack_pack_bin(pk, n);
	if (n > 0)
		msgpack_pack_bin_body(pk, p, n);
}

void mpx_kv_str(msgpack_packer *pk, const char *key, const char *val)
{
	mpx_str(pk, key);
	mpx_str(pk, val);
}

void mpx_kv_u64(msgpack_packer *pk, const char *key, uint64_t val)
{
	mpx_str(pk, key);
	msgpack_pack_uint64(pk, val);   /* msgpack-c picks the smallest form */
}

void mpx_kv_i64(msgpack_packer *pk, const char *key, int64_t val)
{
	mpx_str(pk, key);
	msgpack_pack_int64(pk, val);    /* non-negative values get uint forms */
}

void mpx_kv_bin(msgpack_packer *pk, const char *key, const void *p, size_t n)
{
	mpx_str(pk, key);
	mpx_bin(pk, p, n);
}

void mpx_kv_bool(msgpack_packer *pk, const char *key, bool val)
{
	mpx_str(pk, key);
	if (val)
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
}

const msgpack_object *mpx_get(const msgpack_object *map, const char *key)
{
	if (map == NULL || map->type != MSGPACK_OBJECT_MAP || key == NULL)
		return NULL;
	size_t klen = strlen(key);
	for (uint32_t i = 0; i < map->via.map.size; i++) {
		const msgpack_object *k = &map->via.map.ptr[i].key;
		if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == klen &&
		    memcmp(k->via.str.ptr, key, klen) == 0)
			return &map->via.map.ptr[i].val;
	}
	return NULL;
}

/* Find key, or say why not: PAKT_ETYPE when map is no map. */
static int lookup(const msgpack_object *map, const char *key,
		  const msgpack_object **v)
{
	if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
		return PAKT_ETYPE;
	*v = mpx_get(map, key);
	return *v == NULL ? PAKT_ENOTFOUND : 0;
}

int mpx_get_str(const msgpack_object *map, const char *key,
		const char **s, size_t *len)
{
	const msgpack_object *v;
	int rc = lookup(map, key, &v);
	if (rc != 0)
		return rc;
	if (v->type != MSGPACK_OBJECT_STR)
		return PAKT_ETYPE;
	*s = v->via.str.ptr;
	*len = v->via.str.size;
	return 0;
}

int mpx_get_cstr(const msgpack_object *map, const char *key, char *out,
		 size_t cap)
{
	const char *s;
	size_t len;
	int rc = mpx_get_str(map, key, &s, &len);
	if (rc != 0)
		return rc;
	if (memchr(s, '\0', len) != NULL)
		return PAKT_ETYPE;
	if (cap == 0 || len > cap - 1)
		return PAKT_ETOOBIG;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

int mpx_get_u64(const msgpack_object *map, const char *key, uint64_t *v)
{
	const msgpack_object *o;
	int rc = lookup(map, key, &o);
	if (rc != 0)
		return rc;
	if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return PAKT_ETYPE;
	*v = o->via.u64;
	return 0;
}

int mpx_get_i64(const msgpack_object *map, const char *key, int64_t *v)
{
	const msgpack_object *o;
	int rc = lookup(map, key, &o);
	if (rc != 0)
		return rc;
	if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
		*v = o->via.i64;
		return 0;
	}
	if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    o->via.u64 > (uint64_t)INT64_MAX)
		return PAKT_ETYPE;
	*v = (int64_t)o->via.u64;
	return 0;
}

int mpx_get_bool(const msgpack_object *map, const char *key, bool *v)
{
	const msgpack_object *o;
	int rc = lookup(map, key, &o);
	if (rc != 0)
		return rc;
	if (o->type != MSGPACK_OBJECT_BOOLEAN)
		return PAKT_ETYPE;
	*v = o->via.boolean;
	return 0;
}

int mpx_get_bin(const msgpack_object *map, const char *key,
		const uint8_t **p, size_t *len)
{
	const msgpack_object *o;
	int rc = lookup(map, key, &o);
	if (rc != 0)
		return rc;
	if (o->type != MSGPACK_OBJECT_BIN)
		return PAKT_ETYPE;
	*p = (const uint8_t *)o->via.bin.ptr;
	*len = o->via.bin.size;
	return 0;
}

int mpx_get_binn(const msgpack_object *map, const char *key, uint8_t *out,
		 size_t n)
{
	const uint8_t *p;
	size_t len;
	int rc = mpx_get_bin(map, key, &p, &len);
	if (rc != 0)
		return rc;
	if (len != n)
		return PAKT_ETYPE;
	memcpy(out, p, n);
	return 0;
}

static uint32_t load_be(const uint8_t *p, int n)
{
	uint32_t v = 0;

	while (n-- > 0)
		v = v << 8 | *p++;
	return v;
}

/* Skip one msgpack value in p[0..end), no deeper than depth; NULL if it is
 * malformed or runs past end. msgpack-c allocates an array or map's
 * elements from the count in its header before it reads them: checking
 * every count against the bytes left (each element takes at least one)
 * keeps a hostile header from making it allocate gigabytes. */
static const uint8_t *skip_value(const uint8_t *p, const uint8_t *end, int depth)
{
	uint64_t n = 0, skip = 0;
	int w = 0;
	uint8_t b;

	if (p >= end || depth < 0)
		return NULL;
	b = *p++;
	if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
		return p;                       /* fixint, nil, bool */
	if (b >= 0xa0 && b <= 0xbf)
		return (uint64_t)(end - p) < (b & 0x1fu) ? NULL : p + (b & 0x1f);
	if (b <= 0x8f) {                        /* fixmap: key and value */
		n = 2u * (b & 0x0f);
		goto skip_items;
	}
	if (b <= 0x9f) {                        /* fixarray */
		n = b & 0x0f;
		goto skip_items;
	}
	switch (b) {
	case 0xca: skip = 4; goto skip_bytes;          /* float32 */
	case 0xcb: skip = 8; goto skip_bytes;          /* float64 */
	case 0xcc: case 0xd0: skip = 1; goto skip_bytes;
	case 0xcd: case 0xd1: skip = 2; goto skip_bytes;
	case 0xce: case 0xd2: skip = 4; goto skip_bytes;
	case 0xcf: case 0xd3: skip = 8; goto skip_bytes;
	case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
		skip = 1 + (1u << (b - 0xd4)); goto skip_bytes;  /* fixext: type + data */
	case 0xc4: case 0xc7: case 0xd9: w = 1; break;  /* bin, ext, str 8 */
	case 0xc5: case 0xc8: case 0xda: w = 2; break;  /* ... 16 */
	case 0xc6: case 0xc9: case 0xdb: w = 4; break;  /* ... 32 */
	case 0xdc: case 0xde: w = 2; break;     /* array, map 16 */
	case 0xdd: case 0xdf: w = 4; break;     /* array, map 32 */
	default: return NULL;                   /* 0xc1: never used */
	}
	if (end - p < w)
		return NULL;
	n = load_be(p, w);
	p += w;
	if (b >= 0xdc) {
		if (b >= 0xde)
			n *= 2;
		goto skip_items;
	}
	skip = n + (b >= 0xc7 && b <= 0xc9 ? 1 : 0); /* ext: + its type */

skip_bytes:
	if ((uint64_t)(end - p) < skip)
		return NULL;
	return p + skip;

skip_items:
	if ((uint64_t)(end - p) < n)
		return NULL;
	while (n-- > 0) {
		p = skip_value(p, end, depth - 1);
		if (p == NULL)
			return NULL;
	}
	return p;
}

int mpx_check(const uint8_t *buf, size_t len, int max_depth)
{
	return skip_value(buf, buf + len, max_depth) == buf + len ? 0 : PAKT_EPROTO;
}
