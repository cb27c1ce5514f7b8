/* Unit tests of proto/id: text ids round-trip and catch typos, wrong kinds and lengths. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <ctype.h>
#include <cmocka.h>
#include <sodium.h>

#include "proto/err.h"
#include "proto/id.h"

/* The public key of seed 00..1f (proto/PROTOCOL.md, "Example entry") */
static const uint8_t example_pk[32] = {
	0x03, 0xa1, 0x07, 0xbf, 0xf3, 0xce, 0x10, 0xbe, 0x1d, 0x70, 0xdd,
	0x18, 0xe7, 0x4b, 0xc0, 0x99, 0x67, 0xe4, 0xd6, 0x30, 0x9b, 0xa5,
	0x0d, 0x5f, 0x1d, 0xdc, 0x86, 0x64, 0x12, 0x55, 0x31, 0xb8,
};
static const char example_text[] =
	"pk_aoqqpp7tzyil4hlq3umoos6atft6jvrqtosq2xy53sdgiesvgg4dnsmamy";

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

static int setup(void **state)
{
	return sodium_init() < 0 ? -1 : 0;
}

/* Random raw values of every kind encode to 61 chars and decode back. */
static void test_round_trip(void **state)
{
	for (int kind = ID_KEY; kind <= ID_NETWORK; kind++) {
		for (int i = 0; i < 50; i++) {
			uint8_t raw[32], back[32];
			char text[ID_TEXT_MAX];
			randombytes_buf(raw, sizeof raw);
			id_encode(kind, raw, text);
			assert_int_equal(strlen(text), ID_TEXT_LEN);
			assert_memory_equal(text, id_prefix(kind), 3);
			for (size_t j = 3; j < ID_TEXT_LEN; j++)
				assert_non_null(strchr(b32, text[j]));
			assert_int_equal(id_decode(kind, text, back), 0);
			assert_memory_equal(raw, back, 32);
		}
	}
}

/* The documented example key id is reproduced byte for byte. */
static void test_known_vector(void **state)
{
	char text[ID_TEXT_MAX];
	uint8_t raw[32];
	id_encode(ID_KEY, example_pk, text);
	assert_string_equal(text, example_text);
	assert_int_equal(id_decode(ID_KEY, example_text, raw), 0);
	assert_memory_equal(raw, example_pk, 32);
}

/* Every one-character typo (any position, any letter) is PAKT_EIDCHECKSUM. */
static void test_typo_checksum(void **state)
{
	char text[ID_TEXT_MAX];
	uint8_t raw[32];
	for (size_t pos = 3; pos < ID_TEXT_LEN; pos++) {
		for (const char *c = b32; *c != '\0'; c++) {
			memcpy(text, example_text, sizeof example_text);
			if (text[pos] == *c)
				continue;
			text[pos] = *c;
			assert_int_equal(id_decode(ID_KEY, text, raw),
					 PAKT_EIDCHECKSUM);
		}
	}
}

/* Two adjacent characters swapped are caught too. */
static void test_swap_checksum(void **state)
{
	char text[ID_TEXT_MAX];
	uint8_t raw[32];
	memcpy(text, example_text, sizeof example_text);
	text[10] = example_text[11];
	text[11] = example_text[10];
	assert_int_equal(id_decode(ID_KEY, text, raw), PAKT_EIDCHECKSUM);
}

/* A key id where an entry id is expected, or an unknown prefix. */
static void test_wrong_prefix(void **state)
{
	uint8_t raw[32];
	char text[ID_TEXT_MAX];
	assert_int_equal(id_decode(ID_ENTRY, example_text, raw),
			 PAKT_EIDPREFIX);
	assert_int_equal(id_decode(ID_NETWORK, example_text, raw),
			 PAKT_EIDPREFIX);
	memcpy(text, example_text, sizeof example_text);
	text[0] = 'x';
	assert_int_equal(id_decode(ID_KEY, text, raw), PAKT_EIDPREFIX);
	/* the prefix is bound into the checksum: relabelling is caught */
	memcpy(text, example_text, sizeof example_text);
	memcpy(text, "en_", 3);
	assert_int_equal(id_decode(ID_ENTRY, text, raw), PAKT_EIDCHECKSUM);
}

/* Too short, too long, empty, prefix only. */
static void test_wrong_length(void **state)
{
	uint8_t raw[32];
	char text[ID_TEXT_MAX + 1];
	memcpy(text, example_text, sizeof example_text);
	text[ID_TEXT_LEN - 1] = '\0';
	assert_int_equal(id_decode(ID_KEY, text, raw), PAKT_EIDLEN);
	memcpy(text, example_text, sizeof example_text);
	text[ID_TEXT_LEN] = 'a';
	text[ID_TEXT_LEN + 1] = '\0';
	assert_int_equal(id_decode(ID_KEY, text, raw), PAKT_EIDLEN);
	assert_int_equal(id_decode(ID_KEY, "", raw), PAKT_EIDLEN);
	assert_int_equal(id_decode(ID_KEY, "pk_", raw), PAKT_EIDLEN);
	assert_int_equal(id_decode(ID_KEY, "pk", raw), PAKT_EIDLEN);
	assert_int_equal(id_decode(ID_KEY, NULL, raw), PAKT_EIDLEN);
}

/* Characters outside the alphabet: 0, 1, 8, 9, padding, space. */
static void test_bad_char(void **state)
{
	static const char bad[] = "0189= -_";
	uint8_t raw[32];
	char text[ID_TEXT_MAX];
	for (const char *c = bad; *c != '\0'; c++) {
		memcpy(text, example_text, sizeof example_text);
		text[20] = *c;
		assert_int_equal(id_decode(ID_KEY, text, raw), PAKT_EIDCHAR);
	}
}

/* Upper case (whole id, or only the base32 part) is accepted. */
static void test_upper_case(void **state)
{
	uint8_t raw[32];
	char text[ID_TEXT_MAX];
	for (size_t i = 0; i < sizeof example_text; i++)
		text[i] = (char)toupper((unsigned char)example_text[i]);
	assert_int_equal(id_decode(ID_KEY, text, raw), 0);
	assert_memory_equal(raw, example_pk, 32);
	memcpy(text, "pk_", 3);
	assert_int_equal(id_decode(ID_KEY, text, raw), 0);
	assert_memory_equal(raw, example_pk, 32);
}

/* Prefixes and the short display form. */
static void test_prefix_and_short(void **state)
{
	char s[16];
	assert_string_equal(id_prefix(ID_KEY), "pk_");
	assert_string_equal(id_prefix(ID_ENTRY), "en_");
	assert_string_equal(id_prefix(ID_NETWORK), "nw_");
	id_short(ID_KEY, example_pk, s);
	assert_string_equal(s, "pk_aoqqpp7t");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_known_vector),
		cmocka_unit_test(test_typo_checksum),
		cmocka_unit_test(test_swap_checksum),
		cmocka_unit_test(test_wrong_prefix),
		cmocka_unit_test(test_wrong_length),
		cmocka_unit_test(test_bad_char),
		cmocka_unit_test(test_upper_case),
		cmocka_unit_test(test_prefix_and_short),
	};
	return cmocka_run_group_tests_name("id", tests, setup, NULL);
}
