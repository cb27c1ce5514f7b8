/* Replication state and batch ingest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/ctl.h"
#include "daemon/log.h"
#include "daemon/net.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/sigcheck.h"
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

static int on_profile_row(void *arg, const struct store_row *row);

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
	rn->next = n->nets;
	n->nets = rn;
	{
		struct store_query q = {.network = id, .type = "profile"};
		struct node *np[1] = {n};

		store_scan(n->store, &q, on_profile_row, np);
	}
	*out = rn;
	return 0;
}

int repl_load_all(struct node *n)
{
	uint8_t ids[64][32];
	size_t count;
	struct repl_net *rn;
	int rc = store_redactions(n->store, &n->redacted, &n->n_redacted);

	if (rc == 0)
		rc = store_networks(n->store, ids, 64, &count);

	for (size_t i = 0; rc == 0 && i < count; i++)
		rc = repl_net_open(n, ids[i], &rn);
	return rc;
}

void repl_free_all(struct node *n)
{
	struct repl_net *rn, *next;

	free(n->redacted);
	n->redacted = NULL;
	n->n_redacted = 0;
	for (rn = n->nets; rn; rn = next) {
		next = rn->next;
		roster_free(&rn->members);
		free(rn->profiles);
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

/* A profile entry: remember the name, and dial the addresses it gives
 * (a member's own word for where it can be reached). */
static void note_profile(struct node *n, struct repl_net *rn, const struct entry *e)
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
	if (n->net == NULL || memcmp(e->h.author, n->id.pk, 32) == 0 ||
	    roster_find(&rn->members, e->h.author) == NULL)
		return;
	for (size_t i = 0; i < p.n_addrs; i++) {
		bool known = net_link_find(n->net, p.addrs[i]) != NULL;

		for (struct session *s = n->net->sessions; s && !known; s = session_next(s)) {
			const uint8_t *k = session_peer_key(s);

			known = k && memcmp(k, e->h.author, 32) == 0 && session_replicating(s, rn);
		}
		if (!known)
			net_link_add(n->net, rn->id, p.addrs[i], e->h.author);
	}
}

static int on_profile_row(void *arg, const struct store_row *row)
{
	struct node **np = arg;
	struct entry e;

	if (entry_from_parts(&e, row->header, row->header_len, row->sig, row->body, row->body_len) == 0) {
		struct repl_net *rn = repl_net_find(np[0], row->network);

		if (rn)
			note_profile(np[0], rn, &e);
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
	static const char *const ok[] = {"message", "update", "sealed", "profile"};

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (strcmp(type, ok[i]) == 0)
			return true;
	return false;
}

struct author_of {
	uint8_t author[32];
	char type[ENTRY_TYPE_MAX + 1];
	bool found;
};

static int note_author(void *arg, const struct store_row *row)
{
	struct author_of *a = arg;

	memcpy(a->author, row->author, 32);
	snprintf(a->type, sizeof a->type, "%s", row->type);
	a->found = true;
	return 0;
}

void repl_apply_redact(struct node *n, const struct entry *e)
{
	struct body_ref r;
	struct author_of a = {0};
	uint8_t (*v)[32];

	if (e->body == NULL || body_ref_parse("redact", e->body, e->body_len, &r) != 0)
		return;
	/* only the author may redact its own entry, and only its content */
	if (store_get(n->store, r.ref, note_author, &a) == 0 &&
	    (memcmp(a.author, e->h.author, 32) != 0 || !repl_redactable(a.type)))
		return;
	if (store_redact(n->store, r.ref, e->h.author, e->h.timestamp) != 0) {
		log_err("redaction failed: %s", store_errmsg(n->store));
		return;
	}
	if (repl_is_redacted(n, r.ref))
		return;
	v = realloc(n->redacted, (n->n_redacted + 1) * sizeof *v);
	if (v == NULL)
		return;
	n->redacted = v;
	memcpy(v[n->n_redacted++], r.ref, 32);
}

void repl_members_changed(struct node *n, struct repl_net *rn)
{
	if (members_load(&rn->members, n->store, rn->id) != 0)
		log_err("could not reload members: %s", store_errmsg(n->store));
	if (n->net)
		net_enforce_membership(n->net, rn);
}

void repl_local_stored(struct node *n, const struct entry *e)
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
		repl_apply_redact(n, e);
	if (strcmp(e->h.type, "profile") == 0)
		note_profile(n, rn, e);
	if (n->net)
		net_pump(n->net, rn);
	if (n->ctl)
		ctl_notify(n->ctl);
}

/* Feeds touched by one batch: where their tentative head stands. */
struct touched {
	size_t idx;
	uint64_t seq;
	uint8_t hash[32];
	uint64_t ts;          /* timestamp of the newest accepted entry */
	size_t last;          /* index in the batch of the newest accepted entry */
	bool any;
	bool stop;            /* a gap or fork: ignore the rest of this feed */
};

static struct touched *touch(struct touched *t, size_t *nt, size_t idx,
			     const struct repl_feed *f)
{
	for (size_t i = 0; i < *nt; i++)
		if (t[i].idx == idx)
			return &t[i];
	t[*nt] = (struct touched){.idx = idx, .seq = f->seq, .ts = f->ts};
	memcpy(t[*nt].hash, f->hash, 32);
	return &t[(*nt)++];
}

struct fetch_one {
	uint8_t *buf;
	size_t len;
};

/* Re-encode a stored row in wire form (for a fork proof). */
static int fetch_row(void *arg, const struct store_row *row)
{
	struct fetch_one *fo = arg;
	struct entry e;

	if (entry_from_parts(&e, row->header, row->header_len, row->sig, row->body,
			     row->body_len) != 0)
		return 1;
	fo->buf = malloc(ENTRY_WIRE_MAX);
	if (fo->buf == NULL || entry_encode(&e, true, fo->buf, ENTRY_WIRE_MAX, &fo->len) != 0) {
		free(fo->buf);
		fo->buf = NULL;
	}
	return 1;
}

/* A valid entry conflicts with what we store at its seq: keep both as
 * proof, stop the feed, tell the other peers. */
static void record_fork(struct node *n, struct repl_net *rn, struct session *from,
			struct repl_feed *f, const struct entry *e, const uint8_t *wire,
			size_t wire_len)
{
	struct fetch_one fo = {0};
	char author[ID_TEXT_MAX];

	id_encode(ID_KEY, e->h.author, author);
	if (store_fork_add(n->store, e, (int64_t)node_now_ms()) != 0) {
		log_err("storing fork proof: %s", store_errmsg(n->store));
		return;
	}
	if (!f->forked)
		log_warn("FORK: %s signed two different entries at seq %llu; replication of that feed stops",
			 author, (unsigned long long)e->h.seq);
	f->forked = true;
	store_range(n->store, rn->id, e->h.author, e->h.seq, 1, fetch_row, &fo);
	/* the sender too: it may hold only its own version */
	if (fo.buf != NULL && n->net)
		net_forward_fork(n->net, rn, NULL, fo.buf, fo.len, wire, wire_len);
	free(fo.buf);
	if (n->ctl)
		ctl_notify(n->ctl);
}

/* The peer sent a validly signed entry of an author at our head + 1 that
 * does not link to our head: the author signed two chains, and the peer
 * holds another entry than ours at some seq up to our head. Send it our
 * head: it then holds two entries at one seq, records the fork and sends
 * the proof to everyone, us included. False if we cannot or should not
 * (then the batch is refused as a broken chain). */
static bool send_fork_hint(struct node *n, struct repl_net *rn, struct session *from,
			   const struct repl_feed *f, const struct entry *e)
{
	struct fetch_one fo = {0};
	char author[ID_TEXT_MAX];
	bool sent;

	/* the author itself knows its chain: it gets no help, only refused */
	if (from == NULL || session_peer_key(from) == NULL ||
	    memcmp(session_peer_key(from), e->h.author, 32) == 0)
		return false;
	store_range(n->store, rn->id, e->h.author, f->seq, 1, fetch_row, &fo);
	if (fo.buf == NULL)
		return false;
	sent = session_send_fork_hint(from, fo.buf, fo.len);
	free(fo.buf);
	if (sent) {
		id_encode(ID_KEY, e->h.author, author);
		log_warn("fork: %s seq %llu does not follow our seq %llu: not stored, ours sent back as evidence",
			 author, (unsigned long long)e->h.seq, (unsigned long long)f->seq);
	}
	return sent;
}

int repl_ingest(struct node *n, struct repl_net *rn, struct session *from,
		const uint8_t *const *wire, const size_t *len, size_t count,
		char *why, size_t whylen)
{
	struct touched t[WIRE_BATCH_MAX];
	const struct entry *acc[WIRE_BATCH_MAX];
	size_t late[WIRE_BATCH_MAX], acc_at[WIRE_BATCH_MAX];
	size_t nt = 0, n_acc = 0, added = 0, n_late = 0;
	bool member_change = false;
	char bwhy[160];
	uint64_t now = node_now_ms();
	int rc;

	if (count > WIRE_BATCH_MAX) {
		snprintf(why, whylen, "batch of %zu entries (max %d)", count, WIRE_BATCH_MAX);
		return PAKT_ELIMIT;
	}
	for (size_t i = 0; i < count; i++) {
		struct entry *e = &n->scratch[i];
		struct repl_feed *f;
		struct touched *tf;
		size_t idx;
		uint8_t stored[32];

		rc = entry_decode(e, wire[i], len[i]);
		if (rc != 0) {
			snprintf(why, whylen, "entry %zu of batch: %s", i, pakt_strerror(rc));
			return rc;
		}
		if (memcmp(entry_network(e), rn->id, 32) != 0) {
			snprintf(why, whylen, "entry %zu of batch belongs to another network", i);
			return PAKT_ENETWORK;
		}
		if (e->body != NULL && body_validate(e->h.type, e->body, e->body_len, bwhy, sizeof bwhy) != 0) {
			snprintf(why, whylen, "entry %zu (seq %llu): %s", i, (unsigned long long)e->h.seq, bwhy);
			return PAKT_EBODY;
		}
		f = repl_feed_get(rn, e->h.author, true, &idx);
		if (f == NULL)
			return PAKT_ENOMEM;
		if (f->skip || f->forked)
			continue;
		tf = touch(t, &nt, idx, f);
		if (tf->stop)
			continue;
		if (e->h.seq <= tf->seq) {
			/* already have that seq: a duplicate, or a fork */
			bool same;

			if (e->h.seq > f->seq) {   /* in this batch */
				same = false;
				for (size_t j = 0; j < n_acc; j++)
					if (acc[j]->h.seq == e->h.seq &&
					    memcmp(acc[j]->h.author, e->h.author, 32) == 0)
						same = memcmp(acc[j]->hash, e->hash, 32) == 0;
			} else {
				same = store_hash_at(n->store, rn->id, e->h.author, e->h.seq, stored) == 0 &&
				       memcmp(stored, e->hash, 32) == 0;
			}
			if (same)
				continue;
			if ((rc = entry_verify(e)) != 0) {
				snprintf(why, whylen, "entry %zu (seq %llu): %s", i,
					 (unsigned long long)e->h.seq, pakt_strerror(rc));
				return rc;
			}
			if (e->h.seq <= f->seq)
				record_fork(n, rn, from, f, e, wire[i], len[i]);
			else if (n_late < WIRE_BATCH_MAX)
				late[n_late++] = i;   /* its twin is in this batch: after the commit */
			tf->stop = true;
			continue;
		}
		if (e->h.seq > tf->seq + 1) {
			/* the peer sent past a gap (it knows more of us than we
			 * have): not an attack, just not usable yet */
			tf->stop = true;
			continue;
		}
		if (e->h.seq > 1 && memcmp(e->h.prev, tf->hash, 32) != 0) {
			/* right after our stored head (not after an entry of
			 * this batch) and signed by its author: a fork, not a
			 * broken peer; the rest of this feed cannot link */
			if (!tf->any && entry_verify(e) == 0 && send_fork_hint(n, rn, from, f, e)) {
				tf->stop = true;
				continue;
			}
			snprintf(why, whylen, "entry %zu (seq %llu): %s", i, (unsigned long long)e->h.seq,
				 pakt_strerror(PAKT_ECHAIN));
			return PAKT_ECHAIN;
		}
		rc = entry_check_time(&e->h, tf->ts, now);
		if (rc != 0 && e->h.timestamp < tf->ts) {
			snprintf(why, whylen, "entry %zu (seq %llu): timestamp %llu is before its predecessor's (%llu)",
				 i, (unsigned long long)e->h.seq, (unsigned long long)e->h.timestamp,
				 (unsigned long long)tf->ts);
			return rc;
		}
		if (rc != 0) {
			/* maybe only our clock is behind: not stored now, taken
			 * from a peer once it is no longer in the future */
			char id[ID_TEXT_MAX];

			id_encode(ID_KEY, e->h.author, id);
			log_warn("entry %s seq %llu is dated %llu s ahead of our clock (at most %d s): not stored",
				 id, (unsigned long long)e->h.seq,
				 (unsigned long long)((e->h.timestamp - now) / 1000), ENTRY_FUTURE_MAX_MS / 1000);
			tf->stop = true;
			continue;
		}
		if (n->n_redacted > 0 && e->body != NULL && repl_is_redacted(n, e->hash)) {
			e->body = NULL;      /* the header still verifies */
			e->body_len = 0;
		}
		tf->seq = e->h.seq;
		memcpy(tf->hash, e->hash, 32);
		tf->ts = e->h.timestamp;
		tf->last = i;
		tf->any = true;
		acc_at[n_acc] = i;
		acc[n_acc++] = e;
		if (roster_type(e->h.type))
			member_change = true;
	}
	/* Every signature, before anything is stored: the chain alone would let
	 * an author hide a bad signature under a good one. */
	size_t bad = n_acc ? sigcheck_batch(acc, n_acc) : 0;
	if (bad < n_acc) {
		snprintf(why, whylen, "entry %zu (seq %llu): %s", acc_at[bad],
			 (unsigned long long)acc[bad]->h.seq, pakt_strerror(PAKT_ESIG));
		return PAKT_ESIG;
	}
	if (n_acc == 0)
		goto forks;
	/* what peers sent us they can send again: no fsync per batch */
	store_set_durable(n->store, false);
	rc = store_append(n->store, acc, n_acc, (int64_t)node_now_ms(), &added);
	store_set_durable(n->store, true);
	if (rc != 0) {
		/* Nothing of the batch is stored. The peer counts it as sent, so
		 * the session must end: the next one starts from our clock and
		 * fetches the batch again (once there is space, if the disk is
		 * full). */
		snprintf(why, whylen, "storing batch: %s%s",
			 rc == PAKT_EDUP ? pakt_strerror(rc) : store_errmsg(n->store),
			 rc == PAKT_ENOSPC ? " (disk full: free space; replication resumes by itself)" : "");
		log_err("%s", why);
		return rc;
	}
	for (size_t i = 0; i < nt; i++) {
		struct repl_feed *f = &rn->feeds[t[i].idx];

		if (!t[i].any)
			continue;
		f->seq = t[i].seq;
		memcpy(f->hash, t[i].hash, 32);
		f->ts = t[i].ts;
		if (from)
			session_peer_has(from, t[i].idx, t[i].seq);
	}
	for (size_t i = 0; i < n_acc; i++) {
		if (strcmp(acc[i]->h.type, "checkpoint") != 0)
			rn->news++;
		if (strcmp(acc[i]->h.type, "redact") == 0)
			repl_apply_redact(n, acc[i]);
		else if (strcmp(acc[i]->h.type, "profile") == 0)
			note_profile(n, rn, acc[i]);
	}
	if (member_change)
		repl_members_changed(n, rn);
forks:
	for (size_t i = 0; i < n_late; i++) {
		struct entry *e = &n->scratch[late[i]];
		struct repl_feed *f = repl_feed_get(rn, e->h.author, false, NULL);

		if (f != NULL)
			record_fork(n, rn, from, f, e, wire[late[i]], len[late[i]]);
	}
	/* nothing new (duplicates, an empty batch): nobody to tell */
	if (n_acc == 0 && n_late == 0)
		return 0;
	if (n->net)
		net_pump(n->net, rn);
	if (n->ctl)
		ctl_notify(n->ctl);
	return 0;
}
