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
