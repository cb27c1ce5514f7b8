/* Control ops on entries: post, log (stored entries, then a live stream),
 * redact, profile.set, checkpoint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "daemon/ctl_priv.h"
#include "daemon/tr.h"
#include "daemon/log.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "keys/keys.h"
#include "proto/body.h"
#include "proto/ctlmsg.h"
#include "proto/err.h"
#include "proto/sealed.h"

struct stream_ctx {
	struct ctl_client *cl;
	struct mpx_out o, wire;
	uint64_t count;
	struct ctlop_r_log_row row;   /* the frame being sent */
};

static int stream_row(void *arg, const struct store_row *row)
{
	struct stream_ctx *sc = arg;

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
	struct node *n = sc->cl->ctl->node;
	struct repl_net *rn = repl_net_find(n, row->network);
	struct ctlop_r_log_row *r = &sc->row;

	r->entry = (uint8_t *)sc->wire.sb.data;
	r->entry_len = sc->wire.sb.size;
	snprintf(r->name, sizeof r->name, "%s", rn ? repl_name(rn, row->author) : "");
	r->has_name = r->name[0] != '\0';
	r->has_plain = false;
	if (row->body != NULL && strcmp(row->type, "sealed") == 0) {
		uint8_t reply[32];
		bool has_reply;

		/* the control socket is the owner's: show what we can open */
		sodium_mprotect_readonly(n->x_sk);
		r->has_plain = sealed_open(row->body, row->body_len, row->network, row->author,
					   n->x_pk, n->x_sk, r->plain, sizeof r->plain, reply,
					   &has_reply) == 0;
		sodium_mprotect_noaccess(n->x_sk);   /* readable only while in use */
	}
	r->received = row->received;
	r->rowid = row->rowid;
	if (ctlop_reply_encode(CTLOP_R_LOG_ROW, r, &sc->o) == 0)
		ctl_client_send(sc->cl, &sc->o);
	if (r->has_plain)
		sodium_memzero(r->plain, sizeof r->plain);
	sc->cl->filter.after_rowid = row->rowid;
	sc->count++;
	return sc->cl->closing ? 1 : 0;
}

#define CTL_LOG_CHUNK 256

/* Send stored rows of a log request in chunks while the client keeps up;
 * ctl.c's on_written calls again once its queue drains. */
void ctl_feed_pump(struct ctl_client *cl)
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
				const struct ctlop_r_log_end end = {.count = cl->count, .ok = true};

				ctl_reply(cl, CTLOP_R_LOG_END, &end);
			}
			goto free_bufs;
		}
	}
	cl->count += sc.count;
free_bufs:
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

void ctl_feed_log(struct ctl_client *cl, const struct ctlop_req *r)
{
	const struct ctlop_log *q = &r->u.log;
	struct node *n = cl->ctl->node;
	int rc;

	memset(&cl->filter, 0, sizeof cl->filter);
	memcpy(cl->f_net, r->network, 32);
	memcpy(cl->f_author, q->author, 32);
	snprintf(cl->f_type, sizeof cl->f_type, "%s", q->type);
	cl->filter.network = r->has_network ? cl->f_net : NULL;
	cl->filter.author = q->has_author ? cl->f_author : NULL;
	cl->filter.type = q->type[0] ? cl->f_type : NULL;
	/* "last": absent = every stored entry, N = the newest N, 0 = none;
	 * find where the newest N start, then stream forward from there */
	if (q->has_last && q->last == 0) {
		cl->filter.after_rowid = store_last_rowid(n->store);
	} else if (q->has_last) {
		int64_t min = 0;

		cl->filter.last = q->last;
		rc = store_scan(n->store, &cl->filter, note_min_rowid, &min);
		cl->filter.last = 0;
		if (rc != 0) {
			ctl_send_error(cl, PAKT_EIO, store_errmsg(n->store));
			return;
		}
		cl->filter.after_rowid = min > 0 ? min - 1 : store_last_rowid(n->store);
	}
	cl->follow = q->follow;
	cl->count = 0;
	cl->backlog = true;
	ctl_feed_pump(cl);
}

int ctl_feed_push(struct ctl_client *cl)
{
	struct stream_ctx sc = {.cl = cl};
	int rc;

	mpx_init(&sc.o);
	mpx_init(&sc.wire);
	rc = store_scan(cl->ctl->node->store, &cl->filter, stream_row, &sc) > 1 ? PAKT_EIO : 0;
	mpx_free(&sc.o);
	mpx_free(&sc.wire);
	return rc;
}

/* Add member key to the recipients (X25519 in rcpt, Ed25519 in named)
 * unless it is there already. PAKT_ENOTMEMBER, PAKT_ETOOBIG or 0. */
static int add_recipient(struct repl_net *rn, const uint8_t key[32], uint8_t (*rcpt)[32], size_t *k,
			 struct sealed_to *named)
{
	uint8_t x[32];

	if (roster_find(&rn->members, key) == NULL || keys_pk_to_x25519(key, x) != 0)
		return PAKT_ENOTMEMBER;
	for (size_t j = 0; j < *k; j++)
		if (memcmp(rcpt[j], x, 32) == 0)
			return 0;
	if (*k == BODY_BOXES_MAX)
		return PAKT_ETOOBIG;
	memcpy(rcpt[(*k)++], x, 32);
	memcpy(named->keys[named->n++], key, 32);
	return 0;
}

/* A sealed body for the members in `to` (each must be one), those in also
 * that still are, and ourselves; it names them inside, so that a reply
 * reaches them all. Sends the error reply itself and returns its code. */
static int seal_for(struct ctl_client *cl, const uint8_t net[32], const struct ctlop_post *p,
		    const struct sealed_to *also, struct mpx_out *body, size_t *n_rcpt)
{
	struct node *n = cl->ctl->node;
	struct repl_net *rn = repl_net_find(n, net);
	uint8_t rcpt[BODY_BOXES_MAX][32];
	struct sealed_to named = {.n = 0};
	size_t k = 0;
	int rc = 0;

	if (rn == NULL) {
		ctl_send_error(cl, PAKT_ENOTMEMBER, N_("every recipient must be a current member"));
		return PAKT_ENOTMEMBER;
	}
	memcpy(rcpt[k++], n->x_pk, 32);   /* the author reads it back, and is not named */
	for (size_t i = 0; i < p->n_to + also->n && rc != PAKT_ETOOBIG; i++) {
		bool mine = i < p->n_to;
		const uint8_t *key = mine ? p->to[i] : also->keys[i - p->n_to];

		if (memcmp(key, n->id.pk, 32) == 0)
			continue;
		rc = add_recipient(rn, key, rcpt, &k, &named);
		if (rc == PAKT_ENOTMEMBER && mine) {
			ctl_send_error(cl, rc, N_("every recipient must be a current member"));
			return rc;
		}
	}
	if (rc == PAKT_ETOOBIG) {
		ctl_send_error(cl, rc, N_("at most 31 recipients besides this organisation"));
		return rc;
	}
	if (k == 1 && also->n > 0) {
		ctl_send_error(cl, PAKT_ENOTMEMBER, N_("no one the sealed message went to is still a member: "
			       "reply with --to ID,... or --public"));
		return PAKT_ENOTMEMBER;
	}
	rc = sealed_seal_to(body, net, n->id.pk, p->text, p->has_reply_to ? p->reply_to : NULL,
			    (const uint8_t (*)[32])rcpt, k, &named);
	*n_rcpt = k;
	if (rc != 0)
		ctl_send_error(cl, rc, N_("could not seal the message"));
	return rc;
}

struct own_row {
	bool found;
	uint8_t author[32];
	uint8_t network[32];
	char type[ENTRY_TYPE_MAX + 1];
};

static int note_row(void *arg, const struct store_row *row)
{
	struct own_row *o = arg;

	o->found = true;
	memcpy(o->author, row->author, 32);
	memcpy(o->network, row->network, 32);
	snprintf(o->type, sizeof o->type, "%s", row->type);
	return 0;
}

/* The sealed entry a reply answers: whether it is one, and whom it went to
 * as far as we can tell (its author and the recipients it names). */
struct thread {
	struct node *n;
	bool sealed;
	uint8_t author[32];
	struct sealed_to named;   /* empty unless we could open it */
};

static int thread_row(void *arg, const struct store_row *row)
{
	struct thread *t = arg;
	char text[BODY_TEXT_MAX + 1];

	if (strcmp(row->type, "sealed") != 0)
		return 0;
	t->sealed = true;
	if (row->body != NULL) {
		sodium_mprotect_readonly(t->n->x_sk);
		(void)sealed_open_to(row->body, row->body_len, row->network, row->author, t->n->x_pk,
				     t->n->x_sk, text, sizeof text, NULL, NULL, &t->named);
		sodium_mprotect_noaccess(t->n->x_sk);
		sodium_memzero(text, sizeof text);
	}
	memcpy(t->author, row->author, 32);
	return 0;
}

/* A reply to a sealed entry stays sealed (unless "public"): to the
 * entry's author and the recipients it names (those still members), us,
 * and any `to`. Fills also (n = 0: the reply is not made private by
 * this); false after an error reply. */
static bool private_reply(struct ctl_client *cl, const struct ctlop_post *p, struct sealed_to *also)
{
	struct node *n = cl->ctl->node;
	struct thread t = {.n = n};

	also->n = 0;
	if (!p->has_reply_to || p->public_reply || store_get(n->store, p->reply_to, thread_row, &t) != 0 ||
	    !t.sealed)
		return true;
	/* we were one of at most 32 (author and 31 named) if we could open
	 * it: the others fit in 31 */
	for (size_t i = 0; i <= t.named.n && also->n < BODY_BOXES_MAX - 1; i++) {
		const uint8_t *key = i < t.named.n ? t.named.keys[i] : t.author;

		if (memcmp(key, n->id.pk, 32) != 0)
			memcpy(also->keys[also->n++], key, 32);
	}
	if (also->n == 0 && p->n_to == 0) {
		/* our own, sealed before messages named their recipients */
		ctl_send_error(cl, PAKT_EINVAL, N_("that sealed message does not name its recipients: "
			       "reply with --to ID,... or --public"));
		return false;
	}
	return true;
}

void ctl_feed_post(struct ctl_client *cl, const struct ctlop_req *r)
{
	const struct ctlop_post *p = &r->u.post;
	struct node *n = cl->ctl->node;
	const uint8_t *reply_to = p->has_reply_to ? p->reply_to : NULL;
	static struct sealed_to also;   /* one loop thread */
	uint8_t net[32];
	char why[512] = "";
	struct mpx_out body;
	struct entry e;
	size_t n_rcpt = 0;
	bool sealed;
	int rc;

	rc = node_pick_network(n, r->has_network ? r->network : NULL, net, why, sizeof why);
	if (rc != 0) {
		ctl_send_error(cl, rc, why[0] ? why : pakt_strerror(rc));
		return;
	}
	if (!private_reply(cl, p, &also))
		return;
	sealed = p->n_to > 0 || also.n > 0;
	mpx_init(&body);
	if (sealed) {
		rc = seal_for(cl, net, p, &also, &body, &n_rcpt);
		if (rc != 0)
			goto free_body;
	} else {
		rc = body_message(&body, p->text, reply_to);
	}
	if (rc != 0) {
		snprintf(why, sizeof why, "message: %s (at most %d bytes of UTF-8)",
			 pakt_strerror(rc), BODY_TEXT_MAX);
		ctl_send_error(cl, rc, why);
		goto free_body;
	}
	rc = node_append(n, net, sealed ? "sealed" : "message", (const uint8_t *)body.sb.data,
			 body.sb.size, &e, why, sizeof why);
	if (rc != 0) {
		ctl_send_error(cl, rc, why);
	} else {
		struct ctlop_r_entry re = {.has_network = true, .ok = true, .seq = e.h.seq,
					   .has_recipients = sealed, .recipients = n_rcpt};

		memcpy(re.hash, e.hash, 32);
		memcpy(re.network, net, 32);
		ctl_reply(cl, CTLOP_R_ENTRY, &re);
	}
free_body:
	mpx_free(&body);
}

/* ---- redaction, profiles, checkpoints ---- */

void ctl_feed_redact(struct ctl_client *cl, const struct ctlop_req *req)
{
	struct node *n = cl->ctl->node;
	struct own_row row = {0};
	const struct body_ref *r = &req->u.ref;
	char msg[512];
	struct repl_net *rn;
	struct mpx_out body;

	if (store_get(n->store, r->ref, note_row, &row) != 0 || !row.found) {
		ctl_send_error(cl, PAKT_ENOTFOUND, N_("no such entry here"));
		return;
	}
	if (memcmp(row.author, n->id.pk, 32) != 0) {
		ctl_send_error(cl, PAKT_EPERM, N_("only an entry's author can redact it"));
		return;
	}
	if (!repl_redactable(row.type)) {
		snprintf(msg, sizeof msg, "a %s entry is part of the record and cannot be redacted "
			 "(only message, update, sealed and profile entries carry content to erase)", row.type);
		ctl_send_error(cl, PAKT_EPERM, msg);
		return;
	}
	if (repl_net_open(n, row.network, &rn) != 0) {
		ctl_send_error(cl, PAKT_EIO, N_("cannot open the initiative"));
		return;
	}
	if (ctl_removal(n, rn, msg, sizeof msg)) {
		ctl_send_error(cl, PAKT_ENOTMEMBER, msg);   /* as ctl.c refuses other writes */
		return;
	}
	mpx_init(&body);
	/* the redact entry is stored and announced; repl_local_stored drops
	 * the body here, and every peer does the same when it arrives */
	ctl_append(cl, rn, "redact", body_ref(&body, "redact", r), &body);
	mpx_free(&body);
}

void ctl_feed_profile_set(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct repl_net *rn = ctl_network(cl, r);
	struct mpx_out body;

	if (rn == NULL)
		return;
	mpx_init(&body);
	ctl_append(cl, rn, "profile", body_profile(&body, &r->u.profile), &body);
	mpx_free(&body);
}

void ctl_feed_checkpoint(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct repl_net *rn = ctl_network(cl, r);
	char why[256] = "";
	struct entry e;
	int rc;

	if (rn == NULL)
		return;
	rc = ctl_publish_checkpoint(cl->ctl->node, rn, &e, why, sizeof why);
	if (rc != 0) {
		ctl_send_error(cl, rc, rc == PAKT_ENOTFOUND ? "nothing changed since the last checkpoint"
				       : why[0] ? why : pakt_strerror(rc));
		return;
	}
	ctl_reply_entry(cl, &e, false);
}
