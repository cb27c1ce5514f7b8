/* Replica: what a node does with a batch of entries from a peer.
 *
 * Pure rules, no I/O: the caller shows the feed state of one network
 * through struct replica_view, and replica_plan decides, per entry, one
 * action (store, fill in a missing body, duplicate, fork, hint, skip) or
 * refuses the whole batch with a reason. Applying a plan (the store, the
 * events) is the caller's (daemon/repl_ingest.c); so is checking the
 * signatures of the entries planned REPLICA_STORE, all of them, before
 * any is stored (the chain alone would let an author hide a bad signature
 * under a good one). The rules are proto/PROTOCOL.md, "Replication" and
 * "What a node accepts". */
#ifndef PAKT_REPLICA_H
#define PAKT_REPLICA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto/entry.h"

#define REPLICA_NONE ((size_t)-1)

/* A feed as the node holds it. */
struct replica_head {
	uint64_t seq;               /* 0: nothing held */
	uint8_t hash[32];
	uint64_t ts;                /* the head's timestamp */
	bool forked;                /* a fork was seen: no more of it */
	bool skipped;               /* unsubscribed: not stored here */
};

enum replica_held {
	REPLICA_ABSENT,
	REPLICA_HELD,               /* with its body */
	REPLICA_BODILESS,           /* header only (redacted or never fetched) */
};

/* The feed state of one network, read-only. arg is passed back. */
struct replica_view {
	void *arg;
	/* The head of author's feed (zeroed struct when none). */
	void (*head)(void *arg, const uint8_t author[32], struct replica_head *out);
	/* The hash held at (author, seq): 0, or nonzero when none. */
	int (*hash_at)(void *arg, const uint8_t author[32], uint64_t seq, uint8_t out[32]);
	/* Whether the entry with this hash is held; when it is, author and
	 * type (ENTRY_TYPE_MAX + 1 bytes) are filled (each may be NULL). */
	enum replica_held (*held)(void *arg, const uint8_t hash[32], uint8_t *author, char *type);
	/* Whether author may have a feed in this network: a member, a former
	 * member, or a successor named in a valid succession. */
	bool (*may_feed)(void *arg, const uint8_t author[32]);
	/* Whether an entry (author, seq, ts) comes after its author's cutoff
	 * (a revocation, or its removal): not stored. */
	bool (*cut_off)(void *arg, const uint8_t author[32], uint64_t seq, uint64_t ts);
	/* A redaction of hash waiting for its target: true and its author. */
	bool (*pending)(void *arg, const uint8_t hash[32], uint8_t redactor[32]);
	/* Whether hash was redacted here: its body stays dropped. */
	bool (*redacted)(void *arg, const uint8_t hash[32]);
};

enum replica_act {
	REPLICA_STORE,              /* new: append (strip: without its body) */
	REPLICA_FILL,               /* held without body: fill the body in */
	REPLICA_DUP,                /* held already: nothing to do */
	REPLICA_FORK,               /* a valid second entry at a taken seq: keep as proof */
	REPLICA_HINT,               /* does not link to our head: send it back (seq_ref) */
	REPLICA_SKIP,               /* not stored now (skip says why); the session goes on */
};

enum replica_skip {
	REPLICA_SKIP_NONE,
	REPLICA_SKIP_FEED,          /* the feed is forked or unsubscribed here */
	REPLICA_SKIP_AFTER,         /* an earlier entry of its feed in this batch was not taken */
	REPLICA_SKIP_GAP,           /* past a seq we lack */
	REPLICA_SKIP_FUTURE,        /* dated too far ahead of our clock (maybe ours is behind) */
	REPLICA_SKIP_UNWANTED,      /* its author never was a member here */
	REPLICA_SKIP_CUTOFF,        /* after its author's revocation or removal */
	REPLICA_SKIP_NOBODY,        /* a record entry without its body */
};

enum replica_redact {
	REPLICA_REDACT_NONE,        /* not a redact entry (or one without body) */
	REPLICA_REDACT_APPLY,       /* target held: drop its body now */
	REPLICA_REDACT_BATCH,       /* target in this batch: stored stripped */
	REPLICA_REDACT_PENDING,     /* target unknown: remember, check at arrival */
	REPLICA_REDACT_DENIED,      /* another author's entry or a record entry: no effect */
};

struct replica_plan {
	enum replica_act act;
	enum replica_skip skip;     /* REPLICA_SKIP */
	bool strip;                 /* STORE without body: a redaction by its author applies */
	bool pending_hit;           /* strip because of a pending redaction (now applied) */
	bool roster;                /* STORE/FILL of an entry that can change membership */
	uint64_t seq_ref;           /* FORK: the taken seq; HINT: our head's seq */
	size_t twin;                /* FORK: the batch index of its twin, or REPLICA_NONE (stored) */
	enum replica_redact redact; /* a stored or filled-in redact entry: what it does */
	uint8_t target[32];         /* ...and the hash it names */
};

/* Types that change membership, keys or the record: never taken or relayed
 * without their body (genesis, member, succession, revoke, agenda,
 * commitment, accept, decline, status). */
bool replica_needs_body(const char *type);
/* Types whose body its author may redact: the content, not the record. */
bool replica_redactable(const char *type);

struct replica_batch {
	const uint8_t *network;             /* 32 bytes: the session's network */
	const uint8_t *const *wire;         /* count entry wire forms (borrowed) */
	const size_t *len;
	size_t count;                       /* at most WIRE_BATCH_MAX */
	const uint8_t *peer;                /* the sender's key, or NULL */
	unsigned hints;                     /* REPLICA_HINTs the sender may still get */
	uint64_t now;                       /* our clock, ms since the epoch */
};

/* Decode b's entries into es[count] (bodies point into the wire buffers)
 * and plan each into plans[count]. Returns 0, or the reason to refuse the
 * whole batch (nothing of it is stored; the session ends): a bad encoding
 * or body, another network, a broken chain, a timestamp before its
 * predecessor's, a bad signature on a fork, PAKT_ELIMIT for too many
 * entries; *bad (may be NULL) gets the entry's index and why the text.
 * Signatures of REPLICA_STORE entries are NOT checked here. */
int replica_plan(const struct replica_view *v, const struct replica_batch *b,
		 struct entry *es, struct replica_plan *plans, size_t *bad,
		 char *why, size_t whylen);

/* A short word for a skip reason, for logs and counters. */
const char *replica_skip_name(enum replica_skip s);

#endif
