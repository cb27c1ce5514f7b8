/* Parallel signature checks: the helper thread takes the second half of a
 * batch while the caller checks the first. */
#include <pthread.h>
#include <stdbool.h>
#include "daemon/sigcheck.h"
#include "proto/err.h"

#define SIGCHECK_MIN_SPLIT 8   /* below this, a thread hand-off costs more */

static struct {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool running, stop, has_job, done;
	const struct entry *const *es;
	size_t from, to, bad;        /* job: [from, to); bad = first bad or to */
} w = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static size_t check_range(const struct entry *const *es, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (entry_verify(es[i]) != 0)
			return i;
	return to;
}

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&w.mu);
	for (;;) {
		while (!w.has_job && !w.stop)
			pthread_cond_wait(&w.cv, &w.mu);
		if (w.stop)
			break;
		pthread_mutex_unlock(&w.mu);
		size_t bad = check_range(w.es, w.from, w.to);
		pthread_mutex_lock(&w.mu);
		w.bad = bad;
		w.has_job = false;
		w.done = true;
		pthread_cond_broadcast(&w.cv);
	}
	pthread_mutex_unlock(&w.mu);
	return NULL;
}

int sigcheck_start(void)
{
	if (w.running)
		return 0;
	w.stop = false;
	if (pthread_create(&w.thread, NULL, worker, NULL) != 0)
		return PAKT_ENOMEM;
	w.running = true;
	return 0;
}

void sigcheck_stop(void)
{
	if (!w.running)
		return;
	pthread_mutex_lock(&w.mu);
	w.stop = true;
	pthread_cond_broadcast(&w.cv);
	pthread_mutex_unlock(&w.mu);
	pthread_join(w.thread, NULL);
	w.running = false;
}

size_t sigcheck_batch(const struct entry *const *es, size_t n)
{
	size_t half = n / 2, mine, theirs;

	if (!w.running || n < SIGCHECK_MIN_SPLIT)
		return check_range(es, 0, n);
	pthread_mutex_lock(&w.mu);
	w.es = es;
	w.from = half;
	w.to = n;
	w.done = false;
	w.has_job = true;
	pthread_cond_broadcast(&w.cv);
	pthread_mutex_unlock(&w.mu);
	mine = check_range(es, 0, half);
	pthread_mutex_lock(&w.mu);
	while (!w.done)
		pthread_cond_wait(&w.cv, &w.mu);
	theirs = w.bad;
	pthread_mutex_unlock(&w.mu);
	return mine < half ? mine : theirs;
}
