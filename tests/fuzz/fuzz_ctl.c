/* Fuzz target: one control-socket frame body (after the 4-byte length),
 * decoded as paktd's dispatch does (daemon/ctl.c): ctl_unpack, the "op",
 * then the look-ups the op handlers make (mpx_get_* on every request
 * field, the "indicators" and "values" arrays of agenda.set and update),
 * and the look-ups pakt makes in a reply (cli/client.c). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <msgpack.h>

#include "proto/body.h"
#include "proto/ctlmsg.h"
#include "proto/err.h"
#include "proto/mpx.h"
#include "tests/fuzz/fuzz.h"

/* Each string field of a request and the buffer size its handler uses. */
static const struct {
	const char *key;
	size_t cap;
} cstrs[] = {
	{"type", ENTRY_TYPE_MAX + 1}, {"name", BODY_NAME_MAX + 1}, {"goal", BODY_TEXT_MAX + 1},
	{"code", INVITE_TEXT_MAX}, {"address", 256}, {"text", BODY_TEXT_MAX + 1},
	{"period", BODY_PERIOD_MAX + 1}, {"title", BODY_TITLE_MAX + 1}, {"due", 11},
	{"description", BODY_TEXT_MAX + 1}, {"indicator", BODY_ID_MAX + 1}, {"state", 12},
	{"note", BODY_TEXT_MAX + 1}, {"reason", BODY_REASON_MAX + 1}, {"filter", 64},
	{"sector", 9}, {"contact", BODY_CONTACT_MAX + 1}, {"network", 64}, {"error", 256},
};
static const char *const u64s[] = {"last", "ttl_ms", "from", "to", "seq", "code", "count"};
static const char *const bins[] = {"reply_to", "ref", "key", "commitment", "evidence",
				   "author", "entry", "network", "hash"};

/* daemon/ctl_work.c get_double */
static bool get_double(const msgpack_object *map, const char *key, double *v)
{
	const msgpack_object *o = mpx_get(map, key);

	if (o == NULL)
		return false;
	if (o->type == MSGPACK_OBJECT_FLOAT64 || o->type == MSGPACK_OBJECT_FLOAT32)
		*v = o->via.f64;
	else if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		*v = (double)o->via.u64;
	else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		*v = (double)o->via.i64;
	else
		return false;
	return isfinite(*v);
}

static void list(const msgpack_object *req, const char *key, const char *const *fields,
		 size_t n_fields, const char *num)
{
	const msgpack_object *a = mpx_get(req, key);
	char buf[BODY_NAME_MAX + 1];
	double d;

	if (a == NULL || a->type != MSGPACK_OBJECT_ARRAY)
		return;
	for (uint32_t i = 0; i < a->via.array.size && i < BODY_INDICATORS_MAX; i++) {
		const msgpack_object *x = &a->via.array.ptr[i];

		if (x->type != MSGPACK_OBJECT_MAP)
			continue;
		for (size_t f = 0; f < n_fields; f++)
			(void)mpx_get_cstr(x, fields[f], buf, BODY_ID_MAX + 1);
		(void)mpx_get_cstr(x, "name", buf, sizeof buf);
		(void)get_double(x, num, &d);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ind_fields[] = {"id", "unit", "direction"};
	static const char *const val_fields[] = {"indicator"};
	static char buf[BODY_TEXT_MAX + 1];
	msgpack_unpacked u;
	const char *s;
	const uint8_t *p;
	size_t len;
	uint64_t v;
	int64_t iv;
	bool b;
	uint8_t key[32];

	msgpack_unpacked_init(&u);
	if (ctl_unpack(&u, data, size) != 0)
		goto done;
	(void)mpx_get_str(&u.data, "op", &s, &len);
	for (size_t i = 0; i < sizeof cstrs / sizeof cstrs[0]; i++)
		if (mpx_get_cstr(&u.data, cstrs[i].key, buf, cstrs[i].cap) == 0 &&
		    strlen(buf) >= cstrs[i].cap)
			abort();
	for (size_t i = 0; i < sizeof u64s / sizeof u64s[0]; i++) {
		(void)mpx_get_u64(&u.data, u64s[i], &v);
		(void)mpx_get_i64(&u.data, u64s[i], &iv);
	}
	for (size_t i = 0; i < sizeof bins / sizeof bins[0]; i++) {
		(void)mpx_get_binn(&u.data, bins[i], key, 32);
		(void)mpx_get_bin(&u.data, bins[i], &p, &len);
	}
	(void)mpx_get_bool(&u.data, "follow", &b);
	(void)mpx_get_bool(&u.data, "ok", &b);
	(void)mpx_get_str(&u.data, "text", &s, &len);
	(void)mpx_get(&u.data, "to");
	list(&u.data, "indicators", ind_fields, 3, "target");
	list(&u.data, "values", val_fields, 1, "value");
done:
	msgpack_unpacked_destroy(&u);
	return 0;
}
