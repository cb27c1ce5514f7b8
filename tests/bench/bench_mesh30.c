/* bench_mesh30: a 30-daemon mesh on 127.0.0.1, each daemon dialling 4
 * random members (seeded, so every run has the same graph); after warm-up
 * posts (the broadcast trees settle), 50 posts from random nodes: the time
 * for each to reach all 30 (tail streams on every node, read here;
 * CLOCK_MONOTONIC from the post request to the last node's stream row),
 * p50 and p99; and the bytes moved per post relative to the minimum, 29 x
 * the entry's wire size:
 *   - bytes ratio: the bytes every node received on its peer links
 *     (`pakt peer list` bytes_in: frames, encryption, entries, `have`
 *     notes, clocks) during the 50 posts, over 50 x 29 x entry size;
 *   - entries ratio: entries received (entries_in) over 50 x 29.
 * Posts are 150 ms apart, so that the notes of one post are not merged
 * with the next one's (paktd holds notes 50 ms).
 *
 * Usage: bench_mesh30 PAKTD PAKT. Every loop stops at a count or a time
 * limit; a watchdog alarm stops the whole run. Temp data in a fresh
 * directory under $TMPDIR, removed at the end. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli/client.h"
#include "keys/keyfile.h"
#include "proto/entry.h"
#include "proto/err.h"
#include "tests/bench/bench_util.h"

#define N_NODES 30
#define N_DIAL 4
#define N_WARM 2                 /* warm-up posts per node */
#define N_POSTS 50
#define TEXT_LEN 290             /* as bench_mesh: a ~300-byte body */
#define T_CONVERGE 60.0
#define T_POST_MS 5000           /* one post must reach every node within */
#define T_GAP_MS 150             /* between posts: longer than paktd's note delay */
#define T_WATCHDOG 300
#define TARGET_P50_MS 500.0
#define TARGET_P99_MS 1000.0
#define TARGET_BYTES 1.5

static struct bench_daemon dmn[N_NODES];
static char dirs[N_NODES][300];
static uint8_t pks[N_NODES][32];
static char root[256];

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Wait until every node stores as many entries as the first (at least min). */
static int converge(uint64_t min, const char *what)
{
	double t0 = bench_now();

	for (;;) {
		uint64_t c0 = 0, c;
		bool same = true;
		int rc = bench_entries_of(dirs[0], &c0);

		for (int i = 1; i < N_NODES && rc == 0 && same; i++)
			same = (rc = bench_entries_of(dirs[i], &c)) == 0 && c == c0;
		if (rc != 0)
			return rc;
		if (same && c0 >= min)
			return 0;
		if (bench_now() - t0 > T_CONVERGE) {
			bench_fail(what, "the nodes did not converge in time");
			return PAKT_EIO;
		}
		usleep(200000);
	}
}

/* Sums over every node's sessions (peer.list). */
static int links_sum(uint64_t *bytes_in, uint64_t *entries_in, unsigned *live_min)
{
	static const struct ctlop_req req = {.op = CTLOP_PEER_LIST};

	*bytes_in = *entries_in = 0;
	*live_min = ~0u;
	for (int i = 0; i < N_NODES; i++) {
		struct ctlop_r_peers r = {0};
		struct client c;
		unsigned live = 0;
		int rc = bench_ctl_connect(&c, dirs[i]);

		if (rc == 0)
			rc = bench_ctl_call(&c, &req, CTLOP_R_PEERS, &r);
		for (size_t k = 0; rc == 0 && k < r.n_peers; k++) {
			*bytes_in += r.peers[k].bytes_in;
			*entries_in += r.peers[k].entries_in;
			live += r.peers[k].connected;
		}
		ctlop_reply_free(CTLOP_R_PEERS, &r);
		client_close(&c);
		if (rc != 0)
			return rc;
		if (live < *live_min)
			*live_min = live;
	}
	return 0;
}

static int setup_mesh(const char *paktd)
{
	char code[1200], kpath[340], why[256];
	int rc = 0;

	for (int i = 0; i < N_NODES && rc == 0; i++) {
		char name[16];

		snprintf(dirs[i], sizeof dirs[i], "%s/n%02d", root, i);
		snprintf(name, sizeof name, "node %d", i);
		if (bench_pakt(dirs[i], NULL, 0, "init", "--name", name, NULL) != 0) {
			bench_fail("pakt init", dirs[i]);
			return PAKT_EIO;
		}
		snprintf(kpath, sizeof kpath, "%.300s/identity.key", dirs[i]);
		if ((rc = keyfile_read_public(kpath, pks[i], NULL, why, sizeof why)) != 0) {
			bench_fail("keyfile_read_public", why);
			return rc;
		}
		rc = bench_daemon_start(&dmn[i], paktd, dirs[i], "127.0.0.1:0", 10000);
	}
	if (rc != 0)
		return rc;
	if (bench_pakt(dirs[0], NULL, 0, "initiative", "create", "mesh30", NULL) != 0) {
		bench_fail("pakt initiative create", dirs[0]);
		return PAKT_EIO;
	}
	for (int i = 1; i < N_NODES; i++) {
		if (bench_pakt(dirs[0], code, sizeof code, "invite", NULL, NULL) != 0 ||
		    strncmp(code, "pi_", 3) != 0) {
			bench_fail("pakt invite", dirs[0]);
			return PAKT_EIO;
		}
		code[strcspn(code, "\r\n")] = '\0';
		if (bench_pakt(dirs[i], NULL, 0, "join", code, NULL) != 0) {
			bench_fail("pakt join", dirs[i]);
			return PAKT_EIO;
		}
	}
	if ((rc = converge(N_NODES, "members")) != 0)
		return rc;
	/* each node dials 4 random others; the joiners drop their link to
	 * node 0 unless they drew it */
	for (int i = 0; i < N_NODES; i++) {
		int pick[N_DIAL], k = 0;
		bool drew0 = false;

		while (k < N_DIAL) {
			int j = (int)rnd(N_NODES), dup = j == i;

			for (int m = 0; m < k; m++)
				dup |= pick[m] == j;
			if (!dup)
				pick[k++] = j;
		}
		for (int m = 0; m < k; m++)
			drew0 |= pick[m] == 0;
		if (i > 0 && !drew0 && bench_pakt(dirs[i], NULL, 0, "peer", "remove", dmn[0].addr, NULL) != 0) {
			bench_fail("pakt peer remove", dirs[i]);
			return PAKT_EIO;
		}
		for (int m = 0; m < k; m++)
			if (!(i > 0 && pick[m] == 0) &&
			    bench_pakt(dirs[i], NULL, 0, "peer", "add", dmn[pick[m]].addr, NULL) != 0) {
				bench_fail("pakt peer add", dirs[i]);
				return PAKT_EIO;
			}
	}
	return 0;
}

static double lat[N_POSTS];
static size_t n_lat, entry_len;

/* One post from node r: ms until every node's stream showed it. */
static int post_once(struct client *tails, int r, const struct ctlop_req *req, double *ms)
{
	struct client post;
	struct ctlop_r_entry ack = {0};
	bool seen[N_NODES] = {0};
	int left = N_NODES, rc;
	double t0 = bench_now();
	uint64_t seq;

	if ((rc = bench_ctl_connect(&post, dirs[r])) == 0)
		rc = bench_ctl_call(&post, req, CTLOP_R_ENTRY, &ack);
	seq = ack.seq;
	ctlop_reply_free(CTLOP_R_ENTRY, &ack);
	client_close(&post);
	if (rc != 0)
		return rc;
	while (left > 0) {
		struct pollfd pf[N_NODES];
		int pr;

		for (int i = 0; i < N_NODES; i++)
			pf[i] = (struct pollfd){.fd = seen[i] ? -1 : tails[i].fd, .events = POLLIN};
		pr = poll(pf, N_NODES, T_POST_MS);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0 || (bench_now() - t0) * 1e3 > T_POST_MS) {
			char msg[96];

			snprintf(msg, sizeof msg, "a post of node %d reached %d of %d nodes in %d ms", r,
				 N_NODES - left, N_NODES, T_POST_MS);
			bench_fail("post", msg);
			return PAKT_EIO;
		}
		for (int i = 0; i < N_NODES; i++) {
			uint64_t s;

			if (!pf[i].revents)
				continue;
			if ((rc = client_recv(&tails[i], BENCH_RECV_TIMEOUT_MS)) != 0) {
				bench_fail("tail stream", tails[i].why);
				return rc;
			}
			if ((s = bench_stream_seq(&tails[i], pks[r], &entry_len)) == UINT64_MAX)
				return PAKT_EPROTO;
			if (s >= seq && !seen[i]) {
				seen[i] = true;
				left--;
			}
		}
	}
	*ms = (bench_now() - t0) * 1e3;
	return 0;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	return n ? v[i < n ? i : n - 1] : 0;
}

int main(int argc, char **argv)
{
	static struct client tails[N_NODES];
	static struct ctlop_req req;
	char text[TEXT_LEN + 1];
	uint64_t b0, b1, e0, e1, count;
	unsigned live0, live1;
	double t_start = bench_now(), p50 = 0, p99 = 0, bytes_ratio = 0, entries_ratio = 0;
	int rc;

	rc = bench_setup("bench_mesh30", argc, root, sizeof root, "pakt-mesh30");
	if (rc != 0)
		return rc;
	bench_pakt_bin = argv[2];
	for (int i = 0; i < N_NODES; i++)
		dmn[i].pid = -1;
	bench_cleanup_register(dmn, N_NODES, root, "BENCH_MESH_KEEP");
	signal(SIGPIPE, SIG_IGN);
	alarm(T_WATCHDOG);
	printf("pakt 30-daemon mesh bench: %ld cores online, temp in %s\n",
	       sysconf(_SC_NPROCESSORS_ONLN), root);
	fflush(stdout);
	memset(text, 'm', TEXT_LEN);
	text[TEXT_LEN] = '\0';
	bench_req_post(&req, text);
	rc = setup_mesh(argv[1]);
	/* warm-up: every node posts, the trees settle */
	for (int w = 0; rc == 0 && w < N_WARM; w++)
		for (int i = 0; i < N_NODES && rc == 0; i++)
			if (bench_pakt(dirs[i], NULL, 0, "post", text, NULL) != 0) {
				bench_fail("warm-up post", dirs[i]);
				rc = PAKT_EIO;
			}
	if (rc == 0 && (rc = bench_entries_of(dirs[0], &count)) == 0)
		rc = converge(count, "warm-up");
	usleep(500000);
	for (int i = 0; rc == 0 && i < N_NODES; i++)
		rc = bench_tail_open(&tails[i], dirs[i]);
	usleep(200000);   /* every stream registered before the first post */
	if (rc == 0)
		rc = links_sum(&b0, &e0, &live0);
	for (size_t k = 0; rc == 0 && k < N_POSTS; k++) {
		rc = post_once(tails, (int)rnd(N_NODES), &req, &lat[n_lat]);
		n_lat += rc == 0;
		usleep(T_GAP_MS * 1000);   /* each post's notes go alone */
	}
	if (rc == 0 && (rc = bench_entries_of(dirs[0], &count)) == 0)
		rc = converge(count, "posts");
	usleep(300000);   /* the last notes land */
	if (rc == 0)
		rc = links_sum(&b1, &e1, &live1);
	for (int i = 0; i < N_NODES; i++)
		client_close(&tails[i]);
	alarm(0);
	bench_cleanup();

	if (n_lat > 0) {
		qsort(lat, n_lat, sizeof lat[0], dcmp);
		p50 = pct(lat, n_lat, 0.50);
		p99 = pct(lat, n_lat, 0.99);
	}
	if (rc == 0 && entry_len > 0) {
		double min = (double)N_POSTS * (N_NODES - 1);

		bytes_ratio = (double)(b1 - b0) / (min * (double)entry_len);
		entries_ratio = (double)(e1 - e0) / min;
	}
	printf("\n30 daemons, each dialling %d random members (fewest live links of a node: %u); "
	       "%d posts from random nodes after %d warm-up posts each; entry %zu B on the wire\n",
	       N_DIAL, rc == 0 ? live1 : 0, N_POSTS, N_WARM, entry_len);
	printf("  post reaches all 30, p50   %8.1f ms   target < %.0f ms   %s\n", p50, TARGET_P50_MS,
	       p50 < TARGET_P50_MS && n_lat == N_POSTS ? "met" : "MISSED");
	printf("  post reaches all 30, p99   %8.1f ms   target < %.0f ms   %s\n", p99, TARGET_P99_MS,
	       p99 < TARGET_P99_MS && n_lat == N_POSTS ? "met" : "MISSED");
	printf("  bytes received / (29 x entry)  %5.2f   target < %.1f      %s   (peer list bytes_in: "
	       "entries, notes, clocks, framing)\n", bytes_ratio, TARGET_BYTES,
	       bytes_ratio > 0 && bytes_ratio < TARGET_BYTES ? "met" : "MISSED");
	printf("  entries received / 29          %5.2f   (entries_in: copies of each entry)\n",
	       entries_ratio);
	if (rc == 0 && n_lat == N_POSTS) {
		bench_json_put("mesh30_p50_ms", p50);
		bench_json_put("mesh30_p99_ms", p99);
		bench_json_put("mesh30_bytes_ratio", bytes_ratio);
		bench_json_put("mesh30_entries_ratio", entries_ratio);
	}
	printf("total %.1f s%s\n", bench_now() - t_start, rc || bench_failed ? ", FAILED" : "");
	return rc || bench_failed ? 1 : 0;
}
