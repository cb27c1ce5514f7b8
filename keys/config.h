/* The node's config file (read by paktd, written by pakt init and by a
 * join): text lines "key = value", '#' comments.
 * Keys: name, log_level (error|warn|info|debug), network (default
 * initiative id), listen (ADDR:PORT for peers), address (HOST:PORT that
 * partners can reach, put in invites; default: the listen address),
 * checkpoint_interval (seconds between checkpoint entries, default 300;
 * 0 = none), control_group (a group whose members may use the control
 * socket besides paktd's own user and root; default none), notify_command
 * (a program and its arguments, split at spaces, no shell: paktd runs it
 * with one JSON event on stdin), notify_types (entry types that notify,
 * comma-separated), notify_due_days (0 = no due reminders), links (live
 * partner links paktd keeps per initiative, default 6), repl_version (1:
 * replicate as pakt did before epidemic trees and the compact wire; 2,
 * the default). */
#ifndef PAKT_CONFIG_H
#define PAKT_CONFIG_H

#include <stddef.h>
#include "proto/id.h"

/* log_level values: syslog priorities, as daemon/log.h's enum log_level. */
enum config_log_level {
	CONFIG_LOG_ERR = 3,
	CONFIG_LOG_WARN = 4,
	CONFIG_LOG_INFO = 6,
	CONFIG_LOG_DEBUG = 7,
};

struct config {
	char name[129];
	int log_level;                 /* enum config_log_level */
	char network[ID_TEXT_MAX];     /* "" = none chosen */
	char listen[256];
	char address[256];             /* advertised in invites; "" = listen */
	unsigned checkpoint_s;         /* seconds between checkpoints; 0 = never */
	char control_group[64];        /* "" = own user and root only */
	char notify_command[1024];     /* "" = no notifications */
	char notify_types[256];        /* comma-separated entry types */
	unsigned notify_due_days;      /* remind this many days ahead; 0 = never */
	unsigned links;                /* live partner links per initiative */
	unsigned repl_version;         /* 1 or 2: WIRE_REPL_VERSION we speak */
};

#define CONFIG_LINKS_DEFAULT 6
#define CONFIG_LINKS_MAX 64

/* Defaults, then the file at path. An absent file leaves the defaults.
 * Returns 0, or PAKT_EFORMAT with "PATH:LINE: reason" in why. */
int config_load(struct config *c, const char *path, char *why, size_t whylen);

/* Write a fresh config file (fails with PAKT_EEXIST if present). */
int config_create(const char *path, const char *name, char *why, size_t whylen);

/* Replace or add one key in the file (rewrites it atomically). */
int config_set(const char *path, const char *key, const char *value,
	       char *why, size_t whylen);

#endif
