/* Noise_XX_25519_ChaChaPoly_BLAKE2b (and its XXpsk3 variant): the handshake
 * state machine and the two transport ciphers it yields, on libsodium only.
 * Fixed-size structs, no heap; every pointer argument is borrowed (keys are
 * copied in) and every secret is wiped by noise_hs_wipe/noise_cipher_wipe.
 * The caller must have called sodium_init(). */
#ifndef PAKT_NOISE_H
#define PAKT_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOISE_KEY_LEN 32
#define NOISE_HASH_LEN 64
#define NOISE_TAG_LEN 16
#define NOISE_MSG_MAX 65535

/* A CipherState: key and next nonce. n = UINT64_MAX is never used. */
struct noise_cipher {
	uint8_t k[NOISE_KEY_LEN];
	uint64_t n;
	bool has_key;
};

/* Where a handshake stands. A zeroed (wiped) struct is DEAD, so a state that
 * failed or was wiped refuses every call. */
enum noise_step {
	NOISE_STEP_DEAD = 0,
	NOISE_STEP_MSG0,    /* -> e            (initiator writes) */
	NOISE_STEP_MSG1,    /* <- e, ee, s, es (responder writes) */
	NOISE_STEP_MSG2,    /* -> s, se [, psk] (initiator writes) */
	NOISE_STEP_DONE,    /* ready for noise_hs_split */
	NOISE_STEP_SPLIT,   /* split done: only the remote static is kept */
};

/* HandshakeState + SymmetricState. Treat the fields as private. */
struct noise_hs {
	uint8_t step;                   /* enum noise_step */
	bool initiator;
	bool has_psk;
	bool has_rs;
	uint8_t ck[NOISE_HASH_LEN];     /* chaining key */
	uint8_t h[NOISE_HASH_LEN];      /* handshake hash */
	struct noise_cipher c;
	uint8_t s_sk[32], s_pk[32];     /* our static key pair */
	uint8_t e_sk[32], e_pk[32];     /* our ephemeral key pair */
	uint8_t rs[32], re[32];         /* the peer's static and ephemeral */
	uint8_t psk[32];
};

/* Start a handshake. prologue (prologue_len bytes, may be NULL if 0) is
 * mixed into h and must equal the peer's; s_sk is our static X25519 secret;
 * e_sk is a fixed ephemeral secret for tests, NULL for a random one; psk is
 * NULL for plain XX or 32 bytes for XXpsk3 (both sides must agree). Returns
 * 0 or PAKT_EINVAL. */
int noise_hs_init(struct noise_hs *hs, bool initiator, const uint8_t *prologue,
		  size_t prologue_len, const uint8_t s_sk[32],
		  const uint8_t *e_sk, const uint8_t *psk);

/* Write our next handshake message, carrying payload, into out[cap]; its
 * length goes to *out_len. out must not overlap payload. Errors:
 * PAKT_EHANDSHAKE (not our turn, or the state is dead), PAKT_ETOOBIG (the
 * message would exceed cap or NOISE_MSG_MAX), PAKT_EINVAL. Any error leaves
 * the state dead (wiped). */
int noise_hs_write(struct noise_hs *hs, const uint8_t *payload, size_t payload_len,
		   uint8_t *out, size_t cap, size_t *out_len);

/* Read the peer's next handshake message msg[len] and put its payload into
 * payload[cap] (NULL if cap is 0; must not overlap msg), its length into
 * *payload_len. Lengths are
 * checked before anything is decrypted. Errors: PAKT_EHANDSHAKE (not our
 * turn, dead state, message shorter than its fixed part, low-order key),
 * PAKT_EDECRYPT (authentication failed), PAKT_ETOOBIG (msg over
 * NOISE_MSG_MAX or payload over cap), PAKT_EINVAL. Any error leaves the
 * state dead (wiped). */
int noise_hs_read(struct noise_hs *hs, const uint8_t *msg, size_t len,
		  uint8_t *payload, size_t cap, size_t *payload_len);

/* True once all three messages are processed (also after the split). */
bool noise_hs_done(const struct noise_hs *hs);

/* The peer's static public key (borrowed from hs), or NULL until message 1
 * (initiator) or 2 (responder) has been read. Still valid after the split. */
const uint8_t *noise_hs_remote_static(const struct noise_hs *hs);

/* After done: the transport ciphers (the initiator sends with the first key,
 * the responder with the second) and the handshake hash (hash may be NULL).
 * Wipes every handshake secret; only the remote static is kept. Errors:
 * PAKT_EHANDSHAKE (not done: the state is then dead), PAKT_EINVAL. */
int noise_hs_split(struct noise_hs *hs, struct noise_cipher *send,
		   struct noise_cipher *recv, uint8_t hash[NOISE_HASH_LEN]);

/* Wipe everything; hs may be NULL. The state is dead afterwards. */
void noise_hs_wipe(struct noise_hs *hs);

/* Transport encryption with empty AD: out[len + 16] gets ciphertext || tag.
 * out may equal pt (in place) but must not otherwise overlap it. Errors:
 * PAKT_ENONCE (nonce 2^64-1 reached: close the session), PAKT_ETOOBIG
 * (len + 16 > NOISE_MSG_MAX), PAKT_EINVAL (no key). */
int noise_encrypt(struct noise_cipher *c, const uint8_t *pt, size_t len, uint8_t *out);

/* Transport decryption: out[len - 16] gets the plaintext; out may equal ct.
 * Errors: PAKT_EDECRYPT (shorter than a tag or not authentic; the nonce is
 * not advanced, out is zeroed), PAKT_ENONCE, PAKT_ETOOBIG (len >
 * NOISE_MSG_MAX), PAKT_EINVAL. */
int noise_decrypt(struct noise_cipher *c, const uint8_t *ct, size_t len, uint8_t *out);

/* Wipe a cipher; c may be NULL. */
void noise_cipher_wipe(struct noise_cipher *c);

#endif
