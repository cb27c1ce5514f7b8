/* Config file parsing and writing: no logging and no daemon code, so that
 * pakt (init) and paktd share it. */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "keys/config.h"
#include "proto/err.h"

#define CONFIG_LINE_MAX 1024

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int copy_value(char *dst, size_t cap, const char *v)
{
	size_t n = strlen(v);

	if (n >= cap)
		return PAKT_ETOOBIG;
	memcpy(dst, v, n + 1);
	return 0;
}

/* Apply one key; returns a reason string on error, NULL when fine. */
static const char *config_apply(struct config *c, const char *key, const char *val)
{
	if (strcmp(key, "name") == 0)
		return copy_value(c->name, sizeof c->name, val) ? "name too long (max 128 bytes)" : NULL;
	if (strcmp(key, "network") == 0) {
		uint8_t raw[32];

		if (*val != '\0' && id_decode(ID_NETWORK, val, raw) != 0)
			return "network is not a valid initiative id (nw_...)";
		return copy_value(c->network, sizeof c->network, val) ? "network too long" : NULL;
	}
	if (strcmp(key, "checkpoint_interval") == 0) {
		char *end;
		unsigned long v = strtoul(val, &end, 10);

		if (*val == '\0' || *end != '\0' || v > 86400)
			return "checkpoint_interval must be seconds from 0 (never) to 86400";
		c->checkpoint_s = (unsigned)v;
		return NULL;
	}
	if (strcmp(key, "notify_command") == 0) {
		if (*val != '\0' && *val != '/')
			return "notify_command must start with an absolute path (no shell runs it)";
		return copy_value(c->notify_command, sizeof c->notify_command, val) ?
			"notify_command too long (max 1023 bytes)" : NULL;
	}
	if (strcmp(key, "notify_types") == 0) {
		if (strspn(val, "abcdefghijklmnopqrstuvwxyz-,") != strlen(val))
			return "notify_types is a comma-separated list of entry types (message,commitment,...)";
		return copy_value(c->notify_types, sizeof c->notify_types, val) ? "notify_types too long" : NULL;
	}
	if (strcmp(key, "notify_due_days") == 0) {
		char *end;
		unsigned long v = strtoul(val, &end, 10);

		if (*val == '\0' || *end != '\0' || v > 365)
			return "notify_due_days must be days from 0 (no reminders) to 365";
		c->notify_due_days = (unsigned)v;
		return NULL;
	}
	if (strcmp(key, "links") == 0) {
		char *end;
		unsigned long v = strtoul(val, &end, 10);

		if (*val == '\0' || *end != '\0' || v < 1 || v > CONFIG_LINKS_MAX)
			return "links must be a number of live partner links from 1 to 64";
		c->links = (unsigned)v;
		return NULL;
	}
	if (strcmp(key, "repl_version") == 0) {
		if (strcmp(val, "1") != 0 && strcmp(val, "2") != 0)
			return "repl_version must be 1 (the replication of pakt before 2027) or 2";
		c->repl_version = (unsigned)(*val - '0');
		return NULL;
	}
	if (strcmp(key, "control_group") == 0)
		return copy_value(c->control_group, sizeof c->control_group, val) ?
			"control_group too long (max 63 bytes)" : NULL;
	if (strcmp(key, "address") == 0)
		return copy_value(c->address, sizeof c->address, val) ? "address too long" : NULL;
	if (strcmp(key, "listen") == 0)
		return copy_value(c->listen, sizeof c->listen, val) ? "listen too long" : NULL;
	if (strcmp(key, "log_level") == 0) {
		static const struct { const char *name; int lvl; } levels[] = {
			{"error", CONFIG_LOG_ERR}, {"warn", CONFIG_LOG_WARN},
			{"info", CONFIG_LOG_INFO}, {"debug", CONFIG_LOG_DEBUG},
		};

		for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
			if (strcmp(val, levels[i].name) == 0) {
				c->log_level = levels[i].lvl;
				return NULL;
			}
		}
		return "log_level must be error, warn, info or debug";
	}
	return "unknown key (known: name, log_level, network, listen, address, checkpoint_interval, control_group, notify_command, notify_types, notify_due_days, links, repl_version)";
}

int config_load(struct config *c, const char *path, char *why, size_t whylen)
{
	char line[CONFIG_LINE_MAX + 2];
	unsigned lineno = 0;
	FILE *f;
	int rc = 0;

	memset(c, 0, sizeof *c);
	c->log_level = CONFIG_LOG_INFO;
	snprintf(c->listen, sizeof c->listen, "127.0.0.1:7420");
	c->checkpoint_s = 300;
	snprintf(c->notify_types, sizeof c->notify_types, "message,commitment,accept,decline,status");
	c->notify_due_days = 3;
	c->links = CONFIG_LINKS_DEFAULT;
	c->repl_version = 2;
	f = fopen(path, "r");
	if (f == NULL)
		return errno == ENOENT ? 0 : (snprintf(why, whylen, "%s: %s", path, strerror(errno)), PAKT_EIO);
	while (fgets(line, sizeof line, f) != NULL) {
		char *s, *eq;
		const char *bad;

		lineno++;
		if (strlen(line) > CONFIG_LINE_MAX) {
			snprintf(why, whylen, "%s:%u: line too long", path, lineno);
			rc = PAKT_EFORMAT;
			break;
		}
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (eq == NULL) {
			snprintf(why, whylen, "%s:%u: expected 'key = value'", path, lineno);
			rc = PAKT_EFORMAT;
			break;
		}
		*eq = '\0';
		bad = config_apply(c, trim(s), trim(eq + 1));
		if (bad != NULL) {
			snprintf(why, whylen, "%s:%u: %s", path, lineno, bad);
			rc = PAKT_EFORMAT;
			break;
		}
	}
	fclose(f);
	return rc;
}

/* Write text to path via a temporary file and rename, so that a crash
 * leaves either the old or the new file. */
static int write_atomic(const char *path, const char *text, bool exclusive,
			char *why, size_t whylen)
{
	char tmp[4200];
	size_t n = strlen(text);
	int fd;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		goto report_errno;
	if (write(fd, text, n) != (ssize_t)n || fsync(fd) != 0) {
		close(fd);
		unlink(tmp);
		goto report_errno;
	}
	close(fd);
	/* link() fails if path exists: an exclusive create without a race */
	if (exclusive ? link(tmp, path) != 0 : rename(tmp, path) != 0) {
		int err = errno;

		unlink(tmp);
		if (err == EEXIST) {
			snprintf(why, whylen, "%s already exists", path);
			return PAKT_EEXIST;
		}
		errno = err;
		goto report_errno;
	}
	if (exclusive)
		unlink(tmp);
	return 0;
report_errno:
	snprintf(why, whylen, "%s: %s", path, strerror(errno));
	return PAKT_EIO;
}

int config_create(const char *path, const char *name, char *why, size_t whylen)
{
	char text[1024];

	if (strchr(name, '\n') != NULL || strlen(name) > 128) {
		snprintf(why, whylen, "name must be one line of at most 128 bytes");
		return PAKT_EINVAL;
	}
	snprintf(text, sizeof text,
		 "# pakt node configuration: every key in 'man pakt-config' (README.md, \"Data directory\")\n"
		 "name = %s\n"
		 "log_level = info\n"
		 "listen = 127.0.0.1:7420\n", name);
	return write_atomic(path, text, true, why, whylen);
}

int config_set(const char *path, const char *key, const char *value,
	       char *why, size_t whylen)
{
	char line[CONFIG_LINE_MAX + 2], out[16384];
	size_t used = 0, klen = strlen(key);
	bool done = false;
	FILE *f;

	if (strpbrk(key, "\n=#") != NULL || strchr(value, '\n') != NULL) {
		snprintf(why, whylen, "config keys and values are single lines");
		return PAKT_EINVAL;
	}
	f = fopen(path, "r");

	out[0] = '\0';
	if (f != NULL) {
		while (fgets(line, sizeof line, f) != NULL) {
			const char *s = line;

			while (isspace((unsigned char)*s))
				s++;
			if (strncmp(s, key, klen) == 0 &&
			    (isspace((unsigned char)s[klen]) || s[klen] == '=')) {
				used += (size_t)snprintf(out + used, sizeof out - used, "%s = %s\n", key, value);
				done = true;
			} else {
				used += (size_t)snprintf(out + used, sizeof out - used, "%s", line);
			}
			if (used >= sizeof out) {
				fclose(f);
				snprintf(why, whylen, "%s: file too large", path);
				return PAKT_ETOOBIG;
			}
		}
		fclose(f);
	}
	if (!done) {
		/* the last line may lack its newline */
		if (used > 0 && out[used - 1] != '\n')
			used += (size_t)snprintf(out + used, sizeof out - used, "\n");
		used += (size_t)snprintf(out + used, sizeof out - used, "%s = %s\n", key, value);
	}
	if (used >= sizeof out) {
		snprintf(why, whylen, "%s: file too large", path);
		return PAKT_ETOOBIG;
	}
	return write_atomic(path, out, false, why, whylen);
}
