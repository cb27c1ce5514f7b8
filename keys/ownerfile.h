/* Files that hold secrets (key files, passphrase files) must be regular
 * files that belong to the running (effective) uid and that only it can
 * access. */
#ifndef PAKT_OWNERFILE_H
#define PAKT_OWNERFILE_H

#include <stddef.h>
#include <sys/types.h>

/* Check the open descriptor fd of path (the file we check is the one we
 * read). label names it in messages ("passphrase file", "key file").
 * Returns 0, PAKT_EIO (fstat failed), PAKT_EFORMAT (not a regular file) or
 * PAKT_EPERM (owned by another uid: why says "chown"; group/other bits
 * set: why says "chmod 600 PATH"). */
int ownerfile_check(int fd, const char *label, const char *path, char *why,
		    size_t whylen);
/* The same checks against owner uid instead of geteuid() (for tests). */
int ownerfile_check_owner(int fd, uid_t uid, const char *label,
			  const char *path, char *why, size_t whylen);

#endif
