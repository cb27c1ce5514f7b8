/* Entry bodies: building and validating the canonical msgpack map of each
 * entry type (schemas in proto/PROTOCOL.md). */
#ifndef PAKT_BODY_H
#define PAKT_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto/mpx.h"

#define BODY_TEXT_MAX 8192    /* bytes of a message text */
#define BODY_NAME_MAX 128     /* bytes of a name */
#define BODY_ADMINS_MAX 16

/* message: {"text": str, "reply_to": bin32 (optional)}. reply_to may be NULL.
 * Appends the map to o. Returns 0 or PAKT_ETOOBIG / PAKT_EUTF8. */
int body_message(struct mpx_out *o, const char *text, const uint8_t *reply_to);

/* genesis: {"admins": [bin32...], "goal": str, "name": str} */
int body_genesis(struct mpx_out *o, const char *name, const char *goal,
		 const uint8_t (*admins)[32], size_t n_admins);

/* member: admit or remove a key (valid only from an admin). */
struct body_member {
	bool add;                       /* false: remove */
	uint8_t key[32];
	char name[BODY_NAME_MAX + 1];
	bool admin;                     /* role "admin", else "member" */
};
int body_member(struct mpx_out *o, bool add, const uint8_t key[32], const char *name,
		bool admin);
/* 0 or PAKT_EBODY. */
int body_member_parse(const uint8_t *body, size_t len, struct body_member *out);

/* Validate a canonical body against the schema of type. Unknown types are
 * accepted as any canonical map (forward compatibility). Returns 0 or
 * PAKT_EBODY (with detail written to why[whylen] when why is not NULL). */
int body_validate(const char *type, const uint8_t *body, size_t len,
		  char *why, size_t whylen);

#endif
