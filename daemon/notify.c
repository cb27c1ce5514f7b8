/* notify_command: events to a program of the office's choosing (notify.h).
 *
 * A job is one JSON text. Jobs wait in a FIFO; a run is one child with
 * the job on a stdin pipe and a kill timer. A run is freed when its three
 * handles (process, pipe, timer) are closed. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <msgpack.h>
#include <sodium.h>
#include "core/ledger.h"
#include "daemon/ctl.h"
#include "daemon/events.h"
#include "daemon/ledger_keep.h"
#include "daemon/ledger_load.h"
#include "daemon/log.h"
#include "daemon/node.h"
#include "daemon/notify.h"
#include "daemon/repl.h"
#include "daemon/store.h"
#include "keys/datadir.h"
#include "proto/body.h"
#include "proto/ctlop_reply.h"
#include "proto/entry.h"
#include "proto/err.h"
#include "proto/mpx.h"

#define NOTIFY_ARGS_MAX 32

struct notify_job {
	struct notify_job *next;
	size_t len;
	char json[];
};

struct notify_run {
	struct notify *nt;
	uv_process_t proc;
	uv_pipe_t in;
	uv_timer_t timer;
	uv_write_t w;
	unsigned open;                  /* handles still to close */
	struct notify_job *job;
	char cmd[64];                   /* for log lines */
};

static void run_next(struct notify *nt);

static void run_handle_closed(uv_handle_t *h)
{
	struct notify_run *r = h->data;

	if (--r->open > 0)
		return;
	r->nt->running--;
	free(r->job);
	free(r);
}

static void run_close(struct notify_run *r)
{
	uv_handle_t *hs[] = {(uv_handle_t *)&r->proc, (uv_handle_t *)&r->in, (uv_handle_t *)&r->timer};

	for (size_t i = 0; i < 3; i++)
		if (!uv_is_closing(hs[i]))
			uv_close(hs[i], run_handle_closed);
}

static void on_exit_cb(uv_process_t *p, int64_t status, int term_signal)
{
	struct notify_run *r = p->data;

	if (term_signal != 0)
		log_warn("notify_command %s ended by signal %d", r->cmd, term_signal);
	else if (status != 0)
		log_warn("notify_command %s exited with %lld", r->cmd, (long long)status);
	uv_timer_stop(&r->timer);
	run_close(r);
	run_next(r->nt);
}

static void on_timeout(uv_timer_t *t)
{
	struct notify_run *r = t->data;

	log_warn("notify_command %s took longer than %d s: killed", r->cmd, NOTIFY_TIMEOUT_MS / 1000);
	uv_process_kill(&r->proc, SIGKILL);
}

static void on_written(uv_write_t *w, int status)
{
	struct notify_run *r = w->data;

	/* a program that does not read its input is its own business */
	(void)status;
	if (!uv_is_closing((uv_handle_t *)&r->in))
		uv_close((uv_handle_t *)&r->in, run_handle_closed);
}

/* Split the command at spaces into argv (no quoting: no shell). */
static size_t split_args(char *cmd, char *argv[NOTIFY_ARGS_MAX + 1])
{
	size_t n = 0;

	for (char *tok = strtok(cmd, " \t"); tok != NULL && n < NOTIFY_ARGS_MAX; tok = strtok(NULL, " \t"))
		argv[n++] = tok;
	argv[n] = NULL;
	return n;
}

static void run_next(struct notify *nt)
{
	char cmd[sizeof nt->n->cfg.notify_command], *argv[NOTIFY_ARGS_MAX + 1];
	uv_stdio_container_t stdio[3];
	uv_process_options_t opt = {0};
	struct notify_run *r;
	struct notify_job *job;
	uv_buf_t buf;
	int rc;

	while (nt->head != NULL && nt->running < NOTIFY_RUNNING_MAX && !nt->stopping) {
		job = nt->head;
		nt->head = job->next;
		if (nt->head == NULL)
			nt->tail = NULL;
		nt->queued--;
		snprintf(cmd, sizeof cmd, "%s", nt->n->cfg.notify_command);
		if (split_args(cmd, argv) == 0 || (r = calloc(1, sizeof *r)) == NULL) {
			free(job);
			continue;
		}
		r->nt = nt;
		r->job = job;
		snprintf(r->cmd, sizeof r->cmd, "%s", argv[0]);
		uv_pipe_init(nt->n->loop, &r->in, 0);
		uv_timer_init(nt->n->loop, &r->timer);
		r->in.data = r->timer.data = r->proc.data = r->w.data = r;
		r->open = 2;
		stdio[0] = (uv_stdio_container_t){.flags = UV_CREATE_PIPE | UV_READABLE_PIPE,
						  .data.stream = (uv_stream_t *)&r->in};
		stdio[1] = (uv_stdio_container_t){.flags = UV_IGNORE};
		stdio[2] = (uv_stdio_container_t){.flags = UV_INHERIT_FD, .data.fd = 2};
		opt.file = argv[0];
		opt.args = argv;
		opt.exit_cb = on_exit_cb;
		opt.stdio = stdio;
		opt.stdio_count = 3;
		rc = uv_spawn(nt->n->loop, &r->proc, &opt);
		nt->running++;
		if (rc != 0) {
			log_warn("notify_command %s cannot run: %s", r->cmd, uv_strerror(rc));
			uv_close((uv_handle_t *)&r->in, run_handle_closed);
			uv_close((uv_handle_t *)&r->timer, run_handle_closed);
			continue;
		}
		r->open = 3;
		uv_timer_start(&r->timer, on_timeout, NOTIFY_TIMEOUT_MS, 0);
		buf = uv_buf_init(job->json, (unsigned)job->len);
		if (uv_write(&r->w, (uv_stream_t *)&r->in, &buf, 1, on_written) != 0)
			uv_close((uv_handle_t *)&r->in, run_handle_closed);
	}
}

/* Queue the JSON form of the msgpack map in o (ids as pk_/en_/nw_). */
static void enqueue(struct notify *nt, struct mpx_out *o)
{
	msgpack_sbuffer js;
	struct notify_job *job;

	if (nt->queued >= NOTIFY_QUEUE_MAX) {
		nt->dropped++;
		return;
	}
	msgpack_sbuffer_init(&js);
	if (ctlop_reply_json(&js, (const uint8_t *)o->sb.data, o->sb.size, true, true, NULL) == 0 &&
	    (job = malloc(sizeof *job + js.size + 1)) != NULL) {
		memcpy(job->json, js.data, js.size);
		job->json[js.size] = '\n';
		job->len = js.size + 1;
		job->next = NULL;
		if (nt->tail)
			nt->tail->next = job;
		else
			nt->head = job;
		nt->tail = job;
		nt->queued++;
	}
	msgpack_sbuffer_destroy(&js);
}

static void flush_dropped(struct notify *nt)
{
	struct mpx_out o;

	if (nt->dropped == 0 || nt->queued >= NOTIFY_QUEUE_MAX)
		return;
	log_warn("notify_command: %llu events dropped (more than %d waiting)",
		 (unsigned long long)nt->dropped, NOTIFY_QUEUE_MAX);
	mpx_init(&o);
	msgpack_pack_map(&o.pk, 2);
	mpx_kv_str(&o.pk, "event", "dropped");
	mpx_kv_u64(&o.pk, "count", nt->dropped);
	nt->dropped = 0;
	enqueue(nt, &o);
	mpx_free(&o);
}

static bool type_wanted(const char *list, const char *type)
{
	size_t n = strlen(type);

	for (const char *p = list; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		if (strcspn(p, ",") == n && strncmp(p, type, n) == 0)
			return true;
	}
	return false;
}

/* The head of an event about one entry of row's feed. */
static void pack_entry_head(msgpack_packer *pk, const char *event, struct repl_net *rn,
			    const struct store_row *row, size_t extra)
{
	const char *name = rn ? repl_name(rn, row->author) : "";

	msgpack_pack_map(pk, 7 + extra);
	mpx_kv_str(pk, "event", event);
	mpx_kv_bin(pk, "network", row->network, 32);
	mpx_kv_bin(pk, "author", row->author, 32);
	mpx_kv_str(pk, "name", name ? name : "");
	mpx_kv_u64(pk, "seq", row->seq);
	mpx_kv_str(pk, "type", row->type);
	mpx_kv_bin(pk, "hash", row->hash, 32);
}

static int on_row(void *arg, const struct store_row *row)
{
	struct notify *nt = arg;
	struct node *n = nt->n;
	struct repl_net *rn = repl_net_find(n, row->network);
	struct mpx_out o;
	const char *text;
	size_t text_len;

	nt->last_rowid = row->rowid;
	if (memcmp(row->author, n->id.pk, 32) == 0)
		return 0;
	mpx_init(&o);
	if (row->body && strcmp(row->type, "commitment") == 0) {
		static struct body_commitment c;

		if (body_commitment_parse(row->body, row->body_len, &c) == 0) {
			for (size_t i = 0; i < c.n_parties; i++) {
				if (memcmp(c.parties[i], n->id.pk, 32) != 0)
					continue;
				pack_entry_head(&o.pk, "commitment", rn, row, 2);
				mpx_kv_str(&o.pk, "title", c.title);
				mpx_kv_str(&o.pk, "due", c.due);
				enqueue(nt, &o);
				mpx_reset(&o);
				break;
			}
		}
	}
	if (row->body && strcmp(row->type, "member") == 0) {
		struct body_member m;

		if (body_member_parse(row->body, row->body_len, &m) == 0 && !m.add &&
		    memcmp(m.key, n->id.pk, 32) == 0) {
			pack_entry_head(&o.pk, "removed", rn, row, 0);
			enqueue(nt, &o);
			mpx_reset(&o);
			log_warn("this organisation was removed from an initiative (entry seq %llu of its admin)",
				 (unsigned long long)row->seq);
		}
	}
	if (type_wanted(n->cfg.notify_types, row->type)) {
		bool has_text = row->body && ctlop_map_str(row->body, row->body_len, "text", &text, &text_len) == 0;

		pack_entry_head(&o.pk, "entry", rn, row, has_text);
		if (has_text) {
			mpx_str(&o.pk, "text");
			mpx_strn(&o.pk, text, text_len);
		}
		enqueue(nt, &o);
	}
	mpx_free(&o);
	return 0;
}

static void on_fork(struct notify *nt, const struct node_event *ev)
{
	struct entry a;
	struct mpx_out o;

	if (entry_decode(&a, ev->wire_a, ev->len_a) != 0)
		return;
	mpx_init(&o);
	msgpack_pack_map(&o.pk, 4);
	mpx_kv_str(&o.pk, "event", "fork");
	mpx_kv_bin(&o.pk, "network", a.h.network, 32);
	mpx_kv_bin(&o.pk, "author", a.h.author, 32);
	mpx_kv_u64(&o.pk, "seq", a.h.seq);
	enqueue(nt, &o);
	mpx_free(&o);
}

static void on_event(void *arg, const struct node_event *ev)
{
	struct notify *nt = arg;
	struct store_query q = {0};

	/* off costs nothing; switched on by a reload, news start from then */
	if (nt->n->cfg.notify_command[0] == '\0') {
		nt->stale = true;
		return;
	}
	if (nt->stale) {
		nt->last_rowid = store_last_rowid(nt->n->store);
		nt->stale = false;
	}
	if (ev->kind == NODE_EV_CHECKED) {
		q.after_rowid = nt->last_rowid;
		if (store_scan(nt->n->store, &q, on_row, nt) < 0)
			log_warn("notify_command: cannot read new entries: %s", store_errmsg(nt->n->store));
	} else if (ev->kind == NODE_EV_FORK && ev->wire_a != NULL) {
		on_fork(nt, ev);
	}
	flush_dropped(nt);
	run_next(nt);
}

/* Reminders sent survive a restart: DATADIR/notify-due, lines "HEX DAY". */
static void due_path(const struct notify *nt, char out[DATADIR_PATH_MAX])
{
	datadir_file(nt->n->datadir, "notify-due", out);
}

static void due_load(struct notify *nt)
{
	char path[DATADIR_PATH_MAX], hex[65];
	long long day;
	FILE *f;

	due_path(nt, path);
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fscanf(f, "%64s %lld", hex, &day) == 2) {
		struct notify_due *p = nt->sent;
		uint8_t hash[32];

		if (sodium_hex2bin(hash, 32, hex, 64, NULL, NULL, NULL) != 0)
			continue;
		if (nt->n_sent == nt->cap_sent) {
			size_t cap = nt->cap_sent ? nt->cap_sent * 2 : 16;

			if ((p = realloc(nt->sent, cap * sizeof *p)) == NULL)
				break;
			nt->sent = p;
			nt->cap_sent = cap;
		}
		memcpy(nt->sent[nt->n_sent].hash, hash, 32);
		nt->sent[nt->n_sent++].day = day;
	}
	fclose(f);
}

/* Keep what was sent since yesterday; a lost write repeats a reminder. */
static void due_save(struct notify *nt, int64_t today)
{
	char path[DATADIR_PATH_MAX], tmp[DATADIR_PATH_MAX + 4], hex[65];
	FILE *f;

	due_path(nt, path);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return;
	for (size_t i = 0; i < nt->n_sent; i++) {
		if (nt->sent[i].day < today - 1)
			continue;
		sodium_bin2hex(hex, sizeof hex, nt->sent[i].hash, 32);
		fprintf(f, "%s %lld\n", hex, (long long)nt->sent[i].day);
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		log_warn("notify_command: cannot save %s: reminders may repeat after a restart", path);
}

/* Once per commitment a day: remind of what we promised soon. */
static bool due_sent(struct notify *nt, const uint8_t hash[32], int64_t day)
{
	struct notify_due *p;

	for (size_t i = 0; i < nt->n_sent; i++) {
		if (memcmp(nt->sent[i].hash, hash, 32) == 0) {
			if (nt->sent[i].day == day)
				return true;
			nt->sent[i].day = day;
			return false;
		}
	}
	if (nt->n_sent == nt->cap_sent) {
		size_t cap = nt->cap_sent ? nt->cap_sent * 2 : 16;

		if ((p = realloc(nt->sent, cap * sizeof *p)) == NULL)
			return true;
		nt->sent = p;
		nt->cap_sent = cap;
	}
	memcpy(nt->sent[nt->n_sent].hash, hash, 32);
	nt->sent[nt->n_sent++].day = day;
	return false;
}

static void due_net(struct notify *nt, struct repl_net *rn, int64_t today)
{
	struct node *n = nt->n;
	const struct ledger *l;
	struct ledger own;
	struct mpx_out o;
	char day[11];
	/* the ledger paktd keeps (daemon/ledger_keep.h), else (none, or being
	 * built) one read now */
	bool kept = n->ctl != NULL && n->ctl->keep != NULL && ledger_keep_get(n->ctl->keep, rn, &l) == 0 &&
		    l != NULL;

	if (!kept && ledger_load(&own, n->store, rn->id, &rn->members) != 0)
		return;
	if (!kept)
		l = &own;
	size_t before = nt->n_sent;
	bool sent = false;

	mpx_init(&o);
	for (size_t i = 0; i < l->n_com; i++) {
		const struct ledger_commit *c = &l->com[i];
		const char *state, *outcome = ledger_outcome(c, today, &state);

		if (strcmp(outcome, "open") != 0 || !ledger_is_party(&rn->members, c, n->id.pk) ||
		    c->due_day - today > (int64_t)n->cfg.notify_due_days || c->due_day < today ||
		    due_sent(nt, c->hash, today))
			continue;
		snprintf(day, sizeof day, "%s", c->c.due);
		msgpack_pack_map(&o.pk, 6);
		mpx_kv_str(&o.pk, "event", "due");
		mpx_kv_bin(&o.pk, "network", rn->id, 32);
		mpx_kv_bin(&o.pk, "hash", c->hash, 32);
		mpx_kv_str(&o.pk, "title", c->c.title);
		mpx_kv_str(&o.pk, "due", day);
		mpx_kv_i64(&o.pk, "days", c->due_day - today);
		enqueue(nt, &o);
		mpx_reset(&o);
		sent = true;
	}
	mpx_free(&o);
	if (!kept)
		ledger_free(&own);
	if (sent || nt->n_sent != before)
		due_save(nt, today);
}

static void on_due_timer(uv_timer_t *t)
{
	struct notify *nt = t->data;
	int64_t today = (int64_t)(node_now(nt->n) / 86400000);

	if (nt->n->cfg.notify_command[0] == '\0' || nt->n->cfg.notify_due_days == 0)
		return;
	for (struct repl_net *rn = nt->n->nets; rn; rn = rn->next)
		due_net(nt, rn, today);
	flush_dropped(nt);
	run_next(nt);
}

int notify_start(struct notify *nt, struct node *n)
{
	memset(nt, 0, sizeof *nt);
	nt->n = n;
	nt->last_rowid = store_last_rowid(n->store);
	due_load(nt);
	uv_timer_init(n->loop, &nt->due_timer);
	nt->due_timer.data = nt;
	/* soon after start (a node that was down may owe today's reminders),
	 * then hourly: a day is checked at most once per commitment */
	uv_timer_start(&nt->due_timer, on_due_timer, 2000, NOTIFY_DUE_CHECK_MS);
	return node_listen(n, on_event, nt);
}

void notify_stop(struct notify *nt)
{
	struct notify_job *j;

	nt->stopping = true;
	node_unlisten(nt->n, on_event, nt);
	uv_close((uv_handle_t *)&nt->due_timer, NULL);
	while ((j = nt->head) != NULL) {
		nt->head = j->next;
		free(j);
	}
	nt->tail = NULL;
	nt->queued = 0;
	free(nt->sent);
	nt->sent = NULL;
}
