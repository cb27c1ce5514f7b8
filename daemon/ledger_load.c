/* Feeds core/ledger.c from the store (see ledger_load.h). */
#include <stdio.h>
#include <string.h>
#include "daemon/ledger_load.h"
#include "proto/err.h"

struct load_ctx {
	struct ledger *l;
	int64_t rowid;
	bool rebuild;
};

/* The ledger reads only the header fields of most entries (messages above
 * all): those rows come without their signed parts, and nothing is
 * decoded or hashed for them (ledger_add, ledger_reads_body). */
static int on_row(void *arg, const struct store_row *row)
{
	struct load_ctx *c = arg;
	struct entry e;

	c->rowid = row->rowid;
	c->rebuild |= roster_type(row->type) || strcmp(row->type, "redact") == 0;
	if (row->header == NULL) {
		memset(&e.h, 0, sizeof e.h);
		memcpy(e.h.author, row->author, 32);
		e.h.seq = row->seq;
		e.h.timestamp = (uint64_t)row->timestamp;
		snprintf(e.h.type, sizeof e.h.type, "%s", row->type);
		memcpy(e.hash, row->hash, 32);
		e.body = NULL;
		e.body_len = 0;
	} else if (entry_from_parts(&e, row->header, row->header_len, row->sig, row->body,
				    row->body_len) != 0) {
		return 0;   /* damaged: pakt verify and the audit's chain check report it */
	}
	return ledger_add(c->l, &e);
}

int ledger_load_more(struct ledger *l, struct ledger_source *src, int64_t *rowid, bool *rebuild)
{
	struct load_ctx c = {.l = l, .rowid = *rowid};
	int rc = store_scan_network(src->s, src->network, *rowid, ledger_reads_body, on_row, &c);

	*rowid = c.rowid;
	if (rebuild != NULL)
		*rebuild = c.rebuild;
	return rc;
}

int ledger_load(struct ledger *l, struct store *s, const uint8_t network[32],
		const struct roster *m)
{
	struct ledger_source src = {.s = s};
	int64_t rowid = 0;
	int rc;

	memcpy(src.network, network, 32);
	ledger_init(l, m);
	if ((rc = ledger_load_more(l, &src, &rowid, NULL)) != 0) {
		ledger_free(l);
		return rc;
	}
	return ledger_finish(l);
}

static bool held(void *arg, const uint8_t author[32], uint64_t seq, const uint8_t hash[32])
{
	struct ledger_source *src = arg;
	uint8_t h[32];

	return store_hash_at(src->s, src->network, author, seq, h) == 0 && memcmp(h, hash, 32) == 0;
}

/* The entries table holds one entry per (feed, seq): a second one is a
 * fork proof in its own table, which the audit lists; the ledger's places
 * never held two either. */
static uint64_t first_fork(void *arg, const uint8_t author[32])
{
	(void)arg;
	(void)author;
	return UINT64_MAX;
}

void ledger_load_holdings(struct ledger_holdings *h, struct ledger_source *src)
{
	*h = (struct ledger_holdings){.held = held, .first_fork = first_fork, .arg = src};
}
