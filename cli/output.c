/* Text and JSON rendering of entries. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli/i18n.h"
#include "cli/metrics.h"
#include "cli/output.h"
#include "cli/text.h"
#include "proto/canon.h"
#include "proto/ctlop_reply.h"
#include "proto/err.h"
#include "proto/id.h"
#include "proto/mpx.h"

#define NAME_COLS 32     /* an author's name in a log line */

void output_json_str(FILE *f, const char *s, size_t len)
{
	msgpack_sbuffer out;

	msgpack_sbuffer_init(&out);
	ctlop_json_str(&out, s, len);
	fwrite(out.data, 1, out.size, f);
	msgpack_sbuffer_destroy(&out);
}

/* A canonical msgpack body as JSON ("null" if it is not one). */
static void body_json(FILE *f, const uint8_t *body, size_t len)
{
	msgpack_sbuffer out;

	msgpack_sbuffer_init(&out);
	if (canon_check(body, len, CANON_MAX_DEPTH) == 0 && ctlop_json_value(&out, body, len) == 0)
		fwrite(out.data, 1, out.size, f);
	else
		fputs("null", f);
	msgpack_sbuffer_destroy(&out);
}

void output_time(uint64_t ms, char buf[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

void output_ago(uint64_t ms, int64_t now_ms, char buf[32])
{
	int64_t s = (now_ms - (int64_t)ms) / 1000;
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms > (uint64_t)INT64_MAX || s < -60 || s >= 7 * 86400) {
		localtime_r(&t, &tm);
		strftime(buf, 32, "%Y-%m-%d", &tm);
	} else if (s < 60) {
		snprintf(buf, 32, "%s", _("just now"));
	} else if (s < 3600) {
		/* TRANSLATORS: minutes; the form follows the number */
		snprintf(buf, 32, P_("%lld min ago", "%lld min ago", (unsigned long)(s / 60)), (long long)(s / 60));
	} else if (s < 86400) {
		/* TRANSLATORS: hours; the form follows the number */
		snprintf(buf, 32, P_("%lld h ago", "%lld h ago", (unsigned long)(s / 3600)), (long long)(s / 3600));
	} else {
		snprintf(buf, 32, P_("%lld day ago", "%lld days ago", (unsigned long)(s / 86400)),
			 (long long)(s / 86400));
	}
}

/* The columns the widest output_ago can take in this language (a date
 * is 10), so that log lines stay aligned in every language. */
static size_t ago_cols(void)
{
	static const int64_t unit[] = {60, 3600, 86400}, most[] = {59, 23, 6};
	static size_t cols;
	char buf[32];

	if (cols > 0)
		return cols;
	cols = 10;
	output_ago(0, 0, buf);
	cols = text_width(buf, strlen(buf)) > cols ? text_width(buf, strlen(buf)) : cols;
	for (size_t u = 0; u < 3; u++)
		for (int64_t n = 1; n <= most[u]; n++) {
			output_ago(0, n * unit[u] * 1000, buf);
			if (text_width(buf, strlen(buf)) > cols)
				cols = text_width(buf, strlen(buf));
		}
	return cols;
}

/* ---- what a listing knows ---- */

void output_ctx_init(struct output_ctx *x, int64_t now_ms)
{
	memset(x, 0, sizeof *x);
	x->now_ms = now_ms;
}

void output_ctx_free(struct output_ctx *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < x->n_known; i++)
		free(x->known[i].title);
	free(x->known);
	free(x->members);
	memset(x, 0, sizeof *x);
}

/* Make room for one more element of *v (n used of *cap). */
static int grow(void **v, size_t n, size_t *cap, size_t size)
{
	void *p;

	if (n < *cap)
		return 0;
	if ((p = realloc(*v, (*cap ? *cap * 2 : 64) * size)) == NULL)
		return PAKT_ENOMEM;
	*v = p;
	*cap = *cap ? *cap * 2 : 64;
	return 0;
}

/* The latest record of hash (one with a title when titled); a listing
 * appends every entry it shows, so this is searched only for references. */
static struct output_known *known_of(const struct output_ctx *x, const uint8_t hash[32],
				     bool titled)
{
	for (size_t i = x ? x->n_known : 0; i-- > 0;)
		if (memcmp(x->known[i].hash, hash, 32) == 0 && (!titled || x->known[i].title))
			return &x->known[i];
	return NULL;
}

int output_ctx_entry(struct output_ctx *x, const uint8_t hash[32], const uint8_t author[32],
		     uint64_t seq, const char *title)
{
	struct output_known *k;

	if (grow((void **)&x->known, x->n_known, &x->cap_known, sizeof *x->known) != 0)
		return PAKT_ENOMEM;
	k = &x->known[x->n_known];
	memset(k, 0, sizeof *k);
	memcpy(k->hash, hash, 32);
	memcpy(k->author, author, 32);
	k->seq = seq;
	if (title != NULL && (k->title = strdup(title)) == NULL)
		return PAKT_ENOMEM;
	x->n_known++;
	return 0;
}

static const char *name_of(const struct output_ctx *x, const uint8_t key[32])
{
	for (size_t i = 0; x != NULL && i < x->n_members; i++)
		if (memcmp(x->members[i].key, key, 32) == 0)
			return x->members[i].name;
	return NULL;
}

int output_ctx_member(struct output_ctx *x, const uint8_t key[32], const char *name)
{
	struct output_member *m = NULL;

	if (name[0] == '\0')
		return 0;
	for (size_t i = 0; i < x->n_members && m == NULL; i++)
		if (memcmp(x->members[i].key, key, 32) == 0)
			m = &x->members[i];
	if (m == NULL) {
		if (grow((void **)&x->members, x->n_members, &x->cap_members, sizeof *x->members) != 0)
			return PAKT_ENOMEM;
		m = &x->members[x->n_members++];
		memcpy(m->key, key, 32);
	}
	snprintf(m->name, sizeof m->name, "%s", name);
	return 0;
}

void output_ctx_unit(struct output_ctx *x, const char *id, const char *unit)
{
	size_t i = 0;

	while (i < x->n_units && strcmp(x->units[i].id, id) != 0)
		i++;
	if (i == BODY_INDICATORS_MAX)
		return;
	if (i == x->n_units)
		x->n_units++;
	snprintf(x->units[i].id, sizeof x->units[i].id, "%s", id);
	snprintf(x->units[i].unit, sizeof x->units[i].unit, "%s", unit);
}

/* ---- JSON ---- */

static void out_id_json(FILE *f, enum id_kind kind, const uint8_t *raw)
{
	char text[ID_TEXT_MAX];

	id_encode(kind, raw, text);
	fprintf(f, "\"%s\"", text);
}

static void entry_json(FILE *f, const struct entry *e, int64_t received,
		       const char *author_name, const char *plain)
{
	fputs("{\"network\":", f);
	out_id_json(f, ID_NETWORK, entry_network(e));
	fputs(",\"author\":", f);
	out_id_json(f, ID_KEY, e->h.author);
	fputs(",\"author_name\":", f);
	output_json_str(f, author_name, strlen(author_name));
	if (plain != NULL) {
		fputs(",\"plain\":", f);
		output_json_str(f, plain, strlen(plain));
	}
	fprintf(f, ",\"seq\":%" PRIu64 ",\"hash\":", e->h.seq);
	out_id_json(f, ID_ENTRY, e->hash);
	fputs(",\"prev\":", f);
	if (e->h.has_prev)
		out_id_json(f, ID_ENTRY, e->h.prev);
	else
		fputs("null", f);
	fprintf(f, ",\"timestamp\":%" PRIu64 ",\"received\":%" PRId64 ",\"type\":\"%s\",\"body\":",
		e->h.timestamp, received, e->h.type);
	if (e->body != NULL)
		body_json(f, e->body, e->body_len);
	else
		fputs("null", f);
	fputc('}', f);
}

/* ---- the gist of an entry, for people ---- */

/* A member: its name (escaped) or its short id. */
static void put_who(FILE *f, const struct output_ctx *x, const uint8_t key[32])
{
	const char *nm = name_of(x, key);
	char sh[16];

	if (nm != NULL) {
		text_fit(f, nm, NAME_COLS, false);
	} else {
		id_short(ID_KEY, key, sh);
		fputs(sh, f);
	}
}

/* "NAME #12" of a referenced entry, or its short id. */
static void put_ref(FILE *f, const struct output_ctx *x, const uint8_t hash[32])
{
	const struct output_known *k = known_of(x, hash, false);
	char sh[16];

	if (k != NULL && k->seq) {
		put_who(f, x, k->author);
		fprintf(f, " #%" PRIu64, k->seq);
	} else {
		id_short(ID_ENTRY, hash, sh);
		fputs(sh, f);
	}
}

/* What put(f, x, key) writes, as a string (NULL if out of memory) to fill
 * a translated sentence: a sentence is one format, whatever the order of
 * its parts in the language. Free it. */
static char *as_text(void (*put)(FILE *, const struct output_ctx *, const uint8_t *),
		     const struct output_ctx *x, const uint8_t key[32])
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (m == NULL)
		return NULL;
	put(m, x, key);
	fclose(m);
	return buf;
}

/* Partner text s[0..len) escaped, cut to cols (0: whole), as a string
 * for a sentence (NULL if out of memory). Free it. */
static char *safe_text(const char *s, size_t len, size_t cols)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *m;

	if (cols == 0)
		return text_escape(s, len, 0, &buf, NULL) == 0 ? buf : NULL;
	if ((m = open_memstream(&buf, &n)) == NULL)
		return NULL;
	text_fit(m, s, cols, false);
	fclose(m);
	return buf;
}

#define OR_Q(s) ((s) != NULL ? (s) : "?")

/* «TITLE» of a referenced commitment, or its reference. */
static void put_title(FILE *f, const struct output_ctx *x, const uint8_t hash[32])
{
	const struct output_known *k = known_of(x, hash, true);
	char *ref;

	if (k != NULL) {
		fputs("\xc2\xab", f);
		text_fit(f, k->title, 60, false);
		fputs("\xc2\xbb", f);
	} else {
		ref = as_text(put_ref, x, hash);
		/* TRANSLATORS: a commitment whose title is unknown, by its author and number */
		fprintf(f, _("commitment %s"), OR_Q(ref));
		free(ref);
	}
}

/* ": TEXT" when text is not empty; one line unless long. */
static void put_said(FILE *f, const struct output_ctx *x, const char *text)
{
	if (text[0] == '\0')
		return;
	fputs(": ", f);
	if (x != NULL && x->long_form)
		text_put_lines(f, text, "    ");
	else
		text_put(f, text);
}

static const char *unit_of(const struct output_ctx *x, const char *id)
{
	for (size_t i = 0; x != NULL && i < x->n_units; i++)
		if (strcmp(x->units[i].id, id) == 0)
			return x->units[i].unit;
	return "";
}

/* The body of e as a msgpack map in u (0), or PAKT_EBODY. */
static int body_map(const struct entry *e, msgpack_unpacked *u)
{
	size_t off = 0;

	if (msgpack_unpack_next(u, (const char *)e->body, e->body_len, &off) != MSGPACK_UNPACK_SUCCESS ||
	    u->data.type != MSGPACK_OBJECT_MAP)
		return PAKT_EBODY;
	return 0;
}

static void gist_message(FILE *f, const struct output_ctx *x, const struct entry *e)
{
	msgpack_unpacked u;
	const char *text = "";
	size_t len = 0;
	uint8_t reply_to[32];

	msgpack_unpacked_init(&u);
	if (body_map(e, &u) == 0) {
		mpx_get_str(&u.data, "text", &text, &len);
		if (mpx_get_binn(&u.data, "reply_to", reply_to, 32) == 0) {
			char *ref = as_text(put_ref, x, reply_to);

			/* TRANSLATORS: the entry replied to: its author's name and number */
			fprintf(f, _("reply to %s: "), OR_Q(ref));
			free(ref);
		}
	}
	if (x != NULL && x->long_form) {
		char *t = strndup(text, len);

		if (t != NULL)
			text_put_lines(f, t, "    ");
		free(t);
	} else {
		text_put_n(f, text, len);
	}
	msgpack_unpacked_destroy(&u);
}

static void gist_genesis(FILE *f, const struct output_ctx *x, const struct entry *e)
{
	msgpack_unpacked u;
	const char *name = "", *goal = "";
	size_t nlen = 0, glen = 0;

	char *n, *g;

	msgpack_unpacked_init(&u);
	if (body_map(e, &u) == 0) {
		mpx_get_str(&u.data, "name", &name, &nlen);
		mpx_get_str(&u.data, "goal", &goal, &glen);
	}
	n = safe_text(name, nlen, 0);
	g = safe_text(goal, glen, 0);
	if (glen > 0)
		/* TRANSLATORS: the initiative's name and its goal */
		fprintf(f, _("starts the initiative \xc2\xab%s\xc2\xbb: %s"), OR_Q(n), OR_Q(g));
	else
		fprintf(f, _("starts the initiative \xc2\xab%s\xc2\xbb"), OR_Q(n));
	free(n);
	free(g);
	msgpack_unpacked_destroy(&u);
	(void)x;
}

static void gist_update(FILE *f, const struct output_ctx *x, const struct body_update *b)
{
	char num[32], den[32];

	text_put(f, b->period);
	fputc(':', f);
	for (size_t i = 0; i < b->n; i++) {
		const char *unit = unit_of(x, b->v[i].indicator);

		fputs(i ? ", " : " ", f);
		text_put(f, b->v[i].indicator);
		metrics_fmt_num(b->v[i].value, num);
		fputc(' ', f);
		if (b->v[i].has_den) {
			metrics_fmt_num(b->v[i].den, den);
			/* TRANSLATORS: a value out of a total: "12 of 80" */
			fprintf(f, _("%s of %s"), num, den);
		} else {
			fputs(num, f);
		}
		if (unit[0]) {
			fputc(' ', f);
			text_put(f, unit);
		}
	}
	if (b->text[0] && x != NULL && x->long_form) {
		fputs(" \xe2\x80\x94 ", f);     /* — */
		text_put_lines(f, b->text, "    ");
	} else if (b->text[0]) {
		fputs(" \xe2\x80\x94 ", f);
		text_put(f, b->text);
	}
}

/* The part of a line after the type, for the types pakt knows; false if
 * the body is not one of them (the caller shows its JSON). */
static bool gist(FILE *f, struct output_ctx *x, const struct entry *e)
{
	static union {
		struct body_update u;
		struct body_commitment c;
		struct body_ref r;
		struct body_status s;
		struct body_member m;
		struct body_profile p;
		struct body_agenda a;
		struct body_head h[BODY_HEADS_MAX];
	} b;
	size_t n;
	const char *t = e->h.type;
	char *s1 = NULL;

	if (strcmp(t, "message") == 0) {
		gist_message(f, x, e);
	} else if (strcmp(t, "genesis") == 0) {
		gist_genesis(f, x, e);
	} else if (strcmp(t, "update") == 0 && body_update_parse(e->body, e->body_len, &b.u) == 0) {
		gist_update(f, x, &b.u);
	} else if (strcmp(t, "commitment") == 0 &&
		   body_commitment_parse(e->body, e->body_len, &b.c) == 0) {
		s1 = safe_text(b.c.title, strlen(b.c.title), 0);
		/* TRANSLATORS: a commitment's title and its due date (YYYY-MM-DD) */
		fprintf(f, _("\xc2\xab%s\xc2\xbb due %s"), OR_Q(s1), b.c.due);
		if (x != NULL)
			output_ctx_entry(x, e->hash, e->h.author, e->h.seq, b.c.title);
	} else if ((strcmp(t, "accept") == 0 || strcmp(t, "decline") == 0) &&
		   body_ref_parse(t, e->body, e->body_len, &b.r) == 0) {
		const char *fmt = t[0] == 'a' ? (b.r.change ? _("accepts %s (changed answer)") : _("accepts %s"))
				  : (b.r.change ? _("declines %s (changed answer)") : _("declines %s"));

		s1 = as_text(put_title, x, b.r.ref);
		fprintf(f, fmt, OR_Q(s1));
		put_said(f, x, b.r.text);
	} else if (strcmp(t, "redact") == 0 && body_ref_parse(t, e->body, e->body_len, &b.r) == 0) {
		s1 = as_text(put_ref, x, b.r.ref);
		fprintf(f, _("removes the text of %s"), OR_Q(s1));
		put_said(f, x, b.r.text);
	} else if (strcmp(t, "status") == 0 && body_status_parse(e->body, e->body_len, &b.s) == 0) {
		s1 = as_text(put_title, x, b.s.ref);
		/* TRANSLATORS: the state (fulfilled, missed, ... as typed) and the commitment */
		fprintf(f, b.s.reopen ? _("status %s (reopened) on %s") : _("status %s on %s"), b.s.state,
			OR_Q(s1));
		put_said(f, x, b.s.note);
	} else if (strcmp(t, "member") == 0 && body_member_parse(e->body, e->body_len, &b.m) == 0) {
		char sh[16];

		id_short(ID_KEY, b.m.key, sh);
		s1 = b.m.name[0] ? safe_text(b.m.name, strlen(b.m.name), NAME_COLS) : strdup(sh);
		/* TRANSLATORS: the organisation's name and its short id */
		fprintf(f, b.m.add ? (b.m.admin ? _("admits %s (%s) as admin") : _("admits %s (%s) as member"))
				   : (b.m.admin ? _("removes %s (%s) as admin") : _("removes %s (%s) as member")),
			OR_Q(s1), sh);
	} else if (strcmp(t, "profile") == 0 && body_profile_parse(e->body, e->body_len, &b.p) == 0) {
		s1 = safe_text(b.p.name, strlen(b.p.name), 0);
		/* TRANSLATORS: the organisation's name and its sector (ngo, public, ... as typed) */
		fprintf(f, _("profile: %s, %s"), OR_Q(s1), b.p.sector);
		if (b.p.contact[0]) {
			fputs(", ", f);
			text_put(f, b.p.contact);
		}
	} else if (strcmp(t, "agenda") == 0 && body_agenda_parse(e->body, e->body_len, &b.a) == 0) {
		s1 = b.a.goal[0] ? safe_text(b.a.goal, strlen(b.a.goal), 0) : strdup(_("(no goal)"));
		/* TRANSLATORS: the shared goal; its indicators follow */
		fprintf(f, _("agenda: %s"), OR_Q(s1));
		for (size_t i = 0; i < b.a.n; i++) {
			fputs(i ? ", " : "; ", f);
			text_put(f, b.a.ind[i].id);
			if (b.a.ind[i].unit[0]) {
				fputs(" (", f);
				text_put(f, b.a.ind[i].unit);
				fputc(')', f);
			}
			if (x != NULL)
				output_ctx_unit(x, b.a.ind[i].id, b.a.ind[i].unit);
		}
	} else if (strcmp(t, "checkpoint") == 0 &&
		   body_checkpoint_parse(e->body, e->body_len, b.h, BODY_HEADS_MAX, &n) == 0) {
		fprintf(f, P_("holds %zu feed", "holds %zu feeds", n), n);
	} else {
		return false;
	}
	free(s1);
	return true;
}

/* The body's JSON, escaped for the terminal. */
static void body_json_safe(FILE *f, const struct entry *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (m == NULL) {
		fputs(_("(out of memory)"), f);
		return;
	}
	body_json(m, e->body, e->body_len);
	fclose(m);
	text_put_n(f, buf, len);
	free(buf);
}

static void entry_gist(FILE *f, struct output_ctx *x, const struct entry *e, const char *plain)
{
	if (plain != NULL) {
		/* TRANSLATORS: before a sealed message this node can read */
		fputs(_("(private) "), f);
		if (x != NULL && x->long_form)
			text_put_lines(f, plain, "    ");
		else
			text_put(f, plain);
	} else if (e->body == NULL || canon_check(e->body, e->body_len, CANON_MAX_DEPTH) != 0) {
		fputs(_("(body not present: redacted or not fetched)"), f);
	} else if (strcmp(e->h.type, "sealed") == 0) {
		fputs(_("(private message for other members)"), f);
	} else if (!gist(f, x, e)) {
		body_json_safe(f, e);
	}
}

/* The field names of --long, aligned to the widest in this language. */
enum long_field { LF_ID, LF_AUTHOR, LF_NETWORK, LF_PREV, LF_RECEIVED, LF_BODY, LF_GIST, LF_N };

static void put_field(FILE *f, enum long_field which)
{
	static const char *const label[LF_N] = {
		N_("id"), N_("author"), N_("network"), N_("prev"), N_("received"), N_("body"), N_("gist"),
	};
	static size_t cols;
	static bool measured;

	for (size_t i = 0; !measured && i < LF_N; i++)
		if (text_width(_(label[i]), strlen(_(label[i]))) + 2 > cols)
			cols = text_width(_(label[i]), strlen(_(label[i]))) + 2;
	measured = true;
	fputs("  ", f);
	text_pad(f, _(label[which]), cols, false);
}

/* --long: every field, one per line, the text on as many lines as it has
 * (indented: partner text never starts a line). */
static void entry_long(FILE *f, struct output_ctx *x, const struct entry *e, int64_t received)
{
	char when[32], ago[32], idt[ID_TEXT_MAX], *type, *who;

	output_time(e->h.timestamp, when);
	output_ago(e->h.timestamp, x->now_ms, ago);
	type = safe_text(e->h.type, strlen(e->h.type), 0);
	who = as_text(put_who, x, e->h.author);
	/* TRANSLATORS: #number, entry type (as typed), author, date and time, how long ago */
	fprintf(f, _("#%llu %s by %s, %s (%s)\n"), (unsigned long long)e->h.seq, OR_Q(type), OR_Q(who),
		when, ago);
	free(type);
	free(who);
	id_encode(ID_ENTRY, e->hash, idt);
	put_field(f, LF_ID);
	fprintf(f, "%s\n", idt);
	id_encode(ID_KEY, e->h.author, idt);
	put_field(f, LF_AUTHOR);
	fprintf(f, "%s\n", idt);
	id_encode(ID_NETWORK, entry_network(e), idt);
	put_field(f, LF_NETWORK);
	fprintf(f, "%s\n", idt);
	if (e->h.has_prev) {
		id_encode(ID_ENTRY, e->h.prev, idt);
		put_field(f, LF_PREV);
		fprintf(f, "%s\n", idt);
	}
	if (received > 0) {
		output_time((uint64_t)received, when);
		put_field(f, LF_RECEIVED);
		fprintf(f, "%s\n", when);
	}
	if (e->body != NULL && canon_check(e->body, e->body_len, CANON_MAX_DEPTH) == 0) {
		put_field(f, LF_BODY);
		body_json_safe(f, e);
		fputc('\n', f);
	}
}

void output_entry(FILE *f, struct output_ctx *x, const uint8_t *wire, size_t len,
		  int64_t received, const char *author_name, const char *plain, bool json)
{
	struct entry e;
	char when[32], author[16];
	int rc;

	rc = entry_decode(&e, wire, len);
	if (rc != 0) {
		if (json)
			fprintf(f, "{\"error\":\"damaged entry: %s\"}", pakt_strerror(rc));
		else
			fprintf(f, _("(damaged entry: %s)\n"), pakt_strerror(rc));
		return;
	}
	if (json) {
		entry_json(f, &e, received, author_name, plain);
		return;
	}
	if (x != NULL) {
		output_ctx_member(x, e.h.author, author_name);
		output_ctx_entry(x, e.hash, e.h.author, e.h.seq, NULL);
	}
	if (x != NULL && x->long_form) {
		entry_long(f, x, &e, received);
		put_field(f, LF_GIST);
		entry_gist(f, x, &e, plain);
		fputs("\n\n", f);
		return;
	}
	if (x != NULL)
		output_ago(e.h.timestamp, x->now_ms, when);
	else
		output_time(e.h.timestamp, when);
	id_short(ID_KEY, e.h.author, author);
	text_pad(f, when, ago_cols(), false);
	fputs("  ", f);
	text_fit(f, author_name[0] ? author_name : author, NAME_COLS, false);
	fprintf(f, " #%" PRIu64 "  ", e.h.seq);
	rc = (int)text_fit(f, e.h.type, ENTRY_TYPE_MAX, false);
	for (; rc < 8; rc++)
		fputc(' ', f);
	fputc(' ', f);
	entry_gist(f, x, &e, plain);
	fputc('\n', f);
}
