/* Text ids: kind prefix + base32 of raw bytes and a 4-byte checksum. */
#include "proto/id.h"

#include <string.h>
#include <sodium.h>

#include "proto/err.h"

#define ID_PREFIX_LEN 3
#define ID_RAW_LEN 32
#define ID_SUM_LEN 4
#define ID_B32_LEN 58   /* ceil(36 * 8 / 5) */

static const char b32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

const char *id_prefix(enum id_kind kind)
{
	switch (kind) {
	case ID_KEY: return "pk_";
	case ID_ENTRY: return "en_";
	case ID_NETWORK: return "nw_";
	}
	return "??_";
}

/* First 4 bytes of BLAKE2b-256(prefix || raw). libsodium's generichash
 * neither makes outputs under 16 bytes nor takes keys under 16 bytes, so
 * the prefix is hashed in rather than used as a key. Binding the prefix
 * means a key id pasted where an entry id is expected fails the checksum
 * even if someone edits the prefix. */
static void id_checksum(const char *prefix, const uint8_t raw[ID_RAW_LEN],
			uint8_t out[ID_SUM_LEN])
{
	crypto_generichash_state st;
	uint8_t h[32];

	crypto_generichash_init(&st, NULL, 0, sizeof h);
	crypto_generichash_update(&st, (const uint8_t *)prefix, ID_PREFIX_LEN);
	crypto_generichash_update(&st, raw, ID_RAW_LEN);
	crypto_generichash_final(&st, h, sizeof h);
	memcpy(out, h, ID_SUM_LEN);
}

size_t id_b32_encode(const uint8_t *data, size_t len, char *out)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8) | data[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32_alphabet[(acc >> bits) & 31];
		}
	}
	if (bits > 0) /* the last bits, padded with zero bits */
		out[o++] = b32_alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	return o;
}

void id_encode(enum id_kind kind, const uint8_t raw[32], char out[ID_TEXT_MAX])
{
	uint8_t data[ID_RAW_LEN + ID_SUM_LEN];
	const char *prefix = id_prefix(kind);

	memcpy(data, raw, ID_RAW_LEN);
	id_checksum(prefix, raw, data + ID_RAW_LEN);
	memcpy(out, prefix, ID_PREFIX_LEN);
	id_b32_encode(data, sizeof data, out + ID_PREFIX_LEN);
}

static int b32_value(char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

int id_b32_decode(const char *text, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int v = b32_value(text[i]);
		if (v < 0)
			return PAKT_EIDCHAR;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o == cap)
				return PAKT_EIDLEN;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	/* the spare bits must be 0, else two spellings would decode alike */
	if ((acc & ((1u << bits) - 1)) != 0)
		return PAKT_EIDCHECKSUM;
	*out_len = o;
	return 0;
}

int id_decode(enum id_kind kind, const char *text, uint8_t raw[32])
{
	uint8_t data[ID_RAW_LEN + ID_SUM_LEN];
	uint8_t sum[ID_SUM_LEN];
	const char *prefix = id_prefix(kind);
	size_t n;
	int rc;

	if (text == NULL)
		return PAKT_EIDLEN;
	/* the prefix first: "that is an entry id, not a key" is the most
	 * useful thing to say about a pasted id of another kind */
	for (size_t i = 0; i < ID_PREFIX_LEN; i++) {
		char c = text[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != prefix[i])
			return text[i] == '\0' ? PAKT_EIDLEN : PAKT_EIDPREFIX;
	}
	if (strlen(text) != ID_TEXT_LEN)
		return PAKT_EIDLEN;
	rc = id_b32_decode(text + ID_PREFIX_LEN, ID_TEXT_LEN - ID_PREFIX_LEN, data,
			   sizeof data, &n);
	if (rc != 0)
		return rc;
	id_checksum(prefix, data, sum);
	if (sodium_memcmp(sum, data + ID_RAW_LEN, ID_SUM_LEN) != 0)
		return PAKT_EIDCHECKSUM;
	memcpy(raw, data, ID_RAW_LEN);
	return 0;
}

void id_short(enum id_kind kind, const uint8_t raw[32], char out[16])
{
	char full[ID_TEXT_MAX];

	id_encode(kind, raw, full);
	memcpy(out, full, ID_PREFIX_LEN + 8);
	out[ID_PREFIX_LEN + 8] = '\0';
}
