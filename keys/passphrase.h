/* Where a key file's passphrase comes from: a file named by
 * $PAKT_PASSPHRASE_FILE (or an explicit path), $PAKT_PASSPHRASE, or a
 * prompt on the terminal. The result lives in sodium_malloc'd memory. */
#ifndef PAKT_PASSPHRASE_H
#define PAKT_PASSPHRASE_H

#include <stdbool.h>
#include <stddef.h>

#define PASSPHRASE_MAX 1024

/* Get a passphrase into *out (sodium_malloc'd, NUL-terminated; free with
 * passphrase_free). file: explicit passphrase file or NULL. prompt: text for
 * the terminal prompt, or NULL to never prompt; confirm: ask twice.
 * The first line of a file is used (trailing newline dropped).
 * A passphrase file must be a regular file of the running uid that only it
 * can access.
 * An environment variable set to "" counts as unset.
 * Returns 0, PAKT_ENOTFOUND (no source available: no file, no variable,
 * and prompt NULL or no terminal), PAKT_EIO (a named file cannot be read),
 * PAKT_EPERM (another uid's file, or group/other-accessible: why says
 * "chown" or "chmod 600"),
 * PAKT_EINVAL (confirmation differs, empty, or longer than PASSPHRASE_MAX),
 * PAKT_ENOMEM. */
int passphrase_get(char **out, const char *file, const char *prompt,
		   bool confirm, char *why, size_t whylen);
void passphrase_free(char *p);

#endif
