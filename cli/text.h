/* Partner text on a terminal: made visible where it could steer the
 * terminal or the reader, measured and cut by display width.
 *
 * Escaping (the README's "Text from partners"): C0 controls, DEL and
 * invalid UTF-8 bytes become "\xNN" (ESC "\e", CR "\r", TAB "\t"); C1
 * controls, bidirectional embeddings, overrides, isolates and marks,
 * zero-width characters, line/paragraph separators and the BOM become
 * "<U+XXXX>"; a newline is "⏎" in a one-line field. The escaped text is
 * plain printable UTF-8: it cannot move the cursor, recolour the screen,
 * reorder what follows it or start a line. */
#ifndef PAKT_CLI_TEXT_H
#define PAKT_CLI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Flags of text_escape and text_put. */
#define TEXT_LINES 1u   /* keep newlines (each followed by the indent of text_put_lines) */

/* LC_CTYPE from the environment, or C.UTF-8 when that is not UTF-8 (so
 * widths are right when LANG is unset). Idempotent; the functions below
 * call it. */
void text_init(void);

/* s[0..len) escaped into a malloc'd NUL-terminated string (*out, freed
 * by the caller); its length in *out_len (may be NULL). Returns 0 or
 * PAKT_ENOMEM. */
int text_escape(const char *s, size_t len, unsigned flags, char **out, size_t *out_len);

/* Display columns of UTF-8 text (wcwidth; an undecodable byte or a
 * character wcwidth does not know counts 1). */
size_t text_width(const char *s, size_t len);

/* The longest prefix of s[0..len) that fits cols columns, in bytes,
 * never inside a multi-byte character; its width in *w (may be NULL). */
size_t text_prefix(const char *s, size_t len, size_t cols, size_t *w);

/* Partner text s (NUL-terminated) escaped as one line. */
void text_put(FILE *f, const char *s);
/* The same for s[0..len). */
void text_put_n(FILE *f, const char *s, size_t len);
/* s escaped with its newlines kept, every line after the first starting
 * with indent (ours), so partner text never starts a line. */
void text_put_lines(FILE *f, const char *s, const char *indent);

/* s escaped as one line and cut to at most cols columns with "…";
 * padded with spaces to exactly cols when pad. Returns the columns
 * written. */
size_t text_fit(FILE *f, const char *s, size_t cols, bool pad);

/* Our own (already safe) text s padded with spaces to cols columns, or
 * right-aligned when right. */
void text_pad(FILE *f, const char *s, size_t cols, bool right);

#endif
