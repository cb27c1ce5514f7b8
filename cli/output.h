/* Rendering entries and msgpack values for people (text) and programs
 * (JSON, written by hand: pakt carries no JSON library). */
#ifndef PAKT_OUTPUT_H
#define PAKT_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <msgpack.h>
#include "proto/entry.h"

/* A JSON string literal of s[0..len) (invalid UTF-8 bytes become U+FFFD). */
void out_json_str(FILE *f, const char *s, size_t len);
/* Any msgpack value as JSON; bin as a hex string. */
void out_json_value(FILE *f, const msgpack_object *o);
/* ms since the epoch as "YYYY-MM-DD HH:MM:SS" in local time. */
void out_time(uint64_t ms, char buf[32]);

/* One entry: the wire bytes from the daemon, decoded here. json: one
 * object; else one or more lines for people. Damaged entries are shown as
 * such, not skipped. author_name: the member's name, or "" if unknown;
 * plain: the decrypted text of a sealed entry addressed to us, or NULL. */
void out_entry(FILE *f, const uint8_t *wire, size_t len, int64_t received,
	       const char *author_name, const char *plain, bool json);

#endif
