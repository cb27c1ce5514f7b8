/* Signature checks of a batch, spread over the loop thread and one helper
 * thread: every entry's signature is checked before a batch is stored
 * (the chain alone would let an author hide a bad signature under a good
 * one), and two cores halve the wait. */
#ifndef PAKT_SIGCHECK_H
#define PAKT_SIGCHECK_H

#include <stddef.h>
#include "proto/entry.h"

/* Start the helper thread. 0 or PAKT_ENOMEM; without it, sigcheck_batch
 * works on the calling thread alone. */
int sigcheck_start(void);
void sigcheck_stop(void);

/* Verify n entries; returns the index of the first bad one, or n. */
size_t sigcheck_batch(const struct entry *const *es, size_t n);

#endif
