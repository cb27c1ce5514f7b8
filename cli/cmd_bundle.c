/* pakt verify FILE: check an audit bundle offline (no daemon, no data
 * directory), print what it proves, optionally dump every signed header,
 * signature and public key for checking with another implementation. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include "cli/cli.h"
#include "cli/i18n.h"
#include "cli/output.h"
#include "cli/text.h"
#include "cli/work.h"
#include "core/audit.h"
#include "proto/bundle.h"
#include "proto/err.h"
#include "proto/id.h"

/* For cmd_verify (cli/cmd_node.c): `pakt verify` checks a bundle when it
 * is given a FILE (any argument that is not an option or an option's
 * value) or --dump; otherwise it asks the daemon to check its store. */
bool cmd_verify_is_bundle(int argc, char **argv);
int cmd_verify_bundle(int argc, char **argv);

bool cmd_verify_is_bundle(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0)
			return i + 1 < argc;
		if (strcmp(a, "--data-dir") == 0) {
			i++;
			continue;
		}
		if (strcmp(a, "--dump") == 0 || strncmp(a, "--dump=", 7) == 0)
			return true;
		if (a[0] != '-' || strcmp(a, "-") == 0)
			return true;
	}
	return false;
}

static const char bundle_usage[] = N_(
	"usage: pakt verify FILE [--dump DIR] [--json]\n"
	"\n"
	"Check an audit bundle (written by 'pakt export') offline: no daemon and\n"
	"no data directory are needed. Checks every signature, that every feed is\n"
	"a gap-free chain from seq 1, that every entry belongs to the initiative,\n"
	"that the signers of commitments, answers and statuses were members, and\n"
	"that answers come from the commitment's parties. Prints what the bundle\n"
	"proves (exit 0) or the reason it fails, naming the entry (exit 1).\n"
	"FILE '-' reads standard input.\n"
	"\n"
	"  --dump DIR   write, for each entry i (1, 2, ... in file order),\n"
	"               DIR/i.header (the signed bytes), DIR/i.sig (64 bytes),\n"
	"               DIR/i.pub.pem (the signer's key), DIR/i.body (if any)\n"
	"               and DIR/index (i, author, seq, type, hash per line), so\n"
	"               that any Ed25519 implementation can check them, e.g.\n"
	"                 openssl pkeyutl -verify -pubin -inkey DIR/1.pub.pem \\\n"
	"                   -rawin -in DIR/1.header -sigfile DIR/1.sig\n"
	"               (OpenSSL 3.0 or later)\n"
	"  --json       one JSON object: {\"ok\": true, ...} or {\"ok\": false, \"error\": ...}\n");

static int usage(const char *fmt, const char *arg)
{
	fputs("pakt: verify: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	fputs(_("usage: pakt verify FILE [--dump DIR] [--json]\n(see 'pakt verify --help')\n"), stderr);
	return CLI_USAGE;
}

/* UTC, to the second: the same text on every auditor's machine. */
static void utc(uint64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms / 1000 > (uint64_t)253402300799 || gmtime_r(&t, &tm) == NULL)
		snprintf(out, 32, "%" PRIu64 " ms", ms);
	else
		strftime(out, 32, "%Y-%m-%d %H:%M:%SZ", &tm);
}

static int read_all(const char *path, uint8_t **buf, size_t *len, char *why, size_t whylen)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 65536, n = 0;
	uint8_t *b = NULL;

	if (fd < 0) {
		snprintf(why, whylen, _("cannot open: %s"), strerror(errno));
		return PAKT_EIO;
	}
	for (;;) {
		ssize_t r;

		if (n == cap || b == NULL) {
			uint8_t *nb;

			if (b != NULL)
				cap *= 2;
			if (cap > BUNDLE_BYTES_MAX + 1)
				cap = BUNDLE_BYTES_MAX + 1;
			if ((nb = realloc(b, cap)) == NULL) {
				snprintf(why, whylen, "%s", _("out of memory"));
				goto close_and_free;
			}
			b = nb;
		}
		if (n > BUNDLE_BYTES_MAX) {
			snprintf(why, whylen, _("larger than %zu MiB: not a bundle pakt reads"),
				 BUNDLE_BYTES_MAX >> 20);
			goto close_and_free;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(why, whylen, _("cannot read: %s"), strerror(errno));
			goto close_and_free;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	*buf = b;
	*len = n;
	return 0;
close_and_free:
	if (fd != STDIN_FILENO)
		close(fd);
	free(b);
	return PAKT_EIO;
}

/* ---- --dump ---- */

struct dump {
	const char *dir;
	FILE *index;
	size_t n;           /* entries written */
	char why[4200];
};

static int write_file(struct dump *d, size_t i, const char *ext, const void *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%zu.%s", d->dir, i, ext);
	if ((f = fopen(path, "wb")) == NULL || fwrite(p, 1, n, f) != n) {
		snprintf(d->why, sizeof d->why, "%s: %s", path, strerror(errno));
		if (f != NULL)
			fclose(f);
		return PAKT_EIO;
	}
	if (fclose(f) != 0) {
		snprintf(d->why, sizeof d->why, "%s: %s", path, strerror(errno));
		return PAKT_EIO;
	}
	return 0;
}

static int dump_one(void *arg, size_t i, const struct entry *e)
{
	struct dump *d = arg;
	char pem[BUNDLE_PEM_MAX], a[ID_TEXT_MAX], h[ID_TEXT_MAX];
	int rc;

	bundle_pem_pubkey(e->h.author, pem);
	if ((rc = write_file(d, i, "header", e->header_bytes, e->header_len)) != 0 ||
	    (rc = write_file(d, i, "sig", e->sig, PAKT_SIG_LEN)) != 0 ||
	    (rc = write_file(d, i, "pub.pem", pem, strlen(pem))) != 0)
		return rc;
	if (e->body != NULL && (rc = write_file(d, i, "body", e->body, e->body_len)) != 0)
		return rc;
	id_encode(ID_KEY, e->h.author, a);
	id_encode(ID_ENTRY, e->hash, h);
	fprintf(d->index, "%zu %s %" PRIu64 " %s %s\n", i, a, e->h.seq, e->h.type, h);
	d->n = i;
	return 0;
}

static int dump(const char *dir, const uint8_t *buf, size_t len, size_t *n, char *why,
		size_t whylen)
{
	struct dump d = {.dir = dir};
	char path[4096];
	int rc;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(why, whylen, "%s: %s", dir, strerror(errno));
		return PAKT_EIO;
	}
	snprintf(path, sizeof path, "%s/index", dir);
	if ((d.index = fopen(path, "w")) == NULL) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return PAKT_EIO;
	}
	rc = bundle_each(buf, len, dump_one, &d);
	if (fclose(d.index) != 0 && rc == 0) {
		snprintf(d.why, sizeof d.why, "%s: %s", path, strerror(errno));
		rc = PAKT_EIO;
	}
	if (rc != 0) {
		snprintf(why, whylen, "%s", d.why[0] ? d.why : pakt_strerror(rc));
		return rc;
	}
	*n = d.n;
	return 0;
}

/* ---- text output ---- */

static const char *name_of(const struct audit_report *r, const uint8_t key[32])
{
	const struct roster_member *m = roster_lookup(&r->roster, key);

	return m != NULL && m->name[0] ? m->name : NULL;
}

/* "pk_... (Org B)", the name escaped */
static void who(const struct audit_report *r, const uint8_t key[32])
{
	char id[ID_TEXT_MAX];
	const char *nm = name_of(r, key);

	id_encode(ID_KEY, key, id);
	fputs(id, stdout);
	if (nm != NULL) {
		fputs(" (", stdout);
		text_put(stdout, nm);
		putchar(')');
	}
}

/* The labels of the text output, in a column as wide as the longest
 * (translated) one needs: 12 columns in English. Top-level labels start
 * the line, the commitment's are indented by 2. */
static const char *const top_labels[] = {
	/* TRANSLATORS: labels in a column of 'pakt verify FILE': keep them
	 * short, one or two words */
	N_("initiative"), N_("goal"), N_("checked"), N_("members"), N_("commitment"),
	N_("history"), N_("feed"), N_("dumped"), NULL,
};
static const char *const sub_labels[] = {
	/* TRANSLATORS: labels of a commitment in 'pakt verify FILE': keep
	 * them short */
	N_("title"), N_("details"), N_("by"), N_("due"), N_("target"), N_("indicator"),
	N_("party"), N_("outcome"), NULL,
};

static size_t label_cols(void)
{
	static size_t cols;

	if (cols == 0) {
		cols = 12;
		for (size_t i = 0; top_labels[i]; i++) {
			const char *t = _(top_labels[i]);
			size_t w = text_width(t, strlen(t)) + 2;

			cols = w > cols ? w : cols;
		}
		for (size_t i = 0; sub_labels[i]; i++) {
			const char *t = _(sub_labels[i]);
			size_t w = text_width(t, strlen(t)) + 3;

			cols = w > cols ? w : cols;
		}
	}
	return cols;
}

/* A label (translated by the caller), indented, padded to the column; ""
 * for the column's blank on a continued line. */
static void label(const char *text, size_t indent)
{
	printf("%*s", (int)indent, "");
	text_pad(stdout, text, label_cols() - indent, false);
}

/* A label then partner text s escaped on one line, then a newline. */
static void field(const char *text, size_t indent, const char *s)
{
	label(text, indent);
	text_put(stdout, s);
	putchar('\n');
}

static void print_members(const struct audit_report *r)
{
	char id[ID_TEXT_MAX], t[32];

	label(_("members"), 0);
	fputs(_("as the bundle's genesis and member entries show them:\n"), stdout);
	for (size_t i = 0; i < r->roster.n; i++) {
		const struct roster_member *m = &r->roster.v[i];

		id_encode(ID_KEY, m->key, id);
		utc(m->removed ? m->removed_ms : m->since_ms, t);
		/* the role is the protocol's word, as in --json */
		printf("  %s  %-6s ", id, m->admin ? "admin" : "member");
		text_put(stdout, m->name);
		fputs(m->name[0] ? "," : "", stdout);
		/* TRANSLATORS: after a member's name: " since 2026-01-05 10:00:00Z" */
		printf(m->removed ? _(" removed %s\n") : _(" since %s\n"), t);
	}
}

/* The answers and statuses in lifecycle order. */
static void print_history(const struct audit_report *r)
{
	char t[32];

	label(_("history"), 0);
	fputs(_("(lifecycle order: PROTOCOL.md, \"Lifecycle\")\n"), stdout);
	for (size_t k = 0, s = 0; k < r->n_answers || s < r->n_statuses;) {
		bool ans = s >= r->n_statuses ||
			   (k < r->n_answers && r->answers[k].order <= r->statuses[s].order);

		if (ans) {
			const struct audit_answer *a = &r->answers[k++];

			utc(a->ts, t);
			printf("  %s  ", t);
			who(r, a->party);
			/* accepted, declined: the protocol's words, as in 'pakt commitments' */
			printf(" %s%s", a->accept ? "accepted" : "declined", a->change ? _(" [change]") : "");
			if (a->reason[0]) {
				fputs(": ", stdout);
				text_put(stdout, a->reason);
			}
			if (!a->counts && a->breach)
				printf(_("  NO EFFECT: %s"), a->breach);
			else if (!a->counts)
				fputs(_("  (replaced by a later change)"), stdout);
			putchar('\n');
		} else {
			const struct audit_status *st = &r->statuses[s++];

			utc(st->ts, t);
			printf("  %s  ", t);
			who(r, st->by);
			/* TRANSLATORS: the state (in-progress, fulfilled, ...) stays as it is */
			printf(_(": status %s"), st->st.state);
			fputs(st->st.reopen ? _(" [reopens]") : "", stdout);
			if (st->st.note[0]) {
				fputs(": ", stdout);
				text_fit(stdout, st->st.note, 300, false);
			}
			if (!st->counts)
				printf(_("  NO EFFECT: %s"), st->breach ? st->breach : _("see the notes"));
			putchar('\n');
		}
	}
	if (r->n_answers == 0 && r->n_statuses == 0)
		fputs(_("  (no answers or statuses)\n"), stdout);
}

static void print_commitment(const struct audit_report *r)
{
	const struct body_commitment *c = &r->commitment;
	char id[ID_TEXT_MAX], t[32];

	id_encode(ID_ENTRY, r->subject, id);
	label(_("commitment"), 0);
	printf("%s\n", id);
	field(_("title"), 2, c->title);
	if (c->description[0])
		field(_("details"), 2, c->description);
	utc(r->commitment_ts, t);
	label(_("by"), 2);
	who(r, r->commitment_author);
	printf(", %s (#%llu)\n", t, (unsigned long long)r->commitment_seq);
	label(_("due"), 2);
	printf("%s\n", c->due);
	if (c->indicator[0] && c->has_target) {
		label(_("target"), 2);
		printf("%s = %g\n", c->indicator, c->target);
	} else if (c->indicator[0]) {
		label(_("indicator"), 2);
		printf("%s\n", c->indicator);
	}
	for (size_t i = 0; i < c->n_parties; i++) {
		const struct audit_answer *last = NULL;

		/* its answer that counts, by any key of the party's member */
		for (size_t k = 0; k < r->n_answers; k++)
			if (r->answers[k].counts &&
			    roster_same(&r->roster, r->answers[k].party, c->parties[i]))
				last = &r->answers[k];
		label(_("party"), 2);
		who(r, c->parties[i]);
		printf(": %s", last == NULL ? _("no answer in the bundle")
		       : last->accept ? "accepted" : "declined");
		if (last != NULL && last->reason[0]) {
			fputs(": ", stdout);
			text_put(stdout, last->reason);
		}
		putchar('\n');
	}
	/* TRANSLATORS: whether every party accepted the commitment */
	fputs(r->countersigned ? _("  countersigned yes\n") : _("  countersigned no\n"), stdout);
	label(_("outcome"), 2);
	/* TRANSLATORS: the outcome (kept, late, ...) and the state (fulfilled,
	 * ...) stay as they are */
	printf(_("%s (status %s)\n"), r->outcome, r->state);
	print_history(r);
}

static void print_text(const char *file, const struct audit_report *r)
{
	char nw[ID_TEXT_MAX];

	id_encode(ID_NETWORK, r->network, nw);
	printf(r->kind == BUNDLE_COMMITMENT ? _("ok: %s proves a commitment's history\n")
	       : _("ok: %s proves a feed's range\n"), file);
	label(_("initiative"), 0);
	text_put(stdout, r->roster.network_name);
	printf(" (%s)\n", nw);
	if (r->goal[0])
		field(_("goal"), 0, r->goal);
	label(_("checked"), 0);
	/* TRANSLATORS: after "checked"; the next line goes on with "from seq
	 * 1, network, memberships" */
	printf(P_("%zu entries in %zu feeds (%zu with bodies): signatures, chains\n",
		  "%zu entries in %zu feeds (%zu with bodies): signatures, chains\n", r->n_entries),
	       r->n_entries, r->n_feeds, r->n_bodies);
	label("", 0);
	fputs(_("from seq 1, network, memberships\n"), stdout);
	print_members(r);
	if (r->kind == BUNDLE_COMMITMENT) {
		print_commitment(r);
	} else {
		label(_("feed"), 0);
		who(r, r->subject);
		printf(P_(": seq 1..%llu, %zu with bodies", ": seq 1..%llu, %zu with bodies", r->feed_bodies),
		       (unsigned long long)r->feed_last, r->feed_bodies);
		if (r->feed_bodies)
			printf(" (#%llu..#%llu)", (unsigned long long)r->feed_first,
			       (unsigned long long)r->feed_last_body);
		putchar('\n');
	}
	if (r->n_notes_total) {
		fputs(_("notes\n"), stdout);
		for (size_t i = 0; i < r->n_notes; i++) {
			fputs("  ", stdout);
			text_put(stdout, r->notes[i]);
			putchar('\n');
		}
		if (r->n_notes_total > r->n_notes)
			printf(P_("  ... and %zu more\n", "  ... and %zu more\n", r->n_notes_total - r->n_notes),
			       r->n_notes_total - r->n_notes);
	}
}

/* ---- JSON output ---- */

static void jstr(const char *s)
{
	output_json_str(stdout, s, strlen(s));
}

static void jid(enum id_kind kind, const uint8_t raw[32])
{
	char t[ID_TEXT_MAX];

	id_encode(kind, raw, t);
	jstr(t);
}

static void print_json(const struct audit_report *r, int rc, const char *reason)
{
	if (rc != 0) {
		printf("{\"ok\":false,\"code\":%d,\"error\":", rc);
		jstr(reason);
		if (r->bad_index) {
			printf(",\"index\":%zu", r->bad_index);
		}
		if (r->has_bad) {
			printf(",\"author\":");
			jid(ID_KEY, r->bad_author);
			printf(",\"seq\":%" PRIu64, r->bad_seq);
			if (!sodium_is_zero(r->bad_hash, 32)) {
				printf(",\"entry\":");
				jid(ID_ENTRY, r->bad_hash);
			}
		}
		printf("}\n");
		return;
	}
	printf("{\"ok\":true,\"kind\":");
	jstr(bundle_kind_name(r->kind));
	printf(",\"network\":");
	jid(ID_NETWORK, r->network);
	printf(",\"initiative\":");
	jstr(r->roster.network_name);
	printf(",\"goal\":");
	jstr(r->goal);
	printf(",\"entries\":%zu,\"feeds\":%zu,\"bodies\":%zu,\"members\":[", r->n_entries, r->n_feeds,
	       r->n_bodies);
	for (size_t i = 0; i < r->roster.n; i++) {
		const struct roster_member *m = &r->roster.v[i];

		printf("%s{\"id\":", i ? "," : "");
		jid(ID_KEY, m->key);
		printf(",\"name\":");
		jstr(m->name);
		printf(",\"role\":\"%s\",\"removed\":%s,\"since_ms\":%" PRIu64, m->admin ? "admin" : "member",
		       m->removed ? "true" : "false", m->since_ms);
		if (m->removed)
			printf(",\"removed_ms\":%" PRIu64, m->removed_ms);
		printf("}");
	}
	printf("]");
	if (r->kind == BUNDLE_COMMITMENT) {
		const struct body_commitment *c = &r->commitment;

		printf(",\"commitment\":{\"entry\":");
		jid(ID_ENTRY, r->subject);
		printf(",\"author\":");
		jid(ID_KEY, r->commitment_author);
		printf(",\"seq\":%" PRIu64 ",\"timestamp\":%" PRIu64 ",\"title\":", r->commitment_seq,
		       r->commitment_ts);
		jstr(c->title);
		if (c->description[0]) {
			printf(",\"description\":");
			jstr(c->description);
		}
		printf(",\"due\":");
		jstr(c->due);
		if (c->indicator[0]) {
			printf(",\"indicator\":");
			jstr(c->indicator);
			if (c->has_target)
				printf(",\"target\":%.17g", c->target);
		}
		printf(",\"parties\":[");
		for (size_t i = 0; i < c->n_parties; i++) {
			printf("%s", i ? "," : "");
			jid(ID_KEY, c->parties[i]);
		}
		printf("],\"countersigned\":%s,\"outcome\":", r->countersigned ? "true" : "false");
		jstr(r->outcome);
		printf(",\"state\":");
		jstr(r->state);
		printf(",\"answers\":[");
		for (size_t k = 0; k < r->n_answers; k++) {
			const struct audit_answer *a = &r->answers[k];

			printf("%s{\"party\":", k ? "," : "");
			jid(ID_KEY, a->party);
			printf(",\"answer\":\"%s\",\"change\":%s,\"counts\":%s,\"timestamp\":%" PRIu64
			       ",\"seq\":%" PRIu64 ",\"entry\":", a->accept ? "accept" : "decline",
			       a->change ? "true" : "false", a->counts ? "true" : "false", a->ts, a->seq);
			jid(ID_ENTRY, a->hash);
			if (a->reason[0]) {
				printf(",\"reason\":");
				jstr(a->reason);
			}
			printf("}");
		}
		printf("],\"status\":[");
		for (size_t k = 0; k < r->n_statuses; k++) {
			const struct audit_status *s = &r->statuses[k];

			printf("%s{\"by\":", k ? "," : "");
			jid(ID_KEY, s->by);
			printf(",\"state\":");
			jstr(s->st.state);
			printf(",\"reopen\":%s,\"counts\":%s,\"timestamp\":%" PRIu64 ",\"seq\":%" PRIu64
			       ",\"entry\":", s->st.reopen ? "true" : "false", s->counts ? "true" : "false",
			       s->ts, s->seq);
			jid(ID_ENTRY, s->hash);
			if (s->st.note[0]) {
				printf(",\"note\":");
				jstr(s->st.note);
			}
			if (s->st.has_evidence) {
				printf(",\"evidence\":");
				jid(ID_ENTRY, s->st.evidence);
			}
			printf("}");
		}
		printf("]}");
	} else {
		printf(",\"feed\":{\"author\":");
		jid(ID_KEY, r->subject);
		printf(",\"last\":%" PRIu64 ",\"bodies\":%zu,\"first_body\":%" PRIu64
		       ",\"last_body\":%" PRIu64 "}", r->feed_last, r->feed_bodies, r->feed_first,
		       r->feed_last_body);
	}
	printf(",\"notes\":[");
	for (size_t i = 0; i < r->n_notes; i++) {
		printf("%s", i ? "," : "");
		jstr(r->notes[i]);
	}
	printf("]}\n");
}

int cmd_verify_bundle(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dump", required_argument, NULL, 'D'},
		{"json", no_argument, NULL, 'j'},
		{"data-dir", required_argument, NULL, 'd'},   /* accepted, not used */
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *dump_dir = NULL, *file;
	struct audit_report r;
	bool json = false;
	uint8_t *buf = NULL;
	size_t len = 0, dumped = 0;
	char why[4200];
	int opt, rc, ret;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'D': dump_dir = optarg; break;
		case 'j': json = true; break;
		case 'd': break;
		case 'h': fputs(_(bundle_usage), stdout); return CLI_OK;
		default: return usage(_("unknown or incomplete option '%s'"), argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage("%s", _("missing FILE"));
	if (optind + 1 < argc)
		return usage(_("unexpected argument '%s'"), argv[optind + 1]);
	file = argv[optind];
	if (read_all(file, &buf, &len, why, sizeof why) != 0)
		return cli_fail("verify", PAKT_EIO, "%s: %s", file, why);

	rc = audit_bundle(buf, len, &r);
	if (json)
		print_json(&r, rc, r.reason);
	else if (rc == 0)
		print_text(file, &r);
	else
		fprintf(stderr, _("pakt: verify: %s: FAILED: %s\n"), file, r.reason);
	ret = rc == 0 ? CLI_OK : CLI_FAIL;

	if (dump_dir != NULL) {
		if (dump(dump_dir, buf, len, &dumped, why, sizeof why) != 0) {
			cli_fail("verify", PAKT_EIO, "--dump %s: %s", dump_dir, why);
			ret = CLI_FAIL;
		} else if (!json) {
			label(_("dumped"), 0);
			printf(P_("%zu entries to %s: check entry i with\n",
				  "%zu entries to %s: check entry i with\n", dumped), dumped, dump_dir);
			label("", 0);
			printf("openssl pkeyutl -verify -pubin -inkey %s/i.pub.pem -rawin \\\n", dump_dir);
			label("", 0);
			printf("  -in %s/i.header -sigfile %s/i.sig\n", dump_dir, dump_dir);
		}
	}
	audit_report_free(&r);
	free(buf);
	return ret;
}
