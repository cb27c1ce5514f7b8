/* Unit tests of proto/entry: the documented example, round trips, feeds without bodies, every rejection. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "proto/body.h"
#include "proto/canon.h"
#include "proto/entry.h"
#include "proto/err.h"

/* proto/PROTOCOL.md, "Example entry": seed 00..1f, network aa*32, seq 1,
 * timestamp 1767225600000, type "message", body {"text":"hello"}. */
static const char example_header_hex[] =
	"9901c420aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	"aaaac42003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc86641255"
	"31b801c0cf0000019b76daa800a76d6573736167650cc4204e9ab31574cf84cf7f94"
	"d63e7475c3297cfd23f4ebb8a6256dc7d41bcc196c9d";
static const char example_sig_hex[] =
	"a81a6d20aa5ef3cec2c63f01bb005465a086d0636d2d9cc3a87d806e4c6d38f65ecf"
	"63122d1b1f0f16adfc13590c2629e407cf6828c108ebc62e2ef6d7df710f";
static const char example_hash_hex[] =
	"2ac2ac8812345f49cb9884664a60e5e8532ddc1f2cbf0659c1b181454885d0b6";
static const char example_wire_hex[] =
	"93c47c9901c420aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	"aaaaaaaaaac42003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc86"
	"64125531b801c0cf0000019b76daa800a76d6573736167650cc4204e9ab31574cf84"
	"cf7f94d63e7475c3297cfd23f4ebb8a6256dc7d41bcc196c9dc440a81a6d20aa5ef3"
	"cec2c63f01bb005465a086d0636d2d9cc3a87d806e4c6d38f65ecf63122d1b1f0f16"
	"adfc13590c2629e407cf6828c108ebc62e2ef6d7df710fc40c81a474657874a56865"
	"6c6c6f";

#define TIMESTAMP 1767225600000ULL

struct fixture {
	uint8_t pk[32];
	uint8_t sk[64];
	uint8_t pk2[32];
	uint8_t sk2[64];
	uint8_t network[32];
	uint8_t wire[ENTRY_WIRE_MAX + 64];
	size_t wire_len;
};

static struct fixture fx;

static int setup(void **state)
{
	uint8_t seed[32];
	if (sodium_init() < 0)
		return -1;
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)i;
	crypto_sign_seed_keypair(fx.pk, fx.sk, seed);
	seed[0] = 0xff;
	crypto_sign_seed_keypair(fx.pk2, fx.sk2, seed);
	memset(fx.network, 0xaa, sizeof fx.network);
	return 0;
}

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (const char *p = hex; *p != '\0';) {
		unsigned v;
		if (*p == ' ') {
			p++;
			continue;
		}
		assert_true(sscanf(p, "%2x", &v) == 1);
		assert_true(n < cap);
		out[n++] = (uint8_t)v;
		p += 2;
	}
	return n;
}

static void tohex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = '\0';
}

/* A header template for our key: seq 1 (no prev) or seq n after prev. */
static void header_init(struct entry_header *h, uint64_t seq,
			const struct entry *prev, const char *type)
{
	memset(h, 0, sizeof *h);
	h->version = ENTRY_VERSION;
	h->has_network = true;
	memcpy(h->network, prev != NULL ? entry_network(prev) : fx.network, 32);
	memcpy(h->author, fx.pk, 32);
	h->seq = seq;
	if (prev != NULL) {
		h->has_prev = true;
		memcpy(h->prev, prev->hash, 32);
	}
	h->timestamp = TIMESTAMP + seq;
	snprintf(h->type, sizeof h->type, "%s", type);
}

/* ---- hand-built headers, for encodings entry_create refuses to make ---- */

/* One msgpack-encoded header field per slot, as hex; tests replace some. */
struct raw_header {
	const char *field[9];
	unsigned n;         /* how many fields the array claims and has */
};

static char hex_network[80], hex_author[80], hex_hash[80];

/* The example header's fields, with body_hash/size of body[0..len). */
static void raw_header_init(struct raw_header *r, const uint8_t *body,
			    size_t len, char *size_hex)
{
	uint8_t h[32];
	strcpy(hex_network, "c420");
	tohex(fx.network, 32, hex_network + 4);
	strcpy(hex_author, "c420");
	tohex(fx.pk, 32, hex_author + 4);
	entry_body_hash(body, len, h);
	strcpy(hex_hash, "c420");
	tohex(h, 32, hex_hash + 4);
	if (len < 128)
		sprintf(size_hex, "%02zx", len);
	else
		sprintf(size_hex, "cd%04zx", len);
	struct raw_header t = {
		.field = { "01", hex_network, hex_author, "01", "c0",
			   "cf0000019b76daa800", "a76d657373616765", size_hex,
			   hex_hash },
		.n = 9,
	};
	*r = t;
}

/* Wire of a hand-built header, signed with our key, and a body (or nil). */
static void raw_wire(const struct raw_header *r, const uint8_t *body,
		     size_t body_len)
{
	uint8_t hdr[1024], sig[64];
	size_t hl = 0, o = 0;

	hdr[hl++] = (uint8_t)(0x90 | r->n);
	for (unsigned i = 0; i < r->n; i++)
		hl += unhex(r->field[i], hdr + hl, sizeof hdr - hl);
	crypto_sign_detached(sig, NULL, hdr, hl, fx.sk);
	fx.wire[o++] = 0x93;
	if (hl < 256) {
		fx.wire[o++] = 0xc4;
		fx.wire[o++] = (uint8_t)hl;
	} else {
		fx.wire[o++] = 0xc5;
		fx.wire[o++] = (uint8_t)(hl >> 8);
		fx.wire[o++] = (uint8_t)hl;
	}
	memcpy(fx.wire + o, hdr, hl);
	o += hl;
	fx.wire[o++] = 0xc4;
	fx.wire[o++] = 64;
	memcpy(fx.wire + o, sig, 64);
	o += 64;
	if (body == NULL) {
		fx.wire[o++] = 0xc0;
	} else {
		if (body_len < 256) {
			fx.wire[o++] = 0xc4;
			fx.wire[o++] = (uint8_t)body_len;
		} else {
			fx.wire[o++] = 0xc5;
			fx.wire[o++] = (uint8_t)(body_len >> 8);
			fx.wire[o++] = (uint8_t)body_len;
		}
		memcpy(fx.wire + o, body, body_len);
		o += body_len;
	}
	fx.wire_len = o;
}

/* entry_decode of a hand-built header with one field replaced. */
static int decode_with_field(unsigned idx, const char *field_hex)
{
	static const uint8_t body[] = "\x81\xa4text\xa5hello";
	struct raw_header r;
	struct entry e;
	char size_hex[8];
	raw_header_init(&r, body, sizeof body - 1, size_hex);
	if (field_hex != NULL)
		r.field[idx] = field_hex;
	raw_wire(&r, body, sizeof body - 1);
	return entry_decode(&e, fx.wire, fx.wire_len);
}

/* entry_decode of a correctly hashed body given in hex. */
static int decode_with_body(const char *body_hex)
{
	static uint8_t body[ENTRY_BODY_MAX + 16];
	struct raw_header r;
	struct entry e;
	char size_hex[8];
	size_t n = unhex(body_hex, body, sizeof body);
	raw_header_init(&r, body, n, size_hex);
	raw_wire(&r, body, n);
	return entry_decode(&e, fx.wire, fx.wire_len);
}

static void make_message(struct entry *e, struct mpx_out *o, uint64_t seq,
			 const struct entry *prev, const char *text)
{
	struct entry_header h;
	header_init(&h, seq, prev, "message");
	mpx_reset(o);
	assert_int_equal(body_message(o, text, NULL), 0);
	assert_int_equal(entry_create(e, &h, (uint8_t *)o->sb.data,
				      o->sb.size, fx.sk), 0);
}

/* ---- the documented example ---- */

/* PROTOCOL.md's example entry is re-created byte for byte. */
static void test_example_vector(void **state)
{
	struct mpx_out o;
	struct entry e, d;
	struct entry_header h;
	uint8_t want[512], wire[ENTRY_WIRE_MAX];
	size_t n, wl;

	mpx_init(&o);
	assert_int_equal(body_message(&o, "hello", NULL), 0);
	header_init(&h, 1, NULL, "message");
	h.timestamp = TIMESTAMP;
	assert_int_equal(entry_create(&e, &h, (uint8_t *)o.sb.data, o.sb.size,
				      fx.sk), 0);
	n = unhex(example_header_hex, want, sizeof want);
	assert_int_equal(e.header_len, n);
	assert_memory_equal(e.header_bytes, want, n);
	n = unhex(example_sig_hex, want, sizeof want);
	assert_memory_equal(e.sig, want, 64);
	n = unhex(example_hash_hex, want, sizeof want);
	assert_memory_equal(e.hash, want, 32);
	assert_int_equal(entry_encode(&e, true, wire, sizeof wire, &wl), 0);
	n = unhex(example_wire_hex, want, sizeof want);
	assert_int_equal(wl, n);
	assert_memory_equal(wire, want, n);
	/* and the documented bytes decode and verify */
	assert_int_equal(entry_decode(&d, want, n), 0);
	assert_int_equal(entry_verify(&d), 0);
	assert_memory_equal(d.hash, e.hash, 32);
	mpx_free(&o);
}

/* ---- round trips ---- */

/* create, encode, decode: every field survives, body points into the wire. */
static void test_round_trip(void **state)
{
	struct mpx_out o;
	struct entry g, e, d;
	uint8_t wire[ENTRY_WIRE_MAX];
	size_t wl;

	mpx_init(&o);
	make_message(&g, &o, 1, NULL, "first");
	make_message(&e, &o, 2, &g, "second, with \xc3\xa9");
	assert_int_equal(entry_encode(&e, true, wire, sizeof wire, &wl), 0);
	assert_int_equal(entry_decode(&d, wire, wl), 0);
	assert_int_equal(entry_verify(&d), 0);
	assert_int_equal(d.h.version, ENTRY_VERSION);
	assert_true(d.h.has_network);
	assert_memory_equal(d.h.network, fx.network, 32);
	assert_memory_equal(d.h.author, fx.pk, 32);
	assert_int_equal(d.h.seq, 2);
	assert_true(d.h.has_prev);
	assert_memory_equal(d.h.prev, g.hash, 32);
	assert_int_equal(d.h.timestamp, TIMESTAMP + 2);
	assert_string_equal(d.h.type, "message");
	assert_int_equal(d.h.body_size, o.sb.size);
	assert_memory_equal(d.h.body_hash, e.h.body_hash, 32);
	assert_int_equal(d.header_len, e.header_len);
	assert_memory_equal(d.header_bytes, e.header_bytes, e.header_len);
	assert_memory_equal(d.hash, e.hash, 32);
	assert_true(d.body >= wire && d.body + d.body_len <= wire + wl);
	assert_int_equal(d.body_len, o.sb.size);
	assert_memory_equal(d.body, o.sb.data, o.sb.size);
	assert_int_equal(entry_check_link(&g, &d), 0);
	mpx_free(&o);
}

/* Without its body an entry encodes to nil, decodes with body NULL, verifies. */
static void test_round_trip_without_body(void **state)
{
	struct mpx_out o;
	struct entry e, d;
	uint8_t wire[ENTRY_WIRE_MAX];
	size_t wl;

	mpx_init(&o);
	make_message(&e, &o, 1, NULL, "secret");
	assert_int_equal(entry_encode(&e, false, wire, sizeof wire, &wl), 0);
	assert_int_equal(wire[wl - 1], 0xc0);
	assert_int_equal(entry_decode(&d, wire, wl), 0);
	assert_null(d.body);
	assert_int_equal(d.body_len, 0);
	assert_int_equal(entry_verify(&d), 0);
	assert_memory_equal(d.hash, e.hash, 32);
	mpx_free(&o);
}

/* Stored parts (header, signature, body or NULL) give the same entry. */
static void test_from_parts(void **state)
{
	struct mpx_out o;
	struct entry e, d;

	mpx_init(&o);
	make_message(&e, &o, 1, NULL, "parts");
	assert_int_equal(entry_from_parts(&d, e.header_bytes, e.header_len,
					  e.sig, e.body, e.body_len), 0);
	assert_memory_equal(d.hash, e.hash, 32);
	assert_ptr_equal(d.body, e.body);
	assert_int_equal(entry_verify(&d), 0);
	assert_int_equal(entry_from_parts(&d, e.header_bytes, e.header_len,
					  e.sig, NULL, 0), 0);
	assert_null(d.body);
	assert_int_equal(entry_verify(&d), 0);
	mpx_free(&o);
}

/* A feed (genesis + 20 messages) without bodies verifies entry by entry and link by link. */
static void test_feed_without_bodies(void **state)
{
	enum { N = 21 };
	static struct entry made[N], got[N];
	struct mpx_out o[N];
	struct entry_header h;
	uint8_t admins[1][32];
	uint8_t wire[ENTRY_WIRE_MAX];
	size_t wl;

	memcpy(admins[0], fx.pk, 32);
	mpx_init(&o[0]);
	assert_int_equal(body_genesis(&o[0], "Food bank", "feed everyone",
				      (const uint8_t (*)[32])admins, 1), 0);
	memset(&h, 0, sizeof h);
	h.version = ENTRY_VERSION;
	memcpy(h.author, fx.pk, 32);
	h.seq = 1;
	h.timestamp = TIMESTAMP;
	strcpy(h.type, "genesis");
	assert_int_equal(entry_create(&made[0], &h, (uint8_t *)o[0].sb.data,
				      o[0].sb.size, fx.sk), 0);
	for (int i = 1; i < N; i++) {
		char text[32];
		snprintf(text, sizeof text, "message %d", i);
		mpx_init(&o[i]);
		make_message(&made[i], &o[i], (uint64_t)i + 1, &made[i - 1],
			     text);
	}
	for (int i = 0; i < N; i++) {
		assert_int_equal(entry_encode(&made[i], false, wire,
					      sizeof wire, &wl), 0);
		assert_int_equal(entry_decode(&got[i], wire, wl), 0);
		assert_null(got[i].body);
		assert_int_equal(entry_verify(&got[i]), 0);
		if (i > 0) {
			assert_int_equal(entry_check_link(&got[i - 1], &got[i]),
					 0);
			assert_memory_equal(entry_network(&got[i]),
					    got[0].hash, 32);
		}
	}
	assert_false(got[0].h.has_network);
	assert_ptr_equal(entry_network(&got[0]), got[0].hash);
	for (int i = 0; i < N; i++)
		mpx_free(&o[i]);
}

/* ---- signatures ---- */

/* Any flipped header byte is refused: it no longer decodes, or PAKT_ESIG. */
static void test_header_flip_esig(void **state)
{
	struct mpx_out o;
	struct entry e, d;
	uint8_t hdr[ENTRY_HEADER_MAX];
	int sig_failures = 0;

	mpx_init(&o);
	make_message(&e, &o, 1, NULL, "flip me");
	for (size_t i = 0; i < e.header_len; i++) {
		memcpy(hdr, e.header_bytes, e.header_len);
		hdr[i] ^= 0x01;
		int rc = entry_from_parts(&d, hdr, e.header_len, e.sig, NULL, 0);
		if (rc == 0) {
			assert_int_equal(entry_verify(&d), PAKT_ESIG);
			sig_failures++;
		}
	}
	assert_true(sig_failures > 64); /* network, author, hash bytes */
	/* one flipped byte in the network field, by name */
	memcpy(hdr, e.header_bytes, e.header_len);
	hdr[5] ^= 0x80;
	assert_int_equal(entry_from_parts(&d, hdr, e.header_len, e.sig, NULL, 0),
			 0);
	assert_int_equal(entry_verify(&d), PAKT_ESIG);
	mpx_free(&o);
}

/* A flipped signature byte, or a signature by another key: PAKT_ESIG. */
static void test_bad_signature(void **state)
{
	struct mpx_out o;
	struct entry e;

	mpx_init(&o);
	make_message(&e, &o, 1, NULL, "sig");
	e.sig[10] ^= 0x04;
	assert_int_equal(entry_verify(&e), PAKT_ESIG);
	e.sig[10] ^= 0x04;
	assert_int_equal(entry_verify(&e), 0);
	crypto_sign_detached(e.sig, NULL, e.header_bytes, e.header_len, fx.sk2);
	assert_int_equal(entry_verify(&e), PAKT_ESIG);
	mpx_free(&o);
}

/* ---- bodies beside their headers ---- */

/* A body with the right size but other bytes: PAKT_EBODYHASH. */
static void test_body_hash_mismatch(void **state)
{
	struct mpx_out o;
	struct entry e, d;
	uint8_t other[64];

	mpx_init(&o);
	make_message(&e, &o, 1, NULL, "hello");
	memcpy(other, e.body, e.body_len);
	other[e.body_len - 1] ^= 0x01;  /* "hellp": still a canonical map */
	assert_int_equal(entry_from_parts(&d, e.header_bytes, e.header_len,
					  e.sig, other, e.body_len),
			 PAKT_EBODYHASH);
	mpx_free(&o);
}

/* A body shorter or longer than the header's body size: PAKT_EBODYSIZE. */
static void test_body_size_mismatch(void **state)
{
	struct mpx_out o;
	struct entry e, d;
	static const uint8_t shorter[] = "\x81\xa4text\xa4hell";

	mpx_init(&o);
	make_message(&e, &o, 1, NULL, "hello");
	assert_int_equal(entry_from_parts(&d, e.header_bytes, e.header_len,
					  e.sig, shorter, sizeof shorter - 1),
			 PAKT_EBODYSIZE);
	/* body_size 0 in a header can never match a map */
	assert_int_equal(decode_with_field(7, "00"), PAKT_EBODYSIZE);
	mpx_free(&o);
}

/* A correctly hashed body that is not a map: PAKT_ETYPE. */
static void test_body_not_map(void **state)
{
	assert_int_equal(decode_with_body("92 01 02"), PAKT_ETYPE);
	assert_int_equal(decode_with_body("a3 616263"), PAKT_ETYPE);
}

/* A correctly hashed body with a non-minimal int: PAKT_ENONMINIMAL. */
static void test_body_nonminimal(void **state)
{
	assert_int_equal(decode_with_body("81 a174 cc05"), PAKT_ENONMINIMAL);
}

/* A correctly hashed body with unsorted keys: PAKT_EKEYORDER. */
static void test_body_key_order(void **state)
{
	assert_int_equal(decode_with_body("82 a162 01 a161 02"),
			 PAKT_EKEYORDER);
}

/* A correctly hashed body with a key twice: PAKT_EKEYDUP. */
static void test_body_key_dup(void **state)
{
	assert_int_equal(decode_with_body("82 a161 01 a161 02"), PAKT_EKEYDUP);
}

/* A correctly hashed body with an int key: PAKT_EKEYTYPE. */
static void test_body_key_type(void **state)
{
	assert_int_equal(decode_with_body("81 01 02"), PAKT_EKEYTYPE);
}

/* A correctly hashed body with a float32: PAKT_EFLOAT32. */
static void test_body_float32(void **state)
{
	assert_int_equal(decode_with_body("81 a178 ca3f800000"), PAKT_EFLOAT32);
}

/* A correctly hashed body with a NaN: PAKT_ENAN. */
static void test_body_nan(void **state)
{
	assert_int_equal(decode_with_body("81 a178 cb7ff8000000000000"),
			 PAKT_ENAN);
}

/* A correctly hashed body with invalid UTF-8: PAKT_EUTF8. */
static void test_body_utf8(void **state)
{
	assert_int_equal(decode_with_body("81 a474657874 a2c328"), PAKT_EUTF8);
}

/* A correctly hashed body with an ext value: PAKT_EMSGPACK. */
static void test_body_ext(void **state)
{
	assert_int_equal(decode_with_body("81 a178 d40100"), PAKT_EMSGPACK);
}

/* A correctly hashed body nested 9 deep: PAKT_EDEPTH; 8 deep is fine. */
static void test_body_depth(void **state)
{
	/* map > 7 arrays > 1: depth 8 */
	assert_int_equal(decode_with_body("81a178 91919191919191 01"), 0);
	assert_int_equal(decode_with_body("81a178 9191919191919191 01"),
			 PAKT_EDEPTH);
}

/* A correctly hashed body over ENTRY_BODY_MAX: PAKT_ETOOBIG. */
static void test_body_too_big(void **state)
{
	static uint8_t big[ENTRY_BODY_MAX + 1];
	struct raw_header r;
	struct entry e;
	char size_hex[8];
	/* {"x": bin of 16378 bytes} = 16385 bytes */
	size_t n = 0;
	big[n++] = 0x81;
	big[n++] = 0xa1;
	big[n++] = 'x';
	big[n++] = 0xc5;
	big[n++] = (ENTRY_BODY_MAX + 1 - 7) >> 8;
	big[n++] = (ENTRY_BODY_MAX + 1 - 7) & 0xff;
	n = ENTRY_BODY_MAX + 1;
	raw_header_init(&r, big, ENTRY_BODY_MAX, size_hex);
	raw_wire(&r, big, n);
	assert_int_equal(entry_decode(&e, fx.wire, fx.wire_len), PAKT_ETOOBIG);
}

/* ---- header fields ---- */

/* seq 0: PAKT_ESEQ. */
static void test_seq_zero(void **state)
{
	assert_int_equal(decode_with_field(3, "00"), PAKT_ESEQ);
}

/* seq above ENTRY_SEQ_MAX: PAKT_ESEQ. */
static void test_seq_too_big(void **state)
{
	/* 2^53 + 1, with a prev so the prev rule holds */
	struct raw_header r;
	struct entry e;
	char size_hex[8];
	static const uint8_t body[] = "\x81\xa4text\xa5hello";
	raw_header_init(&r, body, sizeof body - 1, size_hex);
	r.field[3] = "cf0020000000000001";
	r.field[4] = hex_network;
	raw_wire(&r, body, sizeof body - 1);
	assert_int_equal(entry_decode(&e, fx.wire, fx.wire_len), PAKT_ESEQ);
}

/* A prev hash at seq 1: PAKT_EPREV. */
static void test_prev_at_seq1(void **state)
{
	decode_with_field(0, NULL); /* fills hex_network */
	assert_int_equal(decode_with_field(4, hex_network), PAKT_EPREV);
}

/* No prev hash at seq 2: PAKT_EPREV. */
static void test_prev_missing(void **state)
{
	assert_int_equal(decode_with_field(3, "02"), PAKT_EPREV);
}

/* seq encoded in a wider form than needed: PAKT_ENONMINIMAL. */
static void test_header_nonminimal(void **state)
{
	assert_int_equal(decode_with_field(3, "cc01"), PAKT_ENONMINIMAL);
}

/* A header of version 2: PAKT_EVERSION, even with another shape. */
static void test_version(void **state)
{
	assert_int_equal(decode_with_field(0, "02"), PAKT_EVERSION);
	assert_int_equal(decode_with_field(0, "00"), PAKT_EVERSION);
}

/* An author that is a string, a 31-byte author, a str seq: PAKT_ETYPE. */
static void test_field_types(void **state)
{
	assert_int_equal(decode_with_field(2, "a3616263"), PAKT_ETYPE);
	static char short_author[2 * 33 + 1] = "c41f";
	memset(short_author + 4, '0', 62);
	assert_int_equal(decode_with_field(2, short_author), PAKT_ETYPE);
	assert_int_equal(decode_with_field(3, "a131"), PAKT_ETYPE);
	assert_int_equal(decode_with_field(5, "c0"), PAKT_ETYPE);
	assert_int_equal(decode_with_field(8, "c0"), PAKT_ETYPE);
}

/* Type names outside [a-z]{1,16}: PAKT_ETYPE. */
static void test_type_name(void **state)
{
	assert_int_equal(decode_with_field(6, "a74d657373616765"), PAKT_ETYPE);
	assert_int_equal(decode_with_field(6, "a0"), PAKT_ETYPE);
	assert_int_equal(decode_with_field(6, "b1616161616161616161616161616161"
					   "6161"), PAKT_ETYPE);
	assert_int_equal(decode_with_field(6, "a3612d62"), PAKT_ETYPE);
	assert_int_equal(decode_with_field(6, "01"), PAKT_ETYPE);
}

/* nil network on a non-genesis, or a genesis with one: ETYPE; genesis at seq 2: ESEQ. */
static void test_network_rules(void **state)
{
	static const uint8_t body[] = "\x81\xa4text\xa5hello";
	struct raw_header r;
	struct entry e;
	char size_hex[8];

	assert_int_equal(decode_with_field(1, "c0"), PAKT_ETYPE);
	assert_int_equal(decode_with_field(6, "a767656e65736973"), PAKT_ETYPE);
	raw_header_init(&r, body, sizeof body - 1, size_hex);
	r.field[1] = "c0";
	r.field[6] = "a767656e65736973";
	raw_wire(&r, body, sizeof body - 1);
	assert_int_equal(entry_decode(&e, fx.wire, fx.wire_len), 0);
	r.field[3] = "02";
	r.field[4] = hex_author; /* any 32 bytes as prev */
	raw_wire(&r, body, sizeof body - 1);
	assert_int_equal(entry_decode(&e, fx.wire, fx.wire_len), PAKT_ESEQ);
}

/* A header array of 8 or 10 fields: PAKT_ETYPE; a header that is a map. */
static void test_header_shape(void **state)
{
	static const uint8_t body[] = "\x81\xa4text\xa5hello";
	struct raw_header r;
	struct entry_header h;
	struct entry e;
	char size_hex[8];

	raw_header_init(&r, body, sizeof body - 1, size_hex);
	r.n = 8;
	raw_wire(&r, body, sizeof body - 1);
	assert_int_equal(entry_decode(&e, fx.wire, fx.wire_len), PAKT_ETYPE);
	assert_int_equal(entry_header_decode(&h, (const uint8_t *)"\x80", 1),
			 PAKT_ETYPE);
	assert_int_equal(entry_header_decode(&h, (const uint8_t *)"\x90", 1),
			 PAKT_ETYPE);
}

/* A header whose body_size exceeds ENTRY_BODY_MAX: PAKT_ETOOBIG. */
static void test_header_body_size_too_big(void **state)
{
	assert_int_equal(decode_with_field(7, "cd4001"), PAKT_ETOOBIG);
}

/* Header bytes over ENTRY_HEADER_MAX: PAKT_ETOOBIG. */
static void test_header_too_big(void **state)
{
	uint8_t hdr[ENTRY_HEADER_MAX + 1] = { 0 };
	uint8_t sig[64] = { 0 };
	struct entry e;
	assert_int_equal(entry_from_parts(&e, hdr, sizeof hdr, sig, NULL, 0),
			 PAKT_ETOOBIG);
}

/* ---- the wire form ---- */

/* Bytes after the wire array: PAKT_ETRAILING. */
static void test_wire_trailing(void **state)
{
	struct entry e;
	decode_with_field(0, NULL);
	fx.wire[fx.wire_len++] = 0x00;
	assert_int_equal(entry_decode(&e, fx.wire, fx.wire_len),
			 PAKT_ETRAILING);
}

/* Every proper prefix of a wire entry is PAKT_ETRUNC. */
static void test_wire_truncated(void **state)
{
	struct entry e;
	assert_int_equal(decode_with_field(0, NULL), 0);
	for (size_t n = 0; n < fx.wire_len; n++)
		assert_int_equal(entry_decode(&e, fx.wire, n), PAKT_ETRUNC);
}

/* A wire entry over ENTRY_WIRE_MAX: PAKT_ETOOBIG. */
static void test_wire_too_big(void **state)
{
	static uint8_t big[ENTRY_WIRE_MAX + 1];
	struct entry e;
	memset(big, 0, sizeof big);
	assert_int_equal(entry_decode(&e, big, sizeof big), PAKT_ETOOBIG);
}

/* A 63-byte signature, a wire of 2 items, a str body: PAKT_ETYPE. */
static void test_wire_types(void **state)
{
	struct entry e;
	uint8_t w[256];
	size_t n;

	n = unhex("93 c40190 c43f"
		  "000000000000000000000000000000000000000000000000000000000000"
		  "000000000000000000000000000000000000000000000000000000000000"
		  "000000 c0", w, sizeof w);
	assert_int_equal(entry_decode(&e, w, n), PAKT_ETYPE);
	n = unhex("92 c40190 c0", w, sizeof w);
	assert_int_equal(entry_decode(&e, w, n), PAKT_ETYPE);
	n = unhex("93 c40190 c440"
		  "000000000000000000000000000000000000000000000000000000000000"
		  "000000000000000000000000000000000000000000000000000000000000"
		  "00000000 a0", w, sizeof w);
	assert_int_equal(entry_decode(&e, w, n), PAKT_ETYPE);
}

/* The reserved byte inside the wire: PAKT_EMSGPACK. */
static void test_wire_reserved(void **state)
{
	struct entry e;
	assert_int_equal(decode_with_field(0, NULL), 0);
	fx.wire[fx.wire_len - 12 - 2] = 0xc1; /* the body's bin8 marker */
	assert_int_equal(entry_decode(&e, fx.wire, fx.wire_len),
			 PAKT_EMSGPACK);
}

/* A wire header bin in bin16 form for a short header: PAKT_ENONMINIMAL. */
static void test_wire_nonminimal(void **state)
{
	struct entry e;
	uint8_t w[ENTRY_WIRE_MAX];
	assert_int_equal(decode_with_field(0, NULL), 0);
	w[0] = 0x93;
	w[1] = 0xc5;
	w[2] = 0x00;
	memcpy(w + 3, fx.wire + 2, fx.wire_len - 2);
	assert_int_equal(entry_decode(&e, w, fx.wire_len + 1),
			 PAKT_ENONMINIMAL);
}

/* entry_encode into a short buffer: PAKT_ETOOBIG. */
static void test_encode_short_buffer(void **state)
{
	struct mpx_out o;
	struct entry e;
	uint8_t w[64];
	size_t wl;
	mpx_init(&o);
	make_message(&e, &o, 1, NULL, "x");
	assert_int_equal(entry_encode(&e, true, w, sizeof w, &wl),
			 PAKT_ETOOBIG);
	mpx_free(&o);
}

/* ---- entry_create ---- */

/* entry_create refuses bad fields or another author's key (EINVAL), bad bodies. */
static void test_create_refusals(void **state)
{
	static uint8_t big[ENTRY_BODY_MAX + 1];
	static const uint8_t body[] = "\x81\xa4text\xa5hello";
	struct entry_header h;
	struct entry e;
	const size_t bl = sizeof body - 1;

	header_init(&h, 0, NULL, "message");
	assert_int_equal(entry_create(&e, &h, body, bl, fx.sk), PAKT_EINVAL);
	header_init(&h, 2, NULL, "message");
	assert_int_equal(entry_create(&e, &h, body, bl, fx.sk), PAKT_EINVAL);
	header_init(&h, 1, NULL, "Message");
	assert_int_equal(entry_create(&e, &h, body, bl, fx.sk), PAKT_EINVAL);
	header_init(&h, 1, NULL, "message");
	h.version = 2;
	assert_int_equal(entry_create(&e, &h, body, bl, fx.sk), PAKT_EINVAL);
	header_init(&h, 1, NULL, "message");
	h.has_network = false;
	assert_int_equal(entry_create(&e, &h, body, bl, fx.sk), PAKT_EINVAL);
	header_init(&h, 1, NULL, "message");
	assert_int_equal(entry_create(&e, &h, body, bl, fx.sk2), PAKT_EINVAL);
	assert_int_equal(entry_create(&e, &h, (const uint8_t *)"\x82\xa1"
				      "b\x01\xa1" "a\x02", 7, fx.sk),
			 PAKT_EKEYORDER);
	assert_int_equal(entry_create(&e, &h, (const uint8_t *)"\x01", 1,
				      fx.sk), PAKT_ETYPE);
	assert_int_equal(entry_create(&e, &h, big, sizeof big, fx.sk),
			 PAKT_ETOOBIG);
	assert_int_equal(entry_create(&e, &h, body, bl, fx.sk), 0);
}

/* ---- timestamps ---- */

/* Time: equal to the predecessor's and a few minutes of honest skew pass;
 * earlier than the predecessor's or beyond ENTRY_FUTURE_MAX_MS is ETIME. */
static void test_check_time(void **state)
{
	const uint64_t now = 1767225600000ull;   /* 2026-01-01 */
	struct entry_header h = {.seq = 2};

	(void)state;
	h.timestamp = now;
	assert_int_equal(entry_check_time(&h, now, now), 0);
	assert_int_equal(entry_check_time(&h, 0, now), 0);
	h.timestamp = now + 3 * 60 * 1000;          /* an author's clock 3 min fast */
	assert_int_equal(entry_check_time(&h, now, now), 0);
	h.timestamp = now - 3 * 60 * 1000;          /* or ours 3 min fast */
	assert_int_equal(entry_check_time(&h, now - 4 * 60 * 1000, now), 0);
	h.timestamp = now + ENTRY_FUTURE_MAX_MS;
	assert_int_equal(entry_check_time(&h, 0, now), 0);
	h.timestamp = now + ENTRY_FUTURE_MAX_MS + 1;
	assert_int_equal(entry_check_time(&h, 0, now), PAKT_ETIME);
	h.timestamp = now + 365ull * 86400 * 1000;  /* a year ahead */
	assert_int_equal(entry_check_time(&h, 0, now), PAKT_ETIME);
	h.timestamp = now - 1;                      /* 1 ms before the predecessor */
	assert_int_equal(entry_check_time(&h, now, now), PAKT_ETIME);
	h.timestamp = 0;
	assert_int_equal(entry_check_time(&h, 1, now), PAKT_ETIME);
	assert_string_equal(pakt_strerror(PAKT_ETIME),
			    "timestamp before the previous entry's or too far in the future");
}

/* ---- links ---- */

/* Links: other network ENETWORK, other author ECHAIN, gap ESEQ, wrong prev ECHAIN. */
static void test_check_link(void **state)
{
	struct mpx_out o;
	struct entry a, b, c, x;
	struct entry_header h;

	mpx_init(&o);
	make_message(&a, &o, 1, NULL, "a");
	make_message(&b, &o, 2, &a, "b");
	make_message(&c, &o, 3, &b, "c");
	assert_int_equal(entry_check_link(&a, &b), 0);
	assert_int_equal(entry_check_link(&b, &c), 0);
	assert_int_equal(entry_check_link(&a, &c), PAKT_ESEQ);
	x = b;
	x.h.network[0] ^= 1;
	assert_int_equal(entry_check_link(&a, &x), PAKT_ENETWORK);
	x = b;
	x.h.author[0] ^= 1;
	assert_int_equal(entry_check_link(&a, &x), PAKT_ECHAIN);
	/* a seq-2 entry that names another seq-1 entry: a fork */
	header_init(&h, 2, &a, "message");
	h.prev[0] ^= 1;
	assert_int_equal(entry_create(&x, &h, b.body, b.body_len, fx.sk), 0);
	assert_int_equal(entry_check_link(&a, &x), PAKT_ECHAIN);
	mpx_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_vector),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_without_body),
		cmocka_unit_test(test_from_parts),
		cmocka_unit_test(test_feed_without_bodies),
		cmocka_unit_test(test_header_flip_esig),
		cmocka_unit_test(test_bad_signature),
		cmocka_unit_test(test_body_hash_mismatch),
		cmocka_unit_test(test_body_size_mismatch),
		cmocka_unit_test(test_body_not_map),
		cmocka_unit_test(test_body_nonminimal),
		cmocka_unit_test(test_body_key_order),
		cmocka_unit_test(test_body_key_dup),
		cmocka_unit_test(test_body_key_type),
		cmocka_unit_test(test_body_float32),
		cmocka_unit_test(test_body_nan),
		cmocka_unit_test(test_body_utf8),
		cmocka_unit_test(test_body_ext),
		cmocka_unit_test(test_body_depth),
		cmocka_unit_test(test_body_too_big),
		cmocka_unit_test(test_seq_zero),
		cmocka_unit_test(test_seq_too_big),
		cmocka_unit_test(test_prev_at_seq1),
		cmocka_unit_test(test_prev_missing),
		cmocka_unit_test(test_header_nonminimal),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_field_types),
		cmocka_unit_test(test_type_name),
		cmocka_unit_test(test_network_rules),
		cmocka_unit_test(test_header_shape),
		cmocka_unit_test(test_header_body_size_too_big),
		cmocka_unit_test(test_header_too_big),
		cmocka_unit_test(test_wire_trailing),
		cmocka_unit_test(test_wire_truncated),
		cmocka_unit_test(test_wire_too_big),
		cmocka_unit_test(test_wire_types),
		cmocka_unit_test(test_wire_reserved),
		cmocka_unit_test(test_wire_nonminimal),
		cmocka_unit_test(test_encode_short_buffer),
		cmocka_unit_test(test_create_refusals),
		cmocka_unit_test(test_check_link),
		cmocka_unit_test(test_check_time),
	};
	return cmocka_run_group_tests_name("entry", tests, setup, NULL);
}
