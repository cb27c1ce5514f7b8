/* Control socket server: a Unix socket (mode 0600) in the data directory
 * that serves the pakt CLI with framed msgpack requests and streams. */
#ifndef PAKT_CTL_H
#define PAKT_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <uv.h>

struct node;
struct ctl_client;

struct ctl {
	uv_pipe_t server;
	struct node *node;
	struct ctl_client *clients;   /* doubly linked */
	char path[108];
	bool has_group;               /* members of group may connect too */
	gid_t group;
	bool listening;
	bool closing;
	unsigned open_handles;        /* server + clients still to be closed */
	struct ledger_keep *keep;     /* ledgers kept for ctl_work (made on first use) */
	void (*on_closed)(struct ctl *c);
};

/* Bind and listen at path (an old socket file left by a crash is
 * replaced; the caller holds the data directory lock). group: NULL or ""
 * for a socket of mode 0600 that only our user and root may use, else a
 * group name: mode 0660, that group, and its members admitted too
 * (staff of the organisation, without sudo). */
int ctl_start(struct ctl *c, struct node *n, const char *path, const char *group,
	      char *why, size_t whylen);

/* New entries were stored: push them to streaming clients. */
void ctl_notify(struct ctl *c);

struct repl_net;
struct entry;
/* Publish a checkpoint of rn now (the heads of the feeds we hold), into
 * *out; PAKT_ENOTFOUND if nothing changed since the last one. */
int ctl_publish_checkpoint(struct node *n, struct repl_net *rn, struct entry *out, char *why,
			   size_t whylen);

/* Stop listening, close every client, remove the socket file; on_closed
 * runs once every handle is closed. */
void ctl_stop(struct ctl *c, void (*on_closed)(struct ctl *c));

#endif
