/* Identities: an organisation's Ed25519 key pair, with the secret kept in
 * libsodium guarded memory (sodium_malloc, no-access except while used). */
#ifndef PAKT_KEYS_H
#define PAKT_KEYS_H

#include <stdint.h>
#include "proto/entry.h"

struct keys_identity {
	uint8_t pk[PAKT_KEY_LEN];
	uint8_t *sk;   /* PAKT_SK_LEN bytes, sodium_malloc'd; NULL when empty */
};

/* Call once before any other pakt function (sodium_init). 0 or PAKT_ENOMEM. */
int keys_global_init(void);

/* New random identity. Free with keys_free(). */
int keys_generate(struct keys_identity *id);
/* Deterministic identity from a 32-byte seed (tests, vectors). */
int keys_from_seed(struct keys_identity *id, const uint8_t seed[32]);
/* Wipe and free the secret; safe on a zeroed or freed identity. */
void keys_free(struct keys_identity *id);

/* Make the secret readable for a signing operation and back to no-access:
 * every use of id->sk is between these two calls. */
const uint8_t *keys_sk_open(const struct keys_identity *id);
void keys_sk_close(const struct keys_identity *id);

/* X25519 form of the identity (for Noise): pk, and the secret into a
 * 32-byte buffer the caller owns (wipe it after use). */
int keys_to_x25519(const struct keys_identity *id, uint8_t x_pk[32],
		   uint8_t x_sk[32]);
int keys_pk_to_x25519(const uint8_t ed_pk[32], uint8_t x_pk[32]);

#endif
