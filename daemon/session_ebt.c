/* A session's part in the epidemic broadcast trees (core/ebt, PROTOCOL.md
 * "Epidemic broadcast trees"), on replication-version-2 links only.
 *
 * Happy path: every feed starts eager both ways (as version 1 pushes).
 * A batch whose first entry we already held prunes its sender for that
 * feed (unless it is our last eager link of it); the pruned side then
 * sends `have` notes instead of entries. A lazy peer noted ahead of us for
 * EBT_GRAFT_MS, or the loss of our eager link of a feed, grafts a lazy
 * peer (it pushes from our head again). What each link owes its peer goes
 * out in one `have` (net->ebt_flush: prunes and grafts in the next loop
 * turn, notes after EBT_NOTE_MS).
 * Failure modes: a `have` on a version-1 link closes it; out of memory
 * closes it; notes of feeds we do not know are ignored. */
#include <stdlib.h>
#include <string.h>
#include "core/ebt.h"
#include "daemon/log.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/session_priv.h"
#include "proto/entry.h"

#define EBT_LINKS_MAX 256       /* sessions of one network looked at together */
#define EBT_CHECK_MS 100        /* how often late lazy notes are looked at */
/* Notes wait this long: a lazy peer that got the entry meanwhile tells us
 * (its own note), and ours is then not sent (about half the notes). */
#define EBT_NOTE_MS 50

bool session_inbound(const struct session *s)
{
	return !s->initiator;
}

static bool ebt_on(const struct session *s)
{
	return s->repl_v >= 2 && !s->closing && s->peer.state == PEER_REPL;
}

static const uint8_t *author_of(void *arg, size_t idx)
{
	return ((struct repl_net *)arg)->feeds[idx].author;
}

/* Grow the link's (and the peer's cursors') feeds to the network's. */
static bool link_sync(struct session *s)
{
	if (ebt_link_sync(&s->ebt, s->rn->n_feeds) == 0 &&
	    peer_sync_feeds(&s->peer, s->rn->n_feeds, author_of, s->rn) == 0)
		return true;
	session_close(s, "out of memory");
	return false;
}

static void on_flush(uv_timer_t *t);
static void on_check(uv_timer_t *t);

int session_ebt_start(struct net *net)
{
	uv_timer_init(net->node->loop, &net->ebt_flush);
	uv_timer_init(net->node->loop, &net->ebt_check);
	net->ebt_flush.data = net->ebt_check.data = net;
	return 0;
}

/* Send what is due: prunes and grafts in the next loop turn, notes alone
 * after EBT_NOTE_MS (see send_due); one `have` per link then. */
static void flush_in(struct session *s, uint64_t ms)
{
	uv_timer_t *t = &s->net->ebt_flush;

	if (s->net->closing)
		return;
	if (!uv_is_active((uv_handle_t *)t) || uv_timer_get_due_in(t) > ms)
		uv_timer_start(t, on_flush, ms, 0);
}

static void flush_soon(struct session *s)
{
	flush_in(s, 0);
}

static void check_soon(struct session *s)
{
	if (!uv_is_active((uv_handle_t *)&s->net->ebt_check) && !s->net->closing)
		uv_timer_start(&s->net->ebt_check, on_check, EBT_CHECK_MS, EBT_CHECK_MS);
}

/* The version-2 links of s's network (version-1 ones as an empty link:
 * eager for every feed, never grafted). */
static size_t net_links(struct session *s, struct ebt_link **out, struct session **who)
{
	static struct ebt_link v1;   /* n = 0 */
	size_t k = 0;

	for (struct session *o = s->net->sessions; o && k < EBT_LINKS_MAX; o = o->next) {
		if (!session_replicating(o, s->rn))
			continue;
		who[k] = o;
		out[k++] = o->repl_v >= 2 ? &o->ebt : &v1;
	}
	return k;
}

bool session_ebt_sends(struct session *s, size_t idx, uint64_t head)
{
	if (s->repl_v < 2 || ebt_sends(&s->ebt, idx))
		return true;
	/* lazy towards the peer: a note of our head instead */
	if (link_sync(s)) {
		ebt_on_head(&s->ebt, idx, head, true);
		if (s->ebt.n_due > 0)
			flush_in(s, EBT_NOTE_MS);
	}
	return false;
}

void session_ebt_batch_at(struct session *s, const uint8_t author[32], uint64_t first,
			  struct session_ebt_batch *b)
{
	size_t idx;

	b->known = false;
	if (!ebt_on(s) || repl_feed_get(s->rn, author, false, &idx) == NULL)
		return;
	b->known = true;
	b->idx = idx;
	b->first = first;
	b->head = s->rn->feeds[idx].seq;
}

void session_ebt_batch_begin(struct session *s, const uint8_t *first, size_t len,
			     struct session_ebt_batch *b)
{
	struct entry e;

	/* only the first entry: the pump sends one feed per message */
	b->known = false;
	if (ebt_on(s) && entry_decode(&e, first, len) == 0)
		session_ebt_batch_at(s, e.h.author, e.h.seq, b);
}

void session_ebt_batch_end(struct session *s, const struct session_ebt_batch *b)
{
	struct ebt_link *links[EBT_LINKS_MAX];
	struct session *who[EBT_LINKS_MAX];
	size_t k;

	/* a batch that starts at or below what we held: the peer sent us
	 * what another link already did */
	if (!b->known || b->first > b->head || !ebt_on(s) || !link_sync(s))
		return;
	k = net_links(s, links, who);
	if (ebt_on_batch(&s->ebt, b->idx, true, ebt_eager_count(links, k, b->idx, &s->ebt)))
		flush_soon(s);
}

static uint64_t head_of(void *arg, size_t idx)
{
	const struct repl_net *rn = arg;

	return idx < rn->n_feeds ? rn->feeds[idx].seq : 0;
}

void session_ebt_on_have(struct session *s, const struct wire_msg *m)
{
	uint64_t now = uv_now(s->net->node->loop);
	size_t idx;

	if (s->repl_v < 2) {
		session_close(s, "protocol error: have on a version 1 link");
		return;
	}
	if (!link_sync(s))
		return;
	for (size_t i = 0; i < m->n_notes; i++) {
		if (repl_feed_get(s->rn, m->notes[i].author, false, &idx) == NULL)
			continue;
		peer_holds(&s->peer, idx, m->notes[i].seq);   /* not ours to send */
		ebt_on_note(&s->ebt, idx, m->notes[i].seq, s->rn->feeds[idx].seq, now);
	}
	if (s->ebt.n_ahead > 0)
		check_soon(s);
	for (size_t i = 0; i < m->n_prunes; i++)
		if (repl_feed_get(s->rn, m->prunes[i], false, &idx) != NULL)
			ebt_on_prune(&s->ebt, idx, repl_feed_relay_seq(s->rn, &s->rn->feeds[idx]));
	if (m->n_grafts > 0) {
		/* push from exactly the seq it holds, as a clock says */
		struct wire_msg c = {.type = WIRE_CLOCK, .feeds = m->grafts, .n_feeds = m->n_grafts};

		for (size_t i = 0; i < m->n_grafts; i++)
			if (repl_feed_get(s->rn, m->grafts[i].author, false, &idx) != NULL)
				ebt_on_graft(&s->ebt, idx);
		if (peer_on_clock(&s->peer, &c, s->rn->n_feeds, author_of, s->rn) != 0) {
			session_close(s, "out of memory");
			return;
		}
		session_pump(s);
	}
	if (s->ebt.n_due > 0)
		flush_soon(s);
}

void session_ebt_closed(struct session *s)
{
	struct ebt_link *links[EBT_LINKS_MAX];
	struct session *who[EBT_LINKS_MAX];
	size_t k;

	if (s->repl_v < 2 || s->rn == NULL || !s->peer.got_clock)
		return;
	/* s is no longer in the list: every feed it pushed to us needs
	 * another eager link, the lazy one that noted the most */
	k = net_links(s, links, who);
	for (size_t i = 0; i < s->ebt.n && k > 0; i++) {
		long g;

		if (!ebt_receives(&s->ebt, i) || (g = ebt_pick_graft(links, k, i)) < 0)
			continue;
		ebt_graft(links[g], i);
		flush_soon(who[g]);
	}
}

/* One `have` per link with everything it is owed. */
static void send_due(struct session *s)
{
	static struct ebt_item items[WIRE_HAVE_MAX];
	static struct wire_clock_item notes[WIRE_HAVE_MAX], grafts[WIRE_HAVE_MAX];
	static const uint8_t *prunes[WIRE_HAVE_MAX];
	struct mpx_out o;
	size_t k;

	mpx_init(&o);
	while (!s->closing && (k = ebt_take_due(&s->ebt, items, WIRE_HAVE_MAX / 2)) > 0) {
		size_t n_notes = 0, n_grafts = 0, n_prunes = 0;

		for (size_t i = 0; i < k; i++) {
			const struct repl_feed *f = &s->rn->feeds[items[i].idx];
			uint64_t head = repl_feed_relay_seq(s->rn, f);

			uint64_t from;

			/* a note only if the peer still lacks it, as far as we know */
			if ((items[i].due & EBT_DUE_NOTE) && !ebt_sends(&s->ebt, items[i].idx) &&
			    peer_wants(&s->peer, items[i].idx, head, &from)) {
				notes[n_notes].author = f->author;
				notes[n_notes++].seq = head;
				ebt_noted(&s->ebt, items[i].idx, head);
			}
			if (items[i].due & EBT_DUE_GRAFT) {
				grafts[n_grafts].author = f->author;
				grafts[n_grafts++].seq = f->seq;
			}
			if (items[i].due & EBT_DUE_PRUNE)
				prunes[n_prunes++] = f->author;
		}
		if (n_notes + n_grafts + n_prunes == 0)
			continue;
		if (n_grafts + n_prunes > 0)
			log_debug("peer %s: broadcast trees: %zu feeds made lazy, %zu eager again",
				  s->addr, n_prunes, n_grafts);
		wire_have(&o, notes, n_notes, grafts, n_grafts, prunes, n_prunes);
		session_send_msg(s, &o);
	}
	mpx_free(&o);
}

static void on_flush(uv_timer_t *t)
{
	struct net *net = t->data;

	for (struct session *s = net->sessions; s; s = s->next)
		if (ebt_on(s) && s->ebt.n_due > 0)
			send_due(s);
}

static void on_check(uv_timer_t *t)
{
	struct net *net = t->data;
	uint64_t now = uv_now(net->node->loop);
	bool late = false, any = false;

	for (struct session *s = net->sessions; s; s = s->next) {
		if (!ebt_on(s) || s->ebt.n_ahead == 0)
			continue;
		late |= ebt_graft_late(&s->ebt, head_of, s->rn, now) > 0;
		any |= s->ebt.n_ahead > 0;
	}
	if (late)
		on_flush(&net->ebt_flush);
	if (!any)
		uv_timer_stop(t);
}
