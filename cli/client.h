/* Blocking control-socket client used by the pakt CLI. */
#ifndef PAKT_CLIENT_H
#define PAKT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto/ctlop.h"
#include "proto/ctlop_reply.h"
#include "proto/mpx.h"

struct client {
	int fd;
	uint8_t *buf;              /* last message's bytes, valid until the next recv */
	size_t len, cap;
	char why[512];             /* reason of the last failure */
	bool denied;               /* the kernel refused the socket (EACCES/EPERM) */
};

/* Connect to paktd's socket in datadir. PAKT_ENOTRUNNING (why: "paktd is
 * not running (socket PATH)") or 0. */
int client_connect(struct client *c, const char *datadir);
void client_close(struct client *c);

/* Encode and send a request. PAKT_ETOOBIG if it exceeds the protocol's
 * frame, PAKT_ENOTRUNNING if the connection is lost. */
int client_send(struct client *c, const struct ctlop_req *req);

/* Wait for the next message into c->buf[0..c->len). timeout_ms < 0 waits
 * forever. PAKT_ENOTRUNNING if the daemon closed the connection,
 * PAKT_EPROTO if the message is oversized, PAKT_EIO on timeout. */
int client_recv(struct client *c, int timeout_ms);

/* If the last message is an error reply, its code (with the message in
 * c->why), else 0. */
int client_reply_error(struct client *c);

/* Decode the last message as a reply of kind k into *r (the struct k
 * names; release it with ctlop_reply_free). PAKT_EPROTO with c->why. */
int client_reply(struct client *c, enum ctlop_reply_kind k, void *r);

/* Send req and wait for its reply (timeout_ms); an error reply is returned
 * as its code with the daemon's message in c->why. */
int client_call(struct client *c, const struct ctlop_req *req, int timeout_ms);

#endif
