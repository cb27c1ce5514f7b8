/* Deferred signature checks (replication version 2): a batch from a
 * version-2 link is stored once its chain and the newest signature of
 * each feed hold (core/sigproof); the other signatures are checked here,
 * on a helper thread with its own read-only store connection, in rowid
 * order. Until a row is checked, readers do not see it (store_sig_horizon;
 * relaying it to peers is fine: its successor's signature commits to it).
 * It hears of new rows by NODE_EV_STORED (store_sig_take); each time the
 * horizon moves, NODE_EV_CHECKED tells the readers.
 *
 * A row whose signature fails under a validly signed successor is a
 * proof against its author: kept (store_badsig_add), the feed's unchecked
 * rows from its seq on are dropped, the feed stops like a forked one, and
 * NODE_EV_BADSIG passes the proof to every peer. The first row waiting is
 * durable (store_sig_waiting): after a crash, start checks from there. */
#ifndef PAKT_SIGDEFER_H
#define PAKT_SIGDEFER_H

#include <stdbool.h>
#include <stdint.h>

struct node;
struct repl_net;
struct entry;

/* Start the helper thread on n's loop; resume checks a crash left. 0, or
 * PAKT_EIO/PAKT_ENOMEM (then batches are checked whole on receipt). */
int sigdefer_start(struct node *n);
/* Stop the thread and close the loop handle (the loop must run once more). */
void sigdefer_stop(void);

/* Check every waiting row now, on the calling thread, and act on bad
 * ones as the helper does (the simulator, which runs no loop or thread).
 * 0 or PAKT_EIO/PAKT_ENOMEM. */
int sigdefer_settle(struct node *n);

/* A bad-signature proof for rn (wire forms a, b; checked by the caller
 * with sigproof_check): keep it, drop the unchecked rows of the feed from
 * a's seq on, stop the feed, warn, and emit NODE_EV_BADSIG (origin: the
 * session it came from, or NULL). false if the feed was stopped already. */
bool sigdefer_proof(struct node *n, struct repl_net *rn, const struct entry *a,
		    const uint8_t *wa, size_t la, const uint8_t *wb, size_t lb,
		    const void *origin);

/* The bad-signature proof kept for author in rn (wire forms, malloc'd;
 * the caller frees both). 0, PAKT_ENOTFOUND, PAKT_ENOMEM. */
int sigdefer_badsig_proof(struct node *n, const struct repl_net *rn, const uint8_t author[32],
			  uint8_t **a, size_t *alen, uint8_t **b, size_t *blen);

#endif
