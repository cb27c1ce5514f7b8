/* Building an audit bundle from the store: one commitment's history or one
 * feed's range, with every membership entry and the chains they sit in, so
 * that 'pakt verify' checks it offline. Used by the control socket's export
 * and by the simulator (tests/sim), so both export the same way. */
#ifndef PAKT_EXPORT_H
#define PAKT_EXPORT_H

#include <stdbool.h>
#include <stdint.h>
#include "daemon/store.h"
#include "proto/mpx.h"

/* Write into file (initialised by the caller) the bundle of the commitment
 * subject (feed false) or of feed subject's entries from..to (feed true;
 * to UINT64_MAX: all) in network net. 0; PAKT_ENOTFOUND when nothing
 * matches; PAKT_EFORK when a chain to prove has a fork; PAKT_EIO, PAKT_ENOMEM. */
int export_bundle(struct store *s, const uint8_t net[32], const uint8_t subject[32], bool feed,
		  uint64_t from, uint64_t to, struct mpx_out *file);

#endif
