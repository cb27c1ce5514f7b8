/* Text and JSON rendering of entries. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
		snprintf(buf, 32, "just now");
	} else if (s < 3600) {
		snprintf(buf, 32, "%" PRId64 " min ago", s / 60);
	} else if (s < 86400) {
		snprintf(buf, 32, "%" PRId64 " h ago", s / 3600);
	} else {
		snprintf(buf, 32, "%" PRId64 " day%s ago", s / 86400, s < 2 * 86400 ? "" : "s");
	}
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

/* «TITLE» of a referenced commitment, or its reference. */
static void put_title(FILE *f, const struct output_ctx *x, const uint8_t hash[32])
{
	const struct output_known *k = known_of(x, hash, true);

	if (k != NULL) {
		fputs("\xc2\xab", f);
		text_fit(f, k->title, 60, false);
		fputs("\xc2\xbb", f);
	} else {
		fputs("commitment ", f);
		put_ref(f, x, hash);
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
			fputs("reply to ", f);
			put_ref(f, x, reply_to);
			fputs(": ", f);
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

	msgpack_unpacked_init(&u);
	if (body_map(e, &u) == 0) {
		mpx_get_str(&u.data, "name", &name, &nlen);
		mpx_get_str(&u.data, "goal", &goal, &glen);
	}
	fputs("starts the initiative \xc2\xab", f);
	text_put_n(f, name, nlen);
	fputs("\xc2\xbb", f);
	if (glen > 0) {
		fputs(": ", f);
		text_put_n(f, goal, glen);
	}
	msgpack_unpacked_destroy(&u);
	(void)x;
}

static void gist_update(FILE *f, const struct output_ctx *x, const struct body_update *b)
{
	char num[32];

	text_put(f, b->period);
	fputc(':', f);
	for (size_t i = 0; i < b->n; i++) {
		const char *unit = unit_of(x, b->v[i].indicator);

		fputs(i ? ", " : " ", f);
		text_put(f, b->v[i].indicator);
		metrics_fmt_num(b->v[i].value, num);
		fprintf(f, " %s", num);
		if (b->v[i].has_den) {
			metrics_fmt_num(b->v[i].den, num);
			fprintf(f, " of %s", num);
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

	if (strcmp(t, "message") == 0) {
		gist_message(f, x, e);
	} else if (strcmp(t, "genesis") == 0) {
		gist_genesis(f, x, e);
	} else if (strcmp(t, "update") == 0 && body_update_parse(e->body, e->body_len, &b.u) == 0) {
		gist_update(f, x, &b.u);
	} else if (strcmp(t, "commitment") == 0 &&
		   body_commitment_parse(e->body, e->body_len, &b.c) == 0) {
		fputs("\xc2\xab", f);
		text_put(f, b.c.title);
		fprintf(f, "\xc2\xbb due %s", b.c.due);
		if (x != NULL)
			output_ctx_entry(x, e->hash, e->h.author, e->h.seq, b.c.title);
	} else if ((strcmp(t, "accept") == 0 || strcmp(t, "decline") == 0) &&
		   body_ref_parse(t, e->body, e->body_len, &b.r) == 0) {
		fputs(t[0] == 'a' ? "accepts " : "declines ", f);
		put_title(f, x, b.r.ref);
		fputs(b.r.change ? " (changed answer)" : "", f);
		put_said(f, x, b.r.text);
	} else if (strcmp(t, "redact") == 0 && body_ref_parse(t, e->body, e->body_len, &b.r) == 0) {
		fputs("removes the text of ", f);
		put_ref(f, x, b.r.ref);
		put_said(f, x, b.r.text);
	} else if (strcmp(t, "status") == 0 && body_status_parse(e->body, e->body_len, &b.s) == 0) {
		fprintf(f, "status %s%s on ", b.s.state, b.s.reopen ? " (reopened)" : "");
		put_title(f, x, b.s.ref);
		put_said(f, x, b.s.note);
	} else if (strcmp(t, "member") == 0 && body_member_parse(e->body, e->body_len, &b.m) == 0) {
		char sh[16];

		id_short(ID_KEY, b.m.key, sh);
		fputs(b.m.add ? "admits " : "removes ", f);
		text_fit(f, b.m.name[0] ? b.m.name : sh, NAME_COLS, false);
		fprintf(f, " (%s) as %s", sh, b.m.admin ? "admin" : "member");
	} else if (strcmp(t, "profile") == 0 && body_profile_parse(e->body, e->body_len, &b.p) == 0) {
		fputs("profile: ", f);
		text_put(f, b.p.name);
		fprintf(f, ", %s", b.p.sector);
		if (b.p.contact[0]) {
			fputs(", ", f);
			text_put(f, b.p.contact);
		}
	} else if (strcmp(t, "agenda") == 0 && body_agenda_parse(e->body, e->body_len, &b.a) == 0) {
		fputs("agenda: ", f);
		text_put(f, b.a.goal[0] ? b.a.goal : "(no goal)");
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
		fprintf(f, "holds %zu feed%s", n, n == 1 ? "" : "s");
	} else {
		return false;
	}
	return true;
}

/* The body's JSON, escaped for the terminal. */
static void body_json_safe(FILE *f, const struct entry *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (m == NULL) {
		fputs("(out of memory)", f);
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
		fputs("(private) ", f);
		if (x != NULL && x->long_form)
			text_put_lines(f, plain, "    ");
		else
			text_put(f, plain);
	} else if (e->body == NULL || canon_check(e->body, e->body_len, CANON_MAX_DEPTH) != 0) {
		fputs("(body not present: redacted or not fetched)", f);
	} else if (strcmp(e->h.type, "sealed") == 0) {
		fputs("(private message for other members)", f);
	} else if (!gist(f, x, e)) {
		body_json_safe(f, e);
	}
}

/* --long: every field, one per line, the text on as many lines as it has
 * (indented: partner text never starts a line). */
static void entry_long(FILE *f, struct output_ctx *x, const struct entry *e, int64_t received)
{
	char when[32], ago[32], idt[ID_TEXT_MAX];

	output_time(e->h.timestamp, when);
	output_ago(e->h.timestamp, x->now_ms, ago);
	fprintf(f, "#%" PRIu64 " ", e->h.seq);
	text_put(f, e->h.type);
	fputs(" by ", f);
	put_who(f, x, e->h.author);
	fprintf(f, ", %s (%s)\n", when, ago);
	id_encode(ID_ENTRY, e->hash, idt);
	fprintf(f, "  id        %s\n", idt);
	id_encode(ID_KEY, e->h.author, idt);
	fprintf(f, "  author    %s\n", idt);
	id_encode(ID_NETWORK, entry_network(e), idt);
	fprintf(f, "  network   %s\n", idt);
	if (e->h.has_prev) {
		id_encode(ID_ENTRY, e->h.prev, idt);
		fprintf(f, "  prev      %s\n", idt);
	}
	if (received > 0) {
		output_time((uint64_t)received, when);
		fprintf(f, "  received  %s\n", when);
	}
	if (e->body != NULL && canon_check(e->body, e->body_len, CANON_MAX_DEPTH) == 0) {
		fputs("  body      ", f);
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
			fprintf(f, "(damaged entry: %s)\n", pakt_strerror(rc));
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
		fputs("  gist      ", f);
		entry_gist(f, x, &e, plain);
		fputs("\n\n", f);
		return;
	}
	if (x != NULL)
		output_ago(e.h.timestamp, x->now_ms, when);
	else
		output_time(e.h.timestamp, when);
	id_short(ID_KEY, e.h.author, author);
	text_pad(f, when, 10, false);
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
