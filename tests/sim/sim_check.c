/* The invariants, checked once the network has healed and gone quiet:
 * honest members converge (feeds, forks, roster, ledger), none of them is
 * frozen or removed by another's act, storage stays bounded by what
 * members signed, and their bundles pass the offline checker and agree
 * with their ledger. */
#include <stdio.h>
#include <string.h>
#include "tests/sim/sim.h"

/* An admitted, never removed, honest member: one whose view must hold. */
static bool honest(const struct sim_world *w, int i)
{
	return w->m[i].strategy == SIM_HONEST && w->m[i].added && !w->m[i].removed &&
	       !w->m[i].paused;
}

static int converged(struct sim_world *w, struct sim_digest *d, char *why, size_t whylen)
{
	int ref = -1;

	for (int i = 0; i < w->n; i++) {
		if (!honest(w, i))
			continue;
		if (sim_node_digest(w->m[i].sn, w->net, &d[i]) != 0) {
			snprintf(why, whylen, "node %d: the roster it acts on is not the one its store gives",
				 i);
			return 1;
		}
		if (ref < 0) {
			ref = i;
			continue;
		}
		/* the forks first: a node that missed one counts that feed's rows */
		static const struct { size_t off; const char *what; } parts[] = {
			{offsetof(struct sim_digest, forks), "sets of forked feeds"},
			{offsetof(struct sim_digest, feeds), "feeds"},
			{offsetof(struct sim_digest, roster), "rosters"},
			{offsetof(struct sim_digest, ledger), "ledgers"},
		};
		for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++)
			if (memcmp((const uint8_t *)&d[ref] + parts[k].off,
				   (const uint8_t *)&d[i] + parts[k].off, 32) != 0) {
				snprintf(why, whylen, "honest nodes %d and %d hold different %s (%llu vs %llu entries, %llu vs %llu with a body)",
					 ref, i, parts[k].what, (unsigned long long)d[ref].rows,
					 (unsigned long long)d[i].rows, (unsigned long long)d[ref].bodies,
					 (unsigned long long)d[i].bodies);
				return 1;
			}
	}
	return 0;
}

/* Every honest member's feed is held everywhere up to its own head, and
 * is neither forked nor ended by someone else's act. */
static int not_frozen(struct sim_world *w, char *why, size_t whylen)
{
	for (int j = 0; j < w->n; j++) {
		struct sim_head own;

		if (!honest(w, j) || !sim_node_head(w->m[j].sn, w->net, w->m[j].key, &own))
			continue;
		for (int i = 0; i < w->n; i++) {
			struct sim_head h = {0};

			if (!honest(w, i))
				continue;
			if (!sim_node_head(w->m[i].sn, w->net, w->m[j].key, &h) || h.seq != own.seq ||
			    h.forked) {
				snprintf(why, whylen, "node %d holds honest node %d's feed at seq %llu%s, its head is %llu",
					 i, j, (unsigned long long)h.seq, h.forked ? " (marked forked)" : "",
					 (unsigned long long)own.seq);
				return 1;
			}
		}
	}
	return 0;
}

/* Honest members stay members (the admin an admin) on every honest node,
 * and those the admin removed are gone. Checked first: a member cut off
 * by another's act explains any divergence that follows. */
static int membership(struct sim_world *w, char *why, size_t whylen)
{
	for (int j = 0; j < w->n; j++) {
		for (int i = 0; i < w->n && honest(w, j); i++) {
			if (!honest(w, i))
				continue;
			if (!sim_node_is_member(w->m[i].sn, w->net, w->m[j].key)) {
				snprintf(why, whylen, "node %d no longer counts honest node %d as a member", i, j);
				return 1;
			}
			if (j == 0 && !sim_node_is_admin(w->m[i].sn, w->net, w->m[0].key)) {
				snprintf(why, whylen, "node %d no longer counts the admin (node 0) as admin", i);
				return 1;
			}
		}
		if (!w->m[j].removed)
			continue;
		for (int i = 0; i < w->n; i++)
			if (honest(w, i) && sim_node_is_member(w->m[i].sn, w->net, w->m[j].key)) {
				snprintf(why, whylen, "node %d still counts node %d (%s) as a member after the admin removed it",
					 i, j, sim_strategy_names[w->m[j].strategy]);
				return 1;
			}
	}
	return 0;
}

/* What a node stores is bounded by what members signed. */
static int bounded(struct sim_world *w, const struct sim_digest *d, char *why, size_t whylen)
{
	uint64_t keys = w->rekeyed;   /* --churn: the keys given up count too */

	for (int i = 0; i < w->n; i++)
		keys += w->m[i].added;
	for (int i = 0; i < w->n; i++) {
		if (!honest(w, i))
			continue;
		if (d[i].redacted > SIM_REDACTED_MAX) {
			snprintf(why, whylen, "node %d keeps %llu redacted hashes in memory (at most %d)", i,
				 (unsigned long long)d[i].redacted, SIM_REDACTED_MAX);
			return 1;
		}
		if (d[i].n_feeds > keys || d[i].rows > w->authored) {
			snprintf(why, whylen, "node %d stores %llu feeds and %llu entries, members have %llu keys and signed %llu entries",
				 i, (unsigned long long)d[i].n_feeds, (unsigned long long)d[i].rows,
				 (unsigned long long)keys, (unsigned long long)w->authored);
			return 1;
		}
	}
	return 0;
}

/* -v: every node's heads, to see where a failed run diverged */
static void dump_heads(struct sim_world *w)
{
	struct sim_head h[16];

	for (int i = 0; i < w->n; i++) {
		size_t n = sim_node_heads(w->m[i].sn, w->net, h, 16);

		fprintf(stderr, "# node %d %02x%02x (%s%s):", i, w->m[i].key[0], w->m[i].key[1],
			sim_strategy_names[w->m[i].strategy],
			w->m[i].removed ? ", removed" : "");
		for (size_t k = 0; k < n && k < 16; k++)
			fprintf(stderr, " %02x%02x@%llu:%02x%02x%s", h[k].author[0], h[k].author[1],
				(unsigned long long)h[k].seq, h[k].hash[0], h[k].hash[1],
				h[k].forked ? "F" : "");
		fprintf(stderr, "\n");
	}
}

int sim_check(struct sim_world *w, char *why, size_t whylen)
{
	if (w->o->verbose)
		dump_heads(w);

	struct sim_digest d[SIM_NODES_MAX];
	char bwhy[400];

	memset(d, 0, sizeof d);
	if (membership(w, why, whylen) || converged(w, d, why, whylen) ||
	    not_frozen(w, why, whylen) || bounded(w, d, why, whylen))
		return 1;
	for (int i = 0; i < w->n; i++)
		if (honest(w, i) && sim_node_bundle_check(w->m[i].sn, w->net, 3, bwhy, sizeof bwhy) != 0) {
			snprintf(why, whylen, "node %d: %s", i, bwhy);
			return 1;
		}
	return 0;
}
