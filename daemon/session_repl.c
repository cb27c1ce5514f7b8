/* A session's replication: our clock (in parts that each fit a frame),
 * the peer's clock merged into core/peer's cursors, streaming what the
 * peer lacks, batches in, fork proofs both ways.
 *
 * Happy path: on admission both sides send their clock; each then streams
 * the entries after the other's seq, feed by feed, pausing at
 * NET_PENDING_HIGH bytes queued; new entries are pushed by session_pump.
 * Failure modes: a message the state does not take, a rejected batch, an
 * invalid fork proof, out of memory: the session closes with the reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "daemon/log.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/session_priv.h"
#include "daemon/sigdefer.h"
#include "core/sigproof.h"
#include "daemon/store.h"
#include "proto/err.h"
#include "proto/id.h"
#include "proto/wire_run.h"

static struct wire_scratch parse_scratch;
static struct wire_run_scratch run_scratch;

static const uint8_t *feed_author(void *arg, size_t idx)
{
	return ((struct repl_net *)arg)->feeds[idx].author;
}

/* Grow the peer's cursors to the network's feeds. */
static bool sync_feeds(struct session *s)
{
	if (peer_sync_feeds(&s->peer, s->rn->n_feeds, feed_author, s->rn) == 0)
		return true;
	session_close(s, "out of memory");
	return false;
}

void session_peer_has(struct session *s, size_t idx, uint64_t seq)
{
	if (sync_feeds(s))
		peer_holds(&s->peer, idx, seq);
}

struct pump {
	struct session *s;
	struct mpx_out o;
	uint8_t buf[WIRE_PLAIN_MAX];
	size_t used;
	size_t count;
	size_t offs[WIRE_BATCH_MAX + 1];
	uint64_t last_seq;
	uint64_t upto;              /* the last seq to send (repl_feed_relay_seq) */
	size_t idx;
	bool v2;                    /* send "run" messages (replication version 2) */
	struct wire_run run;
};

static void pump_flush(struct pump *p)
{
	if (p->run.count > 0) {
		wire_run_end(&p->run, &p->o);
		session_send_msg(p->s, &p->o);
		p->s->entries_out += p->run.count;
		peer_holds(&p->s->peer, p->idx, p->last_seq);
		wire_run_begin(&p->run);
	}
	if (p->count == 0)
		return;
	wire_entries_begin(&p->o, p->count);
	for (size_t i = 0; i < p->count; i++)
		wire_entries_add(&p->o, p->buf + p->offs[i], p->offs[i + 1] - p->offs[i]);
	wire_entries_end(&p->o);
	session_send_msg(p->s, &p->o);
	p->s->entries_out += p->count;
	peer_holds(&p->s->peer, p->idx, p->last_seq);
	p->count = 0;
	p->used = 0;
}

static int pump_row(void *arg, const struct store_row *row);

/* Version 2: append a stored row to the run. */
static int pump_row_run(struct pump *p, const struct store_row *row)
{
	int rc = PAKT_EINVAL;

	if (!wire_run_fits(&p->run, row->body ? row->body_len : 0) ||
	    p->run.count == WIRE_BATCH_MAX)
		pump_flush(p);
	if (p->s->closing || (p->run.count == 0 && p->s->pending >= NET_PENDING_HIGH))
		return 1;
	if (row->sig_len == PAKT_SIG_LEN &&
	    (rc = wire_run_add(&p->run, row->header, row->header_len, row->sig, row->body,
			       row->body_len)) == PAKT_ECHAIN) {
		pump_flush(p);   /* a gap in what we hold: a new run */
		rc = wire_run_add(&p->run, row->header, row->header_len, row->sig, row->body,
				  row->body_len);
	}
	if (rc == 0) {
		p->last_seq = row->seq;
		return 0;
	}
	/* it cannot travel in a run: alone, in an "entries" message */
	pump_flush(p);
	p->v2 = false;
	rc = pump_row(p, row);
	pump_flush(p);
	p->v2 = true;
	return rc;
}

/* Append a stored row in wire form: [bin header, bin sig, bin body|nil]. */
static int pump_row(void *arg, const struct store_row *row)
{
	struct pump *p = arg;
	size_t need = 1 + 3 + row->header_len + 3 + row->sig_len + 5 + row->body_len;
	msgpack_sbuffer sb;
	msgpack_packer pk;

	if (row->seq > p->upto)
		return 1;
	if (p->v2)
		return pump_row_run(p, row);
	if (p->used + need + 5 * (p->count + 1) + WIRE_ENTRIES_OVERHEAD > WIRE_PLAIN_MAX ||
	    p->count == WIRE_BATCH_MAX)
		pump_flush(p);
	/* stop at the high-water mark, not after the whole range */
	if (p->s->closing || (p->count == 0 && p->s->pending >= NET_PENDING_HIGH))
		return 1;
	/* pack straight into our buffer through a borrowed sbuffer */
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 3);
	mpx_bin(&pk, row->header, row->header_len);
	mpx_bin(&pk, row->sig, row->sig_len);
	if (row->body)
		mpx_bin(&pk, row->body, row->body_len);
	else
		msgpack_pack_nil(&pk);
	if (p->used + sb.size > sizeof p->buf) {   /* a single oversize entry */
		msgpack_sbuffer_destroy(&sb);
		return 1;
	}
	p->offs[p->count] = p->used;
	memcpy(p->buf + p->used, sb.data, sb.size);
	p->used += sb.size;
	p->offs[++p->count] = p->used;
	p->last_seq = row->seq;
	msgpack_sbuffer_destroy(&sb);
	return 0;
}

/* The proof of each feed we hold forked, once per connection, unless the
 * peer's clock skips that feed: a partner away when the fork was found
 * learns of it even if the two branches never meet again. */
static void send_fork_proofs(struct session *s)
{
	struct node *n = session_node(s);
	uint8_t *a, *b;
	size_t alen, blen;

	for (size_t i = 0; i < s->rn->n_feeds && !s->closing; i++) {
		if (!peer_fork_proof_due(&s->peer, i, s->rn->feeds[i].forked))
			continue;
		if (s->rn->feeds[i].badsig) {   /* a version-1 peer gets none */
			if (s->repl_v < 2 ||
			    sigdefer_badsig_proof(n, s->rn, s->rn->feeds[i].author, &a, &alen, &b, &blen) != 0)
				continue;
			session_send_badsig(s, a, alen, b, blen);
		} else if (repl_fork_proof(n, s->rn, s->rn->feeds[i].author, &a, &alen, &b, &blen) == 0) {
			session_send_fork(s, a, alen, b, blen);
		} else {
			continue;
		}
		free(a);
		free(b);
	}
}

void session_pump(struct session *s)
{
	struct node *n = session_node(s);
	struct pump *p;
	uint64_t from;

	if (s->closing || s->peer.state != PEER_REPL || !s->peer.got_clock || !sync_feeds(s))
		return;
	send_fork_proofs(s);
	p = malloc(sizeof *p);
	if (p == NULL)
		return;
	p->s = s;
	mpx_init(&p->o);
	p->v2 = s->repl_v >= 2;
	wire_run_init(&p->run, s->rn->id);
	/* Admins' feeds first: they hold the membership, and a partner
	 * refuses the feed of a key it does not know as a member (rule 3),
	 * then asks for it again. A fresh node got over half of a catch-up
	 * twice when the admin's feed came late in our order. */
	for (size_t k = 0; k < 2 * s->rn->n_feeds && !s->closing; k++) {
		size_t i = k % s->rn->n_feeds;
		const struct repl_feed *f = &s->rn->feeds[i];
		uint64_t head;

		/* the cheap test first: the author's role and end cost a
		 * roster lookup each, and a pump visits every feed of every
		 * session */
		if (!peer_wants(&s->peer, i, f->seq, &from) ||
		    roster_is_admin(&s->rn->members, f->author) != (k < s->rn->n_feeds))
			continue;
		head = repl_feed_relay_seq(s->rn, f);
		if (!session_ebt_sends(s, i, head))
			continue;   /* the peer is lazy for this feed: a note instead */
		while (!s->closing && peer_wants(&s->peer, i, head, &from)) {
			if (s->pending >= NET_PENDING_HIGH) {
				s->paused = true;   /* on_written resumes us */
				break;
			}
			p->idx = i;
			p->upto = head;
			p->used = p->count = 0;
			store_range(n->store, s->rn->id, f->author, from, 512, pump_row, p);
			pump_flush(p);
			uint64_t next;
			if (!peer_wants(&s->peer, i, head, &next) || next == from)
				break;   /* done, or nothing readable: don't spin */
		}
	}
	mpx_free(&p->o);
	wire_run_free(&p->run);
	free(p);
}

static void clock_view(void *arg, size_t idx, struct peer_feed_view *out)
{
	const struct repl_feed *f = &((struct repl_net *)arg)->feeds[idx];

	out->author = f->author;
	out->seq = f->seq;
	out->skip = f->skip || f->forked;   /* don't send us more of it */
}

void session_send_clock(struct session *s)
{
	static struct wire_clock_item items[PEER_CLOCK_PART];
	static const uint8_t *skip[PEER_CLOCK_PART];
	size_t cursor = 0, n_items, n_skip;
	bool more = true;
	struct mpx_out o;

	/* one message per PEER_CLOCK_PART feeds: any number of feeds fits */
	mpx_init(&o);
	while (more && !s->closing) {
		more = peer_clock_part(s->rn->n_feeds, clock_view, s->rn, &cursor, items, &n_items,
				       skip, &n_skip);
		wire_clock_part(&o, items, n_items, skip, n_skip);
		session_send_msg(s, &o);
	}
	mpx_free(&o);
}

void session_send_fork(struct session *s, const uint8_t *a, size_t alen, const uint8_t *b,
		       size_t blen)
{
	struct mpx_out o;

	if (s->peer.state != PEER_REPL || alen + blen + 64 > WIRE_PLAIN_MAX)
		return;
	mpx_init(&o);
	wire_fork(&o, a, alen, b, blen);
	session_send_msg(s, &o);
	mpx_free(&o);
}

void session_send_badsig(struct session *s, const uint8_t *a, size_t alen, const uint8_t *b,
			 size_t blen)
{
	struct mpx_out o;

	if (s->peer.state != PEER_REPL || s->repl_v < 2 || alen + blen + 64 > WIRE_PLAIN_MAX)
		return;
	mpx_init(&o);
	wire_badsig(&o, a, alen, b, blen);
	session_send_msg(s, &o);
	mpx_free(&o);
}

bool session_send_fork_hint(struct session *s, const uint8_t *wire, size_t len)
{
	struct mpx_out o;

	/* one entry back per entry the peer sent us, and only a few per
	 * connection: honest peers need one per forked feed */
	if (s->peer.state != PEER_REPL || s->fork_hints >= NET_FORK_HINTS_MAX)
		return false;
	s->fork_hints++;
	mpx_init(&o);
	wire_entries_begin(&o, 1);
	wire_entries_add(&o, wire, len);
	wire_entries_end(&o);
	session_send_msg(s, &o);
	mpx_free(&o);
	s->entries_out++;
	return true;
}

void session_check_write_stall(struct session *s, uint64_t now_ms)
{
	/* the pump pauses at NET_PENDING_HIGH, so a peer that never reads
	 * would otherwise hold that much of our memory for ever */
	if (!s->closing && s->pending > 0 && now_ms - s->write_ms >= NET_WRITE_STALL_MS)
		session_close(s, "peer does not read: %zu bytes pending, none taken for %llu ms",
			      s->pending, (unsigned long long)(now_ms - s->write_ms));
}

bool session_replicating(const struct session *s, const struct repl_net *rn)
{
	return !s->closing && s->peer.state == PEER_REPL && s->rn == rn;
}

const uint8_t *session_peer_key(const struct session *s)
{
	return s->has_peer_key ? s->peer_key : NULL;
}

struct session *session_next(struct session *s)
{
	return s->next;
}

void session_info(const struct session *s, struct session_info *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->address, sizeof out->address, "%s", s->addr);
	out->inbound = !s->initiator;
	out->replicating = s->peer.state == PEER_REPL;
	out->has_key = s->has_peer_key;
	memcpy(out->key, s->peer_key, 32);
	out->bytes_in = s->bytes_in;
	out->bytes_out = s->bytes_out;
	out->entries_in = s->entries_in;
	out->entries_out = s->entries_out;
	out->connected_ms = s->connected_ms;
	/* a feed the peer made lazy gets notes, not entries: not "behind" */
	for (size_t i = 0; s->rn && i < s->peer.n_feeds && i < s->rn->n_feeds; i++)
		if (ebt_sends(&s->ebt, i))
			out->behind += peer_behind(&s->peer, i, s->rn->feeds[i].seq);
}

void session_start_replication(struct session *s)
{
	char id[ID_TEXT_MAX];

	if (session_set_state(s, PEER_REPL) != 0)
		return;
	session_stop_deadline(s);
	id_encode(ID_KEY, s->peer_key, id);
	log_info("peer %s (%s): replicating (version %u)", s->addr, id, s->repl_v);
	s->repl_at = node_now(session_node(s));
	if (s->link)
		s->link->last_seen_ms = s->repl_at;
	session_send_clock(s);
}

/* ---- messages after the handshake ---- */

static void on_fork_proof(struct session *s, const struct wire_msg *m)
{
	struct node *n = session_node(s);
	struct entry a, b;
	int rc = entry_decode(&a, m->e[0], m->e_len[0]);

	if (rc == 0)
		rc = entry_decode(&b, m->e[1], m->e_len[1]);
	if (rc == 0)
		rc = entry_verify(&a);
	if (rc == 0)
		rc = entry_verify(&b);
	if (rc != 0 || a.h.seq != b.h.seq || memcmp(a.h.author, b.h.author, 32) != 0 ||
	    memcmp(a.hash, b.hash, 32) == 0 || memcmp(entry_network(&a), s->rn->id, 32) != 0 ||
	    memcmp(entry_network(&b), s->rn->id, 32) != 0) {
		session_close(s, "invalid fork proof");
		return;
	}
	struct repl_feed *f = repl_feed_get(s->rn, a.h.author, true, NULL);
	if (f == NULL || f->forked)
		return;
	uint8_t stored[32];
	const struct entry *both[2] = {&a, &b};
	for (int i = 0; i < 2; i++)
		if (store_hash_at(n->store, s->rn->id, a.h.author, a.h.seq, stored) != 0 ||
		    memcmp(stored, both[i]->hash, 32) != 0)
			store_fork_add(n->store, both[i], (int64_t)node_now(n));
	f->forked = true;
	char id[ID_TEXT_MAX];
	id_encode(ID_KEY, a.h.author, id);
	log_warn("FORK: proof from %s: %s signed two entries at seq %llu; replication of that feed stops",
		 s->addr, id, (unsigned long long)a.h.seq);
	/* the network passes the proof on (not back to s), readers hear of it */
	node_emit(n, &(struct node_event){.kind = NODE_EV_FORK, .rn = s->rn, .origin = s,
					  .wire_a = m->e[0], .len_a = m->e_len[0],
					  .wire_b = m->e[1], .len_b = m->e_len[1]});
}

/* A bad-signature proof (version 2): checked whole, or the session ends. */
static void on_badsig(struct session *s, const struct wire_msg *m)
{
	struct entry a, b;
	char why[128];

	if (s->repl_v < 2) {
		session_close(s, "protocol error: badsig on a version 1 link");
		return;
	}
	if (sigproof_check(s->rn->id, m->e[0], m->e_len[0], m->e[1], m->e_len[1], &a, &b, why,
			   sizeof why) != 0) {
		session_close(s, "invalid bad-signature proof: %s", why);
		return;
	}
	/* passed on to the other peers by NODE_EV_BADSIG (not back to s) */
	sigdefer_proof(session_node(s), s->rn, &a, m->e[0], m->e_len[0], m->e[1], m->e_len[1], s);
}

static void on_welcome(struct session *s)
{
	struct link *l = s->link;

	if (l) {
		l->joining = false;
		sodium_memzero(l->secret, sizeof l->secret);
		store_peer_add(session_node(s)->store, l->network, l->address, l->key);
		if (l->on_join)
			l->on_join(l->join_arg, 0, "welcome");
		l->on_join = NULL;
	}
	session_start_replication(s);
}

void session_on_message(struct session *s, const uint8_t *plain, size_t len)
{
	struct node *n = session_node(s);
	struct wire_msg m;
	struct peer_verdict v;
	char why[256];
	int rc = wire_msg_parse(&m, &parse_scratch, plain, len, why, sizeof why);

	if (rc != 0) {
		session_close(s, "protocol error: %s", why);
		return;
	}
	v = peer_on_message(&s->peer, m.type);
	switch (v.act) {
	case PEER_ACT_CLOSE:
		session_close(s, "%s", v.reason);
		break;
	case PEER_ACT_BYE:
		session_bye(s, v.reason);
		break;
	case PEER_ACT_PEER_BYE:
		session_close(s, "peer said bye: %.*s", (int)(m.reason_len > 200 ? 200 : m.reason_len),
			      m.reason ? m.reason : "");
		break;
	case PEER_ACT_INVITE:
		session_on_invite(s, &m);
		break;
	case PEER_ACT_WELCOME:
		on_welcome(s);
		break;
	case PEER_ACT_CLOCK:
		if (peer_on_clock(&s->peer, &m, s->rn->n_feeds, feed_author, s->rn) != 0) {
			session_close(s, "out of memory");
			break;
		}
		unsynced_heard(&n->unsynced, n->store, n->id.pk, s->rn->id, m.feeds, m.n_feeds);
		repl_settle_unsynced(n);
		session_pump(s);
		break;
	case PEER_ACT_RUN:
		/* a version 1 node never sends one: a peer that does breaks the
		 * version it announced */
		if (s->repl_v < 2) {
			session_close(s, "protocol error: run on a version 1 link");
			break;
		}
		if (wire_run_decode(&m, s->rn->id, &run_scratch, &m.n_e, why, sizeof why) != 0) {
			session_close(s, "protocol error: %s", why);
			break;
		}
		m.e = run_scratch.e;
		m.e_len = run_scratch.e_len;
		/* the rebuilt entries are a batch like any other */
		/* fall through */
	case PEER_ACT_ENTRIES: {
		struct repl_from from = {.key = s->peer_key, .origin = s,
					 .hints = NET_FORK_HINTS_MAX - s->fork_hints,
					 .defer = s->repl_v >= 2};
		struct repl_result res;
		struct session_ebt_batch eb = {0};

		s->entries_in += m.n_e;
		if (m.n_e > 0)
			session_ebt_batch_begin(s, m.e[0], m.e_len[0], &eb);
		rc = repl_ingest(n, s->rn, &from, m.e, m.e_len, m.n_e, &res, why, sizeof why);
		if (rc != 0) {   /* say whose fault: the peer's batch, or our storage */
			session_close(s, "%s: %s", rc == PAKT_ENOSPC || rc == PAKT_EIO || rc == PAKT_ENOMEM
				      ? "could not store its batch here" : "rejected batch", why);
			break;
		}
		/* the peer has what it sent: don't pump it back */
		for (size_t i = 0; i < res.n_adv; i++)
			session_peer_has(s, res.adv[i].idx, res.adv[i].seq);
		for (size_t i = 0; i < res.n_hints; i++)
			session_send_fork_hint(s, res.hints[i].wire, res.hints[i].len);
		session_ebt_batch_end(s, &eb);
		repl_announce(n, s->rn, &res);
		repl_settle_unsynced(n);
		break;
	}
	case PEER_ACT_FORK:
		on_fork_proof(s, &m);
		break;
	case PEER_ACT_HAVE:
		session_ebt_on_have(s, &m);
		break;
	case PEER_ACT_BADSIG:
		on_badsig(s, &m);
		break;
	}
}
