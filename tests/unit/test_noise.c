/* Unit tests of proto/noise: the published XX/XXpsk3 vectors byte for byte, then handshake and transport failure modes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "proto/err.h"
#include "proto/noise.h"

#define NAME_XX "Noise_XX_25519_ChaChaPoly_BLAKE2b"
#define NAME_XXPSK3 "Noise_XXpsk3_25519_ChaChaPoly_BLAKE2b"

/* ---- a JSON reader for exactly the shape of the files in tests/vectors/noise/ ---- */

#define TV_MAX 512      /* bytes of one decoded hex field */
#define TV_MSGS 8

struct tv_msg {
	uint8_t payload[TV_MAX];
	size_t payload_len;
	uint8_t ct[TV_MAX];
	size_t ct_len;
};

struct tv {
	char name[64];
	uint8_t init_prologue[TV_MAX], resp_prologue[TV_MAX];
	size_t init_prologue_len, resp_prologue_len;
	uint8_t init_static[32], init_ephemeral[32];
	uint8_t resp_static[32], resp_ephemeral[32];
	size_t init_psks, resp_psks;               /* how many were listed */
	uint8_t init_psk[32], resp_psk[32];
	bool has_hash;
	uint8_t hash[NOISE_HASH_LEN];
	size_t n_msgs;
	struct tv_msg msgs[TV_MSGS];
	unsigned seen;                             /* TV_F_* fields present */
};

enum {
	TV_F_NAME = 1, TV_F_IPRO = 2, TV_F_RPRO = 4, TV_F_IS = 8, TV_F_IE = 16,
	TV_F_RS = 32, TV_F_RE = 64, TV_F_MSGS = 128, TV_F_ALL = 255,
};

struct jp {
	const char *p, *end;
};

static bool jp_lit(struct jp *j, char c)
{
	while (j->p < j->end && isspace((unsigned char)*j->p))
		j->p++;
	if (j->p < j->end && *j->p == c) {
		j->p++;
		return true;
	}
	return false;
}

/* A string into out[cap]; the files have no escapes, so none are accepted. */
static bool jp_str(struct jp *j, char *out, size_t cap)
{
	size_t n = 0;

	if (!jp_lit(j, '"'))
		return false;
	while (j->p < j->end && *j->p != '"') {
		if (*j->p == '\\' || n + 1 >= cap)
			return false;
		out[n++] = *j->p++;
	}
	if (j->p == j->end)
		return false;
	j->p++;
	out[n] = '\0';
	return true;
}

/* Whole-string hex into out[cap]; want 0 accepts any length. */
static bool hex_field(const char *hex, uint8_t *out, size_t cap, size_t *len, size_t want)
{
	const char *end;
	size_t n;

	if (sodium_hex2bin(out, cap, hex, strlen(hex), NULL, &n, &end) != 0 ||
	    *end != '\0' || (want != 0 && n != want))
		return false;
	if (len != NULL)
		*len = n;
	return true;
}

/* ["hex", ...]: counts the entries and keeps the first 32-byte key. */
static bool jp_psks(struct jp *j, size_t *count, uint8_t psk[32])
{
	char s[TV_MAX * 2 + 1];

	*count = 0;
	if (!jp_lit(j, '['))
		return false;
	if (jp_lit(j, ']'))
		return true;
	do {
		if (!jp_str(j, s, sizeof s) ||
		    !hex_field(s, psk, 32, NULL, *count == 0 ? 32 : 0))
			return false;
		(*count)++;
	} while (jp_lit(j, ','));
	return jp_lit(j, ']');
}

/* [{"payload": "hex", "ciphertext": "hex"}, ...] */
static bool jp_messages(struct jp *j, struct tv *v)
{
	char key[32], s[TV_MAX * 2 + 1];

	if (!jp_lit(j, '['))
		return false;
	if (jp_lit(j, ']'))
		return true;
	do {
		struct tv_msg *m;
		unsigned got = 0;

		if (v->n_msgs == TV_MSGS || !jp_lit(j, '{'))
			return false;
		m = &v->msgs[v->n_msgs++];
		do {
			if (!jp_str(j, key, sizeof key) || !jp_lit(j, ':') ||
			    !jp_str(j, s, sizeof s))
				return false;
			if (strcmp(key, "payload") == 0 &&
			    hex_field(s, m->payload, TV_MAX, &m->payload_len, 0))
				got |= 1;
			else if (strcmp(key, "ciphertext") == 0 &&
				 hex_field(s, m->ct, TV_MAX, &m->ct_len, 0))
				got |= 2;
			else
				return false;
		} while (jp_lit(j, ','));
		if (got != 3 || !jp_lit(j, '}'))
			return false;
	} while (jp_lit(j, ','));
	return jp_lit(j, ']');
}

/* One vector object. Unknown string fields (noise-c's pattern, dh, ...) are
 * skipped; noise-c spells protocol_name "name". */
static bool jp_vector(struct jp *j, struct tv *v)
{
	char key[32], s[TV_MAX * 2 + 1];

	memset(v, 0, sizeof *v);
	if (!jp_lit(j, '{'))
		return false;
	do {
		bool ok = true;

		if (!jp_str(j, key, sizeof key) || !jp_lit(j, ':'))
			return false;
		if (strcmp(key, "messages") == 0) {
			ok = jp_messages(j, v);
			v->seen |= TV_F_MSGS;
		} else if (strcmp(key, "init_psks") == 0) {
			ok = jp_psks(j, &v->init_psks, v->init_psk);
		} else if (strcmp(key, "resp_psks") == 0) {
			ok = jp_psks(j, &v->resp_psks, v->resp_psk);
		} else if (!jp_str(j, s, sizeof s)) {
			return false;
		} else if (strcmp(key, "protocol_name") == 0 || strcmp(key, "name") == 0) {
			ok = strlen(s) < sizeof v->name;
			if (ok)
				memcpy(v->name, s, strlen(s) + 1);
			v->seen |= TV_F_NAME;
		} else if (strcmp(key, "init_prologue") == 0) {
			ok = hex_field(s, v->init_prologue, TV_MAX, &v->init_prologue_len, 0);
			v->seen |= TV_F_IPRO;
		} else if (strcmp(key, "resp_prologue") == 0) {
			ok = hex_field(s, v->resp_prologue, TV_MAX, &v->resp_prologue_len, 0);
			v->seen |= TV_F_RPRO;
		} else if (strcmp(key, "init_static") == 0) {
			ok = hex_field(s, v->init_static, 32, NULL, 32);
			v->seen |= TV_F_IS;
		} else if (strcmp(key, "init_ephemeral") == 0) {
			ok = hex_field(s, v->init_ephemeral, 32, NULL, 32);
			v->seen |= TV_F_IE;
		} else if (strcmp(key, "resp_static") == 0) {
			ok = hex_field(s, v->resp_static, 32, NULL, 32);
			v->seen |= TV_F_RS;
		} else if (strcmp(key, "resp_ephemeral") == 0) {
			ok = hex_field(s, v->resp_ephemeral, 32, NULL, 32);
			v->seen |= TV_F_RE;
		} else if (strcmp(key, "handshake_hash") == 0) {
			ok = hex_field(s, v->hash, sizeof v->hash, NULL, NOISE_HASH_LEN);
			v->has_hash = true;
		}
		if (!ok)
			return false;
	} while (jp_lit(j, ','));
	return jp_lit(j, '}') && v->seen == TV_F_ALL;
}

/* ---- driving both parties ---- */

/* Plays one vector: every handshake and transport message must match. */
static void tv_run(const struct tv *v)
{
	struct noise_hs ini, res;
	struct noise_cipher ini_tx, ini_rx, res_tx, res_rx;
	uint8_t wire[TV_MAX + 128], pt[TV_MAX], hash_i[NOISE_HASH_LEN], hash_r[NOISE_HASH_LEN];
	uint8_t pk[32];
	bool psk3 = strcmp(v->name, NAME_XXPSK3) == 0;
	size_t n, m;

	assert_true(psk3 || strcmp(v->name, NAME_XX) == 0);
	assert_int_equal(v->init_psks, psk3 ? 1 : 0);
	assert_int_equal(v->resp_psks, psk3 ? 1 : 0);
	assert_true(v->n_msgs >= 3);

	assert_int_equal(noise_hs_init(&ini, true, v->init_prologue, v->init_prologue_len,
				       v->init_static, v->init_ephemeral,
				       psk3 ? v->init_psk : NULL), 0);
	assert_int_equal(noise_hs_init(&res, false, v->resp_prologue, v->resp_prologue_len,
				       v->resp_static, v->resp_ephemeral,
				       psk3 ? v->resp_psk : NULL), 0);

	for (size_t i = 0; i < v->n_msgs; i++) {
		const struct tv_msg *msg = &v->msgs[i];
		bool from_ini = i % 2 == 0;   /* XX alternates, also after the split */

		if (i < 3) {
			struct noise_hs *w = from_ini ? &ini : &res, *r = from_ini ? &res : &ini;

			assert_int_equal(noise_hs_write(w, msg->payload, msg->payload_len,
							wire, sizeof wire, &n), 0);
			assert_int_equal(n, msg->ct_len);
			assert_memory_equal(wire, msg->ct, n);
			assert_int_equal(noise_hs_read(r, wire, n, pt, sizeof pt, &m), 0);
			assert_int_equal(m, msg->payload_len);
			assert_memory_equal(pt, msg->payload, m);
			if (i < 2)
				continue;
			assert_true(noise_hs_done(&ini) && noise_hs_done(&res));
			crypto_scalarmult_base(pk, v->resp_static);
			assert_memory_equal(noise_hs_remote_static(&ini), pk, 32);
			crypto_scalarmult_base(pk, v->init_static);
			assert_memory_equal(noise_hs_remote_static(&res), pk, 32);
			assert_int_equal(noise_hs_split(&ini, &ini_tx, &ini_rx, hash_i), 0);
			assert_int_equal(noise_hs_split(&res, &res_tx, &res_rx, hash_r), 0);
			assert_memory_equal(hash_i, hash_r, NOISE_HASH_LEN);
			if (v->has_hash)
				assert_memory_equal(hash_i, v->hash, NOISE_HASH_LEN);
		} else {
			struct noise_cipher *tx = from_ini ? &ini_tx : &res_tx;
			struct noise_cipher *rx = from_ini ? &res_rx : &ini_rx;

			assert_int_equal(msg->ct_len, msg->payload_len + NOISE_TAG_LEN);
			assert_int_equal(noise_encrypt(tx, msg->payload, msg->payload_len, wire), 0);
			assert_memory_equal(wire, msg->ct, msg->ct_len);
			assert_int_equal(noise_decrypt(rx, wire, msg->ct_len, pt), 0);
			assert_memory_equal(pt, msg->payload, msg->payload_len);
		}
	}
	noise_hs_wipe(&ini);
	noise_hs_wipe(&res);
	noise_cipher_wipe(&ini_tx);
	noise_cipher_wipe(&ini_rx);
	noise_cipher_wipe(&res_tx);
	noise_cipher_wipe(&res_rx);
}

/* Runs every vector of one file; returns how many. */
static size_t tv_run_file(const char *path)
{
	struct tv *v = calloc(1, sizeof *v);
	struct jp j;
	char *text;
	long size;
	size_t count = 0;
	FILE *f = fopen(path, "rb");

	assert_non_null(v);
	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0 && size < 1 << 20);
	rewind(f);
	text = malloc((size_t)size);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
	fclose(f);

	j.p = text;
	j.end = text + size;
	if (!jp_lit(&j, '{') || !jp_str(&j, v->name, sizeof v->name) ||
	    strcmp(v->name, "vectors") != 0 || !jp_lit(&j, ':') || !jp_lit(&j, '['))
		fail_msg("%s: expected {\"vectors\": [", path);
	do {
		if (!jp_vector(&j, v))
			fail_msg("%s: cannot parse vector %zu", path, count);
		tv_run(v);
		count++;
	} while (jp_lit(&j, ','));
	if (!jp_lit(&j, ']') || !jp_lit(&j, '}'))
		fail_msg("%s: trailing data after vector %zu", path, count);
	free(text);
	free(v);
	return count;
}

/* The published vectors of every file in tests/vectors/noise/ (3 files, 4 vectors) pass byte for byte. */
static void test_vectors(void **state)
{
	char dir[4096], path[4200];
	const char *src = getenv("PAKT_SRCDIR");
	struct dirent *de;
	size_t files = 0, vectors = 0;
	DIR *d;

	if (src != NULL && src[0] != '\0') {
		snprintf(dir, sizeof dir, "%s/tests/vectors/noise", src);
	} else {
		/* Not under make check: this file sits in <src>/tests/unit/. */
		const char *slash = strrchr(__FILE__, '/');
		int len = slash != NULL ? (int)(slash - __FILE__) : 1;

		snprintf(dir, sizeof dir, "%.*s/../vectors/noise", len,
			 slash != NULL ? __FILE__ : ".");
	}
	d = opendir(dir);
	if (d == NULL)
		fail_msg("cannot open %s (set PAKT_SRCDIR)", dir);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l < 5 || strcmp(de->d_name + l - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		vectors += tv_run_file(path);
		files++;
	}
	closedir(d);
	assert_int_equal(files, 3);
	assert_int_equal(vectors, 4);
}

/* ---- random-key pairs ---- */

struct pair {
	struct noise_hs i, r;
	uint8_t i_sk[32], i_pk[32], r_sk[32], r_pk[32];
	uint8_t wire[3][256];
	size_t len[3];
};

static const uint8_t payloads[3][12] = { "hello", "", "from init" };
static const size_t payload_lens[3] = { 5, 0, 9 };

/* Fresh random statics; prologues are C strings; psks may be NULL. */
static void pair_init(struct pair *p, const char *pro_i, const char *pro_r,
		      const uint8_t *psk_i, const uint8_t *psk_r)
{
	memset(p, 0, sizeof *p);
	randombytes_buf(p->i_sk, 32);
	randombytes_buf(p->r_sk, 32);
	crypto_scalarmult_base(p->i_pk, p->i_sk);
	crypto_scalarmult_base(p->r_pk, p->r_sk);
	assert_int_equal(noise_hs_init(&p->i, true, (const uint8_t *)pro_i, strlen(pro_i),
				       p->i_sk, NULL, psk_i), 0);
	assert_int_equal(noise_hs_init(&p->r, false, (const uint8_t *)pro_r, strlen(pro_r),
				       p->r_sk, NULL, psk_r), 0);
}

/* Writes message k (asserting success) into p->wire[k]. */
static void pair_write(struct pair *p, int k)
{
	struct noise_hs *w = k % 2 == 0 ? &p->i : &p->r;

	assert_int_equal(noise_hs_write(w, payloads[k], payload_lens[k], p->wire[k],
					sizeof p->wire[k], &p->len[k]), 0);
}

/* Reads msg[len] as message k on the receiving side; returns its result.
 * The payload is checked only when msg is the genuine message. */
static int pair_read(struct pair *p, int k, const uint8_t *msg, size_t len)
{
	struct noise_hs *r = k % 2 == 0 ? &p->r : &p->i;
	uint8_t pt[256];
	size_t n = 0;
	int rc = noise_hs_read(r, msg, len, pt, sizeof pt, &n);

	if (rc == 0 && msg == p->wire[k] && len == p->len[k]) {
		assert_int_equal(n, payload_lens[k]);
		assert_memory_equal(pt, payloads[k], n);
	}
	return rc;
}

/* Messages 0..k-1 exchanged normally. */
static void pair_run_to(struct pair *p, int k)
{
	for (int m = 0; m < k; m++) {
		pair_write(p, m);
		assert_int_equal(pair_read(p, m, p->wire[m], p->len[m]), 0);
	}
}

static void pair_wipe(struct pair *p)
{
	noise_hs_wipe(&p->i);
	noise_hs_wipe(&p->r);
}

/* Two random-key parties finish XX, agree on hash and keys, and talk both ways (also in place). */
static void test_round_trip(void **state)
{
	struct pair p;
	struct noise_cipher itx, irx, rtx, rrx;
	uint8_t hi[NOISE_HASH_LEN], hr[NOISE_HASH_LEN], buf[64], out[64];

	pair_init(&p, "pakt/1 net", "pakt/1 net", NULL, NULL);
	assert_false(noise_hs_done(&p.i));
	pair_run_to(&p, 3);
	assert_int_equal(p.len[0], 32 + 5);
	assert_int_equal(p.len[1], 32 + 48 + 0 + 16);
	assert_int_equal(p.len[2], 48 + 9 + 16);
	assert_true(noise_hs_done(&p.i) && noise_hs_done(&p.r));
	assert_int_equal(noise_hs_split(&p.i, &itx, &irx, hi), 0);
	assert_int_equal(noise_hs_split(&p.r, &rtx, &rrx, NULL), 0);
	assert_int_equal(noise_hs_split(&p.r, &rtx, &rrx, hr), PAKT_EHANDSHAKE);
	assert_memory_equal(itx.k, rrx.k, 32);
	assert_memory_equal(irx.k, rtx.k, 32);
	assert_memory_not_equal(itx.k, irx.k, 32);

	assert_int_equal(noise_encrypt(&itx, (const uint8_t *)"ping", 4, buf), 0);
	assert_int_equal(noise_decrypt(&rrx, buf, 4 + NOISE_TAG_LEN, out), 0);
	assert_memory_equal(out, "ping", 4);
	memcpy(buf, "pong!", 5);
	assert_int_equal(noise_encrypt(&rtx, buf, 5, buf), 0);
	assert_int_equal(noise_decrypt(&irx, buf, 5 + NOISE_TAG_LEN, buf), 0);
	assert_memory_equal(buf, "pong!", 5);
	assert_int_equal(noise_encrypt(&rtx, NULL, 0, buf), 0);
	assert_int_equal(noise_decrypt(&irx, buf, NOISE_TAG_LEN, NULL), 0);
	assert_int_equal(itx.n, 1);
	assert_int_equal(irx.n, 2);

	noise_cipher_wipe(&itx);
	assert_false(itx.has_key);
	assert_int_equal(noise_encrypt(&itx, buf, 1, out), PAKT_EINVAL);
	noise_cipher_wipe(&irx);
	noise_cipher_wipe(&rtx);
	noise_cipher_wipe(&rrx);
	pair_wipe(&p);
}

/* Each side's remote static is NULL until the peer's s token arrives, then the peer's public key, also after the split. */
static void test_remote_static(void **state)
{
	struct pair p;
	struct noise_cipher tx, rx;

	pair_init(&p, "", "", NULL, NULL);
	assert_null(noise_hs_remote_static(&p.i));
	assert_null(noise_hs_remote_static(&p.r));
	pair_run_to(&p, 2);
	assert_memory_equal(noise_hs_remote_static(&p.i), p.r_pk, 32);
	assert_null(noise_hs_remote_static(&p.r));
	pair_write(&p, 2);
	assert_int_equal(pair_read(&p, 2, p.wire[2], p.len[2]), 0);
	assert_memory_equal(noise_hs_remote_static(&p.r), p.i_pk, 32);
	assert_int_equal(noise_hs_split(&p.r, &tx, &rx, NULL), 0);
	assert_memory_equal(noise_hs_remote_static(&p.r), p.i_pk, 32);
	noise_hs_wipe(&p.r);
	assert_null(noise_hs_remote_static(&p.r));
	noise_cipher_wipe(&tx);
	noise_cipher_wipe(&rx);
	pair_wipe(&p);
}

/* Different prologues (another network) fail with PAKT_EDECRYPT when the initiator reads message 1. */
static void test_prologue_mismatch(void **state)
{
	struct pair p;

	pair_init(&p, "pakt/1 network A", "pakt/1 network B", NULL, NULL);
	pair_run_to(&p, 1);   /* message 0 is not authenticated in XX */
	pair_write(&p, 1);
	assert_int_equal(pair_read(&p, 1, p.wire[1], p.len[1]), PAKT_EDECRYPT);
	assert_false(noise_hs_done(&p.i));
	pair_wipe(&p);
}

/* XXpsk3 with equal psks completes; with different psks the responder fails message 2 with PAKT_EDECRYPT. */
static void test_psk(void **state)
{
	uint8_t k1[32], k2[32];
	struct pair p;

	randombytes_buf(k1, sizeof k1);
	randombytes_buf(k2, sizeof k2);
	pair_init(&p, "x", "x", k1, k1);
	pair_run_to(&p, 3);
	assert_int_equal(p.len[0], 32 + 5 + 16);
	assert_true(noise_hs_done(&p.r));
	pair_wipe(&p);

	pair_init(&p, "x", "x", k1, k2);
	pair_run_to(&p, 2);
	pair_write(&p, 2);
	assert_int_equal(pair_read(&p, 2, p.wire[2], p.len[2]), PAKT_EDECRYPT);
	pair_wipe(&p);
}

/* Flipping any one bit-position of any handshake message makes the handshake fail, and the failed state stays dead. */
static void test_tamper(void **state)
{
	for (int k = 0; k < 3; k++) {
		for (size_t pos = 0;; pos++) {
			struct pair p;
			uint8_t bad[256];
			int rc;

			pair_init(&p, "pro", "pro", NULL, NULL);
			pair_run_to(&p, k);
			pair_write(&p, k);
			if (pos == p.len[k]) {
				pair_wipe(&p);
				break;
			}
			memcpy(bad, p.wire[k], p.len[k]);
			bad[pos] ^= (uint8_t)(1u << (pos % 8));
			rc = pair_read(&p, k, bad, p.len[k]);
			if (k == 0) {
				/* Message 0 travels in clear; its hash breaks message 1. */
				assert_int_equal(rc, 0);
				pair_write(&p, 1);
				assert_int_equal(pair_read(&p, 1, p.wire[1], p.len[1]), PAKT_EDECRYPT);
				assert_int_equal(pair_read(&p, 1, p.wire[1], p.len[1]), PAKT_EHANDSHAKE);
			} else {
				assert_int_equal(rc, PAKT_EDECRYPT);
				assert_int_equal(pair_read(&p, k, p.wire[k], p.len[k]), PAKT_EHANDSHAKE);
			}
			pair_wipe(&p);
		}
	}
}

/* Every truncation below a message's fixed part is PAKT_EHANDSHAKE (exact-size heap copies, so ASan sees over-reads); longer ones fail to decrypt. */
static void test_truncated(void **state)
{
	static const uint8_t psk[32] = { 1 };

	for (int with_psk = 0; with_psk < 2; with_psk++) {
		for (int k = 0; k < 3; k++) {
			/* key material and tags before the payload */
			size_t fixed = k == 0 ? (with_psk ? 48 : 32) : k == 1 ? 96 : 64;

			for (size_t len = 0;; len++) {
				struct pair p;
				uint8_t *cut;
				int rc;

				pair_init(&p, "pro", "pro", with_psk ? psk : NULL,
					  with_psk ? psk : NULL);
				pair_run_to(&p, k);
				pair_write(&p, k);
				if (len == p.len[k]) {
					pair_wipe(&p);
					break;
				}
				cut = malloc(len > 0 ? len : 1);
				assert_non_null(cut);
				memcpy(cut, p.wire[k], len);
				rc = pair_read(&p, k, len > 0 ? cut : NULL, len);
				free(cut);
				if (len < fixed)
					assert_int_equal(rc, PAKT_EHANDSHAKE);
				else if (k == 0 && !with_psk)
					assert_int_equal(rc, 0);   /* clear payload, shorter */
				else
					assert_int_equal(rc, PAKT_EDECRYPT);
				if (rc != 0)
					assert_int_equal(pair_read(&p, k, p.wire[k], p.len[k]),
							 PAKT_EHANDSHAKE);
				pair_wipe(&p);
			}
		}
	}
}

/* Oversized messages and payloads that do not fit are PAKT_ETOOBIG on both write and read. */
static void test_too_big(void **state)
{
	static uint8_t big[NOISE_MSG_MAX + 1];
	struct pair p;
	uint8_t small[8];
	size_t n;

	pair_init(&p, "", "", NULL, NULL);
	assert_int_equal(noise_hs_write(&p.i, big, 10, small, sizeof small, &n), PAKT_ETOOBIG);
	assert_int_equal(noise_hs_write(&p.i, big, 1, big, sizeof big, &n), PAKT_EHANDSHAKE);
	pair_wipe(&p);

	pair_init(&p, "", "", NULL, NULL);
	assert_int_equal(noise_hs_write(&p.i, big, NOISE_MSG_MAX - 31, big, sizeof big, &n),
			 PAKT_ETOOBIG);
	pair_wipe(&p);

	pair_init(&p, "", "", NULL, NULL);
	assert_int_equal(noise_hs_read(&p.r, big, NOISE_MSG_MAX + 1, small, sizeof small, &n),
			 PAKT_ETOOBIG);
	pair_wipe(&p);

	pair_init(&p, "", "", NULL, NULL);
	pair_write(&p, 0);
	assert_int_equal(noise_hs_read(&p.r, p.wire[0], p.len[0], small, 4, &n), PAKT_ETOOBIG);
	pair_wipe(&p);
}

/* Writing or reading out of turn, before init, after done, or splitting early is PAKT_EHANDSHAKE. */
static void test_wrong_turn(void **state)
{
	struct pair p;
	struct noise_hs zero;
	struct noise_cipher tx, rx;
	uint8_t buf[256], pt[64];
	size_t n;

	pair_init(&p, "", "", NULL, NULL);
	assert_int_equal(noise_hs_write(&p.r, NULL, 0, buf, sizeof buf, &n), PAKT_EHANDSHAKE);
	assert_int_equal(noise_hs_read(&p.i, p.i_pk, 32, pt, sizeof pt, &n), PAKT_EHANDSHAKE);
	pair_wipe(&p);

	pair_init(&p, "", "", NULL, NULL);
	pair_run_to(&p, 1);
	assert_int_equal(noise_hs_read(&p.r, p.wire[0], p.len[0], pt, sizeof pt, &n),
			 PAKT_EHANDSHAKE);
	assert_int_equal(noise_hs_write(&p.i, NULL, 0, buf, sizeof buf, &n), PAKT_EHANDSHAKE);
	/* both are dead now, even for the right call */
	assert_int_equal(noise_hs_read(&p.i, p.i_pk, 32, pt, sizeof pt, &n), PAKT_EHANDSHAKE);
	pair_wipe(&p);

	pair_init(&p, "", "", NULL, NULL);
	pair_run_to(&p, 2);
	assert_int_equal(noise_hs_split(&p.i, &tx, &rx, NULL), PAKT_EHANDSHAKE);
	pair_wipe(&p);

	pair_init(&p, "", "", NULL, NULL);
	pair_run_to(&p, 3);
	assert_int_equal(noise_hs_write(&p.r, NULL, 0, buf, sizeof buf, &n), PAKT_EHANDSHAKE);
	pair_wipe(&p);

	memset(&zero, 0, sizeof zero);
	assert_int_equal(noise_hs_write(&zero, NULL, 0, buf, sizeof buf, &n), PAKT_EHANDSHAKE);
	assert_int_equal(noise_hs_init(NULL, true, NULL, 0, p.i_sk, NULL, NULL), PAKT_EINVAL);
	assert_int_equal(noise_hs_init(&zero, true, NULL, 3, p.i_sk, NULL, NULL), PAKT_EINVAL);
}

/* Handshake to transport ciphers for the transport tests. */
static void pair_split(struct noise_cipher *itx, struct noise_cipher *rrx)
{
	struct noise_cipher irx, rtx;
	struct pair p;

	pair_init(&p, "", "", NULL, NULL);
	pair_run_to(&p, 3);
	assert_int_equal(noise_hs_split(&p.i, itx, &irx, NULL), 0);
	assert_int_equal(noise_hs_split(&p.r, &rtx, rrx, NULL), 0);
	noise_cipher_wipe(&irx);
	noise_cipher_wipe(&rtx);
	pair_wipe(&p);
}

/* A transport message with any bit-position flipped, or cut below a tag, is PAKT_EDECRYPT and leaves the nonce; the genuine one then decrypts. */
static void test_transport_tamper(void **state)
{
	struct noise_cipher tx, rx;
	uint8_t ct[64], bad[64], pt[64];

	pair_split(&tx, &rx);
	assert_int_equal(noise_encrypt(&tx, (const uint8_t *)"frame", 5, ct), 0);
	for (size_t pos = 0; pos < 5 + NOISE_TAG_LEN; pos++) {
		memcpy(bad, ct, sizeof bad);
		bad[pos] ^= (uint8_t)(1u << (pos % 8));
		assert_int_equal(noise_decrypt(&rx, bad, 5 + NOISE_TAG_LEN, pt), PAKT_EDECRYPT);
		assert_int_equal(rx.n, 0);
	}
	assert_int_equal(noise_decrypt(&rx, ct, 4 + NOISE_TAG_LEN, pt), PAKT_EDECRYPT);
	assert_int_equal(noise_decrypt(&rx, ct, NOISE_TAG_LEN - 1, pt), PAKT_EDECRYPT);
	assert_int_equal(rx.n, 0);
	assert_int_equal(noise_decrypt(&rx, ct, 5 + NOISE_TAG_LEN, pt), 0);
	assert_memory_equal(pt, "frame", 5);
	assert_int_equal(rx.n, 1);
	/* a replay is a decrypt failure too: the nonce moved on */
	assert_int_equal(noise_decrypt(&rx, ct, 5 + NOISE_TAG_LEN, pt), PAKT_EDECRYPT);
	assert_int_equal(noise_encrypt(&tx, pt, NOISE_MSG_MAX - NOISE_TAG_LEN + 1, ct), PAKT_ETOOBIG);
	noise_cipher_wipe(&tx);
	noise_cipher_wipe(&rx);
}

/* At n = 2^64-2 one more message is sent and received; then both directions are PAKT_ENONCE. */
static void test_nonce_exhaustion(void **state)
{
	struct noise_cipher tx, rx;
	uint8_t ct[32], pt[32];

	pair_split(&tx, &rx);
	tx.n = UINT64_MAX - 1;
	rx.n = UINT64_MAX - 1;
	assert_int_equal(noise_encrypt(&tx, (const uint8_t *)"last", 4, ct), 0);
	assert_true(tx.n == UINT64_MAX);
	assert_int_equal(noise_encrypt(&tx, (const uint8_t *)"more", 4, ct + 4), PAKT_ENONCE);
	assert_int_equal(noise_decrypt(&rx, ct, 4 + NOISE_TAG_LEN, pt), 0);
	assert_memory_equal(pt, "last", 4);
	assert_int_equal(noise_decrypt(&rx, ct, 4 + NOISE_TAG_LEN, pt), PAKT_ENONCE);
	noise_cipher_wipe(&tx);
	noise_cipher_wipe(&rx);
}

static int setup(void **state)
{
	return sodium_init() < 0 ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_remote_static),
		cmocka_unit_test(test_prologue_mismatch),
		cmocka_unit_test(test_psk),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_wrong_turn),
		cmocka_unit_test(test_transport_tamper),
		cmocka_unit_test(test_nonce_exhaustion),
	};
	return cmocka_run_group_tests_name("noise", tests, setup, NULL);
}
