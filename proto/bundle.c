/* Audit bundles: building and reading (format: proto/PROTOCOL.md, "Audit
 * bundles"); checking is core/audit.c. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "proto/bundle.h"
#include "proto/canon.h"
#include "proto/err.h"
#include "proto/id.h"

#define MAP_KEYS 5   /* entries, kind, network, subject, v */

const char *bundle_kind_name(enum bundle_kind kind)
{
	switch (kind) {
	case BUNDLE_COMMITMENT: return "commitment";
	case BUNDLE_FEED: return "feed";
	}
	return "?";
}

static bool type_is(const struct entry *e, const char *t)
{
	return strcmp(e->h.type, t) == 0;
}

/* The entries that change membership (core/roster.h's roster_type; proto
 * does not depend on core). */
static bool membership_type(const char *t)
{
	return strcmp(t, "genesis") == 0 || strcmp(t, "member") == 0 ||
	       strcmp(t, "succession") == 0 || strcmp(t, "revoke") == 0;
}

static bool is_answer_or_status(const struct entry *e)
{
	return type_is(e, "accept") || type_is(e, "decline") || type_is(e, "status");
}

/* ------------------------------------------------------------------ */
/* building */

struct bundle_item {
	uint8_t author[32];
	uint64_t seq;
	uint8_t hash[32];
	bool has_body;
	uint8_t *wire;   /* malloc'd */
	size_t len;
};

void bundle_begin(struct bundle_builder *b, enum bundle_kind kind,
		  const uint8_t network[32], const uint8_t subject[32])
{
	memset(b, 0, sizeof *b);
	b->kind = kind;
	memcpy(b->network, network, 32);
	memcpy(b->subject, subject, 32);
	b->sorted = true;
	b->from = 1;
	b->to = UINT64_MAX;
}

void bundle_feed_range(struct bundle_builder *b, uint64_t from, uint64_t to)
{
	b->from = from;
	b->to = to;
}

void bundle_free(struct bundle_builder *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->v[i].wire);
	free(b->v);
	b->v = NULL;
	b->n = b->cap = 0;
	b->sorted = true;
}

int bundle_add(struct bundle_builder *b, const struct entry *e, bool with_body)
{
	struct bundle_item *it;
	size_t len, cap;
	uint8_t *wire;
	int rc;

	if (memcmp(entry_network(e), b->network, 32) != 0)
		return PAKT_ENETWORK;
	/* copies of one entry are merged later; bound what they can cost */
	if (b->n >= (size_t)BUNDLE_ENTRIES_MAX * 2)
		return PAKT_ELIMIT;
	with_body = with_body && e->body != NULL;
	if (b->n == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 32;
		struct bundle_item *v = realloc(b->v, ncap * sizeof *v);

		if (v == NULL)
			return PAKT_ENOMEM;
		b->v = v;
		b->cap = ncap;
	}
	/* array, bin header, bin sig, bin body: at most 1 + 3 + 3 + 3 bytes
	 * of msgpack around the payloads */
	cap = e->header_len + PAKT_SIG_LEN + (with_body ? e->body_len : 1) + 16;
	if ((wire = malloc(cap)) == NULL)
		return PAKT_ENOMEM;
	if ((rc = entry_encode(e, with_body, wire, cap, &len)) != 0) {
		free(wire);
		return rc;
	}
	it = &b->v[b->n];
	it->wire = wire;
	it->len = len;
	memcpy(it->author, e->h.author, 32);
	it->seq = e->h.seq;
	memcpy(it->hash, e->hash, 32);
	it->has_body = with_body;
	b->n++;
	b->sorted = false;
	return 0;
}

static int item_cmp(const void *pa, const void *pb)
{
	const struct bundle_item *a = pa, *b = pb;
	int c = memcmp(a->author, b->author, 32);

	if (c != 0)
		return c;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	if ((c = memcmp(a->hash, b->hash, 32)) != 0)
		return c;
	return (int)b->has_body - (int)a->has_body;   /* the copy with a body first */
}

static bool same_place(const struct bundle_item *a, const struct bundle_item *b)
{
	return memcmp(a->author, b->author, 32) == 0 && a->seq == b->seq;
}

/* Sort by (author, seq), merge copies of one entry (keeping a body);
 * PAKT_EFORK, leaving everything in place, if two entries share a seq. */
static int normalize(struct bundle_builder *b)
{
	size_t w = 0;

	if (b->sorted)
		return 0;
	if (b->n > 1)
		qsort(b->v, b->n, sizeof *b->v, item_cmp);
	for (size_t i = 1; i < b->n; i++)
		if (same_place(&b->v[i - 1], &b->v[i]) &&
		    memcmp(b->v[i - 1].hash, b->v[i].hash, 32) != 0)
			return PAKT_EFORK;
	for (size_t i = 0; i < b->n; i++) {
		if (w > 0 && same_place(&b->v[w - 1], &b->v[i])) {
			free(b->v[i].wire);   /* the same entry again; the first has the body */
			continue;
		}
		b->v[w++] = b->v[i];
	}
	b->n = w;
	b->sorted = true;
	return 0;
}

int bundle_gaps(struct bundle_builder *b, struct bundle_gap **gaps, size_t *n)
{
	struct bundle_gap *g = NULL;
	size_t ng = 0, cap = 0;
	uint64_t expect = 1;
	int rc;

	*gaps = NULL;
	*n = 0;
	if ((rc = normalize(b)) != 0)
		return rc;
	for (size_t i = 0; i < b->n; i++) {
		const struct bundle_item *it = &b->v[i];

		if (i == 0 || memcmp(b->v[i - 1].author, it->author, 32) != 0)
			expect = 1;
		if (it->seq > expect) {
			if (ng == cap) {
				struct bundle_gap *v;

				cap = cap ? cap * 2 : 8;
				if ((v = realloc(g, cap * sizeof *v)) == NULL) {
					free(g);
					return PAKT_ENOMEM;
				}
				g = v;
			}
			memcpy(g[ng].author, it->author, 32);
			g[ng].from = expect;
			g[ng].to = it->seq - 1;
			ng++;
		}
		expect = it->seq + 1;
	}
	*gaps = g;
	*n = ng;
	return 0;
}

bool bundle_body_wanted(enum bundle_kind kind, const uint8_t subject[32],
			const struct entry *e)
{
	if (membership_type(e->h.type))
		return true;
	if (kind == BUNDLE_FEED)
		return memcmp(e->h.author, subject, 32) == 0;
	/* checkpoints: what an answer's or status's author had seen orders
	 * the commitment's lifecycle (PROTOCOL.md, "Lifecycle") */
	return memcmp(e->hash, subject, 32) == 0 || is_answer_or_status(e) ||
	       strcmp(e->h.type, "checkpoint") == 0;
}

bool bundle_wants_body(const struct bundle_builder *b, const struct entry *e)
{
	if (b->kind == BUNDLE_FEED && memcmp(e->h.author, b->subject, 32) == 0 &&
	    (e->h.seq < b->from || e->h.seq > b->to))
		return membership_type(e->h.type);
	return bundle_body_wanted(b->kind, b->subject, e);
}

int bundle_finish(struct bundle_builder *b, struct mpx_out *out)
{
	msgpack_packer *pk = &out->pk;
	int rc;

	if ((rc = normalize(b)) != 0)
		return rc;
	if (b->n > BUNDLE_ENTRIES_MAX)
		return PAKT_ELIMIT;
	msgpack_sbuffer_write(&out->sb, BUNDLE_MAGIC, BUNDLE_MAGIC_LEN);
	msgpack_pack_map(pk, MAP_KEYS);
	mpx_str(pk, "entries");
	msgpack_pack_array(pk, (uint32_t)b->n);
	for (size_t i = 0; i < b->n; i++)
		mpx_bin(pk, b->v[i].wire, b->v[i].len);
	mpx_kv_str(pk, "kind", bundle_kind_name(b->kind));
	mpx_kv_bin(pk, "network", b->network, 32);
	mpx_kv_bin(pk, "subject", b->subject, 32);
	mpx_kv_u64(pk, "v", BUNDLE_VERSION);
	return 0;
}

/* ------------------------------------------------------------------ */
/* reading */

/* The file's map, as bundle_open reads it. */
static int fail(char *why, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *why, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, BUNDLE_REASON_MAX, fmt, ap);
	va_end(ap);
	return code;
}

/* Read the map after the magic: version first (another version may have
 * another shape), then exactly the five keys of version 1. */
static int read_map(const uint8_t *buf, size_t len, struct bundle_file *m, char *r)
{
	static const char *const keys[MAP_KEYS] = {"entries", "kind", "network", "subject", "v"};
	struct canon_rd rd;
	uint32_t n, klen, blen;
	const char *k, *s;
	const uint8_t *p;
	uint64_t v = 0;
	bool has_v = false;
	int rc;

	if (len == 0)
		return fail(r, PAKT_ETRUNC, "the bundle is truncated: nothing after the magic");
	if ((rc = canon_check(buf, len, 2)) != 0) {
		if (rc == PAKT_ETRUNC)
			return fail(r, rc, "the bundle is truncated: it ends inside a value");
		return fail(r, rc, "the bundle is not canonical msgpack: %s", pakt_strerror(rc));
	}
	canon_rd_init(&rd, buf, len);
	if (canon_rd_map(&rd, &n) != 0)
		return fail(r, PAKT_EFORMAT, "the bundle is not a msgpack map after the magic");
	for (uint32_t i = 0; i < n; i++) {
		if (canon_rd_str(&rd, &k, &klen) != 0)
			return fail(r, PAKT_EFORMAT, "the bundle's map has a key that is not a string");
		if (klen == 1 && k[0] == 'v') {
			if (canon_rd_uint(&rd, &v) != 0)
				return fail(r, PAKT_EFORMAT, "the bundle's \"v\" is not an unsigned integer");
			has_v = true;
		} else if (canon_rd_skip(&rd) != 0) {
			return fail(r, PAKT_EFORMAT, "the bundle's map is malformed");
		}
	}
	if (!has_v)
		return fail(r, PAKT_EFORMAT, "the bundle has no version (\"v\")");
	if (v != BUNDLE_VERSION)
		return fail(r, PAKT_EVERSION, "bundle version %" PRIu64 " (this pakt reads version %d)",
			    v, BUNDLE_VERSION);
	if (n != MAP_KEYS)
		return fail(r, PAKT_EFORMAT,
			    "the bundle's map has %" PRIu32 " keys, expected entries, kind, network, subject, v", n);

	canon_rd_init(&rd, buf, len);
	canon_rd_map(&rd, &n);
	for (uint32_t i = 0; i < MAP_KEYS; i++) {
		if (canon_rd_str(&rd, &k, &klen) != 0 || klen != strlen(keys[i]) ||
		    memcmp(k, keys[i], klen) != 0)
			return fail(r, PAKT_EFORMAT,
				    "the bundle's map has an unexpected key (expected \"%s\")", keys[i]);
		switch (i) {
		case 0:
			if (canon_rd_array(&rd, &m->n) != 0)
				return fail(r, PAKT_EFORMAT, "the bundle's \"entries\" is not an array");
			if (m->n > BUNDLE_ENTRIES_MAX)
				return fail(r, PAKT_ELIMIT, "the bundle has %" PRIu32 " entries (at most %u)",
					    m->n, BUNDLE_ENTRIES_MAX);
			m->entries = rd;
			for (uint32_t j = 0; j < m->n; j++)
				if (canon_rd_bin(&rd, &p, &blen) != 0)
					return fail(r, PAKT_EFORMAT,
						    "bundle entry %" PRIu32 " of %" PRIu32 " is not a bin",
						    j + 1, m->n);
			break;
		case 1:
			if (canon_rd_str(&rd, &s, &klen) != 0)
				return fail(r, PAKT_EFORMAT, "the bundle's \"kind\" is not a string");
			if (klen == 10 && memcmp(s, "commitment", 10) == 0)
				m->kind = BUNDLE_COMMITMENT;
			else if (klen == 4 && memcmp(s, "feed", 4) == 0)
				m->kind = BUNDLE_FEED;
			else
				return fail(r, PAKT_EFORMAT,
					    "unknown bundle kind (expected \"commitment\" or \"feed\")");
			break;
		case 2:
		case 3:
			if (canon_rd_bin(&rd, &p, &blen) != 0 || blen != 32)
				return fail(r, PAKT_EFORMAT, "the bundle's \"%s\" is not a bin of 32 bytes",
					    keys[i]);
			if (i == 2)
				m->network = p;
			else
				m->subject = p;
			break;
		default:
			canon_rd_skip(&rd);
			break;
		}
	}
	return 0;
}

int bundle_open(const uint8_t *buf, size_t len, struct bundle_file *f, char why[BUNDLE_REASON_MAX])
{
	int rc;

	memset(f, 0, sizeof *f);
	why[0] = '\0';
	if (len > BUNDLE_BYTES_MAX)
		return fail(why, PAKT_ETOOBIG, "the bundle is larger than %zu MiB", BUNDLE_BYTES_MAX >> 20);
	if (len < BUNDLE_MAGIC_LEN || memcmp(buf, BUNDLE_MAGIC, BUNDLE_MAGIC_LEN) != 0) {
		if (len < BUNDLE_MAGIC_LEN && memcmp(buf, BUNDLE_MAGIC, len) == 0)
			return fail(why, PAKT_ETRUNC, "the bundle is truncated (%zu bytes)", len);
		return fail(why, PAKT_EFORMAT, "not a pakt bundle (it does not start with \"%s\")",
			    BUNDLE_MAGIC);
	}
	if ((rc = read_map(buf + BUNDLE_MAGIC_LEN, len - BUNDLE_MAGIC_LEN, f, why)) != 0)
		return rc;
	if (f->n == 0)
		return fail(why, PAKT_ENOTFOUND, "the bundle has no entries");
	return 0;
}

int bundle_next(struct bundle_file *f, const uint8_t **wire, size_t *len)
{
	uint32_t n;

	if (canon_rd_bin(&f->entries, wire, &n) != 0)
		return PAKT_EFORMAT;
	*len = n;
	return 0;
}

int bundle_each(const uint8_t *buf, size_t len, bundle_entry_fn fn, void *arg)
{
	char why[BUNDLE_REASON_MAX];
	struct bundle_file f;
	struct entry e;
	int rc;

	if ((rc = bundle_open(buf, len, &f, why)) != 0)
		return rc;
	for (uint32_t i = 0; i < f.n; i++) {
		const uint8_t *wire;
		size_t wlen;

		if ((rc = bundle_next(&f, &wire, &wlen)) != 0 ||
		    (rc = entry_decode(&e, wire, wlen)) != 0)
			return rc;
		if ((rc = fn(arg, (size_t)i + 1, &e)) != 0)
			return rc;
	}
	return 0;
}

void bundle_pem_pubkey(const uint8_t pk[32], char out[BUNDLE_PEM_MAX])
{
	static const uint8_t prefix[12] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
					   0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
	uint8_t der[44];
	char b64[64];

	memcpy(der, prefix, sizeof prefix);
	memcpy(der + sizeof prefix, pk, 32);
	sodium_bin2base64(b64, sizeof b64, der, sizeof der, sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, BUNDLE_PEM_MAX, "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n", b64);
}
