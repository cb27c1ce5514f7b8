/* pakt doctor: what is wrong with this node, each finding one line with
 * what to do. Files are checked here; the rest asks paktd (status, verify,
 * peer list, members, log). Exit 1 if any finding is an error. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "cli/names.h"
#include "cli/cmds.h"
#include "cli/i18n.h"
#include "cli/text.h"
#include "keys/config.h"
#include "keys/keyfile.h"
#include "proto/body.h"
#include "proto/entry.h"
#include "proto/err.h"

#define DOCTOR_FINDINGS_MAX 96
#define DOCTOR_LOG_LAST 500             /* recent entries read for clock and heads */
#define DOCTOR_SKEW_MS (2 * 60 * 1000)  /* a clock this far off is worth a word */
#define DOCTOR_PEER_STALE_MS (24 * 3600 * 1000ull)

enum doctor_level { DOCTOR_OK, DOCTOR_WARN, DOCTOR_ERROR };

struct doctor_finding {
	enum doctor_level level;
	char check[16];
	char text[480];
};

struct doctor {
	struct doctor_finding f[DOCTOR_FINDINGS_MAX];
	size_t n;
	char dir[DATADIR_PATH_MAX];
	const char *dir_arg;
	struct ctlop_r_status st;
	bool running;
	bool json;                      /* findings stay English in --json */
};

/* A finding's text (marked N_) in the language of the output: --json
 * keeps the English that scripts match. */
static const char *tr(const struct doctor *d, const char *s) __attribute__((format_arg(2)));
static const char *tr(const struct doctor *d, const char *s)
{
	return d->json ? s : _(s);
}

static void add(struct doctor *d, enum doctor_level level, const char *check, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add(struct doctor *d, enum doctor_level level, const char *check, const char *fmt, ...)
{
	va_list ap;

	if (d->n == DOCTOR_FINDINGS_MAX)
		return;
	d->f[d->n].level = level;
	snprintf(d->f[d->n].check, sizeof d->f[d->n].check, "%s", check);
	va_start(ap, fmt);
	vsnprintf(d->f[d->n].text, sizeof d->f[d->n].text, tr(d, fmt), ap);
	va_end(ap);
	d->n++;
}

static const char *ago(const struct doctor *d, uint64_t ms, char buf[32])
{
	uint64_t s = ms / 1000;

	if (s < 120)
		snprintf(buf, 32, tr(d, N_("%" PRIu64 " s ago")), s);
	else if (s < 7200)
		snprintf(buf, 32, tr(d, N_("%" PRIu64 " min ago")), s / 60);
	else if (s < 172800)
		snprintf(buf, 32, tr(d, N_("%" PRIu64 " h ago")), s / 3600);
	else    /* two or more: one form in English and Polish */
		snprintf(buf, 32, tr(d, N_("%" PRIu64 " days ago")), s / 86400);
	return buf;
}

/* ---- files ---- */

static void check_files(struct doctor *d)
{
	char key[DATADIR_PATH_MAX], cfg[DATADIR_PATH_MAX], why[512] = "";
	struct config c;
	struct stat st, kst;
	uint8_t pk[32];
	bool enc;
	int rc;

	if (stat(d->dir, &st) != 0) {
		add(d, DOCTOR_ERROR, "datadir", N_("no data directory %s: create the node with 'pakt init --data-dir %s'"),
		    d->dir, d->dir);
		return;
	}
	if (st.st_mode & S_IWOTH)
		add(d, DOCTOR_ERROR, "datadir", N_("%s is writable by everyone (mode %04o): chmod o-w %s"), d->dir,
		    (unsigned)(st.st_mode & 07777), d->dir);
	else if (st.st_mode & S_IROTH)
		add(d, DOCTOR_WARN, "datadir", N_("%s is readable by everyone (mode %04o): chmod o-rx %s"), d->dir,
		    (unsigned)(st.st_mode & 07777), d->dir);
	else
		add(d, DOCTOR_OK, "datadir", N_("%s (mode %04o)"), d->dir, (unsigned)(st.st_mode & 07777));

	datadir_file(d->dir, DATADIR_KEY, key);
	if (stat(key, &kst) != 0) {
		if (errno == EACCES)
			add(d, DOCTOR_OK, "keyfile", N_("%s: not visible to you (normal for staff; paktd's user holds it)"),
			    key);
		else
			add(d, DOCTOR_ERROR, "keyfile", N_("no identity key %s: run 'pakt init --data-dir %s' (or 'pakt "
			    "restore' from a backup)"), key, d->dir);
	} else if (kst.st_mode & 077) {
		add(d, DOCTOR_ERROR, "keyfile", N_("%s is readable by group or others (mode %04o): chmod 600 %s"), key,
		    (unsigned)(kst.st_mode & 07777), key);
	} else if (kst.st_uid != st.st_uid) {
		add(d, DOCTOR_WARN, "keyfile", N_("%s belongs to uid %u, the data directory to uid %u: chown %u %s"), key,
		    (unsigned)kst.st_uid, (unsigned)st.st_uid, (unsigned)st.st_uid, key);
	} else if (access(key, R_OK) != 0) {
		add(d, DOCTOR_OK, "keyfile", N_("%s (mode 0600; readable only by paktd's user)"), key);
	} else if ((rc = keyfile_read_public(key, pk, &enc, why, sizeof why)) != 0) {
		add(d, DOCTOR_ERROR, "keyfile", N_("%s cannot be read: %s (restore it from a backup)"), key,
		    why[0] ? why : pakt_strerror(rc));
	} else {
		add(d, DOCTOR_OK, "keyfile", enc ? N_("%s (mode 0600, encrypted)") : N_("%s (mode 0600)"), key);
	}

	datadir_file(d->dir, DATADIR_CONFIG, cfg);
	if (access(cfg, R_OK) != 0 && errno == EACCES)
		add(d, DOCTOR_OK, "config", N_("%s: not readable by you (normal for staff)"), cfg);
	else if (config_load(&c, cfg, why, sizeof why) != 0)
		add(d, DOCTOR_ERROR, "config", N_("%s: fix the line, then 'systemctl reload paktd' or restart paktd"), why);
	else
		add(d, DOCTOR_OK, "config", "%s", cfg);
}

/* ---- paktd ---- */

static int request(struct doctor *d, struct client *c, enum ctlop_op op, int timeout_ms)
{
	const struct ctlop_req req = {.op = op};
	int rc = client_connect(c, d->dir);

	if (rc == 0)
		rc = client_call(c, &req, timeout_ms);
	return rc;
}

static void check_daemon(struct doctor *d)
{
	char sock[DATADIR_PATH_MAX];
	struct client c;
	struct stat st;
	int rc = request(d, &c, CTLOP_STATUS, 10000);

	if (rc == 0)
		rc = client_reply(&c, CTLOP_R_STATUS, &d->st);
	if (rc != 0) {
		if (rc == PAKT_ENOTRUNNING)
			add(d, DOCTOR_ERROR, "paktd", N_("paktd is not running on %.180s: 'systemctl start paktd' (the "
			    "service) or 'paktd --data-dir %.180s &'"), d->dir, d->dir);
		else
			add(d, DOCTOR_ERROR, "paktd", "%s", c.why);
		client_close(&c);
		return;
	}
	client_close(&c);
	d->running = true;
	add(d, DOCTOR_OK, "paktd", N_("running (pid %" PRIu64 ", version %s), %" PRIu64 " entries in %" PRIu64 " feeds"),
	    d->st.pid, d->st.version, d->st.entries, d->st.feeds);
	if (d->st.has_own_fork)
		add(d, DOCTOR_ERROR, "feed", N_("FORK of this organisation's feed at #%" PRIu64 ": two copies of this "
		    "node signed different entries and partners stop accepting its feed; stop every copy but "
		    "one and read 'pakt audit'"), d->st.own_fork);
	if (d->st.has_unsynced)
		add(d, DOCTOR_WARN, "feed", "%s", d->st.unsynced);
	datadir_file(d->dir, DATADIR_SOCKET, sock);
	if (stat(sock, &st) == 0 && (st.st_mode & 007))
		add(d, DOCTOR_ERROR, "socket", N_("%s is open to everyone (mode %04o): chmod 600 %s (or 660 for a control_group)"),
		    sock, (unsigned)(st.st_mode & 07777), sock);
	else if (stat(sock, &st) == 0)
		add(d, DOCTOR_OK, "socket", N_("%s (mode %04o)"), sock, (unsigned)(st.st_mode & 07777));
}

static void check_store(struct doctor *d)
{
	struct ctlop_r_verify v = {0};
	struct client c;
	int rc = request(d, &c, CTLOP_VERIFY, -1);

	if (rc == 0)
		rc = client_reply(&c, CTLOP_R_VERIFY, &v);
	if (rc != 0)
		add(d, DOCTOR_ERROR, "store", N_("the store cannot be checked: %s"), c.why);
	else if (v.n_bad > 0)
		add(d, DOCTOR_ERROR, "store", N_("%" PRIu64 " of %" PRIu64 " stored entries are bad: 'pakt verify' lists them"),
		    v.n_bad, v.checked);
	else
		add(d, DOCTOR_OK, "store", N_("every page readable; %" PRIu64 " entries in %" PRIu64 " feeds verify"),
		    v.checked, v.feeds);
	ctlop_reply_free(CTLOP_R_VERIFY, &v);
	client_close(&c);
}

/* Can we connect to where paktd listens? 0.0.0.0 is tried as 127.0.0.1. */
static bool reachable(const char *addr)
{
	struct sockaddr_storage ss = {0};
	char host[64];
	const char *colon = strrchr(addr, ':');
	int fd, port, rc;
	struct pollfd p;
	socklen_t len;

	if (colon == NULL || (size_t)(colon - addr) >= sizeof host)
		return false;
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = '\0';
	port = atoi(colon + 1);
	if (strcmp(host, "0.0.0.0") == 0)
		snprintf(host, sizeof host, "127.0.0.1");
	if (strcmp(host, "[::]") == 0 || strcmp(host, "[::1]") == 0)
		snprintf(host, sizeof host, "::1");
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		ss.ss_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
		len = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		ss.ss_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
		len = sizeof(struct sockaddr_in6);
	} else {
		return false;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	rc = connect(fd, (struct sockaddr *)&ss, len);
	if (rc != 0 && errno == EINPROGRESS) {
		int err = 0;
		socklen_t el = sizeof err;

		p = (struct pollfd){.fd = fd, .events = POLLOUT};
		rc = poll(&p, 1, 2000) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0 ? 0 : -1;
	}
	close(fd);
	return rc == 0;
}

static void check_net(struct doctor *d)
{
	struct ctlop_r_peers pr = {0};
	uint64_t now = cli_now_ms();
	struct client c;
	char when[32], id[ID_TEXT_MAX];
	int rc = request(d, &c, CTLOP_PEER_LIST, 10000);

	if (rc == 0)
		rc = client_reply(&c, CTLOP_R_PEERS, &pr);
	if (rc != 0) {
		add(d, DOCTOR_ERROR, "listen", N_("cannot list peers: %s"), c.why);
		client_close(&c);
		return;
	}
	if (!reachable(pr.listen))
		add(d, DOCTOR_ERROR, "listen", N_("nothing answers at %s where paktd should listen: restart paktd and read its log"),
		    pr.listen);
	else if (strncmp(pr.listen, "127.", 4) == 0)
		add(d, DOCTOR_WARN, "listen", N_("listening on %s: partners on other machines cannot connect; set "
		    "'listen = 0.0.0.0:7420' in the config, open 7420/tcp, reload"), pr.listen);
	else
		add(d, DOCTOR_OK, "listen", N_("listening on %s and answering"), pr.listen);
	for (size_t i = 0; i < pr.n_peers; i++) {
		const struct ctlop_r_peer *p = &pr.peers[i];

		if (p->has_key)
			id_encode(ID_KEY, p->key, id);
		else
			snprintf(id, sizeof id, "%s", tr(d, N_("key not known yet")));
		if (p->connected)
			add(d, DOCTOR_OK, "peer", p->behind ? N_("%s (%.20s...) connected, catching up") :
			    N_("%s (%.20s...) connected"), p->address, id);
		else if (p->inbound)
			continue;
		else if (p->last_seen == 0)
			add(d, DOCTOR_WARN, "peer", N_("%s never reached: check the address ('pakt peer list'), that "
			    "its paktd runs and that its firewall lets 7420/tcp in"), p->address);
		else if (now > p->last_seen && now - p->last_seen > DOCTOR_PEER_STALE_MS)
			add(d, DOCTOR_WARN, "peer", N_("%s last seen %s: ask its administrator whether paktd runs"),
			    p->address, ago(d, now - p->last_seen, when));
		else
			add(d, DOCTOR_OK, "peer", N_("%s not connected now, last seen %s (it is dialled again)"),
			    p->address, ago(d, now > p->last_seen ? now - p->last_seen : 0, when));
	}
	if (pr.n_peers == 0)
		add(d, DOCTOR_WARN, "peer", N_("no peers: join an initiative ('pakt join CODE') or add one ('pakt peer add HOST:PORT')"));
	ctlop_reply_free(CTLOP_R_PEERS, &pr);
	client_close(&c);
}

static void check_membership(struct doctor *d)
{
	struct ctlop_r_members m = {0};
	struct client c;
	int rc;

	if (!d->st.has_network) {
		add(d, DOCTOR_WARN, "member", N_("no initiative yet: 'pakt initiative create NAME' or 'pakt join CODE'"));
		return;
	}
	rc = request(d, &c, CTLOP_MEMBERS, 10000);
	if (rc == 0)
		rc = client_reply(&c, CTLOP_R_MEMBERS, &m);
	if (rc != 0) {
		add(d, DOCTOR_ERROR, "member", N_("cannot list members: %s"), c.why);
		client_close(&c);
		return;
	}
	rc = -1;
	for (size_t i = 0; i < m.n_members; i++) {
		if (memcmp(m.members[i].key, d->st.id, 32) != 0)
			continue;
		rc = (int)i;
		break;
	}
	if (rc < 0) {
		add(d, DOCTOR_ERROR, "member", N_("this organisation is not a member of its initiative yet: ask an "
		    "admin for an invite and 'pakt join CODE'"));
	} else if (m.members[rc].removed) {
		char told[sizeof m.removal];

		/* the sentence names partners: no control characters */
		names_safe(m.has_removal ? m.removal : tr(d, N_("removed from the initiative")), told, sizeof told);
		add(d, DOCTOR_ERROR, "member", N_("this organisation was %s: nothing it posts counts; ask the "
		    "initiative's admins (pakt members)"), told);
	} else {
		add(d, DOCTOR_OK, "member", N_("a member (%s) of the initiative, with %zu members"),
		    m.members[rc].role, m.n_members);
	}
	ctlop_reply_free(CTLOP_R_MEMBERS, &m);
	client_close(&c);
}

/* Partners' clocks (their entries' stamps against when they arrived) and
 * their checkpoints' view of our own feed. */
struct feedview {
	uint64_t own_seq;               /* our head here */
	uint8_t own_hash[32];
	uint64_t seen_seq;              /* the highest seq partners claim for us */
	uint8_t seen_hash[32];
	uint8_t seen_by[32];
	int64_t ahead_ms;               /* largest (stamp - arrival) of a partner */
	uint8_t ahead_by[32];
	size_t partners_ahead, partners;
	uint8_t keys[64][32];           /* partners seen, and whether ahead */
	bool ahead[64];
};

static void view_row(struct doctor *d, struct feedview *v, const struct ctlop_r_log_row *row)
{
	static struct body_head heads[BODY_HEADS_MAX];
	struct entry e;
	size_t n = 0, k;
	int64_t skew;

	if (entry_decode(&e, row->entry, row->entry_len) != 0)
		return;
	if (memcmp(e.h.author, d->st.id, 32) == 0) {
		if (e.h.seq >= v->own_seq) {
			v->own_seq = e.h.seq;
			memcpy(v->own_hash, e.hash, 32);
		}
		return;
	}
	for (k = 0; k < v->partners && memcmp(v->keys[k], e.h.author, 32) != 0; k++)
		;
	if (k == v->partners && k < 64)
		memcpy(v->keys[v->partners++], e.h.author, 32);
	skew = (int64_t)e.h.timestamp - row->received;
	if (k < 64 && skew > DOCTOR_SKEW_MS && !v->ahead[k]) {
		v->ahead[k] = true;
		v->partners_ahead++;
	}
	if (skew > v->ahead_ms) {
		v->ahead_ms = skew;
		memcpy(v->ahead_by, e.h.author, 32);
	}
	if (strcmp(e.h.type, "checkpoint") != 0 || e.body == NULL ||
	    body_checkpoint_parse(e.body, e.body_len, heads, BODY_HEADS_MAX, &n) != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (memcmp(heads[i].author, d->st.id, 32) == 0 && heads[i].seq >= v->seen_seq) {
			v->seen_seq = heads[i].seq;
			memcpy(v->seen_hash, heads[i].hash, 32);
			memcpy(v->seen_by, e.h.author, 32);
		}
	}
}

static void check_feeds(struct doctor *d)
{
	static struct ctlop_r_log_row row;
	struct ctlop_req req = {.op = CTLOP_LOG};
	struct feedview v = {0};
	struct client c;
	char who[ID_TEXT_MAX];
	int rc;

	req.u.log.has_last = true;
	req.u.log.last = DOCTOR_LOG_LAST;
	rc = client_connect(&c, d->dir);
	if (rc == 0)
		rc = client_send(&c, &req);
	while (rc == 0 && (rc = client_recv(&c, 60000)) == 0 && (rc = client_reply_error(&c)) == 0) {
		if (client_reply(&c, CTLOP_R_LOG_ROW, &row) != 0 || row.entry == NULL) {
			ctlop_reply_free(CTLOP_R_LOG_ROW, &row);
			break;
		}
		view_row(d, &v, &row);
		ctlop_reply_free(CTLOP_R_LOG_ROW, &row);
	}
	client_close(&c);
	if (rc != 0) {
		add(d, DOCTOR_ERROR, "feed", N_("cannot read the log: %s"), c.why);
		return;
	}
	if (v.partners >= 2 && v.partners_ahead * 2 > v.partners)
		add(d, DOCTOR_ERROR, "clock", N_("this machine's clock is behind its partners' (by up to %" PRId64
		    " s): turn on time sync ('timedatectl set-ntp true')"), v.ahead_ms / 1000);
	else if (v.ahead_ms > DOCTOR_SKEW_MS)
		add(d, DOCTOR_WARN, "clock", N_("entries of %.24s... arrive stamped up to %" PRId64 " s in the future: "
		    "its clock is ahead; tell its administrator"), (id_encode(ID_KEY, v.ahead_by, who), who),
		    v.ahead_ms / 1000);
	else
		add(d, DOCTOR_OK, "clock", N_("partners' recent entries agree with this machine's clock"));
	if (v.seen_seq > v.own_seq)
		add(d, DOCTOR_ERROR, "feed", N_("partners hold this organisation's feed up to #%" PRIu64 " but this node "
		    "only up to #%" PRIu64 ": it was restored from an older copy or lost data; do not post until "
		    "it has them back from partners (they are fetched on connect)"), v.seen_seq, v.own_seq);
	else if (v.seen_seq == v.own_seq && v.seen_seq > 0 && memcmp(v.seen_hash, v.own_hash, 32) != 0)
		add(d, DOCTOR_ERROR, "feed", N_("FORK: partners hold a different entry #%" PRIu64 " of this "
		    "organisation's feed than this node: two copies of this node posted; stop all but one "
		    "and read 'pakt audit'"), v.seen_seq);
	else if (v.seen_seq > 0)
		add(d, DOCTOR_OK, "feed", N_("partners' latest checkpoints agree with this node's feed (#%" PRIu64 ")"),
		    v.own_seq);
}

static void check_disk(struct doctor *d)
{
	struct statvfs sv;
	double free_b, total_b;

	if (statvfs(d->dir, &sv) != 0)
		return;
	free_b = (double)sv.f_bavail * (double)sv.f_frsize;
	total_b = (double)sv.f_blocks * (double)sv.f_frsize;
	if (free_b < 100.0 * 1024 * 1024)
		add(d, DOCTOR_ERROR, "disk", N_("only %.0f MiB free on the disk of %s: posting stops when it is full; "
		    "free space"), free_b / 1048576, d->dir);
	else if (free_b < 1024.0 * 1024 * 1024 || free_b < total_b * 0.05)
		add(d, DOCTOR_WARN, "disk", N_("%.0f MiB free on the disk of %s (%.0f%%): free space soon"),
		    free_b / 1048576, d->dir, 100.0 * free_b / total_b);
	else
		add(d, DOCTOR_OK, "disk", N_("%.1f GiB free on the disk of %s"), free_b / 1073741824, d->dir);
}

/* ---- output ---- */

static const char *level_name(enum doctor_level l)
{
	return l == DOCTOR_ERROR ? "error" : l == DOCTOR_WARN ? "warn" : "ok";
}

static void print_json(const struct doctor *d, size_t errors, size_t warns)
{
	msgpack_sbuffer sb;

	msgpack_sbuffer_init(&sb);
	printf("{\"ok\":%s,\"errors\":%zu,\"warnings\":%zu,\"datadir\":", errors ? "false" : "true", errors, warns);
	ctlop_json_str(&sb, d->dir, strlen(d->dir));
	fwrite(sb.data, 1, sb.size, stdout);
	fputs(",\"findings\":[", stdout);
	for (size_t i = 0; i < d->n; i++) {
		sb.size = 0;
		ctlop_json_str(&sb, d->f[i].text, strlen(d->f[i].text));
		printf("%s{\"check\":\"%s\",\"level\":\"%s\",\"message\":", i ? "," : "", d->f[i].check,
		       level_name(d->f[i].level));
		fwrite(sb.data, 1, sb.size, stdout);
		fputc('}', stdout);
	}
	fputs("]}\n", stdout);
	msgpack_sbuffer_destroy(&sb);
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data-dir", required_argument, NULL, 'd'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct doctor d;
	enum datadir_source src;
	size_t errors = 0, warns = 0;
	bool json = false;
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': d.dir_arg = optarg; break;
		case 'j': json = true; break;
		case 'h': return cli_help("doctor");
		default: return cli_usage("doctor", _("unknown or incomplete option '%s'"), argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage("doctor", _("unexpected argument '%s'"), argv[optind]);
	if (datadir_resolve(d.dir_arg, DATADIR_CLIENT, d.dir, &src) != 0)
		return cli_fail("doctor", PAKT_EINVAL, _("no data directory: pass --data-dir DIR or set PAKT_HOME"));
	d.json = json;
	check_files(&d);
	if (d.n > 0 && d.f[0].level == DOCTOR_ERROR && strcmp(d.f[0].check, "datadir") == 0)
		goto report;
	check_daemon(&d);
	if (d.running) {
		if (!json)
			fputs(_("checking every stored entry...\n"), stderr);
		check_store(&d);
		check_net(&d);
		check_membership(&d);
		check_feeds(&d);
	}
	check_disk(&d);
report:
	for (size_t i = 0; i < d.n; i++) {
		errors += d.f[i].level == DOCTOR_ERROR;
		warns += d.f[i].level == DOCTOR_WARN;
	}
	if (json) {
		print_json(&d, errors, warns);
	} else {
		/* a finding may quote partners' profiles (addresses, names):
		 * escaped for the terminal (cli/text.h) */
		for (size_t i = 0; i < d.n; i++) {
			/* TRANSLATORS: the level of a finding of 'pakt doctor' (5 columns) */
			text_pad(stdout, d.f[i].level == DOCTOR_OK ? _("ok") : d.f[i].level == DOCTOR_WARN ? _("WARN") :
				 _("ERROR"), 5, false);
			printf(" %-8s ", d.f[i].check);
			text_put(stdout, d.f[i].text);
			putchar('\n');
		}
		/* TRANSLATORS: the summary line: "2 errors, 1 warning (DIR, where DIR came from)" */
		printf(P_("%zu error", "%zu errors", errors), errors);
		printf(P_(", %zu warning", ", %zu warnings", warns), warns);
		printf(" (%s, %s)\n", d.dir, datadir_source_name(src));
	}
	return errors ? CLI_FAIL : CLI_OK;
}
