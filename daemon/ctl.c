/* Control socket server.
 *
 * Happy path: accept -> read a frame -> dispatch its "op" -> write the
 * reply; "log" with follow keeps the client as a stream that ctl_notify()
 * feeds after every commit.
 * Failure modes: a frame over CTL_FRAME_MAX or not a msgpack map gets an
 * error reply and the client is closed; a request with wrong fields gets
 * the decoder's reason (proto/ctlop.h); a second request while one is
 * pending (a job, a stream, a join) is refused; a stream reader that falls more
 * than CTL_PENDING_MAX behind is closed; too many clients are refused, and
 * so is a client of another uid than ours (root aside) that is not in the
 * control group: SO_PEERCRED and SO_PEERGROUPS.
 * A client is freed only from its close callback, and not while a
 * thread-pool job (verify) still refers to it. */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include "daemon/ctl.h"
#include "daemon/ctl_priv.h"
#include "daemon/ledger_keep.h"
#include "daemon/tr.h"
#include "daemon/log.h"
#include "daemon/net.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "proto/body.h"
#include "proto/ctlmsg.h"
#include "proto/ctlop.h"
#include "proto/ctlop_reply.h"
#include "proto/id.h"
#include "proto/err.h"

struct write_req {
	uv_write_t req;
	struct ctl_client *cl;
	size_t len;
	char data[];
};

static void client_close(struct ctl_client *cl);

void ctl_client_free(struct ctl_client *cl)
{
	if (cl->join_link != NULL)
		cl->join_link->on_join = NULL;   /* nobody to tell any more */
	if (cl->in != NULL)
		sodium_memzero(cl->in, cl->in_cap);
	free(cl->in);
	free(cl);
}

static void on_client_closed(uv_handle_t *h)
{
	struct ctl_client *cl = h->data;
	struct ctl *c = cl->ctl;

	if (cl->prev)
		cl->prev->next = cl->next;
	else
		c->clients = cl->next;
	if (cl->next)
		cl->next->prev = cl->prev;
	cl->closed = true;
	if (!cl->busy)
		ctl_client_free(cl);
	if (--c->open_handles == 0 && c->closing && c->on_closed)
		c->on_closed(c);
}

static void client_close(struct ctl_client *cl)
{
	if (cl->closing)
		return;
	cl->closing = true;
	uv_close((uv_handle_t *)&cl->pipe, on_client_closed);
}

static void on_written(uv_write_t *req, int status)
{
	struct write_req *w = (struct write_req *)req;

	struct ctl_client *cl = w->cl;

	cl->pending -= w->len;
	free(w);
	if (status < 0 && status != UV_ECANCELED)
		client_close(cl);
	else if (cl->backlog && !cl->closing && cl->pending < CTL_PENDING_HIGH / 2)
		ctl_feed_pump(cl);
}

/* Queue one finished frame. */
void ctl_client_send(struct ctl_client *cl, struct mpx_out *o)
{
	struct write_req *w;
	uv_buf_t buf;

	if (cl->closing)
		return;
	if (cl->pending + o->sb.size > CTL_PENDING_MAX) {
		log_warn("control client too slow (%zu bytes pending): closing it", cl->pending);
		client_close(cl);
		return;
	}
	w = malloc(sizeof *w + o->sb.size);
	if (w == NULL) {
		client_close(cl);
		return;
	}
	w->cl = cl;
	w->len = o->sb.size;
	memcpy(w->data, o->sb.data, o->sb.size);
	buf = uv_buf_init(w->data, (unsigned)w->len);
	cl->pending += w->len;
	if (uv_write(&w->req, (uv_stream_t *)&cl->pipe, &buf, 1, on_written) != 0) {
		cl->pending -= w->len;
		free(w);
		client_close(cl);
	}
}

void ctl_send_error(struct ctl_client *cl, int code, const char *msg)
{
	struct mpx_out o;

	mpx_init(&o);
	ctlmsg_error_reply(&o, code, msg);
	ctl_client_send(cl, &o);
	mpx_free(&o);
}


void ctl_reply(struct ctl_client *cl, enum ctlop_reply_kind k, const void *r)
{
	struct mpx_out o;

	mpx_init(&o);
	if (ctlop_reply_encode(k, r, &o) == 0)
		ctl_client_send(cl, &o);
	else
		ctl_send_error(cl, PAKT_ETOOBIG, N_("the answer is larger than the control protocol allows (1 MiB)"));
	mpx_free(&o);
}

void ctl_reply_ok(struct ctl_client *cl)
{
	const struct ctlop_r_ok r = {.ok = true};

	ctl_reply(cl, CTLOP_R_OK, &r);
}

void ctl_reply_entry(struct ctl_client *cl, const struct entry *e, bool with_network)
{
	struct ctlop_r_entry r = {.has_network = with_network, .ok = true, .seq = e->h.seq};

	memcpy(r.hash, e->hash, 32);
	memcpy(r.network, entry_network(e), 32);
	ctl_reply(cl, CTLOP_R_ENTRY, &r);
}

struct repl_net *ctl_network(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct node *n = cl->ctl->node;
	uint8_t id[32];
	char why[256] = "";
	struct repl_net *rn;
	int rc;

	rc = node_pick_network(n, r->has_network ? r->network : NULL, id, why, sizeof why);
	if (rc == 0)
		rc = repl_net_open(n, id, &rn);
	if (rc != 0) {
		ctl_send_error(cl, rc, why[0] ? why : pakt_strerror(rc));
		return NULL;
	}
	return rn;
}

bool ctl_removal(struct node *n, struct repl_net *rn, char *out, size_t cap)
{
	const struct roster_member *m = roster_lookup(&rn->members, n->id.pk);
	char by[BODY_NAME_MAX + 1], day[16] = "?";
	time_t t;
	struct tm tm;

	if (m == NULL || !m->removed || m->has_successor)
		return false;   /* a rotated key handed its place on: not removed */
	snprintf(by, sizeof by, "%s", repl_name(rn, m->removed_by));
	if (by[0] == '\0') {
		const struct roster_member *b = roster_lookup(&rn->members, m->removed_by);

		if (b != NULL && b->name[0] != '\0')
			snprintf(by, sizeof by, "%s", b->name);
		else
			id_short(ID_KEY, m->removed_by, by);
	}
	t = (time_t)(m->removed_ms / 1000);
	if (gmtime_r(&t, &tm) != NULL)
		strftime(day, sizeof day, "%Y-%m-%d", &tm);
	snprintf(out, cap, "removed from %s by %s on %s",
		 rn->members.network_name[0] ? rn->members.network_name : "the initiative", by, day);
	return true;
}

/* Ops that sign an entry into the request's initiative. */
static bool writes_initiative(enum ctlop_op op)
{
	switch (op) {
	case CTLOP_POST: case CTLOP_AGENDA_SET: case CTLOP_UPDATE: case CTLOP_COMMIT:
	case CTLOP_ACCEPT: case CTLOP_DECLINE: case CTLOP_PROGRESS: case CTLOP_PROFILE_SET:
	case CTLOP_CHECKPOINT: case CTLOP_INVITE: case CTLOP_MEMBER_REMOVE:
	case CTLOP_MEMBER_REVOKE_KEY:
		return true;
	default:
		return false;
	}
}

/* A removed node's writes into that initiative are refused with the
 * sentence that says by whom and when (its partners would drop them). */
static bool refuse_removed(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct node *n = cl->ctl->node;
	struct repl_net *rn;
	uint8_t id[32];
	char why[512];

	if (!writes_initiative(r->op) ||
	    node_pick_network(n, r->has_network ? r->network : NULL, id, why, sizeof why) != 0 ||
	    repl_net_open(n, id, &rn) != 0 || !ctl_removal(n, rn, why, sizeof why))
		return false;   /* the handler reports other failures itself */
	ctl_send_error(cl, PAKT_ENOTMEMBER, why);
	return true;
}

bool ctl_need_admin(struct ctl_client *cl, struct repl_net *rn)
{
	if (roster_is_admin(&rn->members, cl->ctl->node->id.pk))
		return true;
	ctl_send_error(cl, PAKT_EPERM, N_("only an admin of the initiative can do this"));
	return false;
}

void ctl_append(struct ctl_client *cl, struct repl_net *rn, const char *type, int rc_build,
		struct mpx_out *body)
{
	char why[256] = "";
	struct entry e;
	int rc = rc_build;

	if (rc != 0) {
		snprintf(why, sizeof why, "%s: %s", type, pakt_strerror(rc));
		ctl_send_error(cl, rc, why);
		return;
	}
	rc = node_append(cl->ctl->node, rn->id, type, (const uint8_t *)body->sb.data, body->sb.size,
			 &e, why, sizeof why);
	if (rc != 0)
		ctl_send_error(cl, rc, why[0] ? why : pakt_strerror(rc));
	else
		ctl_reply_entry(cl, &e, false);
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

/* The heads of the feeds we hold; PAKT_ENOTFOUND if unchanged since our
 * last checkpoint (its heads are its body). */
int ctl_publish_checkpoint(struct node *n, struct repl_net *rn, struct entry *out, char *why,
			   size_t whylen)
{
	struct body_head *heads;
	size_t k = 0;
	struct mpx_out body;
	uint8_t h[32];
	int rc;

	if (roster_find(&rn->members, n->id.pk) == NULL)
		return PAKT_ENOTMEMBER;
	heads = calloc(rn->n_feeds + 1, sizeof *heads);
	if (heads == NULL)
		return PAKT_ENOMEM;
	/* a checkpoint body holds about 200 heads; newest feeds last */
	for (size_t i = 0; i < rn->n_feeds && k < 200; i++) {
		if (rn->feeds[i].seq == 0)
			continue;
		memcpy(heads[k].author, rn->feeds[i].author, 32);
		heads[k].seq = rn->feeds[i].seq;
		memcpy(heads[k].hash, rn->feeds[i].hash, 32);
		if (memcmp(heads[k].author, n->id.pk, 32) == 0)
			continue;   /* our own head is implied by the checkpoint itself */
		k++;
	}
	crypto_generichash(h, sizeof h, (const uint8_t *)heads, k * sizeof *heads, NULL, 0);
	/* only news counts: partners' checkpoints alone must not make us
	 * publish again, or an idle mesh would checkpoint for ever */
	if (rn->has_checkpoint && (memcmp(rn->checkpoint_digest, h, 32) == 0 ||
				   rn->news == rn->news_at_checkpoint)) {
		free(heads);
		return PAKT_ENOTFOUND;
	}
	mpx_init(&body);
	rc = body_checkpoint(&body, heads, k);
	if (rc == 0)
		rc = node_append(n, rn->id, "checkpoint", (const uint8_t *)body.sb.data, body.sb.size, out,
				 why, whylen);
	if (rc == 0) {
		memcpy(rn->checkpoint_digest, h, 32);
		rn->has_checkpoint = true;
		rn->news_at_checkpoint = rn->news;
	}
	mpx_free(&body);
	free(heads);
	return rc;
}

void ctl_notify(struct ctl *c)
{
	struct ctl_client *cl, *next;

	for (cl = c->clients; cl != NULL; cl = next) {
		next = cl->next;
		if (cl->streaming && !cl->closing && ctl_feed_push(cl) != 0)
			client_close(cl);
	}
}

/* ---- requests ---- */

typedef void ctl_handler(struct ctl_client *cl, const struct ctlop_req *r);

static ctl_handler *const handlers[CTLOP_COUNT] = {
	[CTLOP_ACCEPT] = ctl_work_respond,
	[CTLOP_AGENDA] = ctl_work_agenda,
	[CTLOP_AGENDA_SET] = ctl_work_agenda_set,
	[CTLOP_AUDIT] = ctl_audit_run,
	[CTLOP_BACKUP] = ctl_node_backup,
	[CTLOP_CHECKPOINT] = ctl_feed_checkpoint,
	[CTLOP_COMMIT] = ctl_work_commit,
	[CTLOP_COMMITMENTS] = ctl_work_commitments,
	[CTLOP_DECLINE] = ctl_work_respond,
	[CTLOP_EXPORT] = ctl_export_run,
	[CTLOP_INITIATIVE_CREATE] = ctl_node_initiative_create,
	[CTLOP_INVITE] = ctl_mesh_invite,
	[CTLOP_JOIN] = ctl_mesh_join,
	[CTLOP_KEY_ROTATE] = ctl_keys_rotate,
	[CTLOP_LOG] = ctl_feed_log,
	[CTLOP_MEMBER_REMOVE] = ctl_mesh_member_remove,
	[CTLOP_MEMBER_REVOKE_KEY] = ctl_keys_revoke,
	[CTLOP_MEMBERS] = ctl_mesh_members,
	[CTLOP_METRICS] = ctl_work_metrics,
	[CTLOP_PEER_ADD] = ctl_mesh_peer_add,
	[CTLOP_PEER_LIST] = ctl_mesh_peer_list,
	[CTLOP_PEER_REMOVE] = ctl_mesh_peer_remove,
	[CTLOP_POST] = ctl_feed_post,
	[CTLOP_PROFILE_SET] = ctl_feed_profile_set,
	[CTLOP_PROGRESS] = ctl_work_respond,
	[CTLOP_REDACT] = ctl_feed_redact,
	[CTLOP_STATUS] = ctl_node_status,
	[CTLOP_SUBSCRIBE] = ctl_mesh_subscribe,
	[CTLOP_UNSUBSCRIBE] = ctl_mesh_unsubscribe,
	[CTLOP_UPDATE] = ctl_work_update,
	[CTLOP_VERIFY] = ctl_node_verify,
};

static void dispatch(struct ctl_client *cl, const uint8_t *buf, size_t len)
{
	struct ctlop_req *r = malloc(sizeof *r);
	char why[256];
	int rc;

	if (r == NULL) {
		ctl_send_error(cl, PAKT_ENOMEM, N_("out of memory"));
		return;
	}
	rc = ctlop_req_decode(r, buf, len, why, sizeof why);
	if (r->op == CTLOP_INVALID) {
		log_warn("control client sent a malformed request (%zu bytes, not a map with 'op'): closing it", len);
		ctl_send_error(cl, rc, why);
		client_close(cl);
		goto wipe_req;
	}
	/* a join counts as pending until the inviter answers: its link
	 * points back at this client */
	if (cl->busy || cl->streaming || cl->backlog || cl->join_link != NULL) {
		ctl_send_error(cl, PAKT_EPROTO, N_("one request at a time on a connection"));
		goto wipe_req;
	}
	if (rc != 0)
		ctl_send_error(cl, rc, why);
	else if (!refuse_removed(cl, r))
		handlers[r->op](cl, r);
wipe_req:
	ctlop_req_wipe(r);   /* a passphrase or an invite code */
	free(r);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	static char scratch[65536];   /* one loop thread: one read at a time */

	(void)h;
	(void)suggested;
	*buf = uv_buf_init(scratch, sizeof scratch);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct ctl_client *cl = s->data;
	size_t off = 0;

	if (cl->closing)
		return;
	if (nread < 0) {
		client_close(cl);
		return;
	}
	if (cl->in_len + (size_t)nread > cl->in_cap) {
		size_t cap = cl->in_len + (size_t)nread + 4096;
		uint8_t *p = malloc(cap);   /* not realloc: it would leave a copy behind */

		if (p == NULL) {
			client_close(cl);
			return;
		}
		if (cl->in != NULL) {
			memcpy(p, cl->in, cl->in_len);
			sodium_memzero(cl->in, cl->in_cap);
			free(cl->in);
		}
		cl->in = p;
		cl->in_cap = cap;
	}
	memcpy(cl->in + cl->in_len, buf->base, (size_t)nread);
	sodium_memzero(buf->base, (size_t)nread);   /* requests may carry secrets */
	cl->in_len += (size_t)nread;
	while (!cl->closing && cl->in_len - off >= CTL_HDR_LEN) {
		uint32_t len = ctlmsg_frame_len(cl->in + off);

		if (len > CTL_FRAME_MAX) {
			log_warn("control client sent a %u-byte request (max %u): closing it", len, CTL_FRAME_MAX);
			ctl_send_error(cl, PAKT_ETOOBIG, N_("request too large"));
			client_close(cl);
			return;
		}
		if (cl->in_len - off < CTL_HDR_LEN + (size_t)len)
			break;
		dispatch(cl, cl->in + off + CTL_HDR_LEN, len);
		off += CTL_HDR_LEN + len;
	}
	ctlmsg_consume(cl->in, &cl->in_len, off);
}

/* Whether the client's groups (as of its connect) include ours. */
static bool peer_in_group(uv_os_fd_t fd, const struct ucred *cred, gid_t group)
{
	gid_t groups[256];
	socklen_t len = sizeof groups;

	if (cred->gid == group)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0)
		return false;
	for (size_t i = 0; i < len / sizeof groups[0]; i++)
		if (groups[i] == group)
			return true;
	return false;
}

/* Only our own user, root and the control group may drive the daemon:
 * the socket's mode says so too, but a mode can be loosened by mistake. */
static bool peer_is_allowed(struct ctl_client *cl)
{
	struct ctl *c = cl->ctl;
	struct ucred cred;
	socklen_t len = sizeof cred;
	uv_os_fd_t fd;

	if (uv_fileno((uv_handle_t *)&cl->pipe, &fd) != 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		log_warn("control socket: cannot read the client's credentials: refusing it");
		client_close(cl);
		return false;
	}
	cl->owner = cred.uid == geteuid() || cred.uid == 0;
	if (cl->owner || (c->has_group && peer_in_group(fd, &cred, c->group)))
		return true;
	log_warn("control socket: refused a client of uid %u (pid %d): not paktd's uid %u, root%s",
		 (unsigned)cred.uid, (int)cred.pid, (unsigned)geteuid(),
		 c->has_group ? " or in the control group" : "");
	if (c->has_group) {
		struct group *g = getgrgid(c->group);
		char msg[256];

		snprintf(msg, sizeof msg, "permission denied: ask the administrator to add you to the group '%s' "
			 "(usermod -aG %s USER, then log in again)", g ? g->gr_name : "?", g ? g->gr_name : "?");
		ctl_send_error(cl, PAKT_EPERM, msg);
	} else {
		ctl_send_error(cl, PAKT_EPERM, N_("permission denied: only the user paktd runs as may use its control socket"));
	}
	client_close(cl);
	return false;
}

static void on_connection(uv_stream_t *server, int status)
{
	struct ctl *c = server->data;
	struct ctl_client *cl;
	unsigned n = 0;

	if (status < 0 || c->closing)
		return;
	for (cl = c->clients; cl; cl = cl->next)
		n++;
	cl = calloc(1, sizeof *cl);
	if (cl == NULL)
		return;
	cl->ctl = c;
	uv_pipe_init(c->node->loop, &cl->pipe, 0);
	cl->pipe.data = cl;
	c->open_handles++;
	cl->next = c->clients;
	if (c->clients)
		c->clients->prev = cl;
	c->clients = cl;
	if (uv_accept(server, (uv_stream_t *)&cl->pipe) != 0) {
		client_close(cl);
		return;
	}
	if (!peer_is_allowed(cl))
		return;
	if (n >= CTL_CLIENTS_MAX) {
		log_warn("control socket: %u clients connected, refusing another", n);
		ctl_send_error(cl, PAKT_EIO, N_("too many control connections"));
		client_close(cl);
		return;
	}
	uv_read_start((uv_stream_t *)&cl->pipe, on_alloc, on_read);
}

/* Checked entries (daemon/sigdefer.h) and proofs reach the streaming
 * clients. */
static void ctl_on_event(void *arg, const struct node_event *ev)
{
	if (ev->kind == NODE_EV_CHECKED || ev->kind == NODE_EV_FORK || ev->kind == NODE_EV_BADSIG)
		ctl_notify(arg);
}

int ctl_start(struct ctl *c, struct node *n, const char *path, const char *group,
	      char *why, size_t whylen)
{
	struct stat st;
	mode_t old;
	int rc;

	memset(c, 0, sizeof *c);
	c->node = n;
	if (strlen(path) >= sizeof c->path) {
		snprintf(why, whylen, "control socket path too long (%zu bytes, max %zu): use a shorter data directory",
			 strlen(path), sizeof c->path - 1);
		return PAKT_ETOOBIG;
	}
	if (group != NULL && group[0] != '\0') {
		struct group *g = getgrnam(group);

		if (g == NULL) {
			snprintf(why, whylen, "control group '%s' does not exist: create it (groupadd %s) "
				 "or change control_group in the config", group, group);
			return PAKT_EINVAL;
		}
		c->has_group = true;
		c->group = g->gr_gid;
	}
	snprintf(c->path, sizeof c->path, "%s", path);
	unlink(path);   /* a stale socket from a crash; we hold the lock */
	uv_pipe_init(n->loop, &c->server, 0);
	c->server.data = c;
	c->open_handles = 1;
	/* Created 0600 from the start: no window where others may connect;
	 * the group gets in only once the socket carries its gid. */
	old = umask(0177);
	rc = uv_pipe_bind(&c->server, path);
	umask(old);
	/* chown only when needed: the service's own group needs no chown,
	 * which its system-call filter may forbid */
	if (rc == 0 && c->has_group &&
	    ((stat(path, &st) == 0 && st.st_gid != c->group && chown(path, (uid_t)-1, c->group) != 0) ||
	     chmod(path, 0660) != 0)) {
		snprintf(why, whylen, "control socket %s: cannot give it to group %s: %s", path, group, strerror(errno));
		return PAKT_EIO;
	}
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&c->server, 64, on_connection);
	if (rc != 0) {
		snprintf(why, whylen, "control socket %s: %s", path, uv_strerror(rc));
		return PAKT_EIO;
	}
	if (!c->has_group)
		chmod(path, 0600);
	c->listening = true;
	if ((rc = node_listen(n, ctl_on_event, c)) != 0)
		return rc;
	/* the initiatives' ledgers, built in the pool before anyone asks; fed
	 * after the readers' streams (listeners run in order), which wait */
	if (ledger_keep_new(&c->keep, n) != 0)
		c->keep = NULL;         /* ctl_work tries again on first use */
	return 0;
}

static void on_server_closed(uv_handle_t *h)
{
	struct ctl *c = h->data;

	if (--c->open_handles == 0 && c->on_closed)
		c->on_closed(c);
}

void ctl_stop(struct ctl *c, void (*on_closed)(struct ctl *c))
{
	struct ctl_client *cl;

	if (c->closing)
		return;
	c->closing = true;
	c->on_closed = on_closed;
	node_unlisten(c->node, ctl_on_event, c);
	ledger_keep_free(c->keep);
	c->keep = NULL;
	for (cl = c->clients; cl; cl = cl->next)
		client_close(cl);
	if (c->listening)
		unlink(c->path);
	uv_close((uv_handle_t *)&c->server, on_server_closed);
}

