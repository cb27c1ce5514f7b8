/* Control operations on identity keys: key.rotate (hand our place to a
 * new key, daemon/rotate.h) and member.revoke_key (an admin declares a
 * member's key stolen from a given seq on). */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "daemon/ctl_priv.h"
#include "daemon/log.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/rotate.h"
#include "keys/passphrase.h"
#include "proto/body.h"
#include "proto/ctlmsg.h"
#include "proto/err.h"
#include "proto/id.h"

void op_key_rotate(struct ctl_client *cl, const msgpack_object *req)
{
	struct node *n = cl->ctl->node;
	char pass[PASSPHRASE_MAX + 1] = "", why[256] = "";
	uint8_t old_pk[32];
	size_t told = 0;
	struct mpx_out o;
	int rc;

	if ((rc = mpx_get_cstr(req, "passphrase", pass, sizeof pass)) != 0 && rc != PAKT_ENOTFOUND) {
		ctl_send_error(cl, PAKT_EINVAL, "the passphrase must be a string of at most 1024 bytes");
		return;
	}
	memcpy(old_pk, n->id.pk, 32);
	rc = rotate_key(n, pass, &told, why, sizeof why);
	sodium_memzero(pass, sizeof pass);
	if (rc != 0 && memcmp(old_pk, n->id.pk, 32) == 0) {
		ctl_send_error(cl, rc, why[0] ? why : pakt_strerror(rc));
		return;
	}
	mpx_init(&o);
	ctl_begin(&o);
	msgpack_pack_map(&o.pk, rc ? 5 : 4);
	mpx_kv_u64(&o.pk, "initiatives", told);
	mpx_kv_bin(&o.pk, "key", n->id.pk, 32);
	mpx_kv_bool(&o.pk, "ok", true);
	mpx_kv_bin(&o.pk, "old", old_pk, 32);
	if (rc)
		mpx_kv_str(&o.pk, "warning", why);
	ctl_finish(&o);
	ctl_client_send(cl, &o);
	mpx_free(&o);
}

void op_member_revoke_key(struct ctl_client *cl, const msgpack_object *req)
{
	struct node *n = cl->ctl->node;
	struct repl_net *rn = ctl_network(cl, req);
	struct body_revoke rv = {0};
	struct mpx_out body;
	int rc;

	if (rn == NULL || !ctl_need_key(cl, req, rv.key))
		return;
	if (mpx_get_u64(req, "after", &rv.after) != 0) {
		ctl_send_error(cl, PAKT_EINVAL, "'after' must be the last trusted seq (0 or more)");
		return;
	}
	if ((rc = mpx_get_cstr(req, "reason", rv.reason, sizeof rv.reason)) != 0 && rc != PAKT_ENOTFOUND) {
		ctl_send_error(cl, PAKT_EINVAL, "the reason must be at most 1024 bytes");
		return;
	}
	if (!ctl_need_admin(cl, rn))
		return;
	if (roster_lookup(&rn->members, rv.key) == NULL) {
		ctl_send_error(cl, PAKT_ENOTMEMBER, "that key never was a member of this initiative");
		return;
	}
	if (memcmp(rv.key, n->id.pk, 32) == 0) {
		ctl_send_error(cl, PAKT_EINVAL,
			       "this node's own key: rotate it with 'pakt key rotate', or let another admin revoke it");
		return;
	}
	mpx_init(&body);
	ctl_publish(cl, rn, "revoke", &body, body_revoke(&body, &rv));
}
