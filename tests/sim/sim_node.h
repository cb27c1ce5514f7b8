/* The simulator's one door into paktd: every call into daemon/ (node,
 * repl, store, members, ledger) and the bundle checker goes through here,
 * so that an API change is adapted in this file alone. The rest of
 * tests/sim sees opaque nodes, wire entries and digests.
 *
 * A node is the real replication logic (repl_ingest, node_append) over the
 * real store on an in-memory SQLite database, with no loop, no sockets and
 * no control socket (n->net and n->ctl stay NULL). What a session would do
 * around repl_ingest (fork proofs, fork hints) is emulated here. */
#ifndef PAKT_SIM_NODE_H
#define PAKT_SIM_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_node;

/* An entry in wire form (malloc'd; free with sim_wire_free). */
struct sim_wire {
	uint8_t *buf;
	size_t len;
};
void sim_wire_free(struct sim_wire *w);

/* One feed as a node holds it. */
struct sim_head {
	uint8_t author[32];
	uint64_t seq;
	uint8_t hash[32];
	uint64_t ts;
	bool forked;
};

/* What a node holds of one initiative, reduced to digests that must be
 * equal on nodes that converged. */
struct sim_digest {
	uint8_t feeds[32];    /* every non-forked feed: (seq, hash, body held) of each row */
	uint8_t forks[32];    /* the set of forked authors */
	uint8_t roster[32];   /* members: key, admin, removed; revocations */
	uint8_t ledger[32];   /* commitments, answers, statuses, updates, anomalies, redactions */
	uint64_t rows, bodies, n_feeds;   /* entries, of which with a body; feeds */
	uint64_t redacted;                /* hashes kept in memory as redacted */
};

/* Once per process: sodium, quiet logs. */
int sim_node_global_init(bool verbose);

/* A node whose identity comes from seed, with an empty in-memory store.
 * sim_node_close is NULL-safe. */
int sim_node_open(struct sim_node **out, const uint8_t seed[32], const char *name);
void sim_node_close(struct sim_node *sn);
/* A restart: drop every in-memory state and reload it from the store. */
int sim_node_restart(struct sim_node *sn);
const uint8_t *sim_node_key(const struct sim_node *sn);

/* The simulated clock of this node (ms since the epoch). */
void sim_node_set_time(struct sim_node *sn, uint64_t now_ms);

/* Create an initiative with us as admin (genesis + our member entry). */
int sim_node_create(struct sim_node *sn, const char *name, uint8_t net[32]);
/* Start holding net (a joiner before its first entry arrives). */
int sim_node_join(struct sim_node *sn, const uint8_t net[32]);
/* Append to our own feed (node_append). hash may be NULL. */
int sim_node_append(struct sim_node *sn, const uint8_t net[32], const char *type,
		    const uint8_t *body, size_t len, uint8_t hash[32]);
/* Publish a checkpoint of the heads we hold (as paktd's timer does).
 * 0, or PAKT_ENOTFOUND when there is no news since the last one. */
int sim_node_checkpoint(struct sim_node *sn, const uint8_t net[32]);
/* A member entry admitting (add) or removing key, built as `pakt member`
 * does. Appended to our feed, or with forged != NULL only signed at seq
 * after prev, dated ts (see sim_node_forge). */
int sim_node_member(struct sim_node *sn, const uint8_t net[32], const uint8_t key[32],
		    const char *name, bool add, bool admin, struct sim_wire *forged,
		    uint64_t seq, const uint8_t *prev, uint64_t ts);
/* Sign an entry of our feed with the given seq, prev (NULL at seq 1) and
 * timestamp without storing it (a dishonest member's forgery). */
int sim_node_forge(struct sim_node *sn, const uint8_t net[32], uint64_t seq,
		   const uint8_t *prev, uint64_t ts, const char *type, const uint8_t *body,
		   size_t len, struct sim_wire *out);
/* Sign an entry under a throwaway key (seed) at seq 1. */
int sim_node_forge_stranger(const uint8_t seed[32], const uint8_t net[32], uint64_t ts,
			    const char *type, const uint8_t *body, size_t len,
			    struct sim_wire *out);

/* Every feed of net (up to cap; out may be NULL when cap is 0); returns
 * the count, which may exceed cap. */
size_t sim_node_heads(struct sim_node *sn, const uint8_t net[32], struct sim_head *out,
		      size_t cap);
/* Our head of one feed; false if we hold none. */
bool sim_node_head(struct sim_node *sn, const uint8_t net[32], const uint8_t author[32],
		   struct sim_head *out);
/* The last seq of a feed we send to peers (session_pump): our head, or
 * its author's end when lower. */
uint64_t sim_node_relay_seq(struct sim_node *sn, const uint8_t net[32], const uint8_t author[32]);
/* Entries of a feed from seq `from`, at most max, in wire form with bodies
 * (out[max]); *n gets the count. */
int sim_node_range(struct sim_node *sn, const uint8_t net[32], const uint8_t author[32],
		   uint64_t from, size_t max, struct sim_wire *out, size_t *n);

/* What one ingest did besides storing. */
struct sim_ingest {
	int rc;                   /* repl_ingest's result */
	char why[256];
	uint8_t forked[8][32];    /* authors whose feed this batch marked forked */
	size_t n_forked;
	struct sim_wire hint;     /* buf != NULL: send this back (a session's fork hint) */
	bool changed;             /* a feed grew, appeared or was marked forked */
};
/* Take a batch from peer `from_key` (NULL: no peer, e.g. our own forgery). */
void sim_node_ingest(struct sim_node *sn, const uint8_t net[32], const uint8_t *from_key,
		     const uint8_t *const *wire, const size_t *len, size_t count,
		     struct sim_ingest *out);
/* The proof that author forked: our entry and the other one. */
int sim_node_fork_proof(struct sim_node *sn, const uint8_t net[32], const uint8_t author[32],
			struct sim_wire *a, struct sim_wire *b);
/* A fork proof from a peer. *news: it marked a feed forked here (pass it on).
 * Non-zero: an invalid proof. */
int sim_node_take_fork(struct sim_node *sn, const uint8_t net[32], const struct sim_wire *a,
		       const struct sim_wire *b, bool *news);

/* Membership as this node sees it. has_roster: it holds the genesis. */
bool sim_node_has_roster(struct sim_node *sn, const uint8_t net[32]);
bool sim_node_is_member(struct sim_node *sn, const uint8_t net[32], const uint8_t key[32]);
bool sim_node_is_admin(struct sim_node *sn, const uint8_t net[32], const uint8_t key[32]);

/* A commitment in our ledger that names us as a party and that we have
 * not answered (answer) or that we made (!answer); false if none. The
 * pick-th such one (mod their number). */
bool sim_node_pick_commitment(struct sim_node *sn, const uint8_t net[32], bool answer,
			      uint32_t pick, uint8_t hash[32]);
/* The pick-th current member other than us (mod their number). */
bool sim_node_pick_member(struct sim_node *sn, const uint8_t net[32], uint32_t pick,
			  uint8_t key[32]);

int sim_node_digest(struct sim_node *sn, const uint8_t net[32], struct sim_digest *d);
/* Export a bundle of each of up to max commitments and of our own feed, as
 * `pakt export` does, check it as `pakt verify FILE` does, and compare its
 * roster and answers with our ledger. 0, or non-zero with why. */
int sim_node_bundle_check(struct sim_node *sn, const uint8_t net[32], size_t max, char *why,
			  size_t whylen);

#endif
