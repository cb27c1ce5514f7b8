/* Taking in a peer's batch: core/replica plans each entry, this file
 * applies the plans to the store and announces the news as node events.
 *
 * Happy path: plan; verify the signature of every new entry (on a
 * version-2 link, only those core/sigproof says must be checked first;
 * daemon/sigdefer checks the rest after, told by NODE_EV_STORED); store them
 * in one transaction (relaxed durability: a peer can send them again);
 * fill in missing bodies; move the heads; apply or remember redactions;
 * reload members if the record changed (and plan the batch again when it
 * refused feeds of keys the change may have admitted); record forks; the
 * session moves its cursor and sends a fork hint back; repl_announce
 * emits NODE_EV_STORED.
 * Failure modes: a refused batch or a failed commit stores nothing and
 * returns the reason (the session ends); failures after the commit (a
 * fill, a redaction, a fork proof) are logged, and the next copy retries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/replica.h"
#include "daemon/log.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/sigcheck.h"
#include "core/sigproof.h"
#include "proto/err.h"
#include "proto/id.h"
#include "proto/wire.h"

#define INGEST_ROUNDS 3         /* plans of one batch: admissions within it */

struct ingest {
	struct node *n;
	struct repl_net *rn;
};

/* ---- the view core/replica reads ---- */

static void v_head(void *arg, const uint8_t author[32], struct replica_head *out)
{
	struct ingest *g = arg;
	const struct repl_feed *f = repl_feed_get(g->rn, author, false, NULL);

	memset(out, 0, sizeof *out);
	if (f == NULL)
		return;
	out->seq = f->seq;
	memcpy(out->hash, f->hash, 32);
	out->ts = f->ts;
	out->forked = f->forked;
	out->skipped = f->skip;
}

static int v_hash_at(void *arg, const uint8_t author[32], uint64_t seq, uint8_t out[32])
{
	struct ingest *g = arg;

	return store_hash_at(g->n->store, g->rn->id, author, seq, out);
}

struct held_row {
	const uint8_t *network;
	uint8_t *author;
	char *type;
	bool bodiless;
};

static int on_held(void *arg, const struct store_row *row)
{
	struct held_row *h = arg;

	h->bodiless = row->body == NULL;
	if (h->author)
		memcpy(h->author, row->author, 32);
	/* an entry of another network is nobody's to redact from here */
	if (h->type)
		snprintf(h->type, ENTRY_TYPE_MAX + 1, "%s",
			 memcmp(row->network, h->network, 32) == 0 ? row->type : "");
	return 0;
}

static enum replica_held v_held(void *arg, const uint8_t hash[32], uint8_t *author, char *type)
{
	struct ingest *g = arg;
	struct held_row h = {.network = g->rn->id, .author = author, .type = type};

	if (store_get(g->n->store, hash, on_held, &h) != 0)
		return REPLICA_ABSENT;
	return h.bodiless ? REPLICA_BODILESS : REPLICA_HELD;
}

/* Rule 3: a key the roster admitted (a member, a former member, or a
 * successor); a key only named by an act that did not count is not one. */
static bool v_may_feed(void *arg, const uint8_t author[32])
{
	struct ingest *g = arg;
	const struct roster_member *m = roster_lookup(&g->rn->members, author);

	return m != NULL && m->admitted;
}

/* After a revocation's seq, the succession that handed the key's place
 * on, or its removal (core/roster: roster_member_at, rule 6). */
static bool v_cut_off(void *arg, const uint8_t author[32], uint64_t seq, uint64_t ts)
{
	struct ingest *g = arg;
	const struct roster_member *m = roster_lookup(&g->rn->members, author);

	/* a key not admitted (the genesis author before its genesis is
	 * stored) is may_feed's to judge */
	return m != NULL && m->admitted && !roster_member_at(&g->rn->members, author, seq, ts);
}

static bool v_pending(void *arg, const uint8_t hash[32], uint8_t redactor[32])
{
	struct ingest *g = arg;
	const struct repl_pending *p = repl_pending_find(g->rn, hash);

	if (p == NULL)
		return false;
	memcpy(redactor, p->by, 32);
	return true;
}

static bool v_redacted(void *arg, const uint8_t hash[32])
{
	struct ingest *g = arg;

	return repl_is_redacted(g->n, hash);
}

/* ---- applying a plan ---- */

struct fetch_one {
	uint8_t *buf;
	size_t len;
};

/* Re-encode a stored row in wire form (fork proof, fork hint). */
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

/* A valid entry conflicts with the one stored at its seq: keep both as
 * proof, stop the feed, and announce it (to every peer, the sender too:
 * it may hold only its own version). */
static void record_fork(struct node *n, struct repl_net *rn, const struct entry *e,
			const uint8_t *wire, size_t wire_len)
{
	struct fetch_one fo = {0};
	struct repl_feed *f = repl_feed_get(rn, e->h.author, true, NULL);
	char author[ID_TEXT_MAX];

	id_encode(ID_KEY, e->h.author, author);
	if (f == NULL || store_fork_add(n->store, e, (int64_t)node_now(n)) != 0) {
		log_err("storing fork proof: %s", store_errmsg(n->store));
		return;
	}
	if (!f->forked)
		log_warn("FORK: %s signed two different entries at seq %llu; replication of that feed stops",
			 author, (unsigned long long)e->h.seq);
	f->forked = true;
	store_range(n->store, rn->id, e->h.author, e->h.seq, 1, fetch_row, &fo);
	if (fo.buf != NULL)
		node_emit(n, &(struct node_event){.kind = NODE_EV_FORK, .rn = rn, .wire_a = fo.buf,
						  .len_a = fo.len, .wire_b = wire, .len_b = wire_len});
	free(fo.buf);
}

/* Our entry at seq goes back to the peer as fork evidence. */
static void make_hint(struct node *n, struct repl_net *rn, const struct entry *e, uint64_t seq,
		      struct repl_result *res)
{
	struct fetch_one fo = {0};
	char author[ID_TEXT_MAX];

	if (res->n_hints == REPL_HINTS_MAX)
		return;
	store_range(n->store, rn->id, e->h.author, seq, 1, fetch_row, &fo);
	if (fo.buf == NULL)
		return;
	res->hints[res->n_hints].wire = fo.buf;
	res->hints[res->n_hints++].len = fo.len;
	id_encode(ID_KEY, e->h.author, author);
	log_warn("fork: %s seq %llu does not follow our seq %llu: not stored, ours sent back as evidence",
		 author, (unsigned long long)e->h.seq, (unsigned long long)seq);
}

static void advance(struct repl_result *res, size_t idx, uint64_t seq)
{
	for (size_t i = 0; i < res->n_adv; i++)
		if (res->adv[i].idx == idx) {
			if (res->adv[i].seq < seq)
				res->adv[i].seq = seq;
			return;
		}
	res->adv[res->n_adv].idx = idx;
	res->adv[res->n_adv++].seq = seq;
}

/* What a stored (or filled-in) entry changes besides its feed:
 * redactions, profiles. */
static void after_store(struct node *n, struct repl_net *rn, const struct entry *e,
			const struct replica_plan *pl)
{
	uint64_t at = (uint64_t)e->h.timestamp;

	if (pl->act == REPLICA_STORE && strcmp(e->h.type, "checkpoint") != 0)
		rn->news++;
	if (pl->pending_hit) {
		/* stored without its body: nothing to erase from the disk */
		if (store_redact_mark(n->store, e->hash, e->h.author, at) != 0)
			log_err("recording a redaction: %s", store_errmsg(n->store));
		repl_redacted_add(n, e->hash);
		repl_pending_remove(rn, e->hash);
	}
	switch (pl->redact) {
	case REPLICA_REDACT_APPLY:
		if (store_redact(n->store, pl->target, e->h.author, at) != 0)
			log_err("redaction failed: %s", store_errmsg(n->store));
		else
			repl_redacted_add(n, pl->target);
		break;
	case REPLICA_REDACT_BATCH:
		if (store_redact_mark(n->store, pl->target, e->h.author, at) != 0)
			log_err("recording a redaction: %s", store_errmsg(n->store));
		repl_redacted_add(n, pl->target);
		break;
	case REPLICA_REDACT_PENDING:
		repl_pending_add(rn, pl->target, e->h.author);
		break;
	case REPLICA_REDACT_NONE:
	case REPLICA_REDACT_DENIED:
		break;
	}
	if (strcmp(e->h.type, "profile") == 0)
		repl_note_profile(n, rn, e);
}

/* Apply one round of plans. *roster: the record changed. */
/* Leave out of acc the entries of author's feed from its first bad
 * signature on (each one before it is checked here). */
static size_t cut_feed(const struct entry **acc, size_t *at, size_t n_acc, const uint8_t *author)
{
	uint64_t cut = UINT64_MAX;
	size_t keep = 0;

	for (size_t k = 0; k < n_acc && cut == UINT64_MAX; k++)
		if (memcmp(acc[k]->h.author, author, 32) == 0 && entry_verify(acc[k]) != 0)
			cut = acc[k]->h.seq;
	for (size_t k = 0; k < n_acc; k++) {
		if (memcmp(acc[k]->h.author, author, 32) == 0 && acc[k]->h.seq >= cut)
			continue;
		acc[keep] = acc[k];
		at[keep++] = at[k];
	}
	return keep;
}

/* The signatures to check before storing acc: all (version 1), or those
 * core/sigproof picks (the rest wait: *deferred). A bad one refuses the
 * batch (*bad_k: its index in acc): PAKT_ESIG. On version 2 a relay may
 * hold the bad entry still unchecked, its proof to come: from a peer other
 * than the author, that feed's entries from the bad one on are left out
 * (*n_acc shrinks) and the rest of the batch goes on. */
static int check_first(const struct entry *es, const struct replica_plan *plans, size_t count,
		       const struct entry **acc, size_t *at, size_t *n_acc, bool defer,
		       const uint8_t *peer, bool *deferred, size_t *bad_k)
{
	const struct entry *now[WIRE_BATCH_MAX], *done[WIRE_BATCH_MAX];
	size_t pos[WIRE_BATCH_MAX], n_now, n_done = 0, bad;
	bool eager[WIRE_BATCH_MAX];
	char id[ID_TEXT_MAX];

	*deferred = false;
	if (!defer || *n_acc == 0) {
		bad = *n_acc ? sigcheck_batch(acc, *n_acc) : 0;
		*bad_k = bad;
		return bad < *n_acc ? PAKT_ESIG : 0;
	}
	sigproof_eager(es, plans, count, eager);
	for (;;) {
		bool seen;

		n_now = 0;
		*deferred = false;
		for (size_t k = 0; k < *n_acc; k++) {
			seen = false;
			for (size_t j = 0; j < n_done && !seen; j++)
				seen = memcmp(done[j]->h.author, acc[k]->h.author, 32) == 0;
			if (seen) {
				continue;   /* checked one by one by cut_feed */
			} else if (eager[at[k]]) {
				pos[n_now] = k;
				now[n_now++] = acc[k];
			} else {
				*deferred = true;
			}
		}
		bad = sigcheck_batch(now, n_now);
		if (bad == n_now)
			return 0;
		if (peer == NULL || memcmp(peer, now[bad]->h.author, 32) == 0) {
			*bad_k = pos[bad];
			return PAKT_ESIG;
		}
		id_encode(ID_KEY, now[bad]->h.author, id);
		log_warn("entry %s seq %llu from a relay has a bad signature: that feed's entries from "
			 "its first bad one on are not stored", id, (unsigned long long)now[bad]->h.seq);
		done[n_done++] = now[bad];
		*n_acc = cut_feed(acc, at, *n_acc, now[bad]->h.author);
	}
}

static int apply(struct node *n, struct repl_net *rn, struct entry *es,
		 const struct replica_plan *plans, size_t count, const uint8_t *const *wire,
		 const size_t *len, bool first, bool defer, const uint8_t *peer,
		 struct repl_result *res, bool *roster, char *why, size_t whylen)
{
	const struct entry *acc[WIRE_BATCH_MAX], *fill[WIRE_BATCH_MAX];
	size_t at[WIRE_BATCH_MAX], n_acc = 0, n_fill = 0, bad;
	bool deferred;
	int rc;

	for (size_t i = 0; i < count; i++) {
		if (plans[i].act == REPLICA_STORE) {
			if (plans[i].strip) {   /* the header still verifies */
				es[i].body = NULL;
				es[i].body_len = 0;
			}
			at[n_acc] = i;
			acc[n_acc++] = &es[i];
		} else if (plans[i].act == REPLICA_FILL) {
			fill[n_fill++] = &es[i];
		}
		if ((plans[i].act == REPLICA_STORE || plans[i].act == REPLICA_FILL) && plans[i].roster)
			*roster = true;
	}
	/* Version 1: every signature, before anything is stored. Version 2:
	 * the chain and the newest signature of each feed; a bad one hidden
	 * under them becomes a proof against its author (sigdefer). */
	if (check_first(es, plans, count, acc, at, &n_acc, defer, peer, &deferred, &bad) != 0) {
		snprintf(why, whylen, "entry %zu (seq %llu): %s", at[bad],
			 (unsigned long long)acc[bad]->h.seq, pakt_strerror(PAKT_ESIG));
		return PAKT_ESIG;
	}
	if (n_acc > 0) {
		store_set_durable(n->store, false);
		store_sig_defer(n->store, deferred);
		rc = store_append(n->store, acc, n_acc, (int64_t)node_now(n), NULL);
		store_sig_defer(n->store, false);
		store_set_durable(n->store, true);
		if (rc != 0) {
			/* Nothing of the batch is stored. The peer counts it as
			 * sent, so the session must end: the next one starts from
			 * our clock and fetches the batch again. */
			snprintf(why, whylen, "storing batch: %s%s",
				 rc == PAKT_EDUP ? pakt_strerror(rc) : store_errmsg(n->store),
				 rc == PAKT_ENOSPC ? " (disk full: free space; replication resumes by itself)" : "");
			log_err("%s", why);
			return rc;
		}
		res->stored = true;
	}
	if (n_fill > 0) {
		if (store_fill_bodies(n->store, fill, n_fill) != 0) {
			log_err("filling in bodies: %s", store_errmsg(n->store));
		} else {
			res->stored = true;
			for (size_t i = 0; i < count; i++)
				if (plans[i].act == REPLICA_FILL)
					after_store(n, rn, &es[i], &plans[i]);
		}
	}
	for (size_t k = 0; k < n_acc; k++) {
		const struct entry *e = acc[k];
		size_t idx;
		struct repl_feed *f = repl_feed_get(rn, e->h.author, true, &idx);

		if (f == NULL)
			return PAKT_ENOMEM;
		if (e->h.seq > f->seq) {
			f->seq = e->h.seq;
			memcpy(f->hash, e->hash, 32);
			f->ts = e->h.timestamp;
		}
		advance(res, idx, e->h.seq);
		after_store(n, rn, e, &plans[at[k]]);
	}
	if (*roster)
		repl_members_changed(n, rn);
	for (size_t i = 0; i < count; i++) {
		if (plans[i].act == REPLICA_FORK) {
			record_fork(n, rn, &es[i], wire[i], len[i]);
			res->stored = true;
		} else if (plans[i].act == REPLICA_HINT && first) {   /* later rounds: the same hints */
			make_hint(n, rn, &es[i], plans[i].seq_ref, res);
		}
	}
	return 0;
}

/* Count the entries refused for good (rule 1, rule 3) and say so, at most
 * once a minute per network; warn of each future-dated one. */
static void account(struct node *n, struct repl_net *rn, const struct repl_from *from,
		    const struct entry *es, const struct replica_plan *plans, size_t count)
{
	uint64_t by[REPLICA_SKIP_NOBODY + 1] = {0}, now = node_now(n);
	char id[ID_TEXT_MAX] = "?";

	for (size_t i = 0; i < count; i++) {
		if (plans[i].act != REPLICA_SKIP)
			continue;
		by[plans[i].skip]++;
		if (plans[i].skip == REPLICA_SKIP_FUTURE) {
			id_encode(ID_KEY, es[i].h.author, id);
			log_warn("entry %s seq %llu is dated %llu s ahead of our clock (at most %d s): not stored",
				 id, (unsigned long long)es[i].h.seq,
				 (unsigned long long)((es[i].h.timestamp - now) / 1000), ENTRY_FUTURE_MAX_MS / 1000);
		}
	}
	rn->refused += by[REPLICA_SKIP_UNWANTED] + by[REPLICA_SKIP_NOBODY] + by[REPLICA_SKIP_CUTOFF];
	if (by[REPLICA_SKIP_UNWANTED] + by[REPLICA_SKIP_CUTOFF] > 0)
		rn->refetch = true;
	if (rn->refused == rn->refused_logged ||
	    (rn->refused_log_ms != 0 && now - rn->refused_log_ms < REPL_LOG_EVERY_MS))
		return;
	if (from->key)
		id_encode(ID_KEY, from->key, id);
	log_warn("refused %llu entries (%llu in all) since the last report; from %s in this batch: "
		 "%llu of keys never members, %llu record entries without body, %llu after a removal or revocation",
		 (unsigned long long)(rn->refused - rn->refused_logged), (unsigned long long)rn->refused,
		 id, (unsigned long long)by[REPLICA_SKIP_UNWANTED],
		 (unsigned long long)by[REPLICA_SKIP_NOBODY], (unsigned long long)by[REPLICA_SKIP_CUTOFF]);
	rn->refused_logged = rn->refused;
	rn->refused_log_ms = now;
}

int repl_ingest(struct node *n, struct repl_net *rn, const struct repl_from *from,
		const uint8_t *const *wire, const size_t *len, size_t count,
		struct repl_result *res, char *why, size_t whylen)
{
	struct ingest g = {.n = n, .rn = rn};
	const struct replica_view v = {.arg = &g, .head = v_head, .hash_at = v_hash_at,
				       .held = v_held, .may_feed = v_may_feed, .cut_off = v_cut_off,
				       .pending = v_pending, .redacted = v_redacted};
	struct replica_batch b = {.network = rn->id, .wire = wire, .len = len, .count = count,
				  .peer = from->key,
				  .hints = from->hints < REPL_HINTS_MAX ? from->hints : REPL_HINTS_MAX};
	struct replica_plan *plans = NULL;
	int rc = PAKT_ENOMEM;

	memset(res, 0, sizeof *res);
	res->origin = from->origin;
	if (count > WIRE_BATCH_MAX) {
		snprintf(why, whylen, "batch of %zu entries (max %d)", count, WIRE_BATCH_MAX);
		return PAKT_ELIMIT;
	}
	plans = malloc((count ? count : 1) * sizeof *plans);
	res->adv = malloc((count ? count : 1) * sizeof *res->adv);
	if (plans == NULL || res->adv == NULL) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	for (int round = 0; round < INGEST_ROUNDS; round++) {
		bool roster = false, unwanted = false;

		b.now = node_now(n);
		rc = replica_plan(&v, &b, n->scratch, plans, NULL, why, whylen);
		if (rc != 0 && round == 0)
			goto fail;
		if (rc != 0)
			break;   /* stored in an earlier round; cannot happen twice */
		rc = apply(n, rn, n->scratch, plans, count, wire, len, round == 0,
			   from->defer && store_sig_enabled(n->store), from->key, res, &roster, why,
			   whylen);
		if (rc != 0 && round == 0)
			goto fail;
		if (rc != 0)
			break;
		for (size_t i = 0; i < count && !unwanted; i++)
			unwanted = plans[i].act == REPLICA_SKIP && plans[i].skip == REPLICA_SKIP_UNWANTED;
		/* the batch may carry the admission of a feed it also carries */
		if (!roster || !unwanted)
			break;
	}
	account(n, rn, from, n->scratch, plans, count);
	free(plans);
	return 0;
fail:
	free(plans);
	repl_result_free(res);
	return rc;
}

void repl_announce(struct node *n, struct repl_net *rn, struct repl_result *res)
{
	if (res->stored)
		repl_emit_stored(n, rn, NULL, res->origin);
	repl_result_free(res);
}

void repl_result_free(struct repl_result *res)
{
	free(res->adv);
	for (size_t i = 0; i < res->n_hints; i++)
		free(res->hints[i].wire);
	memset(res, 0, sizeof *res);
}
