/* The guard against forking our own feed from an old copy: unsynced.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "daemon/events.h"
#include "daemon/log.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/store.h"
#include "daemon/unsynced.h"
#include "keys/datadir.h"
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

static uint64_t own_head(struct node *n, const uint8_t net[32])
{
	uint64_t seq = 0, ts = 0;
	uint8_t hash[32];

	if (store_head(n->store, net, n->id.pk, &seq, hash, &ts) != 0)
		return 0;
	return seq;
}

static void set_marker(struct node *n, bool on)
{
	char path[DATADIR_PATH_MAX];
	int fd;

	datadir_file(n->datadir, DATADIR_UNSYNCED, path);
	if (!on) {
		if (unlink(path) != 0 && errno != ENOENT)
			log_warn("cannot remove %s: %s (the node will wait again after a restart)", path, strerror(errno));
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "behind\n", 7) != 7 || fsync(fd) != 0)
		log_warn("cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* WAITING -> SYNCED once every initiative heard from a partner and we hold
 * our feed up to what it listed. */
static void check(struct node *n)
{
	struct unsynced *u = &n->unsynced;

	if (!u->waiting)
		return;
	for (struct repl_net *rn = n->nets; rn; rn = rn->next) {
		struct unsynced_net *un = net_of(u, rn->id);

		if (un == NULL || !un->heard || own_head(n, rn->id) < un->seen)
			return;
	}
	u->waiting = false;
	set_marker(n, false);
	log_info("synced: partners confirmed this organisation's feed head; signing again");
}

void unsynced_on_clock(struct node *n, struct repl_net *rn, const struct wire_clock_item *items,
		       size_t n_items)
{
	struct unsynced *u = &n->unsynced;
	struct unsynced_net *un;
	uint64_t head;

	for (size_t i = 0; i < n_items; i++) {
		if (memcmp(items[i].author, n->id.pk, 32) != 0 || (un = net_of(u, rn->id)) == NULL)
			continue;
		un->heard = true;
		if (items[i].seq > un->seen)
			un->seen = items[i].seq;
		head = own_head(n, rn->id);
		if (!u->waiting && items[i].seq > head) {
			log_warn("a partner holds this organisation's feed up to #%llu but this node only up to "
				 "#%llu (restored from an older copy?): signing nothing until they are fetched",
				 (unsigned long long)items[i].seq, (unsigned long long)head);
			u->waiting = true;
			set_marker(n, true);
		}
	}
	check(n);
}

static void on_event(void *arg, const struct node_event *ev)
{
	struct node *n = arg;

	if (ev->kind == NODE_EV_STORED)
		check(n);
}

const char *unsynced_reason(const struct node *n)
{
	return n->unsynced.waiting ?
		"this node was restored or is behind its own feed: it signs nothing until a partner has told it "
		"the feed's head and it has fetched what it lacks ('pakt status' shows it; with no partner "
		"reachable, stop paktd and remove DATADIR/unsynced, which can fork the feed)" : NULL;
}

int unsynced_start(struct node *n)
{
	char path[DATADIR_PATH_MAX];

	memset(&n->unsynced, 0, sizeof n->unsynced);
	datadir_file(n->datadir, DATADIR_UNSYNCED, path);
	n->unsynced.waiting = access(path, F_OK) == 0;
	if (n->unsynced.waiting)
		log_warn("%s is there (restored from a backup): signing nothing until a partner has told this node "
			 "its own feed's head", path);
	return node_listen(n, on_event, n);
}
