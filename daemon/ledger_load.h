/* The ledger of one initiative as the store holds it: the store's side of
 * core/ledger.c, which holds the rules (shared with `pakt verify BUNDLE`). */
#ifndef PAKT_LEDGER_LOAD_H
#define PAKT_LEDGER_LOAD_H

#include <stdbool.h>
#include <stdint.h>
#include "core/ledger.h"
#include "daemon/members.h"
#include "daemon/store.h"

/* Scan a network's entries into l (finished; free with ledger_free). m:
 * its members (members_load), which must outlive l. */
int ledger_load(struct ledger *l, struct store *s, const uint8_t network[32],
		const struct roster *m);

/* Where a ledger kept open asks the store what it holds (witness claims),
 * instead of keeping the place of every entry in memory. */
struct ledger_source {
	struct store *s;                /* borrowed */
	uint8_t network[32];
};
/* h answers from src (which must outlive the ledger it is given to). */
void ledger_load_holdings(struct ledger_holdings *h, struct ledger_source *src);

/* Add src's entries stored after *rowid to the open ledger l, in arrival
 * order; *rowid gets the last one read. *rebuild (may be NULL) is set when
 * one of them changes what entries read before count for (membership, a
 * redaction): then only a ledger built afresh is right. 0 or an error. */
int ledger_load_more(struct ledger *l, struct ledger_source *src, int64_t *rowid, bool *rebuild);

#endif
