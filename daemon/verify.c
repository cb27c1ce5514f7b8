/* Whole-store verification. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/verify.h"
#include "proto/err.h"

struct walk {
	struct verify_result *r;
	bool in_feed;
	uint8_t network[32], author[32];
	uint64_t prev_seq;
	uint8_t prev_hash[32];       /* as stored, which is what the next entry links to */
};

static void report(struct walk *w, const struct store_row *row, int code, const char *why)
{
	struct verify_result *r = w->r;
	struct verify_bad *b;

	r->n_bad++;
	if (r->bad_len >= VERIFY_BAD_MAX)
		return;
	b = &r->bad[r->bad_len++];
	memcpy(b->network, row->network, 32);
	memcpy(b->author, row->author, 32);
	b->seq = row->seq;
	b->code = code;
	snprintf(b->reason, sizeof b->reason, "%s", why ? why : pakt_strerror(code));
}

/* The first problem of one row, or 0. Link checks use the previous row's
 * stored hash so that one damaged entry is reported once, not also as a
 * broken link in its successor. */
static int check_row(struct walk *w, const struct store_row *row, const char **why)
{
	struct entry e;
	int rc;

	*why = NULL;
	if (row->sig_len != PAKT_SIG_LEN) {
		*why = "stored signature has the wrong length";
		return PAKT_EFORMAT;
	}
	rc = entry_from_parts(&e, row->header, row->header_len, row->sig,
			      row->body, row->body_len);
	if (rc != 0)
		return rc;
	/* The signature first: a damaged header or signature also changes the
	 * entry hash, and "bad signature" is the reason that explains it. */
	rc = entry_verify(&e);
	if (rc != 0)
		return rc;
	if (e.h.seq != row->seq || memcmp(e.hash, row->hash, 32) != 0 ||
	    memcmp(entry_network(&e), row->network, 32) != 0 ||
	    memcmp(e.h.author, row->author, 32) != 0) {
		*why = "stored index columns do not match the signed header";
		return PAKT_ECHAIN;
	}
	if (row->seq == 1)
		return 0;
	if (!w->in_feed || w->prev_seq + 1 != row->seq) {
		*why = "gap: the entry before this one is missing";
		return PAKT_ECHAIN;
	}
	if (memcmp(e.h.prev, w->prev_hash, 32) != 0)
		return PAKT_ECHAIN;
	return 0;
}

static int on_row(void *arg, const struct store_row *row)
{
	struct walk *w = arg;
	const char *why;
	int rc;

	if (!w->in_feed || memcmp(w->network, row->network, 32) != 0 ||
	    memcmp(w->author, row->author, 32) != 0) {
		w->r->feeds++;
		w->in_feed = false;
	}
	w->r->checked++;
	if (row->body != NULL)
		w->r->bodies++;
	rc = check_row(w, row, &why);
	if (rc != 0)
		report(w, row, rc, why);
	w->in_feed = true;
	memcpy(w->network, row->network, 32);
	memcpy(w->author, row->author, 32);
	w->prev_seq = row->seq;
	memcpy(w->prev_hash, row->hash, 32);
	return 0;
}

int verify_store(struct store *s, struct verify_result *out)
{
	struct store_query q = {.by_feed = true};
	struct walk w = {.r = out};

	memset(out, 0, sizeof *out);
	out->bad = calloc(VERIFY_BAD_MAX, sizeof *out->bad);
	if (out->bad == NULL)
		return PAKT_ENOMEM;
	return store_scan(s, &q, on_row, &w);
}

void verify_result_free(struct verify_result *r)
{
	free(r->bad);
	r->bad = NULL;
}
