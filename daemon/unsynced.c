/* The guard against forking our own feed from an old copy: unsynced.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "daemon/log.h"
#include "daemon/tr.h"
#include "daemon/unsynced.h"
#include "proto/wire.h"

static struct unsynced_net *net_of(struct unsynced *u, const uint8_t id[32])
{
	for (size_t i = 0; i < u->n_nets; i++)
		if (memcmp(u->nets[i].id, id, 32) == 0)
			return &u->nets[i];
	if (u->n_nets == UNSYNCED_NETS_MAX)
		return NULL;
	memset(&u->nets[u->n_nets], 0, sizeof u->nets[0]);
	memcpy(u->nets[u->n_nets].id, id, 32);
	return &u->nets[u->n_nets++];
}

static uint64_t own_head(struct store *s, const uint8_t pk[32], const uint8_t net[32])
{
	uint64_t seq = 0, ts = 0;
	uint8_t hash[32];

	return store_head(s, net, pk, &seq, hash, &ts) == 0 ? seq : 0;
}

void unsynced_init(struct unsynced *u, const char *datadir)
{
	memset(u, 0, sizeof *u);
	datadir_file(datadir, DATADIR_UNSYNCED, u->marker);
	u->waiting = access(u->marker, F_OK) == 0;
	if (u->waiting)
		log_warn("%s is there (restored from a backup): signing nothing until a partner has told this "
			 "node its own feed's head", u->marker);
}

void unsynced_heard(struct unsynced *u, struct store *s, const uint8_t pk[32], const uint8_t net[32],
		    const struct wire_clock_item *items, size_t n_items)
{
	struct unsynced_net *un;

	if (!u->waiting)
		return;
	for (size_t i = 0; i < n_items; i++) {
		if (memcmp(items[i].author, pk, 32) != 0 || (un = net_of(u, net)) == NULL)
			continue;
		if (items[i].seq <= own_head(s, pk, net))
			un->confirmed = true;
		else if (un->want == 0 || items[i].seq < un->want)
			un->want = items[i].seq;
	}
}

void unsynced_settle(struct unsynced *u, struct store *s, const uint8_t pk[32],
		     const uint8_t (*nets)[32], size_t n)
{
	if (!u->waiting)
		return;
	for (size_t i = 0; i < n; i++) {
		struct unsynced_net *un = net_of(u, nets[i]);

		if (un == NULL)
			return;
		if (!un->confirmed && un->want != 0 && own_head(s, pk, nets[i]) >= un->want)
			un->confirmed = true;
		if (!un->confirmed)
			return;
	}
	u->waiting = false;
	if (unlink(u->marker) != 0 && errno != ENOENT)
		log_warn("cannot remove %s: %s (the node will wait again after a restart)", u->marker, strerror(errno));
	log_info("synced: partners confirmed this organisation's feed head; signing again");
}

const char *unsynced_reason(const struct unsynced *u)
{
	return u->waiting ?
		N_("this node was restored from a backup: it signs nothing until a partner has told it the "
		"feed's head and it has fetched what it lacks ('pakt status' shows it; with no partner "
		"reachable, stop paktd and remove DATADIR/unsynced, which can fork the feed)") : NULL;
}
