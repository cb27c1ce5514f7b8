/* Unit tests of daemon/verify: a clean store, then one damaged row at a time
 * (changed with SQL on the file, as a disk error or a hand edit would) is
 * reported at exactly its (author, seq), and its successor is not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "daemon/store.h"
#include "daemon/verify.h"
#include "proto/err.h"
#include "tests/unit/testutil.h"

#define N_A 5   /* genesis + 4 messages */
#define N_B 3
#define BLOB_MAX 2048

struct fixture {
	char dir[64];
	char path[128];
	char why[512];
	struct tu_feed a, b;      /* a starts the network, b posts in it */
	struct verify_result r;
};

static struct fixture *fx;

/* ---- helpers ---- */

static sqlite3 *db_open(void)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	return db;
}

/* Read column col of the row (author, seq) into buf; returns its length
 * and the row id in *rowid. */
static size_t blob_get(sqlite3 *db, const char *col, const uint8_t author[32],
		       uint64_t seq, uint8_t *buf, int64_t *rowid)
{
	char sql[256];
	sqlite3_stmt *st;
	size_t n;

	snprintf(sql, sizeof sql,
		 "SELECT e.id, e.%s FROM entries e JOIN feeds f ON f.id = e.feed"
		 " WHERE f.author = ?1 AND e.seq = ?2", col);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, author, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)seq);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	*rowid = sqlite3_column_int64(st, 0);
	n = (size_t)sqlite3_column_bytes(st, 1);
	assert_true(n <= BLOB_MAX);
	memcpy(buf, sqlite3_column_blob(st, 1), n);
	sqlite3_finalize(st);
	return n;
}

/* Write column col of row rowid; buf NULL writes SQL NULL. */
static void blob_set(sqlite3 *db, const char *col, int64_t rowid,
		     const uint8_t *buf, size_t len)
{
	char sql[128];
	sqlite3_stmt *st;

	snprintf(sql, sizeof sql, "UPDATE entries SET %s = ?1 WHERE id = ?2", col);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (buf != NULL)
		sqlite3_bind_blob(st, 1, buf, (int)len, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int64(st, 2, rowid);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	assert_int_equal(sqlite3_changes(db), 1);
	sqlite3_finalize(st);
}

/* XOR one byte of column col of (author, seq) with 0x01. off < 0 counts from
 * the end. */
static void flip_byte(const char *col, const uint8_t author[32], uint64_t seq, long off)
{
	uint8_t buf[BLOB_MAX];
	int64_t rowid;
	sqlite3 *db = db_open();
	size_t n = blob_get(db, col, author, seq, buf, &rowid);
	size_t at = off < 0 ? n - (size_t)(-off) : (size_t)off;

	assert_true(at < n);
	buf[at] ^= 0x01;
	blob_set(db, col, rowid, buf, n);
	sqlite3_close(db);
}

/* Offset in e's header of the last byte of its timestamp (big-endian). */
static long timestamp_offset(const struct entry *e)
{
	uint8_t be[8];
	const uint8_t *p;

	for (int i = 0; i < 8; i++)
		be[i] = (uint8_t)(e->h.timestamp >> (56 - 8 * i));
	p = memmem(e->header_bytes, e->header_len, be, sizeof be);
	assert_non_null(p);
	return (long)(p - e->header_bytes) + 7;
}

static void run_sql(const char *sql)
{
	sqlite3 *db = db_open();

	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* Verify the store on a read-only connection, as paktd does. */
static void verify(void)
{
	struct store *s;

	assert_int_equal(store_open(&s, fx->path, true, fx->why, sizeof fx->why), 0);
	assert_int_equal(verify_store(s, &fx->r), 0);
	store_close(s);
}

/* Exactly one bad entry, at (f's author, seq), with code (0: any code). */
static void assert_one_bad(const struct tu_feed *f, uint64_t seq, int code)
{
	const struct verify_bad *b = &fx->r.bad[0];

	assert_int_equal(fx->r.n_bad, 1);
	assert_int_equal(fx->r.bad_len, 1);
	assert_memory_equal(b->network, f->network, 32);
	assert_memory_equal(b->author, f->id.pk, 32);
	assert_int_equal(b->seq, seq);
	if (code != 0)
		assert_int_equal(b->code, code);
	else
		assert_int_not_equal(b->code, 0);
	assert_true(b->reason[0] != '\0');
}

/* ---- fixture ---- */

static int group_setup(void **state)
{
	return keys_global_init() == 0 ? 0 : -1;
}

/* A store with two feeds of one network: a (genesis + 4), b (3), appended
 * interleaved, then closed. */
static int setup(void **state)
{
	const struct entry *es[N_A + N_B];
	struct store *s;
	size_t n = 0, added = 0;

	fx = calloc(1, sizeof *fx);
	if (fx == NULL || tu_mkdtemp(fx->dir, "verify") != 0)
		return -1;
	snprintf(fx->path, sizeof fx->path, "%s/pakt.db", fx->dir);
	tu_feed_init(&fx->a, 1, NULL);
	tu_feed_messages(&fx->a, "a", N_A - 1);
	tu_feed_init(&fx->b, 2, fx->a.network);
	tu_feed_messages(&fx->b, "b", N_B);
	for (size_t i = 0; i < N_A; i++) {
		es[n++] = &fx->a.e[i];
		if (i < N_B)
			es[n++] = &fx->b.e[i];
	}
	if (store_open(&s, fx->path, false, fx->why, sizeof fx->why) != 0)
		return -1;
	if (store_append(s, es, n, 1, &added) != 0 || added != N_A + N_B) {
		store_close(s);
		return -1;
	}
	store_close(s);
	return 0;
}

static int teardown(void **state)
{
	int rc;

	verify_result_free(&fx->r);
	tu_feed_free(&fx->a);
	tu_feed_free(&fx->b);
	rc = tu_rmdir(fx->dir);
	free(fx);
	fx = NULL;
	return rc;
}

/* ---- tests ---- */

/* A clean store of 2 feeds: nothing bad, every entry, feed and body counted. */
static void test_clean(void **state)
{
	verify();
	assert_int_equal(fx->r.n_bad, 0);
	assert_int_equal(fx->r.bad_len, 0);
	assert_int_equal(fx->r.checked, N_A + N_B);
	assert_int_equal(fx->r.feeds, 2);
	assert_int_equal(fx->r.bodies, N_A + N_B);
	verify_result_free(&fx->r);
	assert_null(fx->r.bad);
	verify_result_free(&fx->r);   /* twice is harmless */
}

/* A flipped header byte (in the timestamp) is reported at that (author, seq)
 * only, not also as a broken link in its successor. */
static void test_header_byte(void **state)
{
	flip_byte("header", fx->a.id.pk, 3, timestamp_offset(&fx->a.e[2]));
	verify();
	assert_one_bad(&fx->a, 3, 0);
	assert_int_equal(fx->r.checked, N_A + N_B);
}

/* A flipped header byte in the genesis entry is reported at seq 1 only. */
static void test_genesis_header_byte(void **state)
{
	flip_byte("header", fx->a.id.pk, 1, timestamp_offset(&fx->a.e[0]));
	verify();
	assert_one_bad(&fx->a, 1, 0);
}

/* A flipped signature byte: PAKT_ESIG at that seq only. */
static void test_sig_byte(void **state)
{
	flip_byte("sig", fx->b.id.pk, 2, 10);
	verify();
	assert_one_bad(&fx->b, 2, PAKT_ESIG);
}

/* A flipped body byte: PAKT_EBODYHASH at that seq only. */
static void test_body_byte(void **state)
{
	flip_byte("body", fx->a.id.pk, 4, -1);   /* the last character of the text */
	verify();
	assert_one_bad(&fx->a, 4, PAKT_EBODYHASH);
}

/* A body set to NULL (redacted or not fetched) is not damage: 0 bad, one
 * body fewer. */
static void test_body_null(void **state)
{
	run_sql("UPDATE entries SET body = NULL WHERE seq = 2 AND feed ="
		" (SELECT feed FROM entries WHERE seq = 1 AND type = 'genesis')");
	verify();
	assert_int_equal(fx->r.n_bad, 0);
	assert_int_equal(fx->r.checked, N_A + N_B);
	assert_int_equal(fx->r.bodies, N_A + N_B - 1);
}

/* A deleted middle row: its successor is reported as a gap (PAKT_ECHAIN),
 * and the rest of the feed is fine. */
static void test_deleted_row(void **state)
{
	uint8_t buf[BLOB_MAX];
	int64_t rowid;
	char sql[64];
	sqlite3 *db = db_open();

	blob_get(db, "hash", fx->a.id.pk, 3, buf, &rowid);
	sqlite3_close(db);
	snprintf(sql, sizeof sql, "DELETE FROM entries WHERE id = %lld", (long long)rowid);
	run_sql(sql);
	verify();
	assert_one_bad(&fx->a, 4, PAKT_ECHAIN);
	assert_int_equal(fx->r.checked, N_A + N_B - 1);
	assert_int_equal(fx->r.feeds, 2);
}

/* A deleted first row: the feed's new first row (seq 2) is a gap. */
static void test_deleted_first_row(void **state)
{
	uint8_t buf[BLOB_MAX];
	int64_t rowid;
	char sql[64];
	sqlite3 *db = db_open();

	blob_get(db, "hash", fx->b.id.pk, 1, buf, &rowid);
	sqlite3_close(db);
	snprintf(sql, sizeof sql, "DELETE FROM entries WHERE id = %lld", (long long)rowid);
	run_sql(sql);
	verify();
	assert_one_bad(&fx->b, 2, PAKT_ECHAIN);
}

/* A signature of the wrong length: PAKT_EFORMAT at that seq only. */
static void test_sig_short(void **state)
{
	uint8_t buf[BLOB_MAX];
	int64_t rowid;
	sqlite3 *db = db_open();
	size_t n = blob_get(db, "sig", fx->b.id.pk, 3, buf, &rowid);

	assert_int_equal(n, PAKT_SIG_LEN);
	blob_set(db, "sig", rowid, buf, n - 1);
	sqlite3_close(db);
	verify();
	assert_one_bad(&fx->b, 3, PAKT_EFORMAT);
}

/* A header replaced by a long run of garbage is reported (no overflow of
 * the fixed header buffer), at that seq only. */
static void test_header_garbage(void **state)
{
	uint8_t buf[BLOB_MAX];
	int64_t rowid;
	sqlite3 *db = db_open();

	blob_get(db, "header", fx->a.id.pk, 2, buf, &rowid);
	memset(buf, 0xc4, 1000);   /* bin8 headers all the way down */
	blob_set(db, "header", rowid, buf, 1000);
	sqlite3_close(db);
	verify();
	assert_one_bad(&fx->a, 2, 0);
}

/* Two damaged rows in two feeds: both reported, in feed order. */
static void test_two_bad(void **state)
{
	flip_byte("body", fx->a.id.pk, 2, -1);
	flip_byte("sig", fx->b.id.pk, 1, 0);
	verify();
	assert_int_equal(fx->r.n_bad, 2);
	assert_int_equal(fx->r.bad_len, 2);
	assert_memory_equal(fx->r.bad[0].author, fx->a.id.pk, 32);
	assert_int_equal(fx->r.bad[0].seq, 2);
	assert_memory_equal(fx->r.bad[1].author, fx->b.id.pk, 32);
	assert_int_equal(fx->r.bad[1].seq, 1);
}

/* A feed long enough for several batches of signatures checked on two
 * threads (daemon/verify.c): bad signatures at both ends of a batch and in
 * the next one, a broken body between, are all reported once, in the
 * walk's order; the progress count reaches every entry. */
#define N_LONG 9000

static void test_many_batches(void **state)
{
	static const uint64_t bad_sig[] = {2, 4096, 4097, 8999};
	struct entry *e = calloc(N_LONG, sizeof *e);
	uint8_t (*body)[TU_BODY_CAP] = calloc(N_LONG, sizeof *body);
	const struct entry **es = calloc(N_LONG, sizeof *es);
	verify_progress done = 0;
	struct store *s;

	assert_true(e && body && es);
	for (size_t i = 0; i < N_LONG; i++) {
		char text[32];

		snprintf(text, sizeof text, "long %zu", i + 1);
		tu_entry(&e[i], body[i], &fx->b.id, fx->a.network, N_B + 1 + i,
			 i ? e[i - 1].hash : fx->b.e[N_B - 1].hash, "message", text);
		es[i] = &e[i];
	}
	assert_int_equal(store_open(&s, fx->path, false, fx->why, sizeof fx->why), 0);
	assert_int_equal(store_append(s, es, N_LONG, 1, NULL), 0);
	store_close(s);
	for (size_t k = 0; k < sizeof bad_sig / sizeof bad_sig[0]; k++)
		flip_byte("sig", fx->b.id.pk, N_B + bad_sig[k], 3);
	flip_byte("body", fx->b.id.pk, N_B + 5000, -1);

	assert_int_equal(store_open(&s, fx->path, true, fx->why, sizeof fx->why), 0);
	assert_int_equal(verify_store_progress(s, &fx->r, &done), 0);
	store_close(s);
	assert_int_equal(fx->r.checked, N_A + N_B + N_LONG);
	assert_int_equal(done, N_A + N_B + N_LONG);
	assert_int_equal(fx->r.n_bad, 5);
	for (size_t k = 0; k < 5; k++) {
		uint64_t want = N_B + (k < 3 ? bad_sig[k] : k == 3 ? 5000 : bad_sig[3]);

		assert_memory_equal(fx->r.bad[k].author, fx->b.id.pk, 32);
		assert_int_equal(fx->r.bad[k].seq, want);
		assert_int_equal(fx->r.bad[k].code, k == 3 ? PAKT_EBODYHASH : PAKT_ESIG);
	}
	free(es);
	free(body);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_genesis_header_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sig_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_body_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_body_null, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_first_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sig_short, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_batches, setup, teardown),
	};

	return cmocka_run_group_tests_name("verify", tests, group_setup, NULL);
}
