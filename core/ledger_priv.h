/* Internals shared by core/ledger.c and core/ledger_life.c: not for use
 * outside core/ledger*. */
#ifndef PAKT_LEDGER_PRIV_H
#define PAKT_LEDGER_PRIV_H

#include <stdint.h>
#include "core/ledger.h"

/* Called for each answer or status that breaks the lifecycle; 0 or an
 * error that stops the walk. */
typedef int (*ledger_life_report)(void *arg, const uint8_t author[32], uint64_t seq,
				  const uint8_t hash[32], const char *what);

/* Checkpoints by (author, seq), which ledger_life_apply searches. */
void ledger_life_sort_checkpoints(struct ledger *l);
/* Order c's answers and statuses by the lifecycle, set what counts, and
 * report each that breaks it. 0 or PAKT_ENOMEM (or report's error). */
int ledger_life_apply(struct ledger *l, struct ledger_commit *c, ledger_life_report report, void *arg);

#endif
