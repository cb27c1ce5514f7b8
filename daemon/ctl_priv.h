/* Inside the control server: the client struct, the helpers every
 * handler uses (ctl.c), and the handlers of each file, named for it. A
 * handler gets a decoded request (proto/ctlop.h) and sends exactly one
 * reply, or starts a stream or a thread-pool job that will. */
#ifndef PAKT_CTL_PRIV_H
#define PAKT_CTL_PRIV_H

#include <stdbool.h>
#include <uv.h>
#include "daemon/ctl.h"
#include "daemon/store.h"
#include "proto/entry.h"
#include "proto/ctlop.h"
#include "proto/ctlop_reply.h"
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
	bool owner;                  /* paktd's own uid or root, not the control group */
	bool streaming;
	struct store_query filter;   /* for streaming: pointers into the fields below */
	uint8_t f_net[32], f_author[32];
	char f_type[ENTRY_TYPE_MAX + 1];
	struct link *join_link;      /* a pakt join waiting for its outcome */
	uint8_t join_net[32], join_inviter[32];
	char join_addr[256];         /* the inviter's address dialled, for errors */
	bool backlog;                /* a log request still sending stored rows */
	bool follow;                 /* ... then becomes a live stream */
	uint64_t count;              /* rows sent for the current request */
};


/* Queue a finished frame / an error reply to the client. */
void ctl_client_send(struct ctl_client *cl, struct mpx_out *o);
void ctl_send_error(struct ctl_client *cl, int code, const char *msg);
/* Free a client whose close callback already ran (after a pool job). */
void ctl_client_free(struct ctl_client *cl);
/* Encode reply *r of kind k (proto/ctlop_reply.h) and queue it; a reply
 * over the frame limit becomes an error reply. r stays the caller's. */
void ctl_reply(struct ctl_client *cl, enum ctlop_reply_kind k, const void *r);
/* Reply {"ok": true} and nothing else. */
void ctl_reply_ok(struct ctl_client *cl);

struct repl_net;
/* The request's network (or the default); on failure an error reply is
 * sent and NULL returned. */
struct repl_net *ctl_network(struct ctl_client *cl, const struct ctlop_req *r);
/* Whether this node was removed from rn; if so, out[cap] gets "removed
 * from INITIATIVE by NAME on YYYY-MM-DD" (PROTOCOL.md, control table). */
bool ctl_removal(struct node *n, struct repl_net *rn, char *out, size_t cap);
/* Whether we are an admin of rn; if not, reply the error. */
bool ctl_need_admin(struct ctl_client *cl, struct repl_net *rn);
/* Reply {"hash", "network"?, "ok", "seq"} for an entry we appended. */
void ctl_reply_entry(struct ctl_client *cl, const struct entry *e, bool with_network);
/* Answer a body builder's error rc_build, else append body as our next
 * entry of type in rn and reply with ctl_reply_entry (no network). The
 * caller frees body. */
void ctl_append(struct ctl_client *cl, struct repl_net *rn, const char *type, int rc_build,
		struct mpx_out *body);
/* Append body (built with result rc) as our next entry of type in rn,
 * free it, and reply ok or the error. */
void ctl_publish(struct ctl_client *cl, struct repl_net *rn, const char *type,
		 struct mpx_out *body, int rc);

/* ctl_feed.c: entries and their streams */
void ctl_feed_log(struct ctl_client *cl, const struct ctlop_req *r);
/* Send more stored rows of a log request while the client keeps up. */
void ctl_feed_pump(struct ctl_client *cl);
/* Send a streaming client the rows stored since its last one; PAKT_EIO
 * if the store could not be read (the caller closes the client). */
int ctl_feed_push(struct ctl_client *cl);
void ctl_feed_post(struct ctl_client *cl, const struct ctlop_req *r);
void ctl_feed_redact(struct ctl_client *cl, const struct ctlop_req *r);
void ctl_feed_profile_set(struct ctl_client *cl, const struct ctlop_req *r);
void ctl_feed_checkpoint(struct ctl_client *cl, const struct ctlop_req *r);

/* ctl_node.c: the node itself */
void ctl_node_status(struct ctl_client *cl, const struct ctlop_req *r);
void ctl_node_initiative_create(struct ctl_client *cl, const struct ctlop_req *r);
void ctl_node_verify(struct ctl_client *cl, const struct ctlop_req *r);
void ctl_node_backup(struct ctl_client *cl, const struct ctlop_req *r);

/* ctl_mesh.c: invites, joins, members, peers, subscriptions */
void ctl_mesh_invite(struct ctl_client *cl, const struct ctlop_req *r);
void ctl_mesh_join(struct ctl_client *cl, const struct ctlop_req *r);
void ctl_mesh_members(struct ctl_client *cl, const struct ctlop_req *r);
void ctl_mesh_member_remove(struct ctl_client *cl, const struct ctlop_req *r);
void ctl_mesh_peer_add(struct ctl_client *cl, const struct ctlop_req *r);
void ctl_mesh_peer_list(struct ctl_client *cl, const struct ctlop_req *r);
void ctl_mesh_peer_remove(struct ctl_client *cl, const struct ctlop_req *r);
void ctl_mesh_subscribe(struct ctl_client *cl, const struct ctlop_req *r);
void ctl_mesh_unsubscribe(struct ctl_client *cl, const struct ctlop_req *r);

/* ctl_keys.c */
void ctl_keys_rotate(struct ctl_client *cl, const struct ctlop_req *r);
void ctl_keys_revoke(struct ctl_client *cl, const struct ctlop_req *r);

/* ctl_work.c: agenda, measurement, commitments */
void ctl_work_agenda_set(struct ctl_client *cl, const struct ctlop_req *r);
void ctl_work_agenda(struct ctl_client *cl, const struct ctlop_req *r);
void ctl_work_update(struct ctl_client *cl, const struct ctlop_req *r);
void ctl_work_metrics(struct ctl_client *cl, const struct ctlop_req *r);
void ctl_work_commit(struct ctl_client *cl, const struct ctlop_req *r);
/* accept, decline, progress: answer a commitment */
void ctl_work_respond(struct ctl_client *cl, const struct ctlop_req *r);
void ctl_work_commitments(struct ctl_client *cl, const struct ctlop_req *r);
struct ledger;
struct ledger_commit;
struct roster;
/* One commitment as the listing (audit false) or the audit shows it, into
 * *out; its arrays are allocated (ctlop_reply_free of the reply holding it
 * frees them). PAKT_ENOMEM or 0. */
int ctl_work_commit_view(struct ctlop_r_commit *out, const struct ledger *l, const struct roster *m,
			 const struct ledger_commit *c, bool audit, int64_t today);
/* Today in days since 1970 (UTC), from the node's clock. */
int64_t ctl_work_today(void);

/* ctl_audit.c: the audit, in the thread pool */
void ctl_audit_run(struct ctl_client *cl, const struct ctlop_req *r);

/* ctl_export.c: a bundle of one commitment or one feed range */
void ctl_export_run(struct ctl_client *cl, const struct ctlop_req *r);

#endif
