/* Membership derived from genesis and member entries. */
#include <stdlib.h>
#include <string.h>
#include "daemon/members.h"
#include "proto/canon.h"
#include "proto/entry.h"
#include "proto/err.h"

struct act {
	uint64_t ts;
	uint8_t hash[32];
	uint8_t author[32];
	struct body_member body;
};

struct collect {
	struct act *v;
	size_t n, cap;
	struct members *m;
	int rc;
};

static struct member *slot(struct members *m, const uint8_t key[32])
{
	struct member *v;

	for (size_t i = 0; i < m->n; i++)
		if (memcmp(m->v[i].key, key, 32) == 0)
			return &m->v[i];
	v = realloc(m->v, (m->n + 1) * sizeof *v);
	if (v == NULL)
		return NULL;
	m->v = v;
	memset(&v[m->n], 0, sizeof *v);
	memcpy(v[m->n].key, key, 32);
	return &v[m->n++];
}

/* The genesis: its admins are the first members. */
static int apply_genesis(struct members *m, const struct entry *e)
{
	struct canon_rd r;
	uint32_t n, k;

	canon_rd_init(&r, e->body, e->body_len);
	if (canon_rd_map(&r, &n) != 0)
		return PAKT_EBODY;
	for (uint32_t i = 0; i < n; i++) {
		const char *key;
		uint32_t klen;

		if (canon_rd_str(&r, &key, &klen) != 0)
			return PAKT_EBODY;
		if (klen == 6 && memcmp(key, "admins", 6) == 0) {
			if (canon_rd_array(&r, &k) != 0)
				return PAKT_EBODY;
			for (uint32_t j = 0; j < k; j++) {
				const uint8_t *pk;
				uint32_t len;
				struct member *s;

				if (canon_rd_bin(&r, &pk, &len) != 0 || len != 32)
					return PAKT_EBODY;
				if ((s = slot(m, pk)) == NULL)
					return PAKT_ENOMEM;
				s->admin = true;
				memcpy(s->added_by, e->h.author, 32);
				s->since_ms = e->h.timestamp;
			}
		} else if (klen == 4 && memcmp(key, "name", 4) == 0) {
			const char *s;
			uint32_t len;

			if (canon_rd_str(&r, &s, &len) != 0 || len > BODY_NAME_MAX)
				return PAKT_EBODY;
			memcpy(m->network_name, s, len);
			m->network_name[len] = '\0';
		} else if (canon_rd_skip(&r) != 0) {
			return PAKT_EBODY;
		}
	}
	m->has_genesis = true;
	return 0;
}

static int on_row(void *arg, const struct store_row *row)
{
	struct collect *c = arg;
	struct entry e;

	if (entry_from_parts(&e, row->header, row->header_len, row->sig, row->body,
			     row->body_len) != 0 || e.body == NULL)
		return 0;   /* damaged or redacted: pakt verify reports it */
	if (strcmp(e.h.type, "genesis") == 0) {
		c->rc = apply_genesis(c->m, &e);
		return c->rc;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct act *v = realloc(c->v, cap * sizeof *v);

		if (v == NULL)
			return c->rc = PAKT_ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	struct act *a = &c->v[c->n];
	if (body_member_parse(e.body, e.body_len, &a->body) != 0)
		return 0;
	a->ts = e.h.timestamp;
	memcpy(a->hash, e.hash, 32);
	memcpy(a->author, e.h.author, 32);
	c->n++;
	return 0;
}

static int act_cmp(const void *pa, const void *pb)
{
	const struct act *a = pa, *b = pb;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return memcmp(a->hash, b->hash, 32);
}

int members_load(struct members *m, struct store *s, const uint8_t network[32])
{
	struct store_query q = {.network = network, .type = "genesis"};
	struct collect c = {.m = m};
	int rc;

	members_free(m);
	rc = store_scan(s, &q, on_row, &c);
	q.type = "member";
	if (rc == 0)
		rc = store_scan(s, &q, on_row, &c);
	if (rc == 0 && c.rc != 0)
		rc = c.rc;
	if (rc == 0) {
		if (c.n > 1)
			qsort(c.v, c.n, sizeof *c.v, act_cmp);
		for (size_t i = 0; i < c.n && rc == 0; i++) {
			const struct act *a = &c.v[i];
			struct member *t;

			/* only an admin at that moment can admit or remove */
			if (!members_is_admin(m, a->author)) {
				m->ignored++;
				continue;
			}
			if ((t = slot(m, a->body.key)) == NULL) {
				rc = PAKT_ENOMEM;
				break;
			}
			if (a->body.add) {
				t->removed = false;
				t->admin = a->body.admin;
				memcpy(t->name, a->body.name, sizeof t->name);
				memcpy(t->added_by, a->author, 32);
				t->since_ms = a->ts;
			} else {
				t->removed = true;
				t->removed_ms = a->ts;
			}
		}
	}
	free(c.v);
	return rc;
}

void members_free(struct members *m)
{
	free(m->v);
	memset(m, 0, sizeof *m);
}

const struct member *members_find(const struct members *m, const uint8_t key[32])
{
	for (size_t i = 0; i < m->n; i++)
		if (!m->v[i].removed && memcmp(m->v[i].key, key, 32) == 0)
			return &m->v[i];
	return NULL;
}

bool members_is_admin(const struct members *m, const uint8_t key[32])
{
	const struct member *x = members_find(m, key);

	return x != NULL && x->admin;
}
