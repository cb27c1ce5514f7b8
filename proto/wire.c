/* Peer protocol: preamble, handshake payload, transport messages, invites. */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "proto/canon.h"
#include "proto/err.h"
#include "proto/id.h"
#include "proto/wire.h"

size_t wire_prologue(const uint8_t network[32], uint8_t out[38])
{
	memcpy(out, "pakt/1", 6);
	memcpy(out + 6, network, 32);
	return 38;
}

void wire_preamble(const uint8_t network[32], uint8_t out[WIRE_PREAMBLE_LEN])
{
	memcpy(out, WIRE_MAGIC, 4);
	memcpy(out + 4, network, 32);
}

int wire_preamble_parse(const uint8_t in[WIRE_PREAMBLE_LEN], uint8_t network[32])
{
	if (memcmp(in, WIRE_MAGIC, 4) != 0)
		return PAKT_EPROTO;
	memcpy(network, in + 4, 32);
	return 0;
}

void wire_hello(struct mpx_out *o, const uint8_t ed_pk[32])
{
	wire_hello_succ(o, ed_pk, NULL, 0, 1);   /* the version 1 form: no "r" */
}

void wire_hello_succ(struct mpx_out *o, const uint8_t ed_pk[32], const uint8_t *succ,
		     size_t succ_len, unsigned repl)
{
	mpx_reset(o);
	msgpack_pack_map(&o->pk, 2 + (succ != NULL) + (repl > 1));
	mpx_kv_bin(&o->pk, "ed", ed_pk, 32);
	if (repl > 1)   /* "r" sorts after "ed", before "succ" */
		mpx_kv_u64(&o->pk, "r", repl);
	if (succ)
		mpx_kv_bin(&o->pk, "succ", succ, succ_len);
	mpx_kv_u64(&o->pk, "v", WIRE_VERSION);
}

/* Read a map key (a string) and compare it with want. */
static bool key_is(const char *k, uint32_t klen, const char *want)
{
	return klen == strlen(want) && memcmp(k, want, klen) == 0;
}

static int read_bin32(struct canon_rd *r, const uint8_t **out)
{
	const uint8_t *p;
	uint32_t n;
	int rc = canon_rd_bin(r, &p, &n);

	if (rc != 0)
		return rc;
	if (n != 32)
		return PAKT_ETYPE;
	*out = p;
	return 0;
}

int wire_hello_parse(const uint8_t *buf, size_t len, uint8_t ed_pk[32])
{
	return wire_hello_parse_succ(buf, len, ed_pk, NULL, NULL, NULL);
}

int wire_hello_parse_succ(const uint8_t *buf, size_t len, uint8_t ed_pk[32],
			  const uint8_t **succ, size_t *succ_len, unsigned *repl)
{
	struct canon_rd r;
	const uint8_t *ed = NULL, *sp = NULL;
	uint32_t n, slen = 0;
	uint64_t v = 0, rv = 1;
	int rc = canon_check(buf, len, 2);

	if (rc != 0)
		return rc;
	canon_rd_init(&r, buf, len);
	if (canon_rd_map(&r, &n) != 0)
		return PAKT_EHANDSHAKE;
	for (uint32_t i = 0; i < n; i++) {
		const char *k;
		uint32_t klen;

		if (canon_rd_str(&r, &k, &klen) != 0)
			return PAKT_EHANDSHAKE;
		if (key_is(k, klen, "ed"))
			rc = read_bin32(&r, &ed);
		else if (key_is(k, klen, "succ"))
			rc = canon_rd_bin(&r, &sp, &slen);
		else if (key_is(k, klen, "r"))
			rc = canon_rd_uint(&r, &rv);
		else if (key_is(k, klen, "v"))
			rc = canon_rd_uint(&r, &v);
		else
			rc = canon_rd_skip(&r);   /* later versions may add fields */
		if (rc != 0)
			return PAKT_EHANDSHAKE;
	}
	if (ed == NULL || rv == 0)
		return PAKT_EHANDSHAKE;
	if (v != WIRE_VERSION)
		return PAKT_EVERSION;
	memcpy(ed_pk, ed, 32);
	if (repl != NULL)
		*repl = rv > WIRE_REPL_VERSION ? WIRE_REPL_VERSION : (unsigned)rv;
	if (succ != NULL) {
		*succ = sp;
		*succ_len = slen;
	}
	return 0;
}

static const struct { const char *name; enum wire_type type; } type_names[] = {
	{"clock", WIRE_CLOCK}, {"entries", WIRE_ENTRIES}, {"fork", WIRE_FORK},
	{"invite", WIRE_INVITE}, {"welcome", WIRE_WELCOME}, {"bye", WIRE_BYE},
	{"run", WIRE_RUN},
	{"have", WIRE_HAVE},
	{"badsig", WIRE_BADSIG},
};

static int fail(char *why, size_t whylen, const char *msg)
{
	snprintf(why, whylen, "%s", msg);
	return PAKT_EPROTO;
}

static int parse_clock_feeds(struct canon_rd *r, struct wire_msg *m, struct wire_scratch *s)
{
	uint32_t n, pair;

	if (canon_rd_array(r, &n) != 0 || n > WIRE_CLOCK_MAX)
		return PAKT_EPROTO;
	for (uint32_t i = 0; i < n; i++) {
		if (canon_rd_array(r, &pair) != 0 || pair != 2 ||
		    read_bin32(r, &s->feeds[i].author) != 0 ||
		    canon_rd_uint(r, &s->feeds[i].seq) != 0)
			return PAKT_EPROTO;
	}
	m->feeds = s->feeds;
	m->n_feeds = n;
	return 0;
}

static int parse_bins(struct canon_rd *r, struct wire_scratch *s, uint32_t max,
		      size_t *count)
{
	uint32_t n, len;

	if (canon_rd_array(r, &n) != 0 || n > max)
		return PAKT_EPROTO;
	for (uint32_t i = 0; i < n; i++) {
		if (canon_rd_bin(r, &s->e[i], &len) != 0)
			return PAKT_EPROTO;
		s->e_len[i] = len;
	}
	*count = n;
	return 0;
}

/* A run's fields; its items are wire_run_decode's (proto/wire_run.c). */
static int parse_run(struct wire_msg *m, struct wire_scratch *s, struct canon_rd *e,
		     bool has_fields, char *why, size_t whylen)
{
	const uint8_t *start;
	uint32_t n;

	if (e == NULL || !has_fields)
		return fail(why, whylen, "run needs 'a', 'e', 'p' and 's'");
	if (s->e_len[0] != 32)
		return fail(why, whylen, "run 'a' must be 32 bytes");
	m->run_author = s->e[0];
	start = e->p;
	if (canon_rd_array(e, &n) != 0)
		return fail(why, whylen, "run 'e' is not an array");
	if (n > WIRE_BATCH_MAX)
		return fail(why, whylen, "run of more than 1024 entries");
	e->p = start;
	(void)canon_rd_skip(e);   /* the whole array */
	m->run_items = start;
	m->run_items_len = (size_t)(e->p - start);
	return 0;
}

int wire_msg_parse(struct wire_msg *m, struct wire_scratch *s, const uint8_t *buf,
		   size_t len, char *why, size_t whylen)
{
	struct canon_rd r, e_at = {NULL, NULL};
	uint32_t n;
	int rc = canon_check(buf, len, 4);
	bool has_type = false, has_a = false, has_b = false, has_e = false, has_p = false,
	     has_s = false;

	memset(m, 0, sizeof *m);
	if (rc != 0)
		return fail(why, whylen, pakt_strerror(rc));
	canon_rd_init(&r, buf, len);
	if (canon_rd_map(&r, &n) != 0)
		return fail(why, whylen, "message is not a map");
	m->e = s->e;
	m->e_len = s->e_len;
	for (uint32_t i = 0; i < n; i++) {
		const char *k, *str;
		uint32_t klen, slen;
		const uint8_t *bin;

		if (canon_rd_str(&r, &k, &klen) != 0)
			return fail(why, whylen, "map key is not a string");
		if (key_is(k, klen, "t")) {
			if (canon_rd_str(&r, &str, &slen) != 0)
				return fail(why, whylen, "'t' is not a string");
			for (size_t j = 0; j < sizeof type_names / sizeof type_names[0]; j++)
				if (key_is(str, slen, type_names[j].name))
					m->type = type_names[j].type;
			if (m->type == 0)
				return fail(why, whylen, "unknown message type");
			has_type = true;
		} else if (key_is(k, klen, "feeds")) {
			if (parse_clock_feeds(&r, m, s) != 0)
				return fail(why, whylen, "bad clock feeds");
		} else if (key_is(k, klen, "skip")) {
			uint32_t c;

			if (canon_rd_array(&r, &c) != 0 || c > WIRE_CLOCK_MAX)
				return fail(why, whylen, "bad clock skip list");
			for (uint32_t j = 0; j < c; j++)
				if (read_bin32(&r, &s->skip[j]) != 0)
					return fail(why, whylen, "bad clock skip list");
			m->skip = s->skip;
			m->n_skip = c;
		} else if (key_is(k, klen, "e")) {
			/* bins in "entries", items in "run": read once "t" is known */
			e_at = r;
			has_e = true;
			(void)canon_rd_skip(&r);   /* canon_check accepted the whole */
		} else if (key_is(k, klen, "p")) {
			has_p = true;
			if (!canon_rd_nil(&r) && read_bin32(&r, &m->run_prev) != 0)
				return fail(why, whylen, "run 'p' must be nil or 32 bytes");
		} else if (key_is(k, klen, "s")) {
			has_s = true;
			if (canon_rd_uint(&r, &m->run_seq) != 0)
				return fail(why, whylen, "run 's' is not a uint");
		} else if (key_is(k, klen, "a") || key_is(k, klen, "b")) {
			size_t idx = k[0] == 'a' ? 0 : 1;

			if (canon_rd_bin(&r, &bin, &slen) != 0)
				return fail(why, whylen, "fork proof entry is not bin");
			s->e[idx] = bin;
			s->e_len[idx] = slen;
			if (idx == 0)
				has_a = true;
			else
				has_b = true;
		} else if (key_is(k, klen, "secret")) {
			if (read_bin32(&r, &m->secret) != 0)
				return fail(why, whylen, "invite secret must be 32 bytes");
		} else if (key_is(k, klen, "name") || key_is(k, klen, "reason")) {
			if (canon_rd_str(&r, &str, &slen) != 0 || slen > 256)
				return fail(why, whylen, "name/reason must be a short string");
			if (k[0] == 'n') {
				m->name = str;
				m->name_len = slen;
			} else {
				m->reason = str;
				m->reason_len = slen;
			}
		} else if (wire_have_field(&r, k, klen, m, s, &rc, why, whylen)) {
			if (rc != 0)
				return rc;
		} else {
			return fail(why, whylen, "unknown field");
		}
	}
	if (!has_type)
		return fail(why, whylen, "message without 't'");
	if (m->type == WIRE_RUN)
		return parse_run(m, s, has_e ? &e_at : NULL, has_a && has_p && has_s, why, whylen);
	if (has_e && parse_bins(&e_at, s, WIRE_BATCH_MAX, &m->n_e) != 0)
		return fail(why, whylen, "bad entry batch (too many entries or not bins)");
	if (m->type == WIRE_FORK || m->type == WIRE_BADSIG) {
		if (!has_a || !has_b)
			return fail(why, whylen, "proof needs 'a' and 'b'");
		m->n_e = 2;
	}
	if (m->type == WIRE_INVITE && m->secret == NULL)
		return fail(why, whylen, "invite without secret");
	return 0;
}

void wire_clock(struct mpx_out *o, const struct wire_clock_item *feeds, size_t n,
		const uint8_t (*skip)[32], size_t n_skip)
{
	const uint8_t *ptrs[WIRE_CLOCK_MAX];

	for (size_t i = 0; i < n_skip && i < WIRE_CLOCK_MAX; i++)
		ptrs[i] = skip[i];
	wire_clock_part(o, feeds, n, ptrs, n_skip < WIRE_CLOCK_MAX ? n_skip : WIRE_CLOCK_MAX);
}

void wire_clock_part(struct mpx_out *o, const struct wire_clock_item *feeds, size_t n,
		     const uint8_t *const *skip, size_t n_skip)
{
	mpx_reset(o);
	msgpack_pack_map(&o->pk, 3);
	mpx_str(&o->pk, "feeds");
	msgpack_pack_array(&o->pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		msgpack_pack_array(&o->pk, 2);
		mpx_bin(&o->pk, feeds[i].author, 32);
		msgpack_pack_uint64(&o->pk, feeds[i].seq);
	}
	mpx_str(&o->pk, "skip");
	msgpack_pack_array(&o->pk, (uint32_t)n_skip);
	for (size_t i = 0; i < n_skip; i++)
		mpx_bin(&o->pk, skip[i], 32);
	mpx_kv_str(&o->pk, "t", "clock");
}

void wire_entries_begin(struct mpx_out *o, size_t count)
{
	mpx_reset(o);
	msgpack_pack_map(&o->pk, 2);
	mpx_str(&o->pk, "e");
	msgpack_pack_array(&o->pk, (uint32_t)count);
}

void wire_entries_add(struct mpx_out *o, const uint8_t *entry, size_t len)
{
	mpx_bin(&o->pk, entry, len);
}

/* after the last wire_entries_add */
void wire_entries_end(struct mpx_out *o)
{
	mpx_kv_str(&o->pk, "t", "entries");
}

/* {"a": bin, "b": bin, "t": type}: a fork or a bad-signature proof */
static void entry_pair(struct mpx_out *o, const uint8_t *a, size_t alen, const uint8_t *b,
		       size_t blen, const char *type)
{
	mpx_reset(o);
	msgpack_pack_map(&o->pk, 3);
	mpx_kv_bin(&o->pk, "a", a, alen);
	mpx_kv_bin(&o->pk, "b", b, blen);
	mpx_kv_str(&o->pk, "t", type);
}

void wire_badsig(struct mpx_out *o, const uint8_t *a, size_t alen, const uint8_t *b,
		 size_t blen)
{
	entry_pair(o, a, alen, b, blen, "badsig");
}

void wire_fork(struct mpx_out *o, const uint8_t *a, size_t alen, const uint8_t *b,
	       size_t blen)
{
	entry_pair(o, a, alen, b, blen, "fork");
}

void wire_invite(struct mpx_out *o, const uint8_t secret[32], const char *name)
{
	mpx_reset(o);
	msgpack_pack_map(&o->pk, 3);
	mpx_kv_str(&o->pk, "name", name);
	mpx_kv_bin(&o->pk, "secret", secret, 32);
	mpx_kv_str(&o->pk, "t", "invite");
}

void wire_welcome(struct mpx_out *o)
{
	mpx_reset(o);
	msgpack_pack_map(&o->pk, 1);
	mpx_kv_str(&o->pk, "t", "welcome");
}

void wire_bye(struct mpx_out *o, const char *reason)
{
	mpx_reset(o);
	msgpack_pack_map(&o->pk, 2);
	mpx_kv_str(&o->pk, "reason", reason);
	mpx_kv_str(&o->pk, "t", "bye");
}

/* ---- invite codes ---- */

#define INVITE_PREFIX "pi_"
#define INVITE_BIN_MAX 700

static void invite_sum(const uint8_t *data, size_t len, uint8_t out[4])
{
	uint8_t h[32];

	static const char key[16] = "pakt-invite-code";   /* domain separation */

	crypto_generichash(h, sizeof h, data, len, (const uint8_t *)key, sizeof key);
	memcpy(out, h, 4);
}

int wire_invite_encode(const struct invite *inv, char out[INVITE_TEXT_MAX])
{
	struct mpx_out o;
	uint8_t buf[INVITE_BIN_MAX + 4];
	size_t n;

	mpx_init(&o);
	msgpack_pack_array(&o.pk, 6);
	msgpack_pack_uint64(&o.pk, 1);
	mpx_bin(&o.pk, inv->network, 32);
	mpx_bin(&o.pk, inv->inviter, 32);
	msgpack_pack_array(&o.pk, (uint32_t)inv->n_addrs);
	for (size_t i = 0; i < inv->n_addrs; i++)
		mpx_str(&o.pk, inv->addrs[i]);
	mpx_bin(&o.pk, inv->secret, 32);
	msgpack_pack_uint64(&o.pk, inv->expires_ms);
	n = o.sb.size;
	if (n > INVITE_BIN_MAX) {
		mpx_free(&o);
		return PAKT_ETOOBIG;
	}
	memcpy(buf, o.sb.data, n);
	sodium_memzero(o.sb.data, o.sb.size);
	mpx_free(&o);
	invite_sum(buf, n, buf + n);
	memcpy(out, INVITE_PREFIX, 3);
	id_b32_encode(buf, n + 4, out + 3);
	sodium_memzero(buf, sizeof buf);
	return 0;
}

int wire_invite_clean(const char *text, char out[INVITE_TEXT_MAX + 1])
{
	size_t n = 0;

	for (; *text != '\0'; text++) {
		if (strchr(" \t\r\n<>", *text) != NULL)
			continue;
		if (n == INVITE_TEXT_MAX) {
			out[n] = '\0';
			return PAKT_EIDLEN;
		}
		out[n++] = *text;
	}
	out[n] = '\0';
	return 0;
}

int wire_invite_decode(const char *raw, struct invite *inv)
{
	uint8_t buf[INVITE_BIN_MAX + 4], sum[4];
	char text[INVITE_TEXT_MAX + 1];
	struct canon_rd r;
	const uint8_t *p;
	uint32_t n, len;
	uint64_t v;
	size_t blen, tlen;
	int rc;

	memset(inv, 0, sizeof *inv);
	rc = wire_invite_clean(raw, text);
	tlen = strlen(text);
	if (tlen < 3 || strncmp(text, INVITE_PREFIX, 3) != 0)
		rc = PAKT_EIDPREFIX;
	if (rc == 0)
		rc = id_b32_decode(text + 3, tlen - 3, buf, sizeof buf, &blen);
	sodium_memzero(text, sizeof text);   /* it holds the secret */
	if (rc != 0)
		return rc;
	if (blen < 5)
		return PAKT_EIDLEN;
	invite_sum(buf, blen - 4, sum);
	if (sodium_memcmp(sum, buf + blen - 4, 4) != 0)
		return PAKT_EIDCHECKSUM;
	blen -= 4;
	rc = PAKT_EFORMAT;
	if (canon_check(buf, blen, 2) != 0)
		goto wipe_buf;
	canon_rd_init(&r, buf, blen);
	if (canon_rd_array(&r, &n) != 0 || n != 6 || canon_rd_uint(&r, &v) != 0 || v != 1)
		goto wipe_buf;
	if (read_bin32(&r, &p) != 0)
		goto wipe_buf;
	memcpy(inv->network, p, 32);
	if (read_bin32(&r, &p) != 0)
		goto wipe_buf;
	memcpy(inv->inviter, p, 32);
	if (canon_rd_array(&r, &n) != 0 || n == 0 || n > INVITE_ADDRS_MAX)
		goto wipe_buf;
	for (uint32_t i = 0; i < n; i++) {
		const char *s;

		if (canon_rd_str(&r, &s, &len) != 0 || len == 0 || len > INVITE_ADDR_MAX)
			goto wipe_buf;
		memcpy(inv->addrs[i], s, len);
		inv->addrs[i][len] = '\0';
	}
	inv->n_addrs = n;
	if (read_bin32(&r, &p) != 0)
		goto wipe_buf;
	memcpy(inv->secret, p, 32);
	if (canon_rd_uint(&r, &inv->expires_ms) != 0)
		goto wipe_buf;
	rc = 0;
wipe_buf:
	sodium_memzero(buf, sizeof buf);
	return rc;
}
