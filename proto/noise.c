/* Noise XX / XXpsk3 with X25519, ChaCha20-Poly1305 and BLAKE2b (Noise spec rev 34). */
#include "proto/noise.h"

#include <string.h>
#include <sodium.h>

#include "proto/err.h"

#define NOISE_BLOCK_LEN 128   /* BLAKE2b block size, for HMAC */
#define NOISE_DH_LEN 32

static const char noise_name_xx[] = "Noise_XX_25519_ChaChaPoly_BLAKE2b";
static const char noise_name_xxpsk3[] = "Noise_XXpsk3_25519_ChaChaPoly_BLAKE2b";

/* ---- hash, HMAC, HKDF ---- */

/* HMAC-BLAKE2b (RFC 2104) with a HASHLEN key, over a || b. */
static void noise_hmac(uint8_t out[NOISE_HASH_LEN], const uint8_t key[NOISE_HASH_LEN],
		       const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	crypto_generichash_blake2b_state st;
	uint8_t pad[NOISE_BLOCK_LEN];
	uint8_t inner[NOISE_HASH_LEN];

	memset(pad, 0x36, sizeof pad);
	for (size_t i = 0; i < NOISE_HASH_LEN; i++)
		pad[i] ^= key[i];
	crypto_generichash_blake2b_init(&st, NULL, 0, NOISE_HASH_LEN);
	crypto_generichash_blake2b_update(&st, pad, sizeof pad);
	crypto_generichash_blake2b_update(&st, a, a_len);
	crypto_generichash_blake2b_update(&st, b, b_len);
	crypto_generichash_blake2b_final(&st, inner, sizeof inner);

	memset(pad, 0x5c, sizeof pad);
	for (size_t i = 0; i < NOISE_HASH_LEN; i++)
		pad[i] ^= key[i];
	crypto_generichash_blake2b_init(&st, NULL, 0, NOISE_HASH_LEN);
	crypto_generichash_blake2b_update(&st, pad, sizeof pad);
	crypto_generichash_blake2b_update(&st, inner, sizeof inner);
	crypto_generichash_blake2b_final(&st, out, NOISE_HASH_LEN);

	sodium_memzero(&st, sizeof st);
	sodium_memzero(pad, sizeof pad);
	sodium_memzero(inner, sizeof inner);
}

/* HKDF as Noise defines it: two outputs, or three if o3 is not NULL.
 * o1 may be ck itself (the new chaining key): ck is only read before. */
static void noise_hkdf(const uint8_t ck[NOISE_HASH_LEN], const uint8_t *ikm, size_t ikm_len,
		       uint8_t o1[NOISE_HASH_LEN], uint8_t o2[NOISE_HASH_LEN], uint8_t *o3)
{
	uint8_t tk[NOISE_HASH_LEN];
	uint8_t ctr;

	noise_hmac(tk, ck, ikm, ikm_len, NULL, 0);
	ctr = 1;
	noise_hmac(o1, tk, &ctr, 1, NULL, 0);
	ctr = 2;
	noise_hmac(o2, tk, o1, NOISE_HASH_LEN, &ctr, 1);
	if (o3 != NULL) {
		ctr = 3;
		noise_hmac(o3, tk, o2, NOISE_HASH_LEN, &ctr, 1);
	}
	sodium_memzero(tk, sizeof tk);
}

/* ---- CipherState ---- */

/* Key from the first 32 bytes of an HKDF output (Noise truncates). */
static void noise_cipher_set(struct noise_cipher *c, const uint8_t *key)
{
	memcpy(c->k, key, NOISE_KEY_LEN);
	c->n = 0;
	c->has_key = true;
}

/* 96-bit IETF nonce: 32 zero bits, then the counter little-endian. */
static void noise_nonce(uint8_t nonce[12], uint64_t n)
{
	memset(nonce, 0, 4);
	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(n >> (8 * i));
}

/* EncryptWithAd: out[len + 16]. The last nonce is reserved by Noise. */
static int noise_seal(struct noise_cipher *c, const uint8_t *ad, size_t ad_len,
		      const uint8_t *pt, size_t len, uint8_t *out)
{
	uint8_t nonce[12];

	if (c->n == UINT64_MAX)
		return PAKT_ENONCE;
	noise_nonce(nonce, c->n);
	crypto_aead_chacha20poly1305_ietf_encrypt(out, NULL, pt, len, ad, ad_len,
						  NULL, nonce, c->k);
	c->n++;
	return 0;
}

/* DecryptWithAd: ct[len >= 16] into out[len - 16]; on failure the nonce
 * stays, so that a forged message cannot desynchronise the stream. */
static int noise_open(struct noise_cipher *c, const uint8_t *ad, size_t ad_len,
		      const uint8_t *ct, size_t len, uint8_t *out)
{
	uint8_t nonce[12];

	if (len < NOISE_TAG_LEN)
		return PAKT_EDECRYPT;
	if (c->n == UINT64_MAX)
		return PAKT_ENONCE;
	noise_nonce(nonce, c->n);
	if (crypto_aead_chacha20poly1305_ietf_decrypt(out, NULL, NULL, ct, len, ad, ad_len,
						      nonce, c->k) != 0)
		return PAKT_EDECRYPT;
	c->n++;
	return 0;
}

/* ---- SymmetricState ---- */

static void noise_mix_hash(struct noise_hs *hs, const uint8_t *data, size_t len)
{
	crypto_generichash_blake2b_state st;

	crypto_generichash_blake2b_init(&st, NULL, 0, NOISE_HASH_LEN);
	crypto_generichash_blake2b_update(&st, hs->h, sizeof hs->h);
	crypto_generichash_blake2b_update(&st, data, len);
	crypto_generichash_blake2b_final(&st, hs->h, sizeof hs->h);
}

static void noise_mix_key(struct noise_hs *hs, const uint8_t *ikm, size_t len)
{
	uint8_t tk[NOISE_HASH_LEN];

	noise_hkdf(hs->ck, ikm, len, hs->ck, tk, NULL);
	noise_cipher_set(&hs->c, tk);
	sodium_memzero(tk, sizeof tk);
}

static void noise_mix_key_and_hash(struct noise_hs *hs, const uint8_t *ikm, size_t len)
{
	uint8_t th[NOISE_HASH_LEN], tk[NOISE_HASH_LEN];

	noise_hkdf(hs->ck, ikm, len, hs->ck, th, tk);
	noise_mix_hash(hs, th, sizeof th);
	noise_cipher_set(&hs->c, tk);
	sodium_memzero(th, sizeof th);
	sodium_memzero(tk, sizeof tk);
}

/* Bytes EncryptAndHash adds: a tag once a key is set (message 0 of plain XX
 * has none, so its payload travels in clear). */
static size_t noise_tag_len(const struct noise_hs *hs)
{
	return hs->c.has_key ? NOISE_TAG_LEN : 0;
}

/* out[len + tag] = EncryptWithAd(h, pt), then h absorbs what was sent. */
static int noise_encrypt_and_hash(struct noise_hs *hs, const uint8_t *pt, size_t len,
				  uint8_t *out)
{
	size_t tag = noise_tag_len(hs);
	int rc;

	if (tag == 0) {
		if (len > 0)
			memmove(out, pt, len);
	} else if ((rc = noise_seal(&hs->c, hs->h, sizeof hs->h, pt, len, out)) != 0) {
		return rc;
	}
	noise_mix_hash(hs, out, len + tag);
	return 0;
}

/* ct[len] (len >= tag, checked by the caller) into out[len - tag]. */
static int noise_decrypt_and_hash(struct noise_hs *hs, const uint8_t *ct, size_t len,
				  uint8_t *out)
{
	int rc;

	if (noise_tag_len(hs) == 0) {
		if (len > 0)
			memmove(out, ct, len);
	} else if ((rc = noise_open(&hs->c, hs->h, sizeof hs->h, ct, len, out)) != 0) {
		return rc;
	}
	noise_mix_hash(hs, ct, len);
	return 0;
}

/* MixKey(DH(sk, pk)). libsodium refuses a low-order peer key (all-zero
 * output); Noise would allow it, but no honest peer sends one. */
static int noise_mix_dh(struct noise_hs *hs, const uint8_t sk[32], const uint8_t pk[32])
{
	uint8_t dh[NOISE_DH_LEN];

	if (crypto_scalarmult(dh, sk, pk) != 0) {
		sodium_memzero(dh, sizeof dh);
		return PAKT_EHANDSHAKE;
	}
	noise_mix_key(hs, dh, sizeof dh);
	sodium_memzero(dh, sizeof dh);
	return 0;
}

/* ---- HandshakeState ---- */

void noise_hs_wipe(struct noise_hs *hs)
{
	if (hs != NULL)
		sodium_memzero(hs, sizeof *hs);   /* step 0 = dead */
}

int noise_hs_init(struct noise_hs *hs, bool initiator, const uint8_t *prologue,
		  size_t prologue_len, const uint8_t s_sk[32],
		  const uint8_t *e_sk, const uint8_t *psk)
{
	const char *name;

	if (hs == NULL)
		return PAKT_EINVAL;
	noise_hs_wipe(hs);
	if (s_sk == NULL || (prologue == NULL && prologue_len > 0))
		return PAKT_EINVAL;

	hs->initiator = initiator;
	memcpy(hs->s_sk, s_sk, 32);
	if (e_sk != NULL)
		memcpy(hs->e_sk, e_sk, 32);
	else
		randombytes_buf(hs->e_sk, 32);
	if (crypto_scalarmult_base(hs->s_pk, hs->s_sk) != 0 ||
	    crypto_scalarmult_base(hs->e_pk, hs->e_sk) != 0) {
		noise_hs_wipe(hs);
		return PAKT_EINVAL;
	}
	if (psk != NULL) {
		memcpy(hs->psk, psk, 32);
		hs->has_psk = true;
	}

	/* Both names are shorter than HASHLEN: h is the name zero-padded. */
	name = hs->has_psk ? noise_name_xxpsk3 : noise_name_xx;
	memcpy(hs->h, name, strlen(name));
	memcpy(hs->ck, hs->h, sizeof hs->ck);
	noise_mix_hash(hs, prologue, prologue_len);
	hs->step = NOISE_STEP_MSG0;
	return 0;
}

/* Whether the next message is ours to write (writing) or to read. */
static bool noise_turn(const struct noise_hs *hs, bool writing)
{
	bool initiator_sends;

	if (hs->step < NOISE_STEP_MSG0 || hs->step > NOISE_STEP_MSG2)
		return false;
	initiator_sends = (hs->step - NOISE_STEP_MSG0) % 2 == 0;
	return (initiator_sends == hs->initiator) == writing;
}

/* Bytes before the payload: public keys, encrypted static keys. */
static size_t noise_fixed_len(const struct noise_hs *hs)
{
	switch (hs->step) {
	case NOISE_STEP_MSG0: return 32;
	case NOISE_STEP_MSG1: return 32 + 32 + NOISE_TAG_LEN;
	case NOISE_STEP_MSG2: return 32 + NOISE_TAG_LEN;
	}
	return 0;
}

/* Tag of the payload: the key state after this message's tokens. In XX only
 * message 0 can lack a key, and the psk modifier gives it one (e mixes the
 * key), so this is known before the tokens run. */
static size_t noise_payload_tag_len(const struct noise_hs *hs)
{
	if (hs->step == NOISE_STEP_MSG0 && !hs->has_psk)
		return 0;
	return NOISE_TAG_LEN;
}

/* The e token: send or receive an ephemeral; with a psk it also keys the
 * cipher, so that every later payload is encrypted. */
static void noise_token_e(struct noise_hs *hs, const uint8_t pub[32])
{
	noise_mix_hash(hs, pub, 32);
	if (hs->has_psk)
		noise_mix_key(hs, pub, 32);
}

/* es as the initiator sees it; the responder swaps the roles (se likewise). */
static int noise_token_es(struct noise_hs *hs)
{
	return hs->initiator ? noise_mix_dh(hs, hs->e_sk, hs->rs)
			     : noise_mix_dh(hs, hs->s_sk, hs->re);
}

static int noise_token_se(struct noise_hs *hs)
{
	return hs->initiator ? noise_mix_dh(hs, hs->s_sk, hs->re)
			     : noise_mix_dh(hs, hs->e_sk, hs->rs);
}

int noise_hs_write(struct noise_hs *hs, const uint8_t *payload, size_t payload_len,
		   uint8_t *out, size_t cap, size_t *out_len)
{
	size_t fixed, tag, off = 0;
	int rc;

	if (hs == NULL)
		return PAKT_EINVAL;
	if (out == NULL || out_len == NULL || (payload == NULL && payload_len > 0)) {
		rc = PAKT_EINVAL;
		goto wipe_handshake;
	}
	if (!noise_turn(hs, true)) {
		rc = PAKT_EHANDSHAKE;
		goto wipe_handshake;
	}
	fixed = noise_fixed_len(hs);
	tag = noise_payload_tag_len(hs);
	if (payload_len > NOISE_MSG_MAX - fixed - tag || fixed + tag + payload_len > cap) {
		rc = PAKT_ETOOBIG;
		goto wipe_handshake;
	}

	switch (hs->step) {
	case NOISE_STEP_MSG0:   /* -> e */
		memcpy(out, hs->e_pk, 32);
		noise_token_e(hs, hs->e_pk);
		off = 32;
		break;
	case NOISE_STEP_MSG1:   /* <- e, ee, s, es */
		memcpy(out, hs->e_pk, 32);
		noise_token_e(hs, hs->e_pk);
		off = 32;
		if ((rc = noise_mix_dh(hs, hs->e_sk, hs->re)) != 0 ||
		    (rc = noise_encrypt_and_hash(hs, hs->s_pk, 32, out + off)) != 0)
			goto wipe_handshake;
		off += 32 + NOISE_TAG_LEN;
		if ((rc = noise_token_es(hs)) != 0)
			goto wipe_handshake;
		break;
	case NOISE_STEP_MSG2:   /* -> s, se [, psk] */
		if ((rc = noise_encrypt_and_hash(hs, hs->s_pk, 32, out)) != 0)
			goto wipe_handshake;
		off = 32 + NOISE_TAG_LEN;
		if ((rc = noise_token_se(hs)) != 0)
			goto wipe_handshake;
		if (hs->has_psk)
			noise_mix_key_and_hash(hs, hs->psk, sizeof hs->psk);
		break;
	}
	if ((rc = noise_encrypt_and_hash(hs, payload, payload_len, out + off)) != 0)
		goto wipe_handshake;
	*out_len = off + payload_len + tag;
	hs->step++;
	return 0;

wipe_handshake:
	noise_hs_wipe(hs);
	return rc;
}

int noise_hs_read(struct noise_hs *hs, const uint8_t *msg, size_t len,
		  uint8_t *payload, size_t cap, size_t *payload_len)
{
	uint8_t none[1];
	size_t fixed, tag, plen, off = 0;
	int rc;

	if (hs == NULL)
		return PAKT_EINVAL;
	if ((msg == NULL && len > 0) || payload_len == NULL || (payload == NULL && cap > 0)) {
		rc = PAKT_EINVAL;
		goto wipe_handshake;
	}
	if (!noise_turn(hs, false)) {
		rc = PAKT_EHANDSHAKE;
		goto wipe_handshake;
	}
	if (len > NOISE_MSG_MAX) {
		rc = PAKT_ETOOBIG;
		goto wipe_handshake;
	}
	/* Every length is checked before a byte of msg is used. */
	fixed = noise_fixed_len(hs);
	tag = noise_payload_tag_len(hs);
	if (len < fixed + tag) {
		rc = PAKT_EHANDSHAKE;
		goto wipe_handshake;
	}
	plen = len - fixed - tag;
	if (plen > cap) {
		rc = PAKT_ETOOBIG;
		goto wipe_handshake;
	}
	if (payload == NULL)
		payload = none;   /* plen is 0: libsodium still wants a buffer */

	switch (hs->step) {
	case NOISE_STEP_MSG0:   /* -> e */
		memcpy(hs->re, msg, 32);
		noise_token_e(hs, hs->re);
		off = 32;
		break;
	case NOISE_STEP_MSG1:   /* <- e, ee, s, es */
		memcpy(hs->re, msg, 32);
		noise_token_e(hs, hs->re);
		off = 32;
		if ((rc = noise_mix_dh(hs, hs->e_sk, hs->re)) != 0 ||
		    (rc = noise_decrypt_and_hash(hs, msg + off, 32 + NOISE_TAG_LEN, hs->rs)) != 0)
			goto wipe_handshake;
		hs->has_rs = true;
		off += 32 + NOISE_TAG_LEN;
		if ((rc = noise_token_es(hs)) != 0)
			goto wipe_handshake;
		break;
	case NOISE_STEP_MSG2:   /* -> s, se [, psk] */
		if ((rc = noise_decrypt_and_hash(hs, msg, 32 + NOISE_TAG_LEN, hs->rs)) != 0)
			goto wipe_handshake;
		hs->has_rs = true;
		off = 32 + NOISE_TAG_LEN;
		if ((rc = noise_token_se(hs)) != 0)
			goto wipe_handshake;
		if (hs->has_psk)
			noise_mix_key_and_hash(hs, hs->psk, sizeof hs->psk);
		break;
	}
	if ((rc = noise_decrypt_and_hash(hs, msg + off, len - off, payload)) != 0)
		goto wipe_handshake;
	*payload_len = plen;
	hs->step++;
	return 0;

wipe_handshake:
	noise_hs_wipe(hs);
	return rc;
}

bool noise_hs_done(const struct noise_hs *hs)
{
	return hs != NULL && (hs->step == NOISE_STEP_DONE || hs->step == NOISE_STEP_SPLIT);
}

const uint8_t *noise_hs_remote_static(const struct noise_hs *hs)
{
	if (hs == NULL || hs->step == NOISE_STEP_DEAD || !hs->has_rs)
		return NULL;
	return hs->rs;
}

int noise_hs_split(struct noise_hs *hs, struct noise_cipher *send,
		   struct noise_cipher *recv, uint8_t hash[NOISE_HASH_LEN])
{
	uint8_t k1[NOISE_HASH_LEN], k2[NOISE_HASH_LEN];
	uint8_t rs[32];
	bool initiator;

	if (hs == NULL)
		return PAKT_EINVAL;
	if (send == NULL || recv == NULL || hs->step != NOISE_STEP_DONE) {
		noise_hs_wipe(hs);
		return send == NULL || recv == NULL ? PAKT_EINVAL : PAKT_EHANDSHAKE;
	}
	noise_hkdf(hs->ck, NULL, 0, k1, k2, NULL);
	noise_cipher_wipe(send);
	noise_cipher_wipe(recv);
	noise_cipher_set(hs->initiator ? send : recv, k1);
	noise_cipher_set(hs->initiator ? recv : send, k2);
	if (hash != NULL)
		memcpy(hash, hs->h, NOISE_HASH_LEN);
	sodium_memzero(k1, sizeof k1);
	sodium_memzero(k2, sizeof k2);

	/* Keep only what identifies the peer. */
	memcpy(rs, hs->rs, sizeof rs);
	initiator = hs->initiator;
	noise_hs_wipe(hs);
	memcpy(hs->rs, rs, sizeof rs);
	hs->has_rs = true;
	hs->initiator = initiator;
	hs->step = NOISE_STEP_SPLIT;
	return 0;
}

/* ---- transport ---- */

int noise_encrypt(struct noise_cipher *c, const uint8_t *pt, size_t len, uint8_t *out)
{
	if (c == NULL || out == NULL || (pt == NULL && len > 0) || !c->has_key)
		return PAKT_EINVAL;
	if (len > NOISE_MSG_MAX - NOISE_TAG_LEN)
		return PAKT_ETOOBIG;
	return noise_seal(c, NULL, 0, pt, len, out);
}

int noise_decrypt(struct noise_cipher *c, const uint8_t *ct, size_t len, uint8_t *out)
{
	uint8_t none[1];

	if (c == NULL || ct == NULL || !c->has_key || (out == NULL && len > NOISE_TAG_LEN))
		return PAKT_EINVAL;
	if (len > NOISE_MSG_MAX)
		return PAKT_ETOOBIG;
	return noise_open(c, NULL, 0, ct, len, out != NULL ? out : none);
}

void noise_cipher_wipe(struct noise_cipher *c)
{
	if (c != NULL)
		sodium_memzero(c, sizeof *c);
}
