/* Membership of one initiative, derived only from its genesis entry and
 * the valid `member` entries of its admins, applied in (timestamp, hash)
 * order so that every node derives the same set. */
#ifndef PAKT_MEMBERS_H
#define PAKT_MEMBERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "daemon/store.h"
#include "proto/body.h"

struct member {
	uint8_t key[32];
	char name[BODY_NAME_MAX + 1];
	bool admin;
	bool removed;
	uint8_t added_by[32];
	uint64_t since_ms;        /* timestamp of the admitting entry */
	uint64_t removed_ms;
};

struct members {
	struct member *v;         /* malloc'd */
	size_t n;
	bool has_genesis;
	char network_name[BODY_NAME_MAX + 1];
	size_t ignored;           /* member entries from non-admins (no effect) */
};

/* Recompute from the store. m is replaced (free with members_free). */
int members_load(struct members *m, struct store *s, const uint8_t network[32]);
void members_free(struct members *m);

/* The current (not removed) member with this key, or NULL. */
const struct member *members_find(const struct members *m, const uint8_t key[32]);
bool members_is_admin(const struct members *m, const uint8_t key[32]);

#endif
