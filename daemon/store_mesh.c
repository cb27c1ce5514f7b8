/* Store tables of the mesh: feed ranges and heads, fork proofs, peers,
 * invites, subscriptions and joined networks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/store.h"
#include "daemon/store_priv.h"
#include "proto/err.h"

/* Prepare, run cb over the rows, finalize. Rows are read by the caller's
 * row function between steps. */
static int step_done(sqlite3_stmt *st, int rc)
{
	sqlite3_finalize(st);
	return rc;
}

static void row_from(sqlite3_stmt *st, struct store_row *r, int first)
{
	/* columns from `first`: id, seq, hash, type, ts, received, header, sig, body */
	r->rowid = sqlite3_column_int64(st, first);
	r->seq = (uint64_t)sqlite3_column_int64(st, first + 1);
	r->hash = store_blob32(st, first + 2);
	r->type = (const char *)sqlite3_column_text(st, first + 3);
	r->timestamp = sqlite3_column_int64(st, first + 4);
	r->received = sqlite3_column_int64(st, first + 5);
	r->header = sqlite3_column_blob(st, first + 6);
	r->header_len = (size_t)sqlite3_column_bytes(st, first + 6);
	r->sig = sqlite3_column_blob(st, first + 7);
	r->sig_len = (size_t)sqlite3_column_bytes(st, first + 7);
	r->body = sqlite3_column_type(st, first + 8) == SQLITE_NULL ? NULL
		  : sqlite3_column_blob(st, first + 8);
	r->body_len = (size_t)sqlite3_column_bytes(st, first + 8);
	if (r->type == NULL)
		r->type = "";
}

int store_range(struct store *s, const uint8_t network[32], const uint8_t author[32],
		uint64_t from, uint32_t max, store_row_cb cb, void *arg)
{
	sqlite3_stmt *st = s->range;
	int64_t fid;
	int rc = store_feed_id(s, network, author, false, &fid), step;

	if (rc != 0)
		return rc == PAKT_ENOTFOUND ? 0 : rc;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, fid);
	sqlite3_bind_int64(st, 2, (int64_t)from);
	sqlite3_bind_int64(st, 3, max);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_row r = {.network = network, .author = author};

		row_from(st, &r, 0);
		rc = cb(arg, &r);
		if (rc != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = PAKT_EIO;
	sqlite3_reset(st);
	return rc;
}

int store_hash_at(struct store *s, const uint8_t network[32], const uint8_t author[32],
		  uint64_t seq, uint8_t hash[32])
{
	int64_t fid;
	int rc = store_feed_id(s, network, author, false, &fid);

	if (rc != 0)
		return rc;
	sqlite3_reset(s->entry_at);
	sqlite3_bind_int64(s->entry_at, 1, fid);
	sqlite3_bind_int64(s->entry_at, 2, (int64_t)seq);
	rc = sqlite3_step(s->entry_at);
	if (rc == SQLITE_ROW && store_blob32(s->entry_at, 0) != NULL) {
		memcpy(hash, store_blob32(s->entry_at, 0), 32);
		rc = 0;
	} else {
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? PAKT_ENOTFOUND : PAKT_EIO;
	}
	sqlite3_reset(s->entry_at);
	return rc;
}

int store_heads(struct store *s, const uint8_t network[32], store_head_cb cb, void *arg)
{
	sqlite3_stmt *st;
	int rc = 0, step;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT f.author, e.seq, e.hash, e.ts FROM feeds f JOIN entries e ON e.feed = f.id"
			       " WHERE f.network = ?1 AND e.seq = (SELECT max(seq) FROM entries WHERE feed = f.id)",
			       -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	sqlite3_bind_blob(st, 1, network, 32, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const uint8_t *a = store_blob32(st, 0), *h = store_blob32(st, 2);

		if (a == NULL || h == NULL)
			continue;
		rc = cb(arg, a, (uint64_t)sqlite3_column_int64(st, 1), h,
			(uint64_t)sqlite3_column_int64(st, 3));
		if (rc != 0)
			break;
	}
	return step_done(st, rc == 0 && step != SQLITE_DONE ? PAKT_EIO : rc);
}

int store_fork_add(struct store *s, const struct entry *e, int64_t received_ms)
{
	sqlite3_stmt *st;
	int64_t fid;
	int rc = store_feed_id(s, entry_network(e), e->h.author, true, &fid);

	if (rc != 0)
		return rc;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT OR IGNORE INTO forks(feed, seq, hash, header, sig, body, received)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	sqlite3_bind_int64(st, 1, fid);
	sqlite3_bind_int64(st, 2, (int64_t)e->h.seq);
	sqlite3_bind_blob(st, 3, e->hash, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, e->header_bytes, (int)e->header_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, e->sig, 64, SQLITE_STATIC);
	if (e->body)
		sqlite3_bind_blob(st, 6, e->body, (int)e->body_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, received_ms);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : PAKT_EIO;
	return step_done(st, rc);
}

int store_forks(struct store *s, const uint8_t *network, store_row_cb cb, void *arg)
{
	sqlite3_stmt *st;
	int rc = 0, step;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT f.network, f.author, k.id, k.seq, k.hash, '', 0, k.received, k.header,"
			       " k.sig, k.body FROM forks k JOIN feeds f ON f.id = k.feed"
			       " WHERE ?1 IS NULL OR f.network = ?1 ORDER BY k.id", -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	if (network)
		sqlite3_bind_blob(st, 1, network, 32, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_row r = {.network = store_blob32(st, 0), .author = store_blob32(st, 1)};

		row_from(st, &r, 2);
		if (r.network == NULL || r.author == NULL || r.hash == NULL)
			continue;
		rc = cb(arg, &r);
		if (rc != 0)
			break;
	}
	return step_done(st, rc == 0 && step != SQLITE_DONE ? PAKT_EIO : rc);
}

int store_peer_add(struct store *s, const uint8_t network[32], const char *address,
		   const uint8_t *key)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO peers(network, address, key, added)"
			       " VALUES (?1, ?2, ?3, strftime('%s','now') * 1000)", -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	sqlite3_bind_blob(st, 1, network, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, address, -1, SQLITE_STATIC);
	if (key)
		sqlite3_bind_blob(st, 3, key, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	rc = rc == SQLITE_DONE ? 0 : (rc & 0xff) == SQLITE_CONSTRAINT ? PAKT_EEXIST : PAKT_EIO;
	return step_done(st, rc);
}

int store_peer_remove(struct store *s, const char *address)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "DELETE FROM peers WHERE address = ?1", -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	sqlite3_bind_text(st, 1, address, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) != SQLITE_DONE ? PAKT_EIO
	     : sqlite3_changes(s->db) == 0 ? PAKT_ENOTFOUND : 0;
	return step_done(st, rc);
}

int store_peers(struct store *s, store_peer_cb cb, void *arg)
{
	sqlite3_stmt *st;
	int rc = 0, step;

	if (sqlite3_prepare_v2(s->db, "SELECT id, network, address, key, added FROM peers ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_peer p = {
			.id = sqlite3_column_int64(st, 0),
			.network = store_blob32(st, 1),
			.address = (const char *)sqlite3_column_text(st, 2),
			.key = store_blob32(st, 3),
			.added = sqlite3_column_int64(st, 4),
		};
		if (p.network == NULL || p.address == NULL)
			continue;
		rc = cb(arg, &p);
		if (rc != 0)
			break;
	}
	return step_done(st, rc == 0 && step != SQLITE_DONE ? PAKT_EIO : rc);
}

int store_invite_add(struct store *s, const uint8_t secret_hash[32],
		     const uint8_t network[32], const char *name, uint64_t expires_ms)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO invites(secret_hash, network, name, expires)"
			       " VALUES (?1, ?2, ?3, ?4)", -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	sqlite3_bind_blob(st, 1, secret_hash, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, network, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (int64_t)expires_ms);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : PAKT_EIO;
	return step_done(st, rc);
}

int store_invite_use(struct store *s, const uint8_t secret_hash[32],
		     const uint8_t network[32], const uint8_t user[32], uint64_t now_ms,
		     char *name, size_t cap, char *why, size_t whylen)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT name, expires, used_by FROM invites"
			       " WHERE secret_hash = ?1 AND network = ?2", -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	sqlite3_bind_blob(st, 1, secret_hash, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, network, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		snprintf(why, whylen, "unknown invite secret");
		return step_done(st, rc == SQLITE_DONE ? PAKT_EINVITE : PAKT_EIO);
	}
	snprintf(name, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
		snprintf(why, whylen, "invite already used");
		return step_done(st, PAKT_EINVITE);
	}
	if ((uint64_t)sqlite3_column_int64(st, 1) < now_ms) {
		snprintf(why, whylen, "invite expired");
		return step_done(st, PAKT_EINVITE);
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(s->db, "UPDATE invites SET used_by = ?2, used_at = ?3"
			       " WHERE secret_hash = ?1 AND used_by IS NULL", -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	sqlite3_bind_blob(st, 1, secret_hash, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, user, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)now_ms);
	rc = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(s->db) == 1 ? 0 : PAKT_EIO;
	return step_done(st, rc);
}

int store_skip_set(struct store *s, const uint8_t network[32], const uint8_t author[32],
		   bool skip)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, skip ? "INSERT OR IGNORE INTO skips(network, author) VALUES (?1, ?2)"
					   : "DELETE FROM skips WHERE network = ?1 AND author = ?2",
			       -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	sqlite3_bind_blob(st, 1, network, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, author, 32, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : PAKT_EIO;
	return step_done(st, rc);
}

int store_skips(struct store *s, const uint8_t network[32], uint8_t (*out)[32],
		size_t cap, size_t *n)
{
	sqlite3_stmt *st;
	int step;

	*n = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT author FROM skips WHERE network = ?1", -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	sqlite3_bind_blob(st, 1, network, 32, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW && *n < cap)
		if (store_blob32(st, 0))
			memcpy(out[(*n)++], store_blob32(st, 0), 32);
	return step_done(st, step == SQLITE_ROW || step == SQLITE_DONE ? 0 : PAKT_EIO);
}

int store_joined_add(struct store *s, const uint8_t network[32], const uint8_t inviter[32])
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO joined(network, inviter, joined)"
			       " VALUES (?1, ?2, strftime('%s','now') * 1000)", -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	sqlite3_bind_blob(st, 1, network, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, inviter, 32, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : PAKT_EIO;
	return step_done(st, rc);
}

int store_get(struct store *s, const uint8_t hash[32], store_row_cb cb, void *arg)
{
	sqlite3_stmt *st;
	int64_t hkey = 0;
	int rc = PAKT_ENOTFOUND, step;

	for (int i = 0; i < 8; i++)
		hkey = (int64_t)((uint64_t)hkey << 8 | hash[i]);
	if (sqlite3_prepare_v2(s->db,
			       "SELECT f.network, f.author, e.id, e.seq, e.hash, e.type, e.ts, e.received,"
			       " e.header, e.sig, e.body FROM entries e JOIN feeds f ON f.id = e.feed"
			       " WHERE e.hkey = ?1 AND e.hash = ?2", -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	sqlite3_bind_int64(st, 1, hkey);
	sqlite3_bind_blob(st, 2, hash, 32, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		struct store_row r = {.network = store_blob32(st, 0), .author = store_blob32(st, 1)};

		row_from(st, &r, 2);
		if (r.network && r.author && r.hash) {
			cb(arg, &r);
			rc = 0;
		}
	} else if (step != SQLITE_DONE) {
		rc = PAKT_EIO;
	}
	return step_done(st, rc);
}

static int64_t hkey_of(const uint8_t hash[32])
{
	int64_t hkey = 0;

	for (int i = 0; i < 8; i++)
		hkey = (int64_t)((uint64_t)hkey << 8 | hash[i]);
	return hkey;
}

/* Inside a transaction: remember hash as redacted. */
static int redacted_add(struct store *s, const uint8_t hash[32], const uint8_t author[32],
			uint64_t at_ms)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO redacted(hash, author, at) VALUES (?1, ?2, ?3)",
			       -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, author, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)at_ms);
	return step_done(st, sqlite3_step(st) == SQLITE_DONE ? 0 : PAKT_EIO);
}

int store_redact(struct store *s, const uint8_t hash[32], const uint8_t author[32],
		 uint64_t at_ms)
{
	sqlite3_stmt *st;
	int rc;

	if (store_begin(s) != 0)
		return store_abort(s, 0);
	rc = redacted_add(s, hash, author, at_ms);
	if (rc == 0)
		rc = sqlite3_prepare_v2(s->db, "UPDATE entries SET body = NULL WHERE hkey = ?1 AND hash = ?2",
					-1, &st, NULL) == SQLITE_OK ? 0 : PAKT_EIO;
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, hkey_of(hash));
		sqlite3_bind_blob(st, 2, hash, 32, SQLITE_STATIC);
		rc = step_done(st, sqlite3_step(st) == SQLITE_DONE ? 0 : PAKT_EIO);
	}
	if (rc == 0)
		rc = sqlite3_prepare_v2(s->db, "UPDATE forks SET body = NULL WHERE hash = ?1",
					-1, &st, NULL) == SQLITE_OK ? 0 : PAKT_EIO;
	if (rc == 0) {
		sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
		rc = step_done(st, sqlite3_step(st) == SQLITE_DONE ? 0 : PAKT_EIO);
	}
	if (rc != 0 || store_exec(s, "COMMIT") != 0)
		return store_abort(s, rc);
	/* the old body may still sit in WAL frames: write them back and
	 * truncate the WAL (secure_delete zeroed the freed space) */
	store_exec(s, "PRAGMA wal_checkpoint(TRUNCATE)");
	return 0;
}

int store_redact_mark(struct store *s, const uint8_t hash[32], const uint8_t author[32],
		      uint64_t at_ms)
{
	int rc;

	if (store_begin(s) != 0)
		return store_abort(s, 0);
	rc = redacted_add(s, hash, author, at_ms);
	if (rc != 0 || store_exec(s, "COMMIT") != 0)
		return store_abort(s, rc);
	return 0;
}

int store_fill_bodies(struct store *s, const struct entry *const *es, size_t n)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (n == 0)
		return 0;
	if (store_begin(s) != 0)
		return store_abort(s, 0);
	if (sqlite3_prepare_v2(s->db, "UPDATE entries SET body = ?3 WHERE hkey = ?1 AND hash = ?2 AND body IS NULL",
			       -1, &st, NULL) != SQLITE_OK)
		return store_abort(s, PAKT_EIO);
	for (size_t i = 0; i < n && rc == 0; i++) {
		sqlite3_bind_int64(st, 1, hkey_of(es[i]->hash));
		sqlite3_bind_blob(st, 2, es[i]->hash, 32, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, es[i]->body, (int)es[i]->body_len, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : PAKT_EIO;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (rc != 0 || store_exec(s, "COMMIT") != 0)
		return store_abort(s, rc);
	s->fills++;
	return 0;
}

bool store_is_redacted(struct store *s, const uint8_t hash[32])
{
	sqlite3_stmt *st;
	bool yes;

	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM redacted WHERE hash = ?1", -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

int store_redactions(struct store *s, struct store_redaction **out, size_t *n)
{
	sqlite3_stmt *st;
	struct store_redaction *v = NULL;
	int step;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT hash, author FROM redacted", -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_redaction *grown;

		if (store_blob32(st, 0) == NULL || store_blob32(st, 1) == NULL)
			continue;
		grown = realloc(v, (*n + 1) * sizeof *v);
		if (grown == NULL) {
			free(v);
			return step_done(st, PAKT_ENOMEM);
		}
		v = grown;
		memcpy(v[*n].hash, store_blob32(st, 0), 32);
		memcpy(v[(*n)++].by, store_blob32(st, 1), 32);
	}
	*out = v;
	return step_done(st, step == SQLITE_DONE ? 0 : PAKT_EIO);
}
