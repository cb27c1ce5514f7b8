/* WAL checkpoints off the loop: the store's side (see store.h, "WAL
 * checkpoints"). SQLite's automatic checkpoint runs inside the commit that
 * crosses its threshold and syncs the database file there, which stalled
 * the loop for 5 to 17 ms about every 300 posts. Here the writer only
 * kicks a helper that checkpoints on its own connection; past 32 MiB the
 * writer checkpoints the rest itself, so that the WAL restarts and cannot
 * grow without bound (a reader holding an old snapshot delays that by as
 * long as it holds it). */
#include <stdlib.h>
#include "daemon/store.h"
#include "daemon/store_priv.h"
#include "proto/err.h"

#define STORE_WAL_KICK 1000      /* pages waiting: wake the helper (SQLite's
				  * own default threshold) */
#define STORE_WAL_RESTART 8192   /* pages (32 MiB at 4 KiB) in the WAL: the
				  * writer copies what is left itself */
#define STORE_WAL_LIMIT "33554432"   /* bytes the WAL file is cut back to */

struct store_wal_conn {
	sqlite3 *db;
};

/* What the helper's last checkpoint left: the WAL's length then, and how
 * many frames of it were copied. */
static _Atomic int ckpt_log, ckpt_done;

/* After each commit; pages is the WAL's length. The WAL starts again from
 * its beginning only when a write begins with every frame copied: the
 * helper alone, copying behind a busy writer, never gets there (it grew
 * to 264 MB in a catch-up). So past STORE_WAL_RESTART frames the writer
 * checkpoints too, which copies only the tail the helper has not and lets
 * the next write restart the WAL: one short stall per 32 MiB instead of
 * a longer one per 4 MiB. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store *s = arg;
	int done = pages >= ckpt_log ? ckpt_done : 0;

	if (pages >= STORE_WAL_RESTART) {
		int log = 0, copied = 0;

		if (sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) ==
		    SQLITE_OK) {
			ckpt_log = log;
			ckpt_done = copied;
		}
	} else if (pages - done >= STORE_WAL_KICK && s->wal_kick != NULL) {
		s->wal_kick(s->wal_kick_arg);
	}
	return SQLITE_OK;
}

int store_wal_offload(struct store *s, void (*kick)(void *arg), void *arg)
{
	if (s->readonly)
		return PAKT_EINVAL;
	s->wal_kick = kick;
	s->wal_kick_arg = arg;
	if (kick == NULL) {   /* back to SQLite's own checkpoints */
		sqlite3_wal_autocheckpoint(s->db, STORE_WAL_KICK);
		return 0;
	}
	if (store_exec(s, "PRAGMA journal_size_limit = " STORE_WAL_LIMIT) != 0)
		return PAKT_EIO;
	sqlite3_wal_hook(s->db, wal_hook, s);   /* replaces the automatic one */
	return 0;
}

int store_wal_open(const char *path, struct store_wal_conn **out)
{
	struct store_wal_conn *c = calloc(1, sizeof *c);

	*out = NULL;
	if (c == NULL)
		return PAKT_ENOMEM;
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close(c->db);
		free(c);
		return PAKT_EIO;
	}
	sqlite3_busy_timeout(c->db, 1000);
	/* a connection learns the database is in WAL mode at its first read;
	 * until then a checkpoint on it does nothing */
	if (sqlite3_exec(c->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(c->db);
		free(c);
		return PAKT_EIO;
	}
	*out = c;
	return 0;
}

int store_wal_checkpoint(struct store_wal_conn *c)
{
	int log = 0, copied = 0;
	int rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);

	if (rc == SQLITE_OK) {
		ckpt_log = log;
		ckpt_done = copied;
	}

	return rc == SQLITE_OK || rc == SQLITE_BUSY ? 0 : PAKT_EIO;
}

void store_wal_close(struct store_wal_conn *c)
{
	if (c == NULL)
		return;
	sqlite3_close(c->db);
	free(c);
}
