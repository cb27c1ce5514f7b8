/* Blocking control-socket client used by the pakt CLI. */
#ifndef PAKT_CLIENT_H
#define PAKT_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>
#include "proto/mpx.h"

struct client {
	int fd;
	uint8_t *buf;              /* last message's bytes */
	size_t cap;
	msgpack_unpacked msg;      /* last message, valid until the next recv */
	char why[512];             /* reason of the last failure */
};

/* Connect to paktd's socket in datadir. PAKT_ENOTRUNNING (why: "paktd is
 * not running (socket PATH)") or 0. */
int client_connect(struct client *c, const char *datadir);
void client_close(struct client *c);

/* Send a request built with ctl_begin()...ctl_finish(). */
int client_send(struct client *c, struct mpx_out *req);

/* Wait for the next message (a map). timeout_ms < 0 waits forever.
 * PAKT_ENOTRUNNING if the daemon closed the connection, PAKT_EPROTO if the
 * message is malformed, PAKT_EIO on timeout. */
int client_recv(struct client *c, const msgpack_object **out, int timeout_ms);

/* If m is an error reply, its code (with the message in c->why), else 0. */
int client_reply_error(struct client *c, const msgpack_object *m);

/* Send req and wait for its reply; an error reply is returned as its code
 * with the daemon's message in c->why. */
int client_call(struct client *c, struct mpx_out *req, const msgpack_object **reply);

#endif
