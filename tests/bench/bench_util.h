/* bench_util: what the benchmarks share: the clock, failure reports, the
 * temp directory, the raw Ed25519 reference rates, result table cells,
 * running pakt, starting and stopping paktd and talking to its control
 * socket. Each benchmark sets bench_name before anything else. */
#ifndef PAKT_BENCH_UTIL_H
#define PAKT_BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "cli/client.h"
#include "proto/ctlop.h"
#include "proto/ctlop_reply.h"

#define BENCH_RAW_MSG_LEN 300      /* raw crypto message size */
#define BENCH_RAW_N_SIGN 40000     /* per pass: count, seconds */
#define BENCH_RAW_N_VERIFY 20000
#define BENCH_RAW_SECS 0.5
#define BENCH_T_DAEMON_START 10.0
#define BENCH_T_DAEMON_STOP 10.0
#define BENCH_RECV_TIMEOUT_MS 10000

/* The program name failure reports start with ("bench_append"). */
extern const char *bench_name;
/* Set by bench_fail. */
extern bool bench_failed;

/* CLOCK_MONOTONIC in seconds. */
double bench_now(void);

/* "NAME: what: why" on stderr; sets bench_failed. */
void bench_fail(const char *what, const char *why);

/* 1234567.8 -> "1,234,568" */
const char *bench_commas(double v, char *out, size_t cap);

/* Start of main: set bench_name, check for the two arguments PAKTD PAKT
 * (else a usage line), initialise keys, and make a fresh directory
 * $TMPDIR/PREFIX.XXXXXX (default /tmp) into root[cap] (left "" on failure),
 * with PAKT_HOME set to root/home so nothing falls back to the user's real
 * data dir. 0 to go on, else the exit status. */
int bench_setup(const char *name, int argc, char *root, size_t cap, const char *prefix);

/* Remove path and everything below it; 0 if all went. */
int bench_rmtree(const char *path);

/* --- raw Ed25519 reference --- */

struct bench_raw {
	unsigned long sign_n, verify_n;     /* the last pass */
	double sign_s, verify_s;
	unsigned long sign_total_n, verify_total_n;   /* every pass */
	double sign_total_s, verify_total_s;
	double pass_us[2][2];   /* us per sign and verify, first and last pass */
	int pass;
};

/* One pass: a fresh key signs msg[len] (changing a byte after each
 * signature) and then verifies it, each loop up to BENCH_RAW_N_SIGN or
 * BENCH_RAW_N_VERIFY or BENCH_RAW_SECS. Run at the start and again at the
 * end, so that ratios compare like with like on a noisy host. */
void bench_raw_ed25519(struct bench_raw *r, uint8_t *msg, size_t len);

/* Over every pass, 0 if not measured. */
double bench_raw_sign_rate(const struct bench_raw *r);
double bench_raw_verify_rate(const struct bench_raw *r);

/* "raw passes, start / end of run: sign ... us, verify ... us" */
void bench_raw_print_passes(const struct bench_raw *r);

/* --- result tables --- */

/* "\noperation count rate/s us each   LAST" with the first two columns
 * name_w and count_w wide. */
void bench_table_head(int name_w, int count_w, const char *last);

/* The row's name, count, rate (with commas) and us each, then three
 * spaces; the caller ends the line. */
void bench_table_cells(int name_w, int count_w, const char *name, unsigned long long n,
		       double rate);

/* --- processes --- */

/* Run argv to completion, stderr to ours; stdout into out[cap]
 * (NUL-terminated), or to /dev/null when out is NULL. 0 if it exited 0. */
int bench_run(char *const argv[], char *out, size_t cap);

struct bench_daemon {
	pid_t pid;           /* -1: not running */
	char dir[300];
	char addr[64];       /* 127.0.0.1:PORT, when started with a listen address */
	int port;
};

/* Start paktd on dir (with --listen listen unless NULL), stderr to
 * dir/paktd.log, dying with us; wait, polling every poll_us, until the log
 * says it listens on the control socket (and, with listen, on 127.0.0.1,
 * whose address and port go to d). 0, or PAKT_EIO after a report. */
int bench_daemon_start(struct bench_daemon *d, const char *paktd, const char *dir,
		       const char *listen, unsigned poll_us);

/* SIGTERM, wait (bounded), SIGKILL if it hangs. 0 if it exited 0 or was
 * not running, else PAKT_EIO. */
int bench_daemon_stop(struct bench_daemon *d);

/* --- control socket --- */

/* Connect to dir's paktd, retrying for 2 s (the log line may precede the
 * first accept by a hair). 0, or an error after a report. */
int bench_ctl_connect(struct client *c, const char *dir);

/* *req = a post of text in the default initiative. */
void bench_req_post(struct ctlop_req *req, const char *text);

/* Send req on c and decode its reply, of kind k, into *r (zeroed by the
 * caller: release it with ctlop_reply_free, on failure too), within
 * BENCH_RECV_TIMEOUT_MS. An error reply is its code with the daemon's
 * message in c->why. */
int bench_ctl_call(struct client *c, const struct ctlop_req *req, enum ctlop_reply_kind k,
		   void *r);

/* The entries dir's paktd holds (its status). 0 or an error. */
int bench_entries_of(const char *dir, uint64_t *entries);
/* Connect to dir's paktd and follow its log from now on (a tail -f
 * stream); the caller reads and closes c. */
int bench_tail_open(struct client *c, const char *dir);

/* One frame of a bench_tail_open stream: the seq of its entry if it is a
 * message by author (its wire length to *len unless len is NULL), else 0;
 * UINT64_MAX after an error reply (reported). */
uint64_t bench_stream_seq(struct client *c, const uint8_t author[32], size_t *len);

/* A /proc/PID/status field in KiB ("VmHWM", "VmRSS"), 0 if unreadable. */
unsigned long bench_proc_kib(pid_t pid, const char *field);

/* --- a benchmark's daemons and temp tree --- */

/* Stop the registered daemons (SIGTERM, a bounded wait, SIGKILL for one
 * that hangs; pid -1 after) and remove root unless the environment has
 * keep_env. bench_cleanup_register also makes SIGALRM (the watchdog),
 * SIGINT and SIGTERM clean up so and exit 1. d[n]: entries whose pid is
 * not positive are not running. */
void bench_cleanup_register(struct bench_daemon *d, size_t n, const char *root,
			    const char *keep_env);
void bench_cleanup(void);

/* The pakt binary bench_pakt runs. */
extern const char *bench_pakt_bin;
#define BENCH_PAKT_ARGS_MAX 6
/* Run `PAKT A0 A1 ... --data-dir DIR` (the arguments end at the first
 * NULL, at most BENCH_PAKT_ARGS_MAX), stdout into out[cap] as bench_run. */
int bench_pakt(const char *dir, char *out, size_t cap, const char *a0, ...)
	__attribute__((sentinel));

/* --- results as JSON --- */

/* Set key to value in the flat JSON object of $BENCH_JSON (default
 * bench-results.json in the current directory), keeping the keys other
 * benchmarks of the run wrote; `make bench` starts it afresh. Keys are
 * the names (catchup_entries_per_s, ...). 0, or an error after a
 * report. */
int bench_json_put(const char *key, double value);

#endif
