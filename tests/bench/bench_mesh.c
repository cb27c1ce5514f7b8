/* bench_mesh: replication between real paktd daemons on 127.0.0.1, beside
 * the raw Ed25519 verify rate measured in the same run.
 *
 *   1. catch-up: a fresh daemon pulls 20 feeds x 10,000 entries (~300 B
 *      bodies) from one peer: entries/s, MB/s, the time `pakt join` took,
 *      peak RSS (VmHWM) of both daemons, and the source's RSS when idle.
 *      The source store is written directly with the library before its
 *      daemon starts (genesis + members by the admin = the source's own
 *      identity, then the authors' messages).
 *   2. live latency: one control connection posts on A; tail streams
 *      ({"op":"log","follow":true,"last":0}) on B (1 hop) and on E, the far
 *      end of the chain A-B-C-D-E, are read in this process; CLOCK_MONOTONIC.
 *   3. handshakes/s: sequential TCP connections to the source daemon, each
 *      sending the preamble and running Noise XX as a member key until the
 *      daemon's first transport message (its clock) decrypts; and the
 *      handshake crypto of both sides in-process, for reference.
 *
 * Usage: bench_mesh PAKTD PAKT
 * To profile: BENCH_MESH_LIVE=N runs only the chain, with N posts (at most
 * 20,000); BENCH_MESH_SAMPLES=FILE writes each post's latencies (ms: ack,
 * B, E); BENCH_MESH_CATCHUP_ONLY=1 runs no chain.
 * Every loop stops at a count or a time limit; a watchdog alarm stops the
 * whole run. Temp data lives in a fresh directory under $TMPDIR (default
 * /tmp), removed at the end; daemons get SIGTERM (and die with us through
 * PR_SET_PDEATHSIG). Only 127.0.0.1 and Unix sockets are used. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include "cli/client.h"
#include "daemon/store.h"
#include "keys/keyfile.h"
#include "keys/keys.h"
#include "proto/body.h"
#include "proto/entry.h"
#include "proto/err.h"
#include "proto/mpx.h"
#include "proto/noise.h"
#include "proto/wire.h"
#include "tests/bench/bench_util.h"

#define N_FEEDS 20
#define N_PER_FEED 10000
#define BODY_TEXT_LEN 290        /* body {"text": ...} = 299 B canonical msgpack */
#define FILL_BATCH 1000
#define FILL_THREADS 2
#define N_CHAIN 5
#define N_LIVE 1000
#define N_LIVE_MAX 20000         /* BENCH_MESH_LIVE=N: only the chain, N posts */
#define N_HS 3000
#define N_HS_CRYPTO 2000

#define T_CATCHUP 90.0
#define T_STALL 5.0
#define T_POLL_US 50000
#define T_LIVE 30.0
#define T_LIVE_ONE_MS 2000
#define T_HS 3.0
#define T_HS_CRYPTO 1.0
#define T_CONVERGE 30.0
#define T_IDLE 1.0
#define T_WATCHDOG 165

#define TARGET_CATCHUP 50000.0
#define TARGET_P50_MS 1.0
#define TARGET_P99_MS 5.0
#define TARGET_IDLE_KIB (10 * 1024)
#define TARGET_WIRE_PER_ENTRY 420.0

#define MAX_DAEMONS 8

static struct bench_daemon dmn[MAX_DAEMONS];
static size_t n_dmn;
static char root[256];

/* ---- processes ---- */

static int node_init(const char *dir, const char *name)
{
	if (bench_pakt(dir, NULL, 0, "init", "--name", name, NULL) != 0) {
		bench_fail("pakt init", dir);
		return PAKT_EIO;
	}
	return 0;
}

static struct bench_daemon *daemon_start(const char *paktd, const char *dir)
{
	struct bench_daemon *d;

	if (n_dmn >= MAX_DAEMONS)
		return NULL;
	d = &dmn[n_dmn++];
	return bench_daemon_start(d, paktd, dir, "127.0.0.1:0", 10000) == 0 ? d : NULL;
}

static int daemon_stop(struct bench_daemon *d)
{
	if (d == NULL || d->pid <= 0)
		return 0;
	if (bench_daemon_stop(d) != 0) {
		bench_fail("paktd did not exit cleanly", d->dir);
		return PAKT_EIO;
	}
	return 0;
}

/* ---- control socket ---- */

static int status_entries(struct client *c, uint64_t *entries)
{
	static const struct ctlop_req req = {.op = CTLOP_STATUS};
	struct ctlop_r_status r = {0};
	int rc = bench_ctl_call(c, &req, CTLOP_R_STATUS, &r);

	if (rc == 0)
		*entries = r.entries;
	ctlop_reply_free(CTLOP_R_STATUS, &r);
	return rc;
}

/* ---- raw reference ---- */

static struct bench_raw raw;

static void bench_raw(void)
{
	uint8_t msg[BENCH_RAW_MSG_LEN];

	randombytes_buf(msg, sizeof msg);
	bench_raw_ed25519(&raw, msg, sizeof msg);
}

/* Noise XX, both sides in this process: the handshake's crypto alone. */
static unsigned long hs_crypto_n;
static double hs_crypto_s;

static void bench_hs_crypto(void)
{
	struct keys_identity a, b;
	uint8_t ax[32], axs[32], bx[32], bxs[32], net[32], pro[38];
	uint8_t m0[256], m1[256], m2[256], pl[256];
	size_t l0, l1, l2, lp, plen;
	struct noise_hs hi, hr;
	struct noise_cipher it, ir, rt, rr;
	struct mpx_out ha, hb;
	double t0;
	unsigned long n;

	if (keys_generate(&a) != 0 || keys_generate(&b) != 0)
		return;
	keys_to_x25519(&a, ax, axs);
	keys_to_x25519(&b, bx, bxs);
	randombytes_buf(net, sizeof net);
	plen = wire_prologue(net, pro);
	mpx_init(&ha);
	mpx_init(&hb);
	wire_hello(&ha, a.pk);
	wire_hello(&hb, b.pk);
	t0 = bench_now();
	for (n = 0; n < N_HS_CRYPTO && bench_now() - t0 < T_HS_CRYPTO; n++) {
		uint8_t ed[32], x[32];
		int rc = noise_hs_init(&hi, true, pro, plen, axs, NULL, NULL);

		rc |= noise_hs_init(&hr, false, pro, plen, bxs, NULL, NULL);
		rc |= noise_hs_write(&hi, NULL, 0, m0, sizeof m0, &l0);
		rc |= noise_hs_read(&hr, m0, l0, pl, sizeof pl, &lp);
		rc |= noise_hs_write(&hr, (const uint8_t *)hb.sb.data, hb.sb.size, m1, sizeof m1, &l1);
		rc |= noise_hs_read(&hi, m1, l1, pl, sizeof pl, &lp);
		/* what the daemon checks: the hello key converts to the static */
		rc |= wire_hello_parse(pl, lp, ed);
		rc |= keys_pk_to_x25519(ed, x);
		rc |= noise_hs_write(&hi, (const uint8_t *)ha.sb.data, ha.sb.size, m2, sizeof m2, &l2);
		rc |= noise_hs_read(&hr, m2, l2, pl, sizeof pl, &lp);
		rc |= wire_hello_parse(pl, lp, ed);
		rc |= keys_pk_to_x25519(ed, x);
		rc |= noise_hs_split(&hi, &it, &ir, NULL);
		rc |= noise_hs_split(&hr, &rt, &rr, NULL);
		if (rc != 0) {
			bench_fail("in-process handshake", "failed");
			break;
		}
	}
	hs_crypto_n = n;
	hs_crypto_s = bench_now() - t0;
	noise_hs_wipe(&hi);
	noise_hs_wipe(&hr);
	sodium_memzero(axs, sizeof axs);
	sodium_memzero(bxs, sizeof bxs);
	mpx_free(&ha);
	mpx_free(&hb);
	keys_free(&a);
	keys_free(&b);
}

/* ---- 1. catch-up ---- */

static struct keys_identity authors[N_FEEDS];
static uint8_t network[32];

struct writer {
	struct store *s;
	struct entry es[FILL_BATCH];
	const struct entry *ptrs[FILL_BATCH];
	size_t n;
	uint64_t total, wire_bytes;
};

static int writer_flush(struct writer *w)
{
	int rc;

	if (w->n == 0)
		return 0;
	rc = store_append(w->s, w->ptrs, w->n, 0, NULL);
	if (rc != 0)
		bench_fail("store_append", store_errmsg(w->s));
	w->total += w->n;
	w->n = 0;
	return rc;
}

/* Sign the next entry of a feed into the batch. */
static int writer_add(struct writer *w, const struct keys_identity *id, const uint8_t *net,
		      uint64_t seq, const uint8_t prev[32], const char *type,
		      const uint8_t *body, size_t body_len, uint8_t hash_out[32])
{
	struct entry_header h = {.version = ENTRY_VERSION};
	struct timespec ts;
	struct entry *e;
	size_t wl;
	uint8_t wire[ENTRY_WIRE_MAX];
	int rc;

	if (w->n == FILL_BATCH && (rc = writer_flush(w)) != 0)
		return rc;
	e = &w->es[w->n];
	clock_gettime(CLOCK_REALTIME, &ts);
	h.has_network = net != NULL;
	if (net)
		memcpy(h.network, net, 32);
	memcpy(h.author, id->pk, 32);
	h.seq = seq;
	h.has_prev = seq > 1;
	if (seq > 1)
		memcpy(h.prev, prev, 32);
	h.timestamp = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	snprintf(h.type, sizeof h.type, "%s", type);
	rc = entry_create(e, &h, body, body_len, keys_sk_open(id));
	keys_sk_close(id);
	if (rc != 0) {
		bench_fail("entry_create", pakt_strerror(rc));
		return rc;
	}
	if (entry_encode(e, true, wire, sizeof wire, &wl) == 0)
		w->wire_bytes += wl;
	memcpy(hash_out, e->hash, 32);
	w->ptrs[w->n++] = e;
	return 0;
}

/* The authors' feeds: FILL_THREADS threads sign whole feeds (feed i by
 * thread i % FILL_THREADS), this thread appends them in order, in batches. */
struct feed_buf {
	struct entry *es;
	int rc;
	bool ready;
};

struct fill_ctx {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct feed_buf feeds[N_FEEDS];
	const struct mpx_out *body;
	int next;             /* next feed to sign */
};

static void *fill_worker(void *arg)
{
	struct fill_ctx *fc = arg;

	for (;;) {
		struct feed_buf *fb;
		struct entry_header h = {.version = ENTRY_VERSION, .has_network = true};
		struct timespec ts;
		int i, rc = 0;

		pthread_mutex_lock(&fc->mu);
		i = fc->next < N_FEEDS ? fc->next++ : -1;
		pthread_mutex_unlock(&fc->mu);
		if (i < 0)
			return NULL;
		fb = &fc->feeds[i];
		fb->es = malloc(N_PER_FEED * sizeof *fb->es);
		if (fb->es == NULL)
			rc = PAKT_ENOMEM;
		memcpy(h.network, network, 32);
		memcpy(h.author, authors[i].pk, 32);
		strcpy(h.type, "message");
		clock_gettime(CLOCK_REALTIME, &ts);
		h.timestamp = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
		for (size_t k = 0; rc == 0 && k < N_PER_FEED; k++) {
			h.seq = k + 1;
			h.has_prev = k > 0;
			if (k > 0)
				memcpy(h.prev, fb->es[k - 1].hash, 32);
			h.timestamp += k % 16 == 0;
			rc = entry_create(&fb->es[k], &h, (const uint8_t *)fc->body->sb.data,
					  fc->body->sb.size, keys_sk_open(&authors[i]));
			keys_sk_close(&authors[i]);
		}
		pthread_mutex_lock(&fc->mu);
		fb->rc = rc;
		fb->ready = true;
		pthread_cond_broadcast(&fc->cv);
		pthread_mutex_unlock(&fc->mu);
	}
}

static int fill_feeds(struct writer *w, const struct mpx_out *body)
{
	struct fill_ctx *fc = calloc(1, sizeof *fc);
	pthread_t th[FILL_THREADS];
	int n_th = 0, rc = 0;

	if (fc == NULL)
		return PAKT_ENOMEM;
	pthread_mutex_init(&fc->mu, NULL);
	pthread_cond_init(&fc->cv, NULL);
	fc->body = body;
	for (int t = 0; t < FILL_THREADS; t++)
		if (pthread_create(&th[n_th], NULL, fill_worker, fc) == 0)
			n_th++;
	if (n_th == 0)
		rc = PAKT_ENOMEM;
	for (int i = 0; rc == 0 && i < N_FEEDS; i++) {
		struct feed_buf *fb = &fc->feeds[i];

		pthread_mutex_lock(&fc->mu);
		while (!fb->ready)
			pthread_cond_wait(&fc->cv, &fc->mu);
		pthread_mutex_unlock(&fc->mu);
		if ((rc = fb->rc) != 0) {
			bench_fail("entry_create", pakt_strerror(rc));
			break;
		}
		for (size_t k = 0; rc == 0 && k < N_PER_FEED; k += FILL_BATCH) {
			const struct entry *ptrs[FILL_BATCH];
			size_t n = N_PER_FEED - k < FILL_BATCH ? N_PER_FEED - k : FILL_BATCH;

			for (size_t j = 0; j < n; j++) {
				uint8_t wire[ENTRY_WIRE_MAX];
				size_t wl;

				ptrs[j] = &fb->es[k + j];
				if (entry_encode(ptrs[j], true, wire, sizeof wire, &wl) == 0)
					w->wire_bytes += wl;
			}
			rc = store_append(w->s, ptrs, n, 0, NULL);
			if (rc != 0)
				bench_fail("store_append", store_errmsg(w->s));
			w->total += n;
		}
		free(fb->es);
		fb->es = NULL;
	}
	if (rc != 0) {   /* let the workers run out of feeds */
		pthread_mutex_lock(&fc->mu);
		fc->next = N_FEEDS;
		pthread_mutex_unlock(&fc->mu);
	}
	for (int t = 0; t < n_th; t++)
		pthread_join(th[t], NULL);
	for (int i = 0; i < N_FEEDS; i++)
		free(fc->feeds[i].es);
	pthread_mutex_destroy(&fc->mu);
	pthread_cond_destroy(&fc->cv);
	free(fc);
	return rc;
}

/* genesis + members by admin, then N_FEEDS x N_PER_FEED messages. Bodies
 * must outlive the batch that borrows them: every entry of a kind shares
 * one body buffer, and member bodies are flushed before they change. */
static int fill_source(const char *dir, const struct keys_identity *admin, uint64_t *n_out,
		       uint64_t *bytes_out, double *secs)
{
	char path[340], why[512], text[BODY_TEXT_LEN + 1];
	struct writer *w = calloc(1, sizeof *w);
	struct mpx_out body;
	uint8_t prev[32];
	uint64_t aseq = 0;
	double t0 = bench_now();
	int rc;

	if (w == NULL)
		return PAKT_ENOMEM;
	mpx_init(&body);
	snprintf(path, sizeof path, "%s/pakt.db", dir);
	rc = store_open(&w->s, path, false, why, sizeof why);
	if (rc != 0) {
		bench_fail("store_open", why);
		goto done;
	}
	rc = body_genesis(&body, "mesh bench", "measure replication",
			  (const uint8_t (*)[32])admin->pk, 1);
	if (rc == 0)
		rc = writer_add(w, admin, NULL, ++aseq, NULL, "genesis", (const uint8_t *)body.sb.data,
				body.sb.size, network);
	if (rc == 0)
		rc = writer_flush(w);
	memcpy(prev, network, 32);
	for (int i = -1; rc == 0 && i < N_FEEDS; i++) {
		char name[32];

		snprintf(name, sizeof name, i < 0 ? "bench admin" : "author %d", i);
		mpx_reset(&body);
		rc = body_member(&body, true, i < 0 ? admin->pk : authors[i].pk, name, i < 0);
		if (rc == 0)
			rc = writer_add(w, admin, network, ++aseq, prev, "member",
					(const uint8_t *)body.sb.data, body.sb.size, prev);
		if (rc == 0)
			rc = writer_flush(w);
	}
	memset(text, 'm', BODY_TEXT_LEN);
	text[BODY_TEXT_LEN] = '\0';
	if (rc == 0)
		rc = writer_flush(w);
	mpx_reset(&body);
	if (rc == 0)
		rc = body_message(&body, text, NULL);
	if (rc == 0)
		rc = fill_feeds(w, &body);
	if (rc == 0)
		rc = writer_flush(w);
	*n_out = w->total;
	*bytes_out = w->wire_bytes;
	*secs = bench_now() - t0;
done:
	store_close(w->s);
	mpx_free(&body);
	free(w);
	return rc;
}

/* bytes received from all peers of dir (peer.list). */
static uint64_t peer_bytes_in(const char *dir)
{
	static const struct ctlop_req req = {.op = CTLOP_PEER_LIST};
	struct ctlop_r_peers r = {0};
	struct client c;
	uint64_t total = 0;

	if (bench_ctl_connect(&c, dir) == 0 && bench_ctl_call(&c, &req, CTLOP_R_PEERS, &r) == 0)
		for (size_t i = 0; i < r.n_peers; i++)
			total += r.peers[i].bytes_in;
	ctlop_reply_free(CTLOP_R_PEERS, &r);
	client_close(&c);
	return total;
}

struct catchup_result {
	bool ok, stalled;
	uint64_t filled, fill_bytes, expect, got, wire_in;
	double fill_s, join_s, total_s;
	unsigned long src_hwm, dst_hwm, src_idle, dst_idle, src_hwm_idle;
};

static struct catchup_result cu;

/* ---- 3. handshakes against a running daemon ---- */

static unsigned long hs_n;
static double hs_s;

static int read_full_fd(int fd, uint8_t *p, size_t len, int timeout_ms)
{
	while (len > 0) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int pr = poll(&pfd, 1, timeout_ms);
		ssize_t n;

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return PAKT_EIO;
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return PAKT_ENOTRUNNING;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_frame(int fd, uint8_t *buf, size_t cap, size_t *len)
{
	uint8_t hdr[2];
	int rc = read_full_fd(fd, hdr, 2, BENCH_RECV_TIMEOUT_MS);

	if (rc != 0)
		return rc;
	*len = (size_t)hdr[0] << 8 | hdr[1];
	if (*len == 0 || *len > cap)
		return PAKT_EPROTO;
	return read_full_fd(fd, buf, *len, BENCH_RECV_TIMEOUT_MS);
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return PAKT_EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One connection: preamble + msg0, msg1, msg2, then the daemon's first
 * transport message must decrypt. */
static int handshake_once(int port, const uint8_t x_sk[32], const struct mpx_out *hello,
			  uint8_t *buf, size_t cap)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	uint8_t pro[38], out[WIRE_PREAMBLE_LEN + 2 + 256], pl[256], ed[32], x[32];
	struct noise_hs hs;
	struct noise_cipher tx, rx;
	size_t plen = wire_prologue(network, pro), l, lp;
	int one = 1, rc, fd;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return PAKT_EIO;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 ? 0 : PAKT_EIO;
	if (rc == 0)
		rc = noise_hs_init(&hs, true, pro, plen, x_sk, NULL, NULL);
	if (rc == 0) {
		wire_preamble(network, out);
		rc = noise_hs_write(&hs, NULL, 0, out + WIRE_PREAMBLE_LEN + 2, 256, &l);
	}
	if (rc == 0) {
		out[WIRE_PREAMBLE_LEN] = (uint8_t)(l >> 8);
		out[WIRE_PREAMBLE_LEN + 1] = (uint8_t)l;
		rc = write_all(fd, out, WIRE_PREAMBLE_LEN + 2 + l);
	}
	if (rc == 0)
		rc = read_frame(fd, buf, cap, &l);
	if (rc == 0)
		rc = noise_hs_read(&hs, buf, l, pl, sizeof pl, &lp);
	if (rc == 0)
		rc = wire_hello_parse(pl, lp, ed);
	if (rc == 0)   /* the check the daemon makes of us, made of it */
		rc = keys_pk_to_x25519(ed, x) == 0 && sodium_memcmp(x, noise_hs_remote_static(&hs), 32) == 0
			     ? 0 : PAKT_EHANDSHAKE;
	if (rc == 0)
		rc = noise_hs_write(&hs, (const uint8_t *)hello->sb.data, hello->sb.size, out + 2, 256, &l);
	if (rc == 0) {
		out[0] = (uint8_t)(l >> 8);
		out[1] = (uint8_t)l;
		rc = write_all(fd, out, 2 + l);
	}
	if (rc == 0)
		rc = noise_hs_split(&hs, &tx, &rx, NULL);
	if (rc == 0)
		rc = read_frame(fd, buf, cap, &l);
	if (rc == 0)
		rc = noise_decrypt(&rx, buf, l, buf);
	noise_hs_wipe(&hs);
	noise_cipher_wipe(&tx);
	noise_cipher_wipe(&rx);
	close(fd);
	return rc;
}

static int bench_handshakes(int port)
{
	uint8_t xpk[32], xsk[32];
	uint8_t *buf = malloc(WIRE_FRAME_MAX);
	struct mpx_out hello;
	unsigned long n;
	double t0;
	int rc = 0;

	if (buf == NULL)
		return PAKT_ENOMEM;
	keys_to_x25519(&authors[0], xpk, xsk);
	mpx_init(&hello);
	wire_hello(&hello, authors[0].pk);
	t0 = bench_now();
	for (n = 0; n < N_HS && bench_now() - t0 < T_HS; n++) {
		rc = handshake_once(port, xsk, &hello, buf, WIRE_FRAME_MAX);
		if (rc != 0) {
			bench_fail("handshake with paktd", pakt_strerror(rc));
			break;
		}
	}
	hs_s = bench_now() - t0;
	hs_n = n;
	sodium_memzero(xsk, sizeof xsk);
	mpx_free(&hello);
	free(buf);
	return rc;
}

static int bench_catchup(const char *paktd)
{
	char src[300], dst[300], code[1200], kpath[340], why[256];
	struct keys_identity admin = {0};
	struct bench_daemon *ds = NULL, *dd = NULL;
	struct client c;
	uint64_t got = 0, src_n = 0;
	double t0, tj;
	int rc;

	snprintf(src, sizeof src, "%s/src", root);
	snprintf(dst, sizeof dst, "%s/dst", root);
	if ((rc = node_init(src, "source")) != 0 || (rc = node_init(dst, "fresh")) != 0)
		return rc;
	snprintf(kpath, sizeof kpath, "%s/identity.key", src);
	rc = keyfile_read(kpath, NULL, &admin, why, sizeof why);
	if (rc != 0) {
		bench_fail("keyfile_read", why);
		return rc;
	}
	for (int i = 0; rc == 0 && i < N_FEEDS; i++)
		rc = keys_generate(&authors[i]);
	if (rc == 0)
		rc = fill_source(src, &admin, &cu.filled, &cu.fill_bytes, &cu.fill_s);
	keys_free(&admin);
	if (rc != 0)
		return rc;
	printf("source store filled: %llu entries (%.1f MB on the wire) in %.1f s\n",
	       (unsigned long long)cu.filled, (double)cu.fill_bytes / 1e6, cu.fill_s);
	fflush(stdout);

	if ((ds = daemon_start(paktd, src)) == NULL || (dd = daemon_start(paktd, dst)) == NULL)
		return PAKT_EIO;
	if (bench_pakt(src, code, sizeof code, "invite", NULL, NULL, NULL) != 0 || strncmp(code, "pi_", 3) != 0) {
		bench_fail("pakt invite", "failed");
		return PAKT_EIO;
	}
	code[strcspn(code, "\r\n")] = '\0';
	if ((rc = bench_ctl_connect(&c, dst)) != 0)
		return rc;
	t0 = bench_now();
	rc = bench_pakt(dst, NULL, 0, "join", code, NULL, NULL);
	tj = bench_now();
	cu.join_s = tj - t0;
	if (rc != 0) {
		bench_fail("pakt join", "failed");
		client_close(&c);
		return rc;
	}
	/* the source now holds the join's member entry too */
	rc = bench_entries_of(src, &src_n);
	cu.expect = src_n;
	for (double t_last = bench_now(); rc == 0 && bench_now() - t0 < T_CATCHUP; usleep(T_POLL_US)) {
		uint64_t before = got;

		rc = status_entries(&c, &got);
		if (rc != 0 || got >= src_n)
			break;
		if (got != before)
			t_last = bench_now();
		else if (bench_now() - t_last > T_STALL) {
			cu.stalled = true;
			break;
		}
	}
	cu.total_s = bench_now() - t0;
	cu.got = got;
	if (rc != 0)
		bench_fail("status during catch-up", c.why);
	client_close(&c);
	if (rc != 0)
		return rc;
	cu.src_hwm = bench_proc_kib(ds->pid, "VmHWM");
	cu.dst_hwm = bench_proc_kib(dd->pid, "VmHWM");
	cu.wire_in = peer_bytes_in(dst);
	if (got < src_n) {
		char msg[160];

		snprintf(msg, sizeof msg, "fresh node has %llu of %llu entries after %.1f s%s",
			 (unsigned long long)got, (unsigned long long)src_n, cu.total_s,
			 cu.stalled ? " (no progress for 5 s: stalled)" : "");
		bench_fail("catch-up", msg);
	}
	cu.ok = got >= src_n;
	/* idle: nothing to send, nothing to store */
	usleep((useconds_t)(T_IDLE * 1e6));
	cu.src_idle = bench_proc_kib(ds->pid, "VmRSS");
	cu.dst_idle = bench_proc_kib(dd->pid, "VmRSS");
	cu.src_hwm_idle = bench_proc_kib(ds->pid, "VmHWM");
	printf("catch-up %s: %llu entries in %.2f s; handshakes next\n", cu.ok ? "done" : "FAILED",
	       (unsigned long long)got, cu.total_s);
	fflush(stdout);
	/* stop the fresh node first: the source then only serves handshakes */
	daemon_stop(dd);
	rc = bench_handshakes(ds->port);
	daemon_stop(ds);
	return cu.ok ? rc : PAKT_EIO;
}

/* ---- 2. live latency along a chain ---- */

static double lat_b[N_LIVE_MAX], lat_e[N_LIVE_MAX], lat_hop[N_LIVE_MAX], lat_ack[N_LIVE_MAX],
	lat_ab[N_LIVE_MAX];
static size_t n_lat, n_live = N_LIVE;
static bool live_only;
static unsigned long live_mismatch;

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, dcmp);
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

/* Outbound connected links and inbound connected sessions of a node, from
 * `pakt peer list --json`; out_addr gets the one outbound address. */
static int chain_shape(const char *dir, int *out_conn, int *out_total, int *in_conn,
		       char *out_addr, size_t cap)
{
	char json[16384], *p;

	*out_conn = *out_total = *in_conn = 0;
	out_addr[0] = '\0';
	if (bench_pakt(dir, json, sizeof json, "peer", "list", "--json", NULL) != 0)
		return PAKT_EIO;
	for (p = strstr(json, "{\"address\":"); p; p = strstr(p + 1, "{\"address\":")) {
		char *end = strchr(p, '}');
		char obj[1024];
		bool conn, inb;

		if (end == NULL)
			break;
		snprintf(obj, sizeof obj, "%.*s", (int)(end - p), p);
		conn = strstr(obj, "\"connected\":true") != NULL;
		inb = strstr(obj, "\"inbound\":true") != NULL;
		if (inb) {
			*in_conn += conn;
		} else {
			char *a = obj + strlen("{\"address\":\""), *q = strchr(a, '"');

			(*out_total)++;
			*out_conn += conn;
			if (q)
				snprintf(out_addr, cap, "%.*s", (int)(q - a), a);
		}
	}
	return 0;
}

static int live_posts(const char *a_dir, const char *b_dir, const char *e_dir,
		      const uint8_t a_pk[32])
{
	static struct ctlop_req req;
	struct client post, tb, te;
	char text[BODY_TEXT_LEN + 1];
	double t_start = bench_now();
	int rc;

	memset(&post, 0, sizeof post);
	memset(&tb, 0, sizeof tb);
	memset(&te, 0, sizeof te);
	post.fd = tb.fd = te.fd = -1;
	if ((rc = bench_tail_open(&tb, b_dir)) != 0 || (rc = bench_tail_open(&te, e_dir)) != 0 ||
	    (rc = bench_ctl_connect(&post, a_dir)) != 0) {
		client_close(&tb);
		client_close(&te);
		client_close(&post);
		return rc;
	}
	usleep(100000);    /* both streams registered before the first post */
	memset(text, 'l', BODY_TEXT_LEN);
	text[BODY_TEXT_LEN] = '\0';
	bench_req_post(&req, text);
	for (size_t i = 0; i < n_live && bench_now() - t_start < T_LIVE * (double)n_live / N_LIVE &&
	     rc == 0; i++) {
		double t0, tack = 0, tbb = 0, tee = 0;
		uint64_t seq = 0, sb = 0, se = 0;

		t0 = bench_now();
		rc = client_send(&post, &req);
		while (rc == 0 && (tack == 0 || tbb == 0 || tee == 0)) {
			struct pollfd pf[3] = {
				{.fd = post.fd, .events = POLLIN},
				{.fd = tb.fd, .events = POLLIN},
				{.fd = te.fd, .events = POLLIN},
			};
			int pr = poll(pf, 3, T_LIVE_ONE_MS);
			double t = bench_now();

			if (pr < 0 && errno == EINTR)
				continue;
			if (pr <= 0) {
				char msg[128];

				snprintf(msg, sizeof msg, "post %zu not seen within %d ms (ack %d, B %d, E %d)",
					 i, T_LIVE_ONE_MS, tack > 0, tbb > 0, tee > 0);
				bench_fail("live", msg);
				rc = PAKT_EIO;
				break;
			}
			if (pf[0].revents) {
				struct ctlop_r_entry ack = {0};

				if ((rc = client_recv(&post, BENCH_RECV_TIMEOUT_MS)) == 0 &&
				    (rc = client_reply_error(&post)) == 0 &&
				    (rc = client_reply(&post, CTLOP_R_ENTRY, &ack)) == 0 && ack.seq == 0) {
					snprintf(post.why, sizeof post.why, "post reply without a seq");
					rc = PAKT_EPROTO;
				}
				seq = ack.seq;
				ctlop_reply_free(CTLOP_R_ENTRY, &ack);
				if (rc != 0) {
					bench_fail("post", post.why);
					break;
				}
				tack = t;
			}
			for (int k = 1; k < 3 && rc == 0; k++) {
				struct client *c = k == 1 ? &tb : &te;
				uint64_t s;

				if (!pf[k].revents)
					continue;
				if ((rc = client_recv(c, BENCH_RECV_TIMEOUT_MS)) != 0) {
					bench_fail("tail stream", c->why);
					break;
				}
				s = bench_stream_seq(c, a_pk, NULL);
				if (s == UINT64_MAX) {
					rc = PAKT_EPROTO;
				} else if (s != 0 && k == 1 && tbb == 0) {
					tbb = t;
					sb = s;
				} else if (s != 0 && k == 2 && tee == 0) {
					tee = t;
					se = s;
				}
			}
		}
		if (rc != 0)
			break;
		if (sb != seq || se != seq)
			live_mismatch++;
		lat_ack[n_lat] = (tack - t0) * 1e3;
		lat_b[n_lat] = (tbb - t0) * 1e3;
		lat_e[n_lat] = (tee - t0) * 1e3;
		lat_ab[n_lat] = (tbb - tack) * 1e3;
		lat_hop[n_lat] = (tee - tbb) * 1e3 / (N_CHAIN - 2);
		n_lat++;
	}
	client_close(&tb);
	client_close(&te);
	client_close(&post);
	return rc;
}

static int bench_chain(const char *paktd)
{
	char dirs[N_CHAIN][300], code[1200], kpath[340], why[256];
	struct bench_daemon *d[N_CHAIN] = {0};
	uint8_t a_pk[32];
	uint64_t counts[N_CHAIN];
	double t0;
	int rc = 0;

	for (int i = 0; i < N_CHAIN && rc == 0; i++) {
		char name[16];

		snprintf(dirs[i], sizeof dirs[i], "%s/chain%c", root, 'A' + i);
		snprintf(name, sizeof name, "node %c", 'A' + i);
		rc = node_init(dirs[i], name);
	}
	for (int i = 0; i < N_CHAIN && rc == 0; i++)
		if ((d[i] = daemon_start(paktd, dirs[i])) == NULL)
			rc = PAKT_EIO;
	if (rc != 0)
		return rc;
	snprintf(kpath, sizeof kpath, "%s/identity.key", dirs[0]);
	if ((rc = keyfile_read_public(kpath, a_pk, NULL, why, sizeof why)) != 0) {
		bench_fail("keyfile_read_public", why);
		return rc;
	}
	if (bench_pakt(dirs[0], NULL, 0, "initiative", "create", "chain", NULL) != 0) {
		bench_fail("pakt initiative create", dirs[0]);
		return PAKT_EIO;
	}
	/* everyone joins A */
	for (int i = 1; i < N_CHAIN; i++) {
		if (bench_pakt(dirs[0], code, sizeof code, "invite", NULL, NULL, NULL) != 0 ||
		    strncmp(code, "pi_", 3) != 0) {
			bench_fail("pakt invite", dirs[0]);
			return PAKT_EIO;
		}
		code[strcspn(code, "\r\n")] = '\0';
		if (bench_pakt(dirs[i], NULL, 0, "join", code, NULL, NULL) != 0) {
			bench_fail("pakt join", dirs[i]);
			return PAKT_EIO;
		}
	}
	/* every member entry everywhere before anyone dials a non-inviter */
	for (t0 = bench_now(); ; usleep(T_POLL_US)) {
		bool same = true;

		for (int i = 0; i < N_CHAIN && rc == 0; i++) {
			rc = bench_entries_of(dirs[i], &counts[i]);
			same = same && counts[i] == counts[0];
		}
		if (rc != 0)
			return rc;
		if (same)
			break;
		if (bench_now() - t0 > T_CONVERGE) {
			bench_fail("chain", "members did not reach every node in time");
			return PAKT_EIO;
		}
	}
	/* rewire C, D, E: drop A, dial the previous node */
	for (int i = 2; i < N_CHAIN; i++) {
		if (bench_pakt(dirs[i], NULL, 0, "peer", "remove", d[0]->addr, NULL) != 0 ||
		    bench_pakt(dirs[i], NULL, 0, "peer", "add", d[i - 1]->addr, NULL) != 0) {
			bench_fail("rewiring the chain", dirs[i]);
			return PAKT_EIO;
		}
	}
	/* A-B-C-D-E: each joiner has one outbound link, connected, to its
	 * left neighbour; every node but E has one inbound session. */
	for (t0 = bench_now(); ; usleep(100000)) {
		bool ok = true;

		for (int i = 0; i < N_CHAIN && rc == 0; i++) {
			int oc, ot, ic;
			char addr[64];

			rc = chain_shape(dirs[i], &oc, &ot, &ic, addr, sizeof addr);
			if (i == 0)
				ok = ok && ot == 0 && ic == 1;
			else
				ok = ok && ot == 1 && oc == 1 && strcmp(addr, d[i - 1]->addr) == 0 &&
				     ic == (i < N_CHAIN - 1);
		}
		if (rc != 0) {
			bench_fail("pakt peer list", "failed");
			return rc;
		}
		if (ok)
			break;
		if (bench_now() - t0 > T_CONVERGE) {
			bench_fail("chain", "peer list never showed A-B-C-D-E");
			return PAKT_EIO;
		}
	}
	printf("chain A-B-C-D-E checked with pakt peer list --json; %zu posts next\n", n_live);
	fflush(stdout);
	rc = live_posts(dirs[0], dirs[1], dirs[N_CHAIN - 1], a_pk);
	for (int i = N_CHAIN - 1; i >= 0; i--)
		daemon_stop(d[i]);
	return rc;
}

/* ---- report ---- */

static const char *met(bool ok)
{
	return ok ? "met" : "MISSED";
}

static void report(void)
{
	double vr = bench_raw_verify_rate(&raw), sr = bench_raw_sign_rate(&raw);
	char a[32], b[32];

	bench_json_put("raw_verify_per_s", vr);
	bench_json_put("raw_sign_per_s", sr);
	bench_table_head(52, 8, "vs raw verify, same run");
	bench_table_cells(52, 8, "Ed25519 verify (300 B)", raw.verify_total_n, vr);
	printf("verifications/s\n");
	bench_table_cells(52, 8, "Ed25519 sign (300 B)", raw.sign_total_n, sr);
	printf("signatures/s\n");
	if (hs_crypto_n) {
		double r = (double)hs_crypto_n / hs_crypto_s;

		bench_table_cells(52, 8, "Noise XX, both sides in-process (crypto only)", hs_crypto_n, r);
		printf("handshakes/s = %.2fx raw verify rate\n", r / vr);
	}
	if (cu.filled) {
		double r = (double)cu.filled / cu.fill_s;

		bench_table_cells(52, 8, "fill source store directly (sign + batch append)", cu.filled, r);
		printf("entries/s = %.2fx (sign-bound)\n", r / vr);
	}
	if (cu.ok) {
		double r = (double)cu.got / cu.total_s;

		bench_table_cells(52, 8, "catch-up over loopback, join to last entry", cu.got, r);
		printf("entries/s = %.2fx raw verify rate\n", r / vr);
	}
	if (hs_n) {
		double r = (double)hs_n / hs_s;

		bench_table_cells(52, 8, "handshakes, sequential TCP to paktd (real path)", hs_n, r);
		printf("handshakes/s = %.2fx raw verify rate\n", r / vr);
	}

	printf("\n%-52s %-30s %-14s %s\n", "figure", "measured", "target", "");
	if (cu.total_s > 0) {
		double r = (double)cu.got / cu.total_s;

		if (cu.ok)
			snprintf(b, sizeof b, "%s entries/s", bench_commas(r, a, sizeof a));
		else
			snprintf(b, sizeof b, "%s", cu.stalled ? "STALLED" : "INCOMPLETE");
		printf("%-52s %-30s %-14s %s\n", "catch-up rate (20 feeds x 10,000, 299 B bodies)", b,
		       ">= 50,000/s", met(cu.ok && r >= TARGET_CATCHUP));
		if (!cu.ok)
			printf("  the fresh node got %llu of %llu entries (%.1f MB on the wire) in %.1f s%s\n",
			       (unsigned long long)cu.got, (unsigned long long)cu.expect,
			       (double)cu.wire_in / 1e6, cu.total_s,
			       cu.stalled ? ", the last 5 s without progress" : "");
		else
			printf("%-52s %.1f MB/s of entries, %.1f MB/s on the wire\n", "catch-up throughput",
			       (double)cu.fill_bytes / 1e6 / cu.total_s,
			       (double)cu.wire_in / 1e6 / cu.total_s);
		if (cu.got) {
			double per = (double)cu.wire_in / (double)cu.got;

			snprintf(b, sizeof b, "%.0f B per 299 B body", per);
			printf("%-52s %-30s %-14s %s\n", "bytes on the wire per entry (catch-up)", b,
			       "<= 420 B", met(per <= TARGET_WIRE_PER_ENTRY));
			bench_json_put("wire_bytes_per_entry", per);
		}
		if (cu.ok)
			bench_json_put("catchup_entries_per_s", r);
		bench_json_put("peak_rss_kib", (double)(cu.src_hwm > cu.dst_hwm ? cu.src_hwm : cu.dst_hwm));
		bench_json_put("idle_rss_kib", (double)cu.src_idle);
		printf("%-52s %s entries/s (2 cores x raw verify rate)\n",
		       "  ceiling if every signature is verified on receipt", bench_commas(2 * vr, a, sizeof a));
		printf("%-52s %.0f ms (join to last entry: %.2f s)\n", "`pakt join` (process start to exit)",
		       cu.join_s * 1e3, cu.total_s);
		printf("%-52s source %.1f MiB, fresh %.1f MiB\n", "peak RSS during catch-up (VmHWM)",
		       cu.src_hwm / 1024.0, cu.dst_hwm / 1024.0);
		printf("%-52s %-30s %-14s %s\n", "idle source paktd after catch-up (VmRSS)",
		       (snprintf(b, sizeof b, "%.1f MiB", cu.src_idle / 1024.0), b), "< 10 MiB",
		       met(cu.src_idle > 0 && cu.src_idle < TARGET_IDLE_KIB));
		printf("%-52s %.1f MiB\n", "idle fresh paktd after catch-up (VmRSS)", cu.dst_idle / 1024.0);
	}
	if (n_lat) {
		double ack50 = pct(lat_ack, n_lat, .5), ack99 = pct(lat_ack, n_lat, .99);
		double b50 = pct(lat_b, n_lat, .5), b99 = pct(lat_b, n_lat, .99);
		double e50 = pct(lat_e, n_lat, .5), e99 = pct(lat_e, n_lat, .99);
		double h50 = pct(lat_hop, n_lat, .5), h99 = pct(lat_hop, n_lat, .99);
		double ab50 = pct(lat_ab, n_lat, .5), ab99 = pct(lat_ab, n_lat, .99);
		char m[64];

		printf("%-52s p50 %.2f ms, p99 %.2f ms (%zu posts)\n", "post acknowledged by A (durable)",
		       ack50, ack99, n_lat);
		snprintf(m, sizeof m, "p50 %.2f / p99 %.2f ms", b50, b99);
		printf("%-52s %-30s %-14s %s\n", "live, post on A -> tail -f on B (1 hop)", m,
		       "<1 / <5 ms", met(b50 < TARGET_P50_MS && b99 < TARGET_P99_MS));
		snprintf(m, sizeof m, "p50 %.2f / p99 %.2f ms", ab50, ab99);
		printf("%-52s %s\n", "live, A's ack -> tail -f on B (may be < 0)", m);
		snprintf(m, sizeof m, "p50 %.2f / p99 %.2f ms", e50, e99);
		printf("%-52s %s\n", "live, post on A -> tail -f on E (4 hops)", m);
		snprintf(m, sizeof m, "p50 %.2f / p99 %.2f ms", h50, h99);
		printf("%-52s %-30s %-14s %s\n", "live, per relay hop ((E - B) / 3)", m, "<1 / <5 ms",
		       met(h50 < TARGET_P50_MS && h99 < TARGET_P99_MS));
		bench_json_put("live_p50_ms", b50);
		bench_json_put("live_p99_ms", b99);
		bench_json_put("hop_p50_ms", h50);
		bench_json_put("hop_p99_ms", h99);
		if (live_mismatch)
			printf("WARNING: %lu posts matched a stream frame of another seq\n", live_mismatch);
	}
	if (hs_n)
		printf("%-52s %.0f/s\n", "handshakes per second (one client, sequential)",
		       (double)hs_n / hs_s);
	bench_raw_print_passes(&raw);
}

/* BENCH_MESH_SAMPLES=FILE: every post's latencies, in ms: ack, B, E. */
static void live_samples(const char *path)
{
	FILE *f = path ? fopen(path, "w") : NULL;

	if (f == NULL)
		return;
	for (size_t i = 0; i < n_lat; i++)
		fprintf(f, "%.3f %.3f %.3f\n", lat_ack[i], lat_b[i], lat_e[i]);
	fclose(f);
}

int main(int argc, char **argv)
{
	double t_start = bench_now();
	int rc;

	rc = bench_setup("bench_mesh", argc, root, sizeof root, "pakt-mesh");
	if (rc != 0)
		return rc;
	bench_pakt_bin = argv[2];
	bench_cleanup_register(dmn, MAX_DAEMONS, root, "BENCH_MESH_KEEP");
	signal(SIGPIPE, SIG_IGN);
	/* BENCH_MESH_LIVE=N: only the chain, with N posts (to profile a hop) */
	if (getenv("BENCH_MESH_LIVE") != NULL) {
		long v = strtol(getenv("BENCH_MESH_LIVE"), NULL, 10);

		live_only = true;
		n_live = v < 1 ? 1 : v > N_LIVE_MAX ? N_LIVE_MAX : (size_t)v;
	}
	alarm(T_WATCHDOG + (unsigned)(T_LIVE * (double)n_live / N_LIVE));

	printf("pakt mesh bench: %ld cores online, temp in %s\n", sysconf(_SC_NPROCESSORS_ONLN), root);
	fflush(stdout);
	if (!live_only) {
		bench_raw();
		bench_hs_crypto();
		rc = bench_catchup(argv[1]);
	}
	for (size_t i = 0; i < n_dmn; i++)
		if (dmn[i].pid > 0)
			daemon_stop(&dmn[i]);
	/* BENCH_MESH_CATCHUP_ONLY=1: no chain (to profile a catch-up) */
	if (getenv("BENCH_MESH_CATCHUP_ONLY") == NULL && bench_chain(argv[1]) != 0)
		rc = rc ? rc : PAKT_EIO;
	for (size_t i = 0; i < n_dmn; i++)
		if (dmn[i].pid > 0)
			daemon_stop(&dmn[i]);
	if (!live_only)
		bench_raw();
	live_samples(getenv("BENCH_MESH_SAMPLES"));   /* before report sorts them */
	report();
	alarm(0);
	bench_cleanup();
	for (int i = 0; i < N_FEEDS; i++)
		keys_free(&authors[i]);
	printf("total %.1f s%s\n", bench_now() - t_start, rc || bench_failed ? ", FAILED" : "");
	return rc || bench_failed ? 1 : 0;
}
