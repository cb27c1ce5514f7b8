/* The ledger of each initiative, kept in memory and up to date: built once
 * from the store (on first use), then fed each new stored entry from the
 * event readers use, so that metrics, commitments and answers cost the
 * record, not a scan of every entry. Entries that change what earlier ones
 * count for (membership, redactions, bodies filled in) make the next use
 * build it afresh: those are rare. Witness claims ask the store
 * (ledger_load_holdings), so memory grows with the record (updates,
 * commitments, checkpoints), not with the messages. */
#ifndef PAKT_LEDGER_KEEP_H
#define PAKT_LEDGER_KEEP_H

#include "core/ledger.h"
#include "daemon/events.h"

struct node;
struct repl_net;
struct ledger_keep;

/* Start keeping the ledgers of n's initiatives (listens to n's events).
 * 0 or PAKT_ENOMEM. Free with ledger_keep_free (NULL-safe), which stops
 * listening. */
int ledger_keep_new(struct ledger_keep **out, struct node *n);
void ledger_keep_free(struct ledger_keep *k);

/* The settled ledger of rn, with every entry stored so far: borrowed until
 * the next event or call. Its roster is the keeper's copy of rn's. 0, or
 * an error (PAKT_ENOMEM, PAKT_EIO: store_errmsg says why). 0 with *out
 * NULL while the pool builds it: ask again once ledger_keep_wait calls
 * back (or, where waiting is not possible, read it with ledger_load). */
int ledger_keep_get(struct ledger_keep *k, struct repl_net *rn, const struct ledger **out);
/* Call fn(arg) once the pool's build of rn's ledger ends, whatever its
 * outcome (also when k is being freed). 0 or PAKT_ENOMEM. */
int ledger_keep_wait(struct ledger_keep *k, struct repl_net *rn, void (*fn)(void *arg), void *arg);

#endif
