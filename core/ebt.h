/* Epidemic broadcast trees (Plumtree, Leitão et al. 2007; SSB's EBT): per
 * feed, a node takes entries from one peer (eager) and only notes of
 * their heads from the others (lazy), so that an entry crosses each node
 * about once instead of once per link. Only on replication-version-2
 * links (PROTOCOL.md, "Epidemic broadcast trees").
 *
 * One struct ebt_link per connection holds, per feed (the shell's feed
 * index), how the peer sends to us (`in`: eager until we prune it), how we
 * send to it (`out`: what it last asked), the head it last noted, and what
 * we owe it in the next `have` message. The decisions that need every
 * link of a network (never prune the last eager link of a feed; whom to
 * graft when the eager one goes) take the links as an array.
 *
 * Pure: no clock (now is passed in, in ms), no I/O, no logging. */
#ifndef PAKT_CORE_EBT_H
#define PAKT_CORE_EBT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A lazy peer ahead of us this long is grafted (asked for entries). */
#define EBT_GRAFT_MS 300

enum ebt_mode { EBT_EAGER = 0, EBT_LAZY = 1 };

/* What the next `have` message to a peer carries for one feed. */
enum ebt_due {
	EBT_DUE_NONE = 0,
	EBT_DUE_NOTE = 1,    /* our head (we are lazy towards the peer) */
	EBT_DUE_PRUNE = 2,   /* "send me notes of this feed, not entries" */
	EBT_DUE_GRAFT = 4,   /* "send me entries again, from my head" */
};

struct ebt_feed {
	uint8_t in;          /* enum ebt_mode: how the peer sends us this feed */
	uint8_t out;         /* enum ebt_mode: how we send it this feed */
	uint8_t due;         /* enum ebt_due bits */
	uint64_t noted;      /* the head the peer last noted (in lazy) */
	uint64_t sent;       /* the head we last noted to it */
	uint64_t ahead_ms;   /* since when its note is past our head (if ahead) */
	bool ahead;          /* its note is past our head */
};

/* One connection. Owns its arrays; free with ebt_link_free. */
struct ebt_link {
	struct ebt_feed *f;
	size_t n;
	size_t *due;         /* indexes with due != 0, in the order they became due */
	size_t n_due;
	size_t n_ahead;      /* feeds whose ahead_ms is set */
};

void ebt_link_init(struct ebt_link *l);
void ebt_link_free(struct ebt_link *l);
/* The shell has n feeds now (indexes only grow): new ones are eager both
 * ways. 0 or PAKT_ENOMEM. */
int ebt_link_sync(struct ebt_link *l, size_t n);

/* Whether we push entries of feed idx to this peer (else notes). */
bool ebt_sends(const struct ebt_link *l, size_t idx);
/* Whether the peer pushes entries of feed idx to us. */
bool ebt_receives(const struct ebt_link *l, size_t idx);

/* A batch from this peer held entries of feed idx; dup: some of them we
 * already held. eager_elsewhere: other links of the network that push
 * this feed to us (ebt_eager_count). A duplicate from an eager peer
 * prunes it unless it is our last eager link for the feed: returns true
 * when it was pruned (a prune is due). */
bool ebt_on_batch(struct ebt_link *l, size_t idx, bool dup, size_t eager_elsewhere);

/* The peer noted it holds feed idx up to seq; our head is head. */
void ebt_on_note(struct ebt_link *l, size_t idx, uint64_t seq, uint64_t head, uint64_t now);
/* The peer pruned us for feed idx: we note our head (head) from now on. */
void ebt_on_prune(struct ebt_link *l, size_t idx, uint64_t head);
/* The peer grafted us for feed idx: we push entries again. */
void ebt_on_graft(struct ebt_link *l, size_t idx);

/* Our head of feed idx is head now; peer_lacks: as far as we know the
 * peer does not hold it. Makes a note due when we are lazy towards it,
 * and stops the graft timer of a lazy peer we caught up with. */
void ebt_on_head(struct ebt_link *l, size_t idx, uint64_t head, bool peer_lacks);

/* Graft feed idx now (it becomes eager; a graft is due). */
void ebt_graft(struct ebt_link *l, size_t idx);
/* Graft every lazy feed whose peer noted past our head (heads(arg, idx))
 * for EBT_GRAFT_MS or longer by now. Returns how many. */
size_t ebt_graft_late(struct ebt_link *l, uint64_t (*heads)(void *arg, size_t idx), void *arg,
		      uint64_t now);

/* Links of links[n] (NULL entries skipped) other than `except` that push
 * feed idx to us. */
size_t ebt_eager_count(struct ebt_link *const *links, size_t n, size_t idx,
		       const struct ebt_link *except);
/* The eager link of feed idx is gone: when no link in links[n] pushes it
 * to us any more, the lazy link that noted the highest head (the first on
 * a tie); -1 when one still pushes it or none is lazy. The caller grafts
 * it (ebt_graft). */
long ebt_pick_graft(struct ebt_link *const *links, size_t n, size_t idx);

/* Take up to max due items (feed index and what is due) in the order
 * they became due, clearing them. Returns how many. */
struct ebt_item {
	size_t idx;
	uint8_t due;        /* enum ebt_due bits */
};
size_t ebt_take_due(struct ebt_link *l, struct ebt_item *out, size_t max);
/* Record that we noted head seq of feed idx to the peer. */
void ebt_noted(struct ebt_link *l, size_t idx, uint64_t seq);

#endif
