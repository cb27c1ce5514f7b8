/* The audit: every chain and signature checked, forks (stored and seen in
 * partners' checkpoints), every commitment with its answers and outcome,
 * and a record per organisation. It runs in the thread pool on its own
 * read-only connection to the store; the client may close meanwhile
 * (busy/closed, see ctl_priv.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/ctl_priv.h"
#include "daemon/ledger.h"
#include "daemon/members.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/verify.h"
#include "proto/ctlmsg.h"
#include "proto/err.h"

struct audit_job {
	uv_work_t req;
	struct ctl_client *cl;
	char db_path[DATADIR_PATH_MAX];
	uint8_t network[32];
	bool has_author;
	uint8_t author[32];
	int64_t today;                  /* days since 1970, when asked */
	struct mpx_out out;
	int rc;
	char why[256];
};

struct fork_ctx {
	struct store *s;
	msgpack_packer *pk;
	bool count_only;
	uint32_t n;
	const uint8_t *author;
};

static int on_fork_row(void *arg, const struct store_row *row)
{
	struct fork_ctx *f = arg;
	uint8_t a[32];

	if (f->author && memcmp(row->author, f->author, 32) != 0)
		return 0;
	f->n++;
	if (f->count_only)
		return 0;
	if (store_hash_at(f->s, row->network, row->author, row->seq, a) != 0)
		memset(a, 0, 32);
	msgpack_pack_map(f->pk, 4);
	mpx_kv_bin(f->pk, "a", a, 32);
	mpx_kv_bin(f->pk, "author", row->author, 32);
	mpx_kv_bin(f->pk, "b", row->hash, 32);
	mpx_kv_u64(f->pk, "seq", row->seq);
	return 0;
}

/* Order checkpoint heads by (author, seq, hash). */
static int head_cmp(const void *pa, const void *pb)
{
	const struct body_head *a = *(const struct body_head *const *)pa;
	const struct body_head *b = *(const struct body_head *const *)pb;
	int c = memcmp(a->author, b->author, 32);

	if (c != 0)
		return c;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return memcmp(a->hash, b->hash, 32);
}

/* key (or another key of the same member) made c or accepted it. */
static bool involved(const struct roster *m, const struct ledger_commit *c, const uint8_t key[32])
{
	if (roster_same(m, c->author, key))
		return true;
	for (size_t i = 0; i < c->n_resp; i++)
		if (roster_same(m, c->resp[i].who, key) && c->resp[i].accepted)
			return true;
	return false;
}

/* The audit has one row per member, under its current key: the key of
 * record k if k is a member's first key (following its successions),
 * NULL for a successor (counted in its first key's row). */
static const uint8_t *org_key(const struct roster *m, size_t k)
{
	const struct roster_member *cur = &m->v[k], *next;

	if (memcmp(cur->root, cur->key, 32) != 0)
		return NULL;
	while (cur->has_successor && (next = roster_lookup(m, cur->successor)) != NULL)
		cur = next;
	return cur->key;
}

static void audit_build(struct audit_job *j, struct store *s)
{
	struct verify_result vr;
	struct roster m = {0};
	struct ledger l;
	struct fork_ctx fc = {.s = s, .count_only = true, .author = j->has_author ? j->author : NULL};
	msgpack_packer *pk = &j->out.pk;
	const uint8_t *who = j->has_author ? j->author : NULL;
	uint32_t n_bad = 0, n_com = 0, n_an = 0, n_red = 0;

	if ((j->rc = verify_store(s, &vr)) != 0)
		return;
	if ((j->rc = members_load(&m, s, j->network)) != 0 ||
	    (j->rc = ledger_load(&l, s, j->network, &m)) != 0) {
		verify_result_free(&vr);
		roster_free(&m);
		return;
	}
	for (size_t i = 0; i < vr.bad_len; i++)
		n_bad += memcmp(vr.bad[i].network, j->network, 32) == 0 &&
			 (!who || memcmp(vr.bad[i].author, who, 32) == 0);
	store_forks(s, j->network, on_fork_row, &fc);
	for (size_t i = 0; i < l.n_com; i++)
		n_com += !who || involved(&m, &l.com[i], who) || ledger_is_party(&m, &l.com[i], who);
	for (size_t i = 0; i < l.n_an; i++)
		n_an += !who || memcmp(l.an[i].author, who, 32) == 0;
	for (size_t i = 0; i < l.n_red; i++)
		n_red += !who || memcmp(l.red[i].author, who, 32) == 0;

	ctl_begin(&j->out);
	msgpack_pack_map(pk, 8);
	mpx_str(pk, "anomalies");
	msgpack_pack_array(pk, n_an);
	for (size_t i = 0; i < l.n_an; i++) {
		const struct ledger_anomaly *a = &l.an[i];

		if (who && memcmp(a->author, who, 32) != 0)
			continue;
		msgpack_pack_map(pk, 5);
		mpx_kv_bin(pk, "author", a->author, 32);
		mpx_kv_bin(pk, "hash", a->hash, 32);
		mpx_kv_str(pk, "name", ledger_name(&l, &m, a->author));
		mpx_kv_u64(pk, "seq", a->seq);
		mpx_kv_str(pk, "what", a->what);
	}
	mpx_str(pk, "bad");
	msgpack_pack_array(pk, n_bad);
	for (size_t i = 0; i < vr.bad_len; i++) {
		const struct verify_bad *b = &vr.bad[i];

		if (memcmp(b->network, j->network, 32) != 0 || (who && memcmp(b->author, who, 32) != 0))
			continue;
		msgpack_pack_map(pk, 3);
		mpx_kv_bin(pk, "author", b->author, 32);
		mpx_kv_str(pk, "reason", b->reason);
		mpx_kv_u64(pk, "seq", b->seq);
	}
	mpx_kv_u64(pk, "checked", vr.checked);
	mpx_str(pk, "commitments");
	msgpack_pack_array(pk, n_com);
	for (size_t i = 0; i < l.n_com; i++)
		if (!who || involved(&m, &l.com[i], who) || ledger_is_party(&m, &l.com[i], who))
			ctl_work_pack_commit(pk, &l, &m, &l.com[i], true, j->today);
	/* partners as witnesses: two checkpoints naming different hashes at
	 * one (author, seq) prove a fork even if no node holds both entries.
	 * Sorting all heads puts such pairs next to each other. */
	struct witnessed { const struct body_head *a, *b; } *wf = NULL;
	size_t n_wf = 0, n_heads = 0;
	const struct body_head **all;
	for (size_t i = 0; i < l.n_cp; i++)
		n_heads += l.cp[i].n;
	all = calloc(n_heads + 1, sizeof *all);
	if (all != NULL) {
		size_t k = 0;

		for (size_t i = 0; i < l.n_cp; i++)
			for (size_t x = 0; x < l.cp[i].n; x++)
				if (!who || memcmp(l.cp[i].heads[x].author, who, 32) == 0)
					all[k++] = &l.cp[i].heads[x];
		qsort(all, k, sizeof *all, head_cmp);
		for (size_t i = 1; i < k; i++) {
			const struct body_head *ha = all[i - 1], *hb = all[i];
			struct witnessed *v;

			if (ha->seq != hb->seq || memcmp(ha->author, hb->author, 32) != 0 ||
			    memcmp(ha->hash, hb->hash, 32) == 0)
				continue;
			if ((v = realloc(wf, (n_wf + 1) * sizeof *v)) == NULL)
				break;
			wf = v;
			wf[n_wf++] = (struct witnessed){ha, hb};
		}
		free(all);
	}
	mpx_str(pk, "forks");
	msgpack_pack_array(pk, fc.n + (uint32_t)n_wf);
	fc.count_only = false;
	fc.pk = pk;
	fc.n = 0;
	store_forks(s, j->network, on_fork_row, &fc);
	for (size_t i = 0; i < n_wf; i++) {
		msgpack_pack_map(pk, 5);
		mpx_kv_bin(pk, "a", wf[i].a->hash, 32);
		mpx_kv_bin(pk, "author", wf[i].a->author, 32);
		mpx_kv_bin(pk, "b", wf[i].b->hash, 32);
		mpx_kv_u64(pk, "seq", wf[i].a->seq);
		mpx_kv_str(pk, "seen_in", "partners' checkpoints");
	}
	free(wf);
	mpx_kv_bool(pk, "ok", n_bad == 0 && fc.n == 0 && n_wf == 0);
	/* per organisation: every member, with what it promised and kept */
	uint32_t n_orgs = 0;
	for (size_t k = 0; k < m.n; k++)
		n_orgs += org_key(&m, k) && (!who || roster_same(&m, org_key(&m, k), who));
	mpx_str(pk, "orgs");
	msgpack_pack_array(pk, n_orgs);
	for (size_t k = 0; k < m.n; k++) {
		const uint8_t *key = org_key(&m, k);
		uint64_t made = 0, accepted = 0, kept = 0, late = 0, missed = 0, open = 0;

		if (key == NULL || (who && !roster_same(&m, key, who)))
			continue;
		for (size_t i = 0; i < l.n_com; i++) {
			const struct ledger_commit *c = &l.com[i];
			const char *state, *out = ledger_outcome(c, j->today, &state);
			bool mine = roster_same(&m, c->author, key);

			made += mine;
			if (!mine && involved(&m, c, key))
				accepted++;
			if (!involved(&m, c, key))
				continue;
			kept += strcmp(out, "kept") == 0;
			late += strcmp(out, "late") == 0;
			missed += strcmp(out, "missed") == 0 || strcmp(out, "overdue") == 0;
			open += strcmp(out, "open") == 0;
		}
		msgpack_pack_map(pk, 8);
		mpx_kv_u64(pk, "accepted", accepted);
		mpx_kv_bin(pk, "key", key, 32);
		mpx_kv_u64(pk, "kept", kept);
		mpx_kv_u64(pk, "late", late);
		mpx_kv_u64(pk, "made", made);
		mpx_kv_u64(pk, "missed", missed);
		mpx_kv_str(pk, "name", ledger_name(&l, &m, key));
		mpx_kv_u64(pk, "open", open);
	}
	mpx_str(pk, "redactions");
	msgpack_pack_array(pk, n_red);
	for (size_t i = 0; i < l.n_red; i++) {
		const struct ledger_redaction *r = &l.red[i];

		if (who && memcmp(r->author, who, 32) != 0)
			continue;
		msgpack_pack_map(pk, 5);
		mpx_kv_u64(pk, "at", r->at);
		mpx_kv_bin(pk, "author", r->author, 32);
		mpx_kv_str(pk, "reason", r->reason);
		mpx_kv_bin(pk, "ref", r->ref, 32);
		mpx_kv_u64(pk, "seq", r->seq);
	}
	if (ctl_finish(&j->out) != 0)
		j->rc = PAKT_ETOOBIG;
	ledger_free(&l);
	roster_free(&m);
	verify_result_free(&vr);
}

static void audit_work(uv_work_t *req)
{
	struct audit_job *j = req->data;
	struct store *s;

	j->rc = store_open(&s, j->db_path, true, j->why, sizeof j->why);
	if (j->rc != 0)
		return;
	audit_build(j, s);
	if (j->rc != 0 && j->why[0] == '\0')
		snprintf(j->why, sizeof j->why, "%s", pakt_strerror(j->rc));
	store_close(s);
}

static void audit_done(uv_work_t *req, int status)
{
	struct audit_job *j = req->data;
	struct ctl_client *cl = j->cl;

	cl->busy = false;
	if (cl->closed)
		ctl_client_free(cl);
	else if (status != 0 || j->rc != 0)
		ctl_send_error(cl, j->rc ? j->rc : PAKT_EIO, j->why[0] ? j->why : "the audit could not run");
	else
		ctl_client_send(cl, &j->out);
	mpx_free(&j->out);
	free(j);
}

void ctl_audit_run(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct repl_net *rn = ctl_network(cl, r);
	struct audit_job *j;

	if (rn == NULL)
		return;
	j = calloc(1, sizeof *j);
	if (j == NULL) {
		ctl_send_error(cl, PAKT_ENOMEM, "out of memory");
		return;
	}
	j->has_author = r->u.audit.has_author;
	memcpy(j->author, r->u.audit.author, 32);
	j->today = ctl_work_today();
	j->req.data = j;
	j->cl = cl;
	memcpy(j->network, rn->id, 32);
	snprintf(j->db_path, sizeof j->db_path, "%s", cl->ctl->node->db_path);
	mpx_init(&j->out);
	if (uv_queue_work(cl->ctl->node->loop, &j->req, audit_work, audit_done) != 0) {
		mpx_free(&j->out);
		free(j);
		ctl_send_error(cl, PAKT_EIO, "could not start the audit");
		return;
	}
	cl->busy = true;
}
