/* News that travels up inside paktd: replication and the node's own feeds
 * announce what happened, and the network and the control socket listen.
 * Nothing below calls back into its caller; it emits an event instead.
 *
 * A listener is called synchronously, in registration order (one added
 * with node_listen_first goes ahead), from inside node_emit. It must not
 * free the node or unregister itself there. */
#ifndef PAKT_EVENTS_H
#define PAKT_EVENTS_H

#include <stddef.h>
#include <stdint.h>

struct entry;
struct repl_net;

enum node_event_kind {
	NODE_EV_APPENDED,   /* node_append stored e, our own entry: replication
			     * state follows (repl), then announces STORED */
	NODE_EV_STORED,     /* new entries are stored in rn (ours or a peer's) */
	NODE_EV_FORK,       /* a fork proof was stored: wire_a/wire_b, pass it on */
	NODE_EV_MEMBERS,    /* rn's roster changed: close sessions of former members */
	NODE_EV_PROFILE,    /* e is the newest profile of its author in rn */
	NODE_EV_CHECKED,    /* readers may see more: rows whose signatures are
			     * checked (daemon/sigdefer.h); what readers hear */
	NODE_EV_BADSIG,     /* a bad-signature proof was kept: wire_a/wire_b */
};

struct node_event {
	enum node_event_kind kind;
	struct repl_net *rn;
	const struct entry *e;          /* NODE_EV_PROFILE; may be NULL otherwise */
	const uint8_t *wire_a, *wire_b; /* NODE_EV_FORK/BADSIG: both entries, wire form */
	size_t len_a, len_b;
	const void *origin;             /* the session the news came from, or NULL */
};

typedef void (*node_event_fn)(void *arg, const struct node_event *ev);

#define NODE_LISTENERS_MAX 8

struct node_listener {
	node_event_fn fn;
	void *arg;
};

#endif
