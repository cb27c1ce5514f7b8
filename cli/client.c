/* Blocking control-socket client. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <sodium.h>
#include "cli/client.h"
#include "cli/i18n.h"
#include "keys/datadir.h"
#include "proto/ctlmsg.h"
#include "proto/err.h"

int client_connect(struct client *c, const char *datadir)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char path[DATADIR_PATH_MAX];

	memset(c, 0, sizeof *c);
	c->fd = -1;
	if (datadir_file(datadir, DATADIR_SOCKET, path) != 0 || strlen(path) >= sizeof sa.sun_path) {
		snprintf(c->why, sizeof c->why, _("socket path too long: %s"), path);
		return PAKT_EINVAL;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		int e = errno;
		struct stat st;

		/* paktd runs but this user may not talk to it: say so, and who
		 * may (the group of the socket or of its directory). */
		if (e == EACCES || e == EPERM) {
			struct group *g;

			if (stat(path, &st) == 0 && (st.st_mode & S_IRWXG) == 0) {
				struct passwd *pw = getpwuid(st.st_uid);

				snprintf(c->why, sizeof c->why,
					 _("permission denied on paktd's control socket %s: only its user '%s' and "
					   "root may use it (run pakt as that user, or set control_group in paktd's "
					   "config)"),
					 path, pw ? pw->pw_name : "?");
				c->denied = true;
				return PAKT_EPERM;
			}
			g = stat(path, &st) == 0 || stat(datadir, &st) == 0 ? getgrgid(st.st_gid) : NULL;
			snprintf(c->why, sizeof c->why,
				 _("permission denied on paktd's control socket %s: ask the administrator to add "
				   "you to the group '%s' (usermod -aG %s USER, then log in again)"),
				 path, g ? g->gr_name : "?", g ? g->gr_name : _("GROUP"));
			c->denied = true;
			return PAKT_EPERM;
		}
		/* no data directory, or one without an identity: nothing to
		 * start paktd on yet */
		if (e == ENOENT && stat(datadir, &st) != 0 && errno == ENOENT) {
			snprintf(c->why, sizeof c->why, _("no data directory %s: run 'pakt init --data-dir %s' "
							    "(or give the right --data-dir)"), datadir, datadir);
			return PAKT_ENOINIT;
		}
		if (e == ENOENT && datadir_file(datadir, DATADIR_KEY, path) == 0 && stat(path, &st) != 0 &&
		    errno == ENOENT) {
			snprintf(c->why, sizeof c->why, _("no identity in %s: run 'pakt init --data-dir %s'"),
				 datadir, datadir);
			return PAKT_ENOINIT;
		}
		datadir_file(datadir, DATADIR_SOCKET, path);
		if (e == ENOENT || e == ECONNREFUSED) {
			snprintf(c->why, sizeof c->why, _("paktd is not running (socket %s: %s); start it with "
							    "'paktd --data-dir %s'"), path, strerror(e), datadir);
			return PAKT_ENOTRUNNING;
		}
		snprintf(c->why, sizeof c->why, _("cannot reach paktd's control socket %s: %s"), path,
			 strerror(e));
		return PAKT_ENOTRUNNING;
	}
	return 0;
}

void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
}

static int send_all(struct client *c, const char *p, size_t left)
{
	while (left > 0) {
		ssize_t n = send(c->fd, p, left, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(c->why, sizeof c->why, _("lost the connection to paktd: %s"), strerror(errno));
			return PAKT_ENOTRUNNING;
		}
		p += n;
		left -= (size_t)n;
	}
	return 0;
}

static int read_full(struct client *c, uint8_t *p, size_t len, int timeout_ms)
{
	while (len > 0) {
		struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
		int pr = poll(&pfd, 1, timeout_ms);
		ssize_t n;

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0) {
			snprintf(c->why, sizeof c->why, _("paktd did not answer within %d ms"), timeout_ms);
			return PAKT_EIO;
		}
		n = read(c->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(c->why, sizeof c->why, "%s", _("paktd closed the connection"));
			return PAKT_ENOTRUNNING;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int client_send(struct client *c, const struct ctlop_req *req)
{
	struct mpx_out o;
	int rc;

	mpx_init(&o);
	rc = ctlop_req_encode(req, &o);
	if (rc != 0)
		snprintf(c->why, sizeof c->why, "%s",
			 _("the request is larger than the control protocol allows (1 MiB)"));
	else
		rc = send_all(c, o.sb.data, o.sb.size);
	sodium_memzero(o.sb.data, o.sb.size);   /* a passphrase or an invite code */
	mpx_free(&o);
	return rc;
}

int client_recv(struct client *c, int timeout_ms)
{
	uint8_t hdr[CTL_HDR_LEN];
	uint32_t len;
	int rc;

	rc = read_full(c, hdr, sizeof hdr, timeout_ms);
	if (rc != 0)
		return rc;
	len = ctlmsg_frame_len(hdr);
	if (len > CTL_FRAME_MAX) {
		snprintf(c->why, sizeof c->why, _("paktd sent an oversized message (%u bytes)"), len);
		return PAKT_EPROTO;
	}
	if (len > c->cap) {
		uint8_t *p = realloc(c->buf, len);

		if (p == NULL)
			return PAKT_ENOMEM;
		c->buf = p;
		c->cap = len;
	}
	c->len = 0;
	rc = read_full(c, c->buf, len, timeout_ms);
	if (rc == 0)
		c->len = len;
	return rc;
}

int client_reply_error(struct client *c)
{
	int rc = ctlop_reply_error(c->buf, c->len, c->why, sizeof c->why);

	/* paktd's fixed messages are in our catalog (daemon/tr.h) */
	if (rc != 0) {
		const char *tr = _(c->why);

		if (tr != c->why)
			snprintf(c->why, sizeof c->why, "%s", tr);
	}
	return rc;
}

int client_reply(struct client *c, enum ctlop_reply_kind k, void *r)
{
	return ctlop_reply_decode(k, r, c->buf, c->len, c->why, sizeof c->why);
}

int client_call(struct client *c, const struct ctlop_req *req, int timeout_ms)
{
	int rc = client_send(c, req), refused;
	char lost[sizeof c->why];

	/* paktd may have refused us and hung up before our request went
	 * out: its reason is still waiting to be read. */
	if (rc == PAKT_ENOTRUNNING) {
		memcpy(lost, c->why, sizeof lost);
		if (client_recv(c, 1000) == 0 && (refused = client_reply_error(c)) != 0)
			return refused;
		memcpy(c->why, lost, sizeof lost);
		return rc;
	}
	if (rc == 0)
		rc = client_recv(c, timeout_ms);
	if (rc == 0)
		rc = client_reply_error(c);
	return rc;
}
