/* Helpers shared by the unit tests of daemon/: temporary directories and
 * chains of signed entries. Header-only (static functions), include it once
 * per test program after <cmocka.h>. */
#ifndef PAKT_TESTUTIL_H
#define PAKT_TESTUTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keys/keys.h"
#include "proto/body.h"
#include "proto/entry.h"
#include "proto/mpx.h"

#define TU_UNUSED __attribute__((unused))

#define TU_TIMESTAMP 1767225600000ULL   /* 2026-01-01, ms */
#define TU_FEED_MAX 16
#define TU_BODY_CAP 512

/* Create a fresh directory /tmp/pakt-test-<tag>-XXXXXX into dir[64]. */
static TU_UNUSED int tu_mkdtemp(char dir[64], const char *tag)
{
	snprintf(dir, 64, "/tmp/pakt-test-%s-XXXXXX", tag);
	return mkdtemp(dir) != NULL ? 0 : -1;
}

/* Remove dir and the plain files in it (tests create no subdirectories). */
static TU_UNUSED int tu_rmdir(const char *dir)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	return rmdir(dir);
}

/* Sign one entry into *e whose body is copied into body[TU_BODY_CAP] (which
 * e borrows, so it must outlive e). network NULL makes a genesis entry
 * (admins: the signer); otherwise the body is a message {"text": text}.
 * prev NULL at seq 1. Fails the test on any error. */
static TU_UNUSED void tu_entry(struct entry *e, uint8_t body[TU_BODY_CAP],
			       const struct keys_identity *id,
			       const uint8_t *network, uint64_t seq,
			       const uint8_t *prev, const char *type,
			       const char *text)
{
	struct entry_header h;
	struct mpx_out o;
	int rc;

	memset(&h, 0, sizeof h);
	h.version = ENTRY_VERSION;
	h.has_network = network != NULL;
	if (network != NULL)
		memcpy(h.network, network, 32);
	memcpy(h.author, id->pk, 32);
	h.seq = seq;
	h.has_prev = prev != NULL;
	if (prev != NULL)
		memcpy(h.prev, prev, 32);
	h.timestamp = TU_TIMESTAMP + seq * 1000;
	snprintf(h.type, sizeof h.type, "%s", network != NULL ? type : "genesis");

	mpx_init(&o);
	if (network != NULL)
		rc = body_message(&o, text, NULL);
	else
		rc = body_genesis(&o, text, "a goal", (const uint8_t (*)[32])&id->pk, 1);
	assert_int_equal(rc, 0);
	assert_true(o.sb.size <= TU_BODY_CAP);
	memcpy(body, o.sb.data, o.sb.size);
	rc = entry_create(e, &h, body, o.sb.size, keys_sk_open(id));
	keys_sk_close(id);
	mpx_free(&o);
	assert_int_equal(rc, 0);
}

/* One feed: an author, a network and its entries so far, chained. */
struct tu_feed {
	struct keys_identity id;
	uint8_t network[32];
	size_t n;
	struct entry e[TU_FEED_MAX];
	uint8_t body[TU_FEED_MAX][TU_BODY_CAP];
};

/* Author from seed byte `seed`; network NULL: the feed starts with its own
 * genesis entry (seq 1) and its network is that entry's hash. */
static TU_UNUSED void tu_feed_init(struct tu_feed *f, uint8_t seed,
				   const uint8_t *network)
{
	uint8_t s[32];

	memset(f, 0, sizeof *f);
	memset(s, seed, sizeof s);
	assert_int_equal(keys_from_seed(&f->id, s), 0);
	if (network != NULL) {
		memcpy(f->network, network, 32);
		return;
	}
	tu_entry(&f->e[0], f->body[0], &f->id, NULL, 1, NULL, "genesis",
		 "an initiative");
	memcpy(f->network, entry_network(&f->e[0]), 32);
	f->n = 1;
}

/* Append the next entry of the feed; returns it. */
static TU_UNUSED struct entry *tu_feed_add(struct tu_feed *f, const char *type,
					   const char *text)
{
	size_t i = f->n;

	assert_true(i < TU_FEED_MAX);
	tu_entry(&f->e[i], f->body[i], &f->id, f->network, i + 1,
		 i > 0 ? f->e[i - 1].hash : NULL, type, text);
	f->n++;
	return &f->e[i];
}

/* Add n messages "<tag> <seq>". */
static TU_UNUSED void tu_feed_messages(struct tu_feed *f, const char *tag, size_t n)
{
	char text[64];

	for (size_t k = 0; k < n; k++) {
		snprintf(text, sizeof text, "%s %zu", tag, f->n + 1);
		tu_feed_add(f, "message", text);
	}
}

static TU_UNUSED void tu_feed_free(struct tu_feed *f)
{
	keys_free(&f->id);
}

#endif
