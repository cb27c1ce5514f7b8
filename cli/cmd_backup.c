/* pakt backup FILE / pakt restore FILE: one file with the identity key (as
 * it is: an encrypted key stays encrypted), the config and a consistent
 * copy of the store (PROTOCOL.md, "Backup files"). A restored node waits
 * to learn its own feed's head from a partner before it signs anything,
 * so that an old copy cannot fork its feed. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include "cli/cli.h"
#include "cli/cmds.h"
#include "cli/i18n.h"
#include "keys/keyfile.h"
#include "proto/backup.h"
#include "proto/err.h"

#define BACKUP_SMALL_MAX (1u << 20)     /* key and config: a few hundred bytes */

/* The whole of a small file (key, config); NULL with errno set. */
static uint8_t *read_small(const char *path, size_t *len)
{
	uint8_t *buf = malloc(BACKUP_SMALL_MAX);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = -1;

	if (buf != NULL && fd >= 0)
		n = read(fd, buf, BACKUP_SMALL_MAX);
	if (fd >= 0)
		close(fd);
	if (n < 0 || (size_t)n == BACKUP_SMALL_MAX) {
		if (n >= 0)
			errno = EFBIG;
		sodium_memzero(buf, buf ? BACKUP_SMALL_MAX : 0);
		free(buf);
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

int cmd_backup(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data-dir", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const struct ctlop_req req = {.op = CTLOP_BACKUP};
	struct ctlop_r_backup r = {0};
	char dir[DATADIR_PATH_MAX], path[DATADIR_PATH_MAX];
	const char *dir_arg = NULL, *file;
	uint8_t *key = NULL, *cfg = NULL;
	size_t key_len = 0, cfg_len = 0;
	struct client c;
	FILE *f = NULL;
	char why[256];
	int opt, ret, fd, db_fd, rc;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': dir_arg = optarg; break;
		case 'h': return cli_help("backup");
		default: return cli_usage("backup", _("unknown or incomplete option '%s'"), argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage("backup", optind == argc ? _("which FILE?") : _("unexpected argument '%s'"), argv[optind + 1]);
	file = argv[optind];
	if (cli_datadir(dir_arg, dir) != 0)
		return cli_fail("backup", PAKT_EINVAL, _("no data directory: pass --data-dir DIR or set PAKT_HOME"));
	/* created first, 0600, never over another file: it will hold the key */
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return cli_fail("backup", errno == EEXIST ? PAKT_EEXIST : PAKT_EIO, errno == EEXIST ?
				_("%s: %s (choose a new file name; a backup never overwrites one)") : "%s: %s",
				file, strerror(errno));
	ret = cli_request(&c, dir_arg, "backup", &req, -1);
	if (ret == CLI_OK)
		ret = cli_reply(&c, "backup", CTLOP_R_BACKUP, &r);
	client_close(&c);
	if (ret != CLI_OK)
		goto remove_file;
	datadir_file(dir, DATADIR_KEY, path);
	if ((key = read_small(path, &key_len)) == NULL) {
		ret = cli_fail("backup", PAKT_EIO, "%s: %s", path, strerror(errno));
		goto remove_copy;
	}
	datadir_file(dir, DATADIR_CONFIG, path);
	if ((cfg = read_small(path, &cfg_len)) == NULL && errno != ENOENT) {
		ret = cli_fail("backup", PAKT_EIO, "%s: %s", path, strerror(errno));
		goto remove_copy;
	}
	f = fdopen(fd, "w");
	fd = -1;
	if ((db_fd = open(r.path, O_RDONLY | O_CLOEXEC)) < 0) {
		ret = cli_fail("backup", PAKT_EIO, _("reading the store copy %s: %s"), r.path, strerror(errno));
		goto remove_copy;
	}
	rc = backup_write(f, key, key_len, cfg, cfg_len,
			  cli_now_ms(), db_fd, why, sizeof why);
	close(db_fd);
	if (rc != 0) {
		ret = cli_fail("backup", rc, "%s", why);
		goto remove_copy;
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || ferror(f)) {
		ret = cli_fail("backup", errno == ENOSPC ? PAKT_ENOSPC : PAKT_EIO, _("writing %s: %s"), file, strerror(errno));
		goto remove_copy;
	}
	printf(_("backup written to %s: the identity key, config and store (keep it as safe as the key)\n"), file);
remove_copy:
	unlink(r.path);
remove_file:
	if (ret != CLI_OK)
		unlink(file);
	if (f != NULL)
		fclose(f);
	else if (fd >= 0)
		close(fd);
	if (key)
		sodium_memzero(key, key_len);
	free(key);
	free(cfg);
	return ret;
}

/* ---- restore ---- */

/* Write a new file (0600, never over another) durably. */
static int write_new(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	const char *c = p;

	if (fd < 0)
		return errno;
	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno ? errno : EIO;

			close(fd);
			unlink(path);
			return e;
		}
		c += w;
		n -= (size_t)w;
	}
	if (fsync(fd) != 0) {
		int e = errno;

		close(fd);
		unlink(path);
		return e;
	}
	return close(fd) == 0 ? 0 : errno;
}

/* Unpack FILE (mapped) and put its parts into dir; 0 or a CLI exit code. */
static int restore_into(const char *file, const uint8_t *map, size_t len, const char *dir, bool force)
{
	char key[DATADIR_PATH_MAX], db[DATADIR_PATH_MAX], cfg[DATADIR_PATH_MAX], mark[DATADIR_PATH_MAX];
	struct backup_parts b;
	uint8_t pk[32];
	char why[256];
	int ret = CLI_OK, err = 0;

	if (backup_parse(map, len, &b, why, sizeof why) != 0)
		return cli_fail("restore", PAKT_EFORMAT, "%s: %s", file, why);
	datadir_file(dir, DATADIR_KEY, key);
	datadir_file(dir, DATADIR_DB, db);
	datadir_file(dir, DATADIR_CONFIG, cfg);
	datadir_file(dir, DATADIR_UNSYNCED, mark);
	if (access(key, F_OK) == 0 || access(db, F_OK) == 0)
		return cli_fail("restore", PAKT_EEXIST, _("%s already holds a node (%s); refusing to overwrite it: "
				  "restore into an empty --data-dir, or move it away first"), dir,
				access(key, F_OK) == 0 ? DATADIR_KEY : DATADIR_DB);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return cli_fail("restore", PAKT_EIO, _("cannot create %s: %s"), dir, strerror(errno));
	/* the key last: until it is there, a half-restored directory is no node */
	if ((err = write_new(db, b.db, b.db_len)) != 0 ||
	    (b.config_len > 0 && (err = write_new(cfg, b.config, b.config_len)) != 0) ||
	    (!force && (err = write_new(mark, "restored\n", 9)) != 0) ||
	    (err = write_new(key, b.key, b.key_len)) != 0) {
		ret = cli_fail("restore", err == ENOSPC ? PAKT_ENOSPC : PAKT_EIO, _("writing into %s: %s"), dir, strerror(err));
		unlink(db);
		unlink(cfg);
		unlink(mark);
		return ret;
	}
	if (keyfile_read_public(key, pk, NULL, NULL, 0) == 0) {
		char id[ID_TEXT_MAX];

		id_encode(ID_KEY, pk, id);
		printf(_("restored %s into %s\n"), id, dir);
	}
	if (force)
		fputs(_("warning: --force-unsynced: this node signs at once. If partners hold newer entries of its feed\n"
			"than the backup, its next entry forks the feed and partners stop accepting it.\n"), stdout);
	else
		fputs(_("start paktd: it signs nothing until a partner has told it this feed's head and it has\n"
			"fetched what it missed ('pakt status' shows when)\n"), stdout);
	return ret;
}

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data-dir", required_argument, NULL, 'd'},
		{"force-unsynced", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char dir[DATADIR_PATH_MAX];
	const char *dir_arg = NULL, *file;
	bool force = false;
	struct stat st;
	uint8_t *map;
	int opt, fd, ret;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': dir_arg = optarg; break;
		case 'f': force = true; break;
		case 'h': return cli_help("restore");
		default: return cli_usage("restore", _("unknown or incomplete option '%s'"), argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage("restore", optind == argc ? _("which FILE?") : _("unexpected argument '%s'"), argv[optind + 1]);
	file = argv[optind];
	if (datadir_resolve(dir_arg, DATADIR_OWN, dir, NULL) != 0)
		return cli_fail("restore", PAKT_EINVAL, _("no data directory: pass --data-dir DIR or set PAKT_HOME"));
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) {
		ret = cli_fail("restore", PAKT_EIO, "%s: %s", file, fd < 0 ? strerror(errno) : _("empty file"));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return cli_fail("restore", PAKT_EIO, "%s: %s", file, strerror(errno));
	ret = restore_into(file, map, (size_t)st.st_size, dir, force);
	munmap(map, (size_t)st.st_size);
	return ret;
}
