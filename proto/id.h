/* Text ids: a prefix naming the kind, then lowercase base32 (RFC 4648
 * alphabet, no padding) of the 32 raw bytes followed by a 4-byte checksum
 * (the first 4 bytes of BLAKE2b-256(prefix || raw)), so that a mistyped or
 * truncated id is rejected, never taken for another key. */
#ifndef PAKT_ID_H
#define PAKT_ID_H

#include <stddef.h>
#include <stdint.h>

enum id_kind {
	ID_KEY,      /* an organisation's Ed25519 public key: "pk_..." */
	ID_ENTRY,    /* an entry hash: "en_..." */
	ID_NETWORK,  /* an initiative (hash of its genesis entry): "nw_..." */
};

/* prefix (3) + base32 of 36 bytes (58) + NUL */
#define ID_TEXT_LEN 61
#define ID_TEXT_MAX (ID_TEXT_LEN + 1)

/* Write the text form of raw into out (NUL-terminated). */
void id_encode(enum id_kind kind, const uint8_t raw[32], char out[ID_TEXT_MAX]);

/* Parse text (NUL-terminated, upper or lower case) into raw. Returns 0,
 * PAKT_EIDPREFIX, PAKT_EIDLEN, PAKT_EIDCHAR or PAKT_EIDCHECKSUM. */
int id_decode(enum id_kind kind, const char *text, uint8_t raw[32]);

/* The prefix of a kind, e.g. "pk_". */
const char *id_prefix(enum id_kind kind);

/* A short display form: prefix + the first 8 base32 characters. */
void id_short(enum id_kind kind, const uint8_t raw[32], char out[16]);

/* Lowercase base32 (RFC 4648 alphabet, no padding) of any bytes; out holds
 * (len * 8 + 4) / 5 + 1 chars. Returns the text length. */
size_t id_b32_encode(const uint8_t *data, size_t len, char *out);
/* Decode n base32 chars (either case) into out[cap]. PAKT_EIDCHAR,
 * PAKT_EIDLEN (more than cap bytes) or PAKT_EIDCHECKSUM (non-zero spare
 * bits). */
int id_b32_decode(const char *text, size_t n, uint8_t *out, size_t cap, size_t *out_len);

#endif
