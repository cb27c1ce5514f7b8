/* Peer protocol messages (see PROTOCOL.md, "Peer protocol").
 *
 * A TCP connection starts with a plaintext preamble: the 4 bytes "PKT1"
 * and the 32-byte network id, so that the responder knows which network's
 * prologue to use; the Noise prologue binds both, so a changed preamble
 * fails the handshake. Then frames: a 2-byte big-endian length and one
 * Noise message. Handshake payloads and transport plaintexts are canonical
 * msgpack maps; every transport map has "t", its type. */
#ifndef PAKT_WIRE_H
#define PAKT_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto/mpx.h"

#define WIRE_MAGIC "PKT1"
#define WIRE_PREAMBLE_LEN 36
#define WIRE_VERSION 1
/* Replication features a node speaks, in the hello's "r" (absent: 1).
 * 2: lazy/eager feeds and "have" notes, compact "entries", bad-signature
 * proofs (PROTOCOL.md, "Replication version 2"). A link uses the lower. */
#define WIRE_REPL_VERSION 2
#define WIRE_FRAME_MAX 65535                 /* a Noise message */
#define WIRE_PLAIN_MAX (WIRE_FRAME_MAX - 16) /* its plaintext */
#define WIRE_BATCH_MAX 1024                  /* entries in one "entries" message */
#define WIRE_CLOCK_MAX 2048                  /* feeds (or skips) a "clock" may list */

/* Noise prologue: "pakt/1" || network id. out must hold 38 bytes. */
size_t wire_prologue(const uint8_t network[32], uint8_t out[38]);

/* Preamble bytes; wire_preamble_parse returns 0 or PAKT_EPROTO. */
void wire_preamble(const uint8_t network[32], uint8_t out[WIRE_PREAMBLE_LEN]);
int wire_preamble_parse(const uint8_t in[WIRE_PREAMBLE_LEN], uint8_t network[32]);

/* Handshake payload: {"ed": bin32 Ed25519 key, "r": uint replication
 * version (optional, absent = 1), "succ": bin (optional), "v": 1}.
 * wire_hello_succ writes "r" = repl unless repl is 1; wire_hello writes
 * the version 1 hello. succ: the wire form of the succession entry that made ed a
 * member (a rotated key vouching for itself to a partner that has not
 * replicated the succession yet); *succ is NULL when absent. */
void wire_hello(struct mpx_out *o, const uint8_t ed_pk[32]);
void wire_hello_succ(struct mpx_out *o, const uint8_t ed_pk[32], const uint8_t *succ,
		     size_t succ_len, unsigned repl);
int wire_hello_parse(const uint8_t *buf, size_t len, uint8_t ed_pk[32]);
/* *repl (may be NULL) gets the peer's "r", 1 when absent; 0 is
 * PAKT_EHANDSHAKE, a higher one than ours is taken as ours. */
int wire_hello_parse_succ(const uint8_t *buf, size_t len, uint8_t ed_pk[32],
			  const uint8_t **succ, size_t *succ_len, unsigned *repl);

/* Message types carried after the handshake. */
enum wire_type {
	WIRE_CLOCK = 1,   /* {"feeds": [[author, seq]...], "skip": [author...], "t": "clock"} */
	WIRE_ENTRIES,     /* {"e": [entry wire bin...], "t": "entries"} */
	WIRE_FORK,        /* {"a": entry, "b": entry, "t": "fork"} */
	WIRE_INVITE,      /* {"name": str, "secret": bin32, "t": "invite"} */
	WIRE_WELCOME,     /* {"t": "welcome"} */
	WIRE_BYE,         /* {"reason": str, "t": "bye"} */
	WIRE_HAVE,        /* {"eager": [[author, seq]...], "have": [[author, seq]...],
			   *  "lazy": [author...], "t": "have"}: version 2 (proto/wire_have.c) */
	WIRE_RUN,         /* version 2: {"a", "e", "p", "s", "t": "run"}, proto/wire_run.h */
	WIRE_BADSIG,      /* {"a": entry, "b": entry, "t": "badsig"}: a's signature
			   * fails under b, its validly signed successor (version 2) */
};

/* A decoded transport message. Pointers borrow from the buffer given to
 * wire_msg_parse and are valid as long as it is. */
struct wire_clock_item {
	const uint8_t *author;
	uint64_t seq;
};
struct wire_msg {
	enum wire_type type;
	/* clock */
	struct wire_clock_item *feeds;     /* caller-provided arrays, see parse */
	size_t n_feeds;
	const uint8_t **skip;
	size_t n_skip;
	/* entries, fork (a = e[0], b = e[1]) */
	const uint8_t **e;
	size_t *e_len;
	size_t n_e;
	/* invite */
	const uint8_t *secret;
	const char *name;
	size_t name_len;
	/* bye */
	const char *reason;
	size_t reason_len;
	/* run: the author ("a"), the first entry's prev ("p", NULL for nil),
	 * its seq ("s"), and the "e" array's bytes, which wire_run_decode
	 * reads (wire_msg_parse checks only that it is an array of at most
	 * WIRE_BATCH_MAX) */
	const uint8_t *run_author;
	const uint8_t *run_prev;
	uint64_t run_seq;
	const uint8_t *run_items;
	size_t run_items_len;
	/* have: notes of heads, feeds to push again (graft, from seq),
	 * feeds to send only notes of (prune) */
	struct wire_clock_item *notes;
	size_t n_notes;
	struct wire_clock_item *grafts;
	size_t n_grafts;
	const uint8_t **prunes;
	size_t n_prunes;
};

/* Scratch arrays for parsing, sized to the caps above. */
struct wire_scratch {
	struct wire_clock_item feeds[WIRE_CLOCK_MAX];
	const uint8_t *skip[WIRE_CLOCK_MAX];
	const uint8_t *e[WIRE_BATCH_MAX];
	size_t e_len[WIRE_BATCH_MAX];
	struct wire_clock_item grafts[WIRE_CLOCK_MAX];   /* have */
};

/* Parse one transport plaintext. Checks canonical form, the type, every
 * field's type and length, and the caps. Returns 0, PAKT_EPROTO (with the
 * reason in why), or a canonical-check code. */
int wire_msg_parse(struct wire_msg *m, struct wire_scratch *s, const uint8_t *buf,
		   size_t len, char *why, size_t whylen);

/* Builders. Each resets o and writes one complete message map.
 * Clock/entries are built incrementally: begin, add items, end; the caller
 * keeps the count and checks wire_entries_fits before adding. */
void wire_clock(struct mpx_out *o, const struct wire_clock_item *feeds, size_t n,
		const uint8_t (*skip)[32], size_t n_skip);
/* The same with the skipped authors by pointer; one part of a clock split
 * across messages (see PROTOCOL.md, "Replication"). */
void wire_clock_part(struct mpx_out *o, const struct wire_clock_item *feeds, size_t n,
		     const uint8_t *const *skip, size_t n_skip);
/* entries: count must be known up front; items are entry wire encodings. */
void wire_entries_begin(struct mpx_out *o, size_t count);
void wire_entries_add(struct mpx_out *o, const uint8_t *entry, size_t len);
void wire_entries_end(struct mpx_out *o);
/* Bytes the "t" field and map overhead add after the last entry. */
#define WIRE_ENTRIES_OVERHEAD 32
/* The bad-signature proof: a (its signature fails), b (a's successor). */
void wire_badsig(struct mpx_out *o, const uint8_t *a, size_t alen, const uint8_t *b,
		 size_t blen);
void wire_fork(struct mpx_out *o, const uint8_t *a, size_t alen, const uint8_t *b,
	       size_t blen);
void wire_invite(struct mpx_out *o, const uint8_t secret[32], const char *name);
void wire_welcome(struct mpx_out *o);
void wire_bye(struct mpx_out *o, const char *reason);

/* ---- proto/wire_have.c (replication version 2) ---- */
/* Items (notes + grafts + prunes) in one "have": fits a frame. */
#define WIRE_HAVE_MAX 1024
/* A "have": lists may be empty (then left out); together at most
 * WIRE_HAVE_MAX items. */
void wire_have(struct mpx_out *o, const struct wire_clock_item *notes, size_t n_notes,
	       const struct wire_clock_item *grafts, size_t n_grafts,
	       const uint8_t *const *prunes, size_t n_prunes);
/* Inside wire_msg_parse: read the value of key k if it is a field of
 * "have" (*rc: 0 or PAKT_EPROTO with why); false when it is not one. */
struct canon_rd;
bool wire_have_field(struct canon_rd *r, const char *k, uint32_t klen, struct wire_msg *m,
		     struct wire_scratch *s, int *rc, char *why, size_t whylen);

/* Invite codes: "pi_" + base32 of canonical msgpack
 * [version, network bin32, inviter bin32, [addr str...], secret bin32,
 *  expires uint ms] + 4-byte checksum. One line, no spaces. */
#define INVITE_ADDRS_MAX 4
#define INVITE_ADDR_MAX 255
#define INVITE_TEXT_MAX 1024
struct invite {
	uint8_t network[32];
	uint8_t inviter[32];
	char addrs[INVITE_ADDRS_MAX][INVITE_ADDR_MAX + 1];
	size_t n_addrs;
	uint8_t secret[32];
	uint64_t expires_ms;
};
int wire_invite_encode(const struct invite *inv, char out[INVITE_TEXT_MAX]);
/* The code in text as an e-mail client may have wrapped it: spaces, tabs,
 * line breaks, '<' and '>' dropped into out[INVITE_TEXT_MAX + 1].
 * PAKT_EIDLEN if what is left is longer than INVITE_TEXT_MAX, else 0. */
int wire_invite_clean(const char *text, char out[INVITE_TEXT_MAX + 1]);
/* Decode a code (cleaned as wire_invite_clean does first).
 * PAKT_EIDPREFIX, PAKT_EIDLEN, PAKT_EIDCHAR, PAKT_EIDCHECKSUM,
 * PAKT_EFORMAT, or 0. */
int wire_invite_decode(const char *text, struct invite *inv);

#endif
