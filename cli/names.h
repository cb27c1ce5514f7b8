/* Members named by the start of their name: "--party fund" for
 * "Fundacja Dom Nadziei", case- and diacritics-insensitive. */
#ifndef PAKT_CLI_NAMES_H
#define PAKT_CLI_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* s folded for matching into out[cap]: ASCII letters lowercased, Polish
 * letters (ą ć ę ł ń ó ś ź ż and capitals) to their base letter, other
 * bytes kept. Truncated to fit. */
void names_fold(const char *s, char *out, size_t cap);

/* The one current member of the initiative (--network given to the
 * command, else the default) of the data directory (--data-dir, else the
 * default) whose name starts with prefix, folded as names_fold does; a
 * member whose whole name matches wins over longer names. Asks paktd.
 * Prints the error itself ("matches several members: ..." listing them,
 * or none) and returns a CLI exit code; CLI_OK with out set. */
int names_resolve(const char *cmd, const char *what, const char *prefix, uint8_t out[32]);

/* A partner's text (a name) for one line: control characters as '?',
 * into out[cap] (truncated to fit). */
void names_safe(const char *s, char *out, size_t cap);

/* Remember the global options of the command line (argv as the command
 * gets it) for names_resolve: the last --data-dir and --network. */
void names_note_globals(int argc, char **argv);

#endif
