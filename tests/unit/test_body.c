/* Unit tests of proto/body: builders and schema checks of "message" and "genesis". */
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
#include "proto/err.h"

static uint8_t keys[BODY_ADMINS_MAX + 1][32];

static int setup(void **state)
{
	if (sodium_init() < 0)
		return -1;
	for (int i = 0; i <= BODY_ADMINS_MAX; i++)
		memset(keys[i], i + 1, 32);
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

/* body_validate of a hex body; the reason goes to why. */
static int validate_hex(const char *type, const char *hex, char *why,
			size_t whylen)
{
	uint8_t buf[256];
	size_t n = unhex(hex, buf, sizeof buf);
	return body_validate(type, buf, n, why, whylen);
}

/* A message body is {"text": ...} in canonical bytes and validates. */
static void test_message_build(void **state)
{
	struct mpx_out o;
	char why[128];
	mpx_init(&o);
	assert_int_equal(body_message(&o, "hello", NULL), 0);
	assert_int_equal(o.sb.size, 12);
	assert_memory_equal(o.sb.data, "\x81\xa4text\xa5hello", 12);
	assert_int_equal(body_validate("message", (uint8_t *)o.sb.data,
				       o.sb.size, why, sizeof why), 0);
	assert_string_equal(why, "");
	mpx_free(&o);
}

/* reply_to comes before text (bytewise order) and validates. */
static void test_message_reply(void **state)
{
	struct mpx_out o;
	mpx_init(&o);
	assert_int_equal(body_message(&o, "re", keys[0]), 0);
	assert_int_equal(canon_check((uint8_t *)o.sb.data, o.sb.size, 8), 0);
	assert_memory_equal(o.sb.data, "\x82\xa8reply_to\xc4\x20", 12);
	assert_int_equal(body_validate("message", (uint8_t *)o.sb.data,
				       o.sb.size, NULL, 0), 0);
	mpx_free(&o);
}

/* Too long or not UTF-8 text is refused by the builder. */
static void test_message_build_refusals(void **state)
{
	static char text[BODY_TEXT_MAX + 2];
	struct mpx_out o;
	mpx_init(&o);
	memset(text, 'a', BODY_TEXT_MAX);
	assert_int_equal(body_message(&o, text, NULL), 0);
	mpx_reset(&o);
	text[BODY_TEXT_MAX] = 'a';
	assert_int_equal(body_message(&o, text, NULL), PAKT_ETOOBIG);
	assert_int_equal(body_message(&o, "\xc3(", NULL), PAKT_EUTF8);
	assert_int_equal(o.sb.size, 0);
	mpx_free(&o);
}

/* A message without "text": PAKT_EBODY, and why says so. */
static void test_message_missing_text(void **state)
{
	char why[128];
	assert_int_equal(validate_hex("message", "80", why, sizeof why),
			 PAKT_EBODY);
	assert_non_null(strstr(why, "text"));
}

/* A message with another key: PAKT_EBODY naming the key. */
static void test_message_unknown_key(void **state)
{
	char why[128];
	assert_int_equal(validate_hex("message", "82 a474657874a0 a57a7a7a7a7a 01",
				      why, sizeof why), PAKT_EBODY);
	assert_non_null(strstr(why, "zzzzz"));
}

/* text of another type, reply_to of 31 bytes: PAKT_EBODY. */
static void test_message_field_types(void **state)
{
	char why[128];
	uint8_t buf[64];
	size_t n;
	assert_int_equal(validate_hex("message", "81 a474657874 01", why,
				      sizeof why), PAKT_EBODY);
	assert_non_null(strstr(why, "text"));
	n = 0;
	buf[n++] = 0x82;
	buf[n++] = 0xa8;
	memcpy(buf + n, "reply_to", 8);
	n += 8;
	buf[n++] = 0xc4;
	buf[n++] = 31;
	memset(buf + n, 7, 31);
	n += 31;
	buf[n++] = 0xa4;
	memcpy(buf + n, "text", 4);
	n += 4;
	buf[n++] = 0xa0;
	assert_int_equal(body_validate("message", buf, n, why, sizeof why),
			 PAKT_EBODY);
	assert_non_null(strstr(why, "reply_to"));
}

/* A text over BODY_TEXT_MAX inside a body: PAKT_EBODY. */
static void test_message_text_too_long(void **state)
{
	static uint8_t buf[BODY_TEXT_MAX + 16];
	char why[128];
	size_t n = 0;
	buf[n++] = 0x81;
	buf[n++] = 0xa4;
	memcpy(buf + n, "text", 4);
	n += 4;
	buf[n++] = 0xda;
	buf[n++] = (BODY_TEXT_MAX + 1) >> 8;
	buf[n++] = (BODY_TEXT_MAX + 1) & 0xff;
	memset(buf + n, 'a', BODY_TEXT_MAX + 1);
	n += BODY_TEXT_MAX + 1;
	assert_int_equal(body_validate("message", buf, n, why, sizeof why),
			 PAKT_EBODY);
	assert_non_null(strstr(why, "longer"));
}

/* Non-canonical or non-map bodies: PAKT_EBODY with the canonical reason. */
static void test_not_canonical_or_not_map(void **state)
{
	char why[128];
	assert_int_equal(validate_hex("message", "82a16201a16102", why,
				      sizeof why), PAKT_EBODY);
	assert_non_null(strstr(why, "sorted"));
	assert_int_equal(validate_hex("other", "92 01 02", why, sizeof why),
			 PAKT_EBODY);
	assert_non_null(strstr(why, "map"));
	assert_int_equal(validate_hex("other", "81 a161 cc01", why, sizeof why),
			 PAKT_EBODY);
}

/* Unknown types accept any canonical map. */
static void test_unknown_type(void **state)
{
	assert_int_equal(validate_hex("future", "82 a161 01 a162 92 c0 c3",
				      NULL, 0), 0);
	assert_int_equal(validate_hex("future", "80", NULL, 0), 0);
}

/* A genesis body has admins, goal, name in order and validates. */
static void test_genesis_build(void **state)
{
	struct mpx_out o;
	char why[128];
	mpx_init(&o);
	assert_int_equal(body_genesis(&o, "Food bank", "Nobody hungry",
				      (const uint8_t (*)[32])keys, 2), 0);
	assert_int_equal(canon_check((uint8_t *)o.sb.data, o.sb.size, 8), 0);
	assert_memory_equal(o.sb.data, "\x83\xa6" "admins\x92\xc4\x20", 11);
	assert_int_equal(body_validate("genesis", (uint8_t *)o.sb.data,
				       o.sb.size, why, sizeof why), 0);
	mpx_free(&o);
}

/* body_genesis refuses 0 or 17 admins, repeats, empty/long names, bad UTF-8. */
static void test_genesis_build_refusals(void **state)
{
	static char name[BODY_NAME_MAX + 2];
	uint8_t dup[2][32];
	struct mpx_out o;
	mpx_init(&o);
	const uint8_t (*k)[32] = (const uint8_t (*)[32])keys;
	assert_int_equal(body_genesis(&o, "n", "g", k, 0), PAKT_EINVAL);
	assert_int_equal(body_genesis(&o, "n", "g", k, BODY_ADMINS_MAX + 1),
			 PAKT_ETOOBIG);
	memcpy(dup[0], keys[0], 32);
	memcpy(dup[1], keys[0], 32);
	assert_int_equal(body_genesis(&o, "n", "g",
				      (const uint8_t (*)[32])dup, 2),
			 PAKT_EINVAL);
	assert_int_equal(body_genesis(&o, "", "g", k, 1), PAKT_EINVAL);
	memset(name, 'n', BODY_NAME_MAX + 1);
	assert_int_equal(body_genesis(&o, name, "g", k, 1), PAKT_ETOOBIG);
	assert_int_equal(body_genesis(&o, "\xff", "g", k, 1), PAKT_EUTF8);
	assert_int_equal(o.sb.size, 0);
	name[BODY_NAME_MAX] = '\0';
	assert_int_equal(body_genesis(&o, name, "", k, BODY_ADMINS_MAX), 0);
	assert_int_equal(body_validate("genesis", (uint8_t *)o.sb.data,
				       o.sb.size, NULL, 0), 0);
	mpx_free(&o);
}

/* A genesis with no admins, a repeated admin, a 31-byte key: PAKT_EBODY. */
static void test_genesis_admins(void **state)
{
	char why[128];
	char hex[512];
	char key[65];
	for (int i = 0; i < 32; i++)
		sprintf(key + 2 * i, "%02x", keys[0][i]);
	assert_int_equal(validate_hex("genesis", "83 a661646d696e7390 a4676f616ca0"
				      " a46e616d65a16e", why, sizeof why),
			 PAKT_EBODY);
	assert_non_null(strstr(why, "admins"));
	snprintf(hex, sizeof hex, "83 a661646d696e7392 c420%s c420%s "
		 "a4676f616ca0 a46e616d65a16e", key, key);
	assert_int_equal(validate_hex("genesis", hex, why, sizeof why),
			 PAKT_EBODY);
	assert_non_null(strstr(why, "twice"));
	snprintf(hex, sizeof hex, "83 a661646d696e7391 c41f%.62s "
		 "a4676f616ca0 a46e616d65a16e", key);
	assert_int_equal(validate_hex("genesis", hex, why, sizeof why),
			 PAKT_EBODY);
	snprintf(hex, sizeof hex, "83 a661646d696e7391 c420%s "
		 "a4676f616ca0 a46e616d65a16e", key);
	assert_int_equal(validate_hex("genesis", hex, why, sizeof why), 0);
}

/* A genesis with an empty name, a missing goal, an extra key: PAKT_EBODY. */
static void test_genesis_fields(void **state)
{
	char why[128];
	char hex[512];
	char key[65];
	for (int i = 0; i < 32; i++)
		sprintf(key + 2 * i, "%02x", keys[0][i]);
	snprintf(hex, sizeof hex, "83 a661646d696e7391 c420%s "
		 "a4676f616ca0 a46e616d65a0", key);
	assert_int_equal(validate_hex("genesis", hex, why, sizeof why),
			 PAKT_EBODY);
	assert_non_null(strstr(why, "name"));
	snprintf(hex, sizeof hex, "82 a661646d696e7391 c420%s "
		 "a46e616d65a16e", key);
	assert_int_equal(validate_hex("genesis", hex, why, sizeof why),
			 PAKT_EBODY);
	snprintf(hex, sizeof hex, "84 a661646d696e7391 c420%s "
		 "a4676f616ca0 a46e616d65a16e a17a01", key);
	assert_int_equal(validate_hex("genesis", hex, why, sizeof why),
			 PAKT_EBODY);
	snprintf(hex, sizeof hex, "83 a661646d696e7391 c420%s "
		 "a4676f616c01 a46e616d65a16e", key);
	assert_int_equal(validate_hex("genesis", hex, why, sizeof why),
			 PAKT_EBODY);
	assert_non_null(strstr(why, "goal"));
}

/* A short why buffer is truncated, never overrun; NULL why is fine. */
static void test_why_buffer(void **state)
{
	char why[8];
	memset(why, 'x', sizeof why);
	assert_int_equal(validate_hex("message", "80", why, 4), PAKT_EBODY);
	assert_int_equal(strlen(why), 3);
	assert_int_equal(why[4], 'x');
	assert_int_equal(validate_hex("message", "80", NULL, 0), PAKT_EBODY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message_build),
		cmocka_unit_test(test_message_reply),
		cmocka_unit_test(test_message_build_refusals),
		cmocka_unit_test(test_message_missing_text),
		cmocka_unit_test(test_message_unknown_key),
		cmocka_unit_test(test_message_field_types),
		cmocka_unit_test(test_message_text_too_long),
		cmocka_unit_test(test_not_canonical_or_not_map),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_genesis_build),
		cmocka_unit_test(test_genesis_build_refusals),
		cmocka_unit_test(test_genesis_admins),
		cmocka_unit_test(test_genesis_fields),
		cmocka_unit_test(test_why_buffer),
	};
	return cmocka_run_group_tests_name("body", tests, setup, NULL);
}
