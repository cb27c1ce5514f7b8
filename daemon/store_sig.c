/* The store's part of deferred signature checks (replication version 2):
 * the durable mark of the first row whose signature waits, the horizon
 * readers see up to, dropping a feed's unchecked rows, and bad-signature
 * proofs. See daemon/sigdefer.h. */
#include <stdint.h>
#include <string.h>
#include "daemon/store.h"
#include "daemon/store_priv.h"
#include "proto/err.h"

void store_sig_defer(struct store *s, bool on)
{
	s->unchecked = on;
}

void store_sig_enable(struct store *s, bool on)
{
	s->defer_ok = on;
}

bool store_sig_enabled(const struct store *s)
{
	return s->defer_ok;
}

bool store_sig_take(struct store *s, int64_t *from, int64_t *to)
{
	if (s->pend_to == 0)
		return false;
	*from = s->pend_from;
	*to = s->pend_to;
	s->pend_from = s->pend_to = 0;
	return true;
}

static int64_t one_int(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = 0;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int store_sig_mark(struct store *s, int64_t rowid)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO sigcheck(id, unchecked_from) VALUES (1, ?1)",
			       -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	sqlite3_bind_int64(st, 1, rowid);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : PAKT_EIO;
	sqlite3_finalize(st);
	return rc;
}

int64_t store_sig_waiting(struct store *s)
{
	return one_int(s, "SELECT unchecked_from FROM sigcheck WHERE id = 1");
}

int store_sig_checked(struct store *s, int64_t rowid)
{
	sqlite3_stmt *st;
	bool was;
	int rc;

	if (s->readonly)
		return PAKT_EINVAL;
	if (sqlite3_prepare_v2(s->db, rowid == 0 ? "DELETE FROM sigcheck"
			       : "UPDATE sigcheck SET unchecked_from = ?1 WHERE id = 1",
			       -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	if (rowid != 0)
		sqlite3_bind_int64(st, 1, rowid);
	/* no sync of its own (one per catch-up of the checker stalled the
	 * loop): a mark lost with the power only makes the node check more,
	 * and the WAL keeps commits in order, so none is lost before it */
	was = s->relaxed;
	store_set_durable(s, false);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : PAKT_EIO;
	store_set_durable(s, !was);
	sqlite3_finalize(st);
	return rc;
}

void store_sig_horizon(struct store *s, int64_t rowid)
{
	s->horizon = rowid;
}

int64_t store_sig_horizon_get(const struct store *s)
{
	return s->horizon;
}

int64_t store_sig_max_rowid(struct store *s)
{
	return one_int(s, "SELECT coalesce(max(id), 0) FROM entries");
}

int store_sig_drop(struct store *s, const uint8_t network[32], const uint8_t author[32],
		   uint64_t seq)
{
	sqlite3_stmt *st;
	int64_t fid;
	int rc = store_feed_id(s, network, author, false, &fid);

	if (rc == PAKT_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (sqlite3_prepare_v2(s->db, "DELETE FROM entries WHERE feed = ?1 AND seq >= ?2 AND id >= ?3",
			       -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	sqlite3_bind_int64(st, 1, fid);
	sqlite3_bind_int64(st, 2, (int64_t)seq);
	sqlite3_bind_int64(st, 3, s->horizon != 0 ? s->horizon : INT64_MAX);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : PAKT_EIO;
	sqlite3_finalize(st);
	return rc;
}

int store_badsig_add(struct store *s, const uint8_t network[32], const uint8_t author[32],
		     uint64_t seq, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		     int64_t received_ms)
{
	sqlite3_stmt *st;
	int64_t fid;
	int rc = store_feed_id(s, network, author, true, &fid);

	if (rc != 0)
		return rc;
	if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO badsigs(feed, seq, a, b, received)"
			       " VALUES (?1, ?2, ?3, ?4, ?5)", -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	sqlite3_bind_int64(st, 1, fid);
	sqlite3_bind_int64(st, 2, (int64_t)seq);
	sqlite3_bind_blob(st, 3, a, (int)alen, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, b, (int)blen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, received_ms);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : PAKT_EIO;
	sqlite3_finalize(st);
	return rc;
}

int store_badsigs(struct store *s, const uint8_t *network, store_badsig_cb cb, void *arg)
{
	sqlite3_stmt *st;
	int rc = 0, step;

	if (sqlite3_prepare_v2(s->db, "SELECT f.network, f.author, x.seq, x.a, x.b FROM badsigs x"
			       " JOIN feeds f ON f.id = x.feed WHERE ?1 IS NULL OR f.network = ?1"
			       " ORDER BY x.feed", -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	if (network != NULL)
		sqlite3_bind_blob(st, 1, network, 32, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const uint8_t *net = store_blob32(st, 0), *author = store_blob32(st, 1);

		if (net == NULL || author == NULL)
			continue;
		rc = cb(arg, net, author, (uint64_t)sqlite3_column_int64(st, 2),
			sqlite3_column_blob(st, 3), (size_t)sqlite3_column_bytes(st, 3),
			sqlite3_column_blob(st, 4), (size_t)sqlite3_column_bytes(st, 4));
		if (rc != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = PAKT_EIO;
	sqlite3_finalize(st);
	return rc;
}
