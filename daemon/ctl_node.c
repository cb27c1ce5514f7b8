/* Control ops on the node itself: status, initiative.create, verify and
 * backup (in the thread pool, on their own read-only connection to the
 * store). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "daemon/ctl_priv.h"
#include "daemon/tr.h"
#include "daemon/log.h"
#include "daemon/node.h"
#include "daemon/repl.h"
#include "daemon/verify.h"
#include "proto/ctlmsg.h"
#include "proto/err.h"

/* A fork of our own feed: two copies of this node signed. */
static int own_fork_row(void *arg, const struct store_row *row)
{
	struct ctlop_r_status *st = arg;

	if (memcmp(row->author, st->id, 32) == 0 && (!st->has_own_fork || row->seq < st->own_fork)) {
		st->has_own_fork = true;
		st->own_fork = row->seq;
	}
	return 0;
}

void ctl_node_status(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct node *n = cl->ctl->node;
	static struct ctlop_r_status st;
	char why[256];

	memset(&st, 0, sizeof st);
	if (store_counts(n->store, &st.entries, &st.feeds, &st.networks) != 0) {
		ctl_send_error(cl, PAKT_EIO, store_errmsg(n->store));
		return;
	}
	st.has_network = node_pick_network(n, NULL, st.network, why, sizeof why) == 0;
	snprintf(st.datadir, sizeof st.datadir, "%s", n->datadir);
	memcpy(st.id, n->id.pk, 32);
	snprintf(st.name, sizeof st.name, "%s", n->cfg.name);
	st.ok = true;
	st.pid = (uint64_t)getpid();
	st.uptime_ms = node_now_ms() - n->started_ms;
	snprintf(st.version, sizeof st.version, "%s", CTL_VERSION_STRING);
	store_forks(n->store, NULL, own_fork_row, &st);
	if ((st.has_unsynced = unsynced_reason(&n->unsynced) != NULL))
		snprintf(st.unsynced, sizeof st.unsynced, "%s", unsynced_reason(&n->unsynced));
	for (struct repl_net *rn = n->nets; rn != NULL; rn = rn->next) {
		char one[512];
		size_t used = strlen(st.removal);

		if (!ctl_removal(n, rn, one, sizeof one))
			continue;
		snprintf(st.removal + used, sizeof st.removal - used, "%s%s", used ? "; " : "", one);
		st.has_removal = true;
	}
	ctl_reply(cl, CTLOP_R_STATUS, &st);
}

void ctl_node_initiative_create(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct node *n = cl->ctl->node;
	struct ctlop_r_created cr = {.ok = true};
	char why[512] = "";
	int rc;

	rc = node_create_initiative(n, r->u.create.name, r->u.create.goal, cr.network, why, sizeof why);
	if (rc != 0)
		ctl_send_error(cl, rc, why);
	else
		ctl_reply(cl, CTLOP_R_CREATED, &cr);
}

/* verify: runs in the thread pool on its own read-only connection. */
struct verify_job {
	uv_work_t req;
	struct ctl_client *cl;
	char db_path[DATADIR_PATH_MAX];
	int64_t horizon;          /* rows whose signatures wait are not verified yet */
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
	store_sig_horizon(s, j->horizon);
	j->rc = verify_store(s, &j->res);
	if (j->rc != 0)
		snprintf(j->why, sizeof j->why, "%s", store_errmsg(s));
	store_close(s);
}

static void verify_done(uv_work_t *req, int status)
{
	struct verify_job *j = req->data;
	struct ctl_client *cl = j->cl;
	struct ctlop_r_verify vr = {0};

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
	vr.bad = calloc(j->res.bad_len + 1, sizeof *vr.bad);
	if (vr.bad == NULL) {
		ctl_send_error(cl, PAKT_ENOMEM, N_("out of memory"));
		goto free_job;
	}
	for (size_t i = 0; i < j->res.bad_len; i++) {
		const struct verify_bad *b = &j->res.bad[i];

		memcpy(vr.bad[i].author, b->author, 32);
		vr.bad[i].code = (uint64_t)b->code;
		memcpy(vr.bad[i].network, b->network, 32);
		snprintf(vr.bad[i].reason, sizeof vr.bad[i].reason, "%s", b->reason);
		vr.bad[i].seq = b->seq;
	}
	vr.n_listed = j->res.bad_len;
	vr.bodies = j->res.bodies;
	vr.checked = j->res.checked;
	vr.feeds = j->res.feeds;
	vr.n_bad = j->res.n_bad;
	vr.ok = true;
	ctl_reply(cl, CTLOP_R_VERIFY, &vr);
	ctlop_reply_free(CTLOP_R_VERIFY, &vr);
free_job:
	verify_result_free(&j->res);
	free(j);
}

void ctl_node_verify(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct verify_job *j = calloc(1, sizeof *j);

	if (j == NULL) {
		ctl_send_error(cl, PAKT_ENOMEM, N_("out of memory"));
		return;
	}
	j->req.data = j;
	j->cl = cl;
	snprintf(j->db_path, sizeof j->db_path, "%s", cl->ctl->node->db_path);
	j->horizon = store_sig_horizon_get(cl->ctl->node->store);
	if (uv_queue_work(cl->ctl->node->loop, &j->req, verify_work, verify_done) != 0) {
		free(j);
		ctl_send_error(cl, PAKT_EIO, N_("could not start verification"));
		return;
	}
	cl->busy = true;
}

/* backup: a consistent copy of the store next to it, made in the thread
 * pool on a read-only connection (SQLite's online backup: paktd keeps
 * writing). Only paktd's own user and root may ask: pakt backup then
 * reads the identity key too, which the control group must not get. */
struct backup_job {
	uv_work_t req;
	struct ctl_client *cl;
	char db_path[DATADIR_PATH_MAX];
	char dest[DATADIR_PATH_MAX + 64];
	int rc;
	char why[512];
};

static void backup_work(uv_work_t *req)
{
	struct backup_job *j = req->data;
	struct store *s;

	j->rc = store_open(&s, j->db_path, true, j->why, sizeof j->why);
	if (j->rc != 0)
		return;
	j->rc = store_copy(s, j->dest, j->why, sizeof j->why);
	store_close(s);
}

static void backup_done(uv_work_t *req, int status)
{
	struct backup_job *j = req->data;
	struct ctl_client *cl = j->cl;
	struct ctlop_r_backup br = {.ok = true};

	cl->busy = false;
	if (cl->closed) {
		unlink(j->dest);     /* nobody will fetch it */
		ctl_client_free(cl);
	} else if (status != 0 || j->rc != 0) {
		ctl_send_error(cl, j->rc ? j->rc : PAKT_EIO, j->why[0] ? j->why : "backup could not run");
	} else {
		log_info("backup: store copied to %s", j->dest);
		snprintf(br.path, sizeof br.path, "%.4000s", j->dest);
		ctl_reply(cl, CTLOP_R_BACKUP, &br);
	}
	free(j);
}

void ctl_node_backup(struct ctl_client *cl, const struct ctlop_req *r)
{
	struct node *n = cl->ctl->node;
	struct backup_job *j;

	(void)r;
	if (!cl->owner) {
		ctl_send_error(cl, PAKT_EPERM, N_("permission denied: a backup holds the identity key; run it as "
			       "paktd's user or root (sudo -u pakt pakt backup FILE)"));
		return;
	}
	if ((j = calloc(1, sizeof *j)) == NULL) {
		ctl_send_error(cl, PAKT_ENOMEM, N_("out of memory"));
		return;
	}
	j->req.data = j;
	j->cl = cl;
	snprintf(j->db_path, sizeof j->db_path, "%s", n->db_path);
	snprintf(j->dest, sizeof j->dest, "%s/backup-%llu-%d.db", n->datadir,
		 (unsigned long long)node_now_ms(), (int)getpid());
	if (uv_queue_work(n->loop, &j->req, backup_work, backup_done) != 0) {
		free(j);
		ctl_send_error(cl, PAKT_EIO, N_("could not start the backup"));
		return;
	}
	cl->busy = true;
}
