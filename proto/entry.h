/* Entries: the signed unit of every feed.
 *
 * An entry is a header, a signature and an optional body. The header is a
 * canonical msgpack array (see proto/PROTOCOL.md):
 *   [version, network|nil, author, seq, prev|nil, timestamp_ms, type,
 *    body_size, body_hash]
 * The Ed25519 signature covers exactly the header's bytes; the entry hash
 * is BLAKE2b-256(header bytes || signature). The body is a canonical msgpack
 * map; only its size and BLAKE2b-256 hash are in the header, so a feed
 * whose bodies are absent (redacted, not fetched) still verifies.
 *
 * On the wire and in bundles an entry is the canonical msgpack array
 *   [bin header, bin signature(64), bin body | nil]
 */
#ifndef PAKT_ENTRY_H
#define PAKT_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAKT_KEY_LEN 32
#define PAKT_HASH_LEN 32
#define PAKT_SIG_LEN 64
#define PAKT_SK_LEN 64          /* libsodium Ed25519 secret key: seed || pk */

#define ENTRY_VERSION 1
#define ENTRY_BODY_MAX 16384    /* bytes of a body's canonical msgpack */
#define ENTRY_TYPE_MAX 16       /* chars of a type name: [a-z]+ */
#define ENTRY_HEADER_MAX 256    /* a header's encoding always fits */
#define ENTRY_WIRE_MAX (ENTRY_BODY_MAX + ENTRY_HEADER_MAX + 128)
#define ENTRY_SEQ_MAX ((uint64_t)1 << 53) /* fits a JSON number exactly */

struct entry_header {
	uint32_t version;
	bool has_network;               /* false only for a genesis entry */
	uint8_t network[PAKT_HASH_LEN];
	uint8_t author[PAKT_KEY_LEN];
	uint64_t seq;                   /* 1, 2, 3 ... */
	bool has_prev;                  /* false exactly at seq 1 */
	uint8_t prev[PAKT_HASH_LEN];
	uint64_t timestamp;             /* ms since the Unix epoch */
	char type[ENTRY_TYPE_MAX + 1];
	uint32_t body_size;
	uint8_t body_hash[PAKT_HASH_LEN];
};

/* A decoded or freshly signed entry. header_bytes are the exact signed
 * bytes. body is borrowed: it points into the buffer given to
 * entry_decode()/entry_from_parts() or to the caller's body, and is valid
 * as long as that is; NULL when the body is absent. */
struct entry {
	struct entry_header h;
	uint8_t header_bytes[ENTRY_HEADER_MAX];
	size_t header_len;
	uint8_t sig[PAKT_SIG_LEN];
	const uint8_t *body;
	size_t body_len;
	uint8_t hash[PAKT_HASH_LEN];
};

/* BLAKE2b-256 of a body. */
void entry_body_hash(const uint8_t *body, size_t len, uint8_t out[PAKT_HASH_LEN]);

/* Fill h->body_size/body_hash from body, encode the header, sign it with
 * sk (64-byte libsodium secret key, borrowed, not copied), compute the hash.
 * body (borrowed by e) must be a canonical msgpack map of at most
 * ENTRY_BODY_MAX bytes. Returns 0, PAKT_ETOOBIG, PAKT_EINVAL (bad header
 * fields: seq 0, prev rule, type), or a canonical-check code for the body. */
int entry_create(struct entry *e, const struct entry_header *h,
		 const uint8_t *body, size_t body_len, const uint8_t *sk);

/* Encode e for the wire into out[cap]; *len gets the size.
 * with_body=false writes nil in place of the body. PAKT_ETOOBIG if cap is
 * short (ENTRY_WIRE_MAX always suffices). */
int entry_encode(const struct entry *e, bool with_body, uint8_t *out,
		 size_t cap, size_t *len);

/* Decode and validate a wire entry (not the signature: entry_verify).
 * Checks canonical form, types, version, seq, the prev rule, type name,
 * sizes, and the body against its size and hash when present. e->body
 * points into buf. Returns 0 or the PAKT_E... reason. */
int entry_decode(struct entry *e, const uint8_t *buf, size_t len);

/* The same from stored parts: header bytes, signature, body (NULL if
 * absent). Borrows body. */
int entry_from_parts(struct entry *e, const uint8_t *header, size_t header_len,
		     const uint8_t sig[PAKT_SIG_LEN], const uint8_t *body,
		     size_t body_len);

/* Decode just a header's bytes into *h (all the checks of entry_decode that
 * concern the header). */
int entry_header_decode(struct entry_header *h, const uint8_t *buf, size_t len);

/* Check the signature of e against its author. 0 or PAKT_ESIG. */
int entry_verify(const struct entry *e);

/* Check that e directly follows prev in one feed: same network and author,
 * seq = prev seq + 1, e's prev = prev's hash. 0, PAKT_ENETWORK, PAKT_ECHAIN
 * or PAKT_ESEQ. */
int entry_check_link(const struct entry *prev, const struct entry *e);

/* How far ahead of a receiver's clock an entry's timestamp may be: honest
 * clocks drift by seconds to minutes, never by this much. */
#define ENTRY_FUTURE_MAX_MS (10 * 60 * 1000)

/* The timestamp rule of a feed: e's timestamp is not before prev_ts (its
 * predecessor's; pass 0 at seq 1) and at most ENTRY_FUTURE_MAX_MS after
 * now_ms (the receiver's clock). 0 or PAKT_ETIME. */
int entry_check_time(const struct entry_header *e, uint64_t prev_ts, uint64_t now_ms);

/* The network an entry belongs to: its network field, or for a genesis
 * entry (no network) its own hash. */
const uint8_t *entry_network(const struct entry *e);

#endif
