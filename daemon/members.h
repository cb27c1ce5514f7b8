/* Membership of one initiative as the store holds it: a roster (see
 * core/roster.h for the rules, shared with the offline bundle checker)
 * loaded from the stored genesis, member, succession and revoke entries.
 * Query it with roster_find, roster_is_admin, roster_untrusted, ... and
 * free it with roster_free. */
#ifndef PAKT_MEMBERS_H
#define PAKT_MEMBERS_H

#include <stdint.h>
#include "daemon/store.h"
#include "core/roster.h"

/* Recompute from the store. m is replaced (free with roster_free). */
int members_load(struct roster *m, struct store *s, const uint8_t network[32]);

#endif
