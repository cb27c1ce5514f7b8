/* export: a bundle that proves one commitment's history or one feed's
 * range, with every membership entry and the chains they sit in, for
 * 'pakt verify' to check offline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/ctl_priv.h"
#include "daemon/tr.h"
#include "daemon/export.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "proto/ctlmsg.h"
#include "proto/err.h"

void ctl_export_run(struct ctl_client *cl, const struct ctlop_req *r)
{
	const struct ctlop_export *q = &r->u.export;
	struct node *n = cl->ctl->node;
	struct repl_net *rn = ctl_network(cl, r);
	struct mpx_out file;
	struct ctlop_r_export rep = {.ok = true};
	int rc;

	if (rn == NULL)
		return;
	mpx_init(&file);
	rc = export_bundle(n->store, rn->id, q->has_feed ? q->feed : q->ref, q->has_feed, q->from,
			   q->to, &file);
	if (rc != 0) {
		ctl_send_error(cl, rc, rc == PAKT_ENOTFOUND ? "nothing to export: no such commitment or feed here"
				       : rc == PAKT_EFORK ? "the feed has a fork: export the audit instead"
				       : pakt_strerror(rc));
		mpx_free(&file);
		return;
	}
	if (file.sb.size + 64 > CTL_FRAME_MAX) {
		ctl_send_error(cl, PAKT_ETOOBIG, N_("the bundle is larger than 1 MiB: export a shorter --from/--to range"));
		mpx_free(&file);
		return;
	}
	rep.bundle = (uint8_t *)file.sb.data;
	rep.bundle_len = file.sb.size;
	ctl_reply(cl, CTLOP_R_EXPORT, &rep);
	mpx_free(&file);
}
