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

/* One item with each field as a case says: n elements (4 or 6, 3 to cut
 * it short), the timestamp (negative: an int), the type (as str or bin,
 * its length), the signature's length, the body (bin, nil, or str),
 * and in a 6-item its size and its hash's length. */
enum item_body { BODY_BIN, BODY_NIL, BODY_STR };
struct item_spec {
	uint32_t n;
	bool ts_neg;
	bool type_bin;
	size_t type_len;        /* 0: "message" */
	size_t sig_len;
	enum item_body body;
	size_t body_len;
	uint64_t body_size;
	size_t hash_len;
};

static void put_item(struct mpx_out *it, const struct item_spec *c)
{
	static uint8_t bytes[ENTRY_BODY_MAX + 1] = {0x80};
	static const char xs[128] = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
				    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

	msgpack_pack_array(&it->pk, c->n);
	if (c->ts_neg)
		msgpack_pack_int64(&it->pk, -1);
	else
		msgpack_pack_uint64(&it->pk, UINT64_MAX);
	if (c->type_bin)
		mpx_bin(&it->pk, "message", 7);
	else if (c->type_len == 0)
		mpx_str(&it->pk, "message");
	else
		mpx_strn(&it->pk, xs, c->type_len);
	mpx_bin(&it->pk, sig64, c->sig_len);
	if (c->n < 4)
		return;
	if (c->body == BODY_BIN)
		mpx_bin(&it->pk, bytes, c->body_len);
	else if (c->body == BODY_STR)
		mpx_str(&it->pk, "{}");
	else
		msgpack_pack_nil(&it->pk);
	if (c->n >= 5)
		msgpack_pack_uint64(&it->pk, c->body_size);
	if (c->n >= 6)
		mpx_bin(&it->pk, sig64, c->hash_len);
}

static const struct item_spec good = {4, false, false, 0, 64, BODY_BIN, 1, 0, 0};

/* A well-formed item: [ts, "message", sig, {}] */
static void good_item(struct mpx_out *it)
{
	put_item(it, &good);
}

/* Each malformed item is refused with its reason, alone or after a good
 * item; the largest header that fits is taken. */
static void test_bad_items(void **state)
{
	static const struct { struct item_spec c; const char *want; } cases[] = {
		{{3, false, false, 0, 64, BODY_BIN, 1, 0, 0}, "not an array of 4 or 6"},
		{{5, false, false, 0, 64, BODY_BIN, 1, 1, 0}, "not an array of 4 or 6"},
		{{4, true, false, 0, 64, BODY_BIN, 1, 0, 0}, "timestamp is not a uint"},
		{{4, false, true, 0, 64, BODY_BIN, 1, 0, 0}, "type is not a string"},
		{{4, false, false, 0, 63, BODY_BIN, 1, 0, 0}, "signature is not 64 bytes"},
		/* an absent body takes the 6-form */
		{{4, false, false, 0, 64, BODY_NIL, 0, 0, 0}, "body is not bin"},
		{{4, false, false, 0, 64, BODY_STR, 0, 0, 0}, "body is not bin"},
		{{4, false, false, 0, 64, BODY_BIN, ENTRY_BODY_MAX + 1, 0, 0}, "body over 16384 bytes"},
		{{6, false, false, 0, 64, BODY_BIN, 1, 1, 32}, "without nil body"},
		{{6, false, false, 0, 64, BODY_NIL, 0, ENTRY_BODY_MAX + 1, 32},
		 "body_size is not a uint up to 16384"},
		{{6, false, false, 0, 64, BODY_NIL, 0, ENTRY_BODY_MAX, 31}, "body_hash is not 32 bytes"},
		/* 1+1+34+34+1+34+9+(2+t)+1+34 = 151 + t bytes: 106 is one too many */
		{{4, false, false, 106, 64, BODY_BIN, 1, 0, 0}, "rebuilt header over 256 bytes"},
		{{4, false, false, 120, 64, BODY_BIN, 1, 0, 0}, "rebuilt header over 256 bytes"},
	};
	static const struct item_spec largest = {4, false, false, 105, 64, BODY_BIN, 1, 0, 0};
	static const struct item_spec absent = {6, false, false, 0, 64, BODY_NIL, 0, 10, 32};
	struct mpx_out o, it;

	(void)state;
	mpx_init(&o);
	mpx_init(&it);
	good_item(&it);
	put_item(&it, &absent);
	put_item(&it, &largest);
	wrap(&o, 3, &it, feed.e[1].hash, 3);
	accepted(&o, 3);
	assert_int_equal(run_scratch.e_len[2], 1 + 3 + 256 + 66 + 3);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (int after_good = 0; after_good < 2; after_good++) {
			mpx_reset(&it);
			if (after_good)
				good_item(&it);
			put_item(&it, &cases[i].c);
			wrap(&o, 1 + (size_t)after_good, &it, feed.e[1].hash, 3);
			refused(&o, cases[i].want);
		}
	}
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
