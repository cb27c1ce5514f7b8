/* Passphrases: from a file, the environment or the terminal, into guarded
 * memory. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "keys/passphrase.h"
#include "keys/ownerfile.h"
#include "proto/err.h"

__attribute__((format(printf, 3, 4)))
static void set_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* A zeroed guarded buffer for PASSPHRASE_MAX chars and the NUL. */
static char *buf_new(void)
{
	char *p = sodium_malloc(PASSPHRASE_MAX + 1);

	if (p != NULL)
		memset(p, 0, PASSPHRASE_MAX + 1);
	return p;
}

void passphrase_free(char *p)
{
	/* sodium_free wipes the region; NULL is fine. */
	sodium_free(p);
}

/* Read one line from fd into out[PASSPHRASE_MAX + 1], dropping the newline
 * (and a '\r' before it). One byte at a time: a terminal or a file, we
 * must not consume past the line nor buffer secret bytes elsewhere.
 * Returns 0, PAKT_EIO, PAKT_EINVAL (too long or empty). */
static int read_line(int fd, char *out, const char *what, char *why,
		     size_t whylen)
{
	size_t len = 0;
	bool too_long = false;
	ssize_t n;
	char c;

	for (;;) {
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			set_why(why, whylen, "%s: %s", what, strerror(errno));
			sodium_memzero(out, PASSPHRASE_MAX + 1);
			return PAKT_EIO;
		}
		if (n == 0 || c == '\n')
			break;
		if (len < PASSPHRASE_MAX)
			out[len++] = c;
		else
			too_long = true;  /* keep reading to the end of the line */
	}
	sodium_memzero(&c, sizeof c);
	if (len > 0 && out[len - 1] == '\r')
		len--;
	out[len] = '\0';
	if (too_long) {
		set_why(why, whylen, "%s: passphrase longer than %d bytes", what,
			PASSPHRASE_MAX);
		sodium_memzero(out, PASSPHRASE_MAX + 1);
		return PAKT_EINVAL;
	}
	if (len == 0) {
		set_why(why, whylen, "%s: empty passphrase", what);
		return PAKT_EINVAL;
	}
	return 0;
}

/* First line of a passphrase file that only its owner can read. A file
 * that was named but cannot be read is an error (PAKT_EIO), never "no
 * passphrase": a typo must not silently produce an unencrypted key. */
static int from_file(const char *path, char *out, char *why, size_t whylen)
{
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		set_why(why, whylen, "passphrase file %s: %s", path, strerror(errno));
		return PAKT_EIO;
	}
	rc = ownerfile_check(fd, "passphrase file", path, why, whylen);
	if (rc != 0)
		goto close_file;
	rc = read_line(fd, out, path, why, whylen);

close_file:
	close(fd);
	return rc;
}

static int from_env(const char *value, char *out, char *why, size_t whylen)
{
	size_t n = strlen(value);

	if (n > PASSPHRASE_MAX) {
		set_why(why, whylen, "$PAKT_PASSPHRASE longer than %d bytes",
			PASSPHRASE_MAX);
		return PAKT_EINVAL;
	}
	memcpy(out, value, n + 1);
	return 0;
}

/* Prompt on the controlling terminal with echo off; the terminal's
 * settings are restored whatever happens (except a fatal signal). */
static int from_tty(int fd, const char *prompt, char *out, char *why,
		    size_t whylen)
{
	struct termios old, quiet;
	bool restore = false;
	int rc;

	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
		if (tcsetattr(fd, TCSAFLUSH, &quiet) == 0)
			restore = true;
	}
	if (write(fd, prompt, strlen(prompt)) < 0) {
		set_why(why, whylen, "/dev/tty: %s", strerror(errno));
		rc = PAKT_EIO;
		goto restore_tty;
	}
	rc = read_line(fd, out, "terminal", why, whylen);

restore_tty:
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	/* The user's Enter was not echoed: end the prompt's line. */
	(void)!write(fd, "\n", 1);
	return rc;
}

static int prompt_tty(const char *prompt, bool confirm, char *out, char *why,
		      size_t whylen)
{
	char *again = NULL;
	int fd, rc;

	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		set_why(why, whylen,
			"no passphrase: no terminal to prompt on; set $PAKT_PASSPHRASE_FILE or $PAKT_PASSPHRASE");
		return PAKT_ENOTFOUND;
	}
	rc = from_tty(fd, prompt, out, why, whylen);
	if (rc != 0 || !confirm)
		goto close_tty;
	again = buf_new();
	if (again == NULL) {
		set_why(why, whylen, "cannot allocate secure memory");
		rc = PAKT_ENOMEM;
		goto close_tty;
	}
	rc = from_tty(fd, "Repeat passphrase: ", again, why, whylen);
	if (rc != 0)
		goto free_again;
	if (strlen(out) != strlen(again) ||
	    sodium_memcmp(out, again, strlen(out)) != 0) {
		set_why(why, whylen, "the two passphrases differ");
		rc = PAKT_EINVAL;
	}

free_again:
	passphrase_free(again);
close_tty:
	close(fd);
	return rc;
}

int passphrase_get(char **out, const char *file, const char *prompt,
		   bool confirm, char *why, size_t whylen)
{
	const char *env;
	char *p;
	int rc;

	if (out == NULL)
		return PAKT_EINVAL;
	*out = NULL;
	p = buf_new();
	if (p == NULL) {
		set_why(why, whylen, "cannot allocate secure memory");
		return PAKT_ENOMEM;
	}
	/* An environment variable set to "" counts as unset. */
	if (file != NULL && file[0] != '\0') {
		rc = from_file(file, p, why, whylen);
	} else if ((env = getenv("PAKT_PASSPHRASE_FILE")) != NULL && env[0] != '\0') {
		rc = from_file(env, p, why, whylen);
	} else if ((env = getenv("PAKT_PASSPHRASE")) != NULL && env[0] != '\0') {
		rc = from_env(env, p, why, whylen);
	} else if (prompt != NULL) {
		rc = prompt_tty(prompt, confirm, p, why, whylen);
	} else {
		set_why(why, whylen,
			"no passphrase given: set $PAKT_PASSPHRASE_FILE or $PAKT_PASSPHRASE");
		rc = PAKT_ENOTFOUND;
	}
	if (rc != 0) {
		passphrase_free(p);
		return rc;
	}
	*out = p;
	return 0;
}
