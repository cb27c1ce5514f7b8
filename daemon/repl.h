/* Replication state of each initiative this node holds: the head of every
 * feed, which feeds are forked or not wanted, and its members; and the
 * rules for taking in a batch of entries from a peer. */
#ifndef PAKT_REPL_H
#define PAKT_REPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "daemon/members.h"
#include "proto/entry.h"

struct node;
struct session;

struct repl_feed {
	uint8_t author[32];
	uint64_t seq;               /* 0: nothing stored yet */
	uint8_t hash[32];
	uint64_t ts;                /* the head's timestamp */
	bool forked;                /* a fork was seen: replication stops here */
	bool skip;                  /* unsubscribed: new entries are not stored */
};

struct repl_net {
	uint8_t id[32];
	struct repl_feed *feeds;    /* indexes are stable (sessions keep them) */
	size_t n_feeds, cap;
	struct roster members;
	struct repl_profile {       /* latest profile name per author */
		uint8_t key[32];
		uint64_t at;
		char name[BODY_NAME_MAX + 1];
	} *profiles;
	size_t n_profiles;
	uint64_t news;              /* entries stored other than checkpoints */
	uint64_t news_at_checkpoint;
	bool has_checkpoint;        /* what our last checkpoint here covered */
	uint8_t checkpoint_digest[32];
	struct repl_net *next;
};

/* Load every network of the store (heads, skips, forks, members). */
int repl_load_all(struct node *n);
void repl_free_all(struct node *n);
struct repl_net *repl_net_find(struct node *n, const uint8_t id[32]);
/* Find or load/create the state of a network. */
int repl_net_open(struct node *n, const uint8_t id[32], struct repl_net **out);

/* The feed of author in rn; NULL if absent and !create (or out of memory).
 * *idx (may be NULL) gets its index. */
struct repl_feed *repl_feed_get(struct repl_net *rn, const uint8_t author[32],
				bool create, size_t *idx);

/* Our own entry e was stored: update heads and tell peers and readers. */
void repl_local_stored(struct node *n, const struct entry *e);

/* A batch of entries (wire encodings) from a peer. Valid new entries are
 * stored in one transaction; duplicates are skipped; a fork is kept as
 * proof and forwarded. Returns 0, or the reason to end the session: a bad
 * entry, broken chain or wrong network from the peer, or our store failing
 * (PAKT_ENOSPC: disk full; the next session fetches the batch again);
 * then nothing of the batch is stored. */
int repl_ingest(struct node *n, struct repl_net *rn, struct session *from,
		const uint8_t *const *wire, const size_t *len, size_t count,
		char *why, size_t whylen);

/* A redact entry e (any author) was stored: drop the body it names if the
 * author matches, now and when it arrives later. */
void repl_apply_redact(struct node *n, const struct entry *e);
/* Entry types whose body may be redacted: the content types, not the
 * record (commitments, answers, membership, agenda, checkpoints). */
bool repl_redactable(const char *type);
/* Whether a hash is redacted on this node. */
bool repl_is_redacted(const struct node *n, const uint8_t hash[32]);

/* The name to show for a key: its latest profile name, else its member
 * name, else "". */
const char *repl_name(const struct repl_net *rn, const uint8_t key[32]);

/* Reload members after a member entry; close sessions of removed keys. */
void repl_members_changed(struct node *n, struct repl_net *rn);

#endif
