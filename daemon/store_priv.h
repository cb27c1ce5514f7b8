/* Inside the store: shared by store.c (entries) and store_mesh.c (peers,
 * invites, forks, subscriptions). Not for other modules. */
#ifndef PAKT_STORE_PRIV_H
#define PAKT_STORE_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <sqlite3.h>

struct store {
	sqlite3 *db;
	bool readonly;
	bool relaxed;          /* synchronous=NORMAL for the current commits */
	sqlite3_stmt *feed_get, *feed_add, *entry_add, *entry_at, *head, *range;
	sqlite3_stmt *scan;    /* store_scan in arrival order (prepared on first use) */
	bool scan_busy;        /* scan is stepping: a nested scan prepares its own */
	sqlite3_stmt *scan_net;   /* store_scan_network (runs per checked batch) */
	bool scan_net_busy;
	char failed[256];      /* SQLite's reason for the last failed write transaction */
	uint64_t fills;        /* store_fill_bodies transactions committed */
	int64_t horizon;       /* readers see rows below it; 0: all (store_sig.c) */
	bool unchecked;        /* appends store rows whose signatures wait */
	int64_t appended_from, appended_to;   /* rowids of the last append */
	bool defer_ok;         /* a checker runs: appends may defer checks */
	int64_t pend_from, pend_to;   /* rows stored unchecked, not yet taken */
	void (*wal_kick)(void *arg);  /* store_wal.c: a helper checkpoints */
	void *wal_kick_arg;
};

/* Inside a write transaction: rows from rowid on wait for signature checks
 * (kept unless an earlier mark stands). 0 or PAKT_EIO. */
int store_sig_mark(struct store *s, int64_t rowid);

int store_exec(struct store *s, const char *sql);
/* Start a write transaction, forgetting the reason of an earlier failed
 * one: 0, or nonzero (then call store_abort). */
int store_begin(struct store *s);
/* End a write transaction that failed (rc: the caller's code, 0 if an SQLite
 * call failed): roll back unless SQLite already did, keep SQLite's reason
 * for store_errmsg, and return PAKT_ENOSPC if the disk or the store is
 * full, else rc (PAKT_EIO if 0). */
int store_abort(struct store *s, int rc);
/* The feed id of (network, author); creates it when asked. PAKT_ENOTFOUND. */
int store_feed_id(struct store *s, const uint8_t *network, const uint8_t *author,
		  bool create, int64_t *id);
/* A 32-byte blob column, or NULL if it has another size. */
const uint8_t *store_blob32(sqlite3_stmt *st, int col);

/* The entry types the partial index entries_type holds (an SQL term); a
 * query by one of them repeats this term so that SQLite uses the index.
 * ORs, not "type IN (...)": SQLite builds an ephemeral table for an IN
 * list on every insert, which cost memory churn (the sanitizer build grew
 * from 240 to 370 MB in adversary_load.sh's no-read). */
#define STORE_TYPES_INDEXED \
	"(type = 'genesis' OR type = 'member' OR type = 'succession' OR type = 'revoke'" \
	" OR type = 'redact' OR type = 'profile')"

#endif
