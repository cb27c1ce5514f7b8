/* Text and JSON rendering of entries. */
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include "cli/output.h"
#include "proto/canon.h"
#include "proto/err.h"
#include "proto/id.h"

void out_json_str(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\t')
			fputs("\\t", f);
		else if (ch == '\r')
			fputs("\\r", f);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void out_hex(FILE *f, const uint8_t *p, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
	fputc('"', f);
}

void out_json_value(FILE *f, const msgpack_object *o)
{
	switch (o->type) {
	case MSGPACK_OBJECT_NIL: fputs("null", f); break;
	case MSGPACK_OBJECT_BOOLEAN: fputs(o->via.boolean ? "true" : "false", f); break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER: fprintf(f, "%" PRIu64, o->via.u64); break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER: fprintf(f, "%" PRId64, o->via.i64); break;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		if (isfinite(o->via.f64))
			fprintf(f, "%.17g", o->via.f64);
		else
			fputs("null", f);
		break;
	case MSGPACK_OBJECT_STR: out_json_str(f, o->via.str.ptr, o->via.str.size); break;
	case MSGPACK_OBJECT_BIN:
		out_hex(f, (const uint8_t *)o->via.bin.ptr, o->via.bin.size);
		break;
	case MSGPACK_OBJECT_ARRAY:
		fputc('[', f);
		for (uint32_t i = 0; i < o->via.array.size; i++) {
			if (i)
				fputc(',', f);
			out_json_value(f, &o->via.array.ptr[i]);
		}
		fputc(']', f);
		break;
	case MSGPACK_OBJECT_MAP:
		fputc('{', f);
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			const msgpack_object_kv *kv = &o->via.map.ptr[i];

			if (i)
				fputc(',', f);
			if (kv->key.type == MSGPACK_OBJECT_STR)
				out_json_str(f, kv->key.via.str.ptr, kv->key.via.str.size);
			else
				fputs("\"?\"", f);
			fputc(':', f);
			out_json_value(f, &kv->val);
		}
		fputc('}', f);
		break;
	default: fputs("null", f); break;
	}
}

void out_time(uint64_t ms, char buf[32])
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

static void entry_json(FILE *f, const struct entry *e, const msgpack_object *body,
		       int64_t received, const char *author_name, const char *plain)
{
	fputs("{\"network\":", f);
	out_id_json(f, ID_NETWORK, entry_network(e));
	fputs(",\"author\":", f);
	out_id_json(f, ID_KEY, e->h.author);
	fputs(",\"author_name\":", f);
	out_json_str(f, author_name, strlen(author_name));
	if (plain != NULL) {
		fputs(",\"plain\":", f);
		out_json_str(f, plain, strlen(plain));
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
	if (body != NULL)
		out_json_value(f, body);
	else
		fputs("null", f);
	fputc('}', f);
}

/* The text of a body for one line: "text" when there is one, else JSON. */
static void body_text(FILE *f, const msgpack_object *body)
{
	const msgpack_object *text = NULL;

	for (uint32_t i = 0; body && i < body->via.map.size; i++) {
		const msgpack_object_kv *kv = &body->via.map.ptr[i];

		if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == 4 &&
		    memcmp(kv->key.via.str.ptr, "text", 4) == 0 && kv->val.type == MSGPACK_OBJECT_STR)
			text = &kv->val;
	}
	if (body == NULL)
		fputs("(body not present: redacted or not fetched)", f);
	else if (text != NULL)
		fwrite(text->via.str.ptr, 1, text->via.str.size, f);
	else
		out_json_value(f, body);
}

void out_entry(FILE *f, const uint8_t *wire, size_t len, int64_t received,
	       const char *author_name, const char *plain, bool json)
{
	struct entry e;
	msgpack_unpacked body;
	const msgpack_object *bodyp = NULL;
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
	msgpack_unpacked_init(&body);
	if (e.body != NULL && canon_unpack(&body, e.body, e.body_len, CANON_MAX_DEPTH) == 0)
		bodyp = &body.data;
	if (json) {
		entry_json(f, &e, bodyp, received, author_name, plain);
	} else {
		out_time(e.h.timestamp, when);
		id_short(ID_KEY, e.h.author, author);
		fprintf(f, "%s  %s #%" PRIu64 "  %-8s ", when, author_name[0] ? author_name : author,
			e.h.seq, e.h.type);
		if (plain != NULL)
			fprintf(f, "(private) %s", plain);
		else if (strcmp(e.h.type, "sealed") == 0 && bodyp != NULL)
			fputs("(private message for other members)", f);
		else
			body_text(f, bodyp);
		fputc('\n', f);
	}
	msgpack_unpacked_destroy(&body);
}
