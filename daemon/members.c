/* Membership loaded from the store: the store's side of core/roster.c,
 * which holds the rules (shared with the offline bundle checker, so both
 * derive the same member set). */
#include <string.h>
#include "daemon/members.h"
#include "proto/entry.h"
#include "proto/err.h"

struct collect {
	struct roster *r;
	int rc;
};

static int on_row(void *arg, const struct store_row *row)
{
	struct collect *c = arg;
	struct entry e;

	if (entry_from_parts(&e, row->header, row->header_len, row->sig, row->body,
			     row->body_len) != 0 || e.body == NULL)
		return 0;   /* damaged or redacted: pakt verify reports it */
	if (strcmp(e.h.type, "genesis") == 0)
		c->rc = roster_genesis(c->r, &e);
	else
		c->rc = roster_add(c->r, &e);   /* skips bodies that change no membership */
	return c->rc;
}

int members_load(struct roster *m, struct store *s, const uint8_t network[32])
{
	static const char *const types[] = { "genesis", "member", "succession", "revoke" };
	struct store_query q = {.network = network, .unchecked = true};
	struct collect c = {.r = m};
	int rc = 0;

	roster_free(m);
	for (size_t i = 0; i < sizeof types / sizeof types[0] && rc == 0; i++) {
		q.type = types[i];
		rc = store_scan(s, &q, on_row, &c);
		if (rc == 0)
			rc = c.rc;
	}
	if (rc == 0)
		rc = roster_finish(m);
	return rc;
}
