/* Audit bundles: a self-contained file of signed entries that proves one
 * commitment's history or one feed's range, checkable offline (`pakt
 * verify FILE`, core/audit.h: the rules) and, signature by signature,
 * with any Ed25519 implementation. This is the codec. Format and rules: proto/PROTOCOL.md, "Audit bundles".
 *
 *   "PAKTBND1" || canonical msgpack map
 *   {"entries": [bin wire entry, ...], "kind": "commitment"|"feed",
 *    "network": bin32, "subject": bin32, "v": 1}
 *
 * Pure: no I/O. */
#ifndef PAKT_BUNDLE_H
#define PAKT_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto/body.h"
#include "proto/entry.h"
#include "proto/mpx.h"
#include "proto/canon.h"

#define BUNDLE_MAGIC "PAKTBND1"
#define BUNDLE_MAGIC_LEN 8
#define BUNDLE_VERSION 1
#define BUNDLE_ENTRIES_MAX 1048576u            /* entries in one bundle */
#define BUNDLE_BYTES_MAX ((size_t)512 << 20)   /* 512 MiB, magic included */
#define BUNDLE_REASON_MAX 320
/* A public key as PEM SubjectPublicKeyInfo: 2 lines of armour, 60 chars of
 * base64, newlines, NUL. */
#define BUNDLE_PEM_MAX 128

enum bundle_kind {
	BUNDLE_COMMITMENT = 1,   /* subject: the commitment's entry hash */
	BUNDLE_FEED = 2,         /* subject: the feed's author key */
};

/* ---- building (the daemon's `export`) ---- */

struct bundle_item;

struct bundle_builder {
	enum bundle_kind kind;
	uint8_t network[32];
	uint8_t subject[32];
	struct bundle_item *v;   /* malloc'd */
	size_t n, cap;
	bool sorted;             /* v sorted by (author, seq), duplicates merged */
	uint64_t from, to;       /* kind feed: the subject's seqs shown with bodies */
};

/* A run of missing seqs of one author's feed: from..to, inclusive. */
struct bundle_gap {
	uint8_t author[32];
	uint64_t from, to;
};

void bundle_begin(struct bundle_builder *b, enum bundle_kind kind,
		  const uint8_t network[32], const uint8_t subject[32]);
/* Kind feed: show the subject's entries from..to (inclusive) with bodies
 * (the default is all of them); earlier ones go as chain links. The
 * exporter adds from..to (at least one) and bundle_gaps() gives the rest. */
void bundle_feed_range(struct bundle_builder *b, uint64_t from, uint64_t to);
/* Add an entry (copied: e and its body may go away afterwards), in wire
 * form with its body when with_body and e has one, else with nil.
 * Duplicates (same hash) are merged, keeping the body if any copy has
 * one. 0; PAKT_ENETWORK (entry_network(e) is not the bundle's network);
 * PAKT_ELIMIT (BUNDLE_ENTRIES_MAX); PAKT_ENOMEM. A second, different entry
 * at the same (author, seq) is reported by bundle_gaps/bundle_finish. */
int bundle_add(struct bundle_builder *b, const struct entry *e, bool with_body);
/* The seqs the checker will miss: for each author, every seq from 1 to its
 * highest added seq that is not added, as runs. *gaps is malloc'd (free()
 * it; NULL when *n is 0). The caller adds those entries (with
 * bundle_body_wanted() deciding the body) until there are no gaps.
 * 0, PAKT_EFORK (two entries at one seq), PAKT_ENOMEM. */
int bundle_gaps(struct bundle_builder *b, struct bundle_gap **gaps, size_t *n);
/* Whether an entry's body belongs in a bundle of this kind and subject:
 * the genesis and member entries (so the checker sees membership); for a
 * commitment, the commitment and every accept, decline and status (so it
 * sees every answer); for a feed, every entry of the subject's feed.
 * Other entries go as chain links. bundle_wants_body() is the same with
 * the builder's feed range. */
bool bundle_body_wanted(enum bundle_kind kind, const uint8_t subject[32],
			const struct entry *e);
bool bundle_wants_body(const struct bundle_builder *b, const struct entry *e);
/* Append magic + map to out; entries sorted by (author, seq). The builder
 * stays valid (bundle_free it). 0, PAKT_EFORK, PAKT_ENOMEM. */
int bundle_finish(struct bundle_builder *b, struct mpx_out *out);
void bundle_free(struct bundle_builder *b);

/* ---- reading ---- */

/* A bundle file's map, as bundle_open reads it (borrows from the buffer). */
struct bundle_file {
	enum bundle_kind kind;
	const uint8_t *network, *subject;   /* 32 bytes each */
	uint32_t n;                         /* entries, 1..BUNDLE_ENTRIES_MAX */
	struct canon_rd entries;            /* at the next entry's bin */
};

/* Check the magic, the size, the canonical map with its version and keys
 * (PROTOCOL.md, "Format"; not the entries). 0, or a PAKT_E... code with
 * why saying what is wrong. */
int bundle_open(const uint8_t *buf, size_t len, struct bundle_file *f,
		char why[BUNDLE_REASON_MAX]);
/* The next entry's wire form (bundle_open checked that each is a bin). */
int bundle_next(struct bundle_file *f, const uint8_t **wire, size_t *len);

/* Call fn for each entry of a bundle file, in file order, with its 1-based
 * position (for `pakt verify --dump`: e->header_bytes are the signed
 * bytes, e->sig the signature, e->body the body or NULL). Meant for a
 * bundle that passed audit_bundle. Returns the first non-zero return of
 * fn, a PAKT_E... code if the file does not parse, or 0. e->body borrows
 * from buf. */
typedef int (*bundle_entry_fn)(void *arg, size_t index, const struct entry *e);
int bundle_each(const uint8_t *buf, size_t len, bundle_entry_fn fn, void *arg);

/* The author key as PEM SubjectPublicKeyInfo (RFC 8410): the 12 DER bytes
 * 30 2a 30 05 06 03 2b 65 70 03 21 00, then the 32 key bytes, base64, as
 * "-----BEGIN PUBLIC KEY-----\n<60 chars>\n-----END PUBLIC KEY-----\n". */
void bundle_pem_pubkey(const uint8_t pk[32], char out[BUNDLE_PEM_MAX]);

const char *bundle_kind_name(enum bundle_kind kind);

#endif
