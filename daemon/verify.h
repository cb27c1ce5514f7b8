/* Re-check every stored entry: decoding, body hash, signature, the chain
 * links of each feed, and that the indexed columns match the signed header.
 * Runs on its own read-only store connection, off the loop thread. */
#ifndef PAKT_VERIFY_H
#define PAKT_VERIFY_H

#include <stdatomic.h>
#include <stdint.h>
#include "daemon/store.h"

struct verify_bad {
	uint8_t network[32];
	uint8_t author[32];
	uint64_t seq;
	int code;              /* PAKT_E... */
	char reason[160];
};

struct verify_result {
	uint64_t checked;      /* entries examined */
	uint64_t feeds;
	uint64_t bodies;       /* entries whose body is present */
	uint64_t n_bad;        /* all bad entries found */
	struct verify_bad *bad;/* the first VERIFY_BAD_MAX of them (malloc'd) */
	size_t bad_len;
};

#define VERIFY_BAD_MAX 1000

/* Walk the whole store. Returns 0 when the walk completed (whatever it
 * found), PAKT_EIO/PAKT_ENOMEM if it could not. Free with verify_result_free.
 * Signatures are checked on two threads (this one and a helper). */
int verify_store(struct store *s, struct verify_result *out);
/* The same, adding to *progress (read from any thread) the entries done
 * as it goes; progress may be NULL. */
typedef _Atomic uint64_t verify_progress;
int verify_store_progress(struct store *s, struct verify_result *out, verify_progress *progress);
void verify_result_free(struct verify_result *r);

#endif
