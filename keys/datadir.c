/* Data directory resolution. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "keys/datadir.h"
#include "proto/err.h"

static int copy_path(char out[DATADIR_PATH_MAX], const char *a, const char *b)
{
	int n = snprintf(out, DATADIR_PATH_MAX, "%s%s", a, b);

	return n < 0 || n >= DATADIR_PATH_MAX ? PAKT_ETOOBIG : 0;
}

int datadir_resolve(const char *explicit_dir, char out[DATADIR_PATH_MAX])
{
	const char *v;

	if (explicit_dir != NULL && *explicit_dir != '\0')
		return copy_path(out, explicit_dir, "");
	v = getenv("PAKT_HOME");
	if (v != NULL && *v != '\0')
		return copy_path(out, v, "");
	/* systemd sets INVOCATION_ID for every service it starts */
	if (geteuid() == 0 && getenv("INVOCATION_ID") != NULL)
		return copy_path(out, "/var/lib/pakt", "");
	v = getenv("HOME");
	if (v == NULL || *v == '\0')
		return PAKT_EINVAL;
	return copy_path(out, v, "/.local/share/pakt");
}

int datadir_file(const char *dir, const char *name, char out[DATADIR_PATH_MAX])
{
	int n = snprintf(out, DATADIR_PATH_MAX, "%s/%s", dir, name);

	return n < 0 || n >= DATADIR_PATH_MAX ? PAKT_ETOOBIG : 0;
}
