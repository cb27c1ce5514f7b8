/* The mesh: a TCP listener, outbound links with jittered exponential
 * backoff, and the sessions (one per connection) that replicate feeds.
 *
 * Lifetimes: the net owns links and sessions. A session is freed only from
 * the close callback of its last handle; a link lives until removed or the
 * daemon stops, and points at its current session (or NULL). */
#ifndef PAKT_NET_H
#define PAKT_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>
#include "daemon/events.h"
#include "proto/noise.h"
#include "proto/wire.h"

struct node;
struct session;
struct repl_net;

#define NET_SESSIONS_MAX 64          /* inbound connections at once */
#define NET_HANDSHAKES_PER_ADDR 8    /* inbound connections of one address not yet admitted */
#define NET_HANDSHAKE_MS 5000        /* whole handshake (and invite) deadline */
#define NET_STABLE_MS 10000          /* a session this long resets the redial backoff */
#define NET_KEEPALIVE_S 15           /* idle seconds before TCP keepalive probes */
#define NET_KEEPALIVE_INTVL_S 5      /* between probes */
#define NET_KEEPALIVE_CNT 4          /* unanswered probes before the connection ends */
#define NET_USER_TIMEOUT_MS 60000    /* sent data unacknowledged this long ends it */
#define NET_STALL_MS 30000           /* a frame begun must end within this */
#define NET_PENDING_HIGH (4u << 20)  /* stop reading the store for a peer above this */
#define NET_PENDING_MAX (32u << 20)  /* drop a peer that lets this much pile up */
#define NET_WRITE_STALL_MS 15000     /* drop a peer that takes none of its queue for this long */
#define NET_FRAMES_PER_SEC 20000     /* drop a peer that sends more frames in one second */
#define NET_INVITE_FAILS_MAX 5       /* failed invite redemptions per address... */
#define NET_INVITE_WINDOW_MS 60000   /* ...in this window; then refused until it ends */
#define NET_INVITE_HOSTS 64          /* addresses whose failures are remembered */
#define NET_FORK_HINTS_MAX 16        /* own entries sent back as fork evidence per session */
#define NET_SWEEP_MS 1000
#define NET_BACKOFF_MIN_MS 250
#define NET_BACKOFF_MAX_MS 30000

/* Someone we dial and keep dialling. */
struct link {
	struct net *net;
	struct link *next;
	char address[256];            /* HOST:PORT */
	uint8_t network[32];
	bool has_key;
	uint8_t key[32];              /* expected Ed25519 key of the peer */
	bool joining;                 /* redeem an invite on this link */
	uint8_t secret[32];           /* the invite's secret while joining */
	char join_name[129];
	unsigned attempts;
	uint64_t last_seen_ms;
	uv_timer_t timer;
	bool timer_active;
	bool removed;                 /* closed; freed when the timer closes */
	bool from_profile;            /* made from the latest profile of member `key` */
	uint64_t profile_ts;          /* that profile's timestamp */
	bool parked;                  /* a profile link beyond the `links` bound: not dialled */
	struct session *session;
	/* a pakt join waiting for the outcome (see ctl) */
	void (*on_join)(void *arg, int rc, const char *why);
	void *join_arg;
};

/* Failed invite redemptions of one source address (rate limit). */
struct net_invite_fails {
	char host[48];
	unsigned fails;
	uint64_t since_ms;            /* start of its window */
};

struct net {
	struct node *node;
	uv_tcp_t listener;
	uv_timer_t sweep;             /* drops peers that stopped reading */
	bool listening;
	bool closing;
	char listen_addr[96];         /* actual address, with the bound port */
	struct session *sessions;
	struct link *links;
	unsigned open_handles;
	unsigned handshake_ms;
	struct net_invite_fails invite_fails[NET_INVITE_HOSTS];
	uv_timer_t ebt_flush;         /* sends the `have` notes due, once per loop turn */
	uv_timer_t ebt_check;         /* grafts lazy peers noted ahead too long */
	void (*on_closed)(struct net *net);
};

/* Listen on addr ("HOST:PORT", port 0 picks one). */
int net_start(struct net *net, struct node *node, const char *addr, char *why,
	      size_t whylen);
/* Close everything; on_closed runs when every handle is closed. */
void net_stop(struct net *net, void (*on_closed)(struct net *net));

/* Add a link and dial it now. key may be NULL. */
struct link *net_link_add(struct net *net, const uint8_t network[32], const char *address,
			  const uint8_t *key);
void net_link_remove(struct net *net, struct link *l);
struct link *net_link_find(struct net *net, const char *address);
/* A link for every peer in the store. */
int net_links_load(struct net *net);
/* The link's session ended (or never started): dial again after a backoff. */
void net_link_retry(struct link *l);

/* Every replicating session of a network: push what its peer lacks. */
void net_pump(struct net *net, struct repl_net *rn);
/* Send our clock again to every session of a network (subscriptions changed). */
void net_send_clocks(struct net *net, struct repl_net *rn);
/* Close sessions whose peer is no longer a member of rn. */
void net_enforce_membership(struct net *net, struct repl_net *rn);
/* Whether a member's inbound connection in rn (key: its key) is over the
 * bound: 2 x `links` inbound sessions replicate already, and we do not
 * dial that key ourselves. */
bool net_inbound_full(struct net *net, const struct repl_net *rn, const uint8_t key[32]);
/* Invite rate limit of a source address (host without port): whether it
 * may try now (else why says until when), and recording a failure. */
bool net_invite_allowed(struct net *net, const char *host, char *why, size_t whylen);
void net_invite_failed(struct net *net, const char *host);

/* e is the newest profile of its author in rn: dial its addresses (at
 * most 4) if the author is a member other than us, and remove the links an
 * older profile of that author made. Names resolve when dialled
 * (uv_getaddrinfo, off the loop). */
void net_on_profile(struct net *net, struct repl_net *rn, const struct entry *e);
/* The node's news (daemon/events.h), registered by net_start. */
void net_on_event(void *arg, const struct node_event *ev);

/* Forward a fork proof to every session of the network but `from`. */
void net_forward_fork(struct net *net, struct repl_net *rn, struct session *from,
		      const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* ---- session.c, session_hs.c, session_repl.c ---- */

/* Set up the net's two EBT timers (session_ebt.c). */
int session_ebt_start(struct net *net);

/* Accept an inbound connection from the listener. */
void session_accept(struct net *net);
/* Dial a link. */
void session_dial(struct link *l);
void session_close(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void session_pump(struct session *s);
/* Tell the peer why (if the channel is up), then close. */
void session_bye(struct session *s, const char *reason);
void session_send_clock(struct session *s);
void session_send_fork(struct session *s, const uint8_t *a, size_t alen, const uint8_t *b,
		       size_t blen);
/* Send one stored entry of ours that contradicts what the peer sent (it
 * then holds a fork proof); false once the session's budget is spent. */
bool session_send_fork_hint(struct session *s, const uint8_t *wire, size_t len);
/* A bad-signature proof (version-2 links only). */
void session_send_badsig(struct session *s, const uint8_t *a, size_t alen, const uint8_t *b,
			 size_t blen);
bool session_replicating(const struct session *s, const struct repl_net *rn);
/* Close the session if its peer has taken none of its queue for too long. */
void session_check_write_stall(struct session *s, uint64_t now_ms);
/* The peer is known to have feed idx up to seq (it sent it to us). */
void session_peer_has(struct session *s, size_t feed_idx, uint64_t seq);
const uint8_t *session_peer_key(const struct session *s);   /* NULL before auth */
bool session_inbound(const struct session *s);

/* For pakt peer list. */
struct session_info {
	char address[272];
	bool inbound;
	bool replicating;
	uint8_t key[32];
	bool has_key;
	uint64_t bytes_in, bytes_out, entries_in, entries_out;
	uint64_t behind;              /* entries we hold that the peer lacks */
	uint64_t connected_ms;
};
void session_info(const struct session *s, struct session_info *out);
struct session *session_next(struct session *s);

#endif
