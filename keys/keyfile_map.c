/* Key files: the text form (two lines) and its canonical msgpack map,
 * encoded and decoded with every check of keys/KEYFILE.md. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <msgpack.h>
#include <sodium.h>

#include "keys/keyfile_priv.h"
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


/* o is the str s. */
static bool obj_is_str(const msgpack_object *o, const char *s)
{
	size_t n = strlen(s);

	return o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
	       memcmp(o->via.str.ptr, s, n) == 0;
}

/* Copy a bin field of exactly n bytes. */
static bool obj_bin(const msgpack_object *o, uint8_t *out, size_t n)
{
	if (o->type != MSGPACK_OBJECT_BIN || o->via.bin.size != n)
		return false;
	memcpy(out, o->via.bin.ptr, n);
	return true;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	return sodium_is_zero(p, n) == 1;
}

/* Check one field's type and length and store it in f. */
static int decode_field(struct keyfile_fields *f, int idx,
			const msgpack_object *val, const char *path, char *why,
			size_t whylen)
{
	bool ok = false;

	switch (idx) {
	case 0:
		if (obj_is_str(val, "none")) {
			f->kdf = KEYFILE_KDF_NONE;
			ok = true;
		} else if (obj_is_str(val, "argon2id13")) {
			f->kdf = KEYFILE_KDF_ARGON2ID13;
			ok = true;
		}
		break;
	case 1:
		ok = val->type == MSGPACK_OBJECT_POSITIVE_INTEGER;
		f->mem = ok ? val->via.u64 : 0;
		break;
	case 2:
		ok = obj_bin(val, f->nonce, sizeof f->nonce);
		break;
	case 3:
		ok = val->type == MSGPACK_OBJECT_POSITIVE_INTEGER;
		f->ops = ok ? val->via.u64 : 0;
		break;
	case 4:
		ok = obj_bin(val, f->pk, sizeof f->pk);
		break;
	case 5:
		ok = obj_bin(val, f->salt, sizeof f->salt);
		break;
	case 6:
		if (val->type == MSGPACK_OBJECT_BIN &&
		    (val->via.bin.size == KEYFILE_SEED_LEN ||
		     val->via.bin.size == KEYFILE_BOX_LEN)) {
			f->seed_len = val->via.bin.size;
			memcpy(f->seed, val->via.bin.ptr, f->seed_len);
			ok = true;
		}
		break;
	case 7:
		ok = obj_bin(val, f->sum, sizeof f->sum);
		break;
	case 8:
		ok = true; /* checked before the other fields */
		break;
	}
	if (!ok) {
		keyfile_why(why, whylen, "%s: field \"%s\" has the wrong type or length",
			    path, field_names[idx]);
		return PAKT_EFORMAT;
	}
	return 0;
}

/* Map a key to its field index, or -1. */
static int field_index(const msgpack_object *key)
{
	int i;

	for (i = 0; i < KEYFILE_FIELDS; i++)
		if (obj_is_str(key, field_names[i]))
			return i;
	return -1;
}

/* The checksum first, before the version or any field: a damaged byte
 * anywhere (the version included) is reported as damage. It is defined on
 * any map, whatever its version: BLAKE2b-128 of the map re-encoded without
 * its "sum" pair, pairs in their order, smallest forms. */
static int check_sum(const msgpack_object *map, struct keyfile_scratch *s,
		     const char *path, char *why, size_t whylen)
{
	struct bounded_out o = { s->enc, 0, sizeof s->enc, false };
	const msgpack_object_kv *kv = map->via.map.ptr;
	const msgpack_object *sum = NULL;
	uint8_t h[KEYFILE_SUM_LEN];
	msgpack_packer pk;
	uint32_t i;
	int rc = 0;

	for (i = 0; i < map->via.map.size; i++) {
		if (!obj_is_str(&kv[i].key, "sum"))
			continue;
		if (sum != NULL) {
			keyfile_why(why, whylen, "%s: duplicate checksum field", path);
			return PAKT_EFORMAT;
		}
		sum = &kv[i].val;
	}
	if (sum == NULL || sum->type != MSGPACK_OBJECT_BIN ||
	    sum->via.bin.size != KEYFILE_SUM_LEN) {
		keyfile_why(why, whylen, "%s: no valid checksum field", path);
		return PAKT_EFORMAT;
	}
	msgpack_packer_init(&pk, &o, bounded_write);
	msgpack_pack_map(&pk, map->via.map.size - 1);
	for (i = 0; i < map->via.map.size; i++) {
		if (&kv[i].val == sum)
			continue;
		msgpack_pack_object(&pk, kv[i].key);
		msgpack_pack_object(&pk, kv[i].val);
	}
	if (o.overflow) {
		keyfile_why(why, whylen, "%s: key map too large", path);
		rc = PAKT_EFORMAT;
		goto cleanup;
	}
	crypto_generichash(h, sizeof h, s->enc, o.len, NULL, 0);
	if (sodium_memcmp(h, sum->via.bin.ptr, sizeof h) != 0) {
		keyfile_why(why, whylen, "%s: checksum mismatch (file corrupted)", path);
		rc = PAKT_EFORMAT;
	}

cleanup:
	sodium_memzero(s->enc, sizeof s->enc);
	return rc;
}

/* Decode s->msg into s->f: checksum, version, then every field; the map
 * must be exactly the canonical encoding of what it holds. */
int keyfile_decode_map(struct keyfile_scratch *s, const char *path, char *why,
		       size_t whylen)
{
	struct keyfile_fields *f = &s->f;
	msgpack_zone zone;
	msgpack_object obj;
	msgpack_object_kv *kv;
	unsigned seen = 0;
	size_t off = 0;
	uint32_t i;
	int idx, rc;

	if (mpx_check(s->msg, s->msg_len, 4) != 0) {
		keyfile_why(why, whylen, "%s: key line is truncated or not msgpack", path);
		return PAKT_EFORMAT;
	}
	if (!msgpack_zone_init(&zone, 1024)) {
		keyfile_why(why, whylen, "out of memory");
		return PAKT_ENOMEM;
	}
	switch (msgpack_unpack((const char *)s->msg, s->msg_len, &off, &zone, &obj)) {
	case MSGPACK_UNPACK_SUCCESS:
		break;
	case MSGPACK_UNPACK_EXTRA_BYTES:
		keyfile_why(why, whylen, "%s: bytes after the key map", path);
		rc = PAKT_EFORMAT;
		goto cleanup;
	case MSGPACK_UNPACK_CONTINUE:
		keyfile_why(why, whylen, "%s: truncated key map", path);
		rc = PAKT_EFORMAT;
		goto cleanup;
	case MSGPACK_UNPACK_NOMEM_ERROR:
		keyfile_why(why, whylen, "out of memory");
		rc = PAKT_ENOMEM;
		goto cleanup;
	default:
		keyfile_why(why, whylen, "%s: key line is not msgpack", path);
		rc = PAKT_EFORMAT;
		goto cleanup;
	}
	if (obj.type != MSGPACK_OBJECT_MAP) {
		keyfile_why(why, whylen, "%s: key line is not a msgpack map", path);
		rc = PAKT_EFORMAT;
		goto cleanup;
	}
	rc = check_sum(&obj, s, path, why, whylen);
	if (rc != 0)
		goto cleanup;
	kv = obj.via.map.ptr;
	/* Then the version: a newer file may have other fields. */
	for (i = 0; i < obj.via.map.size; i++)
		if (obj_is_str(&kv[i].key, "v"))
			break;
	if (i == obj.via.map.size ||
	    kv[i].val.type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
		keyfile_why(why, whylen, "%s: no version field", path);
		rc = PAKT_EFORMAT;
		goto cleanup;
	}
	f->v = kv[i].val.via.u64;
	if (f->v != KEYFILE_VERSION) {
		keyfile_why(why, whylen,
			    "%s: key file version %llu, this pakt reads version %d (upgrade pakt)",
			    path, (unsigned long long)f->v, KEYFILE_VERSION);
		rc = PAKT_EVERSION;
		goto cleanup;
	}
	if (obj.via.map.size != KEYFILE_FIELDS) {
		keyfile_why(why, whylen, "%s: key map has %u fields, expected %d", path,
			    (unsigned)obj.via.map.size, KEYFILE_FIELDS);
		rc = PAKT_EFORMAT;
		goto cleanup;
	}
	for (i = 0; i < obj.via.map.size; i++) {
		idx = field_index(&kv[i].key);
		if (idx < 0 || (seen & (1u << idx)) != 0) {
			keyfile_why(why, whylen, "%s: unknown or duplicate field in key map",
				    path);
			rc = PAKT_EFORMAT;
			goto cleanup;
		}
		seen |= 1u << idx;
		rc = decode_field(f, idx, &kv[i].val, path, why, whylen);
		if (rc != 0)
			goto cleanup;
	}
	/* One encoding per value: any other byte sequence is corruption. */
	s->enc_len = keyfile_encode(f, true, s->enc, sizeof s->enc);
	if (s->enc_len != s->msg_len ||
	    memcmp(s->enc, s->msg, s->msg_len) != 0) {
		keyfile_why(why, whylen, "%s: key map is not in canonical form", path);
		rc = PAKT_EFORMAT;
		goto cleanup;
	}
	sodium_memzero(s->enc, sizeof s->enc);
	/* Parameters must agree with the kdf: no unused or hostile values. */
	if (f->kdf == KEYFILE_KDF_NONE) {
		if (f->ops != 0 || f->mem != 0 || !all_zero(f->salt, sizeof f->salt) ||
		    !all_zero(f->nonce, sizeof f->nonce) ||
		    f->seed_len != KEYFILE_SEED_LEN) {
			keyfile_why(why, whylen, "%s: unencrypted key with kdf parameters", path);
			rc = PAKT_EFORMAT;
			goto cleanup;
		}
	} else {
		if (f->seed_len != KEYFILE_BOX_LEN) {
			keyfile_why(why, whylen, "%s: encrypted seed has the wrong length", path);
			rc = PAKT_EFORMAT;
			goto cleanup;
		}
		if (f->ops < crypto_pwhash_OPSLIMIT_MIN || f->ops > KEYFILE_OPS_MAX ||
		    f->mem < crypto_pwhash_MEMLIMIT_MIN || f->mem > KEYFILE_MEM_MAX) {
			keyfile_why(why, whylen,
				    "%s: Argon2id cost out of range (ops %llu, mem %llu; max %llu, %llu)",
				    path, (unsigned long long)f->ops,
				    (unsigned long long)f->mem, KEYFILE_OPS_MAX,
				    KEYFILE_MEM_MAX);
			rc = PAKT_EFORMAT;
			goto cleanup;
		}
	}
	rc = 0;

cleanup:
	/* The zone holds only pointers into s->msg, never the bytes. */
	msgpack_zone_destroy(&zone);
	return rc;
}

