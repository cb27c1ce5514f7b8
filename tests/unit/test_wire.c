/* Unit tests of proto/wire: peer messages, handshake payloads, invite codes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "proto/err.h"
#include "proto/wire.h"
#include "proto/ctlmsg.h"
#include "proto/mpx.h"

static struct wire_scratch scratch;

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static struct invite sample_invite(void)
{
	struct invite inv = {.n_addrs = 2, .expires_ms = 1795345649113ull};

	randombytes_buf(inv.network, 32);
	randombytes_buf(inv.inviter, 32);
	randombytes_buf(inv.secret, 32);
	strcpy(inv.addrs[0], "127.0.0.1:7420");
	strcpy(inv.addrs[1], "[::1]:7420");
	return inv;
}

/* An invite code decodes to exactly what was encoded. */
static void test_invite_round_trip(void **state)
{
	struct invite inv = sample_invite(), back;
	char code[INVITE_TEXT_MAX];

	assert_int_equal(wire_invite_encode(&inv, code), 0);
	assert_memory_equal(code, "pi_", 3);
	assert_int_equal(wire_invite_decode(code, &back), 0);
	assert_memory_equal(back.network, inv.network, 32);
	assert_memory_equal(back.inviter, inv.inviter, 32);
	assert_memory_equal(back.secret, inv.secret, 32);
	assert_int_equal(back.n_addrs, 2);
	assert_string_equal(back.addrs[1], "[::1]:7420");
	assert_int_equal(back.expires_ms, inv.expires_ms);
}

/* A one-character typo anywhere in an invite code is caught. */
static void test_invite_typo(void **state)
{
	struct invite inv = sample_invite(), back;
	char code[INVITE_TEXT_MAX];

	assert_int_equal(wire_invite_encode(&inv, code), 0);
	for (size_t i = 3; i < strlen(code); i += 7) {
		char saved = code[i];

		code[i] = saved == 'a' ? 'b' : 'a';
		assert_int_not_equal(wire_invite_decode(code, &back), 0);
		code[i] = saved;
	}
	assert_int_equal(wire_invite_decode("pk_abc", &back), PAKT_EIDPREFIX);
	assert_int_equal(wire_invite_decode("pi_!!!", &back), PAKT_EIDCHAR);
	code[20] = '\0';
	assert_int_not_equal(wire_invite_decode(code, &back), 0);
}

/* A code as an e-mail client wraps it (<>, line breaks, indentation)
 * decodes to the same invite; other stray characters do not. */
static void test_invite_wrapped(void **state)
{
	struct invite inv = sample_invite(), back;
	char code[INVITE_TEXT_MAX], wrapped[2 * INVITE_TEXT_MAX], clean[INVITE_TEXT_MAX + 1];
	size_t n = 0, len;

	assert_int_equal(wire_invite_encode(&inv, code), 0);
	len = strlen(code);
	wrapped[n++] = '<';
	for (size_t i = 0; i < len; i++) {
		if (i > 0 && i % 40 == 0) {
			memcpy(wrapped + n, "\r\n\t  ", 5);
			n += 5;
		}
		wrapped[n++] = code[i];
	}
	memcpy(wrapped + n, ">\n", 3);
	assert_int_equal(wire_invite_clean(wrapped, clean), 0);
	assert_string_equal(clean, code);
	assert_int_equal(wire_invite_decode(wrapped, &back), 0);
	assert_memory_equal(back.secret, inv.secret, 32);
	wrapped[45] = '-';
	assert_int_not_equal(wire_invite_decode(wrapped, &back), 0);
	/* too long once cleaned, however it is wrapped */
	memset(wrapped, 'a', INVITE_TEXT_MAX + 1);
	wrapped[INVITE_TEXT_MAX + 1] = '\0';
	assert_int_equal(wire_invite_clean(wrapped, clean), PAKT_EIDLEN);
}

/* The preamble carries the network and is refused without the magic. */
static void test_preamble(void **state)
{
	uint8_t net[32], out[32], pre[WIRE_PREAMBLE_LEN];

	randombytes_buf(net, sizeof net);
	wire_preamble(net, pre);
	assert_int_equal(wire_preamble_parse(pre, out), 0);
	assert_memory_equal(out, net, 32);
	pre[0] = 'X';
	assert_int_equal(wire_preamble_parse(pre, out), PAKT_EPROTO);
}

/* The hello payload round-trips; a wrong version or a missing key is refused. */
static void test_hello(void **state)
{
	struct mpx_out o;
	uint8_t pk[32], back[32];

	randombytes_buf(pk, sizeof pk);
	mpx_init(&o);
	wire_hello(&o, pk);
	assert_int_equal(wire_hello_parse((uint8_t *)o.sb.data, o.sb.size, back), 0);
	assert_memory_equal(back, pk, 32);
	/* {"v": 2} without "ed" */
	static const uint8_t no_ed[] = {0x81, 0xa1, 'v', 0x02};
	assert_int_equal(wire_hello_parse(no_ed, sizeof no_ed, back), PAKT_EHANDSHAKE);
	mpx_free(&o);
}

/* The replication version: absent is 1, "r" is read and capped at ours,
 * 0 is refused; an old parser's rule (unknown keys skipped) keeps the v2
 * hello readable by v1 nodes. */
static void test_hello_repl_version(void **state)
{
	struct mpx_out o;
	uint8_t pk[32], back[32], succ[4] = {0x81, 0xa1, 'x', 0x01};
	const uint8_t *sp;
	size_t slen;
	unsigned rv = 0;

	randombytes_buf(pk, sizeof pk);
	mpx_init(&o);
	wire_hello(&o, pk);
	assert_int_equal(wire_hello_parse_succ((uint8_t *)o.sb.data, o.sb.size, back, &sp, &slen, &rv), 0);
	assert_int_equal(rv, 1);
	wire_hello_succ(&o, pk, succ, sizeof succ, 2);
	assert_int_equal(wire_hello_parse_succ((uint8_t *)o.sb.data, o.sb.size, back, &sp, &slen, &rv), 0);
	assert_int_equal(rv, 2);
	assert_int_equal(slen, sizeof succ);
	assert_int_equal(wire_hello_parse((uint8_t *)o.sb.data, o.sb.size, back), 0);
	wire_hello_succ(&o, pk, NULL, 0, 9);
	assert_int_equal(wire_hello_parse_succ((uint8_t *)o.sb.data, o.sb.size, back, NULL, NULL, &rv), 0);
	assert_int_equal(rv, WIRE_REPL_VERSION);
	wire_hello_succ(&o, pk, NULL, 0, 0);   /* 0 writes no "r": read as 1 */
	assert_int_equal(wire_hello_parse_succ((uint8_t *)o.sb.data, o.sb.size, back, NULL, NULL, &rv), 0);
	assert_int_equal(rv, 1);
	/* {"ed": bin32, "r": 0, "v": 1} */
	uint8_t zero[64] = {0x83, 0xa2, 'e', 'd', 0xc4, 32};
	memcpy(zero + 6, pk, 32);
	memcpy(zero + 38, (uint8_t[]){0xa1, 'r', 0x00, 0xa1, 'v', 0x01}, 6);
	assert_int_equal(wire_hello_parse_succ(zero, 44, back, NULL, NULL, &rv), PAKT_EHANDSHAKE);
	mpx_free(&o);
}

/* A clock message with feeds and skips parses back to the same values. */
static void test_clock_round_trip(void **state)
{
	uint8_t a[32], b[32], skip[1][32];
	struct wire_clock_item items[2] = {{a, 7}, {b, 1ull << 40}};
	struct wire_msg m;
	struct mpx_out o;
	char why[128];

	randombytes_buf(a, 32);
	randombytes_buf(b, 32);
	randombytes_buf(skip[0], 32);
	mpx_init(&o);
	wire_clock(&o, items, 2, (const uint8_t (*)[32])skip, 1);
	assert_int_equal(wire_msg_parse(&m, &scratch, (uint8_t *)o.sb.data, o.sb.size, why, sizeof why), 0);
	assert_int_equal(m.type, WIRE_CLOCK);
	assert_int_equal(m.n_feeds, 2);
	assert_memory_equal(m.feeds[1].author, b, 32);
	assert_int_equal(m.feeds[1].seq, 1ull << 40);
	assert_int_equal(m.n_skip, 1);
	assert_memory_equal(m.skip[0], skip[0], 32);
	mpx_free(&o);
}

/* Rule 3: a clock part of 1024 items with the largest seqs fits a frame
 * (a single clock of ~1,820 feeds did not), and 2048 items, the most a
 * clock may list, do not: the sender must split. */
static void test_clock_part_fits_frame(void **state)
{
	static uint8_t authors[2048][32];
	static struct wire_clock_item items[2048];
	static const uint8_t *skip[1];
	struct wire_msg m;
	struct mpx_out o;
	char why[128];

	for (size_t i = 0; i < 2048; i++) {
		randombytes_buf(authors[i], 32);
		items[i] = (struct wire_clock_item){authors[i], UINT64_MAX};
	}
	skip[0] = authors[0];
	mpx_init(&o);
	wire_clock_part(&o, items, 1023, skip, 1);
	assert_true(o.sb.size + 16 <= WIRE_FRAME_MAX);
	assert_int_equal(wire_msg_parse(&m, &scratch, (uint8_t *)o.sb.data, o.sb.size, why, sizeof why), 0);
	assert_int_equal(m.n_feeds, 1023);
	assert_int_equal(m.n_skip, 1);
	assert_memory_equal(m.skip[0], authors[0], 32);
	wire_clock_part(&o, items, 2048, NULL, 0);
	assert_true(o.sb.size + 16 > WIRE_FRAME_MAX);
	mpx_free(&o);
}

/* An entries message keeps its items; a non-canonical or unknown message is refused. */
static void test_entries_and_rejects(void **state)
{
	struct wire_msg m;
	struct mpx_out o;
	char why[128];
	static const uint8_t e1[] = {1, 2, 3}, e2[] = {4};

	mpx_init(&o);
	wire_entries_begin(&o, 2);
	wire_entries_add(&o, e1, sizeof e1);
	wire_entries_add(&o, e2, sizeof e2);
	wire_entries_end(&o);
	assert_int_equal(wire_msg_parse(&m, &scratch, (uint8_t *)o.sb.data, o.sb.size, why, sizeof why), 0);
	assert_int_equal(m.type, WIRE_ENTRIES);
	assert_int_equal(m.n_e, 2);
	assert_int_equal(m.e_len[0], 3);
	assert_memory_equal(m.e[1], e2, 1);

	/* {"t": "nope"} */
	static const uint8_t unknown[] = {0x81, 0xa1, 't', 0xa4, 'n', 'o', 'p', 'e'};
	assert_int_equal(wire_msg_parse(&m, &scratch, unknown, sizeof unknown, why, sizeof why), PAKT_EPROTO);
	/* keys out of order: {"t": "bye", "reason": "x"} */
	static const uint8_t unsorted[] = {0x82, 0xa1, 't', 0xa3, 'b', 'y', 'e', 0xa6, 'r', 'e', 'a', 's', 'o', 'n', 0xa1, 'x'};
	assert_int_equal(wire_msg_parse(&m, &scratch, unsorted, sizeof unsorted, why, sizeof why), PAKT_EPROTO);
	/* no "t" at all: {} */
	static const uint8_t empty[] = {0x80};
	assert_int_equal(wire_msg_parse(&m, &scratch, empty, sizeof empty, why, sizeof why), PAKT_EPROTO);
	/* an invite without its secret */
	static const uint8_t invite[] = {0x81, 0xa1, 't', 0xa6, 'i', 'n', 'v', 'i', 't', 'e'};
	assert_int_equal(wire_msg_parse(&m, &scratch, invite, sizeof invite, why, sizeof why), PAKT_EPROTO);
	mpx_free(&o);
}

/* An entries batch larger than WIRE_BATCH_MAX is refused. */
static void test_batch_cap(void **state)
{
	struct wire_msg m;
	struct mpx_out o;
	char why[128];
	static const uint8_t e[] = {0};

	mpx_init(&o);
	wire_entries_begin(&o, WIRE_BATCH_MAX + 1);
	for (int i = 0; i < WIRE_BATCH_MAX + 1; i++)
		wire_entries_add(&o, e, 1);
	wire_entries_end(&o);
	assert_int_equal(wire_msg_parse(&m, &scratch, (uint8_t *)o.sb.data, o.sb.size, why, sizeof why), PAKT_EPROTO);
	mpx_free(&o);
}

/* A control frame whose map header claims ~1.9 billion pairs is refused
 * before msgpack-c can allocate for them (found by fuzz_ctl). */
static void test_ctl_huge_count(void **state)
{
	static const uint8_t frame[] = {
		0x81, 0xdf, 0x6f, 0x70, 0xa6, 0xc2, 0x73, 0x74,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x68, 0x74, 0x75, 0x73,
	};
	static const uint8_t ok_map[] = {0x81, 0xa2, 'o', 'p', 0xa6, 's', 't', 'a', 't', 'u', 's'};
	msgpack_unpacked u;

	msgpack_unpacked_init(&u);
	assert_int_equal(ctlmsg_unpack(&u, frame, sizeof frame), PAKT_EPROTO);
	assert_int_equal(ctlmsg_unpack(&u, ok_map, sizeof ok_map), 0);
	msgpack_unpacked_destroy(&u);
	assert_int_equal(mpx_check(frame, sizeof frame, 16), PAKT_EPROTO);
	assert_int_equal(mpx_check(ok_map, sizeof ok_map - 1, 16), PAKT_EPROTO);   /* truncated */
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_repl_version),
		cmocka_unit_test(test_invite_round_trip),
		cmocka_unit_test(test_invite_typo),
		cmocka_unit_test(test_invite_wrapped),
		cmocka_unit_test(test_preamble),
		cmocka_unit_test(test_clock_part_fits_frame),
		cmocka_unit_test(test_hello),
		cmocka_unit_test(test_clock_round_trip),
		cmocka_unit_test(test_entries_and_rejects),
		cmocka_unit_test(test_batch_cap),
		cmocka_unit_test(test_ctl_huge_count),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
