/* Owner-only file checks shared by key and passphrase files. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "keys/ownerfile.h"
#include "proto/err.h"

int ownerfile_check(int fd, const char *label, const char *path, char *why,
		    size_t whylen)
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
	if ((st.st_mode & 077) != 0) {
		snprintf(why, whylen,
			 "%s %s is accessible by group or others (mode %04o); fix with: chmod 600 %s",
			 label, path, (unsigned)(st.st_mode & 07777), path);
		return PAKT_EPERM;
	}
	return 0;
}
