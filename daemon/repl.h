/* Replication state of each initiative this node holds: the head of every
 * feed, which feeds are forked or not wanted, and its members; and the
 * shell that applies core/replica's plans for a peer's batch to the store.
 * News goes up as node events (daemon/events.h): nothing here calls the
 * network, the sessions or the control socket. */
#ifndef PAKT_REPL_H
#define PAKT_REPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "daemon/members.h"
#include "proto/entry.h"

struct node;

#define REPL_HINTS_MAX 4            /* fork hints one batch can earn */
#define REPL_PENDING_MAX 256        /* redactions of unknown hashes kept per network */
#define REPL_LOG_EVERY_MS 60000     /* refused entries are logged at most this often */

struct repl_feed {
	uint8_t author[32];
	uint64_t seq;               /* 0: nothing stored yet */
	uint8_t hash[32];
	uint64_t ts;                /* the head's timestamp */
	bool forked;                /* a fork was seen: replication stops here */
	bool skip;                  /* unsubscribed: new entries are not stored */
	bool badsig;                /* a bad-signature proof is kept (forked too) */
};

struct repl_net {
	uint8_t id[32];
	struct repl_feed *feeds;    /* indexes are stable (sessions keep them) */
	size_t n_feeds, cap;
	struct roster members;
	struct repl_profile {       /* latest profile name per author */
		uint8_t key[32];
		uint64_t at;
		char name[BODY_NAME_MAX + 1];
	} *profiles;
	size_t n_profiles;
	struct repl_pending {       /* redactions whose target we lack */
		uint8_t target[32], by[32];
	} *pending;                 /* at most REPL_PENDING_MAX (malloc'd) */
	size_t n_pending;
	uint64_t refused;           /* entries refused: feeds of non-members, record
				     * entries without body, after a cutoff */
	uint64_t refused_logged;    /* refused at the last log line */
	uint64_t refused_log_ms;    /* when that was */
	bool refetch;               /* feeds were refused that a change of members
				     * may admit: NODE_EV_MEMBERS listeners ask
				     * peers to send again (then it is cleared) */
	uint64_t news;              /* entries stored other than checkpoints */
	uint64_t news_at_checkpoint;
	bool has_checkpoint;        /* what our last checkpoint here covered */
	uint8_t checkpoint_digest[32];
	struct repl_net *next;
};

/* Load every network of the store (heads, skips, forks, members), and
 * attach: listen to the node's NODE_EV_APPENDED (our own entries). */
int repl_load_all(struct node *n);
/* Listen to NODE_EV_APPENDED (idempotent); repl_free_all detaches. */
int repl_attach(struct node *n);
void repl_free_all(struct node *n);
struct repl_net *repl_net_find(struct node *n, const uint8_t id[32]);
/* Find or load/create the state of a network. */
int repl_net_open(struct node *n, const uint8_t id[32], struct repl_net **out);

/* The feed of author in rn; NULL if absent and !create (or out of memory).
 * *idx (may be NULL) gets its index. */
struct repl_feed *repl_feed_get(struct repl_net *rn, const uint8_t author[32],
				bool create, size_t *idx);

/* The last seq of f we send to peers: its head, or its author's end
 * when that is lower (entries past it, stored before we knew of the end,
 * count for nothing and are not relayed: core/roster roster_end). */
uint64_t repl_feed_relay_seq(const struct repl_net *rn, const struct repl_feed *f);

/* The proof that author forked, from the store: two entries at one seq in
 * wire form (malloc'd, the caller frees both). 0, PAKT_ENOTFOUND (no
 * proof kept), PAKT_ENOMEM. */
int repl_fork_proof(struct node *n, const struct repl_net *rn, const uint8_t author[32],
		    uint8_t **a, size_t *alen, uint8_t **b, size_t *blen);


/* The peer a batch comes from. */
struct repl_from {
	const uint8_t *key;         /* its key; NULL if unknown */
	unsigned hints;             /* fork hints it may still be sent (at most
				     * REPL_HINTS_MAX are used per batch) */
	const void *origin;         /* its session, passed on in events (opaque here) */
	bool defer;                 /* a version-2 link: signatures but the newest
				     * of each feed may be checked after storing */
};

/* What the calling session does after repl_ingest: move its cursor of
 * the peer (feed index, seq) so the pump does not echo the batch back,
 * send each hint (an entry's wire form) back as fork evidence, then call
 * repl_announce. */
struct repl_result {
	struct repl_adv {
		size_t idx;
		uint64_t seq;
	} *adv;                     /* malloc'd */
	size_t n_adv;
	struct repl_hint {
		uint8_t *wire;      /* malloc'd */
		size_t len;
	} hints[REPL_HINTS_MAX];
	size_t n_hints;
	bool stored;                /* something new: announce it */
	const void *origin;
};

/* A batch of entries (wire encodings) from a peer, planned by
 * core/replica and applied: new entries stored in one transaction,
 * missing bodies filled in, forks kept as proof and announced, redactions
 * applied or remembered, refusals counted. Returns 0 with *res filled
 * (then call repl_announce), or the reason to end the session (*res is
 * empty): a bad entry, broken chain or wrong network from the peer, or
 * our store failing (PAKT_ENOSPC: disk full; the next session fetches the
 * batch again); then nothing of the batch is stored. */
int repl_ingest(struct node *n, struct repl_net *rn, const struct repl_from *from,
		const uint8_t *const *wire, const size_t *len, size_t count,
		struct repl_result *res, char *why, size_t whylen);
/* Emit NODE_EV_STORED if res stored anything (and NODE_EV_CHECKED when
 * no signature waits), and free res. */
void repl_announce(struct node *n, struct repl_net *rn, struct repl_result *res);
/* Free res without announcing (repl_announce does it too). */
void repl_result_free(struct repl_result *res);
/* Announce new rows in rn: NODE_EV_STORED, then NODE_EV_CHECKED unless
 * signatures wait (then the checks announce them). */
void repl_emit_stored(struct node *n, struct repl_net *rn, const struct entry *e,
		      const void *origin);


/* A redact entry e was stored: drop the body it names if the author
 * matches and the type may be redacted; remember it if the target is not
 * held yet (checked when it arrives). */
void repl_apply_redact(struct node *n, struct repl_net *rn, const struct entry *e);
/* Entry types whose body may be redacted: the content types, not the
 * record (commitments, answers, membership, agenda, checkpoints). */
bool repl_redactable(const char *type);
/* Whether a hash is redacted on this node. */
bool repl_is_redacted(const struct node *n, const uint8_t hash[32]);

/* Inside repl (repl.c and repl_ingest.c): a profile was stored; pending
 * redactions (capped at REPL_PENDING_MAX); hashes redacted here. */
void repl_note_profile(struct node *n, struct repl_net *rn, const struct entry *e);
const struct repl_pending *repl_pending_find(const struct repl_net *rn, const uint8_t target[32]);
void repl_pending_add(struct repl_net *rn, const uint8_t target[32], const uint8_t by[32]);
void repl_pending_remove(struct repl_net *rn, const uint8_t target[32]);
void repl_redacted_add(struct node *n, const uint8_t hash[32]);

/* The name to show for a key: its latest profile name, else its member
 * name, else "". */
const char *repl_name(const struct repl_net *rn, const uint8_t key[32]);
/* A restored node (daemon/unsynced.h): signing again once every
 * initiative's partners confirmed our feed's head. */
void repl_settle_unsynced(struct node *n);

/* Reload members after a member entry and emit NODE_EV_MEMBERS. */
void repl_members_changed(struct node *n, struct repl_net *rn);

#endif
