/* Control protocol between pakt and paktd over the Unix socket: frames of
 * a 4-byte big-endian length and one msgpack map (see PROTOCOL.md,
 * "Control protocol"). Requests carry "op"; replies carry "ok" or
 * "error"/"code"; streams send {"entry": bin} frames and end with a reply. */
#ifndef PAKT_CTLMSG_H
#define PAKT_CTLMSG_H

#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>
#include "proto/mpx.h"

#define CTL_HDR_LEN 4
#define CTL_FRAME_MAX (1u << 20)  /* largest message body either side accepts */
#define CTL_VERSION_STRING "0.1.0"

/* Start a framed message in o (reserves the length prefix). */
void ctlmsg_begin(struct mpx_out *o);
/* Fill the length prefix. PAKT_ETOOBIG if the body exceeds CTL_FRAME_MAX. */
int ctlmsg_finish(struct mpx_out *o);

/* Length of the body that follows a 4-byte prefix. */
uint32_t ctlmsg_frame_len(const uint8_t hdr[CTL_HDR_LEN]);

/* Drop the first off bytes of buf[0..*len) (frames already handled): the
 * rest moves to the front and every byte freed is zeroed, so a request's
 * secret (a passphrase, an invite code) does not linger in the buffer. */
void ctlmsg_consume(uint8_t *buf, size_t *len, size_t off);

/* Unpack one message body; it must be exactly one msgpack map.
 * u: initialised by the caller, destroyed by the caller.
 * Returns 0, PAKT_ETOOBIG, PAKT_EPROTO. */
int ctlmsg_unpack(msgpack_unpacked *u, const uint8_t *buf, size_t len);

/* Convenience: a complete error reply {"code": code, "error": msg}. */
void ctlmsg_error_reply(struct mpx_out *o, int code, const char *msg);

#endif
