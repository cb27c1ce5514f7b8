/* Whole-store verification. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/verify.h"
#include "proto/err.h"

/* Signatures are checked in batches on two threads (half each): the
 * rest of a row's checks run as it is read, and its report waits for its
 * batch, so that reports keep the walk's order. */
#define VERIFY_BATCH 4096

struct pending {
	uint8_t network[32], author[32];
	uint64_t seq;
	int code;                    /* the problem found without the signature, or 0 */
	const char *why;
	bool check_sig, bad_sig;
	struct entry e;              /* header bytes and signature (body NULL) */
};

struct walk {
	struct verify_result *r;
	bool in_feed;
	uint8_t network[32], author[32];
	uint64_t prev_seq;
	uint8_t prev_hash[32];       /* as stored, which is what the next entry links to */
	struct pending *p;           /* VERIFY_BATCH */
	size_t n_p;
	verify_progress *progress;   /* may be NULL */
};

static void report(struct walk *w, const struct pending *p, int code, const char *why)
{
	struct verify_result *r = w->r;
	struct verify_bad *b;

	r->n_bad++;
	if (r->bad_len >= VERIFY_BAD_MAX)
		return;
	b = &r->bad[r->bad_len++];
	memcpy(b->network, p->network, 32);
	memcpy(b->author, p->author, 32);
	b->seq = p->seq;
	b->code = code;
	snprintf(b->reason, sizeof b->reason, "%s", why ? why : pakt_strerror(code));
}

/* The first problem of one row apart from its signature, or 0 (into p;
 * p->check_sig when its signature is to be checked). Link checks use the
 * previous row's stored hash so that one damaged entry is reported once,
 * not also as a broken link in its successor. */
static void check_row(struct walk *w, const struct store_row *row, struct pending *p)
{
	struct entry *e = &p->e;

	p->why = NULL;
	p->code = 0;
	p->check_sig = p->bad_sig = false;
	if (row->sig_len != PAKT_SIG_LEN) {
		p->why = "stored signature has the wrong length";
		p->code = PAKT_EFORMAT;
		return;
	}
	if ((p->code = entry_from_parts(e, row->header, row->header_len, row->sig,
					row->body, row->body_len)) != 0)
		return;
	e->body = NULL;              /* the row's: gone after this call */
	/* The signature first (at the batch): a damaged header or signature
	 * also changes the entry hash, and "bad signature" explains it. */
	p->check_sig = true;
	if (e->h.seq != row->seq || memcmp(e->hash, row->hash, 32) != 0 ||
	    memcmp(entry_network(e), row->network, 32) != 0 ||
	    memcmp(e->h.author, row->author, 32) != 0) {
		p->why = "stored index columns do not match the signed header";
		p->code = PAKT_ECHAIN;
		return;
	}
	if (row->seq == 1)
		return;
	if (!w->in_feed || w->prev_seq + 1 != row->seq) {
		p->why = "gap: the entry before this one is missing";
		p->code = PAKT_ECHAIN;
		return;
	}
	if (memcmp(e->h.prev, w->prev_hash, 32) != 0)
		p->code = PAKT_ECHAIN;
}

struct half {
	struct pending *p;
	size_t n, from;              /* every second item from `from` */
};

static void *check_sigs(void *arg)
{
	struct half *h = arg;

	for (size_t i = h->from; i < h->n; i += 2)
		if (h->p[i].check_sig)
			h->p[i].bad_sig = entry_verify(&h->p[i].e) != 0;
	return NULL;
}

/* Check the batch's signatures (a second thread takes every other one;
 * alone if it cannot start) and report its rows' problems in order. */
static void flush(struct walk *w)
{
	struct half a = {w->p, w->n_p, 0}, b = {w->p, w->n_p, 1};
	pthread_t th;
	bool spawned = w->n_p > 64 && pthread_create(&th, NULL, check_sigs, &b) == 0;

	check_sigs(&a);
	if (spawned)
		pthread_join(th, NULL);
	else
		check_sigs(&b);
	for (size_t i = 0; i < w->n_p; i++) {
		const struct pending *p = &w->p[i];

		if (p->bad_sig)
			report(w, p, PAKT_ESIG, NULL);
		else if (p->code != 0)
			report(w, p, p->code, p->why);
	}
	if (w->progress != NULL)
		atomic_fetch_add(w->progress, w->n_p);
	w->n_p = 0;
}

static int on_row(void *arg, const struct store_row *row)
{
	struct walk *w = arg;
	struct pending *p = &w->p[w->n_p++];

	if (!w->in_feed || memcmp(w->network, row->network, 32) != 0 ||
	    memcmp(w->author, row->author, 32) != 0) {
		w->r->feeds++;
		w->in_feed = false;
	}
	w->r->checked++;
	if (row->body != NULL)
		w->r->bodies++;
	memcpy(p->network, row->network, 32);
	memcpy(p->author, row->author, 32);
	p->seq = row->seq;
	check_row(w, row, p);
	w->in_feed = true;
	memcpy(w->network, row->network, 32);
	memcpy(w->author, row->author, 32);
	w->prev_seq = row->seq;
	memcpy(w->prev_hash, row->hash, 32);
	if (w->n_p == VERIFY_BATCH)
		flush(w);
	return 0;
}

int verify_store_progress(struct store *s, struct verify_result *out, verify_progress *progress)
{
	struct store_query q = {.by_feed = true};
	struct walk w = {.r = out, .progress = progress};
	int rc;

	memset(out, 0, sizeof *out);
	out->bad = calloc(VERIFY_BAD_MAX, sizeof *out->bad);
	w.p = malloc(VERIFY_BATCH * sizeof *w.p);
	if (out->bad == NULL || w.p == NULL) {
		free(w.p);
		return PAKT_ENOMEM;
	}
	rc = store_scan(s, &q, on_row, &w);
	flush(&w);
	free(w.p);
	return rc;
}

int verify_store(struct store *s, struct verify_result *out)
{
	return verify_store_progress(s, out, NULL);
}

void verify_result_free(struct verify_result *r)
{
	free(r->bad);
	r->bad = NULL;
}
