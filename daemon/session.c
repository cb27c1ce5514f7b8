/* One peer connection: preamble, Noise XX handshake, membership or invite,
 * then replication.
 *
 * Happy path (inbound): accept -> preamble (network id) -> msg0 -> write
 * msg1 -> msg2 -> the peer's Ed25519 key converts to its Noise static key
 * -> member: send our clock, then stream what the peer lacks and push new
 * entries live. Outbound is the mirror image; a joining node sends its
 * invite secret first and waits for "welcome".
 * Failure modes: deadline before replication starts, any decrypt or
 * decode failure, an invalid entry, a non-member, an oversize frame, a
 * peer that lets NET_PENDING_MAX bytes pile up or takes none of its queue
 * for NET_WRITE_STALL_MS, more than NET_FRAMES_PER_SEC frames in a second,
 * too many connections of one address in handshake: all end in session_close,
 * which logs the reason once. A session is freed only when both of its
 * handles are closed; secrets live in sodium_malloc'd memory. */
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "daemon/ctl.h"
#include "daemon/log.h"
#include "daemon/net.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/store.h"
#include "keys/keys.h"
#include "proto/err.h"
#include "proto/id.h"

enum sstate {
	SS_CONNECTING,
	SS_PREAMBLE,      /* responder: waiting for the 36-byte preamble */
	SS_HANDSHAKE,
	SS_INVITE_WAIT,   /* responder: a non-member may redeem an invite */
	SS_WELCOME_WAIT,  /* initiator: invite sent */
	SS_REPL,
};

struct secrets {
	struct noise_hs hs;
	struct noise_cipher tx, rx;
};

struct session {
	uv_tcp_t tcp;
	uv_timer_t timer;
	uv_connect_t connect_req;
	struct net *net;
	struct session *next, *prev;
	struct link *link;            /* outbound only */
	bool initiator;
	enum sstate state;
	bool closing;
	int handles;
	char addr[272];
	char host[48];                /* addr without the port */
	struct repl_net *rn;
	struct secrets *sec;
	bool has_peer_key;
	bool vouched;                 /* admitted by the succession in its hello */
	uint64_t repl_at;             /* when replication started (0: not yet) */
	uint8_t peer_key[32];
	uint8_t *in;
	size_t in_len, in_cap;
	size_t pending;
	uint64_t write_ms;            /* loop time a write last completed (or the queue began) */
	uint64_t frames_since;        /* loop time the current one-second frame count began */
	unsigned frames;
	bool paused;                  /* the pump stopped at NET_PENDING_HIGH */
	bool was_paused;              /* since the queue last ran empty */
	bool got_clock;
	uint64_t *peer_seq;           /* by repl feed index */
	bool *peer_skip;
	size_t n_feeds;
	struct { uint8_t author[32]; uint64_t seq; bool skip; } *clock;
	size_t n_clock;
	uint64_t bytes_in, bytes_out, entries_in, entries_out, connected_ms;
	unsigned fork_hints;          /* entries sent back as fork evidence */
};

struct write_req {
	uv_write_t req;
	struct session *s;
	size_t len;
	uint8_t data[];
};

static uint8_t plain_buf[WIRE_FRAME_MAX];      /* one loop thread */
static struct wire_scratch parse_scratch;

static struct node *node_of(struct session *s)
{
	return s->net->node;
}

static void on_handle_closed(uv_handle_t *h)
{
	struct session *s = h->data;
	struct net *net = s->net;

	if (--s->handles > 0)
		return;
	if (s->sec)
		sodium_free(s->sec);   /* wipes */
	free(s->in);
	free(s->peer_seq);
	free(s->peer_skip);
	free(s->clock);
	free(s);
	if (--net->open_handles == 0 && net->closing && net->on_closed)
		net->on_closed(net);
}

void session_close(struct session *s, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	if (s->closing)
		return;
	s->closing = true;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (s->has_peer_key) {
		char id[ID_TEXT_MAX];

		id_encode(ID_KEY, s->peer_key, id);
		log_info("peer %s (%s): closed: %s", s->addr, id, why);
	} else {
		log_info("peer %s: closed: %s", s->addr, why);
	}
	if (s->prev)
		s->prev->next = s->next;
	else
		s->net->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	if (s->link != NULL) {
		struct link *l = s->link;

		l->session = NULL;
		s->link = NULL;
		if (l->removed) {
			/* the link is going away and closed us */
		} else if (l->joining) {
			/* a join is one attempt: its outcome goes to pakt join */
			if (l->on_join) {
				l->on_join(l->join_arg, PAKT_EINVITE, why);
				l->on_join = NULL;
			}
			net_link_remove(s->net, l);
		} else {
			/* back off again from the start only after a session that
			 * lasted: one that fails at once (our disk full, a peer that
			 * drops us) must not redial four times a second */
			if (s->repl_at && node_now_ms() - s->repl_at >= NET_STABLE_MS)
				l->attempts = 0;
			net_link_retry(l);
		}
	}
	uv_close((uv_handle_t *)&s->tcp, on_handle_closed);
	uv_close((uv_handle_t *)&s->timer, on_handle_closed);
}

static void on_timeout(uv_timer_t *t)
{
	struct session *s = t->data;

	if (s->state == SS_REPL)
		session_close(s, "stalled in the middle of a frame for %u ms", NET_STALL_MS);
	else
		session_close(s, "handshake not finished within %u ms", s->net->handshake_ms);
}

static struct session *session_new(struct net *net, bool initiator)
{
	struct session *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	s->sec = sodium_malloc(sizeof *s->sec);
	if (s->sec == NULL) {
		free(s);
		return NULL;
	}
	memset(s->sec, 0, sizeof *s->sec);
	s->net = net;
	s->initiator = initiator;
	s->connected_ms = node_now_ms();
	uv_tcp_init(net->node->loop, &s->tcp);
	uv_timer_init(net->node->loop, &s->timer);
	s->tcp.data = s->timer.data = s;
	s->handles = 2;
	net->open_handles++;
	s->next = net->sessions;
	if (net->sessions)
		net->sessions->prev = s;
	net->sessions = s;
	uv_timer_start(&s->timer, on_timeout, net->handshake_ms, 0);
	return s;
}

/* ---- writing ---- */

static void on_written(uv_write_t *req, int status)
{
	struct write_req *w = (struct write_req *)req;
	struct session *s = w->s;

	s->pending -= w->len;
	s->write_ms = uv_now(s->net->node->loop);
	free(w);
	if (status < 0) {
		session_close(s, "write: %s", uv_strerror(status));
		return;
	}
	/* resume streaming once the peer has read half of the backlog */
	if (s->paused && s->pending < NET_PENDING_HIGH / 2) {
		s->paused = false;
		s->was_paused = true;
		session_pump(s);
	}
	/* after a catch-up, hand the send buffers' memory back to the system:
	 * an idle daemon should not keep its peak */
	if (s->was_paused && s->pending == 0) {
		s->was_paused = false;
		malloc_trim(0);
	}
}

static void write_raw(struct session *s, struct write_req *w)
{
	uv_buf_t buf = uv_buf_init((char *)w->data, (unsigned)w->len);

	w->s = s;
	if (s->pending == 0)
		s->write_ms = uv_now(s->net->node->loop);
	s->pending += w->len;
	s->bytes_out += w->len;
	if (s->pending > NET_PENDING_MAX) {
		free(w);
		session_close(s, "peer does not read: %zu bytes pending", s->pending);
		return;
	}
	if (uv_write(&w->req, (uv_stream_t *)&s->tcp, &buf, 1, on_written) != 0) {
		s->pending -= w->len;
		free(w);
		session_close(s, "write failed");
	}
}

/* Frame (and, after the handshake, encrypt) one message. */
static void send_frame(struct session *s, const uint8_t *msg, size_t len, bool encrypt)
{
	size_t body = encrypt ? len + NOISE_TAG_LEN : len;
	struct write_req *w;

	if (s->closing)
		return;
	if (body > WIRE_FRAME_MAX) {
		session_close(s, "internal: message of %zu bytes too large", len);
		return;
	}
	w = malloc(sizeof *w + 2 + body);
	if (w == NULL) {
		session_close(s, "out of memory");
		return;
	}
	w->len = 2 + body;
	w->data[0] = (uint8_t)(body >> 8);
	w->data[1] = (uint8_t)body;
	if (encrypt) {
		int rc = noise_encrypt(&s->sec->tx, msg, len, w->data + 2);

		if (rc != 0) {
			free(w);
			session_close(s, "%s", pakt_strerror(rc));
			return;
		}
	} else {
		memcpy(w->data + 2, msg, len);
	}
	write_raw(s, w);
}

static void send_msg(struct session *s, struct mpx_out *o)
{
	send_frame(s, (const uint8_t *)o->sb.data, o->sb.size, true);
}

/* ---- replication ---- */

/* Grow the per-feed arrays to the network's feeds; new feeds take what the
 * peer's clock said about them. */
static bool ensure_feeds(struct session *s)
{
	size_t n = s->rn->n_feeds;

	if (n <= s->n_feeds)
		return true;
	uint64_t *ps = realloc(s->peer_seq, n * sizeof *ps);
	if (ps == NULL)
		return false;
	s->peer_seq = ps;
	bool *sk = realloc(s->peer_skip, n * sizeof *sk);
	if (sk == NULL)
		return false;
	s->peer_skip = sk;
	for (size_t i = s->n_feeds; i < n; i++) {
		ps[i] = 0;
		sk[i] = false;
		for (size_t j = 0; j < s->n_clock; j++) {
			if (memcmp(s->clock[j].author, s->rn->feeds[i].author, 32) == 0) {
				ps[i] = s->clock[j].seq;
				sk[i] = s->clock[j].skip;
			}
		}
	}
	s->n_feeds = n;
	return true;
}

void session_peer_has(struct session *s, size_t idx, uint64_t seq)
{
	if (!ensure_feeds(s) || idx >= s->n_feeds)
		return;
	if (s->peer_seq[idx] < seq)
		s->peer_seq[idx] = seq;
}

struct pump {
	struct session *s;
	struct mpx_out o;
	uint8_t buf[WIRE_PLAIN_MAX];
	size_t used;
	size_t count;
	size_t offs[WIRE_BATCH_MAX + 1];
	uint64_t last_seq;
	size_t idx;
};

static void pump_flush(struct pump *p)
{
	if (p->count == 0)
		return;
	wire_entries_begin(&p->o, p->count);
	for (size_t i = 0; i < p->count; i++)
		wire_entries_add(&p->o, p->buf + p->offs[i], p->offs[i + 1] - p->offs[i]);
	wire_entries_end(&p->o);
	send_msg(p->s, &p->o);
	p->s->entries_out += p->count;
	p->s->peer_seq[p->idx] = p->last_seq;
	p->count = 0;
	p->used = 0;
}

/* Append a stored row in wire form: [bin header, bin sig, bin body|nil]. */
static int pump_row(void *arg, const struct store_row *row)
{
	struct pump *p = arg;
	size_t need = 1 + 3 + row->header_len + 3 + row->sig_len + 5 + row->body_len;
	msgpack_sbuffer sb;
	msgpack_packer pk;

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

void session_pump(struct session *s)
{
	struct node *n = node_of(s);
	struct pump *p;

	if (s->closing || s->state != SS_REPL || !s->got_clock || !ensure_feeds(s))
		return;
	p = malloc(sizeof *p);
	if (p == NULL)
		return;
	p->s = s;
	mpx_init(&p->o);
	for (size_t i = 0; i < s->rn->n_feeds && !s->closing; i++) {
		const struct repl_feed *f = &s->rn->feeds[i];

		if (s->peer_skip[i])
			continue;
		while (s->peer_seq[i] < f->seq && !s->closing) {
			if (s->pending >= NET_PENDING_HIGH) {
				s->paused = true;   /* on_written resumes us */
				break;
			}
			uint64_t before = s->peer_seq[i];

			p->idx = i;
			p->used = p->count = 0;
			store_range(n->store, s->rn->id, f->author, s->peer_seq[i] + 1, 512, pump_row, p);
			pump_flush(p);
			if (s->peer_seq[i] == before)
				break;   /* nothing readable: don't spin */
		}
	}
	mpx_free(&p->o);
	free(p);
}

void session_send_clock(struct session *s)
{
	struct wire_clock_item *items;
	uint8_t (*skip)[32];
	size_t n = 0, k = 0;
	struct mpx_out o;

	items = calloc(s->rn->n_feeds + 1, sizeof *items);
	skip = calloc(s->rn->n_feeds + 1, sizeof *skip);
	if (items == NULL || skip == NULL) {
		free(items);
		free(skip);
		session_close(s, "out of memory");
		return;
	}
	for (size_t i = 0; i < s->rn->n_feeds && n < WIRE_CLOCK_MAX; i++) {
		const struct repl_feed *f = &s->rn->feeds[i];

		if (f->skip || f->forked) {
			/* don't send us more of it */
			memcpy(skip[k++], f->author, 32);
		} else if (f->seq > 0) {
			items[n].author = f->author;
			items[n++].seq = f->seq;
		}
	}
	mpx_init(&o);
	wire_clock(&o, items, n, (const uint8_t (*)[32])skip, k);
	send_msg(s, &o);
	mpx_free(&o);
	free(items);
	free(skip);
}

void session_bye(struct session *s, const char *reason)
{
	struct mpx_out o;

	if (s->closing)
		return;
	if (s->state == SS_REPL || s->state == SS_INVITE_WAIT || s->state == SS_WELCOME_WAIT) {
		mpx_init(&o);
		wire_bye(&o, reason);
		send_msg(s, &o);
		mpx_free(&o);
	}
	session_close(s, "%s", reason);
}

void session_send_fork(struct session *s, const uint8_t *a, size_t alen, const uint8_t *b,
		       size_t blen)
{
	struct mpx_out o;

	if (s->state != SS_REPL || alen + blen + 64 > WIRE_PLAIN_MAX)
		return;
	mpx_init(&o);
	wire_fork(&o, a, alen, b, blen);
	send_msg(s, &o);
	mpx_free(&o);
}

bool session_send_fork_hint(struct session *s, const uint8_t *wire, size_t len)
{
	struct mpx_out o;

	/* one entry back per entry the peer sent us, and only a few per
	 * connection: honest peers need one per forked feed */
	if (s->state != SS_REPL || s->fork_hints >= NET_FORK_HINTS_MAX)
		return false;
	s->fork_hints++;
	mpx_init(&o);
	wire_entries_begin(&o, 1);
	wire_entries_add(&o, wire, len);
	wire_entries_end(&o);
	send_msg(s, &o);
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
	return !s->closing && s->state == SS_REPL && s->rn == rn;
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
	out->replicating = s->state == SS_REPL;
	out->has_key = s->has_peer_key;
	memcpy(out->key, s->peer_key, 32);
	out->bytes_in = s->bytes_in;
	out->bytes_out = s->bytes_out;
	out->entries_in = s->entries_in;
	out->entries_out = s->entries_out;
	out->connected_ms = s->connected_ms;
	for (size_t i = 0; s->rn && i < s->n_feeds && i < s->rn->n_feeds; i++)
		if (!s->peer_skip[i] && s->rn->feeds[i].seq > s->peer_seq[i])
			out->behind += s->rn->feeds[i].seq - s->peer_seq[i];
}

static void start_replication(struct session *s)
{
	char id[ID_TEXT_MAX];

	s->state = SS_REPL;
	uv_timer_stop(&s->timer);
	id_encode(ID_KEY, s->peer_key, id);
	log_info("peer %s (%s): replicating", s->addr, id);
	s->repl_at = node_now_ms();
	if (s->link)
		s->link->last_seen_ms = s->repl_at;
	session_send_clock(s);
}

/* ---- messages after the handshake ---- */

static void on_clock(struct session *s, const struct wire_msg *m)
{
	free(s->clock);
	s->clock = calloc(m->n_feeds + m->n_skip + 1, sizeof *s->clock);
	if (s->clock == NULL) {
		session_close(s, "out of memory");
		return;
	}
	s->n_clock = 0;
	for (size_t i = 0; i < m->n_feeds; i++) {
		memcpy(s->clock[s->n_clock].author, m->feeds[i].author, 32);
		s->clock[s->n_clock++].seq = m->feeds[i].seq;
	}
	for (size_t i = 0; i < m->n_skip; i++) {
		memcpy(s->clock[s->n_clock].author, m->skip[i], 32);
		s->clock[s->n_clock++].skip = true;
	}
	/* a new clock replaces what we knew of the peer */
	s->n_feeds = 0;
	s->got_clock = true;
	session_pump(s);
}

static void on_fork_proof(struct session *s, const struct wire_msg *m)
{
	struct node *n = node_of(s);
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
			store_fork_add(n->store, both[i], (int64_t)node_now_ms());
	f->forked = true;
	char id[ID_TEXT_MAX];
	id_encode(ID_KEY, a.h.author, id);
	log_warn("FORK: proof from %s: %s signed two entries at seq %llu; replication of that feed stops",
		 s->addr, id, (unsigned long long)a.h.seq);
	net_forward_fork(s->net, s->rn, s, m->e[0], m->e_len[0], m->e[1], m->e_len[1]);
	if (n->ctl)
		ctl_notify(n->ctl);
}

static void on_invite(struct session *s, const struct wire_msg *m)
{
	struct node *n = node_of(s);
	uint8_t h[32];
	char name[BODY_NAME_MAX + 1] = "", given[BODY_NAME_MAX + 1] = "", why[128] = "";
	struct mpx_out o;
	struct entry e;
	int rc;

	/* a secret is 32 random bytes: guessing is hopeless, but each try
	 * costs a store look-up and a log line */
	if (!net_invite_allowed(s->net, s->host, why, sizeof why)) {
		rc = PAKT_ELIMIT;
	} else {
		crypto_generichash(h, sizeof h, m->secret, 32, NULL, 0);
		rc = store_invite_use(n->store, h, s->rn->id, s->peer_key, node_now_ms(), name,
				      sizeof name, why, sizeof why);
		if (rc != 0)
			net_invite_failed(s->net, s->host);
	}
	mpx_init(&o);
	if (rc != 0) {
		char id[ID_TEXT_MAX];

		id_encode(ID_KEY, s->peer_key, id);
		log_warn("peer %s (%s): invite refused: %s", s->addr, id, why[0] ? why : pakt_strerror(rc));
		wire_bye(&o, why[0] ? why : pakt_strerror(rc));
		send_msg(s, &o);
		mpx_free(&o);
		session_close(s, "invite refused: %s", why);
		return;
	}
	if (m->name_len > 0 && m->name_len <= BODY_NAME_MAX) {
		memcpy(given, m->name, m->name_len);
		given[m->name_len] = '\0';
	}
	/* the name chosen by the admin at invite time wins */
	rc = body_member(&o, true, s->peer_key, name[0] ? name : given, false);
	if (rc == 0)
		rc = node_append(n, s->rn->id, "member", (const uint8_t *)o.sb.data, o.sb.size, &e,
				 why, sizeof why);
	if (rc != 0) {
		mpx_free(&o);
		session_close(s, "could not admit the new member: %s", why);
		return;
	}
	wire_welcome(&o);
	send_msg(s, &o);
	mpx_free(&o);
	log_info("peer %s: admitted %s as a member by invite", s->addr, name[0] ? name : given);
	start_replication(s);
}

static void on_message(struct session *s, const uint8_t *plain, size_t len)
{
	struct node *n = node_of(s);
	struct wire_msg m;
	char why[256];
	int rc = wire_msg_parse(&m, &parse_scratch, plain, len, why, sizeof why);

	if (rc != 0) {
		session_close(s, "protocol error: %s", why);
		return;
	}
	if (m.type == WIRE_BYE) {
		session_close(s, "peer said bye: %.*s", (int)(m.reason_len > 200 ? 200 : m.reason_len),
			      m.reason ? m.reason : "");
		return;
	}
	switch (s->state) {
	case SS_INVITE_WAIT:
		if (m.type != WIRE_INVITE) {
			session_bye(s, "not a member of this initiative");
			return;
		}
		on_invite(s, &m);
		return;
	case SS_WELCOME_WAIT:
		if (m.type != WIRE_WELCOME) {
			session_close(s, "expected welcome");
			return;
		}
		if (s->link) {
			struct link *l = s->link;

			l->joining = false;
			sodium_memzero(l->secret, sizeof l->secret);
			store_peer_add(n->store, l->network, l->address, l->key);
			if (l->on_join)
				l->on_join(l->join_arg, 0, "welcome");
			l->on_join = NULL;
		}
		start_replication(s);
		return;
	case SS_REPL:
		break;
	default:
		session_close(s, "unexpected message before the handshake ended");
		return;
	}
	switch (m.type) {
	case WIRE_CLOCK:
		on_clock(s, &m);
		break;
	case WIRE_ENTRIES: {
		struct repl_from from = {.key = s->peer_key, .origin = s,
					 .hints = NET_FORK_HINTS_MAX - s->fork_hints};
		struct repl_result res;

		s->entries_in += m.n_e;
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
		repl_announce(n, s->rn, &res);
		break;
	}
	case WIRE_FORK:
		on_fork_proof(s, &m);
		break;
	default:
		session_close(s, "unexpected message");
		break;
	}
}

/* ---- handshake ---- */

struct find_succ {
	const uint8_t *new_key;
	uint8_t *out;
	size_t cap, len;
};

static int on_own_succession(void *arg, const struct store_row *row)
{
	struct find_succ *f = arg;
	struct body_succession sc;
	struct entry e;

	if (row->body == NULL || body_succession_parse(row->body, row->body_len, &sc) != 0 ||
	    memcmp(sc.new_key, f->new_key, 32) != 0 ||
	    entry_from_parts(&e, row->header, row->header_len, row->sig, row->body, row->body_len) != 0)
		return 0;
	return entry_encode(&e, true, f->out, f->cap, &f->len) == 0;
}

/* The succession that made our key a member of s's initiative (wire form
 * into out), so that a partner which has not replicated it yet admits us:
 * 0 bytes when our key is not a successor there. */
static size_t own_succession(struct session *s, uint8_t *out, size_t cap)
{
	struct node *n = node_of(s);
	const struct roster_member *me = s->rn ? roster_lookup(&s->rn->members, n->id.pk) : NULL;
	struct find_succ f = {.new_key = n->id.pk, .out = out, .cap = cap};
	struct store_query q = {.type = "succession"};

	if (me == NULL || memcmp(me->root, me->key, 32) == 0)
		return 0;
	q.network = s->rn->id;
	q.author = me->added_by;
	return store_scan(n->store, &q, on_own_succession, &f) == 1 ? f.len : 0;
}

static void handshake_write(struct session *s)
{
	uint8_t msg[1024], succ[640];
	size_t len, succ_len;
	struct mpx_out hello;
	int rc;

	mpx_init(&hello);
	/* msg0 carries no payload (it would travel in clear) */
	if (s->initiator && s->sec->hs.step == NOISE_STEP_MSG0) {
		rc = noise_hs_write(&s->sec->hs, NULL, 0, msg, sizeof msg, &len);
	} else {
		succ_len = own_succession(s, succ, sizeof succ);
		wire_hello_succ(&hello, node_of(s)->id.pk, succ_len ? succ : NULL, succ_len);
		rc = noise_hs_write(&s->sec->hs, (const uint8_t *)hello.sb.data, hello.sb.size,
				    msg, sizeof msg, &len);
	}
	mpx_free(&hello);
	if (rc != 0) {
		session_close(s, "handshake: %s", pakt_strerror(rc));
		return;
	}
	send_frame(s, msg, len, false);
}

static int handshake_start(struct session *s)
{
	uint8_t prologue[38];
	size_t plen = wire_prologue(s->rn->id, prologue);
	struct node *n = node_of(s);
	int rc;

	rc = noise_hs_init(&s->sec->hs, s->initiator, prologue, plen, n->x_sk, NULL, NULL);
	s->state = SS_HANDSHAKE;
	return rc;
}

/* The handshake is complete: authenticate the peer and decide. */
static void handshake_done(struct session *s, const uint8_t *payload, size_t plen)
{
	struct node *n = node_of(s);
	uint8_t hash[NOISE_HASH_LEN], x_pk[32];
	const uint8_t *succ = NULL;
	size_t succ_len = 0;
	const uint8_t *rs = noise_hs_remote_static(&s->sec->hs);
	char id[ID_TEXT_MAX];
	int rc;

	rc = wire_hello_parse_succ(payload, plen, s->peer_key, &succ, &succ_len);
	if (rc != 0) {
		session_close(s, "handshake: bad hello (%s)", pakt_strerror(rc));
		return;
	}
	if (rs == NULL || keys_pk_to_x25519(s->peer_key, x_pk) != 0 || sodium_memcmp(x_pk, rs, 32) != 0) {
		session_close(s, "handshake: the Ed25519 key does not match the Noise static key");
		return;
	}
	s->has_peer_key = true;
	/* a rotated key that the partner's roster does not know yet */
	s->vouched = s->rn != NULL && roster_find(&s->rn->members, s->peer_key) == NULL &&
		     roster_vouches(&s->rn->members, s->rn->id, succ, succ_len, s->peer_key);
	if (s->vouched)
		log_info("peer %s: admitted as the successor of a member's key (succession in its hello)",
			 s->addr);
	if (noise_hs_split(&s->sec->hs, &s->sec->tx, &s->sec->rx, hash) != 0) {
		session_close(s, "handshake: split failed");
		return;
	}
	id_encode(ID_KEY, s->peer_key, id);
	if (memcmp(s->peer_key, n->id.pk, 32) == 0) {
		session_close(s, "that is ourselves");
		return;
	}
	if (s->initiator) {
		struct link *l = s->link;

		/* a pinned key also admits the member's successors (key rotation) */
		if (l && l->has_key && memcmp(l->key, s->peer_key, 32) != 0 && !s->vouched &&
		    !roster_same(&s->rn->members, l->key, s->peer_key)) {
			session_close(s, "peer is %s, not the expected key", id);
			return;
		}
		if (l && l->joining) {
			struct mpx_out o;

			mpx_init(&o);
			wire_invite(&o, l->secret, l->join_name);
			send_msg(s, &o);
			mpx_free(&o);
			s->state = SS_WELCOME_WAIT;
			return;
		}
		/* a pinned key stands in for membership only until we hold the
		 * genesis and can judge (a joiner reconnecting to its inviter) */
		if (roster_find(&s->rn->members, s->peer_key) == NULL && !s->vouched &&
		    (s->rn->members.has_genesis || !(l && l->has_key))) {
			session_close(s, "peer %s is not a member of the initiative", id);
			return;
		}
		start_replication(s);
		return;
	}
	if (roster_find(&s->rn->members, s->peer_key) == NULL && !s->vouched) {
		/* only an invite redemption may follow, before the deadline */
		log_info("peer %s (%s): not a member; waiting for an invite", s->addr, id);
		s->state = SS_INVITE_WAIT;
		return;
	}
	start_replication(s);
}

static void on_handshake_frame(struct session *s, const uint8_t *msg, size_t len)
{
	size_t plen = 0;
	int rc = noise_hs_read(&s->sec->hs, msg, len, plain_buf, sizeof plain_buf, &plen);

	if (rc != 0) {
		session_close(s, "handshake: %s (different network?)", pakt_strerror(rc));
		return;
	}
	if (!s->initiator) {
		if (s->sec->hs.step == NOISE_STEP_MSG1) {
			handshake_write(s);           /* msg1 */
			return;
		}
	} else {
		handshake_write(s);                   /* msg2 */
		if (s->closing)
			return;
	}
	if (noise_hs_done(&s->sec->hs))
		handshake_done(s, plain_buf, plen);
}

static void on_frame(struct session *s, const uint8_t *frame, size_t len)
{
	if (s->state == SS_HANDSHAKE) {
		on_handshake_frame(s, frame, len);
		return;
	}
	if (len < NOISE_TAG_LEN) {
		session_close(s, "frame shorter than its tag");
		return;
	}
	int rc = noise_decrypt(&s->sec->rx, frame, len, plain_buf);
	if (rc != 0) {
		session_close(s, "%s", pakt_strerror(rc));
		return;
	}
	on_message(s, plain_buf, len - NOISE_TAG_LEN);
}

static void on_preamble(struct session *s, const uint8_t *p)
{
	struct node *n = node_of(s);
	uint8_t net_id[32];
	char id[ID_TEXT_MAX];

	if (wire_preamble_parse(p, net_id) != 0) {
		session_close(s, "not a pakt peer (bad preamble)");
		return;
	}
	s->rn = repl_net_find(n, net_id);
	if (s->rn == NULL) {
		id_encode(ID_NETWORK, net_id, id);
		session_close(s, "asks for initiative %s, which this node does not hold", id);
		return;
	}
	if (handshake_start(s) != 0)
		session_close(s, "handshake init failed");
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	static char scratch[65536];

	(void)h;
	(void)suggested;
	*buf = uv_buf_init(scratch, sizeof scratch);
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
	struct session *s = st->data;
	size_t off = 0;

	if (s->closing)
		return;
	if (nread < 0) {
		session_close(s, "%s", nread == UV_EOF ? "connection closed by peer" : uv_strerror((int)nread));
		return;
	}
	s->bytes_in += (uint64_t)nread;
	if (s->in_len + (size_t)nread > s->in_cap) {
		size_t cap = s->in_len + (size_t)nread + 4096;
		uint8_t *p = realloc(s->in, cap);

		if (p == NULL) {
			session_close(s, "out of memory");
			return;
		}
		s->in = p;
		s->in_cap = cap;
	}
	memcpy(s->in + s->in_len, buf->base, (size_t)nread);
	s->in_len += (size_t)nread;
	if (s->state == SS_PREAMBLE) {
		if (s->in_len < WIRE_PREAMBLE_LEN)
			return;
		on_preamble(s, s->in);
		off = WIRE_PREAMBLE_LEN;
	}
	while (!s->closing && s->in_len - off >= 2) {
		size_t len = (size_t)s->in[off] << 8 | s->in[off + 1];

		if (len == 0) {
			session_close(s, "empty frame");
			return;
		}
		if (s->in_len - off < 2 + len)
			break;
		/* bounded work per peer: a flood of tiny frames costs a decrypt
		 * and a parse each */
		uint64_t now = uv_now(s->net->node->loop);
		if (now - s->frames_since >= 1000) {
			s->frames_since = now;
			s->frames = 0;
		}
		if (++s->frames > NET_FRAMES_PER_SEC) {
			session_close(s, "more than %u frames within one second", NET_FRAMES_PER_SEC);
			return;
		}
		on_frame(s, s->in + off + 2, len);
		off += 2 + len;
	}
	if (s->closing)
		return;
	memmove(s->in, s->in + off, s->in_len - off);
	s->in_len -= off;
	/* a member that stops half-way through a frame must not hold the
	 * connection and its buffer for ever */
	if (s->state == SS_REPL) {
		if (s->in_len > 0 && !uv_is_active((uv_handle_t *)&s->timer))
			uv_timer_start(&s->timer, on_timeout, NET_STALL_MS, 0);
		else if (s->in_len == 0)
			uv_timer_stop(&s->timer);
	}
	/* a frame is at most 2 + 65535 bytes; keep the buffer small when idle */
	if (s->in_len == 0 && s->in_cap > 256 * 1024) {
		free(s->in);
		s->in = NULL;
		s->in_cap = 0;
	}
}

static void set_addr(struct session *s)
{
	struct sockaddr_storage ss;
	int len = sizeof ss;
	char host[48] = "?";

	if (uv_tcp_getpeername(&s->tcp, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		uv_ip4_name((struct sockaddr_in *)&ss, host, sizeof host);
		snprintf(s->addr, sizeof s->addr, "%s:%d", host,
			 ntohs(((struct sockaddr_in *)&ss)->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		uv_ip6_name((struct sockaddr_in6 *)&ss, host, sizeof host);
		snprintf(s->addr, sizeof s->addr, "[%s]:%d", host,
			 ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
	}
	snprintf(s->host, sizeof s->host, "%s", host);
}

/* Low latency, and notice a partner that vanished without a FIN (power
 * cut, partition): keepalive probes an idle connection after
 * NET_KEEPALIVE_S, and TCP_USER_TIMEOUT ends one whose sent data stays
 * unacknowledged; otherwise TCP would retry for about 15 minutes. */
static void tcp_tune(struct session *s)
{
	uv_os_fd_t fd;
	int intvl = NET_KEEPALIVE_INTVL_S, cnt = NET_KEEPALIVE_CNT;
	unsigned user_timeout = NET_USER_TIMEOUT_MS;

	uv_tcp_nodelay(&s->tcp, 1);
	uv_tcp_keepalive(&s->tcp, 1, NET_KEEPALIVE_S);
	if (uv_fileno((uv_handle_t *)&s->tcp, &fd) != 0)
		return;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof user_timeout);
}

void session_accept(struct net *net)
{
	unsigned inbound = 0, waiting = 0;
	struct session *s, *o;

	for (s = net->sessions; s; s = s->next)
		inbound += !s->initiator;
	s = session_new(net, false);
	if (s == NULL)
		return;
	snprintf(s->addr, sizeof s->addr, "?");
	if (uv_accept((uv_stream_t *)&net->listener, (uv_stream_t *)&s->tcp) != 0) {
		session_close(s, "accept failed");
		return;
	}
	set_addr(s);
	/* one address cannot hold every slot with connections that never
	 * finish their handshake: partners elsewhere still get in */
	for (o = net->sessions; o; o = o->next)
		waiting += o != s && !o->initiator && o->state != SS_REPL && !o->closing &&
			   strcmp(o->host, s->host) == 0;
	if (waiting >= NET_HANDSHAKES_PER_ADDR) {
		session_close(s, "refused: %u connections from %s not yet admitted (max %d per address)",
			      waiting, s->host, NET_HANDSHAKES_PER_ADDR);
		return;
	}
	if (inbound >= NET_SESSIONS_MAX) {
		session_close(s, "refused: %u inbound connections already (max %d)", inbound,
			      NET_SESSIONS_MAX);
		return;
	}
	tcp_tune(s);
	s->state = SS_PREAMBLE;
	uv_read_start((uv_stream_t *)&s->tcp, on_alloc, on_read);
}

static void on_connect(uv_connect_t *req, int status)
{
	struct session *s = req->data;
	uint8_t pre[WIRE_PREAMBLE_LEN];
	struct write_req *w;

	if (s->closing)
		return;
	if (status < 0) {
		session_close(s, "connect: %s", uv_strerror(status));
		return;
	}
	tcp_tune(s);
	wire_preamble(s->rn->id, pre);
	w = malloc(sizeof *w + sizeof pre);
	if (w == NULL) {
		session_close(s, "out of memory");
		return;
	}
	w->len = sizeof pre;
	memcpy(w->data, pre, sizeof pre);
	write_raw(s, w);
	if (s->closing || handshake_start(s) != 0) {
		session_close(s, "handshake init failed");
		return;
	}
	handshake_write(s);     /* msg0 */
	uv_read_start((uv_stream_t *)&s->tcp, on_alloc, on_read);
}

/* Parse "HOST:PORT" or "[V6]:PORT" with a numeric host; else resolve it
 * (blocking: dials are rare and hosts are usually numeric). */
static int parse_addr(const char *text, struct sockaddr_storage *out)
{
	char host[256];
	const char *colon = strrchr(text, ':');
	int port;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;

	if (colon == NULL || colon == text || (size_t)(colon - text) >= sizeof host)
		return PAKT_EINVAL;
	port = atoi(colon + 1);
	if (port <= 0 || port > 65535)
		return PAKT_EINVAL;
	memcpy(host, text, (size_t)(colon - text));
	host[colon - text] = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
		return uv_ip6_addr(host, port, (struct sockaddr_in6 *)out) == 0 ? 0 : PAKT_EINVAL;
	}
	if (uv_ip4_addr(host, port, (struct sockaddr_in *)out) == 0)
		return 0;
	if (getaddrinfo(host, NULL, &hints, &res) != 0 || res == NULL)
		return PAKT_ENOTFOUND;
	memcpy(out, res->ai_addr, res->ai_addrlen);
	((struct sockaddr_in *)out)->sin_port = htons((uint16_t)port);
	freeaddrinfo(res);
	return 0;
}

void session_dial(struct link *l)
{
	struct net *net = l->net;
	struct sockaddr_storage sa;
	struct session *s;
	int rc;

	if (repl_net_open(net->node, l->network, &(struct repl_net *){NULL}) != 0)
		return;
	s = session_new(net, true);
	if (s == NULL)
		return;
	s->link = l;
	l->session = s;
	s->rn = repl_net_find(net->node, l->network);
	snprintf(s->addr, sizeof s->addr, "%s", l->address);
	s->state = SS_CONNECTING;
	rc = parse_addr(l->address, &sa);
	if (rc != 0) {
		session_close(s, "cannot resolve address '%s'", l->address);
		return;
	}
	s->connect_req.data = s;
	rc = uv_tcp_connect(&s->connect_req, &s->tcp, (struct sockaddr *)&sa, on_connect);
	if (rc != 0)
		session_close(s, "connect: %s", uv_strerror(rc));
}
