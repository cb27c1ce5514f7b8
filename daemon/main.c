/* paktd: one organisation's pakt node. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>
#include "daemon/ctl.h"
#include "daemon/ctl_priv.h"
#include "daemon/log.h"
#include "daemon/net.h"
#include "daemon/node.h"
#include "daemon/notify.h"
#include "daemon/sdnotify.h"
#include "daemon/repl.h"
#include "daemon/rotate.h"
#include "daemon/sigcheck.h"
#include "daemon/sigdefer.h"
#include "daemon/walckpt.h"
#include "keys/keyfile.h"
#include "keys/passphrase.h"
#include "proto/ctlmsg.h"
#include "proto/err.h"
#include "proto/id.h"

static const char usage[] =
	"usage: paktd [--data-dir DIR] [--listen ADDR:PORT] [--passphrase-file FILE] [--log-level LEVEL]\n"
	"             [--control-group GROUP]\n"
	"\n"
	"Run one organisation's pakt node in the foreground, logging to stderr.\n"
	"\n"
	"  --data-dir DIR          data directory (default: $PAKT_HOME, else systemd's\n"
	"                          $STATE_DIRECTORY, else ~/.local/share/pakt)\n"
	"  --listen ADDR:PORT      where partners connect (default: the config's\n"
	"                          'listen', else 127.0.0.1:7420; port 0 picks a free one)\n"
	"  --passphrase-file FILE  passphrase of an encrypted identity key\n"
	"                          (also $PAKT_PASSPHRASE_FILE or $PAKT_PASSPHRASE)\n"
	"  --log-level LEVEL       error, warn, info (default) or debug\n"
	"  --control-group GROUP   members of GROUP may use the control socket too\n"
	"                          (mode 0660; default: the config's 'control_group')\n"
	"  -h, --help              this help;  --version  the version\n"
	"\n"
	"Signals: SIGTERM/SIGINT stop cleanly, SIGHUP reloads the config file.\n"
	"Create the data directory first with 'pakt init'.\n";

struct daemon {
	uv_loop_t loop;
	struct node node;
	struct ctl ctl;
	struct net net;
	struct notify notify;
	uv_signal_t sig_term, sig_int, sig_hup;
	uv_timer_t checkpoint;
	int lock_fd;
	bool stopping;
};

static void on_ctl_closed(struct ctl *c)
{
	(void)c;
	log_debug("control socket closed");
}

static void on_net_closed(struct net *net)
{
	(void)net;
	log_debug("mesh closed");
}

static void daemon_stop(struct daemon *d, const char *why)
{
	if (d->stopping)
		return;
	d->stopping = true;
	sdnotify_stopping();
	notify_stop(&d->notify);
	log_info("stopping (%s)", why);
	ctl_stop(&d->ctl, on_ctl_closed);
	sigdefer_stop();
	if (d->node.net)
		net_stop(d->node.net, on_net_closed);
	uv_close((uv_handle_t *)&d->checkpoint, NULL);
	uv_close((uv_handle_t *)&d->sig_term, NULL);
	uv_close((uv_handle_t *)&d->sig_int, NULL);
	uv_close((uv_handle_t *)&d->sig_hup, NULL);
}

/* Witness the partners: publish the heads we hold when they changed. */
static void on_checkpoint_timer(uv_timer_t *t)
{
	struct daemon *d = t->data;
	struct entry e;
	char why[256];

	for (struct repl_net *rn = d->node.nets; rn; rn = rn->next) {
		int rc = ctl_publish_checkpoint(&d->node, rn, &e, why, sizeof why);

		if (rc != 0 && rc != PAKT_ENOTFOUND && rc != PAKT_ENOTMEMBER && rc != PAKT_EUNSYNCED)
			log_warn("checkpoint not published: %s", why);
	}
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct daemon *d = h->data;

	if (signum == SIGHUP) {
		sdnotify_reloading();
		node_reload_config(&d->node);
		sdnotify_ready("config reloaded");
	}
	else
		daemon_stop(d, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

/* Hold an exclusive lock on DIR/paktd.lock for our lifetime. */
static int take_lock(struct daemon *d)
{
	char path[DATADIR_PATH_MAX], pid[32];
	int n;

	datadir_file(d->node.datadir, DATADIR_LOCK, path);
	d->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (d->lock_fd < 0) {
		log_err("cannot open lock file %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(d->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		n = (int)read(d->lock_fd, pid, sizeof pid - 1);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		log_err("another paktd (pid %s) is already running on %s; stop it first",
			pid[0] ? pid : "?", d->node.datadir);
		return -1;
	}
	n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(d->lock_fd, 0) != 0 || pwrite(d->lock_fd, pid, (size_t)n, 0) != n)
		log_warn("cannot write pid to %s: %s", path, strerror(errno));
	return 0;
}

static int load_identity(struct daemon *d, const char *pass_file)
{
	char path[DATADIR_PATH_MAX], why[512] = "";
	char cred_path[DATADIR_PATH_MAX];
	char *pass = NULL;
	int rc;

	datadir_file(d->node.datadir, DATADIR_KEY, path);
	rc = keyfile_read(path, NULL, &d->node.id, why, sizeof why);
	if (rc == PAKT_ENEEDPASS) {
		/* systemd's LoadCredential=passphrase:FILE (see paktd.service) */
		const char *creds = getenv("CREDENTIALS_DIRECTORY");

		if (pass_file == NULL && creds != NULL && creds[0] == '/' &&
		    datadir_file(creds, "passphrase", cred_path) == 0 && access(cred_path, F_OK) == 0)
			pass_file = cred_path;
		rc = passphrase_get(&pass, pass_file, isatty(0) ? "passphrase for identity key: " : NULL,
				    false, why, sizeof why);
		if (rc != 0) {
			log_err("identity key %s is encrypted and no passphrase was given: "
				"use --passphrase-file FILE, $PAKT_PASSPHRASE_FILE or, under systemd, "
				"LoadCredential=passphrase:FILE (%s)", path, why);
			return rc;
		}
		rc = keyfile_read(path, pass, &d->node.id, why, sizeof why);
		passphrase_free(pass);
	}
	if (rc == PAKT_ENOTFOUND)
		log_err("no identity in %s: run 'pakt init --data-dir %s' first",
			d->node.datadir, d->node.datadir);
	else if (rc != 0)
		log_err("cannot load identity %s: %s", path, why[0] ? why : pakt_strerror(rc));
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"data-dir", required_argument, NULL, 'd'},
		{"passphrase-file", required_argument, NULL, 'p'},
		{"log-level", required_argument, NULL, 'l'},
		{"listen", required_argument, NULL, 'L'},
		{"control-group", required_argument, NULL, 'g'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *dir_arg = NULL, *pass_file = NULL, *level_arg = NULL, *listen_arg = NULL;
	const char *group_arg = NULL;
	static struct daemon d;
	struct node *n = &d.node;
	struct rlimit no_core = {0, 0};
	char why[512] = "", sock[DATADIR_PATH_MAX], idtext[ID_TEXT_MAX];
	uint64_t entries = 0, feeds = 0, nets = 0;
	int opt, rc, exit_code = 1;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': dir_arg = optarg; break;
		case 'p': pass_file = optarg; break;
		case 'l': level_arg = optarg; break;
		case 'L': listen_arg = optarg; break;
		case 'g': group_arg = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'V': puts("paktd " CTL_VERSION_STRING); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "paktd: unexpected argument '%s'\n%s", argv[optind], usage);
		return 2;
	}
	if (level_arg != NULL && log_level_parse(level_arg) < 0) {
		fprintf(stderr, "paktd: --log-level must be error, warn, info or debug\n");
		return 2;
	}
	/* Secrets must not end up in a core file. */
	setrlimit(RLIMIT_CORE, &no_core);
	signal(SIGPIPE, SIG_IGN);
	if (keys_global_init() != 0) {
		log_err("libsodium failed to initialise");
		return 1;
	}
	if (datadir_resolve(dir_arg, DATADIR_DAEMON, n->datadir, NULL) != 0) {
		log_err("no data directory: pass --data-dir DIR or set PAKT_HOME");
		return 1;
	}
	datadir_file(n->datadir, DATADIR_CONFIG, n->config_path);
	datadir_file(n->datadir, DATADIR_DB, n->db_path);
	datadir_file(n->datadir, DATADIR_SOCKET, sock);
	d.lock_fd = -1;
	if (access(n->datadir, F_OK) != 0) {
		log_err("data directory %s does not exist: run 'pakt init --data-dir %s' first",
			n->datadir, n->datadir);
		return 1;
	}
	if (config_load(&n->cfg, n->config_path, why, sizeof why) != 0) {
		log_err("bad config: %s", why);
		return 1;
	}
	log_set_level(level_arg ? (enum log_level)log_level_parse(level_arg)
				: (enum log_level)n->cfg.log_level);
	if (take_lock(&d) != 0)
		goto free_node;
	rc = store_open(&n->store, n->db_path, false, why, sizeof why);
	if (rc != 0) {
		log_err("cannot open store: %s", why);
		goto free_node;
	}
	if (rotate_recover(n->datadir, n->store, why, sizeof why) != 0) {
		log_err("cannot settle an interrupted key rotation: %s", why);
		goto free_node;
	}
	if (load_identity(&d, pass_file) != 0)
		goto free_node;
	if (sigcheck_start() != 0)
		log_warn("no helper thread for signature checks: using one core");
	unsynced_init(&n->unsynced, n->datadir);
	if (node_mesh_init(n) != 0 || repl_load_all(n) != 0) {
		log_err("cannot load replication state: %s", store_errmsg(n->store));
		goto free_node;
	}
	uv_loop_init(&d.loop);
	n->loop = &d.loop;
	n->ctl = &d.ctl;
	n->started_ms = node_now_ms();
	if (sigdefer_start(n) != 0)
		log_warn("signatures of version-2 batches are checked on receipt");
	if (walckpt_start(n) != 0)
		log_warn("no helper thread for WAL checkpoints: commits checkpoint themselves");
	rc = ctl_start(&d.ctl, n, sock, group_arg ? group_arg : n->cfg.control_group, why, sizeof why);
	if (rc == 0) {
		rc = net_start(&d.net, n, listen_arg ? listen_arg : n->cfg.listen, why, sizeof why);
		if (rc == 0)
			n->net = &d.net;
		else
			ctl_stop(&d.ctl, on_ctl_closed);
	}
	if (rc != 0) {
		log_err("%s", why);
		n->ctl = NULL;
		/* both of net's handles, or the sweep timer keeps the loop (and
		 * our lock) alive forever */
		if (d.net.open_handles) {
			uv_close((uv_handle_t *)&d.net.listener, NULL);
			uv_close((uv_handle_t *)&d.net.sweep, NULL);
		}
		sigdefer_stop();
		uv_run(&d.loop, UV_RUN_DEFAULT);  /* let the failed handles close */
		goto close_loop;
	}
	net_links_load(&d.net);
	uv_signal_init(&d.loop, &d.sig_term);
	uv_signal_init(&d.loop, &d.sig_int);
	uv_signal_init(&d.loop, &d.sig_hup);
	d.sig_term.data = d.sig_int.data = d.sig_hup.data = &d;
	uv_signal_start(&d.sig_term, on_signal, SIGTERM);
	uv_signal_start(&d.sig_int, on_signal, SIGINT);
	uv_signal_start(&d.sig_hup, on_signal, SIGHUP);
	uv_timer_init(&d.loop, &d.checkpoint);
	d.checkpoint.data = &d;
	if (n->cfg.checkpoint_s > 0)
		uv_timer_start(&d.checkpoint, on_checkpoint_timer, n->cfg.checkpoint_s * 1000ull,
			       n->cfg.checkpoint_s * 1000ull);

	store_counts(n->store, &entries, &feeds, &nets);
	id_encode(ID_KEY, n->id.pk, idtext);
	log_info("paktd %s: id %s (%s), %llu entries in %llu feeds", CTL_VERSION_STRING, idtext,
		 n->cfg.name[0] ? n->cfg.name : "unnamed", (unsigned long long)entries,
		 (unsigned long long)feeds);
	log_info("listening on %s", d.net.listen_addr);
	if (notify_start(&d.notify, n) != 0) {
		log_err("cannot start notifications: out of memory");
		daemon_stop(&d, "out of memory");
	}
	log_info("listening on control socket %s", sock);
	sdnotify_ready("serving");
	uv_run(&d.loop, UV_RUN_DEFAULT);
	exit_code = 0;
	n->ctl = NULL;
	n->net = NULL;
close_loop:
	if (uv_loop_close(&d.loop) != 0)
		log_warn("event loop closed with handles still open");
free_node:
	walckpt_stop();
	sigcheck_stop();
	repl_free_all(n);
	node_mesh_free(n);
	store_close(n->store);
	keys_free(&n->id);
	if (d.lock_fd >= 0)
		close(d.lock_fd);
	if (exit_code == 0)
		log_info("stopped cleanly");
	return exit_code;
}
