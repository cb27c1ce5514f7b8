/* fuzz_run's seeds (tests/fuzz/gen_run.c), for gen_corpus. */
#ifndef PAKT_GEN_RUN_H
#define PAKT_GEN_RUN_H

#include <stddef.h>
#include <stdint.h>
#include "proto/entry.h"

/* Write DIR/run/<name>: runs of the feeds in ent[0..n) (in feed order;
 * ent[0] the genesis), for network. Exits on failure. */
void gen_run_seeds(const char *dir, const struct entry *ent, size_t n, const uint8_t network[32]);

#endif
