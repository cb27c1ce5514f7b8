/* Roster: the membership of one initiative, derived purely from entries.
 *
 * The genesis entry's `admins` are the first members (admins, since the
 * genesis). Then every `member`, `succession` and `revoke` entry is applied
 * in (timestamp, entry hash) order:
 *   member      admits or removes a key; only from an admin at that point.
 *   succession  a current member hands its place (name, role) to a new key
 *               that signed the proof (proto/keyroll.h); the old key stops
 *               being a member. Both keys are then the same member: they
 *               share a `root`, the member's first key.
 *   revoke      an admin declares a key stolen: its entries after seq
 *               `after` are untrusted, it stops being a member, and so does
 *               any successor it named after that seq (a thief's rotation).
 * An entry that breaks a rule has no effect and is counted in `ignored`;
 * one without a valid body has no effect at all. Every node
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
	uint8_t root[32];         /* the member's first key (itself unless a successor) */
	bool has_successor;       /* it handed its place on (and was removed then) */
	uint8_t successor[32];
	uint64_t succession_seq;  /* seq of that succession entry in its feed */
	bool revoked;
};

/* A key declared stolen: its entries with seq > after are untrusted. */
struct roster_revocation {
	uint8_t key[32], by[32];
	uint64_t after;
	uint64_t at;              /* timestamp of the revoke entry */
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
	struct roster_revocation *rv;   /* malloc'd */
	size_t n_rv;
	struct roster_act *acts;  /* until roster_finish */
	size_t n_acts, cap_acts;
};

void roster_init(struct roster *r);

/* Whether entries of this type can change membership (genesis, member,
 * succession, revoke): who stores one must recompute the roster. */
bool roster_type(const char *type);
void roster_free(struct roster *r);

/* Apply a genesis entry (with its body): its admins become members, its
 * name the initiative's name. 0, PAKT_EBODY (no body, or no map with
 * "admins" as an array of bin 32), PAKT_ENOMEM. */
int roster_genesis(struct roster *r, const struct entry *e);

/* Collect a member, succession or revoke entry (applied by roster_finish).
 * Entries of other types, without a body, with an invalid body or (a
 * succession) an invalid proof are skipped (returns 0). PAKT_ENOMEM. */
int roster_add(struct roster *r, const struct entry *e);

/* Apply the collected entries in (timestamp, hash) order.
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

/* The revocation that makes entry (key, seq) untrusted, or NULL. */
const struct roster_revocation *roster_untrusted(const struct roster *r, const uint8_t key[32],
						 uint64_t seq);

/* Whether two keys speak for the same member (one succeeded the other,
 * directly or along a chain). */
bool roster_same(const struct roster *r, const uint8_t a[32], const uint8_t b[32]);

/* Whether wire (an entry's wire form) is a valid succession, by a current
 * member, naming peer as its new key: lets a partner that has not yet
 * replicated the succession accept the rotated key's connection (the
 * entry itself then arrives by replication). */
bool roster_vouches(const struct roster *r, const uint8_t network[32], const uint8_t *wire,
		    size_t len, const uint8_t peer[32]);

#endif
