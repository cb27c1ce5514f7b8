/* Control protocol framing and message unpacking. */
#include <string.h>
#include <sodium.h>
#include "proto/ctlmsg.h"
#include "proto/err.h"

void ctlmsg_begin(struct mpx_out *o)
{
	static const char zero[CTL_HDR_LEN];

	mpx_reset(o);
	msgpack_sbuffer_write(&o->sb, zero, sizeof zero);
}

int ctlmsg_finish(struct mpx_out *o)
{
	size_t n = o->sb.size - CTL_HDR_LEN;
	unsigned char *p = (unsigned char *)o->sb.data;

	if (n > CTL_FRAME_MAX)
		return PAKT_ETOOBIG;
	p[0] = (unsigned char)(n >> 24);
	p[1] = (unsigned char)(n >> 16);
	p[2] = (unsigned char)(n >> 8);
	p[3] = (unsigned char)n;
	return 0;
}

uint32_t ctlmsg_frame_len(const uint8_t hdr[CTL_HDR_LEN])
{
	return (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
	       (uint32_t)hdr[2] << 8 | hdr[3];
}

void ctlmsg_consume(uint8_t *buf, size_t *len, size_t off)
{
	size_t rest = *len - off;

	memmove(buf, buf + off, rest);
	sodium_memzero(buf + rest, off);
	*len = rest;
}

int ctlmsg_unpack(msgpack_unpacked *u, const uint8_t *buf, size_t len)
{
	size_t off = 0;

	if (len > CTL_FRAME_MAX)
		return PAKT_ETOOBIG;
	/* counts checked against the bytes first: a 5-byte map header must not
	 * make msgpack-c allocate gigabytes */
	if (mpx_check(buf, len, 16) != 0)
		return PAKT_EPROTO;
	if (msgpack_unpack_next(u, (const char *)buf, len, &off) !=
	    MSGPACK_UNPACK_SUCCESS)
		return PAKT_EPROTO;
	if (off != len || u->data.type != MSGPACK_OBJECT_MAP)
		return PAKT_EPROTO;
	return 0;
}

void ctlmsg_error_reply(struct mpx_out *o, int code, const char *msg)
{
	ctlmsg_begin(o);
	msgpack_pack_map(&o->pk, 2);
	mpx_kv_u64(&o->pk, "code", (uint64_t)code);
	mpx_kv_str(&o->pk, "error", msg);
	ctlmsg_finish(o);
}
