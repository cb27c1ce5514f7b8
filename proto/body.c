/* Entry bodies: the schema of each entry type and its validation.
 *
 * The map schemas of the collective-impact bodies are tables of fields
 * (struct body_field) read by one key walker (body_walk() in
 * body_read.c); builders are in body_build.c, the sealed envelope in
 * sealed.c, dates and periods in date.c. */
#include "proto/body_priv.h"

#include <stddef.h>
#include <string.h>

#include "proto/entry.h"
#include "proto/err.h"
#include "proto/sealed.h"

/* ---- message, genesis, member ---- */

static int validate_message(struct canon_rd *r, uint32_t n, char *why,
			    size_t whylen)
{
	bool have_text = false;
	const uint8_t *p;
	int rc;

	for (uint32_t i = 0; i < n; i++) {
		const char *k;
		uint32_t klen;
		canon_rd_str(r, &k, &klen);     /* canonical: keys are str */
		if (body_key_is(k, klen, "reply_to")) {
			rc = body_rd_bin32(r, &p, "reply_to", why, whylen);
		} else if (body_key_is(k, klen, "text")) {
			rc = body_rd_text(r, "text", 0, BODY_TEXT_MAX, why, whylen);
			have_text = true;
		} else {
			return body_unknown_key("message", k, klen, why, whylen);
		}
		if (rc != 0)
			return rc;
	}
	if (!have_text)
		return body_missing_key("message", "text", why, whylen);
	return 0;
}

static int validate_genesis(struct canon_rd *r, uint32_t n, char *why,
			    size_t whylen)
{
	/* canonical order is alphabetical, so the three keys come in order */
	const uint8_t *admins[KEYS_MAX];
	uint32_t cnt;
	int rc;

	if (n != 3)
		return body_fail(why, whylen,
				 "genesis: needs exactly \"admins\", \"goal\", \"name\"");
	if ((rc = body_expect_key(r, "genesis", "admins", why, whylen)) != 0 ||
	    (rc = body_rd_keys(r, NULL, "admins", BODY_ADMINS_MAX,
			       "\"admins\" must list 1 to %d keys",
			       "\"admins[]\" is not 32 bytes of bin", admins, &cnt,
			       why, whylen)) != 0 ||
	    (rc = body_expect_key(r, "genesis", "goal", why, whylen)) != 0 ||
	    (rc = body_rd_text(r, "goal", 0, BODY_TEXT_MAX, why, whylen)) != 0 ||
	    (rc = body_expect_key(r, "genesis", "name", why, whylen)) != 0)
		return rc;
	return body_rd_text(r, "name", 1, BODY_NAME_MAX, why, whylen);
}

/* member: {"action": "add"|"remove", "key": bin32, "name": str, "role":
 * "admin"|"member"}; out may be NULL. */
static int parse_member(struct canon_rd *r, uint32_t n, struct body_member *out,
			char *why, size_t whylen)
{
	static const char *const keys[] = { "action", "key", "name", "role", "seq" };
	struct body_member m = {0};
	const char *s;
	const uint8_t *key;
	uint32_t len;
	int rc;

	if (n != 4 && n != 5)
		return body_fail(why, whylen, "member: needs exactly \"action\", \"key\", \"name\", \"role\" (and \"seq\" in a removal)");
	for (uint32_t i = 0; i < 4; i++) {
		if ((rc = body_expect_key(r, "member", keys[i], why, whylen)) != 0)
			return rc;
		if (i == 1) {
			if (body_rd_bin32(r, &key, "key", why, whylen) != 0)
				return PAKT_EBODY;
			memcpy(m.key, key, 32);
			continue;
		}
		if (canon_rd_str(r, &s, &len) != 0)
			return body_fail(why, whylen, "member: \"%s\" is not a string", keys[i]);
		if (i == 0 && (body_key_is(s, len, "add") || body_key_is(s, len, "remove")))
			m.add = s[0] == 'a';
		else if (i == 2 && len <= BODY_NAME_MAX)
			memcpy(m.name, s, len);
		else if (i == 3 && (body_key_is(s, len, "admin") || body_key_is(s, len, "member")))
			m.admin = s[1] == 'd';
		else
			return body_fail(why, whylen, "member: bad \"%s\"", keys[i]);
	}
	if (n == 5) {
		if ((rc = body_expect_key(r, "member", "seq", why, whylen)) != 0)
			return rc;
		if (m.add || canon_rd_uint(r, &m.seq) != 0 || m.seq > ENTRY_SEQ_MAX)
			return body_fail(why, whylen, "member: \"seq\" is not a seq (only a removal has one)");
		m.has_seq = true;
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


/* ---- commitment ---- */

static int rd_parties(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	struct body_commitment *c = out;
	const uint8_t *parties[KEYS_MAX];
	uint32_t cnt;
	int rc = body_rd_keys(r, "commitment", "parties", BODY_PARTIES_MAX,
			      "commitment: \"parties\" must list 1 to %d keys",
			      "commitment: a party is not 32 bytes of bin", parties,
			      &cnt, why, whylen);
	if (rc != 0 || c == NULL)
		return rc;
	for (uint32_t j = 0; j < cnt; j++)
		memcpy(c->parties[j], parties[j], 32);
	c->n_parties = cnt;
	return 0;
}

static const struct body_field commitment_fields[] = {
	STR(struct body_commitment, "description", description, false, 1,
	    BODY_TEXT_MAX),
	VAL(struct body_commitment, "due", F_DATE, due, true),
	VAL(struct body_commitment, "indicator", F_ID, indicator, false),
	FN("parties", true, rd_parties),
	OPT(struct body_commitment, "target", F_NUM, target, has_target),
	STR(struct body_commitment, "title", title, true, 1, BODY_TITLE_MAX),
};

static int commitment_check(unsigned seen, char *why, size_t whylen)
{
	if ((seen & 1u << 4) && !(seen & 1u << 2))     /* target, indicator */
		return body_fail(why, whylen,
				 "commitment: \"target\" without \"indicator\"");
	return 0;
}

static const struct body_schema commitment_schema = {
	"commitment", commitment_fields, COUNT(commitment_fields),
	commitment_check
};

/* ---- accept, decline, redact ---- */

/* accept {change?, ref}, decline {change?, reason?, ref}, redact {reason, ref} */
static const struct body_field accept_fields[] = {
	VAL(struct body_ref, "change", F_TRUE, change, false),
	VAL(struct body_ref, "ref", F_BIN32, ref, true),
};
/* decline: optional, so present means not empty */
static const struct body_field decline_fields[] = {
	VAL(struct body_ref, "change", F_TRUE, change, false),
	STR(struct body_ref, "reason", text, false, 1, BODY_REASON_MAX),
	VAL(struct body_ref, "ref", F_BIN32, ref, true),
};
/* redact: "reason" is required, but missing after "ref" */
static const struct body_field redact_fields[] = {
	STR(struct body_ref, "reason", text, false, 0, BODY_REASON_MAX),
	VAL(struct body_ref, "ref", F_BIN32, ref, true),
};

static int redact_check(unsigned seen, char *why, size_t whylen)
{
	return seen & 1u ? 0 : body_missing_key("redact", "reason", why, whylen);
}

static const struct body_schema ref_schemas[] = {
	{ "accept", accept_fields, COUNT(accept_fields), NULL },
	{ "decline", decline_fields, COUNT(decline_fields), NULL },
	{ "redact", redact_fields, COUNT(redact_fields), redact_check },
};

int body_ref_kind(const char *type)
{
	for (int i = 0; type != NULL && i < (int)COUNT(ref_schemas); i++)
		if (strcmp(type, ref_schemas[i].type) == 0)
			return i;
	return -1;
}

/* ---- succession, revoke (proto/keyroll.h) ---- */

/* succession {new, proof} */
static const struct body_field succession_fields[] = {
	VAL(struct body_succession, "new", F_BIN32, new_key, true),
	{ "proof", F_BIN, true, 64, 64, offsetof(struct body_succession, proof), 0, NULL, NULL,
	  NULL },
};

static const struct body_schema succession_schema = {
	"succession", succession_fields, COUNT(succession_fields), NULL
};

static int rd_after(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	struct body_revoke *rv = out;
	uint64_t v;

	if (canon_rd_uint(r, &v) != 0)
		return body_fail(why, whylen, "revoke: \"after\" is not an unsigned integer");
	if (rv != NULL)
		rv->after = v;
	return 0;
}

/* revoke {after, key, reason} */
static const struct body_field revoke_fields[] = {
	FN("after", true, rd_after),
	VAL(struct body_revoke, "key", F_BIN32, key, true),
	STR(struct body_revoke, "reason", reason, true, 0, BODY_REASON_MAX),
};

static const struct body_schema revoke_schema = {
	"revoke", revoke_fields, COUNT(revoke_fields), NULL
};

/* ---- status ---- */

const char *const body_states[] = { "in-progress", "fulfilled", "missed",
				      "withdrawn", NULL };

static const struct body_field status_fields[] = {
	OPT(struct body_status, "evidence", F_BIN32, evidence, has_evidence),
	STR(struct body_status, "note", note, false, 1, BODY_TEXT_MAX),
	VAL(struct body_status, "ref", F_BIN32, ref, true),
	VAL(struct body_status, "reopen", F_TRUE, reopen, false),
	ENUM(struct body_status, "state", state, body_states),
};

static const struct body_schema status_schema = {
	"status", status_fields, COUNT(status_fields), NULL
};

/* ---- profile ---- */

const char *const body_sectors[] = { "ngo", "public", "business", "other",
				       NULL };


static int rd_addresses(struct canon_rd *r, void *out, char *why,
			size_t whylen)
{
	struct body_profile *pr = out;
	const char *s;
	char shown[36];
	uint32_t len, cnt;
	int rc = body_rd_array(r, "profile", "addresses", 1, BODY_ADDRS_MAX,
			       "profile: \"addresses\" must list 1 to %d addresses (or be left out)",
			       &cnt, why, whylen);

	for (uint32_t j = 0; rc == 0 && j < cnt; j++) {
		if (canon_rd_str(r, &s, &len) != 0)
			return body_fail(why, whylen,
					 "profile: an address is not a string");
		if (!body_addr_valid(s, len)) {
			body_printable(shown, s, len);
			return body_fail(why, whylen,
					 "profile: address \"%s\" is not HOST:PORT",
					 shown);
		}
		if (pr != NULL)
			body_put(pr->addrs[j], s, len);
	}
	if (rc == 0 && pr != NULL)
		pr->n_addrs = cnt;
	return rc;
}

static const struct body_field profile_fields[] = {
	FN("addresses", false, rd_addresses),
	STR(struct body_profile, "contact", contact, false, 1, BODY_CONTACT_MAX),
	STR(struct body_profile, "name", name, true, 1, BODY_NAME_MAX),
	ENUM(struct body_profile, "sector", sector, body_sectors),
};

static const struct body_schema profile_schema = {
	"profile", profile_fields, COUNT(profile_fields), NULL
};

/* ---- checkpoint ---- */

/* {heads: [[author, seq, hash] ...]}; heads[cap] may be NULL (count only). */
struct heads_out {
	struct body_head *heads;
	size_t cap, *count;
};

static int rd_heads(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	struct heads_out *h = out;
	struct body_head *heads = h != NULL ? h->heads : NULL;
	const uint8_t *authors[BODY_HEADS_MAX], *hash;
	uint32_t cnt, m;
	uint64_t seq;
	int rc = body_rd_array(r, "checkpoint", "heads", 0, BODY_HEADS_MAX,
			       "checkpoint: \"heads\" lists more than %d feeds", &cnt,
			       why, whylen);

	if (rc != 0)
		return rc;
	if (heads != NULL && cnt > h->cap)
		return PAKT_ETOOBIG;
	for (uint32_t j = 0; j < cnt; j++) {
		if (canon_rd_array(r, &m) != 0 || m != 3 ||
		    body_rd_bin32(r, &authors[j], "author", why, whylen) != 0 ||
		    canon_rd_uint(r, &seq) != 0 ||
		    body_rd_bin32(r, &hash, "hash", why, whylen) != 0)
			return body_fail(why, whylen,
					 "checkpoint: a head is not [author bin32, seq uint, hash bin32]");
		if (seq < 1 || seq > ENTRY_SEQ_MAX)
			return body_fail(why, whylen,
					 "checkpoint: a head has seq %llu (not 1..2^53)",
					 (unsigned long long)seq);
		if (body_seen32(authors, j))
			return body_fail(why, whylen,
					 "checkpoint: an author has two heads");
		if (heads != NULL) {
			memcpy(heads[j].author, authors[j], 32);
			heads[j].seq = seq;
			memcpy(heads[j].hash, hash, 32);
		}
	}
	if (h != NULL && h->count != NULL)
		*h->count = cnt;
	return 0;
}

static const struct body_field checkpoint_fields[] = {
	FN("heads", true, rd_heads),
};

static const struct body_schema checkpoint_schema = {
	"checkpoint", checkpoint_fields, COUNT(checkpoint_fields), NULL
};

/* ---- parsers: canonical map, then the schema ---- */

/* A body of schema s into *out (size bytes, cleared first). */
int body_parse_into(const struct body_schema *s, const uint8_t *b, size_t len,
		    void *out, size_t size)
{
	struct canon_rd r;
	uint32_t n;
	if (out == NULL || body_open(&r, b, len, &n) != 0)
		return PAKT_EBODY;
	memset(out, 0, size);
	return body_parse_schema(&r, n, s, out, NULL, 0);
}

int body_commitment_parse(const uint8_t *b, size_t len,
			  struct body_commitment *out)
{
	return body_parse_into(&commitment_schema, b, len, out, sizeof *out);
}

int body_ref_parse(const char *type, const uint8_t *b, size_t len,
		   struct body_ref *out)
{
	int kind = body_ref_kind(type);
	if (kind < 0)
		return PAKT_EBODY;
	return body_parse_into(&ref_schemas[kind], b, len, out, sizeof *out);
}

int body_succession_parse(const uint8_t *b, size_t len, struct body_succession *out)
{
	return body_parse_into(&succession_schema, b, len, out, sizeof *out);
}

int body_revoke_parse(const uint8_t *b, size_t len, struct body_revoke *out)
{
	return body_parse_into(&revoke_schema, b, len, out, sizeof *out);
}

int body_status_parse(const uint8_t *b, size_t len, struct body_status *out)
{
	return body_parse_into(&status_schema, b, len, out, sizeof *out);
}

int body_profile_parse(const uint8_t *b, size_t len, struct body_profile *out)
{
	return body_parse_into(&profile_schema, b, len, out, sizeof *out);
}

int body_checkpoint_parse(const uint8_t *b, size_t len, struct body_head *heads,
			  size_t cap, size_t *n)
{
	struct canon_rd r;
	uint32_t nk;
	size_t cnt = 0;
	struct heads_out h = { heads, cap, &cnt };
	int rc;
	if ((heads == NULL && cap > 0) || body_open(&r, b, len, &nk) != 0)
		return PAKT_EBODY;
	/* heads NULL with cap 0: count only */
	rc = body_parse_schema(&r, nk, &checkpoint_schema, &h, NULL, 0);
	if (rc == 0 && n != NULL)
		*n = cnt;
	return rc;
}


const char *const body_types[] = {
	"message", "sealed", "profile", "genesis", "member", "succession", "revoke", "agenda",
	"update", "commitment", "accept", "decline", "status", "redact", "checkpoint", NULL,
};

int body_validate(const char *type, const uint8_t *body, size_t len,
		  char *why, size_t whylen)
{
	static const struct body_schema *const schemas[] = {
		&body_agenda_schema, &body_update_schema, &commitment_schema,
		&ref_schemas[0], &ref_schemas[1], &ref_schemas[2],
		&status_schema, &profile_schema, &checkpoint_schema,
		&sealed_schema, &succession_schema, &revoke_schema,
	};
	struct canon_rd r;
	uint32_t n;
	int rc;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (type == NULL || body == NULL)
		return body_fail(why, whylen, "no body");
	if (len > ENTRY_BODY_MAX)
		return body_fail(why, whylen, "body is larger than %d bytes",
				 ENTRY_BODY_MAX);
	if ((rc = canon_check(body, len, CANON_MAX_DEPTH)) != 0)
		return body_fail(why, whylen, "body: %s", pakt_strerror(rc));
	canon_rd_init(&r, body, len);
	if (canon_rd_map(&r, &n) != 0)
		return body_fail(why, whylen, "body is not a map");
	if (strcmp(type, "message") == 0)
		return validate_message(&r, n, why, whylen);
	if (strcmp(type, "genesis") == 0)
		return validate_genesis(&r, n, why, whylen);
	if (strcmp(type, "member") == 0)
		return parse_member(&r, n, NULL, why, whylen);
	for (size_t i = 0; i < COUNT(schemas); i++)
		if (strcmp(type, schemas[i]->type) == 0)
			return body_parse_schema(&r, n, schemas[i], NULL, why, whylen);
	return 0;   /* unknown types: any canonical map, for newer peers */
}

