/* bench_append: entries/s appended (directly and through paktd's control
 * socket) and verified from the store, beside raw Ed25519/BLAKE2b rates.
 *
 * Usage: bench_append PAKTD PAKT
 * Every loop stops at a count or a time limit, whichever comes first; temp
 * data lives in a fresh directory under $TMPDIR (default /tmp), removed at
 * the end; the daemon is started with --data-dir there and stopped with
 * SIGTERM. Only a Unix socket is used. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include <sqlite3.h>
#include "cli/client.h"
#include "daemon/store.h"
#include "daemon/verify.h"
#include "keys/keys.h"
#include "proto/body.h"
#include "proto/entry.h"
#include "proto/err.h"
#include "proto/mpx.h"
#include "tests/bench/bench_util.h"

#define BENCH_TEXT_LEN 120        /* post text: ~300 B entry with header and sig */
#define BENCH_BATCH 1000
#define BENCH_TMPFS_MAGIC 0x01021994

/* Limits per phase: count, seconds. */
#define N_RAW_HASH 1000000
#define N_FSYNC 1000
#define N_DIRECT_ONE 2000
#define N_DIRECT_BATCH 20000
#define N_STATUS 2000
#define N_POST_SOCKET 2000
#define N_POST_CLI 200
#define T_FSYNC 2.0
#define T_RTT 1.0
#define T_DIRECT 10.0
#define T_SOCKET 15.0
#define T_CLI 15.0

enum bench_ref { REF_NONE, REF_SIGN, REF_VERIFY };

struct bench_row {
	const char *name;
	unsigned long n;
	double secs;
	enum bench_ref ref;
	const char *unit;
};

#define BENCH_ROWS_MAX 16
static struct bench_row bench_rows[BENCH_ROWS_MAX];
static size_t bench_n_rows;
static char bench_root[256];
static struct bench_daemon bench_daemon = {.pid = -1};
static uint64_t bench_daemon_checked;   /* entries verified after the daemon run */

/* Returns the row's index, or -1 when the table is full. */
static int bench_add(const char *name, unsigned long n, double secs,
		     enum bench_ref ref, const char *unit)
{
	if (bench_n_rows >= BENCH_ROWS_MAX)
		return -1;
	bench_rows[bench_n_rows] = (struct bench_row){name, n, secs, ref, unit};
	return (int)bench_n_rows++;
}

static double bench_rate(const struct bench_row *r)
{
	return r->secs > 0 ? (double)r->n / r->secs : 0;
}

/* Rows the others are compared with (-1: not measured). */
static int bench_row_sign = -1, bench_row_verify = -1, bench_row_fsync = -1;

static const struct bench_row *bench_ref_row(enum bench_ref ref)
{
	int i = ref == REF_SIGN ? bench_row_sign : ref == REF_VERIFY ? bench_row_verify : -1;

	return i >= 0 ? &bench_rows[i] : NULL;
}

static void bench_print(void)
{
	bench_table_head(46, 7, "vs raw, same run");
	for (size_t i = 0; i < bench_n_rows; i++) {
		const struct bench_row *r = &bench_rows[i];
		const struct bench_row *ref = r->ref == REF_NONE ? NULL : bench_ref_row(r->ref);
		double v = bench_rate(r);

		bench_table_cells(46, 7, r->name, r->n, v);
		if (ref != NULL && bench_rate(ref) > 0)
			printf("%s = %.2fx raw %s rate", r->unit, v / bench_rate(ref),
			       r->ref == REF_SIGN ? "sign" : "verify");
		else
			printf("%s", r->unit);
		printf("\n");
	}
}

/* --- raw primitives --- */

/* Each pass of Ed25519 sign and verify: their spread shows host noise. */
static struct bench_raw bench_raw_ed;

/* Add n in secs to row *idx, creating it the first time. */
static void bench_accumulate(int *idx, const char *name, unsigned long n,
			     double secs, const char *unit)
{
	if (*idx < 0) {
		*idx = bench_add(name, n, secs, REF_NONE, unit);
	} else {
		bench_rows[*idx].n += n;
		bench_rows[*idx].secs += secs;
	}
}

/* Raw Ed25519 and BLAKE2b. Run at the start and again at the end, the rows
 * summing both, so that the ratios compare like with like on a noisy host. */
static void bench_raw(void)
{
	static int row_hash = -1;
	uint8_t msg[BENCH_RAW_MSG_LEN], h[32];
	unsigned long n;
	double t0, t;

	randombytes_buf(msg, sizeof msg);
	bench_raw_ed25519(&bench_raw_ed, msg, sizeof msg);
	bench_accumulate(&bench_row_sign, "Ed25519 sign (300 B)", bench_raw_ed.sign_n,
			 bench_raw_ed.sign_s, "signatures/s");
	bench_accumulate(&bench_row_verify, "Ed25519 verify (300 B)", bench_raw_ed.verify_n,
			 bench_raw_ed.verify_s, "verifications/s");

	t0 = bench_now();
	for (n = 0, t = t0; n < N_RAW_HASH && t - t0 < BENCH_RAW_SECS / 2; ) {
		crypto_generichash(h, sizeof h, msg, sizeof msg, NULL, 0);
		msg[0] ^= h[0];
		if (++n % 1024 == 0)
			t = bench_now();
	}
	bench_accumulate(&row_hash, "BLAKE2b-256 (300 B)", n, bench_now() - t0, "hashes/s");
}

/* Cost of one small durable append on the store's filesystem. */
static void bench_fsync(void)
{
	char path[300], buf[BENCH_RAW_MSG_LEN] = {0};
	unsigned long n;
	double t0;
	int fd;

	snprintf(path, sizeof path, "%s/fsync.probe", bench_root);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		bench_fail(path, strerror(errno));
		return;
	}
	t0 = bench_now();
	for (n = 0; n < N_FSYNC && bench_now() - t0 < T_FSYNC; n++) {
		if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf || fdatasync(fd) != 0) {
			bench_fail("fsync probe", strerror(errno));
			break;
		}
	}
	bench_row_fsync = bench_add("fdatasync of a 300 B append", n, bench_now() - t0, REF_NONE, "syncs/s");
	close(fd);
	unlink(path);
}

/* Raw request/reply over a Unix socketpair between two processes, sized
 * like a status request and reply: the floor under any control op. */
static void bench_socketpair(void)
{
	uint8_t buf[256] = {0};
	unsigned long n;
	double t0;
	pid_t pid;
	int sv[2], status;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		bench_fail("socketpair", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {   /* echo 15 bytes in, 193 out, until EOF */
		close(sv[0]);
		while (read(sv[1], buf, 15) == 15 && write(sv[1], buf, 193) == 193)
			;
		_exit(0);
	}
	close(sv[1]);
	t0 = bench_now();
	for (n = 0; pid > 0 && n < N_STATUS && bench_now() - t0 < T_RTT; n++) {
		struct pollfd pfd = {.fd = sv[0], .events = POLLIN};

		if (write(sv[0], buf, 15) != 15 || poll(&pfd, 1, BENCH_RECV_TIMEOUT_MS) != 1 ||
		    recv(sv[0], buf, 193, MSG_WAITALL) != 193) {
			bench_fail("socketpair round trip", "failed");
			break;
		}
	}
	bench_add("Unix socket round trip, raw (two processes)", n, bench_now() - t0,
		  REF_NONE, "round trips/s");
	close(sv[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
}

/* --- direct: entry_create + store_append --- */

struct bench_feed {
	struct keys_identity id;
	uint8_t network[32];
	uint64_t seq;
	uint8_t prev[32];
	struct mpx_out body;
};

static int bench_feed_init(struct bench_feed *f)
{
	char text[BENCH_TEXT_LEN + 1];

	memset(f, 0, sizeof *f);
	if (keys_generate(&f->id) != 0)
		return PAKT_ENOMEM;
	randombytes_buf(f->network, sizeof f->network);
	memset(text, 'x', BENCH_TEXT_LEN);
	text[BENCH_TEXT_LEN] = '\0';
	mpx_init(&f->body);
	return body_message(&f->body, text, NULL);
}

static void bench_feed_free(struct bench_feed *f)
{
	keys_free(&f->id);
	mpx_free(&f->body);
}

/* The next entry of f, signed, as node_append does it. */
static int bench_feed_next(struct bench_feed *f, struct entry *e)
{
	struct entry_header h = {.version = ENTRY_VERSION, .has_network = true};
	struct timespec ts;
	const uint8_t *sk;
	int rc;

	clock_gettime(CLOCK_REALTIME, &ts);
	memcpy(h.network, f->network, 32);
	memcpy(h.author, f->id.pk, 32);
	h.seq = f->seq + 1;
	h.has_prev = f->seq > 0;
	memcpy(h.prev, f->prev, 32);
	h.timestamp = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	strcpy(h.type, "message");
	sk = keys_sk_open(&f->id);
	rc = entry_create(e, &h, (const uint8_t *)f->body.sb.data, f->body.sb.size, sk);
	keys_sk_close(&f->id);
	if (rc != 0)
		return rc;
	f->seq = h.seq;
	memcpy(f->prev, e->hash, 32);
	return 0;
}

static int bench_open(struct store **s, const char *name, bool readonly)
{
	char path[300], why[512];
	int rc;

	snprintf(path, sizeof path, "%s/%s", bench_root, name);
	rc = store_open(s, path, readonly, why, sizeof why);
	if (rc != 0)
		bench_fail("store_open", why);
	return rc;
}

/* The journal mode SQLite reports for a store file ("wal" expected). */
static void bench_journal_mode(const char *name, char *out, size_t cap)
{
	char path[300];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	snprintf(out, cap, "unknown");
	snprintf(path, sizeof path, "%s/%s", bench_root, name);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* (a) one entry per durable transaction, like a post. Per entry,
 * *create_secs gets the time in entry_create (with the key's mprotect
 * open/close), *commit_secs the time in store_append. */
static int bench_direct_one(double *create_secs, double *commit_secs,
			    size_t *entry_size)
{
	struct bench_feed f;
	struct store *s = NULL;
	struct entry e;
	const struct entry *batch[1] = {&e};
	uint8_t wire[ENTRY_WIRE_MAX];
	unsigned long n;
	double t0, tc;
	int rc;

	*create_secs = *commit_secs = 0;
	rc = bench_feed_init(&f);
	if (rc == 0)
		rc = bench_open(&s, "one.db", false);
	if (rc != 0)
		goto done;
	t0 = bench_now();
	for (n = 0; n < N_DIRECT_ONE && bench_now() - t0 < T_DIRECT; n++) {
		rc = bench_feed_next(&f, &e);
		if (rc != 0) {
			bench_fail("entry_create", pakt_strerror(rc));
			goto done;
		}
		tc = bench_now();
		rc = store_append(s, batch, 1, 0, NULL);
		*commit_secs += bench_now() - tc;
		if (rc != 0) {
			bench_fail("store_append", store_errmsg(s));
			goto done;
		}
	}
	t0 = bench_now() - t0;
	bench_add("direct append, 1 per transaction (durable)", n, t0, REF_SIGN,
		  "entries/s");
	entry_encode(&e, true, wire, sizeof wire, entry_size);
	*commit_secs /= (double)n;
	*create_secs = t0 / (double)n - *commit_secs;
done:
	store_close(s);
	bench_feed_free(&f);
	return rc;
}

/* (b) batches of BENCH_BATCH per transaction; leaves batch.db for verify. */
static int bench_direct_batch(double *create_secs, double *commit_secs)
{
	struct bench_feed f = {0};
	struct store *s = NULL;
	struct entry *es = calloc(BENCH_BATCH, sizeof *es);
	const struct entry **ptrs = calloc(BENCH_BATCH, sizeof *ptrs);
	unsigned long n = 0;
	double t0, tc;
	int rc = PAKT_ENOMEM;

	*create_secs = *commit_secs = 0;
	if (es == NULL || ptrs == NULL || (rc = bench_feed_init(&f)) != 0 ||
	    (rc = bench_open(&s, "batch.db", false)) != 0)
		goto done;
	t0 = bench_now();
	while (n < N_DIRECT_BATCH && bench_now() - t0 < T_DIRECT) {
		for (size_t i = 0; i < BENCH_BATCH; i++) {
			rc = bench_feed_next(&f, &es[i]);
			if (rc != 0) {
				bench_fail("entry_create", pakt_strerror(rc));
				goto done;
			}
			ptrs[i] = &es[i];
		}
		tc = bench_now();
		rc = store_append(s, ptrs, BENCH_BATCH, 0, NULL);
		*commit_secs += bench_now() - tc;
		if (rc != 0) {
			bench_fail("store_append", store_errmsg(s));
			goto done;
		}
		n += BENCH_BATCH;
	}
	t0 = bench_now() - t0;
	bench_add("direct append, 1000 per transaction", n, t0, REF_SIGN,
		  "entries/s");
	*commit_secs /= (double)n;
	*create_secs = t0 / (double)n - *commit_secs;
done:
	store_close(s);
	bench_feed_free(&f);
	free(ptrs);
	free(es);
	return rc;
}

/* verify_store() over batch.db on a read-only connection, as paktd does. */
static int bench_verify(void)
{
	struct store *s = NULL;
	struct verify_result r;
	double t0;
	int rc = bench_open(&s, "batch.db", true);

	if (rc != 0)
		return rc;
	t0 = bench_now();
	rc = verify_store(s, &r);
	if (rc == 0 && r.n_bad != 0) {
		bench_fail("verify_store", r.bad_len ? r.bad[0].reason : "bad entries");
		rc = PAKT_ESIG;
	} else if (rc != 0) {
		bench_fail("verify_store", pakt_strerror(rc));
	} else {
		bench_add("verify_store, whole store", (unsigned long)r.checked,
			  bench_now() - t0, REF_VERIFY, "entries/s");
	}
	verify_result_free(&r);
	store_close(s);
	return rc;
}

/* --- through paktd --- */

/* One request/reply on c, its reply decoded as kind k; checks "ok". */
static int bench_call(struct client *c, const struct ctlop_req *req, enum ctlop_reply_kind k)
{
	union {
		struct ctlop_r_status status;
		struct ctlop_r_entry entry;
	} r = {0};
	bool ok;
	int rc;

	rc = bench_ctl_call(c, req, k, &r);
	ok = k == CTLOP_R_STATUS ? r.status.ok : r.entry.ok;
	if (rc == 0 && !ok) {
		snprintf(c->why, sizeof c->why, "reply without ok:true");
		rc = PAKT_EPROTO;
	}
	ctlop_reply_free(k, &r);
	return rc;
}

/* status requests (no commit: the control round trip alone), then posts,
 * all sequential on one connection. */
static int bench_socket(const char *dir, unsigned long *posted)
{
	char text[BENCH_TEXT_LEN + 1];
	static struct ctlop_req req;
	struct client c;
	unsigned long n;
	double t0;
	int rc = PAKT_ENOTRUNNING;

	*posted = 0;
	rc = bench_ctl_connect(&c, dir);
	if (rc != 0)
		return rc;
	memset(&req, 0, sizeof req);
	req.op = CTLOP_STATUS;
	t0 = bench_now();
	for (n = 0; n < N_STATUS && bench_now() - t0 < T_RTT; n++) {
		rc = bench_call(&c, &req, CTLOP_R_STATUS);
		if (rc != 0) {
			bench_fail("status", c.why);
			goto done;
		}
	}
	bench_add("control round trip, status op (no commit)", n, bench_now() - t0,
		  REF_NONE, "requests/s");

	memset(text, 'x', BENCH_TEXT_LEN);
	text[BENCH_TEXT_LEN] = '\0';
	bench_req_post(&req, text);
	t0 = bench_now();
	for (n = 0; n < N_POST_SOCKET && bench_now() - t0 < T_SOCKET; n++) {
		rc = bench_call(&c, &req, CTLOP_R_ENTRY);
		if (rc != 0) {
			bench_fail("post", c.why);
			goto done;
		}
	}
	*posted = n;
	bench_add("post over one control connection (durable)", n, bench_now() - t0,
		  REF_SIGN, "entries/s");
done:
	client_close(&c);
	return rc;
}

/* One `pakt post` process per post, as a user runs it. */
static int bench_cli(const char *pakt, const char *dir, unsigned long *posted)
{
	char text[BENCH_TEXT_LEN + 1];
	char *argv[] = {(char *)pakt, "post", text, "--data-dir", (char *)dir, NULL};
	unsigned long n;
	double t0 = bench_now();
	int rc = 0;

	memset(text, 'y', BENCH_TEXT_LEN);
	text[BENCH_TEXT_LEN] = '\0';
	for (n = 0; n < N_POST_CLI && bench_now() - t0 < T_CLI; n++) {
		rc = bench_run(argv, NULL, 0);
		if (rc != 0) {
			bench_fail("pakt post", "exited with an error");
			break;
		}
	}
	*posted = n;
	bench_add("`pakt post` process per post (durable)", n, bench_now() - t0,
		  REF_SIGN, "entries/s");
	return rc;
}

/* Everything the daemon acknowledged is in its store and verifies. */
static int bench_check_daemon_store(unsigned long expect)
{
	struct store *s = NULL;
	struct verify_result r;
	int rc = bench_open(&s, "node/pakt.db", true);

	if (rc != 0)
		return rc;
	rc = verify_store(s, &r);
	if (rc == 0 && (r.n_bad != 0 || r.checked != expect)) {
		fprintf(stderr, "bench_append: daemon store: %llu entries (expected %lu), %llu bad\n",
			(unsigned long long)r.checked, expect, (unsigned long long)r.n_bad);
		rc = PAKT_ECHAIN;
	}
	if (rc == 0)
		bench_daemon_checked = r.checked;
	verify_result_free(&r);
	store_close(s);
	return rc;
}

static int bench_daemon_all(const char *paktd, const char *pakt)
{
	char dir[300];
	char *init[] = {(char *)pakt, "init", "--data-dir", dir, "--name", "bench", NULL};
	char *create[] = {(char *)pakt, "initiative", "create", "bench", "--data-dir", dir, NULL};
	unsigned long by_socket = 0, by_cli = 0;
	int rc, stop_rc;

	snprintf(dir, sizeof dir, "%s/node", bench_root);
	if (bench_run(init, NULL, 0) != 0) {
		bench_fail("pakt init", dir);
		return PAKT_EIO;
	}
	rc = bench_daemon_start(&bench_daemon, paktd, dir, NULL, 20000);
	if (rc != 0)
		return rc;
	rc = bench_run(create, NULL, 0);
	if (rc != 0)
		bench_fail("pakt initiative create", "failed");
	if (rc == 0)
		rc = bench_socket(dir, &by_socket);
	if (rc == 0)
		rc = bench_cli(pakt, dir, &by_cli);
	stop_rc = bench_daemon_stop(&bench_daemon);
	if (stop_rc != 0)
		bench_fail("paktd", "did not exit cleanly on SIGTERM");
	if (rc == 0)
		rc = stop_rc;
	if (rc == 0)   /* genesis + every acknowledged post */
		rc = bench_check_daemon_store(2 + by_socket + by_cli);
	return rc;
}

int main(int argc, char **argv)
{
	char mode[32], sz[32];
	double one_create = 0, one_commit = 0, batch_create = 0, batch_commit = 0;
	size_t entry_size = 0;
	struct statfs fs;
	double t_start = bench_now();
	int rc;

	rc = bench_setup("bench_append", argc, bench_root, sizeof bench_root, "pakt-bench");
	if (rc != 0)
		return rc;

	printf("pakt bench: %ld cores online, temp store in %s%s\n",
	       sysconf(_SC_NPROCESSORS_ONLN), bench_root,
	       statfs(bench_root, &fs) == 0 && fs.f_type == BENCH_TMPFS_MAGIC
		       ? " (tmpfs: durable figures are NOT real)" : "");
	fflush(stdout);

	bench_raw();
	bench_fsync();
	bench_socketpair();
	rc = bench_direct_one(&one_create, &one_commit, &entry_size);
	if (rc == 0)
		rc = bench_direct_batch(&batch_create, &batch_commit);
	if (rc == 0)
		rc = bench_verify();
	bench_journal_mode("one.db", mode, sizeof mode);
	if (rc == 0)
		rc = bench_daemon_all(argv[1], argv[2]);
	if (bench_daemon.pid > 0)
		bench_daemon_stop(&bench_daemon);
	bench_raw();   /* second pass: see bench_raw */

	bench_print();
	printf("\nentry on the wire: %s bytes (body text %d B); store journal_mode=%s, synchronous=FULL (store_open)\n",
	       bench_commas((double)entry_size, sz, sizeof sz), BENCH_TEXT_LEN, mode);
	if (bench_daemon_checked > 0)
		printf("daemon store after SIGTERM: %llu entries (genesis + every acknowledged post), all verify\n",
		       (unsigned long long)bench_daemon_checked);
	bench_raw_print_passes(&bench_raw_ed);
	printf("direct, per entry: entry_create %.1f us + store_append %.1f us (1 per transaction); "
	       "%.1f us + %.1f us (batches of %d)\n", one_create * 1e6, one_commit * 1e6,
	       batch_create * 1e6, batch_commit * 1e6, BENCH_BATCH);
	if (bench_row_fsync >= 0 && one_commit > 0 &&
	    one_commit * bench_rate(&bench_rows[bench_row_fsync]) < 0.5)
		printf("WARNING: a durable commit costs less than half an fsync: is the store really syncing?\n");
	printf("total %.1f s%s\n", bench_now() - t_start, rc ? ", FAILED" : "");

	if (bench_rmtree(bench_root) != 0)
		bench_fail("removing", bench_root);
	return rc == 0 ? 0 : 1;
}
