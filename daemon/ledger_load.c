/* Feeds core/ledger.c from the store (see ledger_load.h). */
#include "daemon/ledger_load.h"
#include "proto/err.h"

static int on_row(void *arg, const struct store_row *row)
{
	struct entry e;

	if (entry_from_parts(&e, row->header, row->header_len, row->sig, row->body,
			     row->body_len) != 0)
		return 0;   /* damaged: pakt verify and the audit's chain check report it */
	return ledger_add(arg, &e);
}

int ledger_load(struct ledger *l, struct store *s, const uint8_t network[32],
		const struct roster *m)
{
	struct store_query q = {.network = network};
	int rc;

	ledger_init(l, m);
	if ((rc = store_scan(s, &q, on_row, l)) != 0) {
		ledger_free(l);
		return rc;
	}
	return ledger_finish(l);
}
