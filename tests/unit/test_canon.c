/* Unit tests of proto/canon: every rejection of canon_check with its reason, unpack, reader. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "proto/canon.h"
#include "proto/err.h"

/* Hex to bytes; spaces are ignored so vectors can be grouped. */
static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (const char *p = hex; *p != '\0';) {
		if (*p == ' ') {
			p++;
			continue;
		}
		unsigned v;
		assert_true(sscanf(p, "%2x", &v) == 1);
		assert_true(n < cap);
		out[n++] = (uint8_t)v;
		p += 2;
	}
	return n;
}

/* canon_check of a hex vector at CANON_MAX_DEPTH */
static int check_hex(const char *hex)
{
	uint8_t buf[512];
	size_t n = unhex(hex, buf, sizeof buf);
	return canon_check(buf, n, CANON_MAX_DEPTH);
}

static int setup(void **state)
{
	return sodium_init() < 0 ? -1 : 0;
}

/* Smallest forms of every type are accepted. */
static void test_accepts_minimal_forms(void **state)
{
	static const char *const ok[] = {
		"00", "7f", "cc80", "ccff", "cd0100", "cdffff", "ce00010000",
		"cf0000000100000000", "ff", "e0", "d0df", "d080", "d1ff7f",
		"d18000", "d2ffff7fff", "d3ffffffff7fffffff", "c0", "c2", "c3",
		"a0", "a3616263", "c400", "c40101", "90", "80",
		"cb3ff8000000000000", "cb7ff0000000000000", "cb8000000000000000",
		"81a16101", "82a16101a162920102", "82a161c0a26162c0",
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		assert_int_equal(check_hex(ok[i]), 0);
}

/* Length boundaries: str8 from 32, bin16 from 256, array16 from 16. */
static void test_accepts_length_boundaries(void **state)
{
	uint8_t buf[300];
	buf[0] = 0xd9;
	buf[1] = 32;
	memset(buf + 2, 'x', 32);
	assert_int_equal(canon_check(buf, 34, 0), 0);
	buf[0] = 0xc5;
	buf[1] = 0x01;
	buf[2] = 0x00;
	memset(buf + 3, 0, 256);
	assert_int_equal(canon_check(buf, 259, 0), 0);
	buf[0] = 0xdc;
	buf[1] = 0;
	buf[2] = 16;
	memset(buf + 3, 1, 16);
	assert_int_equal(canon_check(buf, 19, 1), 0);
}

/* What msgpack-c's packer writes is canonical (mixed value, sorted keys). */
static void test_accepts_packer_output(void **state)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 3);
	msgpack_pack_str_with_body(&pk, "a", 1);
	msgpack_pack_int64(&pk, -70000);
	msgpack_pack_str_with_body(&pk, "ab", 2);
	msgpack_pack_array(&pk, 4);
	msgpack_pack_uint64(&pk, 300);
	msgpack_pack_int64(&pk, 5);
	msgpack_pack_double(&pk, 2.5);
	msgpack_pack_str_with_body(&pk, "h\xc3\xa9llo wide string over 32 bytes", 32);
	msgpack_pack_str_with_body(&pk, "b", 1);
	msgpack_pack_bin_with_body(&pk, "\x00\x01", 2);
	assert_int_equal(canon_check((uint8_t *)sb.data, sb.size, 8), 0);
	msgpack_sbuffer_destroy(&sb);
}

/* uint8 holding a fixint value is non-minimal. */
static void test_nonminimal_uint8(void **state)
{
	assert_int_equal(check_hex("cc05"), PAKT_ENONMINIMAL);
}

/* uint16/32/64 holding values of a smaller form are non-minimal. */
static void test_nonminimal_wider_uints(void **state)
{
	assert_int_equal(check_hex("cd00c8"), PAKT_ENONMINIMAL);
	assert_int_equal(check_hex("ce0000ffff"), PAKT_ENONMINIMAL);
	assert_int_equal(check_hex("cf00000000ffffffff"), PAKT_ENONMINIMAL);
}

/* Signed forms for negative fixint values or for non-negative values. */
static void test_nonminimal_signed(void **state)
{
	assert_int_equal(check_hex("d0ff"), PAKT_ENONMINIMAL);   /* -1 */
	assert_int_equal(check_hex("d005"), PAKT_ENONMINIMAL);   /* +5 */
	assert_int_equal(check_hex("d1ff9c"), PAKT_ENONMINIMAL); /* -100 */
	assert_int_equal(check_hex("d2ffff8000"), PAKT_ENONMINIMAL);
	assert_int_equal(check_hex("d3ffffffff80000000"), PAKT_ENONMINIMAL);
	assert_int_equal(check_hex("d10001"), PAKT_ENONMINIMAL);
}

/* str8 for a 5-byte string, str16 for 100 bytes: non-minimal lengths. */
static void test_nonminimal_str_len(void **state)
{
	assert_int_equal(check_hex("d9056162636465"), PAKT_ENONMINIMAL);
	assert_int_equal(check_hex("da0001 61"), PAKT_ENONMINIMAL);
}

/* bin16 for 10 bytes, bin32 for 1 byte: non-minimal lengths. */
static void test_nonminimal_bin_len(void **state)
{
	assert_int_equal(check_hex("c5000a 00000000000000000000"),
			 PAKT_ENONMINIMAL);
	assert_int_equal(check_hex("c600000001 00"), PAKT_ENONMINIMAL);
}

/* array16 of 3 and map16 of 1: non-minimal container lengths. */
static void test_nonminimal_containers(void **state)
{
	assert_int_equal(check_hex("dc0003 010203"), PAKT_ENONMINIMAL);
	assert_int_equal(check_hex("de0001 a16101"), PAKT_ENONMINIMAL);
	assert_int_equal(check_hex("dd00000001 01"), PAKT_ENONMINIMAL);
}

/* A float32 anywhere is rejected. */
static void test_float32(void **state)
{
	assert_int_equal(check_hex("ca3f800000"), PAKT_EFLOAT32);
	assert_int_equal(check_hex("91ca3f800000"), PAKT_EFLOAT32);
}

/* float64 NaN (quiet, signalling, negative) is rejected; infinities are not. */
static void test_nan(void **state)
{
	assert_int_equal(check_hex("cb7ff8000000000000"), PAKT_ENAN);
	assert_int_equal(check_hex("cb7ff0000000000001"), PAKT_ENAN);
	assert_int_equal(check_hex("cbfff8000000000000"), PAKT_ENAN);
	assert_int_equal(check_hex("cbfff0000000000000"), 0);
}

/* Invalid UTF-8 in values: bad continuation, overlong, surrogate, > U+10FFFF, cut. */
static void test_utf8_value(void **state)
{
	assert_int_equal(check_hex("a2c328"), PAKT_EUTF8);
	assert_int_equal(check_hex("a2c080"), PAKT_EUTF8);
	assert_int_equal(check_hex("a3eda080"), PAKT_EUTF8);
	assert_int_equal(check_hex("a4f4908080"), PAKT_EUTF8);
	assert_int_equal(check_hex("a180"), PAKT_EUTF8);
	assert_int_equal(check_hex("a2e282"), PAKT_EUTF8);
	assert_int_equal(check_hex("a3e282ac"), 0); /* the euro sign */
}

/* Invalid UTF-8 in a map key. */
static void test_utf8_key(void **state)
{
	assert_int_equal(check_hex("81a1ff01"), PAKT_EUTF8);
}

/* canon_utf8_valid edge cases around the limits. */
static void test_utf8_edges(void **state)
{
	assert_true(canon_utf8_valid("", 0));
	assert_true(canon_utf8_valid("\xf4\x8f\xbf\xbf", 4));   /* U+10FFFF */
	assert_true(canon_utf8_valid("\xed\x9f\xbf", 3));       /* U+D7FF */
	assert_true(canon_utf8_valid("\xf0\x90\x80\x80", 4));   /* U+10000 */
	assert_false(canon_utf8_valid("\xf0\x8f\xbf\xbf", 4));  /* overlong */
	assert_false(canon_utf8_valid("\xe0\x9f\xbf", 3));      /* overlong */
	assert_false(canon_utf8_valid("\xf5\x80\x80\x80", 4));
	assert_false(canon_utf8_valid("a\0b\xc2", 4));
}

/* A map key that is not a string (int, bin, nil). */
static void test_key_type(void **state)
{
	assert_int_equal(check_hex("810102"), PAKT_EKEYTYPE);
	assert_int_equal(check_hex("81c4016101"), PAKT_EKEYTYPE);
	assert_int_equal(check_hex("81c001"), PAKT_EKEYTYPE);
}

/* Map keys out of bytewise order, including a longer key before its prefix. */
static void test_key_order(void **state)
{
	assert_int_equal(check_hex("82a16201a16102"), PAKT_EKEYORDER);
	assert_int_equal(check_hex("82a2616201a16102"), PAKT_EKEYORDER);
	assert_int_equal(check_hex("82a16101a2616202"), 0);
	/* bytewise, not by length first: "b" > "aa" */
	assert_int_equal(check_hex("82a16201a2616102"), PAKT_EKEYORDER);
}

/* The same key twice, also in a nested map. */
static void test_key_dup(void **state)
{
	assert_int_equal(check_hex("82a16101a16102"), PAKT_EKEYDUP);
	assert_int_equal(check_hex("81a17882a16101a16102"), PAKT_EKEYDUP);
}

/* Ext types and the reserved byte 0xc1 are not msgpack we accept. */
static void test_ext_and_reserved(void **state)
{
	assert_int_equal(check_hex("c1"), PAKT_EMSGPACK);
	assert_int_equal(check_hex("d40100"), PAKT_EMSGPACK);
	assert_int_equal(check_hex("d8010000000000000000000000000000000000"),
			 PAKT_EMSGPACK);
	assert_int_equal(check_hex("c7010100"), PAKT_EMSGPACK);
	assert_int_equal(check_hex("91c1"), PAKT_EMSGPACK);
}

/* Bytes after one complete value. */
static void test_trailing(void **state)
{
	assert_int_equal(check_hex("0102"), PAKT_ETRAILING);
	assert_int_equal(check_hex("80c0"), PAKT_ETRAILING);
}

/* Input that ends inside a value (empty, short int/str/array, huge count). */
static void test_truncated(void **state)
{
	assert_int_equal(canon_check((const uint8_t *)"", 0, 8), PAKT_ETRUNC);
	assert_int_equal(check_hex("cd01"), PAKT_ETRUNC);
	assert_int_equal(check_hex("a561"), PAKT_ETRUNC);
	assert_int_equal(check_hex("9201"), PAKT_ETRUNC);
	assert_int_equal(check_hex("ddffffffff01"), PAKT_ETRUNC);
	assert_int_equal(check_hex("dbffffffff61"), PAKT_ETRUNC);
	assert_int_equal(check_hex("81a161"), PAKT_ETRUNC);
	assert_int_equal(check_hex("cb3ff0"), PAKT_ETRUNC);
}

/* Nesting: max_depth passes, one more is PAKT_EDEPTH (scalar = depth 0). */
static void test_depth(void **state)
{
	uint8_t buf[64];
	memset(buf, 0x91, 8);
	buf[8] = 0x01;
	assert_int_equal(canon_check(buf, 9, 8), 0);
	assert_int_equal(canon_check(buf, 9, 7), PAKT_EDEPTH);
	assert_int_equal(canon_check(buf + 8, 1, 0), 0);
	assert_int_equal(check_hex("90"), 0);
	assert_int_equal(canon_check((const uint8_t *)"\x90", 1, 0),
			 PAKT_EDEPTH);
	assert_int_equal(check_hex("81a16181a16181a16181a16181a16181a161"
				   "81a16181a16181a16101"), PAKT_EDEPTH);
}

/* max_depth is clamped to 32: 33 levels fail, 32 unpack through msgpack-c. */
static void test_depth_limit(void **state)
{
	uint8_t buf[64];
	msgpack_unpacked u;
	memset(buf, 0x91, 33);
	buf[33] = 0x01;
	assert_int_equal(canon_check(buf, 34, 1000), PAKT_EDEPTH);
	msgpack_unpacked_init(&u);
	assert_int_equal(canon_unpack(&u, buf + 1, 33, 1000), 0);
	assert_int_equal(u.data.type, MSGPACK_OBJECT_ARRAY);
	msgpack_unpacked_destroy(&u);
}

/* canon_unpack gives objects that outlive the input buffer. */
static void test_unpack_owns_bytes(void **state)
{
	uint8_t buf[64];
	size_t n = unhex("82a474657874a568656c6c6fa178c40301 0203", buf,
			 sizeof buf);
	msgpack_unpacked u;
	msgpack_unpacked_init(&u);
	assert_int_equal(canon_unpack(&u, buf, n, CANON_MAX_DEPTH), 0);
	memset(buf, 0, sizeof buf);
	assert_int_equal(u.data.type, MSGPACK_OBJECT_MAP);
	assert_int_equal(u.data.via.map.size, 2);
	assert_memory_equal(u.data.via.map.ptr[0].key.via.str.ptr, "text", 4);
	assert_memory_equal(u.data.via.map.ptr[0].val.via.str.ptr, "hello", 5);
	assert_memory_equal(u.data.via.map.ptr[1].val.via.bin.ptr, "\1\2\3", 3);
	msgpack_unpacked_destroy(&u);
}

/* canon_unpack reports the canon_check reason and can be destroyed. */
static void test_unpack_rejects(void **state)
{
	uint8_t buf[] = { 0x82, 0xa1, 0x62, 0x01, 0xa1, 0x61, 0x02 };
	msgpack_unpacked u;
	msgpack_unpacked_init(&u);
	assert_int_equal(canon_unpack(&u, buf, sizeof buf, 8), PAKT_EKEYORDER);
	msgpack_unpacked_destroy(&u);
}

/* Key order: bytewise, a prefix first, equal is 0. */
static void test_key_cmp(void **state)
{
	assert_true(canon_key_cmp("a", 1, "b", 1) < 0);
	assert_true(canon_key_cmp("a", 1, "ab", 2) < 0);
	assert_true(canon_key_cmp("ab", 2, "a", 1) > 0);
	assert_true(canon_key_cmp("\xc3\xa9", 2, "z", 1) > 0);
	assert_int_equal(canon_key_cmp("", 0, "", 0), 0);
	assert_int_equal(canon_key_cmp("ab", 2, "ab", 2), 0);
}

/* The cursor reads typed values and refuses other types without moving. */
static void test_reader(void **state)
{
	uint8_t buf[64];
	size_t n = unhex("96 cd0100 a26869 c40107 08 c0 81a16101", buf,
			 sizeof buf);
	struct canon_rd r;
	uint32_t cnt, len;
	uint64_t v;
	const char *s;
	const uint8_t *p;

	canon_rd_init(&r, buf, n);
	assert_int_equal(canon_rd_map(&r, &cnt), PAKT_ETYPE);
	assert_int_equal(canon_rd_array(&r, &cnt), 0);
	assert_int_equal(cnt, 6);
	assert_int_equal(canon_rd_str(&r, &s, &len), PAKT_ETYPE);
	assert_int_equal(canon_rd_uint(&r, &v), 0);
	assert_int_equal(v, 256);
	assert_false(canon_rd_nil(&r));
	assert_int_equal(canon_rd_bin(&r, &p, &len), PAKT_ETYPE);
	assert_int_equal(canon_rd_str(&r, &s, &len), 0);
	assert_int_equal(len, 2);
	assert_memory_equal(s, "hi", 2);
	assert_int_equal(canon_rd_skip(&r), 0);
	assert_int_equal(canon_rd_uint(&r, &v), 0);
	assert_int_equal(v, 8);
	assert_true(canon_rd_nil(&r));
	assert_int_equal(canon_rd_skip(&r), 0);
	assert_true(r.p == r.end);
	assert_int_equal(canon_rd_uint(&r, &v), PAKT_ETRUNC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_minimal_forms),
		cmocka_unit_test(test_accepts_length_boundaries),
		cmocka_unit_test(test_accepts_packer_output),
		cmocka_unit_test(test_nonminimal_uint8),
		cmocka_unit_test(test_nonminimal_wider_uints),
		cmocka_unit_test(test_nonminimal_signed),
		cmocka_unit_test(test_nonminimal_str_len),
		cmocka_unit_test(test_nonminimal_bin_len),
		cmocka_unit_test(test_nonminimal_containers),
		cmocka_unit_test(test_float32),
		cmocka_unit_test(test_nan),
		cmocka_unit_test(test_utf8_value),
		cmocka_unit_test(test_utf8_key),
		cmocka_unit_test(test_utf8_edges),
		cmocka_unit_test(test_key_type),
		cmocka_unit_test(test_key_order),
		cmocka_unit_test(test_key_dup),
		cmocka_unit_test(test_ext_and_reserved),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_unpack_owns_bytes),
		cmocka_unit_test(test_unpack_rejects),
		cmocka_unit_test(test_key_cmp),
		cmocka_unit_test(test_reader),
	};
	return cmocka_run_group_tests_name("canon", tests, setup, NULL);
}
