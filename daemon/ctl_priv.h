/* Inside the control server: shared by ctl.c (framing, feed ops) and
 * ctl_mesh.c (mesh ops). */
#ifndef PAKT_CTL_PRIV_H
#define PAKT_CTL_PRIV_H

#include <stdbool.h>
#include <msgpack.h>
#include <uv.h>
#include "daemon/ctl.h"
#include "daemon/store.h"
#include "proto/entry.h"
#include "proto/mpx.h"

#define CTL_CLIENTS_MAX 64
#define CTL_PENDING_MAX (8u << 20)
#define CTL_PENDING_HIGH (1u << 20)   /* pause a backlog above this */

struct link;

struct ctl_client {
	uv_pipe_t pipe;
	struct ctl *ctl;
	struct ctl_client *next, *prev;
	uint8_t *in;
	size_t in_len, in_cap;
	size_t pending;              /* bytes queued for writing */
	bool closing;                /* uv_close called */
	bool closed;                 /* close callback ran */
	bool busy;                   /* a thread-pool job refers to us */
	bool streaming;
	struct store_query filter;   /* for streaming: pointers into the fields below */
	uint8_t f_net[32], f_author[32];
	char f_type[ENTRY_TYPE_MAX + 1];
	struct link *join_link;      /* a pakt join waiting for its outcome */
	uint8_t join_net[32], join_inviter[32];
	bool backlog;                /* a log request still sending stored rows */
	bool follow;                 /* ... then becomes a live stream */
	uint64_t count;              /* rows sent for the current request */
};


/* Queue a finished frame / an error reply to the client. */
void ctl_client_send(struct ctl_client *cl, struct mpx_out *o);
void ctl_send_error(struct ctl_client *cl, int code, const char *msg);
/* An optional 32-byte field; on a wrong type an error reply is sent and
 * the code returned. */
int ctl_opt_bin32(struct ctl_client *cl, const msgpack_object *req, const char *key,
		  uint8_t out[32], bool *present);
/* The request's network (or the default); on failure an error reply is
 * sent and NULL returned. */
struct repl_net *ctl_network(struct ctl_client *cl, const msgpack_object *req);

/* Free a client whose close callback already ran (after a pool job). */
void ctl_client_free(struct ctl_client *cl);
struct node;
struct repl_net;
/* Publish a checkpoint of rn now; PAKT_ENOTFOUND if nothing changed. */
int ctl_publish_checkpoint(struct node *n, struct repl_net *rn, struct entry *out, char *why,
			   size_t whylen);

void op_agenda_set(struct ctl_client *cl, const msgpack_object *req);
void op_agenda(struct ctl_client *cl, const msgpack_object *req);
void op_update(struct ctl_client *cl, const msgpack_object *req);
void op_metrics(struct ctl_client *cl, const msgpack_object *req);
void op_commit(struct ctl_client *cl, const msgpack_object *req);
void op_accept(struct ctl_client *cl, const msgpack_object *req);
void op_decline(struct ctl_client *cl, const msgpack_object *req);
void op_progress(struct ctl_client *cl, const msgpack_object *req);
void op_commitments(struct ctl_client *cl, const msgpack_object *req);
void op_audit(struct ctl_client *cl, const msgpack_object *req);
void op_redact(struct ctl_client *cl, const msgpack_object *req);
void op_profile_set(struct ctl_client *cl, const msgpack_object *req);
void op_checkpoint(struct ctl_client *cl, const msgpack_object *req);
void op_export(struct ctl_client *cl, const msgpack_object *req);
void op_invite(struct ctl_client *cl, const msgpack_object *req);
void op_join(struct ctl_client *cl, const msgpack_object *req);
void op_members(struct ctl_client *cl, const msgpack_object *req);
void op_member_remove(struct ctl_client *cl, const msgpack_object *req);
void op_member_revoke_key(struct ctl_client *cl, const msgpack_object *req);
void op_key_rotate(struct ctl_client *cl, const msgpack_object *req);
/* Reply {"ok": true} and nothing else. */
void ctl_reply_ok(struct ctl_client *cl);
/* Whether we are an admin of rn; if not, reply the error. */
bool ctl_need_admin(struct ctl_client *cl, struct repl_net *rn);
/* The required "key" field (pk) of req; false after replying the error. */
bool ctl_need_key(struct ctl_client *cl, const msgpack_object *req, uint8_t key[32]);
/* Append body (built with result rc) as our next entry of type in rn,
 * free it, and reply ok or the error. */
void ctl_publish(struct ctl_client *cl, struct repl_net *rn, const char *type,
		 struct mpx_out *body, int rc);
void op_peer_add(struct ctl_client *cl, const msgpack_object *req);
void op_peer_list(struct ctl_client *cl, const msgpack_object *req);
void op_peer_remove(struct ctl_client *cl, const msgpack_object *req);
void op_subscribe(struct ctl_client *cl, const msgpack_object *req);
void op_unsubscribe(struct ctl_client *cl, const msgpack_object *req);

#endif
