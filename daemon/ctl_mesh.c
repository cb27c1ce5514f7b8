/* Control ops of the mesh: invites and joins, members, peers,
 * subscriptions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "daemon/ctl_priv.h"
#include "daemon/tr.h"
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

void ctl_mesh_invite(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct node *n = cl->ctl->node;
	struct repl_net *rn = ctl_network(cl, r);
	struct invite inv = {0};
	const char *name = r->u.invite.name;
	struct ctlop_r_invite rep = {.ok = true};
	uint64_t ttl = r->u.invite.has_ttl ? r->u.invite.ttl_ms : INVITE_TTL_DEFAULT_MS;
	uint8_t h[32];
	int rc;

	if (rn == NULL || !ctl_need_admin(cl, rn))
		return;
	if (n->net == NULL || strncmp(n->net->listen_addr, "0.0.0.0:", 8) == 0) {
		ctl_send_error(cl, PAKT_EINVAL,
			       N_("this node listens on all addresses: set 'address = HOST:PORT' partners can reach"));
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
		rc = wire_invite_encode(&inv, rep.code);
	sodium_memzero(&inv, sizeof inv);
	if (rc != 0) {
		ctl_send_error(cl, rc, N_("could not create the invite"));
		return;
	}
	log_info("invite created%s%s, valid until %llu", name[0] ? " for " : "", name,
		 (unsigned long long)(node_now_ms() + ttl));
	ctl_reply(cl, CTLOP_R_INVITE, &rep);
	sodium_memzero(&rep, sizeof rep);
}

static void join_done(void *arg, int rc, const char *why)
{
	struct ctl_client *cl = arg;
	struct node *n = cl->ctl->node;
	char text[ID_TEXT_MAX], cwhy[256];

	cl->join_link = NULL;
	if (rc != 0) {
		const char *a = cl->join_addr, *port = strrchr(a, ':');
		char msg[1024];

		/* not reached at all: say where we dialled and what to check */
		if (strncmp(why, "connect:", 8) == 0 || strncmp(why, "cannot resolve", 14) == 0)
			snprintf(msg, sizeof msg, "could not reach the inviter at %s (%s): is paktd running at %s "
				 "and port %s open in its firewall?", a, why, a, port ? port + 1 : "7420");
		else
			snprintf(msg, sizeof msg, "join refused or failed (inviter at %s): %s", a, why);
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
	ctl_reply_ok(cl);
}

/* The request's code is wiped with the request (ctl.c's dispatch); the
 * decoded invite before we return. The link calls join_done once, and
 * no second request is read while it may (dispatch), so cl->join_link is
 * the only link that can point back at cl. */
void ctl_mesh_join(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct node *n = cl->ctl->node;
	char text[ID_TEXT_MAX], why[160];
	struct invite inv;
	struct repl_net *rn;
	struct link *l;
	int rc;

	rc = wire_invite_decode(r->u.join.code, &inv);
	if (rc != 0) {
		snprintf(why, sizeof why, "not a valid invite code: %s", pakt_strerror(rc));
		ctl_send_error(cl, PAKT_EINVITE, why);
		return;
	}
	if (inv.expires_ms < node_now_ms()) {
		ctl_send_error(cl, PAKT_EINVITE, N_("the invite has expired: ask for a new one"));
		goto wipe_invite;
	}
	if (n->net == NULL) {
		ctl_send_error(cl, PAKT_EIO, N_("the mesh is not running"));
		goto wipe_invite;
	}
	if ((rn = repl_net_find(n, inv.network)) != NULL && roster_find(&rn->members, n->id.pk)) {
		ctl_send_error(cl, PAKT_EEXIST, N_("this node is already a member of that initiative"));
		goto wipe_invite;
	}
	/* in memory only until the inviter welcomes us: a refused join
	 * leaves nothing behind */
	if (repl_net_open(n, inv.network, &rn) != 0) {
		ctl_send_error(cl, PAKT_EIO, store_errmsg(n->store));
		goto wipe_invite;
	}
	l = net_link_add(n->net, inv.network, inv.addrs[0], inv.inviter);
	if (l == NULL) {
		ctl_send_error(cl, PAKT_ENOMEM, N_("out of memory"));
		goto wipe_invite;
	}
	l->joining = true;
	memcpy(l->secret, inv.secret, 32);
	snprintf(l->join_name, sizeof l->join_name, "%s", n->cfg.name);
	l->on_join = join_done;
	l->join_arg = cl;
	cl->join_link = l;
	memcpy(cl->join_net, inv.network, 32);
	memcpy(cl->join_inviter, inv.inviter, 32);
	snprintf(cl->join_addr, sizeof cl->join_addr, "%s", inv.addrs[0]);
	id_encode(ID_NETWORK, inv.network, text);
	log_info("joining %s via %s", text, inv.addrs[0]);
wipe_invite:
	sodium_memzero(&inv, sizeof inv);
}

void ctl_mesh_members(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct repl_net *rn = ctl_network(cl, r);
	struct ctlop_r_members rep = {.ok = true};

	if (rn == NULL)
		return;
	rep.members = calloc(rn->members.n + 1, sizeof *rep.members);
	if (rep.members == NULL) {
		ctl_send_error(cl, PAKT_ENOMEM, N_("out of memory"));
		return;
	}
	for (size_t i = 0; i < rn->members.n; i++) {
		const struct roster_member *m = &rn->members.v[i];
		struct ctlop_r_member *x = &rep.members[i];

		memcpy(x->added_by, m->added_by, 32);
		memcpy(x->key, m->key, 32);
		snprintf(x->name, sizeof x->name, "%s", m->name);
		x->removed = m->removed;
		snprintf(x->role, sizeof x->role, "%s", m->admin ? "admin" : "member");
		x->since = m->since_ms;
	}
	rep.n_members = rn->members.n;
	snprintf(rep.name, sizeof rep.name, "%s", rn->members.network_name);
	memcpy(rep.network, rn->id, 32);
	rep.has_removal = ctl_removal(cl->ctl->node, rn, rep.removal, sizeof rep.removal);
	ctl_reply(cl, CTLOP_R_MEMBERS, &rep);
	ctlop_reply_free(CTLOP_R_MEMBERS, &rep);
}

void ctl_mesh_member_remove(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct node *n = cl->ctl->node;
	struct repl_net *rn = ctl_network(cl, r);
	const uint8_t *key = r->u.key.key;
	uint8_t hash[32];
	uint64_t seq;
	int rc;
	struct mpx_out body;
	const struct roster_member *m;

	if (rn == NULL || !ctl_need_admin(cl, rn))
		return;
	m = roster_find(&rn->members, key);
	if (m == NULL) {
		ctl_send_error(cl, PAKT_ENOTMEMBER, N_("that key is not a current member"));
		return;
	}
	if (memcmp(key, n->id.pk, 32) == 0) {
		ctl_send_error(cl, PAKT_EINVAL, N_("an admin cannot remove itself"));
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

void ctl_mesh_peer_add(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct node *n = cl->ctl->node;
	struct repl_net *rn = ctl_network(cl, r);
	const char *addr = r->u.peer.address;
	const uint8_t *key = r->u.peer.has_key ? r->u.peer.key : NULL;
	int rc;

	if (rn == NULL)
		return;
	rc = store_peer_add(n->store, rn->id, addr, key);
	if (rc == PAKT_EEXIST) {
		ctl_send_error(cl, rc, N_("that peer is already known (see pakt peer list)"));
		return;
	}
	if (rc != 0 || n->net == NULL || net_link_add(n->net, rn->id, addr, key) == NULL) {
		ctl_send_error(cl, PAKT_EIO, store_errmsg(n->store));
		return;
	}
	log_info("peer %s added", addr);
	ctl_reply_ok(cl);
}

void ctl_mesh_peer_remove(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct node *n = cl->ctl->node;
	const char *addr = r->u.peer.address;
	struct link *l;
	int rc;

	rc = store_peer_remove(n->store, addr);
	l = n->net ? net_link_find(n->net, addr) : NULL;
	if (l)
		net_link_remove(n->net, l);
	if (rc == PAKT_ENOTFOUND && l == NULL) {
		ctl_send_error(cl, rc, N_("no such peer (see pakt peer list)"));
		return;
	}
	log_info("peer %s removed (pakt peer remove)%s", addr, l ? "" : "; it was not being dialled");
	ctl_reply_ok(cl);
}

static void peer_view(struct ctlop_r_peer *x, const struct session_info *si, const char *address,
		      const uint8_t *key, uint64_t last_seen)
{
	snprintf(x->address, sizeof x->address, "%.255s", address);
	if (si != NULL) {
		x->behind = si->behind;
		x->bytes_in = si->bytes_in;
		x->bytes_out = si->bytes_out;
		x->connected = si->replicating;
		x->entries_in = si->entries_in;
		x->entries_out = si->entries_out;
		x->inbound = si->inbound;
	}
	x->has_key = key != NULL;
	if (key != NULL)
		memcpy(x->key, key, 32);
	x->last_seen = last_seen;
}

void ctl_mesh_peer_list(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct node *n = cl->ctl->node;
	struct ctlop_r_peers rep = {.ok = true};
	struct session_info si;
	size_t count = 0, k = 0;

	if (n->net == NULL) {
		ctl_send_error(cl, PAKT_EIO, N_("the mesh is not running"));
		return;
	}
	for (struct link *l = n->net->links; l; l = l->next)
		count++;
	for (struct session *s = n->net->sessions; s; s = session_next(s)) {
		session_info(s, &si);
		count += si.inbound;
	}
	rep.peers = calloc(count + 1, sizeof *rep.peers);
	if (rep.peers == NULL) {
		ctl_send_error(cl, PAKT_ENOMEM, N_("out of memory"));
		return;
	}
	snprintf(rep.listen, sizeof rep.listen, "%s", n->net->listen_addr);
	for (struct link *l = n->net->links; l && k < count; l = l->next) {
		if (l->session) {
			session_info(l->session, &si);
			peer_view(&rep.peers[k++], &si, l->address,
				  si.has_key ? si.key : (l->has_key ? l->key : NULL),
				  si.replicating ? node_now_ms() : l->last_seen_ms);
		} else {
			peer_view(&rep.peers[k++], NULL, l->address, l->has_key ? l->key : NULL,
				  l->last_seen_ms);
		}
	}
	for (struct session *s = n->net->sessions; s && k < count; s = session_next(s)) {
		session_info(s, &si);
		if (si.inbound)
			peer_view(&rep.peers[k++], &si, si.address, si.has_key ? si.key : NULL,
				  si.replicating ? node_now_ms() : 0);
	}
	rep.n_peers = k;
	ctl_reply(cl, CTLOP_R_PEERS, &rep);
	ctlop_reply_free(CTLOP_R_PEERS, &rep);
}

static void set_skip(struct ctl_client *cl, const struct ctlop_req *r, bool skip)
{
	struct node *n = cl->ctl->node;
	struct repl_net *rn = ctl_network(cl, r);
	const uint8_t *key = r->u.key.key;
	struct repl_feed *f;

	if (rn == NULL)
		return;
	if (skip && memcmp(key, n->id.pk, 32) == 0) {
		ctl_send_error(cl, PAKT_EINVAL, N_("a node always keeps its own feed"));
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

void ctl_mesh_subscribe(struct ctl_client *cl, const struct ctlop_req *r)
{
	set_skip(cl, r, false);
}

void ctl_mesh_unsubscribe(struct ctl_client *cl, const struct ctlop_req *r)
{
	set_skip(cl, r, true);
}
