/* The mesh: listener, outbound links with backoff, fan-out to sessions.
 *
 * Happy path: net_start binds and listens; each link dials, and when its
 * session ends it dials again after 250 ms x 2^attempts (at most 30 s),
 * jittered by +-50% so that restarted partners do not all call at once;
 * attempts go back to 0 only after a session that replicated for
 * NET_STABLE_MS.
 * Failure modes: bind failure stops the daemon at start (the caller logs
 * it); too many inbound connections are refused by session_accept; a
 * sweep each second drops peers that stopped reading; an address with too
 * many failed invite redemptions is refused for a while. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "daemon/log.h"
#include "daemon/net.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "core/peer.h"
#include "proto/body.h"
#include "proto/err.h"
#include "proto/id.h"


static void links_bound(struct net *net, const struct repl_net *rn);

static void on_connection(uv_stream_t *server, int status)
{
	struct net *net = server->data;

	if (status < 0 || net->closing) {
		if (status < 0)
			log_warn("accept: %s", uv_strerror(status));
		return;
	}
	session_accept(net);
}

static void on_sweep(uv_timer_t *t)
{
	struct net *net = t->data;
	struct session *s, *next;
	uint64_t now = uv_now(net->node->loop);

	for (s = net->sessions; s; s = next) {
		next = session_next(s);
		session_check_write_stall(s, now);
	}
}

int net_start(struct net *net, struct node *node, const char *addr, char *why,
	      size_t whylen)
{
	struct sockaddr_storage ss;
	char host[48];
	const char *colon = strrchr(addr, ':');
	int port, rc, len = sizeof ss;

	memset(net, 0, sizeof *net);
	net->node = node;
	net->handshake_ms = NET_HANDSHAKE_MS;
	if (colon == NULL || (size_t)(colon - addr) >= sizeof host) {
		snprintf(why, whylen, "listen address '%s' is not HOST:PORT", addr);
		return PAKT_EINVAL;
	}
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = '\0';
	port = atoi(colon + 1);
	if (port < 0 || port > 65535 ||
	    (uv_ip4_addr(host, port, (struct sockaddr_in *)&ss) != 0 &&
	     uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss) != 0)) {
		snprintf(why, whylen, "listen address '%s' is not a numeric HOST:PORT", addr);
		return PAKT_EINVAL;
	}
	uv_tcp_init(node->loop, &net->listener);
	net->listener.data = net;
	uv_timer_init(node->loop, &net->sweep);
	net->sweep.data = net;
	net->open_handles = 2;
	uv_timer_start(&net->sweep, on_sweep, NET_SWEEP_MS, NET_SWEEP_MS);
	rc = uv_tcp_bind(&net->listener, (struct sockaddr *)&ss, 0);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&net->listener, 128, on_connection);
	if (rc != 0) {
		snprintf(why, whylen, "cannot listen on %s: %s (%s)", addr, uv_strerror(rc),
			 rc == UV_EADDRINUSE ? "another program, or another paktd, uses that port: "
					       "stop it or set 'listen' in the config or --listen" :
			 rc == UV_EADDRNOTAVAIL ? "that is not an address of this machine: use one of "
						  "its addresses, or 0.0.0.0 for all" :
			 rc == UV_EACCES ? "ports below 1024 need privileges: use 7420 or another port "
					   "from 1024 up" :
			 "set 'listen' in the config or --listen");
		return PAKT_EIO;
	}
	uv_tcp_getsockname(&net->listener, (struct sockaddr *)&ss, &len);
	if (ss.ss_family == AF_INET6) {
		uv_ip6_name((struct sockaddr_in6 *)&ss, host, sizeof host);
		snprintf(net->listen_addr, sizeof net->listen_addr, "[%s]:%d", host,
			 ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
	} else {
		uv_ip4_name((struct sockaddr_in *)&ss, host, sizeof host);
		snprintf(net->listen_addr, sizeof net->listen_addr, "%s:%d", host,
			 ntohs(((struct sockaddr_in *)&ss)->sin_port));
	}
	net->listening = true;
	/* before the control socket's streams: every further hop waits */
	rc = node_listen_first(node, net_on_event, net);
	if (rc != 0) {
		snprintf(why, whylen, "cannot listen to the node's events: %s", pakt_strerror(rc));
		return rc;
	}
	/* last: a failed start closes only the listener and the sweep */
	session_ebt_start(net);
	net->open_handles += 2;
	return 0;
}

static void on_closed_handle(uv_handle_t *h)
{
	struct net *net = h->data;

	if (--net->open_handles == 0 && net->on_closed)
		net->on_closed(net);
}

static void on_link_timer_closed(uv_handle_t *h)
{
	struct link *l = h->data;
	struct net *net = l->net;

	free(l);
	if (--net->open_handles == 0 && net->closing && net->on_closed)
		net->on_closed(net);
}

static void link_free(struct net *net, struct link *l)
{
	struct link **pp;

	for (pp = &net->links; *pp; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	}
	l->removed = true;
	sodium_memzero(l->secret, sizeof l->secret);
	if (l->on_join) {
		l->on_join(l->join_arg, PAKT_EINVITE, "stopped before the join finished");
		l->on_join = NULL;
	}
	if (l->session)
		session_close(l->session, "peer removed");
	uv_close((uv_handle_t *)&l->timer, on_link_timer_closed);
}

void net_stop(struct net *net, void (*on_closed)(struct net *net))
{
	struct session *s;

	net->closing = true;
	net->on_closed = on_closed;
	node_unlisten(net->node, net_on_event, net);
	while (net->links)
		link_free(net, net->links);
	while ((s = net->sessions) != NULL)
		session_close(s, "daemon stopping");
	uv_close((uv_handle_t *)&net->sweep, on_closed_handle);
	uv_close((uv_handle_t *)&net->ebt_flush, on_closed_handle);
	uv_close((uv_handle_t *)&net->ebt_check, on_closed_handle);
	uv_close((uv_handle_t *)&net->listener, on_closed_handle);
}

/* A session of key (or of another key of its member) replicates in network. */
static bool key_live(struct net *net, const uint8_t network[32], const uint8_t key[32])
{
	struct repl_net *rn = repl_net_find(net->node, network);

	for (struct session *s = net->sessions; s && rn; s = session_next(s)) {
		const uint8_t *k = session_peer_key(s);

		if (k && session_replicating(s, rn) && roster_same(&rn->members, k, key))
			return true;
	}
	return false;
}

static void on_link_timer(uv_timer_t *t)
{
	struct link *l = t->data;

	l->timer_active = false;
	if (l->removed || l->parked || l->net->closing || l->session != NULL)
		return;
	/* one session per key: while the pinned key replicates here (it
	 * dialled us), a second connection would only be refused */
	if (l->has_key && key_live(l->net, l->network, l->key)) {
		net_link_retry(l);
		return;
	}
	session_dial(l);
}

struct link *net_link_add(struct net *net, const uint8_t network[32], const char *address,
			  const uint8_t *key)
{
	struct link *l = calloc(1, sizeof *l);

	if (l == NULL)
		return NULL;
	l->net = net;
	snprintf(l->address, sizeof l->address, "%s", address);
	memcpy(l->network, network, 32);
	if (key) {
		l->has_key = true;
		memcpy(l->key, key, 32);
	}
	uv_timer_init(net->node->loop, &l->timer);
	l->timer.data = l;
	net->open_handles++;
	l->next = net->links;
	net->links = l;
	/* dial from the loop, so that callers can finish setting the link up */
	l->timer_active = true;
	uv_timer_start(&l->timer, on_link_timer, 0, 0);
	return l;
}

void net_link_remove(struct net *net, struct link *l)
{
	link_free(net, l);
}

struct link *net_link_find(struct net *net, const char *address)
{
	for (struct link *l = net->links; l; l = l->next)
		if (strcmp(l->address, address) == 0)
			return l;
	return NULL;
}

void net_link_retry(struct link *l)
{
	uint64_t delay;

	if (l->removed || l->parked || l->net->closing || l->timer_active)
		return;
	delay = (uint64_t)NET_BACKOFF_MIN_MS << (l->attempts < 7 ? l->attempts : 7);
	if (delay > NET_BACKOFF_MAX_MS)
		delay = NET_BACKOFF_MAX_MS;
	delay = delay / 2 + randombytes_uniform((uint32_t)delay + 1);   /* 50%..150% */
	l->attempts++;
	l->timer_active = true;
	uv_timer_start(&l->timer, on_link_timer, delay, 0);
}

void net_pump(struct net *net, struct repl_net *rn)
{
	for (struct session *s = net->sessions; s; s = session_next(s))
		if (session_replicating(s, rn))
			session_pump(s);
}

void net_send_clocks(struct net *net, struct repl_net *rn)
{
	for (struct session *s = net->sessions; s; s = session_next(s))
		if (session_replicating(s, rn))
			session_send_clock(s);
}

void net_enforce_membership(struct net *net, struct repl_net *rn)
{
	struct session *s, *next;
	struct link *l, *lnext;

	/* a former member's profile addresses are no longer dialled */
	for (l = net->links; l; l = lnext) {
		lnext = l->next;
		if (l->from_profile && memcmp(l->network, rn->id, 32) == 0 &&
		    roster_find(&rn->members, l->key) == NULL)
			net_link_remove(net, l);
	}
	links_bound(net, rn);   /* a removed member's place goes to another */

	for (s = net->sessions; s; s = next) {
		const uint8_t *key = session_peer_key(s);

		next = session_next(s);
		if (session_replicating(s, rn) && key && roster_find(&rn->members, key) == NULL) {
			/* what it lacks first, the removal among it: a removed
			 * organisation learns of it from the signed entry, not
			 * from our word (its notify_command and pakt doctor) */
			session_pump(s);
			session_bye(s, "no longer a member of this initiative");
		}
	}
}

bool net_inbound_full(struct net *net, const struct repl_net *rn, const uint8_t key[32])
{
	unsigned inbound = 0, reachable = 0;

	for (struct link *l = net->links; l; l = l->next) {
		if (l->removed || memcmp(l->network, rn->id, 32) != 0)
			continue;
		if (l->has_key && !l->parked && memcmp(l->key, key, 32) == 0)
			return false;   /* a partner we dial ourselves */
		/* members whose profiles name addresses (one link each counted) */
		if (l->from_profile) {
			bool first = true;

			for (struct link *o = net->links; o != l && first; o = o->next)
				first = !(o->from_profile && !o->removed &&
					  memcmp(o->network, rn->id, 32) == 0 &&
					  memcmp(o->key, l->key, 32) == 0);
			reachable += first;
		}
	}
	/* a node that joined through us may know no other address: refuse
	 * only where enough members publish theirs for it to dial others */
	if (reachable < net->node->cfg.links)
		return false;
	for (struct session *s = net->sessions; s; s = session_next(s))
		inbound += session_replicating(s, rn) && session_inbound(s);
	return inbound >= 2 * net->node->cfg.links;
}

static struct net_invite_fails *invite_fails_of(struct net *net, const char *host, bool add)
{
	struct net_invite_fails *oldest = &net->invite_fails[0];

	for (size_t i = 0; i < NET_INVITE_HOSTS; i++) {
		struct net_invite_fails *f = &net->invite_fails[i];

		if (f->host[0] && strcmp(f->host, host) == 0)
			return f;
		if (f->since_ms < oldest->since_ms)
			oldest = f;
	}
	if (!add)
		return NULL;
	/* forget the address whose window began longest ago */
	memset(oldest, 0, sizeof *oldest);
	snprintf(oldest->host, sizeof oldest->host, "%s", host);
	return oldest;
}

bool net_invite_allowed(struct net *net, const char *host, char *why, size_t whylen)
{
	struct net_invite_fails *f = invite_fails_of(net, host, false);
	uint64_t now = uv_now(net->node->loop);

	if (f == NULL || f->fails < NET_INVITE_FAILS_MAX || now - f->since_ms >= NET_INVITE_WINDOW_MS)
		return true;
	snprintf(why, whylen, "%u failed invite attempts from %s within %u s: refused for %llu s more",
		 f->fails, host, NET_INVITE_WINDOW_MS / 1000,
		 (unsigned long long)((f->since_ms + NET_INVITE_WINDOW_MS - now + 999) / 1000));
	return false;
}

void net_invite_failed(struct net *net, const char *host)
{
	struct net_invite_fails *f = invite_fails_of(net, host, true);
	uint64_t now = uv_now(net->node->loop);

	if (f->fails == 0 || now - f->since_ms >= NET_INVITE_WINDOW_MS) {
		f->fails = 0;
		f->since_ms = now;
	}
	if (++f->fails == NET_INVITE_FAILS_MAX)
		log_warn("invite attempts from %s: %u failed within %u s; refusing its invites until the window ends",
			 host, f->fails, NET_INVITE_WINDOW_MS / 1000);
}

void net_forward_fork(struct net *net, struct repl_net *rn, struct session *from,
		      const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	for (struct session *s = net->sessions; s; s = session_next(s))
		if (s != from && session_replicating(s, rn))
			session_send_fork(s, a, alen, b, blen);
}

static int on_stored_peer(void *arg, const struct store_peer *p)
{
	struct net *net = arg;

	if (net_link_find(net, p->address) == NULL &&
	    net_link_add(net, p->network, p->address, p->key) == NULL)
		return PAKT_ENOMEM;
	return 0;
}

int net_links_load(struct net *net)
{
	int rc = store_peers(net->node->store, on_stored_peer, net);

	if (rc != 0)
		log_err("cannot load peers: %s", store_errmsg(net->node->store));
	return rc;
}

/* The links that profiles of author made in network rn (at most max). */
static size_t profile_links(struct net *net, const struct repl_net *rn, const uint8_t author[32],
			    struct link **out, size_t max)
{
	size_t n = 0;

	for (struct link *l = net->links; l && n < max; l = l->next)
		if (l->from_profile && !l->removed && memcmp(l->network, rn->id, 32) == 0 &&
		    memcmp(l->key, author, 32) == 0)
			out[n++] = l;
	return n;
}

#define NET_PROFILE_LINKS_MAX 16
#define NET_RANK_MAX 256        /* members ranked for the `links` bound */

/* The `links` bound (peer_links_pick): the profile links of members not
 * picked are parked, not dialled; a member's place freed (removed, or
 * a profile without addresses) goes to the next one. */
static void links_bound(struct net *net, const struct repl_net *rn)
{
	static uint8_t keys[NET_RANK_MAX][32];
	static bool dial[NET_RANK_MAX];
	size_t n = 0, explicit = 0, changed = 0, picked;

	for (struct link *l = net->links; l; l = l->next) {
		size_t i;

		if (l->removed || memcmp(l->network, rn->id, 32) != 0)
			continue;
		if (!l->from_profile) {
			explicit++;
			continue;
		}
		for (i = 0; i < n && memcmp(keys[i], l->key, 32) != 0; i++)
			;
		if (i == n && n < NET_RANK_MAX)
			memcpy(keys[n++], l->key, 32);
	}
	picked = peer_links_pick(net->node->id.pk, (const uint8_t (*)[32])keys, n, explicit,
				 net->node->cfg.links, dial);
	for (struct link *l = net->links; l; l = l->next) {
		size_t i;
		bool park;

		if (l->removed || !l->from_profile || memcmp(l->network, rn->id, 32) != 0)
			continue;
		for (i = 0; i < n && memcmp(keys[i], l->key, 32) != 0; i++)
			;
		park = i == n || !dial[i];   /* beyond NET_RANK_MAX: not dialled */
		if (park == l->parked)
			continue;
		l->parked = park;
		changed++;
		if (park) {
			uv_timer_stop(&l->timer);
			l->timer_active = false;
			if (l->session)
				session_close(l->session, "over the links bound (%u): another member is dialled",
					      net->node->cfg.links);
		} else {
			l->attempts = 0;
			net_link_retry(l);
		}
	}
	if (changed > 0)
		log_info("links: dialling the profile addresses of %zu of %zu members (links = %u, %zu explicit)",
			 picked, n, net->node->cfg.links, explicit);
}

void net_on_profile(struct net *net, struct repl_net *rn, const struct entry *e)
{
	struct link *have[NET_PROFILE_LINKS_MAX];
	struct peer_profile_link view[NET_PROFILE_LINKS_MAX];
	const char *addrs[BODY_ADDRS_MAX];
	bool keep[NET_PROFILE_LINKS_MAX];
	size_t add[PEER_PROFILE_ADDRS], n_add, n_have, removed = 0, added = 0;
	struct body_profile p;
	char id[ID_TEXT_MAX];

	if (net->closing || e->body == NULL || memcmp(e->h.author, net->node->id.pk, 32) == 0 ||
	    body_profile_parse(e->body, e->body_len, &p) != 0)
		return;
	n_have = profile_links(net, rn, e->h.author, have, NET_PROFILE_LINKS_MAX);
	if (roster_find(&rn->members, e->h.author) == NULL) {
		for (size_t i = 0; i < n_have; i++)
			net_link_remove(net, have[i]);
		return;
	}
	for (size_t i = 0; i < n_have; i++) {
		view[i].address = have[i]->address;
		view[i].profile_ts = have[i]->profile_ts;
	}
	for (size_t i = 0; i < p.n_addrs; i++)
		addrs[i] = p.addrs[i];
	if (peer_profile_plan(e->h.timestamp, addrs, p.n_addrs, view, n_have, keep, add, &n_add) !=
	    PEER_PROFILE_APPLY)
		return;   /* an older profile arriving late */
	for (size_t i = 0; i < n_have; i++) {
		if (keep[i]) {
			have[i]->profile_ts = e->h.timestamp;
		} else {
			net_link_remove(net, have[i]);
			removed++;
		}
	}
	for (size_t i = 0; i < n_add; i++) {
		struct link *l;

		/* an address we dial already (added by hand, or another
		 * member's) keeps its link */
		if (net_link_find(net, addrs[add[i]]) != NULL)
			continue;
		l = net_link_add(net, rn->id, addrs[add[i]], e->h.author);
		if (l == NULL)
			continue;
		l->from_profile = true;
		l->profile_ts = e->h.timestamp;
		added++;
	}
	links_bound(net, rn);
	if (added || removed) {
		id_encode(ID_KEY, e->h.author, id);
		log_info("profile of %s: dialling %zu new address%s, %zu of an older profile removed",
			 id, added, added == 1 ? "" : "es", removed);
	}
}

void net_on_event(void *arg, const struct node_event *ev)
{
	struct net *net = arg;

	if (net->closing || ev->rn == NULL)
		return;
	switch (ev->kind) {
	case NODE_EV_STORED:
		net_pump(net, ev->rn);
		break;
	case NODE_EV_FORK:
		net_forward_fork(net, ev->rn, (struct session *)ev->origin, ev->wire_a, ev->len_a,
				 ev->wire_b, ev->len_b);
		break;
	case NODE_EV_BADSIG:   /* to every peer but its sender */
		for (struct session *s = net->sessions; s; s = session_next(s))
			if (s != ev->origin && session_replicating(s, ev->rn))
				session_send_badsig(s, ev->wire_a, ev->len_a, ev->wire_b, ev->len_b);
		break;
	case NODE_EV_MEMBERS:
		net_enforce_membership(net, ev->rn);
		/* feeds refused before the change may be wanted now: peers
		 * send them again from our clock */
		if (ev->rn->refetch)
			net_send_clocks(net, ev->rn);
		break;
	case NODE_EV_PROFILE:
		if (ev->e != NULL)
			net_on_profile(net, ev->rn, ev->e);
		break;
	case NODE_EV_APPENDED:   /* replication announces it as STORED */
	case NODE_EV_CHECKED:    /* peers get entries once stored */
		break;
	}
}
