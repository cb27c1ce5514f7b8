/* Compact entries: building and decoding "run" messages (replication
 * version 2; PROTOCOL.md, "Compact entries"). */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "proto/canon.h"
#include "proto/err.h"
#include "proto/wire_run.h"

#define ITEM_BODY 4     /* [ts, type, sig, body] */
#define ITEM_NOBODY 6   /* [ts, type, sig, nil, body_size, body_hash] */

/* BLAKE2b-256(header || sig): what the next entry's prev names. */
static void entry_id(const uint8_t *header, size_t header_len, const uint8_t *sig,
		     uint8_t out[PAKT_HASH_LEN])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, PAKT_HASH_LEN);
	crypto_generichash_update(&st, header, header_len);
	crypto_generichash_update(&st, sig, PAKT_SIG_LEN);
	crypto_generichash_final(&st, out, PAKT_HASH_LEN);
}

/* ---- building ---- */

void wire_run_init(struct wire_run *r, const uint8_t network[32])
{
	memset(r, 0, sizeof *r);
	mpx_init(&r->items);
	memcpy(r->network, network, 32);
}

void wire_run_free(struct wire_run *r)
{
	if (r != NULL)
		mpx_free(&r->items);
}

void wire_run_begin(struct wire_run *r)
{
	mpx_reset(&r->items);
	r->count = 0;
}

int wire_run_add(struct wire_run *r, const uint8_t *header, size_t header_len,
		 const uint8_t sig[PAKT_SIG_LEN], const uint8_t *body, size_t body_len)
{
	struct entry_header h;
	uint8_t hash[PAKT_HASH_LEN];

	/* the receiver rebuilds the header from the decoded fields: only a
	 * canonical header of our network comes out byte for byte */
	if (entry_header_decode(&h, header, header_len) != 0 ||
	    (h.has_network && memcmp(h.network, r->network, 32) != 0))
		return PAKT_EINVAL;
	if (body != NULL) {
		if (body_len != h.body_size)
			return PAKT_EINVAL;
		entry_body_hash(body, body_len, hash);
		if (memcmp(hash, h.body_hash, PAKT_HASH_LEN) != 0)
			return PAKT_EINVAL;
	}
	if (r->count == WIRE_BATCH_MAX)
		return PAKT_ECHAIN;
	if (r->count > 0 && (memcmp(h.author, r->author, 32) != 0 || h.seq != r->seq + r->count ||
			     !h.has_prev || memcmp(h.prev, r->last, 32) != 0))
		return PAKT_ECHAIN;
	if (r->count == 0) {
		memcpy(r->author, h.author, 32);
		r->seq = h.seq;
		r->has_prev = h.has_prev;
		memcpy(r->prev, h.prev, 32);
	}
	msgpack_pack_array(&r->items.pk, body != NULL ? ITEM_BODY : ITEM_NOBODY);
	msgpack_pack_uint64(&r->items.pk, h.timestamp);
	mpx_str(&r->items.pk, h.type);
	mpx_bin(&r->items.pk, sig, PAKT_SIG_LEN);
	if (body != NULL) {
		mpx_bin(&r->items.pk, body, body_len);
	} else {
		msgpack_pack_nil(&r->items.pk);
		msgpack_pack_uint32(&r->items.pk, h.body_size);
		mpx_bin(&r->items.pk, h.body_hash, PAKT_HASH_LEN);
	}
	entry_id(header, header_len, sig, r->last);
	r->count++;
	return 0;
}

bool wire_run_fits(const struct wire_run *r, size_t body_len)
{
	/* the map with its keys, "a", an array16 header, "p" as bin32, "s"
	 * as uint64, "t"; then the largest item of that body */
	size_t fixed = 1 + 2 + 34 + 2 + 3 + 2 + 34 + 2 + 9 + 2 + 4;
	size_t item = 1 + 9 + (1 + ENTRY_TYPE_MAX) + (2 + PAKT_SIG_LEN) +
		      (body_len > 0 ? 3 + body_len : 1 + 3 + 2 + PAKT_HASH_LEN);

	return fixed + r->items.sb.size + item <= WIRE_PLAIN_MAX;
}

void wire_run_end(const struct wire_run *r, struct mpx_out *o)
{
	mpx_reset(o);
	msgpack_pack_map(&o->pk, 5);
	mpx_kv_bin(&o->pk, "a", r->author, 32);
	mpx_str(&o->pk, "e");
	msgpack_pack_array(&o->pk, (uint32_t)r->count);
	msgpack_sbuffer_write(&o->sb, r->items.sb.data, r->items.sb.size);
	mpx_str(&o->pk, "p");
	if (r->has_prev)
		mpx_bin(&o->pk, r->prev, 32);
	else
		msgpack_pack_nil(&o->pk);
	mpx_kv_u64(&o->pk, "s", r->seq);
	mpx_kv_str(&o->pk, "t", "run");
}

/* ---- decoding ---- */

static int fail(char *why, size_t whylen, const char *msg)
{
	snprintf(why, whylen, "%s", msg);
	return PAKT_EPROTO;
}

/* Canonical msgpack forms, written by hand: smallest int and length. */
static size_t uint_len(uint64_t v)
{
	return v <= 0x7f ? 1 : v <= 0xff ? 2 : v <= 0xffff ? 3 : v <= 0xffffffff ? 5 : 9;
}

static uint8_t *put_be(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = n; i > 0; i--)
		*p++ = (uint8_t)(v >> (8 * (i - 1)));
	return p;
}

static uint8_t *put_uint(uint8_t *p, uint64_t v)
{
	static const uint8_t tag[] = {0, 0, 0xcc, 0xcd, 0, 0xce, 0, 0, 0, 0xcf};
	size_t n = uint_len(v);

	if (n == 1) {
		*p++ = (uint8_t)v;
		return p;
	}
	*p++ = tag[n];
	return put_be(p, v, n - 1);
}

static size_t bin_hdr_len(size_t n)
{
	return n <= 0xff ? 2 : n <= 0xffff ? 3 : 5;
}

static uint8_t *put_bin_hdr(uint8_t *p, size_t n)
{
	size_t h = bin_hdr_len(n);

	*p++ = h == 2 ? 0xc4 : h == 3 ? 0xc5 : 0xc6;
	return put_be(p, n, h - 1);
}

static uint8_t *put_bin(uint8_t *p, const uint8_t *data, size_t n)
{
	p = put_bin_hdr(p, n);
	memcpy(p, data, n);
	return p + n;
}

static size_t str_hdr_len(size_t n)
{
	return n <= 31 ? 1 : n <= 0xff ? 2 : n <= 0xffff ? 3 : 5;
}

static uint8_t *put_str(uint8_t *p, const char *s, size_t n)
{
	size_t h = str_hdr_len(n);

	if (h == 1) {
		*p++ = (uint8_t)(0xa0 | n);
	} else {
		*p++ = h == 2 ? 0xd9 : h == 3 ? 0xda : 0xdb;
		p = put_be(p, n, h - 1);
	}
	memcpy(p, s, n);
	return p + n;
}

/* One item, decoded: the fields the sender sent. */
struct item {
	uint64_t ts;
	const char *type;
	uint32_t type_len;
	const uint8_t *sig;
	const uint8_t *body;        /* NULL: absent */
	uint32_t body_len;
	uint64_t body_size;
	uint8_t body_hash[PAKT_HASH_LEN];
};

static int read_item(struct canon_rd *r, struct item *it, char *why, size_t whylen)
{
	const uint8_t *p;
	uint32_t n, len;

	if (canon_rd_array(r, &n) != 0 || (n != ITEM_BODY && n != ITEM_NOBODY))
		return fail(why, whylen, "run item is not an array of 4 or 6");
	if (canon_rd_uint(r, &it->ts) != 0)
		return fail(why, whylen, "run item timestamp is not a uint");
	if (canon_rd_str(r, &it->type, &it->type_len) != 0)
		return fail(why, whylen, "run item type is not a string");
	if (canon_rd_bin(r, &it->sig, &len) != 0 || len != PAKT_SIG_LEN)
		return fail(why, whylen, "run item signature is not 64 bytes");
	if (n == ITEM_BODY) {
		if (canon_rd_bin(r, &it->body, &it->body_len) != 0)
			return fail(why, whylen, "run item body is not bin");
		if (it->body_len > ENTRY_BODY_MAX)
			return fail(why, whylen, "run item body over 16384 bytes");
		it->body_size = it->body_len;
		entry_body_hash(it->body, it->body_len, it->body_hash);
		return 0;
	}
	it->body = NULL;
	if (!canon_rd_nil(r))
		return fail(why, whylen, "run item of 6 without nil body");
	if (canon_rd_uint(r, &it->body_size) != 0 || it->body_size > ENTRY_BODY_MAX)
		return fail(why, whylen, "run item body_size is not a uint up to 16384");
	if (canon_rd_bin(r, &p, &len) != 0 || len != PAKT_HASH_LEN)
		return fail(why, whylen, "run item body_hash is not 32 bytes");
	memcpy(it->body_hash, p, PAKT_HASH_LEN);
	return 0;
}

int wire_run_decode(const struct wire_msg *m, const uint8_t network[32],
		    struct wire_run_scratch *s, size_t *count, char *why, size_t whylen)
{
	struct canon_rd r;
	uint8_t prev[PAKT_HASH_LEN];
	uint8_t *out = s->buf, *end = s->buf + sizeof s->buf;
	uint32_t n;
	struct item it;

	*count = 0;
	if (m->type != WIRE_RUN || m->run_items == NULL)
		return fail(why, whylen, "not a run");
	canon_rd_init(&r, m->run_items, m->run_items_len);
	if (canon_rd_array(&r, &n) != 0)
		return fail(why, whylen, "run 'e' is not an array");
	if (n == 0)
		return fail(why, whylen, "empty run");
	if (n > WIRE_BATCH_MAX)
		return fail(why, whylen, "run of more than 1024 entries");
	if (m->run_seq == 0 || m->run_seq > ENTRY_SEQ_MAX || n - 1 > ENTRY_SEQ_MAX - m->run_seq)
		return fail(why, whylen, "run seq 0 or past 2^53");
	if ((m->run_prev == NULL) != (m->run_seq == 1))
		return fail(why, whylen, "run 'p' must be nil exactly at seq 1");
	if (m->run_prev != NULL)
		memcpy(prev, m->run_prev, PAKT_HASH_LEN);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t seq = m->run_seq + i;
		bool genesis, has_prev = seq > 1;
		size_t hlen, wlen;
		uint8_t *hdr;
		int rc = read_item(&r, &it, why, whylen);

		if (rc != 0)
			return rc;
		genesis = it.type_len == 7 && memcmp(it.type, "genesis", 7) == 0;
		hlen = 1 + 1 + (genesis ? 1 : 34) + 34 + uint_len(seq) + (has_prev ? 34 : 1) +
		       uint_len(it.ts) + str_hdr_len(it.type_len) + it.type_len +
		       uint_len(it.body_size) + 34;
		if (hlen > ENTRY_HEADER_MAX)
			return fail(why, whylen, "run item's rebuilt header over 256 bytes");
		wlen = 1 + bin_hdr_len(hlen) + hlen + 2 + PAKT_SIG_LEN +
		       (it.body ? bin_hdr_len(it.body_len) + it.body_len : 1);
		if (wlen > (size_t)(end - out))
			return fail(why, whylen, "run too large to rebuild");
		s->e[i] = out;
		s->e_len[i] = wlen;
		/* [bin header, bin sig, bin body|nil], the header written in place */
		*out++ = 0x93;
		hdr = out = put_bin_hdr(out, hlen);
		*out++ = 0x99;
		*out++ = ENTRY_VERSION;
		if (genesis)
			*out++ = 0xc0;
		else
			out = put_bin(out, network, 32);
		out = put_bin(out, m->run_author, 32);
		out = put_uint(out, seq);
		if (has_prev)
			out = put_bin(out, prev, 32);
		else
			*out++ = 0xc0;
		out = put_uint(out, it.ts);
		out = put_str(out, it.type, it.type_len);
		out = put_uint(out, it.body_size);
		out = put_bin(out, it.body_hash, PAKT_HASH_LEN);
		entry_id(hdr, hlen, it.sig, prev);
		out = put_bin(out, it.sig, PAKT_SIG_LEN);
		if (it.body)
			out = put_bin(out, it.body, it.body_len);
		else
			*out++ = 0xc0;
	}
	*count = n;
	return 0;
}
