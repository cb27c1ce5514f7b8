/* Planning a batch of entries from a peer (see core/replica.h). */
#include <stdio.h>
#include <string.h>
#include "core/replica.h"
#include "proto/body.h"
#include "proto/err.h"
#include "proto/wire.h"

static bool in_list(const char *type, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(type, list[i]) == 0)
			return true;
	return false;
}

bool replica_needs_body(const char *type)
{
	static const char *const record[] = {"genesis", "member", "succession", "revoke", "agenda",
					     "commitment", "accept", "decline", "status"};

	return in_list(type, record, sizeof record / sizeof record[0]);
}

bool replica_redactable(const char *type)
{
	static const char *const content[] = {"message", "update", "sealed", "profile"};

	return in_list(type, content, sizeof content / sizeof content[0]);
}

const char *replica_skip_name(enum replica_skip s)
{
	switch (s) {
	case REPLICA_SKIP_NONE: return "none";
	case REPLICA_SKIP_FEED: return "forked or unsubscribed feed";
	case REPLICA_SKIP_AFTER: return "after an entry not taken";
	case REPLICA_SKIP_GAP: return "gap";
	case REPLICA_SKIP_FUTURE: return "dated in the future";
	case REPLICA_SKIP_UNWANTED: return "author never a member";
	case REPLICA_SKIP_CUTOFF: return "after its author's removal or revocation";
	case REPLICA_SKIP_NOBODY: return "record entry without its body";
	}
	return "?";
}

/* A feed touched by the batch: where its tentative head stands. */
struct tfeed {
	const uint8_t *author;
	struct replica_head h;
	bool any;                   /* an entry of this batch was taken */
	bool stop;                  /* ignore the rest of this feed */
	bool wanted;
};

struct planner {
	const struct replica_view *v;
	const struct replica_batch *b;
	struct entry *es;
	struct replica_plan *plans;
	struct tfeed *t;
	size_t nt;
	unsigned hints;
};

static struct tfeed *touch(struct planner *p, const struct entry *e)
{
	struct tfeed *f;

	for (size_t i = 0; i < p->nt; i++)
		if (memcmp(p->t[i].author, e->h.author, 32) == 0)
			return &p->t[i];
	f = &p->t[p->nt++];
	memset(f, 0, sizeof *f);
	f->author = e->h.author;
	p->v->head(p->v->arg, e->h.author, &f->h);
	/* the genesis defines the network: wanted before any roster exists */
	f->wanted = (!e->h.has_network && memcmp(e->hash, p->b->network, 32) == 0) ||
		    p->v->may_feed(p->v->arg, e->h.author);
	return f;
}

static int refuse(size_t i, const struct entry *e, int rc, size_t *bad, char *why,
		  size_t whylen, const char *what)
{
	if (bad)
		*bad = i;
	snprintf(why, whylen, "entry %zu (seq %llu): %s", i, (unsigned long long)e->h.seq,
		 what ? what : pakt_strerror(rc));
	return rc;
}

/* seq at or below the tentative head: a duplicate, a missing body, or a
 * fork. Returns 0 or the reason to refuse the batch. */
static int plan_known(struct planner *p, size_t i, struct tfeed *f, size_t *bad, char *why,
		      size_t whylen)
{
	struct entry *e = &p->es[i];
	struct replica_plan *pl = &p->plans[i];
	uint8_t held[32];
	int rc;

	/* in this batch: compare with the entry taken at that seq */
	for (size_t j = 0; j < i; j++) {
		const struct entry *o = &p->es[j];

		if (p->plans[j].act == REPLICA_STORE && o->h.seq == e->h.seq &&
		    memcmp(o->h.author, e->h.author, 32) == 0) {
			pl->twin = j;
			memcpy(held, o->hash, 32);
			break;
		}
	}
	if (pl->twin == REPLICA_NONE && p->v->hash_at(p->v->arg, e->h.author, e->h.seq, held) != 0) {
		pl->act = REPLICA_SKIP;   /* cannot judge it: fetched again later */
		pl->skip = REPLICA_SKIP_GAP;
		return 0;
	}
	if (memcmp(held, e->hash, 32) == 0) {
		pl->twin = REPLICA_NONE;
		pl->act = REPLICA_DUP;
		/* rule 1: a copy with the body completes one held without */
		if (e->body != NULL && p->v->held(p->v->arg, e->hash, NULL, NULL) == REPLICA_BODILESS &&
		    !p->v->redacted(p->v->arg, e->hash)) {
			pl->act = REPLICA_FILL;
			pl->roster = replica_needs_body(e->h.type);
		}
		return 0;
	}
	/* past its author's end: not stored, so no fork either; a node that
	 * stored the other version before it knew of the end keeps it, but it
	 * counts for nothing and is not relayed (PROTOCOL.md, rule 6) */
	if (p->v->cut_off(p->v->arg, e->h.author, e->h.seq, e->h.timestamp)) {
		pl->twin = REPLICA_NONE;
		pl->act = REPLICA_SKIP;
		pl->skip = REPLICA_SKIP_CUTOFF;
		f->stop = true;
		return 0;
	}
	if ((rc = entry_verify(e)) != 0)
		return refuse(i, e, rc, bad, why, whylen, NULL);
	pl->act = REPLICA_FORK;
	pl->seq_ref = e->h.seq;
	f->stop = true;
	return 0;
}

/* The next seq of a feed: store it, or say why not. */
static int plan_next(struct planner *p, size_t i, struct tfeed *f, size_t *bad, char *why,
		     size_t whylen)
{
	struct entry *e = &p->es[i];
	struct replica_plan *pl = &p->plans[i];
	uint8_t redactor[32];
	char what[160];
	int rc;

	if (e->h.seq > 1 && memcmp(e->h.prev, f->h.hash, 32) != 0) {
		/* right after our stored head and signed by its author: a fork,
		 * not a broken peer; our head goes back as evidence. The author
		 * itself knows its chain: it is refused. */
		if (!f->any && p->hints > 0 && p->b->peer != NULL &&
		    memcmp(p->b->peer, e->h.author, 32) != 0 && entry_verify(e) == 0) {
			p->hints--;
			pl->act = REPLICA_HINT;
			pl->seq_ref = f->h.seq;
			f->stop = true;
			return 0;
		}
		return refuse(i, e, PAKT_ECHAIN, bad, why, whylen, NULL);
	}
	rc = entry_check_time(&e->h, f->h.ts, p->b->now);
	if (rc != 0 && e->h.timestamp < f->h.ts) {
		snprintf(what, sizeof what, "timestamp %llu is before its predecessor's (%llu)",
			 (unsigned long long)e->h.timestamp, (unsigned long long)f->h.ts);
		return refuse(i, e, rc, bad, why, whylen, what);
	}
	pl->act = REPLICA_SKIP;
	if (rc != 0)
		pl->skip = REPLICA_SKIP_FUTURE;   /* maybe only our clock is behind */
	else if (p->v->cut_off(p->v->arg, e->h.author, e->h.seq, e->h.timestamp))
		pl->skip = REPLICA_SKIP_CUTOFF;
	else if (e->body == NULL && replica_needs_body(e->h.type))
		pl->skip = REPLICA_SKIP_NOBODY;   /* rule 1 */
	if (pl->skip != REPLICA_SKIP_NONE) {
		f->stop = true;
		return 0;
	}
	pl->act = REPLICA_STORE;
	pl->roster = replica_needs_body(e->h.type);
	/* rule 2: a redaction takes effect only on its own author's content */
	if (e->body != NULL && replica_redactable(e->h.type)) {
		if (p->v->redacted(p->v->arg, e->hash)) {
			pl->strip = true;
		} else if (p->v->pending(p->v->arg, e->hash, redactor) &&
			   memcmp(redactor, e->h.author, 32) == 0) {
			pl->strip = true;
			pl->pending_hit = true;
		}
	}
	f->h.seq = e->h.seq;
	memcpy(f->h.hash, e->hash, 32);
	f->h.ts = e->h.timestamp;
	f->any = true;
	return 0;
}

/* What each stored (or filled-in) redact entry does: known only once the
 * whole batch is planned (its target may be in the batch). */
static void plan_redactions(struct planner *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct replica_plan *pl = &p->plans[i];
		const struct entry *e = &p->es[i];
		struct body_ref r;
		uint8_t author[32];
		char type[ENTRY_TYPE_MAX + 1];
		size_t j;

		if ((pl->act != REPLICA_STORE && pl->act != REPLICA_FILL) ||
		    strcmp(e->h.type, "redact") != 0 || e->body == NULL ||
		    body_ref_parse("redact", e->body, e->body_len, &r) != 0)
			continue;
		memcpy(pl->target, r.ref, 32);
		for (j = 0; j < n; j++)
			if (p->plans[j].act == REPLICA_STORE && memcmp(p->es[j].hash, r.ref, 32) == 0)
				break;
		if (j < n) {
			bool ok = memcmp(p->es[j].h.author, e->h.author, 32) == 0 &&
				  replica_redactable(p->es[j].h.type);

			pl->redact = ok ? REPLICA_REDACT_BATCH : REPLICA_REDACT_DENIED;
			if (ok)
				p->plans[j].strip = true;
			continue;
		}
		if (p->v->held(p->v->arg, r.ref, author, type) == REPLICA_ABSENT)
			pl->redact = REPLICA_REDACT_PENDING;
		else if (memcmp(author, e->h.author, 32) == 0 && replica_redactable(type))
			pl->redact = REPLICA_REDACT_APPLY;
		else
			pl->redact = REPLICA_REDACT_DENIED;
	}
}

int replica_plan(const struct replica_view *v, const struct replica_batch *b,
		 struct entry *es, struct replica_plan *plans, size_t *bad,
		 char *why, size_t whylen)
{
	struct tfeed t[WIRE_BATCH_MAX];
	struct planner p = {.v = v, .b = b, .es = es, .plans = plans, .t = t, .hints = b->hints};
	char bwhy[160];
	int rc;

	if (b->count > WIRE_BATCH_MAX) {
		if (bad)
			*bad = 0;
		snprintf(why, whylen, "batch of %zu entries (max %d)", b->count, WIRE_BATCH_MAX);
		return PAKT_ELIMIT;
	}
	for (size_t i = 0; i < b->count; i++) {
		struct entry *e = &es[i];
		struct replica_plan *pl = &plans[i];
		struct tfeed *f;

		memset(pl, 0, sizeof *pl);
		pl->twin = REPLICA_NONE;
		rc = entry_decode(e, b->wire[i], b->len[i]);
		if (rc != 0) {
			if (bad)
				*bad = i;
			snprintf(why, whylen, "entry %zu of batch: %s", i, pakt_strerror(rc));
			return rc;
		}
		if (memcmp(entry_network(e), b->network, 32) != 0) {
			if (bad)
				*bad = i;
			snprintf(why, whylen, "entry %zu of batch belongs to another network", i);
			return PAKT_ENETWORK;
		}
		if (e->body != NULL && body_validate(e->h.type, e->body, e->body_len, bwhy, sizeof bwhy) != 0)
			return refuse(i, e, PAKT_EBODY, bad, why, whylen, bwhy);
		f = touch(&p, e);
		pl->act = REPLICA_SKIP;
		if (f->h.forked || f->h.skipped) {
			pl->skip = REPLICA_SKIP_FEED;
			continue;
		}
		if (f->stop) {
			pl->skip = REPLICA_SKIP_AFTER;
			continue;
		}
		/* rule 3: only feeds of keys that are or were members */
		if (!f->wanted) {
			pl->skip = REPLICA_SKIP_UNWANTED;
			f->stop = true;
			continue;
		}
		if (e->h.seq <= f->h.seq)
			rc = plan_known(&p, i, f, bad, why, whylen);
		else if (e->h.seq > f->h.seq + 1) {
			/* the peer knows more of the feed than we hold */
			pl->skip = REPLICA_SKIP_GAP;
			f->stop = true;
			rc = 0;
		} else {
			rc = plan_next(&p, i, f, bad, why, whylen);
		}
		if (rc != 0)
			return rc;
	}
	plan_redactions(&p, b->count);
	return 0;
}
