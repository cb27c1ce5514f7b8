/* Key succession proofs (see keyroll.h). */
#include <string.h>
#include <sodium.h>
#include "proto/keyroll.h"

#define KEYROLL_LABEL "pakt-succession-v1"

static void statement(uint8_t out[sizeof KEYROLL_LABEL - 1 + 96], const uint8_t network[32],
		      const uint8_t old_key[32], const uint8_t new_key[32])
{
	size_t l = sizeof KEYROLL_LABEL - 1;

	memcpy(out, KEYROLL_LABEL, l);
	memcpy(out + l, network, 32);
	memcpy(out + l + 32, old_key, 32);
	memcpy(out + l + 64, new_key, 32);
}

void keyroll_prove(uint8_t proof[64], const uint8_t network[32], const uint8_t old_key[32],
		   const uint8_t new_key[32], const uint8_t *new_sk)
{
	uint8_t m[sizeof KEYROLL_LABEL - 1 + 96];

	statement(m, network, old_key, new_key);
	crypto_sign_detached(proof, NULL, m, sizeof m, new_sk);
}

bool keyroll_proof_ok(const uint8_t proof[64], const uint8_t network[32],
		      const uint8_t old_key[32], const uint8_t new_key[32])
{
	uint8_t m[sizeof KEYROLL_LABEL - 1 + 96];

	statement(m, network, old_key, new_key);
	return crypto_sign_verify_detached(proof, m, sizeof m, new_key) == 0;
}
