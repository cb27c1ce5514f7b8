/* The node's SQLite store: feeds and their entries, in WAL mode, with a
 * schema versioned by PRAGMA user_version. Every write is one transaction
 * committed with synchronous=FULL, so an acknowledged append survives a
 * crash or power loss.
 *
 * Dedup is on (feed, seq) with a small-integer feed id; an entry hash is
 * found through an index on its first 8 bytes (hkey), much cheaper than a
 * unique index on 32 random bytes. */
#ifndef PAKT_STORE_H
#define PAKT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto/entry.h"

#define STORE_SCHEMA_VERSION 5

struct store;

/* Open (creating and migrating when writable) the database at path.
 * readonly: for a second connection used off the loop thread.
 * Returns 0, PAKT_EIO (why says what SQLite said), PAKT_EVERSION (schema
 * newer than this build). */
int store_open(struct store **out, const char *path, bool readonly,
	       char *why, size_t whylen);
/* NULL-safe. */
void store_close(struct store *s);
/* A consistent copy of the whole store into a new file dest (mode 0600;
 * PAKT_EEXIST if it exists), through SQLite's online backup: paktd keeps
 * writing meanwhile. 0, PAKT_ENOSPC or PAKT_EIO with why. */
int store_copy(struct store *s, const char *dest, char *why, size_t whylen);
/* Last SQLite error text on this connection. */
const char *store_errmsg(const struct store *s);

/* Append entries, already decoded and checked by the caller, in one
 * transaction. An entry already stored with the same hash is skipped; one
 * stored with another hash at the same (network, author, seq) fails the
 * whole batch with PAKT_EDUP. *added (may be NULL) gets the number of new
 * rows. */
int store_append(struct store *s, const struct entry *const *es, size_t n,
		 int64_t received_ms, size_t *added);

/* Durability of the next appends: true (the default, synchronous=FULL)
 * for our own entries, which nothing can restore; false (NORMAL: the WAL
 * is synced at checkpoints and by the next durable commit) for entries
 * received from peers, which a crash can only make us fetch again. */
int store_set_durable(struct store *s, bool durable);

/* Latest seq, hash and timestamp (ts may be NULL) of a feed;
 * PAKT_ENOTFOUND if it has no entries. */
int store_head(struct store *s, const uint8_t network[32],
	       const uint8_t author[32], uint64_t *seq, uint8_t hash[32], uint64_t *ts);

/* One stored row, borrowed for the duration of a scan callback. */
struct store_row {
	int64_t rowid;
	const uint8_t *network, *author, *hash;   /* 32 bytes each */
	uint64_t seq;
	const char *type;
	int64_t timestamp, received;
	const uint8_t *header, *sig, *body;       /* body NULL if absent */
	size_t header_len, sig_len, body_len;
};

struct store_query {
	const uint8_t *network;    /* NULL: every network */
	const uint8_t *author;     /* NULL: every author */
	const char *type;          /* NULL: every type */
	int64_t after_rowid;       /* only rows after this one */
	uint64_t last;             /* 0: all; else only the last N (in order) */
	uint64_t limit;            /* 0: all; else only the first N (without last) */
	bool by_feed;              /* order by feed then seq, else by arrival */
	bool unchecked;            /* rows whose signature is not checked yet
				    * too (replication's own look-ups); readers
				    * leave it false (store_sig_horizon) */
};

/* Return nonzero from the callback to stop; store_scan returns that value. */
typedef int (*store_row_cb)(void *arg, const struct store_row *row);
int store_scan(struct store *s, const struct store_query *q, store_row_cb cb,
	       void *arg);

/* Totals for status. */
int store_counts(struct store *s, uint64_t *entries, uint64_t *feeds,
		 uint64_t *networks);
/* Highest rowid (0 if empty), to start a live stream after it. */
int64_t store_last_rowid(struct store *s);

/* The networks that have at least one feed here, up to cap; *n gets the
 * number written. */
int store_networks(struct store *s, uint8_t (*out)[32], size_t cap, size_t *n);

/* ---- the mesh (store_mesh.c) ---- */

/* Entries of one feed from seq `from` on, at most max, in seq order. */
int store_range(struct store *s, const uint8_t network[32], const uint8_t author[32],
		uint64_t from, uint32_t max, store_row_cb cb, void *arg);
/* The hash stored at (network, author, seq); PAKT_ENOTFOUND. */
int store_hash_at(struct store *s, const uint8_t network[32], const uint8_t author[32],
		  uint64_t seq, uint8_t hash[32]);
/* The latest seq, hash and timestamp of every feed of a network. */
typedef int (*store_head_cb)(void *arg, const uint8_t author[32], uint64_t seq,
			     const uint8_t hash[32], uint64_t ts);
int store_heads(struct store *s, const uint8_t network[32], store_head_cb cb, void *arg);

/* Keep e as fork proof: it differs from the entry stored at its seq.
 * Harmless if already kept. */
int store_fork_add(struct store *s, const struct entry *e, int64_t received_ms);
/* Fork proofs (the second entries) of a network, NULL for all. */
int store_forks(struct store *s, const uint8_t *network, store_row_cb cb, void *arg);

/* Peers to dial. key NULL: any member may answer. */
struct store_peer {
	int64_t id;
	const uint8_t *network;
	const char *address;
	const uint8_t *key;      /* NULL if none expected */
	int64_t added;
};
typedef int (*store_peer_cb)(void *arg, const struct store_peer *p);
int store_peer_add(struct store *s, const uint8_t network[32], const char *address,
		   const uint8_t *key);      /* PAKT_EEXIST */
int store_peer_remove(struct store *s, const char *address);  /* PAKT_ENOTFOUND */
int store_peers(struct store *s, store_peer_cb cb, void *arg);

/* Invites: only a hash of the secret is kept. */
int store_invite_add(struct store *s, const uint8_t secret_hash[32],
		     const uint8_t network[32], const char *name, uint64_t expires_ms);
/* Mark an invite used by user. PAKT_EINVITE with the reason (unknown,
 * used, expired) in why; name[cap] gets the name given at invite time. */
int store_invite_use(struct store *s, const uint8_t secret_hash[32],
		     const uint8_t network[32], const uint8_t user[32], uint64_t now_ms,
		     char *name, size_t cap, char *why, size_t whylen);

/* Feeds this node does not store (pakt unsubscribe). */
int store_skip_set(struct store *s, const uint8_t network[32], const uint8_t author[32],
		   bool skip);
int store_skips(struct store *s, const uint8_t network[32], uint8_t (*out)[32],
		size_t cap, size_t *n);

/* The stored entry with this hash: cb gets its row (at most one call).
 * PAKT_ENOTFOUND if none. */
int store_get(struct store *s, const uint8_t hash[32], store_row_cb cb, void *arg);

/* Drop the body of the entry with this hash (now, and if it arrives
 * later), then flush the WAL so that the bytes leave the disk. */
int store_redact(struct store *s, const uint8_t hash[32], const uint8_t author[32],
		 uint64_t at_ms);
bool store_is_redacted(struct store *s, const uint8_t hash[32]);
/* Record that hash is redacted (by author, at at_ms) without touching any
 * body: for an entry stored without its body in the first place. */
int store_redact_mark(struct store *s, const uint8_t hash[32], const uint8_t author[32],
		      uint64_t at_ms);
/* Fill in the bodies of entries held without one (same hash; the caller
 * checked each body against its header), in one transaction. Rows that
 * hold a body already are left alone. */
int store_fill_bodies(struct store *s, const struct entry *const *es, size_t n);
/* Every recorded redaction: the hash and who asked (malloc'd array,
 * caller frees). */
struct store_redaction {
	uint8_t hash[32], by[32];
};
int store_redactions(struct store *s, struct store_redaction **out, size_t *n);

/* ---- large stores (store_query.c) ---- */

/* The entries of one network after after_rowid, in arrival order. Rows
 * for whose type whole() is false (NULL: every row) come without header,
 * signature and body (NULL, lengths 0): a cheap walk past the messages.
 * Only rows readers see (below store_sig_horizon) are walked. */
int store_scan_network(struct store *s, const uint8_t network[32], int64_t after_rowid,
		       bool (*whole)(const char *type), store_row_cb cb, void *arg);
/* How many store_fill_bodies transactions this connection committed: a
 * reader that keeps state per row learns that rows it read changed. */
uint64_t store_fills(const struct store *s);

/* Networks joined by invite before their first entry arrives. */
int store_joined_add(struct store *s, const uint8_t network[32], const uint8_t inviter[32]);

/* ---- WAL checkpoints off the loop (store_wal.c) ---- */

/* From now on a commit that leaves 1,000 pages or more of the WAL not yet
 * copied calls kick(arg) instead of checkpointing (the callee wakes a
 * helper that calls store_wal_checkpoint on its own connection); a commit
 * that leaves the WAL at 8,192 pages or more checkpoints itself (passive,
 * copying what the helper has not), so that the WAL restarts and stays
 * bounded. kick NULL: back
 * to SQLite's automatic checkpoints. 0, PAKT_EINVAL (read-only), PAKT_EIO. */
int store_wal_offload(struct store *s, void (*kick)(void *arg), void *arg);
/* The helper's connection to the database at path. */
struct store_wal_conn;
int store_wal_open(const char *path, struct store_wal_conn **out);
/* A passive checkpoint (copies what no reader needs; never waits for the
 * writer). 0 or PAKT_EIO. */
int store_wal_checkpoint(struct store_wal_conn *c);
void store_wal_close(struct store_wal_conn *c);

/* ---- deferred signature checks (store_sig.c) ---- */

/* Appends from now on (on=true) store entries not all checked: each
 * marks, in its own transaction, its first row as waiting unless an
 * earlier row waits already, and hides its rows from readers. */
void store_sig_defer(struct store *s, bool on);
/* Whether a checker runs (daemon/sigdefer.c sets it): only then may
 * replication defer checks. */
void store_sig_enable(struct store *s, bool on);
bool store_sig_enabled(const struct store *s);
/* The rows stored unchecked since the last call ([*from, *to]): false if
 * none. */
bool store_sig_take(struct store *s, int64_t *from, int64_t *to);
/* The first row waiting for its check (durable), 0 if none. */
int64_t store_sig_waiting(struct store *s);
/* Rows before rowid are checked: move the mark to rowid, or drop it
 * (rowid 0). 0 or PAKT_EIO. */
int store_sig_checked(struct store *s, int64_t rowid);
/* Readers (store_scan without .unchecked, store_last_rowid) see only rows
 * below rowid; 0: every row. */
void store_sig_horizon(struct store *s, int64_t rowid);
int64_t store_sig_horizon_get(const struct store *s);
/* The highest rowid stored (0 if none), whatever readers see. */
int64_t store_sig_max_rowid(struct store *s);
/* Drop the entries of a feed from seq on that readers do not see yet
 * (rows at or above the horizon). 0 or PAKT_EIO. */
int store_sig_drop(struct store *s, const uint8_t network[32], const uint8_t author[32],
		   uint64_t seq);
/* Keep a bad-signature proof (wire forms; a at seq) for a feed: one per
 * feed, the first kept. 0 or PAKT_EIO. */
int store_badsig_add(struct store *s, const uint8_t network[32], const uint8_t author[32],
		     uint64_t seq, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		     int64_t received_ms);
/* The proofs of a network, NULL for all; cb's nonzero return stops. */
typedef int (*store_badsig_cb)(void *arg, const uint8_t *network, const uint8_t *author,
			       uint64_t seq, const uint8_t *a, size_t alen, const uint8_t *b,
			       size_t blen);
int store_badsigs(struct store *s, const uint8_t *network, store_badsig_cb cb, void *arg);

#endif
