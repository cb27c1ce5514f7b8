/* Reasons for PAKT_E... codes. */
#include <stddef.h>
#include "proto/err.h"

static const char *const reasons[PAKT_E_COUNT] = {
	[PAKT_OK] = "success",
	[PAKT_ENOMEM] = "out of memory",
	[PAKT_EINVAL] = "invalid argument",
	[PAKT_EIO] = "input/output error",
	[PAKT_EEXIST] = "already exists",
	[PAKT_ENOTFOUND] = "not found",
	[PAKT_EPERM] = "permission denied",
	[PAKT_ETRUNC] = "truncated: input ends inside a value",
	[PAKT_ETRAILING] = "trailing bytes after the value",
	[PAKT_EMSGPACK] = "not valid msgpack",
	[PAKT_ENONMINIMAL] = "non-canonical: integer or length not in its smallest form",
	[PAKT_EFLOAT32] = "non-canonical: float32 (only float64 allowed)",
	[PAKT_ENAN] = "non-canonical: NaN float",
	[PAKT_EUTF8] = "string is not valid UTF-8",
	[PAKT_EKEYTYPE] = "map key is not a string",
	[PAKT_EKEYORDER] = "non-canonical: map keys not sorted",
	[PAKT_EKEYDUP] = "duplicate map key",
	[PAKT_EDEPTH] = "nesting too deep",
	[PAKT_ETOOBIG] = "too large",
	[PAKT_ETYPE] = "field has the wrong type",
	[PAKT_EVERSION] = "unsupported version",
	[PAKT_ESEQ] = "invalid seq (must be 1 or more)",
	[PAKT_EPREV] = "prev hash must be absent at seq 1 and present after",
	[PAKT_EBODYSIZE] = "body size does not match the header",
	[PAKT_EBODYHASH] = "body hash does not match the header",
	[PAKT_ESIG] = "bad signature",
	[PAKT_ECHAIN] = "broken chain: prev hash does not match the previous entry",
	[PAKT_ENETWORK] = "entry belongs to another network",
	[PAKT_EDUP] = "an entry with this seq is already stored",
	[PAKT_EBODY] = "body does not match the schema of its type",
	[PAKT_EIDPREFIX] = "id has the wrong prefix",
	[PAKT_EIDLEN] = "id has the wrong length",
	[PAKT_EIDCHAR] = "id contains an invalid character",
	[PAKT_EIDCHECKSUM] = "id checksum mismatch (typo?)",
	[PAKT_EFORMAT] = "bad file format",
	[PAKT_EPASS] = "wrong passphrase",
	[PAKT_ENEEDPASS] = "key is encrypted: a passphrase is needed",
	[PAKT_EPROTO] = "protocol error",
	[PAKT_ENOTRUNNING] = "paktd is not running",
	[PAKT_ENOINIT] = "not initialised",
	[PAKT_ENONET] = "no initiative yet",
	[PAKT_EDECRYPT] = "decryption failed (corrupted or forged message)",
	[PAKT_ENONCE] = "nonce exhausted: the session must be re-established",
	[PAKT_EHANDSHAKE] = "handshake failed",
	[PAKT_ENOTMEMBER] = "not a member of the initiative",
	[PAKT_EFORK] = "fork: two different entries at the same seq",
	[PAKT_EINVITE] = "invite code is wrong, used or expired",
	[PAKT_ELIMIT] = "limit exceeded",
	[PAKT_ETIME] = "timestamp before the previous entry's or too far in the future",
	[PAKT_ENOSPC] = "disk full: nothing was stored; free space and try again",
	[PAKT_EUNSYNCED] = "this node waits to learn its own feed's head from a partner before it signs",
};

const char *pakt_strerror(int err)
{
	if (err < 0 || err >= PAKT_E_COUNT || reasons[err] == NULL)
		return "unknown error";
	return reasons[err];
}
