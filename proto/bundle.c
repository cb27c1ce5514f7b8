/* Audit bundles: building and checking (format: proto/PROTOCOL.md,
 * "Audit bundles"). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
	if (roster_type(e->h.type))
		return true;
	if (kind == BUNDLE_FEED)
		return memcmp(e->h.author, subject, 32) == 0;
	return memcmp(e->hash, subject, 32) == 0 || is_answer_or_status(e);
}

bool bundle_wants_body(const struct bundle_builder *b, const struct entry *e)
{
	if (b->kind == BUNDLE_FEED && memcmp(e->h.author, b->subject, 32) == 0 &&
	    (e->h.seq < b->from || e->h.seq > b->to))
		return roster_type(e->h.type);
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
/* checking */

/* The parts of the file's map, read by read_map(). */
struct bmap {
	struct canon_rd entries;   /* positioned after the array header */
	uint32_t n;
	enum bundle_kind kind;
	const uint8_t *network, *subject;
};

static void ts_text(uint64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms / 1000 > (uint64_t)253402300799 || gmtime_r(&t, &tm) == NULL) {
		snprintf(out, 32, "%" PRIu64 " ms", ms);
		return;
	}
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void ename(const struct entry *e, char out[48])
{
	char a[16];

	id_short(ID_KEY, e->h.author, a);
	snprintf(out, 48, "%s #%" PRIu64, a, e->h.seq);
}

static void add_note(struct bundle_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_note(struct bundle_report *r, const char *fmt, ...)
{
	va_list ap;

	r->n_notes_total++;
	if (r->n_notes >= BUNDLE_NOTES_MAX)
		return;
	if (r->notes == NULL &&
	    (r->notes = malloc(BUNDLE_NOTES_MAX * sizeof *r->notes)) == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(r->notes[r->n_notes++], BUNDLE_NOTE_MAX, fmt, ap);
	va_end(ap);
}

static int fail(struct bundle_report *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct bundle_report *r, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof r->reason, fmt, ap);
	va_end(ap);
	return code;
}

/* Blame an entry: remember which, then the reason. */
static void blame(struct bundle_report *r, const struct entry *e, size_t index)
{
	r->has_bad = true;
	memcpy(r->bad_author, e->h.author, 32);
	r->bad_seq = e->h.seq;
	memcpy(r->bad_hash, e->hash, 32);
	r->bad_index = index;
}

/* Read the map after the magic: version first (another version may have
 * another shape), then exactly the five keys of version 1. */
static int read_map(const uint8_t *buf, size_t len, struct bmap *m, struct bundle_report *r)
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

/* Name an entry that failed entry_decode as well as we can: by its header
 * if that decodes, else by its position. */
static int fail_decode(struct bundle_report *r, const uint8_t *wire, size_t len,
		       size_t index, size_t total, int rc)
{
	struct canon_rd rd;
	struct entry_header h;
	const uint8_t *hb;
	uint32_t n, hlen;

	canon_rd_init(&rd, wire, len);
	if (canon_rd_array(&rd, &n) == 0 && n >= 1 && canon_rd_bin(&rd, &hb, &hlen) == 0 &&
	    entry_header_decode(&h, hb, hlen) == 0) {
		char a[16];

		id_short(ID_KEY, h.author, a);
		r->has_bad = true;
		memcpy(r->bad_author, h.author, 32);
		r->bad_seq = h.seq;
		r->bad_index = index;
		return fail(r, rc, "entry %s #%" PRIu64 " (bundle entry %zu of %zu) is damaged: %s",
			    a, h.seq, index, total, pakt_strerror(rc));
	}
	r->bad_index = index;
	return fail(r, rc, "bundle entry %zu of %zu is damaged: %s", index, total,
		    pakt_strerror(rc));
}

static int answer_cmp(const void *pa, const void *pb)
{
	const struct bundle_answer *a = pa, *b = pb;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return memcmp(a->hash, b->hash, 32);
}

static int status_cmp(const void *pa, const void *pb)
{
	const struct bundle_status *a = pa, *b = pb;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return memcmp(a->hash, b->hash, 32);
}

static bool is_party(const struct body_commitment *c, const uint8_t key[32])
{
	for (size_t i = 0; i < c->n_parties; i++)
		if (memcmp(c->parties[i], key, 32) == 0)
			return true;
	return false;
}

/* The genesis's goal, for the report. */
static void genesis_goal(const struct entry *g, char out[BODY_TEXT_MAX + 1])
{
	struct canon_rd rd;
	uint32_t n, klen, slen;
	const char *k, *s;

	out[0] = '\0';
	canon_rd_init(&rd, g->body, g->body_len);
	if (canon_rd_map(&rd, &n) != 0)
		return;
	for (uint32_t i = 0; i < n; i++) {
		if (canon_rd_str(&rd, &k, &klen) != 0)
			return;
		if (klen == 4 && memcmp(k, "goal", 4) == 0) {
			if (canon_rd_str(&rd, &s, &slen) == 0 && slen <= BODY_TEXT_MAX) {
				memcpy(out, s, slen);
				out[slen] = '\0';
			}
			return;
		}
		if (canon_rd_skip(&rd) != 0)
			return;
	}
}

/* The commitment's answers and statuses, from the entries with bodies. */
static int collect_history(struct bundle_report *r, const struct entry *ents, size_t n)
{
	const struct body_commitment *c = &r->commitment;
	size_t na = 0, ns = 0, cap_a = 0, cap_s = 0;
	char nm[48], a[16];

	for (size_t i = 0; i < n; i++) {
		const struct entry *e = &ents[i];

		if (!is_answer_or_status(e))
			continue;
		ename(e, nm);
		if (e->body == NULL) {
			add_note(r, "entry %s (%s) has no body: what it refers to is not shown",
				 nm, e->h.type);
			continue;
		}
		id_short(ID_KEY, e->h.author, a);
		if (type_is(e, "status")) {
			struct bundle_status st;

			if (body_status_parse(e->body, e->body_len, &st.st) != 0 ||
			    memcmp(st.st.ref, r->subject, 32) != 0)
				continue;
			if (memcmp(e->h.author, r->commitment_author, 32) != 0 &&
			    !is_party(c, e->h.author)) {
				add_note(r, "entry %s: status by %s, neither the commitment's author "
					 "nor a party: ignored", nm, a);
				continue;
			}
			memcpy(st.by, e->h.author, 32);
			st.ts = e->h.timestamp;
			st.seq = e->h.seq;
			memcpy(st.hash, e->hash, 32);
			if (ns == cap_s) {
				struct bundle_status *v;

				cap_s = cap_s ? cap_s * 2 : 4;
				if ((v = realloc(r->statuses, cap_s * sizeof *v)) == NULL)
					return PAKT_ENOMEM;
				r->statuses = v;
			}
			r->statuses[ns++] = st;
			r->n_statuses = ns;
		} else {
			struct body_ref ref;
			struct bundle_answer *an;

			if (body_ref_parse(e->h.type, e->body, e->body_len, &ref) != 0 ||
			    memcmp(ref.ref, r->subject, 32) != 0)
				continue;
			if (!is_party(c, e->h.author)) {
				add_note(r, "entry %s: %s by %s, who is not a party: ignored", nm,
					 e->h.type, a);
				continue;
			}
			if (na == cap_a) {
				struct bundle_answer *v;

				cap_a = cap_a ? cap_a * 2 : 4;
				if ((v = realloc(r->answers, cap_a * sizeof *v)) == NULL)
					return PAKT_ENOMEM;
				r->answers = v;
			}
			an = &r->answers[na++];
			memcpy(an->party, e->h.author, 32);
			an->accept = type_is(e, "accept");
			an->ts = e->h.timestamp;
			an->seq = e->h.seq;
			memcpy(an->hash, e->hash, 32);
			memcpy(an->reason, ref.text, sizeof an->reason);
			r->n_answers = na;
		}
	}
	r->n_answers = na;
	r->n_statuses = ns;
	if (na > 1)
		qsort(r->answers, na, sizeof *r->answers, answer_cmp);
	if (ns > 1)
		qsort(r->statuses, ns, sizeof *r->statuses, status_cmp);
	return 0;
}

static int find_hash(const struct entry *ents, size_t n, const uint8_t hash[32])
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(ents[i].hash, hash, 32) == 0)
			return (int)i;
	return -1;
}

static int check(const struct bmap *m, struct entry *ents, struct bundle_report *r)
{
	struct canon_rd rd = m->entries;
	const size_t n = m->n;
	const struct entry *g;
	char nm[48], a[16], w[ID_TEXT_MAX], why[200], t[32];
	int rc, gi, si;

	/* 1. each entry alone: encoding, signature, network, body schema, and
	 * the file's order (author, then seq: no duplicates, no forks) */
	for (size_t i = 0; i < n; i++) {
		struct entry *e = &ents[i];
		const uint8_t *wire;
		uint32_t wlen;

		canon_rd_bin(&rd, &wire, &wlen);
		if ((rc = entry_decode(e, wire, wlen)) != 0)
			return fail_decode(r, wire, wlen, i + 1, n, rc);
		ename(e, nm);
		if (entry_verify(e) != 0) {
			blame(r, e, i + 1);
			return fail(r, PAKT_ESIG, "entry %s: bad signature", nm);
		}
		if (memcmp(entry_network(e), m->network, 32) != 0) {
			char nw[16];

			id_short(ID_NETWORK, entry_network(e), nw);
			blame(r, e, i + 1);
			return fail(r, PAKT_ENETWORK, "entry %s belongs to another network (%s)", nm, nw);
		}
		if (e->body != NULL) {
			r->n_bodies++;
			if (body_validate(e->h.type, e->body, e->body_len, why, sizeof why) != 0) {
				blame(r, e, i + 1);
				return fail(r, PAKT_EBODY, "entry %s (%s): bad body: %s", nm, e->h.type, why);
			}
		}
		if (i > 0) {
			const struct entry *p = &ents[i - 1];
			int c = memcmp(p->h.author, e->h.author, 32);

			if (c == 0 && p->h.seq == e->h.seq) {
				blame(r, e, i + 1);
				if (memcmp(p->hash, e->hash, 32) == 0)
					return fail(r, PAKT_EFORMAT, "entry %s appears twice", nm);
				id_short(ID_KEY, e->h.author, a);
				return fail(r, PAKT_EFORK,
					    "%s: two different entries at seq %" PRIu64 " (a fork)",
					    a, e->h.seq);
			}
			if (c > 0 || (c == 0 && p->h.seq > e->h.seq)) {
				blame(r, e, i + 1);
				return fail(r, PAKT_EFORMAT,
					    "entry %s is out of order (entries are sorted by author, then seq)",
					    nm);
			}
		}
	}

	/* 2. the genesis: the entry whose hash is the network id */
	id_encode(ID_NETWORK, m->network, w);
	if ((gi = find_hash(ents, n, m->network)) < 0)
		return fail(r, PAKT_ENOTFOUND, "no genesis entry for the network %s", w);
	g = &ents[gi];
	if (g->body == NULL) {
		ename(g, nm);
		blame(r, g, (size_t)gi + 1);
		return fail(r, PAKT_EBODY, "entry %s (genesis) has no body: the initiative's admins are not shown",
			    nm);
	}

	/* 3. every feed is a chain from seq 1 without gaps */
	for (size_t i = 0; i < n; i++) {
		const struct entry *e = &ents[i];
		bool first = i == 0 || memcmp(ents[i - 1].h.author, e->h.author, 32) != 0;
		uint64_t want = first ? 1 : ents[i - 1].h.seq + 1;

		if (first)
			r->n_feeds++;
		if (e->h.seq != want) {
			id_short(ID_KEY, e->h.author, a);
			blame(r, e, i + 1);
			return fail(r, PAKT_ECHAIN, "%s: seq %" PRIu64 " is missing (chain gap before #%" PRIu64 ")",
				    a, want, e->h.seq);
		}
		if (!first && (rc = entry_check_link(&ents[i - 1], e)) != 0) {
			ename(e, nm);
			blame(r, e, i + 1);
			return fail(r, rc, "entry %s does not link to #%" PRIu64 " (its prev is not that entry's hash)",
				    nm, ents[i - 1].h.seq);
		}
	}

	/* 4. membership: genesis admins, then the admins' member entries */
	if ((rc = roster_genesis(&r->roster, g)) != 0) {
		ename(g, nm);
		blame(r, g, (size_t)gi + 1);
		return fail(r, rc, "entry %s (genesis): its admins cannot be read", nm);
	}
	genesis_goal(g, r->goal);
	for (size_t i = 0; i < n; i++) {
		const struct entry *e = &ents[i];

		if (!roster_type(e->h.type) || type_is(e, "genesis"))
			continue;
		if (e->body == NULL) {
			ename(e, nm);
			add_note(r, "entry %s (%s) has no body: its effect on membership is not shown", nm,
				 e->h.type);
		}
		if ((rc = roster_add(&r->roster, e)) != 0)
			return fail(r, rc, "out of memory");
	}
	if ((rc = roster_finish(&r->roster)) != 0)
		return fail(r, rc, "out of memory");
	if (r->roster.ignored > 0)
		add_note(r, "%zu membership entr%s broke a rule (not by an admin, or a succession not allowed) and had no effect", r->roster.ignored,
			 r->roster.ignored == 1 ? "y" : "ies");

	/* 5. every signer of a commitment, answer or status was a member when
	 * it signed (by the entry's timestamp) */
	for (size_t i = 0; i < n; i++) {
		const struct entry *e = &ents[i];

		if (!type_is(e, "commitment") && !is_answer_or_status(e))
			continue;
		const struct roster_revocation *rv = roster_untrusted(&r->roster, e->h.author, e->h.seq);

		if (rv != NULL) {
			ename(e, nm);
			id_short(ID_KEY, e->h.author, a);
			blame(r, e, i + 1);
			return fail(r, PAKT_ENOTMEMBER,
				    "entry %s (%s): %s was revoked after its seq %llu: this entry is untrusted",
				    nm, e->h.type, a, (unsigned long long)rv->after);
		}
		if (!roster_member_at(&r->roster, e->h.author, e->h.timestamp)) {
			ename(e, nm);
			id_short(ID_KEY, e->h.author, a);
			ts_text(e->h.timestamp, t);
			blame(r, e, i + 1);
			return fail(r, PAKT_ENOTMEMBER, "entry %s (%s): %s was not a member at %s", nm,
				    e->h.type, a, t);
		}
	}

	/* 6. the subject */
	if (m->kind == BUNDLE_COMMITMENT) {
		const struct entry *c;

		if ((si = find_hash(ents, n, m->subject)) < 0) {
			id_encode(ID_ENTRY, m->subject, w);
			return fail(r, PAKT_ENOTFOUND, "the commitment %s is not in the bundle", w);
		}
		c = &ents[si];
		ename(c, nm);
		if (!type_is(c, "commitment")) {
			blame(r, c, (size_t)si + 1);
			return fail(r, PAKT_EFORMAT, "entry %s, the bundle's subject, is a %s, not a commitment",
				    nm, c->h.type);
		}
		if (c->body == NULL) {
			blame(r, c, (size_t)si + 1);
			return fail(r, PAKT_EBODY, "entry %s, the commitment, has no body", nm);
		}
		if (body_commitment_parse(c->body, c->body_len, &r->commitment) != 0) {
			blame(r, c, (size_t)si + 1);
			return fail(r, PAKT_EBODY, "entry %s, the commitment, has a bad body", nm);
		}
		r->has_commitment = true;
		memcpy(r->commitment_author, c->h.author, 32);
		r->commitment_ts = c->h.timestamp;
		r->commitment_seq = c->h.seq;
		for (size_t k = 0; k < r->commitment.n_parties; k++)
			if (roster_lookup(&r->roster, r->commitment.parties[k]) == NULL) {
				id_short(ID_KEY, r->commitment.parties[k], a);
				add_note(r, "party %s was never admitted to the initiative", a);
			}
		if ((rc = collect_history(r, ents, n)) != 0)
			return fail(r, rc, "out of memory");
	} else {
		bool found = false;

		for (size_t i = 0; i < n; i++) {
			const struct entry *e = &ents[i];

			if (memcmp(e->h.author, m->subject, 32) != 0)
				continue;
			found = true;
			r->feed_last = e->h.seq;
			if (e->body != NULL) {
				if (r->feed_bodies++ == 0)
					r->feed_first = e->h.seq;
				r->feed_last_body = e->h.seq;
			}
		}
		id_encode(ID_KEY, m->subject, w);
		if (!found)
			return fail(r, PAKT_ENOTFOUND, "the bundle has no entries of %s", w);
		if (roster_lookup(&r->roster, m->subject) == NULL)
			add_note(r, "%s was never admitted to the initiative", w);
	}
	return 0;
}

int bundle_verify(const uint8_t *buf, size_t len, struct bundle_report *r)
{
	struct bmap m;
	struct entry *ents;
	int rc;

	memset(r, 0, sizeof *r);
	roster_init(&r->roster);
	memset(&m, 0, sizeof m);
	if (len > BUNDLE_BYTES_MAX)
		return fail(r, PAKT_ETOOBIG, "the bundle is larger than %zu MiB", BUNDLE_BYTES_MAX >> 20);
	if (len < BUNDLE_MAGIC_LEN || memcmp(buf, BUNDLE_MAGIC, BUNDLE_MAGIC_LEN) != 0) {
		if (len < BUNDLE_MAGIC_LEN && memcmp(buf, BUNDLE_MAGIC, len) == 0)
			return fail(r, PAKT_ETRUNC, "the bundle is truncated (%zu bytes)", len);
		return fail(r, PAKT_EFORMAT, "not a pakt bundle (it does not start with \"%s\")",
			    BUNDLE_MAGIC);
	}
	if ((rc = read_map(buf + BUNDLE_MAGIC_LEN, len - BUNDLE_MAGIC_LEN, &m, r)) != 0)
		return rc;
	r->kind = m.kind;
	memcpy(r->network, m.network, 32);
	memcpy(r->subject, m.subject, 32);
	r->n_entries = m.n;
	if (m.n == 0)
		return fail(r, PAKT_ENOTFOUND, "the bundle has no entries");
	if ((ents = calloc(m.n, sizeof *ents)) == NULL)
		return fail(r, PAKT_ENOMEM, "out of memory for %" PRIu32 " entries", m.n);
	rc = check(&m, ents, r);
	free(ents);
	return rc;
}

void bundle_report_free(struct bundle_report *r)
{
	roster_free(&r->roster);
	free(r->answers);
	free(r->statuses);
	free(r->notes);
	r->answers = NULL;
	r->statuses = NULL;
	r->notes = NULL;
	r->n_answers = r->n_statuses = r->n_notes = 0;
}

int bundle_each(const uint8_t *buf, size_t len, bundle_entry_fn fn, void *arg)
{
	struct bundle_report r;
	struct bmap m;
	struct entry e;
	int rc;

	memset(&r, 0, sizeof r);
	memset(&m, 0, sizeof m);
	if (len < BUNDLE_MAGIC_LEN || memcmp(buf, BUNDLE_MAGIC, BUNDLE_MAGIC_LEN) != 0)
		return PAKT_EFORMAT;
	if ((rc = read_map(buf + BUNDLE_MAGIC_LEN, len - BUNDLE_MAGIC_LEN, &m, &r)) != 0)
		return rc;
	for (uint32_t i = 0; i < m.n; i++) {
		const uint8_t *wire;
		uint32_t wlen;

		canon_rd_bin(&m.entries, &wire, &wlen);
		if ((rc = entry_decode(&e, wire, wlen)) != 0)
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
