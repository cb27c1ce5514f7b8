/* Unit tests of daemon/store_query.c: the walk of one network's entries
 * (arrival order, other networks left out, signed parts only of the rows
 * asked whole, resuming after a row) and the count of body fill-ins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "daemon/store.h"
#include "proto/err.h"
#include "tests/unit/testutil.h"

#define ROWS_MAX 16

struct seen {
	size_t n;
	int64_t rowid[ROWS_MAX];
	uint8_t hash[ROWS_MAX][32], author[ROWS_MAX][32];
	uint64_t seq[ROWS_MAX];
	int64_t ts[ROWS_MAX];
	char type[ROWS_MAX][ENTRY_TYPE_MAX + 1];
	bool whole[ROWS_MAX], has_body[ROWS_MAX];
};

struct fixture {
	char dir[64], path[128], why[256];
	struct store *s;
	struct tu_feed a, b, c;         /* a, b in one network; c in another */
	struct seen seen;
};

static struct fixture *fx;

static int note(void *arg, const struct store_row *row)
{
	struct seen *s = arg;
	size_t i = s->n++;

	assert_true(i < ROWS_MAX);
	s->rowid[i] = row->rowid;
	memcpy(s->hash[i], row->hash, 32);
	memcpy(s->author[i], row->author, 32);
	s->seq[i] = row->seq;
	s->ts[i] = row->timestamp;
	snprintf(s->type[i], sizeof s->type[i], "%s", row->type);
	s->whole[i] = row->header != NULL && row->sig != NULL;
	s->has_body[i] = row->body != NULL;
	if (!s->whole[i])
		assert_true(row->header_len == 0 && row->sig_len == 0 && row->body == NULL);
	return 0;
}

static bool only_updates(const char *type)
{
	return strcmp(type, "update") == 0;
}

static size_t walk(const uint8_t network[32], int64_t after, bool (*whole)(const char *))
{
	fx->seen.n = 0;
	assert_int_equal(store_scan_network(fx->s, network, after, whole, note, &fx->seen), 0);
	return fx->seen.n;
}

static void append(const struct tu_feed *f, size_t from, size_t to)
{
	const struct entry *es[TU_FEED_MAX];

	for (size_t i = from; i < to; i++)
		es[i - from] = &f->e[i];
	assert_int_equal(store_append(fx->s, es, to - from, 1, NULL), 0);
}

/* The row seen at i is entry e. */
static void assert_seen(size_t i, const struct entry *e)
{
	assert_memory_equal(fx->seen.hash[i], e->hash, 32);
	assert_memory_equal(fx->seen.author[i], e->h.author, 32);
	assert_int_equal(fx->seen.seq[i], e->h.seq);
	assert_int_equal(fx->seen.ts[i], (int64_t)e->h.timestamp);
	assert_string_equal(fx->seen.type[i], e->h.type);
}

static int setup(void **state)
{
	uint8_t net[32];

	(void)state;
	fx = calloc(1, sizeof *fx);
	if (fx == NULL || keys_global_init() != 0 || tu_mkdtemp(fx->dir, "storeq") != 0)
		return -1;
	snprintf(fx->path, sizeof fx->path, "%s/pakt.db", fx->dir);
	if (store_open(&fx->s, fx->path, false, fx->why, sizeof fx->why) != 0)
		return -1;
	memset(net, 0xaa, sizeof net);
	tu_feed_init(&fx->a, 1, net);
	tu_feed_init(&fx->b, 2, net);
	memset(net, 0xbb, sizeof net);
	tu_feed_init(&fx->c, 3, net);
	return 0;
}

static int teardown(void **state)
{
	int rc;

	(void)state;
	store_close(fx->s);
	tu_feed_free(&fx->a);
	tu_feed_free(&fx->b);
	tu_feed_free(&fx->c);
	rc = tu_rmdir(fx->dir);
	free(fx);
	return rc;
}

/* One network's rows in arrival order (feeds interleaved), the other
 * network's left out; whole() picks the rows that come with header,
 * signature and body; a walk after a row reads only the later ones. */
static void test_scan_network(void **state)
{
	uint8_t none[32];
	int64_t after;

	(void)state;
	tu_feed_add(&fx->a, "message", "a1");
	tu_feed_add(&fx->a, "update", "a2");
	tu_feed_add(&fx->b, "message", "b1");
	tu_feed_add(&fx->c, "update", "c1");
	tu_feed_add(&fx->a, "message", "a3");
	append(&fx->a, 0, 1);
	append(&fx->c, 0, 1);
	append(&fx->b, 0, 1);
	append(&fx->a, 1, 3);

	assert_int_equal(walk(fx->a.network, 0, NULL), 4);
	assert_seen(0, &fx->a.e[0]);
	assert_seen(1, &fx->b.e[0]);
	assert_seen(2, &fx->a.e[1]);
	assert_seen(3, &fx->a.e[2]);
	for (size_t i = 0; i < 4; i++)
		assert_true(fx->seen.whole[i] && fx->seen.has_body[i]);

	assert_int_equal(walk(fx->a.network, 0, only_updates), 4);
	assert_true(!fx->seen.whole[0] && !fx->seen.whole[1] && !fx->seen.whole[3]);
	assert_true(fx->seen.whole[2] && fx->seen.has_body[2]);
	assert_seen(0, &fx->a.e[0]);           /* the index columns all the same */

	after = fx->seen.rowid[1];
	assert_int_equal(walk(fx->a.network, after, NULL), 2);
	assert_seen(0, &fx->a.e[1]);
	assert_int_equal(walk(fx->a.network, fx->seen.rowid[1], NULL), 0);

	assert_int_equal(walk(fx->c.network, 0, NULL), 1);
	assert_seen(0, &fx->c.e[0]);
	memset(none, 0xcc, sizeof none);
	assert_int_equal(walk(none, 0, NULL), 0);
}

/* A walk stops when its callback says so, with that value. */
static int stop_at_two(void *arg, const struct store_row *row)
{
	(void)row;
	return ++*(int *)arg == 2 ? 7 : 0;
}

static void test_scan_network_stop(void **state)
{
	int calls = 0;

	(void)state;
	tu_feed_messages(&fx->a, "m", 3);
	append(&fx->a, 0, 3);
	assert_int_equal(store_scan_network(fx->s, fx->a.network, 0, NULL, stop_at_two, &calls), 7);
	assert_int_equal(calls, 2);
}

/* store_fills counts the fill-in transactions of this connection (a kept
 * ledger learns that rows it read got their bodies); nothing to fill, no
 * count. */
static void test_fills(void **state)
{
	struct entry bare;
	const struct entry *es[1] = {&bare}, *full[1];

	(void)state;
	tu_feed_messages(&fx->a, "m", 1);
	bare = fx->a.e[0];
	bare.body = NULL;
	bare.body_len = 0;
	assert_int_equal(store_append(fx->s, es, 1, 1, NULL), 0);
	assert_int_equal(store_fills(fx->s), 0);
	assert_int_equal(store_fill_bodies(fx->s, es, 0), 0);
	assert_int_equal(store_fills(fx->s), 0);
	full[0] = &fx->a.e[0];
	assert_int_equal(store_fill_bodies(fx->s, full, 1), 0);
	assert_int_equal(store_fills(fx->s), 1);
	assert_int_equal(walk(fx->a.network, 0, NULL), 1);
	assert_true(fx->seen.has_body[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scan_network, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_network_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fills, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
