/* Membership derived from genesis and member entries (see roster.h). */
#include <stdlib.h>
#include <string.h>
#include "proto/canon.h"
#include "proto/err.h"
#include "proto/roster.h"

struct roster_act {
	uint64_t ts;
	uint8_t hash[32];
	uint8_t author[32];
	struct body_member body;
};

void roster_init(struct roster *r)
{
	memset(r, 0, sizeof *r);
}

void roster_free(struct roster *r)
{
	free(r->v);
	free(r->p);
	free(r->acts);
	memset(r, 0, sizeof *r);
}

const struct roster_member *roster_lookup(const struct roster *r, const uint8_t key[32])
{
	for (size_t i = 0; i < r->n; i++)
		if (memcmp(r->v[i].key, key, 32) == 0)
			return &r->v[i];
	return NULL;
}

const struct roster_member *roster_find(const struct roster *r, const uint8_t key[32])
{
	const struct roster_member *m = roster_lookup(r, key);

	return m != NULL && !m->removed ? m : NULL;
}

bool roster_is_admin(const struct roster *r, const uint8_t key[32])
{
	const struct roster_member *x = roster_find(r, key);

	return x != NULL && x->admin;
}

bool roster_member_at(const struct roster *r, const uint8_t key[32], uint64_t t)
{
	for (size_t i = 0; i < r->np; i++)
		if (memcmp(r->p[i].key, key, 32) == 0 && r->p[i].from <= t && t < r->p[i].to)
			return true;
	return false;
}

/* The record of key, created (zeroed, not removed) if new. */
static struct roster_member *slot(struct roster *r, const uint8_t key[32])
{
	struct roster_member *v;

	for (size_t i = 0; i < r->n; i++)
		if (memcmp(r->v[i].key, key, 32) == 0)
			return &r->v[i];
	v = realloc(r->v, (r->n + 1) * sizeof *v);
	if (v == NULL)
		return NULL;
	r->v = v;
	memset(&v[r->n], 0, sizeof *v);
	memcpy(v[r->n].key, key, 32);
	return &v[r->n++];
}

static int period_open(struct roster *r, const uint8_t key[32], uint64_t from)
{
	if (r->np == r->pcap) {
		size_t cap = r->pcap ? r->pcap * 2 : 8;
		struct roster_period *p = realloc(r->p, cap * sizeof *p);

		if (p == NULL)
			return PAKT_ENOMEM;
		r->p = p;
		r->pcap = cap;
	}
	memcpy(r->p[r->np].key, key, 32);
	r->p[r->np].from = from;
	r->p[r->np].to = UINT64_MAX;
	r->np++;
	return 0;
}

static void period_close(struct roster *r, const uint8_t key[32], uint64_t to)
{
	for (size_t i = 0; i < r->np; i++)
		if (memcmp(r->p[i].key, key, 32) == 0 && r->p[i].to == UINT64_MAX)
			r->p[i].to = to;
}

int roster_genesis(struct roster *r, const struct entry *e)
{
	struct canon_rd rd;
	uint32_t n, k;

	if (e->body == NULL)
		return PAKT_EBODY;
	canon_rd_init(&rd, e->body, e->body_len);
	if (canon_rd_map(&rd, &n) != 0)
		return PAKT_EBODY;
	for (uint32_t i = 0; i < n; i++) {
		const char *key;
		uint32_t klen;

		if (canon_rd_str(&rd, &key, &klen) != 0)
			return PAKT_EBODY;
		if (klen == 6 && memcmp(key, "admins", 6) == 0) {
			if (canon_rd_array(&rd, &k) != 0)
				return PAKT_EBODY;
			for (uint32_t j = 0; j < k; j++) {
				const uint8_t *pk;
				uint32_t len;
				struct roster_member *s;
				bool was;

				if (canon_rd_bin(&rd, &pk, &len) != 0 || len != 32)
					return PAKT_EBODY;
				was = roster_find(r, pk) != NULL;
				if ((s = slot(r, pk)) == NULL)
					return PAKT_ENOMEM;
				s->admin = true;
				memcpy(s->added_by, e->h.author, 32);
				s->since_ms = e->h.timestamp;
				if (!was && period_open(r, pk, 0) != 0)
					return PAKT_ENOMEM;
			}
		} else if (klen == 4 && memcmp(key, "name", 4) == 0) {
			const char *s;
			uint32_t len;

			if (canon_rd_str(&rd, &s, &len) != 0 || len > BODY_NAME_MAX)
				return PAKT_EBODY;
			memcpy(r->network_name, s, len);
			r->network_name[len] = '\0';
		} else if (canon_rd_skip(&rd) != 0) {
			return PAKT_EBODY;
		}
	}
	r->has_genesis = true;
	return 0;
}

int roster_add(struct roster *r, const struct entry *e)
{
	struct roster_act *a;

	if (r->n_acts == r->cap_acts) {
		size_t cap = r->cap_acts ? r->cap_acts * 2 : 16;
		struct roster_act *v = realloc(r->acts, cap * sizeof *v);

		if (v == NULL)
			return PAKT_ENOMEM;
		r->acts = v;
		r->cap_acts = cap;
	}
	a = &r->acts[r->n_acts];
	if (e->body == NULL || body_member_parse(e->body, e->body_len, &a->body) != 0)
		return 0;   /* redacted or not a member body: no effect */
	a->ts = e->h.timestamp;
	memcpy(a->hash, e->hash, 32);
	memcpy(a->author, e->h.author, 32);
	r->n_acts++;
	return 0;
}

static int act_cmp(const void *pa, const void *pb)
{
	const struct roster_act *a = pa, *b = pb;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return memcmp(a->hash, b->hash, 32);
}

int roster_finish(struct roster *r)
{
	int rc = 0;

	if (r->n_acts > 1)
		qsort(r->acts, r->n_acts, sizeof *r->acts, act_cmp);
	for (size_t i = 0; i < r->n_acts && rc == 0; i++) {
		const struct roster_act *a = &r->acts[i];
		struct roster_member *t;
		bool was;

		/* only an admin at that moment can admit or remove */
		if (!roster_is_admin(r, a->author)) {
			r->ignored++;
			continue;
		}
		was = roster_find(r, a->body.key) != NULL;
		if ((t = slot(r, a->body.key)) == NULL) {
			rc = PAKT_ENOMEM;
			break;
		}
		if (a->body.add) {
			t->removed = false;
			t->admin = a->body.admin;
			memcpy(t->name, a->body.name, sizeof t->name);
			memcpy(t->added_by, a->author, 32);
			t->since_ms = a->ts;
			if (!was)
				rc = period_open(r, a->body.key, a->ts);
		} else {
			t->removed = true;
			t->removed_ms = a->ts;
			if (was)
				period_close(r, a->body.key, a->ts);
		}
	}
	free(r->acts);
	r->acts = NULL;
	r->n_acts = r->cap_acts = 0;
	return rc;
}
