/* Control operations on identity keys: key.rotate (hand our place to a
 * new key, daemon/rotate.h) and member.revoke_key (an admin declares a
 * member's key stolen from a given seq on). */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "daemon/ctl_priv.h"
#include "daemon/tr.h"
#include "daemon/log.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/rotate.h"
#include "keys/passphrase.h"
#include "proto/body.h"
#include "proto/ctlmsg.h"
#include "proto/err.h"
#include "proto/id.h"

_Static_assert(CTLOP_PASSPHRASE_MAX == PASSPHRASE_MAX, "the request holds any passphrase a key file takes");

/* The passphrase is wiped with the request by ctl.c's dispatch, and its
 * frame's bytes as they are consumed (ctlmsg_consume). */
void ctl_keys_rotate(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct node *n = cl->ctl->node;
	char why[256] = "";
	uint8_t old_pk[32];
	size_t told = 0;
	struct ctlop_r_rotated rep = {.ok = true};
	int rc;

	memcpy(old_pk, n->id.pk, 32);
	rc = rotate_key(n, r->u.rotate.passphrase, &told, why, sizeof why);
	if (rc != 0 && memcmp(old_pk, n->id.pk, 32) == 0) {
		ctl_send_error(cl, rc, why[0] ? why : pakt_strerror(rc));
		return;
	}
	rep.initiatives = told;
	memcpy(rep.key, n->id.pk, 32);
	memcpy(rep.old, old_pk, 32);
	rep.has_warning = rc != 0;
	snprintf(rep.warning, sizeof rep.warning, "%s", rc ? why : "");
	ctl_reply(cl, CTLOP_R_ROTATED, &rep);
}

void ctl_keys_revoke(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct node *n = cl->ctl->node;
	struct repl_net *rn = ctl_network(cl, r);
	const struct body_revoke *rv = &r->u.revoke;
	struct mpx_out body;

	if (rn == NULL || !ctl_need_admin(cl, rn))
		return;
	if (roster_lookup(&rn->members, rv->key) == NULL) {
		ctl_send_error(cl, PAKT_ENOTMEMBER, N_("that key never was a member of this initiative"));
		return;
	}
	if (memcmp(rv->key, n->id.pk, 32) == 0) {
		ctl_send_error(cl, PAKT_EINVAL,
			       N_("this node's own key: rotate it with 'pakt key rotate', or let another admin revoke it"));
		return;
	}
	mpx_init(&body);
	ctl_publish(cl, rn, "revoke", &body, body_revoke(&body, rv));
}
