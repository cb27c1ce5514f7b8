/* Unit tests of proto/body: the collective-impact entry bodies (agenda,
 * update, commitment, accept/decline/redact, status, profile, checkpoint,
 * sealed) and the date/period parsers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "proto/body.h"
#include "proto/date.h"
#include "proto/canon.h"
#include "proto/entry.h"
#include "proto/err.h"
#include "proto/sealed.h"

static uint8_t keys[40][32];

static int setup(void **state)
{
	if (sodium_init() < 0)
		return -1;
	for (int i = 0; i < 40; i++)
		memset(keys[i], i + 1, 32);
	return 0;
}

#define BUF(o) ((const uint8_t *)(o).sb.data), ((o).sb.size)

/* body_validate of o's bytes as type must fail with a reason containing
 * frag. */
static void expect_bad(const char *type, struct mpx_out *o, const char *frag)
{
	char why[256];
	int rc = body_validate(type, BUF(*o), why, sizeof why);
	if (rc != PAKT_EBODY || strstr(why, frag) == NULL)
		fail_msg("%s: rc %d, why \"%s\", expected \"%s\"", type, rc, why,
			 frag);
	mpx_reset(o);
}

static void expect_ok(const char *type, struct mpx_out *o)
{
	char why[256];
	int rc = body_validate(type, BUF(*o), why, sizeof why);
	if (rc != 0)
		fail_msg("%s: rc %d, why \"%s\"", type, rc, why);
	assert_string_equal(why, "");
	assert_int_equal(canon_check(BUF(*o), CANON_MAX_DEPTH), 0);
}

/* A string of n copies of c (static, n < 16384). */
static const char *rep(char c, size_t n)
{
	static char buf[4][16384];
	static int k;
	char *s = buf[k++ & 3];
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void kd(msgpack_packer *pk, const char *key, double v)
{
	mpx_str(pk, key);
	msgpack_pack_double(pk, v);
}

/* One agenda indicator map; target NAN means absent. */
static void pack_ind(msgpack_packer *pk, const char *dir, const char *id,
		     const char *name, double target, const char *unit)
{
	msgpack_pack_map(pk, isnan(target) ? 4 : 5);
	mpx_kv_str(pk, "direction", dir);
	mpx_kv_str(pk, "id", id);
	mpx_kv_str(pk, "name", name);
	if (!isnan(target))
		kd(pk, "target", target);
	mpx_kv_str(pk, "unit", unit);
}

static void sample_agenda(struct body_agenda *a)
{
	memset(a, 0, sizeof *a);
	strcpy(a->goal, "Halve early school leaving in the district by 2030.");
	strcpy(a->ind[0].id, "dropout_rate");
	strcpy(a->ind[0].name, "Early school leavers");
	strcpy(a->ind[0].unit, "%");
	a->ind[0].has_target = true;
	a->ind[0].target = 4.5;
	a->ind[0].down = true;
	strcpy(a->ind[1].id, "mentors-2");
	strcpy(a->ind[1].name, "Active mentors");
	a->n = 2;
}

/* An agenda builds canonically, validates and parses back field for field. */
static void test_agenda_roundtrip(void **state)
{
	static struct body_agenda a, b;
	struct mpx_out o;

	sample_agenda(&a);
	mpx_init(&o);
	assert_int_equal(body_agenda(&o, &a), 0);
	expect_ok("agenda", &o);
	assert_int_equal(body_agenda_parse(BUF(o), &b), 0);
	assert_int_equal(memcmp(&a, &b, sizeof a), 0);
	/* first key "goal", then "indicators"; the first indicator's map has 5
	 * keys, direction first */
	assert_memory_equal(o.sb.data, "\x82\xa4goal", 6);
	assert_int_equal(body_agenda_parse(BUF(o), NULL), PAKT_EBODY);
	mpx_free(&o);
}

/* The agenda builder refuses what the parser would refuse. */
static void test_agenda_build_refusals(void **state)
{
	static struct body_agenda a;
	struct mpx_out o;

	mpx_init(&o);
	sample_agenda(&a);
	a.n = 0;
	assert_int_equal(body_agenda(&o, &a), PAKT_EINVAL);
	a.n = BODY_INDICATORS_MAX + 1;
	assert_int_equal(body_agenda(&o, &a), PAKT_ETOOBIG);
	sample_agenda(&a);
	strcpy(a.ind[1].id, a.ind[0].id);
	assert_int_equal(body_agenda(&o, &a), PAKT_EINVAL);
	sample_agenda(&a);
	strcpy(a.ind[1].id, "Mentors");
	assert_int_equal(body_agenda(&o, &a), PAKT_EINVAL);
	sample_agenda(&a);
	a.ind[0].target = NAN;
	assert_int_equal(body_agenda(&o, &a), PAKT_EINVAL);
	a.ind[0].target = INFINITY;
	assert_int_equal(body_agenda(&o, &a), PAKT_EINVAL);
	sample_agenda(&a);
	a.ind[0].name[0] = '\0';
	assert_int_equal(body_agenda(&o, &a), PAKT_EINVAL);
	sample_agenda(&a);
	strcpy(a.ind[0].name, "\xff");
	assert_int_equal(body_agenda(&o, &a), PAKT_EUTF8);
	sample_agenda(&a);
	memset(a.goal, 'g', sizeof a.goal);     /* not terminated */
	assert_int_equal(body_agenda(&o, &a), PAKT_ETOOBIG);
	assert_int_equal(o.sb.size, 0);
	mpx_free(&o);
}

/* Each malformed agenda is PAKT_EBODY with a specific reason. */
static void test_agenda_rejections(void **state)
{
	struct mpx_out o;
	mpx_init(&o);
	msgpack_packer *pk = &o.pk;

	/* goal of the wrong type */
	msgpack_pack_map(pk, 2);
	mpx_str(pk, "goal"); msgpack_pack_int(pk, 1);
	mpx_str(pk, "indicators"); msgpack_pack_array(pk, 1);
	pack_ind(pk, "up", "a", "A", NAN, "");
	expect_bad("agenda", &o, "\"goal\" is not a string");
	/* unknown key */
	msgpack_pack_map(pk, 3);
	mpx_kv_str(pk, "goal", "");
	mpx_str(pk, "indicators"); msgpack_pack_array(pk, 1);
	pack_ind(pk, "up", "a", "A", NAN, "");
	mpx_kv_str(pk, "owner", "x");
	expect_bad("agenda", &o, "unknown key \"owner\"");
	/* missing indicators */
	msgpack_pack_map(pk, 1);
	mpx_kv_str(pk, "goal", "");
	expect_bad("agenda", &o, "\"indicators\" is missing");
	/* no indicators, then 33 */
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "goal", "");
	mpx_str(pk, "indicators"); msgpack_pack_array(pk, 0);
	expect_bad("agenda", &o, "1 to 32 indicators");
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "goal", "");
	mpx_str(pk, "indicators"); msgpack_pack_array(pk, 33);
	for (int i = 0; i < 33; i++) {
		char id[8];
		snprintf(id, sizeof id, "i%d", i);
		pack_ind(pk, "up", id, "A", NAN, "");
	}
	expect_bad("agenda", &o, "1 to 32 indicators");
	/* duplicate id */
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "goal", "");
	mpx_str(pk, "indicators"); msgpack_pack_array(pk, 2);
	pack_ind(pk, "up", "jobs", "A", NAN, "");
	pack_ind(pk, "down", "jobs", "B", NAN, "");
	expect_bad("agenda", &o, "\"jobs\" appears twice");
	/* id charset, id length */
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "goal", "");
	mpx_str(pk, "indicators"); msgpack_pack_array(pk, 1);
	pack_ind(pk, "up", "Jobs", "A", NAN, "");
	expect_bad("agenda", &o, "\"Jobs\" is not an id");
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "goal", "");
	mpx_str(pk, "indicators"); msgpack_pack_array(pk, 1);
	pack_ind(pk, "up", rep('a', 33), "A", NAN, "");
	expect_bad("agenda", &o, "is not an id");
	/* NaN is not canonical; infinity is not a finite number */
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "goal", "");
	mpx_str(pk, "indicators"); msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 5);
	mpx_kv_str(pk, "direction", "up");
	mpx_kv_str(pk, "id", "a");
	mpx_kv_str(pk, "name", "A");
	kd(pk, "target", NAN);
	mpx_kv_str(pk, "unit", "");
	expect_bad("agenda", &o, "NaN");
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "goal", "");
	mpx_str(pk, "indicators"); msgpack_pack_array(pk, 1);
	pack_ind(pk, "up", "a", "A", -INFINITY, "");
	expect_bad("agenda", &o, "\"target\" is not a finite number");
	/* a target as an int is not a float64 */
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "goal", "");
	mpx_str(pk, "indicators"); msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 5);
	mpx_kv_str(pk, "direction", "up");
	mpx_kv_str(pk, "id", "a");
	mpx_kv_str(pk, "name", "A");
	mpx_str(pk, "target"); msgpack_pack_int(pk, 5);
	mpx_kv_str(pk, "unit", "");
	expect_bad("agenda", &o, "\"target\" is not a float64");
	/* bad direction, empty and long name, long unit, missing unit */
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "goal", "");
	mpx_str(pk, "indicators"); msgpack_pack_array(pk, 1);
	pack_ind(pk, "sideways", "a", "A", NAN, "");
	expect_bad("agenda", &o, "bad \"direction\" \"sideways\"");
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "goal", "");
	mpx_str(pk, "indicators"); msgpack_pack_array(pk, 1);
	pack_ind(pk, "up", "a", "", NAN, "");
	expect_bad("agenda", &o, "\"name\" is empty");
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "goal", "");
	mpx_str(pk, "indicators"); msgpack_pack_array(pk, 1);
	pack_ind(pk, "up", "a", rep('n', 129), NAN, "");
	expect_bad("agenda", &o, "\"name\" is longer than 128 bytes");
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "goal", "");
	mpx_str(pk, "indicators"); msgpack_pack_array(pk, 1);
	pack_ind(pk, "up", "a", "A", NAN, rep('u', 33));
	expect_bad("agenda", &o, "\"unit\" is longer than 32 bytes");
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "goal", "");
	mpx_str(pk, "indicators"); msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 3);
	mpx_kv_str(pk, "direction", "up");
	mpx_kv_str(pk, "id", "a");
	mpx_kv_str(pk, "name", "A");
	expect_bad("agenda", &o, "\"unit\" is missing");
	/* goal over 8192 bytes */
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "goal", rep('g', BODY_TEXT_MAX + 1));
	mpx_str(pk, "indicators"); msgpack_pack_array(pk, 1);
	pack_ind(pk, "up", "a", "A", NAN, "");
	expect_bad("agenda", &o, "\"goal\" is longer than 8192 bytes");
	/* a string with a NUL byte */
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "goal", "");
	mpx_str(pk, "indicators"); msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 4);
	mpx_kv_str(pk, "direction", "up");
	mpx_kv_str(pk, "id", "a");
	mpx_str(pk, "name"); mpx_strn(pk, "A\0B", 3);
	mpx_kv_str(pk, "unit", "");
	expect_bad("agenda", &o, "\"name\" contains a NUL byte");
	mpx_free(&o);
}

static void sample_update(struct body_update *u)
{
	memset(u, 0, sizeof *u);
	strcpy(u->period, "2026-Q1");
	strcpy(u->text, "First quarter: two schools joined.");
	strcpy(u->v[0].indicator, "dropout_rate");
	u->v[0].value = 7.25;
	strcpy(u->v[1].indicator, "mentors-2");
	u->v[1].value = -0.0;
	u->n = 2;
}

/* An update round-trips, with values and without, and with a FROM..TO
 * period. */
static void test_update_roundtrip(void **state)
{
	static struct body_update u, v;
	struct mpx_out o;

	mpx_init(&o);
	sample_update(&u);
	assert_int_equal(body_update(&o, &u), 0);
	expect_ok("update", &o);
	assert_int_equal(body_update_parse(BUF(o), &v), 0);
	assert_int_equal(memcmp(&u, &v, sizeof u), 0);
	assert_true(signbit(v.v[1].value));
	mpx_reset(&o);
	u.n = 0;
	memset(u.v, 0, sizeof u.v);
	strcpy(u.period, "2026-01-01..2026-02-15");
	assert_int_equal(body_update(&o, &u), 0);
	expect_ok("update", &o);
	assert_int_equal(body_update_parse(BUF(o), &v), 0);
	assert_int_equal(memcmp(&u, &v, sizeof u), 0);
	/* the builder refuses a bad period, a duplicate indicator, a NaN */
	mpx_reset(&o);
	sample_update(&u);
	strcpy(u.period, "2026-Q5");
	assert_int_equal(body_update(&o, &u), PAKT_EINVAL);
	sample_update(&u);
	strcpy(u.v[1].indicator, "dropout_rate");
	assert_int_equal(body_update(&o, &u), PAKT_EINVAL);
	sample_update(&u);
	u.v[0].value = NAN;
	assert_int_equal(body_update(&o, &u), PAKT_EINVAL);
	sample_update(&u);
	u.n = BODY_INDICATORS_MAX + 1;
	assert_int_equal(body_update(&o, &u), PAKT_ETOOBIG);
	assert_int_equal(o.sb.size, 0);
	mpx_free(&o);
}

static void pack_value(msgpack_packer *pk, const char *id, double v)
{
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "indicator", id);
	kd(pk, "value", v);
}

/* Each malformed update is PAKT_EBODY with a specific reason. */
static void test_update_rejections(void **state)
{
	struct mpx_out o;
	mpx_init(&o);
	msgpack_packer *pk = &o.pk;

	/* bad periods */
	static const char *const bad[] = { "2026-Q5", "2026-13", "2026-02-29",
		"2026-03-02..2026-03-01", "26", "2026-1", "" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		msgpack_pack_map(pk, 3);
		mpx_kv_str(pk, "period", bad[i]);
		mpx_kv_str(pk, "text", "");
		mpx_str(pk, "values"); msgpack_pack_array(pk, 0);
		expect_bad("update", &o, "\"period\"");
	}
	/* missing text */
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "period", "2026");
	mpx_str(pk, "values"); msgpack_pack_array(pk, 0);
	expect_bad("update", &o, "\"text\" is missing");
	/* values not an array; 33 values; duplicate indicator */
	msgpack_pack_map(pk, 3);
	mpx_kv_str(pk, "period", "2026");
	mpx_kv_str(pk, "text", "");
	mpx_kv_str(pk, "values", "x");
	expect_bad("update", &o, "\"values\" is not an array");
	msgpack_pack_map(pk, 3);
	mpx_kv_str(pk, "period", "2026");
	mpx_kv_str(pk, "text", "");
	mpx_str(pk, "values"); msgpack_pack_array(pk, 33);
	for (int i = 0; i < 33; i++) {
		char id[8];
		snprintf(id, sizeof id, "v%d", i);
		pack_value(pk, id, i);
	}
	expect_bad("update", &o, "more than 32 values");
	msgpack_pack_map(pk, 3);
	mpx_kv_str(pk, "period", "2026");
	mpx_kv_str(pk, "text", "");
	mpx_str(pk, "values"); msgpack_pack_array(pk, 2);
	pack_value(pk, "jobs", 1);
	pack_value(pk, "jobs", 2);
	expect_bad("update", &o, "\"jobs\" has two values");
	/* a value that is a string, an infinity, an unknown key in a value */
	msgpack_pack_map(pk, 3);
	mpx_kv_str(pk, "period", "2026");
	mpx_kv_str(pk, "text", "");
	mpx_str(pk, "values"); msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "indicator", "jobs");
	mpx_kv_str(pk, "value", "12");
	expect_bad("update", &o, "\"value\" is not a float64");
	msgpack_pack_map(pk, 3);
	mpx_kv_str(pk, "period", "2026");
	mpx_kv_str(pk, "text", "");
	mpx_str(pk, "values"); msgpack_pack_array(pk, 1);
	pack_value(pk, "jobs", INFINITY);
	expect_bad("update", &o, "not a finite number");
	msgpack_pack_map(pk, 3);
	mpx_kv_str(pk, "period", "2026");
	mpx_kv_str(pk, "text", "");
	mpx_str(pk, "values"); msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 3);
	mpx_kv_str(pk, "indicator", "jobs");
	mpx_kv_str(pk, "unit", "x");
	kd(pk, "value", 1);
	expect_bad("update", &o, "unknown key \"unit\"");
	mpx_free(&o);
}

static void sample_commitment(struct body_commitment *c)
{
	memset(c, 0, sizeof *c);
	strcpy(c->title, "Open two homework cafés");
	strcpy(c->description, "In the north and east quarters.");
	strcpy(c->due, "2026-09-01");
	strcpy(c->indicator, "dropout_rate");
	c->has_target = true;
	c->target = 6;
	memcpy(c->parties[0], keys[0], 32);
	memcpy(c->parties[1], keys[1], 32);
	c->n_parties = 2;
}

/* A commitment round-trips, full and minimal; the builder refuses a
 * target without an indicator, a bad due date and repeated parties. */
static void test_commitment_roundtrip(void **state)
{
	static struct body_commitment c, d;
	struct mpx_out o;

	mpx_init(&o);
	sample_commitment(&c);
	assert_int_equal(body_commitment(&o, &c), 0);
	expect_ok("commitment", &o);
	assert_int_equal(body_commitment_parse(BUF(o), &d), 0);
	assert_int_equal(memcmp(&c, &d, sizeof c), 0);
	mpx_reset(&o);
	memset(c.description, 0, sizeof c.description);
	memset(c.indicator, 0, sizeof c.indicator);
	c.has_target = false;
	c.target = 0;
	c.n_parties = 1;
	memset(c.parties[1], 0, 32);
	assert_int_equal(body_commitment(&o, &c), 0);
	expect_ok("commitment", &o);
	assert_int_equal(body_commitment_parse(BUF(o), &d), 0);
	assert_int_equal(memcmp(&c, &d, sizeof c), 0);
	mpx_reset(&o);

	sample_commitment(&c);
	c.indicator[0] = '\0';
	assert_int_equal(body_commitment(&o, &c), PAKT_EINVAL);
	sample_commitment(&c);
	strcpy(c.due, "2026-02-29");
	assert_int_equal(body_commitment(&o, &c), PAKT_EINVAL);
	sample_commitment(&c);
	memcpy(c.parties[1], c.parties[0], 32);
	assert_int_equal(body_commitment(&o, &c), PAKT_EINVAL);
	sample_commitment(&c);
	c.n_parties = 0;
	assert_int_equal(body_commitment(&o, &c), PAKT_EINVAL);
	c.n_parties = BODY_PARTIES_MAX + 1;
	assert_int_equal(body_commitment(&o, &c), PAKT_ETOOBIG);
	sample_commitment(&c);
	c.title[0] = '\0';
	assert_int_equal(body_commitment(&o, &c), PAKT_EINVAL);
	assert_int_equal(o.sb.size, 0);
	mpx_free(&o);
}

/* Pack a commitment map with the given parties; title t. */
static void pack_commit(msgpack_packer *pk, const char *due, size_t n,
			bool dup, const char *t)
{
	msgpack_pack_map(pk, 3);
	mpx_kv_str(pk, "due", due);
	mpx_str(pk, "parties");
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < n; i++)
		mpx_bin(pk, keys[dup ? 0 : i], 32);
	mpx_kv_str(pk, "title", t);
}

/* Each malformed commitment is PAKT_EBODY with a specific reason. */
static void test_commitment_rejections(void **state)
{
	struct mpx_out o;
	mpx_init(&o);
	msgpack_packer *pk = &o.pk;

	pack_commit(pk, "2026-09-01", 1, false, "T");
	expect_ok("commitment", &o);
	mpx_reset(&o);
	pack_commit(pk, "2026-02-29", 1, false, "T");
	expect_bad("commitment", &o, "\"due\" \"2026-02-29\" is not a date");
	pack_commit(pk, "2026-09", 1, false, "T");
	expect_bad("commitment", &o, "is not a date");
	pack_commit(pk, "2026-09-01", 2, true, "T");
	expect_bad("commitment", &o, "\"parties\" lists a key twice");
	pack_commit(pk, "2026-09-01", 0, false, "T");
	expect_bad("commitment", &o, "\"parties\" must list 1 to 16 keys");
	pack_commit(pk, "2026-09-01", 17, false, "T");
	expect_bad("commitment", &o, "\"parties\" must list 1 to 16 keys");
	pack_commit(pk, "2026-09-01", 1, false, "");
	expect_bad("commitment", &o, "\"title\" is empty");
	pack_commit(pk, "2026-09-01", 1, false, rep('t', 257));
	expect_bad("commitment", &o, "\"title\" is longer than 256 bytes");
	/* a party of 31 bytes */
	msgpack_pack_map(pk, 3);
	mpx_kv_str(pk, "due", "2026-09-01");
	mpx_str(pk, "parties"); msgpack_pack_array(pk, 1);
	mpx_bin(pk, keys[0], 31);
	mpx_kv_str(pk, "title", "T");
	expect_bad("commitment", &o, "a party is not 32 bytes of bin");
	/* target without indicator */
	msgpack_pack_map(pk, 4);
	mpx_kv_str(pk, "due", "2026-09-01");
	mpx_str(pk, "parties"); msgpack_pack_array(pk, 1);
	mpx_bin(pk, keys[0], 32);
	kd(pk, "target", 3);
	mpx_kv_str(pk, "title", "T");
	expect_bad("commitment", &o, "\"target\" without \"indicator\"");
	/* a bad indicator id, an empty description */
	msgpack_pack_map(pk, 4);
	mpx_kv_str(pk, "due", "2026-09-01");
	mpx_kv_str(pk, "indicator", "a b");
	mpx_str(pk, "parties"); msgpack_pack_array(pk, 1);
	mpx_bin(pk, keys[0], 32);
	mpx_kv_str(pk, "title", "T");
	expect_bad("commitment", &o, "\"a b\" is not an id");
	msgpack_pack_map(pk, 4);
	mpx_kv_str(pk, "description", "");
	mpx_kv_str(pk, "due", "2026-09-01");
	mpx_str(pk, "parties"); msgpack_pack_array(pk, 1);
	mpx_bin(pk, keys[0], 32);
	mpx_kv_str(pk, "title", "T");
	expect_bad("commitment", &o, "\"description\" is empty");
	/* missing title, due */
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "due", "2026-09-01");
	mpx_str(pk, "parties"); msgpack_pack_array(pk, 1);
	mpx_bin(pk, keys[0], 32);
	expect_bad("commitment", &o, "\"title\" is missing");
	msgpack_pack_map(pk, 2);
	mpx_str(pk, "parties"); msgpack_pack_array(pk, 1);
	mpx_bin(pk, keys[0], 32);
	mpx_kv_str(pk, "title", "T");
	expect_bad("commitment", &o, "\"due\" is missing");
	mpx_free(&o);
}

/* accept, decline and redact round-trip; accept takes no reason, decline's
 * is optional, redact's required (may be empty). */
static void test_ref_roundtrip(void **state)
{
	static const char *const types[] = { "accept", "decline", "redact" };
	static struct body_ref r, s;
	struct mpx_out o;

	mpx_init(&o);
	for (int t = 0; t < 3; t++) {
		for (int with = 0; with < 2; with++) {
			memset(&r, 0, sizeof r);
			memcpy(r.ref, keys[5], 32);
			if (with)
				strcpy(r.text, "wrong feed");
			if (t == 0 && with) {
				assert_int_equal(body_ref(&o, "accept", &r),
						 PAKT_EINVAL);
				continue;
			}
			assert_int_equal(body_ref(&o, types[t], &r), 0);
			expect_ok(types[t], &o);
			assert_int_equal(body_ref_parse(types[t], BUF(o), &s), 0);
			assert_int_equal(memcmp(&r, &s, sizeof r), 0);
			/* a redact always carries "reason": 2 keys */
			assert_int_equal((uint8_t)o.sb.data[0],
					 0x80 + (with || t == 2 ? 2 : 1));
			mpx_reset(&o);
		}
	}
	assert_int_equal(body_ref(&o, "message", &r), PAKT_EINVAL);
	assert_int_equal(body_ref_parse("status", (const uint8_t *)"\x80", 1, &s),
			 PAKT_EBODY);
	memset(r.text, 'r', BODY_REASON_MAX);
	r.text[BODY_REASON_MAX] = '\0';
	assert_int_equal(body_ref(&o, "redact", &r), 0);
	mpx_reset(&o);
	memset(r.text, 'r', sizeof r.text);
	assert_int_equal(body_ref(&o, "redact", &r), PAKT_ETOOBIG);
	mpx_free(&o);
}

/* Malformed accept/decline/redact bodies are PAKT_EBODY with a reason. */
static void test_ref_rejections(void **state)
{
	struct mpx_out o;
	mpx_init(&o);
	msgpack_packer *pk = &o.pk;

	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "reason", "x");
	mpx_kv_bin(pk, "ref", keys[0], 32);
	expect_bad("accept", &o, "accept: unknown key \"reason\"");
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "reason", "");
	mpx_kv_bin(pk, "ref", keys[0], 32);
	expect_bad("decline", &o, "decline: \"reason\" is empty");
	msgpack_pack_map(pk, 1);
	mpx_kv_bin(pk, "ref", keys[0], 32);
	expect_bad("redact", &o, "redact: \"reason\" is missing");
	msgpack_pack_map(pk, 1);
	mpx_kv_bin(pk, "ref", keys[0], 31);
	expect_bad("accept", &o, "\"ref\" is not 32 bytes of bin");
	msgpack_pack_map(pk, 1);
	mpx_kv_str(pk, "reason", "x");
	expect_bad("decline", &o, "\"ref\" is missing");
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "reason", rep('r', BODY_REASON_MAX + 1));
	mpx_kv_bin(pk, "ref", keys[0], 32);
	expect_bad("redact", &o, "\"reason\" is longer than 1024 bytes");
	msgpack_pack_map(pk, 2);
	mpx_str(pk, "reason"); msgpack_pack_true(pk);
	mpx_kv_bin(pk, "ref", keys[0], 32);
	expect_bad("decline", &o, "\"reason\" is not a string");
	mpx_free(&o);
}

/* A status round-trips with and without note and evidence; the builder
 * refuses an unknown state. */
static void test_status_roundtrip(void **state)
{
	static struct body_status st, su;
	struct mpx_out o;

	mpx_init(&o);
	memset(&st, 0, sizeof st);
	memcpy(st.ref, keys[2], 32);
	strcpy(st.state, "in-progress");
	assert_int_equal(body_status(&o, &st), 0);
	expect_ok("status", &o);
	assert_int_equal(body_status_parse(BUF(o), &su), 0);
	assert_int_equal(memcmp(&st, &su, sizeof st), 0);
	mpx_reset(&o);
	memset(st.state, 0, sizeof st.state);
	strcpy(st.state, "fulfilled");
	strcpy(st.note, "Both cafés open.");
	st.has_evidence = true;
	memcpy(st.evidence, keys[3], 32);
	assert_int_equal(body_status(&o, &st), 0);
	expect_ok("status", &o);
	assert_int_equal(body_status_parse(BUF(o), &su), 0);
	assert_int_equal(memcmp(&st, &su, sizeof st), 0);
	mpx_reset(&o);
	strcpy(st.state, "done");
	assert_int_equal(body_status(&o, &st), PAKT_EINVAL);
	assert_int_equal(o.sb.size, 0);
	mpx_free(&o);
}

/* Malformed status bodies are PAKT_EBODY with a reason. */
static void test_status_rejections(void **state)
{
	struct mpx_out o;
	mpx_init(&o);
	msgpack_packer *pk = &o.pk;

	msgpack_pack_map(pk, 2);
	mpx_kv_bin(pk, "ref", keys[0], 32);
	mpx_kv_str(pk, "state", "done");
	expect_bad("status", &o, "bad \"state\" \"done\"");
	msgpack_pack_map(pk, 1);
	mpx_kv_str(pk, "state", "missed");
	expect_bad("status", &o, "\"ref\" is missing");
	msgpack_pack_map(pk, 1);
	mpx_kv_bin(pk, "ref", keys[0], 32);
	expect_bad("status", &o, "\"state\" is missing");
	msgpack_pack_map(pk, 3);
	mpx_kv_str(pk, "note", "");
	mpx_kv_bin(pk, "ref", keys[0], 32);
	mpx_kv_str(pk, "state", "missed");
	expect_bad("status", &o, "\"note\" is empty");
	msgpack_pack_map(pk, 3);
	mpx_kv_str(pk, "evidence", "en_x");
	mpx_kv_bin(pk, "ref", keys[0], 32);
	mpx_kv_str(pk, "state", "withdrawn");
	expect_bad("status", &o, "\"evidence\" is not 32 bytes of bin");
	msgpack_pack_map(pk, 3);
	mpx_kv_bin(pk, "ref", keys[0], 32);
	mpx_kv_str(pk, "state", "missed");
	mpx_kv_str(pk, "when", "now");
	expect_bad("status", &o, "unknown key \"when\"");
	mpx_free(&o);
}

/* A profile round-trips, full and minimal; the builder refuses a bad
 * sector and an address that is not HOST:PORT. */
static void test_profile_roundtrip(void **state)
{
	static struct body_profile p, q;
	struct mpx_out o;

	mpx_init(&o);
	memset(&p, 0, sizeof p);
	strcpy(p.name, "Stichting Huiswerk");
	strcpy(p.sector, "ngo");
	assert_int_equal(body_profile(&o, &p), 0);
	expect_ok("profile", &o);
	assert_int_equal(body_profile_parse(BUF(o), &q), 0);
	assert_int_equal(memcmp(&p, &q, sizeof p), 0);
	mpx_reset(&o);
	strcpy(p.sector, "business");
	strcpy(p.contact, "info@example.org");
	strcpy(p.addrs[0], "pakt.example.org:7420");
	strcpy(p.addrs[1], "192.0.2.7:65535");
	strcpy(p.addrs[2], "[2001:db8::1]:1");
	p.n_addrs = 3;
	assert_int_equal(body_profile(&o, &p), 0);
	expect_ok("profile", &o);
	assert_int_equal(body_profile_parse(BUF(o), &q), 0);
	assert_int_equal(memcmp(&p, &q, sizeof p), 0);
	mpx_reset(&o);
	strcpy(p.addrs[2], "example.org");
	assert_int_equal(body_profile(&o, &p), PAKT_EINVAL);
	strcpy(p.addrs[2], "example.org:0");
	assert_int_equal(body_profile(&o, &p), PAKT_EINVAL);
	strcpy(p.addrs[2], "[2001:db8::1]:1");
	p.n_addrs = BODY_ADDRS_MAX + 1;
	assert_int_equal(body_profile(&o, &p), PAKT_ETOOBIG);
	p.n_addrs = 0;
	strcpy(p.sector, "private");
	assert_int_equal(body_profile(&o, &p), PAKT_EINVAL);
	strcpy(p.sector, "other");
	p.name[0] = '\0';
	assert_int_equal(body_profile(&o, &p), PAKT_EINVAL);
	assert_int_equal(o.sb.size, 0);
	mpx_free(&o);
}

static void pack_profile_addrs(msgpack_packer *pk, const char *const *a,
			       size_t n)
{
	msgpack_pack_map(pk, 3);
	mpx_str(pk, "addresses");
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < n; i++)
		mpx_str(pk, a[i]);
	mpx_kv_str(pk, "name", "N");
	mpx_kv_str(pk, "sector", "public");
}

/* Malformed profiles are PAKT_EBODY with a reason. */
static void test_profile_rejections(void **state)
{
	static const char *const five[] = { "a:1", "b:2", "c:3", "d:4", "e:5" };
	static const char *const bad[] = { "example.org", "example.org:",
		":80", "example.org:080", "example.org:65536", "2001:db8::1:80",
		"[]:80", "[2001:db8::1:80", "ex ample.org:80", "[zz:1]:80" };
	struct mpx_out o;
	char frag[64];
	mpx_init(&o);
	msgpack_packer *pk = &o.pk;

	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "name", "N");
	mpx_kv_str(pk, "sector", "charity");
	expect_bad("profile", &o, "bad \"sector\" \"charity\"");
	msgpack_pack_map(pk, 1);
	mpx_kv_str(pk, "sector", "ngo");
	expect_bad("profile", &o, "\"name\" is missing");
	msgpack_pack_map(pk, 1);
	mpx_kv_str(pk, "name", "N");
	expect_bad("profile", &o, "\"sector\" is missing");
	pack_profile_addrs(pk, five, 5);
	expect_bad("profile", &o, "\"addresses\" must list 1 to 4");
	pack_profile_addrs(pk, five, 0);
	expect_bad("profile", &o, "\"addresses\" must list 1 to 4");
	pack_profile_addrs(pk, five, 4);
	expect_ok("profile", &o);
	mpx_reset(&o);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		pack_profile_addrs(pk, &bad[i], 1);
		snprintf(frag, sizeof frag, "address \"%s\" is not HOST:PORT",
			 bad[i]);
		expect_bad("profile", &o, frag);
	}
	msgpack_pack_map(pk, 3);
	mpx_kv_str(pk, "contact", rep('c', BODY_CONTACT_MAX + 1));
	mpx_kv_str(pk, "name", "N");
	mpx_kv_str(pk, "sector", "ngo");
	expect_bad("profile", &o, "\"contact\" is longer than 256 bytes");
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "name", rep('n', BODY_NAME_MAX + 1));
	mpx_kv_str(pk, "sector", "ngo");
	expect_bad("profile", &o, "\"name\" is longer than 128 bytes");
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "name", "N");
	mpx_str(pk, "sector"); msgpack_pack_int(pk, 1);
	expect_bad("profile", &o, "\"sector\" is not a string");
	mpx_free(&o);
}

/* A checkpoint round-trips (3 heads, and none); the builder refuses a
 * repeated author, seq 0, and a body larger than ENTRY_BODY_MAX. */
static void test_checkpoint_roundtrip(void **state)
{
	static struct body_head h[BODY_HEADS_MAX + 1], g[BODY_HEADS_MAX];
	struct mpx_out o;
	size_t n = 99;

	mpx_init(&o);
	for (int i = 0; i < 3; i++) {
		memcpy(h[i].author, keys[i], 32);
		memcpy(h[i].hash, keys[10 + i], 32);
	}
	h[0].seq = 1;
	h[1].seq = 300;
	h[2].seq = ENTRY_SEQ_MAX;
	assert_int_equal(body_checkpoint(&o, h, 3), 0);
	expect_ok("checkpoint", &o);
	assert_int_equal(body_checkpoint_parse(BUF(o), g, BODY_HEADS_MAX, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(memcmp(h, g, 3 * sizeof h[0]), 0);
	assert_int_equal(body_checkpoint_parse(BUF(o), g, 2, &n), PAKT_ETOOBIG);
	assert_int_equal(body_checkpoint_parse(BUF(o), NULL, 0, &n), 0);
	assert_int_equal(n, 3);
	mpx_reset(&o);
	assert_int_equal(body_checkpoint(&o, h, 0), 0);
	expect_ok("checkpoint", &o);
	assert_int_equal(body_checkpoint_parse(BUF(o), g, BODY_HEADS_MAX, &n), 0);
	assert_int_equal(n, 0);
	mpx_reset(&o);

	memcpy(h[2].author, h[0].author, 32);
	assert_int_equal(body_checkpoint(&o, h, 3), PAKT_EINVAL);
	memcpy(h[2].author, keys[2], 32);
	h[1].seq = 0;
	assert_int_equal(body_checkpoint(&o, h, 3), PAKT_EINVAL);
	h[1].seq = ENTRY_SEQ_MAX + 1;
	assert_int_equal(body_checkpoint(&o, h, 3), PAKT_EINVAL);
	assert_int_equal(body_checkpoint(&o, h, BODY_HEADS_MAX + 1),
			 PAKT_ETOOBIG);
	/* 300 distinct heads are ~21 KB: more than a body holds */
	for (uint32_t i = 0; i < 300; i++) {
		memset(h[i].author, 0, 32);
		memcpy(h[i].author, &i, sizeof i);
		h[i].seq = 1;
	}
	assert_int_equal(body_checkpoint(&o, h, 300), PAKT_ETOOBIG);
	assert_int_equal(o.sb.size, 0);
	assert_int_equal(body_checkpoint(&o, h, 200), 0);
	expect_ok("checkpoint", &o);
	mpx_free(&o);
}

/* Malformed checkpoints are PAKT_EBODY with a reason. */
static void test_checkpoint_rejections(void **state)
{
	struct mpx_out o;
	mpx_init(&o);
	msgpack_packer *pk = &o.pk;

	msgpack_pack_map(pk, 1);
	mpx_str(pk, "heads"); msgpack_pack_array(pk, 2);
	for (int i = 0; i < 2; i++) {
		msgpack_pack_array(pk, 3);
		mpx_bin(pk, keys[0], 32);
		msgpack_pack_uint64(pk, 1 + i);
		mpx_bin(pk, keys[1], 32);
	}
	expect_bad("checkpoint", &o, "an author has two heads");
	msgpack_pack_map(pk, 1);
	mpx_str(pk, "heads"); msgpack_pack_array(pk, 1);
	msgpack_pack_array(pk, 3);
	mpx_bin(pk, keys[0], 32);
	msgpack_pack_uint64(pk, 0);
	mpx_bin(pk, keys[1], 32);
	expect_bad("checkpoint", &o, "seq 0");
	msgpack_pack_map(pk, 1);
	mpx_str(pk, "heads"); msgpack_pack_array(pk, 1);
	msgpack_pack_array(pk, 2);
	mpx_bin(pk, keys[0], 32);
	msgpack_pack_uint64(pk, 1);
	expect_bad("checkpoint", &o, "a head is not [author");
	msgpack_pack_map(pk, 1);
	mpx_str(pk, "heads"); msgpack_pack_array(pk, 1);
	msgpack_pack_array(pk, 3);
	mpx_bin(pk, keys[0], 32);
	msgpack_pack_int(pk, -1);
	mpx_bin(pk, keys[1], 32);
	expect_bad("checkpoint", &o, "a head is not [author");
	msgpack_pack_map(pk, 1);
	mpx_kv_str(pk, "head", "x");
	expect_bad("checkpoint", &o, "unknown key \"head\"");
	msgpack_pack_map(pk, 0);
	expect_bad("checkpoint", &o, "\"heads\" is missing");
	msgpack_pack_map(pk, 1);
	mpx_str(pk, "heads"); msgpack_pack_map(pk, 0);
	expect_bad("checkpoint", &o, "\"heads\" is not an array");
	mpx_free(&o);
}

struct xkey {
	uint8_t pk[32], sk[32];
};

/* The entry a sealed body belongs to: its network and author. */
#define NET keys[38]
#define AUTHOR keys[39]

/* A sealed message names its other recipients inside: each recipient
 * reads the list back (what a reply is sealed to); one without a list
 * reads none; more than 31 names are refused. */
static void test_seal_names_recipients(void **state)
{
	struct xkey x[2];
	uint8_t rcpt[2][32];
	struct sealed_to to = {.n = 2}, back = {.n = 9}, many = {.n = BODY_BOXES_MAX};
	struct mpx_out o;
	char text[BODY_TEXT_MAX + 1];

	for (int i = 0; i < 2; i++) {
		crypto_box_keypair(x[i].pk, x[i].sk);
		memcpy(rcpt[i], x[i].pk, 32);
	}
	memcpy(to.keys[0], keys[3], 32);
	memcpy(to.keys[1], keys[4], 32);
	mpx_init(&o);
	assert_int_equal(sealed_seal_to(&o, NET, AUTHOR, "who else", NULL,
					(const uint8_t (*)[32])rcpt, 2, &to), 0);
	expect_ok("sealed", &o);
	assert_int_equal(sealed_open_to(BUF(o), NET, AUTHOR, x[1].pk, x[1].sk, text, sizeof text,
					NULL, NULL, &back), 0);
	assert_string_equal(text, "who else");
	assert_int_equal(back.n, 2);
	assert_memory_equal(back.keys[1], keys[4], 32);
	/* the old form (no list) still opens, naming no one */
	mpx_reset(&o);
	assert_int_equal(sealed_seal(&o, NET, AUTHOR, "x", NULL, (const uint8_t (*)[32])rcpt, 1), 0);
	assert_int_equal(sealed_open_to(BUF(o), NET, AUTHOR, x[0].pk, x[0].sk, text, sizeof text,
					NULL, NULL, &back), 0);
	assert_int_equal(back.n, 0);
	mpx_reset(&o);
	many.n = BODY_BOXES_MAX;   /* one more than a sealed_to holds: refused before packing */
	assert_int_equal(sealed_seal_to(&o, NET, AUTHOR, "x", NULL, (const uint8_t (*)[32])rcpt, 1,
					&many), PAKT_ETOOBIG);
	mpx_free(&o);
}

/* Sealed to 3 recipients: each opens it, a 4th key gets PAKT_ENOTFOUND, a
 * flipped ciphertext byte fails, and the envelope validates. */
static void test_seal_roundtrip(void **state)
{
	struct xkey x[4];
	uint8_t rcpt[3][32], reply[32];
	struct mpx_out o;
	char text[BODY_TEXT_MAX + 1];
	bool has_reply;

	for (int i = 0; i < 4; i++)
		crypto_box_keypair(x[i].pk, x[i].sk);
	for (int i = 0; i < 3; i++)
		memcpy(rcpt[i], x[i].pk, 32);
	mpx_init(&o);
	assert_int_equal(sealed_seal(&o, NET, AUTHOR, "meet at nine", keys[7],
				     (const uint8_t (*)[32])rcpt, 3), 0);
	expect_ok("sealed", &o);
	/* nothing of the text in clear */
	assert_null(memmem(o.sb.data, o.sb.size, "nine", 4));
	for (int i = 0; i < 3; i++) {
		memset(reply, 0, sizeof reply);
		has_reply = false;
		assert_int_equal(sealed_open(BUF(o), NET, AUTHOR, x[i].pk, x[i].sk, text,
					     sizeof text, reply, &has_reply), 0);
		assert_string_equal(text, "meet at nine");
		assert_true(has_reply);
		assert_memory_equal(reply, keys[7], 32);
	}
	assert_int_equal(sealed_open(BUF(o), NET, AUTHOR, x[3].pk, x[3].sk, text,
				     sizeof text, reply, &has_reply),
			 PAKT_ENOTFOUND);
	/* a text longer than the caller's buffer */
	assert_int_equal(sealed_open(BUF(o), NET, AUTHOR, x[0].pk, x[0].sk, text, 5, reply,
				     &has_reply), PAKT_ETOOBIG);
	/* the last byte before "nonce" (key 0xa5 "nonce", bin8 24) is ct's */
	size_t ct_last = o.sb.size - 24 - 2 - 6 - 1;
	o.sb.data[ct_last] ^= 1;
	expect_ok("sealed", &o);        /* the envelope still looks fine */
	assert_int_equal(sealed_open(BUF(o), NET, AUTHOR, x[1].pk, x[1].sk, text,
				     sizeof text, reply, &has_reply), PAKT_EBODY);
	mpx_reset(&o);

	/* without reply_to, to one recipient; an empty text */
	assert_int_equal(sealed_seal(&o, NET, AUTHOR, "", NULL, (const uint8_t (*)[32])rcpt, 1),
			 0);
	expect_ok("sealed", &o);
	has_reply = true;
	assert_int_equal(sealed_open(BUF(o), NET, AUTHOR, x[0].pk, x[0].sk, text,
				     sizeof text, NULL, &has_reply), 0);
	assert_string_equal(text, "");
	assert_false(has_reply);
	assert_int_equal(sealed_open(BUF(o), NET, AUTHOR, x[1].pk, x[1].sk, text,
				     sizeof text, NULL, NULL), PAKT_ENOTFOUND);
	mpx_reset(&o);

	/* builder refusals */
	assert_int_equal(sealed_seal(&o, NET, AUTHOR, "x", NULL, (const uint8_t (*)[32])rcpt, 0),
			 PAKT_EINVAL);
	assert_int_equal(sealed_seal(&o, NET, AUTHOR, "x", NULL, (const uint8_t (*)[32])keys,
				     BODY_BOXES_MAX + 1), PAKT_ETOOBIG);
	assert_int_equal(sealed_seal(&o, NET, AUTHOR, rep('t', BODY_TEXT_MAX + 1), NULL,
				     (const uint8_t (*)[32])rcpt, 3), PAKT_ETOOBIG);
	assert_int_equal(sealed_seal(&o, NET, AUTHOR, "\xc0\x80", NULL,
				     (const uint8_t (*)[32])rcpt, 3), PAKT_EUTF8);
	assert_int_equal(o.sb.size, 0);
	/* the longest text, to 32 recipients, fits a body */
	assert_int_equal(sealed_seal(&o, NET, AUTHOR, rep('t', BODY_TEXT_MAX), NULL,
				     (const uint8_t (*)[32])keys, BODY_BOXES_MAX), 0);
	expect_ok("sealed", &o);
	assert_true(o.sb.size <= ENTRY_BODY_MAX);
	mpx_free(&o);
}

/* Seal an arbitrary inner plaintext to pk as proto/PROTOCOL.md says
 * ("sealed"): ct under BLAKE2b-256(key = message key, "pakt sealed v2" ||
 * network || author); bound false seals under the message key itself, as
 * before the binding. */
static void seal_raw(struct mpx_out *o, const void *inner, size_t len,
		     const uint8_t pk[32], const uint8_t net[32],
		     const uint8_t author[32], bool bound)
{
	uint8_t key[32], ck[32], nonce[24], box[80], ct[512], in[14 + 64];
	assert_true(len + 16 <= sizeof ct);
	crypto_secretbox_keygen(key);
	randombytes_buf(nonce, sizeof nonce);
	assert_int_equal(crypto_box_seal(box, key, 32, pk), 0);
	memcpy(in, "pakt sealed v2", 14);
	memcpy(in + 14, net, 32);
	memcpy(in + 46, author, 32);
	crypto_generichash(ck, 32, in, sizeof in, key, 32);
	crypto_secretbox_easy(ct, inner, len, nonce, bound ? ck : key);
	msgpack_pack_map(&o->pk, 3);
	mpx_str(&o->pk, "boxes");
	msgpack_pack_array(&o->pk, 1);
	mpx_bin(&o->pk, box, 80);
	mpx_kv_bin(&o->pk, "ct", ct, len + 16);
	mpx_kv_bin(&o->pk, "nonce", nonce, 24);
}

/* A sealed body opens only as the entry of the author and network it was
 * sealed for: a member that copies it into its own feed, or into another
 * initiative, gets PAKT_EBODY from every recipient; a body sealed before
 * the binding is PAKT_EVERSION (not shown). */
static void test_sealed_bound(void **state)
{
	uint8_t pk[32], sk[32];
	char text[64];
	struct mpx_out o;

	crypto_box_keypair(pk, sk);
	mpx_init(&o);
	assert_int_equal(sealed_seal(&o, NET, AUTHOR, "the board meets friday",
				     NULL, (const uint8_t (*)[32])&pk, 1), 0);
	assert_int_equal(sealed_open(BUF(o), NET, AUTHOR, pk, sk, text,
				     sizeof text, NULL, NULL), 0);
	assert_string_equal(text, "the board meets friday");
	/* copied into keys[0]'s feed */
	assert_int_equal(sealed_open(BUF(o), NET, keys[0], pk, sk, text,
				     sizeof text, NULL, NULL), PAKT_EBODY);
	assert_string_equal(text, "");
	/* copied into another initiative */
	assert_int_equal(sealed_open(BUF(o), keys[1], AUTHOR, pk, sk, text,
				     sizeof text, NULL, NULL), PAKT_EBODY);
	mpx_reset(&o);
	/* the documented derivation is the one used */
	seal_raw(&o, "\x81\xa4text\xa2hi", 9, pk, NET, AUTHOR, true);
	assert_int_equal(sealed_open(BUF(o), NET, AUTHOR, pk, sk, text,
				     sizeof text, NULL, NULL), 0);
	assert_string_equal(text, "hi");
	mpx_reset(&o);
	/* sealed before the binding: the message key used directly */
	seal_raw(&o, "\x81\xa4text\xa2hi", 9, pk, NET, AUTHOR, false);
	expect_ok("sealed", &o);
	assert_int_equal(sealed_open(BUF(o), NET, AUTHOR, pk, sk, text,
				     sizeof text, NULL, NULL), PAKT_EVERSION);
	assert_string_equal(text, "");
	mpx_free(&o);
}

/* The decrypted inner map is parsed strictly: canonical, only reply_to and
 * text, text present and without NUL. */
static void test_unseal_inner_strict(void **state)
{
	static const struct {
		const char *desc;
		const char *bytes;
		size_t len;
		int rc;
	} cases[] = {
#define S(x) x, sizeof(x) - 1
		{ "ok", S("\x81\xa4text\xa2hi"), 0 },
		{ "extra key", S("\x82\xa4text\xa2hi\xa4tone\xa1x"), PAKT_EBODY },
		{ "no text", S("\x80"), PAKT_EBODY },
		{ "text not str", S("\x81\xa4text\x01"), PAKT_EBODY },
		{ "not canonical", S("\x81\xa4text\xd9\x02hi"), PAKT_EBODY },
		{ "NUL in text", S("\x81\xa4text\xa2h\0"), PAKT_EBODY },
		{ "short reply_to", S("\x82\xa8reply_to\xc4\x01\x00\xa4text\xa0"),
		  PAKT_EBODY },
		{ "array", S("\x91\xa0"), PAKT_EBODY },
#undef S
	};
	uint8_t pk[32], sk[32];
	char text[64];
	struct mpx_out o;

	crypto_box_keypair(pk, sk);
	mpx_init(&o);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		seal_raw(&o, cases[i].bytes, cases[i].len, pk, NET, AUTHOR, true);
		expect_ok("sealed", &o);
		int rc = sealed_open(BUF(o), NET, AUTHOR, pk, sk, text, sizeof text, NULL,
				     NULL);
		if (rc != cases[i].rc)
			fail_msg("%s: rc %d", cases[i].desc, rc);
		mpx_reset(&o);
	}
	mpx_free(&o);
}

/* Malformed sealed envelopes are PAKT_EBODY with a reason (and sealed_open
 * says PAKT_EBODY too). */
static void test_sealed_rejections(void **state)
{
	uint8_t box[81] = {0}, nonce[25] = {0}, ct[BODY_SEALED_MAX + 1] = {0};
	uint8_t pk[32], sk[32];
	char text[8];
	struct mpx_out o;
	mpx_init(&o);
	msgpack_packer *pk_ = &o.pk;
	crypto_box_keypair(pk, sk);

#define SEALED(nb, blen, clen, nlen) do { \
		msgpack_pack_map(pk_, 3); \
		mpx_str(pk_, "boxes"); msgpack_pack_array(pk_, nb); \
		for (int i_ = 0; i_ < (nb); i_++) mpx_bin(pk_, box, blen); \
		mpx_kv_bin(pk_, "ct", ct, clen); \
		mpx_kv_bin(pk_, "nonce", nonce, nlen); \
	} while (0)

	SEALED(1, 80, 16, 24);
	expect_ok("sealed", &o);
	assert_int_equal(sealed_open(BUF(o), NET, AUTHOR, pk, sk, text, sizeof text, NULL,
				     NULL), PAKT_ENOTFOUND);
	mpx_reset(&o);
	SEALED(0, 80, 16, 24);
	expect_bad("sealed", &o, "\"boxes\" must hold 1 to 32 boxes");
	SEALED(33, 80, 16, 24);
	expect_bad("sealed", &o, "\"boxes\" must hold 1 to 32 boxes");
	SEALED(1, 79, 16, 24);
	expect_bad("sealed", &o, "a box is not 80 bytes of bin");
	SEALED(1, 81, 16, 24);
	expect_bad("sealed", &o, "a box is not 80 bytes of bin");
	SEALED(1, 80, 15, 24);
	expect_bad("sealed", &o, "\"ct\" must be 16 to 12288 bytes");
	SEALED(1, 80, BODY_SEALED_MAX + 1, 24);
	expect_bad("sealed", &o, "\"ct\" must be 16 to 12288 bytes");
	SEALED(1, 80, BODY_SEALED_MAX, 24);
	expect_ok("sealed", &o);
	mpx_reset(&o);
	SEALED(1, 80, 16, 25);
	expect_bad("sealed", &o, "\"nonce\" is not 24 bytes of bin");
	SEALED(1, 80, 16, 24);
	o.sb.data[0] = (char)0x82;      /* drop "nonce" from the count... */
	o.sb.size -= 1 + 5 + 2 + 24;    /* ...and its bytes */
	expect_bad("sealed", &o, "\"nonce\" is missing");
	msgpack_pack_map(pk_, 3);
	mpx_str(pk_, "boxes"); msgpack_pack_array(pk_, 1);
	mpx_bin(pk_, box, 80);
	mpx_kv_str(pk_, "ct", "plain");
	mpx_kv_bin(pk_, "nonce", nonce, 24);
	assert_int_equal(sealed_open(BUF(o), NET, AUTHOR, pk, sk, text, sizeof text, NULL,
				     NULL), PAKT_EBODY);
	expect_bad("sealed", &o, "\"ct\" is not bin");
	msgpack_pack_map(pk_, 4);
	mpx_str(pk_, "boxes"); msgpack_pack_array(pk_, 1);
	mpx_bin(pk_, box, 80);
	mpx_kv_bin(pk_, "ct", ct, 16);
	mpx_kv_bin(pk_, "nonce", nonce, 24);
	mpx_kv_str(pk_, "to", "all");
	expect_bad("sealed", &o, "sealed: unknown key \"to\"");
	mpx_free(&o);
#undef SEALED
}

/* Every new type rejects a body that is not a map or not canonical, and an
 * empty map names the first missing key. */
static void test_empty_and_noncanonical(void **state)
{
	static const struct { const char *type, *missing; } t[] = {
		{ "agenda", "\"goal\" is missing" },
		{ "update", "\"period\" is missing" },
		{ "commitment", "\"due\" is missing" },
		{ "accept", "\"ref\" is missing" },
		{ "decline", "\"ref\" is missing" },
		{ "redact", "\"ref\" is missing" },
		{ "status", "\"ref\" is missing" },
		{ "profile", "\"name\" is missing" },
		{ "checkpoint", "\"heads\" is missing" },
		{ "sealed", "\"boxes\" is missing" },
	};
	char why[128];
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		assert_int_equal(body_validate(t[i].type, (const uint8_t *)"\x80",
					       1, why, sizeof why), PAKT_EBODY);
		assert_non_null(strstr(why, t[i].missing));
		assert_int_equal(body_validate(t[i].type, (const uint8_t *)"\x90",
					       1, why, sizeof why), PAKT_EBODY);
		assert_string_equal(why, "body is not a map");
		/* a map key out of order */
		assert_int_equal(body_validate(t[i].type,
					       (const uint8_t *)"\x82\xa1z\x01\xa1" "a\x01",
					       7, why, sizeof why), PAKT_EBODY);
		assert_non_null(strstr(why, "body: "));
	}
	/* parsers say PAKT_EBODY to non-canonical bytes and to NULL */
	static struct body_agenda a;
	assert_int_equal(body_agenda_parse((const uint8_t *)"\x80", 1, &a),
			 PAKT_EBODY);
	assert_int_equal(body_agenda_parse(NULL, 0, &a), PAKT_EBODY);
}

/* Dates: days since 1970-01-01 with real calendar checks. */
static void test_date_parse(void **state)
{
	static const struct { const char *s; int64_t days; } ok[] = {
		{ "1970-01-01", 0 }, { "1969-12-31", -1 },
		{ "2000-03-01", 11017 }, { "2000-02-29", 11016 },
		{ "2024-02-29", 19782 }, { "2026-01-01", 20454 },
		{ "2026-06-15", 20619 }, { "0001-01-01", -719162 },
		{ "0000-03-01", -719468 }, { "9999-12-31", 2932896 },
	};
	static const char *const bad[] = { "2026-02-29", "1900-02-29",
		"2026-13-01", "2026-00-10", "2026-04-31", "2026-01-00",
		"2026-1-01", "2026-01-1", "2026-01-01x", "2026/01/01",
		"+026-01-01", "", "2026-01-01..2026-01-02", "2026" };
	int64_t d;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		d = 12345;
		assert_int_equal(date_parse(ok[i].s, &d), 0);
		if (d != ok[i].days)
			fail_msg("%s: %lld", ok[i].s, (long long)d);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (date_parse(bad[i], &d) != PAKT_EINVAL)
			fail_msg("%s accepted", bad[i]);
	assert_int_equal(date_parse(NULL, &d), PAKT_EINVAL);
}

/* Periods: first and last day of a year, quarter, month, day or range. */
static void test_period_parse(void **state)
{
	static const struct { const char *s; int64_t from, to; } ok[] = {
		{ "2026", 20454, 20818 },
		{ "2026-Q1", 20454, 20543 },
		{ "2026-Q4", 20727, 20818 },
		{ "2024-02", 19754, 19782 },
		{ "2026-12", 20788, 20818 },
		{ "2024-02-29", 19782, 19782 },
		{ "2026-01-01..2026-12-31", 20454, 20818 },
		{ "2026-06-15..2026-06-15", 20619, 20619 },
		{ "1970", 0, 364 },
	};
	static const char *const bad[] = { "2026-Q5", "2026-Q0", "2026-q1",
		"2026-13", "2026-00", "2026-02-29", "2026-03-02..2026-03-01",
		"2026-01-01..2026-13-01", "2026-01-01...2026-02-01",
		"2026-01-01.2026-02-01", "2026..2027", "202", "20261", "2026-",
		"2026-Q", "2026-Q10", "", "2026 " };
	int64_t f, t;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		f = t = 12345;
		assert_int_equal(date_period_parse(ok[i].s, &f, &t), 0);
		if (f != ok[i].from || t != ok[i].to)
			fail_msg("%s: %lld..%lld", ok[i].s, (long long)f,
				 (long long)t);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (date_period_parse(bad[i], &f, &t) != PAKT_EINVAL)
			fail_msg("%s accepted", bad[i]);
	assert_int_equal(date_period_parse(NULL, &f, &t), PAKT_EINVAL);
	/* every day of 1600..2400 converts back to consecutive numbers */
	int64_t prev = 0;
	bool first = true;
	for (int y = 1600; y <= 2400; y++)
		for (int m = 1; m <= 12; m++) {
			char s[16];
			snprintf(s, sizeof s, "%04d-%02d", y, m);
			assert_int_equal(date_period_parse(s, &f, &t), 0);
			if (!first)
				assert_int_equal(f, prev + 1);
			first = false;
			prev = t;
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agenda_roundtrip),
		cmocka_unit_test(test_agenda_build_refusals),
		cmocka_unit_test(test_agenda_rejections),
		cmocka_unit_test(test_update_roundtrip),
		cmocka_unit_test(test_update_rejections),
		cmocka_unit_test(test_commitment_roundtrip),
		cmocka_unit_test(test_commitment_rejections),
		cmocka_unit_test(test_ref_roundtrip),
		cmocka_unit_test(test_ref_rejections),
		cmocka_unit_test(test_status_roundtrip),
		cmocka_unit_test(test_status_rejections),
		cmocka_unit_test(test_profile_roundtrip),
		cmocka_unit_test(test_profile_rejections),
		cmocka_unit_test(test_checkpoint_roundtrip),
		cmocka_unit_test(test_checkpoint_rejections),
		cmocka_unit_test(test_seal_roundtrip),
		cmocka_unit_test(test_seal_names_recipients),
		cmocka_unit_test(test_unseal_inner_strict),
		cmocka_unit_test(test_sealed_bound),
		cmocka_unit_test(test_sealed_rejections),
		cmocka_unit_test(test_empty_and_noncanonical),
		cmocka_unit_test(test_date_parse),
		cmocka_unit_test(test_period_parse),
	};
	return cmocka_run_group_tests_name("bodies", tests, setup, NULL);
}
