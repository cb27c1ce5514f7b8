/* Roster: the membership of one initiative, derived purely from entries.
 *
 * The genesis entry's `admins` are the first members (admins, since the
 * genesis). Then every `member` entry is applied in (timestamp, entry hash)
 * order; one has an effect only if its author is an admin at that point of
 * the order, otherwise it is counted in `ignored`. A member entry without a
 * body, or whose body is not a valid member body, has no effect. Every node
 * (daemon/members.c) and the offline bundle checker (proto/bundle.c) derive
 * membership with this code, so they agree.
 *
 * Besides the final state the roster keeps membership periods, so one can
 * ask whether a key was a member at a given timestamp.
 *
 * Usage: roster_init; roster_genesis (the genesis entry, with its body);
 * roster_add for each member entry, in any order; roster_finish; queries;
 * roster_free. Pure: no I/O. */
#ifndef PAKT_ROSTER_H
#define PAKT_ROSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto/body.h"
#include "proto/entry.h"

struct roster_member {
	uint8_t key[32];
	char name[BODY_NAME_MAX + 1];
	bool admin;
	bool removed;
	uint8_t added_by[32];
	uint64_t since_ms;        /* timestamp of the admitting entry (genesis for its admins) */
	uint64_t removed_ms;
};

/* One period during which a key was a member: from <= t < to. */
struct roster_period {
	uint8_t key[32];
	uint64_t from;            /* 0 for the genesis admins */
	uint64_t to;              /* UINT64_MAX while still a member */
};

struct roster_act;            /* a collected member entry (private) */

struct roster {
	struct roster_member *v;  /* in order of first appearance; malloc'd */
	size_t n;
	bool has_genesis;
	char network_name[BODY_NAME_MAX + 1];
	size_t ignored;           /* member entries from non-admins (no effect) */
	struct roster_period *p;  /* malloc'd */
	size_t np, pcap;
	struct roster_act *acts;  /* until roster_finish */
	size_t n_acts, cap_acts;
};

void roster_init(struct roster *r);
void roster_free(struct roster *r);

/* Apply a genesis entry (with its body): its admins become members, its
 * name the initiative's name. 0, PAKT_EBODY (no body, or no map with
 * "admins" as an array of bin 32), PAKT_ENOMEM. */
int roster_genesis(struct roster *r, const struct entry *e);

/* Collect a member entry (applied by roster_finish). An entry without a
 * body or with an invalid member body is skipped (returns 0). PAKT_ENOMEM. */
int roster_add(struct roster *r, const struct entry *e);

/* Apply the collected member entries in (timestamp, hash) order.
 * 0 or PAKT_ENOMEM. */
int roster_finish(struct roster *r);

/* The current (not removed) member with this key, or NULL. */
const struct roster_member *roster_find(const struct roster *r, const uint8_t key[32]);
bool roster_is_admin(const struct roster *r, const uint8_t key[32]);
/* Any record of the key, removed or not (NULL if it never appeared). */
const struct roster_member *roster_lookup(const struct roster *r, const uint8_t key[32]);

/* Whether key was a member at timestamp t (ms): some period has
 * from <= t < to. */
bool roster_member_at(const struct roster *r, const uint8_t key[32], uint64_t t);

#endif
