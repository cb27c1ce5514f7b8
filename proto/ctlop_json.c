/* The JSON form of control replies and entry bodies, for 'pakt --json'
 * (written by hand: pakt carries no JSON library). */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "proto/canon.h"
#include "proto/ctlmsg.h"
#include "proto/ctlop_reply.h"
#include "proto/err.h"
#include "proto/id.h"

static void put(msgpack_sbuffer *out, const char *s)
{
	msgpack_sbuffer_write(out, s, strlen(s));
}

static void putc_(msgpack_sbuffer *out, char c)
{
	msgpack_sbuffer_write(out, &c, 1);
}

static void putf(msgpack_sbuffer *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(msgpack_sbuffer *out, const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	put(out, buf);
}

void ctlop_json_str(msgpack_sbuffer *out, const char *s, size_t len)
{
	putc_(out, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			putf(out, "\\%c", ch);
		else if (ch == '\n')
			put(out, "\\n");
		else if (ch == '\t')
			put(out, "\\t");
		else if (ch == '\r')
			put(out, "\\r");
		else if (ch < 0x20 || ch == 0x7f)
			putf(out, "\\u%04x", ch);
		else
			putc_(out, (char)ch);
	}
	putc_(out, '"');
}

static void hex(msgpack_sbuffer *out, const uint8_t *p, size_t n)
{
	putc_(out, '"');
	for (size_t i = 0; i < n; i++)
		putf(out, "%02x", p[i]);
	putc_(out, '"');
}

/* With ids: a 32-byte bin under key is a text id of the kind its key says. */
static enum id_kind kind_of(const char *key, size_t len)
{
	static const char *const entries[] = {"hash", "ref", "a", "b", "evidence", "reply_to", NULL};

	for (size_t i = 0; entries[i]; i++)
		if (strlen(entries[i]) == len && memcmp(entries[i], key, len) == 0)
			return ID_ENTRY;
	if (len == 7 && memcmp(key, "network", 7) == 0)
		return ID_NETWORK;
	return ID_KEY;
}

static void value(msgpack_sbuffer *out, const msgpack_object *o, bool ids, const char *key,
		  size_t klen)
{
	char idt[ID_TEXT_MAX];

	switch (o->type) {
	case MSGPACK_OBJECT_NIL: put(out, "null"); break;
	case MSGPACK_OBJECT_BOOLEAN: put(out, o->via.boolean ? "true" : "false"); break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER: putf(out, "%" PRIu64, o->via.u64); break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER: putf(out, "%" PRId64, o->via.i64); break;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		if (isfinite(o->via.f64))
			putf(out, "%.17g", o->via.f64);
		else
			put(out, "null");
		break;
	case MSGPACK_OBJECT_STR: ctlop_json_str(out, o->via.str.ptr, o->via.str.size); break;
	case MSGPACK_OBJECT_BIN:
		if (ids && o->via.bin.size == 32) {
			id_encode(kind_of(key, klen), (const uint8_t *)o->via.bin.ptr, idt);
			putf(out, "\"%s\"", idt);
		} else {
			hex(out, (const uint8_t *)o->via.bin.ptr, o->via.bin.size);
		}
		break;
	case MSGPACK_OBJECT_ARRAY:
		putc_(out, '[');
		for (uint32_t i = 0; i < o->via.array.size; i++) {
			if (i)
				putc_(out, ',');
			value(out, &o->via.array.ptr[i], ids, key, klen);
		}
		putc_(out, ']');
		break;
	case MSGPACK_OBJECT_MAP:
		putc_(out, '{');
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			const msgpack_object_kv *kv = &o->via.map.ptr[i];
			const char *k = "";
			size_t kl = 0;

			if (i)
				putc_(out, ',');
			if (kv->key.type == MSGPACK_OBJECT_STR) {
				k = kv->key.via.str.ptr;
				kl = kv->key.via.str.size;
				ctlop_json_str(out, k, kl);
			} else {
				put(out, "\"?\"");
			}
			putc_(out, ':');
			value(out, &kv->val, ids, k, kl);
		}
		putc_(out, '}');
		break;
	default: put(out, "null"); break;
	}
}

int ctlop_json_value(msgpack_sbuffer *out, const uint8_t *msg, size_t len)
{
	msgpack_unpacked u;
	size_t off = 0;
	int rc = PAKT_EPROTO;

	msgpack_unpacked_init(&u);
	if (mpx_check(msg, len, CANON_MAX_DEPTH) == 0 &&
	    msgpack_unpack_next(&u, (const char *)msg, len, &off) == MSGPACK_UNPACK_SUCCESS) {
		value(out, &u.data, true, "", 0);
		rc = 0;
	}
	msgpack_unpacked_destroy(&u);
	return rc;
}

int ctlop_reply_json(msgpack_sbuffer *out, const uint8_t *msg, size_t len, bool ids, bool keep_ok,
		     const char *only)
{
	msgpack_unpacked u;
	bool first = true;
	int rc;

	msgpack_unpacked_init(&u);
	rc = ctlmsg_unpack(&u, msg, len);
	if (rc != 0)
		goto destroy_unpacked;
	if (only != NULL) {
		const msgpack_object *v = mpx_get(&u.data, only);

		if (v != NULL)
			value(out, v, ids, only, strlen(only));
		else
			put(out, "[]");
		goto destroy_unpacked;
	}
	putc_(out, '{');
	for (uint32_t i = 0; i < u.data.via.map.size; i++) {
		const msgpack_object_kv *kv = &u.data.via.map.ptr[i];

		if (kv->key.type != MSGPACK_OBJECT_STR)
			continue;
		if (!keep_ok && kv->key.via.str.size == 2 && memcmp(kv->key.via.str.ptr, "ok", 2) == 0)
			continue;
		if (!first)
			putc_(out, ',');
		first = false;
		ctlop_json_str(out, kv->key.via.str.ptr, kv->key.via.str.size);
		putc_(out, ':');
		value(out, &kv->val, ids, kv->key.via.str.ptr, kv->key.via.str.size);
	}
	putc_(out, '}');
destroy_unpacked:
	msgpack_unpacked_destroy(&u);
	return rc;
}

int ctlop_map_str(const uint8_t *msg, size_t len, const char *key, const char **s, size_t *n)
{
	msgpack_unpacked u;
	size_t off = 0;
	int rc = PAKT_EPROTO;

	msgpack_unpacked_init(&u);
	if (mpx_check(msg, len, CANON_MAX_DEPTH) == 0 &&
	    msgpack_unpack_next(&u, (const char *)msg, len, &off) == MSGPACK_UNPACK_SUCCESS &&
	    u.data.type == MSGPACK_OBJECT_MAP)
		rc = mpx_get_str(&u.data, key, s, n) == 0 ? 0 : PAKT_ENOTFOUND;
	msgpack_unpacked_destroy(&u);
	return rc;
}
