/* Key files: the text form (two lines) and its canonical msgpack map,
 * encoded and decoded with every check of keys/KEYFILE.md. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <msgpack.h>
#include <sodium.h>

#include "keys/keyfile_priv.h"
#include "proto/canon.h"
#include "proto/err.h"
#include "proto/mpx.h"

/* The map's keys in canonical (bytewise) order; indexes used below. */
static const char *const field_names[KEYFILE_FIELDS] = {
	"kdf", "mem", "nonce", "ops", "pk", "salt", "seed", "sum", "v"
};

static const char *const kdf_names[] = {
	[KEYFILE_KDF_NONE] = "none",
	[KEYFILE_KDF_ARGON2ID13] = "argon2id13",
};



__attribute__((format(printf, 3, 4)))
void keyfile_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}


/* ---- encoding ---- */

/* A bounded msgpack output that never reallocates (so no stray copies of
 * secret bytes are left in freed heap memory). */
struct bounded_out {
	uint8_t *p;
	size_t len;
	size_t cap;
	bool overflow;
};

static int bounded_write(void *data, const char *buf, size_t len)
{
	struct bounded_out *o = data;

	if (o->overflow || len > o->cap - o->len) {
		o->overflow = true;
		return -1;
	}
	memcpy(o->p + o->len, buf, len);
	o->len += len;
	return 0;
}

/* Pack a string (a key, or the kdf name). */
static void pack_key(msgpack_packer *pk, const char *key)
{
	size_t n = strlen(key);

	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, key, n);
}

static void pack_bin(msgpack_packer *pk, const uint8_t *p, size_t n)
{
	msgpack_pack_bin(pk, n);
	msgpack_pack_bin_body(pk, p, n);
}

/* Canonical msgpack of f (keys in bytewise order, smallest int and length
 * forms, as msgpack-c packs them) into out[cap]; without "sum" when
 * !with_sum. Returns the length, or 0 if it did not fit (cannot happen:
 * every field is bounded). */
size_t keyfile_encode(const struct keyfile_fields *f, bool with_sum,
		      uint8_t *out, size_t cap)
{
	struct bounded_out o = { out, 0, cap, false };
	msgpack_packer pk;

	msgpack_packer_init(&pk, &o, bounded_write);
	msgpack_pack_map(&pk, with_sum ? KEYFILE_FIELDS : KEYFILE_FIELDS - 1);
	pack_key(&pk, "kdf");
	pack_key(&pk, kdf_names[f->kdf]);
	pack_key(&pk, "mem");
	msgpack_pack_uint64(&pk, f->mem);
	pack_key(&pk, "nonce");
	pack_bin(&pk, f->nonce, sizeof f->nonce);
	pack_key(&pk, "ops");
	msgpack_pack_uint64(&pk, f->ops);
	pack_key(&pk, "pk");
	pack_bin(&pk, f->pk, sizeof f->pk);
	pack_key(&pk, "salt");
	pack_bin(&pk, f->salt, sizeof f->salt);
	pack_key(&pk, "seed");
	pack_bin(&pk, f->seed, f->seed_len);
	if (with_sum) {
		pack_key(&pk, "sum");
		pack_bin(&pk, f->sum, sizeof f->sum);
	}
	pack_key(&pk, "v");
	msgpack_pack_uint64(&pk, f->v);
	/* Writes only fail on overflow, which bounded_write remembers. */
	return o.overflow ? 0 : o.len;
}

/* BLAKE2b-128 of the map without "sum": catches corruption, not forgery. */
void keyfile_checksum(const struct keyfile_fields *f,
		      uint8_t out[KEYFILE_SUM_LEN], uint8_t *tmp,
		      size_t tmpcap)
{
	size_t n = keyfile_encode(f, false, tmp, tmpcap);

	crypto_generichash(out, KEYFILE_SUM_LEN, tmp, n, NULL, 0);
	sodium_memzero(tmp, tmpcap);
}


/* ---- decoding ---- */

/* Split the text into its two lines and base64-decode line 2 into s->msg. */
int keyfile_parse_text(struct keyfile_scratch *s, const char *path, char *why,
		       size_t whylen)
{
	const char *text = s->text, *line2, *nl, *end;
	size_t len = s->text_len, b64_len;

	if (memchr(text, '\0', len) != NULL) {
		keyfile_why(why, whylen, "%s: not a pakt key file (binary data)", path);
		return PAKT_EFORMAT;
	}
	if (len < sizeof KEYFILE_COMMENT - 1 ||
	    memcmp(text, KEYFILE_COMMENT, sizeof KEYFILE_COMMENT - 1) != 0) {
		keyfile_why(why, whylen, "%s: not a pakt key file (line 1 must start with \"%s\")",
			    path, KEYFILE_COMMENT);
		return PAKT_EFORMAT;
	}
	nl = memchr(text, '\n', len);
	if (nl == NULL) {
		keyfile_why(why, whylen, "%s: truncated (no key line)", path);
		return PAKT_EFORMAT;
	}
	line2 = nl + 1;
	end = text + len;
	nl = memchr(line2, '\n', (size_t)(end - line2));
	/* The final newline is optional; nothing may follow it. */
	if (nl != NULL && nl + 1 != end) {
		keyfile_why(why, whylen, "%s: unexpected text after line 2", path);
		return PAKT_EFORMAT;
	}
	b64_len = (size_t)((nl != NULL ? nl : end) - line2);
	if (b64_len == 0) {
		keyfile_why(why, whylen, "%s: truncated (empty key line)", path);
		return PAKT_EFORMAT;
	}
	if (sodium_base642bin(s->msg, sizeof s->msg, line2, b64_len, NULL,
			      &s->msg_len, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != line2 + b64_len) {
		keyfile_why(why, whylen, "%s: line 2 is not valid base64 (truncated or corrupted)",
			    path);
		return PAKT_EFORMAT;
	}
	return 0;
}


/* The value at r is the str s; r is not moved. */
static bool rd_is_str(const struct canon_rd *r, const char *s)
{
	struct canon_rd c = *r;
	const char *k;
	uint32_t len;

	return canon_rd_str(&c, &k, &len) == 0 && len == strlen(s) &&
	       memcmp(k, s, len) == 0;
}

/* Read a bin of exactly n bytes into out. */
static bool rd_bin_n(struct canon_rd *r, uint8_t *out, size_t n)
{
	const uint8_t *p;
	uint32_t len;

	if (canon_rd_bin(r, &p, &len) != 0 || len != n)
		return false;
	memcpy(out, p, n);
	return true;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	return sodium_is_zero(p, n) == 1;
}

/* Check one field's type and length and store it in f; r is at its
 * value, and moves past it. */
static int decode_field(struct keyfile_fields *f, int idx, struct canon_rd *r,
			const char *path, char *why, size_t whylen)
{
	const uint8_t *p;
	uint32_t len;
	bool ok = false;

	switch (idx) {
	case 0:
		if (rd_is_str(r, "none")) {
			f->kdf = KEYFILE_KDF_NONE;
			ok = true;
		} else if (rd_is_str(r, "argon2id13")) {
			f->kdf = KEYFILE_KDF_ARGON2ID13;
			ok = true;
		}
		ok = ok && canon_rd_skip(r) == 0;
		break;
	case 1:
		ok = canon_rd_uint(r, &f->mem) == 0;
		break;
	case 2:
		ok = rd_bin_n(r, f->nonce, sizeof f->nonce);
		break;
	case 3:
		ok = canon_rd_uint(r, &f->ops) == 0;
		break;
	case 4:
		ok = rd_bin_n(r, f->pk, sizeof f->pk);
		break;
	case 5:
		ok = rd_bin_n(r, f->salt, sizeof f->salt);
		break;
	case 6:
		if (canon_rd_bin(r, &p, &len) == 0 &&
		    (len == KEYFILE_SEED_LEN || len == KEYFILE_BOX_LEN)) {
			f->seed_len = len;
			memcpy(f->seed, p, len);
			ok = true;
		}
		break;
	case 7:
		ok = rd_bin_n(r, f->sum, sizeof f->sum);
		break;
	case 8:         /* read before the other fields */
		ok = canon_rd_skip(r) == 0;
		break;
	}
	if (!ok) {
		keyfile_why(why, whylen, "%s: field \"%s\" has the wrong type or length",
			    path, field_names[idx]);
		return PAKT_EFORMAT;
	}
	return 0;
}

/* The field index of the key at r, or -1. */
static int field_index(const struct canon_rd *r)
{
	int i;

	for (i = 0; i < KEYFILE_FIELDS; i++)
		if (rd_is_str(r, field_names[i]))
			return i;
	return -1;
}

/* The checksum first, before the version or any field: a damaged byte
 * anywhere (the version included) is reported as damage. It is defined on
 * any map, whatever its version: BLAKE2b-128 of the map's header for one
 * pair fewer (smallest form) followed by its other pairs' bytes, in their
 * order. r is just after the map's header, n its count. */
static int check_sum(struct canon_rd r, uint32_t n, struct keyfile_scratch *s,
		     const char *path, char *why, size_t whylen)
{
	const uint8_t *sum = NULL, *start;
	uint8_t h[KEYFILE_SUM_LEN];
	size_t len = 0;
	uint32_t i;
	int rc = 0;

	/* n >= 1 here and the map is at most KEYFILE_MSG_MAX bytes: n - 1
	 * fits a fixmap or map16 header */
	if (n - 1 <= 15) {
		s->enc[len++] = (uint8_t)(0x80 | (n - 1));
	} else {
		s->enc[len++] = 0xde;
		s->enc[len++] = (uint8_t)((n - 1) >> 8);
		s->enc[len++] = (uint8_t)(n - 1);
	}
	for (i = 0; i < n; i++) {
		bool is_sum = rd_is_str(&r, "sum");

		start = r.p;
		if (canon_rd_skip(&r) != 0) {
			rc = PAKT_EFORMAT;
			keyfile_why(why, whylen, "%s: truncated key map", path);
			goto wipe_enc;
		}
		if (is_sum) {
			const uint8_t *p;
			uint32_t blen;

			if (sum != NULL) {
				keyfile_why(why, whylen, "%s: duplicate checksum field", path);
				rc = PAKT_EFORMAT;
				goto wipe_enc;
			}
			if (canon_rd_bin(&r, &p, &blen) != 0 || blen != KEYFILE_SUM_LEN)
				break;          /* reported below */
			sum = p;
			continue;
		}
		if (canon_rd_skip(&r) != 0) {
			keyfile_why(why, whylen, "%s: truncated key map", path);
			rc = PAKT_EFORMAT;
			goto wipe_enc;
		}
		if ((size_t)(r.p - start) > sizeof s->enc - len) {
			keyfile_why(why, whylen, "%s: key map too large", path);
			rc = PAKT_EFORMAT;
			goto wipe_enc;
		}
		memcpy(s->enc + len, start, (size_t)(r.p - start));
		len += (size_t)(r.p - start);
	}
	if (sum == NULL || i < n) {
		keyfile_why(why, whylen, "%s: no valid checksum field", path);
		rc = PAKT_EFORMAT;
		goto wipe_enc;
	}
	crypto_generichash(h, sizeof h, s->enc, len, NULL, 0);
	if (sodium_memcmp(h, sum, sizeof h) != 0) {
		keyfile_why(why, whylen, "%s: checksum mismatch (file corrupted)", path);
		rc = PAKT_EFORMAT;
	}

wipe_enc:
	sodium_memzero(s->enc, sizeof s->enc);
	return rc;
}

/* The value of the version field "v" (r just after the map's header). */
static int read_version(struct canon_rd r, uint32_t n, uint64_t *v)
{
	for (uint32_t i = 0; i < n; i++) {
		bool is_v = rd_is_str(&r, "v");

		if (canon_rd_skip(&r) != 0)
			return PAKT_EFORMAT;
		if (is_v)
			return canon_rd_uint(&r, v) == 0 ? 0 : PAKT_EFORMAT;
		if (canon_rd_skip(&r) != 0)
			return PAKT_EFORMAT;
	}
	return PAKT_EFORMAT;
}

/* Decode s->msg into s->f: checksum, version, then every field; the map
 * must be exactly the canonical encoding of what it holds. */
int keyfile_decode_map(struct keyfile_scratch *s, const char *path, char *why,
		       size_t whylen)
{
	struct keyfile_fields *f = &s->f;
	struct canon_rd r, pairs;
	unsigned seen = 0;
	uint32_t n, i;
	int idx, rc;

	/* one well-formed value whose every count fits the bytes: the
	 * cursor below then never reads past them */
	if (mpx_check(s->msg, s->msg_len, 4) != 0) {
		keyfile_why(why, whylen, "%s: key line is truncated or not msgpack", path);
		return PAKT_EFORMAT;
	}
	canon_rd_init(&r, s->msg, s->msg_len);
	if (canon_rd_map(&r, &n) != 0 || n == 0) {
		keyfile_why(why, whylen, "%s: key line is not a msgpack map with a checksum",
			    path);
		return PAKT_EFORMAT;
	}
	pairs = r;
	if ((rc = check_sum(pairs, n, s, path, why, whylen)) != 0)
		return rc;
	/* Then the version: a newer file may have other fields. */
	if (read_version(pairs, n, &f->v) != 0) {
		keyfile_why(why, whylen, "%s: no version field", path);
		return PAKT_EFORMAT;
	}
	if (f->v != KEYFILE_VERSION) {
		keyfile_why(why, whylen,
			    "%s: key file version %llu, this pakt reads version %d (upgrade pakt)",
			    path, (unsigned long long)f->v, KEYFILE_VERSION);
		return PAKT_EVERSION;
	}
	if (n != KEYFILE_FIELDS) {
		keyfile_why(why, whylen, "%s: key map has %u fields, expected %d", path,
			    (unsigned)n, KEYFILE_FIELDS);
		return PAKT_EFORMAT;
	}
	for (i = 0; i < n; i++) {
		idx = field_index(&r);
		if (idx < 0 || (seen & (1u << idx)) != 0 || canon_rd_skip(&r) != 0) {
			keyfile_why(why, whylen, "%s: unknown or duplicate field in key map",
				    path);
			return PAKT_EFORMAT;
		}
		seen |= 1u << idx;
		if ((rc = decode_field(f, idx, &r, path, why, whylen)) != 0)
			return rc;
	}
	/* One encoding per value: any other byte sequence is corruption. */
	s->enc_len = keyfile_encode(f, true, s->enc, sizeof s->enc);
	if (s->enc_len != s->msg_len ||
	    memcmp(s->enc, s->msg, s->msg_len) != 0) {
		keyfile_why(why, whylen, "%s: key map is not in canonical form", path);
		sodium_memzero(s->enc, sizeof s->enc);
		return PAKT_EFORMAT;
	}
	sodium_memzero(s->enc, sizeof s->enc);
	/* Parameters must agree with the kdf: no unused or hostile values. */
	if (f->kdf == KEYFILE_KDF_NONE) {
		if (f->ops != 0 || f->mem != 0 || !all_zero(f->salt, sizeof f->salt) ||
		    !all_zero(f->nonce, sizeof f->nonce) ||
		    f->seed_len != KEYFILE_SEED_LEN) {
			keyfile_why(why, whylen, "%s: unencrypted key with kdf parameters", path);
			return PAKT_EFORMAT;
		}
		return 0;
	}
	if (f->seed_len != KEYFILE_BOX_LEN) {
		keyfile_why(why, whylen, "%s: encrypted seed has the wrong length", path);
		return PAKT_EFORMAT;
	}
	if (f->ops < crypto_pwhash_OPSLIMIT_MIN || f->ops > KEYFILE_OPS_MAX ||
	    f->mem < crypto_pwhash_MEMLIMIT_MIN || f->mem > KEYFILE_MEM_MAX) {
		keyfile_why(why, whylen,
			    "%s: Argon2id cost out of range (ops %llu, mem %llu; max %llu, %llu)",
			    path, (unsigned long long)f->ops, (unsigned long long)f->mem,
			    KEYFILE_OPS_MAX, KEYFILE_MEM_MAX);
		return PAKT_EFORMAT;
	}
	return 0;
}
