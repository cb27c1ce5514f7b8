/* Backup files: see backup.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <msgpack.h>
#include <msgpack/fbuffer.h>
#include <sodium.h>
#include "proto/backup.h"
#include "proto/err.h"

static void pack_bin(msgpack_packer *pk, const char *key, const void *p, size_t n)
{
	msgpack_pack_str_with_body(pk, key, strlen(key));
	msgpack_pack_bin_with_body(pk, p, n);
}

/* "db" streamed from fd, then "db_hash". */
static int pack_db(msgpack_packer *pk, int fd, char *why, size_t whylen)
{
	crypto_generichash_state h;
	uint8_t chunk[1 << 16], hash[32];
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) != 0) {
		snprintf(why, whylen, "reading the store copy: %s", strerror(errno));
		return PAKT_EIO;
	}
	if ((uint64_t)st.st_size > UINT32_MAX) {
		snprintf(why, whylen, "the store is over 4 GiB: a backup file cannot hold it");
		return PAKT_ETOOBIG;
	}
	crypto_generichash_init(&h, NULL, 0, sizeof hash);
	msgpack_pack_str_with_body(pk, "db", 2);
	msgpack_pack_bin(pk, (uint32_t)st.st_size);
	for (off_t left = st.st_size; left > 0; left -= n) {
		n = read(fd, chunk, sizeof chunk < (size_t)left ? sizeof chunk : (size_t)left);
		if (n <= 0) {
			snprintf(why, whylen, "reading the store copy: %s", n < 0 ? strerror(errno) : "cut short");
			return PAKT_EIO;
		}
		crypto_generichash_update(&h, chunk, (size_t)n);
		msgpack_pack_bin_body(pk, chunk, (size_t)n);
	}
	crypto_generichash_final(&h, hash, sizeof hash);
	pack_bin(pk, "db_hash", hash, sizeof hash);
	return 0;
}

int backup_write(FILE *f, const uint8_t *key, size_t key_len, const uint8_t *config,
		 size_t config_len, uint64_t created, int db_fd, char *why, size_t whylen)
{
	msgpack_packer pk;
	int rc;

	msgpack_packer_init(&pk, f, msgpack_fbuffer_write);
	msgpack_pack_map(&pk, 7);       /* keys in bytewise order */
	pack_bin(&pk, "config", config ? config : (const uint8_t *)"", config_len);
	msgpack_pack_str_with_body(&pk, "created", 7);
	msgpack_pack_uint64(&pk, created);
	if ((rc = pack_db(&pk, db_fd, why, whylen)) != 0)
		return rc;
	msgpack_pack_str_with_body(&pk, "format", 6);
	msgpack_pack_str_with_body(&pk, BACKUP_FORMAT, strlen(BACKUP_FORMAT));
	pack_bin(&pk, "key", key, key_len);
	msgpack_pack_str_with_body(&pk, "version", 7);
	msgpack_pack_uint8(&pk, BACKUP_VERSION);
	return 0;
}

static bool key_is(const msgpack_object_kv *kv, const char *name)
{
	return kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == strlen(name) &&
	       memcmp(kv->key.via.str.ptr, name, kv->key.via.str.size) == 0;
}

static const char *take(const msgpack_object *root, struct backup_parts *b)
{
	const msgpack_object *fmt = NULL, *ver = NULL, *created = NULL, *key = NULL, *cfg = NULL, *db = NULL,
			     *hash = NULL;
	uint8_t h[32];

	if (root->type != MSGPACK_OBJECT_MAP)
		return "not a pakt backup (expected a msgpack map)";
	for (uint32_t i = 0; i < root->via.map.size; i++) {
		const msgpack_object_kv *kv = &root->via.map.ptr[i];

		if (key_is(kv, "format")) fmt = &kv->val;
		else if (key_is(kv, "version")) ver = &kv->val;
		else if (key_is(kv, "created")) created = &kv->val;
		else if (key_is(kv, "key")) key = &kv->val;
		else if (key_is(kv, "config")) cfg = &kv->val;
		else if (key_is(kv, "db")) db = &kv->val;
		else if (key_is(kv, "db_hash")) hash = &kv->val;
	}
	if (fmt == NULL || fmt->type != MSGPACK_OBJECT_STR || fmt->via.str.size != strlen(BACKUP_FORMAT) ||
	    memcmp(fmt->via.str.ptr, BACKUP_FORMAT, fmt->via.str.size) != 0)
		return "not a pakt backup (no \"format\": \"pakt-backup\")";
	if (ver == NULL || ver->type != MSGPACK_OBJECT_POSITIVE_INTEGER || ver->via.u64 != BACKUP_VERSION)
		return "a backup of a format version this pakt does not know: use the pakt that wrote it";
	if (key == NULL || key->type != MSGPACK_OBJECT_BIN || key->via.bin.size == 0 ||
	    cfg == NULL || cfg->type != MSGPACK_OBJECT_BIN || db == NULL || db->type != MSGPACK_OBJECT_BIN ||
	    hash == NULL || hash->type != MSGPACK_OBJECT_BIN || hash->via.bin.size != 32)
		return "a damaged backup: key, config, db or db_hash missing";
	crypto_generichash(h, sizeof h, (const uint8_t *)db->via.bin.ptr, db->via.bin.size, NULL, 0);
	if (memcmp(h, hash->via.bin.ptr, 32) != 0)
		return "the store in the backup is damaged (its hash does not match)";
	b->key = (const uint8_t *)key->via.bin.ptr;
	b->key_len = key->via.bin.size;
	b->config = (const uint8_t *)cfg->via.bin.ptr;
	b->config_len = cfg->via.bin.size;
	b->db = (const uint8_t *)db->via.bin.ptr;
	b->db_len = db->via.bin.size;
	b->created = created && created->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? created->via.u64 : 0;
	return NULL;
}

int backup_parse(const uint8_t *buf, size_t len, struct backup_parts *out, char *why, size_t whylen)
{
	msgpack_unpacked u;
	const char *bad;
	size_t off = 0;

	memset(out, 0, sizeof *out);
	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, (const char *)buf, len, &off) != MSGPACK_UNPACK_SUCCESS || off != len)
		bad = "not a pakt backup, or cut short";
	else
		bad = take(&u.data, out);
	msgpack_unpacked_destroy(&u);
	if (bad != NULL) {
		snprintf(why, whylen, "%s", bad);
		return PAKT_EFORMAT;
	}
	return 0;
}
