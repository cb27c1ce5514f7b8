/* Unit tests of proto/mpx: pack helpers write canonical bytes, look-ups check types. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "proto/canon.h"
#include "proto/err.h"
#include "proto/mpx.h"

struct fixture {
	struct mpx_out o;
	msgpack_unpacked u;
};

static int setup(void **state)
{
	return sodium_init() < 0 ? -1 : 0;
}

/* A map of every helper, keys in order, decoded through canon_unpack. */
static int fixture_new(void **state)
{
	static struct fixture f;
	mpx_init(&f.o);
	msgpack_pack_map(&f.o.pk, 8);
	mpx_kv_bin(&f.o.pk, "bin", "\x01\x02\x03", 3);
	mpx_kv_bool(&f.o.pk, "bool", true);
	mpx_kv_i64(&f.o.pk, "i64", -70000);
	mpx_kv_i64(&f.o.pk, "i64pos", 5);
	mpx_kv_str(&f.o.pk, "nul", "");
	mpx_str(&f.o.pk, "nulstr");
	mpx_strn(&f.o.pk, "a\0b", 3);
	mpx_kv_str(&f.o.pk, "str", "hello");
	mpx_kv_u64(&f.o.pk, "u64", 1ULL << 40);
	msgpack_unpacked_init(&f.u);
	*state = &f;
	return 0;
}

static int fixture_free(void **state)
{
	struct fixture *f = *state;
	msgpack_unpacked_destroy(&f->u);
	mpx_free(&f->o);
	return 0;
}

/* The helpers' output is canonical and unpacks. */
static void test_pack_is_canonical(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(canon_unpack(&f->u, (uint8_t *)f->o.sb.data,
				      f->o.sb.size, CANON_MAX_DEPTH), 0);
}

/* Each typed look-up finds its value; absent keys are PAKT_ENOTFOUND. */
static void test_get_values(void **state)
{
	struct fixture *f = *state;
	const msgpack_object *m = &f->u.data;
	const char *s;
	size_t len;
	uint64_t u;
	int64_t i;
	bool b;
	uint8_t raw[3];
	char cs[8];

	assert_int_equal(canon_unpack(&f->u, (uint8_t *)f->o.sb.data,
				      f->o.sb.size, CANON_MAX_DEPTH), 0);
	assert_int_equal(mpx_get_str(m, "str", &s, &len), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(s, "hello", 5);
	assert_int_equal(mpx_get_cstr(m, "str", cs, sizeof cs), 0);
	assert_string_equal(cs, "hello");
	assert_int_equal(mpx_get_u64(m, "u64", &u), 0);
	assert_true(u == 1ULL << 40);
	assert_int_equal(mpx_get_i64(m, "i64", &i), 0);
	assert_true(i == -70000);
	assert_int_equal(mpx_get_i64(m, "i64pos", &i), 0);
	assert_true(i == 5);
	assert_int_equal(mpx_get_i64(m, "u64", &i), 0);
	assert_int_equal(mpx_get_bool(m, "bool", &b), 0);
	assert_true(b);
	assert_int_equal(mpx_get_binn(m, "bin", raw, 3), 0);
	assert_memory_equal(raw, "\1\2\3", 3);
	assert_int_equal(mpx_get_str(m, "missing", &s, &len), PAKT_ENOTFOUND);
	assert_null(mpx_get(m, "missing"));
	assert_non_null(mpx_get(m, "nul"));
}

/* Wrong types, wrong sizes, NUL bytes and short buffers are refused. */
static void test_get_refusals(void **state)
{
	struct fixture *f = *state;
	const msgpack_object *m = &f->u.data;
	const char *s;
	size_t len;
	uint64_t u;
	bool b;
	uint8_t raw[4];
	char cs[5];

	assert_int_equal(canon_unpack(&f->u, (uint8_t *)f->o.sb.data,
				      f->o.sb.size, CANON_MAX_DEPTH), 0);
	assert_int_equal(mpx_get_str(m, "u64", &s, &len), PAKT_ETYPE);
	assert_int_equal(mpx_get_u64(m, "i64", &u), PAKT_ETYPE);
	assert_int_equal(mpx_get_bool(m, "str", &b), PAKT_ETYPE);
	assert_int_equal(mpx_get_binn(m, "bin", raw, 4), PAKT_ETYPE);
	assert_int_equal(mpx_get_cstr(m, "str", cs, sizeof cs), PAKT_ETOOBIG);
	assert_int_equal(mpx_get_cstr(m, "nulstr", cs, sizeof cs), PAKT_ETYPE);
	/* not a map at all */
	assert_int_equal(mpx_get_u64(&m->via.map.ptr[0].val, "x", &u),
			 PAKT_ETYPE);
}

/* Integers are packed in their smallest forms. */
static void test_int_forms(void **state)
{
	struct mpx_out o;
	mpx_init(&o);
	mpx_kv_i64(&o.pk, "a", 5);
	mpx_kv_i64(&o.pk, "b", -1);
	mpx_kv_u64(&o.pk, "c", 200);
	assert_int_equal(o.sb.size, 2 + 1 + 2 + 1 + 2 + 2);
	assert_memory_equal(o.sb.data, "\xa1" "a\x05\xa1" "b\xff\xa1" "c\xcc\xc8",
			    o.sb.size);
	mpx_reset(&o);
	assert_int_equal(o.sb.size, 0);
	mpx_free(&o);
	mpx_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pack_is_canonical,
						fixture_new, fixture_free),
		cmocka_unit_test_setup_teardown(test_get_values, fixture_new,
						fixture_free),
		cmocka_unit_test_setup_teardown(test_get_refusals, fixture_new,
						fixture_free),
		cmocka_unit_test(test_int_forms),
	};
	return cmocka_run_group_tests_name("mpx", tests, setup, NULL);
}
