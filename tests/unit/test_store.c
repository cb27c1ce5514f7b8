/* Unit tests of daemon/store: append and read back, dedup and forks, a full
 * disk, heads, scan filters, networks, schema versions and files that are
 * not ours. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "daemon/store.h"
#include "daemon/store_priv.h"   /* the connection, for max_page_count */
#include "proto/err.h"
#include "tests/unit/testutil.h"

#define RECEIVED 1767225700000LL
#define ROWS_MAX 64

/* A copy of one scanned row (store_row is borrowed for the callback only). */
struct row_copy {
	int64_t rowid;
	uint8_t network[32], author[32], hash[32];
	uint64_t seq;
	char type[ENTRY_TYPE_MAX + 1];
	int64_t timestamp, received;
	uint8_t header[ENTRY_HEADER_MAX], sig[PAKT_SIG_LEN], body[TU_BODY_CAP];
	size_t header_len, sig_len, body_len;
	bool has_body;
};

struct rows {
	size_t n;
	struct row_copy r[ROWS_MAX];
};

struct fixture {
	char dir[64];
	char path[128];
	struct store *s;
	char why[512];
	struct tu_feed a, b, c;   /* scratch feeds */
	struct rows rows;
};

static struct fixture *fx;

/* ---- helpers ---- */

static int collect(void *arg, const struct store_row *row)
{
	struct rows *rs = arg;
	struct row_copy *c;

	assert_true(rs->n < ROWS_MAX);
	c = &rs->r[rs->n++];
	memset(c, 0, sizeof *c);
	c->rowid = row->rowid;
	memcpy(c->network, row->network, 32);
	memcpy(c->author, row->author, 32);
	memcpy(c->hash, row->hash, 32);
	c->seq = row->seq;
	assert_true(strlen(row->type) < sizeof c->type);
	strcpy(c->type, row->type);
	c->timestamp = row->timestamp;
	c->received = row->received;
	assert_true(row->header_len <= sizeof c->header);
	memcpy(c->header, row->header, row->header_len);
	c->header_len = row->header_len;
	assert_true(row->sig_len <= sizeof c->sig);
	memcpy(c->sig, row->sig, row->sig_len);
	c->sig_len = row->sig_len;
	c->has_body = row->body != NULL;
	if (row->body != NULL) {
		assert_true(row->body_len <= sizeof c->body);
		memcpy(c->body, row->body, row->body_len);
		c->body_len = row->body_len;
	}
	return 0;
}

/* Scan with q into fx->rows; returns the number of rows. */
static size_t scan(const struct store_query *q)
{
	fx->rows.n = 0;
	assert_int_equal(store_scan(fx->s, q, collect, &fx->rows), 0);
	return fx->rows.n;
}

/* The row is exactly the entry e as appended. */
static void assert_row_is(const struct row_copy *r, const struct entry *e)
{
	assert_memory_equal(r->network, entry_network(e), 32);
	assert_memory_equal(r->author, e->h.author, 32);
	assert_memory_equal(r->hash, e->hash, 32);
	assert_int_equal(r->seq, e->h.seq);
	assert_string_equal(r->type, e->h.type);
	assert_int_equal(r->timestamp, (int64_t)e->h.timestamp);
	assert_int_equal(r->header_len, e->header_len);
	assert_memory_equal(r->header, e->header_bytes, e->header_len);
	assert_int_equal(r->sig_len, PAKT_SIG_LEN);
	assert_memory_equal(r->sig, e->sig, PAKT_SIG_LEN);
	assert_true(r->has_body == (e->body != NULL));
	if (e->body != NULL) {
		assert_int_equal(r->body_len, e->body_len);
		assert_memory_equal(r->body, e->body, e->body_len);
	}
}

/* Append entries es[0..n) in one batch, expecting rc; returns added. */
static size_t append(const struct entry *const *es, size_t n, int want_rc)
{
	size_t added = 999;

	assert_int_equal(store_append(fx->s, es, n, RECEIVED, &added), want_rc);
	return added;
}

/* Append the feed's entries [from, to) in one batch; returns added. */
static size_t append_feed(const struct tu_feed *f, size_t from, size_t to)
{
	const struct entry *es[TU_FEED_MAX];

	for (size_t i = from; i < to; i++)
		es[i - from] = &f->e[i];
	return append(es, to - from, 0);
}

static void counts(uint64_t want_entries, uint64_t want_feeds, uint64_t want_networks)
{
	uint64_t e = 99, f = 99, n = 99;

	assert_int_equal(store_counts(fx->s, &e, &f, &n), 0);
	assert_int_equal(e, want_entries);
	assert_int_equal(f, want_feeds);
	assert_int_equal(n, want_networks);
}

static void reopen(bool readonly)
{
	store_close(fx->s);
	fx->s = NULL;
	assert_int_equal(store_open(&fx->s, fx->path, readonly, fx->why, sizeof fx->why), 0);
}

/* Read PRAGMA name of the file with the sqlite3 API directly. */
static int64_t pragma_int(const char *path, const char *pragma)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char sql[64];
	int64_t v = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	snprintf(sql, sizeof sql, "PRAGMA %s", pragma);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static size_t dir_entries(const char *dir)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* ---- fixture ---- */

static int group_setup(void **state)
{
	return keys_global_init() == 0 ? 0 : -1;
}

/* Each test gets its own directory and a fresh writable store in it. */
static int setup(void **state)
{
	uint8_t net[32];

	fx = calloc(1, sizeof *fx);
	if (fx == NULL || tu_mkdtemp(fx->dir, "store") != 0)
		return -1;
	snprintf(fx->path, sizeof fx->path, "%s/pakt.db", fx->dir);
	if (store_open(&fx->s, fx->path, false, fx->why, sizeof fx->why) != 0)
		return -1;
	memset(net, 0xaa, sizeof net);
	tu_feed_init(&fx->a, 1, net);
	tu_feed_init(&fx->b, 2, net);
	memset(net, 0xbb, sizeof net);
	tu_feed_init(&fx->c, 1, net);   /* author of a, in another network */
	return 0;
}

static int teardown(void **state)
{
	int rc;

	store_close(fx->s);
	tu_feed_free(&fx->a);
	tu_feed_free(&fx->b);
	tu_feed_free(&fx->c);
	rc = tu_rmdir(fx->dir);
	free(fx);
	fx = NULL;
	return rc;
}

/* ---- append and read back ---- */

/* A fresh store is empty: no rows, zero counts, last rowid 0, no networks. */
static void test_empty(void **state)
{
	struct store_query q = {0};
	uint8_t nets[4][32];
	size_t n = 9;

	assert_int_equal(scan(&q), 0);
	counts(0, 0, 0);
	assert_int_equal(store_last_rowid(fx->s), 0);
	assert_int_equal(store_networks(fx->s, nets, 4, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(pragma_int(fx->path, "user_version"), STORE_SCHEMA_VERSION);
}

/* Three entries appended in one batch come back from a scan exactly, in order. */
static void test_append_scan_roundtrip(void **state)
{
	struct store_query q = {0};

	tu_feed_messages(&fx->a, "hello", 3);
	assert_int_equal(append_feed(&fx->a, 0, 3), 3);
	assert_int_equal(scan(&q), 3);
	for (size_t i = 0; i < 3; i++) {
		assert_row_is(&fx->rows.r[i], &fx->a.e[i]);
		assert_int_equal(fx->rows.r[i].received, RECEIVED);
		if (i > 0)
			assert_true(fx->rows.r[i].rowid > fx->rows.r[i - 1].rowid);
	}
	assert_int_equal(store_last_rowid(fx->s), fx->rows.r[2].rowid);
	counts(3, 1, 1);
}

/* Closing and reopening the file keeps every entry; the file is in WAL mode. */
static void test_reopen_keeps_everything(void **state)
{
	struct store_query q = {0};
	uint64_t seq = 0;
	uint8_t hash[32];

	tu_feed_messages(&fx->a, "a", 4);
	tu_feed_messages(&fx->b, "b", 2);
	assert_int_equal(append_feed(&fx->a, 0, 2), 2);
	assert_int_equal(append_feed(&fx->b, 0, 2), 2);
	assert_int_equal(append_feed(&fx->a, 2, 4), 2);
	reopen(false);
	assert_int_equal(scan(&q), 6);
	assert_row_is(&fx->rows.r[0], &fx->a.e[0]);
	assert_row_is(&fx->rows.r[1], &fx->a.e[1]);
	assert_row_is(&fx->rows.r[2], &fx->b.e[0]);
	assert_row_is(&fx->rows.r[3], &fx->b.e[1]);
	assert_row_is(&fx->rows.r[4], &fx->a.e[2]);
	assert_row_is(&fx->rows.r[5], &fx->a.e[3]);
	counts(6, 2, 1);
	assert_int_equal(store_head(fx->s, fx->a.network, fx->a.id.pk, &seq, hash, NULL), 0);
	assert_int_equal(seq, 4);
	assert_memory_equal(hash, fx->a.e[3].hash, 32);
	/* appending continues after a reopen */
	tu_feed_messages(&fx->a, "a", 1);
	assert_int_equal(append_feed(&fx->a, 4, 5), 1);
	store_close(fx->s);
	fx->s = NULL;
	assert_int_equal(pragma_int(fx->path, "user_version"), STORE_SCHEMA_VERSION);
	reopen(true);
	assert_int_equal(scan(&q), 7);
	assert_row_is(&fx->rows.r[6], &fx->a.e[4]);
	store_close(fx->s);
	fx->s = NULL;
	{
		sqlite3 *db;
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
}

/* ---- dedup and forks ---- */

/* A batch of 3 whose 3rd entry forks a stored one (same feed and seq, other
 * hash) is refused with PAKT_EDUP and none of the 3 is stored. */
static void test_fork_refuses_whole_batch(void **state)
{
	struct entry fork;
	uint8_t fork_body[TU_BODY_CAP];
	const struct entry *batch[3];
	struct store_query q = {0};
	uint64_t seq;
	uint8_t hash[32];

	tu_feed_messages(&fx->a, "a", 3);
	tu_feed_messages(&fx->b, "b", 1);
	assert_int_equal(append_feed(&fx->a, 0, 2), 2);
	tu_entry(&fork, fork_body, &fx->a.id, fx->a.network, 2, fx->a.e[0].hash,
		 "message", "a different seq 2");
	assert_memory_not_equal(fork.hash, fx->a.e[1].hash, 32);
	batch[0] = &fx->a.e[2];   /* new: a seq 3 */
	batch[1] = &fx->b.e[0];   /* new: b seq 1, a new feed */
	batch[2] = &fork;         /* conflicts with a seq 2 */
	assert_int_equal(store_append(fx->s, batch, 3, RECEIVED, NULL), PAKT_EDUP);
	counts(2, 1, 1);
	assert_int_equal(scan(&q), 2);
	assert_row_is(&fx->rows.r[0], &fx->a.e[0]);
	assert_row_is(&fx->rows.r[1], &fx->a.e[1]);
	assert_int_equal(store_head(fx->s, fx->a.network, fx->a.id.pk, &seq, hash, NULL), 0);
	assert_int_equal(seq, 2);
	assert_memory_equal(hash, fx->a.e[1].hash, 32);
	assert_int_equal(store_head(fx->s, fx->b.network, fx->b.id.pk, &seq, hash, NULL),
			 PAKT_ENOTFOUND);
	/* the store still works after the rollback */
	assert_int_equal(append_feed(&fx->a, 2, 3), 1);
	counts(3, 1, 1);
}

/* Two different entries at the same (network, author, seq) in one batch:
 * PAKT_EDUP and nothing stored. */
static void test_fork_within_batch(void **state)
{
	struct entry fork;
	uint8_t fork_body[TU_BODY_CAP];
	const struct entry *batch[3];

	tu_feed_messages(&fx->a, "a", 2);
	tu_entry(&fork, fork_body, &fx->a.id, fx->a.network, 2, fx->a.e[0].hash,
		 "message", "fork");
	batch[0] = &fx->a.e[0];
	batch[1] = &fx->a.e[1];
	batch[2] = &fork;
	assert_int_equal(store_append(fx->s, batch, 3, RECEIVED, NULL), PAKT_EDUP);
	counts(0, 0, 0);
	assert_int_equal(store_last_rowid(fx->s), 0);
}

/* The same entries appended again are a harmless no-op (added = 0); a batch
 * mixing old and new entries adds only the new ones. */
static void test_duplicate_is_noop(void **state)
{
	struct store_query q = {0};
	int64_t last;

	tu_feed_messages(&fx->a, "a", 3);
	assert_int_equal(append_feed(&fx->a, 0, 2), 2);
	last = store_last_rowid(fx->s);
	assert_int_equal(append_feed(&fx->a, 0, 2), 0);
	assert_int_equal(append_feed(&fx->a, 1, 2), 0);
	assert_int_equal(store_last_rowid(fx->s), last);
	counts(2, 1, 1);
	assert_int_equal(append_feed(&fx->a, 0, 3), 1);
	counts(3, 1, 1);
	assert_int_equal(scan(&q), 3);
	for (size_t i = 0; i < 3; i++)
		assert_row_is(&fx->rows.r[i], &fx->a.e[i]);
	/* an empty batch is fine too */
	assert_int_equal(append(NULL, 0, 0), 0);
}

/* The same author in two networks is two feeds, whose entries do not clash. */
static void test_same_author_two_networks(void **state)
{
	tu_feed_messages(&fx->a, "a", 2);
	tu_feed_messages(&fx->c, "c", 2);
	assert_int_equal(append_feed(&fx->a, 0, 2), 2);
	assert_int_equal(append_feed(&fx->c, 0, 2), 2);
	counts(4, 2, 2);
}

/* ---- a full disk ---- */

/* A store that cannot grow (SQLite's max_page_count, set to the pages it
 * has, stands for a full disk): a batch that needs a new page fails with
 * PAKT_ENOSPC, stores none of its entries, names the reason and leaves no
 * transaction open; once there is room the same batch goes in at the seqs
 * it had. */
static void test_full_stores_nothing(void **state)
{
	const struct entry *batch[TU_FEED_MAX];
	char text[360];
	uint64_t seq = 0;
	uint8_t hash[32];
	size_t n = 0;

	tu_feed_messages(&fx->a, "a", 1);
	assert_int_equal(append_feed(&fx->a, 0, 1), 1);
	memset(text, 'x', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	while (fx->a.n < TU_FEED_MAX)
		batch[n++] = tu_feed_add(&fx->a, "message", text);
	/* it cannot be set below the current size: 1 means "as it is" */
	assert_int_equal(store_exec(fx->s, "PRAGMA max_page_count = 1"), 0);

	assert_int_equal(store_append(fx->s, batch, n, RECEIVED, NULL), PAKT_ENOSPC);
	assert_non_null(strstr(store_errmsg(fx->s), "full"));
	assert_true(sqlite3_get_autocommit(fx->s->db));
	counts(1, 1, 1);
	assert_int_equal(store_head(fx->s, fx->a.network, fx->a.id.pk, &seq, hash, NULL), 0);
	assert_int_equal(seq, 1);
	assert_memory_equal(hash, fx->a.e[0].hash, 32);

	assert_int_equal(store_exec(fx->s, "PRAGMA max_page_count = 1000000"), 0);
	assert_int_equal(append(batch, n, 0), n);
	assert_int_equal(store_head(fx->s, fx->a.network, fx->a.id.pk, &seq, hash, NULL), 0);
	assert_int_equal(seq, TU_FEED_MAX);
	counts(TU_FEED_MAX, 1, 1);
}

/* ---- heads ---- */

/* store_head gives the latest seq and hash of a feed, PAKT_ENOTFOUND for a
 * feed with no entries (unknown author, or a known author in another network). */
static void test_head(void **state)
{
	uint64_t seq = 0;
	uint8_t hash[32], unknown[32];

	tu_feed_messages(&fx->a, "a", 3);
	tu_feed_messages(&fx->b, "b", 1);
	assert_int_equal(store_head(fx->s, fx->a.network, fx->a.id.pk, &seq, hash, NULL),
			 PAKT_ENOTFOUND);
	assert_int_equal(append_feed(&fx->a, 0, 1), 1);
	assert_int_equal(store_head(fx->s, fx->a.network, fx->a.id.pk, &seq, hash, NULL), 0);
	assert_int_equal(seq, 1);
	assert_memory_equal(hash, fx->a.e[0].hash, 32);
	assert_int_equal(append_feed(&fx->a, 1, 3), 2);
	assert_int_equal(append_feed(&fx->b, 0, 1), 1);
	assert_int_equal(store_head(fx->s, fx->a.network, fx->a.id.pk, &seq, hash, NULL), 0);
	assert_int_equal(seq, 3);
	assert_memory_equal(hash, fx->a.e[2].hash, 32);
	assert_int_equal(store_head(fx->s, fx->b.network, fx->b.id.pk, &seq, hash, NULL), 0);
	assert_int_equal(seq, 1);
	assert_memory_equal(hash, fx->b.e[0].hash, 32);
	memset(unknown, 0x77, sizeof unknown);
	assert_int_equal(store_head(fx->s, fx->a.network, unknown, &seq, hash, NULL),
			 PAKT_ENOTFOUND);
	assert_int_equal(store_head(fx->s, fx->c.network, fx->a.id.pk, &seq, hash, NULL),
			 PAKT_ENOTFOUND);
}

/* ---- scans ---- */

/* Store, in this arrival order: a1 a2(update) b1 c1 a3 b2(update) c2 a4. */
static void fill_mixed(void)
{
	tu_feed_add(&fx->a, "message", "a1");
	tu_feed_add(&fx->a, "update", "a2");
	tu_feed_add(&fx->a, "message", "a3");
	tu_feed_add(&fx->a, "message", "a4");
	tu_feed_add(&fx->b, "message", "b1");
	tu_feed_add(&fx->b, "update", "b2");
	tu_feed_messages(&fx->c, "c", 2);
	assert_int_equal(append_feed(&fx->a, 0, 2), 2);
	assert_int_equal(append_feed(&fx->b, 0, 1), 1);
	assert_int_equal(append_feed(&fx->c, 0, 1), 1);
	assert_int_equal(append_feed(&fx->a, 2, 3), 1);
	assert_int_equal(append_feed(&fx->b, 1, 2), 1);
	assert_int_equal(append_feed(&fx->c, 1, 2), 1);
	assert_int_equal(append_feed(&fx->a, 3, 4), 1);
}

/* The rows scanned are exactly these entries, in this order. */
static void assert_rows(const struct entry *const *want, size_t n)
{
	assert_int_equal(fx->rows.n, n);
	for (size_t i = 0; i < n; i++)
		assert_row_is(&fx->rows.r[i], want[i]);
}

/* Filters by type, network and author, alone and combined, keep arrival order. */
static void test_scan_filters(void **state)
{
	struct store_query q = {0};

	fill_mixed();
	assert_int_equal(scan(&q), 8);
	assert_rows((const struct entry *[]){&fx->a.e[0], &fx->a.e[1], &fx->b.e[0],
		&fx->c.e[0], &fx->a.e[2], &fx->b.e[1], &fx->c.e[1], &fx->a.e[3]}, 8);

	q = (struct store_query){.type = "update"};
	scan(&q);
	assert_rows((const struct entry *[]){&fx->a.e[1], &fx->b.e[1]}, 2);

	q = (struct store_query){.type = "nosuchtype"};
	assert_int_equal(scan(&q), 0);

	q = (struct store_query){.network = fx->c.network};
	scan(&q);
	assert_rows((const struct entry *[]){&fx->c.e[0], &fx->c.e[1]}, 2);

	q = (struct store_query){.network = fx->a.network};
	assert_int_equal(scan(&q), 6);

	q = (struct store_query){.author = fx->a.id.pk};   /* a and c */
	scan(&q);
	assert_rows((const struct entry *[]){&fx->a.e[0], &fx->a.e[1], &fx->c.e[0],
		&fx->a.e[2], &fx->c.e[1], &fx->a.e[3]}, 6);

	q = (struct store_query){.network = fx->a.network, .author = fx->a.id.pk};
	scan(&q);
	assert_rows((const struct entry *[]){&fx->a.e[0], &fx->a.e[1], &fx->a.e[2],
		&fx->a.e[3]}, 4);

	q = (struct store_query){.network = fx->a.network, .type = "message"};
	scan(&q);
	assert_rows((const struct entry *[]){&fx->a.e[0], &fx->b.e[0], &fx->a.e[2],
		&fx->a.e[3]}, 4);
}

/* A body held without one is filled in (and only there); a redaction
 * recorded with store_redact_mark leaves bodies alone. */
static void test_fill_bodies_and_mark(void **state)
{
	struct store_query q = {0};
	struct entry bare0, bare1;
	const struct entry *es[2] = {&bare0, &bare1};
	const struct entry *full[2] = {&fx->a.e[0], &fx->a.e[1]};

	tu_feed_messages(&fx->a, "m", 2);
	bare0 = fx->a.e[0];
	bare0.body = NULL;
	bare0.body_len = 0;
	bare1 = fx->a.e[1];
	append(es, 1, 0);                      /* seq 1 without body */
	bare1.body = fx->a.e[1].body;
	append(&es[1], 1, 0);                  /* seq 2 with its body */
	assert_int_equal(store_fill_bodies(fx->s, full, 2), 0);
	assert_int_equal(scan(&q), 2);
	assert_row_is(&fx->rows.r[0], &fx->a.e[0]);
	assert_row_is(&fx->rows.r[1], &fx->a.e[1]);

	assert_int_equal(store_redact_mark(fx->s, fx->a.e[1].hash, fx->a.id.pk, 5), 0);
	assert_true(store_is_redacted(fx->s, fx->a.e[1].hash));
	assert_int_equal(scan(&q), 2);
	assert_true(fx->rows.r[1].has_body);
}

/* A scan by type uses the index on the type (membership reloads scan four
 * types after every member entry). */
static void test_scan_type_uses_index(void **state)
{
	sqlite3_stmt *st;
	bool indexed = false;

	assert_int_equal(sqlite3_prepare_v2(fx->s->db,
		"EXPLAIN QUERY PLAN SELECT e.id FROM entries e JOIN feeds f ON f.id = e.feed"
		" WHERE e.id > 0 AND f.network = x'00' AND e.type = 'member'"
		" AND " STORE_TYPES_INDEXED " ORDER BY e.id", -1, &st, NULL),
		SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		indexed = indexed || strstr((const char *)sqlite3_column_text(st, 3), "entries_type") != NULL;
	sqlite3_finalize(st);
	assert_true(indexed);
}

/* last N gives the newest N in arrival order; after_rowid skips older rows;
 * both combine, also with a filter. */
static void test_scan_last_and_after(void **state)
{
	struct store_query q = {0};
	int64_t third;

	fill_mixed();
	scan(&q);
	third = fx->rows.r[2].rowid;

	q = (struct store_query){.last = 3};
	scan(&q);
	assert_rows((const struct entry *[]){&fx->b.e[1], &fx->c.e[1], &fx->a.e[3]}, 3);

	q = (struct store_query){.last = 100};
	assert_int_equal(scan(&q), 8);
	assert_row_is(&fx->rows.r[0], &fx->a.e[0]);
	assert_row_is(&fx->rows.r[7], &fx->a.e[3]);

	q = (struct store_query){.after_rowid = third};
	scan(&q);
	assert_rows((const struct entry *[]){&fx->c.e[0], &fx->a.e[2], &fx->b.e[1],
		&fx->c.e[1], &fx->a.e[3]}, 5);

	q = (struct store_query){.after_rowid = store_last_rowid(fx->s)};
	assert_int_equal(scan(&q), 0);

	q = (struct store_query){.author = fx->a.id.pk, .network = fx->a.network, .last = 2};
	scan(&q);
	assert_rows((const struct entry *[]){&fx->a.e[2], &fx->a.e[3]}, 2);

	q = (struct store_query){.type = "update", .last = 1};
	scan(&q);
	assert_rows((const struct entry *[]){&fx->b.e[1]}, 1);

	q = (struct store_query){.after_rowid = third, .last = 2, .network = fx->a.network};
	scan(&q);
	assert_rows((const struct entry *[]){&fx->b.e[1], &fx->a.e[3]}, 2);
}

/* by_feed orders by feed (first seen first) then seq, whatever the arrival
 * order, even when a later seq arrived first. */
static void test_scan_by_feed(void **state)
{
	struct store_query q = {.by_feed = true};

	tu_feed_messages(&fx->a, "a", 3);
	tu_feed_messages(&fx->b, "b", 2);
	assert_int_equal(append_feed(&fx->a, 0, 1), 1);
	assert_int_equal(append_feed(&fx->b, 1, 2), 1);   /* b2 before b1 */
	assert_int_equal(append_feed(&fx->a, 2, 3), 1);   /* a3 before a2 */
	assert_int_equal(append_feed(&fx->b, 0, 1), 1);
	assert_int_equal(append_feed(&fx->a, 1, 2), 1);
	scan(&q);
	assert_rows((const struct entry *[]){&fx->a.e[0], &fx->a.e[1], &fx->a.e[2],
		&fx->b.e[0], &fx->b.e[1]}, 5);

	q = (struct store_query){0};
	scan(&q);
	assert_rows((const struct entry *[]){&fx->a.e[0], &fx->b.e[1], &fx->a.e[2],
		&fx->b.e[0], &fx->a.e[1]}, 5);

	q = (struct store_query){.by_feed = true, .author = fx->b.id.pk};
	scan(&q);
	assert_rows((const struct entry *[]){&fx->b.e[0], &fx->b.e[1]}, 2);
}

static int stop_at_second(void *arg, const struct store_row *row)
{
	int *calls = arg;

	return ++*calls == 2 ? 42 : 0;
}

/* A callback's nonzero return stops the scan, and store_scan returns it. */
static void test_scan_stop(void **state)
{
	struct store_query q = {0};
	int calls = 0;

	tu_feed_messages(&fx->a, "a", 4);
	append_feed(&fx->a, 0, 4);
	assert_int_equal(store_scan(fx->s, &q, stop_at_second, &calls), 42);
	assert_int_equal(calls, 2);
}

/* ---- networks and genesis ---- */

/* store_networks lists each network once, first stored first, up to cap. */
static void test_networks(void **state)
{
	uint8_t nets[4][32];
	size_t n = 9;

	tu_feed_messages(&fx->a, "a", 2);
	tu_feed_messages(&fx->b, "b", 1);
	tu_feed_messages(&fx->c, "c", 1);
	append_feed(&fx->c, 0, 1);
	append_feed(&fx->a, 0, 2);
	append_feed(&fx->b, 0, 1);
	assert_int_equal(store_networks(fx->s, nets, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(nets[0], fx->c.network, 32);
	assert_memory_equal(nets[1], fx->a.network, 32);
	n = 9;
	assert_int_equal(store_networks(fx->s, nets, 1, &n), 0);
	assert_int_equal(n, 1);
	assert_memory_equal(nets[0], fx->c.network, 32);
	counts(4, 3, 2);
}

/* A genesis entry (no network field) is stored under its own hash, in the
 * same feed as its author's later entries of that network. */
static void test_genesis_own_network(void **state)
{
	struct tu_feed *g = &fx->a;
	struct store_query q = {0};
	uint8_t nets[4][32];
	uint64_t seq;
	uint8_t hash[32];
	size_t n;

	tu_feed_free(g);
	tu_feed_init(g, 9, NULL);
	assert_false(g->e[0].h.has_network);
	assert_memory_equal(g->network, g->e[0].hash, 32);
	tu_feed_messages(g, "after genesis", 2);
	assert_int_equal(append_feed(g, 0, 3), 3);

	assert_int_equal(scan(&q), 3);
	for (size_t i = 0; i < 3; i++) {
		assert_row_is(&fx->rows.r[i], &g->e[i]);
		assert_memory_equal(fx->rows.r[i].network, g->e[0].hash, 32);
	}
	assert_string_equal(fx->rows.r[0].type, "genesis");
	q = (struct store_query){.network = g->e[0].hash};
	assert_int_equal(scan(&q), 3);
	assert_int_equal(store_head(fx->s, g->e[0].hash, g->id.pk, &seq, hash, NULL), 0);
	assert_int_equal(seq, 3);
	assert_memory_equal(hash, g->e[2].hash, 32);
	assert_int_equal(store_networks(fx->s, nets, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_memory_equal(nets[0], g->e[0].hash, 32);
	counts(3, 1, 1);
}

/* ---- files that are not (yet) ours ---- */

/* A database whose user_version is newer than this build is refused with
 * PAKT_EVERSION, writable or read-only, and its version is left alone. */
static void test_schema_newer_refused(void **state)
{
	char path[160];
	sqlite3 *db;
	struct store *s = (struct store *)1;
	char sql[64];

	snprintf(path, sizeof path, "%s/newer.db", fx->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	snprintf(sql, sizeof sql, "CREATE TABLE future(x); PRAGMA user_version = %d",
		 STORE_SCHEMA_VERSION + 1);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	fx->why[0] = '\0';
	assert_int_equal(store_open(&s, path, false, fx->why, sizeof fx->why), PAKT_EVERSION);
	assert_null(s);
	assert_non_null(strstr(fx->why, "newer"));
	s = (struct store *)1;
	assert_int_equal(store_open(&s, path, true, fx->why, sizeof fx->why), PAKT_EVERSION);
	assert_null(s);
	assert_int_equal(pragma_int(path, "user_version"), STORE_SCHEMA_VERSION + 1);
}

/* A file that is not a database: store_open fails with PAKT_EIO naming the
 * file, leaves it byte-for-byte unchanged and creates nothing beside it. */
static void test_not_a_database(void **state)
{
	static uint8_t junk[8192], after[8192 + 1];
	char path[160];
	struct store *s = (struct store *)1;
	FILE *f;
	size_t files;

	snprintf(path, sizeof path, "%s/junk.db", fx->dir);
	randombytes_buf(junk, sizeof junk);
	memcpy(junk, "not SQLite at all", 17);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(junk, 1, sizeof junk, f), sizeof junk);
	assert_int_equal(fclose(f), 0);
	files = dir_entries(fx->dir);

	for (int ro = 0; ro < 2; ro++) {
		fx->why[0] = '\0';
		assert_int_equal(store_open(&s, path, ro, fx->why, sizeof fx->why), PAKT_EIO);
		assert_null(s);
		assert_non_null(strstr(fx->why, path));
		assert_int_equal(read_file(path, after, sizeof after), sizeof junk);
		assert_memory_equal(after, junk, sizeof junk);
		assert_int_equal(dir_entries(fx->dir), files);
	}
}

/* A read-only open of a missing file fails and does not create it. */
static void test_readonly_missing(void **state)
{
	char path[160];
	struct store *s = (struct store *)1;
	struct stat st;

	snprintf(path, sizeof path, "%s/missing.db", fx->dir);
	assert_int_equal(store_open(&s, path, true, fx->why, sizeof fx->why), PAKT_EIO);
	assert_null(s);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
}

/* A read-only connection refuses appends and sees what the writer commits. */
static void test_readonly_connection(void **state)
{
	struct store *ro;
	struct store_query q = {0};
	uint64_t seq;
	uint8_t hash[32];
	const struct entry *e;

	tu_feed_messages(&fx->a, "a", 2);
	append_feed(&fx->a, 0, 1);
	assert_int_equal(store_open(&ro, fx->path, true, fx->why, sizeof fx->why), 0);
	e = &fx->a.e[1];
	assert_int_equal(store_append(ro, &e, 1, RECEIVED, NULL), PAKT_EINVAL);
	append_feed(&fx->a, 1, 2);
	fx->rows.n = 0;
	assert_int_equal(store_scan(ro, &q, collect, &fx->rows), 0);
	assert_int_equal(fx->rows.n, 2);
	assert_row_is(&fx->rows.r[1], &fx->a.e[1]);
	assert_int_equal(store_head(ro, fx->a.network, fx->a.id.pk, &seq, hash, NULL), 0);
	assert_int_equal(seq, 2);
	store_close(ro);
	counts(2, 1, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_scan_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_refuses_whole_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_within_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_is_noop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_author_two_networks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_stores_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fill_bodies_and_mark, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_type_uses_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_last_and_after, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_by_feed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_networks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_genesis_own_network, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_newer_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_connection, setup, teardown),
	};

	return cmocka_run_group_tests_name("store", tests, group_setup, NULL);
}
