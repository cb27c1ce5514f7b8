/* Signatures off the hot path: the pure rules (see sigproof.h). */
#include <stdio.h>
#include <string.h>
#include "core/sigproof.h"
#include "proto/err.h"

bool sigproof_immediate(const char *type)
{
	return replica_needs_body(type) || strcmp(type, "redact") == 0 ||
	       strcmp(type, "profile") == 0;
}

/* Batches are runs of few feeds: a short list of the feeds seen, walking
 * from the newest entry back, finds each feed's newest entry. */
#define SIGPROOF_FEEDS 64

void sigproof_eager(const struct entry *es, const struct replica_plan *plans, size_t count,
		    bool *now)
{
	const uint8_t *seen[SIGPROOF_FEEDS];
	size_t n_seen = 0;

	for (size_t i = count; i-- > 0;) {
		const struct entry *e = &es[i];
		bool newest = true;

		now[i] = false;
		if (plans[i].act != REPLICA_STORE)
			continue;
		for (size_t k = 0; k < n_seen && newest; k++)
			newest = memcmp(seen[k], e->h.author, 32) != 0;
		if (newest && n_seen < SIGPROOF_FEEDS) {
			seen[n_seen++] = e->h.author;
		} else if (newest) {
			/* more feeds than the list holds: a later entry of this
			 * feed may be missed; checking this one is always safe */
			now[i] = true;
			continue;
		}
		now[i] = newest || sigproof_immediate(e->h.type);
	}
}

static int bad(char *why, size_t whylen, const char *what)
{
	snprintf(why, whylen, "%s", what);
	return PAKT_EINVAL;
}

int sigproof_check(const uint8_t network[32], const uint8_t *a, size_t alen, const uint8_t *b,
		   size_t blen, struct entry *a_out, struct entry *b_out, char *why,
		   size_t whylen)
{
	if (entry_decode(a_out, a, alen) != 0)
		return bad(why, whylen, "the bad entry does not decode");
	if (entry_decode(b_out, b, blen) != 0)
		return bad(why, whylen, "the successor does not decode");
	if (!a_out->h.has_network || !b_out->h.has_network ||
	    memcmp(a_out->h.network, network, 32) != 0 || memcmp(b_out->h.network, network, 32) != 0)
		return bad(why, whylen, "not entries of this network");
	if (memcmp(a_out->h.author, b_out->h.author, 32) != 0)
		return bad(why, whylen, "two authors");
	if (b_out->h.seq != a_out->h.seq + 1 || !b_out->h.has_prev ||
	    memcmp(b_out->h.prev, a_out->hash, 32) != 0)
		return bad(why, whylen, "the successor does not follow the bad entry");
	if (entry_verify(b_out) != 0)
		return bad(why, whylen, "the successor's signature is not valid");
	if (entry_verify(a_out) == 0)
		return bad(why, whylen, "the entry's signature is valid");
	return 0;
}
