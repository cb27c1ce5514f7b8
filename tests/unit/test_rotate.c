/* Unit tests of daemon/rotate: a key rotation is all or nothing across
 * initiatives, and a half-done one is finished with the same new key. A
 * failing store write is injected with an SQLite trigger on one network. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/rotate.h"
#include "daemon/store.h"
#include "daemon/store_priv.h"
#include "keys/datadir.h"
#include "keys/keyfile.h"
#include "keys/keys.h"
#include "proto/body.h"
#include "proto/err.h"
#include "tests/unit/testutil.h"

struct fx {
	char dir[64], key[DATADIR_PATH_MAX], staged[DATADIR_PATH_MAX + 6],
	     ready[DATADIR_PATH_MAX + 6];
	struct node n;
	uint8_t net[2][32];     /* in the order rotate_key visits them */
	uint8_t old_pk[32];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char why[256], path[128];
	uint8_t a[32], b[32];

	assert_non_null(f);
	assert_int_equal(keys_global_init(), 0);
	assert_int_equal(tu_mkdtemp(f->dir, "rotate"), 0);
	snprintf(f->n.datadir, sizeof f->n.datadir, "%s", f->dir);
	snprintf(f->n.cfg.name, sizeof f->n.cfg.name, "Org A");
	snprintf(f->n.cfg.network, sizeof f->n.cfg.network, "set");   /* no config write */
	snprintf(path, sizeof path, "%s/pakt.db", f->dir);
	assert_int_equal(store_open(&f->n.store, path, false, why, sizeof why), 0);
	assert_int_equal(keys_generate(&f->n.id), 0);
	memcpy(f->old_pk, f->n.id.pk, 32);
	assert_int_equal(datadir_file(f->dir, DATADIR_KEY, f->key), 0);
	snprintf(f->staged, sizeof f->staged, "%s.new", f->key);
	snprintf(f->ready, sizeof f->ready, "%s.ready", f->key);
	assert_int_equal(keyfile_write(f->key, &f->n.id, NULL, why, sizeof why), 0);
	assert_int_equal(repl_attach(&f->n), 0);
	assert_int_equal(node_create_initiative(&f->n, "One", "", a, why, sizeof why), 0);
	assert_int_equal(node_create_initiative(&f->n, "Two", "", b, why, sizeof why), 0);
	assert_non_null(f->n.nets);
	assert_non_null(f->n.nets->next);
	memcpy(f->net[0], f->n.nets->id, 32);
	memcpy(f->net[1], f->n.nets->next->id, 32);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	repl_free_all(&f->n);
	store_close(f->n.store);
	keys_free(&f->n.id);
	tu_rmdir(f->dir);
	free(f);
	return 0;
}

/* Make every succession stored in network fail (a full disk, say). */
static void fail_successions(struct fx *f, const uint8_t network[32])
{
	char sql[512], hex[65];

	sodium_bin2hex(hex, sizeof hex, network, 32);
	snprintf(sql, sizeof sql,
		 "CREATE TEMP TRIGGER fail_succession BEFORE INSERT ON entries "
		 "WHEN NEW.type = 'succession' AND NEW.feed IN "
		 "(SELECT id FROM feeds WHERE network = X'%s') "
		 "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;", hex);
	assert_int_equal(store_exec(f->n.store, sql), 0);
}

struct found {
	const uint8_t *new_key;
	int count;
};

static int on_row(void *arg, const struct store_row *row)
{
	struct found *fd = arg;
	struct body_succession sc;

	if (row->body != NULL && body_succession_parse(row->body, row->body_len, &sc) == 0 &&
	    memcmp(sc.new_key, fd->new_key, 32) == 0)
		fd->count++;
	return 0;
}

/* Successions by the old key naming new_key in network. */
static int successions(struct fx *f, const uint8_t network[32], const uint8_t new_key[32])
{
	struct found fd = {.new_key = new_key};
	struct store_query q = {.network = network, .author = f->old_pk, .type = "succession"};

	assert_int_equal(store_scan(f->n.store, &q, on_row, &fd), 0);
	return fd.count;
}

static void assert_file_key(const char *path, const uint8_t pk[32])
{
	uint8_t got[32];
	char why[256];

	assert_int_equal(keyfile_read_public(path, got, NULL, why, sizeof why), 0);
	assert_memory_equal(got, pk, 32);
}

/* The succession is stored in the first initiative and fails in the second:
 * the new key is not installed (the old one still signs, on disk too), and
 * a second call, once the store works, finishes with the same new key. */
static void test_half_done_then_finished(void **state)
{
	struct fx *f = *state;
	uint8_t staged_pk[32];
	char why[512];
	size_t told = 99;

	fail_successions(f, f->net[1]);
	assert_int_equal(rotate_key(&f->n, NULL, &told, why, sizeof why), PAKT_EIO);
	assert_non_null(strstr(why, "1 of 2 initiatives"));
	assert_non_null(strstr(why, "run pakt key rotate again"));
	assert_memory_equal(f->n.id.pk, f->old_pk, 32);
	assert_file_key(f->key, f->old_pk);
	assert_int_equal(keyfile_read_public(f->staged, staged_pk, NULL, why, sizeof why), 0);
	assert_int_equal(successions(f, f->net[0], staged_pk), 1);
	assert_int_equal(successions(f, f->net[1], staged_pk), 0);

	/* a restart now keeps the old key and the staged one */
	assert_int_equal(rotate_recover(f->dir, f->n.store, why, sizeof why), 0);
	assert_file_key(f->key, f->old_pk);
	assert_int_equal(access(f->staged, F_OK), 0);

	assert_int_equal(store_exec(f->n.store, "DROP TRIGGER fail_succession;"), 0);
	assert_int_equal(rotate_key(&f->n, NULL, &told, why, sizeof why), 0);
	assert_int_equal(told, 2);
	assert_memory_equal(f->n.id.pk, staged_pk, 32);
	assert_file_key(f->key, staged_pk);
	assert_int_not_equal(access(f->staged, F_OK), 0);
	assert_int_not_equal(access(f->ready, F_OK), 0);
	/* one succession per initiative, the first not repeated */
	assert_int_equal(successions(f, f->net[0], staged_pk), 1);
	assert_int_equal(successions(f, f->net[1], staged_pk), 1);
}

/* When no initiative takes the succession, nothing changes and the staged
 * key is dropped; a later rotation starts with a fresh key. */
static void test_announced_nowhere(void **state)
{
	struct fx *f = *state;
	char why[512];
	size_t told = 99;

	fail_successions(f, f->net[0]);
	assert_int_equal(store_exec(f->n.store,
				    "CREATE TEMP TRIGGER fail_all BEFORE INSERT ON entries "
				    "WHEN NEW.type = 'succession' "
				    "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"), 0);
	assert_int_equal(rotate_key(&f->n, NULL, &told, why, sizeof why), PAKT_EIO);
	assert_non_null(strstr(why, "could not store the succession entry"));
	assert_memory_equal(f->n.id.pk, f->old_pk, 32);
	assert_file_key(f->key, f->old_pk);
	assert_int_not_equal(access(f->staged, F_OK), 0);
}

/* A crash after every initiative took the succession (identity.key.ready)
 * installs the new key at the next start. */
static void test_recover_ready(void **state)
{
	struct fx *f = *state;
	struct keys_identity next;
	char why[256];

	assert_int_equal(keys_generate(&next), 0);
	assert_int_equal(keyfile_write(f->ready, &next, NULL, why, sizeof why), 0);
	assert_int_equal(rotate_recover(f->dir, f->n.store, why, sizeof why), 0);
	assert_file_key(f->key, next.pk);
	assert_int_not_equal(access(f->ready, F_OK), 0);
	keys_free(&next);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_half_done_then_finished, setup, teardown),
		cmocka_unit_test_setup_teardown(test_announced_nowhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_ready, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
