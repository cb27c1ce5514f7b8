/* bench_util: see bench_util.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sodium.h>
#include "keys/keys.h"
#include "proto/entry.h"
#include "proto/err.h"
#include "tests/bench/bench_util.h"

const char *bench_name = "bench";
bool bench_failed;

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bench_fail(const char *what, const char *why)
{
	fprintf(stderr, "%s: %s: %s\n", bench_name, what, why);
	bench_failed = true;
}

const char *bench_commas(double v, char *out, size_t cap)
{
	char digits[32];
	size_t len, j = 0;

	snprintf(digits, sizeof digits, "%.0f", v);
	len = strlen(digits);
	for (size_t i = 0; i < len && j + 2 < cap; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = digits[i];
	}
	out[j] = '\0';
	return out;
}

static int bench_mkroot(char *root, size_t cap, const char *prefix)
{
	const char *tmp = getenv("TMPDIR");
	char home[300];

	snprintf(root, cap, "%s/%s.XXXXXX", tmp && *tmp && strlen(tmp) < 64 ? tmp : "/tmp",
		 prefix);
	if (mkdtemp(root) == NULL) {
		bench_fail(root, strerror(errno));
		root[0] = '\0';
		return -1;
	}
	snprintf(home, sizeof home, "%s/home", root);
	setenv("PAKT_HOME", home, 1);
	return 0;
}

int bench_setup(const char *name, int argc, char *root, size_t cap, const char *prefix)
{
	bench_name = name;
	if (argc != 3) {
		fprintf(stderr, "usage: %s PAKTD PAKT\n", name);
		return 2;
	}
	if (keys_global_init() != 0)
		return 1;
	return bench_mkroot(root, cap, prefix) == 0 ? 0 : 1;
}

static int bench_rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int bench_rmtree(const char *path)
{
	return nftw(path, bench_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* --- raw Ed25519 reference --- */

void bench_raw_ed25519(struct bench_raw *r, uint8_t *msg, size_t len)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	uint8_t sig[crypto_sign_BYTES];
	unsigned long n;
	double t0, t;

	crypto_sign_keypair(pk, sk);
	t0 = bench_now();
	for (n = 0, t = t0; n < BENCH_RAW_N_SIGN && t - t0 < BENCH_RAW_SECS; ) {
		crypto_sign_detached(sig, NULL, msg, len, sk);
		msg[n % len] ^= 1;
		if (++n % 64 == 0)
			t = bench_now();
	}
	t = bench_now() - t0;
	r->sign_n = n;
	r->sign_s = t;
	r->sign_total_n += n;
	r->sign_total_s += t;
	r->pass_us[r->pass][0] = n ? t / (double)n * 1e6 : 0;

	crypto_sign_detached(sig, NULL, msg, len, sk);
	t0 = bench_now();
	for (n = 0, t = t0; n < BENCH_RAW_N_VERIFY && t - t0 < BENCH_RAW_SECS; ) {
		if (crypto_sign_verify_detached(sig, msg, len, pk) != 0) {
			bench_fail("raw verify", "signature did not verify");
			break;
		}
		if (++n % 64 == 0)
			t = bench_now();
	}
	t = bench_now() - t0;
	r->verify_n = n;
	r->verify_s = t;
	r->verify_total_n += n;
	r->verify_total_s += t;
	r->pass_us[r->pass][1] = n ? t / (double)n * 1e6 : 0;
	sodium_memzero(sk, sizeof sk);
	r->pass = 1;
}

double bench_raw_sign_rate(const struct bench_raw *r)
{
	return r->sign_total_s > 0 ? (double)r->sign_total_n / r->sign_total_s : 0;
}

double bench_raw_verify_rate(const struct bench_raw *r)
{
	return r->verify_total_s > 0 ? (double)r->verify_total_n / r->verify_total_s : 0;
}

void bench_raw_print_passes(const struct bench_raw *r)
{
	printf("raw passes, start / end of run: sign %.1f / %.1f us, verify %.1f / %.1f us\n",
	       r->pass_us[0][0], r->pass_us[1][0], r->pass_us[0][1], r->pass_us[1][1]);
}

/* --- result tables --- */

void bench_table_head(int name_w, int count_w, const char *last)
{
	printf("\n%-*s %*s %12s %10s   %s\n", name_w, "operation", count_w, "count", "rate/s",
	       "us each", last);
}

void bench_table_cells(int name_w, int count_w, const char *name, unsigned long long n,
		       double rate)
{
	char buf[32];

	printf("%-*s %*llu %12s %10.1f   ", name_w, name, count_w, n,
	       bench_commas(rate, buf, sizeof buf), rate > 0 ? 1e6 / rate : 0);
}

/* --- processes --- */

int bench_run(char *const argv[], char *out, size_t cap)
{
	int pfd[2] = {-1, -1};
	pid_t pid;
	size_t len = 0;
	int status;

	if (out != NULL && pipe2(pfd, O_CLOEXEC) != 0)
		return PAKT_EIO;
	pid = fork();
	if (pid < 0) {
		if (out != NULL) {
			close(pfd[0]);
			close(pfd[1]);
		}
		return PAKT_EIO;
	}
	if (pid == 0) {
		int fd = out != NULL ? pfd[1] : open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, STDOUT_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	if (out != NULL) {
		close(pfd[1]);
		for (;;) {
			char sink[512];
			bool room = len + 1 < cap;
			ssize_t n = room ? read(pfd[0], out + len, cap - 1 - len)
					 : read(pfd[0], sink, sizeof sink);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			if (room)
				len += (size_t)n;
		}
		if (cap)
			out[len] = '\0';
		close(pfd[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return PAKT_EIO;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : PAKT_EIO;
}

/* The daemon's log so far, NUL-terminated; false if empty or unreadable. */
static bool bench_log_read(const char *path, char *buf, size_t cap)
{
	ssize_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	len = read(fd, buf, cap - 1);
	close(fd);
	if (len <= 0)
		return false;
	buf[len] = '\0';
	return true;
}

/* Whether the log shows the daemon listening: on the control socket, and
 * with listen also on 127.0.0.1, whose address goes to addr. */
static bool bench_log_ready(const char *path, bool listen, char *addr, size_t cap)
{
	char buf[16384], *p, *e;

	if (!bench_log_read(path, buf, sizeof buf) ||
	    strstr(buf, "listening on control socket") == NULL)
		return false;
	if (!listen)
		return true;
	if ((p = strstr(buf, "listening on 127.0.0.1:")) == NULL)
		return false;
	p += strlen("listening on ");
	for (e = p; *e && *e != '\n' && *e != ' '; e++)
		;
	snprintf(addr, cap, "%.*s", (int)(e - p), p);
	return true;
}

int bench_daemon_start(struct bench_daemon *d, const char *paktd, const char *dir,
		       const char *listen, unsigned poll_us)
{
	char log[340];
	double t0 = bench_now();
	int st;

	memset(d, 0, sizeof *d);
	snprintf(d->dir, sizeof d->dir, "%s", dir);
	snprintf(log, sizeof log, "%s/paktd.log", dir);
	d->pid = fork();
	if (d->pid < 0) {
		bench_fail("fork", strerror(errno));
		return PAKT_EIO;
	}
	if (d->pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		int null = open("/dev/null", O_WRONLY);

#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGTERM);   /* no orphan if we die */
#endif
		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		if (listen != NULL)
			execl(paktd, paktd, "--data-dir", dir, "--listen", listen, (char *)NULL);
		else
			execl(paktd, paktd, "--data-dir", dir, (char *)NULL);
		_exit(127);
	}
	while (bench_now() - t0 < BENCH_T_DAEMON_START) {
		if (bench_log_ready(log, listen != NULL, d->addr, sizeof d->addr)) {
			char *colon = strrchr(d->addr, ':');

			if (listen == NULL)
				return 0;
			d->port = colon ? atoi(colon + 1) : 0;
			if (d->port > 0)
				return 0;
		}
		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			d->pid = -1;
			bench_fail("paktd exited early", log);
			return PAKT_EIO;
		}
		usleep(poll_us);
	}
	bench_fail("paktd did not start in time", log);
	return PAKT_EIO;
}

int bench_daemon_stop(struct bench_daemon *d)
{
	double t0 = bench_now();
	int st = 0;

	if (d->pid <= 0)
		return 0;
	kill(d->pid, SIGTERM);
	while (waitpid(d->pid, &st, WNOHANG) == 0) {
		if (bench_now() - t0 > BENCH_T_DAEMON_STOP) {
			bench_fail("paktd", "did not stop on SIGTERM; killing it");
			kill(d->pid, SIGKILL);
			waitpid(d->pid, &st, 0);
			break;
		}
		usleep(10000);
	}
	d->pid = -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : PAKT_EIO;
}

/* --- control socket --- */

int bench_ctl_connect(struct client *c, const char *dir)
{
	int rc = PAKT_ENOTRUNNING;

	for (double t0 = bench_now(); bench_now() - t0 < 2.0; usleep(10000)) {
		rc = client_connect(c, dir);
		if (rc == 0)
			return 0;
		client_close(c);
	}
	bench_fail("client_connect", c->why);
	return rc;
}

void bench_req_post(struct ctlop_req *req, const char *text)
{
	memset(req, 0, sizeof *req);
	req->op = CTLOP_POST;
	snprintf(req->u.post.text, sizeof req->u.post.text, "%s", text);
}

int bench_ctl_call(struct client *c, const struct ctlop_req *req, enum ctlop_reply_kind k,
		   void *r)
{
	int rc = client_call(c, req, BENCH_RECV_TIMEOUT_MS);

	return rc == 0 ? client_reply(c, k, r) : rc;
}

/* ---- results as JSON ---- */

#define BENCH_JSON_KEYS 128

/* The file is one flat object, one "key": number per line, which is all
 * this reads back: each benchmark adds its figures to what earlier ones
 * of the same `make bench` wrote. */
int bench_json_put(const char *key, double value)
{
	const char *path = getenv("BENCH_JSON");
	char keys[BENCH_JSON_KEYS][64], line[256];
	double vals[BENCH_JSON_KEYS];
	size_t n = 0, i;
	FILE *f;

	if (path == NULL || *path == '\0')
		path = "bench-results.json";
	f = fopen(path, "r");
	while (f != NULL && fgets(line, sizeof line, f) != NULL && n < BENCH_JSON_KEYS) {
		char k[64];
		double v;

		if (sscanf(line, " \"%63[^\"]\" : %lf", k, &v) == 2) {
			snprintf(keys[n], sizeof keys[n], "%s", k);
			vals[n++] = v;
		}
	}
	if (f != NULL)
		fclose(f);
	for (i = 0; i < n && strcmp(keys[i], key) != 0; i++)
		;
	if (i == n) {
		if (n == BENCH_JSON_KEYS)
			return PAKT_ELIMIT;
		snprintf(keys[n++], sizeof keys[0], "%s", key);
	}
	vals[i] = value;
	f = fopen(path, "w");
	if (f == NULL) {
		bench_fail(path, strerror(errno));
		return PAKT_EIO;
	}
	fputs("{\n", f);
	for (i = 0; i < n; i++)
		fprintf(f, "  \"%s\": %.6g%s\n", keys[i], vals[i], i + 1 < n ? "," : "");
	fputs("}\n", f);
	return fclose(f) == 0 ? 0 : PAKT_EIO;
}

/* ---- a benchmark's daemons and temp tree ---- */

const char *bench_pakt_bin;
static struct {
	struct bench_daemon *d;
	size_t n;
	const char *root;
	const char *keep_env;
} reg;

void bench_cleanup(void)
{
	for (size_t i = 0; i < reg.n; i++)
		if (reg.d[i].pid > 0)
			kill(reg.d[i].pid, SIGTERM);
	for (size_t i = 0; i < reg.n; i++) {
		double t0 = bench_now();
		int st;

		while (reg.d[i].pid > 0 && waitpid(reg.d[i].pid, &st, WNOHANG) == 0) {
			if (bench_now() - t0 > BENCH_T_DAEMON_STOP) {
				kill(reg.d[i].pid, SIGKILL);
				waitpid(reg.d[i].pid, &st, 0);
				break;
			}
			usleep(10000);
		}
		reg.d[i].pid = -1;
	}
	if (reg.root != NULL && reg.root[0] && (reg.keep_env == NULL || getenv(reg.keep_env) == NULL))
		bench_rmtree(reg.root);
}

static void on_watchdog(int sig)
{
	static const char msg[] = ": time limit or signal: stopping daemons and cleaning up\n";

	(void)sig;
	(void)!write(STDERR_FILENO, bench_name, strlen(bench_name));
	(void)!write(STDERR_FILENO, msg, sizeof msg - 1);
	bench_cleanup();
	_exit(1);
}

void bench_cleanup_register(struct bench_daemon *d, size_t n, const char *root,
			    const char *keep_env)
{
	reg.d = d;
	reg.n = n;
	reg.root = root;
	reg.keep_env = keep_env;
	signal(SIGALRM, on_watchdog);
	signal(SIGINT, on_watchdog);
	signal(SIGTERM, on_watchdog);
}

int bench_pakt(const char *dir, char *out, size_t cap, const char *a0, ...)
{
	char *argv[BENCH_PAKT_ARGS_MAX + 4];
	size_t n = 0;
	const char *a = a0;
	va_list ap;

	argv[n++] = (char *)bench_pakt_bin;
	va_start(ap, a0);
	while (a != NULL && n <= BENCH_PAKT_ARGS_MAX) {
		argv[n++] = (char *)a;
		a = va_arg(ap, const char *);
	}
	va_end(ap);
	argv[n++] = "--data-dir";
	argv[n++] = (char *)dir;
	argv[n] = NULL;
	return bench_run(argv, out, cap);
}

int bench_entries_of(const char *dir, uint64_t *entries)
{
	static const struct ctlop_req req = {.op = CTLOP_STATUS};
	struct ctlop_r_status r = {0};
	struct client c;
	int rc = bench_ctl_connect(&c, dir);

	if (rc == 0 && (rc = bench_ctl_call(&c, &req, CTLOP_R_STATUS, &r)) == 0)
		*entries = r.entries;
	ctlop_reply_free(CTLOP_R_STATUS, &r);
	client_close(&c);
	return rc;
}

int bench_tail_open(struct client *c, const char *dir)
{
	static const struct ctlop_req req = {
		.op = CTLOP_LOG,
		.u.log = {.follow = true, .has_last = true, .last = 0},
	};
	int rc = bench_ctl_connect(c, dir);

	return rc != 0 ? rc : client_send(c, &req);
}

uint64_t bench_stream_seq(struct client *c, const uint8_t author[32], size_t *len)
{
	static struct ctlop_r_log_row row;   /* ~8 KiB of plain text */
	struct entry e;
	uint64_t seq = 0;

	if (client_reply_error(c) != 0) {
		bench_fail("tail stream", c->why);
		return UINT64_MAX;
	}
	if (client_reply(c, CTLOP_R_LOG_ROW, &row) == 0 && row.entry != NULL &&
	    entry_decode(&e, row.entry, row.entry_len) == 0 &&
	    memcmp(e.h.author, author, 32) == 0 && strcmp(e.h.type, "message") == 0) {
		seq = e.h.seq;
		if (len != NULL)
			*len = row.entry_len;
	}
	ctlop_reply_free(CTLOP_R_LOG_ROW, &row);
	return seq;
}

unsigned long bench_proc_kib(pid_t pid, const char *field)
{
	char path[64], line[256];
	unsigned long v = 0;
	size_t fl = strlen(field);
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, field, fl) == 0 && line[fl] == ':')
			v = strtoul(line + fl + 1, NULL, 10);
	fclose(f);
	return v;
}
