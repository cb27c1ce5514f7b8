/* Rendering entries for people (text) and programs (JSON; the JSON of
 * msgpack values is proto/ctlop_reply.h's). */
#ifndef PAKT_OUTPUT_H
#define PAKT_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "proto/entry.h"

/* A JSON string literal of s[0..len) (see ctlop_json_str). */
void output_json_str(FILE *f, const char *s, size_t len);
/* ms since the epoch as "YYYY-MM-DD HH:MM:SS" in local time. */
void output_time(uint64_t ms, char buf[32]);

/* One entry: the wire bytes from the daemon, decoded here. json: one
 * object; else one or more lines for people. Damaged entries are shown as
 * such, not skipped. author_name: the member's name, or "" if unknown;
 * plain: the decrypted text of a sealed entry addressed to us, or NULL. */
void output_entry(FILE *f, const uint8_t *wire, size_t len, int64_t received,
	       const char *author_name, const char *plain, bool json);

#endif
