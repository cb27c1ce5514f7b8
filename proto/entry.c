/* Entries: header encode/decode, signing, hashing, wire form, chain links. */
#include "proto/entry.h"

#include <string.h>
#include <msgpack.h>
#include <sodium.h>

#include "proto/canon.h"
#include "proto/err.h"

#define HEADER_FIELDS 9
#define WIRE_FIELDS 3

/* msgpack-c writes through a callback; this one fills a fixed buffer so
 * that encoding never touches the heap. */
struct fixbuf {
	uint8_t *p;
	size_t len;
	size_t cap;
	bool overflow;
};

static int fixbuf_write(void *data, const char *buf, size_t len)
{
	struct fixbuf *f = data;
	if (f->overflow || len > f->cap - f->len) {
		f->overflow = true;
		return -1;
	}
	memcpy(f->p + f->len, buf, len);
	f->len += len;
	return 0;
}

void entry_body_hash(const uint8_t *body, size_t len, uint8_t out[PAKT_HASH_LEN])
{
	crypto_generichash(out, PAKT_HASH_LEN, body, len, NULL, 0);
}

/* BLAKE2b-256(header || sig): the entry's identity. */
static void entry_hash(struct entry *e)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, PAKT_HASH_LEN);
	crypto_generichash_update(&st, e->header_bytes, e->header_len);
	crypto_generichash_update(&st, e->sig, PAKT_SIG_LEN);
	crypto_generichash_final(&st, e->hash, PAKT_HASH_LEN);
}

static bool type_name_valid(const char *s, size_t len)
{
	if (len < 1 || len > ENTRY_TYPE_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < 'a' || s[i] > 'z')
			return false;
	return true;
}

/* The rules between header fields, shared by encoder and decoder. */
static int header_rules(const struct entry_header *h)
{
	size_t tlen = strnlen(h->type, sizeof h->type);

	if (h->version != ENTRY_VERSION)
		return PAKT_EVERSION;
	if (tlen == sizeof h->type || !type_name_valid(h->type, tlen))
		return PAKT_ETYPE;
	if (h->seq == 0 || h->seq > ENTRY_SEQ_MAX)
		return PAKT_ESEQ;
	if (h->has_prev != (h->seq > 1))
		return PAKT_EPREV;
	/* a genesis entry starts a network, so it cannot name one, and only
	 * it may go without */
	bool genesis = strcmp(h->type, "genesis") == 0;
	if (genesis != !h->has_network)
		return PAKT_ETYPE;
	if (genesis && h->seq != 1)
		return PAKT_ESEQ;
	if (h->body_size == 0)
		return PAKT_EBODYSIZE;  /* a body is a map: at least 1 byte */
	if (h->body_size > ENTRY_BODY_MAX)
		return PAKT_ETOOBIG;
	return 0;
}

static int header_encode(const struct entry_header *h, uint8_t *out,
			 size_t cap, size_t *len)
{
	struct fixbuf f = { .p = out, .cap = cap };
	msgpack_packer pk;

	msgpack_packer_init(&pk, &f, fixbuf_write);
	msgpack_pack_array(&pk, HEADER_FIELDS);
	msgpack_pack_uint32(&pk, h->version);
	if (h->has_network)
		msgpack_pack_bin_with_body(&pk, h->network, PAKT_HASH_LEN);
	else
		msgpack_pack_nil(&pk);
	msgpack_pack_bin_with_body(&pk, h->author, PAKT_KEY_LEN);
	msgpack_pack_uint64(&pk, h->seq);
	if (h->has_prev)
		msgpack_pack_bin_with_body(&pk, h->prev, PAKT_HASH_LEN);
	else
		msgpack_pack_nil(&pk);
	msgpack_pack_uint64(&pk, h->timestamp);
	msgpack_pack_str_with_body(&pk, h->type, strlen(h->type));
	msgpack_pack_uint32(&pk, h->body_size);
	msgpack_pack_bin_with_body(&pk, h->body_hash, PAKT_HASH_LEN);
	if (f.overflow)
		return PAKT_ETOOBIG;
	*len = f.len;
	return 0;
}

/* A bin of exactly n bytes, copied to out. */
static int rd_binn(struct canon_rd *r, uint8_t *out, size_t n)
{
	const uint8_t *p;
	uint32_t len;
	int rc = canon_rd_bin(r, &p, &len);
	if (rc != 0)
		return rc;
	if (len != n)
		return PAKT_ETYPE;
	memcpy(out, p, n);
	return 0;
}

/* nil (returns false in *present) or a bin of exactly n bytes. */
static int rd_opt_binn(struct canon_rd *r, bool *present, uint8_t *out,
		       size_t n)
{
	*present = !canon_rd_nil(r);
	return *present ? rd_binn(r, out, n) : 0;
}

int entry_header_decode(struct entry_header *h, const uint8_t *buf, size_t len)
{
	struct canon_rd r;
	uint32_t n, tlen;
	uint64_t v;
	const char *type;
	int rc;

	if (len > ENTRY_HEADER_MAX)
		return PAKT_ETOOBIG;
	if ((rc = canon_check(buf, len, CANON_MAX_DEPTH)) != 0)
		return rc;
	memset(h, 0, sizeof *h);
	canon_rd_init(&r, buf, len);
	if ((rc = canon_rd_array(&r, &n)) != 0)
		return rc;
	if (n == 0)
		return PAKT_ETYPE;
	/* the version first: another version may have another shape */
	if ((rc = canon_rd_uint(&r, &v)) != 0)
		return rc;
	if (v != ENTRY_VERSION)
		return PAKT_EVERSION;
	h->version = (uint32_t)v;
	if (n != HEADER_FIELDS)
		return PAKT_ETYPE;
	if ((rc = rd_opt_binn(&r, &h->has_network, h->network,
			      PAKT_HASH_LEN)) != 0 ||
	    (rc = rd_binn(&r, h->author, PAKT_KEY_LEN)) != 0 ||
	    (rc = canon_rd_uint(&r, &h->seq)) != 0 ||
	    (rc = rd_opt_binn(&r, &h->has_prev, h->prev, PAKT_HASH_LEN)) != 0 ||
	    (rc = canon_rd_uint(&r, &h->timestamp)) != 0 ||
	    (rc = canon_rd_str(&r, &type, &tlen)) != 0)
		return rc;
	if (!type_name_valid(type, tlen))
		return PAKT_ETYPE;
	memcpy(h->type, type, tlen);
	h->type[tlen] = '\0';
	if ((rc = canon_rd_uint(&r, &v)) != 0)
		return rc;
	if (v > ENTRY_BODY_MAX)
		return PAKT_ETOOBIG;
	h->body_size = (uint32_t)v;
	if ((rc = rd_binn(&r, h->body_hash, PAKT_HASH_LEN)) != 0)
		return rc;
	return header_rules(h);
}

/* A body present beside a header: its size, hash and canonical form. */
static int body_check(const struct entry_header *h, const uint8_t *body,
		      size_t len)
{
	uint8_t hash[PAKT_HASH_LEN];
	int rc;

	if (len > ENTRY_BODY_MAX)
		return PAKT_ETOOBIG;
	if (len != h->body_size)
		return PAKT_EBODYSIZE;
	entry_body_hash(body, len, hash);
	if (sodium_memcmp(hash, h->body_hash, PAKT_HASH_LEN) != 0)
		return PAKT_EBODYHASH;
	if ((rc = canon_check(body, len, CANON_MAX_DEPTH)) != 0)
		return rc;
	/* fixmap, map16, map32 */
	if (!((body[0] >= 0x80 && body[0] <= 0x8f) || body[0] == 0xde ||
	      body[0] == 0xdf))
		return PAKT_ETYPE;
	return 0;
}

int entry_from_parts(struct entry *e, const uint8_t *header, size_t header_len,
		     const uint8_t sig[PAKT_SIG_LEN], const uint8_t *body,
		     size_t body_len)
{
	int rc;

	e->body = NULL;
	e->body_len = 0;
	if ((rc = entry_header_decode(&e->h, header, header_len)) != 0)
		return rc;
	memcpy(e->header_bytes, header, header_len);
	e->header_len = header_len;
	memcpy(e->sig, sig, PAKT_SIG_LEN);
	entry_hash(e);
	if (body != NULL) {
		if ((rc = body_check(&e->h, body, body_len)) != 0)
			return rc;
		e->body = body;
		e->body_len = body_len;
	}
	return 0;
}

int entry_decode(struct entry *e, const uint8_t *buf, size_t len)
{
	struct canon_rd r;
	const uint8_t *header, *sig, *body = NULL;
	uint32_t n, header_len, sig_len, body_len = 0;
	int rc;

	if (len > ENTRY_WIRE_MAX)
		return PAKT_ETOOBIG;
	if ((rc = canon_check(buf, len, CANON_MAX_DEPTH)) != 0)
		return rc;
	canon_rd_init(&r, buf, len);
	if ((rc = canon_rd_array(&r, &n)) != 0)
		return rc;
	if (n != WIRE_FIELDS)
		return PAKT_ETYPE;
	if ((rc = canon_rd_bin(&r, &header, &header_len)) != 0 ||
	    (rc = canon_rd_bin(&r, &sig, &sig_len)) != 0)
		return rc;
	if (header_len > ENTRY_HEADER_MAX)
		return PAKT_ETOOBIG;
	if (sig_len != PAKT_SIG_LEN)
		return PAKT_ETYPE;
	if (!canon_rd_nil(&r)) {
		if ((rc = canon_rd_bin(&r, &body, &body_len)) != 0)
			return rc;
	}
	return entry_from_parts(e, header, header_len, sig, body, body_len);
}

int entry_create(struct entry *e, const struct entry_header *h,
		 const uint8_t *body, size_t body_len, const uint8_t *sk)
{
	int rc;

	if (body == NULL || sk == NULL)
		return PAKT_EINVAL;
	if (body_len > ENTRY_BODY_MAX)
		return PAKT_ETOOBIG;
	if ((rc = canon_check(body, body_len, CANON_MAX_DEPTH)) != 0)
		return rc;
	if (!((body[0] >= 0x80 && body[0] <= 0x8f) || body[0] == 0xde ||
	      body[0] == 0xdf))
		return PAKT_ETYPE;
	e->h = *h;
	e->h.body_size = (uint32_t)body_len;
	entry_body_hash(body, body_len, e->h.body_hash);
	if (header_rules(&e->h) != 0)
		return PAKT_EINVAL;
	/* libsodium's secret key is seed || public key: signing as someone
	 * other than the header's author would make an entry nobody accepts */
	if (sodium_memcmp(sk + 32, e->h.author, PAKT_KEY_LEN) != 0)
		return PAKT_EINVAL;
	if ((rc = header_encode(&e->h, e->header_bytes, sizeof e->header_bytes,
				&e->header_len)) != 0)
		return rc;
	crypto_sign_detached(e->sig, NULL, e->header_bytes, e->header_len, sk);
	entry_hash(e);
	e->body = body;
	e->body_len = body_len;
	return 0;
}

int entry_encode(const struct entry *e, bool with_body, uint8_t *out,
		 size_t cap, size_t *len)
{
	struct fixbuf f = { .p = out, .cap = cap };
	msgpack_packer pk;

	msgpack_packer_init(&pk, &f, fixbuf_write);
	msgpack_pack_array(&pk, WIRE_FIELDS);
	msgpack_pack_bin_with_body(&pk, e->header_bytes, e->header_len);
	msgpack_pack_bin_with_body(&pk, e->sig, PAKT_SIG_LEN);
	if (with_body && e->body != NULL)
		msgpack_pack_bin_with_body(&pk, e->body, e->body_len);
	else
		msgpack_pack_nil(&pk);
	if (f.overflow)
		return PAKT_ETOOBIG;
	*len = f.len;
	return 0;
}

int entry_verify(const struct entry *e)
{
	if (crypto_sign_verify_detached(e->sig, e->header_bytes, e->header_len,
					e->h.author) != 0)
		return PAKT_ESIG;
	return 0;
}

int entry_check_link(const struct entry *prev, const struct entry *e)
{
	if (memcmp(entry_network(prev), entry_network(e), PAKT_HASH_LEN) != 0)
		return PAKT_ENETWORK;
	if (memcmp(prev->h.author, e->h.author, PAKT_KEY_LEN) != 0)
		return PAKT_ECHAIN;
	if (e->h.seq != prev->h.seq + 1)
		return PAKT_ESEQ;
	if (!e->h.has_prev ||
	    memcmp(e->h.prev, prev->hash, PAKT_HASH_LEN) != 0)
		return PAKT_ECHAIN;
	return 0;
}

int entry_check_time(const struct entry_header *e, uint64_t prev_ts, uint64_t now_ms)
{
	if (e->timestamp < prev_ts)
		return PAKT_ETIME;
	if (e->timestamp > now_ms + ENTRY_FUTURE_MAX_MS)
		return PAKT_ETIME;
	return 0;
}

const uint8_t *entry_network(const struct entry *e)
{
	return e->h.has_network ? e->h.network : e->hash;
}
