/* Building an audit bundle from the store (daemon/export.h). */
#include <stdlib.h>
#include <string.h>
#include "core/roster.h"
#include "daemon/export.h"
#include "proto/body.h"
#include "proto/bundle.h"
#include "proto/err.h"

struct export_ctx {
	struct bundle_builder *b;
	const uint8_t *subject;
	bool feed;
	uint64_t from, to;
	int rc;
};

/* Does entry e answer (reference) the commitment `subject`? */
static bool refers_to(const struct entry *e, const uint8_t subject[32])
{
	struct body_ref r;
	struct body_status st;

	if (e->body == NULL)
		return false;
	if (strcmp(e->h.type, "status") == 0)
		return body_status_parse(e->body, e->body_len, &st) == 0 && memcmp(st.ref, subject, 32) == 0;
	if (strcmp(e->h.type, "accept") == 0 || strcmp(e->h.type, "decline") == 0)
		return body_ref_parse(e->h.type, e->body, e->body_len, &r) == 0 &&
		       memcmp(r.ref, subject, 32) == 0;
	return false;
}

static int export_row(void *arg, const struct store_row *row)
{
	struct export_ctx *x = arg;
	struct entry e;
	bool take;

	if (entry_from_parts(&e, row->header, row->header_len, row->sig, row->body, row->body_len) != 0)
		return 0;
	if (roster_type(e.h.type))
		take = true;
	else if (x->feed)
		take = memcmp(e.h.author, x->subject, 32) == 0 && e.h.seq >= x->from && e.h.seq <= x->to;
	else
		take = memcmp(e.hash, x->subject, 32) == 0 || refers_to(&e, x->subject);
	if (take && (x->rc = bundle_add(x->b, &e, bundle_wants_body(x->b, &e))) != 0)
		return 1;
	return 0;
}

int export_bundle(struct store *s, const uint8_t net[32], const uint8_t subject[32], bool feed,
		  uint64_t from, uint64_t to, struct mpx_out *file)
{
	struct bundle_builder b;
	struct export_ctx x = {.b = &b, .feed = feed, .subject = subject, .from = from, .to = to};
	struct store_query sq = {.network = net};
	struct bundle_gap *gaps = NULL;
	size_t n_gaps = 0;
	int rc;

	bundle_begin(&b, feed ? BUNDLE_FEED : BUNDLE_COMMITMENT, net, subject);
	if (feed && to != UINT64_MAX)
		bundle_feed_range(&b, from, to);
	rc = store_scan(s, &sq, export_row, &x);
	if (rc == 1 || rc == 0)
		rc = x.rc;
	/* fill every feed's chain from seq 1, so each entry's place is proven */
	while (rc == 0 && (rc = bundle_gaps(&b, &gaps, &n_gaps)) == 0 && n_gaps > 0) {
		for (size_t i = 0; rc == 0 && i < n_gaps; i++) {
			struct export_ctx all = {.b = &b, .feed = true, .subject = gaps[i].author,
						 .from = gaps[i].from, .to = gaps[i].to};
			uint64_t span = gaps[i].to - gaps[i].from + 1;

			rc = store_range(s, net, gaps[i].author, gaps[i].from,
					 span > UINT32_MAX ? UINT32_MAX : (uint32_t)span, export_row, &all);
			if (rc == 0 || rc == 1)
				rc = all.rc;
		}
		free(gaps);
		gaps = NULL;
		if (rc == 0 && b.n == 0)
			break;
	}
	free(gaps);
	if (rc == 0 && b.n == 0)
		rc = PAKT_ENOTFOUND;
	if (rc == 0)
		rc = bundle_finish(&b, file);
	bundle_free(&b);
	return rc;
}
