/* Compact entries: the "run" message of replication version 2
 * (PROTOCOL.md, "Compact entries").
 *
 *   {"a": author bin32, "e": [item...], "p": prev-of-first bin32|nil,
 *    "s": first seq uint, "t": "run"}
 *   item = [timestamp uint, type str, sig bin64, body bin]
 *        | [timestamp uint, type str, sig bin64, nil, body_size uint,
 *           body_hash bin32]
 *
 * A run carries consecutive entries of one feed without what the receiver
 * knows or can compute: the version, the network (the link's; nil for a
 * genesis), the author, each seq, each prev after the first, and the body
 * size and hash when the body travels. The receiver rebuilds each entry's
 * exact signed header and its wire form [bin header, bin sig, bin body|nil]
 * and checks them as it checks an "entries" batch. */
#ifndef PAKT_WIRE_RUN_H
#define PAKT_WIRE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto/entry.h"
#include "proto/mpx.h"
#include "proto/wire.h"

/* ---- building ---- */

/* A run being built. Items are packed into `items` as they are added;
 * wire_run_end writes the message around them. Free with wire_run_free. */
struct wire_run {
	struct mpx_out items;
	uint8_t network[32];        /* the link's network */
	uint8_t author[32];
	bool has_prev;              /* the first entry's prev */
	uint8_t prev[32];
	uint64_t seq;               /* of the first entry */
	uint8_t last[32];           /* hash of the last entry added */
	size_t count;
};

/* network: the link's (copied). Cannot fail (msgpack-c aborts on OOM). */
void wire_run_init(struct wire_run *r, const uint8_t network[32]);
void wire_run_free(struct wire_run *r);
/* Empty the run (after wire_run_end, or to drop what was added). */
void wire_run_begin(struct wire_run *r);

/* Add an entry from its stored parts: header bytes, signature, body
 * (NULL: absent; all borrowed, copied into the run). Returns 0;
 * PAKT_ECHAIN when it does not continue the run (another author, not the
 * next seq, or its prev is not the last entry's hash): end the run and
 * begin a new one with it; PAKT_EINVAL when it cannot travel in a run at
 * all (its header does not decode, it names another network, its body
 * does not match the header's size or hash, the run is full): send it in
 * an "entries" message. Nothing is added on failure. */
int wire_run_add(struct wire_run *r, const uint8_t *header, size_t header_len,
		 const uint8_t sig[PAKT_SIG_LEN], const uint8_t *body, size_t body_len);

/* Whether the message still fits a frame (WIRE_PLAIN_MAX) after one more
 * entry with a body of body_len bytes (body_len 0: absent). */
bool wire_run_fits(const struct wire_run *r, size_t body_len);

/* Write the message into o (reset first). The run must hold at least one
 * entry; it is left as it is (wire_run_begin empties it). */
void wire_run_end(const struct wire_run *r, struct mpx_out *o);

/* ---- decoding ---- */

/* Rebuilt wire forms of one run: each at most an item's bytes plus
 * WIRE_RUN_GROWTH, so WIRE_RUN_BUF_MAX holds the largest frame's. */
#define WIRE_RUN_GROWTH (ENTRY_HEADER_MAX + 16)
#define WIRE_RUN_BUF_MAX (WIRE_PLAIN_MAX + WIRE_BATCH_MAX * WIRE_RUN_GROWTH)
struct wire_run_scratch {
	const uint8_t *e[WIRE_BATCH_MAX];
	size_t e_len[WIRE_BATCH_MAX];
	uint8_t buf[WIRE_RUN_BUF_MAX];
};

/* Rebuild the entries of a parsed run message m (wire_msg_parse gave it
 * type WIRE_RUN) for network (the link's). On success s->e[i], s->e_len[i]
 * (i < *count) are the wire forms, in s->buf; hand them to the ingest as
 * an "entries" batch. Returns 0, or PAKT_EPROTO with the reason in why:
 * an item of the wrong shape or types, no items or more than
 * WIRE_BATCH_MAX, a body over ENTRY_BODY_MAX, seq 0 or past
 * ENTRY_SEQ_MAX, "p" nil other than at seq 1 (or present there), a
 * rebuilt header over ENTRY_HEADER_MAX bytes. What the entries say
 * (type names, genesis rules, signatures) is the ingest's to check. */
int wire_run_decode(const struct wire_msg *m, const uint8_t network[32],
		    struct wire_run_scratch *s, size_t *count, char *why, size_t whylen);

#endif
