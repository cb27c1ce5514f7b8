/* One peer connection's protocol state: transitions, message dispatch,
 * admission, the pin rule, and what the peer holds of our feeds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "core/peer.h"
#include "proto/entry.h"
#include "proto/err.h"
#include "proto/id.h"

#define R (1u << 0)   /* the responder may take this move */
#define I (1u << 1)   /* the initiator may */

/* allowed[from][to]: which role may move from one state to another. */
static const unsigned char allowed[PEER_STATE_COUNT][PEER_STATE_COUNT] = {
	[PEER_CONNECTING] = {[PEER_HANDSHAKE] = I, [PEER_CLOSED] = I},
	[PEER_PREAMBLE] = {[PEER_HANDSHAKE] = R, [PEER_CLOSED] = R},
	[PEER_HANDSHAKE] = {[PEER_INVITE_WAIT] = R, [PEER_WELCOME_WAIT] = I,
			    [PEER_REPL] = R | I, [PEER_CLOSED] = R | I},
	[PEER_INVITE_WAIT] = {[PEER_REPL] = R, [PEER_CLOSED] = R},
	[PEER_WELCOME_WAIT] = {[PEER_REPL] = I, [PEER_CLOSED] = I},
	[PEER_REPL] = {[PEER_CLOSED] = R | I},
};

static const char *const state_names[PEER_STATE_COUNT] = {
	"connecting", "preamble", "handshake", "invite wait", "welcome wait", "replicating",
	"closed",
};

void peer_init(struct peer *p, bool initiator)
{
	memset(p, 0, sizeof *p);
	p->initiator = initiator;
	p->state = initiator ? PEER_CONNECTING : PEER_PREAMBLE;
}

void peer_free(struct peer *p)
{
	if (p == NULL)
		return;
	free(p->seq);
	free(p->skip);
	free(p->told);
	free(p->unknown);
	p->seq = NULL;
	p->skip = NULL;
	p->told = NULL;
	p->unknown = NULL;
	p->n_feeds = p->n_unknown = 0;
}

const char *peer_state_name(enum peer_state s)
{
	return (unsigned)s < PEER_STATE_COUNT ? state_names[s] : "?";
}

bool peer_can(bool initiator, enum peer_state from, enum peer_state to)
{
	if ((unsigned)from >= PEER_STATE_COUNT || (unsigned)to >= PEER_STATE_COUNT)
		return false;
	return (allowed[from][to] & (initiator ? I : R)) != 0;
}

int peer_transition(struct peer *p, enum peer_state to)
{
	if (!peer_can(p->initiator, p->state, to))
		return PAKT_EPROTO;
	p->state = to;
	return 0;
}

struct peer_verdict peer_on_message(const struct peer *p, enum wire_type type)
{
	struct peer_verdict v = {PEER_ACT_CLOSE, NULL};

	if (type == WIRE_BYE) {
		v.act = PEER_ACT_PEER_BYE;
		return v;
	}
	switch (p->state) {
	case PEER_INVITE_WAIT:
		/* a non-member learns why, rather than seeing a silent close */
		if (type == WIRE_INVITE) {
			v.act = PEER_ACT_INVITE;
		} else {
			v.act = PEER_ACT_BYE;
			v.reason = "not a member of this initiative";
		}
		return v;
	case PEER_WELCOME_WAIT:
		if (type == WIRE_WELCOME)
			v.act = PEER_ACT_WELCOME;
		else
			v.reason = "expected welcome";
		return v;
	case PEER_REPL:
		break;
	default:
		v.reason = "unexpected message before the handshake ended";
		return v;
	}
	switch (type) {
	case WIRE_CLOCK:
		v.act = PEER_ACT_CLOCK;
		break;
	case WIRE_ENTRIES:
		v.act = PEER_ACT_ENTRIES;
		break;
	case WIRE_RUN:
		v.act = PEER_ACT_RUN;
		break;
	case WIRE_FORK:
		v.act = PEER_ACT_FORK;
		break;
	case WIRE_HAVE:
		v.act = PEER_ACT_HAVE;
		break;
	case WIRE_BADSIG:
		v.act = PEER_ACT_BADSIG;
		break;
	default:
		v.reason = "unexpected message";
		break;
	}
	return v;
}

void peer_deadline_why(const struct peer *p, unsigned handshake_ms, unsigned stall_ms,
		       char *why, size_t whylen)
{
	switch (p->state) {
	case PEER_REPL:
		snprintf(why, whylen, "stalled in the middle of a frame for %u ms", stall_ms);
		break;
	case PEER_INVITE_WAIT:
		snprintf(why, whylen,
			 "not a member, and no invite within %u ms of connecting (the invite deadline)",
			 handshake_ms);
		break;
	case PEER_WELCOME_WAIT:
		snprintf(why, whylen, "no welcome within %u ms of connecting (the invite deadline)",
			 handshake_ms);
		break;
	default:
		snprintf(why, whylen, "handshake not finished within %u ms", handshake_ms);
		break;
	}
}

/* ---- admission ---- */

static bool same_member(const struct peer_facts *f, const uint8_t a[32], const uint8_t b[32])
{
	if (memcmp(a, b, 32) == 0)
		return true;
	return f->same_member != NULL && f->same_member(f->arg, a, b);
}

int peer_pin_check(const struct peer_facts *f, char *why, size_t whylen)
{
	char id[ID_TEXT_MAX];

	if (f->pin == NULL || same_member(f, f->pin, f->peer_key))
		return 0;
	/* a successor the pinned member named itself: a succession by anyone
	 * else would let any member answer on a pinned partner's address */
	if (f->vouched && f->succ_author != NULL && same_member(f, f->pin, f->succ_author))
		return 0;
	id_encode(ID_KEY, f->peer_key, id);
	if (f->vouched && f->succ_author != NULL)
		snprintf(why, whylen,
			 "peer is %s, not the expected key, and its succession is not by the pinned member",
			 id);
	else
		snprintf(why, whylen, "peer is %s, not the expected key", id);
	return PAKT_ENOTMEMBER;
}

enum peer_admit peer_admit(bool initiator, const struct peer_facts *f, char *why,
			   size_t whylen)
{
	char id[ID_TEXT_MAX];
	bool member = f->is_member || f->vouched;

	id_encode(ID_KEY, f->peer_key, id);
	if (f->is_self) {
		snprintf(why, whylen, "that is ourselves");
		return PEER_ADMIT_REFUSE;
	}
	if (initiator) {
		if (peer_pin_check(f, why, whylen) != 0)
			return PEER_ADMIT_REFUSE;
		if (f->joining)
			return PEER_ADMIT_JOIN;
		/* a pinned key stands in for membership only until we hold the
		 * genesis and can judge (a joiner reconnecting to its inviter) */
		if (!member && (f->has_genesis || f->pin == NULL)) {
			snprintf(why, whylen, "peer %s is not a member of the initiative", id);
			return PEER_ADMIT_REFUSE;
		}
	} else if (!member) {
		return PEER_ADMIT_INVITE_WAIT;
	}
	if (f->key_live) {
		snprintf(why, whylen,
			 "%s already has a session here (one per key: the older one stays)", id);
		return PEER_ADMIT_REFUSE;
	}
	return PEER_ADMIT_REPL;
}

int peer_succ_author(const uint8_t *wire, size_t len, uint8_t author[32])
{
	struct entry e;
	int rc;

	if (wire == NULL)
		return PAKT_EINVAL;
	rc = entry_decode(&e, wire, len);
	if (rc != 0)
		return rc;
	memcpy(author, e.h.author, 32);
	return 0;
}

/* ---- clocks and cursors ---- */

static int cmp_item(const void *a, const void *b)
{
	return memcmp(((const struct peer_clock_item *)a)->author,
		      ((const struct peer_clock_item *)b)->author, 32);
}

static struct peer_clock_item *find_item(struct peer_clock_item *v, size_t n,
					 const uint8_t author[32])
{
	struct peer_clock_item key;

	memcpy(key.author, author, 32);
	return n ? bsearch(&key, v, n, sizeof *v, cmp_item) : NULL;
}

static void apply(struct peer *p, size_t idx, const struct peer_clock_item *it)
{
	if (it->skip) {
		p->skip[idx] = true;
	} else {
		/* the peer's word for what it holds now: lower than what we
		 * sent when it refused part of it (a feed it could not yet take
		 * is asked for again by a new clock) */
		p->skip[idx] = false;
		p->seq[idx] = it->seq;
	}
}

int peer_sync_feeds(struct peer *p, size_t n, peer_author_fn author, void *arg)
{
	if (n <= p->n_feeds)
		return 0;
	uint64_t *seq = realloc(p->seq, n * sizeof *seq);
	if (seq == NULL)
		return PAKT_ENOMEM;
	p->seq = seq;
	bool *skip = realloc(p->skip, n * sizeof *skip);
	if (skip == NULL)
		return PAKT_ENOMEM;
	p->skip = skip;
	bool *told = realloc(p->told, n * sizeof *told);
	if (told == NULL)
		return PAKT_ENOMEM;
	p->told = told;
	for (size_t i = p->n_feeds; i < n; i++) {
		told[i] = false;
		const struct peer_clock_item *it = find_item(p->unknown, p->n_unknown, author(arg, i));

		seq[i] = 0;
		skip[i] = false;
		if (it != NULL)
			apply(p, i, it);
	}
	p->n_feeds = n;
	return 0;
}

/* Keep the items no feed of ours matched, sorted, deduplicated (the later
 * item wins over an older one, seqs never go down), at most
 * PEER_UNKNOWN_MAX. */
static int remember_unknown(struct peer *p, const struct peer_clock_item *items,
			    const bool *matched, size_t n)
{
	size_t add = 0, total;
	struct peer_clock_item *v;

	for (size_t i = 0; i < n; i++)
		add += !matched[i];
	if (add == 0)
		return 0;
	v = realloc(p->unknown, (p->n_unknown + add) * sizeof *v);
	if (v == NULL)
		return PAKT_ENOMEM;
	p->unknown = v;
	total = p->n_unknown;
	for (size_t i = 0; i < n; i++) {
		if (matched[i])
			continue;
		struct peer_clock_item *old = find_item(v, p->n_unknown, items[i].author);

		if (old != NULL) {
			uint64_t seq = old->seq > items[i].seq ? old->seq : items[i].seq;

			*old = items[i];
			old->seq = seq;
		} else if (total < PEER_UNKNOWN_MAX) {
			v[total++] = items[i];
		}
	}
	qsort(v, total, sizeof *v, cmp_item);
	/* a part naming one author twice: keep one */
	size_t w = 0;
	for (size_t i = 0; i < total; i++) {
		if (w > 0 && memcmp(v[w - 1].author, v[i].author, 32) == 0) {
			if (v[i].seq > v[w - 1].seq)
				v[w - 1].seq = v[i].seq;
			v[w - 1].skip = v[i].skip;
			continue;
		}
		v[w++] = v[i];
	}
	p->n_unknown = w;
	return 0;
}

int peer_on_clock(struct peer *p, const struct wire_msg *m, size_t n, peer_author_fn author,
		  void *arg)
{
	size_t k = m->n_feeds + m->n_skip;
	struct peer_clock_item *items;
	bool *matched;
	int rc;

	rc = peer_sync_feeds(p, n, author, arg);
	if (rc != 0)
		return rc;
	p->got_clock = true;
	if (k == 0)
		return 0;
	items = calloc(k, sizeof *items);
	matched = calloc(k, sizeof *matched);
	if (items == NULL || matched == NULL) {
		free(items);
		free(matched);
		return PAKT_ENOMEM;
	}
	for (size_t i = 0; i < m->n_feeds; i++) {
		memcpy(items[i].author, m->feeds[i].author, 32);
		items[i].seq = m->feeds[i].seq;
	}
	for (size_t i = 0; i < m->n_skip; i++) {
		memcpy(items[m->n_feeds + i].author, m->skip[i], 32);
		items[m->n_feeds + i].skip = true;
	}
	/* stable order within one author does not matter: a feed listed and
	 * skipped in one part is a peer's contradiction, either reading is safe */
	qsort(items, k, sizeof *items, cmp_item);
	for (size_t i = 0; i < n; i++) {
		struct peer_clock_item *it = find_item(items, k, author(arg, i));

		if (it == NULL)
			continue;
		/* bsearch may land on any of equal items: apply them all */
		while (it > items && memcmp(it[-1].author, it->author, 32) == 0)
			it--;
		for (; it < items + k && memcmp(it->author, author(arg, i), 32) == 0; it++) {
			apply(p, i, it);
			matched[it - items] = true;
		}
	}
	rc = remember_unknown(p, items, matched, k);
	free(items);
	free(matched);
	return rc;
}

bool peer_wants(const struct peer *p, size_t idx, uint64_t head_seq, uint64_t *from)
{
	if (idx >= p->n_feeds || p->skip[idx] || p->seq[idx] >= head_seq)
		return false;
	*from = p->seq[idx] + 1;
	return true;
}

void peer_holds(struct peer *p, size_t idx, uint64_t seq)
{
	if (idx < p->n_feeds && p->seq[idx] < seq)
		p->seq[idx] = seq;
}

bool peer_fork_proof_due(struct peer *p, size_t idx, bool forked_here)
{
	if (!forked_here || !p->got_clock || idx >= p->n_feeds || p->skip[idx] || p->told[idx])
		return false;
	p->told[idx] = true;
	return true;
}

uint64_t peer_behind(const struct peer *p, size_t idx, uint64_t head_seq)
{
	if (idx >= p->n_feeds || p->skip[idx] || p->seq[idx] >= head_seq)
		return 0;
	return head_seq - p->seq[idx];
}

bool peer_clock_part(size_t n, peer_view_fn view, void *arg, size_t *cursor,
		     struct wire_clock_item *items, size_t *n_items, const uint8_t **skip,
		     size_t *n_skip)
{
	size_t i = *cursor;

	*n_items = *n_skip = 0;
	for (; i < n && *n_items + *n_skip < PEER_CLOCK_PART; i++) {
		struct peer_feed_view v;

		view(arg, i, &v);
		if (v.skip) {
			skip[(*n_skip)++] = v.author;
		} else {
			items[*n_items].author = v.author;
			items[(*n_items)++].seq = v.seq;
		}
	}
	*cursor = i;
	return i < n;
}

enum peer_profile_verdict peer_profile_plan(uint64_t ts, const char *const *addrs, size_t n,
					    const struct peer_profile_link *have,
					    size_t n_have, bool *keep, size_t *add,
					    size_t *n_add)
{
	size_t taken = 0;

	*n_add = 0;
	for (size_t i = 0; i < n_have; i++)
		if (have[i].profile_ts > ts)
			return PEER_PROFILE_OLDER;
	for (size_t i = 0; i < n_have; i++)
		keep[i] = false;
	for (size_t j = 0; j < n && taken < PEER_PROFILE_ADDRS; j++) {
		bool dup = false, held = false;

		for (size_t k = 0; k < j && !dup; k++)
			dup = strcmp(addrs[k], addrs[j]) == 0;
		if (dup)
			continue;
		taken++;
		for (size_t i = 0; i < n_have; i++) {
			if (!keep[i] && strcmp(have[i].address, addrs[j]) == 0) {
				keep[i] = true;
				held = true;
			}
		}
		if (!held)
			add[(*n_add)++] = j;
	}
	return PEER_PROFILE_APPLY;
}

size_t peer_links_pick(const uint8_t self[32], const uint8_t (*keys)[32], size_t n,
		       size_t n_explicit, unsigned links, bool *dial)
{
	size_t keep = links > n_explicit ? links - n_explicit : 0, picked = 0;
	uint8_t in[64], mine[8], other[8];

	/* member i is dialled when fewer than keep members score below it
	 * (ties by index): O(n^2), n is at most a few hundred */
	memcpy(in, self, 32);
	for (size_t i = 0; i < n; i++) {
		size_t below = 0;

		memcpy(in + 32, keys[i], 32);
		crypto_generichash(mine, sizeof mine, in, sizeof in, NULL, 0);
		for (size_t j = 0; j < n && below < keep; j++) {
			int c;

			if (j == i)
				continue;
			memcpy(in + 32, keys[j], 32);
			crypto_generichash(other, sizeof other, in, sizeof in, NULL, 0);
			c = memcmp(other, mine, sizeof mine);
			below += c < 0 || (c == 0 && j < i);
		}
		dial[i] = below < keep;
		picked += dial[i];
	}
	return picked;
}
