/* Fuzz target: core/replica, planning a peer's batch against a node's
 * feed state. An input is
 *   [flags u8][held u8][bodiless mask u8] then entries, each a 2-byte
 *   big-endian length and an entry's wire form;
 * the first `held` entries that decode are what the fake node holds (bit
 * i of the mask: held without body), the rest is the batch. flags: bit 0
 * a peer key is given, bit 1 it is the first batch entry's author, bit 2
 * every author may have a feed (else only authors of held entries), bit 3
 * entries past seq 2 are after a cutoff, bit 4 the last batch entry has a
 * pending redaction by its author, bit 5 the first held entry is
 * redacted, bits 6-7 the hints left. Besides not crashing, the plan must
 * keep the rules: nothing of a non-member stored, no record entry stored
 * without body, no body stripped from a record entry. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/replica.h"
#include "proto/wire.h"
#include "tests/fuzz/fuzz.h"

#define HELD_MAX 32

struct state {
	struct entry held[HELD_MAX];
	bool bodiless[HELD_MAX];
	size_t n_held;
	uint8_t flags;
	const uint8_t *pending_hash, *pending_by, *redacted_hash;
};

static void v_head(void *arg, const uint8_t author[32], struct replica_head *out)
{
	struct state *s = arg;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < s->n_held; i++)
		if (memcmp(s->held[i].h.author, author, 32) == 0 && s->held[i].h.seq > out->seq) {
			out->seq = s->held[i].h.seq;
			memcpy(out->hash, s->held[i].hash, 32);
			out->ts = s->held[i].h.timestamp;
		}
}

static int v_hash_at(void *arg, const uint8_t author[32], uint64_t seq, uint8_t out[32])
{
	struct state *s = arg;

	for (size_t i = 0; i < s->n_held; i++)
		if (memcmp(s->held[i].h.author, author, 32) == 0 && s->held[i].h.seq == seq) {
			memcpy(out, s->held[i].hash, 32);
			return 0;
		}
	return 1;
}

static enum replica_held v_held(void *arg, const uint8_t hash[32], uint8_t *author, char *type)
{
	struct state *s = arg;

	for (size_t i = 0; i < s->n_held; i++)
		if (memcmp(s->held[i].hash, hash, 32) == 0) {
			if (author)
				memcpy(author, s->held[i].h.author, 32);
			if (type)
				memcpy(type, s->held[i].h.type, sizeof s->held[i].h.type);
			return s->bodiless[i] ? REPLICA_BODILESS : REPLICA_HELD;
		}
	return REPLICA_ABSENT;
}

static bool v_may_feed(void *arg, const uint8_t author[32])
{
	struct state *s = arg;

	if (s->flags & 4)
		return true;
	for (size_t i = 0; i < s->n_held; i++)
		if (memcmp(s->held[i].h.author, author, 32) == 0)
			return true;
	return false;
}

/* Whether the batch holds the network's genesis by author. */
static bool founder_in(const struct entry *es, size_t count, const uint8_t network[32],
		       const uint8_t author[32])
{
	for (size_t i = 0; i < count; i++)
		if (!es[i].h.has_network && memcmp(es[i].hash, network, 32) == 0 &&
		    memcmp(es[i].h.author, author, 32) == 0)
			return true;
	return false;
}

static bool v_cut_off(void *arg, const uint8_t author[32], uint64_t seq, uint64_t ts)
{
	struct state *s = arg;

	(void)author;
	(void)ts;
	return (s->flags & 8) && seq > 2;
}

static bool v_pending(void *arg, const uint8_t hash[32], uint8_t redactor[32])
{
	struct state *s = arg;

	if (s->pending_hash == NULL || memcmp(hash, s->pending_hash, 32) != 0)
		return false;
	memcpy(redactor, s->pending_by, 32);
	return true;
}

static bool v_redacted(void *arg, const uint8_t hash[32])
{
	struct state *s = arg;

	return s->redacted_hash != NULL && memcmp(hash, s->redacted_hash, 32) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	static struct state s;
	static struct entry es[WIRE_BATCH_MAX];
	static struct replica_plan plans[WIRE_BATCH_MAX];
	static const uint8_t *wire[WIRE_BATCH_MAX];
	static size_t len[WIRE_BATCH_MAX];
	static const uint8_t other_peer[32] = {0x42};
	const struct replica_view v = {.arg = &s, .head = v_head, .hash_at = v_hash_at, .held = v_held,
				       .may_feed = v_may_feed, .cut_off = v_cut_off,
				       .pending = v_pending, .redacted = v_redacted};
	struct replica_batch b = {.now = 1767225600000ULL + 86400000ULL};
	uint8_t network[32] = {0};
	size_t held_want, off = 3, count = 0, bad;
	uint8_t mask;
	char why[256];

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = true;
	}
	if (size < 3)
		return 0;
	memset(&s, 0, sizeof s);
	s.flags = data[0];
	held_want = data[1];
	mask = data[2];
	while (off + 2 <= size) {
		size_t n = (size_t)data[off] << 8 | data[off + 1];
		const uint8_t *p = data + off + 2;

		off += 2;
		if (n > size - off)
			n = size - off;
		off += n;
		if (s.n_held < held_want && s.n_held < HELD_MAX) {
			if (entry_decode(&s.held[s.n_held], p, n) == 0) {
				s.bodiless[s.n_held] = (mask >> (s.n_held % 8)) & 1;
				if (s.n_held == 0)
					memcpy(network, entry_network(&s.held[0]), 32);
				s.n_held++;
			}
			continue;
		}
		if (count == WIRE_BATCH_MAX)
			break;
		wire[count] = p;
		len[count++] = n;
	}
	if (s.n_held == 0 && count > 0 && entry_decode(&es[0], wire[0], len[0]) == 0)
		memcpy(network, entry_network(&es[0]), 32);
	if ((s.flags & 32) && s.n_held > 0)
		s.redacted_hash = s.held[0].hash;
	if ((s.flags & 16) && count > 0 && entry_decode(&es[0], wire[count - 1], len[count - 1]) == 0) {
		static uint8_t ph[32], pb[32];

		memcpy(ph, es[0].hash, 32);
		memcpy(pb, es[0].h.author, 32);
		s.pending_hash = ph;
		s.pending_by = pb;
	}
	b.network = network;
	b.wire = wire;
	b.len = len;
	b.count = count;
	b.hints = s.flags >> 6;
	if (s.flags & 1) {
		b.peer = other_peer;
		if ((s.flags & 2) && count > 0 && entry_decode(&es[0], wire[0], len[0]) == 0) {
			static uint8_t first_author[32];

			memcpy(first_author, es[0].h.author, 32);
			b.peer = first_author;
		}
	}
	if (replica_plan(&v, &b, es, plans, &bad, why, sizeof why) != 0) {
		if (bad >= count || why[0] == '\0')
			abort();
		return 0;
	}
	for (size_t i = 0; i < count; i++) {
		const struct replica_plan *pl = &plans[i];
		const struct entry *e = &es[i];
		bool genesis = !e->h.has_network && memcmp(e->hash, network, 32) == 0;

		switch (pl->act) {
		case REPLICA_STORE:
			/* rule 3; the genesis makes its author the first admin, so
			 * that feed is wanted from its genesis on, in the same batch */
			if (!genesis && !v_may_feed(&s, e->h.author) && !founder_in(es, count, network, e->h.author))
				abort();
			if (replica_needs_body(e->h.type) && (e->body == NULL || pl->strip))
				abort();   /* rule 1 */
			if (pl->strip && !replica_redactable(e->h.type))
				abort();   /* rule 2 */
			break;
		case REPLICA_FORK:
			if (pl->twin != REPLICA_NONE && (pl->twin >= i || plans[pl->twin].act != REPLICA_STORE))
				abort();
			break;
		case REPLICA_SKIP:
			if (pl->skip == REPLICA_SKIP_NONE)
				abort();
			break;
		case REPLICA_FILL:
			if (e->body == NULL)
				abort();
			break;
		case REPLICA_DUP:
		case REPLICA_HINT:
			break;
		default:
			abort();
		}
	}
	return 0;
}
