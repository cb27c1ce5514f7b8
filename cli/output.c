/* Text and JSON rendering of entries. */
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include "cli/output.h"
#include "proto/canon.h"
#include "proto/ctlop_reply.h"
#include "proto/err.h"
#include "proto/id.h"

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

/* The text of a body for one line: "text" when there is one, else JSON. */
static void body_text(FILE *f, const struct entry *e)
{
	const char *text;
	size_t len;

	if (e->body == NULL || canon_check(e->body, e->body_len, CANON_MAX_DEPTH) != 0)
		fputs("(body not present: redacted or not fetched)", f);
	else if (ctlop_map_str(e->body, e->body_len, "text", &text, &len) == 0)
		fwrite(text, 1, len, f);
	else
		body_json(f, e->body, e->body_len);
}

void output_entry(FILE *f, const uint8_t *wire, size_t len, int64_t received,
	       const char *author_name, const char *plain, bool json)
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
	output_time(e.h.timestamp, when);
	id_short(ID_KEY, e.h.author, author);
	fprintf(f, "%s  %s #%" PRIu64 "  %-8s ", when, author_name[0] ? author_name : author,
		e.h.seq, e.h.type);
	if (plain != NULL)
		fprintf(f, "(private) %s", plain);
	else if (strcmp(e.h.type, "sealed") == 0 && e.body != NULL &&
		 canon_check(e.body, e.body_len, CANON_MAX_DEPTH) == 0)
		fputs("(private message for other members)", f);
	else
		body_text(f, &e);
	fputc('\n', f);
}
