/* Membership derived from genesis and member entries: the store's side of
 * proto/roster.c, which holds the rules (shared with the offline bundle
 * checker, so both derive the same member set). */
#include <stdlib.h>
#include <string.h>
#include "daemon/members.h"
#include "proto/entry.h"
#include "proto/err.h"
#include "proto/roster.h"

struct collect {
	struct roster r;
	int rc;
};

static int on_row(void *arg, const struct store_row *row)
{
	struct collect *c = arg;
	struct entry e;

	if (entry_from_parts(&e, row->header, row->header_len, row->sig, row->body,
			     row->body_len) != 0 || e.body == NULL)
		return 0;   /* damaged or redacted: pakt verify reports it */
	if (strcmp(e.h.type, "genesis") == 0)
		c->rc = roster_genesis(&c->r, &e);
	else
		c->rc = roster_add(&c->r, &e);   /* skips bodies that are not member bodies */
	return c->rc;
}

/* Copy the roster's members into m (m->v replaced). */
static int from_roster(struct members *m, const struct roster *r)
{
	if (r->n > 0 && (m->v = calloc(r->n, sizeof *m->v)) == NULL)
		return PAKT_ENOMEM;
	for (size_t i = 0; i < r->n; i++) {
		const struct roster_member *s = &r->v[i];
		struct member *t = &m->v[i];

		memcpy(t->key, s->key, 32);
		memcpy(t->name, s->name, sizeof t->name);
		t->admin = s->admin;
		t->removed = s->removed;
		memcpy(t->added_by, s->added_by, 32);
		t->since_ms = s->since_ms;
		t->removed_ms = s->removed_ms;
	}
	m->n = r->n;
	m->has_genesis = r->has_genesis;
	memcpy(m->network_name, r->network_name, sizeof m->network_name);
	m->ignored = r->ignored;
	return 0;
}

int members_load(struct members *m, struct store *s, const uint8_t network[32])
{
	struct store_query q = {.network = network, .type = "genesis"};
	struct collect c;
	int rc, rc2;

	_Static_assert(sizeof m->v->name == sizeof c.r.v->name, "member names differ in size");
	members_free(m);
	roster_init(&c.r);
	c.rc = 0;
	rc = store_scan(s, &q, on_row, &c);
	q.type = "member";
	if (rc == 0)
		rc = store_scan(s, &q, on_row, &c);
	if (rc == 0 && c.rc != 0)
		rc = c.rc;
	if (rc == 0)
		rc = roster_finish(&c.r);
	rc2 = from_roster(m, &c.r);
	roster_free(&c.r);
	return rc != 0 ? rc : rc2;
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
