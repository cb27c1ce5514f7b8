/* The "have" message of replication version 2 (PROTOCOL.md, "Epidemic
 * broadcast trees"): notes of heads, grafts and prunes, in one map. */
#include <stdio.h>
#include <string.h>
#include "proto/canon.h"
#include "proto/err.h"
#include "proto/wire.h"

static void pack_pairs(struct mpx_out *o, const char *key, const struct wire_clock_item *v,
		       size_t n)
{
	mpx_str(&o->pk, key);
	msgpack_pack_array(&o->pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		msgpack_pack_array(&o->pk, 2);
		mpx_bin(&o->pk, v[i].author, 32);
		msgpack_pack_uint64(&o->pk, v[i].seq);
	}
}

void wire_have(struct mpx_out *o, const struct wire_clock_item *notes, size_t n_notes,
	       const struct wire_clock_item *grafts, size_t n_grafts,
	       const uint8_t *const *prunes, size_t n_prunes)
{
	mpx_reset(o);
	msgpack_pack_map(&o->pk, 1 + (n_grafts > 0) + (n_notes > 0) + (n_prunes > 0));
	/* keys in canonical (bytewise) order */
	if (n_grafts > 0)
		pack_pairs(o, "eager", grafts, n_grafts);
	if (n_notes > 0)
		pack_pairs(o, "have", notes, n_notes);
	if (n_prunes > 0) {
		mpx_str(&o->pk, "lazy");
		msgpack_pack_array(&o->pk, (uint32_t)n_prunes);
		for (size_t i = 0; i < n_prunes; i++)
			mpx_bin(&o->pk, prunes[i], 32);
	}
	mpx_kv_str(&o->pk, "t", "have");
}

static bool is(const char *k, uint32_t klen, const char *want)
{
	return klen == strlen(want) && memcmp(k, want, klen) == 0;
}

static int read_author(struct canon_rd *r, const uint8_t **out)
{
	uint32_t n;

	return canon_rd_bin(r, out, &n) != 0 || n != 32 ? PAKT_EPROTO : 0;
}

static int read_pairs(struct canon_rd *r, struct wire_clock_item *v, size_t *count)
{
	uint32_t n, pair;

	if (canon_rd_array(r, &n) != 0 || n > WIRE_HAVE_MAX)
		return PAKT_EPROTO;
	for (uint32_t i = 0; i < n; i++)
		if (canon_rd_array(r, &pair) != 0 || pair != 2 || read_author(r, &v[i].author) != 0 ||
		    canon_rd_uint(r, &v[i].seq) != 0)
			return PAKT_EPROTO;
	*count = n;
	return 0;
}

bool wire_have_field(struct canon_rd *r, const char *k, uint32_t klen, struct wire_msg *m,
		     struct wire_scratch *s, int *rc, char *why, size_t whylen)
{
	const char *bad = NULL;

	*rc = 0;
	if (is(k, klen, "have")) {
		/* the clock's array: a "have" carries no clock fields */
		m->notes = s->feeds;
		if (read_pairs(r, s->feeds, &m->n_notes) != 0)
			bad = "bad 'have' notes";
	} else if (is(k, klen, "eager")) {
		m->grafts = s->grafts;
		if (read_pairs(r, s->grafts, &m->n_grafts) != 0)
			bad = "bad 'eager' list";
	} else if (is(k, klen, "lazy")) {
		uint32_t n;

		m->prunes = s->skip;
		if (canon_rd_array(r, &n) != 0 || n > WIRE_HAVE_MAX)
			bad = "bad 'lazy' list";
		for (uint32_t i = 0; bad == NULL && i < n; i++)
			if (read_author(r, &s->skip[i]) != 0)
				bad = "bad 'lazy' list";
		m->n_prunes = n;
	} else {
		return false;
	}
	if (bad == NULL && m->n_notes + m->n_grafts + m->n_prunes > WIRE_HAVE_MAX)
		bad = "'have' lists more than 1024 feeds";
	if (bad != NULL) {
		snprintf(why, whylen, "%s", bad);
		*rc = PAKT_EPROTO;
	}
	return true;
}
