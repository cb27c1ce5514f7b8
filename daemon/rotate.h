/* Key rotation (pakt key rotate): hand this node's place in every
 * initiative to a new identity key, without losing it on a crash.
 *
 *   1. the new key is written durably beside the old one
 *      (identity.key.new, 0600);
 *   2. in each initiative where we are a member, a succession entry
 *      (proto/keyroll.h) is appended to our feed: signed by the old key,
 *      with the new key's proof;
 *   3. identity.key.new replaces identity.key (rename), and the node signs
 *      and handshakes with the new key from then on. The old secret is
 *      wiped; entries it signed still verify by their public key.
 *
 * A crash between 1 and 3 is settled at the next start (rotate_recover):
 * if the store holds a succession by the old key naming the staged key,
 * the staged key is installed, otherwise it is dropped. */
#ifndef PAKT_ROTATE_H
#define PAKT_ROTATE_H

#include <stddef.h>
#include <stdint.h>
#include "daemon/node.h"

/* passphrase: for the new key file (NULL or "" = unencrypted). *n_nets
 * gets the number of initiatives told. 0, or an error with why. */
int rotate_key(struct node *n, const char *passphrase, size_t *n_nets, char *why, size_t whylen);

/* Before the identity is loaded: finish or drop a rotation a crash
 * interrupted. 0, or an error with why. */
int rotate_recover(const char *datadir, struct store *s, char *why, size_t whylen);

#endif
