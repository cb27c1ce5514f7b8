/* Backup files (PROTOCOL.md, "Backup files"): one msgpack map with the
 * identity key file as it is, the config and a copy of the store. */
#ifndef PAKT_BACKUP_H
#define PAKT_BACKUP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BACKUP_FORMAT "pakt-backup"
#define BACKUP_VERSION 1

/* Write the backup to f: key and config bytes, created (ms), and the store
 * read from db_fd to its end (streamed, hashed). 0, or PAKT_ETOOBIG (a
 * store over 4 GiB) / PAKT_EIO with why. The caller flushes f. */
int backup_write(FILE *f, const uint8_t *key, size_t key_len, const uint8_t *config,
		 size_t config_len, uint64_t created, int db_fd, char *why, size_t whylen);

/* The parts of a backup, borrowed from the buffer given to backup_parse. */
struct backup_parts {
	const uint8_t *key, *config, *db;
	size_t key_len, config_len, db_len;
	uint64_t created;
};

/* Check and take apart buf[0..len): its format and version, every part
 * there, the store's hash. 0, or PAKT_EFORMAT with a reason for people. */
int backup_parse(const uint8_t *buf, size_t len, struct backup_parts *out, char *why, size_t whylen);

#endif
