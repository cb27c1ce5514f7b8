/* Unit tests of proto/ctlop and ctlop_reply: every request and reply
 * survives encode -> decode, the encoders write canonical msgpack, frames
 * the other side never sends are refused with a reason, and secrets do not
 * outlive the request. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "proto/canon.h"
#include "proto/ctlmsg.h"
#include "proto/ctlop.h"
#include "proto/ctlop_reply.h"
#include "proto/err.h"
#include "proto/id.h"

struct fixture {
	struct ctlop_req r, back;
	struct mpx_out o;
	char why[256];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (f == NULL || sodium_init() < 0)
		return -1;
	mpx_init(&f->o);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mpx_free(&f->o);
	free(f);
	return 0;
}

static void key(uint8_t k[32], int seed)
{
	memset(k, seed, 32);
}

/* A request of op with every field it has filled in. */
static void fill(struct ctlop_req *r, enum ctlop_op op)
{
	memset(r, 0, sizeof *r);
	r->op = op;
	r->has_network = true;
	key(r->network, 0x11);
	switch (op) {
	case CTLOP_LOG:
		r->u.log.has_author = true;
		key(r->u.log.author, 2);
		strcpy(r->u.log.type, "message");
		r->u.log.has_last = true;
		r->u.log.last = 0;
		r->u.log.follow = true;
		break;
	case CTLOP_POST:
		strcpy(r->u.post.text, "hello, partners");
		r->u.post.has_reply_to = true;
		key(r->u.post.reply_to, 3);
		r->u.post.n_to = 2;
		key(r->u.post.to[0], 4);
		key(r->u.post.to[1], 5);
		break;
	case CTLOP_INITIATIVE_CREATE:
		strcpy(r->u.create.name, "Warm homes");
		strcpy(r->u.create.goal, "nobody sleeps outside");
		break;
	case CTLOP_INVITE:
		strcpy(r->u.invite.name, "Food bank");
		r->u.invite.has_ttl = true;
		r->u.invite.ttl_ms = 3600000;
		break;
	case CTLOP_JOIN:
		strcpy(r->u.join.code, "pi_secretcode");
		break;
	case CTLOP_MEMBER_REMOVE:
	case CTLOP_SUBSCRIBE:
	case CTLOP_UNSUBSCRIBE:
		key(r->u.key.key, 6);
		break;
	case CTLOP_MEMBER_REVOKE_KEY:
		key(r->u.revoke.key, 7);
		r->u.revoke.after = 41;
		strcpy(r->u.revoke.reason, "laptop stolen");
		break;
	case CTLOP_PEER_ADD:
		r->u.peer.has_key = true;
		key(r->u.peer.key, 8);
		/* fall through */
	case CTLOP_PEER_REMOVE:
		strcpy(r->u.peer.address, "10.0.0.2:7420");
		break;
	case CTLOP_KEY_ROTATE:
		strcpy(r->u.rotate.passphrase, "correct horse");
		break;
	case CTLOP_AGENDA_SET:
		strcpy(r->u.agenda.goal, "halve rough sleeping");
		r->u.agenda.n = 2;
		strcpy(r->u.agenda.ind[0].id, "beds");
		strcpy(r->u.agenda.ind[0].name, "Beds");
		strcpy(r->u.agenda.ind[0].unit, "beds");
		r->u.agenda.ind[0].has_target = true;
		r->u.agenda.ind[0].target = 120.5;
		strcpy(r->u.agenda.ind[1].id, "rough");
		strcpy(r->u.agenda.ind[1].name, "Rough sleepers");
		strcpy(r->u.agenda.ind[1].unit, "people");
		r->u.agenda.ind[1].down = true;
		r->u.agenda.ind[1].kind = BODY_LEVEL;
		strcpy(r->u.agenda.ind[1].dimension, "age");
		strcpy(r->u.agenda.ind[1].categories[0], "0-17");
		r->u.agenda.ind[1].n_categories = 1;
		r->u.agenda.has_suppress = true;
		r->u.agenda.suppress = 3;
		break;
	case CTLOP_UPDATE:
		strcpy(r->u.update.text, "more beds");
		strcpy(r->u.update.period, "2026-Q1");
		r->u.update.n = 1;
		strcpy(r->u.update.v[0].indicator, "beds");
		r->u.update.v[0].value = -3.25;
		r->u.update.v[0].n_split = 1;
		strcpy(r->u.update.cell[0].category, "0-17");
		r->u.update.cell[0].value = -3.25;
		r->u.update.n_cells = 1;
		strcpy(r->u.update.v[1].indicator, "kept");
		r->u.update.v[1].value = 3;
		r->u.update.v[1].has_den = true;
		r->u.update.v[1].den = 4;
		r->u.update.n = 2;
		break;
	case CTLOP_COMMIT:
		strcpy(r->u.commit.title, "Open 20 beds");
		strcpy(r->u.commit.description, "in the old school");
		strcpy(r->u.commit.due, "2026-12-31");
		strcpy(r->u.commit.indicator, "beds");
		r->u.commit.has_target = true;
		r->u.commit.target = 20;
		r->u.commit.n_parties = 1;
		key(r->u.commit.parties[0], 9);
		break;
	case CTLOP_ACCEPT:
	case CTLOP_DECLINE:
	case CTLOP_REDACT:
		key(r->u.ref.ref, 10);
		strcpy(r->u.ref.text, "because");
		r->u.ref.change = r->op != CTLOP_REDACT;
		break;
	case CTLOP_PROGRESS:
		key(r->u.progress.ref, 12);
		strcpy(r->u.progress.state, "fulfilled");
		strcpy(r->u.progress.note, "done early");
		r->u.progress.has_evidence = true;
		key(r->u.progress.evidence, 13);
		r->u.progress.reopen = true;
		break;
	case CTLOP_COMMITMENTS:
		strcpy(r->u.commitments.filter, "overdue");
		r->u.commitments.has_party = true;
		key(r->u.commitments.party, 14);
		r->u.commitments.has_due_within = true;
		r->u.commitments.due_within = 7;
		break;
	case CTLOP_AUDIT:
		r->u.audit.has_author = true;
		key(r->u.audit.author, 15);
		r->u.audit.progress = true;
		break;
	case CTLOP_EXPORT:
		r->u.export.has_feed = true;
		key(r->u.export.feed, 16);
		r->u.export.from = 3;
		r->u.export.to = 9;
		break;
	case CTLOP_PROFILE_SET:
		strcpy(r->u.profile.name, "Shelter");
		strcpy(r->u.profile.sector, "ngo");
		strcpy(r->u.profile.contact, "desk@shelter.example");
		r->u.profile.n_addrs = 2;
		strcpy(r->u.profile.addrs[0], "shelter.example:7420");
		strcpy(r->u.profile.addrs[1], "[::1]:7420");
		break;
	default:
		break;
	}
}

static int decode(struct fixture *f, const void *buf, size_t len)
{
	f->why[0] = '\0';
	return ctlop_req_decode(&f->back, buf, len, f->why, sizeof f->why);
}

/* Each op, all fields set, encodes canonically and decodes to the same struct. */
static void test_roundtrip_every_op(void **state)
{
	struct fixture *f = *state;

	for (int op = CTLOP_UNKNOWN + 1; op < CTLOP_COUNT; op++) {
		const uint8_t *body;
		size_t len;

		fill(&f->r, (enum ctlop_op)op);
		assert_int_equal(ctlop_req_encode(&f->r, &f->o), 0);
		body = (const uint8_t *)f->o.sb.data + CTL_HDR_LEN;
		len = f->o.sb.size - CTL_HDR_LEN;
		assert_int_equal(ctlmsg_frame_len((const uint8_t *)f->o.sb.data), len);
		assert_int_equal(canon_check(body, len, 8), 0);
		if (decode(f, body, len) != 0)
			fail_msg("%s: %s", ctlop_name((enum ctlop_op)op), f->why);
		if (memcmp(&f->r, &f->back, sizeof f->r) != 0)
			fail_msg("%s: decodes to another struct", ctlop_name((enum ctlop_op)op));
	}
}

/* Optional fields left out decode to their defaults (export: 1..UINT64_MAX). */
static void test_roundtrip_minimal(void **state)
{
	struct fixture *f = *state;

	memset(&f->r, 0, sizeof f->r);
	f->r.op = CTLOP_EXPORT;
	f->r.u.export.has_ref = true;
	key(f->r.u.export.ref, 1);
	f->r.u.export.from = 1;
	f->r.u.export.to = UINT64_MAX;
	assert_int_equal(ctlop_req_encode(&f->r, &f->o), 0);
	assert_int_equal(decode(f, f->o.sb.data + CTL_HDR_LEN, f->o.sb.size - CTL_HDR_LEN), 0);
	assert_memory_equal(&f->r, &f->back, sizeof f->r);
	assert_false(f->back.has_network);
}

/* The bytes tests/lib/ctlraw.py sends, and keys in any order with an
 * unknown one, still decode (the wire format did not change). */
static void test_wire_compatible(void **state)
{
	struct fixture *f = *state;
	static const uint8_t status[] = "\x81\xa2op\xa6status";
	/* {"text": "hi", "op": "post", "x": 1}: unsorted, unknown key */
	static const uint8_t post[] = "\x83\xa4text\xa2hi\xa2op\xa4post\xa1x\x01";

	assert_int_equal(decode(f, status, sizeof status - 1), 0);
	assert_int_equal(f->back.op, CTLOP_STATUS);
	assert_int_equal(decode(f, post, sizeof post - 1), 0);
	assert_int_equal(f->back.op, CTLOP_POST);
	assert_string_equal(f->back.u.post.text, "hi");
}

/* What is not a map with a string "op" is INVALID (the client is closed). */
static void test_not_a_request(void **state)
{
	struct fixture *f = *state;
	static const struct { const char *bytes; size_t len; } bad[] = {
		{"\x92\x01\x02", 3},                 /* an array */
		{"\x81\xa1x\x01", 4},                /* no op */
		{"\x81\xa2op\x07", 5},               /* op not a string */
		{"\x81\xa2op\xa6status\x00", 12},    /* trailing byte */
		{"\x81\xa2op\xa6sta", 8},            /* truncated */
		{"\xdf\xff\xff\xff\xff", 5},         /* a map of 4G entries in 5 bytes */
		{"", 0},
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(decode(f, bad[i].bytes, bad[i].len), PAKT_EPROTO);
		assert_int_equal(f->back.op, CTLOP_INVALID);
		assert_string_equal(f->why, "malformed request: expected a msgpack map with 'op'");
	}
}

/* An op we do not serve is UNKNOWN, named in the reason (cut at 40 bytes). */
static void test_unknown_op(void **state)
{
	struct fixture *f = *state;
	static const uint8_t frame[] = "\x81\xa2op\xa4nope";

	assert_int_equal(decode(f, frame, sizeof frame - 1), PAKT_EPROTO);
	assert_int_equal(f->back.op, CTLOP_UNKNOWN);
	assert_string_equal(f->why, "unknown op 'nope'");
}

/* Encode r after fix() changed it; the decoder must refuse with code and a
 * reason containing what. */
static void expect_refused(struct fixture *f, enum ctlop_op op, void (*fix)(struct ctlop_req *),
			   int code, const char *what)
{
	fill(&f->r, op);
	fix(&f->r);
	assert_int_equal(ctlop_req_encode(&f->r, &f->o), 0);
	assert_int_equal(decode(f, f->o.sb.data + CTL_HDR_LEN, f->o.sb.size - CTL_HDR_LEN), code);
	assert_int_equal(f->back.op, op);
	if (strstr(f->why, what) == NULL)
		fail_msg("'%s' does not say '%s'", f->why, what);
}

static void no_name(struct ctlop_req *r) { r->u.create.name[0] = '\0'; }
static void both_subjects(struct ctlop_req *r) { r->u.export.has_ref = true; }
static void from_after_to(struct ctlop_req *r) { r->u.export.from = 10; }
static void bad_due(struct ctlop_req *r) { strcpy(r->u.commit.due, "2026-02-30"); }
static void no_port(struct ctlop_req *r) { strcpy(r->u.peer.address, "example.org"); }
static void no_parties(struct ctlop_req *r) { r->u.commit.n_parties = 0; }

/* Field rules the decoder enforces, each refused with its reason. */
static void test_fields_refused(void **state)
{
	struct fixture *f = *state;

	expect_refused(f, CTLOP_INITIATIVE_CREATE, no_name, PAKT_EINVAL, "needs a name");
	expect_refused(f, CTLOP_EXPORT, both_subjects, PAKT_EINVAL, "either a commitment");
	expect_refused(f, CTLOP_EXPORT, from_after_to, PAKT_EINVAL, "FROM <= TO");
	expect_refused(f, CTLOP_COMMIT, bad_due, PAKT_EINVAL, "due date");
	expect_refused(f, CTLOP_COMMIT, no_parties, PAKT_EINVAL, "1 to 16 parties");
	expect_refused(f, CTLOP_PEER_ADD, no_port, PAKT_EINVAL, "HOST:PORT");
}

/* Types and sizes the encoder cannot produce: hand-built frames. */
static void test_shapes_refused(void **state)
{
	struct fixture *f = *state;
	struct mpx_out o;
	char big[BODY_TEXT_MAX + 2];

	mpx_init(&o);
	/* a 31-byte key */
	msgpack_pack_map(&o.pk, 2);
	mpx_kv_bin(&o.pk, "key", big, 31);
	mpx_kv_str(&o.pk, "op", "subscribe");
	assert_int_equal(decode(f, o.sb.data, o.sb.size), PAKT_EPROTO);
	assert_string_equal(f->why, "'key' must be 32 bytes");
	/* a required key missing */
	mpx_reset(&o);
	msgpack_pack_map(&o.pk, 1);
	mpx_kv_str(&o.pk, "op", "member.remove");
	assert_int_equal(decode(f, o.sb.data, o.sb.size), PAKT_EINVAL);
	assert_non_null(strstr(f->why, "pk_"));
	/* post text with a NUL, and one byte too long */
	mpx_reset(&o);
	msgpack_pack_map(&o.pk, 2);
	mpx_kv_str(&o.pk, "op", "post");
	mpx_str(&o.pk, "text");
	mpx_strn(&o.pk, "a\0b", 3);
	assert_int_equal(decode(f, o.sb.data, o.sb.size), PAKT_EINVAL);
	memset(big, 'x', sizeof big);
	mpx_reset(&o);
	msgpack_pack_map(&o.pk, 2);
	mpx_kv_str(&o.pk, "op", "post");
	mpx_str(&o.pk, "text");
	mpx_strn(&o.pk, big, BODY_TEXT_MAX + 1);
	assert_int_equal(decode(f, o.sb.data, o.sb.size), PAKT_ETOOBIG);
	assert_non_null(strstr(f->why, "8192"));
	/* 'to' empty, and a recipient that is not a key */
	mpx_reset(&o);
	msgpack_pack_map(&o.pk, 3);
	mpx_kv_str(&o.pk, "op", "post");
	mpx_kv_str(&o.pk, "text", "x");
	mpx_str(&o.pk, "to");
	msgpack_pack_array(&o.pk, 0);
	assert_int_equal(decode(f, o.sb.data, o.sb.size), PAKT_EINVAL);
	/* 33 indicators */
	mpx_reset(&o);
	msgpack_pack_map(&o.pk, 3);
	mpx_kv_str(&o.pk, "goal", "g");
	mpx_str(&o.pk, "indicators");
	msgpack_pack_array(&o.pk, BODY_INDICATORS_MAX + 1);
	for (int i = 0; i <= BODY_INDICATORS_MAX; i++) {
		msgpack_pack_map(&o.pk, 3);
		mpx_kv_str(&o.pk, "id", "i");
		mpx_kv_str(&o.pk, "name", "n");
		mpx_kv_str(&o.pk, "unit", "u");
	}
	mpx_kv_str(&o.pk, "op", "agenda.set");
	assert_int_equal(decode(f, o.sb.data, o.sb.size), PAKT_EINVAL);
	assert_non_null(strstr(f->why, "1 to 32 indicators"));
	/* a passphrase over 1024 bytes, and 'follow' that is not a bool */
	mpx_reset(&o);
	msgpack_pack_map(&o.pk, 2);
	mpx_kv_str(&o.pk, "op", "key.rotate");
	mpx_str(&o.pk, "passphrase");
	mpx_strn(&o.pk, big, CTLOP_PASSPHRASE_MAX + 1);
	assert_int_equal(decode(f, o.sb.data, o.sb.size), PAKT_EINVAL);
	mpx_reset(&o);
	msgpack_pack_map(&o.pk, 2);
	mpx_kv_u64(&o.pk, "follow", 1);
	mpx_kv_str(&o.pk, "op", "log");
	assert_int_equal(decode(f, o.sb.data, o.sb.size), PAKT_EPROTO);
	assert_string_equal(f->why, "'follow' must be true or false");
	mpx_free(&o);
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/* ctlop_req_wipe leaves nothing of a passphrase or an invite code. */
static void test_wipe_request(void **state)
{
	struct fixture *f = *state;

	fill(&f->r, CTLOP_KEY_ROTATE);
	ctlop_req_wipe(&f->r);
	assert_true(all_zero(&f->r, sizeof f->r));
	ctlop_req_wipe(NULL);
}

/* ctlmsg_consume zeroes the bytes of the frames it drops: a key.rotate frame
 * followed by half of the next one leaves only that half. */
static void test_consume_wipes(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[256];
	size_t len, frame;

	fill(&f->r, CTLOP_KEY_ROTATE);
	assert_int_equal(ctlop_req_encode(&f->r, &f->o), 0);
	frame = f->o.sb.size;
	memcpy(buf, f->o.sb.data, frame);
	memcpy(buf + frame, "\0\0\0\x09\x81", 5);
	len = frame + 5;
	ctlmsg_consume(buf, &len, frame);
	assert_int_equal(len, 5);
	assert_memory_equal(buf, "\0\0\0\x09\x81", 5);
	assert_true(all_zero(buf + 5, frame));
	assert_null(memmem(buf, sizeof buf, "correct horse", 13));
}

/* ---- replies ---- */

/* Encode reply r of kind k, decode it, encode again: the same bytes
 * (canonical unless the reply holds an audit's orgs or forks, whose key
 * order predates the codec). */
static void reply_roundtrip(struct fixture *f, enum ctlop_reply_kind k, const void *r, void *back)
{
	struct mpx_out again;

	assert_int_equal(ctlop_reply_encode(k, r, &f->o), 0);
	if (k != CTLOP_R_AUDIT)
		assert_int_equal(canon_check((const uint8_t *)f->o.sb.data + CTL_HDR_LEN,
					     f->o.sb.size - CTL_HDR_LEN, 8), 0);
	if (ctlop_reply_decode(k, back, (const uint8_t *)f->o.sb.data + CTL_HDR_LEN,
			       f->o.sb.size - CTL_HDR_LEN, f->why, sizeof f->why) != 0)
		fail_msg("reply %d: %s", (int)k, f->why);
	mpx_init(&again);
	assert_int_equal(ctlop_reply_encode(k, back, &again), 0);
	assert_int_equal(again.sb.size, f->o.sb.size);
	assert_memory_equal(again.sb.data, f->o.sb.data, f->o.sb.size);
	mpx_free(&again);
}

/* The audit's progress replies round-trip; the audit's own reply, read as
 * one, has progress false (how pakt tells them apart). */
static void test_reply_progress(void **state)
{
	struct fixture *f = *state;
	struct ctlop_r_progress p = {.done = 412000, .ok = true, .progress = true, .total = 1000000}, p2;
	struct ctlop_r_audit a = {.checked = 40, .ok = true};

	reply_roundtrip(f, CTLOP_R_PROGRESS, &p, &p2);
	assert_true(p2.progress);
	assert_int_equal(p2.done, 412000);
	assert_int_equal(p2.total, 1000000);
	ctlop_reply_free(CTLOP_R_PROGRESS, &p2);
	mpx_reset(&f->o);
	assert_int_equal(ctlop_reply_encode(CTLOP_R_AUDIT, &a, &f->o), 0);
	memset(&p2, 0, sizeof p2);
	assert_int_equal(ctlop_reply_decode(CTLOP_R_PROGRESS, &p2, (const uint8_t *)f->o.sb.data + CTL_HDR_LEN,
					    f->o.sb.size - CTL_HDR_LEN, f->why, sizeof f->why), 0);
	assert_false(p2.progress);
	ctlop_reply_free(CTLOP_R_PROGRESS, &p2);
}

/* Every simple reply, optional fields on and off, round-trips. */
static void test_reply_roundtrip_simple(void **state)
{
	struct fixture *f = *state;
	struct ctlop_r_entry e = {.has_network = true, .ok = true, .seq = 7}, e2;
	struct ctlop_r_status st = {.entries = 3, .feeds = 2, .networks = 1, .ok = true, .pid = 99}, st2;
	struct ctlop_r_rotated rot = {.initiatives = 2, .ok = true, .has_warning = true}, rot2;
	struct ctlop_r_peer peers[2] = {{.has_key = true, .connected = true, .bytes_in = 5},
					{.has_key = false, .inbound = true}};
	struct ctlop_r_peers pl = {.ok = true, .peers = peers, .n_peers = 2}, pl2;
	uint8_t wire[5] = {1, 2, 3, 4, 5};
	struct ctlop_r_log_row row = {.entry = wire, .entry_len = 5, .has_plain = true,
				      .received = -1, .rowid = 12}, row2;

	key(e.hash, 1);
	key(e.network, 2);
	reply_roundtrip(f, CTLOP_R_ENTRY, &e, &e2);
	assert_true(e2.has_network);
	assert_int_equal(e2.seq, 7);
	ctlop_reply_free(CTLOP_R_ENTRY, &e2);
	strcpy(st.datadir, "/var/lib/pakt");
	strcpy(st.version, "0.1.0");
	reply_roundtrip(f, CTLOP_R_STATUS, &st, &st2);
	assert_false(st2.has_network);
	assert_string_equal(st2.datadir, "/var/lib/pakt");
	ctlop_reply_free(CTLOP_R_STATUS, &st2);
	strcpy(rot.warning, "rotated in 2 of 3 initiatives");
	reply_roundtrip(f, CTLOP_R_ROTATED, &rot, &rot2);
	assert_true(rot2.has_warning);
	ctlop_reply_free(CTLOP_R_ROTATED, &rot2);
	strcpy(pl.listen, "127.0.0.1:7420");
	key(peers[0].key, 3);
	reply_roundtrip(f, CTLOP_R_PEERS, &pl, &pl2);
	assert_int_equal(pl2.n_peers, 2);
	assert_true(pl2.peers[0].has_key);
	assert_false(pl2.peers[1].has_key);    /* "" on the wire */
	ctlop_reply_free(CTLOP_R_PEERS, &pl2);
	strcpy(row.plain, "for your eyes");
	reply_roundtrip(f, CTLOP_R_LOG_ROW, &row, &row2);
	assert_int_equal(row2.entry_len, 5);
	assert_memory_equal(row2.entry, wire, 5);
	assert_false(row2.has_name);
	assert_int_equal(row2.received, -1);
	ctlop_reply_free(CTLOP_R_LOG_ROW, &row2);
}

/* The audit, with commitments nested three deep, round-trips. */
static void test_reply_roundtrip_audit(void **state)
{
	struct fixture *f = *state;
	struct ctlop_r_party parties[2] = {{.at = 5}, {.at = 6}};
	struct ctlop_r_receipt rcv[1] = {{.at = 9}};
	struct ctlop_r_status_line sts[1] = {{.at = 8, .counts = false, .reopen = true}};
	struct ctlop_r_answer ans[2] = {{.at = 6, .change = false, .counts = false},
					{.at = 7, .change = true, .counts = true}};
	struct ctlop_r_anomaly an[1] = {{.seq = 5, .has_ref = true}};
	struct ctlop_r_commit com = {.answers = ans, .n_answers = 2, .at = 1, .countersigned = true, .has_on_time = true,
				     .on_time_confirmed = true, .parties = parties, .n_parties = 2,
				     .has_received_by = true, .received_by = rcv, .n_received_by = 1,
				     .seq = 4, .statuses = sts, .n_statuses = 1, .has_target = true,
				     .target = 0.5};
	struct ctlop_r_fork forks[1] = {{.seq = 3, .has_seen_in = true}};
	struct ctlop_r_org orgs[1] = {{.made = 1, .kept = 1, .declined = 2}};
	struct ctlop_r_audit a = {.anomalies = an, .n_anomalies = 1, .checked = 40, .commitments = &com, .n_commitments = 1,
				  .forks = forks, .n_forks = 1, .orgs = orgs, .n_orgs = 1}, a2;
	struct ctlop_r_commitments cl = {.commitments = &com, .n_commitments = 1, .ok = true}, cl2;

	strcpy(com.title, "Open 20 beds");
	strcpy(com.due, "2026-12-31");
	strcpy(com.outcome, "kept");
	strcpy(parties[0].response, "accepted");
	strcpy(sts[0].state, "fulfilled");
	strcpy(sts[0].breach, "status after a final status without a reopen marker (no effect)");
	strcpy(ans[0].response, "declined");
	strcpy(ans[0].reason, "no beds");
	strcpy(parties[1].reason, "no beds");
	memset(an[0].ref, 3, 32);
	strcpy(forks[0].seen_in, "partners' checkpoints");
	reply_roundtrip(f, CTLOP_R_AUDIT, &a, &a2);
	assert_int_equal(a2.n_commitments, 1);
	assert_int_equal(a2.commitments[0].n_parties, 2);
	assert_string_equal(a2.commitments[0].parties[0].response, "accepted");
	assert_true(a2.commitments[0].on_time_confirmed);
	assert_int_equal(a2.commitments[0].n_answers, 2);
	assert_true(a2.commitments[0].answers[1].change && a2.commitments[0].answers[1].counts);
	assert_string_equal(a2.commitments[0].answers[0].reason, "no beds");
	assert_string_equal(a2.commitments[0].parties[1].reason, "no beds");
	assert_true(a2.commitments[0].statuses[0].reopen && !a2.commitments[0].statuses[0].counts);
	assert_non_null(strstr(a2.commitments[0].statuses[0].breach, "reopen marker"));
	assert_int_equal(a2.orgs[0].declined, 2);
	assert_true(a2.anomalies[0].has_ref && a2.anomalies[0].ref[31] == 3);
	assert_true(a2.forks[0].has_seen_in);
	assert_false(a2.ok);
	ctlop_reply_free(CTLOP_R_AUDIT, &a2);
	/* the listing leaves out the audit's fields */
	com.has_on_time = com.has_received_by = false;
	reply_roundtrip(f, CTLOP_R_COMMITMENTS, &cl, &cl2);
	assert_false(cl2.commitments[0].has_received_by);
	assert_false(cl2.commitments[0].has_on_time);
	ctlop_reply_free(CTLOP_R_COMMITMENTS, &cl2);
}

/* The replies with arrays not covered above, one element each (the
 * encoder must write every table's keys in bytewise order). */
static void test_reply_roundtrip_lists(void **state)
{
	struct fixture *f = *state;
	struct ctlop_r_member mem = {.removed = true, .since = 1};
	struct ctlop_r_members ms = {.members = &mem, .n_members = 1}, ms2;
	struct ctlop_r_bad bad = {.code = PAKT_ESIG, .seq = 2};
	struct ctlop_r_verify v = {.bad = &bad, .n_listed = 1, .n_bad = 1}, v2;
	struct ctlop_r_indicator ind = {.has_target = true, .target = -2};
	struct ctlop_r_agenda ag = {.indicators = &ind, .n_indicators = 1, .history = 2}, ag2;
	struct ctlop_r_cell cell = {.category = "65+", .value = 2};
	struct ctlop_r_point ms_pt = {.period = "2026-06", .value = 25};
	struct ctlop_r_row row = {.from = -5, .to = 20000, .value = 1.5, .seq = 7, .has_den = true,
				  .den = 4, .split = &cell, .n_split = 1};
	struct ctlop_r_metrics mt = {.indicators = &ind, .n_indicators = 1, .rows = &row, .n_rows = 1}, mt2;
	struct ctlop_r_anomaly an = {.seq = 1};
	struct ctlop_r_audit_bad ab = {.seq = 2};
	struct ctlop_r_redaction rd = {.seq = 3};
	struct ctlop_r_audit a = {.anomalies = &an, .n_anomalies = 1, .bad = &ab, .n_bad = 1,
				  .redactions = &rd, .n_redactions = 1}, a2;

	strcpy(mem.role, "admin");
	reply_roundtrip(f, CTLOP_R_MEMBERS, &ms, &ms2);
	assert_true(ms2.members[0].removed);
	ctlop_reply_free(CTLOP_R_MEMBERS, &ms2);
	strcpy(bad.reason, "bad signature");
	reply_roundtrip(f, CTLOP_R_VERIFY, &v, &v2);
	assert_int_equal(v2.bad[0].code, PAKT_ESIG);
	ctlop_reply_free(CTLOP_R_VERIFY, &v2);
	strcpy(ind.id, "beds");
	strcpy(ind.direction, "down");
	ind.has_kind = true;
	strcpy(ind.kind, "level");
	strcpy(ind.categories[0], "0-17");
	strcpy(ind.categories[1], "65+");
	ind.n_categories = 2;
	ind.has_milestones = true;
	ind.milestones = &ms_pt;
	ind.n_milestones = 1;
	reply_roundtrip(f, CTLOP_R_AGENDA, &ag, &ag2);
	assert_true(ag2.indicators[0].target == -2);
	assert_string_equal(ag2.indicators[0].kind, "level");
	assert_int_equal(ag2.indicators[0].n_categories, 2);
	assert_string_equal(ag2.indicators[0].categories[1], "65+");
	assert_string_equal(ag2.indicators[0].milestones[0].period, "2026-06");
	ctlop_reply_free(CTLOP_R_AGENDA, &ag2);
	reply_roundtrip(f, CTLOP_R_METRICS, &mt, &mt2);
	assert_int_equal(mt2.rows[0].from, -5);
	assert_int_equal(mt2.rows[0].seq, 7);
	assert_true(mt2.rows[0].has_den && mt2.rows[0].den == 4);
	assert_int_equal(mt2.rows[0].n_split, 1);
	assert_string_equal(mt2.rows[0].split[0].category, "65+");
	ctlop_reply_free(CTLOP_R_METRICS, &mt2);
	strcpy(an.what, "backdated");
	reply_roundtrip(f, CTLOP_R_AUDIT, &a, &a2);
	assert_string_equal(a2.anomalies[0].what, "backdated");
	assert_int_equal(a2.redactions[0].seq, 3);
	ctlop_reply_free(CTLOP_R_AUDIT, &a2);
}

/* Replies with a wrong type, a too long string or a non-map element are
 * refused naming the key; an error reply gives its code and message. */
static void test_reply_refused(void **state)
{
	struct fixture *f = *state;
	struct ctlop_r_members m;
	struct ctlop_r_entry e;
	struct mpx_out o;
	char big[300];
	char why[64];

	mpx_init(&o);
	msgpack_pack_map(&o.pk, 2);
	mpx_kv_str(&o.pk, "ok", "yes");
	mpx_kv_u64(&o.pk, "seq", 1);
	assert_int_equal(ctlop_reply_decode(CTLOP_R_ENTRY, &e, (uint8_t *)o.sb.data, o.sb.size,
					    f->why, sizeof f->why), PAKT_EPROTO);
	assert_non_null(strstr(f->why, "'ok'"));
	ctlop_reply_free(CTLOP_R_ENTRY, &e);
	memset(big, 'n', sizeof big);
	mpx_reset(&o);
	msgpack_pack_map(&o.pk, 1);
	mpx_str(&o.pk, "members");
	msgpack_pack_array(&o.pk, 2);
	msgpack_pack_map(&o.pk, 1);
	mpx_str(&o.pk, "name");
	mpx_strn(&o.pk, big, sizeof big);
	msgpack_pack_nil(&o.pk);
	assert_int_equal(ctlop_reply_decode(CTLOP_R_MEMBERS, &m, (uint8_t *)o.sb.data, o.sb.size,
					    f->why, sizeof f->why), PAKT_EPROTO);
	assert_non_null(strstr(f->why, "'name'"));
	ctlop_reply_free(CTLOP_R_MEMBERS, &m);
	/* a hostile array count cannot make the decoder allocate */
	assert_int_equal(ctlop_reply_decode(CTLOP_R_MEMBERS, &m,
					    (const uint8_t *)"\x81\xa7members\xdd\xff\xff\xff\xff", 14,
					    f->why, sizeof f->why), PAKT_EPROTO);
	ctlop_reply_free(CTLOP_R_MEMBERS, &m);
	ctlmsg_error_reply(&o, PAKT_EPERM, "only an admin of the initiative can do this");
	assert_int_equal(ctlop_reply_error((uint8_t *)o.sb.data + CTL_HDR_LEN, o.sb.size - CTL_HDR_LEN,
					   why, sizeof why), PAKT_EPERM);
	assert_string_equal(why, "only an admin of the initiative can do this");
	fill(&f->r, CTLOP_STATUS);
	mpx_free(&o);
}

/* The --json form: ids as text where asked, "ok" dropped unless kept, one
 * key's value alone. */
static void test_reply_json(void **state)
{
	struct fixture *f = *state;
	struct ctlop_r_created cr = {.ok = true};
	msgpack_sbuffer out;
	char expect[200], nw[ID_TEXT_MAX];

	key(cr.network, 0x22);
	assert_int_equal(ctlop_reply_encode(CTLOP_R_CREATED, &cr, &f->o), 0);
	msgpack_sbuffer_init(&out);
	assert_int_equal(ctlop_reply_json(&out, (uint8_t *)f->o.sb.data + CTL_HDR_LEN,
					  f->o.sb.size - CTL_HDR_LEN, true, false, NULL), 0);
	id_encode(ID_NETWORK, cr.network, nw);
	snprintf(expect, sizeof expect, "{\"network\":\"%s\"}", nw);
	assert_int_equal(out.size, strlen(expect));
	assert_memory_equal(out.data, expect, out.size);
	msgpack_sbuffer_clear(&out);
	assert_int_equal(ctlop_reply_json(&out, (uint8_t *)f->o.sb.data + CTL_HDR_LEN,
					  f->o.sb.size - CTL_HDR_LEN, false, true, NULL), 0);
	assert_memory_equal(out.data, "{\"network\":\"2222", 16);
	assert_memory_equal(out.data + out.size - 11, ",\"ok\":true}", 11);
	msgpack_sbuffer_clear(&out);
	assert_int_equal(ctlop_reply_json(&out, (uint8_t *)f->o.sb.data + CTL_HDR_LEN,
					  f->o.sb.size - CTL_HDR_LEN, true, false, "missing"), 0);
	assert_memory_equal(out.data, "[]", 2);
	msgpack_sbuffer_destroy(&out);
}

/* An audit's bad-signature proofs round-trip, in bytewise key order (no
 * orgs or forks here), and --json names a and b as entry ids. */
static void test_reply_audit_badsigs(void **state)
{
	struct fixture *f = *state;
	struct ctlop_r_badsig bs[2] = {{.seq = 7}, {.seq = 1}};
	struct ctlop_r_audit a = {.badsigs = bs, .n_badsigs = 2, .checked = 9}, a2;
	char expect[300], ea[ID_TEXT_MAX], eb[ID_TEXT_MAX], pk[ID_TEXT_MAX];
	msgpack_sbuffer out;

	key(bs[0].a, 0x31);
	key(bs[0].author, 0x32);
	key(bs[0].b, 0x33);
	strcpy(bs[0].name, "Fundacja");
	reply_roundtrip(f, CTLOP_R_AUDIT, &a, &a2);
	assert_int_equal(canon_check((const uint8_t *)f->o.sb.data + CTL_HDR_LEN,
				     f->o.sb.size - CTL_HDR_LEN, 8), 0);
	assert_int_equal(a2.n_badsigs, 2);
	assert_int_equal(a2.badsigs[0].seq, 7);
	assert_memory_equal(a2.badsigs[0].a, bs[0].a, 32);
	assert_memory_equal(a2.badsigs[0].author, bs[0].author, 32);
	assert_memory_equal(a2.badsigs[0].b, bs[0].b, 32);
	assert_string_equal(a2.badsigs[0].name, "Fundacja");
	assert_int_equal(a2.badsigs[1].seq, 1);
	assert_false(a2.ok);
	ctlop_reply_free(CTLOP_R_AUDIT, &a2);
	msgpack_sbuffer_init(&out);
	assert_int_equal(ctlop_reply_json(&out, (uint8_t *)f->o.sb.data + CTL_HDR_LEN,
					  f->o.sb.size - CTL_HDR_LEN, true, true, NULL), 0);
	id_encode(ID_ENTRY, bs[0].a, ea);
	id_encode(ID_KEY, bs[0].author, pk);
	id_encode(ID_ENTRY, bs[0].b, eb);
	snprintf(expect, sizeof expect, "\"bad\":[],\"badsigs\":[{\"a\":\"%s\",\"author\":\"%s\","
		 "\"b\":\"%s\",\"name\":\"Fundacja\",\"seq\":7},", ea, pk, eb);
	msgpack_sbuffer_write(&out, "", 1);
	assert_non_null(strstr(out.data, expect));
	msgpack_sbuffer_destroy(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip_every_op, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_minimal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wire_compatible, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_op, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fields_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shapes_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wipe_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_consume_wipes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_roundtrip_simple, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_roundtrip_audit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_audit_badsigs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_progress, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_roundtrip_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_json, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
