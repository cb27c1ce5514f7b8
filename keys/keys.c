/* Identities: Ed25519 key pairs whose secret lives in guarded memory. */
#include <sodium.h>
#include <string.h>

#include "keys/keys.h"
#include "proto/err.h"

int keys_global_init(void)
{
	/* sodium_init() returns 1 when already initialised: not an error. */
	return sodium_init() < 0 ? PAKT_ENOMEM : 0;
}

/* Allocate the guarded secret; the caller fills it, then locks it. */
static int keys_alloc(struct keys_identity *id)
{
	id->sk = sodium_malloc(PAKT_SK_LEN);
	return id->sk == NULL ? PAKT_ENOMEM : 0;
}

int keys_generate(struct keys_identity *id)
{
	int rc = keys_alloc(id);

	if (rc != 0)
		return rc;
	crypto_sign_keypair(id->pk, id->sk);
	sodium_mprotect_noaccess(id->sk);
	return 0;
}

int keys_from_seed(struct keys_identity *id, const uint8_t seed[32])
{
	int rc = keys_alloc(id);

	if (rc != 0)
		return rc;
	crypto_sign_seed_keypair(id->pk, id->sk, seed);
	sodium_mprotect_noaccess(id->sk);
	return 0;
}

void keys_free(struct keys_identity *id)
{
	if (id == NULL)
		return;
	/* sodium_free() makes the region writable and wipes it itself. */
	sodium_free(id->sk);
	id->sk = NULL;
	sodium_memzero(id->pk, sizeof id->pk);
}

const uint8_t *keys_sk_open(const struct keys_identity *id)
{
	if (id == NULL || id->sk == NULL)
		return NULL;
	sodium_mprotect_readonly(id->sk);
	return id->sk;
}

void keys_sk_close(const struct keys_identity *id)
{
	if (id != NULL && id->sk != NULL)
		sodium_mprotect_noaccess(id->sk);
}

int keys_to_x25519(const struct keys_identity *id, uint8_t x_pk[32],
		   uint8_t x_sk[32])
{
	const uint8_t *sk;
	int rc;

	if (id == NULL || id->sk == NULL)
		return PAKT_EINVAL;
	rc = keys_pk_to_x25519(id->pk, x_pk);
	if (rc != 0)
		return rc;
	sk = keys_sk_open(id);
	/* Cannot fail: it hashes the seed half of sk and clamps. */
	crypto_sign_ed25519_sk_to_curve25519(x_sk, sk);
	keys_sk_close(id);
	return 0;
}

int keys_pk_to_x25519(const uint8_t ed_pk[32], uint8_t x_pk[32])
{
	/* Fails for points of small order or not on the curve. */
	if (crypto_sign_ed25519_pk_to_curve25519(x_pk, ed_pk) != 0)
		return PAKT_EINVAL;
	return 0;
}
