/* Error codes shared by every pakt module: 0 is success, a positive
 * PAKT_E... code is a failure; pakt_strerror() gives its one-line reason. */
#ifndef PAKT_ERR_H
#define PAKT_ERR_H

enum pakt_err {
	PAKT_OK = 0,
	PAKT_ENOMEM,       /* out of memory */
	PAKT_EINVAL,       /* invalid argument (our caller's bug or bad user input) */
	PAKT_EIO,          /* file or socket I/O failed */
	PAKT_EEXIST,       /* already exists */
	PAKT_ENOTFOUND,    /* no such thing */
	PAKT_EPERM,        /* file readable by group/others, or operation not allowed */

	/* canonical msgpack */
	PAKT_ETRUNC,       /* input ends in the middle of a value */
	PAKT_ETRAILING,    /* bytes after the value */
	PAKT_EMSGPACK,     /* not msgpack at all (reserved byte, ext type) */
	PAKT_ENONMINIMAL,  /* an int, length or string header not in its smallest form */
	PAKT_EFLOAT32,     /* float32 used (only float64 is canonical) */
	PAKT_ENAN,         /* NaN float */
	PAKT_EUTF8,        /* string is not valid UTF-8 */
	PAKT_EKEYTYPE,     /* map key is not a string */
	PAKT_EKEYORDER,    /* map keys not sorted bytewise */
	PAKT_EKEYDUP,      /* duplicate map key */
	PAKT_EDEPTH,       /* nesting deeper than allowed */
	PAKT_ETOOBIG,      /* value, entry, body or frame larger than allowed */

	/* entries */
	PAKT_ETYPE,        /* a field has the wrong msgpack type or shape */
	PAKT_EVERSION,     /* unknown entry/file/protocol version */
	PAKT_ESEQ,         /* seq is 0 or out of range */
	PAKT_EPREV,        /* prev present at seq 1 or missing after it */
	PAKT_EBODYSIZE,    /* body length differs from the header's body size */
	PAKT_EBODYHASH,    /* body hash differs from the header's body hash */
	PAKT_ESIG,         /* signature does not verify */
	PAKT_ECHAIN,       /* entry does not link to its predecessor */
	PAKT_ENETWORK,     /* entry names another network */
	PAKT_EDUP,         /* an entry with this (network, author, seq) is stored */
	PAKT_EBODY,        /* body does not match its type's schema */

	/* ids, key files */
	PAKT_EIDPREFIX,    /* text id has the wrong prefix */
	PAKT_EIDLEN,       /* text id has the wrong length */
	PAKT_EIDCHAR,      /* text id has a character outside its alphabet */
	PAKT_EIDCHECKSUM,  /* text id checksum mismatch (typo) */
	PAKT_EFORMAT,      /* file is not in the expected format or is truncated */
	PAKT_EPASS,        /* wrong passphrase (or corrupted secret) */
	PAKT_ENEEDPASS,    /* key file is encrypted and no passphrase was given */

	/* control protocol */
	PAKT_EPROTO,       /* malformed control or wire message */
	PAKT_ENOTRUNNING,  /* paktd is not running */
	PAKT_ENOINIT,      /* no identity/data directory */
	PAKT_ENONET,       /* no initiative yet */

	/* transport */
	PAKT_EDECRYPT,     /* Noise message failed to authenticate/decrypt */
	PAKT_ENONCE,       /* Noise nonce exhausted: the session must end */
	PAKT_EHANDSHAKE,   /* handshake message out of order or malformed */
	PAKT_ENOTMEMBER,   /* the key is not a member of the initiative */
	PAKT_EFORK,        /* two different entries at one (author, seq) */
	PAKT_EINVITE,      /* invite code used, expired or wrong */
	PAKT_ELIMIT,       /* a rate, size or count limit was exceeded */
	PAKT_ETIME,        /* timestamp before the predecessor's or too far ahead */

	/* storage */
	PAKT_ENOSPC,       /* the disk (or the store's size limit) is full: nothing was written */
	PAKT_EUNSYNCED,    /* the node waits to learn its own feed's head from a partner */

	PAKT_E_COUNT
};

/* One-line English reason for an error code; never NULL. */
const char *pakt_strerror(int err);

#endif
