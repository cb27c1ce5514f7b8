/* Control ops on the node itself: status, initiative.create, verify (in
 * the thread pool, on its own read-only connection to the store). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "daemon/ctl_priv.h"
#include "daemon/log.h"
#include "daemon/node.h"
#include "daemon/verify.h"
#include "proto/ctlmsg.h"
#include "proto/err.h"

void ctl_node_status(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct node *n = cl->ctl->node;
	uint64_t entries = 0, feeds = 0, nets = 0;
	uint8_t net[32];
	char why[256];
	bool has_net;
	struct mpx_out o;
	msgpack_packer *pk = &o.pk;

	if (store_counts(n->store, &entries, &feeds, &nets) != 0) {
		ctl_send_error(cl, PAKT_EIO, store_errmsg(n->store));
		return;
	}
	has_net = node_pick_network(n, NULL, net, why, sizeof why) == 0;
	mpx_init(&o);
	ctl_begin(&o);
	msgpack_pack_map(pk, 10 + has_net);
	mpx_kv_str(pk, "datadir", n->datadir);
	mpx_kv_u64(pk, "entries", entries);
	mpx_kv_u64(pk, "feeds", feeds);
	mpx_kv_bin(pk, "id", n->id.pk, 32);
	mpx_kv_str(pk, "name", n->cfg.name);
	if (has_net)
		mpx_kv_bin(pk, "network", net, 32);
	mpx_kv_u64(pk, "networks", nets);
	mpx_kv_bool(pk, "ok", true);
	mpx_kv_u64(pk, "pid", (uint64_t)getpid());
	mpx_kv_u64(pk, "uptime_ms", node_now_ms() - n->started_ms);
	mpx_kv_str(pk, "version", CTL_VERSION_STRING);
	ctl_finish(&o);
	ctl_client_send(cl, &o);
	mpx_free(&o);
}

void ctl_node_initiative_create(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct node *n = cl->ctl->node;
	char why[512] = "";
	uint8_t net[32];
	struct mpx_out o;
	int rc;

	rc = node_create_initiative(n, r->u.create.name, r->u.create.goal, net, why, sizeof why);
	if (rc != 0) {
		ctl_send_error(cl, rc, why);
		return;
	}
	mpx_init(&o);
	ctl_begin(&o);
	msgpack_pack_map(&o.pk, 2);
	mpx_kv_bin(&o.pk, "network", net, 32);
	mpx_kv_bool(&o.pk, "ok", true);
	ctl_finish(&o);
	ctl_client_send(cl, &o);
	mpx_free(&o);
}

/* verify: runs in the thread pool on its own read-only connection. */
struct verify_job {
	uv_work_t req;
	struct ctl_client *cl;
	char db_path[DATADIR_PATH_MAX];
	struct verify_result res;
	int rc;
	char why[256];
};

static void verify_work(uv_work_t *req)
{
	struct verify_job *j = req->data;
	struct store *s;

	j->rc = store_open(&s, j->db_path, true, j->why, sizeof j->why);
	if (j->rc != 0)
		return;
	j->rc = verify_store(s, &j->res);
	if (j->rc != 0)
		snprintf(j->why, sizeof j->why, "%s", store_errmsg(s));
	store_close(s);
}

static void verify_done(uv_work_t *req, int status)
{
	struct verify_job *j = req->data;
	struct ctl_client *cl = j->cl;
	struct mpx_out o;
	msgpack_packer *pk = &o.pk;

	cl->busy = false;
	if (cl->closed) {
		ctl_client_free(cl);
		goto free_job;
	}
	if (status != 0 || j->rc != 0) {
		ctl_send_error(cl, j->rc ? j->rc : PAKT_EIO, j->why[0] ? j->why : "verify could not run");
		goto free_job;
	}
	log_info("verify: %llu entries in %llu feeds, %llu bad",
		 (unsigned long long)j->res.checked, (unsigned long long)j->res.feeds,
		 (unsigned long long)j->res.n_bad);
	mpx_init(&o);
	ctl_begin(&o);
	msgpack_pack_map(pk, 6);
	mpx_str(pk, "bad");
	msgpack_pack_array(pk, (uint32_t)j->res.bad_len);
	for (size_t i = 0; i < j->res.bad_len; i++) {
		const struct verify_bad *b = &j->res.bad[i];

		msgpack_pack_map(pk, 5);
		mpx_kv_bin(pk, "author", b->author, 32);
		mpx_kv_u64(pk, "code", (uint64_t)b->code);
		mpx_kv_bin(pk, "network", b->network, 32);
		mpx_kv_str(pk, "reason", b->reason);
		mpx_kv_u64(pk, "seq", b->seq);
	}
	mpx_kv_u64(pk, "bodies", j->res.bodies);
	mpx_kv_u64(pk, "checked", j->res.checked);
	mpx_kv_u64(pk, "feeds", j->res.feeds);
	mpx_kv_u64(pk, "n_bad", j->res.n_bad);
	mpx_kv_bool(pk, "ok", true);
	ctl_finish(&o);
	ctl_client_send(cl, &o);
	mpx_free(&o);
free_job:
	verify_result_free(&j->res);
	free(j);
}

void ctl_node_verify(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct verify_job *j = calloc(1, sizeof *j);

	if (j == NULL) {
		ctl_send_error(cl, PAKT_ENOMEM, "out of memory");
		return;
	}
	j->req.data = j;
	j->cl = cl;
	snprintf(j->db_path, sizeof j->db_path, "%s", cl->ctl->node->db_path);
	if (uv_queue_work(cl->ctl->node->loop, &j->req, verify_work, verify_done) != 0) {
		free(j);
		ctl_send_error(cl, PAKT_EIO, "could not start verification");
		return;
	}
	cl->busy = true;
}
