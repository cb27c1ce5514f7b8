/* Replication state: networks, feeds, members, profiles, redactions.
 * The batch ingest is daemon/repl_ingest.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/replica.h"
#include "daemon/log.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "proto/body.h"
#include "proto/err.h"
#include "proto/id.h"

struct repl_net *repl_net_find(struct node *n, const uint8_t id[32])
{
	for (struct repl_net *rn = n->nets; rn; rn = rn->next)
		if (memcmp(rn->id, id, 32) == 0)
			return rn;
	return NULL;
}

struct fork_rows {
	const uint8_t *author;
	uint8_t *w[2];
	size_t len[2];
	uint64_t seq;
	size_t n;
	int rc;
};

/* The first kept proof row of the author, then the other entry at its
 * seq: a second proof row or the entry stored there. */
static int on_fork_row(void *arg, const struct store_row *row)
{
	struct fork_rows *c = arg;
	struct entry e;

	if ((c->author != NULL && memcmp(row->author, c->author, 32) != 0) ||
	    (c->n == 1 && row->seq != c->seq))
		return 0;
	if (entry_from_parts(&e, row->header, row->header_len, row->sig, row->body,
			     row->body_len) != 0)
		return 0;
	if ((c->w[c->n] = malloc(ENTRY_WIRE_MAX)) == NULL) {
		c->rc = PAKT_ENOMEM;
		return 1;
	}
	if (entry_encode(&e, true, c->w[c->n], ENTRY_WIRE_MAX, &c->len[c->n]) != 0) {
		free(c->w[c->n]);
		c->w[c->n] = NULL;
		return 0;
	}
	c->seq = row->seq;
	return ++c->n == 2;
}

int repl_fork_proof(struct node *n, const struct repl_net *rn, const uint8_t author[32],
		    uint8_t **a, size_t *alen, uint8_t **b, size_t *blen)
{
	struct fork_rows c = {.author = author};

	store_forks(n->store, rn->id, on_fork_row, &c);
	if (c.n == 1 && c.rc == 0) {
		c.author = NULL;   /* any row of the range is the author's */
		store_range(n->store, rn->id, author, c.seq, 1, on_fork_row, &c);
	}
	if (c.n < 2) {
		free(c.w[0]);
		return c.rc ? c.rc : PAKT_ENOTFOUND;
	}
	*a = c.w[0];
	*alen = c.len[0];
	*b = c.w[1];
	*blen = c.len[1];
	return 0;
}

uint64_t repl_feed_relay_seq(const struct repl_net *rn, const struct repl_feed *f)
{
	uint64_t end = roster_end(&rn->members, f->author);

	return f->seq < end ? f->seq : end;
}

struct repl_feed *repl_feed_get(struct repl_net *rn, const uint8_t author[32],
				bool create, size_t *idx)
{
	for (size_t i = 0; i < rn->n_feeds; i++) {
		if (memcmp(rn->feeds[i].author, author, 32) == 0) {
			if (idx)
				*idx = i;
			return &rn->feeds[i];
		}
	}
	if (!create)
		return NULL;
	if (rn->n_feeds == rn->cap) {
		size_t cap = rn->cap ? rn->cap * 2 : 16;
		struct repl_feed *v = realloc(rn->feeds, cap * sizeof *v);

		if (v == NULL)
			return NULL;
		rn->feeds = v;
		rn->cap = cap;
	}
	struct repl_feed *f = &rn->feeds[rn->n_feeds];
	memset(f, 0, sizeof *f);
	memcpy(f->author, author, 32);
	if (idx)
		*idx = rn->n_feeds;
	rn->n_feeds++;
	return f;
}

static int on_head(void *arg, const uint8_t author[32], uint64_t seq, const uint8_t hash[32],
		   uint64_t ts)
{
	struct repl_feed *f = repl_feed_get(arg, author, true, NULL);

	if (f == NULL)
		return PAKT_ENOMEM;
	f->seq = seq;
	memcpy(f->hash, hash, 32);
	f->ts = ts;
	return 0;
}

static int on_fork(void *arg, const struct store_row *row)
{
	struct repl_feed *f = repl_feed_get(arg, row->author, true, NULL);

	if (f == NULL)
		return PAKT_ENOMEM;
	f->forked = true;
	return 0;
}

/* A feed with a bad-signature proof stops like a forked one. */
static int on_badsig(void *arg, const uint8_t *network, const uint8_t *author, uint64_t seq,
		     const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	struct repl_feed *f = repl_feed_get(arg, author, true, NULL);

	(void)network, (void)seq, (void)a, (void)alen, (void)b, (void)blen;
	if (f == NULL)
		return PAKT_ENOMEM;
	f->forked = true;
	f->badsig = true;
	return 0;
}

static int on_profile_row(void *arg, const struct store_row *row);
static int on_redact_row(void *arg, const struct store_row *row);

/* Every key the roster admitted has a feed here, seq 0 until its entries
 * arrive, so that our clock asks partners for it: a feed refused before
 * its admission was known is then sent again. Bounded by the roster. */
static void want_members(struct repl_net *rn)
{
	for (size_t i = 0; i < rn->members.n; i++)
		if (rn->members.v[i].admitted)
			(void)repl_feed_get(rn, rn->members.v[i].key, true, NULL);
}

int repl_net_open(struct node *n, const uint8_t id[32], struct repl_net **out)
{
	struct repl_net *rn = repl_net_find(n, id);
	uint8_t skips[256][32];
	size_t n_skips = 0;
	int rc;

	if (rn != NULL) {
		*out = rn;
		return 0;
	}
	rn = calloc(1, sizeof *rn);
	if (rn == NULL)
		return PAKT_ENOMEM;
	memcpy(rn->id, id, 32);
	rc = store_heads(n->store, id, on_head, rn);
	if (rc == 0)
		rc = store_forks(n->store, id, on_fork, rn);
	if (rc == 0)
		rc = store_badsigs(n->store, id, on_badsig, rn);
	if (rc == 0)
		rc = store_skips(n->store, id, skips, 256, &n_skips);
	for (size_t i = 0; rc == 0 && i < n_skips; i++) {
		struct repl_feed *f = repl_feed_get(rn, skips[i], true, NULL);

		if (f == NULL)
			rc = PAKT_ENOMEM;
		else
			f->skip = true;
	}
	if (rc == 0)
		rc = members_load(&rn->members, n->store, id);
	if (rc != 0) {
		roster_free(&rn->members);
		free(rn->feeds);
		free(rn);
		return rc;
	}
	want_members(rn);
	rn->next = n->nets;
	n->nets = rn;
	{
		struct store_query q = {.network = id, .type = "profile", .unchecked = true};
		struct node *np[1] = {n};

		store_scan(n->store, &q, on_profile_row, np);
		/* redactions stored before their target (kept only in memory) */
		q.type = "redact";
		store_scan(n->store, &q, on_redact_row, np);
	}
	*out = rn;
	return 0;
}

static int load_redactions(struct node *n);

static void repl_on_event(void *arg, const struct node_event *ev);

int repl_load_all(struct node *n)
{
	uint8_t ids[64][32];
	size_t count;
	struct repl_net *rn;
	int rc = load_redactions(n);

	if (rc == 0)
		rc = store_networks(n->store, ids, 64, &count);

	for (size_t i = 0; rc == 0 && i < count; i++)
		rc = repl_net_open(n, ids[i], &rn);
	if (rc == 0)
		rc = repl_attach(n);
	return rc;
}

void repl_free_all(struct node *n)
{
	struct repl_net *rn, *next;

	node_unlisten(n, repl_on_event, n);
	free(n->redacted);
	n->redacted = NULL;
	n->n_redacted = 0;
	for (rn = n->nets; rn; rn = next) {
		next = rn->next;
		roster_free(&rn->members);
		free(rn->profiles);
		free(rn->pending);
		free(rn->feeds);
		free(rn);
	}
	n->nets = NULL;
}

const char *repl_name(const struct repl_net *rn, const uint8_t key[32])
{
	const struct roster_member *m;

	for (size_t i = 0; i < rn->n_profiles; i++)
		if (memcmp(rn->profiles[i].key, key, 32) == 0)
			return rn->profiles[i].name;
	m = roster_find(&rn->members, key);
	return m ? m->name : "";
}

/* A profile entry: remember the name; the newest profile of a member
 * (not ours) goes up as an event, whose listener dials its addresses. */
void repl_note_profile(struct node *n, struct repl_net *rn, const struct entry *e)
{
	struct body_profile p;
	struct repl_profile *slot = NULL;

	if (e->body == NULL || body_profile_parse(e->body, e->body_len, &p) != 0)
		return;
	for (size_t i = 0; i < rn->n_profiles; i++)
		if (memcmp(rn->profiles[i].key, e->h.author, 32) == 0)
			slot = &rn->profiles[i];
	if (slot == NULL) {
		struct repl_profile *v = realloc(rn->profiles, (rn->n_profiles + 1) * sizeof *v);

		if (v == NULL)
			return;
		rn->profiles = v;
		slot = &v[rn->n_profiles++];
		memset(slot, 0, sizeof *slot);
		memcpy(slot->key, e->h.author, 32);
	} else if (slot->at > e->h.timestamp) {
		return;
	}
	slot->at = e->h.timestamp;
	snprintf(slot->name, sizeof slot->name, "%s", p.name);
	if (memcmp(e->h.author, n->id.pk, 32) == 0 || roster_find(&rn->members, e->h.author) == NULL)
		return;
	node_emit(n, &(struct node_event){.kind = NODE_EV_PROFILE, .rn = rn, .e = e});
}

static int on_profile_row(void *arg, const struct store_row *row)
{
	struct node **np = arg;
	struct entry e;

	if (entry_from_parts(&e, row->header, row->header_len, row->sig, row->body, row->body_len) == 0) {
		struct repl_net *rn = repl_net_find(np[0], row->network);

		if (rn)
			repl_note_profile(np[0], rn, &e);
	}
	return 0;
}

bool repl_is_redacted(const struct node *n, const uint8_t hash[32])
{
	for (size_t i = 0; i < n->n_redacted; i++)
		if (memcmp(n->redacted[i], hash, 32) == 0)
			return true;
	return false;
}

bool repl_redactable(const char *type)
{
	return replica_redactable(type);
}

const struct repl_pending *repl_pending_find(const struct repl_net *rn, const uint8_t target[32])
{
	for (size_t i = 0; i < rn->n_pending; i++)
		if (memcmp(rn->pending[i].target, target, 32) == 0)
			return &rn->pending[i];
	return NULL;
}

void repl_pending_add(struct repl_net *rn, const uint8_t target[32], const uint8_t by[32])
{
	struct repl_pending *v;

	if (repl_pending_find(rn, target) != NULL)
		return;
	if (rn->n_pending >= REPL_PENDING_MAX) {
		/* an honest author's redaction always follows its target in its
		 * own feed: only a forged one can be missing its target */
		rn->refused++;
		return;
	}
	if (rn->pending == NULL) {
		rn->pending = malloc(REPL_PENDING_MAX * sizeof *v);
		if (rn->pending == NULL)
			return;
	}
	v = &rn->pending[rn->n_pending++];
	memcpy(v->target, target, 32);
	memcpy(v->by, by, 32);
}

void repl_pending_remove(struct repl_net *rn, const uint8_t target[32])
{
	for (size_t i = 0; i < rn->n_pending; i++)
		if (memcmp(rn->pending[i].target, target, 32) == 0) {
			rn->pending[i] = rn->pending[--rn->n_pending];
			return;
		}
}

/* Remember that hash is redacted here (so a full copy arriving later is
 * not filled in). */
void repl_redacted_add(struct node *n, const uint8_t hash[32])
{
	uint8_t (*v)[32];

	if (repl_is_redacted(n, hash))
		return;
	v = realloc(n->redacted, (n->n_redacted + 1) * sizeof *v);
	if (v == NULL)
		return;
	n->redacted = v;
	memcpy(v[n->n_redacted++], hash, 32);
}

struct author_of {
	uint8_t author[32];
	char type[ENTRY_TYPE_MAX + 1];
	const uint8_t *network;
	bool found;
};

static int note_author(void *arg, const struct store_row *row)
{
	struct author_of *a = arg;

	memcpy(a->author, row->author, 32);
	/* an entry of another network is never this redaction's target */
	snprintf(a->type, sizeof a->type, "%s",
		 memcmp(row->network, a->network, 32) == 0 ? row->type : "");
	a->found = true;
	return 0;
}

/* What a redaction of target by `by` does: 1 applies now, 0 has no
 * effect, -1 target not held (pending). */
static int redact_check(struct node *n, struct repl_net *rn, const uint8_t target[32],
			const uint8_t by[32])
{
	struct author_of a = {.network = rn->id};

	if (store_get(n->store, target, note_author, &a) != 0 || !a.found)
		return -1;
	return memcmp(a.author, by, 32) == 0 && replica_redactable(a.type);
}

void repl_apply_redact(struct node *n, struct repl_net *rn, const struct entry *e)
{
	struct body_ref r;
	int ok;

	if (e->body == NULL || body_ref_parse("redact", e->body, e->body_len, &r) != 0)
		return;
	/* only the author may redact its own entry, and only its content */
	ok = redact_check(n, rn, r.ref, e->h.author);
	if (ok < 0) {
		repl_pending_add(rn, r.ref, e->h.author);
		return;
	}
	if (ok == 0)
		return;
	if (store_redact(n->store, r.ref, e->h.author, e->h.timestamp) != 0) {
		log_err("redaction failed: %s", store_errmsg(n->store));
		return;
	}
	repl_redacted_add(n, r.ref);
}

struct held_by {
	uint8_t author[32];
	char type[ENTRY_TYPE_MAX + 1];
};

static int note_held_by(void *arg, const struct store_row *row)
{
	struct held_by *h = arg;

	memcpy(h->author, row->author, 32);
	snprintf(h->type, sizeof h->type, "%s", row->type);
	return 0;
}

/* The redactions recorded here that keep the rule: by the target's own
 * author, of content. A store written before the rule may record others
 * (their bodies are gone, but a full copy from a partner fills them in);
 * a target not held yet is checked when it arrives (the pending set is
 * rebuilt from the stored redact entries). */
static int load_redactions(struct node *n)
{
	struct store_redaction *v;
	size_t k;
	int rc = store_redactions(n->store, &v, &k);

	for (size_t i = 0; rc == 0 && i < k; i++) {
		struct held_by h;

		if (store_get(n->store, v[i].hash, note_held_by, &h) == 0 &&
		    memcmp(h.author, v[i].by, 32) == 0 && replica_redactable(h.type))
			repl_redacted_add(n, v[i].hash);
	}
	free(v);
	return rc;
}

static int on_redact_row(void *arg, const struct store_row *row)
{
	struct node **np = arg;
	struct repl_net *rn = repl_net_find(np[0], row->network);
	struct body_ref r;

	if (rn != NULL && row->body != NULL &&
	    body_ref_parse("redact", row->body, row->body_len, &r) == 0 &&
	    redact_check(np[0], rn, r.ref, row->author) < 0)
		repl_pending_add(rn, r.ref, row->author);
	return 0;
}


void repl_members_changed(struct node *n, struct repl_net *rn)
{
	if (members_load(&rn->members, n->store, rn->id) != 0)
		log_err("could not reload members: %s", store_errmsg(n->store));
	want_members(rn);
	node_emit(n, &(struct node_event){.kind = NODE_EV_MEMBERS, .rn = rn});
	rn->refetch = false;
}

/* Our own entry e was stored: update heads and tell peers and readers. */
static void repl_local_stored(struct node *n, const struct entry *e)
{
	struct repl_net *rn;
	struct repl_feed *f;

	if (repl_net_open(n, entry_network(e), &rn) != 0) {
		log_err("out of memory tracking a network");
		return;
	}
	if (strcmp(e->h.type, "checkpoint") != 0)
		rn->news++;
	f = repl_feed_get(rn, e->h.author, true, NULL);
	if (f != NULL && e->h.seq > f->seq) {
		f->seq = e->h.seq;
		memcpy(f->hash, e->hash, 32);
		f->ts = e->h.timestamp;
	}
	if (roster_type(e->h.type))
		repl_members_changed(n, rn);
	if (strcmp(e->h.type, "redact") == 0)
		repl_apply_redact(n, rn, e);
	if (strcmp(e->h.type, "profile") == 0)
		repl_note_profile(n, rn, e);
	repl_emit_stored(n, rn, e, NULL);
}

void repl_emit_stored(struct node *n, struct repl_net *rn, const struct entry *e,
		      const void *origin)
{
	node_emit(n, &(struct node_event){.kind = NODE_EV_STORED, .rn = rn, .e = e,
					  .origin = origin});
	if (store_sig_horizon_get(n->store) == 0)   /* no signature waits */
		node_emit(n, &(struct node_event){.kind = NODE_EV_CHECKED, .rn = rn});
}

static void repl_on_event(void *arg, const struct node_event *ev)
{
	if (ev->kind == NODE_EV_APPENDED)
		repl_local_stored(arg, ev->e);
}

int repl_attach(struct node *n)
{
	node_unlisten(n, repl_on_event, n);
	return node_listen(n, repl_on_event, n);
}

void repl_settle_unsynced(struct node *n)
{
	uint8_t ids[UNSYNCED_NETS_MAX][32];
	size_t k = 0;

	if (unsynced_reason(&n->unsynced) == NULL)
		return;
	for (struct repl_net *rn = n->nets; rn && k < UNSYNCED_NETS_MAX; rn = rn->next)
		memcpy(ids[k++], rn->id, 32);
	unsynced_settle(&n->unsynced, n->store, n->id.pk, (const uint8_t (*)[32])ids, k);
}
