/* Control requests: one struct per op, with the one decoder paktd runs on
 * every frame from its control socket and the one encoder pakt sends with
 * (PROTOCOL.md, "Control protocol"). The msgpack tree stays in here: the
 * daemon and the CLI see fixed structs with bounded strings and arrays. */
#ifndef PAKT_CTLOP_H
#define PAKT_CTLOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto/body.h"
#include "proto/entry.h"
#include "proto/mpx.h"
#include "proto/wire.h"

enum ctlop_op {
	CTLOP_INVALID = 0,      /* not a map with a string "op": the client is closed */
	CTLOP_UNKNOWN,          /* an op we do not serve: an error reply */
	CTLOP_ACCEPT,
	CTLOP_AGENDA,
	CTLOP_AGENDA_SET,
	CTLOP_AUDIT,
	CTLOP_BACKUP,
	CTLOP_CHECKPOINT,
	CTLOP_COMMIT,
	CTLOP_COMMITMENTS,
	CTLOP_DECLINE,
	CTLOP_EXPORT,
	CTLOP_INITIATIVE_CREATE,
	CTLOP_INVITE,
	CTLOP_JOIN,
	CTLOP_KEY_ROTATE,
	CTLOP_LOG,
	CTLOP_MEMBER_REMOVE,
	CTLOP_MEMBER_REVOKE_KEY,
	CTLOP_MEMBERS,
	CTLOP_METRICS,
	CTLOP_PEER_ADD,
	CTLOP_PEER_LIST,
	CTLOP_PEER_REMOVE,
	CTLOP_POST,
	CTLOP_PROFILE_SET,
	CTLOP_PROGRESS,
	CTLOP_REDACT,
	CTLOP_STATUS,
	CTLOP_SUBSCRIBE,
	CTLOP_UNSUBSCRIBE,
	CTLOP_UPDATE,
	CTLOP_VERIFY,
	CTLOP_COUNT
};

#define CTLOP_ADDRESS_MAX 255     /* HOST:PORT of a peer */
#define CTLOP_PASSPHRASE_MAX 1024 /* = PASSPHRASE_MAX of keys/passphrase.h */
#define CTLOP_FILTER_MAX 15       /* commitments: "", mine, open, overdue */

/* log: stored entries (filtered), then live ones if follow. */
struct ctlop_log {
	bool has_author;
	uint8_t author[32];
	char type[ENTRY_TYPE_MAX + 1];  /* "" = every type */
	bool has_last;
	uint64_t last;                  /* the newest N only; 0 = none */
	bool follow;
};

/* post: a message, sealed to the members in `to` when n_to > 0. */
struct ctlop_post {
	char text[BODY_TEXT_MAX + 1];
	bool has_reply_to;
	uint8_t reply_to[32];
	uint8_t to[BODY_BOXES_MAX - 1][32];
	size_t n_to;
	bool public_reply;   /* "public": a reply to a sealed entry stays in the clear */
};

struct ctlop_initiative_create {
	char name[BODY_NAME_MAX + 1];   /* 1 to 128 bytes */
	char goal[BODY_TEXT_MAX + 1];   /* "" = none */
};

struct ctlop_invite {
	char name[BODY_NAME_MAX + 1];   /* who it is for; "" = not said */
	bool has_ttl;
	uint64_t ttl_ms;
};

/* join: the invite code is a secret; ctlop_req_wipe wipes it. */
struct ctlop_join {
	char code[INVITE_TEXT_MAX + 1];
};

/* member.remove, subscribe, unsubscribe: one member or feed key. */
struct ctlop_key {
	uint8_t key[32];
};

struct ctlop_peer {
	char address[CTLOP_ADDRESS_MAX + 1];  /* HOST:PORT */
	bool has_key;                         /* peer.add: the key we pin */
	uint8_t key[32];
};

/* key.rotate: the passphrase for the new key file; wiped by ctlop_req_wipe. */
struct ctlop_key_rotate {
	char passphrase[CTLOP_PASSPHRASE_MAX + 1];  /* "" = none */
};

struct ctlop_commitments {
	char filter[CTLOP_FILTER_MAX + 1];    /* "", "mine", "open", "overdue" */
	bool has_party;
	uint8_t party[32];
	bool has_due_within;                  /* only the open ones due today .. today + N days */
	uint64_t due_within;
};

struct ctlop_audit {
	bool has_author;
	uint8_t author[32];
	bool progress;                        /* send progress replies before the audit */
};

/* export: exactly one of ref (a commitment) and feed (with from..to). */
struct ctlop_export {
	bool has_ref, has_feed;
	uint8_t ref[32], feed[32];
	uint64_t from, to;              /* decoded defaults 1 and UINT64_MAX */
};

/* One request. `network` is the initiative it is about (absent: the
 * default one). The union member in use is the one named by op. */
struct ctlop_req {
	enum ctlop_op op;
	bool has_network;
	uint8_t network[32];
	union {
		struct ctlop_log log;
		struct ctlop_post post;
		struct ctlop_initiative_create create;
		struct ctlop_invite invite;
		struct ctlop_join join;
		struct ctlop_key key;           /* member.remove, (un)subscribe */
		struct body_revoke revoke;      /* member.revoke_key */
		struct ctlop_peer peer;         /* peer.add, peer.remove */
		struct ctlop_key_rotate rotate;
		struct body_agenda agenda;      /* agenda.set */
		struct body_update update;      /* period "" = this month */
		struct body_commitment commit;
		struct body_ref ref;            /* accept, decline (reason optional), redact */
		struct body_status progress;
		struct ctlop_commitments commitments;
		struct ctlop_audit audit;
		struct ctlop_export export;
		struct body_profile profile;
	} u;
};

/* The op's name on the wire ("peer.add"), NULL for INVALID and UNKNOWN. */
const char *ctlop_name(enum ctlop_op op);

/* Decode one request frame's body buf[0..len) into *r (overwritten).
 * Returns 0, or a PAKT_E... code with a reason for the user in why:
 * r->op is CTLOP_INVALID when buf is not a msgpack map with a string "op"
 * (PAKT_EPROTO: close the client), CTLOP_UNKNOWN for an op we do not
 * serve, else the op whose fields were wrong. Unknown keys are ignored.
 * *r may hold secrets (join, key.rotate): wipe it with ctlop_req_wipe. */
int ctlop_req_decode(struct ctlop_req *r, const uint8_t *buf, size_t len, char *why,
		     size_t whylen);

/* Encode r as a complete frame (length prefix and map, keys sorted) into o
 * (reset first). PAKT_EINVAL for INVALID/UNKNOWN, PAKT_ETOOBIG if over
 * CTL_FRAME_MAX, else 0. */
int ctlop_req_encode(const struct ctlop_req *r, struct mpx_out *o);

/* Wipe *r (it may hold a passphrase or an invite code). NULL is fine. */
void ctlop_req_wipe(struct ctlop_req *r);

#endif
