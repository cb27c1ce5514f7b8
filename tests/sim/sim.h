/* Deterministic simulation of a pakt mesh: N nodes in one process over a
 * simulated network (delay, loss, reordering, partitions, restarts) driven
 * by one seeded PRNG, honest and dishonest members, and the invariants
 * checked after the network heals. Anchors: FoundationDB's simulation
 * testing, TigerBeetle's VOPR. */
#ifndef PAKT_SIM_H
#define PAKT_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tests/sim/sim_node.h"

#define SIM_NODES_MAX 8
#define SIM_TICK_MS 100
#define SIM_TICKS_DEFAULT 300             /* of chaos: 30 simulated seconds */
#define SIM_EPOCH_MS 1767225600000ull     /* 2026-01-01: the clock at tick 0 */
#define SIM_HEADS_MAX 4096
#define SIM_CHUNK 64                      /* entries per batch */
/* Redactions of hashes a node does not hold may cost it only bounded
 * memory (issue 9, rule 2: core/replica keeps 256 per network); the
 * preredact attack names SIM_BLIND_REDACTS such. */
#define SIM_REDACTED_MAX 256
#define SIM_BLIND_REDACTS 300

/* ---- the seeded PRNG (xoshiro256**) ---- */
struct sim_rng {
	uint64_t s[4];
};
void sim_rng_seed(struct sim_rng *r, uint64_t seed);
uint64_t sim_rand(struct sim_rng *r);
/* Uniform in [0, n); 0 when n is 0. */
uint32_t sim_below(struct sim_rng *r, uint32_t n);
bool sim_chance(struct sim_rng *r, double p);

/* What a member does. Each dishonest strategy has a bit in --attacks. */
enum sim_strategy {
	SIM_HONEST = 0,
	SIM_GARBAGE,      /* random bytes and damaged copies of valid entries */
	SIM_FORK,         /* two entries at one seq, to different peers */
	SIM_FUTURE,       /* entries dated hours ahead */
	SIM_REMOVED,      /* removed by the admin, keeps posting */
	SIM_STRIP,        /* relays membership and record entries without body */
	SIM_PREREDACT,    /* redacts others' entries it relays, before peers hold them */
	SIM_FLOOD,        /* one-entry feeds under fresh keys */
	SIM_BACKDATE,     /* a removed admin backdates the removal of the admin who removed it */
	SIM_BADSIG,       /* a bad signature under a validly signed successor (sim_badsig.c) */
	SIM_STRATEGIES
};
extern const char *const sim_strategy_names[SIM_STRATEGIES];
#define SIM_ATTACKS_ALL (((1u << SIM_STRATEGIES) - 1) & ~1u)
/* Run by default: every attack (each holds on 1000 seeds). */
#define SIM_ATTACKS_DEFAULT SIM_ATTACKS_ALL

enum sim_msg_type { SIM_MSG_CLOCK, SIM_MSG_ENTRIES, SIM_MSG_FORK, SIM_MSG_BADSIG };

struct sim_msg {
	enum sim_msg_type type;
	int from, to;
	uint64_t due, id;
	struct sim_wire *w;           /* ENTRIES: n entries; FORK: 2 */
	size_t n;
	struct sim_head *heads;       /* CLOCK */
	size_t n_heads;
};

struct sim_member {
	struct sim_node *sn;
	uint8_t key[32];
	enum sim_strategy strategy;
	bool alive;
	uint64_t up_at;               /* a restart: down until this tick */
	bool added;                   /* the admin has admitted it */
	uint64_t add_at;              /* tick the admin admits it */
	bool removed;                 /* the admin has removed it */
	uint64_t remove_at;           /* 0: never */
	uint64_t skew_at;             /* future: its clock runs ahead from this tick */
	uint64_t pause_at, readd_at;  /* honest: removed at pause_at, back under a new key */
	bool paused;
	int side;                     /* partition side */
	uint64_t next_clock[SIM_NODES_MAX];
	unsigned hints[SIM_NODES_MAX];      /* fork hints sent to each peer, per 100 ticks */
	unsigned attacks;
	bool done;                    /* a one-shot attack was made */
	unsigned blind;               /* preredact: redactions of unknown hashes */
};

struct sim_opts {
	uint64_t seed;
	int nodes;                    /* 0: chosen by the seed */
	unsigned attacks;             /* bit per enum sim_strategy */
	uint64_t ticks;               /* of the chaotic phase */
	bool drop_one;                /* self-check: node 1 never takes one entry */
	bool churn;                   /* the admin removes honest members for a while */
	bool verbose;
};

struct sim_world {
	const struct sim_opts *o;
	struct sim_rng rng;
	uint64_t tick;
	bool quiet;                   /* healing: no loss, partitions, restarts or new posts */
	int n;
	struct sim_member m[SIM_NODES_MAX];
	uint8_t net[32];
	double loss;
	uint32_t delay_max;           /* ticks */
	bool partitioned;
	struct sim_msg *q;            /* in flight */
	size_t nq, capq;
	uint64_t next_id, sent;
	uint64_t authored;            /* entries signed by members (stored or forged) */
	uint64_t rekeyed;             /* --churn: keys given up for a new one */
	uint64_t removal_ts[SIM_NODES_MAX];  /* timestamp of the admin's removal of i */
	uint64_t strangers;
	char failure[512];            /* first invariant broken during the run */
};

static inline uint64_t sim_now(const struct sim_world *w)
{
	return SIM_EPOCH_MS + w->tick * SIM_TICK_MS;
}

/* sim.c: the network. sim_set_clock sets every node's clock (node_now)
 * and the process's CLOCK_REALTIME (sim_clock.h). */
void sim_set_clock(struct sim_world *w, uint64_t ms);
bool sim_link_up(struct sim_world *w, int a, int b);
void sim_send(struct sim_world *w, struct sim_msg *m);
void sim_send_entries(struct sim_world *w, int from, int to, struct sim_wire *v, size_t n);
void sim_fail(struct sim_world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* sim_act.c: what members do */
int sim_act_setup(struct sim_world *w);
void sim_act_tick(struct sim_world *w, int i);
/* A member relays: strategy hooks on what it sends and what it took in. */
void sim_act_relay(struct sim_world *w, int i, struct sim_wire *v, size_t n);
void sim_act_took(struct sim_world *w, int i, const uint8_t *const *wire, const size_t *len,
		  size_t n);

/* sim_badsig.c: deferred signature checks. settle: every node checks what
 * waits and passes on the proofs it found (returns how many); send: node
 * i's proof against author to p, if it holds one; take: a proof arrives
 * (true: news); act: the badsig strategy; final: settle, then no honest
 * node holds an entry whose signature fails (0, or 1 with why). */
size_t sim_badsig_settle(struct sim_world *w);
bool sim_badsig_send(struct sim_world *w, int i, int p, const uint8_t author[32]);
bool sim_badsig_take(struct sim_world *w, struct sim_msg *m);
void sim_badsig_act(struct sim_world *w, int i);
int sim_badsig_final(struct sim_world *w, char *why, size_t whylen);

/* sim_check.c: the invariants after the run */
int sim_check(struct sim_world *w, char *why, size_t whylen);

/* sim_ebt.c: the broadcast-tree scenario (sim --ebt): 0 if every seed
 * keeps its checks. */
int sim_ebt_run(uint64_t first, uint64_t last, bool verbose);

#endif
