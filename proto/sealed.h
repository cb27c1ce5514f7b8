/* Sealed bodies: a message encrypted to some members (proto/PROTOCOL.md,
 * "sealed"). */
#ifndef PAKT_SEALED_H
#define PAKT_SEALED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/body.h"
#include "proto/mpx.h"

/* The other recipients a sealed message names inside (PROTOCOL.md,
 * "sealed": the inner map's `to`), as members' Ed25519 keys: what a reply
 * is sealed to. */
struct sealed_to {
	uint8_t keys[BODY_BOXES_MAX - 1][32];
	size_t n;
};

/* sealed: text (and reply_to, may be NULL) encrypted to recipients, given
 * as X25519 public keys (include the author's own to read it back), for
 * the entry of author (Ed25519 key) in network: the ciphertext is bound to
 * both. Appends the envelope map to o. 0, PAKT_EINVAL, PAKT_ETOOBIG,
 * PAKT_EUTF8, PAKT_ENOMEM. */
int sealed_seal(struct mpx_out *o, const uint8_t network[32],
		const uint8_t author[32], const char *text,
		const uint8_t *reply_to, const uint8_t (*recipients)[32], size_t n);
/* As sealed_seal, naming to (may be NULL or empty; at most 31 keys)
 * inside the ciphertext. */
int sealed_seal_to(struct mpx_out *o, const uint8_t network[32],
		   const uint8_t author[32], const char *text,
		   const uint8_t *reply_to, const uint8_t (*recipients)[32], size_t n,
		   const struct sealed_to *to);
/* Open the body of author's entry in network with our X25519 key pair: 0
 * and text[cap] (NUL-terminated), reply_to/has_reply; PAKT_ENOTFOUND if
 * not addressed to us; PAKT_EBODY if malformed or sealed for another
 * author or network (a copy); PAKT_EVERSION if sealed before the binding
 * existed (its author cannot be told: not shown); PAKT_ETOOBIG if the
 * text does not fit. text is "" on any failure. */
int sealed_open(const uint8_t *b, size_t len, const uint8_t network[32],
		const uint8_t author[32], const uint8_t x_pk[32],
		const uint8_t x_sk[32], char *text, size_t cap,
		uint8_t reply_to[32], bool *has_reply);
/* As sealed_open, and the recipients it names into *to (may be NULL;
 * to->n = 0 when it names none). */
int sealed_open_to(const uint8_t *b, size_t len, const uint8_t network[32],
		   const uint8_t author[32], const uint8_t x_pk[32],
		   const uint8_t x_sk[32], char *text, size_t cap,
		   uint8_t reply_to[32], bool *has_reply, struct sealed_to *to);

/* The envelope's schema, for body_validate (proto/body_priv.h). */
struct body_schema;
extern const struct body_schema sealed_schema;

#endif
