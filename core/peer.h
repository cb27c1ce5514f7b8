/* One peer connection's protocol state, without I/O: the states a
 * connection goes through and the moves allowed between them (one
 * transition function that refuses the others, as raft's and dqlite's
 * sm.h), which message each state takes, whom to admit after the
 * handshake (member, invite only, refused), the pinned-key rule, and what
 * the peer holds of each of our feeds (its clock and our send cursors).
 *
 * The shell (daemon/session*.c) reads frames and facts, asks here what
 * they mean, and does the sending, storing and logging. Nothing here
 * reads a clock, logs, or touches a socket. */
#ifndef PAKT_CORE_PEER_H
#define PAKT_CORE_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto/wire.h"

enum peer_state {
	PEER_CONNECTING,    /* initiator: TCP connect in progress */
	PEER_PREAMBLE,      /* responder: waiting for the 36-byte preamble */
	PEER_HANDSHAKE,     /* Noise XX messages */
	PEER_INVITE_WAIT,   /* responder: a non-member may redeem an invite */
	PEER_WELCOME_WAIT,  /* initiator: invite sent, waiting for welcome */
	PEER_REPL,          /* admitted: clocks and entries */
	PEER_CLOSED,
	PEER_STATE_COUNT
};

/* Ids of unknown feeds the peer's clock named, kept until we hold them:
 * at most this many (beyond, the peer is assumed to hold nothing of them,
 * which costs only duplicates later). */
#define PEER_UNKNOWN_MAX 4096

struct peer_clock_item {
	uint8_t author[32];
	uint64_t seq;
	bool skip;
};

/* One connection. Owns its arrays; free with peer_free. */
struct peer {
	enum peer_state state;
	bool initiator;
	bool got_clock;               /* at least one clock message arrived */
	uint64_t *seq;                /* by the shell's feed index: the peer holds up to */
	bool *skip;                   /* the peer asked not to get this feed */
	bool *told;                   /* we sent it this feed's fork proof */
	size_t n_feeds;
	struct peer_clock_item *unknown;   /* sorted by author */
	size_t n_unknown;
};

/* Start in PEER_CONNECTING (initiator) or PEER_PREAMBLE (responder). */
void peer_init(struct peer *p, bool initiator);
void peer_free(struct peer *p);
const char *peer_state_name(enum peer_state s);

/* Whether a connection of that role may move from one state to another. */
bool peer_can(bool initiator, enum peer_state from, enum peer_state to);
/* Move p to `to`: 0, or PAKT_EPROTO (p unchanged) for a move the table
 * does not allow. Any state but PEER_CLOSED may close. */
int peer_transition(struct peer *p, enum peer_state to);

/* What the shell does with a transport message. */
enum peer_act {
	PEER_ACT_CLOSE,        /* close with the reason (nothing to send) */
	PEER_ACT_BYE,          /* send a bye with the reason, then close */
	PEER_ACT_PEER_BYE,     /* the peer said bye: close, logging its reason */
	PEER_ACT_INVITE,       /* redeem the invite in the message */
	PEER_ACT_WELCOME,      /* our invite was accepted: start replicating */
	PEER_ACT_CLOCK,        /* apply with peer_on_clock, then pump */
	PEER_ACT_ENTRIES,      /* hand the batch to replication */
	PEER_ACT_RUN,          /* rebuild the run's entries, then as ENTRIES */
	PEER_ACT_FORK,         /* check and store the fork proof */
	PEER_ACT_HAVE,         /* notes, prunes, grafts (version 2 links only) */
	PEER_ACT_BADSIG,       /* check and store the bad-signature proof */
};
struct peer_verdict {
	enum peer_act act;
	const char *reason;    /* static text for CLOSE/BYE, else NULL */
};
/* The one place that says which message each state takes. */
struct peer_verdict peer_on_message(const struct peer *p, enum wire_type type);

/* Why a connection whose deadline passed is closed (handshake_ms: the
 * handshake and invite deadline; stall_ms: a begun frame's). */
void peer_deadline_why(const struct peer *p, unsigned handshake_ms, unsigned stall_ms,
		       char *why, size_t whylen);

/* ---- admission ---- */

/* What the shell knows of the other side once the handshake authenticated
 * its key. Pointers are borrowed. */
struct peer_facts {
	const uint8_t *peer_key;     /* the authenticated Ed25519 key */
	bool is_self;                /* it is our own key */
	bool is_member;              /* a current member of the initiative */
	bool vouched;                /* not a member, but its hello's succession is valid */
	const uint8_t *succ_author;  /* author of that succession (NULL: none) */
	bool has_genesis;            /* we hold the initiative's genesis */
	bool key_live;               /* another session of this key replicates here */
	/* initiator only */
	const uint8_t *pin;          /* the key expected on this link, or NULL */
	bool joining;                /* this link redeems an invite */
	/* keys a and b belong to one member (across rotations); NULL: only
	 * equal keys are one member */
	bool (*same_member)(void *arg, const uint8_t a[32], const uint8_t b[32]);
	void *arg;
};

enum peer_admit {
	PEER_ADMIT_REPL,          /* a member: replicate */
	PEER_ADMIT_INVITE_WAIT,   /* responder: wait for an invite, then bye */
	PEER_ADMIT_JOIN,          /* initiator: send our invite */
	PEER_ADMIT_REFUSE,        /* close, with why */
};

/* The pinned-key rule: with no pin, any key; else the pinned key, a key of
 * the same member, or a successor vouched for by a succession whose author
 * is the pinned member. 0, or PAKT_ENOTMEMBER with why. */
int peer_pin_check(const struct peer_facts *f, char *why, size_t whylen);

/* Whom to admit. The initiator decides when it has read message 2 (before
 * it sends message 3 with its own identity), the responder when it has read
 * message 3. why gets the reason for PEER_ADMIT_REFUSE. */
enum peer_admit peer_admit(bool initiator, const struct peer_facts *f, char *why,
			   size_t whylen);

/* The author of a succession entry in wire form (a hello's "succ"):
 * 0, or a decode error. Does not verify it (roster_vouches does). */
int peer_succ_author(const uint8_t *wire, size_t len, uint8_t author[32]);

/* ---- clocks and send cursors ---- */

/* The shell's feed idx: its author. */
typedef const uint8_t *(*peer_author_fn)(void *arg, size_t idx);

/* The shell has n feeds now (indexes are stable and only grow): new ones
 * take what the peer's clock said of their authors. 0 or PAKT_ENOMEM. */
int peer_sync_feeds(struct peer *p, size_t n, peer_author_fn author, void *arg);

/* One clock message (a part of the peer's clock): merged into what we
 * know, never reset, so that a clock split across frames adds up and a
 * repeated clock costs O(feeds log part). A listed feed is wanted again
 * and held up to exactly its seq (even below what we sent: the peer may
 * have refused it then, and asks again); a skipped one is not sent; feeds
 * not listed keep what we knew. n is the shell's feed count. 0 or
 * PAKT_ENOMEM. */
int peer_on_clock(struct peer *p, const struct wire_msg *m, size_t n, peer_author_fn author,
		  void *arg);

/* Whether the peer lacks entries of feed idx whose head is head_seq;
 * *from is the first seq to send. */
bool peer_wants(const struct peer *p, size_t idx, uint64_t head_seq, uint64_t *from);
/* The peer now holds feed idx up to seq (we sent it, or it sent it). */
void peer_holds(struct peer *p, size_t idx, uint64_t seq);
/* Whether to send the peer the fork proof of feed idx, which we hold as
 * forked (forked_here): once per connection, after its clock, unless its
 * clock skips the feed (it knows of the fork, or does not want the feed).
 * A node away when the fork was found learns of it so from any partner
 * that knows, even if the two branches never meet again. Marks it sent. */
bool peer_fork_proof_due(struct peer *p, size_t idx, bool forked_here);

/* Entries of feed idx we hold (head_seq) that the peer lacks. */
uint64_t peer_behind(const struct peer *p, size_t idx, uint64_t head_seq);

/* Our side of the clock, one feed at a time. */
struct peer_feed_view {
	const uint8_t *author;
	uint64_t seq;                /* our head */
	bool skip;                   /* not wanted here (unsubscribed or forked) */
};
typedef void (*peer_view_fn)(void *arg, size_t idx, struct peer_feed_view *out);

/* Items per clock message: 1024 x 44 bytes fits a frame whatever the seqs. */
#define PEER_CLOCK_PART 1024

/* Fill one clock part from feed *cursor on (at most PEER_CLOCK_PART items
 * in items + skip together) and advance *cursor; true while the part is
 * not the last. Every wanted feed is listed, seq 0 included (so that a
 * feed wanted again is unskipped). skip[] gets borrowed author pointers. */
bool peer_clock_part(size_t n, peer_view_fn view, void *arg, size_t *cursor,
		     struct wire_clock_item *items, size_t *n_items, const uint8_t **skip,
		     size_t *n_skip);

/* ---- dialling a member's profile addresses ---- */

#define PEER_PROFILE_ADDRS 4   /* addresses dialled per member */

/* A link we hold that came from a profile of this member. */
struct peer_profile_link {
	const char *address;
	uint64_t profile_ts;     /* timestamp of the profile that named it */
};

enum peer_profile_verdict {
	PEER_PROFILE_APPLY,      /* keep[] and add[] say what to do */
	PEER_PROFILE_OLDER,      /* a newer profile is already dialled: change nothing */
};

/* Only the latest profile of a member is dialled: given its profile
 * (timestamp ts, addrs[n]) and the links its profiles made so far
 * (have[n_have]), keep[i] says whether have[i] stays (its address is in
 * this profile), and add[] gets the indexes into addrs of the addresses to
 * dial anew, distinct, at most PEER_PROFILE_ADDRS in all. */
enum peer_profile_verdict peer_profile_plan(uint64_t ts, const char *const *addrs, size_t n,
					    const struct peer_profile_link *have,
					    size_t n_have, bool *keep, size_t *add,
					    size_t *n_add);

/* The `links` bound: of n distinct members whose profiles name addresses
 * (keys[n]), which to dial when n_explicit links (pakt peer add, joins)
 * are dialled already and `links` is the bound: the first links -
 * n_explicit in an order random but stable for this node (BLAKE2b of
 * self || key), so that nodes pick differently and the same after a
 * restart. dial[i] is for keys[i]; returns how many are dialled. */
size_t peer_links_pick(const uint8_t self[32], const uint8_t (*keys)[32], size_t n,
		       size_t n_explicit, unsigned links, bool *dial);

#endif
