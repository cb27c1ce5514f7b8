/* Owner-only file checks shared by key and passphrase files. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "keys/ownerfile.h"
#include "proto/err.h"

int ownerfile_check(int fd, const char *label, const char *path, char *why,
		    size_t whylen)
{
	return ownerfile_check_owner(fd, geteuid(), label, path, why, whylen);
}

int ownerfile_check_owner(int fd, uid_t uid, const char *label,
			  const char *path, char *why, size_t whylen)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		snprintf(why, whylen, "%s %s: %s", label, path, strerror(errno));
		return PAKT_EIO;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "%s %s is not a regular file", label, path);
		return PAKT_EFORMAT;
	}
	/* Another user's file could be swapped or read by that user, whatever
	 * its mode says about group and others. */
	if (st.st_uid != uid) {
		snprintf(why, whylen,
			 "%s %s belongs to uid %u, not to this process's uid %u; fix with: chown %u %s",
			 label, path, (unsigned)st.st_uid, (unsigned)uid,
			 (unsigned)uid, path);
		return PAKT_EPERM;
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(why, whylen,
			 "%s %s is accessible by group or others (mode %04o); fix with: chmod 600 %s",
			 label, path, (unsigned)(st.st_mode & 07777), path);
		return PAKT_EPERM;
	}
	return 0;
}
