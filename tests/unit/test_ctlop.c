/* Unit tests of proto/ctlop: every request survives encode -> decode, the
 * encoder writes canonical msgpack, frames the CLI never sends are refused
 * with a reason, and secrets do not outlive the request. */
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
#include "proto/err.h"

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
		break;
	case CTLOP_UPDATE:
		strcpy(r->u.update.text, "more beds");
		strcpy(r->u.update.period, "2026-Q1");
		r->u.update.n = 1;
		strcpy(r->u.update.v[0].indicator, "beds");
		r->u.update.v[0].value = -3.25;
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
		break;
	case CTLOP_PROGRESS:
		key(r->u.progress.ref, 12);
		strcpy(r->u.progress.state, "fulfilled");
		strcpy(r->u.progress.note, "done early");
		r->u.progress.has_evidence = true;
		key(r->u.progress.evidence, 13);
		break;
	case CTLOP_COMMITMENTS:
		strcpy(r->u.commitments.filter, "overdue");
		r->u.commitments.has_party = true;
		key(r->u.commitments.party, 14);
		break;
	case CTLOP_AUDIT:
		r->u.audit.has_author = true;
		key(r->u.audit.author, 15);
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
		assert_int_equal(ctl_frame_len((const uint8_t *)f->o.sb.data), len);
		assert_int_equal(canon_check(body, len, 8), 0);
		if (decode(f, body, len) != 0)
			fail_msg("%s: %s", ctlop_name((enum ctlop_op)op), f->why);
		assert_memory_equal(&f->r, &f->back, sizeof f->r);
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

/* ctl_consume zeroes the bytes of the frames it drops: a key.rotate frame
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
	ctl_consume(buf, &len, frame);
	assert_int_equal(len, 5);
	assert_memory_equal(buf, "\0\0\0\x09\x81", 5);
	assert_true(all_zero(buf + 5, frame));
	assert_null(memmem(buf, sizeof buf, "correct horse", 13));
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
