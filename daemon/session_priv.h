/* Inside a session, shared by its three files: session.c (TCP, frames,
 * Noise transport, write queue, timers, dialling), session_hs.c
 * (preamble, handshake, admission, invites) and session_repl.c (clocks,
 * entries, forks). The protocol decisions are core/peer's. */
#ifndef PAKT_SESSION_PRIV_H
#define PAKT_SESSION_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>
#include "core/ebt.h"
#include "core/peer.h"
#include "daemon/net.h"
#include "proto/mpx.h"
#include "proto/noise.h"

/* Handshake state and transport keys: sodium_malloc'd, wiped on free. */
struct session_secrets {
	struct noise_hs hs;
	struct noise_cipher tx, rx;
};

struct session {
	uv_tcp_t tcp;
	uv_timer_t timer;
	uv_connect_t connect_req;
	uv_getaddrinfo_t resolve_req;
	bool resolving;               /* resolve_req pending: not freed until it ends */
	struct net *net;
	struct session *next, *prev;
	struct link *link;            /* outbound only */
	bool initiator;
	unsigned repl_v;              /* replication version of this link: the lower of both */
	struct peer peer;             /* protocol state, the peer's clock, send cursors */
	bool closing;
	bool channel_up;              /* transport keys split: a bye can be sent */
	int handles;
	char addr[272];
	char host[48];                /* addr without the port */
	struct repl_net *rn;
	struct session_secrets *sec;
	bool has_peer_key;
	bool vouched;                 /* admitted by the succession in its hello */
	enum peer_admit admit;        /* initiator: decided before message 3 */
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
	uint64_t bytes_in, bytes_out, entries_in, entries_out, connected_ms;
	unsigned fork_hints;          /* entries sent back as fork evidence */
	struct ebt_link ebt;          /* eager/lazy per feed (repl_v >= 2) */
};

/* One decrypted plaintext at a time (one loop thread). */
extern uint8_t session_plain[WIRE_FRAME_MAX];

/* session.c */
struct node *session_node(struct session *s);
/* Move to state `to` through core/peer; a move it refuses closes s. */
int session_set_state(struct session *s, enum peer_state to);
/* Frame (and, after the handshake, encrypt) one message. */
void session_send_frame(struct session *s, const uint8_t *msg, size_t len, bool encrypt);
void session_send_msg(struct session *s, struct mpx_out *o);
/* Replication began: the handshake deadline no longer applies. */
void session_stop_deadline(struct session *s);

/* session_hs.c */
int session_hs_start(struct session *s);
void session_hs_write(struct session *s);
void session_hs_frame(struct session *s, const uint8_t *msg, size_t len);
void session_on_preamble(struct session *s, const uint8_t *p);
void session_on_invite(struct session *s, const struct wire_msg *m);

/* session_repl.c */
void session_start_replication(struct session *s);
void session_on_message(struct session *s, const uint8_t *plain, size_t len);

/* session_ebt.c: epidemic broadcast trees on version-2 links */
/* Whether the pump sends entries of feed idx (head: what it would send
 * up to) to the peer; if not, a note of head is due instead. */
bool session_ebt_sends(struct session *s, size_t idx, uint64_t head);
/* Around the ingest of a batch: what we held of the feed of its first
 * entry, then whether the peer sent something we held (it is pruned). */
struct session_ebt_batch {
	bool known;
	size_t idx;
	uint64_t first, head;
};
void session_ebt_batch_begin(struct session *s, const uint8_t *first, size_t len,
			     struct session_ebt_batch *b);
/* The same from the author and seq of the batch's first entry (a `run`). */
void session_ebt_batch_at(struct session *s, const uint8_t author[32], uint64_t first,
			  struct session_ebt_batch *b);
void session_ebt_batch_end(struct session *s, const struct session_ebt_batch *b);
void session_ebt_on_have(struct session *s, const struct wire_msg *m);
/* s closed (already out of the net's list): graft a lazy link for each
 * feed it pushed to us that no other link pushes. */
void session_ebt_closed(struct session *s);

#endif
