/* WAL checkpoints on a helper thread (see walckpt.h). One thread, woken by
 * a flag: kicks that come while it checkpoints merge into one more round. */
#include <pthread.h>
#include <stdbool.h>
#include "daemon/node.h"
#include "daemon/store.h"
#include "daemon/walckpt.h"
#include "proto/err.h"

static struct {
	struct node *n;
	struct store_wal_conn *conn;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool running, stop, kicked;
} w = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* Called by a commit on the loop: never waits for a checkpoint. */
static void kick(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&w.mu);
	w.kicked = true;
	pthread_cond_signal(&w.cv);
	pthread_mutex_unlock(&w.mu);
}

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&w.mu);
	while (!w.stop) {
		if (!w.kicked) {
			pthread_cond_wait(&w.cv, &w.mu);
			continue;
		}
		w.kicked = false;
		pthread_mutex_unlock(&w.mu);
		/* a failure leaves the WAL longer: the next kick, or the
		 * writer's own checkpoint at the hard limit, catches up */
		(void)store_wal_checkpoint(w.conn);
		pthread_mutex_lock(&w.mu);
	}
	pthread_mutex_unlock(&w.mu);
	return NULL;
}

int walckpt_start(struct node *n)
{
	int rc;

	if (w.running)
		return 0;
	if ((rc = store_wal_open(n->db_path, &w.conn)) != 0)
		return rc;
	w.n = n;
	w.stop = w.kicked = false;
	if (pthread_create(&w.thread, NULL, worker, NULL) != 0) {
		store_wal_close(w.conn);
		w.conn = NULL;
		return PAKT_ENOMEM;
	}
	w.running = true;
	if ((rc = store_wal_offload(n->store, kick, NULL)) != 0) {
		walckpt_stop();
		return rc;
	}
	return 0;
}

void walckpt_stop(void)
{
	if (!w.running)
		return;
	store_wal_offload(w.n->store, NULL, NULL);
	pthread_mutex_lock(&w.mu);
	w.stop = true;
	pthread_cond_signal(&w.cv);
	pthread_mutex_unlock(&w.mu);
	pthread_join(w.thread, NULL);
	store_wal_close(w.conn);
	w.conn = NULL;
	w.running = false;
}
