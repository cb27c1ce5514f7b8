/* export: a bundle that proves one commitment's history or one feed's
 * range, with every membership entry and the chains they sit in, for
 * 'pakt verify' to check offline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/ctl_priv.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "proto/body.h"
#include "proto/bundle.h"
#include "proto/ctlmsg.h"
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

void ctl_export_run(struct ctl_client *cl, const struct ctlop_req *r)
{
	const struct ctlop_export *q = &r->u.export;
	struct node *n = cl->ctl->node;
	struct repl_net *rn = ctl_network(cl, r);
	bool has_feed = q->has_feed;
	struct bundle_builder b;
	struct export_ctx x = {.b = &b, .feed = has_feed, .subject = has_feed ? q->feed : q->ref,
			       .from = q->from, .to = q->to};
	struct store_query sq;
	struct bundle_gap *gaps = NULL;
	struct mpx_out file;
	struct ctlop_r_export rep = {.ok = true};
	size_t n_gaps = 0;
	int rc;

	if (rn == NULL)
		return;
	bundle_begin(&b, has_feed ? BUNDLE_FEED : BUNDLE_COMMITMENT, rn->id, x.subject);
	if (has_feed && x.to != UINT64_MAX)
		bundle_feed_range(&b, x.from, x.to);
	sq = (struct store_query){.network = rn->id};
	rc = store_scan(n->store, &sq, export_row, &x);
	if (rc == 1 || rc == 0)
		rc = x.rc;
	/* fill every feed's chain from seq 1, so each entry's place is proven */
	while (rc == 0 && (rc = bundle_gaps(&b, &gaps, &n_gaps)) == 0 && n_gaps > 0) {
		for (size_t i = 0; rc == 0 && i < n_gaps; i++) {
			struct export_ctx all = {.b = &b, .feed = true, .subject = gaps[i].author,
						 .from = gaps[i].from, .to = gaps[i].to};
			uint64_t span = gaps[i].to - gaps[i].from + 1;

			rc = store_range(n->store, rn->id, gaps[i].author, gaps[i].from,
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
	mpx_init(&file);
	if (rc == 0 && b.n == 0)
		rc = PAKT_ENOTFOUND;
	if (rc == 0)
		rc = bundle_finish(&b, &file);
	bundle_free(&b);
	if (rc != 0) {
		ctl_send_error(cl, rc, rc == PAKT_ENOTFOUND ? "nothing to export: no such commitment or feed here"
				       : rc == PAKT_EFORK ? "the feed has a fork: export the audit instead"
				       : pakt_strerror(rc));
		mpx_free(&file);
		return;
	}
	if (file.sb.size + 64 > CTL_FRAME_MAX) {
		ctl_send_error(cl, PAKT_ETOOBIG, "the bundle is larger than 1 MiB: export a shorter --from/--to range");
		mpx_free(&file);
		return;
	}
	rep.bundle = (uint8_t *)file.sb.data;
	rep.bundle_len = file.sb.size;
	ctl_reply(cl, CTLOP_R_EXPORT, &rep);
	mpx_free(&file);
}
