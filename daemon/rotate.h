/* Key rotation (pakt key rotate): hand this node's place in every
 * initiative to a new identity key, all or nothing, without losing it on
 * a crash.
 *
 *   1. the new key is written durably beside the old one
 *      (identity.key.new, 0600);
 *   2. in each initiative where we are a member, a succession entry
 *      (proto/keyroll.h) is appended to our feed: signed by the old key,
 *      with the new key's proof;
 *   3. only when every such initiative holds it: identity.key.new is
 *      renamed identity.key.ready, then over identity.key, and the node
 *      signs and handshakes with the new key from then on. The old secret
 *      is wiped; entries it signed still verify by their public key.
 *
 * If 2 fails somewhere after it succeeded elsewhere, nothing is installed:
 * the old key stays in use (in the initiatives told, it is no longer a
 * member), identity.key.new is kept, and the next rotate_key reuses it,
 * skips the initiatives that hold its succession and finishes. A
 * succession cannot be taken back, so this is the only way to all or
 * nothing.
 *
 * At the next start (rotate_recover): identity.key.ready is installed; an
 * identity.key.new that no succession names is dropped; one that some
 * succession names is kept for pakt key rotate to finish. */
#ifndef PAKT_ROTATE_H
#define PAKT_ROTATE_H

#include <stddef.h>
#include <stdint.h>
#include "daemon/node.h"

/* passphrase: for the new key file (NULL or "" = unencrypted; to finish a
 * half-done rotation, the one it was started with). *n_nets gets the
 * number of initiatives told. 0 (the new key is installed), or an error
 * with why and the old key still in use. */
int rotate_key(struct node *n, const char *passphrase, size_t *n_nets, char *why, size_t whylen);

/* Before the identity is loaded: finish or drop a rotation a crash
 * interrupted. 0, or an error with why. */
int rotate_recover(const char *datadir, struct store *s, char *why, size_t whylen);

#endif
