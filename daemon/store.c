/* SQLite store of feeds and entries. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>
#include "daemon/store.h"
#include "daemon/store_priv.h"
#include "proto/err.h"


static bool type_indexed(const char *type)
{
	static const char *const t[] = {"genesis", "member", "succession",
					"revoke", "redact", "profile"};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(type, t[i]) == 0)
			return true;
	return false;
}

/* Migrations: migrations[i] brings the schema from version i to i + 1. */
static const char *const migrations[] = {
	"CREATE TABLE feeds("
	"  id INTEGER PRIMARY KEY,"
	"  network BLOB NOT NULL,"
	"  author BLOB NOT NULL,"
	"  UNIQUE(network, author));"
	"CREATE TABLE entries("
	"  id INTEGER PRIMARY KEY,"
	"  feed INTEGER NOT NULL REFERENCES feeds(id),"
	"  seq INTEGER NOT NULL,"
	"  hkey INTEGER NOT NULL,"      /* first 8 bytes of hash, for look-ups */
	"  hash BLOB NOT NULL,"
	"  type TEXT NOT NULL,"
	"  ts INTEGER NOT NULL,"
	"  header BLOB NOT NULL,"
	"  sig BLOB NOT NULL,"
	"  body BLOB,"                  /* NULL: redacted or not fetched */
	"  received INTEGER NOT NULL,"
	"  UNIQUE(feed, seq));"
	"CREATE INDEX entries_hkey ON entries(hkey);",

	/* v2: the mesh */
	"CREATE TABLE forks("          /* the second entry at a taken (feed, seq) */
	"  id INTEGER PRIMARY KEY,"
	"  feed INTEGER NOT NULL REFERENCES feeds(id),"
	"  seq INTEGER NOT NULL,"
	"  hash BLOB NOT NULL,"
	"  header BLOB NOT NULL,"
	"  sig BLOB NOT NULL,"
	"  body BLOB,"
	"  received INTEGER NOT NULL,"
	"  UNIQUE(feed, seq, hash));"
	"CREATE TABLE peers("
	"  id INTEGER PRIMARY KEY,"
	"  network BLOB NOT NULL,"
	"  address TEXT NOT NULL,"
	"  key BLOB,"                   /* expected key, or NULL: any member */
	"  added INTEGER NOT NULL,"
	"  UNIQUE(network, address));"
	"CREATE TABLE invites("
	"  secret_hash BLOB PRIMARY KEY,"
	"  network BLOB NOT NULL,"
	"  name TEXT NOT NULL,"
	"  expires INTEGER NOT NULL,"
	"  used_by BLOB,"
	"  used_at INTEGER);"
	"CREATE TABLE skips("           /* feeds this node does not store */
	"  network BLOB NOT NULL,"
	"  author BLOB NOT NULL,"
	"  PRIMARY KEY(network, author));"
	"CREATE TABLE joined("          /* networks joined by invite */
	"  network BLOB PRIMARY KEY,"
	"  inviter BLOB NOT NULL,"
	"  joined INTEGER NOT NULL);",

	/* v3: redaction — hashes whose bodies are dropped, even if they
	 * arrive later */
	"CREATE TABLE redacted("
	"  hash BLOB PRIMARY KEY,"
	"  author BLOB NOT NULL,"
	"  at INTEGER NOT NULL);",

	/* v4: membership is reloaded from the entries of four types, and
	 * pending redactions and profiles from theirs: find them by type, not
	 * by a scan of every entry. A partial index, so that the messages and
	 * updates that make up a catch-up cost no index write (a full index on
	 * type cost about 5% of catch-up); STORE_TYPES_INDEXED is its list. */
	"CREATE INDEX entries_type ON entries(type) WHERE " STORE_TYPES_INDEXED ";",

	/* v5: deferred signature checks (replication version 2) — the first
	 * row whose signature is not checked yet (one row, absent when all
	 * are), and bad-signature proofs: a's signature fails under b, its
	 * validly signed successor (wire forms). */
	"CREATE TABLE sigcheck("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  unchecked_from INTEGER NOT NULL);"
	"CREATE TABLE badsigs("
	"  feed INTEGER NOT NULL REFERENCES feeds(id),"
	"  seq INTEGER NOT NULL,"       /* a's */
	"  a BLOB NOT NULL,"
	"  b BLOB NOT NULL,"
	"  received INTEGER NOT NULL,"
	"  PRIMARY KEY(feed));",
};
#define N_MIGRATIONS (sizeof migrations / sizeof migrations[0])

_Static_assert(N_MIGRATIONS == STORE_SCHEMA_VERSION, "one migration per schema version");

const char *store_errmsg(const struct store *s)
{
	if (s == NULL || s->db == NULL)
		return "no database";
	/* the ROLLBACK after a failed write succeeds and clears SQLite's own
	 * message: give the reason the write failed until the next error */
	if (s->failed[0] != '\0' && sqlite3_errcode(s->db) == SQLITE_OK)
		return s->failed;
	return sqlite3_errmsg(s->db);
}

int store_begin(struct store *s)
{
	s->failed[0] = '\0';
	return store_exec(s, "BEGIN IMMEDIATE");
}

int store_abort(struct store *s, int rc)
{
	int code = sqlite3_extended_errcode(s->db) & 0xff;
	int sys = sqlite3_system_errno(s->db);

	snprintf(s->failed, sizeof s->failed, "%s", sqlite3_errmsg(s->db));
	/* a fork (PAKT_EDUP) is no disk error, whatever SQLite last said */
	if ((rc == 0 || rc == PAKT_EIO) &&
	    (code == SQLITE_FULL || (code == SQLITE_IOERR && (sys == ENOSPC || sys == EDQUOT))))
		rc = PAKT_ENOSPC;
	else if (rc == 0)
		rc = PAKT_EIO;
	/* after SQLITE_FULL or an I/O error SQLite may have rolled back itself */
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* What to do about a store paktd refuses to open as damaged. */
#define STORE_RECOVERY "restore it from a backup or move it away; paktd does not overwrite it"

static int store_fail(struct store *s, char *why, size_t whylen, const char *what)
{
	snprintf(why, whylen, "%s: %s", what, store_errmsg(s));
	return PAKT_EIO;
}

int store_exec(struct store *s, const char *sql)
{
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : PAKT_EIO;
}

static int schema_version(struct store *s, int *v)
{
	sqlite3_stmt *st;
	int rc = PAKT_EIO;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*v = sqlite3_column_int(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int store_copy(struct store *s, const char *dest, char *why, size_t whylen)
{
	sqlite3 *to = NULL;
	sqlite3_backup *b;
	int fd, rc = SQLITE_ERROR;

	/* created 0600 here, before SQLite writes a byte: it holds every
	 * partner's entries and sealed messages */
	fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", dest, strerror(errno));
		return errno == EEXIST ? PAKT_EEXIST : PAKT_EIO;
	}
	close(fd);
	if (sqlite3_open_v2(dest, &to, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    (b = sqlite3_backup_init(to, "main", s->db, "main")) != NULL) {
		rc = sqlite3_backup_step(b, -1);
		sqlite3_backup_finish(b);
	}
	if (rc != SQLITE_DONE) {
		snprintf(why, whylen, "copying the store to %s: %s", dest, to ? sqlite3_errmsg(to) : "out of memory");
		sqlite3_close(to);
		unlink(dest);
		return rc == SQLITE_FULL ? PAKT_ENOSPC : PAKT_EIO;
	}
	sqlite3_close(to);
	return 0;
}

static int migrate(struct store *s, const char *path, char *why, size_t whylen)
{
	char sql[64], bak[4200];
	int v, rc;

	if (schema_version(s, &v) != 0)
		return store_fail(s, why, whylen, "reading schema version");
	if (v > (int)N_MIGRATIONS) {
		snprintf(why, whylen, "database schema version %d is newer than this paktd (%d): upgrade pakt",
			 v, STORE_SCHEMA_VERSION);
		return PAKT_EVERSION;
	}
	/* An upgrade keeps the store as it was: a rollback to the older paktd
	 * takes this copy (README, "Upgrades"). A new store has nothing to keep. */
	if (v > 0 && v < (int)N_MIGRATIONS) {
		snprintf(bak, sizeof bak, "%s.schema%d.bak", path, v);
		if ((rc = store_copy(s, bak, why, whylen)) != 0 && rc != PAKT_EEXIST)
			return rc;
	}
	for (; v < (int)N_MIGRATIONS; v++) {
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		if (store_exec(s, "BEGIN IMMEDIATE") != 0 ||
		    store_exec(s, migrations[v]) != 0 || store_exec(s, sql) != 0) {
			rc = store_fail(s, why, whylen, "migrating schema");
			store_exec(s, "ROLLBACK");
			return rc;
		}
		if (store_exec(s, "COMMIT") != 0)
			return store_fail(s, why, whylen, "migrating schema");
	}
	return 0;
}

static int prepare_all(struct store *s)
{
	static const struct { size_t off; const char *sql; } stmts[] = {
		{offsetof(struct store, feed_get), "SELECT id FROM feeds WHERE network = ?1 AND author = ?2"},
		{offsetof(struct store, feed_add), "INSERT INTO feeds(network, author) VALUES (?1, ?2)"},
		{offsetof(struct store, entry_add),
		 "INSERT INTO entries(feed, seq, hkey, hash, type, ts, header, sig, body, received)"
		 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"},
		{offsetof(struct store, entry_at), "SELECT hash FROM entries WHERE feed = ?1 AND seq = ?2"},
		{offsetof(struct store, range),
		 "SELECT id, seq, hash, type, ts, received, header, sig, body FROM entries"
		 " WHERE feed = ?1 AND seq >= ?2 ORDER BY seq LIMIT ?3"},
		{offsetof(struct store, head),
		 "SELECT e.seq, e.hash, e.ts FROM entries e JOIN feeds f ON f.id = e.feed"
		 " WHERE f.network = ?1 AND f.author = ?2 ORDER BY e.seq DESC LIMIT 1"},
	};
	for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++) {
		sqlite3_stmt **slot = (sqlite3_stmt **)((char *)s + stmts[i].off);

		if (sqlite3_prepare_v3(s->db, stmts[i].sql, -1, SQLITE_PREPARE_PERSISTENT,
				       slot, NULL) != SQLITE_OK)
			return PAKT_EIO;
	}
	return 0;
}

/* Every page of the file, before anything is written to it: a file cut
 * short is refused by SQLite at the first read, but a page lost or
 * overwritten in the middle only by reading it. Costs about 15 ms for
 * 10,000 entries (7 MB) from the page cache, 0.2 s from a cold disk. */
static int check_pages(struct store *s, const char *path, char *why, size_t whylen)
{
	sqlite3_stmt *st;
	const char *res = NULL;

	if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		res = (const char *)sqlite3_column_text(st, 0);
	if (res != NULL && strcmp(res, "ok") == 0) {
		sqlite3_finalize(st);
		return 0;
	}
	snprintf(why, whylen, "%s: damaged: %.160s (" STORE_RECOVERY ")", path,
		 res != NULL ? res : sqlite3_errmsg(s->db));
	for (char *c = why; *c != '\0'; c++)   /* one log line */
		if (*c == '\n')
			*c = ' ';
	sqlite3_finalize(st);
	return PAKT_EIO;
}

int store_open(struct store **out, const char *path, bool readonly,
	       char *why, size_t whylen)
{
	int flags = readonly ? SQLITE_OPEN_READONLY
			     : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	struct store *s = calloc(1, sizeof *s);
	int rc;

	*out = NULL;
	if (s == NULL)
		return PAKT_ENOMEM;
	s->readonly = readonly;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		rc = store_fail(s, why, whylen, path);
		goto close_store;
	}
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_extended_result_codes(s->db, 1);
	/* Reading the schema first detects a file that is not a database. */
	if (store_exec(s, "SELECT count(*) FROM sqlite_master") != 0) {
		snprintf(why, whylen, "%s: %s (" STORE_RECOVERY ")", path, store_errmsg(s));
		rc = PAKT_EIO;
		goto close_store;
	}
	if (!readonly) {
		int v;

		/* Refuse a newer schema before changing anything in the file. */
		if (schema_version(s, &v) == 0 && v > STORE_SCHEMA_VERSION) {
			snprintf(why, whylen, "database schema version %d is newer than this paktd (%d): upgrade pakt",
				 v, STORE_SCHEMA_VERSION);
			rc = PAKT_EVERSION;
			goto close_store;
		}
		rc = check_pages(s, path, why, whylen);
		if (rc != 0)
			goto close_store;
		/* a redacted body must not survive in free pages */
		if (store_exec(s, "PRAGMA secure_delete = ON") != 0 ||
		    store_exec(s, "PRAGMA journal_mode = WAL") != 0 ||
		    store_exec(s, "PRAGMA synchronous = FULL") != 0 ||
		    store_exec(s, "PRAGMA foreign_keys = ON") != 0) {
			rc = store_fail(s, why, whylen, path);
			goto close_store;
		}
		rc = migrate(s, path, why, whylen);
		if (rc != 0)
			goto close_store;
	} else {
		int v;

		if (schema_version(s, &v) != 0 || v != STORE_SCHEMA_VERSION) {
			snprintf(why, whylen, "%s: unexpected schema version", path);
			rc = PAKT_EVERSION;
			goto close_store;
		}
	}
	if (prepare_all(s) != 0) {
		rc = store_fail(s, why, whylen, "preparing statements");
		goto close_store;
	}
	*out = s;
	return 0;
close_store:
	store_close(s);
	return rc;
}

void store_close(struct store *s)
{
	if (s == NULL)
		return;
	sqlite3_finalize(s->feed_get);
	sqlite3_finalize(s->feed_add);
	sqlite3_finalize(s->entry_add);
	sqlite3_finalize(s->entry_at);
	sqlite3_finalize(s->head);
	sqlite3_finalize(s->range);
	sqlite3_finalize(s->scan);
	sqlite3_finalize(s->scan_net);
	sqlite3_close(s->db);
	free(s);
}

int store_feed_id(struct store *s, const uint8_t *network, const uint8_t *author,
		   bool create, int64_t *id)
{
	int rc;

	sqlite3_reset(s->feed_get);
	sqlite3_bind_blob(s->feed_get, 1, network, 32, SQLITE_STATIC);
	sqlite3_bind_blob(s->feed_get, 2, author, 32, SQLITE_STATIC);
	rc = sqlite3_step(s->feed_get);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s->feed_get, 0);
		sqlite3_reset(s->feed_get);
		return 0;
	}
	sqlite3_reset(s->feed_get);
	if (rc != SQLITE_DONE)
		return PAKT_EIO;
	if (!create)
		return PAKT_ENOTFOUND;
	sqlite3_reset(s->feed_add);
	sqlite3_bind_blob(s->feed_add, 1, network, 32, SQLITE_STATIC);
	sqlite3_bind_blob(s->feed_add, 2, author, 32, SQLITE_STATIC);
	rc = sqlite3_step(s->feed_add);
	sqlite3_reset(s->feed_add);
	if (rc != SQLITE_DONE)
		return PAKT_EIO;
	*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

static int64_t hash_key(const uint8_t *hash)
{
	uint64_t k = 0;

	for (int i = 0; i < 8; i++)
		k = k << 8 | hash[i];
	return (int64_t)k;
}

/* Insert one entry; 0 when stored or already present with the same hash. */
static int append_one(struct store *s, const struct entry *e, int64_t received,
		      int64_t *cached_feed, const uint8_t **cached_key, size_t *added)
{
	const uint8_t *net = entry_network(e);
	int64_t fid;
	int rc;

	if (*cached_key != NULL && memcmp(cached_key[0], net, 32) == 0 &&
	    memcmp(cached_key[1], e->h.author, 32) == 0) {
		fid = *cached_feed;
	} else {
		rc = store_feed_id(s, net, e->h.author, true, &fid);
		if (rc != 0)
			return rc;
		*cached_feed = fid;
		cached_key[0] = net;
		cached_key[1] = e->h.author;
	}
	sqlite3_stmt *st = s->entry_add;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, fid);
	sqlite3_bind_int64(st, 2, (int64_t)e->h.seq);
	sqlite3_bind_int64(st, 3, hash_key(e->hash));
	sqlite3_bind_blob(st, 4, e->hash, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, e->h.type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (int64_t)e->h.timestamp);
	sqlite3_bind_blob(st, 7, e->header_bytes, (int)e->header_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, e->sig, PAKT_SIG_LEN, SQLITE_STATIC);
	if (e->body != NULL)
		sqlite3_bind_blob(st, 9, e->body, (int)e->body_len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 9);
	sqlite3_bind_int64(st, 10, received);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE) {
		(*added)++;
		return 0;
	}
	if (rc != SQLITE_CONSTRAINT_UNIQUE)
		return PAKT_EIO;
	/* Same (feed, seq): harmless duplicate, or a fork. */
	sqlite3_reset(s->entry_at);
	sqlite3_bind_int64(s->entry_at, 1, fid);
	sqlite3_bind_int64(s->entry_at, 2, (int64_t)e->h.seq);
	rc = sqlite3_step(s->entry_at) == SQLITE_ROW &&
	     sqlite3_column_bytes(s->entry_at, 0) == 32 &&
	     memcmp(sqlite3_column_blob(s->entry_at, 0), e->hash, 32) == 0
		     ? 0 : PAKT_EDUP;
	sqlite3_reset(s->entry_at);
	return rc;
}

int store_append(struct store *s, const struct entry *const *es, size_t n,
		 int64_t received_ms, size_t *added)
{
	const uint8_t *cached_key[2] = {NULL, NULL};
	int64_t cached_feed = 0;
	size_t count = 0;
	int rc = 0;

	if (s->readonly)
		return PAKT_EINVAL;
	if (store_begin(s) != 0)
		return store_abort(s, 0);
	s->appended_from = store_sig_max_rowid(s) + 1;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = append_one(s, es[i], received_ms, &cached_feed, cached_key, &count);
	/* rows stored before their signatures are all checked: the mark is
	 * in the same transaction, so a crash cannot leave them unmarked */
	s->appended_to = count > 0 ? sqlite3_last_insert_rowid(s->db) : 0;
	if (rc == 0 && s->unchecked && count > 0)
		rc = store_sig_mark(s, s->appended_from);
	if (rc == 0 && store_exec(s, "COMMIT") == 0) {
		if (s->unchecked && count > 0) {   /* hidden until checked */
			if (s->pend_to == 0)
				s->pend_from = s->appended_from;
			s->pend_to = s->appended_to;
			if (s->horizon == 0)
				s->horizon = s->appended_from;
		}
		if (added != NULL)
			*added = count;
		return 0;
	}
	return store_abort(s, rc);
}

int store_set_durable(struct store *s, bool durable)
{
	if (s->relaxed == !durable)
		return 0;
	if (store_exec(s, durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL") != 0)
		return PAKT_EIO;
	s->relaxed = !durable;
	return 0;
}

int store_head(struct store *s, const uint8_t network[32],
	       const uint8_t author[32], uint64_t *seq, uint8_t hash[32], uint64_t *ts)
{
	sqlite3_stmt *st = s->head;
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_blob(st, 1, network, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, author, 32, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 32) {
		*seq = (uint64_t)sqlite3_column_int64(st, 0);
		memcpy(hash, sqlite3_column_blob(st, 1), 32);
		if (ts)
			*ts = (uint64_t)sqlite3_column_int64(st, 2);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? PAKT_ENOTFOUND : PAKT_EIO;
	}
	sqlite3_reset(st);
	return rc;
}

const uint8_t *store_blob32(sqlite3_stmt *st, int col)
{
	return sqlite3_column_bytes(st, col) == 32 ? sqlite3_column_blob(st, col) : NULL;
}

int store_scan(struct store *s, const struct store_query *q, store_row_cb cb,
	       void *arg)
{
	static const uint8_t zero[32];
	char sql[768];
	sqlite3_stmt *st;
	int rc = 0, step;

	/* The inner query picks the rows; "last N" takes the newest N and the
	 * outer query puts them back in order. */
	snprintf(sql, sizeof sql,
		 "SELECT * FROM (SELECT e.id, f.network, f.author, e.hash, e.seq, e.type, e.ts,"
		 " e.received, e.header, e.sig, e.body, e.feed FROM entries e JOIN feeds f ON f.id = e.feed"
		 " WHERE e.id > ?1 AND e.id < ?6 AND (?2 IS NULL OR f.network = ?2) AND (?3 IS NULL OR f.author = ?3)"
		 " AND %s ORDER BY %s LIMIT ?5) ORDER BY %s",
		 /* the index's own term lets SQLite use the partial entries_type */
		 q->type == NULL ? "?4 IS NULL"
		 : type_indexed(q->type) ? "e.type = ?4 AND " STORE_TYPES_INDEXED
		 : "e.type = ?4",
		 q->by_feed ? (q->last ? "e.feed DESC, e.seq DESC" : "e.feed, e.seq")
			    : (q->last ? "e.id DESC" : "e.id"),
		 q->by_feed ? "feed, seq" : "id");
	/* The arrival-order form runs after every stored batch (live streams):
	 * keep it prepared. A scan inside a scan's callback prepares its own. */
	bool cached = !q->by_feed && !q->last && q->type == NULL && !s->scan_busy;
	if (cached && s->scan == NULL &&
	    sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->scan, NULL) != SQLITE_OK)
		return PAKT_EIO;
	if (cached) {
		st = s->scan;
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		s->scan_busy = true;
	} else if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		return PAKT_EIO;
	}
	sqlite3_bind_int64(st, 1, q->after_rowid);
	if (q->network)
		sqlite3_bind_blob(st, 2, q->network, 32, SQLITE_STATIC);
	if (q->author)
		sqlite3_bind_blob(st, 3, q->author, 32, SQLITE_STATIC);
	if (q->type)
		sqlite3_bind_text(st, 4, q->type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, q->last ? (int64_t)q->last : q->limit ? (int64_t)q->limit : -1);
	sqlite3_bind_int64(st, 6, q->unchecked || s->horizon == 0 ? INT64_MAX : s->horizon);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_row r = {
			.rowid = sqlite3_column_int64(st, 0),
			.network = store_blob32(st, 1),
			.author = store_blob32(st, 2),
			.hash = store_blob32(st, 3),
			.seq = (uint64_t)sqlite3_column_int64(st, 4),
			.type = (const char *)sqlite3_column_text(st, 5),
			.timestamp = sqlite3_column_int64(st, 6),
			.received = sqlite3_column_int64(st, 7),
			.header = sqlite3_column_blob(st, 8),
			.header_len = (size_t)sqlite3_column_bytes(st, 8),
			.sig = sqlite3_column_blob(st, 9),
			.sig_len = (size_t)sqlite3_column_bytes(st, 9),
			.body = sqlite3_column_blob(st, 10),
			.body_len = (size_t)sqlite3_column_bytes(st, 10),
		};
		/* A damaged row still reaches the callback, with zeros where a
		 * column has the wrong size, so that verify can name it. */
		if (r.network == NULL)
			r.network = zero;
		if (r.author == NULL)
			r.author = zero;
		if (r.hash == NULL)
			r.hash = zero;
		if (r.type == NULL)
			r.type = "";
		if (sqlite3_column_type(st, 10) == SQLITE_NULL)
			r.body = NULL;
		rc = cb(arg, &r);
		if (rc != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = PAKT_EIO;
	if (cached) {
		sqlite3_reset(st);
		s->scan_busy = false;
	} else {
		sqlite3_finalize(st);
	}
	return rc;
}

static int64_t count_of(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int store_counts(struct store *s, uint64_t *entries, uint64_t *feeds,
		 uint64_t *networks)
{
	int64_t e = count_of(s, "SELECT count(*) FROM entries");
	int64_t f = count_of(s, "SELECT count(*) FROM feeds");
	int64_t n = count_of(s, "SELECT count(DISTINCT network) FROM feeds");

	if (e < 0 || f < 0 || n < 0)
		return PAKT_EIO;
	*entries = (uint64_t)e;
	*feeds = (uint64_t)f;
	*networks = (uint64_t)n;
	return 0;
}

int64_t store_last_rowid(struct store *s)
{
	int64_t v = count_of(s, "SELECT coalesce(max(id), 0) FROM entries");

	if (s->horizon != 0 && v >= s->horizon)
		v = s->horizon - 1;   /* what readers see */
	return v < 0 ? 0 : v;
}

int store_networks(struct store *s, uint8_t (*out)[32], size_t cap, size_t *n)
{
	sqlite3_stmt *st;
	int step;

	*n = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT network FROM (SELECT network, min(id) AS k FROM feeds GROUP BY network"
			       " UNION ALL SELECT network, 9e18 FROM joined WHERE network NOT IN"
			       " (SELECT network FROM feeds)) ORDER BY k",
			       -1, &st, NULL) != SQLITE_OK)
		return PAKT_EIO;
	while ((step = sqlite3_step(st)) == SQLITE_ROW && *n < cap) {
		const uint8_t *b = store_blob32(st, 0);

		if (b != NULL)
			memcpy(out[(*n)++], b, 32);
	}
	sqlite3_finalize(st);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : PAKT_EIO;
}
