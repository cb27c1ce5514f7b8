/* Epidemic broadcast trees: the per-feed eager/lazy state of a link and
 * the rules that move it (see ebt.h and PROTOCOL.md). */
#include <stdlib.h>
#include <string.h>
#include "core/ebt.h"
#include "proto/err.h"

void ebt_link_init(struct ebt_link *l)
{
	memset(l, 0, sizeof *l);
}

void ebt_link_free(struct ebt_link *l)
{
	if (l == NULL)
		return;
	free(l->f);
	free(l->due);
	memset(l, 0, sizeof *l);
}

int ebt_link_sync(struct ebt_link *l, size_t n)
{
	struct ebt_feed *f;
	size_t *due;

	if (n <= l->n)
		return 0;
	f = realloc(l->f, n * sizeof *f);
	if (f == NULL)
		return PAKT_ENOMEM;
	l->f = f;
	due = realloc(l->due, n * sizeof *due);
	if (due == NULL)
		return PAKT_ENOMEM;
	l->due = due;
	memset(f + l->n, 0, (n - l->n) * sizeof *f);   /* eager both ways */
	l->n = n;
	return 0;
}

static void mark(struct ebt_link *l, size_t idx, uint8_t bit)
{
	struct ebt_feed *f = &l->f[idx];

	if (f->due == 0)
		l->due[l->n_due++] = idx;
	/* a prune and a graft undo each other: the last one stands */
	if (bit == EBT_DUE_PRUNE)
		f->due &= (uint8_t)~EBT_DUE_GRAFT;
	else if (bit == EBT_DUE_GRAFT)
		f->due &= (uint8_t)~EBT_DUE_PRUNE;
	f->due |= bit;
}

static void not_ahead(struct ebt_link *l, struct ebt_feed *f)
{
	if (f->ahead) {
		f->ahead = false;
		l->n_ahead--;
	}
}

bool ebt_sends(const struct ebt_link *l, size_t idx)
{
	return idx >= l->n || l->f[idx].out == EBT_EAGER;
}

bool ebt_receives(const struct ebt_link *l, size_t idx)
{
	return idx >= l->n || l->f[idx].in == EBT_EAGER;
}

bool ebt_on_batch(struct ebt_link *l, size_t idx, bool dup, size_t eager_elsewhere)
{
	if (idx >= l->n)
		return false;
	if (!dup || l->f[idx].in != EBT_EAGER || eager_elsewhere == 0)
		return false;
	l->f[idx].in = EBT_LAZY;
	mark(l, idx, EBT_DUE_PRUNE);
	return true;
}

void ebt_on_note(struct ebt_link *l, size_t idx, uint64_t seq, uint64_t head, uint64_t now)
{
	struct ebt_feed *f;

	if (idx >= l->n)
		return;
	f = &l->f[idx];
	if (seq > f->noted)
		f->noted = seq;
	if (f->in == EBT_LAZY && f->noted > head && !f->ahead) {
		f->ahead = true;
		f->ahead_ms = now;
		l->n_ahead++;
	}
}

void ebt_on_prune(struct ebt_link *l, size_t idx, uint64_t head)
{
	if (idx >= l->n)
		return;
	l->f[idx].out = EBT_LAZY;
	l->f[idx].sent = 0;
	if (head > 0)
		mark(l, idx, EBT_DUE_NOTE);   /* what we hold, for its graft decisions */
}

void ebt_on_graft(struct ebt_link *l, size_t idx)
{
	if (idx < l->n)
		l->f[idx].out = EBT_EAGER;
}

void ebt_on_head(struct ebt_link *l, size_t idx, uint64_t head, bool peer_lacks)
{
	struct ebt_feed *f;

	if (idx >= l->n)
		return;
	f = &l->f[idx];
	if (f->out == EBT_LAZY && peer_lacks && head > f->sent)
		mark(l, idx, EBT_DUE_NOTE);
	if (f->ahead && f->noted <= head)
		not_ahead(l, f);
}

void ebt_graft(struct ebt_link *l, size_t idx)
{
	if (idx >= l->n)
		return;
	l->f[idx].in = EBT_EAGER;
	not_ahead(l, &l->f[idx]);
	mark(l, idx, EBT_DUE_GRAFT);
}

size_t ebt_graft_late(struct ebt_link *l, uint64_t (*heads)(void *arg, size_t idx), void *arg,
		      uint64_t now)
{
	size_t grafted = 0;

	for (size_t i = 0; i < l->n && l->n_ahead > 0; i++) {
		struct ebt_feed *f = &l->f[i];

		if (!f->ahead)
			continue;
		if (f->in != EBT_LAZY || f->noted <= heads(arg, i))
			not_ahead(l, f);   /* caught up, or grafted meanwhile */
		else if (now - f->ahead_ms >= EBT_GRAFT_MS) {
			ebt_graft(l, i);
			grafted++;
		}
	}
	return grafted;
}

size_t ebt_eager_count(struct ebt_link *const *links, size_t n, size_t idx,
		       const struct ebt_link *except)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		if (links[i] != NULL && links[i] != except && ebt_receives(links[i], idx))
			count++;
	return count;
}

long ebt_pick_graft(struct ebt_link *const *links, size_t n, size_t idx)
{
	long best = -1;

	if (ebt_eager_count(links, n, idx, NULL) > 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (links[i] == NULL || idx >= links[i]->n)
			continue;
		if (best < 0 || links[i]->f[idx].noted > links[best]->f[idx].noted)
			best = (long)i;
	}
	return best;
}

size_t ebt_take_due(struct ebt_link *l, struct ebt_item *out, size_t max)
{
	size_t k = l->n_due < max ? l->n_due : max;

	for (size_t i = 0; i < k; i++) {
		out[i].idx = l->due[i];
		out[i].due = l->f[l->due[i]].due;
		l->f[l->due[i]].due = EBT_DUE_NONE;
	}
	memmove(l->due, l->due + k, (l->n_due - k) * sizeof *l->due);
	l->n_due -= k;
	return k;
}

void ebt_noted(struct ebt_link *l, size_t idx, uint64_t seq)
{
	if (idx < l->n && seq > l->f[idx].sent)
		l->f[idx].sent = seq;
}
