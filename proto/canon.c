/* Canonical msgpack: a byte walker that rejects every non-canonical form with its own reason. */
#include "proto/canon.h"

#include <string.h>

#include "proto/err.h"

/* Why a byte walker rather than "decode, re-encode, compare": msgpack-c
 * decodes every non-minimal form to the same object, so the comparison
 * would only say "differs"; walking the bytes names the first problem
 * (PAKT_ENONMINIMAL, PAKT_EKEYORDER, ...), needs no heap, and checks depth
 * before anything recurses. The walker accepts exactly what msgpack-c's
 * packer writes (str8 included), so re-encoding would give the same bytes. */

struct walk {
	const uint8_t *p;
	const uint8_t *end;
	unsigned max_depth;
};

static uint16_t load16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static uint32_t load32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint64_t load64(const uint8_t *p)
{
	return (uint64_t)load32(p) << 32 | load32(p + 4);
}

static size_t left(const struct walk *w)
{
	return (size_t)(w->end - w->p);
}

bool canon_utf8_valid(const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;
	const uint8_t *end = p + len;

	while (p < end) {
		uint8_t c = *p;
		if (c < 0x80) {
			p++;
			continue;
		}
		size_t n;
		uint8_t lo = 0x80, hi = 0xbf; /* range of the second byte */
		if (c >= 0xc2 && c <= 0xdf) {
			n = 2;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 3;
			if (c == 0xe0)
				lo = 0xa0;      /* overlong */
			else if (c == 0xed)
				hi = 0x9f;      /* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 4;
			if (c == 0xf0)
				lo = 0x90;      /* overlong */
			else if (c == 0xf4)
				hi = 0x8f;      /* above U+10FFFF */
		} else {
			return false;   /* continuation byte, c0/c1, f5..ff */
		}
		if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
			return false;
		for (size_t i = 2; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		p += n;
	}
	return true;
}

int canon_key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* Read a length or integer of n bytes (1, 2, 4, 8) after the type byte. */
static int walk_uint(struct walk *w, size_t n, uint64_t *v)
{
	if (left(w) < n)
		return PAKT_ETRUNC;
	switch (n) {
	case 1: *v = w->p[0]; break;
	case 2: *v = load16(w->p); break;
	case 4: *v = load32(w->p); break;
	default: *v = load64(w->p); break;
	}
	w->p += n;
	return 0;
}

/* A str/bin payload of n bytes; *s gets its start. */
static int walk_bytes(struct walk *w, uint64_t n, const uint8_t **s)
{
	if (left(w) < n)
		return PAKT_ETRUNC;
	*s = w->p;
	w->p += n;
	return 0;
}

/* A length is minimal when no smaller form holds it: min is the first
 * length that needs this form's width. */
static int check_len(uint64_t n, uint64_t min)
{
	return n < min ? PAKT_ENONMINIMAL : 0;
}

/* First length of each width: 1, 2 or 4 bytes (fixstr holds up to 31,
 * fixarray/fixmap up to 15, bin has no fix form). */
static uint64_t str_min(size_t width)
{
	return width == 1 ? 32 : width == 2 ? 256 : 65536;
}

static int walk_value(struct walk *w, unsigned depth);

/* A string whose type byte was already consumed; b is that byte. */
static int walk_str(struct walk *w, uint8_t b, const char **s, size_t *len)
{
	uint64_t n;
	int rc;

	if (b >= 0xa0 && b <= 0xbf) {
		n = b & 0x1f;
	} else {
		size_t width = b == 0xd9 ? 1 : b == 0xda ? 2 : 4;
		if ((rc = walk_uint(w, width, &n)) != 0)
			return rc;
		if ((rc = check_len(n, str_min(width))) != 0)
			return rc;
	}
	const uint8_t *p;
	if ((rc = walk_bytes(w, n, &p)) != 0)
		return rc;
	if (!canon_utf8_valid((const char *)p, (size_t)n))
		return PAKT_EUTF8;
	*s = (const char *)p;
	*len = (size_t)n;
	return 0;
}

static bool is_str_byte(uint8_t b)
{
	return (b >= 0xa0 && b <= 0xbf) || b == 0xd9 || b == 0xda || b == 0xdb;
}

static int walk_array(struct walk *w, uint64_t n, unsigned depth)
{
	if (depth > w->max_depth)
		return PAKT_EDEPTH;
	/* every element takes at least one byte: refuse absurd counts early */
	if (n > left(w))
		return PAKT_ETRUNC;
	for (uint64_t i = 0; i < n; i++) {
		int rc = walk_value(w, depth);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int walk_map(struct walk *w, uint64_t n, unsigned depth)
{
	const char *prev = NULL;
	size_t prev_len = 0;

	if (depth > w->max_depth)
		return PAKT_EDEPTH;
	if (n > left(w) / 2)
		return PAKT_ETRUNC;
	for (uint64_t i = 0; i < n; i++) {
		const char *key;
		size_t key_len;
		int rc;

		if (left(w) == 0)
			return PAKT_ETRUNC;
		uint8_t b = *w->p++;
		if (!is_str_byte(b))
			return PAKT_EKEYTYPE;
		if ((rc = walk_str(w, b, &key, &key_len)) != 0)
			return rc;
		if (prev != NULL) {
			int c = canon_key_cmp(prev, prev_len, key, key_len);
			if (c == 0)
				return PAKT_EKEYDUP;
			if (c > 0)
				return PAKT_EKEYORDER;
		}
		prev = key;
		prev_len = key_len;
		if ((rc = walk_value(w, depth)) != 0)
			return rc;
	}
	return 0;
}

/* One value; depth is the nesting of the container holding it (0 at the
 * top), so a container found here is at depth + 1. */
static int walk_value(struct walk *w, unsigned depth)
{
	uint64_t n;
	const uint8_t *skip;
	int rc;

	if (left(w) == 0)
		return PAKT_ETRUNC;
	uint8_t b = *w->p++;

	if (b <= 0x7f || b >= 0xe0)             /* fixint */
		return 0;
	if (b <= 0x8f)
		return walk_map(w, b & 0x0f, depth + 1);
	if (b <= 0x9f)
		return walk_array(w, b & 0x0f, depth + 1);
	if (b <= 0xbf || b == 0xd9 || b == 0xda || b == 0xdb) {
		const char *s;
		size_t len;
		return walk_str(w, b, &s, &len);
	}
	switch (b) {
	case 0xc0: case 0xc2: case 0xc3:        /* nil, false, true */
		return 0;
	case 0xc1:                              /* never used */
	case 0xc7: case 0xc8: case 0xc9:        /* ext */
	case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
		return PAKT_EMSGPACK;
	case 0xc4: case 0xc5: case 0xc6: {      /* bin: no fix form */
		size_t width = b == 0xc4 ? 1 : b == 0xc5 ? 2 : 4;
		if ((rc = walk_uint(w, width, &n)) != 0)
			return rc;
		if ((rc = check_len(n, width == 1 ? 0 : str_min(width))) != 0)
			return rc;
		return walk_bytes(w, n, &skip);
	}
	case 0xca:
		return PAKT_EFLOAT32;
	case 0xcb: {
		if ((rc = walk_uint(w, 8, &n)) != 0)
			return rc;
		/* NaN: exponent all ones, mantissa not zero (any sign) */
		if ((n & 0x7ff0000000000000ULL) == 0x7ff0000000000000ULL &&
		    (n & 0x000fffffffffffffULL) != 0)
			return PAKT_ENAN;
		return 0;
	}
	case 0xcc: case 0xcd: case 0xce: case 0xcf: {
		static const uint64_t min[] = { 0x80, 0x100, 0x10000,
						0x100000000ULL };
		static const size_t width[] = { 1, 2, 4, 8 };
		if ((rc = walk_uint(w, width[b - 0xcc], &n)) != 0)
			return rc;
		return n < min[b - 0xcc] ? PAKT_ENONMINIMAL : 0;
	}
	case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
		/* a signed form is minimal only for a value that no smaller
		 * form holds; non-negative values always have a uint form */
		static const int64_t floor_[] = { -32, -128, -32768,
						  -2147483648LL };
		static const size_t width[] = { 1, 2, 4, 8 };
		size_t wd = width[b - 0xd0];
		if ((rc = walk_uint(w, wd, &n)) != 0)
			return rc;
		int64_t v;
		switch (wd) {
		case 1: v = (int8_t)n; break;
		case 2: v = (int16_t)n; break;
		case 4: v = (int32_t)n; break;
		default: v = (int64_t)n; break;
		}
		return v >= floor_[b - 0xd0] ? PAKT_ENONMINIMAL : 0;
	}
	case 0xdc: case 0xdd:
		if ((rc = walk_uint(w, b == 0xdc ? 2 : 4, &n)) != 0)
			return rc;
		if ((rc = check_len(n, b == 0xdc ? 16 : 65536)) != 0)
			return rc;
		return walk_array(w, n, depth + 1);
	case 0xde: case 0xdf:
		if ((rc = walk_uint(w, b == 0xde ? 2 : 4, &n)) != 0)
			return rc;
		if ((rc = check_len(n, b == 0xde ? 16 : 65536)) != 0)
			return rc;
		return walk_map(w, n, depth + 1);
	}
	return PAKT_EMSGPACK; /* not reached: every byte is handled above */
}

int canon_check(const uint8_t *buf, size_t len, unsigned max_depth)
{
	struct walk w = {
		.p = buf,
		.end = buf + len,
		.max_depth = max_depth > CANON_DEPTH_LIMIT ? CANON_DEPTH_LIMIT
							   : max_depth,
	};
	int rc;

	if (buf == NULL || len == 0)
		return PAKT_ETRUNC;
	if ((rc = walk_value(&w, 0)) != 0)
		return rc;
	return w.p == w.end ? 0 : PAKT_ETRAILING;
}

/* Point every str/bin that msgpack-c left pointing into [from, from+len)
 * at the same offset in to. Depth is bounded by canon_check. */
static void relocate(msgpack_object *o, const char *from, size_t len,
		     const char *to)
{
	switch (o->type) {
	case MSGPACK_OBJECT_STR:
		if (o->via.str.ptr >= from && o->via.str.ptr < from + len)
			o->via.str.ptr = to + (o->via.str.ptr - from);
		break;
	case MSGPACK_OBJECT_BIN:
		if (o->via.bin.ptr >= from && o->via.bin.ptr < from + len)
			o->via.bin.ptr = to + (o->via.bin.ptr - from);
		break;
	case MSGPACK_OBJECT_ARRAY:
		for (uint32_t i = 0; i < o->via.array.size; i++)
			relocate(&o->via.array.ptr[i], from, len, to);
		break;
	case MSGPACK_OBJECT_MAP:
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			relocate(&o->via.map.ptr[i].key, from, len, to);
			relocate(&o->via.map.ptr[i].val, from, len, to);
		}
		break;
	default:
		break;
	}
}

int canon_unpack(msgpack_unpacked *out, const uint8_t *buf, size_t len,
		 unsigned max_depth)
{
	size_t off = 0;
	int rc;

	if ((rc = canon_check(buf, len, max_depth)) != 0)
		return rc;
	msgpack_unpack_return ur = msgpack_unpack_next(out, (const char *)buf,
						       len, &off);
	if (ur == MSGPACK_UNPACK_NOMEM_ERROR)
		return PAKT_ENOMEM;
	if (ur != MSGPACK_UNPACK_SUCCESS || off != len)
		return PAKT_EMSGPACK; /* cannot happen after canon_check */
	/* msgpack_unpack_next leaves strings pointing into buf: copy buf into
	 * the result's zone so the objects own what they point at */
	if (out->zone == NULL) {
		out->zone = msgpack_zone_new(MSGPACK_ZONE_CHUNK_SIZE);
		if (out->zone == NULL)
			return PAKT_ENOMEM;
	}
	char *copy = msgpack_zone_malloc(out->zone, len);
	if (copy == NULL)
		return PAKT_ENOMEM;
	memcpy(copy, buf, len);
	relocate(&out->data, (const char *)buf, len, copy);
	return 0;
}

/* ---- cursor over checked bytes ---- */

void canon_rd_init(struct canon_rd *r, const uint8_t *buf, size_t len)
{
	r->p = buf;
	r->end = buf + len;
}

/* Decode the header of the next value without consuming it: its first
 * byte, the size of its header, and its count or length or value. */
static int rd_peek(const struct canon_rd *r, uint8_t *b, size_t *hdr,
		   uint64_t *n)
{
	size_t avail = (size_t)(r->end - r->p);
	size_t width = 0;

	if (avail == 0)
		return PAKT_ETRUNC;
	*b = r->p[0];
	*n = 0;
	if (*b <= 0x7f) {
		*n = *b;
	} else if (*b <= 0x8f) {
		*n = *b & 0x0f;
	} else if (*b <= 0x9f) {
		*n = *b & 0x0f;
	} else if (*b <= 0xbf) {
		*n = *b & 0x1f;
	} else {
		switch (*b) {
		case 0xc4: case 0xcc: case 0xd0: case 0xd9: width = 1; break;
		case 0xc5: case 0xcd: case 0xd1: case 0xda: case 0xdc:
		case 0xde: width = 2; break;
		case 0xc6: case 0xce: case 0xd2: case 0xdb: case 0xdd:
		case 0xdf: case 0xca: width = 4; break;
		case 0xcf: case 0xd3: case 0xcb: width = 8; break;
		case 0xd4: width = 2; break;   /* fixext: type + data */
		case 0xd5: width = 3; break;
		case 0xd6: width = 5; break;
		case 0xd7: width = 9; break;
		case 0xd8: width = 17; break;
		case 0xc7: case 0xc8: case 0xc9:
			return PAKT_EMSGPACK;
		default: break;
		}
	}
	if (avail - 1 < width)
		return PAKT_ETRUNC;
	if (width == 1)
		*n = r->p[1];
	else if (width == 2)
		*n = load16(r->p + 1);
	else if (width == 4)
		*n = load32(r->p + 1);
	else if (width == 8)
		*n = load64(r->p + 1);
	*hdr = 1 + width;
	return 0;
}

/* Read an array or map header: fix range [lo, lo + 15] or the 16/32-bit
 * forms b16, b16 + 1. */
static int rd_container(struct canon_rd *r, uint32_t *n, uint8_t lo, uint8_t b16)
{
	uint8_t b;
	size_t hdr;
	uint64_t v;
	int rc = rd_peek(r, &b, &hdr, &v);
	if (rc != 0)
		return rc;
	if (!((b >= lo && b <= lo + 15) || b == b16 || b == b16 + 1))
		return PAKT_ETYPE;
	r->p += hdr;
	*n = (uint32_t)v;
	return 0;
}

int canon_rd_array(struct canon_rd *r, uint32_t *n)
{
	return rd_container(r, n, 0x90, 0xdc);
}

int canon_rd_map(struct canon_rd *r, uint32_t *n)
{
	return rd_container(r, n, 0x80, 0xde);
}

int canon_rd_uint(struct canon_rd *r, uint64_t *v)
{
	uint8_t b;
	size_t hdr;
	int rc = rd_peek(r, &b, &hdr, v);
	if (rc != 0)
		return rc;
	if (!(b <= 0x7f || (b >= 0xcc && b <= 0xcf)))
		return PAKT_ETYPE;
	r->p += hdr;
	return 0;
}

static int rd_payload(struct canon_rd *r, size_t hdr, uint64_t n,
		      const uint8_t **p, uint32_t *len)
{
	if ((size_t)(r->end - r->p) - hdr < n)
		return PAKT_ETRUNC;
	*p = r->p + hdr;
	*len = (uint32_t)n;
	r->p += hdr + n;
	return 0;
}

int canon_rd_str(struct canon_rd *r, const char **s, uint32_t *len)
{
	uint8_t b;
	size_t hdr;
	uint64_t n;
	int rc = rd_peek(r, &b, &hdr, &n);
	if (rc != 0)
		return rc;
	if (!is_str_byte(b))
		return PAKT_ETYPE;
	return rd_payload(r, hdr, n, (const uint8_t **)s, len);
}

int canon_rd_bin(struct canon_rd *r, const uint8_t **p, uint32_t *len)
{
	uint8_t b;
	size_t hdr;
	uint64_t n;
	int rc = rd_peek(r, &b, &hdr, &n);
	if (rc != 0)
		return rc;
	if (b < 0xc4 || b > 0xc6)
		return PAKT_ETYPE;
	return rd_payload(r, hdr, n, p, len);
}

bool canon_rd_nil(struct canon_rd *r)
{
	if (r->p < r->end && *r->p == 0xc0) {
		r->p++;
		return true;
	}
	return false;
}

int canon_rd_skip(struct canon_rd *r)
{
	/* iterative: values still to skip, so unchecked input cannot recurse */
	uint64_t pending = 1;

	while (pending > 0) {
		uint8_t b;
		size_t hdr;
		uint64_t n;
		int rc = rd_peek(r, &b, &hdr, &n);
		if (rc != 0)
			return rc;
		pending--;
		if ((b >= 0x90 && b <= 0x9f) || b == 0xdc || b == 0xdd) {
			r->p += hdr;
			pending += n;
		} else if ((b >= 0x80 && b <= 0x8f) || b == 0xde || b == 0xdf) {
			r->p += hdr;
			pending += 2 * n;
		} else if (is_str_byte(b) || (b >= 0xc4 && b <= 0xc6)) {
			const uint8_t *p;
			uint32_t len;
			if ((rc = rd_payload(r, hdr, n, &p, &len)) != 0)
				return rc;
		} else {
			r->p += hdr;
		}
	}
	return 0;
}
