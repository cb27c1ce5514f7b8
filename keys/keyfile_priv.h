/* Internals of the key file modules: keyfile.c (files, Argon2id, the
 * secret) and keyfile_map.c (the two-line text and its msgpack map). Not
 * for use outside keys/. */
#ifndef PAKT_KEYFILE_PRIV_H
#define PAKT_KEYFILE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sodium.h>

#include "keys/keyfile.h"
#include "proto/id.h"

#define KEYFILE_MAX 4096            /* bytes of a whole file, checked before parsing */
#define KEYFILE_MSG_MAX 256         /* bytes of the decoded msgpack map */
#define KEYFILE_COMMENT "# pakt secret key"
#define KEYFILE_SEED_LEN 32
#define KEYFILE_BOX_LEN (KEYFILE_SEED_LEN + crypto_secretbox_MACBYTES)
#define KEYFILE_SALT_LEN crypto_pwhash_SALTBYTES
#define KEYFILE_NONCE_LEN crypto_secretbox_NONCEBYTES
#define KEYFILE_SUM_LEN 16          /* BLAKE2b-128: libsodium's shortest output */
#define KEYFILE_FIELDS 9
/* What a file may ask of us: a hostile file must not make us allocate or
 * spin without bound. Writing is clamped to the same range. */
#define KEYFILE_OPS_MAX 32ULL
#define KEYFILE_MEM_MAX (1ULL << 30)


enum keyfile_kdf { KEYFILE_KDF_NONE, KEYFILE_KDF_ARGON2ID13 };

/* The decoded map. Lives in sodium_malloc'd scratch: seed may be plain. */
struct keyfile_fields {
	uint64_t v;
	enum keyfile_kdf kdf;
	uint64_t ops;
	uint64_t mem;
	uint8_t salt[KEYFILE_SALT_LEN];
	uint8_t nonce[KEYFILE_NONCE_LEN];
	uint8_t seed[KEYFILE_BOX_LEN];
	size_t seed_len;                /* KEYFILE_SEED_LEN or KEYFILE_BOX_LEN */
	uint8_t pk[PAKT_KEY_LEN];
	uint8_t sum[KEYFILE_SUM_LEN];
};

/* Every buffer that may hold secret bytes, in one guarded allocation that
 * is wiped on release (sodium_free zeroes it; we also memzero explicitly). */
struct keyfile_scratch {
	struct keyfile_fields f;
	uint8_t plain[KEYFILE_SEED_LEN];        /* decrypted / copied seed */
	uint8_t key[crypto_secretbox_KEYBYTES]; /* Argon2id output */
	uint8_t msg[KEYFILE_MSG_MAX];           /* msgpack of the map */
	size_t msg_len;
	uint8_t enc[KEYFILE_MSG_MAX];           /* re-encoding, for comparison */
	size_t enc_len;
	char text[KEYFILE_MAX + 2];             /* whole file */
	size_t text_len;
};

/* Write the reason (printf format) to why[whylen] when why is not NULL. */
void keyfile_why(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Canonical msgpack of f (keys in bytewise order, smallest int and length
 * forms) into out[cap]; without "sum" when !with_sum. Returns the length,
 * or 0 if it did not fit (cannot happen: every field is bounded). */
size_t keyfile_encode(const struct keyfile_fields *f, bool with_sum,
		      uint8_t *out, size_t cap);
/* BLAKE2b-128 of the map without "sum" into out; tmp[tmpcap] is scratch,
 * wiped after use. */
void keyfile_checksum(const struct keyfile_fields *f,
		      uint8_t out[KEYFILE_SUM_LEN], uint8_t *tmp, size_t tmpcap);
/* Split s->text into its two lines and base64-decode line 2 into s->msg:
 * 0 or PAKT_EFORMAT with why (path names the file in reasons). */
int keyfile_parse_text(struct keyfile_scratch *s, const char *path, char *why,
		       size_t whylen);
/* Decode s->msg into s->f: checksum, version, then every field, canonical
 * form and the kdf parameters' range (keys/KEYFILE.md, "Reading", 3-6).
 * 0, PAKT_EFORMAT, PAKT_EVERSION or PAKT_ENOMEM with why. */
int keyfile_decode_map(struct keyfile_scratch *s, const char *path, char *why,
		       size_t whylen);

#endif
