/* Where a node keeps its files, and their names inside the data directory. */
#ifndef PAKT_DATADIR_H
#define PAKT_DATADIR_H

#include <stddef.h>

#define DATADIR_PATH_MAX 4096

/* Choose the data directory: explicit (may be NULL), else $PAKT_HOME, else
 * /var/lib/pakt for a system service (root under systemd), else
 * $HOME/.local/share/pakt. 0, or PAKT_EINVAL when no choice is possible
 * or the path is too long. */
int datadir_resolve(const char *explicit_dir, char out[DATADIR_PATH_MAX]);

/* dir + "/" + name into out. PAKT_ETOOBIG if it does not fit. */
int datadir_file(const char *dir, const char *name, char out[DATADIR_PATH_MAX]);

/* File names inside the data directory. */
#define DATADIR_KEY "identity.key"
#define DATADIR_CONFIG "config"
#define DATADIR_DB "pakt.db"
#define DATADIR_SOCKET "paktd.sock"
#define DATADIR_LOCK "paktd.lock"

/* Unix socket paths are limited to about 107 bytes. */
#define DATADIR_SOCKET_MAX 108

#endif
