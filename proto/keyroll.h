/* Key succession: the proof that lets a member hand its place to a new key
 * (rules in proto/PROTOCOL.md, "Keys"; bodies in proto/body.h).
 *
 * A succession entry sits in the feed of the key being retired: its entry
 * signature is the old key's word. Its proof is the new key's signature
 * over "pakt-succession-v1" || network || old key || new key, so nobody
 * can name a successor without holding it, and a proof is bound to one
 * initiative and one old key. */
#ifndef PAKT_KEYROLL_H
#define PAKT_KEYROLL_H

#include <stdbool.h>
#include <stdint.h>

/* The new key's proof; new_sk: its 64-byte Ed25519 secret. */
void keyroll_prove(uint8_t proof[64], const uint8_t network[32], const uint8_t old_key[32],
		   const uint8_t new_key[32], const uint8_t *new_sk);
/* Whether proof is new_key's signature for (network, old_key). */
bool keyroll_proof_ok(const uint8_t proof[64], const uint8_t network[32],
		      const uint8_t old_key[32], const uint8_t new_key[32]);

#endif
