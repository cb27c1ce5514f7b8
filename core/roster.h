/* Roster: the membership of one initiative, derived purely from entries.
 *
 * The genesis entry's `admins` are the first members (admins). Then every
 * `member`, `succession` and `revoke` entry (an "act") is judged:
 *   member      admits or removes a key; only from an admin. A removal
 *               carries `seq`, the removed key's head as the remover saw
 *               it: that key's entries with seq > `seq` count for nothing,
 *               its own acts included.
 *   succession  a current member hands its place (name, role) to a new key
 *               that signed the proof (proto/keyroll.h); the old key's
 *               entries after the succession count for nothing. Both keys
 *               are then the same member: they share a `root`.
 *   revoke      an admin declares a key stolen: its entries after seq
 *               `after` are untrusted, and so is any successor it named
 *               after that seq (a thief's rotation).
 * Whether an act counts depends on whether its author was an admin (a
 * member, for a succession) at the act's seq, which depends on the acts
 * that admit, remove or revoke that author. Acts are judged in the order
 * of that dependency (strongly connected components, dependencies first);
 * acts that depend on each other (concurrent removals of each other) are
 * judged together against the state before any of them, so all that were
 * allowed then take effect. Nothing depends on timestamps an author
 * chooses, nor on the order in which entries arrive (PROTOCOL.md, "Order
 * of membership acts"). An act that breaks a rule has no effect and is
 * counted in `ignored`; one without a valid body has no effect at all.
 * Every node (daemon/members.c), the ledger (core/ledger.c) and the
 * offline bundle checker (core/audit.c) derive membership with this code.
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
	uint64_t since_ms;        /* timestamp of the admitting entry (display only) */
	uint64_t removed_ms;      /* timestamp of the act that ended it (display only) */
	uint8_t removed_by[32];   /* author of that act (display only) */
	bool admitted;            /* by the genesis, a counted add or a succession */
	uint64_t cut;             /* its entries with seq > cut count for nothing */
	uint64_t cut_ts;          /* a removal without seq (older nodes): its
				   * entries stamped at or after cut_ts count
				   * for nothing; UINT64_MAX if none */
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

struct roster_act;            /* a collected member entry (private) */

struct roster {
	struct roster_member *v;  /* in order of first appearance; malloc'd */
	size_t n;
	bool has_genesis;
	char network_name[BODY_NAME_MAX + 1];
	size_t ignored;           /* member entries from non-admins (no effect) */
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

/* Judge the collected acts (see above). 0 or PAKT_ENOMEM. */
int roster_finish(struct roster *r);

/* The current (not removed) member with this key, or NULL. */
const struct roster_member *roster_find(const struct roster *r, const uint8_t key[32]);
bool roster_is_admin(const struct roster *r, const uint8_t key[32]);
/* Any record of the key, removed or not (NULL if it never appeared). */
const struct roster_member *roster_lookup(const struct roster *r, const uint8_t key[32]);

/* Whether an entry by key at seq (stamped ts) counts: the key was
 * admitted and no removal, succession or revocation cut it before seq. */
bool roster_member_at(const struct roster *r, const uint8_t key[32], uint64_t seq, uint64_t ts);

/* The last seq of key's entries that can count: the lowest of its
 * removals' seq, its revocation's after and its succession's seq;
 * UINT64_MAX when nothing ends it (or the key was never admitted: rule 3
 * judges it). Entries past it are neither stored nor relayed. */
uint64_t roster_end(const struct roster *r, const uint8_t key[32]);

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
