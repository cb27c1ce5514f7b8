/* Shared by the fuzz targets (tests/fuzz/fuzz_*.c) and the seed generator
 * (tests/fuzz/gen_corpus.c): fixed keys, so that the seeds the generator
 * writes are valid for the state each target builds (a seed handshake
 * message decrypts, a seed sealed body opens). Not for production use. */
#ifndef PAKT_FUZZ_H
#define PAKT_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "keys/keys.h"
#include "proto/noise.h"
#include "proto/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_handshake: the first byte of an input picks what the input is. */
enum fuzz_hs_mode {
	FUZZ_HS_MSG0 = 0,   /* responder reads message 0 (-> e) */
	FUZZ_HS_MSG1 = 1,   /* initiator reads message 1 (<- e, ee, s, es) */
	FUZZ_HS_MSG2 = 2,   /* responder reads message 2 (-> s, se [, psk]) */
};
#define FUZZ_HS_PSK 0x80    /* flag: the XXpsk3 variant */

struct fuzz_keys {
	struct keys_identity ini, resp;      /* Ed25519 identities */
	uint8_t ini_x[32], resp_x[32];       /* their X25519 secrets */
	uint8_t ini_e[32], resp_e[32];       /* fixed ephemerals */
	uint8_t network[32];
	uint8_t prologue[38];
	size_t prologue_len;
	uint8_t psk[32];
	uint8_t seal_pk[32], seal_sk[32];    /* X25519 pair sealed bodies go to */
};

/* Fill k from fixed seeds (sodium_init first). Aborts on failure: a
 * harness that cannot set up must not report "no crash". */
static inline void fuzz_keys_init(struct fuzz_keys *k)
{
	uint8_t seed[32], pk[32];

	if (sodium_init() < 0)
		abort();
	memset(seed, 0xa1, sizeof seed);
	if (keys_from_seed(&k->ini, seed) != 0)
		abort();
	memset(seed, 0xb2, sizeof seed);
	if (keys_from_seed(&k->resp, seed) != 0)
		abort();
	if (keys_to_x25519(&k->ini, pk, k->ini_x) != 0 ||
	    keys_to_x25519(&k->resp, pk, k->resp_x) != 0)
		abort();
	memset(k->ini_e, 0xc3, sizeof k->ini_e);
	memset(k->resp_e, 0xd4, sizeof k->resp_e);
	memset(k->network, 0x5e, sizeof k->network);
	k->prologue_len = wire_prologue(k->network, k->prologue);
	memset(k->psk, 0x77, sizeof k->psk);
	memset(seed, 0xe5, sizeof seed);
	crypto_box_seed_keypair(k->seal_pk, k->seal_sk, seed);
}

/* Start the handshake state of one side with the fixed keys. */
static inline int fuzz_hs_init(const struct fuzz_keys *k, struct noise_hs *hs,
			       bool initiator, bool psk)
{
	return noise_hs_init(hs, initiator, k->prologue, k->prologue_len,
			     initiator ? k->ini_x : k->resp_x,
			     initiator ? k->ini_e : k->resp_e, psk ? k->psk : NULL);
}

/* The hello payload a side sends, as paktd's handshake_write does:
 * none in message 0, {"ed": key, "v": 1} after. */
static inline int fuzz_hs_write(const struct fuzz_keys *k, struct noise_hs *hs,
				bool initiator, uint8_t *out, size_t cap, size_t *len)
{
	struct mpx_out hello;
	int rc;

	if (initiator && hs->step == NOISE_STEP_MSG0)
		return noise_hs_write(hs, NULL, 0, out, cap, len);
	mpx_init(&hello);
	wire_hello(&hello, initiator ? k->ini.pk : k->resp.pk);
	rc = noise_hs_write(hs, (const uint8_t *)hello.sb.data, hello.sb.size, out, cap, len);
	mpx_free(&hello);
	return rc;
}

/* The body types fuzz_body chooses from with an input's first byte. */
static const char *const fuzz_body_types[] = {
	"message", "genesis", "member", "agenda", "update", "commitment",
	"accept", "decline", "redact", "status", "profile", "checkpoint",
	"sealed", "succession", "revoke", "other",
};
#define FUZZ_BODY_TYPES (sizeof fuzz_body_types / sizeof fuzz_body_types[0])

#endif
