/* One organisation's node: its identity, store and config, and the rules
 * for appending to its own feeds (sign, store durably, then announce). */
#ifndef PAKT_NODE_H
#define PAKT_NODE_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>
#include "keys/config.h"
#include "daemon/events.h"
#include "daemon/store.h"
#include "daemon/unsynced.h"
#include "keys/datadir.h"
#include "keys/keys.h"
#include "proto/entry.h"

struct ctl;
struct net;
struct repl_net;

struct node {
	uv_loop_t *loop;
	char datadir[DATADIR_PATH_MAX];
	char config_path[DATADIR_PATH_MAX];
	char db_path[DATADIR_PATH_MAX];
	struct config cfg;
	struct keys_identity id;
	struct store *store;
	struct ctl *ctl;          /* told about every new stored entry */
	struct net *net;          /* the mesh; NULL until started */
	struct repl_net *nets;    /* replication state per initiative */
	struct entry *scratch;    /* WIRE_BATCH_MAX entries for repl_ingest */
	uint8_t *x_sk;            /* X25519 form of our secret (sodium_malloc) */
	uint8_t (*redacted)[32];  /* hashes whose bodies are dropped (small) */
	size_t n_redacted;
	uint8_t x_pk[32];
	uint64_t started_ms;
	uint64_t sim_now_ms;      /* nonzero: a simulated clock (tests/sim) */
	struct unsynced unsynced;  /* signs nothing while behind its own feed */
	struct node_listener listeners[NODE_LISTENERS_MAX];
	size_t n_listeners;
};

/* Wall-clock milliseconds since the Unix epoch. */
uint64_t node_now_ms(void);
/* The node's clock: sim_now_ms when a simulator sets it, else the wall
 * clock. Every rule that depends on "now" reads this one. */
uint64_t node_now(const struct node *n);

/* Listen to the node's events (daemon/events.h). PAKT_ELIMIT when
 * NODE_LISTENERS_MAX are registered. node_unlisten removes fn/arg. */
int node_listen(struct node *n, node_event_fn fn, void *arg);
/* The same, but called before every listener registered so far: the
 * network's relay goes before local readers, since each further hop of
 * an entry waits for it (bench_mesh: 4-hop latency). */
int node_listen_first(struct node *n, node_event_fn fn, void *arg);
void node_unlisten(struct node *n, node_event_fn fn, void *arg);
/* Tell every listener. */
void node_emit(struct node *n, const struct node_event *ev);

/* The initiative an operation applies to: explicit (may be NULL), else the
 * config's network, else the only one stored. PAKT_ENONET if there is
 * none, PAKT_EINVAL if several and none chosen (why says so). */
int node_pick_network(struct node *n, const uint8_t *explicit_net,
		      uint8_t out[32], char *why, size_t whylen);

/* Sign and durably store the next entry of our feed in network (NULL for a
 * genesis entry). body: canonical map (borrowed). On success *out holds the
 * entry (its body pointer is the caller's body). After the commit it emits
 * NODE_EV_APPENDED: replication (repl_attach) updates its heads and tells
 * peers and readers. */
int node_append(struct node *n, const uint8_t *network, const char *type,
		const uint8_t *body, size_t body_len, struct entry *out,
		char *why, size_t whylen);

/* Create an initiative with us as first admin; out gets its id. Becomes the
 * config's default network when none is set. */
int node_create_initiative(struct node *n, const char *name, const char *goal,
			   uint8_t out[32], char *why, size_t whylen);

/* The mesh's per-node state: X25519 form of the identity (guarded
 * memory) and the ingest scratch. node_mesh_free is NULL-safe. */
int node_mesh_init(struct node *n);
void node_mesh_free(struct node *n);

/* Re-read the config file (SIGHUP). Keeps the old config on error. */
int node_reload_config(struct node *n);

#endif
