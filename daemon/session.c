/* One peer connection, the I/O side: TCP, frames, the Noise transport,
 * the write queue, timers and dialling. What each frame means is decided
 * by core/peer (through session_hs.c and session_repl.c).
 *
 * Happy path (inbound): accept -> preamble (network id) -> msg0 -> write
 * msg1 -> msg2 -> the peer's Ed25519 key converts to its Noise static key
 * -> member: send our clock, then stream what the peer lacks and push new
 * entries live. Outbound is the mirror image (a host name is resolved
 * with uv_getaddrinfo first); a joining node sends its invite secret
 * first and waits for "welcome".
 * Failure modes: deadline before replication starts, any decrypt or
 * decode failure, an invalid entry, a non-member, an oversize frame, a
 * peer that lets NET_PENDING_MAX bytes pile up or takes none of its queue
 * for NET_WRITE_STALL_MS, more than NET_FRAMES_PER_SEC frames in a second,
 * too many connections of one address in handshake: all end in session_close,
 * which logs the reason once. A session is freed only when both of its
 * handles are closed and no resolve is pending; secrets live in
 * sodium_malloc'd memory. */
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "daemon/log.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/session_priv.h"
#include "proto/err.h"
#include "proto/id.h"

uint8_t session_plain[WIRE_FRAME_MAX];

struct write_req {
	uv_write_t req;
	struct session *s;
	size_t len;
	uint8_t data[];
};

struct node *session_node(struct session *s)
{
	return s->net->node;
}

static void session_free(struct session *s)
{
	struct net *net = s->net;

	if (s->sec)
		sodium_free(s->sec);   /* wipes */
	peer_free(&s->peer);
	ebt_link_free(&s->ebt);
	free(s->in);
	free(s);
	if (--net->open_handles == 0 && net->closing && net->on_closed)
		net->on_closed(net);
}

static void on_handle_closed(uv_handle_t *h)
{
	struct session *s = h->data;

	if (--s->handles > 0 || s->resolving)
		return;
	session_free(s);
}

int session_set_state(struct session *s, enum peer_state to)
{
	enum peer_state from = s->peer.state;

	if (peer_transition(&s->peer, to) != 0) {
		session_close(s, "internal: %s -> %s is not a move of this connection",
			      peer_state_name(from), peer_state_name(to));
		return PAKT_EPROTO;
	}
	return 0;
}

void session_close(struct session *s, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	if (s->closing)
		return;
	s->closing = true;
	(void)peer_transition(&s->peer, PEER_CLOSED);
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
	session_ebt_closed(s);
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
			if (s->repl_at && node_now(session_node(s)) - s->repl_at >= NET_STABLE_MS)
				l->attempts = 0;
			net_link_retry(l);
		}
	}
	if (s->resolving)
		(void)uv_cancel((uv_req_t *)&s->resolve_req);   /* its callback still runs */
	uv_close((uv_handle_t *)&s->tcp, on_handle_closed);
	uv_close((uv_handle_t *)&s->timer, on_handle_closed);
}

static void on_timeout(uv_timer_t *t)
{
	struct session *s = t->data;
	char why[160];

	peer_deadline_why(&s->peer, s->net->handshake_ms, NET_STALL_MS, why, sizeof why);
	session_close(s, "%s", why);
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
	peer_init(&s->peer, initiator);
	s->connected_ms = node_now(net->node);
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

void session_send_frame(struct session *s, const uint8_t *msg, size_t len, bool encrypt)
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

void session_send_msg(struct session *s, struct mpx_out *o)
{
	session_send_frame(s, (const uint8_t *)o->sb.data, o->sb.size, true);
}

void session_bye(struct session *s, const char *reason)
{
	struct mpx_out o;

	if (s->closing)
		return;
	if (s->channel_up) {
		mpx_init(&o);
		wire_bye(&o, reason);
		session_send_msg(s, &o);
		mpx_free(&o);
	}
	session_close(s, "%s", reason);
}

/* ---- reading ---- */

static void on_frame(struct session *s, const uint8_t *frame, size_t len)
{
	if (s->peer.state == PEER_HANDSHAKE) {
		session_hs_frame(s, frame, len);
		return;
	}
	if (len < NOISE_TAG_LEN) {
		session_close(s, "frame shorter than its tag");
		return;
	}
	int rc = noise_decrypt(&s->sec->rx, frame, len, session_plain);
	if (rc != 0) {
		session_close(s, "%s", pakt_strerror(rc));
		return;
	}
	session_on_message(s, session_plain, len - NOISE_TAG_LEN);
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
	if (s->peer.state == PEER_PREAMBLE) {
		if (s->in_len < WIRE_PREAMBLE_LEN)
			return;
		session_on_preamble(s, s->in);
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
	if (s->peer.state == PEER_REPL) {
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

void session_stop_deadline(struct session *s)
{
	uv_timer_stop(&s->timer);
}

/* ---- connections ---- */

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
		waiting += o != s && !o->initiator && o->peer.state != PEER_REPL && !o->closing &&
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
	if (s->closing || session_hs_start(s) != 0) {
		session_close(s, "handshake init failed");
		return;
	}
	session_hs_write(s);     /* msg0 */
	uv_read_start((uv_stream_t *)&s->tcp, on_alloc, on_read);
}

static void connect_to(struct session *s, const struct sockaddr *sa)
{
	int rc;

	s->connect_req.data = s;
	rc = uv_tcp_connect(&s->connect_req, &s->tcp, sa, on_connect);
	if (rc != 0)
		session_close(s, "connect: %s", uv_strerror(rc));
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct session *s = req->data;

	s->resolving = false;
	if (s->closing) {
		uv_freeaddrinfo(res);
		if (s->handles == 0)
			session_free(s);
		return;
	}
	if (status < 0 || res == NULL)
		session_close(s, "cannot resolve address '%s': %s", s->addr,
			      status < 0 ? uv_strerror(status) : "no address");
	else
		connect_to(s, res->ai_addr);
	uv_freeaddrinfo(res);
}

/* Split "HOST:PORT" or "[V6]:PORT": a numeric host fills *out and returns
 * 0; a name is copied to name[] and returns PAKT_ENOTFOUND (resolve it);
 * anything else PAKT_EINVAL. */
static int parse_addr(const char *text, struct sockaddr_storage *out, char name[256],
		      char port_text[8])
{
	const char *colon = strrchr(text, ':');
	int port;

	if (colon == NULL || colon == text || (size_t)(colon - text) >= 256)
		return PAKT_EINVAL;
	port = atoi(colon + 1);
	if (port <= 0 || port > 65535)
		return PAKT_EINVAL;
	memcpy(name, text, (size_t)(colon - text));
	name[colon - text] = '\0';
	snprintf(port_text, 8, "%d", port);
	if (name[0] == '[' && name[strlen(name) - 1] == ']') {
		memmove(name, name + 1, strlen(name));
		name[strlen(name) - 1] = '\0';
		return uv_ip6_addr(name, port, (struct sockaddr_in6 *)out) == 0 ? 0 : PAKT_EINVAL;
	}
	if (uv_ip4_addr(name, port, (struct sockaddr_in *)out) == 0)
		return 0;
	return PAKT_ENOTFOUND;
}

void session_dial(struct link *l)
{
	struct net *net = l->net;
	struct sockaddr_storage sa;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
	char name[256], port[8];
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
	rc = parse_addr(l->address, &sa, name, port);
	if (rc == 0) {
		connect_to(s, (struct sockaddr *)&sa);
		return;
	}
	if (rc != PAKT_ENOTFOUND) {
		session_close(s, "address '%s' is not HOST:PORT", l->address);
		return;
	}
	/* a name resolves on the thread pool, never on the loop: a slow DNS
	 * server must not stall every other peer */
	s->resolve_req.data = s;
	rc = uv_getaddrinfo(net->node->loop, &s->resolve_req, on_resolved, name, port, &hints);
	if (rc != 0) {
		session_close(s, "cannot resolve address '%s': %s", l->address, uv_strerror(rc));
		return;
	}
	s->resolving = true;
}
