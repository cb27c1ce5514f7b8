/* Where a node keeps its files, and their names inside the data directory. */
#ifndef PAKT_DATADIR_H
#define PAKT_DATADIR_H

#include <stddef.h>

#define DATADIR_PATH_MAX 4096

/* The node of the system service (the Debian package's). */
#define DATADIR_SYSTEM "/var/lib/pakt"

/* DATADIR_OWN: a node of one's own (pakt init): never the system's. */
enum datadir_who { DATADIR_DAEMON, DATADIR_CLIENT, DATADIR_OWN };
enum datadir_source { DATADIR_FROM_ARG, DATADIR_FROM_ENV, DATADIR_FROM_SYSTEM, DATADIR_FROM_HOME };

/* Choose the data directory: explicit (may be NULL), else $PAKT_HOME.
 * paktd then takes systemd's $STATE_DIRECTORY, else /var/lib/pakt when
 * root under systemd, else $HOME/.local/share/pakt. pakt takes
 * $HOME/.local/share/pakt when it exists, else /var/lib/pakt when that
 * exists (staff using the organisation's node), else the former. *src
 * (may be NULL) says which rule chose. 0, or PAKT_EINVAL when no choice
 * is possible or the path is too long. */
int datadir_resolve(const char *explicit_dir, enum datadir_who who, char out[DATADIR_PATH_MAX],
		    enum datadir_source *src);
/* How a choice reads for people: "--data-dir", "$PAKT_HOME", ... */
const char *datadir_source_name(enum datadir_source s);

/* dir + "/" + name into out. PAKT_ETOOBIG if it does not fit. */
int datadir_file(const char *dir, const char *name, char out[DATADIR_PATH_MAX]);

/* File names inside the data directory. */
#define DATADIR_KEY "identity.key"
#define DATADIR_CONFIG "config"
#define DATADIR_DB "pakt.db"
#define DATADIR_SOCKET "paktd.sock"
#define DATADIR_LOCK "paktd.lock"
/* Present after pakt restore: the node must learn its own feed's head from
 * a partner before it signs anything (PROTOCOL.md, "Backup files"). */
#define DATADIR_UNSYNCED "unsynced"

/* Unix socket paths are limited to about 107 bytes. */
#define DATADIR_SOCKET_MAX 108

#endif
