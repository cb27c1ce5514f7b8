/* Signatures off the hot path (replication version 2): which entries of a
 * planned batch must have their signature checked before it is stored,
 * and whether a bad-signature proof holds.
 *
 * A batch's entries of one feed form a chain from the stored head (core/
 * replica checks every prev link), and each prev is the hash of its
 * predecessor's header and signature: a valid signature on the newest
 * commits its author to every entry below it. So only that one (and the
 * entries whose effect is immediate) is checked before storing; the rest
 * are checked after. One that then fails, under its validly signed
 * successor, is a proof against its author (PROTOCOL.md, "Deferred
 * signature checks"). Pure: no I/O. */
#ifndef PAKT_SIGPROOF_H
#define PAKT_SIGPROOF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/replica.h"
#include "proto/entry.h"

/* now[i] = true for each entry planned REPLICA_STORE whose signature must
 * be checked before the batch is stored: the newest of its feed in the
 * batch, and those acting on the record or other entries at once
 * (membership and record types, redact, profile). Others planned
 * REPLICA_STORE may be stored first and checked later; now[i] is false for
 * every entry not planned REPLICA_STORE. */
void sigproof_eager(const struct entry *es, const struct replica_plan *plans, size_t count,
		    bool *now);

/* Whether the entry must be checked before storing whatever its place. */
bool sigproof_immediate(const char *type);

/* Check a proof (wire forms a, b) for network: both decode, both are of
 * network (a genesis has none: never a proof) and of one author, b.seq =
 * a.seq + 1, b.prev = hash(a), b's signature is valid and a's is not.
 * *a_out, *b_out get the decoded entries (bodies borrow the buffers).
 * 0, or PAKT_EINVAL with the reason in why. */
int sigproof_check(const uint8_t network[32], const uint8_t *a, size_t alen, const uint8_t *b,
		   size_t blen, struct entry *a_out, struct entry *b_out, char *why,
		   size_t whylen);

#endif
