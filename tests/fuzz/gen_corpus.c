/* Writes the fuzz targets' seed corpora: valid samples made by the code
 * itself (entries, bodies, peer messages, handshake messages, control
 * requests, key files, config files, invite codes, bundles), into
 * DIR/<target>/NAME. Run by `make fuzz-seeds`; the output is committed in
 * tests/fuzz/corpus. Keys, timestamps and ephemerals are fixed, so the
 * output is the same on every run except where the code draws randomness
 * itself (sealed bodies, encrypted key files).
 *
 *   gen_corpus DIR */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys/config.h"
#include "keys/keyfile.h"
#include "keys/keys.h"
#include "proto/body.h"
#include "proto/sealed.h"
#include "core/audit.h"
#include "proto/bundle.h"
#include "proto/ctlmsg.h"
#include "proto/entry.h"
#include "proto/keyroll.h"
#include "proto/mpx.h"
#include "proto/noise.h"
#include "proto/wire.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/gen_run.h"

#define T0 1767225600000ULL   /* 2026-01-01, ms */
#define MAXE 32

static const char *outdir;

static void die(const char *what)
{
	fprintf(stderr, "gen_corpus: %s\n", what);
	exit(1);
}

static void check(int rc, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "gen_corpus: %s: error %d\n", what, rc);
		exit(1);
	}
}

static void put(const char *target, const char *name, const void *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", outdir, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		die(path);
	snprintf(path, sizeof path, "%s/%s/%s", outdir, target, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		die(path);
}

/* The same with a prefix byte (fuzz_body's type, fuzz_handshake's mode). */
static void put1(const char *target, const char *name, uint8_t first, const void *p, size_t n)
{
	uint8_t *b = malloc(n + 1);

	if (b == NULL)
		die("out of memory");
	b[0] = first;
	memcpy(b + 1, p, n);
	put(target, name, b, n + 1);
	free(b);
}

static void put_out(const char *target, const char *name, const struct mpx_out *o)
{
	put(target, name, o->sb.data, o->sb.size);
}

/* ---- an initiative: A creates it, admits B and C, works with them ---- */

struct who {
	struct keys_identity id;
	uint64_t seq;
	uint8_t prev[32];
};

static struct who A, B, C;
static uint8_t network[32];
static uint64_t ts = T0;
static struct entry ent[MAXE];
static uint8_t bodies[MAXE][ENTRY_BODY_MAX];
static const char *names[MAXE];
static size_t n_ent;

static void who_init(struct who *w, uint8_t seed)
{
	uint8_t s[32];

	memset(s, seed, sizeof s);
	check(keys_from_seed(&w->id, s), "keys_from_seed");
}

/* Sign w's next entry with the body in o (reset afterwards); NULL o: an
 * entry whose body is then dropped on the wire. Returns its index. */
static size_t sign(struct who *w, const char *type, struct mpx_out *o, const char *name)
{
	struct entry_header h;
	size_t i = n_ent++;
	bool genesis = strcmp(type, "genesis") == 0;

	if (i >= MAXE || o->sb.size > sizeof bodies[i])
		die("too many entries");
	memcpy(bodies[i], o->sb.data, o->sb.size);
	memset(&h, 0, sizeof h);
	h.version = ENTRY_VERSION;
	h.has_network = !genesis;
	if (!genesis)
		memcpy(h.network, network, 32);
	memcpy(h.author, w->id.pk, 32);
	h.seq = ++w->seq;
	h.has_prev = h.seq > 1;
	memcpy(h.prev, w->prev, 32);
	ts += 1000;
	h.timestamp = ts;
	snprintf(h.type, sizeof h.type, "%s", type);
	check(entry_create(&ent[i], &h, bodies[i], o->sb.size, keys_sk_open(&w->id)), type);
	keys_sk_close(&w->id);
	memcpy(w->prev, ent[i].hash, 32);
	if (genesis)
		memcpy(network, ent[i].hash, 32);
	names[i] = name;
	mpx_reset(o);
	return i;
}

static struct mpx_out bo;   /* the body being built */
static size_t i_commit;

static void initiative(void)
{
	const uint8_t (*admins)[32] = (const uint8_t (*)[32])A.id.pk;
	struct body_agenda *ag = calloc(1, sizeof *ag);
	struct body_update *up = calloc(1, sizeof *up);
	struct body_commitment *cm = calloc(1, sizeof *cm);
	struct body_ref *rf = calloc(1, sizeof *rf);
	struct body_status *st = calloc(1, sizeof *st);
	struct body_profile *pr = calloc(1, sizeof *pr);
	struct body_head heads[3];
	uint8_t recips[2][32];
	struct fuzz_keys k;

	if (!ag || !up || !cm || !rf || !st || !pr)
		die("out of memory");
	fuzz_keys_init(&k);
	mpx_init(&bo);
	check(body_genesis(&bo, "Housing First Lyon", "fewer people sleeping rough", admins, 1),
	      "genesis");
	sign(&A, "genesis", &bo, "genesis");
	check(body_member(&bo, true, A.id.pk, "Org A", true), "member");
	sign(&A, "member", &bo, "member_admin");
	check(body_member(&bo, true, B.id.pk, "Org B", false), "member");
	sign(&A, "member", &bo, "member_add");
	check(body_member(&bo, true, C.id.pk, "Org C", false), "member");
	sign(&A, "member", &bo, "member_add2");

	snprintf(ag->goal, sizeof ag->goal, "fewer people sleeping rough");
	snprintf(ag->ind[0].id, sizeof ag->ind[0].id, "beds");
	snprintf(ag->ind[0].name, sizeof ag->ind[0].name, "Beds open");
	snprintf(ag->ind[0].unit, sizeof ag->ind[0].unit, "beds");
	ag->ind[0].has_target = true;
	ag->ind[0].target = 40;
	snprintf(ag->ind[1].id, sizeof ag->ind[1].id, "wait_days");
	snprintf(ag->ind[1].name, sizeof ag->ind[1].name, "Days on the waiting list");
	snprintf(ag->ind[1].unit, sizeof ag->ind[1].unit, "days");
	ag->ind[1].down = true;
	ag->n = 2;
	check(body_agenda(&bo, ag), "agenda");
	sign(&A, "agenda", &bo, "agenda");

	snprintf(cm->title, sizeof cm->title, "40 beds by June");
	snprintf(cm->description, sizeof cm->description, "two new shelters");
	snprintf(cm->due, sizeof cm->due, "2026-06-30");
	snprintf(cm->indicator, sizeof cm->indicator, "beds");
	cm->has_target = true;
	cm->target = 40.5;
	memcpy(cm->parties[0], B.id.pk, 32);
	memcpy(cm->parties[1], C.id.pk, 32);
	cm->n_parties = 2;
	check(body_commitment(&bo, cm), "commitment");
	i_commit = sign(&A, "commitment", &bo, "commitment");

	check(body_message(&bo, "hello from B", NULL), "message");
	sign(&B, "message", &bo, "message");
	check(body_message(&bo, "r\xc3\xa9ponse \xe2\x9c\x93", ent[i_commit].hash), "message");
	sign(&B, "message", &bo, "message_reply");
	memcpy(rf->ref, ent[i_commit].hash, 32);
	check(body_ref(&bo, "accept", rf), "accept");
	sign(&B, "accept", &bo, "accept");
	snprintf(rf->text, sizeof rf->text, "no budget this year");
	check(body_ref(&bo, "decline", rf), "decline");
	sign(&C, "decline", &bo, "decline");

	memcpy(st->ref, ent[i_commit].hash, 32);
	snprintf(st->state, sizeof st->state, "in-progress");
	snprintf(st->note, sizeof st->note, "20 beds open");
	check(body_status(&bo, st), "status");
	sign(&A, "status", &bo, "status");
	snprintf(st->state, sizeof st->state, "fulfilled");
	st->note[0] = '\0';
	st->has_evidence = true;
	memcpy(st->evidence, ent[n_ent - 1].hash, 32);
	check(body_status(&bo, st), "status");
	sign(&A, "status", &bo, "status_evidence");

	snprintf(up->period, sizeof up->period, "2026-Q1");
	snprintf(up->text, sizeof up->text, "first quarter");
	snprintf(up->v[0].indicator, sizeof up->v[0].indicator, "beds");
	up->v[0].value = 22;
	snprintf(up->v[1].indicator, sizeof up->v[1].indicator, "wait_days");
	up->v[1].value = 12.25;
	up->n = 2;
	check(body_update(&bo, up), "update");
	sign(&B, "update", &bo, "update");
	snprintf(up->period, sizeof up->period, "2026-01-01..2026-02-15");
	up->n = 1;
	check(body_update(&bo, up), "update");
	sign(&B, "update", &bo, "update_range");

	snprintf(pr->name, sizeof pr->name, "Org C");
	snprintf(pr->sector, sizeof pr->sector, "ngo");
	snprintf(pr->contact, sizeof pr->contact, "c@example.org");
	snprintf(pr->addrs[0], sizeof pr->addrs[0], "127.0.0.1:7420");
	snprintf(pr->addrs[1], sizeof pr->addrs[1], "[::1]:7420");
	pr->n_addrs = 2;
	check(body_profile(&bo, pr), "profile");
	sign(&C, "profile", &bo, "profile");

	memcpy(rf->ref, ent[n_ent - 3].hash, 32);
	snprintf(rf->text, sizeof rf->text, "posted by mistake");
	check(body_ref(&bo, "redact", rf), "redact");
	sign(&B, "redact", &bo, "redact");

	memcpy(recips[0], k.seal_pk, 32);
	memset(recips[1], 0x42, 32);
	/* bound to fuzz_body's (k.network, k.seal_pk), not to C's entry, so
	 * that the fuzzer reaches the inner map */
	check(sealed_seal(&bo, k.network, k.seal_pk, "for your eyes only", NULL,
			  (const uint8_t (*)[32])recips, 2), "seal");
	sign(&C, "sealed", &bo, "sealed");
	check(sealed_seal(&bo, k.network, k.seal_pk, "reply, sealed", ent[i_commit].hash,
			  (const uint8_t (*)[32])recips, 1),
	      "seal");
	sign(&C, "sealed", &bo, "sealed_reply");
	{
		/* one that names its other recipients inside */
		struct sealed_to to = {.n = 1};

		memset(to.keys[0], 0x43, 32);
		check(sealed_seal_to(&bo, k.network, k.seal_pk, "who else reads this", NULL,
				     (const uint8_t (*)[32])recips, 2, &to), "seal");
		sign(&C, "sealed", &bo, "sealed_to");
	}

	memcpy(heads[0].author, A.id.pk, 32);
	heads[0].seq = A.seq;
	memcpy(heads[0].hash, A.prev, 32);
	memcpy(heads[1].author, B.id.pk, 32);
	heads[1].seq = B.seq;
	memcpy(heads[1].hash, B.prev, 32);
	memcpy(heads[2].author, C.id.pk, 32);
	heads[2].seq = C.seq;
	memcpy(heads[2].hash, C.prev, 32);
	check(body_checkpoint(&bo, heads, 3), "checkpoint");
	sign(&A, "checkpoint", &bo, "checkpoint");

	msgpack_pack_map(&bo.pk, 1);
	mpx_kv_str(&bo.pk, "x", "a newer type");
	sign(&B, "futuretype", &bo, "unknown_type");

	check(body_member(&bo, false, C.id.pk, "Org C", false), "member");
	sign(&A, "member", &bo, "member_remove");

	/* C hands its place to a new key (seed 4); A revokes C after that */
	struct who D = {0};
	struct body_succession sc;
	struct body_revoke rv = {0};
	uint8_t proof[64];

	who_init(&D, 4);
	keyroll_prove(proof, network, C.id.pk, D.id.pk, keys_sk_open(&D.id));
	keys_sk_close(&D.id);
	memcpy(sc.new_key, D.id.pk, 32);
	sc.proof = proof;
	check(body_succession(&bo, &sc), "succession");
	sign(&C, "succession", &bo, "succession");
	memcpy(rv.key, C.id.pk, 32);
	rv.after = C.seq;
	snprintf(rv.reason, sizeof rv.reason, "laptop stolen");
	check(body_revoke(&bo, &rv), "revoke");
	sign(&A, "revoke", &bo, "revoke");
	/* shared measurement: kinds, about, baseline, milestones, dimension,
	 * suppress; a ratio's den and a split */
	ag->ind[0].kind = BODY_LEVEL;
	ag->ind[0].about = BODY_POPULATION;
	ag->ind[0].has_baseline = true;
	snprintf(ag->ind[0].baseline.period, sizeof ag->ind[0].baseline.period, "2025-12");
	ag->ind[0].baseline.value = 35;
	snprintf(ag->ind[0].milestones[0].period, sizeof ag->ind[0].milestones[0].period, "2026-06");
	ag->ind[0].milestones[0].value = 25;
	ag->ind[0].n_milestones = 1;
	snprintf(ag->ind[0].dimension, sizeof ag->ind[0].dimension, "age");
	snprintf(ag->ind[0].categories[0], sizeof ag->ind[0].categories[0], "0-17");
	snprintf(ag->ind[0].categories[1], sizeof ag->ind[0].categories[1], "65+");
	ag->ind[0].n_categories = 2;
	ag->ind[1].kind = BODY_RATIO;
	ag->has_suppress = true;
	ag->suppress = 3;
	check(body_agenda(&bo, ag), "agenda");
	sign(&A, "agenda", &bo, "agenda_kinds");
	snprintf(up->period, sizeof up->period, "2026-03");
	up->v[0].value = 28;
	up->v[0].split = 0;
	up->v[0].n_split = 2;
	snprintf(up->cell[0].category, sizeof up->cell[0].category, "0-17");
	up->cell[0].value = 2;
	snprintf(up->cell[1].category, sizeof up->cell[1].category, "65+");
	up->cell[1].value = 26;
	up->n_cells = 2;
	up->v[1].value = 34;
	up->v[1].has_den = true;
	up->v[1].den = 40;
	up->n = 2;
	check(body_update(&bo, up), "update");
	sign(&B, "update", &bo, "update_split");
	keys_free(&D.id);
	free(ag);
	free(up);
	free(cm);
	free(rf);
	free(st);
	free(pr);
}

/* ---- targets ---- */

static void gen_entry_body(void)
{
	uint8_t wire[ENTRY_WIRE_MAX];
	size_t len;
	char name[64];

	for (size_t i = 0; i < n_ent; i++) {
		check(entry_encode(&ent[i], true, wire, sizeof wire, &len), "entry_encode");
		put("entry", names[i], wire, len);
		size_t t;

		for (t = 0; t < FUZZ_BODY_TYPES; t++)
			if (strcmp(fuzz_body_types[t], ent[i].h.type) == 0)
				break;
		if (t == FUZZ_BODY_TYPES)
			t = FUZZ_BODY_TYPES - 1;   /* "other" */
		put1("body", names[i], (uint8_t)t, ent[i].body, ent[i].body_len);
	}
	check(entry_encode(&ent[1], false, wire, sizeof wire, &len), "entry_encode");
	put("entry", "no_body", wire, len);
	snprintf(name, sizeof name, "header_only");
	put("entry", name, ent[0].header_bytes, ent[0].header_len);
}

static void gen_wire(void)
{
	struct mpx_out o;
	struct wire_clock_item feeds[3];
	uint8_t skip[1][32], wire[3][ENTRY_WIRE_MAX], pre[WIRE_PREAMBLE_LEN];
	size_t len[3];
	struct entry fork;
	struct entry_header h;

	mpx_init(&o);
	feeds[0].author = A.id.pk;
	feeds[0].seq = A.seq;
	feeds[1].author = B.id.pk;
	feeds[1].seq = B.seq;
	feeds[2].author = C.id.pk;
	feeds[2].seq = C.seq;
	memset(skip[0], 0x99, 32);
	wire_clock(&o, feeds, 3, (const uint8_t (*)[32])skip, 1);
	put_out("wire", "clock", &o);
	wire_clock(&o, feeds, 0, NULL, 0);
	put_out("wire", "clock_empty", &o);

	check(entry_encode(&ent[0], true, wire[0], sizeof wire[0], &len[0]), "encode");
	check(entry_encode(&ent[1], true, wire[1], sizeof wire[1], &len[1]), "encode");
	check(entry_encode(&ent[2], false, wire[2], sizeof wire[2], &len[2]), "encode");
	wire_entries_begin(&o, 3);
	for (int i = 0; i < 3; i++)
		wire_entries_add(&o, wire[i], len[i]);
	wire_entries_end(&o);
	put_out("wire", "entries", &o);

	/* a fork: a second entry at A's seq 2 */
	h = ent[1].h;
	h.timestamp += 1;
	check(entry_create(&fork, &h, ent[1].body, ent[1].body_len, keys_sk_open(&A.id)), "fork");
	keys_sk_close(&A.id);
	check(entry_encode(&fork, true, wire[2], sizeof wire[2], &len[2]), "encode");
	wire_fork(&o, wire[1], len[1], wire[2], len[2]);
	put_out("wire", "fork", &o);

	wire_invite(&o, network, "Org D");
	put_out("wire", "invite", &o);
	wire_welcome(&o);
	put_out("wire", "welcome", &o);
	wire_bye(&o, "not a member of this initiative");
	put_out("wire", "bye", &o);
	mpx_reset(&o);
	wire_hello(&o, B.id.pk);
	put_out("wire", "hello", &o);
	wire_preamble(network, pre);
	put("wire", "preamble", pre, sizeof pre);
	mpx_free(&o);
}

static void gen_handshake(void)
{
	struct fuzz_keys k;
	struct noise_hs ini, resp;
	uint8_t m0[256], m1[256], m2[256], pl[256];
	size_t l0, l1, l2, pn;

	fuzz_keys_init(&k);
	for (int psk = 0; psk < 2; psk++) {
		uint8_t f = psk ? FUZZ_HS_PSK : 0;

		check(fuzz_hs_init(&k, &ini, true, psk), "hs init");
		check(fuzz_hs_init(&k, &resp, false, psk), "hs init");
		check(fuzz_hs_write(&k, &ini, true, m0, sizeof m0, &l0), "msg0");
		check(noise_hs_read(&resp, m0, l0, pl, sizeof pl, &pn), "read msg0");
		check(fuzz_hs_write(&k, &resp, false, m1, sizeof m1, &l1), "msg1");
		check(noise_hs_read(&ini, m1, l1, pl, sizeof pl, &pn), "read msg1");
		check(fuzz_hs_write(&k, &ini, true, m2, sizeof m2, &l2), "msg2");
		check(noise_hs_read(&resp, m2, l2, pl, sizeof pl, &pn), "read msg2");
		if (!noise_hs_done(&resp) || !noise_hs_done(&ini))
			die("handshake not done");
		put1("handshake", psk ? "msg0_psk" : "msg0", FUZZ_HS_MSG0 | f, m0, l0);
		put1("handshake", psk ? "msg1_psk" : "msg1", FUZZ_HS_MSG1 | f, m1, l1);
		put1("handshake", psk ? "msg2_psk" : "msg2", FUZZ_HS_MSG2 | f, m2, l2);
		noise_hs_wipe(&ini);
		noise_hs_wipe(&resp);
	}
}

/* A control request: a map of n pairs, written by fn. */
static void ctl_req(const char *name, void (*fn)(msgpack_packer *pk))
{
	struct mpx_out o;

	mpx_init(&o);
	fn(&o.pk);
	put_out("ctl", name, &o);
	mpx_free(&o);
}

static void r_status(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 1);
	mpx_kv_str(pk, "op", "status");
}
static void r_post(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 3);
	mpx_kv_str(pk, "op", "post");
	mpx_kv_str(pk, "text", "hello");
	mpx_kv_bin(pk, "reply_to", ent[0].hash, 32);
}
static void r_post_sealed(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 3);
	mpx_kv_str(pk, "op", "post");
	mpx_kv_str(pk, "text", "secret");
	mpx_str(pk, "to");
	msgpack_pack_array(pk, 1);
	mpx_bin(pk, B.id.pk, 32);
}
static void r_log(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 4);
	mpx_kv_str(pk, "op", "log");
	mpx_kv_str(pk, "type", "message");
	mpx_kv_u64(pk, "last", 10);
	mpx_kv_bool(pk, "follow", true);
}
/* indicators and values exactly as the bodies hold them (canonical) */
static void r_agenda_set(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 4);
	mpx_kv_str(pk, "op", "agenda.set");
	mpx_kv_str(pk, "goal", "fewer people sleeping rough");
	mpx_str(pk, "indicators");
	msgpack_pack_array(pk, 2);
	msgpack_pack_map(pk, 8);
	mpx_kv_str(pk, "about", "population");
	mpx_str(pk, "baseline");
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "period", "2025-12");
	mpx_str(pk, "value");
	msgpack_pack_double(pk, 35);
	mpx_str(pk, "dimension");
	msgpack_pack_map(pk, 2);
	mpx_str(pk, "categories");
	msgpack_pack_array(pk, 2);
	mpx_str(pk, "0-17");
	mpx_str(pk, "65+");
	mpx_kv_str(pk, "name", "age");
	mpx_kv_str(pk, "direction", "down");
	mpx_kv_str(pk, "id", "rough");
	mpx_kv_str(pk, "kind", "level");
	mpx_kv_str(pk, "name", "Rough sleepers");
	mpx_kv_str(pk, "unit", "people");
	msgpack_pack_map(pk, 6);
	mpx_kv_str(pk, "direction", "up");
	mpx_kv_str(pk, "id", "kept");
	mpx_kv_str(pk, "kind", "ratio");
	mpx_kv_str(pk, "name", "Still housed");
	mpx_str(pk, "target");
	msgpack_pack_double(pk, 80);
	mpx_kv_str(pk, "unit", "%");
	mpx_kv_u64(pk, "suppress", 3);
}
static void r_update(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 4);
	mpx_kv_str(pk, "op", "update");
	mpx_kv_str(pk, "text", "first quarter");
	mpx_kv_str(pk, "period", "2026-Q1");
	mpx_str(pk, "values");
	msgpack_pack_array(pk, 2);
	msgpack_pack_map(pk, 3);
	mpx_str(pk, "den");
	msgpack_pack_double(pk, 40);
	mpx_kv_str(pk, "indicator", "kept");
	mpx_str(pk, "value");
	msgpack_pack_double(pk, 34);
	msgpack_pack_map(pk, 3);
	mpx_kv_str(pk, "indicator", "rough");
	mpx_str(pk, "split");
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "category", "0-17");
	mpx_str(pk, "value");
	msgpack_pack_double(pk, 28);
	mpx_str(pk, "value");
	msgpack_pack_double(pk, 28);
}
static void r_commit(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 6);
	mpx_kv_str(pk, "op", "commit");
	mpx_kv_str(pk, "title", "40 beds by June");
	mpx_kv_str(pk, "due", "2026-06-30");
	mpx_kv_str(pk, "description", "two shelters");
	mpx_kv_str(pk, "indicator", "beds");
	mpx_str(pk, "parties");
	msgpack_pack_array(pk, 1);
	mpx_bin(pk, B.id.pk, 32);
}
static void r_accept(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "op", "accept");
	mpx_kv_bin(pk, "commitment", ent[i_commit].hash, 32);
}
static void r_decline(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 3);
	mpx_kv_str(pk, "op", "decline");
	mpx_kv_bin(pk, "commitment", ent[i_commit].hash, 32);
	mpx_kv_str(pk, "reason", "no budget");
}
static void r_progress(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 4);
	mpx_kv_str(pk, "op", "progress");
	mpx_kv_bin(pk, "commitment", ent[i_commit].hash, 32);
	mpx_kv_str(pk, "state", "fulfilled");
	mpx_kv_str(pk, "note", "all open");
}
static void r_profile(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 4);
	mpx_kv_str(pk, "op", "profile.set");
	mpx_kv_str(pk, "name", "Org C");
	mpx_kv_str(pk, "sector", "ngo");
	mpx_kv_str(pk, "contact", "c@example.org");
}
static void r_invite(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 3);
	mpx_kv_str(pk, "op", "invite");
	mpx_kv_str(pk, "name", "Org D");
	mpx_kv_u64(pk, "ttl_ms", 86400000);
}
static void r_join(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "op", "join");
	mpx_kv_str(pk, "code", "pi_aaaa");
}
static void r_peer_add(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "op", "peer.add");
	mpx_kv_str(pk, "address", "127.0.0.1:7420");
}
static void r_export(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 5);
	mpx_kv_str(pk, "op", "export");
	mpx_kv_bin(pk, "key", A.id.pk, 32);
	mpx_kv_u64(pk, "from", 1);
	mpx_kv_u64(pk, "to", 5);
	mpx_kv_bin(pk, "network", network, 32);
}
static void r_commitments(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 2);
	mpx_kv_str(pk, "op", "commitments");
	mpx_kv_str(pk, "filter", "open");
}
static void r_reply_ok(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 3);
	mpx_kv_bin(pk, "hash", ent[0].hash, 32);
	mpx_kv_bool(pk, "ok", true);
	mpx_kv_u64(pk, "seq", 1);
}
static void r_reply_error(msgpack_packer *pk)
{
	msgpack_pack_map(pk, 2);
	mpx_kv_u64(pk, "code", 7);
	mpx_kv_str(pk, "error", "malformed request");
}

static void gen_ctl(void)
{
	uint8_t wire[ENTRY_WIRE_MAX];
	size_t len;
	struct mpx_out o;

	ctl_req("status", r_status);
	ctl_req("post", r_post);
	ctl_req("post_sealed", r_post_sealed);
	ctl_req("log", r_log);
	ctl_req("agenda_set", r_agenda_set);
	ctl_req("update", r_update);
	ctl_req("commit", r_commit);
	ctl_req("accept", r_accept);
	ctl_req("decline", r_decline);
	ctl_req("progress", r_progress);
	ctl_req("profile_set", r_profile);
	ctl_req("invite", r_invite);
	ctl_req("join", r_join);
	ctl_req("peer_add", r_peer_add);
	ctl_req("export", r_export);
	ctl_req("commitments", r_commitments);
	ctl_req("reply_ok", r_reply_ok);
	ctl_req("reply_error", r_reply_error);
	/* a streamed entry frame */
	check(entry_encode(&ent[5], true, wire, sizeof wire, &len), "encode");
	mpx_init(&o);
	msgpack_pack_map(&o.pk, 1);
	mpx_kv_bin(&o.pk, "entry", wire, len);
	put_out("ctl", "stream_entry", &o);
	mpx_free(&o);
}

static void slurp_put(const char *target, const char *name, const char *path)
{
	char buf[8192];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		die(path);
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	put(target, name, buf, n);
}

static void gen_keyfile(const char *tmp)
{
	char path[4096], why[256];

	keyfile_set_kdf_limits(0, 0);   /* the minimum cost: cheap to fuzz */
	snprintf(path, sizeof path, "%s/key", tmp);
	check(keyfile_write(path, &A.id, NULL, why, sizeof why), why);
	slurp_put("keyfile", "plain", path);
	unlink(path);
	check(keyfile_write(path, &B.id, "x", why, sizeof why), why);
	slurp_put("keyfile", "encrypted_x", path);   /* fuzz_keyfile's passphrase */
	unlink(path);
	check(keyfile_write(path, &C.id, "another passphrase", why, sizeof why), why);
	slurp_put("keyfile", "encrypted_other", path);
	unlink(path);
}

static void gen_config(const char *tmp)
{
	char path[4096], why[256], id[ID_TEXT_MAX];

	snprintf(path, sizeof path, "%s/config", tmp);
	check(config_create(path, "Org A", why, sizeof why), why);
	slurp_put("config", "created", path);
	id_encode(ID_NETWORK, network, id);
	check(config_set(path, "network", id, why, sizeof why), why);
	check(config_set(path, "listen", "127.0.0.1:7420", why, sizeof why), why);
	check(config_set(path, "address", "node-a.example.org:7420", why, sizeof why), why);
	check(config_set(path, "log_level", "debug", why, sizeof why), why);
	check(config_set(path, "checkpoint_interval", "60", why, sizeof why), why);
	slurp_put("config", "full", path);
	unlink(path);
	put("config", "empty", "", 0);
	static const char comments[] = "# comment only\n\n   # indented\nname = Org B # not a comment?\n";
	put("config", "comments", comments, sizeof comments - 1);
	static const char ipv6[] = "listen = [::1]:7420\ncheckpoint_interval = 0\nlog_level = error\n";
	put("config", "ipv6", ipv6, sizeof ipv6 - 1);
}

static void gen_invite(void)
{
	struct invite inv;
	char code[INVITE_TEXT_MAX];

	memset(&inv, 0, sizeof inv);
	memcpy(inv.network, network, 32);
	memcpy(inv.inviter, A.id.pk, 32);
	memset(inv.secret, 0x5a, 32);
	inv.expires_ms = T0 + 86400000;
	snprintf(inv.addrs[0], sizeof inv.addrs[0], "127.0.0.1:7420");
	inv.n_addrs = 1;
	check(wire_invite_encode(&inv, code), "invite");
	put("invite", "one_addr", code, strlen(code));
	{
		/* as an e-mail client wraps it: <...>, line breaks, indentation */
		char wrapped[2 * INVITE_TEXT_MAX];
		size_t n = 0;

		wrapped[n++] = '<';
		for (size_t i = 0; code[i] != '\0'; i++) {
			if (i > 0 && i % 60 == 0) {
				memcpy(wrapped + n, "\r\n  ", 4);
				n += 4;
			}
			wrapped[n++] = code[i];
		}
		wrapped[n++] = '>';
		put("invite", "wrapped", wrapped, n);
	}
	snprintf(inv.addrs[1], sizeof inv.addrs[1], "[::1]:7420");
	snprintf(inv.addrs[2], sizeof inv.addrs[2], "node-a.example.org:7420");
	snprintf(inv.addrs[3], sizeof inv.addrs[3], "10.0.0.1:1");
	inv.n_addrs = 4;
	inv.expires_ms = UINT64_MAX;
	check(wire_invite_encode(&inv, code), "invite");
	put("invite", "four_addrs", code, strlen(code));
	memset(inv.addrs[0], 'a', INVITE_ADDR_MAX);
	inv.addrs[0][INVITE_ADDR_MAX] = '\0';
	inv.n_addrs = 1;
	inv.expires_ms = 0;
	check(wire_invite_encode(&inv, code), "invite");
	put("invite", "long_addr", code, strlen(code));
}

static void bundle(enum bundle_kind kind, const uint8_t subject[32], uint64_t from, uint64_t to,
		   const char *name)
{
	struct bundle_builder b;
	struct audit_report r;
	struct mpx_out o;

	bundle_begin(&b, kind, network, subject);
	if (from != 0)
		bundle_feed_range(&b, from, to);
	for (size_t i = 0; i < n_ent; i++)
		check(bundle_add(&b, &ent[i], bundle_wants_body(&b, &ent[i])), "bundle_add");
	mpx_init(&o);
	check(bundle_finish(&b, &o), "bundle_finish");
	bundle_free(&b);
	check(audit_bundle((const uint8_t *)o.sb.data, o.sb.size, &r), r.reason);
	audit_report_free(&r);
	put_out("bundle", name, &o);
	mpx_free(&o);
}

static void gen_bundle(void)
{
	bundle(BUNDLE_COMMITMENT, ent[i_commit].hash, 0, 0, "commitment");
	bundle(BUNDLE_FEED, B.id.pk, 0, 0, "feed");
	bundle(BUNDLE_FEED, A.id.pk, 2, 4, "feed_range");
}

/* fuzz_replica: [flags][held][bodiless mask] then length-prefixed entries;
 * idx lists entries of the initiative (negative: -1-i, sent without body). */
static void replica_seed(const char *name, uint8_t flags, uint8_t held, uint8_t mask,
			 const int *idx, size_t n)
{
	static uint8_t buf[MAXE * (ENTRY_WIRE_MAX + 2) + 3];
	size_t used = 3, len;

	buf[0] = flags;
	buf[1] = held;
	buf[2] = mask;
	for (size_t k = 0; k < n; k++) {
		int i = idx[k] < 0 ? -1 - idx[k] : idx[k];

		check(entry_encode(&ent[i], idx[k] >= 0, buf + used + 2, ENTRY_WIRE_MAX, &len), "encode");
		buf[used] = (uint8_t)(len >> 8);
		buf[used + 1] = (uint8_t)len;
		used += 2 + len;
	}
	put("replica", name, buf, used);
}

static void gen_replica(void)
{
	int all[MAXE], stripped[MAXE];
	size_t n = n_ent < MAXE ? n_ent : MAXE;

	for (size_t i = 0; i < n; i++) {
		all[i] = (int)i;
		stripped[i] = -1 - (int)i;
	}
	/* a fresh node takes the whole initiative (the genesis admits the rest) */
	replica_seed("catch_up", 0x01 | 0x04, 0, 0, all, n);
	/* holds the first half; the rest arrives, some of it twice */
	replica_seed("half", 0x01 | 0x04 | 0x40, (uint8_t)(n / 2), 0, all, n);
	/* every body stripped by a relay: record entries are refused */
	replica_seed("stripped", 0x01 | 0x04, 1, 0, stripped, n);
	/* held without bodies, the full copies arrive: filled in */
	replica_seed("fill", 0x01 | 0x04, (uint8_t)n, 0xff, all, n);
	/* non-members only, past a cutoff, with a pending redaction */
	replica_seed("strangers", 0x01 | 0x08 | 0x10, 1, 0, all, n);
	/* the peer is the first entry's author, a redacted hash held */
	replica_seed("author_peer", 0x01 | 0x02 | 0x04 | 0x20 | 0xc0, 2, 0x02, all, n);
}

int main(int argc, char **argv)
{
	char tmp[] = "/tmp/pakt-gen-corpusXXXXXX";

	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus DIR\n");
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) != 0 && errno != EEXIST)
		die(outdir);
	check(keys_global_init(), "keys_global_init");
	if (mkdtemp(tmp) == NULL)
		die("mkdtemp");
	who_init(&A, 1);
	who_init(&B, 2);
	who_init(&C, 3);
	initiative();
	gen_entry_body();
	gen_wire();
	gen_run_seeds(outdir, ent, n_ent, network);
	gen_handshake();
	gen_ctl();
	gen_keyfile(tmp);
	gen_config(tmp);
	gen_invite();
	gen_bundle();
	gen_replica();
	rmdir(tmp);
	mpx_free(&bo);
	keys_free(&A.id);
	keys_free(&B.id);
	keys_free(&C.id);
	printf("gen_corpus: wrote %zu entries' worth of seeds to %s\n", n_ent, outdir);
	return 0;
}
