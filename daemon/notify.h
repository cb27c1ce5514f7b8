/* notify_command: paktd runs the config's program (argv, no shell) with
 * one JSON event on stdin for what the office should hear about:
 *   {"event":"entry", ...}       a partner's new entry of notify_types
 *   {"event":"commitment", ...}  a partner's commitment naming us
 *   {"event":"due", ...}         a commitment of ours due within
 *                                notify_due_days (once per commitment a day)
 *   {"event":"fork", ...}        a feed forked (two entries at one seq)
 *   {"event":"removed", ...}     this organisation was removed
 *   {"event":"dropped", ...}     events lost because the queue was full
 * Runs are bounded: NOTIFY_RUNNING_MAX at a time, each killed after
 * NOTIFY_TIMEOUT_MS, at most NOTIFY_QUEUE_MAX waiting. Failures are
 * logged; nothing here blocks the loop or the node. */
#ifndef PAKT_NOTIFY_H
#define PAKT_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define NOTIFY_RUNNING_MAX 2
#define NOTIFY_QUEUE_MAX 64
#define NOTIFY_TIMEOUT_MS 10000
#define NOTIFY_DUE_CHECK_MS (3600 * 1000)

struct node;
struct notify_job;

struct notify {
	struct node *n;
	int64_t last_rowid;             /* entries after it are news */
	bool stale;                     /* last_rowid is old: notify was off */
	struct notify_job *head, *tail; /* waiting to run */
	size_t queued;
	uint64_t dropped;               /* since the last "dropped" event */
	unsigned running;
	uv_timer_t due_timer;
	struct notify_due {             /* reminders sent: (commitment, day) */
		uint8_t hash[32];
		int64_t day;
	} *sent;
	size_t n_sent, cap_sent;
	bool stopping;
};

/* Listen to the node's events; 0 or PAKT_ENOMEM. */
int notify_start(struct notify *nt, struct node *n);
/* Stop listening; running programs finish (or time out) on their own. */
void notify_stop(struct notify *nt);

#endif
