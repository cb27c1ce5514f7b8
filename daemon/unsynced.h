/* A restored node signs nothing until it has learnt its own feed's head
 * from a partner and fetched what it lacks: its next entry would
 * otherwise take a seq partners already hold a different entry at (a
 * fork, which stops its feed for everyone).
 *
 * States: SYNCED -> WAITING (pakt restore left DATADIR/unsynced) ->
 * SYNCED once, for every initiative, some partner's clock listed our feed
 * at a seq we hold: at once if it is at most our head, else when we have
 * fetched up to the lowest seq so claimed. A partner cannot start the
 * wait, and one claiming too much (a liar) cannot prolong it past an
 * honest partner's claim. The marker makes WAITING survive a restart.
 * Pure state over the store; node.c asks unsynced_reason before signing. */
#ifndef PAKT_UNSYNCED_H
#define PAKT_UNSYNCED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "daemon/store.h"
#include "keys/datadir.h"

struct wire_clock_item;

#define UNSYNCED_NETS_MAX 16

struct unsynced {
	bool waiting;
	char marker[DATADIR_PATH_MAX];
	struct unsynced_net {
		uint8_t id[32];
		bool confirmed;         /* a partner's claim is met */
		uint64_t want;          /* the lowest claim above our head, 0: none */
	} nets[UNSYNCED_NETS_MAX];
	size_t n_nets;
};

/* WAITING if DATADIR/unsynced is there (and logged so). */
void unsynced_init(struct unsynced *u, const char *datadir);
/* A clock part from a partner of initiative net; pk: our key. */
void unsynced_heard(struct unsynced *u, struct store *s, const uint8_t pk[32], const uint8_t net[32],
		    const struct wire_clock_item *items, size_t n_items);
/* After entries were stored or a clock heard: SYNCED if every initiative
 * nets[n] is confirmed (the marker goes). */
void unsynced_settle(struct unsynced *u, struct store *s, const uint8_t pk[32],
		     const uint8_t (*nets)[32], size_t n);
/* Why the node does not sign now, for an error or status; NULL if it may. */
const char *unsynced_reason(const struct unsynced *u);

#endif
