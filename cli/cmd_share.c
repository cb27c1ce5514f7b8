/* Sharing what the initiative holds: export (a bundle), redact, profile,
 * sealed posts and message replies. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cmds.h"
#include "cli/i18n.h"
#include "cli/work.h"
#include "proto/body.h"
#include "proto/err.h"
#include "proto/id.h"

/* Write len bytes to path via path.tmp and rename; prints errors. */
static int write_file(const char *cmd, const char *path, const uint8_t *p, size_t len)
{
	char tmp[4096];
	size_t off = 0;
	int fd, err = 0;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return cli_usage(cmd, _("the file name is too long"));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return cli_fail(cmd, PAKT_EIO, _("cannot create %s: %s"), tmp, strerror(errno));
	while (off < len) {
		ssize_t w = write(fd, p + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err = w < 0 ? errno : EIO;
			break;
		}
		off += (size_t)w;
	}
	if (err == 0 && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && err == 0)
		err = errno;
	if (err == 0 && rename(tmp, path) != 0)
		err = errno;
	if (err != 0) {
		unlink(tmp);
		return cli_fail(cmd, PAKT_EIO, _("cannot write %s: %s"), path, strerror(err));
	}
	return CLI_OK;
}

int cmd_export(int argc, char **argv)
{
	struct work_opts o;
	struct ctlop_req r;
	struct ctlop_export *x = &r.u.export;
	struct ctlop_r_export m = {0};
	struct client c;
	unsigned long long from = 1, to = UINT64_MAX;
	int ret = work_opts("export", argc, argv, A(W_NETWORK) | A(W_FEED) | A(W_FROM) | A(W_TO) |
			    A(W_OUTPUT), 0, 1, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	work_req(&r, CTLOP_EXPORT, &o);
	if ((o.argc == 1) == o.given[W_FEED])
		return cli_usage("export", _("give either a COMMITMENT (en_...) or --feed ID"));
	if (o.argc == 1 && (ret = cli_parse_id("export", _("commitment"), ID_ENTRY, o.argv[0], x->ref)) != CLI_OK)
		return ret;
	if (o.given[W_FEED] && (ret = cli_parse_id("export", "--feed", ID_KEY, o.val[W_FEED], x->feed)) != CLI_OK)
		return ret;
	x->has_ref = o.argc == 1;
	x->has_feed = o.given[W_FEED];
	if ((o.given[W_FROM] || o.given[W_TO]) && !o.given[W_FEED])
		return cli_usage("export", _("--from and --to select a range of a --feed"));
	if (o.to.n > 1)
		return cli_usage("export", _("give --to once"));
	if (o.given[W_FROM] && (!cli_parse_count(o.val[W_FROM], &from) || from == 0))
		return cli_usage("export", _("--from takes a seq (1, 2, ...), not '%.40s'"), o.val[W_FROM]);
	if (o.given[W_TO] && (!cli_parse_count(o.val[W_TO], &to) || to == 0))
		return cli_usage("export", _("--to takes a seq (1, 2, ...), not '%.40s'"), o.val[W_TO]);
	if (o.given[W_FROM] && o.given[W_TO] && to < from)
		return cli_usage("export", _("--to %llu is before --from %llu"), to, from);
	if (!o.given[W_OUTPUT] || o.val[W_OUTPUT][0] == '\0')
		return cli_usage("export", _("-o FILE is required"));
	x->from = from;
	x->to = to;
	ret = work_send(&c, &o, &r, WORK_TIMEOUT_BIG);
	if (ret == CLI_OK)
		ret = cli_reply(&c, "export", CTLOP_R_EXPORT, &m);
	if (ret == CLI_OK && m.bundle == NULL)
		ret = cli_fail("export", PAKT_EPROTO, _("paktd sent no bundle"));
	if (ret == CLI_OK)
		ret = write_file("export", o.val[W_OUTPUT], m.bundle, m.bundle_len);
	if (ret == CLI_OK)
		printf(_("wrote %s (%zu bytes); check it offline with 'pakt verify'\n"), o.val[W_OUTPUT],
		       m.bundle_len);
	ctlop_reply_free(CTLOP_R_EXPORT, &m);
	return work_done(&c, ret);
}

/* ---- redact ---- */

int cmd_redact(int argc, char **argv)
{
	struct work_opts o;
	struct ctlop_req r;
	struct client c;
	char verb[128];
	int ret = work_opts("redact", argc, argv, A(W_NETWORK) | A(W_REASON), 1, 1, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	work_req(&r, CTLOP_REDACT, &o);
	if ((ret = cli_parse_id("redact", _("entry"), ID_ENTRY, o.argv[0], r.u.ref.ref)) != CLI_OK)
		return ret;
	if (!o.given[W_REASON])
		return cli_usage("redact", _("--reason TEXT is required (it may be \"\")"));
	if ((ret = work_check_len("redact", "--reason", o.val[W_REASON], 0, BODY_REASON_MAX)) != CLI_OK)
		return ret;
	snprintf(r.u.ref.text, sizeof r.u.ref.text, "%s", o.val[W_REASON]);
	ret = work_send(&c, &o, &r, 10000);
	if (ret == CLI_OK) {
		snprintf(verb, sizeof verb, _("redaction of %s posted:"), o.argv[0]);
		ret = work_posted(&c, "redact", verb, NULL);
	}
	return work_done(&c, ret);
}

/* ---- profile ---- */

/* HOST:PORT as proto/PROTOCOL.md "profile" defines it. */
static bool valid_address(const char *s)
{
	const char *colon = strrchr(s, ':'), *p;
	size_t hl;
	unsigned long port = 0;

	if (colon == NULL || strlen(s) > BODY_ADDR_MAX)
		return false;
	hl = (size_t)(colon - s);
	if (hl == 0)
		return false;
	if (s[0] == '[') {
		bool has_colon = false;

		if (hl < 3 || s[hl - 1] != ']')
			return false;
		for (p = s + 1; p < s + hl - 1; p++) {
			if (*p == ':')
				has_colon = true;
			else if (!strchr("0123456789abcdefABCDEF.", *p))
				return false;
		}
		if (!has_colon)
			return false;
	} else {
		for (p = s; p < colon; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
				return false;
	}
	p = colon + 1;
	if (*p < '1' || *p > '9' || strlen(p) > 5)
		return false;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		port = port * 10 + (unsigned long)(*p - '0');
	}
	return port >= 1 && port <= 65535;
}

int cmd_profile(int argc, char **argv)
{
	static const char *const sectors[] = {"ngo", "public", "business", "other", NULL};
	struct work_opts o;
	struct ctlop_req r;
	struct body_profile *p = &r.u.profile;
	struct client c;
	bool ok = false;
	int ret;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return cli_help("profile");
	if (argc < 2 || strcmp(argv[1], "set") != 0)
		return cli_usage("profile", _("the subcommand is 'set'"));
	ret = work_opts("profile", argc - 1, argv + 1, A(W_NETWORK) | A(W_NAME) | A(W_SECTOR) |
			A(W_CONTACT) | A(W_ADDRESS), 0, 0, &o);
	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	work_req(&r, CTLOP_PROFILE_SET, &o);
	if (!o.given[W_NAME])
		return cli_usage("profile", _("--name NAME is required"));
	if ((ret = work_check_len("profile", "--name", o.val[W_NAME], 1, BODY_NAME_MAX)) != CLI_OK)
		return ret;
	if (!o.given[W_SECTOR])
		return cli_usage("profile", _("--sector is required: ngo, public, business or other"));
	for (size_t i = 0; sectors[i]; i++)
		ok |= strcmp(o.val[W_SECTOR], sectors[i]) == 0;
	if (!ok)
		return cli_usage("profile", _("--sector is ngo, public, business or other, not '%.40s'"),
				 o.val[W_SECTOR]);
	if (o.given[W_CONTACT] &&
	    (ret = work_check_len("profile", "--contact", o.val[W_CONTACT], 1, BODY_CONTACT_MAX)) != CLI_OK)
		return ret;
	if (o.addr.n > BODY_ADDRS_MAX)
		return cli_usage("profile", _("at most %d --address options"), BODY_ADDRS_MAX);
	for (size_t i = 0; i < o.addr.n; i++) {
		if (!valid_address(o.addr.v[i]))
			return cli_usage("profile", _("--address '%.80s' is not HOST:PORT (port 1-65535; "
					   "IPv6 in brackets)"), o.addr.v[i]);
		for (size_t k = 0; k < i; k++)
			if (strcmp(o.addr.v[k], o.addr.v[i]) == 0)
				return cli_usage("profile", _("--address %s given twice"), o.addr.v[i]);
		snprintf(p->addrs[i], sizeof p->addrs[i], "%s", o.addr.v[i]);
	}
	p->n_addrs = o.addr.n;
	snprintf(p->name, sizeof p->name, "%s", o.val[W_NAME]);
	snprintf(p->sector, sizeof p->sector, "%s", o.val[W_SECTOR]);
	if (o.given[W_CONTACT])
		snprintf(p->contact, sizeof p->contact, "%s", o.val[W_CONTACT]);
	ret = work_send(&c, &o, &r, 10000);
	if (ret == CLI_OK)
		ret = work_posted(&c, "profile", _("profile published"), NULL);
	return work_done(&c, ret);
}

/* ---- messages: sealed posts and replies ---- */

/* Post r's text, sealed to the --to recipients when there are any (and,
 * for a reply to a sealed message, to its author: paktd decides). */
static int post_text(struct work_opts *o, struct ctlop_req *r)
{
	struct ctlop_post *p = &r->u.post;
	struct ctlop_r_entry e;
	struct client c;
	char idt[ID_TEXT_MAX];
	int ret;

	/* the daemon adds this node's own key so that it can read the message back */
	if (o->to.n > 0 &&
	    (ret = work_parse_keys(o->cmd, "--to", &o->to, p->to, BODY_BOXES_MAX - 1, &p->n_to)) != CLI_OK)
		return ret;
	ret = work_send(&c, o, r, 10000);
	if (ret == CLI_OK)
		ret = cli_reply(&c, o->cmd, CTLOP_R_ENTRY, &e);
	if (ret == CLI_OK) {
		id_encode(ID_ENTRY, e.hash, idt);
		if (e.has_recipients)
			printf(P_("posted #%" PRIu64 " %s (sealed to %" PRIu64 " recipient, this organisation included)\n",
				  "posted #%" PRIu64 " %s (sealed to %" PRIu64 " recipients, this organisation included)\n",
				  (unsigned long)e.recipients), e.seq, idt, e.recipients);
		else
			printf(_("posted #%" PRIu64 " %s\n"), e.seq, idt);
	}
	return work_done(&c, ret);
}

int cmd_post_sealed(int argc, char **argv)
{
	struct work_opts o;
	static struct ctlop_req r;
	int ret = work_opts("post", argc, argv, A(W_NETWORK) | A(W_TO), 0, argc, &o);

	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	if (o.argc > 1)
		return cli_usage("post", _("give the text as one argument (quote it)"));
	work_req(&r, CTLOP_POST, &o);
	ret = work_text("post", o.argc ? o.argv[0] : NULL, r.u.post.text, false);
	return ret != CLI_OK ? ret : post_text(&o, &r);
}

int cmd_message(int argc, char **argv)
{
	struct work_opts o;
	static struct ctlop_req r;
	int ret;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return cli_help("message");
	if (argc < 2 || strcmp(argv[1], "reply") != 0)
		return cli_usage("message", _("the subcommand is 'reply'"));
	ret = work_opts("message", argc - 1, argv + 1, A(W_NETWORK) | A(W_TO) | A(W_PUBLIC), 1, 2, &o);
	if (ret != CLI_OK)
		return ret < 0 ? CLI_OK : ret;
	work_req(&r, CTLOP_POST, &o);
	if ((ret = cli_parse_id("message", _("entry"), ID_ENTRY, o.argv[0], r.u.post.reply_to)) != CLI_OK)
		return ret;
	if (o.given[W_PUBLIC] && o.to.n > 0)
		return cli_usage("message", _("--public and --to exclude each other"));
	r.u.post.has_reply_to = true;
	r.u.post.public_reply = o.given[W_PUBLIC];
	ret = work_text("message", o.argc == 2 ? o.argv[1] : NULL, r.u.post.text, false);
	return ret != CLI_OK ? ret : post_text(&o, &r);
}
