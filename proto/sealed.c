/* Sealed bodies: a message encrypted to some members, and its envelope's
 * schema (proto/PROTOCOL.md, "sealed"). */
#include "proto/sealed.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "proto/body_priv.h"
#include "proto/entry.h"
#include "proto/err.h"

#define SEAL_BOX_BYTES (crypto_box_SEALBYTES + crypto_secretbox_KEYBYTES)
#define SEAL_CONTEXT "pakt sealed v2"   /* 14 bytes, no NUL */

/* The key ct is encrypted under: BLAKE2b-256 keyed with the message key
 * mk, of SEAL_CONTEXT || network || author. A copy of the body in another
 * author's feed, or in another initiative, no longer authenticates. */
static void ct_key(uint8_t out[crypto_secretbox_KEYBYTES],
		   const uint8_t mk[crypto_secretbox_KEYBYTES],
		   const uint8_t network[32], const uint8_t author[32])
{
	uint8_t in[sizeof SEAL_CONTEXT - 1 + 64];

	memcpy(in, SEAL_CONTEXT, sizeof SEAL_CONTEXT - 1);
	memcpy(in + sizeof SEAL_CONTEXT - 1, network, 32);
	memcpy(in + sizeof SEAL_CONTEXT - 1 + 32, author, 32);
	crypto_generichash(out, crypto_secretbox_KEYBYTES, in, sizeof in, mk,
			   crypto_secretbox_KEYBYTES);
}

/* {boxes: [bin80 ...], ct: bin, nonce: bin24} */
struct sealed_view {
	const uint8_t *boxes[BODY_BOXES_MAX];
	uint32_t n_boxes;
	const uint8_t *ct, *nonce;
	uint32_t ct_len;
};

static int rd_boxes(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	struct sealed_view *v = out;
	const uint8_t *p;
	uint32_t len, cnt;
	int rc = body_rd_array(r, "sealed", "boxes", 1, BODY_BOXES_MAX,
			       "sealed: \"boxes\" must hold 1 to %d boxes", &cnt,
			       why, whylen);

	for (uint32_t j = 0; rc == 0 && j < cnt; j++) {
		if (canon_rd_bin(r, &p, &len) != 0 || len != SEAL_BOX_BYTES)
			return body_fail(why, whylen,
					 "sealed: a box is not %d bytes of bin",
					 (int)SEAL_BOX_BYTES);
		if (v != NULL)
			v->boxes[j] = p;
	}
	if (rc == 0 && v != NULL)
		v->n_boxes = cnt;
	return rc;
}

static const struct body_field sealed_fields[] = {
	FN("boxes", true, rd_boxes),
	{ "ct", F_BIN, true, crypto_secretbox_MACBYTES, BODY_SEALED_MAX,
	  offsetof(struct sealed_view, ct),
	  offsetof(struct sealed_view, ct_len) + 1, NULL, NULL, NULL },
	{ "nonce", F_BIN, true, crypto_secretbox_NONCEBYTES,
	  crypto_secretbox_NONCEBYTES, offsetof(struct sealed_view, nonce), 0,
	  NULL, NULL, NULL },
};

const struct body_schema sealed_schema = {
	"sealed", sealed_fields, COUNT(sealed_fields), NULL
};


/* The inner map: {reply_to?, text, to?} (keys in bytewise order). */
static int pack_inner(struct mpx_out *in, const char *text, const uint8_t *reply_to,
		      const struct sealed_to *to)
{
	int rc = body_message(in, text, reply_to);   /* checks the text */

	if (rc != 0 || to == NULL || to->n == 0)
		return rc;
	if (to->n > BODY_BOXES_MAX - 1)
		return PAKT_ETOOBIG;
	sodium_memzero(in->sb.data, in->sb.size);
	mpx_reset(in);
	msgpack_pack_map(&in->pk, reply_to != NULL ? 3 : 2);
	if (reply_to != NULL)
		mpx_kv_bin(&in->pk, "reply_to", reply_to, 32);
	mpx_kv_str(&in->pk, "text", text);
	mpx_str(&in->pk, "to");
	msgpack_pack_array(&in->pk, (uint32_t)to->n);
	for (size_t i = 0; i < to->n; i++)
		mpx_bin(&in->pk, to->keys[i], 32);
	return 0;
}

int sealed_seal(struct mpx_out *o, const uint8_t network[32],
		const uint8_t author[32], const char *text,
		const uint8_t *reply_to, const uint8_t (*recipients)[32], size_t n)
{
	return sealed_seal_to(o, network, author, text, reply_to, recipients, n, NULL);
}

int sealed_seal_to(struct mpx_out *o, const uint8_t network[32],
		   const uint8_t author[32], const char *text,
		   const uint8_t *reply_to, const uint8_t (*recipients)[32], size_t n,
		   const struct sealed_to *to)
{
	uint8_t key[crypto_secretbox_KEYBYTES], ck[crypto_secretbox_KEYBYTES];
	uint8_t nonce[crypto_secretbox_NONCEBYTES];
	uint8_t boxes[BODY_BOXES_MAX][SEAL_BOX_BYTES];
	uint8_t *ct;
	struct mpx_out in;
	size_t ct_len;
	int rc;

	if (o == NULL || network == NULL || author == NULL || text == NULL ||
	    recipients == NULL || n < 1)
		return PAKT_EINVAL;
	if (n > BODY_BOXES_MAX)
		return PAKT_ETOOBIG;
	/* the inner map is a message body and the other recipients */
	mpx_init(&in);
	if ((rc = pack_inner(&in, text, reply_to, to)) != 0) {
		mpx_free(&in);
		return rc;
	}
	ct_len = in.sb.size + crypto_secretbox_MACBYTES;
	if (ct_len > BODY_SEALED_MAX) {         /* cannot happen at 8192 */
		sodium_memzero(in.sb.data, in.sb.size);
		mpx_free(&in);
		return PAKT_ETOOBIG;
	}
	crypto_secretbox_keygen(key);
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (crypto_box_seal(boxes[i], key, sizeof key, recipients[i]) != 0)
			rc = PAKT_EINVAL;       /* a low-order public key */
	ct = rc == 0 ? malloc(ct_len) : NULL;
	if (rc == 0 && ct == NULL)
		rc = PAKT_ENOMEM;
	if (rc == 0) {
		randombytes_buf(nonce, sizeof nonce);
		ct_key(ck, key, network, author);
		crypto_secretbox_easy(ct, (const uint8_t *)in.sb.data,
				      in.sb.size, nonce, ck);
	}
	sodium_memzero(key, sizeof key);
	sodium_memzero(ck, sizeof ck);
	sodium_memzero(in.sb.data, in.sb.size);
	mpx_free(&in);
	if (rc != 0)
		return rc;
	/* boxes < ct < nonce */
	msgpack_pack_map(&o->pk, 3);
	mpx_str(&o->pk, "boxes");
	msgpack_pack_array(&o->pk, n);
	for (size_t i = 0; i < n; i++)
		mpx_bin(&o->pk, boxes[i], SEAL_BOX_BYTES);
	mpx_kv_bin(&o->pk, "ct", ct, ct_len);
	mpx_kv_bin(&o->pk, "nonce", nonce, sizeof nonce);
	free(ct);
	return 0;
}


/* The decrypted inner map: canonical {reply_to?: bin32, text: str,
 * to?: [bin32, 1..31]}. */
struct inner {
	char *text;
	size_t cap;
	uint8_t *reply_to;
	struct sealed_to *to;
};

static int rd_inner_reply(struct canon_rd *r, void *out, char *why,
			  size_t whylen)
{
	struct inner *in = out;
	const uint8_t *p;
	if (body_rd_bin32(r, &p, "reply_to", NULL, 0) != 0)
		return PAKT_EBODY;
	if (in->reply_to != NULL)
		memcpy(in->reply_to, p, 32);
	return 0;
}

static int rd_inner_text(struct canon_rd *r, void *out, char *why,
			 size_t whylen)
{
	struct inner *in = out;
	const char *s;
	uint32_t len;
	if (body_rd_cstr(r, "sealed", "text", 0, BODY_TEXT_MAX, &s, &len, NULL,
			 0) != 0)
		return PAKT_EBODY;
	if (len >= in->cap)
		return PAKT_ETOOBIG;
	body_put(in->text, s, len);
	return 0;
}

static int rd_inner_to(struct canon_rd *r, void *out, char *why, size_t whylen)
{
	struct inner *in = out;
	const uint8_t *p;
	uint32_t cnt;

	if (canon_rd_array(r, &cnt) != 0 || cnt < 1 || cnt > BODY_BOXES_MAX - 1)
		return PAKT_EBODY;
	for (uint32_t i = 0; i < cnt; i++) {
		if (body_rd_bin32(r, &p, "to", NULL, 0) != 0)
			return PAKT_EBODY;
		if (in->to != NULL)
			memcpy(in->to->keys[i], p, 32);
	}
	if (in->to != NULL)
		in->to->n = cnt;
	return 0;
}

static const struct body_field inner_fields[] = {
	FN("reply_to", false, rd_inner_reply),
	FN("text", true, rd_inner_text),
	FN("to", false, rd_inner_to),
};

static int parse_inner(const uint8_t *pt, size_t len, char *text, size_t cap,
		       uint8_t reply_to[32], bool *has_reply, struct sealed_to *to)
{
	struct inner in = { text, cap, reply_to, to };
	struct canon_rd r;
	uint32_t n;
	unsigned seen;
	int rc;

	if (body_open(&r, pt, len, &n) != 0)
		return PAKT_EBODY;
	/* reasons are not kept: any failure but a long text is PAKT_EBODY */
	rc = body_walk(&r, n, "sealed", inner_fields, COUNT(inner_fields), &in, &seen,
		       NULL, 0);
	if (rc == 0 && has_reply != NULL)
		*has_reply = seen & 1u;
	return rc;
}

int sealed_open(const uint8_t *b, size_t len, const uint8_t network[32],
		const uint8_t author[32], const uint8_t x_pk[32],
		const uint8_t x_sk[32], char *text, size_t cap,
		uint8_t reply_to[32], bool *has_reply)
{
	return sealed_open_to(b, len, network, author, x_pk, x_sk, text, cap, reply_to,
			      has_reply, NULL);
}

int sealed_open_to(const uint8_t *b, size_t len, const uint8_t network[32],
		   const uint8_t author[32], const uint8_t x_pk[32],
		   const uint8_t x_sk[32], char *text, size_t cap,
		   uint8_t reply_to[32], bool *has_reply, struct sealed_to *to)
{
	struct sealed_view v;
	struct canon_rd r;
	uint8_t key[crypto_secretbox_KEYBYTES], ck[crypto_secretbox_KEYBYTES];
	uint8_t pt[BODY_SEALED_MAX];
	size_t pt_len;
	uint32_t n;
	bool found = false;
	int rc;

	if (network == NULL || author == NULL || x_pk == NULL || x_sk == NULL ||
	    text == NULL || cap == 0)
		return PAKT_EINVAL;
	text[0] = '\0';
	if (to != NULL)
		to->n = 0;
	if (body_open(&r, b, len, &n) != 0 ||
	    body_parse_schema(&r, n, &sealed_schema, &v, NULL, 0) != 0)
		return PAKT_EBODY;
	for (uint32_t i = 0; i < v.n_boxes && !found; i++)
		found = crypto_box_seal_open(key, v.boxes[i], SEAL_BOX_BYTES,
					     x_pk, x_sk) == 0;
	if (!found) {
		sodium_memzero(key, sizeof key);
		return PAKT_ENOTFOUND;
	}
	pt_len = v.ct_len - crypto_secretbox_MACBYTES;
	ct_key(ck, key, network, author);
	if (crypto_secretbox_open_easy(pt, v.ct, v.ct_len, v.nonce, ck) == 0)
		rc = parse_inner(pt, pt_len, text, cap, reply_to, has_reply, to);
	else if (crypto_secretbox_open_easy(pt, v.ct, v.ct_len, v.nonce,
					    key) == 0)
		rc = PAKT_EVERSION;     /* before the binding: any author's */
	else
		rc = PAKT_EBODY;        /* damaged, or copied from elsewhere */
	sodium_memzero(key, sizeof key);
	sodium_memzero(ck, sizeof ck);
	sodium_memzero(pt, pt_len);
	if (rc != 0) {
		text[0] = '\0';
		if (to != NULL)
			to->n = 0;
	}
	return rc;
}

