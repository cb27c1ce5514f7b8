/* Unit tests of proto/wire_run: compact "run" messages, built from stored
 * parts and rebuilt byte for byte; every malformed run refused with its
 * reason. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "proto/err.h"
#include "proto/wire_run.h"
#include "tests/unit/testutil.h"

static struct wire_scratch scratch;
static struct wire_run_scratch run_scratch;
static struct tu_feed feed;     /* genesis, then messages: seq 1..14 */
static struct tu_feed other;    /* another author of feed's network */

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0 || keys_global_init() != 0)
		return -1;
	tu_feed_init(&feed, 0x11, NULL);
	tu_feed_messages(&feed, "from A", 13);
	tu_feed_init(&other, 0x22, feed.network);
	tu_feed_messages(&other, "from B", 3);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_feed_free(&feed);
	tu_feed_free(&other);
	return 0;
}

/* Entries first..first+n-1 of f as a run message in o; with_body[i]
 * (NULL: all) says which travel with their body. */
static void build(struct mpx_out *o, const struct tu_feed *f, size_t first, size_t n,
		  const bool *with_body)
{
	struct wire_run r;

	wire_run_init(&r, f->network);
	for (size_t i = 0; i < n; i++) {
		const struct entry *e = &f->e[first + i];
		bool body = with_body == NULL || with_body[i];

		assert_int_equal(wire_run_add(&r, e->header_bytes, e->header_len, e->sig,
					      body ? e->body : NULL, e->body_len), 0);
	}
	assert_int_equal(r.count, n);
	wire_run_end(&r, o);
	wire_run_free(&r);
}

/* Parse and rebuild o's run for network; returns the code, *n the count. */
static int rebuild(const struct mpx_out *o, const uint8_t *network, size_t *n, char *why)
{
	struct wire_msg m;
	int rc = wire_msg_parse(&m, &scratch, (const uint8_t *)o->sb.data, o->sb.size, why, 200);

	if (rc != 0)
		return rc;
	assert_int_equal(m.type, WIRE_RUN);
	return wire_run_decode(&m, network, &run_scratch, n, why, 200);
}

/* The rebuilt wire forms are exactly entry_encode's. */
static void check_round_trip(const struct tu_feed *f, size_t first, size_t n,
			     const bool *with_body)
{
	struct mpx_out o;
	uint8_t wire[ENTRY_WIRE_MAX];
	size_t len, got;
	char why[200];

	mpx_init(&o);
	build(&o, f, first, n, with_body);
	assert_true(o.sb.size <= WIRE_PLAIN_MAX);
	assert_int_equal(rebuild(&o, f->network, &got, why), 0);
	assert_int_equal(got, n);
	for (size_t i = 0; i < n; i++) {
		struct entry back;

		assert_int_equal(entry_encode(&f->e[first + i], with_body == NULL || with_body[i],
					      wire, sizeof wire, &len), 0);
		assert_int_equal(run_scratch.e_len[i], len);
		assert_memory_equal(run_scratch.e[i], wire, len);
		assert_int_equal(entry_decode(&back, run_scratch.e[i], run_scratch.e_len[i]), 0);
		assert_int_equal(entry_verify(&back), 0);
	}
	mpx_free(&o);
}

/* A run with bodies in the middle of a feed rebuilds byte for byte, and
 * costs far less than the entries it carries. */
static void test_round_trip_bodies(void **state)
{
	struct mpx_out o;
	size_t full = 0, len;
	uint8_t wire[ENTRY_WIRE_MAX];

	(void)state;
	check_round_trip(&feed, 4, 8, NULL);
	mpx_init(&o);
	build(&o, &feed, 4, 8, NULL);
	for (size_t i = 4; i < 12; i++) {
		assert_int_equal(entry_encode(&feed.e[i], true, wire, sizeof wire, &len), 0);
		full += len;
	}
	/* network, author, seq, prev, body size and hash: ~140 bytes each */
	assert_true(o.sb.size + 8 * 100 < full);
	mpx_free(&o);
}

/* Without bodies: the size and hash travel instead. */
static void test_round_trip_no_bodies(void **state)
{
	static const bool none[5] = {false, false, false, false, false};

	(void)state;
	check_round_trip(&feed, 2, 5, none);
}

/* A genesis at seq 1 (no network, "p" nil), and a member's first entry. */
static void test_round_trip_genesis(void **state)
{
	(void)state;
	check_round_trip(&feed, 0, 14, NULL);
	check_round_trip(&feed, 0, 1, NULL);
	check_round_trip(&other, 0, 3, NULL);
}

/* Bodies present and absent in one run. */
static void test_round_trip_mixed(void **state)
{
	static const bool mix[7] = {true, false, false, true, false, true, true};

	(void)state;
	check_round_trip(&feed, 0, 7, mix);
}

/* The builder takes only what continues the run, and nothing that would
 * not rebuild to the same bytes. */
static void test_builder_refuses(void **state)
{
	struct wire_run r;
	const struct entry *e = feed.e;
	uint8_t body[TU_BODY_CAP], net[32];

	(void)state;
	wire_run_init(&r, feed.network);
	assert_int_equal(wire_run_add(&r, e[3].header_bytes, e[3].header_len, e[3].sig, e[3].body,
				      e[3].body_len), 0);
	/* a gap, an earlier one, another author */
	assert_int_equal(wire_run_add(&r, e[5].header_bytes, e[5].header_len, e[5].sig, NULL, 0),
			 PAKT_ECHAIN);
	assert_int_equal(wire_run_add(&r, e[3].header_bytes, e[3].header_len, e[3].sig, NULL, 0),
			 PAKT_ECHAIN);
	assert_int_equal(wire_run_add(&r, other.e[1].header_bytes, other.e[1].header_len,
				      other.e[1].sig, NULL, 0), PAKT_ECHAIN);
	/* a body that is not the header's: its size, then its hash */
	assert_int_equal(wire_run_add(&r, e[4].header_bytes, e[4].header_len, e[4].sig, e[5].body,
				      e[4].body_len - 1), PAKT_EINVAL);
	memcpy(body, e[4].body, e[4].body_len);
	body[e[4].body_len - 1] ^= 1;
	assert_int_equal(wire_run_add(&r, e[4].header_bytes, e[4].header_len, e[4].sig, body,
				      e[4].body_len), PAKT_EINVAL);
	/* not a header */
	assert_int_equal(wire_run_add(&r, e[4].body, e[4].body_len, e[4].sig, NULL, 0),
			 PAKT_EINVAL);
	assert_int_equal(r.count, 1);
	assert_int_equal(wire_run_add(&r, e[4].header_bytes, e[4].header_len, e[4].sig, NULL, 0),
			 0);
	assert_int_equal(r.count, 2);
	wire_run_free(&r);

	/* another network's entry cannot be rebuilt from ours */
	memset(net, 0x5a, sizeof net);
	wire_run_init(&r, net);
	assert_int_equal(wire_run_add(&r, e[3].header_bytes, e[3].header_len, e[3].sig, NULL, 0),
			 PAKT_EINVAL);
	/* a genesis names no network: it goes */
	assert_int_equal(wire_run_add(&r, e[0].header_bytes, e[0].header_len, e[0].sig, NULL, 0),
			 0);
	wire_run_free(&r);
}

/* The receiver's network goes into every header: a run read for another
 * network rebuilds entries whose signatures fail, so a peer cannot move
 * entries across initiatives. */
static void test_other_network_fails_signature(void **state)
{
	struct mpx_out o;
	struct entry back;
	uint8_t net[32];
	size_t n;
	char why[200];

	(void)state;
	mpx_init(&o);
	build(&o, &feed, 3, 2, NULL);
	memset(net, 0x5a, sizeof net);
	assert_int_equal(rebuild(&o, net, &n, why), 0);
	assert_int_equal(entry_decode(&back, run_scratch.e[0], run_scratch.e_len[0]), 0);
	assert_int_equal(entry_verify(&back), PAKT_ESIG);
	mpx_free(&o);
}

/* A run grown until wire_run_fits says no still fits one frame. */
static void test_fits_frame(void **state)
{
	struct wire_run r;
	struct mpx_out o;
	const struct entry *e = &feed.e[2];
	size_t n = 0;

	(void)state;
	wire_run_init(&r, feed.network);
	mpx_init(&o);
	/* the same entry again and again: the builder is told it is a new
	 * run each time, so count items by hand */
	while (wire_run_fits(&r, ENTRY_BODY_MAX)) {
		r.count = 0;
		assert_int_equal(wire_run_add(&r, e->header_bytes, e->header_len, e->sig, NULL, 0),
				 0);
		n++;
	}
	r.count = n;
	wire_run_end(&r, &o);
	assert_true(o.sb.size + 3 + ENTRY_BODY_MAX + 100 > WIRE_PLAIN_MAX);
	assert_true(o.sb.size <= WIRE_PLAIN_MAX);
	mpx_free(&o);
	wire_run_free(&r);
}

/* ---- malformed runs ---- */

static uint8_t sig64[64];

/* {"a": author, "e": [items...], "p": prev|nil, "s": seq, "t": "run"}
 * with the n items' raw bytes. */
static void wrap(struct mpx_out *o, size_t n, const struct mpx_out *items, const uint8_t *prev,
		 uint64_t seq)
{
	mpx_reset(o);
	msgpack_pack_map(&o->pk, 5);
	mpx_kv_bin(&o->pk, "a", feed.id.pk, 32);
	mpx_str(&o->pk, "e");
	msgpack_pack_array(&o->pk, (uint32_t)n);
	msgpack_sbuffer_write(&o->sb, items->sb.data, items->sb.size);
	mpx_str(&o->pk, "p");
	if (prev)
		mpx_bin(&o->pk, prev, 32);
	else
		msgpack_pack_nil(&o->pk);
	mpx_kv_u64(&o->pk, "s", seq);
	mpx_kv_str(&o->pk, "t", "run");
}

/* A well-formed item: [ts, "message", sig, {}] */
static void good_item(struct mpx_out *items)
{
	msgpack_pack_array(&items->pk, 4);
	msgpack_pack_uint64(&items->pk, TU_TIMESTAMP);
	mpx_str(&items->pk, "message");
	mpx_bin(&items->pk, sig64, 64);
	mpx_bin(&items->pk, "\x80", 1);
}

/* Expect o to be refused with a reason containing want. */
static void refused(const struct mpx_out *o, const char *want)
{
	size_t n = 99;
	char why[200] = "";

	assert_int_equal(rebuild(o, feed.network, &n, why), PAKT_EPROTO);
	if (strstr(why, want) == NULL)
		fail_msg("reason '%s', want '%s'", why, want);
}

static void accepted(const struct mpx_out *o, size_t want)
{
	size_t n;
	char why[200] = "";

	if (rebuild(o, feed.network, &n, why) != 0)
		fail_msg("refused: %s", why);
	assert_int_equal(n, want);
}

/* Each malformed item is refused with its reason. */
static void test_bad_items(void **state)
{
	struct mpx_out o, it;
	uint8_t big[ENTRY_BODY_MAX + 1];
	char type[120];

	(void)state;
	mpx_init(&o);
	mpx_init(&it);
	good_item(&it);
	wrap(&o, 1, &it, feed.e[1].hash, 3);
	accepted(&o, 1);

	/* shapes */
	mpx_reset(&it);
	msgpack_pack_array(&it.pk, 3);
	msgpack_pack_uint64(&it.pk, 1);
	mpx_str(&it.pk, "message");
	mpx_bin(&it.pk, sig64, 64);
	wrap(&o, 1, &it, feed.e[1].hash, 3);
	refused(&o, "not an array of 4 or 6");
	mpx_reset(&it);
	mpx_bin(&it.pk, sig64, 10);
	wrap(&o, 1, &it, feed.e[1].hash, 3);
	refused(&o, "not an array of 4 or 6");

	/* field types */
	mpx_reset(&it);
	msgpack_pack_array(&it.pk, 4);
	msgpack_pack_int64(&it.pk, -1);
	mpx_str(&it.pk, "message");
	mpx_bin(&it.pk, sig64, 64);
	mpx_bin(&it.pk, "\x80", 1);
	wrap(&o, 1, &it, feed.e[1].hash, 3);
	refused(&o, "timestamp is not a uint");

	mpx_reset(&it);
	msgpack_pack_array(&it.pk, 4);
	msgpack_pack_uint64(&it.pk, 1);
	mpx_bin(&it.pk, "message", 7);
	mpx_bin(&it.pk, sig64, 64);
	mpx_bin(&it.pk, "\x80", 1);
	wrap(&o, 1, &it, feed.e[1].hash, 3);
	refused(&o, "type is not a string");

	mpx_reset(&it);
	msgpack_pack_array(&it.pk, 4);
	msgpack_pack_uint64(&it.pk, 1);
	mpx_str(&it.pk, "message");
	mpx_bin(&it.pk, sig64, 63);
	mpx_bin(&it.pk, "\x80", 1);
	wrap(&o, 1, &it, feed.e[1].hash, 3);
	refused(&o, "signature is not 64 bytes");

	mpx_reset(&it);
	msgpack_pack_array(&it.pk, 4);
	msgpack_pack_uint64(&it.pk, 1);
	mpx_str(&it.pk, "message");
	mpx_bin(&it.pk, sig64, 64);
	msgpack_pack_nil(&it.pk);   /* an absent body takes the 6-form */
	wrap(&o, 1, &it, feed.e[1].hash, 3);
	refused(&o, "body is not bin");

	/* a body over 16384 bytes */
	memset(big, 0, sizeof big);
	big[0] = 0x80;
	mpx_reset(&it);
	msgpack_pack_array(&it.pk, 4);
	msgpack_pack_uint64(&it.pk, 1);
	mpx_str(&it.pk, "message");
	mpx_bin(&it.pk, sig64, 64);
	mpx_bin(&it.pk, big, sizeof big);
	wrap(&o, 1, &it, feed.e[1].hash, 3);
	refused(&o, "body over 16384 bytes");

	/* the 6-form: nil, then size and hash */
	mpx_reset(&it);
	msgpack_pack_array(&it.pk, 6);
	msgpack_pack_uint64(&it.pk, 1);
	mpx_str(&it.pk, "message");
	mpx_bin(&it.pk, sig64, 64);
	mpx_bin(&it.pk, "\x80", 1);
	msgpack_pack_uint64(&it.pk, 1);
	mpx_bin(&it.pk, sig64, 32);
	wrap(&o, 1, &it, feed.e[1].hash, 3);
	refused(&o, "without nil body");

	mpx_reset(&it);
	msgpack_pack_array(&it.pk, 6);
	msgpack_pack_uint64(&it.pk, 1);
	mpx_str(&it.pk, "message");
	mpx_bin(&it.pk, sig64, 64);
	msgpack_pack_nil(&it.pk);
	msgpack_pack_uint64(&it.pk, ENTRY_BODY_MAX + 1);
	mpx_bin(&it.pk, sig64, 32);
	wrap(&o, 1, &it, feed.e[1].hash, 3);
	refused(&o, "body_size is not a uint up to 16384");

	mpx_reset(&it);
	msgpack_pack_array(&it.pk, 6);
	msgpack_pack_uint64(&it.pk, 1);
	mpx_str(&it.pk, "message");
	mpx_bin(&it.pk, sig64, 64);
	msgpack_pack_nil(&it.pk);
	msgpack_pack_uint64(&it.pk, ENTRY_BODY_MAX);
	mpx_bin(&it.pk, sig64, 31);
	wrap(&o, 1, &it, feed.e[1].hash, 3);
	refused(&o, "body_hash is not 32 bytes");

	/* a type so long the header would pass 256 bytes; one just short */
	memset(type, 'x', sizeof type);
	mpx_reset(&it);
	msgpack_pack_array(&it.pk, 4);
	msgpack_pack_uint64(&it.pk, UINT64_MAX);
	mpx_strn(&it.pk, type, 120);
	mpx_bin(&it.pk, sig64, 64);
	mpx_bin(&it.pk, "\x80", 1);
	wrap(&o, 1, &it, feed.e[1].hash, 3);
	refused(&o, "rebuilt header over 256 bytes");
	/* 1+1+34+34+1+34+9+(2+t)+1+34 = 151 + t: 105 fits exactly */
	mpx_reset(&it);
	msgpack_pack_array(&it.pk, 4);
	msgpack_pack_uint64(&it.pk, UINT64_MAX);
	mpx_strn(&it.pk, type, 105);
	mpx_bin(&it.pk, sig64, 64);
	mpx_bin(&it.pk, "\x80", 1);
	wrap(&o, 1, &it, feed.e[1].hash, 3);
	accepted(&o, 1);
	assert_int_equal(run_scratch.e_len[0], 1 + 3 + 256 + 66 + 3);
	mpx_reset(&it);
	msgpack_pack_array(&it.pk, 4);
	msgpack_pack_uint64(&it.pk, UINT64_MAX);
	mpx_strn(&it.pk, type, 106);
	mpx_bin(&it.pk, sig64, 64);
	mpx_bin(&it.pk, "\x80", 1);
	wrap(&o, 1, &it, feed.e[1].hash, 3);
	refused(&o, "rebuilt header over 256 bytes");

	/* a bad item after a good one refuses the whole run */
	mpx_reset(&it);
	good_item(&it);
	msgpack_pack_array(&it.pk, 4);
	msgpack_pack_uint64(&it.pk, 1);
	mpx_str(&it.pk, "message");
	mpx_bin(&it.pk, sig64, 64);
	mpx_str(&it.pk, "{}");
	wrap(&o, 2, &it, feed.e[1].hash, 3);
	refused(&o, "body is not bin");
	mpx_free(&it);
	mpx_free(&o);
}

/* The run's own fields: counts, seqs, "p", missing or mistyped fields. */
static void test_bad_fields(void **state)
{
	struct mpx_out o, it;
	struct wire_msg m;
	char why[200];

	(void)state;
	mpx_init(&o);
	mpx_init(&it);
	wrap(&o, 0, &it, feed.e[1].hash, 3);
	refused(&o, "empty run");

	good_item(&it);
	wrap(&o, 1, &it, feed.e[1].hash, 0);
	refused(&o, "seq 0 or past 2^53");
	wrap(&o, 1, &it, feed.e[1].hash, ENTRY_SEQ_MAX + 1);
	refused(&o, "seq 0 or past 2^53");
	wrap(&o, 1, &it, feed.e[1].hash, ENTRY_SEQ_MAX);
	accepted(&o, 1);
	good_item(&it);
	wrap(&o, 2, &it, feed.e[1].hash, ENTRY_SEQ_MAX);
	refused(&o, "seq 0 or past 2^53");
	wrap(&o, 2, &it, feed.e[1].hash, ENTRY_SEQ_MAX - 1);
	accepted(&o, 2);

	wrap(&o, 2, &it, NULL, 2);
	refused(&o, "'p' must be nil exactly at seq 1");
	wrap(&o, 2, &it, feed.e[1].hash, 1);
	refused(&o, "'p' must be nil exactly at seq 1");
	wrap(&o, 2, &it, NULL, 1);
	accepted(&o, 2);

	/* more than 1024 items */
	mpx_reset(&it);
	for (int i = 0; i < WIRE_BATCH_MAX + 1; i++)
		good_item(&it);
	wrap(&o, WIRE_BATCH_MAX + 1, &it, feed.e[1].hash, 3);
	assert_int_equal(wire_msg_parse(&m, &scratch, (const uint8_t *)o.sb.data, o.sb.size, why,
					sizeof why), PAKT_EPROTO);
	assert_non_null(strstr(why, "more than 1024"));
	wrap(&o, WIRE_BATCH_MAX, &it, feed.e[1].hash, 3);   /* the count lies: trailing bytes */
	assert_int_equal(wire_msg_parse(&m, &scratch, (const uint8_t *)o.sb.data, o.sb.size, why,
					sizeof why), PAKT_EPROTO);

	/* "e" not an array, "a" not 32 bytes, "p" or "s" missing or mistyped */
	struct { const char *a; const char *e; const char *p; const char *s; const char *want; }
	cases[] = {
		{"a31", "arr", "nil", "1", "'a' must be 32 bytes"},
		{"a32", "bin", "nil", "1", "'e' is not an array"},
		{"a32", "arr", "b31", "1", "'p' must be nil or 32 bytes"},
		{"a32", "arr", "nil", "str", "'s' is not a uint"},
		{"a32", "arr", NULL, "1", "needs 'a', 'e', 'p' and 's'"},
		{"a32", NULL, "nil", "1", "needs 'a', 'e', 'p' and 's'"},
		{NULL, "arr", "nil", "1", "needs 'a', 'e', 'p' and 's'"},
		{"a32", "arr", "nil", NULL, "needs 'a', 'e', 'p' and 's'"},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		mpx_reset(&o);
		msgpack_pack_map(&o.pk, 1 + !!cases[c].a + !!cases[c].e + !!cases[c].p + !!cases[c].s);
		if (cases[c].a)
			mpx_kv_bin(&o.pk, "a", feed.id.pk, strcmp(cases[c].a, "a32") == 0 ? 32 : 31);
		if (cases[c].e) {
			mpx_str(&o.pk, "e");
			if (strcmp(cases[c].e, "arr") == 0) {
				msgpack_pack_array(&o.pk, 1);
				mpx_reset(&it);
				good_item(&it);
				msgpack_sbuffer_write(&o.sb, it.sb.data, it.sb.size);
			} else {
				mpx_bin(&o.pk, sig64, 4);
			}
		}
		if (cases[c].p) {
			mpx_str(&o.pk, "p");
			if (strcmp(cases[c].p, "nil") == 0)
				msgpack_pack_nil(&o.pk);
			else
				mpx_bin(&o.pk, sig64, 31);
		}
		if (cases[c].s) {
			if (strcmp(cases[c].s, "1") == 0)
				mpx_kv_u64(&o.pk, "s", 1);
			else
				mpx_kv_str(&o.pk, "s", "one");
		}
		mpx_kv_str(&o.pk, "t", "run");
		assert_int_equal(wire_msg_parse(&m, &scratch, (const uint8_t *)o.sb.data, o.sb.size,
						why, sizeof why), PAKT_EPROTO);
		if (strstr(why, cases[c].want) == NULL)
			fail_msg("case %zu: reason '%s', want '%s'", c, why, cases[c].want);
	}
	mpx_free(&it);
	mpx_free(&o);
}

/* A changed timestamp or body rebuilds a header the author never signed:
 * the signature check catches what the run leaves out. */
static void test_tamper_breaks_signature(void **state)
{
	struct mpx_out o;
	struct entry back;
	size_t n, at;
	char why[200];
	uint8_t *p;

	(void)state;
	mpx_init(&o);
	build(&o, &feed, 5, 1, NULL);
	/* the body's last byte: inside the message text */
	p = (uint8_t *)o.sb.data;
	at = (size_t)((uint8_t *)memmem(p, o.sb.size, feed.e[5].body, feed.e[5].body_len) - p);
	p[at + feed.e[5].body_len - 1] ^= 1;
	assert_int_equal(rebuild(&o, feed.network, &n, why), 0);
	assert_int_equal(entry_decode(&back, run_scratch.e[0], run_scratch.e_len[0]), 0);
	assert_int_equal(entry_verify(&back), PAKT_ESIG);
	mpx_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_bodies),
		cmocka_unit_test(test_round_trip_no_bodies),
		cmocka_unit_test(test_round_trip_genesis),
		cmocka_unit_test(test_round_trip_mixed),
		cmocka_unit_test(test_builder_refuses),
		cmocka_unit_test(test_other_network_fails_signature),
		cmocka_unit_test(test_fits_frame),
		cmocka_unit_test(test_bad_items),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_tamper_breaks_signature),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
