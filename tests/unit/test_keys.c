/* Unit tests of keys/: identities, key files and passphrase sources. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <msgpack.h>
#include <sodium.h>

#include "keys/keyfile.h"
#include "keys/keys.h"
#include "keys/ownerfile.h"
#include "keys/passphrase.h"
#include "proto/err.h"

#define PASS "correct horse battery staple"
#define FILE_MAX 8192

static char tmpdir[64];
static char why[512];

/* ---- helpers ---- */

static void path_in(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", tmpdir, name);
}

static size_t slurp(const char *path, char *buf, size_t cap)
{
	FILE *fp = fopen(path, "rb");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, cap, fp);
	fclose(fp);
	return n;
}

/* Replace path with exactly these bytes, mode 0600. */
static void spit(const char *path, const void *buf, size_t len)
{
	int fd;

	unlink(path);
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

/* Sign a message with id and check it verifies under id->pk. */
static void assert_signs(const struct keys_identity *id)
{
	static const uint8_t msg[] = "collective impact";
	uint8_t sig[crypto_sign_BYTES];
	const uint8_t *sk = keys_sk_open(id);

	assert_non_null(sk);
	crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
	keys_sk_close(id);
	assert_int_equal(crypto_sign_verify_detached(sig, msg, sizeof msg, id->pk), 0);
}

static void new_keyfile(const char *name, const char *pass, char *path,
			struct keys_identity *id)
{
	path_in(path, 256, name);
	assert_int_equal(keys_generate(id), 0);
	assert_int_equal(keyfile_write(path, id, pass, why, sizeof why), 0);
}

/* Split a key file into its base64 line decoded into msg; returns the
 * msgpack length and sets *head to the length of line 1 incl. newline. */
static size_t decode_line2(const char *text, size_t len, uint8_t *msg,
			   size_t cap, size_t *head)
{
	const char *nl = memchr(text, '\n', len);
	size_t b64, n;

	assert_non_null(nl);
	*head = (size_t)(nl + 1 - text);
	b64 = len - *head - 1; /* without the final newline */
	assert_int_equal(sodium_base642bin(msg, cap, text + *head, b64, NULL, &n,
					   NULL, sodium_base64_VARIANT_ORIGINAL), 0);
	return n;
}

/* Write a key file with line 1 of the original and a new msgpack map. */
static void respit(const char *path, const char *text, size_t head,
		   const uint8_t *msg, size_t n)
{
	char out[FILE_MAX];
	size_t b64 = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);

	memcpy(out, text, head);
	sodium_bin2base64(out + head, b64, msg, n, sodium_base64_VARIANT_ORIGINAL);
	out[head + b64 - 1] = '\n';
	spit(path, out, head + b64);
}

/* The map ends with  "sum": bin16 (22 bytes) then "v": 1 (3 bytes).
 * Recompute the checksum as KEYFILE.md says: BLAKE2b-128 of the map
 * without the "sum" pair, with the map header one smaller. */
static void fix_checksum(uint8_t *msg, size_t n)
{
	uint8_t without[512];
	size_t w = 0;

	assert_int_equal(msg[0], 0x89);
	assert_memory_equal(msg + n - 3 - 22, "\xa3sum\xc4\x10", 6);
	without[w++] = 0x88;
	memcpy(without + w, msg + 1, n - 1 - 25);
	w += n - 1 - 25;
	memcpy(without + w, msg + n - 3, 3);
	w += 3;
	crypto_generichash(msg + n - 3 - 16, 16, without, w, NULL, 0);
}

/* Offset of a bin field's payload: key string then c4 <len>. */
static size_t field_at(const uint8_t *msg, size_t n, const char *key)
{
	size_t k = strlen(key), i;

	for (i = 0; i + k + 3 <= n; i++)
		if (msg[i] == (0xa0 | k) && memcmp(msg + i + 1, key, k) == 0)
			return i + 1 + k;
	fail_msg("field %s not found", key);
	return 0;
}

/* The uint value of key in a canonical map (fixint, 0xcc..0xcf forms). */
static uint64_t uint_field(const uint8_t *msg, size_t n, const char *key)
{
	size_t k = strlen(key), i, len;
	uint64_t v = 0;

	for (i = 0; i + k + 2 <= n; i++)
		if (msg[i] == (0xa0 | k) && memcmp(msg + i + 1, key, k) == 0)
			break;
	assert_true(i + k + 2 <= n);
	i += 1 + k;
	if (msg[i] < 0x80)
		return msg[i];
	assert_true(msg[i] >= 0xcc && msg[i] <= 0xcf);
	len = (size_t)1 << (msg[i] - 0xcc);
	assert_true(i + 1 + len <= n);
	for (size_t j = 0; j < len; j++)
		v = v << 8 | msg[i + 1 + j];
	return v;
}

/* The Argon2id cost recorded in a key file. */
static void file_cost(const char *path, uint64_t *ops, uint64_t *mem)
{
	char text[FILE_MAX];
	uint8_t msg[512];
	size_t n, head;

	n = decode_line2(text, slurp(path, text, sizeof text), msg, sizeof msg, &head);
	*ops = uint_field(msg, n, "ops");
	*mem = uint_field(msg, n, "mem");
}

/* ---- fixture ---- */

static int group_setup(void **state)
{
	strcpy(tmpdir, "/tmp/pakt-test-keys-XXXXXX");
	if (keys_global_init() != 0 || mkdtemp(tmpdir) == NULL)
		return -1;
	/* Tests pay libsodium's minimum Argon2id cost. */
	keyfile_set_kdf_limits(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
	unsetenv("PAKT_PASSPHRASE");
	unsetenv("PAKT_PASSPHRASE_FILE");
	return 0;
}

static int group_teardown(void **state)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(tmpdir);

	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s", tmpdir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	return rmdir(tmpdir) == 0 ? 0 : -1;
}

/* ---- identities ---- */

/* The same seed always gives the same key pair, as libsodium derives it. */
static void test_from_seed_deterministic(void **state)
{
	uint8_t seed[32], pk[32], sk[64];
	struct keys_identity a, b, c;
	const uint8_t *s;

	memset(seed, 7, sizeof seed);
	crypto_sign_seed_keypair(pk, sk, seed);
	assert_int_equal(keys_from_seed(&a, seed), 0);
	assert_int_equal(keys_from_seed(&b, seed), 0);
	assert_memory_equal(a.pk, b.pk, 32);
	assert_memory_equal(a.pk, pk, 32);
	s = keys_sk_open(&a);
	assert_memory_equal(s, sk, 64);
	keys_sk_close(&a);
	seed[0] ^= 1;
	assert_int_equal(keys_from_seed(&c, seed), 0);
	assert_memory_not_equal(a.pk, c.pk, 32);
	keys_free(&a);
	keys_free(&b);
	keys_free(&c);
	sodium_memzero(sk, sizeof sk);
}

/* A generated identity signs; keys_free empties it and is idempotent. */
static void test_generate_sign_free(void **state)
{
	struct keys_identity id;

	assert_int_equal(keys_generate(&id), 0);
	assert_signs(&id);
	keys_free(&id);
	assert_null(id.sk);
	assert_null(keys_sk_open(&id));
	keys_free(&id);
	keys_free(NULL);
}

/* The X25519 secret's public point is the converted Ed25519 public key. */
static void test_x25519_matches_scalarmult(void **state)
{
	struct keys_identity id;
	uint8_t x_pk[32], x_sk[32], base[32], x_pk2[32], bad[32] = { 0 };

	assert_int_equal(keys_generate(&id), 0);
	assert_int_equal(keys_to_x25519(&id, x_pk, x_sk), 0);
	assert_int_equal(crypto_scalarmult_base(base, x_sk), 0);
	assert_memory_equal(base, x_pk, 32);
	assert_int_equal(keys_pk_to_x25519(id.pk, x_pk2), 0);
	assert_memory_equal(x_pk2, x_pk, 32);
	/* The all-zero point is of small order: refused. */
	assert_int_equal(keys_pk_to_x25519(bad, x_pk2), PAKT_EINVAL);
	sodium_memzero(x_sk, sizeof x_sk);
	keys_free(&id);
}

/* ---- key files ---- */

/* Unencrypted: write then read gives the same key, which signs. */
static void test_roundtrip_plain(void **state)
{
	struct keys_identity id, back;
	char path[256], text[FILE_MAX];
	bool enc = true;
	size_t n;

	new_keyfile("plain.key", NULL, path, &id);
	n = slurp(path, text, sizeof text);
	assert_true(n > 30 && text[n - 1] == '\n');
	assert_memory_equal(text, "# pakt secret key v1 pk_", 24);
	assert_int_equal(keyfile_is_encrypted(path, &enc, why, sizeof why), 0);
	assert_false(enc);
	assert_int_equal(keyfile_read(path, NULL, &back, why, sizeof why), 0);
	assert_memory_equal(back.pk, id.pk, 32);
	assert_signs(&back);
	keys_free(&back);
	/* A passphrase given for a plain file is not needed, not an error. */
	assert_int_equal(keyfile_read(path, PASS, &back, why, sizeof why), 0);
	keys_free(&back);
	keys_free(&id);
}

/* The plain file for seed 0x01 * 32 is byte for byte KEYFILE.md's example. */
static void test_vector_plain(void **state)
{
	static const char expect[] =
		"# pakt secret key v1 pk_rkeohxlubhyzl7ks3mwtzos5olfgocn7dwkbeg7toseadnapn5ofqri25u\n"
		"iaNrZGakbm9uZaNtZW0ApW5vbmNlxBgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACjb3BzAKJwa8Qgiojj3XQJ"
		"8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1ykc2FsdMQQAAAAAAAAAAAAAAAAAAAAAKRzZWVkxCABAQEBAQEB"
		"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAaNzdW3EEHwCxxnIggjBuGpPONYJMaqhdgE=\n";
	struct keys_identity id;
	char path[256], text[FILE_MAX];
	uint8_t seed[32];
	size_t n;

	memset(seed, 1, sizeof seed);
	path_in(path, sizeof path, "vector.key");
	assert_int_equal(keys_from_seed(&id, seed), 0);
	assert_int_equal(keyfile_write(path, &id, NULL, why, sizeof why), 0);
	n = slurp(path, text, sizeof text);
	assert_int_equal(n, sizeof expect - 1);
	assert_memory_equal(text, expect, n);
	keys_free(&id);
}

/* Encrypted: the right passphrase gives back the key, which signs. */
static void test_roundtrip_encrypted(void **state)
{
	struct keys_identity id, back;
	char path[256];
	bool enc = false;

	new_keyfile("enc.key", PASS, path, &id);
	assert_int_equal(keyfile_is_encrypted(path, &enc, why, sizeof why), 0);
	assert_true(enc);
	assert_int_equal(keyfile_read(path, PASS, &back, why, sizeof why), 0);
	assert_memory_equal(back.pk, id.pk, 32);
	assert_signs(&back);
	keys_free(&back);
	keys_free(&id);
}

/* A wrong passphrase is PAKT_EPASS and leaves no secret behind. */
static void test_wrong_passphrase(void **state)
{
	struct keys_identity id, back;
	char path[256];

	new_keyfile("wrong.key", PASS, path, &id);
	assert_int_equal(keyfile_read(path, "correct horse battery stapler", &back,
				      why, sizeof why), PAKT_EPASS);
	assert_null(back.sk);
	assert_non_null(strstr(why, "wrong passphrase"));
	keys_free(&id);
}

/* An encrypted file read without a passphrase (NULL or "") asks for one. */
static void test_encrypted_needs_passphrase(void **state)
{
	struct keys_identity id, back;
	char path[256];

	new_keyfile("need.key", PASS, path, &id);
	assert_int_equal(keyfile_read(path, NULL, &back, why, sizeof why),
			 PAKT_ENEEDPASS);
	assert_int_equal(keyfile_read(path, "", &back, why, sizeof why),
			 PAKT_ENEEDPASS);
	keys_free(&id);
}

/* The file is created 0600 whatever the umask. */
static void test_created_0600(void **state)
{
	struct keys_identity id;
	struct stat st;
	char path[256];
	mode_t old = umask(0);

	new_keyfile("mode.key", NULL, path, &id);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	keys_free(&id);
}

/* Writing over an existing file is PAKT_EEXIST and leaves it unchanged. */
static void test_no_overwrite(void **state)
{
	struct keys_identity id, other;
	char path[256], before[FILE_MAX], after[FILE_MAX];
	size_t n1, n2;

	new_keyfile("exist.key", NULL, path, &id);
	n1 = slurp(path, before, sizeof before);
	assert_int_equal(keys_generate(&other), 0);
	assert_int_equal(keyfile_write(path, &other, NULL, why, sizeof why),
			 PAKT_EEXIST);
	n2 = slurp(path, after, sizeof after);
	assert_int_equal(n1, n2);
	assert_memory_equal(before, after, n1);
	keys_free(&other);
	keys_free(&id);
}

/* A key file group or others can read is refused, with the fix in why. */
static void test_mode_0644_refused(void **state)
{
	struct keys_identity id, back;
	char path[256], expect[300];

	new_keyfile("open.key", NULL, path, &id);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(keyfile_read(path, NULL, &back, why, sizeof why), PAKT_EPERM);
	snprintf(expect, sizeof expect, "chmod 600 %s", path);
	assert_non_null(strstr(why, expect));
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(keyfile_read(path, NULL, &back, why, sizeof why), PAKT_EPERM);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(keyfile_read(path, NULL, &back, why, sizeof why), 0);
	keys_free(&back);
	keys_free(&id);
}

/* A key file that belongs to another uid is refused even at mode 0600
 * (its owner could read or replace it), with the fix in why. */
static void test_other_owner_refused(void **state)
{
	struct keys_identity id, back;
	char path[256], expect[300];
	int fd;

	new_keyfile("theirs.key", NULL, path, &id);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(ownerfile_check_owner(fd, geteuid(), "key file", path,
					       why, sizeof why), 0);
	assert_int_equal(ownerfile_check_owner(fd, geteuid() + 1, "key file",
					       path, why, sizeof why), PAKT_EPERM);
	snprintf(expect, sizeof expect, "chown %u %s", (unsigned)geteuid() + 1,
		 path);
	assert_non_null(strstr(why, expect));
	close(fd);
	/* as root, the whole read path: a file handed to nobody is refused */
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_int_equal(keyfile_read(path, NULL, &back, why, sizeof why),
				 PAKT_EPERM);
		assert_non_null(strstr(why, "belongs to uid 65534"));
		assert_int_equal(chown(path, 0, 0), 0);
	}
	assert_int_equal(keyfile_read(path, NULL, &back, why, sizeof why), 0);
	keys_free(&back);
	keys_free(&id);
}

/* A missing key file is PAKT_ENOTFOUND. */
static void test_missing_file(void **state)
{
	struct keys_identity back;
	char path[256];

	path_in(path, sizeof path, "nonexistent.key");
	assert_int_equal(keyfile_read(path, NULL, &back, why, sizeof why),
			 PAKT_ENOTFOUND);
}

/* A (checksum-valid) file of a later version is PAKT_EVERSION, checked
 * before the other fields, which a later version may change. */
static void test_version_2(void **state)
{
	struct keys_identity id, back;
	char path[256], text[FILE_MAX];
	uint8_t msg[512];
	size_t n, head;

	new_keyfile("v2.key", NULL, path, &id);
	n = decode_line2(text, slurp(path, text, sizeof text), msg, sizeof msg, &head);
	/* "v" sorts last, and 1 is a positive fixint: the map's last byte. */
	assert_int_equal(msg[n - 1], 0x01);
	msg[n - 1] = 0x02;
	fix_checksum(msg, n);
	respit(path, text, head, msg, n);
	assert_int_equal(keyfile_read(path, NULL, &back, why, sizeof why),
			 PAKT_EVERSION);
	assert_non_null(strstr(why, "version 2"));
	keys_free(&id);
}

/* Cut at every length short of the final newline: always PAKT_EFORMAT. */
static void test_truncated(void **state)
{
	struct keys_identity id, back;
	char path[256], cut[256], text[FILE_MAX];
	size_t n, len;

	new_keyfile("full.key", NULL, path, &id);
	n = slurp(path, text, sizeof text);
	path_in(cut, sizeof cut, "cut.key");
	for (len = 0; len + 1 < n; len++) {
		spit(cut, text, len);
		assert_int_equal(keyfile_read(cut, NULL, &back, why, sizeof why),
				 PAKT_EFORMAT);
		assert_null(back.sk);
	}
	/* Without only its final newline the file is still whole. */
	spit(cut, text, n - 1);
	assert_int_equal(keyfile_read(cut, NULL, &back, why, sizeof why), 0);
	keys_free(&back);
	keys_free(&id);
}

/* Any character of the base64 line replaced is PAKT_EFORMAT, for plain
 * and encrypted files alike: the checksum covers every field (the
 * encrypted seed and the version included) and is checked first, before
 * the version and before decryption, so damage is reported as damage,
 * never as a wrong passphrase or a newer version; PAKT_EPASS means the
 * file is intact. (A flip in the '=' padding or the unused low bits makes
 * invalid base64: also PAKT_EFORMAT.) */
static void test_flipped_byte(void **state)
{
	static const char *const passes[] = { NULL, PASS };
	struct keys_identity id, back;
	char path[256], bad[256], text[FILE_MAX], copy[FILE_MAX];
	size_t n, head, i;
	int p;

	path_in(bad, sizeof bad, "flip.key");
	for (p = 0; p < 2; p++) {
		new_keyfile(p ? "flip-enc.key" : "flip-plain.key", passes[p], path, &id);
		n = slurp(path, text, sizeof text);
		head = (size_t)((char *)memchr(text, '\n', n) + 1 - text);
		for (i = head; i + 1 < n; i++) {
			memcpy(copy, text, n);
			copy[i] = copy[i] == 'A' ? 'B' : 'A';
			spit(bad, copy, n);
			assert_int_equal(keyfile_read(bad, passes[p], &back, why,
						      sizeof why), PAKT_EFORMAT);
		}
		keys_free(&id);
	}
}

/* An edited encrypted seed with a recomputed checksum fails to decrypt:
 * PAKT_EPASS (wrong passphrase or deliberate edit look the same). */
static void test_tampered_seed_encrypted(void **state)
{
	struct keys_identity id, back;
	char path[256], text[FILE_MAX];
	uint8_t msg[512];
	size_t n, head;

	new_keyfile("tamper-enc.key", PASS, path, &id);
	n = decode_line2(text, slurp(path, text, sizeof text), msg, sizeof msg, &head);
	msg[field_at(msg, n, "seed") + 2] ^= 0x01;
	fix_checksum(msg, n);
	respit(path, text, head, msg, n);
	assert_int_equal(keyfile_read(path, PASS, &back, why, sizeof why), PAKT_EPASS);
	keys_free(&id);
}

/* A plain seed that does not derive the stored pk is PAKT_EFORMAT. */
static void test_seed_pk_mismatch(void **state)
{
	struct keys_identity id, back;
	char path[256], text[FILE_MAX];
	uint8_t msg[512];
	size_t n, head;

	new_keyfile("mismatch.key", NULL, path, &id);
	n = decode_line2(text, slurp(path, text, sizeof text), msg, sizeof msg, &head);
	msg[field_at(msg, n, "pk") + 2] ^= 0x01;
	fix_checksum(msg, n);
	respit(path, text, head, msg, n);
	assert_int_equal(keyfile_read(path, NULL, &back, why, sizeof why), PAKT_EFORMAT);
	assert_non_null(strstr(why, "does not match"));
	keys_free(&id);
}

/* New encrypted files carry libsodium's MODERATE cost (3, 256 MiB), not
 * INTERACTIVE (2, 64 MiB); PAKT_TEST_WEAK_KDF=1 gives the minimum. Only
 * the write pays Argon2id: the cost is read back from the file. */
static void test_default_cost_moderate(void **state)
{
	struct keys_identity id;
	char path[256];
	uint64_t ops, mem;
	bool enc;

	keyfile_reset_kdf_limits();
	unsetenv("PAKT_TEST_WEAK_KDF");
	new_keyfile("moderate.key", PASS, path, &id);
	file_cost(path, &ops, &mem);
	assert_int_equal(ops, crypto_pwhash_OPSLIMIT_MODERATE);
	assert_int_equal(mem, crypto_pwhash_MEMLIMIT_MODERATE);
	assert_int_equal(keyfile_read_public(path, NULL, &enc, why, sizeof why), 0);
	assert_true(enc);
	keys_free(&id);

	setenv("PAKT_TEST_WEAK_KDF", "1", 1);
	new_keyfile("weak.key", PASS, path, &id);
	unsetenv("PAKT_TEST_WEAK_KDF");
	file_cost(path, &ops, &mem);
	assert_int_equal(ops, crypto_pwhash_OPSLIMIT_MIN);
	assert_int_equal(mem, crypto_pwhash_MEMLIMIT_MIN);
	keys_free(&id);
	keyfile_set_kdf_limits(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
}

/* A file written at the former INTERACTIVE cost still opens. */
static void test_interactive_file_opens(void **state)
{
	struct keys_identity id, back;
	char path[256];
	uint64_t ops, mem;

	keyfile_set_kdf_limits(crypto_pwhash_OPSLIMIT_INTERACTIVE,
			       crypto_pwhash_MEMLIMIT_INTERACTIVE);
	new_keyfile("interactive.key", PASS, path, &id);
	keyfile_set_kdf_limits(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
	file_cost(path, &ops, &mem);
	assert_int_equal(ops, crypto_pwhash_OPSLIMIT_INTERACTIVE);
	assert_int_equal(mem, crypto_pwhash_MEMLIMIT_INTERACTIVE);
	assert_int_equal(keyfile_read(path, PASS, &back, why, sizeof why), 0);
	assert_memory_equal(back.pk, id.pk, sizeof id.pk);
	keys_free(&back);
	keys_free(&id);
}

/* A hostile Argon2id cost (2 GiB) is refused before any allocation. */
static void test_hostile_kdf_cost(void **state)
{
	struct keys_identity id, back;
	char path[256], text[FILE_MAX];
	uint8_t msg[512], big[512];
	size_t n, head, m, at;

	new_keyfile("cost.key", PASS, path, &id);
	n = decode_line2(text, slurp(path, text, sizeof text), msg, sizeof msg, &head);
	/* 8 KiB is a uint16 (cd 20 00) after the key "mem". */
	for (at = 0; memcmp(msg + at, "\xa3mem", 4) != 0; at++)
		assert_true(at + 8 < n);
	at += 4;
	assert_int_equal(msg[at], 0xcd);
	memcpy(big, msg, at);
	m = at;
	big[m++] = 0xce; /* uint32 0x80000000 = 2 GiB */
	memcpy(big + m, "\x80\x00\x00\x00", 4);
	m += 4;
	memcpy(big + m, msg + at + 3, n - at - 3);
	m += n - at - 3;
	fix_checksum(big, m);
	respit(path, text, head, big, m);
	assert_int_equal(keyfile_read(path, PASS, &back, why, sizeof why), PAKT_EFORMAT);
	assert_non_null(strstr(why, "out of range"));
	keys_free(&id);
}

/* Garbage: wrong line 1, binary, trailing lines, over the size cap. */
static void test_garbage(void **state)
{
	struct keys_identity id, back;
	char path[256], text[FILE_MAX], big[5000];
	size_t n;

	new_keyfile("orig.key", NULL, path, &id);
	n = slurp(path, text, sizeof text);
	/* No comment line. */
	spit(path, text + 1, n - 1);
	assert_int_equal(keyfile_read(path, NULL, &back, why, sizeof why), PAKT_EFORMAT);
	/* A third line. */
	memcpy(text + n, "x\n", 2);
	spit(path, text, n + 2);
	assert_int_equal(keyfile_read(path, NULL, &back, why, sizeof why), PAKT_EFORMAT);
	/* A NUL byte. */
	text[30] = '\0';
	spit(path, text, n);
	assert_int_equal(keyfile_read(path, NULL, &back, why, sizeof why), PAKT_EFORMAT);
	/* Too large, even if it starts right. */
	memset(big, 'A', sizeof big);
	memcpy(big, "# pakt secret key v1\n", 21);
	spit(path, big, sizeof big);
	assert_int_equal(keyfile_read(path, NULL, &back, why, sizeof why), PAKT_EFORMAT);
	assert_non_null(strstr(why, "too large"));
	/* Valid base64 of something that is not our map. */
	spit(path, "# pakt secret key v1\nkwECAw==\n", 30);
	assert_int_equal(keyfile_read(path, NULL, &back, why, sizeof why), PAKT_EFORMAT);
	/* Headers claiming 2^31 map pairs, 2^28 array items: refused from the
	 * bytes left, before msgpack-c would allocate for them. */
	spit(path, "# pakt secret key v1\n33////8=\n", 30);
	assert_int_equal(keyfile_read(path, NULL, &back, why, sizeof why), PAKT_EFORMAT);
	spit(path, "# pakt secret key v1\ngaF23RAAAAA=\n", 34);
	assert_int_equal(keyfile_read(path, NULL, &back, why, sizeof why), PAKT_EFORMAT);
	keys_free(&id);
}

/* ---- passphrases ---- */

static void write_pass_file(const char *path, const char *content, mode_t mode)
{
	spit(path, content, strlen(content));
	assert_int_equal(chmod(path, mode), 0);
}

/* An explicit file gives its first line, without the newline. */
static void test_passphrase_file(void **state)
{
	char path[256], *p = NULL;

	path_in(path, sizeof path, "pass.txt");
	write_pass_file(path, "s3cret words\nsecond line\n", 0600);
	assert_int_equal(passphrase_get(&p, path, NULL, false, why, sizeof why), 0);
	assert_string_equal(p, "s3cret words");
	passphrase_free(p);
	/* An explicit file wins over the environment. */
	setenv("PAKT_PASSPHRASE", "from env", 1);
	assert_int_equal(passphrase_get(&p, path, NULL, false, why, sizeof why), 0);
	assert_string_equal(p, "s3cret words");
	passphrase_free(p);
	unsetenv("PAKT_PASSPHRASE");
}

/* A passphrase file others can read is refused; a missing one is an error,
 * not "no passphrase"; an empty one is PAKT_EINVAL. */
static void test_passphrase_file_errors(void **state)
{
	char path[256], expect[300], *p = NULL;

	path_in(path, sizeof path, "pass-open.txt");
	write_pass_file(path, "x\n", 0644);
	assert_int_equal(passphrase_get(&p, path, NULL, false, why, sizeof why),
			 PAKT_EPERM);
	snprintf(expect, sizeof expect, "chmod 600 %s", path);
	assert_non_null(strstr(why, expect));
	assert_null(p);
	write_pass_file(path, "\n", 0600);
	assert_int_equal(passphrase_get(&p, path, NULL, false, why, sizeof why),
			 PAKT_EINVAL);
	path_in(path, sizeof path, "no-such-pass.txt");
	assert_int_equal(passphrase_get(&p, path, NULL, false, why, sizeof why),
			 PAKT_EIO);
}

/* $PAKT_PASSPHRASE_FILE, then $PAKT_PASSPHRASE; nothing and no prompt is
 * PAKT_ENOTFOUND. */
static void test_passphrase_env(void **state)
{
	char path[256], *p = NULL;

	path_in(path, sizeof path, "pass-env.txt");
	write_pass_file(path, "from file", 0600); /* no final newline */
	setenv("PAKT_PASSPHRASE", "from env", 1);
	assert_int_equal(passphrase_get(&p, NULL, NULL, false, why, sizeof why), 0);
	assert_string_equal(p, "from env");
	passphrase_free(p);
	setenv("PAKT_PASSPHRASE_FILE", path, 1);
	assert_int_equal(passphrase_get(&p, NULL, NULL, false, why, sizeof why), 0);
	assert_string_equal(p, "from file");
	passphrase_free(p);
	unsetenv("PAKT_PASSPHRASE_FILE");
	unsetenv("PAKT_PASSPHRASE");
	assert_int_equal(passphrase_get(&p, NULL, NULL, false, why, sizeof why),
			 PAKT_ENOTFOUND);
	assert_null(p);
}

/* A passphrase from the environment opens a key written with it. */
static void test_passphrase_opens_keyfile(void **state)
{
	struct keys_identity id, back;
	char path[256], *p = NULL;

	new_keyfile("env.key", PASS, path, &id);
	setenv("PAKT_PASSPHRASE", PASS, 1);
	assert_int_equal(passphrase_get(&p, NULL, NULL, false, why, sizeof why), 0);
	unsetenv("PAKT_PASSPHRASE");
	assert_int_equal(keyfile_read(path, p, &back, why, sizeof why), 0);
	passphrase_free(p);
	assert_memory_equal(back.pk, id.pk, 32);
	keys_free(&back);
	keys_free(&id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_seed_deterministic),
		cmocka_unit_test(test_generate_sign_free),
		cmocka_unit_test(test_x25519_matches_scalarmult),
		cmocka_unit_test(test_roundtrip_plain),
		cmocka_unit_test(test_vector_plain),
		cmocka_unit_test(test_roundtrip_encrypted),
		cmocka_unit_test(test_wrong_passphrase),
		cmocka_unit_test(test_encrypted_needs_passphrase),
		cmocka_unit_test(test_created_0600),
		cmocka_unit_test(test_no_overwrite),
		cmocka_unit_test(test_mode_0644_refused),
		cmocka_unit_test(test_other_owner_refused),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_version_2),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_flipped_byte),
		cmocka_unit_test(test_tampered_seed_encrypted),
		cmocka_unit_test(test_seed_pk_mismatch),
		cmocka_unit_test(test_default_cost_moderate),
		cmocka_unit_test(test_interactive_file_opens),
		cmocka_unit_test(test_hostile_kdf_cost),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_passphrase_file),
		cmocka_unit_test(test_passphrase_file_errors),
		cmocka_unit_test(test_passphrase_env),
		cmocka_unit_test(test_passphrase_opens_keyfile),
	};

	return cmocka_run_group_tests_name("keys", tests, group_setup,
					   group_teardown);
}
