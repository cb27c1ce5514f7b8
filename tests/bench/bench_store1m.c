/* bench_store1m: one initiative of 1,000,000 entries on one node.
 *
 *   The store is written directly with the library before any daemon
 *   starts (as bench_mesh does): genesis, members and the agenda by the
 *   admin (the source's own identity), a profile per author, then mostly
 *   ~300-byte messages by 8 authors, with a collective-impact record woven
 *   in: updates with indicator values, commitments between partners, their
 *   acceptances and statuses, and checkpoints. Two threads sign (authors
 *   split by parity) while this one appends the previous batch. At 900,000
 *   entries the database file is copied to a second node, which is a member.
 *
 *   Then, against targets: the second node catches up the last 100,000 from
 *   the source (entries/s); on the source, process start to exit of
 *   `pakt log --limit 20`, `pakt metrics`, `pakt commitments` (best and
 *   first of a few runs) and `pakt audit`.
 *
 * Usage: bench_store1m PAKTD PAKT. BENCH_STORE1M_N=N builds N entries
 * instead (at least 100,000; the last tenth is caught up). Every loop is
 * bounded; a watchdog alarm stops the run; the temp directory is removed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
#include "tests/bench/bench_util.h"

#define N_DEFAULT 1000000ULL
#define N_AUTHORS 8
#define BATCH 10000
#define BODY_TEXT_LEN 290
#define UPDATE_EVERY 500         /* 2,000 updates per million */
#define COMMIT_EVERY 5000        /* 200 commitments */
#define ACTION_EVERY 200         /* answers and statuses */
#define ACTIONS_MAX 4096
#define COMMITS_MAX 1024
#define RUNS 3

#define T_CATCHUP 60.0
#define T_STALL 10.0
#define T_POLL_US 20000
#define T_WATCHDOG 900

#define TARGET_CATCHUP 30000.0
#define TARGET_LOG_MS 100.0
#define TARGET_METRICS_MS 1000.0
#define TARGET_COMMITMENTS_MS 1000.0
#define TARGET_AUDIT_S 60.0

static struct bench_daemon dmn[2];
static char root[256];

/* ---- the store ---- */

struct author {
	struct keys_identity id;
	uint64_t seq;
	uint8_t head[32];       /* hash of the latest entry signed */
};

struct slot {
	int who;                /* index into authors; -1: the admin */
	char type[16];
	uint64_t seq, ts;
	uint8_t *body;          /* malloc'd, or the shared message body */
	size_t body_len;
	int commit;             /* index into commits, or -1 */
	struct entry e;
};

struct commit_rec {
	uint8_t hash[32];
	int author, parties[2];
};

struct action {
	int commit, who;        /* the commitment, the author index answering */
	const char *type;       /* accept, status */
	const char *state;      /* status: in-progress, fulfilled */
	uint64_t ready;         /* usable from this batch on */
};

struct fill {
	struct store *s;
	struct author admin, au[N_AUTHORS];
	struct slot *cur, *next;        /* batch being appended, being signed */
	size_t n_cur, n_next;
	uint8_t network[32];
	uint8_t *msg_body;
	size_t msg_len;
	struct commit_rec com[COMMITS_MAX];
	size_t n_com;
	struct action act[ACTIONS_MAX];
	size_t act_head, act_tail;
	uint64_t planned, batch, ts;
	int sign_rc[2];
};

static struct author *slot_author(struct fill *f, const struct slot *sl)
{
	return sl->who < 0 ? &f->admin : &f->au[sl->who];
}

static int sign_slot(struct fill *f, struct slot *sl)
{
	struct author *a = slot_author(f, sl);
	struct entry_header h = {.version = ENTRY_VERSION};
	int rc;

	h.has_network = strcmp(sl->type, "genesis") != 0;
	if (h.has_network)
		memcpy(h.network, f->network, 32);
	memcpy(h.author, a->id.pk, 32);
	h.seq = sl->seq;
	h.has_prev = sl->seq > 1;
	memcpy(h.prev, a->head, 32);
	h.timestamp = sl->ts;
	snprintf(h.type, sizeof h.type, "%s", sl->type);
	rc = entry_create(&sl->e, &h, sl->body, sl->body_len, keys_sk_open(&a->id));
	keys_sk_close(&a->id);
	memcpy(a->head, sl->e.hash, 32);
	if (!h.has_network)
		memcpy(f->network, sl->e.hash, 32);
	return rc;
}

struct signer {
	struct fill *f;
	int parity;
};

/* Sign the next batch's entries of the authors of one parity (the admin
 * with parity 0), in order: each feed's chain stays in one thread. */
static void *signer_run(void *arg)
{
	struct signer *sg = arg;
	struct fill *f = sg->f;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < f->n_next; i++) {
		struct slot *sl = &f->next[i];
		int p = sl->who < 0 ? 0 : sl->who % 2;

		if (p == sg->parity)
			rc = sign_slot(f, sl);
	}
	f->sign_rc[sg->parity] = rc;
	return NULL;
}

static int sign_next(struct fill *f)
{
	struct signer sg[2] = {{f, 0}, {f, 1}};
	pthread_t th;
	bool spawned = pthread_create(&th, NULL, signer_run, &sg[1]) == 0;

	signer_run(&sg[0]);
	if (spawned)
		pthread_join(th, NULL);
	else
		signer_run(&sg[1]);
	return f->sign_rc[0] ? f->sign_rc[0] : f->sign_rc[1];
}

static void batch_free(struct fill *f, struct slot *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i].body != f->msg_body)
			free(b[i].body);
}

static int append_batch(struct fill *f, struct slot *b, size_t n)
{
	const struct entry **ptrs = malloc((n + 1) * sizeof *ptrs);
	int rc;

	if (ptrs == NULL)
		return PAKT_ENOMEM;
	for (size_t i = 0; i < n; i++)
		ptrs[i] = &b[i].e;
	rc = store_append(f->s, ptrs, n, 0, NULL);
	if (rc != 0)
		bench_fail("store_append", store_errmsg(f->s));
	free(ptrs);
	return rc;
}

/* The next slot of the batch being planned, by who, with body o's bytes
 * copied (or the shared message body when o is NULL). */
static int plan(struct fill *f, int who, const char *type, const struct mpx_out *o, int rc)
{
	struct slot *sl = &f->next[f->n_next];
	struct author *a;

	if (rc != 0) {
		bench_fail("body", pakt_strerror(rc));
		return rc;
	}
	memset(sl, 0, sizeof *sl);
	sl->who = who;
	sl->commit = -1;
	a = slot_author(f, sl);
	snprintf(sl->type, sizeof sl->type, "%s", type);
	sl->seq = ++a->seq;
	sl->ts = ++f->ts;
	if (o == NULL) {
		sl->body = f->msg_body;
		sl->body_len = f->msg_len;
	} else {
		if ((sl->body = malloc(o->sb.size)) == NULL)
			return PAKT_ENOMEM;
		memcpy(sl->body, o->sb.data, o->sb.size);
		sl->body_len = o->sb.size;
	}
	f->n_next++;
	f->planned++;
	return 0;
}

static const char *const ind_ids[] = {"meals", "families", "volunteers"};

/* genesis, members (the authors, the catching-up node), agenda, profiles. */
static int plan_setup(struct fill *f, const uint8_t other[32])
{
	struct mpx_out o;
	struct body_agenda *ag = calloc(1, sizeof *ag);
	struct body_profile pr = {.sector = "ngo"};
	int rc;

	if (ag == NULL)
		return PAKT_ENOMEM;
	mpx_init(&o);
	rc = plan(f, -1, "genesis", &o, body_genesis(&o, "city partnership", "no family goes hungry",
						     (const uint8_t (*)[32])f->admin.id.pk, 1));
	for (int i = -1; rc == 0 && i <= N_AUTHORS; i++) {
		char name[32];
		const uint8_t *key = i < 0 ? f->admin.id.pk : i < N_AUTHORS ? f->au[i].id.pk : other;

		snprintf(name, sizeof name, i < 0 ? "backbone" : i < N_AUTHORS ? "partner %d" : "auditor", i);
		mpx_reset(&o);
		rc = plan(f, -1, "member", &o, body_member(&o, true, key, name, i < 0));
	}
	snprintf(ag->goal, sizeof ag->goal, "no family in the city goes hungry");
	ag->n = 3;
	for (size_t k = 0; k < ag->n; k++) {
		snprintf(ag->ind[k].id, sizeof ag->ind[k].id, "%s", ind_ids[k]);
		snprintf(ag->ind[k].name, sizeof ag->ind[k].name, "%s served", ind_ids[k]);
		snprintf(ag->ind[k].unit, sizeof ag->ind[k].unit, "%s", ind_ids[k]);
		ag->ind[k].has_target = true;
		ag->ind[k].target = 100000;
	}
	mpx_reset(&o);
	if (rc == 0)
		rc = plan(f, -1, "agenda", &o, body_agenda(&o, ag));
	for (int i = 0; rc == 0 && i < N_AUTHORS; i++) {
		snprintf(pr.name, sizeof pr.name, "Partner %d", i);
		mpx_reset(&o);
		rc = plan(f, i, "profile", &o, body_profile(&o, &pr));
	}
	mpx_free(&o);
	free(ag);
	return rc;
}

static int plan_update(struct fill *f, int who, struct mpx_out *o)
{
	struct body_update u = {.period = "2026-10", .n = 3};

	snprintf(u.text, sizeof u.text, "weekly report %llu", (unsigned long long)f->planned);
	for (size_t k = 0; k < u.n; k++) {
		snprintf(u.v[k].indicator, sizeof u.v[k].indicator, "%s", ind_ids[k]);
		u.v[k].value = (double)(f->planned % 97 + k);
	}
	mpx_reset(o);
	return plan(f, who, "update", o, body_update(o, &u));
}

static int plan_commitment(struct fill *f, int who, struct mpx_out *o)
{
	struct body_commitment c = {.n_parties = 2};
	struct commit_rec *r = &f->com[f->n_com];
	size_t n = f->n_com;
	int rc;

	if (n == COMMITS_MAX || f->act_tail + 4 > ACTIONS_MAX)
		return plan(f, who, "message", NULL, 0);
	snprintf(c.title, sizeof c.title, "deliver %zu food parcels", 100 + n);
	snprintf(c.due, sizeof c.due, n % 3 ? "2026-01-31" : "2027-06-30");
	snprintf(c.indicator, sizeof c.indicator, "meals");
	r->author = who;
	for (int k = 0; k < 2; k++) {
		r->parties[k] = (who + 1 + k) % N_AUTHORS;
		memcpy(c.parties[k], f->au[r->parties[k]].id.pk, 32);
	}
	mpx_reset(o);
	if ((rc = plan(f, who, "commitment", o, body_commitment(o, &c))) != 0)
		return rc;
	f->next[f->n_next - 1].commit = (int)n;
	f->n_com++;
	/* answered from the next batch on, in lifecycle order */
	f->act[f->act_tail++] = (struct action){(int)n, r->parties[0], "accept", NULL, f->batch + 1};
	f->act[f->act_tail++] = (struct action){(int)n, r->parties[1], "accept", NULL, f->batch + 1};
	f->act[f->act_tail++] = (struct action){(int)n, who, "status", "in-progress", f->batch + 1};
	if (n % 4 != 3)
		f->act[f->act_tail++] = (struct action){(int)n, who, "status",
							 n % 2 ? "fulfilled" : "missed", f->batch + 1};
	return 0;
}

static int plan_action(struct fill *f, struct mpx_out *o)
{
	struct action *a = &f->act[f->act_head];

	if (f->act_head == f->act_tail || a->ready > f->batch)
		return plan(f, (int)(f->planned % N_AUTHORS), "message", NULL, 0);
	f->act_head++;
	mpx_reset(o);
	if (strcmp(a->type, "accept") == 0) {
		struct body_ref r = {0};

		memcpy(r.ref, f->com[a->commit].hash, 32);
		return plan(f, a->who, "accept", o, body_ref(o, "accept", &r));
	}
	struct body_status st = {0};

	memcpy(st.ref, f->com[a->commit].hash, 32);
	snprintf(st.state, sizeof st.state, "%s", a->state);
	snprintf(st.note, sizeof st.note, "parcels handed out at the community centre");
	return plan(f, a->who, "status", o, body_status(o, &st));
}

static int plan_checkpoint(struct fill *f, int who, struct mpx_out *o)
{
	struct body_head h[N_AUTHORS + 1];
	size_t n = 0;

	for (int i = -1; i < N_AUTHORS; i++) {
		const struct author *a = i < 0 ? &f->admin : &f->au[i];

		if (a->seq == 0 || i == who)
			continue;
		memcpy(h[n].author, a->id.pk, 32);
		h[n].seq = a->seq;
		memcpy(h[n].hash, a->head, 32);
		n++;
	}
	mpx_reset(o);
	return plan(f, who, "checkpoint", o, body_checkpoint(o, h, n));
}

/* Plan up to BATCH entries (not past total). */
static int plan_batch(struct fill *f, uint64_t total, struct mpx_out *o)
{
	int rc = 0;

	f->n_next = 0;
	while (rc == 0 && f->n_next < BATCH && f->planned < total) {
		uint64_t i = f->planned;
		int who = (int)(i % N_AUTHORS);

		if (f->n_next == 0)
			rc = plan_checkpoint(f, (int)(f->batch % N_AUTHORS), o);
		else if (i % UPDATE_EVERY == 1)
			rc = plan_update(f, who, o);
		else if (i % COMMIT_EVERY == 2)
			rc = plan_commitment(f, who, o);
		else if (i % ACTION_EVERY == 7)
			rc = plan_action(f, o);
		else
			rc = plan(f, who, "message", NULL, 0);
	}
	return rc;
}

static void note_commits(struct fill *f, const struct slot *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i].commit >= 0)
			memcpy(f->com[b[i].commit].hash, b[i].e.hash, 32);
}

/* Fill the store up to total entries, batch by batch: plan, sign (two
 * threads), append in one transaction. */
static int fill_to(struct fill *f, uint64_t total, struct mpx_out *o)
{
	int rc = 0;

	while (rc == 0 && f->planned < total) {
		if ((rc = plan_batch(f, total, o)) != 0 || (rc = sign_next(f)) != 0)
			break;
		note_commits(f, f->next, f->n_next);
		rc = append_batch(f, f->next, f->n_next);
		batch_free(f, f->next, f->n_next);
		f->n_next = 0;
		f->batch++;
	}
	if (rc != 0)
		bench_fail("filling the store", pakt_strerror(rc));
	return rc;
}

static int copy_file(const char *from, const char *to)
{
	char *argv[] = {"/bin/cp", (char *)from, (char *)to, NULL};

	return bench_run(argv, NULL, 0);
}

/* ---- measurements ---- */

struct figures {
	uint64_t n, caught, n_com;
	double fill_s, catchup_s, start_s;
	double log_ms[RUNS], metrics_ms[RUNS], commitments_ms[RUNS], audit_s;
	unsigned long src_rss_kib, src_hwm_kib, kept_rss_kib, start_rss_kib;
	bool audit_ok;
};

static struct figures fig;

/* ms from process start to exit of pakt A0 [A1 A2]; < 0 if it failed. */
static double timed(const char *dir, const char *a0, const char *a1, const char *a2)
{
	static char out[1 << 16];
	double t0 = bench_now();

	if (bench_pakt(dir, out, sizeof out, a0, a1, a2, NULL) != 0) {
		bench_fail(a0, "failed");
		return -1;
	}
	return (bench_now() - t0) * 1e3;
}

static double best(const double *v)
{
	double b = v[0];

	for (size_t i = 1; i < RUNS; i++)
		if (v[i] < b)
			b = v[i];
	return b;
}

static int catch_up(const char *paktd, const char *src, const char *dst)
{
	char addr[80];
	uint64_t got = 0, before;
	double t0, t_last;
	int rc;

	if (bench_daemon_start(&dmn[1], paktd, dst, "127.0.0.1:0", 10000) != 0)
		return PAKT_EIO;
	(void)src;
	snprintf(addr, sizeof addr, "%s", dmn[0].addr);
	t0 = t_last = bench_now();
	if ((rc = bench_pakt(dst, NULL, 0, "peer", "add", addr, NULL)) != 0) {
		bench_fail("pakt peer add", addr);
		return rc;
	}
	while (bench_now() - t0 < T_CATCHUP) {
		before = got;
		if ((rc = bench_entries_of(dst, &got)) != 0 || got >= fig.n)
			break;
		if (got != before)
			t_last = bench_now();
		else if (bench_now() - t_last > T_STALL)
			break;
		usleep(T_POLL_US);
	}
	fig.catchup_s = bench_now() - t0;
	fig.caught = got >= fig.n / 10 * 9 ? got - fig.n / 10 * 9 : 0;
	if (got < fig.n) {
		char msg[128];

		snprintf(msg, sizeof msg, "the copy holds %llu of %llu entries after %.1f s",
			 (unsigned long long)got, (unsigned long long)fig.n, fig.catchup_s);
		bench_fail("catch-up", msg);
		rc = PAKT_EIO;
	}
	if (bench_daemon_stop(&dmn[1]) != 0 && rc == 0)
		rc = PAKT_EIO;
	return rc;
}

static int measure_cli(const char *src)
{
	double t0;

	for (int i = 0; i < RUNS; i++) {
		fig.log_ms[i] = timed(src, "log", "--limit", "20");
		fig.metrics_ms[i] = timed(src, "metrics", NULL, NULL);
		fig.commitments_ms[i] = timed(src, "commitments", NULL, NULL);
		if (fig.log_ms[i] < 0 || fig.metrics_ms[i] < 0 || fig.commitments_ms[i] < 0)
			return PAKT_EIO;
	}
	/* the kept ledger is built by now: what the daemon holds with it */
	fig.kept_rss_kib = bench_proc_kib(dmn[0].pid, "VmRSS");
	t0 = bench_now();
	/* exit 1: the audit found something; the run itself worked */
	fig.audit_ok = bench_pakt(src, NULL, 0, "audit", NULL, NULL) == 0;
	fig.audit_s = bench_now() - t0;
	fig.src_rss_kib = bench_proc_kib(dmn[0].pid, "VmRSS");
	fig.src_hwm_kib = bench_proc_kib(dmn[0].pid, "VmHWM");
	return 0;
}

static const char *met(bool ok)
{
	return ok ? "met" : "MISSED";
}

static void report(void)
{
	double cu = fig.catchup_s > 0 ? (double)fig.caught / fig.catchup_s : 0;
	double lg = best(fig.log_ms), me = best(fig.metrics_ms), co = best(fig.commitments_ms);
	char a[32], b[32];

	printf("\nstore of %s entries, one initiative (%d authors, %llu commitments)\n",
	       bench_commas((double)fig.n, a, sizeof a), N_AUTHORS, (unsigned long long)fig.n_com);
	printf("  filled directly (2 signing threads + batch append): %.1f s, %s entries/s\n", fig.fill_s,
	       bench_commas((double)fig.n / fig.fill_s, b, sizeof b));
	printf("  paktd start to control socket:                      %.2f s\n", fig.start_s);
	printf("  catch-up of the last %s:      %s entries/s   target >= %s/s: %s\n",
	       bench_commas((double)fig.n / 10, a, sizeof a), bench_commas(cu, b, sizeof b),
	       "30,000", met(cu >= TARGET_CATCHUP));
	printf("  pakt log --limit 20:       best %7.1f ms, first %7.1f ms   target < 100 ms: %s\n", lg,
	       fig.log_ms[0], met(lg < TARGET_LOG_MS));
	printf("  pakt metrics:              best %7.1f ms, first %7.1f ms   target < 1 s: %s\n", me,
	       fig.metrics_ms[0], met(me < TARGET_METRICS_MS));
	printf("  pakt commitments:          best %7.1f ms, first %7.1f ms   target < 1 s: %s\n", co,
	       fig.commitments_ms[0], met(co < TARGET_COMMITMENTS_MS));
	printf("  pakt audit:                %.1f s%s   target < 60 s: %s\n", fig.audit_s,
	       fig.audit_ok ? "" : " (reported problems)", met(fig.audit_s < TARGET_AUDIT_S));
	printf("  source paktd RSS: %lu KiB at start, %lu KiB with the kept ledger (log, metrics,\n"
	       "    commitments), %lu KiB after the audit (peak %lu KiB)\n", fig.start_rss_kib,
	       fig.kept_rss_kib, fig.src_rss_kib, fig.src_hwm_kib);
	bench_json_put("store1m_catchup_per_s", cu);
	bench_json_put("store1m_log_ms", lg);
	bench_json_put("store1m_metrics_ms", me);
	bench_json_put("store1m_commitments_ms", co);
	bench_json_put("store1m_audit_s", fig.audit_s);
	bench_json_put("store1m_kept_rss_kib", (double)fig.kept_rss_kib);
}

static int run(const char *paktd)
{
	char src[300], dst[300], path[340], copy[340], why[256];
	struct fill *f = calloc(1, sizeof *f);
	struct mpx_out o;
	char text[BODY_TEXT_LEN + 1];
	struct keys_identity other = {0};
	struct timespec now;
	double t0;
	int rc;

	if (f == NULL)
		return PAKT_ENOMEM;
	f->next = calloc(BATCH, sizeof *f->next);
	mpx_init(&o);
	snprintf(src, sizeof src, "%s/src", root);
	snprintf(dst, sizeof dst, "%s/dst", root);
	rc = f->next ? 0 : PAKT_ENOMEM;
	if (rc == 0 && (bench_pakt(src, NULL, 0, "init", "--name", "source", NULL) != 0 ||
			bench_pakt(dst, NULL, 0, "init", "--name", "auditor", NULL) != 0)) {
		bench_fail("pakt init", root);
		rc = PAKT_EIO;
	}
	snprintf(path, sizeof path, "%s/identity.key", src);
	if (rc == 0 && (rc = keyfile_read(path, NULL, &f->admin.id, why, sizeof why)) != 0)
		bench_fail("keyfile_read", why);
	snprintf(path, sizeof path, "%s/identity.key", dst);
	if (rc == 0 && (rc = keyfile_read(path, NULL, &other, why, sizeof why)) != 0)
		bench_fail("keyfile_read", why);
	for (int i = 0; rc == 0 && i < N_AUTHORS; i++)
		rc = keys_generate(&f->au[i].id);
	memset(text, 'm', BODY_TEXT_LEN);
	text[BODY_TEXT_LEN] = '\0';
	if (rc == 0 && (rc = body_message(&o, text, NULL)) == 0) {
		f->msg_len = o.sb.size;
		f->msg_body = malloc(f->msg_len);
		rc = f->msg_body ? 0 : PAKT_ENOMEM;
		if (rc == 0)
			memcpy(f->msg_body, o.sb.data, f->msg_len);
	}
	snprintf(path, sizeof path, "%s/pakt.db", src);
	snprintf(copy, sizeof copy, "%s/pakt.db", dst);
	if (rc == 0 && (rc = store_open(&f->s, path, false, why, sizeof why)) != 0)
		bench_fail("store_open", why);
	clock_gettime(CLOCK_REALTIME, &now);
	/* one ms apart, ending now: timestamps in the past, in order */
	f->ts = (uint64_t)now.tv_sec * 1000 - fig.n - 1000;
	t0 = bench_now();
	/* one thread: every setup entry names the genesis signed first */
	if (rc == 0 && (rc = plan_setup(f, other.pk)) == 0) {
		struct signer sg[2] = {{f, 0}, {f, 1}};

		signer_run(&sg[0]);
		signer_run(&sg[1]);
		rc = f->sign_rc[0] ? f->sign_rc[0] : f->sign_rc[1];
		if (rc == 0)
			rc = append_batch(f, f->next, f->n_next);
		batch_free(f, f->next, f->n_next);
		f->n_next = 0;
	}
	if (rc == 0)
		rc = fill_to(f, fig.n / 10 * 9, &o);
	store_close(f->s);
	f->s = NULL;
	if (rc == 0 && (rc = copy_file(path, copy)) != 0)
		bench_fail("copying the store", copy);
	if (rc == 0 && (rc = store_open(&f->s, path, false, why, sizeof why)) != 0)
		bench_fail("store_open", why);
	if (rc == 0)
		rc = fill_to(f, fig.n, &o);
	store_close(f->s);
	fig.fill_s = bench_now() - t0;
	printf("store filled: %llu entries in %.1f s (%llu commitments, %zu answers and statuses)\n",
	       (unsigned long long)f->planned, fig.fill_s, (unsigned long long)f->n_com, f->act_head);
	fflush(stdout);
	fig.n = f->planned;
	fig.n_com = f->n_com;
	for (int i = 0; i < N_AUTHORS; i++)
		keys_free(&f->au[i].id);
	keys_free(&f->admin.id);
	keys_free(&other);
	free(f->msg_body);
	free(f->next);
	free(f);
	mpx_free(&o);
	if (rc != 0)
		return rc;

	t0 = bench_now();
	if (bench_daemon_start(&dmn[0], paktd, src, "127.0.0.1:0", 10000) != 0)
		return PAKT_EIO;
	fig.start_s = bench_now() - t0;
	fig.start_rss_kib = bench_proc_kib(dmn[0].pid, "VmRSS");
	if ((rc = measure_cli(src)) != 0)
		return rc;
	return catch_up(paktd, src, dst);
}

int main(int argc, char **argv)
{
	const char *n_env = getenv("BENCH_STORE1M_N");
	int rc = bench_setup("bench_store1m", argc, root, sizeof root, "pakt-bench-store1m");

	if (rc != 0 || root[0] == '\0')
		return rc ? rc : 1;
	bench_pakt_bin = argv[2];
	fig.n = n_env ? strtoull(n_env, NULL, 10) : N_DEFAULT;
	if (fig.n < 100000)
		fig.n = 100000;
	bench_cleanup_register(dmn, 2, root, "BENCH_STORE1M_KEEP");
	alarm(T_WATCHDOG);
	rc = run(argv[1]);
	report();
	bench_cleanup();
	return rc != 0 || bench_failed ? 1 : 0;
}
