/* Data directory resolution. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "keys/datadir.h"
#include "proto/err.h"

static int copy_path(char out[DATADIR_PATH_MAX], const char *a, const char *b)
{
	int n = snprintf(out, DATADIR_PATH_MAX, "%s%s", a, b);

	return n < 0 || n >= DATADIR_PATH_MAX ? PAKT_ETOOBIG : 0;
}

/* systemd's StateDirectory= sets STATE_DIRECTORY (several paths are
 * separated by ':'; the first is ours). */
static bool state_directory(char out[DATADIR_PATH_MAX])
{
	const char *v = getenv("STATE_DIRECTORY");
	size_t n;

	if (v == NULL || v[0] != '/')
		return false;
	n = strcspn(v, ":");
	if (n >= DATADIR_PATH_MAX)
		return false;
	memcpy(out, v, n);
	out[n] = '\0';
	return true;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int datadir_resolve(const char *explicit_dir, enum datadir_who who, char out[DATADIR_PATH_MAX],
		    enum datadir_source *src)
{
	enum datadir_source dummy;
	const char *v;

	if (src == NULL)
		src = &dummy;
	*src = DATADIR_FROM_ARG;
	if (explicit_dir != NULL && *explicit_dir != '\0')
		return copy_path(out, explicit_dir, "");
	*src = DATADIR_FROM_ENV;
	v = getenv("PAKT_HOME");
	if (v != NULL && *v != '\0')
		return copy_path(out, v, "");
	*src = DATADIR_FROM_SYSTEM;
	if (who == DATADIR_DAEMON && state_directory(out))
		return 0;
	/* systemd sets INVOCATION_ID for every service it starts */
	if (who == DATADIR_DAEMON && geteuid() == 0 && getenv("INVOCATION_ID") != NULL)
		return copy_path(out, DATADIR_SYSTEM, "");
	*src = DATADIR_FROM_HOME;
	v = getenv("HOME");
	if (v != NULL && *v != '\0') {
		int rc = copy_path(out, v, "/.local/share/pakt");

		/* A client without a node of its own talks to the system's
		 * node: staff of the organisation in the group 'pakt'. */
		if (rc != 0 || who != DATADIR_CLIENT || is_dir(out) || !is_dir(DATADIR_SYSTEM))
			return rc;
	} else if (who != DATADIR_CLIENT || !is_dir(DATADIR_SYSTEM)) {
		return PAKT_EINVAL;
	}
	*src = DATADIR_FROM_SYSTEM;
	return copy_path(out, DATADIR_SYSTEM, "");
}

const char *datadir_source_name(enum datadir_source s)
{
	switch (s) {
	case DATADIR_FROM_ARG: return "--data-dir";
	case DATADIR_FROM_ENV: return "$PAKT_HOME";
	case DATADIR_FROM_SYSTEM: return "the system node";
	case DATADIR_FROM_HOME: return "your own node";
	}
	return "?";
}

int datadir_file(const char *dir, const char *name, char out[DATADIR_PATH_MAX])
{
	int n = snprintf(out, DATADIR_PATH_MAX, "%s/%s", dir, name);

	return n < 0 || n >= DATADIR_PATH_MAX ? PAKT_ETOOBIG : 0;
}
