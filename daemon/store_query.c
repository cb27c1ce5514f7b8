/* Queries for large stores (see store.h, "large stores"): a walk of one
 * network's entries that reads the signed parts only of the rows the
 * caller wants whole, and the count of body fill-ins. */
#include <string.h>
#include "daemon/store.h"
#include "daemon/store_priv.h"
#include "proto/err.h"

int store_scan_network(struct store *s, const uint8_t network[32], int64_t after_rowid,
		       bool (*whole)(const char *type), store_row_cb cb, void *arg)
{
	static const uint8_t zero[32];
	sqlite3_stmt *st;
	int rc = 0, step;

	/* CROSS JOIN: walk entries by rowid (no sort, and a live update reads
	 * only the new rows), each feed found by its key */
	static const char sql[] =
		"SELECT e.id, f.author, e.hash, e.seq, e.type, e.ts, e.received, e.header,"
		" e.sig, e.body FROM entries e CROSS JOIN feeds f ON f.id = e.feed"
		" WHERE e.id > ?2 AND e.id < ?3 AND f.network = ?1 ORDER BY e.id";
	/* the kept ledger walks the new rows after every checked batch: keep
	 * the statement prepared; a walk inside a walk's callback prepares its own */
	bool cached = !s->scan_net_busy;

	if (cached && s->scan_net == NULL &&
	    sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->scan_net, NULL) != SQLITE_OK)
		return PAKT_EIO;
	if (cached) {
		st = s->scan_net;
		s->scan_net_busy = true;
	} else if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		return PAKT_EIO;
	}
	sqlite3_bind_blob(st, 1, network, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, after_rowid);
	/* readers see rows below the signature-check horizon (store_sig.c) */
	sqlite3_bind_int64(st, 3, s->horizon != 0 ? s->horizon : INT64_MAX);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_row r = {
			.rowid = sqlite3_column_int64(st, 0),
			.network = network,
			.author = store_blob32(st, 1),
			.hash = store_blob32(st, 2),
			.seq = (uint64_t)sqlite3_column_int64(st, 3),
			.type = (const char *)sqlite3_column_text(st, 4),
			.timestamp = sqlite3_column_int64(st, 5),
			.received = sqlite3_column_int64(st, 6),
		};

		if (r.author == NULL)
			r.author = zero;
		if (r.hash == NULL)
			r.hash = zero;
		if (r.type == NULL)
			r.type = "";
		if (whole == NULL || whole(r.type)) {
			r.header = sqlite3_column_blob(st, 7);
			r.header_len = (size_t)sqlite3_column_bytes(st, 7);
			r.sig = sqlite3_column_blob(st, 8);
			r.sig_len = (size_t)sqlite3_column_bytes(st, 8);
			r.body = sqlite3_column_blob(st, 9);
			r.body_len = (size_t)sqlite3_column_bytes(st, 9);
			if (sqlite3_column_type(st, 9) == SQLITE_NULL)
				r.body = NULL;
		}
		if ((rc = cb(arg, &r)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = PAKT_EIO;
	if (cached) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		s->scan_net_busy = false;
	} else {
		sqlite3_finalize(st);
	}
	return rc;
}

uint64_t store_fills(const struct store *s)
{
	return s->fills;
}
