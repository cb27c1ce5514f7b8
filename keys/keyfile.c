/* Key files: read and write an identity as a two-line text file, the seed
 * optionally sealed under a passphrase (format in keys/KEYFILE.md; the
 * map's codec is keys/keyfile_map.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "keys/keyfile_priv.h"
#include "keys/ownerfile.h"
#include "proto/err.h"
#include "proto/id.h"


/* Argon2id cost of new files: libsodium's MODERATE (3 passes over 256 MiB,
 * about 0.9 s on one core of the test machine) unless keyfile_set_kdf_limits
 * chose another; a file records its cost, so older INTERACTIVE files
 * (2, 64 MiB) still open. */
static unsigned long long kdf_opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
static size_t kdf_memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
static bool kdf_explicit;

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
	kdf_explicit = true;
}

void keyfile_reset_kdf_limits(void)
{
	kdf_opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
	kdf_memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
	kdf_explicit = false;
}

/* The cost for a new file: the one set, else PAKT_TEST_WEAK_KDF=1 (tests
 * that start many daemons on encrypted keys) gives libsodium's minimum,
 * else the default. */
static void kdf_limits(uint64_t *ops, uint64_t *mem)
{
	const char *weak = getenv("PAKT_TEST_WEAK_KDF");

	if (!kdf_explicit && weak != NULL && strcmp(weak, "1") == 0) {
		*ops = crypto_pwhash_OPSLIMIT_MIN;
		*mem = crypto_pwhash_MEMLIMIT_MIN;
		return;
	}
	*ops = kdf_opslimit;
	*mem = kdf_memlimit;
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
			keyfile_why(why, whylen, "%s already exists (not overwritten)", path);
			return PAKT_EEXIST;
		}
		keyfile_why(why, whylen, "cannot create %s: %s", path, strerror(errno));
		return PAKT_EIO;
	}
	while (off < len) {
		n = write(fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n == 0 ? EIO : errno;
			goto unlink_file;
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0) {
		err = errno;
		goto unlink_file;
	}
	if (close(fd) != 0) {
		err = errno;
		fd = -1;
		goto unlink_file;
	}
	sync_parent(path);
	return 0;

unlink_file:
	keyfile_why(why, whylen, "cannot write %s: %s", path, strerror(err));
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
		keyfile_why(why, whylen, "no identity to write");
		return PAKT_EINVAL;
	}
	s = scratch_new();
	if (s == NULL) {
		keyfile_why(why, whylen, "cannot allocate secure memory");
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
		kdf_limits(&f->ops, &f->mem);
		randombytes_buf(f->salt, sizeof f->salt);
		randombytes_buf(f->nonce, sizeof f->nonce);
		if (crypto_pwhash(s->key, sizeof s->key, passphrase,
				  strlen(passphrase), f->salt, f->ops,
				  (size_t)f->mem,
				  crypto_pwhash_ALG_ARGON2ID13) != 0) {
			keyfile_why(why, whylen, "Argon2id: out of memory (%llu bytes)",
				    (unsigned long long)f->mem);
			rc = PAKT_ENOMEM;
			goto wipe_scratch;
		}
		crypto_secretbox_easy(f->seed, s->plain, KEYFILE_SEED_LEN,
				      f->nonce, s->key);
		f->seed_len = KEYFILE_BOX_LEN;
	}
	keyfile_checksum(f, f->sum, s->enc, sizeof s->enc);
	s->msg_len = keyfile_encode(f, true, s->msg, sizeof s->msg);

	id_encode(ID_KEY, f->pk, idtext);
	head = snprintf(s->text, sizeof s->text, KEYFILE_COMMENT " v%d %s\n",
			KEYFILE_VERSION, idtext);
	b64_len = sodium_base64_ENCODED_LEN(s->msg_len,
					    sodium_base64_VARIANT_ORIGINAL);
	/* Bounded by construction: ~50 + 4/3 * 256 bytes. */
	if (s->msg_len == 0 || head < 0 ||
	    (size_t)head + b64_len + 1 > sizeof s->text) {
		keyfile_why(why, whylen, "key file encoding overflow");
		rc = PAKT_EINVAL;
		goto wipe_scratch;
	}
	sodium_bin2base64(s->text + head, b64_len, s->msg, s->msg_len,
			  sodium_base64_VARIANT_ORIGINAL);
	/* b64_len counts the NUL that bin2base64 wrote: replace it. */
	s->text_len = (size_t)head + b64_len;
	s->text[s->text_len - 1] = '\n';
	rc = write_new_file(path, s->text, s->text_len, why, whylen);

wipe_scratch:
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
			keyfile_why(why, whylen, "no key file at %s", path);
			return PAKT_ENOTFOUND;
		}
		keyfile_why(why, whylen, "cannot open %s: %s", path, strerror(errno));
		return errno == EACCES ? PAKT_EPERM : PAKT_EIO;
	}
	rc = ownerfile_check(fd, "key file", path, why, whylen);
	if (rc != 0)
		goto close_file;
	if (fstat(fd, &st) != 0) {
		keyfile_why(why, whylen, "cannot stat %s: %s", path, strerror(errno));
		rc = PAKT_EIO;
		goto close_file;
	}
	if (st.st_size > KEYFILE_MAX) {
		keyfile_why(why, whylen, "%s is too large for a key file (%lld bytes, max %d)",
			    path, (long long)st.st_size, KEYFILE_MAX);
		rc = PAKT_EFORMAT;
		goto close_file;
	}
	/* The file may grow after fstat: read at most one byte past the cap. */
	s->text_len = 0;
	while (s->text_len <= KEYFILE_MAX) {
		n = read(fd, s->text + s->text_len, KEYFILE_MAX + 1 - s->text_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			keyfile_why(why, whylen, "cannot read %s: %s", path, strerror(errno));
			rc = PAKT_EIO;
			goto close_file;
		}
		if (n == 0)
			break;
		s->text_len += (size_t)n;
	}
	if (s->text_len > KEYFILE_MAX) {
		keyfile_why(why, whylen, "%s is too large for a key file (max %d bytes)",
			    path, KEYFILE_MAX);
		rc = PAKT_EFORMAT;
		goto close_file;
	}
	rc = 0;

close_file:
	close(fd);
	return rc;
}


/* Read, parse and check a key file up to (not including) the secret. */
static int keyfile_load(const char *path, struct keyfile_scratch *s,
			char *why, size_t whylen)
{
	int rc;

	if (path == NULL) {
		keyfile_why(why, whylen, "no key file path");
		return PAKT_EINVAL;
	}
	rc = read_file(path, s, why, whylen);
	if (rc == 0)
		rc = keyfile_parse_text(s, path, why, whylen);
	if (rc == 0)
		rc = keyfile_decode_map(s, path, why, whylen);
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
		keyfile_why(why, whylen, "cannot allocate secure memory");
		return PAKT_ENOMEM;
	}
	f = &s->f;
	rc = keyfile_load(path, s, why, whylen);
	if (rc != 0)
		goto wipe_scratch;

	if (f->kdf == KEYFILE_KDF_NONE) {
		memcpy(s->plain, f->seed, KEYFILE_SEED_LEN);
	} else {
		if (passphrase == NULL || passphrase[0] == '\0') {
			keyfile_why(why, whylen,
				    "%s is encrypted: give a passphrase (prompt, $PAKT_PASSPHRASE_FILE or $PAKT_PASSPHRASE)",
				    path);
			rc = PAKT_ENEEDPASS;
			goto wipe_scratch;
		}
		if (crypto_pwhash(s->key, sizeof s->key, passphrase,
				  strlen(passphrase), f->salt, f->ops,
				  (size_t)f->mem,
				  crypto_pwhash_ALG_ARGON2ID13) != 0) {
			keyfile_why(why, whylen, "Argon2id: out of memory (%llu bytes)",
				    (unsigned long long)f->mem);
			rc = PAKT_ENOMEM;
			goto wipe_scratch;
		}
		/* The checksum passed, so a failure here is the passphrase
		 * (or a deliberate edit that also fixed the checksum). */
		if (crypto_secretbox_open_easy(s->plain, f->seed, f->seed_len,
					       f->nonce, s->key) != 0) {
			keyfile_why(why, whylen, "%s: wrong passphrase", path);
			rc = PAKT_EPASS;
			goto wipe_scratch;
		}
	}
	rc = keys_from_seed(&tmp, s->plain);
	if (rc != 0) {
		keyfile_why(why, whylen, "cannot allocate secure memory");
		goto wipe_scratch;
	}
	if (memcmp(tmp.pk, f->pk, sizeof tmp.pk) != 0) {
		keyfile_why(why, whylen, "%s: secret key does not match its public key", path);
		keys_free(&tmp);
		rc = PAKT_EFORMAT;
		goto wipe_scratch;
	}
	*id = tmp;
	rc = 0;

wipe_scratch:
	scratch_free(s);
	return rc;
}

int keyfile_read_public(const char *path, uint8_t pk[32], bool *encrypted,
			char *why, size_t whylen)
{
	struct keyfile_scratch *s = scratch_new();
	int rc;

	if (s == NULL) {
		keyfile_why(why, whylen, "cannot allocate secure memory");
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

