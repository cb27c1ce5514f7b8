/* Membership derived from genesis and member entries (see roster.h). */
#include <stdlib.h>
#include <string.h>
#include "proto/canon.h"
#include "proto/err.h"
#include "proto/keyroll.h"
#include "proto/roster.h"

enum { ACT_MEMBER, ACT_SUCCESSION, ACT_REVOKE };

struct roster_act {
	int kind;
	uint64_t ts, seq;
	uint8_t hash[32];
	uint8_t author[32];
	union {
		struct body_member member;
		uint8_t new_key[32];            /* succession (proof checked on add) */
		struct { uint8_t key[32]; uint64_t after; } revoke;
	} u;
};

bool roster_type(const char *type)
{
	return strcmp(type, "genesis") == 0 || strcmp(type, "member") == 0 ||
	       strcmp(type, "succession") == 0 || strcmp(type, "revoke") == 0;
}

void roster_init(struct roster *r)
{
	memset(r, 0, sizeof *r);
}

void roster_free(struct roster *r)
{
	free(r->v);
	free(r->p);
	free(r->acts);
	free(r->rv);
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
	memcpy(v[r->n].root, key, 32);
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
	struct body_succession sc;
	struct body_revoke rv;

	if (r->n_acts == r->cap_acts) {
		size_t cap = r->cap_acts ? r->cap_acts * 2 : 16;
		struct roster_act *v = realloc(r->acts, cap * sizeof *v);

		if (v == NULL)
			return PAKT_ENOMEM;
		r->acts = v;
		r->cap_acts = cap;
	}
	a = &r->acts[r->n_acts];
	if (e->body == NULL)
		return 0;   /* redacted: no effect */
	if (strcmp(e->h.type, "member") == 0) {
		if (body_member_parse(e->body, e->body_len, &a->u.member) != 0)
			return 0;
		a->kind = ACT_MEMBER;
	} else if (strcmp(e->h.type, "succession") == 0) {
		if (body_succession_parse(e->body, e->body_len, &sc) != 0)
			return 0;
		if (!e->h.has_network ||
		    !keyroll_proof_ok(sc.proof, e->h.network, e->h.author, sc.new_key)) {
			r->ignored++;   /* a successor that did not consent */
			return 0;
		}
		a->kind = ACT_SUCCESSION;
		memcpy(a->u.new_key, sc.new_key, 32);
	} else if (strcmp(e->h.type, "revoke") == 0) {
		if (body_revoke_parse(e->body, e->body_len, &rv) != 0)
			return 0;
		a->kind = ACT_REVOKE;
		memcpy(a->u.revoke.key, rv.key, 32);
		a->u.revoke.after = rv.after;
	} else {
		return 0;
	}
	a->ts = e->h.timestamp;
	a->seq = e->h.seq;
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

static int apply_member(struct roster *r, const struct roster_act *a)
{
	const struct body_member *b = &a->u.member;
	struct roster_member *t;
	bool was;

	/* only an admin at that moment can admit or remove */
	if (!roster_is_admin(r, a->author)) {
		r->ignored++;
		return 0;
	}
	was = roster_find(r, b->key) != NULL;
	if ((t = slot(r, b->key)) == NULL)
		return PAKT_ENOMEM;
	if (b->add) {
		t->removed = false;
		t->admin = b->admin;
		memcpy(t->name, b->name, sizeof t->name);
		memcpy(t->added_by, a->author, 32);
		t->since_ms = a->ts;
		return was ? 0 : period_open(r, b->key, a->ts);
	}
	t->removed = true;
	t->removed_ms = a->ts;
	if (was)
		period_close(r, b->key, a->ts);
	return 0;
}

static int apply_succession(struct roster *r, const struct roster_act *a)
{
	struct roster_member *old = (struct roster_member *)roster_find(r, a->author), *t;
	size_t oi = old ? (size_t)(old - r->v) : 0;

	/* a current member, not speaking after its revocation, naming a key
	 * that never had a place (so no one can take over another's record) */
	if (old == NULL || roster_untrusted(r, a->author, a->seq) != NULL ||
	    roster_lookup(r, a->u.new_key) != NULL) {
		r->ignored++;
		return 0;
	}
	if ((t = slot(r, a->u.new_key)) == NULL)
		return PAKT_ENOMEM;
	old = &r->v[oi];   /* slot() may have moved the array */
	memcpy(t->name, old->name, sizeof t->name);
	t->admin = old->admin;
	memcpy(t->added_by, a->author, 32);
	t->since_ms = a->ts;
	memcpy(t->root, old->root, 32);
	old->removed = true;
	old->removed_ms = a->ts;
	old->has_successor = true;
	memcpy(old->successor, a->u.new_key, 32);
	old->succession_seq = a->seq;
	period_close(r, a->author, a->ts);
	return period_open(r, a->u.new_key, a->ts);
}

/* key's entries after seq `after` are untrusted; a successor it named
 * after that seq goes with it (a thief's rotation). */
static int revoke_key(struct roster *r, const uint8_t key[32], uint64_t after,
		      const struct roster_act *a)
{
	struct roster_revocation *v = realloc(r->rv, (r->n_rv + 1) * sizeof *v);
	struct roster_member *m;

	if (v == NULL)
		return PAKT_ENOMEM;
	r->rv = v;
	v = &v[r->n_rv++];
	memcpy(v->key, key, 32);
	memcpy(v->by, a->author, 32);
	v->after = after;
	v->at = a->ts;
	if ((m = (struct roster_member *)roster_lookup(r, key)) == NULL)
		return 0;
	m->revoked = true;
	if (!m->removed) {
		m->removed = true;
		m->removed_ms = a->ts;
		period_close(r, key, a->ts);
	}
	if (m->has_successor && m->succession_seq > after)
		return revoke_key(r, m->successor, 0, a);
	return 0;
}

static int apply_revoke(struct roster *r, const struct roster_act *a)
{
	if (!roster_is_admin(r, a->author)) {
		r->ignored++;
		return 0;
	}
	return revoke_key(r, a->u.revoke.key, a->u.revoke.after, a);
}

int roster_finish(struct roster *r)
{
	int rc = 0;

	if (r->n_acts > 1)
		qsort(r->acts, r->n_acts, sizeof *r->acts, act_cmp);
	for (size_t i = 0; i < r->n_acts && rc == 0; i++) {
		const struct roster_act *a = &r->acts[i];

		rc = a->kind == ACT_MEMBER ? apply_member(r, a)
		     : a->kind == ACT_SUCCESSION ? apply_succession(r, a)
		     : apply_revoke(r, a);
	}
	free(r->acts);
	r->acts = NULL;
	r->n_acts = r->cap_acts = 0;
	return rc;
}

const struct roster_revocation *roster_untrusted(const struct roster *r, const uint8_t key[32],
						 uint64_t seq)
{
	const struct roster_revocation *best = NULL;

	for (size_t i = 0; i < r->n_rv; i++)
		if (memcmp(r->rv[i].key, key, 32) == 0 && seq > r->rv[i].after &&
		    (best == NULL || r->rv[i].after < best->after))
			best = &r->rv[i];
	return best;
}

bool roster_same(const struct roster *r, const uint8_t a[32], const uint8_t b[32])
{
	const struct roster_member *x = roster_lookup(r, a), *y = roster_lookup(r, b);

	return memcmp(x ? x->root : a, y ? y->root : b, 32) == 0;
}

bool roster_vouches(const struct roster *r, const uint8_t network[32], const uint8_t *wire,
		    size_t len, const uint8_t peer[32])
{
	struct entry e;
	struct body_succession sc;

	if (wire == NULL || entry_decode(&e, wire, len) != 0 || entry_verify(&e) != 0 ||
	    !e.h.has_network || memcmp(e.h.network, network, 32) != 0 ||
	    strcmp(e.h.type, "succession") != 0 || e.body == NULL ||
	    body_succession_parse(e.body, e.body_len, &sc) != 0 ||
	    memcmp(sc.new_key, peer, 32) != 0)
		return false;
	return roster_find(r, e.h.author) != NULL && roster_lookup(r, peer) == NULL &&
	       roster_untrusted(r, e.h.author, e.h.seq) == NULL &&
	       keyroll_proof_ok(sc.proof, network, e.h.author, peer);
}
