/* A node whose store may be behind its own published feed (restored from
 * a backup, or a partner's clock shows our feed further than we hold it)
 * signs nothing until it has learnt the feed's head from a partner and
 * fetched what it lacks: its next entry would otherwise fork the feed.
 *
 * States: SYNCED -> WAITING (DATADIR/unsynced at start, or a partner's
 * clock ahead of our head) -> SYNCED (for every initiative, a partner
 * listed our feed and we hold it up to that seq). The marker file makes
 * WAITING survive a restart. */
#ifndef PAKT_UNSYNCED_H
#define PAKT_UNSYNCED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct node;
struct repl_net;
struct wire_clock_item;

#define UNSYNCED_NETS_MAX 16

struct unsynced {
	bool waiting;
	struct unsynced_net {
		uint8_t id[32];
		bool heard;             /* a partner listed our feed here */
		uint64_t seen;          /* the highest seq a partner listed */
	} nets[UNSYNCED_NETS_MAX];
	size_t n_nets;
};

/* At start: WAITING if the marker is there. Listens for stored entries. */
int unsynced_start(struct node *n);
/* A clock part from a partner in rn (session_repl.c). */
void unsynced_on_clock(struct node *n, struct repl_net *rn, const struct wire_clock_item *items,
		       size_t n_items);
/* Why the node does not sign now, for an error or status; NULL if it may. */
const char *unsynced_reason(const struct node *n);

#endif
