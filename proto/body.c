/* Entry bodies: builders and schema checks per entry type. */
#include "proto/body.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto/canon.h"
#include "proto/entry.h"
#include "proto/err.h"

int body_message(struct mpx_out *o, const char *text, const uint8_t *reply_to)
{
	if (text == NULL)
		return PAKT_EINVAL;
	size_t len = strlen(text);
	if (len > BODY_TEXT_MAX)
		return PAKT_ETOOBIG;
	if (!canon_utf8_valid(text, len))
		return PAKT_EUTF8;
	/* keys in bytewise order: "reply_to" < "text" */
	msgpack_pack_map(&o->pk, reply_to != NULL ? 2 : 1);
	if (reply_to != NULL)
		mpx_kv_bin(&o->pk, "reply_to", reply_to, 32);
	mpx_kv_str(&o->pk, "text", text);
	return 0;
}

int body_genesis(struct mpx_out *o, const char *name, const char *goal,
		 const uint8_t (*admins)[32], size_t n_admins)
{
	if (name == NULL || goal == NULL || (admins == NULL && n_admins > 0))
		return PAKT_EINVAL;
	size_t name_len = strlen(name), goal_len = strlen(goal);
	if (name_len == 0 || n_admins == 0)
		return PAKT_EINVAL;
	if (name_len > BODY_NAME_MAX || goal_len > BODY_TEXT_MAX ||
	    n_admins > BODY_ADMINS_MAX)
		return PAKT_ETOOBIG;
	if (!canon_utf8_valid(name, name_len) ||
	    !canon_utf8_valid(goal, goal_len))
		return PAKT_EUTF8;
	for (size_t i = 0; i < n_admins; i++)
		for (size_t j = 0; j < i; j++)
			if (memcmp(admins[i], admins[j], 32) == 0)
				return PAKT_EINVAL;
	/* "admins" < "goal" < "name" */
	msgpack_pack_map(&o->pk, 3);
	mpx_str(&o->pk, "admins");
	msgpack_pack_array(&o->pk, n_admins);
	for (size_t i = 0; i < n_admins; i++)
		mpx_bin(&o->pk, admins[i], 32);
	mpx_kv_str(&o->pk, "goal", goal);
	mpx_kv_str(&o->pk, "name", name);
	return 0;
}

int body_member(struct mpx_out *o, bool add, const uint8_t key[32], const char *name,
		bool admin)
{
	size_t len = name ? strlen(name) : 0;

	if (key == NULL || len > BODY_NAME_MAX || !canon_utf8_valid(name ? name : "", len))
		return PAKT_EINVAL;
	/* keys in bytewise order: action, key, name, role */
	msgpack_pack_map(&o->pk, 4);
	mpx_kv_str(&o->pk, "action", add ? "add" : "remove");
	mpx_kv_bin(&o->pk, "key", key, 32);
	mpx_kv_str(&o->pk, "name", name ? name : "");
	mpx_kv_str(&o->pk, "role", admin ? "admin" : "member");
	return 0;
}

/* Write the reason and return PAKT_EBODY. */
static int fail(char *why, size_t whylen, const char *fmt, ...)
{
	if (why != NULL && whylen > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return PAKT_EBODY;
}

/* A peer's key name, safe to print: printable ASCII, at most 32 chars. */
static void printable(char out[36], const char *s, uint32_t len)
{
	size_t n = len > 32 ? 32 : len, i;
	for (i = 0; i < n; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (len > 32)
		out[i++] = '.', out[i++] = '.', out[i++] = '.';
	out[i] = '\0';
}

static bool key_is(const char *k, uint32_t klen, const char *name)
{
	return klen == strlen(name) && memcmp(k, name, klen) == 0;
}

/* A str value of min..max bytes (UTF-8 was checked by canon_check). */
static int rd_text(struct canon_rd *r, const char *key, size_t min, size_t max,
		   char *why, size_t whylen)
{
	const char *s;
	uint32_t len;
	if (canon_rd_str(r, &s, &len) != 0)
		return fail(why, whylen, "\"%s\" is not a string", key);
	if (len < min)
		return fail(why, whylen, "\"%s\" is empty", key);
	if (len > max)
		return fail(why, whylen, "\"%s\" is longer than %zu bytes", key,
			    max);
	return 0;
}

static int rd_bin32(struct canon_rd *r, const uint8_t **p, const char *key,
		    char *why, size_t whylen)
{
	uint32_t len;
	if (canon_rd_bin(r, p, &len) != 0 || len != 32)
		return fail(why, whylen, "\"%s\" is not 32 bytes of bin", key);
	return 0;
}

static int validate_message(struct canon_rd *r, uint32_t n, char *why,
			    size_t whylen)
{
	bool have_text = false;
	const uint8_t *p;
	char shown[36];
	int rc;

	for (uint32_t i = 0; i < n; i++) {
		const char *k;
		uint32_t klen;
		canon_rd_str(r, &k, &klen);     /* canonical: keys are str */
		if (key_is(k, klen, "reply_to")) {
			rc = rd_bin32(r, &p, "reply_to", why, whylen);
		} else if (key_is(k, klen, "text")) {
			rc = rd_text(r, "text", 0, BODY_TEXT_MAX, why, whylen);
			have_text = true;
		} else {
			printable(shown, k, klen);
			return fail(why, whylen, "message: unknown key \"%s\"",
				    shown);
		}
		if (rc != 0)
			return rc;
	}
	if (!have_text)
		return fail(why, whylen, "message: \"text\" is missing");
	return 0;
}

static int validate_admins(struct canon_rd *r, char *why, size_t whylen)
{
	const uint8_t *admins[BODY_ADMINS_MAX];
	uint32_t n;

	if (canon_rd_array(r, &n) != 0)
		return fail(why, whylen, "\"admins\" is not an array");
	if (n < 1 || n > BODY_ADMINS_MAX)
		return fail(why, whylen, "\"admins\" must list 1 to %d keys",
			    BODY_ADMINS_MAX);
	for (uint32_t i = 0; i < n; i++) {
		if (rd_bin32(r, &admins[i], "admins[]", why, whylen) != 0)
			return PAKT_EBODY;
		for (uint32_t j = 0; j < i; j++)
			if (memcmp(admins[i], admins[j], 32) == 0)
				return fail(why, whylen,
					    "\"admins\" lists a key twice");
	}
	return 0;
}

static int validate_genesis(struct canon_rd *r, uint32_t n, char *why,
			    size_t whylen)
{
	/* canonical order is alphabetical, so the three keys come in order */
	static const char *const keys[] = { "admins", "goal", "name" };
	char shown[36];
	int rc;

	if (n != 3)
		return fail(why, whylen,
			    "genesis: needs exactly \"admins\", \"goal\", \"name\"");
	for (uint32_t i = 0; i < 3; i++) {
		const char *k;
		uint32_t klen;
		canon_rd_str(r, &k, &klen);
		if (!key_is(k, klen, keys[i])) {
			printable(shown, k, klen);
			return fail(why, whylen,
				    "genesis: unexpected key \"%s\"", shown);
		}
		switch (i) {
		case 0: rc = validate_admins(r, why, whylen); break;
		case 1: rc = rd_text(r, "goal", 0, BODY_TEXT_MAX, why, whylen);
			break;
		default: rc = rd_text(r, "name", 1, BODY_NAME_MAX, why, whylen);
			break;
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* member: {"action": "add"|"remove", "key": bin32, "name": str, "role":
 * "admin"|"member"}; out may be NULL. */
static int parse_member(struct canon_rd *r, uint32_t n, struct body_member *out,
			char *why, size_t whylen)
{
	static const char *const keys[] = { "action", "key", "name", "role" };
	struct body_member m = {0};
	const char *s;
	const uint8_t *key;
	uint32_t len;
	char shown[36];

	if (n != 4)
		return fail(why, whylen, "member: needs exactly \"action\", \"key\", \"name\", \"role\"");
	for (uint32_t i = 0; i < 4; i++) {
		const char *k;
		uint32_t klen;

		canon_rd_str(r, &k, &klen);
		if (!key_is(k, klen, keys[i])) {
			printable(shown, k, klen);
			return fail(why, whylen, "member: unexpected key \"%s\"", shown);
		}
		if (i == 1) {
			if (rd_bin32(r, &key, "key", why, whylen) != 0)
				return PAKT_EBODY;
			memcpy(m.key, key, 32);
			continue;
		}
		if (canon_rd_str(r, &s, &len) != 0)
			return fail(why, whylen, "member: \"%s\" is not a string", keys[i]);
		if (i == 0 && (key_is(s, len, "add") || key_is(s, len, "remove")))
			m.add = s[0] == 'a';
		else if (i == 2 && len <= BODY_NAME_MAX)
			memcpy(m.name, s, len);
		else if (i == 3 && (key_is(s, len, "admin") || key_is(s, len, "member")))
			m.admin = s[1] == 'd';
		else
			return fail(why, whylen, "member: bad \"%s\"", keys[i]);
	}
	if (out != NULL)
		*out = m;
	return 0;
}

int body_member_parse(const uint8_t *body, size_t len, struct body_member *out)
{
	struct canon_rd r;
	uint32_t n;

	if (body == NULL || canon_check(body, len, CANON_MAX_DEPTH) != 0)
		return PAKT_EBODY;
	canon_rd_init(&r, body, len);
	if (canon_rd_map(&r, &n) != 0)
		return PAKT_EBODY;
	return parse_member(&r, n, out, NULL, 0);
}

int body_validate(const char *type, const uint8_t *body, size_t len,
		  char *why, size_t whylen)
{
	struct canon_rd r;
	uint32_t n;
	int rc;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (type == NULL || body == NULL)
		return fail(why, whylen, "no body");
	if (len > ENTRY_BODY_MAX)
		return fail(why, whylen, "body is larger than %d bytes",
			    ENTRY_BODY_MAX);
	if ((rc = canon_check(body, len, CANON_MAX_DEPTH)) != 0)
		return fail(why, whylen, "body: %s", pakt_strerror(rc));
	canon_rd_init(&r, body, len);
	if (canon_rd_map(&r, &n) != 0)
		return fail(why, whylen, "body is not a map");
	if (strcmp(type, "message") == 0)
		return validate_message(&r, n, why, whylen);
	if (strcmp(type, "genesis") == 0)
		return validate_genesis(&r, n, why, whylen);
	if (strcmp(type, "member") == 0)
		return parse_member(&r, n, NULL, why, whylen);
	return 0;   /* unknown types: any canonical map, for newer peers */
}
