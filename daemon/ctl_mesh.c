/* Control ops of the mesh: invites and joins, members, peers,
 * subscriptions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "daemon/ctl_priv.h"
#include "daemon/log.h"
#include "daemon/members.h"
#include "daemon/net.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "proto/body.h"
#include "proto/ctlmsg.h"
#include "proto/err.h"
#include "proto/id.h"
#include "proto/wire.h"

#define INVITE_TTL_DEFAULT_MS (7ull * 24 * 3600 * 1000)

struct repl_net *ctl_network(struct ctl_client *cl, const msgpack_object *req)
{
	struct node *n = cl->ctl->node;
	uint8_t arg[32], id[32];
	bool has;
	char why[256] = "";
	struct repl_net *rn;
	int rc;

	if (ctl_opt_bin32(cl, req, "network", arg, &has) != 0)
		return NULL;
	rc = node_pick_network(n, has ? arg : NULL, id, why, sizeof why);
	if (rc == 0)
		rc = repl_net_open(n, id, &rn);
	if (rc != 0) {
		ctl_send_error(cl, rc, why[0] ? why : pakt_strerror(rc));
		return NULL;
	}
	return rn;
}

/* {"ok": true} plus nothing else. */
void ctl_reply_ok(struct ctl_client *cl)
{
	struct mpx_out o;

	mpx_init(&o);
	ctl_begin(&o);
	msgpack_pack_map(&o.pk, 1);
	mpx_kv_bool(&o.pk, "ok", true);
	ctl_finish(&o);
	ctl_client_send(cl, &o);
	mpx_free(&o);
}

bool ctl_need_admin(struct ctl_client *cl, struct repl_net *rn)
{
	if (roster_is_admin(&rn->members, cl->ctl->node->id.pk))
		return true;
	ctl_send_error(cl, PAKT_EPERM, "only an admin of the initiative can do this");
	return false;
}

void op_invite(struct ctl_client *cl, const msgpack_object *req)
{
	struct node *n = cl->ctl->node;
	struct repl_net *rn = ctl_network(cl, req);
	struct invite inv = {0};
	char name[BODY_NAME_MAX + 1] = "", code[INVITE_TEXT_MAX];
	uint64_t ttl = INVITE_TTL_DEFAULT_MS;
	uint8_t h[32];
	struct mpx_out o;
	int rc;

	if (rn == NULL || !ctl_need_admin(cl, rn))
		return;
	if ((rc = mpx_get_cstr(req, "name", name, sizeof name)) != 0 && rc != PAKT_ENOTFOUND) {
		ctl_send_error(cl, PAKT_EINVAL, "the name must be at most 128 bytes");
		return;
	}
	if ((rc = mpx_get_u64(req, "ttl_ms", &ttl)) != 0 && rc != PAKT_ENOTFOUND) {
		ctl_send_error(cl, PAKT_EINVAL, "'ttl_ms' must be a duration in ms");
		return;
	}
	if (n->net == NULL || strncmp(n->net->listen_addr, "0.0.0.0:", 8) == 0) {
		ctl_send_error(cl, PAKT_EINVAL,
			       "this node listens on all addresses: set 'address = HOST:PORT' partners can reach");
		return;
	}
	memcpy(inv.network, rn->id, 32);
	memcpy(inv.inviter, n->id.pk, 32);
	snprintf(inv.addrs[0], sizeof inv.addrs[0], "%s",
		 n->cfg.address[0] ? n->cfg.address : n->net->listen_addr);
	inv.n_addrs = 1;
	randombytes_buf(inv.secret, sizeof inv.secret);
	inv.expires_ms = node_now_ms() + ttl;
	crypto_generichash(h, sizeof h, inv.secret, 32, NULL, 0);
	rc = store_invite_add(n->store, h, rn->id, name, inv.expires_ms);
	if (rc == 0)
		rc = invite_encode(&inv, code);
	sodium_memzero(&inv, sizeof inv);
	if (rc != 0) {
		ctl_send_error(cl, rc, "could not create the invite");
		return;
	}
	log_info("invite created%s%s, valid until %llu", name[0] ? " for " : "", name,
		 (unsigned long long)(node_now_ms() + ttl));
	mpx_init(&o);
	ctl_begin(&o);
	msgpack_pack_map(&o.pk, 2);
	mpx_kv_str(&o.pk, "code", code);
	mpx_kv_bool(&o.pk, "ok", true);
	ctl_finish(&o);
	ctl_client_send(cl, &o);
	mpx_free(&o);
	sodium_memzero(code, sizeof code);
}

static void join_done(void *arg, int rc, const char *why)
{
	struct ctl_client *cl = arg;
	struct node *n = cl->ctl->node;
	char text[ID_TEXT_MAX], cwhy[256];
	struct mpx_out o;

	cl->join_link = NULL;
	if (rc != 0) {
		char msg[320];

		snprintf(msg, sizeof msg, "join refused or failed: %s", why);
		ctl_send_error(cl, rc, msg);
		return;
	}
	/* welcomed: remember the initiative, and make it the default */
	if (store_joined_add(n->store, cl->join_net, cl->join_inviter) != 0)
		log_err("recording the joined initiative: %s", store_errmsg(n->store));
	id_encode(ID_NETWORK, cl->join_net, text);
	if (n->cfg.network[0] == '\0') {
		if (config_set(n->config_path, "network", text, cwhy, sizeof cwhy) == 0)
			snprintf(n->cfg.network, sizeof n->cfg.network, "%s", text);
		else
			log_warn("could not record the default initiative: %s", cwhy);
	}
	log_info("joined %s", text);
	mpx_init(&o);
	ctl_begin(&o);
	msgpack_pack_map(&o.pk, 1);
	mpx_kv_bool(&o.pk, "ok", true);
	ctl_finish(&o);
	ctl_client_send(cl, &o);
	mpx_free(&o);
}

void op_join(struct ctl_client *cl, const msgpack_object *req)
{
	struct node *n = cl->ctl->node;
	char code[INVITE_TEXT_MAX + 1], text[ID_TEXT_MAX], why[160];
	struct invite inv;
	struct repl_net *rn;
	struct link *l;
	int rc;

	if (mpx_get_cstr(req, "code", code, sizeof code) != 0) {
		ctl_send_error(cl, PAKT_EINVAL, "an invite code (pi_...) is required");
		return;
	}
	rc = invite_decode(code, &inv);
	sodium_memzero(code, sizeof code);
	if (rc != 0) {
		snprintf(why, sizeof why, "not a valid invite code: %s", pakt_strerror(rc));
		ctl_send_error(cl, PAKT_EINVITE, why);
		return;
	}
	if (inv.expires_ms < node_now_ms()) {
		ctl_send_error(cl, PAKT_EINVITE, "the invite has expired: ask for a new one");
		goto out;
	}
	if (n->net == NULL) {
		ctl_send_error(cl, PAKT_EIO, "the mesh is not running");
		goto out;
	}
	if ((rn = repl_net_find(n, inv.network)) != NULL && roster_find(&rn->members, n->id.pk)) {
		ctl_send_error(cl, PAKT_EEXIST, "this node is already a member of that initiative");
		goto out;
	}
	/* in memory only until the inviter welcomes us: a refused join
	 * leaves nothing behind */
	if (repl_net_open(n, inv.network, &rn) != 0) {
		ctl_send_error(cl, PAKT_EIO, store_errmsg(n->store));
		goto out;
	}
	l = net_link_add(n->net, inv.network, inv.addrs[0], inv.inviter);
	if (l == NULL) {
		ctl_send_error(cl, PAKT_ENOMEM, "out of memory");
		goto out;
	}
	l->joining = true;
	memcpy(l->secret, inv.secret, 32);
	snprintf(l->join_name, sizeof l->join_name, "%s", n->cfg.name);
	l->on_join = join_done;
	l->join_arg = cl;
	cl->join_link = l;
	memcpy(cl->join_net, inv.network, 32);
	memcpy(cl->join_inviter, inv.inviter, 32);
	id_encode(ID_NETWORK, inv.network, text);
	log_info("joining %s via %s", text, inv.addrs[0]);
out:
	sodium_memzero(&inv, sizeof inv);
}

void op_members(struct ctl_client *cl, const msgpack_object *req)
{
	struct repl_net *rn = ctl_network(cl, req);
	struct mpx_out o;
	size_t shown = 0;

	if (rn == NULL)
		return;
	for (size_t i = 0; i < rn->members.n; i++)
		shown += !rn->members.v[i].removed;
	mpx_init(&o);
	ctl_begin(&o);
	msgpack_pack_map(&o.pk, 4);
	mpx_str(&o.pk, "members");
	msgpack_pack_array(&o.pk, (uint32_t)rn->members.n);
	for (size_t i = 0; i < rn->members.n; i++) {
		const struct roster_member *m = &rn->members.v[i];

		msgpack_pack_map(&o.pk, 6);
		mpx_kv_bin(&o.pk, "added_by", m->added_by, 32);
		mpx_kv_bin(&o.pk, "key", m->key, 32);
		mpx_kv_str(&o.pk, "name", m->name);
		mpx_kv_bool(&o.pk, "removed", m->removed);
		mpx_kv_str(&o.pk, "role", m->admin ? "admin" : "member");
		mpx_kv_u64(&o.pk, "since", m->since_ms);
	}
	mpx_kv_str(&o.pk, "name", rn->members.network_name);
	mpx_kv_bin(&o.pk, "network", rn->id, 32);
	mpx_kv_bool(&o.pk, "ok", true);
	ctl_finish(&o);
	ctl_client_send(cl, &o);
	mpx_free(&o);
}

bool ctl_need_key(struct ctl_client *cl, const msgpack_object *req, uint8_t key[32])
{
	bool has;

	if (ctl_opt_bin32(cl, req, "key", key, &has) != 0)
		return false;
	if (!has)
		ctl_send_error(cl, PAKT_EINVAL, "the member's id (pk_...) is required");
	return has;
}

void ctl_publish(struct ctl_client *cl, struct repl_net *rn, const char *type,
		 struct mpx_out *body, int rc)
{
	char why[256] = "";
	struct entry e;

	if (rc == 0)
		rc = node_append(cl->ctl->node, rn->id, type, (const uint8_t *)body->sb.data,
				 body->sb.size, &e, why, sizeof why);
	mpx_free(body);
	if (rc != 0)
		ctl_send_error(cl, rc, why[0] ? why : pakt_strerror(rc));
	else
		ctl_reply_ok(cl);
}

void op_member_remove(struct ctl_client *cl, const msgpack_object *req)
{
	struct node *n = cl->ctl->node;
	struct repl_net *rn = ctl_network(cl, req);
	uint8_t key[32], hash[32];
	uint64_t seq;
	int rc;
	struct mpx_out body;
	const struct roster_member *m;

	if (rn == NULL || !ctl_need_key(cl, req, key) || !ctl_need_admin(cl, rn))
		return;
	m = roster_find(&rn->members, key);
	if (m == NULL) {
		ctl_send_error(cl, PAKT_ENOTMEMBER, "that key is not a current member");
		return;
	}
	if (memcmp(key, n->id.pk, 32) == 0) {
		ctl_send_error(cl, PAKT_EINVAL, "an admin cannot remove itself");
		return;
	}
	/* the removed key's head as we hold it: its later entries count for
	 * nothing (PROTOCOL.md, "member") */
	if ((rc = store_head(n->store, rn->id, key, &seq, hash, NULL)) == PAKT_ENOTFOUND) {
		seq = 0;
	} else if (rc != 0) {
		ctl_send_error(cl, rc, store_errmsg(n->store));
		return;
	}
	mpx_init(&body);
	ctl_publish(cl, rn, "member", &body, body_member_remove(&body, key, m->name, m->admin, seq));
}

void op_peer_add(struct ctl_client *cl, const msgpack_object *req)
{
	struct node *n = cl->ctl->node;
	struct repl_net *rn = ctl_network(cl, req);
	char addr[256];
	uint8_t key[32];
	bool has_key;
	int rc;

	if (rn == NULL || ctl_opt_bin32(cl, req, "key", key, &has_key) != 0)
		return;
	if (mpx_get_cstr(req, "address", addr, sizeof addr) != 0 || strchr(addr, ':') == NULL) {
		ctl_send_error(cl, PAKT_EINVAL, "the address must be HOST:PORT");
		return;
	}
	rc = store_peer_add(n->store, rn->id, addr, has_key ? key : NULL);
	if (rc == PAKT_EEXIST) {
		ctl_send_error(cl, rc, "that peer is already known (see pakt peer list)");
		return;
	}
	if (rc != 0 || n->net == NULL || net_link_add(n->net, rn->id, addr, has_key ? key : NULL) == NULL) {
		ctl_send_error(cl, PAKT_EIO, store_errmsg(n->store));
		return;
	}
	log_info("peer %s added", addr);
	ctl_reply_ok(cl);
}

void op_peer_remove(struct ctl_client *cl, const msgpack_object *req)
{
	struct node *n = cl->ctl->node;
	char addr[256];
	struct link *l;
	int rc;

	if (mpx_get_cstr(req, "address", addr, sizeof addr) != 0) {
		ctl_send_error(cl, PAKT_EINVAL, "the address (HOST:PORT) is required");
		return;
	}
	rc = store_peer_remove(n->store, addr);
	l = n->net ? net_link_find(n->net, addr) : NULL;
	if (l)
		net_link_remove(n->net, l);
	if (rc == PAKT_ENOTFOUND && l == NULL) {
		ctl_send_error(cl, rc, "no such peer (see pakt peer list)");
		return;
	}
	log_info("peer %s removed (pakt peer remove)%s", addr, l ? "" : "; it was not being dialled");
	ctl_reply_ok(cl);
}

static void pack_session(msgpack_packer *pk, const struct session_info *si, const char *address,
			 const uint8_t *key, uint64_t last_seen)
{
	msgpack_pack_map(pk, 10);
	mpx_kv_str(pk, "address", address);
	mpx_kv_u64(pk, "behind", si ? si->behind : 0);
	mpx_kv_u64(pk, "bytes_in", si ? si->bytes_in : 0);
	mpx_kv_u64(pk, "bytes_out", si ? si->bytes_out : 0);
	mpx_kv_bool(pk, "connected", si && si->replicating);
	mpx_kv_u64(pk, "entries_in", si ? si->entries_in : 0);
	mpx_kv_u64(pk, "entries_out", si ? si->entries_out : 0);
	mpx_kv_bool(pk, "inbound", si && si->inbound);
	if (key)
		mpx_kv_bin(pk, "key", key, 32);
	else
		mpx_kv_str(pk, "key", "");
	mpx_kv_u64(pk, "last_seen", last_seen);
}

void op_peer_list(struct ctl_client *cl, const msgpack_object *req)
{
	struct node *n = cl->ctl->node;
	struct mpx_out o;
	struct session_info si;
	uint32_t count = 0;

	if (n->net == NULL) {
		ctl_send_error(cl, PAKT_EIO, "the mesh is not running");
		return;
	}
	for (struct link *l = n->net->links; l; l = l->next)
		count++;
	for (struct session *s = n->net->sessions; s; s = session_next(s)) {
		session_info(s, &si);
		count += si.inbound;
	}
	mpx_init(&o);
	ctl_begin(&o);
	msgpack_pack_map(&o.pk, 3);
	mpx_kv_str(&o.pk, "listen", n->net->listen_addr);
	mpx_kv_bool(&o.pk, "ok", true);
	mpx_str(&o.pk, "peers");
	msgpack_pack_array(&o.pk, count);
	for (struct link *l = n->net->links; l; l = l->next) {
		if (l->session) {
			session_info(l->session, &si);
			pack_session(&o.pk, &si, l->address,
				     si.has_key ? si.key : (l->has_key ? l->key : NULL),
				     si.replicating ? node_now_ms() : l->last_seen_ms);
		} else {
			pack_session(&o.pk, NULL, l->address, l->has_key ? l->key : NULL, l->last_seen_ms);
		}
	}
	for (struct session *s = n->net->sessions; s; s = session_next(s)) {
		session_info(s, &si);
		if (si.inbound)
			pack_session(&o.pk, &si, si.address, si.has_key ? si.key : NULL,
				     si.replicating ? node_now_ms() : 0);
	}
	ctl_finish(&o);
	ctl_client_send(cl, &o);
	mpx_free(&o);
}

static void set_skip(struct ctl_client *cl, const msgpack_object *req, bool skip)
{
	struct node *n = cl->ctl->node;
	struct repl_net *rn = ctl_network(cl, req);
	struct repl_feed *f;
	uint8_t key[32];
	bool has;

	if (rn == NULL || ctl_opt_bin32(cl, req, "key", key, &has) != 0)
		return;
	if (!has) {
		ctl_send_error(cl, PAKT_EINVAL, "the feed's id (pk_...) is required");
		return;
	}
	if (skip && memcmp(key, n->id.pk, 32) == 0) {
		ctl_send_error(cl, PAKT_EINVAL, "a node always keeps its own feed");
		return;
	}
	f = repl_feed_get(rn, key, true, NULL);
	if (f == NULL || store_skip_set(n->store, rn->id, key, skip) != 0) {
		ctl_send_error(cl, PAKT_EIO, store_errmsg(n->store));
		return;
	}
	f->skip = skip;
	if (n->net)
		net_send_clocks(n->net, rn);
	ctl_reply_ok(cl);
}

void op_subscribe(struct ctl_client *cl, const msgpack_object *req)
{
	set_skip(cl, req, false);
}

void op_unsubscribe(struct ctl_client *cl, const msgpack_object *req)
{
	set_skip(cl, req, true);
}
