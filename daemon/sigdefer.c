/* Deferred signature checks: the helper thread and the loop's side (see
 * sigdefer.h).
 *
 * Happy path: a version-2 batch is stored, sigdefer_stored extends the
 * rows waiting; the thread reads them in rowid order on its own read-only
 * connection, checks each signature and reports how far it got through a
 * uv_async; the loop moves the readers' horizon there and emits
 * NODE_EV_CHECKED. The durable mark follows at most once a second (a crash
 * re-checks a little more) and is dropped when nothing waits.
 * Failure modes: a bad signature: the loop finds the proof (the bad entry
 * and its first validly signed successor), keeps it and stops the feed
 * before the horizon passes the row; with no valid successor (a damaged
 * store) the feed's rows from there are dropped and fetched again. A read
 * error on the thread: it waits and retries. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <string.h>
#include <uv.h>
#include "core/sigproof.h"
#include "daemon/log.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/sigdefer.h"
#include "daemon/store.h"
#include "proto/err.h"
#include "proto/id.h"

#define SIGDEFER_CHUNK 256       /* rows per read: the horizon moves this often */
#define SIGDEFER_BAD_MAX 16      /* bad rows reported at once */
#define SIGDEFER_MARK_MS 1000    /* the durable mark follows at most this often */
#define SIGDEFER_RETRY_US 100000 /* after a read error on the thread */
#define SIGDEFER_WALK_MAX 4096   /* successors tried for a valid one */
#define SIGDEFER_NICE 10         /* the thread yields to the loop: storing a
				  * catch-up comes first, checks fill idle time */

struct sd_bad {
	int64_t rowid;
	uint8_t network[32], author[32];
	uint64_t seq;
};

static struct {
	struct node *n;
	struct store *ro;               /* the thread's connection */
	uv_async_t async;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool running, stop;
	int64_t lo, hi;                 /* rows [lo, hi] wait for the thread */
	int64_t checked;                /* every row up to it is checked */
	struct sd_bad bad[SIGDEFER_BAD_MAX];
	size_t n_bad;                   /* reported, not yet taken by the loop */
	uint64_t marked_ms;
} d = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* ---- the thread ---- */

/* A chunk of rows, copied out of the read transaction so that it ends at
 * once: a reader holding its snapshot while it verifies (about 10 ms per
 * chunk) kept every checkpoint from copying the whole WAL, and the WAL
 * never started again (it grew to 900 MB in a catch-up). */
struct chunk {
	int64_t to, last;
	size_t rows;
	struct chunk_row {
		int64_t rowid;
		uint8_t header[ENTRY_HEADER_MAX], sig[PAKT_SIG_LEN];
		size_t header_len;
		bool bad;                   /* its signature fails */
	} row[SIGDEFER_CHUNK];
	struct sd_bad bad[SIGDEFER_BAD_MAX];
	size_t n_bad;
};

static int copy_row(void *arg, const struct store_row *row)
{
	struct chunk *c = arg;
	struct chunk_row *r;

	if (row->rowid > c->to)
		return 1;
	r = &c->row[c->rows++];
	r->rowid = row->rowid;
	r->header_len = row->sig_len == PAKT_SIG_LEN && row->header_len <= ENTRY_HEADER_MAX
			? row->header_len : 0;
	if (r->header_len > 0) {
		memcpy(r->header, row->header, r->header_len);
		memcpy(r->sig, row->sig, PAKT_SIG_LEN);
	}
	return c->rows == SIGDEFER_CHUNK;
}

static void verify_range(struct chunk *c, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		struct chunk_row *r = &c->row[i];
		struct entry e;

		/* a damaged row is not its author's doing: pakt verify names it */
		r->bad = r->header_len > 0 &&
			 entry_from_parts(&e, r->header, r->header_len, r->sig, NULL, 0) == 0 &&
			 entry_verify(&e) != 0;
	}
}

/* A second checking thread takes half of each chunk: once a catch-up is
 * stored the loop is idle, and both cores check what waits. */
static struct {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool running, stop, job;
	struct chunk *c;
	size_t from, to;
} half = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *half_worker(void *arg)
{
	(void)arg;
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), SIGDEFER_NICE);
	pthread_mutex_lock(&half.mu);
	while (!half.stop) {
		if (!half.job) {
			pthread_cond_wait(&half.cv, &half.mu);
			continue;
		}
		pthread_mutex_unlock(&half.mu);
		verify_range(half.c, half.from, half.to);
		pthread_mutex_lock(&half.mu);
		half.job = false;
		pthread_cond_broadcast(&half.cv);
	}
	pthread_mutex_unlock(&half.mu);
	return NULL;
}

/* Verify the copied rows (half on the second thread when it runs), then
 * note the bad ones in order; c->last: the last row done. */
static void check_rows(struct chunk *c)
{
	size_t mid = half.running && c->rows >= 16 ? c->rows / 2 : c->rows;

	if (mid < c->rows) {
		pthread_mutex_lock(&half.mu);
		half.c = c;
		half.from = mid;
		half.to = c->rows;
		half.job = true;
		pthread_cond_broadcast(&half.cv);
		pthread_mutex_unlock(&half.mu);
	}
	verify_range(c, 0, mid);
	if (mid < c->rows) {
		pthread_mutex_lock(&half.mu);
		while (half.job)
			pthread_cond_wait(&half.cv, &half.mu);
		pthread_mutex_unlock(&half.mu);
	}
	for (size_t i = 0; i < c->rows; i++) {
		const struct chunk_row *r = &c->row[i];
		struct entry e;

		if (r->bad && entry_from_parts(&e, r->header, r->header_len, r->sig, NULL, 0) == 0) {
			struct sd_bad *b;

			if (c->n_bad == SIGDEFER_BAD_MAX)
				return;   /* the rest in the next round */
			b = &c->bad[c->n_bad++];
			b->rowid = r->rowid;
			memcpy(b->network, entry_network(&e), 32);
			memcpy(b->author, e.h.author, 32);
			b->seq = e.h.seq;
		}
		c->last = r->rowid;
	}
}

static void *worker(void *arg)
{
	struct chunk *c = arg;

	/* Linux: the nice value of this thread alone */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), SIGDEFER_NICE);
	pthread_mutex_lock(&d.mu);
	while (!d.stop) {
		if (d.lo > d.hi || d.n_bad > 0) {
			pthread_cond_wait(&d.cv, &d.mu);
			continue;
		}
		struct store_query q = {.after_rowid = d.lo - 1, .limit = SIGDEFER_CHUNK,
					.unchecked = true};
		bool whole;
		int rc;

		c->to = d.hi;
		c->last = d.lo - 1;
		c->rows = c->n_bad = 0;
		pthread_mutex_unlock(&d.mu);
		rc = store_scan(d.ro, &q, copy_row, c);
		whole = rc == 0 && c->rows < SIGDEFER_CHUNK;   /* read to the end */
		check_rows(c);
		if (whole && c->n_bad < SIGDEFER_BAD_MAX)
			c->last = c->to;   /* rows not there were dropped */
		if (rc != 0 && rc != 1)
			usleep(SIGDEFER_RETRY_US);
		pthread_mutex_lock(&d.mu);
		memcpy(d.bad, c->bad, c->n_bad * sizeof c->bad[0]);
		d.n_bad = c->n_bad;
		if (c->last >= d.lo) {
			d.lo = c->last + 1;
			d.checked = c->last;
		}
		uv_async_send(&d.async);
	}
	pthread_mutex_unlock(&d.mu);
	free(c);
	return NULL;
}

/* ---- the loop ---- */

static void emit_checked(struct node *n)
{
	for (struct repl_net *rn = n->nets; rn; rn = rn->next)
		node_emit(n, &(struct node_event){.kind = NODE_EV_CHECKED, .rn = rn});
}

static bool apply_proof(struct node *n, struct repl_net *rn, const uint8_t author[32],
			uint64_t seq_a, const uint8_t *wa, size_t la, const uint8_t *wb, size_t lb,
			uint64_t drop_from, const void *origin)
{
	struct repl_feed *f = repl_feed_get(rn, author, true, NULL);
	char id[ID_TEXT_MAX];

	if (f == NULL || f->badsig)
		return false;
	if (store_badsig_add(n->store, rn->id, author, seq_a, wa, la, wb, lb,
			     (int64_t)node_now(n)) != 0)
		log_err("storing a bad-signature proof: %s", store_errmsg(n->store));
	if (store_sig_drop(n->store, rn->id, author, drop_from) != 0)
		log_err("dropping unchecked entries: %s", store_errmsg(n->store));
	if (store_head(n->store, rn->id, author, &f->seq, f->hash, &f->ts) != 0) {
		f->seq = 0;
		f->ts = 0;
		memset(f->hash, 0, 32);
	}
	f->forked = true;
	f->badsig = true;
	id_encode(ID_KEY, author, id);
	log_warn("BAD SIGNATURE: %s signed an entry whose predecessor at seq %llu has a signature "
		 "that fails%s: proof kept, entries from seq %llu on dropped, replication of that feed stops",
		 id, (unsigned long long)seq_a, origin ? " (proof from a peer)" : "",
		 (unsigned long long)drop_from);
	node_emit(n, &(struct node_event){.kind = NODE_EV_BADSIG, .rn = rn, .origin = origin,
					  .wire_a = wa, .len_a = la, .wire_b = wb, .len_b = lb});
	return true;
}

bool sigdefer_proof(struct node *n, struct repl_net *rn, const struct entry *a,
		    const uint8_t *wa, size_t la, const uint8_t *wb, size_t lb,
		    const void *origin)
{
	return apply_proof(n, rn, a->h.author, a->h.seq, wa, la, wb, lb, a->h.seq, origin);
}

struct pair {
	uint8_t *w[2];
	size_t len[2], n;
};

static int take_row(void *arg, const struct store_row *row)
{
	struct pair *p = arg;
	struct entry e;

	if (p->n == 2 || entry_from_parts(&e, row->header, row->header_len, row->sig, row->body,
					    row->body_len) != 0 ||
	    entry_encode(&e, true, p->w[p->n], ENTRY_WIRE_MAX, &p->len[p->n]) != 0)
		return 1;
	p->n++;
	return 0;
}

/* The thread found the row bad: walk up the feed to the first validly
 * signed successor; the entry below it is the proof's a. */
static void on_bad(struct node *n, const struct sd_bad *b)
{
	struct repl_net *rn = repl_net_find(n, b->network);
	struct repl_feed *f = rn ? repl_feed_get(rn, b->author, true, NULL) : NULL;
	struct pair p = {0};
	struct entry ea, eb;
	char why[128], id[ID_TEXT_MAX];

	if (f == NULL)
		return;
	if (f->badsig) {   /* a peer's proof came first */
		store_sig_drop(n->store, b->network, b->author, b->seq);
		return;
	}
	p.w[0] = malloc(ENTRY_WIRE_MAX);
	p.w[1] = malloc(ENTRY_WIRE_MAX);
	for (uint64_t seq = b->seq; p.w[0] && p.w[1] && seq < b->seq + SIGDEFER_WALK_MAX; seq++) {
		p.n = 0;
		store_range(n->store, b->network, b->author, seq, 2, take_row, &p);
		if (p.n < 2)
			break;
		if (sigproof_check(b->network, p.w[0], p.len[0], p.w[1], p.len[1], &ea, &eb, why,
				   sizeof why) == 0) {
			apply_proof(n, rn, b->author, ea.h.seq, p.w[0], p.len[0], p.w[1], p.len[1],
				    b->seq, NULL);
			goto free_pair;
		}
	}
	/* no signed successor: nothing proves the author signed it */
	id_encode(ID_KEY, b->author, id);
	log_warn("entry %s seq %llu has a bad signature and no validly signed successor here: "
		 "dropped with the entries after it", id, (unsigned long long)b->seq);
	store_sig_drop(n->store, b->network, b->author, b->seq);
	if (store_head(n->store, rn->id, b->author, &f->seq, f->hash, &f->ts) != 0) {
		f->seq = 0;
		f->ts = 0;
		memset(f->hash, 0, 32);
	}
free_pair:
	free(p.w[0]);
	free(p.w[1]);
}

static void on_async(uv_async_t *h)
{
	struct node *n = h->data;
	struct sd_bad bad[SIGDEFER_BAD_MAX];
	size_t n_bad;
	int64_t checked, hi, before = store_sig_horizon_get(n->store);
	uint64_t now = node_now_ms();

	pthread_mutex_lock(&d.mu);
	n_bad = d.n_bad;
	memcpy(bad, d.bad, n_bad * sizeof bad[0]);
	d.n_bad = 0;
	checked = d.checked;
	hi = d.hi;
	pthread_cond_broadcast(&d.cv);
	pthread_mutex_unlock(&d.mu);
	/* before the horizon passes them */
	for (size_t i = 0; i < n_bad; i++)
		on_bad(n, &bad[i]);
	if (before == 0)
		return;
	if (checked >= hi) {
		store_sig_horizon(n->store, 0);
		if (store_sig_checked(n->store, 0) != 0)
			log_err("recording checked signatures: %s", store_errmsg(n->store));
		d.marked_ms = now;
	} else if (checked + 1 > before) {
		store_sig_horizon(n->store, checked + 1);
		if (now - d.marked_ms >= SIGDEFER_MARK_MS) {
			store_sig_checked(n->store, checked + 1);
			d.marked_ms = now;
		}
	}
	if (store_sig_horizon_get(n->store) != before)
		emit_checked(n);
}

int sigdefer_settle(struct node *n)
{
	int64_t from = store_sig_horizon_get(n->store), to, taken_from, taken_to;
	struct chunk *c;
	int rc = 0;

	(void)store_sig_take(n->store, &taken_from, &taken_to);   /* checked here */
	if (from == 0)
		from = store_sig_waiting(n->store);   /* left by a restart */
	if (from == 0)
		return 0;
	if ((c = malloc(sizeof *c)) == NULL)
		return PAKT_ENOMEM;
	to = store_sig_max_rowid(n->store);
	for (int64_t lo = from; lo <= to && rc == 0;) {
		struct store_query q = {.after_rowid = lo - 1, .limit = SIGDEFER_CHUNK,
					.unchecked = true};

		c->to = to;
		c->last = lo - 1;
		c->rows = c->n_bad = 0;
		rc = store_scan(n->store, &q, copy_row, c);
		if (rc == 1)
			rc = 0;
		check_rows(c);
		if (rc == 0 && c->rows < SIGDEFER_CHUNK && c->n_bad < SIGDEFER_BAD_MAX)
			c->last = to;
		for (size_t i = 0; i < c->n_bad; i++)
			on_bad(n, &c->bad[i]);
		lo = c->last + 1;
	}
	free(c);
	if (rc != 0)
		return rc;
	store_sig_horizon(n->store, 0);
	rc = store_sig_checked(n->store, 0);
	emit_checked(n);
	return rc;
}

struct proof_find {
	const uint8_t *author;
	uint8_t *a, *b;
	size_t alen, blen;
	int rc;
};

static int on_proof(void *arg, const uint8_t *network, const uint8_t *author, uint64_t seq,
		    const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	struct proof_find *p = arg;

	(void)network;
	(void)seq;
	if (memcmp(author, p->author, 32) != 0)
		return 0;
	p->a = malloc(alen ? alen : 1);
	p->b = malloc(blen ? blen : 1);
	if (p->a == NULL || p->b == NULL) {
		free(p->a);
		free(p->b);
		p->rc = PAKT_ENOMEM;
		return 1;
	}
	memcpy(p->a, a, alen);
	memcpy(p->b, b, blen);
	p->alen = alen;
	p->blen = blen;
	p->rc = 0;
	return 1;
}

int sigdefer_badsig_proof(struct node *n, const struct repl_net *rn, const uint8_t author[32],
			  uint8_t **a, size_t *alen, uint8_t **b, size_t *blen)
{
	struct proof_find p = {.author = author, .rc = PAKT_ENOTFOUND};

	store_badsigs(n->store, rn->id, on_proof, &p);
	if (p.rc != 0)
		return p.rc;
	*a = p.a;
	*alen = p.alen;
	*b = p.b;
	*blen = p.blen;
	return 0;
}

/* Rows [from, to] wait for their checks. */
static void feed_thread(int64_t from, int64_t to)
{
	if (!d.running || to < from)
		return;
	pthread_mutex_lock(&d.mu);
	if (d.lo > d.hi)
		d.lo = from;
	d.hi = to;
	pthread_cond_broadcast(&d.cv);
	pthread_mutex_unlock(&d.mu);
	if (store_sig_horizon_get(d.n->store) == 0)
		store_sig_horizon(d.n->store, from);
}

static void on_event(void *arg, const struct node_event *ev)
{
	struct node *n = arg;
	int64_t from, to;

	if (ev->kind == NODE_EV_STORED && store_sig_take(n->store, &from, &to))
		feed_thread(from, to);
}

int sigdefer_start(struct node *n)
{
	char why[256];
	int64_t waiting = store_sig_waiting(n->store);
	int rc;

	if (d.running)
		return 0;
	if ((rc = store_open(&d.ro, n->db_path, true, why, sizeof why)) != 0) {
		log_warn("signature checks: no second store connection (%s)", why);
		return rc;
	}
	d.n = n;
	d.stop = false;
	d.n_bad = 0;
	d.lo = 1;
	d.hi = 0;
	d.checked = 0;
	if (uv_async_init(n->loop, &d.async, on_async) != 0) {
		store_close(d.ro);
		return PAKT_EIO;
	}
	d.async.data = n;
	struct chunk *c = malloc(sizeof *c);

	if (c == NULL || pthread_create(&d.thread, NULL, worker, c) != 0) {
		free(c);
		uv_close((uv_handle_t *)&d.async, NULL);
		store_close(d.ro);
		return PAKT_ENOMEM;
	}
	d.running = true;
	half.stop = half.job = false;
	half.running = pthread_create(&half.thread, NULL, half_worker, NULL) == 0;
	store_sig_enable(n->store, true);
	if (node_listen(n, on_event, n) != 0) {
		sigdefer_stop();
		return PAKT_ELIMIT;
	}
	if (waiting > 0) {   /* stored before a crash or a stop, not all checked */
		int64_t max = store_sig_max_rowid(n->store);

		log_info("checking the signatures of entries stored from row %lld on",
			 (long long)waiting);
		if (max >= waiting)
			feed_thread(waiting, max);
		else
			store_sig_checked(n->store, 0);
	}
	return 0;
}

void sigdefer_stop(void)
{
	if (!d.running)
		return;
	node_unlisten(d.n, on_event, d.n);
	store_sig_enable(d.n->store, false);
	pthread_mutex_lock(&d.mu);
	d.stop = true;
	pthread_cond_broadcast(&d.cv);
	pthread_mutex_unlock(&d.mu);
	pthread_join(d.thread, NULL);
	if (half.running) {
		pthread_mutex_lock(&half.mu);
		half.stop = true;
		pthread_cond_broadcast(&half.cv);
		pthread_mutex_unlock(&half.mu);
		pthread_join(half.thread, NULL);
		half.running = false;
	}
	uv_close((uv_handle_t *)&d.async, NULL);
	store_close(d.ro);
	d.ro = NULL;
	d.running = false;
}
