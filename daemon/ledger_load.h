/* The ledger of one initiative as the store holds it: the store's side of
 * core/ledger.c, which holds the rules (shared with `pakt verify BUNDLE`). */
#ifndef PAKT_LEDGER_LOAD_H
#define PAKT_LEDGER_LOAD_H

#include <stdint.h>
#include "core/ledger.h"
#include "daemon/members.h"
#include "daemon/store.h"

/* Scan a network's entries into l (free with ledger_free). m: its members
 * (members_load), which must outlive l. */
int ledger_load(struct ledger *l, struct store *s, const uint8_t network[32],
		const struct roster *m);

#endif
