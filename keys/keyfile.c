/* Key files: read and write an identity as a two-line text file, the seed
 * optionally sealed under a passphrase (format in keys/KEYFILE.md). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <msgpack.h>
#include <sodium.h>

#include "keys/keyfile.h"
#include "proto/mpx.h"
#include "keys/ownerfile.h"
#include "proto/err.h"
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

/* The map's keys in canonical (bytewise) order; indexes used below. */
static const char *const field_names[KEYFILE_FIELDS] = {
	"kdf", "mem", "nonce", "ops", "pk", "salt", "seed", "sum", "v"
};

enum keyfile_kdf { KEYFILE_KDF_NONE, KEYFILE_KDF_ARGON2ID13 };

static const char *const kdf_names[] = {
	[KEYFILE_KDF_NONE] = "none",
	[KEYFILE_KDF_ARGON2ID13] = "argon2id13",
};

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

static unsigned long long kdf_opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
static size_t kdf_memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

__attribute__((format(printf, 3, 4)))
static void set_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

static struct keyfile_scratch *scratch_new(void)
{
	struct keyfile_scratch *s = sodium_malloc(sizeof *s);

	if (s != NULL)
		memset(s, 0, sizeof *s);
	return s;
}

static void scratch_free(struct keyfile_scratch *s)
{
	if (s == NULL)
		return;
	sodium_memzero(s, sizeof *s);
	sodium_free(s);
}

void keyfile_set_kdf_limits(unsigned long long opslimit, size_t memlimit)
{
	if (opslimit < crypto_pwhash_OPSLIMIT_MIN)
		opslimit = crypto_pwhash_OPSLIMIT_MIN;
	if (opslimit > KEYFILE_OPS_MAX)
		opslimit = KEYFILE_OPS_MAX;
	if (memlimit < crypto_pwhash_MEMLIMIT_MIN)
		memlimit = crypto_pwhash_MEMLIMIT_MIN;
	if ((unsigned long long)memlimit > KEYFILE_MEM_MAX)
		memlimit = (size_t)KEYFILE_MEM_MAX;
	kdf_opslimit = opslimit;
	kdf_memlimit = memlimit;
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
static size_t fields_encode(const struct keyfile_fields *f, bool with_sum,
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
static void fields_checksum(const struct keyfile_fields *f,
			    uint8_t out[KEYFILE_SUM_LEN], uint8_t *tmp,
			    size_t tmpcap)
{
	size_t n = fields_encode(f, false, tmp, tmpcap);

	crypto_generichash(out, KEYFILE_SUM_LEN, tmp, n, NULL, 0);
	sodium_memzero(tmp, tmpcap);
}

/* ---- writing ---- */

/* fsync the directory holding path so the new name survives a crash;
 * best effort (some file systems refuse fsync on a directory). */
static void sync_parent(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd;

	if (slash == NULL) {
		strcpy(dir, ".");
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof dir)
			return;
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)fsync(fd);
	close(fd);
}

int keyfile_install(const char *staged, const char *path, char *why, size_t whylen)
{
	if (rename(staged, path) != 0) {
		snprintf(why, whylen, "cannot replace %s: %s", path, strerror(errno));
		return PAKT_EIO;
	}
	sync_parent(path);
	return 0;
}

/* Create path 0600 with O_EXCL and write buf durably; on failure unlink. */
static int write_new_file(const char *path, const char *buf, size_t len,
			  char *why, size_t whylen)
{
	size_t off = 0;
	ssize_t n;
	int fd, err;

	fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		if (errno == EEXIST) {
			set_why(why, whylen, "%s already exists (not overwritten)", path);
			return PAKT_EEXIST;
		}
		set_why(why, whylen, "cannot create %s: %s", path, strerror(errno));
		return PAKT_EIO;
	}
	while (off < len) {
		n = write(fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n == 0 ? EIO : errno;
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0) {
		err = errno;
		goto fail;
	}
	if (close(fd) != 0) {
		err = errno;
		fd = -1;
		goto fail;
	}
	sync_parent(path);
	return 0;

fail:
	set_why(why, whylen, "cannot write %s: %s", path, strerror(err));
	if (fd >= 0)
		close(fd);
	unlink(path);
	return PAKT_EIO;
}

int keyfile_write(const char *path, const struct keys_identity *id,
		  const char *passphrase, char *why, size_t whylen)
{
	struct keyfile_scratch *s;
	struct keyfile_fields *f;
	char idtext[ID_TEXT_MAX];
	const uint8_t *sk;
	size_t b64_len;
	int head, rc;

	if (path == NULL || id == NULL || id->sk == NULL) {
		set_why(why, whylen, "no identity to write");
		return PAKT_EINVAL;
	}
	s = scratch_new();
	if (s == NULL) {
		set_why(why, whylen, "cannot allocate secure memory");
		return PAKT_ENOMEM;
	}
	f = &s->f;
	f->v = KEYFILE_VERSION;
	memcpy(f->pk, id->pk, sizeof f->pk);
	/* libsodium's secret key is seed || pk: the seed is all we store. */
	sk = keys_sk_open(id);
	memcpy(s->plain, sk, KEYFILE_SEED_LEN);
	keys_sk_close(id);

	if (passphrase == NULL || passphrase[0] == '\0') {
		f->kdf = KEYFILE_KDF_NONE;
		memcpy(f->seed, s->plain, KEYFILE_SEED_LEN);
		f->seed_len = KEYFILE_SEED_LEN;
	} else {
		f->kdf = KEYFILE_KDF_ARGON2ID13;
		f->ops = kdf_opslimit;
		f->mem = kdf_memlimit;
		randombytes_buf(f->salt, sizeof f->salt);
		randombytes_buf(f->nonce, sizeof f->nonce);
		if (crypto_pwhash(s->key, sizeof s->key, passphrase,
				  strlen(passphrase), f->salt, f->ops,
				  (size_t)f->mem,
				  crypto_pwhash_ALG_ARGON2ID13) != 0) {
			set_why(why, whylen, "Argon2id: out of memory (%llu bytes)",
				(unsigned long long)f->mem);
			rc = PAKT_ENOMEM;
			goto cleanup;
		}
		crypto_secretbox_easy(f->seed, s->plain, KEYFILE_SEED_LEN,
				      f->nonce, s->key);
		f->seed_len = KEYFILE_BOX_LEN;
	}
	fields_checksum(f, f->sum, s->enc, sizeof s->enc);
	s->msg_len = fields_encode(f, true, s->msg, sizeof s->msg);

	id_encode(ID_KEY, f->pk, idtext);
	head = snprintf(s->text, sizeof s->text, KEYFILE_COMMENT " v%d %s\n",
			KEYFILE_VERSION, idtext);
	b64_len = sodium_base64_ENCODED_LEN(s->msg_len,
					    sodium_base64_VARIANT_ORIGINAL);
	/* Bounded by construction: ~50 + 4/3 * 256 bytes. */
	if (s->msg_len == 0 || head < 0 ||
	    (size_t)head + b64_len + 1 > sizeof s->text) {
		set_why(why, whylen, "key file encoding overflow");
		rc = PAKT_EINVAL;
		goto cleanup;
	}
	sodium_bin2base64(s->text + head, b64_len, s->msg, s->msg_len,
			  sodium_base64_VARIANT_ORIGINAL);
	/* b64_len counts the NUL that bin2base64 wrote: replace it. */
	s->text_len = (size_t)head + b64_len;
	s->text[s->text_len - 1] = '\n';
	rc = write_new_file(path, s->text, s->text_len, why, whylen);

cleanup:
	scratch_free(s);
	return rc;
}

/* ---- reading ---- */

/* Read path into s->text, refusing a file others may read or a large one. */
static int read_file(const char *path, struct keyfile_scratch *s, char *why,
		     size_t whylen)
{
	struct stat st;
	ssize_t n;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			set_why(why, whylen, "no key file at %s", path);
			return PAKT_ENOTFOUND;
		}
		set_why(why, whylen, "cannot open %s: %s", path, strerror(errno));
		return errno == EACCES ? PAKT_EPERM : PAKT_EIO;
	}
	rc = ownerfile_check(fd, "key file", path, why, whylen);
	if (rc != 0)
		goto cleanup;
	if (fstat(fd, &st) != 0) {
		set_why(why, whylen, "cannot stat %s: %s", path, strerror(errno));
		rc = PAKT_EIO;
		goto cleanup;
	}
	if (st.st_size > KEYFILE_MAX) {
		set_why(why, whylen, "%s is too large for a key file (%lld bytes, max %d)",
			path, (long long)st.st_size, KEYFILE_MAX);
		rc = PAKT_EFORMAT;
		goto cleanup;
	}
	/* The file may grow after fstat: read at most one byte past the cap. */
	s->text_len = 0;
	while (s->text_len <= KEYFILE_MAX) {
		n = read(fd, s->text + s->text_len, KEYFILE_MAX + 1 - s->text_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			set_why(why, whylen, "cannot read %s: %s", path, strerror(errno));
			rc = PAKT_EIO;
			goto cleanup;
		}
		if (n == 0)
			break;
		s->text_len += (size_t)n;
	}
	if (s->text_len > KEYFILE_MAX) {
		set_why(why, whylen, "%s is too large for a key file (max %d bytes)",
			path, KEYFILE_MAX);
		rc = PAKT_EFORMAT;
		goto cleanup;
	}
	rc = 0;

cleanup:
	close(fd);
	return rc;
}

/* Split the text into its two lines and base64-decode line 2 into s->msg. */
static int parse_text(struct keyfile_scratch *s, const char *path, char *why,
		      size_t whylen)
{
	const char *text = s->text, *line2, *nl, *end;
	size_t len = s->text_len, b64_len;

	if (memchr(text, '\0', len) != NULL) {
		set_why(why, whylen, "%s: not a pakt key file (binary data)", path);
		return PAKT_EFORMAT;
	}
	if (len < sizeof KEYFILE_COMMENT - 1 ||
	    memcmp(text, KEYFILE_COMMENT, sizeof KEYFILE_COMMENT - 1) != 0) {
		set_why(why, whylen, "%s: not a pakt key file (line 1 must start with \"%s\")",
			path, KEYFILE_COMMENT);
		return PAKT_EFORMAT;
	}
	nl = memchr(text, '\n', len);
	if (nl == NULL) {
		set_why(why, whylen, "%s: truncated (no key line)", path);
		return PAKT_EFORMAT;
	}
	line2 = nl + 1;
	end = text + len;
	nl = memchr(line2, '\n', (size_t)(end - line2));
	/* The final newline is optional; nothing may follow it. */
	if (nl != NULL && nl + 1 != end) {
		set_why(why, whylen, "%s: unexpected text after line 2", path);
		return PAKT_EFORMAT;
	}
	b64_len = (size_t)((nl != NULL ? nl : end) - line2);
	if (b64_len == 0) {
		set_why(why, whylen, "%s: truncated (empty key line)", path);
		return PAKT_EFORMAT;
	}
	if (sodium_base642bin(s->msg, sizeof s->msg, line2, b64_len, NULL,
			      &s->msg_len, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != line2 + b64_len) {
		set_why(why, whylen, "%s: line 2 is not valid base64 (truncated or corrupted)",
			path);
		return PAKT_EFORMAT;
	}
	return 0;
}

/* Big-endian unsigned of n bytes (1, 2, 4). */
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
		set_why(why, whylen, "%s: field \"%s\" has the wrong type or length",
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
			set_why(why, whylen, "%s: duplicate checksum field", path);
			return PAKT_EFORMAT;
		}
		sum = &kv[i].val;
	}
	if (sum == NULL || sum->type != MSGPACK_OBJECT_BIN ||
	    sum->via.bin.size != KEYFILE_SUM_LEN) {
		set_why(why, whylen, "%s: no valid checksum field", path);
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
		set_why(why, whylen, "%s: key map too large", path);
		rc = PAKT_EFORMAT;
		goto cleanup;
	}
	crypto_generichash(h, sizeof h, s->enc, o.len, NULL, 0);
	if (sodium_memcmp(h, sum->via.bin.ptr, sizeof h) != 0) {
		set_why(why, whylen, "%s: checksum mismatch (file corrupted)", path);
		rc = PAKT_EFORMAT;
	}

cleanup:
	sodium_memzero(s->enc, sizeof s->enc);
	return rc;
}

/* Decode s->msg into s->f: checksum, version, then every field; the map
 * must be exactly the canonical encoding of what it holds. */
static int decode_map(struct keyfile_scratch *s, const char *path, char *why,
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
		set_why(why, whylen, "%s: key line is truncated or not msgpack", path);
		return PAKT_EFORMAT;
	}
	if (!msgpack_zone_init(&zone, 1024)) {
		set_why(why, whylen, "out of memory");
		return PAKT_ENOMEM;
	}
	switch (msgpack_unpack((const char *)s->msg, s->msg_len, &off, &zone, &obj)) {
	case MSGPACK_UNPACK_SUCCESS:
		break;
	case MSGPACK_UNPACK_EXTRA_BYTES:
		set_why(why, whylen, "%s: bytes after the key map", path);
		rc = PAKT_EFORMAT;
		goto cleanup;
	case MSGPACK_UNPACK_CONTINUE:
		set_why(why, whylen, "%s: truncated key map", path);
		rc = PAKT_EFORMAT;
		goto cleanup;
	case MSGPACK_UNPACK_NOMEM_ERROR:
		set_why(why, whylen, "out of memory");
		rc = PAKT_ENOMEM;
		goto cleanup;
	default:
		set_why(why, whylen, "%s: key line is not msgpack", path);
		rc = PAKT_EFORMAT;
		goto cleanup;
	}
	if (obj.type != MSGPACK_OBJECT_MAP) {
		set_why(why, whylen, "%s: key line is not a msgpack map", path);
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
		set_why(why, whylen, "%s: no version field", path);
		rc = PAKT_EFORMAT;
		goto cleanup;
	}
	f->v = kv[i].val.via.u64;
	if (f->v != KEYFILE_VERSION) {
		set_why(why, whylen,
			"%s: key file version %llu, this pakt reads version %d (upgrade pakt)",
			path, (unsigned long long)f->v, KEYFILE_VERSION);
		rc = PAKT_EVERSION;
		goto cleanup;
	}
	if (obj.via.map.size != KEYFILE_FIELDS) {
		set_why(why, whylen, "%s: key map has %u fields, expected %d", path,
			(unsigned)obj.via.map.size, KEYFILE_FIELDS);
		rc = PAKT_EFORMAT;
		goto cleanup;
	}
	for (i = 0; i < obj.via.map.size; i++) {
		idx = field_index(&kv[i].key);
		if (idx < 0 || (seen & (1u << idx)) != 0) {
			set_why(why, whylen, "%s: unknown or duplicate field in key map",
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
	s->enc_len = fields_encode(f, true, s->enc, sizeof s->enc);
	if (s->enc_len != s->msg_len ||
	    memcmp(s->enc, s->msg, s->msg_len) != 0) {
		set_why(why, whylen, "%s: key map is not in canonical form", path);
		rc = PAKT_EFORMAT;
		goto cleanup;
	}
	sodium_memzero(s->enc, sizeof s->enc);
	/* Parameters must agree with the kdf: no unused or hostile values. */
	if (f->kdf == KEYFILE_KDF_NONE) {
		if (f->ops != 0 || f->mem != 0 || !all_zero(f->salt, sizeof f->salt) ||
		    !all_zero(f->nonce, sizeof f->nonce) ||
		    f->seed_len != KEYFILE_SEED_LEN) {
			set_why(why, whylen, "%s: unencrypted key with kdf parameters", path);
			rc = PAKT_EFORMAT;
			goto cleanup;
		}
	} else {
		if (f->seed_len != KEYFILE_BOX_LEN) {
			set_why(why, whylen, "%s: encrypted seed has the wrong length", path);
			rc = PAKT_EFORMAT;
			goto cleanup;
		}
		if (f->ops < crypto_pwhash_OPSLIMIT_MIN || f->ops > KEYFILE_OPS_MAX ||
		    f->mem < crypto_pwhash_MEMLIMIT_MIN || f->mem > KEYFILE_MEM_MAX) {
			set_why(why, whylen,
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

/* Read, parse and check a key file up to (not including) the secret. */
static int keyfile_load(const char *path, struct keyfile_scratch *s,
			char *why, size_t whylen)
{
	int rc;

	if (path == NULL) {
		set_why(why, whylen, "no key file path");
		return PAKT_EINVAL;
	}
	rc = read_file(path, s, why, whylen);
	if (rc == 0)
		rc = parse_text(s, path, why, whylen);
	if (rc == 0)
		rc = decode_map(s, path, why, whylen);
	return rc;
}

int keyfile_read(const char *path, const char *passphrase,
		 struct keys_identity *id, char *why, size_t whylen)
{
	struct keyfile_scratch *s;
	struct keyfile_fields *f;
	struct keys_identity tmp = { .sk = NULL };
	int rc;

	if (id == NULL)
		return PAKT_EINVAL;
	memset(id, 0, sizeof *id);
	s = scratch_new();
	if (s == NULL) {
		set_why(why, whylen, "cannot allocate secure memory");
		return PAKT_ENOMEM;
	}
	f = &s->f;
	rc = keyfile_load(path, s, why, whylen);
	if (rc != 0)
		goto cleanup;

	if (f->kdf == KEYFILE_KDF_NONE) {
		memcpy(s->plain, f->seed, KEYFILE_SEED_LEN);
	} else {
		if (passphrase == NULL || passphrase[0] == '\0') {
			set_why(why, whylen,
				"%s is encrypted: give a passphrase (prompt, $PAKT_PASSPHRASE_FILE or $PAKT_PASSPHRASE)",
				path);
			rc = PAKT_ENEEDPASS;
			goto cleanup;
		}
		if (crypto_pwhash(s->key, sizeof s->key, passphrase,
				  strlen(passphrase), f->salt, f->ops,
				  (size_t)f->mem,
				  crypto_pwhash_ALG_ARGON2ID13) != 0) {
			set_why(why, whylen, "Argon2id: out of memory (%llu bytes)",
				(unsigned long long)f->mem);
			rc = PAKT_ENOMEM;
			goto cleanup;
		}
		/* The checksum passed, so a failure here is the passphrase
		 * (or a deliberate edit that also fixed the checksum). */
		if (crypto_secretbox_open_easy(s->plain, f->seed, f->seed_len,
					       f->nonce, s->key) != 0) {
			set_why(why, whylen, "%s: wrong passphrase", path);
			rc = PAKT_EPASS;
			goto cleanup;
		}
	}
	rc = keys_from_seed(&tmp, s->plain);
	if (rc != 0) {
		set_why(why, whylen, "cannot allocate secure memory");
		goto cleanup;
	}
	if (memcmp(tmp.pk, f->pk, sizeof tmp.pk) != 0) {
		set_why(why, whylen, "%s: secret key does not match its public key", path);
		keys_free(&tmp);
		rc = PAKT_EFORMAT;
		goto cleanup;
	}
	*id = tmp;
	rc = 0;

cleanup:
	scratch_free(s);
	return rc;
}

int keyfile_read_public(const char *path, uint8_t pk[32], bool *encrypted,
			char *why, size_t whylen)
{
	struct keyfile_scratch *s = scratch_new();
	int rc;

	if (s == NULL) {
		set_why(why, whylen, "cannot allocate secure memory");
		return PAKT_ENOMEM;
	}
	rc = keyfile_load(path, s, why, whylen);
	if (rc == 0 && encrypted != NULL)
		*encrypted = s->f.kdf != KEYFILE_KDF_NONE;
	if (rc == 0 && pk != NULL)
		memcpy(pk, s->f.pk, sizeof s->f.pk);
	scratch_free(s);
	return rc;
}

int keyfile_is_encrypted(const char *path, bool *encrypted, char *why,
			 size_t whylen)
{
	return keyfile_read_public(path, NULL, encrypted, why, whylen);
}
