/* Control socket server.
 *
 * Happy path: accept -> read a frame -> dispatch its "op" -> write the
 * reply; "log" with follow keeps the client as a stream that ctl_notify()
 * feeds after every commit.
 * Failure modes: a frame over CTL_FRAME_MAX or not a msgpack map gets an
 * error reply and the client is closed; a stream reader that falls more
 * than CTL_PENDING_MAX behind is closed; too many clients are refused, and
 * so is a client of another uid than ours (root aside): SO_PEERCRED.
 * A client is freed only from its close callback, and not while a
 * thread-pool job (verify) still refers to it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "daemon/ctl.h"
#include "daemon/ctl_priv.h"
#include "daemon/log.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/net.h"
#include "daemon/verify.h"
#include "proto/body.h"
#include "proto/sealed.h"
#include "keys/keys.h"
#include <sodium.h>
#include "proto/ctlmsg.h"
#include "proto/err.h"
#include "proto/id.h"

#define CTL_VERSION CTL_VERSION_STRING

struct write_req {
	uv_write_t req;
	struct ctl_client *cl;
	size_t len;
	char data[];
};

static void client_close(struct ctl_client *cl);
static void log_pump(struct ctl_client *cl);

void ctl_client_free(struct ctl_client *cl)
{
	if (cl->join_link != NULL)
		cl->join_link->on_join = NULL;   /* nobody to tell any more */
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
		log_pump(cl);
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
	ctl_error_reply(&o, code, msg);
	ctl_client_send(cl, &o);
	mpx_free(&o);
}

/* An optional 32-byte key in a request. 0 and *present; or an error reply. */
int ctl_opt_bin32(struct ctl_client *cl, const msgpack_object *req, const char *key,
		     uint8_t out[32], bool *present)
{
	int rc = mpx_get_binn(req, key, out, 32);

	*present = rc == 0;
	if (rc == 0 || rc == PAKT_ENOTFOUND)
		return 0;
	char msg[96];
	snprintf(msg, sizeof msg, "'%s' must be 32 bytes", key);
	ctl_send_error(cl, PAKT_EPROTO, msg);
	return rc;
}

/* ---- streams of entries ---- */

struct stream_ctx {
	struct ctl_client *cl;
	struct mpx_out o, wire;
	uint64_t count;
};

static int stream_row(void *arg, const struct store_row *row)
{
	struct stream_ctx *sc = arg;
	msgpack_packer *pk = &sc->o.pk;

	/* The entry travels in its wire form, which the CLI decodes and checks
	 * with the same code as a peer would. */
	mpx_reset(&sc->wire);
	msgpack_pack_array(&sc->wire.pk, 3);
	mpx_bin(&sc->wire.pk, row->header, row->header_len);
	mpx_bin(&sc->wire.pk, row->sig, row->sig_len);
	if (row->body != NULL)
		mpx_bin(&sc->wire.pk, row->body, row->body_len);
	else
		msgpack_pack_nil(&sc->wire.pk);
	struct repl_net *rn = repl_net_find(sc->cl->ctl->node, row->network);
	const char *name = rn ? repl_name(rn, row->author) : "";
	bool named = name[0] != '\0';
	static char plain[BODY_TEXT_MAX + 1];
	bool sealed = false;
	struct node *n = sc->cl->ctl->node;

	if (row->body != NULL && strcmp(row->type, "sealed") == 0) {
		uint8_t reply[32];
		bool has_reply;

		/* the control socket is the owner's: show what we can open */
		sodium_mprotect_readonly(n->x_sk);
		sealed = sealed_open(row->body, row->body_len, row->network, row->author,
				     n->x_pk, n->x_sk, plain, sizeof plain, reply,
				     &has_reply) == 0;
		sodium_mprotect_noaccess(n->x_sk);
	}
	ctl_begin(&sc->o);
	msgpack_pack_map(pk, 3 + named + sealed);
	mpx_kv_bin(pk, "entry", sc->wire.sb.data, sc->wire.sb.size);
	if (named)
		mpx_kv_str(pk, "name", name);
	if (sealed)
		mpx_kv_str(pk, "plain", plain);
	mpx_kv_i64(pk, "received", row->received);
	mpx_kv_i64(pk, "rowid", row->rowid);
	ctl_finish(&sc->o);
	ctl_client_send(sc->cl, &sc->o);
	sc->cl->filter.after_rowid = row->rowid;
	sc->count++;
	return sc->cl->closing ? 1 : 0;
}

#define CTL_LOG_CHUNK 256

/* Send stored rows of a log request in chunks while the client keeps up;
 * on_written calls again once its queue drains. */
static void log_pump(struct ctl_client *cl)
{
	struct node *n = cl->ctl->node;
	struct stream_ctx sc = {.cl = cl};
	int rc = 0;

	mpx_init(&sc.o);
	mpx_init(&sc.wire);
	while (cl->backlog && !cl->closing && cl->pending < CTL_PENDING_HIGH) {
		uint64_t before = sc.count;

		cl->filter.limit = CTL_LOG_CHUNK;
		rc = store_scan(n->store, &cl->filter, stream_row, &sc);
		if (rc != 0 && rc != 1) {
			ctl_send_error(cl, PAKT_EIO, store_errmsg(n->store));
			cl->backlog = false;
			break;
		}
		if (sc.count - before < CTL_LOG_CHUNK) {
			cl->backlog = false;
			cl->filter.limit = 0;
			cl->count += sc.count;
			if (cl->follow) {
				cl->streaming = true;
			} else {
				ctl_begin(&sc.o);
				msgpack_pack_map(&sc.o.pk, 2);
				mpx_kv_u64(&sc.o.pk, "count", cl->count);
				mpx_kv_bool(&sc.o.pk, "ok", true);
				ctl_finish(&sc.o);
				ctl_client_send(cl, &sc.o);
			}
			goto out;
		}
	}
	cl->count += sc.count;
out:
	mpx_free(&sc.o);
	mpx_free(&sc.wire);
}

static int note_min_rowid(void *arg, const struct store_row *row)
{
	int64_t *min = arg;

	if (*min == 0 || row->rowid < *min)
		*min = row->rowid;
	return 0;
}

static void op_log(struct ctl_client *cl, const msgpack_object *req)
{
	struct node *n = cl->ctl->node;
	bool has_net, has_author, has_last, follow = false;
	uint64_t last = 0;
	int rc;

	memset(&cl->filter, 0, sizeof cl->filter);
	if (ctl_opt_bin32(cl, req, "network", cl->f_net, &has_net) != 0 ||
	    ctl_opt_bin32(cl, req, "author", cl->f_author, &has_author) != 0)
		return;
	rc = mpx_get_cstr(req, "type", cl->f_type, sizeof cl->f_type);
	if (rc != 0 && rc != PAKT_ENOTFOUND) {
		ctl_send_error(cl, PAKT_EPROTO, "'type' must be a short string");
		return;
	}
	if (rc == 0)
		cl->filter.type = cl->f_type;
	if ((rc = mpx_get_u64(req, "last", &last)) != 0 && rc != PAKT_ENOTFOUND) {
		ctl_send_error(cl, PAKT_EPROTO, "'last' must be a count");
		return;
	}
	has_last = rc == 0;
	if ((rc = mpx_get_bool(req, "follow", &follow)) != 0 && rc != PAKT_ENOTFOUND) {
		ctl_send_error(cl, PAKT_EPROTO, "'follow' must be true or false");
		return;
	}
	cl->filter.network = has_net ? cl->f_net : NULL;
	cl->filter.author = has_author ? cl->f_author : NULL;
	/* "last": absent = every stored entry, N = the newest N, 0 = none;
	 * find where the newest N start, then stream forward from there */
	if (has_last && last == 0) {
		cl->filter.after_rowid = store_last_rowid(n->store);
	} else if (has_last) {
		int64_t min = 0;

		cl->filter.last = last;
		rc = store_scan(n->store, &cl->filter, note_min_rowid, &min);
		cl->filter.last = 0;
		if (rc != 0) {
			ctl_send_error(cl, PAKT_EIO, store_errmsg(n->store));
			return;
		}
		cl->filter.after_rowid = min > 0 ? min - 1 : store_last_rowid(n->store);
	}
	cl->follow = follow;
	cl->count = 0;
	cl->backlog = true;
	log_pump(cl);
}

void ctl_notify(struct ctl *c)
{
	struct ctl_client *cl, *next;

	for (cl = c->clients; cl != NULL; cl = next) {
		struct stream_ctx sc = {.cl = cl};

		next = cl->next;
		if (!cl->streaming || cl->closing)
			continue;
		mpx_init(&sc.o);
		mpx_init(&sc.wire);
		if (store_scan(c->node->store, &cl->filter, stream_row, &sc) > 1)
			client_close(cl);
		mpx_free(&sc.o);
		mpx_free(&sc.wire);
	}
}

/* ---- requests ---- */

static void op_status(struct ctl_client *cl, const msgpack_object *req)
{
	struct node *n = cl->ctl->node;
	uint64_t entries = 0, feeds = 0, nets = 0;
	uint8_t net[32];
	char why[256];
	bool has_net;
	struct mpx_out o;
	msgpack_packer *pk = &o.pk;

	if (store_counts(n->store, &entries, &feeds, &nets) != 0) {
		ctl_send_error(cl, PAKT_EIO, store_errmsg(n->store));
		return;
	}
	has_net = node_pick_network(n, NULL, net, why, sizeof why) == 0;
	mpx_init(&o);
	ctl_begin(&o);
	msgpack_pack_map(pk, 10 + has_net);
	mpx_kv_str(pk, "datadir", n->datadir);
	mpx_kv_u64(pk, "entries", entries);
	mpx_kv_u64(pk, "feeds", feeds);
	mpx_kv_bin(pk, "id", n->id.pk, 32);
	mpx_kv_str(pk, "name", n->cfg.name);
	if (has_net)
		mpx_kv_bin(pk, "network", net, 32);
	mpx_kv_u64(pk, "networks", nets);
	mpx_kv_bool(pk, "ok", true);
	mpx_kv_u64(pk, "pid", (uint64_t)getpid());
	mpx_kv_u64(pk, "uptime_ms", node_now_ms() - n->started_ms);
	mpx_kv_str(pk, "version", CTL_VERSION);
	ctl_finish(&o);
	ctl_client_send(cl, &o);
	mpx_free(&o);
}

static void reply_entry(struct ctl_client *cl, const struct entry *e)
{
	struct mpx_out o;

	mpx_init(&o);
	ctl_begin(&o);
	msgpack_pack_map(&o.pk, 4);
	mpx_kv_bin(&o.pk, "hash", e->hash, 32);
	mpx_kv_bin(&o.pk, "network", entry_network(e), 32);
	mpx_kv_bool(&o.pk, "ok", true);
	mpx_kv_u64(&o.pk, "seq", e->h.seq);
	ctl_finish(&o);
	ctl_client_send(cl, &o);
	mpx_free(&o);
}

/* A sealed body for the recipients in `to` (members' Ed25519 keys) and
 * ourselves. Sends the error reply itself and returns its code. */
static int seal_for(struct ctl_client *cl, const uint8_t net[32], const msgpack_object *to,
		    const char *text, const uint8_t *reply_to, struct mpx_out *body)
{
	struct node *n = cl->ctl->node;
	struct repl_net *rn = repl_net_find(n, net);
	uint8_t rcpt[BODY_BOXES_MAX][32];
	size_t k = 0;
	int rc;

	if (to->type != MSGPACK_OBJECT_ARRAY || to->via.array.size == 0 ||
	    to->via.array.size >= BODY_BOXES_MAX || rn == NULL) {
		ctl_send_error(cl, PAKT_EINVAL, "'to' must list 1 to 31 members");
		return PAKT_EINVAL;
	}
	memcpy(rcpt[k++], n->x_pk, 32);   /* the author reads it back */
	for (uint32_t i = 0; i < to->via.array.size; i++) {
		const msgpack_object *x = &to->via.array.ptr[i];

		if (x->type != MSGPACK_OBJECT_BIN || x->via.bin.size != 32 ||
		    roster_find(&rn->members, (const uint8_t *)x->via.bin.ptr) == NULL ||
		    keys_pk_to_x25519((const uint8_t *)x->via.bin.ptr, rcpt[k]) != 0) {
			ctl_send_error(cl, PAKT_ENOTMEMBER, "every recipient must be a current member");
			return PAKT_ENOTMEMBER;
		}
		if (memcmp(rcpt[k], n->x_pk, 32) != 0)
			k++;
	}
	rc = sealed_seal(body, net, n->id.pk, text, reply_to, (const uint8_t (*)[32])rcpt, k);
	if (rc != 0)
		ctl_send_error(cl, rc, "could not seal the message");
	return rc;
}

static void op_post(struct ctl_client *cl, const msgpack_object *req)
{
	struct node *n = cl->ctl->node;
	uint8_t netarg[32], net[32], reply_to[32];
	bool has_net, has_reply;
	const char *text;
	size_t text_len;
	char why[512] = "";
	char *copy = NULL;
	struct mpx_out body;
	struct entry e;
	int rc;

	if (mpx_get_str(req, "text", &text, &text_len) != 0) {
		ctl_send_error(cl, PAKT_EPROTO, "'text' (string) is required");
		return;
	}
	if (ctl_opt_bin32(cl, req, "network", netarg, &has_net) != 0 ||
	    ctl_opt_bin32(cl, req, "reply_to", reply_to, &has_reply) != 0)
		return;
	rc = node_pick_network(n, has_net ? netarg : NULL, net, why, sizeof why);
	if (rc != 0) {
		ctl_send_error(cl, rc, why[0] ? why : pakt_strerror(rc));
		return;
	}
	mpx_init(&body);
	copy = strndup(text, text_len);
	if (copy == NULL || memchr(text, '\0', text_len) != NULL) {
		rc = copy ? PAKT_EINVAL : PAKT_ENOMEM;
		ctl_send_error(cl, rc, "message text must not contain NUL bytes");
		goto done;
	}
	const msgpack_object *to = mpx_get(req, "to");
	if (to != NULL) {
		rc = seal_for(cl, net, to, copy, has_reply ? reply_to : NULL, &body);
		if (rc != 0)
			goto done;
	} else {
		rc = body_message(&body, copy, has_reply ? reply_to : NULL);
	}
	if (rc != 0) {
		snprintf(why, sizeof why, "message: %s (at most %d bytes of UTF-8)",
			 pakt_strerror(rc), BODY_TEXT_MAX);
		ctl_send_error(cl, rc, why);
		goto done;
	}
	rc = node_append(n, net, to ? "sealed" : "message", (const uint8_t *)body.sb.data,
			 body.sb.size, &e, why, sizeof why);
	if (rc != 0)
		ctl_send_error(cl, rc, why);
	else
		reply_entry(cl, &e);
done:
	free(copy);
	mpx_free(&body);
}

static void op_initiative_create(struct ctl_client *cl, const msgpack_object *req)
{
	struct node *n = cl->ctl->node;
	char name[BODY_NAME_MAX + 1], goal[BODY_TEXT_MAX + 1], why[512] = "";
	uint8_t net[32];
	struct mpx_out o;
	int rc;

	if (mpx_get_cstr(req, "name", name, sizeof name) != 0 || name[0] == '\0') {
		ctl_send_error(cl, PAKT_EINVAL, "an initiative needs a name of 1 to 128 bytes");
		return;
	}
	rc = mpx_get_cstr(req, "goal", goal, sizeof goal);
	if (rc == PAKT_ENOTFOUND)
		goal[0] = '\0';
	else if (rc != 0) {
		ctl_send_error(cl, PAKT_EINVAL, "the goal must be text of at most 8192 bytes");
		return;
	}
	rc = node_create_initiative(n, name, goal, net, why, sizeof why);
	if (rc != 0) {
		ctl_send_error(cl, rc, why);
		return;
	}
	mpx_init(&o);
	ctl_begin(&o);
	msgpack_pack_map(&o.pk, 2);
	mpx_kv_bin(&o.pk, "network", net, 32);
	mpx_kv_bool(&o.pk, "ok", true);
	ctl_finish(&o);
	ctl_client_send(cl, &o);
	mpx_free(&o);
}

/* verify: runs in the thread pool on its own read-only connection. */
struct verify_job {
	uv_work_t req;
	struct ctl_client *cl;
	char db_path[DATADIR_PATH_MAX];
	struct verify_result res;
	int rc;
	char why[256];
};

static void verify_work(uv_work_t *req)
{
	struct verify_job *j = req->data;
	struct store *s;

	j->rc = store_open(&s, j->db_path, true, j->why, sizeof j->why);
	if (j->rc != 0)
		return;
	j->rc = verify_store(s, &j->res);
	if (j->rc != 0)
		snprintf(j->why, sizeof j->why, "%s", store_errmsg(s));
	store_close(s);
}

static void verify_done(uv_work_t *req, int status)
{
	struct verify_job *j = req->data;
	struct ctl_client *cl = j->cl;
	struct mpx_out o;
	msgpack_packer *pk = &o.pk;

	cl->busy = false;
	if (cl->closed) {
		ctl_client_free(cl);
		goto done;
	}
	if (status != 0 || j->rc != 0) {
		ctl_send_error(cl, j->rc ? j->rc : PAKT_EIO, j->why[0] ? j->why : "verify could not run");
		goto done;
	}
	log_info("verify: %llu entries in %llu feeds, %llu bad",
		 (unsigned long long)j->res.checked, (unsigned long long)j->res.feeds,
		 (unsigned long long)j->res.n_bad);
	mpx_init(&o);
	ctl_begin(&o);
	msgpack_pack_map(pk, 6);
	mpx_str(pk, "bad");
	msgpack_pack_array(pk, (uint32_t)j->res.bad_len);
	for (size_t i = 0; i < j->res.bad_len; i++) {
		const struct verify_bad *b = &j->res.bad[i];

		msgpack_pack_map(pk, 5);
		mpx_kv_bin(pk, "author", b->author, 32);
		mpx_kv_u64(pk, "code", (uint64_t)b->code);
		mpx_kv_bin(pk, "network", b->network, 32);
		mpx_kv_str(pk, "reason", b->reason);
		mpx_kv_u64(pk, "seq", b->seq);
	}
	mpx_kv_u64(pk, "bodies", j->res.bodies);
	mpx_kv_u64(pk, "checked", j->res.checked);
	mpx_kv_u64(pk, "feeds", j->res.feeds);
	mpx_kv_u64(pk, "n_bad", j->res.n_bad);
	mpx_kv_bool(pk, "ok", true);
	ctl_finish(&o);
	ctl_client_send(cl, &o);
	mpx_free(&o);
done:
	verify_result_free(&j->res);
	free(j);
}

static void op_verify(struct ctl_client *cl, const msgpack_object *req)
{
	struct verify_job *j = calloc(1, sizeof *j);

	if (j == NULL) {
		ctl_send_error(cl, PAKT_ENOMEM, "out of memory");
		return;
	}
	j->req.data = j;
	j->cl = cl;
	snprintf(j->db_path, sizeof j->db_path, "%s", cl->ctl->node->db_path);
	if (uv_queue_work(cl->ctl->node->loop, &j->req, verify_work, verify_done) != 0) {
		free(j);
		ctl_send_error(cl, PAKT_EIO, "could not start verification");
		return;
	}
	cl->busy = true;
}

static const struct {
	const char *op;
	void (*fn)(struct ctl_client *cl, const msgpack_object *req);
} ops[] = {
	{"accept", op_accept},
	{"agenda", op_agenda},
	{"agenda.set", op_agenda_set},
	{"audit", op_audit},
	{"checkpoint", op_checkpoint},
	{"commit", op_commit},
	{"commitments", op_commitments},
	{"decline", op_decline},
	{"export", op_export},
	{"initiative.create", op_initiative_create},
	{"invite", op_invite},
	{"join", op_join},
	{"key.rotate", op_key_rotate},
	{"log", op_log},
	{"member.remove", op_member_remove},
	{"member.revoke_key", op_member_revoke_key},
	{"members", op_members},
	{"peer.add", op_peer_add},
	{"peer.list", op_peer_list},
	{"peer.remove", op_peer_remove},
	{"metrics", op_metrics},
	{"post", op_post},
	{"profile.set", op_profile_set},
	{"progress", op_progress},
	{"redact", op_redact},
	{"status", op_status},
	{"subscribe", op_subscribe},
	{"unsubscribe", op_unsubscribe},
	{"update", op_update},
	{"verify", op_verify},
};

static void dispatch(struct ctl_client *cl, const uint8_t *buf, size_t len)
{
	msgpack_unpacked u;
	const char *op;
	size_t op_len;
	char msg[96];

	msgpack_unpacked_init(&u);
	if (ctl_unpack(&u, buf, len) != 0 || mpx_get_str(&u.data, "op", &op, &op_len) != 0) {
		log_warn("control client sent a malformed request (%zu bytes, not a map with 'op'): closing it", len);
		ctl_send_error(cl, PAKT_EPROTO, "malformed request: expected a msgpack map with 'op'");
		client_close(cl);
		goto done;
	}
	if (cl->busy || cl->streaming || cl->backlog) {
		ctl_send_error(cl, PAKT_EPROTO, "one request at a time on a connection");
		goto done;
	}
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		if (strlen(ops[i].op) == op_len && memcmp(ops[i].op, op, op_len) == 0) {
			ops[i].fn(cl, &u.data);
			goto done;
		}
	}
	snprintf(msg, sizeof msg, "unknown op '%.*s'", (int)(op_len > 40 ? 40 : op_len), op);
	ctl_send_error(cl, PAKT_EPROTO, msg);
done:
	msgpack_unpacked_destroy(&u);
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
		uint8_t *p = realloc(cl->in, cap);

		if (p == NULL) {
			client_close(cl);
			return;
		}
		cl->in = p;
		cl->in_cap = cap;
	}
	memcpy(cl->in + cl->in_len, buf->base, (size_t)nread);
	cl->in_len += (size_t)nread;
	while (!cl->closing && cl->in_len - off >= CTL_HDR_LEN) {
		uint32_t len = ctl_frame_len(cl->in + off);

		if (len > CTL_FRAME_MAX) {
			log_warn("control client sent a %u-byte request (max %u): closing it", len, CTL_FRAME_MAX);
			ctl_send_error(cl, PAKT_ETOOBIG, "request too large");
			client_close(cl);
			return;
		}
		if (cl->in_len - off < CTL_HDR_LEN + (size_t)len)
			break;
		dispatch(cl, cl->in + off + CTL_HDR_LEN, len);
		off += CTL_HDR_LEN + len;
	}
	memmove(cl->in, cl->in + off, cl->in_len - off);
	cl->in_len -= off;
}

/* Only our own user (and root) may drive the daemon: the socket's mode
 * says so too, but a mode can be loosened by mistake. */
static bool peer_is_allowed(struct ctl_client *cl)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	uv_os_fd_t fd;

	if (uv_fileno((uv_handle_t *)&cl->pipe, &fd) != 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		log_warn("control socket: cannot read the client's credentials: refusing it");
		client_close(cl);
		return false;
	}
	if (cred.uid != geteuid() && cred.uid != 0) {
		log_warn("control socket: refused a client of uid %u (pid %d): paktd runs as uid %u",
			 (unsigned)cred.uid, (int)cred.pid, (unsigned)geteuid());
		ctl_send_error(cl, PAKT_EPERM, "permission denied: only the user paktd runs as may use its control socket");
		client_close(cl);
		return false;
	}
	return true;
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
		ctl_send_error(cl, PAKT_EIO, "too many control connections");
		client_close(cl);
		return;
	}
	uv_read_start((uv_stream_t *)&cl->pipe, on_alloc, on_read);
}

/* Stored entries and forks reach the streaming clients. */
static void ctl_on_event(void *arg, const struct node_event *ev)
{
	if (ev->kind == NODE_EV_STORED || ev->kind == NODE_EV_FORK)
		ctl_notify(arg);
}

int ctl_start(struct ctl *c, struct node *n, const char *path, char *why,
	      size_t whylen)
{
	mode_t old;
	int rc;

	memset(c, 0, sizeof *c);
	c->node = n;
	if (strlen(path) >= sizeof c->path) {
		snprintf(why, whylen, "control socket path too long (%zu bytes, max %zu): use a shorter data directory",
			 strlen(path), sizeof c->path - 1);
		return PAKT_ETOOBIG;
	}
	snprintf(c->path, sizeof c->path, "%s", path);
	unlink(path);   /* a stale socket from a crash; we hold the lock */
	uv_pipe_init(n->loop, &c->server, 0);
	c->server.data = c;
	c->open_handles = 1;
	/* Created 0600 from the start: no window where others may connect. */
	old = umask(0177);
	rc = uv_pipe_bind(&c->server, path);
	umask(old);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&c->server, 64, on_connection);
	if (rc != 0) {
		snprintf(why, whylen, "control socket %s: %s", path, uv_strerror(rc));
		return PAKT_EIO;
	}
	chmod(path, 0600);
	c->listening = true;
	return node_listen(n, ctl_on_event, c);
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
	for (cl = c->clients; cl; cl = cl->next)
		client_close(cl);
	if (c->listening)
		unlink(c->path);
	uv_close((uv_handle_t *)&c->server, on_server_closed);
}
