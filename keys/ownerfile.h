/* Files that hold secrets (key files, passphrase files) must be regular
 * files that only their owner can access. */
#ifndef PAKT_OWNERFILE_H
#define PAKT_OWNERFILE_H

#include <stddef.h>

/* Check the open descriptor fd of path (the file we check is the one we
 * read). label names it in messages ("passphrase file", "key file").
 * Returns 0, PAKT_EIO (fstat failed), PAKT_EFORMAT (not a regular file) or
 * PAKT_EPERM (group/other bits set; why says "chmod 600 PATH"). */
int ownerfile_check(int fd, const char *label, const char *path, char *why,
		    size_t whylen);

#endif
