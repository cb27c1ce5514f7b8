/* Key files: a two-line text file (see keys/KEYFILE.md):
 *   # pakt secret key v1 <id>   (comment, informational)
 *   <base64 of a canonical msgpack map with version, kdf parameters,
 *    salt, nonce, the (possibly encrypted) seed, public key, checksum>
 * The seed is encrypted with XSalsa20-Poly1305 under an Argon2id key when
 * a passphrase is given. Files are created 0600 with O_EXCL; a key file
 * that group or others can read is refused. */
#ifndef PAKT_KEYFILE_H
#define PAKT_KEYFILE_H

#include <stdbool.h>
#include <stddef.h>
#include "keys/keys.h"

#define KEYFILE_VERSION 1

/* Write id to path (must not exist). passphrase NULL or "" = unencrypted.
 * On failure nothing is left at path. why[whylen] gets a human reason.
 * Returns 0, PAKT_EEXIST, PAKT_EIO, PAKT_ENOMEM. */
int keyfile_write(const char *path, const struct keys_identity *id,
		  const char *passphrase, char *why, size_t whylen);

/* Move a key file written with keyfile_write at staged over path, durably
 * (the directory too): 0 or PAKT_EIO with why. */
int keyfile_install(const char *staged, const char *path, char *why, size_t whylen);

/* Read path into *id (free with keys_free). passphrase may be NULL for an
 * unencrypted file. Returns 0, PAKT_ENOTFOUND, PAKT_EPERM (mode allows
 * group/other access: why says "chmod 600 PATH"), PAKT_EFORMAT (truncated,
 * bad base64/msgpack, bad checksum), PAKT_EVERSION, PAKT_ENEEDPASS,
 * PAKT_EPASS, PAKT_EIO. */
int keyfile_read(const char *path, const char *passphrase,
		 struct keys_identity *id, char *why, size_t whylen);

/* Whether the file at path holds an encrypted secret (reads only the
 * public part). 0 or the errors of keyfile_read. */
int keyfile_is_encrypted(const char *path, bool *encrypted, char *why,
			 size_t whylen);

/* The public key (and whether the secret is encrypted) without the
 * passphrase: every check of keyfile_read except decryption. pk and
 * encrypted may be NULL. */
int keyfile_read_public(const char *path, uint8_t pk[32], bool *encrypted,
			char *why, size_t whylen);

/* Argon2id cost used when writing (clamped to libsodium's minimums and
 * the read limits of keys/KEYFILE.md); tests may lower it. Without it, new
 * files get crypto_pwhash_OPSLIMIT_MODERATE / MEMLIMIT_MODERATE, or
 * libsodium's minimum when the environment has PAKT_TEST_WEAK_KDF=1 (for
 * test suites only). keyfile_reset_kdf_limits returns to that default. */
void keyfile_set_kdf_limits(unsigned long long opslimit, size_t memlimit);
void keyfile_reset_kdf_limits(void);

#endif
